"""Hidden Markov processes: exact information quantities, time reversal and simulation."""

import math

import numpy as np
import pytest

from entropy.processes.hmm import (
    LIMIT_ATOL,
    PRESETS,
    HiddenMarkovModel,
    alternating_biased_coin,
    biased_coin,
    even,
    golden_mean,
    period,
    preset,
    random_insertion,
    simple_nonunifilar_source,
)
from entropy.simulation import simulate

LOG2_3 = math.log2(3)
#: Half-width (bits) of the bracket H[X_L|X_<L,S_0] <= h <= H[X_L|X_<L] at which the entropy
#: rate of a nonunifilar presentation stops: its error bound.
RATE_TOL = LIMIT_ATOL / math.log(2)


def limit_tol(m):
    """Error bound (bits) of E by the limit: L * (error of h) + the tail (< its last increment)."""
    return (m._excess_limit[1] + 1) * m._rate[1] / math.log(2) + RATE_TOL


def H2(*p):
    """Shannon entropy in bits of the probabilities ``p`` (normalised)."""
    p = np.asarray(p, dtype=float)
    p = p[p > 0] / p.sum()
    return float(-(p * np.log2(p)).sum())


def Hb(p):
    return H2(p, 1 - p)


def all_presets():
    return [PRESETS[name]() for name in sorted(PRESETS)]


def published_rip_reverse(p, q):
    """Reverse epsilon-machine of the RIP, states D, E, F, G (Crutchfield, Ellison & Mahoney 2009):
    D --1 (1-pq)--> E, D --0 (pq)--> F, E --1 ((1-p)/(1-pq))--> D, E --0 (p(1-q)/(1-pq))--> G,
    F --0--> G, G --1--> D."""
    T = np.zeros((2, 4, 4))
    D, E, F, G = range(4)
    T[1, D, E] = 1 - p * q
    T[0, D, F] = p * q
    T[1, E, D] = (1 - p) / (1 - p * q)
    T[0, E, G] = p * (1 - q) / (1 - p * q)
    T[0, F, G] = 1.0
    T[1, G, D] = 1.0
    return HiddenMarkovModel(T)


def redundant_golden_mean():
    """A nonunifilar, non-minimal presentation of the golden mean process (p = 1/2):
    state A is split into A1, A2, entered at random; B --1--> A1 or A2 with probability 1/2."""
    T = np.zeros((2, 3, 3))
    A1, A2, B = range(3)
    for a in (A1, A2):
        T[0, a, B] = 0.5
        T[1, a, A1] = 0.25
        T[1, a, A2] = 0.25
    T[1, B, A1] = 0.5
    T[1, B, A2] = 0.5
    return HiddenMarkovModel(T)


# ---------------------------------------------------------------------------------------------
# closed forms
# ---------------------------------------------------------------------------------------------


def test_golden_mean_half_closed_forms():
    m = golden_mean(0.5)
    assert m.entropy_rate() == pytest.approx(2 / 3, abs=1e-14)
    # C = H[pi] with pi = (2/3, 1/3); E = H(1) - h = (log2 3 - 2/3) - 2/3 (order-1 Markov process)
    assert m.statistical_complexity() == pytest.approx(LOG2_3 - 2 / 3, abs=1e-12)
    assert m.statistical_complexity("backward") == pytest.approx(LOG2_3 - 2 / 3, abs=1e-12)
    assert m.excess_entropy() == pytest.approx(LOG2_3 - 4 / 3, abs=1e-12)
    assert m.excess_entropy(method="limit") == pytest.approx(LOG2_3 - 4 / 3, abs=1e-10)
    assert m.crypticity() == pytest.approx(2 / 3, abs=1e-12)
    assert m.causal_irreversibility() == pytest.approx(0.0, abs=1e-12)
    # H(L) = H(1) + (L - 1) h for an order-1 Markov process
    L = np.arange(1, 11)
    assert np.allclose(m.block_entropies(10)[1:], LOG2_3 - 2 / 3 + (L - 1) * 2 / 3, atol=1e-12)


@pytest.mark.parametrize("p", [0.3, 0.8])
def test_golden_mean_general_p(p):
    m = golden_mean(p)
    piA = 1 / (1 + p)
    h = piA * Hb(p)
    assert m.entropy_rate() == pytest.approx(h, abs=1e-13)
    assert m.statistical_complexity() == pytest.approx(Hb(piA), abs=1e-12)
    assert m.excess_entropy() == pytest.approx(Hb(piA * p) - h, abs=1e-12)


