"""Fluctuation-aligned averages (Boltzmann's V around a dip) against hand and exact results."""

from __future__ import annotations

import math

import numpy as np
import pytest

from entropy.fluctuations import (
    dip_state_law,
    ehrenfest_dip_profile,
    fluctuation_aligned,
    stationary_run,
)
from entropy.processes.ehrenfest import Ehrenfest
from entropy.processes.kac import KacRing
from entropy.simulation import simulate

# ---------------------------------------------------------------------------------------------
# the aligned average on hand-made series
# ---------------------------------------------------------------------------------------------


def test_hand_series_positions_mean_and_stderr():
    x = np.full(30, 5.0)
    x[6:9] = [2.0, 1.0, 3.0]  # one excursion below 4, minimum at 7
    x[20] = 0.5  # a second one at 20
    x[21] = 3.5
    res = fluctuation_aligned(x, 4.0, 2)
    assert res.events == 2
    np.testing.assert_array_equal(res.positions, [7, 20])
    np.testing.assert_array_equal(res.lags, [-2, -1, 0, 1, 2])
    w = np.array([[5, 2, 1, 3, 5], [5, 5, 0.5, 3.5, 5]])
    np.testing.assert_array_equal(res.windows, w)
    np.testing.assert_allclose(res.mean, w.mean(0))
    np.testing.assert_allclose(res.stderr, w.std(0, ddof=1) / math.sqrt(2))
    lean = fluctuation_aligned(x, 4.0, 2, keep_windows=False)
    assert lean.windows is None
    np.testing.assert_array_equal(lean.mean, res.mean)
    np.testing.assert_array_equal(lean.stderr, res.stderr)


def test_overlapping_windows_form_one_cluster():
    x = np.full(30, 5.0)
    x[[8, 11, 22]] = [1.0, 2.0, 0.0]  # 8 and 11 are 3 <= 2 * window apart: one cluster
    res = fluctuation_aligned(x, 3.0, 2, separation=1)
    assert res.positions.tolist() == [8, 11, 22] and res.extra["clusters"] == 2
    w = res.windows
    r = w - w.mean(0)
    sums = np.stack([r[0] + r[1], r[2]])
    np.testing.assert_allclose(res.stderr, np.sqrt(2 / 1 * (sums**2).sum(0)) / 3)


def test_ties_separation_and_edges():
    x = np.full(40, 9.0)
    x[10:13] = [1.0, 1.0, 1.0]  # a flat bottom
    assert fluctuation_aligned(x, 2.0, 3, ties="first").positions.tolist() == [10]
    assert fluctuation_aligned(x, 2.0, 3, ties="last").positions.tolist() == [12]
    picks = {int(fluctuation_aligned(x, 2.0, 3, seed=s).positions[0]) for s in range(40)}
    assert picks == {10, 11, 12}
    # two dips 4 apart: with separation 5 only the deeper one survives, whichever comes first
    y = np.full(40, 9.0)
    y[15], y[19] = 2.0, 1.0
    assert fluctuation_aligned(y, 3.0, 3, separation=5).positions.tolist() == [19]
    assert fluctuation_aligned(y[::-1], 3.0, 3, separation=5).positions.tolist() == [39 - 19]
    assert fluctuation_aligned(y, 3.0, 3, separation=4).positions.tolist() == [15, 19]
    # dips closer than the window to an end are dropped
    z = np.full(20, 9.0)
    z[1], z[10] = 0.0, 1.0
    assert fluctuation_aligned(z, 3.0, 3).positions.tolist() == [10]
    none = fluctuation_aligned(z, -1.0, 3)
    assert none.events == 0 and np.all(np.isnan(none.mean))


# ---------------------------------------------------------------------------------------------
# Ehrenfest urn: the V is symmetric, and matches the exact conditional profile
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lazy", [False, True])
def test_aligned_average_is_symmetric_for_the_reversible_urn(lazy):
    N, W = 20, 30
    urn = Ehrenfest(N, lazy=lazy)
    run = stationary_run(urn, 1_000_000, seed=7)
    res = fluctuation_aligned(run.entropy, urn.boltzmann_entropy(5), W, seed=1)
    assert res.events > 3000
    # per-event differences S(+k) - S(-k): their mean is 0 for a reversible stationary process
    # (the dip selection is invariant in law under time reversal). Standard error from the
    # events (independent: separation = window >> relaxation time N/2). 30 lags at 4.5
    # standard errors each: family-wise false alarm rate below 30 * 7e-6 = 2e-4.
    d = res.windows[:, W + 1:] - res.windows[:, W - 1::-1]
    se = d.std(0, ddof=1) / math.sqrt(res.events)
    m = d.mean(0)
    ok = se > 0
    assert np.all(np.abs(m[ok]) <= 4.5 * se[ok])
    assert np.all(m[~ok] == 0)  # pure chain: both neighbours of a minimum are n0 + 1 (or N - n0 - 1)
    # a V: lowest at the dip, back to the stationary mean <S_B>_pi far from it
    assert np.argmin(res.mean) == W
    pi = urn.stationary_distribution
    SB = urn.boltzmann_entropy(np.arange(N + 1))
    for k in (0, -1):
        assert abs(res.mean[k] - pi @ SB) <= 5 * res.stderr[k]


