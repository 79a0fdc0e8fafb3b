"""Results of scenario runs, and keeping them on disk, atomically.

:func:`entropy.runs.run_scenario` turns a validated :class:`~entropy.scenario.Scenario` into a
:class:`RunResult`; :func:`save_result` writes it into a result directory

* ``arrays.npz`` -- per-time estimates (values, stderr, CI, samples), exact references and
  the analysis' other arrays (snapshots, aligned windows, surrogate statistics, ...);
* ``metadata.json`` -- the full resolved scenario, package and dependency versions, seed,
  wall time, machine, and whether the run completed (``"complete": false`` after Ctrl-C);
* ``table.csv`` -- the per-time (or per-lag, per-history, per-preset) table;
* the figures (``janus.png``, ``collapse.png``, ... and ``.pdf`` if asked).

Everything is first written into a hidden temporary directory next to the target, which is
then renamed into place: an interrupted run never leaves a half-written result.
:func:`load_result` reads a directory back into the same :class:`RunResult`.

Same scenario, same seed: the same arrays, bit for bit (every path's random numbers depend
only on the seed and its index; chunking and thread count do not matter).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._units import unit_name
from .estimators._result import Profile

__all__ = ["RunResult", "save_result", "load_result", "atomic_write_bytes", "StopRequest",
           "interruptible"]

ARRAYS = "arrays.npz"
METADATA = "metadata.json"
TABLE = "table.csv"
FORMAT_VERSION = 2


@dataclass(eq=False)
class RunResult:
    """What a scenario run produced.

    Attributes
    ----------
    name : str
        The scenario's name (and of its result directory).
    scenario : dict
        The full resolved scenario (every key, defaults filled in).
    profiles : dict of str -> Profile
        Per-time estimates (``analysis.kind = "profiles"``), e.g. ``"entropy"``.
    exact : dict of str -> ndarray
        Exact (or model-predicted) values at the same times, where known; ``metadata
        ["exact_labels"]`` says what each is.
    arrays : dict of str -> ndarray
        Other arrays of the analysis (lattice gas snapshots, aligned windows, surrogates ...).
    tables : dict of str -> list of dict
        Small tables (entropy production per history, the barbed-arrow table ...).
    metadata : dict
        Seed, paths, units, versions, machine, wall time, ``complete`` ...
    """

    name: str
    scenario: dict
    profiles: dict = field(default_factory=dict)
    exact: dict = field(default_factory=dict)
    arrays: dict = field(default_factory=dict)
    tables: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)

    @property
    def analysis(self) -> str:
        return self.metadata.get("analysis", "profiles")

    @property
    def complete(self) -> bool:
        return bool(self.metadata.get("complete", True))

    @property
    def times(self) -> np.ndarray:
        """Times relative to t0 of the per-time profiles."""
        if not self.profiles:
            raise ValueError(f"{self.name}: analysis {self.analysis!r} has no per-time profiles (see .arrays, .tables)")
        return next(iter(self.profiles.values())).times

    @property
    def unit(self) -> str:
        return self.metadata.get("unit") or unit_name(self.scenario.get("estimate", {}).get("base", 2))

    @property
    def time_unit(self) -> str:
        return self.metadata.get("time_unit", "steps")

    def __repr__(self):
        what = list(self.profiles) or list(self.tables) or list(self.arrays)
        return (f"RunResult({self.name!r}, analysis={self.analysis!r}, {what}, unit={self.unit!r}"
                f"{'' if self.complete else ', incomplete'})")


# ------------------------------------------------------------------------------ interruption
class StopRequest:
    """A flag polled between chunks: set it to stop a run cleanly at the next chunk boundary."""

    def __init__(self):
        self.requested = False

    def __call__(self) -> bool:
        return self.requested


@contextlib.contextmanager
def interruptible(stop: StopRequest, message=None):
    """While active, the first Ctrl-C sets ``stop`` (the run finishes its chunk and keeps what it
    has); a second Ctrl-C raises KeyboardInterrupt at once. A no-op outside the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum, frame):
        if stop.requested:
            raise KeyboardInterrupt
        stop.requested = True
        if message:
            print(message, file=sys.stderr, flush=True)

    old = signal.signal(signal.SIGINT, handler)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, old)


# ------------------------------------------------------------------------------ disk
def atomic_write_bytes(path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory and a rename."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _fmt(x):
    if x is None:
        return ""
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.10g}"
    return str(x)


def table_rows(res: RunResult) -> tuple[list, list]:
    """The result's main table as ``(header, rows)``: per time for profiles, else the analysis' table."""
    if res.profiles:
        qs = list(res.profiles)
        header = [f"t_minus_t0_{res.time_unit.replace(' ', '_')}"]
        for q in qs:
            u = res.profiles[q].unit.replace(" ", "_")
            header += [f"{q}_{u}", f"{q}_stderr", f"{q}_ci_low", f"{q}_ci_high"]
            if q in res.exact:
                header.append(f"{q}_exact")
        rows = []
        for i, t in enumerate(res.times):
            row = [_fmt(t)]
            for q in qs:
                p = res.profiles[q]
                row += [_fmt(p.values[i]), f"{p.stderr[i]:.4g}", _fmt(p.ci_low[i]), _fmt(p.ci_high[i])]
                if q in res.exact:
                    row.append(_fmt(res.exact[q][i]))
            rows.append(row)
        return header, rows
    for name, table in res.tables.items():
        keys = list(dict.fromkeys(k for r in table for k in r))
        return keys, [[_fmt(r.get(k)) if not isinstance(r.get(k), dict) else json.dumps(r.get(k)) for k in keys]
                      for r in table]
    return [], []


