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


@njit(parallel=True, cache=True)
def _count_time_words(states, first, length, n, counts, tb):
    P = states.shape[0]
    J = first.size
    nb = (J + tb - 1) // tb
    for b in prange(nb):
        j0 = b * tb
        j1 = min(J, j0 + tb)
        for p in range(P):
            for j in range(j0, j1):
                s = first[j]
                c = np.int64(0)
                for i in range(length):
                    c = c * n + np.int64(states[p, s + i])
                counts[j, c] += 1


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
