r"""Exact references of the arrow-of-time models: Ehrenfest urn, Kac ring, HMMs, lattice gas.

Each function returns an :class:`~entropy.exact.ExactProfiles` and is registered with
:func:`entropy.exact.profiles` for its process type.

References: Ehrenfest & Ehrenfest (1907); Kac, *Probability and Related Topics in Physical
Sciences* (1959), ch. III; Crutchfield & Feldman, Chaos 13, 25 (2003) for block entropies
of hidden Markov processes.
"""

from __future__ import annotations

import math

import numpy as np

from .._units import check_base, check_positive_int, unit_name
from ..processes.ehrenfest import Ehrenfest
from ..processes.hmm import HiddenMarkovModel
from ..processes.kac import KacRing
from ..processes.lattice_gas import LatticeGas
from ._dispatch import register
from ._types import ExactProfiles, Reference
from .markov import chain_profiles, shannon_entropy

__all__ = ["ehrenfest_profiles", "kac_profiles", "hmm_profiles", "lattice_profiles"]


def _two_sided_times(forward, backward):
    forward = check_positive_int(forward, "forward", minimum=0)
    backward = check_positive_int(backward, "backward", minimum=0)
    return np.arange(-backward, forward + 1)


@register(Ehrenfest)
def ehrenfest_profiles(urn, start, *, forward=0, backward=0, base=2, **_):
    r"""Exact references of an Ehrenfest urn recording :math:`n_t` (balls in urn A).

    The macrostate is a Markov chain (:meth:`~entropy.Ehrenfest.macro_chain`), so H, D, h±, E
    and the irreversibility are those of :func:`~entropy.exact.markov.chain_profiles`. Besides:
    the mean Boltzmann entropy :math:`\langle S_B(n_t)\rangle = \langle\log\binom{N}{n_t}\rangle`
    (``"boltzmann_entropy"``) and, drawn beside it, the fine-grained (Gibbs) entropy of the
    exchangeable microstate ensemble :math:`H(p_t) + \langle S_B\rangle`. Units of ``base``.
    """
    b = check_base(base)
    ref = chain_profiles(urn.macro_chain(), start, forward=forward, backward=backward, base=b)
    prof = urn.entropy_profiles(start, forward=forward, backward=backward, base=b)
    curves = dict(ref.curves, boltzmann_entropy=prof["boltzmann"])
    extra = {"boltzmann_entropy": [("Gibbs (fine-grained) entropy H(p_t) + ⟨S_B⟩, exact", prof["gibbs"])]}
    refs = dict(ref.references)
    if urn.lazy:
        notes = ("lazy urn: aperiodic, p_t converges to the binomial law π",)
    else:
        notes = ("pure urn (lazy = false): period 2, p_t never converges: D(p_t ‖ π) → 1 bit and H(p_t) stays about "
                 "1 bit below H(π)",)
        refs["relative_entropy"] = [Reference(1.0 / math.log2(b), "limit: 1 bit (period 2)")]
    return ExactProfiles(times=ref.times, unit=ref.unit, curves=curves, labels=dict(ref.labels), references=refs,
                         extra_curves=extra, probs=ref.probs, scalars=dict(ref.scalars), notes=ref.notes + notes)


