"""Layer normalization and group normalization, forward and backward, as PyTorch's
`F.layer_norm` and `F.group_norm`: statistics over each sample's own values (never over the
batch), so training and inference compute the same thing and the batch size does not matter.

- `layer_norm` normalizes over the last dimensions, `normalized_shape` (a transformer's
  features); its weight and bias have that shape, one value per normalized element.
- `group_norm` splits the C channels of an (N, C, ...) input into `num_groups` groups and
  normalizes each group of each sample over its channels and positions; weight and bias have one
  value per channel. One group is layer norm over (C, H, W); C groups is instance norm.

As in PyTorch: the variance is biased, float32 stays float32, eps = 0 is accepted (a constant
group then gives 0 · ∞ = NaN), an empty input or a 0 in `normalized_shape` gives an empty output.
Deliberate departures, for numpy convenience: integer arrays are accepted and computed in
float64 (PyTorch refuses integer tensors), a weight or bias of another float dtype is cast to X's
(PyTorch refuses mixed dtypes), and NaN or inf input raises instead of propagating.
"""

from __future__ import annotations

import numpy as np

from snippets import checks


def _shape(normalized_shape, X: np.ndarray) -> tuple[int, ...]:
    shape = (normalized_shape,) if checks.is_int(normalized_shape) else normalized_shape
    if not isinstance(shape, (tuple, list)) or not shape:
        raise TypeError(
            f"normalized_shape: expected an int or a non-empty tuple of ints, got "
            f"{checks.describe(normalized_shape)}"
        )
    shape = tuple(checks.integer("normalized_shape", s, minimum=0) for s in shape)
    if X.shape[X.ndim - len(shape) :] != shape or X.ndim < len(shape):
        raise ValueError(
            f"normalized_shape: expected the last dimensions of X {X.shape}, got {shape}"
        )
    return shape


def _affine(name: str, value, shape: tuple[int, ...], dtype) -> np.ndarray | None:
    if value is None:
        return None
    arr = checks.float_array(name, value)
    if arr.shape != shape:
        raise ValueError(f"{name}: expected shape {shape}, got {arr.shape}")
    return arr.astype(dtype, copy=False)


