"""Entropy estimators for discrete data given as counts.

All functions take counts of symbols (or a joint counts table) and are vectorised over an
axis: a table of counts per time, shape ``(T, K)``, with ``axis=-1`` gives ``T`` values.
Everything is computed in nats and converted to units of ``base`` once, at the end.

Methods of :func:`shannon` (``method=``):

========================  ===================================================================
``"plugin"``              maximum likelihood (plug-in) estimate :math:`-\\sum_i \\hat p_i \\ln \\hat p_i`
``"miller_madow"``        plug-in + :math:`(K_{obs} - 1) / (2N)`
``"grassberger"``         Grassberger (2003), :math:`\\ln N - \\frac1N \\sum_i n_i G(n_i)`
``"chao_shen"``           coverage-adjusted Horvitz-Thompson estimate (Chao & Shen 2003)
``"jackknife"``           delete-one jackknife over samples, computed from counts in O(K)
``"nsb"``                 Nemenman, Shafee & Bialek (2002) Bayesian estimate (posterior mean)
========================  ===================================================================
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from scipy import special

from .._units import check_base

__all__ = [
    "shannon",
    "relative_entropy",
    "mutual_information_counts",
    "conditional_entropy_counts",
    "METHODS",
]


# ---------------------------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------------------------


def _as_counts(counts, name: str = "counts") -> np.ndarray:
    """Validate counts (non-negative whole numbers, non-empty) and return them as float64.

    float64 holds every integer exactly up to 2**53 (about 9e15), far above the counts seen
    in practice; the arithmetic of every estimator is done in floating point anyway.
    """
    arr = np.asarray(counts)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name}: expected an array of non-negative integer counts, got dtype {arr.dtype}")
    if arr.ndim == 0:
        raise ValueError(f"{name}={arr.item()!r}: expected an array with at least one dimension")
    if arr.size == 0:
        raise ValueError(f"{name}: expected a non-empty array, got shape {arr.shape}")
    x = arr.astype(np.float64, copy=False)
    if arr.dtype.kind == "f":
        _raise_at(arr, ~np.isfinite(x), name, "expected finite counts")
        _raise_at(arr, x != np.round(x), name, "expected integer counts (whole numbers)")
    if arr.dtype.kind in "if":
        _raise_at(arr, x < 0, name, "expected non-negative counts")
    return x


def _raise_at(arr, bad, name, what):
    """Raise ValueError naming the first entry of ``arr`` where ``bad`` holds, if any."""
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        where = idx[0] if len(idx) == 1 else idx
        raise ValueError(f"{name}[{where}]={arr[idx].item()!r}: {what}")


def _check_method(method) -> str:
    if not isinstance(method, str) or method not in _METHODS:
        raise ValueError(f"method={method!r}: expected one of {', '.join(repr(m) for m in _METHODS)}")
    return method


def _check_alphabet_size(alphabet_size, k_observed: int, method: str):
    if alphabet_size is None:
        if method == "nsb":
            raise ValueError(
                "alphabet_size=None: method='nsb' needs the size K of the alphabet (number of possible symbols)"
            )
        return None
    if isinstance(alphabet_size, bool) or not isinstance(alphabet_size, (numbers.Integral, float, np.floating)):
        raise ValueError(f"alphabet_size={alphabet_size!r}: expected an integer >= 1")
    if isinstance(alphabet_size, (float, np.floating)) and not float(alphabet_size).is_integer():
        raise ValueError(f"alphabet_size={alphabet_size!r}: expected an integer >= 1")
    k = int(alphabet_size)
    if k < 1:
        raise ValueError(f"alphabet_size={alphabet_size!r}: expected an integer >= 1")
    if k < k_observed:
        raise ValueError(
            f"alphabet_size={alphabet_size!r} is smaller than the number of observed symbols ({k_observed})"
        )
    return k


def _rowsum(values, rows, n_rows):
    """Sum ``values`` per row index (sparse entries of a 2-D table)."""
    return np.bincount(rows, weights=values, minlength=n_rows)


def _nonzero(x):
    """Row indices and values of the positive entries of a 2-D counts table."""
    rows, cols = np.nonzero(x)
    return rows, x[rows, cols]


# ---------------------------------------------------------------------------------------------
# estimators: each takes x (M, L) float64 counts whose rows all have a positive total N (M,),
# and the alphabet size (int or None); returns (H, stderr) in nats, arrays of shape (M,)
# ---------------------------------------------------------------------------------------------


def _plugin_moments(x, n):
    """Plug-in entropy and its delta-method standard error, in nats."""
    rows, v = _nonzero(x)
    p = v / n[rows]
    lp = np.log(p)
    h = -_rowsum(p * lp, rows, len(n))
    # sum p ln^2 p - H^2, written centred so it cannot go negative by cancellation
    var = _rowsum(p * (lp + h[rows]) ** 2, rows, len(n)) / n
    return h, np.sqrt(var), rows, v


def _plugin(x, n, k):
    h, se, _, _ = _plugin_moments(x, n)
    return h, se


def _miller_madow(x, n, k):
    h, se, rows, _ = _plugin_moments(x, n)
    k_obs = np.bincount(rows, minlength=len(n))
    return h + (k_obs - 1) / (2.0 * n), se


def _grassberger_g(v):
    """Grassberger's G(n) = psi(n) + (-1)^n / 2 * (psi((n+1)/2) - psi(n/2)), n >= 1."""
    sign = np.where(np.fmod(v, 2.0) == 0.0, 1.0, -1.0)
    return special.digamma(v) + 0.5 * sign * (special.digamma((v + 1.0) / 2.0) - special.digamma(v / 2.0))


