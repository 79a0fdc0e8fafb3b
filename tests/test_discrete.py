"""Tests of entropy.estimators.discrete against independent calculations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, special

from entropy.estimators._result import normal_interval
from entropy.estimators.discrete import (
    METHODS,
    conditional_entropy_counts,
    mutual_information_counts,
    relative_entropy,
    shannon,
)

LN2 = math.log(2.0)


def hs(*args, **kw):
    """(values, stderr) of shannon's Estimate."""
    e = shannon(*args, **kw)
    return e.value, e.stderr


def plugin_by_hand(counts):
    """-sum p ln p in nats, written out as a loop."""
    n = sum(counts)
    h = 0.0
    for c in counts:
        if c > 0:
            h -= (c / n) * math.log(c / n)
    return h


# ---------------------------------------------------------------------------------------------
# plug-in and the simple corrections on hand examples
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "counts, expected_bits",
    [
        ([1, 1], 1.0),
        ([5, 5, 5, 5], 2.0),
        ([7], 0.0),
        ([2, 1, 1], 1.5),  # p = 1/2, 1/4, 1/4
        ([4, 0, 2, 2, 0], 1.5),  # zeros do not count
        ([1, 1, 1, 1, 1, 1, 1, 1], 3.0),
    ],
)
def test_plugin_hand_values(counts, expected_bits):
    assert shannon(counts) == pytest.approx(expected_bits, abs=1e-14)
    assert shannon(counts, base=math.e) == pytest.approx(expected_bits * LN2, abs=1e-14)
    assert shannon(counts, base=4) == pytest.approx(expected_bits / 2, abs=1e-14)


def test_plugin_base_10_and_float_whole_counts():
    # p = (0.3, 0.7)
    h = -(0.3 * math.log10(0.3) + 0.7 * math.log10(0.7))
    assert shannon([3.0, 7.0], base=10) == pytest.approx(h, rel=1e-14)
    assert shannon(np.array([3, 7], dtype=np.uint8), base=10) == pytest.approx(h, rel=1e-14)


def test_miller_madow_by_hand():
    counts = [3, 1, 0, 2]  # N = 6, K_obs = 3
    expected = plugin_by_hand(counts) + (3 - 1) / (2 * 6)
    assert shannon(counts, method="miller_madow", base=math.e) == pytest.approx(expected, rel=1e-14)
    # a single observed symbol has no correction
    assert shannon([0, 9, 0], method="miller_madow") == 0.0


def grassberger_g_by_integral(n):
    """G(n) = psi(n) + (-1)^n * int_0^1 t^(n-1) / (1 + t) dt (Grassberger 2003)."""
    integral, _ = integrate.quad(lambda t: t ** (n - 1) / (1.0 + t), 0.0, 1.0, epsabs=1e-14, epsrel=1e-13)
    return special.digamma(n) + (-1) ** n * integral


def test_grassberger_g_values():
    from entropy.estimators.discrete import _grassberger_g

    n = np.arange(1, 30, dtype=float)
    expected = [grassberger_g_by_integral(int(k)) for k in n]
    np.testing.assert_allclose(_grassberger_g(n), expected, rtol=1e-12, atol=1e-13)
    # known closed values: G(1) = -gamma - ln 2, G(2) = 2 - gamma - ln 2
    assert _grassberger_g(np.array([1.0]))[0] == pytest.approx(-np.euler_gamma - LN2, abs=1e-14)
    assert _grassberger_g(np.array([2.0]))[0] == pytest.approx(2 - np.euler_gamma - LN2, abs=1e-14)


def test_grassberger_by_hand():
    counts = [3, 1, 0, 2, 5]
    n = sum(counts)
    expected = math.log(n) - sum(c * grassberger_g_by_integral(c) for c in counts if c) / n
    assert shannon(counts, method="grassberger", base=math.e) == pytest.approx(expected, rel=1e-12)


def chao_shen_by_hand(counts):
    n = sum(counts)
    f1 = sum(1 for c in counts if c == 1)
    if f1 == n:
        f1 = n - 1
    cov = 1 - f1 / n
    h = 0.0
    for c in counts:
        if c > 0:
            pa = cov * c / n
            h -= pa * math.log(pa) / (1 - (1 - pa) ** n)
    return h


