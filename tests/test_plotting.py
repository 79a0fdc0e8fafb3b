"""Figures: every figure draws for the results it fits, with units on every axis, a title and t0 marked."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from entropy import plotting  # noqa: E402
from entropy.results import run_scenario  # noqa: E402
from entropy.scenario import parse_scenario  # noqa: E402

SCENARIOS = {
    "chain": """
[process]
kind = "markov_chain"
P = [[0.5, 0.5, 0.0], [0.25, 0.5, 0.25], [0.0, 0.5, 0.5]]
[start]
state = 0
[time]
forward = 10
backward = 10
[ensemble]
paths = 3000
seed = 1
""",
    "kac": """
[process]
kind = "kac_ring"
sites = 64
markers = 8
[time]
forward = 12
backward = 12
[ensemble]
paths = 200
seed = 1
""",
    "bm": """
[process]
kind = "brownian_motion"
[time]
forward = 6
backward = 6
dt = 0.1
[ensemble]
paths = 1000
seed = 1
[estimate]
quantities = ["entropy", "entropy_rate_forward", "excess_entropy"]
""",
    "lattice": """
[process]
kind = "lattice_gas"
size = 12
particles = 16
cells = 3
[time]
forward = 10
backward = 10
[ensemble]
paths = 5
seed = 1
[output]
gif_frames = 4
""",
    "fluctuation": """
[analysis]
kind = "fluctuation_aligned"
length = 20000
threshold = 4.0
window = 10
[process]
kind = "ehrenfest"
balls = 8
lazy = true
[ensemble]
seed = 1
""",
    "reversibility": """
[analysis]
kind = "reversibility_test"
length = 5000
history = 2
n_surrogates = 19
n_blocks = 10
[process]
kind = "cycle"
states = 3
p_forward = 0.7
p_backward = 0.1
[ensemble]
seed = 1
""",
    "barbed": """
[analysis]
kind = "barbed_arrow"
presets = ["even", "sns"]
length = 5000
max_length = 4
[ensemble]
seed = 1
""",
}


@pytest.fixture(scope="module")
def results():
    return {k: run_scenario(parse_scenario(t, name=k)) for k, t in SCENARIOS.items()}


def _labels_have_units(fig):
    for ax in fig.axes:
        if not ax.get_visible() or not ax.axison:
            continue
        for label in (ax.get_xlabel(), ax.get_ylabel()):
            assert "[" in label and "]" in label, f"axis label without a unit: {label!r}"
        assert ax.get_title(), "every panel has a title"


def _has_t0_line(ax):
    return any(np.allclose(line.get_xdata(), 0) for line in ax.get_lines() if len(line.get_xdata()) == 2)


@pytest.mark.parametrize("kind", ["chain", "kac", "bm", "lattice"])
def test_profile_figures_units_titles_and_t0(results, kind):
    res = results[kind]
    for draw in (plotting.janus_figure, plotting.rates_figure, plotting.collapse_figure):
        if draw is plotting.rates_figure and not any(q in res.profiles for q in plotting.RATES):
            continue
        fig = draw(res)
        _labels_have_units(fig)
        assert fig._suptitle is not None or fig.axes[0].get_title()
        if draw is not plotting.collapse_figure:
            assert all(_has_t0_line(ax) for ax in fig.axes if ax.get_visible())
            assert all("t − t0" in ax.get_xlabel() for ax in fig.axes if ax.get_visible())
        else:
            assert "|t − t0|" in fig.axes[0].get_xlabel()
        plt.close(fig)


def test_units_follow_the_family(results):
    fig = plotting.janus_figure(results["bm"])
    ax = fig.axes[0]
    assert "time units, dt = 0.1" in ax.get_xlabel() and "h [bits]" == ax.get_ylabel()
    assert "differential entropy" in ax.get_title()
    plt.close(fig)
    fig = plotting.janus_figure(results["kac"])
    assert "bits per site" in fig.axes[0].get_ylabel()
    assert "coarse-grained" in fig._suptitle.get_text()
    assert "fine-grained" in fig._supxlabel.get_text()  # the note: only the coarse-grained entropy grows
    plt.close(fig)
    fig = plotting.rates_figure(results["chain"])
    assert "bits per step" in fig.axes[0].get_ylabel()
    plt.close(fig)


def test_exact_curve_and_both_arms_are_drawn(results):
    fig = plotting.janus_figure(results["chain"])
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert "exact" in labels
    assert any("backward arm" in s for s in labels) and any("forward arm" in s for s in labels)
    plt.close(fig)


@pytest.mark.parametrize("kind,draw", [("fluctuation", plotting.fluctuation_figure),
                                       ("reversibility", plotting.reversibility_figure),
                                       ("lattice", plotting.snapshots_figure)])
def test_analysis_figures(results, kind, draw):
    fig = draw(results[kind])
    _labels_have_units(fig)
    plt.close(fig)


def test_barbed_arrow_table_marks_missing_values(results):
    fig = plotting.barbed_arrow_figure(results["barbed"])
    texts = [t.get_text() for t in fig.axes[0].tables[0].get_celld().values() for t in [t.get_text()]]
    assert "n/a" in texts  # the SNS has no finite epsilon-machine: C+- shown as n/a, with the reason below
    assert "mixed states" in " ".join(t.get_text() for t in fig.texts)
    plt.close(fig)


def test_save_figures_writes_the_files_that_fit(results, tmp_path):
    names = {p.name for p in plotting.save_figures(results["lattice"], tmp_path, formats=("png", "pdf"))}
    assert {"janus.png", "janus.pdf", "collapse.png", "snapshots.png", "lattice.gif"} <= names
    from PIL import Image

    with Image.open(tmp_path / "lattice.gif") as im:
        assert im.n_frames == 4
    names = {p.name for p in plotting.save_figures(results["barbed"], tmp_path / "b" if (tmp_path / "b").mkdir()
                                                   is None else tmp_path)}
    assert names == {"barbed_arrow.png"}
