"""Hidden-Markov-model kernels: one transition = one draw of a (symbol, next hidden state) edge.

An edge-emitting HMM with labelled matrices ``T[x, i, j] = Pr(emit x, go to j | at i)`` is
stored row by row over its edges, CSR style (see :mod:`entropy._kernels.markov`): row ``i``
owns the edges ``indptr[i] .. indptr[i + 1] - 1``; edge ``e`` carries the code
``(j << shift) | x`` (``shift`` bits hold the symbol), an alias threshold ``prob[e]`` and the
code of its alias ``acode[e]``. One step costs one uniform and one O(1) alias lookup, and
yields symbol and successor together (``code & mask``, ``code >> shift``).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .markov import LANES, _alias_draw
from .rng import ARM_START, next_double, stream_state


@njit(parallel=True, cache=True)
def draw_start_edges(s_indptr, s_cols, s_prob, s_acol, indptr, codes, prob, acode, shift, mask,
                     seed, first_path, from_col, to_col, out):
    """Draw the t0 edge of every path: hidden state, emitted symbol, next hidden state.

    Path ``p`` uses its ``ARM_START`` stream: one uniform picks the hidden state from row 0
    of the start table ``s_*``, the next one the edge leaving it. Writes
    ``out[p, from_col] = state``, ``out[p, 1] = symbol``, ``out[p, to_col] = next state``.
    """
    n = out.shape[0]
    for p in prange(n):
        r = stream_state(seed, first_path + p, ARM_START)
        r, u = next_double(r)
        s = _alias_draw(s_indptr, s_cols, s_prob, s_acol, 0, u)
        r, u = next_double(r)
        c = _alias_draw(indptr, codes, prob, acode, s, u)
        out[p, from_col] = s
        out[p, 1] = c & mask
        out[p, to_col] = c >> shift


@njit(parallel=True, cache=True)
def run_hmm(indptr, codes, prob, acode, shift, mask, init_state, init_symbol, seed, first_path, arm,
            steps, out):
    """Write ``out[p, 0] = init_symbol[p]``, then the symbols of ``steps`` transitions from ``init_state[p]``.

    Path ``p`` draws from ``stream_state(seed, first_path + p, arm)``; ``out`` may be any
    strided view (the backward arm's runs towards the past). Threads advance blocks of
    ``LANES`` paths in lock-step, as :func:`entropy._kernels.markov.run_chain` does.
    """
    n = init_state.shape[0]
    nblocks = (n + LANES - 1) // LANES
    for b in prange(nblocks):
        p0 = b * LANES
        L = min(LANES, n - p0)
        s = np.empty(LANES, np.int64)
        r = np.empty(LANES, np.uint64)
        for l in range(L):
            s[l] = init_state[p0 + l]
            r[l] = stream_state(seed, first_path + p0 + l, arm)
            out[p0 + l, 0] = init_symbol[p0 + l]
        for t in range(1, steps + 1):
            for l in range(L):
                rl, u = next_double(r[l])
                r[l] = rl
                c = _alias_draw(indptr, codes, prob, acode, s[l], u)
                s[l] = c >> shift
                out[p0 + l, t] = c & mask
