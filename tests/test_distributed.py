"""Ensembles on a real Dask cluster (worker processes on 127.0.0.1) equal the local run bit for bit.

The reference is the local in-process run of the same seed: each path's random numbers depend
only on (seed, global path index), so any split of the paths over tasks, workers and chunk
sizes must reproduce it exactly, including after a worker process is killed mid-run.
"""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

import entropy  # noqa: E402
from entropy import distributed as ed  # noqa: E402
from entropy.processes.markov import MarkovChain  # noqa: E402
from entropy.simulation import Ensemble, InsufficientMemoryError, simulate  # noqa: E402

DRIVEN = [[0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.8, 0.1, 0.1]]


def _cluster():
    return ed.connect(workers=2, threads_per_worker=1, memory_limit="1GiB")  # loopback by default (tested)


@pytest.fixture(scope="module")
def client():
    with _cluster() as c:
        c.wait_for_workers(2, timeout=60)
        yield c


@pytest.fixture
def own_client():
    """A cluster of its own, for a test that kills one of its workers (the shared one stays whole)."""
    with _cluster() as c:
        c.wait_for_workers(2, timeout=60)
        yield c


class Recorder:
    """A tqdm-like object that records its updates."""

    def __init__(self):
        self.updates = []

    def update(self, n):
        self.updates.append(n)


def assert_same(local, dist):
    assert type(dist) is type(local)
    np.testing.assert_array_equal(dist.times, local.times)
    assert dist.times.dtype == local.times.dtype
    assert dist.seed == local.seed and dist.process is not None
    if isinstance(local, Ensemble):
        assert dist.states.dtype == local.states.dtype and dist.states.shape == local.states.shape
        assert np.array_equal(dist.states, local.states)  # bit for bit (floats included)
        assert dist.dt == local.dt
    else:
        assert dist.paths == local.paths
        assert dist.counts.dtype == np.int64
        np.testing.assert_array_equal(dist.counts, local.counts)
        if local.pair_counts is None:
            assert dist.pair_counts is None
        else:
            np.testing.assert_array_equal(dist.pair_counts, local.pair_counts)


# -- bit-identity with the local run ----------------------------------------------------------


@pytest.mark.parametrize("store", [False, True])
@pytest.mark.parametrize("chunk_size", [37, 250, 5000])
def test_markov_chain_equals_local_run(client, store, chunk_size):
    chain = MarkovChain(DRIVEN)
    kw = dict(forward=30, backward=20, paths=3000, seed=12345, store=store)
    local = simulate(chain, [0.5, 0.5, 0.0], **kw)
    dist = simulate(chain, [0.5, 0.5, 0.0], client=client, chunk_size=chunk_size, **kw)
    assert_same(local, dist)
    if not store:
        # every time slice counts every path once; pairs marginalise to the single counts
        assert np.all(dist.counts.sum(axis=1) == 3000)
        np.testing.assert_array_equal(dist.pair_counts.sum(axis=2), dist.counts[:-1])
        np.testing.assert_array_equal(dist.pair_counts.sum(axis=1), dist.counts[1:])


@pytest.mark.parametrize("store", [False, True])
@pytest.mark.parametrize("chunk_size", [33, 1024])
def test_ehrenfest_urn_equals_local_run(client, store, chunk_size):
    urn = entropy.Ehrenfest(20)
    kw = dict(forward=25, backward=25, paths=2000, seed=7, store=store)
    local = simulate(urn, 20, **kw)
    dist = simulate(urn, 20, client=client, chunk_size=chunk_size, **kw)
    assert_same(local, dist)
    if not store:
        # all balls in one urn at t0; the urn's parity alternates each step (Ehrenfest 1907)
        assert dist.counts[25, 20] == 2000
        n = np.arange(21)
        odd = (n % 2 == 1)
        assert np.all(dist.counts[26][~odd] == 0) and np.all(dist.counts[24][~odd] == 0)


def test_streaming_without_pairs_equals_local_run(client):
    urn = entropy.Ehrenfest(6)
    kw = dict(forward=5, backward=3, paths=900, seed=1, store=False, pairs=False)
    assert_same(simulate(urn, 6, **kw), simulate(urn, 6, client=client, chunk_size=100, **kw))


