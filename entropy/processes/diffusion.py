r"""Diffusion processes: Brownian motion, Ornstein-Uhlenbeck and overdamped Langevin dynamics.

All three are continuous-time processes in :math:`\mathbb{R}^d`, simulated on a grid of step
``dt`` (``simulate(..., dt=...)``; the ensemble's ``times`` are then ``step * dt``). Each path
draws its Gaussian increments from its own stream (a ziggurat on the SplitMix64 streams of
:mod:`entropy._kernels.rng`), so an ensemble is bit-identical for any thread count and any
``chunk_size``.

Start at t0
-----------
``start`` is either

* a point: a number (``dim == 1``) or an array of shape ``(dim,)``, or
* a Gaussian: a dict ``{"mean": m, "cov": C}`` with ``m`` as above and ``C`` a symmetric
  positive semi-definite matrix of shape ``(dim, dim)`` (a number means ``C * I``).

A dict is what a TOML scenario gives (``start = {mean = [0, 0], cov = 0.01}``), and a
narrow Gaussian is the usual low-entropy state of a diffusion (a point has differential
entropy :math:`-\infty`).

The backward arm: reversing a path, not the marginals
-----------------------------------------------------
The backward arm of :func:`entropy.simulate` runs ``process.reversed()`` from the t0 state.
For a *stationary* diffusion, the past conditioned on the present value is again a
diffusion, with the same noise and the drift (Anderson 1982; Haussmann & Pardoux 1986)

.. math:: \tilde f(x) = -f(x) + 2 D \nabla \log \pi(x), \qquad D = \tfrac12 \sigma\sigma^T .

This reverses *paths*: a stationary path read backwards has the law of a path of the
reversed dynamics. It is not the same as reversing the *marginals* :math:`p_t` of a
non-stationary run (which would need the score :math:`\nabla\log p_t` of the time-dependent
law, as in score-based diffusion models). Started from a low-entropy state at t0, the backward
arm is what the past of a stationary process looks like given that it passed through that
state at t0; it spreads out towards :math:`\pi` just like the forward arm.

* Gradient (equilibrium) dynamics, :math:`f = -\nabla U/\gamma` with Gibbs law
  :math:`\pi \propto e^{-U/T}`, satisfy detailed balance: :math:`\tilde f = f` and
  ``reversed()`` returns the process itself. This covers the OU process with a symmetric
  (more generally, :math:`A\Sigma = \Sigma A^T`) drift, the harmonic and double-well
  Langevin potentials, and the tilted periodic one without force.
* The OU process with a drift matrix :math:`A` for which :math:`A\Sigma \ne \Sigma A^T` has a
  circulating stationary current and is not reversible; its reversal is the OU process with
  drift matrix :math:`\tilde A = \Sigma A^T \Sigma^{-1}` and the same noise (derivation in
  :meth:`OrnsteinUhlenbeck.reversed`).
* A tilted periodic potential with a non-zero force drives a current :math:`J` around the
  circle; the reversed drift is :math:`\tilde f = f - 2J/p_s` (see :class:`Langevin`).
* Brownian motion has no stationary law. The reverse of a free diffusion spreading from a
  point is again a free diffusion spreading from that point (a Brownian path read backwards
  from a fixed end point is a Brownian motion started there, by the independence and symmetry
  of increments), so its backward arm is Brownian motion with the same ``sigma``.

Non-finite values
-----------------
A step that produces NaN, an infinity, or a value beyond the largest number of the storage
dtype (float32 overflows at 3.4e38) stops that path; the run raises
:class:`NonFiniteStateError` naming the first such path, its step and its time.
"""

from __future__ import annotations

import math
import numbers
from functools import cached_property

import numpy as np
from scipy import linalg as sla
from scipy.special import logsumexp

from .._kernels import diffusion as _kd
from .._kernels.rng import ARM_BACKWARD, ARM_START
from .base import Process

__all__ = [
    "BrownianMotion",
    "OrnsteinUhlenbeck",
    "Langevin",
    "NonFiniteStateError",
    "POTENTIALS",
    "SCHEMES",
    "STIFFNESS_LIMIT",
]

#: Largest ``dt * max curvature / friction`` accepted by :class:`Langevin`. On a harmonic
#: potential both schemes are stable for values below 2; 1 leaves a factor 2 of margin for
#: the steeper walls of non-quadratic potentials. Accuracy needs values well below 1.
STIFFNESS_LIMIT = 1.0
#: Langevin integration schemes.
SCHEMES = ("euler_maruyama", "heun")
#: Points per period of the tabulated stationary density of a tilted periodic potential.
PERIODIC_GRID = 1024


class NonFiniteStateError(FloatingPointError):
    """A simulated path produced NaN, an infinity, or a value the storage dtype cannot hold.

    Attributes
    ----------
    path : int
        Global index of the first such path (the smallest index in the first chunk hit).
    step : int
        Step of its arm at which it happened (1 = the first step after t0).
    time : float
        That time relative to t0 (negative on the backward arm).
    arm : str
        ``"forward"`` or ``"backward"``.
    """

    def __init__(self, message, *, path, step, time, arm):
        super().__init__(message)
        self.path = path
        self.step = step
        self.time = time
        self.arm = arm


