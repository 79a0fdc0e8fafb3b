"""Benchmark of the nearest-neighbour estimators in ``entropy.estimators.continuous``.

Run by hand (not in CI)::

    python benchmarks/bench_knn.py            # speed against plain scipy cKDTree code
    python benchmarks/bench_knn.py --bias     # bias / spread table quoted by tests/test_continuous.py

Speed: the baseline is what a user would write with ``scipy.spatial.cKDTree`` (same norm,
same k, all cores): for kNN entropy a tree, one ``query`` and a sum of logs; for KSG a
joint ``query`` and two ``query_ball_point(..., return_length=True)`` marginal counts.
Both run in this process on the same arrays; the best of ``--repeat`` runs is kept and the
ratio ours / baseline printed (below 1: ours is faster).

Bias: the mean and the seed-to-seed standard deviation of each estimator over ``--seeds``
independent samples (seeds 1000, 1001, ...; the tests use other seeds) at n = 10^4, against
the closed form. ``se`` is the mean of the reported standard error, ``sd/se`` their ratio
(1 when the standard error is calibrated) and ``coverage`` the fraction of the reported
(nominal 95 %) intervals that contain the exact value.
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma

from entropy.estimators.continuous import (
    conditional_entropy,
    differential_entropy,
    gaussian_entropy,
    gaussian_mutual_information,
    mutual_information,
)

# ------------------------------------------------------------------------------ baselines


def plain_knn_entropy(x, k=4):
    """Kozachenko-Leonenko entropy (nats, max norm) as a user would write it with scipy."""
    n, d = x.shape
    dist, _ = cKDTree(x).query(x, k=k + 1, p=np.inf, workers=-1)
    return digamma(n) - digamma(k) + d * math.log(2.0) + d * np.mean(np.log(dist[:, -1]))


def plain_ksg(x, y, k=4):
    """KSG estimator I^(1) (nats) as a user would write it with scipy."""
    n = x.shape[0]
    z = np.hstack((x, y))
    dist, _ = cKDTree(z).query(z, k=k + 1, p=np.inf, workers=-1)
    r = np.nextafter(dist[:, -1], 0.0)
    nx = cKDTree(x).query_ball_point(x, r, p=np.inf, return_length=True, workers=-1) - 1
    ny = cKDTree(y).query_ball_point(y, r, p=np.inf, return_length=True, workers=-1) - 1
    return digamma(k) + digamma(n) - np.mean(digamma(nx + 1) + digamma(ny + 1))


def compare(ours, baseline, repeat):
    """Best-of-``repeat`` times of two functions, run alternately (fair under a varying load)."""
    t_ours, t_base = [], []
    for _ in range(repeat):
        for fn, times in ((ours, t_ours), (baseline, t_base)):
            t = time.perf_counter()
            value = fn()
            times.append(time.perf_counter() - t)
            if fn is ours:
                v_ours = value
            else:
                v_base = value
    return min(t_ours), min(t_base), abs(v_ours - v_base)


def speed(repeat):
    print(f"machine: {os.cpu_count()} cores; best of {repeat}")
    print(f"{'case':34s} {'ours [s]':>9s} {'scipy [s]':>9s} {'ratio':>6s}  agreement")
    rng = np.random.default_rng(0)
    mutual_information(rng.standard_normal(50), rng.standard_normal(50))  # numba compile / cache load
    mutual_information(rng.standard_normal((50, 2)), rng.standard_normal((50, 2)))
    differential_entropy(rng.standard_normal(50))
    for n, d in ((10**3, 1), (10**4, 3), (10**5, 1), (10**5, 3), (10**5, 5)):
        x = rng.standard_normal((n, d))
        t_ours, t_base, diff = compare(lambda: differential_entropy(x, base=math.e), lambda: plain_knn_entropy(x), repeat)
        print(f"{f'knn entropy n={n:.0e} d={d}':34s} {t_ours:9.4f} {t_base:9.4f} {t_ours / t_base:6.2f}  "
              f"|diff| = {diff:.1e} nats")
    for n, dx in ((10**3, 1), (10**4, 1), (10**5, 1), (10**4, 2), (10**5, 2), (10**4, 5)):
        z = rng.standard_normal((n, 2 * dx))
        z[:, dx:] += 0.5 * z[:, :dx]
        x, y = z[:, :dx], z[:, dx:]
        t_ours, t_base, diff = compare(lambda: mutual_information(x, y, base=math.e), lambda: plain_ksg(x, y), repeat)
        print(f"{f'ksg1 n={n:.0e} {dx}+{dx}':34s} {t_ours:9.4f} {t_base:9.4f} {t_ours / t_base:6.2f}  "
              f"|diff| = {diff:.1e} nats")


# ------------------------------------------------------------------------------ bias table


def toeplitz_cov(d):
    """The test covariance: 0.5^|i-j| scaled by standard deviations linspace(1, 2, d)."""
    idx = np.arange(d)
    s = np.linspace(1.0, 2.0, d)
    return 0.5 ** np.abs(np.subtract.outer(idx, idx)) * np.outer(s, s)


def paired_cov(d, rho):
    """Joint covariance of (X, Y), X and Y standard d-vectors with corr(X_i, Y_i) = rho."""
    c = np.eye(2 * d)
    c[np.arange(d), d + np.arange(d)] = c[d + np.arange(d), np.arange(d)] = rho
    return c


def bias_table(seeds, n=10**4):
    def row(name, estimate, sample, exact):
        vals, ses, hits = [], [], 0
        for seed in range(1000, 1000 + seeds):
            e = estimate(sample(np.random.default_rng(seed)))
            vals.append(e.value)
            ses.append(e.stderr)
            hits += e.ci_low <= exact <= e.ci_high
        vals = np.array(vals)
        sd = vals.std(ddof=1)
        print(f"{name:36s} exact {exact:8.4f}  bias {vals.mean() - exact:+.4f} +/- "
              f"{sd / math.sqrt(seeds):.4f}  sd {sd:.4f}  se {np.mean(ses):.4f}  sd/se {sd / np.mean(ses):.2f}  "
              f"coverage {hits / seeds:.2f}", flush=True)

    print(f"n = {n}, {seeds} seeds, nats")
    for d in (1, 2, 5):
        cov = toeplitz_cov(d)
        chol = np.linalg.cholesky(cov)
        for method in ("knn", "gaussian", "binned"):
            row(f"entropy {method} gaussian d={d}",
                lambda x, m=method: differential_entropy(x, method=m, base=math.e),
                lambda rng, d=d, chol=chol: rng.standard_normal((n, d)) @ chol.T,
                gaussian_entropy(cov, base=math.e))
    for d in (1, 2, 3):
        side = np.linspace(0.5, 3.0, d)
        for method in ("knn", "binned"):
            row(f"entropy {method} uniform box d={d}",
                lambda x, m=method: differential_entropy(x, method=m, base=math.e),
                lambda rng, d=d, side=side: rng.uniform(size=(n, d)) * side,
                float(np.log(side).sum()))
    for d, rho in ((1, 0.6), (1, 0.9), (2, 0.5), (5, 0.5), (1, 0.0), (2, 0.0)):
        cov = paired_cov(d, rho)
        chol = np.linalg.cholesky(cov)
        for method, variant in (("ksg", 1), ("ksg", 2), ("gaussian", 1)):
            row(f"MI {method}{variant if method == 'ksg' else ''} {d}+{d} rho={rho}",
                lambda z, d=d, m=method, v=variant: mutual_information(
                    z[:, :d], z[:, d:], method=m, variant=v, base=math.e),
                lambda rng, cov=cov, chol=chol: rng.standard_normal((n, cov.shape[0])) @ chol.T,
                gaussian_mutual_information(cov, d, base=math.e))
    for variant in (1, 2):
        row(f"MI ksg{variant} uniform x exponential indep",
            lambda z, v=variant: mutual_information(z[:, 0], z[:, 1], variant=v, base=math.e),
            lambda rng: np.column_stack((rng.uniform(size=n), rng.exponential(size=n))),
            0.0)
    a, s = 0.8, 0.5  # AR(1) / exact Ornstein-Uhlenbeck step: X_t = a X_{t-1} + s xi
    for method in ("knn", "gaussian", "binned"):
        row(f"conditional {method} AR(1) a={a} s={s}",
            lambda z, m=method: conditional_entropy(z[:, 1], z[:, 0], method=m, base=math.e),
            lambda rng: ar1_pairs(rng, n, a, s),
            0.5 * math.log(2 * math.pi * math.e * s * s))


def ar1_pairs(rng, n, a, s):
    """n independent stationary pairs (X_{t-1}, X_t) of X_t = a X_{t-1} + s xi."""
    prev = rng.standard_normal(n) * (s / math.sqrt(1.0 - a * a))
    return np.column_stack((prev, a * prev + s * rng.standard_normal(n)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bias", action="store_true", help="print the bias / spread table instead")
    parser.add_argument("--seeds", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.bias:
        bias_table(args.seeds)
    else:
        speed(args.repeat)
