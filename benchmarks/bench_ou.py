"""Benchmark: an Ornstein-Uhlenbeck ensemble, entropy.simulate against a vectorised numpy AR(1).

Workload: 10**5 paths x 1000 steps of the scalar OU process dX = -theta X dt + sigma dW, stepped
exactly as the AR(1) X <- a X + s Z (a = exp(-theta dt), s^2 = sigma^2 (1 - a^2) / (2 theta)),
states stored as float32 (400 MB).

Baselines (what a user would otherwise write): a loop over time with numpy's Generator
(PCG64) drawing one vector of normals per step, updating the state in place and storing it
into a preallocated ``(steps + 1, paths)`` float32 array (time-major, so each store is
contiguous):

* ``numpy f64``: ``rng.standard_normal(out=z)`` in float64 (same precision as entropy);
* ``numpy f32``: ``rng.standard_normal(dtype=np.float32, out=z)``, state in float32 (faster,
  less precise).

entropy: ``simulate(OrnsteinUhlenbeck(theta, sigma, dtype=np.float32), 0.0, forward=1000,
paths=10**5, dt=dt)``: per-path SplitMix64 streams, a 256-layer ziggurat, prange over paths.

Every variant allocates its output afresh (first touch included). Each is run ``--repeat``
times, interleaved, and the best time is reported in ns per path-step, both wall-clock and
CPU time summed over threads (the latter shows the work per core and is robust to other
processes competing for the cores; the speed-up on an idle 2-core machine lies between the
wall ratio measured under load and the CPU ratio times the parallel efficiency). Run by hand:

    python benchmarks/bench_ou.py [--paths 100000] [--steps 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numba
import numpy as np

from entropy import simulate
from entropy.processes.diffusion import OrnsteinUhlenbeck

THETA, SIGMA, DT = 1.0, 1.0, 0.01


def numpy_ar1(paths, steps, seed, float32_normals=False):
    a = math.exp(-THETA * DT)
    s = SIGMA * math.sqrt(-math.expm1(-2 * THETA * DT) / (2 * THETA))
    rng = np.random.default_rng(seed)
    out = np.empty((steps + 1, paths), np.float32)
    dt = np.float32 if float32_normals else np.float64
    x = np.zeros(paths, dt)
    z = np.empty(paths, dt)
    out[0] = x
    for t in range(1, steps + 1):
        rng.standard_normal(dtype=dt, out=z)
        z *= s
        x *= a
        x += z
        out[t] = x
    return out


def entropy_ar1(paths, steps, seed):
    ou = OrnsteinUhlenbeck(THETA, SIGMA, dtype=np.float32)
    return simulate(ou, 0.0, forward=steps, paths=paths, seed=seed, dt=DT).states


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    n, T = args.paths, args.steps
    print(f"OU ensemble: {n} paths x {T} steps, float32 storage; numba threads: {numba.get_num_threads()}, "
          f"cores: {os.cpu_count()}")
    entropy_ar1(1000, 10, 0)  # compile / load the cached kernel

    # sanity: both give the stationary-approach variance sigma^2/(2 theta) (1 - e^{-2 theta t}) at the end
    v_exact = SIGMA**2 / (2 * THETA) * -math.expm1(-2 * THETA * DT * T)
    variants = {
        "entropy": lambda r: entropy_ar1(n, T, r),
        "numpy f64": lambda r: numpy_ar1(n, T, r),
        "numpy f32": lambda r: numpy_ar1(n, T, r, float32_normals=True),
    }
    best = {k: math.inf for k in variants}
    best_cpu = {k: math.inf for k in variants}
    for r in range(args.repeat):
        for name, fn in variants.items():
            c0 = time.process_time()
            t0 = time.perf_counter()
            out = fn(r)
            dt = time.perf_counter() - t0
            best_cpu[name] = min(best_cpu[name], time.process_time() - c0)
            best[name] = min(best[name], dt)
            last = out[:, -1] if name == "entropy" else out[-1]
            if r == 0:
                print(f"  {name:10s} final variance {last.var():.4f} (exact {v_exact:.4f})")
            del out, last
    print(f"threading layer: {numba.threading_layer()}; wall = elapsed time, cpu = CPU time of all threads "
          "(insensitive to other load on the machine)")
    print(f"{'variant':12s} {'wall s':>8s} {'ns/path-step':>13s} {'speed-up':>9s} {'cpu s':>8s} "
          f"{'cpu ns/path-step':>17s} {'cpu ratio':>10s}")
    for name, t in best.items():
        c = best_cpu[name]
        print(f"{name:12s} {t:8.3f} {t / (n * T) * 1e9:13.2f} {t / best['entropy']:8.2f}x {c:8.3f} "
              f"{c / (n * T) * 1e9:17.2f} {c / best_cpu['entropy']:9.2f}x")


if __name__ == "__main__":
    main()
