"""Tests of the entropy production estimators of an observed series."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest
from scipy import stats
from scipy.linalg import solve_discrete_lyapunov

from entropy.estimators.irreversibility import (
    entropy_production,
    gaussian_entropy_production,
    ordinal_patterns,
    ordinal_reversal,
    quantile_symbols,
    reversal_divergence,
    reversibility_test,
)
from test_sequence import simulate_chain, stationary, word_counter

# ---------------------------------------------------------------------------------------------
# exact references
# ---------------------------------------------------------------------------------------------


def schnakenberg(P):
    """sum_ij pi_i P_ij ln(pi_i P_ij / (pi_j P_ji)) in nats (all reverse transitions possible)."""
    pi = stationary(P)
    F = pi[:, None] * P
    m = F > 0
    return float(np.sum(F[m] * np.log(F[m] / F.T[m])))


def circulant_cycle(n, p_up, p_down, seed):
    """Driven 3-cycle: iid steps +1, -1, 0 (a circulant chain, uniform stationary law)."""
    rng = np.random.default_rng(seed)
    steps = rng.choice(np.array([1, -1, 0]), size=n, p=[p_up, p_down, 1 - p_up - p_down])
    return np.cumsum(steps) % 3


# a non-circulant driven 4-state chain: no detailed balance, non-uniform stationary law
P4 = np.array([
    [0.1, 0.6, 0.2, 0.1],
    [0.1, 0.2, 0.5, 0.2],
    [0.3, 0.05, 0.25, 0.4],
    [0.5, 0.2, 0.1, 0.2],
])

# a reversible chain: P = W / rowsum(W) with symmetric W
W3 = np.array([[1.0, 2.0, 0.5], [2.0, 0.4, 1.5], [0.5, 1.5, 3.0]])
P_REV = W3 / W3.sum(axis=1, keepdims=True)

# Tolerances: 5 standard errors (block bootstrap with 50 blocks, 200 replicates: the standard
# error is estimated to about 10 %, so 5 estimated are at least 4 true standard errors). The
# remaining bias after the bootstrap correction is of second order, O(1/N^2) words, far
# below one standard error at N = 1e5. Every check also bounds the standard error from above.


def _close(est, exact, se_max):
    assert 0 < est.stderr < se_max, est
    assert abs(est.value - exact) < 5 * est.stderr, (est, exact)


# ---------------------------------------------------------------------------------------------
# hand-computed plug-in values and unmatched words
# ---------------------------------------------------------------------------------------------


def test_hand_computed_lower_bound_and_pseudocount():
    # words of 2 in each row 0 1 2 0 1 2 0 1 0: 01 x3, 12 x2, 20 x2, 10 x1 (N = 8)
    # seen both ways: 01 <-> 10; seen forwards only: 12 (21 never), 20 (02 never)
    x = np.tile([0, 1, 2, 0, 1, 2, 0, 1, 0], (4, 1))
    e = entropy_production(x, history=1, base=math.e, bias_correction=False, n_blocks=2, unmatched="lower_bound")
    lower = (3 * math.log(3) + 1 * math.log(1 / 3)) / 8
    assert e.value == pytest.approx(lower, abs=1e-14)
    assert e.extra["n_unmatched"] == 2
    assert e.extra["unmatched_fraction"] == pytest.approx(4 / 8)
    # words seen one way only: a lower bound, whose interval has no upper end
    assert e.lower_bound is True and e.ci_high == math.inf and e.ci_low >= 0
    # D_1 = 0: a single state is its own reversal
    np.testing.assert_allclose(e.extra["divergence"], [0.0, lower], atol=1e-14)
    # pseudo-count 1/2 on the closure {01, 10, 12, 21, 20, 02} of the counts (x4 rows):
    # 12.5, 4.5, 8.5, 0.5, 8.5, 0.5; total 35
    pc = (8 * math.log(12.5 / 4.5) + 2 * 8 * math.log(8.5 / 0.5)) / 35
    e = entropy_production(x, history=1, base=math.e, bias_correction=False, n_blocks=2,
                           unmatched="pseudocount", pseudocount=0.5)
    assert e.value == pytest.approx(pc, abs=1e-14)
    assert math.isfinite(e.stderr) and e.lower_bound is True
    # pseudocounts are the default treatment (one default with irreversibility_profile)
    assert entropy_production(x, history=1, base=math.e, bias_correction=False, n_blocks=2).value == e.value
    # bits
    e2 = entropy_production(x, history=1, base=2, bias_correction=False, n_blocks=2, unmatched="lower_bound")
    assert e2.value == pytest.approx(lower / math.log(2), abs=1e-14) and e2.unit == "bits"


def dict_divergence(x, L):
    """Plug-in D_L (nats) over the words seen both ways, from a dict of tuples."""
    c = word_counter(x, L)
    n = sum(c.values())
    return sum(v * math.log(v / c[w[::-1]]) for w, v in c.items() if c.get(w[::-1], 0) > 0) / n


@pytest.mark.parametrize("alphabet, shape", [(4, (20_000,)), (60, (3, 8_000))])
def test_divergence_curve_matches_dict_count(alphabet, shape):
    # drifting walk on a ring of `alphabet` symbols: 4 -> dense tables, 60 -> sorted codes
    rng = np.random.default_rng(alphabet)
    steps = rng.choice(np.array([1, -1, 0, 7]), size=shape, p=[0.5, 0.2, 0.2, 0.1])
    x = np.cumsum(steps, axis=-1) % alphabet
    d = reversal_divergence(x, 3, base=math.e, bias_correction=False, unmatched="lower_bound")
    np.testing.assert_allclose(d.value, [dict_divergence(x, L) for L in (1, 2, 3)], rtol=1e-12, atol=1e-15)


def test_sparse_chunked_tables_give_the_same_numbers(monkeypatch):
    # with a tiny memory budget the block tables are sparse and the bootstrap is chunked
    import entropy.estimators.irreversibility as irr

    rng = np.random.default_rng(12)
    x = np.cumsum(rng.choice(np.array([1, -1, 0, 7]), size=6_000, p=[0.5, 0.2, 0.2, 0.1])) % 60
    dense = entropy_production(x, history=2, n_boot=50)
    dense_test = reversibility_test(x, history=2, n_surrogates=99)
    monkeypatch.setattr(irr, "_CHUNK", 500)
    sparse = entropy_production(x, history=2, n_boot=50)
    sparse_test = reversibility_test(x, history=2, n_surrogates=99)
    assert sparse.value == pytest.approx(dense.value, rel=1e-12)
    assert sparse.stderr == pytest.approx(dense.stderr, rel=1e-9)
    assert sparse_test.pvalue == dense_test.pvalue
    np.testing.assert_allclose(sparse_test.surrogates, dense_test.surrogates, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# fully observed Markov chains: Schnakenberg entropy production recovered
# ---------------------------------------------------------------------------------------------


def test_driven_three_cycle():
    x = circulant_cycle(100_000, 0.6, 0.3, seed=1)
    exact = (0.6 - 0.3) * math.log(0.6 / 0.3)  # uniform pi: sum over the 3 edges
    P = np.array([[0.1, 0.6, 0.3], [0.3, 0.1, 0.6], [0.6, 0.3, 0.1]])
    assert schnakenberg(P) == pytest.approx(exact, rel=1e-12)
    e = entropy_production(x, history=2, base=math.e)
    _close(e, exact, 0.02)
    assert e.ci_low < e.value < e.ci_high
    assert e.extra["n_unmatched"] == 0
    # D_L = (L - 1) sigma for a first-order chain
    d = reversal_divergence(x, 4, base=math.e)
    for L in (2, 3, 4):
        assert abs(d.value[L - 1] - (L - 1) * exact) < 5 * d.stderr[L - 1]
    np.testing.assert_array_equal(d.extra["lengths"], [1, 2, 3, 4])


def test_non_circulant_driven_chain():
    x = simulate_chain(P4, 100_000, seed=4)
    exact = schnakenberg(P4)
    assert exact > 0.1
    _close(entropy_production(x, history=2, base=math.e), exact, 0.03)
    # several rows (windows never straddle rows), history 1 is already exact for order 1
    y = simulate_chain(P4, 2_500, seed=5, rows=40)
    _close(entropy_production(y, history=1, base=math.e), exact, 0.03)


def test_reversible_chain_gives_zero():
    x = simulate_chain(P_REV, 100_000, seed=6)
    assert schnakenberg(P_REV) == pytest.approx(0.0, abs=1e-12)
    e = entropy_production(x, history=2)
    _close(e, 0.0, 0.01)
    # near 0 the bootstrap interval is conservative (100 of 100 simulated reversible series
    # had 0 inside the 95 % interval), so 0 must lie inside it
    assert e.ci_low <= 0.0 <= e.ci_high
    # the plug-in value is biased upwards; the correction moves it down
    assert e.extra["plugin"] > e.value


def test_bootstrap_is_seeded_and_independent_of_threads():
    x = circulant_cycle(20_000, 0.5, 0.3, seed=3)
    a = entropy_production(x, history=2, seed=7)
    b = entropy_production(x, history=2, seed=7)
    assert a.value == b.value and a.stderr == b.stderr
    t = reversibility_test(x, history=2, seed=7)
    n = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        c = entropy_production(x, history=2, seed=7)
        u = reversibility_test(x, history=2, seed=7)
    finally:
        numba.set_num_threads(n)
    assert c.value == a.value and c.stderr == a.stderr
    np.testing.assert_array_equal(u.surrogates, t.surrogates)


# ---------------------------------------------------------------------------------------------
# reversibility test
# ---------------------------------------------------------------------------------------------


def test_reversibility_pvalue_uniform_under_null():
    # 50 independent reversible series; the p-values should be uniform. KS test at level 1e-3,
    # and the number below 0.05 within the binomial bound P(Bin(50, 0.05) >= 9) = 0.002.
    p = np.array([
        reversibility_test(simulate_chain(P_REV, 4_000, seed=100 + s), history=1, n_surrogates=199,
                           n_blocks=40, seed=s).pvalue
        for s in range(50)
    ])
    assert stats.kstest(p, "uniform").pvalue > 1e-3, np.sort(p)
    assert np.count_nonzero(p < 0.05) <= 8


def test_reversibility_test_detects_driving():
    x = circulant_cycle(4_000, 0.5, 0.3, seed=9)
    t = reversibility_test(x, history=2, n_surrogates=199, seed=1)
    assert t.pvalue == pytest.approx(1 / 200)  # no surrogate reaches the observed value
    assert t.statistic > 0 and t.unit == "bits" and t.surrogates.shape == (199,)


# ---------------------------------------------------------------------------------------------
# continuous series
# ---------------------------------------------------------------------------------------------


def test_ordinal_patterns_by_hand():
    # order 3: (1, 2, 3) increasing -> 0; (3, 2, 1) decreasing -> 5 (Lehmer code of argsort)
    # (2, 3, 2): argsort (0, 2, 1) -> Lehmer code 0 * 2 + 1 = 1
    assert list(ordinal_patterns([1.0, 2.0, 3.0, 2.0, 1.0], 3)) == [0, 1, 5]
    # ties are ranked by order of appearance: (1, 1, 1) is increasing
    assert list(ordinal_patterns([1.0, 1.0, 1.0], 3)) == [0]
    rho = ordinal_reversal(3)
    assert rho[0] == 5 and rho[5] == 0
    np.testing.assert_array_equal(rho[rho], np.arange(6))
    # the pattern of a reversed window is rho of the pattern of the window
    x = np.random.default_rng(0).normal(size=(200,))
    fwd = ordinal_patterns(x, 4, delay=2)
    bwd = ordinal_patterns(x[::-1], 4, delay=2)
    np.testing.assert_array_equal(bwd, ordinal_reversal(4)[fwd[::-1]])
    assert ordinal_patterns(np.zeros((3, 10)), 2).shape == (3, 9)


def test_quantile_symbols_equally_populated():
    x = np.random.default_rng(1).permutation(1000).astype(float)
    s = quantile_symbols(x, 4)
    np.testing.assert_array_equal(np.bincount(s), [250, 250, 250, 250])


def test_ordinal_entropy_production():
    rng = np.random.default_rng(2)
    # Gaussian AR(1): reversible -> 0 within 5 standard errors
    n = 100_000
    xi = rng.normal(size=n)
    x = np.empty(n)
    x[0] = 0.0
    for t in range(1, n):
        x[t] = 0.7 * x[t - 1] + xi[t]
    e = entropy_production(ordinal_patterns(x, 3), history=1, symbol_reversal=ordinal_reversal(3))
    _close(e, 0.0, 0.02)
    # noisy sawtooth (slow rise, fast fall): irreversible, far above 0
    saw = (np.arange(n) % 7) + 1.0 * rng.normal(size=n)
    e = entropy_production(ordinal_patterns(saw, 3), history=1, symbol_reversal=ordinal_reversal(3))
    assert e.value > 10 * e.stderr
    assert e.extra["n_unmatched"] == 0


def test_gaussian_entropy_production_var1():
    # VAR(1) x_{t+1} = A x_t + xi: exact rate = KL between the Gaussian laws of (x_t, x_{t+1})
    # and (x_{t+1}, x_t) (first-order Markov): (1/2) [tr(Sigma_R^{-1} Sigma) - 2d].
    A = np.array([[0.6, -0.4], [0.3, 0.5]])
    Q = np.array([[1.0, 0.2], [0.2, 0.5]])
    C = solve_discrete_lyapunov(A, Q)
    S = np.block([[C, C @ A.T], [A @ C, C]])
    SR = np.block([[C, A @ C], [C @ A.T, C]])
    exact = 0.5 * (np.trace(np.linalg.solve(SR, S)) - 4)
    rng = np.random.default_rng(3)
    n = 100_000
    xi = rng.normal(size=(n, 2)) @ np.linalg.cholesky(Q).T
    x = np.zeros((n, 2))
    for t in range(1, n):
        x[t] = A @ x[t - 1] + xi[t]
    e = gaussian_entropy_production(x[1000:], base=math.e)
    # 10 batches: the batch-means error is estimated to about 1/sqrt(2*9) = 24 %, so
    # 5 estimated standard errors are at least about 3.5 true ones
    _close(e, exact, 0.05)
    # a scalar stationary Gaussian process is reversible: exactly 0
    assert gaussian_entropy_production(x[:, 0]).value == 0.0


def test_gaussian_entropy_production_reversible_var1():
    # symmetric A and isotropic noise: A C = C A^T (detailed balance), production 0
    A = np.array([[0.5, 0.3], [0.3, 0.2]])
    rng = np.random.default_rng(4)
    n = 100_000
    xi = rng.normal(size=(n, 2))
    x = np.zeros((n, 2))
    for t in range(1, n):
        x[t] = A @ x[t - 1] + xi[t]
    e = gaussian_entropy_production(x[1000:])
    _close(e, 0.0, 0.01)
    # without the batch correction the spectral noise biases the estimate upwards
    assert e.extra["plugin"] > e.value


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------

X = np.tile([0, 1, 2, 1], 100)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: entropy_production(X, history=400), "history=400"),
        (lambda: entropy_production(X, history=0), "history=0"),
        (lambda: entropy_production(np.full(100, 2), history=1), "series: constant series"),
        (lambda: entropy_production([0, 1.5, 1] * 50, history=1), r"series\[1\]=1.5"),
        (lambda: entropy_production([0, -1, 1] * 50, history=1), r"series\[1\]=-1"),
        (lambda: entropy_production(X, method="nsb"), "method='nsb'"),
        (lambda: entropy_production(X, unmatched="drop"), "unmatched='drop'"),
        (lambda: entropy_production(X, pseudocount=0), "pseudocount=0"),
        (lambda: entropy_production(X, n_blocks=1), "n_blocks=1"),
        (lambda: entropy_production(X, n_boot=1), "n_boot=1"),
        (lambda: entropy_production(X, base=1), "base=1"),
        (lambda: entropy_production(X, seed=-1), "seed=-1"),
        (lambda: entropy_production(X, symbol_reversal=[1, 2, 0]), "symbol_reversal: expected an involution"),
        (lambda: entropy_production(X, symbol_reversal=[0, 1]), "symbol_reversal: expected a 1-D integer"),
        (lambda: entropy_production(X[:20], history=2, n_blocks=50), "series: too short"),
        (lambda: entropy_production(np.zeros((2, 2, 2), int)), "series: expected a 1-D or 2-D"),
        (lambda: reversal_divergence(X, 1), "max_length=1: expected an integer >= 2"),
        (lambda: reversal_divergence(X, 400), "max_length=400: needs words of 400"),
        (lambda: reversibility_test(X, history=1, n_surrogates=0), "n_surrogates=0"),
        (lambda: reversibility_test(np.ones(50, int)), "series: constant series"),
        (lambda: ordinal_patterns([1.0, 2.0, 3.0], 1), "order=1"),
        (lambda: ordinal_patterns([1.0, 2.0, 3.0], 13), "order=13"),
        (lambda: ordinal_patterns([1.0, 2.0, 3.0], 2, delay=0), "delay=0"),
        (lambda: ordinal_patterns([1.0, 2.0, 3.0], 3, delay=2), "order=3, delay=2: need more than 4"),
        (lambda: ordinal_patterns([1.0, np.nan, 3.0], 2), r"x\[1\]=nan: expected finite"),
        (lambda: quantile_symbols([1.0, 2.0], 1), "n_bins=1"),
        (lambda: gaussian_entropy_production(np.zeros((100, 2)), nperseg=64), "x: 100 times are fewer"),
        (lambda: gaussian_entropy_production(np.zeros((5000, 2)), nperseg=4), "nperseg=4"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------------------------------------
# one name per idea (issue 15, section 5)
# ---------------------------------------------------------------------------------------------


def test_old_keyword_names_warn_and_still_work():
    x = circulant_cycle(4_000, 0.5, 0.3, seed=9)
    new = entropy_production(x, n_boot=30)
    with pytest.warns(DeprecationWarning, match=r"n_bootstrap= is deprecated, use n_boot="):
        old = entropy_production(x, n_bootstrap=30)
    assert old.value == new.value and old.stderr == new.stderr
    with pytest.raises(ValueError, match=r"n_bootstrap=30 and n_boot=40: give only n_boot"), \
            pytest.warns(DeprecationWarning):
        entropy_production(x, n_boot=40, n_bootstrap=30)
    y = np.random.default_rng(0).standard_normal((4_000, 2))
    with pytest.warns(DeprecationWarning, match=r"n_batches= is deprecated, use n_blocks="):
        g = gaussian_entropy_production(y, n_batches=5)
    assert g.value == gaussian_entropy_production(y, n_blocks=5).value and g.extra["n_blocks"] == 5


def test_history_defaults_to_one():
    x = circulant_cycle(4_000, 0.5, 0.3, seed=9)
    assert entropy_production(x).extra["history"] == 1


def test_reversibility_test_says_when_it_lowers_n_blocks():
    x = circulant_cycle(309, 0.5, 0.3, seed=4)
    with pytest.warns(UserWarning, match=r"n_blocks lowered from 50 to 19"):
        r = reversibility_test(x, history=1)
    assert r.n_blocks == 19 and r.n_blocks_requested == 50
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = reversibility_test(x, history=1, n_blocks=10)
    assert r.n_blocks == r.n_blocks_requested == 10


def test_complex_series_is_a_type_error():
    with pytest.raises(TypeError, match=r"series: complex values are not supported"):
        entropy_production(np.arange(100) % 3 * 1j)
    with pytest.raises(TypeError, match=r"x: complex values are not supported"):
        ordinal_patterns(np.ones(10) * 1j, 3)
