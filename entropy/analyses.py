"""The registry of analyses: what a scenario computes (``[analysis] kind``).

One :class:`Analysis` entry per kind holds its scenario keys, the process families it takes,
the sections it needs, how it runs (``run(scenario, result, progress, stop)``), the lines
``entropy run`` prints about its result and the names of its figures
(:data:`entropy.plotting.FIGURES`). The scenario validator, the runner, the command and the
figures read these entries; nothing branches on an analysis name elsewhere.

Runs call the public estimators (through :mod:`entropy.quantities`) and take exact references
from :func:`entropy.exact.profiles`, so a run and a Python session give the same numbers.
"""

from __future__ import annotations

import difflib
import math
import sys
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._units import unit_name
from .estimators._result import normal_interval
from .families import FAMILIES
from .quantities import QUANTITIES, EstimateRequest
from .schema import (
    BOOL,
    INT,
    LIST,
    NUM,
    STR,
    Key,
    ScenarioError,
    _check_value,
    _list_of,
    _number_table,
    _one_of,
    _positive,
    _range,
    _short,
)

__all__ = ["Analysis", "ANALYSES", "ANALYSIS_KINDS"]


def _num(v):
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-"
    return f"{v:.4f}"


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


def _simulate(sc, progress, stop):
    """Simulate the scenario's two-sided ensemble chunk by chunk, stopping early if ``stop()``.

    Returns ``(data, paths_done)``: an Ensemble (stored) or EnsembleCounts (streamed) of the
    paths finished. Every path's numbers depend only on (seed, path index), so the first
    ``paths_done`` paths are exactly those of the complete run.
    """
    from .simulation import InsufficientMemoryError, simulate

    raw = sc.raw
    t, ens = raw["time"], raw["ensemble"]
    F, B, paths, store = t["forward"], t["backward"], ens["paths"], ens["store"]
    pairs = any(QUANTITIES[q].needs == "pairs" for q in raw["estimate"]["quantities"])
    records = {QUANTITIES[q].record: True for q in raw["estimate"]["quantities"] if QUANTITIES[q].record}
    kw = dict(forward=F, backward=B, paths=paths, seed=ens["seed"], dt=t["dt"], store=store, pairs=pairs,
              chunk_size=ens["chunk_size"], progress=progress, **records)
    if records:  # recorded entropies in the run's unit
        kw["base"] = raw["estimate"]["base"]
    if not store and pairs and ens.get("word_length", 2) > 2:  # words for histories > 1
        kw["word_length"] = ens["word_length"]
    if raw["execution"]["backend"] == "dask":  # runs to the end (no partial results on Ctrl-C)
        with _dask_client(raw["execution"]) as client:
            return simulate(sc.process, sc.start, client=client, **kw), paths
    try:
        # Ctrl-C only sets the stop flag (see interruptible): simulate ends after a whole chunk
        data = simulate(sc.process, sc.start, stop=stop, **kw)
    except InsufficientMemoryError as exc:  # memory shrank since the preflight: no API advice here
        raise InsufficientMemoryError(f"{sc.source}: {str(exc).split(';')[0]}") from None
    return data, data.paths


def _estimate_profiles(sc, data, res, progress):
    """Every requested quantity by its public estimator (one code path with the Python API)."""
    est = sc.raw["estimate"]
    spec = sc.spec
    req = EstimateRequest(method=est["method"], base=est["base"], confidence=est["confidence"],
                          history=est["history"], k=est["k"], process=sc.process, family=spec)
    qs = est["quantities"]
    bar = None
    if progress and spec.real_valued:  # the kNN estimators take seconds per time
        from tqdm.auto import tqdm

        bar = tqdm(qs, unit="quantity", desc=f"{sc.name}: estimates", file=sys.stderr, leave=False,
                   dynamic_ncols=True)
    for q in bar if bar is not None else qs:
        res.profiles[q] = QUANTITIES[q].estimate(data, req)
    if spec.real_valued:
        _continuous_notes(sc, data, res)
    if spec.artifacts is not None:
        spec.artifacts(sc, data, res)


