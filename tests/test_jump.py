"""Continuous-time Markov jump processes: generator, reversal, exact simulation, stochastic thermodynamics.

Statistical tests use fixed seeds and tolerances of k standard errors (k = 5 unless stated:
a false alarm about once in 10**6 per check), with the standard error stated at each check.
"""

import math
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.linalg
import scipy.sparse as sp
from scipy import stats

import entropy
from entropy import MarkovChain, MarkovJumpProcess, simulate
from entropy.exact import jump as exact_jump
from entropy._kernels import jump as kj

K = 5.0


def random_generator(rng, n, scale=1.0):
    Q = rng.random((n, n)) * scale
    np.fill_diagonal(Q, 0.0)
    np.fill_diagonal(Q, -Q.sum(axis=1))
    return Q


def ring(n, kp, km):
    """Uniform ring: rate kp to i+1, km to i-1."""
    Q = np.zeros((n, n))
    i = np.arange(n)
    Q[i, (i + 1) % n] += kp
    Q[i, (i - 1) % n] += km
    np.fill_diagonal(Q, 0.0)
    np.fill_diagonal(Q, -Q.sum(axis=1))
    return Q


def empirical(states, n):
    return np.stack([np.bincount(col, minlength=n) for col in states.T.astype(np.int64)]) / states.shape[0]


def assert_within_binomial_se(phat, p, M):
    se = np.sqrt(p * (1 - p) / M)  # binomial standard error of a frequency
    bad = np.abs(phat - p) > K * se + 1.0 / M
    assert not bad.any(), f"{bad.sum()} cells off by more than {K} se; worst at {np.argwhere(bad)[0]}"


def assert_mean_within_se(samples, expected, axis=0):
    m = samples.mean(axis=axis)
    se = samples.std(axis=axis, ddof=1) / math.sqrt(samples.shape[axis])  # standard error of a sample mean
    bad = np.abs(m - expected) > K * se + 1e-12
    want = np.broadcast_to(expected, m.shape)
    assert not bad.any(), f"means {m[bad]} vs {want[bad]}, se {se[bad]}"


# -- the generator ---------------------------------------------------------------------------------

@pytest.mark.parametrize("Q, match", [
    ([[-1.0, 1.0], [-0.5, 0.5]], r"Q row 1: rate -0.5 at column 0 is negative"),
    ([[-1.0, 1.0], [2.0, -1.0]], r"Q row 1: sums to 1.0, expected 0 .*column 1"),
    ([[-1.0, np.inf], [1.0, -1.0]], r"Q row 0: entry inf at column 1 is not finite"),
    ([[0.0, 1.0, 2.0]], r"square"),
])
def test_validation_names_row_column_and_value(Q, match):
    with pytest.raises(ValueError, match=match):
        MarkovJumpProcess(Q)
    with pytest.raises(ValueError, match=match):
        MarkovJumpProcess(sp.csr_matrix(np.array(Q)))


def test_simulate_needs_dt_and_records_only_what_a_process_defines():
    J = MarkovJumpProcess(ring(3, 2.0, 1.0))
    with pytest.raises(ValueError, match=r"dt=None: expected a finite time step > 0"):
        simulate(J, 0, forward=3, paths=10, seed=1)
    with pytest.raises(ValueError, match=r"dt=-0.1"):
        simulate(J, 0, forward=3, paths=10, seed=1, dt=-0.1)
    with pytest.raises(ValueError, match=r"entropy_production=True: MarkovChain does not record entropy production"):
        simulate(MarkovChain(np.full((2, 2), 0.5)), 0, forward=3, paths=10, seed=1, entropy_production=True)


