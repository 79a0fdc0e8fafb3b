"""The registry of per-time quantities: what ``estimate.quantities`` may name.

One :class:`Quantity` entry per name holds its public estimator (the same function a user
calls from Python, so the command line and the Python API give the same number at every
time), what data it needs from the simulation, its label and symbol for figures, and whether
it is a rate (per step) or a level. Exact counterparts come from
:func:`entropy.exact.profiles` under the same name. Nothing above this module branches on a
quantity's name. Adding a quantity is one entry here, its estimator and its exact counterpart
(see ``docs/design.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable

import numpy as np

from . import estimators as est
from .estimators._result import Profile

__all__ = ["Quantity", "Observable", "QUANTITIES", "EstimateRequest", "register_quantity", "LEVELS", "RATES"]


@dataclass(frozen=True)
class EstimateRequest:
    """What a scenario asks of every estimator: method, base, confidence, history, kNN neighbours.

    ``process`` is the simulated process (for quantities that compare with its stationary
    law) and ``observable`` the family's per-state function of an observable quantity (see
    :attr:`entropy.families.Family.observables`).
    """

    method: str
    base: float = 2
    confidence: float = 0.95
    history: int = 1
    k: int = 4
    process: Any = None
    family: Any = None


@dataclass(frozen=True)
class Observable:
    """A family's observable: its value per recorded state (``per_state[x]``), or a transform of
    recorded real values; the unit of the values and a note for the reader."""

    unit: str
    note: str = ""
    per_state: Any = None
    transform: Callable | None = None


@dataclass(frozen=True)
class Quantity:
    """A per-time quantity.

    Attributes
    ----------
    name : str
        The key in scenario files, results and ``exact.profiles(...).curves``.
    title, symbol : str
        Figure title and axis symbol for discrete-state ensembles. ``{past}``, ``{future}``
        and ``{E}`` in a title are filled in with the history.
    continuous_title, continuous_symbol : str or None
        The same for real-valued ensembles (None: the quantity needs discrete states).
    group : str
        ``"level"`` (drawn in the Janus figure) or ``"rate"`` (drawn in the rates figure).
    needs : str
        ``"marginals"`` (per-time counts of X_t) or ``"pairs"`` (joint counts of neighbouring
        times, or stored paths).
    per_step : bool
        A rate: its unit is "<unit> per step".
    short : str
        A few words for a figure title ("entropy rates"); default: the name with spaces.
    log_axis : bool
        Draw it on a log axis when its values span decades (a relative entropy decaying to 0).
    record : str or None
        An extra per-path record the simulation must keep for it (``simulate(...,
        <record>=True)``, e.g. ``"entropy_production"``); None for quantities of the states.
    memory : callable or None
        ``(n_states, times, bytes per state, history, dense word limit) -> (bytes per path,
        fixed bytes)`` its estimator needs beyond the states (word codes, pair tables), for
        the memory preflight of stored runs.
    estimate : callable
        ``(data, EstimateRequest) -> Profile``, calling a public estimator.
    """

    name: str
    title: str
    symbol: str
    group: str
    needs: str
    estimate: Callable[[Any, EstimateRequest], Profile]
    continuous_title: str | None = None
    continuous_symbol: str | None = None
    per_step: bool = False
    short: str = ""
    log_axis: bool = False
    memory: Callable | None = None
    record: str | None = None

    def __post_init__(self):
        if not self.short:
            object.__setattr__(self, "short", self.name.replace("_", " "))

    def label(self, *, history: int = 1, real_valued: bool = False) -> tuple[str, str]:
        """``(title, symbol)`` for a figure."""
        if real_valued and self.continuous_title:
            return self.continuous_title, self.continuous_symbol or self.symbol
        k = history
        past = "X_t−1" if k == 1 else f"X_t−1 … X_t−{k}"
        future = "X_t+1" if k == 1 else f"X_t+1 … X_t+{k}"
        mi = "I[X_t−1 ; X_t]" if k == 1 else f"I[{k} before t ; {k} from t]"
        return self.title.format(past=past, future=future, E=mi), self.symbol


QUANTITIES: dict[str, Quantity] = {}


def register_quantity(q: Quantity) -> Quantity:
    """Add ``q`` to :data:`QUANTITIES` (its name must be new)."""
    if q.name in QUANTITIES:
        raise ValueError(f"quantity {q.name!r} is already registered")
    if q.group not in ("level", "rate") or q.needs not in ("marginals", "pairs"):
        raise ValueError(f"quantity {q.name!r}: group must be 'level' or 'rate', needs 'marginals' or 'pairs'")
    QUANTITIES[q.name] = q
    return q


def _named(profile: Profile, name: str) -> Profile:
    return profile if profile.quantity == name else replace(profile, quantity=name)


def _entropy(data, r):
    return _named(est.entropy_profile(data, method=r.method, base=r.base, confidence=r.confidence, k=r.k), "entropy")


def _relative_entropy(data, r):
    # the delta-method interval is calibrated for the plug-in and Miller-Madow forms only
    method = r.method if r.method in ("plugin", "miller_madow") else "miller_madow"
    return est.relative_entropy_profile(data, r.process.stationary_distribution, method=method, base=r.base,
                                        confidence=r.confidence)


def _rate(direction):
    def estimate(data, r):
        return _named(est.entropy_rate_profile(data, history=r.history, direction=direction, method=r.method,
                                               base=r.base, confidence=r.confidence, k=r.k),
                      f"entropy_rate_{direction}")

    return estimate


def _excess_entropy(data, r):
    return _named(est.excess_entropy_profile(data, history=r.history, method=r.method, base=r.base,
                                             confidence=r.confidence, k=r.k), "excess_entropy")


def _irreversibility(data, r):
    return est.irreversibility_profile(data, base=r.base, confidence=r.confidence)


def _observable(name):
    """The ensemble mean of the family's observable ``name`` (a function of the recorded state)."""

    def estimate(data, r):
        obs = r.family.observables[name](r.process, r.base)
        if obs.transform is not None:  # a real value recorded per path, in the process's own unit
            data = obs.transform(np.asarray(data.states, dtype=float)), data.times
            return est.mean_profile(data[0], times=data[1], quantity=name, unit=obs.unit, confidence=r.confidence,
                                    note=obs.note)
        return est.mean_profile(data, obs.per_state, quantity=name, unit=obs.unit, confidence=r.confidence,
                                note=obs.note)

    return estimate


