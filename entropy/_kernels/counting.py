"""Counting kernels: per-time histograms of an ensemble (paths x times array).

Threads own disjoint blocks of time columns, so counts are accumulated without atomics or
per-thread copies, and integer counts are exact whatever the thread count.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

TIME_BLOCK = 32


def _time_block(columns):
    """Columns per task: at most TIME_BLOCK, and small enough that every thread gets ~4 tasks."""
    per = -(-columns // (4 * numba.get_num_threads()))
    return max(1, min(TIME_BLOCK, per))


def count_columns(states, counts):
    """``counts[t, x] += #{p : states[p, t] == x}`` for every time column ``t``."""
    _count_columns(states, counts, _time_block(states.shape[1]))


def count_pairs(states, counts):
    """``counts[t, x, y] += #{p : states[p, t] == x and states[p, t + 1] == y}``."""
    _count_pairs(states, counts, _time_block(states.shape[1] - 1))


@njit(parallel=True, cache=True)
def _count_columns(states, counts, tb):
    n, T = states.shape
    nb = (T + tb - 1) // tb
    for b in prange(nb):
        t0 = b * tb
        t1 = min(T, t0 + tb)
        for p in range(n):
            for t in range(t0, t1):
                counts[t, states[p, t]] += 1


@njit(parallel=True, cache=True)
def _count_pairs(states, counts, tb):
    n, T = states.shape
    nb = (T - 1 + tb - 1) // tb
    for b in prange(nb):
        t0 = b * tb
        t1 = min(T - 1, t0 + tb)
        for p in range(n):
            for t in range(t0, t1):
                counts[t, states[p, t], states[p, t + 1]] += 1



def count_words_time_major(tm, n, L, counts):
    """Counts of the L-words starting at each time of a time-major block ``tm[t, p]``:
    ``counts[t, w]`` with ``w`` the mixed-radix code (first symbol most significant)."""
    _count_words_tm(tm, n, L, counts, _time_block(tm.shape[0] - L + 1))


def count_time_major(tm, counts, pairs):
    """Counts of a time-major block ``tm[t, p]`` (times x paths): X_t into ``counts[t]`` and, if
    ``pairs`` is not None, (X_t, X_t+1) into ``pairs[t]``. Each time row is read contiguously
    and its counts (one row of the pair table) stay in L1 while all paths are added."""
    T = tm.shape[0]
    tb = _time_block(T)
    if pairs is None:
        _count_tm(tm, counts, np.zeros((0, 0, 0), counts.dtype), tb, False)
    else:
        _count_tm(tm, counts, pairs, tb, True)


@njit(parallel=True, cache=True)
def _count_tm(tm, counts, pairs, tb, do_pairs):
    T, n = tm.shape
    nb = (T + tb - 1) // tb
    for b in prange(nb):
        t0 = b * tb
        t1 = min(T, t0 + tb)
        for t in range(t0, t1):
            for p in range(n):
                counts[t, tm[t, p]] += 1
            if do_pairs and t + 1 < T:
                for p in range(n):
                    pairs[t, tm[t, p], tm[t + 1, p]] += 1


@njit(parallel=True, cache=True)
def _count_words_tm(tm, n, L, counts, tb):
    T, P = tm.shape
    rows = T - L + 1
    nb = (rows + tb - 1) // tb
    for b in prange(nb):
        t0 = b * tb
        t1 = min(rows, t0 + tb)
        for t in range(t0, t1):
            for p in range(P):
                w = 0
                for j in range(L):
                    w = w * n + tm[t + j, p]
                counts[t, w] += 1


@njit(cache=True)
def marginal_counts(row, n, L, off, length, out):
    """``out[v] += sum of row[w]`` over the L-words ``w`` (mixed radix, ``n ** L`` entries) whose
    symbols ``off .. off + length - 1`` form the word ``v``: the counts of a sub-window."""
    n_pre = 1
    for _ in range(off):
        n_pre *= n
    n_sub = 1
    for _ in range(length):
        n_sub *= n
    n_post = 1
    for _ in range(L - off - length):
        n_post *= n
    for pre in range(n_pre):
        for sub in range(n_sub):
            base = (pre * n_sub + sub) * n_post
            s = 0
            for q in range(n_post):
                s += row[base + q]
            out[sub] += s
