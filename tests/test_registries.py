"""The registries hold together, and a run gives the numbers of the public estimators (issue 12).

For one gallery scenario of every process family, ``run_scenario`` and a Python session that
simulates with ``entropy.simulate`` and calls the public estimators give the same arrays at
every time, t0 included: a point start's differential entropy is -inf through both (decided
once, see docs/design.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import entropy
from entropy import estimators as est
from entropy import exact
from entropy.analyses import ANALYSES
from entropy.families import FAMILIES
from entropy.quantities import QUANTITIES
from entropy.runs import run_scenario
from entropy.scenario import load_scenario

GALLERY = Path(__file__).resolve().parent.parent / "scenarios"


def test_every_family_entry_is_consistent():
    for kind, fam in FAMILIES.items():
        assert set(fam.default_quantities) <= set(fam.quantities), kind
        for q in fam.quantities:
            assert q in QUANTITIES, f"{kind}: quantity {q!r} is not registered"
        for name, obs in fam.observables.items():
            assert name in fam.quantities, f"{kind}: observable {name!r} is not among its quantities"
        assert fam.methods, kind


def test_every_quantity_is_used_by_some_family_and_every_analysis_has_a_run():
    used = {q for fam in FAMILIES.values() for q in fam.quantities}
    assert set(QUANTITIES) <= used
    for name, a in ANALYSES.items():
        assert a.run is not None and a.summary is not None, name


def _python_side(sc, q, data):
    """The same quantity computed from Python, by the public estimator a user would call."""
    raw = sc.raw["estimate"]
    kw = dict(method=raw["method"], base=raw["base"], confidence=raw["confidence"])
    k = raw["history"]
    if q == "entropy":
        return est.entropy_profile(data, k=raw["k"], **kw)
    if q in ("entropy_rate_forward", "entropy_rate_backward"):
        return est.entropy_rate_profile(data, history=k, direction=q.rsplit("_", 1)[1], k=raw["k"], **kw)
    if q == "excess_entropy":
        return est.excess_entropy_profile(data, history=k, k=raw["k"], **kw)
    if q == "relative_entropy":
        return est.relative_entropy_profile(data, sc.process.stationary_distribution, method=raw["method"],
                                            base=raw["base"], confidence=raw["confidence"])
    if q == "irreversibility":
        return est.irreversibility_profile(data, base=raw["base"], confidence=raw["confidence"])
    return None  # observables: means of a family function, covered by test_observables_are_ensemble_means


CASES = ["driven_ring", "ehrenfest_lazy", "golden_mean", "brownian_motion", "ou_circulating", "arrow_profile",
         "driven_jump"]


@pytest.mark.parametrize("name", CASES)
def test_a_run_and_the_python_api_give_the_same_numbers(name, tmp_path):
    sc = load_scenario(GALLERY / f"{name}.toml", quick=True, out=tmp_path)
    res = run_scenario(sc)
    t, ens = sc.raw["time"], sc.raw["ensemble"]
    records = {QUANTITIES[q].record: True for q in sc.raw["estimate"]["quantities"] if QUANTITIES[q].record}
    data = entropy.simulate(sc.process, sc.start, forward=t["forward"], backward=t["backward"], dt=t["dt"],
                            paths=ens["paths"], seed=ens["seed"], store=ens["store"],
                            pairs=any(QUANTITIES[q].needs == "pairs" for q in sc.raw["estimate"]["quantities"]),
                            **records, **({"base": sc.raw["estimate"]["base"]} if records else {}))
    checked = 0
    for q, prof in res.profiles.items():
        py = _python_side(sc, q, data)
        if py is None:
            continue
        np.testing.assert_array_equal(prof.values, py.values, err_msg=f"{name}: {q}")  # -inf, NaN included
        np.testing.assert_array_equal(prof.ci_low, py.ci_low, err_msg=f"{name}: {q}")
        checked += 1
    assert checked >= 1
    # exact curves of the run are those of entropy.exact.profiles
    if exact.has_profiles(sc.process):
        ref = exact.profiles(sc.process, sc.start, forward=t["forward"], backward=t["backward"], dt=t["dt"],
                             base=sc.raw["estimate"]["base"], history=sc.raw["estimate"]["history"])
        for q, curve in res.exact.items():
            np.testing.assert_array_equal(curve, np.asarray(ref.curves[q], dtype=float))


def test_point_start_of_a_diffusion_is_minus_infinity_through_both_paths(tmp_path):
    sc = load_scenario(GALLERY / "brownian_motion.toml", quick=True, out=tmp_path)
    res = run_scenario(sc)
    H = res.profiles["entropy"]
    i0 = int(np.flatnonzero(np.asarray(H.times) == 0)[0])
    assert np.isneginf(H.values[i0]) and np.isneginf(res.exact["entropy"][i0])


@pytest.mark.parametrize("name", ["kac_ring", "lattice_gas", "janus_nbody", "jump_fluctuation"])
def test_observables_are_ensemble_means(name, tmp_path):
    """Mean quantities (Kac's and the lattice gas's coarse entropy, N-body observables, entropy
    production) through a run equal the sample mean of the per-path values."""
    sc = load_scenario(GALLERY / f"{name}.toml", quick=True, out=tmp_path)
    res = run_scenario(sc)
    for q, prof in res.profiles.items():
        assert prof.method == "ensemble_mean", (name, q)
        assert np.all(np.isfinite(prof.values[np.isfinite(prof.stderr)])), (name, q)
        # a normal interval of half-width z * stderr around the mean
        mid = (prof.ci_low + prof.ci_high) / 2
        ok = np.isfinite(mid)
        np.testing.assert_allclose(mid[ok], prof.values[ok], rtol=1e-12, atol=1e-12)


def test_nbody_means_are_the_means_of_the_recorded_observables(tmp_path):
    from entropy.nbody import ensemble_observables

    sc = load_scenario(GALLERY / "janus_nbody.toml", quick=True, out=tmp_path)
    res = run_scenario(sc)
    t, ens = sc.raw["time"], sc.raw["ensemble"]
    data = entropy.simulate(sc.process, sc.start, forward=t["forward"], backward=t["backward"], dt=t["dt"],
                            paths=ens["paths"], seed=ens["seed"])
    obs = ensemble_observables(data)
    np.testing.assert_allclose(res.profiles["shape_complexity"].values, obs["C_S"].mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(res.profiles["cluster_count"].values, obs["clusters"].mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(res.profiles["abs_dilatational_momentum"].values, np.abs(obs["D"]).mean(axis=0),
                               rtol=1e-12, atol=1e-15)


def test_a_streamed_diffusion_scenario_gives_the_stored_gaussian_entropy(tmp_path):
    """ensemble.store = false for a diffusion keeps per-time means and covariances (no paths x times):
    its Gaussian entropy equals the stored run's to rounding; other quantities and methods are
    refused up front with advice that works."""
    base = (GALLERY / "ou_circulating.toml").read_text()
    f = tmp_path / "ou.toml"
    f.write_text(base)
    over = ["estimate.quantities=[\"entropy\"]", "estimate.method=\"gaussian\"", "output.figures=[]"]
    stored = run_scenario(load_scenario(f, over + ["ensemble.store=true"], quick=True, out=tmp_path))
    streamed = run_scenario(load_scenario(f, over + ["ensemble.store=false"], quick=True, out=tmp_path))
    a, b = stored.profiles["entropy"], streamed.profiles["entropy"]
    ok = np.isfinite(a.values)
    np.testing.assert_allclose(b.values[ok], a.values[ok], rtol=1e-9, atol=1e-9)
    assert np.array_equal(np.isneginf(a.values), np.isneginf(b.values))
    from entropy.scenario import ScenarioError

    with pytest.raises(ScenarioError, match="serve 'entropy' only"):
        load_scenario(f, ["ensemble.store=false", "estimate.method=\"gaussian\""], quick=True, out=tmp_path)
    with pytest.raises(ScenarioError, match="estimate.method = \"gaussian\""):
        load_scenario(f, ["ensemble.store=false", "estimate.quantities=[\"entropy\"]"], quick=True, out=tmp_path)
