"""N-body kernels: direct-summation gravity, symplectic integrators, observables, Janus starts.

Units and conventions: G = 1; positions, velocities and accelerations of one path live in
structure-of-arrays form (``x, y, z``; ``vx, vy, vz``; ``ax, ay, az``, each of length N) so
that the inner pair loop reads and writes contiguous memory. Two-dimensional systems are
run as three-dimensional ones with ``z = vz = 0`` (the forces keep them in the plane).

Forces
------
Plummer-softened Newtonian gravity, ``F_ij = m_i m_j (r_j - r_i) / (|r_ij|^2 + eps^2)^(3/2)``,
summed directly over the N(N-1)/2 pairs with symmetric updates (each pair computed once and
applied to both bodies, Newton's third law holding to round-off). The potential energy of the
softened dynamics, ``V = -sum_{i<j} m_i m_j / sqrt(|r_ij|^2 + eps^2)``, comes out of the same
pass.

The pair loop is compiled with ``fastmath={"reassoc", "contract"}`` so that LLVM vectorises
the per-body reduction; the order of the operations is then fixed by the compiled code and
the trip count only (LLVM does not peel loops for alignment on x86, and the run-time alias
checks always pass for distinct arrays), so a path's numbers depend only on its initial
state: the same on 1 or 2 threads and in any chunk (tested). The numbers may differ in the
last bits between machines with different vector widths or without FMA.

Integrators
-----------
* leapfrog, kick-drift-kick (velocity Verlet): second order, symplectic, time-reversible;
  one force evaluation per step (the forces at the end of a step are those at the start of
  the next).
* Yoshida (1990, Phys. Lett. A 150, 262) fourth-order composition of three leapfrog steps of
  lengths ``w1 h, w0 h, w1 h`` with ``w1 = 1 / (2 - 2^(1/3))``, ``w0 = -2^(1/3) w1``:
  symmetric, hence time-reversible; three force evaluations per step.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .diffusion import next_gauss
from .rng import next_double, stream_state

SCHEME_LEAPFROG = 0
SCHEME_YOSHIDA4 = 1
_CBRT2 = 2.0 ** (1.0 / 3.0)
YOSHIDA_W1 = 1.0 / (2.0 - _CBRT2)
YOSHIDA_W0 = -_CBRT2 / (2.0 - _CBRT2)

_FAST = {"reassoc", "contract"}

#: Columns of a snapshot's observables (see :func:`snapshot`).
COLUMNS = ("I", "D", "T", "V", "E", "Lx", "Ly", "Lz", "Px", "Py", "Pz", "virial", "C_S",
           "bound_pairs", "clusters", "pair_entropy")
COL = {name: i for i, name in enumerate(COLUMNS)}
K_COLUMNS = len(COLUMNS)
#: Columns odd under velocity reversal (D, L, P): the backward arm stores them negated back.
ODD_COLUMNS = np.array([COL["D"], COL["Lx"], COL["Ly"], COL["Lz"], COL["Px"], COL["Py"], COL["Pz"]], np.int64)
#: log2(r / l_rms) is clipped to [-LOG2_CLIP, LOG2_CLIP] before binning.
LOG2_CLIP = 32.0


# ---------------------------------------------------------------------------------------------
# forces and steps
# ---------------------------------------------------------------------------------------------


@njit(fastmath=_FAST, error_model="numpy", cache=True)
def accelerations(x, y, z, m, eps2, ax, ay, az):
    """Softened accelerations into ``ax, ay, az``; returns the softened potential energy V.

    The inner loop runs over views starting at ``i + 1`` with a zero-based index (numba then
    drops its negative-index wraparound) and uses numpy's error model (no zero-division
    branch), which is what lets LLVM vectorise it: about 5x the scalar loop.
    """
    n = x.shape[0]
    for i in range(n):
        ax[i] = 0.0
        ay[i] = 0.0
        az[i] = 0.0
    V = 0.0
    for i in range(n - 1):
        xi = x[i]
        yi = y[i]
        zi = z[i]
        mi = m[i]
        X = x[i + 1:]
        Y = y[i + 1:]
        Z = z[i + 1:]
        Mj = m[i + 1:]
        AX = ax[i + 1:]
        AY = ay[i + 1:]
        AZ = az[i + 1:]
        sx = 0.0
        sy = 0.0
        sz = 0.0
        w = 0.0
        for j in range(X.shape[0]):
            dx = X[j] - xi
            dy = Y[j] - yi
            dz = Z[j] - zi
            inv = 1.0 / np.sqrt(dx * dx + dy * dy + dz * dz + eps2)
            inv3 = inv * inv * inv
            fj = Mj[j] * inv3
            fi = mi * inv3
            sx += fj * dx
            sy += fj * dy
            sz += fj * dz
            AX[j] -= fi * dx
            AY[j] -= fi * dy
            AZ[j] -= fi * dz
            w += Mj[j] * inv
        ax[i] += sx
        ay[i] += sy
        az[i] += sz
        V -= mi * w
    return V


@njit(inline="always", cache=True)
def _kick(vx, vy, vz, ax, ay, az, h):
    for i in range(vx.shape[0]):
        vx[i] += h * ax[i]
        vy[i] += h * ay[i]
        vz[i] += h * az[i]


@njit(inline="always", cache=True)
def _drift(x, y, z, vx, vy, vz, h):
    for i in range(x.shape[0]):
        x[i] += h * vx[i]
        y[i] += h * vy[i]
        z[i] += h * vz[i]


@njit(error_model="numpy", cache=True)
def advance(x, y, z, vx, vy, vz, ax, ay, az, m, eps2, h, substeps, scheme):
    """``substeps`` steps of length ``h``; ``ax..az`` must hold the accelerations at the start.

    On return they hold those at the end; returns the softened potential energy there.
    """
    V = 0.0
    for _ in range(substeps):
        if scheme == SCHEME_YOSHIDA4:
            for c in range(3):
                hc = h * (YOSHIDA_W0 if c == 1 else YOSHIDA_W1)
                _kick(vx, vy, vz, ax, ay, az, 0.5 * hc)
                _drift(x, y, z, vx, vy, vz, hc)
                V = accelerations(x, y, z, m, eps2, ax, ay, az)
                _kick(vx, vy, vz, ax, ay, az, 0.5 * hc)
        else:
            _kick(vx, vy, vz, ax, ay, az, 0.5 * h)
            _drift(x, y, z, vx, vy, vz, h)
            V = accelerations(x, y, z, m, eps2, ax, ay, az)
            _kick(vx, vy, vz, ax, ay, az, 0.5 * h)
    return V


@njit(inline="always", cache=True)
def kinetic(vx, vy, vz, m):
    T = 0.0
    for i in range(m.shape[0]):
        T += m[i] * (vx[i] * vx[i] + vy[i] * vy[i] + vz[i] * vz[i])
    return 0.5 * T


# ---------------------------------------------------------------------------------------------
# observables of one snapshot
# ---------------------------------------------------------------------------------------------


@njit(inline="always", cache=True)
def _find(parent, i):
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


@njit(cache=True)
def n_hist_bins(bin_width):
    """Length of the histogram of :func:`snapshot` for ``bin_width``."""
    return 2 * int(math.floor(LOG2_CLIP / bin_width)) + 1


@njit(fastmath=_FAST, error_model="numpy", cache=True)
def _pair_sums(i, x, y, z, vx, vy, vz, m, eps2, inv_l2, iK, R, EB, Q):
    """Pairs (i, j > i): returns the sums for V, the virial and sum m m / r; fills ``R[j]`` = r^2,
    ``EB[j]`` = the two-body energy and ``Q[j]`` = (r^2 / l^2)^iK (``iK >= 1``). Zero-based
    views, no branch: vectorised like the forces."""
    xi = x[i]
    yi = y[i]
    zi = z[i]
    ui = vx[i]
    vi = vy[i]
    wi = vz[i]
    mi = m[i]
    X = x[i + 1:]
    Y = y[i + 1:]
    Z = z[i + 1:]
    VX = vx[i + 1:]
    VY = vy[i + 1:]
    VZ = vz[i + 1:]
    Mj = m[i + 1:]
    Rj = R[i + 1:]
    Ej = EB[i + 1:]
    Qj = Q[i + 1:]
    V = 0.0
    W = 0.0
    U = 0.0
    for j in range(X.shape[0]):
        dx = X[j] - xi
        dy = Y[j] - yi
        dz = Z[j] - zi
        r2 = dx * dx + dy * dy + dz * dz
        inv = 1.0 / np.sqrt(r2 + eps2)
        mm = mi * Mj[j]
        V -= mm * inv
        W -= mm * r2 * (inv * inv * inv)
        U += mm / np.sqrt(r2)
        du = VX[j] - ui
        dv = VY[j] - vi
        dw = VZ[j] - wi
        Rj[j] = r2
        Qj[j] = r2 * inv_l2
        # two-body energy in the pair's own frame: mu |v_ij|^2 / 2 - m_i m_j / sqrt(r^2 + eps^2)
        Ej[j] = 0.5 * mm / (mi + Mj[j]) * (du * du + dv * dv + dw * dw) - mm * inv
    for _ in range(iK - 1):
        for j in range(Qj.shape[0]):
            Qj[j] *= Rj[j] * inv_l2
    return V, W, U


@njit(error_model="numpy", cache=True)
def snapshot(x, y, z, vx, vy, vz, m, eps2, bin_width, linking, res):
    """All observables of one snapshot into ``res`` (length ``K_COLUMNS``, order ``COLUMNS``).

    Everything is computed in the centre-of-mass frame of the snapshot. The pair entropy is
    in bits. Clusters: components of the graph of bound pairs closer than ``linking`` times
    the rms pair distance (``inf``: every bound pair links).

    Binning ``x = log2(r / l)`` (clipped to +-LOG2_CLIP) into ``floor(x / w)``: when
    ``K = 1 / (2 w)`` is an integer up to 8 (w = 1/2, 1/4, 1/6, ...) the bin is the binary
    exponent of ``(r^2 / l^2)^K`` (``floor(log2 q^K)`` read from the bits of the double, exact
    up to the rounding of the K - 1 products), otherwise ``floor(0.5 log2(q) / w)``.
    """
    n = m.shape[0]
    nb = n_hist_bins(bin_width)
    hist = np.zeros(nb)
    parent = np.empty(n, np.int64)
    flag = np.zeros(n, np.int64)
    R = np.empty(n)
    EB = np.empty(n)
    Q = np.empty(n)
    Qbits = Q.view(np.int64)
    M = 0.0
    cx = cy = cz = 0.0
    ux = uy = uz = 0.0
    for i in range(n):
        M += m[i]
        cx += m[i] * x[i]
        cy += m[i] * y[i]
        cz += m[i] * z[i]
        ux += m[i] * vx[i]
        uy += m[i] * vy[i]
        uz += m[i] * vz[i]
    px, py, pz = ux, uy, uz
    cx /= M
    cy /= M
    cz /= M
    ux /= M
    uy /= M
    uz /= M
    I = D = T = Lx = Ly = Lz = 0.0
    S = 0.0  # sum_{i<j} m_i m_j
    for i in range(n):
        rx = x[i] - cx
        ry = y[i] - cy
        rz = z[i] - cz
        wx = vx[i] - ux
        wy = vy[i] - uy
        wz = vz[i] - uz
        mi = m[i]
        I += mi * (rx * rx + ry * ry + rz * rz)
        D += mi * (rx * wx + ry * wy + rz * wz)
        T += mi * (wx * wx + wy * wy + wz * wz)
        Lx += mi * (ry * wz - rz * wy)
        Ly += mi * (rz * wx - rx * wz)
        Lz += mi * (rx * wy - ry * wx)
        S += mi * mi
        parent[i] = i
    T *= 0.5
    S = 0.5 * (M * M - S)
    # l_rms^2 = sum_{i<j} m_i m_j r_ij^2 / sum_{i<j} m_i m_j, and sum_{i<j} m_i m_j r_ij^2 = M I
    inv_l2 = S / (M * I) if I > 0.0 else 0.0
    link2 = linking * linking * (M * I / S)
    kmax = (nb - 1) // 2
    K = 0.5 / bin_width
    iK = int(round(K))
    if abs(K - iK) > 1e-12 * K or iK > 8:
        iK = 0
    qlo = 2.0 ** (-2.0 * LOG2_CLIP)
    qhi = 2.0 ** (2.0 * LOG2_CLIP)
    V = W = U = 0.0
    bound = 0
    for i in range(n - 1):
        v_, w_, u_ = _pair_sums(i, x, y, z, vx, vy, vz, m, eps2, inv_l2, max(iK, 1), R, EB, Q)
        V += v_
        W += w_
        U += u_
        mi = m[i]
        for j in range(i + 1, n):
            r2 = R[j]
            mm = mi * m[j]
            if r2 > 0.0:
                q = r2 * inv_l2
                if q <= qlo:
                    b = -kmax
                elif q >= qhi:
                    b = kmax
                elif iK > 0:
                    # floor(log2 q^K) = the binary exponent of Q[j] = q^K (a normal number here)
                    b = ((Qbits[j] >> 52) & 0x7FF) - 1023
                else:
                    b = int(math.floor(0.5 * math.log2(q) / bin_width))
                b = min(max(b, -kmax), kmax) + kmax
            else:
                b = 0
            hist[b] += mm
            if EB[j] < 0.0:
                bound += 1
                if r2 < link2:
                    flag[i] = 1
                    flag[j] = 1
                    a = _find(parent, i)
                    c = _find(parent, j)
                    if a != c:
                        parent[a] = c
    clusters = 0
    for i in range(n):
        if flag[i] == 1:
            r = _find(parent, i)
            if flag[r] != 2:
                flag[r] = 2
                clusters += 1
    H = 0.0
    for b in range(nb):
        if hist[b] > 0.0:
            q = hist[b] / S
            H -= q * math.log2(q)
    res[0] = I
    res[1] = D
    res[2] = T
    res[3] = V
    res[4] = T + V
    res[5] = Lx
    res[6] = Ly
    res[7] = Lz
    res[8] = px
    res[9] = py
    res[10] = pz
    res[11] = W
    res[12] = math.sqrt(M * I) * U / M**2.5
    res[13] = bound
    res[14] = clusters
    res[15] = H


@njit(cache=True)
def _load(src, p, sign):
    """``src[p]`` of shape (2, N, dim) as SoA arrays ``x, y, z, vx, vy, vz`` (z = 0 when dim == 2)."""
    n = src.shape[2]
    d = src.shape[3]
    x = np.empty(n)
    y = np.empty(n)
    z = np.empty(n)
    vx = np.empty(n)
    vy = np.empty(n)
    vz = np.empty(n)
    for i in range(n):
        x[i] = src[p, 0, i, 0]
        y[i] = src[p, 0, i, 1]
        z[i] = src[p, 0, i, 2] if d == 3 else 0.0
        vx[i] = sign * src[p, 1, i, 0]
        vy[i] = sign * src[p, 1, i, 1]
        vz[i] = sign * src[p, 1, i, 2] if d == 3 else 0.0
    return x, y, z, vx, vy, vz


@njit(parallel=True, error_model="numpy", cache=True)
def snapshots(states, m, eps2, bin_width, linking, out):
    """Observables of a batch of snapshots: ``states`` (B, 2, N, dim) -> ``out`` (B, K_COLUMNS)."""
    B = states.shape[0]
    n = m.shape[0]
    for b in prange(B):
        x, y, z, vx, vy, vz = _load(states, b, 1.0)
        snapshot(x, y, z, vx, vy, vz, m, eps2, bin_width, linking, out[b])


# ---------------------------------------------------------------------------------------------
# ensembles: one arm of every path
# ---------------------------------------------------------------------------------------------


@njit(cache=True)
def _store_state(out, p, t, x, y, z, vx, vy, vz, sign):
    d = out.shape[4]
    for i in range(x.shape[0]):
        out[p, t, 0, i, 0] = x[i]
        out[p, t, 0, i, 1] = y[i]
        out[p, t, 1, i, 0] = sign * vx[i]
        out[p, t, 1, i, 1] = sign * vy[i]
        if d == 3:
            out[p, t, 0, i, 2] = z[i]
            out[p, t, 1, i, 2] = sign * vz[i]


@njit(cache=True)
def _store_observables(out, p, t, x, y, z, vx, vy, vz, m, eps2, bin_width, linking, sign, res):
    snapshot(x, y, z, vx, vy, vz, m, eps2, bin_width, linking, res)
    for c in range(res.shape[0]):
        out[p, t, c] = res[c]
    if sign < 0.0:
        for c in ODD_COLUMNS:
            out[p, t, c] = -res[c]


@njit(parallel=True, error_model="numpy", cache=True)
def run_arm(init, m, eps2, h, substeps, scheme, sign, steps, observe, bin_width, linking, out_state, out_obs, tol, stop, bad,
            err):
    """Integrate every path of ``init`` (n, 2, N, dim) for ``steps`` recorded steps.

    ``sign = -1`` runs the time-reversed dynamics (velocities negated at the start); what is
    stored is then negated back, so the stored ensemble is one trajectory per path in the
    forward convention. ``observe``: store the observables into ``out_obs`` (n, steps + 1,
    K_COLUMNS); else the state into ``out_state`` (n, steps + 1, 2, N, dim). The other output
    is not touched (pass an empty array of the right number of dimensions).
    One recorded step is ``substeps`` integrator steps of length ``h``.

    Energy check: the relative error ``|E(t) - E(t0)| / (T(t0) + |V(t0)|)`` of every recorded
    step; ``bad[p]`` = first recorded step where it exceeds ``tol`` (or is not finite), else
    -1; ``err[p]`` = the largest relative error seen. With ``stop`` a path ends at its first bad
    step.
    """
    n = init.shape[0]
    N = m.shape[0]
    for p in prange(n):
        x, y, z, vx, vy, vz = _load(init, p, sign)
        ax = np.empty(N)
        ay = np.empty(N)
        az = np.empty(N)
        res = np.empty(K_COLUMNS)
        V = accelerations(x, y, z, m, eps2, ax, ay, az)
        T = kinetic(vx, vy, vz, m)
        E0 = T + V
        scale = T + abs(V)
        bad[p] = -1
        err[p] = 0.0
        for t in range(steps + 1):
            if t > 0:
                V = advance(x, y, z, vx, vy, vz, ax, ay, az, m, eps2, h, substeps, scheme)
                rel = abs(kinetic(vx, vy, vz, m) + V - E0) / scale
                if not rel <= err[p]:
                    err[p] = rel
                if not rel <= tol and bad[p] < 0:
                    bad[p] = t
                    if stop:
                        break
            if observe:
                _store_observables(out_obs, p, t, x, y, z, vx, vy, vz, m, eps2, bin_width, linking, sign, res)
            else:
                _store_state(out_state, p, t, x, y, z, vx, vy, vz, sign)


# ---------------------------------------------------------------------------------------------
# Janus starts
# ---------------------------------------------------------------------------------------------


@njit(inline="always", cache=True)
def _solve3(a, b):
    """Solve the 3x3 system ``a w = b`` by Cramer's rule (``a`` symmetric positive definite)."""
    c00 = a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1]
    c01 = a[1, 2] * a[2, 0] - a[1, 0] * a[2, 2]
    c02 = a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]
    det = a[0, 0] * c00 + a[0, 1] * c01 + a[0, 2] * c02
    c10 = a[0, 2] * a[2, 1] - a[0, 1] * a[2, 2]
    c11 = a[0, 0] * a[2, 2] - a[0, 2] * a[2, 0]
    c12 = a[0, 1] * a[2, 0] - a[0, 0] * a[2, 1]
    c20 = a[0, 1] * a[1, 2] - a[0, 2] * a[1, 1]
    c21 = a[0, 2] * a[1, 0] - a[0, 0] * a[1, 2]
    c22 = a[0, 0] * a[1, 1] - a[0, 1] * a[1, 0]
    w0 = (c00 * b[0] + c10 * b[1] + c20 * b[2]) / det
    w1 = (c01 * b[0] + c11 * b[1] + c21 * b[2]) / det
    w2 = (c02 * b[0] + c12 * b[1] + c22 * b[2]) / det
    return w0, w1, w2