def _rate_memory(n, T, item, k, dense):
    return T * (8 + item), 0  # int64 word codes and one gathered block of states per path


def _excess_memory(n, T, item, k, dense):
    # one joint code, or past and future codes and their copies
    return T * ((8 if float(n) ** (2 * k) <= dense else 4 * 8) + item), 0


def _record_memory(n, T, item, k, dense):
    return T * 8, 0  # one float64 per path and time


def _pair_table_memory(n, T, item, k, dense):
    return 0, 2 * (T - 1) * n * n * 8  # dense pair tables and their reversal


def _record_mean(record, column, transform, note):
    """The ensemble mean of a per-path record (stored: its values; streamed: its running sums)."""

    def estimate(data, r):
        from ._units import unit_name

        name = {0: record, 2: "integral_fluctuation"}[column]
        unit = unit_name(r.base) if column == 0 else "1 (dimensionless)"
        extra = getattr(data, "extra", {}) or {}
        if record in extra:  # stored: (paths, times) values in units of the run's base
            return est.mean_profile(transform(np.asarray(extra[record], dtype=float), r.base), times=data.times,
                                    quantity=name, unit=unit, confidence=r.confidence, note=note)
        sums = extra.get(f"{record}_moments")
        if sums is None:
            raise ValueError(f"{name}: the ensemble has no {record!r} record; simulate with {record}=True")
        M = sums.get("paths", data.paths)
        if column == 0:
            return est.mean_profile_from_sums(M, sums["sum"], sums["sum_sq"], data.times, quantity=name,
                                              unit=unit, confidence=r.confidence, note=note)
        # only the sum of base**-x is streamed, not its square: the mean, without an error bar
        return est.mean_profile_from_sums(M, sums["sum_exp_neg"], np.full(len(data.times), np.nan), data.times,
                                          quantity=name, unit=unit, confidence=r.confidence,
                                          note=(note + "; streamed: no error bar").lstrip("; "))

    return estimate