def _grassberger(x, n, k):
    _, se, rows, v = _plugin_moments(x, n)
    h = np.log(n) - _rowsum(v * _grassberger_g(v), rows, len(n)) / n
    return h, se


def _chao_shen(x, n, k):
    _, se, rows, v = _plugin_moments(x, n)
    f1 = np.bincount(rows, weights=(v == 1.0).astype(float), minlength=len(n))
    f1 = np.where(f1 == n, n - 1.0, f1)  # singleton-only sample: coverage would be 0
    coverage = 1.0 - f1 / n
    pa = coverage[rows] * v / n[rows]
    with np.errstate(divide="ignore"):
        # inclusion probability 1 - (1 - pa)^N, computed without forming (1 - pa)^N by powers
        incl = -np.expm1(n[rows] * np.log1p(-pa))
    h = -_rowsum(pa * np.log(pa) / incl, rows, len(n))
    return h, se


def _jackknife_d(v):
    """d(n) = n ln n - (n-1) ln(n-1), written as ln n - (n-1) ln(1 - 1/n) (no cancellation)."""
    v = np.asarray(v, dtype=float)
    out = np.zeros_like(v)
    big = v > 1.0
    w = v[big]
    out[big] = np.log(w) - (w - 1.0) * np.log1p(-1.0 / w)
    return out


def _jackknife(x, n, k):
    rows, v = _nonzero(x)
    d = _jackknife_d(v)
    dbar = _rowsum(v * d, rows, len(n)) / n
    h = _jackknife_d(n) - dbar
    with np.errstate(divide="ignore", invalid="ignore"):
        var = _rowsum(v * (d - dbar[rows]) ** 2, rows, len(n)) / (n * (n - 1.0))
    single = n < 2
    h = np.where(single, np.nan, h)
    var = np.where(single, np.nan, var)
    return h, np.sqrt(var)


_METHODS = {
    "plugin": _plugin,
    "miller_madow": _miller_madow,
    "grassberger": _grassberger,
    "chao_shen": _chao_shen,
    "jackknife": _jackknife,
}

#: Names accepted by ``shannon(method=...)``.
METHODS = tuple(_METHODS)


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------


