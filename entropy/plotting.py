"""Figures for people: units on every axis, a title that says what is shown, t0 marked.

Every function takes a :class:`~entropy.results.RunResult` (from
:func:`~entropy.results.run_scenario` or :func:`~entropy.results.load_result`) and returns a
matplotlib figure; :func:`save_figures` draws all figures that fit the result. Colours: the
backward arm (t < t0) red, the forward arm (t > t0) blue, exact curves dashed black,
stationary reference values dotted grey.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .families import FAMILIES
from .quantities import LEVELS, QUANTITIES, RATES

__all__ = ["janus_figure", "rates_figure", "collapse_figure", "snapshots_figure", "lattice_gif",
           "fluctuation_figure", "reversibility_figure", "barbed_arrow_figure", "save_figures", "FIGURES",
           "figure_names"]

ARM_COLORS = {"backward": "#c0392b", "forward": "#1f5fa8"}
DPI = 110


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _spec(res):
    """The family registry entry of the result's process kind (None: a kind this version does not know)."""
    return FAMILIES.get(res.metadata.get("process_kind"))


def _label(res, q):
    """``(title, symbol)`` of quantity ``q`` from the registries (the family may specialise the title)."""
    spec = _spec(res)
    real = bool(spec and spec.real_valued)
    quantity = QUANTITIES.get(q)
    if quantity is None:
        return q, q
    k = res.profiles[q].extra.get("history", 1) if q in res.profiles else 1
    title, sym = quantity.label(history=k, real_valued=real)
    if spec and q in spec.labels:
        title = spec.labels[q]
    return title, sym


def _time_label(res, distance=False):
    u = res.time_unit
    if res.metadata.get("dt"):
        u = f"{u}, dt = {res.metadata['dt']:g}"
    return ("distance from t0, |t − t0|" if distance else "time t − t0") + f" [{u}]"


def _y_unit(res, q):
    unit = res.profiles[q].unit
    if q in QUANTITIES and QUANTITIES[q].per_step:
        return f"{unit} per {'step' if res.time_unit == 'steps' else 'step of dt'}"
    return unit


def _mark_t0(ax, label=True):
    ax.axvline(0, color="0.25", lw=1.0, ls=":", zorder=1)
    if label:  # just above the frame, where no legend goes
        ax.annotate("t0", xy=(0, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 1),
                    textcoords="offset points", fontsize=8, color="0.25", va="bottom", ha="center")


def _finite(y):
    y = np.asarray(y, dtype=float)
    return np.where(np.isfinite(y), y, np.nan)


def _references(ax, res, q):
    styles = [(0, (1, 2)), (0, (5, 2, 1, 2)), (0, (3, 3))]
    for r, ls in zip(res.metadata.get("references", {}).get(q, []), styles):
        ax.axhline(r["value"], color="0.45", lw=1.0, ls=ls, zorder=1, label=r["label"])


def _panel(ax, res, q, *, distance=False, legend=True):
    p = res.profiles[q]
    t = np.asarray(p.times, dtype=float)
    for arm, sel in (("backward", t <= 0), ("forward", t >= 0)):
        x = np.abs(t[sel]) if distance else t[sel]
        lo, hi, v = _finite(p.ci_low[sel]), _finite(p.ci_high[sel]), _finite(p.values[sel])
        ax.fill_between(x, lo, hi, color=ARM_COLORS[arm], alpha=0.25, lw=0)
        side = "t < t0, reversed dynamics" if arm == "backward" else "t > t0, dynamics"
        # on the |t - t0| axis the arms may coincide: draw the backward one wide and light underneath
        wide = distance and arm == "backward"
        ax.plot(x, v, color=ARM_COLORS[arm], lw=4.0 if wide else 1.5, alpha=0.55 if wide else 1.0,
                label=f"{arm} arm ({side})", marker="." if sel.sum() < 40 else None, ms=3)
    if q in res.exact:
        e = _finite(res.exact[q])
        lab = res.metadata.get("exact_labels", {}).get(q, "exact")
        if distance:
            for arm, sel in (("backward", t <= 0), ("forward", t >= 0)):
                ax.plot(np.abs(t[sel]), e[sel], color="k", lw=0.9, ls="--", label=lab if arm == "forward" else None)
        else:
            ax.plot(t, e, color="k", lw=1.0, ls="--", label=lab)
    for extra in res.metadata.get("extra_curves", {}).get(q, []):
        y = _finite(res.arrays[extra["array"]])
        for arm, sel in (("backward", t <= 0), ("forward", t >= 0)):
            ax.plot(np.abs(t[sel]) if distance else t[sel], y[sel], color="0.15", lw=1.0, ls="-.",
                    label=extra["label"] if arm == "forward" else None)
    _references(ax, res, q)
    title, sym = _label(res, q)
    ax.set_title(title, fontsize=9.5, pad=12 if not distance else 6)
    ax.set_ylabel(f"{sym} [{_y_unit(res, q)}]")
    v = _finite(p.values)
    if q in QUANTITIES and QUANTITIES[q].log_axis and np.nanmin(np.where(v > 0, v, np.nan), initial=np.inf) * 20 < np.nanmax(v, initial=0):
        ax.set_yscale("log")  # D spans decades: a log axis shows the approach to its limit
    ax.set_xlabel(_time_label(res, distance))
    if not distance:
        _mark_t0(ax)
    ax.grid(alpha=0.3)
    if legend:
        ax.legend(fontsize=7, loc="best", framealpha=0.85)