@pytest.mark.parametrize("counts", [[3, 1, 0, 2, 1], [1, 1, 1, 1], [1], [10, 0, 0], [2, 2, 1, 7, 1, 1]])
def test_chao_shen_by_hand(counts):
    assert shannon(counts, method="chao_shen", base=math.e) == pytest.approx(chao_shen_by_hand(counts), rel=1e-13)


def jackknife_by_loop(counts):
    """Explicit delete-one jackknife over the N samples; returns (estimate, stderr) in nats."""
    samples = np.repeat(np.arange(len(counts)), counts)
    n = len(samples)
    h_all = plugin_by_hand(counts)
    h_minus = []
    for j in range(n):
        rest = np.delete(samples, j)
        h_minus.append(plugin_by_hand(np.bincount(rest, minlength=len(counts)).tolist()))
    h_minus = np.array(h_minus)
    est = n * h_all - (n - 1) * h_minus.mean()
    se = math.sqrt((n - 1) / n * np.sum((h_minus - h_minus.mean()) ** 2))
    return est, se


@pytest.mark.parametrize("counts", [[3, 1, 0, 2, 1], [1, 1], [1, 1, 1, 1], [10, 0, 0], [2, 2, 1, 7, 1, 1], [1, 4]])
def test_jackknife_by_explicit_loop(counts):
    est, se = jackknife_by_loop(counts)
    h, s = hs(counts, method="jackknife", base=math.e)
    assert h == pytest.approx(est, rel=1e-12, abs=1e-13)
    assert s == pytest.approx(se, rel=1e-10, abs=1e-13)


def test_jackknife_single_sample_is_nan():
    assert np.isnan(shannon([0, 1, 0], method="jackknife"))


def test_plugin_delta_method_stderr_by_hand():
    counts = [3, 1, 2, 6]
    n = sum(counts)
    p = np.array(counts) / n
    h = -np.sum(p * np.log(p))
    # delta method plus the second-order term (K - 1) / (2 N^2) (Harris 1975)
    se = math.sqrt((np.sum(p * np.log(p) ** 2) - h**2) / n + (len(counts) - 1) / (2 * n**2))
    for m in ("plugin", "miller_madow", "grassberger", "chao_shen"):
        _, s = hs(counts, method=m, base=math.e)
        assert s == pytest.approx(se, rel=1e-12)
    _, s2 = hs(counts, method="plugin", base=2)
    assert s2 == pytest.approx(se / LN2, rel=1e-12)


# ---------------------------------------------------------------------------------------------
# vectorisation, empty slices
# ---------------------------------------------------------------------------------------------

FAST_METHODS = [m for m in METHODS if m != "nsb"]


@pytest.mark.parametrize("method", METHODS)
def test_vectorised_equals_loop(method):
    rng = np.random.default_rng(1)
    table = rng.poisson(2.0, size=(4, 3, 12)) * (rng.random((4, 3, 12)) < 0.6)
    table[0, 0, 0] = 1  # no all-zero slice along any axis
    table[:, :, 0] += 1
    kw = {"alphabet_size": 40} if method == "nsb" else {}
    for axis in (0, 1, 2, -1):
        h, s = hs(table, method=method, axis=axis, **kw)
        moved = np.moveaxis(table, axis, -1)
        assert h.shape == moved.shape[:-1]
        for idx in np.ndindex(moved.shape[:-1]):
            hi, si = hs(moved[idx], method=method, **kw)
            assert h[idx] == pytest.approx(hi, rel=1e-12, abs=1e-14, nan_ok=True)
            assert s[idx] == pytest.approx(si, rel=1e-12, abs=1e-14, nan_ok=True)


@pytest.mark.parametrize("method", METHODS)
def test_empty_slice_gives_nan(method):
    kw = {"alphabet_size": 5} if method == "nsb" else {}
    h, s = hs([[0, 0, 0], [1, 2, 3], [0, 0, 0]], method=method, **kw)
    assert np.isnan(h[0]) and np.isnan(h[2]) and np.isnan(s[0])
    assert np.isfinite(h[1]) and np.isfinite(s[1])


def test_int64_counts_with_many_zeros_per_time():
    counts = np.zeros((50, 10_000), dtype=np.int64)
    counts[:, :3] = [5, 3, 2]
    h = shannon(counts)
    assert h.shape == (50,)
    np.testing.assert_allclose(h, plugin_by_hand([5, 3, 2]) / LN2, rtol=1e-13)


# ---------------------------------------------------------------------------------------------
# error messages
# ---------------------------------------------------------------------------------------------