@pytest.mark.parametrize("p", [0.5, 0.25])
def test_even_process(p):
    m = even(p)
    piA = 1 / (2 - p)
    h = piA * Hb(p)
    C = Hb(piA)
    assert m.entropy_rate() == pytest.approx(h, abs=1e-13)
    assert m.statistical_complexity() == pytest.approx(C, abs=1e-12)
    assert m.statistical_complexity("backward") == pytest.approx(C, abs=1e-12)
    # the future determines the causal state, so E = C (chi = 0) (Crutchfield & Feldman 2003)
    assert m.excess_entropy() == pytest.approx(C, abs=1e-12)
    assert m.excess_entropy(method="limit") == pytest.approx(C, abs=1e-9)
    if p == 0.5:
        assert h == pytest.approx(2 / 3) and C == pytest.approx(LOG2_3 - 2 / 3)


@pytest.mark.parametrize("p,q", [(0.5, 0.5), (0.3, 0.6)])
def test_random_insertion_barbed_arrow(p, q):
    m = random_insertion(p, q)
    Cp = H2(1, p, 1)  # forward epsilon-machine, pi+ = (1, p, 1) / (2 + p)
    Cm = H2(1, 1 - p * q, p * q, p)  # reverse epsilon-machine (published), pi- = (1, 1-pq, pq, p) / (2 + p)
    h = (Hb(p) + p * Hb(q)) / (2 + p)
    assert m.entropy_rate() == pytest.approx(h, abs=1e-13)
    assert m.statistical_complexity("forward") == pytest.approx(Cp, abs=1e-12)
    assert m.statistical_complexity("backward") == pytest.approx(Cm, abs=1e-12)
    assert m.causal_irreversibility() == pytest.approx(Cp - Cm, abs=1e-12)
    assert m.causal_irreversibility() < -0.1
    # E by the bidirectional machine equals the limit of H(L) - L h
    E = m.excess_entropy(method="bidirectional")
    assert E == pytest.approx(m.excess_entropy(method="limit"), abs=1e-9)
    assert 0 < E < min(Cp, Cm)
    assert m.crypticity("forward") == pytest.approx(Cp - E, abs=1e-12)
    assert m.crypticity("backward") == pytest.approx(Cm - E, abs=1e-12)
    Cpm = m.bidirectional_complexity()
    assert max(Cp, Cm) <= Cpm + 1e-12 and Cpm <= Cp + Cm
    assert Cpm == pytest.approx(Cp + Cm - E, abs=1e-12)
    # the reverse epsilon-machine has 4 states, unifilar, with the published stationary law
    R = m.epsilon_machine("backward")
    assert R.n_hidden == 4 and R.is_unifilar
    pub = published_rip_reverse(p, q)
    assert np.allclose(np.sort(m.causal_state_distribution("backward")),
                       np.sort(pub.stationary_distribution), atol=1e-12)
    # ... and the published machine generates the reversed process
    for L in (1, 3, 6):
        assert np.allclose(pub.block_entropies(L, method="words"),
                           m.reversed().block_entropies(L, method="words"), atol=1e-12)


def test_random_insertion_half_values():
    """p = q = 1/2: C+ = H(2/5, 1/5, 2/5), C- = H(2/5, 3/10, 1/10, 1/5), h = 3/5 bit."""
    m = random_insertion()
    assert m.statistical_complexity() == pytest.approx(1.5219280948873621, abs=1e-12)
    assert m.statistical_complexity("backward") == pytest.approx(1.8464393446710154, abs=1e-12)
    assert m.entropy_rate() == pytest.approx(0.6, abs=1e-14)


def test_biased_coin_and_period():
    m = biased_coin(0.2)
    assert m.entropy_rate() == pytest.approx(Hb(0.2), abs=1e-14)
    assert m.excess_entropy() == pytest.approx(0.0, abs=1e-14)
    assert m.statistical_complexity() == pytest.approx(0.0, abs=1e-14)
    for n in (1, 3, 5):
        m = period(n)
        assert m.entropy_rate() == pytest.approx(0.0, abs=1e-14)
        assert m.excess_entropy() == pytest.approx(math.log2(n), abs=1e-12)
        assert m.excess_entropy(method="limit") == pytest.approx(math.log2(n), abs=1e-12)
        assert m.statistical_complexity() == pytest.approx(math.log2(n), abs=1e-12)
        assert m.crypticity() == pytest.approx(0.0, abs=1e-12)
        assert np.allclose(m.block_entropies(2 * n)[n:], math.log2(n), atol=1e-12)


