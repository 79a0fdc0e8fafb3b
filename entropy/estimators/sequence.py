r"""Time-pooled estimators for long symbol sequences.

A stationary sequence (or several independent rows of one) is cut into all its windows of
``L`` consecutive symbols -- every window of every row, never one that straddles two rows --
and the windows are pooled into one table of word counts. From the block entropies
:math:`H(L) = H[X_1 \dots X_L]` follow (Crutchfield & Feldman 2003, *Chaos* 13, 25):

* the entropy rate with a history of :math:`k` symbols,
  :math:`h(k) = H[X_t \mid X_{t-k} \dots X_{t-1}] = H(k+1) - H(k)`;
* the excess entropy with :math:`k` past and :math:`k` future symbols,
  :math:`E(k) = I[X_{-k} \dots X_{-1} ; X_0 \dots X_{k-1}] = 2H(k) - H(2k)`;
* the block-entropy curve :math:`H(L)`, :math:`h(L) = H(L) - H(L-1)` and
  :math:`E(L) = H(L) - L\,h(L)` for :math:`L = 1 \dots L_{max}`.

Counting
--------
Words of ``L`` symbols over an alphabet of ``a`` symbols get mixed-radix ``int64`` codes
when :math:`a^L < 2^{63}`; they are counted in a dense table when :math:`a^L` is small, by
sorting otherwise. Beyond :math:`2^{63}` the words are relabelled exactly: the code of a
word of ``L`` symbols is the rank of the pair (code of its prefix of ``L - 1`` symbols,
last symbol) among the distinct pairs, which stays collision-free for any alphabet and any
``L``. The longest words are counted once; shorter ones are derived from them (the counts
of a word's prefixes) plus the one last window of each row that the longer words miss.

Standard errors
---------------
Overlapping windows are correlated, so the iid delta-method standard error of an entropy
is too small. Every estimate here carries a *batch-means* standard error: the data are cut
into ``n_batches`` contiguous segments (groups of whole rows when there are at least
``n_batches`` rows, otherwise equal pieces of the rows), the estimator is applied to each
segment, and :math:`\mathrm{se} = \mathrm{sd}(\hat\theta_b) / \sqrt{B}` (Flegal & Jones
2010, *Ann. Statist.* 38, 1034; Carlstein 1986, *Ann. Statist.* 14, 1171). It is
deterministic (no random numbers, hence no seed) and valid when a segment is much longer
than the correlation time of the process and long enough for the segment estimates to have
settled near their large-sample behaviour; with too few data per segment it is unreliable.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np
from numba import get_num_threads

from .._kernels import blocks as _kb
from .._units import check_base, check_positive_int, unit_name
from ._result import Estimate, normal_interval
from .discrete import METHODS, shannon

__all__ = [
    "block_entropy",
    "entropy_rate",
    "excess_entropy",
    "block_entropy_curve",
    "BlockEntropyCurve",
    "lempel_ziv_entropy_rate",
]

_DIRECTIONS = ("forward", "backward")
_INT63 = 2**63 - 1
_DENSE_MAX = 2**22  # largest dense table of word counts (entries)
_DENSE_TOTAL = 2**25  # largest total of dense tables held at once (entries)
_TASK_WINDOWS = 1 << 18  # windows per parallel task


# ---------------------------------------------------------------------------------------------
# input: rows of a sequence
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rows:
    """Rows ``data[starts[r]:ends[r]]`` of symbols ``0 .. alphabet - 1``."""

    data: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    alphabet: int

    @property
    def lengths(self):
        return self.ends - self.starts

    def subset(self, starts, ends):
        return _Rows(self.data, np.asarray(starts, np.int64), np.asarray(ends, np.int64), self.alphabet)


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


def _compressed(rows: _Rows) -> _Rows:
    """Relabel the symbols to ``0 .. K-1`` with ``K`` the number of distinct symbols seen."""
    _, inv = np.unique(rows.data, return_inverse=True)
    inv = inv.reshape(-1).astype(np.int64)
    return _Rows(inv, rows.starts, rows.ends, int(inv.max()) + 1)


def _prepared(series, value, name, window, method, direction, base, n_batches, confidence):
    """Validate all arguments; return the rows (reversed for ``direction="backward"``) and
    ``value`` (a history or length) as an int. ``window(k)`` is the longest word needed."""
    _check_common(method, direction, base, n_batches, confidence)
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


def _check_batches(n_batches, confidence):
    check_positive_int(n_batches, "n_batches", minimum=0)
    _check_confidence(confidence)


def _check_confidence(confidence):
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real) or not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence={confidence!r}: expected a number in (0, 1)")


def _check_common(method, direction, base, n_batches, confidence):
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method={method!r}: expected one of {', '.join(repr(m) for m in METHODS)}")
    if not isinstance(direction, str) or direction not in _DIRECTIONS:
        raise ValueError(f"direction={direction!r}: expected 'forward' or 'backward'")
    check_base(base)
    _check_batches(n_batches, confidence)


# ---------------------------------------------------------------------------------------------
# counting
# ---------------------------------------------------------------------------------------------


def _fits(a: int, length: int) -> bool:
    return a**length <= _INT63


@dataclass(frozen=True)
class _Pieces:
    """Contiguous pieces of the rows, as ranges ``[u, v)`` of start positions of the longest
    words (``lmax`` symbols).

    ``end`` is the end of the piece's row and ``final`` marks the last piece of a row: only
    there do the shorter words have start positions beyond ``v`` (up to ``end - L``).
    ``batch`` (non-decreasing) groups the pieces into ``n_batches`` segments.
    """

    u: np.ndarray
    v: np.ndarray
    end: np.ndarray
    final: np.ndarray
    batch: np.ndarray
    n_batches: int
    lmax: int

    def rows(self, rows: _Rows, b: int) -> _Rows:
        """The data of segment ``b`` as rows (a piece reads ``lmax - 1`` symbols past ``v``)."""
        sel = self.batch == b
        return rows.subset(self.u[sel], self.v[sel] + self.lmax - 1)


def _pieces(rows: _Rows, n_parts: int, lmax: int, min_windows: int = 1) -> _Pieces:
    """Cut the rows into about ``n_parts`` segments of whole rows, or of equal row pieces.

    With fewer rows than ``n_parts`` every row is cut into the same number of pieces, reduced
    so that a piece holds at least ``min_windows`` words of ``lmax`` symbols.
    """
    n_rows = rows.starts.size
    nwin = rows.lengths - lmax + 1
    if n_rows >= n_parts:
        batch = (np.arange(n_rows) * n_parts) // n_rows
        return _Pieces(rows.starts, rows.starts + nwin, rows.ends, np.ones(n_rows, bool), batch, n_parts, lmax)
    m = int(nwin.min())
    p = max(1, min(-(-n_parts // n_rows), m // max(1, min_windows)))
    j = np.tile(np.arange(p), n_rows)
    r = np.repeat(np.arange(n_rows), p)
    u = rows.starts[r] + (j * nwin[r]) // p
    v = rows.starts[r] + ((j + 1) * nwin[r]) // p
    return _Pieces(u, v, rows.ends[r], j == p - 1, np.arange(n_rows * p), n_rows * p, lmax)


def _tasks(rows: _Rows, length: int):
    """Split the windows of ``length`` symbols into tasks of at most ``_TASK_WINDOWS``.

    Returns ``task_pos, task_n, task_out`` (offset of the task's first window in the
    compact list of all windows, rows in order) and the total number of windows.
    """
    nwin = np.maximum(rows.lengths - length + 1, 0)
    per_row = -(-nwin // _TASK_WINDOWS)
    row_of = np.repeat(np.arange(nwin.size), per_row)
    k = np.arange(int(per_row.sum())) - (np.cumsum(per_row) - per_row)[row_of]
    task_pos = (rows.starts[row_of] + k * _TASK_WINDOWS).astype(np.int64)
    task_n = np.minimum(nwin[row_of] - k * _TASK_WINDOWS, _TASK_WINDOWS).astype(np.int64)
    return task_pos, task_n, (np.cumsum(task_n) - task_n).astype(np.int64), int(task_n.sum())


def _last_codes(rows: _Rows, length: int) -> np.ndarray:
    out = np.empty(rows.starts.size, np.int64)
    _kb.last_window_codes(rows.data, rows.starts, rows.ends, length, rows.alphabet, out)
    return out[out >= 0]


def _all_codes(rows: _Rows, length: int):
    """Codes of all windows of ``length`` symbols (rows in order)."""
    pos, n, off, total = _tasks(rows, length)
    out = np.empty(total, np.int64)
    _kb.window_codes(rows.data, pos, n, off, length, rows.alphabet, out)
    return out


def _sorted_table(codes):
    """Distinct values (sorted) and their counts of an int64 array (sorted in place)."""
    codes.sort()
    if codes.size == 0:
        return codes, np.zeros(0, np.int64)
    edge = np.flatnonzero(np.diff(codes)) + 1
    first = np.concatenate(([0], edge))
    return codes[first], np.diff(np.concatenate((first, [codes.size])))


def _shorten_sparse(codes, counts, a, tail):
    """Counts of the words one symbol shorter, from the sorted table of longer words."""
    prefix = codes // a
    first = np.concatenate(([0], np.flatnonzero(np.diff(prefix)) + 1))
    codes2 = prefix[first]
    counts2 = np.add.reduceat(counts, first)
    if tail.size:
        tu, tc = _sorted_table(tail.copy())
        where = np.searchsorted(codes2, tu)
        hit = where < codes2.size
        hit[hit] = codes2[where[hit]] == tu[hit]
        counts2[where[hit]] += tc[hit]
        codes2 = np.insert(codes2, where[~hit], tu[~hit])
        counts2 = np.insert(counts2, where[~hit], tc[~hit])
    return codes2, counts2


def _dense_ok(rows: _Rows, length: int, n_tables: int = 1) -> bool:
    """Whether ``n_tables`` dense tables of ``a**length`` counts are reasonable."""
    a = rows.alphabet
    if not _fits(a, length):
        return False
    k = a**length
    nwin = int(np.maximum(rows.lengths - length + 1, 0).sum())
    return k <= min(_DENSE_MAX, max(4096, 2 * nwin)) and n_tables * k <= _DENSE_TOTAL


def _dense_tables(rows: _Rows, pieces: _Pieces, lmin: int):
    """Yield ``(L, counts)`` for ``L = lmax, lmax - 1, ..., lmin``; ``counts[b]`` is the dense
    table of the words of segment ``b`` (the rows of ``counts`` add up to all windows).

    The longest words are counted once; a table of ``L`` symbols is the previous one summed
    over the last symbol, plus the one window ``[end - L, end)`` of each row that the longer
    words miss. Do not keep a yielded table: the next one may reuse its memory.
    """
    a, lmax, nb = rows.alphabet, pieces.lmax, pieces.n_batches
    counts = np.zeros((nb, a**lmax), np.int64)
    bounds = np.searchsorted(pieces.batch, np.arange(nb + 1)).astype(np.int64)
    _kb.count_windows_dense(rows.data, pieces.u.astype(np.int64), (pieces.v - pieces.u).astype(np.int64),
                            bounds, lmax, a, counts)
    fin = pieces.final
    tail_rows = rows.subset(pieces.end[fin] - lmax - 1, pieces.end[fin])
    tail_batch = pieces.batch[fin]
    for L in range(lmax, lmin - 1, -1):
        if L < lmax:
            counts = counts.reshape(nb, -1, a).sum(axis=2)
            np.add.at(counts, (tail_batch, _last_codes(tail_rows, L)), 1)
        yield L, counts


def _word_tables(rows: _Rows, lengths) -> dict:
    """Word counts for every length in ``lengths`` (all windows of all rows pooled).

    Returns ``{L: counts}`` with the positive counts of the distinct words of ``L`` symbols
    (in no meaningful order).
    """
    lengths = sorted(set(int(L) for L in lengths))
    lmax = lengths[-1]
    out = {}
    if not _fits(rows.alphabet, lmax):
        # relabel the symbols densely, then relabel words beyond the int64 range
        rows = _compressed(rows)
    a = rows.alphabet
    l_fit = lmax
    while not _fits(a, l_fit):
        l_fit -= 1
    need = [L for L in lengths if L <= l_fit]
    if need:
        top, lo = need[-1], need[0]
        n_groups = max(1, get_num_threads())
        if _dense_ok(rows, top, n_groups):
            for L, counts in _dense_tables(rows, _pieces(rows, n_groups, top), lo):
                if L in need:
                    total = counts.sum(axis=0)
                    out[L] = total[total > 0]
        else:
            codes, counts = _sorted_table(_all_codes(rows, top))
            for L in range(top, lo - 1, -1):
                if L < top:
                    codes, counts = _shorten_sparse(codes, counts, a, _last_codes(rows, L))
                if L in need:
                    out[L] = counts
    if l_fit < lmax:
        out.update(_relabel_tables(rows, l_fit, [L for L in lengths if L > l_fit]))
    return out


def _relabel_tables(rows: _Rows, l_fit: int, lengths) -> dict:
    """Exact counts of words longer than the int64 mixed-radix range, by iterated ranking."""
    a = rows.alphabet
    nwin = np.maximum(rows.lengths - l_fit + 1, 0)
    pos = np.concatenate([np.arange(s, s + w, dtype=np.int64) for s, w in zip(rows.starts, nwin)])
    row_end = np.repeat(rows.ends, nwin)
    _, rank = np.unique(_all_codes(rows, l_fit), return_inverse=True)
    rank = rank.reshape(-1).astype(np.int64)
    if (int(rank.max()) + 1) * a > _INT63:
        raise ValueError(f"series: {rank.size} windows over {a} symbols are too many to relabel exactly")
    out = {}
    for L in range(l_fit + 1, max(lengths) + 1):
        keep = pos + L <= row_end
        pos, row_end, rank = pos[keep], row_end[keep], rank[keep]
        pair = np.empty(rank.size, np.int64)
        _kb.pair_codes(rank, rows.data, pos, L - 1, a, pair)
        _, rank, counts = np.unique(pair, return_inverse=True, return_counts=True)
        rank = rank.reshape(-1).astype(np.int64)
        if L in lengths:
            out[L] = counts
    return out


# ---------------------------------------------------------------------------------------------
# batch means
# ---------------------------------------------------------------------------------------------


def _entropy(counts, method, base, alphabet: int, length: int):
    k = alphabet**length if method == "nsb" else None
    return shannon(counts, method=method, base=base, alphabet_size=k)


def _pooled(rows, lengths, method, base, n_batches, combine):
    """Value (on all data) and batch-means standard error of ``combine(H(lengths))``.

    ``combine`` maps the vector of block entropies (in the order of ``lengths``) to the
    estimated quantities; it is applied to the whole data and to every segment.
    """
    lmax = max(lengths)
    a = rows.alphabet
    pieces = _pieces(rows, n_batches, lmax, min_windows=4 * lmax) if n_batches >= 2 else None
    if pieces is not None and pieces.n_batches < 2:
        pieces = None
    if pieces is not None and _dense_ok(rows, lmax, pieces.n_batches):
        # one pass: per-segment dense tables, the whole is their sum
        H = np.empty(len(lengths))
        Hb = np.empty((pieces.n_batches, len(lengths)))
        for L, counts in _dense_tables(rows, pieces, min(lengths)):
            for i in (i for i, l in enumerate(lengths) if l == L):
                H[i] = _entropy(counts.sum(axis=0), method, base, a, L)
                # shannon's 1-D path is faster than its 2-D one on large tables
                Hb[:, i] = (_entropy(counts, method, base, a, L) if counts.shape[1] < 4096
                            else [_entropy(row, method, base, a, L) for row in counts])
        value = np.asarray(combine(H), dtype=float)
        reps = np.array([combine(h) for h in Hb], dtype=float)
    else:
        def entropies(r):
            t = _word_tables(r, lengths)
            return np.array([_entropy(t[L], method, base, a, L) for L in lengths])

        value = np.asarray(combine(entropies(rows)), dtype=float)
        if pieces is None:
            return value, np.full(value.shape, np.nan), 0
        reps = np.array([combine(entropies(pieces.rows(rows, b))) for b in range(pieces.n_batches)])
    stderr = reps.std(axis=0, ddof=1) / math.sqrt(len(reps))
    return value, stderr, len(reps)


def _estimate(quantity, value, stderr, confidence, base, method, extra):
    lo, hi = normal_interval(value, stderr, confidence)
    scalar = np.ndim(value) == 0
    conv = float if scalar else np.asarray
    return Estimate(quantity, conv(value), conv(stderr), conv(lo), conv(hi), confidence, unit_name(base),
                    method, extra)


_SE_DOC = """batch means over ``n_batches`` contiguous segments (see the module notes);
        NaN when the series is too short to cut into at least two segments"""


# ---------------------------------------------------------------------------------------------
# public estimators
# ---------------------------------------------------------------------------------------------


def block_entropy(series, length, method="plugin", base=2, direction="forward", *, n_batches=20,
                  confidence=0.95) -> Estimate:
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
    n_batches : int
        Number of contiguous segments for the standard error (0 or 1: none).
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
    (Cover & Thomas 2006, ch. 4; Crutchfield & Feldman 2003).

    References
    ----------
    J. P. Crutchfield and D. P. Feldman, "Regularities unseen, randomness observed: levels
    of entropy convergence", *Chaos* 13, 25 (2003).
    J. P. Crutchfield, C. J. Ellison and J. R. Mahoney, "Time's barbed arrow:
    irreversibility, crypticity, and stored information", *PRL* 103, 094101 (2009).
    """
    rows, L = _prepared(series, length, "length", lambda x: x, method, direction, base, n_batches,
                            confidence)
    v, se, nb = _pooled(rows, [L], method, base, n_batches, lambda H: H[0])
    return _estimate("block_entropy", v, se, confidence, base, method,
                     {"length": L, "direction": direction, "n_batches": nb})


