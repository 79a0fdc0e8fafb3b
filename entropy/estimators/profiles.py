r"""Per-time estimators over an ensemble of trajectories (a separate law at every time t).

Unlike time-pooled estimators (inform, JIDT, IDTxl pool one distribution over all times),
these treat the ensemble at each time as its own sample: the right thing for a process
started out of equilibrium at t0.

Input, everywhere: an ensemble from :func:`entropy.simulate`, read through the ensemble data
protocol (:class:`entropy.simulation.EnsembleData`): its ``kind`` is ``"states"`` (stored
symbols: ``times``, ``states``), ``"values"`` (stored real values) or ``"counts"`` (a streamed
:class:`~entropy.simulation.EnsembleCounts`: ``times``, ``counts``, ``pair_counts``,
``word_counts``, ``paths``) or ``"moments"`` (a streamed real-valued run: per-time ``mean``
and ``scatter``, states at ``sample_times`` in ``samples``); or a plain ``(paths, times)``
array (integer: states, float: values) with optional ``times=``. Estimators here know nothing of processes: they read arrays.

Every profile has a standard error and a confidence interval: by default (``ci="normal"``)
``value -/+ z * stderr`` with the estimator's analytic standard error (delta method plus the
second-order term ``df / (2 M^2)`` that keeps it positive at uniform laws, Harris 1975); for
H[X_t | history] and E(t) the interval is also widened by the size of the first-order bias,
``z sqrt(stderr^2 + (df / 2M)^2)`` (see :mod:`entropy.estimators._profile_errors`). With
``ci="bootstrap"`` the percentile interval and standard deviation of ``n_boot`` replicates
that resample the paths with replacement (seeded by ``seed``; for streamed counts, the
per-time count tables -- symbols, pairs and longer words -- are resampled multinomially,
which is the same thing for per-time quantities). Intervals of quantities that cannot be
negative (H, h, D, E, irreversibility of discrete ensembles) are clipped at 0.

Coverage of the nominal 95 % normal intervals of the defaults (Miller-Madow for H, h+-, E;
plug-in for D; pseudo-counts for the irreversibility), measured over 400 ensembles of a
non-circulant 3-state chain from a point start, |t| = 1..5 (``benchmarks/interval_coverage.py``;
standard error 0.011): at M = 30 paths H 0.97, h+ 0.94, h- 0.95, E 0.97, D 0.98,
irreversibility 0.95; at M = 100 0.96, 0.97, 0.98, 0.97, 0.98, 0.96; at M = 1000 0.93, 0.95,
0.96, 0.97, 0.97, 0.96. The plug-in H, h+- and E are biased low by about df/(2M) and cover
less (h+- 0.88-0.90 at M = 30), Grassberger H 0.91-0.92; neither is the default. Chao-Shen,
jackknife and NSB were not calibrated here.

Words of several symbols are encoded exactly, without a cap on ``alphabet ** length``:
mixed-radix integer codes when they fit in 63 bits, otherwise per-time relabelling of the
distinct words (``np.unique`` over rows).
"""

from __future__ import annotations

import copy
import functools
import math
from types import SimpleNamespace

import numpy as np

from .._kernels import counting as _count
from .._kernels import tables as _tables
from .._units import check_base, check_confidence, check_positive_int, check_seed, unit_name
from ..errors import check_memory
from ._result import Profile
from . import words as _words
from ._profile_errors import (bias_aware_interval, bias_scale, bootstrap_profile, conditional_df, mi_df,
                              pair_influence_se, t_interval)
from .discrete import _reject_complex, second_order_variance, shannon_arrays

__all__ = [
    "entropy_profile",
    "entropy_rate_profile",
    "excess_entropy_profile",
    "relative_entropy_profile",
    "irreversibility_profile",
    "symbol_counts",
]

# ----------------------------------------------------------------------------- inputs
_KINDS = ("states", "values", "counts", "moments")  # the ensemble data protocol (entropy.simulation.EnsembleData)


def _kind(data) -> str | None:
    """The protocol ``kind`` of an ensemble object, or None for a plain array.

    Objects without ``kind`` that carry ``times`` with ``counts`` or ``states`` (ensembles
    built by hand before the protocol) are read as counts or states.
    """
    kind = getattr(data, "kind", None)
    if isinstance(kind, str):
        if kind not in _KINDS:
            raise ValueError(f"ensemble: kind={kind!r}, expected one of {', '.join(map(repr, _KINDS))}")
        return kind
    if isinstance(data, np.ndarray) or not hasattr(data, "times"):
        return None
    if hasattr(data, "counts"):
        return "counts"
    if not hasattr(data, "states"):
        return None
    proc = getattr(data, "process", None)
    if proc is not None:
        return "states" if getattr(proc, "discrete", True) else "values"
    return "values" if np.issubdtype(np.asarray(data.states).dtype, np.floating) else "states"


