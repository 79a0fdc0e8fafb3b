"""Result objects returned by the estimators.

Every estimator returns one of two types, built through their public constructors:

* :class:`Estimate` -- a scalar (or an array of scalars, one per slice) with its standard
  error, confidence interval, unit, method and extras. It behaves as its value in
  arithmetic and NumPy calls (``float(e)``, ``e + 1``, ``np.log(e)``, ``np.asarray(e)``),
  so code written for a plain float keeps working.
* :class:`Profile` -- a time-resolved estimate (one value per time of an ensemble).

Both carry ``lower_bound``: True (per value) where the estimate is known to be a lower bound
of the quantity and not an estimate of it -- e.g. an irreversibility for which a word or a
pair was seen in one direction only (the plug-in value is then infinite), or an estimate of
a quantity whose true value is infinite. ``extra["unmatched"]`` then says how many words
were seen one way only.

Intervals of quantities that cannot be negative (relative entropies, mutual informations,
irreversibilities) are clipped at 0 (``nonnegative=True`` in the constructors); no value or
bound is ``-0.0``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin
from scipy.special import ndtri

from .._units import check_confidence

__all__ = ["Estimate", "Profile", "normal_interval"]


def normal_interval(values, stderr, confidence: float):
    """Two-sided normal-approximation interval ``values -/+ z * stderr``."""
    check_confidence(confidence)
    z = ndtri(0.5 + confidence / 2.0)  # standard normal quantile
    values = np.asarray(values, dtype=float)
    stderr = np.asarray(stderr, dtype=float)
    return values - z * stderr, values + z * stderr


def _clean(a, nonnegative=False):
    """Float array (or scalar) with -0.0 turned into 0.0 and, if ``nonnegative``, clipped at 0."""
    a = np.asarray(a, dtype=float)
    if nonnegative:
        with np.errstate(invalid="ignore"):
            a = np.where(a < 0.0, 0.0, a)  # NaN stays NaN
    return (a + 0.0)[()]


def _flags(lower_bound, shape):
    """``lower_bound`` as a bool (scalar shape) or a bool array of ``shape``."""
    lb = np.broadcast_to(np.asarray(False if lower_bound is None else lower_bound, dtype=bool), shape)
    return bool(lb) if lb.ndim == 0 else lb.copy()


@dataclass(frozen=True, eq=False)
class Estimate(NDArrayOperatorsMixin):
    """A scalar (or array of scalars) estimate with its uncertainty.

    Usable as its value: ``float(e)``, ``e - 1``, ``np.exp(e)``, ``np.asarray(e)``,
    comparisons, indexing and array methods (``e.mean()``, ``e.shape``) all act on ``value``
    (and return plain floats / arrays).

    Attributes
    ----------
    quantity : str
        What is estimated, e.g. ``"entropy"``, ``"entropy_rate"``.
    value, stderr : float or ndarray
        The estimate and its standard error (same unit).
    ci_low, ci_high : float or ndarray
        Confidence interval at level ``confidence`` (also as :attr:`interval`).
    confidence : float
        Level of the interval.
    unit : str
        ``"bits"``, ``"nats"``, ...
    method : str
        Estimator used.
    extra : dict
        Estimator-specific details (e.g. ``"unmatched"``: words seen in one direction only).
    lower_bound : bool or ndarray of bool
        True where the value is a lower bound of the quantity rather than an estimate of it
        (see the module notes).
    """

    quantity: str
    value: float | np.ndarray
    stderr: float | np.ndarray
    ci_low: float | np.ndarray
    ci_high: float | np.ndarray
    confidence: float
    unit: str
    method: str
    extra: dict = field(default_factory=dict)
    lower_bound: bool | np.ndarray = False

    @classmethod
    def from_stderr(cls, quantity, value, stderr, *, confidence=0.95, unit, method, nonnegative=False,
                    lower_bound=False, extra=None):
        """An estimate whose interval is the normal one, ``value -/+ z * stderr``.

        ``nonnegative=True`` clips the interval at 0 (for quantities that cannot be negative).
        """
        lo, hi = normal_interval(value, stderr, confidence)
        return cls.from_interval(quantity, value, stderr, lo, hi, confidence=confidence, unit=unit, method=method,
                                 nonnegative=nonnegative, lower_bound=lower_bound, extra=extra)

    @classmethod
    def from_interval(cls, quantity, value, stderr, ci_low, ci_high, *, confidence, unit, method,
                      nonnegative=False, lower_bound=False, extra=None):
        """An estimate with a given interval (e.g. bootstrap percentiles)."""
        value = _clean(value)
        return cls(quantity=quantity, value=value, stderr=_clean(stderr), ci_low=_clean(ci_low, nonnegative),
                   ci_high=_clean(ci_high, nonnegative), confidence=float(confidence), unit=unit, method=method,
                   extra=dict(extra or {}), lower_bound=_flags(lower_bound, np.shape(value)))

    @property
    def interval(self):
        """``(ci_low, ci_high)``."""
        return self.ci_low, self.ci_high

    # -- behave as the value ------------------------------------------------------------
    def __float__(self):
        return float(self.value)

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.value, dtype=dtype)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = tuple(np.asarray(x.value) if isinstance(x, Estimate) else x for x in inputs)
        if "out" in kwargs:
            kwargs["out"] = tuple(np.asarray(x.value) if isinstance(x, Estimate) else x for x in kwargs["out"])
        out = getattr(ufunc, method)(*inputs, **kwargs)
        return out[()] if isinstance(out, np.ndarray) and out.ndim == 0 else out

    def __round__(self, ndigits=None):
        return round(float(self.value), ndigits)

    def __format__(self, spec):
        v = np.asarray(self.value)
        if spec and v.ndim == 0:
            return format(float(v), spec)
        return format(str(self), spec)

    def __getattr__(self, name):
        # array methods and attributes (mean, sum, shape, tolist, ...) act on the value
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return getattr(np.asarray(self.value), name)
        except AttributeError:
            raise AttributeError(f"'Estimate' object has no attribute {name!r}") from None

    def __len__(self):
        if np.ndim(self.value) == 0:
            raise TypeError("len() of a scalar Estimate")
        return len(self.value)

    def __getitem__(self, index):
        return np.asarray(self.value)[index]

    def __iter__(self):
        if np.ndim(self.value) == 0:
            raise TypeError("a scalar Estimate is not iterable (use .value, .stderr, .interval)")
        return iter(np.asarray(self.value))

    def __repr__(self):
        v = np.asarray(self.value)
        lb = " (lower bound)" if np.any(self.lower_bound) else ""
        if v.ndim == 0:
            return (
                f"Estimate({self.quantity}={float(v):.6g} +/- {float(self.stderr):.2g} {self.unit}{lb}, "
                f"{self.confidence:.0%} CI [{float(self.ci_low):.6g}, {float(self.ci_high):.6g}], method={self.method!r})"
            )
        return f"Estimate({self.quantity}, shape={v.shape}, unit={self.unit!r}, method={self.method!r}{lb})"


@dataclass(frozen=True)
class Profile:
    """A time-resolved estimate over a two-sided ensemble.

    Attributes
    ----------
    quantity : str
        ``"entropy"``, ``"entropy_rate_forward"``, ``"entropy_rate_backward"``,
        ``"excess_entropy"``, ``"relative_entropy"``, ...
    times : ndarray of int or float
        Times relative to t0 (t0 = 0), one per value.
    values, stderr, ci_low, ci_high : ndarray
        Estimate, standard error and confidence interval at every time (NaN where the
        quantity is undefined, e.g. a history that reaches past the ensemble's first time).
    confidence : float
        Level of the interval.
    unit : str
        Unit of ``values`` (``"bits"`` for base 2).
    method : str
        Estimator used.
    samples : ndarray of int
        Number of paths that entered the estimate at each time.
    extra : dict
        Estimator-specific details (per-time arrays such as ``"unmatched"``).
    lower_bound : ndarray of bool or None
        Per time: True where the value is a lower bound of the quantity rather than an
        estimate of it (a pair seen in one direction only; see the module notes). None for
        quantities that never are.
    """

    quantity: str
    times: np.ndarray
    values: np.ndarray
    stderr: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    confidence: float
    unit: str
    method: str
    samples: np.ndarray | None = None
    extra: dict = field(default_factory=dict)
    lower_bound: np.ndarray | None = None

    @classmethod
    def from_stderr(cls, quantity, times, values, stderr, *, confidence, unit, method, samples=None, extra=None,
                    nonnegative=False, lower_bound=None):
        """A profile whose interval is the normal one, ``values -/+ z * stderr``.

        ``nonnegative=True`` clips the interval at 0 (for quantities that cannot be negative).
        """
        lo, hi = normal_interval(values, stderr, confidence)
        return cls.from_interval(quantity, times, values, stderr, lo, hi, confidence=confidence, unit=unit,
                                 method=method, samples=samples, extra=extra, nonnegative=nonnegative,
                                 lower_bound=lower_bound)

    @classmethod
    def from_interval(cls, quantity, times, values, stderr, ci_low, ci_high, *, confidence, unit, method,
                      samples=None, extra=None, nonnegative=False, lower_bound=None):
        """A profile with given intervals (e.g. bootstrap percentiles)."""
        values = np.atleast_1d(_clean(values))
        return cls(quantity=quantity, times=np.asarray(times), values=values,
                   stderr=np.atleast_1d(_clean(stderr)), ci_low=np.atleast_1d(_clean(ci_low, nonnegative)),
                   ci_high=np.atleast_1d(_clean(ci_high, nonnegative)), confidence=confidence, unit=unit,
                   method=method, samples=None if samples is None else np.asarray(samples), extra=extra or {},
                   lower_bound=None if lower_bound is None else np.broadcast_to(
                       np.asarray(lower_bound, dtype=bool), values.shape).copy())

    @property
    def interval(self):
        """``(ci_low, ci_high)``."""
        return self.ci_low, self.ci_high

    def __len__(self):
        return len(self.times)

    def at(self, t):
        """Value at time ``t`` (relative to t0)."""
        idx = np.flatnonzero(self.times == t)
        if idx.size == 0:
            raise KeyError(f"t={t!r} is not among the profile's times [{self.times[0]}, {self.times[-1]}]")
        return float(self.values[idx[0]])

    def plot(self, ax=None, **kw):
        """Draw this profile with :func:`entropy.plotting.plot_profile` (same keywords); returns the axes."""
        from ..plotting import plot_profile

        return plot_profile(self, ax, **kw)

    def to_dict(self, prefix: str = "") -> dict:
        """Arrays keyed by ``prefix + name`` (for saving to ``.npz``)."""
        out = {
            f"{prefix}times": np.asarray(self.times),
            f"{prefix}values": np.asarray(self.values),
            f"{prefix}stderr": np.asarray(self.stderr),
            f"{prefix}ci_low": np.asarray(self.ci_low),
            f"{prefix}ci_high": np.asarray(self.ci_high),
        }
        if self.samples is not None:
            out[f"{prefix}samples"] = np.asarray(self.samples)
        if self.lower_bound is not None:
            out[f"{prefix}lower_bound"] = np.asarray(self.lower_bound)
        return out

    def __repr__(self):
        lb = "" if self.lower_bound is None or not np.any(self.lower_bound) else \
            f", lower bound at {int(np.sum(self.lower_bound))} times"
        return (
            f"Profile({self.quantity}, times {self.times[0]}..{self.times[-1]} ({len(self.times)}), "
            f"unit={self.unit!r}, method={self.method!r}, confidence={self.confidence}{lb})"
        )
