"""The run engine shared by the local runner and the Dask runner.

One validated :class:`Plan` (process, start, arms, paths, seed, dt, what to keep, chunking and
the memory estimate) is built by :func:`make_plan` -- the only place that validates a run and
estimates its memory. :func:`run_local` runs a plan in this process chunk by chunk;
:mod:`entropy.distributed` runs the same plan's chunks as Dask tasks with the same chunk
functions :func:`fill_chunk` and :func:`count_chunk`, so both give the same numbers bit for bit.
Progress reporting (:func:`progress_bar`, with the automatic decision :func:`want_progress`)
lives here too.

Layering: this module imports ``processes`` and ``_kernels`` only; ``entropy.simulation``
(the :func:`entropy.simulate` function) and ``entropy.distributed`` import it, never the
reverse.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass, field

import numpy as np

from ._kernels import counting as _count
from ._kernels.jump import accumulate_moments as _acc_moments
from ._kernels.markov import LANES
from ._kernels.moments import accumulate_scatter as _acc_scatter
from ._kernels.rng import ARM_BACKWARD, ARM_FORWARD
from ._units import check_base, check_positive_int, check_seed, unit_name
from .errors import InsufficientMemoryError, available_memory
from .errors import format_bytes as _fmt_bytes
from .processes.base import Process

__all__ = ["Plan", "make_plan", "run_local", "fill_chunk", "count_chunk", "progress_bar", "want_progress",
           "expected_seconds", "Ensemble", "EnsembleCounts", "EnsembleMoments", "ENSEMBLE_KINDS", "CHUNK_BYTES"]

#: Default size of one chunk of stored states (bytes); chunks bound the scratch memory of
#: streaming runs and set the granularity of progress reports.
CHUNK_BYTES = 32 * 2**20

#: Rough cost of one simulated transition (one path, one time step) of a Markov chain, in
#: nanoseconds, for the automatic progress bar only: 2.0-2.6 on 2 quiet threads
#: (docs/design.md, "Streaming"), 18 streamed / 26 stored for a 3-state chain on the shared,
#: loaded 2-core development machine, about 10 for the README's 10**7-path streaming line
#: (2 x 10**10 transitions in 3-4 minutes, issue 16). An order of magnitude is all the
#: decision needs. A process whose steps cost more sets ``ns_per_transition`` itself.
NS_PER_TRANSITION = 10.0

#: With ``progress=None`` a bar is shown for runs expected to take longer than this (seconds).
AUTO_PROGRESS_SECONDS = 2.0

#: Values of the ``kind`` attribute of the ensemble types (the ensemble data protocol).
ENSEMBLE_KINDS = ("states", "values", "counts", "moments")


# -- the ensemble types ---------------------------------------------------------------------


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
    kind : str
        The ensemble data protocol (see :class:`entropy.simulation.EnsembleData`): ``"states"``
        for integer symbols, ``"values"`` for real values (a continuous process).
    """

    times: np.ndarray
    states: np.ndarray
    seed: int
    process: Process | None = None
    start: object = None
    dt: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def kind(self) -> str:
        if self.process is not None:
            return "states" if self.process.discrete else "values"
        return "values" if np.issubdtype(self.states.dtype, np.floating) else "states"

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
    kind : str
        Always ``"counts"`` (the ensemble data protocol, :class:`entropy.simulation.EnsembleData`).
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

    kind = "counts"

    @property
    def n_states(self) -> int:
        return self.counts.shape[1]

    @property
    def word_length(self) -> int:
        """Longest word counted: L of ``word_counts``, 2 with pair counts only, 1 without."""
        if self.word_counts is not None:
            return len(self.times) - self.word_counts.shape[0] + 1
        return 2 if self.pair_counts is not None else 1

    def __repr__(self):
        return (
            f"EnsembleCounts({self.paths} paths, times {self.times[0]}..{self.times[-1]}, "
            f"{self.n_states} states, pairs={'yes' if self.pair_counts is not None else 'no'}, seed={self.seed})"
        )


