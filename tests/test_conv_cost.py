"""snippets/conv_cost.py against the convolution itself: output sizes equal `conv2d`'s output
shapes, parameter counts equal the sizes of its weight and bias arrays, multiply-adds equal a
count of the products (a convolution of ones with ones), and MobileNet's separable ratio."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets.conv import conv2d
from snippets.conv_cost import (
    best_separable,
    conv2d_cost,
    output_size,
    separable_cost,
    separable_kernel,
)


@settings(max_examples=60, deadline=None)
@given(
    h=st.integers(1, 12), w=st.integers(1, 12), k=st.integers(1, 4), s=st.integers(1, 3),
    p=st.integers(0, 2), d=st.integers(1, 3),
)  # fmt: skip
def test_output_size_is_conv2ds_output_shape(h, w, k, s, p, d):
    X, W = np.zeros((1, 1, h, w)), np.zeros((1, 1, k, k))
    try:
        want = conv2d(X, W, stride=s, padding=p, dilation=d).shape[2:]
    except ValueError:
        with pytest.raises(ValueError, match="^kernel_size:"):
            output_size((h, w), k, s, p, d)
        return
    assert output_size((h, w), k, s, p, d) == want


def _arg(draw, lo, hi):
    """An int or an (h, w) pair."""
    if draw(st.booleans()):
        return draw(st.integers(lo, hi))
    return (draw(st.integers(lo, hi)), draw(st.integers(lo, hi)))


@settings(max_examples=80, deadline=None)
@given(data=st.data(), h=st.integers(1, 12), w=st.integers(1, 12))
def test_output_size_with_pairs_strings_and_rectangular_kernels(data, h, w):
    k = _arg(data.draw, 1, 4)  # even and odd, square or not
    s = _arg(data.draw, 1, 3)
    d = _arg(data.draw, 1, 3)
    p = data.draw(st.one_of(st.just("valid"), st.just("same"), st.integers(0, 2),
                            st.tuples(st.integers(0, 2), st.integers(0, 2))))  # fmt: skip
    kh, kw = (k, k) if isinstance(k, int) else k
    X, W = np.zeros((1, 1, h, w)), np.zeros((1, 1, kh, kw))
    try:
        want = conv2d(X, W, stride=s, padding=p, dilation=d).shape[2:]
    except ValueError as e:
        name = str(e).split(":")[0]
        name = "kernel_size" if name == "X" else name  # too small: output_size names the kernel
        with pytest.raises(ValueError, match=rf"^{name}:"):
            output_size((h, w), k, s, p, d)
        return
    assert output_size((h, w), k, s, p, d) == want


def test_multiply_adds_count_the_taps_on_padding():
    # with padding 1, a 3×3 convolution of ones sums only the taps on real pixels: the count
    # exceeds that sum by exactly the taps that land on the zero border
    X, W = np.ones((1, 1, 5, 4)), np.ones((1, 1, 3, 3))
    Y = conv2d(X, W, padding=1)
    cost = conv2d_cost(1, 1, 3, Y.shape[2:], bias=False)
    assert cost.macs == 5 * 4 * 9
    on_padding = sum(
        1
        for a, b, i, j in np.ndindex(5, 4, 3, 3)
        if not (0 <= a + i - 1 < 5 and 0 <= b + j - 1 < 4)
    )
    assert Y.sum() == cost.macs - on_padding < cost.macs


def test_output_size_by_hand_and_with_same_and_valid():
    assert output_size(224, 7, stride=2, padding=3) == (112, 112)  # ResNet's stem
    assert output_size(32, 3, padding="same") == (32, 32)
    assert output_size((10, 8), (3, 5), padding="valid") == (8, 4)
    assert output_size(10, 3, padding="same", dilation=2) == (10, 10)
    assert output_size(9, 4, padding="same") == (9, 9)  # even kernel: odd total padding
    assert output_size((9, 6), (2, 4), stride=(2, 1), padding=(1, 0)) == (5, 3)
    with pytest.raises(ValueError, match="^padding:"):
        output_size(10, 3, stride=2, padding="same")


@pytest.mark.parametrize("groups", [1, 2, 4])
@pytest.mark.parametrize("bias", [True, False])
def test_costs_count_the_arrays_and_the_products(groups, bias):
    c_in, c_out, k = 4, 8, 3
    X, W = np.ones((1, c_in, 7, 6)), np.ones((c_out, c_in // groups, k, k))
    Y = conv2d(X, W, groups=groups)  # no padding: every tap is a product of ones
    cost = conv2d_cost(c_in, c_out, k, Y.shape[2:], groups=groups, bias=bias)
    assert cost.params == W.size + (c_out if bias else 0)
    assert cost.macs == Y.sum()


def test_a_separable_block_costs_about_1_over_c_out_plus_1_over_k2():
    standard = conv2d_cost(64, 128, 3, (56, 56), bias=False)
    separable = separable_cost(64, 128, 3, (56, 56), bias=False)
    assert separable.macs / standard.macs == pytest.approx(1 / 128 + 1 / 9)
    assert separable.params == 64 * 9 + 64 * 128
    assert conv2d_cost(64, 128, 1, 7).macs == 7 * 7 * 128 * 64  # a 1x1 conv: a matmul per pixel


@pytest.mark.parametrize(
    "call, error, name",
    [
        (lambda: output_size(0, 3), ValueError, "size"),
        (lambda: output_size(5, 0), ValueError, "kernel_size"),
        (lambda: output_size(5, 3, stride=0), ValueError, "stride"),
        (lambda: output_size(5, 3, padding=-1), ValueError, "padding"),
        (lambda: output_size(5, 3, padding="full"), ValueError, "padding"),
        (lambda: output_size(2, 3), ValueError, "kernel_size"),
        (lambda: output_size(5.0, 3), TypeError, "size"),
        (lambda: conv2d_cost(6, 8, 3, 5, groups=4), ValueError, "groups"),
        (lambda: conv2d_cost(0, 8, 3, 5), ValueError, "c_in"),
        (lambda: conv2d_cost(4, 8, 3, 5, bias=1), TypeError, "bias"),
        (lambda: separable_cost(4, 8, (3, 3, 3), 5), TypeError, "kernel_size"),
    ],
)
def test_bad_input_names_the_argument(call, error, name):
    with pytest.raises(error, match=rf"^{name}:"):
        call()


# --- what a separable pair computes, and the closest one to a standard kernel -------------------


def test_separable_kernel_is_what_depthwise_then_pointwise_computes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 3, 7, 6))
    D, P = rng.normal(size=(3, 1, 3, 3)), rng.normal(size=(5, 3, 1, 1))
    two_steps = conv2d(conv2d(X, D, groups=3, padding=1), P)
    np.testing.assert_allclose(conv2d(X, separable_kernel(D, P), padding=1), two_steps, atol=1e-12)
    W = separable_kernel(D, P)
    for o, c in np.ndindex(5, 3):  # by the definition, one entry at a time
        np.testing.assert_allclose(W[o, c], P[o, c, 0, 0] * D[c, 0], atol=0)


def test_best_separable_is_exact_on_separable_kernels_and_optimal_otherwise():
    rng = np.random.default_rng(1)
    D, P = rng.normal(size=(4, 1, 3, 3)), rng.normal(size=(6, 4, 1, 1))
    W = separable_kernel(D, P)
    np.testing.assert_allclose(separable_kernel(*best_separable(W)), W, atol=1e-12)
    W = rng.normal(size=(6, 4, 3, 3))
    D, P = best_separable(W)
    best = np.linalg.norm(W - separable_kernel(D, P))
    # the error left is the energy beyond the first singular value of each W[:, c]
    s = np.stack([np.linalg.svd(W[:, c].reshape(6, 9), compute_uv=False) for c in range(4)])
    assert best**2 == pytest.approx((s[:, 1:] ** 2).sum(), rel=1e-12)
    np.testing.assert_allclose(np.linalg.norm(D.reshape(4, 9), axis=1), 1.0)  # unit filters
    for _ in range(200):  # no nearby separable pair does better
        D2 = D + 1e-3 * rng.normal(size=D.shape)
        P2 = P + 1e-3 * rng.normal(size=P.shape)
        assert np.linalg.norm(W - separable_kernel(D2, P2)) >= best - 1e-12


def test_one_output_channel_is_always_separable():
    W = np.random.default_rng(2).normal(size=(1, 5, 3, 3))
    np.testing.assert_allclose(separable_kernel(*best_separable(W)), W, atol=1e-12)


@pytest.mark.parametrize(
    "call, error, name",
    [
        (lambda: separable_kernel(np.ones((3, 2, 3, 3)), np.ones((4, 3, 1, 1))), ValueError, "D"),
        (lambda: separable_kernel(np.ones((3, 1, 3, 3)), np.ones((4, 2, 1, 1))), ValueError, "P"),
        (lambda: separable_kernel(np.ones((3, 1, 3, 3)), np.ones((4, 3, 3, 3))), ValueError, "P"),
        (lambda: separable_kernel("x", np.ones((4, 3, 1, 1))), TypeError, "D"),
        (lambda: best_separable(np.ones((3, 3, 3))), ValueError, "W"),
        (lambda: best_separable(np.full((2, 2, 3, 3), np.nan)), ValueError, "W"),
    ],
)
def test_separable_bad_input_names_the_argument(call, error, name):
    with pytest.raises(error, match=rf"^{name}:"):
        call()