def test_error_negative_counts():
    with pytest.raises(ValueError, match=r"counts\[1\]=-2: expected non-negative counts"):
        shannon([1, -2, 3])


def test_error_non_integer_counts():
    with pytest.raises(ValueError, match=r"counts\[\(0, 1\)\]=1.5: expected integer counts"):
        shannon([[1.0, 1.5]])


def test_error_non_finite_counts():
    with pytest.raises(ValueError, match=r"expected finite counts"):
        shannon([1.0, np.nan])


def test_error_non_numeric_counts():
    with pytest.raises(ValueError, match=r"counts: expected an array of non-negative integer counts, got dtype"):
        shannon(["a", "b"])


def test_error_empty_counts():
    with pytest.raises(ValueError, match=r"counts: expected a non-empty array, got shape \(0,\)"):
        shannon([])
    with pytest.raises(ValueError, match=r"counts: expected a non-empty array, got shape \(3, 0\)"):
        shannon(np.zeros((3, 0)))
    with pytest.raises(ValueError, match=r"counts=5: expected an array with at least one dimension"):
        shannon(5)


def test_error_unknown_method():
    with pytest.raises(ValueError, match=r"method='mle': expected one of 'plugin', 'miller_madow', .*'nsb'"):
        shannon([1, 2], method="mle")


def test_error_nsb_without_alphabet_size():
    with pytest.raises(ValueError, match=r"alphabet_size=None: method='nsb' needs the size K"):
        shannon([1, 2], method="nsb")


def test_error_alphabet_size_too_small():
    with pytest.raises(ValueError, match=r"alphabet_size=2 is smaller than the number of observed symbols \(3\)"):
        shannon([1, 2, 1, 0], alphabet_size=2)
    with pytest.raises(ValueError, match=r"alphabet_size=0: expected an integer >= 1"):
        shannon([1, 2], alphabet_size=0)
    with pytest.raises(ValueError, match=r"alphabet_size=2.5: expected an integer >= 1"):
        shannon([1, 2], alphabet_size=2.5)
    # zeros beyond the alphabet are fine: only observed symbols count
    assert shannon([1, 1, 0, 0], alphabet_size=2) == 1.0


@pytest.mark.parametrize("base", [1, 0, -2, float("inf"), "e", True])
def test_error_bad_base(base):
    with pytest.raises(ValueError, match=r"base=.*: expected a real number > 0 and != 1"):
        shannon([1, 2], base=base)


def test_error_bad_axis():
    with pytest.raises(ValueError, match=r"axis 2 is out of bounds"):
        shannon([[1, 2]], axis=2)


def test_error_counts_named_in_mutual_information():
    with pytest.raises(ValueError, match=r"joint_counts\[\(0, 1\)\]=-1: expected non-negative counts"):
        mutual_information_counts([[1, -1], [2, 2]])
    with pytest.raises(ValueError, match=r"joint_counts: expected a table with at least 2 dimensions"):
        mutual_information_counts([1, 2, 3])
    with pytest.raises(ValueError, match=r"method='x': expected one of"):
        mutual_information_counts([[1, 2], [2, 2]], method="x")


def test_error_conditional_given_axis():
    with pytest.raises(ValueError, match=r"given_axis=0: expected one of the last two axes of the table: -1 or -2"):
        conditional_entropy_counts(np.ones((3, 2, 2), int), given_axis=0)
    with pytest.raises(ValueError, match=r"given_axis='x': expected one of the last two axes"):
        conditional_entropy_counts(np.ones((2, 2), int), given_axis="x")


# ---------------------------------------------------------------------------------------------
# NSB: against brute-force integration over beta with the exact Dirichlet posterior
# ---------------------------------------------------------------------------------------------


def dirichlet_entropy_moments_textbook(a):
    """E[H] and E[H^2] for p ~ Dirichlet(a) (Wolpert & Wolf 1995; NSB 2002 appendix), nats."""
    a = np.asarray(a, dtype=float)
    big_a = a.sum()
    eh = special.digamma(big_a + 1) - np.sum(a / big_a * special.digamma(a + 1))
    u = special.digamma(a + 1) - special.digamma(big_a + 2)
    off = np.outer(a, a) * (np.outer(u, u) - special.polygamma(1, big_a + 2))
    np.fill_diagonal(off, 0.0)
    diag = (
        a
        * (a + 1)
        * ((special.digamma(a + 2) - special.digamma(big_a + 2)) ** 2 + special.polygamma(1, a + 2) - special.polygamma(1, big_a + 2))
    )
    return eh, (off.sum() + diag.sum()) / (big_a * (big_a + 1))


