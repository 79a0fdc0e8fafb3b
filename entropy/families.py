"""The registry of process families: what a scenario file may name in ``[process] kind``.

One :class:`Family` entry per kind holds everything the workflow layer needs to know about a
family: its scenario keys and how to build the process from them, its start forms, the
per-time quantities it supports (see :mod:`entropy.quantities`), which estimators apply, and
its labels. Nothing above this module branches on a family's name: the scenario validator,
the runner, the figures and the command read these entries. Adding a family is one entry
here (plus its process class, kernel and exact reference; see ``docs/design.md``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from . import estimators as _est
from ._units import unit_name
from .schema import (
    BOOL,
    INT,
    LIST,
    MAX_DENSE_STATES,
    MAX_STATES,
    NUM,
    SEED_CHECK,
    STR,
    TABLE,
    Key,
    _all,
    _at_most,
    _finite_numbers,
    _in_unit_interval,
    _non_negative,
    _number_or_matrix,
    _number_table,
    _one_of,
    _positive,
    _range,
    _square_matrix,
    _vector,
)

#: Estimators of the entropies of discrete ensembles (estimators.METHODS), the default first:
#: Miller-Madow, whose 95 % intervals cover 0.90-0.99 from 30 paths on (docs/bias_table.md);
#: the plug-in intervals cover 0.88-0.90 at 30 paths.
DISCRETE_METHODS = ("miller_madow",) + tuple(m for m in _est.METHODS if m != "miller_madow")
#: Estimators of real-valued ensembles (the kNN estimator first).
CONTINUOUS_METHODS = _est.CONTINUOUS_METHODS

def _build_markov(p):
    from .processes.markov import MarkovChain

    return MarkovChain(np.asarray(p["P"], dtype=float))


def _ring_matrix(n, up, down, diagonal):
    """The n x n ring matrix with ``up`` at (i, i + 1), ``down`` at (i, i - 1) and ``diagonal`` at (i, i)
    (mod n; entries landing on one cell add up), dense up to MAX_DENSE_STATES states, CSR above."""
    import scipy.sparse as sp

    i = np.arange(n)
    rows = np.concatenate([i, i, i])
    cols = np.concatenate([(i + 1) % n, (i - 1) % n, i])
    vals = np.concatenate([np.full(n, float(up)), np.full(n, float(down)), np.full(n, float(diagonal))])
    M = sp.csr_matrix((vals, (rows, cols)), shape=(n, n))
    M.eliminate_zeros()
    return M.toarray() if n <= MAX_DENSE_STATES else M


def _build_cycle(p):
    """A ring of n states: step +1 w.p. p_forward, -1 w.p. p_backward, stay otherwise."""

    from .processes.markov import MarkovChain

    n, pf, pb = p["states"], float(p["p_forward"]), float(p["p_backward"])
    stay = 1.0 - pf - pb
    if stay < -1e-12:
        raise ValueError(f"p_forward + p_backward = {pf + pb!r}: expected at most 1")
    return MarkovChain(_ring_matrix(n, pf, pb, max(stay, 0.0)))


def _build_jump(p):
    """A generator Q (rows summing to 0), or a uniform driven ring: rate k_plus to i + 1, k_minus to i - 1."""

    from .processes.jump import MarkovJumpProcess

    ring = [p[k] is not None for k in ("states", "k_plus", "k_minus")]
    if (p["Q"] is not None) == any(ring):
        raise ValueError("expected exactly one of process.Q (a generator) or process.states, process.k_plus and "
                         "process.k_minus (a driven ring)")
    if p["Q"] is not None:
        return MarkovJumpProcess(np.asarray(p["Q"], dtype=float))
    if not all(ring):
        raise ValueError("a driven ring needs process.states, process.k_plus and process.k_minus")
    n, kp, km = p["states"], float(p["k_plus"]), float(p["k_minus"])
    return MarkovJumpProcess(_ring_matrix(n, kp, km, -(kp + km)))


def _build_ehrenfest(p):
    from .processes.ehrenfest import Ehrenfest

    return Ehrenfest(p["balls"], lazy=p["lazy"], micro=p["micro"])


def _build_kac(p):
    from .processes.kac import KacRing

    return KacRing(p["sites"], p["markers"], seed=p["marker_seed"], ensemble=p["ensemble"])


def _build_lattice(p):
    from .processes.lattice_gas import LatticeGas

    return LatticeGas(p["size"], p["particles"], exclusion=p["exclusion"], cells=p["cells"], moves=p["moves"])


def _build_hmm(p):
    from .processes.hmm import HiddenMarkovModel, preset

    if (p["preset"] is None) == (p["labelled"] is None):
        raise ValueError("expected exactly one of process.preset or process.labelled")
    if p["preset"] is not None:
        return preset(p["preset"], **p["params"])
    if p["params"]:
        raise ValueError("process.params is for presets; a labelled HMM takes no parameters")
    return HiddenMarkovModel(np.asarray(p["labelled"], dtype=float))


def _build_brownian(p):
    from .processes.diffusion import BrownianMotion

    return BrownianMotion(sigma=_num_or_array(p["sigma"]), dim=p["dim"])


def _build_ou(p):
    from .processes.diffusion import OrnsteinUhlenbeck

    if (p["theta"] is None) == (p["drift"] is None):
        raise ValueError("expected exactly one of process.theta (a number) or process.drift (a matrix)")
    theta = p["theta"] if p["theta"] is not None else np.asarray(p["drift"], dtype=float)
    ou = OrnsteinUhlenbeck(theta, sigma=_num_or_array(p["sigma"]), dim=p["dim"])
    ou.stationary_covariance  # raises ValueError (naming theta) when the drift is unstable
    return ou


def _build_langevin(p):
    from .processes.diffusion import Langevin

    return Langevin(p["potential"], temperature=p["temperature"], friction=p["friction"], scheme=p["scheme"],
                    dim=p["dim"], **p["params"])


def _num_or_array(v):
    return np.asarray(v, dtype=float) if isinstance(v, list) else v


def _markov_start(process, s):
    return _one_start(s, ("state", "distribution"))


def _one_start(s, names):
    given = [k for k in names if s.get(k) is not None]
    if len(given) != 1:
        raise ValueError(f"[start] needs exactly one of {', '.join('start.' + k for k in names)}")
    k = given[0]
    return k, (np.asarray(s[k], dtype=float) if isinstance(s[k], list) else s[k])


def _diffusion_start(process, s):
    point = s.get("state")
    if s.get("mean") is not None or s.get("cov") is not None:
        if point is not None:
            raise ValueError("[start] takes either start.state (a point) or start.mean and start.cov (a Gaussian)")
        if s.get("mean") is None or s.get("cov") is None:
            raise ValueError("a Gaussian start needs both start.mean and start.cov")
        return "mean", {"mean": _num_or_array(s["mean"]), "cov": _num_or_array(s["cov"])}
    if point is None:
        point = [0.0] * process.dim if process.dim > 1 else 0.0
    return "state", _num_or_array(point)


def _default_state(value):
    def start(process, s):
        v = s.get("state")
        return "state", (value if v is None else v)

    return start


def _hmm_start(process, s):
    if s.get("state") is None and s.get("distribution") is None:
        return "state", "stationary"
    return _one_start(s, ("state", "distribution"))


@dataclass(frozen=True)
class Family:
    """A process family as scenario files name it (``[process] kind``).

    Attributes
    ----------
    keys : dict of Key
        Parameters of ``[process]`` (besides ``kind``).
    build : callable
        Validated parameters -> process object (may raise ValueError naming a parameter).
    start_keys : dict of Key
        Keys of ``[start]``.
    start : callable
        ``(process, start table) -> (key name, start object for entropy.simulate)``.
    family : str
        The group of kinds the analyses accept (``"chain"``, ``"ehrenfest"``, ``"kac"``,
        ``"lattice"``, ``"hmm"``, ``"diffusion"``, ...); recorded in results' metadata.
    quantities : tuple of str
        Per-time quantities this family supports (names in :data:`entropy.quantities.QUANTITIES`);
        ``default_quantities`` those estimated by default.
    doc : str
    streamable : bool
        The recorded state is a symbol, so a run can stream per-time counts instead of paths.
    real_valued : bool
        The recorded state is real-valued: the continuous (kNN, Gaussian, binned) estimators apply.
    needs_dt : bool
        A continuous-time process: ``time.dt`` is required (and its time unit is "time units").
    max_history : int or None
        Longest history the family's estimators condition on (None: no limit).
    snapshots : bool
        Snapshot figures and a GIF of one path (``output.snapshots``, ``output.gif``).
    observables : dict of str -> callable
        Quantities that are ensemble means of a function of the state:
        ``(process, base) -> entropy.quantities.Observable``.
    labels : dict of str -> str
        Figure titles of quantities whose meaning is specific to this family.
    artifacts : callable or None
        ``(scenario, simulated data, result) -> None``: extra arrays of a run (snapshots, GIF
        frames, samples for a histogram).
    check : callable or None
        ``(raw scenario, analysis kind) -> error text or None``: a family-specific cross check.
    janus_caption : callable or None
        ``(result) -> str``: what the Janus figure shows, when the default caption would mislead.
    noun : str
        What a user calls a process of this kind, in messages ("diffusion", "Kac ring").
    memory : callable or None
        ``(scenario, times, bytes per recorded state) -> (bytes per path, words)``: the peak
        memory per path of a stored run of a family that records real values (its estimators'
        temporaries); None for symbol-recording families, whose need follows from the
        quantities.
    moments : bool
        ``ensemble.store = false`` streams per-time means and covariances of the real-valued
        states (``entropy.EnsembleMoments``) instead of paths: the Gaussian entropy only.
    stationary_law : bool
        Runs use the process's unique stationary law (exact references, D(p_t ‖ π)): a process
        without one is refused when the scenario is validated.
    dips : callable or None
        ``(process, stationary run, aligned average, base, result) -> None``: the unit,
        references and exact curve of the fluctuation-aligned analysis (families it accepts).
    """

    keys: dict[str, Key]
    build: Callable[[dict], Any]
    start_keys: dict[str, Key]
    start: Callable
    family: str
    quantities: tuple
    default_quantities: tuple
    doc: str
    streamable: bool = True
    real_valued: bool = False
    needs_dt: bool = False
    max_history: int | None = None
    snapshots: bool = False
    observables: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    artifacts: Callable | None = None
    check: Callable | None = None
    janus_caption: Callable | None = None
    noun: str = "process"
    dips: Callable | None = None
    stationary_law: bool = False
    memory: Callable | None = None
    moments: bool = False

    @property
    def discrete(self) -> bool:
        """Per-time counts of symbols describe the ensemble (the discrete estimators apply)."""
        return self.streamable

    @property
    def methods(self) -> tuple:
        """Estimator methods of the family's entropies (the first is the default)."""
        return CONTINUOUS_METHODS if self.real_valued else DISCRETE_METHODS

    @property
    def time_unit(self) -> str:
        return "time units" if self.needs_dt else "steps"


