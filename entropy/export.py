"""Tables out: profiles, exact references and run results as pandas DataFrames and xarray Datasets.

* :func:`to_dataframe` gives one row per (quantity, time), the *long* format that plotting and
  statistics libraries (seaborn, plotnine, statsmodels) read directly, with the columns
  :data:`COLUMNS`: ``time``, ``arm`` (``"backward"`` for t < t0, ``"t0"``, ``"forward"`` for
  t > t0), ``quantity``, ``value``, ``stderr``, ``ci_low``, ``ci_high``, ``exact`` (the exact
  reference at that time, NaN where none is known), ``unit`` and ``method``.
* :func:`to_xarray` gives a Dataset on the coordinate ``time`` (with ``arm`` beside it): one
  variable per quantity holding the values, and ``<quantity>_stderr``, ``<quantity>_ci_low``,
  ``<quantity>_ci_high`` and ``<quantity>_exact``; every variable carries its unit in
  ``attrs["units"]`` (the CF convention), the time coordinate its unit too.

Both accept a :class:`~entropy.estimators.Profile`, a list or dict of profiles, an
:class:`~entropy.exact.ExactProfiles` (values are the exact ones, with zero standard error, and
``method="exact"``) and a :class:`~entropy.results.RunResult` (its profiles beside its exact
references; a result without profiles gives its tables in :func:`to_dataframe`). Exact values
for profiles are given with ``exact=``.

pandas and xarray are optional dependencies: a missing one raises ImportError naming it and
the pip command that installs it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .estimators._result import Profile
from .exact import ExactProfiles
from .results import RunResult

__all__ = ["to_dataframe", "to_xarray", "COLUMNS"]

#: Columns of :func:`to_dataframe`'s long format, in order.
COLUMNS = ["time", "arm", "quantity", "value", "stderr", "ci_low", "ci_high", "exact", "unit", "method"]

def _require(module: str, caller: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"entropy.export.{caller} needs the optional package {module!r}: "
                          f"install it with  pip install {module}") from None


@dataclass(frozen=True)
class _Series:
    """One quantity over time, in the form both exporters read."""

    quantity: str
    times: np.ndarray
    value: np.ndarray
    stderr: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    exact: np.ndarray
    unit: str
    method: str
    confidence: float


def _arm(times) -> np.ndarray:
    t = np.asarray(times)
    return np.where(t > 0, "forward", np.where(t < 0, "backward", "t0"))


def _exact_for(quantity, times, exact, where: str) -> np.ndarray:
    """The exact values of ``quantity`` at ``times`` from an array, an ExactProfiles or a dict of them."""
    nan = np.full(len(times), np.nan)
    if exact is None:
        return nan
    if isinstance(exact, Mapping):
        if quantity not in exact:
            return nan
        exact = exact[quantity]
    if isinstance(exact, ExactProfiles):
        arr = exact.curves.get(quantity)
        if arr is None:
            return nan
        pos = {t: i for i, t in enumerate(np.asarray(exact.times).tolist())}
        idx = np.array([pos.get(t, -1) for t in np.asarray(times).tolist()])
        out = np.where(idx >= 0, np.asarray(arr, float)[np.maximum(idx, 0)], np.nan)
        return out
    arr = np.asarray(exact, dtype=float)
    if arr.shape != (len(times),):
        raise ValueError(f"exact{where}: expected {len(times)} values (one per time of {quantity!r}), "
                         f"got shape {arr.shape}")
    return arr


def _from_profile(p: Profile, quantity: str, exact, where="") -> _Series:
    return _Series(quantity, np.asarray(p.times), np.asarray(p.values, float), np.asarray(p.stderr, float),
                   np.asarray(p.ci_low, float), np.asarray(p.ci_high, float),
                   _exact_for(quantity, p.times, exact, where), p.unit, p.method, float(p.confidence))


def _from_exact(ref: ExactProfiles) -> list[_Series]:
    out = []
    for q, arr in ref.curves.items():
        v = np.asarray(arr, float)
        out.append(_Series(q, np.asarray(ref.times), v, np.where(np.isnan(v), np.nan, 0.0), v, v, v, ref.unit,
                           "exact", 1.0))
    return out


def _series(obj, exact) -> tuple[list[_Series], dict]:
    """The quantities of ``obj`` and the dataset-level attributes."""
    if isinstance(obj, Profile):
        return [_from_profile(obj, obj.quantity, exact)], {}
    if isinstance(obj, ExactProfiles):
        if exact is not None:
            raise ValueError("exact: an ExactProfiles holds its own exact values; pass exact=None")
        return _from_exact(obj), {"time_unit": "steps"}
    if isinstance(obj, RunResult):
        if exact is not None:
            raise ValueError("exact: a RunResult holds its own exact references (RunResult.exact); pass exact=None")
        attrs = {"name": obj.name, "analysis": obj.analysis, "time_unit": obj.time_unit,
                 "complete": int(obj.complete)}
        return [_from_profile(p, q, obj.exact, f"[{q!r}]") for q, p in obj.profiles.items()], attrs
    if isinstance(obj, Mapping):
        items = list(obj.items())
    elif isinstance(obj, Sequence) and not isinstance(obj, (str, bytes)):
        items = [(getattr(p, "quantity", None), p) for p in obj]
    else:
        raise TypeError(f"obj: expected a Profile, a list or dict of Profiles, an ExactProfiles or a RunResult, "
                        f"got {type(obj).__name__}")
    if not items:
        raise ValueError(f"obj: no profiles to export (an empty {type(obj).__name__})")
    out, seen = [], set()
    for i, (q, p) in enumerate(items):
        if not isinstance(p, Profile):
            raise TypeError(f"obj[{q if isinstance(obj, Mapping) else i}]: expected a Profile, got {type(p).__name__}")
        if q in seen:
            raise ValueError(f"obj: two profiles of quantity {q!r}; pass a dict to name them apart")
        seen.add(q)
        out.append(_from_profile(p, str(q), exact))
    return out, {}


def to_dataframe(obj, *, exact=None):
    """Long-format pandas DataFrame: one row per quantity and time.

    Parameters
    ----------
    obj : Profile, list or dict of Profile, ExactProfiles or RunResult
        What to export (a dict's keys name the quantities).
    exact : array_like, ExactProfiles or dict, optional
        Exact references of profiles: an array (one value per time of a single profile), an
        :class:`~entropy.exact.ExactProfiles` (matched by quantity name and time) or a dict
        quantity -> either. Not for an ExactProfiles or a RunResult, which carry their own.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; ``df.attrs`` holds the result's name, analysis and
        ``time_unit`` for a RunResult. For a RunResult without per-time profiles (e.g. the
        reversibility test), its tables, one row per table row, with a ``table`` column.
    """
    pd = _require("pandas", "to_dataframe")
    if isinstance(obj, RunResult) and not obj.profiles:
        if not obj.tables:
            raise ValueError(f"obj: result {obj.name!r} (analysis {obj.analysis!r}) has neither profiles nor tables")
        frames = [pd.DataFrame(rows).assign(table=name) for name, rows in obj.tables.items()]
        df = pd.concat(frames, ignore_index=True)
        df.attrs.update({"name": obj.name, "analysis": obj.analysis, "unit": obj.unit})
        return df
    series, attrs = _series(obj, exact)
    frames = []
    for s in series:
        frames.append(pd.DataFrame({
            "time": s.times, "arm": _arm(s.times), "quantity": s.quantity, "value": s.value, "stderr": s.stderr,
            "ci_low": s.ci_low, "ci_high": s.ci_high, "exact": s.exact, "unit": s.unit, "method": s.method,
        }, columns=COLUMNS))
    df = pd.concat(frames, ignore_index=True)
    df["arm"] = pd.Categorical(df["arm"], categories=["backward", "t0", "forward"])
    df.attrs.update(attrs)
    return df


def to_xarray(obj, *, exact=None):
    """xarray Dataset on the coordinate ``time``, one variable per quantity, units in attributes.

    Parameters
    ----------
    obj, exact
        As in :func:`to_dataframe` (a RunResult must have per-time profiles).

    Returns
    -------
    xarray.Dataset
        Variables ``<q>`` (values; ``attrs``: ``units``, ``long_name``, ``method``,
        ``confidence``), ``<q>_stderr``, ``<q>_ci_low``, ``<q>_ci_high`` (same units) and
        ``<q>_exact`` (where any exact value is known). Quantities on different times are
        aligned on the union of times (NaN where a quantity has no value). Coordinates
        ``time`` (``attrs["units"]``: the time unit, relative to t0) and ``arm``.
    """
    xr = _require("xarray", "to_xarray")
    if isinstance(obj, RunResult) and not obj.profiles:
        raise ValueError(f"obj: result {obj.name!r} (analysis {obj.analysis!r}) has no per-time profiles; "
                         "its tables export with to_dataframe")
    series, attrs = _series(obj, exact)
    times = np.unique(np.concatenate([s.times for s in series]))
    data = {}
    for s in series:
        idx = np.searchsorted(times, s.times)

        def on_grid(a):
            out = np.full(times.size, np.nan)
            out[idx] = a
            return out

        base = {"units": s.unit, "method": s.method}
        data[s.quantity] = ("time", on_grid(s.value), {**base, "long_name": s.quantity.replace("_", " "),
                                                       "confidence": s.confidence})
        data[f"{s.quantity}_stderr"] = ("time", on_grid(s.stderr), {**base, "long_name": f"standard error of {s.quantity}"})
        lvl = f"{s.confidence:.0%}"
        data[f"{s.quantity}_ci_low"] = ("time", on_grid(s.ci_low), {**base, "long_name": f"{lvl} interval, lower end"})
        data[f"{s.quantity}_ci_high"] = ("time", on_grid(s.ci_high), {**base, "long_name": f"{lvl} interval, upper end"})
        if not np.all(np.isnan(s.exact)):
            data[f"{s.quantity}_exact"] = ("time", on_grid(s.exact), {"units": s.unit, "long_name": f"exact {s.quantity}"})
    time_unit = attrs.get("time_unit", "steps" if times.dtype.kind in "iu" else "time units of the model")
    ds = xr.Dataset(data, coords={"time": ("time", times, {"units": time_unit, "long_name": "time relative to t0"}),
                                  "arm": ("time", _arm(times))})
    ds.attrs.update(attrs)
    return ds
