"""Estimators for continuous-valued samples: differential entropy, mutual information and
conditional differential entropy.

All functions take plain arrays of samples, ``(n,)`` for one variable or ``(n, dim)`` for a
vector, one row per independent draw, and return values in units of ``base`` (bits by
default). Internally everything is in nats and converted once, at the end.

Estimators
----------
``differential_entropy(samples, method=...)``
    ``"knn"``     Kozachenko-Leonenko k-nearest-neighbour estimator (Kraskov et al. 2004 form);
    ``"gaussian"`` entropy of the Gaussian with the sample covariance (bias-corrected by
    default);
    ``"binned"``  histogram plug-in plus the log of the bin volume.
``mutual_information(x, y, method=...)``
    ``"ksg"``     Kraskov-Stoegbauer-Grassberger estimator, variants 1 and 2;
    ``"gaussian"`` Gaussian (canonical-correlation) form.
``conditional_entropy(x, given, method=...)``
    ``h(X | Y) = h(X, Y) - h(Y)`` with either of the entropy estimators.
``gaussian_entropy(cov)``, ``gaussian_mutual_information(cov, dim_x)``
    Closed forms, the ground truth of the tests.

Norm
----
The nearest-neighbour estimators use the **maximum norm** (Chebyshev, ``p = inf``) by
default, in the joint space and in the marginals: it is the norm of the KSG estimator, and
with it ``I(X;Y)`` from KSG and ``h(X) + h(Y) - h(X, Y)`` from kNN share their neighbour
geometry. ``metric="euclidean"`` is available for ``differential_entropy`` and
``conditional_entropy``.

Exact ties
----------
Samples of a continuous distribution are distinct with probability one. A point that
coincides with another has a nearest-neighbour distance of zero and a log-distance of
``-inf``; the estimators detect this (for free, from the neighbour query) and raise a
``ValueError`` that says how many points coincide and where the first one is. They never
add noise behind the user's back.
"""

from __future__ import annotations

import math
import numbers
import warnings
from contextlib import contextmanager

import numba
import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma, gammaln, polygamma, stdtrit

from .._kernels import neighbours as _nb
from .._units import check_base, check_positive_int, to_base, unit_name
from ._result import Estimate
from .discrete import _reject_complex

__all__ = [
    "differential_entropy",
    "mutual_information",
    "conditional_entropy",
    "gaussian_entropy",
    "gaussian_mutual_information",
]

#: Names accepted by ``differential_entropy(method=...)`` (the default first).
METHODS = ("knn", "gaussian", "binned")
_ENTROPY_METHODS = METHODS
_MI_METHODS = ("ksg", "gaussian")
_METRICS = {"chebyshev": np.inf, "euclidean": 2.0}
_CONFIDENCE = 0.95
_LOG_2PIE = math.log(2.0 * math.pi * math.e)


# ----------------------------------------------------------------------------------------
# validation
# ----------------------------------------------------------------------------------------


def _check_choice(value, name, choices):
    if not isinstance(value, str) or value not in choices:
        expected = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name}={value!r}: expected one of {expected}")
    return value


def _check_workers(workers):
    if isinstance(workers, bool) or not isinstance(workers, numbers.Integral) or not (workers == -1 or workers >= 1):
        raise ValueError(f"workers={workers!r}: expected -1 (all cores) or a positive integer")
    return int(workers)


def _check_entropy_options(method, base, workers, metric, k):
    """Validate the options shared by the entropy estimators (k only for ``"knn"``)."""
    method = _check_choice(method, "method", _ENTROPY_METHODS)
    if method == "knn":
        check_positive_int(k, "k")
    return method, check_base(base), _check_workers(workers), _check_choice(metric, "metric", tuple(_METRICS))


