"""Two-sided ensembles on a Dask cluster, bit-identical to a local run.

An ensemble of ``paths`` paths is split into chunks of consecutive *global* path indices.
Each chunk is one Dask task that runs the same chunk functions as a local run
(:func:`entropy.simulation.count_chunk` in streaming mode, :func:`entropy.simulation.fill_chunk`
when states are stored) on the same validated run plan (``entropy._engine.Plan``; this module
imports the engine, never :mod:`entropy.simulation`). Path ``p`` draws its random numbers only from streams derived from
``(seed, p)``, so the numbers do not depend on which worker ran which chunk, on the number of
workers or on the chunk size, and the result equals the local one bit for bit:

* streaming (``store=False``): each task returns the integer per-time counts of its chunk;
  counts add exactly, so they are summed on the cluster in a tree reduction (``split_every``
  results per sum) and only the final counts travel to the client;
* stored (``store=True``): each task returns its block of states, copied into place on the
  client as it arrives (the whole ensemble must fit in the client's memory).

A worker that dies loses the chunks it was running and the results it held; the scheduler
recomputes them from the task graph (the process and start are themselves a task, not
scattered data, so they can always be recomputed), and a task that raises is retried
``retries`` times. Either way the recomputed numbers are the same, so the result is too.

Dask is an optional dependency: ``pip install -e ".[dask]"`` from a clone (or the built wheel with ``[dask]``). ``import entropy``
never needs it; the functions here raise :class:`ImportError` saying so when it is missing.

Entry points
------------
:func:`connect`
    A ``Client`` to a running scheduler, or to a new ``LocalCluster`` of worker processes.
``entropy.simulate(..., client=client)``
    One ensemble on the cluster (calls :func:`simulate_distributed`).
:func:`sweep`
    One ensemble per parameter value, all points submitted at once.

See ``docs/scale.md`` for running on a real cluster.
"""

from __future__ import annotations

import math
import numbers
import time
import uuid
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ._engine import Ensemble, EnsembleCounts, Plan, count_chunk, fill_chunk, make_plan, progress_bar, run_local
from ._kernels.markov import LANES
from ._units import check_positive_int, check_seed
from .errors import InsufficientMemoryError, available_memory
from .errors import format_bytes as _fmt_bytes

__all__ = ["connect", "simulate_distributed", "run_plan", "sweep", "DEFAULT_RETRIES", "CONNECT_TIMEOUT"]

#: Retries of a chunk task that raises (a worker that dies is handled by the scheduler,
#: which reschedules its tasks up to ``distributed.scheduler.allowed-failures`` times).
DEFAULT_RETRIES = 2

#: Seconds :func:`connect` waits for a scheduler before giving up.
CONNECT_TIMEOUT = 5.0

#: Results summed per task of the tree reduction of streamed counts.
SPLIT_EVERY = 8

#: Chunks per worker thread below which an ensemble is cut finer (load balance), and the
#: fewest paths such a finer chunk gets (smaller tasks cost more in scheduling than they run).
CHUNKS_PER_THREAD = 2
MIN_CHUNK = 1024

_INSTALL_HINT = 'pip install -e ".[dask]" in a clone of the project, or pip install "<wheel>[dask]"'


