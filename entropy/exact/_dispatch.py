"""The one entry point of exact references; each family's module registers its process types."""

from __future__ import annotations

import functools

from ._types import ExactProfiles

__all__ = ["profiles", "has_profiles", "register"]


@functools.singledispatch
def profiles(process, start, *, forward: int, backward: int = 0, dt=None, base=2, history: int = 1) -> ExactProfiles:
    r"""Exact per-time references of ``process`` started from ``start`` at t0, on both arms.

    Parameters
    ----------
    process : a process object
        A :class:`~entropy.MarkovChain`, :class:`~entropy.Ehrenfest`, :class:`~entropy.KacRing`,
        :class:`~entropy.HiddenMarkovModel`, :class:`~entropy.LatticeGas`,
        :class:`~entropy.BrownianMotion`, :class:`~entropy.OrnsteinUhlenbeck` or
        :class:`~entropy.Langevin` (and any family that registered itself).
    start
        The t0 state or law, as for :func:`entropy.simulate`.
    forward, backward : int
        Steps after and before t0.
    dt : float, optional
        Time step (diffusions and other continuous-time processes).
    base : float
        Logarithm base of every curve (2 = bits).
    history : int
        History length k of the estimated rates and excess entropy, for families whose
        stationary references depend on it (hidden Markov models).

    Returns
    -------
    ExactProfiles
        ``curves[q]`` at ``times`` for every quantity ``q`` known exactly; references, labels,
        notes. Which curves exist depends on the family (see each registered function).

    Raises
    ------
    TypeError
        For a process type with no registered exact reference.
    """
    raise TypeError(f"process={process!r}: no exact reference is registered for {type(process).__name__} "
                    "(entropy.exact.profiles.register)")


def has_profiles(process) -> bool:
    """True when :func:`profiles` has a reference registered for ``type(process)``."""
    return profiles.dispatch(type(process)) is not profiles.dispatch(object)


def register(cls, fn=None, *, needs_dt=False):
    """Register ``fn(process, start, *, forward, backward, base, history[, dt]) -> ExactProfiles`` for ``cls``.

    Usable as a decorator (``@register(MyProcess)``). ``needs_dt``: pass ``dt`` on (continuous-time
    processes).
    """
    def deco(f):
        @profiles.register(cls)
        def _(process, start, *, forward, backward=0, dt=None, base=2, history=1):
            kw = {"dt": dt} if needs_dt else {}
            return f(process, start, forward=forward, backward=backward, base=base, history=history, **kw)

        return f

    return deco if fn is None else deco(fn)
