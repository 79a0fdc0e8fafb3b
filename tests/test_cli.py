"""The ``entropy`` command: every gallery scenario runs in --quick form, exit codes, Ctrl-C."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from entropy.cli import main
from entropy.results import load_result

ROOT = Path(__file__).resolve().parent.parent
GALLERY = sorted((ROOT / "scenarios").glob("*.toml"))

SMALL = """
[process]
kind = "cycle"
states = 5
p_forward = 0.6
p_backward = 0.2
[start]
state = 0
[time]
forward = 8
backward = 8
[ensemble]
paths = 2000
seed = 3
[output]
figures = ["png"]
"""


def _env(**extra):
    """The environment of a subprocess that imports this checkout's entropy (not an installed one)."""
    import entropy

    root = str(Path(entropy.__file__).resolve().parent.parent)
    return dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]), **extra)


def _no_partial_files(directory: Path):
    """Nothing hidden or temporary is left anywhere below ``directory`` (the lock files of the
    output places stay: removing a lock file races with a writer waiting on it)."""
    leftovers = [p for p in directory.rglob("*") if (p.name.startswith(".") and not p.name.endswith(".lock"))
                 or p.name.endswith(".tmp")]
    assert not leftovers, leftovers


@pytest.mark.parametrize("path", GALLERY, ids=[f.stem for f in GALLERY])
def test_gallery_scenario_runs_quick(path, tmp_path, capsys):
    assert main(["run", "--quick", "-q", "--out", str(tmp_path), str(path)]) == 0
    out = capsys.readouterr().out
    assert path.stem in out and "->" in out
    d = tmp_path / path.stem
    names = {p.name for p in d.iterdir()}
    assert {"arrays.npz", "metadata.json", "table.csv"} <= names
    assert any(n.endswith(".png") for n in names)
    meta = json.loads((d / "metadata.json").read_text())
    assert meta["complete"] is True and meta["scenario"]["ensemble"]["seed"] == meta["seed"]
    assert meta["versions"]["entropy"] and meta["machine"]["cpus"] and meta["wall_time_s"] >= 0
    res = load_result(d)
    assert res.name == path.stem
    _no_partial_files(tmp_path)


def test_run_summary_overrides_and_output_directory(tmp_path, capsys):
    f = tmp_path / "small.toml"
    f.write_text(SMALL)
    out = tmp_path / "elsewhere"
    rc = main(["run", "-q", "--seed", "9", "--paths", "500", "--set", "time.forward=4", "--out", str(out), str(f)])
    assert rc == 0
    text = capsys.readouterr().out
    assert "small" in text and "entropy" in text and "t=" in text
    res = load_result(out / "small")
    assert res.metadata["seed"] == 9 and res.metadata["paths"] == 500
    assert res.times[-1] == 4 and res.times[0] == -8


