"""Errors shared by every layer, and the memory check that raises one.

This module sits below everything (it imports only the standard library), so estimators
on user arrays and :func:`entropy.simulate` refuse oversized work with the same error.
"""

from __future__ import annotations

import os

__all__ = ["InsufficientMemoryError", "available_memory", "format_bytes", "check_memory"]


class InsufficientMemoryError(MemoryError):
    """A requested array would not fit in the memory available."""


def available_memory() -> int:
    """Bytes of memory this process can still allocate.

    The smallest of: ``MemAvailable`` (Linux; ``SC_AVPHYS_PAGES`` elsewhere), the cgroup's
    ``memory.max`` less its ``memory.current`` (containers), and the address-space limit
    (``ulimit -v``, ``RLIMIT_AS``) less the address space already mapped.
    """
    avail = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    avail = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        pass
    if avail is None:
        try:
            avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            avail = 8 * 2**30
    limits = [avail]
    try:
        with open("/sys/fs/cgroup/memory.max") as f:
            cap = f.read().strip()
        if cap != "max":
            with open("/sys/fs/cgroup/memory.current") as f:
                limits.append(int(cap) - int(f.read().strip()))
    except (OSError, ValueError):
        pass
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
        if soft != resource.RLIM_INFINITY:
            with open("/proc/self/statm") as f:
                mapped = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            limits.append(soft - mapped)
    except (ImportError, OSError, ValueError, IndexError):
        pass
    return max(0, min(limits))


def format_bytes(n: float) -> str:
    """``1536`` -> ``'1.5 KiB'``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.1f} {unit}"
        n /= 1024


def check_memory(need: float, what: str, advice: str = "", available: float | None = None) -> None:
    """Raise :class:`InsufficientMemoryError` naming ``what``, the bytes needed and available,
    if ``need`` bytes exceed the memory available (before anything is allocated)."""
    have = available_memory() if available is None else available
    if need > have:
        raise InsufficientMemoryError(
            f"{what} needs {format_bytes(need)}, but only {format_bytes(have)} is available"
            + (f"; {advice}" if advice else ""))