@pytest.mark.parametrize("chunk_size", [17, 400])
def test_ornstein_uhlenbeck_equals_local_run(client, chunk_size):
    ou = entropy.OrnsteinUhlenbeck(1.5, 0.7)
    kw = dict(forward=60, backward=40, paths=1000, seed=99, dt=0.01)
    local = simulate(ou, 2.0, **kw)
    dist = simulate(ou, 2.0, client=client, chunk_size=chunk_size, **kw)
    assert_same(local, dist)
    assert np.all(dist.at(0) == 2.0)


def test_client_given_as_address(client):
    chain = MarkovChain(DRIVEN)
    kw = dict(forward=4, backward=4, paths=300, seed=3, store=False)
    assert_same(simulate(chain, 0, **kw), simulate(chain, 0, client=client.scheduler.address, chunk_size=64, **kw))


def test_progress_reported_per_chunk(client):
    chain = MarkovChain(DRIVEN)
    rec = Recorder()
    simulate(chain, 0, forward=5, paths=1000, seed=2, store=False, chunk_size=300, client=client, progress=rec)
    # chunks below MIN_CHUNK = 1024 paths are taken as given (no equalising)
    assert sorted(rec.updates) == [100, 300, 300, 300]
    simulate(chain, 0, forward=5, paths=100, seed=2, chunk_size=30, client=client, progress=True)  # tqdm runs


def test_too_few_chunks_are_cut_finer_for_the_workers(client):
    # 3000 paths in one chunk would leave one of the 2 workers idle: CHUNKS_PER_THREAD * 2 threads
    # = 4 chunks of 750 wanted, but chunks get at least MIN_CHUNK = 1024 paths -> 1024, 1024, 952
    client.wait_for_workers(2, timeout=60)  # the count below is for 2 workers: wait if one is restarting
    chain = MarkovChain(DRIVEN)
    rec = Recorder()
    kw = dict(forward=5, backward=2, paths=3000, seed=4, store=False)
    dist = simulate(chain, 1, chunk_size=10**6, client=client, progress=rec, **kw)
    assert sorted(rec.updates) == [952, 1024, 1024]
    # 10**5 paths in chunks of at most 30000 (4 chunks) on 2 threads: 4 equal chunks of 25008
    # (whole lanes of 16 paths) and the remaining 24976
    rec = Recorder()
    simulate(chain, 1, chunk_size=30_000, client=client, progress=rec, **{**kw, "paths": 10**5})
    assert sorted(rec.updates) == [24976, 25008, 25008, 25008]
    assert_same(simulate(chain, 1, **kw), dist)


# -- a worker that dies ---------------------------------------------------------------------


class SlowChain(MarkovChain):
    """The same chain, but each forward arm takes a while: chunks are still running when a worker dies."""

    def _run_arm(self, init, seed, first_path, arm, steps, out, dt=None):
        time.sleep(0.05)
        super()._run_arm(init, seed, first_path, arm, steps, out, dt)


class KillOnFirstChunk(Recorder):
    """Progress object that SIGKILLs a busy worker process when the first chunk finishes."""

    def __init__(self, client):
        super().__init__()
        self.client = client
        self.killed = None

    def update(self, n):
        if self.killed is None:
            processing = self.client.processing()
            busy = [a for a, keys in processing.items() if keys] or list(processing)
            addr = busy[0]
            pid = self.client.run(os.getpid, workers=[addr])[addr]
            os.kill(pid, signal.SIGKILL)  # a worker process this test's cluster started
            self.killed = (addr, pid, len(processing.get(addr, ())), sum(self.updates))
        super().update(n)


