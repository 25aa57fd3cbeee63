"""Tests for snippets/dl0008_hyperparameter_tuning.py, the page module of DL0008: the
experiment protocol, the comparison rule it uses, the page's claims, figures and values, bad
input. (tests/test_claims.py re-checks every claim on seed set 1.)"""

from __future__ import annotations

import math

import numpy as np
import pytest

from snippets import dl0008_hyperparameter_tuning as m
from snippets import evidence
from snippets.hyperparameter_search import (
    Trial,
    bayesian_search,
    best_so_far,
    chosen,
    fit_gp,
    gp_posterior,
    random_search,
    to_unit,
)


def test_grid_versus_random_when_one_dimension_matters():
    r = m.synthetic_runs()
    assert len({t.params["x1"] for t in r["grid"]}) == 3
    assert len({t.params["x1"] for t in r["random0"]}) == 9
    # grid's best is the bump at x1 = 1/2; random beats it as often as the formula says
    assert r["grid_best"] == pytest.approx(math.exp(-0.5 * ((0.5 - m.SYN_PEAK) / 0.07) ** 2))
    p = np.mean(r["random_best"] > r["grid_best"])
    se = math.sqrt(r["p_exact"] * (1 - r["p_exact"]) / m.SYN_SEEDS)
    assert abs(p - r["p_exact"]) < 4 * se


def test_the_splits_are_disjoint_and_the_search_never_reads_the_test_split(monkeypatch):
    X_tr, T_tr, X_val, y_val, X_te, y_te = m.spiral_task()
    assert len(X_tr) == len(X_val) == len(X_te) == m.N_POINTS // 3
    rows = {tuple(x) for x in np.concatenate([X_tr, X_val, X_te])}
    assert len(rows) == m.N_POINTS  # no point in two splits
    before = m.spiral_objective({"lr": 5.0, "batch_size": 32, "width": 16}, seed=3)
    # replace the test split by garbage: the objective (validation only) cannot notice
    broken = (X_tr, T_tr, X_val, y_val, np.full_like(X_te, np.nan), 1 - y_te)
    monkeypatch.setattr(m, "spiral_task", lambda: broken)
    after = m.spiral_objective({"lr": 5.0, "batch_size": 32, "width": 16}, seed=3)
    assert after == before
    assert m.validate_many([(5.0, 32, 16, 3), (1.0, 45, 4, 3)])[0] == before


def test_retrain_and_test_matches_validation_and_test_by_hand():
    val, test = m.retrain_and_test(5.0, 32, 16, seed=4)
    assert val == m.train_and_validate(5.0, 32, 16, seed=4)
    _, _, _, _, X_te, y_te = m.spiral_task()
    params = m._train(5.0, 32, 16, m.EPOCHS, 4)
    A = m.bp.forward(params, X_te, "relu", "sigmoid")[0]
    assert test == pytest.approx(np.mean((A[:, 0] > 0.5) == y_te))


def test_a_learning_curve_ends_at_the_validation_score():
    curve = m.train_and_validate(5.0, 32, 16, epochs=4, seed=2, curve=True)
    assert curve.shape == (4,)
    assert curve[-1] == m.train_and_validate(5.0, 32, 16, epochs=4, seed=2)


def test_experiments_are_cached_per_seed_set():
    assert m.lr_sweep() is m.lr_sweep(0) is m.lr_sweep(seed_set=0)
    assert m.lr_sweep().shape == (len(m.SWEEP_BATCHES), m.SWEEP_N_SEEDS, len(m.SWEEP_LRS))


def test_the_search_outcomes_are_those_of_the_picks():
    runs, out = m.search_runs(), m.search_outcomes()
    for key, reps in runs.items():
        assert len(reps) == m.SEARCH_REPS and all(len(tr) == m.SEARCH_BUDGET for tr in reps)
        np.testing.assert_array_equal(out[key]["selected"], [chosen(tr).score for tr in reps])
        np.testing.assert_array_equal(out[key]["selected"], [best_so_far(tr)[-1] for tr in reps])
        good = [sum(t.score >= m.GOOD for t in tr) for tr in reps]
        np.testing.assert_array_equal(out[key]["good"], good)


