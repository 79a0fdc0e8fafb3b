"""Kernels over dense per-time count tables: plug-in entropies and their moments in one pass.

Each row of a table is one time; the kernels touch every cell once and allocate nothing, so
a per-time alphabet of 10**5 - 10**6 words costs about a millisecond per time.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange


#: ``log(c)`` for the counts ``c < 2**14`` that fill most cells (a table lookup instead of a log).
_LOG = np.log(np.maximum(np.arange(2**14, dtype=np.float64), 1.0))


@njit(inline="always", cache=True)
def _log(c):
    return _LOG[c] if c < _LOG.size else math.log(c)


@njit(parallel=True, cache=True)
def conditional_moments(pc, out):
    """Per row t of ``pc[t, h, x]`` (history h, target x), in nats:

    ``out[t] = (H(joint), H(history), E[-log p(x|h)], E[log^2 p(x|h)], M)`` with the plug-in
    probabilities; ``E[-log p(x|h)]`` is the plug-in conditional entropy and the second
    moment gives its delta-method variance ``(E[log^2] - E[-log]^2) / M``.
    """
    R, H, X = pc.shape
    for t in prange(R):
        M = 0
        for h in range(H):
            for x in range(X):
                M += pc[t, h, x]
        hj = 0.0
        hh = 0.0
        m1 = 0.0
        m2 = 0.0
        if M > 0:
            for h in range(H):
                rs = 0
                for x in range(X):
                    rs += pc[t, h, x]
                if rs == 0:
                    continue
                lrs = _log(rs)
                hh += rs * lrs
                for x in range(X):
                    c = pc[t, h, x]
                    if c > 0:
                        lc = _log(c)
                        d = lc - lrs
                        hj += c * lc
                        m1 -= c * d
                        m2 += c * d * d
            lM = math.log(M)
            hj = lM - hj / M
            hh = lM - hh / M
            m1 /= M
            m2 /= M
        out[t, 0] = hj
        out[t, 1] = hh
        out[t, 2] = m1
        out[t, 3] = m2
        out[t, 4] = M


@njit(parallel=True, cache=True)
def mi_moments(pc, out):
    """Per row t of ``pc[t, a, b]``, in nats, with the plug-in probabilities:

    ``out[t] = (H(a), H(b), H(a, b), E[l], E[l^2], M)`` with
    ``l = log p(a, b) / (p(a) p(b))``: ``E[l]`` is the plug-in mutual information and
    ``(E[l^2] - E[l]^2) / M`` its delta-method variance.
    """
    R, A, B = pc.shape
    for t in prange(R):
        ca = np.zeros(A)
        cb = np.zeros(B)
        M = 0
        for i in range(A):
            for j in range(B):
                c = pc[t, i, j]
                ca[i] += c
                cb[j] += c
                M += c
        ha = 0.0
        hb = 0.0
        hab = 0.0
        m1 = 0.0
        m2 = 0.0
        if M > 0:
            lM = math.log(M)
            la = np.zeros(A)
            lb = np.zeros(B)
            for i in range(A):
                if ca[i] > 0:
                    la[i] = _log(np.int64(ca[i]))
                    ha += ca[i] * la[i]
            for j in range(B):
                if cb[j] > 0:
                    lb[j] = _log(np.int64(cb[j]))
                    hb += cb[j] * lb[j]
            for i in range(A):
                if ca[i] == 0:
                    continue
                for j in range(B):
                    c = pc[t, i, j]
                    if c > 0:
                        lc = _log(c)
                        hab += c * lc
                        d = lc + lM - la[i] - lb[j]
                        m1 += c * d
                        m2 += c * d * d
            ha = lM - ha / M
            hb = lM - hb / M
            hab = lM - hab / M
            m1 /= M
            m2 /= M
        out[t, 0] = ha
        out[t, 1] = hb
        out[t, 2] = hab
        out[t, 3] = m1
        out[t, 4] = m2
        out[t, 5] = M
