"""Tests for snippets/batchnorm.py: exact gradients, PyTorch's running statistics, bad input;
and batch norm inside the backprop network."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets import backprop as bp
from snippets.batchnorm import BatchNorm, batchnorm_backward, batchnorm_forward


def rel_err(a, n) -> float:
    a, n = np.ravel(a), np.ravel(n)
    return float(np.linalg.norm(a - n) / max(1e-8, np.linalg.norm(a) + np.linalg.norm(n)))


def fd(f, x, h=1e-5):
    """Centred finite differences of the scalar f() with respect to every entry of x."""
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        up = f()
        x[idx] = old - h
        down = f()
        x[idx] = old
        g[idx] = (up - down) / (2 * h)
    return g


@pytest.mark.parametrize("shape", [(5, 3), (4, 2, 3, 3), (2, 3, 1, 2)])
def test_gradients_match_finite_differences(shape):
    rng = np.random.default_rng(0)
    X = rng.normal(1.0, 2.0, size=shape)
    C = shape[1]
    gamma, beta = rng.normal(size=C), rng.normal(size=C)
    R = rng.normal(size=shape)  # loss = sum(Y * R), so dL/dY = R

    def loss():
        return float(np.sum(batchnorm_forward(X, gamma, beta)[0] * R))

    _, cache = batchnorm_forward(X, gamma, beta)
    dX, dgamma, dbeta = batchnorm_backward(R, cache)
    assert rel_err(dX, fd(loss, X)) <= 1e-7
    assert rel_err(dgamma, fd(loss, gamma)) <= 1e-7
    assert rel_err(dbeta, fd(loss, beta)) <= 1e-7


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 6),
    d=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
    scale=st.floats(0.1, 100),
)
def test_output_has_mean_zero_and_variance_one_per_feature(n, d, seed, scale):
    rng = np.random.default_rng(seed)
    X = rng.normal(5.0, scale, size=(n, d))
    Y, _ = batchnorm_forward(X, np.ones(d), np.zeros(d), eps=1e-12)
    np.testing.assert_allclose(Y.mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(Y.var(axis=0), 1.0, rtol=1e-6)


def test_gamma_and_beta_set_scale_and_shift_per_channel():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(4, 2, 3, 3))
    Y, _ = batchnorm_forward(X, np.array([2.0, 0.5]), np.array([-1.0, 3.0]), eps=1e-12)
    np.testing.assert_allclose(Y.mean(axis=(0, 2, 3)), [-1.0, 3.0], atol=1e-9)
    np.testing.assert_allclose(Y.std(axis=(0, 2, 3)), [2.0, 0.5], rtol=1e-6)


def test_forward_by_hand():
    X = np.array([[1.0], [3.0]])  # mean 2, biased var 1
    Y, cache = batchnorm_forward(X, np.array([1.0]), np.array([0.0]), eps=0.0 + 1e-5)
    np.testing.assert_allclose(Y[:, 0], [-1 / np.sqrt(1 + 1e-5), 1 / np.sqrt(1 + 1e-5)])
    assert cache["mean"][0] == 2.0 and cache["var"][0] == 1.0


def test_running_statistics_follow_pytorch():
    rng = np.random.default_rng(2)
    bn = BatchNorm(3, momentum=0.1)
    rm, rv = np.zeros(3), np.ones(3)
    for _ in range(4):
        X = rng.normal(2.0, 3.0, size=(5, 3))
        bn(X, training=True)
        rm = 0.9 * rm + 0.1 * X.mean(axis=0)
        rv = 0.9 * rv + 0.1 * X.var(axis=0, ddof=1)  # unbiased
    np.testing.assert_allclose(bn.running_mean, rm)
    np.testing.assert_allclose(bn.running_var, rv)
    assert bn.num_batches_tracked == 4


def test_running_statistics_of_images_count_every_pixel():
    rng = np.random.default_rng(3)
    bn = BatchNorm(2)
    X = rng.normal(size=(2, 2, 3, 4))
    bn(X)
    m = 2 * 3 * 4
    var = X.var(axis=(0, 2, 3))
    np.testing.assert_allclose(bn.running_var, 0.9 + 0.1 * var * m / (m - 1))


def test_momentum_none_is_the_cumulative_average():
    rng = np.random.default_rng(4)
    bn = BatchNorm(2, momentum=None)
    batches = [rng.normal(size=(4, 2)) for _ in range(3)]
    for X in batches:
        bn(X)
    np.testing.assert_allclose(bn.running_mean, np.mean([X.mean(axis=0) for X in batches], 0))
    np.testing.assert_allclose(bn.running_var, np.mean([X.var(axis=0, ddof=1) for X in batches], 0))


def test_inference_uses_running_statistics_and_changes_nothing():
    bn = BatchNorm(2)
    bn.running_mean = np.array([1.0, -1.0])
    bn.running_var = np.array([4.0, 0.25])
    bn.gamma, bn.beta = np.array([2.0, 1.0]), np.array([0.0, 1.0])
    X = np.array([[3.0, -1.0]])  # a single sample is fine at inference
    Y, _ = bn(X, training=False)
    expected = [2.0 * 2.0 / np.sqrt(4 + 1e-5), 1.0]
    np.testing.assert_allclose(Y[0], expected)
    assert bn.num_batches_tracked == 0
    np.testing.assert_array_equal(bn.running_mean, [1.0, -1.0])


def test_inference_mode_gradient_treats_statistics_as_constants():
    rng = np.random.default_rng(5)
    bn = BatchNorm(3)
    bn.running_mean, bn.running_var = rng.normal(size=3), rng.uniform(0.5, 2, size=3)
    bn.gamma, bn.beta = rng.normal(size=3), rng.normal(size=3)
    X = rng.normal(size=(4, 3))
    R = rng.normal(size=(4, 3))
    Y, cache = bn(X, training=False)
    dX, dgamma, dbeta = bn.backward(R, cache)
    assert rel_err(dX, fd(lambda: float(np.sum(bn(X, training=False)[0] * R)), X)) <= 1e-7
    g = bn.gamma
    assert rel_err(dgamma, fd(lambda: float(np.sum(bn(X, training=False)[0] * R)), g)) <= 1e-7
    np.testing.assert_allclose(dbeta, R.sum(axis=0))


def test_network_with_batch_norm_has_exact_gradients():
    rng = np.random.default_rng(6)
    params = bp.init_params([3, 4, 5, 2], rng, "xavier")
    bn = [BatchNorm(4), BatchNorm(5)]
    for norm in bn:
        norm.gamma, norm.beta = (
            rng.normal(1, 0.3, size=norm.num_features),
            rng.normal(size=norm.num_features),
        )
    X, T = rng.normal(size=(6, 3)), rng.uniform(size=(6, 2))

    def loss():
        return bp.mse_loss(bp.forward(params, X, "tanh", "sigmoid", bn)[0], T)

    _, cache = bp.forward(params, X, "tanh", "sigmoid", bn)
    grads, bn_grads = bp.backward_bn(params, cache, T)
    numeric = [fd(loss, t) for W, b in params for t in (W, b)]
    assert rel_err(bp.flatten(grads), np.concatenate([g.ravel() for g in numeric])) <= 1e-7
    for norm, (dgamma, dbeta) in zip(bn, bn_grads):
        assert rel_err(dgamma, fd(loss, norm.gamma)) <= 1e-7
        assert rel_err(dbeta, fd(loss, norm.beta)) <= 1e-7
    # the bias before a batch norm has no effect, so its gradient is zero
    np.testing.assert_allclose(grads[0][1], 0.0, atol=1e-12)


def test_training_with_batch_norm_and_frozen_layers():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(64, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)[:, None]
    params = bp.init_params([2, 8, 1], rng, "he")
    bn = [BatchNorm(8)]
    seen = []
    trained, losses = bp.train(
        params,
        X,
        y,
        0.5,
        30,
        "relu",
        "sigmoid",
        batch_size=16,
        rng=1,
        bn=bn,
        frozen=[1],
        callback=lambda epoch, p: seen.append(epoch),
    )
    assert seen == list(range(1, 31))
    assert losses[-1] < losses[0]
    np.testing.assert_array_equal(trained[1][0], params[1][0])  # frozen: bit-identical
    np.testing.assert_array_equal(trained[1][1], params[1][1])
    assert not np.array_equal(trained[0][0], params[0][0])
    assert bn[0].num_batches_tracked == 30 * 4


def test_per_layer_learning_rates_and_determinism():
    rng = np.random.default_rng(8)
    X, T = rng.normal(size=(20, 3)), rng.uniform(size=(20, 1))
    params = bp.init_params([3, 4, 1], rng, "xavier")
    a, _ = bp.train(params, X, T, [0.0, 0.3], 5, "tanh", batch_size=7, rng=3)
    b, _ = bp.train(params, X, T, [0.0, 0.3], 5, "tanh", batch_size=7, rng=3)
    np.testing.assert_array_equal(a[0][0], params[0][0])  # lr 0 leaves the layer alone
    np.testing.assert_array_equal(a[1][0], b[1][0])  # same seed, same result


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (
            lambda: batchnorm_forward(np.ones((1, 3)), np.ones(3), np.zeros(3)),
            ValueError,
            ["X", "more than 1"],
        ),
        (lambda: BatchNorm(3)(np.ones((1, 3)), training=True), ValueError, ["X", "more than 1"]),
        (
            lambda: batchnorm_forward(np.ones((4, 3, 2)), np.ones(3), np.zeros(3)),
            ValueError,
            ["X", "(N, C, H, W)"],
        ),
        (
            lambda: batchnorm_forward(np.ones((4, 3)), np.ones(2), np.zeros(3)),
            ValueError,
            ["gamma", "(3,)"],
        ),
        (lambda: batchnorm_forward(np.ones((4, 3)), np.ones(3), np.zeros(4)), ValueError, ["beta"]),
        (
            lambda: batchnorm_forward(np.full((4, 3), np.nan), np.ones(3), np.zeros(3)),
            ValueError,
            ["X", "NaN"],
        ),
        (
            lambda: batchnorm_forward(np.ones((4, 3)), np.ones(3), np.zeros(3), eps=0),
            ValueError,
            ["eps"],
        ),
        (lambda: BatchNorm(0), ValueError, ["num_features"]),
        (lambda: BatchNorm(3, momentum=1.5), ValueError, ["momentum"]),
        (lambda: BatchNorm(3)(np.ones((4, 2))), ValueError, ["X", "3 features"]),
        (lambda: BatchNorm(3)(np.ones((4, 3)), training="yes"), TypeError, ["training"]),
        (lambda: batchnorm_backward(np.ones((4, 3)), None), TypeError, ["cache"]),
        (
            lambda: batchnorm_backward(
                np.ones((4, 2)), batchnorm_forward(np.ones((4, 3)), np.ones(3), np.zeros(3))[1]
            ),
            ValueError,
            ["dY", "(4, 3)"],
        ),
        (
            lambda: bp.forward(
                [(np.ones((2, 3)), np.zeros(3)), (np.ones((3, 1)), np.zeros(1))],
                np.ones((4, 2)),
                bn=[BatchNorm(2)],
            ),
            ValueError,
            ["bn[0]", "3 features"],
        ),
        (
            lambda: bp.forward(
                [(np.ones((2, 3)), np.zeros(3))], np.ones((4, 2)), bn=[BatchNorm(3)]
            ),
            ValueError,
            ["bn", "0"],
        ),
        (
            lambda: bp.train(
                [(np.ones((2, 1)), np.zeros(1))], np.ones((4, 2)), np.ones((4, 1)), [0.1, 0.1], 1
            ),
            ValueError,
            ["lr", "one learning rate per layer"],
        ),
        (
            lambda: bp.train(
                [(np.ones((2, 1)), np.zeros(1))],
                np.ones((4, 2)),
                np.ones((4, 1)),
                0.1,
                1,
                frozen=[3],
            ),
            ValueError,
            ["frozen"],
        ),
        (
            lambda: bp.train(
                [(np.ones((2, 1)), np.zeros(1))],
                np.ones((4, 2)),
                np.ones((4, 1)),
                0.1,
                1,
                batch_size=0,
            ),
            ValueError,
            ["batch_size"],
        ),
    ],
)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)
