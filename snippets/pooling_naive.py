"""Max and average pooling one output pixel at a time: the loops that `snippets.pooling` vectorizes.

Written the way PyTorch's CPU kernels work: for each output pixel, clip its window to the input,
then scan it (max: row by row, a strictly larger value replaces the running maximum, so ties keep
the first) or sum it (average: divided by the window size with `count_include_pad`, else by its
real cells). Same arguments, checks and results as `max_pool2d`, `avg_pool2d` and their backward
passes in `snippets.pooling`, and tested equal to them; importable from `snippets.pooling` too.
"""

from __future__ import annotations

import numpy as np

from snippets import checks
from snippets.pooling_geometry import Pair, check_avg_backward, check_grad, check_input


# --8<-- [start:max_naive]
def _argmax_naive(x: np.ndarray, a: int, b: int, k: Pair, s: Pair, p: Pair, d: Pair):
    """(h, w) of the first maximum of window (a, b) of the 2-D map x, scanning its taps row by
    row (taps d apart); None if every tap is padding (possible only when dilated)."""
    h0, w0 = a * s[0] - p[0], b * s[1] - p[1]
    best, where = -np.inf, None
    for h in range(h0, h0 + d[0] * (k[0] - 1) + 1, d[0]):
        for w in range(w0, w0 + d[1] * (k[1] - 1) + 1, d[1]):
            # padding cells are skipped: they can never win; strict >: ties keep the first
            if 0 <= h < x.shape[0] and 0 <= w < x.shape[1] and x[h, w] > best:
                best, where = x[h, w], (h, w)
    return where


def max_pool2d_naive(
    X, kernel_size, stride=None, padding=0, ceil_mode=False, dilation=1
) -> np.ndarray:
    """`max_pool2d`, one output pixel at a time."""
    X4, unbatched, k, s, p, d, out = check_input(
        X, kernel_size, stride, padding, ceil_mode, dilation
    )
    Y = np.full((*X4.shape[:2], *out), -np.inf, dtype=X4.dtype)
    for n, c, a, b in np.ndindex(Y.shape):
        where = _argmax_naive(X4[n, c], a, b, k, s, p, d)
        if where is not None:
            Y[n, c, a, b] = X4[n, c][where]
    return Y[0] if unbatched else Y


def max_pool2d_backward_naive(
    dY, X, kernel_size, stride=None, padding=0, ceil_mode=False, dilation=1
) -> np.ndarray:
    """`max_pool2d_backward`, one output pixel at a time."""
    X4, unbatched, k, s, p, d, out = check_input(
        X, kernel_size, stride, padding, ceil_mode, dilation
    )
    dY4 = check_grad(dY, X4.shape, out, unbatched).astype(X4.dtype)
    dX = np.zeros_like(X4)
    for n, c, a, b in np.ndindex(dY4.shape):
        where = _argmax_naive(X4[n, c], a, b, k, s, p, d)
        if where is not None:
            dX[(n, c, *where)] += dY4[n, c, a, b]  # the winner takes the whole gradient
    return dX[0] if unbatched else dX


# --8<-- [end:max_naive]


# --8<-- [start:avg_naive]
def _avg_window(a: int, b: int, H: int, W: int, k: Pair, s: Pair, p: Pair, count_include_pad):
    """Window (a, b) clipped to the input, (h0, h1, w0, w1), and what it divides by."""
    h0, w0 = a * s[0] - p[0], b * s[1] - p[1]
    h1, w1 = min(h0 + k[0], H + p[0]), min(w0 + k[1], W + p[1])
    pool_size = (h1 - h0) * (w1 - w0)  # counted before clipping: includes padding cells
    h0, w0, h1, w1 = max(h0, 0), max(w0, 0), min(h1, H), min(w1, W)
    return (h0, h1, w0, w1), (pool_size if count_include_pad else (h1 - h0) * (w1 - w0))


def avg_pool2d_naive(
    X, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True
) -> np.ndarray:
    """`avg_pool2d`, one output pixel at a time (all samples and channels at once)."""
    X4, unbatched, k, s, p, _, out = check_input(X, kernel_size, stride, padding, ceil_mode)
    count_include_pad = checks.flag("count_include_pad", count_include_pad)
    H, W = X4.shape[2:]
    Y = np.empty((*X4.shape[:2], *out), dtype=X4.dtype)
    for a, b in np.ndindex(out):
        (h0, h1, w0, w1), d = _avg_window(a, b, H, W, k, s, p, count_include_pad)
        Y[:, :, a, b] = X4[:, :, h0:h1, w0:w1].sum(axis=(2, 3)) / d
    return Y[0] if unbatched else Y


def avg_pool2d_backward_naive(
    dY, X_shape, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True
) -> np.ndarray:
    """`avg_pool2d_backward`, one output pixel at a time (all samples and channels at once)."""
    dY4, shape4, unbatched, k, s, p, out, count_include_pad = check_avg_backward(
        dY, X_shape, kernel_size, stride, padding, ceil_mode, count_include_pad
    )
    dX = np.zeros(shape4, dtype=dY4.dtype)
    for a, b in np.ndindex(out):
        (h0, h1, w0, w1), d = _avg_window(a, b, *shape4[2:], k, s, p, count_include_pad)
        dX[:, :, h0:h1, w0:w1] += dY4[:, :, a, b, None, None] / d  # spread over real cells
    return dX[0] if unbatched else dX


# --8<-- [end:avg_naive]
