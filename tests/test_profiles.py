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
    p = entropy_profile(states, times=[-1, 0, 1], method="plugin")
    np.testing.assert_allclose(p.values, [1.0, 0.0, 1.0])
    assert p.at(0) == 0.0
    # hand count: h+(t=1) = H[X_1 | X_0] = 1 bit (X_0 is constant); h-(t=0) = H[X_0|X_1] = 0
    np.testing.assert_allclose(entropy_rate_profile(states, method="plugin").values, [np.nan, 0.0, 1.0], equal_nan=True)
    np.testing.assert_allclose(entropy_rate_profile(states, direction="backward", method="plugin").values, [1.0, 0.0, np.nan],
                               equal_nan=True)


def test_large_alphabet_words_do_not_overflow():
    rng = np.random.default_rng(1)
    states = rng.integers(0, 1000, size=(300, 8))
    # 1000**6 > 2**63: words are relabelled per time, exactly
    p = entropy_rate_profile(states, history=5, method="plugin")
    # every 6-word and every 5-word is distinct among 300 paths: H(joint) = H(hist) = log2 300
    np.testing.assert_allclose(p.values[5:], 0.0, atol=1e-12)
    e = excess_entropy_profile(states, history=3, method="plugin")
    np.testing.assert_allclose(e.values[3:6], np.log2(300), atol=1e-9)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: entropy_profile(np.zeros((0, 3), int)), r"expected a non-empty \(paths, times\) array"),
        (lambda: relative_entropy_profile(np.array([[0.5, 1.0]]), [0.5, 0.5]), r"expected integer states, got dtype float64"),
        (lambda: entropy_profile(np.array([[0.5, np.nan]])), r"real-valued states must be finite"),
        (lambda: entropy_profile(np.array([[0.5, 1.0], [0.25, 2.0]]), method="plugin"), r"method='plugin': real-valued"),
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
    with pytest.raises(ValueError, match=r"history=2: needs words of 3 symbols, but the streamed counts hold words of 2"):
        entropy_rate_profile(s, history=2)
    with pytest.raises(ValueError, match=r"history=1: needs words of 2 symbols"):
        excess_entropy_profile(simulate(MarkovChain(driven_cycle()), 0, forward=3, paths=50, seed=1, store=False,
                                        pairs=False))


@pytest.mark.parametrize("k", [1, 2, 3])
def test_streamed_word_counts_give_the_stored_estimates(k):
    """word_length=L streaming: h+- with history L-1 and E with 2k <= L equal the stored-path values."""
    rng = np.random.default_rng(4)
    c = MarkovChain(random_chain(rng, 4))
    e = simulate(c, 0, forward=6, backward=6, paths=3000, seed=2)
    s = simulate(c, 0, forward=6, backward=6, paths=3000, seed=2, store=False, word_length=4, chunk_size=512)
    for direction in ("forward", "backward"):
        a = entropy_rate_profile(e, history=k, direction=direction, method="grassberger")
        b = entropy_rate_profile(s, history=k, direction=direction, method="grassberger")
        np.testing.assert_allclose(b.values, a.values, atol=1e-12, equal_nan=True)
        np.testing.assert_allclose(b.stderr, a.stderr, atol=1e-12, equal_nan=True)
    if 2 * k <= 4:
        np.testing.assert_allclose(excess_entropy_profile(s, history=k).values, excess_entropy_profile(e, history=k).values,
                                   atol=1e-12, equal_nan=True)
    # the pair counts derived from the 4-words equal the directly streamed ones
    s2 = simulate(c, 0, forward=6, backward=6, paths=3000, seed=2, store=False)
    np.testing.assert_array_equal(s.pair_counts, s2.pair_counts)


def test_word_length_validation():
    c = MarkovChain(driven_cycle())
    with pytest.raises(ValueError, match=r"word_length=1: expected an integer >= 2"):
        simulate(c, 0, forward=3, paths=10, store=False, word_length=1)
    with pytest.raises(ValueError, match=r"word_length=9: longer than the 4 times simulated"):
        simulate(c, 0, forward=3, paths=10, store=False, word_length=9)


# ----------------------------------------------------------------------------- irreversibility
from conftest import reversible_chain  # noqa: E402
from entropy.estimators.profiles import irreversibility_profile  # noqa: E402


