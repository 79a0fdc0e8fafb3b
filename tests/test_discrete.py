"""Tests of entropy.estimators.discrete against independent calculations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, special

from entropy.estimators.discrete import METHODS, shannon

LN2 = math.log(2.0)


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
    """G(n) = psi(n) + (-1)^n * int_0^1 t^(n-1) / (1 + t) dt (Grassberger 2003, eq. 30)."""
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
    h, s = shannon(counts, method="jackknife", base=math.e, return_stderr=True)
    assert h == pytest.approx(est, rel=1e-12, abs=1e-13)
    assert s == pytest.approx(se, rel=1e-10, abs=1e-13)


def test_jackknife_single_sample_is_nan():
    assert np.isnan(shannon([0, 1, 0], method="jackknife"))


def test_plugin_delta_method_stderr_by_hand():
    counts = [3, 1, 2, 6]
    n = sum(counts)
    p = np.array(counts) / n
    h = -np.sum(p * np.log(p))
    se = math.sqrt((np.sum(p * np.log(p) ** 2) - h**2) / n)
    for m in ("plugin", "miller_madow", "grassberger", "chao_shen"):
        _, s = shannon(counts, method=m, base=math.e, return_stderr=True)
        assert s == pytest.approx(se, rel=1e-12)
    _, s2 = shannon(counts, method="plugin", base=2, return_stderr=True)
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
        h, s = shannon(table, method=method, axis=axis, return_stderr=True, **kw)
        moved = np.moveaxis(table, axis, -1)
        assert h.shape == moved.shape[:-1]
        for idx in np.ndindex(moved.shape[:-1]):
            hi, si = shannon(moved[idx], method=method, return_stderr=True, **kw)
            assert h[idx] == pytest.approx(hi, rel=1e-12, abs=1e-14, nan_ok=True)
            assert s[idx] == pytest.approx(si, rel=1e-12, abs=1e-14, nan_ok=True)


@pytest.mark.parametrize("method", METHODS)
def test_empty_slice_gives_nan(method):
    kw = {"alphabet_size": 5} if method == "nsb" else {}
    h, s = shannon([[0, 0, 0], [1, 2, 3], [0, 0, 0]], method=method, return_stderr=True, **kw)
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
    with pytest.raises(ValueError, match=r"method='mle': expected one of 'plugin', 'miller_madow'"):
        shannon([1, 2], method="mle")


@pytest.mark.skipif("nsb" not in METHODS, reason="nsb not yet added")
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