#: The name of the first version.
ProcessKind = Family


def _ehrenfest_boltzmann(process, base):
    from .processes.ehrenfest import boltzmann_entropy
    from .quantities import Observable

    return Observable(unit_name(base), "mean Boltzmann entropy <log C(N, n_t)> over paths",
                      per_state=boltzmann_entropy(np.arange(process.balls + 1), process.balls, base=base))


def _kac_coarse(process, base):
    from .processes.kac import binary_entropy
    from .quantities import Observable

    return Observable(f"{unit_name(base)} per site", "mean coarse-grained entropy per site H2(B_t / N) over paths",
                      per_state=binary_entropy(np.arange(process.sites + 1) / process.sites, base=base))


def _ehrenfest_dips(urn, run, avg, base, res):
    """Fluctuation analysis of the urn: the stationary mean of S_B, and the exact conditioned profile."""
    from .fluctuations import dip_state_law, ehrenfest_dip_profile
    from .processes.ehrenfest import mean_boltzmann_entropy

    res.metadata["unit"] = unit_name(base)
    res.metadata["references"]["mean"] = [{"value": float(mean_boltzmann_entropy(urn.stationary_distribution,
                                                                                  urn.balls, base=base)),
                                           "label": "stationary mean <S_B>"}]
    if avg.events:
        law = dip_state_law(run.states, avg.positions, urn.n_states)
        res.arrays["exact"] = ehrenfest_dip_profile(urn, law, avg.lags, base=base)
        res.metadata["exact_labels"]["mean"] = "exact E[S_B(n_t) | n_0], n_0 from the dips"
        res.metadata["notes"].append(
            "dashed: the urn conditioned only on its state at the dip (exact, symmetric in t); the aligned average "
            "also conditions on the dip being the minimum of its excursion, which lifts it at small lags")


