"""Scenario files: the gallery validates, bad files fail before any work with a message naming
the key, overrides and --quick work, and the loader only ever raises ScenarioError."""

import math
import string
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entropy.cli import main
from entropy.scenario import (
    ANALYSIS_KINDS,
    PROCESS_KINDS,
    SECTIONS,
    ScenarioError,
    apply_override,
    load_scenario,
    parse_scenario,
    quick_document,
)

GALLERY = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.toml"))

BASE = """
[process]
kind = "markov_chain"
P = [[0.9, 0.1], [0.2, 0.8]]
[start]
state = 0
[time]
forward = 5
backward = 5
[ensemble]
paths = 100
seed = 1
"""


def test_gallery_is_there_and_covers_every_family_and_analysis():
    assert len(GALLERY) >= 15
    kinds, analyses = set(), set()
    for f in GALLERY:
        sc = load_scenario(f)
        kinds.add(sc.kind)
        analyses.add(sc.analysis)
    assert kinds >= set(PROCESS_KINDS)
    assert analyses == set(ANALYSIS_KINDS)


@pytest.mark.parametrize("path", GALLERY, ids=[f.stem for f in GALLERY])
def test_gallery_scenario_validates_in_full_and_quick_form(path):
    full = load_scenario(path)
    quick = load_scenario(path, quick=True)
    assert full.name == path.stem and quick.name == path.stem
    assert full.raw["scenario"]["description"], "every gallery scenario has a one-line description"
    if full.analysis == "profiles":
        assert quick.raw["ensemble"]["paths"] <= min(full.raw["ensemble"]["paths"], 4000)
        assert quick.raw["time"]["forward"] <= max(full.raw["time"]["forward"], 100)


def test_defaults_are_filled_in_and_family_defaults_apply():
    sc = parse_scenario(BASE)
    assert sc.raw["estimate"]["method"] == "miller_madow" and sc.raw["estimate"]["base"] == 2
    assert sc.raw["estimate"]["quantities"] == list(PROCESS_KINDS["markov_chain"].default_quantities)
    assert sc.raw["ensemble"]["store"] is False  # discrete, history 1: streamed
    assert sc.raw["output"]["directory"] == "results"
    diff = parse_scenario("""
[process]
kind = "ornstein_uhlenbeck"
theta = 2.0
""" + TAIL_DT)
    assert diff.raw["estimate"]["method"] == "knn" and diff.raw["ensemble"]["store"] is True
    assert float(diff.start["mean"][0]) == 0.0  # default start: the origin


def _toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v == math.inf else "-inf" if v == -math.inf else repr(v))
    if isinstance(v, str):
        return '"' + v + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + "}"


