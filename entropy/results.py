"""Results of scenario runs, and keeping them on disk, atomically.

:func:`entropy.runs.run_scenario` turns a validated :class:`~entropy.scenario.Scenario` into a
:class:`RunResult`; :func:`save_result` writes it into a result directory

* ``arrays.npz`` -- per-time estimates (values, stderr, CI, samples), exact references and
  the analysis' other arrays (snapshots, aligned windows, surrogate statistics, ...);
* ``metadata.json`` -- the full resolved scenario, package and dependency versions, seed,
  wall time, machine, and whether the run completed (``"complete": false`` after Ctrl-C);
* ``table.csv`` -- the per-time (or per-lag, per-history, per-preset) table;
* the figures (``janus.png``, ``collapse.png``, ... and ``.pdf`` if asked).

Everything is first written into a hidden temporary directory next to the target, with a
``manifest.json`` written last, and then takes the target's place atomically; only a result
of ours is ever replaced, and an incomplete result never replaces a complete one (the disk
format, its lock and its checks live in :mod:`entropy.store`).
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
import signal
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import store
from ._units import unit_name
from .estimators._result import Profile

__all__ = ["RunResult", "save_result", "load_result", "atomic_write_bytes", "StopRequest",
           "interruptible"]

ARRAYS = "arrays.npz"
METADATA = "metadata.json"
TABLE = "table.csv"
FORMAT_VERSION = 3  # of metadata.json (3: results carry a manifest, see entropy.store)


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


def _write_files(res: RunResult, directory: Path, figures) -> None:
    (directory / ARRAYS).write_bytes(_npz_bytes(res))
    (directory / METADATA).write_text(_metadata_json(res), encoding="utf-8")
    (directory / TABLE).write_text(_table_csv(res), encoding="utf-8")
    if figures:
        from .plotting import save_figures

        save_figures(res, directory, formats=tuple(figures))


def save_result(res: RunResult, directory, *, figures=("png",), make_figures=True,
                lock_timeout: float = store.LOCK_TIMEOUT) -> Path:
    """Write ``res`` into ``directory/<name>/`` atomically; return the result directory.

    The files are written into a hidden temporary directory next to the target, with a
    ``manifest.json`` (format, ``complete`` flag, every file's size and sha256) written last;
    the new directory then takes the target's place in one atomic exchange (see
    :mod:`entropy.store`). The target is replaced only when it is a result of ours: anything
    else there raises :class:`~entropy.store.TargetNotAResultError` before anything is
    written. An incomplete result (``metadata["complete"]`` False) never replaces a complete
    one: it goes to ``directory/<name>.partial/`` (the path returned says where).

    Raises
    ------
    TargetNotAResultError, OutputPlaceError, ResultBusyError
        From :func:`entropy.store.save` (all subclasses of :class:`entropy.store.StoreError`).
    """
    complete = res.metadata.get("complete", True)
    if not isinstance(complete, bool):
        raise ValueError(f"res.metadata['complete'] = {complete!r}: expected True or False")
    figs = tuple(figures) if (make_figures and figures) else ()
    return store.save(directory, res.name, lambda d: _write_files(res, d, figs), complete=complete,
                      lock_timeout=lock_timeout)


def _bad(path, fname, msg):
    return store.InvalidResultError(f"{Path(path) / fname}: {msg}")


FIGURE_SUFFIXES = (".png", ".pdf", ".svg", ".gif")


def load_result(path, *, require_figures: bool = True) -> RunResult:
    """Load a result directory written by :func:`save_result` (or ``entropy run``).

    Returns the :class:`RunResult` that :func:`run_scenario` returned: the same profiles
    (values, errors, intervals, units, methods), exact references, arrays, tables and
    metadata.

    Raises
    ------
    entropy.store.InvalidResultError
        (a ValueError) naming the file, for anything but a complete, manifest-consistent
        result: a missing or foreign ``manifest.json``, a file missing, changed or truncated,
        ``complete`` not a JSON boolean, arrays whose lengths disagree with ``times``.
        ``require_figures=False`` lets figures be missing (``entropy plot`` redraws them).
    """
    p = Path(path)
    lenient = None if require_figures else (lambda f: f.endswith(FIGURE_SUFFIXES))
    manifest, data = store.read(p, (ARRAYS, METADATA, TABLE), missing_ok=lenient)
    try:
        meta = json.loads(data[METADATA].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad(p, METADATA, f"not valid JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise _bad(p, METADATA, f"expected a JSON object, got {type(meta).__name__}")
    if meta.get("format") != FORMAT_VERSION:
        raise _bad(p, METADATA, f"result format {meta.get('format')!r}, expected {FORMAT_VERSION} (re-run the scenario)")
    if not isinstance(meta.get("complete"), bool):
        raise _bad(p, METADATA, f"'complete' = {meta.get('complete')!r}: expected true or false (a JSON boolean)")
    if meta["complete"] != manifest["complete"]:
        raise _bad(p, METADATA, f"'complete' = {str(meta['complete']).lower()}, but {store.MANIFEST} says "
                                f"{str(manifest['complete']).lower()}")
    raw = meta.pop("scenario", {})
    tables = meta.pop("tables", {})
    pinfo = meta.get("profiles", {})
    if not isinstance(raw, dict) or not isinstance(tables, dict) or not isinstance(pinfo, dict):
        raise _bad(p, METADATA, "'scenario', 'tables' and 'profiles' must be JSON objects")
    profiles, exact_arrays, arrays = {}, {}, {}
    try:
        with np.load(io.BytesIO(data[ARRAYS]), allow_pickle=False) as z:
            files = {k: z[k] for k in z.files}
    except Exception as exc:  # a corrupt archive raises zipfile / ValueError / OSError / EOFError ...
        raise _bad(p, ARRAYS, f"not a readable npz archive ({type(exc).__name__}: {exc})") from None
    names = list(dict.fromkeys(k.split("/")[1] for k in files if k.startswith("profile/") and k.count("/") >= 2))
    times = None
    for q in names:
        g = files.get
        info = pinfo.get(q, {}) if isinstance(pinfo.get(q), dict) else {}
        t = g(f"profile/{q}/times")
        if t is None or t.ndim != 1:
            raise _bad(p, ARRAYS, f"profile {q!r}: 'times' missing or not 1-D")
        for f in ("values", "stderr", "ci_low", "ci_high", "samples"):
            a = g(f"profile/{q}/{f}")
            if a is None and f == "samples":
                continue
            if a is None or a.shape[:1] != t.shape:
                raise _bad(p, ARRAYS, f"profile {q!r}: {f!r} has shape {None if a is None else a.shape} for "
                                      f"{t.size} times")
        if times is not None and not np.array_equal(times, t):
            raise _bad(p, ARRAYS, f"profile {q!r}: its times differ from those of the other profiles")
        times = t
        profiles[q] = Profile(
            quantity=q, times=t, values=g(f"profile/{q}/values"), stderr=g(f"profile/{q}/stderr"),
            ci_low=g(f"profile/{q}/ci_low"), ci_high=g(f"profile/{q}/ci_high"),
            confidence=float(info.get("confidence", meta.get("confidence", 0.95))),
            unit=info.get("unit", meta.get("unit", "bits")), method=info.get("method", meta.get("method", "plugin")),
            samples=g(f"profile/{q}/samples"), extra=info.get("extra", {}),
        )
    for k, a in files.items():
        if k.startswith("exact/"):
            if times is not None and a.shape[:1] != times.shape:
                raise _bad(p, ARRAYS, f"exact {k[6:]!r} has shape {a.shape} for {times.size} times")
            exact_arrays[k[len("exact/"):]] = a
        elif k.startswith("array/"):
            arrays[k[len("array/"):]] = a
    return RunResult(name=meta.get("name", p.name), scenario=raw, profiles=profiles, exact=exact_arrays,
                     arrays=arrays, tables=tables, metadata=meta)


def __getattr__(name):
    # run_scenario lives in entropy.runs (which imports this module); kept importable from here
    if name == "run_scenario":
        from .runs import run_scenario

        return run_scenario
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
