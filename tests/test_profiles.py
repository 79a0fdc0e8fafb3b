"""Per-time profile estimators against the exact two-sided references."""

import numpy as np
import pytest

from entropy import MarkovChain, exact, simulate
from entropy.estimators.profiles import (
    entropy_profile,
    entropy_rate_profile,
    excess_entropy_profile,
    relative_entropy_profile,
)
from conftest import driven_cycle, random_chain

M = 100_000


@pytest.fixture(scope="module")
def setting():
    rng = np.random.default_rng(7)
    c = MarkovChain(random_chain(rng, 5))
    start = np.array([0.6, 0.4, 0, 0, 0])
    e = simulate(c, start, forward=10, backward=10, paths=M, seed=123)
    s = simulate(c, start, forward=10, backward=10, paths=M, seed=123, store=False)
    ex = exact.profiles(c, start, forward=10, backward=10)
    return c, e, s, ex


def _check(profile, ref, k=5.0, bias=0.0):
    """|estimate - exact| <= k standard errors (+ a stated first-order bias bound) wherever defined."""
    ok = np.isfinite(profile.values)
    assert ok.sum() >= len(profile.values) - 3  # at most 2k - 1 undefined ends (k <= 2)
    err = np.abs(profile.values[ok] - ref[ok])
    assert np.all(err <= k * profile.stderr[ok] + bias), np.max(err / (profile.stderr[ok] + 1e-300))


@pytest.mark.parametrize("source", ["stored", "streamed"])
def test_entropy_profile(setting, source):
    c, e, s, ex = setting
    p = entropy_profile(e if source == "stored" else s)
    assert p.unit == "bits" and p.quantity == "entropy"
    np.testing.assert_array_equal(p.times, np.arange(-10, 11))
    # plug-in bias -(K-1)/(2M ln 2) bits is < 3e-5 here: far below 5 standard errors
    _check(p, ex.entropy)
    assert np.all(p.ci_low <= p.values) and np.all(p.values <= p.ci_high)


@pytest.mark.parametrize("direction", ["forward", "backward"])
@pytest.mark.parametrize("history", [1, 2])
def test_entropy_rate_profiles_stored(setting, direction, history):
    c, e, s, ex = setting
    p = entropy_rate_profile(e, history=history, direction=direction)
    ref = ex.entropy_rate_forward if direction == "forward" else ex.entropy_rate_backward
    # plug-in conditional-entropy bias ~ (#histories)(K-1)/(2M ln2) <= 25*4/(2e5*0.69) = 7e-4 bits
    _check(p, ref, bias=25 * 4 / (2 * M * np.log(2)))
    if direction == "forward":
        assert np.isnan(p.values[:history]).all()
    else:
        assert np.isnan(p.values[-history:]).all()


@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_entropy_rate_profiles_streamed(setting, direction):
    c, e, s, ex = setting
    p = entropy_rate_profile(s, direction=direction)
    ref = ex.entropy_rate_forward if direction == "forward" else ex.entropy_rate_backward
    _check(p, ref, bias=5 * 4 / (2 * M * np.log(2)))
    # the streamed pair counts give exactly the stored-ensemble estimate
    q = entropy_rate_profile(e, direction=direction)
    np.testing.assert_allclose(p.values, q.values, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("history", [1, 2])
def test_excess_entropy_profile(setting, history):
    c, e, s, ex = setting
    p = excess_entropy_profile(e, history=history)
    # plug-in mutual information is biased upwards by about (Ka-1)(Kb-1)/(2M ln2) bits
    # (Panzeri & Treves 1996), Ka = Kb = 5**history words: allow that on top of 5 s.e.
    K = 5**history
    _check(p, ex.excess_entropy, bias=(K - 1) ** 2 / (2 * M * np.log(2)))


def test_excess_entropy_streamed_matches_stored(setting):
    c, e, s, ex = setting
    np.testing.assert_allclose(excess_entropy_profile(s).values, excess_entropy_profile(e).values, atol=1e-12, equal_nan=True)


def test_relative_entropy_profile(setting):
    c, e, s, ex = setting
    pi = c.stationary_distribution
    p = relative_entropy_profile(e, pi, method="miller_madow")
    # after the Miller-Madow correction the remaining bias is O(1/M^2); the delta-method
    # standard error degenerates where D ~ 0, so allow the first-order bias size there too
    _check(p, ex.relative_entropy, bias=4 / (2 * M * np.log(2)))


def test_plain_array_input_and_times():
    states = np.array([[0, 1, 1], [1, 1, 0], [0, 1, 0], [1, 1, 1]])
    p = entropy_profile(states, times=[-1, 0, 1])
    np.testing.assert_allclose(p.values, [1.0, 0.0, 1.0])
    assert p.at(0) == 0.0
    # hand count: h+(t=1) = H[X_1 | X_0] = 1 bit (X_0 is constant); h-(t=0) = H[X_0|X_1] = 0
    np.testing.assert_allclose(entropy_rate_profile(states).values, [np.nan, 0.0, 1.0], equal_nan=True)
    np.testing.assert_allclose(entropy_rate_profile(states, direction="backward").values, [1.0, 0.0, np.nan],
                               equal_nan=True)


def test_large_alphabet_words_do_not_overflow():
    rng = np.random.default_rng(1)
    states = rng.integers(0, 1000, size=(300, 8))
    # 1000**6 > 2**63: words are relabelled per time, exactly
    p = entropy_rate_profile(states, history=5)
    # every 6-word and every 5-word is distinct among 300 paths: H(joint) = H(hist) = log2 300
    np.testing.assert_allclose(p.values[5:], 0.0, atol=1e-12)
    e = excess_entropy_profile(states, history=3)
    np.testing.assert_allclose(e.values[3:6], np.log2(300), atol=1e-9)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: entropy_profile(np.zeros((0, 3), int)), r"expected a non-empty \(paths, times\) array"),
        (lambda: entropy_profile(np.array([[0.5, 1.0]])), r"expected integer states, got dtype float64"),
        (lambda: entropy_profile(np.array([[-1, 1]])), r"non-negative integers, found -1"),
        (lambda: entropy_profile(np.array([[0, 1]]), base=1), r"base=1"),
        (lambda: entropy_profile(np.array([[0, 1]]), confidence=1.5), r"confidence=1.5"),
        (lambda: entropy_profile(np.array([[0, 1]]), method="magic"), r"method='magic'"),
        (lambda: entropy_profile(np.array([[0, 1]]), times=[0, 1, 2]), r"times: expected 2 times"),
        (lambda: entropy_rate_profile(np.array([[0, 1]]), history=0), r"history=0: expected an integer >= 1"),
        (lambda: entropy_rate_profile(np.array([[0, 1]]), direction="sideways"), r"direction='sideways'"),
        (lambda: relative_entropy_profile(np.array([[0, 1]]), [1.0]), r"reference: expected a probability vector of length 2"),
        (lambda: relative_entropy_profile(np.array([[0, 1]]), [0.5, 0.5], method="nsb"), r"method='nsb'"),
    ],
)
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_streamed_history_limit():
    s = simulate(MarkovChain(driven_cycle()), 0, forward=3, paths=50, seed=1, store=False)
    with pytest.raises(ValueError, match=r"history=2: streamed counts hold pairs"):
        entropy_rate_profile(s, history=2)
