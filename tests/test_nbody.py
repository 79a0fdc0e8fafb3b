"""Tests of the gravitating N-body ensemble (entropy.NBody) and its observables (entropy.nbody).

Observables are checked against brute-force numpy sums over pairs written here, the
integrators against exact relations (conservation laws, the order of the energy error,
time reversibility, the Lagrange-Jacobi identities), against REBOUND, and the ensemble
against the symmetry and growth laws of Barbour, Koslowski & Mercati (PRL 113, 181101,
2014). Statistical tolerances are stated next to each test; seeds are fixed.
"""

from __future__ import annotations

import math
import warnings

import numba
import numpy as np
import pytest
from scipy import stats

import entropy
from entropy import nbody, simulate
from entropy._kernels import nbody as kn
from entropy.processes.nbody import EnergyError, EnergyErrorWarning, NBody

# -------------------------------------------------------------------------------------------------
# brute-force references
# -------------------------------------------------------------------------------------------------


def pairs_of(x, v, m, eps):
    """Every pair (i < j) of one snapshot: r_ij, |v_ij|^2, m_i m_j, m_i + m_j."""
    i, j = np.triu_indices(len(m), 1)
    r = np.linalg.norm(x[i] - x[j], axis=1)
    dv2 = ((v[i] - v[j]) ** 2).sum(axis=1)
    return r, dv2, m[i] * m[j], m[i] + m[j], i, j


def brute(x, v, m, eps, bin_width=0.25, linking=0.1):
    """Observables of one snapshot (N, dim) by direct formulas."""
    M = m.sum()
    xc = x - m @ x / M
    vc = v - m @ v / M
    r, dv2, mm, ms, i, j = pairs_of(x, v, m, eps)
    S = mm.sum()
    ell = math.sqrt((mm * r**2).sum() / S)
    bound = 0.5 * mm / ms * dv2 - mm / np.sqrt(r**2 + eps**2) < 0
    # clusters: components of the close bound pairs, by repeated label propagation
    label = np.arange(len(m))
    link = bound & (r < linking * ell)
    for _ in range(len(m)):
        for a, b in zip(i[link], j[link]):
            label[a] = label[b] = min(label[a], label[b])
    members = np.zeros(len(m), bool)
    members[i[link]] = members[j[link]] = True
    k = np.floor(np.clip(np.log2(r / ell), -32, 32) / bin_width)
    q = np.array([mm[k == b].sum() for b in np.unique(k)]) / S
    return {
        "I": (m * (xc**2).sum(1)).sum(),
        "D": (m * (xc * vc).sum(1)).sum(),
        "T": 0.5 * (m * (vc**2).sum(1)).sum(),
        "V": -(mm / np.sqrt(r**2 + eps**2)).sum(),
        "virial": -(mm * r**2 / (r**2 + eps**2) ** 1.5).sum(),
        "C_S": math.sqrt((mm * r**2).sum()) * (mm / r).sum() / M**2.5,
        "bound_pairs": bound.sum(),
        "clusters": len(set(label[members])),
        "pair_entropy": -(q * np.log2(q)).sum(),
    }


def accel(x, m, eps):
    """Softened accelerations (N, dim) by a dense numpy sum."""
    d = x[None, :, :] - x[:, None, :]
    r2 = (d**2).sum(-1) + eps**2
    np.fill_diagonal(r2, np.inf)
    return (m[None, :, None] * d / r2[..., None] ** 1.5).sum(1)


def random_snapshots(rng, shape, n, dim):
    x = rng.normal(size=shape + (n, dim))
    x[..., 1, :] = x[..., 0, :] + 0.01  # a tight pair, so some pairs are bound
    return x, 0.3 * rng.normal(size=shape + (n, dim))


