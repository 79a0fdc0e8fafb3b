"""Scenario files: TOML in, a validated configuration out. Data only, never code.

A scenario is read with the standard library's :mod:`tomllib` and checked against a
declarative schema before any work starts: unknown sections and keys (with a "did you mean"
suggestion), wrong types, out-of-range values, missing required keys and bad process
parameters (a non-stochastic matrix, an unknown preset, ...) raise :class:`ScenarioError`,
whose message names the file, the key path and the value. Nothing in a scenario is ever
evaluated as code: process families, potentials and presets are chosen by name from fixed
registries (:data:`PROCESS_KINDS`, :data:`ANALYSIS_KINDS`).

The schema is documented key by key in ``docs/scenarios.md``; :data:`SECTIONS`,
:data:`PROCESS_KINDS` and :data:`ANALYSIS_KINDS` are its single source of truth.
"""

from __future__ import annotations

import copy
import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

__all__ = [
    "ScenarioError", "Scenario", "load_scenario", "parse_scenario", "apply_override", "quick_document",
    "SECTIONS", "PROCESS_KINDS", "ANALYSIS_KINDS", "Key",
]

#: Largest sizes a scenario may ask for (they bound the memory of the process objects built
#: during validation; a simulation's own memory is checked before it starts).
MAX_STATES = 10_000_000
MAX_DENSE_STATES = 2000
#: Largest scenario file read, deepest nesting of arrays and tables, largest integer accepted.
MAX_FILE_BYTES = 16 * 2**20
MAX_DEPTH = 32
MAX_INT = 2**64
#: Longest run of a diffusion, dt * max(forward, backward), in its time units.
MAX_DURATION = 1e12
#: ``scenario.name``: one path component of safe characters.
NAME_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")


class ScenarioError(ValueError):
    """A scenario file (or override) is invalid. The message names the file, key and value."""


# ------------------------------------------------------------------------------ schema
@dataclass(frozen=True)
class Key:
    """One scenario key: expected types, default, whether required, extra check, unit, doc."""

    types: tuple
    default: Any = None
    required: bool = False
    check: Callable[[Any], str | None] | None = None  # returns an error text or None
    doc: str = ""
    unit: str = ""


def _positive(v):
    return None if v > 0 else "expected a value > 0"


def _non_negative(v):
    return None if v >= 0 else "expected a value >= 0"


def _at_most(limit):
    def check(v):
        return None if v <= limit else f"expected at most {limit:,}"

    return check


def _all(*checks):
    def check(v):
        for c in checks:
            msg = c(v)
            if msg:
                return msg
        return None

    return check


def _range(lo, hi):
    def check(v):
        return None if lo <= v <= hi else f"expected a value in [{lo:g}, {hi:g}]"

    return check


def _in_unit_interval(v):
    return None if 0 <= v <= 1 else "expected a probability in [0, 1]"


def _open_unit(v):
    return None if 0 < v < 1 else "expected a number in (0, 1)"


def _base_ok(v):
    return None if (v > 0 and v != 1) else "expected a number > 0 and != 1"


def _one_of(*choices):
    def check(v):
        if v in choices:
            return None
        hint = difflib.get_close_matches(str(v), [str(c) for c in choices], n=1)
        return f"expected one of {', '.join(map(repr, choices))}" + (f" (did you mean {hint[0]!r}?)" if hint else "")

    return check


def _list_of(*choices, allow_empty=False):
    def check(v):
        if not v and not allow_empty:
            return "expected at least one entry"
        for x in v:
            if x not in choices:
                hint = difflib.get_close_matches(str(x), [str(c) for c in choices], n=1)
                return f"unknown entry {x!r}; expected entries from {', '.join(map(repr, choices))}" + (
                    f" (did you mean {hint[0]!r}?)" if hint else "")
        return None

    return check


def _finite_numbers(v, what="a list of numbers"):
    """None if ``v`` is a (nested) list of finite int/float, else an error text."""
    def walk(x):
        if isinstance(x, list):
            return all(walk(y) for y in x)
        return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)

    return None if walk(v) else f"expected {what} (finite: no NaN, inf, strings or tables)"


def _vector(v):
    if isinstance(v, list) and (not v or any(isinstance(x, list) for x in v)):
        return "expected a non-empty flat list of numbers"
    return _finite_numbers(v)


def _square_matrix(v):
    if _finite_numbers(v):
        return "expected a square matrix of finite numbers (a list of rows; no NaN, inf or strings)"
    if not isinstance(v, list) or not v or not all(isinstance(r, list) and len(r) == len(v) for r in v):
        return "expected a square matrix of finite numbers (a list of rows of equal length)"
    if any(isinstance(x, list) for r in v for x in r):
        return "expected a square matrix of finite numbers (a list of rows)"
    return None


def _number_or_matrix(v):
    if isinstance(v, list):
        return _square_matrix(v)
    return _positive(v)


def _number_table(v):
    for k, x in v.items():
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            return f"entry {k!r} = {x!r}: expected a finite number"
    return None


INT = (int,)
NUM = (int, float)
STR = (str,)
BOOL = (bool,)
LIST = (list,)
TABLE = (dict,)

DISCRETE_METHODS = ("plugin", "miller_madow", "grassberger", "chao_shen", "jackknife", "nsb")
CONTINUOUS_METHODS = ("knn", "gaussian", "binned")
SEED_CHECK = _range(0, 2**64 - 1)

