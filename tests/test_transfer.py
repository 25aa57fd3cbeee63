"""Tests for snippets/transfer.py: freezing freezes, per-layer rates and schedules hold, the
vectorized twin equals the reference, the tuning protocol (validation picks, test read once),
counts and data by hand, batch-norm drift by hand, bad input.

What the pages conclude from the experiment is checked by `claims()` (the build on seed set 0,
tests/test_claims.py on seed set 1), not here."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets import backprop as bp
from snippets import transfer as tr


def small_net(seed: int, sizes=(3, 4, 3, 2), n: int = 6):
    """A random ReLU network with a sigmoid output, a batch and one-hot targets (drawn here)."""
    rng = np.random.default_rng(seed)
    params = [
        (rng.normal(0, 0.8, size=(i, o)), rng.normal(0, 0.3, size=o))
        for i, o in zip(sizes[:-1], sizes[1:])
    ]
    X = rng.normal(size=(n, sizes[0]))
    T = np.eye(sizes[-1])[rng.integers(0, sizes[-1], size=n)]
    return params, X, T


def loss(params, X, T) -> float:
    """The project's loss, written out independently: ReLU hidden, sigmoid out, mean ½‖t − a‖²."""
    a = X
    for l, (W, b) in enumerate(params):
        z = a @ W + b
        a = 1 / (1 + np.exp(-z)) if l == len(params) - 1 else np.maximum(z, 0)
    return float(0.5 * np.sum((T - a) ** 2) / len(X))


def fd_gradient(params, X, T, layer: int, h: float = 1e-5):
    """Centred finite differences of `loss` with respect to W and b of one layer."""
    out = []
    for which in (0, 1):
        theta = params[layer][which]
        g = np.zeros_like(theta)
        for idx in np.ndindex(theta.shape):
            vals = []
            for sign in (1, -1):
                p = [(W.copy(), b.copy()) for W, b in params]
                p[layer][which][idx] += sign * h
                vals.append(loss(p, X, T))
            g[idx] = (vals[0] - vals[1]) / (2 * h)
        out.append(g)
    return out


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


# --- freezing really freezes -------------------------------------------------------------------


@pytest.mark.parametrize("strategy", tr.STRATEGIES)
def test_frozen_layers_are_bit_identical_and_the_rest_move(strategy):
    params, X, T = small_net(1)
    stages = tr.strategy_stages(strategy, len(params), 6)
    trained, losses = tr.fine_tune(params, X, T, stages, 0.5)
    always_frozen = frozenset.intersection(*(s.frozen for s in stages))
    for l, ((W0, b0), (W1, b1)) in enumerate(zip(params, trained)):
        if l in always_frozen:
            assert same_bits(W0, W1) and same_bits(b0, b1), l
        else:
            assert not np.array_equal(W0, W1), l
    assert len(losses) == 6 + 1
    assert losses[-1] < losses[0]


def test_one_step_with_a_frozen_middle_layer_matches_finite_differences():
    """Freezing layer 1 keeps it exact while layer 0 still gets the full gradient through it."""
    params, X, T = small_net(2)
    lrs = [0.3, 0.7, 0.5]
    trained, _ = tr.fine_tune(params, X, T, [(1, {1})], lrs)
    assert same_bits(params[1][0], trained[1][0]) and same_bits(params[1][1], trained[1][1])
    for layer in (0, 2):
        dW, db = fd_gradient(params, X, T, layer)
        np.testing.assert_allclose(trained[layer][0], params[layer][0] - lrs[layer] * dW, atol=1e-9)
        np.testing.assert_allclose(trained[layer][1], params[layer][1] - lrs[layer] * db, atol=1e-9)
        assert np.abs(dW).max() > 1e-4  # a real gradient reached it


def test_backbone_learning_rate_zero_is_freezing_bit_for_bit():
    params, X, T = small_net(3)
    head_only, l1 = tr.fine_tune(params, X, T, [(5, {0, 1})], tr.layer_lrs(0.5, 3, 0.1))
    zero_lr, l2 = tr.fine_tune(params, X, T, [(5, ())], tr.layer_lrs(0.5, 3, 0.0))
    for (W1, b1), (W2, b2) in zip(head_only, zero_lr):
        assert same_bits(W1, W2) and same_bits(b1, b2)
    assert same_bits(l1, l2)


