"""Tests for snippets/ml0033_all_zeros_init.py, the page module of ML0033: the worked example
by hand, the experiments' machinery (batched trainer, splits, rate choice, recorded runs), the
scale experiment, values and claims."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from snippets import backprop as bp
from snippets import ml0033_all_zeros_init as pm
from snippets import zero_init as zi
from snippets.seeds import seeds


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def random_problem(seed: int, n: int, d: int):
    """A batch and targets in [0, 1] drawn here, not by the snippet."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.uniform(size=(n, 1))


# --- the worked example, by hand -------------------------------------------------------------


def test_worked_example_sigmoid_by_hand():
    X, T = pm.EXAMPLE["X"], [t[0] for t in pm.EXAMPLE["T"]]
    H, lr, N = pm.EXAMPLE["hidden"], pm.EXAMPLE["lr"], len(X)
    ex = pm.worked_example("sigmoid")

    # step 1: every hidden unit outputs sigma(0) = 1/2, so does the output
    np.testing.assert_array_equal(ex["a1_1"], np.full((N, H), 0.5))
    np.testing.assert_array_equal(ex["a2_1"], np.full((N, 1), 0.5))
    d2 = [(0.5 - t) * 0.5 * 0.5 / N for t in T]
    np.testing.assert_allclose(ex["delta2_1"][:, 0], d2, rtol=1e-15)
    # output weights: each gets sum_n 1/2 * delta_n; the bias gets sum_n delta_n
    np.testing.assert_allclose(ex["dW2_1"], np.full((H, 1), 0.5 * sum(d2)), rtol=1e-15)
    np.testing.assert_allclose(ex["db2_1"], [sum(d2)], rtol=1e-15)
    # hidden errors are delta2 W2^T with W2 = 0: exactly nothing reaches the first layer
    np.testing.assert_array_equal(ex["dW1_1"], np.zeros((2, H)))
    np.testing.assert_array_equal(ex["db1_1"], np.zeros(H))
    np.testing.assert_array_equal(ex["W1_after_1"], np.zeros((2, H)))

    # step 2: W2 = v for every unit, b2 = c; hidden outputs still 1/2
    v = -lr * 0.5 * sum(d2)
    c = -lr * sum(d2)
    a2 = sigmoid(H * 0.5 * v + c)
    d2b = [(a2 - t) * a2 * (1 - a2) / N for t in T]
    d1 = [dn * v * 0.25 for dn in d2b]  # the same for every hidden unit
    dW1 = [[sum(X[n][i] * d1[n] for n in range(N))] * H for i in range(2)]
    np.testing.assert_allclose(ex["dW1_2"], dW1, rtol=1e-12)
    np.testing.assert_allclose(ex["db1_2"], [sum(d1)] * H, rtol=1e-12)
    assert np.all(ex["dW1_2"] != 0)
    assert zi.unit_spread(ex["W1_after_2"], ex["b1_after_2"]) == 0.0
    loss2 = sum(0.5 * (t - a2) ** 2 for t in T) / N
    assert ex["loss_2"] == pytest.approx(loss2, rel=1e-12)
    assert ex["loss_1"] == pytest.approx(0.5 * sum((0.5 - t) ** 2 for t in T) / N, rel=1e-15)
    # the loss after the second update, from W1 after two steps by hand
    W2 = v - lr * 0.5 * sum(d2b)  # hidden outputs were still 1/2 when W2 got its second step
    c2 = c - lr * sum(d2b)
    z1 = [
        -lr * sum(d1)
        + sum(X[n][i] * -lr * sum(X[m][i] * d1[m] for m in range(N)) for i in range(2))
        for n in range(N)
    ]
    a3 = [sigmoid(H * W2 * sigmoid(z) + c2) for z in z1]
    loss3 = sum(0.5 * (t - a) ** 2 for t, a in zip(T, a3)) / N
    assert ex["loss_after_2"] == pytest.approx(loss3, rel=1e-12)


@pytest.mark.parametrize("act", ["tanh", "relu"])
def test_worked_example_tanh_relu_only_the_output_bias_moves(act):
    ex = pm.worked_example(act)
    N = len(pm.EXAMPLE["X"])
    for step in (1, 2):
        np.testing.assert_array_equal(ex[f"a1_{step}"], 0.0)
        for key in ("dW1", "db1", "dW2"):
            np.testing.assert_array_equal(ex[f"{key}_{step}"], 0.0)
    d2 = [(0.5 - t[0]) * 0.25 / N for t in pm.EXAMPLE["T"]]
    assert ex["db2_1"][0] == pytest.approx(sum(d2), rel=1e-15)


