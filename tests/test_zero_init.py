"""Tests for snippets/zero_init.py: symmetry that never breaks, dead gradients, the unit
spread, the collapse to one unit, initialisers and activation statistics, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets import backprop as bp
from snippets import zero_init as zi


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def random_problem(seed: int, n: int, d: int):
    """A batch and targets in [0, 1] drawn here, not by the snippet."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.uniform(size=(n, 1))


# --- symmetry: the claims for any data, width and depth --------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 12),
    d=st.integers(1, 4),
    hidden=st.lists(st.integers(1, 9), min_size=1, max_size=2),
    act=st.sampled_from(["sigmoid", "tanh", "relu"]),
    value=st.sampled_from([0.0, 0.3, -0.7]),
    steps=st.integers(1, 6),
    batch_size=st.sampled_from([None, 1, 3]),
)
def test_units_stay_identical_after_k_steps(seed, n, d, hidden, act, value, steps, batch_size):
    X, T = random_problem(seed, n, d)
    params = zi.constant_init([d, *hidden, 1], value)
    # full batch or shuffled mini-batches: every unit sees the same samples, so the noise is shared
    trained, _ = bp.train(params, X, T, 0.5, steps, act, "sigmoid", batch_size=batch_size, rng=seed)
    for l, (W, b) in enumerate(trained[:-1]):
        # identical up to round-off: BLAS may sum different columns in a different order
        scale = 1.0 + np.abs(W).max() + np.abs(b).max()
        assert zi.unit_spread(W, b) <= 1e-13 * scale, l
    if value == 0.0 and act in ("tanh", "relu"):
        # hidden outputs are 0: no weight gradient anywhere, only the output bias learns
        for W, b in trained[:-1]:
            np.testing.assert_array_equal(W, 0.0)
            np.testing.assert_array_equal(b, 0.0)
        np.testing.assert_array_equal(trained[-1][0], 0.0)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    hidden=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    out=st.integers(1, 3),
)
def test_relu_zero_network_gradients_are_exactly_zero(seed, hidden, out):
    X, _ = random_problem(seed, 5, 3)
    T = np.random.default_rng(seed + 1).normal(size=(5, out))
    params = bp.init_params([3, *hidden, out], 0, "zeros")
    for output_activation in ("sigmoid", "identity"):
        _, cache = bp.forward(params, X, "relu", output_activation)
        grads = bp.backward(params, cache, T)
        for dW, db in grads[:-1]:
            np.testing.assert_array_equal(dW, 0.0)
            np.testing.assert_array_equal(db, 0.0)
        np.testing.assert_array_equal(grads[-1][0], 0.0)
        # the output bias alone: dL/db = sum_n (a_n - t_n) f'(0) / N
        a0 = 0.5 if output_activation == "sigmoid" else 0.0
        slope = 0.25 if output_activation == "sigmoid" else 1.0
        np.testing.assert_allclose(grads[-1][1], (a0 - T).sum(axis=0) * slope / 5, rtol=1e-12)


def test_random_weights_with_zero_biases_break_the_symmetry():
    X, T = random_problem(4, 10, 2)
    params = bp.init_params([2, 6, 1], 4, "xavier")
    assert all(np.all(b == 0) for _, b in params)
    trained, _ = bp.train(params, X, T, 0.5, 20, "sigmoid", "sigmoid")
    assert zi.unit_spread(*trained[0]) > 0.1
    assert zi.n_distinct_units(*trained[0]) == 6


# --- unit_spread, n_distinct_units, collapse -------------------------------------------------


def test_unit_spread_by_hand():
    W = np.array([[1.0, 2.0, 1.5], [3.0, 3.0, 3.0]])
    assert zi.unit_spread(W) == 1.0
    assert zi.unit_spread(W, np.array([0.0, 5.0, -1.0])) == 6.0
    assert zi.unit_spread(np.array([[2.0], [-7.0]]), np.array([4.0])) == 0.0
    assert zi.unit_spread(np.full((3, 4), 0.25)) == 0.0
    assert zi.n_distinct_units(W) == 3
    assert zi.n_distinct_units(np.tile([[1.0], [2.0]], (1, 5)), np.zeros(5)) == 1
    assert zi.n_distinct_units(np.tile([[1.0], [2.0]], (1, 5)), np.arange(5.0)) == 5
    assert zi.n_distinct_units(np.array([[0.0, -0.0]])) == 1


