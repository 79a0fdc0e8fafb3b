"""Result directories on disk: a manifest, a lock per place, atomic replacement, no leftovers.

This module knows files and directories only (nothing of scenarios or processes). A *result
directory* ``<parent>/<name>/`` holds plain files and ``manifest.json``, written last::

    {"format": "janus-entropy-result", "version": 1, "complete": true,
     "files": {"arrays.npz": {"size": 1234, "sha256": "..."}, ...}}

Rules (see ``docs/results.md``):

* **Only results are replaced.** A target is replaced only when it is a directory (not a
  symlink) whose manifest is ours and which holds exactly the files listed there. Anything
  else raises :class:`TargetNotAResultError` before anything is written.
* **One writer per place.** :func:`save` holds ``fcntl.flock`` on ``<parent>/.<name>.lock``
  while it writes; a second writer waits up to ``lock_timeout`` seconds, then raises
  :class:`ResultBusyError`.
* **Atomic replacement.** Files are written into ``<parent>/.<name>.tmp-<pid>-<hex>/`` (with
  a marker file until the manifest is there); the new directory then trades places with the
  old one in one ``renameat2(RENAME_EXCHANGE)`` call (a plain rename when there is no old
  one), so the target always holds the old result or the new one. Readers open the
  directory once and read every file relative to it, checking sizes and checksums against
  the manifest; one that races a replacement retries.
* **No leftovers.** A killed save leaves a ``.<name>.tmp-*`` directory; the next save into
  the place (holding the lock, so no save is in progress) removes those that are provably
  ours (marker or manifest present, or empty).
* **A complete result is never replaced by an incomplete one**: the incomplete one goes to
  ``<parent>/<name>.partial/`` instead (:func:`save` returns where it went).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import time
from pathlib import Path

__all__ = ["StoreError", "InvalidResultError", "TargetNotAResultError", "ResultBusyError", "OutputPlaceError",
           "MANIFEST", "FORMAT_NAME", "FORMAT_VERSION", "save", "read", "target_state", "check_place",
           "lock_path", "partial_name", "leftovers"]

MANIFEST = "manifest.json"
FORMAT_NAME = "janus-entropy-result"
FORMAT_VERSION = 1
MARKER = ".entropy-incomplete"
#: Largest manifest we read (a manifest lists a handful of files).
MAX_MANIFEST_BYTES = 1 << 20
LOCK_TIMEOUT = 60.0
READ_RETRIES = 20


class StoreError(Exception):
    """Base class of the result store's errors."""


class InvalidResultError(StoreError, ValueError):
    """A directory is not a complete, manifest-consistent result (the message names the file)."""


class TargetNotAResultError(StoreError, ValueError):
    """The target of a save exists and is not a result of ours: it is never replaced."""


class OutputPlaceError(StoreError, ValueError):
    """The output place cannot be written (not a directory, not writable, ...)."""


class ResultBusyError(StoreError):
    """Another writer holds the place's lock for longer than the timeout."""


# ------------------------------------------------------------------------------ names
def lock_path(parent, name) -> Path:
    return Path(parent) / f".{name}.lock"


def partial_name(name: str) -> str:
    return f"{name}.partial"


def _tmp_pattern(name):
    return re.compile(r"\." + re.escape(name) + r"\.tmp-\d+-[0-9a-f]{8}")


# ------------------------------------------------------------------------------ manifest
def _sha256_file(fd) -> tuple[int, str]:
    h = hashlib.sha256()
    size = 0
    while True:
        block = os.read(fd, 1 << 20)
        if not block:
            return size, h.hexdigest()
        h.update(block)
        size += len(block)


def _parse_manifest(data: bytes, where) -> dict:
    """The manifest's content, validated; InvalidResultError naming ``where`` otherwise."""
    try:
        m = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidResultError(f"{where}: not valid JSON ({exc})") from None
    if not isinstance(m, dict) or m.get("format") != FORMAT_NAME:
        raise InvalidResultError(f"{where}: not a manifest of an entropy result (format "
                                 f"{m.get('format') if isinstance(m, dict) else m!r:.60}, expected {FORMAT_NAME!r})")
    if m.get("version") != FORMAT_VERSION:
        raise InvalidResultError(f"{where}: result format version {m.get('version')!r}, expected {FORMAT_VERSION} "
                                 "(re-run the scenario)")
    if not isinstance(m.get("complete"), bool):
        raise InvalidResultError(f"{where}: 'complete' = {m.get('complete')!r}: expected true or false (a JSON boolean)")
    files = m.get("files")
    if not isinstance(files, dict) or not files:
        raise InvalidResultError(f"{where}: 'files' must be a non-empty table of file name -> size and sha256")
    for f, info in files.items():
        if (not isinstance(f, str) or f in ("", ".", "..", MANIFEST) or "/" in f or "\\" in f or "\0" in f
                or not isinstance(info, dict) or isinstance(info.get("size"), bool)
                or not isinstance(info.get("size"), int) or info["size"] < 0
                or not isinstance(info.get("sha256"), str) or not re.fullmatch(r"[0-9a-f]{64}", info["sha256"])):
            raise InvalidResultError(f"{where}: bad entry {f!r:.80} in 'files' (expected a plain file name with an "
                                     "integer size and a sha256 hex digest)")
    return m


