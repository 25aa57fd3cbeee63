"""Tests for snippets/training.py: the loop against a hand-written one, the update hook,
batch skipping, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from snippets import layers, losses, training


def _data(seed=0, n=10):
    rng = np.random.default_rng(seed)
    params = [(rng.normal(size=(3, 4)), np.zeros(4)), (rng.normal(size=(4, 2)), np.zeros(2))]
    return params, rng.normal(size=(n, 3)), rng.uniform(size=(n, 2))


def test_full_batch_sgd_equals_a_hand_written_loop():
    params, X, T = _data()
    net = layers.mlp(params, "tanh", "identity")
    history = training.train(net, X, T, 3, training.sgd(0.1))
    W1, b1, W2, b2 = (a.copy() for pair in params for a in pair)
    expected = []
    for epoch in range(4):
        H = np.tanh(X @ W1 + b1)
        A = H @ W2 + b2
        expected.append(0.5 * np.sum((A - T) ** 2) / len(X))
        if epoch == 3:
            break
        dA = (A - T) / len(X)
        dZ = (dA @ W2.T) * (1 - H * H)
        W2, b2 = W2 - 0.1 * H.T @ dA, b2 - 0.1 * dA.sum(0)
        W1, b1 = W1 - 0.1 * X.T @ dZ, b1 - 0.1 * dZ.sum(0)
    np.testing.assert_allclose(history, expected, rtol=1e-12)
    np.testing.assert_allclose(net[0].W, W1, rtol=1e-12)


def test_update_sees_every_layer_every_batch_and_min_batch_skips():
    params, X, T = _data(n=7)
    net = layers.mlp(params, "tanh")
    calls = []
    training.train(net, X, T, 2, lambda i, layer, g: calls.append(i), batch_size=3, rng=0)
    assert len(calls) == 2 * 3 * len(net)  # batches of 3, 3, 1
    net[1].min_batch = 2  # like batch norm: a last batch of one sample is skipped
    calls.clear()
    training.train(net, X, T, 2, lambda i, layer, g: calls.append(i), batch_size=3, rng=0)
    assert len(calls) == 2 * 2 * len(net)


def test_loss_goes_down_and_callback_runs_each_epoch():
    params, X, T = _data()
    seen = []
    history = training.train(layers.mlp(params, "tanh", "identity"), X, T, 20,
                             training.sgd(0.2), callback=seen.append)  # fmt: skip
    assert seen == list(range(1, 21)) and history[-1] < history[0]
    assert history[0] == pytest.approx(losses.mse_loss(layers.forward(layers.mlp(
        params, "tanh", "identity"), X)[0], T))  # fmt: skip


@pytest.mark.parametrize(
    "kwargs, exc, words",
    [
        ({"epochs": 0}, ValueError, ["epochs", "0"]),
        ({"update": 0.1}, TypeError, ["update", "callable"]),
        ({"loss": "hinge"}, ValueError, ["loss", "hinge"]),
        ({"batch_size": 0}, ValueError, ["batch_size"]),
        ({"T": np.ones((10, 3))}, ValueError, ["T", "(10, 2)"]),
        ({"X": np.full((10, 3), np.nan)}, ValueError, ["X", "NaN"]),
        ({"callback": 1}, TypeError, ["callback"]),
        ({"layers": []}, TypeError, ["layers"]),
    ],
)
def test_bad_input_names_the_argument(kwargs, exc, words):
    params, X, T = _data()
    args = {"layers": layers.mlp(params, "tanh"), "X": X, "T": T, "epochs": 1,
            "update": training.sgd(0.1)} | kwargs  # fmt: skip
    with pytest.raises(exc) as info:
        training.train(**args)
    for word in words:
        assert word in str(info.value)


def test_sgd_rejects_a_bad_rate():
    with pytest.raises(ValueError, match="lr"):
        training.sgd(-1.0)
