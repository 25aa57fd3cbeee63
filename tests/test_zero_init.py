"""Tests for snippets/zero_init.py: symmetry that never breaks, dead gradients, scale, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets import backprop as bp
from snippets import zero_init as zi


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def random_problem(seed: int, n: int, d: int):
    """A batch and targets in [0, 1] drawn here, not by the snippet."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.uniform(size=(n, 1))


# --- the worked example, by hand ---------------------------------------------------------------


def test_worked_example_sigmoid_by_hand():
    X, T = zi.EXAMPLE["X"], [t[0] for t in zi.EXAMPLE["T"]]
    H, lr, N = zi.EXAMPLE["hidden"], zi.EXAMPLE["lr"], len(X)
    ex = zi.worked_example("sigmoid")

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
    ex = zi.worked_example(act)
    N = len(zi.EXAMPLE["X"])
    for step in (1, 2):
        np.testing.assert_array_equal(ex[f"a1_{step}"], 0.0)
        for key in ("dW1", "db1", "dW2"):
            np.testing.assert_array_equal(ex[f"{key}_{step}"], 0.0)
    d2 = [(0.5 - t[0]) * 0.25 / N for t in zi.EXAMPLE["T"]]
    assert ex["db2_1"][0] == pytest.approx(sum(d2), rel=1e-15)


# --- symmetry: the claims for any data, width and depth ----------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 12),
    d=st.integers(1, 4),
    hidden=st.lists(st.integers(1, 9), min_size=1, max_size=2),
    act=st.sampled_from(["sigmoid", "tanh", "relu"]),
    value=st.sampled_from([0.0, 0.3, -0.7]),
    steps=st.integers(1, 6),
    batch_size=st.sampled_from([None, 1, 3]),
)
def test_units_stay_identical_after_k_steps(seed, n, d, hidden, act, value, steps, batch_size):
    X, T = random_problem(seed, n, d)
    params = zi.constant_init([d, *hidden, 1], value)
    # full batch or shuffled mini-batches: every unit sees the same samples, so the noise is shared
    trained, _ = bp.train(params, X, T, 0.5, steps, act, "sigmoid", batch_size=batch_size, rng=seed)
    for l, (W, b) in enumerate(trained[:-1]):
        # identical up to round-off: BLAS may sum different columns in a different order
        scale = 1.0 + np.abs(W).max() + np.abs(b).max()
        assert zi.unit_spread(W, b) <= 1e-13 * scale, l
    if value == 0.0 and act in ("tanh", "relu"):
        # hidden outputs are 0: no weight gradient anywhere, only the output bias learns
        for W, b in trained[:-1]:
            np.testing.assert_array_equal(W, 0.0)
            np.testing.assert_array_equal(b, 0.0)
        np.testing.assert_array_equal(trained[-1][0], 0.0)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    hidden=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    out=st.integers(1, 3),
)
def test_relu_zero_network_gradients_are_exactly_zero(seed, hidden, out):
    X, _ = random_problem(seed, 5, 3)
    T = np.random.default_rng(seed + 1).normal(size=(5, out))
    params = bp.init_params([3, *hidden, out], 0, "zeros")
    for output_activation in ("sigmoid", "identity"):
        _, cache = bp.forward(params, X, "relu", output_activation)
        grads = bp.backward(params, cache, T)
        for dW, db in grads[:-1]:
            np.testing.assert_array_equal(dW, 0.0)
            np.testing.assert_array_equal(db, 0.0)
        np.testing.assert_array_equal(grads[-1][0], 0.0)
        # the output bias alone: dL/db = sum_n (a_n - t_n) f'(0) / N
        a0 = 0.5 if output_activation == "sigmoid" else 0.0
        slope = 0.25 if output_activation == "sigmoid" else 1.0
        np.testing.assert_allclose(grads[-1][1], (a0 - T).sum(axis=0) * slope / 5, rtol=1e-12)


def test_balanced_classes_make_the_zero_sigmoid_net_stationary():
    # sum_n (1/2 - t_n) = 0 for equal classes, so even the output bias has no gradient
    assert zi.balanced_zero_gradient() <= 1e-15


