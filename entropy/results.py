"""Running a scenario and keeping its results on disk, atomically.

:func:`run_scenario` turns a validated :class:`~entropy.scenario.Scenario` into a
:class:`RunResult`; :func:`save_result` writes it into a result directory

* ``arrays.npz`` -- per-time estimates (values, stderr, CI, samples), exact references and
  the analysis' other arrays (snapshots, aligned windows, surrogate statistics, ...);
* ``metadata.json`` -- the full resolved scenario, package and dependency versions, seed,
  wall time, machine, and whether the run completed (``"complete": false`` after Ctrl-C);
* ``table.csv`` -- the per-time (or per-lag, per-history, per-preset) table;
* the figures (``janus.png``, ``collapse.png``, ... and ``.pdf`` if asked).

Everything is first written into a hidden temporary directory next to the target, which is
then renamed into place: an interrupted run never leaves a half-written result.
:func:`load_result` reads a directory back into the same :class:`RunResult`.

Same scenario, same seed: the same arrays, bit for bit (every path's random numbers depend
only on the seed and its index; chunking and thread count do not matter).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import platform
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import __version__
from ._units import unit_name
from .estimators._result import Profile, normal_interval
from .scenario import Scenario, ScenarioError

__all__ = ["RunResult", "run_scenario", "save_result", "load_result", "atomic_write_bytes", "StopRequest",
           "interruptible"]

ARRAYS = "arrays.npz"
METADATA = "metadata.json"
TABLE = "table.csv"
FORMAT_VERSION = 2


@dataclass(eq=False)
class RunResult:
    """What a scenario run produced.

    Attributes
    ----------
    name : str
        The scenario's name (and of its result directory).
    scenario : dict
        The full resolved scenario (every key, defaults filled in).
    profiles : dict of str -> Profile
        Per-time estimates (``analysis.kind = "profiles"``), e.g. ``"entropy"``.
    exact : dict of str -> ndarray
        Exact (or model-predicted) values at the same times, where known; ``metadata
        ["exact_labels"]`` says what each is.
    arrays : dict of str -> ndarray
        Other arrays of the analysis (lattice gas snapshots, aligned windows, surrogates ...).
    tables : dict of str -> list of dict
        Small tables (entropy production per history, the barbed-arrow table ...).
    metadata : dict
        Seed, paths, units, versions, machine, wall time, ``complete`` ...
    """

    name: str
    scenario: dict
    profiles: dict = field(default_factory=dict)
    exact: dict = field(default_factory=dict)
    arrays: dict = field(default_factory=dict)
    tables: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)

    @property
    def analysis(self) -> str:
        return self.metadata.get("analysis", "profiles")

    @property
    def complete(self) -> bool:
        return bool(self.metadata.get("complete", True))

    @property
    def times(self) -> np.ndarray:
        """Times relative to t0 of the per-time profiles."""
        if not self.profiles:
            raise ValueError(f"{self.name}: analysis {self.analysis!r} has no per-time profiles (see .arrays, .tables)")
        return next(iter(self.profiles.values())).times

    @property
    def unit(self) -> str:
        return self.metadata.get("unit") or unit_name(self.scenario.get("estimate", {}).get("base", 2))

    @property
    def time_unit(self) -> str:
        return self.metadata.get("time_unit", "steps")

    def __repr__(self):
        what = list(self.profiles) or list(self.tables) or list(self.arrays)
        return (f"RunResult({self.name!r}, analysis={self.analysis!r}, {what}, unit={self.unit!r}"
                f"{'' if self.complete else ', incomplete'})")


# ------------------------------------------------------------------------------ interruption
class StopRequest:
    """A flag polled between chunks: set it to stop a run cleanly at the next chunk boundary."""

    def __init__(self):
        self.requested = False

    def __call__(self) -> bool:
        return self.requested


@contextlib.contextmanager
def interruptible(stop: StopRequest, message=None):
    """While active, the first Ctrl-C sets ``stop`` (the run finishes its chunk and keeps what it
    has); a second Ctrl-C raises KeyboardInterrupt at once. A no-op outside the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum, frame):
        if stop.requested:
            raise KeyboardInterrupt
        stop.requested = True
        if message:
            print(message, file=sys.stderr, flush=True)

    old = signal.signal(signal.SIGINT, handler)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, old)


# ------------------------------------------------------------------------------ metadata helpers
def _versions() -> dict:
    import matplotlib
    import numba
    import scipy

    return {"entropy": __version__, "python": sys.version.split()[0], "numpy": np.__version__,
            "scipy": scipy.__version__, "numba": numba.__version__, "matplotlib": matplotlib.__version__}


def _machine() -> dict:
    import numba

    return {"node": platform.node(), "platform": platform.platform(), "processor": platform.machine(),
            "cpus": os.cpu_count(), "numba_threads": numba.get_num_threads()}


def _profile(quantity, times, values, stderr, samples, unit, method, confidence, extra=None) -> Profile:
    return Profile.from_stderr(quantity, times, values, stderr, confidence=confidence, unit=unit, method=method,
                               samples=samples, extra=extra)


