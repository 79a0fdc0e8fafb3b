"""Benchmark: block entropies H(L), L = 1..16, of a 10^7-symbol binary sequence.

Compares ``entropy.estimators.sequence.block_entropy_curve`` (longest words counted once,
shorter ones derived) with the baselines a user would otherwise pick, in one process:

* ``pyinform.block_entropy(x, k=L)`` called for every L (if pyinform is installed);
* plain numpy: mixed-radix codes of all windows with ``sliding_window_view`` and
  ``np.bincount`` per L.

Also times a 1000-symbol alphabet with L = 3 (sorted int64 codes) against ``np.unique``
over the rows of the window view, and the Lempel-Ziv estimators on 10^6 symbols. Run by hand: ``python benchmarks/bench_blocks.py [n]``.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from entropy.estimators.sequence import block_entropy, block_entropy_curve, lempel_ziv_entropy_rate

try:
    import pyinform
except Exception:  # pragma: no cover - optional baseline
    pyinform = None


def best_of(f, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return min(times), out


def numpy_block_entropies(x, lmax):
    """Plain numpy: codes of all windows of L symbols, bincount, plug-in entropy in bits."""
    out = []
    for L in range(1, lmax + 1):
        w = np.lib.stride_tricks.sliding_window_view(x, L)
        codes = w @ (2 ** np.arange(L - 1, -1, -1))
        c = np.bincount(codes)
        p = c[c > 0] / codes.size
        out.append(-(p * np.log2(p)).sum())
    return np.array(out)


def main(n=10**7, lmax=16):
    rng = np.random.default_rng(0)
    # a binary Markov chain (not iid) so that long words have a skewed law
    flips = rng.random(n) < np.where(rng.random(n) < 0.5, 0.1, 0.3)
    x = (np.cumsum(flips) % 2).astype(np.int32)
    block_entropy_curve(x[:10_000], lmax)  # compile / load the numba cache

    t_vals, c0 = best_of(lambda: block_entropy_curve(x, lmax, n_blocks=0))
    t_full, c1 = best_of(lambda: block_entropy_curve(x, lmax), repeat=5)
    print(f"n = {n:.0e}, L = 1..{lmax}, binary")
    print(f"  entropy, values only (n_blocks=0): {t_vals * 1e3:8.1f} ms")
    print(f"  entropy, values + batch-means se  : {t_full * 1e3:8.1f} ms")
    import numba

    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:  # one thread against single-threaded pyinform: the ratio least sensitive to other load
        t_one, _ = best_of(lambda: block_entropy_curve(x, lmax), repeat=5)
    finally:
        numba.set_num_threads(threads)
    print(f"  entropy, values + se, 1 thread    : {t_one * 1e3:8.1f} ms")
    t_np, ref_np = best_of(lambda: numpy_block_entropies(x, lmax), repeat=1)
    print(f"  plain numpy per L                 : {t_np * 1e3:8.1f} ms   ratio {t_np / t_vals:6.1f}x "
          f"(max |diff| {np.max(np.abs(ref_np - c0.block_entropy.value)):.1e})")
    if pyinform is not None:
        t_pi, ref_pi = best_of(lambda: np.array([pyinform.block_entropy(x, k=L) for L in range(1, lmax + 1)]),
                               repeat=2)
        print(f"  pyinform.block_entropy per L      : {t_pi * 1e3:8.1f} ms   ratio {t_pi / t_vals:6.1f}x "
              f"(values only), {t_pi / t_full:6.1f}x (with se), {t_pi / t_one:6.1f}x (with se, 1 thread); max |diff| "
              f"{np.max(np.abs(ref_pi - c0.block_entropy.value)):.1e}")
    else:
        print("  pyinform not installed: compared with plain numpy only")

    # large alphabet: 1000 symbols, words of 3 (1e9 possible words, sorted codes)
    m = n // 10
    y = rng.integers(0, 1000, m)
    t_y, e = best_of(lambda: block_entropy(y, 3, n_blocks=0), repeat=2)

    def numpy_unique():
        w = np.lib.stride_tricks.sliding_window_view(y, 3)
        _, c = np.unique(w, axis=0, return_counts=True)
        p = c / c.sum()
        return -(p * np.log2(p)).sum()

    t_u, ref = best_of(numpy_unique, repeat=1)
    print(f"n = {m:.0e}, 1000 symbols, L = 3: entropy {t_y * 1e3:.1f} ms, numpy unique(axis=0) "
          f"{t_u * 1e3:.1f} ms, ratio {t_u / t_y:.1f}x, |diff| {abs(ref - e.value):.1e}")

    # Lempel-Ziv: suffix-array match lengths, O(n log n) (the Kaspar-Schuster scan is O(n^2/log n))
    z = x[:m]
    for method in ("lz76", "kontoyiannis"):
        t_z, e = best_of(lambda: lempel_ziv_entropy_rate(z, method=method, n_blocks=0), repeat=1)
        print(f"n = {m:.0e}, lempel_ziv_entropy_rate(method={method!r}): {t_z:.2f} s, {e.value:.4f} bits/symbol")


if __name__ == "__main__":
    main(int(float(sys.argv[1])) if len(sys.argv) > 1 else 10**7)
