"""Running a scenario: a validated :class:`~entropy.scenario.Scenario` in, a :class:`~entropy.RunResult` out.

The analysis registry (:mod:`entropy.analyses`) says how each kind of analysis runs; this
module records what every run records (the resolved scenario, seed, versions, machine, wall
time) around it. Same scenario, same seed: the same arrays, bit for bit.
"""

from __future__ import annotations

import os
import platform
import sys
import time

import numpy as np

from . import __version__
from ._units import unit_name
from .analyses import ANALYSES
from .preflight import check_memory
from .results import FORMAT_VERSION, RunResult
from .scenario import Scenario

__all__ = ["run_scenario"]


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


def run_scenario(sc: Scenario, *, progress=False, stop=None) -> RunResult:
    """Run a validated scenario: simulate, estimate, attach exact references.

    Parameters
    ----------
    sc : Scenario
        From :func:`entropy.scenario.load_scenario` or :func:`~entropy.scenario.parse_scenario`.
    progress : bool
        Progress bars on stderr.
    stop : callable, optional
        Polled between chunks of paths; when it returns True the simulation stops and the
        paths finished so far are estimated (the result's ``metadata["complete"]`` is then
        False). The ``entropy`` command wires it to Ctrl-C (see :func:`interruptible`).

    Returns
    -------
    RunResult
    """
    if not isinstance(sc, Scenario):
        raise ValueError(f"sc: expected a Scenario (entropy.scenario.load_scenario), got {type(sc).__name__}")
    check_memory(sc)  # before any work
    t_start = time.time()
    raw = sc.raw
    res = RunResult(name=sc.name, scenario=raw)
    res.metadata.update({
        "format": FORMAT_VERSION,
        "name": sc.name,
        "source": sc.source,
        "analysis": sc.analysis,
        "family": sc.family,
        "process_kind": sc.kind,
        "process": repr(sc.process) if sc.kind else None,
        "seed": raw["ensemble"]["seed"],
        "paths_requested": raw["ensemble"].get("paths"),
        "unit": unit_name(raw["estimate"]["base"]),
        "method": raw["estimate"]["method"],
        "confidence": raw["estimate"]["confidence"],
        "references": {},
        "exact_labels": {},
        "notes": [],
        "complete": True,
    })
    ANALYSES[sc.analysis].run(sc, res, progress, stop)
    res.metadata["wall_time_s"] = round(time.time() - t_start, 3)
    res.metadata["created"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    res.metadata["versions"] = _versions()
    res.metadata["machine"] = _machine()
    return res