def test_stationary_law_reversal_and_related_chains(rng):
    Q = random_generator(rng, 5)
    J = MarkovJumpProcess(Q)
    pi = J.stationary_distribution
    np.testing.assert_allclose(pi @ Q, 0.0, atol=1e-14)
    R = J.reversed()
    np.testing.assert_allclose(R.Q, (Q.T * pi[None, :]) / pi[:, None], rtol=1e-13)
    np.testing.assert_allclose(R.Q.sum(axis=1), 0.0, atol=1e-13)
    assert R.reversed() is J
    np.testing.assert_allclose(MarkovJumpProcess(R.Q).reversed().Q, Q, rtol=1e-12)  # involution, recomputed
    np.testing.assert_allclose(J.sampled(0.3).P, scipy.linalg.expm(Q * 0.3), rtol=1e-12)
    Jc = J.embedded_chain().P
    q = -np.diag(Q)
    np.testing.assert_allclose(Jc, (Q + np.diag(q)) / q[:, None], rtol=1e-14)
    # sparse input gives the same process
    Js = MarkovJumpProcess(sp.csr_matrix(Q))
    np.testing.assert_allclose(Js.stationary_distribution, pi, rtol=1e-12)
    assert Js.is_sparse and sp.issparse(Js.Q) and sp.issparse(Js.reversed().Q)


def test_ring_entropy_production_and_detailed_balance():
    kp, km = 3.0, 1.0
    J = MarkovJumpProcess(ring(6, kp, km))
    assert J.entropy_production(base=math.e) == pytest.approx((kp - km) * math.log(kp / km), rel=1e-12)
    assert J.entropy_production() == pytest.approx((kp - km) * math.log2(kp / km), rel=1e-12)
    assert not J.is_reversible()
    assert MarkovJumpProcess(ring(6, kp, 0.0)).entropy_production() == math.inf
    # detailed balance: pi_i Q_ij = pi_j Q_ji with a non-uniform pi
    rng = np.random.default_rng(4)
    S = rng.random((5, 5))
    S = S + S.T
    pi = rng.random(5)
    pi /= pi.sum()
    Qdb = S / pi[:, None]
    np.fill_diagonal(Qdb, 0.0)
    np.fill_diagonal(Qdb, -Qdb.sum(axis=1))
    Jdb = MarkovJumpProcess(Qdb)
    np.testing.assert_allclose(Jdb.stationary_distribution, pi, rtol=1e-12)
    assert Jdb.is_reversible() and Jdb.entropy_production() == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(Jdb.reversed().Q, Qdb, rtol=1e-12)


def test_ziggurat_exponential_is_exponential():
    x = np.empty((100, 10_000))
    kj.sample_exponential(np.uint64(11), 0, 1, x)
    x = x.ravel()
    n = x.size
    assert abs(x.mean() - 1.0) <= K / math.sqrt(n)  # se of the mean of Exp(1) = 1 / sqrt(n)
    edges = np.r_[np.linspace(0.0, 8.0, 81), 12.0, np.inf]  # includes the tail beyond R = 7.70
    expected = n * np.diff(-np.exp(-edges))
    h = np.histogram(x, bins=edges)[0]
    chi2 = float(((h - expected) ** 2 / expected).sum())
    assert stats.chi2.sf(chi2, len(h) - 1) > 1e-6
    assert x.min() >= 0.0


# -- simulation --------------------------------------------------------------------------------------

@pytest.mark.parametrize("start", [0, "law"])
def test_marginals_match_expm_on_both_arms(rng, start):
    Q = random_generator(rng, 4)
    J = MarkovJumpProcess(Q)
    if start == "law":
        start = np.array([0.5, 0.5, 0.0, 0.0])
    M = 40_000
    e = simulate(J, start, forward=6, backward=5, dt=0.15, paths=M, seed=5)
    np.testing.assert_allclose(e.times, np.arange(-5, 7) * 0.15)
    p0 = J._start_law(J._check_start(start))
    exp_f = np.stack([p0 @ scipy.linalg.expm(Q * 0.15 * k) for k in range(7)])
    exp_b = np.stack([p0 @ scipy.linalg.expm(J.reversed().Q * 0.15 * k) for k in range(6)])
    assert_within_binomial_se(empirical(e.arm("forward"), 4), exp_f, M)
    assert_within_binomial_se(empirical(e.arm("backward"), 4), exp_b, M)
    _, probs = exact_jump.marginals(J, start, forward=6, backward=5, dt=0.15)
    np.testing.assert_allclose(probs[5:], exp_f, atol=1e-12)
    np.testing.assert_allclose(probs[5::-1], exp_b, atol=1e-12)


def test_sparse_generator_simulates_like_dense(rng):
    Q = random_generator(rng, 6)
    a = simulate(MarkovJumpProcess(Q), 2, forward=5, backward=5, dt=0.2, paths=500, seed=8)
    b = simulate(MarkovJumpProcess(sp.csr_matrix(Q)), 2, forward=5, backward=5, dt=0.2, paths=500, seed=8)
    np.testing.assert_array_equal(a.states, b.states)


