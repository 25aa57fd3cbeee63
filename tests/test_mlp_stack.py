"""Tests for snippets/mlp_stack.py: the vectorized twin equals `transfer.fine_tune` network by
network, and one step equals one full-batch step of `backprop.train`."""

from __future__ import annotations

import numpy as np
import pytest

from snippets import backprop as bp
from snippets import mlp_stack as ms
from snippets import transfer as tr
from tests.test_transfer import small_net


@pytest.mark.parametrize("strategy", tr.STRATEGIES)
def test_fine_tune_stack_matches_fine_tune_network_by_network(strategy):
    """Three networks with their own data and per-layer rates (one with a zero rate) trained
    side by side equal three separate `fine_tune` runs."""
    nets, Xs, Ts = zip(*(small_net(10 + i, sizes=(4, 5, 3, 3), n=7) for i in range(3)))
    lrs = np.array([[0.1, 0.2, 0.5], [0.0, 0.3, 1.0], [0.5, 0.5, 0.5]])
    stages = tr.strategy_stages(strategy, 3, 6)
    seen = []
    stacked, losses = ms.fine_tune_stack(
        ms.stack(nets), np.stack(Xs), np.stack(Ts), stages, lrs, lambda e, p: seen.append(e)
    )
    assert seen == list(range(1, 7))
    for i in range(3):
        ref, ref_losses = tr.fine_tune(nets[i], Xs[i], Ts[i], stages, list(lrs[i]))
        for (W, b), (Ws, bs) in zip(ref, ms.unstack(stacked, i)):
            np.testing.assert_allclose(Ws, W, rtol=0, atol=1e-12)
            np.testing.assert_allclose(bs, b, rtol=0, atol=1e-12)
        np.testing.assert_allclose(losses[i], ref_losses, rtol=1e-12)


def test_stack_step_is_one_full_batch_step_of_train():
    """Pre-training's step: one `_stack_step` on a batch equals `backprop.train` on that batch."""
    params, X, T = small_net(20, sizes=(3, 6, 4, 4), n=5)
    ref, _ = bp.train(params, X, T, 0.4, 1, "relu", "sigmoid")
    out = ms.stack_step(ms.stack([params]), X[None], T[None], np.full((1, 3), 0.4), frozenset())
    for (W, b), (Ws, bs) in zip(ref, ms.unstack(out, 0)):
        np.testing.assert_allclose(Ws, W, rtol=0, atol=1e-13)
        np.testing.assert_allclose(bs, b, rtol=0, atol=1e-13)


def test_stack_accuracy_is_each_networks_own():
    nets, Xs, _ = zip(*(small_net(40 + i, sizes=(4, 5, 3), n=8) for i in range(2)))
    ys = np.array([[0, 1, 2, 0, 1, 2, 0, 1], [2, 2, 1, 0, 0, 1, 2, 1]])
    acc = ms.stack_accuracy(ms.stack(list(nets)), np.stack(Xs), ys)
    for i in range(2):
        assert acc[i] == np.mean(tr.predict(nets[i], Xs[i]).argmax(axis=1) == ys[i])


def test_stack_refuses_an_empty_list():
    with pytest.raises(TypeError, match="nets"):
        ms.stack([])


def test_fine_tune_stack_with_a_frozen_layer_between_trainable_ones():
    """Backpropagation stops at the lowest trainable layer, and passes through a frozen layer
    above it: stages that freeze the middle layer, then the bottom one, equal `fine_tune`."""
    nets, Xs, Ts = zip(*(small_net(50 + i, sizes=(4, 5, 3, 3), n=6) for i in range(2)))
    lrs = np.array([[0.3, 0.2, 0.5], [0.1, 0.4, 1.0]])
    stages = [tr.Stage(3, frozenset({1})), tr.Stage(2, frozenset({0})), tr.Stage(2, frozenset())]
    stacked, losses = ms.fine_tune_stack(ms.stack(nets), np.stack(Xs), np.stack(Ts), stages, lrs)
    for i in range(2):
        ref, ref_losses = tr.fine_tune(nets[i], Xs[i], Ts[i], stages, list(lrs[i]))
        for (W, b), (Ws, bs) in zip(ref, ms.unstack(stacked, i)):
            np.testing.assert_allclose(Ws, W, rtol=0, atol=1e-12)
            np.testing.assert_allclose(bs, b, rtol=0, atol=1e-12)
        np.testing.assert_allclose(losses[i], ref_losses, rtol=1e-12)