@settings(max_examples=50, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    fan_in=st.integers(1, 5),
    fan_out=st.integers(1, 6),
    with_bias=st.booleans(),
)
def test_unit_spread_loop_and_vectorized_agree(seed, fan_in, fan_out, with_bias):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(fan_in, fan_out))
    b = rng.normal(size=fan_out) if with_bias else None
    assert zi.unit_spread(W, b) == zi.unit_spread_naive(W, b)
    # the largest gap over pairs of columns, computed a third way
    M = W if b is None else np.vstack([W, b])
    pairs = [np.abs(M[:, j] - M[:, k]).max() for j in range(fan_out) for k in range(fan_out)]
    assert zi.unit_spread(W, b) == max(pairs)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    hidden=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    out=st.integers(1, 3),
    act=st.sampled_from(list(bp.ACTIVATIONS)),
)
def test_collapsed_network_computes_the_same_function(seed, hidden, out, act):
    rng = np.random.default_rng(seed)
    sizes = [3, *hidden, out]
    params = []
    for l, (i, o) in enumerate(zip(sizes[:-1], sizes[1:])):
        if l < len(hidden):  # a hidden layer of identical units: one random column, repeated
            W = np.tile(rng.normal(size=(i, 1)), (1, o))
            b = np.full(o, rng.normal())
        else:
            W, b = rng.normal(size=(i, o)), rng.normal(size=o)
        params.append((W, b))
    small = zi.collapse_identical_units(params)
    assert [W.shape for W, _ in small] == [(3, 1)] + [(1, 1)] * (len(hidden) - 1) + [(1, out)]
    X = rng.normal(size=(7, 3))
    big_out = bp.forward(params, X, act, "identity")[0]
    small_out = bp.forward(small, X, act, "identity")[0]
    np.testing.assert_allclose(small_out, big_out, rtol=1e-12, atol=1e-12)


def test_collapse_refuses_units_that_differ():
    params = bp.init_params([2, 3, 1], 0, "xavier")
    with pytest.raises(ValueError, match=r"params\[0\]: expected identical hidden units"):
        zi.collapse_identical_units(params)
    with pytest.raises(ValueError, match="at least one hidden layer"):
        zi.collapse_identical_units([(np.ones((2, 1)), np.zeros(1))])


# --- initialisers, activation statistics, training record ------------------------------------


def test_constant_and_normal_init():
    p = zi.constant_init([3, 4, 2], 0.5, bias=-1.0)
    assert [W.shape for W, _ in p] == [(3, 4), (4, 2)]
    assert all(np.all(W == 0.5) and np.all(b == -1.0) for W, b in p)
    z = zi.constant_init([3, 4, 2], 0)
    assert all(np.all(W == 0) and np.all(b == 0) for W, b in z)
    q = zi.normal_init([500, 400, 3], 7, 0.05)
    assert np.std(q[0][0]) == pytest.approx(0.05, rel=0.01)
    assert abs(np.mean(q[0][0])) < 0.05 * 0.01
    assert all(np.all(b == 0) for _, b in q)
    np.testing.assert_array_equal(q[1][0], zi.normal_init([500, 400, 3], 7, 0.05)[1][0])


def test_activation_stds_against_a_hand_forward():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 4))
    W1, b1 = rng.normal(size=(4, 3)), rng.normal(size=3)
    W2, b2 = rng.normal(size=(3, 2)), rng.normal(size=2)
    h = np.tanh(X @ W1 + b1)
    o = np.tanh(h @ W2 + b2)
    stds = zi.activation_stds([(W1, b1), (W2, b2)], X, "tanh")
    np.testing.assert_allclose(stds, [np.sqrt(np.mean((h - h.mean()) ** 2)), o.std()])
    # identity layers scale the std exactly
    s = zi.activation_stds([(2 * np.eye(4), np.zeros(4))] * 3, X, "identity")
    np.testing.assert_allclose(s, X.std() * np.array([2, 4, 8]), rtol=1e-12)


