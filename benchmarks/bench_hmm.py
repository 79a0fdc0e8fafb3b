"""Benchmark: hidden Markov processes (sampling and exact block entropies).

Run by hand: ``.venv/bin/python benchmarks/bench_hmm.py``. Compares, in one process,

1. sampling many stationary rows of the random insertion process with
   ``HiddenMarkovModel.sample`` against the vectorised numpy loop a user would write (one
   ``Generator.random`` call per time step for all rows, an inverse-CDF lookup of the
   (symbol, next state) edge per row);
2. one long single sequence (latency-bound) against a plain Python loop with numpy's
   ``Generator`` (the other obvious baseline);
3. the exact block entropy H(L) of the even process by the mixed-state recursion against
   brute-force enumeration of all 2**L words with ``pi T^(w) 1`` (vectorised numpy).
"""

from __future__ import annotations

import time

import numpy as np

from entropy.processes.hmm import even, random_insertion


def best_of(fn, repeat=3):
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def numpy_rows(model, length, rows, seed):
    T = model.labelled
    k, n, _ = T.shape
    flat = T.transpose(1, 0, 2).reshape(n, k * n)  # row i: edges (x, j) -> x * n + j
    cdf = np.cumsum(flat, axis=1)
    rng = np.random.default_rng(seed)
    s = rng.choice(n, size=rows, p=model.stationary_distribution)
    out = np.empty((rows, length), np.uint8)
    for t in range(length):
        u = rng.random(rows)
        e = (u[:, None] > cdf[s]).sum(axis=1)
        out[:, t] = e // n
        s = e % n
    return out


def python_loop(model, length, seed):
    T = model.labelled
    k, n, _ = T.shape
    flat = T.transpose(1, 0, 2).reshape(n, k * n)
    cdf = np.cumsum(flat, axis=1).tolist()
    rng = np.random.default_rng(seed)
    u = rng.random(length)
    s = int(rng.choice(n, p=model.stationary_distribution))
    out = np.empty(length, np.uint8)
    for t in range(length):
        row = cdf[s]
        e = 0
        while u[t] > row[e]:
            e += 1
        out[t] = e // n
        s = e % n
    return out


def brute_force_block_entropy(model, L):
    T = model.labelled
    pi = model.stationary_distribution
    vecs = pi[None, :]
    for _ in range(L):
        vecs = np.einsum("wi,xij->wxj", vecs, T).reshape(-1, T.shape[1])
    p = vecs.sum(axis=1)
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


def main():
    m = random_insertion(0.3, 0.6)
    m.sample(10, seed=0, rows=32)  # compile
    rows, length = 2000, 5000
    t_ours = best_of(lambda: m.sample(length, seed=1, rows=rows))
    t_np = best_of(lambda: numpy_rows(m, length, rows, 1), repeat=1)
    print(f"sample {rows} rows x {length}: ours {t_ours:.3f} s ({t_ours / rows / length * 1e9:.1f} ns/symbol), "
          f"numpy per-step loop {t_np:.3f} s, ratio {t_np / t_ours:.1f}x")

    length = 2_000_000
    t_ours = best_of(lambda: m.sample(length, seed=1))
    t_py = best_of(lambda: python_loop(m, length // 10, 1), repeat=1) * 10
    print(f"one sequence of {length}: ours {t_ours:.3f} s ({t_ours / length * 1e9:.1f} ns/symbol), "
          f"python loop {t_py:.2f} s (extrapolated from {length // 10}), ratio {t_py / t_ours:.0f}x")

    e = even(0.5)
    for L in (12, 18, 22):
        t_ours = best_of(lambda: e.block_entropy(L))
        t_bf = best_of(lambda: brute_force_block_entropy(e, L), repeat=1)
        diff = abs(e.block_entropy(L) - brute_force_block_entropy(e, L))
        print(f"even process H({L}): mixed states {t_ours * 1e3:.2f} ms, all 2^{L} words {t_bf * 1e3:.1f} ms, "
              f"ratio {t_bf / t_ours:.0f}x, |difference| {diff:.1e} bits")

    r = random_insertion()
    t = best_of(lambda: (random_insertion().statistical_complexity("reverse"),
                         random_insertion().excess_entropy()), repeat=3)
    print(f"RIP: reverse epsilon-machine + bidirectional E from scratch: {t * 1e3:.1f} ms "
          f"(C- = {r.statistical_complexity('reverse'):.6f} bits, E = {r.excess_entropy():.6f} bits)")


if __name__ == "__main__":
    main()