def test_irreversibility_profile_points_away_from_t0_for_a_reversible_chain():
    rng = np.random.default_rng(3)
    c = MarkovChain(reversible_chain(rng, 4))
    start = np.array([0.7, 0.1, 0.1, 0.1])
    Mp = 200_000
    ex = exact.profiles(c, start, forward=8, backward=8)
    s = simulate(c, start, forward=8, backward=8, paths=Mp, seed=1, store=False)
    p = irreversibility_profile(s)
    assert np.isnan(p.values[8]) and np.isnan(ex.irreversibility[8])
    # exact: positive near t0 on both sides, symmetric in |t - t0|, decaying to 0
    np.testing.assert_allclose(ex.irreversibility, ex.irreversibility[::-1], atol=1e-12, equal_nan=True)
    assert ex.irreversibility[9] > ex.irreversibility[10] > ex.irreversibility[12] > 0
    # estimate: plug-in KL with zero truth is biased up by about df/(2M), df = K(K-1)/2 = 6
    # unordered pairs (chi-square asymptotics); allow 5 s.e. plus 5 times that bias
    bias = 5 * 6 / Mp / np.log(2)
    ok = np.isfinite(p.values)
    assert np.all(np.abs(p.values[ok] - ex.irreversibility[ok]) <= 5 * p.stderr[ok] + bias)
    # symmetric in |t - t0| within error bars
    fwd, bwd = p.values[9:], p.values[7::-1]
    se = np.hypot(p.stderr[9:], p.stderr[7::-1])
    assert np.all(np.abs(fwd - bwd) <= 5 * se + bias)


def test_irreversibility_profile_of_stationary_driven_cycle_is_entropy_production():
    c = MarkovChain(driven_cycle(0.8))
    pi = np.full(3, 1 / 3)
    e = simulate(c, pi, forward=3, backward=3, paths=100_000, seed=5)
    p = irreversibility_profile(e, base=np.e)
    sigma = c.entropy_production(base=np.e)
    ok = np.isfinite(p.values)
    assert ok.sum() == 6
    assert np.all(np.abs(p.values[ok] - sigma) <= 5 * p.stderr[ok])
    # both arms read away from t0 show the same positive arrow
    assert p.unit == "nats"


def test_irreversibility_unmatched_pairs_are_explicit():
    states = np.array([[0, 1], [0, 1], [1, 1]])
    raw = irreversibility_profile(states, unmatched="inf")
    assert raw.values[1] == np.inf
    pc = irreversibility_profile(states)
    assert np.isfinite(pc.values[1]) and pc.values[1] > 0
    assert pc.extra["unmatched"][1] == 1
    with pytest.raises(ValueError, match=r"unmatched='drop'"):
        irreversibility_profile(states, unmatched="drop")
    with pytest.raises(ValueError, match=r"pseudocount=0"):
        irreversibility_profile(states, pseudocount=0)


# ----------------------------------------------------------------------------- intervals
@pytest.mark.parametrize("method", ["plugin", "miller_madow"])
def test_interval_coverage_over_repeated_ensembles(method):
    """95% normal intervals cover the exact H(t) 90-99% of the time over 300 seeded ensembles.

    With 300 replicates the coverage estimate has s.e. sqrt(.95*.05/300) = 1.3%, so a correct
    95% interval falls in [90%, 99%] with probability > 0.99.
    """
    rng = np.random.default_rng(11)
    c = MarkovChain(random_chain(rng, 4))
    ex = exact.profiles(c, 0, forward=3, backward=3)
    hits = np.zeros(7)
    defined = np.zeros(7)
    for rep in range(300):
        s = simulate(c, 0, forward=3, backward=3, paths=3000, seed=1000 + rep, store=False)
        p = entropy_profile(s, method=method)
        ok = p.stderr > 0
        hits += ok & (p.ci_low <= ex.entropy) & (ex.entropy <= p.ci_high)
        defined += ok
    cov = hits[defined > 0].sum() / defined[defined > 0].sum()
    assert 0.90 <= cov <= 0.99, cov


