r"""The Kac ring (Kac 1956): a deterministic, reversible, recurrent model with an arrow of time.

``N`` sites sit on a ring, each holding a ball that is black or white. A fixed subset of the
``N`` edges (edge ``i`` joins site ``i`` to site ``i + 1 mod N``) carries a marker. One step
moves every ball one site clockwise; a ball that crosses a marked edge changes colour. The
map is a bijection of the :math:`2^N` colourings, its exact inverse moves every ball one
site counter-clockwise, flipping on the same edges.

Boltzmann's Stosszahlansatz -- the colour of a ball is independent of whether the edge in
front of it is marked -- predicts for the colour imbalance :math:`\delta = (B - W)/N`

.. math:: \delta(t) = (1 - 2\mu)^{|t|}\, \delta(0), \qquad \mu = m / N,

a monotone approach to :math:`\delta = 0` in both time directions. For a fixed marker set
this cannot hold for all times: after ``N`` steps every ball has crossed every marker once,
so the configuration returns to itself when ``m`` is even and to its negative when ``m`` is
odd (recurrence after ``N`` or ``2N`` steps). Averaged over marker sets with independent
Bernoulli(:math:`\mu`) edges, the prediction is exact for :math:`|t| \le N`: a ball crosses
``|t|`` distinct edges, and :math:`E[(-1)^{\#\text{markers}}] = (1 - 2\mu)^{|t|}`.

The fine-grained (Gibbs) entropy of any ensemble of colourings is constant in time: the
map permutes the :math:`2^N` colourings, and a permutation leaves every entropy of a law
unchanged. Only the coarse-grained entropy per site,
:math:`H_2((1 + \delta)/2)`, rises (and, for a fixed ring, returns).

References
----------
Kac, M. (1956), "Some remarks on the use of probability in classical statistical
mechanics", Acad. Roy. Belg. Bull. Cl. Sci. (5) 42, 356; Kac, M. (1959), *Probability and
Related Topics in Physical Sciences*, ch. III. Gottwald, G. A. & Oliver, M. (2009), "Boltzmann's
dilemma: an introduction to statistical mechanics via the Kac ring", SIAM Rev. 51, 613.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .._kernels import models as _km
from .._units import check_base, check_positive_int, check_seed
from .base import DiscreteProcess

__all__ = ["KacRing", "binary_entropy"]

ENSEMBLES = ("fixed", "markers")


def binary_entropy(q, base=2):
    r""":math:`H_2(q) = -q \log q - (1 - q) \log (1 - q)` (units of ``base``), elementwise."""
    b = check_base(base)
    q = np.asarray(q, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -(np.where(q > 0, q * np.log(np.where(q > 0, q, 1.0)), 0.0)
              + np.where(q < 1, (1 - q) * np.log(np.where(q < 1, 1 - q, 1.0)), 0.0))
    h = h / math.log(b)
    return float(h) if h.ndim == 0 else h


def _pack(bits: np.ndarray) -> np.ndarray:
    """Bit-pack a boolean vector into uint64 words (bit k of word k // 64 = bits[k])."""
    W = (bits.size + 63) // 64
    padded = np.zeros(W * 64, np.uint8)
    padded[: bits.size] = bits
    return np.packbits(padded.reshape(W, 64), axis=1, bitorder="little").view("<u8").ravel().astype(np.uint64)


class KacRing(DiscreteProcess):
    r"""Kac ring of ``sites`` balls with marked edges, recording the number of black balls.

    Parameters
    ----------
    sites : int
        Number of sites (and balls) ``N >= 2``; ``n_states = N + 1``.
    markers : int or array_like of bool
        Either the number ``m`` of marked edges (``0 <= m <= N``) or an explicit boolean
        array of length ``N`` (``markers[i]`` marks the edge from site ``i`` to ``i + 1``).
    seed : int, optional
        With an integer ``markers`` and ``ensemble="fixed"``: the seed from which the ``m``
        marked edges are drawn (uniformly among all :math:`\binom{N}{m}` sets, with
        ``numpy.random.default_rng(seed)``). ``None`` draws a fresh one (kept as
        ``marker_seed``).
    ensemble : {"fixed", "markers"}
        ``"fixed"``: every path runs on the same ring (``self.markers``); paths differ only by
        their start colouring. ``"markers"``: every path draws its own marker set, each edge
        marked independently with probability :math:`\mu = m / N`, from its own per-path
        stream (so the ensemble averages over rings; ``markers`` must then be an int).

    Notes
    -----
    **Observable.** The recorded symbol is the number ``B`` of black balls, ``0 .. N``;
    :meth:`delta` converts to :math:`\delta = (2B - N)/N` and :meth:`coarse_entropy` to the
    coarse-grained entropy per site :math:`H_2(B/N) = H_2((1 + \delta)/2)`.

    **Start.** ``"black"`` (every ball black, :math:`\delta = 1`: the low-entropy state), an
    int ``B0`` (``B0`` black balls at sites drawn uniformly at random per path), or an
    explicit boolean colouring of length ``N`` (True = black).

    **Arms.** The backward arm runs the exact inverse map (:meth:`reversed`). Both arms
    are deterministic given the t0 colouring and the markers. With ``ensemble="markers"``
    and a start whose law is invariant under reflection of the ring ("black", or ``B0``
    black balls at random sites), the forward arm at ``t`` and the backward arm at ``-t``
    agree in law: reflecting the ring maps the edges a ball crosses forwards onto those a
    ball crosses backwards, and i.i.d. markers do not see the reflection. For one fixed ring
    the two arms differ in general.

    See the module docstring for the Stosszahlansatz, recurrence and entropy statements.
    """

    def __init__(self, sites, markers, seed=None, ensemble="fixed", *, _direction=1):
        self.sites = N = check_positive_int(sites, "sites", minimum=2)
        if ensemble not in ENSEMBLES:
            raise ValueError(f"ensemble={ensemble!r}: expected one of {', '.join(map(repr, ENSEMBLES))}")
        self.ensemble = ensemble
        self.direction = _direction
        if isinstance(markers, (numbers.Integral, np.integer)) and not isinstance(markers, (bool, np.bool_)):
            m = int(markers)
            if not 0 <= m <= N:
                raise ValueError(f"markers={markers!r}: expected a number of marked edges in 0..{N} "
                                 f"or a boolean array of length {N}")
            self.n_markers = m
            if ensemble == "markers":
                self.marker_seed = None
                self.markers = None
            else:
                self.marker_seed = check_seed(seed)
                mk = np.zeros(N, bool)
                mk[np.random.default_rng(self.marker_seed).choice(N, size=m, replace=False)] = True
                self.markers = mk
        else:
            arr = np.asarray(markers)
            if arr.dtype != bool or arr.shape != (N,):
                raise ValueError(f"markers: expected a number of marked edges in 0..{N} or a boolean array "
                                 f"of length {N}, got {arr.dtype} array of shape {arr.shape}")
            if ensemble == "markers":
                raise ValueError("ensemble='markers' draws a marker set per path: pass markers as a number "
                                 f"m in 0..{N} (marker probability m / N), not an array")
            self.markers = arr.copy()
            self.n_markers = int(arr.sum())
            self.marker_seed = None
        if self.markers is not None:
            self.markers.setflags(write=False)

    def __repr__(self):
        return (f"KacRing(sites={self.sites}, markers={self.n_markers}, ensemble={self.ensemble!r}"
                f"{', reversed' if self.direction < 0 else ''})")

    @property
    def n_states(self) -> int:
        return self.sites + 1

    @property
    def marker_probability(self) -> float:
        r""":math:`\mu = m / N`."""
        return self.n_markers / self.sites

    def reversed(self) -> "KacRing":
        """The exact inverse map: every ball moves counter-clockwise, flipping on the same edges."""
        return self._replace(direction=-self.direction)

    # -- exact / reference quantities -------------------------------------------------------
    def delta(self, black):
        r"""Colour imbalance :math:`\delta = (B - W)/N = (2B - N)/N` from black counts."""
        return (2.0 * np.asarray(black, dtype=float) - self.sites) / self.sites

    def coarse_entropy(self, black, base=2):
        r"""Coarse-grained entropy per site :math:`H_2(B/N)` (units of ``base`` per site)."""
        return binary_entropy(np.asarray(black, dtype=float) / self.sites, base=base)

    def boltzmann_delta(self, times, delta0=1.0):
        r"""Stosszahlansatz prediction :math:`\delta(t) = (1 - 2\mu)^{|t|} \delta(0)`, :math:`\mu = m/N`.

        Exact for the mean over Bernoulli(:math:`\mu`) marker sets when :math:`|t| \le N`
        (Kac 1959, ch. III).
        """
        t = np.abs(np.asarray(times))
        return (1.0 - 2.0 * self.marker_probability) ** t * delta0

    @property
    def recurrence_time(self) -> int:
        """Steps after which every fixed ring returns to its start: ``N`` if ``m`` is even, else ``2N``."""
        return self.sites if self.n_markers % 2 == 0 else 2 * self.sites

    def evolve(self, colours, steps, markers=None):
        """Apply the map ``steps`` times (the inverse map for ``steps < 0``) to a colouring.

        A plain numpy reference implementation in the frame of the sites (O(N |steps|)).

        Parameters
        ----------
        colours : array_like of bool, shape (N,)
            ``colours[i]`` is True if the ball at site ``i`` is black.
        steps : int
            Number of steps; negative runs the inverse map.
        markers : array_like of bool, optional
            Marker set (default: ``self.markers``; required for ``ensemble="markers"``).

        Returns
        -------
        ndarray of bool, shape (N,)
        """
        c = self._check_colours(colours, "colours")
        mk = self.markers if markers is None else np.asarray(markers)
        if mk is None or mk.dtype != bool or mk.shape != (self.sites,):
            raise ValueError(f"markers: expected a boolean array of length {self.sites}")
        if isinstance(steps, bool) or not isinstance(steps, (numbers.Integral, np.integer)):
            raise ValueError(f"steps={steps!r}: expected an integer")
        steps = int(steps) * self.direction
        for _ in range(abs(steps)):
            if steps > 0:
                c = np.roll(c ^ mk, 1)  # ball at i crosses edge i, lands on i + 1
            else:
                c = np.roll(c, -1) ^ mk  # ball at i + 1 crosses edge i, lands on i
        return c

    # -- simulation contract ---------------------------------------------------------------
    def _check_colours(self, c, name):
        arr = np.asarray(c)
        if arr.dtype != bool or arr.shape != (self.sites,):
            raise ValueError(f"{name}: expected a boolean array of length {self.sites} (True = black), "
                             f"got {arr.dtype} array of shape {arr.shape}")
        return arr.copy()

    def _check_start(self, start):
        N = self.sites
        msg = (f"start={start!r}: expected 'black', a number of black balls in 0..{N}, "
               f"or a boolean colouring of length {N}")
        if isinstance(start, str):
            if start != "black":
                raise ValueError(msg)
            return N
        if isinstance(start, (numbers.Integral, np.integer)) and not isinstance(start, (bool, np.bool_)):
            if not 0 <= int(start) <= N:
                raise ValueError(msg)
            return int(start)
        arr = np.asarray(start)
        if arr.dtype != bool or arr.shape != (N,):
            raise ValueError(msg)
        return arr.copy()

    def _draw_start(self, start, seed, first_path, n):
        # one row shared by all paths (a read-only broadcast view, no per-path memory):
        # [number of black balls, or -1 for an explicit colouring; packed colouring]. The
        # kernel builds each path's colouring and markers from the path's own streams,
        # identically in both arms.
        W = (self.sites + 63) // 64
        row = np.zeros(W + 1, np.int64)
        if isinstance(start, np.ndarray):
            row[0] = -1
            row[1:] = _pack(start).view(np.int64)
        else:
            row[0] = start
        return np.broadcast_to(row, (n, W + 1))

    def _run_arm(self, init, seed, first_path, arm, steps, out, dt=None):
        W = (self.sites + 63) // 64
        fixed = self.ensemble == "fixed"
        markers = _pack(self.markers) if fixed else np.zeros(W, np.uint64)
        prob = -1.0 if fixed else self.marker_probability
        view, flip, target = _km.strided(out)
        # every path shares the start row: pass it once (one compiled kernel for any n)
        _km.kac_ring(init[0].copy(), init.shape[0], markers, prob, self.sites, np.uint64(seed), first_path,
                     self.direction, steps, view, flip)
        if target is not None:
            target[...] = view
