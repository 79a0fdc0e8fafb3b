"""Benchmark: Ehrenfest urn (macro and micro), Kac ring and lattice gas against plain numpy.

Each model is simulated through ``entropy.simulate`` (numba kernels, per-path streams,
both threads) and by the vectorised numpy code a user would otherwise write (vectorised over
paths, a Python loop over time, ``numpy.random.Generator``), in one process. Rates are
steps per second summed over paths; the ratio is numpy time / entropy time.

* Ehrenfest macrostate: birth-death chain of n, 10^4 paths x 10^3 steps, N = 1000.
* Ehrenfest microstate: N = 10^4 balls (bit-packed), 256 paths x 10^4 steps; numpy keeps a
  boolean (paths, N) array and flips one entry per path per step.
* Kac ring: N = 10^4 sites, m = 1000 markers, 64 paths x 2000 steps; numpy rolls a boolean
  (paths, N) array (``np.roll(c ^ markers, 1)``) and counts.
* Lattice gas: 10^4 particles on 256 x 256, 8 x 8 cells, steps of N micro-steps (one sweep).
  numpy cannot vectorise the random sequential update; its baseline moves all particles at
  once per sweep (a parallel update, no exclusion) -- the usual vectorised shortcut. The
  exclusion process is compared with a plain Python loop over micro-steps (extrapolated).

Run by hand: ``python benchmarks/bench_models.py``.
"""

from __future__ import annotations

import time

import numba
import numpy as np
from scipy.special import gammaln

from entropy.processes.ehrenfest import Ehrenfest
from entropy.processes.kac import KacRing
from entropy.processes.lattice_gas import LatticeGas
from entropy.simulation import simulate