def _mean_profile(quantity, times, counts, per_state, unit, confidence, note):
    """Per-time ensemble mean of f(X_t) from counts, ``per_state[x] = f(x)``; stderr = sd / sqrt(M)."""
    M = counts.sum(axis=1).astype(float)
    f = np.asarray(per_state, dtype=float)
    mean = counts @ f / M
    var = np.clip(counts @ f**2 / M - mean**2, 0.0, None)
    se = np.sqrt(var / np.maximum(M - 1, 1))
    return _profile(quantity, times, mean, se, M.astype(np.int64), unit, "ensemble_mean", confidence, {"note": note})


# ------------------------------------------------------------------------------ simulation
def _dask_client(ex):
    try:
        from . import distributed
    except ImportError as exc:
        raise ScenarioError(f'execution.backend = "dask" requires entropy.distributed and dask ({exc})') from None
    try:
        if ex["address"] is not None:
            return distributed.connect(ex["address"])
        return distributed.connect(workers=ex["workers"])
    except TypeError as exc:
        raise ScenarioError(f"execution: entropy.distributed.connect does not accept these settings ({exc})") from None


def _simulate(sc: Scenario, progress, stop):
    """Simulate the scenario's two-sided ensemble chunk by chunk, stopping early if ``stop()``.

    Returns ``(data, paths_done)``: an Ensemble (stored) or EnsembleCounts (streamed) of the
    paths finished. Every path's numbers depend only on (seed, path index), so the first
    ``paths_done`` paths are exactly those of the complete run.
    """
    from .simulate import InsufficientMemoryError, simulate

    raw = sc.raw
    t, ens = raw["time"], raw["ensemble"]
    F, B, paths, store = t["forward"], t["backward"], ens["paths"], ens["store"]
    pairs = bool({"entropy_rate_forward", "entropy_rate_backward", "excess_entropy", "irreversibility"}
                 & set(raw["estimate"]["quantities"]))
    kw = dict(forward=F, backward=B, paths=paths, seed=ens["seed"], dt=t["dt"], store=store, pairs=pairs,
              chunk_size=ens["chunk_size"], progress=progress)
    if raw["execution"]["backend"] == "dask":  # runs to the end (no partial results on Ctrl-C)
        with _dask_client(raw["execution"]) as client:
            return simulate(sc.process, sc.start, client=client, **kw), paths
    try:
        # Ctrl-C only sets the stop flag (see interruptible): simulate ends after a whole chunk
        data = simulate(sc.process, sc.start, stop=stop, **kw)
    except InsufficientMemoryError as exc:
        hint = "ensemble.paths or time.forward / time.backward"
        if store and sc.process.discrete and raw["estimate"]["history"] == 1:
            hint += ", or set ensemble.store = false"
        elif not store:
            hint += ", or estimate fewer quantities (rates and E need per-time pair counts)"
        raise InsufficientMemoryError(f"{sc.source}: {exc}; in the scenario, reduce {hint}") from None
    return data, data.paths


def _symbol_counts(data):
    from .estimators.profiles import symbol_counts

    return symbol_counts(data)[1]


# ------------------------------------------------------------------------------ per family
def _discrete_profiles(sc, data, res):
    from .estimators.profiles import (
        entropy_profile,
        entropy_rate_profile,
        excess_entropy_profile,
        irreversibility_profile,
        relative_entropy_profile,
    )

    est = sc.raw["estimate"]
    b, conf, k = est["base"], est["confidence"], est["history"]
    kw = dict(method=est["method"], base=b, confidence=conf)
    process = sc.process
    unit = unit_name(b)
    for q in est["quantities"]:
        if q == "entropy":
            res.profiles[q] = entropy_profile(data, **kw)
        elif q == "relative_entropy":
            m = est["method"] if est["method"] in ("plugin", "miller_madow") else "miller_madow"
            res.profiles[q] = relative_entropy_profile(data, process.stationary_distribution, method=m, base=b,
                                                       confidence=conf)
        elif q in ("entropy_rate_forward", "entropy_rate_backward"):
            res.profiles[q] = entropy_rate_profile(data, history=k, direction=q.rsplit("_", 1)[1], **kw)
        elif q == "excess_entropy":
            res.profiles[q] = excess_entropy_profile(data, history=k, **kw)
        elif q == "irreversibility":
            res.profiles[q] = irreversibility_profile(data, base=b, confidence=conf)
        elif q == "boltzmann_entropy":
            from .processes.ehrenfest import boltzmann_entropy

            S = boltzmann_entropy(np.arange(process.balls + 1), process.balls, base=b)
            res.profiles[q] = _mean_profile(q, data.times, _symbol_counts(data), S, unit, conf,
                                            "mean Boltzmann entropy <log C(N, n_t)> over paths")
        elif q == "coarse_entropy":
            from .processes.kac import binary_entropy

            f = binary_entropy(np.arange(process.sites + 1) / process.sites, base=b)
            res.profiles[q] = _mean_profile(q, data.times, _symbol_counts(data), f, f"{unit} per site", conf,
                                            "mean coarse-grained entropy per site H2(B_t / N) over paths")


