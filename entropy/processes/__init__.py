"""Process families: validated parameters, reversal and cheap exact properties.

Every class here works with :func:`entropy.simulate`: the forward arm runs the process, the
backward arm runs ``process.reversed()``.
"""

from .base import DiscreteProcess, Process
from .diffusion import BrownianMotion, Langevin, NonFiniteStateError, OrnsteinUhlenbeck
from .ehrenfest import Ehrenfest, boltzmann_entropy, gibbs_entropy, mean_boltzmann_entropy
from .hmm import (
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
from .kac import KacRing, binary_entropy
from .jump import MarkovJumpProcess
from .lattice_gas import LatticeGas
from .markov import MarkovChain

__all__ = [
    "Process", "DiscreteProcess",
    "MarkovChain", "MarkovJumpProcess",
    "BrownianMotion", "OrnsteinUhlenbeck", "Langevin", "NonFiniteStateError",
    "Ehrenfest", "boltzmann_entropy", "gibbs_entropy", "mean_boltzmann_entropy",
    "KacRing", "binary_entropy", "LatticeGas",
    "HiddenMarkovModel", "preset", "PRESETS", "golden_mean", "even", "random_insertion", "biased_coin",
    "period", "alternating_biased_coin", "simple_nonunifilar_source",
]
