r"""What is exact about a Janus-point N-body ensemble: the invariants and the Janus point itself.

No per-time curve of the shape complexity or of the cluster count is known in closed form.
What holds exactly on every path (and is tested on every recorded time of an ensemble): the
energy E, momentum P = 0 and angular momentum L are conserved; the Lagrange-Jacobi identity
:math:`\dot I = 2D`, :math:`\dot D = 2T + \sum_i r_i \cdot F_i` (:math:`= T + E` without
softening, homogeneous potential of degree -1); hence for :math:`E \ge 0` the dilatational
momentum D increases strictly through 0 at t0 and I is smallest at the Janus point t0.

References: Barbour, Koslowski & Mercati, Phys. Rev. Lett. 113, 181101 (2014).
"""

from __future__ import annotations

import numpy as np

from .._units import check_base, check_positive_int, unit_name
from ..processes.nbody import NBody
from ._dispatch import register
from ._types import ExactProfiles, Reference

__all__ = ["nbody_profiles"]


@register(NBody, needs_dt=True)
def nbody_profiles(system: NBody, start, *, forward=0, backward=0, dt=None, base=2, **_) -> ExactProfiles:
    """The exact statements of a Janus-point ensemble: conserved E and L, D = 0 at t0, I smallest at t0.

    ``scalars``: ``energy`` and ``angular_momentum`` (the values every path keeps); a
    reference line ``|D| = 0`` at the Janus point; ``notes`` state the Lagrange-Jacobi
    consequences. ``curves`` is empty: no closed form of C_S(t) or of the cluster count.
    """
    b = check_base(base)
    forward = check_positive_int(forward, "forward", minimum=0)
    backward = check_positive_int(backward, "backward", minimum=0)
    step = 1.0 if dt is None else float(dt)
    times = np.arange(-backward, forward + 1) * step
    E = float(system.energy)
    notes = ["exact on every path: D = ½ dI/dt is 0 at the Janus point t0"
             + (" and increases strictly (E ≥ 0), so I is smallest at t0" if E >= 0 else "")
             + "; E, P and L are conserved"]
    return ExactProfiles(times=times, unit=unit_name(b),
                         references={"abs_dilatational_momentum": [Reference(0.0, "D = 0 at the Janus point t0")]},
                         scalars={"energy": E, "angular_momentum": np.asarray(system.angular_momentum).tolist()},
                         notes=tuple(notes))
