"""Benchmark: N-body leapfrog with direct gravity, entropy.NBody against REBOUND and numpy.

1. Pair interactions per second per core, N = 100, 200, 500, 1000 bodies, one path on one
   thread, kick-drift-kick leapfrog with Plummer softening, G = 1:

   * ``entropy``: ``simulate(NBody(N, substeps=10), "janus", forward=steps // 10, dt=...,
     paths=1)`` with ``numba.set_num_threads(1)`` (one force evaluation per step; the state is
     stored every 10 steps);
   * ``REBOUND``: ``integrator="leapfrog"`` (drift-kick-drift, one force evaluation per step),
     ``gravity="basic"`` (direct summation), the same bodies, softening and dt,
     ``sim.steps(steps)``;
   * ``numpy``: a vectorised direct sum a user would write, dense (N, N) pair arrays per step
     (it computes every pair twice; counted as N(N-1)/2 pairs all the same).

   A pair interaction is one of the N(N-1)/2 pairs in one force evaluation. Reported: the
   best of ``--repeat`` runs, per second of CPU time of the process (``time.process_time``,
   robust to other processes competing for the core) and per second of wall time.

2. Ensemble scaling: 16 paths of 200 bodies (states stored), ``numba.set_num_threads(1)``
   against 2 threads: wall time, and CPU time (their ratio is the work overhead of the second
   thread; on a loaded machine the wall ratio says little).

3. The cost of ``record="observables"`` (one O(N^2) pass with a log per pair at every
   recorded time) against ``record="state"``, 16 paths of 200 bodies, 2 threads.

Numba compilation is excluded (a warm-up run first). Run by hand:

    python benchmarks/bench_nbody.py [--repeat 3] [--sizes 100 200 500 1000]
"""

from __future__ import annotations

import argparse
import os
import time

import numba
import numpy as np

from entropy import NBody, simulate

EPS = 0.01
DT = 1e-4


def janus_state(n, seed=1):
    ens = simulate(NBody(n, softening=EPS), "janus", forward=0, dt=DT, paths=1, seed=seed)
    return ens.states[0, 0, 0].copy(), ens.states[0, 0, 1].copy()


def timed(fn, repeat):
    """Best (cpu, wall) seconds of ``repeat`` calls."""
    best_cpu = best_wall = float("inf")
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        best_cpu = min(best_cpu, time.process_time() - c0)
        best_wall = min(best_wall, time.perf_counter() - w0)
    return best_cpu, best_wall


def run_entropy(x, v, steps):
    model = NBody(len(x), softening=EPS, substeps=10, on_energy_error="ignore")
    simulate(model, {"positions": x, "velocities": v}, forward=steps // 10, dt=10 * DT, paths=1, seed=0)


def run_rebound(x, v, m, steps):
    import rebound

    sim = rebound.Simulation()
    sim.G = 1.0
    sim.integrator = "leapfrog"
    sim.gravity = "basic"
    sim.softening = EPS
    sim.dt = DT
    for i in range(len(m)):
        sim.add(m=m[i], x=x[i, 0], y=x[i, 1], z=x[i, 2], vx=v[i, 0], vy=v[i, 1], vz=v[i, 2])
    sim.steps(steps)


def numpy_accel(x, m):
    d = x[None, :, :] - x[:, None, :]
    r2 = np.einsum("ijk,ijk->ij", d, d) + EPS * EPS
    inv3 = r2 ** -1.5
    np.fill_diagonal(inv3, 0.0)
    return np.einsum("ij,ijk->ik", inv3 * m[None, :], d)


def run_numpy(x, v, m, steps):
    x = x.copy()
    v = v.copy()
    a = numpy_accel(x, m)
    for _ in range(steps):
        v += 0.5 * DT * a
        x += DT * v
        a = numpy_accel(x, m)
        v += 0.5 * DT * a


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 200, 500, 1000])
    args = ap.parse_args()
    try:
        import rebound
        rb_version = rebound.__version__
    except ImportError:
        rb_version = None
    print(f"numba {numba.__version__}, numpy {np.__version__}, REBOUND {rb_version}, cores {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f}")

    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    x, v = janus_state(20)
    run_entropy(x, v, 20)  # compile
    print("\n1. pair interactions per second per core (one path, one thread); cpu / wall")
    print(f"{'N':>6} {'entropy':>20} {'REBOUND':>20} {'numpy':>20} {'vs REBOUND':>11} {'vs numpy':>9}")
    for n in args.sizes:
        x, v = janus_state(n)
        m = np.full(n, 1.0 / n)
        steps = max(20, int(4e7 / (n * n / 2)) // 10 * 10)
        pairs = steps * n * (n - 1) / 2
        res = {"entropy": timed(lambda: run_entropy(x, v, steps), args.repeat)}
        if rb_version:
            res["REBOUND"] = timed(lambda: run_rebound(x, v, m, steps), args.repeat)
        np_steps = max(2, steps // 20)
        c, w = timed(lambda: run_numpy(x, v, m, np_steps), args.repeat)
        res["numpy"] = (c * steps / np_steps, w * steps / np_steps)
        rate = {k: (pairs / c, pairs / w) for k, (c, w) in res.items()}
        cells = [f"{rate[k][0]:9.3g} /{rate[k][1]:9.3g}" if k in rate else f"{'-':>20}"
                 for k in ("entropy", "REBOUND", "numpy")]
        vs_rb = f"{rate['entropy'][0] / rate['REBOUND'][0]:10.1f}x" if "REBOUND" in rate else f"{'-':>11}"
        print(f"{n:>6} {cells[0]} {cells[1]} {cells[2]} {vs_rb} {rate['entropy'][0] / rate['numpy'][0]:8.0f}x")

    print("\n2. ensemble scaling: 16 paths x 200 bodies x 2000 steps, states stored every 10 steps (wall s)")
    model = NBody(200, softening=EPS, substeps=10, on_energy_error="ignore")
    kw = dict(forward=200, dt=10 * DT, paths=16, seed=3)
    simulate(model, "janus", **kw)
    walls, cpus = {}, {}
    for t in (1, 2):
        if t > threads:
            continue
        numba.set_num_threads(t)
        cpus[t], walls[t] = timed(lambda: simulate(model, "janus", **kw), args.repeat)
        print(f"  {t} thread(s): wall {walls[t]:.3f} s, cpu {cpus[t]:.3f} s")
    if 2 in walls:
        print(f"  speed-up 2 threads / 1 thread: {walls[1] / walls[2]:.2f}x wall; work overhead of 2 threads "
              f"{cpus[2] / cpus[1]:.2f}x cpu (on idle cores the speed-up is about 2 / that)")

    print("\n3. record='observables' against record='state' (16 paths x 200 bodies, 2000 steps, 2 threads)")
    numba.set_num_threads(threads)
    for sub in (10, 1):
        ws = {}
        for rec in ("state", "observables"):
            mod = NBody(200, softening=EPS, substeps=sub, record=rec, on_energy_error="ignore")
            kw = dict(forward=2000 // sub, dt=sub * DT, paths=16, seed=3)
            simulate(mod, "janus", **kw)
            ws[rec] = timed(lambda: simulate(mod, "janus", **kw), args.repeat)[1]
        print(f"  a record every {sub:>2} step(s): state {ws['state']:.3f} s, observables {ws['observables']:.3f} s "
              f"({ws['observables'] / ws['state']:.2f}x)")


if __name__ == "__main__":
    main()
