"""Finite discrete-time Markov chains."""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

from .._kernels import markov as _mk
from .._units import check_base
from .base import DiscreteProcess

__all__ = ["MarkovChain", "gth_stationary"]

#: Rows must sum to 1 within this absolute tolerance; they are then renormalised exactly.
ROW_SUM_ATOL = 1e-10
#: Largest closed class solved by the dense GTH elimination (O(n^3)); larger ones use sparse LU.
GTH_MAX_STATES = 2000


def gth_stationary(P: np.ndarray) -> np.ndarray:
    """Stationary law of an irreducible stochastic matrix by Grassmann-Taksar-Heyman elimination.

    GTH (Grassmann, Taksar & Heyman 1985, Oper. Res. 33, 1107) is Gaussian elimination in
    which every pivot is computed as a sum of off-diagonal entries, never by subtraction,
    so it keeps full relative accuracy even for nearly decomposable chains. O(n^3).
    """
    A = np.array(P, dtype=float, copy=True)
    n = A.shape[0]
    for k in range(n - 1, 0, -1):
        s = A[k, :k].sum()
        if s <= 0.0:
            raise ValueError("gth_stationary: the chain is not irreducible (a pivot vanished)")
        A[:k, k] /= s
        A[:k, :k] += np.outer(A[:k, k], A[k, :k])
    x = np.zeros(n)
    x[0] = 1.0
    for k in range(1, n):
        x[k] = x[:k] @ A[:k, k]
    return x / x.sum()


def _is_complex(P) -> bool:
    """Whether ``P`` holds complex numbers (which ``float`` conversion would silently truncate)."""
    if sp.issparse(P):
        return np.iscomplexobj(P.data)
    try:
        return np.iscomplexobj(np.asarray(P))
    except (ValueError, TypeError):
        return False


