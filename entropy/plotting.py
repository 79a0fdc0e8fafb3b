"""Figures for people: units on every axis, a title that says what is shown, t0 marked.

Two levels, one code path:

* functions on profiles, for your own estimates from Python: :func:`plot_profile` (one
  per-time :class:`~entropy.estimators.Profile` on an axes, also ``Profile.plot``),
  :func:`janus_plot` (the entropy-like levels against t), :func:`rates_plot` (entropy rates,
  excess entropy, irreversibility) and :func:`collapse_plot` (both arms against |t − t0|).
  Each takes exact references as an array or as the
  :class:`~entropy.exact.ExactProfiles` of :func:`entropy.exact.profiles`.
* functions on a :class:`~entropy.results.RunResult` (what ``entropy run`` draws):
  :func:`janus_figure`, :func:`rates_figure`, :func:`collapse_figure` are thin wrappers of the
  three above; the analysis figures (:func:`snapshots_figure`, :func:`fluctuation_figure`,
  :func:`reversibility_figure`, :func:`barbed_arrow_figure`) and :func:`save_figures`.

Colours: the backward arm (t < t0) red, the forward arm (t > t0) blue, exact curves dashed
black, stationary references grey or green in distinct line styles. Legends and notes sit
outside the data area, in at least 8 pt at the saved size.
"""

from __future__ import annotations

from collections.abc import Mapping
import math
from pathlib import Path

import numpy as np

from . import estimators as _est
from .families import FAMILIES
from .quantities import LEVELS, QUANTITIES, RATES

__all__ = ["plot_profile", "janus_plot", "rates_plot", "collapse_plot", "describe_process",
           "janus_figure", "rates_figure", "collapse_figure", "snapshots_figure", "lattice_gif",
           "fluctuation_figure", "fluctuation_theorem_figure", "nbody_snapshots_figure", "nbody_gif", "reversibility_figure", "barbed_arrow_figure", "save_figures", "FIGURES",
           "figure_names"]

ARM_COLORS = {"backward": "#c0392b", "forward": "#1f5fa8"}
DPI = 110
#: Font sizes (pt at the saved size): legends and notes never below 8 pt.
LEGEND_PT = 8.5
NOTE_PT = 8.5
#: Line styles of stationary references, assigned per distinct label within a figure.
REFERENCE_STYLES = (("0.35", (0, (1, 2))), ("#2e7d32", (0, (6, 2, 1, 2))), ("#7b3294", (0, (4, 1.5, 1, 1.5, 1, 1.5))),
                    ("0.55", (0, (8, 3))))
#: Estimator methods of real-valued data (their titles say "differential").
CONTINUOUS_METHODS = (*_est.CONTINUOUS_METHODS, "ksg")  # what real-valued profiles name as their method


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


# ------------------------------------------------------------------------------ exact references
def _align(curve, times, source_times, what):
    """``curve`` (at ``source_times``, or at ``times`` if None) at the profile's ``times``; NaN where missing."""
    curve = np.asarray(curve, dtype=float)
    times = np.asarray(times, dtype=float)
    if source_times is None:
        if curve.shape != times.shape:
            raise ValueError(f"exact: {what} has {curve.size} values, expected one per profile time ({times.size})")
        return curve
    src = np.asarray(source_times, dtype=float)
    if src.shape == times.shape and np.allclose(src, times):
        return curve
    out = np.full(times.shape, np.nan)
    idx = np.clip(np.searchsorted(src, times), 0, max(src.size - 1, 0))
    tol = 1e-9 * max(1.0, float(np.max(np.abs(src), initial=0)))
    for j, (i, t) in enumerate(zip(idx, times)):
        for c in (i - 1, i):
            if 0 <= c < src.size and abs(src[c] - t) <= tol:
                out[j] = curve[c]
    return out


def _reference_list(refs):
    """``[(value, label), ...]`` from Reference objects, dicts, ``(value, label)`` pairs or numbers."""
    out = []
    for r in refs or ():
        if hasattr(r, "value"):
            out.append((float(r.value), str(r.label)))
        elif isinstance(r, Mapping):
            out.append((float(r["value"]), str(r.get("label", "reference"))))
        elif isinstance(r, (tuple, list)) and len(r) == 2:
            out.append((float(r[0]), str(r[1])))
        else:
            out.append((float(r), "reference"))
    return out


def _exact_parts(q, times, exact, exact_label=None, references=None, extra_curves=None):
    """``(curve or None, label, references, extra curves)`` of quantity ``q`` from ``exact``.

    ``exact``: None, an array (one value per profile time), a mapping quantity -> array, or an
    :class:`~entropy.exact.ExactProfiles`. Explicit ``references`` / ``extra_curves`` replace
    those of an ``ExactProfiles``.
    """
    curve, label, refs, extras = None, exact_label or "exact", [], []
    if exact is None:
        pass
    elif hasattr(exact, "curves"):  # ExactProfiles
        if q in exact.curves:
            curve = _align(exact.curves[q], times, exact.times, f"curves[{q!r}]")
        label = exact_label or exact.labels.get(q, "exact")
        refs = exact.references.get(q, [])
        extras = [(lab, _align(c, times, exact.times, lab)) for lab, c in exact.extra_curves.get(q, [])]
    elif isinstance(exact, Mapping):
        if q in exact:
            curve = _align(exact[q], times, None, f"exact[{q!r}]")
    else:
        curve = _align(exact, times, None, "the array")
    if references is not None:
        refs = references
    if extra_curves is not None:
        extras = [(lab, _align(c, times, None, lab)) for lab, c in extra_curves]
    return curve, label, _reference_list(refs), extras


