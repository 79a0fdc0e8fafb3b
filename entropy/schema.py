"""The scenario schema library: keys, their checks, and errors that name the file, key and value.

Generic: it knows no process family, quantity or analysis. The registries
(:mod:`entropy.families`, :mod:`entropy.quantities`, :mod:`entropy.analyses`) declare their
keys with :class:`Key`; :mod:`entropy.scenario` validates a document against them.
"""

from __future__ import annotations

import copy
import difflib
import math
import re
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

#: Largest sizes a scenario may ask for (they bound the memory of the process objects built
#: during validation; a simulation's own memory is checked before it starts).
MAX_STATES = 10_000_000
MAX_DENSE_STATES = 2000


class ScenarioError(ValueError):
    """A scenario file (or override) is invalid. The message names the file, key and value."""


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

SEED_CHECK = _range(0, 2**64 - 1)

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