def _table_csv(res: RunResult) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    header, rows = table_rows(res)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def _npz_bytes(res: RunResult) -> bytes:
    arrays = {}
    for q, p in res.profiles.items():
        arrays.update(p.to_dict(prefix=f"profile/{q}/"))
    for q, a in res.exact.items():
        arrays[f"exact/{q}"] = np.asarray(a)
    for k, a in res.arrays.items():
        arrays[f"array/{k}"] = np.asarray(a)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def _strict(o):
    """JSON-ready copy: arrays to lists, NaN and infinities to None (strict JSON has neither)."""
    if isinstance(o, dict):
        return {str(k): _strict(v) for k, v in o.items()}
    if isinstance(o, (list, tuple, np.ndarray)):
        return [_strict(v) for v in (o.tolist() if isinstance(o, np.ndarray) else o)]
    if isinstance(o, np.generic):
        o = o.item()
    if isinstance(o, float) and not math.isfinite(o):
        return None
    return o


def _metadata_json(res: RunResult) -> str:
    meta = dict(res.metadata)
    meta["scenario"] = res.scenario
    meta["tables"] = res.tables
    return json.dumps(_strict(meta), indent=2, allow_nan=False) + "\n"


@contextlib.contextmanager
def _signals_deferred():
    """Hold SIGINT and SIGTERM back for a few system calls (POSIX, main thread); a no-op elsewhere."""
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = mask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, old)


def save_result(res: RunResult, directory, *, figures=("png",), make_figures=True) -> Path:
    """Write ``res`` into ``directory/<name>/`` atomically; return the result directory.

    Files are written into a hidden sibling directory which replaces the target by a rename
    only once everything (figures included) is complete; an existing result of the same
    name is replaced only then. An incomplete (interrupted) result is saved the same way,
    with ``"complete": false`` in ``metadata.json``.
    """
    parent = Path(directory)
    parent.mkdir(parents=True, exist_ok=True)
    final = parent / res.name
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{res.name}.", suffix=".tmp"))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes 0700; a result directory is an ordinary one
        (tmp / ARRAYS).write_bytes(_npz_bytes(res))
        (tmp / METADATA).write_text(_metadata_json(res), encoding="utf-8")
        (tmp / TABLE).write_text(_table_csv(res), encoding="utf-8")
        if make_figures and figures:
            from .plotting import save_figures

            save_figures(res, tmp, formats=tuple(figures))
        for f in tmp.iterdir():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        old = None
        with _signals_deferred():  # never leave the old result moved away and the new one not in place
            if final.exists():
                old = parent / f".{res.name}.old-{os.getpid()}-{time.time_ns()}"
                os.replace(final, old)
            os.replace(tmp, final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def load_result(path) -> RunResult:
    """Load a result directory written by :func:`save_result` (or ``entropy run``).

    Returns the :class:`RunResult` that :func:`run_scenario` returned: the same profiles
    (values, errors, intervals, units, methods), exact references, arrays, tables and
    metadata.
    """
    p = Path(path)
    if not (p / METADATA).is_file() or not (p / ARRAYS).is_file():
        raise ValueError(f"path={str(path)!r}: not a result directory (expected {METADATA} and {ARRAYS})")
    try:
        meta = json.loads((p / METADATA).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"path={str(path)!r}: {METADATA} is not valid JSON ({exc})") from None
    if meta.get("format") != FORMAT_VERSION:
        raise ValueError(f"path={str(path)!r}: result format {meta.get('format')!r}, expected {FORMAT_VERSION} "
                         "(re-run the scenario)")
    raw = meta.pop("scenario", {})
    tables = meta.pop("tables", {})
    pinfo = meta.get("profiles", {})
    profiles, exact_arrays, arrays = {}, {}, {}
    with np.load(p / ARRAYS) as z:
        names = list(dict.fromkeys(k.split("/")[1] for k in z.files if k.startswith("profile/")))
        for q in names:
            g = lambda f: z[f"profile/{q}/{f}"]  # noqa: E731
            info = pinfo.get(q, {})
            profiles[q] = Profile(
                quantity=q, times=g("times"), values=g("values"), stderr=g("stderr"), ci_low=g("ci_low"),
                ci_high=g("ci_high"), confidence=float(info.get("confidence", meta.get("confidence", 0.95))),
                unit=info.get("unit", meta.get("unit", "bits")), method=info.get("method", meta.get("method", "plugin")),
                samples=g("samples") if f"profile/{q}/samples" in z.files else None, extra=info.get("extra", {}),
            )
        for k in z.files:
            if k.startswith("exact/"):
                exact_arrays[k[len("exact/"):]] = z[k]
            elif k.startswith("array/"):
                arrays[k[len("array/"):]] = z[k]
    return RunResult(name=meta.get("name", p.name), scenario=raw, profiles=profiles, exact=exact_arrays,
                     arrays=arrays, tables=tables, metadata=meta)


def __getattr__(name):
    # run_scenario lives in entropy.runs (which imports this module); kept importable from here
    if name == "run_scenario":
        from .runs import run_scenario

        return run_scenario
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
