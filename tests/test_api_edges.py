"""Issue 11, API edges and the memory preflight: errors name the argument and the sizes."""

import importlib
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import entropy
from entropy.preflight import check_memory, memory_estimate
from entropy.scenario import parse_scenario

simulate_module = importlib.import_module("entropy.simulation")

RING = """
[process]
kind = "cycle"
states = 5
p_forward = 0.6
p_backward = 0.3
[start]
state = 0
[time]
forward = 100
backward = 100
[ensemble]
paths = 1_500_000
seed = 1
"""


@pytest.mark.parametrize("P", [np.eye(2) + 0j, [[1 + 0j, 0], [0, 1]], sp.csr_matrix(np.eye(2) + 0j)],
                         ids=["ndarray", "list", "sparse"])
def test_markov_chain_refuses_complex_input(P):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ComplexWarning and silent truncation
        with pytest.raises(TypeError, match=r"^P: expected real transition probabilities, got complex"):
            entropy.MarkovChain(P)


@pytest.mark.parametrize("L", [1000, 10**9, 32])
def test_word_length_beyond_int64_codes_names_the_argument_and_the_limit(L):
    chain = entropy.MarkovChain(np.full((4, 4), 0.25))
    with pytest.raises(ValueError, match=rf"^word_length={L}: .* expected at most 31 for 4 states"):
        entropy.simulate(chain, 0, forward=10, paths=10, store=False, word_length=L)


def test_the_memory_estimate_covers_the_estimation_peak():
    """1.5M paths x 201 times, history 2 (stored): states 301 MB, but the rate estimators' int64
    word codes took the peak to 3.1 GB (measured); the estimate must cover both."""
    sc = parse_scenario(RING.replace("seed = 1", "seed = 1\nstore = true") + "[estimate]\nhistory = 2\n")
    m = memory_estimate(sc)
    cells = 1_500_000 * 201
    assert m["need"] >= cells * (1 + 8)  # uint8 states + int64 codes per path and time
    with pytest.raises(entropy.InsufficientMemoryError) as e:
        check_memory(sc, available=2 * 2**30)
    msg = str(e.value)
    assert "needs about" in msg and "2.0 GiB is available" in msg and "int64 word codes" in msg
    assert "set ensemble.store = false" in msg  # streamed words of 3 states serve history 2 (issue 16)
    streamed = parse_scenario(RING.replace("seed = 1", "seed = 1\nstore = false") + "[estimate]\nhistory = 2\n")
    check_memory(streamed, available=2 * 2**30)  # that advice works too
    fit = int(msg.split("reduce ensemble.paths to at most ")[1].split()[0].replace(",", ""))
    smaller = parse_scenario(RING.replace("seed = 1", "seed = 1\nstore = true").replace("1_500_000", str(fit))
                             + "[estimate]\nhistory = 2\n")
    check_memory(smaller, available=2 * 2**30)  # the advice works
    bigger = parse_scenario(RING.replace("seed = 1", "seed = 1\nstore = true").replace("1_500_000", str(fit + 1000))
                            + "[estimate]\nhistory = 2\n")
    with pytest.raises(entropy.InsufficientMemoryError):
        check_memory(bigger, available=2 * 2**30)


def test_store_false_is_advised_only_where_streaming_serves_the_analysis():
    sc = parse_scenario(RING.replace("seed = 1", "seed = 1\nstore = true"))  # history 1: pairs serve everything
    with pytest.raises(entropy.InsufficientMemoryError, match=r"set ensemble.store = false \(streamed per-time "
                                                              r"counts need about"):
        check_memory(sc, available=2**30)
    check_memory(parse_scenario(RING.replace("seed = 1", "seed = 1\nstore = false")), available=2**30)


def test_simulate_advises_store_false_only_for_discrete_processes():
    ou = entropy.OrnsteinUhlenbeck(1.0)
    with pytest.raises(entropy.InsufficientMemoryError) as e:
        entropy.simulate(ou, 0.0, forward=10, paths=10**6, dt=0.1, max_memory=1000)
    assert "store=False" not in str(e.value)
    chain = entropy.MarkovChain(np.full((4, 4), 0.25))
    with pytest.raises(entropy.InsufficientMemoryError, match="store=False"):
        entropy.simulate(chain, 0, forward=10, paths=10**6, max_memory=1000)


def test_available_memory_honours_an_address_space_limit(monkeypatch):
    import resource

    monkeypatch.setattr(resource, "getrlimit", lambda which: (4 * 2**30, resource.RLIM_INFINITY)
                        if which == resource.RLIMIT_AS else (resource.RLIM_INFINITY,) * 2)
    assert simulate_module.available_memory() < 4 * 2**30
