"""The user's path from any install: the packaged scenario gallery, run and show by name,
results under the current directory, and what `entropy info` says. (Building a wheel and
installing it into a fresh venv outside the repository is done by .ci/run.)"""

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from entropy import cli

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml"))


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_subpackage_and_the_gallery_are_packaged():
    st = _pyproject()["tool"]["setuptools"]
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "entropy").rglob("__init__.py")}
    assert set(st["packages"]) == on_disk | {"entropy.scenarios"}
    assert st["package-dir"] == {"entropy.scenarios": "scenarios"}
    assert st["package-data"]["entropy.scenarios"] == ["*.toml"]
    assert not (ROOT / "entropy" / "scenarios").exists()  # scenarios/ stays the one source


def test_list_from_another_directory_shows_every_scenario(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["list"]) == 0
    out, err = capsys.readouterr()
    listed = [line.split()[0] for line in out.splitlines()]
    assert listed == SCENARIOS
    assert f"{len(SCENARIOS)} scenarios" in err and "entropy show" in err


def test_list_in_a_subprocess_from_another_directory(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-m", "entropy", "list"], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert [line.split()[0] for line in r.stdout.splitlines()] == SCENARIOS


@pytest.mark.parametrize("arg", ["driven_ring", "driven_ring.toml"])
def test_show_prints_the_packaged_file(arg, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["show", arg]) == 0
    out, err = capsys.readouterr()
    assert out == (ROOT / "scenarios" / "driven_ring.toml").read_text(encoding="utf-8")
    assert "entropy run my.toml" in err


def test_show_unknown_name(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["show", "no_such_scenario"]) == 2
    assert "no packaged scenario of that name" in capsys.readouterr().err


def test_run_by_name_writes_under_the_current_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in (ROOT / "scenarios").iterdir())
    rc = cli.main(["run", "-q", "--quick", "driven_ring", "--paths", "200", "--set", "time.forward=5",
                   "--set", "time.backward=5", "--set", "output.figures=[]"])
    assert rc == 0, capsys.readouterr().err
    meta = json.loads((tmp_path / "results" / "driven_ring" / "metadata.json").read_text())
    assert meta["paths"] == 200
    assert sorted(p.name for p in (ROOT / "scenarios").iterdir()) == before  # nothing written into the package


def test_a_file_wins_over_a_packaged_name(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    text = (ROOT / "scenarios" / "driven_ring.toml").read_text(encoding="utf-8")
    (tmp_path / "driven_ring.toml").write_text(text.replace("[scenario]", "[scenario]\nname = \"mine\"", 1))
    assert cli.main(["validate", "driven_ring"]) == 0
    assert "using the file" in capsys.readouterr().err
    assert cli.main(["run", "-q", "--quick", "driven_ring", "--paths", "100", "--set", "time.forward=3",
                     "--set", "time.backward=3", "--set", "output.figures=[]"]) == 0
    assert (tmp_path / "results" / "mine" / "metadata.json").is_file()


def test_info_names_the_distribution(capsys):
    assert cli.main(["info"]) == 0
    out = capsys.readouterr().out
    assert "janus-entropy" in out and "location: " in out and str(Path(cli.__file__).parent) in out
    from entropy import __version__

    assert f"entropy {__version__}" in out
    assert "pip install 'janus-entropy[" not in out  # no index serves that name


def _gallery_table_files(text):
    import re

    section = text.split("## The gallery", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {m for row in rows for m in re.findall(r"`([A-Za-z0-9_.-]+)\.toml`", row.split("|")[1])}


def test_every_scenario_is_in_the_docs_gallery_table_and_in_the_readme():
    docs = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    assert _gallery_table_files(docs) == set(SCENARIOS)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [n for n in SCENARIOS if f"`{n}.toml`" not in readme and f"`{n}`" not in readme]
    assert not missing, f"README.md names neither in its gallery nor in its list: {missing}"


def test_the_scenarios_doc_promises_nothing_that_exists_already():
    import re

    docs = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    assert not re.search(r"not (computed|implemented|supported) yet|not yet|provide one yet", docs)


def test_install_instructions_name_no_index_package():
    """`pip install 'janus-entropy[...]'` needs an index that serves the name: none does."""
    import re

    for path in [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), ROOT / "entropy" / "cli.py",
                 ROOT / "entropy" / "scenario.py", ROOT / "entropy" / "distributed.py"]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"pip install ['\"]?janus-entropy", text), path
