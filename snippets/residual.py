"""A residual block, y = x + F(x), as one layer of the shared protocol (`snippets.layers`).

F is a list of layers (Dense, Activation, BatchNorm, ...). The shortcut is the identity when F
keeps the width, or a projection x W_s (a bias-free Dense, He et al.'s option B) when it does
not. The backward pass adds the two paths: ∂L/∂x = ∂L/∂y + (∂L/∂y through F), so the gradient
reaches x undiminished along the identity whatever F does to it.
"""

from __future__ import annotations

import numpy as np

from snippets import checks, layers


class Residual:
    """y = x + F(x), or y = x W_s + F(x) with a `projection` matrix W_s of shape (in, out).

    Notes
    -----
    :math:`\\partial L/\\partial x = \\partial L/\\partial y \\, (I + \\partial F/\\partial x)`
    (identity shortcut); with a projection the first term is
    :math:`\\partial L/\\partial y \\, W_s^\\top`, and :math:`\\partial L/\\partial W_s = x^\\top
    \\partial L/\\partial y`.
    """

    def __init__(self, inner, projection=None):
        self.inner = layers.check_layers(inner)
        self.projection = (
            None
            if projection is None
            else checks.as_float_array("projection", projection, ndim=2).copy()
        )

    @property
    def params(self) -> list[np.ndarray]:
        own = [] if self.projection is None else [self.projection]
        return [p for layer in self.inner for p in layer.params] + own

    # --8<-- [start:residual]
    def __call__(self, X, training: bool = True):
        Fx, caches = layers.forward(self.inner, X, training)
        need = (X.shape[1], Fx.shape[1])  # the projection x W_s that matches F(x)
        if self.projection is not None and self.projection.shape != need:
            raise ValueError(
                f"projection: expected shape {need} (input features, F's output features), "
                f"got {self.projection.shape}"
            )
        shortcut = X if self.projection is None else X @ self.projection
        if shortcut.shape != Fx.shape:
            raise ValueError(
                f"inner: F(x) has shape {Fx.shape} but the shortcut {shortcut.shape}; give a "
                f"projection of shape {need}"
            )
        return Fx + shortcut, (X, caches)

    def backward(self, dY, cache):
        X, caches = cache
        dX, grads = layers.backward(self.inner, caches, dY)  # the path through F
        flat = [g for layer_grads in grads for g in layer_grads]
        if self.projection is None:
            return (dX + dY, *flat)  # the identity passes dY on unchanged
        return (dX + dY @ self.projection.T, *flat, X.T @ dY)

    # --8<-- [end:residual]
