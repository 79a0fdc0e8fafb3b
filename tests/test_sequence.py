"""Tests of the time-pooled sequence estimators (block entropy, entropy rate, excess entropy)."""

from __future__ import annotations

import bisect
import math
from collections import Counter

import numba
import numpy as np
import pytest

from entropy.estimators.discrete import shannon
from entropy.estimators.sequence import (
    block_entropy,
    block_entropy_curve,
    entropy_rate,
    excess_entropy,
    lempel_ziv_entropy_rate,
)

# ---------------------------------------------------------------------------------------------
# independent references
# ---------------------------------------------------------------------------------------------


def word_counter(x, L):
    """Counter of the words (tuples) of L symbols of every row; no encoding."""
    c = Counter()
    for row in np.atleast_2d(x):
        row = [int(v) for v in row]
        for i in range(len(row) - L + 1):
            c[tuple(row[i:i + L])] += 1
    return c


def dict_counts(x, L):
    """Counts of the words of L symbols of every row, as an array."""
    return np.array(list(word_counter(x, L).values()), dtype=float)


def plugin_bits(counts):
    p = np.asarray(counts, float) / np.sum(counts)
    return float(-(p * np.log2(p)).sum())


def stationary(P):
    """Stationary law: left eigenvector of P for eigenvalue 1."""
    w, v = np.linalg.eig(P.T)
    pi = np.real(v[:, np.argmin(np.abs(w - 1))])
    return pi / pi.sum()


def simulate_chain(P, n, seed, rows=1):
    """Markov chain started from its stationary law (plain Python / numpy, no package code)."""
    rng = np.random.default_rng(seed)
    cum = [list(np.cumsum(r)) for r in P]
    pi_cum = list(np.cumsum(stationary(P)))
    out = np.empty((rows, n), dtype=np.int64)
    u = rng.random((rows, n))
    for r in range(rows):
        s = min(bisect.bisect_right(pi_cum, u[r, 0]), len(P) - 1)
        out[r, 0] = s
        ur = u[r]
        for t in range(1, n):
            s = min(bisect.bisect_right(cum[s], ur[t]), len(P) - 1)
            out[r, t] = s
    return out[0] if rows == 1 else out


def chain_h_E(P):
    """Exact entropy rate h = -sum_i pi_i sum_j P_ij log2 P_ij and E = I[X0; X1] = H(pi) - h (bits)."""
    pi = stationary(P)
    with np.errstate(divide="ignore", invalid="ignore"):
        lp = np.where(P > 0, np.log2(P), 0.0)
    h = -float(np.sum(pi[:, None] * P * lp))
    H1 = -float(np.sum(pi * np.log2(pi)))
    return h, H1 - h


P3 = np.array([[0.1, 0.6, 0.3], [0.5, 0.2, 0.3], [0.25, 0.25, 0.5]])

# ---------------------------------------------------------------------------------------------
# exact plug-in values on small sequences, computed by hand
# ---------------------------------------------------------------------------------------------


def test_hand_computed_single_row():
    x = [0, 0, 1, 1, 0, 1]
    # words of 2: 00, 01, 11, 10, 01 -> counts {00: 1, 01: 2, 11: 1, 10: 1}, N = 5
    H2 = math.log2(5) - 2 * math.log2(2) / 5
    # symbols: three 0 and three 1 -> 1 bit
    H1 = 1.0
    assert block_entropy(x, 2).value == pytest.approx(H2, abs=1e-14)
    assert block_entropy(x, 1).value == pytest.approx(H1, abs=1e-14)
    # default: history and target counted over the same 5 windows of 2 symbols; first
    # symbols 0, 0, 1, 1, 0 (three 0), second symbols 0, 1, 1, 0, 1 (three 1)
    Hp = math.log2(5) - (3 * math.log2(3) + 2) / 5
    assert entropy_rate(x, 1).value == pytest.approx(H2 - Hp, abs=1e-14)
    assert excess_entropy(x, 1).value == pytest.approx(2 * Hp - H2, abs=1e-14)
    # windows="all": each block entropy over all its windows (the former convention)
    assert entropy_rate(x, 1, windows="all").value == pytest.approx(H2 - H1, abs=1e-14)
    assert excess_entropy(x, 1, windows="all").value == pytest.approx(2 * H1 - H2, abs=1e-14)
    # words of 3: 001, 011, 110, 101 -> 4 distinct, each once -> 2 bits
    curve = block_entropy_curve(x, 3)
    np.testing.assert_allclose(curve.block_entropy.value, [H1, H2, 2.0], atol=1e-14)
    np.testing.assert_allclose(curve.entropy_rate.value, [H1, H2 - H1, 2.0 - H2], atol=1e-14)
    np.testing.assert_allclose(curve.excess_entropy_intercept.value, [0.0, H2 - 2 * (H2 - H1), 2.0 - 3 * (2.0 - H2)],
                               atol=1e-14)
    assert curve.unit == "bits"


