r"""Per-time ensemble means of an observable, with standard errors.

The mean Boltzmann entropy of an urn, the coarse-grained entropy per site of a Kac ring or of
a lattice gas are averages over paths of a function of the recorded state, not entropies of
the ensemble's law: their estimator is the sample mean.
"""

from __future__ import annotations

import math

import numpy as np

from ._result import Profile

__all__ = ["mean_profile", "mean_profile_from_sums"]


def mean_profile(ensemble, per_state=None, *, quantity="mean", unit="", confidence=0.95, times=None, note=None,
                 n_states=None) -> Profile:
    r"""Ensemble mean :math:`\bar f(t) = \frac1M\sum_m f(X^{(m)}_t)` at every time, with its standard error.

    Parameters
    ----------
    ensemble : Ensemble, EnsembleCounts or array
        Discrete states (stored, streamed counts, or a ``(paths, times)`` integer array) when
        ``per_state`` is given; real values (a stored ensemble of real-valued records, or a
        ``(paths, times)`` float array) when it is not.
    per_state : array_like, optional
        ``per_state[x] = f(x)`` for every symbol ``x``; the mean is then computed from the
        per-time symbol counts (so streamed ensembles work).
    quantity, unit : str
        Name and unit of the observable (the unit of ``f``, e.g. ``"bits per site"``).
    confidence : float
        Level of the normal interval :math:`\bar f \pm z\,s/\sqrt M`.
    times : array_like, optional
        Times of a plain array's columns (default ``0 .. T-1``).
    note : str, optional
        Stored in ``extra["note"]``.

    Returns
    -------
    Profile
        ``stderr`` is :math:`s/\sqrt M` with the sample standard deviation :math:`s` (ddof = 1),
        ``method = "ensemble_mean"``, ``samples`` = M at every time.

    Notes
    -----
    Paths are independent, so the central limit theorem gives the interval; its coverage is
    that of a mean of M i.i.d. bounded values (accurate for the ensembles of thousands of
    paths the scenarios use).
    """
    if per_state is not None:
        from .profiles import symbol_counts

        t, counts = symbol_counts(ensemble, times=times, n_states=n_states)
        counts = np.asarray(counts)
        M = counts.sum(axis=1).astype(float)
        f = np.asarray(per_state, dtype=float)
        if f.shape != (counts.shape[1],):
            raise ValueError(f"per_state: expected one value per symbol ({counts.shape[1]}), got shape {f.shape}")
        mean = counts @ f / M
        var = np.clip(counts @ f**2 / M - mean**2, 0.0, None)
        se = np.sqrt(var / np.maximum(M - 1, 1))
        samples = M.astype(np.int64)
    else:
        states = getattr(ensemble, "states", ensemble)
        x = np.asarray(states, dtype=float)
        if x.ndim != 2:
            raise ValueError(f"ensemble: expected real values of shape (paths, times), got shape {x.shape}")
        t = np.asarray(getattr(ensemble, "times", np.arange(x.shape[1]) if times is None else times))
        M = x.shape[0]
        mean = x.mean(axis=0)
        se = x.std(axis=0, ddof=1) / math.sqrt(M) if M > 1 else np.zeros_like(mean)
        samples = np.full(mean.size, M)
    return Profile.from_stderr(quantity, t, mean, se, confidence=confidence, unit=unit, method="ensemble_mean",
                               samples=samples, extra={"note": note} if note else {})


def mean_profile_from_sums(count, total, total_sq, times, *, quantity="mean", unit="", confidence=0.95,
                           note=None) -> Profile:
    r"""Ensemble mean and its standard error from per-time running sums (a streamed run).

    With :math:`M` values per time, :math:`S_1 = \sum_m f_m` and :math:`S_2 = \sum_m f_m^2`:
    :math:`\bar f = S_1/M`, :math:`s^2 = (S_2 - M\bar f^2)/(M - 1)`, standard error
    :math:`s/\sqrt M`, normal interval. The same numbers as :func:`mean_profile` on the stored
    values (up to rounding). Infinite values (a sum containing inf) give an infinite mean.

    Parameters
    ----------
    count : int or array_like
        Values summed per time (the number of paths).
    total, total_sq : array_like
        Per-time sums of the values and of their squares.
    times : array_like
        Times relative to t0.
    """
    t = np.asarray(times)
    S1 = np.asarray(total, dtype=float)
    S2 = np.asarray(total_sq, dtype=float)
    M = np.broadcast_to(np.asarray(count, dtype=float), S1.shape)
    if S1.shape != t.shape or S2.shape != t.shape:
        raise ValueError(f"total, total_sq: expected one sum per time ({t.size}), got shapes {S1.shape}, {S2.shape}")
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = S1 / M
        var = np.clip((S2 - M * mean**2) / np.maximum(M - 1, 1), 0.0, None)
        se = np.sqrt(var / M)
    se = np.where(np.isfinite(mean), se, np.nan)
    return Profile.from_stderr(quantity, t, mean, se, confidence=confidence, unit=unit, method="ensemble_mean",
                               samples=M.astype(np.int64), extra={"note": note} if note else {})