def entropy_rate(series, history, method="plugin", base=2, direction="forward", *, n_batches=20,
                 confidence=0.95) -> Estimate:
    r"""Entropy rate with a finite history, :math:`h(k) = H[X_t \mid X_{t-k} \dots X_{t-1}]`.

    Estimated as :math:`\hat H(k+1) - \hat H(k)` from the pooled windows of ``k + 1`` and
    ``k`` symbols (see :func:`block_entropy` for the parameters). :math:`h(k)` decreases
    to the entropy rate :math:`h_\mu` and equals it for a Markov chain of order
    :math:`\le k` (Cover & Thomas 2006, Thm 4.2.1; Crutchfield & Feldman 2003, eq. 7).

    Parameters
    ----------
    series, method, base, direction, n_batches, confidence
        As in :func:`block_entropy`.
    history : int
        Number :math:`k \ge 1` of past symbols; ``k + 1`` must be below the row length.

    Returns
    -------
    Estimate
        ``quantity="entropy_rate"`` in units of ``base`` per symbol; ``stderr``: {se}.
    """
    rows, k = _prepared(series, history, "history", lambda x: x + 1, method, direction, base, n_batches,
                            confidence)
    v, se, nb = _pooled(rows, [k, k + 1], method, base, n_batches, lambda H: H[1] - H[0])
    return _estimate("entropy_rate", v, se, confidence, base, method,
                     {"history": k, "direction": direction, "n_batches": nb})


