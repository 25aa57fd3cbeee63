"""Tests for snippets/dl0007_batch_norm.py, the page module of DL0007: the worked example by
hand, the invariants of the experiments (networks of `snippets.layers` with `BatchNorm` layers,
trained by `snippets.training`), the page helpers' input checks, and the claims on seed set 0
(tests/test_claims.py re-checks them on seed set 1)."""

from __future__ import annotations

import copy
import math
import re

import numpy as np
import pytest

from snippets import dl0007_batch_norm as bnm
from snippets import evidence, layers
from snippets.batchnorm import BatchNorm

# --- the worked example, recomputed by hand ------------------------------------------------------


def test_worked_example_by_hand():
    ex = bnm.worked_example()
    eps = 1e-5
    x1, x2 = [1.0, 2.0, 3.0, 6.0], [4.0, 8.0, 6.0, 2.0]
    # feature 1: mean 3, squared deviations 4 + 1 + 0 + 9 = 14; feature 2: mean 5, 1+9+1+9 = 20
    np.testing.assert_allclose(ex["mean"], [3.0, 5.0])
    np.testing.assert_allclose(ex["var"], [14 / 4, 20 / 4])
    np.testing.assert_allclose(ex["var_unbiased"], [14 / 3, 20 / 3])
    s1, s2 = math.sqrt(3.5 + eps), math.sqrt(5.0 + eps)
    np.testing.assert_allclose(ex["x_hat"][:, 0], [(x - 3) / s1 for x in x1])
    np.testing.assert_allclose(ex["x_hat"][:, 1], [(x - 5) / s2 for x in x2])
    np.testing.assert_allclose(ex["Y"][:, 0], [2 * (x - 3) / s1 + 1 for x in x1])
    np.testing.assert_allclose(ex["Y"][:, 1], [0.5 * (x - 5) / s2 - 1 for x in x2])
    # running statistics after one batch: 0.9 · initial + 0.1 · batch (unbiased variance)
    np.testing.assert_allclose(ex["running_mean"], [0.3, 0.5])
    np.testing.assert_allclose(ex["running_var"], [0.9 + 0.1 * 14 / 3, 0.9 + 0.1 * 20 / 3])
    y_new = [2 * (4 - 0.3) / math.sqrt(0.9 + 1.4 / 3 + eps) + 1,
             0.5 * (5 - 0.5) / math.sqrt(0.9 + 2 / 3 + eps) - 1]  # fmt: skip
    np.testing.assert_allclose(ex["y_new"][0], y_new)
    np.testing.assert_allclose(ex["y_settled"][0], [2 * 1 / math.sqrt(14 / 3 + eps) + 1, -1.0])
    assert 0.9 ** ex["warmup_batches"] <= 0.01 < 0.9 ** (ex["warmup_batches"] - 1)
    # backward: dbeta = column sums of dY, dgamma = sums of dY · x_hat, dX = the three terms
    dY = np.array(bnm.EXAMPLE["dY"])
    np.testing.assert_allclose(ex["dbeta"], [1.0, 1.0])
    np.testing.assert_allclose(ex["dgamma"], (dY * ex["x_hat"]).sum(axis=0))
    np.testing.assert_allclose(ex["term_direct"][:, 0], 2 / s1 * dY[:, 0])
    np.testing.assert_allclose(ex["term_mean"][:, 1], -0.5 / s2 * 0.25)  # mean of dY[:, 1]
    np.testing.assert_allclose(
        ex["term_direct"] + ex["term_mean"] + ex["term_var"], ex["dX"], rtol=1e-12
    )
    np.testing.assert_allclose(ex["dX_colsum"], 0.0, atol=1e-12)
    # scaling a feature's inputs changes y only through eps: sum(dX · x_hat) is that small
    # remainder, (gamma / s) · sum(dY · x_hat) · eps / (var + eps)
    remainder = np.array([2 / s1, 0.5 / s2]) * ex["dgamma"] * eps / (ex["var"] + eps)
    np.testing.assert_allclose(ex["dX_dot_xhat"], remainder, rtol=1e-6)


# --- the page's experiments: invariants here; its conclusions are claims -----------------------


def test_claims_hold_on_seed_set_0():
    # tests/test_claims.py re-checks them on seed set 1
    claims = bnm.claims(0)
    failing = {k: ev for k, (holds, ev) in claims.items() if not holds}
    assert not failing, failing
    assert all(isinstance(ev, str) and "$" not in ev for _, ev in claims.values())


