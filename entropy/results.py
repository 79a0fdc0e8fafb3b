"""Running a scenario and keeping its results on disk, atomically.

A result directory holds

* ``arrays.npz`` -- per-time estimates (values, stderr, CI, samples) and exact references;
* ``metadata.json`` -- the full resolved scenario, versions, seed, wall time, machine, and
  whether the run completed;
* ``table.csv`` -- the per-time table for spreadsheet users;
* the figures (``janus.png``, ...).

Everything is first written into a hidden temporary directory next to the target, which is
then renamed into place: an interrupted run never leaves a half-written result.
"""

from __future__ import annotations

import csv
import io
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import __version__
from .estimators import _result
from .estimators.profiles import (
    entropy_profile,
    entropy_rate_profile,
    excess_entropy_profile,
    relative_entropy_profile,
)
from .scenario import Scenario
from .simulate import simulate

__all__ = ["RunResult", "run_scenario", "save_result", "load_result", "atomic_write_bytes"]

ARRAYS = "arrays.npz"
METADATA = "metadata.json"
TABLE = "table.csv"


@dataclass
class RunResult:
    """What a scenario run produced: per-time profiles, exact references, metadata."""

    name: str
    scenario: dict
    profiles: dict = field(default_factory=dict)  # quantity -> Profile
    exact: dict = field(default_factory=dict)  # quantity -> ndarray (same times)
    metadata: dict = field(default_factory=dict)

    @property
    def times(self) -> np.ndarray:
        return next(iter(self.profiles.values())).times

    @property
    def unit(self) -> str:
        return next(iter(self.profiles.values())).unit

    def __repr__(self):
        return f"RunResult({self.name!r}, quantities={list(self.profiles)}, unit={self.unit!r})"


def _versions() -> dict:
    import matplotlib
    import numba
    import scipy

    return {"entropy": __version__, "python": sys.version.split()[0], "numpy": np.__version__,
            "scipy": scipy.__version__, "numba": numba.__version__, "matplotlib": matplotlib.__version__}


def _machine() -> dict:
    import numba

    return {"node": platform.node(), "platform": platform.platform(), "processor": platform.machine(),
            "cpus": os.cpu_count(), "numba_threads": numba.get_num_threads()}


def run_scenario(sc: Scenario, *, progress=False) -> RunResult:
    """Simulate the scenario's ensemble and estimate every requested quantity at every time."""
    from . import exact
    from .processes.markov import MarkovChain

    t_start = time.time()
    raw = sc.raw
    ens_cfg, est = raw["ensemble"], raw["estimate"]
    process = sc.process
    data = simulate(
        process, sc.start, forward=raw["time"]["forward"], backward=raw["time"]["backward"],
        paths=ens_cfg["paths"], seed=ens_cfg["seed"], store=ens_cfg["store"],
        chunk_size=ens_cfg["chunk_size"], progress=progress,
    )
    kw = dict(method=est["method"], base=est["base"], confidence=est["confidence"])
    profiles = {}
    ref = None
    if isinstance(process, MarkovChain):
        ref = exact.profiles(process, sc.start, forward=raw["time"]["forward"],
                             backward=raw["time"]["backward"], base=est["base"])
    for q in est["quantities"]:
        if q == "entropy":
            profiles[q] = entropy_profile(data, **kw)
        elif q == "relative_entropy":
            if not isinstance(process, MarkovChain):
                continue
            m = est["method"] if est["method"] in ("plugin", "miller_madow") else "miller_madow"
            profiles[q] = relative_entropy_profile(data, process.stationary_distribution, method=m,
                                                   base=est["base"], confidence=est["confidence"])
        elif q in ("entropy_rate_forward", "entropy_rate_backward"):
            profiles[q] = entropy_rate_profile(data, direction=q.rsplit("_", 1)[1], **kw)
        elif q == "excess_entropy":
            profiles[q] = excess_entropy_profile(data, **kw)
    exact_arrays = {}
    if ref is not None:
        for q in profiles:
            exact_arrays[q] = np.asarray(getattr(ref, q), dtype=float)
    meta = {
        "name": sc.name,
        "source": sc.source,
        "scenario": raw,
        "seed": data.seed,
        "paths": int(ens_cfg["paths"]),
        "unit": next(iter(profiles.values())).unit if profiles else None,
        "method": est["method"],
        "process": repr(process),
        "stationary_entropy": None if ref is None else float(ref.stationary_entropy),
        "entropy_rate": None if ref is None else float(ref.entropy_rate),
        "wall_time_s": round(time.time() - t_start, 3),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "versions": _versions(),
        "machine": _machine(),
        "complete": True,
    }
    return RunResult(name=sc.name, scenario=raw, profiles=profiles, exact=exact_arrays, metadata=meta)


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


