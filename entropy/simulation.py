"""Two-sided ensembles: the one place that knows about t0, the arms, paths, seeds and chunks.

::

          backward arm (reversed dynamics)        forward arm (dynamics)
    t:  -B ... -2  -1  [ t0 = 0: low-entropy state ]  1  2 ... F

Every path draws its t0 state from ``start`` and then runs both arms from it, independently
given that state: the forward arm with the process's dynamics, the backward arm with
``process.reversed()`` written into a view of the output whose time axis runs towards the
past. The two arms are the same code path with a direction switch.
"""

from __future__ import annotations

import math
import numbers
import sys
from dataclasses import dataclass, field

import numpy as np

from ._kernels import counting as _count
from ._kernels.jump import accumulate_moments as _acc_moments
from ._kernels.markov import LANES
from ._kernels.rng import ARM_BACKWARD, ARM_FORWARD
from ._units import check_base, check_positive_int, unit_name
from .errors import InsufficientMemoryError, available_memory
from .errors import format_bytes as _fmt_bytes
from .processes.base import Process

__all__ = ["simulate", "Ensemble", "EnsembleCounts", "InsufficientMemoryError", "available_memory", "fill_chunk",
           "count_chunk"]

#: Default size of one chunk of stored states (bytes); chunks bound the scratch memory of
#: streaming runs and set the granularity of progress reports.
CHUNK_BYTES = 32 * 2**20


@dataclass(frozen=True, eq=False)
class Ensemble:
    """Stored two-sided ensemble.

    Attributes
    ----------
    times : ndarray
        Times relative to t0, from ``-backward`` to ``+forward`` (integers for discrete-time
        processes, multiples of ``dt`` for diffusions).
    states : ndarray, shape (paths, len(times), *record_shape)
        Recorded states; ``states[:, t0_index]`` is the t0 state.
    seed : int
        The seed that reproduces this ensemble.
    process, start, dt
        What was simulated.
    """

    times: np.ndarray
    states: np.ndarray
    seed: int
    process: Process | None = None
    start: object = None
    dt: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def paths(self) -> int:
        return self.states.shape[0]

    @property
    def t0_index(self) -> int:
        return int(np.flatnonzero(self.times == 0)[0])

    @property
    def backward(self) -> int:
        return self.t0_index

    @property
    def forward(self) -> int:
        return len(self.times) - 1 - self.t0_index

    @property
    def n_states(self) -> int | None:
        return getattr(self.process, "n_states", None)

    def arm(self, which: str) -> np.ndarray:
        """States of one arm read away from t0: column s is |t - t0| = s (a view)."""
        i = self.t0_index
        if which == "forward":
            return self.states[:, i:]
        if which == "backward":
            return self.states[:, i::-1]
        raise ValueError(f"which={which!r}: expected 'forward' or 'backward'")

    def at(self, t) -> np.ndarray:
        """States of all paths at time ``t`` (relative to t0)."""
        idx = np.flatnonzero(np.isclose(self.times, t))
        if idx.size == 0:
            raise KeyError(f"t={t!r} is not among the ensemble's times")
        return self.states[:, idx[0]]

    def __repr__(self):
        return (
            f"Ensemble({self.paths} paths, times {self.times[0]}..{self.times[-1]}, "
            f"states {self.states.dtype} {_fmt_bytes(self.states.nbytes)}, seed={self.seed})"
        )


@dataclass(frozen=True, eq=False)
class EnsembleCounts:
    """Per-time counts of a streamed two-sided ensemble (no paths stored).

    Attributes
    ----------
    times : ndarray of int
        Times relative to t0.
    counts : ndarray of int64, shape (len(times), n_states)
        ``counts[i, x]`` = number of paths with ``X_{times[i]} = x``.
    pair_counts : ndarray of int64, shape (len(times) - 1, n_states, n_states) or None
        ``pair_counts[i, x, y]`` = number of paths with ``X_{times[i]} = x`` and
        ``X_{times[i] + 1} = y``.
    word_counts : ndarray of int64, shape (len(times) - L + 1, n_states ** L) or None
        With ``word_length=L > 2``: counts of the words ``X_{times[i]} .. X_{times[i] + L - 1}``
        (mixed-radix code, first symbol most significant). ``pair_counts`` is then derived
        from them.
    paths, seed, process, start
        What was simulated.
    """

    times: np.ndarray
    counts: np.ndarray
    pair_counts: np.ndarray | None
    paths: int
    seed: int
    process: Process | None = None
    start: object = None
    extra: dict = field(default_factory=dict)
    word_counts: np.ndarray | None = None

    @property
    def n_states(self) -> int:
        return self.counts.shape[1]

    def __repr__(self):
        return (
            f"EnsembleCounts({self.paths} paths, times {self.times[0]}..{self.times[-1]}, "
            f"{self.n_states} states, pairs={'yes' if self.pair_counts is not None else 'no'}, seed={self.seed})"
        )