def _chain_exact(sc, res, chain):
    from . import exact

    t, est = sc.raw["time"], sc.raw["estimate"]
    b = est["base"]
    ref = exact.profiles(chain, sc.start, forward=t["forward"], backward=t["backward"], base=b)
    for q in ("entropy", "relative_entropy", "entropy_rate_forward", "entropy_rate_backward", "excess_entropy",
              "irreversibility"):
        if q in res.profiles and getattr(ref, q) is not None:
            res.exact[q] = np.asarray(getattr(ref, q), dtype=float)
            res.metadata["exact_labels"][q] = "exact"
    refs = res.metadata["references"]
    refs["entropy"] = [{"value": float(ref.stationary_entropy), "label": "H(π), stationary"}]
    for q in ("entropy_rate_forward", "entropy_rate_backward"):
        refs[q] = [{"value": float(ref.entropy_rate), "label": "stationary entropy rate h"}]
    refs["excess_entropy"] = [{"value": float(chain.excess_entropy(base=b)), "label": "stationary I[X_t-1; X_t]"}]
    with contextlib.suppress(ValueError):
        refs["irreversibility"] = [{"value": float(chain.entropy_production(base=b)),
                                    "label": "stationary entropy production (Schnakenberg)"}]
    if np.nanmax(ref.entropy) > ref.stationary_entropy + 1e-6:
        res.metadata["notes"].append("H(t) overshoots H(π) (π is not uniform): the monotone arrow of time is "
                                     "D(p_t ‖ π), which falls on both arms (data processing inequality)")
    res.metadata["stationary_entropy"] = float(ref.stationary_entropy)
    res.metadata["entropy_rate"] = float(ref.entropy_rate)
    with contextlib.suppress(ValueError):
        res.metadata["entropy_production"] = float(chain.entropy_production(base=b))


def _family_exact(sc, res):
    fam = sc.family
    process = sc.process
    t, est = sc.raw["time"], sc.raw["estimate"]
    b = est["base"]
    F, B = t["forward"], t["backward"]
    if fam == "kac" and not res.profiles:
        return
    if fam == "chain":
        _chain_exact(sc, res, process)
    elif fam == "ehrenfest":
        _chain_exact(sc, res, process.macro_chain())
        if "boltzmann_entropy" in res.profiles:
            prof = process.entropy_profiles(sc.start, forward=F, backward=B, base=b)
            res.exact["boltzmann_entropy"] = prof["boltzmann"]
            res.metadata["exact_labels"]["boltzmann_entropy"] = "exact"
            # the fine-grained entropy of the (exchangeable) microstate ensemble, H(p_t) + <S_B>
            res.arrays["gibbs_entropy"] = prof["gibbs"]
            res.metadata["extra_curves"] = {"boltzmann_entropy": [
                {"array": "gibbs_entropy", "label": "Gibbs (fine-grained) entropy H(p_t) + ⟨S_B⟩, exact"}]}
        if process.lazy:
            res.metadata["notes"].append("lazy urn: aperiodic, p_t converges to the binomial law π")
        else:
            res.metadata["notes"].append("pure urn (lazy = false): period 2, p_t never converges: D(p_t ‖ π) → 1 bit "
                                         "and H(p_t) stays about 1 bit below H(π)")
            res.metadata["references"]["relative_entropy"] = [{"value": 1.0 / math.log2(b),
                                                               "label": "limit: 1 bit (period 2)"}]
    elif fam == "hmm":
        p = process.symbol_marginals(sc.start, forward=F, backward=B)
        from .exact import shannon_entropy

        if "entropy" in res.profiles:
            res.exact["entropy"] = shannon_entropy(p, base=b)
            res.metadata["exact_labels"]["entropy"] = "exact"
        res.metadata["references"]["entropy"] = [
            {"value": float(shannon_entropy(process.symbol_distribution, base=b)), "label": "stationary H[X]"}]
        k = est["history"]
        with contextlib.suppress(ValueError):  # stationary values of the estimated quantities (exact block entropies)
            Hk = [0.0] + [float(process.block_entropy(L, base=b)) for L in range(1, 2 * k + 1)]
            for q in ("entropy_rate_forward", "entropy_rate_backward"):
                res.metadata["references"][q] = [{"value": Hk[k + 1] - Hk[k],
                                                  "label": f"stationary H[X_t | {k} neighbour(s)] (exact)"}]
            res.metadata["references"]["excess_entropy"] = [{"value": 2 * Hk[k] - Hk[2 * k],
                                                             "label": f"stationary I[{k} before ; {k} from t] (exact)"}]
        with contextlib.suppress(ValueError):
            h = float(process.entropy_rate(base=b))
            for q in ("entropy_rate_forward", "entropy_rate_backward"):
                res.metadata["references"].setdefault(q, []).append({"value": h, "label": "entropy rate h (k → ∞)"})
            res.metadata["entropy_rate"] = h
    elif fam == "kac":
        from .processes.kac import binary_entropy

        N = process.sites
        s = sc.start  # a number of black balls (N for "black") or a colouring
        d0 = (2.0 * (s if isinstance(s, int) else np.sum(s)) - N) / N
        delta = process.boltzmann_delta(res.profiles[next(iter(res.profiles))].times, delta0=d0)
        if "coarse_entropy" in res.profiles:
            res.exact["coarse_entropy"] = binary_entropy((1.0 + delta) / 2.0, base=b)
            res.metadata["exact_labels"]["coarse_entropy"] = (
                "Boltzmann: H₂((1+δ)/2), δ(t) = (1−2μ)^|t| δ(0)")
        res.metadata["references"]["coarse_entropy"] = [{"value": 1.0 / math.log2(b), "label": "maximum, 1 bit per site"}]
        res.metadata["notes"].append(
            "fine-grained (Gibbs) entropy of the ensemble is constant: the ring map is a bijection; only the "
            "coarse-grained entropy grows")
        res.metadata["recurrence_time"] = int(process.recurrence_time)
        if process.ensemble == "fixed":
            res.metadata["notes"].append(
                f"one fixed ring of N = {N} sites and m = {process.n_markers} markers returns to its t0 state after "
                f"{process.recurrence_time} steps (N for even m, 2N for odd m): recurrence, on both arms; "
                "Boltzmann's prediction holds for the average over marker sets")
        res.metadata["marker_probability"] = float(process.marker_probability)