@dataclass(frozen=True, eq=False)
class EnsembleMoments:
    r"""Per-time moments of a streamed real-valued ensemble (a diffusion run with ``store=False``).

    No paths x times array is kept: per time, the mean and the scatter matrix of the states
    over the paths, and the states of every path at a few chosen ``sample_times`` only.

    Attributes
    ----------
    times : ndarray of float
        Times relative to t0.
    mean : ndarray, shape (len(times), dim)
        :math:`\bar x_t = \frac1M \sum_p x_{p,t}`.
    scatter : ndarray, shape (len(times), dim, dim)
        :math:`A_t = \sum_p (x_{p,t} - \bar x_t)(x_{p,t} - \bar x_t)^T`; the sample
        covariance is ``A_t / (M - 1)`` (:attr:`covariance`). Sums are taken path by path in
        path order (shifted by path 0's state), so they do not depend on the chunking.
    sample_times : ndarray
        The times at which every path's state was kept (empty when none were asked for).
    samples : ndarray, shape (paths, len(sample_times), *record_shape)
        Those states.
    paths, seed, process, start, dt
        What was simulated.
    kind : str
        Always ``"moments"`` (the ensemble data protocol).
    """

    times: np.ndarray
    mean: np.ndarray
    scatter: np.ndarray
    sample_times: np.ndarray
    samples: np.ndarray
    paths: int
    seed: int
    process: Process | None = None
    start: object = None
    dt: float | None = None
    extra: dict = field(default_factory=dict)

    kind = "moments"

    @property
    def dim(self) -> int:
        return self.mean.shape[1]

    @property
    def covariance(self) -> np.ndarray:
        """Unbiased sample covariance per time, ``scatter / (paths - 1)``."""
        return self.scatter / max(self.paths - 1, 1)

    def __repr__(self):
        return (f"EnsembleMoments({self.paths} paths, times {self.times[0]}..{self.times[-1]}, dim {self.dim}, "
                f"{len(self.sample_times)} sample times, seed={self.seed})")


# -- the plan ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Plan:
    """A validated two-sided run: what to simulate, what to keep, how to cut it into chunks.

    Built by :func:`make_plan` (which validates every field and checks the memory); run by
    :func:`run_local` or by :mod:`entropy.distributed`. ``row_bytes`` is what one path takes
    (states and records at all times), ``result_bytes`` what the result takes (the stored
    states, or the count tables), ``need`` what a local run allocates (the result, plus one
    chunk of scratch when streaming).
    """

    process: Process
    start: object
    forward: int
    backward: int
    paths: int
    seed: int
    dt: float | None
    store: bool
    pairs: bool
    word_length: int
    records: tuple
    base: float
    chunk_size: int
    times: np.ndarray
    row_bytes: int
    result_bytes: float
    need: float
    what: str
    sample_index: tuple = ()

    @property
    def n_times(self) -> int:
        return self.forward + self.backward + 1

    @property
    def row_shape(self) -> tuple:
        return (self.n_times,) + tuple(self.process.record_shape)

    def ranges(self, chunk_size: int | None = None) -> list:
        """``(first, end)`` path ranges of the chunks."""
        cs = self.chunk_size if chunk_size is None else chunk_size
        return [(c0, min(self.paths, c0 + cs)) for c0 in range(0, self.paths, cs)]

    def expected_seconds(self) -> float:
        """Rough single-core run time (for the automatic progress bar)."""
        return expected_seconds(self.process, self.paths, self.n_times)