def _kac_dips(ring, run, avg, base, res):
    """Fluctuation analysis of the ring: entropy per site, at most 1 bit."""
    res.metadata["unit"] = unit_name(base) + " per site"
    res.metadata["references"]["mean"] = [{"value": 1.0 / math.log2(base), "label": "maximum, 1 bit per site"}]


def _kac_check(raw, analysis):
    if analysis == "fluctuation_aligned" and raw["process"]["ensemble"] != "fixed":
        return (f"process.ensemble = {raw['process']['ensemble']!r}: a stationary run is one ring; use ensemble = "
                "\"fixed\" with analysis.kind = 'fluctuation_aligned'")
    return None


def _kac_caption(res):
    rec = res.metadata.get("recurrence_time")
    fixed = "ensemble='fixed'" in str(res.metadata.get("process"))
    if rec and fixed and max(float(np.max(p.times)) for p in res.profiles.values()) >= rec:
        return "the coarse-grained entropy rises away from t0 and recurs after the recurrence time"
    return "only the coarse-grained entropy grows away from t0, both ways"


def _lattice_coarse(process, base):
    from .quantities import Observable

    return Observable(unit_name(base), "mean coarse-grained entropy of the cell occupations",
                      transform=lambda nats: process.to_base(nats, base=base))


def _lattice_artifacts(sc, data, res):
    """Snapshots of path 0 at ``output.snapshots`` (and GIF frames), the grid and its coarse cells."""
    process = sc.process
    out = sc.raw["output"]
    F, B = sc.raw["time"]["forward"], sc.raw["time"]["backward"]
    snaps = out["snapshots"]
    if snaps is None:
        snaps = sorted({-B, -B // 4, 0, F // 4, F}) if B else sorted({0, F // 16, F // 4, F // 2, F})
    snaps = [int(s) for s in snaps if -B <= int(s) <= F]
    seed = sc.raw["ensemble"]["seed"]
    res.arrays["snapshot_times"] = np.asarray(snaps, dtype=np.int64)
    res.arrays["snapshots"] = process.snapshots(np.asarray(snaps, dtype=np.int64), seed, path=0, start="corner")
    if out["gif"] and out["figures"]:
        # frames denser near t0, where the gas changes fastest: |t| grows quadratically
        n = min(out["gif_frames"], F + B + 1)
        u = np.linspace(-1.0, 1.0, n)
        frames = np.unique(np.round(np.where(u < 0, B, F) * np.sign(u) * u**2).astype(np.int64))
        res.arrays["gif_times"] = frames
        res.arrays["gif_frames"] = process.snapshots(frames, seed, path=0, start="corner")
    res.arrays["grid"] = np.array([process.size, process.cells], dtype=np.int64)


def _lattice_memory(sc, T, item):
    return T * (item + 3 * 8), " and their float64 entropies"


def _diffusion_memory(sc, T, item):
    dim = int(np.prod(tuple(sc.process.record_shape), dtype=np.int64)) or 1
    if sc.raw["ensemble"]["store"] is False:  # streamed moments: a chunk's scratch per path, nothing kept per path
        return T * item / max(sc.raw["ensemble"]["paths"], 1) * 1024, " streamed as per-time means and covariances"
    # the states; the kNN trees and distances of one time
    return T * item + 2 * dim * 8 * (sc.raw["estimate"]["k"] + 16), " and the kNN trees of one time"


def _jump_artifacts(sc, data, res):
    """The entropy production of every path at the last time of each arm (for the fluctuation-theorem figure)."""
    ep = (getattr(data, "extra", None) or {}).get("entropy_production")
    if ep is None:
        return
    ep = np.asarray(ep, dtype=float)
    t = np.asarray(data.times)
    for arm, i in (("forward", int(np.argmax(t))), ("backward", int(np.argmin(t)))):
        if t[i] != 0:
            res.arrays[f"entropy_production_samples/{arm}"] = ep[:, i]
            res.arrays[f"entropy_production_samples/{arm}_time"] = np.asarray([t[i]])


def _jump_caption(res):
    start = (res.scenario or {}).get("start") or {}
    if start.get("distribution") is not None:
        return "entropy production from a start law: <Δs_tot> grows away from t0 in both directions of time"
    return "both arms leave the low-entropy state at t0 and produce entropy in both directions of time"


def _build_nbody(p):
    from .processes.nbody import NBody

    L = p["angular_momentum"]
    return NBody(p["bodies"], masses=None if p["masses"] is None else np.asarray(p["masses"], dtype=float),
                 softening=p["softening"], energy=p["energy"],
                 angular_momentum=np.asarray(L, dtype=float) if isinstance(L, list) else L, dim=p["dim"],
                 integrator=p["integrator"], substeps=p["substeps"], record="observables",
                 energy_tolerance=p["energy_tolerance"], bin_width=p["bin_width"],
                 linking_length=p["linking_length"])


def _nbody_column(name, unit, note, transform=None):
    """An N-body observable recorded per path and time (a column of the ``record="observables"`` run)."""

    def observable(process, base):
        from .nbody import OBSERVABLES
        from .quantities import Observable

        col = OBSERVABLES.index(name)
        scale = math.log(2.0) / math.log(base) if name == "pair_entropy" else 1.0  # recorded in bits
        f = transform or (lambda x: x)
        return Observable(unit_name(base) if name == "pair_entropy" else unit, note,
                          transform=lambda X: f(X[..., col]) * scale)

    return observable


def _nbody_memory(sc, T, item):
    return T * item, " of recorded observables"


def _nbody_artifacts(sc, data, res):
    """Positions of path 0 (the first path of the run: same seed, same trajectory) at t0 - B, t0, t0 + F
    and GIF frames, from a one-path run that records the state."""
    from .simulation import simulate

    proc = sc.process
    t, out = sc.raw["time"], sc.raw["output"]
    F, B = t["forward"], t["backward"]
    snaps = out["snapshots"]
    snaps = sorted({-B, 0, F}) if snaps is None else sorted({int(x) for x in snaps})
    n = min(out["gif_frames"], F + B + 1) if out["gif"] and out["figures"] else 0
    frames = np.unique(np.round(np.linspace(-B, F, n)).astype(np.int64)) if n else np.zeros(0, np.int64)
    one = simulate(proc.with_record("state"), sc.start, forward=F, backward=B, dt=t["dt"], paths=1,
                   seed=sc.raw["ensemble"]["seed"])
    x = one.states[0, :, 0]  # (times, bodies, dim): positions
    res.arrays["nbody_snapshot_times"] = np.asarray(snaps, dtype=np.int64)
    res.arrays["nbody_snapshots"] = x[np.asarray(snaps) + B]
    if n:
        res.arrays["nbody_gif_times"] = frames
        res.arrays["nbody_gif_frames"] = x[frames + B]
    res.arrays["nbody_masses"] = np.asarray(proc.masses)
    res.arrays["nbody_dt"] = np.asarray([t["dt"]])


def _nbody_caption(res):
    return ("structure grows away from the Janus point in both directions of time (ensemble means of observables "
            "of each path, not entropies of a law)")


#: A diffusion records real values in continuous time: no counts to stream, one step of history.
_DIFFUSION = dict(streamable=False, real_valued=True, needs_dt=True, max_history=1, noun="diffusion",
                  memory=_diffusion_memory, moments=True)


_CHAIN_Q = ("entropy", "relative_entropy", "entropy_rate_forward", "entropy_rate_backward", "excess_entropy")
_CHAIN_ALL = _CHAIN_Q + ("irreversibility",)
_SEQ_Q = ("entropy", "entropy_rate_forward", "entropy_rate_backward", "excess_entropy")
_STATE_KEYS = {
    "state": Key(INT, None, check=_non_negative, doc="the t0 state (every path starts there)"),
    "distribution": Key(LIST, None, check=_vector, doc="probability vector from which each path draws its t0 state"),
}
_DIM = Key(INT, None, check=_all(_positive, _at_most(64)), doc="dimension d (default 1, or inferred from a matrix)")

PROCESS_KINDS: dict[str, Family] = {
    "markov_chain": Family(
        {"P": Key(LIST, None, required=True, check=_square_matrix, doc="transition matrix, a list of rows summing to 1")},
        _build_markov, _STATE_KEYS, _markov_start, "chain", _CHAIN_ALL, _CHAIN_Q,
        "finite Markov chain given by its transition matrix", stationary_law=True,
    ),
    "cycle": Family(
        {
            "states": Key(INT, None, required=True, check=_range(3, 10**6), doc="number of states n on the ring"),
            "p_forward": Key(NUM, None, required=True, check=_in_unit_interval, doc="probability of a step +1"),
            "p_backward": Key(NUM, None, required=True, check=_in_unit_interval, doc="probability of a step -1"),
        },
        _build_cycle, _STATE_KEYS, _markov_start, "chain", _CHAIN_ALL, _CHAIN_Q,
        "random walk on a ring; driven (non-reversible) when p_forward != p_backward", stationary_law=True,
    ),
    "ehrenfest": Family(
        {
            "balls": Key(INT, None, required=True, check=_range(1, 10**6), doc="number of balls N"),
            "lazy": Key(BOOL, False, doc="stay put with probability 1/2 each step (aperiodic); the pure urn has period 2"),
            "micro": Key(BOOL, False, doc="simulate the microstate (which ball is where) instead of the macrostate chain"),
        },
        _build_ehrenfest,
        {"state": Key(INT, None, check=_non_negative, doc="balls in urn A at t0 (N: all in A, the low-entropy state)"),
         "distribution": _STATE_KEYS["distribution"]},
        _markov_start, "ehrenfest", _CHAIN_Q + ("boltzmann_entropy",),
        ("entropy", "relative_entropy", "boltzmann_entropy", "entropy_rate_forward", "excess_entropy"),
        "Ehrenfest urn, recording n = number of balls in urn A",
        observables={"boltzmann_entropy": _ehrenfest_boltzmann}, dips=_ehrenfest_dips,
    ),
    "kac_ring": Family(
        {
            "sites": Key(INT, None, required=True, check=_range(2, MAX_STATES), doc="number of sites N"),
            "markers": Key(INT, None, required=True, check=_non_negative, doc="number m of marked edges (0..N)"),
            "ensemble": Key(STR, "markers", check=_one_of("markers", "fixed"),
                            doc='"markers": every path draws its own marker set (Bernoulli m/N per edge); '
                                '"fixed": one ring for all paths'),
            "marker_seed": Key(INT, 0, check=SEED_CHECK, doc='seed of the one marker set of ensemble = "fixed"'),
        },
        _build_kac,
        {"state": Key((str, int), None, doc='"black" (all balls black, the default) or a number of black balls '
                      "placed at random sites per path")},
        _default_state("black"), "kac", ("coarse_entropy",) + _SEQ_Q, ("coarse_entropy",),
        "Kac ring: balls move one site per step and flip colour on marked edges; records the number of black balls",
        observables={"coarse_entropy": _kac_coarse},
        labels={"coarse_entropy": "coarse-grained entropy per site H₂(B_t / N)"},
        check=_kac_check, janus_caption=_kac_caption, dips=_kac_dips,
    ),
    "lattice_gas": Family(
        {
            "size": Key(INT, None, required=True, check=_range(1, 2048), doc="side L of the L x L grid (sites)"),
            "particles": Key(INT, None, required=True, check=_range(1, 10**7), doc="number of particles N"),
            "exclusion": Key(BOOL, False, doc="at most one particle per site"),
            "cells": Key(INT, 8, check=_positive, doc="coarse cells C along each side (a divisor of size)"),
            "moves": Key(INT, None, check=_positive, doc="attempted moves per step (default N: one sweep)"),
        },
        _build_lattice,
        {"state": Key(STR, None, check=_one_of("corner"), doc='"corner": all particles packed in one corner (default)')},
        _default_state("corner"), "lattice", ("coarse_entropy",), ("coarse_entropy",),
        "lattice gas expanding from a corner; coarse-grained entropy of C x C cell occupations",
        streamable=False, snapshots=True, observables={"coarse_entropy": _lattice_coarse}, memory=_lattice_memory,
        labels={"coarse_entropy": "coarse-grained entropy log(N! / ∏ n_c!) of the cells"}, artifacts=_lattice_artifacts,
    ),
    "hmm": Family(
        {
            "preset": Key(STR, None, doc="golden_mean, even, random_insertion (rip), biased_coin, period, "
                          "alternating_biased_coin, simple_nonunifilar_source (sns)"),
            "params": Key(TABLE, {}, check=_number_table, doc="parameters of the preset, e.g. {p = 0.5}"),
            "labelled": Key(LIST, None, check=lambda v: _finite_numbers(v, "labelled matrices of finite numbers"),
                            doc="labelled transition matrices T[x][i][j] instead of a preset"),
        },
        _build_hmm,
        {"state": Key((int, str), None, doc='hidden state at t0 (an index), or "stationary" (default)'),
         "distribution": Key(LIST, None, check=_vector, doc="law of the hidden state at t0")},
        _hmm_start, "hmm", _SEQ_Q, _SEQ_Q,
        "hidden Markov process (symbols recorded), from a preset or labelled matrices",
    ),
    "brownian_motion": Family(
        {"sigma": Key(NUM + LIST, 1.0, check=_number_or_matrix, doc="noise amplitude (number or d x d matrix)"),
         "dim": _DIM},
        _build_brownian,
        {"state": Key(NUM + LIST, None, check=lambda v: _vector(v) if isinstance(v, list) else None,
                      doc="the t0 point (default 0)", unit="length"),
         "mean": Key(NUM + LIST, None, doc="mean of a Gaussian start", unit="length"),
         "cov": Key(NUM + LIST, None, doc="covariance of a Gaussian start (number or d x d)", unit="length^2")},
        _diffusion_start, "diffusion", _SEQ_Q, ("entropy", "entropy_rate_forward", "entropy_rate_backward"),
        "Brownian motion dX = sigma dW", **_DIFFUSION,
    ),
}
PROCESS_KINDS["ornstein_uhlenbeck"] = Family(
    {"theta": Key(NUM, None, check=_positive, doc="relaxation rate (drift matrix theta * I)", unit="1/time"),
     "drift": Key(LIST, None, check=_square_matrix, doc="drift matrix A of dX = -A X dt + sigma dW (instead of theta); "
                  "non-symmetric A circulates", unit="1/time"),
     "sigma": Key(NUM + LIST, 1.0, check=_number_or_matrix, doc="noise amplitude (number or d x d matrix)"),
     "dim": _DIM},
    _build_ou, PROCESS_KINDS["brownian_motion"].start_keys, _diffusion_start, "diffusion", _SEQ_Q,
    ("entropy", "entropy_rate_forward", "entropy_rate_backward", "excess_entropy"),
    "Ornstein-Uhlenbeck process dX = -A X dt + sigma dW (exact AR(1) steps)", **_DIFFUSION,
)
PROCESS_KINDS["langevin"] = Family(
    {"potential": Key(STR, None, required=True, check=_one_of("harmonic", "double_well", "tilted_periodic"),
                      doc="built-in potential by name"),
     "params": Key(TABLE, {}, check=_number_table, doc="its parameters, e.g. {barrier = 2.0, width = 1.0}"),
     "temperature": Key(NUM, 1.0, check=_positive, doc="temperature T (k_B = 1)", unit="energy"),
     "friction": Key(NUM, 1.0, check=_positive, doc="friction gamma", unit="energy time / length^2"),
     "scheme": Key(STR, "heun", check=_one_of("heun", "euler_maruyama"), doc="integration scheme"),
     "dim": _DIM},
    _build_langevin, PROCESS_KINDS["brownian_motion"].start_keys, _diffusion_start, "diffusion", _SEQ_Q,
    ("entropy", "entropy_rate_forward", "entropy_rate_backward"),
    "overdamped Langevin dynamics in a built-in potential", **_DIFFUSION,
)

PROCESS_KINDS["markov_jump"] = Family(
    {"Q": Key(LIST, None, check=_square_matrix, doc="generator (rate matrix): off-diagonal rates >= 0, rows summing "
              "to 0", unit="1/time"),
     "states": Key(INT, None, check=_range(2, 10**6), doc="a driven ring of this many states (instead of Q)"),
     "k_plus": Key(NUM, None, check=_non_negative, doc="ring: rate of a jump i -> i + 1", unit="1/time"),
     "k_minus": Key(NUM, None, check=_non_negative, doc="ring: rate of a jump i -> i - 1", unit="1/time")},
    _build_jump, _STATE_KEYS, _markov_start, "jump",
    _CHAIN_ALL + ("entropy_production", "integral_fluctuation"),
    ("entropy", "relative_entropy", "entropy_production"),
    "continuous-time Markov jump process (exact Gillespie), recorded on the grid t = k dt; stochastic entropy "
    "production along every path",
    needs_dt=True, stationary_law=True, noun="jump process", artifacts=_jump_artifacts, janus_caption=_jump_caption,
)
PROCESS_KINDS["janus_nbody"] = Family(
    {"bodies": Key(INT, None, required=True, check=_range(3, 10**4), doc="number of bodies N (G = 1, total mass 1)"),
     "masses": Key(LIST, None, check=_vector, doc="masses of the bodies (normalised to total mass 1; default equal)"),
     "softening": Key(NUM, 0.05, check=_non_negative, doc="Plummer softening length (0: Newtonian)", unit="length"),
     "energy": Key(NUM, 0.0, doc="total energy E of every path (E >= 0: D increases strictly)", unit="energy"),
     "angular_momentum": Key(NUM + LIST, 0.0, doc="total angular momentum (a number along z, or a 3-vector)"),
     "dim": Key(INT, 3, check=_one_of(2, 3), doc="dimension of space (2 or 3)"),
     "integrator": Key(STR, "leapfrog", check=_one_of("leapfrog", "yoshida4"),
                       doc="symplectic, time-reversible integrator"),
     "substeps": Key(INT, 1, check=_range(1, 10**6), doc="integrator steps per recorded time (time.dt / substeps "
                     "each)"),
     "energy_tolerance": Key(NUM, 1e-3, check=_positive, doc="largest relative energy error before a path is "
                             "refused (naming path, time and dt)"),
     "linking_length": Key(NUM, 0.1, check=_positive, doc="clusters: bound pairs closer than this fraction of the "
                           "rms pair distance are linked"),
     "bin_width": Key(NUM, 0.25, check=_positive, doc="pair-distance entropy: bin width in log2 of the distance in "
                      "rms units")},
    _build_nbody,
    {"state": Key(STR, None, check=_one_of("janus"), doc='"janus": each path starts at its Janus point (D = 0; '
                  "the default)")},
    _default_state("janus"), "nbody",
    ("shape_complexity", "cluster_count", "abs_dilatational_momentum", "moment_of_inertia", "pair_distance_entropy"),
    ("shape_complexity", "cluster_count", "abs_dilatational_momentum"),
    "gravitating N-body system started at its Janus point (Barbour, Koslowski & Mercati 2014); observables per path",
    streamable=False, needs_dt=True, snapshots=True, noun="N-body system",
    observables={
        "shape_complexity": _nbody_column("C_S", "1 (scale free)", "mean over paths of Barbour's shape complexity"),
        "cluster_count": _nbody_column("clusters", "clusters", "mean number of clusters per path"),
        "abs_dilatational_momentum": _nbody_column("D", "G = M = 1 units", "mean over paths of |D|", np.abs),
        "moment_of_inertia": _nbody_column("I", "length² (G = M = 1)", "mean over paths of I"),
        "pair_distance_entropy": _nbody_column("pair_entropy", "", "mean over paths of the pair-distance entropy"),
    },
    memory=_nbody_memory, artifacts=_nbody_artifacts, janus_caption=_nbody_caption,
)

#: The registry under its own name.
FAMILIES = PROCESS_KINDS
