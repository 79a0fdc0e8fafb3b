r"""The Ehrenfest urn model (Ehrenfest & Ehrenfest 1907).

``N`` numbered balls are distributed over two urns, A and B. At every step a ball is picked
uniformly at random and moved to the other urn. The recorded observable is the macrostate
``n`` = number of balls in urn A (``0 .. N``); the microstate says which balls are in A.

The macrostate is itself a Markov chain (a birth-death chain),

.. math:: \Pr(n \to n - 1) = n / N, \qquad \Pr(n \to n + 1) = (N - n) / N,

with the binomial stationary law :math:`\pi(n) = \binom{N}{n} 2^{-N}`. It satisfies
detailed balance, so the chain is reversible: its time reversal is the chain itself, and
an ensemble started at t0 from a fixed state has exactly the same law at ``t`` and ``-t``.
"""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from scipy.special import gammaln

from .._kernels import models as _km
from .._units import check_base, check_positive_int
from .base import DiscreteProcess
from .markov import MarkovChain

__all__ = ["Ehrenfest", "boltzmann_entropy", "gibbs_entropy", "mean_boltzmann_entropy"]

#: Largest number of balls for which macro_chain() returns a dense transition matrix.
DENSE_MAX_STATES = 2000


def _log_binom(N, n):
    n = np.asarray(n, dtype=float)
    return gammaln(N + 1.0) - gammaln(n + 1.0) - gammaln(N - n + 1.0)


def boltzmann_entropy(n, balls, base=2):
    r"""Boltzmann entropy of the Ehrenfest macrostate: :math:`S_B(n) = \log \binom{N}{n}`.

    The log of the number of microstates (which balls are in urn A) compatible with ``n``
    balls in A, in units of ``base`` (bits by default; Boltzmann's constant set to 1).

    Parameters
    ----------
    n : int or array_like of int
        Number(s) of balls in urn A, each in ``0 .. balls``.
    balls : int
        Total number of balls ``N``.
    base : float
        Logarithm base (2 = bits, e = nats).

    Returns
    -------
    float or ndarray
        :math:`S_B(n)` in units of ``base``.

    References
    ----------
    Boltzmann, L. (1877), Wiener Berichte 76, 373. Ehrenfest, P. & T. (1907), Phys. Z. 8, 311.
    """
    b = check_base(base)
    N = check_positive_int(balls, "balls")
    arr = np.asarray(n)
    if arr.dtype.kind not in "iuf" or np.any(arr != np.round(arr)) or np.any(arr < 0) or np.any(arr > N):
        raise ValueError(f"n={n!r}: expected integer(s) in 0..{N} (balls in urn A)")
    out = _log_binom(N, arr) / math.log(b)
    return float(out) if out.ndim == 0 else out


def _check_macro_law(p, balls):
    p = np.asarray(p, dtype=float)
    if p.shape[-1:] != (balls + 1,):
        raise ValueError(f"p: expected probabilities over n = 0..{balls} (last axis of length {balls + 1}), "
                         f"got shape {p.shape}")
    return p


def mean_boltzmann_entropy(p, balls, base=2):
    r"""Ensemble average :math:`\langle S_B \rangle = \sum_n p(n) \log \binom{N}{n}` (units of ``base``).

    ``p`` is a law of the macrostate (last axis ``n = 0..N``); vectorised over leading axes.
    """
    b = check_base(base)
    N = check_positive_int(balls, "balls")
    p = _check_macro_law(p, N)
    return (p @ _log_binom(N, np.arange(N + 1))) / math.log(b)


