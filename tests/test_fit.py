"""MarkovChain.fit: maximum-likelihood chains of any order from symbol series, with standard errors."""

import itertools
import math
import sys

import numpy as np
import pytest

import entropy
from entropy import exact
from entropy.processes.fit import FittedMarkovChain, _delta_stderr, _quantities

# a driven (non-reversible) 3-state chain with every reverse transition possible
P3 = np.array([[0.1, 0.7, 0.2], [0.2, 0.1, 0.7], [0.6, 0.3, 0.1]])


def _series(P, length, paths=1, seed=0):
    chain = entropy.MarkovChain(P)
    ens = entropy.simulate(chain, chain.stationary_distribution, forward=length - 1, paths=paths, seed=seed)
    return np.asarray(ens.states)


def _order2_source(seed=3):
    """Conditional law cond[x1, x2, y] of an order-2 source over 3 symbols, and its lifted matrix."""
    cond = np.random.default_rng(seed).dirichlet(np.full(3, 1.5), size=(3, 3))
    W = np.zeros((9, 9))
    for a, b, y in itertools.product(range(3), repeat=3):
        W[3 * a + b, 3 * b + y] = cond[a, b, y]
    return cond, W


def _sample_order2(cond, length, seed):
    g = np.random.default_rng(seed)
    cdf = np.cumsum(cond, axis=2)
    x = np.zeros(length, np.int64)
    u = g.random(length)
    for t in range(2, length):
        x[t] = min(int(np.searchsorted(cdf[x[t - 2], x[t - 1]], u[t])), 2)
    return x


def test_counts_and_maximum_likelihood_matrix():
    x = np.array([0, 1, 2, 0, 1, 2, 0, 2, 1, 0, 1, 2, 0])
    fit = entropy.MarkovChain.fit(x)
    assert isinstance(fit, FittedMarkovChain) and isinstance(fit, entropy.MarkovChain)
    brute = np.zeros((3, 3), int)
    for i, j in zip(x[:-1], x[1:]):
        brute[i, j] += 1
    np.testing.assert_array_equal(fit.counts, brute)
    np.testing.assert_allclose(fit.P, brute / brute.sum(axis=1, keepdims=True), rtol=0, atol=1e-15)
    assert fit.n_transitions == 12 and fit.order == 1
    np.testing.assert_array_equal(fit.words[:, 0], [0, 1, 2])


def test_recovers_P_within_standard_errors():
    x = _series(P3, 20_000, seed=1)[0]
    fit = entropy.MarkovChain.fit(x)
    se = fit.transition_stderr
    assert np.all(se > 0)
    # each entry is asymptotically normal with this stderr; |z| < 4 fails with probability
    # 6e-5 per entry (fixed seed, so the test is deterministic)
    assert np.max(np.abs(fit.P - P3) / se) < 4.0


def test_fitted_h_E_sigma_within_their_stderr_of_the_truth():
    x = _series(P3, 20_000, seed=2)[0]
    fit = entropy.MarkovChain.fit(x)
    est = fit.estimates()
    true = entropy.MarkovChain(P3)
    truth = {"entropy_rate": true.entropy_rate(), "excess_entropy": true.excess_entropy(),
             "entropy_production": true.entropy_production()}
    for q, v in truth.items():
        e = est[q]
        assert e.unit == "bits" and e.method == "markov_fit+delta"
        assert e.value == pytest.approx(getattr(fit, q)(), abs=1e-12)  # the fitted model's exact value
        # tolerance: 3 delta-method standard errors (a normal estimate misses it with probability 0.3 %)
        assert abs(e.value - v) < 3 * e.stderr, (q, e, v)
        assert e.ci_low < e.value < e.ci_high


