r"""Boltzmann's answer: low-entropy states as fluctuations of a stationary process.

In a long stationary run of a reversible system the coarse-grained entropy mostly sits near
its maximum and now and then dips. Boltzmann (1895, 1896) argued that, seen from a dip, the
entropy rises towards the future *and* towards the past: a dip is the bottom of a V, and
"the" arrow of time only points away from the nearest dip. :func:`fluctuation_aligned`
measures this directly: it finds the dips of a scalar entropy series below a threshold,
aligns windows on their minima and averages them, with standard errors.

For the Ehrenfest urn the answer is known exactly: conditioned on the state at the dip, the
future and the past are independent and (the chain being its own reversal) identically
distributed, so the profile :math:`E[S_B(n_t) \mid n_0]` is symmetric in ``t``
(:func:`ehrenfest_dip_profile`). The aligned average conditions on a little more (the dip is
the minimum of its excursion below the threshold), which deepens the V at small lags; both
are symmetric for a reversible process.

References
----------
Boltzmann, L. (1895), "On certain questions of the theory of gases", Nature 51, 413.
Boltzmann, L. (1896), *Vorlesungen über Gastheorie*, vol. I, sec. 90.
Lebowitz, J. L. (1993), "Boltzmann's entropy and time's arrow", Physics Today 46(9), 32.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ._kernels import models as _km
from ._units import check_base, check_positive_int, check_seed, unit_name
from .processes.ehrenfest import Ehrenfest
from .processes.kac import KacRing
from .simulation import InsufficientMemoryError, available_memory, simulate

__all__ = [
    "AlignedAverage",
    "StationaryRun",
    "fluctuation_aligned",
    "stationary_run",
    "dip_state_law",
    "ehrenfest_dip_profile",
]

TIES = ("random", "first", "last")


@dataclass(frozen=True, eq=False)
class AlignedAverage:
    """Windows of a series aligned on its dips, and their average.

    Attributes
    ----------
    lags : ndarray of int
        ``-window .. window`` (steps from the dip).
    mean, stderr : ndarray
        Average over events of ``series[position + lag]`` and its standard error (see
        :func:`fluctuation_aligned`); NaN without events / with fewer than 2 clusters.
    events : int
        Number of dips used.
    positions : ndarray of int
        Index of every dip in the series.
    windows : ndarray, shape (events, len(lags)), or None
        The aligned windows themselves (None with ``keep_windows=False``).
    threshold : float
        The threshold used.
    """

    lags: np.ndarray
    mean: np.ndarray
    stderr: np.ndarray
    events: int
    positions: np.ndarray
    windows: np.ndarray | None
    threshold: float
    extra: dict = field(default_factory=dict)

    def __repr__(self):
        return (f"AlignedAverage({self.events} events below {self.threshold:g}, "
                f"lags {self.lags[0]}..{self.lags[-1]})")


class StationaryRun(NamedTuple):
    """A long stationary run: the recorded states and the coarse-grained entropy series."""

    states: np.ndarray
    entropy: np.ndarray
    unit: str


def _check_series(series):
    x = np.asarray(series)
    if x.ndim != 1 or x.dtype.kind not in "iuf":
        raise ValueError(f"series: expected a 1-D array of real numbers, got {x.dtype} array of shape {x.shape}")
    x = x.astype(float, copy=False)
    bad = np.flatnonzero(~np.isfinite(x))
    if bad.size:
        raise ValueError(f"series[{bad[0]}]={float(x[bad[0]])!r}: expected finite values")
    return x


def fluctuation_aligned(series, threshold, window, *, separation=None, ties="random", seed=0,
                        keep_windows=True):
    r"""Average a stationary series around its dips below ``threshold``.

    A *dip* is the minimum of one excursion of ``series`` at or below ``threshold`` (a
    maximal run of consecutive values ``<= threshold``), hence a local minimum. Dips whose
    window would reach past either end of the series are dropped; of dips closer than
    ``separation`` to each other only the deepest is kept (deepest first; equal depths in
    random order), so no excursion is counted twice. The windows ``series[i - window .. i +
    window]`` around the kept dips ``i`` are stacked and averaged:

    .. math:: \bar S(k) = \frac1M \sum_{e=1}^{M} S_{i_e + k}, \qquad
              \mathrm{se}(k)^2 = \frac{G}{G - 1} \frac{1}{M^2}
              \sum_{g=1}^{G} \Big(\sum_{e \in g} (S_{i_e + k} - \bar S(k))\Big)^2,

    a cluster-robust standard error (Liang & Zeger 1986, Biometrika 73, 13) over the ``G``
    groups of events whose windows overlap (dips at most ``2 window`` apart), which share
    values; groups are treated as independent (nearly true when they lie further apart than
    the relaxation time). With no overlaps it is the usual sample standard deviation over
    events divided by :math:`\sqrt M`. The number of groups is ``extra["clusters"]``.

    Parameters
    ----------
    series : array_like, 1-D
        A scalar coarse-grained entropy (or any observable) of one long stationary run.
    threshold : float
        Dips are excursions at or below this value.
    window : int
        Half-width of the aligned windows (lags ``-window .. window``).
    separation : int, optional
        Minimum distance between kept dips (default ``window``).
    ties : {"random", "first", "last"}
        Which index of an excursion's minimum is the dip when the minimum is attained more
        than once. ``"random"`` (drawn with ``seed``) keeps the selection invariant in law
        under time reversal, so a reversible process gives a symmetric average; "first" and
        "last" bias it (the minimum is then the first / last visit).
    seed : int
        Seed of the tie-breaking.
    keep_windows : bool
        Return the aligned windows (``events x (2 window + 1)`` floats) in the result; False
        computes the mean and standard error lag by lag without building them.

    Returns
    -------
    AlignedAverage

    References
    ----------
    Boltzmann, L. (1895), Nature 51, 413 (the "H-curve"). Lebowitz (1993), Physics Today 46, 32.
    """
    x = _check_series(series)
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) or not math.isfinite(threshold):
        raise ValueError(f"threshold={threshold!r}: expected a finite real number")
    window = check_positive_int(window, "window")
    separation = window if separation is None else check_positive_int(separation, "separation")
    if ties not in TIES:
        raise ValueError(f"ties={ties!r}: expected one of {', '.join(map(repr, TIES))}")
    if x.size < 2 * window + 1:
        raise ValueError(f"window={window!r}: the series has {x.size} values, fewer than the "
                         f"2 * window + 1 = {2 * window + 1} of one aligned window")
    rng = np.random.default_rng(check_seed(seed, fresh=False))

    below = np.zeros(x.size + 2, np.int8)
    below[1:-1] = x <= threshold
    edges = np.diff(below)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)  # exclusive
    if starts.size:
        # minimum of each run: reduceat over [s0, e0), [e0, s1), [s1, e1), ... keeps every other
        bounds = np.empty(2 * starts.size, np.int64)
        bounds[0::2] = starts
        bounds[1::2] = ends
        run_min = np.minimum.reduceat(np.append(x, np.inf), bounds)[0::2]
        idx = np.flatnonzero(below[1:-1])  # in run order: run k contributes ends[k] - starts[k] indices
        rid = np.repeat(np.arange(starts.size), ends - starts)
        at_min = x[idx] == run_min[rid]
        idx, rid = idx[at_min], rid[at_min]  # sorted, so each run's minima are contiguous
        first = np.flatnonzero(np.concatenate(([True], rid[1:] != rid[:-1])))
        count = np.diff(np.append(first, idx.size))
        if ties == "first":
            pick = first
        elif ties == "last":
            pick = first + count - 1
        else:
            pick = first + np.minimum((rng.random(first.size) * count).astype(np.int64), count - 1)
        dips = idx[pick]
    else:
        dips = np.zeros(0, np.int64)
    dips = dips[(dips >= window) & (dips < x.size - window)]
    # deepest first, equal depths in random order (shuffle, then a stable sort by depth);
    # keep a dip if no kept one is closer than separation
    perm = rng.permutation(dips.size)
    cand = dips[perm[np.argsort(x[dips[perm]], kind="stable")]].astype(np.int64)
    keep = np.zeros(cand.size, bool)
    _km.select_separated(cand, separation, keep)
    positions = np.sort(cand[keep])
    lags = np.arange(-window, window + 1)
    M = positions.size
    if keep_windows:
        need = M * lags.size * 8
        if need > available_memory():
            raise InsufficientMemoryError(
                f"fluctuation_aligned: the {M} x {lags.size} aligned windows need {need / 2**30:.1f} GiB; "
                "pass keep_windows=False (mean and stderr only) or a smaller window")
        windows = x[positions[:, None] + lags[None, :]]
    else:
        windows = None
    # cluster-robust standard error: events whose windows overlap (dips <= 2 window apart)
    # share values, so they form one cluster; clusters are treated as independent
    new_cluster = np.ones(M, bool)
    new_cluster[1:] = np.diff(positions) > 2 * window
    starts_c = np.flatnonzero(new_cluster)
    C = starts_c.size
    mean = np.full(lags.size, np.nan)
    stderr = np.full(lags.size, np.nan)
    for j, k in enumerate(lags):  # one lag at a time: O(M) scratch memory
        if M == 0:
            break
        v = windows[:, j] if windows is not None else x[positions + k]
        mean[j] = v.mean()
        if C > 1:
            sums = np.add.reduceat(v - mean[j], starts_c)
            stderr[j] = math.sqrt(C / (C - 1) * float(np.sum(sums**2))) / M
    return AlignedAverage(lags=lags, mean=mean, stderr=stderr, events=M, positions=positions,
                          windows=windows, threshold=float(threshold), extra={"clusters": C})


def stationary_run(process, length, seed=None, base=2):
    r"""One long stationary run of an Ehrenfest urn or a Kac ring, with its entropy series.

    * :class:`~entropy.processes.ehrenfest.Ehrenfest`: ``n_0`` drawn from the binomial
      stationary law, then the chain (macro- or microstate mode as configured); entropy
      :math:`S_B(n_t) = \log\binom{N}{n_t}`.
    * :class:`~entropy.processes.kac.KacRing` (``ensemble="fixed"``): the colouring at t0
      drawn uniformly (fair coins, from ``seed``), which is invariant under the ring map; the
      entropy is the coarse-grained entropy per site :math:`H_2(B_t / N)`. The run is
      periodic with the ring's recurrence time (``N`` or ``2N`` steps).

    Parameters
    ----------
    process : Ehrenfest or KacRing
    length : int
        Number of values (``length - 1`` steps).
    seed : int, optional
        Seed of the run (``None``: fresh).
    base : float
        Unit of the entropy series (2 = bits).

    Returns
    -------
    StationaryRun
        ``states`` (the recorded symbol: balls in A, or black balls), ``entropy`` and ``unit``.
    """
    b = check_base(base)
    length = check_positive_int(length, "length")
    seed = check_seed(seed)
    if isinstance(process, Ehrenfest):
        ens = simulate(process, process.stationary_distribution, forward=length - 1, paths=1, seed=seed)
        states = ens.states[0]
        entropy = process.boltzmann_entropy(states, base=b)
    elif isinstance(process, KacRing):
        if process.ensemble != "fixed":
            raise ValueError("process: stationary_run needs a KacRing with ensemble='fixed' (one ring)")
        colours = np.random.default_rng(seed).random(process.sites) < 0.5
        ens = simulate(process, colours, forward=length - 1, paths=1, seed=seed)
        states = ens.states[0]
        entropy = process.coarse_entropy(states, base=b)
    else:
        raise ValueError(f"process={process!r}: expected an Ehrenfest urn or a KacRing")
    return StationaryRun(states=states, entropy=np.asarray(entropy, dtype=float), unit=unit_name(b))


def dip_state_law(states, positions, n_states):
    """Empirical law of the recorded state at the dips (``states[positions]``), length ``n_states``."""
    s = np.asarray(states)[np.asarray(positions, dtype=np.int64)]
    if s.size == 0:
        raise ValueError("positions: no dips given; the law of the state at the dips is undefined")
    return np.bincount(s.astype(np.int64), minlength=n_states)[:n_states] / s.size


def ehrenfest_dip_profile(urn, dip, lags, base=2):
    r"""Exact two-sided profile :math:`E[S_B(n_{t}) \mid n_0]` around a dip of an Ehrenfest urn.

    For the stationary chain conditioned on :math:`n_0` (a state, or a law over states: a
    mixture), the future and the past are independent Markov chains started from
    :math:`n_0`; the urn being its own reversal, both have the law
    :math:`p_{|t|} = p_0 P^{|t|}`. Hence

    .. math:: E[S_B(n_t) \mid n_0] = \sum_n (p_0 P^{|t|})(n) \log\binom{N}{n},

    symmetric in ``t``. Computed with :meth:`Ehrenfest.marginals`.

    Parameters
    ----------
    urn : Ehrenfest
    dip : int or array_like
        State at the dip, or a law over ``0..N`` (e.g. :func:`dip_state_law`).
    lags : array_like of int
        Lags from the dip (either sign).
    base : float
        Unit (2 = bits).

    Returns
    -------
    ndarray
        The profile at ``lags``, in units of ``base``.
    """
    if not isinstance(urn, Ehrenfest):
        raise ValueError(f"urn={urn!r}: expected an Ehrenfest urn")
    b = check_base(base)
    lags = np.asarray(lags)
    if lags.dtype.kind not in "iu":
        raise ValueError(f"lags={lags!r}: expected integer lags")
    K = int(np.abs(lags).max()) if lags.size else 0
    _, p = urn.marginals(dip, forward=K)
    S = urn.boltzmann_entropy(np.arange(urn.balls + 1), base=b)
    return (p @ S)[np.abs(lags)]
