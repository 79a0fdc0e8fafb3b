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
import warnings

import numpy as np
from scipy import special

from .._units import check_base, check_confidence, unit_name
from ._result import Estimate

__all__ = [
    "shannon",
    "shannon_from_samples",
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
    _reject_complex(arr, name)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name}: expected an array of non-negative integer counts, got dtype {arr.dtype}")
    if arr.ndim == 0:
        raise ValueError(f"{name}={arr.item()!r}: expected an array with at least one dimension")
    if arr.size == 0:
        raise ValueError(f"{name}: expected a non-empty array, got shape {arr.shape}")
    x = arr.astype(np.float64, copy=False)
    if arr.dtype.kind == "f":
        _raise_at(arr, ~np.isfinite(x), name, "expected finite counts")
        hint = (" (for probabilities pass input='probabilities'; for raw observations, "
                "shannon_from_samples or input='samples')") if name == "counts" else ""
        _raise_at(arr, x != np.round(x), name, "expected integer counts (whole numbers)" + hint)
    if arr.dtype.kind in "if":
        _raise_at(arr, x < 0, name, "expected non-negative counts")
    return x


def _reject_complex(arr, name):
    """TypeError naming the argument for complex input (never truncated silently); shared by
    every estimator module."""
    arr = np.asarray(arr)
    if arr.dtype.kind == "c" or (arr.dtype.kind == "O" and any(isinstance(v, complex) for v in arr.flat)):
        raise TypeError(f"{name}: complex values are not supported (got dtype {arr.dtype}); expected real numbers")


def _check_axis(axis, ndim, name="axis"):
    """Validate an axis argument: an integer in [-ndim, ndim)."""
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"{name}={axis!r}: expected an integer in [{-ndim}, {ndim - 1}]")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}={axis!r}: axis {axis} is out of bounds for an array of {ndim} dimension(s); "
                         f"expected an integer in [{-ndim}, {ndim - 1}]")
    return int(axis)


#: Largest alphabet size accepted (word alphabets beyond it do not fit int64 codes anyway).
MAX_ALPHABET = 2**62


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


def _check_alphabet_size(alphabet_size, x, method: str):
    """Validate ``alphabet_size`` against the counts table ``x`` (M, L); return it as int."""
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
    if isinstance(alphabet_size, (float, np.floating)) and not math.isfinite(alphabet_size):
        raise ValueError(f"alphabet_size={alphabet_size!r}: expected an integer in [1, 2**62]")
    k = int(alphabet_size)
    if k < 1:
        raise ValueError(f"alphabet_size={alphabet_size!r}: expected an integer >= 1")
    if k > MAX_ALPHABET:
        raise ValueError(f"alphabet_size={alphabet_size!r}: too large, expected an integer in [1, 2**62]")
    k_observed = int(np.count_nonzero(x, axis=-1).max())
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
    """Plug-in entropy and its standard error to second order, in nats.

    Var = (sum p ln^2 p - H^2) / N + (K_obs - 1) / (2 N^2) (Harris 1975): the first term is
    the delta method, the second the variance of the chi-square law of 2N(ln K - H) that
    takes over where the first vanishes (uniform laws).
    """
    rows, v = _nonzero(x)
    p = v / n[rows]
    lp = np.log(p)
    h = -_rowsum(p * lp, rows, len(n))
    # sum p ln^2 p - H^2, written centred so it cannot go negative by cancellation
    var = _rowsum(p * (lp + h[rows]) ** 2, rows, len(n)) / n
    k_obs = np.bincount(rows, minlength=len(n))
    var += second_order_variance(k_obs - 1, n)
    return h, np.sqrt(var), rows, v


def second_order_variance(df, n):
    """Second-order variance term ``df / (2 N^2)`` of a plug-in entropy, conditional entropy or
    mutual information (in nats^2): the variance of ``chi2(df) / (2N)``, the law of the
    estimate's deviation where the delta-method (first-order) term vanishes. ``df`` is the
    number of free cells: ``K_obs - 1`` for H, ``K_xy - K_y`` for H(X|Y),
    ``(K_x - 1)(K_y - 1)`` for I(X;Y) (Harris 1975; Paninski 2003, sec. 3)."""
    df = np.maximum(np.asarray(df, dtype=float), 0.0)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return df / (2.0 * n * n)


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


# ---------------------------------------------------------------------------------------------
# NSB
# ---------------------------------------------------------------------------------------------

# Stirling series of ln Gamma(z) - [(z - 1/2) ln z - z + ln(2 pi)/2]: coefficients of z^-1, -3, -5, -7
_STIRLING = (1.0 / 12.0, -1.0 / 360.0, 1.0 / 1260.0, -1.0 / 1680.0)
# psi_1(z) - 1/z = 1/(2z^2) + sum_k B_2k / z^(2k+1): coefficients of z^-2, -3, -5, -7, -9, -11
_TRIGAMMA = (0.5, 1.0 / 6.0, -1.0 / 30.0, 1.0 / 42.0, -1.0 / 30.0, 5.0 / 66.0)
_SERIES_FROM = 20.0  # asymptotic series used for arguments >= this