def test_exit_codes(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(SMALL.replace("paths = 2000", "paths = -2"))
    assert main(["run", "-q", "--out", str(tmp_path), str(bad)]) == 2
    assert "ensemble.paths" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()
    assert main(["run"]) == 2  # argparse: missing FILE
    assert main(["frobnicate"]) == 2
    assert main(["info"]) == 0
    assert "numba threads" in capsys.readouterr().out
    assert main(["list"]) == 0
    listing = capsys.readouterr().out
    assert all(f.stem in listing for f in GALLERY)
    assert main(["plot", str(tmp_path)]) == 2  # not a result directory
    # a run too large for the memory is bad input, refused before any work
    huge = tmp_path / "huge.toml"
    huge.write_text(SMALL.replace("paths = 2000", "paths = 10_000_000_000").replace("[output]", "[estimate]\n"
                                  "quantities = ['entropy']\n[output]").replace("\n[ensemble]", "\n[ensemble]\nstore = true"))
    assert main(["run", "-q", "--out", str(tmp_path), str(huge)]) == 2
    err = capsys.readouterr().err
    assert "huge.toml" in err and "needs" in err and "available" in err and "ensemble.paths" in err
    _no_partial_files(tmp_path)


def test_a_failure_while_running_exits_1(tmp_path, capsys, monkeypatch):
    f = tmp_path / "small.toml"
    f.write_text(SMALL)
    import entropy.runs as runs

    def boom(*a, **k):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(runs, "run_scenario", boom)
    assert main(["run", "-q", "--out", str(tmp_path), str(f)]) == 1
    assert "simulated failure" in capsys.readouterr().err


def test_plot_redraws_figures_from_saved_results(tmp_path, capsys):
    f = tmp_path / "small.toml"
    f.write_text(SMALL)
    assert main(["run", "-q", "--out", str(tmp_path), str(f)]) == 0
    d = tmp_path / "small"
    (d / "janus.png").unlink()
    assert main(["plot", str(d), "--format", "png", "--format", "pdf"]) == 0
    assert (d / "janus.png").is_file() and (d / "janus.pdf").is_file()
    _no_partial_files(tmp_path)


def test_python_dash_m_entry_point(tmp_path):
    r = subprocess.run([sys.executable, "-m", "entropy", "validate", str(GALLERY[0])], capture_output=True, text=True,
                       env=_env(), timeout=120)
    assert r.returncode == 0 and r.stdout.startswith("ok:")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_saves_the_finished_chunks_marked_incomplete(tmp_path):
    """SIGINT during a long run: the chunks done are estimated and saved with complete = false,
    nothing half-written is left, and the partial result equals a run with that many paths."""
    f = tmp_path / "long.toml"
    f.write_text(SMALL.replace("paths = 2000", "paths = 400_000_000\nchunk_size = 4096")
                 .replace("forward = 8", "forward = 200").replace("backward = 8", "backward = 200"))
    out = tmp_path / "out"
    env = _env(PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "entropy", "run", "--out", str(out), str(f)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    # wait until the progress bar shows paths done, then press Ctrl-C once
    deadline = time.time() + 120
    seen = ""
    while time.time() < deadline:
        ch = proc.stderr.read(1)
        if not ch:
            break
        seen += ch
        if "path/s" in seen or "path]" in seen:
            break
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, seen + stderr
    d = out / "long"
    meta = json.loads((d / "metadata.json").read_text())
    assert meta["complete"] is False
    done = meta["paths"]
    assert 0 < done < 400_000_000 and done % 4096 == 0
    _no_partial_files(out)
    res = load_result(d)
    assert res.profiles["entropy"].samples[0] == done
    # the chunks finished are exactly the first paths of the full run: a run with paths = done
    # reproduces them bit for bit
    assert main(["run", "-q", "--out", str(tmp_path / "ref"), "--paths", str(done), "--set", "ensemble.chunk_size=65536",
                 str(f)]) == 0
    ref = load_result(tmp_path / "ref" / "long")
    for q in res.profiles:
        np.testing.assert_array_equal(res.profiles[q].values, ref.profiles[q].values)


def test_dask_backend_gives_the_local_arrays(tmp_path):
    pytest.importorskip("distributed")
    local = tmp_path / "small.toml"
    local.write_text(SMALL.replace("seed = 3", "seed = 3\nchunk_size = 500").replace('figures = ["png"]', "figures = []"))
    assert main(["run", "-q", "--out", str(tmp_path / "local"), str(local)]) == 0
    assert main(["run", "-q", "--out", str(tmp_path / "dask"), "--set", 'execution.backend="dask"',
                 "--set", "execution.workers=1", str(local)]) == 0
    a, b = load_result(tmp_path / "local" / "small"), load_result(tmp_path / "dask" / "small")
    assert b.scenario["execution"]["backend"] == "dask"
    for q in a.profiles:
        np.testing.assert_array_equal(a.profiles[q].values, b.profiles[q].values)


def test_make_figures_quick_writes_the_listed_figures(tmp_path):
    sys.path.insert(0, str(ROOT / "figures"))
    try:
        import make_figures
    finally:
        sys.path.pop(0)
    assert set(make_figures.FIGURES) == {f.stem for f in GALLERY}, "every gallery scenario has its figures"
    written = make_figures.make(["kac_ring", "barbed_arrow"], quick=True, out=tmp_path, verbose=False)
    assert sorted(p.name for p in written) == ["barbed_arrow_barbed_arrow.png", "kac_ring_janus.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)  # no scratch left
    committed = ROOT / "docs" / "figures"
    for name, figs in make_figures.FIGURES.items():
        for f in figs:
            path = committed / (f"{name}_{f}" if "." in f else f"{name}_{f}.png")
            assert path.is_file() and path.stat().st_size < 250_000, path


# ---------------------------------------------------------------------- issue 11: files are never lost
def test_a_run_never_removes_a_directory_named_like_the_scenario(tmp_path, capsys, monkeypatch):
    """Defect 1: `cd proj && entropy run docs.toml` with output.directory = "." removed docs/."""
    proj = tmp_path / "proj"
    (proj / "docs").mkdir(parents=True)
    (proj / "docs" / "thesis.tex").write_text("years of work")
    (proj / "docs.toml").write_text(SMALL.replace('figures = ["png"]', 'figures = []\ndirectory = "."'))
    monkeypatch.chdir(proj)
    import entropy.analyses as analyses

    ran = []
    monkeypatch.setattr(analyses, "_simulate", lambda *a: ran.append(1))
    assert main(["run", "-q", "docs.toml"]) == 2
    err = capsys.readouterr().err
    assert "docs exists and is a directory that is not an entropy result" in err and "--out" in err
    assert err.count("\n") == 1 and not ran  # one line, refused before any simulation
    assert (proj / "docs" / "thesis.tex").read_text() == "years of work"
    (proj / "notes.toml").write_text(SMALL.replace('figures = ["png"]', 'figures = []\ndirectory = "."')
                                     .replace("[process]", '[scenario]\nname = "notes.txt"\n[process]'))
    (proj / "notes.txt").write_text("notes")
    assert main(["run", "-q", "notes.toml"]) == 2
    assert "notes.txt exists and is a file" in capsys.readouterr().err
    assert sorted(os.listdir(proj)) == ["docs", "docs.toml", "notes.toml", "notes.txt"]


def test_an_interrupted_run_keeps_the_complete_result_and_says_where_the_partial_went(tmp_path, capsys,
                                                                                       monkeypatch):
    """Defect 2: a run with --paths overridden and interrupted replaced the complete result."""
    f = tmp_path / "small.toml"
    f.write_text(SMALL.replace('figures = ["png"]', "figures = []"))
    assert main(["run", "-q", "--out", str(tmp_path), str(f)]) == 0
    before = (tmp_path / "small" / "arrays.npz").read_bytes()
    import entropy.results as results

    class StopAfterOneChunk(results.StopRequest):
        def __call__(self):
            self.calls = getattr(self, "calls", 0) + 1
            self.requested = self.requested or self.calls > 1
            return self.requested

    monkeypatch.setattr(results, "StopRequest", StopAfterOneChunk)
    capsys.readouterr()
    assert main(["run", "-q", "--out", str(tmp_path), "--paths", "100000", "--set", "ensemble.chunk_size=1000",
                 str(f)]) == 130
    err = capsys.readouterr().err
    assert (tmp_path / "small" / "arrays.npz").read_bytes() == before
    assert load_result(tmp_path / "small").complete
    partial = load_result(tmp_path / "small.partial")
    assert not partial.complete and partial.metadata["paths"] == 1000
    assert f"went to {tmp_path / 'small.partial'}" in err


BAD_FOR_RUN = {  # each validates today but fails in run (or fails only after simulating)
    "identity_P": ("[process]\nkind = 'markov_chain'\nP = [[1.0, 0.0], [0.0, 1.0]]\n[start]\nstate = 0\n"
                   "[time]\nforward = 5\nbackward = 5\n[ensemble]\npaths = 100\nseed = 1\n",
                   "2 closed communicating classes"),
    "transient_start": ("[process]\nkind = 'markov_chain'\nP = [[0.0, 1.0], [0.0, 1.0]]\n[start]\nstate = 0\n"
                        "[time]\nforward = 5\nbackward = 5\n[ensemble]\npaths = 100\nseed = 1\n", "transient"),
    "huge_dt": ("[process]\nkind = 'ornstein_uhlenbeck'\ntheta = 1.0\n[time]\nforward = 5\nbackward = 5\n"
                "dt = 1e308\n[ensemble]\npaths = 100\nseed = 1\n", "time.dt = 1e+308"),
    "window_longer_than_length": ("[process]\nkind = 'ehrenfest'\nballs = 10\n[analysis]\nkind = "
                                  "'fluctuation_aligned'\nlength = 100\nthreshold = 1.0\nwindow = 200\n"
                                  "[ensemble]\nseed = 1\n", "analysis.window = 200"),
    "name_with_nul": (SMALL.replace("[process]", "[scenario]\nname = \"a\\u0000b\"\n[process]"), "scenario.name"),
    "name_300_chars": (SMALL.replace("[process]", f"[scenario]\nname = '{'n' * 300}'\n[process]"), "scenario.name"),
    "place_under_a_file": (SMALL.replace("[output]", "[output]\ndirectory = 'afile/results'"), "not a directory"),
    "target_not_a_result": (SMALL.replace("[output]", "[output]\ndirectory = 'proj'"),
                            "is a directory that is not an entropy result"),
    "directory_with_dotdot": (SMALL.replace("[output]", "[output]\ndirectory = '../out'"), "'..' is not allowed"),
    "absolute_directory": (SMALL.replace("[output]", "[output]\ndirectory = '/etc'"), "absolute path"),
    "symlink_leading_out": (SMALL.replace("[output]", "[output]\ndirectory = 'outside/results'"),
                            "leads out of the current directory through a symbolic link"),
    "integer_5000_digits": (SMALL.replace("seed = 3", "seed = " + "9" * 5000), "more than 4300 digits"),
    "nested_500_deep": (SMALL + "[quick]\nx = " + "[" * 500 + "]" * 500 + "\n", "nested too deep"),
    "inline_tables_20000_deep": (SMALL + "[quick]\nx = " + "{a = " * 20000 + "1" + "}" * 20000 + "\n",
                                 "nested too deep"),
    "memory_of_the_estimation": (SMALL.replace("paths = 2000", "paths = 1_500_000").replace("forward = 8", "forward = 100")
                                 .replace("backward = 8", "backward = 100")
                                 .replace("[output]", "[estimate]\nhistory = 2\n[output]"), "needs about"),
}


@pytest.mark.parametrize("case", sorted(BAD_FOR_RUN))
def test_validate_and_run_agree_on_every_bad_file(case, tmp_path, capsys, monkeypatch):
    text, fragment = BAD_FOR_RUN[case]
    (tmp_path / "afile").write_text("a file, not a directory")
    (tmp_path / "proj" / "bad").mkdir(parents=True)
    (tmp_path / "proj" / "bad" / "thesis.tex").write_text("mine")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir(exist_ok=True)
    (tmp_path / "outside").symlink_to(outside)
    f = tmp_path / "bad.toml"
    f.write_text(text)
    monkeypatch.chdir(tmp_path)
    import importlib

    import dataclasses

    from entropy.analyses import ANALYSES

    simulation = importlib.import_module("entropy.simulation")
    monkeypatch.setattr(simulation, "available_memory", lambda: 2 * 2**30)  # the same machine for both commands
    ran = []
    for k, a in list(ANALYSES.items()):
        monkeypatch.setitem(ANALYSES, k, dataclasses.replace(a, run=lambda *a: ran.append(1)))
    capsys.readouterr()
    assert main(["validate", "bad.toml"]) == 2
    v = capsys.readouterr()
    assert main(["run", "-q", "bad.toml"]) == 2
    r = capsys.readouterr()
    assert not ran, "run simulated before refusing"
    assert fragment in v.err and v.err.count("\n") == 1
    assert r.err == v.err  # the same one-line message
    assert "Traceback" not in v.err + r.err
    assert (tmp_path / "proj" / "bad" / "thesis.tex").read_text() == "mine"
    assert os.listdir(outside) == []


def test_the_good_file_of_the_table_validates_and_runs(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.toml").write_text("\ufeff" + SMALL.replace('figures = ["png"]', "figures = []"))  # BOM is fine
    assert main(["validate", "ok.toml"]) == 0
    assert main(["run", "-q", "ok.toml"]) == 0
    assert load_result(tmp_path / "results" / "ok").complete


def test_a_read_only_output_place_is_refused_before_simulating(tmp_path, capsys, monkeypatch):
    f = tmp_path / "small.toml"
    f.write_text(SMALL)
    ro = tmp_path / "ro"
    ro.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == ro else real_access(p, mode))
    import entropy.runs as runs

    monkeypatch.setattr(runs, "ANALYSES", {})  # a run that got past the preflight would fail with KeyError
    assert main(["run", "-q", "--out", str(ro / "results"), str(f)]) == 2
    assert f"{ro} is not writable" in capsys.readouterr().err


def test_out_on_the_command_line_is_trusted(tmp_path, monkeypatch):
    f = tmp_path / "small.toml"
    f.write_text(SMALL.replace('figures = ["png"]', 'figures = []\ndirectory = "../elsewhere"'))
    monkeypatch.chdir(tmp_path)
    assert main(["validate", str(f)]) == 2
    assert main(["run", "-q", "--out", str(tmp_path.parent / f"{tmp_path.name}-out"), str(f)]) == 0
    assert load_result(tmp_path.parent / f"{tmp_path.name}-out" / "small").complete


def test_deep_nesting_through_set_is_one_line(tmp_path, capsys):
    f = tmp_path / "small.toml"
    f.write_text(SMALL)
    for value in ("[" * 20000 + "]" * 20000, "{a = " * 500 + "1" + "}" * 500, "9" * 5000):
        assert main(["validate", "--set", f"ensemble.seed={value}", str(f)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "--set ensemble.seed" in err


def _saved(tmp_path):
    f = tmp_path / "small.toml"
    f.write_text(SMALL)
    assert main(["run", "-q", "--out", str(tmp_path), str(f)]) == 0
    return tmp_path / "small"


def _rewrite_manifest(d):
    import hashlib

    m = json.loads((d / "manifest.json").read_text())
    for name in m["files"]:
        b = (d / name).read_bytes()
        m["files"][name] = {"size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
    (d / "manifest.json").write_text(json.dumps(m))


@pytest.mark.parametrize("damage", ["corrupt_npz", "metadata_list", "read_only", "disk_full", "no_manifest"])
def test_plot_never_prints_a_traceback(damage, tmp_path, capsys, monkeypatch):
    d = _saved(tmp_path)
    if damage == "corrupt_npz":
        (d / "arrays.npz").write_bytes(b"PK\x03\x04garbage")
        _rewrite_manifest(d)
    elif damage == "metadata_list":
        (d / "metadata.json").write_text("[1, 2, 3]")
        _rewrite_manifest(d)
    elif damage == "no_manifest":
        (d / "manifest.json").unlink()
    else:
        import errno

        import entropy.store as store

        code = errno.EROFS if damage == "read_only" else errno.ENOSPC

        def fail(*a, **k):
            raise OSError(code, os.strerror(code))

        monkeypatch.setattr(store.os, "mkdir", fail)
    capsys.readouterr()
    assert main(["plot", str(d)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("entropy: error:") and "Traceback" not in err
    assert {"corrupt_npz": "arrays.npz", "metadata_list": "metadata.json", "no_manifest": "manifest.json",
            "read_only": "Read-only file system", "disk_full": "No space left on device"}[damage] in err