def _band_note(res):
    p = next(iter(res.profiles.values()))
    n = res.metadata.get("paths")
    s = f"{n:,} path{'s' if n != 1 else ''}" if n else ""
    if n and n > 1:
        s += f", {p.method.replace('_', ' ')} estimator, bands: {int(round(p.confidence * 100))}% CI"
    if not res.complete:
        s += f" — INCOMPLETE run ({n:,} of {res.metadata.get('paths_requested'):,} paths)"
    return s


def _shared_legend(fig, axes, res=None):
    """One legend for all panels, below them (labels deduplicated), so no legend hides data; the
    result's notes, if any, go under it."""
    seen = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lab, h)
    leg = fig.legend(list(seen.values()), list(seen), loc="outside lower center", ncols=min(len(seen), 3),
                     fontsize=7.5, frameon=False)
    notes = (res.metadata.get("notes") or []) if res is not None else []
    if notes:
        leg.set_title(_wrap("\n".join("• " + n for n in notes), fig, 7.5), prop={"size": 7.5})
        leg._legend_box.align = "left"
        leg.get_title().set_color("0.2")


def _grid(n, width=6.0, height=3.6):
    plt = _plt()
    ncols = 1 if n == 1 else 2 if n in (2, 4) else 3
    nrows = -(-n // ncols)
    if n == 1:
        width = max(width, 7.5)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols if ncols < 3 else 5.0 * ncols, height * nrows + 0.8),
                             squeeze=False, layout="constrained")
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat)[:n]


def _wrap(text, fig, fontsize):
    import textwrap

    width = max(40, int(fig.get_figwidth() * 118 / fontsize))
    return "\n".join(textwrap.fill(line, width) for line in text.split("\n"))


def _suptitle(fig, res, what):
    fig.suptitle(_wrap(f"{res.name}: {what}\n{res.metadata.get('process') or ''} — {_band_note(res)}", fig, 10),
                 fontsize=10)


def _notes(fig, res):
    """The result's notes under the panels (constrained layout makes room for a supxlabel)."""
    notes = res.metadata.get("notes", [])
    if notes:
        fig.supxlabel(_wrap("\n".join("• " + n for n in notes), fig, 7.5), x=0.01, ha="left", fontsize=7.5,
                      color="0.2")


def janus_figure(res, quantities=None):
    """The Janus plot: the entropy-like quantities against t, both arms, exact curves dashed."""
    qs = [q for q in (quantities or LEVELS) if q in res.profiles] or list(res.profiles)[:1]
    fig, axes = _grid(len(qs))
    for ax, q in zip(axes, qs):
        _panel(ax, res, q, legend=len(qs) == 1)
    if len(qs) > 1:
        _shared_legend(fig, axes, res)
    else:
        _notes(fig, res)
    spec = _spec(res)
    if spec is not None and spec.janus_caption is not None:
        what = spec.janus_caption(res)
    else:
        overshoot = any("overshoots" in n for n in res.metadata.get("notes") or [])
        what = "both arms leave the low-entropy state at t0" + ("" if overshoot else
                                                                 ": entropy grows in both directions of time")
    _suptitle(fig, res, what)
    return fig


def rates_figure(res):
    """Forward and backward entropy rates and excess entropy against t, both arms."""
    qs = [q for q in RATES if q in res.profiles]
    fig, axes = _grid(len(qs), width=5.2 if len(qs) > 1 else 6.0)
    for ax, q in zip(axes, qs):
        _panel(ax, res, q, legend=len(qs) == 1)
    if len(qs) > 1:
        _shared_legend(fig, axes)
    what = list(dict.fromkeys(QUANTITIES[q].short for q in qs))
    _suptitle(fig, res, (", ".join(what[:-1]) + " and " + what[-1] if len(what) > 1 else what[0]) + ", per time")
    return fig


