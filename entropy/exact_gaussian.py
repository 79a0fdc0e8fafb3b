"""Deprecated location: the Gaussian references live in :mod:`entropy.exact.gaussian` (and :mod:`entropy.exact`)."""

import warnings as _warnings

from .exact.gaussian import *  # noqa: F401,F403
from .exact.gaussian import __all__  # noqa: F401

_warnings.warn("entropy.exact_gaussian is deprecated; import from entropy.exact (or entropy.exact.gaussian)",
               DeprecationWarning, stacklevel=2)