def test_halving_epoch_accounting_by_hand():
    r = m.halving_runs()[0]
    assert [len(g.indices) for g in r["rungs"]] == [27, 9, 3, 1]
    # resumed: 27·1 + 9·(3−1) + 3·(9−3) + 1·(27−9); restarted: 27·1 + 9·3 + 3·9 + 1·27
    assert r["epochs_resumed"] == 27 + 18 + 18 + 18 == 81
    assert r["epochs_restarted"] == 4 * 27 and r["epochs_full"] == 27 * 27
    final = r["curves"][:, -1]
    winner = r["rungs"][-1].indices[0]
    assert r["winner_rank"] == 1 + np.sum(final > final[winner])
    assert r["rungs"][1].indices == tuple(np.argsort(-r["curves"][:, 0], kind="stable")[:9])
    # a late bloomer: dropped by the first round, yet at or above GOOD after 27 epochs
    first_out = [i for i in range(27) if i not in r["rungs"][1].indices]
    assert r["late"] == sum(final[i] >= m.GOOD for i in first_out)


def _random_configs(n: int, seed: int) -> list[tuple[float, int, int, int]]:
    """(lr, batch_size, width, seed) with batch sizes that share steps, fall short, fill the
    training split or exceed it, a batch of one row (199) and a hidden layer of one unit."""
    rng = np.random.default_rng(seed)
    configs = [
        (float(10 ** rng.uniform(-3, 2)), int(rng.integers(2, 260)), int(rng.integers(1, 70)),
         int(rng.integers(0, 30)))
        for _ in range(n)
    ]  # fmt: skip
    return configs + [(3.0, 199, 7, 3), (0.5, 200, 5, 1), (1.0, 40, 1, 4), (2.0, 32, 9, 2),
                      (2.0, 32, 9, 5)]  # fmt: skip


def test_the_stack_trains_bit_identical_to_one_run_at_a_time():
    configs = _random_configs(30, 0)
    X_tr, T_tr = m.spiral_task()[:2]
    X1T = np.column_stack([X_tr, np.ones(len(X_tr)), T_tr])
    stacked = [c for c in configs if not m._alone(c, len(X_tr))]  # the others: one at a time
    assert len(stacked) < len(configs)
    for g in m._groups(stacked):
        group = [stacked[i] for i in g]
        W1, W2, b2 = m._train_group(group, 2, X1T)
        for k, (lr, bs, width, seed) in enumerate(group):
            (V1, c1), (V2, c2) = m._train(lr, bs, width, 2, seed)
            np.testing.assert_array_equal(W1[k, :2, :width], V1)
            np.testing.assert_array_equal(W1[k, 2, :width], c1)
            np.testing.assert_array_equal(W2[k, :width], V2)
            np.testing.assert_array_equal(b2[k, 0], c2)
            assert not W1[k, :, width:].any() and not W2[k, width:].any()  # padding stays 0
    curves = m.validate_many(configs, epochs=3, curve=True)
    one = [m.train_and_validate(lr, bs, w, 3, seed, curve=True) for lr, bs, w, seed in configs]
    np.testing.assert_array_equal(curves, one)
    np.testing.assert_array_equal(m.validate_many(configs[:9], epochs=3), curves[:9, -1])
    again = m.retrain_and_test_many(configs[-6:])
    np.testing.assert_array_equal(again, [m.retrain_and_test(*c) for c in configs[-6:]])


def test_the_replicates_stepping_together_are_bayesian_search():
    def score(params):  # cheap, smooth, with a maximum inside the space
        u = to_unit(m.SEARCH_SPACE, params)[0]
        return float(np.exp(-np.sum((u - [0.7, 0.3, 0.5]) ** 2 / [0.05, 0.5, 0.2])))

    rngs = [np.random.default_rng(s) for s in (3, 14, 15)]
    together = m._bayesian_searches(
        lambda batch: [score(p) for _, p in batch], m.SEARCH_SPACE, 9, rngs
    )
    alone = [bayesian_search(score, m.SEARCH_SPACE, 9, np.random.default_rng(s)) for s in
             (3, 14, 15)]  # fmt: skip
    assert together == alone


