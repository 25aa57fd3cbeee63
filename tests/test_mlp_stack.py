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
