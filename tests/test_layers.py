"""Tests for snippets/layers.py: each layer's backward pass against finite differences, a
network of layers against backprop.py's δ recursion, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from snippets import activations, backprop, gradient_check, layers, losses
from tests.gradcheck import assert_gradients_match


def _net_loss(net, X, T):
    return lambda: losses.mse_loss(layers.forward(net, X, training=True)[0], T)


@settings(max_examples=30, deadline=None)
@example(seed=9126, act="leaky_relu", depth=3)  # a vanishing dL/dX (see below)
@given(
    seed=st.integers(0, 2**32 - 1),
    act=st.sampled_from([a for a in activations.ACTIVATIONS if a != "relu"]),
    depth=st.integers(1, 3),
)
def test_network_gradients_match_finite_differences(seed, act, depth):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 5, size=depth + 1)
    params = [(rng.normal(size=(i, o)), rng.normal(size=o)) for i, o in zip(sizes[:-1], sizes[1:])]
    net = layers.mlp(params, act, "identity")
    X, T = rng.normal(size=(5, sizes[0])), rng.normal(size=(5, sizes[-1]))
    A, caches = layers.forward(net, X)
    dX, grads = layers.backward(net, caches, losses.mse_grad(A, T))
    analytic = [g for layer_grads in grads for g in layer_grads]
    arrays = [p for layer in net for p in layer.params]
    numeric = gradient_check.numerical_gradient(_net_loss(net, X, T), arrays)
    assert_gradients_match(gradient_check.flatten(analytic), gradient_check.flatten(numeric))
    # dL/dX too: the input is just another array to perturb. Through two leaky-ReLU slopes of
    # 0.01 it can be ~1e-5, where the differences' own round-off (~1e-11) is a relative 1e-6:
    # hence the absolute allowance of assert_gradients_match (seed 9126, leaky_relu, depth 3)
    Xc = X.copy()
    numeric_x = gradient_check.numerical_gradient(_net_loss(net, Xc, T), [Xc])[0]
    assert_gradients_match(dX, numeric_x)


@pytest.mark.parametrize("act", backprop.ACTIVATIONS)
def test_layers_reproduce_the_delta_recursion_exactly(act):
    rng = np.random.default_rng(3)
    params = backprop.init_params([3, 4, 2], rng)
    X, T = rng.normal(size=(6, 3)), rng.uniform(size=(6, 2))
    A, cache = backprop.forward(params, X, act)
    net = layers.mlp(params, act)
    A2, caches = layers.forward(net, X)
    np.testing.assert_array_equal(A, A2)
    _, grads = layers.backward(net, caches, losses.mse_grad(A2, T))
    dense = [g for layer, g in zip(net, grads) if isinstance(layer, layers.Dense)]
    for (dW, db), (dW2, db2) in zip(backprop.backward(params, cache, T), dense):
        np.testing.assert_array_equal(dW, dW2)
        np.testing.assert_array_equal(db, db2)


def test_dense_by_hand():
    d = layers.Dense([[1.0, 2.0], [3.0, 4.0]], [0.5, -0.5])
    Y, cache = d(np.array([[1.0, 1.0]]))
    np.testing.assert_array_equal(Y, [[4.5, 5.5]])
    dX, dW, db = d.backward(np.array([[1.0, 0.0]]), cache)
    np.testing.assert_array_equal(dX, [[1.0, 3.0]])
    np.testing.assert_array_equal(dW, [[1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_array_equal(db, [1.0, 0.0])


def test_dense_copies_its_weights():
    W = np.ones((2, 2))
    d = layers.Dense(W, np.zeros(2))
    d.params[0] -= 1.0
    assert W[0, 0] == 1.0 and d.W[0, 0] == 0.0


def test_mlp_inserts_norm_layers_after_hidden_dense_layers():
    class Marker:
        params: list = []

    m = Marker()
    net = layers.mlp([(np.ones((2, 3)), np.zeros(3)), (np.ones((3, 1)), np.zeros(1))], "tanh",
                     "sigmoid", norms=[m])  # fmt: skip
    assert [type(x).__name__ for x in net] == [
        "Dense",
        "Marker",
        "Activation",
        "Dense",
        "Activation",
    ]
    assert net[-1].name == "sigmoid" and net[2].name == "tanh"


@pytest.mark.parametrize(
    "call, exc, words",
    [
        (lambda: layers.Dense(np.ones((2, 3)), np.ones(2)), ValueError, ["b", "(3,)"]),
        (lambda: layers.Dense(np.ones(3), np.ones(3)), ValueError, ["W", "2-D"]),
        (lambda: layers.Dense([[np.nan]], [0.0]), ValueError, ["W", "NaN"]),
        (lambda: layers.Activation("swish"), ValueError, ["name", "swish"]),
        (lambda: layers.Activation("elu", alpha=np.inf), ValueError, ["alpha", "inf"]),
        (lambda: layers.mlp([], "tanh"), TypeError, ["params"]),
        (
            lambda: layers.mlp([(np.ones((1, 1)), np.zeros(1))] * 2, "tanh", norms=[]),
            ValueError,
            ["norms", "1"],
        ),  # fmt: skip
    ],
)
def test_bad_input_names_the_argument(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)
