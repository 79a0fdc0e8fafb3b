r"""One word encoding for every word-based estimator.

Every estimator of the package that counts words -- per-time profiles (:math:`H`, :math:`h^\pm`,
:math:`E`), time-pooled sequences (block entropies, entropy rate, excess entropy, the
block-entropy curve), irreversibility, and the marginalisation of streamed word counts --
encodes its words here. The module guarantees one property: **two windows get the same code
if and only if they hold the same word**, for any alphabet and any length.

Code schemes
------------
* **Mixed radix** while :math:`a^L < 2^{63}` (``a`` symbols, words of ``L``): the code of
  :math:`x_1 \dots x_L` is :math:`\sum_i x_i a^{L-i}` (first symbol most significant).
  Small tables (:math:`a^L` up to a few million entries) are counted dense, encoding and
  counting in one numba pass; larger ones are sorted.
* **Relabelled** beyond :math:`2^{63}`: the symbols are first relabelled to the ones seen,
  then the code of a word of ``L`` symbols is the rank of the pair (code of its prefix of
  ``L - 1`` symbols, last symbol) among the distinct pairs -- collision-free by induction.
  Such codes are ranks: arithmetic on them (``code // a`` for a prefix) is meaningless.

Decomposition
-------------
A conditional entropy or a mutual information needs the counts of the parts of a word
(history and target, past and future). They are never derived by arithmetic on a code of
unknown scheme. Dense tables (always mixed radix) are reshaped; otherwise every part gets its
own exact code over the *same* windows and the joint word is the pair of the two parts'
ranks (:func:`pair_counts`), so the part counts are exactly the marginals of the joint
table, whatever the scheme.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from .._kernels import blocks as _kb
from .._kernels import counting as _count
from .._kernels import words as _kw
from ..errors import check_memory

__all__ = [
    "fits",
    "column_codes",
    "time_window_tables",
    "streamed_window_tables",
    "marginal_window",
    "pair_counts",
    "window_codes",
    "Rows",
]

INT63 = 2**63 - 1
#: Largest dense table of word counts for time-pooled sequences (entries).
DENSE_MAX = 2**22
#: Largest total of dense tables held at once (entries).
DENSE_TOTAL = 2**25
#: Windows per parallel task.
TASK_WINDOWS = 1 << 18
#: Per-time word alphabets up to this size are counted dense (one table row per time).
DENSE_WORDS = 2**20
#: Largest number of count-table entries processed at once (bounds the temporaries).
BATCH_ENTRIES = 2**23


def check_codes_memory(n_codes: int, what: str) -> None:
    """Refuse (:class:`~entropy.errors.InsufficientMemoryError`) before coding ``n_codes`` words
    whose int64 codes, ranks and sorting temporaries (about 32 bytes a word) do not fit."""
    check_memory(32.0 * n_codes, f"{what}: exact codes of {n_codes} words",
                 "use fewer paths, times or a shorter history")


def fits(a: int, length: int) -> bool:
    """Whether words of ``length`` symbols over ``a`` symbols have mixed-radix int64 codes."""
    return int(a) ** int(length) <= INT63


def dense_words(n: int, length: int) -> bool:
    """Whether per-time tables of ``n ** length`` words are counted dense."""
    return float(n) ** length <= DENSE_WORDS


# =============================================================================================
# per-time words of an ensemble (paths x times)
# =============================================================================================


def window_times(T: int, lo: int, length: int) -> np.ndarray:
    """Indices ``t`` (into the times) whose window ``X_{t+lo} .. X_{t+lo+length-1}`` lies in ``0..T-1``."""
    return np.arange(max(-lo, 0), min(T, T - (lo + length) + 1))


def time_window_tables(states, n: int, lo: int, length: int, batch_entries: int = BATCH_ENTRIES):
    """Dense per-time counts of the windows ``X_{t+lo} .. X_{t+lo+length-1}``, in batches.

    Yields ``(table, valid)``: ``table[j, w]`` counts the paths whose window at time
    ``valid[j]`` has the mixed-radix code ``w`` (first symbol most significant). Words are
    encoded and counted in one numba pass; at most ``batch_entries`` entries per batch. The
    caller guarantees :func:`dense_words`.
    """
    states = np.ascontiguousarray(states)
    valid = window_times(states.shape[1], lo, length)
    width = n**length
    step = max(1, batch_entries // width)
    for b0 in range(0, valid.size, step):
        vb = valid[b0:b0 + step]
        table = np.zeros((vb.size, width), np.int32 if states.shape[0] < 2**31 else np.int64)
        _kw.count_time_words(states, (vb + lo).astype(np.int64), length, n, table)
        yield table, vb


def _relabel(codes: np.ndarray) -> np.ndarray:
    """Dense ranks (int64) of the values of ``codes``, same shape: equal iff equal."""
    _, inv = np.unique(codes.reshape(-1), return_inverse=True)
    return inv.reshape(codes.shape).astype(np.int64)


def column_codes(states, offsets, n: int):
    """Exact codes of the words ``(X_{t+o} for o in offsets)`` for every path and every valid t.

    Returns ``(codes, valid)``: ``codes`` of shape (paths, len(valid)), equal within a column
    iff the words are equal. Mixed radix (last offset least significant) when
    ``n ** len(offsets) < 2**63``; otherwise relabelled: the code of a word is the rank of
    (code of the word without its last symbol, last symbol).
    """
    states = np.asarray(states)
    offsets = [int(o) for o in offsets]
    T = states.shape[1]
    lo, hi = -min(offsets), max(offsets)
    valid = np.arange(max(lo, 0), T - max(hi, 0))
    L = len(offsets)
    M = states.shape[0]
    if valid.size == 0:
        return np.zeros((M, 0), np.int64), valid
    check_codes_memory(M * valid.size, "ensemble")
    contiguous = offsets == list(range(offsets[0], offsets[0] + L))
    if fits(n, L) and contiguous:
        out = np.empty((M, valid.size), np.int64)
        _kw.mixed_radix_columns(np.ascontiguousarray(states), (valid + offsets[0]).astype(np.int64), L,
                                np.int64(n), out)
        return out, valid
    if fits(n, L):
        codes = np.zeros((M, valid.size), np.int64)
        for o in offsets:
            codes *= n
            codes += states[:, valid + o]
        return codes, valid
    # relabelled: symbols first (at most M * T distinct), then (rank of prefix, symbol) pairs
    sym = _relabel(states)
    a = int(sym.max()) + 1
    codes = sym[:, valid + offsets[0]].copy()
    for o in offsets[1:]:
        rank = _relabel(codes)
        if (int(rank.max()) + 1) * a > INT63:  # pragma: no cover - needs > 3e9 samples
            raise ValueError(f"ensemble: {rank.size} words over {a} symbols are too many to relabel exactly")
        codes = rank * a + sym[:, valid + o]
    return codes, valid


def pair_counts(a_codes, b_codes):
    """Joint counts of two exactly coded parts of the same samples (one column).

    Returns ``(c_ab, ia, ib, c_a, c_b)``: ``c_ab[i]`` is the count of the i-th distinct pair,
    whose parts are the ``ia[i]``-th distinct ``a`` and the ``ib[i]``-th distinct ``b``;
    ``c_a`` and ``c_b`` are the part counts (the marginals of the joint table). The pair key
    is the mixed-radix code of the two ranks, both below the number of samples, so it is
    exact whatever scheme coded the parts.
    """
    _, ia, ca = np.unique(a_codes, return_inverse=True, return_counts=True)
    _, ib, cb = np.unique(b_codes, return_inverse=True, return_counts=True)
    nb = cb.size
    key = ia.reshape(-1).astype(np.int64) * nb + ib.reshape(-1)
    uk, cab = np.unique(key, return_counts=True)
    return cab, uk // nb, uk % nb, ca, cb


def marginal_window(word_row, n: int, L: int, off: int, length: int) -> np.ndarray:
    """Counts of the sub-window of ``length`` symbols at offset ``off`` of the L-words counted in
    ``word_row`` (mixed radix, ``n ** L`` entries), flattened mixed radix."""
    out = np.zeros(n**length, np.int64)
    _count.marginal_counts(np.ascontiguousarray(word_row), n, L, off, length, out)
    return out


def streamed_window_tables(W, n: int, T: int, lo: int, length: int, name: str = "history",
                           batch_entries: int = BATCH_ENTRIES):
    """Per-time counts of the windows ``X_{t+lo} .. X_{t+lo+length-1}`` from streamed word counts.

    ``W[s]`` (``n ** L`` entries, mixed radix) counts the L-words starting at time ``s``; any
    window of up to L symbols is a sub-window of some L-word, whose marginal it is. Yields
    ``(table, valid)`` as :func:`time_window_tables`.
    """
    W = np.asarray(W)
    rows = W.shape[0]
    L = round(math.log(W.shape[1], n)) if n > 1 else T - rows + 1
    if n > 1 and n**L != W.shape[1]:  # pragma: no cover - malformed input
        raise ValueError("ensemble: word counts do not have n_states ** L columns")
    if length > L:
        raise ValueError(
            f"{name}: needs words of {length} symbols, but the streamed counts hold words of {L}; "
            f"simulate with store=False, word_length={length} (or store the paths)")
    valid = window_times(T, lo, length)
    step = max(1, batch_entries // n**length)
    for b0 in range(0, valid.size, step):
        vb = valid[b0:b0 + step]
        table = np.empty((vb.size, n**length), np.int64)
        for j, t in enumerate(vb):
            start = t + lo
            s0 = min(start, rows - 1)  # the L-word starting at s0 covers the window
            table[j] = marginal_window(W[s0], n, L, start - s0, length)
        yield table, vb


# =============================================================================================
# time-pooled words of sequences (rows of symbols)
# =============================================================================================


@dataclass(frozen=True)
class Rows:
    """Rows ``data[starts[r]:ends[r]]`` of symbols ``0 .. alphabet - 1``."""

    data: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    alphabet: int

    @property
    def lengths(self):
        return self.ends - self.starts

    def subset(self, starts, ends):
        return Rows(self.data, np.asarray(starts, np.int64), np.asarray(ends, np.int64), self.alphabet)


def compressed(rows: Rows) -> Rows:
    """Relabel the symbols to ``0 .. K-1`` with ``K`` the number of distinct symbols seen."""
    inv = _relabel(rows.data)
    return Rows(inv, rows.starts, rows.ends, int(inv.max()) + 1)


@dataclass(frozen=True)
class Pieces:
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

    def rows(self, rows: Rows, b: int) -> Rows:
        """The data of segment ``b`` as rows (a piece reads ``lmax - 1`` symbols past ``v``)."""
        sel = self.batch == b
        return rows.subset(self.u[sel], self.v[sel] + self.lmax - 1)


def pieces(rows: Rows, n_parts: int, lmax: int, min_windows: int = 1) -> Pieces:
    """Cut the rows into about ``n_parts`` segments of whole rows, or of equal row pieces.

    With fewer rows than ``n_parts`` every row is cut into the same number of pieces, reduced
    so that a piece holds at least ``min_windows`` words of ``lmax`` symbols.
    """
    n_rows = rows.starts.size
    nwin = rows.lengths - lmax + 1
    if n_rows >= n_parts:
        batch = (np.arange(n_rows) * n_parts) // n_rows
        return Pieces(rows.starts, rows.starts + nwin, rows.ends, np.ones(n_rows, bool), batch, n_parts, lmax)
    m = int(nwin.min())
    p = max(1, min(-(-n_parts // n_rows), m // max(1, min_windows)))
    j = np.tile(np.arange(p), n_rows)
    r = np.repeat(np.arange(n_rows), p)
    u = rows.starts[r] + (j * nwin[r]) // p
    v = rows.starts[r] + ((j + 1) * nwin[r]) // p
    return Pieces(u, v, rows.ends[r], j == p - 1, np.arange(n_rows * p), n_rows * p, lmax)


def _tasks(rows: Rows, length: int):
    """Split the windows of ``length`` symbols into tasks of at most ``TASK_WINDOWS``.

    Returns ``task_pos, task_n, task_out`` (offset of the task's first window in the
    compact list of all windows, rows in order) and the total number of windows.
    """
    nwin = np.maximum(rows.lengths - length + 1, 0)
    per_row = -(-nwin // TASK_WINDOWS)
    row_of = np.repeat(np.arange(nwin.size), per_row)
    k = np.arange(int(per_row.sum())) - (np.cumsum(per_row) - per_row)[row_of]
    task_pos = (rows.starts[row_of] + k * TASK_WINDOWS).astype(np.int64)
    task_n = np.minimum(nwin[row_of] - k * TASK_WINDOWS, TASK_WINDOWS).astype(np.int64)
    return task_pos, task_n, (np.cumsum(task_n) - task_n).astype(np.int64), int(task_n.sum())


def window_positions(rows: Rows, length: int) -> np.ndarray:
    """Start positions (into ``rows.data``) of all windows of ``length`` symbols, rows in order."""
    nwin = np.maximum(rows.lengths - length + 1, 0)
    if nwin.sum() == 0:
        return np.zeros(0, np.int64)
    return np.concatenate([np.arange(s, s + w, dtype=np.int64) for s, w in zip(rows.starts, nwin)])


def last_codes(rows: Rows, length: int) -> np.ndarray:
    """Mixed-radix codes of the last window of ``length`` symbols of every row long enough."""
    out = np.empty(rows.starts.size, np.int64)
    _kb.last_window_codes(rows.data, rows.starts, rows.ends, length, rows.alphabet, out)
    return out[out >= 0]


def mixed_radix_codes(rows: Rows, length: int) -> np.ndarray:
    """Mixed-radix codes of all windows of ``length`` symbols (rows in order; needs :func:`fits`)."""
    pos, n, off, total = _tasks(rows, length)
    check_codes_memory(total, "series")
    out = np.empty(total, np.int64)
    _kb.window_codes(rows.data, pos, n, off, length, rows.alphabet, out)
    return out


def window_codes(rows: Rows, length: int) -> np.ndarray:
    """Exact codes of all windows of ``length`` symbols, rows in order (as :func:`window_positions`).

    Mixed radix when :func:`fits`; otherwise ranks, by relabelling the symbols and then the
    pairs (rank of the prefix, last symbol) one symbol at a time from the longest length that
    fits. Equal codes iff equal words, for any alphabet and length.
    """
    if fits(rows.alphabet, length):
        return mixed_radix_codes(rows, length)
    rows = compressed(rows)
    a = rows.alphabet
    if fits(a, length):
        return mixed_radix_codes(rows, length)
    l_fit = 1
    while fits(a, l_fit + 1):
        l_fit += 1
    pos = window_positions(rows, l_fit)
    row_end = np.repeat(rows.ends, np.maximum(rows.lengths - l_fit + 1, 0))
    rank = _relabel(mixed_radix_codes(rows, l_fit))
    for L in range(l_fit + 1, length + 1):
        keep = pos + L <= row_end
        pos, row_end, rank = pos[keep], row_end[keep], rank[keep]
        if rank.size and (int(rank.max()) + 1) * a > INT63:  # pragma: no cover - needs > 3e9 windows
            raise ValueError(f"series: {rank.size} windows over {a} symbols are too many to relabel exactly")
        pair = np.empty(rank.size, np.int64)
        _kb.pair_codes(rank, rows.data, pos, L - 1, a, pair)
        rank = _relabel(pair)
    return rank


def sorted_table(codes):
    """Distinct values (sorted) and their counts of an int64 array (sorted in place)."""
    codes.sort()
    if codes.size == 0:
        return codes, np.zeros(0, np.int64)
    edge = np.flatnonzero(np.diff(codes)) + 1
    first = np.concatenate(([0], edge))
    return codes[first], np.diff(np.concatenate((first, [codes.size])))


def _shorten_sparse(codes, counts, a, tail):
    """Counts of the words one symbol shorter, from the sorted table of longer (mixed-radix) words."""
    prefix = codes // a
    first = np.concatenate(([0], np.flatnonzero(np.diff(prefix)) + 1))
    codes2 = prefix[first]
    counts2 = np.add.reduceat(counts, first)
    if tail.size:
        tu, tc = sorted_table(tail.copy())
        where = np.searchsorted(codes2, tu)
        hit = where < codes2.size
        hit[hit] = codes2[where[hit]] == tu[hit]
        counts2[where[hit]] += tc[hit]
        codes2 = np.insert(codes2, where[~hit], tu[~hit])
        counts2 = np.insert(counts2, where[~hit], tc[~hit])
    return codes2, counts2


def dense_ok(rows: Rows, length: int, n_tables: int = 1) -> bool:
    """Whether ``n_tables`` dense tables of ``a**length`` counts are reasonable."""
    a = rows.alphabet
    if not fits(a, length):
        return False
    k = a**length
    nwin = int(np.maximum(rows.lengths - length + 1, 0).sum())
    return k <= min(DENSE_MAX, max(4096, 2 * nwin)) and n_tables * k <= DENSE_TOTAL


def dense_tables(rows: Rows, pcs: Pieces, lmin: int):
    """Yield ``(L, counts)`` for ``L = lmax, lmax - 1, ..., lmin``; ``counts[b]`` is the dense
    table of the words of segment ``b`` (the rows of ``counts`` add up to all windows).

    The longest words are counted once; a table of ``L`` symbols is the previous one summed
    over the last symbol, plus the one window ``[end - L, end)`` of each row that the longer
    words miss. Do not keep a yielded table: the next one may reuse its memory.
    """
    a, lmax, nb = rows.alphabet, pcs.lmax, pcs.n_batches
    counts, tail_rows, tail_batch = _segment_counts(rows, pcs)
    for L in range(lmax, lmin - 1, -1):
        if L < lmax:
            counts = counts.reshape(nb, -1, a).sum(axis=2)
            np.add.at(counts, (tail_batch, last_codes(tail_rows, L)), 1)
        yield L, counts


def _segment_counts(rows: Rows, pcs: Pieces, extra_rows: int = 0):
    """Dense tables of the longest words per segment (plus ``extra_rows`` zero rows), and the
    row-end windows that the longer words miss (``(tail rows, their segments)``)."""
    a, lmax, nb = rows.alphabet, pcs.lmax, pcs.n_batches
    # int32 counts (half the cache footprint of the random increments) while they cannot overflow
    total = int(np.maximum(rows.lengths - lmax + 2, 0).sum())
    counts = np.zeros((nb + extra_rows, a**lmax), np.int32 if total < 2**31 else np.int64)
    bounds = np.searchsorted(pcs.batch, np.arange(nb + 1)).astype(np.int64)
    _kb.count_windows_dense(rows.data, pcs.u.astype(np.int64), (pcs.v - pcs.u).astype(np.int64),
                            bounds, lmax, a, counts[:nb])
    fin = pcs.final
    return counts, rows.subset(pcs.end[fin] - lmax - 1, pcs.end[fin]), pcs.batch[fin]


@functools.lru_cache(maxsize=1)
def _xlogx_table(size: int = 2**16) -> np.ndarray:
    """``c ln c`` for ``c = 0 .. size - 1`` (0 for c = 0)."""
    c = np.arange(size, dtype=float)
    return c * np.log(np.maximum(c, 1.0))


def dense_plugin_entropies(rows: Rows, pcs: Pieces, lmin: int):
    """Plug-in block entropies (nats) for ``L = lmax, ..., lmin``: ``(H_segments, H_all)`` of shapes
    (segments, n_L) and (n_L,). One count of the longest words per segment; shorter words and
    the whole series' table are derived in one numba pass (no temporaries)."""
    a, lmax = rows.alphabet, pcs.lmax
    counts, tail_rows, tail_batch = _segment_counts(rows, pcs, extra_rows=1)
    n_l = lmax - lmin + 1
    tails = np.full((n_l, tail_batch.size), -1, np.int64)
    for step in range(1, n_l):
        tails[step] = last_codes(tail_rows, lmax - step)
    out = np.empty((pcs.n_batches + 1, n_l))
    _kb.plugin_block_entropies(counts, a, lmax, lmin, tail_batch.astype(np.int64), tails, _xlogx_table(), out)
    return out[:-1], out[-1]


