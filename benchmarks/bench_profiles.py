"""Per-time profiles from streamed counts against the time to simulate the ensemble.

A dense random 64-state chain, ``paths`` x 1000 steps (default 10**6 paths), streamed with
``word_length=3`` (per-time counts of 3-words: 64**3 x 1000 int64 = 2.1 GB), then

* H(t), h+(t) and h-(t) with history k = 2 (from the 3-words),
* E(t) with history k = 1 (from the pairs; k = 2 needs 4-words, 64**4 x 1000 counts =
  134 GB: the size of the answer, not of the implementation).

Also a plain stored ensemble of 10**5 paths: h+ with history 2 (dense per-time counts of the
64**3 words) and E with history 2 (64**4 words: sorted per time).

And per sample, from stored paths (10**5 paths x 1000 steps, history 1): H(t), h+(t), h-(t)
and E(t), wall and CPU time (CPU time is the steadier measure on a shared machine), each as a
ratio to H(t).

Run: ``python benchmarks/bench_profiles.py [--paths N] [--stored-only]``. Prints seconds and
the ratio of estimation time to simulation time.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import entropy
from entropy import estimators as est


def per_sample_stored(chain, paths, steps):
    """H, h+, h- and E (history 1) per sample from stored paths, as ratios to H."""
    e = entropy.simulate(chain, 0, forward=steps, paths=paths, seed=1)
    small = entropy.simulate(chain, 0, forward=20, paths=1000, seed=1)
    calls = {
        "H(t)": lambda d: est.entropy_profile(d),
        "h+(t)": lambda d: est.entropy_rate_profile(d),
        "h-(t)": lambda d: est.entropy_rate_profile(d, direction="backward"),
        "E(t)": lambda d: est.excess_entropy_profile(d),
    }
    for f in calls.values():
        f(small)  # compile / load the numba cache
    n = e.states.size
    base = None
    print(f"stored {paths} paths x {steps + 1} times, 64 states, history 1 (best of 3):")
    for name, f in calls.items():
        wall, cpu = [], []
        for _ in range(3):
            t, c = time.perf_counter(), time.process_time()
            f(e)
            wall.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        w, c = min(wall) / n * 1e9, min(cpu) / n * 1e9
        base = base or (w, c)
        print(f"  {name:6s} wall {w:5.2f} ns/sample ({w / base[0]:4.2f}x H), cpu {c:5.2f} ns/sample "
              f"({c / base[1]:4.2f}x H)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", type=int, default=1_000_000)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--stored-only", action="store_true", help="only the per-sample costs from stored paths")
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    P = rng.random((64, 64))
    P /= P.sum(axis=1, keepdims=True)
    chain = entropy.MarkovChain(P)
    per_sample_stored(chain, 100_000, a.steps)
    if a.stored_only:
        return
    entropy.simulate(chain, 0, forward=10, paths=1000, seed=1, store=False, word_length=3)  # compile

    t = time.perf_counter()
    s = entropy.simulate(chain, 0, forward=a.steps, paths=a.paths, seed=1, store=False, word_length=3)
    t_sim = time.perf_counter() - t
    t = time.perf_counter()
    est.entropy_profile(s)
    est.entropy_rate_profile(s, history=2, direction="forward")
    est.entropy_rate_profile(s, history=2, direction="backward")
    est.excess_entropy_profile(s, history=1)
    t_est = time.perf_counter() - t
    print(f"streamed {a.paths} paths x {a.steps} steps (3-word counts): simulate {t_sim:.2f} s, "
          f"H + h+(k=2) + h-(k=2) + E(k=1) {t_est:.2f} s, ratio {t_est / t_sim:.2f}")

    t = time.perf_counter()
    s2 = entropy.simulate(chain, 0, forward=a.steps, paths=a.paths, seed=1, store=False)
    t_sim2 = time.perf_counter() - t
    t = time.perf_counter()
    est.entropy_profile(s2)
    est.entropy_rate_profile(s2, direction="forward")
    est.entropy_rate_profile(s2, direction="backward")
    est.excess_entropy_profile(s2)
    t_est2 = time.perf_counter() - t
    print(f"streamed pairs only: simulate {t_sim2:.2f} s, H + h+ + h- + E (k = 1) {t_est2:.2f} s, "
          f"ratio {t_est2 / t_sim2:.2f}")

    m = 100_000
    t = time.perf_counter()
    e = entropy.simulate(chain, 0, forward=a.steps, paths=m, seed=1)
    t_sim3 = time.perf_counter() - t
    t = time.perf_counter()
    est.entropy_rate_profile(e, history=2)
    t_rate = time.perf_counter() - t
    t = time.perf_counter()
    est.excess_entropy_profile(e, history=2)
    t_e = time.perf_counter() - t
    print(f"stored {m} paths: simulate {t_sim3:.2f} s; h+(k=2) from dense 3-word counts {t_rate:.2f} s "
          f"(ratio {t_rate / t_sim3:.1f}); E(k=2), 64**4 words sorted per time, {t_e:.2f} s")

if __name__ == "__main__":
    main()
