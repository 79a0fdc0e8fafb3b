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
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


__all__ = [
    "ScenarioError", "Scenario", "load_scenario", "parse_scenario", "apply_override", "quick_document",
    "SECTIONS", "PROCESS_KINDS", "ANALYSIS_KINDS", "Key",
]

from .analyses import ANALYSES, ANALYSIS_KINDS, stream_refusal, stream_refusal_message
from .families import CONTINUOUS_METHODS, DISCRETE_METHODS, PROCESS_KINDS  # noqa: F401
from .schema import (  # noqa: F401  (Key and the checks are part of this module's public face)
    BOOL,
    INT,
    LIST,
    MAX_DENSE_STATES,
    MAX_STATES,
    NUM,
    SEED_CHECK,
    STR,
    TABLE,
    Key,
    ScenarioError,
    _all,
    _at_most,
    _base_ok,
    _check_table,
    _check_value,
    _finite_numbers,
    _guard,
    _list_of,
    _non_negative,
    _number_table,
    _one_of,
    _open_unit,
    _positive,
    _range,
    _short,
    _unknown,
    _vector,
)

#: Largest scenario file read, deepest nesting of arrays and tables, largest integer accepted.
MAX_FILE_BYTES = 16 * 2**20
MAX_DEPTH = 32
MAX_INT = 2**64
#: ``scenario.name``: one path component of safe characters.
NAME_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")


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
                     "streamed for discrete states with history = 1 (or when word_length is set), stored otherwise; "
                     "a diffusion streams per-time means and covariances (the Gaussian entropy only)"),
        "word_length": Key(INT, None, check=_range(2, 64), doc="streamed runs (store = false): count words of this "
                           "many consecutive states at every time; default (and least): what the requested "
                           "quantities need, max(history + 1 for h+/h-, 2 * history for E, 2); the tables hold "
                           "n_states ** word_length counts per time", unit="states"),
    },
    "estimate": {
        "quantities": Key(LIST, None, doc="per-time quantities (default: the family's list, see below)"),
        "history": Key(INT, 1, check=_all(_positive, _at_most(64)), doc="history length k of h+(t), h-(t) and E(t)",
                       unit="steps"),
        "method": Key(STR, None, doc="estimator: miller_madow, plugin, grassberger, chao_shen, jackknife, nsb "
                      "(discrete; default miller_madow, whose 95 % intervals cover from 30 paths on) or knn, "
                      "gaussian, binned (diffusions; default knn)"),
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
SECTIONS["analysis"] = {"kind": Key(STR, "profiles", check=_one_of(*ANALYSES), doc="what to compute")}
_ALL_SECTIONS = ("scenario", "process", "start", "time", "ensemble", "estimate", "analysis", "execution", "output",
                 "quick")


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
    def spec(self):
        """The :class:`~entropy.families.Family` registry entry of the process kind (None without a process)."""
        return PROCESS_KINDS[self.kind] if self.kind else None

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
        if akind.families is not None and pk.family not in akind.families:
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
            try:
                sc._start = proc_obj._check_start(start)
            except (ValueError, TypeError, OverflowError, np.linalg.LinAlgError) as exc:
                raise ScenarioError(f"{src}: {_start_message(str(exc), key, raw['start'])}") from None
        if pk.needs_dt and raw["analysis"]["kind"] == "profiles":
            _guard(src, "time", lambda: proc_obj._check_dt(raw["time"]["dt"]), ("dt",))
        _runnable(src, raw, pk, proc_obj)
    return sc


def _start_message(msg: str, key: str, start: dict) -> str:
    """A process's message about its ``start`` argument in the words of the scenario file: the
    key path and the value as written (``start.state = [1.0, 2.0]``), never an internal repr
    (``start=array([1., 2.])``)."""
    m = re.match(r"start(\[[^\]]*\])?(=.*?)?(: (?:expected|entries|got).*|: .*)$", msg, re.S)
    if m is None:
        return f"[start] {msg}"
    index, _, rest = m.groups()
    gaussian = key == "mean"
    sub = index.strip("[]'\"") if index else None
    if sub in ("mean", "cov"):
        where = f"start.{sub} = {_short(start.get(sub))}"
    elif sub is not None:  # an entry of a vector: the message names its value
        where = f"start.{key}[{sub}]" + (m.group(2).replace("=", " = ", 1) if m.group(2) else "")
    elif m.group(2) is None:
        where = "start.mean and start.cov" if gaussian else f"start.{key}"
    else:
        where = ("start.mean and start.cov" if gaussian
                 else f"start.{key} = {_short(start[key]) if start.get(key) is not None else 'the default'}")
    rest = re.sub(r"a Gaussian \{'mean': \.\.\., 'cov': \.\.\.\}", "a Gaussian (start.mean and start.cov)", rest)
    rest = re.sub(r"\bdim=(\d+)", r"process.dim = \1", rest)
    rest = re.sub(r"a number, shape \(1,\)", "a number", rest)
    return where + rest


def _runnable(src, raw, pk, proc):
    """What a run needs of the process beyond its parameters: a unique stationary law where the
    family's exact references or the analysis use one, a reversal for a backward arm."""
    analysis = ANALYSES[raw["analysis"]["kind"]]
    if pk.stationary_law or analysis.stationary_law:
        _guard(src, "process", lambda: proc.stationary_distribution, tuple(pk.keys))
    if analysis.reversal(raw):
        _guard(src, "process", lambda: proc.reversed(), tuple(pk.keys))
    ens = raw["ensemble"]
    if pk.streamable and ens.get("store") is False and ens.get("word_length") is not None:  # do word codes fit?
        why = stream_refusal(raw, ens["word_length"], int(proc.n_states))
        if why:
            raise ScenarioError(stream_refusal_message(src, raw, why, int(proc.n_states)))


def _cross_checks(src, raw, pk, analysis):
    """Checks across keys: the family's own, the analysis' own, then the execution backend."""
    if pk is not None and pk.check is not None:
        msg = pk.check(raw, analysis)
        if msg:
            raise ScenarioError(f"{src}: {msg}")
    if analysis != "profiles" and raw["ensemble"]["word_length"] is not None:
        raise ScenarioError(f"{src}: ensemble.word_length = {raw['ensemble']['word_length']} is used by streamed "
                            f"ensembles of analysis.kind = 'profiles' only; remove it")
    ANALYSES[analysis].check(src, raw, pk)
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
                            "(pip install 'dask[distributed]>=2024.1', or from a clone: pip install -e '.[dask]')") from None
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
    replaced_start = False
    for ov in overrides or []:
        if isinstance(ov, str) and ov.partition("=")[0].strip().split(".")[0].strip() == "start" \
                and not replaced_start and isinstance(doc.get("start"), dict):
            doc["start"] = {}  # --set start.KEY=... replaces the file's start form (its other start keys go)
            replaced_start = True
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