def _normalize(Xg: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """x̂ and 1/σ over the last axis of `Xg` (one row per normalized group)."""
    # eps = 0 on a constant row: 0 · inf = NaN, as in PyTorch, without numpy's warnings
    with np.errstate(divide="ignore", invalid="ignore"):
        # --8<-- [start:normalize]
        mean = Xg.mean(axis=-1, keepdims=True)
        var = ((Xg - mean) ** 2).mean(axis=-1, keepdims=True)  # biased, as PyTorch
        inv_std = 1.0 / np.sqrt(var + eps)
        return (Xg - mean) * inv_std, inv_std
        # --8<-- [end:normalize]


def _dnormalized(dXhat: np.ndarray, x_hat: np.ndarray, inv_std: np.ndarray) -> np.ndarray:
    """∂L/∂x from ∂L/∂x̂, each row normalized on its own: (1/σ)(g − mean g − x̂ mean(g x̂))."""
    # --8<-- [start:dnormalized]
    return inv_std * (
        dXhat - dXhat.mean(axis=-1, keepdims=True) - x_hat * (dXhat * x_hat).mean(-1, keepdims=True)
    )
    # --8<-- [end:dnormalized]


def _upstream(dY, X: np.ndarray) -> np.ndarray:
    """dL/dY, checked against the input it flows back to."""
    dY = checks.float_array("dY", dY)
    if dY.shape != X.shape:
        raise ValueError(f"dY: expected the shape of X {X.shape}, got {dY.shape}")
    return dY


def _empty_grads(X, w, b):
    """No values to normalize: zero gradients (PyTorch's sums over nothing)."""
    return (np.zeros_like(X),) + tuple(None if a is None else np.zeros_like(a) for a in (w, b))


def layer_norm(X, normalized_shape, weight=None, bias=None, eps=1e-5) -> np.ndarray:
    """(X − mean) / √(var + eps) · weight + bias, mean and biased var over the last
    `normalized_shape` dimensions of each sample; float dtypes are kept.

    Notes
    -----
    :math:`y = \\frac{x - \\mu}{\\sqrt{\\sigma^2 + \\epsilon}} \\odot \\gamma + \\beta`, with
    :math:`\\mu, \\sigma^2` over the normalized elements of one sample.
    """
    X = checks.float_array("X", X)
    shape = _shape(normalized_shape, X)
    w = _affine("weight", weight, shape, X.dtype)
    b = _affine("bias", bias, shape, X.dtype)
    eps = checks.non_negative("eps", eps)
    # --8<-- [start:layer_norm]
    if X.size == 0:
        return X.copy()
    rows = X.reshape(-1, int(np.prod(shape)))  # one row per sample (and leading position)
    x_hat = _normalize(rows, eps)[0].reshape(X.shape)
    Y = x_hat if w is None else x_hat * w
    return Y if b is None else Y + b
    # --8<-- [end:layer_norm]


def layer_norm_backward(dY, X, normalized_shape, weight=None, bias=None, eps=1e-5):
    """(dX, dweight, dbias) of `layer_norm`; dweight (dbias) is None without a weight (bias)."""
    X = checks.float_array("X", X)
    shape = _shape(normalized_shape, X)
    w = _affine("weight", weight, shape, X.dtype)
    b = _affine("bias", bias, shape, X.dtype)
    dY = _upstream(dY, X)
    eps = checks.non_negative("eps", eps)
    if X.size == 0:
        return _empty_grads(X, w, b)
    # --8<-- [start:layer_norm_backward]
    k = int(np.prod(shape))
    x_hat, inv_std = _normalize(X.reshape(-1, k), eps)
    g = dY.reshape(-1, k)
    dweight = None if w is None else (g * x_hat).sum(axis=0).reshape(shape)
    dbias = None if b is None else g.sum(axis=0).reshape(shape)
    dXhat = g if w is None else g * w.reshape(1, k)
    dX = _dnormalized(dXhat, x_hat, inv_std).reshape(X.shape)
    return dX, dweight, dbias
    # --8<-- [end:layer_norm_backward]


def _groups(X, num_groups) -> tuple[np.ndarray, int]:
    X = checks.float_array("X", X)
    if X.ndim < 2:
        raise ValueError(f"X: expected shape (N, C, ...), got {X.shape}")
    G = checks.positive_int("num_groups", num_groups)
    if X.shape[1] % G:
        raise ValueError(f"num_groups: expected a divisor of the {X.shape[1]} channels, got {G}")
    return X, G


def group_norm(X, num_groups, weight=None, bias=None, eps=1e-5) -> np.ndarray:
    """Each sample's channels split into `num_groups` groups, each group normalized over its
    channels and positions; then weight[c] · x̂ + bias[c] per channel. X: (N, C, ...)."""
    X, G = _groups(X, num_groups)
    C = X.shape[1]
    w = _affine("weight", weight, (C,), X.dtype)
    b = _affine("bias", bias, (C,), X.dtype)
    eps = checks.non_negative("eps", eps)
    # --8<-- [start:group_norm]
    if X.size == 0:
        return X.copy()
    per_channel = (1, C) + (1,) * (X.ndim - 2)  # weight[c] broadcast over positions
    x_hat = _normalize(X.reshape(X.shape[0], G, X[0].size // G), eps)[0].reshape(X.shape)
    Y = x_hat if w is None else x_hat * w.reshape(per_channel)
    return Y if b is None else Y + b.reshape(per_channel)
    # --8<-- [end:group_norm]


def group_norm_backward(dY, X, num_groups, weight=None, bias=None, eps=1e-5):
    """(dX, dweight, dbias) of `group_norm`; dweight (dbias) is None without a weight (bias)."""
    X, G = _groups(X, num_groups)
    C = X.shape[1]
    w = _affine("weight", weight, (C,), X.dtype)
    b = _affine("bias", bias, (C,), X.dtype)
    dY = _upstream(dY, X)
    eps = checks.non_negative("eps", eps)
    if X.size == 0:
        return _empty_grads(X, w, b)
    # --8<-- [start:group_norm_backward]
    N = X.shape[0]
    per_channel = (1, C) + (1,) * (X.ndim - 2)
    x_hat, inv_std = _normalize(X.reshape(N, G, X[0].size // G), eps)
    x_hat_full = x_hat.reshape(X.shape)
    others = (0,) + tuple(range(2, X.ndim))  # every axis but the channel's
    dweight = None if w is None else (dY * x_hat_full).sum(axis=others)
    dbias = None if b is None else dY.sum(axis=others)
    dXhat = dY if w is None else dY * w.reshape(per_channel)
    dX = _dnormalized(dXhat.reshape(x_hat.shape), x_hat, inv_std).reshape(X.shape)
    return dX, dweight, dbias
    # --8<-- [end:group_norm_backward]