def gibbs_entropy(p, balls, base=2):
    r"""Gibbs (fine-grained) entropy of an exchangeable ensemble of Ehrenfest microstates.

    If, given the macrostate ``n``, every one of the :math:`\binom{N}{n}` microstates is
    equally likely (true at all times when it is true at t0: the dynamics treats all balls
    alike), then the law of the microstate ``x`` is :math:`p(n(x)) / \binom{N}{n(x)}` and

    .. math:: H(\text{microstate}) = H(n) + \langle S_B(n) \rangle
              = -\sum_n p(n) \log p(n) + \sum_n p(n) \log \binom{N}{n},

    the chain rule :math:`H(X) = H(n(X)) + H(X | n(X))` with a uniform conditional law.

    Parameters
    ----------
    p : array_like
        Law of the macrostate, last axis ``n = 0..N``; vectorised over leading axes.
    balls : int
        Number of balls ``N``.
    base : float
        Logarithm base (2 = bits).

    Returns
    -------
    float or ndarray
        Gibbs entropy of the microstate ensemble, in units of ``base``.

    References
    ----------
    Cover & Thomas (2006), Thm 2.5.1 (chain rule). Gibbs, J. W. (1902), *Elementary
    Principles in Statistical Mechanics*, ch. XII.
    """
    b = check_base(base)
    N = check_positive_int(balls, "balls")
    p = _check_macro_law(p, N)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0), axis=-1)
    return h / math.log(b) + mean_boltzmann_entropy(p, N, base=b)


