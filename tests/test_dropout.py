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