def _read_manifest_at(dfd, where) -> dict:
    try:
        fd = os.open(MANIFEST, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dfd)
    except FileNotFoundError:
        raise InvalidResultError(f"{where}: missing (not a complete entropy result)") from None
    except OSError as exc:
        raise InvalidResultError(f"{where}: cannot read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as f:
        data = f.read(MAX_MANIFEST_BYTES + 1)
    if len(data) > MAX_MANIFEST_BYTES:
        raise InvalidResultError(f"{where}: larger than {MAX_MANIFEST_BYTES} bytes: not a manifest of ours")
    return _parse_manifest(data, where)


def _is_ours(path: Path) -> tuple[bool, dict | None, str]:
    """(is a result of ours, its manifest, why not): a real directory with our manifest and
    exactly the files it lists."""
    try:
        dfd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        return False, None, f"cannot open it as a directory ({exc.strerror})"
    try:
        try:
            m = _read_manifest_at(dfd, path / MANIFEST)
        except InvalidResultError as exc:
            return False, None, f"no valid {MANIFEST} of an entropy result ({exc})"
        present = set(os.listdir(dfd)) - {MANIFEST}
        extra = sorted(present - set(m["files"]))
        if extra:
            return False, m, f"it holds files that are not part of the result: {', '.join(extra[:5])}"
        return True, m, ""
    finally:
        os.close(dfd)


def target_state(parent, name) -> dict:
    """What is at ``<parent>/<name>``: ``{"exists": False}`` or ``{"exists": True, "complete": bool}``
    for a result of ours. Raises :class:`TargetNotAResultError` for anything else."""
    target = Path(parent) / name
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return {"exists": False}
    except OSError as exc:
        raise OutputPlaceError(f"{target}: cannot be inspected ({exc.strerror})") from None
    import stat

    if stat.S_ISLNK(st.st_mode):
        what = "a symbolic link"
    elif not stat.S_ISDIR(st.st_mode):
        what = "a file"
    else:
        ok, m, why = _is_ours(target)
        if ok:
            return {"exists": True, "complete": m["complete"]}
        what = f"a directory that is not an entropy result: {why}"
    raise TargetNotAResultError(
        f"{target} exists and is {what}; it is never replaced or removed. Choose another place "
        "(entropy run --out DIR, or output.directory) or another scenario.name, or move it away yourself")


def check_place(parent, name, *, complete: bool = True) -> Path:
    """Preflight of a save into ``<parent>/<name>`` (nothing is written): the parent is (or can
    be made) a writable directory and the target is absent or a result of ours. Returns the
    directory the save would write (``<name>.partial`` for an incomplete result beside a
    complete one)."""
    parent = Path(parent)
    p = parent
    while not os.path.lexists(p):
        if p.parent == p:
            break
        p = p.parent
    if not p.is_dir():
        raise OutputPlaceError(f"{parent}: cannot hold results: {p} is not a directory")
    if not os.access(p, os.W_OK | os.X_OK):
        raise OutputPlaceError(f"{parent}: cannot hold results: {p} is not writable (choose another place with "
                               "entropy run --out DIR)")
    name = _target_name(parent, name, complete)
    return parent / name


def _target_name(parent, name, complete):
    state = target_state(parent, name)
    if not complete and state.get("complete"):
        target_state(parent, partial_name(name))  # must be absent or ours too
        return partial_name(name)
    return name


# ------------------------------------------------------------------------------ lock
@contextlib.contextmanager
def _locked(parent: Path, name: str, timeout: float):
    import fcntl

    lp = lock_path(parent, name)
    try:
        fd = os.open(lp, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        raise OutputPlaceError(f"{lp}: cannot create the lock file of {parent / name} ({exc.strerror})") from None
    try:
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ResultBusyError(
                        f"{parent / name}: another process is writing this result (lock {lp} held for more than "
                        f"{timeout:g} s); try again later or choose another place") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.1)
        yield
    finally:
        os.close(fd)  # releases the lock


# ------------------------------------------------------------------------------ leftovers
def leftovers(parent, name) -> list[Path]:
    """Hidden temporary directories of interrupted saves of ``name`` in ``parent``."""
    pat = _tmp_pattern(name)
    try:
        entries = os.listdir(parent)
    except OSError:
        return []
    return sorted(Path(parent) / e for e in entries if pat.fullmatch(e))


def _remove_leftovers(parent: Path, name: str) -> list[Path]:
    """Remove the leftovers that are provably ours (caller holds the lock: none is in use)."""
    removed = []
    for p in leftovers(parent, name):
        if p.is_symlink() or not p.is_dir():
            continue
        try:
            inside = os.listdir(p)
        except OSError:
            continue
        # a save writes the marker first and removes it only once the manifest is in place
        if inside and MARKER not in inside and not _is_ours(p)[0]:
            continue  # not provably ours: leave it
        _remove_ours(p)
        removed.append(p)
    return removed


# ------------------------------------------------------------------------------ exchange
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_renameat2 = None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directory entries (Linux renameat2); False where unsupported."""
    global _renameat2
    if _renameat2 is None:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            fn = libc.renameat2
            fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
            fn.restype = ctypes.c_int
            _renameat2 = fn
        except (OSError, AttributeError):
            _renameat2 = False
    if _renameat2 is False:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _remove_ours(p: Path) -> None:
    """Remove a directory of ours so that a kill at any point leaves it provably ours: the
    marker is written first and removed last."""
    with contextlib.suppress(OSError):
        (p / MARKER).touch()
    with contextlib.suppress(OSError):
        for e in os.listdir(p):
            if e != MARKER:
                q = p / e
                if q.is_dir() and not q.is_symlink():
                    shutil.rmtree(q, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        q.unlink()
    with contextlib.suppress(OSError):
        (p / MARKER).unlink()
    with contextlib.suppress(OSError):
        p.rmdir()


def _fsync_dir(path):
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ------------------------------------------------------------------------------ save
def save(parent, name: str, fill, *, complete: bool, lock_timeout: float = LOCK_TIMEOUT) -> Path:
    """Write a result directory ``<parent>/<name>/`` (or ``<name>.partial/``); return it.

    Parameters
    ----------
    parent : path
        The output place (created if missing).
    name : str
        One path component: the result directory's name.
    fill : callable
        ``fill(directory)`` writes the result's plain files into ``directory`` (a fresh
        temporary directory next to the target).
    complete : bool
        Recorded in the manifest. An incomplete result never replaces a complete one: it is
        written to ``<name>.partial`` instead.
    lock_timeout : float
        Seconds to wait for another writer of the same place.

    Raises
    ------
    TargetNotAResultError
        The target exists and is not a result of ours (nothing was written).
    ResultBusyError
        Another writer kept the lock longer than ``lock_timeout``.
    OutputPlaceError
        The place cannot be created or written.
    """
    if not isinstance(complete, bool):
        raise TypeError(f"complete={complete!r}: expected True or False")
    if not name or "/" in name or "\\" in name or "\0" in name or name in (".", ".."):
        raise ValueError(f"name={name!r}: expected one path component")
    parent = Path(parent)
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputPlaceError(f"{parent}: cannot create the output directory ({exc.strerror})") from None
    if not parent.is_dir():
        raise OutputPlaceError(f"{parent}: not a directory")
    with _locked(parent, name, lock_timeout):
        _remove_leftovers(parent, name)
        _remove_leftovers(parent, partial_name(name))
        name = _target_name(parent, name, complete)
        final = parent / name
        tmp = parent / f".{name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            os.mkdir(tmp)
        except OSError as exc:
            raise OutputPlaceError(f"{parent}: cannot write there ({exc.strerror})") from None
        try:
            (tmp / MARKER).write_bytes(b"")
            fill(tmp)
            files = {}
            for entry in sorted(os.listdir(tmp)):
                if entry == MARKER:
                    continue
                p = tmp / entry
                if p.is_symlink() or not p.is_file() or entry == MANIFEST:
                    raise ValueError(f"fill wrote {entry!r}: expected plain files only (not {MANIFEST})")
                fd = os.open(p, os.O_RDONLY)
                try:
                    os.fsync(fd)
                    size, digest = _sha256_file(fd)
                finally:
                    os.close(fd)
                files[entry] = {"size": size, "sha256": digest}
            manifest = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "complete": complete, "files": files}
            with open(tmp / (MANIFEST + ".tmp"), "wb") as f:
                f.write((json.dumps(manifest, indent=1) + "\n").encode())
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp / (MANIFEST + ".tmp"), tmp / MANIFEST)
            os.unlink(tmp / MARKER)
            _fsync_dir(tmp)
            if os.path.lexists(final):
                target_state(parent, name)  # still a result of ours (checked under the lock)
                if not _exchange(tmp, final):  # no renameat2: two renames (a reader may retry)
                    old = parent / f".{name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
                    os.rename(final, old)
                    os.rename(tmp, final)
                    tmp = old
            else:
                os.rename(tmp, final)
            _fsync_dir(parent)
        except OSError as exc:
            raise OutputPlaceError(f"{final}: cannot write the result ({exc.strerror or exc})") from exc
        finally:
            if os.path.lexists(tmp):  # the old result (after the exchange), or a failed attempt
                _remove_ours(tmp)
    return final


# ------------------------------------------------------------------------------ read
def read(path, names=None, *, missing_ok=None, retries: int = READ_RETRIES) -> tuple[dict, dict]:
    """Read a result directory consistently: ``(manifest, {file name: bytes})``.

    Every file listed in the manifest is checked (size and sha256); ``names`` selects which
    contents to return (default: all). A reader racing a replacement retries (the directory
    it opened was swapped out); anything else inconsistent raises
    :class:`InvalidResultError` naming the file.
    """
    path = Path(path)
    if re.fullmatch(r"\..+\.tmp-\d+-[0-9a-f]{8}", path.name):
        raise InvalidResultError(f"{path}: a temporary directory of an interrupted save, not a result (the next "
                                 "save into its place removes it)")
    for attempt in range(retries + 1):
        try:
            return _read_once(path, names, missing_ok)
        except _Raced:
            time.sleep(0.002 * (attempt + 1))
    raise InvalidResultError(f"{path}: kept changing while being read ({retries} retries); try again")


class _Raced(Exception):
    pass


def _read_once(path: Path, names, missing_ok=None):
    try:
        dfd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        raise InvalidResultError(f"{path}: no such result directory") from None
    except NotADirectoryError:
        raise InvalidResultError(f"{path}: not a result directory (a file)") from None
    except OSError as exc:
        raise InvalidResultError(f"{path}: cannot open ({exc.strerror})") from None

    def raced():
        try:
            return os.stat(path).st_ino != os.fstat(dfd).st_ino or os.fstat(dfd).st_nlink == 0
        except OSError:
            return True

    try:
        try:
            m = _read_manifest_at(dfd, path / MANIFEST)
        except InvalidResultError:
            if raced():
                raise _Raced from None
            raise
        out = {}
        for f, info in m["files"].items():
            try:
                fd = os.open(f, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dfd)
            except FileNotFoundError:
                if missing_ok is not None and missing_ok(f) and not raced():
                    continue
                if raced():
                    raise _Raced from None
                raise InvalidResultError(f"{path / f}: listed in {MANIFEST} but missing") from None
            except OSError as exc:
                if raced():
                    raise _Raced from None
                raise InvalidResultError(f"{path / f}: listed in {MANIFEST} but cannot be read "
                                         f"({exc.strerror})") from None
            try:
                want = names is None or f in names
                if want:
                    with os.fdopen(os.dup(fd), "rb") as fh:
                        data = fh.read()
                    size, digest = len(data), hashlib.sha256(data).hexdigest()
                else:
                    size, digest = _sha256_file(fd)
            finally:
                os.close(fd)
            if size != info["size"] or digest != info["sha256"]:
                if raced():
                    raise _Raced
                raise InvalidResultError(f"{path / f}: {size} bytes, sha256 {digest[:12]}..., but {MANIFEST} says "
                                         f"{info['size']} bytes, {info['sha256'][:12]}...: the file was changed or "
                                         "truncated")
            if want:
                out[f] = data
        missing = [n for n in (names or ()) if n not in m["files"]]
        if missing:
            raise InvalidResultError(f"{path / missing[0]}: missing (not listed in {MANIFEST})")
        return m, out
    finally:
        os.close(dfd)
