"""Tests for snippets/ml0032_non_linear_activation.py: ML0032's worked example and how its
experiments are computed. What the experiments show is checked by `claims()` (here on seed set
0, in test_claims.py on seed set 1)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from snippets import backprop as bp
from snippets import ml0032_non_linear_activation as page
from snippets.nonlinearity import collapse_linear
from snippets.seeds import seeds


def test_worked_example_by_hand():
    ex = page.worked_example()
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


def test_activation_extremes_by_hand():
    ext = page.activation_extremes()
    assert ext["gelu_min"] == pytest.approx(-0.16997, abs=1e-4)  # at z ≈ -0.7518
    assert ext["gelu_dzero"] == pytest.approx(-0.7518, abs=1e-3)
    assert ext["silu_min"] == pytest.approx(-0.27846, abs=1e-4)  # at z ≈ -1.2785
    assert 0 < ext["gelu_tanh_gap"] < 1e-3


# --- the experiments at full size (seed set 0, computed once when the module is imported) ------


def test_trained_linear_networks_are_one_linear_layer():
    seed = seeds(1)[0]
    X, _, X_val, _, X_test, _ = page.moons_data(seed)
    runs = page.moons_runs(0)
    for depth in (0, *page.MOONS_DEPTHS):
        tuned = runs[("identity", depth)]["runs"][0]["params"]
        common = page._moons_fits("identity", depth, page.MOONS_COMMON_LR, 0)[0]["params"]
        for params in (tuned, common):
            W, b = collapse_linear(params)
            for data in (X, X_val, X_test):
                A, _ = bp.forward(params, data, "identity", "sigmoid")
                np.testing.assert_allclose(A, bp.sigmoid(data @ W + b), rtol=1e-10, atol=1e-13)


def test_claims_hold_on_seed_set_0():
    verdicts = page.claims(0)
    assert verdicts, "no claims"
    failed = {k: ev for k, (holds, ev) in verdicts.items() if not holds}
    assert not failed


def test_reported_fit_error_is_the_plain_mean_squared_error():
    runs = page.approximation_runs(0)[0]
    x = np.linspace(-1, 1, page.FIT_N)[:, None]
    out = bp.forward(runs[10]["params"], x, "tanh", "identity")[0]
    assert runs[10]["mse"] == pytest.approx(np.mean((out - np.sin(2 * np.pi * x)) ** 2))


def test_relu_fit_has_at_most_one_kink_per_unit():
    r = page.relu_run()
    assert 1 <= r["kinks"].size <= page.RELU_WIDTH  # one hidden layer: at most one corner a unit


def test_values_are_finite():
    v = page.values()
    assert v["relu_pieces"] == v["relu_kinks"] + 1
    for key, value in v.items():
        assert "nan" not in str(value).lower() and "inf" not in str(value).lower(), key


# --- how the experiments are computed ----------------------------------------------------------


def _assert_same_fit(fit, ref):
    """Bit for bit: every loss (NaN where both overflowed), weight and bias."""
    np.testing.assert_array_equal(fit["losses"], ref["losses"])
    assert len(fit["params"]) == len(ref["params"])
    for (W, b), (W_ref, b_ref) in zip(fit["params"], ref["params"]):
        np.testing.assert_array_equal(W, W_ref)
        np.testing.assert_array_equal(b, b_ref)


@pytest.mark.parametrize("act", ["identity", "relu"])
@pytest.mark.parametrize("depth", [0, 2])
def test_stacked_moons_fits_are_each_seed_trained_alone(act, depth, monkeypatch):
    # 30 epochs, two seeds, a stable step and one that overflows: the side-by-side training is
    # backprop.train network by network, to the last bit
    monkeypatch.setattr(page, "MOONS_SEEDS", 2)
    monkeypatch.setattr(page, "MOONS_EPOCHS", 30)
    page._moons_stack.cache_clear()
    try:
        for lr in (4.0, 16.0, 256.0):  # two from the starting grid's stack, one alone
            fits = page._moons_fits(act, depth, lr, 1)
            for s, fit in zip(seeds(2, 1), fits):
                ref = page._moons_fit(act, depth, lr, s)
                _assert_same_fit(fit, ref)
                assert fit["acc"] == ref["acc"] and fit["val_loss"] == ref["val_loss"]
    finally:
        page._moons_stack.cache_clear()


@pytest.mark.parametrize(("act", "width"), [("tanh", 1), ("tanh", 10), ("relu", 4)])
def test_stacked_fits_are_each_seed_trained_alone(act, width):
    # one step per layer (the output's min(lr, 2/H)), as _fit trains a single seed
    fits = page._fits(page._sin2pi, act, width, 0.5, 40, (3, 8))
    for s, fit in zip((3, 8), fits):
        ref = page._fit(page._sin2pi, act, width, 0.5, 40, s)
        _assert_same_fit(fit, ref)
        assert fit["mse"] == ref["mse"]


def test_fit_with_one_step_for_both_layers_is_plain_gradient_descent():
    # width 4 and step 0.5: the output layer's step min(0.5, 2/4) is the hidden layer's
    lr, width, epochs = 0.5, 4, 20
    r = page._fit(page._sin2pi, "tanh", width, lr, epochs, seed=3)
    x = np.linspace(-1.0, 1.0, page.FIT_N)[:, None]
    params0 = page._init_1d(width, np.random.default_rng(3))
    params, losses = bp.train(params0, x, page._sin2pi(x), lr, epochs, "tanh", "identity")
    np.testing.assert_array_equal(r["losses"], losses)
    for (W, b), (W_ref, b_ref) in zip(r["params"], params):
        np.testing.assert_array_equal(W, W_ref)
        np.testing.assert_array_equal(b, b_ref)


def test_fit_gives_each_layer_its_own_step():
    # width 10: hidden step 0.5, output step 2/10; one epoch, checked by hand from the gradients
    width, lr = 10, 0.5
    x = np.linspace(-1.0, 1.0, page.FIT_N)[:, None]
    params0 = page._init_1d(width, np.random.default_rng(7))
    _, cache = bp.forward(params0, x, "tanh", "identity")
    grads = bp.backward(params0, cache, page._sin2pi(x))
    r = page._fit(page._sin2pi, "tanh", width, lr, 1, seed=7)
    for (W0, b0), (dW, db), step, (W, b) in zip(
        params0, grads, page._fit_lrs(lr, width), r["params"]
    ):
        np.testing.assert_allclose(W, W0 - step * dW, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(b, b0 - step * db, rtol=1e-12, atol=1e-15)
    assert page._fit_lrs(lr, width) == [0.5, 0.2]


def test_step_search_widens_the_grid_until_the_best_step_is_inside():
    def bowl(centre):
        return lambda lr: (math.log(lr) - math.log(centre)) ** 2

    lr, scores = page._search_step(bowl(64.0))  # beyond the starting grid's top edge
    assert lr == 64.0 and page._bracketed(lr, scores)
    assert sorted(scores) == [1.0, 4.0, 16.0, 64.0, 256.0]
    lr, scores = page._search_step(bowl(0.25))
    assert lr == 0.25 and sorted(scores) == [1 / 16, 0.25, 1.0, 4.0, 16.0]
    lr, scores = page._search_step(lambda lr: -lr)  # always better further out: stops at the limit
    assert lr == page.MOONS_LR_RANGE[1] and not page._bracketed(lr, scores)
    lr, scores = page._search_step(bowl(64.0), widen=False)
    assert lr == 16.0 and sorted(scores) == list(page.MOONS_LRS)
    lr, scores = page._search_step(lambda lr: math.inf if lr > 4 else 1 / lr)  # inf = failed
    assert lr == 4.0 and page._bracketed(lr, scores)


def test_reach_epoch_by_hand():
    losses = np.array([3.0, 2.0, 1.0 + 1e-7, 1.0, 1.0])
    assert page._reach_epoch(losses, 1.0) == 2  # within CONVERGED_TOL = 1e-6
    assert page._reach_epoch(losses, 0.5) == math.inf


def test_epochs_are_quoted_only_when_every_seed_got_there():
    assert page._epochs([10.0, 20.0, 30.0]) == "20 ± 10"  # sample std (n − 1)
    assert page._epochs([10.0, math.inf]) == "not in every seed"


# The tests below shrink the moons experiment; they clear its caches, so they come last.


@pytest.fixture
def tiny_moons(monkeypatch):
    """The moons experiment shrunk to seconds; the caches are cleared before and after."""
    cached = (
        page.moons_data,
        page._moons_stack,
        page.moons_runs,
        page.moons_collapse,
        page.moons_speed,
        page.moons_best_line,
    )
    for f in cached:
        f.cache_clear()
    monkeypatch.setattr(page, "MOONS_SEEDS", 2)
    monkeypatch.setattr(page, "MOONS_EPOCHS", 30)
    monkeypatch.setattr(page, "MOONS_MODELS", (("identity", 0), ("relu", 1)))
    yield
    for f in cached:
        f.cache_clear()


def test_step_choice_never_looks_at_the_test_points(tiny_moons, monkeypatch):
    before = page.moons_runs(0)
    data = page.moons_data  # the cached original
    seen = {}

    def flipped_test(seed=0):
        X, y, X_val, y_val, X_test, y_test = data(seed)
        seen[seed] = True
        return X, y, X_val, y_val, X_test, 1 - y_test  # every test label wrong

    page._moons_stack.cache_clear()
    page.moons_runs.cache_clear()
    monkeypatch.setattr(page, "moons_data", flipped_test)
    after = page.moons_runs(0)
    assert seen  # the experiment did read the (flipped) data
    for key in before:
        assert after[key]["lr"] == before[key]["lr"]
        assert after[key]["val_loss"] == before[key]["val_loss"]
        for r0, r1 in zip(before[key]["runs"], after[key]["runs"]):
            assert r1["test_acc"] == pytest.approx(1 - r0["test_acc"], abs=1e-12)


def test_step_choice_is_the_lowest_mean_validation_loss(tiny_moons):
    for (act, _), m in page.moons_runs(0).items():
        assert m["val_loss"][m["lr"]] == min(m["val_loss"].values())
        if act == "identity":  # tied losses: the starting grid only
            assert set(m["val_loss"]) == set(page.MOONS_LRS)
        else:
            assert set(page.MOONS_LRS) <= set(m["val_loss"])


def test_fastest_step_is_the_fewest_mean_epochs(tiny_moons):
    for m in page.moons_speed(0).values():
        assert np.array_equal(m["fast"], m["at"](m["lr"]))
        for lr in page.MOONS_LRS:
            assert m["fast"].mean() <= m["at"](lr).mean()