class _Styles:
    """One style per distinct reference label within a figure (two different references never share one)."""

    def __init__(self):
        self.by_label = {}

    def __call__(self, label):
        if label not in self.by_label:
            self.by_label[label] = REFERENCE_STYLES[len(self.by_label) % len(REFERENCE_STYLES)]
        return self.by_label[label]


# ------------------------------------------------------------------------------ labels and units
def _title_symbol(profile, real_valued=None, title=None, symbol=None):
    """Panel title and axis symbol from the quantity registry (the profile's history and data kind)."""
    q = QUANTITIES.get(profile.quantity)
    if real_valued is None:
        real_valued = profile.method in CONTINUOUS_METHODS
    if q is None:
        t, s = profile.quantity.replace("_", " "), profile.quantity
    else:
        t, s = q.label(history=int(profile.extra.get("history", 1)), real_valued=real_valued)
    return title or t, symbol or s


def _time_label(time_unit="steps", dt=None, distance=False):
    u = time_unit if not dt else f"{time_unit}, dt = {dt:g}"
    return ("distance from t0, |t − t0|" if distance else "time t − t0") + f" [{u}]"


def _y_unit(profile, time_unit="steps"):
    unit = profile.unit
    q = QUANTITIES.get(profile.quantity)
    if q is not None and q.per_step and "per" not in unit:
        return f"{unit} per {'step' if time_unit == 'steps' else 'step of dt'}"
    return unit


def _mark_t0(ax, label=True):
    ax.axvline(0, color="0.25", lw=1.0, ls=":", zorder=1)
    if label:  # just above the frame, where no legend goes
        ax.annotate("t0", xy=(0, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 1),
                    textcoords="offset points", fontsize=8, color="0.25", va="bottom", ha="center")


def _finite(y):
    y = np.asarray(y, dtype=float)
    return np.where(np.isfinite(y), y, np.nan)


def _fast_then_slow(profile):
    """True when half of the estimate's change from t0 happens in the first 5 % of a time range
    spanning at least two decades: a log time axis then shows both stages of the growth."""
    t = np.asarray(profile.times, dtype=float)
    v = _finite(profile.values)
    sel = (t > 0) & np.isfinite(v) if np.any(t > 0) else (t < 0) & np.isfinite(v)
    d, y = np.abs(t[sel]), v[sel]
    if d.size < 20 or d.max() < 100 * d.min():
        return False
    order = np.argsort(d)
    d, y = d[order], y[order]
    change = y - y[0]
    total = change[-1]
    if not np.isfinite(total) or total == 0:
        return False
    half = d[np.argmax(change / total >= 0.5)]
    return bool(half <= 0.05 * d.max())


def _log_limits(ax, values, highs):
    """A log y axis from where the positive estimates live (not the rounding noise of an exact curve)."""
    pos = values[np.isfinite(values) & (values > 0)]
    if pos.size == 0:
        return
    top = np.nanmax(np.concatenate([pos, highs[np.isfinite(highs) & (highs > 0)]]))
    ax.set_yscale("log")
    ax.set_ylim(pos.min() / 3.0, top * 2.0)


# ------------------------------------------------------------------------------ one profile
def _mark_bounds(ax, p, t, curve, distance):
    """Lower-bound estimates (words seen one way only) as upward triangles, and an infinite exact
    value as "exact: ∞" at the top of the panel: never a confident finite number."""
    x = np.abs(t) if distance else t
    lb = getattr(p, "lower_bound", None)
    if lb is not None and np.any(lb):
        sel = np.asarray(lb, dtype=bool) & np.isfinite(np.asarray(p.values, dtype=float))
        unmatched = p.extra.get("unmatched") if isinstance(p.extra, dict) else None
        n = int(np.nansum(np.asarray(unmatched, dtype=float)[sel])) if unmatched is not None else None
        ax.plot(x[sel], np.asarray(p.values, dtype=float)[sel], ls="none", marker="^", ms=6, mfc="none", mec="k",
                mew=1.0, zorder=5, label="lower bound: words seen in one direction only"
                + (f" ({n:,} unmatched)" if n else ""))
    if curve is not None:
        inf = np.isposinf(np.asarray(curve, dtype=float))
        if inf.any():
            for xi in x[inf]:
                ax.annotate("∞", xy=(xi, 1.0), xycoords=("data", "axes fraction"), xytext=(0, -2),
                            textcoords="offset points", ha="center", va="top", fontsize=LEGEND_PT + 1, color="k")
            ax.plot([], [], ls="none", marker="$∞$", color="k", label="exact value infinite (a step with no reverse)")