def _continuous_notes(sc, data, res):
    est = sc.raw["estimate"]
    if getattr(data, "kind", None) == "moments":
        res.metadata["notes"].append(f"streamed run: per-time means and covariances of {data.paths:,} paths; h(t) by "
                                     "the Gaussian estimator (exact for a linear diffusion's Gaussian marginals)")
        return
    X = np.asarray(data.states)
    dim = 1 if X.ndim == 2 else X.shape[2]
    if est["method"] == "knn" and dim > 1 and {"entropy_rate_forward", "entropy_rate_backward"} & set(res.profiles):
        res.metadata["notes"].append(f"h±(t) = h[X_t, X_t∓dt] − h[X_t∓dt] by kNN in {2 * dim} dimensions: biased at "
                                     f"finite sample size (here M = {X.shape[0]:,} paths); compare with the exact curve")
    if any(np.isneginf(p.values).any() for p in res.profiles.values()):
        res.metadata["notes"].append("differential entropy is −∞ where all paths share one point (t0 of a point "
                                     "start): a gap in the figures, -inf in the table")


def _attach_exact(sc, res):
    """Exact curves, references, notes and stationary values of ``entropy.exact.profiles`` (where registered)."""
    from . import exact

    if not exact.has_profiles(sc.process):
        return
    t, est = sc.raw["time"], sc.raw["estimate"]
    ref = exact.profiles(sc.process, sc.start, forward=t["forward"], backward=t["backward"], dt=t["dt"],
                         base=est["base"], history=est["history"])
    labels, meta = res.metadata["exact_labels"], res.metadata
    for q in res.profiles:
        if q in ref.curves:
            res.exact[q] = np.asarray(ref.curves[q], dtype=float)
            labels[q] = ref.labels.get(q, "exact")
        for i, (label, curve) in enumerate(ref.extra_curves.get(q, [])):
            name = f"exact_extra/{q}/{i}"
            res.arrays[name] = np.asarray(curve, dtype=float)
            meta.setdefault("extra_curves", {}).setdefault(q, []).append({"array": name, "label": label})
    for q, refs in ref.references.items():
        meta["references"][q] = [r.to_dict() for r in refs]
    meta["notes"].extend(ref.notes)
    meta.update(ref.scalars)


def _run_profiles(sc, res, progress, stop):
    data, done = _simulate(sc, progress, stop)
    if done == 0:
        raise KeyboardInterrupt
    res.metadata["paths"] = int(done)
    res.metadata["complete"] = done == sc.raw["ensemble"]["paths"]
    _estimate_profiles(sc, data, res, progress)
    _attach_exact(sc, res)
    res.metadata["time_unit"] = sc.spec.time_unit
    res.metadata["dt"] = sc.raw["time"]["dt"]
    res.metadata["profiles"] = {q: _profile_metadata(p, res.exact.get(q)) for q, p in res.profiles.items()}


def _profile_metadata(p, exact):
    """What metadata.json says of a profile: unit, method, level, and where a value is not a confident number."""
    meta = {"unit": p.unit, "method": p.method, "confidence": p.confidence,
            "extra": {k: v for k, v in p.extra.items() if isinstance(v, (int, float, str))}}
    if p.lower_bound is not None and np.any(p.lower_bound):
        lb = np.asarray(p.lower_bound, dtype=bool)
        meta["lower_bound_times"] = np.asarray(p.times)[lb].tolist()
        unmatched = p.extra.get("unmatched")
        if unmatched is not None:
            meta["unmatched_words"] = np.asarray(unmatched)[lb].tolist()
    if exact is not None and np.any(np.isinf(exact)):
        meta["exact_infinite_times"] = np.asarray(p.times)[np.isinf(exact)].tolist()
    return meta


# ------------------------------------------------------------------------------ other analyses
def _run_fluctuation(sc, res, progress, stop):
    from .fluctuations import fluctuation_aligned, stationary_run

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
    sc.spec.dips(process, run, avg, b, res)
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
    from .simulation import simulate

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
                        ("C-", lambda: hmm.statistical_complexity("backward", base=b)),
                        ("chi+", lambda: hmm.crypticity("forward", base=b)),
                        ("chi-", lambda: hmm.crypticity("backward", base=b)),
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




# ------------------------------------------------------------------------------ cross checks
#: Longest run of a continuous-time process, dt * max(forward, backward), in its time units.
MAX_DURATION = 1e12