def test_balanced_classes_make_the_zero_sigmoid_net_stationary():
    # sum_n (1/2 - t_n) = 0 for equal classes, so even the output bias has no gradient
    assert pm.balanced_zero_gradient() <= 1e-15


# --- the scale experiment --------------------------------------------------------------------


def test_scale_experiment_vanishes_holds_and_explodes():
    runs = pm.scale_runs(0)
    for act, good in (("tanh", "xavier"), ("relu", "he")):
        small = runs[act]["small"]["std"]
        assert np.all(np.diff(small) < 0) and small[-1] < 1e-8
        kept = runs[act][good]["std"]
        assert 0.1 < kept.min() and kept.max() < 2
    large = runs["relu"]["large"]["std"]
    assert np.all(np.diff(large) > 0) and large[-1] > 1e6
    # predicted per-layer factor for ReLU: std * sqrt(fan_in / 2)
    ratio = large[-1] / large[-2]
    assert ratio == pytest.approx(pm.LARGE_STD * np.sqrt(pm.WIDTH / 2), rel=0.3)
    assert runs["tanh"]["large"]["saturated"][-1] > 0.5
    assert runs["tanh"]["large"]["slope"][-1] < 0.2 < runs["tanh"]["xavier"]["slope"][-1]


def test_scale_gradients_are_backprops_and_linear_at_the_small_start():
    # the recorded mean |dW| is backward's, for the batch and targets scale_runs draws
    runs = pm.scale_runs(0)
    rng_x, rng_w = (np.random.default_rng(s) for s in np.random.SeedSequence(0).spawn(2))
    X = rng_x.standard_normal((pm.BATCH, pm.WIDTH))
    T = rng_x.uniform(-1.0, 1.0, size=(pm.BATCH, pm.WIDTH))
    params = zi.normal_init([pm.WIDTH] * (pm.DEPTH + 1), int(rng_w.integers(2**31)), pm.SMALL_STD)
    _, cache = bp.forward(params, X, "tanh", "tanh")
    np.testing.assert_array_equal(
        runs["tanh"]["small"]["std"], zi.activation_stds(params, X, "tanh")
    )
    direct = [np.mean(np.abs(dW)) for dW, _ in bp.backward(params, cache, T)]
    np.testing.assert_allclose(runs["tanh"]["small"]["grad"], direct, rtol=1e-12)
    # at N(0, 0.01^2) tanh is nearly the identity: the first layer's z has variance about
    # 0.01^2 * 128 = 0.0128, so tanh' = 1 - tanh^2 is about 0.987 there and closer to 1 above
    _, lin = bp.forward(params, X, "identity", "identity")
    linear = [np.mean(np.abs(dW)) for dW, _ in bp.backward(params, lin, T)]
    np.testing.assert_allclose(direct, linear, rtol=0.03)


# --- the two-moons experiment ----------------------------------------------------------------


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
def test_train_many_matches_backprop_train_run_by_run(act):
    # the batched trainer of the experiment is backprop.train, R networks at once; its record
    # of the first layer is zero_init.train_recording's
    starts, Xs, Ts, lrs = [], [], [], []
    for r, (seed, hidden, lr) in enumerate([(0, 4, 3.0), (1, 4, 30.0), (2, 4, 0.5)]):
        X, T = random_problem(seed, 9, 2)
        starts.append(bp.init_params([2, hidden, 1], seed, "xavier" if r else "zeros"))
        Xs.append(X)
        Ts.append(T)
        lrs.append(lr)
    stack = [np.array([p[l][k] for p in starts]) for l in (0, 1) for k in (0, 1)]
    trained, losses, spreads, history = pm._train_many(
        stack, np.array(Xs), np.array(Ts), lrs, 25, act, record=[2, 0]
    )
    assert history.shape == (2, 26, 3, 4)
    for r in range(3):
        ref, ref_losses, ref_history = zi.train_recording(starts[r], Xs[r], Ts[r], lrs[r], 25, act)
        np.testing.assert_allclose(losses[r], ref_losses, rtol=1e-11, atol=1e-15)
        for got, want in zip(trained, [ref[0][0], ref[0][1], ref[1][0], ref[1][1]]):
            np.testing.assert_allclose(got[r], want, rtol=1e-11, atol=1e-14)
        np.testing.assert_allclose(
            spreads[r], zi.spread_history(ref_history), rtol=1e-11, atol=1e-14
        )
        if r in (2, 0):
            got = history[[2, 0].index(r)]
            np.testing.assert_allclose(got, ref_history, rtol=1e-11, atol=1e-14)
    # from zero the first layer is still exactly zero after the first step, as in backprop
    np.testing.assert_array_equal(history[1][1], 0.0)


