"""Results: round trip through load_result, bit-for-bit reproducibility, atomic writes, and
estimates that agree with the exact references they are saved beside."""

import json
import math

import numpy as np
import pytest

from entropy.results import RunResult, load_result, run_scenario, save_result, table_rows
from entropy.scenario import parse_scenario

CHAIN = """
[process]
kind = "cycle"
states = 6
p_forward = 0.7
p_backward = 0.1
[start]
state = 0
[time]
forward = 12
backward = 12
[ensemble]
paths = 40_000
seed = 11
[estimate]
method = "plugin"
[output]
figures = []
"""

OU = """
[process]
kind = "ornstein_uhlenbeck"
theta = 1.0
sigma = 1.0
[start]
state = 1.0
[time]
forward = 10
backward = 10
dt = 0.1
[ensemble]
paths = 20_000
seed = 4
[estimate]
method = "gaussian"
quantities = ["entropy", "entropy_rate_forward", "excess_entropy"]
[output]
figures = []
"""

KINDS = {
    "chain": CHAIN,
    "ou": OU,
    "lattice": """
[process]
kind = "lattice_gas"
size = 16
particles = 30
cells = 4
[time]
forward = 20
backward = 20
[ensemble]
paths = 20
seed = 2
[output]
snapshots = [-20, 0, 20]
gif_frames = 5
""",
    "ehrenfest": """
[process]
kind = "ehrenfest"
balls = 12
lazy = true
[start]
state = 12
[time]
forward = 15
backward = 15
[ensemble]
paths = 5000
seed = 2
[output]
figures = []
""",
    "kac": """
[process]
kind = "kac_ring"
sites = 100
markers = 10
[time]
forward = 10
backward = 10
[ensemble]
paths = 500
seed = 2
[output]
figures = []
""",
    "fluctuation": """
[analysis]
kind = "fluctuation_aligned"
length = 50_000
threshold = 5.0
window = 20
[process]
kind = "ehrenfest"
balls = 10
lazy = true
[ensemble]
seed = 3
[output]
figures = []
""",
    "reversibility": """
[analysis]
kind = "reversibility_test"
length = 20_000
history = 2
n_surrogates = 49
n_blocks = 20
[process]
kind = "cycle"
states = 3
p_forward = 0.6
p_backward = 0.2
[ensemble]
seed = 3
[output]
figures = []
""",
    "barbed": """
[analysis]
kind = "barbed_arrow"
presets = ["golden_mean", { name = "random_insertion", params = { p = 0.5, q = 0.5 } }]
length = 20_000
max_length = 6
[ensemble]
seed = 3
[output]
figures = []
""",
}


@pytest.fixture(scope="module")
def results():
    return {k: run_scenario(parse_scenario(text, name=k)) for k, text in KINDS.items()}


def _assert_same(a: RunResult, b: RunResult, same_scenario=True):
    assert a.name == b.name and (a.scenario == b.scenario or not same_scenario)
    assert list(a.profiles) == list(b.profiles)
    for q in a.profiles:
        pa, pb = a.profiles[q], b.profiles[q]
        for f in ("times", "values", "stderr", "ci_low", "ci_high", "samples"):
            np.testing.assert_array_equal(getattr(pa, f), getattr(pb, f), err_msg=f"{q}.{f}")
        assert (pa.unit, pa.method, pa.confidence, pa.quantity) == (pb.unit, pb.method, pb.confidence, pb.quantity)
    assert set(a.exact) == set(b.exact) and set(a.arrays) == set(b.arrays)
    for k in a.exact:
        np.testing.assert_array_equal(a.exact[k], b.exact[k])
    for k in a.arrays:
        np.testing.assert_array_equal(a.arrays[k], b.arrays[k])


@pytest.mark.parametrize("kind", list(KINDS))
def test_round_trip_through_load_result(results, kind, tmp_path):
    res = results[kind]
    d = save_result(res, tmp_path, figures=())
    back = load_result(d)
    _assert_same(res, back)
    from entropy.results import _strict

    assert back.tables == _strict(res.tables)  # NaN -> null: metadata.json is strict JSON
    assert back.metadata == _strict(res.metadata)
    json.loads((d / "metadata.json").read_text(), parse_constant=lambda c: pytest.fail(f"{c} in metadata.json"))
    assert back.complete and back.analysis == res.analysis and back.unit == res.unit
    assert repr(back) == repr(res)
    header, rows = table_rows(back)
    assert (d / "table.csv").read_text().splitlines()[0] == ",".join(header)
    assert len(rows) == len((d / "table.csv").read_text().splitlines()) - 1


@pytest.mark.parametrize("kind", ["chain", "ou", "lattice", "reversibility"])
def test_same_seed_same_arrays_bit_for_bit_any_chunking(results, kind):
    text = KINDS[kind]
    if kind in ("chain", "ou"):  # other chunks: the same paths
        text = text.replace("seed = ", "chunk_size = 1000\nseed = ")
    again = run_scenario(parse_scenario(text, name=kind))
    _assert_same(results[kind], again, same_scenario=False)