def _check_profiles(src, raw, pk):
    """Cross checks of a profiles scenario (after every key's own check): times, dt, history,
    snapshots, streaming, quantities and method against the family's registry entry."""
    t, ens, est = raw["time"], raw["ensemble"], raw["estimate"]
    for k in ("forward", "backward"):
        if t[k] is None:
            raise ScenarioError(f"{src}: missing required key time.{k} (steps {'after' if k == 'forward' else 'before'} t0)")
    if ens["paths"] is None:
        raise ScenarioError(f"{src}: missing required key ensemble.paths (number of paths)")
    if t["forward"] + t["backward"] < 1:
        raise ScenarioError(f"{src}: time.forward + time.backward = 0: expected at least one step")
    if pk.needs_dt:
        if t["dt"] is None:
            raise ScenarioError(f"{src}: missing required key time.dt (the time step of the continuous-time process "
                                f"{raw['process']['kind']!r})")
    elif t["dt"] is not None:
        raise ScenarioError(f"{src}: time.dt = {t['dt']!r}: {raw['process']['kind']!r} is a discrete-time process; "
                            "remove time.dt")
    if t["dt"] is not None and not t["dt"] * max(t["forward"], t["backward"], 1) <= MAX_DURATION:
        raise ScenarioError(f"{src}: time.dt = {t['dt']!r}: the run would last dt * max(forward, backward) = "
                            f"{float(t['dt']) * max(t['forward'], t['backward'], 1):.3g} time units; expected at "
                            f"most {MAX_DURATION:g}")
    if pk.max_history is not None and est["history"] > pk.max_history:
        raise ScenarioError(f"{src}: estimate.history = {est['history']}: the estimators of a {pk.noun} "
                            f"condition on at most {pk.max_history} step(s) (h[X_t | X_t-dt]); use history <= "
                            f"{pk.max_history} for {pk.noun}s")
    snaps = raw["output"]["snapshots"]
    if snaps is not None:
        if not pk.snapshots:
            users = ", ".join(k for k, v in FAMILIES.items() if v.snapshots)
            raise ScenarioError(f"{src}: output.snapshots is used by {users} only; remove it")
        bad = [x for x in snaps if not (isinstance(x, int) and -t["backward"] <= x <= t["forward"])]
        if bad:
            raise ScenarioError(f"{src}: output.snapshots = {_short(snaps)}: {bad[0]!r} is not an integer time in "
                                f"[-time.backward, time.forward] = [{-t['backward']}, {t['forward']}]")
    if not pk.streamable and not pk.moments and ens["store"] is False:
        raise ScenarioError(f"{src}: ensemble.store = false: process.kind = {raw['process']['kind']!r} records "
                            "real values per path, which cannot be streamed as counts; use store = true (or leave "
                            "it unset)")
    q = est["quantities"]
    if q is None:
        est["quantities"] = list(pk.default_quantities)
    else:
        _check_value(src, "estimate.quantities", Key(LIST, check=_list_of(*pk.quantities)), q)
        if len(set(q)) != len(q):
            raise ScenarioError(f"{src}: estimate.quantities = {q!r}: repeated entry")
    methods = pk.methods
    if est["method"] is None:
        est["method"] = methods[0]
    else:
        msg = _one_of(*methods)(est["method"])
        if msg:
            raise ScenarioError(f"{src}: estimate.method = {est['method']!r}: {msg} for "
                                f"process.kind = {raw['process']['kind']!r}")
    if ens["store"] is None:
        ens["store"] = not (pk.streamable and (est["history"] == 1 or ens["word_length"] is not None))
    recorded = [q for q in est["quantities"] if QUANTITIES[q].record]
    if recorded and raw["execution"]["backend"] == "dask":
        raise ScenarioError(f"{src}: estimate.quantities = {est['quantities']!r}: {recorded[0]!r} needs a per-path "
                            "record that Dask runs do not keep yet; use execution.backend = \"local\"")
    if pk.streamable:
        _check_streaming(src, raw, pk)
    elif pk.moments and ens["store"] is False:
        _check_moments(src, raw)


def _check_moments(src, raw):
    """A streamed real-valued run keeps per-time means and covariances: the Gaussian entropy only."""
    est = raw["estimate"]
    other = [q for q in est["quantities"] if q != "entropy"]
    if other:
        raise ScenarioError(f"{src}: estimate.quantities = {est['quantities']!r}: a streamed run of "
                            f"{raw['process']['kind']!r} (ensemble.store = false) keeps per-time means and "
                            f"covariances, which serve 'entropy' only ({other[0]!r} needs paths); set "
                            "estimate.quantities = [\"entropy\"] or ensemble.store = true")
    if est["method"] != "gaussian":
        raise ScenarioError(f"{src}: estimate.method = {est['method']!r}: a streamed run of "
                            f"{raw['process']['kind']!r} (ensemble.store = false) keeps per-time means and "
                            "covariances, which serve the Gaussian estimator; set estimate.method = \"gaussian\" or "
                            "ensemble.store = true")


