"""Two-sided simulation of Markov chains: law against exact marginals, metamorphic and determinism tests."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.sparse as sp

import entropy
from entropy import MarkovChain, exact, simulate
from conftest import driven_cycle, random_chain, reversible_chain


def empirical(states, n):
    """Per-time empirical law, shape (times, n)."""
    return np.stack([np.bincount(col, minlength=n) for col in states.T.astype(np.int64)]) / states.shape[0]


def assert_within_binomial_se(phat, p, M, k=5.0):
    """|phat - p| <= k * sqrt(p (1 - p) / M) at every time and state (plus 1/M for p ~ 0)."""
    se = np.sqrt(p * (1 - p) / M)
    bad = np.abs(phat - p) > k * se + 1.0 / M
    assert not bad.any(), f"{bad.sum()} cells off by more than {k} standard errors; worst at {np.argwhere(bad)[0]}"


@pytest.mark.parametrize("start", [0, "law"])
def test_marginals_match_exact_on_both_arms(rng, start):
    P = random_chain(rng, 6)
    c = MarkovChain(P)
    if start == "law":
        start = np.array([0.7, 0.3, 0, 0, 0, 0])
    M = 40_000
    e = simulate(c, start, forward=12, backward=9, paths=M, seed=11)
    assert e.times[0] == -9 and e.times[-1] == 12 and e.t0_index == 9
    assert e.states.dtype == np.uint8 and e.states.shape == (M, 22)
    times, probs = exact.marginals(c, start, forward=12, backward=9)
    np.testing.assert_array_equal(times, e.times)
    assert_within_binomial_se(empirical(e.states, 6), probs, M)


def test_non_reversible_backward_arm_differs_from_forward():
    # driven 3-cycle: forward steps mostly +1, the backward arm (P~ = P^T) mostly -1,
    # so reading time forwards both arms move +1: the arrow of the dynamics is preserved
    c = MarkovChain(driven_cycle(0.9))
    e = simulate(c, 0, forward=1, backward=1, paths=10_000, seed=3)
    assert np.mean(e.states[:, 2] == 1) == pytest.approx(0.9, abs=0.02)      # X_1 = X_0 + 1
    assert np.mean(e.states[:, 0] == 2) == pytest.approx(0.9, abs=0.02)      # X_-1 = X_0 - 1


def test_metamorphic_backward_arm_is_forward_arm_of_reversal(rng):
    """The backward arm of P has the law of the forward arm of P.reversed() (two-sample z-test)."""
    c = MarkovChain(random_chain(rng, 5))
    M = 40_000
    start = np.full(5, 0.2)
    start = np.array([0.5, 0.5, 0, 0, 0])
    b = simulate(c, start, backward=10, paths=M, seed=1).arm("backward")
    f = simulate(c.reversed(), start, forward=10, paths=M, seed=2).arm("forward")
    pb, pf = empirical(b, 5), empirical(f, 5)
    p = (pb + pf) / 2
    se = np.sqrt(2 * p * (1 - p) / M)
    assert np.all(np.abs(pb - pf) <= 5 * se + 1.0 / M)
    # and the pair law of consecutive times too (a path-level check, not only marginals)
    jb = np.bincount(b[:, 3].astype(int) * 5 + b[:, 4], minlength=25) / M
    jf = np.bincount(f[:, 3].astype(int) * 5 + f[:, 4], minlength=25) / M
    pj = (jb + jf) / 2
    assert np.all(np.abs(jb - jf) <= 5 * np.sqrt(2 * pj * (1 - pj) / M) + 1.0 / M)


def test_reversible_chain_has_equal_arms_in_law(rng):
    c = MarkovChain(reversible_chain(rng, 4))
    M = 40_000
    e = simulate(c, 1, forward=8, backward=8, paths=M, seed=5)
    pf = empirical(e.arm("forward"), 4)
    pb = empirical(e.arm("backward"), 4)
    p = (pf + pb) / 2
    assert np.all(np.abs(pf - pb) <= 5 * np.sqrt(2 * p * (1 - p) / M) + 1.0 / M)


def test_same_seed_same_arrays_and_chunking_invariance(rng):
    c = MarkovChain(random_chain(rng, 7))
    a = simulate(c, np.full(7, 1 / 7), forward=20, backward=15, paths=1003, seed=42)
    b = simulate(c, np.full(7, 1 / 7), forward=20, backward=15, paths=1003, seed=42, chunk_size=17)
    np.testing.assert_array_equal(a.states, b.states)
    d = simulate(c, np.full(7, 1 / 7), forward=20, backward=15, paths=1003, seed=43)
    assert not np.array_equal(a.states, d.states)
    # an arm's numbers do not depend on the other arm's length
    e = simulate(c, np.full(7, 1 / 7), forward=20, backward=3, paths=1003, seed=42)
    np.testing.assert_array_equal(e.arm("forward"), a.arm("forward"))
    np.testing.assert_array_equal(e.arm("backward"), a.arm("backward")[:, :4])


def test_streamed_counts_equal_counts_of_stored_states(rng):
    c = MarkovChain(random_chain(rng, 4))
    e = simulate(c, 0, forward=6, backward=5, paths=2001, seed=9)
    s = simulate(c, 0, forward=6, backward=5, paths=2001, seed=9, store=False, chunk_size=64)
    assert isinstance(s, entropy.EnsembleCounts)
    np.testing.assert_array_equal(s.counts, (empirical(e.states, 4) * 2001).round().astype(np.int64))
    pairs = np.zeros((11, 4, 4), np.int64)
    for t in range(11):
        np.add.at(pairs[t], (e.states[:, t], e.states[:, t + 1]), 1)
    np.testing.assert_array_equal(s.pair_counts, pairs)


def test_thread_count_does_not_change_results():
    code = textwrap.dedent(
        """
        import hashlib, numpy as np, entropy
        rng = np.random.default_rng(0)
        P = rng.random((9, 9)); P /= P.sum(1, keepdims=True)
        e = entropy.simulate(entropy.MarkovChain(P), np.full(9, 1/9), forward=50, backward=40, paths=3001, seed=7)
        print(hashlib.sha256(e.states.tobytes()).hexdigest())
        """
    )
    digests = []
    for threads in ("1", "2"):
        env = dict(os.environ, NUMBA_NUM_THREADS=threads)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        digests.append(out.stdout.strip())
    assert digests[0] == digests[1] and len(digests[0]) == 64


def test_sparse_chain_simulates_like_dense(rng):
    P = random_chain(rng, 12, sparsity=0.6)
    d = simulate(MarkovChain(P), 0, forward=10, backward=10, paths=500, seed=4)
    s = simulate(MarkovChain(sp.csr_matrix(P)), 0, forward=10, backward=10, paths=500, seed=4)
    np.testing.assert_array_equal(d.states, s.states)


def test_dtype_is_smallest_that_fits():
    n = 300
    P = np.full((n, n), 1.0 / n)
    e = simulate(MarkovChain(P), 0, forward=2, paths=10, seed=0)
    assert e.states.dtype == np.uint16


def test_memory_is_checked_before_any_work():
    c = MarkovChain(driven_cycle())
    with pytest.raises(entropy.InsufficientMemoryError, match=r"storing 1000000000 paths x 10001 times needs .*store=False"):
        simulate(c, 0, forward=10_000, paths=10**9, seed=0)
    with pytest.raises(entropy.InsufficientMemoryError, match=r"per-time counts"):
        simulate(c, 0, forward=10, paths=10, seed=0, store=False, max_memory=100)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(start=3), r"start=3: expected a state in 0..2 or a probability vector of length 3"),
        (dict(start=[0.5, 0.5]), r"start: expected a probability vector of length 3, got length 2"),
        (dict(start=[0.5, 0.6, -0.1]), r"start\[2\]=-0.1: expected non-negative probabilities"),
        (dict(start=[0.5, 0.6, 0.1]), r"start: entries sum to 1.2"),
        (dict(start=0, forward=-1), r"forward=-1: expected an integer >= 0"),
        (dict(start=0, backward=2.5), r"backward=2.5: expected an integer >= 0"),
        (dict(start=0, paths=0), r"paths=0: expected an integer >= 1"),
        (dict(start=0, seed=-3), r"seed=-3: expected an integer in \[0, 2\*\*64\) or None"),
        (dict(start=0, dt=0.1), r"dt=0.1: MarkovChain is a discrete-time process"),
        (dict(start=0, chunk_size=0), r"chunk_size=0: expected an integer >= 1"),
        (dict(start=0, progress="yes"), r"progress='yes': expected True, False or a tqdm-like object"),
    ],
)
def test_validation_errors(kwargs, match):
    c = MarkovChain(driven_cycle())
    with pytest.raises(ValueError, match=match):
        simulate(c, **kwargs)


def test_not_a_process():
    with pytest.raises(ValueError, match=r"process: expected an entropy process .*got ndarray"):
        simulate(np.eye(2), 0)


def test_seed_none_is_recorded_and_reproduces():
    c = MarkovChain(driven_cycle())
    a = simulate(c, 0, forward=5, backward=5, paths=100)
    b = simulate(c, 0, forward=5, backward=5, paths=100, seed=a.seed)
    np.testing.assert_array_equal(a.states, b.states)


def test_progress_object_is_updated():
    class Counter:
        n = 0

        def update(self, k):
            self.n += k

    bar = Counter()
    simulate(MarkovChain(driven_cycle()), 0, forward=5, paths=1000, seed=1, chunk_size=128, progress=bar)
    assert bar.n == 1000


@pytest.mark.parametrize("store", [True, False])
def test_stop_ends_after_whole_chunks_with_the_first_paths(rng, store):
    c = MarkovChain(random_chain(rng, 4))
    calls = []

    def stop():
        calls.append(1)
        return len(calls) > 2  # two chunks run, then stop

    part = simulate(c, 0, forward=5, backward=4, paths=1000, seed=3, chunk_size=128, store=store, stop=stop)
    full = simulate(c, 0, forward=5, backward=4, paths=1000, seed=3, chunk_size=128, store=store)
    assert part.paths == 256
    assert part.extra == {"complete": False, "paths_requested": 1000}
    assert full.extra == {}
    if store:
        np.testing.assert_array_equal(part.states, full.states[:256])
    else:
        first = simulate(c, 0, forward=5, backward=4, paths=256, seed=3, store=False)
        np.testing.assert_array_equal(part.counts, first.counts)
        np.testing.assert_array_equal(part.pair_counts, first.pair_counts)


def test_failure_in_a_chunk_keeps_the_chunks_finished(rng):
    """A FloatingPointError (e.g. a non-finite diffusion value) raised in the third chunk leaves
    the first two chunks on the exception, identical to the same paths of a clean run."""
    P = random_chain(rng, 4)

    class Failing(MarkovChain):
        def _run_arm(self, init, seed, first_path, arm, steps, out, dt=None):
            if first_path >= 256:
                raise FloatingPointError(f"path {first_path}: non-finite")
            super()._run_arm(init, seed, first_path, arm, steps, out, dt)

    with pytest.raises(FloatingPointError, match=r"path 256") as ei:
        simulate(Failing(P), 0, forward=6, paths=1000, seed=2, chunk_size=128)
    part = ei.value.partial
    assert part.paths == 256 and part.extra["complete"] is False
    full = simulate(MarkovChain(P), 0, forward=6, paths=1000, seed=2, chunk_size=128)
    np.testing.assert_array_equal(part.states, full.states[:256])
    with pytest.raises(FloatingPointError) as ei:
        simulate(Failing(P), 0, forward=6, paths=1000, seed=2, chunk_size=128, store=False)
    counts = ei.value.partial
    assert counts.paths == 256
    np.testing.assert_array_equal(counts.pair_counts, simulate(MarkovChain(P), 0, forward=6, paths=256, seed=2,
                                                               store=False).pair_counts)


# -- the engine: one plan, no import cycle, progress by default ----------------------------


def test_engine_is_below_simulation_and_distributed():
    # the engine and the Dask runner never import entropy.simulation (no cycle); simulation is a module
    import ast
    import importlib

    root = os.path.join(os.path.dirname(entropy.__file__))
    for name in ("_engine.py", "distributed.py"):
        with open(os.path.join(root, name)) as f:
            tree = ast.parse(f.read())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        imported |= {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
        assert not any(m == "simulation" or m.endswith(".simulation") for m in imported), (name, imported)
    mod = importlib.import_module("entropy.simulation")
    assert mod.simulate is entropy.simulate and mod.fill_chunk is entropy._engine.fill_chunk


def test_plan_is_what_simulate_runs(rng):
    from entropy._engine import make_plan, run_local

    c = MarkovChain(random_chain(rng, 4))
    plan = make_plan(c, 1, forward=5, backward=3, paths=300, seed=9, chunk_size=100)
    assert plan.n_times == 9 and plan.ranges() == [(0, 100), (100, 200), (200, 300)]
    assert plan.result_bytes == 300 * 9 * 1 and plan.need == plan.result_bytes  # uint8 states, stored
    np.testing.assert_array_equal(run_local(plan, progress=False).states,
                                  simulate(c, 1, forward=5, backward=3, paths=300, seed=9).states)
    streamed = make_plan(c, 1, forward=5, backward=3, paths=300, seed=9, store=False, chunk_size=100)
    # counts (9 x 4) and pairs (8 x 4 x 4) in int64, plus one chunk of scratch states
    assert streamed.result_bytes == 9 * 4 * 8 + 8 * 16 * 8 and streamed.need == streamed.result_bytes + 100 * 9


class _Stream:
    def __init__(self, tty):
        self.tty = tty

    def isatty(self):
        return self.tty


@pytest.mark.parametrize("seconds, tty, env, notebook, expected", [
    (10.0, True, {}, False, True),           # long run in a terminal: a bar
    (0.5, True, {}, False, False),           # short run: silent
    (10.0, False, {}, False, False),         # stderr redirected to a file or pipe: silent
    (10.0, True, {"CI": "true"}, False, False),  # CI logs: silent even on a pseudo-terminal
    (10.0, False, {"CI": "0"}, True, True),  # a Jupyter notebook (stderr is no tty there)
    (0.5, False, {}, True, False),           # ... but not for a short run
])
def test_automatic_progress_decision(monkeypatch, seconds, tty, env, notebook, expected):
    import types

    from entropy import _engine

    shell = type("ZMQInteractiveShell" if notebook else "TerminalInteractiveShell", (), {})()
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    assert _engine.want_progress(seconds, _Stream(tty), environ=env) is expected


def test_progress_none_asks_the_decision_with_the_expected_time(monkeypatch):
    from entropy import _engine

    asked, made = [], []

    class FakeBar:
        def __init__(self, total, **kw):
            made.append(total)
            self.n = 0

        def update(self, n):
            self.n += n

        def close(self):
            made.append("closed")

    monkeypatch.setattr("tqdm.auto.tqdm", FakeBar)
    monkeypatch.setattr(_engine, "want_progress", lambda s: asked.append(s) or True)
    simulate(MarkovChain(driven_cycle()), 0, forward=9, paths=500, seed=1)  # progress=None: the default
    assert asked == [pytest.approx(500 * 10 * _engine.NS_PER_TRANSITION * 1e-9)]
    assert made == [500, "closed"]
    monkeypatch.setattr(_engine, "want_progress", lambda s: False)
    simulate(MarkovChain(driven_cycle()), 0, forward=9, paths=500, seed=1)
    simulate(MarkovChain(driven_cycle()), 0, forward=9, paths=500, seed=1, progress=False)
    assert made == [500, "closed"]  # no second bar


def test_ensemble_data_protocol(rng):
    from entropy.estimators import entropy_profile
    from entropy.simulation import EnsembleData

    c = MarkovChain(random_chain(rng, 3))
    stored = simulate(c, 0, forward=4, paths=2000, seed=3)
    streamed = simulate(c, 0, forward=4, paths=2000, seed=3, store=False, word_length=3)
    assert stored.kind == "states" and streamed.kind == "counts" and streamed.word_length == 3
    assert isinstance(stored, EnsembleData) and isinstance(streamed, EnsembleData)
    ou = simulate(entropy.OrnsteinUhlenbeck(1.0, 1.0), 0.0, forward=3, paths=10, seed=1, dt=0.1)
    assert ou.kind == "values"
    # estimators dispatch on kind: the same counts through any object of kind "counts"
    import types

    hand = types.SimpleNamespace(kind="counts", times=streamed.times, counts=streamed.counts, pair_counts=None,
                                 word_counts=None, paths=2000)
    np.testing.assert_array_equal(entropy_profile(hand).values, entropy_profile(stored).values)
    with pytest.raises(ValueError, match=r"ensemble: kind='paths', expected one of 'states', 'values', 'counts'"):
        entropy_profile(types.SimpleNamespace(kind="paths", times=stored.times, states=stored.states))


def test_one_validator_for_seeds_and_confidence_levels():
    from entropy.estimators import entropy_profile, entropy_rate

    with pytest.raises(ValueError, match=r"seed=-1: expected an integer in \[0, 2\*\*64\) or None"):
        entropy.KacRing(10, 3, seed=-1)
    with pytest.raises(ValueError, match=r"seed=2\.5: expected an integer in \[0, 2\*\*64\)$"):
        entropy_profile(np.zeros((5, 3), int), ci="bootstrap", seed=2.5)
    for fn, data in ((entropy_profile, np.zeros((5, 3), int)), (entropy_rate, np.array([0, 1, 0, 1, 1, 0] * 20))):
        with pytest.raises(ValueError, match=r"confidence=1\.5: expected a number in \(0, 1\)"):
            fn(data, confidence=1.5)


def test_reversed_copies_leave_the_original_alone():
    ring = entropy.KacRing(12, 4, seed=3)
    rev = ring.reversed()
    assert (ring.direction, rev.direction) == (1, -1) and rev.reversed().direction == 1
    assert rev.markers is ring.markers  # shared parameters, not copied
    assert entropy.MarkovChain.time_unit == "steps" and not entropy.MarkovChain.continuous_time


# -- streamed diffusions: moments per time, states at chosen times (issue 16 item 3) --------


def test_streamed_diffusion_moments_equal_the_stored_ones():
    from entropy.estimators import entropy_profile

    ou = entropy.OrnsteinUhlenbeck([[1.0, 0.5], [-0.5, 1.0]], 1.0)  # 2-d, non-reversible
    kw = dict(forward=12, backward=6, paths=3000, seed=4, dt=0.1)
    stored = simulate(ou, [1.0, -2.0], **kw)
    streamed = simulate(ou, [1.0, -2.0], store=False, sample_times=[0.5, -0.2], chunk_size=61, **kw)
    assert streamed.kind == "moments" and streamed.samples.shape == (3000, 2, 2)
    # bit-identical for any chunking (sums path by path in path order, shifted by path 0)
    other = simulate(ou, [1.0, -2.0], store=False, sample_times=[0.5, -0.2], chunk_size=1000, **kw)
    np.testing.assert_array_equal(streamed.mean, other.mean)
    np.testing.assert_array_equal(streamed.scatter, other.scatter)
    # against numpy on the stored states (rounding only: 1e-12 relative)
    X = stored.states
    np.testing.assert_allclose(streamed.mean, X.mean(axis=0), rtol=1e-12, atol=1e-12)
    cov = np.stack([np.cov(X[:, i].T) for i in range(X.shape[1])])
    np.testing.assert_allclose(streamed.covariance, cov, rtol=1e-10, atol=1e-13)
    np.testing.assert_array_equal(streamed.samples, X[:, [4, 11]])  # times -0.2 and 0.5
    # the Gaussian profile reads the moments; kNN reads the samples: both as on the stored states
    g_stream, g_stored = entropy_profile(streamed, method="gaussian"), entropy_profile(stored, method="gaussian")
    assert g_stream.values[6] == -np.inf == g_stored.values[6]  # the point start at t0
    np.testing.assert_allclose(g_stream.values, g_stored.values, rtol=1e-10)
    np.testing.assert_allclose(g_stream.stderr, g_stored.stderr, rtol=1e-10)
    knn = entropy_profile(streamed)
    np.testing.assert_allclose(knn.times, [-0.2, 0.5])
    np.testing.assert_array_equal(knn.values, entropy_profile(stored).values[[4, 11]])


def test_streamed_diffusion_refusals_name_the_way_out():
    ou = entropy.OrnsteinUhlenbeck(1.0, 1.0)
    with pytest.raises(ValueError, match=r"sample_times=\[0\.25\]: 0\.25 is not among the simulated times"):
        simulate(ou, 0.0, forward=5, paths=10, seed=1, dt=0.1, store=False, sample_times=[0.25])
    with pytest.raises(ValueError, match=r"sample_times=\[0\.1\]: only for streamed real-valued runs"):
        simulate(ou, 0.0, forward=5, paths=10, seed=1, dt=0.1, sample_times=[0.1])
    bare = simulate(ou, 0.0, forward=5, paths=10, seed=1, dt=0.1, store=False)
    from entropy.estimators import entropy_profile

    with pytest.raises(ValueError, match=r"keeps no states \(sample_times=None\); estimate with method='gaussian'"):
        entropy_profile(bare)
    # 10**7 paths x 10**3 times of float64 would need 80 GB stored; streamed it is the moments
    plan = entropy._engine.make_plan(ou, 0.0, forward=999, paths=10**7, seed=1, dt=0.01, store=False,
                                     max_memory=2**30)
    assert plan.result_bytes == 1000 * 8 * 2
