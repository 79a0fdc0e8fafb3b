"""The microstate models give the same numbers for any thread count."""

from __future__ import annotations

import numpy as np

from entropy.processes.ehrenfest import Ehrenfest
from entropy.processes.kac import KacRing
from entropy.processes.lattice_gas import LatticeGas
from entropy.simulation import simulate

def test_results_do_not_depend_on_thread_count():
    import numba

    cases = [
        (Ehrenfest(100, micro=True), 60),
        (Ehrenfest(100, lazy=True), 60),
        (KacRing(150, 20, ensemble="markers"), 40),
        (LatticeGas(12, 30, exclusion=True, cells=3), "corner"),
    ]
    before = numba.get_num_threads()
    try:
        runs = []
        for threads in (1, before):
            numba.set_num_threads(threads)
            runs.append([simulate(p, s, forward=12, backward=9, paths=37, seed=6).states for p, s in cases])
    finally:
        numba.set_num_threads(before)
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)
