"""Tests for snippets/batchnorm.py: exact gradients, PyTorch's running statistics, bad input;
BatchNorm as a layer (`snippets.layers` Module) of a network, checked by finite differences and
trained by `snippets.training` (the page's experiments: tests/test_dl0007_batch_norm.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from snippets import gradient_check, layers, losses, training
from snippets.backprop import init_params
from snippets.batchnorm import (
    BatchNorm,
    batchnorm_backward,
    batchnorm_backward_naive,
    batchnorm_forward,
    batchnorm_forward_naive,
    fold_into_linear,
    values_per_statistic,
)
from tests.gradcheck import numeric_grad as fd
from tests.gradcheck import rel_error as rel_err


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
@example(n=2, d=3, seed=1_570_001_003, scale=0.25)  # a near-tie: eps shows at 3e-6
def test_output_has_mean_zero_and_variance_one_per_feature(n, d, seed, scale):
    rng = np.random.default_rng(seed)
    X = rng.normal(5.0, scale, size=(n, d))
    eps = 1e-12
    Y, _ = batchnorm_forward(X, np.ones(d), np.zeros(d), eps=eps)
    np.testing.assert_allclose(Y.mean(axis=0), 0.0, atol=1e-9)
    # exactly var / (var + eps): two nearly equal samples make var small enough for eps to show
    var = X.var(axis=0)
    np.testing.assert_allclose(Y.var(axis=0), var / (var + eps), rtol=1e-9)


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


def _bn_net(rng, sizes, activation="tanh", eps=1e-5):
    """A Dense → BatchNorm → Activation network with random gamma and beta."""
    norms = [BatchNorm(n, eps=eps) for n in sizes[1:-1]]
    for norm in norms:
        norm.gamma = rng.normal(1, 0.3, size=norm.num_features)
        norm.beta = rng.normal(size=norm.num_features)
    return layers.mlp(init_params(list(sizes), rng, "xavier"), activation, "sigmoid", norms)


def test_batch_norm_is_a_layers_module():
    bn = BatchNorm(3)
    assert bn.min_batch == 2
    assert bn.params[0] is bn.gamma and bn.params[1] is bn.beta
    bn.gamma = np.full(3, 2.0)  # assigning is seen: params is never a stale copy
    assert bn.params[0] is bn.gamma
    net = layers.mlp(init_params([2, 3, 1], np.random.default_rng(0)), "relu", "sigmoid", [bn])
    assert [type(layer).__name__ for layer in net] == [
        "Dense", "BatchNorm", "Activation", "Dense", "Activation"
    ]  # fmt: skip


def test_network_with_batch_norm_has_exact_gradients():
    # Dense → BatchNorm → Activation, twice, then Dense → sigmoid; every W, b, gamma and beta
    rng = np.random.default_rng(6)
    net = _bn_net(rng, [3, 4, 5, 2])
    X, T = rng.normal(size=(6, 3)), rng.uniform(size=(6, 2))

    def loss():  # training mode, as in a training step (running statistics move, unused)
        return losses.mse_loss(layers.forward(net, X, training=True)[0], T)

    A, caches = layers.forward(net, X, training=True)
    _, grads = layers.backward(net, caches, losses.mse_grad(A, T))
    arrays = [p for layer in net for p in layer.params]
    analytic = [g for layer_grads in grads for g in layer_grads]
    assert len(arrays) == len(analytic) == 2 * 3 + 2 * 2  # (W, b) × 3, (gamma, beta) × 2
    numeric = gradient_check.numerical_gradient(loss, arrays)
    for a, n in zip(analytic, numeric):
        assert a.shape == n.shape
    flat = gradient_check.flatten
    assert gradient_check.relative_error(flat(analytic), flat(numeric)) <= 1e-7
    for layer, layer_grads in zip(net, grads):
        if isinstance(layer, BatchNorm):
            for g, p in zip(layer_grads, layer.params):  # gamma and beta each
                assert rel_err(g, fd(loss, p)) <= 1e-7
    # the bias before a batch norm has no effect, so its gradient is zero
    np.testing.assert_allclose(grads[0][1], 0.0, atol=1e-12)


def test_training_updates_gamma_and_beta_in_place_and_skips_a_batch_of_one():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(33, 2))  # batches of 16, 16 and a last one of 1 sample
    y = (X[:, 0] * X[:, 1] > 0).astype(float)[:, None]
    bn = BatchNorm(8)
    net = layers.mlp(init_params([2, 8, 1], rng, "he"), "relu", "sigmoid", [bn])
    gamma, beta = bn.gamma, bn.beta
    seen = []
    history = training.train(
        net, X, y, 30, training.sgd(0.5), batch_size=16, rng=1, callback=seen.append
    )
    assert seen == list(range(1, 31))
    assert history[-1] < history[0]
    assert bn.gamma is gamma and bn.beta is beta  # the same arrays, moved in place
    assert not np.allclose(gamma, 1.0) and not np.allclose(beta, 0.0)
    assert bn.num_batches_tracked == 30 * 2  # the batch of one never reached the layer


def test_frozen_layers_and_per_layer_rates_are_an_update():
    # freezing and per-layer rates (transfer learning) are an `update`, not a loop option
    rng = np.random.default_rng(8)
    X, T = rng.normal(size=(20, 3)), rng.uniform(size=(20, 1))
    params = init_params([3, 4, 1], rng, "xavier")
    rates = {0: 0.0, 3: 0.3, 1: 0.3}  # layer index → rate; the first Dense frozen (rate 0)

    def update(i, layer, grads):
        for p, g in zip(layer.params, grads):
            p -= rates.get(i, 0.0) * g

    out = []
    for _ in range(2):
        net = layers.mlp(params, "tanh", norms=[BatchNorm(4)])
        training.train(net, X, T, 5, update, batch_size=7, rng=3)
        out.append(net)
    np.testing.assert_array_equal(out[0][0].W, params[0][0])  # rate 0 leaves the layer alone
    assert not np.array_equal(out[0][3].W, params[1][0])
    np.testing.assert_array_equal(out[0][3].W, out[1][3].W)  # same seed, same result
    np.testing.assert_array_equal(out[0][1].gamma, out[1][1].gamma)


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
            lambda: layers.forward(
                layers.mlp(
                    [(np.ones((2, 3)), np.zeros(3)), (np.ones((3, 1)), np.zeros(1))],
                    "relu",
                    norms=[BatchNorm(2)],
                ),
                np.ones((4, 2)),
            ),
            ValueError,
            ["X", "2 features", "(4, 3)"],
        ),
        (
            lambda: layers.mlp([(np.ones((2, 3)), np.zeros(3))], "relu", norms=[BatchNorm(3)]),
            ValueError,
            ["norms", "0"],
        ),
        (
            lambda: training.train(
                layers.mlp([(np.ones((2, 1)), np.zeros(1))], "relu"),
                np.ones((4, 2)),
                np.ones((4, 1)),
                1,
                training.sgd(0.1),
                batch_size=0,
            ),
            ValueError,
            ["batch_size"],
        ),
        (
            lambda: batchnorm_forward_naive(np.ones((1, 2)), np.ones(2), np.zeros(2)),
            ValueError,
            ["X", "more than 1"],
        ),
        (
            lambda: batchnorm_forward_naive(np.ones((3, 2)), np.ones(3), np.zeros(2)),
            ValueError,
            ["gamma", "(2,)"],
        ),
        (
            lambda: batchnorm_backward_naive(np.ones((3, 3)), np.ones((3, 2)), np.ones(2)),
            ValueError,
            ["dY", "(3, 2)"],
        ),
        (
            lambda: fold_into_linear(np.ones((3, 2)), np.zeros(2), BatchNorm(3)),
            ValueError,
            ["W", "3 columns"],
        ),
        (
            lambda: fold_into_linear(np.ones((3, 2)), np.zeros(3), BatchNorm(2)),
            ValueError,
            ["b", "(2,)"],
        ),
        (lambda: fold_into_linear(np.ones((3, 2)), np.zeros(2), "bn"), TypeError, ["bn"]),
        (lambda: values_per_statistic((2, 3, 4)), ValueError, ["shape"]),
        (lambda: values_per_statistic((2, 0)), ValueError, ["shape"]),
    ],
)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)


# --- loop versions, invariants, per-channel statistics -----------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    shape=st.sampled_from([(2, 1), (3, 4), (6, 2), (1, 2, 2, 3), (3, 2, 1, 2), (2, 3, 2, 2)]),
    seed=st.integers(0, 2**32 - 1),
)
def test_loop_and_vectorized_versions_agree(shape, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(rng.normal(), rng.uniform(0.1, 3), size=shape)
    C = shape[1]
    gamma, beta, dY = rng.normal(size=C), rng.normal(size=C), rng.normal(size=shape)
    Y, cache = batchnorm_forward(X, gamma, beta)
    np.testing.assert_allclose(batchnorm_forward_naive(X, gamma, beta), Y, rtol=1e-10, atol=1e-12)
    fast = batchnorm_backward(dY, cache)
    slow = batchnorm_backward_naive(dY, X, gamma)
    for a, b in zip(fast, slow):
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 7), d=st.integers(1, 3), seed=st.integers(0, 2**32 - 1))
def test_input_gradient_is_orthogonal_to_ones_and_x_hat(n, d, seed):
    # y does not change if a feature's inputs are all shifted, so dX sums to 0 over the batch;
    # scaling them changes y only through eps, so dX · x_hat keeps just an eps-sized remainder
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 5, size=d)
    gamma = rng.normal(size=d)
    _, cache = batchnorm_forward(X, gamma, rng.normal(size=d))
    dY = rng.normal(size=(n, d))
    dX, dgamma, _ = batchnorm_backward(dY, cache)
    k = gamma * cache["inv_std"]
    scale = np.abs(k) * np.abs(dY).sum(axis=0)  # the size of the terms that cancel
    assert np.all(np.abs(dX.sum(axis=0)) <= 1e-12 * scale)
    remainder = k * dgamma * 1e-5 / (cache["var"] + 1e-5)
    assert np.all(np.abs((dX * cache["x_hat"]).sum(axis=0) - remainder) <= 1e-12 * scale)


def test_image_batch_norm_is_feature_batch_norm_over_n_h_w():
    rng = np.random.default_rng(10)
    X = rng.normal(size=(3, 4, 2, 5))
    gamma, beta, dY = rng.normal(size=4), rng.normal(size=4), rng.normal(size=X.shape)
    flat = X.transpose(0, 2, 3, 1).reshape(-1, 4)  # (N·H·W, C): one row per pixel
    Y, cache = batchnorm_forward(X, gamma, beta)
    Y2, cache2 = batchnorm_forward(flat, gamma, beta)
    np.testing.assert_allclose(Y.transpose(0, 2, 3, 1).reshape(-1, 4), Y2, rtol=1e-12)
    dX, dg, db = batchnorm_backward(dY, cache)
    dX2, dg2, db2 = batchnorm_backward(dY.transpose(0, 2, 3, 1).reshape(-1, 4), cache2)
    np.testing.assert_allclose(dX.transpose(0, 2, 3, 1).reshape(-1, 4), dX2, rtol=1e-10)
    np.testing.assert_allclose(dg, dg2, rtol=1e-12)
    np.testing.assert_allclose(db, db2, rtol=1e-12)
    assert values_per_statistic(X.shape) == 3 * 2 * 5
    assert values_per_statistic((32, 64)) == 32


def test_one_image_trains_because_its_pixels_give_the_statistics():
    bn = BatchNorm(2)
    X = np.arange(2 * 3 * 3, dtype=float).reshape(1, 2, 3, 3)  # N = 1, 9 pixels per channel
    Y, _ = bn(X, training=True)  # as in torch: more than one value per channel is enough
    np.testing.assert_allclose(Y.mean(axis=(0, 2, 3)), 0.0, atol=1e-12)
    np.testing.assert_allclose(bn.running_var, 0.9 + 0.1 * X.var(axis=(0, 2, 3), ddof=1))


def test_a_batch_of_two_keeps_only_the_sign():
    rng = np.random.default_rng(11)
    X = rng.normal(size=(2, 5)) * 10
    Y, cache = batchnorm_forward(X, np.ones(5), np.zeros(5), eps=1e-12)
    np.testing.assert_allclose(np.abs(Y), 1.0, rtol=1e-9)
    np.testing.assert_array_equal(np.sign(Y[0]), np.sign(X[0] - X[1]))


def test_folding_into_the_linear_layer_gives_the_inference_output():
    rng = np.random.default_rng(12)
    W, b = rng.normal(size=(3, 4)), rng.normal(size=4)
    bn = BatchNorm(4)
    bn.gamma, bn.beta = rng.normal(size=4), rng.normal(size=4)
    bn.running_mean, bn.running_var = rng.normal(size=4), rng.uniform(0.1, 3, size=4)
    A = rng.normal(size=(6, 3))
    Wf, bf = fold_into_linear(W, b, bn)
    expected = bn.gamma * (A @ W + b - bn.running_mean) / np.sqrt(bn.running_var + bn.eps)
    np.testing.assert_allclose(A @ Wf + bf, expected + bn.beta, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(A @ Wf + bf, bn(A @ W + b, training=False)[0], rtol=1e-12)


def test_scaling_the_weights_before_batch_norm_changes_nothing_but_the_gradient_size():
    rng = np.random.default_rng(13)
    params = init_params([3, 5, 4, 1], rng, "xavier")
    X, T = rng.normal(size=(8, 3)), rng.uniform(size=(8, 1))
    out = []
    for a in (1.0, 7.0):
        scaled = [(params[0][0] * a, params[0][1]), *params[1:]]
        norms = [BatchNorm(5, eps=1e-12), BatchNorm(4, eps=1e-12)]
        net = layers.mlp(scaled, "tanh", "sigmoid", norms)
        A, caches = layers.forward(net, X, training=True)
        _, grads = layers.backward(net, caches, losses.mse_grad(A, T))
        out.append((A, grads[0][0], net[0].W))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-9)
    np.testing.assert_allclose(out[1][1] * 7.0, out[0][1], rtol=1e-6)  # dW shrinks as 1/a
    # and dW is orthogonal to W, column by column (each unit's scale is invisible)
    np.testing.assert_allclose(np.sum(out[0][1] * out[0][2], axis=0), 0.0, atol=1e-9)