class Ehrenfest(DiscreteProcess):
    r"""Ehrenfest urn with ``balls`` balls, recording ``n`` = number of balls in urn A.

    Parameters
    ----------
    balls : int
        Number of balls ``N >= 1``; ``n_states = N + 1``.
    lazy : bool
        If True, every step first leaves the state unchanged with probability 1/2 (the lazy
        chain, aperiodic). The pure chain (``lazy=False``) has period 2: ``n`` changes
        parity at every step.
    micro : bool
        If True, simulate the microstate (which ball is where; bit-packed, one bit per ball,
        O(1) per step, for ``N`` up to 10**4 and beyond); else the macrostate birth-death
        chain (O(1) per step). Both record ``n`` and have the same law.

    Notes
    -----
    **Start.** ``start`` is a number of balls in A (an int ``0..N``; ``N`` is the
    low-entropy state "all balls in A") or a law of ``n`` (a probability vector of length
    ``N + 1``). In the microstate mode the balls in A at t0 are a uniformly random subset of
    that size, drawn per path: the ensemble is exchangeable ("symmetric start"), so
    :func:`gibbs_entropy` gives its fine-grained entropy at every time.

    **Period 2.** For the pure chain from a fixed ``n0``, ``p_t`` lives on the states with
    the parity of ``n0 + t``; it never converges. Its relative entropy to the binomial law
    :math:`\pi` tends to :math:`\log 2` (exactly 1 bit: the limit is :math:`2\pi` restricted
    to one parity class, which holds mass 1/2), and :math:`H(p_t)` tends to about
    :math:`H(\pi) - 1` bit, oscillating slightly between even and odd ``t``. The lazy chain
    converges to :math:`\pi`, and :math:`H(p_t) \to H(\pi)`.

    **Exact moments.** With :math:`x = n - N/2`, :math:`\lambda = 1` (pure) or 1/2 (lazy),
    :math:`a = 1 - 2\lambda/N` and :math:`b = 1 - 4\lambda/N`, one step gives
    :math:`E[x' | x] = a x` and :math:`E[x'^2 | x] = b x^2 + \lambda`, so

    .. math::
        E[n_t] - N/2 = a^{|t|} (E[n_0] - N/2), \qquad
        E[x_t^2] = b^{|t|} E[x_0^2] + \tfrac{N}{4} (1 - b^{|t|}),

    and :math:`\mathrm{Var}[n_t] = E[x_t^2] - (E[n_t] - N/2)^2`; for a fixed start,
    :math:`\mathrm{Var}[n_t] = \tfrac N4 (1 - b^{|t|}) + x_0^2 (b^{|t|} - a^{2|t|})`.
    Both arms have the same profiles (the chain is its own reversal).

    References
    ----------
    Ehrenfest, P. & T. (1907), Phys. Z. 8, 311. Kac, M. (1947), Amer. Math. Monthly 54, 369
    ("Random walk and the theory of Brownian motion": mean, variance, recurrence).
    Kemeny & Snell, *Finite Markov Chains* (1960), sec. 7.3.
    """

    def __init__(self, balls, lazy=False, micro=False):
        self.balls = check_positive_int(balls, "balls")
        if not isinstance(lazy, (bool, np.bool_)):
            raise ValueError(f"lazy={lazy!r}: expected True or False")
        if not isinstance(micro, (bool, np.bool_)):
            raise ValueError(f"micro={micro!r}: expected True or False")
        if self.balls >= 2**32:
            raise ValueError(f"balls={balls!r}: expected at most 2**32 - 1 balls")
        self.lazy = bool(lazy)
        self.micro = bool(micro)

    def __repr__(self):
        return f"Ehrenfest(balls={self.balls}, lazy={self.lazy}, micro={self.micro})"

    @property
    def n_states(self) -> int:
        return self.balls + 1

    def reversed(self) -> "Ehrenfest":
        """The chain is reversible (detailed balance w.r.t. the binomial law): its own reversal."""
        return self

    # -- exact properties -------------------------------------------------------------------------
    @cached_property
    def stationary_distribution(self) -> np.ndarray:
        r"""Binomial law :math:`\pi(n) = \binom{N}{n} 2^{-N}` of the number of balls in A."""
        N = self.balls
        return np.exp(_log_binom(N, np.arange(N + 1)) - N * math.log(2.0))

    def macro_chain(self) -> MarkovChain:
        """The exact birth-death chain of ``n`` as a :class:`~entropy.MarkovChain`.

        Dense for ``N + 1 <= 2000`` states, scipy.sparse (tridiagonal) above.
        """
        N = self.balls
        n = np.arange(N + 1)
        stay = 0.5 if self.lazy else 0.0
        down = (1.0 - stay) * n / N
        up = (1.0 - stay) * (N - n) / N
        P = sp.diags([down[1:], np.full(N + 1, stay), up[:-1]], [-1, 0, 1], format="csr")
        return MarkovChain(P.toarray() if N + 1 <= DENSE_MAX_STATES else P)

    def boltzmann_entropy(self, n, base=2):
        r""":math:`S_B(n) = \log \binom{N}{n}` in units of ``base`` (see :func:`boltzmann_entropy`)."""
        return boltzmann_entropy(n, self.balls, base=base)

    def _moment_factors(self):
        lam = 0.5 if self.lazy else 1.0
        return 1.0 - 2.0 * lam / self.balls, 1.0 - 4.0 * lam / self.balls

    def _start_moments(self, start):
        start = self._check_start(start)
        x = np.arange(self.balls + 1) - self.balls / 2.0
        if isinstance(start, int):
            return start - self.balls / 2.0, (start - self.balls / 2.0) ** 2
        return float(start @ x), float(start @ x**2)

    def mean_occupation(self, start, times):
        r"""Exact :math:`E[n_t]` for the ensemble started at ``start``, at ``times`` (either sign).

        :math:`E[n_t] = N/2 + a^{|t|} (E[n_0] - N/2)` with :math:`a = 1 - 2/N` (pure) or
        :math:`1 - 1/N` (lazy). Kac (1947).
        """
        t = np.abs(_check_times(times))
        a, _ = self._moment_factors()
        m1, _ = self._start_moments(start)
        return self.balls / 2.0 + a**t * m1

    def variance_occupation(self, start, times):
        r"""Exact :math:`\mathrm{Var}[n_t]` at ``times`` (either sign); see the class Notes."""
        t = np.abs(_check_times(times))
        a, b = self._moment_factors()
        m1, m2 = self._start_moments(start)
        bt = b**t
        return np.maximum(bt * m2 + self.balls / 4.0 * (1.0 - bt) - (a**t * m1) ** 2, 0.0)

    def marginals(self, start, forward=0, backward=0):
        r"""Exact laws :math:`p_t` of ``n`` for ``t = -backward .. forward``.

        Propagated through the birth-death chain in O(N) per step (both arms alike: the
        chain is its own reversal). Returns ``(times, p)`` with ``p`` of shape
        ``(forward + backward + 1, N + 1)``.
        """
        start = self._check_start(start)
        forward = check_positive_int(forward, "forward", minimum=0)
        backward = check_positive_int(backward, "backward", minimum=0)
        N = self.balls
        p = np.zeros(N + 1)
        if isinstance(start, int):
            p[start] = 1.0
        else:
            p[:] = start
        n = np.arange(N + 1)
        stay = 0.5 if self.lazy else 0.0
        down = (1.0 - stay) * n / N  # from n to n - 1
        up = (1.0 - stay) * (N - n) / N  # from n to n + 1
        K = max(forward, backward)
        arm = np.empty((K + 1, N + 1))
        arm[0] = p
        for k in range(1, K + 1):
            q = stay * p
            q[:-1] += down[1:] * p[1:]
            q[1:] += up[:-1] * p[:-1]
            arm[k] = p = q
        times = np.arange(-backward, forward + 1)
        return times, arm[np.abs(times)]

    def entropy_profile(self, start, forward=0, backward=0, base=2):
        r"""Exact Shannon entropy :math:`H(p_t)` of the macrostate, ``t = -backward..forward``.

        Returns ``(times, H)`` in units of ``base``. See the class Notes for the period-2
        behaviour of the pure chain.
        """
        b = check_base(base)
        times, p = self.marginals(start, forward=forward, backward=backward)
        with np.errstate(divide="ignore", invalid="ignore"):
            h = -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0), axis=1)
        return times, h / math.log(b)

    def entropy_profiles(self, start, forward=0, backward=0, base=2):
        r"""Exact entropies of the two-sided ensemble at ``t = -backward .. forward``.

        Returns a dict of arrays (units of ``base``):

        ``"times"``
            the times;
        ``"shannon"``
            :math:`H(p_t)` of the macrostate ``n``;
        ``"boltzmann"``
            the mean Boltzmann entropy :math:`\langle S_B(n_t) \rangle`;
        ``"gibbs"``
            the fine-grained entropy of the microstate ensemble for a symmetric
            (exchangeable) start, :math:`H(p_t) + \langle S_B \rangle` (:func:`gibbs_entropy`;
            it tends to ``N`` bits for the lazy urn, ``N - 1`` bits for the pure one, whose
            microstates keep the parity of ``n``);
        ``"relative"``
            :math:`D(p_t \| \pi)` to the binomial law, which decreases monotonically in
            :math:`|t|` (Cover & Thomas 2006, sec. 4.4).
        """
        b = check_base(base)
        times, p = self.marginals(start, forward=forward, backward=backward)
        _, H = self.entropy_profile(start, forward=forward, backward=backward, base=b)
        SB = mean_boltzmann_entropy(p, self.balls, base=b)
        pi = self.stationary_distribution
        with np.errstate(divide="ignore", invalid="ignore"):
            D = np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0) / pi), 0.0), axis=1) / math.log(b)
        return {"times": times, "shannon": H, "boltzmann": SB, "gibbs": H + SB, "relative": D}

    # -- simulation contract ------------------------------------------------------------------
    def _run_arm(self, init, seed, first_path, arm, steps, out, dt=None):
        kern = _km.ehrenfest_micro if self.micro else _km.ehrenfest_macro
        view, flip, target = _km.strided(out)
        kern(init, self.balls, self.lazy, np.uint64(seed), first_path, arm, steps, view, flip)
        if target is not None:
            target[...] = view


def _check_times(times):
    t = np.asarray(times)
    if t.dtype.kind not in "iu":
        raise ValueError(f"times={times!r}: expected integer times (steps from t0)")
    return t
