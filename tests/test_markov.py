"""MarkovChain: validation, stationary law, reversal and exact information rates."""

import math

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from entropy import MarkovChain
from conftest import driven_cycle, random_chain, reversible_chain

chains = hnp.arrays(np.float64, st.tuples(st.integers(2, 8)).map(lambda t: (t[0], t[0])),
                    elements=st.floats(0.01, 1.0)).map(lambda W: W / W.sum(axis=1, keepdims=True))


@settings(max_examples=40, deadline=None)
@given(chains)
def test_stationary_agrees_with_dense_eigensolver(P):
    pi = MarkovChain(P).stationary_distribution
    w, v = np.linalg.eig(P.T)
    ref = np.real(v[:, np.argmin(np.abs(w - 1))])
    ref /= ref.sum()
    np.testing.assert_allclose(pi, ref, atol=1e-10)
    np.testing.assert_allclose(pi @ P, pi, atol=1e-13)


@settings(max_examples=30, deadline=None)
@given(chains)
def test_reversal_is_an_involution_and_preserves_pi(P):
    c = MarkovChain(P)
    R = c.reversed()
    np.testing.assert_allclose(R.P.sum(axis=1), 1.0, atol=1e-14)
    np.testing.assert_allclose(c.stationary_distribution @ R.P, c.stationary_distribution, atol=1e-13)
    # P~ of P~ is P (computed afresh, not the cached link)
    RR = MarkovChain(R.P).reversed()
    np.testing.assert_allclose(RR.P, P, atol=1e-12)
    assert R.reversed() is c


def test_reversed_matrix_formula():
    P = driven_cycle(0.8)
    R = MarkovChain(P).reversed().P
    # pi uniform, so P~ = P^T
    np.testing.assert_allclose(R, P.T, atol=1e-15)


def test_reversible_detection(rng):
    assert MarkovChain(reversible_chain(rng, 6)).is_reversible()
    assert not MarkovChain(driven_cycle(0.8)).is_reversible()
    assert MarkovChain(driven_cycle(0.5)).is_reversible()


def test_driven_cycle_closed_forms():
    p = 0.8
    q = 1 - p
    c = MarkovChain(driven_cycle(p))
    h2 = -(p * math.log2(p) + q * math.log2(q))
    assert c.entropy_rate() == pytest.approx(h2, abs=1e-13)
    assert c.excess_entropy() == pytest.approx(math.log2(3) - h2, abs=1e-13)
    # Schnakenberg: sum pi_i P_ij log(P_ij / P_ji) = (p - q) log(p / q)
    assert c.entropy_production(base=math.e) == pytest.approx((p - q) * math.log(p / q), abs=1e-13)
    assert c.entropy_production() == pytest.approx((p - q) * math.log2(p / q), abs=1e-13)


def test_entropy_production_zero_for_reversible_and_inf_without_reverse(rng):
    assert MarkovChain(reversible_chain(rng, 5)).entropy_production() == pytest.approx(0.0, abs=1e-12)
    one_way = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    assert MarkovChain(one_way).entropy_production() == math.inf


def test_base_units():
    c = MarkovChain(driven_cycle(0.7))
    assert c.entropy_rate(base=math.e) == pytest.approx(c.entropy_rate() * math.log(2), rel=1e-13)
    with pytest.raises(ValueError, match=r"base=1"):
        c.entropy_rate(base=1)
    with pytest.raises(ValueError, match=r"base=-2"):
        c.excess_entropy(base=-2)


def test_sparse_matches_dense(rng):
    P = random_chain(rng, 30, sparsity=0.7)
    d = MarkovChain(P)
    s = MarkovChain(sp.csr_matrix(P))
    assert s.is_sparse and not d.is_sparse
    np.testing.assert_allclose(s.stationary_distribution, d.stationary_distribution, atol=1e-12)
    np.testing.assert_allclose(s.reversed().P.toarray(), d.reversed().P, atol=1e-12)
    assert s.entropy_rate() == pytest.approx(d.entropy_rate(), rel=1e-12)
    assert s.entropy_production() == pytest.approx(d.entropy_production(), rel=1e-10)
    assert s.is_reversible() == d.is_reversible()


def test_large_sparse_chain_uses_sparse_solver():
    # biased random walk on a ring of 100 000 states: pi is uniform (doubly stochastic)
    n = 100_000
    i = np.arange(n)
    P = sp.csr_matrix((np.r_[np.full(n, 0.6), np.full(n, 0.4)], (np.r_[i, i], np.r_[(i + 1) % n, (i - 1) % n])), shape=(n, n))
    c = MarkovChain(P)
    np.testing.assert_allclose(c.stationary_distribution, 1.0 / n, rtol=1e-8)
    assert c.entropy_production(base=math.e) == pytest.approx(0.2 * math.log(1.5), rel=1e-8)


def test_stationary_with_transient_states():
    P = np.array([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5], [0.0, 0.5, 0.5]])
    c = MarkovChain(P)
    np.testing.assert_allclose(c.stationary_distribution, [0, 0.5, 0.5], atol=1e-15)
    with pytest.raises(ValueError, match=r"state 0 has stationary probability 0"):
        c.reversed()


@pytest.mark.parametrize(
    "P, match",
    [
        (np.ones((2, 3)) / 3, r"P: expected a non-empty square matrix, got shape \(2, 3\)"),
        (np.zeros((0, 0)), r"P: expected a non-empty square matrix"),
        ([[0.5, np.nan], [0.5, 0.5]], r"P row 0: entry nan at column 1 is not finite"),
        ([[1.5, -0.5], [0.5, 0.5]], r"P row 0: entry -0.5 at column 1 is negative"),
        ([[0.5, 0.5], [0.3, 0.3]], r"P row 1: sums to 0.6, expected 1 \(tolerance 1e-10\)"),
    ],
)
def test_validation_errors(P, match):
    with pytest.raises(ValueError, match=match):
        MarkovChain(P)


def test_sparse_validation_names_row():
    P = sp.csr_matrix(np.array([[0.5, 0.5], [0.2, -0.1]]))
    with pytest.raises(ValueError, match=r"P row 1: entry -0.1 at column 1 is negative"):
        MarkovChain(P)


def test_no_unique_stationary_distribution():
    c = MarkovChain(np.eye(3))
    with pytest.raises(ValueError, match=r"3 closed communicating classes .* not unique"):
        c.stationary_distribution


def test_rows_are_renormalised():
    P = np.array([[0.5, 0.5 + 5e-11], [0.25, 0.75]])
    c = MarkovChain(P)
    np.testing.assert_allclose(c.P.sum(axis=1), 1.0, atol=1e-15)
