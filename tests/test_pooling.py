"""Tests for snippets/pooling.py (and pooling_naive, pooling_geometry): PyTorch semantics,
gradients, naive == vectorized, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets import pooling as pl
from tests import gradcheck

# --- helpers written here, independently of the snippet ----------------------------------------


def out_len(L, k, s, p, ceil_mode):
    """Count the windows one by one: a window starts at a·s − p (padded coordinates a·s)."""
    n = 0
    for a in range(200):
        if ceil_mode:
            # a window is kept while it starts before the end of the floor-mode range plus one
            # stride, and inside the input or the left padding
            ok = a * s < L + 2 * p - k + s and a * s - p < L
        else:
            ok = a * s + k <= L + 2 * p  # fits entirely in the padded input
        n += ok
    return n


@st.composite
def configs(draw, max_hw=7, floor_only=False):
    """A random valid pooling problem: shapes, hyper-parameters, flags."""
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    s = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    ceil_mode = False if floor_only else draw(st.booleans())
    # smallest sizes with at least one window (with ceil_mode a kernel may exceed the input)
    h_min = next(L for L in range(1, 20) if out_len(L, k[0], s[0], p[0], ceil_mode) >= 1)
    w_min = next(L for L in range(1, 20) if out_len(L, k[1], s[1], p[1], ceil_mode) >= 1)
    H = draw(st.integers(h_min, max(h_min, max_hw)))
    W = draw(st.integers(w_min, max(w_min, max_hw)))
    N, C = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    rank3 = draw(st.booleans())
    return {
        "shape": (C, H, W) if rank3 else (N, C, H, W),
        "k": k,
        "s": s,
        "p": p,
        "ceil_mode": ceil_mode,
        "cip": draw(st.booleans()),
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


def distinct(shape, rng):
    """Values all distinct and 0.01 apart (no ties, no kink within a finite-difference step)."""
    return (rng.permutation(int(np.prod(shape))).reshape(shape) - 10.0) * 0.01


def numeric_grad(f, X, dY, h=1e-5):
    """Centred differences of L(X) = Σ dY ⊙ f(X), in float64."""
    return gradcheck.numeric_grad(lambda: np.sum(dY * f(X)), X, h)


rel_error = gradcheck.rel_error


# --- output size ---------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    L=st.integers(1, 30),
    k=st.integers(1, 8),
    s=st.integers(1, 6),
    data=st.data(),
    ceil_mode=st.booleans(),
)
def test_output_size_counts_windows(L, k, s, data, ceil_mode):
    p = data.draw(st.integers(0, k // 2))
    assert pl.pool_output_size(L, k, s, p, ceil_mode) == out_len(L, k, s, p, ceil_mode)


def test_output_size_by_hand():
    assert pl.pool_output_size(5, 2, 2, 0, False) == 2  # last row dropped
    assert pl.pool_output_size(5, 2, 2, 0, True) == 3  # ceil: one more window
    assert pl.pool_output_size(4, 2, 2, 0, True) == 2  # exact fit: ceil changes nothing
    # ceil((5 + 2 − 2)/2) + 1 = 4, but window 3 would start at 6 − 1 = 5 = L: removed
    assert pl.pool_output_size(5, 2, 2, 1, True) == 3
    assert pl.pool_output_size(6, 3, 2, 1, True) == 4  # starts at 5 < 6: kept
    # ceil mode even allows a kernel wider than the input when the window starts inside it
    assert pl.pool_output_size(2, 3, 2, 0, True) == 1
    assert pl.pool_output_size(2, 3, 2, 0, False) == 0


def test_divisors_by_hand():
    # 3×3, stride 2, padding 1 on 5 cells: windows −1..1, 1..3, 3..5 hold 2, 3, 2 real cells
    np.testing.assert_array_equal(pl.pool_divisors(5, 3, 2, 1, False, True), [3, 3, 3])
    np.testing.assert_array_equal(pl.pool_divisors(5, 3, 2, 1, False, False), [2, 3, 2])
    # ceil_mode on 6 cells: the last window starts at 5 and is cut at the padding's end, 7
    np.testing.assert_array_equal(pl.pool_divisors(6, 3, 2, 1, True, True), [3, 3, 3, 2])
    np.testing.assert_array_equal(pl.pool_divisors(6, 3, 2, 1, True, False), [2, 3, 3, 1])
    assert pl.pool_divisors(2, 3, 1, 0).shape == (0,)  # no window fits: nothing to divide
    with pytest.raises(TypeError, match="ceil_mode"):
        pl.pool_divisors(5, 3, 2, 1, 1)
    with pytest.raises(ValueError, match="s: expected an int >= 1, got 0"):
        pl.pool_divisors(5, 3, 0, 1)
    with pytest.raises(TypeError, match="L: expected an int"):
        pl.pool_output_size(5.0, 3, 2, 1)


def test_moved_names_keep_their_import_path():
    from snippets import pooling_geometry, pooling_naive

    assert pl.pool_output_size is pooling_geometry.pool_output_size
    assert pl.pool_divisors is pooling_geometry.pool_divisors
    for name in ("max_pool2d_naive", "max_pool2d_backward_naive", "avg_pool2d_naive"):
        assert getattr(pl, name) is getattr(pooling_naive, name)
    assert pl.avg_pool2d_backward_naive is pooling_naive.avg_pool2d_backward_naive


# --- hand-derived values -----------------------------------------------------------------------

X44 = np.array([[1, 3, 2, 9], [5, 6, 1, 7], [4, 2, 8, 1], [0, 3, 5, 4]], dtype=float)[None, None]


def test_four_by_four_example_by_hand():
    # windows: [1 3; 5 6], [2 9; 1 7], [4 2; 0 3], [8 1; 5 4]
    np.testing.assert_array_equal(pl.max_pool2d(X44, 2)[0, 0], [[6, 9], [4, 8]])
    np.testing.assert_allclose(
        pl.avg_pool2d(X44, 2)[0, 0], [[15 / 4, 19 / 4], [9 / 4, 18 / 4]], rtol=1e-15
    )
    dY = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    dX = np.zeros((4, 4))
    dX[1, 1], dX[0, 3], dX[2, 0], dX[2, 2] = 1, 2, 3, 4  # each window's winner
    np.testing.assert_array_equal(pl.max_pool2d_backward(dY, X44, 2)[0, 0], dX)
    np.testing.assert_array_equal(
        pl.avg_pool2d_backward(dY, X44.shape, 2)[0, 0], np.kron(dY[0, 0] / 4, np.ones((2, 2)))
    )


def test_overlapping_windows_accumulate():
    # 3×3 windows, stride 1: maxima 8 (at [2,2]), 9 (at [0,3]), 8, 8 → the 8 collects 1 + 3 + 4
    dY = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    np.testing.assert_array_equal(pl.max_pool2d(X44, 3, 1)[0, 0], [[8, 9], [8, 8]])
    dX = pl.max_pool2d_backward(dY, X44, 3, 1)[0, 0]
    want = np.zeros((4, 4))
    want[2, 2], want[0, 3] = 1 + 3 + 4, 2
    np.testing.assert_array_equal(dX, want)
    # average: a cell receives Σ dY/9 over the windows that contain it
    dXa = pl.avg_pool2d_backward(dY, X44.shape, 3, 1)[0, 0]
    assert dXa[0, 0] == pytest.approx(1 / 9)  # only window (0,0)
    assert dXa[1, 1] == pytest.approx(10 / 9)  # all four windows
    assert dXa[3, 3] == pytest.approx(4 / 9)  # only window (1,1)
    assert dXa[0, 3] == pytest.approx(2 / 9)


def test_ties_send_the_gradient_to_the_first_maximum():
    # row-major order: in [1 3; 3 2] the 3 at (0,1) comes before the 3 at (1,0)
    X = np.array([[[[1.0, 3.0], [3.0, 2.0]]]])
    dX = pl.max_pool2d_backward(np.array([[[[5.0]]]]), X, 2)
    np.testing.assert_array_equal(dX[0, 0], [[0, 5], [0, 0]])
    # constant input, 3×3 windows, stride 1, padding 1: a window's first real cell wins
    # rows of window a start at max(a − 1, 0) = 0, 0, 1; same for columns
    dX = pl.max_pool2d_backward(np.ones((1, 1, 3, 3)), np.ones((1, 1, 3, 3)), 3, 1, 1)
    np.testing.assert_array_equal(dX[0, 0], [[4, 2, 0], [2, 1, 0], [0, 0, 0]])
    # non-overlapping constant windows: the top-left of each gets everything
    dX = pl.max_pool2d_backward(np.full((1, 1, 2, 2), 7.0), np.zeros((1, 1, 4, 4)), 2)
    np.testing.assert_array_equal(dX[0, 0, ::2, ::2], 7.0)
    assert dX.sum() == 28.0


def test_padding_never_wins_a_max():
    X = -np.arange(1.0, 10.0).reshape(1, 1, 3, 3)  # all negative: zero padding would win
    Y = pl.max_pool2d(X, 3, 1, 1)
    assert np.all(np.isfinite(Y)) and np.all(Y < 0)
    # window (a, b) covers rows max(a−1,0)..min(a+1,2), same for columns; the max is its
    # top-left cell since the values decrease along rows and columns
    np.testing.assert_array_equal(Y[0, 0], [[-1, -1, -2], [-1, -1, -2], [-4, -4, -5]])
    # a window that is mostly padding (2×2 pooling, stride 2, padding 1 on a 1×1 input)
    np.testing.assert_array_equal(pl.max_pool2d(np.full((1, 1, 1, 1), -3.0), 2, 2, 1), -3.0)


def test_count_include_pad_divisors_by_hand():
    ones = np.ones((1, 1, 5, 5))
    # 3×3, stride 2, padding 1 on 5×5: windows start at −1, 1, 3 and cover 2, 3, 2 real rows
    real = np.outer([2, 3, 2], [2, 3, 2])
    np.testing.assert_allclose(pl.avg_pool2d(ones, 3, 2, 1)[0, 0], real / 9, rtol=1e-15)
    np.testing.assert_allclose(pl.avg_pool2d(ones, 3, 2, 1, count_include_pad=False), 1.0)
    X = np.arange(25.0).reshape(1, 1, 5, 5)
    corner = (0 + 1 + 5 + 6) / 4
    assert pl.avg_pool2d(X, 3, 2, 1, count_include_pad=False)[0, 0, 0, 0] == corner
    assert pl.avg_pool2d(X, 3, 2, 1)[0, 0, 0, 0] == pytest.approx(12 / 9)


def test_ceil_mode_extra_windows_by_hand():
    X = np.arange(25.0).reshape(1, 1, 5, 5)
    assert pl.max_pool2d(X, 2).shape == (1, 1, 2, 2)  # floor: row 4 and column 4 unused
    Y = pl.max_pool2d(X, 2, ceil_mode=True)
    assert Y.shape == (1, 1, 3, 3)
    assert Y[0, 0, 0, 2] == 9 and Y[0, 0, 2, 0] == 21 and Y[0, 0, 2, 2] == 24
    A = pl.avg_pool2d(X, 2, ceil_mode=True)
    assert A[0, 0, 0, 2] == (4 + 9) / 2  # a 2×1 window: no padding, so it divides by 2
    assert A[0, 0, 2, 2] == 24.0
    # the overhanging window's gradient stays on its one real cell
    dX = pl.avg_pool2d_backward(np.ones((1, 1, 3, 3)), X.shape, 2, ceil_mode=True)
    assert dX[0, 0, 4, 4] == 1.0 and dX[0, 0, 0, 4] == 0.5 and dX[0, 0, 0, 0] == 0.25


def test_ceil_mode_kernel_larger_than_the_input():
    # 3×3 kernel, stride 2, on 2×2: ceil((2 − 3)/2) + 1 = 1 window, starting at 0 inside X;
    # it ends at min(0 + 3, 2 + 0) = 2, so even count_include_pad divides by 2·2, not 9
    X = np.array([[[[1.0, 2.0], [3.0, 6.0]]]])
    assert pl.max_pool2d(X, 3, 2, ceil_mode=True)[0, 0, 0, 0] == 6.0
    assert pl.avg_pool2d(X, 3, 2, ceil_mode=True)[0, 0, 0, 0] == 3.0
    with pytest.raises(ValueError, match="kernel_size"):
        pl.max_pool2d(X, 3, 2)  # floor mode: no window fits


def test_ceil_mode_window_past_the_padding_has_a_smaller_pool_size():
    # row [1..6], kernel 1×3, stride 2, padding 1, ceil: windows start at −1, 1, 3, 5
    # ends min(start + 3, 6 + 1) = 2, 4, 6, 7 → pool sizes 3, 3, 3, 2; real cells 2, 3, 3, 1
    X = np.arange(1.0, 7.0).reshape(1, 1, 1, 6)
    kw = {"kernel_size": (1, 3), "stride": (1, 2), "padding": (0, 1), "ceil_mode": True}
    sums = np.array([1 + 2, 2 + 3 + 4, 4 + 5 + 6, 6])
    np.testing.assert_allclose(pl.avg_pool2d(X, **kw)[0, 0, 0], sums / [3, 3, 3, 2])
    np.testing.assert_allclose(
        pl.avg_pool2d(X, count_include_pad=False, **kw)[0, 0, 0], sums / [2, 3, 3, 1]
    )
    dX = pl.avg_pool2d_backward(np.ones((1, 1, 1, 4)), X.shape, **kw)[0, 0, 0]
    np.testing.assert_allclose(dX, [1 / 3, 2 / 3, 1 / 3, 2 / 3, 1 / 3, 1 / 3 + 1 / 2])


def test_max_pooling_commutes_with_relu_and_average_does_not():
    X = np.random.default_rng(5).normal(size=(2, 3, 6, 6))
    relu = lambda Z: np.maximum(Z, 0)  # noqa: E731
    np.testing.assert_array_equal(pl.max_pool2d(relu(X), 2), relu(pl.max_pool2d(X, 2)))
    assert not np.allclose(pl.avg_pool2d(relu(X), 2), relu(pl.avg_pool2d(X, 2)))


def test_global_pooling_is_a_full_size_kernel():
    X = np.random.default_rng(0).normal(size=(2, 3, 5, 4))
    np.testing.assert_allclose(pl.avg_pool2d(X, (5, 4)), X.mean(axis=(2, 3), keepdims=True))
    np.testing.assert_array_equal(pl.max_pool2d(X, (5, 4)), X.max(axis=(2, 3), keepdims=True))


def test_average_pooling_is_a_fixed_strided_convolution():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(1, 2, 7, 7))
    k, s, p = 3, 2, 1
    P = np.pad(X, ((0, 0), (0, 0), (p, p), (p, p)))
    w = np.full((k, k), 1 / k**2)  # the same uniform filter for every channel, not learned
    Y = np.array(
        [
            [
                [np.sum(P[0, c, a * s : a * s + k, b * s : b * s + k] * w) for b in range(4)]
                for a in range(4)
            ]
            for c in range(2)
        ]
    )
    np.testing.assert_allclose(pl.avg_pool2d(X, k, s, p)[0], Y, rtol=1e-13)


# --- naive == vectorized, against an independent sliding-window reference -----------------


@settings(max_examples=80, deadline=None)
@given(cfg=configs())
def test_naive_and_vectorized_agree(cfg):
    rng = np.random.default_rng(cfg["seed"])
    X = rng.integers(-3, 4, size=cfg["shape"]).astype(float)  # small ints: many ties
    args = (cfg["k"], cfg["s"], cfg["p"], cfg["ceil_mode"])
    Y = pl.max_pool2d(X, *args)
    np.testing.assert_array_equal(Y, pl.max_pool2d_naive(X, *args))
    A = pl.avg_pool2d(X, *args, cfg["cip"])
    np.testing.assert_allclose(A, pl.avg_pool2d_naive(X, *args, cfg["cip"]), rtol=1e-14)
    dY = rng.normal(size=Y.shape)
    np.testing.assert_allclose(
        pl.max_pool2d_backward(dY, X, *args),
        pl.max_pool2d_backward_naive(dY, X, *args),
        rtol=1e-14,
        atol=1e-15,
    )
    np.testing.assert_allclose(
        pl.avg_pool2d_backward(dY, X.shape, *args, cfg["cip"]),
        pl.avg_pool2d_backward_naive(dY, X.shape, *args, cfg["cip"]),
        rtol=1e-14,
        atol=1e-15,
    )


@settings(max_examples=60, deadline=None)
@given(cfg=configs(floor_only=True))
def test_floor_mode_matches_sliding_windows(cfg):
    """Without ceil_mode, every window lies in the padded input: numpy's sliding windows."""
    rng = np.random.default_rng(cfg["seed"])
    X = rng.normal(size=cfg["shape"])
    X4 = X if X.ndim == 4 else X[None]
    (kh, kw), (sh, sw), (ph, pw) = cfg["k"], cfg["s"], cfg["p"]
    pad = ((0, 0), (0, 0), (ph, ph), (pw, pw))
    win = np.lib.stride_tricks.sliding_window_view
    M = win(np.pad(X4, pad, constant_values=-np.inf), (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    S = win(np.pad(X4, pad), (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    ones = win(np.pad(np.ones(X4.shape), pad), (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    want_max = M.max(axis=(-2, -1))
    want_avg = S.sum(axis=(-2, -1)) / (ones.sum(axis=(-2, -1)) if not cfg["cip"] else kh * kw)
    got_max = pl.max_pool2d(X4, cfg["k"], cfg["s"], cfg["p"])
    got_avg = pl.avg_pool2d(X4, cfg["k"], cfg["s"], cfg["p"], count_include_pad=cfg["cip"])
    np.testing.assert_array_equal(got_max, want_max)
    np.testing.assert_allclose(got_avg, want_avg, rtol=1e-13, atol=1e-15)


# --- gradients by finite differences -----------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(cfg=configs(max_hw=6))
def test_backward_matches_finite_differences(cfg):
    rng = np.random.default_rng(cfg["seed"])
    X = distinct(cfg["shape"], rng)
    args = (cfg["k"], cfg["s"], cfg["p"], cfg["ceil_mode"])
    dY = rng.normal(size=pl.max_pool2d(X, *args).shape)
    analytic = pl.max_pool2d_backward(dY, X, *args)
    numeric = numeric_grad(lambda Z: pl.max_pool2d(Z, *args), X.copy(), dY)
    assert rel_error(analytic, numeric) <= 1e-7
    analytic = pl.avg_pool2d_backward(dY, X.shape, *args, cfg["cip"])
    numeric = numeric_grad(lambda Z: pl.avg_pool2d(Z, *args, cfg["cip"]), X.copy(), dY)
    assert rel_error(analytic, numeric) <= 1e-7


@settings(max_examples=60, deadline=None)
@given(cfg=configs())
def test_gradient_sums(cfg):
    """Max hands every window's gradient to one input cell; average without padding in the
    divisor spreads all of it over real cells; with padding counted, some is lost to it."""
    rng = np.random.default_rng(cfg["seed"])
    X = rng.normal(size=cfg["shape"])
    args = (cfg["k"], cfg["s"], cfg["p"], cfg["ceil_mode"])
    dY = rng.uniform(0.5, 1.5, size=pl.max_pool2d(X, *args).shape)
    assert pl.max_pool2d_backward(dY, X, *args).sum() == pytest.approx(dY.sum(), rel=1e-12)
    excl = pl.avg_pool2d_backward(dY, X.shape, *args, False).sum()
    incl = pl.avg_pool2d_backward(dY, X.shape, *args, True).sum()
    assert excl == pytest.approx(dY.sum(), rel=1e-12)
    assert incl <= excl * (1 + 1e-12)
    if cfg["p"] == (0, 0) and not cfg["ceil_mode"]:
        assert incl == pytest.approx(excl, rel=1e-12)


# --- dtypes, ranks, batch ----------------------------------------------------------------------


def test_float32_stays_float32_and_ints_become_float64():
    X32 = np.random.default_rng(0).normal(size=(2, 3, 6, 6)).astype(np.float32)
    for Y in (
        pl.max_pool2d(X32, 3, 2, 1, True),
        pl.avg_pool2d(X32, 3, 2, 1, True),
        pl.max_pool2d_backward(np.ones((2, 3, 4, 4), np.float32), X32, 3, 2, 1, True),
        pl.avg_pool2d_backward(np.ones((2, 3, 4, 4), np.float32), X32.shape, 3, 2, 1, True),
    ):
        assert Y.dtype == np.float32
    np.testing.assert_allclose(
        pl.avg_pool2d(X32, 3, 2, 1, True),
        pl.avg_pool2d(X32.astype(float), 3, 2, 1, True),
        rtol=1e-6,
    )
    Xi = np.arange(16).reshape(1, 1, 4, 4)
    assert pl.max_pool2d(Xi, 2).dtype == np.float64
    assert pl.avg_pool2d(Xi.tolist(), 2).dtype == np.float64
    assert pl.max_pool2d(Xi.astype(np.float16), 2).dtype == np.float16


def test_rank_three_input_gives_rank_three_output():
    X = np.random.default_rng(2).normal(size=(3, 5, 5))
    dY = np.ones((3, 3, 3))
    np.testing.assert_array_equal(pl.max_pool2d(X, 2, 2, 1), pl.max_pool2d(X[None], 2, 2, 1)[0])
    assert pl.avg_pool2d(X, 3, 2, 1).shape == (3, 3, 3)
    assert pl.max_pool2d_backward(dY, X, 2, 2, 1).shape == X.shape
    assert pl.avg_pool2d_backward(dY, X.shape, 3, 2, 1).shape == X.shape
    assert pl.max_pool2d_naive(X, 2, 2, 1).shape == (3, 3, 3)


def test_empty_batch_and_pairs():
    assert pl.max_pool2d(np.zeros((0, 2, 4, 4)), 2).shape == (0, 2, 2, 2)
    X = np.random.default_rng(3).normal(size=(1, 1, 6, 9))
    np.testing.assert_array_equal(
        pl.max_pool2d(X, (2, 3), (2, 3)), pl.max_pool2d(X, [2, 3], None, [0, 0])
    )
    assert pl.avg_pool2d(X, (2, 3), (1, 2), (1, 1)).shape == (1, 1, 7, 5)
    assert pl.max_pool2d(X, (3,)).shape == (1, 1, 2, 3)  # a one-element sequence, as in torch


def test_inputs_are_not_modified():
    X = np.random.default_rng(4).normal(size=(1, 2, 5, 5))
    dY = np.ones((1, 2, 3, 3))
    X0, dY0 = X.copy(), dY.copy()
    pl.max_pool2d_backward(dY, X, 3, 2, 1)
    pl.avg_pool2d_backward(dY, X.shape, 3, 2, 1)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(dY, dY0)


# --- padding limits ------------------------------------------------------------------------------


def windows(L, k, s, p, ceil_mode):
    """(first, last) position of every window along one dimension, in input coordinates."""
    return [(a * s - p, a * s - p + k - 1) for a in range(out_len(L, k, s, p, ceil_mode))]


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_padding_up_to_k_minus_1_leaves_a_real_cell_in_every_window(ceil_mode):
    """Keeping windows off pure padding needs only p <= k - 1, not PyTorch's p <= k // 2."""
    for L in range(1, 12):
        for k in range(1, 7):
            for s in range(1, 5):
                for p in range(0, k):
                    for first, last in windows(L, k, s, p, ceil_mode):
                        assert first <= L - 1 and last >= 0, (L, k, s, p, first, last)
                # p = k: the first window, -k .. -1, is all padding
                w = windows(L, k, s, k, ceil_mode)
                assert w and w[0][1] < 0


def test_half_kernel_padding_keeps_windows_at_least_half_real():
    """Without ceil_mode and with L >= k, p <= k // 2 gives each window at least as many real
    cells as padding cells; with ceil_mode the last, cut window may not (L=8, k=4, s=3, p=2)."""
    for k in range(1, 7):
        for L in range(k, 14):
            for s in range(1, 5):
                for p in range(0, k // 2 + 1):
                    for first, last in windows(L, k, s, p, False):
                        real = min(last, L - 1) - max(first, 0) + 1
                        assert real >= k - real, (L, k, s, p, first, last)
    first, last = windows(8, 4, 3, 2, True)[-1]
    real, pool_size = 8 - first, min(last + 1, 8 + 2) - first  # cut at the end of the padding
    assert (first, real, pool_size - real) == (7, 1, 2)


def test_padding_over_half_the_kernel_is_refused_like_pytorch():
    X = np.zeros((1, 1, 5, 5))
    for k in range(1, 6):
        pl.max_pool2d(X, k, 1, k // 2)  # the largest allowed padding works
        for f in (pl.max_pool2d, pl.avg_pool2d):
            with pytest.raises(ValueError, match="at most half"):
                f(X, k, 1, k // 2 + 1)
    assert pl.pool_output_size(5, 3, 1, 2) == 7  # the page quotes it: test_dl0009_pooling


# --- dilation (max pooling only, as in PyTorch) -------------------------------------------------


@st.composite
def dilated(draw):
    """A random dilated max pooling: padding up to half the kernel (PyTorch's limit)."""
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    span = [di * (ki - 1) + 1 for ki, di in zip(k, d)]
    p = tuple(draw(st.integers(0, ki // 2)) for ki in k)
    ceil_mode = draw(st.booleans())
    H, W = (draw(st.integers(max(1, e - 2 * pi), 8)) for e, pi in zip(span, p))
    return {
        "shape": (draw(st.integers(1, 2)), 2, H, W),
        "args": (k, s, p, ceil_mode, d),
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


@settings(max_examples=60, deadline=None)
@given(cfg=dilated())
def test_dilated_max_pool_naive_vectorized_and_sliding_windows_agree(cfg):
    rng = np.random.default_rng(cfg["seed"])
    X = rng.integers(-3, 4, size=cfg["shape"]).astype(float)  # small ints: many ties
    k, s, p, ceil_mode, d = cfg["args"]
    Y = pl.max_pool2d(X, *cfg["args"])
    np.testing.assert_array_equal(Y, pl.max_pool2d_naive(X, *cfg["args"]))
    dY = rng.normal(size=Y.shape)
    np.testing.assert_allclose(
        pl.max_pool2d_backward(dY, X, *cfg["args"]),
        pl.max_pool2d_backward_naive(dY, X, *cfg["args"]),
        rtol=1e-14,
        atol=1e-15,
    )
    if not ceil_mode:  # every window in the padded input: every d-th cell of a sliding window
        pad = ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1]))
        span = (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)
        Xp = np.pad(X, pad, constant_values=-np.inf)
        win = np.lib.stride_tricks.sliding_window_view(Xp, span, axis=(2, 3))
        want = win[:, :, :: s[0], :: s[1], :: d[0], :: d[1]].max(axis=(-2, -1))
        np.testing.assert_array_equal(Y, want)


@settings(max_examples=30, deadline=None)
@given(cfg=dilated())
def test_dilated_max_pool_backward_matches_finite_differences(cfg):
    rng = np.random.default_rng(cfg["seed"])
    X = distinct(cfg["shape"], rng)
    Y = pl.max_pool2d(X, *cfg["args"])
    dY = np.where(np.isfinite(Y), rng.normal(size=Y.shape), 0.0)  # an all-padding window: -inf
    analytic = pl.max_pool2d_backward(dY, X, *cfg["args"])
    numeric = numeric_grad(
        lambda Z: np.where(np.isfinite(Y), pl.max_pool2d(Z, *cfg["args"]), 0.0), X.copy(), dY
    )
    assert rel_error(analytic, numeric) <= 1e-7 or np.allclose(analytic, numeric, atol=1e-9)


def test_dilated_max_pool_by_hand():
    X = np.array([[[[1.0, 9.0, 2.0, 0.0, 3.0, 8.0]]]])
    # kernel 2, dilation 2: taps (0, 2), (1, 3), (2, 4), (3, 5) with stride 1
    np.testing.assert_array_equal(pl.max_pool2d(X, (1, 2), 1, dilation=(1, 2)), [[[[2, 9, 3, 8]]]])
    # dilation 3, padding 1, stride 3: taps (-1, 2) and (2, 5); the pad never wins
    Y = pl.max_pool2d(X, (1, 2), (1, 3), (0, 1), dilation=(1, 3))
    np.testing.assert_array_equal(Y, [[[[2, 8]]]])
    dX = pl.max_pool2d_backward(np.ones_like(Y), X, (1, 2), (1, 3), (0, 1), dilation=(1, 3))
    np.testing.assert_array_equal(dX, [[[[0, 0, 1, 0, 0, 1]]]])
    # positional order kept: ceil_mode stays fifth, dilation comes after it
    np.testing.assert_array_equal(pl.max_pool2d(X, (1, 2), 1, 0, False, (1, 2)), [[[[2, 9, 3, 8]]]])
    np.testing.assert_array_equal(pl.max_pool2d(X, (1, 2), dilation=1), pl.max_pool2d(X, (1, 2)))


def test_dilated_padding_limit_is_half_the_kernel_as_in_pytorch():
    X = np.zeros((1, 1, 7, 7))
    assert pl.max_pool2d(X, 2, 1, 1, dilation=3).shape == (1, 1, 6, 6)  # k_eff 4, p 1
    # PyTorch: "pad should be at most half of effective kernel size" is checked against k, not
    # against the dilated window: p = 2 is refused for k = 2 even with dilation 3
    with pytest.raises(ValueError, match=r"half the kernel size .* \(1, 1\)"):
        pl.max_pool2d(X, 2, 1, 2, dilation=3)
    with pytest.raises(ValueError, match="dilation"):
        pl.max_pool2d(X, 2, dilation=0)
    with pytest.raises(TypeError, match="dilation"):
        pl.max_pool2d_naive(X, 2, dilation=1.5)


# --- bad input -----------------------------------------------------------------------------------

X = np.zeros((1, 1, 4, 4))


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: pl.max_pool2d(np.zeros((4, 4)), 2), ValueError, ["X", "4-D", "(4, 4)"]),
        (lambda: pl.avg_pool2d(np.zeros((1, 1, 1, 4, 4)), 2), ValueError, ["X", "4-D"]),
        (lambda: pl.max_pool2d(np.zeros((1, 0, 4, 4)), 2), ValueError, ["X", "non-zero"]),
        (lambda: pl.max_pool2d(X, 5), ValueError, ["kernel_size", "(5, 5)", "padded"]),
        (lambda: pl.avg_pool2d(X, (2, 7), padding=(0, 1)), ValueError, ["kernel_size"]),
        (lambda: pl.max_pool2d(X, 3, padding=2), ValueError, ["padding", "half", "(2, 2)"]),
        (lambda: pl.avg_pool2d(X, (4, 1), padding=(2, 1)), ValueError, ["padding", "(2, 1)"]),
        (lambda: pl.max_pool2d(X, 2, stride=0), ValueError, ["stride", ">= 1"]),
        (lambda: pl.max_pool2d(X, 2, stride=(1, -1)), ValueError, ["stride", "(1, -1)"]),
        (lambda: pl.max_pool2d(X, 0), ValueError, ["kernel_size", ">= 1"]),
        (lambda: pl.max_pool2d(X, 2, padding=-1), ValueError, ["padding", ">= 0"]),
        (lambda: pl.max_pool2d(X, True), TypeError, ["kernel_size", "int"]),
        (lambda: pl.max_pool2d(X, 2.0), TypeError, ["kernel_size"]),
        (lambda: pl.max_pool2d(X, (2, 2, 2)), TypeError, ["kernel_size", "pair"]),
        (lambda: pl.max_pool2d(X, (2, False)), TypeError, ["kernel_size"]),
        (lambda: pl.avg_pool2d(X, 2, stride="2"), TypeError, ["stride"]),
        (lambda: pl.max_pool2d(X, 2, ceil_mode=1), TypeError, ["ceil_mode", "bool"]),
        (lambda: pl.avg_pool2d(X, 2, count_include_pad=None), TypeError, ["count_include_pad"]),
        (lambda: pl.max_pool2d(np.full((1, 1, 2, 2), np.nan), 2), ValueError, ["X", "NaN"]),
        (lambda: pl.avg_pool2d(np.full((1, 1, 2, 2), np.inf), 2), ValueError, ["X", "inf"]),
        (lambda: pl.max_pool2d(np.zeros((1, 1, 2, 2), bool), 2), TypeError, ["X", "bool"]),
        (lambda: pl.max_pool2d(np.zeros((1, 1, 2, 2), complex), 2), TypeError, ["X", "complex"]),
        (lambda: pl.max_pool2d(np.zeros((1, 1, 2, 2), object), 2), TypeError, ["X", "object"]),
        (lambda: pl.max_pool2d("X", 2), TypeError, ["X"]),
        (lambda: pl.max_pool2d(None, 2), TypeError, ["X"]),
        (lambda: pl.max_pool2d([[[1, 2], [3]]], 1), TypeError, ["X"]),
        (
            lambda: pl.max_pool2d_backward(np.ones((1, 1, 3, 3)), X, 2),
            ValueError,
            ["dY", "(1, 1, 2, 2)"],
        ),
        (
            lambda: pl.max_pool2d_backward(np.full((1, 1, 2, 2), np.nan), X, 2),
            ValueError,
            ["dY", "NaN"],
        ),
        (lambda: pl.avg_pool2d_backward(np.ones((1, 1, 2)), X.shape, 2), ValueError, ["dY"]),
        (
            lambda: pl.avg_pool2d_backward(np.ones((1, 2, 2)), (4, 4), 2),
            ValueError,
            ["X_shape", "4-D"],
        ),
        (lambda: pl.avg_pool2d_backward(np.ones((1, 1, 2, 2)), X, 2), TypeError, ["X_shape"]),
        (
            lambda: pl.avg_pool2d_backward(np.ones((1, 1, 2, 2)), (1, 1, 4.0, 4), 2),
            TypeError,
            ["X_shape"],
        ),
        (
            lambda: pl.avg_pool2d_backward(np.ones((1, 1, 2, 2)), (-1, 1, 4, 4), 2),
            ValueError,
            ["X_shape"],
        ),
        (lambda: pl.avg_pool2d_naive(X, 2, padding=2), ValueError, ["padding"]),
        (lambda: pl.max_pool2d_backward_naive(np.ones((1, 1, 1, 1)), X, 2), ValueError, ["dY"]),
    ],
)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))
