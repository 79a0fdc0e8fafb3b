"""Counting kernels: per-time histograms of an ensemble (paths x times array).

Threads own disjoint blocks of time columns, so counts are accumulated without atomics or
per-thread copies, and integer counts are exact whatever the thread count.
"""

from __future__ import annotations

from numba import njit, prange

TIME_BLOCK = 32


@njit(parallel=True, cache=True)
def count_columns(states, counts):
    """``counts[t, x] += #{p : states[p, t] == x}`` for every time column ``t``."""
    n, T = states.shape
    nb = (T + TIME_BLOCK - 1) // TIME_BLOCK
    for b in prange(nb):
        t0 = b * TIME_BLOCK
        t1 = min(T, t0 + TIME_BLOCK)
        for p in range(n):
            for t in range(t0, t1):
                counts[t, states[p, t]] += 1


@njit(parallel=True, cache=True)
def count_pairs(states, counts):
    """``counts[t, x, y] += #{p : states[p, t] == x and states[p, t + 1] == y}``."""
    n, T = states.shape
    nb = (T - 1 + TIME_BLOCK - 1) // TIME_BLOCK
    for b in prange(nb):
        t0 = b * TIME_BLOCK
        t1 = min(T - 1, t0 + TIME_BLOCK)
        for p in range(n):
            for t in range(t0, t1):
                counts[t, states[p, t], states[p, t + 1]] += 1



@njit(parallel=True, cache=True)
def count_words(states, n, L, counts):
    """``counts[t, w] += #{p : (states[p, t], ..., states[p, t + L - 1]) == w}``.

    ``w`` is the mixed-radix code of the word (first symbol most significant); ``counts``
    has ``T - L + 1`` rows and ``n ** L`` columns.
    """
    P, T = states.shape
    rows = T - L + 1
    nb = (rows + TIME_BLOCK - 1) // TIME_BLOCK
    for b in prange(nb):
        t0 = b * TIME_BLOCK
        t1 = min(rows, t0 + TIME_BLOCK)
        for p in range(P):
            for t in range(t0, t1):
                w = 0
                for j in range(L):
                    w = w * n + states[p, t + j]
                counts[t, w] += 1