def make_plan(process, start, *, forward=0, backward=0, paths=1000, seed=None, dt=None, store=True, pairs=True,
              word_length=2, chunk_size=None, max_memory=None, entropy_production=False, base=2,
              distributed=False, sample_times=None) -> Plan:
    """Validate a run (every argument named in its error) and check its memory, before any work.

    The arguments are those of :func:`entropy.simulate`; ``distributed=True`` also refuses
    what a Dask run cannot do yet (extra records, words longer than pairs).

    Raises
    ------
    ValueError
        For a bad argument, naming it, its value and what was expected.
    InsufficientMemoryError
        When the run needs more than ``max_memory`` bytes (default: the memory available now).
    """
    if not isinstance(process, Process):
        raise ValueError(f"process: expected an entropy process (e.g. entropy.MarkovChain), got {type(process).__name__}")
    forward = check_positive_int(forward, "forward", minimum=0)
    backward = check_positive_int(backward, "backward", minimum=0)
    paths = check_positive_int(paths, "paths")
    seed = check_seed(seed)
    dt = process._check_dt(dt)
    start = process._check_start(start)
    records = tuple(process._record_names(entropy_production=entropy_production))
    base = check_base(base)
    if records and distributed:
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

    if process.continuous_time:
        times = np.arange(-backward, forward + 1, dtype=float) * dt
    else:
        times = np.arange(-backward, forward + 1, dtype=np.int64)
    L = 2
    sample_index = ()
    if sample_times is not None and (store or process.discrete):
        raise ValueError(f"sample_times={sample_times!r}: only for streamed real-valued runs (store=False with a "
                         "diffusion); stored runs keep every time")
    if store:
        result = need = paths * row_bytes
        what = f"storing {paths} paths x {T} times"
    elif not process.discrete:
        if not getattr(process, "streams_moments", False):
            raise ValueError(
                f"store=False: streaming accumulates counts of discrete states (or moments of a diffusion's "
                f"states), but {type(process).__name__} records other real values; use store=True"
            )
        if records or distributed or not np.issubdtype(process.record_dtype, np.floating):
            raise ValueError(
                f"store=False: {type(process).__name__} records real values, which stream as per-time moments "
                "on this machine only (no client=, no extra records); use store=True"
            )
        sample_index = _sample_index(sample_times, times)
        d = int(np.prod(rec_shape, dtype=np.int64))
        result = T * d * 8 * (1 + d) + len(sample_index) * paths * itemsize
        need = result + chunk_size * row_bytes
        what = (f"per-time moments of {d} coordinates at {T} times"
                + (f" and {paths} paths x {len(sample_index)} sample times" if sample_index else ""))
    else:
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
        if L > 2 and distributed:
            raise ValueError(f"word_length={word_length!r}: distributed runs stream pairs only (word_length=2)")
        result = T * n * 8 + (T - 1) * n * n * 8 * bool(pairs)
        if L > 2:
            result += (T - L + 1) * float(n) ** L * 8
        need = result + chunk_size * row_bytes
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
    return Plan(process=process, start=start, forward=forward, backward=backward, paths=paths, seed=seed, dt=dt,
                store=bool(store), pairs=bool(pairs), word_length=L, records=records, base=base,
                chunk_size=chunk_size, times=times, row_bytes=row_bytes, result_bytes=result, need=need, what=what,
                sample_index=sample_index)


def _sample_index(sample_times, times) -> tuple:
    """Indices into ``times`` of the requested sample times (each must be one of them)."""
    if sample_times is None:
        return ()
    st = np.atleast_1d(np.asarray(sample_times, dtype=float))
    if st.ndim != 1 or not np.all(np.isfinite(st)):
        raise ValueError(f"sample_times={sample_times!r}: expected a 1-D sequence of finite times")
    idx = []
    for s in st:
        hit = np.flatnonzero(np.isclose(times, s, rtol=0, atol=1e-9 * max(1.0, abs(s))))
        if hit.size == 0:
            raise ValueError(f"sample_times={sample_times!r}: {s:g} is not among the simulated times "
                             f"{times[0]:g} .. {times[-1]:g} (multiples of dt)")
        idx.append(int(hit[0]))
    return tuple(sorted(set(idx)))


def _max_word_length(n: int) -> int:
    """Longest word whose mixed-radix code over ``n`` symbols fits in int64 (n**L < 2**63)."""
    if n <= 1:
        return 2**62
    L = 1
    while n ** (L + 1) < 2**63:
        L += 1
    return L


# -- progress ---------------------------------------------------------------------------------


