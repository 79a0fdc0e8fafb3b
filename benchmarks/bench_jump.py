"""Markov jump process simulation: ns per jump against the baselines a user would pick.

Dense random 64-state generator (rates U(0, 1), mean exit rate about 32), 10**5 paths run
for the time of about 1000 jumps each, recorded on a grid of ``--steps`` times:

* ``entropy.simulate`` (the kernel the process picks: uniformisation for this generator,
  mean / max exit rate 0.86; ``--kernel gillespie`` forces the Gillespie kernel), 16 lanes per
  thread, states stored, with and without the per-path entropy production;
* a vectorised numpy Gillespie over paths written the way a careful user would: one vector
  operation per event over the paths still running, numpy's exponentials, inverse-CDF
  successor draws by one ``searchsorted`` on the row-offset cumulative jump chain, grid
  cells filled with ``np.repeat``;
* the discrete-time chain stepper (``entropy.simulate`` of a 64-state ``MarkovChain``,
  10**5 paths x 1000 steps), per transition.

Run from the repository root: ``PYTHONPATH=. python benchmarks/bench_jump.py [--kernel K] [--threads N]
[--paths N] [--jumps J] [--steps T] [--repeat R]``.
Prints wall time (best of R) and CPU time per event and the ratios. Numba compilation is
excluded (a warm-up run first).
"""

from __future__ import annotations

import argparse
import time

import numba
import numpy as np

import entropy
import entropy.processes.jump


def best_of(fn, repeat):
    wall, cpu = np.inf, np.inf
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - t)
        cpu = min(cpu, time.process_time() - c)
    return wall, cpu


def numpy_gillespie(Q, start, paths, steps, dt, seed):
    """Vectorised Gillespie over paths, recorded at t = k dt (k = 0..steps). Returns (states, number of jumps)."""
    n = Q.shape[0]
    rng = np.random.default_rng(seed)
    q = -np.diag(Q)
    J = np.where(np.eye(n, dtype=bool), 0.0, Q) / q[:, None]
    cum = (np.cumsum(J, axis=1) + np.arange(n)[:, None]).ravel()  # row i lives in (i, i + 1]
    cum[n - 1::n] = np.arange(1, n + 1)  # rows end exactly at i + 1 (no rounding gap)
    out = np.empty((paths, steps + 1), np.uint8)
    idx = np.arange(paths)
    s = np.full(paths, start, np.int64)
    t = np.zeros(paths)
    g = np.zeros(paths, np.int64)  # next grid index to fill
    jumps = 0
    while idx.size:
        t_new = t + rng.standard_exponential(idx.size) / q[s]
        g_new = np.minimum(np.ceil(t_new / dt).astype(np.int64), steps + 1)  # grid k with k dt < t_new
        cnt = g_new - g
        rows = np.repeat(idx, cnt)
        first = np.repeat(g - np.cumsum(cnt) + cnt, cnt)
        out[rows, first + np.arange(rows.size)] = np.repeat(s, cnt)
        live = g_new <= steps
        jumps += int(live.sum())
        s = np.searchsorted(cum, s[live] + rng.random(int(live.sum())), side="right") - s[live] * n
        s = np.minimum(s, n - 1)  # u -> 1 rounding
        idx, t, g = idx[live], t_new[live], g_new[live]
    return out, jumps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--baseline-paths", type=int, default=20_000, help="paths for the (linear-cost) numpy baseline")
    ap.add_argument("--jumps", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=100, help="grid times recorded per path")
    ap.add_argument("--states", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--kernel", choices=("auto", "gillespie", "uniformized"), default="auto")
    ap.add_argument("--threads", type=int, default=0, help="numba threads (0: numba's default)")
    a = ap.parse_args()
    if a.threads:
        numba.set_num_threads(a.threads)
    if a.kernel != "auto":
        entropy.processes.jump.UNIFORMIZE_MIN_RATIO = 0.0 if a.kernel == "uniformized" else np.inf
    rng = np.random.default_rng(0)
    n = a.states
    Q = rng.random((n, n))
    np.fill_diagonal(Q, 0.0)
    np.fill_diagonal(Q, -Q.sum(axis=1))
    proc = entropy.MarkovJumpProcess(Q)
    qbar = float(proc.stationary_distribution @ proc.exit_rates)
    horizon = a.jumps / qbar
    dt = horizon / a.steps
    events = a.paths * a.jumps
    print(f"{n}-state dense generator, {a.paths} paths x ~{a.jumps} jumps, grid of {a.steps} times, "
          f"numba threads {numba.get_num_threads()}, kernel {a.kernel} (uniformises: {proc._uniformize()})")

    def sim(ep):
        return entropy.simulate(proc, 0, forward=a.steps, dt=dt, paths=a.paths, seed=1, entropy_production=ep)

    sim(False), sim(True)  # compile
    res = {}
    res["simulate"] = best_of(lambda: sim(False), a.repeat)
    res["simulate, entropy_production"] = best_of(lambda: sim(True), a.repeat)
    e = sim(False)
    _, nj = numpy_gillespie(Q, 0, a.baseline_paths, a.steps, dt, 1)
    w, c = best_of(lambda: numpy_gillespie(Q, 0, a.baseline_paths, a.steps, dt, 1), 1)
    res["numpy Gillespie"] = (w * events / nj, c * events / nj)  # scaled to the same number of jumps
    # the two simulations agree in law at the last time (5 binomial standard errors)
    ref, _ = numpy_gillespie(Q, 0, a.baseline_paths, a.steps, dt, 2)
    p1 = np.bincount(e.states[:, -1], minlength=n) / a.paths
    p2 = np.bincount(ref[:, -1], minlength=n) / a.baseline_paths
    assert np.all(np.abs(p1 - p2) <= 5 * np.sqrt(p1 * (1 - p1) / a.baseline_paths) + 1e-3), "laws differ"
    P = rng.random((n, n))
    P /= P.sum(axis=1, keepdims=True)
    chain = entropy.MarkovChain(P)
    entropy.simulate(chain, 0, forward=10, paths=1000, seed=1)
    res["chain stepper (per transition)"] = best_of(
        lambda: entropy.simulate(chain, 0, forward=a.jumps, paths=a.paths, seed=1), a.repeat)
    base = res["simulate"]
    for k, (w, c) in res.items():
        print(f"{k:34s} wall {w:7.3f} s  {w / events * 1e9:6.2f} ns/event   cpu {c / events * 1e9:6.2f} ns/event   "
              f"wall ratio to simulate {w / base[0]:5.2f}")


if __name__ == "__main__":
    main()
