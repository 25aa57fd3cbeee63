"""Tests for snippets/transfer.py: freezing freezes while gradients flow through, per-layer
rates and schedules hold, the update is plain SGD when nothing is frozen and every rate equal,
bit-identical to a hand-written loop, counts by hand, batch-norm drift by hand
(`frozen_batchnorm`, re-exported), bad input.

The synthetic tasks, the vectorized twin and the experiment's protocol have their own test
files; what the pages conclude is checked by their page modules' `claims()`."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets import backprop as bp
from snippets import layers as nn
from snippets import training
from snippets import transfer as tr
from snippets.batchnorm import BatchNorm


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


# --- the update: frozen layers, a rate per dense layer ------------------------------------------


def hand_loop(params, X, T, lrs, frozen, epochs, batch_size=None, rng=0):
    """The old loop of `backprop.train(frozen=, lr=[...])`, written out: per batch, forward,
    backward, then W ← W − lr_l dW_l for every layer l not frozen."""
    params = [(W.copy(), b.copy()) for W, b in params]
    rng = np.random.default_rng(rng)
    N = len(X)
    batch_size = batch_size or N
    for _ in range(epochs):
        order = rng.permutation(N) if batch_size < N else np.arange(N)
        for start in range(0, N, batch_size):
            idx = order[start : start + batch_size]
            _, cache = bp.forward(params, X[idx], "relu", "sigmoid")
            grads = bp.backward(params, cache, T[idx])
            params = [
                (W, b) if l in frozen else (W - lrs[l] * dW, b - lrs[l] * db)
                for l, ((W, b), (dW, db)) in enumerate(zip(params, grads))
            ]
    return params


@pytest.mark.parametrize("frozen", [(), (0,), (1,), (0, 1)])
@pytest.mark.parametrize("batch_size", [None, 4])
def test_training_with_the_update_is_bit_identical_to_a_hand_loop(frozen, batch_size):
    params, X, T = small_net(30, n=10)
    lrs = [0.3, 0.0, 0.7]
    net = nn.mlp(params, "relu", "sigmoid")
    update = tr.fine_tune_update(net, lrs, frozen)
    training.train(net, X, T, 4, update, batch_size=batch_size, rng=5)
    ref = hand_loop(params, X, T, lrs, set(frozen), 4, batch_size, rng=5)
    for (W, b), (Wr, br) in zip(tr.dense_params(net), ref):
        assert same_bits(W, Wr) and same_bits(b, br)


def test_equal_rates_and_nothing_frozen_is_plain_sgd():
    params, X, T = small_net(31, n=9)
    a, b = nn.mlp(params, "relu", "sigmoid"), nn.mlp(params, "relu", "sigmoid")
    la = training.train(a, X, T, 5, tr.fine_tune_update(a, [0.4] * 3), batch_size=3, rng=2)
    lb = training.train(b, X, T, 5, training.sgd(0.4), batch_size=3, rng=2)
    assert same_bits(la, lb)
    for (W1, b1), (W2, b2) in zip(tr.dense_params(a), tr.dense_params(b)):
        assert same_bits(W1, W2) and same_bits(b1, b2)
    # one float is the same as that float for every layer
    c = nn.mlp(params, "relu", "sigmoid")
    training.train(c, X, T, 5, tr.fine_tune_update(c, 0.4), batch_size=3, rng=2)
    assert all(same_bits(p[0], q[0]) for p, q in zip(tr.dense_params(a), tr.dense_params(c)))


def test_a_frozen_layer_keeps_its_bits_while_its_gradient_still_flows():
    """The frozen layer's gradient is computed (the update receives it, non-zero) and the layer
    below it moves by exactly its rate times the finite-difference gradient."""
    params, X, T = small_net(32)
    net = nn.mlp(params, "relu", "sigmoid")
    update = tr.fine_tune_update(net, [0.5, 0.5, 0.5], frozen={1})
    seen = {}

    def spy(i, layer, grads):
        seen[i] = [g.copy() for g in grads]
        update(i, layer, grads)

    training.train(net, X, T, 1, spy)
    trained = tr.dense_params(net)
    assert same_bits(trained[1][0], params[1][0]) and same_bits(trained[1][1], params[1][1])
    assert np.abs(seen[2][0]).max() > 1e-4  # layers[2] is the frozen Dense: it got a gradient
    dW, db = fd_gradient(params, X, T, 0)
    np.testing.assert_allclose(trained[0][0], params[0][0] - 0.5 * dW, atol=1e-9)
    np.testing.assert_allclose(trained[0][1], params[0][1] - 0.5 * db, atol=1e-9)


def test_dense_indices_map_every_layer_to_its_dense_layer():
    params, _, _ = small_net(33)
    net = nn.mlp(params, "relu", "sigmoid")
    assert tr.dense_indices(net) == [0, 0, 1, 1, 2, 2]
    with_norm = nn.mlp(params, "relu", "sigmoid", norms=[BatchNorm(4), None])
    assert tr.dense_indices(with_norm) == [0, 0, 0, 1, 1, 2, 2]


@pytest.mark.skipif(
    not hasattr(BatchNorm(1), "params"), reason="needs BatchNorm's Module protocol (params)"
)
def test_mini_batches_with_batch_norm_and_a_frozen_layer():
    """Moved from the old `backprop.train(bn=, frozen=)` test: a batch norm belongs to the dense
    layer before it, so it trains with it; the frozen layer keeps its bits."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(64, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)[:, None]
    params = bp.init_params([2, 8, 1], rng, "he")
    norm = BatchNorm(8)
    net = nn.mlp(params, "relu", "sigmoid", norms=[norm])
    seen = []
    losses = training.train(
        net, X, y, 30, tr.fine_tune_update(net, 0.5, frozen=[1]), batch_size=16, rng=1,
        callback=seen.append,
    )  # fmt: skip
    assert seen == list(range(1, 31))
    assert losses[-1] < losses[0]
    trained = tr.dense_params(net)
    assert same_bits(trained[1][0], params[1][0]) and same_bits(trained[1][1], params[1][1])
    assert not np.array_equal(trained[0][0], params[0][0])
    assert not np.array_equal(norm.gamma, np.ones(8))  # trains with dense layer 0
    assert norm.num_batches_tracked == 30 * 4


