r"""Exact references: the ground truth beside every estimate.

One entry point, :func:`profiles`, dispatches on the process type and returns one type,
:class:`ExactProfiles` (per-time curves keyed by quantity name, stationary references,
labels, notes). A process family registers its exact reference with
``@profiles.register(ProcessClass)``; nothing above this package builds exact curves.

* Markov chains (:mod:`entropy.exact.markov`): two-sided marginals :math:`p_t = p P^t` and
  :math:`p \tilde P^{|t|}`, H, D, h±, E, irreversibility.
* Ehrenfest, Kac ring, hidden Markov models, lattice gas (:mod:`entropy.exact.models`).
* Linear diffusions (:mod:`entropy.exact.gaussian`): Gaussian marginals and every per-time
  quantity; stationary entropies of built-in Langevin potentials.
"""

from __future__ import annotations

import functools

from ..processes.diffusion import BrownianMotion, Langevin, OrnsteinUhlenbeck
from ..processes.ehrenfest import Ehrenfest
from ..processes.hmm import HiddenMarkovModel
from ..processes.kac import KacRing
from ..processes.lattice_gas import LatticeGas
from ..processes.markov import MarkovChain
from ._types import ExactProfiles, Reference
from .gaussian import (
    GaussianMarginals,
    brownian_entropy,
    diffusion_profiles,
    gaussian_entropy,
    gaussian_marginals,
    gaussian_relative_entropy,
    langevin_stationary_entropy,
    ou_entropy_production,
    ou_entropy_rate,
    ou_excess_entropy,
    stationary_cross_covariance,
)
from .markov import DENSE_PAIR_MAX, chain_profiles  # noqa: F401, marginals, relative_entropy, shannon_entropy
from .models import ehrenfest_profiles, hmm_profiles, kac_profiles, lattice_profiles

__all__ = [
    "profiles", "ExactProfiles", "Reference", "has_profiles",
    "marginals", "shannon_entropy", "relative_entropy",
    "GaussianMarginals", "gaussian_marginals", "gaussian_entropy", "gaussian_relative_entropy",
    "brownian_entropy", "ou_entropy_rate", "ou_excess_entropy", "stationary_cross_covariance",
    "langevin_stationary_entropy", "ou_entropy_production",
]


@functools.singledispatch
def profiles(process, start, *, forward: int, backward: int = 0, dt=None, base=2, history: int = 1) -> ExactProfiles:
    r"""Exact per-time references of ``process`` started from ``start`` at t0, on both arms.

    Parameters
    ----------
    process : a process object
        A :class:`~entropy.MarkovChain`, :class:`~entropy.Ehrenfest`, :class:`~entropy.KacRing`,
        :class:`~entropy.HiddenMarkovModel`, :class:`~entropy.LatticeGas`,
        :class:`~entropy.BrownianMotion`, :class:`~entropy.OrnsteinUhlenbeck` or
        :class:`~entropy.Langevin` (and any family that registered itself).
    start
        The t0 state or law, as for :func:`entropy.simulate`.
    forward, backward : int
        Steps after and before t0.
    dt : float, optional
        Time step (diffusions and other continuous-time processes).
    base : float
        Logarithm base of every curve (2 = bits).
    history : int
        History length k of the estimated rates and excess entropy, for families whose
        stationary references depend on it (hidden Markov models).

    Returns
    -------
    ExactProfiles
        ``curves[q]`` at ``times`` for every quantity ``q`` known exactly; references, labels,
        notes. Which curves exist depends on the family (see each registered function).

    Raises
    ------
    TypeError
        For a process type with no registered exact reference.
    """
    raise TypeError(f"process={process!r}: no exact reference is registered for {type(process).__name__} "
                    "(entropy.exact.profiles.register)")


def has_profiles(process) -> bool:
    """True when :func:`profiles` has a reference registered for ``type(process)``."""
    return profiles.dispatch(type(process)) is not profiles.dispatch(object)


def _register(cls, fn, needs_dt=False):
    @profiles.register(cls)
    def _(process, start, *, forward, backward=0, dt=None, base=2, history=1):
        kw = {"dt": dt} if needs_dt else {}
        return fn(process, start, forward=forward, backward=backward, base=base, history=history, **kw)


_register(MarkovChain, chain_profiles)
_register(Ehrenfest, ehrenfest_profiles)
_register(KacRing, kac_profiles)
_register(HiddenMarkovModel, hmm_profiles)
_register(LatticeGas, lattice_profiles)
for _cls in (BrownianMotion, OrnsteinUhlenbeck, Langevin):
    _register(_cls, diffusion_profiles, needs_dt=True)
del _cls
