r"""Time-pooled estimators for long symbol sequences.

A stationary sequence (or several independent rows of one) is cut into all its windows of
``L`` consecutive symbols -- every window of every row, never one that straddles two rows --
and the windows are pooled into one table of word counts (Crutchfield & Feldman 2003,
*Chaos* 13, 25):

* the block entropy :math:`H(L) = H[X_1 \dots X_L]` from all windows of ``L`` symbols;
* the entropy rate with a history of :math:`k` symbols,
  :math:`h(k) = H[X_t \mid X_{t-k} \dots X_{t-1}]`: by default the plug-in conditional
  entropy of the windows of ``k + 1`` symbols, whose history counts are the marginals of
  the same table (as inform/pyinform and JIDT count it);
* the excess entropy with :math:`k` past and :math:`k` future symbols,
  :math:`E(k) = I[X_{-k} \dots X_{-1} ; X_0 \dots X_{k-1}]`: by default the plug-in mutual
  information of the windows of ``2k`` symbols (past and future counted over the same
  windows);
* the block-entropy curve :math:`H(L)`, :math:`h(L) = H(L) - H(L-1)` and the intercept
  :math:`H(L) - L\,h(L)` for :math:`L = 1 \dots L_{max}`.

Counting
--------
Words are encoded by :mod:`entropy.estimators.words`, the package's one word encoding:
mixed-radix ``int64`` codes when :math:`a^L < 2^{63}` (counted in a dense table when
:math:`a^L` is small, by sorting otherwise), exact relabelling beyond. The longest words are
counted once; shorter ones are derived from them (the counts of a word's prefixes) plus the
one last window of each row that the longer words miss.

Standard errors
---------------
Overlapping windows are correlated, so the iid delta-method standard error of an entropy
is too small. Every estimate here carries a *batch-means* standard error: the data are cut
into ``n_blocks`` contiguous segments (groups of whole rows when there are at least
``n_blocks`` rows, otherwise equal pieces of the rows), the estimator is applied to each
segment, and :math:`\mathrm{se} = \mathrm{sd}(\hat\theta_b) / \sqrt{B}` (Flegal & Jones
2010, *Ann. Statist.* 38, 1034; Carlstein 1986, *Ann. Statist.* 14, 1171). It is
deterministic (no random numbers, hence no seed) and valid when a segment is much longer
than the correlation time of the process and long enough for the segment estimates to have
settled near their large-sample behaviour; with too few data per segment it is unreliable.
The segments' count tables are counted once and the whole series' table is their sum.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from numba import get_num_threads

from .._kernels import blocks as _kb
from .._units import check_base, check_confidence, check_positive_int, unit_name
from . import words as _w
from ._result import Estimate, normal_interval
from .discrete import METHODS, shannon
from .words import Rows as _Rows

__all__ = [
    "block_entropy",
    "entropy_rate",
    "excess_entropy",
    "block_entropy_curve",
    "BlockEntropyCurve",
    "lempel_ziv_entropy_rate",
]

_DIRECTIONS = ("forward", "backward")
_WINDOWS = ("shared", "all")


# ---------------------------------------------------------------------------------------------
# input: rows of a sequence
# ---------------------------------------------------------------------------------------------


def _first(arr, mask) -> str:
    """``[i]=value`` (or ``[i, j]=value``) of the first True entry of ``mask``."""
    idx = tuple(int(i) for i in np.argwhere(mask)[0])
    return f"[{', '.join(map(str, idx))}]={arr[idx].item()!r}"


def _as_rows(series, name: str = "series") -> _Rows:
    """Validate a 1-D or 2-D array of non-negative integer symbols; one row per 1-D array row."""
    arr = np.asarray(series)
    if arr.ndim not in (1, 2):
        raise ValueError(f"{name}: expected a 1-D or 2-D array of symbols, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name}: expected a non-empty array of symbols, got shape {arr.shape}")
    if arr.dtype.kind == "b":
        arr = arr.astype(np.uint8)
    elif arr.dtype.kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if bad.any():
            raise ValueError(f"{name}{_first(arr, bad)}: expected non-negative integer symbols")
        if arr.max() >= 2**62:
            raise ValueError(f"{name}: symbol {arr.max()!r} too large, expected integers below 2**62")
        arr = arr.astype(np.int64)
    elif arr.dtype.kind not in "iu":
        raise ValueError(f"{name}: expected non-negative integer symbols, got dtype {arr.dtype}")
    if arr.dtype.kind == "i" and arr.min() < 0:
        raise ValueError(f"{name}{_first(arr, arr < 0)}: expected non-negative integer symbols")
    if arr.dtype == np.uint64:
        if arr.max() >= 2**62:
            raise ValueError(f"{name}: symbol {arr.max()!r} too large, expected integers below 2**62")
        arr = arr.astype(np.int64)
    arr2 = np.ascontiguousarray(arr.reshape(1, -1) if arr.ndim == 1 else arr)
    n_rows, m = arr2.shape
    starts = np.arange(n_rows, dtype=np.int64) * m
    return _Rows(arr2.reshape(-1), starts, starts + m, int(arr2.max()) + 1)


def _reversed(rows: _Rows) -> _Rows:
    """The same rows with every row reversed (rows of a 2-D array keep their order)."""
    m = int(rows.lengths[0])
    data = np.ascontiguousarray(rows.data.reshape(-1, m)[:, ::-1]).reshape(-1)
    return _Rows(data, rows.starts, rows.ends, rows.alphabet)


def _prepared(series, value, name, window, method, direction, base, n_blocks, confidence):
    """Validate all arguments; return the rows (reversed for ``direction="backward"``) and
    ``value`` (a history or length) as an int. ``window(k)`` is the longest word needed."""
    _check_common(method, direction, base, n_blocks, confidence)
    rows = _as_rows(series)
    k = check_positive_int(value, name)
    _check_window(window(k), rows, name, value)
    return (_reversed(rows) if direction == "backward" else rows), k


def _check_window(window: int, rows: _Rows, name: str, value) -> None:
    m = int(rows.lengths.min())
    if window >= m:
        raise ValueError(
            f"{name}={value!r}: needs words of {window} symbols, expected fewer than the "
            f"row length {m} of the series"
        )


def _blocks(n_blocks, n_batches, minimum=0):
    """``n_blocks``, or the deprecated ``n_batches`` if given (with a DeprecationWarning)."""
    if n_batches is not None:
        warnings.warn("n_batches is deprecated, use n_blocks (the number of blocks of batch means)",
                      DeprecationWarning, stacklevel=3)
        n_blocks = check_positive_int(n_batches, "n_batches", minimum=minimum)
    return check_positive_int(n_blocks, "n_blocks", minimum=minimum)


def _check_batches(n_blocks, confidence):
    check_positive_int(n_blocks, "n_blocks", minimum=0)
    _check_confidence(confidence)


_check_confidence = check_confidence  # the one validator of confidence levels (in entropy._units)


def _check_common(method, direction, base, n_blocks, confidence):
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method={method!r}: expected one of {', '.join(repr(m) for m in METHODS)}")
    if not isinstance(direction, str) or direction not in _DIRECTIONS:
        raise ValueError(f"direction={direction!r}: expected 'forward' or 'backward'")
    check_base(base)
    _check_batches(n_blocks, confidence)



# ---------------------------------------------------------------------------------------------
# batch means
# ---------------------------------------------------------------------------------------------


def _entropy(counts, method, base, alphabet: int, length: int):
    k = float(alphabet) ** length if method == "nsb" else None
    return shannon(counts, method=method, base=base, alphabet_size=None if k is None else int(k))


def _segments(rows, n_blocks, lmax):
    """The batch-means segments of the windows of ``lmax`` symbols, or None (fewer than 2)."""
    if n_blocks < 2:
        return None
    pcs = _w.pieces(rows, n_blocks, lmax, min_windows=4 * lmax)
    return pcs if pcs.n_batches >= 2 else None


def _batch_means(value, reps):
    value = np.asarray(value, dtype=float)
    if reps is None:
        return value, np.full(value.shape, np.nan), 0
    reps = np.asarray(reps, dtype=float)
    return value, reps.std(axis=0, ddof=1) / math.sqrt(len(reps)), len(reps)


def _pooled(rows, lengths, method, base, n_blocks, combine):
    """Value (on all data) and batch-means standard error of ``combine(H(lengths))``, with every
    block entropy :math:`H(L)` counted over all windows of ``L`` symbols.

    ``combine`` maps the vector of block entropies (in the order of ``lengths``) to the
    estimated quantities; it is applied to the whole data and to every segment.
    """
    lmax = max(lengths)
    a = rows.alphabet
    pcs = _segments(rows, n_blocks, lmax)
    groups = pcs if pcs is not None else _w.pieces(rows, max(1, get_num_threads()), lmax)
    if method == "plugin" and _w.dense_ok(rows, lmax, groups.n_batches):
        # one count per segment; shorter words and the whole series' table in one numba pass
        # (the whole is a sum of integer counts: the same for any grouping)
        Hb, H = _w.dense_plugin_entropies(rows, groups, min(lengths))
        col = [lmax - L for L in lengths]
        ln = math.log(check_base(base))
        return _batch_means(combine(H[col] / ln), None if pcs is None else [combine(h[col] / ln) for h in Hb])
    if pcs is not None and _w.dense_ok(rows, lmax, pcs.n_batches):
        # one pass: per-segment dense tables, the whole is their sum
        H = np.empty(len(lengths))
        Hb = np.empty((pcs.n_batches, len(lengths)))
        for L, counts in _w.dense_tables(rows, pcs, min(lengths)):
            for i in (i for i, l in enumerate(lengths) if l == L):
                H[i] = _entropy(counts.sum(axis=0), method, base, a, L)
                # shannon's 1-D path is faster than its 2-D one on large tables
                Hb[:, i] = (_entropy(counts, method, base, a, L) if counts.shape[1] < 4096
                            else [_entropy(row, method, base, a, L) for row in counts])
        return _batch_means(combine(H), [combine(h) for h in Hb])

    def entropies(r):
        t = _w.word_tables(r, lengths, max(1, get_num_threads()))
        return np.array([_entropy(t[L], method, base, a, L) for L in lengths])

    value = combine(entropies(rows))
    if pcs is None:
        return _batch_means(value, None)
    return _batch_means(value, [combine(entropies(pcs.rows(rows, b))) for b in range(pcs.n_batches)])


def _pooled_split(rows, length, split, method, base, n_blocks, combine):
    """Value and batch-means standard error of ``combine(H(ab), H(a), H(b))``: the entropies of
    the windows of ``length`` symbols, of their first ``split`` symbols (a) and of their last
    ``length - split`` symbols (b), all counted over the same windows."""
    a = rows.alphabet
    pcs = _segments(rows, n_blocks, length)

    def value_of(parts):
        c_ab, _, _, c_a, c_b = parts
        return combine(_entropy(c_ab, method, base, a, length), _entropy(c_a, method, base, a, split),
                       _entropy(c_b, method, base, a, length - split))

    if pcs is not None and _w.dense_ok(rows, length, pcs.n_batches):
        _, counts = next(_w.dense_tables(rows, pcs, length))
        reps = [value_of(_w.dense_split(row, a, length, split)) for row in counts]
        return _batch_means(value_of(_w.dense_split(counts.sum(axis=0), a, length, split)), reps)
    value = value_of(_w.split_counts(rows, length, split))
    if pcs is None:
        return _batch_means(value, None)
    return _batch_means(value, [value_of(_w.split_counts(pcs.rows(rows, b), length, split))
                                for b in range(pcs.n_batches)])


def _estimate(quantity, value, stderr, confidence, base, method, extra):
    lo, hi = normal_interval(value, stderr, confidence)
    scalar = np.ndim(value) == 0
    conv = float if scalar else np.asarray
    return Estimate(quantity, conv(value), conv(stderr), conv(lo), conv(hi), confidence, unit_name(base),
                    method, extra)


_SE_DOC = """batch means over ``n_blocks`` contiguous segments (see the module notes);
        NaN when the series is too short to cut into at least two segments"""


# ---------------------------------------------------------------------------------------------
# public estimators
# ---------------------------------------------------------------------------------------------


def block_entropy(series, length, method="plugin", base=2, direction="forward", *, n_blocks=20,
                  confidence=0.95, n_batches=None) -> Estimate:
    r"""Block entropy :math:`H(L) = H[X_1 \dots X_L]` of a stationary sequence, time-pooled.

    Parameters
    ----------
    series : array_like of int, shape (n,) or (rows, n)
        Non-negative integer symbols. Rows of a 2-D array are independent realisations:
        all windows of every row are pooled, none straddles two rows.
    length : int
        Word length :math:`L \ge 1`, smaller than the row length.
    method : str
        Entropy estimator applied to the pooled word counts, one of
        :data:`entropy.estimators.discrete.METHODS` (see
        :func:`entropy.estimators.discrete.shannon`); ``"nsb"`` uses the alphabet size
        :math:`a^L` with ``a`` the largest symbol + 1.
    base : float
        Logarithm base (2: bits).
    direction : {"forward", "backward"}
        ``"backward"`` analyses every row reversed in time. Word counts of the reversed
        sequence are those of the forward one with every word reversed, so block
        entropies (hence :math:`h` and :math:`E`) are the same both ways, as they must be
        for a stationary process (Crutchfield, Ellison & Mahoney 2009).
    n_blocks : int
        Number of contiguous segments for the batch-means standard error (0 or 1: none).
        ``n_batches`` is its deprecated former name.
    confidence : float
        Level of the normal confidence interval.

    Returns
    -------
    Estimate
        ``quantity="block_entropy"``, unit named after ``base``; ``stderr``: {se}.

    Notes
    -----
    :math:`\hat H(L) = -\sum_w \hat p(w) \log \hat p(w)` (for ``method="plugin"``) with
    :math:`\hat p(w)` the fraction of windows of ``L`` symbols equal to the word ``w``
    (Cover & Thomas 2006, ch. 4; Crutchfield & Feldman 2003). Equal to pyinform's
    ``block_entropy`` (Moore et al. 2018) for the plug-in.

    References
    ----------
    J. P. Crutchfield and D. P. Feldman, "Regularities unseen, randomness observed: levels
    of entropy convergence", *Chaos* 13, 25 (2003).
    J. P. Crutchfield, C. J. Ellison and J. R. Mahoney, "Time's barbed arrow:
    irreversibility, crypticity, and stored information", *PRL* 103, 094101 (2009).
    """
    n_blocks = _blocks(n_blocks, n_batches)
    rows, L = _prepared(series, length, "length", lambda x: x, method, direction, base, n_blocks, confidence)
    v, se, nb = _pooled(rows, [L], method, base, n_blocks, lambda H: H[0])
    return _estimate("block_entropy", v, se, confidence, base, method,
                     {"length": L, "direction": direction, "n_blocks": nb})


def _check_windows(windows):
    if not isinstance(windows, str) or windows not in _WINDOWS:
        raise ValueError(f"windows={windows!r}: expected 'shared' (default) or 'all'")


def entropy_rate(series, history=1, method="plugin", base=2, direction="forward", *, windows="shared",
                 n_blocks=20, confidence=0.95, n_batches=None) -> Estimate:
    r"""Entropy rate with a finite history, :math:`h(k) = H[X_t \mid X_{t-k} \dots X_{t-1}]`.

    .. math:: \hat h(k) = \hat H[X_{t-k} \dots X_t] - \hat H[X_{t-k} \dots X_{t-1}]
              = -\sum_{w, x} \hat p(w x) \log \frac{\hat p(w x)}{\hat p(w)}

    with both counted over the same windows of ``k + 1`` symbols (``windows="shared"``,
    default): the history counts are the marginals of the table of the ``k + 1``-windows,
    so the plug-in is the conditional entropy of the empirical law, between 0 and
    :math:`\log a`, and equals pyinform's / inform's ``entropy_rate`` (and JIDT's). ``method``
    applies to both terms. :math:`h(k)` decreases to the entropy rate :math:`h_\mu` and
    equals it for a Markov chain of order :math:`\le k` (Cover & Thomas 2006, Thm 4.2.1;
    Crutchfield & Feldman 2003, eq. 7).

    ``windows="all"`` gives the block-entropy difference :math:`\hat H(k+1) - \hat H(k)` with
    each block entropy counted over all its windows (``k`` windows of ``k`` symbols more: the
    last history of each row has no next symbol); it equals ``block_entropy_curve``'s
    :math:`h(L)` at :math:`L = k + 1`, and can be negative on short series.

    Parameters
    ----------
    series, method, base, direction, n_blocks, confidence
        As in :func:`block_entropy`.
    history : int
        Number :math:`k \ge 1` of past symbols (default 1); ``k + 1`` must be below the row
        length.
    windows : {"shared", "all"}
        See above.

    Returns
    -------
    Estimate
        ``quantity="entropy_rate"`` in units of ``base`` per symbol; ``stderr``: {se}.
    """
    n_blocks = _blocks(n_blocks, n_batches)
    _check_windows(windows)
    rows, k = _prepared(series, history, "history", lambda x: x + 1, method, direction, base, n_blocks,
                        confidence)
    if windows == "all":
        v, se, nb = _pooled(rows, [k, k + 1], method, base, n_blocks, lambda H: H[1] - H[0])
    else:
        v, se, nb = _pooled_split(rows, k + 1, k, method, base, n_blocks,
                                  lambda Hab, Ha, Hb: max(Hab - Ha, 0.0) if method == "plugin" else Hab - Ha)
    return _estimate("entropy_rate", v, se, confidence, base, method,
                     {"history": k, "direction": direction, "windows": windows, "n_blocks": nb})


def excess_entropy(series, history=1, method="plugin", base=2, direction="forward", *, windows="shared",
                   n_blocks=20, confidence=0.95, n_batches=None) -> Estimate:
    r"""Finite excess entropy :math:`E(k) = I[X_{-k} \dots X_{-1} ; X_0 \dots X_{k-1}]`.

    .. math:: \hat E(k) = \hat H(\text{past}) + \hat H(\text{future}) - \hat H(\text{past}, \text{future})

    with past, future and joint counted over the same windows of ``2k`` symbols
    (``windows="shared"``, default): the plug-in mutual information of the empirical law of
    the windows, never negative. ``method`` applies to the three entropies. For a Markov
    chain of order 1, :math:`E(k) = I[X_0; X_1] = H(1) - h_\mu` for every :math:`k \ge 1`
    (Crutchfield & Feldman 2003).

    ``windows="all"`` gives :math:`2\hat H(k) - \hat H(2k)` with each block entropy counted over
    all its windows (can be negative on short series).

    Parameters
    ----------
    series, method, base, direction, n_blocks, confidence
        As in :func:`block_entropy`.
    history : int
        Number :math:`k \ge 1` of past and of future symbols (default 1); ``2k`` must be below
        the row length.
    windows : {"shared", "all"}
        See above.

    Returns
    -------
    Estimate
        ``quantity="excess_entropy"`` in units of ``base``; ``stderr``: {se}.
    """
    n_blocks = _blocks(n_blocks, n_batches)
    _check_windows(windows)
    rows, k = _prepared(series, history, "history", lambda x: 2 * x, method, direction, base, n_blocks,
                        confidence)
    if windows == "all":
        v, se, nb = _pooled(rows, [k, 2 * k], method, base, n_blocks, lambda H: 2.0 * H[0] - H[1])
    else:
        v, se, nb = _pooled_split(rows, 2 * k, k, method, base, n_blocks,
                                  lambda Hab, Ha, Hb: max(Ha + Hb - Hab, 0.0) if method == "plugin"
                                  else Ha + Hb - Hab)
    return _estimate("excess_entropy", v, se, confidence, base, method,
                     {"history": k, "direction": direction, "windows": windows, "n_blocks": nb})


for _f in (block_entropy, entropy_rate, excess_entropy):
    _f.__doc__ = _f.__doc__.replace("{se}", _SE_DOC)


@dataclass(frozen=True)
class BlockEntropyCurve:
    r"""Block entropies and what follows from them, for :math:`L = 1 \dots L_{max}`.

    Attributes
    ----------
    lengths : ndarray of int
        :math:`L = 1 \dots L_{max}`.
    block_entropy : Estimate
        :math:`H(L)`, array-valued.
    entropy_rate : Estimate
        :math:`h(L) = H(L) - H(L-1)` with :math:`H(0) = 0`: the entropy rate given
        :math:`L - 1` past symbols (each block entropy over all its windows).
    excess_entropy_intercept : Estimate
        :math:`H(L) - L\,h(L)`, the intercept at :math:`L = 0` of the line through
        :math:`H(L-1)` and :math:`H(L)`: an estimate of the excess entropy :math:`E` that
        increases to it (Crutchfield & Feldman 2003, sec. IV). Not the same as
        :meth:`entropy.HiddenMarkovModel.excess_entropy_curve`, which is
        :math:`H(L) - L\,h_\mu` with the true entropy rate. (``excess_entropy`` is its
        deprecated former name.)
    """

    lengths: np.ndarray
    block_entropy: Estimate
    entropy_rate: Estimate
    excess_entropy_intercept: Estimate
    extra: dict = field(default_factory=dict)

    @property
    def excess_entropy(self) -> Estimate:
        """Deprecated name of :attr:`excess_entropy_intercept`."""
        warnings.warn("BlockEntropyCurve.excess_entropy is deprecated: it is H(L) - L h(L), now named "
                      "excess_entropy_intercept", DeprecationWarning, stacklevel=2)
        return self.excess_entropy_intercept

    @property
    def unit(self) -> str:
        return self.block_entropy.unit

    def __len__(self):
        return self.lengths.size

    def __repr__(self):
        return (f"BlockEntropyCurve(L=1..{self.lengths[-1]}, unit={self.unit!r}, "
                f"method={self.block_entropy.method!r})")


def block_entropy_curve(series, max_length, method="plugin", base=2, direction="forward", *,
                        n_blocks=20, confidence=0.95, n_batches=None) -> BlockEntropyCurve:
    r"""Block-entropy curve :math:`H(L)`, :math:`h(L)` and :math:`H(L) - L h(L)` for :math:`L = 1 \dots L_{max}`.

    The words of ``max_length`` symbols are counted once (per segment of the batch means;
    the whole series' table is the sum of the segments') and the shorter ones derived from
    them, so the whole curve with its standard errors costs about one count.

    Parameters
    ----------
    series, method, base, direction, n_blocks, confidence
        As in :func:`block_entropy`.
    max_length : int
        Longest word :math:`L_{max} \ge 1`, below the row length.

    Returns
    -------
    BlockEntropyCurve
        Three array-valued :class:`Estimate` objects (``block_entropy``, ``entropy_rate``,
        ``excess_entropy_intercept``), each with a batch-means standard error of every entry
        (see the module notes).

    References
    ----------
    J. P. Crutchfield and D. P. Feldman, *Chaos* 13, 25 (2003), eqs. 7, 24.
    """
    n_blocks = _blocks(n_blocks, n_batches)
    rows, lmax = _prepared(series, max_length, "max_length", lambda x: x, method, direction, base, n_blocks,
                           confidence)
    lengths = list(range(1, lmax + 1))
    L = np.arange(1, lmax + 1)

    def combine(H):
        h = np.diff(np.concatenate(([0.0], H)))
        return np.stack([H, h, H - L * h])

    v, se, nb = _pooled(rows, lengths, method, base, n_blocks, combine)
    extra = {"direction": direction, "n_blocks": nb}
    parts = [_estimate(q, v[i], se[i], confidence, base, method, extra)
             for i, q in enumerate(("block_entropy", "entropy_rate", "excess_entropy_intercept"))]
    return BlockEntropyCurve(L, *parts, extra=extra)


# ---------------------------------------------------------------------------------------------
# Lempel-Ziv
# ---------------------------------------------------------------------------------------------


def _suffix_array(x: np.ndarray):
    """Suffix array and rank array of an integer sequence, by prefix doubling (Manber & Myers
    1993): O(n log n) per round, rounds = log2 of the longest repeat."""
    n = x.size
    _, rank = np.unique(x, return_inverse=True)
    rank = rank.reshape(-1).astype(np.int64)
    k = 1
    while True:
        second = np.zeros(n, np.int64)
        second[:n - k] = rank[k:] + 1  # 0: past the end, sorts first
        key = rank * (n + 1) + second
        sa = np.argsort(key, kind="stable")
        sk = key[sa]
        rank = np.empty(n, np.int64)
        rank[sa] = np.concatenate(([0], np.cumsum(sk[1:] != sk[:-1])))
        if rank[sa[-1]] == n - 1 or k >= n:
            return sa, rank
        k *= 2


def _match_lengths(x: np.ndarray) -> np.ndarray:
    """``Lambda_i = 1 + `` longest prefix of ``x[i:]`` that starts somewhere before ``i``: the
    length of the shortest word at ``i`` never seen starting earlier (capped at the end)."""
    sa, rank = _suffix_array(x)
    lcp = np.empty(x.size, np.int64)
    _kb.lcp_kasai(x, sa, rank, lcp)
    lpf = np.empty(x.size, np.int64)
    _kb.longest_previous_factor(sa, lcp, lpf)
    return lpf + 1


def _lz76_phrases(lam: np.ndarray) -> int:
    """Number of phrases of the exhaustive-history parsing, from the match lengths."""
    i, c, n = 0, 0, lam.size
    while i < n:  # phrases are long (about log n), so this loop is short
        c += 1
        i += int(lam[i])
    return c


_LZ_METHODS = ("lz76", "kontoyiannis")


def lempel_ziv_entropy_rate(series, base=2, *, method="lz76", n_blocks=20, confidence=0.95,
                            n_batches=None) -> Estimate:
    r"""Entropy rate from Lempel-Ziv parsing / match lengths.

    Both methods use the match lengths :math:`\Lambda_i`: the length of the shortest word
    starting at :math:`i` that does not start anywhere in :math:`x_0 \dots x_{i-1}` (it may
    overlap position :math:`i`), computed exactly for all :math:`i` from a suffix array
    (prefix doubling), the LCP array (Kasai et al. 2001) and the longest previous factors
    (Crochemore & Ilie 2008): :math:`O(n \log n)` time, about 60 bytes per symbol.

    * ``method="lz76"``: :math:`\hat h = c(n) \log_b n / n` with :math:`c(n)` the number of
      phrases of the exhaustive-history parsing of Lempel & Ziv (1976) (each phrase is the
      shortest word at its start not seen starting earlier, of length :math:`\Lambda_i`; a
      last, incomplete phrase counts as one), as in Kaspar & Schuster (1987). For a
      stationary ergodic source :math:`c(n) \log_a n / n \to h_\mu / \log a` (Ziv 1978).
      Convergence is slow: the bias is of order :math:`1/\log n` (upwards at moderate
      ``n``).
    * ``method="kontoyiannis"``: the increasing-window match-length estimator of
      Kontoyiannis et al. (1998),
      :math:`\hat h = \left[\frac{1}{n-1} \sum_{i=1}^{n-1} \frac{\Lambda_i}{\log_b (i+1)}\right]^{-1}`
      (consistent for stationary ergodic sources with a finite-memory condition). Its bias
      is also of order :math:`1/\log n`, downwards: :math:`\Lambda_i` exceeds
      :math:`\log i / h` by a few symbols (about -7 % for a fair coin at :math:`n = 10^6`).
      Here a match may overlap position :math:`i` (as in LZ77); the paper asks for a match
      inside the past, a difference of lower order. Near the end of a row
      :math:`\Lambda_i` is truncated by the row's end.

    Parameters
    ----------
    series : array_like of int, shape (n,) or (rows, n)
        Non-negative integer symbols. For several rows the value is the mean of the
        per-row estimates.
    base : float
        Logarithm base (2: bits per symbol).
    method : {"lz76", "kontoyiannis"}
        See above.
    n_blocks, confidence
        Batch-means standard error over contiguous segments (see the module notes) and the
        level of the interval.

    Returns
    -------
    Estimate
        ``quantity="entropy_rate"``; for ``lz76``, ``extra["complexity"]`` holds
        :math:`c(n)` of each row.

    References
    ----------
    A. Lempel and J. Ziv, "On the complexity of finite sequences", *IEEE Trans. Inf.
    Theory* 22, 75 (1976).
    F. Kaspar and H. G. Schuster, "Easily calculable measure for the complexity of
    spatiotemporal patterns", *Phys. Rev. A* 36, 842 (1987).
    I. Kontoyiannis, P. H. Algoet, Yu. M. Suhov and A. J. Wyner, "Nonparametric entropy
    estimation for stationary processes and random fields, with applications to English
    text", *IEEE Trans. Inf. Theory* 44, 1319 (1998).
    M. Crochemore and L. Ilie, "Computing longest previous factor in linear time and
    applications", *Inf. Process. Lett.* 106, 75 (2008).
    """
    b = check_base(base)
    if not isinstance(method, str) or method not in _LZ_METHODS:
        raise ValueError(f"method={method!r}: expected 'lz76' or 'kontoyiannis'")
    n_blocks = _blocks(n_blocks, n_batches)
    _check_batches(n_blocks, confidence)
    rows = _as_rows(series)
    m = int(rows.lengths.min())
    if m < 2:
        raise ValueError(f"series: rows of {m} symbol, expected at least 2")
    logb = math.log(b)

    def estimate(r: _Rows):
        values, phrases = [], []
        for s, e in zip(r.starts, r.ends):
            lam = _match_lengths(r.data[s:e])
            n = e - s
            if method == "lz76":
                phrases.append(_lz76_phrases(lam))
                values.append(phrases[-1] * math.log(n) / n)
            else:
                values.append(1.0 / float(np.mean(lam[1:] / np.log(np.arange(2, n + 1)))))
        return np.array(phrases), float(np.mean(values)) / logb

    c, value = estimate(rows)
    pieces = _w.pieces(rows, n_blocks, 1, min_windows=64) if n_blocks >= 2 else None
    if pieces is not None and pieces.n_batches >= 2:
        reps = np.array([estimate(pieces.rows(rows, b))[1] for b in range(pieces.n_batches)])
        stderr, nb = float(reps.std(ddof=1) / math.sqrt(len(reps))), len(reps)
    else:
        stderr, nb = float("nan"), 0
    extra = {"n_blocks": nb}
    if method == "lz76":
        extra["complexity"] = c
    return _estimate("entropy_rate", value, stderr, confidence, base, method, extra)