def _dask():
    """The ``distributed`` module, or an ImportError that says how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise ImportError(
            "entropy.distributed runs ensembles on a Dask cluster and needs the optional dependency "
            f"dask.distributed, which is not installed: {_INSTALL_HINT}"
        ) from exc
    return distributed


# -- connecting -----------------------------------------------------------------------------


def connect(address: str | None = None, workers: int | None = None, threads_per_worker: int | None = None, *,
            timeout: float = CONNECT_TIMEOUT, **cluster_kwargs):
    """A Dask ``Client``: to a running scheduler, or to a new local cluster of worker processes.

    Parameters
    ----------
    address : str, optional
        Address of a running scheduler (started with ``dask scheduler``), e.g.
        ``"tcp://10.0.0.5:8786"``. Without it, a ``LocalCluster`` is started.
    workers : int, optional
        Worker processes of the local cluster (default: the number of CPU cores).
    threads_per_worker : int, optional
        Threads per worker process of the local cluster (default 1; each chunk task runs its
        Numba kernels on one thread, so cores = workers x threads).
    timeout : float
        Seconds to wait for the scheduler at ``address`` (default 5): the call returns or
        raises ConnectionError within it, whatever the peer does (also one that accepts the
        connection and never answers).
    **cluster_kwargs
        Passed to ``distributed.LocalCluster`` (e.g. ``memory_limit="4GiB"``). By default the
        cluster listens on loopback only (``host="127.0.0.1"``) and serves its dashboard on a
        free loopback port (``dashboard_address="127.0.0.1:0"``); pass ``host`` or
        ``dashboard_address`` explicitly to open them to the network.

    Returns
    -------
    distributed.Client
        Use it as a context manager; closing a client of a local cluster also stops the cluster.

    Raises
    ------
    ValueError
        For a malformed address, or an address given together with local-cluster options.
    ConnectionError
        When no scheduler answers at ``address`` within ``timeout`` seconds (the message
        names the address).
    ImportError
        When Dask is not installed.
    """
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real) or not (
            math.isfinite(timeout) and timeout > 0):
        raise ValueError(f"timeout={timeout!r}: expected a positive number of seconds")
    if address is not None:
        if workers is not None or threads_per_worker is not None or cluster_kwargs:
            given = ["workers"] * (workers is not None) + ["threads_per_worker"] * (
                threads_per_worker is not None) + sorted(cluster_kwargs)
            raise ValueError(
                f"address={address!r}: connecting to a running scheduler takes no local-cluster options, "
                f"but {', '.join(given)} were given; pass either address or workers"
            )
        if not isinstance(address, str) or not address.strip():
            raise ValueError(f"address={address!r}: expected a scheduler address such as 'tcp://host:8786'")
        distributed = _dask()
        try:
            return _client_within(distributed, address, timeout)
        except ValueError as exc:
            raise ValueError(
                f"address={address!r}: not a Dask scheduler address ({exc}); expected e.g. 'tcp://host:8786'"
            ) from exc
        except (OSError, TimeoutError) as exc:
            raise ConnectionError(
                f"address={address!r}: no Dask scheduler answered within {timeout:g} s ({exc}); start one there "
                "with `dask scheduler`, check the host and port, or use connect(workers=N) for a local cluster"
            ) from exc
        except Exception as exc:  # e.g. something that is not a Dask scheduler answered with garbage
            raise ConnectionError(
                f"address={address!r}: could not talk to a Dask scheduler there ({type(exc).__name__}: {exc})"
            ) from exc
    if workers is None:
        import os

        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = check_positive_int(workers, "workers")
    threads = 1 if threads_per_worker is None else check_positive_int(threads_per_worker, "threads_per_worker")
    distributed = _dask()
    # loopback only: the scheduler, the workers and the dashboard are not reachable from the network
    cluster_kwargs.setdefault("host", "127.0.0.1")
    cluster_kwargs.setdefault("dashboard_address", "127.0.0.1:0")
    cluster_kwargs.setdefault("processes", True)
    return distributed.Client(n_workers=workers, threads_per_worker=threads, **cluster_kwargs)


def _client_within(distributed, address, timeout):
    """``distributed.Client(address)``, or TimeoutError after about ``timeout`` seconds whatever
    the peer does.

    ``Client(timeout=)`` bounds the TCP connection but not the handshake: a peer that accepts
    and never answers would block for minutes. So the handshake is first tried on a private
    event loop under ``asyncio.wait_for`` (cancelled cleanly at the deadline); only a peer
    that completes it gets a Client, whose creation is still waited for at most the time
    left (a client that connects after that is closed at once).
    """
    import threading

    deadline = time.monotonic() + timeout
    _run_bounded(lambda: _probe_handshake(address, timeout), timeout + 1.0)
    box = {}
    lock = threading.Lock()

    def make():
        try:
            c = distributed.Client(address, timeout=max(deadline - time.monotonic(), 0.1))
        except BaseException as exc:  # handed to the caller
            with lock:
                box["error"] = exc
            return
        with lock:
            if box.get("abandoned"):
                c.close()
            else:
                box["client"] = c

    th = threading.Thread(target=make, name=f"entropy-connect-{address}", daemon=True)
    th.start()
    th.join(max(deadline - time.monotonic(), 0.1))
    with lock:
        if "client" in box:
            return box["client"]
        if "error" in box:
            raise box["error"]
        box["abandoned"] = True
    raise TimeoutError(f"the peer did not complete a Dask handshake within {timeout:g} s")


def _probe_handshake(address, timeout):
    """Connect to ``address`` and complete Dask's handshake on a private event loop, or raise."""
    import asyncio

    from distributed.comm import connect as comm_connect

    async def probe():
        try:
            comm = await asyncio.wait_for(comm_connect(address, timeout=timeout), timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"the peer did not complete a Dask handshake within {timeout:g} s") from None
        await comm.close()

    asyncio.run(probe())


