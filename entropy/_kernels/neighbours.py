"""Nearest-neighbour kernels for the continuous estimators (kNN entropy, KSG).

Exact counts and distances in the max norm, with ties decided as ``scipy.spatial.cKDTree``
decides them, so results equal a plain cKDTree implementation to rounding.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True)
def window(values, start, stop, q, r):
    """Indices [lo, hi) of ``values[start:stop]`` (sorted) with ``|v - q| <= r``.

    Binary searches on the rounded differences ``v - q`` and ``q - v``: they are monotone in
    ``v`` and are the numbers a k-d tree compares, so ties at distance exactly ``r`` are
    decided as ``cKDTree.query_ball_point(p=inf)`` decides them.
    """
    lo = start
    hi = stop
    while lo < hi:  # first index with v - q > r
        mid = (lo + hi) >> 1
        if values[mid] - q <= r:
            lo = mid + 1
        else:
            hi = mid
    upper = lo
    lo = start
    hi = upper
    while lo < hi:  # first index with q - v <= r
        mid = (lo + hi) >> 1
        if q - values[mid] > r:
            lo = mid + 1
        else:
            hi = mid
    return lo, upper


@njit(parallel=True, cache=True)
def count_within_1d(sorted_values, queries, radii, out):
    """``out[i] = #{j : |sorted_values[j] - queries[i]| <= radii[i]}`` (self included)."""
    n = sorted_values.shape[0]
    for i in prange(queries.shape[0]):
        lo, hi = window(sorted_values, 0, n, queries[i], radii[i])
        out[i] = hi - lo


@njit(parallel=True, cache=True)
def count_within_strips(points, column1, starts, origin, inv_width, queries, radii, out):
    """``out[i] = #{j : max_m |points[j, m] - queries[i, m]| <= radii[i]}`` (self included).

    The points are cut into strips of equal width along column 0 and sorted by (strip,
    column 1); ``starts[s]`` is the first row of strip s, ``column1`` a contiguous copy of
    column 1. For each query: the strips that the interval [q0 - r, q0 + r] can touch (with
    a few ulps of slack, so none is missed), a binary search on column 1 inside each, and an
    exact check of the other columns on the points of that window only.
    """
    nstrips = starts.shape[0] - 1
    dim = points.shape[1]
    for i in prange(queries.shape[0]):
        q0 = queries[i, 0]
        q1 = queries[i, 1]
        r = radii[i]
        slack = (abs(q0) + r) * 1e-15
        first = max(int(np.floor((q0 - r - slack - origin) * inv_width)), 0)
        last = min(int(np.floor((q0 + r + slack - origin) * inv_width)), nstrips - 1)
        count = 0
        for s in range(first, last + 1):
            lo, hi = window(column1, starts[s], starts[s + 1], q1, r)
            for j in range(lo, hi):
                inside = abs(points[j, 0] - q0) <= r
                m = 2
                while inside and m < dim:
                    inside = abs(points[j, m] - queries[i, m]) <= r
                    m += 1
                if inside:
                    count += 1
        out[i] = count


@njit(parallel=True, cache=True)
def largest_neighbour_distance(x, neighbours, out):
    """``out[i] = max_a max_m |x[neighbours[i, a], m] - x[i, m]|`` (no (n, k, dim) temporary)."""
    k = neighbours.shape[1]
    dim = x.shape[1]
    for i in prange(x.shape[0]):
        largest = 0.0
        for a in range(k):
            j = neighbours[i, a]
            for m in range(dim):
                gap = abs(x[j, m] - x[i, m])
                if gap > largest:
                    largest = gap
        out[i] = largest


@njit(parallel=True, cache=True)
def kth_gap_sorted(values, k, out):
    """``out[i]`` = distance from ``values[i]`` to its k-th nearest other value (sorted input).

    The k nearest others of a sorted value are among its k left and k right neighbours: walk
    outwards from i, k steps, each time to the nearer side.
    """
    n = values.shape[0]
    for i in prange(n):
        v = values[i]
        left = i - 1
        right = i + 1
        gap = 0.0
        for _ in range(k):
            if right >= n or (left >= 0 and v - values[left] <= values[right] - v):
                gap = v - values[left]
                left -= 1
            else:
                gap = values[right] - v
                right += 1
        out[i] = gap
