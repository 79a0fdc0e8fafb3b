"""Two-sided ensembles: :func:`simulate`, the entry point behind ``entropy.simulate``.

::

          backward arm (reversed dynamics)        forward arm (dynamics)
    t:  -B ... -2  -1  [ t0 = 0: low-entropy state ]  1  2 ... F

Every path draws its t0 state from ``start`` and then runs both arms from it, independently
given that state: the forward arm with the process's dynamics, the backward arm with
``process.reversed()`` written into a view of the output whose time axis runs towards the
past. The two arms are the same code path with a direction switch.

:func:`simulate` builds a validated run plan (:func:`entropy._engine.make_plan`, the one
place that validates a run and estimates its memory) and runs it here
(:func:`entropy._engine.run_local`) or hands it to :mod:`entropy.distributed`. The chunk
functions, the ensemble types and the progress logic live in the engine and are re-exported
here under their public names.

The ensemble data protocol
--------------------------
Estimators read an ensemble through :class:`EnsembleData`: its ``kind`` says which arrays it
carries -- ``"states"`` (stored integer symbols: ``times``, ``states``, ``n_states``),
``"values"`` (stored real values: ``times``, ``states`` of float dtype) or ``"counts"``
(streamed: ``times``, ``counts``, ``pair_counts``, ``word_counts``, ``paths``) or
``"moments"`` (a streamed real-valued run, :class:`EnsembleMoments`: ``times``, ``mean``,
``scatter``, ``paths``, and the states at ``sample_times`` in ``samples``). Plain arrays are
accepted by the estimators too (integer: states, float: values).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from . import _engine
from ._engine import (  # noqa: F401  (re-exported public names and old private aliases)
    CHUNK_BYTES,
    ENSEMBLE_KINDS,
    Ensemble,
    EnsembleCounts,
    EnsembleMoments,
    Plan,
    _max_word_length,
    _pairs_from_words,
    count_chunk,
    fill_chunk,
    make_plan,
    run_local,
)
from ._units import check_seed as _check_seed  # noqa: F401  (old private name)
from .distributed import run_plan
from .errors import InsufficientMemoryError, available_memory
from .errors import format_bytes as _fmt_bytes  # noqa: F401
from .processes.base import Process

__all__ = ["simulate", "Ensemble", "EnsembleCounts", "EnsembleMoments", "EnsembleData", "InsufficientMemoryError", "available_memory",
           "fill_chunk", "count_chunk"]


@runtime_checkable
class EnsembleData(Protocol):
    """What estimators may ask of an ensemble (see the module notes).

    Attributes
    ----------
    kind : {"states", "values", "counts", "moments"}
        Stored integer symbols, stored real values, streamed per-time counts, or streamed
        per-time moments of real values.
    times : ndarray
        Times relative to t0, one per column (states) or row (counts).

    ``kind == "states"`` or ``"values"`` also has ``states`` (paths, times[, dim]);
    ``kind == "counts"`` has ``counts`` (times, n_states), ``pair_counts`` (or None),
    ``word_counts`` (or None) and ``paths``.
    """

    kind: str
    times: np.ndarray


def _progress_bar(progress, total, desc):
    """Old private helper (kept for callers): the bar, or None."""
    return _engine.progress_bar(progress, total, desc)[0]


def simulate(
    process: Process,
    start,
    *,
    forward: int = 0,
    backward: int = 0,
    paths: int = 1000,
    seed: int | None = None,
    dt: float | None = None,
    store: bool = True,
    pairs: bool = True,
    word_length: int = 2,
    chunk_size: int | None = None,
    progress=None,
    max_memory: int | None = None,
    client=None,
    stop=None,
    entropy_production: bool = False,
    sample_times=None,
    base=2,
):
    """Simulate a two-sided ensemble started at t0 from ``start``.

    Parameters
    ----------
    process : Process
        E.g. a :class:`entropy.MarkovChain`. The forward arm runs its dynamics, the backward
        arm runs ``process.reversed()``.
    start : int, array_like or process-specific
        The low-entropy state at t0 (a state), or a probability vector from which every path
        draws its t0 state.
    forward, backward : int
        Number of steps after and before t0.
    paths : int
        Number of paths.
    seed : int, optional
        Path ``p`` draws its random numbers from streams derived from ``(seed, p)`` only, so
        results are identical for any thread count and any ``chunk_size``. ``None`` draws a
        fresh seed, recorded in the result.
    dt : float, optional
        Time step of diffusions, and the recording grid t = k dt of continuous-time jump processes
        (discrete-time processes leave it unset).
    store : bool
        True: return an :class:`Ensemble` with all states. False (streaming): return an
        :class:`EnsembleCounts` with per-time counts of ``X_t`` (and of pairs
        ``(X_t, X_{t+1})`` if ``pairs``), accumulated chunk by chunk; memory is bounded by the
        counts and one chunk. For a real-valued process (a diffusion) it returns an
        :class:`EnsembleMoments`: per-time mean and scatter (covariance) of the states, and
        the states at ``sample_times`` only, so 10**7 paths never take paths x times memory
        (local runs only).
    sample_times : sequence of float, optional
        Streamed real-valued runs only: times (relative to t0, multiples of ``dt``) at which
        every path's state is kept, for estimators that need samples (kNN). The Gaussian
        entropy profile reads the moments and needs none.
    word_length : int
        Streaming only: also count words of this many consecutive symbols at every time
        (default 2 = pairs). The per-time estimators need ``history + 1`` symbols for entropy
        rates and ``2 * history`` for the excess entropy. The table has ``n_states ** L``
        columns per time: its size is checked before any work.
    chunk_size : int, optional
        Paths per chunk (default: about 32 MiB of states per chunk).
    progress : bool, None or tqdm-like
        Show a progress bar on stderr (or update the given object) as chunks finish. ``None``
        (the default) shows one only when the run is expected to take more than about two
        seconds (paths x times x a measured cost per transition) and stderr is a terminal or
        a Jupyter notebook: never in CI logs or when stderr is redirected (pass ``True`` to
        force it, ``False`` to silence it).
    max_memory : int, optional
        Bytes the result may take (default: the memory available now). A request beyond it
        raises :class:`InsufficientMemoryError` before any work starts.
    client : dask.distributed.Client or str, optional
        Run the chunks as tasks on a Dask cluster and reduce them there (see
        :mod:`entropy.distributed`); the result is bit-identical to a local run. A string is
        a scheduler address: connect, run, close.
    stop : callable, optional
        Called before each chunk; when it returns True the run ends there and the paths
        finished so far are returned (``extra["complete"]`` is False, ``extra["paths_requested"]``
        the number asked for). Every path depends only on (seed, path index), so they are
        exactly the first paths of the complete run. (Used for a clean Ctrl-C.)
    entropy_production : bool
        Also record, per path and time, the stochastic entropy production from t0 (for
        processes that define it, e.g. :class:`entropy.MarkovJumpProcess`), in units of
        ``base``: stored runs put a (paths, times) array in ``extra["entropy_production"]``;
        streamed runs put per-time sums of it, of its square and of ``base**-it`` in
        ``extra["entropy_production_moments"]`` (added path by path in path order, so they do
        not depend on the chunking either).
    base : float
        Logarithm base of recorded entropies (2 = bits, the default).

    Returns
    -------
    Ensemble, EnsembleCounts or EnsembleMoments

    Raises
    ------
    InsufficientMemoryError
        Before any work, when the result (or the counts) would not fit in ``max_memory``.
    FloatingPointError
        E.g. :class:`entropy.processes.NonFiniteStateError` when a diffusion path leaves the
        finite numbers (it names the path and step). Its ``partial`` attribute holds the
        Ensemble (or EnsembleCounts) of the chunks finished before, marked incomplete.
    """
    plan = make_plan(process, start, forward=forward, backward=backward, paths=paths, seed=seed, dt=dt, store=store,
                     pairs=pairs, word_length=word_length, chunk_size=chunk_size, max_memory=max_memory,
                     entropy_production=entropy_production, base=base, distributed=client is not None,
                     sample_times=sample_times)
    if client is not None:
        return run_plan(plan, client, progress=progress, max_memory=max_memory)
    return run_local(plan, progress=progress, stop=stop)
