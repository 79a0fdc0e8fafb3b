"""Per-time profiles from streamed counts against the time to simulate the ensemble.

A dense random 64-state chain, ``paths`` x 1000 steps (default 10**6 paths), streamed with
``word_length=3`` (per-time counts of 3-words: 64**3 x 1000 int64 = 2.1 GB), then

* H(t), h+(t) and h-(t) with history k = 2 (from the 3-words),
* E(t) with history k = 1 (from the pairs; k = 2 needs 4-words, 64**4 x 1000 counts =
  134 GB: the size of the answer, not of the implementation).

Also a plain stored ensemble of 10**5 paths: h+ with history 2 (dense per-time counts of the
64**3 words) and E with history 2 (64**4 words: sorted per time).

Run: ``python benchmarks/bench_profiles.py [--paths N]``. Prints seconds and the ratio of
estimation time to simulation time.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import entropy
from entropy import estimators as est


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", type=int, default=1_000_000)
    ap.add_argument("--steps", type=int, default=1000)
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    P = rng.random((64, 64))
    P /= P.sum(axis=1, keepdims=True)
    chain = entropy.MarkovChain(P)
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
