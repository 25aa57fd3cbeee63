"""Tests for snippets/hyperparameter_search.py: grid search, random search, successive halving,
the public names it re-exports, bad input."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets import bayesian_optimization, gaussian_process, search_space
from snippets import hyperparameter_search as hs
from snippets.hyperparameter_search import Dim
from tests.test_search_space import SPACE, counting, in_bounds, quadratic


def f0(p):
    return 0.0


# --- the public path ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "module, names",
    [
        (
            search_space,
            "Dim Space Trial Objective check_space from_unit to_unit best_so_far chosen",
        ),
        (
            gaussian_process,
            "KERNELS LENGTH_SCALES NOISES rbf_kernel matern52_kernel gp_posterior "
            "gp_log_marginal_likelihood fit_gp",
        ),
        (bayesian_optimization, "BO_INIT N_CANDIDATES expected_improvement bayesian_search"),
    ],
)
def test_moved_names_keep_their_old_import_path(module, names):
    for name in names.split():
        assert getattr(hs, name) is getattr(module, name), name


def test_signatures_of_the_public_functions():
    sig = {name: str(inspect.signature(getattr(hs, name))) for name in (
        "grid_search", "random_search", "bayesian_search", "successive_halving", "gp_posterior",
        "fit_gp", "expected_improvement", "from_unit", "to_unit",
    )}  # fmt: skip
    assert sig["grid_search"].startswith(
        "(objective, space, budget: 'int', endpoints: 'bool' = False)"
    )
    assert sig["random_search"] == "(objective, space, budget: 'int', rng) -> 'list[Trial]'"
    assert sig["bayesian_search"].startswith("(objective, space, budget: 'int', rng, n_init")
    assert "max_resource=None" in sig["successive_halving"]
    assert sig["gp_posterior"].startswith("(X, y, X_new, length_scale=0.2")
    assert sig["fit_gp"].startswith("(X, y, kernel: 'str' = 'matern52')")
    assert sig["expected_improvement"].startswith("(mean, std, best: 'float', xi: 'float' = 0.0)")
    assert sig["from_unit"].startswith("(space, U)") and sig["to_unit"].startswith(
        "(space, points)"
    )


# --- grid --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "d, budget, counts",
    [(2, 9, (3, 3)), (2, 20, (5, 4)), (3, 27, (3, 3, 3)), (3, 26, (3, 3, 2)), (1, 7, (7,))],
)
def test_grid_counts_by_hand(d, budget, counts):
    assert hs.grid_counts(d, budget) == counts


@settings(max_examples=80, deadline=None)
@given(d=st.integers(1, 4), budget=st.integers(1, 400))
def test_grid_counts_fill_the_budget(d, budget):
    counts = hs.grid_counts(d, budget)
    assert len(counts) == d and math.prod(counts) <= budget
    assert max(counts) - min(counts) <= 1  # as square as possible
    k = min(counts)
    if max(counts) == k:  # all equal: one more point on any axis would overrun the budget
        assert (k + 1) * k ** (d - 1) > budget
    else:  # the small axes cannot grow either
        assert math.prod(counts) // k * (k + 1) > budget


def test_grid_points_are_cell_centres_in_row_major_order():
    P = hs.grid_points([3, 2])
    third, half = [1 / 6, 1 / 2, 5 / 6], [1 / 4, 3 / 4]
    np.testing.assert_allclose(P, [[a, b] for a in third for b in half])
    np.testing.assert_allclose(hs.grid_points([3], endpoints=True)[:, 0], [0, 0.5, 1])
    np.testing.assert_allclose(hs.grid_points([1], endpoints=True)[:, 0], [0.5])


def test_grid_search_evaluates_the_grid_in_log_space():
    f = counting(quadratic)
    trials = hs.grid_search(f, SPACE[:2], 9)
    assert len(trials) == 9 and f.calls == [t.params for t in trials]
    lrs = sorted({t.params["lr"] for t in trials})
    # three cell centres of [log 1e-4, log 1]: 10^(-4 + 4/6), 10^-2, 10^(-4/6)
    np.testing.assert_allclose(lrs, [10 ** (-4 + 4 / 6), 1e-2, 10 ** (-4 / 6)])
    assert [t.score for t in trials] == [quadratic(t.params) for t in trials]


def test_grid_search_respects_the_budget_and_bounds():
    trials = hs.grid_search(quadratic, SPACE, 30)
    assert len(trials) == 27  # 3 x 3 x 3, the largest grid within 30
    in_bounds(trials, SPACE)


# --- random ------------------------------------------------------------------------------------


def test_random_search_is_seeded_and_spends_the_budget():
    a = hs.random_search(quadratic, SPACE, 12, 7)
    b = hs.random_search(quadratic, SPACE, 12, np.random.default_rng(7))
    c = hs.random_search(quadratic, SPACE, 12, 8)
    assert a == b and a != c and len(a) == 12
    in_bounds(a, SPACE)


@settings(max_examples=25, deadline=None)
@given(
    lows=st.lists(st.floats(1e-3, 10), min_size=1, max_size=4),
    log=st.booleans(),
    seed=st.integers(0, 2**31),
    budget=st.integers(1, 20),
)
def test_every_search_stays_inside_the_bounds(lows, log, seed, budget):
    space = tuple(Dim(f"x{i}", low, 3 * low, log=log) for i, low in enumerate(lows))
    f = counting(lambda p: -sum(p.values()))
    r = hs.random_search(f, space, budget, seed)
    g = hs.grid_search(f, space, budget)
    assert len(r) == budget and len(g) <= budget and len(f.calls) == len(r) + len(g)
    in_bounds(r + g, space)


def test_log_scale_sampling_is_uniform_in_log_space():
    space = (Dim("lr", 1e-5, 1e1, log=True),)
    trials = hs.random_search(lambda p: 0.0, space, 3000, 0)
    e = np.sort([math.log10(t.params["lr"]) for t in trials])
    # Kolmogorov-Smirnov distance to Uniform(-5, 1); 1.63/sqrt(n) is the 1 % critical value
    cdf = (e + 5) / 6
    n = len(e)
    ks = max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n))
    assert ks < 1.63 / math.sqrt(n)
    # so each decade gets a sixth of the draws, where a linear scale would put 90 % in the last
    per_decade = np.histogram(e, bins=6, range=(-5, 1))[0] / n
    np.testing.assert_allclose(per_decade, 1 / 6, atol=0.03)


# --- successive halving ------------------------------------------------------------------------


def test_successive_halving_keeps_the_best_third():
    configs = [{"q": q} for q in np.random.default_rng(6).permutation(27) / 27]
    f = counting(lambda p: p["q"])

    def objective(p, r):
        f(p)
        return p["q"] * (1 - 1 / (r + 1))  # learning curves that never cross

    rungs = hs.successive_halving(objective, configs, 1, 3)
    assert [r.resource for r in rungs] == [1, 3, 9, 27]
    assert [len(r.indices) for r in rungs] == [27, 9, 3, 1]
    assert len(f.calls) == 40
    q = np.array([c["q"] for c in configs])
    for rung, kept in zip(rungs[1:], (9, 3, 1)):
        assert set(rung.indices) == set(np.argsort(-q)[:kept])  # the true top ones survive
    capped = hs.successive_halving(objective, configs, 1, 3, max_resource=10)
    assert [r.resource for r in capped] == [1, 3, 9]


# --- bad input ---------------------------------------------------------------------------------


BAD = [
    (lambda: hs.grid_search(f0, SPACE, 0), ValueError, "budget"),
    (lambda: hs.grid_search(f0, SPACE, 2.5), TypeError, "budget"),
    (lambda: hs.grid_search("f", SPACE, 4), TypeError, "objective"),
    (lambda: hs.grid_points([3, 0]), ValueError, "counts[1]"),
    (lambda: hs.grid_points([3], endpoints=1), TypeError, "endpoints"),
    (lambda: hs.random_search(f0, SPACE, 4, "seed"), TypeError, "rng"),
    (lambda: hs.random_search(lambda p: float("nan"), SPACE, 4, 0), ValueError, "objective"),
    (lambda: hs.random_search(lambda p: "high", SPACE, 4, 0), TypeError, "objective"),
    (lambda: hs.successive_halving(lambda p, r: 0.0, [{}], 1, eta=1), ValueError, "eta"),
    (lambda: hs.successive_halving(lambda p, r: 0.0, [], 1), TypeError, "configs"),
    (lambda: hs.successive_halving(lambda p, r: 0.0, [{}], 4, 3, 2), ValueError, "max_resource"),
    (lambda: hs.successive_halving(lambda p, r: None, [{}], 1), TypeError, "objective"),
]


@pytest.mark.parametrize("call, exc, words", BAD)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert words in str(info.value)
