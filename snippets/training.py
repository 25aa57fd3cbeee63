"""Mini-batch gradient descent over a list of layers (`snippets.layers`).

The update is a parameter: `sgd(lr)` moves every parameter by −lr × its gradient; transfer
learning passes its own (frozen layers, a learning rate per layer).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from snippets import checks, losses
from snippets import layers as nn

Update = Callable[[int, object, list], None]  # (layer index, layer, its gradients)


def sgd(lr: float) -> Update:
    """Plain SGD: p ← p − lr·dp for every parameter of every layer, in place."""
    lr = checks.positive_float("lr", lr)

    def update(i, layer, grads):
        for p, g in zip(layer.params, grads):
            p -= lr * g

    return update


def train(
    layers,
    X,
    T,
    epochs: int,
    update: Update,
    *,
    loss: str = "mse",
    batch_size: int | None = None,
    rng=None,
    callback=None,
) -> np.ndarray:
    """Train `layers` in place on (X, T); returns the loss on all of X before training and
    after each epoch (`epochs + 1` values, layers in inference mode).

    `batch_size` None is full-batch gradient descent; otherwise the data are shuffled every
    epoch with `rng` (a Generator or a seed). A layer with `min_batch` = 2 (batch norm) makes a
    last batch of one sample be skipped. `callback(epoch)` runs after each epoch.
    """
    layers = nn.check_layers(layers)
    X = checks.as_float_array("X", X, ndim=2, min_rows=1)
    epochs = checks.positive_int("epochs", epochs)
    checks.function("update", update, "a callable(i, layer, grads)")
    f, df = losses.REGISTRY[checks.choice("loss", loss, losses.LOSSES)]
    A = nn.forward(layers, X, training=False)[0]
    T = checks.as_float_array("T", T, ndim=2)
    if T.shape != A.shape:
        raise ValueError(f"T: expected shape {A.shape} (the network output), got {T.shape}")
    N = X.shape[0]
    batch_size = checks.positive_int("batch_size", N if batch_size is None else batch_size)
    rng = checks.generator("rng", 0 if rng is None else rng)
    if callback is not None:
        checks.function("callback", callback, "a callable(epoch)")
    min_batch = max(getattr(layer, "min_batch", 1) for layer in layers)
    history = [float(f(A, T))]
    # checked once above: the loop calls the layers and the loss's plain math directly
    # --8<-- [start:loop]
    for epoch in range(1, epochs + 1):
        order = rng.permutation(N) if batch_size < N else np.arange(N)
        for start in range(0, N, batch_size):
            idx = order[start : start + batch_size]
            if idx.size < min_batch:
                continue
            A, caches = X[idx], []
            for layer in layers:  # forward, keeping what each layer's backward needs
                A, cache = layer(A, True)
                caches.append(cache)
            dA, grads = df(A, T[idx]), [()] * len(layers)
            for i in reversed(range(len(layers))):  # backward, from the loss down
                dA, *grads[i] = layers[i].backward(dA, caches[i])
            for i, layer in enumerate(layers):
                update(i, layer, grads[i])
        A = X
        for layer in layers:  # the loss on all of X, in inference mode
            A = layer(A, False)[0]
        history.append(float(f(A, T)))
        if callback is not None:
            callback(epoch)
    # --8<-- [end:loop]
    return np.array(history)
