"""Kernels of the classic arrow-of-time models: Ehrenfest urn, Kac ring, lattice gas.

Conventions shared with :mod:`entropy._kernels.markov`: every kernel fills a preallocated
``out`` (any strided view, so the backward arm can write into a time-reversed view), path
``p`` draws from ``stream_state(seed, first_path + p, arm)`` only, so results do not depend
on the thread count or the chunking. Both arms must start from the same t0 microstate:
kernels either copy what they are given, or rebuild the t0 microstate of path ``p`` from
the path's own start streams (``ARM_START``, ``ARM_SUBSET``, ``ARM_MARKERS``), which gives
the same bits in both arms without storing microstates between the calls.

Microstates of many two-valued objects (balls in urn A or B, black or white balls) are
bit-packed in ``uint64`` words: object ``k`` is bit ``k & 63`` of word ``k >> 6``; bits
past the last object are kept at zero.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange, types
from numba.extending import intrinsic

from .markov import LANES  # Ehrenfest macro chain: paths advanced together (latency-bound)
from .rng import ARM_START, _INV53, _S11, next_double, next_u64, stream_state

_ONE = np.uint64(1)
_S32 = np.uint64(32)
_LOW32 = np.uint64(0xFFFFFFFF)

#: sub-stream tag of the uniformly random subset drawn at t0 (after ARM_START drew its size)
ARM_SUBSET = 3
#: sub-stream tag of the per-path marker set of a Kac ring ensemble over markers
ARM_MARKERS = 4


@intrinsic
def popcount(typingctx, x):
    """Number of set bits of an integer (LLVM ``ctpop``: one instruction on x86-64)."""
    if isinstance(x, types.Integer):
        def codegen(context, builder, sig, args):
            return builder.ctpop(args[0])

        return x(x), codegen
    return None


@njit(inline="always", cache=True)
def _uniform_below(state, m):
    """Integer uniform on ``0 .. m - 1`` (``m < 2**32``) by Lemire's multiply-shift with
    rejection (exactly unbiased); returns ``(state, value, 32 spare low bits)``."""
    mm = np.uint64(m)
    while True:
        state, z = next_u64(state)
        prod = (z >> _S32) * mm
        low = prod & _LOW32
        if low >= mm or low >= (np.uint64(4294967296) - mm) % mm:
            return state, np.int64(prod >> _S32), z & _LOW32


def strided(out):
    """A view of ``out`` that numba types with layout 'A', and how to write through it.

    Returns ``(view, flip, target)``: kernels write column ``t`` of ``out`` into column
    ``steps - t`` of ``view`` when ``flip``; when ``target`` is not None, copy ``view`` into
    it afterwards. ``simulate`` passes contiguous outputs (forward arm only) as well as
    strided ones (both arms); without this each layout would compile its own kernel.
    """
    if out.shape[1] == 1:  # one time column: a (n, 1) slice of a wider buffer is strided
        return np.empty((out.shape[0], 2) + out.shape[2:], out.dtype)[:, :1], False, out
    if out.flags.c_contiguous or out.flags.f_contiguous:
        return out[:, ::-1], True, None
    return out, False, None


# ------------------------------------------------------------------------------------------
# Ehrenfest urn
# ------------------------------------------------------------------------------------------


@njit(parallel=True, cache=True)
def ehrenfest_macro(init, balls, lazy, seed, first_path, arm, steps, out, flip):
    """Birth-death chain of the number ``n`` of balls in urn A; ``out[p, 0..steps]``.

    One step: a ball is picked uniformly; it is in A with probability ``n / N`` (then
    ``n -= 1``) else ``n += 1``. Lazy: first, with probability 1/2 nothing happens. Each
    step costs one 64-bit draw: its low bit is the lazy coin, its high 53 bits the uniform.
    """
    n = init.shape[0]
    nblocks = (n + LANES - 1) // LANES
    fN = np.float64(balls)
    for b in prange(nblocks):
        p0 = b * LANES
        L = min(LANES, n - p0)
        s = np.empty(LANES, np.int64)
        r = np.empty(LANES, np.uint64)
        for l in range(L):
            s[l] = init[p0 + l]
            r[l] = stream_state(seed, first_path + p0 + l, arm)
            out[p0 + l, steps if flip else 0] = s[l]
        for t in range(1, steps + 1):
            for l in range(L):
                rl, z = next_u64(r[l])
                r[l] = rl
                u = np.float64(z >> _S11) * _INV53
                down = np.int64(u * fN < s[l])
                move = np.int64(1)
                if lazy:
                    move = np.int64(z & _ONE)
                s[l] += move * (1 - 2 * down)
                out[p0 + l, steps - t if flip else t] = s[l]


@njit(inline="always", cache=True)
def _random_subset(words, size, universe, r):
    """Set ``size`` bits of the zeroed bit string ``words``, a uniformly random subset of
    ``0 .. universe - 1`` (Floyd's algorithm: exactly ``size`` draws, every subset equally
    likely)."""
    for j in range(universe - size, universe):
        r, u = next_double(r)
        t = min(np.int64(u * (j + 1)), j)
        if (words[t >> 6] >> np.uint64(t & 63)) & _ONE:
            t = j
        words[t >> 6] |= _ONE << np.uint64(t & 63)
    return r


@njit(parallel=True, cache=True)
def ehrenfest_micro(init, balls, lazy, seed, first_path, arm, steps, out, flip):
    """Ehrenfest urn with every ball tracked (bit ``k`` is 1 if ball ``k`` is in A).

    ``init[p]`` is the number of balls in A at t0; which balls they are is a uniformly random
    subset drawn from the path's ``ARM_SUBSET`` stream, so both arms rebuild the same t0
    microstate and no microstates are stored between the calls. One step: ball
    ``k = floor(u N)`` is picked (high 53 bits of one draw) and moved to the other urn (lazy:
    only if the low bit of the draw is 1). Records ``n`` = balls in A.
    """
    n = init.shape[0]
    W = (balls + 63) >> 6
    fN = np.float64(balls)
    for p in prange(n):
        w = np.zeros(W, np.uint64)
        _random_subset(w, init[p], balls, stream_state(seed, first_path + p, ARM_SUBSET))
        r = stream_state(seed, first_path + p, arm)
        cnt = np.int64(init[p])
        out[p, steps if flip else 0] = cnt
        for t in range(1, steps + 1):
            r, z = next_u64(r)
            k = min(np.int64(np.float64(z >> _S11) * _INV53 * fN), balls - 1)
            if (not lazy) or (z & _ONE):
                word = k >> 6
                bit = np.uint64(k & 63)
                was = np.int64((w[word] >> bit) & _ONE)
                w[word] ^= _ONE << bit
                cnt += 1 - 2 * was
            out[p, steps - t if flip else t] = cnt


# ------------------------------------------------------------------------------------------
# Kac ring
# ------------------------------------------------------------------------------------------


@njit(inline="always", cache=True)
def _window(ext, offset, k):
    """64 bits of the bit string ``ext`` starting at bit ``offset + 64 k``."""
    q = (offset >> 6) + k
    sh = offset & 63
    if sh == 0:
        return ext[q]
    return (ext[q] >> np.uint64(sh)) | (ext[q + 1] << np.uint64(64 - sh))


@njit(parallel=True, cache=True)
def kac_ring(start, n, markers, marker_prob, sites, seed, first_path, direction, steps, out, flip):
    """Kac ring, ``n`` paths; records the number of black balls.

    The t0 colouring of every path is ``start[1:]`` (bit-packed int64 words, bit 1 = black)
    if ``start[0] < 0``, else ``start[0]`` black balls at a uniformly random set of sites drawn
    from the path's ``ARM_START`` stream (all black when ``start[0] = N``). Marker ``i`` sits
    on the edge from site ``i`` to ``i + 1 (mod N)``: the bit-packed ``markers`` if
    ``marker_prob < 0``, else independent Bernoulli(``marker_prob``) edges drawn from the
    path's ``ARM_MARKERS`` stream. Both arms rebuild the same t0 state from the streams.

    The dynamics (``direction = +1``) moves every ball one site clockwise, flipping it when
    it crosses a marked edge; ``direction = -1`` is its exact inverse (counter-clockwise,
    same edges). The kernel works in the frame of the balls: ball ``j`` (at site ``j`` at
    t0) is at site ``j + s t`` after ``t`` steps (``s`` = direction) and crosses edge
    ``j + t`` (forward) or ``j - t - 1`` (backward) on its next step, so a step XORs the
    colours with the marker string rotated by ``t`` or ``-t - 1``: O(N / 64) word
    operations, no data movement. The colouring in the frame of the sites is the ball frame
    rotated by ``s t``.
    """
    W = (sites + 63) >> 6
    E = (2 * sites + 127) // 64 + 2  # marker string repeated past 2N bits, read unaligned
    rem = sites - 64 * (W - 1)
    last_mask = np.uint64(0xFFFFFFFFFFFFFFFF) if rem == 64 else (_ONE << np.uint64(rem)) - _ONE
    for p in prange(n):
        c = np.zeros(W, np.uint64)
        b0 = start[0]
        if b0 < 0:
            for i in range(W):
                c[i] = np.uint64(start[1 + i])
        elif b0 == sites:
            c[:] = np.uint64(0xFFFFFFFFFFFFFFFF)
            c[W - 1] = last_mask
        else:
            _random_subset(c, b0, sites, stream_state(seed, first_path + p, ARM_START))
        mk = np.zeros(W, np.uint64)
        if marker_prob < 0:
            mk[:] = markers
        else:
            r = stream_state(seed, first_path + p, ARM_MARKERS)
            for k in range(sites):
                r, u = next_double(r)
                if u < marker_prob:
                    mk[k >> 6] |= _ONE << np.uint64(k & 63)
        ext = np.zeros(E, np.uint64)
        for k in range(64 * E):
            i = k % sites
            if (mk[i >> 6] >> np.uint64(i & 63)) & _ONE:
                ext[k >> 6] |= _ONE << np.uint64(k & 63)
        cnt = np.int64(0)
        for i in range(W):
            cnt += popcount(c[i])
        out[p, steps if flip else 0] = cnt
        for t in range(steps):
            tm = t % sites
            off = tm if direction > 0 else sites - 1 - tm
            cnt = 0
            for i in range(W - 1):
                c[i] ^= _window(ext, off, i)
                cnt += popcount(c[i])
            c[W - 1] ^= _window(ext, off, W - 1) & last_mask
            cnt += popcount(c[W - 1])
            out[p, steps - t - 1 if flip else t + 1] = cnt


# ------------------------------------------------------------------------------------------
# lattice gas
# ------------------------------------------------------------------------------------------

_DX = np.array([1, -1, 0, 0], np.int64)
_DY = np.array([0, 0, 1, -1], np.int64)


@njit(inline="always", cache=True)
def _sweep(pos, occ, cells, cell_of, size, ncell, exclusion, moves, r):
    """``moves`` random sequential micro-steps: pick a particle uniformly, a direction
    uniformly; reject the move if it leaves the grid or (exclusion) lands on an occupied site.
    ``cell_of[x] = x // cell_side`` (a table: integer division costs tens of cycles)."""
    N = pos.shape[0]
    for _ in range(moves):
        r, i, low = _uniform_below(r, N)
        d = np.int64(low & np.uint64(3))
        x = np.int64(pos[i, 0])
        y = np.int64(pos[i, 1])
        nx = x + _DX[d]
        ny = y + _DY[d]
        if nx < 0 or nx >= size or ny < 0 or ny >= size:
            continue
        if exclusion:
            if occ[nx * size + ny]:
                continue
            occ[x * size + y] = 0
            occ[nx * size + ny] = 1
        pos[i, 0] = nx
        pos[i, 1] = ny
        a = cell_of[x] * ncell + cell_of[y]
        b = cell_of[nx] * ncell + cell_of[ny]
        if a != b:
            cells[a] -= 1
            cells[b] += 1
    return r


