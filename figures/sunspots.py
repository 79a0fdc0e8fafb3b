"""Gallery figure from a real series: yearly sunspot numbers, estimated and fitted.

Data: the yearly sunspot numbers 1700-2008 (309 values) shipped with statsmodels as
``statsmodels.api.datasets.sunspots``; statsmodels' own description of the data set says
"This data is public domain." (``sunspots.COPYRIGHT``), source: NOAA National Geophysical
Data Center (``sunspots.SOURCE``). Install with ``pip install 'janus-entropy[data]'`` (or
``pip install statsmodels``).

The series is symbolised by its ordinal patterns of two values (Bandt & Pompe 2002): symbol 0
for a year in which the number rises, 1 for a year in which it falls; the time reversal of a
rise is a fall (``ordinal_reversal(2)``). Then, for histories ``k = 1 .. K``:

* the time-pooled entropy rate ``h(k)`` estimated forwards and backwards
  (:func:`entropy.estimators.entropy_rate`), beside the exact ``h`` of the order-``k``
  Markov chain fitted to the same symbols (:meth:`entropy.MarkovChain.fit`, delta-method
  standard error);
* the entropy production ``sigma_k`` (:func:`entropy.estimators.entropy_production`,
  bias-corrected, block bootstrap) beside the fitted chain's exact ``sigma`` of the symbol
  process, and the p-value of :func:`entropy.estimators.reversibility_test`.

Run ``python figures/sunspots.py [OUT.png]`` or through ``figures/make_figures.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "figures" / "sunspots.png"
#: Largest history (Markov order) shown.
MAX_HISTORY = 4
SEED = 1


def load_sunspots():
    """Years and yearly sunspot numbers (statsmodels' copy of the NOAA NGDC series)."""
    from statsmodels.api import datasets

    df = datasets.sunspots.load_pandas().data
    return df["YEAR"].to_numpy(int), df["SUNACTIVITY"].to_numpy(float)


def analyse(values, max_history=MAX_HISTORY, seed=SEED) -> dict:
    """Estimates and fitted-model values (bits per year) for histories 1 .. max_history."""
    import entropy
    from entropy import estimators as est

    symbols = est.ordinal_patterns(values, 2)
    rho = est.ordinal_reversal(2)
    out = {"symbols": symbols, "k": np.arange(1, max_history + 1)}
    rows = []
    for k in out["k"]:
        k = int(k)
        hf = est.entropy_rate(symbols, k, direction="forward")
        hb = est.entropy_rate(symbols, k, direction="backward")
        ep = est.entropy_production(symbols, history=k, symbol_reversal=rho, seed=seed)
        test = est.reversibility_test(symbols, history=k, symbol_reversal=rho, n_blocks=20, seed=seed)
        fit = entropy.MarkovChain.fit(symbols, order=k)
        fe = fit.estimates(symbol_reversal=rho)
        rows.append({
            "h_forward": (hf.value, hf.stderr), "h_backward": (hb.value, hb.stderr),
            "h_fit": (fe["entropy_rate"].value, fe["entropy_rate"].stderr),
            "sigma": (ep.value, ep.stderr), "sigma_fit": (fe["entropy_production"].value,
                                                          fe["entropy_production"].stderr),
            "pvalue": test.pvalue, "n_blocks": test.n_blocks,
        })
    for key in rows[0]:
        out[key] = np.array([r[key] for r in rows], dtype=float)
    return out


def make_sunspots(out: Path = OUT, verbose: bool = True) -> Path:
    """Draw the figure into ``out`` (PNG) and return the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    years, values = load_sunspots()
    r = analyse(values)
    sym = r["symbols"]
    k = r["k"]
    fig = plt.figure(figsize=(11.0, 7.4), layout="constrained")
    gs = fig.add_gridspec(2, 2, height_ratios=[1.0, 1.15])
    ax0 = fig.add_subplot(gs[0, :])
    ax1 = fig.add_subplot(gs[1, 0])
    ax2 = fig.add_subplot(gs[1, 1])

    ax0.plot(years, values, color="0.35", lw=0.9, zorder=1)
    rise = np.flatnonzero(sym == 0)  # a rise from years[i] to years[i + 1]
    fall = np.flatnonzero(sym == 1)
    ax0.vlines(years[rise] + 0.5, 0, values.max() * 1.05, color="#1f5fa8", alpha=0.12, lw=2.2, zorder=0)
    ax0.scatter(years[rise + 1], values[rise + 1], s=9, color="#1f5fa8", zorder=2,
                label=f"rising year, symbol 0 ({rise.size})")
    ax0.scatter(years[fall + 1], values[fall + 1], s=9, color="#c0392b", zorder=2,
                label=f"falling year, symbol 1 ({fall.size})")
    ax0.set_xlim(years[0] - 2, years[-1] + 2)
    ax0.set_ylim(0, values.max() * 1.05)
    ax0.set_xlabel("year")
    ax0.set_ylabel("yearly sunspot number [count]")
    ax0.set_title("Yearly sunspot numbers 1700-2008 (NOAA NGDC, public domain, via statsmodels), symbolised "
                  "up/down (ordinal patterns of 2 years):\ncycles rise faster than they decay, so there are fewer "
                  "rising years than falling ones", fontsize=10)
    ax0.legend(fontsize=8.5, loc="upper left", framealpha=0.9)

    dx = 0.12
    ax1.errorbar(k - dx, r["h_forward"][:, 0], yerr=1.96 * r["h_forward"][:, 1], fmt="o", color="#1f5fa8",
                 capsize=3, label="estimate, forwards in time")
    ax1.errorbar(k, r["h_backward"][:, 0], yerr=1.96 * r["h_backward"][:, 1], fmt="s", color="#c0392b",
                 capsize=3, mfc="none", label="estimate, backwards in time")
    ax1.errorbar(k + dx, r["h_fit"][:, 0], yerr=1.96 * r["h_fit"][:, 1], fmt="D", color="k", capsize=3,
                 label="exact $h$ of the fitted order-k chain")
    ax1.set_xticks(k)
    ax1.set_xlabel("history k [years] (Markov order of the fit)")
    ax1.set_ylabel("entropy rate $h$ [bits per year]")
    ax1.set_title("Entropy rate of the up/down symbols: equal forwards\nand backwards, "
                  "the fitted chains on the estimates", fontsize=10)
    ax1.legend(fontsize=8.5, loc="lower left", title="bars: 95 % intervals", title_fontsize=8.5)
    ax1.set_ylim(0, 1.05)

    ax2.axhline(0, color="0.6", lw=0.8)
    ax2.errorbar(k - dx / 2, r["sigma"][:, 0], yerr=1.96 * r["sigma"][:, 1], fmt="o", color="#7d3c98",
                 capsize=3, label="estimate (bias-corrected, block bootstrap)")
    finite = np.isfinite(r["sigma_fit"][:, 0])
    ax2.errorbar(k[finite] + dx / 2, r["sigma_fit"][finite, 0], yerr=1.96 * r["sigma_fit"][finite, 1], fmt="D",
                 color="k", capsize=3, label=r"exact $\sigma$ of the fitted order-k chain")
    hi = np.concatenate([r["sigma"][:, 0] + 1.96 * r["sigma"][:, 1],
                         (r["sigma_fit"][:, 0] + 1.96 * r["sigma_fit"][:, 1])[finite]])
    top = float(np.nanmax(hi))
    ax2.set_ylim(min(-0.05, float(np.nanmin(r["sigma"][:, 0] - 1.96 * r["sigma"][:, 1])) * 1.1), top * 1.6)
    for ki in k[~finite]:  # a word of k + 1 symbols seen, its reversal never: the fitted model says infinite
        ax2.annotate(f"fit: $\\infty$\n(a word of {ki + 1} years\nseen, its reversal\nnever)",
                     (ki + dx / 2, top * 1.02), ha="center", va="bottom", fontsize=8.5)
    ax2.set_xticks(k, [f"{ki}\np = {p:.3f}" for ki, p in zip(k, r["pvalue"])])
    ax2.set_xlim(k[0] - 0.5, k[-1] + 0.55)
    ax2.set_xlabel("history k [years] (Markov order of the fit); p: reversibility test")
    ax2.set_ylabel(r"entropy production $\sigma$ [bits per year]")
    ax2.set_title("Irreversibility, $\\sigma_k = D_{k+1} - D_k$ with rise $\\leftrightarrow$ fall,\n"
                  "beside the fitted chains' exact values", fontsize=10)
    ax2.legend(fontsize=8.5, loc="upper left", title="bars: 95 % intervals", title_fontsize=8.5)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    if verbose:
        for ki, hf, hfit, s, sf, p in zip(k, r["h_forward"], r["h_fit"], r["sigma"], r["sigma_fit"], r["pvalue"]):
            print(f"  k={ki}: h {hf[0]:.3f}+-{hf[1]:.3f} fit {hfit[0]:.3f}+-{hfit[1]:.3f}; "
                  f"sigma {s[0]:.3f}+-{s[1]:.3f} fit {sf[0]:.3f}+-{sf[1]:.3f}; p={p:.3f}")
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print(make_sunspots(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
