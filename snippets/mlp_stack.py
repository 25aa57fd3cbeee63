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
    delta = (A - T) / X.shape[1] * A * (1.0 - A)  # the output layer's delta, as in backprop
    new = list(params)
    for l in reversed(range(len(params))):
        W, b = params[l]
        if l not in frozen:
            r = lrs[:, l]
            dW = cache[l][0].transpose(0, 2, 1) @ delta
            new[l] = (W - r[:, None, None] * dW, b - r[:, None] * delta.sum(axis=1))
        if l > 0:  # the error handed to the layer below, through frozen layers too
            delta = (delta @ W.transpose(0, 2, 1)) * (cache[l - 1][1] > 0)
    return new


def fine_tune_stack(params, X, T, stages, lrs, callback=None):
    """`transfer.fine_tune` for B networks at once: same stages, each network with its own data
    and per-layer rates.

    `params` as in `stack_forward`, `X` (B, N, D), `T` (B, N, K), `lrs` (B, n_layers). One
    forward pass per epoch serves both the update and the loss; `callback(epoch, params)` runs
    after every epoch. Returns the trained stack and the training losses, shape
    (B, 1 + total epochs).
    """
    params, X = check_stack(params, X)
    stages = check_stages(stages, len(params))
    T = checks.as_float_array("T", T, ndim=3)
    lrs = checks.as_float_array("lrs", lrs, ndim=2)
    if T.shape[:2] != X.shape[:2] or lrs.shape != (X.shape[0], len(params)):
        raise ValueError(
            f"T, lrs: expected shapes ({X.shape[0]}, {X.shape[1]}, K) and ({X.shape[0]}, "
            f"{len(params)}), got {T.shape} and {lrs.shape}"
        )
    forward = stack_forward(params, X)

    def loss(A):
        return 0.5 * np.sum((T - A) ** 2, axis=(1, 2)) / X.shape[1]

    losses, epoch = [loss(forward[0])], 0
    for stage in stages:
        for _ in range(stage.epochs):
            params = stack_step(params, X, T, lrs, stage.frozen, forward)
            forward = stack_forward(params, X)
            losses.append(loss(forward[0]))
            epoch += 1
            if callback is not None:
                callback(epoch, params)
    return params, np.array(losses).T


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