def _lattice_profiles(sc, data, res):
    process = sc.process
    est = sc.raw["estimate"]
    b, conf = est["base"], est["confidence"]
    x = process.to_base(np.asarray(data.states, dtype=float), base=b)
    M = x.shape[0]
    mean = x.mean(axis=0)
    se = x.std(axis=0, ddof=1) / math.sqrt(M) if M > 1 else np.zeros_like(mean)
    res.profiles["coarse_entropy"] = _profile("coarse_entropy", data.times, mean, se, np.full(mean.size, M),
                                              unit_name(b), "ensemble_mean", conf,
                                              {"note": "mean coarse-grained entropy of the cell occupations"})
    res.metadata["references"]["coarse_entropy"] = [
        {"value": float(process.max_coarse_entropy(base=b)), "label": "maximum (even occupation)"}]
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


def _continuous_profiles(sc, data, res, progress):
    from .estimators import continuous as ce

    est = sc.raw["estimate"]
    b, conf, method, k = est["base"], est["confidence"], est["method"], est["k"]
    X = np.asarray(data.states, dtype=float)
    M, T = X.shape[0], X.shape[1]
    unit = unit_name(b)
    degenerate = np.array([np.all(X[:, i] == X[0, i]) for i in range(T)])
    mi_method = "gaussian" if method == "gaussian" else "ksg"
    qs = sc.raw["estimate"]["quantities"]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=T * len(qs), unit="time", desc=f"{sc.name}: estimates", file=sys.stderr, leave=False,
                   dynamic_ncols=True)

    def H(i):
        e = ce.differential_entropy(X[:, i], method=method, k=k, base=b, return_stderr=True)
        return e.value, e.stderr

    def cond(i, j):  # h[X_i | X_j]
        if degenerate[j]:
            return H(i)
        e = ce.conditional_entropy(X[:, i], X[:, j], method=method, k=k, base=b, return_stderr=True)
        return e.value, e.stderr

    def mi(i, j):
        if degenerate[i] or degenerate[j]:
            return 0.0, 0.0
        e = ce.mutual_information(X[:, j], X[:, i], method=mi_method, k=k, base=b, return_stderr=True)
        return e.value, e.stderr

    for q in qs:
        v = np.full(T, np.nan)
        se = np.full(T, np.nan)
        for i in range(T):
            if q == "entropy" and not degenerate[i]:
                v[i], se[i] = H(i)
            elif q == "entropy_rate_forward" and i >= 1 and not degenerate[i]:
                v[i], se[i] = cond(i, i - 1)
            elif q == "entropy_rate_backward" and i <= T - 2 and not degenerate[i]:
                v[i], se[i] = cond(i, i + 1)
            elif q == "excess_entropy" and i >= 1:
                v[i], se[i] = mi(i, i - 1)
            if bar is not None:
                bar.update(1)
        res.profiles[q] = _profile(q, data.times, v, se, np.where(np.isfinite(v), M, 0), unit, method, conf,
                                   {"history": 1, "k": k})
    if bar is not None:
        bar.close()
    dim = 1 if X.ndim == 2 else X.shape[2]
    if method == "knn" and dim > 1 and {"entropy_rate_forward", "entropy_rate_backward"} & set(qs):
        res.metadata["notes"].append(f"h±(t) = h[X_t, X_t∓dt] − h[X_t∓dt] by kNN in {2 * dim} dimensions: biased at "
                                     f"finite sample size (here M = {M:,} paths); compare with the exact curve")
    if degenerate.any():
        res.metadata["notes"].append("differential entropy is -inf (undefined) where all paths share one point "
                                     "(t0 of a point start); left blank")