def test_fine_tune_does_not_touch_its_input():
    params, X, T = small_net(4)
    copies = [(W.copy(), b.copy()) for W, b in params]
    tr.fine_tune(params, X, T, tr.strategy_stages("all", 3, 3), 1.0)
    for (W, b), (Wc, bc) in zip(params, copies):
        assert same_bits(W, Wc) and same_bits(b, bc)


# --- gradual unfreezing follows its schedule ---------------------------------------------------


def changed_layers_per_epoch(params, X, T, stages, lr=0.5):
    """Run `fine_tune` and record, after every epoch, which layers' weights changed."""
    record, last = {}, [params]

    def callback(epoch, p):
        record[epoch] = {
            l
            for l, ((W0, b0), (W1, b1)) in enumerate(zip(last[0], p))
            if not (same_bits(W0, W1) and same_bits(b0, b1))
        }
        last[0] = p

    tr.fine_tune(params, X, T, stages, lr, callback=callback)
    return record


def test_unfreeze_schedule_by_hand():
    s = tr.unfreeze_schedule(3, 2)
    assert [(x.epochs, set(x.frozen)) for x in s] == [(2, {0, 1}), (2, {0}), (2, set())]
    s = tr.unfreeze_schedule(4, [1, 2, 3, 4])
    assert [(x.epochs, set(x.frozen)) for x in s] == [
        (1, {0, 1, 2}),
        (2, {0, 1}),
        (3, {0}),
        (4, set()),
    ]


@settings(max_examples=15, deadline=None)
@given(n_layers=st.integers(2, 5), per_stage=st.integers(1, 3), seed=st.integers(0, 10**6))
def test_gradual_unfreezing_trains_exactly_the_scheduled_layers(n_layers, per_stage, seed):
    sizes = tuple(np.random.default_rng(seed).integers(2, 5, size=n_layers + 1))
    params, X, T = small_net(seed, sizes)
    stages = tr.unfreeze_schedule(n_layers, per_stage)
    record = changed_layers_per_epoch(params, X, T, stages)
    assert sorted(record) == list(range(1, n_layers * per_stage + 1))  # epochs count on
    for epoch, changed in record.items():
        stage = (epoch - 1) // per_stage
        expected = set(range(n_layers - 1 - stage, n_layers))  # the top stage + 1 layers
        assert changed <= expected
        assert n_layers - 1 in changed  # the head always trains
        assert not changed & set(stages[stage].frozen)


def test_strategy_stages_for_three_layers():
    head, early, all_, gradual = (tr.strategy_stages(m, 3, 6) for m in tr.STRATEGIES)
    assert head == (tr.Stage(6, frozenset({0, 1})),)
    assert early == (tr.Stage(6, frozenset({0})),)
    assert all_ == (tr.Stage(6, frozenset()),)
    assert gradual == tr.unfreeze_schedule(3, 2)
    assert sum(s.epochs for s in gradual) == 6


def test_callback_epochs_and_losses_run_on_across_stages():
    params, X, T = small_net(5)
    seen = []
    _, losses = tr.fine_tune(
        params, X, T, [(2, {0}), (3, ())], 0.5, callback=lambda e, p: seen.append(e)
    )
    assert seen == [1, 2, 3, 4, 5]
    assert len(losses) == 6
    # the second stage's starting loss is the first stage's last one, not repeated
    one, l1 = tr.fine_tune(params, X, T, [(2, {0})], 0.5)
    _, l2 = tr.fine_tune(one, X, T, [(3, ())], 0.5)
    np.testing.assert_array_equal(losses, np.concatenate([l1, l2[1:]]))


# --- counts, learning rates, heads, data ------------------------------------------------------


def test_trainable_parameters_by_hand():
    params = [(np.zeros((32, 32)), np.zeros(32)), (np.zeros((32, 16)), np.zeros(16))]
    params.append((np.zeros((16, 5)), np.zeros(5)))
    assert tr.trainable_parameters(params) == 32 * 32 + 32 + 32 * 16 + 16 + 16 * 5 + 5 == 1669
    assert tr.trainable_parameters(params, {0, 1}) == 85
    assert tr.trainable_parameters(params, {0}) == 16 * 32 + 16 + 85
    assert tr.trainable_parameters(params, {0, 1, 2}) == 0


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(1, 9), min_size=2, max_size=6), data=st.data())
def test_trainable_parameters_add_up(sizes, data):
    params = [(np.zeros((i, o)), np.zeros(o)) for i, o in zip(sizes[:-1], sizes[1:])]
    frozen = data.draw(st.sets(st.integers(0, len(params) - 1)))
    per_layer = [i * o + o for i, o in zip(sizes[:-1], sizes[1:])]
    assert tr.trainable_parameters(params, frozen) == sum(
        c for l, c in enumerate(per_layer) if l not in frozen
    )
    assert tr.trainable_parameters(params, frozen) + sum(per_layer[l] for l in frozen) == sum(
        per_layer
    )


