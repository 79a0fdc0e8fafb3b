"""The README's Python example runs as written (with a smaller streamed ensemble)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_example_runs(tmp_path, monkeypatch):
    """The "From Python" blocks run in order, from simulate to saved figures (streaming made smaller)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    text = README.read_text()
    section = text.split("## From Python", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "README.md has no python example in 'From Python'"
    assert "entropy.simulate(" in blocks[0] and ".savefig(" in blocks[0]
    code = "\n".join(blocks).replace("paths=10**7", "paths=10**4")
    monkeypatch.chdir(tmp_path)
    ns = {}
    try:
        exec(compile(code, str(README), "exec"), ns)
    finally:
        plt.close("all")
    H = ns["H"]
    assert H.unit == "bits" and len(H.times) == 61
    assert ns["counts"].counts.shape == (2001, 3)
    for name in ("janus.png", "rates.png", "entropy.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_readme_quick_start_has_exactly_two_commands():
    text = README.read_text()
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)```", quick, re.S)
    assert len(commands) == 2 and all(len(c.strip().splitlines()) == 1 for c in commands)
    assert "entropy run scenarios/" in commands[0] and "pytest" in commands[1]
    scenario = re.search(r"entropy run (scenarios/\S+\.toml)", commands[0]).group(1)
    assert (README.parent / scenario).is_file()
