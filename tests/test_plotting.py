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


def _all_text(fig):
    """Every string drawn in the figure: titles, labels, legend entries and titles, notes."""
    return "\n".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


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
    assert "fine-grained" in _all_text(fig)  # the note: only the coarse-grained entropy grows
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


# ---------------------------------------------------------------------------- plotting your own profiles
from entropy import MarkovChain, estimators, exact, simulate  # noqa: E402

P3 = np.array([[0.0, 0.8, 0.2], [0.2, 0.0, 0.8], [0.8, 0.2, 0.0]])


@pytest.fixture(scope="module")
def own():
    """A user's own profiles and exact references, from Python (no RunResult)."""
    chain = MarkovChain(P3)
    ens = simulate(chain, 0, forward=12, backward=12, paths=4000, seed=3)
    ps = {"entropy": estimators.entropy_profile(ens),
          "relative_entropy": estimators.relative_entropy_profile(ens, chain.stationary_distribution),
          "entropy_rate_forward": estimators.entropy_rate_profile(ens, direction="forward"),
          "entropy_rate_backward": estimators.entropy_rate_profile(ens, direction="backward"),
          "excess_entropy": estimators.excess_entropy_profile(ens)}
    return ps, exact.profiles(chain, 0, forward=12, backward=12)


def _line(ax, label):
    return next(line for line in ax.get_lines() if line.get_label() == label)


def test_plot_profile_draws_arms_exact_curve_references_and_units(own):
    ps, ref = own
    H = ps["entropy"]
    ax = plotting.plot_profile(H, exact=ref)
    exact_line = _line(ax, ref.labels.get("entropy", "exact"))
    np.testing.assert_allclose(exact_line.get_ydata(), ref.curves["entropy"])  # the exact curve, not the estimate
    back = next(line for line in ax.get_lines() if line.get_label().startswith("backward arm"))
    fwd = next(line for line in ax.get_lines() if line.get_label().startswith("forward arm"))
    assert back.get_color() == plotting.ARM_COLORS["backward"] and fwd.get_color() == plotting.ARM_COLORS["forward"]
    assert np.all(back.get_xdata() <= 0) and np.all(fwd.get_xdata() >= 0)
    np.testing.assert_allclose(fwd.get_ydata(), H.values[H.times >= 0])
    ref_values = {line.get_ydata()[0] for line in ax.get_lines() if line.get_label() in
                  {r.label for r in ref.references["entropy"]}}
    assert ref_values == {r.value for r in ref.references["entropy"]}
    assert len(ax.collections) == 2  # one CI band per arm
    assert ax.get_ylabel() == "H [bits]" and ax.get_xlabel() == "time t − t0 [steps]"
    assert ax.get_title().startswith("Shannon entropy") and _has_t0_line(ax)
    plt.close(ax.figure)


def test_profile_plot_method_is_plot_profile(own):
    ps, ref = own
    fig, (a, b) = plt.subplots(1, 2)
    assert ps["entropy"].plot(a, exact=ref.curves["entropy"], time_unit="sweeps") is a
    plotting.plot_profile(ps["entropy"], b, exact=ref.curves["entropy"], time_unit="sweeps")
    for la, lb in zip(a.get_lines(), b.get_lines()):
        np.testing.assert_array_equal(la.get_ydata(), lb.get_ydata())
    assert a.get_xlabel() == "time t − t0 [sweeps]"
    plt.close(fig)


def test_bad_plot_arguments_are_named(own):
    ps, _ = own
    with pytest.raises(ValueError, match="exact: the array has 3 values, expected one per profile time"):
        plotting.plot_profile(ps["entropy"], exact=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="xscale='log'"):
        plotting.plot_profile(ps["entropy"], xscale="log")
    with pytest.raises(ValueError, match="profiles="):
        plotting.janus_plot(42)
    plt.close("all")


def test_rate_titles_follow_the_history():
    chain = MarkovChain(P3)
    ens = simulate(chain, 0, forward=6, backward=6, paths=500, seed=1)
    hb = estimators.entropy_rate_profile(ens, history=2, direction="backward")
    ax = hb.plot()
    assert "X_t+1 … X_t+2" in ax.get_title() and ax.get_ylabel() == "h⁻ [bits per step]"
    plt.close(ax.figure)


def _overlaps(fig, legend):
    fig.canvas.draw()
    box = legend.get_window_extent()
    return [ax for ax in fig.axes if ax.get_visible() and ax.axison and box.overlaps(ax.get_window_extent())]


@pytest.mark.parametrize("draw", ["janus_plot", "rates_plot", "collapse_plot"])
def test_figures_of_profiles_keep_legends_off_the_data_and_fonts_readable(own, draw):
    ps, ref = own
    arg = ps["entropy"] if draw == "collapse_plot" else ps
    fig = getattr(plotting, draw)(arg, exact=ref)
    assert fig.legends and not _overlaps(fig, fig.legends[0])
    for leg in fig.legends:
        assert all(t.get_fontsize() >= 8 for t in leg.get_texts() + [leg.get_title()])
    _labels_have_units(fig)
    if draw == "janus_plot":
        assert [ax.get_title().split()[0] for ax in fig.axes] == ["Shannon", "relative"]
    if draw == "rates_plot":
        assert len(fig.axes) == 3 and "per step" in fig.axes[0].get_ylabel()
    assert "4,000 paths" in fig._suptitle.get_text()
    plt.close(fig)