def best_of(f, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return min(times), out


def report(name, steps, t_ours, t_base, unit="steps", base="numpy"):
    print(f"{name}\n    entropy {steps / t_ours:10.3g} {unit}/s   {base} {steps / t_base:10.3g} {unit}/s   "
          f"ratio {t_base / t_ours:7.1f}x")


def numpy_ehrenfest_macro(N, paths, steps, rng):
    n = np.full(paths, N, np.int64)
    out = np.empty((paths, steps + 1), np.uint16)
    out[:, 0] = n
    for t in range(1, steps + 1):
        n += np.where(rng.random(paths) * N < n, -1, 1)
        out[:, t] = n
    return out


def numpy_ehrenfest_micro(N, paths, steps, rng):
    state = np.ones((paths, N), bool)
    n = np.full(paths, N, np.int64)
    out = np.empty((paths, steps + 1), np.uint16)
    out[:, 0] = n
    rows = np.arange(paths)
    for t in range(1, steps + 1):
        k = rng.integers(0, N, paths)
        was = state[rows, k]
        state[rows, k] = ~was
        n += 1 - 2 * was.astype(np.int64)
        out[:, t] = n
    return out


def numpy_kac(markers, paths, steps):
    N = markers.size
    c = np.ones((paths, N), bool)
    out = np.empty((paths, steps + 1), np.uint16)
    out[:, 0] = N
    for t in range(1, steps + 1):
        c = np.roll(c ^ markers, 1, axis=1)
        out[:, t] = c.sum(axis=1)
    return out


def numpy_lattice_parallel(L, N, C, steps, rng):
    side = int(np.ceil(np.sqrt(N)))
    idx = np.arange(N)
    pos = np.stack([idx // side, idx % side], axis=1)
    D = np.array([[1, 0], [-1, 0], [0, 1], [0, -1]])
    cs = L // C
    out = np.empty(steps + 1)
    logN = gammaln(N + 1)
    for t in range(steps + 1):
        if t:
            new = pos + D[rng.integers(0, 4, N)]
            ok = np.all((new >= 0) & (new < L), axis=1)
            pos[ok] = new[ok]
        cells = np.bincount((pos[:, 0] // cs) * C + pos[:, 1] // cs, minlength=C * C)
        out[t] = logN - gammaln(cells + 1).sum()
    return out


def python_exclusion(L, N, moves, rng):
    side = int(np.ceil(np.sqrt(N)))
    pos = [(i // side, i % side) for i in range(N)]
    occ = set(pos)
    picks = rng.integers(0, N, moves).tolist()
    dirs = rng.integers(0, 4, moves).tolist()
    D = ((1, 0), (-1, 0), (0, 1), (0, -1))
    for i, d in zip(picks, dirs):
        x, y = pos[i]
        nx, ny = x + D[d][0], y + D[d][1]
        if 0 <= nx < L and 0 <= ny < L and (nx, ny) not in occ:
            occ.discard((x, y))
            occ.add((nx, ny))
            pos[i] = (nx, ny)
    return pos


def main():
    rng = np.random.default_rng(0)
    print(f"numba threads: {numba.get_num_threads()}")

    # Ehrenfest macrostate
    N, P, T = 1000, 10_000, 1000
    urn = Ehrenfest(N)
    simulate(urn, N, forward=5, paths=16, seed=0)
    t_ours, _ = best_of(lambda: simulate(urn, N, forward=T, paths=P, seed=1))
    t_np, _ = best_of(lambda: numpy_ehrenfest_macro(N, P, T, rng), repeat=2)
    report(f"Ehrenfest macro N={N}, {P} paths x {T}", P * T, t_ours, t_np)

    # Ehrenfest microstate
    N, P, T = 10_000, 256, 10_000
    urn = Ehrenfest(N, micro=True)
    simulate(urn, N, forward=5, paths=4, seed=0)
    t_ours, _ = best_of(lambda: simulate(urn, N, forward=T, paths=P, seed=1))
    t_np, _ = best_of(lambda: numpy_ehrenfest_micro(N, P, T, rng), repeat=1)
    report(f"Ehrenfest micro N={N}, {P} paths x {T}", P * T, t_ours, t_np)

    # Kac ring
    N, m, P, T = 10_000, 1000, 64, 2000
    ring = KacRing(N, m, seed=1)
    simulate(ring, "black", forward=5, paths=4, seed=0)
    t_ours, a = best_of(lambda: simulate(ring, "black", forward=T, paths=P, seed=1))
    t_np, b = best_of(lambda: numpy_kac(ring.markers, P, T), repeat=1)
    assert np.array_equal(a.states, b), "Kac ring: kernel and numpy disagree"
    report(f"Kac ring N={N}, m={m}, {P} paths x {T}", P * T, t_ours, t_np)
    print(f"    ({P * T * N / t_ours:.3g} ball moves/s)")

    # lattice gas
    L, N, C = 256, 10_000, 8
    for exclusion in (False, True):
        gas = LatticeGas(L, N, exclusion=exclusion, cells=C)
        simulate(gas, "corner", forward=2, paths=1, seed=0)
        T = 1000
        t1, _ = best_of(lambda: simulate(gas, "corner", forward=T, paths=1, seed=1), repeat=2)
        t2, _ = best_of(lambda: simulate(gas, "corner", forward=T, paths=2, seed=1), repeat=2)
        name = f"lattice gas {'exclusion' if exclusion else 'free'} 1 path x {T} sweeps"
        if not exclusion:
            t_np, _ = best_of(lambda: numpy_lattice_parallel(L, N, C, T, rng), repeat=2)
            report(name, T, t1, t_np, unit="sweeps", base="numpy parallel update")
        else:
            moves = 200_000
            t_py, _ = best_of(lambda: python_exclusion(L, N, moves, rng), repeat=1)
            t_py_sweeps = t_py * (T * N / moves)
            report(name, T, t1, t_py_sweeps, unit="sweeps", base="pure Python loop")
        print(f"    {T * N / t1:.3g} micro-steps/s on 1 path; 2 paths: {2 * T * N / t2:.3g}/s; "
              f"10^4 sweeps of one path: about {10 * t1:.1f} s")


if __name__ == "__main__":
    main()