def collapse_figure(res, quantity=None):
    """Both arms on one axis of distance |t − t0|: where the arms agree in law the curves coincide."""
    plt = _plt()
    q = quantity or next((x for x in LEVELS if x in res.profiles), next(iter(res.profiles)))
    fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
    _panel(ax, res, q, distance=True)
    title, _ = _label(res, q)
    ax.set_title(f"{res.name}: {title}\nagainst distance from t0, both arms on one axis", fontsize=10)
    return fig


def _positions_panel(ax, pos, L, C, title):
    ax.scatter(pos[:, 1] + 0.5, pos[:, 0] + 0.5, s=max(0.2, min(6.0, 4000.0 / max(len(pos), 1))), c="#1f5fa8",
               lw=0, rasterized=True)
    side = L / C
    for k in range(1, C):
        ax.axhline(k * side, color="0.8", lw=0.5)
        ax.axvline(k * side, color="0.8", lw=0.5)
    ax.set_xlim(0, L)
    ax.set_ylim(0, L)
    ax.set_aspect("equal")
    ax.set_xticks([0, L])
    ax.set_yticks([0, L])
    ax.set_title(title, fontsize=9)


def snapshots_figure(res):
    """Lattice gas: the particles of one path at several times either side of t0."""
    plt = _plt()
    times = res.arrays["snapshot_times"]
    snaps = res.arrays["snapshots"]
    L, C = (int(x) for x in res.arrays["grid"])
    p = res.profiles.get("coarse_entropy")
    fig, axes = plt.subplots(1, len(times), figsize=(2.4 * len(times) + 0.4, 3.4), squeeze=False,
                             layout="constrained")
    for ax, t, pos in zip(axes[0], times, snaps):
        s = ""
        if p is not None:
            idx = np.flatnonzero(p.times == t)
            if idx.size:
                s = f"\nmean S_cg = {p.values[idx[0]]:.0f} {p.unit}"
        _positions_panel(ax, pos, L, C, f"t − t0 = {int(t)} steps{s}")
        ax.set_xlabel("site [lattice units]", fontsize=8)
        ax.set_ylabel("site [lattice units]", fontsize=8)
    fig.suptitle(f"{res.name}: one path of the lattice gas, backward arm (left) and forward arm (right) of t0\n"
                 f"{res.metadata.get('process')}; grey lines: the {C} x {C} coarse cells", fontsize=9.5)
    return fig


def lattice_gif(res, path, fps=8):
    """Animated GIF of one lattice-gas path from t0 − B to t0 + F (matplotlib's PillowWriter)."""
    plt = _plt()
    from matplotlib.animation import FuncAnimation, PillowWriter

    times = res.arrays["gif_times"]
    frames = res.arrays["gif_frames"]
    L, C = (int(x) for x in res.arrays["grid"])
    fig, ax = plt.subplots(figsize=(3.6, 3.8))

    def draw(i):
        ax.clear()
        arrow = "backward arm" if times[i] < 0 else ("t0: low-entropy state" if times[i] == 0 else "forward arm")
        _positions_panel(ax, frames[i], L, C, f"{res.name}\nt − t0 = {int(times[i])} steps ({arrow})")
        return []

    anim = FuncAnimation(fig, draw, frames=len(times), blit=False)
    anim.save(str(path), writer=PillowWriter(fps=fps), dpi=80)
    plt.close(fig)
    return Path(path)


