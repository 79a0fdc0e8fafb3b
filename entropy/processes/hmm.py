r"""Hidden Markov processes, their epsilon-machines, and the barbed arrow of time.

An (edge-emitting, Mealy) hidden Markov model over ``n`` hidden states and ``k`` symbols is
given by its *labelled transition matrices*

.. math:: T^{(x)}_{ij} = \Pr(X_t = x,\ S_{t+1} = j \mid S_t = i),

whose sum :math:`T = \sum_x T^{(x)}` is the stochastic matrix of the hidden chain. The
stationary process has word probabilities :math:`\Pr(w_1 \dots w_L) = \pi T^{(w_1)} \cdots
T^{(w_L)} \mathbf 1`, with :math:`\pi = \pi T` the stationary hidden law.

Conventions
-----------
* The symbol :math:`X_t` is emitted on the transition :math:`S_t \to S_{t+1}`.
* The time-reversed process (the process read backwards) is presented by
  :math:`\tilde T^{(x)} = D^{-1} (T^{(x)})^{\mathsf T} D`, :math:`D = \mathrm{diag}(\pi)`:
  :math:`\tilde T^{(x)}_{ij} = \Pr(X_{t} = x, S_{t} = j \mid S_{t+1} = i)`.
* In :func:`entropy.simulate`, the t0 state of a path is the *edge*
  :math:`(S_{t_0}, X_{t_0}, S_{t_0+1})`: ``start`` fixes (the law of) the hidden state
  :math:`S_{t_0}`, and the recorded observable at :math:`t_0` is :math:`X_{t_0}`, the symbol
  emitted on the transition out of :math:`S_{t_0}`. The forward arm continues from
  :math:`S_{t_0+1}` (emitting :math:`X_{t_0+1}, X_{t_0+2}, \dots`); the backward arm runs the
  reversed presentation from :math:`S_{t_0}` (emitting :math:`X_{t_0-1}, X_{t_0-2}, \dots`).
  Given :math:`S_{t_0}` the past and the future are independent, so both arms sample the
  exact two-sided law of the stationary process when ``start`` is the stationary law.

Exact quantities (all in units of ``base``; bits by default)
------------------------------------------------------------
* entropy rate :math:`h_\mu`, block entropy :math:`H(L)`, excess entropy
  :math:`E = \lim_L [H(L) - L h_\mu]` (Crutchfield & Feldman 2003);
* statistical complexities :math:`C_\mu^\pm = H[\mathcal S^\pm]` of the forward and reverse
  epsilon-machines, crypticities :math:`\chi^\pm = C_\mu^\pm - E`, causal irreversibility
  :math:`\Xi = C_\mu^+ - C_\mu^-`, and :math:`E = I[\mathcal S^+; \mathcal S^-]`
  (Crutchfield, Ellison & Mahoney 2009; Ellison, Mahoney & Crutchfield 2009).

References
----------
J. P. Crutchfield and D. P. Feldman, "Regularities unseen, randomness observed: levels of
entropy convergence", Chaos 13, 25 (2003).
J. P. Crutchfield, C. J. Ellison and J. R. Mahoney, "Time's barbed arrow: irreversibility,
crypticity, and stored information", Phys. Rev. Lett. 103, 094101 (2009).
C. J. Ellison, J. R. Mahoney and J. P. Crutchfield, "Prediction, retrodiction, and the amount
of information stored in the present", J. Stat. Phys. 136, 1005 (2009).
N. F. Travers and J. P. Crutchfield, "Equivalence of history and generator epsilon-machines",
arXiv:1111.4500 (2011) (a finite, irreducible, unifilar presentation with probabilistically
distinct states is the epsilon-machine).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

from .._kernels import hmm as _kh
from .._kernels import markov as _mk
from .._kernels.rng import ARM_FORWARD
from .._units import (
    check_base,
    check_positive_int,
    check_probability_vector,
    check_seed,
)
from .base import DiscreteProcess
from .markov import ROW_SUM_ATOL, MarkovChain

__all__ = [
    "HiddenMarkovModel",
    "biased_coin",
    "golden_mean",
    "even",
    "random_insertion",
    "period",
    "alternating_biased_coin",
    "simple_nonunifilar_source",
    "preset",
    "PRESETS",
]

#: Mixed states (distributions over hidden states) whose entries agree within this absolute
#: tolerance are merged; so are causal states whose symbol probabilities agree within it.
MIXED_STATE_ATOL = 1e-10
#: The mixed-state construction of an epsilon-machine gives up beyond this many mixed states.
MAX_MIXED_STATES = 10_000
#: The mixed-state recursion for H(L) merges mixed states equal within this tolerance (a pure
#: compression: duplicates reached by different words differ by rounding only).
RECURSION_ATOL = 1e-14
#: The mixed-state recursion for H(L) gives up beyond this many distinct mixed states at one depth.
MAX_POPULATION = 2**17
#: Word enumeration gives up beyond this many words of positive probability.
MAX_WORDS = 2**22
#: Largest scratch array (entries, 8 bytes each) of one depth of either recursion; the caps on
#: mixed states and words shrink for large models so that it is never exceeded.
MAX_SCRATCH = 2**25
#: Limits (h from its two-sided bracket, E from E(L)) stop when the bound is below this (nats).
LIMIT_ATOL = 1e-10
#: ... or give up after this many symbols.
MAX_LIMIT_LENGTH = 5_000
#: When the mixed states started from pi do not close exactly, the construction is retried from
#: the mixed state reached after a sampled stationary past of this many symbols (seeded).
TYPICAL_PAST = 20_000
TYPICAL_SEED = 20090828
#: The mixed-state construction is exact when every merge joins mixed states at most this far
#: apart (sup norm), i.e. equal up to rounding; otherwise it refuses (asymptotic synchronisation).
_EXACT_MERGE = 1e-12

_DIRECTIONS = ("forward", "backward")


# ---------------------------------------------------------------------------------------------
# small helpers (nats)
# ---------------------------------------------------------------------------------------------


def _row_entropy(P: np.ndarray) -> np.ndarray:
    """Shannon entropy (nats) of every row of a non-negative array (last axis)."""
    P = np.asarray(P, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(P > 0, -P * np.log(np.where(P > 0, P, 1.0)), 0.0)
    return terms.sum(axis=-1)


def _entropy(p) -> float:
    return float(_row_entropy(np.asarray(p, dtype=float).ravel()))


def _check_direction(direction) -> str:
    """'forward' or 'backward' (the package's words for the two directions of time); the first
    version's 'reverse' still works for one release, with a DeprecationWarning."""
    if direction == "reverse":
        import warnings

        warnings.warn("direction='reverse' is deprecated, use direction='backward' (the old name goes in the next "
                      "release)", DeprecationWarning, stacklevel=3)
        return "backward"
    if direction not in _DIRECTIONS:
        raise ValueError(f"direction={direction!r}: expected 'forward' or 'backward'")
    return direction


def _group_rows(X: np.ndarray, atol: float) -> np.ndarray:
    """Labels ``0..G-1`` of the rows of ``X``, rows within ``atol`` (sup norm) sharing a label.

    Rows are bucketed by rounding to a grid of ``atol``; buckets whose representatives lie
    within ``2 atol`` are then joined (this repairs the rare pair split by a grid boundary).
    """
    X = np.asarray(X, dtype=float)
    if X.shape[0] == 0:
        return np.zeros(0, np.int64)
    Q = np.round(X / atol).astype(np.int64)
    _, first, inv = np.unique(Q, axis=0, return_index=True, return_inverse=True)
    inv = inv.reshape(-1)
    G = first.size
    parent = np.arange(G)
    if 1 < G <= 4096:
        reps = X[first]
        for g in range(G - 1):
            close = np.flatnonzero(np.max(np.abs(reps[g + 1:] - reps[g]), axis=1) <= 2 * atol) + g + 1
            for h in close:
                a, b = g, int(h)
                while parent[a] != a:
                    a = parent[a]
                while parent[b] != b:
                    b = parent[b]
                if a != b:
                    parent[max(a, b)] = min(a, b)
        for g in range(G):
            r = g
            while parent[r] != r:
                r = parent[r]
            parent[g] = r
    _, labels = np.unique(parent[inv], return_inverse=True)
    return labels.reshape(-1).astype(np.int64)


# ---------------------------------------------------------------------------------------------
# epsilon-machines
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Machine:
    """A minimal recurrent unifilar machine: causal states ``0..m-1`` over ``k`` symbols.

    ``prob[c, x]`` = Pr(x | c); ``succ[c, x]`` = successor (-1 where prob is 0);
    ``pi[c]`` stationary law; ``joint[c, s]`` = Pr(causal state c, hidden state s) in the
    stationary process, with the hidden state of the presentation it was built from.
    """

    prob: np.ndarray
    succ: np.ndarray
    pi: np.ndarray
    joint: np.ndarray
    n_mixed: int

    def labelled(self) -> np.ndarray:
        m, k = self.prob.shape
        T = np.zeros((k, m, m))
        c, x = np.nonzero(self.succ >= 0)
        T[x, c, self.succ[c, x]] = self.prob[c, x]
        return T


def _minimal_recurrent_machine(prob, succ, etas, *, atol=MIXED_STATE_ATOL):
    """Epsilon-machine of a process given by a (finite) unifilar presentation.

    ``prob[i, x]`` = Pr(x | state i), ``succ[i, x]`` its unique successor (-1 if none),
    ``etas[i]`` = the distribution over the original hidden states that state ``i`` stands
    for. Keeps the single closed class, takes its stationary law (GTH), and merges
    probabilistically equivalent states by partition refinement (Moore's algorithm with
    symbol probabilities compared within ``atol``).
    """
    m, k = prob.shape
    rows, xs = np.nonzero(succ >= 0)
    G = sp.csr_matrix((prob[rows, xs], (rows, succ[rows, xs])), shape=(m, m))
    n_comp, labels = csgraph.connected_components(G, directed=True, connection="strong")
    leaves = labels[rows] != labels[succ[rows, xs]]
    open_ = np.zeros(n_comp, bool)
    open_[labels[rows[leaves]]] = True
    closed = [c for c in range(n_comp) if not open_[c]]
    if len(closed) != 1:
        raise ValueError(
            f"the unifilar presentation has {len(closed)} closed classes; the process is not ergodic "
            "(or mixed states were merged too coarsely)"
        )
    R = np.flatnonzero(labels == closed[0])
    pos = -np.ones(m, np.int64)
    pos[R] = np.arange(R.size)
    pR = prob[R]
    pR = pR / pR.sum(axis=1, keepdims=True)
    sR = np.where(succ[R] >= 0, pos[np.maximum(succ[R], 0)], -1)
    rr, xx = np.nonzero(sR >= 0)
    M = sp.csr_matrix((pR[rr, xx], (rr, sR[rr, xx])), shape=(R.size, R.size))
    M.sum_duplicates()
    mu = MarkovChain(M, _validated=True).stationary_distribution
    # partition refinement
    lab = _group_rows(pR, atol)
    while True:
        sig = np.column_stack([lab, np.where(sR >= 0, lab[np.maximum(sR, 0)], -1)])
        _, first, new = np.unique(sig, axis=0, return_index=True, return_inverse=True)
        new = new.reshape(-1)
        if first.size == np.unique(lab).size:
            break
        lab = new
    # relabel classes in order of first appearance
    _, first_idx = np.unique(lab, return_index=True)
    order = np.argsort(first_idx)
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    lab = rank[lab]
    C = order.size
    pi = np.bincount(lab, weights=mu, minlength=C)
    joint = np.zeros((C, etas.shape[1]))
    np.add.at(joint, lab, mu[:, None] * etas[R])
    rep = np.sort(first_idx)  # representative (first member) of every class, in class order
    p_c = np.zeros((C, k))
    np.add.at(p_c, lab, mu[:, None] * pR)
    p_c /= np.where(pi > 0, pi, 1.0)[:, None]
    s_c = np.where(sR[rep] >= 0, lab[np.maximum(sR[rep], 0)], -1)
    p_c = np.where(s_c >= 0, p_c, 0.0)
    p_c /= p_c.sum(axis=1, keepdims=True)
    return _Machine(prob=p_c, succ=s_c, pi=pi, joint=joint, n_mixed=m)


def _mixed_state_presentation(T, start, atol=MIXED_STATE_ATOL, max_states=MAX_MIXED_STATES):
    r"""Mixed-state presentation of the process of ``T`` started from the hidden law ``start``.

    Breadth-first: :math:`\eta' = \eta T^{(x)} / \eta T^{(x)} \mathbf 1` for every symbol of
    positive probability; mixed states equal within ``atol`` (grid rounding) are one state.
    Returns ``(prob, succ, etas, max_merge)``. Raises ValueError beyond ``max_states``.
    """
    k, n, _ = T.shape
    etas = [np.asarray(start, dtype=float)]
    keys = {np.round(etas[0] / atol).astype(np.int64).tobytes(): 0}
    prob_rows, succ_rows = {}, {}
    frontier = [0]
    max_merge = 0.0
    while frontier:
        E = np.array([etas[i] for i in frontier])
        V = np.einsum("fi,xij->fxj", E, T)
        P = V.sum(axis=2)
        nxt = []
        for f, i in enumerate(frontier):
            srow = -np.ones(k, np.int64)
            for x in range(k):
                px = P[f, x]
                if px <= 0.0:
                    continue
                eta = V[f, x] / px
                kb = np.round(eta / atol).astype(np.int64).tobytes()
                j = keys.get(kb)
                if j is None:
                    j = len(etas)
                    if j >= max_states:
                        raise ValueError(
                            f"the mixed-state construction did not close within {max_states} mixed states "
                            f"(tolerance {atol:g}); the epsilon-machine of this process is probably infinite "
                            "(e.g. the simple nonunifilar source) or very large"
                        )
                    keys[kb] = j
                    etas.append(eta)
                    nxt.append(j)
                else:
                    max_merge = max(max_merge, float(np.max(np.abs(eta - etas[j]))))
                srow[x] = j
            prob_rows[i] = np.where(srow >= 0, P[f], 0.0)
            succ_rows[i] = srow
        frontier = nxt
    m = len(etas)
    prob = np.array([prob_rows[i] for i in range(m)])
    succ = np.array([succ_rows[i] for i in range(m)])
    return prob, succ, np.array(etas), max_merge


# ---------------------------------------------------------------------------------------------
# block entropies: mixed-state recursion and word enumeration
# ---------------------------------------------------------------------------------------------


def _population_step(T, etas, mass, atol=RECURSION_ATOL, max_pop=MAX_POPULATION):
    r"""One depth of the mixed-state recursion.

    For a population of mixed states :math:`\eta` with masses :math:`\mu(\eta)`, returns
    :math:`\sum_\eta \mu(\eta) H[X \mid \eta]` (nats) and the population one symbol later
    (masses :math:`\mu(\eta)\Pr(x \mid \eta)` at :math:`\eta T^{(x)} / \Pr(x \mid \eta)`,
    equal mixed states merged).
    """
    k, n, _ = T.shape
    max_pop = min(max_pop, MAX_SCRATCH // (k * n))
    if etas.shape[0] > max_pop:
        raise ValueError(
            f"the mixed-state recursion has {etas.shape[0]} distinct mixed states at one depth, more than "
            f"{max_pop}; the process needs longer words than this method can afford"
        )
    V = np.einsum("mi,xij->mxj", etas, T)
    P = V.sum(axis=2)
    h = float(mass @ _row_entropy(P / P.sum(axis=1, keepdims=True)))
    keep = P > 0
    new = V[keep] / P[keep][:, None]
    w = (mass[:, None] * P)[keep]
    Q = np.round(new / atol).astype(np.int64)
    _, first, inv = np.unique(Q, axis=0, return_index=True, return_inverse=True)
    return h, new[first], np.bincount(inv.reshape(-1), weights=w, minlength=first.size)


def _conditional_entropies(T, etas, mass, length):
    """``h[l] = sum_eta mu_l(eta) H[X | eta]`` for depths ``l = 0 .. length - 1`` (nats)."""
    out = np.empty(length)
    for l in range(length):
        out[l], etas, mass = _population_step(T, etas, mass)
    return out


def _block_entropies_words(T, pi, length, max_words=MAX_WORDS):
    r"""``H(1..length)`` (nats) by enumerating the words of positive probability.

    :math:`\Pr(w) = \pi T^{(w_1)} \cdots T^{(w_L)} \mathbf 1`; words of probability 0 are
    pruned as soon as they appear, so only the support of the process is visited.
    """
    k, n, _ = T.shape
    max_words = min(max_words, MAX_SCRATCH // (k * n))
    vecs = np.asarray(pi, dtype=float)[None, :]
    H = np.empty(length)
    for l in range(length):
        if vecs.shape[0] > max_words:
            raise ValueError(
                f"length={length}: more than {max_words} words of length {l} have positive probability; "
                "use method='mixed_states'"
            )
        V = np.einsum("wi,xij->wxj", vecs, T).reshape(-1, n)
        p = V.sum(axis=1)
        keep = p > 0
        vecs = V[keep]
        H[l] = _entropy(p[keep])
    return H


# ---------------------------------------------------------------------------------------------
# the model
# ---------------------------------------------------------------------------------------------


def _names(names, count, what):
    if names is None:
        return tuple(range(count))
    names = tuple(names)
    if len(names) != count:
        raise ValueError(f"{what}: expected {count} names, got {len(names)}")
    if len(set(names)) != count:
        raise ValueError(f"{what}: names must be distinct, got {names!r}")
    return names


class HiddenMarkovModel(DiscreteProcess):
    r"""A stationary hidden Markov process presented by labelled transition matrices.

    Parameters
    ----------
    labelled : array_like, shape (n_symbols, n_hidden, n_hidden), or mapping
        ``labelled[x][i][j]`` :math:`= T^{(x)}_{ij} = \Pr(\text{emit } x, \text{go to } j
        \mid \text{hidden state } i)`; a mapping ``{symbol: matrix}`` names the symbols by
        its keys (in its order). Entries must be finite and non-negative and every row
        of :math:`T = \sum_x T^{(x)}` must sum to 1 within ``ROW_SUM_ATOL = 1e-10`` (rows are
        then renormalised). The hidden chain :math:`T` must have a unique stationary law.
    symbols : sequence, optional
        Names of the symbols (default ``0 .. n_symbols - 1``). Simulations record symbol
        *indices*; ``symbols[x]`` names index ``x``.
    hidden_states : sequence, optional
        Names of the hidden states (default ``0 .. n_hidden - 1``).
    name : str, optional
        A label for ``repr``.

    Notes
    -----
    The recorded observable of :func:`entropy.simulate` is the emitted symbol, so
    ``n_states`` is the alphabet size; ``start`` specifies the hidden state at t0 (an index,
    a probability vector over hidden states, or ``None`` / ``"stationary"``). See the module
    docstring for the convention at t0 and for the reversed presentation.

    References
    ----------
    Crutchfield & Feldman, Chaos 13, 25 (2003); Crutchfield, Ellison & Mahoney, PRL 103,
    094101 (2009); Ellison, Mahoney & Crutchfield, J. Stat. Phys. 136, 1005 (2009).
    """

    def __init__(self, labelled, *, symbols=None, hidden_states=None, name=None, _flip=False):
        if isinstance(labelled, Mapping):
            if symbols is not None:
                raise ValueError("symbols: leave it unset when labelled is a mapping {symbol: matrix}")
            symbols, labelled = list(labelled.keys()), list(labelled.values())
        try:
            T = np.array(labelled, dtype=float, copy=True)
        except (TypeError, ValueError):
            raise ValueError(
                f"labelled: expected an array of shape (n_symbols, n_hidden, n_hidden), got {labelled!r}"
            ) from None
        if T.ndim != 3 or T.shape[1] != T.shape[2] or T.shape[0] == 0 or T.shape[1] == 0:
            raise ValueError(
                f"labelled: expected an array of shape (n_symbols, n_hidden, n_hidden), got shape {T.shape}"
            )
        self._symbols = _names(symbols, T.shape[0], "symbols")
        self._hidden = _names(hidden_states, T.shape[1], "hidden_states")
        self._T = self._validate(T)
        self.name = name
        self._flip = bool(_flip)
        self._reverse = None

    def _validate(self, T):
        bad = np.argwhere(~np.isfinite(T))
        if bad.size:
            x, i, j = bad[0]
            raise ValueError(
                f"labelled[{x}] (symbol {self._symbols[x]!r}) row {i}: entry {float(T[x, i, j])!r} at column {j} is not finite"
            )
        bad = np.argwhere(T < 0)
        if bad.size:
            x, i, j = bad[0]
            raise ValueError(
                f"labelled[{x}] (symbol {self._symbols[x]!r}) row {i}: entry {float(T[x, i, j])!r} at column {j} is negative"
            )
        sums = T.sum(axis=(0, 2))
        bad = np.flatnonzero(np.abs(sums - 1.0) > ROW_SUM_ATOL)
        if bad.size:
            i = bad[0]
            raise ValueError(
                f"labelled: row {i} of T = sum_x T^(x) sums to {float(sums[i])!r}, expected 1 (tolerance "
                f"{ROW_SUM_ATOL:g}); {bad.size} row(s) are not stochastic"
            )
        return T / sums[None, :, None]

    @classmethod
    def from_markov_chain(cls, chain) -> "HiddenMarkovModel":
        r"""The Markov chain as a (unifilar) HMM that emits the state it moves to.

        :math:`T^{(x)}_{ij} = P_{ij} \delta_{jx}`: the symbol sequence is the chain itself.
        ``chain`` is a :class:`entropy.MarkovChain` or a transition matrix (dense).
        """
        P = chain.P if isinstance(chain, MarkovChain) else chain
        P = MarkovChain(P).P  # validates
        P = P.toarray() if sp.issparse(P) else np.asarray(P)
        n = P.shape[0]
        T = np.zeros((n, n, n))
        j = np.arange(n)
        T[j, :, j] = P.T
        return cls(T, name="Markov chain")

    # -- basic properties -------------------------------------------------------------------
    @property
    def n_states(self) -> int:
        """Number of values of the recorded observable: the alphabet size."""
        return self._T.shape[0]

    @property
    def n_symbols(self) -> int:
        return self._T.shape[0]

    @property
    def n_hidden(self) -> int:
        return self._T.shape[1]

    @property
    def symbols(self) -> tuple:
        return self._symbols

    @property
    def hidden_states(self) -> tuple:
        return self._hidden

    @property
    def labelled(self) -> np.ndarray:
        """The labelled matrices ``T[x, i, j]`` (a copy)."""
        return self._T.copy()

    @property
    def transition_matrix(self) -> np.ndarray:
        """The hidden chain :math:`T = \\sum_x T^{(x)}` (a copy)."""
        return self._T.sum(axis=0)

    def __repr__(self):
        label = f"{self.name!r}, " if self.name else ""
        return f"HiddenMarkovModel({label}{self.n_symbols} symbols, {self.n_hidden} hidden states)"

    @cached_property
    def hidden_chain(self) -> MarkovChain:
        """The hidden-state chain as a :class:`entropy.MarkovChain`."""
        return MarkovChain(self._T.sum(axis=0), _validated=True)

    @property
    def stationary_distribution(self) -> np.ndarray:
        r"""Stationary law :math:`\pi = \pi T` of the hidden states (GTH elimination)."""
        try:
            return self.hidden_chain.stationary_distribution
        except ValueError as err:
            raise ValueError(f"labelled: the hidden chain T = sum_x T^(x): {str(err).removeprefix('P: ')}") from None

    @property
    def symbol_distribution(self) -> np.ndarray:
        r"""Stationary law of one symbol, :math:`\Pr(X_t = x) = \pi T^{(x)} \mathbf 1`."""
        return np.einsum("i,xij->x", self.stationary_distribution, self._T)

    @cached_property
    def is_unifilar(self) -> bool:
        """True when every hidden state has at most one successor per symbol (a deterministic presentation)."""
        return bool(np.all(np.count_nonzero(self._T > 0, axis=2) <= 1))

    def word_probability(self, word) -> float:
        r"""Stationary probability :math:`\pi T^{(w_1)} \cdots T^{(w_L)} \mathbf 1` of a word of symbol indices."""
        v = self.stationary_distribution
        for x in np.asarray(word, dtype=np.int64).ravel():
            if not 0 <= x < self.n_symbols:
                raise ValueError(f"word: symbol index {x} is not in 0..{self.n_symbols - 1}")
            v = v @ self._T[x]
        return float(v.sum())

    def symbol_marginals(self, start=None, *, forward=0, backward=0) -> np.ndarray:
        r"""Exact law of the recorded symbol at every time of a two-sided ensemble.

        Row ``i`` is :math:`\Pr(X_t = \cdot)` at ``t = i - backward`` (the times of
        :func:`entropy.simulate` with the same ``start``, ``forward``, ``backward``). With
        :math:`p_0` the law of the t0 hidden state: :math:`\Pr(X_t = x) = p_0 T^t T^{(x)}
        \mathbf 1` for :math:`t \ge 0` and :math:`p_0 \tilde T^{|t|-1} \tilde T^{(x)}
        \mathbf 1` for :math:`t < 0` (the reversed presentation). Ground truth for the
        time-resolved estimators, e.g. :math:`H(t) = H[X_t]`.
        """
        p0 = self._check_start(start)
        forward = check_positive_int(forward, "forward", minimum=0)
        backward = check_positive_int(backward, "backward", minimum=0)
        if isinstance(p0, int):
            p0 = np.eye(self.n_hidden)[p0]
        out = np.empty((backward + forward + 1, self.n_symbols))
        emit = self._T.sum(axis=2).T  # (n, k): Pr(x | hidden state)
        p = p0.copy()
        for t in range(forward + 1):
            out[backward + t] = p @ emit
            p = p @ self._T.sum(axis=0)
        if backward:
            R = self.reversed()._T
            emit_r, step_r = R.sum(axis=2).T, R.sum(axis=0)
            p = p0.copy()
            for k in range(1, backward + 1):
                out[backward - k] = p @ emit_r
                p = p @ step_r
        return out

    # -- time reversal ------------------------------------------------------------------------
    def reversed(self) -> "HiddenMarkovModel":
        r"""The presentation of the time-reversed process, :math:`\tilde T^{(x)} = D^{-1} (T^{(x)})^{\mathsf T} D`.

        :math:`D = \mathrm{diag}(\pi)`. The hidden states keep their indices (the reversed
        presentation runs the same hidden chain backwards), so it drives the backward arm of
        :func:`entropy.simulate` from the t0 hidden state. ``hmm.reversed().reversed()`` is
        ``hmm``. Raises ValueError when a hidden state is transient (stationary probability 0).
        """
        if self._reverse is None:
            pi = self.stationary_distribution
            zero = np.flatnonzero(pi <= 0)
            if zero.size:
                raise ValueError(
                    f"labelled: hidden state {zero[0]} has stationary probability 0 (it is transient); the "
                    "reversed presentation D^-1 (T^(x))^T D needs a stationary law on every hidden state"
                )
            R = np.transpose(self._T, (0, 2, 1)) * pi[None, None, :] / pi[None, :, None]
            R /= R.sum(axis=(0, 2))[None, :, None]
            rev = HiddenMarkovModel.__new__(HiddenMarkovModel)
            rev._symbols, rev._hidden, rev._T = self._symbols, self._hidden, R
            rev.name = f"{self.name} (reversed)" if self.name else None
            rev._flip = not self._flip
            rev.__dict__["hidden_chain"] = MarkovChain(R.sum(axis=0), _validated=True)
            rev.hidden_chain.__dict__["stationary_distribution"] = pi
            rev._reverse = self
            self._reverse = rev
        return self._reverse

    # -- epsilon-machines -----------------------------------------------------------------------
    @cached_property
    def _forward_machine(self):
        """The forward epsilon-machine, or the ValueError explaining why it cannot be built (cached)."""
        T = self._T
        try:
            pi = self.stationary_distribution
            if self.is_unifilar:
                prob = T.sum(axis=2).T.copy()  # (n, k)
                succ = np.where(np.any(T > 0, axis=2).T, np.argmax(T > 0, axis=2).T, -1)
                return _minimal_recurrent_machine(prob, succ, np.eye(self.n_hidden))
        except ValueError as err:
            return err
        first = None
        # 1. from pi: closes exactly when the process synchronises exactly
        # 2. from the mixed state at the end of a long typical past, which already sits on a
        #    recurrent causal state (to rounding) when synchronisation is only asymptotic
        for start in (pi, None):
            try:
                if start is None:
                    start = self._typical_mixed_state()
                prob, succ, etas, max_merge = _mixed_state_presentation(T, start)
                if max_merge <= _EXACT_MERGE:
                    return _minimal_recurrent_machine(prob, succ, etas)
                err = ValueError(
                    "the mixed states of this nonunifilar presentation converge to the causal states only "
                    f"asymptotically (mixed states {max_merge:.1e} apart had to be merged), so the "
                    "mixed-state construction cannot give the epsilon-machine exactly"
                )
            except ValueError as e:
                err = e
            first = err if first is None else first
        return first

    def _typical_mixed_state(self, length=TYPICAL_PAST):
        r"""Mixed state :math:`\Pr(S_0 \mid x_{-L} \dots x_{-1})` after a sampled stationary past of ``length`` symbols.

        The past is drawn with a fixed seed, so the result is deterministic.
        """
        T = self._T
        eta = self.stationary_distribution.copy()
        for x in self.sample(length, seed=TYPICAL_SEED)[0]:
            v = eta @ T[x]
            eta = v / v.sum()
        return eta

    def _machine(self, direction) -> _Machine:
        direction = _check_direction(direction)
        m = self._forward_machine if direction == "forward" else self.reversed()._forward_machine
        if isinstance(m, ValueError):
            raise ValueError(f"{direction} epsilon-machine: {m}")
        return m

    def epsilon_machine(self, direction="forward") -> "HiddenMarkovModel":
        r"""The (recurrent) epsilon-machine of the process or, with ``direction="backward"``, of its reversal.

        For a unifilar presentation it is its minimisation (merging probabilistically
        equivalent recurrent states by partition refinement); otherwise it is the recurrent
        part of the mixed-state presentation started from :math:`\pi`
        (:math:`\eta' = \eta T^{(x)} / |\eta T^{(x)}|`, mixed states equal up to rounding
        merged), minimised likewise. When that does not close exactly (mixed states that
        converge to the causal states only asymptotically), it is repeated from the mixed
        state reached after a sampled stationary past of ``TYPICAL_PAST`` symbols (fixed
        seed), which sits on a recurrent causal state to rounding. Raises ValueError when
        neither closes within ``MAX_MIXED_STATES`` mixed states (an infinite
        epsilon-machine, e.g. the simple nonunifilar source) or closes only by merging mixed
        states that differ by more than rounding (``1e-12``): the result would not be exact.
        Ellison, Mahoney & Crutchfield (2009), sec. 4.
        """
        m = self._machine(direction)
        return HiddenMarkovModel(m.labelled(), symbols=self._symbols,
                                 name=f"{direction} epsilon-machine" + (f" of {self.name}" if self.name else ""))

    def causal_state_distribution(self, direction="forward") -> np.ndarray:
        """Stationary law of the causal states of the forward (or reverse) epsilon-machine."""
        return self._machine(direction).pi.copy()

    # -- exact information quantities -------------------------------------------------------------
    def _entropy_rate_nats(self) -> float:
        return self._rate[0]

    @cached_property
    def _rate(self):
        """(h in nats, error bound in nats): exact from a unifilar presentation or the
        epsilon-machine when there is one, else the midpoint of the two-sided bracket."""
        if self.is_unifilar:
            pi = self.stationary_distribution
            return float(pi @ _row_entropy(self._T.transpose(1, 0, 2).reshape(self.n_hidden, -1))), 0.0
        m = self._forward_machine
        if not isinstance(m, ValueError):
            return float(m.pi @ _row_entropy(m.prob)), 0.0
        return self._rate_bracket

    @cached_property
    def _rate_bracket(self):
        r"""(h, bound) in nats from :math:`H[X_L | X_{<L}, S_0] \le h \le H[X_L | X_{<L}]`."""
        pi = self.stationary_distribution
        up = (pi[None, :], np.ones(1))
        supp = np.flatnonzero(pi > 0)
        lo = (np.eye(self.n_hidden)[supp], pi[supp])
        for _ in range(MAX_LIMIT_LENGTH):
            h_up, *up = _population_step(self._T, *up)
            h_lo, *lo = _population_step(self._T, *lo)
            if h_up - h_lo <= 2 * LIMIT_ATOL:
                return 0.5 * (h_up + h_lo), 0.5 * (h_up - h_lo)
        raise ValueError(
            f"entropy_rate: the bounds H[X_L|X_<L,S_0] <= h <= H[X_L|X_<L] did not meet within "
            f"{2 * LIMIT_ATOL:g} nats by L = {MAX_LIMIT_LENGTH}"
        )

    def entropy_rate(self, base=2) -> float:
        r"""Entropy rate :math:`h_\mu = \lim_{L\to\infty} H[X_L \mid X_0 \dots X_{L-1}]`.

        For a unifilar presentation, exactly :math:`h_\mu = \sum_i \pi_i H[X, S' \mid S = i]`
        (the state sequence is a function of the initial state and the symbols); likewise
        from the epsilon-machine when the presentation is not unifilar but the machine can be
        built (see :meth:`epsilon_machine`). Otherwise from the two-sided bound :math:`H[X_L \mid X_{<L}, S_0] \le h_\mu \le H[X_L \mid
        X_{<L}]` (Cover & Thomas 2006, Thm 4.5.1), both terms computed by the mixed-state
        recursion and iterated until they agree within ``2 * LIMIT_ATOL`` nats (the midpoint
        is returned; ValueError if that takes more than ``MAX_LIMIT_LENGTH`` symbols).
        In units of ``base`` per symbol.
        """
        b = check_base(base)
        return self._entropy_rate_nats() / math.log(b)

    def block_entropy(self, length, base=2, method="mixed_states") -> float:
        r"""Block entropy :math:`H(L) = -\sum_{|w| = L} \Pr(w) \log \Pr(w)` of the stationary process.

        ``method="mixed_states"``: the chain rule :math:`H(L) = \sum_{l<L} \sum_\eta
        \mu_l(\eta) H[X \mid \eta]` over the distribution :math:`\mu_l` of the mixed states
        reached after ``l`` symbols from :math:`\pi` (equal mixed states merged; cost grows
        with the number of distinct mixed states, not with the number of words).
        ``method="words"``: enumerate the words of positive probability (pruning a word as
        soon as its probability is 0); exact but :math:`O(\text{words})`.
        ``H(0) = 0``. In units of ``base``. Crutchfield & Feldman (2003), eq. (5).
        """
        return float(self.block_entropies(length, base=base, method=method)[-1])

    def block_entropies(self, max_length, base=2, method="mixed_states") -> np.ndarray:
        """``H(L)`` for ``L = 0 .. max_length`` (an array of ``max_length + 1`` values; see :meth:`block_entropy`)."""
        L = check_positive_int(max_length, "length", minimum=0)
        b = check_base(base)
        if method not in ("mixed_states", "words"):
            raise ValueError(f"method={method!r}: expected 'mixed_states' or 'words'")
        pi = self.stationary_distribution
        out = np.zeros(L + 1)
        if L == 0:
            return out
        if method == "words":
            out[1:] = _block_entropies_words(self._T, pi, L)
        else:
            out[1:] = np.cumsum(_conditional_entropies(self._T, pi[None, :], np.ones(1), L))
        return out / math.log(b)

    def excess_entropy_curve(self, max_length, base=2) -> np.ndarray:
        r"""``E(L) = H(L) - L h_mu`` for ``L = 0 .. max_length``, with the exact entropy rate ``h_mu``:
        increases to :math:`E` (Crutchfield & Feldman 2003, eq. 13).

        Not the data estimator :attr:`entropy.estimators.BlockEntropyCurve.excess_entropy_intercept`,
        :math:`H(L) - L\,h(L)` with the finite-history rate :math:`h(L) = H(L) - H(L-1)`.
        """
        H = self.block_entropies(max_length, base=base)
        return H - np.arange(H.size) * self.entropy_rate(base=base)

    def excess_entropy(self, base=2, method="auto") -> float:
        r"""Excess entropy :math:`E = I[\overleftarrow X; \overrightarrow X] = \lim_L [H(L) - L h_\mu]`.

        ``method="bidirectional"``: :math:`E = I[\mathcal S^+; \mathcal S^-] = C_\mu^+ +
        C_\mu^- - H[\mathcal S^+, \mathcal S^-]` (Ellison, Mahoney & Crutchfield 2009,
        Thm 1), with the joint law of forward and reverse causal states
        :math:`\Pr(\sigma^+, \sigma^-) = \sum_s \Pr(\sigma^+, s) \Pr(\sigma^-, s) / \pi_s`
        (the hidden state :math:`S_0` separates past and future). Exact when both
        epsilon-machines are finite.
        ``method="limit"``: :math:`E(L) = H(L) - L h_\mu` summed until its increment
        :math:`H[X_L \mid X_{<L}] - h_\mu` and the geometric tail it predicts from the last two
        increments are below ``LIMIT_ATOL`` nats (finite HMMs converge geometrically). When
        :math:`h_\mu` itself comes from its bracket (nonunifilar presentations) it carries an
        error up to ``LIMIT_ATOL`` nats, which :math:`E(L)` multiplies by the final ``L``.
        ``"auto"`` uses the bidirectional formula when both machines can be built, the limit
        otherwise. In units of ``base``.
        """
        b = check_base(base)
        if method not in ("auto", "bidirectional", "limit"):
            raise ValueError(f"method={method!r}: expected 'auto', 'bidirectional' or 'limit'")
        if method == "auto":
            try:
                self._machine("forward"), self._machine("backward")
                method = "bidirectional"
            except ValueError:
                method = "limit"
        if method == "bidirectional":
            return self._bidirectional()[0] / math.log(b)
        return self._excess_entropy_limit() / math.log(b)

    def _bidirectional(self):
        """(E, C+, C-, H[S+, S-]) in nats from the joint law of the two causal states."""
        fwd, rev = self._machine("forward"), self._machine("backward")
        pi = self.stationary_distribution
        joint = (fwd.joint / pi[None, :]) @ rev.joint.T
        Cp, Cm, Hj = _entropy(fwd.pi), _entropy(rev.pi), _entropy(joint)
        return Cp + Cm - Hj, Cp, Cm, Hj

    @cached_property
    def _excess_limit(self):
        """(E in nats, the length L at which the sum stopped)."""
        h = self._entropy_rate_nats()
        etas, mass = self.stationary_distribution[None, :], np.ones(1)
        E, prev = 0.0, math.inf
        for L in range(1, MAX_LIMIT_LENGTH + 1):
            hl, etas, mass = _population_step(self._T, etas, mass)
            d = hl - h
            E += d
            # stop when the increment is below LIMIT_ATOL and so is the geometric tail
            # d r / (1 - r) = d^2 / (prev - d) it predicts, or when d no longer decreases
            # measurably (it has reached the error floor of h)
            if d <= LIMIT_ATOL and (d <= 0 or prev - d <= 1e-3 * LIMIT_ATOL or d * d / (prev - d) <= LIMIT_ATOL):
                return E, L
            prev = d
        raise ValueError(
            f"excess_entropy: H[X_L | X_<L] - h did not fall below {LIMIT_ATOL:g} nats by L = {MAX_LIMIT_LENGTH}"
        )

    def _excess_entropy_limit(self) -> float:
        return self._excess_limit[0]

    def statistical_complexity(self, direction="forward", base=2) -> float:
        r"""Statistical complexity :math:`C_\mu^\pm = H[\mathcal S^\pm]`, the entropy of the causal states.

        ``direction="forward"``: the causal states of the (predictive) epsilon-machine;
        ``"backward"`` (``"reverse"`` is deprecated): of the epsilon-machine of the time-reversed
        process (retrodictive).
        Raises ValueError when the epsilon-machine is not finite within ``MAX_MIXED_STATES``
        mixed states. Crutchfield, Ellison & Mahoney (2009). In units of ``base``.
        """
        b = check_base(base)
        return _entropy(self._machine(direction).pi) / math.log(b)

    def crypticity(self, direction="forward", base=2) -> float:
        r"""Crypticity :math:`\chi^\pm = C_\mu^\pm - E = H[\mathcal S^\pm \mid \mathcal S^\mp]`.

        The state information not revealed by the observations (Crutchfield, Ellison &
        Mahoney 2009). In units of ``base``.
        """
        direction = _check_direction(direction)
        b = check_base(base)
        E, Cp, Cm, Hj = self._bidirectional()
        C = Cp if direction == "forward" else Cm
        return (C - E) / math.log(b)

    def bidirectional_complexity(self, base=2) -> float:
        r"""Entropy :math:`C_\mu^\pm = H[\mathcal S^+, \mathcal S^-]` of the bidirectional machine's states.

        The information the present must store to both predict and retrodict optimally;
        :math:`\max(C_\mu^+, C_\mu^-) \le C_\mu^\pm \le C_\mu^+ + C_\mu^-` and
        :math:`E = C_\mu^+ + C_\mu^- - C_\mu^\pm` (Ellison, Mahoney & Crutchfield 2009,
        sec. 5). In units of ``base``.
        """
        b = check_base(base)
        return self._bidirectional()[3] / math.log(b)

    def causal_irreversibility(self, base=2) -> float:
        r"""Causal irreversibility :math:`\Xi = C_\mu^+ - C_\mu^-` (Crutchfield, Ellison & Mahoney 2009). In units of ``base``."""
        b = check_base(base)
        _, Cp, Cm, _ = self._bidirectional()
        return (Cp - Cm) / math.log(b)

    # -- simulation contract -------------------------------------------------------------------
    @cached_property
    def _alias(self):
        T = self._T
        k, n = self.n_symbols, self.n_hidden
        x, i, j = np.nonzero(T)
        order = np.lexsort((x, j, i))  # CSR by hidden state i
        x, i, j = x[order], i[order], j[order]
        indptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(i, minlength=n), out=indptr[1:])
        shift = max(1, int(k - 1).bit_length())
        codes = (j.astype(np.int64) << shift) | x.astype(np.int64)
        prob = np.empty(codes.size)
        alias = np.empty(codes.size, np.int64)
        _mk.build_alias(indptr, T[x, i, j].copy(), prob, alias)
        return indptr, codes, prob, codes[alias], np.int64(shift), np.int64((1 << shift) - 1)

    def _check_start(self, start):
        n = self.n_hidden
        msg = (f"start={start!r}: expected a hidden state in 0..{n - 1}, a probability vector over the "
               f"{n} hidden states, or None / 'stationary'")
        if start is None or (isinstance(start, str) and start == "stationary"):
            return self.stationary_distribution
        if isinstance(start, str):
            raise ValueError(msg)
        if isinstance(start, (numbers.Integral, np.integer)) and not isinstance(start, bool):
            if not 0 <= int(start) < n:
                raise ValueError(msg)
            return int(start)
        try:
            arr = np.asarray(start, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(msg) from None
        if arr.ndim != 1:
            raise ValueError(msg)
        return check_probability_vector(arr, "start", size=n)

    def _draw_start(self, start, seed, first_path, n):
        if isinstance(start, int):
            support = np.array([start], np.int64)
            w = np.ones(1)
        else:
            support = np.flatnonzero(start > 0).astype(np.int64)
            w = start[support]
        s_indptr = np.array([0, support.size], np.int64)
        s_prob = np.empty(support.size)
        s_alias = np.empty(support.size, np.int64)
        _mk.build_alias(s_indptr, w, s_prob, s_alias)
        indptr, codes, prob, acode, shift, mask = self._alias
        out = np.empty((n, 3), np.int64)
        fr, to = (2, 0) if self._flip else (0, 2)
        _kh.draw_start_edges(s_indptr, support, s_prob, support[s_alias], indptr, codes, prob, acode,
                             shift, mask, np.uint64(seed), first_path, fr, to, out)
        return out

    def _run_arm(self, init, seed, first_path, arm, steps, out, dt=None):
        indptr, codes, prob, acode, shift, mask = self._alias
        to = 0 if self._flip else 2
        state = np.ascontiguousarray(init[:, to])
        symbol = np.ascontiguousarray(init[:, 1])
        _kh.run_hmm(indptr, codes, prob, acode, shift, mask, state, symbol, np.uint64(seed), first_path, arm,
                    steps, out)

    def sample(self, length, seed=None, rows=1) -> np.ndarray:
        """``rows`` independent stationary sequences of ``length`` symbols, shape ``(rows, length)``.

        Row ``r`` starts from a hidden state drawn from :math:`\\pi` and uses the streams of
        path ``r`` for ``seed``; row ``r`` equals path ``r`` of
        ``simulate(hmm, "stationary", forward=length - 1, paths=rows, seed=seed).states``.
        Symbol indices, dtype ``record_dtype``.
        """
        length = check_positive_int(length, "length")
        rows = check_positive_int(rows, "rows")
        seed = check_seed(seed)
        start = self._check_start("stationary")
        out = np.empty((rows, length), dtype=self.record_dtype)
        init = self._draw_start(start, int(seed), 0, rows)
        self._run_arm(init, int(seed), 0, ARM_FORWARD, length - 1, out)
        return out


# ---------------------------------------------------------------------------------------------
# presets from the computational-mechanics literature
# ---------------------------------------------------------------------------------------------


def _prob(value, name, *, low_open=False, high_open=False):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(float(value))
    if ok:
        v = float(value)
        ok = (v > 0 if low_open else v >= 0) and (v < 1 if high_open else v <= 1)
    if not ok:
        lo, hi = ("(" if low_open else "["), (")" if high_open else "]")
        raise ValueError(f"{name}={value!r}: expected a probability in {lo}0, 1{hi}")
    return float(value)


def _edges(n, edges, k=2):
    T = np.zeros((k, n, n))
    for i, j, x, p in edges:
        T[x, i, j] += p
    return T


def biased_coin(p=0.5) -> HiddenMarkovModel:
    """IID symbols with Pr(1) = p: one hidden state. h = H(p), E = C = 0."""
    p = _prob(p, "p")
    return HiddenMarkovModel(_edges(1, [(0, 0, 1, p), (0, 0, 0, 1 - p)]), hidden_states=("A",),
                             name=f"biased coin p={p:g}")


def golden_mean(p=0.5) -> HiddenMarkovModel:
    """Golden mean process: binary sequences with no two consecutive 0s.

    A --0 (p)--> B, A --1 (1 - p)--> A, B --1--> A. At p = 1/2: h = 2/3 bit,
    C = H(2/3) = log2 3 - 2/3 bits, E = log2 3 - 4/3 bits (an order-1 Markov process,
    Crutchfield & Feldman 2003).
    """
    p = _prob(p, "p", low_open=True, high_open=True)
    return HiddenMarkovModel(_edges(2, [(0, 1, 0, p), (0, 0, 1, 1 - p), (1, 0, 1, 1.0)]),
                             hidden_states=("A", "B"), name=f"golden mean p={p:g}")


def even(p=0.5) -> HiddenMarkovModel:
    """Even process: blocks of 1s of even length separated by 0s.

    A --0 (p)--> A, A --1 (1 - p)--> B, B --1--> A. At p = 1/2: h = 2/3 bit and
    E = C = log2 3 - 2/3 bits (infinite Markov order, Crutchfield & Feldman 2003).
    """
    p = _prob(p, "p", low_open=True, high_open=True)
    return HiddenMarkovModel(_edges(2, [(0, 0, 0, p), (0, 1, 1, 1 - p), (1, 0, 1, 1.0)]),
                             hidden_states=("A", "B"), name=f"even p={p:g}")


def random_insertion(p=0.5, q=0.5) -> HiddenMarkovModel:
    """Random insertion process (RIP) of Crutchfield, Ellison & Mahoney (2009).

    Forward epsilon-machine: A --0 (p)--> B, A --1 (1 - p)--> C, B --0 (q)--> C,
    B --1 (1 - q)--> C, C --1--> A. Its reverse epsilon-machine has four states, so
    C+ != C- (causally irreversible): with pi+ = (1, p, 1)/(2 + p) and
    pi- = (1, 1 - pq, pq, p)/(2 + p), C+ = H[pi+] and C- = H[pi-].
    """
    p = _prob(p, "p", low_open=True, high_open=True)
    q = _prob(q, "q")
    return HiddenMarkovModel(
        _edges(3, [(0, 1, 0, p), (0, 2, 1, 1 - p), (1, 2, 0, q), (1, 2, 1, 1 - q), (2, 0, 1, 1.0)]),
        hidden_states=("A", "B", "C"), name=f"random insertion p={p:g} q={q:g}")


def period(n=2) -> HiddenMarkovModel:
    """Period-n process repeating the word 0...01 (n - 1 zeros, then a 1). h = 0, E = C = log2 n."""
    n = check_positive_int(n, "n")
    return HiddenMarkovModel(_edges(n, [(i, (i + 1) % n, int(i == n - 1), 1.0) for i in range(n)]),
                             name=f"period {n}")


def alternating_biased_coin(p=0.25, q=0.75) -> HiddenMarkovModel:
    """Two coins used alternately: A --x--> B emitting 1 with probability p, B --x--> A with q.

    Unifilar; for p != q its two states are only asymptotically synchronisable. h =
    [H(p) + H(q)]/2, C+ = C- = E = 1 bit for p != q (the phase is learnt from the infinite
    past and from the infinite future).
    """
    p = _prob(p, "p")
    q = _prob(q, "q")
    return HiddenMarkovModel(_edges(2, [(0, 1, 1, p), (0, 1, 0, 1 - p), (1, 0, 1, q), (1, 0, 0, 1 - q)]),
                             hidden_states=("A", "B"), name=f"alternating biased coin p={p:g} q={q:g}")


def simple_nonunifilar_source(p=0.5, q=0.5) -> HiddenMarkovModel:
    """Simple nonunifilar source (SNS): A --1 (p)--> A, A --1 (1 - p)--> B, B --1 (q)--> B, B --0 (1 - q)--> A.

    A renewal process (0s are the events) whose epsilon-machine has infinitely many causal
    states (Crutchfield 1994, Physica D 75, 11; Marzen & Crutchfield 2015, Entropy 17,
    4891): entropy rate and excess entropy are available, statistical complexity is not.
    """
    p = _prob(p, "p", high_open=True)
    q = _prob(q, "q", high_open=True)
    return HiddenMarkovModel(_edges(2, [(0, 0, 1, p), (0, 1, 1, 1 - p), (1, 1, 1, q), (1, 0, 0, 1 - q)]),
                             hidden_states=("A", "B"), name=f"simple nonunifilar source p={p:g} q={q:g}")


PRESETS = {
    "biased_coin": biased_coin,
    "golden_mean": golden_mean,
    "even": even,
    "random_insertion": random_insertion,
    "period": period,
    "alternating_biased_coin": alternating_biased_coin,
    "simple_nonunifilar_source": simple_nonunifilar_source,
}


def preset(name, **params) -> HiddenMarkovModel:
    """The preset process ``name`` with parameters ``params`` (see ``PRESETS``).

    Aliases: ``"rip"`` (random_insertion), ``"sns"`` (simple_nonunifilar_source).
    """
    aliases = {"rip": "random_insertion", "sns": "simple_nonunifilar_source"}
    key = aliases.get(name, name) if isinstance(name, str) else name
    if key not in PRESETS:
        raise ValueError(f"name={name!r}: unknown preset; expected one of {sorted(PRESETS) + sorted(aliases)}")
    try:
        return PRESETS[key](**params)
    except TypeError as err:
        raise ValueError(f"preset {key!r}: {err}") from None
