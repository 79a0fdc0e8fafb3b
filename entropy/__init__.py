"""entropy: the two-headed arrow of time.

Simulate processes started from a low-entropy state at t0, forwards and backwards in time,
and measure how their entropy, entropy rate and excess entropy change with |t - t0|.

>>> import entropy
>>> chain = entropy.MarkovChain([[0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.8, 0.1, 0.1]])
>>> ens = entropy.simulate(chain, 0, forward=20, backward=20, paths=10_000, seed=1)
>>> H = entropy.estimators.entropy_profile(ens)      # H(t) in bits, both arms
"""

__version__ = "0.1.0"

from . import estimators, exact, fluctuations, nbody
from .fluctuations import fluctuation_aligned, stationary_run
from .processes import (
    BrownianMotion,
    Ehrenfest,
    HiddenMarkovModel,
    KacRing,
    Langevin,
    LatticeGas,
    MarkovChain,
    MarkovJumpProcess,
    NBody,
    NonFiniteStateError,
    OrnsteinUhlenbeck,
)
from .results import RunResult, load_result, save_result
from .runs import run_scenario
from .scenario import ScenarioError, load_scenario
from .simulation import Ensemble, EnsembleCounts, EnsembleMoments, InsufficientMemoryError, simulate

__all__ = [
    "__version__",
    "MarkovChain", "MarkovJumpProcess", "HiddenMarkovModel", "Ehrenfest", "KacRing", "LatticeGas",
    "BrownianMotion", "OrnsteinUhlenbeck", "Langevin", "NonFiniteStateError", "NBody",
    "simulate", "Ensemble", "EnsembleCounts", "EnsembleMoments", "InsufficientMemoryError",
    "fluctuation_aligned", "stationary_run",
    "load_scenario", "ScenarioError", "run_scenario", "load_result", "save_result", "RunResult",
    "estimators", "exact", "fluctuations", "nbody",
]
