"""The one return type of :func:`entropy.exact.profiles`, for every process family."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["ExactProfiles", "Reference"]


@dataclass(frozen=True)
class Reference:
    """A horizontal reference value beside a per-time curve (a stationary value, a limit, a maximum)."""

    value: float
    label: str

    def __post_init__(self):
        object.__setattr__(self, "value", float(self.value))

    def to_dict(self) -> dict:
        return {"value": float(self.value), "label": self.label}


@dataclass(frozen=True, eq=False)
class ExactProfiles:
    """Exact time-local quantities of a two-sided process (see :func:`entropy.exact.profiles`).

    Attributes
    ----------
    times : ndarray
        Times relative to t0 (integers for discrete-time processes, multiples of ``dt``
        otherwise).
    unit : str
        Unit of every curve and reference (``"bits"`` for base 2).
    curves : dict of str -> ndarray
        Per-time exact values, keyed by the quantity names the estimators and scenario files
        use (``"entropy"``, ``"relative_entropy"``, ``"entropy_rate_forward"``,
        ``"entropy_rate_backward"``, ``"excess_entropy"``, ``"irreversibility"``,
        ``"boltzmann_entropy"``, ``"coarse_entropy"``, ``"entropy_production"``, ...). NaN
        where undefined (a conditional quantity whose neighbour lies outside the window);
        ``-inf`` / ``inf`` where the exact value is infinite (the differential entropy of a
        point, an irreversible step).
    labels : dict of str -> str
        What each curve is, where it is more than "exact" (e.g. a Gaussian formula or
        Boltzmann's prediction).
    references : dict of str -> list of Reference
        Stationary values or limits to draw beside the curve of that quantity.
    extra_curves : dict of str -> list of (label, ndarray)
        Further exact curves drawn in the panel of a quantity (e.g. the Gibbs entropy beside
        the Boltzmann entropy).
    probs : ndarray or None
        The marginal law :math:`p_t` at every time, where the state space is finite.
    scalars : dict of str -> float
        Stationary quantities (``stationary_entropy``, ``entropy_rate``,
        ``entropy_production``, ``excess_entropy``, ...); family-specific ones as well.
    notes : tuple of str
        Statements about the curves a reader needs (a period, an overshoot, a recurrence).
    """

    times: np.ndarray
    unit: str
    curves: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    references: dict = field(default_factory=dict)
    extra_curves: dict = field(default_factory=dict)
    probs: np.ndarray | None = None
    scalars: dict = field(default_factory=dict)
    notes: tuple = ()

    # -- the attribute names of the first version (entropy.exact.profiles of a MarkovChain) -------
    def _curve(self, name):
        return self.curves.get(name)

    @property
    def entropy(self):
        """:math:`H(t)`, the entropy of the marginal (``curves["entropy"]``)."""
        return self._curve("entropy")

    @property
    def relative_entropy(self):
        r""":math:`D(p_t \| \pi)` (``curves["relative_entropy"]``)."""
        return self._curve("relative_entropy")

    @property
    def entropy_rate_forward(self):
        """:math:`h^+(t)` (``curves["entropy_rate_forward"]``)."""
        return self._curve("entropy_rate_forward")

    @property
    def entropy_rate_backward(self):
        """:math:`h^-(t)` (``curves["entropy_rate_backward"]``)."""
        return self._curve("entropy_rate_backward")

    @property
    def excess_entropy(self):
        """:math:`E(t)` (``curves["excess_entropy"]``)."""
        return self._curve("excess_entropy")

    @property
    def irreversibility(self):
        """Per-step irreversibility read away from t0 (``curves["irreversibility"]``), or None."""
        return self._curve("irreversibility")

    @property
    def stationary_entropy(self):
        """Entropy of the stationary law (``scalars["stationary_entropy"]``)."""
        return self.scalars.get("stationary_entropy")

    @property
    def entropy_rate(self):
        """Stationary entropy rate (``scalars["entropy_rate"]``)."""
        return self.scalars.get("entropy_rate")

    def __repr__(self):
        return (f"ExactProfiles(times {self.times[0]}..{self.times[-1]} ({len(self.times)}), "
                f"curves={list(self.curves)}, unit={self.unit!r})")