def test_alternating_biased_coin_asymptotic_synchronisation():
    p, q = 0.25, 0.6
    m = alternating_biased_coin(p, q)
    assert m.entropy_rate() == pytest.approx((Hb(p) + Hb(q)) / 2, abs=1e-13)
    assert m.statistical_complexity() == pytest.approx(1.0, abs=1e-12)
    assert m.statistical_complexity("backward") == pytest.approx(1.0, abs=1e-12)
    assert m.excess_entropy() == pytest.approx(1.0, abs=1e-12)
    # E(L) approaches 1 bit only asymptotically (the phase is never learnt exactly)
    assert m.excess_entropy(method="limit") == pytest.approx(1.0, abs=1e-8)


def _sns_intervals(p, q, nmax=400):
    """Intervals T between 0s of the SNS (iid, a renewal process): T = n >= 2 with probability
    F(n) = sum_{a=1}^{n-1} p^(a-1) (1-p) q^(n-a-1) (1-q) (a symbols from A, the rest from B)."""
    n = np.arange(1, nmax)
    F = np.array([sum(p ** (a - 1) * (1 - p) * q ** (k - a - 1) * (1 - q) for a in range(1, k)) for k in n])
    assert F.sum() == pytest.approx(1.0, abs=1e-13)
    return n, F


def _sns_renewal_rate(p, q):
    """SNS entropy rate from renewal theory, h = H[F] / <T> (Marzen & Crutchfield 2015)."""
    n, F = _sns_intervals(p, q)
    return H2(*F) / float((n * F).sum())


@pytest.mark.parametrize("p,q", [(0.5, 0.5), (0.3, 0.7)])
def test_simple_nonunifilar_source(p, q):
    m = simple_nonunifilar_source(p, q)
    assert not m.is_unifilar
    assert m.entropy_rate() == pytest.approx(_sns_renewal_rate(p, q), abs=RATE_TOL)
    # E from the limit, checked against word enumeration: E(L) = H(L) - L h, increasing to E
    E = m.excess_entropy()
    EL = m.block_entropies(14, method="words") - np.arange(15) * m.entropy_rate()
    d = np.diff(EL)  # increments H[X_L | X_<L] - h >= 0, up to the error of h
    assert np.all(d >= -RATE_TOL) and EL[-1] <= E + limit_tol(m)
    # the increments decay geometrically with ratio below 1/2 (about 0.41 at p = q = 1/2; ~1e-13
    # already at p = 0.3), so the tail E - E(14) = sum of the later increments is below the last one
    assert E - EL[-1] <= max(d[-1], 0.0) + limit_tol(m)
    if p == q:
        # the mixed states after 0 1^n converge like 1/n: no finite approximation
        with pytest.raises(ValueError, match="did not close within 10000 mixed states"):
            m.statistical_complexity()
    else:
        # the mixed states converge geometrically: merging them would drop the tail of causal states
        with pytest.raises(ValueError, match="only asymptotically"):
            m.statistical_complexity()


def test_nonunifilar_redundant_presentation_gives_the_epsilon_machine():
    g, r = golden_mean(0.5), redundant_golden_mean()
    assert not r.is_unifilar
    assert r.entropy_rate() == pytest.approx(2 / 3, abs=1e-11)
    em = r.epsilon_machine()
    assert em.n_hidden == 2 and em.is_unifilar
    assert r.statistical_complexity() == pytest.approx(g.statistical_complexity(), abs=1e-12)
    assert r.statistical_complexity("backward") == pytest.approx(g.statistical_complexity("backward"), abs=1e-12)
    assert r.excess_entropy() == pytest.approx(LOG2_3 - 4 / 3, abs=1e-12)
    assert r.excess_entropy(method="limit") == pytest.approx(LOG2_3 - 4 / 3, abs=1e-10)


