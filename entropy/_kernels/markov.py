"""Markov-chain kernels: alias tables in CSR layout and the ensemble stepper.

A transition matrix (dense or sparse) is stored row by row over its support, CSR style:
row ``i`` owns entries ``indptr[i] .. indptr[i + 1] - 1``, each with a column ``cols[k]``,
an acceptance threshold ``prob[k]`` and an alias column ``acol[k]`` (built from the global
alias index that :func:`build_alias` returns: ``acol = cols[alias]``). Sampling a successor costs one uniform and O(1) work whatever the row length
(Walker 1977; Vose 1991): ``x = u * m``, ``j = floor(x)``, keep entry ``j`` if
``x - j < prob[j]`` else take its alias. Both candidate columns are loaded and one is
selected without a branch: the comparison is a coin flip the branch predictor cannot learn. With 53-bit uniforms and rows of m entries the
probabilities are resolved to about ``2**-53 * m``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .rng import next_double, stream_state

LANES = 16  # paths advanced together by one thread: a Markov step is latency-bound


@njit(cache=True)
def build_alias(indptr, weights, prob, alias):
    """Fill ``prob`` and ``alias`` (global indices) for every CSR row of ``weights``.

    Vose's stable variant: rows are rescaled to mean 1 and split into small and large
    entries; leftover entries (rounding) get probability 1.
    """
    n_rows = indptr.shape[0] - 1
    maxlen = 0
    for i in range(n_rows):
        maxlen = max(maxlen, indptr[i + 1] - indptr[i])
    small = np.empty(maxlen, np.int64)
    large = np.empty(maxlen, np.int64)
    scaled = np.empty(maxlen, np.float64)
    for i in range(n_rows):
        a = indptr[i]
        m = indptr[i + 1] - a
        if m == 0:
            continue
        total = 0.0
        for j in range(m):
            total += weights[a + j]
        ns = 0
        nl = 0
        for j in range(m):
            scaled[j] = weights[a + j] * m / total
            if scaled[j] < 1.0:
                small[ns] = j
                ns += 1
            else:
                large[nl] = j
                nl += 1
        while ns > 0 and nl > 0:
            ns -= 1
            s = small[ns]
            g = large[nl - 1]
            prob[a + s] = scaled[s]
            alias[a + s] = a + g
            scaled[g] = (scaled[g] + scaled[s]) - 1.0
            if scaled[g] < 1.0:
                nl -= 1
                small[ns] = g
                ns += 1
        for k in range(nl):
            prob[a + large[k]] = 1.0
            alias[a + large[k]] = a + large[k]
        for k in range(ns):
            prob[a + small[k]] = 1.0
            alias[a + small[k]] = a + small[k]


@njit(inline="always", cache=True)
def _alias_draw(indptr, cols, prob, acol, row, u):
    a = indptr[row]
    m = indptr[row + 1] - a
    x = u * m
    j = min(np.int64(x), m - 1)  # min: u * m may round up to m
    k = a + j
    keep = cols[k]
    other = acol[k]
    return keep if x - j < prob[k] else other


@njit(parallel=True, cache=True)
def draw_from_table(indptr, cols, prob, acol, seed, first_path, arm, out):
    """Draw one value per path from row 0 of an alias table, with each path's own stream."""
    n = out.shape[0]
    for p in prange(n):
        r = stream_state(seed, first_path + p, arm)
        r, u = next_double(r)
        out[p] = _alias_draw(indptr, cols, prob, acol, 0, u)


@njit(parallel=True, cache=True)
def run_chain(indptr, cols, prob, acol, init, seed, first_path, arm, steps, out):
    """Advance ``init[p]`` by ``steps`` transitions, writing ``out[p, 0..steps]``.

    Path ``p`` draws from ``stream_state(seed, first_path + p, arm)``. ``out`` may be any
    strided view (the backward arm passes a view whose time axis runs towards the past).
    Threads take blocks of ``LANES`` paths and advance them in lock-step, so the latency of
    one table lookup overlaps with the others'.
    """
    n = init.shape[0]
    nblocks = (n + LANES - 1) // LANES
    for b in prange(nblocks):
        p0 = b * LANES
        L = min(LANES, n - p0)
        s = np.empty(LANES, np.int64)
        r = np.empty(LANES, np.uint64)
        for l in range(L):
            s[l] = init[p0 + l]
            r[l] = stream_state(seed, first_path + p0 + l, arm)
            out[p0 + l, 0] = s[l]
        for t in range(1, steps + 1):
            for l in range(L):
                rl, u = next_double(r[l])
                r[l] = rl
                nxt = _alias_draw(indptr, cols, prob, acol, s[l], u)
                s[l] = nxt
                out[p0 + l, t] = nxt