def test_bootstrap_interval_agrees_with_delta_method_and_is_seeded(setting):
    c, e, s, ex = setting
    small = e.states[:5000]
    a = entropy_rate_profile(small, history=2, ci="bootstrap", n_boot=60, seed=3, times=e.times)
    b = entropy_rate_profile(small, history=2, ci="bootstrap", n_boot=60, seed=3, times=e.times)
    np.testing.assert_array_equal(a.ci_low, b.ci_low)
    n = entropy_rate_profile(small, history=2, times=e.times)
    ok = np.isfinite(n.values) & (n.stderr > 0)
    # bootstrap s.d. of 60 replicates is within ~ +/-30% of the delta-method s.e. (chi
    # distribution with 59 d.o.f.: 5 s.d. = 5 * 0.09); allow a factor 1.5 either way
    ratio = a.stderr[ok] / n.stderr[ok]
    assert np.all((ratio > 1 / 1.5) & (ratio < 1.5)), ratio
    assert a.extra["ci"] == "bootstrap"
    # streamed counts bootstrap multinomially
    sb = entropy_profile(s, ci="bootstrap", n_boot=30, seed=1)
    ok = sb.stderr > 0
    assert np.all(sb.ci_low[ok] <= sb.values[ok] + 1e-12)
    with pytest.raises(ValueError, match=r"ci='exact'"):
        entropy_profile(s, ci="exact")
    with pytest.raises(ValueError, match=r"n_boot=1"):
        entropy_profile(s, ci="bootstrap", n_boot=1)


# ----------------------------------------------------------------------------- real-valued ensembles
def test_continuous_profiles_of_brownian_motion_match_exact():
    """Brownian motion from a point: h(t) = 1/2 log2(2 pi e sigma^2 |t|) on both arms, the rate
    h[X_t | X_t-1] = 1/2 log2(2 pi e sigma^2 dt) (independent increments) and E(t) = I[X_t-1; X_t]."""
    from entropy import BrownianMotion

    sigma, dt, M = 1.5, 0.1, 4000
    e = simulate(BrownianMotion(sigma=sigma), 0.0, forward=6, backward=6, dt=dt, paths=M, seed=3)
    t = e.times
    H = entropy_profile(e, method="gaussian")
    assert H.values[6] == -np.inf
    ok = t != 0
    ref = 0.5 * np.log2(2 * np.pi * np.e * sigma**2 * np.abs(t[ok]))
    # Gaussian estimator is exactly unbiased (Ahmed & Gokhale); 5 standard errors
    assert np.all(np.abs(H.values[ok] - ref) <= 5 * H.stderr[ok])
    Hk = entropy_profile(e)  # kNN: bias at n = 4000 in 1-d is below 0.01 nats
    assert Hk.method == "knn" and np.all(np.abs(Hk.values[ok] - ref) <= 5 * Hk.stderr[ok] + 0.02)
    rate = 0.5 * np.log2(2 * np.pi * np.e * sigma**2 * dt)
    hf = entropy_rate_profile(e, method="gaussian")
    hb = entropy_rate_profile(e, direction="backward", method="gaussian")
    assert hf.values[6] == -np.inf  # X_0 is a point
    # forward arm read forwards: independent increments, h+ = the one-step rate
    assert np.all(np.abs(hf.values[7:] - rate) <= 5 * hf.stderr[7:])
    # forward arm read backwards: h[X_s | X_s+1] has conditional variance v s2/(v + s2), v = Var X_s
    v = sigma**2 * dt * np.arange(1, 6)
    ref_b = 0.5 * np.log2(2 * np.pi * np.e * v * sigma**2 * dt / (v + sigma**2 * dt))
    assert np.all(np.abs(hb.values[7:12] - ref_b) <= 5 * hb.stderr[7:12])
    # the backward arm is again Brownian motion, so its forward rate (read towards t0) mirrors that
    assert np.all(np.abs(hf.values[1:6] - ref_b[::-1]) <= 5 * hf.stderr[1:6])
    s2 = v
    E = excess_entropy_profile(e, method="gaussian")
    ref_e = 0.5 * np.log2((s2 + sigma**2 * dt) / (sigma**2 * dt))  # I[X_t; X_t+1], t = 1..5
    assert E.values[6] == 0.0 and E.values[7] == 0.0
    assert np.all(np.abs(E.values[8:13] - ref_e) <= 5 * E.stderr[8:13] + 1e-3)