def test_delta_stderr_is_calibrated_over_repeated_series():
    """The spread of fitted h, E, sigma over 60 independent series matches the mean stderr."""
    rows = _series(P3, 2_000, paths=60, seed=3)
    vals, ses = [], []
    for row in rows:
        est = entropy.MarkovChain.fit(row).estimates()
        vals.append([est[q].value for q in est])
        ses.append([est[q].stderr for q in est])
    ratio = np.std(vals, axis=0, ddof=1) / np.mean(ses, axis=0)
    # the sd of 60 normal values has a relative standard error of 1/sqrt(2 * 59) = 9 %: allow 3 of them
    assert np.all(np.abs(ratio - 1.0) < 0.28), ratio


@pytest.mark.parametrize("order", [1, 2])
def test_delta_gradients_match_finite_differences(order):
    """The analytic gradients of h, E, sigma (fundamental matrix) against central differences along
    stochastic directions P_u -> P_u + eps (e_j - P_u), with a non-trivial symbol reversal."""
    rng = np.random.default_rng(order)
    if order == 1:
        P = rng.dirichlet(np.ones(4), size=4)
        fit = entropy.MarkovChain.fit(_series(P, 3000, seed=4)[0])
        rho = np.array([1, 0, 3, 2])
    else:
        cond, _ = _order2_source()
        fit = entropy.MarkovChain.fit(_sample_order2(cond, 5000, seed=5), order=2)
        rho = np.array([1, 0, 2])
    P, pi, N = fit.P, fit.stationary_distribution, fit.context_counts
    r = fit._reversed_states(rho)
    se = _delta_stderr(P, pi, order, r, N)
    n = fit.n_states
    var = np.zeros(3)
    eps = 1e-6
    for u in range(n):
        supp = np.flatnonzero(P[u] > 0)
        D = []
        for j in supp:
            def f(e):
                Q = P.copy()
                Q[u] = Q[u] + e * (np.eye(n)[j] - Q[u])
                return np.array(_quantities(Q, entropy.MarkovChain(Q).stationary_distribution, order, r))
            D.append((f(eps) - f(-eps)) / (2 * eps))
        D, p = np.array(D), P[u, supp]
        var += ((p[:, None] * D**2).sum(0) - (p[:, None] * D).sum(0) ** 2) / N[u]
    np.testing.assert_allclose(se, np.sqrt(var), rtol=1e-5)


def test_order_one_symbol_quantities_are_the_chains():
    fit = entropy.MarkovChain.fit(_series(P3, 5000, seed=6)[0])
    assert fit.symbol_excess_entropy() == pytest.approx(fit.excess_entropy(), abs=1e-12)
    assert fit.symbol_entropy_production() == pytest.approx(fit.entropy_production(), abs=1e-12)
    ref = exact.profiles(fit, 0, forward=5, backward=5)
    assert ref.entropy[5] == 0.0 and ref.entropy_rate == pytest.approx(fit.entropy_rate())
    np.testing.assert_allclose(fit.symbol_probs(ref.probs), ref.probs)


def _brute_order2(cond, rho=(0, 1, 2)):
    """h, E and sigma = D_3 - D_2 of an order-2 source by enumeration over Python tuples."""
    _, W = _order2_source()
    pi2 = entropy.MarkovChain(W).stationary_distribution
    p2 = {(a, b): pi2[3 * a + b] for a, b in itertools.product(range(3), repeat=2)}
    p3 = {(a, b, y): p2[a, b] * cond[a, b, y] for a, b, y in itertools.product(range(3), repeat=3)}
    h = -sum(p * math.log(cond[w]) for w, p in p3.items() if p > 0) / math.log(2)
    H2 = -sum(p * math.log(p) for p in p2.values() if p > 0) / math.log(2)

    def D(p):
        return sum(v * math.log(v / p[tuple(rho[s] for s in w[::-1])]) for w, v in p.items() if v > 0) / math.log(2)

    return h, H2 - 2 * h, D(p3) - D(p2)


