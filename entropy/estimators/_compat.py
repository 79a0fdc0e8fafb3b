"""Old keyword names kept working for one release, with a DeprecationWarning."""

from __future__ import annotations

import warnings

__all__ = ["renamed"]


def renamed(new_value, old_value, *, new: str, old: str, default, stacklevel: int = 3):
    """Value of a renamed keyword: ``old_value`` (warned) if given, else ``new_value``.

    ``default`` is the new keyword's default: passing both names with different values is an
    error. Example: ``n_boot = renamed(n_boot, n_bootstrap, new="n_boot", old="n_bootstrap",
    default=200)``.
    """
    if old_value is None:
        return new_value
    warnings.warn(f"{old}= is deprecated, use {new}= (the old name goes in the next release)",
                  DeprecationWarning, stacklevel=stacklevel)
    if new_value != default and new_value != old_value:
        raise ValueError(f"{old}={old_value!r} and {new}={new_value!r}: give only {new}")
    return old_value