for _q in (
    Quantity("entropy", "Shannon entropy H(t) = H[X_t]", "H", "level", "marginals", _entropy,
             "differential entropy h(t) = h[X_t]", "h"),
    Quantity("boltzmann_entropy", "mean Boltzmann entropy ⟨S_B(n_t)⟩ = ⟨log C(N, n_t)⟩", "⟨S_B⟩", "level",
             "marginals", _observable("boltzmann_entropy")),
    Quantity("coarse_entropy", "coarse-grained entropy", "S_cg", "level", "marginals", _observable("coarse_entropy"),
             "coarse-grained entropy", "S_cg"),
    Quantity("relative_entropy", "relative entropy D(p_t ‖ π) to the stationary law (monotone)", "D", "level",
             "marginals", _relative_entropy, log_axis=True),
    Quantity("entropy_rate_forward", "forward entropy rate h⁺(t) = H[X_t | {past}]", "h⁺", "rate", "pairs",
             _rate("forward"), "forward rate h⁺(t) = h[X_t | X_t−dt]", "h⁺", per_step=True,
             short="entropy rates", memory=_rate_memory),
    Quantity("entropy_rate_backward", "backward entropy rate h⁻(t) = H[X_t | {future}]", "h⁻", "rate", "pairs",
             _rate("backward"), "backward rate h⁻(t) = h[X_t | X_t+dt]", "h⁻", per_step=True,
             short="entropy rates", memory=_rate_memory),
    Quantity("excess_entropy", "excess entropy E(t) = {E}", "E", "rate", "pairs", _excess_entropy,
             "E(t) = I[X_t−dt ; X_t] (KSG)", "E", memory=_excess_memory),
    Quantity("shape_complexity", "shape complexity C_S(t), scale invariant (Barbour et al. 2014)", "C_S", "level",
             "marginals", _observable("shape_complexity")),
    Quantity("cluster_count", "number of clusters (bound groups, scale-free linking)",
             "clusters", "level", "marginals", _observable("cluster_count")),
    Quantity("abs_dilatational_momentum", "dilatational momentum |D|(t), D = Σ r·p = ½ dI/dt",
             "|D|", "level", "marginals", _observable("abs_dilatational_momentum")),
    Quantity("moment_of_inertia", "moment of inertia I(t) about the centre of mass (smallest at the Janus point)", "I",
             "level", "marginals", _observable("moment_of_inertia")),
    Quantity("pair_distance_entropy", "entropy of the pair distances in units of the rms length (scale free)", "H_r",
             "level", "marginals", _observable("pair_distance_entropy")),
    Quantity("entropy_production", "mean entropy production ⟨Δs_tot⟩(t) since t0", "⟨Δs_tot⟩",
             "level", "marginals",
             _record_mean("entropy_production", 0, lambda x, b: x,
                          "mean over paths of Δs_tot = log p_t0(x_t0) − log p_t(x_t) + Σ jumps log(Q_ab / Q_ba)"),
             record="entropy_production", memory=_record_memory),
    Quantity("integral_fluctuation", "integral fluctuation ⟨b^(−Δs_tot)⟩(t) (1 for a full-support start)",
             "⟨b^−Δs⟩", "level", "marginals",
             _record_mean("entropy_production", 2, lambda x, b: np.power(float(b), -x),
                          "mean over paths of base**(−Δs_tot): 1 at every t from a start law with full support"),
             record="entropy_production", memory=_record_memory),
    Quantity("irreversibility", "irreversibility σ(t) = D(step ‖ reversed step), read away from t0", "σ", "rate",
             "pairs", _irreversibility, per_step=True, memory=_pair_table_memory),
):
    register_quantity(_q)
del _q

#: Quantity names by figure group, in registry order.
LEVELS = tuple(n for n, q in QUANTITIES.items() if q.group == "level")
RATES = tuple(n for n, q in QUANTITIES.items() if q.group == "rate")