class MarkovChain(DiscreteProcess):
    r"""A finite, time-homogeneous, discrete-time Markov chain.

    Parameters
    ----------
    P : array_like or scipy.sparse matrix, shape (n, n)
        Transition matrix, ``P[i, j] = Pr(X_{t+1} = j | X_t = i)``. Dense arrays are kept
        dense; sparse matrices are converted to CSR (use them for 10**5 states and more).
        Entries must be finite and non-negative and each row must sum to 1 within
        ``ROW_SUM_ATOL = 1e-10``; rows are then renormalised so they sum to 1 to rounding.

    Notes
    -----
    The stationary law :math:`\pi` is computed by GTH elimination (dense, up to 2000 states in
    the recurrent class) or sparse LU. The time reversal is
    :math:`\tilde P = D^{-1} P^T D` with :math:`D = \mathrm{diag}(\pi)`; it is the law of the
    stationary chain read backwards, and the dynamics of the backward arm of
    :func:`entropy.simulate`.

    References
    ----------
    Cover & Thomas, *Elements of Information Theory*, 2nd ed. (2006), ch. 4.
    Kemeny & Snell, *Finite Markov Chains* (1960), sec. 5.3 (reverse chain).
    """

    def __init__(self, P, *, _validated=False):
        if _is_complex(P):
            raise TypeError(f"P: expected real transition probabilities, got complex entries (dtype "
                            f"{getattr(P, 'dtype', 'complex')}); pass the real part explicitly if that is meant")
        if sp.issparse(P):
            M = sp.csr_matrix(P, dtype=float, copy=True)
            M.sum_duplicates()
            M.eliminate_zeros()
            self._sparse = True
        else:
            M = np.array(P, dtype=float, copy=True)
            self._sparse = False
        if not _validated:
            M = self._validate(M)
        if self._sparse:  # canonical CSR: the alias tables, hence the draws, follow column order
            M = sp.csr_matrix(M)
            M.eliminate_zeros()
            M.sort_indices()
        self._P = M
        self._reverse = None

    @classmethod
    def fit(cls, series, order=1, *, pseudocount=0.0, n_states=None, states="observed"):
        """Fit a chain of Markov order ``order`` to symbol series (maximum likelihood counts,
        optional pseudocount; orders above 1 by lifting to words).

        See :func:`entropy.processes.fit.fit_markov_chain` for the parameters, the states of a
        lifted chain and the standard errors; returns a
        :class:`~entropy.processes.fit.FittedMarkovChain`.
        """
        from .fit import fit_markov_chain

        return fit_markov_chain(series, order, pseudocount=pseudocount, n_states=n_states, states=states)

    # -- validation ---------------------------------------------------------------------
    def _validate(self, M):
        if M.ndim != 2 or M.shape[0] != M.shape[1] or M.shape[0] == 0:
            raise ValueError(f"P: expected a non-empty square matrix, got shape {M.shape}")
        vals = M.data if self._sparse else M
        if not np.all(np.isfinite(vals)):
            if self._sparse:
                k = np.flatnonzero(~np.isfinite(M.data))[0]
                row = np.searchsorted(M.indptr, k, side="right") - 1
                raise ValueError(f"P row {row}: entry {float(M.data[k])!r} at column {M.indices[k]} is not finite")
            i, j = np.argwhere(~np.isfinite(M))[0]
            raise ValueError(f"P row {i}: entry {float(M[i, j])!r} at column {j} is not finite")
        if np.any(vals < 0):
            if self._sparse:
                k = np.flatnonzero(M.data < 0)[0]
                row = np.searchsorted(M.indptr, k, side="right") - 1
                raise ValueError(f"P row {row}: entry {float(M.data[k])!r} at column {M.indices[k]} is negative")
            i, j = np.argwhere(M < 0)[0]
            raise ValueError(f"P row {i}: entry {float(M[i, j])!r} at column {j} is negative")
        sums = np.asarray(M.sum(axis=1)).ravel()
        bad = np.flatnonzero(np.abs(sums - 1.0) > ROW_SUM_ATOL)
        if bad.size:
            i = bad[0]
            raise ValueError(
                f"P row {i}: sums to {float(sums[i])!r}, expected 1 (tolerance {ROW_SUM_ATOL:g}); "
                f"{bad.size} row(s) are not stochastic"
            )
        if self._sparse:
            return sp.csr_matrix(sp.diags(1.0 / sums) @ M)
        return M / sums[:, None]

    # -- basic properties ------------------------------------------------------------------
    @property
    def n_states(self) -> int:
        return self._P.shape[0]

    @property
    def P(self):
        """The transition matrix (a copy)."""
        return self._P.copy()

    transition_matrix = P

    @property
    def is_sparse(self) -> bool:
        return self._sparse

    def __repr__(self):
        kind = f"sparse, {self._P.nnz} transitions" if self._sparse else "dense"
        return f"MarkovChain({self.n_states} states, {kind})"

    def _csr(self):
        return self._P if self._sparse else sp.csr_matrix(self._P)

    # -- stationary law --------------------------------------------------------------------
    @cached_property
    def communication_classes(self) -> list[np.ndarray]:
        """Strongly connected components of the transition graph (lists of states)."""
        n_comp, labels = csgraph.connected_components(self._csr(), directed=True, connection="strong")
        return [np.flatnonzero(labels == c) for c in range(n_comp)]

    @cached_property
    def recurrent_classes(self) -> list[np.ndarray]:
        """Closed communicating classes (no transition leaves them)."""
        C = self._csr()
        n_comp, labels = csgraph.connected_components(C, directed=True, connection="strong")
        rows = np.repeat(np.arange(self.n_states), np.diff(C.indptr))
        leaves = labels[rows] != labels[C.indices]
        open_ = np.zeros(n_comp, bool)
        open_[labels[rows[leaves]]] = True
        return [np.flatnonzero(labels == c) for c in range(n_comp) if not open_[c]]

    @property
    def is_irreducible(self) -> bool:
        return len(self.communication_classes) == 1

    @cached_property
    def stationary_distribution(self) -> np.ndarray:
        r"""The unique stationary law :math:`\pi = \pi P` (zero on transient states).

        Raises
        ------
        ValueError
            If the chain has more than one closed class (no unique stationary law).
        """
        rec = self.recurrent_classes
        if len(rec) != 1:
            firsts = ", ".join(f"{{{c[0]}{', ...' if c.size > 1 else ''}}}" for c in rec[:5])
            raise ValueError(
                f"P: the chain has {len(rec)} closed communicating classes ({firsts}), "
                "so its stationary distribution is not unique"
            )
        cls = rec[0]
        pi = np.zeros(self.n_states)
        if cls.size == 1:
            pi[cls[0]] = 1.0
            return pi
        sub = self._csr()[cls][:, cls]
        if cls.size <= GTH_MAX_STATES:
            pi[cls] = gth_stationary(sub.toarray())
        else:
            pi[cls] = _sparse_stationary(sp.csr_matrix(sub))
        return pi

    # -- time reversal ----------------------------------------------------------------------
    def reversed(self) -> "MarkovChain":
        r"""The time-reversed chain :math:`\tilde P = D^{-1} P^T D`, :math:`D = \mathrm{diag}(\pi)`.

        ``chain.reversed().reversed()`` is ``chain`` itself. Raises ValueError when the
        stationary law does not charge every state (transient states have no past).
        """
        if self._reverse is None:
            pi = self.stationary_distribution
            zero = np.flatnonzero(pi <= 0)
            if zero.size:
                raise ValueError(
                    f"P: state {zero[0]} has stationary probability 0 (it is transient); the time "
                    "reversal D^-1 P^T D needs a stationary law on every state (an irreducible chain)"
                )
            if self._sparse:
                R = sp.diags(1.0 / pi) @ self._P.T @ sp.diags(pi)
                R = sp.csr_matrix(R)
                sums = np.asarray(R.sum(axis=1)).ravel()
                R = sp.csr_matrix(sp.diags(1.0 / sums) @ R)
            else:
                R = self._P.T * pi[None, :] / pi[:, None]
                R /= R.sum(axis=1, keepdims=True)
            rev = MarkovChain(R, _validated=True)
            rev.__dict__["stationary_distribution"] = pi
            rev._reverse = self
            self._reverse = rev
        return self._reverse

    def is_reversible(self, atol: float = 1e-10) -> bool:
        r"""Detailed balance :math:`\pi_i P_{ij} = \pi_j P_{ji}` for all i, j, within ``atol``."""
        pi = self.stationary_distribution
        if self._sparse:
            F = sp.diags(pi) @ self._P
            D = (F - F.T).tocsr()
            return D.nnz == 0 or float(np.max(np.abs(D.data))) <= atol
        F = pi[:, None] * self._P
        return bool(np.max(np.abs(F - F.T)) <= atol)

    # -- information-theoretic properties ----------------------------------------------------
    def _row_entropies(self) -> np.ndarray:
        """Entropy (nats) of every row: H(P_i.)."""
        C = self._csr()
        d = C.data
        terms = np.where(d > 0, -d * np.log(np.where(d > 0, d, 1.0)), 0.0)
        # every row of a stochastic matrix has at least one entry, so reduceat is exact
        return np.add.reduceat(terms, C.indptr[:-1])

    def entropy_rate(self, base=2) -> float:
        r"""Entropy rate :math:`h = -\sum_i \pi_i \sum_j P_{ij} \log P_{ij}` of the stationary chain.

        In units of ``base`` (2 = bits per step). Cover & Thomas (2006), Thm 4.2.4.
        """
        b = check_base(base)
        return float(self.stationary_distribution @ self._row_entropies()) / math.log(b)

    def excess_entropy(self, base=2) -> float:
        r"""Excess entropy :math:`E = I[X_0; X_1] = H(\pi) - h` of the stationary order-1 chain.

        For an order-1 Markov chain the block entropy is :math:`H(L) = H(\pi) + (L-1) h`, so
        :math:`E = \lim_L [H(L) - L h] = H(\pi) - h` (Crutchfield & Feldman 2003, Chaos 13, 25).
        In units of ``base``.
        """
        b = check_base(base)
        pi = self.stationary_distribution
        nz = pi[pi > 0]
        H = float(-(nz * np.log(nz)).sum())
        return H / math.log(b) - self.entropy_rate(base=b)

    def entropy_production(self, base=2) -> float:
        r"""Schnakenberg entropy production rate of the stationary chain.

        .. math:: \sigma = \sum_{i,j} \pi_i P_{ij} \log\frac{\pi_i P_{ij}}{\pi_j P_{ji}}

        the Kullback-Leibler divergence rate between the stationary chain and its time
        reversal; 0 exactly for reversible chains, ``inf`` when some transition
        :math:`i \to j` has no reverse :math:`j \to i` (Schnakenberg 1976, Rev. Mod. Phys.
        48, 571). In units of ``base`` per step.
        """
        b = check_base(base)
        pi = self.stationary_distribution
        F = sp.csr_matrix(sp.diags(pi) @ self._csr())
        F.eliminate_zeros()
        Ft = sp.csr_matrix(F.T)
        # value of F^T at every stored entry of F
        rows = np.repeat(np.arange(self.n_states), np.diff(F.indptr))
        back = np.asarray(Ft[rows, F.indices]).ravel() if F.nnz else np.zeros(0)
        if np.any(back <= 0):
            return math.inf
        return float(np.sum(F.data * np.log(F.data / back))) / math.log(b)

    # -- simulation contract -----------------------------------------------------------------
    @cached_property
    def _alias(self):
        C = self._csr()
        indptr = C.indptr.astype(np.int64)
        cols = C.indices.astype(np.int64)
        prob = np.empty(C.nnz)
        alias = np.empty(C.nnz, np.int64)
        _mk.build_alias(indptr, C.data.astype(float), prob, alias)
        return indptr, cols, prob, cols[alias]

    def _run_arm(self, init, seed, first_path, arm, steps, out, dt=None):
        indptr, cols, prob, acol = self._alias
        _mk.run_chain(indptr, cols, prob, acol, init, np.uint64(seed), first_path, arm, steps, out)


def _sparse_stationary(P: sp.csr_matrix) -> np.ndarray:
    """Stationary law of a large irreducible sparse chain by sparse LU.

    Fix the last component to 1 and solve the remaining balance equations,
    ``(I - P^T)[:-1, :-1] x = P[-1, :-1]``, which is non-singular for an irreducible chain and
    keeps the sparsity of P (no dense normalisation row, so no fill-in from it); then
    normalise and polish with a few power-iteration steps.
    """
    from scipy.sparse.linalg import spsolve

    n = P.shape[0]
    A = (sp.identity(n, format="csr") - P.T.tocsr())[:-1, :-1]
    b = np.asarray(P[n - 1, :-1].todense()).ravel()
    x = spsolve(A.tocsc(), b)
    pi = np.clip(np.r_[x, 1.0], 0.0, None)
    pi /= pi.sum()
    for _ in range(3):
        pi = P.T @ pi
        pi /= pi.sum()
    return pi
