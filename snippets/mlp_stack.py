"""Many networks of one shape trained side by side: `transfer.fine_tune`, vectorized.

An experiment over seeds and a grid of learning rates trains hundreds of small networks that
differ only in their numbers. Stacked along a leading axis (weights of shape
(B, fan_in, fan_out)), they train in one pass of batched matrix products instead of B loops.
The arithmetic is `transfer.fine_tune`'s (ReLU hidden layers, sigmoid output, the mean squared
error, frozen layers and a learning rate per layer), tested equal network by network.
"""

from __future__ import annotations

import numpy as np

from snippets import checks
from snippets.activations import sigmoid
from snippets.transfer import check_stages


def stack(nets) -> list[tuple[np.ndarray, np.ndarray]]:
    """A list of networks (each a list of (W, b)) → one stacked network (a leading axis)."""
    if not isinstance(nets, (list, tuple)) or not nets:
        raise TypeError(f"nets: expected a non-empty list of networks, got {checks.describe(nets)}")
    return [
        (np.stack([n[l][0] for n in nets]), np.stack([n[l][1] for n in nets]))
        for l in range(len(nets[0]))
    ]


def unstack(params, i: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Network `i` of a stack."""
    return [(W[i], b[i]) for W, b in params]


def check_stack(params, X) -> tuple[list, np.ndarray]:
    """`params` as a stack of (W, b) of shapes (B, fan_in, fan_out) and (B, fan_out) that chain,
    and `X` as a (B, N, fan_in) array."""
    if not isinstance(params, (list, tuple)) or not params:
        raise TypeError(
            f"params: expected a non-empty list of (W, b), got {checks.describe(params)}"
        )
    X = checks.as_float_array("X", X, ndim=3)
    out, width = [], X.shape[2]
    for l, pair in enumerate(params):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError(f"params[{l}]: expected a (W, b) pair, got {checks.describe(pair)}")
        W = checks.as_float_array(f"params[{l}] W", pair[0], ndim=3)
        b = checks.as_float_array(f"params[{l}] b", pair[1], ndim=2)
        if W.shape[0] != X.shape[0] or W.shape[1] != width or b.shape != (W.shape[0], W.shape[2]):
            raise ValueError(
                f"params[{l}]: expected W of shape ({X.shape[0]}, {width}, fan_out) and b of "
                f"shape ({X.shape[0]}, fan_out), got {W.shape} and {b.shape}"
            )
        out.append((W, b))
        width = W.shape[2]
    return out, X


def stack_forward(params, X):
    """Outputs and per-layer (input, pre-activation) of a stack of B networks.

    `params` holds (W, b) of shapes (B, fan_in, fan_out) and (B, fan_out); `X` is (B, N, D).
    ReLU hidden layers, sigmoid output: the network of `transfer.predict`, B at a time.
    """
    params, X = check_stack(params, X)
    cache, a = [], X
    for l, (W, b) in enumerate(params):
        z = a @ W + b[:, None, :]
        cache.append((a, z))
        a = sigmoid(z) if l == len(params) - 1 else np.maximum(z, 0.0)
    return a, cache


def stack_step(params, X, T, lrs, frozen, forward=None):
    """One full-batch gradient step for every network of the stack, network b's layer l with
    rate `lrs[b, l]`, the layers in `frozen` left alone (`forward`: the stack's
    `stack_forward(params, X)` if already computed)."""
    A, cache = forward if forward is not None else stack_forward(params, X)
    return _step(list(params), [a for a, _ in cache] + [A], T, lrs, frozen, 0)


def _layer(a, W, b, last: bool):
    """One dense layer of the stack on its input `a`: ReLU, or the sigmoid at the output."""
    z = a @ W
    z += b[:, None, :]
    return sigmoid(z) if last else np.maximum(z, 0.0, out=z)


def _forward(params, X) -> list[np.ndarray]:
    """Every layer's input, then the output: `acts[l]` goes into layer l (unchecked)."""
    acts = [X]
    for l, (W, b) in enumerate(params):
        acts.append(_layer(acts[l], W, b, l == len(params) - 1))
    return acts


def _step(params, acts, T, lrs, frozen, low: int):
    """The gradient step from the forward pass `acts` (unchecked), for the layers from `low` up:
    backpropagation stops there, as nothing below it takes a step."""
    A = acts[-1]
    delta = (A - T) / T.shape[1] * A * (1.0 - A)  # the output layer's delta, as in backprop
    new = list(params)
    for l in reversed(range(low, len(params))):
        W, b = params[l]
        if l not in frozen:
            r = lrs[:, l]
            dW = acts[l].transpose(0, 2, 1) @ delta
            new[l] = (W - r[:, None, None] * dW, b - r[:, None] * delta.sum(axis=1))
        if l > low:  # the error handed to the layer below, through frozen layers too
            delta = delta @ W.transpose(0, 2, 1)
            delta *= acts[l] > 0
    return new


def _train(params, X, T, stages, lrs, after_epoch):
    """The loop of `fine_tune_stack`, unchecked; `after_epoch(epoch, params, outputs)`.

    `acts` (`_forward`) always matches `params`: after a step only the layers from the lowest
    trainable one up are recomputed, since the frozen layers below it, and so their outputs,
    did not change.
    """
    L = len(params)
    params, acts = list(params), _forward(params, X)
    after_epoch(0, params, acts[-1])
    epoch = 0
    for stage in stages:
        low = min(set(range(L)) - stage.frozen, default=L)  # the lowest trainable layer
        for _ in range(stage.epochs):
            params = _step(params, acts, T, lrs, stage.frozen, low)
            for l in range(low, L):
                acts[l + 1] = _layer(acts[l], *params[l], l == L - 1)
            epoch += 1
            after_epoch(epoch, params, acts[-1])
    return params


def minibatch_sgd_stack(params, X, T, lrs, epochs: int, batch_size: int, rngs):
    """Mini-batch SGD for B networks, each with its own shuffling: every epoch network b visits
    the rows of its data in the order `rngs[b].permutation(N)`, `batch_size` at a time, and
    takes one `stack_step` per batch.

    `params` as in `stack_forward`; `X` (N, D) and `T` (N, K) shared by every network, or
    (B, N, D) and (B, N, K), each network's own; `lrs` (B, n_layers), `rngs` B generators.
    Returns the trained stack.
    """
    if not isinstance(rngs, (list, tuple)) or not rngs:
        raise TypeError(f"rngs: expected a list of generators, got {checks.describe(rngs)}")
    rngs = [checks.generator(f"rngs[{i}]", r) for i, r in enumerate(rngs)]
    B = len(rngs)
    X = np.asarray(X)
    X = checks.as_float_array("X", X, ndim=2 if X.ndim < 3 else 3, min_rows=1)
    params, _ = check_stack(params, np.broadcast_to(X, (B, *X.shape[-2:])))
    T = checks.as_float_array("T", T, ndim=X.ndim)
    if T.shape != (*X.shape[:-1], params[-1][0].shape[2]):
        raise ValueError(
            f"T: expected shape {(*X.shape[:-1], params[-1][0].shape[2])} (like X, the network's "
            f"outputs), got {T.shape}"
        )
    lrs = checks.as_float_array("lrs", lrs, ndim=2)
    if lrs.shape != (B, len(params)):
        raise ValueError(f"lrs: expected shape ({B}, {len(params)}), got {lrs.shape}")
    epochs = checks.positive_int("epochs", epochs)
    batch_size = checks.positive_int("batch_size", batch_size)
    N, own = X.shape[-2], (np.arange(B)[:, None],) if X.ndim == 3 else ()
    for _ in range(epochs):
        orders = np.stack([r.permutation(N) for r in rngs])
        for start in range(0, N, batch_size):
            idx = (*own, orders[:, start : start + batch_size])
            params = _step(params, _forward(params, X[idx]), T[idx], lrs, frozenset(), 0)
    return params


def _loss(A, T) -> np.ndarray:
    """The mean squared error of each network of the stack, as `losses.mse` (B,)."""
    return 0.5 * np.sum((T - A) ** 2, axis=(1, 2)) / T.shape[1]


def _check_training(params, X, T, stages, lrs):
    params, X = check_stack(params, X)
    stages = check_stages(stages, len(params))
    T = checks.as_float_array("T", T, ndim=3)
    lrs = checks.as_float_array("lrs", lrs, ndim=2)
    if T.shape[:2] != X.shape[:2] or lrs.shape != (X.shape[0], len(params)):
        raise ValueError(
            f"T, lrs: expected shapes ({X.shape[0]}, {X.shape[1]}, K) and ({X.shape[0]}, "
            f"{len(params)}), got {T.shape} and {lrs.shape}"
        )
    if T.shape[2] != params[-1][0].shape[2]:
        raise ValueError(
            f"T: expected {params[-1][0].shape[2]} outputs per example (the network's), got "
            f"shape {T.shape}"
        )
    return params, X, T, stages, lrs


def fine_tune_stack(params, X, T, stages, lrs, callback=None):
    """`transfer.fine_tune` for B networks at once: same stages, each network with its own data
    and per-layer rates.

    `params` as in `stack_forward`, `X` (B, N, D), `T` (B, N, K), `lrs` (B, n_layers). One
    forward pass per epoch serves both the update and the loss; `callback(epoch, params)` runs
    after every epoch. Returns the trained stack and the training losses, shape
    (B, 1 + total epochs).
    """
    params, X, T, stages, lrs = _check_training(params, X, T, stages, lrs)
    if callback is not None:
        checks.function("callback", callback, "a callable(epoch, params)")
    losses = []

    def after(epoch, p, A):
        losses.append(_loss(A, T))
        if callback is not None and epoch > 0:
            callback(epoch, p)

    params = _train(params, X, T, stages, lrs, after)
    return params, np.array(losses).T


def fine_tune_stack_val(params, X, T, X_val, stages, lrs):
    """`fine_tune_stack` that also watches a validation set: the outputs on `X_val` (B, M, D),
    each network's own validation inputs, before training and after every epoch, shape
    (B, 1 + total epochs, M, K), as `stack_forward` gives them. Returns the trained stack, the
    training losses and those outputs."""
    params, X, T, stages, lrs = _check_training(params, X, T, stages, lrs)
    X_val = checks.as_float_array("X_val", X_val, ndim=3)
    if X_val.shape[0] != X.shape[0] or X_val.shape[2] != X.shape[2]:
        raise ValueError(
            f"X_val: expected shape ({X.shape[0]}, M, {X.shape[2]}) like X, got {X_val.shape}"
        )
    losses, outputs = [], []

    def after(epoch, p, A):
        losses.append(_loss(A, T))
        outputs.append(_forward(p, X_val)[-1])

    params = _train(params, X, T, stages, lrs, after)
    return params, np.array(losses).T, np.stack(outputs, axis=1)


def stack_accuracy(params, X, y) -> np.ndarray:
    """Accuracy of each network of the stack on its own (X[i], y[i]); shape (B,)."""
    A = stack_forward(params, X)[0]
    y = np.asarray(y)
    if y.shape not in (A.shape[:2], A.shape[1:2]) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(
            f"y: expected integer labels of shape {A.shape[:2]} or {A.shape[1:2]} (shared), got "
            f"{checks.describe(y)}"
        )
    return np.mean(A.argmax(axis=2) == y, axis=1)
