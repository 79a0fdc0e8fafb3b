r"""Markov chains fitted to observed symbol series: maximum likelihood, any order.

:func:`fit_markov_chain` (also :meth:`MarkovChain.fit <entropy.processes.MarkovChain.fit>`)
turns one series, or several rows of possibly different lengths, of symbols
``0 .. n_symbols - 1`` into a :class:`FittedMarkovChain`: a :class:`MarkovChain` whose exact
entropy rate, excess entropy, entropy production and two-sided profiles
(:func:`entropy.exact.profiles`) are available as for any chain, together with the counts it
was fitted from and standard errors of the fitted quantities (:meth:`FittedMarkovChain.estimates`).

Model and estimator
-------------------
An order-``k`` source emits :math:`X_t` with a law that depends on the ``k`` symbols before
it, :math:`P(X_t = y \mid X_{t-k} \dots X_{t-1} = u)`. Its *lifted* chain runs on words of
``k`` symbols, :math:`Y_t = (X_{t-k+1}, \dots, X_t)`, and is an ordinary first-order chain:
from word :math:`u = (u_1 \dots u_k)` it can only move to the shifted words
:math:`(u_2 \dots u_k\, y)`. For ``k = 1`` the words are the symbols.

Counts :math:`N_{uv}` are the number of windows :math:`(u_1 \dots u_k\, y)` of ``k + 1``
symbols in the data, every window of every row (none straddles two rows). The fitted
transition matrix is

.. math:: \hat P_{uv} = \frac{N_{uv} + \alpha}{N_u + \alpha\, m_u}

over the :math:`m_u` *allowed* successors :math:`v` of :math:`u` (the shifted words that are
states of the chain), with :math:`N_u = \sum_v N_{uv}` and pseudocount :math:`\alpha \ge 0`
(:math:`\alpha = 0`: maximum likelihood, Billingsley 1961; :math:`\alpha = 1/2`:
Krichevsky-Trofimov; :math:`\alpha = 1`: Laplace).

States (``states=``)
    ``"observed"`` (default): the words of ``k`` symbols that occur in the data (every window,
    including the last one of each row), in increasing mixed-radix code
    :math:`\sum_j u_j a^{k-j}`. ``"all"``: all :math:`a^k` words in that order (state ``i`` is
    then the word with code ``i``; for ``k = 1`` state ``i`` is symbol ``i``). With
    :math:`\alpha = 0` unobserved words are never entered, so ``"all"`` gives transient states
    (and no time reversal); use it with :math:`\alpha > 0`.
    ``FittedMarkovChain.words[i]`` is the word of state ``i`` (oldest symbol first), its last
    entry the current symbol :math:`X_t`; :meth:`FittedMarkovChain.state_of` maps a word to its
    state and :meth:`FittedMarkovChain.symbol_probs` maps a law over states (for instance
    ``exact.profiles(fit, ...).probs``) to the law of the current symbol.

Rows without data (``unvisited``)
    A state with :math:`N_u + \alpha m_u = 0` (with :math:`\alpha = 0`: a word that only ends a
    row) gets the uniform law over its allowed successors, an uninformative choice that keeps
    the chain stochastic; their number is ``FittedMarkovChain.n_unvisited`` and no standard
    error accounts for them. A state with no allowed successor at all (a word that ends a row
    and that no observed word continues) is an error: fit with ``states="all"`` and a
    pseudocount, or with a lower order.

What the lifted chain's numbers mean for the symbol process
-----------------------------------------------------------
* ``entropy_rate()`` is the symbol process' entropy rate
  :math:`h = H[X_t \mid X_{t-k} \dots X_{t-1}]` (the word :math:`Y_t` is :math:`Y_{t-1}`
  shifted plus one new symbol), for every order.
* ``excess_entropy()`` is the word chain's :math:`I[Y_{t-1}; Y_t] = H(\pi) - h`; the symbol
  process' excess entropy is :math:`E = H(k) - k h` with :math:`H(k) = H(\pi)` the entropy of
  ``k``-words, i.e. ``excess_entropy() - (k - 1) * entropy_rate()``
  (:meth:`FittedMarkovChain.symbol_excess_entropy`). Equal for ``k = 1``.
* ``entropy_production()`` is the word chain's Schnakenberg production, which compares
  :math:`u \to v` with :math:`v \to u` and is infinite for ``k >= 2`` whenever a shift has no
  reverse shift; the symbol process' production compares a word of ``k + 1`` symbols with the
  reversed word, :math:`\sigma = D_{k+1} - D_k` (exact for an order-``k`` source; see
  :mod:`entropy.estimators.irreversibility`), :meth:`FittedMarkovChain.symbol_entropy_production`.
  Equal for ``k = 1``.
* ``exact.profiles(fit, start, ...)`` gives the two-sided profiles of the word process
  :math:`Y_t`: :math:`H(t) = H[X_{t-k+1} \dots X_t]`, and the rates and :math:`E(t)` of the
  word chain (for ``k = 1``, those of the symbol process).

:meth:`FittedMarkovChain.estimates` returns :class:`~entropy.estimators.Estimate` objects for
the symbol process (:math:`h`, :math:`E`, :math:`\sigma`), whose values are the fitted model's
exact values.

Standard errors
---------------
Given the context counts :math:`N_u`, the rows of the maximum-likelihood matrix are
asymptotically independent multinomial means, :math:`\mathrm{Cov}(\hat P_{u\cdot}) =
(\mathrm{diag}\,p_u - p_u p_u^T)/N_u` (Billingsley 1961, Thm 3.1; Anderson & Goodman 1957).

* ``ci="normal"``: delta method. A smooth function :math:`f(P)` has variance
  :math:`\sum_u N_u^{-1} \mathrm{Var}_{j \sim p_u}(g_{uj})` with :math:`g_{uj} = \partial f /
  \partial P_{uj}`; the derivative of the stationary law along a stochastic perturbation
  :math:`\Delta` (rows summing to 0) is :math:`d\pi = \pi \Delta Z` with the fundamental matrix
  :math:`Z = (I - P + \mathbf 1 \pi)^{-1}` (Kemeny & Snell 1960; Schweitzer 1968). For the
  entropy rate :math:`g_{uj} = \pi_u [(Z H)_j - \log P_{uj}]` with :math:`H_v` the row
  entropies; the gradients of :math:`E` and :math:`\sigma` follow the same way (see the code).
  Normal interval ``value -/+ z * stderr``.
* ``ci="bootstrap"``: parametric row bootstrap. Each replicate draws the counts of every
  visited row from :math:`\mathrm{Multinomial}(N_u, \hat P_{u\cdot})`, refits with the same
  pseudocount and recomputes the quantity; ``stderr`` is the standard deviation of the
  replicates and the interval their percentile interval.

Both work on dense matrices, for chains of up to ``DENSE_MAX = 2000`` states (the exact values
themselves have no such limit).

Both treat the context counts as fixed and the series as long compared with the chain's
mixing time; neither accounts for the choice of order or symbolisation.

References
----------
P. Billingsley, "Statistical methods in Markov chains", *Ann. Math. Statist.* 32, 12 (1961).
T. W. Anderson and L. A. Goodman, "Statistical inference about Markov chains", *Ann. Math.
Statist.* 28, 89 (1957).
J. G. Kemeny and J. L. Snell, *Finite Markov Chains* (1960), ch. 4 (fundamental matrix).
P. J. Schweitzer, "Perturbation theory and finite Markov chains", *J. Appl. Prob.* 5, 401 (1968).
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import scipy.sparse as sp
from scipy.special import ndtri

from .._units import (
    check_base,
    check_confidence,
    check_positive_int,
    check_seed,
    unit_name,
)
from .markov import MarkovChain

__all__ = ["fit_markov_chain", "FittedMarkovChain"]

_STATES = ("observed", "all")
_CI = ("normal", "bootstrap")
#: Largest chain kept as a dense matrix (and largest for the delta method, which needs a dense inverse).
DENSE_MAX = 2000
#: Largest number of candidate transitions (states x symbols) of a fitted chain.
MAX_CANDIDATES = 2**26


# ---------------------------------------------------------------------------------------------
# input
# ---------------------------------------------------------------------------------------------


def _as_symbol_rows(series) -> list[np.ndarray]:
    """One int64 array per row: a 1-D array is one row, a 2-D array or a list gives several."""
    if isinstance(series, np.ndarray) or not isinstance(series, (list, tuple)):
        arr = np.asarray(series)
        if arr.ndim not in (1, 2):
            raise ValueError(f"series: expected a 1-D array, a 2-D array of rows or a list of 1-D arrays, "
                             f"got shape {arr.shape}")
        raw = [arr] if arr.ndim == 1 else list(arr)
        names = ["series"] if arr.ndim == 1 else [f"series[{r}]" for r in range(len(raw))]
    else:
        if len(series) == 0:
            raise ValueError("series: expected at least one row of symbols, got an empty list")
        if all(isinstance(v, (numbers.Integral, np.integer)) for v in series):  # a plain list of symbols
            raw, names = [np.asarray(series)], ["series"]
        else:
            raw = [np.asarray(r) for r in series]
            names = [f"series[{r}]" for r in range(len(raw))]
    rows = []
    for x, name in zip(raw, names):
        if x.ndim != 1:
            raise ValueError(f"{name}: expected a 1-D array of symbols, got shape {x.shape}")
        if x.dtype.kind == "b":
            x = x.astype(np.int64)
        elif x.dtype.kind == "f":
            bad = ~np.isfinite(x) | (x != np.round(x))
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise ValueError(f"{name}[{i}]={x[i].item()!r}: expected non-negative integer symbols")
        elif x.dtype.kind not in "iu":
            raise ValueError(f"{name}: expected non-negative integer symbols, got dtype {x.dtype}")
        if x.size and x.min() < 0:
            i = int(np.flatnonzero(x < 0)[0])
            raise ValueError(f"{name}[{i}]={x[i].item()!r}: expected non-negative integer symbols")
        if x.size and x.max() >= 2**31:
            raise ValueError(f"{name}: symbol {x.max().item()!r} too large, expected symbols below 2**31 "
                             "(relabel them 0 .. n-1)")
        rows.append(x.astype(np.int64))
    if sum(r.size for r in rows) == 0:
        raise ValueError("series: expected symbols, got only empty rows")
    return rows


def _codes(x: np.ndarray, length: int, a: int) -> np.ndarray:
    """Mixed-radix codes of all windows of ``length`` symbols of one row (oldest symbol most significant)."""
    n = x.size - length + 1
    if n <= 0:
        return np.zeros(0, np.int64)
    c = np.zeros(n, np.int64)
    for j in range(length):
        c = c * a + x[j:j + n]
    return c


def _decode(codes: np.ndarray, length: int, a: int) -> np.ndarray:
    out = np.empty((codes.size, length), np.int64)
    c = codes.copy()
    for j in range(length - 1, -1, -1):
        out[:, j] = c % a
        c //= a
    return out


# ---------------------------------------------------------------------------------------------
# the fitted chain
# ---------------------------------------------------------------------------------------------


class FittedMarkovChain(MarkovChain):
    r"""A :class:`MarkovChain` fitted to data, with the counts it came from.

    Made by :func:`fit_markov_chain` / :meth:`MarkovChain.fit`; see :mod:`entropy.processes.fit`
    for the estimator, the states and what the lifted chain's quantities mean for the symbol
    process.

    Attributes
    ----------
    order : int
        Markov order ``k`` of the fitted source (the states are words of ``k`` symbols).
    n_symbols : int
        Alphabet size ``a`` (symbols ``0 .. a - 1``).
    words : ndarray of int, shape (n_states, order)
        The word of every state, oldest symbol first (``words[:, -1]`` is the current symbol).
    counts : ndarray or scipy.sparse.csr_matrix, shape (n_states, n_states)
        Observed transition counts :math:`N_{uv}` (dense when ``P`` is dense).
    context_counts : ndarray of int, shape (n_states,)
        :math:`N_u`, the number of observed transitions out of every state.
    pseudocount : float
    states : {"observed", "all"}
    n_unvisited : int
        States whose row had no data (uniform over their allowed successors).
    """

    def __init__(self, P, *, order, n_symbols, codes, counts, pseudocount, states, allowed, unvisited):
        super().__init__(P)
        self.order = int(order)
        self.n_symbols = int(n_symbols)
        self._codes = codes
        self.words = _decode(codes, self.order, self.n_symbols)
        self.counts = counts
        self.context_counts = np.asarray(counts.sum(axis=1)).ravel().astype(np.int64)
        self.pseudocount = float(pseudocount)
        self.states = states
        self._allowed = allowed  # (rows, cols) of the allowed transitions
        self._unvisited = unvisited
        self.n_unvisited = int(unvisited.sum())

    @property
    def n_transitions(self) -> int:
        """Number of observed transitions (windows of ``order + 1`` symbols)."""
        return int(self.context_counts.sum())

    def __repr__(self):
        return (f"FittedMarkovChain(order {self.order}, {self.n_states} states over {self.n_symbols} symbols, "
                f"{self.n_transitions} transitions, pseudocount={self.pseudocount:g})")

    # -- mapping back to symbols -----------------------------------------------------------
    def state_of(self, word) -> int:
        """State index of a word of ``order`` symbols (oldest first); a symbol for order 1."""
        w = np.atleast_1d(np.asarray(word))
        if w.shape != (self.order,) or w.dtype.kind not in "iu" or w.min() < 0 or w.max() >= self.n_symbols:
            raise ValueError(f"word={word!r}: expected {self.order} symbol(s) in 0..{self.n_symbols - 1}")
        code = 0
        for s in w:
            code = code * self.n_symbols + int(s)
        i = int(np.searchsorted(self._codes, code))
        if i == self._codes.size or self._codes[i] != code:
            raise ValueError(f"word={word!r}: not a state of the fitted chain (never observed; "
                             "fit with states='all' to have every word)")
        return i

    def symbol_probs(self, probs) -> np.ndarray:
        """Law of the current symbol :math:`X_t` from a law over the states (last axis)."""
        p = np.asarray(probs, dtype=float)
        if p.shape[-1] != self.n_states:
            raise ValueError(f"probs: expected a last axis of length {self.n_states} (the states), got shape {p.shape}")
        onehot = np.zeros((self.n_states, self.n_symbols))
        onehot[np.arange(self.n_states), self.words[:, -1]] = 1.0
        return p @ onehot

    @property
    def transition_stderr(self) -> np.ndarray:
        r"""Standard error of every fitted entry, :math:`\sqrt{P_{uv}(1 - P_{uv}) / N_u}` (dense;
        NaN on rows without data)."""
        P = self._P.toarray() if self.is_sparse else self._P
        N = self.context_counts.astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            se = np.sqrt(P * (1.0 - P) / N[:, None])
        se[N == 0] = np.nan
        return se

    # -- quantities of the symbol process -----------------------------------------------------
    def _reversed_states(self, symbol_reversal):
        a, k = self.n_symbols, self.order
        if symbol_reversal is None:
            rho = np.arange(a, dtype=np.int64)
        else:
            rho = np.asarray(symbol_reversal)
            if rho.shape != (a,) or rho.dtype.kind not in "iu" or np.any(rho < 0) or np.any(rho >= a) \
                    or np.any(rho[rho] != np.arange(a)):
                raise ValueError(f"symbol_reversal: expected an involution of 0..{a - 1} "
                                 f"(an integer array of length {a} with rho[rho[s]] == s)")
            rho = rho.astype(np.int64)
        rev_words = rho[self.words[:, ::-1]]
        rcodes = np.zeros(self.n_states, np.int64)
        for j in range(k):
            rcodes = rcodes * a + rev_words[:, j]
        idx = np.searchsorted(self._codes, rcodes)
        idx = np.minimum(idx, self.n_states - 1)
        return np.where(self._codes[idx] == rcodes, idx, -1)

    def symbol_excess_entropy(self, base=2) -> float:
        r"""Excess entropy of the symbol process, :math:`E = H(\pi) - k\,h` (``k`` = order)."""
        b = check_base(base)
        h, E, _ = _quantities(self._P, self.stationary_distribution, self.order, None)
        return E / math.log(b)

    def symbol_entropy_production(self, base=2, *, symbol_reversal=None) -> float:
        r"""Entropy production of the symbol process, :math:`\sigma = D_{k+1} - D_k`.

        :math:`D_L` is the divergence between the laws of words of ``L`` symbols and of the
        reversed words (each symbol mapped by ``symbol_reversal``, default identity); for
        ``k = 1`` and the identity this is :meth:`entropy_production`. ``inf`` when a word of
        positive probability has a reversal of probability 0. Units of ``base`` per step.
        """
        b = check_base(base)
        r = self._reversed_states(symbol_reversal)
        _, _, s = _quantities(self._P, self.stationary_distribution, self.order, r)
        return s / math.log(b)

    # -- standard errors ----------------------------------------------------------------------
    def estimates(self, base=2, *, ci="normal", n_boot=200, seed=0, confidence=0.95,
                  symbol_reversal=None) -> dict:
        r"""The fitted model's exact :math:`h`, :math:`E`, :math:`\sigma` of the symbol process,
        with standard errors.

        Parameters
        ----------
        base : float
            Logarithm base (2: bits).
        ci : {"normal", "bootstrap"}
            Delta method with a normal interval, or parametric row bootstrap with a percentile
            interval (see :mod:`entropy.processes.fit`).
        n_boot : int
            Bootstrap replicates (``ci="bootstrap"``).
        seed : int
            Seed of the bootstrap (``numpy.random.default_rng``).
        confidence : float
            Level of the interval.
        symbol_reversal : array_like of int, optional
            Time reversal of each symbol for :math:`\sigma` (an involution); default identity.

        Returns
        -------
        dict of str -> Estimate
            ``"entropy_rate"`` (:math:`h`, units of ``base`` per step), ``"excess_entropy"``
            (:math:`E = H(\pi) - k h`, units of ``base``), ``"entropy_production"``
            (:math:`\sigma = D_{k+1} - D_k`, units of ``base`` per step). ``extra``: ``order``,
            ``n_transitions``, ``n_unvisited``, and for the bootstrap ``n_boot``, ``seed``,
            ``n_failed`` (replicates without a unique stationary law) and ``n_infinite``.
            A value is the fitted model's exact value; ``stderr`` is NaN where the
            quantity is infinite (delta method).
        """
        from ..estimators._result import Estimate  # results are the estimators' types

        b = check_base(base)
        if not isinstance(ci, str) or ci not in _CI:
            raise ValueError(f"ci={ci!r}: expected 'normal' or 'bootstrap'")
        check_confidence(confidence)
        n_boot = check_positive_int(n_boot, "n_boot", minimum=2)
        seed = check_seed(seed, allow_none=False)
        if self.n_states > DENSE_MAX:
            raise ValueError(f"ci={ci!r}: standard errors are computed on dense matrices, at most {DENSE_MAX} "
                             f"states; this chain has {self.n_states} (fit a lower order)")
        r = self._reversed_states(symbol_reversal)
        P = _dense(self._P)
        pi = self.stationary_distribution
        values = np.array(_quantities(P, pi, self.order, r))
        ln = math.log(b)
        extra = {"order": self.order, "n_transitions": self.n_transitions, "n_unvisited": self.n_unvisited,
                 "ci": ci}
        if ci == "normal":
            se = _delta_stderr(P, pi, self.order, r, self.context_counts)
            z = ndtri(0.5 + confidence / 2.0)
            lo, hi = values - z * se, values + z * se
            method = "markov_fit+delta"
        else:
            reps, n_failed = self._bootstrap(P, r, n_boot, seed)
            finite = np.where(np.isfinite(reps), reps, np.nan)
            se = np.nanstd(finite, axis=0, ddof=1)
            ok = reps[~np.isnan(reps).any(axis=1)]
            q = np.quantile(ok, [(1 - confidence) / 2, (1 + confidence) / 2], axis=0, method="inverted_cdf")
            lo, hi = q[0], q[1]
            method = "markov_fit+row_bootstrap"
            extra.update({"n_boot": n_boot, "seed": seed, "n_failed": int(n_failed),
                          "n_infinite": int(np.isinf(reps[:, 2]).sum())})
        names = ("entropy_rate", "excess_entropy", "entropy_production")
        out = {}
        for i, name in enumerate(names):
            v = values[i] / ln
            s = se[i] / ln if np.isfinite(values[i]) else math.nan
            out[name] = Estimate(quantity=name, value=float(v), stderr=float(s), ci_low=float(lo[i] / ln),
                                 ci_high=float(hi[i] / ln), confidence=float(confidence), unit=unit_name(b),
                                 method=method, extra=dict(extra))
        return out

    def _bootstrap(self, P, r, n_boot, seed):
        """Replicates (n_boot, 3) of (h, E, sigma) in nats under the parametric row bootstrap."""
        rng = np.random.default_rng(seed)
        N = self.context_counts
        rows, cols = self._allowed
        alpha = self.pseudocount
        m = np.bincount(rows, minlength=self.n_states)
        visited = np.flatnonzero(N > 0)
        draws = {u: rng.multinomial(N[u], P[u, cols[rows == u]], size=n_boot) for u in visited}
        reps = np.full((n_boot, 3), np.nan)
        failed = 0
        for bi in range(n_boot):
            Pb = P.copy()
            for u in visited:
                Pb[u, cols[rows == u]] = (draws[u][bi] + alpha) / (N[u] + alpha * m[u])
            try:
                pi = MarkovChain(Pb).stationary_distribution
            except ValueError:
                failed += 1
                continue
            reps[bi] = _quantities(Pb, pi, self.order, r)
        return reps, failed


def _dense(P):
    return P.toarray() if sp.issparse(P) else np.asarray(P)


def _xlogx(p):
    out = np.zeros_like(p, dtype=float)
    nz = p > 0
    out[nz] = p[nz] * np.log(p[nz])
    return out


def _pair_law(P, pi, r):
    """F = diag(pi) P and its value at the reverse pair (r(v), r(u)) of every pair (u, v) (0 where
    r is -1)."""
    F = pi[:, None] * P
    rr = np.where(r >= 0, r, 0)
    Frev = F[rr[None, :], rr[:, None]]  # Frev[u, v] = F[r(v), r(u)]
    Frev = np.where((r[None, :] >= 0) & (r[:, None] >= 0), Frev, 0.0)
    return F, Frev


def _quantities(P, pi, k, r):
    """(h, E, sigma) of the order-k symbol process of the lifted chain (P dense or sparse, pi), in
    nats; sigma is NaN when ``r`` (reversed state of every state, -1 if none) is None. Works on
    the stored transitions only, so a large sparse chain is never made dense."""
    C = sp.csr_matrix(P)
    u = np.repeat(np.arange(C.shape[0]), np.diff(C.indptr))
    v, p = C.indices, C.data
    keep = p > 0
    u, v, p = u[keep], v[keep], p[keep]
    h = float(pi @ np.bincount(u, weights=-p * np.log(p), minlength=C.shape[0]))
    E = float(-_xlogx(pi).sum()) - k * h
    if r is None:
        return h, E, math.nan
    F = pi[u] * p
    pos = F > 0
    u, v, F = u[pos], v[pos], F[pos]
    ru, rv = r[u], r[v]
    if np.any((ru < 0) | (rv < 0)):
        return h, E, math.inf
    # the reverse of the word (u, v) is the pair (r(v), r(u)); its probability pi[r(v)] P[r(v), r(u)]
    back = pi[rv] * (np.asarray(C[rv, ru]).ravel() if F.size else np.zeros(0))
    if np.any(back <= 0):
        return h, E, math.inf
    Dk1 = float(np.sum(F * np.log(F / back)))
    posp = np.flatnonzero(pi > 0)
    rp = np.where(r[posp] >= 0, pi[np.maximum(r[posp], 0)], 0.0)
    if np.any(rp <= 0):
        return h, E, math.inf
    Dk = float(np.sum(pi[posp] * np.log(pi[posp] / rp)))
    return h, E, Dk1 - Dk


def _delta_stderr(P, pi, k, r, N):
    r"""Delta-method standard errors (nats) of (h, E, sigma); see the module notes.

    ``g[u, j]`` is the derivative of the quantity with respect to :math:`P_{uj}` up to a constant
    per row (constants drop out of :math:`\mathrm{Var}_{j \sim p_u} g_{uj}`)."""
    n = P.shape[0]
    Z = np.linalg.inv(np.eye(n) - P + np.outer(np.ones(n), pi))
    pos = P > 0
    logP = np.where(pos, np.log(np.where(pos, P, 1.0)), 0.0)
    H = -_xlogx(P).sum(axis=1)
    g_h = pi[:, None] * ((Z @ H)[None, :] - logP)
    logpi = np.where(pi > 0, np.log(np.where(pi > 0, pi, 1.0)), 0.0)
    g_Hpi = -pi[:, None] * (Z @ logpi)[None, :]
    grads = [g_h, g_Hpi - k * g_h]
    F, Frev = _pair_law(P, pi, r)
    posF = F > 0
    if np.any(posF & (Frev <= 0)):
        grads.append(None)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            c = np.where(posF, np.log(F / Frev) + 1.0 - Frev / F, 0.0)
        s = (P * c).sum(axis=1)
        rp = np.where(r >= 0, pi[np.where(r >= 0, r, 0)], 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.where(pi > 0, np.log(pi / rp) + 1.0 - rp / pi, 0.0)
        grads.append(pi[:, None] * ((Z @ (s - d))[None, :] + c))
    visited = N > 0
    out = []
    for g in grads:
        if g is None:
            out.append(math.nan)
            continue
        g = np.where(pos, g, 0.0)
        mean = (P * g).sum(axis=1)
        var_rows = (P * g**2).sum(axis=1) - mean**2
        out.append(math.sqrt(max(0.0, float(np.sum(np.clip(var_rows[visited], 0.0, None) / N[visited])))))
    return np.array(out)


# ---------------------------------------------------------------------------------------------
# fitting
# ---------------------------------------------------------------------------------------------


def fit_markov_chain(series, order=1, *, pseudocount=0.0, n_states=None, states="observed") -> FittedMarkovChain:
    r"""Fit a Markov chain of any order to symbol series by maximum likelihood.

    Parameters
    ----------
    series : array_like of int, or list of 1-D arrays
        Symbols ``0 .. n_states - 1``: one series (1-D), several rows of equal length (2-D), or a
        list of rows of possibly different lengths. Rows are independent realisations: no
        transition is counted across two rows.
    order : int
        Markov order ``k >= 1``; for ``k >= 2`` the chain runs on words of ``k`` symbols (the
        lifted chain, see :mod:`entropy.processes.fit`).
    pseudocount : float
        :math:`\alpha \ge 0` added to the count of every allowed transition (0: maximum
        likelihood).
    n_states : int, optional
        Number of symbols ``a`` of the source (default: largest symbol + 1); with
        ``states="all"`` the chain has :math:`a^k` states.
    states : {"observed", "all"}
        The words that become states: those seen in the data, or all :math:`a^k`.

    Returns
    -------
    FittedMarkovChain
        A :class:`MarkovChain` (exact ``entropy_rate``, ``excess_entropy``,
        ``entropy_production``, ``exact.profiles``) with the counts, the words of its states
        and :meth:`FittedMarkovChain.estimates` (standard errors).

    Raises
    ------
    ValueError
        Bad symbols, ``order`` < 1, a negative ``pseudocount``, ``n_states`` not above the
        largest symbol, no transition in the data, or a state without any allowed successor.

    References
    ----------
    P. Billingsley, *Ann. Math. Statist.* 32, 12 (1961).

    Examples
    --------
    >>> import numpy as np, entropy
    >>> x = np.array([0, 1, 2, 0, 1, 2, 0, 2, 1, 0, 1, 2, 0])
    >>> fit = entropy.MarkovChain.fit(x)
    >>> fit.counts[0]
    array([0, 3, 1])
    """
    k = check_positive_int(order, "order")
    if isinstance(pseudocount, bool) or not isinstance(pseudocount, numbers.Real) \
            or not math.isfinite(pseudocount) or pseudocount < 0:
        raise ValueError(f"pseudocount={pseudocount!r}: expected a finite number >= 0")
    alpha = float(pseudocount)
    if not isinstance(states, str) or states not in _STATES:
        raise ValueError(f"states={states!r}: expected 'observed' or 'all'")
    rows = _as_symbol_rows(series)
    top = max(int(r.max()) for r in rows if r.size) + 1
    if n_states is None:
        a = top
    else:
        a = check_positive_int(n_states, "n_states")
        if a < top:
            raise ValueError(f"n_states={n_states!r}: the series holds symbol {top - 1}, expected n_states >= {top}")
    if a ** (k + 1) >= 2**62:
        raise ValueError(f"order={order!r}: words of {k + 1} symbols over {a} symbols exceed 64-bit codes")
    pair_codes = np.concatenate([_codes(x, k + 1, a) for x in rows])
    if pair_codes.size == 0:
        longest = max(r.size for r in rows)
        raise ValueError(f"series: no transition to count (order={k} needs rows of at least {k + 1} symbols, "
                         f"the longest has {longest})")
    word_codes = np.unique(np.concatenate([_codes(x, k, a) for x in rows]))
    if states == "all":
        if a**k * a > MAX_CANDIDATES:
            raise ValueError(f"states='all': {a}^{k} words with {a} successors each exceed "
                             f"{MAX_CANDIDATES} transitions; use states='observed'")
        codes = np.arange(a**k, dtype=np.int64)
    else:
        codes = word_codes
    n = codes.size
    if n * a > MAX_CANDIDATES:
        raise ValueError(f"order={order!r}: {n} observed words with {a} successors each exceed "
                         f"{MAX_CANDIDATES} transitions; use a lower order")
    # candidate successors of every state: (u_2 .. u_k y) for every symbol y
    shift = a ** (k - 1)
    succ = ((codes % shift)[:, None] * a + np.arange(a)[None, :]).ravel()
    where = np.minimum(np.searchsorted(codes, succ), n - 1)
    ok = codes[where] == succ
    cand_rows = np.repeat(np.arange(n), a)[ok]
    cand_cols = where[ok]
    m = np.bincount(cand_rows, minlength=n)
    if np.any(m == 0):
        u = int(np.flatnonzero(m == 0)[0])
        word = tuple(int(s) for s in _decode(codes[u:u + 1], k, a)[0])
        raise ValueError(f"series: the word {word} ends a row and no observed word continues it, so the fitted "
                         "chain would have no transition out of it; fit with states='all' and pseudocount > 0, "
                         "a lower order, or more data")
    # observed counts (every observed pair is a candidate: both of its words were seen)
    pu, pc = np.unique(pair_codes, return_counts=True)
    src = np.searchsorted(codes, pu // a)
    dst = np.searchsorted(codes, pu % (a**k))
    counts = sp.csr_matrix((pc, (src, dst)), shape=(n, n), dtype=np.int64)
    N = np.asarray(counts.sum(axis=1)).ravel()
    vals = np.asarray(counts[cand_rows, cand_cols]).ravel().astype(float) + alpha
    total = np.bincount(cand_rows, weights=vals, minlength=n)
    unvisited = total <= 0
    vals = np.where(unvisited[cand_rows], 1.0 / m[cand_rows], vals / np.where(unvisited, 1.0, total)[cand_rows])
    P = sp.csr_matrix((vals, (cand_rows, cand_cols)), shape=(n, n))
    P.eliminate_zeros()
    if n <= DENSE_MAX:
        P = P.toarray()
        counts = counts.toarray()
    del N
    return FittedMarkovChain(P, order=k, n_symbols=a, codes=codes, counts=counts, pseudocount=alpha,
                             states=states, allowed=(cand_rows, cand_cols), unvisited=unvisited)
