"""Per-time word kernels: encode the words of an ensemble and count them in one pass.

A word of ``L`` symbols over ``n`` symbols has the mixed-radix code
``sum_i x_i n**(L-1-i)`` (first symbol most significant); the caller guarantees that the
table of ``n**L`` codes is small (it is allocated dense). Threads own disjoint blocks of
output rows (times), so integer counts are exact whatever the thread count.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

TIME_BLOCK = 16


def _block(rows):
    per = -(-rows // (4 * numba.get_num_threads()))
    return max(1, min(TIME_BLOCK, per))


def count_time_words(states, first, length, n, counts):
    """``counts[j, code(states[p, first[j] : first[j] + length])] += 1`` for every path ``p``.

    ``states`` is a C-contiguous (paths, times) array of symbols ``0 .. n - 1``; ``counts`` a
    zeroed (len(first), n**length) int64 array. The words are encoded while they are counted:
    no array of codes is made.
    """
    if first.size:
        _count_time_words(states, first, length, np.int64(n), counts, _block(first.size))


#: Paths per chunk: a chunk's states for one block of times are copied time-major into a
#: small buffer, so each time's table row stays in L1 while the chunk's words are added to it.
PATH_CHUNK = 1024


@njit(parallel=True, cache=True)
def _count_time_words(states, first, length, n, counts, tb):
    P = states.shape[0]
    J = first.size
    nb = (J + tb - 1) // tb
    for b in prange(nb):
        j0 = b * tb
        j1 = min(J, j0 + tb)
        s0 = first[j0]
        width = first[j1 - 1] - s0 + length  # columns read by this block of times
        buf = np.empty((width, PATH_CHUNK), states.dtype)
        codes = np.empty(PATH_CHUNK, np.int64)
        for p0 in range(0, P, PATH_CHUNK):
            m = min(P, p0 + PATH_CHUNK) - p0
            for q in range(m):
                for c in range(width):
                    buf[c, q] = states[p0 + q, s0 + c]
            for j in range(j0, j1):
                off = first[j] - s0
                for q in range(m):
                    codes[q] = np.int64(buf[off, q])
                for i in range(1, length):
                    brow = buf[off + i]
                    for q in range(m):
                        codes[q] = codes[q] * n + np.int64(brow[q])
                row = counts[j]
                for q in range(m):
                    row[codes[q]] += 1


@njit(parallel=True, cache=True)
def mixed_radix_columns(states, first, length, n, out):
    """``out[p, j]`` = mixed-radix code of ``states[p, first[j] : first[j] + length]``
    (the caller guarantees ``n**length < 2**63``)."""
    P = states.shape[0]
    for p in prange(P):
        for j in range(first.size):
            s = first[j]
            c = np.int64(0)
            for i in range(length):
                c = c * n + np.int64(states[p, s + i])
            out[p, j] = c