class _Data:
    """Normalised view of the input: per-time states or per-time counts."""

    def __init__(self, data, times, n_states, name="ensemble"):
        self.counts = None
        self.pair_counts = None
        self.word_counts = None
        self.states = None
        kind = _kind(data)
        if kind == "counts":
            self.counts = np.asarray(data.counts)
            self.pair_counts = getattr(data, "pair_counts", None)
            self.word_counts = getattr(data, "word_counts", None)
            self.times = np.asarray(data.times)
            self.n_states = self.counts.shape[1]
            self.paths = int(getattr(data, "paths", self.counts[0].sum()))
            return
        if kind == "moments":
            raise ValueError(f"{name}: streamed moments of real values serve entropy_profile(method='gaussian'), "
                             "and the real-valued estimators at the sample_times of the run")
        if kind is not None:
            states = data.states
            t = np.asarray(data.times)
            n_states = n_states or getattr(data, "n_states", None)
        else:
            states = data
            t = None if times is None else np.asarray(times)
        states = np.asarray(states)
        _reject_complex(states, name)
        if states.ndim != 2 or states.size == 0:
            raise ValueError(f"{name}: expected a non-empty (paths, times) array of integer states, got shape {states.shape}")
        if not np.issubdtype(states.dtype, np.integer):
            if np.issubdtype(states.dtype, np.floating) and np.all(np.isfinite(states)) and np.all(states == np.round(states)):
                states = states.astype(np.int64)
            else:
                raise ValueError(f"{name}: expected integer states, got dtype {states.dtype} (for real-valued "
                                 "ensembles use the continuous estimators)")
        if states.min() < 0:
            raise ValueError(f"{name}: states must be non-negative integers, found {states.min()}")
        if t is None:
            t = np.arange(states.shape[1])
        if t.shape != (states.shape[1],):
            raise ValueError(f"times: expected {states.shape[1]} times (one per column), got shape {t.shape}")
        self.states = states
        self.times = t
        self.paths = states.shape[0]
        seen = int(states.max()) + 1
        if n_states is not None and n_states < seen:
            raise ValueError(f"n_states={n_states!r}: smaller than the largest state + 1 ({seen})")
        self.n_states = int(n_states or seen)

    def compacted(self):
        """The same stored states relabelled to the K distinct states seen (0..K-1), or self.

        Entropies, rates, excess entropies and irreversibility do not depend on the names of
        the states; per-time tables indexed by state then have K, not ``max + 1``, columns.
        """
        if self.states is None:
            return self
        uniq, inv = np.unique(self.states, return_inverse=True)
        if uniq.size == self.n_states:
            return self
        out = copy.copy(self)
        out.states = inv.reshape(self.states.shape).astype(np.int64)
        out.n_states = int(uniq.size)
        return out

    def window_batches(self, lo, length, name="history"):
        """Streamed counts of the windows ``X_{t+lo} .. X_{t+lo+length-1}``, in batches of times.

        Yields ``(table, valid)``: ``table[j]`` (flattened, ``n ** length`` entries, first
        symbol most significant) for the times ``valid[j]`` (indices into ``times``), at most
        ``BATCH_ENTRIES`` entries per batch. Derived by marginalising the longest word counts
        streamed (``word_counts`` of length L, or the pair counts): any window of up to L
        symbols is a sub-window of some L-word.
        """
        if self.word_counts is not None:
            W = np.asarray(self.word_counts)
        elif self.pair_counts is not None:
            W = np.asarray(self.pair_counts).reshape(len(self.pair_counts), -1)
        else:
            W = np.asarray(self.counts)
        return _words.streamed_window_tables(W, self.n_states, len(self.times), lo, length, name)

    # per-time counts of single symbols
    def symbol_counts(self, by_state=True):
        """``counts[t, x]``; with ``by_state=False`` the columns need not be the states (for
        sparse symbols the distinct symbols of each time are counted by sorting)."""
        if self.counts is not None:
            return self.counts
        T, n = len(self.times), self.n_states
        if not by_state and T * n > max(_words.DENSE_WORDS, 2 * self.states.size):
            return _words.sorted_column_counts(self.states)
        check_memory(8.0 * T * n, f"ensemble: per-time counts of {n} states (largest state + 1) at {T} times",
                     "relabel sparse states to 0..K-1 first (np.unique(states, return_inverse=True))")
        counts = np.zeros((T, n), np.int64)
        _count.count_columns(np.ascontiguousarray(self.states), counts)
        return counts


#: Largest number of count-table entries processed at once (bounds the temporaries).
BATCH_ENTRIES = _words.BATCH_ENTRIES
#: Word alphabets up to this size are counted per time in dense tables, not by sorting.
DENSE_WORDS = _words.DENSE_WORDS


def _H(counts, method, alphabet, **kw):
    """``shannon`` in nats; NSB gets the alphabet size of the words counted (``n ** length``)."""
    return shannon_arrays(counts, method=method, base=np.e, alphabet_size=int(alphabet) if method == "nsb" else None,
                          **kw)[0]


def _pad_counts(columns):
    """List of 1-D count arrays -> 2-D zero-padded table (zeros do not change the estimates)."""
    width = max((c.size for c in columns), default=1)
    out = np.zeros((len(columns), max(width, 1)), np.int64)
    for i, c in enumerate(columns):
        out[i, : c.size] = c
    return out


def _finish(quantity, times, values, stderr, samples, base, method, confidence, extra=None, df=None, **kw):
    """The Profile; with ``df`` (free cells per time) the interval is bias-aware (see _profile_errors)."""
    if df is None:
        return Profile.from_stderr(quantity, times, values, stderr, confidence=confidence, unit=unit_name(base),
                                   method=method, samples=samples, extra=extra, **kw)
    lo, hi = bias_aware_interval(values, stderr, bias_scale(df, samples) / math.log(base), confidence)
    return Profile.from_interval(quantity, times, values, stderr, lo, hi, confidence=confidence, unit=unit_name(base),
                                 method=method, samples=samples, extra=extra, **kw)


def _empty(T):
    """NaN values and standard errors, zero sample counts, for T times."""
    return np.full(T, np.nan), np.full(T, np.nan), np.zeros(T, np.int64)


def symbol_counts(ensemble, *, times=None, n_states=None):
    """Per-time counts of the symbols of an ensemble: ``(times, counts)``, ``counts[t, x]``.

    Accepts what the profile estimators accept: an Ensemble, streamed EnsembleCounts or a
    ``(paths, times)`` integer array.
    """
    d = _Data(ensemble, times, n_states)
    return d.times, d.symbol_counts()


