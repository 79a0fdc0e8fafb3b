"""Scenario files: TOML in, a validated configuration out. Data only, never code.

A scenario is read with the standard library's :mod:`tomllib` and checked against a
declarative schema before any work starts: unknown keys (with a "did you mean"
suggestion), wrong types, out-of-range values and missing required keys raise
:class:`ScenarioError`, whose message names the file, the key path and the value.

The schema is documented key by key in ``docs/scenarios.md``.
"""

from __future__ import annotations

import copy
import difflib
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

__all__ = ["ScenarioError", "Scenario", "load_scenario", "parse_scenario", "PROCESS_KINDS", "apply_override"]


class ScenarioError(ValueError):
    """A scenario file (or override) is invalid. The message names the file, key and value."""


# ------------------------------------------------------------------------------ schema
@dataclass(frozen=True)
class Key:
    """One scenario key: expected type, default, whether required, extra check, doc."""

    types: tuple
    default: Any = None
    required: bool = False
    check: Callable[[Any], str | None] | None = None  # returns an error text or None
    doc: str = ""


def _positive(v):
    return None if v > 0 else "expected a value > 0"


def _non_negative(v):
    return None if v >= 0 else "expected a value >= 0"


def _in_unit_interval(v):
    return None if 0 <= v <= 1 else "expected a probability in [0, 1]"


def _open_unit(v):
    return None if 0 < v < 1 else "expected a number in (0, 1)"


def _base_ok(v):
    return None if (math.isfinite(v) and v > 0 and v != 1) else "expected a number > 0 and != 1"


def _one_of(*choices):
    def check(v):
        return None if v in choices else f"expected one of {', '.join(map(repr, choices))}"

    return check


def _list_of(*choices):
    def check(v):
        for x in v:
            if x not in choices:
                hint = difflib.get_close_matches(str(x), choices, n=1)
                return f"unknown entry {x!r}; expected entries from {', '.join(map(repr, choices))}" + (
                    f" (did you mean {hint[0]!r}?)" if hint else "")
        return None

    return check


INT = (int,)
NUM = (int, float)
STR = (str,)
BOOL = (bool,)
LIST = (list,)

QUANTITIES = ("entropy", "relative_entropy", "entropy_rate_forward", "entropy_rate_backward", "excess_entropy")
METHODS = ("plugin", "miller_madow", "grassberger", "chao_shen", "jackknife", "nsb")

SECTIONS: dict[str, dict[str, Key]] = {
    "scenario": {
        "name": Key(STR, None, doc="name of the run (default: the file name without .toml)"),
        "description": Key(STR, "", doc="one line shown by `entropy list`"),
    },
    "start": {
        "state": Key(INT, None, check=_non_negative, doc="the t0 state (a point)"),
        "distribution": Key(LIST, None, doc="probability vector from which each path draws its t0 state"),
    },
    "time": {
        "forward": Key(INT, None, required=True, check=_non_negative, doc="steps after t0"),
        "backward": Key(INT, None, required=True, check=_non_negative, doc="steps before t0"),
    },
    "ensemble": {
        "paths": Key(INT, None, required=True, check=_positive, doc="number of paths"),
        "seed": Key(INT, None, required=True, check=lambda v: None if 0 <= v < 2**64 else "expected 0 <= seed < 2**64",
                    doc="seed: (seed, path index) fixes every path's random stream"),
        "chunk_size": Key(INT, None, check=_positive, doc="paths per chunk (memory and progress granularity)"),
        "store": Key(BOOL, False, doc="keep all paths (true) or stream per-time counts (false)"),
    },
    "estimate": {
        "quantities": Key(LIST, list(QUANTITIES), check=_list_of(*QUANTITIES), doc="per-time quantities to estimate"),
        "method": Key(STR, "plugin", check=_one_of(*METHODS), doc="entropy estimator"),
        "base": Key(NUM, 2, check=_base_ok, doc="logarithm base: 2 = bits"),
        "confidence": Key(NUM, 0.95, check=_open_unit, doc="level of the confidence bands"),
    },
    "output": {
        "directory": Key(STR, "results", doc="parent directory of the result directory"),
        "figures": Key(LIST, ["png"], check=_list_of("png", "pdf", "svg"), doc="figure formats"),
    },
}