@register(KacRing)
def kac_profiles(ring, start, *, forward=0, backward=0, base=2, **_):
    r"""Boltzmann's prediction for the Kac ring's coarse-grained entropy per site.

    With :math:`\delta(t) = (1 - 2\mu)^{|t|}\delta(0)` (the Stosszahlansatz, exact for the mean
    over Bernoulli(:math:`\mu`) marker sets while :math:`|t| \le N`),
    :math:`S_{cg}(t) = H_2((1 + \delta(t))/2)` per site, in units of ``base`` per site. The
    fine-grained entropy is constant: the ring map is a bijection.
    """
    from ..processes.kac import binary_entropy

    b = check_base(base)
    times = _two_sided_times(forward, backward)
    N = ring.sites
    s = ring._check_start(start)  # a number of black balls (N for "black") or a colouring
    d0 = (2.0 * (s if isinstance(s, (int, np.integer)) else np.sum(s)) - N) / N
    delta = ring.boltzmann_delta(times, delta0=d0)
    notes = ["fine-grained (Gibbs) entropy of the ensemble is constant: the ring map is a bijection; only the "
             "coarse-grained entropy grows"]
    if ring.ensemble == "fixed":
        notes.append(f"one fixed ring of N = {N} sites and m = {ring.n_markers} markers returns to its t0 state after "
                     f"{ring.recurrence_time} steps (N for even m, 2N for odd m): recurrence, on both arms; "
                     "Boltzmann's prediction holds for the average over marker sets")
    return ExactProfiles(
        times=times, unit=unit_name(b),
        curves={"coarse_entropy": binary_entropy((1.0 + delta) / 2.0, base=b)},
        labels={"coarse_entropy": "Boltzmann: H₂((1+δ)/2), δ(t) = (1−2μ)^|t| δ(0)"},
        references={"coarse_entropy": [Reference(1.0 / math.log2(b), "maximum, 1 bit per site")]},
        scalars={"recurrence_time": int(ring.recurrence_time), "marker_probability": float(ring.marker_probability)},
        notes=tuple(notes))


@register(HiddenMarkovModel)
def hmm_profiles(hmm, start, *, forward=0, backward=0, base=2, history=1, **_):
    r"""Exact symbol entropy :math:`H(t) = H[X_t]` of a two-sided hidden Markov process, with stationary references.

    :math:`H(t)` from :meth:`~entropy.HiddenMarkovModel.symbol_marginals`. The stationary
    values of the estimated rates and excess entropy at history ``k`` are
    :math:`H(k+1) - H(k)` and :math:`2H(k) - H(2k)` from the exact block entropies, and the
    entropy rate :math:`h_\mu` (:math:`k \to \infty`) where it is computable. Units of ``base``.
    """
    b = check_base(base)
    p = hmm.symbol_marginals(start, forward=forward, backward=backward)
    times = _two_sided_times(forward, backward)
    refs = {"entropy": [Reference(float(shannon_entropy(hmm.symbol_distribution, base=b)), "stationary H[X]")]}
    scalars = {}
    k = history
    try:  # stationary values of the estimated quantities (exact block entropies)
        Hk = [0.0] + [float(hmm.block_entropy(L, base=b)) for L in range(1, 2 * k + 1)]
    except ValueError:
        Hk = None
    if Hk is not None:
        for q in ("entropy_rate_forward", "entropy_rate_backward"):
            refs[q] = [Reference(Hk[k + 1] - Hk[k], f"stationary H[X_t | {k} neighbour(s)] (exact)")]
        refs["excess_entropy"] = [Reference(2 * Hk[k] - Hk[2 * k], f"stationary I[{k} before ; {k} from t] (exact)")]
    try:
        h = float(hmm.entropy_rate(base=b))
    except ValueError:
        h = None
    if h is not None:
        for q in ("entropy_rate_forward", "entropy_rate_backward"):
            refs.setdefault(q, []).append(Reference(h, "entropy rate h (k → ∞)"))
        scalars["entropy_rate"] = h
    return ExactProfiles(times=times, unit=unit_name(b), curves={"entropy": shannon_entropy(p, base=b)},
                         references=refs, probs=p, scalars=scalars)


@register(LatticeGas)
def lattice_profiles(gas, start, *, forward=0, backward=0, base=2, **_):
    r"""The lattice gas's largest coarse-grained entropy (even occupation of the cells), as a reference.

    No per-time curve is known in closed form. Units of ``base``.
    """
    b = check_base(base)
    return ExactProfiles(
        times=_two_sided_times(forward, backward), unit=unit_name(b),
        references={"coarse_entropy": [Reference(float(gas.max_coarse_entropy(base=b)),
                                                 "maximum (even occupation)")]})