def test_hand_computed_rows_never_straddle():
    x = np.array([[0, 1, 0], [1, 1, 0]])
    # row 1: 01, 10; row 2: 11, 10 -> {01: 1, 10: 2, 11: 1}: 1.5 bits (the straddling 0|1 is not a word)
    e = block_entropy(x, 2, base=2)
    assert e.value == pytest.approx(1.5, abs=1e-14)
    assert e.unit == "bits"
    # in nats
    assert block_entropy(x, 2, base=math.e).value == pytest.approx(1.5 * math.log(2), abs=1e-14)
    assert block_entropy(x, 2, base=math.e).unit == "nats"
    # symbols 0, 1, 0, 1, 1, 0: three 0 and three 1 -> 1 bit
    assert block_entropy(x, 1).value == pytest.approx(1.0, abs=1e-14)


def test_other_methods_go_through_shannon():
    x = simulate_chain(P3, 3000, seed=5)
    for method in ("miller_madow", "grassberger", "chao_shen", "jackknife"):
        expected = float(shannon(dict_counts(x, 3), method=method))
        assert block_entropy(x, 3, method=method).value == pytest.approx(expected, rel=1e-12)
    expected = float(shannon(dict_counts(x, 2), method="nsb", alphabet_size=9))
    assert block_entropy(x, 2, method="nsb").value == pytest.approx(expected, rel=1e-9)


