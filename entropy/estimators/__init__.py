"""Estimators: pure functions on arrays (counts, samples, sequences, ensembles).

They never import ``entropy.processes``: they take arrays, so they serve any data a user
brings. Every estimator returns an :class:`Estimate` (scalar, usable as a float) or a
:class:`Profile` (per time), with value, standard error, interval, unit, method, extras and
a ``lower_bound`` flag.

* counts: :func:`shannon` (plugin, Miller-Madow, Grassberger, Chao-Shen, jackknife, NSB;
  counts, or ``input="samples" | "probabilities"``), :func:`shannon_from_samples` (raw
  observations), :func:`relative_entropy`, :func:`mutual_information_counts`, :func:`conditional_entropy_counts`;
* per time over an ensemble: :func:`entropy_profile`, :func:`entropy_rate_profile`,
  :func:`excess_entropy_profile`, :func:`relative_entropy_profile`, :func:`mean_profile` (ensemble
  means of an observable);
* one long sequence (time-pooled): :func:`block_entropy`, :func:`entropy_rate`,
  :func:`excess_entropy`, :func:`block_entropy_curve`, :func:`lempel_ziv_entropy_rate`;
* irreversibility: :func:`entropy_production`, :func:`reversibility_test`, ...;
* continuous samples: :func:`differential_entropy`, :func:`mutual_information`, ...
"""

from ._result import Estimate, Profile
from .continuous import METHODS as CONTINUOUS_METHODS
from .continuous import (
    conditional_entropy,
    differential_entropy,
    gaussian_entropy,
    gaussian_mutual_information,
    mutual_information,
)
from .discrete import (
    METHODS,
    conditional_entropy_counts,
    mutual_information_counts,
    relative_entropy,
    shannon,
    shannon_from_samples,
)
from .means import mean_profile, mean_profile_from_sums
from .irreversibility import (
    ReversibilityTest,
    entropy_production,
    gaussian_entropy_production,
    ordinal_patterns,
    ordinal_reversal,
    quantile_symbols,
    reversal_divergence,
    reversibility_test,
)
from .profiles import (
    entropy_profile,
    entropy_rate_profile,
    excess_entropy_profile,
    irreversibility_profile,
    relative_entropy_profile,
    symbol_counts,
)
from .sequence import (
    BlockEntropyCurve,
    block_entropy,
    block_entropy_curve,
    entropy_rate,
    excess_entropy,
    lempel_ziv_entropy_rate,
)

__all__ = [
    "Estimate", "Profile",
    "shannon", "shannon_from_samples", "METHODS", "CONTINUOUS_METHODS", "relative_entropy", "mutual_information_counts",
    "conditional_entropy_counts",
    "entropy_profile", "entropy_rate_profile", "excess_entropy_profile", "relative_entropy_profile",
    "irreversibility_profile", "symbol_counts", "mean_profile", "mean_profile_from_sums",
    "block_entropy", "entropy_rate", "excess_entropy", "block_entropy_curve", "BlockEntropyCurve",
    "lempel_ziv_entropy_rate",
    "entropy_production", "reversal_divergence", "reversibility_test", "ReversibilityTest",
    "ordinal_patterns", "ordinal_reversal", "quantile_symbols", "gaussian_entropy_production",
    "differential_entropy", "mutual_information", "conditional_entropy", "gaussian_entropy",
    "gaussian_mutual_information",
]