def test_train_recording_matches_train():
    X, T = random_problem(2, 8, 2)
    params = bp.init_params([2, 3, 1], 2, "xavier")
    trained, losses, history = zi.train_recording(params, X, T, 0.5, 4, "tanh")
    ref, ref_losses = bp.train(params, X, T, 0.5, 4, "tanh", "sigmoid")
    np.testing.assert_array_equal(losses, ref_losses)
    assert history.shape == (5, 3, 3)
    np.testing.assert_array_equal(history[0], np.vstack(params[0]))
    np.testing.assert_array_equal(history[-1], np.vstack(ref[0]))
    np.testing.assert_array_equal(
        zi.spread_history(history), [zi.unit_spread(h[:2], h[2]) for h in history]
    )


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: zi.constant_init([2, 3], "a"), TypeError, ["value", "finite number"]),
        (lambda: zi.constant_init([2, 3], float("nan")), ValueError, ["value", "nan"]),
        (lambda: zi.constant_init([2, 3], 0.0, bias=np.inf), ValueError, ["bias"]),
        (lambda: zi.constant_init([2, 3], True), TypeError, ["value"]),
        (lambda: zi.constant_init([2], 0.0), ValueError, ["sizes"]),
        (lambda: zi.constant_init([2, 0], 0.0), ValueError, ["sizes[1]"]),
        (lambda: zi.normal_init([2, 3], 0, -1.0), ValueError, ["std", "> 0"]),
        (lambda: zi.normal_init([2, 3], 0, "big"), TypeError, ["std"]),
        (lambda: zi.normal_init([2, 3], "seed", 0.1), TypeError, ["rng"]),
        (lambda: zi.normal_init([2, 2.5], 0, 0.1), TypeError, ["sizes[1]"]),
        (lambda: zi.unit_spread(np.ones(3)), ValueError, ["W", "2-D"]),
        (lambda: zi.unit_spread(np.ones((2, 0))), ValueError, ["W", "non-empty"]),
        (lambda: zi.unit_spread(np.ones((2, 3)), np.ones(2)), ValueError, ["b", "(3,)"]),
        (lambda: zi.unit_spread([[1.0, np.nan]]), ValueError, ["W", "NaN"]),
        (lambda: zi.unit_spread("W"), TypeError, ["W"]),
        (lambda: zi.unit_spread_naive(np.ones((2, 3)), np.ones((3, 1))), ValueError, ["b"]),
        (lambda: zi.n_distinct_units(np.ones((2, 2, 2))), ValueError, ["W"]),
        (lambda: zi.collapse_identical_units("params"), TypeError, ["params"]),
        (
            lambda: zi.activation_stds([(np.ones((2, 3)), np.zeros(3))], np.ones((4, 5)), "tanh"),
            ValueError,
            ["X", "(4, 5)"],
        ),
        (
            lambda: zi.activation_stds([(np.ones((2, 3)), np.zeros(3))], np.ones((4, 2)), "elu"),
            ValueError,
            ["activation"],
        ),
        (
            lambda: zi.train_recording(
                [(np.ones((2, 3)), np.zeros(3)), (np.ones((3, 1)), np.zeros(1))],
                np.ones((4, 2)),
                np.ones((4, 2)),
                0.1,
                2,
                "tanh",
            ),
            ValueError,
            ["T", "(4, 1)"],
        ),
        (
            lambda: zi.train_recording(
                [(np.ones((2, 1)), np.zeros(1))], np.ones((4, 2)), np.ones((4, 1)), 0.1, 0, "tanh"
            ),
            ValueError,
            ["epochs"],
        ),
        (lambda: zi.spread_history(np.ones((3, 2))), ValueError, ["history", "3-D"]),
        (lambda: zi.spread_history(np.ones((0, 2, 2))), ValueError, ["history"]),
    ],
)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)