def _linear_equivalent(process):
    """(linear diffusion with the same transition, or None) for exact Gaussian references."""
    from .processes.diffusion import BrownianMotion, Langevin, OrnsteinUhlenbeck

    if isinstance(process, (BrownianMotion, OrnsteinUhlenbeck)):
        return process
    if isinstance(process, Langevin) and process.potential == "harmonic":
        return OrnsteinUhlenbeck(process.params["stiffness"] / process.friction,
                                 math.sqrt(2.0 * process.temperature / process.friction), dim=process.dim)
    return None


def _diffusion_exact(sc, res):
    from . import exact
    from .processes.diffusion import BrownianMotion, Langevin

    process = sc.process
    t, est = sc.raw["time"], sc.raw["estimate"]
    b, dt = est["base"], t["dt"]
    ln = math.log(b)
    refs, labels = res.metadata["references"], res.metadata["exact_labels"]
    lin = _linear_equivalent(process)
    if isinstance(process, Langevin) and isinstance(process.potential, str):
        refs["entropy"] = [{"value": float(exact.langevin_stationary_entropy(process, base=b)),
                            "label": "stationary h[π] (continuous time)"}]
    if lin is None:
        return
    gm = exact.gaussian_marginals(process, sc.start, forward=t["forward"], backward=t["backward"], dt=dt)
    Hn = gm.entropy(base=math.e)  # nats, -inf where singular
    d = lin.dim

    def hQ(proc):
        _, Q = proc.transition(dt)
        return 0.5 * (d * math.log(2 * math.pi * math.e) + np.linalg.slogdet(Q)[1])

    hf_Q = hQ(lin)
    hb_Q = hQ(lin.reversed() if not isinstance(lin, BrownianMotion) else lin)
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
    values = {"entropy": Hn, "entropy_rate_forward": hf, "entropy_rate_backward": hb, "excess_entropy": E}
    for q, v in values.items():
        if q in res.profiles:
            res.exact[q] = v / ln
            labels[q] = "exact (Gaussian)"
    if not isinstance(lin, BrownianMotion):
        Sig = lin.stationary_covariance
        Hs = 0.5 * (d * math.log(2 * math.pi * math.e) + np.linalg.slogdet(Sig)[1]) / ln
        refs["entropy"] = [{"value": float(Hs), "label": "stationary h[π]"}]
        for q in ("entropy_rate_forward", "entropy_rate_backward"):
            refs[q] = [{"value": float(hf_Q / ln), "label": "stationary rate h at this dt"}]
        refs["excess_entropy"] = [{"value": float(exact.ou_excess_entropy(lin, dt, base=b)),
                                   "label": "stationary E at this dt"}]
        res.metadata["reversible"] = bool(lin.is_reversible())
    else:
        res.metadata["notes"].append("Brownian motion has no stationary law: h(t) = d/2 log(2πe σ²|t − t0|) grows "
                                     "without bound on both arms")


def _run_profiles(sc, res, progress, stop):
    data, done = _simulate(sc, progress, stop)
    if done == 0:
        raise KeyboardInterrupt
    res.metadata["paths"] = int(done)
    res.metadata["complete"] = done == sc.raw["ensemble"]["paths"]
    fam = sc.family
    if fam == "lattice":
        _lattice_profiles(sc, data, res)
    elif fam == "diffusion":
        _continuous_profiles(sc, data, res, progress)
        _diffusion_exact(sc, res)
    else:
        _discrete_profiles(sc, data, res)
        _family_exact(sc, res)
    res.metadata["time_unit"] = "time units" if fam == "diffusion" else "steps"
    res.metadata["dt"] = sc.raw["time"]["dt"]
    res.metadata["profiles"] = {q: {"unit": p.unit, "method": p.method, "confidence": p.confidence,
                                    "extra": {k: v for k, v in p.extra.items() if isinstance(v, (int, float, str))}}
                                for q, p in res.profiles.items()}