#: Sections whose keys do not depend on the process kind or the analysis kind.
SECTIONS: dict[str, dict[str, Key]] = {
    "scenario": {
        "name": Key(STR, None, doc="name of the run and of its result directory (default: the file name without "
                    ".toml); one path component of at most 100 characters A-Z a-z 0-9 _ . -, not starting with . or -"),
        "description": Key(STR, "", doc="one line shown by `entropy list`"),
    },
    "time": {
        "forward": Key(INT, None, check=_all(_non_negative, _at_most(10**8)), doc="steps after t0", unit="steps"),
        "backward": Key(INT, None, check=_all(_non_negative, _at_most(10**8)), doc="steps before t0", unit="steps"),
        "dt": Key(NUM, None, check=_positive, doc="time step of a diffusion (required for diffusions, "
                  "not allowed for discrete-time processes)", unit="time units"),
    },
    "ensemble": {
        "paths": Key(INT, None, check=_all(_positive, _at_most(10**10)), doc="number of paths (independent realisations)"),
        "seed": Key(INT, None, required=True, check=SEED_CHECK,
                    doc="seed: (seed, path index) fixes every path's random stream"),
        "chunk_size": Key(INT, None, check=_positive,
                          doc="paths per chunk (memory, progress and interruption granularity; default: about 32 MiB of states)"),
        "store": Key(BOOL, None, doc="keep all paths (true) or stream per-time counts (false); default: "
                     "streamed for discrete states with history = 1, stored otherwise"),
    },
    "estimate": {
        "quantities": Key(LIST, None, doc="per-time quantities (default: the family's list, see below)"),
        "history": Key(INT, 1, check=_all(_positive, _at_most(64)), doc="history length k of h+(t), h-(t) and E(t)",
                       unit="steps"),
        "method": Key(STR, None, doc="estimator: plugin, miller_madow, grassberger, chao_shen, jackknife, nsb "
                      "(discrete; default plugin) or knn, gaussian, binned (diffusions; default knn)"),
        "k": Key(INT, 4, check=_all(_positive, _at_most(1000)), doc="neighbours of the knn / KSG estimators"),
        "base": Key(NUM, 2, check=_base_ok, doc="logarithm base: 2 = bits, 2.718281828459045 = nats"),
        "confidence": Key(NUM, 0.95, check=_open_unit, doc="level of the confidence bands"),
    },
    "execution": {
        "backend": Key(STR, "local", check=_one_of("local", "dask"), doc="where the chunks run"),
        "address": Key(STR, None, doc='Dask scheduler address, e.g. "tcp://10.0.0.5:8786" (backend = "dask")'),
        "workers": Key(INT, None, check=_all(_positive, _at_most(4096)),
                       doc='start a local Dask cluster with this many workers (backend = "dask", no address)'),
    },
    "output": {
        "directory": Key(STR, "results", doc="parent directory of the result directory <directory>/<name>/; relative, "
                         "inside the current directory (no .., no symlink leading out); entropy run --out DIR names "
                         "any other place"),
        "figures": Key(LIST, ["png"], check=_list_of("png", "pdf", "svg", allow_empty=True), doc="figure formats (empty: no figures)"),
        "snapshots": Key(LIST, None, check=_vector, doc="lattice gas: times of the snapshot figure (default: 5 times "
                         "spread over both arms)", unit="steps"),
        "gif": Key(BOOL, True, doc="lattice gas: also write an animated GIF"),
        "gif_frames": Key(INT, 41, check=_all(_positive, _at_most(400)), doc="lattice gas: frames of the GIF"),
    },
}
# ``[quick]`` holds overrides for ``--quick`` runs (a mirror of the document, see quick_document)
_ALL_SECTIONS = ("scenario", "process", "start", "time", "ensemble", "estimate", "analysis", "execution", "output",
                 "quick")


# ------------------------------------------------------------------------------ process kinds
def _build_markov(p):
    from .processes.markov import MarkovChain

    return MarkovChain(np.asarray(p["P"], dtype=float))


def _build_cycle(p):
    """A ring of n states: step +1 w.p. p_forward, -1 w.p. p_backward, stay otherwise."""
    import scipy.sparse as sp

    from .processes.markov import MarkovChain

    n, pf, pb = p["states"], float(p["p_forward"]), float(p["p_backward"])
    stay = 1.0 - pf - pb
    if stay < -1e-12:
        raise ValueError(f"p_forward + p_backward = {pf + pb!r}: expected at most 1")
    i = np.arange(n)
    rows = np.concatenate([i, i, i])
    cols = np.concatenate([(i + 1) % n, (i - 1) % n, i])
    vals = np.concatenate([np.full(n, pf), np.full(n, pb), np.full(n, max(stay, 0.0))])
    P = sp.csr_matrix((vals, (rows, cols)), shape=(n, n))
    P.eliminate_zeros()
    return MarkovChain(P.toarray() if n <= MAX_DENSE_STATES else P)


def _build_ehrenfest(p):
    from .processes.ehrenfest import Ehrenfest

    return Ehrenfest(p["balls"], lazy=p["lazy"], micro=p["micro"])


def _build_kac(p):
    from .processes.kac import KacRing

    return KacRing(p["sites"], p["markers"], seed=p["marker_seed"], ensemble=p["ensemble"])


def _build_lattice(p):
    from .processes.lattice_gas import LatticeGas

    return LatticeGas(p["size"], p["particles"], exclusion=p["exclusion"], cells=p["cells"], moves=p["moves"])


def _build_hmm(p):
    from .processes.hmm import HiddenMarkovModel, preset

    if (p["preset"] is None) == (p["labelled"] is None):
        raise ValueError("expected exactly one of process.preset or process.labelled")
    if p["preset"] is not None:
        return preset(p["preset"], **p["params"])
    if p["params"]:
        raise ValueError("process.params is for presets; a labelled HMM takes no parameters")
    return HiddenMarkovModel(np.asarray(p["labelled"], dtype=float))


def _build_brownian(p):
    from .processes.diffusion import BrownianMotion

    return BrownianMotion(sigma=_num_or_array(p["sigma"]), dim=p["dim"])


def _build_ou(p):
    from .processes.diffusion import OrnsteinUhlenbeck

    if (p["theta"] is None) == (p["drift"] is None):
        raise ValueError("expected exactly one of process.theta (a number) or process.drift (a matrix)")
    theta = p["theta"] if p["theta"] is not None else np.asarray(p["drift"], dtype=float)
    ou = OrnsteinUhlenbeck(theta, sigma=_num_or_array(p["sigma"]), dim=p["dim"])
    ou.stationary_covariance  # raises ValueError (naming theta) when the drift is unstable
    return ou


def _build_langevin(p):
    from .processes.diffusion import Langevin

    return Langevin(p["potential"], temperature=p["temperature"], friction=p["friction"], scheme=p["scheme"],
                    dim=p["dim"], **p["params"])


def _num_or_array(v):
    return np.asarray(v, dtype=float) if isinstance(v, list) else v


def _markov_start(process, s):
    return _one_start(s, ("state", "distribution"))


def _one_start(s, names):
    given = [k for k in names if s.get(k) is not None]
    if len(given) != 1:
        raise ValueError(f"[start] needs exactly one of {', '.join('start.' + k for k in names)}")
    k = given[0]
    return k, (np.asarray(s[k], dtype=float) if isinstance(s[k], list) else s[k])


