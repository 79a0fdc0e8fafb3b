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
    """Bytes of memory available to this process (MemAvailable on Linux)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


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
