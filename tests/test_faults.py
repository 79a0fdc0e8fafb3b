"""Fault injection and concurrency on one result place (issue 11).

Writers run in forked processes (no interpreter start-up per kill); each saves small results
with the public save_result. Invariants: after any kill the target holds a complete result
(the previous one or the new one), load_result refuses every leftover, and the next save
leaves none; concurrent saves succeed or raise the package's own error, and concurrent
loads always return a complete result.
"""

import multiprocessing
import os
import signal
import sys
import time

import numpy as np
import pytest

from entropy import store
from entropy.results import load_result, save_result

from test_store import small_result  # noqa: E402 (tests/ is on sys.path under pytest)

pytestmark = pytest.mark.skipif(sys.platform == "win32" or "fork" not in multiprocessing.get_all_start_methods(),
                                reason="POSIX signals and fork")
CTX = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None


def _save_forever(parent, figures):
    i = 0
    while True:
        i += 1
        save_result(small_result("run", value=float(i), T=401), parent, figures=figures)


def _values(parent):
    return load_result(parent / "run").profiles["entropy"].values[0]


def test_a_save_killed_at_20_random_points_leaves_a_complete_result_and_no_leftover_read(tmp_path):
    save_result(small_result("run", value=0.0, T=401), tmp_path, figures=())
    rng = np.random.default_rng(20261202)  # fixed kill times and signals
    seen_leftovers = 0
    for k in range(20):
        sig = signal.SIGKILL if k % 2 == 0 else signal.SIGTERM
        figures = ("png",) if k % 4 == 1 else ()
        p = CTX.Process(target=_save_forever, args=(tmp_path, figures))
        p.start()
        time.sleep(float(rng.uniform(0.02, 0.4)))
        os.kill(p.pid, sig)
        p.join(10)
        assert p.exitcode == -sig
        res = load_result(tmp_path / "run")  # the previous complete result or a new one, never a half one
        assert res.complete and res.times.size == 401
        for left in store.leftovers(tmp_path, "run"):
            seen_leftovers += 1
            with pytest.raises(store.InvalidResultError):
                load_result(left)
        assert sorted(os.listdir(tmp_path)) == sorted(
            [".run.lock", "run"] + [p.name for p in store.leftovers(tmp_path, "run")])
    last = save_result(small_result("run", value=-1.0, T=401), tmp_path, figures=())
    assert _values(tmp_path) == -1.0 and last == tmp_path / "run"
    assert sorted(os.listdir(tmp_path)) == [".run.lock", "run"]  # the next save left no leftovers


def _writer(parent, value, n, errors):
    for i in range(n):
        try:
            save_result(small_result("shared", value=value, T=51), parent, figures=())
        except store.StoreError as exc:  # the package's own error is allowed
            errors.put(f"store:{type(exc).__name__}")
        except BaseException as exc:  # anything else is a failure of the test
            errors.put(f"raw:{type(exc).__name__}: {exc}")
    errors.put("done")


def test_two_writers_and_a_reader_on_one_place(tmp_path):
    save_result(small_result("shared", value=0.0, T=51), tmp_path, figures=())
    errors = CTX.Queue()
    writers = [CTX.Process(target=_writer, args=(tmp_path, float(v), 200, errors)) for v in (1, 2)]
    for w in writers:
        w.start()
    loads, values = 0, set()
    done = 0
    reports = []
    while done < 2:
        res = load_result(tmp_path / "shared")  # must never fail
        assert res.complete and res.times.size == 51
        values.add(float(res.profiles["entropy"].values[0]))
        loads += 1
        while not errors.empty():
            r = errors.get()
            done += r == "done"
            reports.append(r)
    for w in writers:
        w.join(30)
        assert w.exitcode == 0
    raw = [r for r in reports if r.startswith("raw:")]
    assert not raw, raw
    assert loads > 10 and values <= {0.0, 1.0, 2.0}
    assert sorted(os.listdir(tmp_path)) == [".shared.lock", "shared"]
