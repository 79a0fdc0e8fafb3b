"""Per-path random streams for the numba kernels.

Every path of an ensemble owns a SplitMix64 stream whose 64-bit state is a hash of
``(seed, path index, arm)``. Nothing is shared between paths, so a path's numbers do not
depend on the thread that runs it nor on how the paths are split into chunks: the same
``seed`` gives the same ensemble, bit for bit, on 1 thread or 64, in one chunk or many.

SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number generators",
OOPSLA) is a Weyl sequence ``s += gamma`` passed through a 64-bit finaliser. It passes
BigCrush, costs one add and two multiplies per 64 bits, and keeps its whole state in one
register, which lets a kernel advance several paths in lock-step (instruction-level
parallelism) without memory traffic. Two streams are two random offsets on the same Weyl
sequence of period 2**64; with 10**9 paths of 10**6 draws each the chance that two
overlap is below 1e-4 -- noted, and far below anything an estimator can see.

All functions take and return the state explicitly (``state, value = next_u64(state)``):
numba keeps it in a register.
"""

from __future__ import annotations

import numpy as np
from numba import njit

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53

# Sub-stream tags: the start draw, the forward arm and the backward arm of a path use
# independent streams, so changing the length of one arm never changes the other.
ARM_START = 0
ARM_FORWARD = 1
ARM_BACKWARD = 2
_ARM_TAGS = np.array([0x632BE59BD9B4E019, 0x85EBCA77C2B2AE63, 0xC2B2AE3D27D4EB4F], dtype=np.uint64)


@njit(inline="always", cache=True)
def mix64(z):
    """SplitMix64 finaliser: a bijective 64-bit hash."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(inline="always", cache=True)
def next_u64(state):
    """Advance a SplitMix64 state; return ``(state, 64 random bits)``."""
    state = state + GOLDEN
    return state, mix64(state)


@njit(inline="always", cache=True)
def next_double(state):
    """Uniform double on [0, 1) with 53 random bits; returns ``(state, u)``."""
    state, z = next_u64(state)
    return state, np.float64(z >> _S11) * _INV53


@njit(inline="always", cache=True)
def next_normal(state):
    """Standard normal deviate by Marsaglia's polar method; returns ``(state, z)``.

    The second deviate of each accepted pair is discarded so that the state stays a
    single integer (no cache per path).
    """
    while True:
        state, u = next_double(state)
        state, v = next_double(state)
        u = 2.0 * u - 1.0
        v = 2.0 * v - 1.0
        s = u * u + v * v
        if 0.0 < s < 1.0:
            return state, u * np.sqrt(-2.0 * np.log(s) / s)


@njit(inline="always", cache=True)
def stream_state(seed, path, arm):
    """Initial state of the stream of ``path`` (global index) and ``arm`` for ``seed``.

    ``seed`` and ``path`` are non-negative integers; ``arm`` is one of ARM_START,
    ARM_FORWARD, ARM_BACKWARD (or any small integer for other sub-streams).
    """
    k = mix64(np.uint64(seed) ^ _ARM_TAGS[arm % 3] ^ (np.uint64(arm // 3) * _M2))
    return mix64(k + (np.uint64(path) + np.uint64(1)) * GOLDEN)