def plot_profile(profile, ax=None, *, exact=None, exact_label=None, references=None, extra_curves=None,
                 distance=False, time_unit="steps", dt=None, title=None, symbol=None, real_valued=None,
                 xscale=None, yscale=None, legend=True, mark_t0=True, _styles=None):
    """Draw one per-time profile: both arms, its confidence band, the exact curve and references.

    Parameters
    ----------
    profile : Profile
        A per-time estimate (``entropy.estimators.entropy_profile(...)`` and the other
        ``*_profile`` estimators). Times are relative to t0; t < 0 is the backward arm (red),
        t > 0 the forward arm (blue), each with its confidence band ``[ci_low, ci_high]``.
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: a new figure).
    exact : array_like, mapping or ExactProfiles, optional
        Exact values drawn dashed: one per profile time, a mapping quantity -> array, or the
        result of :func:`entropy.exact.profiles` (its ``curves[profile.quantity]``, label,
        references and extra curves are taken, matched to the profile's times).
    exact_label : str, optional
        Legend label of the exact curve (default: the ``ExactProfiles`` label, or "exact").
    references : sequence, optional
        Horizontal reference values: :class:`~entropy.exact.Reference` objects,
        ``(value, label)`` pairs or numbers (default: those of ``exact``).
    extra_curves : sequence of (label, array), optional
        Further curves, one value per profile time (default: those of ``exact``).
    distance : bool
        Draw both arms against the distance ``|t − t0|`` (the collapse view) instead of t.
    time_unit : str
        Unit of the times, shown on the x axis ("steps", "time units", ...).
    dt : float, optional
        Time step, shown beside the unit.
    title, symbol : str, optional
        Panel title and y-axis symbol (default: from :data:`entropy.quantities.QUANTITIES`,
        with the profile's history).
    real_valued : bool, optional
        Real-valued data (differential-entropy titles); default: inferred from the method.
    xscale : {None, "linear", "log", "symlog"}
        Time axis scale (default linear; ``"log"`` only with ``distance=True``).
    yscale : {None, "linear", "log"}
        Value axis scale. Default: log for a quantity registered with ``log_axis`` (a relative
        entropy) whose positive estimates span more than a factor 20, starting just below the
        smallest positive estimate.
    legend : bool or str
        True: a legend outside the axes, to the right (it never covers data); a string: a
        matplotlib legend location inside the axes; False: none.
    mark_t0 : bool
        Mark t0 with a dotted vertical line (not on the distance axis).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> H = estimators.entropy_profile(ens)                              # doctest: +SKIP
    >>> ax = plot_profile(H, exact=exact.profiles(chain, 0, forward=30, backward=30))  # doctest: +SKIP
    >>> ax.figure.savefig("H.png")                                       # doctest: +SKIP
    """
    if ax is None:
        _, ax = _plt().subplots(figsize=(7.0, 4.0), layout="constrained")
    if xscale not in (None, "linear", "log", "symlog"):
        raise ValueError(f"xscale={xscale!r}: expected None, 'linear', 'log' or 'symlog'")
    if xscale == "log" and not distance:
        raise ValueError("xscale='log': a log time axis needs distance=True (t − t0 changes sign); use 'symlog'")
    if yscale not in (None, "linear", "log"):
        raise ValueError(f"yscale={yscale!r}: expected None, 'linear' or 'log'")
    styles = _styles or _Styles()
    p = profile
    t = np.asarray(p.times, dtype=float)
    logx = distance and (xscale == "log" or (xscale is None and _fast_then_slow(p)))
    # t0 belongs to both arms, except on a log distance axis, where |t − t0| = 0 has no place
    arms = (("backward", t < 0 if logx else t <= 0), ("forward", t > 0 if logx else t >= 0))
    curve, label, refs, extras = _exact_parts(p.quantity, t, exact, exact_label, references, extra_curves)
    for arm, sel in arms:
        x = np.abs(t[sel]) if distance else t[sel]
        lo, hi, v = _finite(p.ci_low[sel]), _finite(p.ci_high[sel]), _finite(p.values[sel])
        ax.fill_between(x, lo, hi, color=ARM_COLORS[arm], alpha=0.25, lw=0)
        side = "t < t0, reversed dynamics" if arm == "backward" else "t > t0, dynamics"
        # on the |t - t0| axis the arms may coincide: draw the backward one wide and light underneath
        wide = distance and arm == "backward"
        ax.plot(x, v, color=ARM_COLORS[arm], lw=4.0 if wide else 1.5, alpha=0.55 if wide else 1.0,
                label=f"{arm} arm ({side})", marker="." if sel.sum() < 40 else None, ms=3)
    if curve is not None:
        e = _finite(curve)
        if distance:
            for arm, sel in arms:
                ax.plot(np.abs(t[sel]), e[sel], color="k", lw=0.9, ls="--", label=label if arm == "forward" else None)
        else:
            ax.plot(t, e, color="k", lw=1.0, ls="--", label=label)
    _mark_bounds(ax, p, t, curve, distance)
    for lab, y in extras:
        y = _finite(y)
        for arm, sel in arms:
            ax.plot(np.abs(t[sel]) if distance else t[sel], y[sel], color="0.15", lw=1.0, ls="-.",
                    label=lab if arm == "forward" else None)
    for value, lab in refs:
        color, ls = styles(lab)
        ax.axhline(value, color=color, lw=1.1, ls=ls, zorder=1, label=lab)
    ptitle, sym = _title_symbol(p, real_valued, title, symbol)
    ax.set_title(ptitle, fontsize=10, pad=12 if not distance else 6)
    ax.set_ylabel(f"{sym} [{_y_unit(p, time_unit)}]")
    v = _finite(p.values)
    q = QUANTITIES.get(p.quantity)
    if yscale == "log" or (yscale is None and q is not None and q.log_axis
                           and np.nanmin(np.where(v > 0, v, np.nan), initial=np.inf) * 20 < np.nanmax(v, initial=0)):
        # D spans decades: a log axis shows the approach to its limit, from where the estimates live
        _log_limits(ax, v, _finite(p.ci_high))
    if logx:
        ax.set_xscale("log")
    elif xscale == "symlog":
        step = np.min(np.abs(np.diff(t))) if t.size > 1 else 1.0
        ax.set_xscale("symlog", linthresh=float(step))
    xlabel = _time_label(time_unit, dt, distance)
    if ax.get_xscale() != "linear":
        xlabel += f" ({ax.get_xscale()} scale)"
    ax.set_xlabel(xlabel)
    if mark_t0 and not distance:
        _mark_t0(ax)
    ax.grid(alpha=0.3)
    if legend is True:
        ax.legend(fontsize=LEGEND_PT, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    elif legend:
        ax.legend(fontsize=LEGEND_PT, loc=legend, framealpha=0.85)
    return ax


# ------------------------------------------------------------------------------ figures of profiles
def _as_profiles(profiles):
    """A dict quantity -> Profile from a Profile, a sequence of profiles or a mapping."""
    if hasattr(profiles, "quantity") and hasattr(profiles, "times"):
        return {profiles.quantity: profiles}
    if isinstance(profiles, Mapping):
        return dict(profiles)
    try:
        items = list(profiles)
    except TypeError:
        items = None
    if not items or not all(hasattr(p, "quantity") and hasattr(p, "times") for p in items):
        raise ValueError(f"profiles={profiles!r}: expected a Profile, a sequence of profiles or a mapping "
                         "quantity -> Profile")
    return {p.quantity: p for p in items}


def _grid_shape(n):
    """``(rows, columns)`` of a figure of ``n`` panels."""
    ncols = 1 if n == 1 else 2 if n in (2, 4) else 3
    return -(-n // ncols), ncols


def _grid(n, width=6.0, height=3.6):
    plt = _plt()
    nrows, ncols = _grid_shape(n)
    if n == 1:
        width = max(width, 7.5)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols if ncols < 3 else 5.0 * ncols, height * nrows + 1.0),
                             squeeze=False, layout="constrained")
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat)[:n]