def test_exact_references_match_the_estimates(results):
    # H(t) of the chain: |estimate - exact| <= 5 standard errors plus the plug-in bias bound
    # (K - 1) / (2 M ln 2) bits (Miller 1955), at every t
    p = results["chain"].profiles["entropy"]
    ex = results["chain"].exact["entropy"]
    bias = (6 - 1) / (2 * 40_000 * math.log(2))
    assert np.all(np.abs(p.values - ex) <= 5 * p.stderr + bias + 1e-12)
    # the OU entropy with the (unbiased) Gaussian estimator: within 5 standard errors of the
    # exact Gaussian curve wherever it is finite (at t0 the start is a point: -inf in both)
    po = results["ou"].profiles["entropy"]
    eo = results["ou"].exact["entropy"]
    ok = np.isfinite(eo)
    assert np.isneginf(po.values[~ok]).all() and np.isneginf(eo[~ok]).all()
    assert np.all(np.abs(po.values[ok] - eo[ok]) <= 5 * po.stderr[ok])
    # forward rate of an AR(1): the exact conditional entropy at every t >= 1
    pr = results["ou"].profiles["entropy_rate_forward"]
    er = results["ou"].exact["entropy_rate_forward"]
    fwd = pr.times > 0
    assert np.allclose(er[fwd], er[fwd][0])  # h(Q_dt), the same at every t > 0
    assert np.all(np.abs(pr.values[fwd] - er[fwd]) <= 5 * pr.stderr[fwd])
    # Ehrenfest: the mean Boltzmann entropy against the exact macrostate propagation
    pb = results["ehrenfest"].profiles["boltzmann_entropy"]
    assert np.all(np.abs(pb.values - results["ehrenfest"].exact["boltzmann_entropy"]) <= 5 * pb.stderr + 1e-9)


def test_each_analysis_saves_what_its_figure_needs(results):
    lat = results["lattice"]
    assert lat.arrays["snapshots"].shape == (3, 30, 2) and list(lat.arrays["snapshot_times"]) == [-20, 0, 20]
    assert lat.arrays["gif_frames"].shape[0] == 5
    fl = results["fluctuation"]
    assert fl.metadata["events"] > 0 and fl.arrays["mean"].shape == (41,)
    assert "exact" in fl.arrays
    rv = results["reversibility"]
    cases = rv.metadata["cases"]
    assert set(cases) == {"given", "reversible"} and cases["reversible"]["exact_entropy_production"] == pytest.approx(0)
    assert rv.arrays["given/rates"].shape == (2,)
    ba = results["barbed"].tables["barbed_arrow"]
    rip = ba[1]
    # exact RIP (p = q = 1/2): C+ = H[(1, p, 1)/(2 + p)], C- = H[(1, 1 - pq, pq, p)/(2 + p)]
    def H(w):
        w = np.asarray(w, float) / sum(w)
        return float(-(w * np.log2(w)).sum())
    assert rip["C+"] == pytest.approx(H([1, 0.5, 1]), abs=1e-9)
    assert rip["C-"] == pytest.approx(H([1, 0.75, 0.25, 0.5]), abs=1e-9)
    assert ba[0]["h"] == pytest.approx(2 / 3, abs=1e-9)


def test_interrupted_run_keeps_the_finished_chunks(tmp_path):
    calls = {"n": 0}

    def stop():  # stop before the third chunk
        calls["n"] += 1
        return calls["n"] > 2

    sc = parse_scenario(CHAIN.replace("seed = 11", "seed = 11\nchunk_size = 5000"), name="chain")
    res = run_scenario(sc, stop=stop)
    assert res.metadata["complete"] is False and res.metadata["paths"] == 10_000
    full = run_scenario(parse_scenario(CHAIN.replace("paths = 40_000", "paths = 10_000"), name="chain"))
    np.testing.assert_array_equal(res.profiles["entropy"].values, full.profiles["entropy"].values)
    back = load_result(save_result(res, tmp_path, figures=()))
    assert back.complete is False


def test_save_is_atomic_and_replaces_only_when_complete(results, tmp_path, monkeypatch):
    res = results["chain"]
    d = save_result(res, tmp_path, figures=())
    before = (d / "arrays.npz").read_bytes()
    import entropy.plotting as plotting

    def broken(*a, **k):
        raise RuntimeError("disk full while drawing")

    monkeypatch.setattr(plotting, "save_figures", broken)
    other = run_scenario(parse_scenario(CHAIN.replace("seed = 11", "seed = 12"), name="chain"))
    with pytest.raises(RuntimeError):
        save_result(other, tmp_path, figures=("png",))
    assert (d / "arrays.npz").read_bytes() == before  # the old result is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == [".chain.lock", "chain"]  # no temporary directory left


def test_load_result_rejects_what_is_not_a_result(tmp_path):
    with pytest.raises(ValueError, match="manifest.json: missing"):
        load_result(tmp_path)
    (tmp_path / "metadata.json").write_text("{")
    (tmp_path / "arrays.npz").write_bytes(b"")
    with pytest.raises(ValueError, match="manifest.json: missing"):
        load_result(tmp_path)


def test_run_scenario_rejects_non_scenarios():
    with pytest.raises(ValueError, match="expected a Scenario"):
        run_scenario({"process": {}})