def test_order_two_lifting_on_a_known_order_two_source():
    cond, W = _order2_source()
    x = _sample_order2(cond, 40_000, seed=7)
    fit = entropy.MarkovChain.fit(x, order=2)
    assert fit.n_states == 9 and fit.words.shape == (9, 2)
    # state i is the word with code 3 * x1 + x2; allowed moves are shifts only
    np.testing.assert_array_equal(fit.words[:, 0] * 3 + fit.words[:, 1], np.arange(9))
    assert np.all((fit.P > 0) <= (W > 0))
    assert fit.state_of((2, 1)) == 7
    h, E, sigma = _brute_order2(cond)
    est = fit.estimates()
    assert fit.entropy_rate() == pytest.approx(est["entropy_rate"].value)
    # the lifted chain's E is the symbol E plus (k - 1) h; its production is not the symbol one
    assert fit.excess_entropy() == pytest.approx(fit.symbol_excess_entropy() + fit.entropy_rate(), abs=1e-12)
    for name, truth in (("entropy_rate", h), ("excess_entropy", E), ("entropy_production", sigma)):
        # tolerance: 3 delta-method standard errors
        assert abs(est[name].value - truth) < 3 * est[name].stderr, (name, est[name], truth)
    # exact values of the true source itself through a fit with P = W: the brute force again
    true_fit = entropy.MarkovChain.fit(x, order=2)
    true_fit._P = W  # the same words and states, the true matrix
    true_fit.__dict__.pop("stationary_distribution", None)
    assert true_fit.symbol_entropy_production() == pytest.approx(sigma, rel=1e-10)
    assert true_fit.symbol_excess_entropy() == pytest.approx(E, rel=1e-10)
    rho = np.array([1, 0, 2])
    assert true_fit.symbol_entropy_production(symbol_reversal=rho) == pytest.approx(
        _brute_order2(cond, rho)[2], rel=1e-10)


def test_several_rows_never_count_across_rows():
    rows = [np.array([0, 1, 1, 2]), np.array([2, 0]), np.array([1]), np.array([0, 2, 2, 1, 0])]
    fit = entropy.MarkovChain.fit(rows)
    brute = np.zeros((3, 3), int)
    for r in rows:
        for i, j in zip(r[:-1], r[1:]):
            brute[i, j] += 1
    np.testing.assert_array_equal(fit.counts, brute)
    grid = np.array([[0, 1, 2, 0], [2, 2, 1, 0]])
    np.testing.assert_array_equal(entropy.MarkovChain.fit(grid).counts, entropy.MarkovChain.fit(list(grid)).counts)
    assert entropy.MarkovChain.fit([0, 1, 0, 2, 0]).n_transitions == 4  # a plain list is one series


def test_pseudocount_and_all_states():
    x = np.array([0, 1, 0, 1, 1, 0])
    fit = entropy.MarkovChain.fit(x, order=2, pseudocount=0.5, n_states=3, states="all")
    assert fit.n_states == 9 and fit.is_irreducible
    # row of word (0, 1): counts 1 to (1, 0), 1 to (1, 1), 0 to (1, 2); plus 1/2 each
    u = fit.state_of((0, 1))
    np.testing.assert_allclose(fit.P[u, [3, 4, 5]], np.array([1.5, 1.5, 0.5]) / 3.5)
    assert fit.n_unvisited == 0


def test_unvisited_row_is_uniform_over_allowed_successors():
    fit = entropy.MarkovChain.fit(np.array([0, 1, 0, 1, 2]))
    assert fit.n_unvisited == 1
    np.testing.assert_allclose(fit.P[2], [1 / 3, 1 / 3, 1 / 3])
    assert np.isnan(fit.transition_stderr[2]).all()


def test_bootstrap_is_seeded_and_agrees_with_delta():
    fit = entropy.MarkovChain.fit(_series(P3, 20_000, seed=8)[0])
    b1 = fit.estimates(ci="bootstrap", n_boot=300, seed=5)
    b2 = fit.estimates(ci="bootstrap", n_boot=300, seed=5)
    d = fit.estimates(base=np.e)
    for q in b1:
        assert b1[q].stderr == b2[q].stderr and b1[q].method == "markov_fit+row_bootstrap"
        assert b1[q].ci_low < b1[q].value < b1[q].ci_high
        # the sd of 300 replicates has a relative standard error of 4 %: 0.8-1.25 is 5 of them
        assert 0.8 < b1[q].stderr / (d[q].stderr / math.log(2)) < 1.25, q
    assert d["entropy_rate"].unit == "nats"