def test_textbook_dirichlet_moments_by_monte_carlo():
    """The reference formula used below, checked once against sampling."""
    a = np.array([0.3, 2.0, 5.0, 0.3, 1.2])
    rng = np.random.default_rng(7)
    p = rng.dirichlet(a, size=200_000)
    h = -np.sum(special.xlogy(p, p), axis=1)
    eh, eh2 = dirichlet_entropy_moments_textbook(a)
    assert h.mean() == pytest.approx(eh, abs=4 * h.std() / math.sqrt(len(h)))
    assert np.mean(h**2) == pytest.approx(eh2, abs=4 * np.std(h**2) / math.sqrt(len(h)))


@pytest.mark.parametrize("beta", [1e-4, 0.3, 2.0, 50.0])
def test_stable_dirichlet_moments_equal_textbook(beta):
    from entropy.estimators.discrete import _dirichlet_entropy_moments, _distinct_counts

    counts = np.array([[3.0, 1.0, 0.0, 2.0, 1.0]])
    k = 8
    vals, mult = _distinct_counts(counts, k)
    mean, var = _dirichlet_entropy_moments(np.array([[beta]]), vals, mult, counts.sum(axis=1), float(k))
    a = np.concatenate([counts[0], np.zeros(k - counts.shape[1])]) + beta
    eh, eh2 = dirichlet_entropy_moments_textbook(a)
    assert mean[0, 0] == pytest.approx(eh, rel=1e-13)
    assert var[0, 0] == pytest.approx(eh2 - eh**2, rel=1e-9)


def nsb_bruteforce(counts, k):
    """Posterior mean and sd of H under the NSB prior by scipy.integrate.quad over beta."""
    counts = np.asarray(counts, dtype=float)
    a0 = np.concatenate([counts, np.zeros(k - len(counts))])
    n = counts.sum()

    def log_post(b):  # d xi/d beta * P(counts | beta), up to a constant
        xi_prime = k * special.polygamma(1, k * b + 1) - special.polygamma(1, b + 1)
        return (
            math.log(xi_prime)
            + special.gammaln(k * b)
            - special.gammaln(n + k * b)
            + np.sum(special.gammaln(a0 + b) - special.gammaln(b))
        )

    grid = np.exp(np.linspace(-15, 15, 3001))
    lp = np.array([log_post(b) for b in grid])
    peak, b_star = lp.max(), grid[lp.argmax()]

    def integral(fn):
        f = lambda b: fn(b) * math.exp(log_post(b) - peak)  # noqa: E731
        left, _ = integrate.quad(f, 0.0, b_star, limit=500, epsabs=0.0, epsrel=1e-11)
        right, _ = integrate.quad(f, b_star, np.inf, limit=500, epsabs=0.0, epsrel=1e-11)
        return left + right

    z = integral(lambda b: 1.0)
    m1 = integral(lambda b: dirichlet_entropy_moments_textbook(a0 + b)[0]) / z
    m2 = integral(lambda b: dirichlet_entropy_moments_textbook(a0 + b)[1]) / z
    return m1, math.sqrt(m2 - m1 * m1)


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
@pytest.mark.parametrize(
    "counts, k",
    [([1, 1], 5), ([5, 3, 2], 5), ([1, 1, 1, 1], 5), ([10, 0, 0], 3), ([100, 50, 25], 5), ([3, 1, 0, 2], 10), ([1, 1, 1], 3), ([2, 7], 2)],
)
def test_nsb_against_bruteforce_integration(counts, k):
    m, sd = nsb_bruteforce(counts, k)
    h, s = hs(counts, method="nsb", alphabet_size=k, base=math.e)
    assert h == pytest.approx(m, rel=1e-9)
    assert s == pytest.approx(sd, rel=1e-7)
    h2, s2 = hs(counts, method="nsb", alphabet_size=k)
    assert h2 == pytest.approx(m / LN2, rel=1e-9) and s2 == pytest.approx(sd / LN2, rel=1e-7)


def test_nsb_alphabet_of_one_symbol():
    assert hs([0, 4], method="nsb", alphabet_size=1) == (0.0, 0.0)