def test_random_weights_with_zero_biases_break_the_symmetry():
    X, T = random_problem(4, 10, 2)
    params = bp.init_params([2, 6, 1], 4, "xavier")
    assert all(np.all(b == 0) for _, b in params)
    trained, _ = bp.train(params, X, T, 0.5, 20, "sigmoid", "sigmoid")
    assert zi.unit_spread(*trained[0]) > 0.1
    assert zi.n_distinct_units(*trained[0]) == 6


# --- unit_spread, n_distinct_units, collapse ---------------------------------------------------


def test_unit_spread_by_hand():
    W = np.array([[1.0, 2.0, 1.5], [3.0, 3.0, 3.0]])
    assert zi.unit_spread(W) == 1.0
    assert zi.unit_spread(W, np.array([0.0, 5.0, -1.0])) == 6.0
    assert zi.unit_spread(np.array([[2.0], [-7.0]]), np.array([4.0])) == 0.0
    assert zi.unit_spread(np.full((3, 4), 0.25)) == 0.0
    assert zi.n_distinct_units(W) == 3
    assert zi.n_distinct_units(np.tile([[1.0], [2.0]], (1, 5)), np.zeros(5)) == 1
    assert zi.n_distinct_units(np.tile([[1.0], [2.0]], (1, 5)), np.arange(5.0)) == 5
    assert zi.n_distinct_units(np.array([[0.0, -0.0]])) == 1


@settings(max_examples=50, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    fan_in=st.integers(1, 5),
    fan_out=st.integers(1, 6),
    with_bias=st.booleans(),
)
def test_unit_spread_loop_and_vectorized_agree(seed, fan_in, fan_out, with_bias):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(fan_in, fan_out))
    b = rng.normal(size=fan_out) if with_bias else None
    assert zi.unit_spread(W, b) == zi.unit_spread_naive(W, b)
    # the largest gap over pairs of columns, computed a third way
    M = W if b is None else np.vstack([W, b])
    pairs = [np.abs(M[:, j] - M[:, k]).max() for j in range(fan_out) for k in range(fan_out)]
    assert zi.unit_spread(W, b) == max(pairs)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    hidden=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    out=st.integers(1, 3),
    act=st.sampled_from(list(bp.ACTIVATIONS)),
)
def test_collapsed_network_computes_the_same_function(seed, hidden, out, act):
    rng = np.random.default_rng(seed)
    sizes = [3, *hidden, out]
    params = []
    for l, (i, o) in enumerate(zip(sizes[:-1], sizes[1:])):
        if l < len(hidden):  # a hidden layer of identical units: one random column, repeated
            W = np.tile(rng.normal(size=(i, 1)), (1, o))
            b = np.full(o, rng.normal())
        else:
            W, b = rng.normal(size=(i, o)), rng.normal(size=o)
        params.append((W, b))
    small = zi.collapse_identical_units(params)
    assert [W.shape for W, _ in small] == [(3, 1)] + [(1, 1)] * (len(hidden) - 1) + [(1, out)]
    X = rng.normal(size=(7, 3))
    big_out = bp.forward(params, X, act, "identity")[0]
    small_out = bp.forward(small, X, act, "identity")[0]
    np.testing.assert_allclose(small_out, big_out, rtol=1e-12, atol=1e-12)


def test_collapse_refuses_units_that_differ():
    params = bp.init_params([2, 3, 1], 0, "xavier")
    with pytest.raises(ValueError, match=r"params\[0\]: expected identical hidden units"):
        zi.collapse_identical_units(params)
    with pytest.raises(ValueError, match="at least one hidden layer"):
        zi.collapse_identical_units([(np.ones((2, 1)), np.zeros(1))])


# --- initialisers and activation statistics ----------------------------------------------------


