"""Tests for snippets/backprop.py: exact gradients, the worked example, training, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets import backprop as bp
from tests.gradcheck import assert_gradients_match

ACTS = list(bp.ACTIVATIONS)


def random_net(seed: int, depth: int, act: str, n: int = 4):
    """A random network, batch and targets, drawn here (not by the snippet), kink-free for ReLU."""
    rng = np.random.default_rng(seed)
    while True:
        sizes = rng.integers(1, 6, size=depth + 1)
        params = [
            (rng.normal(0, 0.8, size=(i, o)), rng.normal(0, 0.5, size=o))
            for i, o in zip(sizes[:-1], sizes[1:])
        ]
        X = rng.normal(size=(n, sizes[0]))
        T = rng.uniform(-0.5, 1.5, size=(n, sizes[-1]))
        _, cache = bp.forward(params, X, act)
        if act != "relu" or min(np.abs(z).min() for z in cache.z) > 1e-3:
            return params, X, T


def numeric_grad(params, X, T, act, out_act=None, h=1e-5):
    """Centred finite differences, written independently of the snippet's helper."""
    flat = []
    for li, (W, b) in enumerate(params):
        for which, theta in ((0, W), (1, b)):
            g = np.zeros_like(theta)
            for idx in np.ndindex(theta.shape):
                vals = []
                for sign in (1, -1):
                    p = [(w.copy(), bb.copy()) for w, bb in params]
                    p[li][which][idx] += sign * h
                    A, _ = bp.forward(p, X, act, out_act)
                    vals.append(0.5 * np.sum((T - A) ** 2) / X.shape[0])
                g[idx] = (vals[0] - vals[1]) / (2 * h)
            flat.append(g.ravel())
    return np.concatenate(flat)


# --- gradients ---------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    depth=st.integers(1, 4),
    act=st.sampled_from(ACTS),
    out_act=st.sampled_from([None, *ACTS]),
)
def test_backward_matches_finite_differences(seed, depth, act, out_act):
    params, X, T = random_net(seed, depth, act)
    if out_act == "relu":  # keep the output layer away from its kink too
        out_act = None if act == "relu" else out_act
    A, cache = bp.forward(params, X, act, out_act)
    analytic = bp.flatten(bp.backward(params, cache, T))
    numeric = numeric_grad(params, X, T, act, out_act)
    assert_gradients_match(analytic, numeric)


def test_a_vanishing_gradient_is_checked_against_the_noise_of_finite_differences():
    # found by hypothesis: four linear layers into a saturated tanh, ‖gradient‖ ≈ 1.6e-5, where
    # the finite differences' rounding noise alone gives a relative error of about 4e-6
    params, X, T = random_net(317, 4, "identity")
    A, cache = bp.forward(params, X, "identity", "tanh")
    assert np.abs(A).min() > 0.999  # saturated
    analytic = bp.flatten(bp.backward(params, cache, T))
    assert_gradients_match(analytic, numeric_grad(params, X, T, "identity", "tanh"))
    with pytest.raises(AssertionError):  # a gradient off by 1 % is still caught
        assert_gradients_match(analytic * 1.01, numeric_grad(params, X, T, "identity", "tanh"))


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_snippet_numerical_gradient_agrees(act, depth):
    params, X, T = random_net(100 + depth, depth, act)
    _, cache = bp.forward(params, X, act)
    analytic = bp.flatten(bp.backward(params, cache, T))
    numeric = bp.flatten(bp.numerical_gradient(params, X, T, act))
    assert bp.relative_error(analytic, numeric) <= 1e-7


def test_relative_error_is_the_vector_measure():
    a = np.array([1.0, 0.0])
    n = np.array([1.0, 1e-9])
    assert bp.relative_error(a, n) == pytest.approx(1e-9 / (1 + np.hypot(1, 1e-9)))
    assert bp.relative_error(np.zeros(3), np.zeros(3)) == 0.0