def test_data_splits_are_disjoint():
    Xtr, ytr, Xva, yva, Xte, yte = bnm.spiral_data()
    assert (len(Xtr), len(Xva), len(Xte)) == (300, 100, 100)
    rows = {tuple(x) for X in (Xtr, Xva, Xte) for x in X}
    assert len(rows) == 500


def test_runs_are_deterministic_and_seeds_differ():
    again = bnm.run_stack([(bnm.MID, 0, False)], False)[0]
    np.testing.assert_array_equal(again["losses"], bnm.result(bnm.MID, False, 0)["losses"])
    assert not np.array_equal(bnm.result(bnm.MID, False, 1)["losses"], again["losses"])


def _assert_same_run(a, b, atol=1e-12):
    for key in ("losses", "weight_norms", "z_std0"):
        np.testing.assert_allclose(a[key], b[key], rtol=0, atol=atol)
    assert a["z"].keys() == b["z"].keys() and a["dead"] == b["dead"]
    for e in a["z"]:
        np.testing.assert_allclose(a["z"][e], b["z"][e], rtol=0, atol=atol)
    for (W, b_), (W2, b2) in zip(a["params"], b["params"], strict=True):
        np.testing.assert_allclose(W, W2, rtol=0, atol=atol)
        np.testing.assert_allclose(b_, b2, rtol=0, atol=atol)
    for n, n2 in zip(a["bn"], b["bn"], strict=True):
        for key in ("gamma", "beta", "running_mean", "running_var"):
            np.testing.assert_allclose(getattr(n, key), getattr(n2, key), rtol=0, atol=atol)
        assert n.num_batches_tracked == n2.num_batches_tracked
    assert a["val_loss"] == pytest.approx(b["val_loss"], rel=0, abs=atol)
    assert a["val_acc"] == b["val_acc"]


@pytest.mark.parametrize("use_bn", [False, True])
def test_run_stack_equals_run_network_by_network(use_bn):
    # the batched twin the experiment uses, against `run` (`training.train` on a list of layers)
    specs = [(bnm.LRS[0], 0, False), (bnm.LRS[2], 1, False), (bnm.MID, 1000, True)]
    for spec, stacked in zip(specs, bnm.run_stack(specs, use_bn, epochs=3), strict=True):
        _assert_same_run(stacked, bnm.run(spec[0], use_bn, spec[1], spec[2], epochs=3))


def test_experiment_runs_are_the_stacked_runs_of_the_seed_set():
    runs = bnm.experiment_runs(True, 0)
    assert set(runs) == {(lr, s, False) for lr in bnm.LRS for s in bnm.seeds(bnm.N_SEEDS)}
    assert set(bnm.experiment_runs(False, 0)) == set(runs) | {
        (bnm.LRS[0], s, True) for s in bnm.seeds(bnm.N_SEEDS)
    }
    assert bnm.result(bnm.MID, True, 2) is runs[bnm.MID, 2, False]
    steps = bnm.EPOCHS * math.ceil(len(bnm.spiral_data()[0]) / bnm.BATCH)
    assert len(runs[bnm.MID, 2, False]["losses"]) == bnm.EPOCHS + 1
    assert all(n.num_batches_tracked == steps for n in runs[bnm.MID, 2, False]["bn"])


def test_tuning_picks_the_lowest_validation_loss():
    tu = bnm.tuned(0)
    for use_bn in (False, True):
        for s, lr in zip(bnm.seeds(bnm.N_SEEDS, 0), tu[use_bn]["lr"]):
            losses = [bnm.result(r, use_bn, s)["val_loss"] for r in bnm.LRS]
            assert bnm.result(lr, use_bn, s)["val_loss"] == min(losses)


def test_batch_norm_layer_outputs_have_mean_beta_and_std_gamma():
    r = bnm.result(bnm.MID, True)
    z, layer = r["z"][bnm.EPOCHS], r["bn"][bnm.PROBE]
    np.testing.assert_allclose(z.mean(axis=0), layer.beta, atol=1e-10)
    np.testing.assert_allclose(z.std(axis=0), np.abs(layer.gamma), rtol=1e-3)


def test_bias_before_batch_norm_never_moves():
    r = bnm.result(bnm.MID, True)
    for _, b in r["params"][:-1]:
        assert np.abs(b).max() < 1e-12  # initialised at 0; its gradient is 0 up to round-off
    assert np.abs(r["params"][-1][1]).max() > 1e-3  # the output layer's bias does learn