def test_per_layer_rates_with_mini_batches_are_deterministic():
    """Moved from the old `backprop.train(lr=[...])` test: a zero rate leaves the layer alone,
    and the same seed gives the same result."""
    rng = np.random.default_rng(8)
    X, T = rng.normal(size=(20, 3)), rng.uniform(size=(20, 1))
    params = bp.init_params([3, 4, 1], rng, "xavier")
    out = []
    for _ in range(2):
        net = nn.mlp(params, "tanh")
        training.train(net, X, T, 5, tr.fine_tune_update(net, [0.0, 0.3]), batch_size=7, rng=3)
        out.append(tr.dense_params(net))
    assert same_bits(out[0][0][0], params[0][0])
    assert same_bits(out[0][1][0], out[1][1][0])
    assert not np.array_equal(out[0][1][0], params[1][0])


def test_predict_is_the_sigmoid_network():
    params, X, _ = small_net(34)
    A = tr.predict(params, X)
    np.testing.assert_allclose(A, bp.forward(params, X, "relu", "sigmoid")[0], rtol=0, atol=0)
    assert A.shape == (len(X), 2) and np.all((A > 0) & (A < 1))


# --- bad input ----------------------------------------------------------------------------------

NET, X0, T0 = small_net(0)


class Scale:
    """A layer with a parameter and no Dense before it."""

    params = [np.ones(3)]


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
        (lambda: tr.layer_lrs(0.1, 3, 0.1, 2.6), ValueError, ["decay", "<= 1"]),
        (lambda: tr.with_new_head(NET[:1], 3, 0), ValueError, ["params", ">= 2 layers"]),
        (lambda: tr.with_new_head(NET, 0, 0), ValueError, ["n_classes"]),
        (lambda: tr.with_new_head(NET, 3, "seed"), TypeError, ["rng"]),
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
        (lambda: tr.fine_tune_update([], 0.1), TypeError, ["layers"]),
        (lambda: tr.fine_tune_update(nn.mlp(NET, "relu"), [0.1], ()), ValueError, ["lr", "3"]),
        (
            lambda: tr.fine_tune_update(nn.mlp(NET, "relu"), 0.1, {3}),
            ValueError,
            ["frozen", "0..2"],
        ),
        (lambda: tr.fine_tune_update(nn.mlp(NET, "relu"), -0.1), ValueError, ["lr"]),
        (lambda: tr.fine_tune_update(nn.mlp(NET, "relu"), [0.1, -1, 0.1]), ValueError, ["lr[1]"]),
        (lambda: tr.dense_indices([Scale()]), ValueError, ["layers[0]", "Dense"]),
    ],
)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)


def test_per_layer_rates_are_applied_layer_by_layer():
    params, X, T = small_net(21)
    lrs = [0.05, 0.0, 2.0]
    trained, _ = tr.fine_tune(params, X, T, [(1, ())], lrs)
    for layer, lr in enumerate(lrs):
        dW, db = fd_gradient(params, X, T, layer)
        np.testing.assert_allclose(trained[layer][0], params[layer][0] - lr * dW, atol=1e-9)
        np.testing.assert_allclose(trained[layer][1], params[layer][1] - lr * db, atol=1e-9)
    assert same_bits(trained[1][0], params[1][0])  # a zero rate changes nothing