def _check_common(base, confidence):
    b = check_base(base)
    check_confidence(confidence)
    return b


def _check_direction(direction):
    if direction not in ("forward", "backward"):
        raise ValueError(f"direction={direction!r}: expected 'forward' or 'backward'")
    return direction


# ----------------------------------------------------------------------------- real-valued ensembles
def _continuous(data, times):
    """``(X, times)`` with X of shape (paths, T, dim) if the ensemble is real-valued, else None.

    Real-valued: an ensemble of a continuous process (``process.discrete`` false) or a float
    array of shape (paths, T) or (paths, T, dim).
    """
    kind = _kind(data)
    if kind in ("counts", "states"):
        return None
    if kind == "moments":  # the states kept at the sample times
        if len(data.sample_times) == 0:
            raise ValueError("ensemble: a streamed real-valued run keeps no states (sample_times=None); estimate "
                             "with method='gaussian' (entropy_profile) or simulate with sample_times=[...]")
        X, t = np.asarray(data.samples), np.asarray(data.sample_times)
    elif kind == "values":
        X = np.asarray(data.states)
        t = np.asarray(data.times)
    else:
        X = np.asarray(data)
        t = None if times is None else np.asarray(times)
    if not np.issubdtype(X.dtype, np.floating) or X.ndim not in (2, 3) or X.size == 0:
        return None
    if not np.all(np.isfinite(X)):
        raise ValueError("ensemble: real-valued states must be finite (found NaN or inf)")
    if X.ndim == 2:
        X = X[:, :, None]
    if t is None:
        t = np.arange(X.shape[1])
    if t.shape != (X.shape[1],):
        raise ValueError(f"times: expected {X.shape[1]} times (one per column), got shape {t.shape}")
    return X, t


def _constant(block):
    return bool(np.all(block == block[:1]))


def _continuous_profile(kind, X, t, *, method, k, base, confidence, history=1, direction="forward"):
    """Per-time differential entropy, conditional entropy rate or excess entropy (kNN / KSG / Gaussian).

    A column in which every path has the same value (a point start at t0) has differential
    entropy -inf; conditioning on such a column leaves h(X_t), and its mutual information
    with anything is 0.
    """
    from .continuous import conditional_entropy, differential_entropy, mutual_information

    b = _check_common(base, confidence)
    method = method or "knn"
    if method not in ("knn", "gaussian", "binned"):
        raise ValueError(f"method={method!r}: real-valued ensembles take 'knn', 'gaussian' or 'binned'")
    P, T, dim = X.shape
    vals, ses, samples = _empty(T)
    dofs = np.full(T, np.inf)  # Student t degrees of freedom of the kNN subset errors (inf: normal)

    def window(a, c):  # X_{a..c} stacked as (paths, (c - a + 1) * dim)
        return X[:, a : c + 1, :].reshape(P, -1)

    for i in range(T):
        try:
            if kind == "entropy":
                x = X[:, i, :]
                if _constant(x):
                    vals[i], ses[i] = -np.inf, np.nan
                else:
                    e = differential_entropy(x, method=method, k=k, base=b)
                    vals[i], ses[i], dofs[i] = e.value, e.stderr, e.extra.get("n_blocks", np.inf) - 1
            elif kind == "rate":
                if direction == "forward":
                    if i - history < 0:
                        continue
                    x, y = X[:, i, :], window(i - history, i - 1)
                else:
                    if i + history > T - 1:
                        continue
                    x, y = X[:, i, :], window(i + 1, i + history)
                if _constant(x):
                    vals[i], ses[i] = -np.inf, np.nan
                elif _constant(y):
                    e = differential_entropy(x, method=method, k=k, base=b)
                    vals[i], ses[i], dofs[i] = e.value, e.stderr, e.extra.get("n_blocks", np.inf) - 1
                else:
                    e = conditional_entropy(x, given=y, method=method, k=k, base=b)
                    vals[i], ses[i], dofs[i] = e.value, e.stderr, e.extra.get("n_blocks", np.inf) - 1
            else:  # excess entropy
                if i - history < 0 or i + history - 1 > T - 1:
                    continue
                x, y = window(i - history, i - 1), window(i, i + history - 1)
                if _constant(x) or _constant(y):
                    vals[i], ses[i] = 0.0, 0.0
                else:
                    e = mutual_information(x, y, method="ksg" if method == "knn" else "gaussian", k=k, base=b)
                    vals[i], ses[i], dofs[i] = e.value, e.stderr, e.extra.get("n_blocks", np.inf) - 1
        except ValueError as exc:
            raise ValueError(f"at t={t[i]}: {exc}") from None
        samples[i] = P
    return _continuous_finish(kind, t, vals, ses, dofs, samples, method=method, base=b, confidence=confidence,
                              history=history, k=k, direction=direction)


