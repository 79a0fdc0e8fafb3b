"""Result objects returned by the estimators."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtri

__all__ = ["Estimate", "Profile", "normal_interval"]


def normal_interval(values, stderr, confidence: float):
    """Two-sided normal-approximation interval ``values -/+ z * stderr``."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence={confidence!r}: expected a number in (0, 1)")
    z = ndtri(0.5 + confidence / 2.0)  # standard normal quantile
    values = np.asarray(values, dtype=float)
    stderr = np.asarray(stderr, dtype=float)
    return values - z * stderr, values + z * stderr


@dataclass(frozen=True)
class Estimate:
    """A scalar (or array of scalars) estimate with its uncertainty.

    Attributes
    ----------
    quantity : str
        What is estimated, e.g. ``"entropy"``, ``"entropy_rate"``.
    value, stderr : float or ndarray
        The estimate and its standard error (same unit).
    ci_low, ci_high : float or ndarray
        Confidence interval at level ``confidence``.
    unit : str
        ``"bits"``, ``"nats"``, ...
    method : str
        Estimator used.
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

    def __float__(self):
        return float(self.value)

    def __repr__(self):
        v = np.asarray(self.value)
        if v.ndim == 0:
            return (
                f"Estimate({self.quantity}={float(v):.6g} +/- {float(self.stderr):.2g} {self.unit}, "
                f"{self.confidence:.0%} CI [{float(self.ci_low):.6g}, {float(self.ci_high):.6g}], method={self.method!r})"
            )
        return f"Estimate({self.quantity}, shape={v.shape}, unit={self.unit!r}, method={self.method!r})"


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

    @classmethod
    def from_stderr(cls, quantity, times, values, stderr, *, confidence, unit, method, samples=None, extra=None):
        """A profile whose interval is the normal one, ``values -/+ z * stderr``."""
        values = np.asarray(values, dtype=float)
        stderr = np.asarray(stderr, dtype=float)
        lo, hi = normal_interval(values, stderr, confidence)
        return cls(quantity=quantity, times=np.asarray(times), values=values, stderr=stderr, ci_low=lo, ci_high=hi,
                   confidence=confidence, unit=unit, method=method,
                   samples=None if samples is None else np.asarray(samples), extra=extra or {})

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
        return out

    def __repr__(self):
        return (
            f"Profile({self.quantity}, times {self.times[0]}..{self.times[-1]} ({len(self.times)}), "
            f"unit={self.unit!r}, method={self.method!r}, confidence={self.confidence})"
        )