def _toml(doc):
    out = []
    for sec, table in doc.items():
        out.append(f"[{sec}]")
        out += [f"{k} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(out) + "\n"


def _doc(**changes):
    """BASE with keys changed: 'section.key' -> a TOML value as text (None deletes the key)."""
    import tomllib

    doc = tomllib.loads(BASE)
    for k, v in changes.items():
        sec, key = k.split(".", 1)
        table = doc.setdefault(sec, {})
        if v is None:
            table.pop(key, None)
        else:
            table[key] = tomllib.loads(f"v = {v}")["v"]
    return _toml(doc)


# the [time] and [ensemble] sections most bad files share
TAIL = """[time]
forward = 3
backward = 3
[ensemble]
paths = 10
seed = 0
"""
TAIL_DT = TAIL.replace("backward = 3\n", "backward = 3\ndt = 0.1\n")

# (id, TOML text, words the message must contain)
BAD = [
    ("unknown key", _doc(**{"ensemble.pahts": "10"}), ["ensemble.pahts", "did you mean ensemble.paths"]),
    ("unknown section", BASE + "\n[outptu]\ndirectory = 'x'\n", ["[outptu]", "did you mean [output]"]),
    ("unknown process kind", _doc(**{"process.kind": '"markov_chian"'}), ["process.kind", "did you mean 'markov_chain'"]),
    ("wrong type paths", _doc(**{"ensemble.paths": '"many"'}), ["ensemble.paths", "integer"]),
    ("float paths", _doc(**{"ensemble.paths": "10.5"}), ["ensemble.paths", "integer"]),
    ("bool as int", _doc(**{"time.forward": "true"}), ["time.forward", "integer"]),
    ("negative paths", _doc(**{"ensemble.paths": "-5"}), ["ensemble.paths", "> 0"]),
    ("zero paths", _doc(**{"ensemble.paths": "0"}), ["ensemble.paths", "> 0"]),
    ("negative steps", _doc(**{"time.backward": "-1"}), ["time.backward", ">= 0"]),
    ("negative seed", _doc(**{"ensemble.seed": "-3"}), ["ensemble.seed"]),
    ("missing seed", _doc(**{"ensemble.seed": None}), ["ensemble.seed", "missing"]),
    ("missing section time", BASE.replace("[time]\nforward = 5\nbackward = 5\n", ""), ["[time]", "missing"]),
    ("missing section ensemble", BASE.split("[ensemble]")[0], ["[ensemble]", "missing"]),
    ("missing P", _doc(**{"process.P": None}), ["process.P", "missing"]),
    ("non-stochastic", _doc(**{"process.P": "[[0.5, 0.6], [0.5, 0.5]]"}), ["process.P", "row 0"]),
    ("negative probability", _doc(**{"process.P": "[[1.5, -0.5], [0.5, 0.5]]"}), ["process.P"]),
    ("NaN in matrix", _doc(**{"process.P": "[[nan, 1.0], [0.5, 0.5]]"}), ["process.P", "finite"]),
    ("ragged matrix", _doc(**{"process.P": "[[1.0], [0.5, 0.5]]"}), ["process.P", "square"]),
    ("NaN base", _doc(**{"estimate.base": "nan"}), ["estimate.base", "finite"]),
    ("base one", _doc(**{"estimate.base": "1"}), ["estimate.base", "!= 1"]),
    ("confidence 1", _doc(**{"estimate.confidence": "1.0"}), ["estimate.confidence", "(0, 1)"]),
    ("inf dt", BASE, None),  # placeholder replaced below
    ("state out of range", _doc(**{"start.state": "7"}), ["start", "7"]),
    ("two starts", _doc(**{"start.distribution": "[0.5, 0.5]"}), ["start.state", "start.distribution"]),
    ("state beyond the chain", _doc(**{"start.state": "7"}), ["start.state = 7", "0..1"]),
    ("negative start probability", _doc(**{"start.state": None, "start.distribution": "[1.5, -0.5]"}),
     ["start.distribution[1] = -0.5", "non-negative"]),
    ("short start distribution", _doc(**{"start.state": None, "start.distribution": "[1.0]"}),
     ["start.distribution", "length 2"]),
    ("diffusion start of the wrong shape", """
[process]
kind = "ornstein_uhlenbeck"
theta = 1.0
[start]
state = [1.0, 2.0]
""" + TAIL_DT, ["start.state = [1.0, 2.0]", "process.dim = 1", "start.mean and start.cov"]),
    ("gaussian start of the wrong shape", """
[process]
kind = "brownian_motion"
[start]
mean = [1.0, 2.0]
cov = 1.0
""" + TAIL_DT, ["start.mean = [1.0, 2.0]", "process.dim = 1"]),
    ("gaussian start not a covariance", """
[process]
kind = "ornstein_uhlenbeck"
theta = 1.0
[start]
mean = 0.0
cov = -1.0
""" + TAIL_DT, ["start.cov = -1.0", "semi-definite"]),
    ("distribution not summing to 1", _doc(**{"start.state": None, "start.distribution": "[0.5, 0.6]"}),
     ["start"]),
    ("unknown quantity", _doc(**{"estimate.quantities": '["entropy", "entrpy_rate"]'}),
     ["estimate.quantities", "entrpy_rate"]),
    ("unknown method", _doc(**{"estimate.method": '"plug-in"'}), ["estimate.method", "did you mean 'plugin'"]),
    ("streamed words too short", _doc(**{"estimate.history": "3", "ensemble.store": "false",
                                         "ensemble.word_length": "2"}),
     ["ensemble.word_length = 2", "set ensemble.word_length = 6"]),
    ("word_length of a one-run analysis",
     (GALLERY[0].parent / "fluctuation_aligned.toml").read_text().replace("[ensemble]", "[ensemble]\nword_length = 3"),
     ["ensemble.word_length = 3", "remove it"]),
    ("word_length of a stored run", _doc(**{"ensemble.store": "true", "ensemble.word_length": "3"}),
     ["ensemble.word_length", "ensemble.store = true"]),
    ("streamed words longer than the run", _doc(**{"ensemble.word_length": "12"}),
     ["ensemble.word_length = 12", "11 times", "remove ensemble.word_length"]),
    ("dt for a chain", _doc(**{"time.dt": "0.1"}), ["time.dt", "discrete-time"]),
    ("figure format", _doc(**{"output.figures": '["png", "jpeg"]'}), ["output.figures", "jpeg"]),
    ("dask without address", _doc(**{"execution.backend": '"dask"'}), ["execution", "address"]),
    ("not TOML", "[process\nkind = 1", ["not valid TOML"]),
    ("section not a table", "process = 3\n" + BASE.replace("[process]", "[processes]"), ["process"]),
]
BAD[[b[0] for b in BAD].index("inf dt")] = (
    "inf dt", """
[process]
kind = "brownian_motion"
[time]
forward = 3
backward = 3
dt = inf
[ensemble]
paths = 10
seed = 0
""", ["time.dt", "finite"])
BAD += [
    ("diffusion without dt", """
[process]
kind = "brownian_motion"
""" + TAIL, ["time.dt", "missing"]),
    ("unstable OU drift", """
[process]
kind = "ornstein_uhlenbeck"
drift = [[-1.0, 0.0], [0.0, 1.0]]
""" + TAIL_DT, ["theta", "eigenvalue"]),
    ("unknown preset", """
[process]
kind = "hmm"
preset = "golden_man"
""" + TAIL, ["golden_man"]),
    ("unknown potential", """
[process]
kind = "langevin"
potential = "double_wel"
[time]
forward = 3
backward = 3
dt = 0.01
[ensemble]
paths = 10
seed = 0
""", ["process.potential", "did you mean 'double_well'"]),
    ("too many markers", """
[process]
kind = "kac_ring"
sites = 10
markers = 11
""" + TAIL, ["process.markers"]),
    ("lattice cells not a divisor", """
[process]
kind = "lattice_gas"
size = 10
particles = 5
cells = 3
""" + TAIL, ["process.cells", "divisor"]),
    ("fluctuation with time", """
[analysis]
kind = "fluctuation_aligned"
length = 1000
threshold = 3.0
window = 10
[process]
kind = "ehrenfest"
balls = 10
[time]
forward = 3
backward = 3
[ensemble]
seed = 0
""", ["[time]", "not used"]),
    ("history for a diffusion", """
[process]
kind = "brownian_motion"
""" + TAIL_DT + """[estimate]
history = 2
""", ["estimate.history", "diffusions"]),
    ("paths for one long run", """
[analysis]
kind = "barbed_arrow"
presets = ["even"]
[ensemble]
seed = 0
paths = 100
""", ["ensemble.paths", "not used"]),
    ("snapshots outside the run", """
[process]
kind = "lattice_gas"
size = 8
particles = 4
[output]
snapshots = [-3, 0, 50]
""" + TAIL, ["output.snapshots", "50"]),
    ("snapshots for a chain", _doc(**{"output.snapshots": "[0, 1]"}), ["output.snapshots", "lattice_gas", "only"]),
    ("barbed arrow unknown preset", """
[analysis]
kind = "barbed_arrow"
presets = ["evn"]
[ensemble]
seed = 0
""", ["analysis.presets", "did you mean 'even'"]),
    ("analysis for the wrong process", """
[analysis]
kind = "reversibility_test"
length = 1000
[process]
kind = "lattice_gas"
size = 8
particles = 4
[ensemble]
seed = 0
""", ["lattice_gas", "reversibility_test"]),
]


@pytest.mark.parametrize("case", BAD, ids=[b[0] for b in BAD])
def test_malformed_scenario_exit_code_2_and_message_names_the_key(case, tmp_path, capsys):
    name, text, words = case
    f = tmp_path / "bad.toml"
    f.write_text(text)
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert str(f) in err, err
    for w in words:
        assert w in err, f"{name}: {w!r} not in {err!r}"
    for internal in ("array(", "dtype", "start=", "{'mean'"):  # keys and values as written, never reprs
        assert internal not in err, f"{name}: {internal!r} in {err!r}"
    # the same through the API: a ScenarioError (a ValueError), before any work
    with pytest.raises(ScenarioError):
        load_scenario(f)


def test_at_least_twenty_bad_files():
    assert len(BAD) >= 20


def test_missing_file_and_bad_override(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope.toml")]) == 2
    assert "no such scenario file" in capsys.readouterr().err
    f = tmp_path / "ok.toml"
    f.write_text(BASE)
    assert main(["validate", str(f), "--set", "ensemble.paths=-1"]) == 2
    assert "ensemble.paths = -1" in capsys.readouterr().err
    assert main(["validate", str(f), "--set", "nonsense"]) == 2
    assert "key.path=value" in capsys.readouterr().err


def test_overrides_take_toml_values_and_bare_words():
    doc = {"ensemble": {"paths": 10}}
    apply_override(doc, "ensemble.paths=20")
    apply_override(doc, "output.directory=out/dir")
    apply_override(doc, "estimate.quantities=['entropy']")
    assert doc == {"ensemble": {"paths": 20}, "output": {"directory": "out/dir"},
                   "estimate": {"quantities": ["entropy"]}}
    with pytest.raises(ScenarioError, match="is not a table"):
        apply_override({"ensemble": 3}, "ensemble.paths=2")


def test_quick_caps_sizes_then_applies_the_quick_table():
    doc = {"ensemble": {"paths": 10**6, "seed": 1}, "time": {"forward": 500, "backward": 7},
           "quick": {"time": {"backward": 2}}}
    q = quick_document(doc)
    assert q["ensemble"]["paths"] == 4000 and q["time"] == {"forward": 100, "backward": 2}
    assert doc["ensemble"]["paths"] == 10**6  # the original is untouched
    with pytest.raises(ScenarioError, match=r"did you mean \[quick.time\]"):
        quick_document({"quick": {"tme": {}}})


def test_a_scenario_is_data_never_code(tmp_path):
    # strings that look like code are rejected as unknown names, never evaluated
    text = BASE.replace('kind = "markov_chain"', 'kind = "__import__(\'os\').system(\'echo hi\')"')
    with pytest.raises(ScenarioError, match="unknown process kind"):
        parse_scenario(text)


def test_schema_documents_every_key():
    doc = (Path(__file__).resolve().parent.parent / "docs" / "scenarios.md").read_text()
    keys = [f"{s}.{k}" for s, t in SECTIONS.items() for k in t]
    keys += [f"process.{k}" for pk in PROCESS_KINDS.values() for k in pk.keys]
    keys += [f"start.{k}" for pk in PROCESS_KINDS.values() for k in pk.start_keys]
    keys += [f"analysis.{k}" for ak in ANALYSIS_KINDS.values() for k in ak.keys]
    missing = [k for k in keys if f"`{k}`" not in doc]
    assert not missing, f"docs/scenarios.md does not document {missing}"
    for kind in (*PROCESS_KINDS, *ANALYSIS_KINDS):
        assert f'"{kind}"' in doc


# --------------------------------------------------------------------------- fuzzing
_names = st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=10)
_scalars = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1), st.integers(min_value=-3, max_value=60),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.text(alphabet=string.ascii_letters + string.digits + " _-.", max_size=12),
)
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(_names, inner, max_size=3)), max_leaves=10)