def _check_seed(seed) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy % (2**63))
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= int(seed) < 2**64:
        raise ValueError(f"seed={seed!r}: expected an integer in [0, 2**64) or None")
    return int(seed)


def _progress_bar(progress, total, desc):
    if progress is None or progress is False:
        return None
    if progress is True:
        from tqdm.auto import tqdm

        return tqdm(total=total, unit="path", desc=desc, file=sys.stderr, leave=False, dynamic_ncols=True)
    if hasattr(progress, "update"):
        return progress
    raise ValueError(f"progress={progress!r}: expected True, False or a tqdm-like object with update()")


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
    progress=False,
    max_memory: int | None = None,
    client=None,
    stop=None,
    entropy_production: bool = False,
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
        counts and one chunk.
    word_length : int
        Streaming only: also count words of this many consecutive symbols at every time
        (default 2 = pairs). The per-time estimators need ``history + 1`` symbols for entropy
        rates and ``2 * history`` for the excess entropy. The table has ``n_states ** L``
        columns per time: its size is checked before any work.
    chunk_size : int, optional
        Paths per chunk (default: about 32 MiB of states per chunk).
    progress : bool or tqdm-like
        Show a progress bar on stderr (or update the given object) as chunks finish.
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
    Ensemble or EnsembleCounts

    Raises
    ------
    InsufficientMemoryError
        Before any work, when the result (or the counts) would not fit in ``max_memory``.
    FloatingPointError
        E.g. :class:`entropy.processes.NonFiniteStateError` when a diffusion path leaves the
        finite numbers (it names the path and step). Its ``partial`` attribute holds the
        Ensemble (or EnsembleCounts) of the chunks finished before, marked incomplete.
    """
    if not isinstance(process, Process):
        raise ValueError(f"process: expected an entropy process (e.g. entropy.MarkovChain), got {type(process).__name__}")
    forward = check_positive_int(forward, "forward", minimum=0)
    backward = check_positive_int(backward, "backward", minimum=0)
    paths = check_positive_int(paths, "paths")
    seed = _check_seed(seed)
    dt = process._check_dt(dt)
    start = process._check_start(start)
    records = process._record_names(entropy_production=entropy_production)
    base = check_base(base)
    if records and client is not None:
        raise ValueError(f"entropy_production={entropy_production!r}: not available on a Dask cluster (client=) yet")
    T = forward + backward + 1
    rec_shape = tuple(process.record_shape)
    itemsize = process.record_dtype.itemsize * int(np.prod(rec_shape, dtype=np.int64)) + 8 * len(records)
    row_bytes = T * itemsize
    if chunk_size is None:
        # a process whose paths are costly (e.g. NBody) may lower the minimum of 1024 paths per chunk
        chunk_size = max(getattr(process, "min_chunk_paths", LANES * 64), CHUNK_BYTES // max(row_bytes, 1))
        chunk_size = -(-chunk_size // LANES) * LANES
    chunk_size = min(check_positive_int(chunk_size, "chunk_size"), paths)
    if max_memory is None:
        max_memory = available_memory()

    if store:
        need = paths * row_bytes
        what = f"storing {paths} paths x {T} times"
    else:
        if not process.discrete:
            raise ValueError(
                f"store=False: streaming accumulates counts of discrete states, but {type(process).__name__} "
                "records continuous values; use store=True"
            )
        n = process.n_states
        L = check_positive_int(word_length, "word_length", minimum=2)
        Lmax = _max_word_length(n)
        if L > Lmax:
            raise ValueError(f"word_length={word_length!r}: words of {L} symbols over {n} states have {n}**{L} "
                             f"codes, beyond int64; expected at most {Lmax} for {n} states")
        if L > T:
            raise ValueError(f"word_length={word_length!r}: longer than the {T} times simulated")
        if L > 2 and not pairs:
            raise ValueError(f"word_length={word_length!r}: needs pairs=True")
        if L > 2 and client is not None:
            raise ValueError(f"word_length={word_length!r}: distributed runs stream pairs only (word_length=2)")
        need = T * n * 8 + (T - 1) * n * n * 8 * bool(pairs) + chunk_size * row_bytes
        if L > 2:
            need += (T - L + 1) * float(n) ** L * 8
        what = (f"per-time counts of {n} states"
                + (f" and words of {L} states" if L > 2 else " and state pairs" if pairs else "") + f" at {T} times")
    if need > max_memory:
        raise InsufficientMemoryError(
            f"simulate: {what} needs {_fmt_bytes(need)}, but only {_fmt_bytes(max_memory)} is available"
            + ("; pass fewer paths or times" + (", or store=False to accumulate per-time counts (they serve "
                                                "history 1; word_length=L serves history L - 1)"
                                                if process.discrete else "") if store
               else "; use fewer times, pairs=False, or a coarser observable")
        )

    if process.continuous_time:
        times = np.arange(-backward, forward + 1, dtype=float) * dt
    else:
        times = np.arange(-backward, forward + 1, dtype=np.int64)

    if client is not None:
        from .distributed import simulate_distributed

        return simulate_distributed(
            process, start, client=client, times=times, forward=forward, backward=backward, paths=paths,
            seed=seed, dt=dt, store=store, pairs=pairs, chunk_size=chunk_size, progress=progress,
            max_memory=max_memory,
        )

    bar = _progress_bar(progress, paths, type(process).__name__)
    done = 0

    def chunks():  # (c0, c1) until done, or until stop() asks to end after a whole chunk
        nonlocal done
        for c0 in range(0, paths, chunk_size):
            if stop is not None and stop():
                return
            c1 = min(paths, c0 + chunk_size)
            yield c0, c1
            done = c1
            if bar is not None:
                bar.update(c1 - c0)

    try:
        if store:
            states = np.empty((paths, T) + rec_shape, dtype=process.record_dtype)
            rec = {name: np.empty((paths, T)) for name in records}

            def stored():
                extra = _completion(done, paths)
                extra.update({name: a[:done] for name, a in rec.items()})
                extra.update({f"{name}_unit": unit_name(base) for name in rec})
                return Ensemble(times=times, states=states[:done], seed=seed, process=process, start=start, dt=dt,
                                extra=extra)

            try:
                for c0, c1 in chunks():
                    fill_chunk(process, start, seed, c0, states[c0:c1], forward, backward, dt,
                               records={name: a[c0:c1] for name, a in rec.items()}, base=base)
            except FloatingPointError as exc:  # e.g. NonFiniteStateError: keep the chunks finished
                exc.partial = stored()
                raise
            return stored()

        n = process.n_states
        counts = np.zeros((T, n), np.int64)
        pc = np.zeros((T - 1, n, n), np.int64) if pairs and L == 2 else None
        wc = np.zeros((T - L + 1, n**L), np.int64) if L > 2 else None
        buf = np.empty((T, chunk_size) + rec_shape, dtype=process.record_dtype)  # time-major scratch
        rec_buf = {name: np.empty((T, chunk_size)) for name in records}
        moments = {name: np.zeros((T, 3)) for name in records}

        def streamed():
            pairs_ = _pairs_from_words(wc, n, L, T) if wc is not None else pc
            extra = _completion(done, paths)
            extra.update({f"{name}_moments": {"sum": m[:, 0].copy(), "sum_sq": m[:, 1].copy(),
                                              "sum_exp_neg": m[:, 2].copy(), "paths": done, "unit": unit_name(base)}
                          for name, m in moments.items()})
            return EnsembleCounts(times=times, counts=counts, pair_counts=pairs_, paths=done, seed=seed,
                                  process=process, start=start, word_counts=wc, extra=extra)

        try:
            for c0, c1 in chunks():  # a chunk is counted only once it has been simulated whole
                count_chunk(process, start, seed, c0, c1 - c0, forward, backward, dt, counts, pc, buf,
                            pairs=pc is not None, word_counts=wc, word_length=L, records=rec_buf, moments=moments,
                            base=base)
        except FloatingPointError as exc:
            exc.partial = streamed()
            raise
        return streamed()
    finally:
        if bar is not None and progress is True:
            bar.close()



def _max_word_length(n: int) -> int:
    """Longest word whose mixed-radix code over ``n`` symbols fits in int64 (n**L < 2**63)."""
    if n <= 1:
        return 2**62
    L = 1
    while n ** (L + 1) < 2**63:
        L += 1
    return L


def _completion(done, requested) -> dict:
    return {} if done == requested else {"complete": False, "paths_requested": int(requested)}


def fill_chunk(process, start, seed, first_path, out, forward, backward, dt=None, records=None, base=2) -> None:
    """Simulate paths ``first_path .. first_path + len(out) - 1`` of a two-sided ensemble into ``out``.

    ``out`` has shape ``(n, backward + 1 + forward, *record_shape)``; column ``backward`` is
    t0. The forward arm runs ``process``, the backward arm ``process.reversed()`` written into
    a view whose time axis runs towards the past: one code path, a direction switch. Each
    path's numbers depend only on ``(seed, global path index)``, so any split of the paths
    into chunks (local or on a cluster) gives the same ensemble.

    ``records`` (optional) maps the names of extra per-path records (see
    ``Process._record_names``) to arrays of shape ``(n, backward + 1 + forward)`` that the
    process fills along with the states, on both arms (views in the same direction as ``out``).
    """
    n = out.shape[0]
    init = process._draw_start(start, seed, first_path, n)
    for proc, arm, steps, view in ((process, ARM_FORWARD, forward, np.s_[:, backward:]),
                                   (process.reversed() if backward > 0 else None, ARM_BACKWARD, backward,
                                    np.s_[:, backward::-1])):
        if proc is None:
            continue
        if records:
            proc._run_arm_records(init, seed, first_path, arm, steps, out[view], dt,
                                  {name: a[view] for name, a in records.items()}, start, base)
        else:
            proc._run_arm(init, seed, first_path, arm, steps, out[view], dt)


def count_chunk(process, start, seed, first_path, n, forward, backward, dt=None, counts=None, pair_counts=None,
                buf=None, pairs=True, word_counts=None, word_length=2, records=None, moments=None, base=2):
    """Simulate ``n`` paths from ``first_path`` and add their per-time counts (streaming mode).

    ``counts`` (times x states) and ``pair_counts`` (times-1 x states x states) are added to
    in place (allocated when None; ``pair_counts`` only if ``pairs``). Returns
    ``(counts, pair_counts)``. Integer counts add exactly, so chunk results can be reduced in
    any order. ``word_counts`` (times - L + 1 x states ** L), when given, is added to with the
    counts of words of ``word_length`` symbols.

    ``buf`` is optional time-major scratch of shape (times, >= n): the paths are written
    time-major so that counting reads each time's states contiguously and keeps that time's
    row of the pair (or word) table in cache.

    ``records`` (optional) maps extra record names to time-major scratch of shape
    (times, >= n); ``moments[name]`` (times x 3) is then added to with the per-time sums of
    the record, of its square and of ``base**-record``, path by path in path order.
    """
    T = forward + backward + 1
    k = process.n_states
    if counts is None:
        counts = np.zeros((T, k), np.int64)
    if pair_counts is None and pairs:
        pair_counts = np.zeros((T - 1, k, k), np.int64)
    if buf is None or buf.shape[0] != T or buf.shape[1] < n:
        buf = np.empty((T, n) + tuple(process.record_shape), dtype=process.record_dtype)
    tm = buf[:, :n]
    rec = {name: a[:, :n] for name, a in (records or {}).items()}
    fill_chunk(process, start, seed, first_path, tm.swapaxes(0, 1), forward, backward, dt,
               records={name: a.swapaxes(0, 1) for name, a in rec.items()}, base=base)
    for name, a in rec.items():
        _acc_moments(a, math.log(base), moments[name])
    _count.count_time_major(tm, counts, pair_counts if T > 1 else None)
    if word_counts is not None:
        _count.count_words_time_major(tm, k, word_length, word_counts)
    return counts, pair_counts


def _pairs_from_words(wc, n, L, T):
    """Pair counts at every time, marginalised from the L-word counts (any pair lies in some word)."""
    pc = np.zeros((T - 1, n, n), np.int64)
    rows = wc.shape[0]
    for t in range(T - 1):
        s0 = min(t, rows - 1)
        _count.marginal_counts(wc[s0], n, L, t - s0, 2, pc[t].reshape(-1))
    return pc
