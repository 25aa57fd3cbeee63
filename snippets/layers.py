"""Layers that share one protocol, and a network as a list of them.

A layer is called as `Y, cache = layer(X, training)` and differentiated as
`dX, *dparams = layer.backward(dY, cache)`, with `layer.params` the list of its trainable
arrays in the order of `dparams` (cs231n's layer_forward / layer_backward, as objects).
`Dense`, `Activation` and `snippets.batchnorm.BatchNorm` follow it; `forward` and `backward`
run a list of layers, and `snippets.training.train` trains one.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from snippets import activations, checks


class Module(Protocol):
    """What a layer offers a network (the name PyTorch gives the same idea)."""

    params: list[np.ndarray]

    def __call__(self, X: np.ndarray, training: bool = True) -> tuple[np.ndarray, object]: ...

    def backward(self, dY: np.ndarray, cache) -> tuple[np.ndarray, ...]: ...


class Dense:
    """z = X W + b, with W of shape (fan_in, fan_out) and b of shape (fan_out,).

    Notes
    -----
    :math:`\\partial L/\\partial W = X^\\top \\delta`, :math:`\\partial L/\\partial b =
    \\mathbf 1^\\top \\delta`, :math:`\\partial L/\\partial X = \\delta W^\\top` with
    :math:`\\delta = \\partial L/\\partial z`.
    """

    def __init__(self, W, b):
        self.W = checks.as_float_array("W", W, ndim=2).copy()
        self.b = checks.as_float_array("b", b, ndim=1).copy()
        if self.b.shape != (self.W.shape[1],):
            raise ValueError(f"b: expected shape ({self.W.shape[1]},) to match W, got {b.shape}")

    @property
    def params(self) -> list[np.ndarray]:
        return [self.W, self.b]

    # --8<-- [start:dense]
    def __call__(self, X, training: bool = True):
        return X @ self.W + self.b, X  # (N, fan_in) @ (fan_in, fan_out) + (fan_out,)

    def backward(self, dY, X):
        return dY @ self.W.T, X.T @ dY, dY.sum(axis=0)  # dX, dW, db

    # --8<-- [end:dense]


class Activation:
    """a = f(z) elementwise, for any activation in `snippets.activations`."""

    params: list[np.ndarray] = []

    def __init__(self, name: str, negative_slope: float = 0.01, alpha: float = 1.0):
        self.name, self.kw = activations.check(name, negative_slope, alpha)
        self.f, self.df = activations.REGISTRY[self.name]

    def __call__(self, z, training: bool = True):
        a = self.f(z, **self.kw)
        return a, (z, a)

    def backward(self, dA, cache):
        z, a = cache
        return (dA * self.df(z, a, **self.kw),)


def mlp(params, activation: str, output_activation: str | None = None, norms=None) -> list:
    """Layers of a multilayer perceptron from `(W, b)` pairs: Dense, then (for hidden layers)
    the layer `norms[l]` if given (e.g. a BatchNorm), then the activation."""
    if not isinstance(params, (list, tuple)) or not params:
        raise TypeError(f"params: expected a non-empty list of (W, b) pairs, got {params!r:.60}")
    if norms is not None and (
        not isinstance(norms, (list, tuple)) or len(norms) != len(params) - 1
    ):
        raise ValueError(
            f"norms: expected {len(params) - 1} entries (one per hidden layer, or None), got "
            f"{checks.describe(norms)}"
        )
    norms = [*(norms or [None] * (len(params) - 1)), None]
    out = []
    for l, (W, b) in enumerate(params):
        out.append(Dense(W, b))
        if norms[l] is not None:
            out.append(norms[l])
        last = l == len(params) - 1
        out.append(Activation(output_activation or activation if last else activation))
    return out


def check_layers(layers) -> list:
    """`layers` as a non-empty list of objects with the layer protocol."""
    if not isinstance(layers, (list, tuple)) or not layers:
        raise TypeError(
            f"layers: expected a non-empty list of layers, got {checks.describe(layers)}"
        )
    for i, layer in enumerate(layers):
        if not (callable(layer) and callable(getattr(layer, "backward", None))):
            raise TypeError(f"layers[{i}]: expected a layer (callable, with .backward), got "
                            f"{checks.describe(layer)}")  # fmt: skip
    return list(layers)


def forward(layers, X: np.ndarray, training: bool = True) -> tuple[np.ndarray, list]:
    """Run `X` through `layers`; returns the output and every layer's cache."""
    layers = check_layers(layers)
    X = checks.as_float_array("X", X, min_rows=1, keep_float=True)
    checks.flag("training", training)
    caches = []
    for layer in layers:
        X, cache = layer(X, training)
        caches.append(cache)
    return X, caches


def backward(layers, caches, dY: np.ndarray) -> tuple[np.ndarray, list]:
    """Back through `layers` from dL/d(output) `dY`; returns dL/dX and, per layer, the
    gradients of its `params`."""
    layers = check_layers(layers)
    if not isinstance(caches, (list, tuple)) or len(caches) != len(layers):
        raise ValueError(
            f"caches: expected {len(layers)} caches from forward, got {checks.describe(caches)}"
        )
    dY = checks.as_float_array("dY", dY, keep_float=True)
    grads = [()] * len(layers)
    for i in reversed(range(len(layers))):
        dY, *grads[i] = layers[i].backward(dY, caches[i])
    return dY, grads