_known_keys = sorted({k for t in SECTIONS.values() for k in t} | {k for p in PROCESS_KINDS.values() for k in p.keys}
                     | {k for p in PROCESS_KINDS.values() for k in p.start_keys}
                     | {k for a in ANALYSIS_KINDS.values() for k in a.keys} | {"kind"})
_sections = st.sampled_from(["scenario", "process", "start", "time", "ensemble", "estimate", "analysis",
                             "execution", "output", "quick", "procss"])
_docs = st.dictionaries(_sections, st.dictionaries(st.one_of(st.sampled_from(_known_keys), _names), _values,
                                                   max_size=5), max_size=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_docs)
def test_fuzz_random_documents_only_raise_scenario_error(doc):
    try:
        parse_scenario(_toml(doc), source="fuzz.toml")
    except ScenarioError as exc:
        assert str(exc).startswith("fuzz.toml")


_gallery_docs = [f.read_text() for f in GALLERY]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(GALLERY) - 1), st.lists(st.tuples(st.sampled_from(_known_keys), _values), max_size=3),
       st.randoms(use_true_random=False))
def test_fuzz_mutated_gallery_documents_only_raise_scenario_error(i, changes, rnd):
    import tomllib

    doc = tomllib.loads(_gallery_docs[i])
    for key, value in changes:
        sec = rnd.choice(sorted(doc))
        if isinstance(doc[sec], dict):
            if rnd.random() < 0.2 and doc[sec]:
                doc[sec].pop(rnd.choice(sorted(doc[sec])))
            else:
                doc[sec][key] = value
    try:
        parse_scenario(_toml({k: v for k, v in doc.items() if isinstance(v, dict)}), source="fuzz.toml")
    except ScenarioError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_fuzz_arbitrary_text_only_raises_scenario_error(text):
    try:
        parse_scenario(text)
    except ScenarioError:
        pass


