"""snippets/residual.py: a residual block is x + F(x) exactly, its gradients (input, inner
parameters, projection) agree with finite differences, the identity path hands dL/dy to x
unchanged, and bad shapes are named."""

from __future__ import annotations

import numpy as np
import pytest

from snippets import layers, losses
from snippets.residual import Residual
from tests.gradcheck import assert_gradients_match, numeric_grad

rng = np.random.default_rng(0)


def block(n_in, n_hidden, n_out, projection=False):
    inner = [
        layers.Dense(rng.normal(size=(n_in, n_hidden)) * 0.5, rng.normal(size=n_hidden)),
        layers.Activation("tanh"),
        layers.Dense(rng.normal(size=(n_hidden, n_out)) * 0.5, rng.normal(size=n_out)),
    ]
    return Residual(inner, rng.normal(size=(n_in, n_out)) if projection else None)


def test_the_output_is_x_plus_f_of_x():
    b = block(3, 4, 3)
    X = rng.normal(size=(5, 3))
    Y, _ = b(X)
    assert np.array_equal(Y, X + layers.forward(b.inner, X)[0])
    p = block(3, 4, 2, projection=True)
    assert np.array_equal(p(X)[0], X @ p.projection + layers.forward(p.inner, X)[0])


def test_the_identity_path_passes_the_gradient_unchanged():
    # F's last layer is zero, so nothing flows back through F: dL/dx is dL/dy itself
    inner = [layers.Dense(rng.normal(size=(3, 3)), np.zeros(3)), layers.Activation("tanh"),
             layers.Dense(np.zeros((3, 3)), np.zeros(3))]  # fmt: skip
    b = Residual(inner)
    X, dY = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    _, cache = b(X)
    assert np.array_equal(b.backward(dY, cache)[0], dY)


@pytest.mark.parametrize("projection", [False, True])
def test_gradients_match_finite_differences(projection):
    out = 2 if projection else 3  # without a projection the block keeps the width
    net = [block(3, 5, 3), layers.Activation("tanh"), block(3, 4, out, projection=projection)]
    X, T = rng.normal(size=(6, 3)), rng.normal(size=(6, out))

    def loss():
        return losses.mse_loss(layers.forward(net, X)[0], T)

    A, caches = layers.forward(net, X)
    dX, grads = layers.backward(net, caches, losses.mse_grad(A, T))
    assert_gradients_match(dX, numeric_grad(loss, X))
    for layer, layer_grads in zip(net, grads, strict=True):
        assert len(layer_grads) == len(layer.params)
        for p, g in zip(layer.params, layer_grads, strict=True):
            assert g.shape == p.shape
            assert_gradients_match(g, numeric_grad(loss, p))


def test_a_block_that_changes_width_needs_a_projection():
    b = block(3, 4, 2)
    with pytest.raises(ValueError, match=r"^inner: F\(x\) has shape \(5, 2\)"):
        b(rng.normal(size=(5, 3)))
    with pytest.raises(ValueError, match="^projection:"):
        Residual(b.inner, np.ones(3))
    with pytest.raises(TypeError, match="^layers:"):
        Residual([])


def test_a_projection_of_the_wrong_shape_is_named():
    X = rng.normal(size=(5, 3))
    inner = block(3, 4, 2).inner  # F: 3 -> 2 features
    # wrong number of rows (input features): numpy's matmul error would not name it
    with pytest.raises(ValueError, match=r"^projection: expected shape \(3, 2\).*got \(4, 2\)"):
        Residual(inner, np.ones((4, 2)))(X)
    # right rows, but the width does not match F's output
    with pytest.raises(ValueError, match=r"^projection: expected shape \(3, 2\).*got \(3, 4\)"):
        Residual(inner, np.ones((3, 4)))(X)
    assert Residual(inner, np.ones((3, 2)))(X)[0].shape == (5, 2)
