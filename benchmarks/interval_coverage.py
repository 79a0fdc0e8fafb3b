"""Coverage of the nominal 95 % intervals of the per-time estimators (issue 15, section 3).

A non-circulant 3-state chain started at state 0 (t0 = 0), times t = 0..6; ``reps`` independent
ensembles of M paths; for every quantity, method and |t| = 1..5 the fraction of intervals
that contain the exact value (computed here from the transition matrix, independently of
``entropy.exact``). Run by hand:

    python benchmarks/interval_coverage.py [--reps 400] [--M 30 100 1000]

The standard error of a coverage fraction c over R intervals is sqrt(c (1 - c) / R): 0.011
at c = 0.95, R = 400.
"""

from __future__ import annotations

import argparse
import math

import numpy as np

P = np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.25, 0.25, 0.5]])
T = 7


def simulate(P, M, reps, seed, T=T):
    rng = np.random.default_rng(seed)
    cum = np.cumsum(P, axis=1)
    x = np.zeros((reps * M, T), np.int64)
    for t in range(1, T):
        u = rng.random(reps * M)
        x[:, t] = (u[:, None] > cum[x[:, t - 1]]).sum(axis=1)
    return x.reshape(reps, M, T)


def _h(p):
    p = np.asarray(p, float)
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


def exact(P, T=T):
    """Exact per-time H, h+, h-, E (history 1), irreversibility and D(p_t || pi), in bits."""
    n = len(P)
    p = [np.eye(n)[0]]
    for _ in range(1, T):
        p.append(p[-1] @ P)
    w, v = np.linalg.eig(P.T)
    pi = np.real(v[:, np.argmin(abs(w - 1))])
    pi /= pi.sum()
    out = {q: np.full(T, np.nan) for q in ("entropy", "rate_forward", "rate_backward", "excess", "irrev", "relent")}
    for t in range(T):
        out["entropy"][t] = _h(p[t])
        out["relent"][t] = float(sum(a * math.log2(a / b) for a, b in zip(p[t], pi) if a > 0))
        if t >= 1:
            J = p[t - 1][:, None] * P  # law of (X_{t-1}, X_t)
            out["rate_forward"][t] = _h(J.ravel()) - _h(p[t - 1])
            out["excess"][t] = _h(p[t - 1]) + _h(p[t]) - _h(J.ravel())
            m = (J > 0) & (J.T > 0)
            out["irrev"][t] = float((J[m] * np.log2(J[m] / J.T[m])).sum()) if np.all(m == (J > 0)) else np.inf
        if t <= T - 2:
            J = p[t][:, None] * P  # (X_t, X_{t+1})
            out["rate_backward"][t] = _h(J.ravel()) - _h(p[t + 1])
    return out, pi


def coverage(M, reps, seed=0, methods=("plugin", "miller_madow", "grassberger"), ci="normal", n_boot=200):
    from entropy.estimators import (entropy_profile, entropy_rate_profile, excess_entropy_profile,
                                    irreversibility_profile, relative_entropy_profile)

    ex, pi = exact(P)
    data = simulate(P, M, reps, seed)
    ts = np.arange(1, 6)
    calls = {}
    for m in methods:
        calls[("H", m)] = ("entropy", lambda x, m=m: entropy_profile(x, method=m, ci=ci, n_boot=n_boot))
        calls[("h+", m)] = ("rate_forward", lambda x, m=m: entropy_rate_profile(x, method=m, ci=ci, n_boot=n_boot))
        calls[("h-", m)] = ("rate_backward", lambda x, m=m: entropy_rate_profile(
            x, method=m, direction="backward", ci=ci, n_boot=n_boot))
        calls[("E", m)] = ("excess", lambda x, m=m: excess_entropy_profile(x, method=m, ci=ci, n_boot=n_boot))
    for m in ("plugin", "miller_madow"):
        calls[("D", m)] = ("relent", lambda x, m=m: relative_entropy_profile(x, pi, method=m, ci=ci, n_boot=n_boot))
    calls[("sigma", "default")] = ("irrev", lambda x: irreversibility_profile(x, ci=ci, n_boot=n_boot))
    out = {}
    for key, (q, fn) in calls.items():
        hit = np.zeros(len(ts))
        zero_width = 0
        for r in range(reps):
            prof = fn(data[r])
            lo, hi = prof.ci_low[ts], prof.ci_high[ts]
            hit += (lo <= ex[q][ts] + 1e-12) & (ex[q][ts] - 1e-12 <= hi)
            zero_width += int(np.sum(hi - lo == 0))
        out[key] = (hit / reps, zero_width)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=400)
    ap.add_argument("--M", type=int, nargs="+", default=[30, 100, 1000])
    ap.add_argument("--ci", default="normal")
    args = ap.parse_args()
    for M in args.M:
        res = coverage(M, args.reps, ci=args.ci, n_boot=100)
        for (q, m), (c, zw) in res.items():
            print(f"M={M:5d} {q:6s} {m:13s} coverage |t|=1..5: {' '.join(f'{v:.3f}' for v in c)}  "
                  f"mean {c.mean():.3f}  zero-width {zw}")


if __name__ == "__main__":
    main()