def test_run_figures_are_the_profile_figures(results):
    """janus_figure(result) draws what janus_plot draws from the same profiles and exact curves."""
    res = results["chain"]
    a = plotting.janus_figure(res)
    b = plotting.janus_plot(res.profiles, exact=exact.profiles(MarkovChain(
        np.array(res.scenario["process"]["P"])), 0, forward=10, backward=10))
    for ax_a, ax_b in zip(a.axes, b.axes):
        assert ax_a.get_title() == ax_b.get_title()
        ya = [tuple(np.round(line.get_ydata(), 12)) for line in ax_a.get_lines()]
        yb = [tuple(np.round(line.get_ydata(), 12)) for line in ax_b.get_lines()]
        assert ya == yb
    plt.close("all")


def test_distinct_references_get_distinct_styles(results):
    fig = plotting.rates_figure(results["chain"])
    styles = {}
    for ax in fig.axes:
        for line in ax.get_lines():
            lab = line.get_label()
            if lab.startswith("stationary") or "(k → ∞)" in lab:
                styles.setdefault(lab, set()).add((str(line.get_color()), str(line.get_linestyle()),
                                                   str(line.get_dashes() if hasattr(line, "get_dashes") else "")))
    assert len(styles) >= 2
    assert all(len(s) == 1 for s in styles.values())  # one style per reference
    flat = [next(iter(s)) for s in styles.values()]
    assert len(set(flat)) == len(flat)  # and no two references share one
    plt.close(fig)


def test_log_axis_starts_where_the_estimates_live():
    # a fast-mixing 4-state chain: the exact D(p_t || pi) falls to rounding noise (~1e-17) within the window
    P = np.array([[0.1, 0.3, 0.3, 0.3], [0.3, 0.1, 0.3, 0.3], [0.3, 0.3, 0.1, 0.3], [0.3, 0.3, 0.3, 0.1]])
    chain = MarkovChain(P)
    ens = simulate(chain, 0, forward=40, backward=40, paths=5000, seed=2)
    D = estimators.relative_entropy_profile(ens, chain.stationary_distribution)
    ref = exact.profiles(chain, 0, forward=40, backward=40)
    assert np.nanmin(ref.curves["relative_entropy"][ref.curves["relative_entropy"] > 0]) < 1e-12
    ax = D.plot(exact=ref)
    assert ax.get_yscale() == "log"
    positive = D.values[D.values > 0]
    assert ax.get_ylim()[0] == pytest.approx(positive.min() / 3.0)
    assert ax.get_ylim()[0] > 1e-9
    plt.close(ax.figure)


def test_collapse_uses_a_log_distance_axis_for_fast_then_slow_growth():
    from entropy.estimators import Profile

    t = np.arange(-400, 401) * 0.025
    v = np.where(t == 0, np.nan, 1.0 - 0.7 * np.exp(-np.abs(t) / 0.05) - 0.3 * np.exp(-np.abs(t) / 3.0))
    p = Profile.from_stderr("entropy", t, v, np.full(t.size, 0.01), confidence=0.95, unit="bits", method="knn")
    fig = plotting.collapse_plot(p, time_unit="time units", dt=0.025)
    assert fig.axes[0].get_xscale() == "log" and "(log scale)" in fig.axes[0].get_xlabel()
    assert "differential entropy" in fig.axes[0].get_title()
    plt.close(fig)
    lin = Profile.from_stderr("entropy", t, 1.0 - np.abs(t) / 20, np.full(t.size, 0.01), confidence=0.95,
                              unit="bits", method="knn")
    fig = plotting.collapse_plot(lin)
    assert fig.axes[0].get_xscale() == "linear"
    plt.close(fig)


def test_titles_use_scenario_keys_not_reprs():
    table = {"kind": "ornstein_uhlenbeck", "theta": None, "drift": [[1.0, 2.0], [-2.0, 1.0]], "sigma": 1.0, "dim": None}
    assert plotting.describe_process(table, {"state": [0.0, 0.0]}) == (
        "ornstein_uhlenbeck: drift = [[1, 2], [-2, 1]], sigma = 1; start: state [0, 0]")
    big = {"kind": "markov_chain", "P": np.eye(5).tolist()}
    assert plotting.describe_process(big) == "markov_chain: P = 5 × 5 matrix"
    lw = {"kind": "langevin", "potential": "double_well", "params": {"barrier": 2.5, "width": 1.0}}
    assert plotting.describe_process(lw) == "langevin: potential = double_well, barrier = 2.5, width = 1"


def test_run_figure_titles_have_no_reprs(results):
    for res in results.values():
        for name in plotting.figure_names(res):
            fig = plotting.FIGURES[name][0](res)
            text = _all_text(fig)
            assert "array(" not in text and "=[[" not in text and "None" not in text, text
            plt.close(fig)


def test_run_figures_legends_readable_and_off_the_data(results):
    for res in results.values():
        for name in plotting.figure_names(res):
            fig = plotting.FIGURES[name][0](res)
            legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
            for leg in legends:
                assert not _overlaps(fig, leg), f"{res.name} {name}: a legend covers a panel"
                assert all(t.get_fontsize() >= 8 for t in leg.get_texts() + [leg.get_title()]), (res.name, name)
            plt.close(fig)