def _moments_entropy_profile(ens, *, base, confidence, k):
    """Gaussian differential entropy per time from streamed moments (the scatter matrix per time).

    The same estimator as ``differential_entropy(X_t, method="gaussian")`` on stored states:
    the entropy of the normal law with the sample covariance, log det estimated without bias
    (Ahmed & Gokhale 1989); -inf where every path is at the same point.
    """
    from .continuous import _gaussian_entropy_from_scatter

    b = _check_common(base, confidence)
    t = np.asarray(ens.times)
    M, dim = int(ens.paths), ens.mean.shape[1]
    if M <= dim + 1:
        raise ValueError(f"ensemble: {M} paths: expected more paths than dimensions + 1 for method='gaussian'")
    vals, ses, samples = _empty(len(t))
    for i, A in enumerate(np.asarray(ens.scatter)):
        sign, logdet = np.linalg.slogdet(A)
        if not np.any(A):
            vals[i], ses[i] = -np.inf, np.nan
        elif sign <= 0 or not np.isfinite(logdet):
            raise ValueError(f"at t={t[i]}: ensemble: the sample covariance is singular (collinear coordinates)")
        else:
            h, se = _gaussian_entropy_from_scatter(float(logdet), M, dim, 0, True)
            vals[i], ses[i] = h / np.log(b), se / np.log(b)
        samples[i] = M
    return _continuous_finish("entropy", t, vals, ses, np.full(len(t), np.inf), samples, method="gaussian", base=b,
                              confidence=confidence, history=1, k=k, direction="forward")


def _continuous_finish(kind, t, vals, ses, dofs, samples, *, method, base, confidence, history, k, direction):
    b = base
    q = {"entropy": "differential_entropy", "rate": f"entropy_rate_{direction}", "excess": "excess_entropy"}[kind]
    extra = {"history": history, "k": k}
    if method in ("knn", "binned"):  # label the band as what it is (see differential_entropy)
        extra["interval"] = "sampling error only; the estimator's bias (growing with the dimension) is not included"
    lo, hi = t_interval(vals, ses, dofs, confidence)
    return Profile.from_interval(q, t, vals, ses, lo, hi, confidence=confidence, unit=unit_name(b), method=method,
                                 samples=samples, extra=extra)


# ----------------------------------------------------------------------------- bootstrap
def _resample(d: _Data, rng):
    """One bootstrap replicate of the ensemble: paths drawn with replacement."""
    if d.states is not None:
        idx = rng.integers(0, d.paths, d.paths)
        return SimpleNamespace(kind="states", times=d.times, states=d.states[idx], n_states=d.n_states)

    def table(c):
        c = np.asarray(c, dtype=np.int64)
        flat = c.reshape(c.shape[0], -1)
        n = flat.sum(axis=1)
        p = flat / np.where(n > 0, n, 1)[:, None]
        return rng.multinomial(n, p).reshape(c.shape)

    pc = None if d.pair_counts is None else table(d.pair_counts)
    wc = None if d.word_counts is None else table(d.word_counts)  # longer words: every history they support
    return SimpleNamespace(kind="counts", times=d.times, counts=table(d.counts), pair_counts=pc, word_counts=wc,
                           paths=d.paths)


def _bootstrappable(fn):
    """Add ``ci="normal" | "bootstrap"``, ``n_boot`` and ``seed`` to a profile estimator."""

    @functools.wraps(fn)
    def wrapper(ensemble, *args, ci="normal", n_boot=200, seed=0, **kw):
        if ci not in ("normal", "bootstrap"):
            raise ValueError(f"ci={ci!r}: expected 'normal' or 'bootstrap'")
        if ci == "bootstrap":
            check_seed(seed, allow_none=False)
        if ci == "bootstrap" and _continuous(ensemble, kw.get("times")) is not None:
            raise ValueError("ci='bootstrap': available for discrete ensembles; real-valued ones use the "
                             "estimators' standard errors (ci='normal')")
        prof = fn(ensemble, *args, **kw)
        if ci == "normal":
            return prof
        n_boot = check_positive_int(n_boot, "n_boot", minimum=2)
        d = _Data(ensemble, kw.get("times"), kw.get("n_states"))
        kw.pop("times", None)
        rng = np.random.default_rng(seed)
        reps = np.empty((n_boot, len(prof.times)))
        for i in range(n_boot):
            reps[i] = fn(_resample(d, rng), *args, **kw).values
        return bootstrap_profile(prof, reps, n_boot=n_boot, seed=seed)

    import inspect

    sig = inspect.signature(fn)
    extra_params = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
                    for name, default in (("ci", "normal"), ("n_boot", 200), ("seed", 0))]
    wrapper.__signature__ = sig.replace(parameters=[*sig.parameters.values(), *extra_params])
    wrapper.__doc__ = (fn.__doc__ or "") + """
    Confidence intervals: ``ci="normal"`` (default) uses ``value -/+ z * stderr``;
    ``ci="bootstrap"`` resamples the paths ``n_boot`` times (seeded by ``seed``) and returns the
    percentile interval and the replicates' standard deviation as ``stderr``.
    """
    return wrapper