@pytest.mark.parametrize("lazy", [False, True])
def test_aligned_average_equals_exact_conditional_profile_at_the_extremes(lazy):
    """Dips to S_B = 0 are visits to n = 0 or N; with separation 1 every visit is an event, so
    the average is the ergodic estimate of E[S_B(n_t) | n_0 in {0, N}] (and the lazy chain's
    stays at 0 count once, at a random one of their times)."""
    N, W = 10, 12
    urn = Ehrenfest(N, lazy=lazy)
    run = stationary_run(urn, 1_000_000, seed=3)
    res = fluctuation_aligned(run.entropy, 0.0, W, separation=1, seed=2)
    law = dip_state_law(run.states, res.positions, N + 1)
    assert law[1:N].sum() == 0 and res.events > 500
    if lazy:
        # an excursion of the lazy chain at n = 0 is conditioned to stay there for its length:
        # the one-visit profile no longer applies; check symmetry only
        d = res.windows[:, W + 1:] - res.windows[:, W - 1::-1]
        se = d.std(0, ddof=1) / math.sqrt(res.events)
        assert np.all(np.abs(d.mean(0)) <= 4.5 * se)
        return
    exact = ehrenfest_dip_profile(urn, law, res.lags)
    # 5 (cluster-robust) standard errors at each of 25 lags; at lags +-1 every window holds
    # S_B(1) exactly (standard error 0 up to rounding, hence the 1e-9)
    assert np.all(np.abs(res.mean - exact) <= 5 * res.stderr + 1e-9)
    assert res.extra["clusters"] < res.events  # returns within 2 W steps do happen


def test_dip_profile_against_simulated_two_sided_ensemble():
    N, M, T = 30, 6000, 25
    urn = Ehrenfest(N)
    ens = simulate(urn, 4, forward=T, backward=T, paths=M, seed=12)
    S = urn.boltzmann_entropy(ens.states.astype(np.int64))
    exact = ehrenfest_dip_profile(urn, 4, ens.times)
    np.testing.assert_allclose(exact, exact[::-1])
    assert exact[T] == pytest.approx(urn.boltzmann_entropy(4))
    se = S.std(0, ddof=1) / math.sqrt(M)
    # 5 standard errors at 51 times; at |t| <= 1 the value is certain (se 0 up to rounding)
    assert np.all(np.abs(S.mean(0) - exact) <= 5 * se + 1e-9)
    # a law over dip states gives the mixture of the single-state profiles
    law = np.zeros(N + 1)
    law[[2, 27]] = [0.25, 0.75]
    mix = 0.25 * ehrenfest_dip_profile(urn, 2, ens.times) + 0.75 * ehrenfest_dip_profile(urn, 27, ens.times)
    np.testing.assert_allclose(ehrenfest_dip_profile(urn, law, ens.times), mix, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# stationary runs
# ---------------------------------------------------------------------------------------------


def test_stationary_runs():
    urn = Ehrenfest(12)
    a = stationary_run(urn, 5000, seed=1)
    b = stationary_run(urn, 5000, seed=1)
    np.testing.assert_array_equal(a.states, b.states)
    assert a.unit == "bits" and a.states.shape == (5000,)
    np.testing.assert_allclose(a.entropy, urn.boltzmann_entropy(a.states.astype(int)))
    ring = KacRing(300, 31, seed=4)
    r = stationary_run(ring, 2 * 600 + 1, seed=2, base=math.e)
    assert r.unit == "nats"
    np.testing.assert_array_equal(r.states[:601], r.states[600:])  # odd m: recurrence after 2N
    np.testing.assert_allclose(r.entropy, ring.coarse_entropy(r.states, base=math.e))
    # the fair-coin colouring at t0 has about N/2 black balls (5 binomial standard deviations)
    assert abs(int(r.states[0]) - 150) <= 5 * math.sqrt(300 / 4)


def test_validation_messages():
    x = np.zeros(50)
    with pytest.raises(ValueError, match=r"series: expected a 1-D array of real numbers"):
        fluctuation_aligned(np.zeros((3, 3)), 0.0, 1)
    with pytest.raises(ValueError, match=r"series\[2\]=nan: expected finite values"):
        fluctuation_aligned([1.0, 2.0, np.nan], 0.0, 1)
    with pytest.raises(ValueError, match=r"threshold='low': expected a finite real number"):
        fluctuation_aligned(x, "low", 1)
    with pytest.raises(ValueError, match=r"window=0: expected an integer >= 1"):
        fluctuation_aligned(x, 0.0, 0)
    with pytest.raises(ValueError, match=r"window=30: the series has 50 values, fewer than the 2 \* window \+ 1 = 61"):
        fluctuation_aligned(x, 0.0, 30)
    with pytest.raises(ValueError, match=r"separation=0: expected an integer >= 1"):
        fluctuation_aligned(x, 0.0, 3, separation=0)
    with pytest.raises(ValueError, match=r"ties='middle': expected one of 'random', 'first', 'last'"):
        fluctuation_aligned(x, 0.0, 3, ties="middle")
    with pytest.raises(ValueError, match=r"process=.*expected an Ehrenfest urn or a KacRing"):
        stationary_run("urn", 10)
    with pytest.raises(ValueError, match=r"length=0: expected an integer >= 1"):
        stationary_run(Ehrenfest(4), 0)
    with pytest.raises(ValueError, match=r"ensemble='fixed'"):
        stationary_run(KacRing(10, 2, ensemble="markers"), 10)
    with pytest.raises(ValueError, match=r"urn=.*expected an Ehrenfest urn"):
        ehrenfest_dip_profile(KacRing(10, 2, seed=1), 3, [0, 1])
    with pytest.raises(ValueError, match=r"positions: no dips given"):
        dip_state_law(np.arange(5), [], 5)