def _run_bounded(fn, limit):
    """Run ``fn`` in a helper thread (it may need an event loop of its own); re-raise its error;
    TimeoutError if it is still running after ``limit`` seconds."""
    import threading

    box = {}

    def run():
        try:
            fn()
        except BaseException as exc:
            box["error"] = exc

    th = threading.Thread(target=run, daemon=True)
    th.start()
    th.join(limit)
    if th.is_alive():
        raise TimeoutError(f"no answer within {limit:g} s")
    if "error" in box:
        raise box["error"]


# -- tasks (run on the workers) ---------------------------------------------------------------


def _identity(x):
    return x


def _set_numba_threads(n):
    if n is not None:
        import numba

        numba.set_num_threads(max(1, min(int(n), numba.config.NUMBA_NUM_THREADS)))


def _count_task(model, first_path, n, numba_threads):
    """Per-time counts (and pair counts) of paths ``first_path .. first_path + n - 1``."""
    process, start, seed, forward, backward, dt, pairs = model
    _set_numba_threads(numba_threads)
    return count_chunk(process, start, seed, first_path, n, forward, backward, dt, pairs=pairs)


def _fill_task(model, first_path, n, numba_threads):
    """Stored states of paths ``first_path .. first_path + n - 1``."""
    process, start, seed, forward, backward, dt, _ = model
    _set_numba_threads(numba_threads)
    out = np.empty((n, forward + backward + 1) + tuple(process.record_shape), dtype=process.record_dtype)
    fill_chunk(process, start, seed, first_path, out, forward, backward, dt)
    return out


def _add_counts(*parts):
    """Sum of ``(counts, pair_counts)`` results (fresh arrays: inputs may be shared or retried)."""
    counts = parts[0][0].copy()
    pc = None if parts[0][1] is None else parts[0][1].copy()
    for c, p in parts[1:]:
        counts += c
        if pc is not None:
            pc += p
    return counts, pc


# -- jobs and batches -------------------------------------------------------------------------


