"""Tests for snippets/nonlinearity.py: the collapse of linear layers, activation derivatives,
the best line, ReLU kinks, the experiments' claims, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_worked_example_by_hand():
    ex = nl.worked_example()
    # W1 W2 = [[1·2 + (-0.5)(-1), 1·1 + (-0.5)(0.5)], [0.5·2 + 2(-1), 0.5·1 + 2·0.5]]
    np.testing.assert_allclose(ex["W12"], [[2.5, 0.75], [-1.0, 1.5]])
    np.testing.assert_allclose(ex["W"], [[2.5 * 1 + 0.75 * -2], [-1 * 1 + 1.5 * -2]])  # [1, -4]
    np.testing.assert_allclose(ex["b12"], [0.5 * 2 + 1.0, 0.5 * 1 - 0.5 + 1.0])  # [2, 1]
    np.testing.assert_allclose(ex["b"], [2 * 1 + 1 * -2 + 0.5])  # 0.5
    # x = (1, -1): layer by layer 1 - 0.5 + 0.5 = 1 and -0.5 - 2 - 1 = -3.5, ...
    np.testing.assert_allclose(ex["lin_h1"], [[1.0, -3.5]])
    np.testing.assert_allclose(ex["lin_h2"], [[2 + 3.5, 1 - 1.75 + 1]])
    np.testing.assert_allclose(ex["lin_out"], [[5.5 - 0.5 + 0.5]])
    np.testing.assert_allclose(ex["collapsed_out"], [[1 * 1 + -1 * -4 + 0.5]])
    # ... and with ReLU the -3.5 is cut to 0, which changes everything downstream
    np.testing.assert_allclose(ex["relu_h1"], [[1.0, 0.0]])
    np.testing.assert_allclose(ex["relu_z2"], [[2.0, 2.0]])
    np.testing.assert_allclose(ex["relu_out"], [[2 - 4 + 0.5]])


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


# --- activations -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", nl.ACTIVATIONS)
def test_derivatives_match_finite_differences(name):
    rng = np.random.default_rng(1)
    z = rng.normal(0, 2.5, size=200)
    z = z[np.abs(z) > 1e-2]  # keep the centred difference off the kinks at 0
    h = 1e-5
    kw = {"negative_slope": 0.07, "alpha": 1.3}
    numeric = (nl.activate(name, z + h, **kw) - nl.activate(name, z - h, **kw)) / (2 * h)
    analytic = nl.derivative(name, z, **kw)
    err = np.linalg.norm(analytic - numeric) / max(
        1e-8, np.linalg.norm(analytic) + np.linalg.norm(numeric)
    )
    assert err <= 1e-7


def test_activation_values_by_hand():
    a, d = nl.activate, nl.derivative
    assert a("sigmoid", 0.0) == 0.5 and d("sigmoid", 0.0) == 0.25
    assert a("softplus", 0.0) == pytest.approx(math.log(2), rel=1e-15)
    assert a("softplus", 1000.0) == 1000.0  # no overflow
    assert a("gelu", 1.0) == pytest.approx(0.8413447460685429, rel=1e-14)  # Φ(1)
    assert d("gelu", 0.0) == 0.5
    assert a("silu", 1.0) == pytest.approx(1 / (1 + math.exp(-1)), rel=1e-14)
    assert a("elu", -1.0) == pytest.approx(math.exp(-1) - 1, rel=1e-14)
    assert a("elu", -1.0, alpha=2.0) == pytest.approx(2 * (math.exp(-1) - 1), rel=1e-14)
    assert a("elu", 700.0) == 700.0  # no overflow in the unused branch
    assert a("leaky_relu", -2.0) == pytest.approx(-0.02)
    assert a("leaky_relu", -2.0, negative_slope=0.2) == pytest.approx(-0.4)
    # the values at the kinks are PyTorch's
    assert d("relu", 0.0) == 0.0
    assert d("leaky_relu", 0.0) == 0.01
    assert d("elu", 0.0, alpha=1.5) == 1.5
    assert a("identity", [[1.0, -2.0]]).shape == (1, 2)


def test_gelu_is_close_to_its_tanh_approximation():
    z = np.linspace(-6, 6, 1201)
    approx = 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3)))
    assert np.abs(nl.activate("gelu", z) - approx).max() < 1e-3


def test_shared_activations_agree_with_backprop():
    z = np.linspace(-5, 5, 101).reshape(1, -1)
    for name in ("sigmoid", "tanh", "relu", "identity"):
        np.testing.assert_allclose(nl.activate(name, z), bp.activate(name, z), rtol=1e-15)
        a = bp.activate(name, z)
        np.testing.assert_allclose(
            nl.derivative(name, z), bp.activation_derivative(name, z, a), rtol=1e-12, atol=1e-15
        )


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


# --- the experiments ---------------------------------------------------------------------------
# What the experiments show is checked by `claims()` (here on seed set 0, in test_claims.py on
# seed set 1); these tests check how they are computed.


@pytest.fixture
def tiny_moons(monkeypatch):
    """The moons experiment shrunk to seconds; the caches are cleared before and after."""
    cached = (
        nl.moons_data,
        nl._moons_fit,
        nl.moons_runs,
        nl.moons_collapse,
        nl.moons_speed,
        nl.moons_best_line,
    )
    for f in cached:
        f.cache_clear()
    monkeypatch.setattr(nl, "MOONS_SEEDS", 2)
    monkeypatch.setattr(nl, "MOONS_EPOCHS", 30)
    monkeypatch.setattr(nl, "MOONS_MODELS", (("identity", 0), ("relu", 1)))
    yield
    for f in cached:
        f.cache_clear()


def test_step_choice_never_looks_at_the_test_points(tiny_moons, monkeypatch):
    before = nl.moons_runs()
    data = nl.moons_data  # the cached original
    seen = {}

    def flipped_test(seed=0):
        X, y, X_val, y_val, X_test, y_test = data(seed)
        seen[seed] = True
        return X, y, X_val, y_val, X_test, 1 - y_test  # every test label wrong

    nl._moons_fit.cache_clear()
    nl.moons_runs.cache_clear()
    monkeypatch.setattr(nl, "moons_data", flipped_test)
    after = nl.moons_runs()
    assert seen  # the experiment did read the (flipped) data
    for key in before:
        assert after[key]["lr"] == before[key]["lr"]
        assert after[key]["val_loss"] == before[key]["val_loss"]
        for r0, r1 in zip(before[key]["runs"], after[key]["runs"]):
            assert r1["test_acc"] == pytest.approx(1 - r0["test_acc"], abs=1e-12)


def test_step_choice_is_the_lowest_mean_validation_loss(tiny_moons):
    for (act, _), m in nl.moons_runs().items():
        assert m["val_loss"][m["lr"]] == min(m["val_loss"].values())
        if act == "identity":  # tied losses: the starting grid only
            assert set(m["val_loss"]) == set(nl.MOONS_LRS)
        else:
            assert set(nl.MOONS_LRS) <= set(m["val_loss"])


def test_step_search_widens_the_grid_until_the_best_step_is_inside():
    def bowl(centre):
        return lambda lr: (math.log(lr) - math.log(centre)) ** 2

    lr, scores = nl._search_step(bowl(64.0))  # beyond the starting grid's top edge
    assert lr == 64.0 and nl._bracketed(lr, scores)
    assert sorted(scores) == [1.0, 4.0, 16.0, 64.0, 256.0]
    lr, scores = nl._search_step(bowl(0.25))
    assert lr == 0.25 and sorted(scores) == [1 / 16, 0.25, 1.0, 4.0, 16.0]
    lr, scores = nl._search_step(lambda lr: -lr)  # always better further out: stops at the limit
    assert lr == nl.MOONS_LR_RANGE[1] and not nl._bracketed(lr, scores)
    lr, scores = nl._search_step(bowl(64.0), widen=False)
    assert lr == 16.0 and sorted(scores) == list(nl.MOONS_LRS)
    lr, scores = nl._search_step(lambda lr: math.inf if lr > 4 else 1 / lr)  # inf = failed
    assert lr == 4.0 and nl._bracketed(lr, scores)


def test_reach_epoch_by_hand():
    losses = np.array([3.0, 2.0, 1.0 + 1e-7, 1.0, 1.0])
    assert nl._reach_epoch(losses, 1.0) == 2  # within CONVERGED_TOL = 1e-6
    assert nl._reach_epoch(losses, 0.5) == math.inf


def test_fastest_step_is_the_fewest_mean_epochs(tiny_moons):
    for m in nl.moons_speed().values():
        assert np.array_equal(m["fast"], m["at"](m["lr"]))
        for lr in nl.MOONS_LRS:
            assert m["fast"].mean() <= m["at"](lr).mean()


def test_trained_linear_networks_are_one_linear_layer():
    seed = nl.seeds(1)[0]
    X, _, X_val, _, X_test, _ = nl.moons_data(seed)
    runs = nl.moons_runs()
    for depth in (0, *nl.MOONS_DEPTHS):
        tuned = runs[("identity", depth)]["runs"][0]["params"]
        common = nl._moons_fit("identity", depth, nl.MOONS_COMMON_LR, seed)["params"]
        for params in (tuned, common):
            W, b = nl.collapse_linear(params)
            for data in (X, X_val, X_test):
                A, _ = bp.forward(params, data, "identity", "sigmoid")
                np.testing.assert_allclose(A, bp.sigmoid(data @ W + b), rtol=1e-10, atol=1e-13)


def test_claims_hold_on_seed_set_0():
    verdicts = nl.claims(0)
    assert verdicts, "no claims"
    failed = {k: ev for k, (holds, ev) in verdicts.items() if not holds}
    assert not failed


def test_reported_fit_error_is_the_plain_mean_squared_error():
    runs = nl.approximation_runs()[0]
    x = np.linspace(-1, 1, nl.FIT_N)[:, None]
    out = bp.forward(runs[10]["params"], x, "tanh", "identity")[0]
    assert runs[10]["mse"] == pytest.approx(np.mean((out - np.sin(2 * np.pi * x)) ** 2))


def test_relu_fit_has_at_most_one_kink_per_unit():
    r = nl.relu_run()
    assert 1 <= r["kinks"].size <= nl.RELU_WIDTH  # one hidden layer: at most one corner a unit


def test_values_are_finite():
    v = nl.values()
    assert v["relu_pieces"] == v["relu_kinks"] + 1
    for key, value in v.items():
        assert "nan" not in str(value).lower() and "inf" not in str(value).lower(), key


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
        (lambda: nl.activate("swish", 1.0), ValueError, ["name", "swish"]),
        (lambda: nl.activate(3, 1.0), TypeError, ["name"]),
        (lambda: nl.activate("relu", "z"), TypeError, ["z"]),
        (lambda: nl.derivative("relu", [1.0, np.inf]), ValueError, ["z", "inf"]),
        (lambda: nl.activate("leaky_relu", 1.0, negative_slope="a"), TypeError, ["negative_slope"]),
        (lambda: nl.derivative("elu", 1.0, alpha=np.nan), ValueError, ["alpha"]),
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
