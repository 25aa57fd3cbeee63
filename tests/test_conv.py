"""Tests for snippets/conv.py: PyTorch's F.conv2d semantics by hand, loops == vectorized,
finite-difference gradients, dtypes, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets.conv import conv2d, conv2d_backward, conv2d_naive
from tests import gradcheck


@st.composite
def problems(draw, max_hw=6):
    """A random valid convolution: shapes, stride, padding (int, pair or "same"), dilation,
    groups, bias, batched or not."""
    G = draw(st.integers(1, 3))
    C, O = G * draw(st.integers(1, 2)), G * draw(st.integers(1, 2))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    span = [di * (ki - 1) + 1 for ki, di in zip(k, d)]
    if draw(st.booleans()):  # "same": stride 1
        s, padding, pads = (1, 1), "same", [e - 1 for e in span]
    else:
        s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
        padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
        pads = [2 * p for p in padding]
    H = draw(st.integers(max(1, span[0] - pads[0]), max(1, span[0] - pads[0], max_hw)))
    W = draw(st.integers(max(1, span[1] - pads[1]), max(1, span[1] - pads[1], max_hw)))
    N = draw(st.integers(1, 2))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = rng.normal(size=(C, H, W) if draw(st.booleans()) else (N, C, H, W))
    Wt = rng.normal(size=(O, C // G, *k))
    b = rng.normal(size=O) if draw(st.booleans()) else None
    return X, Wt, b, dict(stride=s, padding=padding, dilation=d, groups=G)


# --- by hand ------------------------------------------------------------------------------------


def test_by_hand_3x3_image_2x2_kernel():
    X = np.arange(9.0).reshape(1, 1, 3, 3)  # [[0 1 2] [3 4 5] [6 7 8]]
    W = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])  # x[i, j] − x[i+1, j+1]: always −4
    np.testing.assert_array_equal(conv2d(X, W), np.full((1, 1, 2, 2), -4.0))
    np.testing.assert_array_equal(conv2d(X, W, b=[10.0]), np.full((1, 1, 2, 2), 6.0))
    # padding 1: corner output (0, 0) reads pad, pad, pad, x[0, 0] = 0 → 0 − 0
    Y = conv2d(X, W, padding=1)
    assert Y.shape == (1, 1, 4, 4)
    np.testing.assert_array_equal(Y[0, 0, 0], [0.0, -1.0, -2.0, 0.0])
    np.testing.assert_array_equal(Y[0, 0, 3], [0.0, 6.0, 7.0, 8.0])
    # stride 2 with padding 1: outputs (0, 0), (0, 2), (2, 0), (2, 2) of the padded result
    np.testing.assert_array_equal(conv2d(X, W, padding=1, stride=2)[0, 0], Y[0, 0, ::2, ::2])
    # dilation 2: the taps are x[0, 0] and x[2, 2]
    np.testing.assert_array_equal(conv2d(X, W, dilation=2), [[[[0.0 - 8.0]]]])


def test_cross_correlation_does_not_flip_the_kernel():
    X = np.zeros((1, 1, 3, 3))
    X[0, 0, 1, 1] = 1.0  # an impulse returns the kernel rotated by 180°
    W = np.arange(9.0).reshape(1, 1, 3, 3)
    np.testing.assert_array_equal(conv2d(X, W, padding=1)[0, 0], W[0, 0, ::-1, ::-1])


def test_output_size_formula():
    X = np.ones((2, 3, 11, 9))
    W = np.ones((4, 3, 3, 2))
    Y = conv2d(X, W, stride=(2, 3), padding=(1, 2), dilation=(2, 1))
    # ⌊(11 + 2 − 2·2 − 1)/2⌋ + 1 = 5, ⌊(9 + 4 − 1·1 − 1)/3⌋ + 1 = 4
    assert Y.shape == (2, 4, 5, 4)


def test_same_and_valid_padding():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1, 2, 5, 6))
    W = rng.normal(size=(3, 2, 4, 3))  # even kh: total padding 3 = 1 above, 2 below (PyTorch)
    Y = conv2d(X, W, padding="same")
    assert Y.shape == (1, 3, 5, 6)
    Xp = np.pad(X, ((0, 0), (0, 0), (1, 2), (1, 1)))
    np.testing.assert_allclose(Y, conv2d(Xp, W), rtol=1e-13, atol=1e-13)
    # dilation 2: the effective kernel is 7 × 5, padding 3 all round
    Y = conv2d(X, W, padding="same", dilation=2)
    Xp = np.pad(X, ((0, 0), (0, 0), (3, 3), (2, 2)))
    np.testing.assert_allclose(Y, conv2d(Xp, W, dilation=2), rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(conv2d(X, W, padding="valid"), conv2d(X, W))


def test_groups_are_independent_convolutions():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2, 4, 5, 5))
    W = rng.normal(size=(6, 2, 3, 3))  # 2 groups: channels 0-1 → outputs 0-2, 2-3 → 3-5
    Y = conv2d(X, W, groups=2, padding=1)
    np.testing.assert_allclose(Y[:, :3], conv2d(X[:, :2], W[:3], padding=1), rtol=1e-13)
    np.testing.assert_allclose(Y[:, 3:], conv2d(X[:, 2:], W[3:], padding=1), rtol=1e-13)
    # depthwise (groups = C): a per-channel box filter is a per-channel mean
    box = np.full((4, 1, 5, 5), 1 / 25)
    np.testing.assert_allclose(conv2d(X, box, groups=4)[:, :, 0, 0], X.mean(axis=(2, 3)))


def test_unbatched_input_and_dtypes():
    rng = np.random.default_rng(2)
    X, W, b = rng.normal(size=(2, 4, 4)), rng.normal(size=(3, 2, 2, 2)), rng.normal(size=3)
    np.testing.assert_array_equal(conv2d(X, W, b), conv2d(X[None], W, b)[0])
    dX, dW, db = conv2d_backward(np.ones((3, 3, 3)), X, W)
    assert dX.shape == X.shape and dW.shape == W.shape and db.shape == (3,)
    Y32 = conv2d(X.astype(np.float32), W.astype(np.float32), b.astype(np.float32))
    assert Y32.dtype == np.float32  # float32 stays float32, as in PyTorch
    np.testing.assert_allclose(Y32, conv2d(X, W, b), rtol=1e-5, atol=1e-5)
    grads = conv2d_backward(np.ones((3, 3, 3), np.float32), X.astype(np.float32), W.astype("f4"))
    assert all(g.dtype == np.float32 for g in grads)
    assert conv2d(np.ones((1, 1, 2, 2), int), np.ones((1, 1, 1, 1), int)).dtype == np.float64


# --- loops == vectorized ------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(problems())
def test_naive_equals_vectorized(problem):
    X, W, b, kw = problem
    np.testing.assert_allclose(conv2d(X, W, b, **kw), conv2d_naive(X, W, b, **kw), atol=1e-12)


# --- gradients ----------------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(problems(max_hw=5))
def test_backward_matches_finite_differences(problem):
    X, W, b, kw = problem
    X, W = X.copy(), W.copy()
    b = np.zeros(W.shape[0]) if b is None else b.copy()
    rng = np.random.default_rng(3)
    G = rng.normal(size=conv2d(X, W, b, **kw).shape)

    def loss():
        return float(np.sum(conv2d(X, W, b, **kw) * G))

    dX, dW, db = conv2d_backward(G, X, W, **kw)
    for analytic, wrt in ((dX, X), (dW, W), (db, b)):
        numeric = gradcheck.numeric_grad(loss, wrt)
        assert gradcheck.rel_error(analytic, numeric) <= 1e-7 or np.allclose(
            analytic, numeric, atol=gradcheck.FD_NOISE
        )


def test_backward_by_hand():
    X = np.arange(9.0).reshape(1, 1, 3, 3)
    W = np.ones((1, 1, 2, 2))
    dX, dW, db = conv2d_backward(np.ones((1, 1, 2, 2)), X, W)
    # each pixel's gradient counts the windows that read it
    np.testing.assert_array_equal(dX[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    # dW[i, j] sums the pixels tap (i, j) read: the four 2×2 corner blocks of X
    np.testing.assert_array_equal(
        dW[0, 0], [[0 + 1 + 3 + 4, 1 + 2 + 4 + 5], [3 + 4 + 6 + 7, 4 + 5 + 7 + 8]]
    )
    np.testing.assert_array_equal(db, [4.0])
    # stride 2 on a 3×3 input with a 2×2 kernel: the last row and column are never read
    dX = conv2d_backward(np.ones((1, 1, 1, 1)), X, W, stride=2)[0]
    np.testing.assert_array_equal(dX[0, 0], [[1, 1, 0], [1, 1, 0], [0, 0, 0]])


def test_backward_is_the_adjoint_of_the_forward():
    rng = np.random.default_rng(4)
    X, W = rng.normal(size=(2, 4, 7, 6)), rng.normal(size=(6, 2, 3, 2))
    kw = dict(stride=(2, 1), padding=(2, 1), dilation=(1, 2), groups=2)
    G = rng.normal(size=conv2d(X, W, **kw).shape)
    dX, dW, _ = conv2d_backward(G, X, W, **kw)
    # the convolution is linear in X and in W: <conv(X, W), G> = <X, dX> = <W, dW>
    lhs = np.sum(conv2d(X, W, **kw) * G)
    assert lhs == pytest.approx(np.sum(X * dX), rel=1e-12)
    assert lhs == pytest.approx(np.sum(W * dW), rel=1e-12)


# --- bad input ----------------------------------------------------------------------------------

X4, W4 = np.ones((1, 2, 5, 5)), np.ones((3, 2, 3, 3))


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: conv2d(np.ones((5, 5)), W4), ValueError, ["X", "4-D", "(5, 5)"]),
        (lambda: conv2d(np.ones((1, 0, 5, 5)), W4), ValueError, ["X", "non-zero"]),
        (lambda: conv2d("x", W4), TypeError, ["X"]),
        (lambda: conv2d(X4 * np.nan, W4), ValueError, ["X", "NaN"]),
        (lambda: conv2d(X4, np.ones((3, 2, 3))), ValueError, ["W", "4-D"]),
        (lambda: conv2d(X4, np.ones((3, 1, 3, 3))), ValueError, ["W", "(3, 2, kh, kw)"]),
        (lambda: conv2d(X4, np.ones((3, 1, 3, 3)), groups=2), ValueError, ["groups", "C_out"]),
        (lambda: conv2d(X4, W4, groups=0), ValueError, ["groups", ">= 1"]),
        (lambda: conv2d(X4, W4, groups=1.0), TypeError, ["groups"]),
        (lambda: conv2d(X4, W4, b=np.ones(2)), ValueError, ["b", "(3,)"]),
        (lambda: conv2d(X4, W4, stride=0), ValueError, ["stride", ">= 1"]),
        (lambda: conv2d(X4, W4, stride=(1, 2, 3)), TypeError, ["stride", "pair"]),
        (lambda: conv2d(X4, W4, dilation=0), ValueError, ["dilation"]),
        (lambda: conv2d(X4, W4, padding=-1), ValueError, ["padding", ">= 0"]),
        (lambda: conv2d(X4, W4, padding="full"), ValueError, ["padding", "same", "valid"]),
        (lambda: conv2d(X4, W4, stride=2, padding="same"), ValueError, ["padding", "stride 1"]),
        (lambda: conv2d(X4, np.ones((3, 2, 6, 1))), ValueError, ["X", "too small", "(6, 1)"]),
        (lambda: conv2d(X4, W4, dilation=3), ValueError, ["too small", "effective kernel"]),
        (lambda: conv2d_naive(X4, W4, stride=True), TypeError, ["stride", "bool"]),
        (
            lambda: conv2d_backward(np.ones((1, 3, 2, 2)), X4, W4),
            ValueError,
            ["dY", "(1, 3, 3, 3)"],
        ),
    ],
)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)