def test_layer_lrs_by_hand():
    assert tr.layer_lrs(0.5, 3, 0.1) == pytest.approx([0.05, 0.05, 0.5])
    assert tr.layer_lrs(1.0, 4, 1.0, 0.5) == pytest.approx([0.25, 0.5, 1.0, 1.0])
    # ULMFiT: every layer 2.6 times slower than the one above it, the head at the base rate
    assert tr.layer_lrs(0.01, 3, 1 / 2.6, 1 / 2.6) == pytest.approx(
        [0.01 / 2.6**2, 0.01 / 2.6, 0.01]
    )
    assert tr.layer_lrs(0.5, 1, 0.1) == [0.5]


def test_with_new_head_copies_the_backbone_and_draws_a_small_head():
    params, _, _ = small_net(6, sizes=(3, 40, 30, 2))
    new = tr.with_new_head(params, 7, 0, scale=0.01)
    assert [W.shape for W, _ in new] == [(3, 40), (40, 30), (30, 7)]
    for (W0, b0), (W1, b1) in zip(params[:-1], new[:-1]):
        assert same_bits(W0, W1) and same_bits(b0, b1)
        assert not np.shares_memory(W0, W1)
    W, b = new[-1]
    assert np.all(b == 0)
    assert np.std(W) == pytest.approx(0.01, rel=0.15)
    again = tr.with_new_head(params, 7, 0, scale=0.01)
    assert same_bits(W, again[-1][0])  # seeded


def test_sample_without_noise_is_the_mixer_of_the_prototype():
    mixer = tr.random_mixer(0, n_factors=5, n_inputs=6, width=4)
    protos = np.array([[1.0, -2.0], [0.5, 0.0], [3.0, 1.0]])
    X, y = tr.sample(mixer, protos, 2, 1, class_noise=0, nuisance=0, input_noise=0)
    assert X.shape == (6, 6) and sorted(y.tolist()) == [0, 0, 1, 1, 2, 2]
    for x, label in zip(X, y):
        factors = np.concatenate([protos[label], np.zeros(3)])
        expected = np.tanh(factors @ mixer.W1 + mixer.c) @ mixer.W2
        np.testing.assert_allclose(x, expected, rtol=1e-12)


def test_sample_is_seeded_and_balanced():
    mixer = tr.random_mixer(3)
    protos = np.random.default_rng(0).normal(size=(5, tr.N_SIGNAL))
    X1, y1 = tr.sample(mixer, protos, 7, 11)
    X2, y2 = tr.sample(mixer, protos, 7, 11)
    assert same_bits(X1, X2) and np.array_equal(y1, y2)
    assert np.bincount(y1).tolist() == [7] * 5
    assert X1.shape == (35, tr.N_INPUTS)


def test_blend_mixers_ends_and_middle():
    a, b = tr.random_mixer(1), tr.random_mixer(2)
    assert same_bits(tr.blend_mixers(a, b, 0).W1, a.W1)
    np.testing.assert_allclose(tr.blend_mixers(a, b, 90).W2, b.W2, atol=1e-15)
    mid = tr.blend_mixers(a, b, 45)
    np.testing.assert_allclose(mid.c, (a.c + b.c) / np.sqrt(2), rtol=1e-12)


# --- batch norm in a frozen backbone ------------------------------------------------------------