@pytest.mark.parametrize("store", [False, True])
def test_killed_worker_gives_identical_result(own_client, store):
    client = own_client
    P = np.array(DRIVEN)
    kw = dict(forward=40, backward=10, paths=2400, seed=2026, store=store)
    local = simulate(MarkovChain(P), [0.2, 0.3, 0.5], **kw)
    killer = KillOnFirstChunk(client)
    dist = simulate(SlowChain(P), [0.2, 0.3, 0.5], client=client, chunk_size=60, progress=killer, **kw)
    addr, pid, running, done = killer.killed
    # the kill happened mid-run: the worker had tasks in flight and 40 chunks of 50 ms each remained
    assert running > 0 and done < 2400
    assert sum(killer.updates) == 2400
    assert pid not in client.run(os.getpid).values()  # that process is gone (the nanny started a new one)
    np.testing.assert_array_equal(dist.times, local.times)
    if store:
        assert np.array_equal(dist.states, local.states)
    else:
        np.testing.assert_array_equal(dist.counts, local.counts)
        np.testing.assert_array_equal(dist.pair_counts, local.pair_counts)


class FailingChain(MarkovChain):
    """A chain whose paths from 500 on cannot be simulated (a deterministic error in a task)."""

    def _run_arm(self, init, seed, first_path, arm, steps, out, dt=None):
        if first_path + len(init) > 500:
            raise RuntimeError(f"boom at paths {first_path}..")
        super()._run_arm(init, seed, first_path, arm, steps, out, dt)


@pytest.mark.parametrize("store", [False, True])
def test_task_error_reaches_the_client_and_cancels_the_run(client, store):
    with pytest.raises(RuntimeError, match=r"boom at paths"):
        simulate(FailingChain(DRIVEN), 0, forward=3, paths=2000, seed=1, store=store, chunk_size=100, client=client)
    # the cluster is still usable, and the failed run left no results behind on it
    chain = MarkovChain(DRIVEN)
    assert_same(simulate(chain, 0, forward=3, paths=200, seed=1, store=False),
                simulate(chain, 0, forward=3, paths=200, seed=1, store=False, chunk_size=50, client=client))
    def held():
        return [k for keys in client.has_what().values() for k in keys if str(k).startswith("entropy-")]

    deadline = time.monotonic() + 20  # releases travel asynchronously; a leak would never clear
    while held() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert held() == []


# -- sweeps ---------------------------------------------------------------------------------


def test_sweep_equals_one_local_run_per_point(client):
    rec = Recorder()
    res = ed.sweep(entropy.Ehrenfest, [4, 9, 16], start=lambda balls: balls, client=client, forward=12, backward=8,
                   paths=700, seed=5, store=False, chunk_size=200, progress=rec)
    assert len(res) == 3 and sum(rec.updates) == 3 * 700
    for balls, r in zip([4, 9, 16], res):
        assert_same(simulate(entropy.Ehrenfest(balls), balls, forward=12, backward=8, paths=700, seed=5, store=False), r)
        assert r.process.balls == balls