def _wrap(text, fig, fontsize):
    import textwrap

    width = max(40, int(fig.get_figwidth() * 118 / fontsize))
    return "\n".join(textwrap.fill(line, width) for line in text.split("\n"))


def _shared_legend(fig, axes, notes=()):
    """One legend for all panels, below them (labels deduplicated), so no legend hides data; the
    notes, if any, go under it."""
    seen = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lab, h)
    ncols = min(len(seen), 3 if fig.get_figwidth() > 9 else 2) or 1
    leg = fig.legend(list(seen.values()), list(seen), loc="outside lower center", ncols=ncols,
                     fontsize=LEGEND_PT, frameon=False)
    notes = [n for n in notes or () if n]
    if notes:
        leg.set_title(_wrap("\n".join("• " + n for n in notes), fig, NOTE_PT), prop={"size": NOTE_PT})
        leg._legend_box.align = "left"
        leg.get_title().set_color("0.2")
    return leg


def _paths_bands(n, p):
    """"N paths, <method> estimator, bands: 95 % CI" (no band for a single path)."""
    s = f"{n:,} path{'s' if n != 1 else ''}" if n else ""
    if p is not None and (not n or n > 1):
        ci = int(round(p.confidence * 100))
        s += (", " if s else "") + f"{p.method.replace('_', ' ')} estimator, bands:\u00a0{ci}\u00a0%\u00a0CI"
    return s


def _band_note(profiles):
    """Paths, estimator and confidence level from the profiles themselves."""
    n = max((int(np.max(q.samples)) for q in profiles.values() if q.samples is not None and np.size(q.samples)),
            default=None)
    return _paths_bands(n, next(iter(profiles.values())))