# ---------------------------------------------------------------------------------------------
# independent computations agree
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", all_presets() + [redundant_golden_mean()], ids=lambda m: m.name or "redundant")
def test_words_vs_mixed_states_and_reversal(model):
    Hw = model.block_entropies(10, method="words")
    Hm = model.block_entropies(10, method="mixed_states")
    assert np.allclose(Hw, Hm, atol=1e-11)
    # the reversed process has the same word entropies, entropy rate and excess entropy
    rev = model.reversed()
    assert np.allclose(rev.block_entropies(10, method="words"), Hw, atol=1e-11)
    assert rev.entropy_rate() == pytest.approx(model.entropy_rate(), abs=2 * RATE_TOL)
    try:
        tol = limit_tol(model) + limit_tol(rev)  # if either used the limit
    except ValueError:
        tol = 0.0
    assert rev.excess_entropy() == pytest.approx(model.excess_entropy(), abs=tol + 1e-12)
    assert rev.reversed() is model


def test_reversed_word_probabilities_are_the_mirrored_words(rng):
    m = random_insertion(0.3, 0.6)
    rev = m.reversed()
    for _ in range(30):
        w = rng.integers(0, 2, size=rng.integers(1, 8))
        assert rev.word_probability(w) == pytest.approx(m.word_probability(w[::-1]), abs=1e-15)


def test_units_and_curves():
    m = random_insertion()
    assert m.entropy_rate(base=math.e) == pytest.approx(m.entropy_rate() * math.log(2), rel=1e-14)
    assert m.statistical_complexity(base=math.e) == pytest.approx(m.statistical_complexity() * math.log(2), rel=1e-14)
    E_curve = m.excess_entropy_curve(80)  # E(L) - E decays like 2^(-L/2) for the RIP
    assert E_curve[0] == 0.0 and np.all(np.diff(E_curve) >= -1e-12)
    assert E_curve[-1] == pytest.approx(m.excess_entropy(), abs=1e-9)
    assert m.block_entropy(5) == pytest.approx(m.block_entropy(5, method="words"), abs=1e-12)
    assert m.block_entropy(0) == 0.0


# ---------------------------------------------------------------------------------------------
# simulation
# ---------------------------------------------------------------------------------------------


def _word_codes(x):
    x = np.asarray(x, dtype=np.int64)
    return (x * (2 ** np.arange(x.shape[1])[::-1])).sum(axis=1)


def _z_scores(codes, probs):
    """Per-word z-scores of multinomial counts: (count - N p) / sqrt(N p (1 - p))."""
    N = codes.size
    counts = np.bincount(codes, minlength=probs.size)
    sd = np.sqrt(N * probs * (1 - probs))
    # a word of probability 0 or 1 must have exactly the expected count (z = its deviation)
    return np.where(sd > 0, (counts - N * probs) / np.where(sd > 0, sd, 1), counts - N * probs)


def test_sample_word_frequencies_match_exact_probabilities():
    """Independent stationary rows of 5 symbols are iid multinomial draws of the words.

    Bound: |z| < 5 for each of the 32 words (family-wise false alarm < 32 * 5.7e-7)."""
    m = random_insertion(0.3, 0.6)
    x = m.sample(5, seed=11, rows=200_000)
    words = [[(c >> (4 - i)) & 1 for i in range(5)] for c in range(32)]
    probs = np.array([m.word_probability(w) for w in words])
    z = _z_scores(_word_codes(x), probs)
    assert np.all(np.abs(z) < 5), z
    assert np.all(np.bincount(_word_codes(x), minlength=32)[probs == 0] == 0)


def test_two_sided_ensemble_has_the_stationary_two_sided_law():
    """From the stationary start, the window X_-2 .. X_2 around t0 is a stationary word of 5 symbols."""
    m = random_insertion(0.3, 0.6)
    ens = simulate(m, None, forward=2, backward=2, paths=200_000, seed=5)
    words = [[(c >> (4 - i)) & 1 for i in range(5)] for c in range(32)]
    probs = np.array([m.word_probability(w) for w in words])
    z = _z_scores(_word_codes(ens.states), probs)
    assert np.all(np.abs(z) < 5), z  # 5 standard errors per word


