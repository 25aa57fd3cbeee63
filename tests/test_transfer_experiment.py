"""Tests for snippets/transfer_experiment.py: the tuning protocol (validation picks, the test
set read once, for the picked network), the data splits, the controls, bad input.

What the pages conclude from the experiment is checked by their page modules' `claims()`."""

from __future__ import annotations

import numpy as np
import pytest

from snippets import transfer as tr
from snippets import transfer_experiment as te
from tests.test_transfer import same_bits


def test_target_data_carves_a_disjoint_balanced_validation_split():
    X, y, X_val, y_val = te.target_data(3, 7)
    assert X.shape == (3 * te.TARGET_CLASSES, te.N_INPUTS)
    assert np.bincount(y).tolist() == [3] * te.TARGET_CLASSES
    assert np.bincount(y_val).tolist() == [te.VAL_PER_CLASS] * te.TARGET_CLASSES
    rows = {r.tobytes() for r in X}
    assert not any(r.tobytes() in rows for r in X_val)
    again = te.target_data(3, 7)
    assert same_bits(X, again[0]) and same_bits(X_val, again[2])
    # the test set is a separate draw
    assert not any(r.tobytes() in rows for r in te.world().X_test)


def test_rate_grid_is_the_same_for_every_strategy_that_trains_the_backbone():
    grids = {m: te.rate_grid(m) for m in ("early", "all", "gradual")}
    assert len(set(grids.values())) == 1
    assert len(grids["all"]) == len(te.HEAD_LRS) * len(te.BACKBONE_RATIOS)
    assert te.rate_grid("head") == tuple((lr, 0.0) for lr in te.HEAD_LRS)
    assert {r for _, r in te.rate_grid("all_low")} == {te.LOW_RATIO}
    assert {lr for lr, _ in te.rate_grid("scratch")} == set(te.SCRATCH_LRS)


def test_tuned_picks_each_seeds_best_validation_rates_and_tests_only_those(monkeypatch):
    r = te.tuned("head", 0, 1, curves=True)
    grid = te.rate_grid("head")
    for i in range(te.N_SEEDS):
        best = r["val_grid"][i].max()
        assert r["val"][i] == best
        assert r["val_grid"][i][grid.index(tuple(r["rates"][i]))] == best
    assert r["losses"].shape == r["val_curve"].shape == (te.N_SEEDS, te.EPOCHS + 1)
    np.testing.assert_array_equal(r["val_curve"][:, -1], r["val"])
    # the test set is read once per seed, for the picked network only
    calls = []
    real = tr.predict

    def counting(params, X):
        if X is te.world().X_test:
            calls.append(1)
        return real(params, X)

    monkeypatch.setattr(tr, "predict", counting)
    te._tuned.cache_clear()
    try:
        again = te.tuned("head", 0, 1)
    finally:
        te._tuned.cache_clear()
    assert len(calls) == te.N_SEEDS
    np.testing.assert_array_equal(again["test"], r["test"])


def test_validation_curves_replay_the_picked_runs_bit_for_bit():
    """The curves come from training the picked networks again, alone: they end exactly at the
    validation accuracy the pick was made on, and asking for them changes nothing else."""
    plain = te.tuned("all", 0, 1)
    r = te.tuned("all", 0, 1, curves=True)
    assert "val_curve" not in plain and r["val_curve"].shape == (te.N_SEEDS, te.EPOCHS + 1)
    np.testing.assert_array_equal(r["val_curve"][:, -1], r["val"])
    assert all(np.array_equal(plain[k], r[k]) for k in plain)


def test_random_control_uses_a_backbone_that_was_never_pretrained():
    # the same head init and data as "head", only the backbone differs: He init, not pre-trained
    assert te.rate_grid("random_head") == te.rate_grid("head")
    assert te.rate_grid("random_low") == te.rate_grid("all_low")
    r = te.tuned("random_head", 90, 1)
    assert np.all(r["drift"] == 0)  # frozen, like "head"
    assert r["test"].shape == (te.N_SEEDS,) and np.all((r["test"] >= 0) & (r["test"] <= 1))


def test_head_only_runs_leave_the_backbone_bit_identical():
    r = te.tuned("head", 0, 1)
    assert np.all(r["drift"] == 0) and np.all(r["drift_grid"] == 0)


def test_parameter_counts_by_hand():
    c = te.parameter_counts()
    assert c == {"total": [1669], "head": [85], "early": [613], "all": [1669],
                 "gradual": [85, 613, 1669]}  # fmt: skip


def test_accuracies_are_the_picked_networks_test_accuracy_in_percent():
    np.testing.assert_array_equal(te.accuracies("head", 0, 1), 100 * te.tuned("head", 0, 1)["test"])


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: te.tuned("freeze", 0, 3), ValueError, ["method"]),
        (lambda: te.tuned("all", 120, 3), ValueError, ["angle_deg", "0..90"]),
        (lambda: te.tuned("all", 0.5, 3), TypeError, ["angle_deg"]),
        (lambda: te.tuned("all", 0, 0), ValueError, ["n_per_class"]),
        (lambda: te.tuned("all", 0, 3, seed_set=5), ValueError, ["seed_set"]),
        (lambda: te.tuned("all", 0, 3, curves="yes"), TypeError, ["curves"]),
        (lambda: te.rate_grid("sgd"), ValueError, ["method"]),
        (lambda: te.target_data(0, 1), ValueError, ["n_per_class"]),
        (lambda: te.target_data(3, -1), ValueError, ["seed"]),
        (lambda: te.source_data(120), ValueError, ["angle_deg", "0..90"]),
        (lambda: te.source_data(0, 500), ValueError, ["n_per_class", "150"]),
    ],
)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)


def test_methods_without_a_pretrained_backbone_do_not_depend_on_the_angle():
    """From scratch (and the random-backbone controls) never see the source: one run serves
    every angle, and it is the run the angle would have made."""
    assert te.tuned("scratch", 90, 1) is te.tuned("scratch", 0, 1)
    alone = te._tuned("scratch", 90, 1, 0)
    assert all(np.array_equal(alone[k], v) for k, v in te.tuned("scratch", 0, 1).items())
