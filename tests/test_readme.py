"""The README's Python example runs as written (with a smaller streamed ensemble)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_example_runs():
    text = README.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, "README.md has no python example"
    code = blocks[0].replace("paths=10**7", "paths=10**4")
    ns = {}
    exec(compile(code, str(README), "exec"), ns)
    H = ns["H"]
    assert H.unit == "bits" and len(H.times) == 61
    assert ns["counts"].counts.shape == (2001, 3)


def test_readme_quick_start_has_exactly_two_commands():
    text = README.read_text()
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)```", quick, re.S)
    assert len(commands) == 2 and all(len(c.strip().splitlines()) == 1 for c in commands)
    assert "entropy run scenarios/" in commands[0] and "pytest" in commands[1]
    scenario = re.search(r"entropy run (scenarios/\S+\.toml)", commands[0]).group(1)
    assert (README.parent / scenario).is_file()
