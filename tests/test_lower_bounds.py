"""An infinite truth is never shown as a confident finite number (issue 15, section 4).

A chain whose steps have no reverse (a one-way cycle) has infinite entropy production: the
estimated irreversibility is marked as a lower bound wherever it is shown -- the returned
profile, the CLI summary, metadata.json, table.csv and the figure -- and the exact value is
reported as infinite.
"""

from __future__ import annotations

import csv
import json

import numpy as np

from entropy.cli import main
from entropy.results import load_result

ONE_WAY = """
[scenario]
name = "one_way"

[process]
kind = "markov_chain"
P = [[0.5, 0.5, 0.0, 0.0], [0.0, 0.5, 0.5, 0.0], [0.0, 0.0, 0.5, 0.5], [0.5, 0.0, 0.0, 0.5]]

[start]
state = 0

[time]
forward = 6
backward = 6

[ensemble]
paths = 3000
seed = 5

[estimate]
quantities = ["entropy", "irreversibility"]

[output]
figures = ["png"]
"""


def test_infinite_irreversibility_is_a_lower_bound_everywhere_a_user_sees_it(tmp_path, capsys):
    f = tmp_path / "one_way.toml"
    f.write_text(ONE_WAY)
    assert main(["run", "--out", str(tmp_path), str(f)]) == 0
    out = capsys.readouterr().out
    assert "≥" in out and "exact: ∞" in out  # the summary marks bounds and the infinite truth
    res = load_result(tmp_path / "one_way")
    p = res.profiles["irreversibility"]
    moved = np.asarray(p.times) != 0
    # every step away from t0 has no reverse: the exact value is infinite and the estimate a bound
    assert np.all(np.isposinf(res.exact["irreversibility"][moved]))
    assert p.lower_bound is not None and np.all(p.lower_bound[moved])
    assert np.all(np.isposinf(p.ci_high[p.lower_bound]))  # no finite upper end for a lower bound
    meta = json.loads((tmp_path / "one_way" / "metadata.json").read_text())
    info = meta["profiles"]["irreversibility"]
    assert sorted(info["lower_bound_times"]) == sorted(np.asarray(p.times)[moved].tolist())
    assert sorted(info["exact_infinite_times"]) == sorted(np.asarray(p.times)[moved].tolist())
    with open(tmp_path / "one_way" / "table.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert all(r["irreversibility_lower_bound"] == ("true" if float(r["t_minus_t0_steps"]) != 0 else "false")
               for r in rows)
    assert all(r["irreversibility_exact"] == "inf" for r in rows if float(r["t_minus_t0_steps"]) != 0)


def test_the_figure_marks_lower_bounds_and_the_infinite_exact_value(tmp_path):
    from entropy.plotting import plot_profile
    from entropy.scenario import parse_scenario
    from entropy.runs import run_scenario

    res = run_scenario(parse_scenario(ONE_WAY, out=tmp_path))
    ax = plot_profile(res.profiles["irreversibility"], exact=res.exact["irreversibility"])
    labels = ax.get_legend_handles_labels()[1]
    assert any(lab.startswith("lower bound") for lab in labels)
    assert any("infinite" in lab for lab in labels)
    assert any(t.get_text() == "∞" for t in ax.texts)