def test_validation_builds_nothing_big():
    # a huge ensemble validates instantly: sizes are checked, memory is only used by a run
    sc = parse_scenario(_doc(**{"ensemble.paths": str(10**10), "time.forward": str(10**8)}))
    assert sc.raw["ensemble"]["paths"] == 10**10
    assert isinstance(sc.process.stationary_distribution, np.ndarray)


def test_validate_checks_the_quick_form_too(tmp_path, capsys):
    f = tmp_path / "q.toml"
    f.write_text(BASE + "\n[quick.ensemble]\npaths = -1\n")
    load_scenario(f)  # the full form is fine
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert "ensemble.paths = -1" in err and "[quick]" in err


def test_quick_keeps_snapshot_times_inside_the_shorter_run():
    text = """
[process]
kind = "lattice_gas"
size = 8
particles = 4
[time]
forward = 500
backward = 500
[ensemble]
paths = 10
seed = 0
[output]
snapshots = [-500, -50, 0, 50, 500]
"""
    assert parse_scenario(text, quick=True).raw["output"]["snapshots"] == [-50, 0, 50]
    assert parse_scenario(text).raw["output"]["snapshots"] == [-500, -50, 0, 50, 500]


def test_huge_files_and_a_byte_order_mark(tmp_path, capsys):
    from entropy.scenario import MAX_FILE_BYTES

    big = tmp_path / "big.toml"
    big.write_bytes(b"# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    assert main(["validate", str(big)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "larger than" in err
    bom = tmp_path / "bom.toml"
    bom.write_text("\ufeff" + BASE, encoding="utf-8")
    assert load_scenario(bom).raw == parse_scenario(BASE).raw  # a UTF-8 byte-order mark is fine


# ------------------------------------------------------------------ streaming without dead ends
ALL_Q = '["entropy", "relative_entropy", "entropy_rate_forward", "entropy_rate_backward", "excess_entropy", ' \
        '"irreversibility"]'


@pytest.mark.parametrize("history", [1, 2, 3])
def test_streamed_runs_serve_every_history_with_the_numbers_of_a_stored_run(history):
    from entropy.runs import run_scenario

    base = dict(**{"estimate.history": str(history), "estimate.quantities": ALL_Q})
    streamed = parse_scenario(_doc(**base, **{"ensemble.store": "false"}))
    # words long enough for h+/h- (history + 1) and E (2 * history), chosen automatically
    assert streamed.raw["ensemble"]["word_length"] == max(2, 2 * history)
    stored = parse_scenario(_doc(**base, **{"ensemble.store": "true"}))
    a, b = run_scenario(streamed), run_scenario(stored)
    assert a.metadata.get("paths") == b.metadata.get("paths") == 100
    for q in stored.raw["estimate"]["quantities"]:  # the same paths: the same counts, the same estimates
        np.testing.assert_allclose(a.profiles[q].values, b.profiles[q].values, rtol=1e-12, equal_nan=True)
        np.testing.assert_allclose(a.profiles[q].stderr, b.profiles[q].stderr, rtol=1e-12, equal_nan=True)


def test_word_length_in_a_file_and_the_default_store():
    sc = parse_scenario(_doc(**{"ensemble.word_length": "5"}))
    assert sc.raw["ensemble"]["store"] is False and sc.raw["ensemble"]["word_length"] == 5
    assert parse_scenario(_doc(**{"estimate.history": "2"})).raw["ensemble"]["store"] is True  # unchanged default


def _follow(advice: str, doc_text: str) -> str:
    """Apply the first remedy a refusal names: every 'set KEY = VALUE' / 'remove KEY' of it
    (joined by 'and'), up to the first alternative ('or')."""
    import re
    import tomllib

    remedy = advice.split("; ")[-1].split(" or ")[0]
    steps = re.findall(r"(set|remove) ([a-z_]+)\.([a-z_]+)(?: = ([^\s,;)]+))?", remedy)
    assert steps, f"no remedy in {advice!r}"
    doc = tomllib.loads(doc_text)
    for verb, sec, key, value in steps:
        if verb == "set":
            doc.setdefault(sec, {})[key] = tomllib.loads(f"v = {value}")["v"]
        else:
            del doc[sec][key]
    return _toml(doc)


REFUSALS = [
    _doc(**{"estimate.history": "3", "ensemble.store": "false", "ensemble.word_length": "2"}),
    _doc(**{"ensemble.store": "true", "ensemble.word_length": "3"}),
    _doc(**{"ensemble.word_length": "12"}),  # longer than the 11 times: the automatic length fits
    _doc(**{"estimate.history": "6", "ensemble.word_length": "12", "ensemble.store": "false"}),
    _doc(**{"estimate.history": "6", "ensemble.store": "false", "estimate.quantities": ALL_Q}),  # 12 > 11 times
    _doc(**{"process.P": None, "process.kind": '"ehrenfest"', "process.balls": "40", "start.state": "0",
            "ensemble.store": "false", "ensemble.word_length": "13", "time.forward": "20",
            "time.backward": "20"}),  # 41**13 codes: beyond int64
    _doc(**{"estimate.history": "2", "ensemble.store": "false", "execution.backend": '"dask"',
            "execution.workers": "1"}),
]


@pytest.mark.parametrize("i", range(len(REFUSALS)))
def test_every_streaming_refusal_gives_advice_that_works(i):
    from entropy.runs import run_scenario

    with pytest.raises(ScenarioError) as exc:
        parse_scenario(REFUSALS[i])
    fixed = _follow(str(exc.value), REFUSALS[i])
    sc = parse_scenario(fixed.replace('backend = "dask"', 'backend = "local"').replace("workers = 1\n", "")
                        if i == len(REFUSALS) - 1 else fixed)  # the dask case: validated, run locally here
    if i == len(REFUSALS) - 1:
        parse_scenario(fixed)  # valid with the Dask backend once stored
    res = run_scenario(sc)
    assert res.complete and res.profiles


def test_a_memory_refusal_of_a_stored_history_2_run_advises_streaming_and_that_fits():
    from entropy.preflight import check_memory, memory_estimate
    from entropy.runs import run_scenario
    from entropy.simulation import InsufficientMemoryError

    text = _doc(**{"estimate.history": "2", "estimate.quantities": ALL_Q, "ensemble.paths": "20000"})
    sc = parse_scenario(text)
    m = memory_estimate(sc)
    assert m["streamed"] is not None and m["streamed"] < m["need"]
    avail = (m["streamed"] + m["need"]) // 2  # room for the streamed run, not the stored one
    with pytest.raises(InsufficientMemoryError) as exc:
        check_memory(sc, available=avail)
    assert "set ensemble.store = false" in str(exc.value)
    streamed = parse_scenario(_follow(str(exc.value), text))
    assert streamed.raw["ensemble"]["word_length"] == 4
    check_memory(streamed, available=avail)
    assert run_scenario(streamed).complete


def test_memory_of_a_streamed_run_counts_the_word_tables():
    from entropy.preflight import memory_estimate

    def need(wl):
        return memory_estimate(parse_scenario(_doc(**{"ensemble.store": "false", "ensemble.word_length": wl})))

    m4, m5 = need("4"), need("5")
    T, n = 11, 2
    # n**L counts per time, (T - L + 1) times, 8 bytes each
    assert m5["need"] - m4["need"] == (T - 5 + 1) * n**5 * 8 - (T - 4 + 1) * n**4 * 8
    assert "words of 5 states" in m5["what"]


def test_set_replaces_the_start_form_of_the_file(tmp_path, capsys):
    f = tmp_path / "s.toml"
    f.write_text(BASE)  # start.state = 0
    sc = load_scenario(f, ["start.distribution=[0.5,0.5]"])
    np.testing.assert_allclose(sc.start, [0.5, 0.5])
    assert "state" not in sc.raw["start"] or sc.raw["start"]["state"] is None
    assert main(["validate", str(f), "--set", "start.distribution=[0.5,0.5]"]) == 0
    # several start overrides together make one start form (only the file's keys are dropped)
    ou = tmp_path / "ou.toml"
    ou.write_text('[process]\nkind = "ornstein_uhlenbeck"\ntheta = 1.0\n[start]\nstate = 1.0\n' + TAIL_DT)
    sc = load_scenario(ou, ["start.mean=0.5", "start.cov=2.0"])
    assert sc.raw["start"]["mean"] == 0.5 and sc.raw["start"]["cov"] == 2.0 and sc.raw["start"]["state"] is None
    with pytest.raises(ScenarioError, match="start.state"):  # two forms in the overrides themselves
        load_scenario(f, ["start.distribution=[0.5,0.5]", "start.state=1"])


def test_a_memory_refusal_of_streamed_word_tables_advises_storing_and_that_fits():
    from entropy.preflight import check_memory, memory_estimate
    from entropy.simulation import InsufficientMemoryError

    # 24 states, history 3 with E: words of 6 states, 24**6 = 1.9e8 counts per time
    text = _doc(**{"process.P": None, "process.kind": '"cycle"', "process.states": "24", "process.p_forward": "0.6", "process.p_backward": "0.3",
                   "estimate.history": "3", "ensemble.store": "false", "ensemble.paths": "1000"})
    sc = parse_scenario(text)
    m = memory_estimate(sc)
    assert m["need"] >= (11 - 6 + 1) * 24**6 * 8 and "words of 6 states" in m["what"]
    avail = (m["stored"] + m["need"]) // 2
    with pytest.raises(InsufficientMemoryError) as exc:
        check_memory(sc, available=avail)
    msg = str(exc.value)
    assert "set ensemble.store = true" in msg and "set ensemble.store = false" not in msg
    stored = parse_scenario(_follow(msg.split("available; ")[1].replace(", or ", " or "), text))
    assert stored.raw["ensemble"]["store"] is True
    check_memory(stored, available=avail)
