"""Kac ring against a numpy reference, exact recurrence and the Stosszahlansatz."""

from __future__ import annotations

import math

import numpy as np
import pytest

from entropy.processes.kac import KacRing, binary_entropy
from entropy.simulation import simulate

@pytest.mark.parametrize("N, m", [(2, 1), (7, 3), (64, 10), (65, 64), (130, 17), (200, 40)])
def test_kac_kernel_matches_numpy_reference_both_arms(N, m):
    ring = KacRing(N, m, seed=N)
    c0 = np.random.default_rng(m).random(N) < 0.5
    T = 2 * N + 3
    ens = simulate(ring, c0, forward=T, backward=T, paths=2, seed=0)
    ref = np.array([ring.evolve(c0, int(t)).sum() for t in ens.times])
    np.testing.assert_array_equal(ens.states[0], ref)
    np.testing.assert_array_equal(ens.states[1], ref)


@pytest.mark.parametrize("m", [0, 6, 7, 33])
def test_kac_recurrence_and_exact_inverse(m):
    N = 100
    ring = KacRing(N, m, seed=2)
    c0 = np.random.default_rng(3).random(N) < 0.3
    if m % 2 == 0:
        np.testing.assert_array_equal(ring.evolve(c0, N), c0)
        assert ring.recurrence_time == N
    else:
        np.testing.assert_array_equal(ring.evolve(c0, N), ~c0)  # every ball flipped m times
        np.testing.assert_array_equal(ring.evolve(c0, 2 * N), c0)
        assert ring.recurrence_time == 2 * N
    for t in (1, 17, 250):
        np.testing.assert_array_equal(ring.evolve(ring.evolve(c0, t), -t), c0)
        np.testing.assert_array_equal(ring.reversed().evolve(ring.evolve(c0, t), t), c0)
    ens = simulate(ring, c0, forward=2 * N, backward=2 * N, paths=1, seed=0)
    B = ens.states[0].astype(int)
    r = ring.recurrence_time
    np.testing.assert_array_equal(B[: len(B) - r], B[r:])  # periodic with the recurrence time
    assert B[ens.t0_index + N] == (c0.sum() if m % 2 == 0 else N - c0.sum())


def test_kac_stosszahlansatz_exact_for_bernoulli_markers():
    N, m, M, T = 400, 40, 3000, 50
    ring = KacRing(N, m, ensemble="markers")
    ens = simulate(ring, "black", forward=T, backward=T, paths=M, seed=21)
    d = ring.delta(ens.states)
    pred = ring.boltzmann_delta(ens.times, 1.0)
    # exact mean for |t| <= N; 5 standard errors (sample sd / sqrt M) at 101 times
    se = d.std(0, ddof=1) / math.sqrt(M)
    assert np.all(np.abs(d.mean(0) - pred) <= 5 * se + 1e-12)
    # different paths ran on different rings (the t = 1 deltas are not all equal)
    assert np.unique(ens.states[:, ens.t0_index + 1]).size > 5
    # coarse entropy per site: H2((1 + delta) / 2)
    np.testing.assert_allclose(ring.coarse_entropy(ens.at(0)), 0.0)
    np.testing.assert_allclose(ring.coarse_entropy(ens.states), binary_entropy((1 + d) / 2))


def test_kac_random_start_and_determinism():
    ring = KacRing(300, 30, seed=1)
    a = simulate(ring, 120, forward=10, backward=10, paths=50, seed=2)
    b = simulate(ring, 120, forward=10, backward=10, paths=50, seed=2, chunk_size=7)
    np.testing.assert_array_equal(a.states, b.states)
    assert np.all(a.at(0) == 120)
    assert np.unique(a.at(1)).size > 1  # the 120 black balls sit at random sites per path
    assert KacRing(300, 30, seed=1).markers.sum() == 30
    np.testing.assert_array_equal(KacRing(300, 30, seed=1).markers, ring.markers)


def test_binary_entropy():
    assert binary_entropy(0.5) == 1.0
    assert binary_entropy(0.0) == 0.0 and binary_entropy(1.0) == 0.0
    assert binary_entropy(0.25, base=math.e) == pytest.approx(-(0.25 * math.log(0.25) + 0.75 * math.log(0.75)))


def test_kac_validation():
    with pytest.raises(ValueError, match=r"sites=1: expected an integer >= 2"):
        KacRing(1, 0)
    with pytest.raises(ValueError, match=r"markers=11: expected a number of marked edges in 0\.\.10"):
        KacRing(10, 11)
    with pytest.raises(ValueError, match=r"markers=-1"):
        KacRing(10, -1)
    with pytest.raises(ValueError, match=r"markers: expected .* boolean array of length 10, got bool array of shape \(9,\)"):
        KacRing(10, np.zeros(9, bool))
    with pytest.raises(ValueError, match=r"ensemble='rings': expected one of 'fixed', 'markers'"):
        KacRing(10, 2, ensemble="rings")
    with pytest.raises(ValueError, match=r"ensemble='markers' draws a marker set per path"):
        KacRing(10, np.zeros(10, bool), ensemble="markers")
    with pytest.raises(ValueError, match=r"start='white': expected 'black'"):
        simulate(KacRing(10, 2, seed=0), "white", forward=2)
    with pytest.raises(ValueError, match=r"start=11"):
        simulate(KacRing(10, 2, seed=0), 11, forward=2)
    with pytest.raises(ValueError, match=r"steps=1\.5: expected an integer"):
        KacRing(10, 2, seed=0).evolve(np.zeros(10, bool), 1.5)
