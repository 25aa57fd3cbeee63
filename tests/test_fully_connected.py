"""Tests for snippets/fully_connected.py and the reference modules it re-exports
(snippets/global_pooling.py, snippets/architectures.py): counts, GAP and its gradient, dense
layers, heads, the convolution view, the layer tables of VGG-16 and ResNet-50."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets import backprop as bp
from snippets import fully_connected as fc
from tests.gradcheck import assert_gradients_match, numeric_grad, rel_error

sizes = st.integers(1, 9)


# --- parameter counts ---------------------------------------------------------------------------


def test_counts_of_the_seed_example_by_hand():
    # 8 channels of 7×7 flatten to 8·49 = 392 inputs; 392·6 = 2352 weights and 6 biases
    assert fc.flatten_fc_params(8, 7, 7, 6) == 2352 + 6
    # GAP leaves one number per channel: 8·6 = 48 weights and 6 biases
    assert fc.gap_fc_params(8, 6) == 48 + 6
    assert fc.count_ratio(8, 7, 7, 6) == pytest.approx(2358 / 54)
    # a 1×1 map: flattening and averaging are the same thing
    assert fc.flatten_fc_params(8, 1, 1, 6) == fc.gap_fc_params(8, 6)
    assert fc.fc_params(3, 2, bias=False) == 6
    assert fc.flatten_fc_params(8, 7, 7, 6, bias=False) == 2352
    assert fc.gap_fc_params(8, 6, bias=False) == 48


@settings(max_examples=40, deadline=None)
@given(c=sizes, h=sizes, w=sizes, k=sizes)
def test_counts_equal_the_entries_of_real_weight_arrays(c, h, w, k):
    W_flat, b = np.empty((c * h * w, k)), np.empty(k)
    W_gap = np.empty((c, k))
    assert fc.flatten_fc_params(c, h, w, k) == W_flat.size + b.size
    assert fc.gap_fc_params(c, k) == W_gap.size + b.size
    # the ratio does not depend on the number of classes
    assert fc.count_ratio(c, h, w, k) == pytest.approx((c * h * w + 1) / (c + 1))


def test_counts_accept_numpy_ints_and_return_python_ints():
    n = fc.flatten_fc_params(np.int64(512), 7, 7, np.int32(4096))
    assert n == 102_764_544 and type(n) is int


def test_vgg16_and_resnet50_totals_match_the_published_counts():
    # torchvision's model cards: vgg16 138,357,544 parameters, 15.47 GFLOPS (multiply-adds);
    # resnet50 25,557,032 parameters, 4.09 GFLOPS, at 224×224
    vgg = fc.summarize(fc.vgg16_layers())
    res = fc.summarize(fc.resnet50_layers())
    assert vgg["params"] == 138_357_544
    assert res["params"] == 25_557_032
    assert vgg["macs"] / 1e9 == pytest.approx(15.47, abs=0.005)
    assert res["macs"] / 1e9 == pytest.approx(4.09, abs=0.005)
    # the heads by hand: 25088→4096→4096→1000 and 2048→1000, each with biases
    assert vgg["head_params"] == (25088 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 1000 + 1000)
    assert res["head_params"] == 2048 * 1000 + 1000
    assert vgg["head_macs"] == 25088 * 4096 + 4096 * 4096 + 4096 * 1000


def test_network_layer_lists_by_hand():
    vgg, res = fc.vgg16_layers(), fc.resnet50_layers()
    assert sum(layer.kind == "conv" for layer in vgg) == 13
    # stem + 16 bottlenecks × 3 + 4 projection shortcuts
    assert sum(layer.kind == "conv" for layer in res) == 1 + 16 * 3 + 4
    # first VGG conv: 3·3·3·64 weights + 64 biases, at 224×224
    assert fc.layer_params(vgg[0]) == 1792
    assert fc.layer_macs(vgg[0]) == 3 * 3 * 3 * 64 * 224 * 224
    # at 448×448 the flattened map is 512·14·14, and only VGG's first FC layer grows
    assert fc.layer_params(fc.vgg16_layers(448)[13]) == 512 * 14 * 14 * 4096 + 4096
    assert fc.summarize(fc.resnet50_layers(448))["params"] == 25_557_032


# --- global average pooling ---------------------------------------------------------------------


def test_gap_by_hand():
    X = np.array([[[[1.0, 2.0], [3.0, 6.0]], [[0.0, 0.0], [0.0, -8.0]]]])
    np.testing.assert_array_equal(fc.global_avg_pool(X), [[3.0, -2.0]])


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 3), c=st.integers(1, 4), h=sizes, w=sizes, seed=st.integers(0, 2**32 - 1))
def test_gap_equals_naive_loop_and_mean(n, c, h, w, seed):
    X = np.random.default_rng(seed).normal(size=(n, c, h, w))
    Y = fc.global_avg_pool(X)
    assert Y.shape == (n, c)
    np.testing.assert_allclose(Y, fc.global_avg_pool_naive(X), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(Y, X.mean(axis=(2, 3)), rtol=1e-12, atol=1e-14)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 3), c=st.integers(1, 4), h=sizes, w=sizes, seed=st.integers(0, 2**32 - 1))
def test_gap_backward_matches_finite_differences(n, c, h, w, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, c, h, w))
    R = rng.normal(size=(n, c))  # L = Σ R ⊙ GAP(X), so dL/dY = R
    dX = fc.global_avg_pool_backward(R, X.shape)
    numeric = numeric_grad(lambda: float(np.sum(R * fc.global_avg_pool(X))), X)
    assert dX.shape == X.shape
    assert rel_error(dX, numeric) <= 1e-7


def test_gap_backward_spreads_each_gradient_evenly():
    dY = np.array([[0.9, -1.8]])
    dX = fc.global_avg_pool_backward(dY, (1, 2, 3, 3))
    np.testing.assert_allclose(dX[0, 0], np.full((3, 3), 0.1))
    np.testing.assert_allclose(dX[0, 1], np.full((3, 3), -0.2))
    # a channel's gradient is conserved: its positions' gradients sum to dY
    np.testing.assert_allclose(dX.sum(axis=(2, 3)), dY)
    dX[0, 0, 0, 0] = 5.0  # a writable array, not a broadcast view
    assert dX[0, 0, 1, 1] == pytest.approx(0.1)
    # any shape-like: a tuple, a list, an int array (e.g. X.shape, torch.Size, np.array)
    for shape in ([1, 2, 3, 3], np.array([1, 2, 3, 3])):
        expected = fc.global_avg_pool_backward(dY, (1, 2, 3, 3))
        np.testing.assert_array_equal(fc.global_avg_pool_backward(dY, shape), expected)


def test_gap_ignores_where_things_are():
    X = np.random.default_rng(1).normal(size=(2, 3, 5, 6))
    for shift in ((1, 0), (0, 2), (3, 4)):
        moved = np.roll(X, shift, axis=(2, 3))
        np.testing.assert_allclose(fc.global_avg_pool(moved), fc.global_avg_pool(X), rtol=1e-12)
    # flattening does not: the same values land on other weights
    assert not np.allclose(np.roll(X, 1, axis=3).reshape(2, -1), X.reshape(2, -1))


# --- the dense layer, through the backprop snippet ----------------------------------------------


@st.composite
def dense_cases(draw):
    """A random dense layer and batch: (X, W, b, activation, rng for further draws)."""
    n, fan_in, fan_out = draw(st.integers(1, 4)), draw(st.integers(1, 6)), draw(st.integers(1, 5))
    act = draw(st.sampled_from(["identity", "sigmoid", "tanh"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X, W, b = (
        rng.normal(size=(n, fan_in)),
        rng.normal(size=(fan_in, fan_out)),
        rng.normal(size=fan_out),
    )
    return X, W, b, act, rng


@settings(max_examples=30, deadline=None)
@given(case=dense_cases())
def test_dense_matches_naive_loop_and_formula(case):
    X, W, b, act, _ = case
    A = fc.dense(X, W, b, act)
    np.testing.assert_allclose(A, fc.dense_naive(X, W, b, act), rtol=1e-12, atol=1e-14)
    Z = X @ W + b
    expected = {"identity": Z, "sigmoid": 1 / (1 + np.exp(-Z)), "tanh": np.tanh(Z)}[act]
    np.testing.assert_allclose(A, expected, rtol=1e-12, atol=1e-14)


@settings(max_examples=30, deadline=None)
@given(case=dense_cases())
def test_dense_gradients_from_backprop_match_finite_differences(case):
    X, W, b, act, rng = case
    n = X.shape[0]
    T = rng.normal(size=(n, W.shape[1]))

    def loss() -> float:
        return 0.5 * float(np.sum((fc.dense(X, W, b, act) - T) ** 2)) / n

    A, cache = bp.forward([(W, b)], X, act)
    ((dW, db),) = bp.backward([(W, b)], cache, T)
    assert_gradients_match(
        np.concatenate([dW.ravel(), db]),
        np.concatenate([numeric_grad(loss, W).ravel(), numeric_grad(loss, b)]),
    )
    # the input gradient of the page's formula: dX = Δ Wᵀ with Δ = dL/dA ⊙ f'(Z)
    delta = (A - T) / n * bp.activation_derivative(act, cache.z[0], A)
    assert_gradients_match(delta @ W.T, numeric_grad(loss, X))


@settings(max_examples=20, deadline=None)
@given(case=dense_cases())
def test_pytorch_layout_gradients_match_finite_differences(case):
    # torch.nn.Linear: weight W_pt of shape (out, in), Z = X W_ptᵀ + b; dW_pt = Δᵀ X, dX = Δ W_pt
    X, W, b, act, rng = case
    n, W_pt = X.shape[0], W.T.copy()
    T = rng.normal(size=(n, W.shape[1]))

    def loss() -> float:
        A = bp.activate(act, X @ W_pt.T + b)
        return 0.5 * float(np.sum((A - T) ** 2)) / n

    Z = X @ W_pt.T + b
    A = bp.activate(act, Z)
    delta = (A - T) / n * bp.activation_derivative(act, Z, A)
    assert_gradients_match(delta.T @ X, numeric_grad(loss, W_pt))
    assert_gradients_match(delta.sum(axis=0), numeric_grad(loss, b))
    assert_gradients_match(delta @ W_pt, numeric_grad(loss, X))
    # the same numbers as the (in, out) layout's Xᵀ Δ, transposed
    ((dW, _),) = bp.backward([(W, b)], bp.forward([(W, b)], X, act)[1], T)
    np.testing.assert_allclose(delta.T @ X, dW.T, rtol=1e-10, atol=1e-12)


# --- the heads ----------------------------------------------------------------------------------


def test_heads_are_dense_layers_on_flattened_or_pooled_maps():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2, 4, 3, 5))
    Wf, bf = rng.normal(size=(60, 6)), rng.normal(size=6)
    Wg, bg = rng.normal(size=(4, 6)), rng.normal(size=6)
    np.testing.assert_allclose(fc.flatten_head(X, [(Wf, bf)]), X.reshape(2, 60) @ Wf + bf)
    np.testing.assert_allclose(fc.gap_head(X, [(Wg, bg)]), X.mean(axis=(2, 3)) @ Wg + bg)
    two = [(rng.normal(size=(4, 3)), np.zeros(3)), (rng.normal(size=(3, 6)), np.zeros(6))]
    hidden = np.maximum(X.mean(axis=(2, 3)) @ two[0][0], 0)
    np.testing.assert_allclose(fc.gap_head(X, two), hidden @ two[1][0])


@settings(max_examples=25, deadline=None)
@given(h=sizes, w=sizes, seed=st.integers(0, 2**32 - 1))
def test_only_the_gap_head_accepts_another_map_size(h, w, seed):
    rng = np.random.default_rng(seed)
    params_flat = [(rng.normal(size=(2 * 4 * 4, 3)), np.zeros(3))]
    params_gap = [(rng.normal(size=(2, 3)), np.zeros(3))]
    X = rng.normal(size=(1, 2, h, w))
    assert fc.gap_head(X, params_gap).shape == (1, 3)
    if (h, w) == (4, 4) or h * w == 16:
        assert fc.flatten_head(X, params_flat).shape == (1, 3)
    else:
        with pytest.raises(ValueError, match=r"X: expected C·H·W = 32"):
            fc.flatten_head(X, params_flat)


def test_fc_is_a_convolution_with_a_map_sized_kernel():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(3, 2, 4, 5))
    W, b = rng.normal(size=(40, 3)), rng.normal(size=3)
    out = fc.conv2d(X, fc.fc_as_conv(W, 2, 4, 5), b)
    assert out.shape == (3, 3, 1, 1)
    np.testing.assert_allclose(out[:, :, 0, 0], X.reshape(3, -1) @ W + b, rtol=1e-12)
    # and a 1×1 convolution on a C×1×1 map is an FC layer
    x1 = rng.normal(size=(3, 2, 1, 1))
    W1 = rng.normal(size=(2, 3))
    np.testing.assert_allclose(
        fc.conv2d(x1, W1.T[:, :, None, None], b)[:, :, 0, 0], x1[:, :, 0, 0] @ W1 + b
    )


def test_conv2d_against_a_loop():
    rng = np.random.default_rng(6)
    X, K, b = rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(4, 3, 3, 2)), rng.normal(size=4)
    out = np.zeros((2, 4, 4, 4))
    for n in range(2):
        for f in range(4):
            for i in range(4):
                for j in range(4):
                    out[n, f, i, j] = np.sum(X[n, :, i : i + 3, j : j + 2] * K[f]) + b[f]
    np.testing.assert_allclose(fc.conv2d(X, K, b), out, rtol=1e-12)


def test_class_activation_map_averages_to_the_gap_head():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(2, 5, 4, 3))
    W, b = rng.normal(size=(5, 6)), rng.normal(size=6)
    cam = fc.class_activation_map(X, W, b)
    assert cam.shape == (2, 6, 4, 3)
    np.testing.assert_allclose(cam.mean(axis=(2, 3)), fc.gap_head(X, [(W, b)]), rtol=1e-12)
    np.testing.assert_allclose(cam[1, :, 2, 1], X[1, :, 2, 1] @ W + b, rtol=1e-12)


# --- bad input ----------------------------------------------------------------------------------

X4 = np.ones((2, 3, 4, 4))
P = [(np.ones((48, 2)), np.zeros(2))]


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: fc.flatten_fc_params(0, 7, 7, 6), ValueError, ["channels", ">= 1", "got 0"]),
        (lambda: fc.flatten_fc_params(8, -7, 7, 6), ValueError, ["height"]),
        (lambda: fc.flatten_fc_params(8, 7, 7.0, 6), TypeError, ["width", "float"]),
        (lambda: fc.flatten_fc_params(8, 7, 7, True), TypeError, ["classes", "bool"]),
        (lambda: fc.flatten_fc_params(8, 7, 7, math.nan), TypeError, ["classes"]),
        (lambda: fc.flatten_fc_params("8", 7, 7, 6), TypeError, ["channels", "str"]),
        (lambda: fc.gap_fc_params(8, 0), ValueError, ["classes"]),
        (lambda: fc.gap_fc_params(None, 6), TypeError, ["channels"]),
        (lambda: fc.gap_fc_params(8.5, 6), TypeError, ["channels"]),
        (lambda: fc.fc_params(3, 2, bias=1), TypeError, ["bias"]),
        (lambda: fc.global_avg_pool(np.ones((2, 3, 4))), ValueError, ["X", "4-D", "(2, 3, 4)"]),
        (lambda: fc.global_avg_pool(np.ones((2, 0, 4, 4))), ValueError, ["X", "(2, 0, 4, 4)"]),
        (lambda: fc.global_avg_pool(np.full((1, 1, 2, 2), np.nan)), ValueError, ["X", "NaN"]),
        (lambda: fc.global_avg_pool(np.full((1, 1, 2, 2), np.inf)), ValueError, ["X", "inf"]),
        (lambda: fc.global_avg_pool(np.ones((1, 1, 2, 2), bool)), TypeError, ["X", "boolean"]),
        (lambda: fc.global_avg_pool("X"), TypeError, ["X"]),
        (lambda: fc.global_avg_pool_naive(np.ones((3, 3))), ValueError, ["X", "4-D"]),
        (
            lambda: fc.global_avg_pool_backward(np.ones((2, 4)), (2, 3, 4, 4)),
            ValueError,
            ["dY", "(2, 3)"],
        ),
        (lambda: fc.global_avg_pool_backward(np.ones(3), (1, 3, 4, 4)), ValueError, ["dY", "2-D"]),
        (lambda: fc.global_avg_pool_backward(np.ones((1, 3)), (3, 4, 4)), ValueError, ["X_shape"]),
        (
            lambda: fc.global_avg_pool_backward(np.ones((1, 3)), (1, 3, 0, 4)),
            ValueError,
            ["X_shape[2]"],
        ),
        (
            lambda: fc.global_avg_pool_backward(np.ones((1, 3)), (1, 3, 4.0, 4)),
            TypeError,
            ["X_shape[2]"],
        ),
        (
            lambda: fc.global_avg_pool_backward(np.ones((1, 3)), (1, 3, True, 4)),
            TypeError,
            ["X_shape[2]"],
        ),
        (
            lambda: fc.global_avg_pool_backward(np.full((1, 3), np.nan), (1, 3, 4, 4)),
            ValueError,
            ["dY", "NaN"],
        ),
        (
            lambda: fc.dense(np.ones((2, 3)), np.ones((4, 2)), np.zeros(2)),
            ValueError,
            ["X", "(2, 3)"],
        ),
        (
            lambda: fc.dense(np.ones((2, 4)), np.ones((4, 2)), np.zeros(3)),
            ValueError,
            ["b", "(2,)"],
        ),
        (
            lambda: fc.dense(np.ones((2, 4)), np.ones((4, 2)), np.zeros(2), "gelu"),
            ValueError,
            ["activation"],
        ),
        (
            lambda: fc.dense_naive(np.ones((2, 4)), np.ones(4), np.zeros(2)),
            ValueError,
            ["W", "2-D"],
        ),
        (lambda: fc.flatten_head(np.ones((2, 3, 5, 5)), P), ValueError, ["X", "48", "75"]),
        (lambda: fc.flatten_head(np.ones((3, 4, 4)), P), ValueError, ["X", "4-D"]),
        (lambda: fc.gap_head(X4, P), ValueError, ["X", "C = 48"]),
        (lambda: fc.gap_head(X4, []), TypeError, ["params"]),
        (lambda: fc.conv2d(X4, np.ones((2, 3, 5, 5)), np.zeros(2)), ValueError, ["K"]),
        (lambda: fc.conv2d(X4, np.ones((2, 2, 1, 1)), np.zeros(2)), ValueError, ["K"]),
        (lambda: fc.conv2d(X4, np.ones((2, 3, 1, 1)), np.zeros(3)), ValueError, ["b", "(2,)"]),
        (lambda: fc.fc_as_conv(np.ones((47, 2)), 3, 4, 4), ValueError, ["W", "48"]),
        (lambda: fc.vgg16_layers(100), ValueError, ["image", "32"]),
        (lambda: fc.resnet50_layers(0), ValueError, ["image"]),
    ],
)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_transformer_block_counts_by_hand():
    t = fc.transformer_block_params(768, 3072)
    assert t["attention"] == 4 * (768 * 768 + 768)
    assert t["mlp"] == (768 * 3072 + 3072) + (3072 * 768 + 768)
    assert t["total"] == 7_087_872  # BERT-base: 12 such blocks hold 85,054,464 parameters
    assert 12 * t["total"] == 85_054_464
    with pytest.raises(TypeError, match="d_ff"):
        fc.transformer_block_params(768, 3072.0)


# --- the moved names keep their import path -----------------------------------------------------


def test_moved_names_are_re_exported_from_fully_connected():
    from snippets import architectures, global_pooling

    for name in ("global_avg_pool", "global_avg_pool_naive", "global_avg_pool_backward"):
        assert getattr(fc, name) is getattr(global_pooling, name)
    for name in ("layer_params", "layer_macs", "vgg16_layers", "resnet50_layers", "summarize"):
        assert getattr(fc, name) is getattr(architectures, name)
    # one Layer name per meaning: the counting description is LayerSpec, Layer its old alias
    assert fc.Layer is fc.LayerSpec is architectures.LayerSpec
    assert fc.layer_params(fc.Layer("conv", 512, 512, k=3)) == 3 * 3 * 512 * 512 + 512


def test_layer_spec_counts_a_dense_layer_like_fc_params():
    assert fc.layer_params(fc.LayerSpec("fc", 4096, 1000)) == fc.fc_params(4096, 1000)
    assert fc.layer_params(fc.LayerSpec("fc", 7, 3, bias=False)) == fc.fc_params(7, 3, bias=False)
    assert fc.layer_params(fc.LayerSpec("bn", 64, 64)) == 128
    assert fc.layer_macs(fc.LayerSpec("bn", 64, 64, out_hw=56)) == 0


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "words"),
    [
        (("pool", 3, 4), {}, ValueError, ["kind", "pool"]),
        (("conv", 0, 4), {}, ValueError, ["c_in", "got 0"]),
        (("conv", 3, 4.0), {}, TypeError, ["c_out", "float"]),
        (("conv", 3, 4), {"k": True}, TypeError, ["k", "bool"]),
        (("conv", 3, 4), {"bias": 1}, TypeError, ["bias"]),
    ],
)
def test_layer_spec_refuses_bad_geometry(args, kwargs, exc, words):
    with pytest.raises(exc) as info:
        fc.LayerSpec(*args, **kwargs)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_summarize_refuses_what_is_not_a_layer_spec():
    with pytest.raises(TypeError, match="LayerSpec"):
        fc.summarize([("conv", 3, 64)])
    with pytest.raises(TypeError, match="layers"):
        fc.summarize([])