def _figure_of_profiles(profiles, exact, *, quantities, default_title, title, subtitle, notes, time_unit, dt,
                        real_valued, titles, xscale, yscale, distance, width=6.0):
    ps = _as_profiles(profiles)
    qs = [q for q in (quantities or ps) if q in ps]
    if not qs:
        raise ValueError(f"quantities={quantities!r}: none of them is among the profiles ({', '.join(ps)})")
    panel_height = 4.0 if distance else 3.6
    fig, axes = _grid(len(qs), width=6.8 if distance else width, height=panel_height)
    styles = _Styles()
    for ax, q in zip(axes, qs):
        plot_profile(ps[q], ax, exact=exact, distance=distance, time_unit=time_unit, dt=dt,
                     title=(titles or {}).get(q), real_valued=real_valued, xscale=xscale, yscale=yscale,
                     legend=False, _styles=styles)
    if notes is None:
        notes = list(getattr(exact, "notes", ()) or ())
    leg = _shared_legend(fig, axes, notes)
    sub = _band_note({q: ps[q] for q in qs}) if subtitle is None else subtitle
    head = title if title is not None else default_title
    sup = fig.suptitle(_wrap(head + (f"\n{sub}" if sub else ""), fig, 10.5), fontsize=10.5)
    # room for the titles, legend rows and notes, so the panels keep their height
    rows = -(-len(leg.get_texts()) // max(leg._ncols, 1))
    note_lines = leg.get_title().get_text().count("\n") + 1 if leg.get_title().get_text() else 0
    nrows = _grid_shape(len(qs))[0]
    fig.set_figheight(panel_height * nrows + 0.5 + 0.18 * (sup.get_text().count("\n") + 1) + 0.2 * rows
                      + 0.15 * note_lines)
    return fig


_PLOT_PARAMS = """    exact : array_like, mapping or ExactProfiles, optional
        Exact references: the result of :func:`entropy.exact.profiles` (curves, labels,
        stationary references, extra curves and notes are taken from it), a mapping
        quantity -> array, or (one panel) an array with one value per time.
    quantities : sequence of str, optional
        Which profiles to draw, in this order (default: {default}).
    title : str, optional
        Figure title (default: what the figure shows).
    subtitle : str, optional
        Second title line (default: paths, estimator and confidence level from the profiles;
        "" for none).
    notes : sequence of str, optional
        Statements printed under the legend (default: the ``notes`` of ``exact``).
    time_unit : str
        Unit of the times ("steps", "time units", ...).
    dt : float, optional
        Time step, shown beside the unit.
    real_valued : bool, optional
        Real-valued data (differential-entropy titles); default: inferred from the method.
    titles : mapping of str -> str, optional
        Panel titles replacing the registry's (quantity -> title).
    xscale, yscale : str, optional
        Axis scales, as in :func:`plot_profile`.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per quantity, one legend below the panels (outside the data), t0 marked.
"""


def janus_plot(profiles, exact=None, *, quantities=None, title=None, subtitle=None, notes=None,
               time_unit="steps", dt=None, real_valued=None, titles=None, xscale=None, yscale=None):
    return _figure_of_profiles(profiles, exact, quantities=quantities or _levels_first(profiles),
                               default_title="both arms leave the low-entropy state at t0",
                               title=title, subtitle=subtitle, notes=notes, time_unit=time_unit, dt=dt,
                               real_valued=real_valued, titles=titles, xscale=xscale, yscale=yscale,
                               distance=False)


janus_plot.__doc__ = """The Janus plot: entropy-like levels against t, both arms, exact curves dashed.

    Parameters
    ----------
    profiles : Profile, sequence of Profile or mapping of str -> Profile
        Per-time estimates, e.g. ``entropy_profile`` and ``relative_entropy_profile``.
""" + _PLOT_PARAMS.format(default="the levels (H, D, ...) among them, else all")


def _levels_first(profiles):
    ps = _as_profiles(profiles)
    levels = [q for q in LEVELS if q in ps]
    return levels or list(ps)


def _rates_what(qs):
    """"entropy rates and excess entropy, per time": what a rates figure of ``qs`` shows."""
    shorts = list(dict.fromkeys(QUANTITIES[q].short if q in QUANTITIES else q.replace("_", " ") for q in qs))
    return (", ".join(shorts[:-1]) + " and " + shorts[-1] if len(shorts) > 1 else shorts[0]) + ", per time"


def rates_plot(profiles, exact=None, *, quantities=None, title=None, subtitle=None, notes=None,
               time_unit="steps", dt=None, real_valued=None, titles=None, xscale=None, yscale=None):
    ps = _as_profiles(profiles)
    qs = quantities or [q for q in RATES if q in ps] or list(ps)
    return _figure_of_profiles(ps, exact, quantities=qs, default_title=_rates_what(qs), title=title, subtitle=subtitle,
                               notes=notes, time_unit=time_unit, dt=dt, real_valued=real_valued, titles=titles,
                               xscale=xscale, yscale=yscale, distance=False, width=5.2 if len(qs) > 1 else 6.0)


rates_plot.__doc__ = """Forward and backward entropy rates, excess entropy and irreversibility against t.

    Parameters
    ----------
    profiles : Profile, sequence of Profile or mapping of str -> Profile
        Per-time estimates, e.g. ``entropy_rate_profile(ens, direction="forward")`` and
        ``direction="backward"``, ``excess_entropy_profile``.
""" + _PLOT_PARAMS.format(default="the rates among them (h⁺, h⁻, E, σ), else all")


COLLAPSE_TITLE = "both arms on one axis of distance from t0"


def collapse_plot(profile, exact=None, *, title=None, subtitle=None, notes=None, time_unit="steps", dt=None,
                  real_valued=None, titles=None, xscale=None, yscale=None):
    """Both arms on one axis of distance |t − t0|: where the arms agree in law the curves coincide.

    Parameters
    ----------
    profile : Profile
        A per-time estimate (or a one-entry mapping / sequence of profiles).
    exact : array_like or ExactProfiles, optional
        Exact references, as in :func:`plot_profile`.
    title, subtitle : str, optional
        Figure title (default: "both arms on one axis of distance from t0") and second line
        (default: paths, estimator and confidence level; "" for none).
    notes : sequence of str, optional
        Printed under the legend (default: the ``notes`` of ``exact``).
    time_unit, dt, real_valued, yscale
        As in :func:`plot_profile`.
    titles : mapping of str -> str, optional
        Panel title replacing the registry's (quantity -> title).
    xscale : {None, "linear", "log"}
        Distance axis scale. Default: log when the growth is fast then slow (half of the
        change within the first 5 % of a range of at least two decades), else linear.

    Returns
    -------
    matplotlib.figure.Figure
    """
    ps = _as_profiles(profile)
    return _figure_of_profiles(ps, exact, quantities=[next(iter(ps))], default_title=COLLAPSE_TITLE, title=title,
                               subtitle=subtitle, notes=notes, time_unit=time_unit, dt=dt, real_valued=real_valued,
                               titles=titles, xscale=xscale, yscale=yscale, distance=True)


# ------------------------------------------------------------------------------ RunResult figures
def _spec(res):
    """The family registry entry of the result's process kind (None: a kind this version does not know)."""
    return FAMILIES.get(res.metadata.get("process_kind"))


def _short_value(v):
    """A short human form of a scenario value: numbers with %g, small matrices inline, large ones by shape."""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, (int, float, np.integer, np.floating)):
        return f"{float(v):g}" if isinstance(v, (float, np.floating)) else str(int(v))
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{k} = {_short_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple, np.ndarray)):
        a = np.asarray(v, dtype=object)
        if a.size > 9:
            return " × ".join(str(n) for n in a.shape) + (" matrix" if a.ndim == 2 else " values")
        return "[" + ", ".join(_short_value(x) for x in v) + "]"
    return str(v)


