r"""Exact references: the ground truth beside every estimate.

One entry point, :func:`profiles`, dispatches on the process type and returns one type,
:class:`ExactProfiles` (per-time curves keyed by quantity name, stationary references,
labels, notes). Nothing above this package builds exact curves.

A family registers its reference with ``@entropy.exact.register(ProcessClass)`` in a module of
this package (every public module here is imported with the package).

* Markov chains (:mod:`entropy.exact.markov`): two-sided marginals :math:`p_t = p P^t` and
  :math:`p \tilde P^{|t|}`, H, D, h±, E, irreversibility.
* Ehrenfest, Kac ring, hidden Markov models, lattice gas (:mod:`entropy.exact.models`).
* Linear diffusions (:mod:`entropy.exact.gaussian`): Gaussian marginals and every per-time
  quantity; stationary entropies of built-in Langevin potentials.
"""

from __future__ import annotations

import importlib
import pkgutil

from ._dispatch import has_profiles, profiles, register
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
from .markov import DENSE_PAIR_MAX, chain_profiles, marginals, relative_entropy, shannon_entropy  # noqa: F401
from .models import ehrenfest_profiles, hmm_profiles, kac_profiles, lattice_profiles

__all__ = [
    "profiles", "ExactProfiles", "Reference", "has_profiles", "register",
    "marginals", "shannon_entropy", "relative_entropy",
    "GaussianMarginals", "gaussian_marginals", "gaussian_entropy", "gaussian_relative_entropy",
    "brownian_entropy", "ou_entropy_rate", "ou_excess_entropy", "stationary_cross_covariance",
    "langevin_stationary_entropy", "ou_entropy_production",
    "chain_profiles", "ehrenfest_profiles", "kac_profiles", "hmm_profiles", "lattice_profiles", "diffusion_profiles",
]

# Every module of this package registers the process types it knows (``register``): a new
# family's exact reference is one new module here, found without editing this file.
for _m in pkgutil.iter_modules(__path__):
    if not _m.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_m.name}")
del _m