def expected_seconds(process, paths: int, n_times: int) -> float:
    """Rough single-core time of ``paths`` paths of ``n_times`` times: paths x times x the
    process's ``ns_per_transition`` (default :data:`NS_PER_TRANSITION`)."""
    ns = getattr(process, "ns_per_transition", NS_PER_TRANSITION)
    return float(paths) * float(n_times) * float(ns) * 1e-9


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (IPython's ZMQ shell); never imports IPython itself."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:
        return False
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def want_progress(seconds: float, stream=None, *, environ=None) -> bool:
    """Whether ``progress=None`` shows a bar: the run is expected to take more than
    :data:`AUTO_PROGRESS_SECONDS` AND someone is watching -- ``stream`` (default ``sys.stderr``)
    is a terminal, or we run in a Jupyter notebook. Never in CI (the ``CI`` environment
    variable is set) or when stderr is redirected to a file or pipe."""
    if not seconds > AUTO_PROGRESS_SECONDS:
        return False
    env = os.environ if environ is None else environ
    if env.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    if _in_notebook():
        return True
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


def progress_bar(progress, total, desc, seconds=0.0):
    """``(bar, owned)``: the progress object to update by paths (or None), and whether we made it
    (and so must close it). ``progress=None`` decides with :func:`want_progress` from the
    expected ``seconds``."""
    if progress is None:
        progress = want_progress(seconds)
    if progress is False:
        return None, False
    if progress is True:
        from tqdm.auto import tqdm

        return tqdm(total=total, unit="path", desc=desc, file=sys.stderr, leave=False, dynamic_ncols=True), True
    if hasattr(progress, "update"):
        return progress, False
    raise ValueError(f"progress={progress!r}: expected True, False or a tqdm-like object with update() "
                     "(None: automatic)")


# -- running ----------------------------------------------------------------------------------


def _completion(done, requested) -> dict:
    return {} if done == requested else {"complete": False, "paths_requested": int(requested)}


def run_local(plan: Plan, *, progress=None, stop=None):
    """Run ``plan`` in this process, chunk by chunk; return an Ensemble or EnsembleCounts.

    ``progress`` as in :func:`entropy.simulate` (None: automatic); ``stop()`` is asked before
    each chunk and ends the run there when it returns True (the paths done so far are
    returned, marked incomplete).
    """
    process, start, seed, dt, base = plan.process, plan.start, plan.seed, plan.dt, plan.base
    forward, backward, paths, chunk_size = plan.forward, plan.backward, plan.paths, plan.chunk_size
    times, records, T, L = plan.times, plan.records, plan.n_times, plan.word_length
    rec_shape = tuple(process.record_shape)
    bar, owned = progress_bar(progress, paths, type(process).__name__, plan.expected_seconds())
    done = 0

    def chunks():  # (c0, c1) until done, or until stop() asks to end after a whole chunk
        nonlocal done
        for c0, c1 in plan.ranges():
            if stop is not None and stop():
                return
            yield c0, c1
            done = c1
            if bar is not None:
                bar.update(c1 - c0)

    try:
        if plan.store:
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

        if not process.discrete:
            return _run_moments(plan, chunks, lambda: done)
        n = process.n_states
        counts = np.zeros((T, n), np.int64)
        pc = np.zeros((T - 1, n, n), np.int64) if plan.pairs and L == 2 else None
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
        if owned:
            bar.close()


def _run_moments(plan: Plan, chunks, done):
    """Streamed real-valued run: per-time moments, and the states at the sample times."""
    process, T = plan.process, plan.n_times
    rec_shape = tuple(process.record_shape)
    d = int(np.prod(rec_shape, dtype=np.int64))
    sidx = list(plan.sample_index)
    buf = np.empty((T, plan.chunk_size) + rec_shape, dtype=process.record_dtype)  # time-major scratch
    samples = np.empty((plan.paths, len(sidx)) + rec_shape, dtype=process.record_dtype)
    shift = np.zeros((T, d))
    total = np.zeros((T, d))
    scatter = np.zeros((T, d, d))

    def result():
        m = done()
        mean = shift + total / max(m, 1)
        centred = scatter - np.einsum("ti,tj->tij", total, total) / max(m, 1)
        return EnsembleMoments(times=plan.times, mean=mean, scatter=centred, sample_times=plan.times[sidx],
                               samples=samples[:m], paths=m, seed=plan.seed, process=process, start=plan.start,
                               dt=plan.dt, extra=_completion(m, plan.paths))

    try:
        for c0, c1 in chunks():
            tm = buf[:, : c1 - c0]
            fill_chunk(process, plan.start, plan.seed, c0, tm.swapaxes(0, 1), plan.forward, plan.backward, plan.dt)
            x = tm.reshape(T, c1 - c0, d)
            if c0 == 0:  # path 0's state: the same reference point for any chunking
                shift[:] = x[:, 0, :]
            _acc_scatter(x, shift, total, scatter)
            samples[c0:c1] = tm[sidx].swapaxes(0, 1)
    except FloatingPointError as exc:
        exc.partial = result()
        raise
    return result()


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