#: Words of how many states a quantity's estimator reads from streamed counts, given the history.
_STREAM_WORDS = {"entropy_rate_forward": lambda k: k + 1, "entropy_rate_backward": lambda k: k + 1,
                 "excess_entropy": lambda k: 2 * k}


def stream_word_length(raw) -> int:
    """The shortest streamed words that serve every requested quantity at the requested history:
    max(history + 1 for the entropy rates, 2 * history for the excess entropy, 2 for pairs)."""
    k = raw["estimate"]["history"]
    return max([2] + [_STREAM_WORDS[q](k) for q in raw["estimate"]["quantities"] if q in _STREAM_WORDS])


def stream_refusal(raw, L, n_states=None) -> str | None:
    """Why words of L states cannot be streamed for this scenario (None: they can). Without
    ``n_states`` (before the process is built) the size of the codes is not checked."""
    T = raw["time"]["forward"] + raw["time"]["backward"] + 1
    if L > T:
        return f"words of {L} states are longer than the {T} times simulated"
    if n_states is not None and n_states > 1 and float(n_states) ** L >= 2.0**63:
        return f"words of {L} states over {n_states:,} states have {n_states}**{L} codes, beyond 64-bit integers"
    if L > 2 and raw["execution"]["backend"] == "dask":
        return 'execution.backend = "dask" streams pairs only (words of 2 states)'
    return None


def stream_refusal_message(src, raw, why, n_states=None) -> str:
    """The refusal of a streamed run, with the one remedy that works: the automatic word length
    where the file asked for longer words than needed and those fit, else storing the paths."""
    wl, k = raw["ensemble"]["word_length"], raw["estimate"]["history"]
    need = stream_word_length(raw)
    if wl is not None and wl > need:
        what = f"ensemble.word_length = {wl}"
        if stream_refusal(raw, need, n_states) is None:
            return (f"{src}: {what}: cannot stream: {why}; remove ensemble.word_length (the requested quantities "
                    f"need words of {need} states, chosen automatically)")
    else:
        what = f"estimate.history = {k}" if need > 2 else "ensemble.store = false"
    return (f"{src}: {what}: cannot stream: {why}; set ensemble.store = true"
            + (" and remove ensemble.word_length" if wl is not None else ""))


def _check_streaming(src, raw, pk):
    """Streamed runs: words long enough for every requested quantity (chosen when unset), or a
    refusal whose advice works when followed."""
    ens, k = raw["ensemble"], raw["estimate"]["history"]
    wl, need = ens["word_length"], stream_word_length(raw)
    if ens["store"]:
        if wl is not None:
            raise ScenarioError(f"{src}: ensemble.word_length = {wl} is used by streamed runs only, but "
                                "ensemble.store = true; remove ensemble.word_length or set ensemble.store = false")
        return
    if wl is not None and wl < need:
        raise ScenarioError(f"{src}: ensemble.word_length = {wl}: too short for estimate.history = {k} with "
                            f"{', '.join(q for q in raw['estimate']['quantities'] if q in _STREAM_WORDS)} (needs "
                            f"words of {need} states); set ensemble.word_length = {need} or remove it (chosen "
                            "automatically)")
    L = need if wl is None else wl
    why = stream_refusal(raw, L)  # the size of the codes is checked once the process is built
    if why:
        raise ScenarioError(stream_refusal_message(src, raw, why))
    ens["word_length"] = L


def _check_one_run(src, raw, pk):
    """An analysis of one long stationary run: no ensemble of paths, no per-time quantities."""
    if raw["ensemble"]["paths"] is not None:
        raise ScenarioError(f"{src}: ensemble.paths = {raw['ensemble']['paths']!r} is not used by analysis.kind = "
                            f"{raw['analysis']['kind']!r} (one long run of analysis.length steps); remove it")
    _check_no_quantities(src, raw)


def _check_no_quantities(src, raw):
    est = raw["estimate"]
    if est["quantities"] is not None:
        raise ScenarioError(f"{src}: estimate.quantities is not used by analysis.kind = {raw['analysis']['kind']!r}; "
                            "remove it")
    est["method"] = est["method"] or "plugin"