def fluctuation_figure(res):
    """Boltzmann's V: a stationary entropy series, its dips, and the average around them."""
    plt = _plt()
    a = res.arrays
    unit = res.metadata.get("unit", "bits")
    thr = res.metadata.get("threshold")
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(12.0, 4.2), gridspec_kw={"width_ratios": [1.3, 1]},
                                   layout="constrained")
    s = a["series_excerpt"]
    ax0.plot(np.arange(s.size), s, lw=0.5, color="0.35")
    pos = a["positions"][a["positions"] < s.size]
    ax0.plot(pos, s[pos], "v", color="#c0392b", ms=5, label="dips (aligned below)")
    if thr is not None:
        ax0.axhline(thr, color="#c0392b", lw=0.8, ls="--", label=f"threshold {thr:g} {unit}")
    ax0.set_xlabel("time [steps]")
    ax0.set_ylabel(f"entropy [{unit}]")
    ax0.set_title(f"one long stationary run (first {s.size:,} steps)", fontsize=9.5)
    ax0.legend(fontsize=7, loc="lower right")
    ax0.grid(alpha=0.3)
    lags, m, se = a["lags"], a["mean"], a["stderr"]
    ax1.fill_between(lags, m - 1.96 * se, m + 1.96 * se, color="#1f5fa8", alpha=0.25, lw=0, label="95% band")
    for arm, sel in (("before the dip", lags <= 0), ("after the dip", lags >= 0)):
        ax1.plot(lags[sel], m[sel], color=ARM_COLORS["backward" if "before" in arm else "forward"], lw=1.5,
                 label=f"average, {arm}")
    if "exact" in a:
        ax1.plot(lags, a["exact"], "k--", lw=1.0,
                 label=res.metadata.get("exact_labels", {}).get("mean", "exact"))
    for r in res.metadata.get("references", {}).get("mean", []):
        ax1.axhline(r["value"], color="0.45", lw=1.0, ls=(0, (1, 2)), label=r["label"])
    _mark_t0(ax1, label=False)
    ax1.set_xlabel("lag from the dip [steps]")
    ax1.set_ylabel(f"entropy [{unit}]")
    ax1.set_title(f"average around {res.metadata.get('events', 0)} dips: higher before AND after", fontsize=9.5)
    ax1.legend(fontsize=7, loc="lower left")
    ax1.grid(alpha=0.3)
    fig.suptitle(f"{res.name}: low entropy as a fluctuation (Boltzmann) — {res.metadata.get('process')}", fontsize=10)
    _notes(fig, res)
    return fig


def reversibility_figure(res):
    """Entropy production per step against history length, and the surrogate test, per chain."""
    plt = _plt()
    cases = res.metadata.get("cases", {})
    unit = res.metadata.get("unit", "bits per step")
    colors = {"given": "#c0392b", "reversible": "#1f5fa8"}
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(12.0, 4.4), layout="constrained")
    for j, (key, info) in enumerate(cases.items()):
        r = res.arrays[f"{key}/rates"]
        se = res.arrays[f"{key}/rates_stderr"]
        k = np.arange(1, r.size + 1) + (j - 0.5) * 0.08
        ax0.errorbar(k, r, yerr=1.96 * se, fmt="o", color=colors.get(key), capsize=3, ms=4,
                     label=f"{info['label']}: estimate ± 95% CI")
        ax0.axhline(info["exact_entropy_production"], color=colors.get(key), lw=1.0, ls="--",
                    label=f"exact (Schnakenberg): {info['exact_entropy_production']:.4f}")
        ax0.set_xticks(np.arange(1, r.size + 1))
    ax0.set_xlabel("history k [steps]")
    ax0.set_ylabel(f"entropy production σ_k [{unit}]")
    ax0.set_title("KL rate between the series and its time reversal", fontsize=9.5)
    ax0.legend(fontsize=7.5, loc="center right")
    ax0.grid(alpha=0.3)
    # the statistic is >= 0 and spans decades: log-spaced bins on a log axis
    vals = [res.arrays[f"{key}/surrogates"] for key in cases] + [res.arrays[f"{key}/statistic"] for key in cases]
    pos = np.concatenate([v[v > 0] for v in vals]) if vals else np.zeros(0)
    lo, hi = (pos.min(), pos.max()) if pos.size else (1e-6, 1.0)
    bins = np.geomspace(lo / 1.5, hi * 1.5, 60)
    for key, info in cases.items():
        sur = res.arrays[f"{key}/surrogates"]
        stat = float(res.arrays[f"{key}/statistic"][0])
        ax1.hist(sur[sur > 0], bins=bins, color=colors.get(key), alpha=0.45,
                 label=f"{info['label']}: {sur.size} surrogates")
        ax1.axvline(stat, color=colors.get(key), lw=2.0, label=f"observed, p = {info['pvalue']:.3g}")
    ax1.set_xscale("log")
    ax1.set_xlabel(f"test statistic D(P(x_t, x_t+1) ‖ P(x_t+1, x_t)) [{unit.split(' per')[0]}]")
    ax1.set_ylabel("surrogates [count]")
    ax1.set_title("reversibility test: observed statistic against its null (blocks reversed at random)",
                  fontsize=9.5)
    ax1.legend(fontsize=7.5, loc="upper left")
    ax1.grid(alpha=0.3)
    fig.suptitle(f"{res.name}: is there an arrow of time in a stationary series? "
                 f"({res.metadata.get('paths', 1)} series of {res.scenario['analysis']['length']:,} steps per chain)",
                 fontsize=10)
    return fig