@njit(cache=True)
def _angular(x, y, z, vx, vy, vz, m, J, L):
    """Inertia tensor ``J = sum m (|r|^2 1 - r r^T)`` and angular momentum ``L`` about the origin."""
    for a in range(3):
        L[a] = 0.0
        for b in range(3):
            J[a, b] = 0.0
    for i in range(m.shape[0]):
        mi = m[i]
        J[0, 0] += mi * (y[i] * y[i] + z[i] * z[i])
        J[1, 1] += mi * (x[i] * x[i] + z[i] * z[i])
        J[2, 2] += mi * (x[i] * x[i] + y[i] * y[i])
        J[0, 1] -= mi * x[i] * y[i]
        J[0, 2] -= mi * x[i] * z[i]
        J[1, 2] -= mi * y[i] * z[i]
        L[0] += mi * (y[i] * vz[i] - z[i] * vy[i])
        L[1] += mi * (z[i] * vx[i] - x[i] * vz[i])
        L[2] += mi * (x[i] * vy[i] - y[i] * vx[i])
    J[1, 0] = J[0, 1]
    J[2, 0] = J[0, 2]
    J[2, 1] = J[1, 2]


@njit(cache=True)
def _centre(v, m):
    M = 0.0
    c = 0.0
    for i in range(m.shape[0]):
        M += m[i]
        c += m[i] * v[i]
    c /= M
    for i in range(m.shape[0]):
        v[i] -= c


