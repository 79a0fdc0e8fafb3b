import os

import numpy as np
import pytest
from hypothesis import settings

# Same examples on every run: a property test that fails, fails again (set
# HYPOTHESIS_PROFILE=explore to search with fresh random examples).
settings.register_profile("deterministic", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))


def random_chain(rng, n, sparsity=0.0):
    """A random dense stochastic matrix with strictly positive diagonal (irreducible, aperiodic)."""
    P = rng.random((n, n))
    if sparsity:
        P[rng.random((n, n)) < sparsity] = 0.0
        P[np.arange(n), (np.arange(n) + 1) % n] += 0.5  # keep a cycle: irreducible
    P[np.arange(n), np.arange(n)] += 0.1
    return P / P.sum(axis=1, keepdims=True)


def driven_cycle(p=0.8):
    """3-state cycle stepping +1 with probability p and -1 with 1 - p (non-reversible for p != 1/2)."""
    q = 1.0 - p
    return np.array([[0.0, p, q], [q, 0.0, p], [p, q, 0.0]])


def reversible_chain(rng, n):
    """P = W / rowsum(W) for a symmetric positive W: reversible with pi proportional to rowsum."""
    W = rng.random((n, n))
    W = W + W.T
    return W / W.sum(axis=1, keepdims=True)


@pytest.fixture
def rng():
    return np.random.default_rng(20261125)
