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
    import entropy.results as results

    def boom(*a, **k):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(results, "run_scenario", boom)
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
