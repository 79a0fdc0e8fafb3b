r"""Exact two-sided references for Markov chains: the ground truth of the estimators.

For a chain ``P`` started at t0 = 0 from a law ``p`` (a state is a point mass), the forward
arm has marginals :math:`p_t = p P^t` and the backward arm, which runs the time reversal
:math:`\tilde P = D^{-1} P^T D`, has :math:`p_{-s} = p \tilde P^s`. Given the t0 state the
arms are independent, so the whole two-sided process is an (inhomogeneous) Markov chain in
both directions of time, and every time-local quantity follows from the marginals and the
one-step kernels:

* the pair law of :math:`(X_t, X_{t+1})` is :math:`p_t(i) P_{ij}` for :math:`t \ge 0` and
  :math:`p_{t+1}(j) \tilde P_{ji}` for :math:`t + 1 \le 0`;
* the forward conditional entropy :math:`h^+(t) = H[X_t | X_{t-1}, ..., X_{t-k}]` equals
  :math:`H[X_t | X_{t-1}]` for every history length k (Markov property), and likewise
  :math:`h^-(t) = H[X_t | X_{t+1}]` and
  :math:`E(t) = I[X_{t-k..t-1}; X_{t..t+k-1}] = I[X_{t-1}; X_t]`.

References: Cover & Thomas (2006) ch. 4 (second law for Markov chains, Thm 4.4.1).
"""

from __future__ import annotations

import numpy as np

from .._units import check_base, check_positive_int, unit_name
from ..processes.markov import MarkovChain
from ._dispatch import register
from ._types import ExactProfiles, Reference

__all__ = ["marginals", "shannon_entropy", "relative_entropy", "chain_profiles"]


def _xlogx(p):
    p = np.asarray(p, dtype=float)
    out = np.zeros_like(p)
    nz = p > 0
    out[nz] = p[nz] * np.log(p[nz])
    return out


def shannon_entropy(probs, base=2, axis=-1):
    r"""Shannon entropy :math:`H(p) = -\sum_x p(x) \log p(x)` of probability vectors along ``axis``.

    In units of ``base`` (2 = bits). Cover & Thomas (2006), eq. 2.1.
    """
    b = check_base(base)
    return (0.0 - _xlogx(probs).sum(axis=axis)) / np.log(b)  # 0.0 - x: never -0.0


def relative_entropy(probs, reference, base=2, axis=-1):
    r"""Relative entropy :math:`D(p \| q) = \sum_x p(x) \log(p(x) / q(x))` along ``axis``.

    ``inf`` where ``p`` charges a state that ``q`` does not. In units of ``base``.
    Cover & Thomas (2006), eq. 2.26.
    """
    b = check_base(base)
    p = np.asarray(probs, dtype=float)
    q = np.broadcast_to(np.asarray(reference, dtype=float), p.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (np.log(np.where(p > 0, p, 1.0)) - np.log(q)), 0.0)
    return terms.sum(axis=axis) / np.log(b)


def marginals(chain: MarkovChain, start, *, forward: int, backward: int = 0):
    r"""Exact marginals :math:`p_t` of the two-sided chain at :math:`t = -B, ..., F`.

    Parameters
    ----------
    chain : MarkovChain
    start : int or array_like
        The t0 state or law (as in :func:`entropy.simulate`).
    forward, backward : int
        Steps after and before t0.

    Returns
    -------
    times : ndarray of int, shape (B + F + 1,)
    probs : ndarray, shape (B + F + 1, n_states)
        ``probs[i]`` is the law of :math:`X_{times[i]}`: :math:`p P^t` for t >= 0 and
        :math:`p \tilde P^{|t|}` for t <= 0.
    """
    forward = check_positive_int(forward, "forward", minimum=0)
    backward = check_positive_int(backward, "backward", minimum=0)
    s = chain._check_start(start)
    p0 = np.zeros(chain.n_states)
    if isinstance(s, int):
        p0[s] = 1.0
    else:
        p0[:] = s
    out = np.empty((backward + forward + 1, chain.n_states))
    out[backward] = p0
    for arm, steps, sign in ((chain, forward, 1), (chain.reversed() if backward else chain, backward, -1)):
        PT = arm._P.T  # p_{t+1} = P^T p_t as a column vector
        p = p0
        for s_ in range(1, steps + 1):
            p = np.asarray(PT @ p).ravel()
            p = np.clip(p, 0.0, None)
            p /= p.sum()
            out[backward + sign * s_] = p
    times = np.arange(-backward, forward + 1)
    return times, out