# ------------------------------------------------------------------------------ process kinds
def _matrix_check(v):
    try:
        a = np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        return "expected a square matrix of numbers (a list of rows)"
    if a.ndim != 2:
        return "expected a square matrix of numbers (a list of rows)"
    return None


def _build_markov(p):
    from .processes.markov import MarkovChain

    return MarkovChain(np.asarray(p["P"], dtype=float))


def _build_cycle(p):
    """A ring of n states: step +1 w.p. p_forward, -1 w.p. p_backward, stay otherwise."""
    from .processes.markov import MarkovChain

    n, pf, pb = p["states"], p["p_forward"], p["p_backward"]
    stay = 1.0 - pf - pb
    if stay < -1e-12:
        raise ValueError(f"p_forward + p_backward = {pf + pb!r}: expected at most 1")
    P = np.zeros((n, n))
    i = np.arange(n)
    P[i, (i + 1) % n] += pf
    P[i, (i - 1) % n] += pb
    P[i, i] += max(stay, 0.0)
    return MarkovChain(P)


@dataclass(frozen=True)
class ProcessKind:
    """A process family as scenario files name it: its parameter schema and its builder."""

    keys: dict[str, Key]
    build: Callable[[dict], Any]
    doc: str


PROCESS_KINDS: dict[str, ProcessKind] = {
    "markov_chain": ProcessKind(
        {"P": Key(LIST, None, required=True, check=_matrix_check, doc="transition matrix, a list of rows")},
        _build_markov,
        "finite Markov chain given by its transition matrix",
    ),
    "cycle": ProcessKind(
        {
            "states": Key(INT, None, required=True, check=lambda v: None if v >= 3 else "expected at least 3 states"),
            "p_forward": Key(NUM, None, required=True, check=_in_unit_interval, doc="probability of a step +1"),
            "p_backward": Key(NUM, None, required=True, check=_in_unit_interval, doc="probability of a step -1"),
        },
        _build_cycle,
        "random walk on a ring; driven (non-reversible) when p_forward != p_backward",
    ),
}


# ------------------------------------------------------------------------------ validation
@dataclass
class Scenario:
    """A validated scenario: plain data (``raw``: the resolved TOML tables) plus its source."""

    raw: dict
    source: str = "<string>"
    name: str = "scenario"
    _process: Any = field(default=None, repr=False)

    def section(self, name: str) -> dict:
        return self.raw[name]

    @property
    def process(self):
        """The process object (built once)."""
        if self._process is None:
            kind = self.raw["process"]["kind"]
            params = {k: v for k, v in self.raw["process"].items() if k != "kind"}
            try:
                self._process = PROCESS_KINDS[kind].build(params)
            except ValueError as exc:
                raise ScenarioError(f"{self.source}: [process] {exc}") from None
        return self._process

    @property
    def start(self):
        s = self.raw["start"]
        return s["state"] if s.get("state") is not None else np.asarray(s["distribution"], dtype=float)


def _type_name(types):
    names = {int: "an integer", float: "a number", str: "a string", bool: "true or false", list: "an array"}
    return " or ".join(dict.fromkeys(names[t] for t in types))