# ---------------------------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------------------------


def _positive(value, name) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name}={value!r}: expected a finite number > 0")
    return float(value)


def _check_dim(dim) -> int:
    if isinstance(dim, bool) or not isinstance(dim, numbers.Integral) or dim < 1:
        raise ValueError(f"dim={dim!r}: expected an integer >= 1")
    return int(dim)


def _check_dtype(dtype) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ValueError(f"dtype={dtype!r}: expected numpy.float64 or numpy.float32")
    return dt


def _matrix(value, name, dim) -> tuple[np.ndarray, bool]:
    """A scalar (times the identity) or a square matrix; returns ``(matrix, was_scalar)``."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return np.eye(dim) * _positive(value, name), True
    try:
        M = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r}: expected a number > 0 or a {dim} x {dim} matrix") from None
    if M.ndim == 0:
        return np.eye(dim) * _positive(float(M), name), True
    if M.shape != (dim, dim):
        raise ValueError(f"{name}: expected a number > 0 or a {dim} x {dim} matrix, got shape {M.shape}")
    if not np.all(np.isfinite(M)):
        raise ValueError(f"{name}={value!r}: entries must be finite")
    return M, False


def _check_noise(sigma, dim) -> np.ndarray:
    S, _ = _matrix(sigma, "sigma", dim)
    Q = S @ S.T
    w = np.linalg.eigvalsh(Q)
    if w[0] <= 1e-12 * max(w[-1], 1e-300):
        raise ValueError(
            f"sigma={sigma!r}: sigma @ sigma.T must be positive definite (noise in every direction); "
            f"its smallest eigenvalue is {w[0]:.3g}"
        )
    return S


def _check_positive_dt(dt) -> float:
    if dt is None:
        raise ValueError("dt=None: a diffusion needs a time step; pass simulate(..., dt=...) with dt > 0")
    return _positive(dt, "dt")


def _psd_factor(C) -> np.ndarray:
    """A matrix ``L`` with ``L @ L.T == C`` for a symmetric positive semi-definite ``C``."""
    try:
        return np.linalg.cholesky(C)
    except np.linalg.LinAlgError:
        w, V = np.linalg.eigh(C)
        return V * np.sqrt(np.clip(w, 0.0, None))


def check_start(start, dim) -> dict:
    """Normalise a diffusion start: ``{"mean": (dim,) array, "cov": (dim, dim) array}``.

    A point has ``cov`` all zeros. Raises ValueError naming ``start``.
    """
    expected = (f"expected a point (a number{'' if dim == 1 else ' per coordinate'}, shape ({dim},)) "
                f"or a Gaussian {{'mean': ..., 'cov': ...}}")
    if isinstance(start, dict):
        keys = set(start)
        if keys != {"mean", "cov"}:
            raise ValueError(f"start={start!r}: a Gaussian start needs exactly the keys 'mean' and 'cov'; {expected}")
        mean = _point(start["mean"], dim, "start['mean']", expected)
        cov = start["cov"]
        try:
            C = np.array(cov, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"start['cov']={cov!r}: expected a number or a {dim} x {dim} matrix") from None
        if C.ndim == 0:
            C = np.eye(dim) * float(C)
        if C.shape != (dim, dim):
            raise ValueError(f"start['cov']: expected a number or a {dim} x {dim} matrix, got shape {C.shape}")
        if not np.all(np.isfinite(C)):
            raise ValueError(f"start['cov']={cov!r}: entries must be finite")
        if not np.allclose(C, C.T, rtol=1e-10, atol=1e-14):
            raise ValueError(f"start['cov']={cov!r}: expected a symmetric matrix")
        C = 0.5 * (C + C.T)
        w = np.linalg.eigvalsh(C)
        if w[0] < -1e-12 * max(abs(w[-1]), 1e-300):
            raise ValueError(f"start['cov']={cov!r}: expected a positive semi-definite matrix (eigenvalue {w[0]:.3g})")
        return {"mean": mean, "cov": C}
    return {"mean": _point(start, dim, "start", expected), "cov": np.zeros((dim, dim))}


def _point(value, dim, name, expected) -> np.ndarray:
    if isinstance(value, (str, bytes, bool)):
        raise ValueError(f"{name}={value!r}: {expected}")
    try:
        x = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r}: {expected}") from None
    if x.ndim == 0 and dim == 1:
        x = x.reshape(1)
    if x.shape != (dim,):
        raise ValueError(f"{name}={value!r}: {expected}; got shape {x.shape} for dim={dim}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name}={value!r}: coordinates must be finite")
    return x


# ---------------------------------------------------------------------------------------------
# common base
# ---------------------------------------------------------------------------------------------


class _Diffusion(Process):
    """Shared parts: dimension, storage dtype, start handling, dt check, error reporting."""

    continuous_time = True
    discrete = False
    time_unit = "time"
    streams_moments = True  # store=False keeps per-time moments (and states at sample_times)

    def __init__(self, dim, dtype):
        self._dim = _check_dim(dim)
        self._dtype = _check_dtype(dtype)
        self._reverse = None

    @property
    def dim(self) -> int:
        """Dimension d of the state space."""
        return self._dim

    @property
    def record_shape(self) -> tuple:
        return () if self._dim == 1 else (self._dim,)

    @property
    def record_dtype(self) -> np.dtype:
        return self._dtype

    @property
    def _limit(self) -> float:
        return float(np.finfo(self._dtype).max)

    def _check_dt(self, dt):
        return _check_positive_dt(dt)

    def _check_start(self, start):
        return check_start(start, self._dim)

    def _draw_start(self, start, seed, first_path, n):
        mean, cov = start["mean"], start["cov"]
        if not np.any(cov):
            return np.tile(mean, (n, 1))
        out = np.empty((n, self._dim))
        _kd.draw_gaussian(mean, _psd_factor(cov), np.uint64(seed), first_path, ARM_START, out)
        return out

    def _out3(self, out):
        """The output as ``(n, steps + 1, d)`` (a view)."""
        return out[:, :, np.newaxis] if self._dim == 1 else out

    def _raise_bad(self, bad, first_path, arm, dt):
        hit = np.flatnonzero(bad >= 0)
        if hit.size == 0:
            return
        p = int(hit[0])
        step = int(bad[p])
        side = "backward" if arm == ARM_BACKWARD else "forward"
        t = step * dt * (-1.0 if side == "backward" else 1.0)
        raise NonFiniteStateError(
            f"{type(self).__name__}: path {first_path + p} produced a non-finite value (NaN, inf or "
            f"beyond the {self._dtype.name} range {self._limit:.3g}) at step {step} of the {side} arm "
            f"(t - t0 = {t:g}, dt = {dt:g}); {hit.size} path(s) of this chunk failed. "
            f"{self._hint}",
            path=first_path + p, step=step, time=t, arm=side,
        )

    _hint = "Check the parameters and dt."


# ---------------------------------------------------------------------------------------------
# linear diffusions: exact AR(1) steppers
# ---------------------------------------------------------------------------------------------


class _LinearDiffusion(_Diffusion):
    r"""dX = -A X dt + sigma dW, stepped exactly: X_{t+dt} = F X_t + N(0, Q_dt)."""

    def __init__(self, A, S, dim, dtype):
        super().__init__(dim, dtype)
        self._A = A
        self._S = S
        self._transitions = {}

    @property
    def drift_matrix(self) -> np.ndarray:
        """A in dX = -A X dt + sigma dW (a copy)."""
        return self._A.copy()

    @property
    def noise_matrix(self) -> np.ndarray:
        """sigma in dX = -A X dt + sigma dW (a copy)."""
        return self._S.copy()

    @property
    def diffusion_matrix(self) -> np.ndarray:
        r""":math:`D = \sigma\sigma^T / 2` (the generator is :math:`-Ax\cdot\nabla + D:\nabla\nabla`)."""
        return 0.5 * self._S @ self._S.T

    def transition(self, dt):
        r"""Exact one-step law: :math:`X_{t+dt} | X_t = x \sim N(F x, Q_{dt})`.

        :math:`F = e^{-A\,dt}` and :math:`Q_{dt} = \int_0^{dt} e^{-As}\sigma\sigma^T e^{-A^Ts} ds`,
        both from one matrix exponential (Van Loan 1978, IEEE Trans. Autom. Control 23, 395):
        with :math:`M = \begin{pmatrix} A & \sigma\sigma^T \\ 0 & -A^T \end{pmatrix} dt`,
        :math:`e^M = \begin{pmatrix} \cdot & G \\ 0 & F^T \end{pmatrix}` and :math:`Q_{dt} = F G`.
        This holds for any A (also singular, e.g. Brownian motion, where :math:`Q_{dt} =
        \sigma\sigma^T dt`); for a stable A it agrees with :math:`\Sigma - F\Sigma F^T`.

        Returns
        -------
        F, Q : ndarray, shape (dim, dim)
        """
        F, Q, _ = self._factors(_check_positive_dt(dt))
        return F.copy(), Q.copy()

    def _factors(self, dt):
        """``(F, Q, L)`` for step ``dt`` with ``L L^T = Q`` (cached for a few step sizes)."""
        got = self._transitions.get(dt)
        if got is None:
            d = self._dim
            M = np.zeros((2 * d, 2 * d))
            M[:d, :d] = self._A * dt
            M[:d, d:] = (self._S @ self._S.T) * dt
            M[d:, d:] = -self._A.T * dt
            E = sla.expm(M)
            F = E[d:, d:].T
            Q = F @ E[:d, d:]
            Q = 0.5 * (Q + Q.T)
            got = (F, Q, _psd_factor(Q))
            if len(self._transitions) < 64:
                self._transitions[dt] = got
        return got

    def _run_arm(self, init, seed, first_path, arm, steps, out, dt=None):
        F, _, L = self._factors(dt)
        n = init.shape[0]
        bad = np.empty(n, np.int64)
        if self._dim == 1:
            _kd.run_ar1_scalar(float(F[0, 0]), float(L[0, 0]), init[:, 0], np.uint64(seed), first_path, arm,
                               steps, out, bad, self._limit)
        elif self._dim == 2:
            _kd.run_ar1_2d(F, L, init, np.uint64(seed), first_path, arm, steps, out, bad, self._limit)
        else:
            _kd.run_ar1(F, L, init, np.uint64(seed), first_path, arm, steps, out, bad, self._limit)
        self._raise_bad(bad, first_path, arm, dt)


class BrownianMotion(_LinearDiffusion):
    r"""Brownian motion :math:`dX = \sigma\, dW` in :math:`\mathbb{R}^d`.

    Parameters
    ----------
    sigma : float or (dim, dim) array
        Noise amplitude (a number means :math:`\sigma I`); the increments over ``dt`` are
        :math:`N(0, \sigma\sigma^T dt)`, so :math:`D = \sigma\sigma^T/2`. Default 1.
    dim : int
        Dimension (default 1; inferred from a matrix ``sigma``).
    dtype : numpy.float64 or numpy.float32
        Storage dtype of simulated states (the state itself is advanced in float64).

    Notes
    -----
    Stepped exactly in distribution (independent Gaussian increments). From a point start,
    :math:`H(X_t) = \frac d2 \log(2\pi e \sigma^2 |t - t0|)` for scalar sigma
    (:func:`entropy.exact_gaussian.brownian_entropy`): it grows without bound, as there is no
    stationary law. ``reversed()`` is Brownian motion again (see the module notes): the reverse
    of a free diffusion from a point is a free diffusion from that point.
    """

    _hint = "Brownian motion only overflows for huge sigma * sqrt(t); use float64 storage."

    def __init__(self, sigma=1.0, dim=None, *, dtype=np.float64):
        if dim is None:
            dim = 1 if np.ndim(sigma) == 0 else np.shape(sigma)[0]
        dim = _check_dim(dim)
        S = _check_noise(sigma, dim)
        super().__init__(np.zeros((dim, dim)), S, dim, dtype)

    def reversed(self) -> "BrownianMotion":
        """Brownian motion itself: the backward arm spreads from t0 like the forward arm."""
        return self

    def is_reversible(self) -> bool:
        """True: the increments are symmetric (there is no stationary law, but no current either)."""
        return True

    def __repr__(self):
        return f"BrownianMotion(dim={self._dim}, sigma={_short(self._S)})"


class OrnsteinUhlenbeck(_LinearDiffusion):
    r"""Ornstein-Uhlenbeck process :math:`dX = -A X\, dt + \sigma\, dW` in :math:`\mathbb{R}^d`.

    Parameters
    ----------
    theta : float or (dim, dim) array
        Drift: a number :math:`\theta > 0` means :math:`A = \theta I`; a matrix is the drift
        matrix A itself. A non-symmetric A (more precisely :math:`A\Sigma \ne \Sigma A^T`)
        gives a circulating stationary current: the non-reversible case.
    sigma : float or (dim, dim) array
        Noise amplitude (a number means :math:`\sigma I`); :math:`\sigma\sigma^T` must be
        positive definite. Default 1.
    dim : int
        Dimension (default 1; inferred from matrix arguments).
    dtype : numpy.float64 or numpy.float32
        Storage dtype of simulated states.

    Notes
    -----
    Stepped exactly in distribution as the Gaussian AR(1)
    :math:`X_{t+dt} = e^{-A dt} X_t + \varepsilon`, :math:`\varepsilon \sim N(0, Q_{dt})`
    (:meth:`transition`). When every eigenvalue of A has a positive real part the stationary
    law is :math:`N(0, \Sigma)` with :math:`A\Sigma + \Sigma A^T = \sigma\sigma^T` (Lyapunov
    equation; Gardiner, *Stochastic Methods*, 4th ed. 2009, sec. 4.5.6; Risken, *The
    Fokker-Planck Equation*, 2nd ed. 1989, sec. 6.5). A matrix A without that property is
    accepted (forward simulation and exact moments work), but everything that needs the
    stationary law (``stationary_covariance``, ``reversed()``) raises ValueError.

    References
    ----------
    Uhlenbeck & Ornstein (1930), Phys. Rev. 36, 823.
    """

    _hint = "The exact OU stepper only overflows when the drift matrix is unstable or sigma is huge."

    def __init__(self, theta, sigma=1.0, dim=None, *, dtype=np.float64):
        if dim is None:
            dim = 1
            for v in (theta, sigma):
                if np.ndim(v) == 2:
                    dim = np.shape(v)[0]
                    break
        dim = _check_dim(dim)
        A, scalar = _matrix(theta, "theta", dim)
        S = _check_noise(sigma, dim)
        super().__init__(A, S, dim, dtype)
        self._scalar_theta = scalar

    def __repr__(self):
        return f"OrnsteinUhlenbeck(dim={self._dim}, theta={_short(self._A)}, sigma={_short(self._S)})"

    @property
    def is_stable(self) -> bool:
        """True when every eigenvalue of the drift matrix A has a positive real part."""
        return bool(np.all(np.linalg.eigvals(self._A).real > 0))

    def _require_stable(self, what):
        ev = np.linalg.eigvals(self._A)
        if not np.all(ev.real > 0):
            worst = ev[np.argmin(ev.real)]
            raise ValueError(
                f"theta: the drift matrix A has an eigenvalue {worst:.4g} with real part <= 0, so the "
                f"process has no stationary law, which {what} needs (expected all eigenvalues of A "
                "with positive real part)"
            )

    @cached_property
    def stationary_covariance(self) -> np.ndarray:
        r""":math:`\Sigma` solving :math:`A\Sigma + \Sigma A^T = \sigma\sigma^T` (stationary law N(0, Sigma))."""
        self._require_stable("stationary_covariance")
        S = sla.solve_continuous_lyapunov(self._A, self._S @ self._S.T)
        return 0.5 * (S + S.T)

    @property
    def stationary_mean(self) -> np.ndarray:
        return np.zeros(self._dim)

    def is_reversible(self, rtol: float = 1e-10) -> bool:
        r"""Detailed balance: :math:`A\Sigma = \Sigma A^T` (equivalently :math:`\tilde A = A`)."""
        Sig = self.stationary_covariance
        AS = self._A @ Sig
        return bool(np.max(np.abs(AS - AS.T)) <= rtol * max(np.max(np.abs(AS)), 1e-300))

    def reversed(self) -> "OrnsteinUhlenbeck":
        r"""The time-reversed stationary OU process: drift matrix :math:`\tilde A = \Sigma A^T \Sigma^{-1}`.

        Derivation: the stationary law is :math:`\pi = N(0, \Sigma)`, so
        :math:`\nabla\log\pi(x) = -\Sigma^{-1}x`. With :math:`f(x) = -Ax` and
        :math:`2D = \sigma\sigma^T`, the reversed drift is
        :math:`\tilde f(x) = -f(x) + 2D\nabla\log\pi(x) = (A - \sigma\sigma^T\Sigma^{-1}) x`.
        The Lyapunov equation :math:`\sigma\sigma^T = A\Sigma + \Sigma A^T` gives
        :math:`A - \sigma\sigma^T\Sigma^{-1} = -\Sigma A^T\Sigma^{-1}`, so
        :math:`\tilde f(x) = -\tilde A x` with :math:`\tilde A = \Sigma A^T \Sigma^{-1}`, the
        same noise, and the same stationary law (:math:`\tilde A\Sigma + \Sigma\tilde A^T =
        \Sigma A^T + A\Sigma`). Its stationary cross-covariance is
        :math:`\tilde C(\tau) = e^{-\tilde A\tau}\Sigma = \Sigma e^{-A^T\tau} = C(\tau)^T`,
        the time-reversed covariance. ``reversed().reversed()`` is ``self``; a reversible
        process returns itself.

        Raises ValueError when A is not stable (no stationary law to reverse).
        """
        if self._reverse is None:
            self._require_stable("reversed()")
            if self.is_reversible():
                self._reverse = self
            else:
                Sig = self.stationary_covariance
                At = Sig @ self._A.T @ np.linalg.inv(Sig)
                rev = OrnsteinUhlenbeck(At, self._S, self._dim, dtype=self._dtype)
                rev.__dict__["stationary_covariance"] = Sig
                rev._reverse = self
                self._reverse = rev
        return self._reverse


def _short(M):
    if np.allclose(M, M[0, 0] * np.eye(M.shape[0])):
        return f"{M[0, 0]:g}"
    return np.array2string(M, precision=4, separator=", ").replace("\n", "")


# ---------------------------------------------------------------------------------------------
# overdamped Langevin dynamics
# ---------------------------------------------------------------------------------------------

#: Built-in potentials: name -> (kernel code, {parameter: default}, dimensions allowed).
POTENTIALS = {
    "harmonic": (_kd.POT_HARMONIC, {"stiffness": 1.0, "center": 0.0}),
    "double_well": (_kd.POT_DOUBLE_WELL, {"barrier": 1.0, "width": 1.0}),
    "tilted_periodic": (_kd.POT_TILTED_PERIODIC, {"amplitude": 1.0, "period": 1.0, "force": 0.0}),
}


def _is_njit(f) -> bool:
    try:
        from numba.core.registry import CPUDispatcher
    except ImportError:  # pragma: no cover
        return False
    return isinstance(f, CPUDispatcher)


class Langevin(_Diffusion):
    r"""Overdamped Langevin dynamics :math:`\gamma\, dX = -\nabla U(X)\, dt + \sqrt{2\gamma T}\, dW`.

    Equivalently :math:`dX = -\nabla U/\gamma\, dt + \sqrt{2D}\, dW` with diffusion coefficient
    :math:`D = T/\gamma` (Einstein relation, :math:`k_B = 1`).

    Parameters
    ----------
    potential : str or numba.njit function
        A built-in potential by name (parameters as keyword arguments, defaults in brackets):

        * ``"harmonic"``: :math:`U = \frac k2 |x - c|^2`, ``stiffness`` k [1], ``center`` c [0]
          (a number or a vector of length ``dim``); any ``dim``.
        * ``"double_well"``: :math:`U = h((x/w)^2 - 1)^2`, ``barrier`` h [1] (the barrier
          height), ``width`` w [1] (the minima are at :math:`\pm w`); ``dim = 1``.
        * ``"tilted_periodic"``: :math:`U = -A\cos(2\pi x/L) - F x`, ``amplitude`` A [1],
          ``period`` L [1], ``force`` F [0]; ``dim = 1``. The state is the unwrapped position on
          the line; its stationary law lives on the circle ``x mod L``.

        Or the *gradient* of your own potential, compiled with ``numba.njit``, with signature
        ``grad(x, params, out)``: ``x`` is the state (float64 array of length ``dim``),
        ``params`` a float64 array holding the extra keyword arguments of the constructor in
        the order given, and ``out`` (float64 array of length ``dim``) receives
        :math:`\nabla U(x)`. Example::

            @numba.njit
            def quartic(x, params, out):      # U = a x^4 / 4
                out[0] = params[0] * x[0] ** 3

            Langevin(quartic, temperature=1.0, friction=1.0, a=2.0)

        Such a potential is taken to be a gradient with a normalisable Gibbs law (so
        ``reversed()`` is the process itself); the stiffness check needs ``curvature``.
        The simulation kernel is compiled for each new function (a few seconds, once per
        session). A user gradient runs the generic per-path stepper, about 3x slower per step
        than the built-in one-dimensional potentials, which advance 8 paths in lock-step with
        their states in registers (measured: 28 against 8.5 ns of CPU per Heun step).
    temperature, friction : float
        T > 0 (energy units, :math:`k_B = 1`) and :math:`\gamma > 0`.
    scheme : {"heun", "euler_maruyama"}
        Euler-Maruyama :math:`x' = x - \nabla U(x) dt/\gamma + \sqrt{2D\,dt}\, z` (weak and,
        for additive noise, strong order 1), or the stochastic Heun (improved Euler) method,
        predictor-corrector with the same z: weak order 2 and strong order 1 for additive noise
        (Kloeden & Platen, *Numerical Solution of SDEs*, 1992, sec. 15.1; Greiner,
        Strittmatter & Honerkamp 1988, J. Stat. Phys. 51, 95). Default ``"heun"``.
    dim : int
        Dimension (default 1).
    curvature : float, optional
        Largest curvature of U (top eigenvalue of its Hessian) for a user gradient; built-in
        potentials know theirs. ``simulate`` then requires
        ``dt * curvature / friction <= STIFFNESS_LIMIT`` (= 1).
    dtype : numpy.float64 or numpy.float32
        Storage dtype.
    **params
        Parameters of the potential.

    Notes
    -----
    Stiffness: on a quadratic of curvature k both schemes multiply the deterministic part by
    a factor that leaves the unit disc once :math:`h = k\,dt/\gamma > 2`. The curvature used
    is k for ``harmonic``, :math:`8h/w^2` (at the minima) for ``double_well`` and
    :math:`A(2\pi/L)^2` for ``tilted_periodic``; with a non-zero force the check also covers the
    reversed drift of the backward arm, whose correction :math:`2\gamma J/p_s` adds
    :math:`2\gamma |J| \max|(1/p_s)'|` (large at low temperature, where :math:`p_s` is small
    near the potential's maxima).

    Reversal: gradient dynamics with a Gibbs law are reversible, ``reversed()`` is ``self``.
    A tilted periodic potential with ``force != 0`` carries a stationary current
    :math:`J = \frac{T}{\gamma}(1 - e^{-FL/T}) / \int_0^L q`, with stationary density
    :math:`p_s(x) = q(x)/\int_0^L q` and :math:`q(x) = \int_0^L e^{(U(x+s) - U(x))/T} ds`
    (Stratonovich 1958; Risken 1989, sec. 11.3; Reimann 2002, Phys. Rep. 361, 57, eq. 2.39).
    Since :math:`J = f p_s - D p_s'`, the reversed drift :math:`-f + 2D p_s'/p_s` equals
    :math:`\tilde f = f - 2J/p_s`; ``reversed()`` runs it with :math:`1/p_s` tabulated on
    ``PERIODIC_GRID`` = 1024 points per period (periodic linear interpolation). The tabulation
    works in logarithms but needs :math:`2A/T` below about 700.
    """

    _hint = "Reduce dt (the drift may be too stiff for it) or use scheme='heun'."

    def __init__(self, potential, temperature=1.0, friction=1.0, *, scheme="heun", dim=None,
                 curvature=None, dtype=np.float64, **params):
        self._temperature = _positive(temperature, "temperature")
        self._friction = _positive(friction, "friction")
        if scheme not in SCHEMES:
            raise ValueError(f"scheme={scheme!r}: expected one of {', '.join(map(repr, SCHEMES))}")
        self._scheme = scheme
        self._user = None
        if isinstance(potential, str):
            if potential not in POTENTIALS:
                raise ValueError(
                    f"potential={potential!r}: expected one of {', '.join(map(repr, POTENTIALS))} "
                    "or a numba.njit gradient function grad(x, params, out)"
                )
            if curvature is not None:
                raise ValueError(f"curvature={curvature!r}: built-in potentials know their curvature; leave it unset")
            if dim is None:
                dim = 1
            dim = _check_dim(dim)
            if potential != "harmonic" and dim != 1:
                raise ValueError(f"dim={dim!r}: the {potential!r} potential is one-dimensional (dim=1)")
            code, defaults = POTENTIALS[potential]
            unknown = [k for k in params if k not in defaults]
            if unknown:
                raise ValueError(
                    f"{unknown[0]}={params[unknown[0]]!r}: not a parameter of the {potential!r} potential "
                    f"(expected {', '.join(defaults)})"
                )
            vals = {**defaults, **params}
            self._params_dict = vals
            self._name = potential
            self._kparams, self._curvature = self._builtin_params(potential, code, vals, dim)
        elif _is_njit(potential):
            if dim is None:
                dim = 1
            dim = _check_dim(dim)
            self._user = potential
            self._name = getattr(potential, "__name__", "user")
            vals = {}
            for k, v in params.items():
                if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
                    raise ValueError(f"{k}={v!r}: parameters of a user potential must be finite numbers")
                vals[k] = float(v)
            self._params_dict = vals
            self._kparams = np.array(list(vals.values()), dtype=float)
            self._curvature = None if curvature is None else _positive(curvature, "curvature")
        else:
            raise ValueError(
                f"potential={potential!r}: expected one of {', '.join(map(repr, POTENTIALS))} "
                "or a numba.njit gradient function grad(x, params, out)"
            )
        super().__init__(dim, dtype)

    def _builtin_params(self, name, code, vals, dim):
        if name == "harmonic":
            k = _positive(vals["stiffness"], "stiffness")
            c = vals["center"]
            try:
                cv = np.broadcast_to(np.asarray(c, dtype=float), (dim,))
            except (TypeError, ValueError):
                raise ValueError(f"center={c!r}: expected a number or a vector of length {dim}") from None
            if not np.all(np.isfinite(cv)):
                raise ValueError(f"center={c!r}: expected finite coordinates")
            return np.concatenate([[code, k], cv]), k
        if name == "double_well":
            h = _positive(vals["barrier"], "barrier")
            w = _positive(vals["width"], "width")
            return np.array([code, 4.0 * h / w, 1.0 / w], float), 8.0 * h / w**2
        A = vals["amplitude"]
        if isinstance(A, bool) or not isinstance(A, numbers.Real) or not math.isfinite(A) or A < 0:
            raise ValueError(f"amplitude={A!r}: expected a finite number >= 0")
        L = _positive(vals["period"], "period")
        F = vals["force"]
        if isinstance(F, bool) or not isinstance(F, numbers.Real) or not math.isfinite(F):
            raise ValueError(f"force={F!r}: expected a finite number")
        if 2.0 * A / self._temperature > 700.0:
            raise ValueError(
                f"amplitude={A!r}: 2 * amplitude / temperature = {2 * A / self._temperature:.4g} exceeds 700, "
                "beyond what the tabulated stationary density can represent in double precision"
            )
        k = 2.0 * math.pi / L
        return np.array([code, float(A) * k, k, float(F)]), float(A) * k * k

    # -- properties -------------------------------------------------------------------------------
    @property
    def potential(self):
        """Name of the built-in potential, or the user's gradient function."""
        return self._user if self._user is not None else self._name

    @property
    def params(self) -> dict:
        """Parameters of the potential (a copy)."""
        return dict(self._params_dict)

    @property
    def temperature(self) -> float:
        return self._temperature

    @property
    def friction(self) -> float:
        return self._friction

    @property
    def scheme(self) -> str:
        return self._scheme

    @property
    def diffusion_coefficient(self) -> float:
        """D = T / friction."""
        return self._temperature / self._friction

    @property
    def curvature(self) -> float | None:
        """Curvature used by the stiffness check (None: not known, not checked)."""
        return self._curvature

    def __repr__(self):
        ps = ", ".join(f"{k}={v!r}" for k, v in self._params_dict.items())
        return (f"Langevin({self._name!r}, temperature={self._temperature:g}, friction={self._friction:g}"
                f"{', ' + ps if ps else ''}, scheme={self._scheme!r}, dim={self._dim})")

    def potential_energy(self, x) -> np.ndarray:
        """U(x) of a built-in potential, vectorised (``x`` of shape ``(..., dim)``, or ``(...)`` for dim 1)."""
        if self._user is not None:
            raise ValueError(f"potential={self._user!r}: only the gradient of a user potential is known, not U(x)")
        x = np.asarray(x, dtype=float)
        p = self._params_dict
        if self._name == "harmonic":
            c = self._kparams[2:]
            xx = x[..., None] if self._dim == 1 and (x.ndim == 0 or x.shape[-1] != 1) else x
            return 0.5 * p["stiffness"] * np.sum((xx - c) ** 2, axis=-1)
        if self._name == "double_well":
            return p["barrier"] * ((x / p["width"]) ** 2 - 1.0) ** 2
        return -p["amplitude"] * np.cos(2.0 * np.pi * x / p["period"]) - p["force"] * x

    def is_reversible(self) -> bool:
        """Detailed balance: False only for a tilted periodic potential with a non-zero force (and its reversal)."""
        return not (self._name.startswith("tilted_periodic") and self._params_dict.get("force", 0.0) != 0.0)

    @cached_property
    def periodic_stationary(self):
        r"""Stationary law of ``x mod L`` for ``tilted_periodic``: ``(x, p_s(x), J)``.

        ``x`` = ``PERIODIC_GRID`` points of [0, L), ``p_s`` normalised over one period, ``J``
        the probability current (:math:`v = J L` is the mean velocity on the line). Formula in
        the class notes; the inner integral is a trapezoid sum over ``PERIODIC_GRID`` points,
        evaluated as a log-sum-exp.
        """
        if not self._name.startswith("tilted_periodic"):
            raise ValueError(f"potential={self._name!r}: periodic_stationary is defined for 'tilted_periodic' only")
        m = PERIODIC_GRID
        p = self._params_dict
        A, L, F, T = p["amplitude"], p["period"], p["force"], self._temperature
        U = lambda y: -A * np.cos(2.0 * np.pi * y / L) - F * y  # noqa: E731
        x = np.arange(m) * (L / m)
        s = np.arange(m + 1) * (L / m)
        wts = np.full(m + 1, L / m)
        wts[0] = wts[-1] = 0.5 * L / m
        logq = logsumexp((U(x[:, None] + s[None, :]) - U(x)[:, None]) / T, b=wts[None, :], axis=1)
        log_norm = logsumexp(logq) + math.log(L / m)  # periodic rectangle rule for int_0^L q
        ps = np.exp(logq - log_norm)
        J = (T / self._friction) * (-math.expm1(-F * L / T)) * math.exp(-log_norm)
        return x, ps, J

    def reversed(self) -> "Langevin":
        r"""The time-reversed stationary dynamics (see the class notes); ``self`` when reversible."""
        if self._reverse is None:
            if self.is_reversible():
                self._reverse = self
            else:
                x, ps, J = self.periodic_stationary
                rev = self._replace(_name="tilted_periodic_reversed")
                rev._kparams = np.concatenate([
                    [_kd.POT_TILTED_PERIODIC_REVERSED], self._kparams[1:4],
                    [2.0 * self._friction * J, float(len(x)), 1.0 / self._params_dict["period"]], 1.0 / ps,
                ])
                rev.__dict__.pop("periodic_stationary", None)
                rev.__dict__["periodic_stationary"] = (x, ps, J)
                # curvature of the correction 2 friction J / p_s adds to the stiffness
                dq = np.max(np.abs(np.diff(np.append(1.0 / ps, 1.0 / ps[0])))) / (x[1] - x[0])
                rev._curvature = self._curvature + 2.0 * self._friction * abs(J) * dq
                rev._reverse = self
                self._reverse = rev
        return self._reverse

    def _check_dt(self, dt):
        dt = _check_positive_dt(dt)
        curvature = self._curvature
        if curvature is not None and not self.is_reversible():
            # the backward arm runs the reversed drift, whose correction term adds stiffness
            curvature = max(curvature, self.reversed()._curvature)
        if curvature is not None:
            h = dt * curvature / self._friction
            if h > STIFFNESS_LIMIT:
                raise ValueError(
                    f"dt={dt!r}: too large for the stiffness of the {self._name!r} potential: dt * curvature / "
                    f"friction = {h:.4g} exceeds the limit {STIFFNESS_LIMIT:g} (curvature {curvature:.4g}, "
                    f"friction {self._friction:g}); use dt <= {STIFFNESS_LIMIT * self._friction / curvature:.4g}"
                )
        return dt

    def _run_arm(self, init, seed, first_path, arm, steps, out, dt=None):
        mu = dt / self._friction
        s = math.sqrt(2.0 * self._temperature * dt / self._friction)
        scheme = _kd.SCHEME_HEUN if self._scheme == "heun" else _kd.SCHEME_EULER
        n = init.shape[0]
        bad = np.empty(n, np.int64)
        init = np.ascontiguousarray(init, dtype=float)
        if self._user is None and self._dim == 1:
            _kd.run_langevin_builtin1(self._kparams, mu, s, scheme, init[:, 0], np.uint64(seed), first_path, arm,
                                      steps, out, bad, self._limit)
        else:
            kern = _kd.run_langevin_builtin if self._user is None else _kd.langevin_kernel_for(self._user)
            kern(self._kparams, mu, s, scheme, init, np.uint64(seed), first_path, arm, steps, self._out3(out), bad,
                 self._limit)
        self._raise_bad(bad, first_path, arm, dt)