def describe_process(table, start=None) -> str:
    """A short description of a scenario's ``[process]`` table (and ``[start]``), in its own keys.

    ``{"kind": "ornstein_uhlenbeck", "drift": [[1, 2], [-2, 1]], "sigma": 1}`` gives
    ``"ornstein_uhlenbeck: drift = [[1, 2], [-2, 1]], sigma = 1"``; unset keys are left out,
    matrices with more than 9 entries are given by their shape.
    """
    if not table:
        return ""
    items = []
    for k, v in table.items():
        if k == "kind" or v is None or (isinstance(v, Mapping) and not v):
            continue
        if isinstance(v, Mapping):
            items += [f"{kk} = {_short_value(vv)}" for kk, vv in v.items()]
        else:
            items.append(f"{k} = {_short_value(v)}")
    s = f"{table.get('kind', 'process')}: " + ", ".join(items)
    starts = [f"{k} {_short_value(v)}" for k, v in (start or {}).items() if v is not None]
    if starts:
        s += "; start: " + ", ".join(starts)
    return s


def _run_description(res):
    """``process description — N paths, estimator, CI`` for the second title line of a run's figure."""
    sc = res.scenario or {}
    desc = describe_process(sc.get("process"), sc.get("start")) if sc.get("process") else ""
    n = res.metadata.get("paths")
    s = _paths_bands(n, next(iter(res.profiles.values()), None))
    if not res.complete:
        s += f" — INCOMPLETE run ({n:,} of {res.metadata.get('paths_requested'):,} paths)"
    return " — ".join(x for x in (desc, s) if x)


def _run_exact(res):
    """The result's exact curves, labels, references, extra curves and notes as one ExactProfiles."""
    from .exact import ExactProfiles, Reference

    md = res.metadata
    extras = {q: [(e["label"], res.arrays[e["array"]]) for e in lst] for q, lst in (md.get("extra_curves") or {}).items()}
    refs = {q: [Reference(r["value"], r["label"]) for r in lst] for q, lst in (md.get("references") or {}).items()}
    return ExactProfiles(times=np.asarray(res.times), unit=res.unit, curves=dict(res.exact),
                         labels=dict(md.get("exact_labels") or {}), references=refs, extra_curves=extras,
                         notes=tuple(md.get("notes") or ()))


def _run_kw(res):
    spec = _spec(res)
    return dict(exact=_run_exact(res), subtitle=_run_description(res), time_unit=res.time_unit,
                dt=res.metadata.get("dt") or None, real_valued=bool(spec and spec.real_valued),
                titles=dict(spec.labels) if spec else None)


def janus_figure(res, quantities=None, **kw):
    """The Janus plot of a run (:func:`janus_plot` of its profiles and exact references)."""
    qs = [q for q in (quantities or LEVELS) if q in res.profiles] or list(res.profiles)[:1]
    spec = _spec(res)
    if spec is not None and spec.janus_caption is not None:
        what = spec.janus_caption(res)
    else:
        overshoot = any("overshoots" in n for n in res.metadata.get("notes") or [])
        what = "both arms leave the low-entropy state at t0" + ("" if overshoot else
                                                                 ": entropy grows in both directions of time")
    return janus_plot(res.profiles, quantities=qs, title=f"{res.name}: {what}", **{**_run_kw(res), **kw})


def rates_figure(res, **kw):
    """Entropy rates, excess entropy and irreversibility of a run (:func:`rates_plot`)."""
    qs = [q for q in RATES if q in res.profiles]
    return rates_plot(res.profiles, quantities=qs, title=f"{res.name}: {_rates_what(qs)}", **{**_run_kw(res), **kw})