def _check_value(src, path, key: Key, value):
    ok = isinstance(value, key.types) and not (isinstance(value, bool) and bool not in key.types)
    if not ok and float in key.types and isinstance(value, int) and not isinstance(value, bool):
        ok = True
    if not ok:
        raise ScenarioError(f"{src}: {path} = {value!r}: expected {_type_name(key.types)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ScenarioError(f"{src}: {path} = {value!r}: expected a finite number")
    if key.check is not None:
        msg = key.check(value)
        if msg:
            raise ScenarioError(f"{src}: {path} = {value!r}: {msg}")


def _check_table(src, section, table, keys: dict[str, Key]):
    if not isinstance(table, dict):
        raise ScenarioError(f"{src}: [{section}] must be a table, got {table!r}")
    for k in table:
        if k not in keys:
            hint = difflib.get_close_matches(k, list(keys), n=1)
            raise ScenarioError(
                f"{src}: unknown key {section}.{k}" + (f" (did you mean {section}.{hint[0]}?)" if hint else "")
                + f"; valid keys: {', '.join(keys)}"
            )
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


def _validate(doc: dict, src: str, default_name: str) -> Scenario:
    if not isinstance(doc, dict):
        raise ScenarioError(f"{src}: expected a TOML document")
    valid_sections = ["process", *SECTIONS]
    for s in doc:
        if s not in valid_sections:
            hint = difflib.get_close_matches(s, valid_sections, n=1)
            raise ScenarioError(f"{src}: unknown section [{s}]" + (f" (did you mean [{hint[0]}]?)" if hint else "")
                                + f"; valid sections: {', '.join(valid_sections)}")
    for s in ("process", "start", "time", "ensemble"):
        if s not in doc:
            raise ScenarioError(f"{src}: missing required section [{s}]")
    raw = {}
    proc = doc["process"]
    if not isinstance(proc, dict):
        raise ScenarioError(f"{src}: [process] must be a table, got {proc!r}")
    if "kind" not in proc:
        raise ScenarioError(f"{src}: missing required key process.kind (one of {', '.join(PROCESS_KINDS)})")
    kind = proc["kind"]
    if not isinstance(kind, str) or kind not in PROCESS_KINDS:
        hint = difflib.get_close_matches(str(kind), list(PROCESS_KINDS), n=1)
        raise ScenarioError(f"{src}: process.kind = {kind!r}: unknown process kind"
                            + (f" (did you mean {hint[0]!r}?)" if hint else "")
                            + f"; expected one of {', '.join(PROCESS_KINDS)}")
    pk = PROCESS_KINDS[kind]
    raw["process"] = {"kind": kind, **_check_table(src, "process", {k: v for k, v in proc.items() if k != "kind"}, pk.keys)}
    for s, keys in SECTIONS.items():
        raw[s] = _check_table(src, s, doc.get(s, {}), keys)
    st = raw["start"]
    if (st["state"] is None) == (st["distribution"] is None):
        raise ScenarioError(f"{src}: [start] needs exactly one of start.state or start.distribution")
    name = raw["scenario"]["name"] or default_name
    sc = Scenario(raw=raw, source=src, name=name)
    # build the process and check the start now: bad matrices and states fail before any work
    proc_obj = sc.process
    try:
        proc_obj._check_start(sc.start)
    except ValueError as exc:
        key = "start.state" if st["state"] is not None else "start.distribution"
        raise ScenarioError(f"{src}: {key}: {exc}") from None
    return sc


def parse_scenario(text: str, *, source: str = "<string>", name: str = "scenario") -> Scenario:
    """Validate a scenario given as TOML text."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML: {exc}") from None
    return _validate(doc, source, name)


def load_scenario(path, overrides: list[str] | None = None) -> Scenario:
    """Read and validate a scenario file; ``overrides`` are ``"key.path=value"`` strings (TOML values)."""
    p = Path(path)
    if not p.is_file():
        raise ScenarioError(f"{path}: no such scenario file")
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not a UTF-8 text file ({exc.reason})") from None
    for ov in overrides or []:
        apply_override(doc, ov, str(path))
    return _validate(doc, str(path), p.stem)


def apply_override(doc: dict, override: str, source: str = "--set") -> None:
    """Apply ``section.key=value`` (value in TOML syntax, bare words taken as strings) to ``doc``."""
    if "=" not in override:
        raise ScenarioError(f"{source}: --set {override!r}: expected key.path=value")
    path, _, value = override.partition("=")
    parts = [x.strip() for x in path.strip().split(".")]
    if len(parts) < 2 or not all(parts):
        raise ScenarioError(f"{source}: --set {override!r}: expected section.key=value")
    try:
        val = tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        val = value.strip()
    node = doc
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ScenarioError(f"{source}: --set {override!r}: {part} is not a table")
    node[parts[-1]] = val

