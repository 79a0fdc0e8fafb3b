"""entropy: the two-headed arrow of time.

Simulate processes started from a low-entropy state at t0, forwards and backwards in time,
and measure how their entropy, entropy rate and excess entropy change with |t - t0|.
"""

__version__ = "0.1.0"

from .processes.markov import MarkovChain
from .simulate import Ensemble, EnsembleCounts, InsufficientMemoryError, simulate

__all__ = ["MarkovChain", "simulate", "Ensemble", "EnsembleCounts", "InsufficientMemoryError", "__version__"]