# -------------------------------------------------------------------------------------------------
# observables
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dim", [2, 3])
def test_observables_match_brute_force_over_leading_axes(rng, dim):
    n, eps = 9, 0.02
    x, v = random_snapshots(rng, (2, 3), n, dim)
    m = rng.uniform(0.5, 2.0, n)
    obs = nbody.observables(x, v, m, eps, linking_length=0.5)
    assert obs["C_S"].shape == (2, 3)
    for idx in np.ndindex(2, 3):
        ref = brute(x[idx], v[idx], m, eps, linking=0.5)
        for name, want in ref.items():
            assert obs[name][idx] == pytest.approx(want, rel=1e-10, abs=1e-12), name
    assert np.allclose(nbody.moment_of_inertia(x, m), obs["I"], rtol=1e-12)
    assert np.allclose(nbody.dilatational_momentum(x, v, m), obs["D"], rtol=1e-10, atol=1e-14)
    assert np.allclose(nbody.kinetic_energy(v, m), obs["T"], rtol=1e-12)
    assert np.allclose(nbody.energy(x, v, m, eps), obs["T"] + obs["V"], rtol=1e-12)
    assert np.allclose(nbody.potential_energy(x, m, eps), obs["V"], rtol=1e-12)
    assert np.allclose(nbody.virial(x, m, eps), obs["virial"], rtol=1e-12)
    assert np.allclose(nbody.shape_complexity(x, m), obs["C_S"], rtol=1e-12)
    assert np.array_equal(nbody.bound_pairs(x, v, m, eps), obs["bound_pairs"])
    assert np.array_equal(nbody.cluster_count(x, v, m, eps, linking_length=0.5), obs["clusters"])
    assert np.allclose(nbody.pair_distance_entropy(x, m), obs["pair_entropy"], rtol=1e-12)
    L = nbody.angular_momentum(x, v, m)
    assert np.allclose(L if dim == 2 else L[..., 2], obs["Lz"], rtol=1e-10, atol=1e-14)
    assert np.allclose(nbody.momentum(v, m)[..., 0], obs["Px"], rtol=1e-10, atol=1e-14)
    assert np.array(obs["bound_pairs"]).min() >= 1  # the tight pair


@pytest.mark.parametrize("bin_width", [0.125, 0.3, 0.5, 1.0])
def test_pair_distance_entropy_bins_match_brute_force(rng, bin_width):
    # w = 1/8 and 1/2 take the exponent path of the kernel (1 / (2w) integer), 0.3 and 1 the log path
    x, v = random_snapshots(rng, (5,), 15, 3)
    H = nbody.pair_distance_entropy(x, bin_width=bin_width, base=2)
    for k in range(5):
        want = brute(x[k], v[k], np.full(15, 1 / 15), 0.0, bin_width=bin_width)["pair_entropy"]
        assert H[k] == pytest.approx(want, rel=1e-12)


def test_shape_observables_are_scale_and_rotation_invariant(rng):
    x, _ = random_snapshots(rng, (4,), 12, 3)
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    y = 7.3 * x @ Q.T + np.array([1.0, -2.0, 0.5])
    assert np.allclose(nbody.shape_complexity(y), nbody.shape_complexity(x), rtol=1e-12)
    assert np.allclose(nbody.moment_of_inertia(y), 7.3**2 * nbody.moment_of_inertia(x), rtol=1e-12)
    # the entropy bins are anchored at l_rms, so a dilatation leaves every bin count unchanged
    assert np.allclose(nbody.pair_distance_entropy(y), nbody.pair_distance_entropy(x), rtol=1e-9)
    H_nats = nbody.pair_distance_entropy(x, base=math.e)
    assert np.allclose(H_nats, nbody.pair_distance_entropy(x) * math.log(2), rtol=1e-12)


def test_shape_complexity_of_equilateral_triangle():
    # side 1, m = 1/3, M = 1: C_S = sqrt(3 m^2) * 3 m^2 = 3^1.5 / 27
    x = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, math.sqrt(3) / 2]])
    m = np.full(3, 1 / 3)
    want = math.sqrt(3 * m[0] ** 2) * 3 * m[0] ** 2
    assert nbody.shape_complexity(x, m) == pytest.approx(want, rel=1e-14)