def barbed_arrow_figure(res):
    """The barbed arrow table: h and E are the same both ways, C+ and C- need not be."""
    plt = _plt()
    rows = res.tables.get("barbed_arrow", [])
    unit = res.metadata.get("unit", "bits")

    def f(x, se=None):
        if x is None:
            return "n/a"
        return f"{x:.3f}" if se is None else f"{x:.3f} ± {se:.1g}"

    L = res.scenario.get("analysis", {}).get("max_length", "L")
    cols = ["process", "h", f"h({L}) est.", "E", f"E({L}) est.", "C+", "C−", "χ+", "χ−", "Ξ = C+ − C−"]
    cells = [[r["process"], f(r["h"]), f(r["h_est"], 1.96 * r["h_est_stderr"]), f(r["E"]),
              f(r["E_est"], 1.96 * r["E_est_stderr"]), f(r["C+"]), f(r["C-"]), f(r["chi+"]), f(r["chi-"]),
              f(r["Xi"])] for r in rows]
    fig = plt.figure(figsize=(11.0, 0.32 * (len(rows) + 1) + 1.6))
    ax = fig.add_axes((0.01, 0.30, 0.98, 0.56))
    ax.axis("off")
    tab = ax.table(cellText=cells, colLabels=cols, cellLoc="center", bbox=(0, 0, 1, 1))
    tab.auto_set_font_size(False)
    tab.set_fontsize(8.5)
    for (i, j), cell in tab.get_celld().items():
        if i == 0:
            cell.set_facecolor("#e8eef7")
            cell.set_text_props(weight="bold")
        elif j == len(cols) - 1 and rows[i - 1]["Xi"] is not None and abs(rows[i - 1]["Xi"]) > 1e-9:
            cell.set_facecolor("#f6d5d1")
    tab.auto_set_column_width(list(range(len(cols))))
    missing = [r for r in rows if r.get("why_missing")]
    note = (f"All values in {unit}. Exact: entropy rate h, excess entropy E, statistical complexities C± of the "
            "forward / reverse ε-machines, crypticities χ± = C± − E, causal irreversibility Ξ (red: the arrow is "
            f"barbed). Estimated from one simulated sequence ({res.metadata.get('estimated_from', '')}), ± 95% CI: "
            f"h({L}) and E({L}) are finite-L block estimates (h(L) ≥ h, E(L) ≤ E; slow for RIP and the alternating "
            "coin); they are the same read forwards or backwards, since reversing a sequence only relabels its words.")
    if missing:
        note += " n/a: " + "; ".join(f"{r['process']}: {r['why_missing']}" for r in missing) + "."
    fig.text(0.01, 0.02, _wrap(note, fig, 8.0), fontsize=7.5, color="0.2", va="bottom")
    fig.suptitle("The barbed arrow of time: h and E are the same in both directions, C+ and C− need not be",
                 fontsize=11, y=0.97)
    return fig


#: Figure name -> (drawing function, predicate on a result). An analysis names the figures that
#: may fit its results (:attr:`entropy.analyses.Analysis.figures`); the predicate says whether
#: this result has what the figure shows.
FIGURES = {
    "janus": (janus_figure, lambda r: bool(r.profiles)),
    "rates": (rates_figure, lambda r: any(q in r.profiles for q in RATES)),
    "collapse": (collapse_figure, lambda r: bool(r.profiles)),
    "snapshots": (snapshots_figure, lambda r: "snapshots" in r.arrays),
    "fluctuation": (fluctuation_figure, lambda r: "lags" in r.arrays),
    "reversibility": (reversibility_figure, lambda r: bool(r.metadata.get("cases"))),
    "barbed_arrow": (barbed_arrow_figure, lambda r: "barbed_arrow" in r.tables),
}


def figure_names(res) -> list[str]:
    """Names of the figures that fit ``res``: those its analysis names, whose predicate holds."""
    from .analyses import ANALYSES

    analysis = ANALYSES.get(res.analysis)
    names = analysis.figures if analysis is not None else tuple(FIGURES)
    return [n for n in names if n in FIGURES and FIGURES[n][1](res)]


def save_figures(res, directory, formats=("png",)) -> list[Path]:
    """Draw every figure that fits ``res`` into ``directory`` (one file per figure and format).

    Lattice gas results with GIF frames also get ``lattice.gif``.
    """
    plt = _plt()
    out = []
    directory = Path(directory)
    for name in figure_names(res):
        fig = FIGURES[name][0](res)
        for fmt in formats:
            path = directory / f"{name}.{fmt}"
            fig.savefig(path, dpi=DPI)
            out.append(path)
        plt.close(fig)
    if "gif_frames" in res.arrays:
        out.append(lattice_gif(res, directory / "lattice.gif"))
    return out
