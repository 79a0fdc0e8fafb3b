r"""Observables of gravitating N-body configurations, as pure functions on arrays.

Every function takes positions (and velocities) of shape ``(..., N, dim)`` with ``dim`` 2 or
3 and any leading axes -- one snapshot ``(N, dim)``, a trajectory ``(times, N, dim)``, an
ensemble ``(paths, times, N, dim)`` -- and returns one value per snapshot (shape ``...``).
They serve snapshots from any code, not only :class:`entropy.NBody` ensembles; nothing
here imports a process.

Conventions: Newton's constant G = 1; ``masses`` of shape ``(N,)`` (default: equal masses
summing to 1); everything is computed in the centre-of-mass frame of each snapshot (the
centre of mass and its velocity are subtracted first), so the quantities below are those of
Barbour, Koslowski & Mercati with :math:`\sum_i m_i r_i = 0`. ``softening`` :math:`\epsilon`
is the Plummer softening length of the dynamics: the potential energy, the virial and the
two-body energies use :math:`1/\sqrt{r^2+\epsilon^2}` in place of :math:`1/r`, so that
``energy`` is the quantity the softened dynamics conserves; the shape complexity always uses
the unsoftened :math:`1/r` (it is a property of the shape alone).

With :math:`M = \sum_i m_i`, :math:`r_{ij} = |r_i - r_j|`:

* moment of inertia :math:`I = \sum_i m_i |r_i|^2 = M^{-1}\sum_{i<j} m_i m_j r_{ij}^2`;
* dilatational momentum :math:`D = \sum_i m_i\, r_i\cdot v_i = \tfrac12 dI/dt`;
* kinetic energy :math:`T = \tfrac12\sum_i m_i |v_i|^2`;
* potential energy :math:`V = -\sum_{i<j} m_i m_j / \sqrt{r_{ij}^2 + \epsilon^2}`, energy :math:`E = T + V`;
* virial :math:`\sum_i r_i\cdot F_i = -\sum_{i<j} m_i m_j r_{ij}^2 / (r_{ij}^2+\epsilon^2)^{3/2}`, so that
  :math:`dD/dt = 2T + \sum_i r_i\cdot F_i` (:math:`= T + E` when :math:`\epsilon = 0`, V being
  homogeneous of degree -1);
* shape complexity :math:`C_S = \sqrt{\sum_{i<j} m_i m_j r_{ij}^2}\,\sum_{i<j} m_i m_j / r_{ij}\,/\,M^{5/2}`;
* bound pairs, clusters and the pair-distance entropy: see :func:`bound_pairs`,
  :func:`cluster_count` and :func:`pair_distance_entropy`.

References
----------
J. Barbour, T. Koslowski and F. Mercati, "Identification of a gravitational arrow of time",
Phys. Rev. Lett. 113, 181101 (2014), arXiv:1409.0917.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ._kernels import nbody as _kn
from ._units import check_base

__all__ = [
    "moment_of_inertia", "dilatational_momentum", "kinetic_energy", "potential_energy", "energy",
    "momentum", "angular_momentum", "virial", "shape_complexity", "bound_pairs", "cluster_count",
    "pair_distance_entropy", "observables", "ensemble_observables", "OBSERVABLES",
]

#: Names of the observables returned by :func:`observables` (and recorded by
#: ``entropy.NBody(record="observables")``), in column order.
OBSERVABLES = _kn.COLUMNS


# ---------------------------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------------------------


def _positions(positions, name="positions") -> np.ndarray:
    try:
        x = np.asarray(positions, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a numeric array of shape (..., N, dim) with dim 2 or 3") from None
    if x.ndim < 2 or x.shape[-1] not in (2, 3) or x.shape[-2] < 2:
        raise ValueError(f"{name}: expected shape (..., N, dim) with N >= 2 and dim 2 or 3, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name}: entries must be finite")
    return x


def _velocities(velocities, shape) -> np.ndarray:
    v = _positions(velocities, "velocities")
    if v.shape != shape:
        raise ValueError(f"velocities: expected the shape of positions {shape}, got {v.shape}")
    return v


def check_masses(masses, n) -> np.ndarray:
    """Masses of ``n`` bodies: positive and finite, shape (n,); None gives equal masses 1/n."""
    if masses is None:
        return np.full(n, 1.0 / n)
    try:
        m = np.asarray(masses, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"masses={masses!r}: expected {n} positive numbers") from None
    if m.shape != (n,):
        raise ValueError(f"masses: expected shape ({n},) (one mass per body), got shape {m.shape}")
    if not np.all(np.isfinite(m) & (m > 0)):
        i = int(np.flatnonzero(~(np.isfinite(m) & (m > 0)))[0])
        raise ValueError(f"masses[{i}]={float(m[i])!r}: expected positive finite masses")
    return m


def check_softening(softening) -> float:
    """Plummer softening length: a finite number >= 0."""
    if isinstance(softening, bool) or not isinstance(softening, numbers.Real) or not (
            math.isfinite(softening) and softening >= 0):
        raise ValueError(f"softening={softening!r}: expected a finite number >= 0 (a length)")
    return float(softening)


def check_bin_width(bin_width) -> float:
    if isinstance(bin_width, bool) or not isinstance(bin_width, numbers.Real) or not (
            math.isfinite(bin_width) and 1e-3 <= bin_width <= 8):
        raise ValueError(f"bin_width={bin_width!r}: expected a number in [0.001, 8] (octaves of distance)")
    return float(bin_width)


def check_linking_length(linking_length) -> float:
    if isinstance(linking_length, bool) or not isinstance(linking_length, numbers.Real) or not (
            linking_length > 0):
        raise ValueError(f"linking_length={linking_length!r}: expected a number > 0 (in units of the rms pair "
                         "distance; inf links every bound pair)")
    return float(linking_length)


def _centred(a, m):
    """``a`` minus its mass-weighted mean over the body axis."""
    return a - np.einsum("...nd,n->...d", a, m)[..., None, :] / m.sum()


# ---------------------------------------------------------------------------------------------
# one-body sums (numpy, O(N))
# ---------------------------------------------------------------------------------------------


def moment_of_inertia(positions, masses=None) -> np.ndarray:
    r"""Moment of inertia about the centre of mass, :math:`I = \sum_i m_i |r_i - r_{cm}|^2`.

    Parameters
    ----------
    positions : array_like, shape (..., N, dim)
    masses : array_like, shape (N,), optional
        Default: equal masses summing to 1.

    Returns
    -------
    ndarray, shape (...)
        In units of mass x length^2. Equals :math:`M^{-1}\sum_{i<j} m_i m_j r_{ij}^2`.

    References
    ----------
    Barbour, Koslowski & Mercati, Phys. Rev. Lett. 113, 181101 (2014).
    """
    x = _positions(positions)
    m = check_masses(masses, x.shape[-2])
    r = _centred(x, m)
    return np.einsum("...nd,...nd,n->...", r, r, m)


def dilatational_momentum(positions, velocities, masses=None) -> np.ndarray:
    r"""Dilatational momentum :math:`D = \sum_i m_i (r_i - r_{cm})\cdot(v_i - v_{cm}) = \tfrac12\, dI/dt`.

    The generator of dilatations; D = 0 at the Janus point, where I is smallest. Units: mass x
    length^2 / time. Reference: Barbour, Koslowski & Mercati, PRL 113, 181101 (2014).
    """
    x = _positions(positions)
    v = _velocities(velocities, x.shape)
    m = check_masses(masses, x.shape[-2])
    return np.einsum("...nd,...nd,n->...", _centred(x, m), _centred(v, m), m)


def kinetic_energy(velocities, masses=None) -> np.ndarray:
    r"""Kinetic energy in the centre-of-mass frame, :math:`T = \tfrac12\sum_i m_i |v_i - v_{cm}|^2`."""
    v = _positions(velocities, "velocities")
    m = check_masses(masses, v.shape[-2])
    w = _centred(v, m)
    return 0.5 * np.einsum("...nd,...nd,n->...", w, w, m)


def momentum(velocities, masses=None) -> np.ndarray:
    r"""Total momentum :math:`P = \sum_i m_i v_i` (not centred), shape (..., dim)."""
    v = _positions(velocities, "velocities")
    m = check_masses(masses, v.shape[-2])
    return np.einsum("...nd,n->...d", v, m)


def angular_momentum(positions, velocities, masses=None) -> np.ndarray:
    r"""Angular momentum about the centre of mass, :math:`L = \sum_i m_i (r_i - r_{cm})\times(v_i - v_{cm})`.

    Returns shape (..., 3) for dim = 3 and (...) (the z component) for dim = 2. Units: mass x
    length^2 / time.
    """
    x = _positions(positions)
    v = _velocities(velocities, x.shape)
    m = check_masses(masses, x.shape[-2])
    r, w = _centred(x, m), _centred(v, m)
    if x.shape[-1] == 2:
        return np.einsum("...n,n->...", r[..., 0] * w[..., 1] - r[..., 1] * w[..., 0], m)
    return np.einsum("...nd,n->...d", np.cross(r, w), m)


# ---------------------------------------------------------------------------------------------
# pair sums (numba kernel, O(N^2) per snapshot)
# ---------------------------------------------------------------------------------------------


def _pair_columns(positions, velocities, masses, softening, bin_width=0.25, linking_length=0.1):
    """All observables of every snapshot through the kernel: array (..., K) and the leading shape."""
    x = _positions(positions)
    v = np.zeros_like(x) if velocities is None else _velocities(velocities, x.shape)
    m = check_masses(masses, x.shape[-2])
    eps = check_softening(softening)
    w = check_bin_width(bin_width)
    b = check_linking_length(linking_length)
    lead = x.shape[:-2]
    n, d = x.shape[-2:]
    states = np.stack([x.reshape(-1, n, d), v.reshape(-1, n, d)], axis=1)
    out = np.empty((states.shape[0], _kn.K_COLUMNS))
    _kn.snapshots(states, m, eps * eps, w, b, out)
    return out.reshape(lead + (_kn.K_COLUMNS,)), lead


def _column(name, positions, velocities, masses, softening, **kw) -> np.ndarray:
    out, _ = _pair_columns(positions, velocities, masses, softening, **kw)
    return out[..., _kn.COL[name]]


def potential_energy(positions, masses=None, softening=0.0) -> np.ndarray:
    r"""Softened potential energy :math:`V = -\sum_{i<j} m_i m_j / \sqrt{r_{ij}^2 + \epsilon^2}` (G = 1).

    ``softening`` is the Plummer length :math:`\epsilon` (0: Newtonian). Units: energy
    (mass^2 / length with G = 1).
    """
    return _column("V", positions, None, masses, softening)


def energy(positions, velocities, masses=None, softening=0.0) -> np.ndarray:
    r"""Total energy in the centre-of-mass frame, :math:`E = T + V` with the softened V.

    This is what the softened dynamics of :class:`entropy.NBody` conserves (to the
    integrator's order). Reference: Barbour, Koslowski & Mercati, PRL 113, 181101 (2014).
    """
    return _column("E", positions, velocities, masses, softening)


def virial(positions, masses=None, softening=0.0) -> np.ndarray:
    r"""Virial :math:`\sum_i r_i\cdot F_i = -\sum_{i<j} m_i m_j r_{ij}^2 / (r_{ij}^2+\epsilon^2)^{3/2}`.

    With it the Lagrange-Jacobi relation reads :math:`dD/dt = 2T + \sum_i r_i\cdot F_i`; for
    :math:`\epsilon = 0` the virial equals V (Euler's theorem for a potential homogeneous of
    degree -1) and :math:`dD/dt = 2T + V = T + E`. For :math:`\epsilon > 0` it is :math:`\ge V`,
    so :math:`dD/dt \ge T + E` still holds. Units: energy.
    """
    return _column("virial", positions, None, masses, softening)


def shape_complexity(positions, masses=None) -> np.ndarray:
    r"""Barbour's shape complexity :math:`C_S = \sqrt{\sum_{i<j} m_i m_j r_{ij}^2}\;\sum_{i<j} \frac{m_i m_j}{r_{ij}}\,/\,M^{5/2}`.

    The ratio of the root-mean-square length to the mean harmonic length of the
    configuration: dimensionless, invariant under translations, rotations and dilatations, so
    a function of the shape alone. It is smallest for uniform configurations and grows as
    the bodies clump into clusters (it is :math:`-\sqrt{I}\,V_{\epsilon=0}` at unit mass, the
    scale-invariant potential). Always unsoftened; coincident bodies give ``inf``.

    References
    ----------
    J. Barbour, T. Koslowski and F. Mercati, Phys. Rev. Lett. 113, 181101 (2014), eq. (3).
    """
    return _column("C_S", positions, None, masses, 0.0)


def bound_pairs(positions, velocities, masses=None, softening=0.0) -> np.ndarray:
    r"""Number of bound pairs: pairs with negative two-body energy.

    Pair (i, j) is bound when
    :math:`\tfrac12 \mu_{ij} |v_i - v_j|^2 - m_i m_j / \sqrt{r_{ij}^2+\epsilon^2} < 0`,
    :math:`\mu_{ij} = m_i m_j / (m_i + m_j)`: the pair's energy in its own centre-of-mass
    frame, ignoring all other bodies (a Kepler pair if it stays isolated). Returns float
    counts, shape (...). Reference: the Kepler pairs of Barbour, Koslowski & Mercati (2014).
    """
    return _column("bound_pairs", positions, velocities, masses, softening)


def cluster_count(positions, velocities, masses=None, softening=0.0, *, linking_length=0.1) -> np.ndarray:
    r"""Number of clusters: groups of at least two bodies linked by close bound pairs.

    Linking rule (friends of friends on bound pairs): bodies i and j are linked when the pair
    is bound (:func:`bound_pairs`) and :math:`r_{ij} < b\,\ell`, with ``linking_length`` b
    (default 0.1) in units of the rms pair distance
    :math:`\ell = \sqrt{\sum_{i<j} m_i m_j r_{ij}^2 / \sum_{i<j} m_i m_j}`; a cluster is a
    connected component of the links with at least two bodies. Measuring the linking length
    in units of :math:`\ell` keeps the count scale free (the friends-of-friends rule of Davis
    et al., ApJ 292, 371, 1985, with the mean separation replaced by the rms length); requiring
    binding keeps chance close fly-bys out. ``linking_length=inf`` links every bound pair.
    Returns float counts, shape (...).
    """
    return _column("clusters", positions, velocities, masses, softening, linking_length=linking_length)


def pair_distance_entropy(positions, masses=None, *, bin_width=0.25, base=2) -> np.ndarray:
    r"""Shannon entropy of the pair distances in units of the rms length: scale-free structure.

    With :math:`\ell = \sqrt{\sum_{i<j} m_i m_j r_{ij}^2 / \sum_{i<j} m_i m_j}` (the mass-weighted
    rms pair distance) every pair gets :math:`x_{ij} = \log_2(r_{ij}/\ell)`, clipped to
    [-32, 32], and falls in bin :math:`k = \lfloor x_{ij} / w \rfloor` (``bin_width`` w, in
    octaves of distance, default 1/4). With the mass weights
    :math:`q_k = \sum_{(i,j) \in k} m_i m_j / \sum_{i<j} m_i m_j`,

    .. math:: H = -\sum_k q_k \log_b q_k .

    Dimensionless and invariant under translations, rotations and dilatations, like
    :math:`C_S`: it measures how many octaves of scale the configuration spans. A uniform
    cloud has its pair distances within a few octaves of :math:`\ell`; tight pairs and
    clusters far apart spread them over many octaves, and H grows. It is a plug-in
    (histogram) entropy of a coarse-grained distribution, so it depends on ``bin_width``.

    Parameters
    ----------
    positions : array_like, shape (..., N, dim)
    masses : array_like, shape (N,), optional
    bin_width : float
        Bin width w in octaves (log2 units of distance).
    base : float
        Logarithm base of the result (2 = bits, the default).

    Returns
    -------
    ndarray, shape (...)

    References
    ----------
    C. E. Shannon, Bell Syst. Tech. J. 27, 379 (1948); the scale-invariant setting of
    Barbour, Koslowski & Mercati, Phys. Rev. Lett. 113, 181101 (2014).
    """
    b = check_base(base)
    bits = _column("pair_entropy", positions, None, masses, 0.0, bin_width=bin_width)
    return bits * (math.log(2.0) / math.log(b))


def observables(positions, velocities, masses=None, softening=0.0, *, bin_width=0.25, linking_length=0.1,
                base=2) -> dict:
    """All observables of every snapshot in one pass: a dict name -> array of shape (...).

    The names are :data:`OBSERVABLES`: ``I, D, T, V, E`` as in the module notes (T and E in
    the centre-of-mass frame), ``Lx, Ly, Lz`` (angular momentum about the centre of mass),
    ``Px, Py, Pz`` (total momentum), ``virial``, ``C_S``, ``bound_pairs``, ``clusters`` and
    ``pair_entropy`` (in units of ``base``; see :func:`pair_distance_entropy`; ``clusters``
    with ``linking_length`` as in :func:`cluster_count`). For dim = 2
    the z rows hold zeros except ``Lz``.
    """
    b = check_base(base)
    cols, _ = _pair_columns(positions, velocities, masses, softening, bin_width, linking_length)
    return columns_to_dict(cols, b)


def columns_to_dict(cols, base=2) -> dict:
    """Columns (..., K) in the order of :data:`OBSERVABLES` as a dict (pair entropy converted from bits)."""
    out = {name: cols[..., i] for i, name in enumerate(OBSERVABLES)}
    out["pair_entropy"] = out["pair_entropy"] * (math.log(2.0) / math.log(check_base(base)))
    return out


def ensemble_observables(ensemble, *, base=2) -> dict:
    """Observables of a stored :class:`entropy.NBody` ensemble: a dict name -> (paths, times) array.

    Works for both record modes: with ``record="observables"`` it reads the recorded columns;
    with ``record="state"`` it computes them from the stored positions and velocities with
    the process's masses, softening, bin width and linking length (:func:`observables`). Duck-typed: needs
    ``ensemble.states`` and ``ensemble.process`` with ``record``, ``masses``, ``softening`` and
    ``bin_width``.
    """
    proc = ensemble.process
    for attr in ("record", "masses", "softening", "bin_width", "linking_length"):
        if not hasattr(proc, attr):
            raise ValueError(f"ensemble: expected an ensemble simulated from entropy.NBody; its process "
                             f"{type(proc).__name__} has no {attr!r}")
    states = np.asarray(ensemble.states)
    if proc.record == "observables":
        return columns_to_dict(states, base)
    return observables(states[..., 0, :, :], states[..., 1, :, :], proc.masses, proc.softening,
                       bin_width=proc.bin_width, linking_length=proc.linking_length, base=base)
