r"""Continuous-time Markov jump processes (finite state space).

A jump process is given by its generator :math:`Q` (rate matrix): :math:`Q_{ij} \ge 0` is the
rate of jumps :math:`i \to j` (:math:`i \ne j`) and :math:`Q_{ii} = -q_i = -\sum_{j \ne i} Q_{ij}`.
The law at time t is :math:`p_t = p_0 e^{Qt}`. It is simulated exactly (Gillespie 1977: the
holding time in i is exponential with rate :math:`q_i`, the next state is drawn from the jump
chain :math:`Q_{ij} / q_i`) and recorded on the grid :math:`t = k\,dt`; for generators with even
exit rates by uniformisation instead (Jensen 1953: Poisson(:math:`\lambda`) ticks of the chain
:math:`I + Q/\lambda`, :math:`\lambda = \max_i q_i`), same law, fewer draws.
"""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from .._kernels import jump as _kj
from .._kernels import markov as _mk
from .._units import check_base
from .base import DiscreteProcess
from .markov import MarkovChain

__all__ = ["MarkovJumpProcess", "propagate"]

#: Rows of a generator must sum to 0 within this tolerance, relative to the row's exit rate.
ROW_SUM_RTOL = 1e-10
#: Up to this many states the grid propagator expm(Q dt) is a dense matrix; beyond, scipy's
#: ``expm_multiply`` advances the law of a sparse generator.
DENSE_EXPM_MAX = 2000
#: Below this mean number of jumps per grid interval the kernel fills grid times and jumps in
#: every round (no unpredictable jump-or-record branch); above it, each round does one or the
#: other. Same numbers either way; measured crossover between 1 and 10 jumps per interval.
FINE_GRID_JUMPS = 3.0
#: The kernel uniformises (Poisson(lambda dt) ticks per grid interval, each a step of
#: I + Q/lambda, lambda = max exit rate: one draw per tick) when the mean exit rate over the
#: states is at least this fraction of lambda; below, the self-loops waste more than the
#: Gillespie kernel's second draw per jump costs. Measured: see benchmarks/README.md.
UNIFORMIZE_MIN_RATIO = 0.7
#: Mean of one Poisson count of the uniformised kernel at most this; a grid interval with a
#: larger lambda dt draws its count as a sum of equal Poisson parts (bounded tables).
POISSON_PART_MAX = 64.0
#: The uniformised kernel draws the tick counts of about this many ticks (a segment of grid
#: intervals) at once and buffers the states; larger segments leave fewer unmatched ticks
#: between lanes, smaller ones keep the buffer (16 lanes x ticks x 8 bytes) in cache. Same
#: numbers for any value.
UNIFORMIZED_SEGMENT_TICKS = 4096
#: Finite stand-in for log(Q_ab / Q_ba) = inf (no reverse rate) inside the kernel; mapped back to inf.
_ONE_WAY = 1e300


def _poisson_table(mu: float, parts: int):
    """Inversion table of Poisson(mu / parts): ``(cdf, guide)`` for :func:`entropy._kernels.jump.next_poisson`.

    ``cdf`` runs to ``mu + 12 sqrt(mu) + 40`` (beyond, a mass below 1e-30) and ends at exactly 1.
    """
    from scipy.stats import poisson

    m = mu / parts
    kmax = int(m + 12.0 * math.sqrt(m) + 40.0)
    cdf = np.minimum(poisson.cdf(np.arange(kmax + 1), m), 1.0)
    cdf[-1] = 1.0
    guide = np.searchsorted(cdf, np.arange(2 * (kmax + 1)) / (2 * (kmax + 1)), side="right").astype(np.int64)
    return cdf, guide


def _check_dt(dt) -> float:
    try:
        v = float(dt)
    except (TypeError, ValueError):
        v = math.nan
    if dt is None or isinstance(dt, bool) or not math.isfinite(v) or v <= 0:
        raise ValueError(f"dt={dt!r}: expected a finite time step > 0 (the grid t = k dt on which a "
                         "continuous-time process is recorded)")
    return v