# ----------------------------------------------------------------------------- error bars that cover (issue 15)
# A non-circulant 3-state chain from a point start (benchmarks/interval_coverage.py measures
# more settings): the nominal 95 % intervals of the default method of every per-time quantity
# must cover the exact value 0.90-0.99 of the time at M = 30 paths. 200 ensembles x |t| = 1..5
# give 1000 intervals: the standard error of a coverage near 0.95 is sqrt(.95 * .05 / 1000) =
# 0.007, so the band 0.90-0.99 is > 5 s.e. from 0.95 on both sides. Before the second-order
# and bias-aware terms the same test measured h+ 0.84, h- 0.83, E 0.88 (Miller-Madow).
_P3 = np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.25, 0.25, 0.5]])


def _point_start_ensembles(M, reps, seed, T=7):
    rng = np.random.default_rng(seed)
    cum = np.cumsum(_P3, axis=1)
    x = np.zeros((reps * M, T), np.int64)
    for t in range(1, T):
        x[:, t] = (rng.random(reps * M)[:, None] > cum[x[:, t - 1]]).sum(axis=1)
    return x.reshape(reps, M, T)


def _h2(p):
    p = np.asarray(p, float).ravel()
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


def _exact3(T=7):
    p = [np.eye(3)[0]]
    for _ in range(1, T):
        p.append(p[-1] @ _P3)
    w, v = np.linalg.eig(_P3.T)
    pi = np.real(v[:, np.argmin(abs(w - 1))])
    pi /= pi.sum()
    ex = {q: np.full(T, np.nan) for q in ("H", "h+", "h-", "E", "D", "sigma")}
    for t in range(T):
        ex["H"][t] = _h2(p[t])
        ex["D"][t] = sum(a * np.log2(a / b) for a, b in zip(p[t], pi) if a > 0)
        if t >= 1:
            J = p[t - 1][:, None] * _P3
            ex["h+"][t] = _h2(J) - _h2(p[t - 1])
            ex["E"][t] = _h2(p[t - 1]) + _h2(p[t]) - _h2(J)
            one_way = (J > 0) & (J.T == 0)  # t = 1 from a point start: infinite
            m = (J > 0) & (J.T > 0)
            ex["sigma"][t] = np.inf if one_way.any() else float((J[m] * np.log2(J[m] / J.T[m])).sum())
        if t <= T - 2:
            ex["h-"][t] = _h2(p[t][:, None] * _P3) - _h2(p[t + 1])
    return ex


@pytest.mark.parametrize("quantity", ["H", "h+", "h-", "E", "D", "sigma"])
def test_default_intervals_cover_at_30_paths(quantity):
    w, v = np.linalg.eig(_P3.T)
    pi = np.real(v[:, np.argmin(abs(w - 1))])
    pi /= pi.sum()
    fn = {"H": entropy_profile, "h+": entropy_rate_profile,
          "h-": lambda x: entropy_rate_profile(x, direction="backward"), "E": excess_entropy_profile,
          "D": lambda x: relative_entropy_profile(x, pi), "sigma": irreversibility_profile}[quantity]
    ex = _exact3()[quantity]
    ts = np.arange(1, 6)
    hits = 0
    for x in _point_start_ensembles(30, 200, seed=11):
        p = fn(x)
        with np.errstate(invalid="ignore"):  # inf - 1e-12 <= inf: an infinite truth is covered by [lo, inf]
            hits += np.sum((p.ci_low[ts] <= ex[ts] + 1e-12) & (ex[ts] - 1e-12 <= p.ci_high[ts]))
    cov = hits / (200 * len(ts))
    assert 0.90 <= cov <= 0.99, cov


def test_uniform_law_has_a_positive_error_bar():
    # 2N(ln K - H) ~ chi2(K - 1) at a uniform law: sd = sqrt((K - 1) / 2) / N nats
    states = np.repeat(np.arange(3), 10)[:, None]
    p = entropy_profile(states, method="plugin", base=np.e)
    assert p.stderr[0] == pytest.approx(np.sqrt(2 / 2) / 30, rel=1e-12)
    assert p.ci_high[0] > p.ci_low[0]