def _check_fluctuation(src, raw, pk):
    _check_one_run(src, raw, pk)
    a = raw["analysis"]
    if 2 * a["window"] + 1 > a["length"]:
        raise ScenarioError(f"{src}: analysis.window = {a['window']}: one aligned window has 2 * window + 1 = "
                            f"{2 * a['window'] + 1} steps, more than analysis.length = {a['length']}")


def _check_reversibility(src, raw, pk):
    a, ens = raw["analysis"], raw["ensemble"]
    if ens["paths"] is None:
        ens["paths"] = 1
    if a["history"] + 1 >= a["length"]:
        raise ScenarioError(f"{src}: analysis.history = {a['history']}: expected history + 1 < analysis.length = "
                            f"{a['length']}")
    if ens["paths"] == 1:
        # the block bootstrap cuts one series into at least 2 blocks of 8 (k + 1) words of k + 1 symbols
        k, n = a["history"], a["length"]
        if n - k < 16 * (k + 1):
            raise ScenarioError(f"{src}: analysis.length = {n}: too short for analysis.history = {k} (the "
                                f"bootstrap needs 2 blocks of {8 * (k + 1)} words: length >= {17 * k + 16}); "
                                "use a longer series, a shorter history or more ensemble.paths")
    _check_no_quantities(src, raw)


def _presets_check(v):
    from .processes.hmm import PRESETS

    names = sorted(PRESETS) + ["rip", "sns"]
    if not v:
        return "expected at least one preset"
    for i, x in enumerate(v):
        if isinstance(x, str):
            x = {"name": x}
        if not isinstance(x, dict) or set(x) - {"name", "params"} or not isinstance(x.get("name"), str):
            return f"entry {i}: expected a preset name or a table {{name = ..., params = {{...}}}}"
        if x["name"] not in names:
            hint = difflib.get_close_matches(x["name"], names, n=1)
            return f"entry {i}: unknown preset {x['name']!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "") \
                + f"; expected one of {', '.join(names)}"
        params = x.get("params", {})
        if not isinstance(params, dict) or _number_table(params):
            return f"entry {i}: params must be a table of finite numbers"
    return None


@dataclass(frozen=True)
class Analysis:
    """What a scenario computes.

    Attributes
    ----------
    keys : dict of Key
        Keys of ``[analysis]`` (besides ``kind``).
    families : tuple of str or None
        The family groups (:attr:`entropy.families.Family.family`) it accepts; ``("none",)``
        for an analysis without a ``[process]``; None: every family (a new family needs no
        edit here).
    needs, unused : tuple of str
        Sections that must be present (besides ``[ensemble]``) / absent.
    doc : str
    run : callable
        ``(scenario, result, progress, stop) -> None``: fills the :class:`~entropy.RunResult`.
    summary : callable
        ``(result) -> list of str``: the lines ``entropy run`` prints under the result's head line.
    figures : tuple of str
        Names of the figures that may fit its results (:data:`entropy.plotting.FIGURES`).
    stationary_law : bool
        It uses the process's unique stationary law (refused at validation without one).
    reversal : callable
        ``(raw scenario) -> bool``: it runs the reversed dynamics (refused at validation when
        the process has no reversal).
    check : callable
        ``(source, raw scenario, family entry or None) -> None``: cross checks of the resolved
        scenario (raise ScenarioError naming the file and key); may fill defaults.
    memory : callable
        ``(scenario) -> dict`` with ``per_path``, ``fixed`` (bytes), ``what`` (words for a
        message) and ``streamed`` (the need of a streamed run, or None): the peak memory of a
        run (:func:`entropy.preflight.memory_estimate`).
    shrink : str
        What a user can shorten when a run does not fit.
    """

    keys: dict[str, Key]
    families: tuple | None
    needs: tuple  # sections that must be present (besides [ensemble])
    unused: tuple  # sections that must be absent
    doc: str
    run: Callable | None = None
    summary: Callable | None = None
    figures: tuple = ()
    stationary_law: bool = False
    reversal: Callable = lambda raw: False
    check: Callable = lambda src, raw, pk: None
    memory: Callable = lambda sc: {}
    shrink: str = "reduce analysis.length"


#: The name of the first version.
AnalysisKind = Analysis