def _stirling_tail(z):
    iz = 1.0 / z
    iz2 = iz * iz
    return iz * (_STIRLING[0] + iz2 * (_STIRLING[1] + iz2 * (_STIRLING[2] + iz2 * _STIRLING[3])))


def _lnpoch(x, c):
    """ln Gamma(x + c) - ln Gamma(x) for x > 0, c >= 0 (broadcast).

    For x >= 10 the Stirling series is differenced analytically,
    ``(x - 1/2) log1p(c/x) + c ln(x + c) - c + s(x + c) - s(x)``, which stays accurate
    when x is huge (x = 1e20, c = 1: ln x) where the difference of two ``gammaln`` would
    lose every digit.
    """
    x, c = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(c, dtype=float))
    out = np.empty(x.shape)
    big = x >= 10.0
    xb, cb = x[big], c[big]
    out[big] = (xb - 0.5) * np.log1p(cb / xb) + cb * np.log(xb + cb) - cb + (_stirling_tail(xb + cb) - _stirling_tail(xb))
    small = ~big
    out[small] = special.gammaln(x[small] + c[small]) - special.gammaln(x[small])
    return out


def _trigamma_minus_inv(z):
    """h(z) = psi_1(z) - 1/z for z >= 1, without cancellation for large z.

    The asymptotic series of psi_1(z) - 1/z is used for z >= 20; smaller arguments are
    shifted up by 20 with psi_1(z) = psi_1(z + 20) + sum_{j<20} 1/(z + j)^2 (several times
    faster than ``polygamma``, which goes through the Hurwitz zeta function).
    """
    z = np.asarray(z, dtype=float)
    shift = _SERIES_FROM
    out = np.array(_trigamma_series(np.maximum(z, shift)))
    small = np.flatnonzero(z < shift)
    if small.size:
        zs = z.flat[small]
        acc = np.zeros(zs.shape)
        for j in range(int(shift)):
            acc += 1.0 / (zs + j) ** 2
        out.flat[small] = _trigamma_series(zs + shift) + (1.0 / (zs + shift) - 1.0 / zs) + acc
    return out


def _trigamma_series(w):
    """Asymptotic series of psi_1(w) - 1/w, accurate to ~1e-14 relative for w >= 20."""
    iw = 1.0 / w
    iw2 = iw * iw
    a = _TRIGAMMA
    return iw2 * (a[0] + iw * (a[1] + iw2 * (a[2] + iw2 * (a[3] + iw2 * (a[4] + iw2 * a[5])))))


def _log_xi_prime(beta, k):
    """ln of d xi / d beta, xi(beta) = psi(K beta + 1) - psi(beta + 1) (prior mean entropy)."""
    # K psi_1(K b + 1) - psi_1(b + 1), with psi_1(z) = 1/z + h(z): the 1/z parts combine exactly
    d = (k - 1.0) / ((k * beta + 1.0) * (beta + 1.0)) + k * _trigamma_minus_inv(k * beta + 1.0) - _trigamma_minus_inv(beta + 1.0)
    return np.log(d)


def _distinct_counts(x, k):
    """Distinct count values per row and their multiplicities, zero-count class first.

    Returns ``vals, mult`` of shape ``(M, D + 1)``: column 0 holds the count 0 with
    multiplicity ``k - K_obs`` (symbols of the alphabet not seen), columns 1.. the distinct
    positive counts; rows with fewer distinct values are padded with multiplicity 0.
    """
    m = x.shape[0]
    s = np.sort(x, axis=1)
    pos = s > 0
    new = pos.copy()
    new[:, 1:] &= s[:, 1:] != s[:, :-1]
    gid = np.cumsum(new, axis=1)  # 1-based group index of every positive entry
    width = int(gid[:, -1].max()) + 1
    r, c = np.nonzero(pos)
    g = gid[r, c]
    vals = np.zeros((m, width))
    vals[r, g] = s[r, c]
    mult = np.bincount(r * width + g, minlength=m * width).reshape(m, width).astype(float)
    mult[:, 0] = k - pos.sum(axis=1)
    return vals, mult


def _nsb_log_post(t, vals, mult, n, k):
    """Log posterior density of t = ln beta under the NSB prior (up to a constant).

    ``t`` has shape (R, P); ``vals, mult`` (R, D); ``n`` (R,). The density of beta is
    d xi/d beta * Gamma(K b) / Gamma(N + K b) * prod_i Gamma(n_i + b) / Gamma(b), and
    d beta = beta dt. Only distinct counts enter, weighted by their multiplicities.
    """
    beta = np.exp(t)
    lik = np.einsum("rpd,rd->rp", _lnpoch(beta[..., None], vals[:, None, :]), mult)
    lik -= _lnpoch(k * beta, n[:, None])
    return lik + t + _log_xi_prime(beta, k)