def test_reversible_generator_has_equal_arms_in_law():
    J = MarkovJumpProcess(ring(5, 1.5, 1.5))
    M = 30_000
    e = simulate(J, 0, forward=8, backward=8, dt=0.1, paths=M, seed=2)
    f, b = empirical(e.arm("forward"), 5), empirical(e.arm("backward"), 5)
    se = np.sqrt(2 * f * (1 - f) / M)  # se of a difference of two independent frequencies
    assert np.all(np.abs(f - b) <= K * se + 2.0 / M)


@pytest.fixture(params=["uniformized", "gillespie"])
def kernel(request, monkeypatch):
    """Force one of the two simulation kernels (the rule picks by mean / max exit rate)."""
    monkeypatch.setattr("entropy.processes.jump.UNIFORMIZE_MIN_RATIO", 0.0 if request.param == "uniformized" else np.inf)
    return request.param


def test_same_seed_same_arrays_chunking_and_arm_independence(rng, kernel):
    J = MarkovJumpProcess(random_generator(rng, 7))
    kw = {"forward": 20, "backward": 15, "dt": 0.05, "paths": 1003, "entropy_production": True}
    a = simulate(J, np.full(7, 1 / 7), seed=42, **kw)
    b = simulate(J, np.full(7, 1 / 7), seed=42, chunk_size=17, **kw)
    np.testing.assert_array_equal(a.states, b.states)
    np.testing.assert_array_equal(a.extra["entropy_production"], b.extra["entropy_production"])
    plain = simulate(J, np.full(7, 1 / 7), seed=42, forward=20, backward=15, dt=0.05, paths=1003)
    np.testing.assert_array_equal(plain.states, a.states)  # recording entropy changes no draw
    c = simulate(J, np.full(7, 1 / 7), seed=42, forward=20, backward=3, dt=0.05, paths=1003)
    np.testing.assert_array_equal(c.arm("forward"), a.arm("forward"))
    np.testing.assert_array_equal(c.arm("backward"), a.arm("backward")[:, :4])
    assert not np.array_equal(simulate(J, np.full(7, 1 / 7), seed=43, **kw).states, a.states)