@pytest.mark.parametrize("act", ACTS)
def test_loop_and_vectorized_backward_agree(act):
    for seed in range(5):
        params, X, T = random_net(seed, 3, act, n=6)
        _, cache = bp.forward(params, X, act, "sigmoid")
        fast = bp.backward(params, cache, T)
        slow = bp.backward_naive(params, cache, T)
        for (dW, db), (dW2, db2) in zip(fast, slow):
            np.testing.assert_allclose(dW, dW2, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(db, db2, rtol=1e-12, atol=1e-15)


def test_relu_derivative_at_zero_is_zero():
    z = np.array([[-1.0, 0.0, 2.0]])
    np.testing.assert_array_equal(
        bp.activation_derivative("relu", z, np.maximum(z, 0)), [[0, 0, 1]]
    )
    # a hidden unit sitting exactly at 0 passes no gradient to its incoming weights
    params = [(np.array([[1.0, 1.0]]), np.array([-1.0, 0.5])), (np.ones((2, 1)), np.zeros(1))]
    X = np.array([[1.0]])  # unit 0: z = 1 - 1 = 0 exactly
    _, cache = bp.forward(params, X, "relu", "identity")
    (dW1, db1), _ = bp.backward(params, cache, np.array([[3.0]]))
    assert dW1[0, 0] == 0.0 and db1[0] == 0.0
    assert dW1[0, 1] != 0.0


def test_output_activation_defaults_to_activation():
    params, X, _ = random_net(1, 2, "tanh")
    A1, _ = bp.forward(params, X, "tanh")
    A2, _ = bp.forward(params, X, "tanh", "tanh")
    A3, cache = bp.forward(params, X, "tanh", "identity")
    np.testing.assert_array_equal(A1, A2)
    np.testing.assert_allclose(np.tanh(A3), A1)
    assert cache.activations == ("tanh", "identity")


def test_forward_computes_z_equals_x_w_plus_b():
    W = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])
    b = np.array([0.5, 0.0, -1.0])
    X = np.array([[1.0, 2.0]])
    A, cache = bp.forward([(W, b)], X, "identity")
    np.testing.assert_allclose(A, [[1.5, 0.0, 5.0]])
    A, _ = bp.forward([(W, b)], X, "relu")
    np.testing.assert_allclose(A, [[1.5, 0.0, 5.0]])
    A, _ = bp.forward([(W, b)], X, "sigmoid")
    np.testing.assert_allclose(A, 1 / (1 + np.exp(-np.array([[1.5, 0.0, 5.0]]))))


def test_mse_loss_by_hand():
    A = np.array([[1.0, 2.0], [0.0, 0.0]])
    T = np.array([[0.0, 0.0], [0.0, 3.0]])
    # sample 1: ½(1 + 4) = 2.5; sample 2: ½·9 = 4.5; mean 3.5
    assert bp.mse_loss(A, T) == pytest.approx(3.5)