def test_observables_reject_bad_input():
    x = np.zeros((4, 3))
    with pytest.raises(ValueError, match=r"positions: expected shape \(\.\.\., N, dim\)"):
        nbody.moment_of_inertia(np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"masses: expected shape \(4,\)"):
        nbody.moment_of_inertia(x, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"masses\[1\]=-1.0"):
        nbody.moment_of_inertia(x, [1.0, -1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="velocities: expected the shape of positions"):
        nbody.energy(x, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="softening=-0.1"):
        nbody.energy(x, x, softening=-0.1)
    with pytest.raises(ValueError, match="base=1"):
        nbody.pair_distance_entropy(x, base=1)
    with pytest.raises(ValueError, match="bin_width=0"):
        nbody.pair_distance_entropy(x, bin_width=0)


# -------------------------------------------------------------------------------------------------
# the Janus start
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dim,L,E", [(3, 0.0, 0.0), (3, [0.02, -0.01, 0.03], 0.4), (2, 0.05, 0.0)])
def test_janus_start_has_requested_invariants(dim, L, E):
    model = NBody(12, dim=dim, angular_momentum=L, energy=E, softening=0.02)
    ens = simulate(model, "janus", forward=0, dt=0.01, paths=50, seed=4)
    x, v = ens.states[:, 0, 0], ens.states[:, 0, 1]
    m = model.masses
    assert np.abs(nbody.momentum(v, m)).max() < 1e-14
    assert np.abs(x.transpose(0, 2, 1) @ m).max() < 1e-14  # centre of mass at the origin
    assert np.abs(nbody.dilatational_momentum(x, v, m)).max() < 1e-14
    Lw = nbody.angular_momentum(x, v, m)
    target = model.angular_momentum if dim == 3 else model.angular_momentum[2]
    assert np.allclose(Lw, target, rtol=0, atol=1e-14)
    assert np.allclose(nbody.energy(x, v, m, 0.02), E, rtol=0, atol=1e-13)
    assert np.all(np.linalg.norm(x, axis=-1) < 2.0)  # the unit ball, shifted by its centre of mass
    assert not np.allclose(x[0], x[1])  # every path draws its own configuration


def test_janus_start_refuses_an_impossible_energy():
    with pytest.raises(ValueError, match=r"energy=-50.0: the Janus start of path 0 cannot have this energy"):
        simulate(NBody(5, energy=-50.0), "janus", forward=1, dt=0.01, paths=3, seed=1)


def test_same_seed_same_ensemble_for_any_chunking_and_thread_count():
    model = NBody(7, softening=0.05, energy_tolerance=0.05)
    kw = dict(forward=20, backward=20, dt=0.01, paths=12, seed=9)
    a = simulate(model, "janus", **kw)
    b = simulate(model, "janus", chunk_size=5, **kw)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        c = simulate(model, "janus", **kw)
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(a.states, b.states)
    assert np.array_equal(a.states, c.states)


# -------------------------------------------------------------------------------------------------
# the integrators
# -------------------------------------------------------------------------------------------------


def one_state(n=6, seed=2, softening=0.1):
    """A Janus state of one path: positions and velocities (n, 3)."""
    ens = simulate(NBody(n, softening=softening), "janus", forward=0, dt=0.01, paths=1, seed=seed)
    return ens.states[0, 0, 0], ens.states[0, 0, 1]


def integrate(x, v, steps, dt, **kw):
    model = NBody(len(x), **{"energy_tolerance": 0.05, **kw})
    ens = simulate(model, {"positions": x, "velocities": v}, forward=steps, dt=dt, paths=1, seed=0)
    return ens, model


@pytest.mark.parametrize("integrator,order", [("leapfrog", 2), ("yoshida4", 4)])
def test_energy_error_scales_with_the_order_and_P_L_are_conserved(integrator, order):
    x, v = one_state()
    errs = []
    for k in range(3):
        dt = 0.02 / 2**k
        ens, model = integrate(x, v, 50 * 2**k, dt, softening=0.1, integrator=integrator)
        o = nbody.ensemble_observables(ens)
        errs.append(np.abs(o["E"][0] - o["E"][0, 0]).max())
        for c in ("Px", "Py", "Pz", "Lx", "Ly", "Lz"):
            assert np.abs(o[c]).max() < 1e-13, c
    ratios = np.array(errs[:-1]) / np.array(errs[1:])
    # halving dt divides the largest error by 2^order (measured: 2.00, 2.00 and 4.01, 4.00);
    # accept +-0.15 in the exponent
    assert np.all(np.abs(np.log2(ratios) - order) < 0.15), (errs, ratios)


@pytest.mark.parametrize("integrator", ["leapfrog", "yoshida4"])
def test_time_reversible_to_round_off(integrator):
    x, v = one_state(n=10, softening=0.05)
    ens, _ = integrate(x, v, 200, 0.01, softening=0.05, integrator=integrator)
    x1, v1 = ens.states[0, -1, 0], ens.states[0, -1, 1]
    assert np.abs(x1 - x).max() > 0.05  # it moved
    back, _ = integrate(x1, -v1, 200, 0.01, softening=0.05, integrator=integrator)
    # measured: 1e-15 (leapfrog) and 4e-15 (yoshida4) in positions, 2e-15 and 5e-15 in velocities
    assert np.abs(back.states[0, -1, 0] - x).max() < 1e-12
    assert np.abs(back.states[0, -1, 1] + v).max() < 1e-12


def test_backward_arm_is_the_past_of_the_same_trajectory():
    # metamorphic: integrating forwards from the state at t0 - n reproduces both arms
    model = NBody(8, softening=0.05, energy_tolerance=0.05)
    n = 60
    ens = simulate(model, "janus", forward=n, backward=n, dt=0.01, paths=3, seed=6)
    for p in range(3):
        first = ens.states[p, 0]
        again, _ = integrate(first[0], first[1], 2 * n, 0.01, softening=0.05)
        assert np.abs(again.states[0] - ens.states[p]).max() < 1e-12  # measured 1.2e-15


def test_lagrange_jacobi_relations_along_paths():
    # dI/dt = 2D and dD/dt = 2T + virial, by central differences (error O(dt^2) ~ 1e-6 here)
    dt = 0.002
    model = NBody(10, softening=0.05, record="observables", integrator="yoshida4")
    ens = simulate(model, "janus", forward=100, backward=100, dt=dt, paths=4, seed=11)
    o = nbody.ensemble_observables(ens)
    dI = (o["I"][:, 2:] - o["I"][:, :-2]) / (2 * dt)
    dD = (o["D"][:, 2:] - o["D"][:, :-2]) / (2 * dt)
    scale_I = np.abs(2 * o["D"]).max()
    assert np.abs(dI - 2 * o["D"][:, 1:-1]).max() < 1e-4 * scale_I
    rhs = 2 * o["T"] + o["virial"]
    assert np.abs(dD - rhs[:, 1:-1]).max() < 1e-3 * np.abs(rhs).max()
    # softened: virial >= V, so dD/dt >= T + E
    assert np.all(o["virial"] >= o["V"])


def test_unsoftened_virial_is_the_potential(rng):
    x, _ = random_snapshots(rng, (3,), 8, 3)
    assert np.allclose(nbody.virial(x), nbody.potential_energy(x), rtol=1e-12)


@pytest.mark.parametrize("energy", [0.0, 0.3])
def test_D_increases_strictly_and_I_is_smallest_at_the_janus_point(energy):
    model = NBody(12, softening=0.05, energy=energy, record="observables", substeps=4, energy_tolerance=1e-2)
    ens = simulate(model, "janus", forward=80, backward=80, dt=0.02, paths=40, seed=7)
    o = nbody.ensemble_observables(ens)
    D, I = o["D"], o["I"]
    i0 = ens.t0_index
    assert np.all(np.diff(D, axis=1) > 0)  # every recorded time, every path
    assert np.all(D[:, :i0] < 0) and np.all(D[:, i0 + 1:] > 0)
    assert np.all(np.abs(D[:, i0]) < 1e-14)
    assert np.all(np.argmin(I, axis=1) == i0)


# -------------------------------------------------------------------------------------------------
# record modes and the energy check
# -------------------------------------------------------------------------------------------------


def test_recorded_observables_equal_those_of_the_stored_states():
    kw = dict(forward=15, backward=15, dt=0.01, paths=6, seed=3)
    stored = simulate(NBody(9, softening=0.03), "janus", **kw)
    rec = simulate(NBody(9, softening=0.03, record="observables"), "janus", **kw)
    assert rec.states.shape == (6, 31, len(nbody.OBSERVABLES))
    a = nbody.ensemble_observables(stored)
    b = nbody.ensemble_observables(rec)
    for name in nbody.OBSERVABLES:
        assert np.allclose(a[name], b[name], rtol=1e-12, atol=1e-15), name
    # and the kernel's columns agree with the brute-force formulas
    ref = brute(stored.states[2, 4, 0], stored.states[2, 4, 1], NBody(9).masses, 0.03)
    for name, want in ref.items():
        assert b[name][2, 4] == pytest.approx(want, rel=1e-10, abs=1e-13), name


def test_energy_error_is_refused_or_warned_naming_path_time_and_dt():
    model = NBody(6, softening=0.001, energy_tolerance=1e-6)
    with pytest.raises(EnergyError, match=r"on path \d+ at step \d+ of the forward arm \(t - t0 = .*, dt = 0.05") as ei:
        simulate(model, "janus", forward=40, backward=40, dt=0.05, paths=4, seed=1)
    assert ei.value.dt == 0.05 and ei.value.error > 1e-6 and ei.value.partial.paths == 0
    warn = NBody(6, softening=0.001, energy_tolerance=1e-6, on_energy_error="warn")
    with pytest.warns(EnergyErrorWarning, match="exceeds energy_tolerance=1e-06"):
        ens = simulate(warn, "janus", forward=40, backward=40, dt=0.05, paths=4, seed=1)
    assert np.all(np.isfinite(ens.states))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        simulate(NBody(6, softening=0.001, energy_tolerance=1e-6, on_energy_error="ignore"), "janus",
                 forward=5, dt=0.05, paths=2, seed=1)


def test_suggested_dt_passes_the_default_energy_check():
    # the rule of thumb, at the default tolerance 1e-3 (measured: largest error 5e-4 on 64 paths)
    model = NBody(20)
    steps = int(2 / model.suggested_dt)
    simulate(model, "janus", forward=steps, backward=steps, dt=model.suggested_dt, paths=64, seed=1)
    assert NBody(5, softening=0.0).suggested_dt == math.inf


def test_observables_record_fits_a_thousand_paths_of_a_thousand_bodies():
    # memory preflight only (stop before the first chunk): 1000 paths x 2001 times x 16 float64
    # = 256 MB recorded; the states would need 1000 x 2001 x 2 x 1000 x 3 x 8 B = 96 GB
    kw = dict(forward=1000, backward=1000, dt=0.001, paths=1000, seed=1, max_memory=300 * 2**20, stop=lambda: True)
    ens = simulate(NBody(1000, record="observables"), "janus", **kw)
    assert ens.extra["complete"] is False and ens.process.record_shape == (16,)
    with pytest.raises(entropy.InsufficientMemoryError, match="needs 89"):
        simulate(NBody(1000), "janus", **kw)


def test_chunks_of_costly_paths_are_small():
    # 300 paths of 50 bodies x 101 times stored: 242 kB per path, so 32 MiB chunks hold 138
    # paths (rounded up to 144); the default minimum of 1024 paths would make it one chunk
    class Counter:
        n = 0

        def update(self, k):
            self.n += 1

    bar = Counter()
    simulate(NBody(50, softening=0.05, energy_tolerance=0.05), "janus", forward=100, dt=0.001, paths=300, seed=1,
             progress=bar)
    assert bar.n == 3


def test_nbody_rejects_bad_parameters():
    with pytest.raises(ValueError, match="bodies=2: expected an integer >= 3"):
        NBody(2)
    with pytest.raises(ValueError, match="dim=4: expected 2 or 3"):
        NBody(5, dim=4)
    with pytest.raises(ValueError, match="integrator='rk4'"):
        NBody(5, integrator="rk4")
    with pytest.raises(ValueError, match="record='paths'"):
        NBody(5, record="paths")
    with pytest.raises(ValueError, match="angular_momentum=.*for dim=2"):
        NBody(5, dim=2, angular_momentum=[0, 0, 1])
    with pytest.raises(ValueError, match="dt=None"):
        simulate(NBody(5), "janus", forward=2, paths=2, seed=1)
    with pytest.raises(ValueError, match="start='big bang'"):
        simulate(NBody(5), "big bang", forward=2, dt=0.1, paths=2, seed=1)
    with pytest.raises(ValueError, match=r"start\['positions'\]: expected shape \(5, 3\)"):
        simulate(NBody(5), {"positions": np.zeros((4, 3)), "velocities": np.zeros((5, 3))}, forward=2, dt=0.1,
                 paths=2, seed=1)


# -------------------------------------------------------------------------------------------------
# the ensemble: symmetry about the Janus point and growth of structure on both arms
# -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def janus_ensemble():
    # 400 paths of 20 bodies, t - t0 in [-4, 4]: about 2 s on 2 cores. Close pairs at t0 cost
    # leapfrog a relative energy error of order 1e-3 at this step; the laws tested here do not
    # need more, so the tolerance is 1e-2.
    model = NBody(20, softening=0.05, record="observables", substeps=4, energy_tolerance=1e-2)
    ens = simulate(model, "janus", forward=80, backward=80, dt=0.05, paths=400, seed=2014)
    return ens, nbody.ensemble_observables(ens)


def test_ensemble_is_symmetric_about_the_janus_point(janus_ensemble):
    ens, o = janus_ensemble
    i0 = ens.t0_index
    C = o["C_S"]
    # independent halves: forward arm of paths 0..199 against backward arm of paths 200..399
    for s in (20, 40, 80):
        res = stats.ks_2samp(C[:200, i0 + s], C[200:, i0 - s])
        # 200 against 200 paths, 3 tests at level 0.001 each (family-wise false alarm 0.3% where
        # the numbers differ: chaotic paths amplify last-bit differences between machines);
        # measured p = 0.96, 0.14, 0.79
        assert res.pvalue > 0.001, (s, res)
    # a positive control: the law at t0 + 80 differs from the law at t0
    assert stats.ks_2samp(C[:200, i0 + 80], C[200:, i0]).pvalue < 1e-6
    # single paths are not symmetric: their two arms differ by more than 2% somewhere
    asym = np.abs(C[:, i0 + 1:] - C[:, i0 - 1::-1]).max(axis=1) / C[:, i0]
    assert np.mean(asym > 0.02) > 0.9


def test_structure_grows_away_from_the_janus_point_on_both_arms(janus_ensemble):
    ens, o = janus_ensemble
    i0 = ens.t0_index
    for name in ("C_S", "clusters", "pair_entropy"):
        x = o[name]
        for arm, i in (("forward", i0 + 80), ("backward", i0 - 80)):
            d = x[:, i] - x[:, i0]  # paired growth per path from t0 to |t - t0| = 4
            z = d.mean() / (d.std(ddof=1) / math.sqrt(d.size))
            assert z > 5, (name, arm, z)  # growth at 5 standard errors of the mean over 400 paths
        # and monotone on average between |t - t0| = 0, 2, 4 on both arms
        for sgn in (1, -1):
            means = [x[:, i0 + sgn * s].mean() for s in (0, 40, 80)]
            assert means[0] < means[1] < means[2], (name, sgn, means)


# -------------------------------------------------------------------------------------------------
# side by side with REBOUND
# -------------------------------------------------------------------------------------------------


def test_trajectory_agrees_with_rebound_leapfrog():
    rebound = pytest.importorskip("rebound")
    eps, dt, steps = 0.05, 0.01, 100
    x, v = one_state(n=8, seed=5, softening=eps)
    model = NBody(8, softening=eps)
    m = model.masses
    # REBOUND's leapfrog is drift-kick-drift, ours kick-drift-kick; they are conjugate:
    # KDK^n = K(h/2) D(h/2) DKD^n D(-h/2) K(-h/2), so start REBOUND from D(-h/2) K(-h/2) z
    # and map its end state back with K(h/2) D(h/2): the same sequence of operations.
    v0 = v - 0.5 * dt * accel(x, m, eps)
    x0 = x - 0.5 * dt * v0
    sim = rebound.Simulation()
    sim.G = 1.0
    sim.integrator = "leapfrog"
    sim.gravity = "basic"
    sim.softening = eps
    sim.dt = dt
    for i in range(8):
        sim.add(m=m[i], x=x0[i, 0], y=x0[i, 1], z=x0[i, 2], vx=v0[i, 0], vy=v0[i, 1], vz=v0[i, 2])
    sim.steps(steps)
    xr = np.array([[p.x, p.y, p.z] for p in sim.particles])
    vr = np.array([[p.vx, p.vy, p.vz] for p in sim.particles])
    xr = xr + 0.5 * dt * vr
    vr = vr + 0.5 * dt * accel(xr, m, eps)
    ens, _ = integrate(x, v, steps, dt, softening=eps)
    assert np.abs(ens.states[0, -1, 0] - x).max() > 0.05  # it moved
    # the same operations in another summation order: round-off (measured 1.4e-15 in positions,
    # 3e-15 in velocities after 100 steps)
    assert np.abs(ens.states[0, -1, 0] - xr).max() < 1e-12
    assert np.abs(ens.states[0, -1, 1] - vr).max() < 1e-12