def _diffusion_start(process, s):
    point = s.get("state")
    if s.get("mean") is not None or s.get("cov") is not None:
        if point is not None:
            raise ValueError("[start] takes either start.state (a point) or start.mean and start.cov (a Gaussian)")
        if s.get("mean") is None or s.get("cov") is None:
            raise ValueError("a Gaussian start needs both start.mean and start.cov")
        return "mean", {"mean": _num_or_array(s["mean"]), "cov": _num_or_array(s["cov"])}
    if point is None:
        point = [0.0] * process.dim if process.dim > 1 else 0.0
    return "state", _num_or_array(point)


def _default_state(value):
    def start(process, s):
        v = s.get("state")
        return "state", (value if v is None else v)

    return start


def _hmm_start(process, s):
    if s.get("state") is None and s.get("distribution") is None:
        return "state", "stationary"
    return _one_start(s, ("state", "distribution"))


@dataclass(frozen=True)
class ProcessKind:
    """A process family as scenario files name it.

    Attributes
    ----------
    keys : dict of Key
        Parameters of ``[process]`` (besides ``kind``).
    build : callable
        Validated parameters -> process object (may raise ValueError naming a parameter).
    start_keys : dict of Key
        Keys of ``[start]``.
    start : callable
        ``(process, start table) -> (key name, start object for entropy.simulate)``.
    family : str
        ``"chain"``, ``"ehrenfest"``, ``"kac"``, ``"lattice"``, ``"hmm"`` or ``"diffusion"``.
    quantities : tuple of str
        Per-time quantities this family supports; ``default_quantities`` those estimated by default.
    doc : str
    """

    keys: dict[str, Key]
    build: Callable[[dict], Any]
    start_keys: dict[str, Key]
    start: Callable
    family: str
    quantities: tuple
    default_quantities: tuple
    doc: str

    @property
    def discrete(self) -> bool:
        return self.family not in ("diffusion", "lattice")


_CHAIN_Q = ("entropy", "relative_entropy", "entropy_rate_forward", "entropy_rate_backward", "excess_entropy")
_CHAIN_ALL = _CHAIN_Q + ("irreversibility",)
_SEQ_Q = ("entropy", "entropy_rate_forward", "entropy_rate_backward", "excess_entropy")
_STATE_KEYS = {
    "state": Key(INT, None, check=_non_negative, doc="the t0 state (every path starts there)"),
    "distribution": Key(LIST, None, check=_vector, doc="probability vector from which each path draws its t0 state"),
}
_DIM = Key(INT, None, check=_all(_positive, _at_most(64)), doc="dimension d (default 1, or inferred from a matrix)")

PROCESS_KINDS: dict[str, ProcessKind] = {
    "markov_chain": ProcessKind(
        {"P": Key(LIST, None, required=True, check=_square_matrix, doc="transition matrix, a list of rows summing to 1")},
        _build_markov, _STATE_KEYS, _markov_start, "chain", _CHAIN_ALL, _CHAIN_Q,
        "finite Markov chain given by its transition matrix",
    ),
    "cycle": ProcessKind(
        {
            "states": Key(INT, None, required=True, check=_range(3, 10**6), doc="number of states n on the ring"),
            "p_forward": Key(NUM, None, required=True, check=_in_unit_interval, doc="probability of a step +1"),
            "p_backward": Key(NUM, None, required=True, check=_in_unit_interval, doc="probability of a step -1"),
        },
        _build_cycle, _STATE_KEYS, _markov_start, "chain", _CHAIN_ALL, _CHAIN_Q,
        "random walk on a ring; driven (non-reversible) when p_forward != p_backward",
    ),
    "ehrenfest": ProcessKind(
        {
            "balls": Key(INT, None, required=True, check=_range(1, 10**6), doc="number of balls N"),
            "lazy": Key(BOOL, False, doc="stay put with probability 1/2 each step (aperiodic); the pure urn has period 2"),
            "micro": Key(BOOL, False, doc="simulate the microstate (which ball is where) instead of the macrostate chain"),
        },
        _build_ehrenfest,
        {"state": Key(INT, None, check=_non_negative, doc="balls in urn A at t0 (N: all in A, the low-entropy state)"),
         "distribution": _STATE_KEYS["distribution"]},
        _markov_start, "ehrenfest", _CHAIN_Q + ("boltzmann_entropy",),
        ("entropy", "relative_entropy", "boltzmann_entropy", "entropy_rate_forward", "excess_entropy"),
        "Ehrenfest urn, recording n = number of balls in urn A",
    ),
    "kac_ring": ProcessKind(
        {
            "sites": Key(INT, None, required=True, check=_range(2, MAX_STATES), doc="number of sites N"),
            "markers": Key(INT, None, required=True, check=_non_negative, doc="number m of marked edges (0..N)"),
            "ensemble": Key(STR, "markers", check=_one_of("markers", "fixed"),
                            doc='"markers": every path draws its own marker set (Bernoulli m/N per edge); '
                                '"fixed": one ring for all paths'),
            "marker_seed": Key(INT, 0, check=SEED_CHECK, doc='seed of the one marker set of ensemble = "fixed"'),
        },
        _build_kac,
        {"state": Key((str, int), None, doc='"black" (all balls black, the default) or a number of black balls '
                      "placed at random sites per path")},
        _default_state("black"), "kac", ("coarse_entropy",) + _SEQ_Q, ("coarse_entropy",),
        "Kac ring: balls move one site per step and flip colour on marked edges; records the number of black balls",
    ),
    "lattice_gas": ProcessKind(
        {
            "size": Key(INT, None, required=True, check=_range(1, 2048), doc="side L of the L x L grid (sites)"),
            "particles": Key(INT, None, required=True, check=_range(1, 10**7), doc="number of particles N"),
            "exclusion": Key(BOOL, False, doc="at most one particle per site"),
            "cells": Key(INT, 8, check=_positive, doc="coarse cells C along each side (a divisor of size)"),
            "moves": Key(INT, None, check=_positive, doc="attempted moves per step (default N: one sweep)"),
        },
        _build_lattice,
        {"state": Key(STR, None, check=_one_of("corner"), doc='"corner": all particles packed in one corner (default)')},
        _default_state("corner"), "lattice", ("coarse_entropy",), ("coarse_entropy",),
        "lattice gas expanding from a corner; coarse-grained entropy of C x C cell occupations",
    ),
    "hmm": ProcessKind(
        {
            "preset": Key(STR, None, doc="golden_mean, even, random_insertion (rip), biased_coin, period, "
                          "alternating_biased_coin, simple_nonunifilar_source (sns)"),
            "params": Key(TABLE, {}, check=_number_table, doc="parameters of the preset, e.g. {p = 0.5}"),
            "labelled": Key(LIST, None, check=lambda v: _finite_numbers(v, "labelled matrices of finite numbers"),
                            doc="labelled transition matrices T[x][i][j] instead of a preset"),
        },
        _build_hmm,
        {"state": Key((int, str), None, doc='hidden state at t0 (an index), or "stationary" (default)'),
         "distribution": Key(LIST, None, check=_vector, doc="law of the hidden state at t0")},
        _hmm_start, "hmm", _SEQ_Q, _SEQ_Q,
        "hidden Markov process (symbols recorded), from a preset or labelled matrices",
    ),
    "brownian_motion": ProcessKind(
        {"sigma": Key(NUM + LIST, 1.0, check=_number_or_matrix, doc="noise amplitude (number or d x d matrix)"),
         "dim": _DIM},
        _build_brownian,
        {"state": Key(NUM + LIST, None, check=lambda v: _vector(v) if isinstance(v, list) else None,
                      doc="the t0 point (default 0)", unit="length"),
         "mean": Key(NUM + LIST, None, doc="mean of a Gaussian start", unit="length"),
         "cov": Key(NUM + LIST, None, doc="covariance of a Gaussian start (number or d x d)", unit="length^2")},
        _diffusion_start, "diffusion", _SEQ_Q, ("entropy", "entropy_rate_forward", "entropy_rate_backward"),
        "Brownian motion dX = sigma dW",
    ),
}
PROCESS_KINDS["ornstein_uhlenbeck"] = ProcessKind(
    {"theta": Key(NUM, None, check=_positive, doc="relaxation rate (drift matrix theta * I)", unit="1/time"),
     "drift": Key(LIST, None, check=_square_matrix, doc="drift matrix A of dX = -A X dt + sigma dW (instead of theta); "
                  "non-symmetric A circulates", unit="1/time"),
     "sigma": Key(NUM + LIST, 1.0, check=_number_or_matrix, doc="noise amplitude (number or d x d matrix)"),
     "dim": _DIM},
    _build_ou, PROCESS_KINDS["brownian_motion"].start_keys, _diffusion_start, "diffusion", _SEQ_Q,
    ("entropy", "entropy_rate_forward", "entropy_rate_backward", "excess_entropy"),
    "Ornstein-Uhlenbeck process dX = -A X dt + sigma dW (exact AR(1) steps)",
)
PROCESS_KINDS["langevin"] = ProcessKind(
    {"potential": Key(STR, None, required=True, check=_one_of("harmonic", "double_well", "tilted_periodic"),
                      doc="built-in potential by name"),
     "params": Key(TABLE, {}, check=_number_table, doc="its parameters, e.g. {barrier = 2.0, width = 1.0}"),
     "temperature": Key(NUM, 1.0, check=_positive, doc="temperature T (k_B = 1)", unit="energy"),
     "friction": Key(NUM, 1.0, check=_positive, doc="friction gamma", unit="energy time / length^2"),
     "scheme": Key(STR, "heun", check=_one_of("heun", "euler_maruyama"), doc="integration scheme"),
     "dim": _DIM},
    _build_langevin, PROCESS_KINDS["brownian_motion"].start_keys, _diffusion_start, "diffusion", _SEQ_Q,
    ("entropy", "entropy_rate_forward", "entropy_rate_backward"),
    "overdamped Langevin dynamics in a built-in potential",
)


