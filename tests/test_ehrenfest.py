"""Ehrenfest urn against exact and independent results."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from entropy.processes.ehrenfest import Ehrenfest, boltzmann_entropy, gibbs_entropy, mean_boltzmann_entropy
from entropy.simulation import simulate

LN2 = math.log(2.0)

def plugin_nats(p):
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def column_counts(states, n_states):
    return np.stack([np.bincount(states[:, j], minlength=n_states) for j in range(states.shape[1])])

@pytest.mark.parametrize("lazy", [False, True])
def test_macro_chain_entries_and_binomial_stationary_law(lazy):
    N = 9
    c = Ehrenfest(N, lazy=lazy).macro_chain()
    P = c.P
    s = 0.5 if lazy else 1.0
    for n in range(N + 1):
        if n > 0:
            assert P[n, n - 1] == pytest.approx(s * n / N, abs=1e-15)
        if n < N:
            assert P[n, n + 1] == pytest.approx(s * (N - n) / N, abs=1e-15)
        assert P[n, n] == pytest.approx(1 - s, abs=1e-15)
    ref = np.array([math.comb(N, n) for n in range(N + 1)]) / 2**N
    np.testing.assert_allclose(c.stationary_distribution, ref, atol=1e-14)
    np.testing.assert_allclose(Ehrenfest(N, lazy=lazy).stationary_distribution, ref, atol=1e-14)
    assert c.is_reversible()
    assert Ehrenfest(N).reversed() is not None and isinstance(Ehrenfest(N).reversed(), Ehrenfest)


@pytest.mark.parametrize("lazy", [False, True])
def test_marginals_equal_dense_matrix_powers(lazy):
    N = 12
    urn = Ehrenfest(N, lazy=lazy)
    P = urn.macro_chain().P
    start = np.random.default_rng(0).dirichlet(np.ones(N + 1))
    times, p = urn.marginals(start, forward=25, backward=7)
    assert list(times) == list(range(-7, 26))
    for i, t in enumerate(times):
        ref = start @ np.linalg.matrix_power(P, abs(t))
        np.testing.assert_allclose(p[i], ref, atol=1e-13)


@pytest.mark.parametrize("lazy", [False, True])
def test_marginals_agree_with_generic_exact_propagation(lazy):
    from entropy.exact import marginals

    urn = Ehrenfest(15, lazy=lazy)
    t1, p1 = urn.marginals(2, forward=30, backward=20)
    # generic: p P^t forwards, p P~^|t| backwards with P~ = D^-1 P^T D from the GTH stationary law
    t2, p2 = marginals(urn.macro_chain(), 2, forward=30, backward=20)
    np.testing.assert_array_equal(t1, t2)
    np.testing.assert_allclose(p1, p2, atol=1e-12)


@pytest.mark.parametrize("lazy", [False, True])
@pytest.mark.parametrize("start", [20, 3, "law"])
def test_closed_form_mean_and_variance_match_exact_marginals(lazy, start):
    N = 20
    urn = Ehrenfest(N, lazy=lazy)
    if start == "law":
        start = np.random.default_rng(1).dirichlet(np.ones(N + 1))
    times, p = urn.marginals(start, forward=60, backward=60)
    n = np.arange(N + 1)
    mean = p @ n
    var = p @ n**2 - mean**2
    np.testing.assert_allclose(urn.mean_occupation(start, times), mean, atol=1e-11)
    np.testing.assert_allclose(urn.variance_occupation(start, times), var, atol=1e-10)
    if not isinstance(start, np.ndarray):
        a = 1 - (1 if lazy else 2) / N
        np.testing.assert_allclose(urn.mean_occupation(start, times) - N / 2, a ** np.abs(times) * (start - N / 2))


@pytest.mark.parametrize("micro", [False, True])
@pytest.mark.parametrize("lazy", [False, True])
def test_simulated_mean_and_variance_both_arms(micro, lazy):
    N, M, T = 30, 8000, 40
    urn = Ehrenfest(N, lazy=lazy, micro=micro)
    ens = simulate(urn, N, forward=T, backward=T, paths=M, seed=11)
    times, p = urn.marginals(N, forward=T, backward=T)
    n = np.arange(N + 1)
    mu = urn.mean_occupation(N, ens.times)
    var = urn.variance_occupation(N, ens.times)
    m4 = np.array([pt @ (n - m) ** 4 for pt, m in zip(p, mu)])
    x = ens.states.astype(float)
    # the variance is checked through v = mean((x - mu_exact)^2), unbiased for Var with standard
    # error sqrt((mu4 - Var^2)/M) exactly (the sample variance about the sample mean adds
    # O(1/M^2) terms that matter where mu4 = Var^2, e.g. a fair two-point law at |t| = 1).
    # standard error of the mean: sqrt(Var/M). 5 standard errors at each of 2 x 81 times:
    # family-wise false alarm rate below 1e-4.
    se_mean = np.sqrt(var / M)
    se_var = np.sqrt(np.maximum(m4 - var**2, 0) / M)
    assert np.all(np.abs(x.mean(0) - mu) <= 5 * se_mean + 1e-12)
    assert np.all(np.abs(((x - mu) ** 2).mean(0) - var) <= 5 * se_var + 1e-9)
    # the reversible chain has exactly symmetric exact profiles
    np.testing.assert_allclose(mu, mu[::-1])
    np.testing.assert_allclose(var, var[::-1])


@pytest.mark.parametrize("lazy", [False, True])
def test_entropy_of_macrostate_matches_exact_marginals(lazy):
    N, M, T = 16, 20000, 30
    urn = Ehrenfest(N, lazy=lazy)
    ens = simulate(urn, N, forward=T, backward=T, paths=M, seed=5)
    times, p = urn.marginals(N, forward=T, backward=T)
    _, H = urn.entropy_profile(N, forward=T, backward=T, base=math.e)
    counts = column_counts(ens.states, N + 1)
    for i in range(len(times)):
        q = p[i]
        h_plugin = plugin_nats(counts[i] / M)
        # Miller-Madow: E[plug-in] = H - (K - 1) / (2M) + O(M^-2), K = support size of p_t
        bias = (np.count_nonzero(q) - 1) / (2 * M)
        # standard error of the plug-in estimate: sqrt(Var[-ln p(X)] / M); 5 of them (61 times)
        lp = np.log(np.where(q > 0, q, 1))
        se = math.sqrt(max(q @ lp**2 - (q @ lp) ** 2, 0) / M)
        assert abs(h_plugin + bias - H[i]) <= 5 * se + 2e-4, (times[i], h_plugin, H[i], se)


def test_micro_and_macro_agree_in_law_chi_square():
    N, M, T = 24, 20000, 12
    p_exact = Ehrenfest(N).marginals(6, forward=T)[1]
    for micro in (False, True):
        ens = simulate(Ehrenfest(N, micro=micro), 6, forward=T, paths=M, seed=3)
        counts = column_counts(ens.states, N + 1)
        for t in (1, 5, 12):
            e = p_exact[t] * M
            keep = e >= 5  # chi-square needs expected counts >= 5; pool the rest
            obs = np.append(counts[t][keep], counts[t][~keep].sum())
            exp = np.append(e[keep], e[~keep].sum())
            obs, exp = obs[exp > 0], exp[exp > 0]
            # family of 6 tests at level 1e-4 each
            assert stats.chisquare(obs, exp).pvalue > 1e-4


def test_micro_large_urn_mean_decay():
    N, M, T = 10000, 48, 6000
    urn = Ehrenfest(N, micro=True)
    ens = simulate(urn, N, forward=T, paths=M, seed=9)
    t = ens.times[::500]
    mu = urn.mean_occupation(N, t)
    var = urn.variance_occupation(N, t)
    x = ens.states[:, ::500].astype(float)
    se = np.sqrt(np.maximum(var, 1e-300) / M)
    assert np.all(np.abs(x.mean(0) - mu) <= 5 * se + 1e-9)
    assert ens.states[0, 0] == N


def test_pure_chain_has_period_two():
    N = 10
    urn = Ehrenfest(N)
    ens = simulate(urn, 7, forward=15, backward=15, paths=200, seed=1)
    parity = (ens.states.astype(int) - 7 - ens.times[None, :]) % 2
    assert np.all(parity == 0)
    # D(p_t || pi) -> ln 2 exactly (p_t -> 2 pi on one parity class); lazy -> 0
    pi = urn.stationary_distribution
    for lazy, limit in ((False, LN2), (True, 0.0)):
        _, p = Ehrenfest(N, lazy=lazy).marginals(N, forward=400)
        q = p[-1]
        d = float(np.sum(q[q > 0] * np.log(q[q > 0] / pi[q > 0])))
        assert d == pytest.approx(limit, abs=1e-9)


def test_boltzmann_entropy_values():
    assert boltzmann_entropy(2, 4) == pytest.approx(math.log2(6))
    assert boltzmann_entropy(0, 4) == 0.0
    np.testing.assert_allclose(boltzmann_entropy([1, 3], 10, base=math.e), [math.log(10), math.log(120)])
    assert Ehrenfest(50).boltzmann_entropy(25) == pytest.approx(math.log2(math.comb(50, 25)))
    p = np.array([0.25, 0.5, 0.25])
    assert mean_boltzmann_entropy(p, 2) == pytest.approx(0.5)  # 0.5 * log2 C(2,1)


@pytest.mark.parametrize("lazy", [False, True])
def test_gibbs_entropy_identity_against_exact_microstate_chain(lazy):
    """H(microstate) = H(n) + <S_B(n)> for a symmetric start, from the 2^N-state chain."""
    N, n0, T = 6, 4, 12
    states = np.array(list(itertools.product([0, 1], repeat=N)))  # ball k in A iff bit = 1
    S = 2**N
    Q = np.zeros((S, S))
    s = 0.5 if lazy else 1.0
    for i, x in enumerate(states):
        Q[i, i] += 1 - s
        for k in range(N):
            y = x.copy()
            y[k] ^= 1
            j = int("".join(map(str, y)), 2)
            Q[i, j] += s / N
    nA = states.sum(1)
    q = (nA == n0) / math.comb(N, n0)  # symmetric start: uniform over the microstates with n0 in A
    _, p = Ehrenfest(N, lazy=lazy).marginals(n0, forward=T)
    for t in range(T + 1):
        h_micro = plugin_nats(q) / LN2
        assert gibbs_entropy(p[t], N) == pytest.approx(h_micro, abs=1e-12)
        np.testing.assert_allclose(np.bincount(nA, weights=q, minlength=N + 1), p[t], atol=1e-14)
        q = q @ Q
    # a start that is not exchangeable has less fine-grained entropy at t0 than the formula says
    q0 = (np.all(states == [1, 1, 1, 1, 0, 0], axis=1)).astype(float)
    assert plugin_nats(q0) < gibbs_entropy(p[0], N) * LN2


@pytest.mark.parametrize("lazy", [False, True])
def test_entropy_profiles_limits(lazy):
    N = 12
    prof = Ehrenfest(N, lazy=lazy).entropy_profiles(N, forward=600, backward=600)
    i0 = 600  # index of t0
    # t0: all balls in A -- one microstate; D(delta_N || pi) = -log2 pi(N) = N bits
    assert prof["gibbs"][i0] == pytest.approx(0.0, abs=1e-12)
    assert prof["relative"][i0] == pytest.approx(N)
    # |t| -> infinity: uniform over all 2^N microstates (lazy), or over one parity class (pure)
    for k in (0, -1):
        assert prof["gibbs"][k] == pytest.approx(N if lazy else N - 1, abs=1e-9)
        assert prof["relative"][k] == pytest.approx(0.0 if lazy else 1.0, abs=1e-9)
    np.testing.assert_allclose(prof["gibbs"], prof["shannon"] + prof["boltzmann"])
    # D(p_t || pi) is non-increasing in |t| on both arms
    D = prof["relative"]
    assert np.all(np.diff(D[600:]) <= 1e-12) and np.all(np.diff(D[:601]) >= -1e-12)


@pytest.mark.parametrize("micro", [False, True])
def test_ehrenfest_determinism_and_chunking(micro):
    urn = Ehrenfest(70, lazy=True, micro=micro)
    a = simulate(urn, 50, forward=20, backward=20, paths=100, seed=4)
    b = simulate(urn, 50, forward=20, backward=20, paths=100, seed=4, chunk_size=17)
    c = simulate(urn, 50, forward=20, backward=20, paths=100, seed=5)
    np.testing.assert_array_equal(a.states, b.states)
    assert not np.array_equal(a.states, c.states)
    # the forward arm does not depend on the length of the backward arm
    d = simulate(urn, 50, forward=20, backward=3, paths=100, seed=4)
    np.testing.assert_array_equal(a.arm("forward"), d.arm("forward"))


def test_ehrenfest_validation():
    with pytest.raises(ValueError, match=r"balls=0: expected an integer >= 1"):
        Ehrenfest(0)
    with pytest.raises(ValueError, match=r"balls=-3"):
        Ehrenfest(-3)
    with pytest.raises(ValueError, match=r"lazy='yes': expected True or False"):
        Ehrenfest(5, lazy="yes")
    with pytest.raises(ValueError, match=r"micro=1: expected True or False"):
        Ehrenfest(5, micro=1)
    with pytest.raises(ValueError, match=r"start=6: expected a state in 0\.\.5"):
        simulate(Ehrenfest(5), 6, forward=2)
    with pytest.raises(ValueError, match=r"n=7: expected integer\(s\) in 0\.\.4"):
        boltzmann_entropy(7, 4)
    with pytest.raises(ValueError, match=r"base=1"):
        boltzmann_entropy(1, 4, base=1)
    with pytest.raises(ValueError, match=r"p: expected probabilities over n = 0\.\.4"):
        gibbs_entropy([0.5, 0.5], 4)
    with pytest.raises(ValueError, match=r"times=.*expected integer times"):
        Ehrenfest(5).mean_occupation(5, [0.5])
    with pytest.raises(ValueError, match=r"forward=-1"):
        Ehrenfest(5).marginals(5, forward=-1)