def test_hidden_z_leaves_the_running_statistics_alone():
    r = bnm.result(bnm.LRS[0], True)
    before = [(n.running_mean.copy(), n.num_batches_tracked) for n in r["bn"]]
    bnm.hidden_z(r["net"], bnm.spiral_data()[0])
    for n, (mean, count) in zip(r["bn"], before):
        np.testing.assert_array_equal(n.running_mean, mean)
        assert n.num_batches_tracked == count


def test_the_paired_rule_the_claims_use_by_hand():
    # the claims read per-seed differences with snippets.evidence (tested in test_evidence.py)
    d = np.array([3.0, 4.0, 5.0, -1.0, 4.0])  # mean 3, std sqrt(5.5) ≈ 2.35, 4 of 5 positive
    zero = np.zeros(5)
    assert evidence.mean_std(d) == pytest.approx((3.0, math.sqrt(5.5)))
    assert evidence.direction(d) == 1 and not evidence.no_difference({"a": d, "b": zero}, "")[0]
    assert evidence.direction(np.array([9.0, -1.0, -1.0, 9.0, 9.0])) == 0  # sign in 3 of 5
    outlier = np.array([-1.0, 29.0, 0.0, -1.0, 0.0])  # one outlier: mean < std
    assert evidence.no_difference({"a": outlier, "b": zero}, "")[0]


def test_runs_train_the_batch_norm_layers_of_their_network():
    r = bnm.result(bnm.MID, True)
    assert [type(x).__name__ for x in r["net"][:4]] == ["Dense", "BatchNorm", "Activation", "Dense"]
    assert r["bn"] == [x for x in r["net"] if isinstance(x, BatchNorm)]
    assert all(layer.params[0] is layer.gamma for layer in r["bn"])
    assert not np.allclose(r["bn"][0].gamma, 1.0)  # gamma learned, in place
    steps = bnm.EPOCHS * math.ceil(len(bnm.spiral_data()[0]) / bnm.BATCH)
    assert all(layer.num_batches_tracked == steps for layer in r["bn"])
    assert all(d.W is W for d, (W, _) in zip(bnm.dense_layers(r["net"]), r["params"]))
    assert bnm.result(bnm.MID, False)["bn"] == []
    assert isinstance(r["net"][0], layers.Dense)


def test_sorted_batches_hold_one_class_and_every_sample_once():
    y = np.array([0] * 48 + [1] * 52)[np.random.default_rng(3).permutation(100)]
    batches = bnm.sorted_batches(y, np.random.default_rng(0))
    assert sorted(len(b) for b in batches) == [24, 24, 26, 26]
    assert all(len(set(y[b])) == 1 for b in batches)
    assert sorted(np.concatenate(batches)) == list(range(100))


def test_accuracy_on_batches_matches_consecutive_batches():
    r = bnm.result(bnm.MID, True)
    _, _, Xva, yva, _, _ = bnm.spiral_data()
    order = np.random.default_rng(2).permutation(len(yva))
    batches = [order[i : i + 8] for i in range(0, len(order), 8)]
    a = bnm._accuracy_on_batches(r["net"], Xva, yva, batches)
    assert a == bnm._accuracy_in_training_mode(r["net"], Xva, yva, order, 8)


def test_accuracy_on_batches_equals_one_batch_at_a_time():
    # batches of one size go through `stack_forward` together: the same outputs as the layers
    # run in training mode on each batch (on a copy: its running statistics move)
    r = bnm.result(bnm.MID, True)
    _, _, Xva, yva, _, _ = bnm.spiral_data()
    net, order = copy.deepcopy(r["net"]), np.random.default_rng(3).permutation(len(yva))
    batches = np.split(order, [7, 14, 40, 42, 60])  # sizes 7, 7, 26, 2, 18, 40
    pred = np.full(len(yva), np.nan)
    for idx in batches:
        pred[idx] = layers.forward(net, Xva[idx], training=True)[0][:, 0]
    stack = bnm.stack_of(r["net"])
    for idx in batches:
        out = bnm.stack_forward(stack, Xva[idx][None], "probe")[0][0, :, 0]
        np.testing.assert_allclose(out, pred[idx], rtol=0, atol=1e-12)
    expected = float(np.mean((pred > 0.5) == yva))
    assert bnm._accuracy_on_batches(r["net"], Xva, yva, batches) == expected
    np.testing.assert_array_equal(stack["bn"]["mean"][0][0], r["bn"][0].running_mean)