def _memory_profiles(sc):
    """Stored or streamed states, and what the family's estimators and the quantities add."""
    raw = sc.raw
    proc, spec = sc.process, sc.spec
    est, t, ens = raw["estimate"], raw["time"], raw["ensemble"]
    T = t["forward"] + t["backward"] + 1
    paths = ens["paths"]
    item = proc.record_dtype.itemsize * int(np.prod(tuple(proc.record_shape), dtype=np.int64))
    if spec.memory is not None:  # real values per path: the family knows its estimators' temporaries
        per_path, what = spec.memory(sc, T, item)
        return {"per_path": per_path, "what": f"{paths:,} paths x {T:,} times{what}"}
    from .estimators import profiles

    n = int(proc.n_states)
    qs = [QUANTITIES[q] for q in est["quantities"]]
    pairs = any(q.needs == "pairs" for q in qs)
    batch = 8 * getattr(profiles, "BATCH_ENTRIES", 2**23)
    dense = getattr(profiles, "DENSE_WORDS", 2**20)
    extra = [q.memory(n, T, item, est["history"], dense) for q in qs if q.memory is not None]
    codes = max((c for c, _ in extra), default=0)  # the estimators run one after the other
    tables = T * n * 8 + batch + sum(f for _, f in extra)
    chunk = ens["chunk_size"] or max(1024, (32 * 2**20) // max(T * item, 1))
    L = ens["word_length"] if not ens["store"] else stream_word_length(raw)
    L = L if pairs else 1
    # per-time counts, pair tables and (for words of L > 2 states) the word tables, n**L counts per time
    words = (T - L + 1) * float(n) ** L * 8 if L > 2 else 0
    streamed = T * n * 8 + (T - 1) * n * n * 8 * pairs + words + min(chunk, paths) * T * item + tables
    if not ens["store"]:
        return {"fixed": streamed,
                "what": f"per-time counts of {n:,} states" + (f" and words of {L} states ({n:,}**{L} counts per "
                                                              "time)" if L > 2 else " and pairs" if pairs else "")
                        + f" at {T:,} times",
                # the same run with the paths stored (no word tables): the remedy when the tables do not fit
                "stored": paths * (T * item + codes) + tables}
    return {"per_path": T * item + codes, "fixed": tables,
            "what": f"{paths:,} paths x {T:,} times" + (" and their int64 word codes" if codes else ""),
            # streamed counts of words of L states serve every quantity, where they can be streamed
            "streamed": streamed if spec.streamable and stream_refusal(raw, L, n) is None else None}


def _memory_series(sc):
    length = sc.raw["analysis"]["length"]
    return {"fixed": length * 4 * 8, "what": f"a series of {length:,} steps"}  # states, entropies, temporaries


def _memory_reversibility(sc):
    length = sc.raw["analysis"]["length"]
    return {"per_path": length * (1 + 4 * 8),  # uint8 series, int64 codes, surrogate and bootstrap copies
            "what": f"{sc.raw['ensemble']['paths']:,} series of {length:,} steps, their word codes and surrogates"}


def _summary_profiles(res):
    t = res.times
    idx = sorted({0, len(t) // 4, int(abs(t - 0).argmin()), 3 * len(t) // 4, len(t) - 1})
    width = max(26, 4 + max(len(q) for q in res.profiles))
    lines = ["  quantity".ljust(width) + "".join(f"t={float(t[i]):<10g}" for i in idx)]
    bounded = exact_inf = False
    for q, p in res.profiles.items():
        lb = p.lower_bound if p.lower_bound is not None else np.zeros(len(t), bool)
        bounded |= bool(np.any(lb[idx]))
        lines.append(f"  {q}".ljust(width) + "".join((("≥" if lb[i] else "") + _num(float(p.values[i]))).ljust(12)
                                                   for i in idx))
        if q in res.exact and np.any(np.isposinf(res.exact[q])):
            exact_inf = True
            lines[-1] += "  (exact: ∞ at some times)"
    if bounded or exact_inf:
        lines.append("  ≥: a lower bound (words seen in one direction only); an infinite exact value is never "
                     "estimated by a finite number")
    return lines


def _summary_fluctuation(res):
    a, m = res.arrays, res.metadata
    w = len(a["lags"]) // 2
    return [f"  {m.get('events', 0)} dips below {m.get('threshold')}; mean entropy at lag "
            f"-{w}: {_num(float(a['mean'][0]))}, 0: {_num(float(a['mean'][w]))}, +{w}: {_num(float(a['mean'][-1]))}"]


def _summary_reversibility(res):
    lines = []
    for key, c in res.metadata.get("cases", {}).items():
        rows = [r for r in res.tables["entropy_production"] if r["process"] == key]
        est = rows[-1]
        lines.append(f"  {c['label']}: entropy production sigma_{est['history']} = {est['entropy_production']:.4f} "
                     f"+/- {est['stderr']:.4f} (exact {c['exact_entropy_production']:.4f}), "
                     f"reversibility p = {c['pvalue']:.3g}")
    return lines


def _summary_barbed(res):
    lines = ["  process".ljust(42) + "h".ljust(9) + "E".ljust(9) + "C+".ljust(9) + "C-".ljust(9) + "C+ - C-"]
    for r in res.tables["barbed_arrow"]:
        lines.append(f"  {r['process']}".ljust(42) + "".join(_num(r[c]).ljust(9) for c in ("h", "E", "C+", "C-"))
                     + _num(r["Xi"]))
    return lines


ANALYSES: dict[str, Analysis] = {
    "profiles": Analysis(
        {}, None, ("process", "time"), (),
        "simulate a two-sided ensemble from t0 and estimate per-time quantities (the default)",
        _run_profiles, _summary_profiles, ("janus", "rates", "collapse", "snapshots", "nbody_snapshots",
                                         "fluctuation_theorem"),
        reversal=lambda raw: raw["time"]["backward"] > 0, memory=_memory_profiles, check=_check_profiles,
        shrink="shorten time.forward / time.backward",
    ),
    "fluctuation_aligned": Analysis(
        {
            "length": Key(INT, None, required=True, check=_range(3, 10**9), doc="length of the one stationary run",
                          unit="steps"),
            "threshold": Key(NUM, None, required=True, doc="dips are excursions of the entropy at or below this value",
                             unit="bits (units of estimate.base)"),
            "window": Key(INT, None, required=True, check=_range(1, 10**7), doc="half-width of the aligned windows",
                          unit="steps"),
            "separation": Key(INT, None, check=_positive, doc="minimum distance between dips (default window)",
                              unit="steps"),
            "ties": Key(STR, "random", check=_one_of("random", "first", "last"),
                        doc="which index of a flat minimum is the dip"),
        },
        ("ehrenfest", "kac"), ("process",), ("time", "start"),
        "one long stationary run; average the entropy around its dips (Boltzmann's V)",
        _run_fluctuation, _summary_fluctuation, ("fluctuation",), memory=_memory_series, check=_check_fluctuation,
    ),
    "reversibility_test": Analysis(
        {
            "length": Key(INT, None, required=True, check=_range(10, 10**9), doc="length of each stationary series",
                          unit="steps"),
            "history": Key(INT, 3, check=_range(1, 16), doc="longest history k of the entropy production sigma_k"),
            "n_surrogates": Key(INT, 999, check=_range(1, 10**6), doc="surrogates of the reversibility test"),
            "n_blocks": Key(INT, 50, check=_range(2, 10**6), doc="blocks of the bootstrap and of the surrogates"),
            "compare_reversible": Key(BOOL, True, doc="also test the reversible chain (P + P~)/2 with the same "
                                      "stationary law (zero entropy production)"),
        },
        ("chain",), ("process",), ("time", "start"),
        "entropy production of a stationary series and a surrogate test of reversibility",
        _run_reversibility, _summary_reversibility, ("reversibility",),
        stationary_law=True, reversal=lambda raw: True, memory=_memory_reversibility, check=_check_reversibility,
    ),
    "barbed_arrow": Analysis(
        {
            "presets": Key(LIST, None, required=True, check=_presets_check,
                           doc='HMM presets: names or tables {name = "even", params = {p = 0.5}}'),
            "length": Key(INT, 200_000, check=_range(100, 10**9), doc="length of the simulated sequence of each "
                          "preset (for the estimated h and E)", unit="symbols"),
            "max_length": Key(INT, 10, check=_range(1, 32), doc="longest block L of the estimated curves",
                              unit="symbols"),
        },
        ("none",), (), ("process", "time", "start"),
        "table of exact h, E, C+, C-, crypticities and causal irreversibility of HMM presets, with estimates",
        _run_barbed, _summary_barbed, ("barbed_arrow",), memory=_memory_series, check=_check_one_run,
    ),
}

#: The name of the first version.
ANALYSIS_KINDS = ANALYSES