def test_minibatch_sgd_stack_is_one_stack_step_per_batch():
    """Each network visits the shared data in its own generator's order, `batch_size` rows per
    `stack_step`."""
    nets = [small_net(70 + i, sizes=(3, 6, 4, 4), n=1)[0] for i in range(2)]
    _, X, T = small_net(80, sizes=(3, 6, 4, 4), n=10)
    lrs = np.array([[0.4, 0.4, 0.4], [0.1, 0.2, 0.3]])
    out = ms.minibatch_sgd_stack(
        ms.stack(nets), X, T, lrs, 2, 4, [np.random.default_rng(s) for s in (1, 2)]
    )
    ref, rngs = ms.stack(nets), [np.random.default_rng(s) for s in (1, 2)]
    for _ in range(2):
        orders = np.stack([r.permutation(10) for r in rngs])
        for start in range(0, 10, 4):
            idx = orders[:, start : start + 4]
            ref = ms.stack_step(ref, X[idx], T[idx], lrs, frozenset())
    for (W, b), (Wo, bo) in zip(ref, out):
        np.testing.assert_allclose(Wo, W, rtol=0, atol=1e-13)
        np.testing.assert_allclose(bo, b, rtol=0, atol=1e-13)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda p, X, T: ms.minibatch_sgd_stack(p, X[0], T[0], [[0.1] * 3], 1, 2, []), ["rngs"]),
        (lambda p, X, T: ms.minibatch_sgd_stack(p, X[0], T[0, :, :2], [[0.1] * 3], 1, 2, [0]),
         ["T"]),
        (lambda p, X, T: ms.minibatch_sgd_stack(p, X[0], T[0], [[0.1] * 2], 1, 2, [0]), ["lrs"]),
    ],
)  # fmt: skip
def test_bad_input_raises_with_a_useful_message(call, words):
    params, X, T = small_net(90, sizes=(4, 5, 3, 3), n=5)
    with pytest.raises((TypeError, ValueError)) as info:
        call(ms.stack([params]), X[None], T[None])
    for word in words:
        assert word in str(info.value)


def test_fine_tune_stack_val_watches_validation_without_training_on_it():
    """The trained networks and losses are `fine_tune_stack`'s; the outputs on the validation
    inputs are a forward pass before training and after every epoch."""
    nets, Xs, Ts = zip(*(small_net(60 + i, sizes=(4, 5, 3, 3), n=7) for i in range(3)))
    Xv = np.random.default_rng(7).normal(size=(3, 4, 4))
    lrs = np.array([[0.1, 0.2, 0.5], [0.0, 0.3, 1.0], [0.5, 0.5, 0.5]])
    stages = tr.strategy_stages("gradual", 3, 6)
    seen = [ms.stack_forward(ms.stack(nets), Xv)[0]]
    ref, ref_losses = ms.fine_tune_stack(
        ms.stack(nets),
        np.stack(Xs),
        np.stack(Ts),
        stages,
        lrs,
        lambda e, p: seen.append(ms.stack_forward(p, Xv)[0]),
    )
    out, losses, A_val = ms.fine_tune_stack_val(
        ms.stack(nets), np.stack(Xs), np.stack(Ts), Xv, stages, lrs
    )
    assert A_val.shape == (3, 7, 4, 3)
    assert np.array_equal(A_val, np.stack(seen, axis=1)) and np.array_equal(losses, ref_losses)
    for (W, b), (Wo, bo) in zip(ref, out):
        assert np.array_equal(Wo, W) and np.array_equal(bo, b)
    with pytest.raises(ValueError, match="X_val"):
        ms.fine_tune_stack_val(ms.stack(nets), np.stack(Xs), np.stack(Ts), Xv[:2], stages, lrs)


def test_minibatch_sgd_stack_with_each_networks_own_data_equals_separate_runs():
    """Networks stacked with their own data sets train as they would alone (batchmates do not
    change a network's arithmetic): how pre-training runs every angle of the grid at once."""
    nets = [small_net(70 + i, sizes=(3, 6, 4, 4), n=1)[0] for i in range(2)]
    data = [small_net(80 + i, sizes=(3, 6, 4, 4), n=9)[1:] for i in range(2)]
    lrs = np.array([[0.4, 0.4, 0.4], [0.1, 0.2, 0.3]])
    both = ms.minibatch_sgd_stack(
        ms.stack(nets),
        np.stack([X for X, _ in data]),
        np.stack([T for _, T in data]),
        lrs,
        2,
        4,
        [np.random.default_rng(s) for s in (1, 2)],
    )
    for i in range(2):
        alone = ms.minibatch_sgd_stack(
            ms.stack([nets[i]]), *data[i], lrs[i : i + 1], 2, 4, [np.random.default_rng(1 + i)]
        )
        for (W, b), (Wb, bb) in zip(alone, both):
            assert np.array_equal(Wb[i], W[0]) and np.array_equal(bb[i], b[0])
