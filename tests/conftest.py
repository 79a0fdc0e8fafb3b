import os

import numpy as np
import pytest
from hypothesis import settings

# Same examples on every run: a property test that fails, fails again (set
# HYPOTHESIS_PROFILE=explore to search with fresh random examples).
settings.register_profile("deterministic", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))


def random_chain(rng, n, sparsity=0.0):
    """A random dense stochastic matrix with strictly positive diagonal (irreducible, aperiodic)."""
    P = rng.random((n, n))
    if sparsity:
        P[rng.random((n, n)) < sparsity] = 0.0
        P[np.arange(n), (np.arange(n) + 1) % n] += 0.5  # keep a cycle: irreducible
    P[np.arange(n), np.arange(n)] += 0.1
    return P / P.sum(axis=1, keepdims=True)


def driven_cycle(p=0.8):
    """3-state cycle stepping +1 with probability p and -1 with 1 - p (non-reversible for p != 1/2)."""
    q = 1.0 - p
    return np.array([[0.0, p, q], [q, 0.0, p], [p, q, 0.0]])


def reversible_chain(rng, n):
    """P = W / rowsum(W) for a symmetric positive W: reversible with pi proportional to rowsum."""
    W = rng.random((n, n))
    W = W + W.T
    return W / W.sum(axis=1, keepdims=True)


@pytest.fixture
def rng():
    return np.random.default_rng(20261125)


# --------------------------------------------------------------------------------------------
# The long tests, marked `slow` in one place: the inner loop is `pytest -m "not slow"` (about
# a minute); CI runs everything. Long = a Dask cluster, subprocesses killed at random points,
# every gallery scenario end to end, or coverage over hundreds of repeated ensembles.
SLOW_MODULES = {"test_distributed.py", "test_faults.py"}
SLOW_TESTS = {
    "test_gallery_scenario_runs_quick", "test_make_figures_quick_writes_the_listed_figures",
    "test_ctrl_c_saves_the_finished_chunks_marked_incomplete", "test_interval_coverage_over_repeated_ensembles",
    "test_default_intervals_cover_at_30_paths", "test_normal_interval_coverage_well_sampled",
    "test_nsb_posterior_interval_coverage_well_sampled", "test_a_run_and_the_python_api_give_the_same_numbers",
    "test_thread_count_does_not_change_results", "test_identical_across_thread_counts",
    "test_results_do_not_depend_on_thread_count", "test_run_figures_legends_readable_and_off_the_data",
    "test_sparse_chunked_tables_give_the_same_numbers", "test_fuzz_random_documents_only_raise_scenario_error",
    "test_fuzz_mutated_gallery_documents_only_raise_scenario_error", "test_same_seed_same_numbers_any_chunking",
    "test_user_gradient_equals_builtin", "test_lattice_gas_entropy_approaches_uniform_law_value",
    "test_dask_backend_gives_the_local_arrays", "test_plot_redraws_figures_from_saved_results",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SLOW_MODULES or getattr(item, "originalname", item.name) in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
