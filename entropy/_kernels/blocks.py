"""Block (word) counting kernels for time-pooled sequence estimators.

A word of ``L`` symbols ``x_i ... x_{i+L-1}`` over an alphabet of ``a`` symbols has the
mixed-radix code ``sum_j x_{i+j} a**(L-1-j)`` (first symbol most significant), so the code
of a prefix of ``L - 1`` symbols is ``code // a``. The caller guarantees ``a**L < 2**63``.

Windows are described by *tasks*: ``(first window start, number of windows)`` pairs whose
windows lie inside one row, so a window never straddles two rows. A task reads
``L - 1`` symbols past its last start; that is how chunks of one row overlap without
losing or double-counting a window.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(inline="always", cache=True)
def _code_at(data, pos, length, a):
    code = np.int64(0)
    for j in range(length):
        code = code * a + np.int64(data[pos + j])
    return code


@njit(inline="always", cache=True)
def _count_run(data, p, n, length, a, top, row):
    """``row[code] += 1`` for the ``n`` windows starting at ``p .. p + n - 1`` (rolling code)."""
    if n <= 0:
        return
    code = _code_at(data, p, length, a)
    row[code] += 1
    for i in range(1, n):
        code = (code - np.int64(data[p + i - 1]) * top) * a + np.int64(data[p + i + length - 1])
        row[code] += 1


@njit(parallel=True, cache=True)
def count_windows_dense(data, task_pos, task_n, out_bounds, length, a, counts):
    """``counts[o, code] += 1`` for every window of the tasks ``out_bounds[o] : out_bounds[o+1]``.

    Every output row is filled by one thread, so there are no races and the integer counts
    do not depend on the number of threads. A task is walked as four interleaved runs (four
    independent rolling codes), which hides the latency of each code update and increment.
    """
    top = np.int64(1)
    for _ in range(length - 1):
        top *= a
    for o in prange(counts.shape[0]):
        row = counts[o]
        for t in range(out_bounds[o], out_bounds[o + 1]):
            p = task_pos[t]
            n = task_n[t]
            q = n // 4
            if q < 2:
                _count_run(data, p, n, length, a, top, row)
                continue
            p1, p2, p3 = p + q, p + 2 * q, p + 3 * q
            c0 = _code_at(data, p, length, a)
            c1 = _code_at(data, p1, length, a)
            c2 = _code_at(data, p2, length, a)
            c3 = _code_at(data, p3, length, a)
            row[c0] += 1
            row[c1] += 1
            row[c2] += 1
            row[c3] += 1
            e = length - 1
            for i in range(1, q):
                c0 = (c0 - np.int64(data[p + i - 1]) * top) * a + np.int64(data[p + i + e])
                c1 = (c1 - np.int64(data[p1 + i - 1]) * top) * a + np.int64(data[p1 + i + e])
                c2 = (c2 - np.int64(data[p2 + i - 1]) * top) * a + np.int64(data[p2 + i + e])
                c3 = (c3 - np.int64(data[p3 + i - 1]) * top) * a + np.int64(data[p3 + i + e])
                row[c0] += 1
                row[c1] += 1
                row[c2] += 1
                row[c3] += 1
            _count_run(data, p + 4 * q, n - 4 * q, length, a, top, row)


@njit(parallel=True, cache=True)
def window_codes(data, task_pos, task_n, task_out, length, a, out):
    """``out[task_out[t] + i]`` = code of the window starting at ``task_pos[t] + i``."""
    top = np.int64(1)
    for _ in range(length - 1):
        top *= a
    for t in prange(task_pos.size):
        p = task_pos[t]
        n = task_n[t]
        o = task_out[t]
        if n <= 0:
            continue
        code = _code_at(data, p, length, a)
        out[o] = code
        for i in range(1, n):
            code = (code - np.int64(data[p + i - 1]) * top) * a + np.int64(data[p + i + length - 1])
            out[o + i] = code


@njit(cache=True)
def last_window_codes(data, starts, ends, length, a, out):
    """``out[r]`` = code of the last window ``[ends[r] - length, ends[r])`` of row ``r``, or -1
    if the row is shorter than ``length``."""
    for r in range(starts.size):
        if ends[r] - starts[r] < length:
            out[r] = -1
        else:
            out[r] = _code_at(data, ends[r] - length, length, a)


@njit(cache=True)
def pair_codes(rank, data, pos, last, a, out):
    """``out[i] = rank[i] * a + data[pos[i] + last]``: code of a word extended by one symbol."""
    for i in range(rank.size):
        out[i] = np.int64(rank[i]) * a + np.int64(data[pos[i] + last])


@njit(cache=True)
def reverse_codes(codes, length, a, rho, out):
    """``out[i]`` = code of the time reversal of the word with code ``codes[i]``.

    The reversal of ``x_1 ... x_L`` is ``rho[x_L] ... rho[x_1]``: ``rho`` maps each symbol to
    its time-reversed symbol (the identity for states; a permutation for, e.g., ordinal
    patterns or momenta).
    """
    for i in range(codes.size):
        c = codes[i]
        r = np.int64(0)
        for _ in range(length):
            r = r * a + np.int64(rho[c % a])
            c //= a
        out[i] = r


@njit(cache=True)
def lcp_kasai(s, sa, rank, lcp):
    """``lcp[r]`` = length of the longest common prefix of the suffixes ``sa[r-1]`` and ``sa[r]``
    (``lcp[0] = 0``), by the algorithm of Kasai et al. (2001), O(n)."""
    n = s.size
    h = 0
    lcp[0] = 0
    for i in range(n):
        r = rank[i]
        if r > 0:
            j = sa[r - 1]
            while i + h < n and j + h < n and s[i + h] == s[j + h]:
                h += 1
            lcp[r] = h
            if h > 0:
                h -= 1
        else:
            h = 0


@njit(cache=True)
def _earlier_neighbour_pass(sa, lcp, out, stack, gap, step):
    """One scan of the ranks (``step`` = +1: left to right, -1: right to left) that finds, for
    every rank, the nearest rank in the scan's past whose suffix starts earlier in the text
    and raises ``out[sa[r]]`` to the LCP with it (the minimum of ``lcp`` between the two)."""
    n = sa.size
    top = -1
    r = 0 if step == 1 else n - 1
    for _ in range(n):
        q = r if step == 1 else r + 1  # lcp between r and its predecessor in the scan
        run = lcp[q] if 0 < q < n else 0
        while top >= 0 and sa[stack[top]] > sa[r]:
            top -= 1
            if top >= 0:
                run = min(run, gap[top])
        if top >= 0:
            out[sa[r]] = max(out[sa[r]], run)
            gap[top] = run
        top += 1
        stack[top] = r
        r += step


@njit(cache=True)
def longest_previous_factor(sa, lcp, out):
    """``out[i]`` = length of the longest prefix of suffix ``i`` that also starts at some ``j < i``
    (occurrences may overlap ``i``).

    For each rank, the nearest ranks on either side whose suffix starts earlier in the text
    are found with a monotone stack (all nearest smaller values), carrying the minimum of the
    LCP array between them (Crochemore & Ilie 2008, *Inf. Process. Lett.* 106, 75).
    """
    n = sa.size
    stack = np.empty(n, np.int64)
    gap = np.empty(n, np.int64)
    for i in range(n):
        out[i] = 0
    _earlier_neighbour_pass(sa, lcp, out, stack, gap, 1)
    _earlier_neighbour_pass(sa, lcp, out, stack, gap, -1)


@njit(inline="always", cache=True)
def _row_divergence(C, r, rev, alpha):
    s = 0.0
    n = 0.0
    for j in range(C.shape[1]):
        c = C[r, j] + alpha
        n += c
        k = rev[j]
        if k > j:
            cr = C[r, k] + alpha
            if c > 0.0 and cr > 0.0:
                s += (c - cr) * np.log(c / cr)
    return s / n if n > 0.0 else np.nan


@njit(parallel=True, cache=True)
def reversal_divergence_rows(C, rev, alpha, out):
    """``out[r] = sum_j c_j ln(c_j / c_rev[j]) / sum_j c_j`` with ``c = C[r] + alpha`` (nats).

    ``rev`` is an involution of the columns (the column of the reversed word). Terms where
    ``c_j`` or ``c_rev[j]`` is 0 are left out (with ``alpha > 0`` there are none). Each pair
    ``{j, rev[j]}`` is visited once: ``(c_j - c_r) ln(c_j / c_r)``; palindromes add 0.
    Rows are shared among threads; :func:`reversal_divergence_row` does one row serially.
    """
    for r in prange(C.shape[0]):
        out[r] = _row_divergence(C, r, rev, alpha)


@njit(cache=True)
def reversal_divergence_row(C, r, rev, alpha):
    """Row ``r`` of :func:`reversal_divergence_rows` without starting threads."""
    return _row_divergence(C, r, rev, alpha)


@njit(inline="always", cache=True)
def _xlogx(c, lut):
    return lut[c] if c < lut.size else c * np.log(c)


@njit(cache=True)
def _xlogx_row(row, width, lut):
    s = 0.0
    m = 0.0
    for j in range(width):
        c = row[j]
        if c > 0:
            s += _xlogx(c, lut)
            m += c
    return s, m


@njit(parallel=True, cache=True)
def plugin_block_entropies(counts, a, lmax, lmin, tail_batch, tail_codes, lut, out):
    r"""Plug-in block entropies (nats) of every segment and of the whole, for ``L = lmax .. lmin``.

    ``counts[b]`` (``b < B``) is the dense table of the words of ``lmax`` symbols of segment
    ``b``; row ``B`` (the last) is overwritten with their sum, the whole series. Every row is
    then overwritten in place: the table of ``L - 1`` symbols is the table of ``L`` summed over
    the last symbol, plus one window per row end, ``tail_codes[lmax - L + 1, i]`` in segment
    ``tail_batch[i]`` (-1: none). ``out[b, lmax - L]`` gets
    :math:`H = \ln N - \sum_w c_w \ln c_w / N` (``lut[c] = c ln c`` for small counts).

    Two parallel regions only (column sums; then one row per task through all lengths), so
    the kernel stays fast when the threads are contended; integer sums and a fixed order per
    row make the result independent of the number of threads.
    """
    nb = counts.shape[0] - 1
    width0 = np.int64(1)
    for _ in range(lmax):
        width0 *= a
    nchunk = 64
    per = (width0 + nchunk - 1) // nchunk
    for k in prange(nchunk):
        for j in range(k * per, min(width0, (k + 1) * per)):
            c = np.int64(0)
            for b in range(nb):
                c += counts[b, j]
            counts[nb, j] = c
    for b in prange(nb + 1):
        row = counts[b]
        width = width0
        for step in range(lmax - lmin + 1):
            if step > 0:
                width //= a
                for j in range(width):
                    s = np.int64(0)
                    for q in range(a):
                        s += row[j * a + q]
                    row[j] = s
                for i in range(tail_batch.size):
                    c = tail_codes[step, i]
                    if c >= 0 and (b == nb or tail_batch[i] == b):
                        row[c] += 1
            s, m = _xlogx_row(row, width, lut)
            out[b, step] = np.log(m) - s / m if m > 0 else np.nan