# ---------------------------------------------------------------------------------------------
# exact encodings: large alphabets and long words agree with a dict-based count
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "alphabet, L, shape",
    [
        (1000, 3, (4, 2500)),  # 1e9 words: sorted int64 codes
        (2, 40, (6000,)),  # 2^40 words: sorted int64 codes
        (1000, 8, (3, 400)),  # 1e24 words > 2^63: exact relabelling
        (7, 25, (2, 1500)),  # 7^25 > 2^63: relabelling beyond 22 symbols
        (3, 6, (9, 40)),  # dense table
    ],
)
def test_large_alphabet_and_long_words_match_dict_count(alphabet, L, shape):
    rng = np.random.default_rng(alphabet + L)
    if alphabet == 2:
        x = (rng.random(shape) < 0.1).astype(np.int64)  # low entropy: repeated words
    else:
        x = rng.integers(0, alphabet, size=shape)
        x[..., ::5] = 0  # some repeated structure
    assert block_entropy(x, L).value == pytest.approx(plugin_bits(dict_counts(x, L)), rel=1e-12)
    curve = block_entropy_curve(x, L)
    for ell in sorted({1, 2, L // 2, L - 1, L}):
        assert curve.block_entropy.value[ell - 1] == pytest.approx(plugin_bits(dict_counts(x, ell)), rel=1e-12)


def test_sparse_symbols_are_relabelled_exactly():
    rng = np.random.default_rng(3)
    x = rng.choice(np.array([5, 10**12, 7 * 10**15]), size=2000)
    for L in (1, 3, 30):
        assert block_entropy(x, L).value == pytest.approx(plugin_bits(dict_counts(x, L)), rel=1e-12)


# ---------------------------------------------------------------------------------------------
# IID and Markov chains: exact h and E recovered within the batch-means standard error
# ---------------------------------------------------------------------------------------------
# Tolerance: 5 standard errors. The batch-means standard error (20 segments) is itself
# estimated to about 1/sqrt(2 * 19) = 16 %, so 5 estimated standard errors are at least
# about 4 true ones; the plug-in bias, about (number of words) / (2 N ln 2) < 3e-4 bits here,
# is far below one standard error (about 3e-3 bits). Each check also bounds the standard
# error from above so that a huge one cannot make the test vacuous.


def _check(est, exact, se_max):
    assert 0 < est.stderr < se_max, est
    assert abs(est.value - exact) < 5 * est.stderr, (est, exact)
    assert est.ci_low < est.value < est.ci_high


def test_iid_recovers_entropy_and_zero_excess_entropy():
    p = np.array([0.2, 0.3, 0.5])
    x = np.random.default_rng(11).choice(3, size=200_000, p=p)
    H = -float(np.sum(p * np.log2(p)))
    for k in (1, 2, 3):
        _check(entropy_rate(x, k), H, 0.02)
        _check(excess_entropy(x, k), 0.0, 0.02)
    _check(block_entropy(x, 2), 2 * H, 0.02)


@pytest.mark.parametrize("rows", [1, 40])
def test_markov_chain_h_and_E(rows):
    n = 200_000 // rows
    x = simulate_chain(P3, n, seed=21 + rows, rows=rows)
    h, E = chain_h_E(P3)
    for k in (1, 2):
        _check(entropy_rate(x, k), h, 0.02)
        _check(excess_entropy(x, k), E, 0.02)
    curve = block_entropy_curve(x, 4)
    # h(L) = H(L) - H(L-1) is the rate given L - 1 past symbols: exact for L >= 2
    for L in (2, 3, 4):
        est = curve.entropy_rate
        assert abs(est.value[L - 1] - h) < 5 * est.stderr[L - 1]
        # E(L) = H(L) - L h(L) = H(1) - h = E for an order-1 chain, L >= 2
        est = curve.excess_entropy_intercept
        assert abs(est.value[L - 1] - E) < 5 * est.stderr[L - 1]


def test_two_state_chain_backward_equals_forward():
    P2 = np.array([[0.9, 0.1], [0.3, 0.7]])
    x = simulate_chain(P2, 50_000, seed=8)
    h, E = chain_h_E(P2)
    fwd = entropy_rate(x, 2)
    bwd = entropy_rate(x, 2, direction="backward")
    _check(bwd, h, 0.02)
    _check(excess_entropy(x, 2, direction="backward"), E, 0.02)
    # the history counts of the two directions differ by one window (the row's first history
    # against its last) out of N = 49 998: a plug-in entropy moves by at most about
    # 2 log2(N) / N = 6.2e-4 bits when one sample changes
    assert abs(fwd.value - bwd.value) < 2 * math.log2(49_998) / 49_998
    fa = entropy_rate(x, 2, windows="all")
    assert fa.value == pytest.approx(entropy_rate(x, 2, direction="backward", windows="all").value, abs=1e-12)


# ---------------------------------------------------------------------------------------------
# direction="backward" is the forward analysis of the reversed rows
# ---------------------------------------------------------------------------------------------


def test_backward_is_forward_on_reversed_rows():
    x = simulate_chain(P3, 3000, seed=2, rows=3)
    rev = x[:, ::-1]
    for f, arg in ((block_entropy, 3), (entropy_rate, 2), (excess_entropy, 2)):
        b = f(x, arg, direction="backward")
        r = f(rev, arg)
        assert b.value == r.value and b.stderr == r.stderr
    cb = block_entropy_curve(x, 5, direction="backward")
    cr = block_entropy_curve(rev, 5)
    np.testing.assert_array_equal(cb.excess_entropy_intercept.value, cr.excess_entropy_intercept.value)
    np.testing.assert_array_equal(cb.entropy_rate.stderr, cr.entropy_rate.stderr)


def test_same_numbers_on_one_thread():
    x = simulate_chain(P3, 20_000, seed=13)
    a = block_entropy_curve(x, 6)
    n = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        b = block_entropy_curve(x, 6)
    finally:
        numba.set_num_threads(n)
    np.testing.assert_array_equal(a.block_entropy.value, b.block_entropy.value)
    np.testing.assert_array_equal(a.excess_entropy_intercept.stderr, b.excess_entropy_intercept.stderr)


def test_no_batches_gives_nan_stderr():
    e = block_entropy([0, 1, 1, 0, 1, 0, 0, 1], 2, n_blocks=0)
    assert math.isnan(e.stderr) and e.extra["n_blocks"] == 0


# ---------------------------------------------------------------------------------------------
# Lempel-Ziv complexity
# ---------------------------------------------------------------------------------------------


def brute_match_lengths(x):
    """Lambda_i = 1 + longest l with x[j:j+l] == x[i:i+l] for some j < i (overlap allowed)."""
    x = [int(v) for v in x]
    n = len(x)
    out = []
    for i in range(n):
        best = 0
        for j in range(i):
            ell = 0
            while i + ell < n and x[j + ell] == x[i + ell]:
                ell += 1
            best = max(best, ell)
        out.append(best + 1)
    return np.array(out)


def test_lempel_ziv_kaspar_schuster_example():
    # Kaspar & Schuster (1987): 0 | 001 | 10 | 100 | 1000 | 101 -> c = 6
    x = [int(c) for c in "0001101001000101"]
    e = lempel_ziv_entropy_rate(x, n_blocks=0)
    assert list(e.extra["complexity"]) == [6]
    assert e.value == pytest.approx(6 * math.log2(16) / 16, abs=1e-14)
    assert lempel_ziv_entropy_rate(x, base=math.e, n_blocks=0).value == pytest.approx(6 * math.log(16) / 16)


def test_lempel_ziv_constant_and_periodic():
    # constant: 0 | 000...0 -> c = 2; period 2: 0 | 1 | 0101... -> c = 3
    assert list(lempel_ziv_entropy_rate(np.zeros(1000, int)).extra["complexity"]) == [2]
    e = lempel_ziv_entropy_rate(np.tile([0, 1], 500))
    assert list(e.extra["complexity"]) == [3]
    assert e.value == pytest.approx(3 * math.log2(1000) / 1000)


@pytest.mark.parametrize("alphabet, n, periodic", [(2, 300, False), (3, 200, True), (6, 150, False)])
def test_match_lengths_and_both_estimators_against_brute_force(alphabet, n, periodic):
    rng = np.random.default_rng(n)
    x = rng.integers(0, alphabet, n)
    if periodic:
        x = np.tile(x[:7], n // 7 + 1)[:n]
    lam = brute_match_lengths(x)
    # LZ76 phrases: each phrase is Lambda at its start
    i, c = 0, 0
    while i < n:
        c, i = c + 1, i + lam[i]
    e = lempel_ziv_entropy_rate(x, n_blocks=0)
    assert list(e.extra["complexity"]) == [c]
    k = lempel_ziv_entropy_rate(x, method="kontoyiannis", n_blocks=0)
    expected = 1.0 / np.mean(lam[1:] / np.log2(np.arange(2, n + 1)))
    assert k.value == pytest.approx(expected, rel=1e-12)
    # rows: the mean of the per-row estimates
    two = lempel_ziv_entropy_rate(np.stack([x, x[::-1]]), method="kontoyiannis", n_blocks=0)
    lam_r = brute_match_lengths(x[::-1])
    expected_r = 1.0 / np.mean(lam_r[1:] / np.log2(np.arange(2, n + 1)))
    assert two.value == pytest.approx((expected + expected_r) / 2, rel=1e-12)


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: block_entropy([0, 1, 0.5, 1], 1), r"series\[2\]=0.5: expected non-negative integer"),
        (lambda: block_entropy([0, -1, 1, 1], 1), r"series\[1\]=-1: expected non-negative integer"),
        (lambda: block_entropy([], 1), "series: expected a non-empty"),
        (lambda: block_entropy(np.zeros((2, 2, 2), int), 1), "series: expected a 1-D or 2-D"),
        (lambda: block_entropy(["a", "b"], 1), "series: expected non-negative integer symbols"),
        (lambda: block_entropy([0, 1, 1], 0), "length=0"),
        (lambda: block_entropy([0, 1, 1], 3), "length=3: needs words of 3 symbols"),
        (lambda: block_entropy([0, 1, 1], 1.5), "length=1.5"),
        (lambda: entropy_rate([0, 1, 1, 0], 0), "history=0"),
        (lambda: entropy_rate([0, 1, 1, 0], 3), "history=3"),
        (lambda: excess_entropy([0, 1, 1, 0], 2), "history=2: needs words of 4 symbols"),
        (lambda: block_entropy_curve([0, 1, 1, 0], 4), "max_length=4"),
        (lambda: block_entropy([0, 1, 1], 1, method="mle"), "method='mle'"),
        (lambda: block_entropy([0, 1, 1], 1, direction="sideways"), "direction='sideways'"),
        (lambda: entropy_rate([0, 1, 1], 1, base=1), "base=1"),
        (lambda: block_entropy([0, 1, 1], 1, base=-2), "base=-2"),
        (lambda: block_entropy([0, 1, 1], 1, n_blocks=-1), "n_blocks=-1"),
        (lambda: entropy_rate([0, 1, 1], 1, windows="some"), "windows='some'"),
        (lambda: block_entropy([0, 1, 1], 1, confidence=1.5), "confidence=1.5"),
        (lambda: lempel_ziv_entropy_rate([1]), "series: rows of 1 symbol"),
        (lambda: lempel_ziv_entropy_rate([0, 1], base=0), "base=0"),
        (lambda: lempel_ziv_entropy_rate([0, 1], method="lz78"), "method='lz78'"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------------------------------------
# the field's conventions: equal to pyinform (inform) on short series
# ---------------------------------------------------------------------------------------------


def _pyinform():
    """pyinform's block_entropy and entropy_rate, or skip (not installed, or its bundled C
    library does not load on this platform)."""
    try:
        from pyinform.blockentropy import block_entropy as be
        from pyinform.entropyrate import entropy_rate as er
    except (ImportError, OSError) as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"pyinform unavailable: {exc}")
    return be, er


@pytest.mark.parametrize("alphabet", [2, 4])
@pytest.mark.parametrize("rows", [1, 3])
def test_equal_to_pyinform_on_short_series(alphabet, rows):
    pyinform_be, pyinform_er = _pyinform()
    rng = np.random.default_rng(100 * alphabet + rows)
    for n in (5, 6, 8, 11, 17, 25, 50):
        x = rng.integers(0, alphabet, size=(rows, n) if rows > 1 else n)
        x[..., 0] = alphabet - 1  # pyinform infers the alphabet from the largest symbol
        for k in range(1, min(n - 1, 5)):
            assert entropy_rate(x, k).value == pytest.approx(pyinform_er(x, k), abs=1e-12)
            assert block_entropy(x, k).value == pytest.approx(pyinform_be(x, k), abs=1e-12)


def test_issue_examples_are_not_negative():
    # the former convention gave -0.0817 and -0.0561 bits
    assert entropy_rate([0, 1, 0, 1], 1).value == 0.0
    assert entropy_rate([0, 1, 0, 1], 1, windows="all").value == pytest.approx(-0.0817, abs=1e-4)
    E = excess_entropy([0, 0, 0, 1, 0], 1).value
    # windows 00, 00, 01, 10: past 0,0,0,1 and future 0,0,1,0 -> I = 2 H(1/4) - H(1/2, 1/4, 1/4)
    Hq = -(0.25 * math.log2(0.25) + 0.75 * math.log2(0.75))
    assert E == pytest.approx(2 * Hq - 1.5, abs=1e-14) and E > 0
    # short golden-mean series: h in [0, 1] bit for every one of them
    rng = np.random.default_rng(4)
    for _ in range(200):
        x = [0]
        for _ in range(9):
            x.append(0 if x[-1] == 1 else int(rng.random() < 0.5))
        h = entropy_rate(x, 1).value
        assert 0.0 <= h <= 1.0


def test_deprecated_names_warn_and_still_work():
    x = simulate_chain(P3, 2000, seed=3)
    with pytest.warns(DeprecationWarning, match="n_blocks"):
        e = block_entropy(x, 2, n_batches=5)
    assert e.extra["n_blocks"] == 5 and e.stderr == block_entropy(x, 2, n_blocks=5).stderr
    curve = block_entropy_curve(x, 3)
    with pytest.warns(DeprecationWarning, match="excess_entropy_intercept"):
        old = curve.excess_entropy
    assert old is curve.excess_entropy_intercept
    assert entropy_rate(x).extra["history"] == 1 and excess_entropy(x).extra["history"] == 1