def test_constant_and_normal_init():
    p = zi.constant_init([3, 4, 2], 0.5, bias=-1.0)
    assert [W.shape for W, _ in p] == [(3, 4), (4, 2)]
    assert all(np.all(W == 0.5) and np.all(b == -1.0) for W, b in p)
    z = zi.constant_init([3, 4, 2], 0)
    assert all(np.all(W == 0) and np.all(b == 0) for W, b in z)
    q = zi.normal_init([500, 400, 3], 7, 0.05)
    assert np.std(q[0][0]) == pytest.approx(0.05, rel=0.01)
    assert abs(np.mean(q[0][0])) < 0.05 * 0.01
    assert all(np.all(b == 0) for _, b in q)
    np.testing.assert_array_equal(q[1][0], zi.normal_init([500, 400, 3], 7, 0.05)[1][0])


def test_activation_stds_against_a_hand_forward():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 4))
    W1, b1 = rng.normal(size=(4, 3)), rng.normal(size=3)
    W2, b2 = rng.normal(size=(3, 2)), rng.normal(size=2)
    h = np.tanh(X @ W1 + b1)
    o = np.tanh(h @ W2 + b2)
    stds = zi.activation_stds([(W1, b1), (W2, b2)], X, "tanh")
    np.testing.assert_allclose(stds, [np.sqrt(np.mean((h - h.mean()) ** 2)), o.std()])
    # identity layers scale the std exactly
    s = zi.activation_stds([(2 * np.eye(4), np.zeros(4))] * 3, X, "identity")
    np.testing.assert_allclose(s, X.std() * np.array([2, 4, 8]), rtol=1e-12)


def test_scale_experiment_vanishes_holds_and_explodes():
    runs = zi.scale_runs(0)
    for act, good in (("tanh", "xavier"), ("relu", "he")):
        small = runs[act]["small"]["std"]
        assert np.all(np.diff(small) < 0) and small[-1] < 1e-8
        kept = runs[act][good]["std"]
        assert 0.1 < kept.min() and kept.max() < 2
    large = runs["relu"]["large"]["std"]
    assert np.all(np.diff(large) > 0) and large[-1] > 1e6
    # predicted per-layer factor for ReLU: std * sqrt(fan_in / 2)
    ratio = large[-1] / large[-2]
    assert ratio == pytest.approx(zi.LARGE_STD * np.sqrt(zi.WIDTH / 2), rel=0.3)
    assert runs["tanh"]["large"]["saturated"][-1] > 0.5
    assert runs["tanh"]["large"]["slope"][-1] < 0.2 < runs["tanh"]["xavier"]["slope"][-1]


def test_scale_gradients_are_backprops_and_linear_at_the_small_start():
    # the recorded mean |dW| is backward's, for the batch and targets scale_runs draws
    runs = zi.scale_runs(0)
    rng_x, rng_w = (np.random.default_rng(s) for s in np.random.SeedSequence(0).spawn(2))
    X = rng_x.standard_normal((zi.BATCH, zi.WIDTH))
    T = rng_x.uniform(-1.0, 1.0, size=(zi.BATCH, zi.WIDTH))
    params = zi.normal_init([zi.WIDTH] * (zi.DEPTH + 1), int(rng_w.integers(2**31)), zi.SMALL_STD)
    _, cache = bp.forward(params, X, "tanh", "tanh")
    direct = [np.mean(np.abs(dW)) for dW, _ in bp.backward(params, cache, T)]
    np.testing.assert_allclose(runs["tanh"]["small"]["grad"], direct, rtol=1e-12)
    # at N(0, 0.01^2) tanh is nearly the identity: the first layer's z has variance about
    # 0.01^2 * 128 = 0.0128, so tanh' = 1 - tanh^2 is about 0.987 there and closer to 1 above
    _, lin = bp.forward(params, X, "identity", "identity")
    linear = [np.mean(np.abs(dW)) for dW, _ in bp.backward(params, lin, T)]
    np.testing.assert_allclose(direct, linear, rtol=0.03)


# --- training record and the page's experiment -------------------------------------------------


