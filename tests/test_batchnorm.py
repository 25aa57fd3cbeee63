"""Tests for snippets/batchnorm.py: exact gradients, PyTorch's running statistics, bad input;
batch norm inside the backprop network; the page's worked example, the invariants of its
experiments, and its claims on seed set 0."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from snippets import backprop as bp
from snippets import batchnorm as bnm
from snippets.batchnorm import (
    BatchNorm,
    batchnorm_backward,
    batchnorm_backward_naive,
    batchnorm_forward,
    batchnorm_forward_naive,
    fold_into_linear,
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
    assert bnm.values_per_statistic(X.shape) == 3 * 2 * 5
    assert bnm.values_per_statistic((32, 64)) == 32


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
    params = bp.init_params([3, 5, 4, 1], rng, "xavier")
    X, T = rng.normal(size=(8, 3)), rng.uniform(size=(8, 1))
    out = []
    for a in (1.0, 7.0):
        scaled = [(params[0][0] * a, params[0][1]), *params[1:]]
        bn = [BatchNorm(5, eps=1e-12), BatchNorm(4, eps=1e-12)]
        A, cache = bp.forward(scaled, X, "tanh", "sigmoid", bn)
        grads, _ = bp.backward_bn(scaled, cache, T)
        out.append((A, grads[0][0], scaled[0][0]))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-9)
    np.testing.assert_allclose(out[1][1] * 7.0, out[0][1], rtol=1e-6)  # dW shrinks as 1/a
    # and dW is orthogonal to W, column by column (each unit's scale is invisible)
    np.testing.assert_allclose(np.sum(out[0][1] * out[0][2], axis=0), 0.0, atol=1e-9)


# --- the worked example, recomputed by hand ------------------------------------------------------


def test_worked_example_by_hand():
    ex = bnm.worked_example()
    eps = 1e-5
    x1, x2 = [1.0, 2.0, 3.0, 6.0], [4.0, 8.0, 6.0, 2.0]
    # feature 1: mean 3, squared deviations 4 + 1 + 0 + 9 = 14; feature 2: mean 5, 1+9+1+9 = 20
    np.testing.assert_allclose(ex["mean"], [3.0, 5.0])
    np.testing.assert_allclose(ex["var"], [14 / 4, 20 / 4])
    np.testing.assert_allclose(ex["var_unbiased"], [14 / 3, 20 / 3])
    s1, s2 = math.sqrt(3.5 + eps), math.sqrt(5.0 + eps)
    np.testing.assert_allclose(ex["x_hat"][:, 0], [(x - 3) / s1 for x in x1])
    np.testing.assert_allclose(ex["x_hat"][:, 1], [(x - 5) / s2 for x in x2])
    np.testing.assert_allclose(ex["Y"][:, 0], [2 * (x - 3) / s1 + 1 for x in x1])
    np.testing.assert_allclose(ex["Y"][:, 1], [0.5 * (x - 5) / s2 - 1 for x in x2])
    # running statistics after one batch: 0.9 · initial + 0.1 · batch (unbiased variance)
    np.testing.assert_allclose(ex["running_mean"], [0.3, 0.5])
    np.testing.assert_allclose(ex["running_var"], [0.9 + 0.1 * 14 / 3, 0.9 + 0.1 * 20 / 3])
    y_new = [2 * (4 - 0.3) / math.sqrt(0.9 + 1.4 / 3 + eps) + 1,
             0.5 * (5 - 0.5) / math.sqrt(0.9 + 2 / 3 + eps) - 1]  # fmt: skip
    np.testing.assert_allclose(ex["y_new"][0], y_new)
    np.testing.assert_allclose(ex["y_settled"][0], [2 * 1 / math.sqrt(14 / 3 + eps) + 1, -1.0])
    assert 0.9 ** ex["warmup_batches"] <= 0.01 < 0.9 ** (ex["warmup_batches"] - 1)
    # backward: dbeta = column sums of dY, dgamma = sums of dY · x_hat, dX = the three terms
    dY = np.array(bnm.EXAMPLE["dY"])
    np.testing.assert_allclose(ex["dbeta"], [1.0, 1.0])
    np.testing.assert_allclose(ex["dgamma"], (dY * ex["x_hat"]).sum(axis=0))
    np.testing.assert_allclose(ex["term_direct"][:, 0], 2 / s1 * dY[:, 0])
    np.testing.assert_allclose(ex["term_mean"][:, 1], -0.5 / s2 * 0.25)  # mean of dY[:, 1]
    np.testing.assert_allclose(
        ex["term_direct"] + ex["term_mean"] + ex["term_var"], ex["dX"], rtol=1e-12
    )
    np.testing.assert_allclose(ex["dX_colsum"], 0.0, atol=1e-12)
    # scaling a feature's inputs changes y only through eps: sum(dX · x_hat) is that small
    # remainder, (gamma / s) · sum(dY · x_hat) · eps / (var + eps)
    remainder = np.array([2 / s1, 0.5 / s2]) * ex["dgamma"] * eps / (ex["var"] + eps)
    np.testing.assert_allclose(ex["dX_dot_xhat"], remainder, rtol=1e-6)


# --- the page's experiments: invariants here; its conclusions are claims -----------------------


def test_claims_hold_on_seed_set_0():
    # tests/test_claims.py re-checks them on seed set 1
    claims = bnm.claims(0)
    failing = {k: ev for k, (holds, ev) in claims.items() if not holds}
    assert not failing, failing
    assert all(isinstance(ev, str) and "$" not in ev for _, ev in claims.values())


def test_data_splits_are_disjoint():
    Xtr, ytr, Xva, yva, Xte, yte = bnm.spiral_data()
    assert (len(Xtr), len(Xva), len(Xte)) == (300, 100, 100)
    rows = {tuple(x) for X in (Xtr, Xva, Xte) for x in X}
    assert len(rows) == 500


def test_runs_are_deterministic_and_seeds_differ():
    again = bnm.run.__wrapped__(bnm.MID, False, 0)
    np.testing.assert_array_equal(again["losses"], bnm.run(bnm.MID, False, 0)["losses"])
    assert not np.array_equal(bnm.run(bnm.MID, False, 1)["losses"], again["losses"])


def test_tuning_picks_the_lowest_validation_loss():
    tu = bnm.tuned(0)
    for use_bn in (False, True):
        for s, lr in zip(bnm.seeds(bnm.N_SEEDS, 0), tu[use_bn]["lr"]):
            losses = [bnm.run(r, use_bn, s)["val_loss"] for r in bnm.LRS]
            assert bnm.run(lr, use_bn, s)["val_loss"] == min(losses)


def test_batch_norm_layer_outputs_have_mean_beta_and_std_gamma():
    r = bnm.run(bnm.MID, True)
    z, layer = r["z"][bnm.EPOCHS], r["bn"][bnm.PROBE]
    np.testing.assert_allclose(z.mean(axis=0), layer.beta, atol=1e-10)
    np.testing.assert_allclose(z.std(axis=0), np.abs(layer.gamma), rtol=1e-3)


def test_bias_before_batch_norm_never_moves():
    r = bnm.run(bnm.MID, True)
    for _, b in r["params"][:-1]:
        assert np.abs(b).max() < 1e-12  # initialised at 0; its gradient is 0 up to round-off
    assert np.abs(r["params"][-1][1]).max() > 1e-3  # the output layer's bias does learn


def test_hidden_z_leaves_the_running_statistics_alone():
    r = bnm.run(bnm.LRS[0], True)
    before = [(n.running_mean.copy(), n.num_batches_tracked) for n in r["bn"]]
    bnm.hidden_z(r["params"], bnm.spiral_data()[0], r["bn"])
    for n, (mean, count) in zip(r["bn"], before):
        np.testing.assert_array_equal(n.running_mean, mean)
        assert n.num_batches_tracked == count


def test_paired_rules_by_hand():
    d = np.array([3.0, 4.0, 5.0, -1.0, 4.0])  # mean 3, std sqrt(5.5) ≈ 2.35, 4 of 5 positive
    assert bnm._paired(d) == pytest.approx((3.0, math.sqrt(5.5), 4))
    assert bnm._is_difference(d) and not bnm._no_difference(d)
    assert not bnm._is_difference(np.array([9.0, -1.0, -1.0, 9.0, 9.0]))  # sign in 3 of 5
    assert bnm._no_difference(np.array([-1.0, 29.0, 0.0, -1.0, 0.0]))  # one outlier: mean < std


def test_sorted_batches_hold_one_class_and_every_sample_once():
    y = np.array([0] * 48 + [1] * 52)[np.random.default_rng(3).permutation(100)]
    batches = bnm.sorted_batches(y, np.random.default_rng(0))
    assert sorted(len(b) for b in batches) == [24, 24, 26, 26]
    assert all(len(set(y[b])) == 1 for b in batches)
    assert sorted(np.concatenate(batches)) == list(range(100))


def test_accuracy_on_batches_matches_consecutive_batches():
    r = bnm.run(bnm.MID, True)
    _, _, Xva, yva, _, _ = bnm.spiral_data()
    order = np.random.default_rng(2).permutation(len(yva))
    batches = [order[i : i + 8] for i in range(0, len(order), 8)]
    a = bnm._accuracy_on_batches(r["params"], r["bn"], Xva, yva, batches)
    assert a == bnm._accuracy_in_training_mode(r["params"], r["bn"], Xva, yva, order, 8)


def test_drift_measures_the_batch_norm_input_and_output():
    dr = bnm.drift(0)
    r = bnm.run(bnm.MID, True, 0)
    # over all units and samples, gamma x_hat + beta has variance mean(gamma²) + var(beta),
    # up to eps: its scale is set by gamma and beta alone
    layer = r["bn"][bnm.PROBE]
    expected = np.sqrt(np.mean(layer.gamma**2) + np.var(layer.beta))
    assert dr[True]["end"][0] == pytest.approx(expected, rel=1e-3)
    assert dr[True]["pre_end"][0] == pytest.approx(
        bnm._pre_norm_std(r["params"], r["bn"], bnm.spiral_data()[0])
    )
    assert np.all(dr[True]["pre_start"] > 0) and np.all(dr[False]["start"] > 0)


def test_dead_fraction_by_hand():
    z = np.array([[-1.0, 0.0, 2.0, -3.0], [-2.0, 1.0, -1.0, 0.0]])
    assert bnm.dead_fraction(z) == 0.5  # columns 0 and 3 never positive


def test_batch_statistics_noise_follows_the_sampling_theory():
    rng = np.random.default_rng(14)
    values = rng.normal(3.0, 2.0, size=(200, 6))
    r = bnm.batch_statistics_noise(values, sizes=(2, 8, 50), draws=800, rng=1)
    np.testing.assert_allclose(r["mean_sd"], r["mean_sd_theory"], rtol=0.08)
    M = 200
    np.testing.assert_allclose(
        r["mean_sd_theory"], [math.sqrt((M - m) / ((M - 1) * m)) for m in (2, 8, 50)]
    )
    assert np.all(np.diff(r["std_sd"]) < 0) and np.all(np.diff(r["xhat_sd"]) < 0)
    assert r["xhat_sd"][0] <= 1.0 + 1e-9  # with two samples x_hat is ±1


def test_slope_of_a_power_law():
    m = np.array([2.0, 4.0, 8.0, 16.0])
    assert bnm._slope(m, 3.0 / np.sqrt(m)) == pytest.approx(-0.5, abs=1e-12)


def test_scale_invariance_and_folding_on_the_page_networks():
    sc = bnm.scale_invariance()
    assert sc["grad_ratio"] == pytest.approx(sc["factor"], rel=1e-3)
    assert sc["output_diff"] < 1e-4 and sc["max_cos"] < 1e-4
    assert bnm.fold_check(0) < 1e-12


def test_values_and_figures_are_well_formed():
    v = bnm.values()
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", k) for k in v)
    assert all(isinstance(x, (int, float, str)) for x in v.values())
    assert bnm.worked_example()["warmup_batches"] == 44  # 0.9^44 <= 0.01 < 0.9^43
    assert bnm.values_per_statistic((32, 64, 56, 56)) == 32 * 56 * 56
    assert set(bnm.figures()) == {"training-curves", "activation-histograms", "batch-noise"}


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: batchnorm_forward_naive(np.ones((1, 2)), np.ones(2), np.zeros(2)), ValueError,
         ["X", "more than 1"]),
        (lambda: batchnorm_forward_naive(np.ones((3, 2)), np.ones(3), np.zeros(2)), ValueError,
         ["gamma", "(2,)"]),
        (lambda: batchnorm_backward_naive(np.ones((3, 3)), np.ones((3, 2)), np.ones(2)),
         ValueError, ["dY", "(3, 2)"]),
        (lambda: fold_into_linear(np.ones((3, 2)), np.zeros(2), BatchNorm(3)), ValueError,
         ["W", "3 columns"]),
        (lambda: fold_into_linear(np.ones((3, 2)), np.zeros(3), BatchNorm(2)), ValueError,
         ["b", "(2,)"]),
        (lambda: fold_into_linear(np.ones((3, 2)), np.zeros(2), "bn"), TypeError, ["bn"]),
        (lambda: bnm.values_per_statistic((2, 3, 4)), ValueError, ["shape"]),
        (lambda: bnm.values_per_statistic((2, 0)), ValueError, ["shape"]),
        (lambda: bnm.dead_fraction(np.ones(3)), ValueError, ["z", "2-D"]),
        (lambda: bnm.batch_statistics_noise(np.ones((10, 2)), sizes=(1,)), ValueError,
         ["sizes", "2..10"]),
        (lambda: bnm.batch_statistics_noise(np.ones((10, 2)), sizes=(11,)), ValueError,
         ["sizes"]),
        (lambda: bnm.batch_statistics_noise(np.ones((10, 2)), draws=0), ValueError, ["draws"]),
        (lambda: bnm.sorted_batches(np.array([0, 0, 1]), 0), ValueError, ["chunks", "at most 1"]),
        (lambda: bnm.sorted_batches(np.ones((2, 2)), 0), ValueError, ["y"]),
        (lambda: bnm.sorted_batches(np.array([0, 1]), None), TypeError, ["rng"]),
    ],
)  # fmt: skip
def test_bad_input_to_the_page_helpers(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)