def test_cross_entropy_output_error_is_a_minus_t():
    # the page's statements for sigmoid + binary cross-entropy and softmax + cross-entropy:
    # dL/dz = a - t per sample, while squared error keeps the factor a(1 - a)
    rng = np.random.default_rng(0)
    z = rng.normal(size=(6, 3))
    t = rng.uniform(size=(6, 3))
    h = 1e-6

    def bce(z):
        a = bp.sigmoid(z)
        return np.sum(-(t * np.log(a) + (1 - t) * np.log(1 - a)))

    def softmax(z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    onehot = bp.one_hot(rng.integers(0, 3, size=6), 3)

    def ce(z):
        return -np.sum(onehot * np.log(softmax(z)))

    def mse(z):
        return 0.5 * np.sum((t - bp.sigmoid(z)) ** 2)

    for loss, expected in (
        (bce, bp.sigmoid(z) - t),
        (ce, softmax(z) - onehot),
        (mse, (bp.sigmoid(z) - t) * bp.sigmoid(z) * (1 - bp.sigmoid(z))),
    ):
        numeric = np.zeros_like(z)
        for idx in np.ndindex(z.shape):
            up, down = z.copy(), z.copy()
            up[idx] += h
            down[idx] -= h
            numeric[idx] = (loss(up) - loss(down)) / (2 * h)
        assert bp.relative_error(expected, numeric) < 1e-8


def test_sigmoid_is_stable_for_large_inputs():
    z = np.array([-1000.0, 0.0, 1000.0])
    np.testing.assert_allclose(bp.sigmoid(z), [0.0, 0.5, 1.0])


# --- the worked example, recomputed with scalar formulas --------------------------------------


# --- the experiments: their set-up; what they show is in claims() ---------------------------


def test_sgd_step_and_train_update_by_gradient():
    params, X, T = random_net(3, 2, "tanh")
    _, cache = bp.forward(params, X, "tanh")
    grads = bp.backward(params, cache, T)
    new = bp.sgd_step(params, grads, 0.1)
    for (W, b), (dW, db), (W2, b2) in zip(params, grads, new):
        np.testing.assert_allclose(W2, W - 0.1 * dW)
        np.testing.assert_allclose(b2, b - 0.1 * db)
    trained, losses = bp.train(params, X, T, 0.1, 1, "tanh")
    np.testing.assert_allclose(trained[0][0], new[0][0])
    assert len(losses) == 2


def test_init_params_shapes_and_scale():
    p = bp.init_params([400, 300, 2], np.random.default_rng(0), "he")
    assert [W.shape for W, _ in p] == [(400, 300), (300, 2)]
    assert np.std(p[0][0]) == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert all(np.all(b == 0) for _, b in p)
    z = bp.init_params([3, 2], 0, "zeros")
    assert np.all(z[0][0] == 0)


# --- bad input ---------------------------------------------------------------------------------

GOOD_W = np.ones((2, 3))
GOOD_B = np.zeros(3)
GOOD_X = np.ones((4, 2))


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: bp.forward([(GOOD_W, GOOD_B)], np.ones((4, 5))), ValueError, ["X", "(4, 5)"]),
        (lambda: bp.forward([(GOOD_W, GOOD_B)], np.ones((0, 2))), ValueError, ["X", "row"]),
        (lambda: bp.forward([(GOOD_W, GOOD_B)], np.ones(2)), ValueError, ["X", "2-D"]),
        (lambda: bp.forward([(GOOD_W, GOOD_B)], GOOD_X, "softplus"), ValueError, ["activation"]),
        (lambda: bp.forward([(GOOD_W, GOOD_B)], GOOD_X, 3), TypeError, ["activation"]),
        (
            lambda: bp.forward([(GOOD_W, GOOD_B)], GOOD_X, "relu", "gelu"),
            ValueError,
            ["output_activation"],
        ),
        (
            lambda: bp.forward([(GOOD_W, GOOD_B)], np.full((4, 2), np.nan)),
            ValueError,
            ["X", "NaN"],
        ),
        (
            lambda: bp.forward([(np.full((2, 3), np.inf), GOOD_B)], GOOD_X),
            ValueError,
            ["params[0] W", "inf"],
        ),
        (lambda: bp.forward([(GOOD_W, np.zeros(2))], GOOD_X), ValueError, ["params[0] b", "(3,)"]),
        (
            lambda: bp.forward([(GOOD_W, GOOD_B), (np.ones((2, 1)), np.zeros(1))], GOOD_X),
            ValueError,
            ["params[1] W", "fan_in 3"],
        ),
        (lambda: bp.forward([], GOOD_X), TypeError, ["params", "empty"]),
        (lambda: bp.forward("W", GOOD_X), TypeError, ["params"]),
        (lambda: bp.forward([(GOOD_W,)], GOOD_X), TypeError, ["params[0]"]),
        (lambda: bp.forward([(GOOD_W, GOOD_B)], "X"), TypeError, ["X"]),
        (lambda: bp.mse_loss(np.ones((2, 3)), np.ones((2, 2))), ValueError, ["T", "(2, 3)"]),
        (lambda: bp.mse_loss(np.ones((0, 3)), np.ones((0, 3))), ValueError, ["A", "row"]),
        (lambda: bp.sgd_step([(GOOD_W, GOOD_B)], [(GOOD_W, GOOD_B)], -1.0), ValueError, ["lr"]),
        (lambda: bp.sgd_step([(GOOD_W, GOOD_B)], [], 0.1), ValueError, ["grads"]),
        (lambda: bp.init_params([2], 0), ValueError, ["sizes"]),
        (lambda: bp.init_params([2, 0], 0), ValueError, ["sizes[1]"]),
        (lambda: bp.init_params([2, 3], "seed"), TypeError, ["rng"]),
        (lambda: bp.init_params([2, 3], 0, "uniform"), ValueError, ["method"]),
    ],
)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)


def test_backward_rejects_mismatched_cache_and_targets():
    params = [(GOOD_W, GOOD_B)]
    _, cache = bp.forward(params, GOOD_X)
    with pytest.raises(ValueError, match="T: expected shape"):
        bp.backward(params, cache, np.ones((4, 2)))
    with pytest.raises(TypeError, match="cache"):
        bp.backward(params, {"z": []}, np.ones((4, 3)))
    other = [(np.ones((2, 2)), np.zeros(2)), (np.ones((2, 3)), GOOD_B)]
    with pytest.raises(ValueError, match="cache"):
        bp.backward(other, cache, np.ones((4, 3)))
    with pytest.raises(ValueError, match="T: expected finite"):
        bp.backward(params, cache, np.full((4, 3), np.inf))