def test_train_recording_matches_train():
    X, T = random_problem(2, 8, 2)
    params = bp.init_params([2, 3, 1], 2, "xavier")
    trained, losses, history = zi.train_recording(params, X, T, 0.5, 4, "tanh")
    ref, ref_losses = bp.train(params, X, T, 0.5, 4, "tanh", "sigmoid")
    np.testing.assert_array_equal(losses, ref_losses)
    assert history.shape == (5, 3, 3)
    np.testing.assert_array_equal(history[0], np.vstack(params[0]))
    np.testing.assert_array_equal(history[-1], np.vstack(ref[0]))
    np.testing.assert_array_equal(
        zi.spread_history(history), [zi.unit_spread(h[:2], h[2]) for h in history]
    )


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
def test_train_many_matches_backprop_train_run_by_run(act):
    # the batched trainer of the experiment is backprop.train, R networks at once
    starts, Xs, Ts, lrs = [], [], [], []
    for r, (seed, hidden, lr) in enumerate([(0, 4, 3.0), (1, 4, 30.0), (2, 4, 0.5)]):
        X, T = random_problem(seed, 9, 2)
        starts.append(bp.init_params([2, hidden, 1], seed, "xavier" if r else "zeros"))
        Xs.append(X)
        Ts.append(T)
        lrs.append(lr)
    stack = [np.array([p[l][k] for p in starts]) for l in (0, 1) for k in (0, 1)]
    trained, losses, spreads = zi._train_many(stack, np.array(Xs), np.array(Ts), lrs, 25, act)
    for r in range(3):
        ref, ref_losses = bp.train(starts[r], Xs[r], Ts[r], lrs[r], 25, act, "sigmoid")
        np.testing.assert_allclose(losses[r], ref_losses, rtol=1e-10, atol=1e-14)
        for got, want in zip(trained, [ref[0][0], ref[0][1], ref[1][0], ref[1][1]]):
            np.testing.assert_allclose(got[r], want, rtol=1e-9, atol=1e-12)
        assert spreads[r][-1] == pytest.approx(zi.unit_spread(*ref[0]), rel=1e-9, abs=1e-12)


def test_moons_split_is_standardised_on_train_and_unbalanced():
    s = zi.moons_split(3)
    X, y = s["train"]
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), 1.0, rtol=1e-12)
    for part in ("train", "val", "test"):
        Xp, yp = s[part]
        assert (np.sum(yp == 0), np.sum(yp == 1)) == (zi.N_CLASS0, zi.N_CLASS1)
    assert not np.allclose(s["train"][0], s["test"][0])


def test_moons_runs_choose_rates_on_validation_and_keep_the_math():
    r = zi.moons_runs(0)
    assert r["seeds"] == zi.seeds(zi.N_SEEDS, 0)
    for name in zi.STARTS:
        run = r[name]
        means = {lr: run["val_by_lr"][lr].mean() for lr in zi.LR_GRID}
        assert means[run["lr"]] == min(means.values())
    # tanh / ReLU from zeros: weights exactly 0, the two runs are the same run
    for name in ("zeros_tanh", "zeros_relu"):
        for params in r[name]["params"]:
            np.testing.assert_array_equal(params[0][0], 0.0)
            np.testing.assert_array_equal(params[1][0], 0.0)
    np.testing.assert_array_equal(r["zeros_tanh"]["losses"], r["zeros_relu"]["losses"])


def test_display_runs_first_epoch_moves_only_the_output_layer():
    d = zi.display_runs()
    np.testing.assert_array_equal(d["zeros"]["history"][1], 0.0)
    assert np.any(d["zeros"]["history"][2] != 0)
    # the recording re-run is the batched run
    np.testing.assert_allclose(
        d["zeros"]["history"][-1], np.vstack(d["zeros"]["params"][0]), rtol=1e-9, atol=1e-12
    )
    np.testing.assert_allclose(
        d["random"]["history"][-1], np.vstack(d["random"]["params"][0]), rtol=1e-9, atol=1e-12
    )


def test_zero_init_boundary_is_a_straight_line():
    d = zi.display_runs()
    X, params = d["X"], d["zeros"]["params"]
    one = zi.collapse_identical_units(params)
    u = X @ one[0][0][:, 0] + one[0][1][0]  # the single unit's pre-activation
    pred = bp.forward(params, X, "sigmoid", "sigmoid")[0][:, 0] > 0.5
    order = np.argsort(u)
    steps = np.count_nonzero(np.diff(pred[order].astype(int)))
    assert steps <= 1  # one threshold on a linear function of x: a line


