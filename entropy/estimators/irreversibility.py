r"""Entropy production of an observed stationary series: how distinguishable is it from its
time reversal?

For a stationary process the Kullback-Leibler divergence between the law of a word of
:math:`L` symbols and the law of the reversed word,

.. math:: D_L = \sum_{w} P(w_1 \dots w_L) \log \frac{P(w_1 \dots w_L)}{P(\tilde w_L \dots \tilde w_1)},

(with :math:`\tilde x` the time reversal of a symbol, the identity for states) grows
linearly in :math:`L`; its slope, the KL divergence rate between the process and its time
reversal, bounds the physical entropy production per step from below and equals it for a
fully observed Markov chain (Roldan & Parrondo 2010; Kawai, Parrondo & Van den Broeck
2007). With :math:`k` symbols of history,

.. math:: \sigma_k = D_{k+1} - D_k ,

which is exact for a Markov chain of order :math:`\le k`: for a first-order chain,
:math:`\sigma_k = \sum_{ij} \pi_i P_{ij} \log \frac{\pi_i P_{ij}}{\pi_j P_{ji}}` (the
Schnakenberg entropy production) for every :math:`k \ge 1`.

Estimation from one series
--------------------------
Word counts are pooled over all windows of every row (none straddles two rows) with the
exact codes of :mod:`entropy.estimators.sequence`. The data are cut into ``n_blocks``
contiguous blocks (pieces of rows, or groups of rows) that partition the windows; their
count tables serve three purposes:

* **Standard error and CI**: a non-overlapping block bootstrap (Carlstein 1986; Kunsch
  1989) resamples blocks with replacement (``n_boot`` times, seeded) and recomputes
  the estimate; ``stderr`` is the standard deviation of the replicates and the interval
  is the normal one around the (bias-corrected) value. Blocks must be much longer than the
  correlation time. Near a reversible process (true value 0) the law of the estimate is
  chi-square-like rather than normal and the interval is conservative (in simulations of
  reversible chains the bootstrap error was about twice the spread of the estimates);
  use :func:`reversibility_test` to decide whether the production differs from 0.
* **Bias correction**: the plug-in divergence is biased upwards (about
  :math:`2 m_L / N` nats for a reversible process, with :math:`m_L` the number of pairs
  of distinct words :math:`\{w, \tilde w\}` and :math:`N` windows). We subtract the
  *bootstrap* estimate of that bias, :math:`\hat D^{corr} = \hat D - (\overline{D^*} -
  \hat D) = 2\hat D - \overline{D^*}` (Efron & Tibshirani 1993, ch. 10). It removes the
  first-order term for reversible and irreversible processes alike; the corrected value
  can be slightly negative.
* **Test of reversibility** (:func:`reversibility_test`): see there.

Words seen forwards but never backwards
---------------------------------------
If a word :math:`w` was seen but its reversal :math:`\tilde w` never was, the plug-in term
:math:`\hat p(w) \log(\hat p(w)/0)` is infinite. It is never returned silently:

The result says so whatever the treatment: ``lower_bound`` is True and
``extra["n_unmatched"]`` counts the words seen one way only, and the interval's upper end is
``inf`` (a lower bound has no upper confidence limit).

* ``unmatched="pseudocount"`` (default, as in
  :func:`entropy.estimators.irreversibility_profile`) adds ``pseudocount`` (default 1/2,
  the Krichevsky-Trofimov choice) to the counts of every word seen in either direction. It
  is finite, but the :math:`\log` of the ratio of a count to a pseudo-count depends on the
  arbitrary pseudo-count; it is biased towards 0 for rare reverse words.
* ``unmatched="lower_bound"`` sums only over the words seen both ways. Because
  that set is closed under reversal, the sum over the remaining words is
  :math:`\ge 0`, so the result is a lower bound on the divergence of the sampled laws
  (log-sum inequality). ``extra["n_unmatched"]`` and ``extra["unmatched_fraction"]``
  report how many distinct words, and which fraction of the windows, were left out.
  Each :math:`\hat D_L` is then a lower bound, but the increment
  :math:`\hat D_{k+1} - \hat D_k` of two lower bounds is not one (it can even be
  negative): when ``unmatched_fraction`` is not small, the rates are unreliable; use more
  data, a shorter history, or a coarser symbolisation.

References
----------
E. Roldan and J. M. R. Parrondo, "Estimating dissipation from single stationary
trajectories", *PRL* 105, 150607 (2010).
R. Kawai, J. M. R. Parrondo and C. Van den Broeck, "Dissipation: the phase-space
perspective", *PRL* 98, 080602 (2007).
J. Schnakenberg, "Network theory of microscopic and macroscopic behavior of master
equation systems", *Rev. Mod. Phys.* 48, 571 (1976).
H. R. Kunsch, "The jackknife and the bootstrap for general stationary observations",
*Ann. Statist.* 17, 1217 (1989).
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .._kernels import blocks as _kb
from .._units import check_base, check_positive_int, check_seed, unit_name
from ._compat import renamed
from ._result import Estimate
from .discrete import _reject_complex
from .sequence import _as_rows, _check_confidence, _check_window, _first
from .words import Rows as _Rows
from .words import compressed as _compressed
from .words import dense_ok as _dense_ok
from .words import dense_tables as _dense_tables
from .words import fits as _fits
from .words import mixed_radix_codes as _all_codes
from .words import pieces as _pieces
from .words import reversal_codes as _reversal_codes
from .words import window_positions as _window_positions

__all__ = [
    "entropy_production",
    "reversal_divergence",
    "reversibility_test",
    "ReversibilityTest",
    "ordinal_patterns",
    "ordinal_reversal",
    "quantile_symbols",
    "gaussian_entropy_production",
]

_UNMATCHED = ("lower_bound", "pseudocount")
_CHUNK = 2**22  # entries of a bootstrap / surrogate count matrix held at once


# ---------------------------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------------------------


def _check_reversal(symbol_reversal, alphabet: int):
    """Validate a symbol reversal map (an involution); return it (int64) and the alphabet."""
    if symbol_reversal is None:
        return np.arange(alphabet, dtype=np.int64), alphabet
    rho = np.asarray(symbol_reversal)
    if rho.ndim != 1 or rho.dtype.kind not in "iu" or rho.size < alphabet:
        raise ValueError(
            f"symbol_reversal: expected a 1-D integer array of length >= {alphabet} (largest symbol + 1), "
            f"got shape {rho.shape} and dtype {rho.dtype}"
        )
    rho = rho.astype(np.int64)
    if rho.min() < 0 or rho.max() >= rho.size or np.any(rho[rho] != np.arange(rho.size)):
        raise ValueError("symbol_reversal: expected an involution of 0..K-1 (rho[rho[s]] == s for every s)")
    return rho, int(rho.size)


def _check_options(method, base, unmatched, pseudocount, n_blocks, seed, confidence):
    if method != "plugin":
        raise ValueError(f"method={method!r}: expected 'plugin' (plug-in word frequencies)")
    check_base(base)
    if not isinstance(unmatched, str) or unmatched not in _UNMATCHED:
        raise ValueError(f"unmatched={unmatched!r}: expected 'lower_bound' or 'pseudocount'")
    if isinstance(pseudocount, bool) or not isinstance(pseudocount, numbers.Real) or not pseudocount > 0:
        raise ValueError(f"pseudocount={pseudocount!r}: expected a number > 0")
    check_positive_int(n_blocks, "n_blocks", minimum=2)
    check_seed(seed, allow_none=False)
    _check_confidence(confidence)


def _prepare(series, value, name, symbol_reversal, n_blocks):
    """Validated rows (alphabet widened to the reversal map), reversal map, history ``k`` and
    blocks. ``value`` is the history (``name="history"``) or the longest word
    (``name="max_length"``, at least 2)."""
    _reject_complex(series, "series")
    rows = _as_rows(series)
    lmax = check_positive_int(value, name, minimum=1 if name == "history" else 2) + (name == "history")
    k = lmax - 1
    _check_window(lmax, rows, name, value)
    if symbol_reversal is None and rows.alphabet > max(2**16, rows.data.size):
        rows = _compressed(rows)  # sparse symbols: the identity reversal needs no table of them all
    rho, a = _check_reversal(symbol_reversal, rows.alphabet)
    if rows.data.min() == rows.data.max() and rho[rows.data[0]] == rows.data[0]:
        raise ValueError(
            f"series: constant series (every symbol {rows.data[0]}): it is its own time reversal, "
            "nothing to estimate"
        )
    rows = _Rows(rows.data, rows.starts, rows.ends, a)
    pieces = _pieces(rows, n_blocks, k + 1, min_windows=8 * (k + 1))
    if pieces.n_batches < 2:
        raise ValueError(f"series: too short to cut into 2 blocks of at least {8 * (k + 1)} words")
    return rows, rho, k, pieces


# ---------------------------------------------------------------------------------------------
# per-block word tables
# ---------------------------------------------------------------------------------------------


@dataclass
class _Table:
    """Counts ``C[b, j]`` of word ``j`` in block ``b`` over a set of words closed under reversal;
    ``rev[j]`` is the column of the reversal of word ``j``. ``C`` is a dense array, or a sparse
    CSR matrix when a dense one would exceed ``_CHUNK`` entries."""

    C: np.ndarray | sp.csr_matrix
    rev: np.ndarray

    @property
    def total(self):
        return np.asarray(self.C.sum(axis=0)).reshape(-1).astype(float)


def _closed_table(codes, counts_by_block, length, a, rho, reversal=None):
    """Restrict to the observed words and their reversals (sorted codes -> columns).

    Mixed-radix ``codes`` are reversed arithmetically; codes of any other scheme come with
    ``reversal = (window codes, codes of the reversed windows)`` from
    :func:`entropy.estimators.words.reversal_codes`.
    """
    if reversal is None:
        rcodes = np.empty_like(codes)
        _kb.reverse_codes(codes, length, a, rho, rcodes)
        words = np.union1d(codes, rcodes)
        rwords = np.empty_like(words)
        _kb.reverse_codes(words, length, a, rho, rwords)
    else:  # reversal is an involution: w -> r and r -> w for every window
        words, first = np.unique(np.concatenate(reversal), return_index=True)
        rwords = np.concatenate(reversal[::-1])[first]
    col = np.searchsorted(words, codes)
    shape = (counts_by_block.shape[0], words.size)
    if shape[0] * shape[1] <= _CHUNK:
        C = np.zeros(shape)
        C[:, col] = counts_by_block.toarray() if sp.issparse(counts_by_block) else counts_by_block
    else:
        coo = sp.coo_matrix(counts_by_block)
        C = sp.csr_matrix((coo.data.astype(float), (coo.row, col[coo.col])), shape=shape)
    return _Table(C, np.searchsorted(words, rwords))


def _word_tables(rows: _Rows, pieces, lmax: int, rho) -> dict:
    """``{L: _Table}`` for ``L = 1 .. lmax``, one row of counts per block of ``pieces``."""
    a, nb = rows.alphabet, pieces.n_batches
    out = {}
    if _dense_ok(rows, lmax, nb):
        for L, counts in _dense_tables(rows, pieces, 1):
            seen = np.flatnonzero(counts.any(axis=0))
            out[L] = _closed_table(seen, counts[:, seen], L, a, rho)
        return out
    for L in range(1, lmax + 1):
        if not _fits(a, L):  # relabelled codes: the words and their reversals coded together
            fwd, rev = _reversal_codes(rows, L, rho)
            piece = np.searchsorted(pieces.u, _window_positions(rows, L), side="right") - 1
            seen, inv = np.unique(fwd, return_inverse=True)
            counts = sp.csr_matrix((np.ones(fwd.size), (pieces.batch[piece], inv.reshape(-1))), shape=(nb, seen.size))
            out[L] = _closed_table(seen, counts, L, a, rho, reversal=(fwd, rev))
            continue
        # windows of L symbols of block b: starts in [u, v), and up to end - L in a row's last piece
        ends = np.where(pieces.final, pieces.end, pieces.v + L - 1)
        per_block = []
        for b in range(nb):
            sel = pieces.batch == b
            codes = _all_codes(rows.subset(pieces.u[sel], ends[sel]), L)
            per_block.append(codes)
        block_of = np.repeat(np.arange(nb), [c.size for c in per_block])
        seen, inv = np.unique(np.concatenate(per_block), return_inverse=True)
        ones = np.ones(block_of.size)
        counts = sp.csr_matrix((ones, (block_of, inv.reshape(-1))), shape=(nb, seen.size))  # sums repeats
        out[L] = _closed_table(seen, counts, L, a, rho)
    return out


# ---------------------------------------------------------------------------------------------
# divergence of count tables
# ---------------------------------------------------------------------------------------------


def _divergence(C, rev, unmatched: str, alpha: float) -> np.ndarray:
    """Plug-in :math:`D = \\sum_w \\hat p(w) \\ln(\\hat p(w)/\\hat p(\\tilde w))` (nats) of every row of
    count table ``C`` (shape ``(R, U)``, columns closed under reversal ``rev``): over the words
    seen both ways (``"lower_bound"``), or with ``alpha`` added to every count."""
    C = np.ascontiguousarray(C, dtype=float)
    alpha = float(alpha) if unmatched == "pseudocount" else 0.0
    if C.shape[0] < 4:  # not worth waking the threads
        return np.array([_kb.reversal_divergence_row(C, r, rev, alpha) for r in range(C.shape[0])])
    out = np.empty(C.shape[0])
    _kb.reversal_divergence_rows(C, rev, alpha, out)
    return out


def _mixed(weights, C, rev, unmatched, alpha, offset=0.0):
    """Divergence of every row of ``offset + weights @ C`` (``C`` dense or sparse), computed in
    chunks of rows so that at most about ``_CHUNK`` counts are held at once."""
    step = max(1, _CHUNK // max(1, C.shape[1]))
    out = []
    for i in range(0, weights.shape[0], step):
        w = weights[i:i + step]
        mixed = np.asarray((C.T @ w.T).T) if sp.issparse(C) else w @ C
        out.append(_divergence(offset + mixed, rev, unmatched, alpha))
    return np.concatenate(out)


@dataclass(frozen=True)
class _Analysis:
    D: np.ndarray  # plug-in D_L, L = 1..lmax (nats)
    D_boot: np.ndarray  # (n_bootstrap, lmax)
    n_unmatched: int
    unmatched_fraction: float
    n_blocks: int


def _analyse(rows, pieces, lmax, rho, unmatched, alpha, n_bootstrap, seed) -> _Analysis:
    tables = _word_tables(rows, pieces, lmax, rho)
    nb = pieces.n_batches
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(nb, np.full(nb, 1.0 / nb), size=n_bootstrap).astype(float)
    D = np.array([_divergence(tables[L].total[None, :], tables[L].rev, unmatched, alpha)[0]
                  for L in range(1, lmax + 1)])
    boot = np.stack([_mixed(weights, tables[L].C, tables[L].rev, unmatched, alpha) for L in range(1, lmax + 1)],
                    axis=1)
    t = tables[lmax]
    total = t.total
    lost = (total > 0) & (total[t.rev] == 0)
    return _Analysis(D, boot, int(lost.sum()), float(total[lost].sum() / total.sum()), nb)


def _corrected(plugin, reps, bias_correction):
    """Bootstrap bias correction ``2 x - mean(x*)`` and standard error ``sd(x*)``."""
    bias = reps.mean(axis=0) - plugin
    value = plugin - bias if bias_correction else plugin
    return value, reps.std(axis=0, ddof=1), bias


# ---------------------------------------------------------------------------------------------
# public estimators
# ---------------------------------------------------------------------------------------------

_COMMON_PARAMS = """series : array_like of int, shape (n,) or (rows, n)
        Non-negative integer symbols of a stationary series; rows of a 2-D array are
        independent realisations (windows never straddle two rows).
    method : {"plugin"}
        Plug-in word frequencies (the only method so far).
    base : float
        Logarithm base (2: bits).
    symbol_reversal : array_like of int, optional
        Time reversal of each symbol, an involution (e.g. :func:`ordinal_reversal` for
        ordinal patterns, or the sign flip of a velocity); default: the identity (states).
    unmatched : {"lower_bound", "pseudocount"}
        Treatment of words seen forwards but never backwards (see the module notes).
    pseudocount : float
        Added to every count with ``unmatched="pseudocount"``.
    bias_correction : bool
        Subtract the block-bootstrap estimate of the bias (see the module notes).
    n_blocks : int
        Number of contiguous blocks for the bootstrap (at least 2; blocks must be much
        longer than the correlation time).
    n_boot : int
        Number of bootstrap replicates (``n_bootstrap``: deprecated name).
    seed : int
        Seed of the bootstrap (``numpy.random.default_rng``).
    confidence : float
        Level of the normal confidence interval."""


def _run(series, value, name, method, base, symbol_reversal, unmatched, pseudocount, n_blocks, n_bootstrap,
         seed, confidence):
    _check_options(method, base, unmatched, pseudocount, n_blocks, seed, confidence)
    check_positive_int(n_bootstrap, "n_boot", minimum=2)
    rows, rho, k, pieces = _prepare(series, value, name, symbol_reversal, n_blocks)
    return k, _analyse(rows, pieces, k + 1, rho, unmatched, float(pseudocount), n_bootstrap, seed)


def _result(quantity, value, se, confidence, base, method, extra, n_unmatched):
    """Estimate with a normal interval clipped at 0; a lower bound (upper end inf) where words
    were seen one way only."""
    lower = n_unmatched > 0
    e = Estimate.from_stderr(quantity, value, se, confidence=confidence, unit=unit_name(base), method=method,
                             nonnegative=True, lower_bound=lower, extra=extra)
    if lower:
        hi = np.full(np.shape(e.value), np.inf)[()]
        e = Estimate.from_interval(quantity, e.value, e.stderr, e.ci_low, hi, confidence=confidence, unit=e.unit,
                                   method=method, nonnegative=True, lower_bound=True, extra=extra)
    return e


def entropy_production(series, history=1, method="plugin", base=2, *, symbol_reversal=None,
                       unmatched="pseudocount", pseudocount=0.5, bias_correction=True, n_blocks=50,
                       n_boot=200, seed=0, confidence=0.95, n_bootstrap=None) -> Estimate:
    r"""Entropy production per step of a stationary discrete series, :math:`\sigma_k = D_{k+1} - D_k`.

    :math:`D_L` is the KL divergence between the laws of the words of :math:`L` symbols
    and of their time reversals (see the module notes); :math:`\sigma_k` with ``history``
    :math:`= k` is the KL divergence rate between the process and its reversal given
    :math:`k` past symbols, a lower bound on the physical entropy production (in units of
    :math:`k_B` per step when ``base=e``) that is exact for a fully observed Markov chain of
    order :math:`\le k` (Roldan & Parrondo 2010).

    Parameters
    ----------
    {params}
    history : int
        :math:`k \ge 1` (default 1); words of ``k + 1`` symbols are counted (below the row
        length).

    Returns
    -------
    Estimate
        ``quantity="entropy_production"`` in units of ``base`` per step (bias-corrected if
        ``bias_correction``), block-bootstrap ``stderr`` and normal interval, clipped at 0;
        ``lower_bound`` True (and the upper end ``inf``) when some word was seen forwards
        but never backwards (``extra["n_unmatched"] > 0``). ``extra``:
        ``"plugin"`` (uncorrected value), ``"bias"`` (bootstrap bias estimate),
        ``"rates"`` and ``"rates_stderr"`` (:math:`\sigma_j`, :math:`j = 1..k`),
        ``"divergence"`` and ``"divergence_stderr"`` (:math:`D_L`, :math:`L = 1..k+1`, the
        same correction), ``"n_unmatched"`` and ``"unmatched_fraction"`` (words of
        ``k + 1`` symbols seen forwards but never backwards: how many, and their share of
        the windows), ``"n_blocks"``, ``"n_boot"``.

    Raises
    ------
    ValueError
        Bad symbols, ``history`` < 1 or too long for the rows, a
        constant series, a series too short for 2 blocks, or a bad option.

    References
    ----------
    E. Roldan and J. M. R. Parrondo, *PRL* 105, 150607 (2010).
    """
    n_boot = renamed(n_boot, n_bootstrap, new="n_boot", old="n_bootstrap", default=200)
    k, r = _run(series, history, "history", method, base, symbol_reversal, unmatched, pseudocount, n_blocks,
                n_boot, seed, confidence)
    lb = math.log(check_base(base))
    D, Dse, _ = _corrected(r.D, r.D_boot, bias_correction)
    rates, rates_se, bias = _corrected(np.diff(r.D), np.diff(r.D_boot, axis=1), bias_correction)
    value, se = rates[-1] / lb, rates_se[-1] / lb
    extra = {
        "history": k, "plugin": float(np.diff(r.D)[-1] / lb), "bias": float(bias[-1] / lb),
        "rates": rates / lb, "rates_stderr": rates_se / lb, "divergence": D / lb, "divergence_stderr": Dse / lb,
        "n_unmatched": r.n_unmatched, "unmatched_fraction": r.unmatched_fraction, "unmatched": unmatched,
        "n_blocks": r.n_blocks, "n_boot": n_boot,
    }
    method_name = "plugin" + ("+bootstrap_bias_correction" if bias_correction else "")
    return _result("entropy_production", float(value), float(se), confidence, base, method_name, extra, r.n_unmatched)


def reversal_divergence(series, max_length, method="plugin", base=2, *, symbol_reversal=None,
                        unmatched="pseudocount", pseudocount=0.5, bias_correction=True, n_blocks=50,
                        n_boot=200, seed=0, confidence=0.95, n_bootstrap=None) -> Estimate:
    r"""The curve :math:`D_L = D(P(x_1 \dots x_L) \,\|\, P(\tilde x_L \dots \tilde x_1))`, :math:`L = 1 \dots L_{max}`.

    Its increments are :func:`entropy_production`; for a Markov chain of order 1,
    :math:`D_L = (L - 1)\,\sigma`.

    Parameters
    ----------
    {params}
    max_length : int
        Longest word :math:`L_{max} \ge 2`, below the row length.

    Returns
    -------
    Estimate
        Array-valued, ``quantity="reversal_divergence"``, in units of ``base``;
        ``extra["lengths"]`` holds :math:`L`, ``extra["plugin"]`` the uncorrected values.
    """
    n_boot = renamed(n_boot, n_bootstrap, new="n_boot", old="n_bootstrap", default=200)
    k, r = _run(series, max_length, "max_length", method, base, symbol_reversal, unmatched, pseudocount, n_blocks,
                n_boot, seed, confidence)
    lb = math.log(check_base(base))
    D, Dse, bias = _corrected(r.D, r.D_boot, bias_correction)
    extra = {"lengths": np.arange(1, k + 2), "plugin": r.D / lb, "bias": bias / lb,
             "n_unmatched": r.n_unmatched, "unmatched_fraction": r.unmatched_fraction, "n_blocks": r.n_blocks}
    method_name = "plugin" + ("+bootstrap_bias_correction" if bias_correction else "")
    return _result("reversal_divergence", D / lb, Dse / lb, confidence, base, method_name, extra, r.n_unmatched)


for _f in (entropy_production, reversal_divergence):
    _f.__doc__ = _f.__doc__.replace("{params}", _COMMON_PARAMS)


@dataclass(frozen=True)
class ReversibilityTest:
    """Result of :func:`reversibility_test`.

    Attributes
    ----------
    statistic : float
        Plug-in :math:`\\hat D_{k+1}` (lower-bound treatment of unmatched words), units of ``unit``.
    pvalue : float
        :math:`(1 + \\#\\{T^* \\ge T\\}) / (1 + n_{surrogates})`.
    surrogates : ndarray
        The statistic on every surrogate.
    history, n_blocks : int
        ``n_blocks`` is the number of blocks used.
    unit : str
    n_blocks_requested : int
        The ``n_blocks`` asked for; larger than ``n_blocks`` when the series was too short
        for that many blocks of at least ``8 (history + 1)`` words (a warning says so too).
    """

    statistic: float
    pvalue: float
    surrogates: np.ndarray = field(repr=False)
    history: int
    n_blocks: int
    unit: str
    n_blocks_requested: int | None = None


def reversibility_test(series, history=1, *, n_surrogates=999, n_blocks=50, seed=0, base=2,
                       symbol_reversal=None) -> ReversibilityTest:
    r"""Surrogate test of time-reversibility of a stationary discrete series.

    Null hypothesis: the series and its time reversal have the same law (detailed balance
    for a Markov chain). Statistic: the plug-in divergence :math:`T = \hat D_{k+1}` between
    the word laws of ``k + 1`` symbols forwards and backwards (words seen one way only are
    left out, see the module notes).

    Surrogates come from the series' own reversal: the windows are cut into ``n_blocks``
    contiguous blocks, and each surrogate reverses every block independently with
    probability 1/2 (its word counts become those of the reversed words). Under the null a
    block and its reversal have the same law, and blocks much longer than the correlation
    time are nearly independent, so the observed counts are (nearly) exchangeable with the
    surrogates and the p-value :math:`(1 + \#\{T^* \ge T\}) / (1 + n_{surrogates})` is
    (nearly) uniform; it is exact in the limit of independent blocks (a randomisation test,
    e.g. Lehmann & Romano 2005, ch. 15). Analytic chi-square nulls for the pair counts are
    avoided on purpose: overlapping windows are not multinomial, and the flow balance of a
    path removes degrees of freedom. The same flow balance makes the test conservative when
    the block boundaries carry much of the asymmetry: with two symbols and ``history=1``
    the pair counts of a path are symmetric up to one (every binary first-order chain is
    reversible), so the p-value is close to 1 whatever the data.

    Parameters
    ----------
    series : array_like of int
        As in :func:`entropy_production`.
    history : int
        :math:`k \ge 1`: words of ``k + 1`` symbols.
    n_surrogates : int
        Number of random block reversals (the p-value is a multiple of
        ``1 / (n_surrogates + 1)``).
    n_blocks : int
        Number of blocks (at least 2; 20 or more gives a finely resolved null). Lowered, with
        a ``UserWarning`` and ``n_blocks_requested`` in the result, when the series is too
        short for that many blocks.
    seed : int
        Seed of the random reversals.
    base : float
        Unit of the statistic.
    symbol_reversal : array_like of int, optional
        Time reversal of each symbol (an involution); default identity.

    Returns
    -------
    ReversibilityTest
    """
    check_base(base)
    check_positive_int(n_surrogates, "n_surrogates")
    check_positive_int(n_blocks, "n_blocks", minimum=2)
    check_seed(seed, allow_none=False)
    rows, rho, k, pieces = _prepare(series, history, "history", symbol_reversal, n_blocks)
    if pieces.n_batches < n_blocks:
        warnings.warn(f"reversibility_test: n_blocks lowered from {n_blocks} to {pieces.n_batches}: the series is "
                      f"too short for {n_blocks} blocks of at least {8 * (k + 1)} words (the p-value is a multiple "
                      f"of 1/(n_surrogates + 1) but its null is resolved by 2**{pieces.n_batches} block reversals)",
                      UserWarning, stacklevel=2)
    table = _word_tables(rows, pieces, k + 1, rho)[k + 1]
    lb = math.log(check_base(base))
    T = _divergence(table.total[None, :], table.rev, "lower_bound", 0.0)[0]
    # reversing block b replaces its counts C[b] by C[b, rev]: total + flips @ (C[:, rev] - C)
    delta = table.C[:, table.rev] - table.C
    flips = np.random.default_rng(seed).integers(0, 2, size=(n_surrogates, pieces.n_batches)).astype(float)
    Ts = _mixed(flips, delta, table.rev, "lower_bound", 0.0, offset=table.total)
    # ties within rounding count as exceedances (conservative)
    p = (1 + np.count_nonzero(Ts >= T - 1e-12 * max(1.0, abs(T)))) / (1 + n_surrogates)
    return ReversibilityTest(float(T / lb) + 0.0, float(p), Ts / lb, k, pieces.n_batches, unit_name(base), n_blocks)


# ---------------------------------------------------------------------------------------------
# continuous series: symbolisation
# ---------------------------------------------------------------------------------------------


def _as_real_rows(x, name="x"):
    _reject_complex(x, name)
    arr = np.asarray(x, dtype=float) if np.asarray(x).dtype.kind in "biuf" else None
    if arr is None:
        raise ValueError(f"{name}: expected a real-valued array, got dtype {np.asarray(x).dtype}")
    if arr.ndim not in (1, 2) or arr.size == 0:
        raise ValueError(f"{name}: expected a non-empty 1-D or 2-D (rows, time) array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}{_first(arr, ~np.isfinite(arr))}: expected finite values")
    return arr


def ordinal_patterns(x, order, delay=1):
    r"""Ordinal (permutation) patterns of a real series (Bandt & Pompe 2002).

    The symbol at time :math:`t` is the rank pattern of
    :math:`(x_t, x_{t+\tau}, \dots, x_{t+(d-1)\tau})`, coded as the Lehmer code of the
    permutation that sorts it (an integer in :math:`0 \dots d! - 1`); ties are ranked by
    order of appearance (assumes a continuous distribution, where ties have probability 0).

    Time reversal maps the pattern of a window to the pattern of the reversed window; pass
    ``symbol_reversal=ordinal_reversal(order)`` to :func:`entropy_production` so that the
    symbolic estimate compares the series with its true time reversal (plain reversal of the
    symbol sequence would miss, e.g., slow rises and fast falls).

    Parameters
    ----------
    x : array_like of float, shape (n,) or (rows, n)
        The series (rows: independent realisations).
    order : int
        Pattern length :math:`d \ge 2` (at most 12 so that :math:`d!` codes stay small).
    delay : int
        Lag :math:`\tau \ge 1` between the entries of a pattern.

    Returns
    -------
    ndarray of int64, shape (n - (d-1) tau,) or (rows, n - (d-1) tau)

    References
    ----------
    C. Bandt and B. Pompe, "Permutation entropy: a natural complexity measure for time
    series", *PRL* 88, 174102 (2002).
    """
    arr = _as_real_rows(x)
    d = check_positive_int(order, "order", minimum=2)
    if d > 12:
        raise ValueError(f"order={order!r}: expected an integer in 2..12")
    tau = check_positive_int(delay, "delay")
    span = (d - 1) * tau
    if arr.shape[-1] <= span:
        raise ValueError(f"order={order!r}, delay={delay!r}: need more than {span} values per row, "
                         f"got {arr.shape[-1]}")
    n = arr.shape[-1] - span
    win = np.stack([arr[..., j * tau:j * tau + n] for j in range(d)], axis=-1)
    perm = np.argsort(win, axis=-1, kind="stable")
    # Lehmer code of the permutation: sum_i (number of later entries smaller than perm_i) (d-1-i)!
    code = np.zeros(perm.shape[:-1], dtype=np.int64)
    for i in range(d):
        smaller = np.sum(perm[..., i + 1:] < perm[..., i:i + 1], axis=-1)
        code = code * (d - i) + smaller
    return code


def ordinal_reversal(order):
    """Time reversal of ordinal patterns: ``rho[s]`` is the code of the pattern of the reversed
    window of a window with pattern ``s`` (see :func:`ordinal_patterns`); an involution of
    ``0 .. order! - 1``."""
    d = check_positive_int(order, "order", minimum=2)
    if d > 12:
        raise ValueError(f"order={order!r}: expected an integer in 2..12")
    # every pattern is realised by the window of ranks; its reversal is that window reversed
    ranks = _rank_windows(d)
    fwd = ordinal_patterns(ranks, d)[:, 0]
    bwd = ordinal_patterns(ranks[:, ::-1], d)[:, 0]
    rho = np.empty(math.factorial(d), np.int64)
    rho[fwd] = bwd
    return rho


def _rank_windows(d):
    """All permutations of 0..d-1 as rows (windows with every possible pattern)."""
    from itertools import permutations

    return np.array(list(permutations(range(d))), dtype=float)


def quantile_symbols(x, n_bins):
    """Symbolise a real series by its empirical quantiles: ``n_bins`` equally populated bins.

    Bin edges are the ``j / n_bins`` quantiles of all values (all rows pooled); symbols are
    ``0 .. n_bins - 1`` (ties at an edge go to the upper bin, so bins of tied values are
    unequal). A value does not change under time reversal, so the identity
    ``symbol_reversal`` applies (velocities would need a sign flip). Coarse bins can hide
    irreversibility: the estimate is a lower bound on that of the underlying process
    (data-processing inequality).
    """
    arr = _as_real_rows(x)
    m = check_positive_int(n_bins, "n_bins", minimum=2)
    edges = np.quantile(arr, np.arange(1, m) / m)
    return np.searchsorted(edges, arr, side="right").astype(np.int64)


# ---------------------------------------------------------------------------------------------
# linear Gaussian processes: spectral estimator
# ---------------------------------------------------------------------------------------------


def _spectral_rate(x, nperseg: int) -> float:
    """Welch estimate of (1/4 pi) int tr(S^{-T} S) - d over (-pi, pi), in nats per step."""
    n, d = x.shape
    step = nperseg // 2
    starts = np.arange(0, n - nperseg + 1, step)
    seg = np.stack([x[s:s + nperseg] for s in starts])  # (segments, nperseg, d)
    seg = seg - seg.mean(axis=1, keepdims=True)
    X = np.fft.rfft(seg * np.hanning(nperseg)[None, :, None], axis=1)  # (segments, freqs, d)
    S = np.einsum("sfi,sfj->fij", X, X.conj()) / len(starts)  # normalisation cancels below
    inner = np.linalg.solve(np.transpose(S, (0, 2, 1)), S)  # S^{-T} S per frequency
    # the eigenvalues of S^{-T} S are positive with product 1, so tr - d >= 0 (AM-GM): clip rounding
    f = np.maximum(np.real(np.trace(inner, axis1=1, axis2=2)) - d, 0.0)
    w = np.ones(f.size)
    w[0] = w[-1] = 0.5  # trapezoid on omega in [0, pi], grid 2 pi / nperseg
    return float(np.sum(w * f) / nperseg)


def gaussian_entropy_production(x, base=2, *, nperseg=256, n_blocks=10, confidence=0.95, n_batches=None) -> Estimate:
    r"""Entropy production rate of a stationary multivariate linear Gaussian process, from its
    cross-spectral density.

    For a zero-mean stationary Gaussian process with spectral density matrix
    :math:`S(\omega)`, the time-reversed process has :math:`S(\omega)^T`, and the KL
    divergence rate between the two (Kawai, Parrondo & Van den Broeck 2007; the Gaussian
    divergence rate of Kazakos & Papantoni-Kazakos 1980) is

    .. math:: \sigma = \frac{1}{4\pi}\int_{-\pi}^{\pi}
              \left[\operatorname{tr}\left(S(\omega)^{-T} S(\omega)\right) - d\right] d\omega

    (the log-determinant term vanishes since :math:`\det S^T = \det S`), in nats per step,
    converted to units of ``base``. It is 0 for every scalar process (a stationary Gaussian
    scalar process is reversible) and measures the circulation carried by the imaginary part
    (quadrature spectrum) of the cross-spectra. Assumptions: stationarity, Gaussianity
    (otherwise the value is the divergence rate of the Gaussian process with the same second
    moments, a lower bound neither way), a smooth, non-singular spectrum resolved by
    segments of ``nperseg`` samples.

    :math:`S` is estimated by Welch's method (Hann window, 50 % overlap, segment means
    removed). The estimate is biased upwards by spectral noise, roughly in proportion to
    ``1 / (number of segments)``; the bias is removed to first order with the batch
    estimates: with :math:`B` contiguous batches, each with :math:`B` times fewer segments,
    :math:`\hat\sigma = \hat\sigma_{all} - (\bar\sigma_{batch} - \hat\sigma_{all}) / (B - 1)`,
    and the standard error is :math:`\mathrm{sd}(\hat\sigma_{batch}) / \sqrt{B}` (batch means).
    Spectral smoothing (leakage) bias is not corrected: it shrinks with ``nperseg``.

    Parameters
    ----------
    x : array_like of float, shape (n, d)
        One stationary series of ``n`` times and ``d`` channels (1-D: ``d = 1``).
    base : float
        Logarithm base (2: bits per step).
    nperseg : int
        Welch segment length (at least 8; ``n_blocks * nperseg`` at most ``n``).
    n_blocks : int
        Number of contiguous batches (``n_batches``: deprecated name) for the bias correction and standard error (>= 2).
    confidence : float
        Level of the normal interval.

    Returns
    -------
    Estimate
        ``quantity="entropy_production"``, ``method="gaussian_spectral"``; ``extra["plugin"]``
        is the uncorrected estimate on all data.

    References
    ----------
    R. Kawai, J. M. R. Parrondo and C. Van den Broeck, *PRL* 98, 080602 (2007).
    D. Kazakos and P. Papantoni-Kazakos, "Spectral distance measures between Gaussian
    processes", *IEEE Trans. Autom. Control* 25, 950 (1980).
    P. D. Welch, *IEEE Trans. Audio Electroacoust.* 15, 70 (1967).
    """
    b = check_base(base)
    arr = _as_real_rows(x)
    if arr.ndim == 1:
        arr = arr[:, None]
    m = check_positive_int(nperseg, "nperseg", minimum=8)
    n_blocks = renamed(n_blocks, n_batches, new="n_blocks", old="n_batches", default=10)
    B = check_positive_int(n_blocks, "n_blocks", minimum=2)
    _check_confidence(confidence)
    n = arr.shape[0]
    if B * m > n:
        raise ValueError(f"x: {n} times are fewer than n_blocks * nperseg = {B * m}")
    full = _spectral_rate(arr, m)
    cuts = (np.arange(B + 1) * n) // B
    reps = np.array([_spectral_rate(arr[cuts[i]:cuts[i + 1]], m) for i in range(B)])
    lb = math.log(b)
    value = (full - (reps.mean() - full) / (B - 1)) / lb
    se = reps.std(ddof=1) / math.sqrt(B) / lb
    return Estimate.from_stderr("entropy_production", float(value), float(se), confidence=confidence,
                                unit=unit_name(b), method="gaussian_spectral", nonnegative=True,
                                extra={"plugin": full / lb, "n_blocks": B, "nperseg": m})
