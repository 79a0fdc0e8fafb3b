"""Exact two-sided references: symmetry, monotonicity and closed forms."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from entropy import MarkovChain, exact
from conftest import driven_cycle, reversible_chain

chains = hnp.arrays(np.float64, st.tuples(st.integers(2, 7)).map(lambda t: (t[0], t[0])),
                    elements=st.floats(0.01, 1.0)).map(lambda W: W / W.sum(axis=1, keepdims=True))


@settings(max_examples=40, deadline=None)
@given(chains, st.integers(0, 6))
def test_relative_entropy_non_increasing_on_both_arms(P, s0):
    c = MarkovChain(P)
    s0 = s0 % c.n_states
    ex = exact.profiles(c, s0, forward=25, backward=25)
    D = ex.relative_entropy
    fwd = D[25:]          # |t| = 0, 1, 2, ...
    bwd = D[25::-1]
    assert np.all(np.diff(fwd) <= 1e-12)
    assert np.all(np.diff(bwd) <= 1e-12)


def test_reversible_chain_profiles_are_exactly_symmetric(rng):
    c = MarkovChain(reversible_chain(rng, 5))
    ex = exact.profiles(c, 2, forward=15, backward=15)
    np.testing.assert_allclose(ex.entropy, ex.entropy[::-1], atol=1e-12)
    np.testing.assert_allclose(ex.relative_entropy, ex.relative_entropy[::-1], atol=1e-12)
    # h+(t) at t reads the step t-1 -> t; by symmetry it equals h-(-t)
    np.testing.assert_allclose(ex.entropy_rate_forward[1:], ex.entropy_rate_backward[:-1][::-1], atol=1e-12)


def test_marginals_are_matrix_powers():
    P = driven_cycle(0.7)
    c = MarkovChain(P)
    times, probs = exact.marginals(c, [0.2, 0.8, 0.0], forward=4, backward=3)
    p0 = np.array([0.2, 0.8, 0.0])
    np.testing.assert_allclose(probs[3 + 4], p0 @ np.linalg.matrix_power(P, 4), atol=1e-15)
    np.testing.assert_allclose(probs[0], p0 @ np.linalg.matrix_power(P.T, 3), atol=1e-15)  # P~ = P^T here


def test_profiles_closed_forms_on_driven_cycle():
    p = 0.7
    c = MarkovChain(driven_cycle(p))
    ex = exact.profiles(c, 0, forward=30, backward=30)
    h2 = -(p * math.log2(p) + (1 - p) * math.log2(1 - p))
    assert ex.entropy[30] == 0.0
    # from a point, the first step on either arm has entropy h2 and h+(1) = h2
    assert ex.entropy[31] == pytest.approx(h2, abs=1e-14)
    assert ex.entropy[29] == pytest.approx(h2, abs=1e-14)
    assert ex.entropy_rate_forward[31] == pytest.approx(h2, abs=1e-14)
    # far from t0: H -> log2 3, D -> 0, h+ = h- -> h, E -> log2 3 - h
    assert ex.entropy[0] == pytest.approx(math.log2(3), abs=1e-6)
    assert ex.relative_entropy[-1] == pytest.approx(0.0, abs=1e-6)
    assert ex.entropy_rate_forward[-1] == pytest.approx(h2, abs=1e-6)
    assert ex.entropy_rate_backward[1] == pytest.approx(h2, abs=1e-6)
    assert ex.excess_entropy[-1] == pytest.approx(math.log2(3) - h2, abs=1e-6)
    assert ex.unit == "bits"
    assert ex.entropy_rate == pytest.approx(h2)


def test_shannon_and_relative_entropy_helpers():
    assert exact.shannon_entropy([0.5, 0.5]) == pytest.approx(1.0)
    assert exact.shannon_entropy([0.5, 0.5], base=math.e) == pytest.approx(math.log(2))
    assert exact.relative_entropy([1.0, 0.0], [0.5, 0.5]) == pytest.approx(1.0)
    assert exact.relative_entropy([0.5, 0.5], [1.0, 0.0]) == math.inf


def test_exact_input_errors():
    c = MarkovChain(driven_cycle())
    with pytest.raises(ValueError, match=r"forward=-2: expected an integer >= 0"):
        exact.marginals(c, 0, forward=-2)
    with pytest.raises(ValueError, match=r"start=7"):
        exact.profiles(c, 7, forward=2)
    with pytest.raises(ValueError, match=r"base=0"):
        exact.profiles(c, 0, forward=2, base=0)