# ------------------------------------------------------------------------------ analysis kinds
def _presets_check(v):
    from .processes.hmm import PRESETS

    names = sorted(PRESETS) + ["rip", "sns"]
    if not v:
        return "expected at least one preset"
    for i, x in enumerate(v):
        if isinstance(x, str):
            x = {"name": x}
        if not isinstance(x, dict) or set(x) - {"name", "params"} or not isinstance(x.get("name"), str):
            return f"entry {i}: expected a preset name or a table {{name = ..., params = {{...}}}}"
        if x["name"] not in names:
            hint = difflib.get_close_matches(x["name"], names, n=1)
            return f"entry {i}: unknown preset {x['name']!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "") \
                + f"; expected one of {', '.join(names)}"
        params = x.get("params", {})
        if not isinstance(params, dict) or _number_table(params):
            return f"entry {i}: params must be a table of finite numbers"
    return None


@dataclass(frozen=True)
class AnalysisKind:
    """What a scenario computes: its keys, the process families it accepts, the sections it needs."""

    keys: dict[str, Key]
    families: tuple
    needs: tuple  # sections that must be present (besides [ensemble])
    unused: tuple  # sections that must be absent
    doc: str


ANALYSIS_KINDS: dict[str, AnalysisKind] = {
    "profiles": AnalysisKind(
        {}, ("chain", "ehrenfest", "kac", "lattice", "hmm", "diffusion"), ("process", "time"), (),
        "simulate a two-sided ensemble from t0 and estimate per-time quantities (the default)",
    ),
    "fluctuation_aligned": AnalysisKind(
        {
            "length": Key(INT, None, required=True, check=_range(3, 10**9), doc="length of the one stationary run",
                          unit="steps"),
            "threshold": Key(NUM, None, required=True, doc="dips are excursions of the entropy at or below this value",
                             unit="bits (units of estimate.base)"),
            "window": Key(INT, None, required=True, check=_range(1, 10**7), doc="half-width of the aligned windows",
                          unit="steps"),
            "separation": Key(INT, None, check=_positive, doc="minimum distance between dips (default window)",
                              unit="steps"),
            "ties": Key(STR, "random", check=_one_of("random", "first", "last"),
                        doc="which index of a flat minimum is the dip"),
        },
        ("ehrenfest", "kac"), ("process",), ("time", "start"),
        "one long stationary run; average the entropy around its dips (Boltzmann's V)",
    ),
    "reversibility_test": AnalysisKind(
        {
            "length": Key(INT, None, required=True, check=_range(10, 10**9), doc="length of each stationary series",
                          unit="steps"),
            "history": Key(INT, 3, check=_range(1, 16), doc="longest history k of the entropy production sigma_k"),
            "n_surrogates": Key(INT, 999, check=_range(1, 10**6), doc="surrogates of the reversibility test"),
            "n_blocks": Key(INT, 50, check=_range(2, 10**6), doc="blocks of the bootstrap and of the surrogates"),
            "compare_reversible": Key(BOOL, True, doc="also test the reversible chain (P + P~)/2 with the same "
                                      "stationary law (zero entropy production)"),
        },
        ("chain",), ("process",), ("time", "start"),
        "entropy production of a stationary series and a surrogate test of reversibility",
    ),
    "barbed_arrow": AnalysisKind(
        {
            "presets": Key(LIST, None, required=True, check=_presets_check,
                           doc='HMM presets: names or tables {name = "even", params = {p = 0.5}}'),
            "length": Key(INT, 200_000, check=_range(100, 10**9), doc="length of the simulated sequence of each "
                          "preset (for the estimated h and E)", unit="symbols"),
            "max_length": Key(INT, 10, check=_range(1, 32), doc="longest block L of the estimated curves",
                              unit="symbols"),
        },
        ("none",), (), ("process", "time", "start"),
        "table of exact h, E, C+, C-, crypticities and causal irreversibility of HMM presets, with estimates",
    ),
}
SECTIONS["analysis"] = {"kind": Key(STR, "profiles", check=_one_of(*ANALYSIS_KINDS), doc="what to compute")}