# ------------------------------------------------------------------------------ other analyses
def _run_fluctuation(sc, res, progress, stop):
    from .fluctuations import dip_state_law, ehrenfest_dip_profile, fluctuation_aligned, stationary_run
    from .processes.ehrenfest import Ehrenfest, mean_boltzmann_entropy

    a = sc.raw["analysis"]
    b = sc.raw["estimate"]["base"]
    seed = sc.raw["ensemble"]["seed"]
    process = sc.process
    run = stationary_run(process, a["length"], seed=seed, base=b)
    avg = fluctuation_aligned(run.entropy, a["threshold"], a["window"], separation=a["separation"], ties=a["ties"],
                              seed=seed)
    res.arrays.update(lags=avg.lags, mean=avg.mean, stderr=avg.stderr, positions=avg.positions,
                      series_excerpt=run.entropy[: min(run.entropy.size, 20_000)])
    res.metadata["events"] = int(avg.events)
    res.metadata["clusters"] = int(avg.extra.get("clusters", 0))
    res.metadata["threshold"] = float(a["threshold"])
    res.metadata["unit"] = unit_name(b) + (" per site" if not isinstance(process, Ehrenfest) else "")
    if isinstance(process, Ehrenfest):
        res.metadata["references"]["mean"] = [{"value": float(mean_boltzmann_entropy(process.stationary_distribution,
                                                                                      process.balls, base=b)),
                                               "label": "stationary mean <S_B>"}]
        if avg.events:
            law = dip_state_law(run.states, avg.positions, process.n_states)
            res.arrays["exact"] = ehrenfest_dip_profile(process, law, avg.lags, base=b)
            res.metadata["exact_labels"]["mean"] = "exact E[S_B(n_t) | n_0], n_0 from the dips"
            res.metadata["notes"].append(
                "dashed: the urn conditioned only on its state at the dip (exact, symmetric in t); the aligned average "
                "also conditions on the dip being the minimum of its excursion, which lifts it at small lags")
    else:
        res.metadata["references"]["mean"] = [{"value": 1.0 / math.log2(b), "label": "maximum, 1 bit per site"}]
    if not avg.events:
        res.metadata["notes"].append(f"no dips at or below threshold {a['threshold']:g}: raise analysis.threshold or "
                                     "analysis.length")
    res.metadata["paths"] = 1
    res.tables["aligned"] = [{"lag": int(l), "mean": float(m), "stderr": float(s),
                              **({"exact": float(res.arrays["exact"][i])} if "exact" in res.arrays else {})}
                             for i, (l, m, s) in enumerate(zip(avg.lags, avg.mean, avg.stderr))]


def _run_reversibility(sc, res, progress, stop):
    from .estimators.irreversibility import entropy_production, reversibility_test
    from .processes.markov import MarkovChain
    from .simulate import simulate

    a = sc.raw["analysis"]
    est = sc.raw["estimate"]
    b, conf = est["base"], est["confidence"]
    seed, rows = sc.raw["ensemble"]["seed"], sc.raw["ensemble"]["paths"]
    chain = sc.process
    cases = [("given", "reversible chain (the scenario's)" if chain.is_reversible() else "driven chain (the scenario's)",
              chain)]
    if a["compare_reversible"]:
        P, Pr = chain.P, chain.reversed().P
        sym = (P + Pr) / 2.0
        cases.append(("reversible", "its reversible part (P + P~)/2", MarkovChain(sym)))
    rows_out = []
    for key, label, ch in cases:
        series = simulate(ch, ch.stationary_distribution, forward=a["length"] - 1, paths=rows, seed=seed,
                          chunk_size=None, progress=progress).states
        ep = entropy_production(series, history=a["history"], base=b, n_blocks=a["n_blocks"], seed=seed,
                                confidence=conf)
        test = reversibility_test(series, history=1, n_surrogates=a["n_surrogates"], n_blocks=a["n_blocks"], seed=seed,
                                  base=b)
        ex = float(ch.entropy_production(base=b))
        res.arrays[f"{key}/rates"] = np.asarray(ep.extra["rates"], float)
        res.arrays[f"{key}/rates_stderr"] = np.asarray(ep.extra["rates_stderr"], float)
        res.arrays[f"{key}/surrogates"] = np.asarray(test.surrogates, float)
        res.arrays[f"{key}/statistic"] = np.asarray([test.statistic])
        res.metadata.setdefault("cases", {})[key] = {
            "label": label, "exact_entropy_production": ex, "pvalue": float(test.pvalue),
            "statistic": float(test.statistic), "unmatched_fraction": float(ep.extra["unmatched_fraction"])}
        if ch.n_states <= 50:  # small chains: record the matrix tested
            P = ch.P
            res.metadata["cases"][key]["P"] = np.asarray(P.toarray() if hasattr(P, "toarray") else P).round(12).tolist()
        for j, (r, s) in enumerate(zip(ep.extra["rates"], ep.extra["rates_stderr"]), start=1):
            lo, hi = normal_interval(r, s, conf)
            rows_out.append({"process": key, "history": j, "entropy_production": float(r), "stderr": float(s),
                             "ci_low": float(lo), "ci_high": float(hi), "exact": ex,
                             "pvalue_reversible": float(test.pvalue)})
    res.tables["entropy_production"] = rows_out
    res.metadata["paths"] = int(rows)
    res.metadata["unit"] = f"{unit_name(b)} per step"