def test_lnpoch_large_arguments():
    from entropy.estimators.discrete import _lnpoch

    x = np.array([0.5, 3.0, 12.0, 1e3, 1e8, 1e20, 1e20, 15.0])
    c = np.array([4.0, 1e9, 3.0, 0.0, 2.0, 1.0, 1e9, 1e9])
    expected = [
        special.gammaln(4.5) - special.gammaln(0.5),
        special.gammaln(3.0 + 1e9) - special.gammaln(3.0),
        math.log(12.0 * 13.0 * 14.0),
        0.0,
        math.log(1e8) + math.log(1e8 + 1),
        math.log(1e20),
        1e9 * math.log(1e20) + 1e9 * (1e9 - 1) / 2 / 1e20,  # sum ln(x + j), j < c
        special.gammaln(15.0 + 1e9) - special.gammaln(15.0),
    ]
    np.testing.assert_allclose(_lnpoch(x, c), expected, rtol=1e-13, atol=1e-14)


def test_nsb_stable_at_huge_counts_and_large_alphabet():
    import time

    k = 1_000_000
    rng = np.random.default_rng(11)
    h_true = math.log(k)
    for n in (10**3, 10**6, 10**9):
        counts = rng.multinomial(n, np.full(k, 1.0 / k))
        start = time.perf_counter()
        h, s = hs(counts, method="nsb", alphabet_size=k, base=math.e)
        assert time.perf_counter() - start < 20.0
        assert np.isfinite(h) and np.isfinite(s) and s > 0
        h_plugin = shannon(counts, base=math.e)
        assert h_plugin < h <= h_true + 1e-9
        if n >= 10**6:
            assert abs(h - h_true) < 3 * s + 1e-6
    # huge counts on a small alphabet: close to the plug-in value, tiny posterior sd
    counts = np.array([10**9, 3 * 10**8, 5, 0, 10**9 - 1], dtype=np.int64)
    h, s = hs(counts, method="nsb", alphabet_size=5, base=math.e)
    h_plugin, s_plugin = hs(counts, base=math.e)
    assert h == pytest.approx(h_plugin, abs=1e-8)
    assert s == pytest.approx(s_plugin, rel=1e-3)
    # everything in one symbol of a huge alphabet
    h, s = hs(np.array([10**9, 0]), method="nsb", alphabet_size=k, base=math.e)
    assert 0 <= h < 1e-6 and 0 < s < 1e-6


# ---------------------------------------------------------------------------------------------
# statistical behaviour: bias on undersampled data, coverage of the normal interval
# ---------------------------------------------------------------------------------------------


def _law(name, k):
    if name == "uniform":
        return np.full(k, 1.0 / k)
    w = 1.0 / np.arange(1, k + 1)  # Zipf, exponent 1
    return w / w.sum()


@pytest.mark.parametrize("law", ["uniform", "zipf"])
@pytest.mark.parametrize("ratio", [0.5, 1.0])
def test_corrections_reduce_bias_when_undersampled(law, ratio):
    k, reps = 100, 400
    p = _law(law, k)
    h_true = -np.sum(p * np.log(p))
    counts = np.random.default_rng([17, int(ratio * 10), len(law)]).multinomial(int(ratio * k), p, size=reps)
    est = {m: shannon(counts, method=m, base=math.e, alphabet_size=k) for m in METHODS}
    bias = {m: est[m].mean() - h_true for m in METHODS}
    sem = {m: est[m].std(ddof=1) / math.sqrt(reps) for m in METHODS}  # standard error of each bias
    assert bias["plugin"] < 0
    for m in METHODS:
        if m == "plugin":
            continue
        # |bias_m| < |bias_plugin| even when each is moved 3 standard errors the wrong way
        margin = 3 * (sem[m] + sem["plugin"])
        assert abs(bias[m]) < abs(bias["plugin"]) - margin, (m, bias[m], bias["plugin"], margin)


@pytest.mark.parametrize("method", ["plugin", "miller_madow", "jackknife"])
def test_normal_interval_coverage_well_sampled(method):
    k, n, reps = 6, 2000, 400
    p = np.array([0.3, 0.25, 0.2, 0.15, 0.07, 0.03])
    h_true = -np.sum(p * np.log2(p))
    counts = np.random.default_rng(2024).multinomial(n, p, size=reps)
    h, se = hs(counts, method=method)
    lo, hi = normal_interval(h, se, 0.95)
    coverage = np.mean((lo <= h_true) & (h_true <= hi))
    assert 0.90 <= coverage <= 0.99, coverage