@njit(inline="always", cache=True)
def _setup(pos0, size, cell_side, ncell, exclusion):
    pos = pos0.copy()
    occ = np.zeros(size * size if exclusion else 1, np.uint8)
    cells = np.zeros(ncell * ncell, np.int64)
    cell_of = np.empty(size, np.int64)
    for x in range(size):
        cell_of[x] = x // cell_side
    for i in range(pos.shape[0]):
        x = np.int64(pos[i, 0])
        y = np.int64(pos[i, 1])
        if exclusion:
            occ[x * size + y] = 1
        cells[(x // cell_side) * ncell + y // cell_side] += 1
    return pos, occ, cells, cell_of


@njit(inline="always", cache=True)
def _coarse_entropy(cells, logfact, cell_sites, exclusion):
    """Log number of microstates (nats) of the cell occupation ``cells`` (see lattice_gas)."""
    N = 0
    s = 0.0
    for c in range(cells.shape[0]):
        k = cells[c]
        N += k
        if exclusion:
            s += logfact[cell_sites] - logfact[k] - logfact[cell_sites - k]
        else:
            s -= logfact[k]
    if not exclusion:
        s += logfact[N]
    return s


@njit(parallel=True, cache=True)
def lattice_gas(pos0, n, size, cell_side, exclusion, moves, logfact, seed, first_path, arm, steps,
                out_entropy, out_cells, record_cells, flip):
    """Lattice gas, ``n`` paths from the same particle positions ``pos0`` ``(N, 2)``; ``steps`` steps of ``moves``
    micro-steps each. Records the coarse-grained entropy (nats) in ``out_entropy[p, t]`` or,
    if ``record_cells``, the cell occupations in ``out_cells[p, t, :]``."""
    ncell = size // cell_side
    cell_sites = cell_side * cell_side
    for p in prange(n):
        pos, occ, cells, cell_of = _setup(pos0, size, cell_side, ncell, exclusion)
        r = stream_state(seed, first_path + p, arm)
        for t in range(steps + 1):
            if t > 0:
                r = _sweep(pos, occ, cells, cell_of, size, ncell, exclusion, moves, r)
            col = steps - t if flip else t
            if record_cells:
                for c in range(cells.shape[0]):
                    out_cells[p, col, c] = cells[c]
            else:
                out_entropy[p, col] = _coarse_entropy(cells, logfact, cell_sites, exclusion)


@njit(cache=True)
def lattice_snapshots(pos0, size, cell_side, exclusion, moves, seed, path, arm, capture, out):
    """One path of the lattice gas: ``out[k] = positions after capture[k] steps`` (sorted)."""
    ncell = size // cell_side
    pos, occ, cells, cell_of = _setup(pos0, size, cell_side, ncell, exclusion)
    r = stream_state(seed, path, arm)
    done = 0
    for k in range(capture.shape[0]):
        while done < capture[k]:
            r = _sweep(pos, occ, cells, cell_of, size, ncell, exclusion, moves, r)
            done += 1
        out[k] = pos


# ------------------------------------------------------------------------------------------
# fluctuation analysis
# ------------------------------------------------------------------------------------------


@njit(cache=True)
def select_separated(candidates, separation, keep):
    """Greedy selection in the given order: ``keep[k]`` is True if ``candidates[k]`` lies at
    least ``separation`` from every candidate kept before it.

    Two kept positions are never in the same bucket ``pos // separation``, and a kept
    position closer than ``separation`` to ``i`` lies in the bucket of ``i`` or a neighbour,
    so each candidate costs O(1).
    """
    if candidates.shape[0] == 0:
        return
    top = 0
    for k in range(candidates.shape[0]):
        top = max(top, candidates[k])
    nb = top // separation + 3
    bucket = np.full(nb, -1, np.int64)
    for k in range(candidates.shape[0]):
        i = candidates[k]
        b = i // separation + 1
        ok = True
        for c in range(b - 1, b + 2):
            j = bucket[c]
            if j >= 0 and abs(i - j) < separation:
                ok = False
        keep[k] = ok
        if ok:
            bucket[b] = i
