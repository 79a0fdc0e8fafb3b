r"""Exact references for diffusions: Gaussian marginals, entropies, rates, stationary laws.

Linear diffusions (:class:`~entropy.processes.diffusion.BrownianMotion`,
:class:`~entropy.processes.diffusion.OrnsteinUhlenbeck`, and
:class:`~entropy.processes.diffusion.Langevin` with the ``"harmonic"`` potential, which is the
OU process with :math:`A = k/\gamma`, :math:`\sigma = \sqrt{2T/\gamma}` centred at ``center``)
started from a point or a Gaussian stay Gaussian. On the grid ``t = s * dt`` the law is
propagated exactly by the one-step transition :math:`x \mapsto N(Fx, Q_{dt})`:

.. math:: m_{s+1} = F m_s, \qquad C_{s+1} = F C_s F^T + Q_{dt},

on the forward arm with the process's F, Q and on the backward arm with those of
``process.reversed()`` (the time-reversed dynamics, see :mod:`entropy.processes.diffusion`).
The differential entropy of :math:`N(m, C)` in :math:`\mathbb{R}^d` is
:math:`H = \frac12\log\det(2\pi e C)` (Cover & Thomas, *Elements of Information Theory*, 2nd
ed. 2006, Thm 8.4.1); it is :math:`-\infty` for a point (singular C), e.g. at t0.

Differential entropies are not invariant under a change of units of x: they shift by
``d * log(scale)``. Entropy rates of a sampled diffusion depend on ``dt`` and go to
:math:`-\infty` as :math:`dt \to 0` like :math:`\frac d2\log dt`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import integrate
from scipy import linalg as sla

from .._units import check_base, check_positive_int, unit_name
from ..estimators._result import Profile
from ..processes.diffusion import (
    BrownianMotion,
    Langevin,
    OrnsteinUhlenbeck,
    _check_positive_dt,
    _positive,
    check_start,
)
from ._dispatch import register
from ._types import ExactProfiles, Reference

__all__ = [
    "GaussianMarginals",
    "gaussian_marginals",
    "gaussian_entropy",
    "gaussian_relative_entropy",
    "brownian_entropy",
    "ou_entropy_rate",
    "ou_excess_entropy",
    "stationary_cross_covariance",
    "ou_entropy_production",
    "langevin_stationary_entropy",
    "diffusion_profiles",
]

_LOG_2PI_E = math.log(2.0 * math.pi * math.e)


def _linear(process):
    """``(linear diffusion, centre)`` for BM, OU and the harmonic Langevin process."""
    if isinstance(process, (BrownianMotion, OrnsteinUhlenbeck)):
        return process, np.zeros(process.dim)
    if isinstance(process, Langevin) and process.potential == "harmonic":
        k = process.params["stiffness"]
        g = process.friction
        ou = OrnsteinUhlenbeck(k / g, math.sqrt(2.0 * process.temperature / g), process.dim)
        return ou, np.broadcast_to(np.asarray(process.params["center"], float), (process.dim,)).copy()
    raise ValueError(
        f"process={process!r}: exact Gaussian marginals exist for BrownianMotion, OrnsteinUhlenbeck and "
        "Langevin('harmonic', ...)"
    )


def _gaussian_entropy_nats(cov) -> np.ndarray:
    """0.5 log det(2 pi e C) for a stack of covariances (-inf where C is singular)."""
    d = cov.shape[-1]
    sign, logdet = np.linalg.slogdet(cov)
    return np.where(sign > 0, 0.5 * (d * _LOG_2PI_E + logdet), -np.inf)


@dataclass(frozen=True)
class GaussianMarginals:
    r"""Exact Gaussian law :math:`N(m_t, C_t)` at every time of a two-sided grid.

    Attributes
    ----------
    times : ndarray, shape (T,)
        ``-backward * dt .. forward * dt`` (t0 = 0).
    mean : ndarray, shape (T, d)
    cov : ndarray, shape (T, d, d)
    """

    times: np.ndarray
    mean: np.ndarray
    cov: np.ndarray

    def entropy(self, base=2) -> np.ndarray:
        r"""Differential entropy :math:`\frac12\log\det(2\pi e C_t)` at every time, in units of ``base``."""
        b = check_base(base)
        return _gaussian_entropy_nats(self.cov) / math.log(b)


def gaussian_marginals(process, start, *, forward=0, backward=0, dt) -> GaussianMarginals:
    r"""Exact mean and covariance of a linear diffusion at every time of both arms.

    Parameters
    ----------
    process : BrownianMotion, OrnsteinUhlenbeck or Langevin("harmonic")
    start : point or {"mean": ..., "cov": ...}
        As for :func:`entropy.simulate`.
    forward, backward : int
        Steps after and before t0.
    dt : float
        Step (> 0).

    Notes
    -----
    Forward: :math:`m_{s+1} = F m_s`, :math:`C_{s+1} = F C_s F^T + Q_{dt}` with
    :math:`F = e^{-A\,dt}` and :math:`Q_{dt}` from the process's ``transition(dt)``; for
    Brownian motion :math:`C_s = C_0 + s\,dt\,\sigma\sigma^T`. Backward: the same with the
    drift matrix of ``process.reversed()`` (:math:`\tilde A = \Sigma A^T\Sigma^{-1}`). The
    recursion is the exact law on the grid (the semigroup property of the transition).
    """
    lin, centre = _linear(process)
    forward = check_positive_int(forward, "forward", minimum=0)
    backward = check_positive_int(backward, "backward", minimum=0)
    dt = _check_positive_dt(dt)
    st = check_start(start, lin.dim)
    d = lin.dim
    T = forward + backward + 1
    mean = np.empty((T, d))
    cov = np.empty((T, d, d))
    for proc, steps, sign in ((lin, forward, 1), (lin.reversed() if backward else lin, backward, -1)):
        F, Q = proc.transition(dt)
        m = st["mean"] - centre
        C = st["cov"].copy()
        for s in range(steps + 1):
            i = backward + sign * s
            mean[i] = m + centre
            cov[i] = C
            m = F @ m
            C = F @ C @ F.T + Q
            C = 0.5 * (C + C.T)
    times = np.arange(-backward, forward + 1) * dt
    return GaussianMarginals(times=times, mean=mean, cov=cov)


def _exact_profile(quantity, times, nats, base, method):
    b = check_base(base)
    v = nats / math.log(b)
    z = np.zeros_like(v)
    return Profile(quantity=quantity, times=times, values=v, stderr=z, ci_low=v, ci_high=v, confidence=1.0,
                   unit=unit_name(b), method=method)


def gaussian_entropy(process, start, *, forward=0, backward=0, dt, base=2) -> Profile:
    r"""Exact differential entropy :math:`H(t) = \frac12\log\det(2\pi e\, C_t)` on both arms.

    ``C_t`` from :func:`gaussian_marginals`; in units of ``base`` (bits by default);
    :math:`-\infty` where :math:`C_t` is singular (at t0 for a point start). Returns a
    :class:`~entropy.estimators._result.Profile` with zero standard errors, method ``"exact"``.

    References
    ----------
    Cover & Thomas (2006), Thm 8.4.1 (entropy of the multivariate normal).
    """
    check_base(base)
    gm = gaussian_marginals(process, start, forward=forward, backward=backward, dt=dt)
    return _exact_profile("entropy", gm.times, _gaussian_entropy_nats(gm.cov), base, "exact")


def gaussian_relative_entropy(process, start, *, forward=0, backward=0, dt, base=2) -> Profile:
    r"""Exact :math:`D(p_t\,\|\,\pi)` of a stable OU (or harmonic Langevin) process on both arms.

    For :math:`p_t = N(m, C)` and :math:`\pi = N(0, \Sigma)` in :math:`\mathbb{R}^d`

    .. math:: D = \tfrac12\left[\mathrm{tr}(\Sigma^{-1}C) + m^T\Sigma^{-1}m - d
              + \log\det\Sigma - \log\det C\right]

    (Kullback 1959; Cover & Thomas 2006, ex. 8.x), :math:`+\infty` where C is singular. It
    decreases monotonically in :math:`|t - t0|` on both arms (data processing inequality), unlike
    :math:`H(t)` which can overshoot :math:`H(\pi)`. Units of ``base``.
    """
    check_base(base)
    lin, centre = _linear(process)
    if isinstance(lin, BrownianMotion):
        raise ValueError(f"process={process!r}: Brownian motion has no stationary law to compare with")
    Sig = lin.stationary_covariance
    gm = gaussian_marginals(process, start, forward=forward, backward=backward, dt=dt)
    d = lin.dim
    Si = np.linalg.inv(Sig)
    m = gm.mean - centre
    sign, logdetC = np.linalg.slogdet(gm.cov)
    _, logdetS = np.linalg.slogdet(Sig)
    tr = np.einsum("ij,tji->t", Si, gm.cov)
    quad = np.einsum("ti,ij,tj->t", m, Si, m)
    D = np.where(sign > 0, 0.5 * (tr + quad - d + logdetS - np.where(sign > 0, logdetC, 0.0)), np.inf)
    return _exact_profile("relative_entropy", gm.times, D, base, "exact")


def brownian_entropy(t, sigma=1.0, dim=1, base=2):
    r"""Entropy of Brownian motion started from a point: :math:`H(t) = \frac d2\log(2\pi e\sigma^2|t - t0|)`.

    ``t`` relative to t0 (number or array, either sign: the backward arm is again Brownian
    motion); :math:`-\infty` at t = 0. ``sigma`` a number > 0. Units of ``base``.

    References
    ----------
    Cover & Thomas (2006), Thm 8.4.1, with :math:`X_t \sim N(0, \sigma^2|t| I_d)`.
    """
    b = check_base(base)
    sigma = _positive(sigma, "sigma")
    dim = check_positive_int(dim, "dim")
    t = np.abs(np.asarray(t, dtype=float))
    if not np.all(np.isfinite(t)):
        raise ValueError(f"t={t!r}: expected finite times")
    with np.errstate(divide="ignore"):
        h = 0.5 * dim * (_LOG_2PI_E + 2.0 * math.log(sigma) + np.log(t))
    out = h / math.log(b)
    return float(out) if out.ndim == 0 else out


def _stable_ou(process):
    lin, _ = _linear(process)
    if isinstance(lin, BrownianMotion):
        raise ValueError(f"process={process!r}: Brownian motion has no stationary law")
    return lin


def ou_entropy_rate(process, dt, base=2) -> float:
    r"""Entropy rate of the stationary OU process sampled at step ``dt`` (a Gaussian AR(1)).

    :math:`X_{s+1} = F X_s + \varepsilon_s`, :math:`\varepsilon_s \sim N(0, Q_{dt})`
    independent of the past, so :math:`h = H[X_{s+1} | X_s, X_{s-1}, \dots] =
    \frac12\log\det(2\pi e\,Q_{dt})` per step; for a scalar OU
    :math:`Q_{dt} = \frac{\sigma^2}{2\theta}(1 - e^{-2\theta dt})`. This is the
    Kolmogorov-Szego formula :math:`h = \frac12\log(2\pi e\,\sigma^2_\infty)` with the
    one-step prediction error variance :math:`\sigma^2_\infty` (Cover & Thomas 2006, sec. 12.5;
    Ihara, *Information Theory for Continuous Systems*, 1993, ch. 2). Units of ``base`` per
    step; it depends on ``dt`` and tends to :math:`-\infty` as dt -> 0.
    """
    b = check_base(base)
    lin = _stable_ou(process)
    lin.stationary_covariance  # stability check
    _, Q = lin.transition(dt)
    return float(_gaussian_entropy_nats(Q)) / math.log(b)


def ou_excess_entropy(process, dt, base=2) -> float:
    r"""Excess entropy of the stationary OU process sampled at step ``dt``.

    :math:`E = I[\overleftarrow X; \overrightarrow X]` (Crutchfield & Feldman 2003, Chaos 13,
    25). By the Markov property :math:`E = I[X_0; X_1] = H(X_1) - H(X_1 | X_0)
    = \frac12\log(\det\Sigma / \det Q_{dt})`; for a scalar OU
    :math:`E = -\frac12\log(1 - e^{-2\theta dt})`, which diverges like
    :math:`-\frac12\log(2\theta dt)` as dt -> 0. Units of ``base``.
    """
    b = check_base(base)
    lin = _stable_ou(process)
    Sig = lin.stationary_covariance
    _, Q = lin.transition(dt)
    E = 0.5 * (np.linalg.slogdet(Sig)[1] - np.linalg.slogdet(Q)[1])
    return float(E) / math.log(b)


def stationary_cross_covariance(process, tau) -> np.ndarray:
    r"""Stationary cross-covariance :math:`C(\tau) = \mathrm{Cov}(X_{t+\tau}, X_t)` of a stable OU process.

    :math:`C(\tau) = e^{-A\tau}\Sigma` for :math:`\tau \ge 0` and
    :math:`C(-\tau) = C(\tau)^T = \Sigma e^{-A^T\tau}` (Gardiner 2009, eq. 4.5.69 ff.). For a
    non-reversible process :math:`C(-\tau) \ne C(\tau)`: the arrow of time is visible in
    second moments. The backward arm of a stationary run reproduces :math:`C(-\tau)`.

    ``tau`` a number (returns ``(d, d)``) or an array (returns ``(len(tau), d, d)``).
    """
    lin = _stable_ou(process)
    Sig = lin.stationary_covariance
    A = lin.drift_matrix
    taus = np.asarray(tau, dtype=float)
    if not np.all(np.isfinite(taus)):
        raise ValueError(f"tau={tau!r}: expected finite lags")
    out = np.empty(taus.shape + Sig.shape)
    for idx, t in np.ndenumerate(taus):
        E = sla.expm(-A * abs(t))
        out[idx] = E @ Sig if t >= 0 else Sig @ E.T
    return out


def ou_entropy_production(process, dt=None, base=2) -> float:
    r"""Entropy production of the stationary OU process: the KL rate between a path and its reverse.

    Continuous time (``dt=None``): with the stationary current :math:`J = f\pi - D\nabla\pi`
    and :math:`J/\pi = -Bx`, :math:`B = A - D\Sigma^{-1}`,

    .. math:: e_p = \int \frac{J^T D^{-1} J}{\pi}\,dx = \mathrm{tr}(B^T D^{-1} B\,\Sigma)

    per unit time (Lebowitz & Spohn 1999, J. Stat. Phys. 95, 333; Seifert 2005, PRL 95, 040602;
    for the OU process Godreche & Luck 2019, J. Phys. A 52, 035002). It vanishes exactly for
    reversible drifts (:math:`A\Sigma = \Sigma A^T`, i.e. B = 0).

    Sampled at step ``dt`` (a Gaussian AR(1), a Markov chain): the per-step KL divergence
    between the stationary pair law and its time reverse,
    :math:`D(p(x_0, x_1)\,\|\,p(x_1, x_0)) = \frac12[\mathrm{tr}(K_b^{-1}K_f) - 2d]` with
    :math:`K_f = \begin{pmatrix}\Sigma & \Sigma F^T\\ F\Sigma & \Sigma\end{pmatrix}` and
    :math:`K_b` its block transpose (Gaspard 2004, J. Stat. Phys. 117, 599); divided by dt it
    tends to :math:`e_p` as dt -> 0. Units of ``base`` per unit time, or per step.
    """
    b = check_base(base)
    lin = _stable_ou(process)
    Sig = lin.stationary_covariance
    d = lin.dim
    if dt is None:
        D = lin.diffusion_matrix
        B = lin.drift_matrix - D @ np.linalg.inv(Sig)
        ep = float(np.trace(B.T @ np.linalg.solve(D, B) @ Sig))
        return max(ep, 0.0) / math.log(b)
    F, _ = lin.transition(dt)
    C = Sig @ F.T
    Kf = np.block([[Sig, C], [C.T, Sig]])
    Kb = np.block([[Sig, C.T], [C, Sig]])
    kl = 0.5 * (float(np.trace(np.linalg.solve(Kb, Kf))) - 2 * d)
    return max(kl, 0.0) / math.log(b)


def langevin_stationary_entropy(process, base=2) -> float:
    r"""Differential entropy of the stationary law of a built-in Langevin potential.

    * ``harmonic``: :math:`\pi = N(c, (T/k) I_d)`, :math:`H = \frac d2\log(2\pi e T/k)`.
    * ``double_well``: Gibbs law :math:`\pi \propto e^{-U/T}`,
      :math:`H = \log Z + \langle U\rangle/T`, with Z and :math:`\langle U\rangle` by adaptive
      quadrature (``scipy.integrate.quad``) over the region where :math:`U - U_{min} < 80T`.
    * ``tilted_periodic``: the stationary law of :math:`x \bmod L` on the circle (Gibbs for
      ``force = 0``, Stratonovich's non-equilibrium law otherwise; see
      :attr:`~entropy.processes.diffusion.Langevin.periodic_stationary`),
      :math:`H = -\int_0^L p_s\log p_s` by the periodic rectangle rule (spectrally accurate).

    These are the laws of the continuous-time dynamics, not of its discretisation at finite dt.
    Units of ``base``.

    References
    ----------
    Risken, *The Fokker-Planck Equation*, 2nd ed. (1989), sec. 5.2 and 11.3.
    """
    b = check_base(base)
    if not isinstance(process, Langevin) or not isinstance(process.potential, str):
        raise ValueError(f"process={process!r}: expected a Langevin process with a built-in potential")
    T = process.temperature
    p = process.params
    name = process.potential
    if name == "harmonic":
        H = 0.5 * process.dim * (_LOG_2PI_E + math.log(T / p["stiffness"]))
    elif name == "double_well":
        h, w = p["barrier"], p["width"]
        R = w * math.sqrt(1.0 + math.sqrt(80.0 * T / h))
        U = process.potential_energy
        Z = integrate.quad(lambda x: math.exp(-U(x) / T), -R, R, points=[-w, 0.0, w], limit=200,
                           epsabs=0.0, epsrel=1e-12)[0]
        EU = integrate.quad(lambda x: U(x) * math.exp(-U(x) / T), -R, R, points=[-w, 0.0, w], limit=200,
                            epsabs=0.0, epsrel=1e-12)[0] / Z
        H = math.log(Z) + EU / T
    else:
        x, ps, _ = process.periodic_stationary
        dx = x[1] - x[0]
        H = -float(np.sum(ps * np.log(ps))) * dx
    return H / math.log(b)


def diffusion_profiles(process, start, *, forward=0, backward=0, dt, base=2, **_):
    r"""Exact per-time references of a diffusion on both arms (see :func:`entropy.exact.profiles`).

    For a linear diffusion (Brownian motion, OU, harmonic Langevin) the law on the grid is
    Gaussian (:func:`gaussian_marginals`) and the two-sided process is Markov in both
    directions with Gaussian one-step kernels of covariance :math:`Q_{dt}` (forward) and
    :math:`\tilde Q_{dt}` (the reversed dynamics). Hence, in units of ``base``:

    * :math:`h(t) = \frac12\log\det(2\pi e\,C_t)`, :math:`-\infty` at a point start;
    * :math:`h^+(t) = h[X_t | X_{t-dt}]` is :math:`\frac12\log\det(2\pi e\,Q_{dt})` for
      t > t0 and :math:`h(t) + \tilde h_Q - h(t - dt)` for t <= t0 (Bayes' rule on the
      backward kernel); :math:`h^-(t)` mirrors it;
    * :math:`E(t) = I[X_{t-dt}; X_t] = h(t) - h_Q` for t > t0, :math:`h(t-dt) - \tilde h_Q`
      otherwise;
    * :math:`D(p_t \| \pi)` for a stable OU process (:func:`gaussian_relative_entropy`).

    Built-in non-linear Langevin potentials get their stationary entropy as a reference only
    (:func:`langevin_stationary_entropy`); no per-time curve is known in closed form.

    References
    ----------
    Cover & Thomas (2006), Thm 8.4.1; Gardiner, *Stochastic Methods* (2009), sec. 4.5.
    """
    b = check_base(base)
    ln = math.log(b)
    unit = unit_name(b)
    refs, scalars, notes, curves, labels = {}, {}, [], {}, {}
    try:
        lin, _ = _linear(process)
    except ValueError:
        lin = None
    if lin is None:
        times = np.arange(-check_positive_int(backward, "backward", minimum=0),
                          check_positive_int(forward, "forward", minimum=0) + 1) * _check_positive_dt(dt)
        if isinstance(process, Langevin) and isinstance(process.potential, str):
            refs["entropy"] = [Reference(langevin_stationary_entropy(process, base=b),
                                         "stationary h[π] (continuous time)")]
        return ExactProfiles(times=times, unit=unit, references=refs)
    gm = gaussian_marginals(process, start, forward=forward, backward=backward, dt=dt)
    Hn = gm.entropy(base=math.e)  # nats, -inf where singular
    d = lin.dim

    def hQ(proc):
        _, Q = proc.transition(dt)
        return float(_gaussian_entropy_nats(Q))

    hf_Q = hQ(lin)
    hb_Q = hQ(lin.reversed())
    times = gm.times
    T = times.size
    hf, hb, E = (np.full(T, np.nan) for _ in range(3))
    with np.errstate(invalid="ignore"):
        for i in range(T):
            if i >= 1:
                hf[i] = hf_Q if times[i] > 0 else Hn[i] + hb_Q - Hn[i - 1]
                E[i] = Hn[i] - hf_Q if times[i] > 0 else Hn[i - 1] - hb_Q
            if i <= T - 2:
                hb[i] = hb_Q if times[i] < 0 else Hn[i] + hf_Q - Hn[i + 1]
    for q, v in (("entropy", Hn), ("entropy_rate_forward", hf), ("entropy_rate_backward", hb), ("excess_entropy", E)):
        curves[q] = v / ln
        labels[q] = "exact (Gaussian)"
    if isinstance(lin, BrownianMotion):
        notes.append("Brownian motion has no stationary law: h(t) = d/2 log(2πe σ²|t − t0|) grows without bound on "
                     "both arms")
    else:
        D = gaussian_relative_entropy(process, start, forward=forward, backward=backward, dt=dt, base=b)
        curves["relative_entropy"] = np.asarray(D.values)
        labels["relative_entropy"] = "exact (Gaussian)"
        Sig = lin.stationary_covariance
        Hs = 0.5 * (d * _LOG_2PI_E + np.linalg.slogdet(Sig)[1]) / ln
        refs["entropy"] = [Reference(Hs, "stationary h[π]")]
        for q in ("entropy_rate_forward", "entropy_rate_backward"):
            refs[q] = [Reference(hf_Q / ln, "stationary rate h at this dt")]
        refs["excess_entropy"] = [Reference(ou_excess_entropy(lin, dt, base=b), "stationary E at this dt")]
        scalars["reversible"] = bool(lin.is_reversible())
    return ExactProfiles(times=times, unit=unit, curves=curves, labels=labels, references=refs, scalars=scalars,
                         notes=tuple(notes))


register(BrownianMotion, diffusion_profiles, needs_dt=True)
register(OrnsteinUhlenbeck, diffusion_profiles, needs_dt=True)
register(Langevin, diffusion_profiles, needs_dt=True)
