r"""A lattice gas expanding from a corner: the textbook picture of the second law.

``N`` particles random-walk on an ``L x L`` grid of sites closed by walls. At t0 they are
packed in one corner. The grid is divided into ``C x C`` coarse cells of ``(L/C)^2`` sites,
and the coarse-grained (Boltzmann) entropy is the log of the number of microstates
compatible with the cell occupations :math:`n_1, \dots, n_{C^2}`:

* without exclusion (labelled, non-interacting particles; any number per site)

  .. math:: S = \log \frac{N!}{\prod_c n_c!}

  (the log multinomial; the full count multiplies this by :math:`s^N`, :math:`s = (L/C)^2`,
  a constant left out);
* with exclusion (at most one particle per site; particles indistinguishable)

  .. math:: S = \sum_c \log \binom{s}{n_c}.

**Dynamics.** Random sequential update: a micro-step picks a particle uniformly at random
and one of the four directions uniformly at random; the move is rejected if it would cross
a wall or (exclusion) land on an occupied site. One *step* of the process is ``moves``
micro-steps (default ``N``: one attempted move per particle on average, a Monte Carlo
sweep). The proposal is symmetric and rejections leave the configuration unchanged, so the
dynamics satisfies detailed balance with respect to the uniform law on configurations: it
is its own time reversal, and the backward arm runs the same dynamics (with its own
random stream).

References
----------
Kittel, C. & Kroemer, H. (1980), *Thermal Physics*, ch. 2 (multiplicity of a binary model
system). Penrose, O. (1979), "Foundations of statistical mechanics", Rep. Prog. Phys. 42,
1937, sec. 1.4 (coarse-grained entropy). Spitzer, F. (1970), Adv. Math. 5, 246 (exclusion
process).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import gammaln

from .._kernels import models as _km
from .._kernels.rng import ARM_BACKWARD, ARM_FORWARD
from .._units import check_base, check_positive_int, check_seed
from .base import Process

__all__ = ["LatticeGas"]

RECORDS = ("entropy", "cells")


class LatticeGas(Process):
    r"""``particles`` random walkers on a ``size x size`` grid with walls, started in a corner.

    Parameters
    ----------
    size : int
        Side ``L`` of the grid (``L**2 < 2**31`` sites).
    particles : int
        Number of particles ``N >= 1`` (``N <= L**2`` under exclusion).
    exclusion : bool
        At most one particle per site (moves onto occupied sites are rejected).
    cells : int
        Number ``C`` of coarse cells along each side (``C x C`` cells); must divide ``L``.
    moves : int, optional
        Micro-steps per step (default ``N``: one sweep).
    record : {"entropy", "cells"}
        Recorded observable: the coarse-grained entropy in nats (float64 per time; convert
        with :meth:`to_base`), or the occupation vector of the ``C**2`` cells (uint32,
        cell ``(i, j)`` at index ``i * C + j``, ``i`` along the first coordinate).

    Notes
    -----
    The t0 state (``start="corner"``) fills the sites of the corner ``(0, 0)`` row by row in
    a square of side :math:`\lceil \sqrt N \rceil` (one particle per site, with or without
    exclusion; without exclusion and with more particles than sites, the grid is filled
    again from the corner); ``start`` may instead be an integer array of positions, shape ``(N, 2)``.
    Every path starts from the same microstate. See the module docstring for the entropy
    formulas and the reversibility of the dynamics.
    """

    discrete = False

    def __init__(self, size, particles, exclusion=False, cells=8, moves=None, record="entropy"):
        self.size = L = check_positive_int(size, "size")
        if L * L >= 2**31:
            raise ValueError(f"size={size!r}: expected size**2 < 2**31 sites")
        self.particles = N = check_positive_int(particles, "particles")
        if N >= 2**32:
            raise ValueError(f"particles={particles!r}: expected fewer than 2**32 particles")
        if not isinstance(exclusion, (bool, np.bool_)):
            raise ValueError(f"exclusion={exclusion!r}: expected True or False")
        self.exclusion = bool(exclusion)
        if self.exclusion and N > L * L:
            raise ValueError(f"particles={particles!r}: at most {L * L} particles fit on a {L} x {L} grid "
                             "under exclusion")
        self.cells = C = check_positive_int(cells, "cells")
        if L % C:
            raise ValueError(f"cells={cells!r}: expected a divisor of size={L} (cells along each side)")
        self.cell_side = L // C
        self.moves = N if moves is None else check_positive_int(moves, "moves")
        if record not in RECORDS:
            raise ValueError(f"record={record!r}: expected one of {', '.join(map(repr, RECORDS))}")
        self.record = record
        self.record_shape = () if record == "entropy" else (C * C,)
        self._logfact = gammaln(np.arange(max(N, self.cell_side**2) + 2, dtype=float) + 1.0)

    def __repr__(self):
        return (f"LatticeGas(size={self.size}, particles={self.particles}, exclusion={self.exclusion}, "
                f"cells={self.cells}, moves={self.moves}, record={self.record!r})")

    @property
    def record_dtype(self) -> np.dtype:
        return np.dtype(np.float64) if self.record == "entropy" else np.dtype(np.uint32)

    def reversed(self) -> "LatticeGas":
        """Detailed balance w.r.t. the uniform law: the dynamics is its own reversal."""
        return self

    # -- entropy ------------------------------------------------------------------------------
    def coarse_entropy(self, cells, base=2):
        r"""Coarse-grained entropy of cell occupations (last axis of length ``C**2``).

        :math:`\log N!/\prod_c n_c!` without exclusion, :math:`\sum_c \log\binom{s}{n_c}`
        with exclusion (module docstring); in units of ``base``.
        """
        b = check_base(base)
        n = np.asarray(cells, dtype=float)
        if n.shape[-1:] != (self.cells**2,):
            raise ValueError(f"cells: expected occupations of {self.cells**2} cells on the last axis, "
                             f"got shape {n.shape}")
        if self.exclusion:
            s = float(self.cell_side**2)
            h = np.sum(gammaln(s + 1) - gammaln(n + 1) - gammaln(s - n + 1), axis=-1)
        else:
            h = gammaln(n.sum(axis=-1) + 1) - np.sum(gammaln(n + 1), axis=-1)
        return h / math.log(b)

    def max_coarse_entropy(self, base=2):
        """Largest coarse-grained entropy over all occupations (as even as possible), units of ``base``."""
        K = self.cells**2
        q, r = divmod(self.particles, K)
        even = np.full(K, q)
        even[:r] += 1
        return float(self.coarse_entropy(even, base=base))

    @staticmethod
    def to_base(entropy_nats, base=2):
        """Convert recorded entropies (nats) to units of ``base``."""
        return np.asarray(entropy_nats) / math.log(check_base(base))

    # -- start --------------------------------------------------------------------------------
    def corner_positions(self) -> np.ndarray:
        """The t0 microstate: particles packed row by row into the corner at (0, 0)."""
        N = self.particles
        side = min(math.isqrt(N - 1) + 1, self.size)
        idx = np.arange(N) % (side * side)  # more particles than sites (no exclusion): stack them
        return np.stack([idx // side, idx % side], axis=1).astype(np.int32)

    def _check_start(self, start):
        msg = (f"start={start!r}: expected 'corner' or integer positions of shape ({self.particles}, 2) "
               f"in 0..{self.size - 1}")
        if isinstance(start, str):
            if start != "corner":
                raise ValueError(msg)
            return self.corner_positions()
        arr = np.asarray(start)
        if arr.shape != (self.particles, 2) or arr.dtype.kind not in "iu":
            raise ValueError(msg)
        if arr.size and (arr.min() < 0 or arr.max() >= self.size):
            raise ValueError(msg)
        if self.exclusion:
            flat = arr[:, 0].astype(np.int64) * self.size + arr[:, 1]
            if np.unique(flat).size != flat.size:
                raise ValueError("start: two particles share a site, which exclusion forbids")
        return arr.astype(np.int32)

    def _draw_start(self, start, seed, first_path, n):
        # every path starts from the same microstate: a read-only broadcast view, so a chunk of
        # many paths does not hold N positions per path (simulate sizes chunks by the output)
        return np.broadcast_to(start, (n,) + start.shape)

    def _run_arm(self, init, seed, first_path, arm, steps, out, dt=None):
        view, flip, target = _km.strided(out)
        # the unused output is a strided dummy, so each record mode compiles one kernel
        if self.record == "entropy":
            ent, cel = view, np.empty((1, 2, 1), np.uint32)[:, ::-1]
        else:
            ent, cel = np.empty((1, 2))[:, ::-1], view
        # every path shares the start: pass it once (one compiled kernel for any n)
        _km.lattice_gas(init[0].copy(), init.shape[0], self.size, self.cell_side, self.exclusion, self.moves,
                        self._logfact, np.uint64(seed), first_path, arm, steps, ent, cel, self.record == "cells", flip)
        if target is not None:
            target[...] = view

    # -- snapshots ------------------------------------------------------------------------------
    def snapshots(self, times, seed, path=0, start="corner"):
        """Full microstates of one path at the given times (either side of t0).

        Path ``path`` of ``simulate(self, start, ..., seed=seed)`` is reproduced exactly:
        negative times come from its backward arm, positive ones from its forward arm.

        Parameters
        ----------
        times : array_like of int
            Times relative to t0 (any order, repeats allowed).
        seed : int
            Seed of the ensemble.
        path : int
            Index of the path.
        start : "corner" or array
            As for :func:`entropy.simulate`.

        Returns
        -------
        ndarray of int32, shape (len(times), N, 2)
            Positions at each requested time.
        """
        t = np.asarray(times)
        if t.ndim != 1 or t.dtype.kind not in "iu":
            raise ValueError(f"times={times!r}: expected a 1-D array of integer times")
        seed = check_seed(seed, allow_none=False)
        path = check_positive_int(path, "path", minimum=0)
        pos0 = self._check_start(start)
        out = np.empty((t.size, self.particles, 2), np.int32)
        for sign, arm in ((1, ARM_FORWARD), (-1, ARM_BACKWARD)):  # (t0 itself: forward arm, 0 steps)
            sel = np.flatnonzero(t >= 0) if sign > 0 else np.flatnonzero(t < 0)
            if sel.size == 0:
                continue
            k = np.abs(t[sel]).astype(np.int64)
            order = np.argsort(k, kind="stable")
            buf = np.empty((sel.size, self.particles, 2), np.int32)
            _km.lattice_snapshots(pos0, self.size, self.cell_side, self.exclusion, self.moves,
                                  np.uint64(seed), path, arm, k[order], buf)
            out[sel[order]] = buf
        return out