def test_bn_running_mean_moves_as_one_minus_momentum_to_the_k():
    rng = np.random.default_rng(0)
    Z_source = rng.normal(2.0, 1.0, size=(64, 3))  # two batches of 32: the cumulative average
    target = np.array([-1.0, 0.5, 4.0])
    Z_target = np.tile(target, (20, 1))  # every target batch has mean `target`
    r = tr.bn_running_mean_drift(Z_source, Z_target, 12, 5, 0.2, 0)
    np.testing.assert_allclose(r["source_mean"], Z_source.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(r["fraction"], 1 - 0.8 ** np.arange(13), rtol=1e-12)
    # in eval mode nothing moves: the source statistics are still in `before`
    r["before"](Z_target, training=False)
    np.testing.assert_allclose(r["before"].running_mean, Z_source.mean(axis=0), rtol=1e-12)


# --- the vectorized twin and the experiment's protocol ------------------------------------------


@pytest.mark.parametrize("strategy", tr.STRATEGIES)
def test_fine_tune_stack_matches_fine_tune_network_by_network(strategy):
    """Three networks with their own data and per-layer rates (one with a zero rate) trained
    side by side equal three separate `fine_tune` runs."""
    nets, Xs, Ts = zip(*(small_net(10 + i, sizes=(4, 5, 3, 3), n=7) for i in range(3)))
    lrs = np.array([[0.1, 0.2, 0.5], [0.0, 0.3, 1.0], [0.5, 0.5, 0.5]])
    stages = tr.strategy_stages(strategy, 3, 6)
    seen = []
    stacked, losses = tr._fine_tune_stack(
        tr._stack(nets), np.stack(Xs), np.stack(Ts), stages, lrs, lambda e, p: seen.append(e)
    )
    assert seen == list(range(1, 7))
    for i in range(3):
        ref, ref_losses = tr.fine_tune(nets[i], Xs[i], Ts[i], stages, list(lrs[i]))
        for (W, b), (Ws, bs) in zip(ref, tr._unstack(stacked, i)):
            np.testing.assert_allclose(Ws, W, rtol=0, atol=1e-12)
            np.testing.assert_allclose(bs, b, rtol=0, atol=1e-12)
        np.testing.assert_allclose(losses[i], ref_losses, rtol=1e-12)


def test_stack_step_is_one_full_batch_step_of_train():
    """Pre-training's step: one `_stack_step` on a batch equals `backprop.train` on that batch."""
    params, X, T = small_net(20, sizes=(3, 6, 4, 4), n=5)
    ref, _ = bp.train(params, X, T, 0.4, 1, "relu", "sigmoid")
    out = tr._stack_step(tr._stack([params]), X[None], T[None], np.full((1, 3), 0.4), frozenset())
    for (W, b), (Ws, bs) in zip(ref, tr._unstack(out, 0)):
        np.testing.assert_allclose(Ws, W, rtol=0, atol=1e-13)
        np.testing.assert_allclose(bs, b, rtol=0, atol=1e-13)


def test_per_layer_rates_are_applied_layer_by_layer():
    params, X, T = small_net(21)
    lrs = [0.05, 0.0, 2.0]
    trained, _ = tr.fine_tune(params, X, T, [(1, ())], lrs)
    for layer, lr in enumerate(lrs):
        dW, db = fd_gradient(params, X, T, layer)
        np.testing.assert_allclose(trained[layer][0], params[layer][0] - lr * dW, atol=1e-9)
        np.testing.assert_allclose(trained[layer][1], params[layer][1] - lr * db, atol=1e-9)
    assert same_bits(trained[1][0], params[1][0])  # a zero rate changes nothing


def test_target_data_carves_a_disjoint_balanced_validation_split():
    X, y, X_val, y_val = tr.target_data(3, 7)
    assert X.shape == (3 * tr.TARGET_CLASSES, tr.N_INPUTS)
    assert np.bincount(y).tolist() == [3] * tr.TARGET_CLASSES
    assert np.bincount(y_val).tolist() == [tr.VAL_PER_CLASS] * tr.TARGET_CLASSES
    rows = {r.tobytes() for r in X}
    assert not any(r.tobytes() in rows for r in X_val)
    again = tr.target_data(3, 7)
    assert same_bits(X, again[0]) and same_bits(X_val, again[2])
    # the test set is a separate draw
    assert not any(r.tobytes() in rows for r in tr.world().X_test)


def test_rate_grid_is_the_same_for_every_strategy_that_trains_the_backbone():
    grids = {m: tr.rate_grid(m) for m in ("early", "all", "gradual")}
    assert len(set(grids.values())) == 1
    assert len(grids["all"]) == len(tr.HEAD_LRS) * len(tr.BACKBONE_RATIOS)
    assert tr.rate_grid("head") == tuple((lr, 0.0) for lr in tr.HEAD_LRS)
    assert {r for _, r in tr.rate_grid("all_low")} == {tr.LOW_RATIO}
    assert {lr for lr, _ in tr.rate_grid("scratch")} == set(tr.SCRATCH_LRS)


def test_tuned_picks_each_seeds_best_validation_rates_and_tests_only_those(monkeypatch):
    r = tr.tuned("head", 0, 1)
    grid = tr.rate_grid("head")
    for i in range(tr.N_SEEDS):
        best = r["val_grid"][i].max()
        assert r["val"][i] == best
        assert r["val_grid"][i][grid.index(tuple(r["rates"][i]))] == best
    assert r["losses"].shape == r["val_curve"].shape == (tr.N_SEEDS, tr.EPOCHS + 1)
    np.testing.assert_array_equal(r["val_curve"][:, -1], r["val"])
    # the test set is read once per seed, for the picked network only
    calls = []
    real = tr.predict

    def counting(params, X):
        if X is tr.world().X_test:
            calls.append(1)
        return real(params, X)

    monkeypatch.setattr(tr, "predict", counting)
    tr._tuned.cache_clear()
    try:
        again = tr.tuned("head", 0, 1)
    finally:
        tr._tuned.cache_clear()
    assert len(calls) == tr.N_SEEDS
    np.testing.assert_array_equal(again["test"], r["test"])


def test_random_control_uses_a_backbone_that_was_never_pretrained():
    # the same head init and data as "head", only the backbone differs: He init, not pre-trained
    assert tr.rate_grid("random_head") == tr.rate_grid("head")
    assert tr.rate_grid("random_low") == tr.rate_grid("all_low")
    r = tr.tuned("random_head", 90, 1)
    assert np.all(r["drift"] == 0)  # frozen, like "head"
    assert r["test"].shape == (tr.N_SEEDS,) and np.all((r["test"] >= 0) & (r["test"] <= 1))


def test_paired_comparisons_use_per_seed_differences():
    base = np.array([50.0, 60.0, 70.0, 80.0, 90.0])
    # a constant shift of 1 point beats by far when paired, though the spreads are ~16
    assert tr._beats(base + 1, base, "x")[0]
    assert not tr._level({"a": base + 1, "b": base}, "x")[0]
    # one seed of five against: still a finding; two against: not
    d = np.array([3.0, 3.0, 3.0, 3.0, -0.5])
    assert tr._beats(base + d, base, "x")[0]
    d2 = np.array([3.0, 3.0, 3.0, -0.5, -0.5])
    assert not tr._beats(base + d2, base, "x")[0]
    # noise larger than the mean difference: no difference the seeds resolve
    noisy = np.array([2.0, -2.0, 3.0, -3.0, 1.0])
    assert tr._level({"a": base + noisy, "b": base}, "x")[0]
    assert tr._not_ahead(base + noisy, base, "x")[0]
    # the t bound: mean 1, sd 0 -> bound 1
    assert tr._within(base + 1, base, 1.5, "x")[0]
    assert not tr._within(base + 1, base, 0.9, "x")[0]


def test_head_only_runs_leave_the_backbone_bit_identical():
    r = tr.tuned("head", 0, 1)
    assert np.all(r["drift"] == 0) and np.all(r["drift_grid"] == 0)


# --- bad input ----------------------------------------------------------------------------------

NET, X0, T0 = small_net(0)
MIX = tr.random_mixer(0)
PROTOS = np.zeros((2, tr.N_SIGNAL))


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: tr.fine_tune(NET, X0, T0, [(2, {3})], 0.1), ValueError, ["stages[0] frozen", "3"]),
        (lambda: tr.fine_tune(NET, X0, T0, [(0, ())], 0.1), ValueError, ["stages[0] epochs"]),
        (lambda: tr.fine_tune(NET, X0, T0, [], 0.1), ValueError, ["stages"]),
        (lambda: tr.fine_tune(NET, X0, T0, "all", 0.1), TypeError, ["stages"]),
        (lambda: tr.fine_tune(NET, X0, T0, [(1, "0")], 0.1), TypeError, ["stages[0] frozen"]),
        (lambda: tr.fine_tune(NET, X0, T0, [(1, (1.5,))], 0.1), TypeError, ["stages[0] frozen"]),
        (lambda: tr.fine_tune(NET, X0, T0, [3], 0.1), TypeError, ["stages[0]"]),
        (lambda: tr.fine_tune(NET, X0, T0, [(1, ())], [0.1, 0.1]), ValueError, ["lr"]),
        (lambda: tr.fine_tune(NET, X0, T0, [(1, ())], 0.1, callback=3), TypeError, ["callback"]),
        (lambda: tr.fine_tune(NET, X0[:, :2], T0, [(1, ())], 0.1), ValueError, ["X"]),
        (lambda: tr.fine_tune(NET, X0, T0[:, :1], [(1, ())], 0.1), ValueError, ["T"]),
        (lambda: tr.trainable_parameters(NET, {5}), ValueError, ["frozen", "0..2"]),
        (lambda: tr.trainable_parameters(NET, 1), TypeError, ["frozen"]),
        (lambda: tr.unfreeze_schedule(3, [1, 2]), ValueError, ["epochs_per_stage", "3"]),
        (lambda: tr.unfreeze_schedule(3, 0), ValueError, ["epochs_per_stage"]),
        (lambda: tr.unfreeze_schedule(0, 1), ValueError, ["n_layers"]),
        (lambda: tr.strategy_stages("freeze-all", 3, 6), ValueError, ["strategy"]),
        (lambda: tr.strategy_stages("gradual", 3, 7), ValueError, ["epochs", "multiple of 3"]),
        (lambda: tr.strategy_stages("head", 1, 6), ValueError, ["n_layers"]),
        (lambda: tr.layer_lrs(-0.1, 3, 0.1), ValueError, ["head_lr"]),
        (lambda: tr.layer_lrs(0.1, 3, -1), ValueError, ["backbone_ratio"]),
        (lambda: tr.layer_lrs(0.1, 3, 0.1, 2.6), ValueError, ["decay", "(0, 1]"]),
        (lambda: tr.with_new_head(NET[:1], 3, 0), ValueError, ["params", ">= 2 layers"]),
        (lambda: tr.with_new_head(NET, 0, 0), ValueError, ["n_classes"]),
        (lambda: tr.with_new_head(NET, 3, "seed"), TypeError, ["rng"]),
        (lambda: tr.sample(MIX, np.zeros((2, 20)), 3, 0), ValueError, ["prototypes", "(2, 20)"]),
        (lambda: tr.sample(MIX, np.zeros(4), 3, 0), ValueError, ["prototypes", "2-D"]),
        (lambda: tr.sample(MIX, [[np.nan] * 4], 3, 0), ValueError, ["prototypes", "NaN"]),
        (lambda: tr.sample(MIX, PROTOS, 0, 0), ValueError, ["n_per_class"]),
        (lambda: tr.sample(MIX, PROTOS, 3, 0, class_noise=-1), ValueError, ["class_noise"]),
        (lambda: tr.sample(MIX, PROTOS, 3, 0, input_noise="x"), TypeError, ["input_noise"]),
        (lambda: tr.sample("mixer", PROTOS, 3, 0), TypeError, ["mixer"]),
        (lambda: tr.blend_mixers(MIX, MIX, 120), ValueError, ["angle_deg", "[0, 90]"]),
        (
            lambda: tr.blend_mixers(MIX, tr.random_mixer(0, n_inputs=3), 10),
            ValueError,
            ["b", "shapes"],
        ),
        (lambda: tr.random_mixer(0, width=0), ValueError, ["width"]),
        (
            lambda: tr.bn_running_mean_drift(np.ones((8, 3)), np.ones((8, 2)), 3, 2, 0.1, 0),
            ValueError,
            ["Z_target", "3 features"],
        ),
        (
            lambda: tr.bn_running_mean_drift(np.ones((8, 3)), np.ones((8, 3)), 3, 9, 0.1, 0),
            ValueError,
            ["batch_size", "2..8"],
        ),
        (
            lambda: tr.bn_running_mean_drift(np.ones((8, 3)), np.ones((8, 3)), 3, 2, 1.5, 0),
            ValueError,
            ["momentum"],
        ),
        (lambda: tr.tuned("freeze", 0, 3), ValueError, ["method"]),
        (lambda: tr.tuned("all", 120, 3), ValueError, ["angle_deg", "[0, 90]"]),
        (lambda: tr.tuned("all", 0.5, 3), TypeError, ["angle_deg"]),
        (lambda: tr.tuned("all", 0, 0), ValueError, ["n_per_class"]),
        (lambda: tr.tuned("all", 0, 3, seed_set=5), ValueError, ["seed_set"]),
        (lambda: tr.rate_grid("sgd"), ValueError, ["method"]),
        (lambda: tr.target_data(0, 1), ValueError, ["n_per_class"]),
        (lambda: tr.target_data(3, -1), ValueError, ["seed"]),
        (lambda: tr.source_data(120), ValueError, ["angle_deg", "[0, 90]"]),
        (lambda: tr.source_data(0, 500), ValueError, ["n_per_class", "150"]),
    ],
)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)
