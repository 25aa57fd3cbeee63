"""Tests for snippets/bayesian_optimization.py: expected improvement against Monte Carlo and
by hand, Bayesian search on known functions, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets import bayesian_optimization as bo
from snippets.hyperparameter_search import Dim, best_so_far, random_search
from tests.test_search_space import SPACE, in_bounds, quadratic


def f0(p):
    return 0.0


# --- expected improvement ----------------------------------------------------------------------


def test_expected_improvement_against_monte_carlo():
    rng = np.random.default_rng(5)
    mean = np.array([0.0, 1.0, -1.0, 0.3])
    std = np.array([1.0, 0.2, 2.0, 0.5])
    best, xi = 0.5, 0.1
    f = mean + std * rng.standard_normal((400_000, 4))
    mc = np.maximum(f - best - xi, 0).mean(axis=0)
    mc_se = np.maximum(f - best - xi, 0).std(axis=0) / math.sqrt(len(f))
    ei = bo.expected_improvement(mean, std, best, xi)
    assert np.all(np.abs(ei - mc) < 4 * mc_se)


def test_expected_improvement_formula_by_hand():
    # mean = best: EI = σ φ(0) = σ / sqrt(2π)
    assert bo.expected_improvement([1.0], [2.0], 1.0)[0] == pytest.approx(
        2 / math.sqrt(2 * math.pi)
    )
    # σ = 0: the improvement itself, or nothing
    np.testing.assert_array_equal(
        bo.expected_improvement([2.0, 0.0], [0.0, 0.0], 1.0, 0.25), [0.75, 0.0]
    )


@settings(max_examples=80, deadline=None)
@given(mean=st.floats(-5, 5), std=st.floats(0, 5), best=st.floats(-5, 5), xi=st.floats(0, 1))
def test_expected_improvement_bounds(mean, std, best, xi):
    ei = bo.expected_improvement([mean], [std], best, xi)[0]
    delta = mean - best - xi
    assert ei >= max(delta, 0) - 1e-12  # E[max(f, 0)] ≥ max(E f, 0)
    assert ei <= max(delta, 0) + std / math.sqrt(2 * math.pi) + 1e-12
    more = bo.expected_improvement([mean], [std + 0.5], best, xi)[0]
    assert more >= ei - 1e-12  # more uncertainty, more to gain


# --- Bayesian optimization ---------------------------------------------------------------------


def test_bayesian_search_is_seeded_and_starts_like_random_search():
    a = bo.bayesian_search(quadratic, SPACE, 9, 3, n_init=4, n_candidates=200)
    b = bo.bayesian_search(quadratic, SPACE, 9, 3, n_init=4, n_candidates=200)
    r = random_search(quadratic, SPACE, 9, 3)
    assert a == b and len(a) == 9
    assert a[:4] == r[:4]  # the same initial design as random search with the same seed
    in_bounds(a, SPACE)


def branin(p):
    """Branin-Hoo, negated for maximization: maximum -0.397887 at three points."""
    x1, x2 = p["x1"], p["x2"]
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return -((x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10)


def test_bayesian_search_beats_random_search_on_branin():
    space = (Dim("x1", -5.0, 10.0), Dim("x2", 0.0, 15.0))
    opt, budget, seeds = -0.397887, 25, range(4)
    bs = [best_so_far(bo.bayesian_search(branin, space, budget, s)) for s in seeds]
    rs = [best_so_far(random_search(branin, space, budget, s)) for s in seeds]
    regret_bo = np.mean([opt - c[-1] for c in bs])
    regret_rs = np.mean([opt - c[-1] for c in rs])
    assert regret_bo < 0.1 < regret_rs

    # and it needs fewer evaluations to come within 1 of the optimum
    def first(c):
        return int(np.argmax(c >= opt - 1.0)) + 1 if np.any(c >= opt - 1.0) else budget + 1

    assert np.mean([first(c) for c in bs]) < np.mean([first(c) for c in rs])


def test_bayesian_search_with_a_fixed_length_scale_and_rbf():
    space = (Dim("x", 0.0, 1.0),)
    trials = bo.bayesian_search(
        lambda p: -((p["x"] - 0.3) ** 2), space, 10, 0, n_init=3, kernel="rbf", length_scale=0.2
    )
    assert abs(max(trials, key=lambda t: t.score).params["x"] - 0.3) < 0.02


BAD = [
    (lambda: bo.bayesian_search(f0, SPACE, 4, 0, n_init=5), ValueError, "n_init"),
    (lambda: bo.bayesian_search(f0, SPACE, 6, 0, kernel="linear"), ValueError, "kernel"),
    (lambda: bo.bayesian_search(f0, SPACE, 6, 0, length_scale=-1.0), ValueError, "length_scale"),
    (lambda: bo.bayesian_search(f0, SPACE, 6, 0, xi=-0.1), ValueError, "xi"),
    (lambda: bo.bayesian_search(f0, SPACE, 6, 0, n_candidates=0), ValueError, "n_candidates"),
    (lambda: bo.bayesian_search(None, SPACE, 6, 0), TypeError, "objective"),
    (lambda: bo.expected_improvement([0.0], [-1.0], 0.0), ValueError, "std"),
    (lambda: bo.expected_improvement([0.0, 1.0], [1.0], 0.0), ValueError, "std"),
    (lambda: bo.expected_improvement([0.0], [1.0], None), TypeError, "best"),
    (lambda: bo.expected_improvement([0.0], [1.0], 0.0, math.nan), ValueError, "xi"),
]


@pytest.mark.parametrize("call, exc, words", BAD)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert words in str(info.value)