def test_the_batched_gp_fit_and_posterior_are_the_reference_ones():
    rng = np.random.default_rng(0)
    for n in (2, 6, 27):
        U, y = rng.random((4, n, 3)), rng.standard_normal((4, n))
        U[1, 1] = U[1, 0]  # a duplicate point
        y[2] = np.linspace(-1, 1, n)
        ls, noise = m._fit_gps(U, y)
        for r in range(4):
            ref_ls, ref_noise = fit_gp(U[r], y[r])
            np.testing.assert_array_equal(ls[r], ref_ls)
            assert noise[r] == ref_noise
            X_new = rng.random((300, 3))
            for a, b in zip(m._gp_posterior(U[r], y[r], X_new, ls[r], noise[r]),
                            gp_posterior(U[r], y[r], X_new, ls[r], 1.0, noise[r])):  # fmt: skip
                np.testing.assert_array_equal(a, b)


def test_the_best_random_score_is_random_search_s():
    for seed in (0, 1, 999, 1000):
        trials = random_search(m.one_matters, m.SYN_SPACE, m.SYN_BUDGET, seed)
        assert m._best_random_score(seed) == max(t.score for t in trials)


def test_the_comparison_rule_by_hand():
    # the page's rule is snippets.evidence's: mean above std, the sign in all units but one
    assert evidence.direction([2, 3, 2.5, 3, -0.1]) == 1  # mean 2.08 > std 1.33, 4 of 5 > 0
    assert evidence.direction([-2, -3, -2.5, -3, 0.1]) == -1
    assert evidence.direction([0.1, 5, 0.1, 0.1]) == 0  # one sign, but mean 1.3 < std 2.5
    # mean 1.97 > std 1.60, but the sign agrees in only 4 of 6 (all but one would be 5)
    assert evidence.direction([3, 3, 3, 3, -0.1, -0.1]) == 0
    assert "positive in 4 of 6" in evidence.describe([3, 3, 3, 3, -0.1, -0.1])
    for bad in ([1.0], [[1.0, 2.0]], [1.0, float("nan")]):
        with pytest.raises(ValueError, match="d: expected"):
            evidence.direction(bad)


def test_the_unselected_control_never_re_trains_the_pick():
    runs, ctrl = m.search_runs(), m.unselected_control()
    for key, reps in runs.items():
        assert ctrl[key].shape == (m.SEARCH_REPS,)
        for tr, drop in zip(reps, ctrl[key]):
            assert any(t.params != chosen(tr).params for t in tr) and np.isfinite(drop)


def test_every_claim_holds_on_the_default_seed_set():
    c = m.claims(0)
    assert c, "claims() is empty"
    for name, (holds, text) in c.items():
        assert isinstance(text, str) and text and "$" not in text
        assert holds, f"{name}: {text}"


def test_figures_and_values_are_complete():
    assert set(m.figures()) == {
        "lr-sweep",
        "grid-vs-random",
        "bo-steps",
        "search-comparison",
        "where-trials-went",
        "successive-halving",
    }
    v = m.values()
    assert all(isinstance(x, (int, float, str)) for x in v.values())
    assert v["n_train"] == v["n_val"] == v["n_test"] == 200 and v["sh_epochs_resumed"] == 81


def test_the_trial_type_is_the_reference_one():
    assert all(isinstance(t, Trial) for t in m.search_runs()["bayes"][0])


BAD = [
    (lambda: m.train_and_validate(0.0, 32, 8), ValueError, "lr"),
    (lambda: m.train_and_validate(1.0, 32.5, 8), TypeError, "batch_size"),
    (lambda: m.train_and_validate(1.0, 32, 0), ValueError, "width"),
    (lambda: m.train_and_validate(1.0, 32, 8, seed=-1), ValueError, "seed"),
    (lambda: m.retrain_and_test(-1.0, 32, 8, 0), ValueError, "lr"),
    (lambda: m.spiral_objective({"lr": 1.0, "width": 8}), ValueError, "batch_size"),
    (lambda: m.spiral_objective([1.0, 32, 8]), TypeError, "params"),
    (lambda: m.one_matters({"x1": "0.5"}), TypeError, "x1"),
    (lambda: m.validate_many([]), TypeError, "configs"),
    (lambda: m.validate_many([(1.0, 32, 8)]), TypeError, "configs[0]"),
    (lambda: m.validate_many([(1.0, 32, 8, 0), (0.0, 32, 8, 0)]), ValueError, "configs[1] lr"),
    (lambda: m.validate_many([(1.0, 32, 8, 0)], epochs=0), ValueError, "epochs"),
    (lambda: m.retrain_and_test_many([(1.0, 32, 8, -2)]), ValueError, "configs[0] seed"),
]


@pytest.mark.parametrize("call, exc, words", BAD)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert words in str(info.value)