def test_nonnegative_intervals_are_clipped_and_never_negative_zero():
    rng = np.random.default_rng(2)
    x = rng.integers(0, 3, size=(40, 6))  # independent columns: E = 0, D(p || uniform) ~ 0
    x[:, 0] = 0
    x[:37, 1] = 0  # nearly deterministic: plug-in H(t = 1) = 0.17 bits +/- 0.13, the normal interval reaches below 0
    for p in (excess_entropy_profile(x), relative_entropy_profile(x, np.full(3, 1 / 3)),
              irreversibility_profile(x), entropy_profile(x), entropy_rate_profile(x),
              entropy_rate_profile(x, ci="bootstrap", n_boot=20)):
        ok = np.isfinite(p.ci_low)
        assert np.all(p.ci_low[ok] >= 0)
        assert not np.any(np.signbit(p.ci_low[ok]))
        assert not np.any(np.signbit(p.values[np.isfinite(p.values) & (p.values == 0)]))


def test_bootstrap_on_streamed_word_counts_for_every_supported_history():
    c = MarkovChain(random_chain(np.random.default_rng(4), 3))
    s = simulate(c, np.array([1.0, 0, 0]), forward=5, backward=5, paths=2000, seed=9, store=False, word_length=3)
    for history in (1, 2):
        b = entropy_rate_profile(s, history=history, ci="bootstrap", n_boot=40, seed=1)
        n = entropy_rate_profile(s, history=history)
        ok = np.isfinite(n.values) & (n.stderr > 0.01)
        assert ok.sum() >= 4
        # 40 replicates: the bootstrap s.d. is within ~ +/-11 % (1 s.d.) of the truth; factor 1.6
        ratio = b.stderr[ok] / n.stderr[ok]
        assert np.all((ratio > 1 / 1.6) & (ratio < 1.6)), ratio
    e = excess_entropy_profile(s, history=1, ci="bootstrap", n_boot=20, seed=1)
    assert np.isfinite(e.stderr[6:10]).all()


def test_irreversibility_pseudocount_stderr_agrees_with_bootstrap_from_a_point_start():
    # t = +-1 from a point start: every step leaves state 0 and no step arrives there, so
    # every pair (0, y) is seen one way only (the true value is infinite)
    c = MarkovChain(reversible_chain(np.random.default_rng(3), 4))
    s = simulate(c, np.array([1.0, 0, 0, 0]), forward=3, backward=3, paths=2000, seed=2, store=False)
    n = irreversibility_profile(s)
    b = irreversibility_profile(s, ci="bootstrap", n_boot=100, seed=3)
    for i in (2, 4):  # t = -1, +1
        # 100 replicates: bootstrap s.d. within ~ +/-7 % (1 s.d.); allow a factor 1.5
        assert 1 / 1.5 < n.stderr[i] / b.stderr[i] < 1.5, (n.stderr[i], b.stderr[i])
        assert n.lower_bound[i] and n.extra["unmatched"][i] == 3
        assert n.ci_high[i] == np.inf and b.ci_high[i] == np.inf


def test_lower_bound_flags_in_every_treatment():
    states = np.array([[0, 1], [0, 1], [1, 1]])
    for unmatched in ("pseudocount", "lower_bound", "inf"):
        p = irreversibility_profile(states, unmatched=unmatched)
        np.testing.assert_array_equal(p.lower_bound, [False, True])
        assert p.extra["unmatched"][1] == 1
    lb = irreversibility_profile(states, unmatched="lower_bound")
    assert lb.values[1] == 0.0  # only (1, 1) is seen both ways
    balanced = irreversibility_profile(np.array([[0, 1], [1, 0]]))
    assert not balanced.lower_bound.any()


def test_complex_ensembles_and_references_are_type_errors():
    with pytest.raises(TypeError, match=r"ensemble: complex values are not supported"):
        entropy_profile(np.ones((3, 4), complex))
    with pytest.raises(TypeError, match=r"reference: complex values are not supported"):
        relative_entropy_profile(np.zeros((3, 4), int), np.array([1 + 0j]))


def test_bootstrap_options_are_in_the_signature():
    import inspect

    for fn in (entropy_profile, entropy_rate_profile, excess_entropy_profile, relative_entropy_profile,
               irreversibility_profile):
        params = inspect.signature(fn).parameters
        assert [params[p].default for p in ("ci", "n_boot", "seed")] == ["normal", 200, 0], fn.__name__


def test_knn_profile_bands_are_labelled_as_sampling_error():
    x = np.random.default_rng(1).standard_normal((300, 3))
    p = entropy_profile(x)
    assert "bias" in p.extra["interval"] and p.method == "knn"