def _dirichlet_entropy_moments(beta, vals, mult, n, k):
    """Mean and variance of H(p) for p ~ Dirichlet(n_i + beta), in nats.

    ``beta`` (R, P); returns two (R, P) arrays. With a_i = n_i + beta, A = N + K beta,
    q_i = a_i / A and D_i = psi(a_i + 1) - psi(A + 1) (Wolpert & Wolf 1995):

        E[H]   = -sum_i q_i D_i
        Var[H] = [sum_i q_i (D_i + E[H])^2 + sum_i q_i g(a_i + 1) - g(A + 1)] / (A + 1)

    with g(z) = z psi_1(z) - 1. This is the textbook E[H^2] - E[H]^2 rearranged (using
    psi(z + 1) = psi(z) + 1/z and psi_1(z + 1) = psi_1(z) - 1/z^2) so that no two large
    numbers are subtracted: it stays accurate when A ~ 1e9 and Var ~ 1/A.
    """
    a = vals[:, None, :] + beta[..., None]  # (R, P, D)
    big_a = n[:, None] + k * beta  # (R, P)
    w = mult[:, None, :] * a / big_a[..., None]  # multiplicity * q_i
    d = special.digamma(a + 1.0) - special.digamma(big_a + 1.0)[..., None]
    mean = -np.sum(w * d, axis=-1)
    g = (a + 1.0) * _trigamma_minus_inv(a + 1.0)
    g_big = (big_a + 1.0) * _trigamma_minus_inv(big_a + 1.0)
    var = (np.sum(w * ((d + mean[..., None]) ** 2 + g), axis=-1) - g_big) / (big_a + 1.0)
    return mean, np.maximum(var, 0.0)


_NSB_GRID = np.linspace(-60.0, 60.0, 241)  # coarse scan of t = ln beta for the mode
_NSB_NODES = 300  # trapezoid nodes in u, t = t* + sigma sinh(u)
_NSB_DROP = 50.0  # integrate where the log density is within this of its maximum
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


def _nsb_block(vals, mult, n, k):
    """NSB posterior mean and std (nats) for a block of rows (see _nsb)."""
    r = len(n)
    grid = np.broadcast_to(_NSB_GRID, (r, len(_NSB_GRID)))
    fg = _nsb_log_post(grid, vals, mult, n, k)
    step = _NSB_GRID[1] - _NSB_GRID[0]
    i = np.argmax(fg, axis=1)
    # golden-section search for the mode in the two grid cells around the best grid point
    lo = _NSB_GRID[i] - step
    hi = _NSB_GRID[i] + step
    c1 = hi - _GOLDEN * (hi - lo)
    c2 = lo + _GOLDEN * (hi - lo)
    f1 = _nsb_log_post(c1[:, None], vals, mult, n, k)[:, 0]
    f2 = _nsb_log_post(c2[:, None], vals, mult, n, k)[:, 0]
    for _ in range(40):  # the bracket shrinks to 2 * 0.618^40 ~ 1e-8
        left = f1 > f2  # the mode is in [lo, c2]
        hi = np.where(left, c2, hi)
        lo = np.where(left, lo, c1)
        new_c = np.where(left, hi - _GOLDEN * (hi - lo), lo + _GOLDEN * (hi - lo))
        f_new = _nsb_log_post(new_c[:, None], vals, mult, n, k)[:, 0]
        c2, f2, c1, f1 = (
            np.where(left, c1, new_c),
            np.where(left, f1, f_new),
            np.where(left, new_c, c2),
            np.where(left, f_new, f2),
        )
    t_star = 0.5 * (lo + hi)
    # width from the curvature at the mode (only sets the scale of the node map)
    hd = 1e-2
    f3 = _nsb_log_post(t_star[:, None] + np.array([-hd, 0.0, hd]), vals, mult, n, k)
    f_max = np.maximum(f3[:, 1], fg.max(axis=1))
    curv = (f3[:, 0] + f3[:, 2] - 2.0 * f3[:, 1]) / hd**2
    with np.errstate(divide="ignore"):
        sigma = np.clip(1.0 / np.sqrt(np.maximum(-curv, 0.0)), 1e-7, 3.0)
    # range: where the coarse grid is within _NSB_DROP of the maximum, one grid step wider
    inside = fg > f_max[:, None] - _NSB_DROP
    first = np.where(inside.any(axis=1), np.argmax(inside, axis=1), i)
    last = np.where(inside.any(axis=1), len(_NSB_GRID) - 1 - np.argmax(inside[:, ::-1], axis=1), i)
    a = np.minimum(_NSB_GRID[first], t_star) - step
    b = np.maximum(_NSB_GRID[last], t_star) + step
    # trapezoid rule in u, t = t* + sigma sinh(u): fine near the mode, geometric in the tails
    s = np.linspace(0.0, 1.0, _NSB_NODES)
    ua = np.arcsinh((a - t_star) / sigma)
    ub = np.arcsinh((b - t_star) / sigma)
    u = ua[:, None] + (ub - ua)[:, None] * s
    t = t_star[:, None] + sigma[:, None] * np.sinh(u)
    logw = _nsb_log_post(t, vals, mult, n, k) - f_max[:, None]
    w = np.exp(logw) * np.cosh(u)  # dt/du up to the constant sigma * du
    w[:, [0, -1]] *= 0.5
    w /= w.sum(axis=1, keepdims=True)
    mean_b, var_b = _dirichlet_entropy_moments(np.exp(t), vals, mult, n, k)
    h = np.sum(w * mean_b, axis=1)
    var = np.sum(w * (var_b + (mean_b - h[:, None]) ** 2), axis=1)
    return h, np.sqrt(var)


