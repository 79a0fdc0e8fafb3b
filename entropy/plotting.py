"""Figures for people: units on every axis, a title that says what is shown, t0 marked."""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["janus_figure", "collapse_figure", "save_figures"]

LABELS = {
    "entropy": ("Shannon entropy H(t)", "H"),
    "relative_entropy": ("relative entropy D(p_t || π) to the stationary law", "D"),
    "entropy_rate_forward": ("forward entropy rate h⁺(t) = H[X_t | X_t-1]", "h⁺"),
    "entropy_rate_backward": ("backward entropy rate h⁻(t) = H[X_t | X_t+1]", "h⁻"),
    "excess_entropy": ("excess entropy E(t) = I[X_t-1 ; X_t]", "E"),
}
ARM_COLORS = {"backward": "#c0392b", "forward": "#1f5fa8"}


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _mark_t0(ax, label=True):
    ax.axvline(0, color="0.25", lw=1.0, ls=":", zorder=1)
    if label:
        ax.annotate("t0: low-entropy state", xy=(0, 0.5), xycoords=("data", "axes fraction"),
                    xytext=(5, 0), textcoords="offset points", fontsize=8, color="0.25", rotation=90,
                    va="center", bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))


def _panel(ax, res, q, time_unit):
    p = res.profiles[q]
    t = np.asarray(p.times)
    for arm, sel in (("backward", t <= 0), ("forward", t >= 0)):
        ax.fill_between(t[sel], p.ci_low[sel], p.ci_high[sel], color=ARM_COLORS[arm], alpha=0.25, lw=0,
                        label=f"{int(round(p.confidence * 100))}% confidence band" if arm == "forward" else None)
        ax.plot(t[sel], p.values[sel], color=ARM_COLORS[arm], lw=1.6,
                label=f"estimate, {arm} arm ({'reversed dynamics' if arm == 'backward' else 'dynamics'})")
    if q in res.exact:
        ax.plot(t, res.exact[q], color="k", lw=1.0, ls="--", label="exact")
    title, sym = LABELS.get(q, (q, q))
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(f"{sym} [{p.unit}]")
    ax.set_xlabel(f"time t − t0 [{time_unit}]")
    _mark_t0(ax)
    ax.grid(alpha=0.3)


def janus_figure(res, quantities=None):
    """The Janus plot: every estimated quantity against t, both arms, exact curves dashed."""
    plt = _plt()
    qs = [q for q in (quantities or res.profiles) if q in res.profiles]
    n = len(qs)
    ncols = 1 if n == 1 else 2
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.2 * ncols, 3.6 * nrows + 0.6), squeeze=False)
    time_unit = "steps"
    for ax, q in zip(axes.flat, qs):
        _panel(ax, res, q, time_unit)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7, loc="lower right" if "entropy" == qs[0] else "best")
    paths = res.metadata.get("paths")
    fig.suptitle(
        f"{res.name}: entropy grows away from t0 in both directions of time"
        + (f"  ({paths:,} paths, {res.metadata.get('method', 'plugin')} estimator)" if paths else ""),
        fontsize=11,
    )
    fig.tight_layout()
    return fig


def collapse_figure(res, quantity="entropy"):
    """Both arms on one axis of distance |t − t0|: for a reversible chain the curves coincide."""
    plt = _plt()
    p = res.profiles[quantity]
    t = np.asarray(p.times)
    fig, ax = plt.subplots(figsize=(6.2, 4.0))
    for arm, sel in (("backward", t <= 0), ("forward", t >= 0)):
        d = np.abs(t[sel])
        ax.fill_between(d, p.ci_low[sel], p.ci_high[sel], color=ARM_COLORS[arm], alpha=0.25, lw=0)
        ax.plot(d, p.values[sel], color=ARM_COLORS[arm], lw=1.6, label=f"{arm} arm (t {'<' if arm == 'backward' else '>'} t0)")
    title, sym = LABELS.get(quantity, (quantity, quantity))
    ax.set_xlabel("distance from t0, |t − t0| [steps]")
    ax.set_ylabel(f"{sym} [{p.unit}]")
    ax.axvline(0, color="0.25", lw=1.0, ls=":")
    ax.set_title(f"{res.name}: {title} against |t − t0|, both arms", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def save_figures(res, directory, formats=("png",)) -> list[Path]:
    """Draw the figures of a result into ``directory`` (one file per figure and format)."""
    plt = _plt()
    out = []
    figs = {"janus": janus_figure(res)}
    if "entropy" in res.profiles:
        figs["collapse"] = collapse_figure(res, "entropy")
    for name, fig in figs.items():
        for fmt in formats:
            path = Path(directory) / f"{name}.{fmt}"
            fig.savefig(path, dpi=130)
            out.append(path)
        plt.close(fig)
    return out