def test_drift_measures_the_batch_norm_input_and_output():
    dr = bnm.drift(0)
    r = bnm.result(bnm.MID, True, 0)
    # over all units and samples, gamma x_hat + beta has variance mean(gamma²) + var(beta),
    # up to eps: its scale is set by gamma and beta alone
    layer = r["bn"][bnm.PROBE]
    expected = np.sqrt(np.mean(layer.gamma**2) + np.var(layer.beta))
    assert dr[True]["end"][0] == pytest.approx(expected, rel=1e-3)
    assert dr[True]["pre_end"][0] == pytest.approx(
        bnm._pre_norm_std(r["net"], bnm.spiral_data()[0])
    )
    assert np.all(dr[True]["pre_start"] > 0) and np.all(dr[False]["start"] > 0)


def test_dead_fraction_by_hand():
    z = np.array([[-1.0, 0.0, 2.0, -3.0], [-2.0, 1.0, -1.0, 0.0]])
    assert bnm.dead_fraction(z) == 0.5  # columns 0 and 3 never positive


def test_batch_statistics_noise_follows_the_sampling_theory():
    rng = np.random.default_rng(14)
    values = rng.normal(3.0, 2.0, size=(200, 6))
    r = bnm.batch_statistics_noise(values, sizes=(2, 8, 50), draws=800, rng=1)
    np.testing.assert_allclose(r["mean_sd"], r["mean_sd_theory"], rtol=0.08)
    M = 200
    np.testing.assert_allclose(
        r["mean_sd_theory"], [math.sqrt((M - m) / ((M - 1) * m)) for m in (2, 8, 50)]
    )
    assert np.all(np.diff(r["std_sd"]) < 0) and np.all(np.diff(r["xhat_sd"]) < 0)
    assert r["xhat_sd"][0] <= 1.0 + 1e-9  # with two samples x_hat is ±1


def test_slope_of_a_power_law():
    m = np.array([2.0, 4.0, 8.0, 16.0])
    assert bnm._slope(m, 3.0 / np.sqrt(m)) == pytest.approx(-0.5, abs=1e-12)


def test_scale_invariance_and_folding_on_the_page_networks():
    sc = bnm.scale_invariance()
    assert sc["grad_ratio"] == pytest.approx(sc["factor"], rel=1e-3)
    assert sc["output_diff"] < 1e-4 and sc["max_cos"] < 1e-4
    assert bnm.fold_check(0) < 1e-12


def test_values_and_figures_are_well_formed():
    v = bnm.values()
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", k) for k in v)
    assert all(isinstance(x, (int, float, str)) for x in v.values())
    assert bnm.worked_example()["warmup_batches"] == 44  # 0.9^44 <= 0.01 < 0.9^43
    assert bnm.values_per_statistic((32, 64, 56, 56)) == 32 * 56 * 56
    assert set(bnm.figures()) == {"training-curves", "activation-histograms", "batch-noise"}


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: bnm.dead_fraction(np.ones(3)), ValueError, ["z", "2-D"]),
        (lambda: bnm.batch_statistics_noise(np.ones((10, 2)), sizes=(1,)), ValueError,
         ["sizes", "2..10"]),
        (lambda: bnm.batch_statistics_noise(np.ones((10, 2)), sizes=(11,)), ValueError,
         ["sizes"]),
        (lambda: bnm.batch_statistics_noise(np.ones((10, 2)), draws=0), ValueError, ["draws"]),
        (lambda: bnm.sorted_batches(np.array([0, 0, 1]), 0), ValueError, ["chunks", "at most 1"]),
        (lambda: bnm.sorted_batches(np.ones((2, 2)), 0), ValueError, ["y"]),
        (lambda: bnm.sorted_batches(np.array([0, 1]), None), TypeError, ["rng"]),
        (lambda: bnm.run_stack([], True), TypeError, ["specs"]),
        (lambda: bnm.run_stack([(0.1, 0)], True), TypeError, ["specs[0]"]),
        (lambda: bnm.run_stack([(-1.0, 0, False)], True), ValueError, ["specs[0] lr"]),
        (lambda: bnm.run_stack([(0.1, 0, False)], True, epochs=0), ValueError, ["epochs"]),
        (lambda: bnm.stack_of([layers.Dense(np.ones((2, 1)), np.zeros(1))]), ValueError,
         ["net"]),
        (lambda: bnm._accuracy_on_batches(bnm.network(0, True), np.ones((3, 2)),
                                          np.array([0, 1, 1]), [[0, 1], [2]]), ValueError,
         ["batches", "at least 2"]),
    ],
)  # fmt: skip
def test_bad_input_to_the_page_helpers(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)