def collapse_figure(res, quantity=None, **kw):
    """Both arms of a run against |t − t0| (:func:`collapse_plot`)."""
    q = quantity or next((x for x in LEVELS if x in res.profiles), next(iter(res.profiles)))
    return collapse_plot(res.profiles[q], title=f"{res.name}: {COLLAPSE_TITLE}", **{**_run_kw(res), **kw})


def _notes(fig, notes):
    """Notes under the panels (constrained layout makes room for a supxlabel)."""
    notes = [n for n in notes or () if n]
    if notes:
        fig.supxlabel(_wrap("\n".join("• " + n for n in notes), fig, NOTE_PT), x=0.01, ha="left", fontsize=NOTE_PT,
                      color="0.2")


def _legend_below(ax, ncols=2):
    """The axes' legend under its x label, outside the data area."""
    ax.legend(fontsize=LEGEND_PT, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=ncols, frameon=False)


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
                 f"{describe_process((res.scenario or {}).get('process'))}; grey lines: the {C} x {C} coarse cells",
                 fontsize=10)
    return fig


def _write_gif(path, n_frames, draw_frame, figsize, fps):
    """An animated GIF of ``n_frames`` frames, ``draw_frame(ax, i)`` drawing frame i (matplotlib's PillowWriter)."""
    plt = _plt()
    from matplotlib.animation import FuncAnimation, PillowWriter

    fig, ax = plt.subplots(figsize=figsize)

    def draw(i):
        ax.clear()
        draw_frame(ax, i)
        return []

    anim = FuncAnimation(fig, draw, frames=n_frames, blit=False)
    anim.save(str(path), writer=PillowWriter(fps=fps), dpi=80)
    plt.close(fig)
    return Path(path)


def lattice_gif(res, path, fps=8):
    """Animated GIF of one lattice-gas path from t0 − B to t0 + F (matplotlib's PillowWriter)."""
    times = res.arrays["gif_times"]
    frames = res.arrays["gif_frames"]
    L, C = (int(x) for x in res.arrays["grid"])

    def frame(ax, i):
        arrow = "backward arm" if times[i] < 0 else ("t0: low-entropy state" if times[i] == 0 else "forward arm")
        _positions_panel(ax, frames[i], L, C, f"{res.name}\nt − t0 = {int(times[i])} steps ({arrow})")

    return _write_gif(path, len(times), frame, (3.6, 3.8), fps)


def _bodies_panel(ax, pos, masses, lim, title):
    """One N-body configuration projected on the x-y plane, marker area proportional to mass."""
    size = 4000.0 * np.asarray(masses) / max(len(masses), 1) ** 0.5
    ax.scatter(pos[:, 0], pos[:, 1], s=np.clip(size, 2, 60), c="#1f5fa8", lw=0, alpha=0.8)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=9.5)
    ax.set_xlabel("x [length, G = M = 1]", fontsize=8.5)
    ax.set_ylabel("y [length]", fontsize=8.5)
    ax.grid(alpha=0.25)


def nbody_snapshots_figure(res):
    """Janus-point N-body ensemble: one path at t0 − T, t0 and t0 + T (x-y projection, common scale)."""
    plt = _plt()
    times = res.arrays["nbody_snapshot_times"]
    snaps = res.arrays["nbody_snapshots"]
    masses = res.arrays["nbody_masses"]
    dt = float(res.arrays["nbody_dt"][0])
    lim = 1.05 * float(np.max(np.abs(snaps[..., :2]))) or 1.0
    fig, axes = plt.subplots(1, len(times), figsize=(3.8 * len(times) + 0.4, 5.0), squeeze=False,
                             layout="constrained")
    for ax, t, pos in zip(axes[0], times, snaps):
        where = "the Janus point t0" if t == 0 else ("backward arm: the past" if t < 0 else "forward arm: the future")
        _bodies_panel(ax, pos, masses, lim, f"t − t0 = {t * dt:g} time units\n({where})")
    sc = res.scenario or {}
    fig.suptitle(_wrap(f"{res.name}: one path of the ensemble; structure grows away from the Janus point both ways\n"
                       f"{describe_process(sc.get('process'), sc.get('start'))}", fig, 10), fontsize=10)
    return fig


def nbody_gif(res, path, fps=8):
    """Animated GIF of one N-body path from t0 − B to t0 + F (x-y projection, common scale)."""
    times = res.arrays["nbody_gif_times"]
    frames = res.arrays["nbody_gif_frames"]
    masses = res.arrays["nbody_masses"]
    dt = float(res.arrays["nbody_dt"][0])
    lim = 1.05 * float(np.max(np.abs(frames[..., :2]))) or 1.0

    def frame(ax, i):
        where = "Janus point" if times[i] == 0 else ("past" if times[i] < 0 else "future")
        _bodies_panel(ax, frames[i], masses, lim, f"{res.name}\nt − t0 = {times[i] * dt:+.2f} ({where})")

    return _write_gif(path, len(times), frame, (4.0, 4.3), fps)


