"""Finite-difference gradient checking shared by the test files (independent of the snippets'
own `numerical_gradient`, so a bug there cannot hide one in a backward pass)."""

from __future__ import annotations

import numpy as np


def numeric_grad(f, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Centred differences (f(x + h) − f(x − h)) / 2h of the scalar `f()` with respect to every
    entry of `x`, which `f` reads; `x` is perturbed in place and restored."""
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        up = f()
        x[idx] = old - h
        down = f()
        x[idx] = old
        g[idx] = (up - down) / (2 * h)
    return g


def rel_error(a, n) -> float:
    """‖a − n‖ / max(1e-8, ‖a‖ + ‖n‖) over all entries (the CS231n measure on the vector)."""
    a, n = np.ravel(a), np.ravel(n)
    return float(np.linalg.norm(a - n) / max(1e-8, np.linalg.norm(a) + np.linalg.norm(n)))


# The centred difference of a loss L carries rounding noise of about eps·|L|/h per entry
# (≈ 1e-11 for L ~ 1, h = 1e-5). Where the true gradient is itself tiny (a saturated tanh
# output), that noise dominates the relative error; this absolute allowance covers it while
# staying far below any gradient a bug would get wrong.
FD_NOISE = 1e-9


def assert_gradients_match(analytic, numeric, rtol: float = 1e-7, atol: float = FD_NOISE):
    """‖a − n‖ ≤ rtol·(‖a‖ + ‖n‖) + atol: the relative error, with room for the finite
    differences' own noise when the gradient vanishes."""
    a, n = np.ravel(analytic), np.ravel(numeric)
    diff, scale = np.linalg.norm(a - n), np.linalg.norm(a) + np.linalg.norm(n)
    assert diff <= rtol * scale + atol, (
        f"gradients differ: ‖a − n‖ = {diff:.3g}, ‖a‖ + ‖n‖ = {scale:.3g}, "
        f"relative error {rel_error(a, n):.3g} (allowed {rtol:g}, plus {atol:g} absolute)"
    )