@pytest.mark.parametrize("reverse", [False, True])
def test_two_sided_ensemble_from_a_hidden_state(reverse):
    """Start S_t0 = A: Pr(x_-2 x_-1 x_0 x_1 x_2) = [pi T(x_-2) T(x_-1)]_A / pi_A * [e_A T(x_0) T(x_1) T(x_2) 1].

    Also for the reversed presentation simulated in its own right (its t0 edge is stored
    mirrored; its backward arm is the original presentation)."""
    m = random_insertion(0.3, 0.6)
    if reverse:
        m = m.reversed()
    T, pi = m.labelled, m.stationary_distribution
    ens = simulate(m, 0, forward=2, backward=2, paths=200_000, seed=6)
    probs = np.empty(32)
    for c in range(32):
        w = [(c >> (4 - i)) & 1 for i in range(5)]
        past = (pi @ T[w[0]] @ T[w[1]])[0] / pi[0]
        fut = (T[w[2]] @ T[w[3]] @ T[w[4]]).sum(axis=1)[0]
        probs[c] = past * fut
    assert probs.sum() == pytest.approx(1.0)
    z = _z_scores(_word_codes(ens.states), probs)
    assert np.all(np.abs(z) < 5), z


def test_symbol_marginals_match_simulated_counts():
    """Per-time counts of 100000 independent paths from S_t0 = B are multinomial with the exact
    marginals: |z| < 5 for every time and symbol (5 standard errors)."""
    m = random_insertion(0.3, 0.6)
    exact = m.symbol_marginals(1, forward=6, backward=6)
    assert np.allclose(exact.sum(axis=1), 1.0)
    c = simulate(m, 1, forward=6, backward=6, paths=100_000, seed=17, store=False)
    N = c.paths
    sd = np.sqrt(N * exact * (1 - exact))
    z = np.where(sd > 0, (c.counts - N * exact) / np.where(sd > 0, sd, 1), c.counts - N * exact)
    assert np.all(np.abs(z) < 5), z
    # far from t0 both arms relax to the stationary symbol law
    far = m.symbol_marginals(1, forward=200, backward=200)
    assert np.allclose(far[0], m.symbol_distribution, atol=1e-12)
    assert np.allclose(far[-1], m.symbol_distribution, atol=1e-12)
    with pytest.raises(ValueError, match="backward=-1"):
        m.symbol_marginals(0, backward=-1)


def test_determinism_and_consistency_with_simulate():
    m = even(0.4)
    a = m.sample(1000, seed=3, rows=5)
    assert np.array_equal(a, m.sample(1000, seed=3, rows=5))
    assert not np.array_equal(a, m.sample(1000, seed=4, rows=5))
    ens = simulate(m, "stationary", forward=999, paths=5, seed=3)
    assert np.array_equal(ens.states, a)
    e1 = simulate(m, 1, forward=50, backward=40, paths=100, seed=9, chunk_size=16)
    e2 = simulate(m, 1, forward=50, backward=40, paths=100, seed=9)
    assert np.array_equal(e1.states, e2.states)
    # the backward arm does not depend on the forward arm's length
    e3 = simulate(m, 1, forward=5, backward=40, paths=100, seed=9)
    assert np.array_equal(e3.states[:, :41], e2.states[:, :41])
    assert a.dtype == np.uint8
    # streaming counts are the counts of the stored ensemble; thread count does not matter
    c = simulate(m, 1, forward=50, backward=40, paths=100, seed=9, store=False)
    for i in (0, 40, 90):
        assert np.array_equal(c.counts[i], np.bincount(e2.states[:, i], minlength=2))
    import numba

    n = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        assert np.array_equal(m.sample(1000, seed=3, rows=5), a)
    finally:
        numba.set_num_threads(n)


def test_sequence_estimators_recover_exact_values():
    """Time-pooled plug-in estimates from a long RIP sample agree with the exact H(L) and h(k)
    within 5 batch-means standard errors (the plug-in bias, about (words - 1) / (2 N ln 2) <
    1e-5 bits here, is far below the standard errors of about 1e-3 bits)."""
    seq = pytest.importorskip("entropy.estimators.sequence")
    m = random_insertion(0.3, 0.6)
    x = m.sample(200_000, seed=21, rows=10)
    H = m.block_entropies(7)
    for L in (1, 4, 6):
        est = seq.block_entropy(x, L)
        assert abs(est.value - H[L]) < 5 * est.stderr, (L, est, H[L])
    est = seq.entropy_rate(x, 6)
    assert abs(est.value - (H[7] - H[6])) < 5 * est.stderr


# ---------------------------------------------------------------------------------------------
# validation and errors
# ---------------------------------------------------------------------------------------------


