"""snippets/softmax.py against values derived by hand, against a direct (unstable) formula
where that one is safe, finite differences for the gradient, PyTorch's edge cases, and
invariants (rows sum to 1, shift invariance, gradient rows sum to 0)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from snippets.softmax import (
    cross_entropy,
    cross_entropy_backward,
    log_softmax,
    softmax,
    softmax_naive,
)
from tests.gradcheck import assert_gradients_match, numeric_grad

rng = np.random.default_rng(0)


def direct_softmax(Z, axis=-1):
    e = np.exp(Z)  # no shift: fine for moderate logits only
    return e / e.sum(axis=axis, keepdims=True)


def test_softmax_by_hand():
    # softmax(ln 1, ln 2, ln 3, ln 4) = (1, 2, 3, 4) / 10
    assert np.allclose(softmax(np.log([1.0, 2.0, 3.0, 4.0])), [0.1, 0.2, 0.3, 0.4], atol=1e-15)
    assert np.allclose(softmax([[0.0, 0.0]]), [[0.5, 0.5]])


def test_softmax_agrees_with_the_direct_formula_on_every_axis():
    Z = rng.normal(size=(3, 4, 5))
    for axis in (0, 1, 2, -1, -2, -3):
        assert np.allclose(softmax(Z, axis=axis), direct_softmax(Z, axis=axis), atol=1e-15)
        assert np.allclose(np.exp(log_softmax(Z, axis=axis)), softmax(Z, axis=axis), atol=1e-15)


def test_logits_of_plus_minus_1000_are_exact():
    Z = np.array([[1000.0, -1000.0], [1000.0, 1000.0], [-1000.0, -1000.0]])
    assert np.array_equal(softmax(Z), [[1.0, 0.0], [0.5, 0.5], [0.5, 0.5]])
    assert np.array_equal(log_softmax(Z)[0], [0.0, -2000.0])
    assert np.allclose(log_softmax(Z)[1:], -math.log(2), atol=0)
    assert cross_entropy(Z, np.array([0, 0, 1])) == pytest.approx(2 * math.log(2) / 3, abs=1e-15)
    assert cross_entropy(Z, np.array([1, 0, 1])) == pytest.approx((2000 + 2 * math.log(2)) / 3)
    g = cross_entropy_backward(Z, np.array([1, 0, 1]))
    assert np.all(np.isfinite(g))
    assert np.allclose(g[0], [1 / 3, -1 / 3])


@settings(max_examples=50, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5),
        elements=st.floats(-50, 50),
    ),
    st.floats(-300, 300),
)
def test_rows_sum_to_one_and_a_shift_changes_nothing(Z, c):
    p = softmax(Z)
    assert np.allclose(p.sum(axis=-1), 1.0) and np.all(p >= 0)
    assert np.allclose(softmax(Z + c), p, atol=1e-12)
    assert np.allclose(log_softmax(Z + c), log_softmax(Z), atol=1e-9)


def test_float32_stays_float32():
    Z = rng.normal(size=(4, 3)).astype(np.float32)
    assert softmax(Z).dtype == np.float32 and log_softmax(Z).dtype == np.float32
    assert cross_entropy_backward(Z, np.array([0, 1, 2, 0])).dtype == np.float32


def test_cross_entropy_by_hand():
    assert cross_entropy([[0.0, 0.0]], np.array([1])) == pytest.approx(math.log(2))
    # uniform logits: every target, smoothed or not, costs log C
    for eps in (0.0, 0.3, 1.0):
        assert cross_entropy(np.zeros((2, 3)), np.array([0, 2]), eps) == pytest.approx(math.log(3))
    # z = (2, 1, 0), true class 0, eps = 0.1: (1 - eps)·(−log p_0) + eps·mean_c(−log p_c)
    lse = math.log(math.exp(2) + math.exp(1) + 1)
    want = 0.9 * (lse - 2) + 0.1 * ((lse - 2) + (lse - 1) + lse) / 3
    assert cross_entropy([[2.0, 1.0, 0.0]], np.array([0]), 0.1) == pytest.approx(want, rel=1e-14)


def test_cross_entropy_is_the_mean_of_per_sample_losses():
    Z, y = rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)
    per = [cross_entropy(Z[i : i + 1], y[i : i + 1], 0.2) for i in range(6)]
    assert cross_entropy(Z, y, 0.2) == pytest.approx(np.mean(per), rel=1e-14)


@pytest.mark.parametrize("eps", [0.0, 0.1, 1.0])
def test_the_gradient_is_softmax_minus_target_and_matches_finite_differences(eps):
    Z, y = rng.normal(size=(5, 4)) * 3, np.array([0, 3, 1, 1, 2])
    g = cross_entropy_backward(Z, y, eps)
    assert_gradients_match(g, numeric_grad(lambda e=eps: cross_entropy(Z, y, e), Z))
    q = np.full((5, 4), eps / 4)
    q[np.arange(5), y] += 1 - eps
    assert np.allclose(g, (direct_softmax(Z) - q) / 5, atol=1e-15)
    assert np.allclose(g.sum(axis=1), 0.0, atol=1e-15)  # each row: Σ p − Σ q = 0


def test_an_empty_batch_gives_nan_as_pytorch_does():
    assert math.isnan(cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int)))
    assert cross_entropy_backward(np.zeros((0, 3)), np.zeros(0, dtype=int)).shape == (0, 3)


@pytest.mark.parametrize(
    "call, error, name",
    [
        (lambda: softmax([[1.0, np.nan]]), ValueError, "Z"),
        (lambda: softmax([[1.0, -np.inf]]), ValueError, "Z"),  # −inf masking is refused
        (lambda: softmax([1, 2]), TypeError, "Z"),  # integer logits, as PyTorch's Long
        (lambda: log_softmax(np.array([True, False])), TypeError, "Z"),
        (lambda: softmax_naive([[1, 2]]), TypeError, "Z"),
        (lambda: softmax(np.float64(1.0), axis=1), ValueError, "axis"),
        (lambda: softmax("abc"), TypeError, "Z"),
        (lambda: softmax([1.0, 2.0], axis=1), ValueError, "axis"),
        (lambda: log_softmax([1.0, 2.0], axis=True), TypeError, "axis"),
        (lambda: cross_entropy([1.0, 2.0], np.array([0])), ValueError, "Z"),
        (lambda: cross_entropy(np.zeros((2, 0)), np.zeros(2, dtype=int)), ValueError, "Z"),
        (lambda: cross_entropy([[1.0, np.inf]], np.array([0])), ValueError, "Z"),
        (lambda: cross_entropy([[1.0, 2.0]], np.array([0.0])), TypeError, "y"),
        (lambda: cross_entropy([[1.0, 2.0]], np.array([True])), TypeError, "y"),
        (lambda: cross_entropy([[1.0, 2.0]], None), TypeError, "y"),
        (lambda: cross_entropy([[1.0, 2.0]], np.array([2])), ValueError, "y"),
        (lambda: cross_entropy([[1.0, 2.0]], np.array([-1])), ValueError, "y"),
        (lambda: cross_entropy([[1, 2]], np.array([0])), TypeError, "Z"),
        (lambda: cross_entropy([[1.0, 2.0]], [0], ignore_index=0.5), TypeError, "ignore_index"),
        (lambda: cross_entropy([[1.0, 2.0]], [-1], ignore_index=-100), ValueError, "y"),
        (lambda: cross_entropy([[1.0, 2.0]], np.array([0, 1])), ValueError, "y"),
        (lambda: cross_entropy([[1.0, 2.0]], np.array([0]), 1.5), ValueError, "label_smoothing"),
        (lambda: cross_entropy([[1.0, 2.0]], np.array([0]), -0.1), ValueError, "label_smoothing"),
        (
            lambda: cross_entropy_backward([[1.0]], np.array([0]), np.nan),
            ValueError,
            "label_smoothing",
        ),
        (
            lambda: cross_entropy_backward([[1.0]], np.array([0]), "0.1"),
            TypeError,
            "label_smoothing",
        ),
    ],
)
def test_bad_input_names_the_argument(call, error, name):
    with pytest.raises(error, match=rf"^{name}:"):
        call()


def test_y_as_a_list_and_float16_logits():
    Z = np.array([[0.5, -1.0, 2.0], [1.0, 1.0, 0.0]])
    assert cross_entropy(Z, [2, 0]) == cross_entropy(Z, np.array([2, 0]))
    Z16 = Z.astype(np.float16)
    assert softmax(Z16).dtype == np.float16 and log_softmax(Z16).dtype == np.float16
    assert cross_entropy_backward(Z16, [2, 0]).dtype == np.float16
    assert np.allclose(softmax(Z16), softmax(Z), atol=1e-3)  # float16: ~3 significant digits


def test_ignore_index_leaves_samples_out_of_the_sum_and_the_count():
    rng_ = np.random.default_rng(7)
    Z = rng_.normal(size=(5, 3)) * 2
    y = np.array([0, -100, 2, 1, -100])
    kept = y != -100
    for eps in (0.0, 0.2):
        want = cross_entropy(Z[kept], y[kept], eps)
        assert cross_entropy(Z, y, eps) == pytest.approx(want, rel=1e-14)
        g = cross_entropy_backward(Z, y, eps)
        assert np.all(g[~kept] == 0.0)
        assert np.allclose(g[kept], cross_entropy_backward(Z[kept], y[kept], eps), atol=1e-15)
        assert_gradients_match(g, numeric_grad(lambda e=eps: cross_entropy(Z, y, e), Z))
    # another ignore_index: 1 is then ignored, −100 would be out of range
    y1 = np.array([0, 1, 2, 1, 0])
    assert cross_entropy(Z, y1, ignore_index=1) == pytest.approx(
        cross_entropy(Z[y1 != 1], y1[y1 != 1]), rel=1e-14
    )


def test_every_target_ignored_gives_nan_and_zero_gradient():
    Z, y = np.ones((3, 4)), np.full(3, -100)
    for eps in (0.0, 0.1):
        assert math.isnan(cross_entropy(Z, y, eps))
        assert np.array_equal(cross_entropy_backward(Z, y, eps), np.zeros((3, 4)))


def test_scalar_and_empty_class_axis_as_pytorch():
    # torch.softmax(torch.tensor(5.), 0) is 1; an empty dim gives an empty tensor
    assert softmax(np.float64(5.0)) == 1.0 and softmax(np.float64(5.0)).shape == ()
    assert log_softmax(np.float64(-3.0)) == 0.0
    assert softmax(np.zeros((2, 0))).shape == (2, 0)
    assert log_softmax(np.zeros((0, 3)), axis=0).shape == (0, 3)
    assert softmax(np.zeros((0, 3))).shape == (0, 3)  # no rows, 3 classes: nothing to do


def test_naive_softmax_equals_the_shifted_one_until_it_overflows():
    Z = rng.normal(size=(4, 5)) * 10
    assert np.allclose(softmax_naive(Z), softmax(Z), rtol=1e-13, atol=1e-300)
    assert np.allclose(softmax_naive(Z, axis=0), softmax(Z, axis=0), rtol=1e-13, atol=1e-300)
    limit = math.log(np.finfo(np.float64).max)  # ≈ 709.78
    assert np.isfinite(softmax_naive([[limit - 1, 0.0]])).all()
    assert np.isnan(softmax_naive([[limit + 1, 0.0]])[0, 0])  # inf / inf
    assert np.isnan(softmax_naive([[-1000.0, -1000.0]])).all()  # 0 / 0
    limit32 = math.log(np.finfo(np.float32).max)  # ≈ 88.72: float32 overflows much earlier
    assert np.isnan(softmax_naive(np.array([[limit32 + 1, 0.0]], np.float32))[0, 0])


def test_no_smoothing_term_at_eps_zero_so_an_infinite_log_probability_is_not_nan():
    # float16 logits 60000 apart: the other class's log-probability is −inf. PyTorch skips the
    # smoothing term at ε = 0, giving 0 for the right class and inf for the wrong one (not 0·inf).
    Z = np.array([[60000.0, -60000.0]], np.float16)
    with np.errstate(over="ignore"):  # 60000 − (−60000) overflows float16 to inf
        assert cross_entropy(Z, [0]) == 0.0
        assert cross_entropy(Z, [1]) == np.inf
        assert np.array_equal(cross_entropy_backward(Z, [1]), [[1.0, -1.0]])
        # with ε > 0 the smoothing term is there, and it is infinite: so is the loss
        assert cross_entropy(Z, [0], 0.1) == np.inf
        assert cross_entropy(np.array([[1e308, -1e308]]), [0]) == 0.0  # float64 likewise