def test_claims_hold_on_the_default_seed_set():
    for name, (holds, evidence) in zi.claims(0).items():
        assert holds, (name, evidence)
        assert "$" not in evidence


def test_values_have_no_nan():
    for key, value in zi.values().items():
        assert "nan" not in str(value).lower(), key


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: zi.constant_init([2, 3], "a"), TypeError, ["value", "finite number"]),
        (lambda: zi.constant_init([2, 3], float("nan")), ValueError, ["value", "nan"]),
        (lambda: zi.constant_init([2, 3], 0.0, bias=np.inf), ValueError, ["bias"]),
        (lambda: zi.constant_init([2, 3], True), TypeError, ["value"]),
        (lambda: zi.constant_init([2], 0.0), ValueError, ["sizes"]),
        (lambda: zi.constant_init([2, 0], 0.0), ValueError, ["sizes[1]"]),
        (lambda: zi.normal_init([2, 3], 0, -1.0), ValueError, ["std", "> 0"]),
        (lambda: zi.normal_init([2, 3], 0, "big"), TypeError, ["std"]),
        (lambda: zi.normal_init([2, 3], "seed", 0.1), TypeError, ["rng"]),
        (lambda: zi.normal_init([2, 2.5], 0, 0.1), TypeError, ["sizes[1]"]),
        (lambda: zi.unit_spread(np.ones(3)), ValueError, ["W", "2-D"]),
        (lambda: zi.unit_spread(np.ones((2, 0))), ValueError, ["W", "non-empty"]),
        (lambda: zi.unit_spread(np.ones((2, 3)), np.ones(2)), ValueError, ["b", "(3,)"]),
        (lambda: zi.unit_spread([[1.0, np.nan]]), ValueError, ["W", "NaN"]),
        (lambda: zi.unit_spread("W"), TypeError, ["W"]),
        (lambda: zi.unit_spread_naive(np.ones((2, 3)), np.ones((3, 1))), ValueError, ["b"]),
        (lambda: zi.n_distinct_units(np.ones((2, 2, 2))), ValueError, ["W"]),
        (lambda: zi.collapse_identical_units("params"), TypeError, ["params"]),
        (
            lambda: zi.activation_stds([(np.ones((2, 3)), np.zeros(3))], np.ones((4, 5)), "tanh"),
            ValueError,
            ["X", "(4, 5)"],
        ),
        (
            lambda: zi.activation_stds([(np.ones((2, 3)), np.zeros(3))], np.ones((4, 2)), "elu"),
            ValueError,
            ["activation"],
        ),
        (
            lambda: zi.train_recording(
                [(np.ones((2, 3)), np.zeros(3)), (np.ones((3, 1)), np.zeros(1))],
                np.ones((4, 2)),
                np.ones((4, 2)),
                0.1,
                2,
                "tanh",
            ),
            ValueError,
            ["T", "(4, 1)"],
        ),
        (
            lambda: zi.train_recording(
                [(np.ones((2, 1)), np.zeros(1))], np.ones((4, 2)), np.ones((4, 1)), 0.1, 0, "tanh"
            ),
            ValueError,
            ["epochs"],
        ),
        (lambda: zi.spread_history(np.ones((3, 2))), ValueError, ["history", "3-D"]),
        (lambda: zi.spread_history(np.ones((0, 2, 2))), ValueError, ["history"]),
        (lambda: zi.worked_example("swish"), ValueError, ["activation"]),
        (lambda: zi.moons_data(10, 20), ValueError, ["n_class1"]),
        (lambda: zi.moons_data(0, 0), ValueError, ["n_class0"]),
        (lambda: zi.moons_split(-1), ValueError, ["seed", ">= 0"]),
        (lambda: zi.moons_split(1.5), TypeError, ["seed"]),
        (lambda: zi.start_params("ones", 0), ValueError, ["name"]),
        (lambda: zi.start_params("random", "0"), TypeError, ["seed"]),
    ],
)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)