def test_markov_chain_as_hmm(rng):
    """A Markov chain emitting its next state: h, E = H(pi) - h and C = H(pi) agree with MarkovChain's."""
    from entropy.processes.markov import MarkovChain

    P = rng.random((4, 4))
    P /= P.sum(axis=1, keepdims=True)
    mc = MarkovChain(P)
    m = HiddenMarkovModel.from_markov_chain(mc)
    assert m.is_unifilar
    assert m.entropy_rate() == pytest.approx(mc.entropy_rate(), abs=1e-13)
    assert m.excess_entropy() == pytest.approx(mc.excess_entropy(), abs=1e-12)
    assert m.excess_entropy(method="limit") == pytest.approx(mc.excess_entropy(), abs=RATE_TOL)
    assert m.statistical_complexity() == pytest.approx(H2(*mc.stationary_distribution), abs=1e-12)
    assert np.allclose(m.symbol_distribution, mc.stationary_distribution, atol=1e-14)
    # the reversed process is the reversed chain
    r = m.reversed()
    assert r.statistical_complexity("forward") == pytest.approx(m.statistical_complexity("backward"), abs=1e-12)
    assert r.excess_entropy() == pytest.approx(mc.reversed().excess_entropy(), abs=1e-12)


def test_mapping_of_symbols():
    g = golden_mean(0.5).labelled
    m = HiddenMarkovModel({"a": g[0], "b": g[1]}, hidden_states=["A", "B"])
    assert m.symbols == ("a", "b") and m.hidden_states == ("A", "B")
    assert m.entropy_rate() == pytest.approx(2 / 3, abs=1e-14)
    with pytest.raises(ValueError, match="symbols: leave it unset when labelled is a mapping"):
        HiddenMarkovModel({"a": g[0], "b": g[1]}, symbols="ab")


def test_validation_messages():
    good = golden_mean().labelled
    with pytest.raises(ValueError, match=r"expected an array of shape \(n_symbols, n_hidden, n_hidden\)"):
        HiddenMarkovModel(good[0])
    bad = good.copy()
    bad[1, 0, 0] = np.nan
    with pytest.raises(ValueError, match=r"labelled\[1\] \(symbol 1\) row 0: entry nan at column 0 is not finite"):
        HiddenMarkovModel(bad)
    bad = good.copy()
    bad[0, 0, 1] = -0.5
    bad[1, 0, 0] = 1.5
    with pytest.raises(ValueError, match=r"labelled\[0\] \(symbol 'a'\) row 0: entry -0.5 at column 1 is negative"):
        HiddenMarkovModel(bad, symbols=["a", "b"])
    bad = good.copy()
    bad[1, 1, 0] = 0.9
    with pytest.raises(ValueError, match=r"row 1 of T = sum_x T\^\(x\) sums to 0.9, expected 1"):
        HiddenMarkovModel(bad)
    with pytest.raises(ValueError, match="symbols: expected 2 names, got 3"):
        HiddenMarkovModel(good, symbols="abc")
    with pytest.raises(ValueError, match="symbols: names must be distinct"):
        HiddenMarkovModel(good, symbols="aa")
    # two closed classes: no unique stationary law
    T = np.zeros((2, 2, 2))
    T[0, 0, 0] = T[1, 1, 1] = 1.0
    with pytest.raises(ValueError, match="2 closed communicating classes"):
        HiddenMarkovModel(T).entropy_rate()
    # transient hidden state: no reversed presentation
    T = np.zeros((2, 2, 2))
    T[0, 0, 1] = 1.0
    T[1, 1, 1] = 1.0
    with pytest.raises(ValueError, match="hidden state 0 has stationary probability 0"):
        HiddenMarkovModel(T).reversed()