def test_nsb_posterior_interval_coverage_well_sampled():
    k, n, reps = 6, 500, 200
    p = np.array([0.3, 0.25, 0.2, 0.15, 0.07, 0.03])
    h_true = -np.sum(p * np.log2(p))
    counts = np.random.default_rng(99).multinomial(n, p, size=reps)
    h, sd = hs(counts, method="nsb", alphabet_size=k)
    lo, hi = normal_interval(h, sd, 0.95)
    assert 0.88 <= np.mean((lo <= h_true) & (h_true <= hi)) <= 0.995


def test_all_methods_consistent_at_large_n():
    p = np.array([0.5, 0.2, 0.2, 0.1])
    h_true = -np.sum(p * np.log2(p))
    counts = np.random.default_rng(5).multinomial(10**7, p)
    for m in METHODS:
        assert shannon(counts, method=m, alphabet_size=4) == pytest.approx(h_true, abs=1e-3)


# ---------------------------------------------------------------------------------------------
# relative entropy, mutual information, conditional entropy
# ---------------------------------------------------------------------------------------------


def test_relative_entropy_hand_values():
    # D((1/2, 1/2) || (1/4, 3/4)) = 1/2 log2 2 + 1/2 log2 (2/3)
    expected = 0.5 * 1.0 + 0.5 * math.log2(2.0 / 3.0)
    assert relative_entropy([0.5, 0.5], [0.25, 0.75]) == pytest.approx(expected, rel=1e-14)
    assert relative_entropy([3, 3], [0.25, 0.75]) == pytest.approx(expected, rel=1e-14)  # counts
    assert relative_entropy([3, 3], [0.25, 0.75], base=math.e) == pytest.approx(expected * LN2, rel=1e-14)
    assert relative_entropy([0.2, 0.8], [0.2, 0.8]) == 0.0
    assert relative_entropy([0, 1], [0.5, 0.5]) == pytest.approx(1.0)  # p_i = 0 terms vanish
    assert relative_entropy([1, 1], [1.0, 0.0]) == np.inf
    assert relative_entropy([1, 0], [1.0, 0.0]) == 0.0


def test_relative_entropy_vectorised_and_axis():
    counts = np.array([[1, 1, 2], [0, 0, 0], [3, 0, 1]])
    q = np.array([0.2, 0.3, 0.5])
    d = relative_entropy(counts, q)
    for i, row in enumerate(counts):
        if row.sum() == 0:
            assert np.isnan(d[i])
        else:
            pr = row / row.sum()
            expected = sum(pi * math.log2(pi / qi) for pi, qi in zip(pr, q) if pi > 0)
            assert d[i] == pytest.approx(expected, rel=1e-14)
    np.testing.assert_array_equal(relative_entropy(counts.T, q, axis=0), d)
    np.testing.assert_array_equal(relative_entropy(counts, np.tile(q, (3, 1))), d)


def test_relative_entropy_errors():
    with pytest.raises(ValueError, match=r"q: entries sum to 0.9 along axis -1, expected 1"):
        relative_entropy([1, 1], [0.4, 0.5])
    with pytest.raises(ValueError, match=r"p\[0\]=-1: expected non-negative values"):
        relative_entropy([-1, 1], [0.5, 0.5])
    with pytest.raises(ValueError, match=r"q\[1\]=nan: expected finite values"):
        relative_entropy([1, 1], [0.5, np.nan])
    with pytest.raises(ValueError, match=r"p: expected a non-empty array"):
        relative_entropy([], [0.5, 0.5])
    with pytest.raises(ValueError, match=r"p \(shape \(3,\)\) and q \(shape \(2,\)\) do not broadcast"):
        relative_entropy([1, 1, 1], [0.5, 0.5])
    with pytest.raises(ValueError, match=r"base=1: expected a real number"):
        relative_entropy([1, 1], [0.5, 0.5], base=1)


def test_mutual_information_hand_values():
    assert mutual_information_counts([[5, 0], [0, 5]]) == pytest.approx(1.0)
    assert mutual_information_counts([[2, 4], [1, 2]]) == pytest.approx(0.0, abs=1e-15)  # product table
    table = np.array([[10, 2, 3], [1, 8, 0]])
    pxy = table / table.sum()
    px, py = pxy.sum(1), pxy.sum(0)
    expected = sum(pxy[i, j] * math.log2(pxy[i, j] / (px[i] * py[j])) for i in range(2) for j in range(3) if pxy[i, j] > 0)
    assert mutual_information_counts(table) == pytest.approx(expected, rel=1e-13)
    # Miller-Madow: plug-in + (Kx + Ky - Kxy - 1) / (2N) in nats
    mm = mutual_information_counts(table, method="miller_madow", base=math.e)
    assert mm == pytest.approx(expected * LN2 + (2 + 3 - 5 - 1) / (2 * table.sum()), rel=1e-13)


