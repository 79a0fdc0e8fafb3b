"""Tests of the diffusion processes and their exact Gaussian references.

Statistical tests compare sample moments of simulated ensembles with closed forms / exact
propagation (never with the code under test) at every time of both arms. Tolerances are
``Z = 5`` standard errors of the sample statistic (derivations next to each test); with a few
hundred comparisons per test the chance of a false alarm at fixed seeds is < 1e-4, and the
seeds are fixed anyway.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys

import numba
import numpy as np
import pytest
from scipy import integrate, special
from scipy import linalg as sla

from entropy import simulate
from entropy._kernels import diffusion as kd
from entropy._kernels.rng import ARM_FORWARD
from entropy.exact.gaussian import (
    brownian_entropy,
    gaussian_entropy,
    gaussian_marginals,
    gaussian_relative_entropy,
    langevin_stationary_entropy,
    ou_entropy_production,
    ou_entropy_rate,
    ou_excess_entropy,
    stationary_cross_covariance,
)
from entropy.processes.diffusion import (
    STIFFNESS_LIMIT,
    BrownianMotion,
    Langevin,
    NonFiniteStateError,
    OrnsteinUhlenbeck,
)

Z = 5.0  # standard errors allowed for every statistical comparison
LOG_2PI_E = math.log(2 * math.pi * math.e)
# a non-normal, non-reversible drift matrix: A Sigma != Sigma A^T
A_ROT = np.array([[1.0, 2.0], [-1.0, 1.5]])


def sample_entropy_nats(X):
    """Gaussian entropy 0.5 log det(2 pi e S) of the sample covariance of X (paths, d)."""
    X = X.reshape(X.shape[0], -1)
    S = np.atleast_2d(np.cov(X, rowvar=False))
    return 0.5 * (X.shape[1] * LOG_2PI_E + np.linalg.slogdet(S)[1])


# -------------------------------------------------------------------------------------------------
# the ziggurat normal generator
# -------------------------------------------------------------------------------------------------


def test_ziggurat_moments_and_tails():
    z = np.empty((200, 5000))
    kd.standard_normals(np.uint64(11), 0, ARM_FORWARD, z)
    z = z.ravel()
    n = z.size
    # SE of the mean 1/sqrt(n); of the variance sqrt(2/n); of the 4th moment sqrt((105 - 9)/n)
    assert abs(z.mean()) < Z / math.sqrt(n)
    assert abs(z.var() - 1.0) < Z * math.sqrt(2.0 / n)
    assert abs((z**4).mean() - 3.0) < Z * math.sqrt(96.0 / n)
    # tail probabilities, including beyond the ziggurat's base edge R (the tail sampler);
    # SE of a frequency sqrt(p (1 - p) / n)
    for a in (0.5, 1.0, 2.0, 3.0, kd.ZIG_R, 4.0):
        p = math.erfc(a / math.sqrt(2.0))
        assert abs(np.mean(np.abs(z) > a) - p) < Z * math.sqrt(p * (1 - p) / n), a
    # the layers' wedges: a fine histogram against the normal cdf (chi-square, 5 sd above its mean)
    edges = np.linspace(-4, 4, 161)
    counts, _ = np.histogram(z, edges)
    expect = n * np.diff(special.ndtr(edges))
    chi2 = np.sum((counts - expect) ** 2 / expect)
    k = len(counts)
    assert chi2 < k + Z * math.sqrt(2 * k)


# -------------------------------------------------------------------------------------------------
# OU and Brownian motion against exact Gaussian marginals, both arms, every time
# -------------------------------------------------------------------------------------------------


def check_against_exact(ens, gm, entropy_nats=None):
    """Mean, covariance and Gaussian entropy of every time column against the exact law.

    SEs: mean_i sqrt(C_ii / M); cov_ij sqrt((C_ii C_jj + C_ij^2) / M) (Gaussian fourth moments);
    entropy 0.5 log det S has SE sqrt(d / (2 M)) (Var log det S ~ 2 d / M) and a bias
    -d(d+1)/(4M), negligible here.
    """
    X = ens.states.reshape(ens.paths, len(ens.times), -1).astype(float)
    M = ens.paths
    np.testing.assert_allclose(ens.times, gm.times)
    d = X.shape[2]
    H_exact = gm.entropy(base=math.e) if entropy_nats is None else entropy_nats
    for i in range(len(ens.times)):
        C = gm.cov[i]
        if not np.any(C):
            assert np.all(X[:, i] == gm.mean[i])  # the t0 point
            continue
        m = X[:, i].mean(axis=0)
        assert np.all(np.abs(m - gm.mean[i]) < Z * np.sqrt(np.diag(C) / M)), (ens.times[i], m, gm.mean[i])
        S = np.cov(X[:, i], rowvar=False).reshape(d, d)
        se = np.sqrt((np.outer(np.diag(C), np.diag(C)) + C**2) / M)
        assert np.all(np.abs(S - C) < Z * se), (ens.times[i], S, C)
        assert abs(sample_entropy_nats(X[:, i]) - H_exact[i]) < Z * math.sqrt(d / (2 * M)), ens.times[i]


def test_ou_scalar_point_start_both_arms():
    ou = OrnsteinUhlenbeck(1.5, 0.8)
    ens = simulate(ou, 2.0, forward=60, backward=40, paths=20000, seed=3, dt=0.05)
    gm = gaussian_marginals(ou, 2.0, forward=60, backward=40, dt=0.05)
    # independent closed form of the scalar OU from a point: m = x0 e^{-theta t},
    # v = sigma^2 / (2 theta) (1 - e^{-2 theta |t|}) -- same on both arms (reversible)
    t = np.abs(gm.times)
    np.testing.assert_allclose(gm.mean[:, 0], 2.0 * np.exp(-1.5 * t), rtol=1e-12)
    np.testing.assert_allclose(gm.cov[:, 0, 0], 0.64 / 3.0 * -np.expm1(-3.0 * t), rtol=1e-10, atol=1e-16)
    check_against_exact(ens, gm)
    assert ou.reversed() is ou


def test_ou_nonreversible_gaussian_start_both_arms():
    ou = OrnsteinUhlenbeck(A_ROT, np.array([[1.0, 0.0], [0.5, 0.7]]))
    start = {"mean": [1.0, -0.5], "cov": [[0.02, 0.005], [0.005, 0.01]]}
    ens = simulate(ou, start, forward=40, backward=40, paths=20000, seed=5, dt=0.05)
    gm = gaussian_marginals(ou, start, forward=40, backward=40, dt=0.05)
    # closed form at t = 2 forward: m = e^{-At} m0, C = e^{-At} C0 e^{-A^T t} + Sigma - e^{-At} Sigma e^{-A^T t}
    Sig = sla.solve_continuous_lyapunov(A_ROT, ou.noise_matrix @ ou.noise_matrix.T)
    E = sla.expm(-A_ROT * 2.0)
    C0 = np.array(start["cov"])
    np.testing.assert_allclose(gm.mean[-1], E @ start["mean"], atol=1e-12)
    np.testing.assert_allclose(gm.cov[-1], E @ C0 @ E.T + Sig - E @ Sig @ E.T, atol=1e-12)
    # backward: the reversed drift Sigma A^T Sigma^-1
    Er = sla.expm(-Sig @ A_ROT.T @ np.linalg.inv(Sig) * 2.0)
    np.testing.assert_allclose(gm.mean[0], Er @ start["mean"], atol=1e-12)
    np.testing.assert_allclose(gm.cov[0], Er @ C0 @ Er.T + Sig - Er @ Sig @ Er.T, atol=1e-12)
    check_against_exact(ens, gm)
    H = gaussian_entropy(ou, start, forward=40, backward=40, dt=0.05, base=2)
    assert H.unit == "bits"
    np.testing.assert_allclose(H.values * math.log(2), gm.entropy(base=math.e))


def test_brownian_motion_both_arms_closed_form():
    bm = BrownianMotion(sigma=1.3, dim=2)
    ens = simulate(bm, [0.5, -1.0], forward=50, backward=30, paths=20000, seed=7, dt=0.02)
    gm = gaussian_marginals(bm, [0.5, -1.0], forward=50, backward=30, dt=0.02)
    H = brownian_entropy(ens.times, sigma=1.3, dim=2, base=math.e)
    # H(t) = d/2 log(2 pi e sigma^2 |t|) directly
    np.testing.assert_allclose(H[-1], LOG_2PI_E + math.log(1.69 * 1.0))
    np.testing.assert_allclose(gm.entropy(base=math.e)[gm.times != 0], H[ens.times != 0], rtol=1e-12)
    check_against_exact(ens, gm, entropy_nats=H)
    assert bm.reversed() is bm


def test_two_dimensional_kernel_equals_generic():
    ou = OrnsteinUhlenbeck(A_ROT, [[1.0, 0.0], [0.3, 0.8]])
    F, _, L = ou._factors(0.05)
    init = np.random.default_rng(0).normal(size=(20, 2))
    a, b = np.empty((20, 31, 2)), np.empty((20, 31, 2))
    bad = np.empty(20, np.int64)
    kd.run_ar1_2d(F, L, init, np.uint64(3), 0, ARM_FORWARD, 30, a, bad, 1e300)
    kd.run_ar1(F, L, init, np.uint64(3), 0, ARM_FORWARD, 30, b, bad, 1e300)
    np.testing.assert_array_equal(a, b)


def test_float32_storage_is_rounded_float64():
    for proc in (OrnsteinUhlenbeck(2.0, 1.0, dtype=np.float32), Langevin("double_well", 1.0, 1.0, dtype=np.float32)):
        start = 0.3 if proc.dim == 1 else [0.3, 0.1]
        e32 = simulate(proc, start, forward=20, backward=10, paths=100, seed=1, dt=0.05)
        assert e32.states.dtype == np.float32
        proc._dtype = np.dtype(np.float64)
        e64 = simulate(proc, start, forward=20, backward=10, paths=100, seed=1, dt=0.05)
        np.testing.assert_array_equal(e32.states, e64.states.astype(np.float32))


# -------------------------------------------------------------------------------------------------
# time reversal of a non-reversible OU: C(-tau) = C(tau)^T
# -------------------------------------------------------------------------------------------------


def test_reversed_drift_matches_definition():
    ou = OrnsteinUhlenbeck(A_ROT, 0.9)
    Sig = ou.stationary_covariance
    D = 0.5 * ou.noise_matrix @ ou.noise_matrix.T
    # f~(x) = -f(x) + 2 D grad log pi(x) with f = -A x, grad log pi = -Sigma^-1 x, on random points
    x = np.random.default_rng(0).normal(size=(2, 5))
    f_rev = A_ROT @ x - 2 * D @ np.linalg.solve(Sig, x)
    rev = ou.reversed()
    np.testing.assert_allclose(-rev.drift_matrix @ x, f_rev, atol=1e-12)
    assert not ou.is_reversible()
    assert rev.reversed() is ou
    np.testing.assert_allclose(rev.stationary_covariance, Sig)
    # symmetric drift: reversible
    sym = OrnsteinUhlenbeck([[2.0, 0.5], [0.5, 1.0]], 1.0)
    assert sym.is_reversible() and sym.reversed() is sym


def test_backward_arm_is_mirrored_forward_run_of_reversal():
    # metamorphic (one code path, a direction switch): the backward arm of a run equals a forward
    # run of the explicitly built reversed process A~ = Sigma A^T Sigma^-1 on the backward streams, mirrored
    from entropy._kernels.rng import ARM_BACKWARD

    ou = OrnsteinUhlenbeck(A_ROT, 1.0)
    start = {"mean": [0.3, -0.2], "cov": 0.05}
    ens = simulate(ou, start, forward=7, backward=12, paths=50, seed=8, dt=0.05)
    Sig = ou.stationary_covariance
    explicit = OrnsteinUhlenbeck(Sig @ A_ROT.T @ np.linalg.inv(Sig), 1.0)
    init = ens.at(0.0).copy()
    out = np.empty((50, 13, 2))
    explicit._run_arm(init, 8, 0, ARM_BACKWARD, 12, out, 0.05)
    np.testing.assert_allclose(ens.states[:, 12::-1], out, rtol=1e-12, atol=1e-12)


def test_backward_arm_reproduces_time_reversed_covariance():
    ou = OrnsteinUhlenbeck(A_ROT, 1.0)
    Sig = ou.stationary_covariance
    dt, K = 0.1, 15
    M = 40000
    ens = simulate(ou, {"mean": [0.0, 0.0], "cov": Sig}, forward=K, backward=K, paths=M, seed=9, dt=dt)
    X0 = ens.at(0.0)
    var = np.diag(Sig)
    # SE of the sample mean of X_{t+tau,a} X_{t,b} (zero-mean Gaussians): sqrt((S_aa S_bb + C_ab^2) / M),
    # bounded using |C_ab(tau)| <= sqrt(S_aa S_bb) <= max|Sigma|
    se = np.sqrt((np.outer(var, var) + np.max(np.abs(Sig)) ** 2) / M)
    separated = 0
    for s in range(1, K + 1):
        tau = s * dt
        C_plus = stationary_cross_covariance(ou, tau)
        C_minus = stationary_cross_covariance(ou, -tau)
        np.testing.assert_allclose(C_minus, C_plus.T)
        # closed forms: e^{-A tau} Sigma and Sigma e^{-A^T tau}
        np.testing.assert_allclose(C_plus, sla.expm(-A_ROT * tau) @ Sig, atol=1e-12)
        fwd = ens.at(tau).T @ X0 / M
        bwd = ens.at(-tau).T @ X0 / M
        assert np.all(np.abs(fwd - C_plus) < Z * se), (tau, fwd, C_plus)
        assert np.all(np.abs(bwd - C_minus) < Z * se), (tau, bwd, C_minus)
        # and the arrow of time is visible: C(-tau) differs from C(tau) by many SEs
        separated += np.max(np.abs(C_minus - C_plus) / se) > 4 * Z
    assert separated >= K // 2
    # stationarity on both arms: every marginal covariance stays Sigma
    for t in (-K * dt, K * dt):
        S = np.cov(ens.at(t), rowvar=False)
        assert np.all(np.abs(S - Sig) < Z * np.sqrt((np.outer(var, var) + Sig**2) / M))


# -------------------------------------------------------------------------------------------------
# closed forms of the sampled OU, relative entropy, stationary entropies
# -------------------------------------------------------------------------------------------------


def test_sampled_ou_entropy_rate_and_excess_entropy():
    theta, sigma, dt = 0.7, 1.2, 0.25
    ou = OrnsteinUhlenbeck(theta, sigma)
    q = sigma**2 / (2 * theta) * (1 - math.exp(-2 * theta * dt))
    assert ou_entropy_rate(ou, dt, base=math.e) == pytest.approx(0.5 * math.log(2 * math.pi * math.e * q), rel=1e-12)
    E = -0.5 * math.log(1 - math.exp(-2 * theta * dt))
    assert ou_excess_entropy(ou, dt, base=2) == pytest.approx(E / math.log(2), rel=1e-12)
    # E = H(X_0) + H(X_1) - H(X_0, X_1) from the joint Gaussian of the pair
    v = sigma**2 / (2 * theta)
    rho = math.exp(-theta * dt)
    joint = np.array([[v, rho * v], [rho * v, v]])
    H1 = 0.5 * math.log(2 * math.pi * math.e * v)
    H2 = 0.5 * math.log(np.linalg.det(2 * math.pi * math.e * joint))
    assert ou_excess_entropy(ou, dt, base=math.e) == pytest.approx(2 * H1 - H2, rel=1e-10)
    # a d-dim OU with A = theta I and sigma I: d times the scalar values
    ou3 = OrnsteinUhlenbeck(theta, sigma, dim=3)
    assert ou_entropy_rate(ou3, dt) == pytest.approx(3 * ou_entropy_rate(ou, dt), rel=1e-12)
    assert ou_excess_entropy(ou3, dt) == pytest.approx(3 * ou_excess_entropy(ou, dt), rel=1e-10)


def test_ou_entropy_production():
    # rotation drift A = [[a, w], [-w, a]], sigma = 1: Sigma = I / (2a), D = I / 2, the current
    # velocity is -B x with B = A - D Sigma^-1 = [[0, w], [-w, 0]], so e_p = tr(B^T D^-1 B Sigma) = 2 w^2 / a
    a, w = 1.3, 0.7
    rot = OrnsteinUhlenbeck([[a, w], [-w, a]], 1.0)
    ep = ou_entropy_production(rot, base=math.e)
    assert ep == pytest.approx(2 * w * w / a, rel=1e-12)
    assert ou_entropy_production(rot, base=2) == pytest.approx(ep / math.log(2), rel=1e-12)
    # the sampled chain's per-step KL divergence over dt tends to e_p at first order in dt
    rel = [abs(ou_entropy_production(rot, dt, base=math.e) / dt - ep) / ep for dt in (1e-2, 1e-3)]
    assert rel[1] < 1e-2 and 7 < rel[0] / rel[1] < 13
    # reversible drifts produce no entropy, continuous or sampled
    sym = OrnsteinUhlenbeck([[2.0, 0.5], [0.5, 1.0]], [[1.0, 0.0], [0.0, 1.0]])
    assert ou_entropy_production(sym) == pytest.approx(0.0, abs=1e-12)
    assert ou_entropy_production(sym, 0.1) == pytest.approx(0.0, abs=1e-12)
    assert ou_entropy_production(OrnsteinUhlenbeck(A_ROT), 0.1) > 0


def test_harmonic_langevin_marginals_are_ou():
    # k = 3, gamma = 2, T = 0.5, centre 1: m = c + (x0 - c) e^{-k t / gamma}, v = T/k (1 - e^{-2 k |t| / gamma})
    lv = Langevin("harmonic", 0.5, 2.0, stiffness=3.0, center=1.0)
    gm = gaussian_marginals(lv, 4.0, forward=10, backward=10, dt=0.1)
    t = np.abs(gm.times)
    np.testing.assert_allclose(gm.mean[:, 0], 1.0 + 3.0 * np.exp(-1.5 * t), rtol=1e-12)
    np.testing.assert_allclose(gm.cov[:, 0, 0], 0.5 / 3.0 * -np.expm1(-3.0 * t), rtol=1e-10, atol=1e-16)


def test_relative_entropy_decreases_on_both_arms():
    ou = OrnsteinUhlenbeck(A_ROT, 1.0)
    D = gaussian_relative_entropy(ou, {"mean": [1.0, 1.0], "cov": 0.01}, forward=50, backward=50, dt=0.05).values
    assert np.all(np.diff(D[50:]) < 0) and np.all(np.diff(D[:51]) > 0)
    assert D[0] < 1e-2 and D[-1] < 1e-2
    # scalar: D(N(m, v) || N(0, s)) = 0.5 (v/s + m^2/s - 1 + log(s/v)) at t0
    ou1 = OrnsteinUhlenbeck(2.0, 1.0)
    d0 = gaussian_relative_entropy(ou1, {"mean": 0.5, "cov": 0.01}, dt=0.1, base=math.e).values[0]
    s = 0.25
    assert d0 == pytest.approx(0.5 * (0.01 / s + 0.25 / s - 1 + math.log(s / 0.01)), rel=1e-12)


def test_langevin_stationary_entropies():
    h = langevin_stationary_entropy(Langevin("harmonic", 2.0, 1.0, stiffness=4.0, dim=3), base=math.e)
    assert h == pytest.approx(1.5 * math.log(2 * math.pi * math.e * 0.5), rel=1e-12)
    # double well: independent quadrature of -int p log p on a fixed wide range
    T, hb, w = 0.8, 2.0, 1.5
    U = lambda x: hb * ((x / w) ** 2 - 1) ** 2  # noqa: E731
    Zs = integrate.quad(lambda x: math.exp(-U(x) / T), -10, 10, points=[-w, w], limit=200)[0]
    Hs = integrate.quad(lambda x: -math.exp(-U(x) / T) / Zs * (-U(x) / T - math.log(Zs)), -10, 10,
                        points=[-w, w], limit=200)[0]
    dw = Langevin("double_well", T, 3.0, barrier=hb, width=w)
    assert langevin_stationary_entropy(dw, base=math.e) == pytest.approx(Hs, rel=1e-8)
    # tilted periodic without force: Gibbs law on the circle, H = log Z + <U>/T with Bessel functions:
    # Z = L I0(a), <U> = -A I1(a)/I0(a), a = A/T
    A, L = 1.3, 2.0
    tp = Langevin("tilted_periodic", T, 1.0, amplitude=A, period=L)
    a = A / T
    H = math.log(L * special.i0(a)) - a * special.i1(a) / special.i0(a)
    assert langevin_stationary_entropy(tp, base=math.e) == pytest.approx(H, rel=1e-9)


def test_tilted_periodic_current_and_reversed_velocity():
    T, A, L, F, gamma = 1.0, 1.0, 1.0, 2.0, 1.0
    tp = Langevin("tilted_periodic", T, gamma, amplitude=A, period=L, force=F)
    x, ps, J = tp.periodic_stationary
    assert ps.sum() * (x[1] - x[0]) == pytest.approx(1.0, rel=1e-12)
    # the current from its definition J = f p - D p' (spectral derivative of the periodic p)
    k = np.fft.fftfreq(len(x), d=x[1] - x[0]) * 2 * np.pi
    dp = np.real(np.fft.ifft(1j * k * np.fft.fft(ps)))
    f = -(A * 2 * np.pi / L * np.sin(2 * np.pi * x / L) - F) / gamma
    np.testing.assert_allclose(f * ps - (T / gamma) * dp, J, rtol=1e-5)
    assert not tp.is_reversible()
    rev = tp.reversed()
    assert rev.reversed() is tp
    # simulate: after relaxation the forward arm drifts with v = J L, the backward arm with -v.
    # velocity from the mean displacement between t1 = 4 and t2 = 12: SE = sd(X_t2 - X_t1) / sqrt(M) / 8
    dt, M = 0.01, 4000
    ens = simulate(tp, 0.0, forward=1200, backward=1200, paths=M, seed=13, dt=dt)
    v = J * L
    for sign, (t1, t2) in ((1, (4.0, 12.0)), (-1, (-4.0, -12.0))):
        disp = ens.at(t2) - ens.at(t1)
        vel = disp.mean() / 8.0
        se = disp.std() / math.sqrt(M) / 8.0
        assert abs(vel - sign * v) < Z * se + 1e-3 * v, (sign, vel, v, se)  # + Heun bias O(dt^2)


def test_double_well_second_moment():
    # long run from x = 0: <x^2> at late times against quadrature of the Gibbs law (SE sd(x^2)/sqrt(M)),
    # plus the Heun bias O(dt^2), bounded here by 1e-3 relative
    T, hb = 1.0, 1.0
    dw = Langevin("double_well", T, 1.0, barrier=hb, width=1.0)
    M = 20000
    ens = simulate(dw, 0.0, forward=1000, paths=M, seed=17, dt=0.01)
    U = dw.potential_energy
    Zs = integrate.quad(lambda x: math.exp(-U(x) / T), -8, 8, limit=200)[0]
    m2 = integrate.quad(lambda x: x * x * math.exp(-U(x) / T), -8, 8, limit=200)[0] / Zs
    x2 = ens.states[:, -1] ** 2
    assert abs(x2.mean() - m2) < Z * x2.std() / math.sqrt(M) + 1e-3 * m2


# -------------------------------------------------------------------------------------------------
# weak order of the Langevin schemes, measured on the harmonic potential (an OU process)
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme, order", [("euler_maruyama", 1.0), ("heun", 2.0)])
def test_weak_order_on_harmonic_potential(scheme, order):
    """Weak error of E[X_t] at t = 1.2 from x0 = 100 for dt = 0.1, 0.2, 0.4 (h = k dt / gamma).

    Exact mean 100 e^{-1.2}. Errors: EM ~ 100 e^{-1.2} t h / 2 (2 to 7), Heun ~ 100 e^{-1.2} t h^2 / 6
    (0.06 to 1); the MC standard error is sqrt(T/k (1 - e^{-2t}) / M) = 0.003 for M = 10^5.
    The fitted slope of log|error| against log dt must lie within 0.3 of the order (the
    pre-asymptotic slopes over this range are 1.1 and 2.2).
    """
    lv = Langevin("harmonic", 1.0, 1.0, scheme=scheme)
    errs, dts = [], [0.1, 0.2, 0.4]
    M = 100000
    for dt in dts:
        steps = round(1.2 / dt)
        ens = simulate(lv, 100.0, forward=steps, paths=M, seed=21, dt=dt)
        xt = ens.states[:, -1]
        err = xt.mean() - 100.0 * math.exp(-1.2)
        assert abs(err) > Z * xt.std() / math.sqrt(M)  # resolved above the MC noise
        errs.append(abs(err))
    slope = np.polyfit(np.log(dts), np.log(errs), 1)[0]
    assert abs(slope - order) < 0.3, (scheme, slope, errs)


# -------------------------------------------------------------------------------------------------
# determinism: seeds, chunks, threads; user gradients
# -------------------------------------------------------------------------------------------------

PROCESSES = [
    ("ou1", lambda: OrnsteinUhlenbeck(1.0, 1.0), 0.5),
    ("ou2", lambda: OrnsteinUhlenbeck(A_ROT, 1.0), {"mean": [0.1, 0.2], "cov": 0.5}),
    ("bm3", lambda: BrownianMotion(1.0, 3), [0.0, 1.0, 2.0]),
    ("dw", lambda: Langevin("double_well", 1.0, 1.0, scheme="euler_maruyama"), {"mean": 0.0, "cov": 0.2}),
    ("tp", lambda: Langevin("tilted_periodic", 1.0, 1.0, amplitude=0.5, force=1.0), 0.0),
]


@pytest.mark.parametrize("name, make, start", PROCESSES, ids=[p[0] for p in PROCESSES])
def test_same_seed_same_numbers_any_chunking(name, make, start):
    proc = make()
    kw = dict(forward=30, backward=20, paths=334, dt=0.02)
    a = simulate(proc, start, seed=5, **kw)
    b = simulate(proc, start, seed=5, **kw)
    np.testing.assert_array_equal(a.states, b.states)
    for chunk in (2, 7, 100):  # (chunks of one path are also contiguous: one more kernel variant)
        c = simulate(proc, start, seed=5, chunk_size=chunk, **kw)
        np.testing.assert_array_equal(a.states, c.states)
    d = simulate(proc, start, seed=6, **kw)
    assert not np.array_equal(a.states, d.states)
    # the forward arm does not depend on the length of the backward arm
    e = simulate(proc, start, seed=5, forward=30, backward=5, paths=334, dt=0.02)
    np.testing.assert_array_equal(a.arm("forward"), e.arm("forward"))


_THREAD_SCRIPT = """
import hashlib, numpy as np
from entropy import simulate
from entropy.processes.diffusion import OrnsteinUhlenbeck, Langevin
A = np.array([[1.0, 2.0], [-1.0, 1.5]])
h = hashlib.sha256()
for proc, start in ((OrnsteinUhlenbeck(A, 1.0), {"mean": [0, 0], "cov": 0.3}),
                    (Langevin("double_well", 1.0, 1.0), 0.0)):
    e = simulate(proc, start, forward=40, backward=40, paths=1001, seed=99, dt=0.01, chunk_size=250)
    h.update(e.states.tobytes())
