"""entropy.export: long-format DataFrames and xarray Datasets of profiles, exact references and results."""

import sys

import numpy as np
import pytest

import entropy
from entropy import estimators, exact
from entropy.export import COLUMNS, to_dataframe, to_xarray
from entropy.results import run_scenario
from entropy.scenario import parse_scenario

pd = pytest.importorskip("pandas")

P = np.array([[0.1, 0.7, 0.2], [0.2, 0.1, 0.7], [0.6, 0.3, 0.1]])

RING = """
[process]
kind = "cycle"
states = 4
p_forward = 0.7
p_backward = 0.1
[start]
state = 0
[time]
forward = 4
backward = 3
[ensemble]
paths = 500
seed = 11
[output]
figures = []
"""


@pytest.fixture(scope="module")
def ens():
    return entropy.simulate(entropy.MarkovChain(P), 0, forward=4, backward=3, paths=400, seed=1)


@pytest.fixture(scope="module")
def run():
    return run_scenario(parse_scenario(RING))


def test_profile_long_format_round_trip(ens):
    H = estimators.entropy_profile(ens)
    ref = exact.profiles(entropy.MarkovChain(P), 0, forward=4, backward=3)
    df = to_dataframe(H, exact=ref)
    assert list(df.columns) == COLUMNS and len(df) == len(H)
    np.testing.assert_array_equal(df["time"], H.times)
    np.testing.assert_array_equal(df["value"], H.values)
    np.testing.assert_array_equal(df["stderr"], H.stderr)
    np.testing.assert_array_equal(df[["ci_low", "ci_high"]].to_numpy().T, [H.ci_low, H.ci_high])
    np.testing.assert_array_equal(df["exact"], ref.entropy)
    assert set(df["unit"]) == {"bits"} and set(df["quantity"]) == {"entropy"}
    assert list(df["arm"]) == ["backward"] * 3 + ["t0"] + ["forward"] * 4


def test_dict_of_profiles_names_the_quantities_and_matches_exact_by_time(ens):
    hf = estimators.entropy_rate_profile(ens, history=1, direction="forward", base=np.e)
    H = estimators.entropy_profile(ens, base=np.e)
    ref = exact.profiles(entropy.MarkovChain(P), 0, forward=10, backward=10, base=np.e)  # wider time window
    df = to_dataframe({"h+": hf, "entropy": H}, exact=ref)
    assert list(dict.fromkeys(df["quantity"])) == ["h+", "entropy"]
    assert df.loc[df.quantity == "h+", "exact"].isna().all()  # no exact quantity named "h+"
    e = df[df.quantity == "entropy"].set_index("time")["exact"]
    for t in H.times:
        assert e[t] == ref.entropy[list(ref.times).index(t)]
    assert set(df["unit"]) == {"nats"}
    with pytest.raises(ValueError, match="two profiles of quantity 'entropy'"):
        to_dataframe([H, H])


def test_exact_profiles_export(ens):
    ref = exact.profiles(entropy.MarkovChain(P), 0, forward=4, backward=3)
    df = to_dataframe(ref)
    assert set(df["quantity"]) == {"entropy", "relative_entropy", "entropy_rate_forward", "entropy_rate_backward",
                                   "excess_entropy", "irreversibility"}
    d = df[df.quantity == "relative_entropy"]
    np.testing.assert_array_equal(d["value"], ref.relative_entropy)
    np.testing.assert_array_equal(d["exact"], ref.relative_entropy)
    assert (d["stderr"] == 0).all() and set(d["method"]) == {"exact"}


def test_run_result_export(run):
    df = to_dataframe(run)
    assert set(df["quantity"]) == set(run.profiles)
    for q, p in run.profiles.items():
        d = df[df.quantity == q]
        np.testing.assert_array_equal(d["value"], p.values)
        np.testing.assert_array_equal(d["exact"], run.exact[q])
        assert set(d["unit"]) == {p.unit}
    assert df.attrs["time_unit"] == run.time_unit


def test_table_only_result_gives_its_tables():
    res = entropy.RunResult(name="t", scenario={}, tables={"entropy_production": [{"history": 1, "x": 0.5},
                                                                                   {"history": 2, "x": 0.4}]},
                            metadata={"analysis": "reversibility_test"})
    df = to_dataframe(res)
    assert list(df["x"]) == [0.5, 0.4] and set(df["table"]) == {"entropy_production"}


def test_xarray_round_trip_values_and_units(run, ens):
    xr = pytest.importorskip("xarray")
    ds = to_xarray(run)
    assert isinstance(ds, xr.Dataset)
    np.testing.assert_array_equal(ds["time"], run.times)
    assert ds["time"].attrs["units"] == "steps"
    for q, p in run.profiles.items():
        np.testing.assert_array_equal(ds[q].values, p.values)
        np.testing.assert_array_equal(ds[f"{q}_stderr"].values, p.stderr)
        np.testing.assert_array_equal(ds[f"{q}_exact"].values, run.exact[q])
        assert ds[q].attrs["units"] == p.unit == "bits"
        assert ds[f"{q}_ci_low"].attrs["units"] == p.unit
    # the DataFrame and the Dataset say the same
    df = to_dataframe(run)
    d = df[df.quantity == "excess_entropy"]
    np.testing.assert_array_equal(d["ci_high"], ds["excess_entropy_ci_high"].values)
    # profiles on different times align on the union of times, NaN elsewhere
    H = estimators.entropy_profile(ens)
    hf = estimators.entropy_rate_profile(ens, history=2, direction="forward")
    ds2 = to_xarray([H, hf])
    assert ds2.sizes["time"] == len(H)
    assert list(ds2["arm"].values[:3]) == ["backward"] * 3


def test_missing_dependency_names_the_package_and_pip(monkeypatch, ens):
    H = estimators.entropy_profile(ens)
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"'pandas'.*pip install pandas"):
        to_dataframe(H)
    monkeypatch.setitem(sys.modules, "xarray", None)
    with pytest.raises(ImportError, match=r"'xarray'.*pip install xarray"):
        to_xarray(H)


def test_bad_input_names_the_argument(ens):
    H = estimators.entropy_profile(ens)
    with pytest.raises(TypeError, match="obj: expected a Profile"):
        to_dataframe(3.0)
    with pytest.raises(TypeError, match=r"obj\[1\]: expected a Profile"):
        to_dataframe([H, "x"])
    with pytest.raises(ValueError, match="exact: expected 8 values"):
        to_dataframe(H, exact=np.zeros(3))
    with pytest.raises(ValueError, match="obj: no profiles"):
        to_dataframe([])