def test_infinite_production_has_no_stderr():
    fit = entropy.MarkovChain.fit(np.array([0, 1, 2] * 30))  # a deterministic cycle: no reverse step
    est = fit.estimates()
    assert est["entropy_production"].value == math.inf and math.isnan(est["entropy_production"].stderr)


@pytest.mark.parametrize("kwargs, match", [
    (dict(series=[[0, 1], [0, -1]]), r"series\[1\]\[1\]=-1"),
    (dict(series=np.array([0.0, 1.5])), r"series\[1\]=1.5"),
    (dict(series=np.zeros((2, 2, 2), int)), "series: expected a 1-D array"),
    (dict(series=np.array(["a", "b"])), "series: expected non-negative integer symbols"),
    (dict(series=[0, 1], order=0), "order=0"),
    (dict(series=[0, 1], order=2), "series: no transition to count"),
    (dict(series=[0, 1], pseudocount=-1), "pseudocount=-1"),
    (dict(series=[0, 3], n_states=2), "n_states=2"),
    (dict(series=[0, 1], states="some"), "states='some'"),
    (dict(series=[0, 0, 1], order=2), r"the word \(0, 1\) ends a row"),
])
def test_bad_input_names_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        entropy.MarkovChain.fit(**kwargs)


def test_bad_estimate_options_name_the_argument():
    fit = entropy.MarkovChain.fit([0, 1, 2, 0, 2, 1, 0])
    for kw, match in ((dict(ci="exact"), "ci='exact'"), (dict(n_boot=1), "n_boot=1"), (dict(seed=-1), "seed=-1"),
                      (dict(confidence=1.0), "confidence=1.0"), (dict(symbol_reversal=[1, 1, 0]), "symbol_reversal")):
        with pytest.raises(ValueError, match=match):
            fit.estimates(**kw)
    with pytest.raises(ValueError, match=r"word=\(5,\)"):
        fit.state_of((5,))


def _figures_module(name):
    import importlib
    import pathlib

    path = str(pathlib.Path(__file__).resolve().parent.parent / "figures")
    if path not in sys.path:
        sys.path.insert(0, path)
    return importlib.import_module(name)


def test_sunspots_analysis_fitted_chains_agree_with_the_estimates():
    pytest.importorskip("statsmodels")
    sun = _figures_module("sunspots")
    years, values = sun.load_sunspots()
    assert years[0] == 1700 and years[-1] == 2008 and values.size == 309
    r = sun.analyse(values, max_history=2)
    # forwards and backwards: estimates of the same rate of a stationary sequence; the plug-in
    # conditional entropies' history counts differ by one window (the first history against
    # the last) out of N ~ 306, which moves a plug-in entropy by at most about 2 log2(N) / N
    n = r["symbols"].size - 2
    np.testing.assert_allclose(r["h_forward"][:, 0], r["h_backward"][:, 0], atol=2 * np.log2(n) / n)
    # fitted order-k chain and the plug-in estimate of h(k) use the same windows; within
    # 3 of their combined standard errors (they are nearly the same number)
    gap = np.abs(r["h_fit"][:, 0] - r["h_forward"][:, 0])
    assert np.all(gap < 3 * np.hypot(r["h_fit"][:, 1], r["h_forward"][:, 1]))
    assert np.all(r["pvalue"] < 0.05)  # sunspot cycles rise faster than they decay


def test_make_figures_skips_sunspots_without_statsmodels(monkeypatch, tmp_path, capsys):
    mf = _figures_module("make_figures")
    monkeypatch.setitem(sys.modules, "statsmodels", None)
    monkeypatch.setitem(sys.modules, "statsmodels.api", None)
    assert mf.make_sunspots_if_possible(tmp_path) is None
    assert "skipped" in capsys.readouterr().out and not list(tmp_path.iterdir())