print(h.hexdigest())
"""


def test_identical_across_thread_counts():
    digests = []
    for threads in ("1", "2"):
        env = dict(os.environ, NUMBA_NUM_THREADS=threads)
        res = subprocess.run([sys.executable, "-c", _THREAD_SCRIPT], env=env, capture_output=True, text=True,
                             timeout=300)
        assert res.returncode == 0, res.stderr
        digests.append(res.stdout.strip().splitlines()[-1])
    assert digests[0] == digests[1]


@numba.njit
def _linear_gradient(x, params, out):
    for i in range(x.shape[0]):
        out[i] = params[0] * (x[i] - params[1])


def test_user_gradient_equals_builtin():
    start = {"mean": [0.0, 1.0], "cov": 0.3}
    user = Langevin(_linear_gradient, 0.7, 2.0, dim=2, curvature=3.0, k=3.0, c=0.5)
    assert list(user.params) == ["k", "c"]
    builtin = Langevin("harmonic", 0.7, 2.0, dim=2, stiffness=3.0, center=0.5)
    a = simulate(user, start, forward=25, backward=25, paths=200, seed=4, dt=0.05)
    b = simulate(builtin, start, forward=25, backward=25, paths=200, seed=4, dt=0.05)
    np.testing.assert_array_equal(a.states, b.states)
    assert user.reversed() is user
    # in one dimension the built-in potentials run a separate kernel (lanes, state in registers):
    # same numbers as the generic per-path stepper that user gradients use, for both schemes
    for scheme in ("heun", "euler_maruyama"):
        user1 = Langevin(_linear_gradient, 0.7, 2.0, scheme=scheme, curvature=3.0, k=3.0, c=0.5)
        builtin1 = Langevin("harmonic", 0.7, 2.0, scheme=scheme, stiffness=3.0, center=0.5)
        a = simulate(user1, {"mean": 0.2, "cov": 0.3}, forward=25, backward=25, paths=37, seed=4, dt=0.05)
        b = simulate(builtin1, {"mean": 0.2, "cov": 0.3}, forward=25, backward=25, paths=37, seed=4, dt=0.05)
        np.testing.assert_array_equal(a.states, b.states)
    # the curvature given is checked
    with pytest.raises(ValueError, match=r"dt=1\.0: too large .* limit 1"):
        simulate(user, start, forward=2, paths=2, seed=1, dt=1.0)


# -------------------------------------------------------------------------------------------------
# non-finite values
# -------------------------------------------------------------------------------------------------


def test_nonfinite_state_reports_path_and_step():
    # an unstable 1x1 drift matrix, float32 storage: x_s ~ e^{5 s} passes 3.4e38 = e^{88.7} at step 18
    ou = OrnsteinUhlenbeck(np.array([[-50.0]]), 0.01, dtype=np.float32)
    with pytest.raises(NonFiniteStateError, match=r"path 0 .* at step 18 of the forward arm \(t - t0 = 1\.8") as ei:
        simulate(ou, 1.0, forward=30, paths=10, seed=1, dt=0.1)
    assert isinstance(ei.value, FloatingPointError)
    assert (ei.value.path, ei.value.step, ei.value.arm) == (0, 18, "forward")


def test_overflow_from_user_gradient_names_first_path():
    # the same user gradient with a negative stiffness k = -100, Euler-Maruyama: x - c grows by
    # 1 + dt |k| / gamma = 11 per step from 0.5. The update of step s evaluates the gradient
    # 100 * 0.5 * 11^(s-1), which first overflows the float64 maximum e^709.78 at s = 296
    # (e^711.3; at s = 295 it is e^708.9), making x infinite. The noise (sd 0.45 per step, relative
    # 0.08 after the first step) shifts log|x| by ~0.1 at most, below both margins (0.9 and 1.5).
    lv = Langevin(_linear_gradient, 1.0, 1.0, scheme="euler_maruyama", k=-100.0, c=0.5)
    with pytest.raises(NonFiniteStateError, match=r"path 0 produced a non-finite value .* at step 296 of the "
                                                  r"backward arm \(t - t0 = -29\.6") as ei:
        simulate(lv, 1.0, backward=300, paths=50, seed=3, dt=0.1, chunk_size=16)
    assert (ei.value.path, ei.value.step, ei.value.arm) == (0, 296, "backward")
    assert ei.value.time == pytest.approx(-29.6)


# -------------------------------------------------------------------------------------------------
# validation messages
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: OrnsteinUhlenbeck(0.0), r"theta=0\.0: expected a finite number > 0"),
        (lambda: OrnsteinUhlenbeck(-1.0), r"theta=-1\.0: expected a finite number > 0"),
        (lambda: OrnsteinUhlenbeck(1.0, sigma=0), r"sigma=0: expected a finite number > 0"),
        (lambda: OrnsteinUhlenbeck(np.eye(3), sigma=np.eye(2)), r"sigma: expected a number > 0 or a 3 x 3 matrix"),
        (lambda: OrnsteinUhlenbeck(1.0, sigma=[[1, 0], [1, 0]]), r"sigma @ sigma\.T must be positive definite"),
        (lambda: OrnsteinUhlenbeck(1.0, dim=0), r"dim=0: expected an integer >= 1"),
        (lambda: OrnsteinUhlenbeck(1.0, dtype=np.int32), r"dtype=.*expected numpy\.float64 or numpy\.float32"),
        (lambda: BrownianMotion(-2.0), r"sigma=-2\.0: expected a finite number > 0"),
        (lambda: Langevin("harmonic", temperature=0.0), r"temperature=0\.0: expected a finite number > 0"),
        (lambda: Langevin("harmonic", friction=-1), r"friction=-1: expected a finite number > 0"),
        (lambda: Langevin("quartic"), r"potential='quartic': expected one of 'harmonic', 'double_well'"),
        (lambda: Langevin(lambda x: x), r"potential=<function .*numba\.njit gradient"),
        (lambda: Langevin("double_well", depth=2.0), r"depth=2\.0: not a parameter of the 'double_well' potential"),
        (lambda: Langevin("double_well", dim=2), r"dim=2: the 'double_well' potential is one-dimensional"),
        (lambda: Langevin("harmonic", stiffness=0.0), r"stiffness=0\.0: expected a finite number > 0"),
        (lambda: Langevin("tilted_periodic", period=-1.0), r"period=-1\.0: expected a finite number > 0"),
        (lambda: Langevin("tilted_periodic", amplitude=-1.0), r"amplitude=-1\.0: expected a finite number >= 0"),
        (lambda: Langevin("harmonic", scheme="rk4"), r"scheme='rk4': expected one of 'euler_maruyama', 'heun'"),
        (lambda: Langevin("harmonic", curvature=2.0), r"curvature=2\.0: built-in potentials know their curvature"),
    ],
)
def test_constructor_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_simulate_errors():
    ou = OrnsteinUhlenbeck(1.0)
    for dt, match in ((None, r"dt=None: a diffusion needs a time step"), (0.0, r"dt=0\.0: expected a finite number > 0"),
                      (-0.1, r"dt=-0\.1: expected"), (float("nan"), r"dt=nan: expected")):
        with pytest.raises(ValueError, match=match):
            simulate(ou, 0.0, forward=2, paths=2, dt=dt)
    with pytest.raises(ValueError, match=r"dt=0\.3: too large for the stiffness of the 'harmonic' potential: "
                                         r"dt \* curvature / friction = 1\.5 exceeds the limit 1 .* use dt <= 0\.2"):
        simulate(Langevin("harmonic", stiffness=5.0), 0.0, forward=2, paths=2, dt=0.3)
    assert STIFFNESS_LIMIT == 1.0
    # a driven tilted periodic potential: dt passes the forward stiffness (h = 0.39) but not that of
    # the reversed drift run by the backward arm
    tp = Langevin("tilted_periodic", 0.2, 1.0, amplitude=2.0, force=3.0)
    assert 0.005 * tp.curvature < STIFFNESS_LIMIT < 0.005 * tp.reversed().curvature
    with pytest.raises(ValueError, match=r"dt=0\.005: too large for the stiffness of the 'tilted_periodic'"):
        simulate(tp, 0.0, forward=2, paths=2, dt=0.005)
    ou2 = OrnsteinUhlenbeck(A_ROT)
    for start, match in (
        ([1.0], r"start=\[1\.0\]: expected a point .*shape \(2,\)"),
        ({"mean": [0, 0]}, r"start=.*needs exactly the keys 'mean' and 'cov'"),
        ({"mean": [0, 0], "cov": [[1, 2], [2, 1]]}, r"start\['cov'\]=.*positive semi-definite"),
        ({"mean": [0, 0], "cov": [[1, 0.5], [0, 1]]}, r"start\['cov'\]=.*symmetric"),
        ({"mean": [0, np.nan], "cov": 0.1}, r"start\['mean'\]=.*finite"),
        ("origin", r"start='origin': expected a point"),
    ):
        with pytest.raises(ValueError, match=match):
            simulate(ou2, start, forward=2, paths=2, dt=0.1)
    unstable = OrnsteinUhlenbeck([[1.0, 0.0], [0.0, -0.5]])
    with pytest.raises(ValueError, match=r"theta: the drift matrix A has an eigenvalue -0\.5.* reversed\(\)"):
        simulate(unstable, [0.0, 0.0], forward=2, backward=2, paths=2, dt=0.1)
    simulate(unstable, [0.0, 0.0], forward=2, paths=2, dt=0.1)  # forward only: fine
    with pytest.raises(ValueError, match=r"theta: .* stationary_covariance"):
        unstable.stationary_covariance


def test_exact_errors():
    with pytest.raises(ValueError, match=r"sigma=0\.0: expected a finite number > 0"):
        brownian_entropy(1.0, sigma=0.0)
    with pytest.raises(ValueError, match=r"base=1: expected"):
        brownian_entropy(1.0, base=1)
    with pytest.raises(ValueError, match=r"process=.*Brownian motion has no stationary law"):
        ou_entropy_rate(BrownianMotion(), 0.1)
    with pytest.raises(ValueError, match=r"process=.*exact Gaussian marginals exist for"):
        gaussian_marginals(Langevin("double_well"), 0.0, forward=1, dt=0.1)
    with pytest.raises(ValueError, match=r"process=.*expected a Langevin process with a built-in potential"):
        langevin_stationary_entropy(OrnsteinUhlenbeck(1.0))
    with pytest.raises(ValueError, match=r"forward=-1: expected an integer >= 0"):
        gaussian_entropy(OrnsteinUhlenbeck(1.0), 0.0, forward=-1, dt=0.1)