class _Job:
    """One validated plan waiting to run on the cluster, with its (adjustable) chunk size."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.process, self.paths, self.store = plan.process, plan.paths, plan.store
        self.chunk_size = plan.chunk_size
        self.row_shape = plan.row_shape
        self.row_bytes = plan.row_bytes
        # on the client: the stored states, or the final count tables (no chunk scratch)
        k = None if plan.store else plan.process.n_states
        self.result_bytes = (plan.result_bytes if plan.store
                             else plan.n_times * k * 8 + (plan.n_times - 1) * k * k * 8 * plan.pairs)
        self.states = None
        self.final = None
        self.model = None

    def ranges(self):
        return self.plan.ranges(self.chunk_size)

    def result(self):
        p = self.plan
        if p.store:
            return Ensemble(times=p.times, states=self.states, seed=p.seed, process=p.process, start=p.start, dt=p.dt)
        counts, pc = self.final.result()
        return EnsembleCounts(times=p.times, counts=counts, pair_counts=pc if p.pairs else None,
                              paths=p.paths, seed=p.seed, process=p.process, start=p.start)


class _Batch:
    """Collects validated jobs (one per plan) and runs them together: every chunk of every job
    is submitted before any result is awaited."""

    def __init__(self, client, *, retries=DEFAULT_RETRIES, numba_threads=1, split_every=SPLIT_EVERY,
                 max_memory=None):
        self.client = client
        self.retries = check_positive_int(retries, "retries", minimum=0)
        self.numba_threads = None if numba_threads is None else check_positive_int(numba_threads, "numba_threads")
        self.split_every = check_positive_int(split_every, "split_every", minimum=2)
        self.max_memory = available_memory() if max_memory is None else check_positive_int(max_memory, "max_memory")
        self.jobs: list[_Job] = []
        self._reserved = 0

    def add(self, job: _Job) -> _Job:
        need = job.result_bytes
        if self._reserved + need > self.max_memory:
            what = (f"storing {job.paths} paths x {job.row_shape[0]} times" if job.store
                    else f"per-time counts of {job.process.n_states} states at {job.row_shape[0]} times")
            raise InsufficientMemoryError(
                f"simulate on a Dask cluster: {what} needs {_fmt_bytes(need)} on the client"
                + (f" (besides {_fmt_bytes(self._reserved)} for earlier sweep points)" if self._reserved else "")
                + f", but only {_fmt_bytes(self.max_memory)} is available"
                + ("; pass store=False to reduce per-time counts on the cluster instead" if job.store else "")
            )
        self._reserved += need
        self.jobs.append(job)
        return job

    def _submit(self, job, token):
        client, retries, nt = self.client, self.retries, self.numba_threads
        p = job.plan
        model = (p.process, p.start, p.seed, p.forward, p.backward, p.dt, p.pairs)
        # the model is a task, not scattered data: it can be recomputed if its holders die
        model_f = client.submit(_identity, model, key=f"entropy-model-{token}", pure=False)
        job.model = model_f  # cancelled with the chunks if the run fails
        task = _fill_task if job.store else _count_task
        chunks = {}
        stack = []  # (level, future): online tree reduction, sums submitted as early as possible
        n_sums = 0
        for i, (c0, c1) in enumerate(job.ranges()):
            f = client.submit(task, model_f, c0, c1 - c0, nt, key=f"entropy-chunk-{token}-{i}", retries=retries,
                              pure=False)
            chunks[f.key] = (job, c0, c1, f)
            if job.store:
                continue
            stack.append((0, f))
            s = self.split_every
            while len(stack) >= s and all(level == stack[-1][0] for level, _ in stack[-s:]):
                level = stack[-1][0]
                parts = [g for _, g in stack[-s:]]
                del stack[-s:]
                stack.append((level + 1, client.submit(_add_counts, *parts, key=f"entropy-sum-{token}-{n_sums}",
                                                       retries=retries, pure=False)))
                n_sums += 1
        if not job.store:
            parts = [g for _, g in stack]
            job.final = parts[0] if len(parts) == 1 else client.submit(
                _add_counts, *parts, key=f"entropy-sum-{token}-{n_sums}", retries=retries, pure=False)
        else:
            job.states = np.empty((job.paths,) + job.row_shape, dtype=job.process.record_dtype)
        return chunks

    def _balance(self):
        """Cut jobs into enough equal chunks to keep every worker thread busy to the end.

        ``chunk_size`` stays an upper bound; the result does not depend on the chunking.
        """
        try:
            threads = sum(self.client.nthreads().values())
        except Exception:  # no workers known (yet): keep the chunking as it is
            threads = 0
        if threads < 2:
            return
        want = -(-CHUNKS_PER_THREAD * threads // len(self.jobs))  # chunks per job, at least
        for job in self.jobs:
            n = max(-(-job.paths // job.chunk_size), want)
            if len(self.jobs) == 1:
                n = -(-n // threads) * threads  # equal chunks, a whole number per thread: no straggler
            cs = -(-job.paths // n)
            cs = -(-cs // LANES) * LANES
            job.chunk_size = max(min(cs, job.chunk_size), min(MIN_CHUNK, job.chunk_size))

    def _check_worker_memory(self):
        """Refuse, before submitting, a job whose tasks cannot fit in a worker's memory limit.

        A worker thread holds one chunk of states and its result; a reduction task holds
        ``split_every`` results and their sum. A run that cannot fit would otherwise end in
        worker restarts and ``KilledWorker`` after a long wait.
        """
        try:
            workers = self.client.scheduler_info(n_workers=-1)["workers"].values()
            limits = [(w.get("memory_limit") or 0, w.get("nthreads") or 1) for w in workers]
        except Exception:
            return
        limits = [(m, t) for m, t in limits if m > 0]
        if not limits:
            return
        limit, threads = min(limits)
        for job in self.jobs:
            chunk = min(job.chunk_size, job.paths) * job.row_bytes
            if job.store:
                need = threads * 2 * chunk
            else:
                need = threads * (chunk + job.result_bytes) + (self.split_every + 1) * job.result_bytes
            if need > limit:
                raise InsufficientMemoryError(
                    f"simulate on a Dask cluster: a worker with {threads} thread(s) needs about {_fmt_bytes(need)} "
                    f"for chunks of {min(job.chunk_size, job.paths)} paths"
                    + ("" if job.store else f" and per-chunk counts of {_fmt_bytes(job.result_bytes)} "
                       f"(summed {self.split_every} at a time)")
                    + f", but its memory limit is {_fmt_bytes(limit)}; "
                    + ("use a smaller chunk_size" if job.store or job.result_bytes * 4 < chunk else
                       "use pairs=False (per-time counts only), fewer times, or smaller split_every")
                )

    def run(self, progress=None, desc="dask"):
        """Submit every job's chunks, report progress as chunks finish, return the results."""
        distributed = _dask()
        self._balance()
        self._check_worker_memory()
        total = sum(job.paths for job in self.jobs)
        bar, owned = progress_bar(progress, total, desc, sum(job.plan.expected_seconds() for job in self.jobs))
        chunks = {}
        try:
            for job in self.jobs:
                chunks.update(self._submit(job, uuid.uuid4().hex))
            for fut in distributed.as_completed([v[3] for v in chunks.values()]):
                job, c0, c1, _ = chunks.pop(fut.key)
                if fut.status == "error":
                    fut.result()  # raises the task's exception
                if job.store:
                    job.states[c0:c1] = fut.result()
                # drop the client's hold: the scheduler keeps what the reduction still needs
                del fut
                if bar is not None:
                    bar.update(c1 - c0)
            return [job.result() for job in self.jobs]
        except BaseException:
            pending = [v[3] for v in chunks.values()] + [f for job in self.jobs for f in (job.final, job.model)
                                                          if f is not None]
            if pending:
                try:
                    self.client.cancel(pending)
                except Exception:
                    pass
            raise
        finally:
            for job in self.jobs:
                job.final = job.model = None
            if owned:
                bar.close()


