"""Tests for snippets/nonlinearity.py: the collapse of linear layers, the best line, ReLU kinks,
the public paths of the activations, bad input. The activations themselves are tested in
tests/test_activations.py, the page's experiments in tests/test_ml0032_non_linear_activation.py."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets import activations
from snippets import backprop as bp
from snippets import nonlinearity as nl


def random_params(rng: np.random.Generator, sizes) -> list:
    return [(rng.normal(size=(i, o)), rng.normal(size=o)) for i, o in zip(sizes[:-1], sizes[1:])]


# --- collapse_linear -----------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    depth=st.integers(1, 6),
    n=st.integers(1, 7),
)
def test_collapse_equals_the_identity_network_on_random_inputs(seed, depth, n):
    rng = np.random.default_rng(seed)
    sizes = [int(s) for s in rng.integers(1, 7, size=depth + 1)]
    params = random_params(rng, sizes)
    X = rng.normal(size=(n, sizes[0]))
    W, b = nl.collapse_linear(params)
    assert W.shape == (sizes[0], sizes[-1]) and b.shape == (sizes[-1],)
    A, _ = bp.forward(params, X, "identity", "identity")
    scale = 1 + np.abs(A).max()
    np.testing.assert_allclose(X @ W + b, A, rtol=1e-10, atol=1e-12 * scale)
    # with a sigmoid output, the collapsed map is what enters the sigmoid
    A_sig, _ = bp.forward(params, X, "identity", "sigmoid")
    np.testing.assert_allclose(bp.sigmoid(X @ W + b), A_sig, rtol=1e-10, atol=1e-12)
    # the probing version finds the same map another way
    Wp, bp_ = nl.collapse_linear_probe(params)
    np.testing.assert_allclose(Wp, W, rtol=1e-9, atol=1e-9 * scale)
    np.testing.assert_allclose(bp_, b, rtol=1e-9, atol=1e-9 * scale)


def test_composed_bias_by_hand_on_scalar_layers():
    # x -> 2x + 3 -> -(.) + 0.5 -> 4(.) - 2
    params = [([[2.0]], [3.0]), ([[-1.0]], [0.5]), ([[4.0]], [-2.0])]
    W, b = nl.collapse_linear(params)
    assert W[0, 0] == 2 * -1 * 4  # -8
    assert b[0] == ((3 * -1) + 0.5) * 4 - 2  # -12
    x = 1.7
    assert W[0, 0] * x + b[0] == pytest.approx(((2 * x + 3) * -1 + 0.5) * 4 - 2)


def test_single_layer_collapses_to_a_copy():
    W0, b0 = np.arange(6.0).reshape(2, 3), np.array([1.0, 2.0, 3.0])
    W, b = nl.collapse_linear([(W0, b0)])
    np.testing.assert_array_equal(W, W0)
    np.testing.assert_array_equal(b, b0)
    W[0, 0] = 99.0
    b[0] = 99.0
    assert W0[0, 0] == 0.0 and b0[0] == 1.0  # the caller's arrays are untouched


def test_a_narrow_layer_caps_the_rank():
    rng = np.random.default_rng(0)
    params = random_params(rng, [5, 4, 1, 4, 5])  # a bottleneck of one unit
    W, _ = nl.collapse_linear(params)
    assert W.shape == (5, 5)
    assert np.linalg.matrix_rank(W) == 1


# --- activations: one registry, the old public path kept -------------------------------------


def test_activations_are_the_one_registry():
    assert nl.ACTIVATIONS == activations.ACTIVATIONS
    assert nl.activate is activations.activate
    assert nl.derivative is activations.derivative


# --- the best line -----------------------------------------------------------------------------


def best_line_through_pairs(X, y) -> float:
    """Independent exact count for points in general position: the best line can be moved to
    pass through two points, whose sides can then be chosen freely."""
    N = len(y)
    best = max(y.sum(), N - y.sum())
    for i in range(N):
        for j in range(i + 1, N):
            d = X[j] - X[i]
            side = d[0] * (X[:, 1] - X[i, 1]) - d[1] * (X[:, 0] - X[i, 0])
            others = np.ones(N, bool)
            others[[i, j]] = False
            c = np.sum((side > 0) & (y == 1) & others) + np.sum((side < 0) & (y == 0) & others)
            best = max(best, c + 2, (N - 2 - c) + 2)
    return best / N


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 12))
def test_best_line_matches_an_independent_count(seed, n):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = rng.integers(0, 2, size=n)
    best = nl.best_linear_accuracy(X, y)
    assert best == pytest.approx(best_line_through_pairs(X, y), abs=1e-12)
    # no random line does better
    u = rng.normal(size=(500, 2))
    proj = X @ u.T
    for t in proj[rng.integers(0, n, size=50)]:
        pred = proj > t - 1e-9
        acc = np.maximum((pred == y[:, None]).mean(axis=0), (pred != y[:, None]).mean(axis=0))
        assert acc.max() <= best + 1e-12


def test_best_line_by_hand():
    xor = np.array([[0, 0], [1, 1], [0, 1], [1, 0]], float)
    assert nl.best_linear_accuracy(xor, [0, 0, 1, 1]) == 0.75
    assert nl.best_linear_accuracy(xor, [0, 0, 0, 1]) == 1.0  # AND is separable
    line = np.array([[0, 0], [1, 1], [2, 2]], float)  # collinear: 0 | 1 | 0 along the line
    assert nl.best_linear_accuracy(line, [0, 1, 0]) == pytest.approx(2 / 3)
    same = np.zeros((2, 2))  # the same point twice, two labels: no line splits them
    assert nl.best_linear_accuracy(same, [0, 1]) == 0.5
    assert nl.best_linear_accuracy([[3.0, 4.0]], [1]) == 1.0
    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 2))
    assert nl.best_linear_accuracy(X, X @ [1.0, -2.0] + 0.3 > 0) == 1.0  # separable by design


# --- ReLU kinks --------------------------------------------------------------------------------


def net(params, x):
    return bp.forward(params, np.asarray(x, float).reshape(-1, 1), "relu", "identity")[0]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), depth=st.integers(1, 4))
def test_relu_network_is_affine_between_its_kinks(seed, depth):
    rng = np.random.default_rng(seed)
    sizes = [1] + [int(s) for s in rng.integers(1, 7, size=depth)] + [int(rng.integers(1, 3))]
    params = random_params(rng, sizes)
    kinks = nl.relu_kinks(params, -3.0, 3.0)
    assert np.all(np.diff(kinks) > 0) and np.all((kinks > -3) & (kinks < 3))
    edges = np.concatenate([[-3.0], kinks, [3.0]])
    slopes = []
    for a, b in zip(edges[:-1], edges[1:]):
        xs = a + (b - a) * np.array([0.0, 0.25, 0.5, 1.0])
        f = net(params, xs)
        slope = (f[3] - f[0]) / (b - a)
        scale = 1 + np.abs(f).max()
        np.testing.assert_allclose(f[1], f[0] + 0.25 * (b - a) * slope, atol=1e-9 * scale)
        np.testing.assert_allclose(f[2], f[0] + 0.5 * (b - a) * slope, atol=1e-9 * scale)
        slopes.append(slope)
    for left, right in zip(slopes[:-1], slopes[1:]):  # every kink is a real corner
        assert np.abs(left - right).max() > 1e-10
    # and a fine grid finds no corner elsewhere: second differences vanish away from the kinks
    g = np.linspace(-3, 3, 2001)
    f = net(params, g)
    second = np.abs(f[2:] - 2 * f[1:-1] + f[:-2]).max(axis=1)
    near = np.zeros(g.size - 2, bool)
    for k in kinks:
        near |= (g[:-2] <= k + 1e-9) & (g[2:] >= k - 1e-9)
    assert np.all(second[~near] <= 1e-9 * (1 + np.abs(f).max()))


def test_one_hidden_layer_kinks_are_where_units_switch():
    rng = np.random.default_rng(3)
    params = random_params(rng, [1, 6, 1])
    kinks = nl.relu_kinks(params, -50.0, 50.0)
    W1, b1 = params[0]
    switches = -b1 / W1[0]
    assert kinks.size == 6  # every unit switches inside a wide interval
    np.testing.assert_allclose(kinks, np.sort(switches), rtol=1e-12)


def test_kinks_by_hand():
    abs_net = [([[1.0, -1.0]], [0.0, 0.0]), ([[1.0], [1.0]], [0.0])]  # relu(x) + relu(-x) = |x|
    np.testing.assert_allclose(nl.relu_kinks(abs_net, -1.0, 2.0), [0.0])
    muted = [([[1.0]], [-0.5]), ([[0.0]], [1.0])]  # the unit switches but feeds nothing
    assert nl.relu_kinks(muted, -1.0, 1.0).size == 0
    cancel = [([[1.0, 1.0]], [-0.5, -0.5]), ([[1.0], [-1.0]], [0.0])]  # two corners cancel
    assert nl.relu_kinks(cancel, -1.0, 1.0).size == 0
    outside = [([[1.0]], [-5.0]), ([[1.0]], [0.0])]  # switch at x = 5, outside [-1, 1]
    assert nl.relu_kinks(outside, -1.0, 1.0).size == 0


# --- bad input ---------------------------------------------------------------------------------

W23, B3 = np.ones((2, 3)), np.zeros(3)


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: nl.collapse_linear([]), TypeError, ["params", "empty"]),
        (lambda: nl.collapse_linear("W"), TypeError, ["params"]),
        (lambda: nl.collapse_linear([(W23,)]), TypeError, ["params[0]"]),
        (lambda: nl.collapse_linear([(W23, np.zeros(2))]), ValueError, ["params[0] b", "(3,)"]),
        (
            lambda: nl.collapse_linear([(W23, B3), (np.ones((2, 1)), np.zeros(1))]),
            ValueError,
            ["params[1] W", "fan_in 3"],
        ),
        (lambda: nl.collapse_linear([(np.ones(3), B3)]), ValueError, ["params[0] W", "2-D"]),
        (
            lambda: nl.collapse_linear([(np.full((2, 3), np.nan), B3)]),
            ValueError,
            ["params[0] W", "NaN"],
        ),
        (lambda: nl.collapse_linear([(W23, "b")]), TypeError, ["params[0] b"]),
        (lambda: nl.collapse_linear_probe([]), TypeError, ["params"]),
        (lambda: nl.best_linear_accuracy(np.ones((3, 3)), [0, 1, 0]), ValueError, ["X", "(N, 2)"]),
        (lambda: nl.best_linear_accuracy(np.ones((3, 2)), [0, 2, 0]), ValueError, ["y", "0 or 1"]),
        (lambda: nl.best_linear_accuracy(np.ones((3, 2)), [0, 1]), ValueError, ["y", "(3,)"]),
        (lambda: nl.best_linear_accuracy(np.ones((0, 2)), []), ValueError, ["X", "row"]),
        (
            lambda: nl.relu_kinks([(W23, B3), (np.ones((3, 1)), np.zeros(1))], 0.0, 1.0),
            ValueError,
            ["params[0] W", "one input"],
        ),
        (lambda: nl.relu_kinks([(np.ones((1, 2)), np.zeros(2))], 1.0, 1.0), ValueError, ["hi"]),
        (
            lambda: nl.relu_kinks([(np.ones((1, 2)), np.zeros(2))], 2.0, 1.0),
            ValueError,
            ["hi", "lo = 2", "got 1"],
        ),
        (lambda: nl.relu_kinks([(np.ones((1, 2)), np.zeros(2))], True, 1.0), TypeError, ["lo"]),
        (lambda: nl.relu_kinks([(np.ones((1, 2)), np.zeros(2))], np.nan, 1.0), ValueError, ["lo"]),
        (lambda: nl.relu_kinks([(np.ones((1, 2)), np.zeros(2))], 0.0, "1"), TypeError, ["hi"]),
        (lambda: nl.best_linear_accuracy(np.ones((2, 2)), ["a", "b"]), TypeError, ["y"]),
    ],
)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)
