"""Every check a scenario run makes before it simulates: output place and memory.

``entropy validate`` and ``entropy run`` both call :func:`preflight`, so a file that
validates runs. The memory estimate covers the simulation and the estimation's peak; each
analysis says what it needs (:attr:`entropy.analyses.Analysis.memory`), from the family and
quantity registries.
"""

from __future__ import annotations

from pathlib import Path

from . import store
from .analyses import ANALYSES
from .schema import ScenarioError
from .simulation import InsufficientMemoryError

__all__ = ["preflight", "check_memory", "memory_estimate"]


def memory_estimate(sc) -> dict:
    """Peak memory of a scenario run, simulation and estimation together (bytes).

    Returns ``{"need", "per_path", "fixed", "what", "streamed"}``: ``need = fixed + paths *
    per_path``; ``streamed`` is the need of the same run with ``ensemble.store = false`` where
    streamed counts can serve every requested quantity (else None). The terms come from the
    analysis (:attr:`~entropy.analyses.Analysis.memory`): stored states, the estimators' word
    codes and per-time tables, per-path real values and their temporaries, kNN trees, or the
    series of a one-run analysis.
    """
    out = {"per_path": 0, "fixed": 0, "streamed": None, "what": ""}
    out.update(ANALYSES[sc.analysis].memory(sc))
    paths = sc.raw["ensemble"]["paths"] or 1
    out["need"] = out["fixed"] + paths * out["per_path"]
    return out


def check_memory(sc, *, available=None) -> dict:
    """Refuse (before any work) a scenario run that would not fit in memory.

    Raises :class:`~entropy.InsufficientMemoryError` naming the file, the sizes needed and
    available, and only advice that works for this scenario (``store = false`` only where
    streamed counts serve every requested quantity and fit; the largest number of paths that
    fits; what to shorten).
    """
    from .simulation import _fmt_bytes, available_memory

    m = memory_estimate(sc)
    avail = available_memory() if available is None else available
    if m["need"] <= avail:
        return m
    tips = []
    if m["streamed"] is not None and m["streamed"] <= avail:
        tips.append(f"set ensemble.store = false (streamed per-time counts need about {_fmt_bytes(m['streamed'])})")
    if m.get("stored") is not None and m["stored"] <= avail:  # streamed word tables larger than the paths
        tips.append(f"set ensemble.store = true (the stored paths need about {_fmt_bytes(m['stored'])})")
    if m["per_path"] > 0 and avail > m["fixed"]:
        fit = int((avail - m["fixed"]) // m["per_path"])
        if fit >= 1:
            tips.append(f"reduce ensemble.paths to at most {fit:,}")
    tips.append(ANALYSES[sc.analysis].shrink)
    raise InsufficientMemoryError(
        f"{sc.source}: this run needs about {_fmt_bytes(m['need'])} ({m['what']}), but only {_fmt_bytes(avail)} "
        f"is available; " + ", or ".join(tips))


def preflight(sc, directory=None, *, available=None) -> Path:
    """Every check a run makes before simulating: the output place and the memory.

    ``entropy validate`` and ``entropy run`` both call it, so a file that validates runs. The
    output place (``directory``, default ``output.directory``) must be, or be creatable as, a
    writable directory, and ``<directory>/<name>`` must be absent or a result of ours (see
    :func:`entropy.store.check_place`). Returns the result directory a complete run writes.

    Raises
    ------
    ScenarioError
        For the output place, naming the file and the path.
    InsufficientMemoryError
        See :func:`check_memory`.
    """
    d = sc.raw["output"]["directory"] if directory is None else directory
    try:
        target = store.check_place(d, sc.name)
        store.check_place(d, sc.name, complete=False)  # where a Ctrl-C's partial result would go
    except store.StoreError as exc:
        raise ScenarioError(f"{sc.source}: {exc}") from None
    check_memory(sc, available=available)
    return target