# ----------------------------------------------------------------------------- H(t)
@_bootstrappable
def entropy_profile(ensemble, *, method=None, base=2, confidence=0.95, times=None,
                    n_states=None, alphabet_size=None, k=4) -> Profile:
    r"""Entropy of the ensemble at every time, :math:`H(t) = H[X_t]`.

    .. math:: \hat H(t) = -\sum_x \hat p_t(x) \log \hat p_t(x), \qquad
              \hat p_t(x) = \#\{\text{paths with } X_t = x\} / M

    (plug-in; other ``method`` values apply the bias corrections of
    :func:`entropy.estimators.discrete.shannon` to the counts at each t).

    Parameters
    ----------
    ensemble : Ensemble, EnsembleCounts or array_like of int, shape (paths, times)
    method : str
        Discrete ensembles: ``miller_madow`` (default: its intervals cover, see the module
        notes), ``plugin``, ``grassberger``, ``chao_shen``, ``jackknife`` or ``nsb``. Real-valued ensembles (diffusions, float
        arrays of shape (paths, T) or (paths, T, dim)): the differential entropy with ``knn``
        (Kozachenko-Leonenko, ``k`` neighbours; default), ``gaussian`` or ``binned``, see
        :func:`entropy.estimators.differential_entropy`; -inf where all paths coincide (a
        point start at t0).
    base : float
        Logarithm base (2 = bits).
    confidence : float
        Level of the normal interval ``value -/+ z * stderr``.
    times : array_like, optional
        Times of the columns of a plain array (default 0, 1, ...).
    n_states, alphabet_size : int, optional
        Alphabet size (for ``nsb``; default: the ensemble's number of states).

    Returns
    -------
    Profile
        ``values`` in units of ``base``; ``stderr`` is the method's standard error (delta
        method plus second order, :math:`\sqrt{(\sum p \log^2 p - H^2)/M + (K-1)/(2M^2)}`, for
        the plug-in family; see :func:`entropy.estimators.shannon`).

    References
    ----------
    Cover & Thomas (2006), ch. 2; Paninski (2003), Neural Comput. 15, 1191 (bias and variance
    of the plug-in estimator).
    """
    if method == "gaussian" and _kind(ensemble) == "moments":
        return _moments_entropy_profile(ensemble, base=base, confidence=confidence, k=k)
    cont = _continuous(ensemble, times)
    if cont is not None:
        return _continuous_profile("entropy", *cont, method=method, k=k, base=base, confidence=confidence)
    method = method or "miller_madow"
    b = _check_common(base, confidence)
    d = _Data(ensemble, times, n_states)
    counts = d.symbol_counts(by_state=False)
    K = alphabet_size or d.n_states
    v, se, _ = shannon_arrays(counts, method=method, base=b,
                              alphabet_size=K if method == "nsb" else alphabet_size)
    return _finish("entropy", d.times, v, se, counts.sum(axis=1), b, method, confidence, nonnegative=True)


