"""snippets/dropout.py: PyTorch's inverted dropout. Exact cases (p = 0, p = 1, eval mode),
statistics of the mask over many entries (share dropped, expectation kept, within 5 standard
errors), the backward pass against finite differences, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from snippets.dropout import dropout, dropout_backward
from tests.gradcheck import assert_gradients_match, numeric_grad


def test_eval_mode_is_the_identity():
    X = np.arange(6.0).reshape(2, 3)
    Y, mask = dropout(X, 0.7, training=False, rng=0)
    assert np.array_equal(Y, X) and np.array_equal(mask, np.ones_like(X))
    assert Y is not X


def test_p_zero_keeps_everything_and_p_one_drops_everything():
    X = np.random.default_rng(1).normal(size=(4, 5))
    Y, mask = dropout(X, 0.0, rng=0)
    assert np.array_equal(Y, X) and np.all(mask == 1)
    Y, mask = dropout(X, 1.0, rng=0)
    assert np.array_equal(Y, np.zeros_like(X)) and np.all(mask == 0)
    assert np.array_equal(dropout_backward(np.ones_like(X), mask, 1.0), np.zeros_like(X))


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_the_share_dropped_is_p_and_the_expectation_is_kept(p):
    n = 200_000
    X = np.full(n, 3.0)
    Y, mask = dropout(X, p, rng=7)
    dropped = np.mean(mask == 0)
    assert abs(dropped - p) < 5 * np.sqrt(p * (1 - p) / n)
    kept = np.unique(Y[Y != 0])
    assert kept.size == 1 and kept[0] == pytest.approx(3.0 / (1 - p), rel=1e-15)
    # E[Y] = X: the mean of n draws of 3·Bernoulli(1 − p)/(1 − p) is within 5 standard errors
    assert abs(Y.mean() - 3.0) < 5 * 3.0 * np.sqrt(p / ((1 - p) * n))


def test_a_seed_fixes_the_mask_and_float32_stays_float32():
    X = np.ones((3, 4), dtype=np.float32)
    a, ma = dropout(X, 0.5, rng=3)
    b, mb = dropout(X, 0.5, rng=np.random.default_rng(3))
    assert np.array_equal(a, b) and np.array_equal(ma, mb)
    assert a.dtype == np.float32 and ma.dtype == np.float32
    assert any(not np.array_equal(ma, dropout(X, 0.5, rng=s)[1]) for s in range(5, 10))


def test_the_backward_pass_matches_finite_differences():
    rng = np.random.default_rng(2)
    X, G = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    _, mask = dropout(X, 0.4, rng=11)

    def loss():  # the same seed draws the same mask: L(X) = Σ G · dropout(X)
        return float(np.sum(G * dropout(X, 0.4, rng=11)[0]))

    assert_gradients_match(dropout_backward(G, mask, 0.4), numeric_grad(loss, X))


def test_float16_keeps_its_dtype_and_p_near_one():
    X = np.full((50, 40), 0.5, dtype=np.float16)
    Y, mask = dropout(X, 0.5, rng=0)
    assert Y.dtype == mask.dtype == np.float16
    assert set(np.unique(mask)) <= {0.0, 2.0}
    # p close to 1: 1/(1 − p) = 1000 still fits float16, dropped entries are exactly 0
    Y, mask = dropout(X, 0.999, rng=1)
    assert np.all(np.isfinite(Y)) and np.all(Y[mask == 0] == 0)
    assert np.array_equal(dropout_backward(np.ones_like(X), mask, 0.999), mask)
    # closer still, 1/(1 − p) overflows float16: refused, naming p (float64 is fine)
    with pytest.raises(ValueError, match=r"^p:.*float16"):
        dropout(X, 1 - 1e-6, rng=1)
    Y64, _ = dropout(X.astype(np.float64), 1 - 1e-6, rng=1)
    assert np.all(np.isfinite(Y64))
    # the boundary: float16 rounds 1/(1 − p) to inf only from 65520 (half-way past 65504)
    from snippets.dropout import _scale

    assert _scale(1 - 1 / 65510, np.float16) == np.float16(65504)
    dropout(X, 1 - 1 / 65510, rng=1)  # accepted
    with pytest.raises(ValueError, match=r"^p:.*float16"):
        dropout(X, 1 - 1 / 65530, rng=1)


def test_generators_without_a_seed_and_twice_in_a_row():
    X = np.ones(1000)
    _, m1 = dropout(X, 0.5)  # rng=None: a fresh generator each call
    _, m2 = dropout(X, 0.5)
    assert not np.array_equal(m1, m2)
    rng = np.random.default_rng(5)
    _, a = dropout(X, 0.5, rng=rng)  # one generator, two calls: two different masks
    _, b = dropout(X, 0.5, rng=rng)
    assert not np.array_equal(a, b)
    both = np.random.default_rng(5).random(2000) >= 0.5  # ... drawn one after the other
    np.testing.assert_array_equal(np.concatenate([a, b]), both / 0.5)


def test_eval_mode_with_p_one_is_still_the_identity():
    X = np.array([[1.0, -2.0], [3.0, 0.5]])
    Y, mask = dropout(X, 1.0, training=False)
    assert np.array_equal(Y, X) and np.array_equal(mask, np.ones_like(X))
    # its all-ones mask is accepted by the backward pass, even at p = 1
    assert np.array_equal(dropout_backward(X, mask, 1.0), X)


@pytest.mark.parametrize(
    "mask, p",
    [
        ([1.0, 2.0, 0.0], 0.5),  # an eval-mode 1 mixed into a training mask
        ([1.0, 0.0, 0.0], 0.5),
        ([2.0, 2.0, 2.0], 0.2),  # the scale of another p
        ([0.0, 1.0, 1.0], 1.0),  # p = 1 keeps nothing in training
    ],
)
def test_backward_refuses_a_mask_of_mixed_modes(mask, p):
    with pytest.raises(ValueError, match=r"^mask:.*all 1 \(eval\)"):
        dropout_backward(np.ones(3), mask, p)


@pytest.mark.parametrize(
    "call, error, name",
    [
        (lambda: dropout(np.ones(3), 1.5), ValueError, "p"),
        (lambda: dropout(np.ones(3), float("nan")), ValueError, "p"),
        (lambda: dropout(np.ones(3), "0.5"), TypeError, "p"),
        (lambda: dropout(np.ones(3), 0.5, training="yes"), TypeError, "training"),
        (lambda: dropout(np.ones(3), 0.5, rng=1.5), TypeError, "rng"),
        (lambda: dropout([1.0, np.inf], 0.5), ValueError, "X"),
        (lambda: dropout("x", 0.5), TypeError, "X"),
        (lambda: dropout_backward(np.ones(3), np.ones(2), 0.5), ValueError, "mask"),
        (lambda: dropout_backward(np.ones(2), np.array([0.0, 3.0]), 0.5), ValueError, "mask"),
        (lambda: dropout_backward(np.ones(2), np.ones(2), -0.1), ValueError, "p"),
        (lambda: dropout_backward([np.nan, 1.0], np.ones(2), 0.5), ValueError, "dY"),
    ],
)
def test_bad_input_names_the_argument(call, error, name):
    with pytest.raises(error, match=rf"^{name}:"):
        call()