# ------------------------------------------------------------------------------ validation
@dataclass
class Scenario:
    """A validated scenario: plain data (``raw``: the resolved TOML tables) plus its source.

    ``raw`` holds every key with its default filled in; it is what ``metadata.json`` records
    and what reproduces the run. ``process`` and ``start`` are built from it.
    """

    raw: dict
    source: str = "<string>"
    name: str = "scenario"
    _process: Any = field(default=None, repr=False)
    _start: Any = field(default=None, repr=False)

    def section(self, name: str) -> dict:
        return self.raw[name]

    @property
    def analysis(self) -> str:
        return self.raw["analysis"]["kind"]

    @property
    def kind(self) -> str | None:
        """The process kind, or None when the analysis needs no process."""
        return self.raw.get("process", {}).get("kind")

    @property
    def family(self) -> str:
        return PROCESS_KINDS[self.kind].family if self.kind else "none"

    @property
    def process(self):
        """The process object (built once)."""
        if self._process is None and self.kind:
            params = {k: v for k, v in self.raw["process"].items() if k != "kind"}
            pk = PROCESS_KINDS[self.kind]
            names = set(pk.keys) | {k for k in params.get("params", {}) or {}}
            self._process = _guard(self.source, "process", lambda: pk.build(params), names)
        return self._process

    @property
    def start(self):
        """The t0 state in the form :func:`entropy.simulate` takes."""
        return self._start


def _guard(src, where, fn, keys=()):
    """Run ``fn``; a ValueError/TypeError from the package becomes a ScenarioError naming the key.

    Package messages start with the argument's name (``markers=7: expected ...``); when that
    name is a key of section ``where`` it is rewritten as the key path (``process.markers=7``).
    """
    try:
        return fn()
    except (ValueError, TypeError, OverflowError, np.linalg.LinAlgError) as exc:
        msg = str(exc)
        m = re.match(r"(\w+)\W", msg)
        if m and m.group(1) in keys and m.group(1) != where:
            msg = f"{where}.{msg}"
        elif not (m and m.group(1) == where):
            msg = f"[{where}] {msg}"
        raise ScenarioError(f"{src}: {msg}") from None


def _short(value, limit=120):
    s = repr(value)
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _type_name(types):
    names = {int: "an integer", float: "a number", str: "a string", bool: "true or false", list: "an array",
             dict: "a table"}
    if float in types:
        types = tuple(t for t in types if t is not int)  # "a number" covers integers
    return " or ".join(dict.fromkeys(names[t] for t in types))


def _check_value(src, path, key: Key, value):
    ok = isinstance(value, key.types) and not (isinstance(value, bool) and bool not in key.types)
    if not ok:
        raise ScenarioError(f"{src}: {path} = {_short(value)}: expected {_type_name(key.types)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ScenarioError(f"{src}: {path} = {value!r}: expected a finite number")
    if key.check is not None:
        msg = key.check(value)
        if msg:
            raise ScenarioError(f"{src}: {path} = {_short(value)}: {msg}")


def _unknown(src, what, name, valid):
    bare = {v.rsplit(".", 1)[-1].strip("[]"): v for v in valid}
    hint = difflib.get_close_matches(name.rsplit(".", 1)[-1].strip("[]"), list(bare), n=1)
    hint = [bare[h] for h in hint]
    raise ScenarioError(f"{src}: unknown {what} {name}" + (f" (did you mean {hint[0]}?)" if hint else "")
                        + f"; valid: {', '.join(valid) or '(none)'}")


def _check_table(src, section, table, keys: dict[str, Key]):
    if not isinstance(table, dict):
        raise ScenarioError(f"{src}: [{section}] must be a table, got {_short(table)}")
    for k in table:
        if k not in keys:
            _unknown(src, "key", f"{section}.{k}", [f"{section}.{x}" for x in keys])
    out = {}
    for k, key in keys.items():
        if k in table:
            _check_value(src, f"{section}.{k}", key, table[k])
            out[k] = table[k]
        elif key.required:
            raise ScenarioError(f"{src}: missing required key {section}.{k} ({key.doc or _type_name(key.types)})")
        else:
            out[k] = copy.deepcopy(key.default)
    return out


def _check_name(src, name, given):
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name) or name.endswith(".partial"):
        what = "scenario.name" if given else "the scenario's name (its file name; set scenario.name)"
        raise ScenarioError(f"{src}: {what} = {_short(name)}: expected one path component of at most 100 characters "
                            "A-Z a-z 0-9 _ . - (not starting with '.' or '-', not ending in '.partial')")