def word_tables(rows: Rows, lengths, n_groups: int = 1) -> dict:
    """Word counts for every length in ``lengths`` (all windows of all rows pooled).

    Returns ``{L: counts}`` with the positive counts of the distinct words of ``L`` symbols
    (in no meaningful order). Exact for any alphabet and length.
    """
    lengths = sorted(set(int(L) for L in lengths))
    lmax = lengths[-1]
    out = {}
    if not fits(rows.alphabet, lmax):
        rows = compressed(rows)
    a = rows.alphabet
    need = [L for L in lengths if fits(a, L)]
    if need:
        top, lo = need[-1], need[0]
        if dense_ok(rows, top, n_groups):
            for L, counts in dense_tables(rows, pieces(rows, n_groups, top), lo):
                if L in need:
                    total = counts.sum(axis=0)
                    out[L] = total[total > 0]
        else:
            codes, counts = sorted_table(mixed_radix_codes(rows, top))
            for L in range(top, lo - 1, -1):
                if L < top:
                    codes, counts = _shorten_sparse(codes, counts, a, last_codes(rows, L))
                if L in need:
                    out[L] = counts
    for L in lengths:
        if L not in out:
            out[L] = sorted_table(window_codes(rows, L))[1]
    return out


def split_counts(rows: Rows, length: int, split: int):
    """Joint counts of (first ``split`` symbols, last ``length - split`` symbols) over all windows
    of ``length`` symbols: ``(c_ab, ia, ib, c_a, c_b)`` as :func:`pair_counts`.

    Both parts are counted over the same windows (their counts are the marginals of the
    joint table), each with its own exact code, for any alphabet and length.
    """
    a = rows.alphabet
    if fits(a, length):
        codes = mixed_radix_codes(rows, length)
        scale = np.int64(a) ** np.int64(length - split)
        return pair_counts(codes // scale, codes % scale)
    pos = window_positions(rows, length)
    at_a = np.empty(rows.data.size, np.int64)
    at_a[window_positions(rows, split)] = window_codes(rows, split)
    if length - split == split:
        at_b = at_a
    else:
        at_b = np.empty(rows.data.size, np.int64)
        at_b[window_positions(rows, length - split)] = window_codes(rows, length - split)
    return pair_counts(at_a[pos], at_b[pos + split])


def dense_split(counts, a: int, length: int, split: int):
    """:func:`split_counts` of a dense mixed-radix table of words of ``length`` symbols."""
    tab = np.asarray(counts).reshape(a**split, a ** (length - split))
    ia, ib = np.nonzero(tab)
    return tab[ia, ib], ia, ib, tab.sum(axis=1), tab.sum(axis=0)


def sorted_column_counts(states) -> np.ndarray:
    """Per-column counts of the distinct symbols of a (paths, times) array, by sorting:
    ``out[t]`` holds the counts of column ``t`` (in symbol order), zero-padded to the largest
    number of distinct symbols of a column. Memory of the order of the data, whatever the
    symbols' values (for sparse symbols, where a table indexed by symbol would be huge)."""
    s = np.sort(np.asarray(states), axis=0).T  # (times, paths)
    T, M = s.shape
    if M == 0:
        return np.zeros((T, 1), np.int64)
    new = np.ones((T, M), bool)
    new[:, 1:] = s[:, 1:] != s[:, :-1]
    run = np.cumsum(new, axis=1) - 1
    width = int(run[:, -1].max()) + 1
    out = np.zeros(T * width, np.int64)
    np.add.at(out, (np.arange(T)[:, None] * width + run).ravel(), 1)
    return out.reshape(T, width)


def reversal_codes(rows: Rows, length: int, rho) -> tuple[np.ndarray, np.ndarray]:
    """Exact codes of all windows of ``length`` symbols (rows in order) and of their time
    reversals, in one code space: ``rcodes[i]`` is the code of
    ``rho[x_L] ... rho[x_1]`` for the window ``x_1 ... x_L`` with code ``codes[i]``.

    The windows of the rows and of the reversed rows (``rho`` applied, order reversed) are
    coded together by :func:`window_codes`, so the scheme may be mixed radix or relabelled.
    """
    rho = np.asarray(rho, np.int64)
    parts, rparts = [], []
    for s, e in zip(rows.starts, rows.ends):
        parts.append(rows.data[s:e])
        rparts.append(rho[rows.data[s:e][::-1]])
    lengths = rows.lengths
    data = np.concatenate(parts + rparts).astype(np.int64)
    ends = np.cumsum(np.concatenate([lengths, lengths]))
    both = Rows(data, ends - np.concatenate([lengths, lengths]), ends, max(rows.alphabet, rho.size))
    codes = window_codes(both, length)
    nwin = np.maximum(lengths - length + 1, 0)
    n = int(nwin.sum())
    fwd, rev = codes[:n], codes[n:]
    # the reversal of window i of a row is window nwin - 1 - i of the reversed row
    offs = np.cumsum(nwin) - nwin
    row_of = np.repeat(np.arange(nwin.size), nwin)
    i = np.arange(n) - offs[row_of]
    return fwd, rev[offs[row_of] + nwin[row_of] - 1 - i]