@pytest.mark.parametrize("method", METHODS)
def test_mutual_information_and_conditional_batched(method):
    rng = np.random.default_rng(3)
    tables = rng.poisson(3.0, size=(4, 3, 5))
    mi = mutual_information_counts(tables, method=method)
    hyx = conditional_entropy_counts(tables, given_axis=-2, method=method)
    hxy = conditional_entropy_counts(tables, given_axis=2, method=method)
    nsb = method == "nsb"  # alphabet sizes come from the table's shape
    for i, t in enumerate(tables):
        h_x = shannon(t.sum(1), method=method, alphabet_size=3 if nsb else None)
        h_y = shannon(t.sum(0), method=method, alphabet_size=5 if nsb else None)
        h_xy = shannon(t.ravel(), method=method, alphabet_size=15 if nsb else None)
        assert mi[i] == pytest.approx(h_x + h_y - h_xy, rel=1e-12, abs=1e-14)
        assert hyx[i] == pytest.approx(h_xy - h_x, rel=1e-12, abs=1e-14)
        assert hxy[i] == pytest.approx(h_xy - h_y, rel=1e-12, abs=1e-14)


def test_conditional_entropy_hand_value_and_empty_table():
    # X uniform on {0, 1}; Y | X=0 uniform on 2 values, Y | X=1 constant: H(Y|X) = 1/2 bit
    assert conditional_entropy_counts([[2, 2], [4, 0]], given_axis=-2) == pytest.approx(0.5, abs=1e-15)
    # H(X|Y): Y=0 has X (2, 4), Y=1 has X (2, 0); P(Y=0) = 3/4
    expected = 0.75 * (-(1 / 3) * math.log2(1 / 3) - (2 / 3) * math.log2(2 / 3))
    assert conditional_entropy_counts([[2, 2], [4, 0]], given_axis=-1) == pytest.approx(expected, rel=1e-13)
    out = conditional_entropy_counts(np.zeros((2, 2, 2), int) + np.array([0, 1])[:, None, None], given_axis=-1)
    assert np.isnan(out[0]) and out[1] == pytest.approx(1.0)


# ------------------------------------------------------------------------------ one way to call an estimator (issue 15, sec. 5)
from entropy.estimators import Estimate, shannon_from_samples  # noqa: E402


def test_shannon_returns_an_estimate_usable_as_a_float():
    e = shannon([5, 0, 3], method="miller_madow")
    assert isinstance(e, Estimate) and e.unit == "bits" and e.method == "miller_madow"
    assert e.ci_low < e.value < e.ci_high and e.interval == (e.ci_low, e.ci_high)
    assert float(e) == e.value and e * 2 == 2 * e.value and np.exp(e) == np.exp(e.value)
    rows = shannon([[4, 0], [2, 2]])
    np.testing.assert_array_equal(rows, [0.0, 1.0])
    assert rows.mean() == 0.5 and rows.shape == (2,) and rows[1] == 1.0
    with pytest.warns(DeprecationWarning, match=r"return_stderr=True\) is deprecated"):
        h, s = shannon([5, 0, 3], return_stderr=True)
    assert (h, s) == (shannon([5, 0, 3]).value, shannon([5, 0, 3]).stderr)


def test_shannon_of_raw_samples_counts_them_first():
    # the case: 5000 samples of a 4-symbol variable read as counts gave 11.41 bits
    x = np.random.default_rng(0).integers(0, 4, size=5000)
    counts = np.bincount(x)
    expected = plugin_by_hand(counts.tolist()) / LN2
    assert float(shannon_from_samples(x)) == pytest.approx(expected, rel=1e-12)
    assert float(shannon(x, input="samples")) == pytest.approx(expected, rel=1e-12)
    assert float(shannon(counts)) == pytest.approx(expected, rel=1e-12)
    assert 1.99 < expected <= 2.0
    # symbols may be any numbers; each row is one sample
    np.testing.assert_allclose(shannon_from_samples([[7, 7, 7, 7], [1.5, -2, 1.5, -2]]).value, [0.0, 1.0])
    np.testing.assert_allclose(shannon_from_samples([[0, 1], [0, 0]], axis=0).value, [0.0, 1.0])