def _run_barbed(sc, res, progress, stop):
    from .estimators.sequence import block_entropy_curve
    from .processes.hmm import preset

    a = sc.raw["analysis"]
    b = sc.raw["estimate"]["base"]
    seed = sc.raw["ensemble"]["seed"]
    rows = []
    entries = [{"name": p} if isinstance(p, str) else p for p in a["presets"]]
    for i, entry in enumerate(entries):
        if stop is not None and stop():
            break
        params = entry.get("params", {})
        try:
            hmm = preset(entry["name"], **params)
        except ValueError as exc:
            raise ScenarioError(f"{sc.source}: analysis.presets[{i}]: {exc}") from None
        row = {"process": hmm.name or entry["name"], "preset": entry["name"], "params": params}
        for col, fn in (("h", lambda: hmm.entropy_rate(base=b)), ("E", lambda: hmm.excess_entropy(base=b)),
                        ("C+", lambda: hmm.statistical_complexity("forward", base=b)),
                        ("C-", lambda: hmm.statistical_complexity("reverse", base=b)),
                        ("chi+", lambda: hmm.crypticity("forward", base=b)),
                        ("chi-", lambda: hmm.crypticity("reverse", base=b)),
                        ("Xi", lambda: hmm.causal_irreversibility(base=b))):
            try:
                row[col] = float(fn())
            except ValueError as exc:
                row[col] = None
                row.setdefault("why_missing", str(exc).split(";")[0])
        # block entropies of a sequence and of its reversal are equal (the reversed words have the
        # same counts), so one estimate serves both directions of time: that is the symmetry of h and E
        seq = hmm.sample(a["length"], seed=seed)
        curve = block_entropy_curve(seq, a["max_length"], base=b)
        row["h_est"] = float(curve.entropy_rate.value[-1])
        row["h_est_stderr"] = float(curve.entropy_rate.stderr[-1])
        row["E_est"] = float(curve.excess_entropy_intercept.value[-1])
        row["E_est_stderr"] = float(curve.excess_entropy_intercept.stderr[-1])
        res.arrays[f"{entry['name']}_{i}/h_curve"] = np.asarray(curve.entropy_rate.value, float)
        res.arrays[f"{entry['name']}_{i}/E_curve"] = np.asarray(curve.excess_entropy_intercept.value, float)
        rows.append(row)
    res.tables["barbed_arrow"] = rows
    res.metadata["complete"] = len(rows) == len(entries)
    res.metadata["paths"] = 1
    res.metadata["unit"] = unit_name(b)
    res.metadata["estimated_from"] = f"one sequence of {a['length']:,} symbols per preset, blocks up to L = {a['max_length']}"


_ANALYSES = {"profiles": _run_profiles, "fluctuation_aligned": _run_fluctuation,
             "reversibility_test": _run_reversibility, "barbed_arrow": _run_barbed}


def run_scenario(sc: Scenario, *, progress=False, stop=None) -> RunResult:
    """Run a validated scenario: simulate, estimate, attach exact references.

    Parameters
    ----------
    sc : Scenario
        From :func:`entropy.scenario.load_scenario` or :func:`~entropy.scenario.parse_scenario`.
    progress : bool
        Progress bars on stderr.
    stop : callable, optional
        Polled between chunks of paths; when it returns True the simulation stops and the
        paths finished so far are estimated (the result's ``metadata["complete"]`` is then
        False). The ``entropy`` command wires it to Ctrl-C (see :func:`interruptible`).

    Returns
    -------
    RunResult
    """
    if not isinstance(sc, Scenario):
        raise ValueError(f"sc: expected a Scenario (entropy.scenario.load_scenario), got {type(sc).__name__}")
    t_start = time.time()
    raw = sc.raw
    res = RunResult(name=sc.name, scenario=raw)
    res.metadata.update({
        "format": FORMAT_VERSION,
        "name": sc.name,
        "source": sc.source,
        "analysis": sc.analysis,
        "family": sc.family,
        "process_kind": sc.kind,
        "process": repr(sc.process) if sc.kind else None,
        "seed": raw["ensemble"]["seed"],
        "paths_requested": raw["ensemble"].get("paths"),
        "unit": unit_name(raw["estimate"]["base"]),
        "method": raw["estimate"]["method"],
        "confidence": raw["estimate"]["confidence"],
        "references": {},
        "exact_labels": {},
        "notes": [],
        "complete": True,
    })
    _ANALYSES[sc.analysis](sc, res, progress, stop)
    res.metadata["wall_time_s"] = round(time.time() - t_start, 3)
    res.metadata["created"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    res.metadata["versions"] = _versions()
    res.metadata["machine"] = _machine()
    return res


# ------------------------------------------------------------------------------ disk
def atomic_write_bytes(path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory and a rename."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _fmt(x):
    if x is None:
        return ""
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.10g}"
    return str(x)


def table_rows(res: RunResult) -> tuple[list, list]:
    """The result's main table as ``(header, rows)``: per time for profiles, else the analysis' table."""
    if res.profiles:
        qs = list(res.profiles)
        header = [f"t_minus_t0_{res.time_unit.replace(' ', '_')}"]
        for q in qs:
            u = res.profiles[q].unit.replace(" ", "_")
            header += [f"{q}_{u}", f"{q}_stderr", f"{q}_ci_low", f"{q}_ci_high"]
            if q in res.exact:
                header.append(f"{q}_exact")
        rows = []
        for i, t in enumerate(res.times):
            row = [_fmt(t)]
            for q in qs:
                p = res.profiles[q]
                row += [_fmt(p.values[i]), f"{p.stderr[i]:.4g}", _fmt(p.ci_low[i]), _fmt(p.ci_high[i])]
                if q in res.exact:
                    row.append(_fmt(res.exact[q][i]))
            rows.append(row)
        return header, rows
    for name, table in res.tables.items():
        keys = list(dict.fromkeys(k for r in table for k in r))
        return keys, [[_fmt(r.get(k)) if not isinstance(r.get(k), dict) else json.dumps(r.get(k)) for k in keys]
                      for r in table]
    return [], []


def _table_csv(res: RunResult) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    header, rows = table_rows(res)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def _npz_bytes(res: RunResult) -> bytes:
    arrays = {}
    for q, p in res.profiles.items():
        arrays.update(p.to_dict(prefix=f"profile/{q}/"))
    for q, a in res.exact.items():
        arrays[f"exact/{q}"] = np.asarray(a)
    for k, a in res.arrays.items():
        arrays[f"array/{k}"] = np.asarray(a)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def _strict(o):
    """JSON-ready copy: arrays to lists, NaN and infinities to None (strict JSON has neither)."""
    if isinstance(o, dict):
        return {str(k): _strict(v) for k, v in o.items()}
    if isinstance(o, (list, tuple, np.ndarray)):
        return [_strict(v) for v in (o.tolist() if isinstance(o, np.ndarray) else o)]
    if isinstance(o, np.generic):
        o = o.item()
    if isinstance(o, float) and not math.isfinite(o):
        return None
    return o


def _metadata_json(res: RunResult) -> str:
    meta = dict(res.metadata)
    meta["scenario"] = res.scenario
    meta["tables"] = res.tables
    return json.dumps(_strict(meta), indent=2, allow_nan=False) + "\n"


@contextlib.contextmanager
def _signals_deferred():
    """Hold SIGINT and SIGTERM back for a few system calls (POSIX, main thread); a no-op elsewhere."""
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = mask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, old)