def propagate(M, v, steps: int, dt: float) -> np.ndarray:
    r"""Vectors :math:`v_k = e^{M k\,dt} v`, k = 0..steps, as rows of a (steps + 1, n) array.

    Dense (or up to ``DENSE_EXPM_MAX`` states): powers of :math:`e^{M\,dt}` (scipy's ``expm``,
    Higham 2005). Larger sparse ``M``: ``scipy.sparse.linalg.expm_multiply`` one grid step at
    a time (Al-Mohy & Higham 2011), which never forms the dense exponential.
    """
    v = np.asarray(v, dtype=float)
    out = np.empty((steps + 1, v.shape[0]))
    out[0] = v
    if steps == 0:
        return out
    if sp.issparse(M) and M.shape[0] > DENSE_EXPM_MAX:
        from scipy.sparse.linalg import expm_multiply

        A = sp.csr_matrix(M) * dt
        for k in range(1, steps + 1):
            v = expm_multiply(A, v)
            out[k] = v
        return out
    E = scipy.linalg.expm((M.toarray() if sp.issparse(M) else np.asarray(M)) * dt)
    for k in range(1, steps + 1):
        v = E @ v
        out[k] = v
    return out


class MarkovJumpProcess(DiscreteProcess):
    r"""A finite, time-homogeneous, continuous-time Markov jump process.

    Parameters
    ----------
    Q : array_like or scipy.sparse matrix, shape (n, n)
        Generator: ``Q[i, j]`` (i != j) is the rate of jumps i -> j per unit time, finite and
        >= 0; every row sums to 0 (the diagonal is minus the exit rate) within
        ``ROW_SUM_RTOL = 1e-10`` relative to the row's exit rate. The diagonal is then set to
        minus the sum of the row's off-diagonal rates exactly. Sparse matrices are kept in CSR.

    Notes
    -----
    :func:`entropy.simulate` needs ``dt``: the ensemble is recorded on the grid
    :math:`t = k\,dt` (``times`` are floats), the simulation between grid times is exact
    (every jump happens; see :mod:`entropy._kernels.jump`). The backward arm runs the time
    reversal :math:`\tilde Q_{ij} = \pi_j Q_{ji} / \pi_i`. With ``entropy_production=True``
    ``simulate`` also records the stochastic entropy production
    :math:`\Delta s_{tot} = \Delta s_{sys} + \Delta s_{medium}` of every path (Seifert 2005).

    References
    ----------
    Norris, *Markov Chains* (1997), ch. 2-3. Gillespie, J. Phys. Chem. 81, 2340 (1977).
    Schnakenberg, Rev. Mod. Phys. 48, 571 (1976). Seifert, Phys. Rev. Lett. 95, 040602 (2005).
    """

    continuous_time = True
    time_unit = "time"

    def __init__(self, Q, *, _validated=False):
        if sp.issparse(Q):
            M = sp.csr_matrix(Q, dtype=float, copy=True)
            M.sum_duplicates()
            self._sparse = True
        else:
            M = np.array(Q, dtype=float, copy=True)
            self._sparse = False
        if not _validated:
            self._validate(M)
        R = sp.csr_matrix(M)
        R.setdiag(0.0)
        R.eliminate_zeros()
        R.sort_indices()
        self._R = R  # off-diagonal rates, canonical CSR: the alias tables (hence the draws) follow it
        self._exit = np.asarray(R.sum(axis=1)).ravel()
        self._reverse = None
        self._grid_cache = {}

    def _validate(self, M):
        if M.ndim != 2 or M.shape[0] != M.shape[1] or M.shape[0] == 0:
            raise ValueError(f"Q: expected a non-empty square generator matrix, got shape {M.shape}")
        C = sp.coo_matrix(M)
        bad = ~np.isfinite(C.data)
        if bad.any():
            k = np.flatnonzero(bad)[0]
            raise ValueError(f"Q row {C.row[k]}: entry {float(C.data[k])!r} at column {C.col[k]} is not finite")
        neg = (C.data < 0) & (C.row != C.col)
        if neg.any():
            k = np.flatnonzero(neg)[0]
            raise ValueError(f"Q row {C.row[k]}: rate {float(C.data[k])!r} at column {C.col[k]} is negative "
                             "(off-diagonal rates must be >= 0)")
        off = np.where(C.row != C.col, C.data, 0.0)
        n = M.shape[0]
        exit_ = np.bincount(C.row, weights=off, minlength=n)
        sums = np.bincount(C.row, weights=C.data, minlength=n)
        bad = np.flatnonzero(np.abs(sums) > ROW_SUM_RTOL * np.maximum(exit_, 1e-300))
        if bad.size:
            i = bad[0]
            diag = float(M[i, i])
            raise ValueError(
                f"Q row {i}: sums to {float(sums[i])!r}, expected 0 (diagonal {diag!r} at column {i} should be "
                f"minus the exit rate {float(exit_[i])!r}); {bad.size} row(s) are not generator rows"
            )

    # -- basic properties --------------------------------------------------------------------
    @property
    def n_states(self) -> int:
        return self._R.shape[0]

    @property
    def is_sparse(self) -> bool:
        return self._sparse

    @property
    def Q(self):
        """The generator (a copy; dense or CSR like the input)."""
        G = (self._R - sp.diags(self._exit)).tocsr()
        return G if self._sparse else G.toarray()

    generator = Q

    @property
    def exit_rates(self) -> np.ndarray:
        r"""Exit rates :math:`q_i = -Q_{ii} = \sum_{j \ne i} Q_{ij}` (a copy)."""
        return self._exit.copy()

    def __repr__(self):
        kind = f"sparse, {self._R.nnz} rates" if self._sparse else "dense"
        return f"MarkovJumpProcess({self.n_states} states, {kind})"

    # -- related discrete-time chains ------------------------------------------------------------
    @cached_property
    def _uniformized(self) -> MarkovChain:
        r"""The uniformised chain :math:`I + Q/\lambda`, :math:`\lambda = \max_i q_i` (same stationary law)."""
        lam = float(self._exit.max()) or 1.0
        U = sp.csr_matrix(self._R / lam) + sp.diags(1.0 - self._exit / lam)
        return MarkovChain(U if self._sparse else U.toarray())

    def embedded_chain(self) -> MarkovChain:
        r"""The jump chain :math:`J_{ij} = Q_{ij} / q_i` (:math:`i \ne j`) of the states visited.

        An absorbing state (:math:`q_i = 0`) keeps itself: :math:`J_{ii} = 1`.
        """
        q = self._exit
        absorbing = q <= 0
        J = sp.diags(np.where(absorbing, 0.0, 1.0 / np.where(absorbing, 1.0, q))) @ self._R + sp.diags(
            absorbing.astype(float))
        J = sp.csr_matrix(J)
        return MarkovChain(J if self._sparse else J.toarray())

    def sampled(self, dt) -> MarkovChain:
        r"""The chain :math:`P = e^{Q\,dt}` of the process observed every ``dt``.

        Every discrete-time estimator and exact profile of :class:`MarkovChain` applies to it;
        its step is ``dt`` units of time. Dense ``expm`` (Higham 2005) up to
        ``DENSE_EXPM_MAX`` states, scipy's sparse ``expm`` beyond; rounding below 0 is clipped.
        """
        dt = _check_dt(dt)
        if self._sparse and self.n_states > DENSE_EXPM_MAX:
            from scipy.sparse.linalg import expm as sparse_expm

            P = sp.csr_matrix(sparse_expm(sp.csc_matrix(self.Q * dt)))
            P.data = np.clip(P.data, 0.0, None)
            P.eliminate_zeros()
            P = sp.csr_matrix(sp.diags(1.0 / np.asarray(P.sum(axis=1)).ravel()) @ P)
            return MarkovChain(P)
        Qd = self.Q.toarray() if self._sparse else self.Q
        P = np.clip(scipy.linalg.expm(Qd * dt), 0.0, None)
        P /= P.sum(axis=1, keepdims=True)
        return MarkovChain(sp.csr_matrix(P) if self._sparse else P)

    # -- stationary law, reversal, thermodynamics -------------------------------------------------
    @cached_property
    def stationary_distribution(self) -> np.ndarray:
        r"""The unique stationary law, :math:`\pi Q = 0` (zero on transient states).

        Computed by GTH elimination (or sparse LU) on the uniformised chain
        :math:`I + Q/\lambda`, which has the same stationary law; GTH uses off-diagonal
        entries only, so the exit rates' rounding does not enter. Raises ValueError when there
        are several closed classes.
        """
        try:
            return self._uniformized.stationary_distribution
        except ValueError as exc:
            raise ValueError(str(exc).replace("P: the chain", "Q: the process", 1)) from None

    def reversed(self) -> MarkovJumpProcess:
        r"""The time reversal :math:`\tilde Q_{ij} = \pi_j Q_{ji} / \pi_i` (an involution).

        It is the generator of the stationary process read backwards in time, and runs the
        backward arm of :func:`entropy.simulate`. Raises ValueError when a state has
        stationary probability 0 (a transient state has no past).
        """
        if self._reverse is None:
            pi = self.stationary_distribution
            zero = np.flatnonzero(pi <= 0)
            if zero.size:
                raise ValueError(
                    f"Q: state {zero[0]} has stationary probability 0 (it is transient); the time reversal "
                    "pi_j Q_ji / pi_i needs a stationary law on every state (an irreducible process)"
                )
            Rt = sp.csr_matrix(sp.diags(1.0 / pi) @ self._R.T @ sp.diags(pi))
            rev = MarkovJumpProcess(Rt if self._sparse else Rt.toarray(), _validated=True)
            rev.__dict__["stationary_distribution"] = pi
            rev._reverse = self
            self._reverse = rev
        return self._reverse

    @cached_property
    def _flux_pairs(self):
        """Stationary fluxes F_ij = pi_i Q_ij at every rate of the CSR, and the reverse flux F_ji there."""
        pi = self.stationary_distribution
        R = self._R
        rows = np.repeat(np.arange(self.n_states), np.diff(R.indptr))
        F = pi[rows] * R.data
        back = pi[R.indices] * np.asarray(R[R.indices, rows]).ravel() if R.nnz else np.zeros(0)
        return F, back

    def is_reversible(self, atol: float = 1e-10) -> bool:
        r"""Detailed balance :math:`\pi_i Q_{ij} = \pi_j Q_{ji}` for all i, j, within ``atol``."""
        F, back = self._flux_pairs
        return F.size == 0 or bool(np.max(np.abs(F - back)) <= atol)

    def entropy_production(self, base=2) -> float:
        r"""Schnakenberg's entropy production rate of the stationary process, per unit time.

        .. math:: \sigma = \frac12 \sum_{i,j} (\pi_i Q_{ij} - \pi_j Q_{ji})
                  \log\frac{\pi_i Q_{ij}}{\pi_j Q_{ji}}
                  = \sum_{i \ne j} \pi_i Q_{ij} \log\frac{Q_{ij}}{Q_{ji}}

        (the medium's entropy production; the system's vanishes in the steady state). 0 for
        a process in detailed balance, ``inf`` when some rate :math:`i \to j` has no reverse.
        In units of ``base`` per unit time (Schnakenberg 1976, Rev. Mod. Phys. 48, 571, eq. 7.7).
        """
        b = check_base(base)
        F, back = self._flux_pairs
        if np.any(back <= 0):
            return math.inf
        return float(np.sum(F * np.log(F / back))) / math.log(b)

    # -- exact marginals on the grid --------------------------------------------------------------
    def _grid_marginals(self, p0: np.ndarray, steps: int, dt: float) -> np.ndarray:
        r"""Exact laws :math:`p_{k\,dt} = p_0 e^{Q k\,dt}`, k = 0..steps, shape (steps + 1, n).

        Dense: powers of the propagator :math:`e^{Q\,dt}`. Sparse beyond ``DENSE_EXPM_MAX``
        states: ``scipy.sparse.linalg.expm_multiply`` on :math:`Q^T` (Al-Mohy & Higham 2011).
        Rounding below 0 is clipped and every law renormalised.
        """
        out = propagate(self.Q.T, np.asarray(p0, dtype=float), steps, dt)
        np.clip(out, 0.0, None, out=out)
        out /= out.sum(axis=1, keepdims=True)
        return out

    def _start_law(self, start) -> np.ndarray:
        if isinstance(start, (int, np.integer)):
            p0 = np.zeros(self.n_states)
            p0[int(start)] = 1.0
            return p0
        return np.asarray(start, dtype=float)

    # -- simulation contract ------------------------------------------------------------------
    def _check_dt(self, dt):
        return _check_dt(dt)

    def _check_start(self, start):
        return self._uniformized._check_start(start)

    def _draw_start(self, start, seed, first_path, n):
        return self._uniformized._draw_start(start, seed, first_path, n)

    @cached_property
    def _tables(self):
        """Alias tables of the jump chain over the off-diagonal rates (indptr, cols, prob, alias column), 1/q per
        state, log(Q_ij/Q_ji) per rate and the alias entry of every rate."""
        R = self._R
        indptr = R.indptr.astype(np.int64)
        cols = R.indices.astype(np.int64)
        prob = np.empty(R.nnz)
        alias = np.empty(R.nnz, np.int64)
        _mk.build_alias(indptr, R.data.astype(float), prob, alias)
        with np.errstate(divide="ignore"):
            inv_rate = np.where(self._exit > 0, 1.0 / self._exit, np.inf)
        rows = np.repeat(np.arange(self.n_states), np.diff(R.indptr))
        back = np.asarray(R[R.indices, rows]).ravel() if R.nnz else np.zeros(0)
        with np.errstate(divide="ignore"):
            log_ratio = np.where(back > 0, np.log(R.data / np.where(back > 0, back, 1.0)), np.inf)
        return indptr, cols, prob, cols[alias], inv_rate, log_ratio, alias

    def _fine_grid(self, dt) -> bool:
        """Whether the grid is fine enough (mean exit rate x dt < ``FINE_GRID_JUMPS``) for the kernel's
        fill-then-jump loop; both loops give the same numbers, only the speed differs."""
        return bool(float(dt) * float(self._exit.mean()) < FINE_GRID_JUMPS)

    @cached_property
    def _utables(self):
        """Alias tables of the uniformised chain I + Q/lambda (CSR, diagonal included where positive), log(Q_ij/Q_ji)
        per entry (0 on the diagonal) and the alias entry of every entry."""
        lam = float(self._exit.max())
        R = sp.csr_matrix(self._R)
        U = sp.csr_matrix(R + sp.diags(np.maximum(lam - self._exit, 0.0)))
        U.eliminate_zeros()
        U.sort_indices()
        indptr = U.indptr.astype(np.int64)
        cols = U.indices.astype(np.int64)
        prob = np.empty(U.nnz)
        alias = np.empty(U.nnz, np.int64)
        _mk.build_alias(indptr, U.data.astype(float), prob, alias)
        rows = np.repeat(np.arange(self.n_states), np.diff(U.indptr))
        fwd = np.asarray(R[rows, cols]).ravel()
        back = np.asarray(R[cols, rows]).ravel()
        with np.errstate(divide="ignore"):
            log_ratio = np.where(back > 0, np.log(fwd / np.where(back > 0, back, 1.0)), np.inf)
        log_ratio[rows == cols] = 0.0
        return indptr, cols, prob, cols[alias], log_ratio, alias

    def _uniformize(self) -> bool:
        """Whether the kernel uniformises: mean exit rate >= ``UNIFORMIZE_MIN_RATIO`` x max exit rate (> 0)."""
        lam = float(self._exit.max())
        return lam > 0 and float(self._exit.mean()) >= UNIFORMIZE_MIN_RATIO * lam

    def _run_kernel(self, init, seed, first_path, arm, steps, out, dt, lr_of=None, logp=None, ep=None):
        """Run the uniformised or the Gillespie kernel; ``lr_of(log_ratio)`` (finite, in the unit) turns on the record."""
        record = lr_of is not None
        if self._uniformize():
            indptr, cols, prob, acol, log_ratio, alias = self._utables
            mu = float(self._exit.max()) * float(dt)
            parts = max(1, math.ceil(mu / POISSON_PART_MAX))
            cdf, guide = _poisson_table(mu, parts)
            lr = lr_of(log_ratio) if record else np.zeros(0)
            seg = max(1, min(steps, int(UNIFORMIZED_SEGMENT_TICKS / max(mu, 1.0))))  # speed only: same numbers
            _kj.run_uniformized(indptr, cols, prob, acol, cdf, guide, parts, seg, init, np.uint64(seed), first_path, arm,
                                steps, out, record, lr[alias] if record else lr, lr,
                                logp if record else np.zeros((0, 0)), ep if record else np.zeros((0, 0)))
            return
        indptr, cols, prob, acol, inv_rate, log_ratio, alias = self._tables
        lr = lr_of(log_ratio) if record else np.zeros(0)
        _kj.run_jump(indptr, cols, prob, acol, inv_rate, init, np.uint64(seed), first_path, arm, steps, float(dt), out,
                     record, lr[alias] if record else lr, lr, logp if record else np.zeros((0, 0)),
                     ep if record else np.zeros((0, 0)), self._fine_grid(dt))

    def _run_arm(self, init, seed, first_path, arm, steps, out, dt=None):
        self._run_kernel(init, seed, first_path, arm, steps, out, dt)

    # -- extra per-path records: stochastic entropy production ------------------------------------
    def _record_names(self, entropy_production=False, **requests):
        names = super()._record_names(**requests)
        return names + (("entropy_production",) if entropy_production else ())

    def _run_arm_records(self, init, seed, first_path, arm, steps, out, dt, records, start, base=2):
        r"""As :meth:`_run_arm`, also writing :math:`\Delta s_{tot}(k\,dt)` into ``records["entropy_production"]``.

        :math:`\Delta s_{medium}` sums :math:`\log(Q_{ab}/Q_{ba})` over every jump a -> b up to
        the grid time; :math:`\Delta s_{sys} = \log p_0(x_0) - \log p_t(x_t)` with this arm's
        exact marginals; both divided by ``log(base)``.
        """
        ep = records["entropy_production"]
        ln = math.log(check_base(base))
        key = (start if isinstance(start, int) else np.asarray(start).tobytes(), steps, float(dt))
        logp = self._grid_cache.get(key)
        if logp is None:
            with np.errstate(divide="ignore"):
                logp = np.log(self._grid_marginals(self._start_law(start), steps, float(dt)))
            self._grid_cache.clear()  # one entry: the run in progress
            self._grid_cache[key] = logp
        self._run_kernel(init, seed, first_path, arm, steps, out, dt,
                         lambda lr: np.where(np.isinf(lr), _ONE_WAY, lr / ln),  # the kernel blends: finite stand-ins
                         logp / ln, ep)
        if np.isinf(self._tables[5]).any():
            np.copyto(ep, np.inf, where=ep >= _ONE_WAY / 2)  # a jump without reverse: infinite entropy production
