"""The result directory format: only results are replaced, no leftovers read as results."""

import hashlib
import io
import json
import os

import numpy as np
import pytest

from entropy import store
from entropy.estimators._result import Profile
from entropy.results import FORMAT_VERSION, RunResult, load_result, save_result


def small_result(name="small", value=1.0, complete=True, T=121):
    times = np.arange(T) - T // 2
    prof = Profile.from_stderr("entropy", times, np.full(T, value), np.full(T, 0.1), confidence=0.95, unit="bits",
                               method="plugin", samples=np.full(T, 100))
    meta = {"format": FORMAT_VERSION, "name": name, "analysis": "profiles", "complete": complete, "paths": 100,
            "unit": "bits", "profiles": {"entropy": {"unit": "bits", "method": "plugin", "confidence": 0.95}}}
    return RunResult(name=name, scenario={}, profiles={"entropy": prof}, metadata=meta)


def rewrite_manifest(d):
    """Make the manifest agree with the files again (a tampered but manifest-consistent result)."""
    m = json.loads((d / store.MANIFEST).read_text())
    for f in list(m["files"]):
        b = (d / f).read_bytes()
        m["files"][f] = {"size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
    (d / store.MANIFEST).write_text(json.dumps(m))


def test_a_saved_result_carries_a_manifest_written_last(tmp_path):
    d = save_result(small_result(), tmp_path, figures=())
    m = json.loads((d / "manifest.json").read_text())
    assert m["format"] == store.FORMAT_NAME and m["complete"] is True
    assert set(m["files"]) == {"arrays.npz", "metadata.json", "table.csv"}
    assert m["files"]["arrays.npz"]["size"] == (d / "arrays.npz").stat().st_size
    assert load_result(d).profiles["entropy"].values[0] == 1.0


# -- defect 1: a run deleted any directory with the scenario's name ------------------------------
def test_a_directory_that_is_not_a_result_is_never_replaced(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "thesis.tex").write_text("years of work")
    with pytest.raises(store.TargetNotAResultError, match=r"docs exists and is a directory that is not an entropy "
                                                          r"result.*--out"):
        save_result(small_result("docs"), tmp_path, figures=())
    assert (tmp_path / "docs" / "thesis.tex").read_text() == "years of work"
    assert sorted(os.listdir(tmp_path)) == [".docs.lock", "docs"]


def test_a_file_or_symlink_at_the_target_is_never_moved(tmp_path):
    (tmp_path / "notes.txt").write_text("notes")
    with pytest.raises(store.TargetNotAResultError, match="is a file"):
        save_result(small_result("notes.txt"), tmp_path, figures=())
    assert (tmp_path / "notes.txt").read_text() == "notes"
    assert not [e for e in os.listdir(tmp_path) if e.startswith(".notes.txt.") and not e.endswith(".lock")]
    real = save_result(small_result("real"), tmp_path / "elsewhere", figures=())
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(store.TargetNotAResultError, match="is a symbolic link"):
        save_result(small_result("link"), tmp_path, figures=())
    assert load_result(real).complete


def test_a_result_with_a_foreign_file_added_is_not_replaced(tmp_path):
    d = save_result(small_result(), tmp_path, figures=())
    (d / "my_notes.md").write_text("mine")
    with pytest.raises(store.TargetNotAResultError, match="my_notes.md"):
        save_result(small_result(value=2.0), tmp_path, figures=())
    assert (d / "my_notes.md").read_text() == "mine"


# -- defect 2: a complete result was replaced by an incomplete one -------------------------------
def test_an_incomplete_result_goes_beside_a_complete_one(tmp_path):
    d = save_result(small_result(value=1.0), tmp_path, figures=())
    p = save_result(small_result(value=2.0, complete=False), tmp_path, figures=())
    assert p == tmp_path / "small.partial"
    assert load_result(d).complete and load_result(d).profiles["entropy"].values[0] == 1.0
    assert not load_result(p).complete and load_result(p).profiles["entropy"].values[0] == 2.0
    # an incomplete result replaces an incomplete one, and a complete one replaces both kinds
    q = save_result(small_result("other", value=3.0, complete=False), tmp_path, figures=())
    assert q == tmp_path / "other"
    assert save_result(small_result("other", value=4.0), tmp_path, figures=()) == q
    assert load_result(q).complete


# -- defect 3: leftovers were read as results --------------------------------------------------
def test_leftovers_of_killed_saves_are_removed_by_the_next_save(tmp_path):
    ours = tmp_path / ".small.tmp-123-0123abcd"
    ours.mkdir()
    (ours / store.MARKER).write_bytes(b"")
    (ours / "arrays.npz").write_bytes(b"half")
    empty = tmp_path / ".small.tmp-124-0123abce"
    empty.mkdir()
    foreign = tmp_path / ".small.tmp-125-0123abcf"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("not ours: no marker, no manifest")
    other_name = tmp_path / ".small.tmp-1.tmp-126-0123abcf"  # a leftover of scenario 'small.tmp-1'
    other_name.mkdir()
    (other_name / store.MARKER).write_bytes(b"")
    with pytest.raises(ValueError, match="a temporary directory of an interrupted save, not a result"):
        load_result(ours)
    save_result(small_result(), tmp_path, figures=())
    assert not ours.exists() and not empty.exists()
    assert (foreign / "keep.txt").exists() and other_name.exists()


def test_load_result_refuses_a_result_missing_a_file(tmp_path):
    d = save_result(small_result(), tmp_path, figures=())
    (d / "table.csv").unlink()
    with pytest.raises(ValueError, match=r"table.csv: listed in manifest.json but missing"):
        load_result(d)


def test_load_result_refuses_a_truncated_file(tmp_path):
    d = save_result(small_result(), tmp_path, figures=())
    b = (d / "arrays.npz").read_bytes()
    (d / "arrays.npz").write_bytes(b[: len(b) // 2])
    with pytest.raises(ValueError, match=r"arrays.npz: .* the file was changed or truncated"):
        load_result(d)


def test_load_result_refuses_complete_given_as_a_string(tmp_path):
    d = save_result(small_result(), tmp_path, figures=())
    meta = json.loads((d / "metadata.json").read_text())
    meta["complete"] = "false"
    (d / "metadata.json").write_text(json.dumps(meta))
    rewrite_manifest(d)
    with pytest.raises(ValueError, match=r"metadata.json: 'complete' = 'false': expected true or false"):
        load_result(d)
    m = json.loads((d / "manifest.json").read_text())
    m["complete"] = "false"
    (d / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(ValueError, match=r"manifest.json: 'complete' = 'false'"):
        load_result(d)


def test_load_result_refuses_arrays_whose_length_disagrees_with_times(tmp_path):
    d = save_result(small_result(T=121), tmp_path, figures=())
    with np.load(d / "arrays.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays["profile/entropy/values"] = arrays["profile/entropy/values"][:5]
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    (d / "arrays.npz").write_bytes(buf.getvalue())
    rewrite_manifest(d)
    with pytest.raises(ValueError, match=r"arrays.npz: profile 'entropy': 'values' has shape \(5,\) for 121 times"):
        load_result(d)


def test_load_result_refuses_a_corrupt_npz_and_a_metadata_list(tmp_path):
    d = save_result(small_result(), tmp_path, figures=())
    (d / "arrays.npz").write_bytes(b"PK\x03\x04 not a zip")
    rewrite_manifest(d)
    with pytest.raises(ValueError, match=r"arrays.npz: not a readable npz archive"):
        load_result(d)
    d = save_result(small_result("b"), tmp_path, figures=())
    (d / "metadata.json").write_text("[1, 2]")
    rewrite_manifest(d)
    with pytest.raises(ValueError, match=r"metadata.json: expected a JSON object, got list"):
        load_result(d)


# -- defect 4: concurrent writers got raw OS errors ----------------------------------------------
def test_a_second_writer_waits_then_gets_the_package_error(tmp_path):
    import fcntl

    save_result(small_result(), tmp_path, figures=())
    fd = os.open(store.lock_path(tmp_path, "small"), os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another writer holds the place
        with pytest.raises(store.ResultBusyError, match=r"another process is writing this result"):
            save_result(small_result(value=2.0), tmp_path, figures=(), lock_timeout=0.2)
    finally:
        os.close(fd)
    assert load_result(tmp_path / "small").profiles["entropy"].values[0] == 1.0


def test_a_failed_write_is_the_package_error_and_leaves_nothing(tmp_path, monkeypatch):
    import errno

    import entropy.results as results

    def full(res, d, figs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(results, "_write_files", full)
    with pytest.raises(store.OutputPlaceError, match="No space left on device"):
        save_result(small_result(), tmp_path, figures=())
    assert os.listdir(tmp_path) == [".small.lock"]