def save_result(res: RunResult, directory, *, figures=("png",), make_figures=True) -> Path:
    """Write ``res`` into ``directory/<name>/`` atomically; return the result directory.

    Files are written into a hidden sibling directory which replaces the target by a rename
    only once everything (figures included) is complete; an existing result of the same
    name is replaced only then. An incomplete (interrupted) result is saved the same way,
    with ``"complete": false`` in ``metadata.json``.
    """
    parent = Path(directory)
    parent.mkdir(parents=True, exist_ok=True)
    final = parent / res.name
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{res.name}.", suffix=".tmp"))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes 0700; a result directory is an ordinary one
        (tmp / ARRAYS).write_bytes(_npz_bytes(res))
        (tmp / METADATA).write_text(_metadata_json(res), encoding="utf-8")
        (tmp / TABLE).write_text(_table_csv(res), encoding="utf-8")
        if make_figures and figures:
            from .plotting import save_figures

            save_figures(res, tmp, formats=tuple(figures))
        for f in tmp.iterdir():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        old = None
        with _signals_deferred():  # never leave the old result moved away and the new one not in place
            if final.exists():
                old = parent / f".{res.name}.old-{os.getpid()}-{time.time_ns()}"
                os.replace(final, old)
            os.replace(tmp, final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def load_result(path) -> RunResult:
    """Load a result directory written by :func:`save_result` (or ``entropy run``).

    Returns the :class:`RunResult` that :func:`run_scenario` returned: the same profiles
    (values, errors, intervals, units, methods), exact references, arrays, tables and
    metadata.
    """
    p = Path(path)
    if not (p / METADATA).is_file() or not (p / ARRAYS).is_file():
        raise ValueError(f"path={str(path)!r}: not a result directory (expected {METADATA} and {ARRAYS})")
    try:
        meta = json.loads((p / METADATA).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"path={str(path)!r}: {METADATA} is not valid JSON ({exc})") from None
    if meta.get("format") != FORMAT_VERSION:
        raise ValueError(f"path={str(path)!r}: result format {meta.get('format')!r}, expected {FORMAT_VERSION} "
                         "(re-run the scenario)")
    raw = meta.pop("scenario", {})
    tables = meta.pop("tables", {})
    pinfo = meta.get("profiles", {})
    profiles, exact_arrays, arrays = {}, {}, {}
    with np.load(p / ARRAYS) as z:
        names = list(dict.fromkeys(k.split("/")[1] for k in z.files if k.startswith("profile/")))
        for q in names:
            g = lambda f: z[f"profile/{q}/{f}"]  # noqa: E731
            info = pinfo.get(q, {})
            profiles[q] = Profile(
                quantity=q, times=g("times"), values=g("values"), stderr=g("stderr"), ci_low=g("ci_low"),
                ci_high=g("ci_high"), confidence=float(info.get("confidence", meta.get("confidence", 0.95))),
                unit=info.get("unit", meta.get("unit", "bits")), method=info.get("method", meta.get("method", "plugin")),
                samples=g("samples") if f"profile/{q}/samples" in z.files else None, extra=info.get("extra", {}),
            )
        for k in z.files:
            if k.startswith("exact/"):
                exact_arrays[k[len("exact/"):]] = z[k]
            elif k.startswith("array/"):
                arrays[k[len("array/"):]] = z[k]
    return RunResult(name=meta.get("name", p.name), scenario=raw, profiles=profiles, exact=exact_arrays,
                     arrays=arrays, tables=tables, metadata=meta)