def _check_client(client):
    """A running Client (or batch), opening one for an address string; returns (client, owned)."""
    if isinstance(client, _Batch):
        return client, False
    if isinstance(client, str):
        return connect(client), True
    distributed = _dask()
    if not isinstance(client, distributed.Client):
        raise ValueError(
            f"client={client!r}: expected a dask.distributed.Client (see entropy.distributed.connect) "
            "or a scheduler address such as 'tcp://host:8786'"
        )
    if client.status not in ("running", "connecting", "newly-created"):
        raise ValueError(f"client={client!r}: this Client is {client.status}; open a new one with connect()")
    return client, False


# -- public entry points ----------------------------------------------------------------------


def simulate_distributed(process, start, *, client, times=None, forward, backward, paths, seed, dt, store, pairs,
                         chunk_size, progress=None, retries=DEFAULT_RETRIES, numba_threads=1,
                         split_every=SPLIT_EVERY, max_memory=None):
    """Run a validated two-sided ensemble as Dask tasks; the result equals the local run's.

    :func:`entropy.simulate` with ``client=`` validates its arguments into a run plan and calls
    :func:`run_plan`: use that. Here the arguments are taken as validated (``times`` is
    ignored: the plan rebuilds the same times). Paths ``[c0, c0 + chunk_size)`` form one task; in streaming
    mode (``store=False``) each task returns its per-time counts, summed on the cluster by a
    tree reduction of ``split_every`` results per task, and only the final counts reach the
    client; with ``store=True`` each task returns its block of states, copied into the
    ensemble on the client as it arrives.

    Parameters
    ----------
    client : distributed.Client or str
        A connected client (:func:`connect`), or a scheduler address (connected to and closed
        again for this call).
    chunk_size : int
        Paths per task, at most. On a cluster of ``W`` worker threads an ensemble is cut
        into at least ``CHUNKS_PER_THREAD * W`` chunks (of no fewer than ``MIN_CHUNK``
        paths), and into a multiple of ``W`` chunks of equal size, so that no worker is left
        idle or finishes last with a chunk of its own. The result does not depend on it.
    progress : bool, None or tqdm-like
        A progress bar (or the given object's ``update(n)``) advanced by the paths of each
        chunk as it finishes.
    retries : int
        Retries of a task that raises. Tasks of a worker that dies are rescheduled by the
        scheduler without counting as retries; their results are recomputed identically.
    numba_threads : int or None
        Numba threads per task (default 1: the cluster's parallelism is its worker threads;
        ``None`` leaves the worker's setting).
    split_every : int
        Results summed per task of the streaming reduction.
    max_memory : int, optional
        Bytes the result may take on the client (default: the memory available now).

    Returns
    -------
    Ensemble or EnsembleCounts
        Exactly what the local run returns.
    """
    plan = make_plan(process, start, forward=forward, backward=backward, paths=paths, seed=seed, dt=dt, store=store,
                     pairs=pairs, chunk_size=chunk_size, max_memory=float("inf"), distributed=True)
    return run_plan(plan, client, progress=progress, retries=retries, numba_threads=numba_threads,
                    split_every=split_every, max_memory=max_memory)


