"""Units of information and small shared validators.

Every entropy function of the package takes ``base``: 2 gives bits (the default),
``e`` gives nats, 10 gives hartleys (bans). Internally everything is computed in
nats and divided by ``log(base)`` once, at the end.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["check_base", "unit_name", "to_base", "check_positive_int", "check_probability_vector", "check_seed",
           "check_confidence"]

_NAMED = {2.0: "bits", math.e: "nats", 10.0: "hartleys"}


def check_base(base) -> float:
    """Validate a logarithm base and return it as a float.

    Raises
    ------
    ValueError
        If ``base`` is not a finite real number greater than 0 and different from 1.
    """
    if isinstance(base, bool) or not isinstance(base, numbers.Real):
        raise ValueError(f"base={base!r}: expected a real number > 0 and != 1 (2 = bits, e = nats)")
    b = float(base)
    if not math.isfinite(b) or b <= 0.0 or b == 1.0:
        raise ValueError(f"base={base!r}: expected a real number > 0 and != 1 (2 = bits, e = nats)")
    return b


def unit_name(base) -> str:
    """Name of the unit for ``base``: 'bits', 'nats', 'hartleys' or 'log-base-b units'."""
    b = check_base(base)
    for k, v in _NAMED.items():
        if abs(b - k) < 1e-12:
            return v
    return f"log{b:g} units"


def to_base(value_nats, base):
    """Convert a value (or array) in nats to units of ``base``."""
    return value_nats / math.log(check_base(base))


def check_positive_int(value, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as int if it is an integer >= ``minimum``, else raise ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        else:
            raise ValueError(f"{name}={value!r}: expected an integer >= {minimum}")
    if value < minimum:
        raise ValueError(f"{name}={value!r}: expected an integer >= {minimum}")
    return int(value)


def check_probability_vector(p, name: str, *, size: int | None = None, atol: float = 1e-9) -> np.ndarray:
    """Validate a probability vector: 1-D, finite, non-negative, summing to 1 within ``atol``.

    Returns it as float64 renormalised to sum exactly (up to rounding) to 1.
    """
    arr = np.asarray(p, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name}: expected a non-empty 1-D probability vector, got shape {arr.shape}")
    if size is not None and arr.size != size:
        raise ValueError(f"{name}: expected a probability vector of length {size}, got length {arr.size}")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise ValueError(f"{name}[{bad[0]}]={float(arr[bad[0]])!r}: expected finite probabilities")
    neg = np.flatnonzero(arr < 0)
    if neg.size:
        raise ValueError(f"{name}[{neg[0]}]={float(arr[neg[0]])!r}: expected non-negative probabilities")
    s = arr.sum()
    if abs(s - 1.0) > atol:
        raise ValueError(f"{name}: entries sum to {float(s)!r}, expected 1 (tolerance {atol:g})")
    return arr / s


def check_seed(seed, name: str = "seed", *, allow_none: bool = True, fresh: bool = True):
    """Validate a seed: an integer in [0, 2**64) (the SplitMix64 streams' range), or None.

    ``None`` (where ``allow_none``) gives a fresh seed drawn from the operating system's
    entropy (``fresh=True``, below 2**63 so that it prints and stores as a signed integer)
    or stays None (``fresh=False``). Returns the seed as a Python int.

    Raises
    ------
    ValueError
        Naming ``name`` and the value: ``seed=-1: expected an integer in [0, 2**64) or None``.
    """
    if seed is None and allow_none:
        return int(np.random.SeedSequence().entropy % (2**63)) if fresh else None
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= int(seed) < 2**64:
        raise ValueError(f"{name}={seed!r}: expected an integer in [0, 2**64)" + (" or None" if allow_none else ""))
    return int(seed)


def check_confidence(confidence, name: str = "confidence") -> float:
    """Validate a confidence level: a real number strictly between 0 and 1; returns it as float.

    Raises
    ------
    ValueError
        ``confidence=1.5: expected a number in (0, 1)``.
    """
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real) or not 0.0 < confidence < 1.0:
        raise ValueError(f"{name}={confidence!r}: expected a number in (0, 1)")
    return float(confidence)