def test_sweep_without_client_runs_locally_with_the_same_results(client):
    kw = dict(start=lambda balls: balls // 2, forward=6, backward=6, paths=400, seed=9, store=False, chunk_size=128)
    rec = Recorder()
    local = ed.sweep(entropy.Ehrenfest, [3, 8], progress=rec, **kw)
    assert sum(rec.updates) == 800
    for a, b in zip(local, ed.sweep(entropy.Ehrenfest, [3, 8], client=client, **kw)):
        assert_same(a, b)
    assert local[1].counts[6, 4] == 400  # start = balls // 2 = 4 for every path


def test_sweep_mapping_values_and_seed_per_point(client):
    res = ed.sweep(lambda theta, sigma: entropy.OrnsteinUhlenbeck(theta, sigma), [dict(theta=0.5, sigma=1.0),
                   dict(theta=2.0, sigma=0.3)], 1.0, client=client, forward=20, paths=200, seed=[11, 12], dt=0.05,
                   chunk_size=64)
    for (theta, sigma, seed), r in zip([(0.5, 1.0, 11), (2.0, 0.3, 12)], res):
        assert_same(simulate(entropy.OrnsteinUhlenbeck(theta, sigma), 1.0, forward=20, paths=200, seed=seed,
                             dt=0.05), r)


def test_sweep_without_seed_shares_one_fresh_seed(client):
    res = ed.sweep(entropy.Ehrenfest, [3, 5], 0, client=client, forward=3, paths=50, store=False)
    assert res[0].seed == res[1].seed


def test_sweep_validates_every_point_before_submitting(client):
    with pytest.raises(ValueError, match=r"values=\[\]: expected a non-empty sequence"):
        ed.sweep(entropy.Ehrenfest, [], 0, client=client)
    with pytest.raises(ValueError, match=r"process=3: expected a callable"):
        ed.sweep(3, [1], 0, client=client)
    with pytest.raises(ValueError, match=r"seed=\[1, 2\]: expected one seed or 3 seeds"):
        ed.sweep(entropy.Ehrenfest, [1, 2, 3], 0, client=client, seed=[1, 2])
    with pytest.raises(ValueError, match=r"values: the point -1 gives no valid process: balls=-1"):
        ed.sweep(entropy.Ehrenfest, [2, -1], 0, client=client)
    # start=5 is a valid state of Ehrenfest(5) but not of Ehrenfest(2): nothing runs for either point
    with pytest.raises(ValueError, match=r"start=5: expected a state in 0\.\.2"):
        ed.sweep(entropy.Ehrenfest, [5, 2], 5, client=client)
    # each point fits on its own (700 paths x 21 times x 1 byte = 14700 B), all three do not
    with pytest.raises(InsufficientMemoryError, match=r"besides 14\.4 KiB for earlier sweep points"):
        ed.sweep(entropy.Ehrenfest, [3, 4, 5], 0, client=client, forward=20, paths=700, max_memory=20_000)


# -- connecting and errors --------------------------------------------------------------------


def test_bad_address_fails_fast_with_a_clear_error():
    t = time.perf_counter()
    with pytest.raises(ConnectionError, match=r"address='tcp://127\.0\.0\.1:1': no Dask scheduler answered within 5 s"):
        ed.connect("tcp://127.0.0.1:1")  # nothing listens on port 1
    # a hang detector, not a benchmark: the default timeout is 5 s, a hang would be minutes
    assert time.perf_counter() - t < 30


def _peer(kind):
    """A loopback TCP server that accepts and then never answers / closes / sends garbage."""
    import socket
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    conns = []

    def serve():
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            conns.append(c)
            if kind == "closes":
                c.close()
            elif kind == "garbage":
                c.sendall(b"HTTP/1.1 200 OK\r\n\r\n" + b"\xff" * 64)

    threading.Thread(target=serve, daemon=True).start()
    return srv, conns


@pytest.mark.parametrize("kind", ["silent", "closes", "garbage"])
def test_connect_returns_or_fails_within_its_timeout_for_any_peer(kind):
    """Issue 11: connect(address, timeout=5) blocked for over 100 s on a peer that accepts and
    never answers."""
    srv, conns = _peer(kind)
    try:
        t = time.perf_counter()
        with pytest.raises(ConnectionError, match=rf"address='tcp://127\.0\.0\.1:{srv.getsockname()[1]}'"):
            ed.connect(f"tcp://127.0.0.1:{srv.getsockname()[1]}", timeout=1)
        # a hang detector, not a benchmark: the bound is the timeout, a hang is minutes
        assert time.perf_counter() - t < 10
    finally:
        srv.close()
        for c in conns:
            c.close()


def test_a_cluster_started_here_listens_on_loopback_only(client):
    info = client.scheduler_info()
    assert client.scheduler.address.startswith("tcp://127.0.0.1:")
    assert info["workers"] and all(w.startswith("tcp://127.0.0.1:") for w in info["workers"])

    def bound(dask_scheduler):  # the addresses the dashboard's sockets are bound to (the link shows another)
        server = getattr(dask_scheduler, "http_server", None)
        return [s.getsockname()[0] for s in getattr(server, "_sockets", {}).values()]

    assert all(h == "127.0.0.1" for h in client.run_on_scheduler(bound))  # loopback, or no dashboard at all


def test_connect_validates_its_arguments():
    with pytest.raises(ValueError, match=r"address='nonsense': not a Dask scheduler address"):
        ed.connect("nonsense")
    with pytest.raises(ValueError, match=r"address='tcp://127\.0\.0\.1:8786': .*but workers were given"):
        ed.connect("tcp://127.0.0.1:8786", workers=2)
    with pytest.raises(ValueError, match=r"address='': expected a scheduler address"):
        ed.connect("")
    with pytest.raises(ValueError, match=r"workers=0: expected an integer >= 1"):
        ed.connect(workers=0)
    with pytest.raises(ValueError, match=r"threads_per_worker=1\.5: expected an integer >= 1"):
        ed.connect(workers=1, threads_per_worker=1.5)
    with pytest.raises(ValueError, match=r"timeout=0: expected a positive number of seconds"):
        ed.connect("tcp://127.0.0.1:1", timeout=0)


def test_simulate_rejects_a_bad_client_before_any_work():
    with pytest.raises(ValueError, match=r"client=42: expected a dask.distributed.Client"):
        simulate(MarkovChain(DRIVEN), 0, paths=10, client=42)


def test_simulate_distributed_options_are_validated(client):
    chain = MarkovChain(DRIVEN)
    times = np.arange(0, 3)
    kw = dict(client=client, times=times, forward=2, backward=0, paths=10, seed=1, dt=None, store=False,
              pairs=True, chunk_size=5)
    with pytest.raises(ValueError, match=r"retries=-1: expected an integer >= 0"):
        ed.simulate_distributed(chain, 0, retries=-1, **kw)
    with pytest.raises(ValueError, match=r"split_every=1: expected an integer >= 2"):
        ed.simulate_distributed(chain, 0, split_every=1, **kw)
    with pytest.raises(InsufficientMemoryError, match=r"needs 30\.0 B on the client, but only 10\.0 B"):
        ed.simulate_distributed(chain, 0, max_memory=10, **{**kw, "store": True})
    # split_every=2 gives a deep reduction tree: still the same counts
    assert_same(simulate(chain, 0, forward=2, paths=10, seed=1, store=False),
                ed.simulate_distributed(chain, 0, split_every=2, **{**kw, "chunk_size": 1}))


def test_tasks_that_cannot_fit_a_worker_are_refused_before_submitting(client):
    # 4000 states, 3 times: pair counts of one chunk are 2 x 4000^2 x 8 B = 256 MB; a reduction
    # task holds 8 of them and their sum, far beyond the workers' 1 GiB limit
    urn = entropy.Ehrenfest(3999)
    with pytest.raises(InsufficientMemoryError, match=r"memory limit is 1\.0 GiB; use pairs=False"):
        simulate(urn, 0, forward=2, paths=100, seed=1, store=False, client=client)
    # without pairs the counts are 3 x 4000 x 8 B: it runs, and equals the local run
    kw = dict(forward=2, paths=100, seed=1, store=False, pairs=False)
    assert_same(simulate(urn, 0, **kw), simulate(urn, 0, client=client, **kw))


def test_missing_dask_gives_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(ImportError, match=r'pip install -e "\.\[dask\]"'):
        ed.connect(workers=1)


def test_import_entropy_does_not_import_dask():
    code = "import sys, entropy, entropy.distributed; assert 'distributed' not in sys.modules, 'dask imported'"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_jump_process_equals_local_run(client):
    """A continuous-time jump process (both kernels) on the cluster: the local arrays, bit for bit."""
    from entropy import MarkovJumpProcess

    ring = np.array([[-3.0, 2.0, 0.0, 1.0], [1.0, -3.0, 2.0, 0.0], [0.0, 1.0, -3.0, 2.0], [2.0, 0.0, 1.0, -3.0]])
    uneven = np.array([[-0.2, 0.1, 0.1], [5.0, -6.0, 1.0], [0.5, 0.5, -1.0]])  # Gillespie's kernel
    for Q in (ring, uneven):
        J = MarkovJumpProcess(Q)
        kw = dict(forward=15, backward=12, dt=0.1, paths=2500, seed=9)
        local = simulate(J, 0, **kw)
        dist = simulate(J, 0, client=client, **kw)
        np.testing.assert_array_equal(dist.states, local.states)