def test_shannon_of_probabilities_is_scipys_entropy():
    from scipy.stats import entropy as scipy_entropy

    p = np.array([0.2, 0.5, 0.3])
    e = shannon(p, input="probabilities")
    assert float(e) == pytest.approx(scipy_entropy(p, base=2), rel=1e-13)
    assert np.isnan(e.stderr)  # no sample size
    # counts follow scipy's convention for pk (a law up to normalisation)
    assert float(shannon([2, 5, 3])) == pytest.approx(scipy_entropy([2, 5, 3], base=2), rel=1e-13)
    with pytest.raises(ValueError, match=r"counts\[0\]=0.2: expected integer counts .*input='probabilities'"):
        shannon(p)
    with pytest.raises(ValueError, match=r"input='probabilities' but the entries sum to 0.9"):
        shannon([0.2, 0.4, 0.3], input="probabilities")
    with pytest.raises(ValueError, match=r"method='miller_madow': probabilities carry no sample size"):
        shannon(p, input="probabilities", method="miller_madow")
    with pytest.raises(ValueError, match=r"input='raw': expected one of 'counts', 'samples', 'probabilities'"):
        shannon([1, 2], input="raw")


def test_uniform_counts_have_the_second_order_standard_error():
    # shannon([10, 10, 10]) had a standard error of 5.8e-17: 2N(ln K - H) ~ chi2(K - 1) gives
    # sd = sqrt(2 (K - 1)) / (2N) nats
    e = shannon([10, 10, 10], base=math.e)
    assert e.stderr == pytest.approx(math.sqrt(2 * 2) / 60, rel=1e-12)
    assert e.ci_high - e.ci_low > 0.1


def test_counts_functions_return_estimates_with_errors():
    t = np.array([[8, 2], [3, 7]])
    mi = mutual_information_counts(t, base=math.e)
    n = t.sum()
    p = t / n
    g = np.log(p / (p.sum(1, keepdims=True) * p.sum(0, keepdims=True)))
    var = (p * g**2).sum() - (p * g).sum() ** 2
    assert isinstance(mi, Estimate)
    assert mi.stderr == pytest.approx(math.sqrt(var / n + 1 / (2 * n**2)), rel=1e-12)
    ce = conditional_entropy_counts(t, given_axis=-2, base=math.e)  # H(Y | X)
    g = -np.log(p / p.sum(1, keepdims=True))
    var = (p * g**2).sum() - (p * g).sum() ** 2
    assert ce.stderr == pytest.approx(math.sqrt(var / n + 2 / (2 * n**2)), rel=1e-12)
    d = relative_entropy([5, 5], [0.5, 0.5])
    assert d.value == 0.0 and d.ci_low == 0.0 and not np.signbit(d.ci_low) and d.stderr > 0
    assert np.isnan(relative_entropy([0.5, 0.5], [0.25, 0.75]).stderr)  # probabilities: no sample size
    assert mutual_information_counts([[5, 5], [5, 5]]).ci_low == 0.0  # clipped at 0


@pytest.mark.parametrize("call, exc, msg", [
    (lambda: shannon(np.array([1 + 1j, 2])), TypeError, r"counts: complex values are not supported"),
    (lambda: shannon_from_samples([1j, 2]), TypeError, r"samples: complex values are not supported"),
    (lambda: relative_entropy([1, 2], np.array([0.5, 0.5 + 0j])), TypeError, r"q: complex values"),
    (lambda: mutual_information_counts(np.ones((2, 2), complex)), TypeError, r"joint_counts: complex values"),
    (lambda: shannon([3, 4, 5], method="nsb", alphabet_size=2**70), ValueError,
     r"alphabet_size=1180591620717411303424: too large, expected an integer in \[1, 2\*\*62\]"),
    (lambda: shannon([3, 4, 5], axis=1.5), TypeError, r"axis=1.5: expected an integer in \[-1, 0\]"),
    (lambda: shannon([[3, 4, 5]], axis=2), ValueError, r"axis=2: axis 2 is out of bounds .* \[-2, 1\]"),
    (lambda: relative_entropy([1, 2], [0.5, 0.5], axis=0.5), TypeError, r"axis=0.5: expected an integer"),
])
def test_bad_arguments_are_named(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()
