"""The contract between a process family and :func:`entropy.simulate`.

``simulate`` is the only place that knows about t0, the two arms, paths, seeds, chunks and
streaming. A process only knows how to

1. draw the t0 state of paths ``first_path .. first_path + n - 1`` from a start
   specification (:meth:`Process._draw_start`, using the ``ARM_START`` stream of each path),
   and
2. advance such initial states by ``steps`` steps of its own dynamics
   (:meth:`Process._run_arm`), writing the recorded observable of every step into a view
   ``out`` of shape ``(n, steps + 1, *record_shape)``; column 0 is the t0 state.

The backward arm is not a second code path: ``simulate`` calls ``_run_arm`` of
``process.reversed()`` (the time-reversed dynamics) on a view of the output whose time axis
runs backwards from t0. Both arms share the t0 state; each arm draws its random numbers from
its own per-path stream (``ARM_FORWARD`` or ``ARM_BACKWARD``), so the length of one arm never
changes the numbers of the other, and nothing depends on the chunking or thread count.
"""

from __future__ import annotations

import abc
import numbers
import copy

import numpy as np

from .._kernels import markov as _mk
from .._kernels.rng import ARM_START
from .._units import check_probability_vector

__all__ = ["Process", "DiscreteProcess"]


class Process(abc.ABC):
    """Base class of all process families usable with :func:`entropy.simulate`.

    Subclasses set:

    ``discrete`` : bool
        True when the recorded observable is an integer symbol ``0 .. n_states - 1``.
    ``record_shape`` : tuple
        Shape of the observable recorded at each time (``()`` for a scalar).
    ``record_dtype`` : numpy dtype
        dtype of the recorded observable.
    ``continuous_time`` : bool
        False (the default) for discrete-time processes: the ensemble's times are the integer
        steps ``-backward .. forward``. True for diffusions, continuous-time jump processes and
        N-body systems: the times are ``k * dt`` (floats), and ``dt`` is required.
        :func:`entropy.simulate` reads this flag.
    ``time_unit`` : str
        The unit of those times, for labels: ``"steps"`` (the default, with
        ``continuous_time=False``) or the model's unit of time (``"time"``) otherwise.

    ``streams_moments`` : bool
        True when a real-valued process may run with ``store=False``: the run then keeps
        per-time means and scatter matrices of its states (diffusions). False (the default)
        for discrete processes (they stream counts) and for real-valued ones whose states are
        not vectors to average.

    Optional hooks read by the run engine (``entropy._engine``): ``min_chunk_paths`` (fewest
    paths per chunk, for processes whose paths are costly), ``ns_per_transition`` (cost of one
    path-step, for the automatic progress bar), and ``_record_names`` /
    ``_run_arm_records`` (extra per-path records such as the entropy production).
    """

    discrete: bool = False
    record_shape: tuple = ()
    continuous_time: bool = False
    time_unit: str = "steps"
    streams_moments: bool = False

    @property
    @abc.abstractmethod
    def record_dtype(self) -> np.dtype:
        """dtype of the recorded observable."""

    @abc.abstractmethod
    def reversed(self) -> "Process":
        """The time-reversed dynamics that runs the backward arm."""

    @abc.abstractmethod
    def _check_start(self, start):
        """Validate a start specification; return a normalised one (raise ValueError naming ``start``)."""

    @abc.abstractmethod
    def _draw_start(self, start, seed: int, first_path: int, n: int) -> np.ndarray:
        """Initial (micro)states of ``n`` paths, shape ``(n, *state_shape)``."""

    @abc.abstractmethod
    def _run_arm(self, init: np.ndarray, seed: int, first_path: int, arm: int, steps: int,
                 out: np.ndarray, dt: float | None = None) -> None:
        """Advance ``init`` by ``steps`` steps, filling ``out[:, 0..steps]`` (may be a reversed view)."""

    def _record_names(self, **requests) -> tuple:
        """Names of the extra per-path, per-time float64 records asked for by ``simulate(**requests)``.

        A process that records nothing extra (the default) rejects every request that is set,
        e.g. ``entropy_production=True``, naming the argument; one that supports a record
        returns its name and fills it in :meth:`_run_arm_records`.
        """
        for name, value in requests.items():
            if value:
                raise ValueError(f"{name}={value!r}: {type(self).__name__} does not record {name.replace('_', ' ')} "
                                 "along paths")
        return ()

    def _run_arm_records(self, init, seed, first_path, arm, steps, out, dt, records, start, base=2) -> None:
        """As :meth:`_run_arm`, also filling ``records[name][:, 0..steps]`` (views, like ``out``).

        ``start`` is the normalised start specification (records may depend on the t0 law),
        ``base`` the logarithm base of entropy-valued records.
        """
        raise NotImplementedError(f"{type(self).__name__} records nothing besides its states")

    def _replace(self, **changes) -> "Process":
        """A shallow copy of this process with the given attributes set (e.g. a reversed view).

        Arrays and caches are shared with ``self`` (not copied); a cached value that the
        changes invalidate must be overwritten or removed by the caller.
        """
        new = copy.copy(self)
        new.__dict__.update(changes)
        return new

    def _check_dt(self, dt):
        """Validate the time step; discrete-time processes accept only ``None`` or 1."""
        if dt is None or dt == 1:
            return None
        raise ValueError(f"dt={dt!r}: {type(self).__name__} is a discrete-time process; leave dt unset")


class DiscreteProcess(Process):
    """A process whose recorded observable takes values ``0 .. n_states - 1``."""

    discrete = True
    record_shape = ()

    @property
    @abc.abstractmethod
    def n_states(self) -> int:
        """Number of values the recorded observable can take."""

    @property
    def record_dtype(self) -> np.dtype:
        return smallest_uint(self.n_states)

    # -- the start of a process whose t0 state is one of its symbols: a state or a law over them --
    def _check_start(self, start):
        """A state ``0 .. n_states - 1`` (every path starts there) or a probability vector over the states."""
        n = self.n_states
        if isinstance(start, (numbers.Integral, np.integer)) and not isinstance(start, bool):
            if not 0 <= int(start) < n:
                raise ValueError(f"start={start!r}: expected a state in 0..{n - 1} or a probability vector of length {n}")
            return int(start)
        try:
            arr = np.asarray(start, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"start={start!r}: expected a state in 0..{n - 1} or a probability vector of length {n}") from None
        if arr.ndim != 1:
            raise ValueError(f"start={start!r}: expected a state in 0..{n - 1} or a probability vector of length {n}")
        return check_probability_vector(arr, "start", size=n)

    def _draw_start(self, start, seed, first_path, n):
        """The t0 states of paths ``first_path ..``: the state, or draws from the law on each path's start stream."""
        out = np.empty(n, np.int64)
        if isinstance(start, int):
            out.fill(start)
            return out
        support = np.flatnonzero(start > 0)
        indptr = np.array([0, support.size], np.int64)
        prob = np.empty(support.size)
        alias = np.empty(support.size, np.int64)
        _mk.build_alias(indptr, start[support], prob, alias)
        cols = support.astype(np.int64)
        _mk.draw_from_table(indptr, cols, prob, cols[alias], np.uint64(seed), first_path, ARM_START, out)
        return out



def smallest_uint(n_states: int) -> np.dtype:
    """Smallest unsigned integer dtype holding values ``0 .. n_states - 1``."""
    for dt in (np.uint8, np.uint16, np.uint32):
        if n_states - 1 <= np.iinfo(dt).max:
            return np.dtype(dt)
    return np.dtype(np.uint64)