def _check_output_directory(src, d):
    """A relative output.directory from a file stays inside the folder it resolves against
    (the current directory): no absolute path, no '..', no symlink leading out. (--out on
    the command line is trusted and not checked here.)"""
    import os
    from pathlib import PurePath

    how = "; to write elsewhere, say so on the command line: entropy run --out DIR"
    if "\0" in d or not d.strip():
        raise ScenarioError(f"{src}: output.directory = {_short(d)}: expected a relative directory name")
    p = PurePath(d)
    if p.is_absolute() or d.startswith("~") or p.drive:
        raise ScenarioError(f"{src}: output.directory = {_short(d)}: an absolute path is not allowed in a scenario "
                            f"file (it is resolved against the current directory){how}")
    if ".." in p.parts:
        raise ScenarioError(f"{src}: output.directory = {_short(d)}: '..' is not allowed (the directory must stay "
                            f"inside the current directory){how}")
    try:
        base = Path(os.getcwd()).resolve()
        full = (base / p).resolve()
    except (OSError, RuntimeError) as exc:  # a vanished current directory, a symlink loop
        raise ScenarioError(f"{src}: output.directory = {_short(d)}: cannot be resolved ({exc}){how}") from None
    if full != base and base not in full.parents:
        raise ScenarioError(f"{src}: output.directory = {_short(d)}: leads out of the current directory through a "
                            f"symbolic link (to {full}){how}")


def _depth_check(src, doc):
    """Refuse nesting deeper than MAX_DEPTH and integers of MAX_INT or more (iteratively)."""
    stack = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ScenarioError(f"{src}: arrays or tables nested more than {MAX_DEPTH} deep")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
        elif isinstance(node, int) and not isinstance(node, bool) and abs(node) >= MAX_INT:
            raise ScenarioError(f"{src}: an integer with {len(str(abs(node)))} digits: expected integers below 2**64")


def _validate(doc: dict, src: str, default_name: str, out=None) -> Scenario:
    if not isinstance(doc, dict):
        raise ScenarioError(f"{src}: expected a TOML document")
    for s in doc:
        if s not in _ALL_SECTIONS:
            hint = difflib.get_close_matches(s, _ALL_SECTIONS, n=1)
            raise ScenarioError(f"{src}: unknown section [{s}]" + (f" (did you mean [{hint[0]}]?)" if hint else "")
                                + f"; valid sections: {', '.join(f'[{x}]' for x in _ALL_SECTIONS)}")
        if not isinstance(doc[s], dict):
            raise ScenarioError(f"{src}: [{s}] must be a table, got {s} = {_short(doc[s])}")
    raw: dict = {}
    raw["analysis"] = _check_table(src, "analysis", {"kind": doc.get("analysis", {}).get("kind", "profiles")},
                                   SECTIONS["analysis"])
    akind = ANALYSIS_KINDS[raw["analysis"]["kind"]]
    raw["analysis"] = {"kind": raw["analysis"]["kind"],
                       **_check_table(src, "analysis", {k: v for k, v in doc.get("analysis", {}).items() if k != "kind"},
                                      akind.keys)}
    for s in (*akind.needs, "ensemble"):
        if s not in doc:
            raise ScenarioError(f"{src}: missing required section [{s}]")
    for s in akind.unused:
        if s in doc:
            raise ScenarioError(f"{src}: [{s}] is not used by analysis.kind = {raw['analysis']['kind']!r}; remove it")

    pk = None
    if "process" in doc:
        proc = doc["process"]
        if "kind" not in proc:
            raise ScenarioError(f"{src}: missing required key process.kind (one of {', '.join(PROCESS_KINDS)})")
        kind = proc["kind"]
        if not isinstance(kind, str) or kind not in PROCESS_KINDS:
            hint = difflib.get_close_matches(str(kind), list(PROCESS_KINDS), n=1)
            raise ScenarioError(f"{src}: process.kind = {_short(kind)}: unknown process kind"
                                + (f" (did you mean {hint[0]!r}?)" if hint else "")
                                + f"; expected one of {', '.join(PROCESS_KINDS)}")
        pk = PROCESS_KINDS[kind]
        if pk.family not in akind.families:
            raise ScenarioError(f"{src}: process.kind = {kind!r} cannot be used with analysis.kind = "
                                f"{raw['analysis']['kind']!r} (it takes: "
                                f"{', '.join(k for k, v in PROCESS_KINDS.items() if v.family in akind.families)})")
        raw["process"] = {"kind": kind, **_check_table(src, "process", {k: v for k, v in proc.items() if k != "kind"},
                                                       pk.keys)}
    for s, keys in SECTIONS.items():
        if s == "analysis":
            continue
        if s == "time" and "time" in akind.unused:
            continue
        raw[s] = _check_table(src, s, doc.get(s, {}), keys)
    if pk is not None and "start" not in akind.unused:
        raw["start"] = _check_table(src, "start", doc.get("start", {}), pk.start_keys)
    if "quick" in doc:
        raw["quick"] = copy.deepcopy(doc["quick"])

    _cross_checks(src, raw, pk, raw["analysis"]["kind"])
    name = raw["scenario"]["name"] or default_name
    _check_name(src, name, given=raw["scenario"]["name"] is not None)
    if out is None:
        _check_output_directory(src, raw["output"]["directory"])
    else:
        raw["output"]["directory"] = str(out)
    sc = Scenario(raw=raw, source=src, name=name)
    if pk is not None:
        proc_obj = sc.process  # bad matrices, presets, potentials fail here, before any work
        if "start" in raw:
            key, start = _guard(src, "start", lambda: pk.start(proc_obj, raw["start"]))
            sc._start = _guard(src, "start", lambda: proc_obj._check_start(start), ("start",))
        if pk.family == "diffusion" and raw["analysis"]["kind"] == "profiles":
            _guard(src, "time", lambda: proc_obj._check_dt(raw["time"]["dt"]), ("dt",))
        _runnable(src, raw, pk, proc_obj)
    return sc


def _runnable(src, raw, pk, proc):
    """What a run needs of the process beyond its parameters: a unique stationary law where the
    exact references or the reversal use one, a reversal for a backward arm."""
    analysis = raw["analysis"]["kind"]
    if pk.family == "chain" or (analysis == "reversibility_test"):
        _guard(src, "process", lambda: proc.stationary_distribution, ("P",))
    if analysis == "reversibility_test" or (analysis == "profiles" and raw["time"]["backward"] > 0):
        _guard(src, "process", lambda: proc.reversed(), ("P",))


