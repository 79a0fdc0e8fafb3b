r"""A gravitating N-body system started at its Janus point.

Barbour, Koslowski & Mercati (2014) showed that every solution of the Newtonian N-body
problem with zero energy and angular momentum has a unique *Janus point* where the moment of
inertia I is smallest and the dilatational momentum :math:`D = \frac12 dI/dt` vanishes; from
it the shape complexity (clustering) grows in both directions of time. :class:`NBody` runs
that as a two-sided ensemble: ``simulate(model, "janus", forward=n, backward=n, dt=dt,
paths=m, seed=s)`` draws each path's state at t0 = the Janus point, the forward arm integrates
the dynamics and the backward arm integrates the time-reversed dynamics (velocities negated),
so t < t0 is the past of the same trajectory.

Time reversal
-------------
Newtonian gravity is time-reversal invariant: if :math:`(r(t), v(t))` is a solution, so is
:math:`(r(-t), -v(-t))`. ``reversed()`` is the same system with the velocities negated at the
start of the arm; the backward arm stores positions as they are and velocities negated back,
so each stored path is one trajectory in the forward convention (``v = dr/dt``) through
``t0``. The integrators are symmetric, so this holds for the discrete dynamics as well: the
backward arm of a path equals, to round-off, the forward integration of its state at
``t0 - n dt`` (tested).

References
----------
J. Barbour, T. Koslowski and F. Mercati, "Identification of a gravitational arrow of time",
Phys. Rev. Lett. 113, 181101 (2014). H. Yoshida, Phys. Lett. A 150, 262 (1990).
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from .._kernels import nbody as _kn
from .._kernels.rng import ARM_BACKWARD, ARM_START
from ..nbody import check_bin_width, check_linking_length, check_masses, check_softening  # validators of the array-level module
from .base import Process

__all__ = ["NBody", "EnergyError", "EnergyErrorWarning", "INTEGRATORS", "RECORDS"]

#: Integrators of :class:`NBody` (both symplectic and time-reversible).
INTEGRATORS = {"leapfrog": _kn.SCHEME_LEAPFROG, "yoshida4": _kn.SCHEME_YOSHIDA4}
#: What an :class:`NBody` ensemble records at each time.
RECORDS = ("state", "observables")
_ACTIONS = ("raise", "warn", "ignore")


class EnergyError(FloatingPointError):
    """The relative energy error of a path exceeded ``energy_tolerance``.

    Attributes: ``path`` (global index), ``step`` (recorded step of its arm, 1 = first after
    t0), ``time`` (relative to t0, negative on the backward arm), ``arm``, ``error`` (the
    relative error there) and ``dt``. Being a FloatingPointError, ``simulate`` attaches the
    chunks finished before as ``.partial``.
    """

    def __init__(self, message, *, path, step, time, arm, error, dt):
        super().__init__(message)
        self.path = path
        self.step = step
        self.time = time
        self.arm = arm
        self.error = error
        self.dt = dt


class EnergyErrorWarning(RuntimeWarning):
    """Issued with ``on_energy_error="warn"`` when the energy error exceeds the tolerance."""


def _real(value, name, *, low=None, positive=False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name}={value!r}: expected a finite number")
    if positive and value <= 0:
        raise ValueError(f"{name}={value!r}: expected a number > 0")
    if low is not None and value < low:
        raise ValueError(f"{name}={value!r}: expected a number >= {low}")
    return float(value)


def _choice(value, name, options):
    if value not in options:
        raise ValueError(f"{name}={value!r}: expected one of {', '.join(map(repr, options))}")
    return value


class NBody(Process):
    r"""N point masses under Plummer-softened Newtonian gravity, started at the Janus point.

    Parameters
    ----------
    bodies : int
        Number of bodies N >= 3.
    masses : array_like, shape (N,), optional
        Positive masses, rescaled to total mass M = 1 (default: all 1/N).
    softening : float
        Plummer softening length :math:`\epsilon \ge 0` (default 0.05, in the units where the
        Janus-point positions fill the unit ball): the pair potential is
        :math:`-m_i m_j/\sqrt{r^2+\epsilon^2}`. It bounds the force of close encounters (so a
        fixed ``dt`` stays accurate), and it makes pairs closer than about
        :math:`\epsilon` softer than Kepler pairs; it breaks the exact scale invariance of
        Newtonian gravity (``dD/dt = T + E`` becomes ``dD/dt >= T + E``, see
        :func:`entropy.nbody.virial`), so D still grows strictly when E >= 0. The energy
        conserved and recorded is the softened one. 0 gives Newtonian gravity. The step must
        resolve the tightest orbits, those at distance about :math:`\epsilon`; see
        :attr:`suggested_dt`.
    energy : float
        Total energy E of the Janus start (default 0, the case of Barbour et al.).
    angular_momentum : float or array_like of 3 floats
        Total angular momentum of the Janus start (a number: along z; default 0).
    dim : {3, 2}
        Dimension of space.
    integrator : {"leapfrog", "yoshida4"}
        Kick-drift-kick leapfrog (2nd order, one force evaluation per step) or Yoshida's 4th
        order composition (three). Both are symplectic and time-reversible.
    substeps : int
        Integrator steps per recorded time step (``simulate``'s ``dt``); the integrator step is
        ``dt / substeps``.
    record : {"state", "observables"}
        "state": every time stores positions and velocities, ``record_shape = (2, N, dim)``
        (``states[..., 0, :, :]`` positions, ``[..., 1, :, :]`` velocities). "observables":
        every time stores only the observables of :data:`entropy.nbody.OBSERVABLES`
        (``record_shape = (16,)``; read them with :func:`entropy.nbody.ensemble_observables`),
        128 bytes per path and time whatever N: 10^3 paths of 10^3 bodies over 2001 times
        take 256 MB.
    energy_tolerance : float
        Largest accepted relative energy error :math:`|E(t) - E(t_0)| / (T(t_0) + |V(t_0)|)`,
        checked at every recorded time (default 1e-3; the denominator is the energy scale of
        the start, since E itself is 0 at the Janus point).
    on_energy_error : {"raise", "warn", "ignore"}
        "raise" (default): :class:`EnergyError` naming the first path, its time and dt;
        "warn": an :class:`EnergyErrorWarning` with the same message, the run continues.
    bin_width : float
        Bin width (octaves) of the pair-distance entropy recorded with
        ``record="observables"``.
    linking_length : float
        Linking length of the cluster count recorded with ``record="observables"``, in units
        of the rms pair distance (see :func:`entropy.nbody.cluster_count`).

    Notes
    -----
    Units: G = 1, total mass 1, centre-of-mass frame.

    **Start "janus"** (``simulate(model, "janus", ...)``), per path from its own random
    stream: positions uniform in the unit ball (``dim`` 3) or disc (``dim`` 2), velocity
    components independent standard normal; then both moved to the centre-of-mass frame
    (P = 0); the angular momentum removed by subtracting the rigid rotation that carries it;
    the dilatational part removed, :math:`v \leftarrow v - (D/I) r`, so that D = 0 (to
    round-off); finally :math:`v \leftarrow \omega\times r + \lambda v` with the rigid rotation
    :math:`\omega\times r` carrying the requested angular momentum and
    :math:`\lambda^2 = (E - V - T_{rot}) / T_{rest}` setting the energy (the rotation is
    orthogonal to the rest in kinetic energy, D and P). For E >= 0 and L = 0 this always
    works (V < 0). Otherwise a configuration whose potential energy plus rotational energy
    exceeds E cannot be given that energy; the draw then raises ValueError naming the path
    (choose a larger E or a smaller L).

    **Explicit start**: a dict ``{"positions": x, "velocities": v}`` of shape (N, dim) (every
    path the same) or (K, N, dim) (path p takes row p; needs paths <= K). Both are moved to
    the centre-of-mass frame; nothing else is changed.

    The backward arm runs :meth:`reversed` (velocities negated); see the module notes.

    Examples
    --------
    ::

        model = entropy.NBody(20, record="observables")
        ens = entropy.simulate(model, "janus", forward=400, backward=400, dt=model.suggested_dt,
                               paths=200, seed=1)
        obs = entropy.nbody.ensemble_observables(ens)   # dict of (paths, times) arrays
        obs["C_S"].mean(axis=0)                          # mean shape complexity, both arms
    """

    continuous_time = True
    discrete = False
    time_unit = "time"
    #: Paths are costly (O(N^2) per step): ``simulate`` may use chunks of as few as 16 paths
    #: (instead of 1024) when the 32 MiB chunk budget allows no more, so progress reports and a
    #: clean stop come at a useful pace.
    min_chunk_paths = 16

    def __init__(self, bodies, *, masses=None, softening=0.05, energy=0.0, angular_momentum=0.0, dim=3,
                 integrator="leapfrog", substeps=1, record="state", energy_tolerance=1e-3,
                 on_energy_error="raise", bin_width=0.25, linking_length=0.1):
        if isinstance(bodies, bool) or not isinstance(bodies, numbers.Integral) or bodies < 3:
            raise ValueError(f"bodies={bodies!r}: expected an integer >= 3")
        if dim not in (2, 3) or isinstance(dim, bool):
            raise ValueError(f"dim={dim!r}: expected 2 or 3")
        self._n = int(bodies)
        self._dim = int(dim)
        m = check_masses(masses, self._n)
        self._masses = m / m.sum()
        self._softening = check_softening(softening)
        self._energy = _real(energy, "energy")
        self._L = self._check_L(angular_momentum)
        self._scheme = INTEGRATORS[_choice(integrator, "integrator", tuple(INTEGRATORS))]
        self._integrator = integrator
        if isinstance(substeps, bool) or not isinstance(substeps, numbers.Integral) or substeps < 1:
            raise ValueError(f"substeps={substeps!r}: expected an integer >= 1")
        self._substeps = int(substeps)
        self._record = _choice(record, "record", RECORDS)
        self._tol = _real(energy_tolerance, "energy_tolerance", positive=True)
        self._action = _choice(on_energy_error, "on_energy_error", _ACTIONS)
        self._bin_width = check_bin_width(bin_width)
        self._linking = check_linking_length(linking_length)
        self._sign = 1.0
        self._rev = None

    def _check_L(self, L) -> np.ndarray:
        if isinstance(L, numbers.Real) and not isinstance(L, bool):
            return np.array([0.0, 0.0, _real(L, "angular_momentum")])
        if self._dim == 2:
            raise ValueError(f"angular_momentum={L!r}: expected a number (the z component) for dim=2")
        try:
            a = np.asarray(L, dtype=float)
        except (TypeError, ValueError):
            a = None
        if a is None or a.shape != (3,) or not np.all(np.isfinite(a)):
            raise ValueError(f"angular_momentum={L!r}: expected a number (along z) or 3 finite numbers")
        return a

    def __repr__(self):
        return (f"NBody(bodies={self._n}, dim={self._dim}, softening={self._softening:g}, energy={self._energy:g}, "
                f"integrator={self._integrator!r}, substeps={self._substeps}, record={self._record!r}"
                + (", reversed" if self._sign < 0 else "") + ")")

    # -- properties -----------------------------------------------------------------------------

    @property
    def bodies(self) -> int:
        """Number of bodies N."""
        return self._n

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def masses(self) -> np.ndarray:
        """Masses (total 1), a copy."""
        return self._masses.copy()

    @property
    def softening(self) -> float:
        return self._softening

    @property
    def energy(self) -> float:
        """Energy of the Janus start."""
        return self._energy

    @property
    def angular_momentum(self) -> np.ndarray:
        """Angular momentum of the Janus start (3 components), a copy."""
        return self._L.copy()

    @property
    def suggested_dt(self) -> float:
        r"""A leapfrog step that resolves pairs at the softening length: :math:`0.15\sqrt{\epsilon^3 / (2 m_{max})}`.

        :math:`\sqrt{\epsilon^3 / (m_i + m_j)}` is :math:`1/2\pi` of the orbital period of a pair
        at distance :math:`\epsilon`. A rule of thumb, not a guarantee: measured on Janus
        ensembles of 20 and 100 bodies over :math:`|t - t_0| \le 2` it keeps the relative energy
        error below 1e-3 on most paths with leapfrog (``simulate``'s ``dt`` is this times
        ``substeps``). ``inf`` for ``softening=0`` (Newtonian close encounters need ever smaller
        steps; no fixed step is safe).
        """
        if self._softening == 0:
            return math.inf
        return 0.15 * math.sqrt(self._softening ** 3 / (2 * self._masses.max()))

    @property
    def integrator(self) -> str:
        return self._integrator

    @property
    def substeps(self) -> int:
        return self._substeps

    @property
    def record(self) -> str:
        return self._record

    @property
    def bin_width(self) -> float:
        return self._bin_width

    @property
    def linking_length(self) -> float:
        return self._linking

    @property
    def energy_tolerance(self) -> float:
        return self._tol

    @property
    def record_shape(self) -> tuple:
        if self._record == "observables":
            return (_kn.K_COLUMNS,)
        return (2, self._n, self._dim)

    @property
    def record_dtype(self) -> np.dtype:
        return np.dtype(np.float64)

    # -- the process contract -------------------------------------------------------------------

    def reversed(self) -> "NBody":
        """The time-reversed dynamics: the same system run with its velocities negated.

        Its arm stores velocities negated back (forward convention), so the backward arm of a
        two-sided ensemble is the past of the forward arm's trajectory.
        """
        if self._rev is None:
            self._rev = self._replace(_sign=-self._sign, _rev=self)
        return self._rev

    def with_record(self, record: str) -> "NBody":
        """The same system recording ``record`` (``"state"`` or ``"observables"``): a path of a run
        with the same seed follows the same trajectory in either mode."""
        import copy

        out = copy.copy(self)
        out._record = _choice(record, "record", RECORDS)
        out._rev = None
        return out

    def _check_dt(self, dt):
        if dt is None:
            raise ValueError("dt=None: NBody needs a time step; pass simulate(..., dt=...) with dt > 0")
        return _real(dt, "dt", positive=True)

    def _check_start(self, start):
        if isinstance(start, str):
            if start != "janus":
                raise ValueError(f"start={start!r}: expected 'janus' or {{'positions': ..., 'velocities': ...}}")
            return "janus"
        if not isinstance(start, dict) or set(start) != {"positions", "velocities"}:
            raise ValueError(f"start={start!r}: expected 'janus' or a dict with exactly the keys 'positions' and "
                             "'velocities'")
        shape = (self._n, self._dim)
        arrays = []
        for key in ("positions", "velocities"):
            try:
                a = np.array(start[key], dtype=float)
            except (TypeError, ValueError):
                raise ValueError(f"start[{key!r}]: expected a numeric array of shape {shape} or (K, *{shape})") from None
            if a.shape == shape:
                a = a[None]
            if a.ndim != 3 or a.shape[1:] != shape:
                raise ValueError(f"start[{key!r}]: expected shape {shape} or (K, {self._n}, {self._dim}), got {a.shape}")
            if not np.all(np.isfinite(a)):
                raise ValueError(f"start[{key!r}]: entries must be finite")
            arrays.append(a - np.einsum("knd,n->kd", a, self._masses)[:, None, :])
        if arrays[0].shape[0] != arrays[1].shape[0]:
            raise ValueError(f"start: positions hold {arrays[0].shape[0]} configurations but velocities "
                             f"{arrays[1].shape[0]}")
        return {"positions": arrays[0], "velocities": arrays[1]}

    def _draw_start(self, start, seed, first_path, n):
        out = np.empty((n, 2, self._n, self._dim))
        if isinstance(start, dict):
            x, v = start["positions"], start["velocities"]
            k = x.shape[0]
            if k == 1:
                out[:, 0] = x[0]
                out[:, 1] = v[0]
            elif first_path + n > k:
                raise ValueError(f"start: {k} explicit configurations, but path {k} was asked for; "
                                 f"pass one configuration per path (paths <= {k}) or a single one")
            else:
                out[:, 0] = x[first_path:first_path + n]
                out[:, 1] = v[first_path:first_path + n]
            return out
        fail = np.empty((n, 2))
        _kn.draw_janus(np.uint64(seed), first_path, ARM_START, self._masses, self._dim, self._softening ** 2,
                       self._energy, self._L, out, fail)
        hit = np.flatnonzero(np.isfinite(fail[:, 0]))
        if hit.size:
            p = int(hit[0])
            V, Trot = fail[p]
            raise ValueError(
                f"energy={self._energy!r}: the Janus start of path {first_path + p} cannot have this energy: its "
                f"positions have potential energy V = {V:.6g} and the requested angular momentum needs rotational "
                f"energy T_rot = {Trot:.6g}, so E >= V + T_rot = {V + Trot:.6g} is required; choose a larger energy "
                "or a smaller angular_momentum"
            )
        return out

    def _run_arm(self, init, seed, first_path, arm, steps, out, dt=None):
        n = init.shape[0]
        bad = np.empty(n, np.int64)
        err = np.empty(n)
        observe = self._record == "observables"
        out_state = np.empty((0, 0, 0, 0, 0)) if observe else out
        out_obs = out if observe else np.empty((0, 0, 0))
        h = dt / self._substeps
        _kn.run_arm(init, self._masses, self._softening ** 2, h, self._substeps, self._scheme, self._sign, steps,
                    observe, self._bin_width, self._linking, out_state, out_obs, self._tol, self._action == "raise", bad, err)
        hit = np.flatnonzero(bad >= 0)
        if hit.size == 0 or self._action == "ignore":
            return
        p = int(hit[0])
        step = int(bad[p])
        side = "backward" if arm == ARM_BACKWARD else "forward"
        t = step * dt * (-1.0 if side == "backward" else 1.0)
        msg = (f"NBody: relative energy error {err[p]:.3g} exceeds energy_tolerance={self._tol:g} on path "
               f"{first_path + p} at step {step} of the {side} arm (t - t0 = {t:g}, dt = {dt:g}, integrator step "
               f"dt/substeps = {h:g}); {hit.size} path(s) of this chunk exceeded it. Use a smaller dt, more "
               "substeps, integrator='yoshida4' or a larger softening.")
        if self._action == "raise":
            raise EnergyError(msg, path=first_path + p, step=step, time=t, arm=side, error=float(err[p]), dt=dt)
        warnings.warn(msg, EnergyErrorWarning, stacklevel=4)