def excess_entropy(series, history, method="plugin", base=2, direction="forward", *, n_batches=20,
                   confidence=0.95) -> Estimate:
    r"""Finite excess entropy :math:`E(k) = I[X_{-k} \dots X_{-1} ; X_0 \dots X_{k-1}]`.

    Estimated as :math:`2\hat H(k) - \hat H(2k)` from the pooled windows of ``k`` and ``2k``
    symbols (see :func:`block_entropy` for the parameters). For a Markov chain of order
    1, :math:`E(k) = I[X_0; X_1] = H(1) - h_\mu` for every :math:`k \ge 1`
    (Crutchfield & Feldman 2003).

    Parameters
    ----------
    series, method, base, direction, n_batches, confidence
        As in :func:`block_entropy`.
    history : int
        Number :math:`k \ge 1` of past and of future symbols; ``2k`` must be below the row
        length.

    Returns
    -------
    Estimate
        ``quantity="excess_entropy"`` in units of ``base``; ``stderr``: {se}.
    """
    rows, k = _prepared(series, history, "history", lambda x: 2 * x, method, direction, base, n_batches,
                            confidence)
    v, se, nb = _pooled(rows, [k, 2 * k], method, base, n_batches, lambda H: 2.0 * H[0] - H[1])
    return _estimate("excess_entropy", v, se, confidence, base, method,
                     {"history": k, "direction": direction, "n_batches": nb})


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
        :math:`L - 1` past symbols.
    excess_entropy : Estimate
        :math:`E(L) = H(L) - L\,h(L)`, the intercept of the tangent to :math:`H` at
        :math:`L`, which increases to the excess entropy (Crutchfield & Feldman 2003,
        eq. 24).
    """

    lengths: np.ndarray
    block_entropy: Estimate
    entropy_rate: Estimate
    excess_entropy: Estimate
    extra: dict = field(default_factory=dict)

    @property
    def unit(self) -> str:
        return self.block_entropy.unit

    def __len__(self):
        return self.lengths.size

    def __repr__(self):
        return (f"BlockEntropyCurve(L=1..{self.lengths[-1]}, unit={self.unit!r}, "
                f"method={self.block_entropy.method!r})")


def block_entropy_curve(series, max_length, method="plugin", base=2, direction="forward", *,
                        n_batches=20, confidence=0.95) -> BlockEntropyCurve:
    r"""Block-entropy curve :math:`H(L)`, :math:`h(L)`, :math:`E(L)` for :math:`L = 1 \dots L_{max}`.

    The words of ``max_length`` symbols are counted once and the shorter ones derived from
    them, so the whole curve costs about one count.

    Parameters
    ----------
    series, method, base, direction, n_batches, confidence
        As in :func:`block_entropy`.
    max_length : int
        Longest word :math:`L_{max} \ge 1`, below the row length.

    Returns
    -------
    BlockEntropyCurve
        Three array-valued :class:`Estimate` objects (``H``, ``h`` and ``E``), each with a
        batch-means standard error of every entry (see the module notes).

    References
    ----------
    J. P. Crutchfield and D. P. Feldman, *Chaos* 13, 25 (2003), eqs. 7, 24.
    """
    rows, lmax = _prepared(series, max_length, "max_length", lambda x: x, method, direction, base, n_batches,
                            confidence)
    lengths = list(range(1, lmax + 1))
    L = np.arange(1, lmax + 1)

    def combine(H):
        h = np.diff(np.concatenate(([0.0], H)))
        return np.stack([H, h, H - L * h])

    v, se, nb = _pooled(rows, lengths, method, base, n_batches, combine)
    extra = {"direction": direction, "n_batches": nb}
    parts = [_estimate(q, v[i], se[i], confidence, base, method, extra)
             for i, q in enumerate(("block_entropy", "entropy_rate", "excess_entropy"))]
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


def lempel_ziv_entropy_rate(series, base=2, *, method="lz76", n_batches=20, confidence=0.95) -> Estimate:
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
    n_batches, confidence
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
    _check_batches(n_batches, confidence)
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
    pieces = _pieces(rows, n_batches, 1, min_windows=64) if n_batches >= 2 else None
    if pieces is not None and pieces.n_batches >= 2:
        reps = np.array([estimate(pieces.rows(rows, b))[1] for b in range(pieces.n_batches)])
        stderr, nb = float(reps.std(ddof=1) / math.sqrt(len(reps))), len(reps)
    else:
        stderr, nb = float("nan"), 0
    extra = {"n_batches": nb}
    if method == "lz76":
        extra["complexity"] = c
    return _estimate("entropy_rate", value, stderr, confidence, base, method, extra)
