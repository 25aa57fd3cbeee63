"""snippets/normalization.py: layer norm and group norm against loops written from the
definitions, values by hand, the identities between them (one group is layer norm over
(C, H, W); C groups is instance norm), finite differences for every gradient, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from snippets.normalization import (
    group_norm,
    group_norm_backward,
    layer_norm,
    layer_norm_backward,
)
from tests.gradcheck import assert_gradients_match, numeric_grad

rng = np.random.default_rng(0)


def group_norm_loop(X, G, w, b, eps):
    N, C = X.shape[:2]
    Y = np.empty_like(X)
    for n in range(N):
        for g in range(G):
            chans = slice(g * C // G, (g + 1) * C // G)
            vals = X[n, chans]
            mu = vals.sum() / vals.size
            var = ((vals - mu) ** 2).sum() / vals.size
            for c in range(chans.start, chans.stop):
                Y[n, c] = (X[n, c] - mu) / np.sqrt(var + eps) * w[c] + b[c]
    return Y


def test_layer_norm_by_hand():
    # [1, 2, 3]: mean 2, biased variance 2/3, so x̂ = (−1, 0, 1) · √(3/2) (eps 0)
    y = layer_norm([[1.0, 2.0, 3.0]], 3, eps=0.0)
    np.testing.assert_allclose(y, [[-np.sqrt(1.5), 0.0, np.sqrt(1.5)]], rtol=0, atol=1e-15)
    y = layer_norm([[1.0, 2.0, 3.0]], (3,), weight=[2.0, 2.0, 2.0], bias=[1.0, 1.0, 1.0])
    # default eps = 1e-5: x̂ = (x − 2) / sqrt(2/3 + 1e-5), which eps = 0 would miss by ~1e-5
    x_hat = 1 / np.sqrt(2 / 3 + 1e-5)
    assert y[0, 1] == pytest.approx(1.0, rel=0, abs=1e-15)
    assert y[0, 2] == pytest.approx(1 + 2 * x_hat, rel=1e-14)
    assert abs(y[0, 2] - (1 + 2 * np.sqrt(1.5))) > 1e-6


def test_layer_norm_normalizes_each_sample_over_the_last_dims_only():
    X = rng.normal(3.0, 5.0, size=(4, 3, 5, 2))
    Y = layer_norm(X, (5, 2))
    np.testing.assert_allclose(Y.mean(axis=(2, 3)), 0, rtol=0, atol=1e-12)
    # variance σ²/(σ² + eps), not 1: eps = 1e-5 is in the denominator
    var = X.var(axis=(2, 3))
    np.testing.assert_allclose(Y.var(axis=(2, 3)), var / (var + 1e-5), rtol=1e-12, atol=0)
    # the rest of the batch does not matter
    assert np.allclose(layer_norm(X[:1], (5, 2)), Y[:1], atol=1e-15)


def test_group_norm_agrees_with_the_loop_and_its_special_cases():
    X = rng.normal(size=(3, 6, 4, 5))
    w, b = rng.normal(size=6), rng.normal(size=6)
    for G in (1, 2, 3, 6):
        np.testing.assert_allclose(
            group_norm(X, G, w, b), group_norm_loop(X, G, w, b, 1e-5), rtol=0, atol=1e-12
        )
    # one group: layer norm over (C, H, W) with a per-channel affine
    ln = layer_norm(X, (6, 4, 5)) * w[:, None, None] + b[:, None, None]
    np.testing.assert_allclose(group_norm(X, 1, w, b), ln, rtol=0, atol=1e-12)
    # C groups: instance norm (each channel of each sample on its own)
    inst = (X - X.mean(axis=(2, 3), keepdims=True)) / np.sqrt(
        X.var(axis=(2, 3), keepdims=True) + 1e-5
    )
    np.testing.assert_allclose(group_norm(X, 6), inst, rtol=0, atol=1e-12)


def test_group_norm_of_an_n_by_c_input_agrees_with_the_loop():
    # (N, C) with no positions, as PyTorch's GroupNorm accepts
    X, w, b = rng.normal(size=(5, 6)), rng.normal(size=6), rng.normal(size=6)
    for G in (1, 2, 3):
        np.testing.assert_allclose(
            group_norm(X, G, w, b), group_norm_loop(X, G, w, b, 1e-5), rtol=0, atol=1e-12
        )


def test_eps_zero_is_accepted_and_a_constant_group_gives_nan_as_in_pytorch():
    X = np.array([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]])
    y = layer_norm(X, 3, eps=0.0)
    assert np.all(np.isnan(y[1]))
    np.testing.assert_allclose(y[0], (X[0] - X[0].mean()) / X[0].std(), rtol=0, atol=1e-15)
    dX = layer_norm_backward(np.ones_like(X), X, 3, eps=0.0)[0]
    assert np.all(np.isnan(dX[1])) and np.all(np.isfinite(dX[0]))


def test_float32_stays_float32_and_an_empty_batch_is_empty():
    X = rng.normal(size=(2, 4, 3)).astype(np.float32)
    assert group_norm(X, 2).dtype == np.float32 and layer_norm(X, 3).dtype == np.float32
    assert group_norm(np.zeros((0, 4, 3)), 2).shape == (0, 4, 3)
    dX, dw, db = layer_norm_backward(np.zeros((0, 3)), np.zeros((0, 3)), 3, np.ones(3), np.ones(3))
    assert dX.shape == (0, 3) and np.array_equal(dw, np.zeros(3)) and np.array_equal(db, 0 * dw)
    E = np.zeros((0, 4, 3))
    dX, dw, db = group_norm_backward(E, E, 2, np.ones(4), np.ones(4))
    assert dX.shape == (0, 4, 3) and np.array_equal(dw, np.zeros(4)) and np.array_equal(db, dw)
    # a 0 in normalized_shape: nothing to normalize, an empty output (PyTorch's too)
    assert layer_norm(np.ones((2, 0)), 0).shape == (2, 0)
    dX, dw, _ = layer_norm_backward(np.ones((2, 0)), np.ones((2, 0)), (0,), np.ones(0))
    assert dX.shape == (2, 0) and dw.shape == (0,)


@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm_gradients_match_finite_differences(affine):
    X = rng.normal(size=(3, 2, 4))
    w, b = (rng.normal(size=(2, 4)), rng.normal(size=(2, 4))) if affine else (None, None)
    G = rng.normal(size=X.shape)

    def loss():
        return float(np.sum(G * layer_norm(X, (2, 4), w, b)))

    dX, dw, db = layer_norm_backward(G, X, (2, 4), w, b)
    assert_gradients_match(dX, numeric_grad(loss, X))
    if affine:
        assert_gradients_match(dw, numeric_grad(loss, w))
        assert_gradients_match(db, numeric_grad(loss, b))
    else:
        assert dw is None and db is None


@pytest.mark.parametrize("G", [1, 2, 4])
def test_group_norm_gradients_match_finite_differences(G):
    X = rng.normal(size=(2, 4, 3, 2))
    w, b = rng.normal(size=4), rng.normal(size=4)
    Gr = rng.normal(size=X.shape)

    def loss():
        return float(np.sum(Gr * group_norm(X, G, w, b)))

    dX, dw, db = group_norm_backward(Gr, X, G, w, b)
    assert_gradients_match(dX, numeric_grad(loss, X))
    assert_gradients_match(dw, numeric_grad(loss, w))
    assert_gradients_match(db, numeric_grad(loss, b))
    dX2, none_w, none_b = group_norm_backward(Gr, X, G)
    assert none_w is None and none_b is None
    assert_gradients_match(dX2, numeric_grad(lambda: float(np.sum(Gr * group_norm(X, G))), X))


@pytest.mark.parametrize(
    "call, error, name",
    [
        (lambda: layer_norm(np.ones((2, 3)), 4), ValueError, "normalized_shape"),
        (lambda: layer_norm(np.ones((2, 3)), ()), TypeError, "normalized_shape"),
        (lambda: layer_norm(np.ones((2, 3)), (2, 3, 1)), ValueError, "normalized_shape"),
        (lambda: layer_norm(np.ones((2, 3)), 3.0), TypeError, "normalized_shape"),
        (lambda: layer_norm(np.ones((2, 3)), 3, weight=np.ones(2)), ValueError, "weight"),
        (lambda: layer_norm(np.ones((2, 3)), 3, bias=np.ones((1, 3))), ValueError, "bias"),
        (lambda: layer_norm(np.ones((2, 3)), 3, eps=-1e-5), ValueError, "eps"),
        (lambda: group_norm(np.ones((2, 6, 3)), 2, eps=np.nan), ValueError, "eps"),
        (lambda: layer_norm(np.ones((2, 3)), (-3,)), ValueError, "normalized_shape"),
        (lambda: layer_norm([[np.nan, 1.0]], 2), ValueError, "X"),
        (lambda: group_norm(np.ones(4), 2), ValueError, "X"),
        (lambda: group_norm(np.ones((2, 6, 3)), 4), ValueError, "num_groups"),
        (lambda: group_norm(np.ones((2, 6, 3)), 0), ValueError, "num_groups"),
        (lambda: group_norm(np.ones((2, 6, 3)), 2.0), TypeError, "num_groups"),
        (lambda: group_norm(np.ones((2, 6, 3)), 2, weight=np.ones(3)), ValueError, "weight"),
        (lambda: group_norm_backward(np.ones((2, 6)), np.ones((2, 6, 3)), 2), ValueError, "dY"),
        (lambda: layer_norm_backward(np.ones((2, 2)), np.ones((2, 3)), 3), ValueError, "dY"),
    ],
)
def test_bad_input_names_the_argument(call, error, name):
    with pytest.raises(error, match=rf"^{name}:"):
        call()
