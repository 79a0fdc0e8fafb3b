"""Numba kernels: ``@njit`` loops only. They know nothing of the Python API above them."""