def _nsb(x, n, k):
    """NSB estimate: posterior mean and standard deviation of H, in nats.

    The prior on the concentration beta of a symmetric Dirichlet is d xi(beta) (uniform in
    the prior mean entropy xi in [0, ln K]). The integrals over it are done in t = ln beta:
    the posterior density of t is found at 241 points of [-60, 60], its mode refined by a
    golden-section search, and the integral taken by the trapezoid rule in u with
    t = t* + sigma sinh(u), sigma the width from the curvature at the mode, over the range
    where the log density is within 50 of its maximum. All logs of Gamma ratios go through
    ``_lnpoch`` and only the distinct counts with their multiplicities enter, so one point
    costs O(#distinct counts) and counts up to 1e9 and K up to 1e6 (and beyond) are fine.
    """
    if k == 1:
        zero = np.zeros(len(n))
        return zero, zero
    vals, mult = _distinct_counts(x, k)
    h = np.empty(len(n))
    sd = np.empty(len(n))
    rows_per_block = max(1, int(2_000_000 // (_NSB_NODES * vals.shape[1])))
    for start in range(0, len(n), rows_per_block):
        sl = slice(start, start + rows_per_block)
        h[sl], sd[sl] = _nsb_block(vals[sl], mult[sl], n[sl], float(k))
    return h, sd


_METHODS = {
    "plugin": _plugin,
    "miller_madow": _miller_madow,
    "grassberger": _grassberger,
    "chao_shen": _chao_shen,
    "jackknife": _jackknife,
    "nsb": _nsb,
}

#: Names accepted by ``shannon(method=...)``.
METHODS = tuple(_METHODS)


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------


def shannon(counts, method="plugin", base=2, axis=-1, alphabet_size=None, return_stderr=False, *,
            input="counts", confidence=0.95):
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
        Deprecated: returns the old tuple ``(values, stderr)`` of plain arrays with a
        ``DeprecationWarning``. The returned :class:`Estimate` carries ``stderr``.
    input : {"counts", "samples", "probabilities"}, optional
        What ``counts`` holds (see above). Default ``"counts"``.
    confidence : float, optional
        Level of the normal interval ``value -/+ z * stderr`` (default 0.95).

    Returns
    -------
    Estimate
        ``value`` (float or ndarray of the shape of ``counts`` without ``axis``), ``stderr``,
        ``ci_low``/``ci_high`` (clipped at 0), ``unit``, ``method``; usable as a float (or as its array
        of values) in arithmetic. A slice whose total count is zero gives NaN (an empty
        profile at some time is not an error); ``"jackknife"`` also gives NaN for a slice
        with a single sample (nothing is left after deleting it).

    Raises
    ------
    ValueError
        If ``counts`` is empty, has negative, non-finite or non-integer entries; if
        ``method`` is unknown; if ``"nsb"`` is asked without ``alphabet_size``; if
        ``alphabet_size`` is below the number of observed symbols or above 2**62; if
        ``base`` is not a real number > 0 and != 1; if ``input`` is unknown.
    TypeError
        If ``counts`` is complex, or ``axis`` is not an integer.

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
      :math:`\psi(n) + (-1)^n \int_0^1 t^{n-1}/(1+t)\,dt`: the improved estimator of
      Grassberger (2003) [2]_, not his 1988 one.
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

    Standard errors (``.stderr``):

    * ``plugin``, ``miller_madow``, ``grassberger``, ``chao_shen``: the standard error of
      the plug-in estimate to second order (Harris 1975 [6]_),
      :math:`\sqrt{(\sum_i \hat p_i \ln^2 \hat p_i - \hat H^2)/N + (K_{obs}-1)/(2N^2)}`,
      with the plug-in :math:`\hat p` and :math:`\hat H`; the corrections change the bias,
      not the leading order of the variance. The first term is the delta method; the
      second is the variance of :math:`\chi^2_{K-1}/(2N)`, the law of the estimate near a
      uniform law, where the first term vanishes (without it the interval of a uniform
      sample would have zero width).
    * Coverage of the nominal 95 % normal intervals, measured on a 3-state chain
      (``tests/test_profiles.py``; 0.90-0.99 is the target): ``miller_madow`` (recommended)
      and ``grassberger`` reach it from M = 30 samples per law; ``plugin`` is biased low by
      about :math:`(K-1)/(2N)` and its interval covers less when :math:`K/N` is not small;
      ``chao_shen``, ``jackknife`` and ``nsb`` were not calibrated.
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
    .. [6] B. Harris, "The statistical estimation of entropy in the non-parametric case",
       in *Topics in Information Theory*, Colloq. Math. Soc. Janos Bolyai 16 (1975), 323-355.

    Examples
    --------
    >>> float(shannon([1, 1]))
    1.0
    >>> shannon([[4, 0], [2, 2]], method="plugin").value  # one value per row
    array([0., 1.])
    >>> float(shannon_from_samples([0, 1, 1, 0]))  # raw observations
    1.0
    >>> round(float(shannon([0.5, 0.25, 0.25], input="probabilities")), 12)
    1.5
    >>> float(shannon([5, 0, 3], method="miller_madow", base=math.e))  # doctest: +ELLIPSIS
    0.7240...
    """
    if return_stderr:
        warnings.warn("shannon(..., return_stderr=True) is deprecated: shannon returns an Estimate whose "
                      "value and stderr are attributes", DeprecationWarning, stacklevel=2)
    h, se, method = shannon_arrays(counts, method=method, base=base, axis=axis, alphabet_size=alphabet_size,
                                   input=input)
    if return_stderr:
        return h, se
    return Estimate.from_stderr("entropy", h, se, confidence=_check_confidence(confidence), unit=unit_name(base),
                                method=method, nonnegative=True)


_INPUTS = ("counts", "samples", "probabilities")


_check_confidence = check_confidence  # the one validator of confidence levels (in entropy._units)


def _counts_from_samples(samples, axis):
    """Per-slice counts of the distinct symbols of raw observations (symbols along ``axis``)."""
    arr = np.asarray(samples)
    _reject_complex(arr, "samples")
    if arr.ndim == 0 or arr.size == 0:
        raise ValueError(f"samples: expected a non-empty array of observations, got shape {arr.shape}")
    axis = _check_axis(axis, arr.ndim)
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        _raise_at(arr, ~np.isfinite(arr), "samples", "expected finite observations")
    moved = np.moveaxis(arr, axis, -1)
    flat = moved.reshape(-1, moved.shape[-1])
    if flat.dtype.kind in "iub" and flat.min() >= 0 and int(flat.max()) < max(2**16, flat.size):
        inv = flat.astype(np.int64)  # small non-negative integers are their own labels (no sort)
    else:
        _, inv = np.unique(flat, return_inverse=True)
        inv = inv.reshape(flat.shape)
    k = int(inv.max()) + 1
    rows = np.repeat(np.arange(flat.shape[0], dtype=np.int64) * k, flat.shape[1])
    counts = np.bincount(rows + inv.ravel(), minlength=flat.shape[0] * k)
    return counts.reshape(moved.shape[:-1] + (k,))


def _probabilities(p, axis):
    arr = np.asarray(p)
    _reject_complex(arr, "counts")
    x = _as_nonneg(arr, "counts")
    axis = _check_axis(axis, x.ndim)
    x = np.moveaxis(x, axis, -1)
    s = x.sum(axis=-1)
    off = np.abs(s - 1.0) > 1e-9
    if off.any():
        raise ValueError(f"counts: input='probabilities' but the entries sum to {float(s[off].flat[0])!r} along "
                         f"axis {axis}, expected 1 (tolerance 1e-09)")
    return x


def shannon_arrays(counts, method="plugin", base=2, axis=-1, alphabet_size=None, input="counts"):
    """Entropy estimates and standard errors as plain arrays: ``(values, stderr, method)``.

    The engine of :func:`shannon` (same arguments), for callers that combine many entropies
    in array arithmetic.
    """
    method = _check_method(method)
    b = check_base(base)
    if not isinstance(input, str) or input not in _INPUTS:
        raise ValueError(f"input={input!r}: expected one of 'counts', 'samples', 'probabilities'")
    scale = 1.0 / math.log(b)
    if input == "probabilities":
        if method != "plugin":
            raise ValueError(f"method={method!r}: probabilities carry no sample size, so only method='plugin' "
                             "applies to input='probabilities'")
        x = _probabilities(counts, axis)
        with np.errstate(invalid="ignore"):
            h = -special.xlogy(x, x).sum(axis=-1) * scale + 0.0
        return h[()], np.full(h.shape, np.nan)[()], method
    if input == "samples":
        x = _counts_from_samples(counts, axis).astype(np.float64)
        axis = -1
    else:
        arr = np.asarray(counts)
        _reject_complex(arr, "counts")
        x = _as_counts(arr)
        axis = _check_axis(axis, x.ndim)
    x = np.moveaxis(x, axis, -1)
    out_shape = x.shape[:-1]
    x = x.reshape(-1, x.shape[-1])
    k = _check_alphabet_size(alphabet_size, x, method)

    n = x.sum(axis=1)
    ok = n > 0
    h = np.full(len(n), np.nan)
    se = np.full(len(n), np.nan)
    if ok.any():
        xs = x if ok.all() else x[ok]
        h[ok], se[ok] = _METHODS[method](xs, n[ok], k)
    h = (h * scale + 0.0).reshape(out_shape)[()]  # + 0.0 turns -0.0 into 0.0
    return h, (se * scale).reshape(out_shape)[()], method


def shannon_from_samples(samples, method="plugin", base=2, axis=-1, alphabet_size=None, *, confidence=0.95):
    r"""Shannon entropy from raw observations (one symbol per draw), e.g. ``[0, 3, 2, 1, ...]``.

    The symbols are counted (any distinct numbers are distinct symbols) and passed to
    :func:`shannon`; the same as ``shannon(samples, input="samples")``. This is the
    convention of infomeasure's and pyinform's discrete entropy.

    Parameters
    ----------
    samples : array_like
        Observed symbols; each slice along ``axis`` is one sample.
    method, base, alphabet_size, confidence
        As in :func:`shannon` (``alphabet_size``: number of possible symbols, for ``"nsb"``).
    axis : int
        Axis along which the observations of one sample run (default: the last).

    Returns
    -------
    Estimate
        As :func:`shannon`.

    Examples
    --------
    >>> float(shannon_from_samples([1, 2, 3, 4]))
    2.0
    """
    return shannon(samples, method=method, base=base, axis=axis, alphabet_size=alphabet_size, input="samples",
                   confidence=confidence)


def relative_entropy(p, q, base=2, axis=-1, *, confidence=0.95):
    r"""Relative entropy (Kullback-Leibler divergence) :math:`D(p \,\|\, q)`.

    Parameters
    ----------
    p : array_like
        Counts or probabilities of the symbols (non-negative, finite); each slice along
        ``axis`` is normalised to sum to 1, so counts per time can be passed directly. A
        slice summing to zero gives NaN.
    q : array_like
        Reference law: probabilities (non-negative, finite, summing to 1 within 1e-9 along
        ``axis``), broadcast against ``p``. A 1-D ``q`` is laid along ``axis`` of ``p``
        (e.g. one stationary law for a ``(T, K)`` table of counts per time).
    base : float, optional
        Base of the logarithm: 2 (default) gives bits.
    axis : int, optional
        Axis along which the symbols run (default: the last).

    confidence : float, optional
        Level of the normal interval (default 0.95).

    Returns
    -------
    Estimate
        :math:`D(p\|q) = \sum_i p_i \log (p_i / q_i)` in units of ``base``, of the
        broadcast shape without ``axis``, usable as a float. Terms with :math:`p_i = 0` are
        0; the value is ``inf`` if some :math:`p_i > 0` has :math:`q_i = 0`. When ``p`` holds
        whole numbers they are taken as counts (N their sum) and ``stderr`` is
        :math:`\sqrt{(\sum \hat p \ln^2(\hat p/q) - \hat D^2)/N + (K_{obs}-1)/(2N^2)}` (delta
        method plus the chi-square variance that dominates near :math:`D = 0`); for
        probabilities it is NaN (no sample size). The interval is clipped at 0.

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is empty, has negative or non-finite entries, if ``q`` does not
        sum to 1, if their shapes do not broadcast, or if ``base`` is invalid.

    Notes
    -----
    This is the plug-in estimate when ``p`` holds counts: it is biased upwards, by about
    :math:`(K_{obs}-1)/(2N)` nats, for a well-sampled law.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed.,
       Wiley (2006), section 2.3.

    Examples
    --------
    >>> float(relative_entropy([1, 1], [0.25, 0.75]))  # doctest: +ELLIPSIS
    0.2075...
    """
    b = check_base(base)
    _check_axis(axis, max(np.ndim(p), 1))
    pa = _as_nonneg(p, "p")
    qa = _as_nonneg(q, "q")
    if qa.ndim == 1 and pa.ndim > 1:  # lay q along axis
        qa = np.moveaxis(qa.reshape(qa.shape + (1,) * (pa.ndim - 1)), 0, axis)
    try:
        pa, qa = np.broadcast_arrays(pa, qa)
    except ValueError:
        raise ValueError(f"p (shape {pa.shape}) and q (shape {qa.shape}) do not broadcast") from None
    pa = np.moveaxis(pa, axis, -1)
    qa = np.moveaxis(qa, axis, -1)
    qs = qa.sum(axis=-1)
    off = np.abs(qs - 1.0) > 1e-9
    if off.any():
        raise ValueError(f"q: entries sum to {float(qs[off].flat[0])!r} along axis {axis}, expected 1 (tolerance 1e-09)")
    ps = pa.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        pn = pa / ps
        d = special.rel_entr(pn, qa).sum(axis=-1)
        # counts (whole numbers): delta method plus the chi-square term (K_obs - 1) / (2 N^2)
        n = ps[..., 0]
        lr = np.where(pn > 0, np.log(np.where(pn > 0, pn, 1.0)) - np.log(qa), 0.0)
        var = np.clip((pn * lr**2).sum(axis=-1) - d**2, 0.0, None) / n + second_order_variance(
            (pa > 0).sum(axis=-1) - 1, n)
    se = np.where(np.all(pa == np.round(pa), axis=-1) & np.isfinite(d), np.sqrt(var), np.nan)
    ln = math.log(b)
    return Estimate.from_stderr("relative_entropy", d / ln, se / ln, confidence=_check_confidence(confidence),
                                unit=unit_name(b), method="plugin", nonnegative=True)


def _as_nonneg(a, name):
    """Validate a non-empty array of finite non-negative numbers; return it as float64."""
    arr = np.asarray(a)
    _reject_complex(arr, name)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name}: expected an array of non-negative numbers, got dtype {arr.dtype}")
    if arr.size == 0 or arr.ndim == 0:
        raise ValueError(f"{name}: expected a non-empty array, got shape {arr.shape}")
    x = arr.astype(np.float64, copy=False)
    _raise_at(arr, ~np.isfinite(x), name, "expected finite values")
    _raise_at(arr, x < 0, name, "expected non-negative values")
    return x


def _joint_table(joint_counts):
    x = _as_counts(joint_counts, "joint_counts")
    if x.ndim < 2:
        raise ValueError(f"joint_counts: expected a table with at least 2 dimensions (..., Kx, Ky), got shape {x.shape}")
    return x


def _joint_stderr(x, kind):
    """Standard error (nats) of the plug-in I(X;Y) (``kind="mi"``) or H(X|Y) (``"cond_y"``, Y
    on the last axis) / H(Y|X) (``"cond_x"``) of tables (..., Kx, Ky): delta method,
    Var[g]/N with g = ln p(x,y)/(p(x)p(y)) or -ln p(x|y), plus the second-order term df/(2N^2)
    with df = (Kx - 1)(Ky - 1) or K_xy - K_given (observed sizes)."""
    kx, ky = x.shape[-2:]
    t = x.reshape(-1, kx, ky)
    n = t.sum(axis=(1, 2))
    px = t.sum(axis=2, keepdims=True)
    py = t.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = t / n[:, None, None]
        if kind == "mi":
            g = np.log(t * n[:, None, None] / (px * py))
            df = np.maximum((px[:, :, 0] > 0).sum(1) - 1, 0) * np.maximum((py[:, 0, :] > 0).sum(1) - 1, 0)
        else:
            given = py if kind == "cond_y" else px
            g = -np.log(t / given)
            df = (t > 0).sum(axis=(1, 2)) - (given > 0).sum(axis=(1, 2))
        g = np.where(t > 0, g, 0.0)
        m1 = (p * g).sum(axis=(1, 2))
        var = np.clip((p * g**2).sum(axis=(1, 2)) - m1**2, 0.0, None) / n + second_order_variance(df, n)
    return np.sqrt(var).reshape(x.shape[:-2])[()]


def _entropy_joint_parts(x, method, base, which):
    """Entropies of the marginals named in ``which`` ('x', 'y', 'xy') of tables (..., Kx, Ky)."""
    kx, ky = x.shape[-2:]
    tables = {"x": (x.sum(axis=-1), kx), "y": (x.sum(axis=-2), ky), "xy": (x.reshape(x.shape[:-2] + (kx * ky,)), kx * ky)}
    out = {}
    for key in which:
        counts, k = tables[key]
        out[key] = shannon_arrays(counts, method=method, base=base, alphabet_size=k if method == "nsb" else None)[0]
    return out


def mutual_information_counts(joint_counts, method="plugin", base=2, *, confidence=0.95):
    r"""Mutual information :math:`I(X;Y) = H(X) + H(Y) - H(X,Y)` from a joint counts table.

    Parameters
    ----------
    joint_counts : array_like of int
        Counts :math:`n_{xy}`, shape ``(Kx, Ky)``, or a batch of tables ``(..., Kx, Ky)``
        (e.g. one table per time). Non-negative whole numbers.
    method : str, optional
        Entropy estimator used for each of the three entropies (see :func:`shannon`). For
        ``"nsb"`` the alphabet sizes are taken from the table: ``Kx``, ``Ky`` and
        ``Kx * Ky``.
    base : float, optional
        Base of the logarithm: 2 (default) gives bits.
    confidence : float, optional
        Level of the normal interval (default 0.95).

    Returns
    -------
    Estimate
        Estimate in units of ``base``, one per table (NaN for an all-zero table), usable as
        a float. ``stderr``: delta method,
        :math:`\sqrt{\mathrm{Var}[\ln \hat p(x,y)/(\hat p(x)\hat p(y))]/N + (K_X-1)(K_Y-1)/(2N^2)}`
        (the second term, the chi-square variance at independence, Harris 1975); the
        interval is clipped at 0.

    Notes
    -----
    Each entropy is estimated separately with ``method`` and the results combined, so a
    bias correction of :func:`shannon` carries over term by term (Miller-Madow gives the
    plug-in value plus :math:`(K_X + K_Y - K_{XY} - 1)/(2N)` with observed sizes). The
    plug-in value is :math:`\ge 0`; corrected values may be slightly negative when
    :math:`I` is near 0.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed.,
       Wiley (2006), section 2.4.

    Examples
    --------
    >>> float(mutual_information_counts([[5, 0], [0, 5]]))
    1.0
    """
    _check_method(method)
    x = _joint_table(joint_counts)
    h = _entropy_joint_parts(x, method, base, ("x", "y", "xy"))
    se = _joint_stderr(x, "mi") / math.log(check_base(base))
    return Estimate.from_stderr("mutual_information", h["x"] + h["y"] - h["xy"], se,
                                confidence=_check_confidence(confidence), unit=unit_name(base), method=method,
                                nonnegative=True)


def conditional_entropy_counts(joint_counts, given_axis, method="plugin", base=2, *, confidence=0.95):
    r"""Conditional entropy :math:`H(X \mid Y) = H(X,Y) - H(Y)` from a joint counts table.

    Parameters
    ----------
    joint_counts : array_like of int
        Counts, shape ``(Kx, Ky)`` or a batch ``(..., Kx, Ky)``.
    given_axis : int
        Which of the last two axes is conditioned on: ``-1`` (or ``ndim - 1``) gives
        :math:`H(X \mid Y)` with Y along the last axis, ``-2`` (or ``ndim - 2``) gives
        :math:`H(Y \mid X)`.
    method : str, optional
        Entropy estimator for the two entropies (see :func:`shannon`; for ``"nsb"`` the
        alphabet sizes come from the table's shape).
    base : float, optional
        Base of the logarithm: 2 (default) gives bits.
    confidence : float, optional
        Level of the normal interval (default 0.95).

    Returns
    -------
    Estimate
        Estimate in units of ``base``, one per table (NaN for an all-zero table), usable as
        a float. ``stderr``: delta method,
        :math:`\sqrt{\mathrm{Var}[-\ln \hat p(x \mid y)]/N + (K_{XY} - K_Y)/(2N^2)}`.

    Raises
    ------
    ValueError
        If ``given_axis`` is not one of the last two axes, or as :func:`shannon`.

    Notes
    -----
    The forward entropy rate of a process at time t with history length k is
    :math:`H(X_t \mid X_{t-k}, \dots, X_{t-1})`: pass the table of (history, next symbol)
    counts with ``given_axis=-2``.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed.,
       Wiley (2006), section 2.2.

    Examples
    --------
    >>> round(float(conditional_entropy_counts([[2, 2], [4, 0]], given_axis=-2)), 12)  # H(Y|X)
    0.5
    """
    _check_method(method)
    x = _joint_table(joint_counts)
    nd = x.ndim
    if isinstance(given_axis, bool) or not isinstance(given_axis, numbers.Integral) or given_axis not in (-1, -2, nd - 1, nd - 2):
        raise ValueError(f"given_axis={given_axis!r}: expected one of the last two axes of the table: -1 or -2")
    given = "y" if given_axis in (-1, nd - 1) else "x"
    h = _entropy_joint_parts(x, method, base, ("xy", given))
    se = _joint_stderr(x, "cond_" + given) / math.log(check_base(base))
    return Estimate.from_stderr("conditional_entropy", h["xy"] - h[given], se,
                                confidence=_check_confidence(confidence), unit=unit_name(base), method=method,
                                nonnegative=True)