def chain_profiles(chain: MarkovChain, start, *, forward: int, backward: int = 0, base=2, **_) -> ExactProfiles:
    r"""Exact :math:`H(t)`, :math:`D(p_t \| \pi)`, :math:`h^\pm(t)` and :math:`E(t)` of a two-sided chain.

    * :math:`H(t) = H[X_t]`;
    * :math:`D(t) = D(p_t \| \pi)`: non-increasing in :math:`|t|` on both arms (data
      processing: :math:`\pi P = \pi \tilde P = \pi`);
    * :math:`h^+(t) = H[X_t | X_{t-1}]` and :math:`h^-(t) = H[X_t | X_{t+1}]` (equal to the
      conditional entropies given any longer history, by the Markov property);
    * :math:`E(t) = I[X_{t-1}; X_t]`.

    In units of ``base``. The entropy of the pair law :math:`(X_t, X_{t+1})` is computed as
    :math:`H(p_t) + \sum_i p_t(i) H(P_{i\cdot})` on the forward arm and
    :math:`H(p_{t+1}) + \sum_j p_{t+1}(j) H(\tilde P_{j\cdot})` on the backward arm, which
    costs O(nnz) per time even for sparse chains.
    """
    b = check_base(base)
    times, probs = marginals(chain, start, forward=forward, backward=backward)
    ln = np.log(b)
    H = shannon_entropy(probs, base=np.e)
    pi = chain.stationary_distribution
    D = relative_entropy(probs, pi, base=np.e)
    T = len(times)
    # joint entropy of (X_t, X_{t+1}) for t = times[:-1]
    Hpair = np.full(T - 1, np.nan)
    if T > 1:
        rowH_f = chain._row_entropies()
        rowH_b = chain.reversed()._row_entropies() if backward else None
        for i in range(T - 1):
            if times[i] >= 0:
                Hpair[i] = H[i] + probs[i] @ rowH_f
            else:
                Hpair[i] = H[i + 1] + probs[i + 1] @ rowH_b
    hf = np.full(T, np.nan)
    hb = np.full(T, np.nan)
    E = np.full(T, np.nan)
    hf[1:] = Hpair - H[:-1]
    hb[:-1] = Hpair - H[1:]
    E[1:] = H[:-1] + H[1:] - Hpair
    Hpi = float(shannon_entropy(pi, base=np.e)) / ln
    h = chain.entropy_rate(base=b)
    irr = _irreversibility(chain, times, probs) if chain.n_states <= DENSE_PAIR_MAX else None
    curves = {
        "entropy": H / ln,
        "relative_entropy": D / ln,
        "entropy_rate_forward": hf / ln,
        "entropy_rate_backward": hb / ln,
        "excess_entropy": np.clip(E, 0.0, None) / ln,
    }
    if irr is not None:
        curves["irreversibility"] = irr / ln
    scalars = {"stationary_entropy": Hpi, "entropy_rate": h, "excess_entropy": chain.excess_entropy(base=b)}
    references = {
        "entropy": [Reference(Hpi, "H(π), stationary")],
        "entropy_rate_forward": [Reference(h, "stationary entropy rate h")],
        "entropy_rate_backward": [Reference(h, "stationary entropy rate h")],
        "excess_entropy": [Reference(scalars["excess_entropy"], "stationary I[X_t-1; X_t]")],
    }
    try:
        scalars["entropy_production"] = chain.entropy_production(base=b)
        references["irreversibility"] = [Reference(scalars["entropy_production"],
                                                   "stationary entropy production (Schnakenberg)")]
    except ValueError:  # no stationary law on every state: no reversal to compare with
        pass
    notes = ()
    if np.nanmax(curves["entropy"]) > Hpi + 1e-6:
        notes = ("H(t) overshoots H(π) (π is not uniform): the monotone arrow of time is D(p_t ‖ π), which falls on "
                 "both arms (data processing inequality)",)
    return ExactProfiles(times=times, unit=unit_name(b), curves=curves, references=references, probs=probs,
                         scalars=scalars, notes=notes)


#: Largest chain for which the exact per-step irreversibility (dense pair laws) is computed.
DENSE_PAIR_MAX = 2000


def _irreversibility(chain, times, probs):
    r"""Exact :math:`D(P(\text{step}) \| P(\text{step reversed}))` per step, oriented away from t0 (nats).

    The step arriving at t > 0 has pair law :math:`J = \mathrm{diag}(p_{t-1}) P`; the step
    arriving at t < 0, read away from t0, has :math:`J = \mathrm{diag}(p_{t+1}) \tilde P`.
    Infinite where a pair of positive probability has a reverse of probability 0.
    """
    T = len(times)
    out = np.full(T, np.nan)
    P = chain._P.toarray() if chain.is_sparse else chain._P
    R = None
    for i in range(T - 1):
        if times[i] >= 0:
            J, at = probs[i][:, None] * P, i + 1
        else:
            if R is None:
                R = chain.reversed()._P
                R = R.toarray() if chain.is_sparse else R
            J, at = probs[i + 1][:, None] * R, i
        Jt = J.T
        if np.any((J > 0) & (Jt == 0)):
            out[at] = np.inf
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            out[at] = float(np.where(J > 0, J * np.log(J / Jt), 0.0).sum())
    return out


register(MarkovChain, chain_profiles)