def test_moons_split_is_standardised_on_train_and_unbalanced():
    s = pm.moons_split(3)
    X, y = s["train"]
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), 1.0, rtol=1e-12)
    for part in ("train", "val", "test"):
        Xp, yp = s[part]
        assert (np.sum(yp == 0), np.sum(yp == 1)) == (pm.N_CLASS0, pm.N_CLASS1)
    assert not np.allclose(s["train"][0], s["test"][0])


def test_moons_runs_choose_rates_on_validation_and_keep_the_math():
    r = pm.moons_runs(0)
    assert r["seeds"] == seeds(pm.N_SEEDS, 0)
    for name in pm.STARTS:
        run = r[name]
        means = {lr: run["val_by_lr"][lr].mean() for lr in pm.LR_GRID}
        assert means[run["lr"]] == min(means.values())
    # tanh / ReLU from zeros: weights exactly 0, the two runs are the same run
    for name in ("zeros_tanh", "zeros_relu"):
        for params in r[name]["params"]:
            np.testing.assert_array_equal(params[0][0], 0.0)
            np.testing.assert_array_equal(params[1][0], 0.0)
    np.testing.assert_array_equal(r["zeros_tanh"]["losses"], r["zeros_relu"]["losses"])


def test_display_runs_first_epoch_moves_only_the_output_layer():
    d = pm.display_runs()
    np.testing.assert_array_equal(d["zeros"]["history"][1], 0.0)
    assert np.any(d["zeros"]["history"][2] != 0)
    # the recorded first layer is the run's: it starts at the start and ends at the result
    for name in pm.RECORDED:
        h = d[name]["history"]
        assert h.shape == (pm.EPOCHS + 1, 3, pm.HIDDEN)
        start = pm.start_params(name, pm.moons_runs(0)["seeds"][0])
        np.testing.assert_array_equal(h[0], np.vstack(start[0]))
        np.testing.assert_array_equal(h[-1], np.vstack(d[name]["params"][0]))
        np.testing.assert_array_equal(zi.spread_history(h), d[name]["spread"])


def test_zero_init_boundary_is_a_straight_line():
    d = pm.display_runs()
    X, params = d["X"], d["zeros"]["params"]
    one = zi.collapse_identical_units(params)
    u = X @ one[0][0][:, 0] + one[0][1][0]  # the single unit's pre-activation
    pred = bp.forward(params, X, "sigmoid", "sigmoid")[0][:, 0] > 0.5
    order = np.argsort(u)
    steps = np.count_nonzero(np.diff(pred[order].astype(int)))
    assert steps <= 1  # one threshold on a linear function of x: a line


def test_claims_hold_on_the_default_seed_set():
    for name, (holds, evidence) in pm.claims(0).items():
        assert holds, (name, evidence)
        assert "$" not in evidence


def test_values_have_no_nan():
    for key, value in pm.values().items():
        assert "nan" not in str(value).lower(), key


# --- the page and its page module name each other ----------------------------------------------


def test_page_and_page_module_name_each_other():
    root = Path(__file__).resolve().parents[1]
    page = (root / "docs/training/ml0033-all-zeros-init.md").read_text(encoding="utf-8")
    assert pm.__doc__.splitlines()[0] == (
        "ML0033 · All Zeros Init: the page module of docs/training/ml0033-all-zeros-init.md."
    )
    text = " ".join(page.split())
    assert "`snippets/ml0033_all_zeros_init.py`, which is also this page's notebook" in text
    # every value, claim and figure marker of the page names the page module
    markers = re.findall(r"\{\{\s*(?:claim:\s*)?([a-z0-9_]+)\.|\(figure:([a-z0-9_]+)/", page)
    assert len(markers) > 100
    assert {a or b for a, b in markers} == {"ml0033_all_zeros_init"}


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: pm.worked_example("swish"), ValueError, ["activation"]),
        (lambda: pm.moons_data(10, 20), ValueError, ["n_class1"]),
        (lambda: pm.moons_data(0, 0), ValueError, ["n_class0"]),
        (lambda: pm.moons_split(-1), ValueError, ["seed", ">= 0"]),
        (lambda: pm.moons_split(1.5), TypeError, ["seed"]),
        (lambda: pm.moons_split(True), TypeError, ["seed"]),
        (lambda: pm.start_params("ones", 0), ValueError, ["name"]),
        (lambda: pm.start_params("random", "0"), TypeError, ["seed"]),
    ],
)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)
