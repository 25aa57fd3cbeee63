"""Checking a backward pass against finite differences (CS231n's recipe, in float64).

`numerical_gradient` perturbs every entry of the given arrays in place, evaluates the loss
twice and restores the entry; `relative_error` compares the analytic and numerical gradients as
whole vectors.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from snippets import checks


def numerical_gradient(
    loss: Callable[[], float], arrays: list[np.ndarray], h: float = 1e-5
) -> list[np.ndarray]:
    """Centred differences (L(θ+h) − L(θ−h)) / 2h of `loss()` for every entry of `arrays`,
    which `loss` reads (they are changed in place and restored)."""
    checks.function("loss", loss, "a callable() -> float")
    h = checks.positive_float("h", h)
    if not isinstance(arrays, (list, tuple)) or not all(
        isinstance(a, np.ndarray) and a.dtype == np.float64 for a in arrays
    ):
        raise TypeError(f"arrays: expected a list of float64 arrays, got {checks.describe(arrays)}")
    # --8<-- [start:gradcheck]
    grads = []
    for theta in arrays:
        g = np.zeros_like(theta)
        for idx in np.ndindex(theta.shape):
            old = theta[idx]
            theta[idx] = old + h
            up = loss()
            theta[idx] = old - h
            down = loss()
            theta[idx] = old
            g[idx] = (up - down) / (2 * h)
        grads.append(g)
    return grads
    # --8<-- [end:gradcheck]


def relative_error(a, n) -> float:
    """‖a − n‖ / max(1e-8, ‖a‖ + ‖n‖) over the whole gradient vector.

    Measured on the vector, not entry by entry: finite differences carry an absolute round-off
    of about eps·|L|/h ≈ 1e-12, so an entry whose true value is near 1e-6 shows a relative error
    near 1e-6 however right the backward pass is (ML0034's figure shows this floor).
    """
    a = np.ravel(checks.as_float_array("a", a))
    n = np.ravel(checks.as_float_array("n", n))
    if a.shape != n.shape:
        raise ValueError(f"n: expected {a.size} entries to match a, got {n.size}")
    # --8<-- [start:relative_error]
    return float(np.linalg.norm(a - n) / max(1e-8, np.linalg.norm(a) + np.linalg.norm(n)))
    # --8<-- [end:relative_error]


def flatten(grads) -> np.ndarray:
    """Every entry of a list of (dW, db) pairs (or of arrays) as one vector."""
    parts = [item if isinstance(item, (list, tuple)) else (item,) for item in grads]
    return np.concatenate([np.ravel(g) for part in parts for g in part])