def run_plan(plan: Plan, client, *, progress=None, retries=DEFAULT_RETRIES, numba_threads=1,
             split_every=SPLIT_EVERY, max_memory=None):
    """Run a validated plan (from ``entropy._engine.make_plan``) on a Dask cluster.

    ``client`` is a Client or a scheduler address (connected to and closed again here); the
    other options are those of :func:`simulate_distributed`. Returns what
    :func:`entropy._engine.run_local` returns for the same plan, bit for bit.
    """
    client, owned = _check_client(client)
    try:
        batch = _Batch(client, retries=retries, numba_threads=numba_threads, split_every=split_every,
                       max_memory=max_memory)
        batch.add(_Job(plan))
        return batch.run(progress, desc=f"{type(plan.process).__name__} on dask")[0]
    finally:
        if owned:
            client.close()


def sweep(process: Callable, values: Sequence, start, *, client=None, forward: int = 0, backward: int = 0,
          paths: int = 1000, seed=None, dt: float | None = None, store: bool = True, pairs: bool = True,
          chunk_size: int | None = None, progress=None, max_memory: int | None = None,
          retries: int = DEFAULT_RETRIES, numba_threads: int | None = 1) -> list:
    """One two-sided ensemble per parameter value, all on the cluster at once.

    Every point is validated (as :func:`entropy.simulate` does) before anything is submitted;
    then the chunks of all points are submitted together, so the cluster stays busy across
    points, and the results come back per point, each identical to
    ``entropy.simulate(process(value), start, ...)`` run locally with the same seed.

    Parameters
    ----------
    process : callable
        ``process(value)`` (or ``process(**value)`` when a value is a mapping) builds the
        process of one point, e.g. ``entropy.Ehrenfest`` for a sweep over ``balls``.
    values : sequence
        The parameter values (at least one).
    start : start specification or callable
        The t0 state of every point, or ``start(value)`` giving each point's own.
    seed : int, sequence of int or None
        One seed for all points (common random numbers: differences between points are not
        blurred by independent noise), or one per point. ``None`` draws one fresh seed, shared
        by all points and recorded in each result.
    client : distributed.Client, str or None
        As in :func:`simulate_distributed`; ``None`` runs the points one after the other in
        this process (no Dask needed), with the same results.
    forward, backward, paths, dt, store, pairs, chunk_size, progress, max_memory
        As in :func:`entropy.simulate`; ``progress`` counts the paths of all points and
        ``max_memory`` bounds the results of all points together.
    retries, numba_threads
        As in :func:`simulate_distributed`.

    Returns
    -------
    list of Ensemble or EnsembleCounts
        One result per value, in the order of ``values``.
    """
    if not callable(process):
        raise ValueError(f"process={process!r}: expected a callable building a process from a value, "
                         "e.g. entropy.Ehrenfest")
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)) or len(values) == 0:
        raise ValueError(f"values={values!r}: expected a non-empty sequence of parameter values")
    values = list(values)
    if seed is None or isinstance(seed, (numbers.Integral, np.integer)):
        seeds = [check_seed(seed)] * len(values)
    elif isinstance(seed, (Sequence, np.ndarray)) and not isinstance(seed, (str, bytes)):
        if len(seed) != len(values):
            raise ValueError(f"seed={seed!r}: expected one seed or {len(values)} seeds (one per value), "
                             f"got {len(seed)}")
        seeds = [check_seed(s) for s in seed]
    else:
        raise ValueError(f"seed={seed!r}: expected an integer in [0, 2**64), a sequence of them, or None")
    client, owned = (None, False) if client is None else _check_client(client)
    try:
        batch = _Batch(client, retries=retries, numba_threads=numba_threads, max_memory=max_memory)
        for value, s in zip(values, seeds):
            try:
                proc = process(**value) if isinstance(value, Mapping) else process(value)
            except ValueError as exc:
                raise ValueError(f"values: the point {value!r} gives no valid process: {exc}") from exc
            st = start(value) if callable(start) else start
            batch.add(_Job(make_plan(proc, st, forward=forward, backward=backward, paths=paths, seed=s, dt=dt,
                                     store=store, pairs=pairs, chunk_size=chunk_size, max_memory=batch.max_memory,
                                     distributed=True)))
        if client is not None:
            return batch.run(progress, desc=f"sweep of {len(values)} points on dask")
        # local: every point validated above; now one after the other, in this process
        bar, owned_bar = progress_bar(progress, paths * len(batch.jobs), f"sweep of {len(values)} points",
                                      sum(job.plan.expected_seconds() for job in batch.jobs))
        try:
            return [run_local(job.plan, progress=False if bar is None else bar) for job in batch.jobs]
        finally:
            if owned_bar:
                bar.close()
    finally:
        if owned:
            client.close()