def shannon(counts, method="plugin", base=2, axis=-1, alphabet_size=None, return_stderr=False):
    r"""Shannon entropy of a discrete law estimated from counts of its symbols.

    Parameters
    ----------
    counts : array_like of int
        Non-negative whole numbers (integer or float dtype), the number of times each
        symbol was seen. Any shape; the symbols run along ``axis``. Zeros are allowed
        (symbols not seen).
    method : str, optional
        Estimator: ``"plugin"`` (default), ``"miller_madow"``, ``"grassberger"``,
        ``"chao_shen"``, ``"jackknife"`` or ``"nsb"``. See Notes.
    base : float, optional
        Base of the logarithm: 2 (default) gives bits, ``math.e`` nats.
    axis : int, optional
        Axis of ``counts`` along which the symbols run (default: the last). For a table of
        counts per time, shape ``(T, K)``, the default gives ``T`` values.
    alphabet_size : int, optional
        Number ``K`` of possible symbols, observed or not. Required by ``"nsb"``; the other
        methods only check that it is at least the number of observed symbols.
    return_stderr : bool, optional
        Also return a standard error of each value (see Notes).

    Returns
    -------
    values : float or ndarray
        Entropy estimates in units of ``base``, of the shape of ``counts`` without
        ``axis`` (a NumPy scalar for 1-D input). A slice whose total count is zero gives
        NaN (an empty profile at some time is not an error); ``"jackknife"`` also gives
        NaN for a slice with a single sample (nothing is left after deleting it).
    stderr : float or ndarray
        Only if ``return_stderr``: standard error, same shape and unit as ``values``.

    Raises
    ------
    ValueError
        If ``counts`` is empty, has negative, non-finite or non-integer entries; if
        ``method`` is unknown; if ``"nsb"`` is asked without ``alphabet_size``; if
        ``alphabet_size`` is below the number of observed symbols; if ``base`` is not a
        real number > 0 and != 1.

    Notes
    -----
    With counts :math:`n_i`, :math:`N = \sum_i n_i`, :math:`\hat p_i = n_i / N`, and
    :math:`K_{obs}` the number of symbols with :math:`n_i > 0` (all sums run over those):

    * ``plugin``: :math:`\hat H = -\sum_i \hat p_i \ln \hat p_i`, the maximum-likelihood
      estimate, biased downwards by about :math:`(K-1)/(2N)`.
    * ``miller_madow``: :math:`\hat H + (K_{obs} - 1)/(2N)` [1]_.
    * ``grassberger``: :math:`\ln N - \frac{1}{N}\sum_i n_i G(n_i)` with
      :math:`G(n) = \psi(n) + \tfrac12 (-1)^n \left[\psi(\tfrac{n+1}{2}) -
      \psi(\tfrac{n}{2})\right]`, which equals
      :math:`\psi(n) + (-1)^n \int_0^1 t^{n-1}/(1+t)\,dt`. This is the estimator of eq. (35)
      of Grassberger (2003) [2]_ (its improved variant, not the 1988 one with
      :math:`\psi(n) + (-1)^n/(n(n+1))`).
    * ``chao_shen``: with :math:`f_1` the number of singletons (set to :math:`N-1` when
      every symbol is a singleton, :math:`f_1 = N`), the coverage
      :math:`C = 1 - f_1/N` and :math:`p^a_i = C \hat p_i`,
      :math:`\hat H = -\sum_i p^a_i \ln p^a_i / (1 - (1 - p^a_i)^N)` [3]_.
    * ``jackknife``: :math:`\hat H_{JK} = N \hat H - \frac{N-1}{N}\sum_{j=1}^N \hat H_{-j}`
      where :math:`\hat H_{-j}` is the plug-in estimate without sample :math:`j` [4]_.
      Deleting a sample of symbol :math:`i` gives the same :math:`\hat H_{-j}` for all
      :math:`n_i` such samples, so the sum runs over symbols; it simplifies to
      :math:`\hat H_{JK} = d(N) - \frac1N \sum_i n_i d(n_i)` with
      :math:`d(n) = n\ln n - (n-1)\ln(n-1)`, O(K) work.
    * ``nsb``: posterior mean of the entropy under the prior of Nemenman, Shafee & Bialek
      [5]_: a mixture of symmetric Dirichlet priors whose concentration :math:`\beta` is
      weighted so that the prior expected entropy
      :math:`\xi(\beta) = \psi(K\beta + 1) - \psi(\beta + 1)` is uniform on
      :math:`[0, \ln K]`. See :func:`_nsb` for the numerics.

    Standard errors (``return_stderr=True``):

    * ``plugin``, ``miller_madow``, ``grassberger``, ``chao_shen``: the delta-method
      (asymptotic) standard error of the plug-in estimate,
      :math:`\sqrt{(\sum_i \hat p_i \ln^2 \hat p_i - \hat H^2)/N}`, with the plug-in
      :math:`\hat p` and :math:`\hat H`; the corrections change the bias, not the leading
      order of the variance.
    * ``jackknife``: the jackknife standard error,
      :math:`\sqrt{\frac{N-1}{N}\sum_j (\hat H_{-j} - \bar H_{-\cdot})^2}`.
    * ``nsb``: the posterior standard deviation of the entropy.

    All are converted to units of ``base``.

    References
    ----------
    .. [1] G. A. Miller, "Note on the bias of information estimates", in *Information
       Theory in Psychology*, Free Press (1955), 95-100.
    .. [2] P. Grassberger, "Entropy estimates from insufficient samplings",
       arXiv:physics/0307138 (2003).
    .. [3] A. Chao and T.-J. Shen, "Nonparametric estimation of Shannon's index of
       diversity when there are unseen species in sample", *Environ. Ecol. Stat.* 10,
       429-443 (2003).
    .. [4] S. Zahl, "Jackknifing an index of diversity", *Ecology* 58, 907-913 (1977).
    .. [5] I. Nemenman, F. Shafee and W. Bialek, "Entropy and inference, revisited",
       *Advances in Neural Information Processing Systems* 14 (2002), arXiv:physics/0108025.

    Examples
    --------
    >>> float(shannon([1, 1]))
    1.0
    >>> shannon([[4, 0], [2, 2]], method="plugin")  # one value per row
    array([0., 1.])
    >>> float(shannon([5, 0, 3], method="miller_madow", base=math.e))  # doctest: +ELLIPSIS
    0.7240...
    """
    method = _check_method(method)
    b = check_base(base)
    x = _as_counts(counts)
    x = np.moveaxis(x, axis, -1)
    out_shape = x.shape[:-1]
    x = x.reshape(-1, x.shape[-1])
    k_obs = int(np.count_nonzero(x, axis=1).max())
    k = _check_alphabet_size(alphabet_size, k_obs, method)

    n = x.sum(axis=1)
    ok = n > 0
    h = np.full(len(n), np.nan)
    se = np.full(len(n), np.nan)
    if ok.any():
        xs = x if ok.all() else x[ok]
        h[ok], se[ok] = _METHODS[method](xs, n[ok], k)
    scale = 1.0 / math.log(b)
    h = (h * scale + 0.0).reshape(out_shape)[()]  # + 0.0 turns -0.0 into 0.0
    if not return_stderr:
        return h
    return h, (se * scale).reshape(out_shape)[()]
