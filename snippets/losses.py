"""Loss functions: the value and its gradient with respect to the network's output."""

from __future__ import annotations

import numpy as np

from snippets import checks


def _pair(A, T) -> tuple[np.ndarray, np.ndarray]:
    A = checks.as_float_array("A", A, ndim=2, min_rows=1)
    T = checks.as_float_array("T", T, ndim=2)
    if T.shape != A.shape:
        raise ValueError(f"T: expected shape {A.shape} (the network output), got {T.shape}")
    return A, T


def mse_loss(A, T) -> float:
    """Mean over the N samples of ½‖T − A‖² (sum over outputs, mean over samples).

    Notes
    -----
    :math:`L = \\frac{1}{N} \\sum_n \\tfrac12 \\lVert t_n - a_n \\rVert^2`, so
    :math:`\\partial L / \\partial A = (A - T) / N`.
    """
    A, T = _pair(A, T)
    return float(REGISTRY["mse"][0](A, T))


def mse_grad(A, T) -> np.ndarray:
    """∂L/∂A = (A − T) / N for `mse_loss`."""
    A, T = _pair(A, T)
    return REGISTRY["mse"][1](A, T)


# name -> (L(A, T), dL/dA(A, T)) as plain math: `training.train` checks its data once and calls
# these in its loop; the functions above check their input and call them
REGISTRY = {
    "mse": (
        lambda A, T: 0.5 * np.sum((T - A) ** 2) / A.shape[0],
        lambda A, T: (A - T) / A.shape[0],
    ),
}
LOSSES = tuple(REGISTRY)


def accuracy(A, y) -> float:
    """Share of correct predictions: `A` of shape (N, 1) is thresholded at 0.5 against labels
    `y` in {0, 1}; `A` of shape (N, K) is compared by argmax against labels 0..K-1."""
    A = checks.as_float_array("A", A, ndim=2, min_rows=1)
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.shape != (A.shape[0],):
        raise ValueError(f"y: expected shape ({A.shape[0]},) of labels, got {y.shape}")
    pred = (A[:, 0] > 0.5).astype(int) if A.shape[1] == 1 else A.argmax(axis=1)
    return float(np.mean(pred == y))


def one_hot(y, k: int) -> np.ndarray:
    """Labels 0..k-1 of shape (N,) as a one-hot array of shape (N, k)."""
    k = checks.positive_int("k", k)
    y = np.asarray(y)
    if (
        y.ndim != 1
        or not np.issubdtype(y.dtype, np.integer)
        or y.min(initial=0) < 0
        or (y.max(initial=0) >= k)
    ):
        raise ValueError(f"y: expected a 1-D array of integer labels in 0..{k - 1}, got {y!r}")
    out = np.zeros((y.size, k))
    out[np.arange(y.size), y] = 1.0
    return out