# ----------------------------------------------------------------------------- D(p_t || pi)
@_bootstrappable
def relative_entropy_profile(ensemble, reference, *, method="plugin", base=2, confidence=0.95,
                             times=None) -> Profile:
    r"""Relative entropy of the ensemble law to a reference law at every time, :math:`D(\hat p_t \| \pi)`.

    .. math:: \hat D(t) = \sum_x \hat p_t(x) \log \frac{\hat p_t(x)}{\pi(x)}

    ``method="plugin"`` is the plug-in value; ``method="miller_madow"`` subtracts the
    first-order bias :math:`(K_t - 1) / (2M)` of the plug-in (:math:`K_t` the number of
    states observed at t; valid when :math:`\pi` is known exactly and the sample is large).
    Standard error by the delta method,
    :math:`\sqrt{(\sum_x \hat p \log^2(\hat p/\pi) - \hat D^2)/M + (K_t - 1)/(2M^2)}`, the
    second term being the chi-square variance that dominates near equilibrium. ``inf`` where the ensemble
    visits a state with :math:`\pi(x) = 0`. In units of ``base``.

    The data-processing inequality makes the exact :math:`D(p_t \| \pi)` non-increasing in
    :math:`|t - t_0|` on both arms when :math:`\pi` is stationary for the dynamics and its
    reversal (Cover & Thomas 2006, Thm 4.4.1): the monotone arrow of time.
    """
    b = _check_common(base, confidence)
    if method not in ("plugin", "miller_madow"):
        raise ValueError(f"method={method!r}: relative_entropy_profile supports 'plugin' or 'miller_madow'")
    d = _Data(ensemble, times, None)
    counts = d.symbol_counts()
    _reject_complex(reference, "reference")
    ref = np.asarray(reference, dtype=float)
    if ref.ndim != 1 or ref.size < counts.shape[1]:
        raise ValueError(f"reference: expected a probability vector of length {counts.shape[1]}, got shape {ref.shape}")
    if np.any(~np.isfinite(ref)) or np.any(ref < 0) or abs(ref.sum() - 1) > 1e-9:
        raise ValueError("reference: expected a probability vector (finite, non-negative, summing to 1)")
    counts = np.pad(counts, ((0, 0), (0, ref.size - counts.shape[1])))
    M = counts.sum(axis=1, keepdims=True).astype(float)
    p = counts / np.where(M > 0, M, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        lr = np.where(p > 0, np.log(np.where(p > 0, p, 1.0)) - np.log(ref[None, :]), 0.0)
    D = (p * lr).sum(axis=1)
    var = (p * lr**2).sum(axis=1) - D**2
    # near D = 0 the delta-method term vanishes and 2 M D is chi-square with K - 1 degrees of
    # freedom, whose variance (K - 1) / (2 M^2) is added (noncentral chi-square, first order)
    k_obs = (counts > 0).sum(axis=1)
    se = np.sqrt(np.clip(var, 0, None) / M[:, 0] + np.maximum(k_obs - 1, 0) / (2.0 * M[:, 0] ** 2))
    if method == "miller_madow":
        D = D - ((counts > 0).sum(axis=1) - 1) / (2.0 * M[:, 0])
    ln = math.log(b)
    return _finish("relative_entropy", d.times, D / ln, se / ln, M[:, 0], b, method, confidence, nonnegative=True)


# ----------------------------------------------------------------------------- h(t)
def _conditional_tables(pc, method, n_hist, n_target):
    """H[target | history] (nats) and its delta-method stderr from tables ``pc[t, history, target]``."""
    mom = np.empty((pc.shape[0], 5))
    _tables.conditional_moments(np.ascontiguousarray(pc), mom)
    hj, hh, m1, m2, M = mom.T
    if method == "plugin":
        h = m1
    else:
        r = pc.shape[0]
        h = _H(pc.reshape(r, -1), method, n_hist * n_target) - _H(pc.sum(axis=2), method, n_hist)
    # Var[-log p(target | history)] / M, plus the second-order term
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(np.clip(m2 - m1**2, 0, None) / M + second_order_variance(conditional_df(pc), M))
    return h, se, M


def _mi_tables(pc, method, Ka, Kb):
    """I[a ; b] (nats) and its delta-method stderr from tables ``pc[t, a, b]``."""
    r = pc.shape[0]
    mom = np.empty((r, 6))  # H(a), H(b), H(a, b), E[l], E[l^2], M with l = log p(a,b) / (p(a) p(b))
    _tables.mi_moments(np.ascontiguousarray(pc), mom)
    Ha, Hb, Hab, m1, m2, M = mom.T
    if method == "plugin":
        I = Ha + Hb - Hab
    else:
        I = _H(pc.sum(axis=2), method, Ka) + _H(pc.sum(axis=1), method, Kb) - _H(pc.reshape(r, -1), method, Ka * Kb)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(np.clip(m2 - m1**2, 0, None) / M + second_order_variance(mi_df(pc), M))
    return I, se, M


def _conditional_from_parts(hist, target, method, n_hist_words, n_target):
    """H[target | history] (nats) and its delta-method stderr per column of exact part codes.

    ``hist`` and ``target`` (paths x columns) code the two parts of the same samples; the
    joint counts come from :func:`entropy.estimators.words.pair_counts`, so the history
    counts are exactly the marginals of the joint table whatever the code scheme.
    """
    M, T = hist.shape
    se = np.empty(T)
    cj_cols, ch_cols = [], []
    for j in range(T):
        cnt_j, hidx, _, cnt_h, _ = _words.pair_counts(hist[:, j], target[:, j])
        # Var[-log p(target | history)] / M
        lc = np.log(cnt_j / cnt_h[hidx])
        pj = cnt_j / M
        m1 = -(pj * lc).sum()
        se[j] = math.sqrt(max((pj * lc**2).sum() - m1**2, 0.0) / M
                          + second_order_variance(cnt_j.size - cnt_h.size, M))
        cj_cols.append(cnt_j)
        ch_cols.append(cnt_h.astype(np.int64))
    df = np.array([a.size - c.size for a, c in zip(cj_cols, ch_cols)])
    if T == 0:
        return np.zeros(0), se, df
    h = (_H(_pad_counts(cj_cols), method, float(n_hist_words) * n_target)
         - _H(_pad_counts(ch_cols), method, n_hist_words))
    return h, se, df


@_bootstrappable
def entropy_rate_profile(ensemble, *, history=1, direction="forward", method=None, base=2,
                         confidence=0.95, times=None, k=4) -> Profile:
    r"""Time-local entropy rate, forwards or backwards, at every time.

    .. math::
        h^+(t) = H[X_t \mid X_{t-1}, \dots, X_{t-k}], \qquad
        h^-(t) = H[X_t \mid X_{t+1}, \dots, X_{t+k}]

    estimated as :math:`\hat H(\text{history}, X_t) - \hat H(\text{history})` from the counts
    of the words at time t across paths (``method`` applies to both terms; default
    ``"miller_madow"``, whose intervals cover, see the module notes). ``history`` is k.
    Values are NaN where the history leaves the ensemble's time window. The standard error
    is that of the plug-in conditional entropy, used for every method,
    :math:`\sqrt{\mathrm{Var}[-\log \hat p(x_t \mid \text{history})]/M + \mathrm{df}/(2M^2)}`
    with :math:`\mathrm{df} = K_{hx} - K_h` (words with and without the target seen); the
    interval is :math:`\pm z\sqrt{\mathrm{se}^2 + (\mathrm{df}/2M)^2}` (bias-aware).
    From streamed counts, histories up to ``word_length - 1`` of the simulation are available.

    Real-valued ensembles give the conditional differential entropy
    :math:`h[X_t \mid X_{t-1..t-k}] = h(X_t, \text{history}) - h(\text{history})` with the
    kNN (default), Gaussian or binned estimators (``k`` neighbours), see
    :func:`entropy.estimators.conditional_entropy`.

    In units of ``base`` per step. Reference: Cover & Thomas (2006), sec. 4.2; for the
    backward rate, Crutchfield, Ellison & Mahoney (2009), PRL 103, 094101.
    """
    n_neighbours = k
    k = check_positive_int(history, "history")
    _check_direction(direction)
    cont = _continuous(ensemble, times)
    if cont is not None:
        return _continuous_profile("rate", *cont, method=method, k=n_neighbours, base=base, confidence=confidence,
                                   history=k, direction=direction)
    method = method or "miller_madow"
    b = _check_common(base, confidence)
    d = _Data(ensemble, times, None)
    T = len(d.times)
    vals, ses, samples = _empty(T)
    dfs = np.zeros(T)  # free cells per time (bias-aware interval)
    n = d.n_states
    lo = -k if direction == "forward" else 0  # forward: history first; backward: target first
    if d.states is None:
        batches = d.window_batches(lo, k + 1, f"history={history!r}")
    elif _words.dense_words(n, k + 1):  # encode and count in one numba pass
        batches = _words.time_window_tables(d.states, n, lo, k + 1)
    else:  # huge word alphabets: exact codes of history and target, joint counts per time
        hist_offsets = list(range(-k, 0)) if direction == "forward" else list(range(1, k + 1))
        hist, valid_h = _words.column_codes(d.states, hist_offsets, n)
        valid_c = _words.window_times(T, lo, k + 1)
        hist = hist[:, np.searchsorted(valid_h, valid_c)]
        h, se, dfs[valid_c] = _conditional_from_parts(hist, d.states[:, valid_c], method, float(n) ** k, n)
        vals[valid_c], ses[valid_c], samples[valid_c] = h, se, d.paths
        batches = ()
    for tab, valid in batches:
        pc = tab.reshape(-1, n**k, n) if lo == -k else tab.reshape(-1, n, n**k).transpose(0, 2, 1)
        h, se, M = _conditional_tables(pc, method, n**k, n)
        vals[valid], ses[valid], samples[valid] = h, se, M.astype(np.int64)
        dfs[valid] = conditional_df(pc)
    ln = math.log(b)
    q = f"entropy_rate_{direction}"
    return _finish(q, d.times, vals / ln, ses / ln, samples, b, method, confidence, {"history": k}, df=dfs,
                   nonnegative=True)


# ----------------------------------------------------------------------------- E(t)
@_bootstrappable
def excess_entropy_profile(ensemble, *, history=1, method=None, base=2, confidence=0.95,
                           times=None, k=4) -> Profile:
    r"""Time-local excess entropy at every time.

    .. math:: E(t) = I[X_{t-k}, \dots, X_{t-1} \,;\, X_t, \dots, X_{t+k-1}]
              = H(\text{past}) + H(\text{future}) - H(\text{past}, \text{future})

    the mutual information between the k symbols before t and the k symbols from t on,
    estimated from the word counts across paths at each t (``method`` applies to all three
    entropies; default ``"miller_madow"``). Standard error: delta method plus second order,
    :math:`\sqrt{\mathrm{Var}[\log \hat p(a,b)/(\hat p(a)\hat p(b))]/M + \mathrm{df}/(2M^2)}`,
    :math:`\mathrm{df} = (K_a - 1)(K_b - 1)`; the interval is bias-aware,
    :math:`\pm z\sqrt{\mathrm{se}^2 + (\mathrm{df}/2M)^2}`, and clipped at 0. NaN where the
    words leave the time window. From streamed counts, ``2 * history <= word_length``.

    Real-valued ensembles use the KSG estimator (``method="knn"``, default, ``k`` neighbours)
    or the Gaussian one, see :func:`entropy.estimators.mutual_information`.

    In units of ``base``. Reference: Crutchfield & Feldman (2003), Chaos 13, 25.
    """
    n_neighbours = k
    k = check_positive_int(history, "history")
    cont = _continuous(ensemble, times)
    if cont is not None:
        return _continuous_profile("excess", *cont, method=method, k=n_neighbours, base=base, confidence=confidence,
                                   history=k)
    method = method or "miller_madow"
    b = _check_common(base, confidence)
    d = _Data(ensemble, times, None)
    T = len(d.times)
    vals, ses, samples = _empty(T)
    dfs = np.zeros(T)  # free cells per time (bias-aware interval)
    ln = math.log(b)
    n = d.n_states
    dense = d.states is None or _words.dense_words(n, 2 * k)
    if dense:
        if d.states is None:
            batches = d.window_batches(-k, 2 * k, f"history={history!r}")
        else:  # encode and count in one numba pass
            batches = _words.time_window_tables(d.states, n, -k, 2 * k)
        for tab, valid in batches:
            I, se, M = _mi_tables(tab.reshape(-1, n**k, n**k), method, n**k, n**k)
            vals[valid], ses[valid], samples[valid] = I, se, M.astype(np.int64)
            dfs[valid] = mi_df(tab.reshape(-1, n**k, n**k))
    else:  # huge word alphabets: exact codes of past and future, joint counts per time
        past, valid_p = _words.column_codes(d.states, list(range(-k, 0)), n)
        fut, valid_f = _words.column_codes(d.states, list(range(0, k)), n)
        valid = np.intersect1d(valid_p, valid_f)
        past = past[:, np.searchsorted(valid_p, valid)]
        fut = fut[:, np.searchsorted(valid_f, valid)]
        M = d.paths
        nk = float(n) ** k
        for j, t in enumerate(valid):
            cab, pa_idx, pb_idx, ca, cb = _words.pair_counts(past[:, j], fut[:, j])
            I = _H(ca, method, nk) + _H(cb, method, nk) - _H(cab, method, nk * nk)
            lr = np.log(cab * M / (ca[pa_idx] * cb[pb_idx]))
            pj = cab / M
            m1 = (pj * lr).sum()
            vals[t] = I
            dfs[t] = (ca.size - 1) * (cb.size - 1)
            ses[t] = math.sqrt(max((pj * lr**2).sum() - m1**2, 0.0) / M + second_order_variance(dfs[t], M))
            samples[t] = M
    return _finish("excess_entropy", d.times, vals / ln, ses / ln, samples, b, method, confidence, {"history": k},
                   df=dfs, nonnegative=True)


# ----------------------------------------------------------------------------- irreversibility
def _pair_counts(d: _Data) -> np.ndarray:
    if d.states is None:
        if d.pair_counts is None:
            raise ValueError("ensemble: streamed counts were taken with pairs=False; pair counts are needed")
        return np.asarray(d.pair_counts, dtype=np.int64)
    T = d.states.shape[1]
    if float(d.n_states) ** 2 * T > max(_words.DENSE_WORDS, 2 * d.states.size):
        d = d.compacted()
    check_memory(8.0 * max(T - 1, 0) * d.n_states**2,
                 f"ensemble: per-time pair counts of {d.n_states} distinct states at {T} times",
                 "use fewer times or a coarser observable")
    pc = np.zeros((max(T - 1, 0), d.n_states, d.n_states), np.int64)
    if T > 1:
        _count.count_pairs(np.ascontiguousarray(d.states), pc)
    return pc


@_bootstrappable
def irreversibility_profile(ensemble, *, unmatched="pseudocount", pseudocount=0.5, base=2, confidence=0.95,
                            times=None) -> Profile:
    r"""Time-local irreversibility of each step, oriented away from t0.

    For the step that arrives at time t, read away from t0 (forwards on the forward arm,
    backwards on the backward arm),

    .. math::
        \sigma(t) = D\big(P(X_{t-1}, X_t) \,\|\, P(X_t, X_{t-1})\big) \quad (t > 0), \qquad
        \sigma(t) = D\big(P(X_{t+1}, X_t) \,\|\, P(X_t, X_{t+1})\big) \quad (t < 0),

    the Kullback-Leibler divergence between the law of the step and the law of the same step
    reversed (Roldan & Parrondo 2010, PRL 105, 150607, applied per time). For a stationary
    chain it is the Schnakenberg entropy production per step; for a reversible chain started
    in a low-entropy state it is positive near t0 on both sides and decays to 0: the measured
    arrow points away from t0. The time t0 is ``times == 0``; the value there is NaN.

    Pairs seen one way but never the other make the plug-in infinite. ``unmatched`` says
    how they are handled, explicitly:

    * ``"pseudocount"`` (default, as in :func:`entropy_production`): ``pseudocount`` (0.5,
      Krichevsky-Trofimov) is added to both orientations of every pair observed in either,
      before normalising. Finite, biased downwards where the true reverse probability is far
      below ``pseudocount / M``, and by ``O(K / M)`` elsewhere.
    * ``"lower_bound"``: the sum over the pairs seen both ways only (a set closed under
      reversal, so the sum is :math:`\ge 0`), as in :func:`entropy_production`.
    * ``"inf"``: the raw plug-in value, ``inf`` where a pair has no reverse.

    Wherever a pair was seen in one orientation only, the result says so: ``lower_bound[t]``
    is True (the value is a lower bound of the irreversibility of the sampled law, whose
    plug-in is infinite), ``extra["unmatched"][t]`` counts the unordered pairs seen one way
    only, and the interval's upper end is ``inf``.

    Standard error: delta method, :math:`(M/Z)\sqrt{\mathrm{Var}_{\hat p}[g]/M}` with the
    influence function :math:`g_{xy} = \log(q_{xy}/q_{yx}) - q_{yx}/q_{xy}` of the (smoothed,
    for ``"pseudocount"``) law :math:`q` (each probability enters its own term and the reverse
    term's denominator; see :func:`entropy.estimators._profile_errors.pair_influence_se`). It
    agrees with ``ci="bootstrap"`` (tested); it vanishes where the truth is reversible, where
    the plug-in's upward bias of about :math:`\mathrm{df}/(2M)` (df = pairs of distinct states
    seen) dominates and the normal interval covers poorly (use :func:`reversibility_test` to
    decide whether a process is irreversible). The interval is clipped at 0. Units of
    ``base`` per step.
    """
    b = _check_common(base, confidence)
    if unmatched not in ("pseudocount", "lower_bound", "inf"):
        raise ValueError(f"unmatched={unmatched!r}: expected 'pseudocount', 'lower_bound' or 'inf'")
    if isinstance(pseudocount, bool) or not isinstance(pseudocount, (int, float)) or not (0 < pseudocount < np.inf):
        raise ValueError(f"pseudocount={pseudocount!r}: expected a positive number")
    d = _Data(ensemble, times, None)
    pc = _pair_counts(d)
    t = np.asarray(d.times)
    T = len(t)
    vals, ses, samples = _empty(T)
    n_unmatched = np.zeros(T, np.int64)
    for i in range(T - 1):
        if t[i] >= 0:  # forward arm: the step (t[i] -> t[i + 1]) arrives at t[i + 1]
            C, at = pc[i], i + 1
        else:  # backward arm: the step arrives at t[i], read away from t0 (t[i + 1] -> t[i])
            C, at = pc[i].T, i
        C = C.astype(float)
        R = C.T
        M = C.sum()
        if M == 0:
            continue
        seen = (C + R) > 0
        lonely = seen & ((C == 0) | (R == 0))
        n_unmatched[at] = int(lonely.sum()) // 2  # unordered pairs seen in one orientation only
        if unmatched == "lower_bound":  # the pairs seen both ways: a closed set, so the sum is >= 0
            both = (C > 0) & (R > 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                vals[at] = float(np.where(both, C / M * np.log(C / R), 0.0).sum())
        elif unmatched == "pseudocount":
            Cq = np.where(seen, C + pseudocount, 0.0)
            q = Cq / Cq.sum()
            qr = q.T
            with np.errstate(divide="ignore", invalid="ignore"):
                lr = np.where(seen, np.log(q / qr), 0.0)
            vals[at] = float((q * lr).sum())
        else:
            q = C / M
            with np.errstate(divide="ignore", invalid="ignore"):
                lr = np.where(C > 0, np.log(C / R), 0.0)
            vals[at] = np.inf if np.any((C > 0) & (R == 0)) else float((q * lr).sum())
        ses[at] = pair_influence_se(C, unmatched, pseudocount)
        samples[at] = int(M)
    ln = math.log(b)
    lower = n_unmatched > 0
    prof = _finish("irreversibility", d.times, vals / ln, ses / ln, samples, b,
                   "plugin" if unmatched == "inf" else f"plugin+{unmatched}", confidence,
                   {"unmatched": n_unmatched, "pseudocount": pseudocount if unmatched == "pseudocount" else None},
                   nonnegative=True, lower_bound=lower)
    # a lower bound has no upper confidence limit
    prof.ci_high[lower] = np.inf
    return prof