@njit(parallel=True, error_model="numpy", cache=True)
def draw_janus(seed, first_path, arm, m, dim, eps2, energy, L_target, out, fail):
    """Janus-point initial states of paths ``first_path ..``: ``out`` (n, 2, N, dim), ``fail`` (n, 2).

    Per path, from its own stream: positions uniform in the unit ball (``dim`` = 3) or disc
    (``dim`` = 2) by rejection from the cube; velocity components standard normal. Then, in
    this order: centre-of-mass frame for positions and velocities; the angular momentum
    removed by the rigid rotation ``v -= w x r``, ``J w = L``; the dilatational part removed,
    ``v -= (D / I) r`` (this keeps P = L = 0); finally ``v = w_t x r + lam v`` with
    ``J w_t = L_target`` (a rigid rotation carrying exactly ``L_target``, orthogonal to the rest
    in kinetic energy and with no D and no P) and ``lam^2 = (E - V - T_rot) / T_rest``.
    When ``E - V - T_rot < 0`` the path gets ``fail[p] = (V, T_rot)`` and ``fail[p, 0]`` is
    finite; otherwise ``fail[p] = NaN``.
    """
    n = out.shape[0]
    N = m.shape[0]
    for p in prange(n):
        r = stream_state(seed, first_path + p, arm)
        x = np.zeros(N)
        y = np.zeros(N)
        z = np.zeros(N)
        vx = np.zeros(N)
        vy = np.zeros(N)
        vz = np.zeros(N)
        for i in range(N):
            while True:
                r, u0 = next_double(r)
                r, u1 = next_double(r)
                u0 = 2.0 * u0 - 1.0
                u1 = 2.0 * u1 - 1.0
                u2 = 0.0
                if dim == 3:
                    r, u2 = next_double(r)
                    u2 = 2.0 * u2 - 1.0
                if u0 * u0 + u1 * u1 + u2 * u2 < 1.0:
                    break
            x[i] = u0
            y[i] = u1
            z[i] = u2
        for i in range(N):
            r, g = next_gauss(r)
            vx[i] = g
            r, g = next_gauss(r)
            vy[i] = g
            if dim == 3:
                r, g = next_gauss(r)
                vz[i] = g
        for q in (x, y, z, vx, vy, vz):
            _centre(q, m)
        J = np.empty((3, 3))
        L = np.empty(3)
        _angular(x, y, z, vx, vy, vz, m, J, L)
        w0, w1, w2 = _solve3(J, L)
        for i in range(N):
            vx[i] -= w1 * z[i] - w2 * y[i]
            vy[i] -= w2 * x[i] - w0 * z[i]
            vz[i] -= w0 * y[i] - w1 * x[i]
        I = 0.0
        D = 0.0
        for i in range(N):
            I += m[i] * (x[i] * x[i] + y[i] * y[i] + z[i] * z[i])
            D += m[i] * (x[i] * vx[i] + y[i] * vy[i] + z[i] * vz[i])
        c = D / I
        for i in range(N):
            vx[i] -= c * x[i]
            vy[i] -= c * y[i]
            vz[i] -= c * z[i]
        w0, w1, w2 = _solve3(J, L_target)
        rx = np.empty(N)
        ry = np.empty(N)
        rz = np.empty(N)
        for i in range(N):
            rx[i] = w1 * z[i] - w2 * y[i]
            ry[i] = w2 * x[i] - w0 * z[i]
            rz[i] = w0 * y[i] - w1 * x[i]
        T_rot = kinetic(rx, ry, rz, m)
        T_rest = kinetic(vx, vy, vz, m)
        ax = np.empty(N)
        ay = np.empty(N)
        az = np.empty(N)
        V = accelerations(x, y, z, m, eps2, ax, ay, az)
        room = energy - V - T_rot
        if room < 0.0 or T_rest <= 0.0:
            fail[p, 0] = V
            fail[p, 1] = T_rot
            lam = 0.0
        else:
            fail[p, 0] = np.nan
            fail[p, 1] = np.nan
            lam = math.sqrt(room / T_rest)
        for i in range(N):
            out[p, 0, i, 0] = x[i]
            out[p, 0, i, 1] = y[i]
            out[p, 1, i, 0] = rx[i] + lam * vx[i]
            out[p, 1, i, 1] = ry[i] + lam * vy[i]
            if dim == 3:
                out[p, 0, i, 2] = z[i]
                out[p, 1, i, 2] = rz[i] + lam * vz[i]