def test_argument_errors():
    m = random_insertion()
    with pytest.raises(ValueError, match="direction='backwards': expected 'forward' or 'backward'"):
        m.statistical_complexity("backwards")
    with pytest.raises(ValueError, match="direction='up'"):
        m.crypticity("up")
    with pytest.raises(ValueError, match="base=1"):
        m.entropy_rate(base=1)
    with pytest.raises(ValueError, match="method='exact': expected 'mixed_states' or 'words'"):
        m.block_entropy(3, method="exact")
    with pytest.raises(ValueError, match="method='x': expected 'auto', 'bidirectional' or 'limit'"):
        m.excess_entropy(method="x")
    with pytest.raises(ValueError, match="length=-1: expected an integer >= 0"):
        m.block_entropy(-1)
    with pytest.raises(ValueError, match=r"start=7: expected a hidden state in 0..2"):
        simulate(m, 7, forward=3)
    with pytest.raises(ValueError, match=r"start='uniform': expected a hidden state"):
        simulate(m, "uniform", forward=3)
    with pytest.raises(ValueError, match="start: expected a probability vector of length 3"):
        simulate(m, [0.5, 0.5], forward=3)
    with pytest.raises(ValueError, match="seed=-1"):
        m.sample(10, seed=-1)
    with pytest.raises(ValueError, match="rows=0: expected an integer >= 1"):
        m.sample(10, seed=1, rows=0)
    with pytest.raises(ValueError, match=r"word: symbol index 2 is not in 0..1"):
        m.word_probability([0, 2])


def test_presets():
    assert preset("rip", p=0.3, q=0.6).entropy_rate() == pytest.approx(random_insertion(0.3, 0.6).entropy_rate())
    assert preset("golden_mean").n_hidden == 2
    with pytest.raises(ValueError, match=r"name='nemo': unknown preset; expected one of \['alternating_biased_coin'"):
        preset("nemo")
    with pytest.raises(ValueError, match="preset 'even'"):
        preset("even", r=0.1)
    with pytest.raises(ValueError, match=r"p=1.5: expected a probability in \(0, 1\)"):
        golden_mean(1.5)
    with pytest.raises(ValueError, match=r"q=1.0: expected a probability in \[0, 1\)"):
        simple_nonunifilar_source(0.5, 1.0)
    with pytest.raises(ValueError, match="n=0: expected an integer >= 1"):
        period(0)
    for m in all_presets():
        assert isinstance(repr(m), str) and m.n_states == 2


def test_asymptotically_synchronising_nonunifilar_presentation():
    """A nonunifilar presentation whose mixed states started from pi only converge to the causal
    states: the construction restarts from the mixed state after a long sampled past, which sits
    on a causal state, and then closes exactly."""
    # the alternating coin with each state split into two copies entered at random
    base = alternating_biased_coin(0.25, 0.6).labelled
    m = HiddenMarkovModel(np.kron(base, np.full((2, 2), 0.5)))
    assert not m.is_unifilar
    assert m.entropy_rate() == pytest.approx((Hb(0.25) + Hb(0.6)) / 2, abs=RATE_TOL)
    em = m.epsilon_machine()
    assert em.n_hidden == 2 and em.is_unifilar
    assert m.statistical_complexity() == pytest.approx(1.0, abs=1e-12)
    assert m.statistical_complexity("backward") == pytest.approx(1.0, abs=1e-12)
    assert m.excess_entropy() == pytest.approx(1.0, abs=1e-12)
    assert m.excess_entropy(method="limit") == pytest.approx(1.0, abs=limit_tol(m))


def test_generic_nonunifilar_hmm_rate_bracket():
    """A random HMM with all entries positive: h from the two-sided bound agrees with the
    word-enumeration conditional entropies H(L) - H(L-1), which decrease to h (Cover & Thomas
    Thm 4.5.1); here they converge geometrically fast, within 1e-9 bit by L = 12. (Generic
    HMMs may synchronise more slowly and exceed MAX_POPULATION: a ValueError.)"""
    T = np.random.default_rng(1).random((2, 3, 3))
    T /= T.sum(axis=(0, 2))[None, :, None]
    m = HiddenMarkovModel(T)
    h = m.entropy_rate()
    dH = np.diff(m.block_entropies(12, method="words"))
    assert np.all(np.diff(dH) <= 1e-12) and np.all(dH >= h - RATE_TOL)
    assert dH[-1] - h < 1e-9
    with pytest.raises(ValueError, match="did not close within 10000 mixed states"):
        m.statistical_complexity()
    # E(L) = H(L) - L h increases (up to L times the error of h)
    EL = m.excess_entropy_curve(12)
    assert np.all(np.diff(EL) >= -RATE_TOL)


def test_reverse_direction_name_is_deprecated_and_means_backward():
    m = golden_mean()
    with pytest.warns(DeprecationWarning, match="direction='backward'"):
        old = m.statistical_complexity("reverse")
    assert old == m.statistical_complexity("backward")
    with pytest.raises(ValueError, match="'forward' or 'backward'"):
        m.statistical_complexity("sideways")
