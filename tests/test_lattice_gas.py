"""Lattice gas: invariants, recorded entropies, snapshots, determinism."""

from __future__ import annotations

import math

import numpy as np
import pytest

from entropy.processes.lattice_gas import LatticeGas
from entropy.simulation import simulate

@pytest.mark.parametrize("exclusion", [False, True])
def test_lattice_gas_invariants_and_snapshots(exclusion):
    L, N, C = 16, 50, 4
    gas = LatticeGas(L, N, exclusion=exclusion, cells=C, record="cells")
    ens = simulate(gas, "corner", forward=40, backward=40, paths=4, seed=5)
    assert ens.states.dtype == np.uint32 and ens.states.shape == (4, 81, C * C)
    assert np.all(ens.states.sum(-1) == N)  # conservation
    times = np.array([-40, -3, 0, 0, 7, 40])
    snap = gas.snapshots(times, seed=5, path=2)
    assert snap.shape == (6, N, 2)
    assert snap.min() >= 0 and snap.max() < L  # walls
    np.testing.assert_array_equal(snap[2], gas.corner_positions())
    for k, t in enumerate(times):
        if exclusion:
            assert np.unique(snap[k, :, 0] * L + snap[k, :, 1]).size == N
        cells = np.bincount((snap[k, :, 0] // (L // C)) * C + snap[k, :, 1] // (L // C), minlength=C * C)
        np.testing.assert_array_equal(cells, ens.at(t)[2])  # snapshots reproduce path 2 of simulate
    # single steps move one particle at a time by one site
    fine = LatticeGas(L, N, exclusion=exclusion, cells=C, moves=1)
    s = fine.snapshots(np.arange(0, 30), seed=1)
    jumps = np.abs(np.diff(s, axis=0)).sum(axis=(1, 2))
    assert np.all(jumps <= 1)


@pytest.mark.parametrize("exclusion", [False, True])
def test_lattice_gas_recorded_entropy_matches_cells(exclusion):
    L, N, C = 12, 30, 3
    a = simulate(LatticeGas(L, N, exclusion=exclusion, cells=C), "corner", forward=30, backward=5, paths=3, seed=8)
    g = LatticeGas(L, N, exclusion=exclusion, cells=C, record="cells")
    b = simulate(g, "corner", forward=30, backward=5, paths=3, seed=8)
    np.testing.assert_allclose(a.states, g.coarse_entropy(b.states, base=math.e), atol=1e-10)
    # by hand: the corner state fills one 4x4 cell with 16 particles and 14 in the next cells
    gas = LatticeGas(8, 16, exclusion=exclusion, cells=2)
    S0 = simulate(gas, "corner", forward=0, paths=1, seed=0).states[0, 0]
    expect = math.log(math.comb(16, 16)) + 3 * math.log(math.comb(16, 0)) if exclusion else 0.0
    assert S0 == pytest.approx(expect, abs=1e-12)


@pytest.mark.parametrize("exclusion", [False, True])
def test_lattice_gas_entropy_approaches_uniform_law_value(exclusion):
    L, N, C, M = 16, 40, 2, 400
    gas = LatticeGas(L, N, exclusion=exclusion, cells=C)
    ens = simulate(gas, "corner", forward=1200, backward=1200, paths=M, seed=17)
    S = ens.states
    assert np.all(S <= gas.max_coarse_entropy(base=math.e) + 1e-9)
    # reference: the coarse entropy under the uniform (stationary) law, sampled independently
    rng = np.random.default_rng(0)
    K = 200_000
    if exclusion:
        sites = np.argsort(rng.random((K, L * L)), axis=1)[:, :N]
    else:
        sites = rng.integers(0, L * L, size=(K, N))
    x, y = sites // L, sites % L
    cell = (x // (L // C)) * C + y // (L // C)
    occ = np.stack([(cell == c).sum(1) for c in range(C * C)], axis=1)
    ref = gas.coarse_entropy(occ, base=math.e)
    for arm in ("forward", "backward"):
        late = ens.arm(arm)[:, -1]
        # paths independent; reference has K >> M samples: 5 combined standard errors
        se = math.sqrt(late.var(ddof=1) / M + ref.var(ddof=1) / K)
        assert abs(late.mean() - ref.mean()) <= 5 * se
    # and it started far below: t0 is the corner state
    assert S[0, ens.t0_index] < ref.mean() - 10


def test_lattice_gas_more_particles_than_sites_without_exclusion():
    gas = LatticeGas(4, 40, cells=2, record="cells")
    pos = gas.corner_positions()
    assert pos.min() >= 0 and pos.max() < 4
    assert np.all(np.bincount(pos[:, 0] * 4 + pos[:, 1], minlength=16) >= 2)  # 40 on 16 sites
    ens = simulate(gas, "corner", forward=20, backward=5, paths=3, seed=1)
    assert np.all(ens.states.sum(-1) == 40)


def test_lattice_gas_determinism():
    gas = LatticeGas(20, 60, exclusion=True, cells=4)
    a = simulate(gas, "corner", forward=15, backward=15, paths=9, seed=3)
    b = simulate(gas, "corner", forward=15, backward=15, paths=9, seed=3, chunk_size=2)
    np.testing.assert_array_equal(a.states, b.states)
    assert gas.reversed() is gas


def test_lattice_gas_validation():
    with pytest.raises(ValueError, match=r"size=0: expected an integer >= 1"):
        LatticeGas(0, 10)
    with pytest.raises(ValueError, match=r"particles=0: expected an integer >= 1"):
        LatticeGas(8, 0)
    with pytest.raises(ValueError, match=r"particles=65: at most 64 particles fit on a 8 x 8 grid"):
        LatticeGas(8, 65, exclusion=True)
    with pytest.raises(ValueError, match=r"cells=3: expected a divisor of size=8"):
        LatticeGas(8, 10, cells=3)
    with pytest.raises(ValueError, match=r"record='positions': expected one of 'entropy', 'cells'"):
        LatticeGas(8, 10, cells=2, record="positions")
    with pytest.raises(ValueError, match=r"exclusion=None: expected True or False"):
        LatticeGas(8, 10, cells=2, exclusion=None)
    with pytest.raises(ValueError, match=r"start='center': expected 'corner'"):
        simulate(LatticeGas(8, 10, cells=2), "center", forward=1)
    with pytest.raises(ValueError, match=r"start: two particles share a site"):
        simulate(LatticeGas(8, 2, cells=2, exclusion=True), np.zeros((2, 2), int), forward=1)
    with pytest.raises(ValueError, match=r"cells: expected occupations of 4 cells"):
        LatticeGas(8, 10, cells=2).coarse_entropy([1, 2, 3])
    with pytest.raises(ValueError, match=r"times=.*expected a 1-D array of integer times"):
        LatticeGas(8, 10, cells=2).snapshots([0.5], seed=1)
    with pytest.raises(ValueError, match=r"store=False"):
        simulate(LatticeGas(8, 10, cells=2), "corner", forward=1, store=False)
