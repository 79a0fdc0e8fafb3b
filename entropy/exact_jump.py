r"""Exact two-sided references for Markov jump processes recorded on the grid t = k dt.

For a generator :math:`Q` started at t0 = 0 from a law :math:`p_0` (a state is a point mass),
the forward arm has marginals :math:`p_t = p_0 e^{Qt}` and the backward arm, which runs the
time reversal :math:`\tilde Q_{ij} = \pi_j Q_{ji} / \pi_i`, has :math:`p_{-t} = p_0 e^{\tilde Q t}`.
On the grid the process is the Markov chain :math:`P = e^{Q\,dt}` (and its reversal is
:math:`D^{-1} P^T D = e^{\tilde Q\,dt}`), so every grid profile of :func:`entropy.exact.profiles`
applies to :meth:`MarkovJumpProcess.sampled`; this module adds the thermodynamics:

* the mean stochastic entropy production from t0,
  :math:`\langle \Delta s_{tot} \rangle(t) = H(p_t) - H(p_0) + \int_0^t \sum_{i \ne j}
  p_s(i)\, Q_{ij} \log(Q_{ij}/Q_{ji})\, ds` (Seifert 2005, eqs. 7-11), on each arm with its own
  generator; the integral is exact: :math:`\int_0^{dt} e^{Qs} w\, ds` is a block of
  :math:`\exp\begin{pmatrix} Q & w \\ 0 & 0 \end{pmatrix} dt` (Van Loan 1978);
* the integral fluctuation theorem, :math:`\langle e^{-\Delta s_{tot}} \rangle(t) =
  \sum_{x \in \mathrm{supp}\, p_0} (p_t e^{Gt})_x` with G the arm's generator: 1 when
  :math:`p_0` has full support, less than 1 otherwise (a point start): the reversed paths
  that end outside the support of :math:`p_0` have no forward counterpart.

References: Seifert, Phys. Rev. Lett. 95, 040602 (2005); Seifert, Rep. Prog. Phys. 75,
126001 (2012), sec. 4; Van Loan, IEEE Trans. Autom. Control 23, 395 (1978).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from . import exact as _exact
from ._units import check_base, check_positive_int
from .processes.jump import DENSE_EXPM_MAX, MarkovJumpProcess, _check_dt, propagate

__all__ = ["JumpExactProfiles", "integral_fluctuation", "marginals", "mean_entropy_production", "profiles"]


def _check(process, forward, backward, dt):
    if not isinstance(process, MarkovJumpProcess):
        raise ValueError(f"process: expected an entropy.MarkovJumpProcess, got {type(process).__name__}")
    return (check_positive_int(forward, "forward", minimum=0), check_positive_int(backward, "backward", minimum=0),
            _check_dt(dt))


def _arms(process, backward):
    """(generator process, sign) of the forward arm and, if there is one, the backward arm."""
    return ((process, 1),) + (((process.reversed(), -1),) if backward else ())


def marginals(process: MarkovJumpProcess, start, *, forward: int, backward: int = 0, dt):
    r"""Exact laws :math:`p_t` at the grid times :math:`t = k\,dt`, k = -backward..forward.

    Returns ``(times, probs)``: ``times`` in units of time (floats), ``probs[i]`` the law at
    ``times[i]``: :math:`p_0 e^{Qt}` for t >= 0, :math:`p_0 e^{\tilde Q |t|}` for t <= 0.
    """
    forward, backward, dt = _check(process, forward, backward, dt)
    p0 = process._start_law(process._check_start(start))
    out = np.empty((backward + forward + 1, process.n_states))
    for proc, sign in _arms(process, backward):
        steps = forward if sign > 0 else backward
        out[backward + sign * np.arange(steps + 1)] = proc._grid_marginals(p0, steps, dt)
    return np.arange(-backward, forward + 1) * dt, out


def _medium_weights(proc: MarkovJumpProcess) -> np.ndarray:
    r""":math:`w_i = \sum_{j \ne i} Q_{ij} \log(Q_{ij}/Q_{ji})` (nats per unit time), ``inf`` for a one-way rate."""
    _, _, _, _, _, log_ratio, _ = proc._tables
    R = proc._R
    rows = np.repeat(np.arange(proc.n_states), np.diff(R.indptr))
    terms = R.data * log_ratio
    return np.bincount(rows, weights=terms, minlength=proc.n_states)


def _interval_integral(proc: MarkovJumpProcess, w: np.ndarray, dt: float) -> np.ndarray:
    r""":math:`\int_0^{dt} e^{Qs} w\, ds` from the exponential of the augmented generator (Van Loan 1978)."""
    n = proc.n_states
    A = sp.bmat([[proc._R - sp.diags(proc._exit), sp.csr_matrix(w[:, None])], [None, sp.csr_matrix((1, 1))]]).tocsr()
    e = np.zeros(n + 1)
    e[n] = 1.0
    if n + 1 > DENSE_EXPM_MAX:
        from scipy.sparse.linalg import expm_multiply

        return expm_multiply(A * dt, e)[:n]
    return scipy.linalg.expm(A.toarray() * dt)[:n, n]


def mean_entropy_production(process: MarkovJumpProcess, start, *, forward: int, backward: int = 0, dt, base=2):
    r"""Exact mean total entropy production :math:`\langle \Delta s_{tot} \rangle(t)` from t0, both arms.

    .. math:: \langle \Delta s_{tot} \rangle(t) = H(p_t) - H(p_0)
              + \int_0^{|t|} \sum_{i \ne j} p_s(i)\, G_{ij} \log\frac{G_{ij}}{G_{ji}}\, ds

    with G the arm's generator (Q forwards, :math:`\tilde Q` backwards), matching
    ``simulate(..., entropy_production=True)`` path by path in expectation. Non-negative and
    non-decreasing in |t| (it is a relative entropy between path measures). ``inf`` at every
    t != 0 when some rate has no reverse. In units of ``base``; returns ``(times, values)``.
    """
    b = check_base(base)
    forward, backward, dt = _check(process, forward, backward, dt)
    times, probs = marginals(process, start, forward=forward, backward=backward, dt=dt)
    H = _exact.shannon_entropy(probs, base=math.e)
    out = H - H[backward]
    for proc, sign in _arms(process, backward):
        steps = forward if sign > 0 else backward
        if steps == 0:
            continue
        idx = backward + sign * np.arange(steps + 1)
        w = _medium_weights(proc)
        if not np.all(np.isfinite(w)):
            out[idx[1:]] = np.inf
            continue
        per_interval = probs[idx[:-1]] @ _interval_integral(proc, w, dt)
        out[idx[1:]] += np.cumsum(per_interval)
    return times, out / math.log(b)


def integral_fluctuation(process: MarkovJumpProcess, start, *, forward: int, backward: int = 0, dt):
    r"""Exact :math:`\langle e^{-\Delta s_{tot}} \rangle(t)` (nats; :math:`\langle b^{-\Delta s} \rangle` in base b).

    .. math:: \langle e^{-\Delta s_{tot}} \rangle(t) = \sum_{x \in \mathrm{supp}\, p_0} (p_t e^{G|t|})_x

    with G the arm's generator: 1 at every t when the start law has full support (the
    integral fluctuation theorem), below 1 for a start law without full support (e.g. a
    point start). Returns ``(times, values)``.
    """
    forward, backward, dt = _check(process, forward, backward, dt)
    times, probs = marginals(process, start, forward=forward, backward=backward, dt=dt)
    p0 = probs[backward]
    out = np.ones(len(times))
    support = (p0 > 0).astype(float)
    for proc, sign in _arms(process, backward):
        steps = forward if sign > 0 else backward
        back = propagate(proc.Q, support, steps, dt)  # e^{G k dt} 1_S
        idx = backward + sign * np.arange(steps + 1)
        out[idx] = np.einsum("ij,ij->i", probs[idx], back)
    return times, out


@dataclass(frozen=True)
class JumpExactProfiles(_exact.ExactProfiles):
    """:class:`entropy.exact.ExactProfiles` of the grid chain, in continuous time, plus thermodynamics.

    ``times`` are in units of time; the entropy rates and excess entropy are those of the
    grid chain :math:`e^{Q\\,dt}` (per grid step); ``entropy_production`` is the exact mean
    :math:`\\langle \\Delta s_{tot} \\rangle(t)` and ``entropy_production_rate`` Schnakenberg's
    stationary rate per unit time, both in ``unit``.
    """

    entropy_production: np.ndarray | None = None
    entropy_production_rate: float = math.nan
    integral_fluctuation: np.ndarray | None = None
    dt: float = math.nan


def profiles(process: MarkovJumpProcess, start, *, forward: int, backward: int = 0, dt, base=2) -> JumpExactProfiles:
    r"""Exact two-sided profiles of a jump process on the grid t = k dt.

    :math:`H(t)`, :math:`D(p_t \| \pi)` (non-increasing in |t| on both arms), the grid chain's
    :math:`h^\pm(t)` and :math:`E(t)` (from :func:`entropy.exact.profiles` of
    ``process.sampled(dt)``), the mean entropy production :math:`\langle \Delta s_{tot} \rangle(t)`
    and :math:`\langle e^{-\Delta s_{tot}} \rangle(t)`. In units of ``base``.
    """
    b = check_base(base)
    forward, backward, dt = _check(process, forward, backward, dt)
    chain = process.sampled(dt)  # its reversal D^-1 P^T D is e^{Q~ dt}, the backward arm's grid chain
    base_prof = _exact.profiles(chain, process._check_start(start), forward=forward, backward=backward, base=b)
    fields = {f: getattr(base_prof, f) for f in base_prof.__dataclass_fields__}
    fields["times"] = base_prof.times * dt
    _, ep = mean_entropy_production(process, start, forward=forward, backward=backward, dt=dt, base=b)
    _, ift = integral_fluctuation(process, start, forward=forward, backward=backward, dt=dt)
    return JumpExactProfiles(**fields, entropy_production=ep, entropy_production_rate=process.entropy_production(b),
                             integral_fluctuation=ift, dt=dt)
