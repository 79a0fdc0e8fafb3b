"""Running first and second moments of real-valued states, per time (streamed diffusions)."""

from __future__ import annotations

from numba import njit, prange


@njit(parallel=True, cache=True)
def accumulate_scatter(x, shift, total, scatter):
    """Add per-time sums of ``y = x - shift`` and of ``y y^T`` over the paths of ``x``.

    ``x`` is time-major, shape (times, paths, dim); ``shift`` (times, dim) is a fixed reference
    point per time (the first path's state: sums of shifted values keep their precision when
    the mean is far from 0 compared with the spread); ``total`` (times, dim) and ``scatter``
    (times, dim, dim) are added to in place. Threads take whole times and add the paths one
    by one in order, so a run split into chunks (processed in path order) gives the same
    sums, bit for bit, as one chunk.
    """
    T, n, d = x.shape
    for t in prange(T):
        for p in range(n):
            for i in range(d):
                yi = x[t, p, i] - shift[t, i]
                total[t, i] += yi
                for j in range(d):
                    scatter[t, i, j] += yi * (x[t, p, j] - shift[t, j])