def _cross_checks(src, raw, pk, analysis):
    t, ens, est = raw.get("time"), raw["ensemble"], raw["estimate"]
    if analysis == "profiles":
        for k in ("forward", "backward"):
            if t[k] is None:
                raise ScenarioError(f"{src}: missing required key time.{k} (steps {'after' if k == 'forward' else 'before'} t0)")
        if ens["paths"] is None:
            raise ScenarioError(f"{src}: missing required key ensemble.paths (number of paths)")
        if t["forward"] + t["backward"] < 1:
            raise ScenarioError(f"{src}: time.forward + time.backward = 0: expected at least one step")
        if pk.family == "diffusion":
            if t["dt"] is None:
                raise ScenarioError(f"{src}: missing required key time.dt (the time step of the diffusion "
                                    f"{raw['process']['kind']!r})")
            if ens["store"] is False:
                raise ScenarioError(f"{src}: ensemble.store = false: diffusions have real-valued states, which cannot "
                                    "be streamed as counts; use store = true (or leave it unset)")
        elif t["dt"] is not None:
            raise ScenarioError(f"{src}: time.dt = {t['dt']!r}: {raw['process']['kind']!r} is a discrete-time process; "
                                "remove time.dt")
        if t["dt"] is not None and not t["dt"] * max(t["forward"], t["backward"], 1) <= MAX_DURATION:
            raise ScenarioError(f"{src}: time.dt = {t['dt']!r}: the run would last dt * max(forward, backward) = "
                                f"{float(t['dt']) * max(t['forward'], t['backward'], 1):.3g} time units; expected at "
                                f"most {MAX_DURATION:g}")
        if pk.family == "diffusion" and est["history"] != 1:
            raise ScenarioError(f"{src}: estimate.history = {est['history']}: the continuous estimators condition on "
                                "one step (h[X_t | X_t-dt]); use history = 1 for diffusions")
        snaps = raw["output"]["snapshots"]
        if snaps is not None:
            if pk.family != "lattice":
                raise ScenarioError(f"{src}: output.snapshots is used by the lattice gas only; remove it")
            bad = [x for x in snaps if not (isinstance(x, int) and -t["backward"] <= x <= t["forward"])]
            if bad:
                raise ScenarioError(f"{src}: output.snapshots = {_short(snaps)}: {bad[0]!r} is not an integer time in "
                                    f"[-time.backward, time.forward] = [{-t['backward']}, {t['forward']}]")
        if pk.family == "lattice" and ens["store"] is False:
            raise ScenarioError(f"{src}: ensemble.store = false: the lattice gas records a real-valued entropy per path; "
                                "use store = true (or leave it unset)")
        if est["history"] > 1 and ens["store"] is False:
            raise ScenarioError(f"{src}: estimate.history = {est['history']}: streamed counts hold pairs only; set "
                                "ensemble.store = true or history = 1")
        q = est["quantities"]
        if q is None:
            est["quantities"] = list(pk.default_quantities)
        else:
            _check_value(src, "estimate.quantities", Key(LIST, check=_list_of(*pk.quantities)), q)
            if len(set(q)) != len(q):
                raise ScenarioError(f"{src}: estimate.quantities = {q!r}: repeated entry")
        methods = CONTINUOUS_METHODS if pk.family == "diffusion" else DISCRETE_METHODS
        if est["method"] is None:
            est["method"] = methods[0]
        else:
            msg = _one_of(*methods)(est["method"])
            if msg:
                raise ScenarioError(f"{src}: estimate.method = {est['method']!r}: {msg} for a "
                                    f"{'diffusion' if pk.family == 'diffusion' else 'discrete process'}")
        if ens["store"] is None:
            ens["store"] = not (pk.discrete and est["history"] == 1)
    else:
        if analysis == "fluctuation_aligned" and pk.family == "kac" and raw["process"]["ensemble"] != "fixed":
            raise ScenarioError(f"{src}: process.ensemble = {raw['process']['ensemble']!r}: a stationary run is one "
                                "ring; use ensemble = \"fixed\" with analysis.kind = 'fluctuation_aligned'")
        if analysis in ("fluctuation_aligned", "barbed_arrow") and ens["paths"] is not None:
            raise ScenarioError(f"{src}: ensemble.paths = {ens['paths']!r} is not used by analysis.kind = "
                                f"{analysis!r} (one long run of analysis.length steps); remove it")
        if analysis == "fluctuation_aligned" and 2 * raw["analysis"]["window"] + 1 > raw["analysis"]["length"]:
            raise ScenarioError(f"{src}: analysis.window = {raw['analysis']['window']}: one aligned window has "
                                f"2 * window + 1 = {2 * raw['analysis']['window'] + 1} steps, more than analysis.length "
                                f"= {raw['analysis']['length']}")
        if analysis == "reversibility_test" and ens["paths"] is None:
            ens["paths"] = 1
        if analysis == "reversibility_test" and raw["analysis"]["history"] + 1 >= raw["analysis"]["length"]:
            raise ScenarioError(f"{src}: analysis.history = {raw['analysis']['history']}: expected history + 1 < "
                                f"analysis.length = {raw['analysis']['length']}")
        if analysis == "reversibility_test" and ens["paths"] == 1:
            # the block bootstrap cuts one series into at least 2 blocks of 8 (k + 1) words of k + 1 symbols
            k, n = raw["analysis"]["history"], raw["analysis"]["length"]
            if n - k < 16 * (k + 1):
                raise ScenarioError(f"{src}: analysis.length = {n}: too short for analysis.history = {k} (the "
                                    f"bootstrap needs 2 blocks of {8 * (k + 1)} words: length >= {17 * k + 16}); "
                                    "use a longer series, a shorter history or more ensemble.paths")
        if est["quantities"] is not None:
            raise ScenarioError(f"{src}: estimate.quantities is not used by analysis.kind = {analysis!r}; remove it")
        est["method"] = est["method"] or "plugin"
    ex = raw["execution"]
    if ex["backend"] == "local" and (ex["address"] is not None or ex["workers"] is not None):
        raise ScenarioError(f"{src}: execution.address / execution.workers need execution.backend = \"dask\"")
    if ex["backend"] == "dask" and (ex["address"] is None) == (ex["workers"] is None):
        raise ScenarioError(f"{src}: execution.backend = \"dask\" needs exactly one of execution.address "
                            "(a running scheduler) or execution.workers (a local cluster)")
    if ex["backend"] == "dask":
        _check_dask(src, ex["address"])


