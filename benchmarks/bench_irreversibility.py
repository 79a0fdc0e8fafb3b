"""Benchmark: entropy production with history k = 1..8 of a 10^7-symbol series.

``entropy_production(x, history=8)`` returns the whole curve D_1..D_9 and the rates
sigma_1..sigma_8 (``extra["rates"]``) with block-bootstrap errors and bias correction, from
one count of the words of 9 symbols (shorter words derived). Baseline: what a user would
write with plain numpy for each k -- mixed-radix codes of all windows of k and k + 1
symbols (``sliding_window_view``), ``np.bincount``, the codes of the reversed words, and the
plug-in KL divergence -- without errors or bias correction. No package a user would pick
(pyinform, nolds, antropy) estimates entropy production of a discrete series.

Series: a driven 3-state cycle whose steps +1, -1, 0 are iid (a circulant Markov chain), so
that 10^7 steps are simulated with a cumulative sum. Run: ``python benchmarks/bench_irreversibility.py``.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from bench_blocks import best_of  # this folder is on sys.path when run as a script
from entropy.estimators.irreversibility import entropy_production


def numpy_rates(x, kmax, a=3):
    """Plain numpy: D_L for L = 1..kmax+1 (nats), lower-bound treatment of unmatched words."""
    D = []
    for L in range(1, kmax + 2):
        w = np.lib.stride_tricks.sliding_window_view(x, L)
        codes = w @ (a ** np.arange(L - 1, -1, -1))
        rcodes = w @ (a ** np.arange(L))  # the same digits read backwards
        c = np.bincount(codes, minlength=a**L).astype(float)
        cr = np.bincount(rcodes, minlength=a**L).astype(float)
        m = (c > 0) & (cr > 0)
        D.append(np.sum(c[m] * np.log(c[m] / cr[m])) / codes.size)
    return np.diff(D)


def main(n=10**7, kmax=8):
    p_up, p_down = 0.6, 0.3
    rng = np.random.default_rng(0)
    steps = rng.choice(np.array([1, -1, 0]), size=n, p=[p_up, p_down, 1 - p_up - p_down])
    x = (np.cumsum(steps) % 3).astype(np.int8)
    # exact: uniform pi, sigma = (p_up - p_down) ln(p_up / p_down) nats per step
    exact = (p_up - p_down) * math.log(p_up / p_down)
    entropy_production(x[:100_000], history=kmax)  # compile / load the numba cache

    t_ours, e = best_of(lambda: entropy_production(x, history=kmax, base=math.e))
    t_vals, e0 = best_of(lambda: entropy_production(x, history=kmax, base=math.e, n_boot=2,
                                                    bias_correction=False))
    t_np, ref = best_of(lambda: numpy_rates(x, kmax), repeat=1)

    print(f"n = {n:.0e}, 3 states, history k = 1..{kmax} (exact sigma = {exact:.6f} nats/step)")
    print(f"  entropy_production, 200 bootstrap replicates: {t_ours * 1e3:8.1f} ms")
    print(f"  entropy_production, 2 replicates (values)   : {t_vals * 1e3:8.1f} ms")
    print(f"  plain numpy per k, no errors                : {t_np * 1e3:8.1f} ms   ratio {t_np / t_ours:.1f}x "
          f"(with errors), {t_np / t_vals:.1f}x (values)")
    print(f"  max |plug-in ours - numpy| = {np.max(np.abs(e0.extra['rates'] - ref)):.1e}")
    for k in range(1, kmax + 1):
        print(f"  k = {k}: sigma = {e.extra['rates'][k - 1]:.5f} +/- {e.extra['rates_stderr'][k - 1]:.5f}")


if __name__ == "__main__":
    main(int(float(sys.argv[1])) if len(sys.argv) > 1 else 10**7)