def _check_samples(samples, name, *, min_n=2):
    """Return ``samples`` as a C-contiguous float64 array of shape (n, dim).

    Checks the shape, that every value is finite, and that no coordinate is constant (a
    constant coordinate has no density: its differential entropy is -inf).
    """
    _reject_complex(samples, name)
    try:
        x = np.asarray(samples, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: expected an array of real numbers ({exc})") from None
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[1] == 0:
        raise ValueError(f"{name}: expected shape (n,) or (n, dim) with dim >= 1, got shape {np.shape(samples)}")
    if x.shape[0] < min_n:
        raise ValueError(f"{name}: expected at least {min_n} samples, got {x.shape[0]}")
    finite = np.isfinite(x)
    if not finite.all():
        i, j = np.argwhere(~finite)[0]
        raise ValueError(f"{name}[{i}, {j}]={float(x[i, j])!r}: expected finite values")
    span = np.ptp(x, axis=0)
    if not span.all():
        j = int(np.flatnonzero(span == 0)[0])
        raise ValueError(
            f"{name}[:, {j}] is constant (every value is {float(x[0, j])!r}): expected samples of a continuous distribution"
        )
    return np.ascontiguousarray(x)


def _check_k(k, n):
    k = check_positive_int(k, "k")
    if k >= n:
        raise ValueError(f"k={k}: expected k < number of samples n={n}")
    return k


def _check_same_length(x, y, name_x, name_y):
    if x.shape[0] != y.shape[0]:
        raise ValueError(
            f"{name_x} has {x.shape[0]} samples but {name_y} has {y.shape[0]}: expected the same number of samples"
        )


def _check_bins(bins, dim):
    """``None`` (Scott's rule), a positive integer, or one positive integer per dimension."""
    if bins is None:
        return None
    if isinstance(bins, (numbers.Integral, float, np.floating)) and not isinstance(bins, bool):
        return np.full(dim, check_positive_int(bins, "bins"), dtype=np.int64)
    arr = np.asarray(bins)
    if arr.ndim != 1 or arr.size != dim:
        raise ValueError(f"bins={bins!r}: expected None, a positive integer or {dim} positive integers (one per dimension)")
    return np.array([check_positive_int(b, f"bins[{i}]") for i, b in enumerate(arr.tolist())], dtype=np.int64)


def _check_cov(cov, name="cov"):
    _reject_complex(cov, name)
    c = np.asarray(cov, dtype=np.float64)
    if c.ndim == 0:
        c = c.reshape(1, 1)
    if c.ndim != 2 or c.shape[0] != c.shape[1] or c.shape[0] == 0:
        raise ValueError(f"{name}: expected a square (dim, dim) covariance matrix, got shape {np.shape(cov)}")
    if not np.isfinite(c).all():
        raise ValueError(f"{name}: expected finite entries")
    if not np.allclose(c, c.T, rtol=1e-10, atol=0.0):
        raise ValueError(f"{name}: expected a symmetric matrix")
    try:
        np.linalg.cholesky(c)
    except np.linalg.LinAlgError:
        raise ValueError(f"{name}: expected a positive definite matrix") from None
    return c


# ----------------------------------------------------------------------------------------
# results
# ----------------------------------------------------------------------------------------


def _warn_return_stderr(return_stderr):
    if return_stderr is not None:
        warnings.warn("return_stderr is deprecated: the estimators always return an Estimate (usable as a float) "
                      "with value, stderr and interval", DeprecationWarning, stacklevel=3)


def _finish(quantity, nats, se_nats, base, method, return_stderr, extra, *, dof=None, nonnegative=False):
    """Convert nats to ``base``: an ``Estimate`` with a 95% interval, normal or (``dof``) Student t."""
    value = to_base(float(nats), base)
    se = to_base(float(se_nats), base)
    if dof is None:
        return Estimate.from_stderr(quantity, value, se, confidence=_CONFIDENCE, unit=unit_name(base), method=method,
                                    extra=extra)
    q = float(stdtrit(dof, 0.5 + _CONFIDENCE / 2.0))
    return Estimate.from_interval(quantity, value, se, value - q * se, value + q * se, confidence=_CONFIDENCE,
                                  unit=unit_name(base), method=method, extra=extra)


#: Number of disjoint random subsets of the samples for the nearest-neighbour standard error.
N_BLOCKS = 10


def _subset_stderr(n, k, estimate, seed=0):
    """Standard error of a nearest-neighbour estimate from disjoint random subsets.

    The samples are split at random (fixed ``seed``) into B = ``N_BLOCKS`` disjoint subsets of
    m = n / B points (fewer subsets when n is small, at least 4k + 4 points each), and
    ``estimate`` is computed on each. The estimators' variance falls as 1/n (Berrett,
    Samworth & Yuan 2019, for k fixed), so Var(h_n) = (m / n) Var(h_m), estimated from the
    subsets' sample variance with B - 1 degrees of freedom (the interval uses the Student t
    quantile). It doubles the cost of an estimate. Subsets of half the data (m = n / 20, 1.5x
    the cost) were tried and rejected: for KSG 2+2 at n = 3000 the spread was 1.24 times the
    standard error (1.13 with m = n / 10), the 1/m law not yet holding at m = 150. The
    per-point terms' std / sqrt(n) is not used: neighbouring terms are positively correlated,
    and it was 1.2-1.6 times too small (``benchmarks/bench_knn.py --bias``).

    Returns ``(stderr, dof)``, or ``(None, None)`` when n is too small for 3 subsets.
    """
    b = min(N_BLOCKS, n // (4 * k + 4))
    if b < 3:
        return None, None
    parts = np.array_split(np.random.default_rng(seed).permutation(n), b)
    vals = np.array([estimate(np.sort(idx)) for idx in parts])
    m = n / b  # mean subset size
    return float(vals.std(ddof=1) * math.sqrt(m / n)), b - 1


def _mean_and_stderr(terms):
    """Mean of per-point terms and the naive standard error std(terms) / sqrt(n)."""
    n = terms.shape[0]
    return float(terms.mean()), float(terms.std(ddof=1) / math.sqrt(n))


# ----------------------------------------------------------------------------------------
# nearest neighbours
# ----------------------------------------------------------------------------------------


# Below these sizes the work is smaller than the cost of waking threads, which on a loaded
# 2-core machine was measured at milliseconds per parallel region (numba: 15 ms against
# 40 us of serial work for n = 1000 binary searches): run on the calling thread. Light
# kernels (a few operations per point) go parallel from _PARALLEL_MIN_LIGHT points, heavy
# ones (a tree query, a window scan per point) from _PARALLEL_MIN_HEAVY.
_PARALLEL_MIN_LIGHT = 50_000
_PARALLEL_MIN_HEAVY = 5_000


def _tree_workers(workers, n):
    """``workers`` for a cKDTree query over n points."""
    return workers if n >= _PARALLEL_MIN_HEAVY else 1


@contextmanager
def _numba_threads(workers, parallel):
    """Run numba's parallel loops with ``workers`` threads (-1: all; 1 if not ``parallel``)."""
    old = numba.get_num_threads()
    want = numba.config.NUMBA_NUM_THREADS if workers == -1 else min(workers, numba.config.NUMBA_NUM_THREADS)
    numba.set_num_threads(want if parallel else 1)
    try:
        yield
    finally:
        numba.set_num_threads(old)






def _count_within(x, radii, workers, *, strict):
    """Number of *other* points within max-norm distance ``radii[i]`` of each point.

    ``strict=True`` counts ``d < r`` (as ``d <= nextafter(r, 0)``), else ``d <= r``.
    1-D: binary search in the sorted values. More dimensions: strips of width median(r)
    along the coordinate of largest spread, sorted inside by the second largest, so that a
    query looks at about (2r + width) * 2r of the plane instead of the whole slab of
    width 2r. Counts are exact (see :func:`_window`).
    """
    r = np.nextafter(radii, 0.0) if strict else radii
    n, dim = x.shape
    out = np.empty(n, dtype=np.int64)
    if dim == 1:
        col = np.ascontiguousarray(x[:, 0])
        with _numba_threads(workers, n >= _PARALLEL_MIN_LIGHT):
            _nb.count_within_1d(np.sort(col), col, r, out)
        return out - 1
    perm = np.argsort(-x.std(axis=0), kind="stable")  # widest coordinates first
    queries = np.ascontiguousarray(x[:, perm])
    origin = float(queries[:, 0].min())
    span = float(queries[:, 0].max()) - origin
    width = max(float(np.median(r)), span / n)
    strip = np.floor((queries[:, 0] - origin) * (1.0 / width)).astype(np.int64)
    order = np.lexsort((queries[:, 1], strip))
    points = queries[order]
    starts = np.searchsorted(strip[order], np.arange(int(strip.max()) + 2))
    with _numba_threads(workers, n >= _PARALLEL_MIN_HEAVY):
        _nb.count_within_strips(
            points, np.ascontiguousarray(points[:, 1]), starts, origin, 1.0 / width, queries, r, out
        )
    return out - 1


def _raise_duplicates(x, has_twin, name):
    dup = np.flatnonzero(has_twin)
    i = int(dup[0])
    twins = np.flatnonzero((x == x[i]).all(axis=1))
    j = int(twins[twins != i][0])
    raise ValueError(
        f"{name}: {dup.size} of {x.shape[0]} points coincide with another point "
        f"(first: index {i} equals index {j}); nearest-neighbour estimators need distinct points "
        f"(a zero distance has log -inf). Remove the duplicates, or add noise deliberately."
    )



def _knn_radii_1d(values, k, workers, name):
    """k-th neighbour distances of 1-D samples by sorting (O(n log n + n k), no tree)."""
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    tied = sorted_values[1:] == sorted_values[:-1]
    if tied.any():
        has_twin = np.zeros(values.shape[0], dtype=bool)
        has_twin[order[1:][tied]] = True
        has_twin[order[:-1][tied]] = True
        _raise_duplicates(values[:, None], has_twin, name)
    gaps = np.empty_like(sorted_values)
    with _numba_threads(workers, values.shape[0] >= _PARALLEL_MIN_LIGHT):
        _nb.kth_gap_sorted(sorted_values, k, gaps)
    radii = np.empty_like(gaps)
    radii[order] = gaps
    return radii


def _knn_query(x, k, p, workers, name, *, all_neighbours=False):
    """k-th neighbour distance of every point (and, on request, the indices of all k).

    Returns ``(radii, idx)`` where ``radii[i]`` is the distance from point i to its k-th
    nearest *other* point and ``idx`` is ``None`` or the (n, k) indices of the k nearest
    other points. Raises ``ValueError`` if any point has a duplicate (second-nearest point
    of the query, the first being the point itself, at distance zero).
    """
    if x.shape[1] == 1 and not all_neighbours:
        return _knn_radii_1d(x[:, 0], k, workers, name), None
    tree = cKDTree(x)
    # Query in the tree's leaf order (neighbouring queries visit the same nodes: about 25%
    # faster at n = 10^5), then put the rows back in the caller's order.
    leaf_order = tree.indices
    queries = x[leaf_order]
    if all_neighbours:
        dist, nb = tree.query(queries, k=k + 1, p=p, workers=_tree_workers(workers, x.shape[0]))
        idx = np.empty((x.shape[0], k), dtype=nb.dtype)
        idx[leaf_order] = nb[:, 1:]
        twin_dist, kth = dist[:, 1], dist[:, k]
    else:
        dist, _ = tree.query(queries, k=sorted({2, k + 1}), p=p, workers=_tree_workers(workers, x.shape[0]))
        twin_dist, kth, idx = dist[:, 0], dist[:, -1], None
    radii = np.empty_like(kth)
    radii[leaf_order] = kth
    if not twin_dist.all():
        has_twin = np.zeros(x.shape[0], dtype=bool)
        has_twin[leaf_order] = twin_dist == 0.0
        _raise_duplicates(x, has_twin, name)
    return radii, idx


def _log_unit_ball_volume(dim, metric):
    """log of the volume of the radius-1 ball: 2^d (max norm) or pi^(d/2)/Gamma(d/2+1)."""
    if metric == "chebyshev":
        return dim * math.log(2.0)
    return 0.5 * dim * math.log(math.pi) - float(gammaln(0.5 * dim + 1.0))


def _knn_terms(x, k, metric, workers, name):
    """Per-point Kozachenko-Leonenko terms in nats (their mean is the estimate)."""
    n, dim = x.shape
    radii, _ = _knn_query(x, k, _METRICS[metric], workers, name)
    terms = np.log(radii)
    terms *= dim
    terms += float(digamma(n) - digamma(k)) + _log_unit_ball_volume(dim, metric)
    return terms


# ----------------------------------------------------------------------------------------
# histogram
# ----------------------------------------------------------------------------------------


def _scott_bins(x):
    """Scott's normal-reference rule in d dimensions: width_j = 3.49 s_j n^(-1/(d+2))."""
    n, dim = x.shape
    width = 3.49 * x.std(axis=0, ddof=1) * n ** (-1.0 / (dim + 2))
    return np.maximum(1, np.ceil(np.ptp(x, axis=0) / width)).astype(np.int64)


def _binned_terms(x, nbins):
    """Per-point histogram terms ``-log(count_cell / n) + log(cell volume)`` in nats.

    Equal-width bins spanning ``[min, max]`` of each coordinate (the maximum goes into the
    last bin). Only occupied cells are ever counted: no array of the full grid is built.
    """
    n, dim = x.shape
    lo = x.min(axis=0)
    width = np.ptp(x, axis=0) / nbins
    idx = np.floor((x - lo) / width).astype(np.int64)
    np.clip(idx, 0, nbins - 1, out=idx)
    cells = math.prod(int(b) for b in nbins)
    if cells < 2**62:
        linear = np.ravel_multi_index(idx.T, tuple(int(b) for b in nbins)) if dim > 1 else idx[:, 0]
        if cells <= 4 * n:
            counts = np.bincount(linear, minlength=cells)[linear]
        else:
            _, inverse, counts = np.unique(linear, return_inverse=True, return_counts=True)
            counts = counts[inverse]
    else:  # a grid too large for one int64 index: count the rows themselves
        _, inverse, counts = np.unique(idx, axis=0, return_inverse=True, return_counts=True)
        counts = counts[inverse.ravel()]
    return math.log(n) + float(np.log(width).sum()) - np.log(counts)


# ----------------------------------------------------------------------------------------
# Gaussian
# ----------------------------------------------------------------------------------------


def _wishart_logdet_moments(dof, dim):
    """Mean offset and variance of log det A for A ~ Wishart_dim(dof, Sigma).

    E[log det A] = log det Sigma + dim log 2 + sum_{i=1}^{dim} psi((dof - i + 1)/2),
    Var[log det A] = sum_{i=1}^{dim} psi'((dof - i + 1)/2)   (Anderson 2003, Thm 7.5.4).
    """
    half = 0.5 * (dof - np.arange(dim))
    return dim * math.log(2.0) + float(digamma(half).sum()), float(polygamma(1, half).sum())


def _scatter(x):
    """Centred scatter matrix A = sum_i (x_i - mean)(x_i - mean)^T."""
    xc = x - x.mean(axis=0)
    return xc.T @ xc


def _logdet(a, name):
    sign, logdet = np.linalg.slogdet(a)
    if sign <= 0 or not math.isfinite(logdet):
        raise ValueError(f"{name}: the sample covariance is singular (collinear coordinates)")
    return float(logdet)


def _gaussian_entropy_from_scatter(logdet_scatter, n, dim, dim_given, bias_correction):
    """h(X | Y) in nats of a Gaussian, from log det of the scatter of X given Y.

    The Schur complement A_{X|Y} of the scatter matrix is Wishart_dx(n - 1 - dy,
    Sigma_{X|Y}) (dy = 0: plain entropy). With ``bias_correction`` log det Sigma_{X|Y} is
    estimated without bias (Ahmed & Gokhale 1989); otherwise by the plug-in
    log det(A_{X|Y} / (n - 1)). The standard error is the exact one of the Wishart
    log-determinant, sqrt(Var log det A) / 2, asymptotically sqrt(dx / (2 n)).
    """
    dof = n - 1 - dim_given
    offset, var = _wishart_logdet_moments(dof, dim)
    logdet_sigma = logdet_scatter - (offset if bias_correction else dim * math.log(n - 1))
    return 0.5 * (dim * _LOG_2PIE + logdet_sigma), 0.5 * math.sqrt(var)


# ----------------------------------------------------------------------------------------
# public API
# ----------------------------------------------------------------------------------------


def differential_entropy(
    samples,
    method="knn",
    k=4,
    base=2,
    workers=-1,
    bins=None,
    return_stderr=None,
    *,
    metric="chebyshev",
    bias_correction=True,
):
    r"""Differential entropy h(X) = -E[log f(X)] from independent samples of X.

    Parameters
    ----------
    samples : array_like, shape (n,) or (n, dim)
        Independent draws of X, one per row; finite, pairwise distinct for ``"knn"``.
    method : {"knn", "gaussian", "binned"}
        Estimator (see Notes).
    k : int
        Neighbour order for ``"knn"`` (1 <= k < n). Ignored by the other methods.
    base : float
        Logarithm base of the result: 2 gives bits (default), ``math.e`` nats.
    workers : int
        Threads of the neighbour search (``-1``: all cores).
    bins : None, int or sequence of int
        For ``"binned"``: bins per dimension (one number for all, or one per dimension);
        ``None`` uses Scott's normal-reference rule, width_j = 3.49 s_j n^(-1/(dim+2)).
    return_stderr : bool
        Deprecated (a ``DeprecationWarning``): the result is always an
        :class:`~entropy.estimators.Estimate` (value, standard error, 95% interval, unit),
        usable as a float.
    metric : {"chebyshev", "euclidean"}
        Norm of the ``"knn"`` neighbour distances (default: maximum norm).
    bias_correction : bool
        For ``"gaussian"``: use the unbiased estimator of log det Sigma (default) instead of
        the plug-in with the sample covariance.

    Returns
    -------
    Estimate
        The estimate in units of ``base`` (bits by default), its standard error and 95 %
        interval; usable as a float.

    Raises
    ------
    ValueError
        Bad shape, non-finite or constant coordinates, unknown ``method`` or ``metric``,
        bad ``base``, ``k`` or ``workers``, ``k >= n``; for ``"knn"``, points that coincide
        (the message gives how many and the first index).
    TypeError
        Complex ``samples``.

    Notes
    -----
    ``"knn"`` -- Kozachenko & Leonenko (1987), in the form of Kraskov, Stoegbauer &
    Grassberger (2004, eq. 20):

    .. math:: \hat h = \psi(n) - \psi(k) + \log V_d + \frac{d}{n}\sum_{i=1}^n \log r_i

    with :math:`r_i` the distance from :math:`x_i` to its k-th nearest other sample and
    :math:`V_d` the volume of the unit-radius ball of the norm: :math:`2^d` for the maximum
    norm, :math:`\pi^{d/2}/\Gamma(d/2+1)` for the Euclidean one. (Kraskov et al. write
    :math:`\epsilon_i = 2 r_i` and :math:`c_d = V_d / 2^d`; it is the same number.)

    Standard error and interval (``"knn"``): from the estimates on 10 disjoint random
    subsets of the samples, sd / sqrt(10), with a Student t interval on 9 degrees of freedom
    (see ``_subset_stderr``; it doubles the cost of the estimate; the per-point
    std(terms) / sqrt(n), used when n < 12 (k + 1), was 1.2-1.6 times too small). **The interval covers the sampling error only,
    not the bias**: the estimator is consistent, but its bias at finite n grows with the
    dimension. Measured at n = 10^4, k = 4, max norm: -0.005 nats for a 2-d and -0.05 nats
    for a 5-d Gaussian; +0.02 and +0.10 nats for a uniform law on a 2-d and 3-d box
    (boundary effect). Where the bias is comparable to the standard error the interval
    covers the truth less often than its level (``benchmarks/bench_knn.py --bias`` prints
    both); ``extra["interval"]`` says so.

    ``"gaussian"`` -- the entropy of a normal law with the covariance of the samples,
    :math:`\tfrac12 \log((2\pi e)^d \det\Sigma)`. With ``bias_correction`` (default)
    :math:`\log\det\Sigma` is estimated by the uniformly minimum-variance unbiased
    estimator of Ahmed & Gokhale (1989): with A the centred scatter matrix,
    :math:`\log\det A - d\log 2 - \sum_{i=1}^d \psi((n-i)/2)`, so that the estimate is
    exactly unbiased for Gaussian data; without it, the plug-in with the sample covariance
    A / (n - 1), biased low by about :math:`d(d+1)/(4n)` nats. Standard error: the exact
    one of the Wishart log-determinant, :math:`\tfrac12[\sum_{i=1}^d\psi'((n-i)/2)]^{1/2}`,
    asymptotically :math:`\sqrt{d/(2n)}`. Correct for Gaussian data only; for other laws
    it is an upper bound in expectation (the normal maximises entropy at fixed covariance).

    ``"binned"`` -- the plug-in Shannon entropy of the histogram of equal-width cells
    spanning the data range, plus the log of the cell volume (the bin-width correction,
    Cover & Thomas 2006, Thm 8.3.1): :math:`\hat h = -\sum_j \hat p_j \log \hat p_j +
    \sum_{m=1}^{d} \log w_m`. Standard error (delta method): std of the per-point terms
    :math:`-\log \hat p_{j(i)} + \sum_m \log w_m` over sqrt(n).

    References
    ----------
    L. F. Kozachenko and N. N. Leonenko, "Sample estimate of the entropy of a random
    vector", Probl. Inf. Transm. 23, 95-101 (1987).
    A. Kraskov, H. Stoegbauer and P. Grassberger, "Estimating mutual information",
    Phys. Rev. E 69, 066138 (2004).
    N. A. Ahmed and D. V. Gokhale, "Entropy expressions and their estimators for
    multivariate distributions", IEEE Trans. Inf. Theory 35, 688-692 (1989).
    D. W. Scott, Multivariate Density Estimation (Wiley, 1992), sec. 3.4.
    """
    _warn_return_stderr(return_stderr)
    method, base, workers, metric = _check_entropy_options(method, base, workers, metric, k)
    if method == "gaussian":
        x = _check_samples(samples, "samples")
        n, dim = x.shape
        if n <= dim:
            raise ValueError(f"samples: expected more samples than dimensions for method='gaussian', got n={n}, dim={dim}")
        h, se = _gaussian_entropy_from_scatter(_logdet(_scatter(x), "samples"), n, dim, 0, bias_correction)
        extra = {"n": n, "dim": dim, "bias_correction": bool(bias_correction)}
    else:
        x = _check_samples(samples, "samples")
        n, dim = x.shape
        if method == "knn":
            k = _check_k(k, n)
            terms = _knn_terms(x, k, metric, workers, "samples")
            extra = {"n": n, "dim": dim, "k": k, "metric": metric}
            h, _ = _mean_and_stderr(terms)
            se, dof = _subset_stderr(n, k, lambda i: _knn_terms(x[i], k, metric, workers, "samples").mean())
            return _knn_finish("differential_entropy", h, se, dof, terms, base, method, return_stderr, extra)
        else:
            nbins = _check_bins(bins, dim)
            nbins = _scott_bins(x) if nbins is None else nbins
            terms = _binned_terms(x, nbins)
            extra = {"n": n, "dim": dim, "bins": nbins.tolist()}
        h, se = _mean_and_stderr(terms)
    return _finish("differential_entropy", h, se, base, method, return_stderr, extra)


def _knn_finish(quantity, h, se, dof, terms, base, method, return_stderr, extra):
    """Estimate of a nearest-neighbour estimator: subset standard error (or the per-point one
    for small n), labelled as covering the sampling error only."""
    if se is None:
        _, se = _mean_and_stderr(terms)
        extra["interval"] = "per-point standard error (approximate, too small by ~1.2x); bias not included"
    else:
        extra["interval"] = f"sampling error from {dof + 1} disjoint subsets (Student t); bias not included"
        extra["n_blocks"] = dof + 1
    return _finish(quantity, h, se, base, method, return_stderr, extra, dof=dof)


def mutual_information(
    x,
    y,
    method="ksg",
    k=4,
    base=2,
    variant=1,
    workers=-1,
    *,
    bias_correction=True,
    return_stderr=None,
):
    r"""Mutual information I(X; Y) of two continuous variables from paired samples.

    Parameters
    ----------
    x, y : array_like, shape (n,) or (n, dim_x), (n,) or (n, dim_y)
        Paired independent draws of (X, Y), row i of ``x`` with row i of ``y``.
    method : {"ksg", "gaussian"}
        Estimator (see Notes).
    k : int
        Neighbour order for ``"ksg"`` (1 <= k < n).
    base : float
        Logarithm base of the result (2: bits, the default).
    variant : {1, 2}
        KSG estimator I^(1) or I^(2) of Kraskov et al. (2004).
    workers : int
        Threads of the neighbour searches (``-1``: all cores).
    bias_correction : bool
        For ``"gaussian"``: estimate each log-determinant without bias (default).
    return_stderr : bool
        Deprecated (a ``DeprecationWarning``): the result is always an
        :class:`~entropy.estimators.Estimate`, usable as a float.

    Returns
    -------
    Estimate
        The estimate in units of ``base``, standard error and 95 % interval. KSG and the
        bias-corrected Gaussian form may be slightly negative when I is near 0 (the value is
        not clipped; the interval is not clipped either, so that it keeps its coverage).

    Notes
    -----
    ``"ksg"`` -- Kraskov, Stoegbauer & Grassberger (2004), with the maximum norm in the joint
    space Z = (X, Y) and in the marginals. Let :math:`\epsilon_i` be the distance from
    :math:`z_i` to its k-th nearest other sample in Z.

    Variant 1 (their eq. 8): :math:`n_x(i) = \#\{j \ne i: \|x_j - x_i\| < \epsilon_i\}`
    (strict), likewise :math:`n_y(i)`, and

    .. math:: I^{(1)} = \psi(k) + \psi(n) - \langle \psi(n_x + 1) + \psi(n_y + 1) \rangle.

    Variant 2 (their eq. 9): :math:`\epsilon_x(i)`, :math:`\epsilon_y(i)` are the largest
    x- and y-distances among the k neighbours of :math:`z_i`,
    :math:`n_x(i) = \#\{j \ne i: \|x_j - x_i\| \le \epsilon_x(i)\}` (non-strict), and

    .. math:: I^{(2)} = \psi(k) - 1/k + \psi(n) - \langle \psi(n_x) + \psi(n_y) \rangle.

    Measured at n = 10^4 (``benchmarks/bench_knn.py --bias``): for Gaussians with
    d_x = d_y <= 2, |bias| < 0.005 nats; for d_x = d_y = 5 (I = 0.72 nats) KSG
    underestimates by 0.11 nats (variant 1) and 0.105 (variant 2). Near independence the
    bias is below 0.001 nats.

    Marginal counts (numba): binary search in the sorted values for a 1-D marginal; for
    more dimensions, strips along one coordinate sorted by a second, a binary search per
    strip and an exact check of the window. Exact, ties included, and faster than
    ``cKDTree.query_ball_point`` with the maximum norm. Standard error and interval: from
    10 disjoint random subsets, as for :func:`differential_entropy` ``"knn"`` (the per-point
    std / sqrt(n) spread was 0.95 to 1.5 times too small); the interval covers the sampling
    error only, not the bias above (``extra["interval"]`` says so). Coinciding points in the
    joint space raise ``ValueError``; ties within one marginal are legal.

    ``"gaussian"`` -- the mutual information of a normal law with the sample covariance,

    .. math:: I = \tfrac12 \log\frac{\det R_X \det R_Y}{\det R} = -\tfrac12 \sum_i \log(1 - \rho_i^2)

    with R the sample correlation matrix and :math:`\rho_i` the canonical correlations;
    for scalar X, Y it is :math:`-\tfrac12\log(1-\rho^2) = -\tfrac12 \log\det R`. With
    ``bias_correction`` each log-determinant is corrected as in
    :func:`differential_entropy` (Ahmed & Gokhale 1989), which makes the estimate exactly
    unbiased for Gaussian data; the plug-in is biased up by about :math:`d_x d_y / (2n)`
    nats. Standard error: asymptotic, :math:`[\sum_i \rho_i^2 / n]^{1/2}` (delta method);
    it vanishes at independence, where the estimate is not normal.

    References
    ----------
    A. Kraskov, H. Stoegbauer and P. Grassberger, "Estimating mutual information",
    Phys. Rev. E 69, 066138 (2004).
    N. A. Ahmed and D. V. Gokhale, IEEE Trans. Inf. Theory 35, 688-692 (1989).
    """
    _warn_return_stderr(return_stderr)
    method = _check_choice(method, "method", _MI_METHODS)
    base = check_base(base)
    workers = _check_workers(workers)
    if isinstance(variant, bool) or variant not in (1, 2):
        raise ValueError(f"variant={variant!r}: expected 1 or 2 (KSG estimator I^(1) or I^(2))")
    if method == "ksg":
        check_positive_int(k, "k")
    xs = _check_samples(x, "x")
    ys = _check_samples(y, "y")
    _check_same_length(xs, ys, "x", "y")
    n, dx, dy = xs.shape[0], xs.shape[1], ys.shape[1]
    if method == "ksg":
        k = _check_k(k, n)
        terms = _ksg_terms(xs, ys, k, int(variant), workers)
        mi, _ = _mean_and_stderr(terms)
        extra = {"n": n, "dim_x": dx, "dim_y": dy, "k": k, "variant": int(variant), "metric": "chebyshev"}
        se, dof = _subset_stderr(n, k, lambda i: _ksg_terms(xs[i], ys[i], k, int(variant), workers).mean())
        return _knn_finish("mutual_information", mi, se, dof, terms, base, method, return_stderr, extra)
    else:
        if n <= dx + dy:
            raise ValueError(
                f"x, y: expected more samples than dimensions for method='gaussian', got n={n}, dim={dx + dy}"
            )
        mi, se = _gaussian_mi_from_samples(xs, ys, bias_correction)
        extra = {"n": n, "dim_x": dx, "dim_y": dy, "bias_correction": bool(bias_correction)}
    return _finish("mutual_information", mi, se, base, method, return_stderr, extra)


def _ksg_terms(x, y, k, variant, workers):
    """Per-point KSG terms in nats (see :func:`mutual_information`)."""
    n = x.shape[0]
    z = np.hstack((x, y))
    if variant == 1:
        eps, _ = _knn_query(z, k, np.inf, workers, "x, y (joint samples)")
        nx = _count_within(x, eps, workers, strict=True)
        ny = _count_within(y, eps, workers, strict=True)
        return float(digamma(k) + digamma(n)) - digamma(nx + 1) - digamma(ny + 1)
    _, idx = _knn_query(z, k, np.inf, workers, "x, y (joint samples)", all_neighbours=True)
    eps_x = np.empty(n)
    eps_y = np.empty(n)
    with _numba_threads(workers, n >= _PARALLEL_MIN_LIGHT):
        _nb.largest_neighbour_distance(x, idx, eps_x)
        _nb.largest_neighbour_distance(y, idx, eps_y)
    nx = _count_within(x, eps_x, workers, strict=False)
    ny = _count_within(y, eps_y, workers, strict=False)
    return float(digamma(k) - 1.0 / k + digamma(n)) - digamma(nx) - digamma(ny)


def _gaussian_mi_from_samples(x, y, bias_correction):
    """Gaussian MI (nats) and its asymptotic standard error from paired samples."""
    n, dx = x.shape
    dy = y.shape[1]
    a = _scatter(np.hstack((x, y)))
    scale = 1.0 / np.sqrt(np.diag(a))
    r = a * scale[:, None] * scale[None, :]  # sample correlation matrix
    rx, ry, rxy = r[:dx, :dx], r[dx:, dx:], r[:dx, dx:]
    mi = 0.5 * (_logdet(rx, "x") + _logdet(ry, "y") - _logdet(r, "x, y (joint samples)"))
    if bias_correction:  # E log det A_B - log det Sigma_B for the blocks X, Y and (X, Y)
        offset = [_wishart_logdet_moments(n - 1, d)[0] for d in (dx, dy, dx + dy)]
        mi -= 0.5 * (offset[0] + offset[1] - offset[2])
    # canonical correlations: singular values of Lx^-1 Rxy Ly^-T
    lx, ly = np.linalg.cholesky(rx), np.linalg.cholesky(ry)
    c = np.linalg.solve(ly, np.linalg.solve(lx, rxy).T)
    rho = np.linalg.svd(c, compute_uv=False)
    return mi, math.sqrt(float(np.sum(rho**2)) / n)


def conditional_entropy(
    x,
    given,
    method="knn",
    k=4,
    base=2,
    workers=-1,
    bins=None,
    return_stderr=None,
    *,
    metric="chebyshev",
    bias_correction=True,
):
    r"""Conditional differential entropy h(X | Y) = h(X, Y) - h(Y) from paired samples.

    For the conditional entropy rate of a diffusion, h[X_t | X_{t-1}], pass the values at
    t as ``x`` and at t - 1 as ``given`` (one row per independent path).

    Parameters
    ----------
    x, given : array_like, shape (n,) or (n, dim_x), (n,) or (n, dim_y)
        Paired draws of X and of the conditioning variable Y.
    method : {"knn", "gaussian", "binned"}
        Estimator of both entropies (see :func:`differential_entropy`).
    k, base, workers, bins, return_stderr, metric, bias_correction
        As in :func:`differential_entropy`.

    Returns
    -------
    Estimate
        The estimate in units of ``base`` (bits by default), usable as a float.

    Notes
    -----
    ``"knn"`` -- the Kozachenko-Leonenko estimate of h(X, Y) minus that of h(Y), both with
    the same k. Standard error and interval: from 10 disjoint random subsets, as for
    :func:`differential_entropy`; sampling error only, the bias (which grows with the joint
    dimension) is not included (``extra["interval"]``).

    ``"binned"`` -- the histogram estimate of h(X, Y) minus that of h(Y), where Y is
    binned with the same edges in both, so that the difference is the plug-in discrete
    conditional entropy H(X_bin | Y_bin) plus the log of the X-cell volume.

    ``"gaussian"`` -- :math:`\tfrac12 \log((2\pi e)^{d_x} \det \Sigma_{X|Y})` with
    :math:`\Sigma_{X|Y} = \Sigma_X - \Sigma_{XY}\Sigma_Y^{-1}\Sigma_{YX}` from the samples.
    The Schur complement of the scatter matrix is Wishart with n - 1 - d_y degrees of
    freedom, which gives the exact bias correction and standard error
    (:math:`\tfrac12[\sum_{i=1}^{d_x}\psi'((n - d_y - i)/2)]^{1/2}`).

    References
    ----------
    T. M. Cover and J. A. Thomas, Elements of Information Theory, 2nd ed. (Wiley, 2006),
    sec. 8.6. Kozachenko & Leonenko (1987); Kraskov et al. (2004); Ahmed & Gokhale (1989),
    as in :func:`differential_entropy`.
    """
    _warn_return_stderr(return_stderr)
    method, base, workers, metric = _check_entropy_options(method, base, workers, metric, k)
    xs = _check_samples(x, "x")
    ys = _check_samples(given, "given")
    _check_same_length(xs, ys, "x", "given")
    n, dx, dy = xs.shape[0], xs.shape[1], ys.shape[1]
    z = np.hstack((xs, ys))
    extra = {"n": n, "dim_x": dx, "dim_given": dy}
    if method == "gaussian":
        if n <= dx + dy:
            raise ValueError(
                f"x, given: expected more samples than dimensions for method='gaussian', got n={n}, dim={dx + dy}"
            )
        a = _scatter(z)
        logdet_cond = _logdet(a, "x, given (joint samples)") - _logdet(a[dx:, dx:], "given")
        h, se = _gaussian_entropy_from_scatter(logdet_cond, n, dx, dy, bias_correction)
        extra["bias_correction"] = bool(bias_correction)
    else:
        if method == "knn":
            k = _check_k(k, n)
            joint = _knn_terms(z, k, metric, workers, "x, given (joint samples)")
            joint -= _knn_terms(ys, k, metric, workers, "given")
            extra.update(k=k, metric=metric)
            h, _ = _mean_and_stderr(joint)
            se, dof = _subset_stderr(n, k, lambda i: _knn_terms(z[i], k, metric, workers, "x, given").mean()
                                     - _knn_terms(ys[i], k, metric, workers, "given").mean())
            return _knn_finish("conditional_entropy", h, se, dof, joint, base, method, return_stderr, extra)
        else:
            nbins = _check_bins(bins, dx + dy)
            nbins = _scott_bins(z) if nbins is None else nbins
            joint = _binned_terms(z, nbins)
            joint -= _binned_terms(ys, nbins[dx:])
            extra["bins"] = nbins.tolist()
        h, se = _mean_and_stderr(joint)
    return _finish("conditional_entropy", h, se, base, method, return_stderr, extra)


def gaussian_entropy(cov, base=2):
    r"""Differential entropy of a normal law N(mu, cov), in units of ``base``.

    .. math:: h = \tfrac12 \log\left((2\pi e)^d \det \Sigma\right)

    Parameters
    ----------
    cov : array_like, shape (dim, dim) or scalar
        Covariance matrix (symmetric positive definite); a scalar is a variance.
    base : float
        Logarithm base (2: bits, the default).

    Returns
    -------
    float
        h in units of ``base``.

    References
    ----------
    Cover & Thomas, Elements of Information Theory, 2nd ed. (2006), Thm 8.4.1.
    """
    base = check_base(base)
    c = _check_cov(cov)
    return to_base(0.5 * (c.shape[0] * _LOG_2PIE + _logdet(c, "cov")), base)


def gaussian_mutual_information(cov, dim_x, base=2):
    r"""Mutual information between the first ``dim_x`` coordinates of a normal vector and the rest.

    .. math:: I(X; Y) = \tfrac12 \log \frac{\det\Sigma_X \det\Sigma_Y}{\det\Sigma}

    which for scalar X, Y with correlation rho is :math:`-\tfrac12\log(1-\rho^2)`.

    Parameters
    ----------
    cov : array_like, shape (dim, dim)
        Joint covariance of (X, Y), X first.
    dim_x : int
        Dimension of X (1 <= dim_x < dim).
    base : float
        Logarithm base (2: bits, the default).

    Returns
    -------
    float
        I(X; Y) in units of ``base``.

    References
    ----------
    Cover & Thomas, Elements of Information Theory, 2nd ed. (2006), sec. 8.5 and 9.
    """
    base = check_base(base)
    c = _check_cov(cov)
    dim = c.shape[0]
    dim_x = check_positive_int(dim_x, "dim_x")
    if dim_x >= dim:
        raise ValueError(f"dim_x={dim_x}: expected 1 <= dim_x < dim={dim} (Y needs at least one coordinate)")
    mi = 0.5 * (_logdet(c[:dim_x, :dim_x], "cov") + _logdet(c[dim_x:, dim_x:], "cov") - _logdet(c, "cov"))
    return to_base(mi, base)