def _check_dask(src, address):
    """What a Dask run needs before it connects: dask.distributed, and an address it can parse."""
    try:
        from distributed.comm import get_address_host_port
    except ImportError:
        raise ScenarioError(f'{src}: execution.backend = "dask" needs dask.distributed, which is not installed '
                            "(pip install 'janus-entropy[dask]')") from None
    if address is not None:
        try:
            get_address_host_port(address)
        except ValueError as exc:
            raise ScenarioError(f"{src}: execution.address = {_short(address)}: not a Dask scheduler address "
                                f"({exc}); expected e.g. 'tcp://host:8786'") from None


def _toml(text, src, what="not valid TOML"):
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{src}: {what}: {exc}") from None
    except RecursionError:
        raise ScenarioError(f"{src}: {what}: arrays or tables nested too deep (at most {MAX_DEPTH})") from None
    except ValueError as exc:  # e.g. an integer beyond Python's 4300-digit conversion limit
        msg = str(exc).splitlines()[0][:200]
        if "digits" in msg:
            msg = "an integer with more than 4300 digits (expected integers below 2**64)"
        raise ScenarioError(f"{src}: {what}: {msg}") from None
    _depth_check(src, doc)
    return doc


def parse_scenario(text: str, *, source: str = "<string>", name: str = "scenario", overrides=None,
                   quick: bool = False, out=None) -> Scenario:
    """Validate a scenario given as TOML text (see :func:`load_scenario` for the options)."""
    if not isinstance(text, str):
        raise ScenarioError(f"{source}: expected TOML text, got {type(text).__name__}")
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioError(f"{source}: {len(text):,} characters: a scenario file has at most {MAX_FILE_BYTES:,}")
    doc = _toml(text.removeprefix("\ufeff"), source)
    return _resolve(doc, source, name, overrides, quick, out)


def load_scenario(path, overrides: list[str] | None = None, *, quick: bool = False, out=None) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        A ``.toml`` file.
    overrides : list of str, optional
        ``"section.key=value"`` strings (TOML values; a bare word is a string), applied in order
        after the file is read and before validation (after the ``[quick]`` reductions).
    quick : bool
        Apply :func:`quick_document`: a reduced-size run (fewer paths and steps) for tests and
        previews.
    out : str or Path, optional
        A trusted output directory (``entropy run --out``) replacing ``output.directory``. A
        file's own ``output.directory`` must be relative and stay inside the current
        directory (no ``..``, no symlink leading out).

    Raises
    ------
    ScenarioError
        Naming the file, the key path and the value.
    """
    p = Path(path)
    if not p.is_file():
        raise ScenarioError(f"{path}: no such scenario file")
    try:
        with open(p, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ScenarioError(f"{path}: larger than {MAX_FILE_BYTES:,} bytes: not a scenario file")
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not a UTF-8 text file ({exc.reason})") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read ({exc.strerror})") from None
    return parse_scenario(text, source=str(path), name=p.stem, overrides=overrides, quick=quick, out=out)


def _resolve(doc, src, name, overrides, quick, out=None):
    if quick:
        doc = quick_document(doc, src)
    for ov in overrides or []:
        apply_override(doc, ov, src)
    return _validate(doc, src, name, out)


#: Reductions of ``--quick`` runs: (section, key, largest value).
QUICK_LIMITS = (("ensemble", "paths", 4000), ("time", "forward", 100), ("time", "backward", 100),
                ("analysis", "length", 100_000), ("analysis", "n_surrogates", 199))


def quick_document(doc: dict, source: str = "<string>") -> dict:
    """A reduced-size copy of a scenario document for quick runs.

    Caps the sizes in :data:`QUICK_LIMITS`, then applies the document's own ``[quick]``
    table, a mirror of the document (``[quick.ensemble] paths = 500`` sets
    ``ensemble.paths``), so a scenario can say what its quick form is.
    """
    doc = copy.deepcopy(doc)
    for sec, key, cap in QUICK_LIMITS:
        node = doc.get(sec)
        if isinstance(node, dict) and isinstance(node.get(key), int) and not isinstance(node.get(key), bool):
            node[key] = min(node[key], cap)
    q = doc.get("quick", {})
    if not isinstance(q, dict):
        raise ScenarioError(f"{source}: [quick] must be a table, got quick = {_short(q)}")
    for sec, table in q.items():
        if sec not in _ALL_SECTIONS or sec == "quick":
            _unknown(source, "section", f"[quick.{sec}]", [f"[quick.{x}]" for x in _ALL_SECTIONS if x != "quick"])
        if not isinstance(table, dict):
            raise ScenarioError(f"{source}: quick.{sec} must be a table, got {_short(table)}")
        node = doc.setdefault(sec, {})
        if not isinstance(node, dict):
            raise ScenarioError(f"{source}: [{sec}] must be a table")
        node.update(copy.deepcopy(table))
    t, out = doc.get("time"), doc.get("output")
    own = isinstance(q.get("output"), dict) and "snapshots" in q["output"]
    if isinstance(t, dict) and isinstance(out, dict) and isinstance(out.get("snapshots"), list) and not own:
        lo, hi = t.get("backward"), t.get("forward")
        if isinstance(lo, int) and isinstance(hi, int):  # keep the file's snapshot times inside the shorter run
            out["snapshots"] = [x for x in out["snapshots"] if not isinstance(x, int) or -lo <= x <= hi] or [0]
    return doc


def apply_override(doc: dict, override: str, source: str = "--set") -> None:
    """Apply ``section.key=value`` (value in TOML syntax, bare words taken as strings) to ``doc``."""
    if not isinstance(override, str) or "=" not in override:
        raise ScenarioError(f"{source}: --set {override!r}: expected key.path=value")
    path, _, value = override.partition("=")
    parts = [x.strip() for x in path.strip().split(".")]
    if len(parts) > MAX_DEPTH:
        raise ScenarioError(f"{source}: --set {override[:80]!r}...: key path deeper than {MAX_DEPTH}")
    if len(parts) < 2 or not all(parts):
        raise ScenarioError(f"{source}: --set {override!r}: expected section.key=value")
    if len(value) > MAX_FILE_BYTES:
        raise ScenarioError(f"{source}: --set {path.strip()}=...: value longer than {MAX_FILE_BYTES:,} characters")
    try:
        val = tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        val = value.strip()
    except (RecursionError, ValueError):
        val = _toml(f"v = {value.strip()}", f"{source}: --set {path.strip()}", "not a valid TOML value")["v"]
    _depth_check(f"{source}: --set {path.strip()}", {"v": val})
    node = doc
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ScenarioError(f"{source}: --set {override!r}: {part} is not a table")
    node[parts[-1]] = val
