"""Estimators: pure functions on arrays (counts, samples, sequences, ensembles).

They never import ``entropy.processes``: they take arrays, so they serve any data a user
brings.
"""

from ._result import Estimate, Profile

__all__ = ["Estimate", "Profile"]
