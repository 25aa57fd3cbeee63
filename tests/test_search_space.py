"""Tests for snippets/search_space.py: dimensions, the unit-cube maps, trials, bad input.

Also the helpers the other search tests share (`SPACE`, `quadratic`, `counting`,
`in_bounds`)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets import search_space as ss
from snippets.search_space import Dim

SPACE = (Dim("lr", 1e-4, 1.0, log=True), Dim("dropout", 0.0, 0.5), Dim("width", 8, 256, True, True))


def counting(f):
    """Wrap an objective so the test can see every call it got."""
    calls = []

    def g(p):
        calls.append(dict(p))
        return f(p)

    g.calls = calls
    return g


def quadratic(p):  # maximum 0 at lr = 1e-2, dropout = 0.2
    return -((math.log10(p["lr"]) + 2) ** 2) - 10 * (p["dropout"] - 0.2) ** 2


def in_bounds(trials, space):
    for t in trials:
        for d in space:
            v = t.params[d.name]
            assert d.low <= v <= d.high
            assert isinstance(v, int) == d.integer


def test_from_unit_by_hand():
    (p,) = ss.from_unit(SPACE, [[0.5, 0.5, 0.5]])
    assert p["lr"] == pytest.approx(1e-2)  # the geometric mean of 1e-4 and 1
    assert p["dropout"] == pytest.approx(0.25)
    assert p["width"] == 45 and isinstance(p["width"], int)  # sqrt(8 * 256) = 45.25
    lo, hi = ss.from_unit(SPACE, [[0, 0, 0], [1, 1, 1]])
    assert lo == {"lr": pytest.approx(1e-4), "dropout": 0.0, "width": 8}
    assert hi == {"lr": 1.0, "dropout": 0.5, "width": 256}


def test_mapping_space_is_the_same_as_dims():
    space = ss.check_space({"lr": (1e-4, 1.0, "log"), "dropout": (0.0, 0.5)})
    assert space == (Dim("lr", 1e-4, 1.0, log=True), Dim("dropout", 0.0, 0.5))


@settings(max_examples=60, deadline=None)
@given(
    low=st.floats(1e-6, 1e3),
    ratio=st.floats(1.01, 1e6),
    log=st.booleans(),
    u=st.lists(st.floats(0, 1), min_size=1, max_size=8),
)
def test_to_unit_inverts_from_unit(low, ratio, log, u):
    space = (Dim("x", low, low * ratio, log=log),)
    U = np.array(u)[:, None]
    points = ss.from_unit(space, U)
    assert all(low <= p["x"] <= low * ratio for p in points)
    np.testing.assert_allclose(ss.to_unit(space, points), U, atol=1e-9)


def test_the_array_maps_agree_with_the_dict_maps():
    U = np.random.default_rng(0).random((50, 3))
    V = ss.unit_to_values(SPACE, U)
    points = ss.from_unit(SPACE, U)
    np.testing.assert_array_equal(V, [[p[d.name] for d in SPACE] for p in points])
    np.testing.assert_array_equal(ss.values_to_unit(SPACE, V), ss.to_unit(SPACE, points))
    # integer dimensions come back on the grid of integers, real ones where they started
    W = ss.unit_to_values(SPACE, ss.values_to_unit(SPACE, V))
    np.testing.assert_allclose(W, V, rtol=1e-12)
    assert np.all(W[:, 2] == np.rint(W[:, 2]))


def test_evaluate_runs_the_objective_on_a_copy():
    seen = []

    def f(p, r):
        seen.append(p)
        p["lr"] = -1  # a careless objective cannot change the trial
        return 2.0 * r

    params = {"lr": 0.1}
    t = ss.evaluate(f, params, 3)
    assert t == ss.Trial({"lr": 0.1}, 6.0) and params == {"lr": 0.1} and seen[0] is not params
    with pytest.raises(ValueError, match=r"objective: .*finite.*the score for \{'lr': 0.1\}"):
        ss.evaluate(lambda p: math.inf, params)


def test_best_so_far_by_hand():
    trials = [ss.Trial({}, s) for s in (0.2, 0.1, 0.5, 0.4, 0.7)]
    np.testing.assert_array_equal(ss.best_so_far(trials), [0.2, 0.2, 0.5, 0.5, 0.7])


def test_chosen_is_the_first_best_validation_score():
    trials = [ss.Trial({"i": i}, s) for i, s in enumerate((0.5, 0.9, 0.7, 0.9))]
    assert ss.chosen(trials).params == {"i": 1}


BAD = [
    (lambda: Dim("lr", 0.0, 1.0, log=True), ValueError, "lr.low"),
    (lambda: Dim("lr", 1.0, 0.5), ValueError, "low < high"),
    (lambda: Dim("w", 1.5, 8, integer=True), ValueError, "integer bounds"),
    (lambda: Dim("x", "0", 1), TypeError, "x.low"),
    (lambda: Dim("x", 0, float("nan")), ValueError, "x.high"),
    (lambda: Dim("x", 0, 1, log=1), TypeError, "x.log"),
    (lambda: Dim("", 0, 1), TypeError, "name"),
    (lambda: ss.check_space([]), TypeError, "space"),
    (lambda: ss.check_space([Dim("a", 0, 1), Dim("a", 0, 2)]), ValueError, "distinct"),
    (lambda: ss.check_space({"a": (0, 1, "cubic")}), ValueError, "scale"),
    (lambda: ss.check_space([("a", 0, 1)]), TypeError, "space[0]"),
    (lambda: ss.from_unit(SPACE, [[0.5, 0.5]]), ValueError, "U"),
    (lambda: ss.from_unit(SPACE, [[0.5, 0.5, 1.5]]), ValueError, "[0, 1]"),
    (lambda: ss.to_unit(SPACE, [{"lr": 0.1}]), ValueError, "dropout"),
    (lambda: ss.to_unit(SPACE, [{"lr": 5.0, "dropout": 0, "width": 8}]), ValueError, "lr"),
    (lambda: ss.to_unit(SPACE, [{"lr": 0.1, "dropout": True, "width": 8}]), TypeError, "dropout"),
    (lambda: ss.to_unit(SPACE, "lr"), TypeError, "points"),
    (lambda: ss.values_to_unit(SPACE, [[0.1, 0.2]]), ValueError, "V"),
    (lambda: ss.values_to_unit(SPACE, [[0.1, 0.2, 300]]), ValueError, "width"),
    (lambda: ss.best_so_far([]), ValueError, "trials"),
    (lambda: ss.best_so_far([0.5]), TypeError, "trials[0]"),
    (lambda: ss.evaluate("f", {}), TypeError, "objective"),
]


@pytest.mark.parametrize("call, exc, words", BAD)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert words in str(info.value)
