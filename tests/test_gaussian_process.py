"""Tests for snippets/gaussian_process.py: kernels and posterior against hand-written formulas,
the marginal likelihood, length-scale fitting, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from snippets import gaussian_process as gp


def matern52_by_hand(r, ls, var):
    return (
        var
        * (1 + math.sqrt(5) * r / ls + 5 * r * r / (3 * ls * ls))
        * math.exp(-math.sqrt(5) * r / ls)
    )


def test_kernels_by_hand():
    a, b = np.array([[0.1, 0.2]]), np.array([[0.4, 0.6]])  # distance 0.5
    assert gp.matern52_kernel(a, b, 0.3, 2.0)[0, 0] == pytest.approx(matern52_by_hand(0.5, 0.3, 2))
    assert gp.rbf_kernel(a, b, 0.3, 2.0)[0, 0] == pytest.approx(2 * math.exp(-0.25 / 0.18))
    # one length-scale per dimension: distances are measured in units of each
    r = math.hypot(0.3 / 0.5, 0.4 / 2.0)
    got = gp.matern52_kernel(a, b, [0.5, 2.0], 1.0)[0, 0]
    assert got == pytest.approx(matern52_by_hand(r, 1.0, 1.0))
    X = np.random.default_rng(0).random((6, 2))
    for k in (gp.matern52_kernel(X, X, 0.4), gp.rbf_kernel(X, X, 0.4)):
        np.testing.assert_allclose(k, k.T)
        np.testing.assert_allclose(np.diag(k), 1.0)
        assert np.linalg.eigvalsh(k).min() > -1e-12


def gp_by_hand(X, y, Xs, ls, var, noise):
    """The textbook formulas with an explicit inverse (fine for a test)."""

    def k(A, B):
        r = np.sqrt(((A[:, None, :] - B[None, :, :]) ** 2).sum(-1))
        s = math.sqrt(5) * r / ls
        return var * (1 + s + s * s / 3) * np.exp(-s)

    Kinv = np.linalg.inv(k(X, X) + noise * np.eye(len(X)))
    Ks = k(X, Xs)
    return Ks.T @ Kinv @ y, var - np.einsum("im,ij,jm->m", Ks, Kinv, Ks)


def test_gp_posterior_matches_the_textbook_formulas():
    rng = np.random.default_rng(1)
    X, y, Xs = rng.random((8, 3)), rng.normal(size=8), rng.random((5, 3))
    mean, std = gp.gp_posterior(X, y, Xs, 0.7, 1.5, 0.01)
    m, v = gp_by_hand(X, y, Xs, 0.7, 1.5, 0.01)
    np.testing.assert_allclose(mean, m, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(std**2, v, rtol=1e-7, atol=1e-10)


def test_gp_with_one_observation_in_closed_form():
    # mean = k y0 / (s² + σ²), var = s² − k² / (s² + σ²)
    x0, y0, xs, ls, var, noise = 0.2, 1.3, 0.5, 0.4, 2.0, 0.1
    k = matern52_by_hand(0.3, ls, var)
    mean, std = gp.gp_posterior([[x0]], [y0], [[xs]], ls, var, noise)
    assert mean[0] == pytest.approx(k * y0 / (var + noise))
    assert std[0] ** 2 == pytest.approx(var - k * k / (var + noise))


def test_noise_free_posterior_interpolates_the_observations():
    rng = np.random.default_rng(2)
    X = rng.random((10, 2))
    y = np.sin(6 * X[:, 0]) + X[:, 1]
    for kernel in gp.KERNELS:
        mean, std = gp.gp_posterior(X, y, X, 0.3, 1.0, 0.0, kernel)
        np.testing.assert_allclose(mean, y, atol=1e-6)
        assert std.max() < 1e-4
    # far from the data the posterior returns to the prior: mean 0, std sqrt(variance)
    mean, std = gp.gp_posterior(X, y, [[40.0, 40.0]], 0.3, 2.0, 0.0)
    assert abs(mean[0]) < 1e-12 and std[0] == pytest.approx(math.sqrt(2.0))


def test_gp_survives_duplicate_points():
    X = np.array([[0.3], [0.3], [0.7]])
    mean, std = gp.gp_posterior(X, [1.0, 1.0, -1.0], X, 0.2, 1.0, 0.0)
    assert np.all(np.isfinite(mean)) and np.all(np.isfinite(std))
    np.testing.assert_allclose(mean, [1, 1, -1], atol=1e-4)


def test_log_marginal_likelihood_by_hand():
    rng = np.random.default_rng(3)
    X, y = rng.random((7, 2)), rng.normal(size=7)
    r = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    K = np.vectorize(matern52_by_hand)(r, 0.5, 1.2) + 0.05 * np.eye(7)
    expected = -0.5 * y @ np.linalg.solve(K, y) - 0.5 * np.linalg.slogdet(K)[1]
    expected -= 3.5 * math.log(2 * math.pi)
    got = gp.gp_log_marginal_likelihood(X, y, 0.5, 1.2, 0.05)
    assert got == pytest.approx(expected, rel=1e-9)


def test_fit_gp_finds_the_dimension_that_matters():
    rng = np.random.default_rng(4)
    X = rng.random((25, 2))
    y = np.sin(8 * X[:, 0])  # x2 plays no part
    y = (y - y.mean()) / y.std()
    ls, noise = gp.fit_gp(X, y)
    assert ls[1] > 5 * ls[0]
    assert noise <= 1e-3  # noise-free data
    best = gp.gp_log_marginal_likelihood(X, y, ls, 1.0, noise)
    for v in gp.LENGTH_SCALES:  # better than any shared length-scale
        assert best >= gp.gp_log_marginal_likelihood(X, y, v, 1.0, noise) - 1e-9


BAD = [
    (lambda: gp.gp_posterior([[0.0]], [1.0, 2.0], [[0.5]]), ValueError, "y"),
    (lambda: gp.gp_posterior([[0.0]], [1.0], [[0.5, 0.1]]), ValueError, "X_new"),
    (lambda: gp.gp_posterior([[0.0]], [1.0], [[0.5]], noise=-1.0), ValueError, "noise"),
    (lambda: gp.gp_posterior([[0.0]], [1.0], [[0.5]], noise="0"), TypeError, "noise"),
    (lambda: gp.gp_posterior([[0.0]], [np.inf], [[0.5]]), ValueError, "y"),
    (lambda: gp.gp_posterior([[0.0, 1.0]], [1.0], [[0.5, 0]], [1.0]), ValueError, "length_scale"),
    (lambda: gp.gp_posterior([[0.0]], [1.0], [[0.5]], kernel="linear"), ValueError, "kernel"),
    (lambda: gp.matern52_kernel([[0.0]], [[1.0]], 0.0), ValueError, "length_scale"),
    (lambda: gp.matern52_kernel([[0.0]], [[1.0]], 1.0, 0.0), ValueError, "variance"),
    (lambda: gp.rbf_kernel([[0.0]], [[1.0, 2.0]]), ValueError, "B"),
    (lambda: gp.fit_gp([[0.0], [1.0]], [1.0]), ValueError, "y"),
]


@pytest.mark.parametrize("call, exc, words", BAD)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert words in str(info.value)