def fluctuation_figure(res):
    """Boltzmann's V: a stationary entropy series, its dips, and the average around them."""
    plt = _plt()
    a = res.arrays
    unit = res.metadata.get("unit", "bits")
    thr = res.metadata.get("threshold")
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(12.0, 4.8), gridspec_kw={"width_ratios": [1.3, 1]},
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
    _legend_below(ax0)
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
    _legend_below(ax1)
    ax1.grid(alpha=0.3)
    sc = res.scenario or {}
    fig.suptitle(f"{res.name}: low entropy as a fluctuation (Boltzmann) — {describe_process(sc.get('process'))}",
                 fontsize=10.5)
    _notes(fig, res.metadata.get("notes"))
    return fig


def fluctuation_theorem_figure(res):
    """The detailed fluctuation theorem: the law of the total entropy production Δs of the paths at the
    last time of each arm, and log P(Δs)/P(−Δs) against Δs beside the identity (2^Δs in bits).

    Exact in the steady state of a driven jump process (Seifert 2005); from another start the
    points leave the line near t0, which is what the figure shows.
    """
    plt = _plt()
    unit = res.metadata.get("unit", "bits")
    base = float(res.scenario.get("estimate", {}).get("base", 2))
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(12.0, 4.8), layout="constrained")
    lo_all, hi_all = [], []
    for arm in ("backward", "forward"):
        key = f"entropy_production_samples/{arm}"
        if key not in res.arrays:
            continue
        ds = np.asarray(res.arrays[key], dtype=float)
        ds = ds[np.isfinite(ds)]
        t = float(res.arrays[f"{key}_time"][0])
        values, counts = np.unique(np.round(ds, 9), return_counts=True)
        lattice = values.size <= 200  # a ring: Δs takes a few values (net jumps x log(k+/k-))
        label = f"{arm} arm, t − t0 = {t:g} ({ds.size:,} paths)"
        if lattice:
            ax0.plot(values, counts / ds.size, "o-", ms=3, lw=1.0, color=ARM_COLORS[arm], label=label)
        else:
            ax0.hist(ds, bins=80, density=True, histtype="step", color=ARM_COLORS[arm], label=label)
        # log P(Δs) / P(−Δs) where both Δs and −Δs were seen
        index = {v: c for v, c in zip(values, counts)}
        pos = [v for v in values if v > 0 and np.round(-v, 9) in index]
        if pos:
            x = np.array(pos)
            cp = np.array([index[v] for v in pos], float)
            cm = np.array([index[np.round(-v, 9)] for v in pos], float)
            y = np.log(cp / cm) / math.log(base)
            err = np.sqrt(1.0 / cp + 1.0 / cm) / math.log(base)  # Poisson counts: se of the log ratio
            ax1.errorbar(x, y, yerr=1.96 * err, fmt="o", ms=4, capsize=2, color=ARM_COLORS[arm],
                         label=f"{arm} arm: log P(Δs)/P(−Δs) ± 95 % CI")
            lo_all.append(x.min())
            hi_all.append(x.max())
    if hi_all:
        xs = np.linspace(0.0, max(hi_all) * 1.05, 50)
        ax1.plot(xs, xs, "k--", lw=1.0, label="detailed fluctuation theorem: log P(Δs)/P(−Δs) = Δs")
    ax0.set_yscale("log")
    ax0.set_xlabel(f"total entropy production Δs_tot since t0 [{unit}]")
    ax0.set_ylabel("probability (per value, or density)")
    ax0.set_title("law of Δs_tot at the last time of each arm", fontsize=10)
    _legend_below(ax0, ncols=1)
    ax0.grid(alpha=0.3)
    ax1.set_xlabel(f"Δs_tot [{unit}]")
    ax1.set_ylabel(f"log P(Δs) / P(−Δs) [{unit}]")
    ax1.set_title("the ratio of the probabilities of Δs and −Δs", fontsize=10)
    _legend_below(ax1, ncols=1)
    ax1.grid(alpha=0.3)
    sc = res.scenario or {}
    fig.suptitle(f"{res.name}: fluctuation theorem of the entropy production, both arms\n"
                 f"{describe_process(sc.get('process'), sc.get('start'))}", fontsize=10.5)
    return fig


def reversibility_figure(res):
    """Entropy production per step against history length, and the surrogate test, per chain."""
    plt = _plt()
    cases = res.metadata.get("cases", {})
    unit = res.metadata.get("unit", "bits per step")
    colors = {"given": "#c0392b", "reversible": "#1f5fa8"}
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(12.0, 5.4), layout="constrained")
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
    _legend_below(ax0, ncols=1)
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
    ax1.set_title("reversibility test: observed statistic against its null\n(surrogates: blocks reversed at random)",
                  fontsize=9.5)
    _legend_below(ax1, ncols=1)
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
    fig.text(0.01, 0.02, _wrap(note, fig, NOTE_PT), fontsize=NOTE_PT, color="0.2", va="bottom")
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
    "nbody_snapshots": (nbody_snapshots_figure, lambda r: "nbody_snapshots" in r.arrays),
    "fluctuation": (fluctuation_figure, lambda r: "lags" in r.arrays),
    "reversibility": (reversibility_figure, lambda r: bool(r.metadata.get("cases"))),
    "fluctuation_theorem": (fluctuation_theorem_figure,
                            lambda r: any(k.startswith("entropy_production_samples/") for k in r.arrays)),
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
    if "nbody_gif_frames" in res.arrays:
        out.append(nbody_gif(res, directory / "nbody.gif"))
    return out