def _table_csv(res: RunResult) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    qs = list(res.profiles)
    header = ["t"]
    for q in qs:
        header += [f"{q}_{res.unit}", f"{q}_stderr", f"{q}_ci_low", f"{q}_ci_high"]
        if q in res.exact:
            header.append(f"{q}_exact")
    w.writerow(header)
    for i, t in enumerate(res.times):
        row = [t]
        for q in qs:
            p = res.profiles[q]
            row += [f"{p.values[i]:.10g}", f"{p.stderr[i]:.4g}", f"{p.ci_low[i]:.10g}", f"{p.ci_high[i]:.10g}"]
            if q in res.exact:
                row.append(f"{res.exact[q][i]:.10g}")
        w.writerow(row)
    return buf.getvalue()


def _npz_bytes(res: RunResult) -> bytes:
    arrays = {}
    for q, p in res.profiles.items():
        arrays.update(p.to_dict(prefix=f"{q}/"))
    for q, a in res.exact.items():
        arrays[f"{q}/exact"] = a
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def save_result(res: RunResult, directory, *, figures=("png",), make_figures=True) -> Path:
    """Write ``res`` into ``directory/<name>/`` atomically; return the result directory.

    Files are written into a hidden sibling directory which replaces the target by a rename
    only once everything (figures included) is complete.
    """
    parent = Path(directory)
    parent.mkdir(parents=True, exist_ok=True)
    final = parent / res.name
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{res.name}.", suffix=".tmp"))
    try:
        (tmp / ARRAYS).write_bytes(_npz_bytes(res))
        (tmp / METADATA).write_text(json.dumps(res.metadata, indent=2, default=_json_default) + "\n")
        (tmp / TABLE).write_text(_table_csv(res))
        if make_figures:
            from .plotting import save_figures

            save_figures(res, tmp, formats=figures)
        old = None
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


def _json_default(o):
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, np.generic):
        return o.item()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def load_result(path) -> RunResult:
    """Load a result directory written by :func:`save_result` (or ``entropy run``)."""
    p = Path(path)
    if not (p / METADATA).is_file() or not (p / ARRAYS).is_file():
        raise ValueError(f"path={str(path)!r}: not a result directory (expected {METADATA} and {ARRAYS})")
    meta = json.loads((p / METADATA).read_text())
    raw = meta.get("scenario", {})
    est = raw.get("estimate", {})
    profiles, exact_arrays = {}, {}
    with np.load(p / ARRAYS) as z:
        names = list(dict.fromkeys(k.split("/", 1)[0] for k in z.files))  # saved order
        for q in names:
            if f"{q}/times" in z.files:
                profiles[q] = _result.Profile(
                    quantity=q, times=z[f"{q}/times"], values=z[f"{q}/values"], stderr=z[f"{q}/stderr"],
                    ci_low=z[f"{q}/ci_low"], ci_high=z[f"{q}/ci_high"],
                    confidence=float(est.get("confidence", 0.95)), unit=meta.get("unit") or "bits",
                    method=meta.get("method", "plugin"),
                    samples=z[f"{q}/samples"] if f"{q}/samples" in z.files else None,
                )
            if f"{q}/exact" in z.files:
                exact_arrays[q] = z[f"{q}/exact"]
    return RunResult(name=meta.get("name", p.name), scenario=raw, profiles=profiles, exact=exact_arrays, metadata=meta)