def test_streamed_counts_and_moments(rng):
    J = MarkovJumpProcess(random_generator(rng, 4))
    kw = {"forward": 6, "backward": 5, "dt": 0.2, "paths": 2001, "seed": 9, "entropy_production": True}
    e = simulate(J, 0, **kw)
    s1 = simulate(J, 0, store=False, chunk_size=64, **kw)
    s2 = simulate(J, 0, store=False, **kw)
    np.testing.assert_array_equal(s1.counts, (empirical(e.states, 4) * 2001).round().astype(np.int64))
    m1, m2 = s1.extra["entropy_production_moments"], s2.extra["entropy_production_moments"]
    for key in ("sum", "sum_sq", "sum_exp_neg"):
        np.testing.assert_array_equal(m1[key], m2[key])  # path order: independent of the chunking
    ep = e.extra["entropy_production"]
    np.testing.assert_allclose(m1["sum"], ep.sum(axis=0), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(m1["sum_sq"], (ep**2).sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(m1["sum_exp_neg"], (2.0 ** -ep).sum(axis=0), rtol=1e-12)
    assert m1["paths"] == 2001 and m1["unit"] == "bits" and e.extra["entropy_production_unit"] == "bits"


def test_thread_count_does_not_change_results():
    code = textwrap.dedent(
        """
        import hashlib, numpy as np, entropy
        rng = np.random.default_rng(0)
        Q = rng.random((9, 9)); np.fill_diagonal(Q, 0); np.fill_diagonal(Q, -Q.sum(1))
        e = entropy.simulate(entropy.MarkovJumpProcess(Q), np.full(9, 1/9), forward=50, backward=40, dt=0.05,
                             paths=3001, seed=7, entropy_production=True)
        print(hashlib.sha256(e.states.tobytes() + e.extra["entropy_production"].tobytes()).hexdigest())
        """
    )
    digests = []
    for threads in ("1", "2"):
        env = dict(os.environ, NUMBA_NUM_THREADS=threads)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        digests.append(out.stdout.strip())
    assert digests[0] == digests[1] and len(digests[0]) == 64


# -- stochastic thermodynamics ---------------------------------------------------------------------

def test_integral_fluctuation_theorem_full_support_both_arms(rng):
    J = MarkovJumpProcess(random_generator(rng, 4))
    start = np.array([0.7, 0.1, 0.1, 0.1])
    e = simulate(J, start, forward=8, backward=8, dt=0.1, paths=40_000, seed=12, entropy_production=True)
    w = 2.0 ** -e.extra["entropy_production"]  # bits: <2^-ds> = <e^-ds_nats> = 1
    assert_mean_within_se(w, 1.0)
    _, ift = exact_jump.integral_fluctuation(J, start, forward=8, backward=8, dt=0.1)
    np.testing.assert_allclose(ift, 1.0, atol=1e-12)


def test_integral_fluctuation_point_start_is_restricted(rng):
    J = MarkovJumpProcess(random_generator(rng, 4))
    dt = 0.1
    _, ift = exact_jump.integral_fluctuation(J, 0, forward=5, backward=5, dt=dt)
    # brute force: sum over x in supp p0 = {0} of (p_t e^{Gt})_0 = (e^{2Gt})_00 for a point start
    for k in (1, 2, 5):
        for G, i in ((J.Q, 5 + k), (J.reversed().Q, 5 - k)):
            assert ift[i] == pytest.approx(scipy.linalg.expm(2 * G * k * dt)[0, 0], rel=1e-10)
    assert np.all(ift[:5] < 1) and np.all(ift[6:] < 1)
    e = simulate(J, 0, forward=5, backward=5, dt=dt, paths=40_000, seed=13, entropy_production=True)
    w = 2.0 ** -e.extra["entropy_production"]
    assert_mean_within_se(w[:, np.r_[0:5, 6:11]], ift[np.r_[0:5, 6:11]])


def test_restricted_integral_fluctuation_reproduces_the_issue_numbers():
    # issue 13 quotes 0.51, 0.32, 0.19 at t = 0.1, 0.2, 0.5 for "a random 4-state generator started in
    # state 0": rates U(0, 2) from default_rng(7) give them (0.5095, 0.3151, 0.1856); both arms agree
    # for a point start since (e^{2 Q~ t})_00 = (e^{2 Q t})_00.
    J = MarkovJumpProcess(random_generator(np.random.default_rng(7), 4, scale=2.0))
    _, ift = exact_jump.integral_fluctuation(J, 0, forward=5, backward=5, dt=0.1)
    np.testing.assert_allclose(np.round(ift[[6, 7, 10]], 2), [0.51, 0.32, 0.19])
    np.testing.assert_allclose(ift[[4, 3, 0]], ift[[6, 7, 10]], rtol=1e-10)
    e = simulate(J, 0, forward=5, backward=5, dt=0.1, paths=40_000, seed=14, entropy_production=True)
    w = 2.0 ** -e.extra["entropy_production"][:, [0, 3, 4, 6, 7, 10]]
    assert_mean_within_se(w, ift[[0, 3, 4, 6, 7, 10]])


def test_mean_entropy_production_matches_exact_and_grows(rng):
    J = MarkovJumpProcess(random_generator(rng, 5))
    _, m = exact_jump.mean_entropy_production(J, 1, forward=10, backward=10, dt=0.1)
    assert m[10] == 0 and np.all(np.diff(m[10:]) > 0) and np.all(np.diff(m[:11]) < 0)
    e = simulate(J, 1, forward=10, backward=10, dt=0.1, paths=20_000, seed=21, entropy_production=True)
    ep = e.extra["entropy_production"]
    assert_mean_within_se(ep[:, np.r_[0:10, 11:21]], m[np.r_[0:10, 11:21]])
    # in the steady state the mean grows at Schnakenberg's rate on both arms
    _, ms = exact_jump.mean_entropy_production(J, J.stationary_distribution, forward=4, backward=4, dt=0.25)
    np.testing.assert_allclose(ms, np.abs(np.arange(-4, 5)) * 0.25 * J.entropy_production(), rtol=1e-9, atol=1e-12)


def test_detailed_fluctuation_theorem_uniform_ring():
    kp, km, t = 2.0, 1.0, 1.5
    J = MarkovJumpProcess(ring(4, kp, km))
    M = 100_000
    e = simulate(J, np.full(4, 0.25), forward=3, dt=t / 3, paths=M, seed=31, entropy_production=True,
                 base=math.e)
    ds = e.extra["entropy_production"][:, -1]
    net = np.rint(ds / math.log(kp / km)).astype(np.int64)  # Delta s_tot = net jumps x log(k+/k-)
    np.testing.assert_allclose(ds, net * math.log(kp / km), atol=1e-9)
    # net jumps = Poisson(k+ t) - Poisson(k- t): Skellam, whose pmf ratio P(n)/P(-n) = (k+/k-)^n exactly
    values, counts = np.unique(net, return_counts=True)
    pmf = stats.skellam.pmf(values, kp * t, km * t)
    se = np.sqrt(pmf * (1 - pmf) / M)
    assert np.all(np.abs(counts / M - pmf) <= K * se + 1.0 / M)
    for n_ in (1, 2, 3):
        cp, cm = counts[values == n_][0], counts[values == -n_][0]
        ratio_se = (cp / cm) * math.sqrt(1 / cp + 1 / cm)  # delta method, independent Poisson counts
        assert abs(cp / cm - math.exp(n_ * math.log(kp / km))) <= K * ratio_se


def test_long_path_time_average_tends_to_sigma():
    J = MarkovJumpProcess(random_generator(np.random.default_rng(1), 4))  # sigma = 1.64 bits per unit time
    T = 2000.0
    e = simulate(J, J.stationary_distribution, forward=1, dt=T, paths=40, seed=41, entropy_production=True)
    rate = e.extra["entropy_production"][:, 1] / T  # stationary start: E[ds_tot(T)] = sigma T exactly
    assert_mean_within_se(rate, J.entropy_production())
    assert np.std(rate) < 0.1 * J.entropy_production()  # each long path alone is close to sigma


def test_relative_entropy_monotone_and_profiles_match_sampled_chain(rng):
    J = MarkovJumpProcess(random_generator(rng, 5))
    prof = exact_jump.profiles(J, 0, forward=15, backward=15, dt=0.1)
    D = prof.relative_entropy
    assert np.all(np.diff(D[15:]) < 0) and np.all(np.diff(D[:16]) > 0)
    chain = entropy.exact.profiles(J.sampled(0.1), 0, forward=15, backward=15)
    np.testing.assert_allclose(prof.entropy_rate_forward, chain.entropy_rate_forward, rtol=1e-10)
    np.testing.assert_allclose(prof.times, np.arange(-15, 16) * 0.1)
    assert prof.scalars["entropy_production_rate"] == J.entropy_production() and prof.unit == "bits"
    # the estimate of D from a simulated ensemble sits on the exact curve
    M = 20_000
    e = simulate(J, 0, forward=15, backward=15, dt=0.1, paths=M, seed=51)
    H = entropy.estimators.entropy_profile(e, method="miller_madow")  # stderr: the estimator's delta-method se
    assert np.all(np.abs(H.values - prof.entropy) <= K * H.stderr + 1e-9)


def test_one_way_rates_give_infinite_entropy_production_exactly_after_a_jump():
    J = MarkovJumpProcess(ring(50, 1.0, 0.0))  # one-way ring: returning to the start takes 50 jumps
    e = simulate(J, 0, forward=4, backward=4, dt=0.25, paths=2000, seed=61, entropy_production=True)
    ep = e.extra["entropy_production"]
    moved = e.states != 0
    assert moved.any() and (~moved[:, np.r_[0:4, 5:9]]).any()
    np.testing.assert_array_equal(np.isinf(ep), moved)
    assert np.all(ep[np.isinf(ep)] > 0)
    _, m = exact_jump.mean_entropy_production(J, 0, forward=4, backward=4, dt=0.25)
    assert m[4] == 0 and np.all(np.isinf(m[np.r_[0:4, 5:9]]))


def test_large_sparse_ring_uses_expm_multiply_and_matches_skellam():
    n, kp, km, dt = 2500, 2.0, 0.5, 0.5  # beyond DENSE_EXPM_MAX: the sparse paths of propagate and Van Loan
    i = np.arange(n)
    Q = sp.csr_matrix((np.r_[np.full(n, kp), np.full(n, km)], (np.r_[i, i], np.r_[(i + 1) % n, (i - 1) % n])),
                      shape=(n, n))
    Q = Q - sp.diags(np.full(n, kp + km))
    J = MarkovJumpProcess(Q)
    np.testing.assert_allclose(J.stationary_distribution, 1.0 / n, rtol=1e-9)
    times, probs = exact_jump.marginals(J, 0, forward=2, backward=2, dt=dt)
    for k in (1, 2):  # net displacement after t is Skellam(k+ t, k- t); backward arm: Skellam(k- t, k+ t)
        d = np.arange(-60, 61)
        np.testing.assert_allclose(probs[2 + k][d % n], stats.skellam.pmf(d, kp * k * dt, km * k * dt), atol=1e-12)
        np.testing.assert_allclose(probs[2 - k][d % n], stats.skellam.pmf(d, km * k * dt, kp * k * dt), atol=1e-12)
    _, m = exact_jump.mean_entropy_production(J, 0, forward=2, backward=2, dt=dt, base=math.e)
    for k in (1, 2):
        d = np.arange(-80, 81)
        H = stats.entropy(stats.skellam.pmf(d, kp * k * dt, km * k * dt))
        np.testing.assert_allclose(m[2 + k], H + k * dt * (kp - km) * math.log(kp / km), rtol=1e-9)
        np.testing.assert_allclose(m[2 - k], m[2 + k], rtol=1e-9)


def test_memory_preflight_counts_the_entropy_record():
    J = MarkovJumpProcess(ring(3, 2.0, 1.0))
    kw = {"forward": 5, "backward": 5, "dt": 0.1, "paths": 1000, "seed": 1, "max_memory": 50_000}
    assert simulate(J, 0, **kw).states.nbytes == 11_000  # 11 kB of states fit
    with pytest.raises(entropy.InsufficientMemoryError, match=r"storing 1000 paths x 11 times needs 96.7 KiB"):
        simulate(J, 0, entropy_production=True, **kw)  # + 88 kB of float64 entropy production: 99 kB


@pytest.mark.parametrize("dt", [0.01, 0.3, 1.7])
def test_both_kernel_loop_shapes_give_the_same_numbers(rng, monkeypatch, dt):
    Q = random_generator(rng, 5)
    Q[2] = 0.0  # an absorbing state too (forward arm only)
    J = MarkovJumpProcess(Q)
    kw = {"forward": 40, "dt": dt, "paths": 333, "seed": 71}
    monkeypatch.setattr("entropy.processes.jump.UNIFORMIZE_MIN_RATIO", np.inf)  # the Gillespie kernel's loops
    runs = []
    for threshold in (0.0, np.inf):  # never / always the fill-then-jump loop
        monkeypatch.setattr("entropy.processes.jump.FINE_GRID_JUMPS", threshold)
        runs.append(simulate(J, np.full(5, 0.2), **kw))
    np.testing.assert_array_equal(runs[0].states, runs[1].states)
    Jr = MarkovJumpProcess(random_generator(rng, 5))
    runs = []
    for threshold in (0.0, np.inf):
        monkeypatch.setattr("entropy.processes.jump.FINE_GRID_JUMPS", threshold)
        runs.append(simulate(Jr, 1, backward=30, entropy_production=True, **kw))
    np.testing.assert_array_equal(runs[0].states, runs[1].states)
    np.testing.assert_array_equal(runs[0].extra["entropy_production"], runs[1].extra["entropy_production"])


@pytest.mark.parametrize("mu, parts", [(0.3, 1), (11.7, 1), (150.0, 3)])
def test_poisson_draw_by_table_inversion(mu, parts):
    from entropy.processes.jump import _poisson_table

    cdf, guide = _poisson_table(mu, parts)
    x = np.empty((64, 1000), np.int64)
    kj.sample_poisson(cdf, guide, parts, np.uint64(3), 0, 1, x)
    x = x.ravel()
    n = x.size
    assert abs(x.mean() - mu) <= K * math.sqrt(mu / n)  # se of the mean of Poisson(mu) = sqrt(mu / n)
    lo, hi = int(stats.poisson.ppf(1e-4, mu)), int(stats.poisson.isf(1e-4, mu))  # pooled tails below and above
    h = np.bincount(np.clip(x, lo, hi + 1) - lo, minlength=hi - lo + 2)
    p = np.diff(np.r_[0.0, stats.poisson.cdf(np.arange(lo, hi + 1), mu), 1.0])
    expected = n * p
    chi2 = float(((h - expected) ** 2 / expected).sum())
    assert stats.chi2.sf(chi2, len(h) - 1) > 1e-6  # false alarm once in 10**6
    assert x.min() >= 0


def test_both_kernels_agree_in_law_with_expm(rng, kernel):
    Q = random_generator(rng, 5)
    Q[0] *= 0.2  # uneven exit rates: the uniformised chain has self-loops
    J = MarkovJumpProcess(Q)
    M, dt = 20_000, 0.1  # short times: a clock 20 % fast fails (chi2 about 90, measured)
    e = simulate(J, 0, forward=5, backward=5, dt=dt, paths=M, seed=17)
    m = M // 5  # time k is read off its own 4000 paths: the five counts are independent
    for arm, G in (("forward", Q), ("backward", J.reversed().Q)):
        x = e.arm(arm)
        counts = np.stack([np.bincount(x[(k - 1) * m:k * m, k], minlength=5) for k in range(1, 6)])
        p = np.stack([scipy.linalg.expm(G * dt * k)[0] for k in range(1, 6)])
        chi2 = float(((counts - m * p) ** 2 / (m * p)).sum())  # Pearson, 5 times x (5 - 1) degrees of freedom
        assert stats.chi2.sf(chi2, 5 * 4) > 1e-6, (kernel, arm, chi2)  # false alarm once in 10**6


def test_kernel_rule_picks_uniformisation_for_even_exit_rates(rng):
    assert MarkovJumpProcess(random_generator(rng, 30))._uniformize()  # mean / max exit rate about 0.85 > 0.7
    star = np.zeros((5, 5))
    star[0, 1:] = 10.0
    star[1:, 0] = 0.1
    np.fill_diagonal(star, -star.sum(axis=1))
    assert not MarkovJumpProcess(star)._uniformize()  # mean / max = 0.21: self-loops would waste 4 draws in 5
    assert not MarkovJumpProcess(np.zeros((2, 2)))._uniformize()  # no jumps at all


def test_uniformized_segments_change_no_number(rng, monkeypatch):
    monkeypatch.setattr("entropy.processes.jump.UNIFORMIZE_MIN_RATIO", 0.0)
    J = MarkovJumpProcess(random_generator(rng, 6))
    kw = {"forward": 30, "backward": 7, "dt": 0.3, "paths": 77, "seed": 5, "entropy_production": True}
    runs = []
    for ticks in (1, 20, 4096):  # one grid interval per segment, a few, all
        monkeypatch.setattr("entropy.processes.jump.UNIFORMIZED_SEGMENT_TICKS", ticks)
        runs.append(simulate(J, 2, **kw))
    for other in runs[1:]:
        np.testing.assert_array_equal(other.states, runs[0].states)
        np.testing.assert_array_equal(other.extra["entropy_production"], runs[0].extra["entropy_production"])


def test_two_way_jump_beside_a_one_way_alias_keeps_its_log_ratio(kernel):
    # row 0: 0 -> 1 (two-way, log ratio log(1/2)) shares its alias slot with 0 -> 2 (one-way: stand-in 1e300)
    Q = np.array([[-4.0, 1.0, 3.0], [2.0, -2.0, 0.0], [0.0, 5.0, -5.0]])
    J = MarkovJumpProcess(Q)
    dt = 0.05
    e = simulate(J, 0, forward=1, dt=dt, paths=4000, seed=3, entropy_production=True, base=math.e)
    ep = e.extra["entropy_production"][:, 1]
    at1 = (e.states[:, 1] == 1) & np.isfinite(ep)  # reached 1 without passing 2: odd number of 0 <-> 1 jumps
    assert at1.sum() > 50
    p1 = scipy.linalg.expm(Q * dt)[0, 1]
    np.testing.assert_allclose(ep[at1], math.log(0.5) - math.log(p1), rtol=1e-12)
