"""Max and average pooling in numpy, forward and backward, with PyTorch's semantics (DL0009).

`max_pool2d` and `avg_pool2d` take `X` of shape `(N, C, H, W)` (or `(C, H, W)`) and follow
`torch.nn.functional` exactly where it matters: padding is −∞ for max and 0 for average, the
divisor with and without `count_include_pad`, the extra window of `ceil_mode`, the first maximum
of a window winning ties, and overlapping windows adding their gradients. `max_pool2d` also
takes PyTorch's `dilation` (after `ceil_mode`, keeping the older positional order); average
pooling has none, as in PyTorch. These versions loop
only over the kH·kW offsets inside a window. The loops over every output pixel, the way
PyTorch's CPU kernels work, are in `snippets.pooling_naive` (tested equal); the window geometry
(output size, divisors, input checks) is in `snippets.pooling_geometry`. Both are importable
from here.
"""

from __future__ import annotations

import numpy as np

from snippets import checks
from snippets.pooling_geometry import (
    Pair,
    check_avg_backward,
    check_grad,
    check_input,
    pool_divisors,
    pool_output_size,  # noqa: F401  (public path)
)
from snippets.pooling_naive import (  # noqa: F401  (public path)
    avg_pool2d_backward_naive,
    avg_pool2d_naive,
    max_pool2d_backward_naive,
    max_pool2d_naive,
)

# ---------------------------------------------------------------------------------------------
# Pad once, then one strided view per offset (i, j) inside the window.


# --8<-- [start:views]
def _pad(X: np.ndarray, k: Pair, s: Pair, p: Pair, out: Pair, fill: float) -> np.ndarray:
    """X with `p` cells of `fill` on the top/left, and on the bottom/right
    enough for every window of span `k` (a ceil_mode window may run past
    the padding); X itself when nothing needs adding."""
    N, C, H, W = X.shape
    Hp = max(H + 2 * p[0], (out[0] - 1) * s[0] + k[0])
    Wp = max(W + 2 * p[1], (out[1] - 1) * s[1] + k[1])
    if (Hp, Wp) == (H, W):
        return X
    P = np.full((N, C, Hp, Wp), fill, dtype=X.dtype)
    P[:, :, p[0] : p[0] + H, p[1] : p[1] + W] = X
    return P


def _at(P: np.ndarray, i: int, j: int, s: Pair, out: Pair) -> np.ndarray:
    """View of shape (N, C, oh, ow): cell (i, j) of every window of the padded P."""
    rows = slice(i, i + s[0] * (out[0] - 1) + 1, s[0])
    cols = slice(j, j + s[1] * (out[1] - 1) + 1, s[1])
    return P[:, :, rows, cols]


def _crop(G: np.ndarray, p: Pair, H: int, W: int) -> np.ndarray:
    return G[:, :, p[0] : p[0] + H, p[1] : p[1] + W]


# --8<-- [end:views]


def max_pool2d(
    X, kernel_size, stride=None, padding=0, ceil_mode: bool = False, dilation=1
) -> np.ndarray:
    """Max pooling with the semantics of `torch.nn.functional.max_pool2d`.

    Parameters
    ----------
    X : array of shape (N, C, H, W) or (C, H, W)
        Float dtypes are kept; integers become float64. Must be finite.
    kernel_size, stride, padding : int or (h, w) pair of ints
        `stride` defaults to `kernel_size`; `padding` is at most `kernel_size // 2`.
    ceil_mode : bool
        Round the number of windows up, adding a last window that may hang over the edge.
    dilation : int or (h, w) pair of ints
        Distance between a window's taps (PyTorch's `dilation`, last here so that the older
        positional order is kept): the window spans d·(k − 1) + 1 cells and padding may be up
        to half of that.

    Returns
    -------
    Y : array of shape (N, C, oh, ow) or (C, oh, ow), same dtype as X

    Notes
    -----
    :math:`Y_{n,c,a,b} = \\max_{(h,w) \\in R_{ab}} X_{n,c,h,w}` where :math:`R_{ab}` is window
    :math:`(a, b)` clipped to the input (padding is :math:`-\\infty`, so it never wins).
    The gradient is :math:`\\partial L/\\partial X_{h,w} = \\sum_{(a,b):\\, (h,w) = w^*_{ab}}
    \\partial L/\\partial Y_{ab}`, with :math:`w^*_{ab}` the first maximum of :math:`R_{ab}` in
    row-major order.
    """
    X, unbatched, k, s, p, d, out = check_input(
        X, kernel_size, stride, padding, ceil_mode, dilation
    )
    # --8<-- [start:max_forward]
    span = (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)  # a dilated window's extent
    P = _pad(X, span, s, p, out, -np.inf)  # padding never wins
    Y = _at(P, 0, 0, s, out).copy()
    for i in range(k[0]):
        for j in range(k[1]):
            np.maximum(Y, _at(P, i * d[0], j * d[1], s, out), out=Y)
    # --8<-- [end:max_forward]
    return Y[0] if unbatched else Y


def max_pool2d_backward(
    dY, X, kernel_size, stride=None, padding=0, ceil_mode: bool = False, dilation=1
) -> np.ndarray:
    """Gradient of a loss with respect to `X`, given `dY` = its gradient w.r.t. `max_pool2d(X)`.

    Parameters
    ----------
    dY : array shaped like `max_pool2d(X, ...)`
    X, kernel_size, stride, padding, ceil_mode, dilation : as in `max_pool2d`

    Returns
    -------
    dX : array shaped like X, in X's dtype

    Notes
    -----
    Each window's :math:`\\partial L/\\partial Y_{ab}` goes whole to the window's first maximum
    (row-major); an element that wins several overlapping windows receives their sum, and every
    other element receives 0.
    """
    X, unbatched, k, s, p, d, out = check_input(
        X, kernel_size, stride, padding, ceil_mode, dilation
    )
    dY = check_grad(dY, X.shape, out, unbatched).astype(X.dtype, copy=False)
    # --8<-- [start:max_backward]
    Y = max_pool2d(X, k, s, p, ceil_mode, d)
    span = (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)
    P = _pad(X, span, s, p, out, -np.inf)
    # the winner of each window: the first tap i·kW + j (row-major) whose cell equals the
    # maximum; walk the taps backwards so that the earliest match is written last
    offsets = [(i * d[0], j * d[1]) for i in range(k[0]) for j in range(k[1])]
    last = len(offsets) - 1
    winner = np.full(Y.shape, last, dtype=np.min_scalar_type(last))
    for n in range(last - 1, -1, -1):
        np.copyto(winner, n, where=_at(P, *offsets[n], s, out) == Y)
    # each window's gradient goes to its winner; windows sharing a winner add up
    N, C, H, W = X.shape
    G = _pad(np.zeros((N, C, H, W), dY.dtype), span, s, p, out, 0.0)
    for n, (i, j) in enumerate(offsets):
        # within one offset the positions are distinct, so += never collides
        _at(G, i, j, s, out)[...] += dY * (winner == n)
    dX = _crop(G, p, H, W)
    # --8<-- [end:max_backward]
    return dX[0] if unbatched else dX


def avg_pool2d(
    X,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> np.ndarray:
    """Average pooling with the semantics of `torch.nn.functional.avg_pool2d`.

    Parameters
    ----------
    X : array of shape (N, C, H, W) or (C, H, W)
    kernel_size, stride, padding, ceil_mode : as in `max_pool2d` (padding is zeros here)
    count_include_pad : bool
        Divide by the window size including zero padding (True) or by the number of real input
        cells in the window (False).

    Returns
    -------
    Y : array of shape (N, C, oh, ow) or (C, oh, ow), same dtype as X

    Notes
    -----
    For window :math:`(a, b)` starting at :math:`h_0 = a s - p` with
    :math:`h_1 = \\min(h_0 + k, H + p)` (likewise :math:`w_0, w_1`),
    :math:`Y_{ab} = \\frac{1}{d_{ab}} \\sum_{h=\\max(h_0,0)}^{\\min(h_1,H)-1}
    \\sum_{w=\\max(w_0,0)}^{\\min(w_1,W)-1} X_{hw}`, where :math:`d_{ab} = (h_1-h_0)(w_1-w_0)`
    with `count_include_pad`, else the number of cells in the clipped window. The gradient is
    :math:`\\partial L/\\partial X_{hw} = \\sum_{(a,b) \\ni (h,w)} \\partial L/\\partial Y_{ab}
    / d_{ab}`.
    """
    X, unbatched, k, s, p, _, out = check_input(X, kernel_size, stride, padding, ceil_mode)
    count_include_pad = checks.flag("count_include_pad", count_include_pad)
    # --8<-- [start:avg_forward]
    acc = np.promote_types(X.dtype, np.float32)  # float16 sums in float32, as PyTorch does
    P = _pad(X, k, s, p, out, 0.0)  # zeros add nothing to a sum
    S = np.zeros((X.shape[0], X.shape[1], *out), dtype=acc)
    for i in range(k[0]):
        for j in range(k[1]):
            S += _at(P, i, j, s, out)
    # the window is a rectangle: its divisor is (row divisor) · (column divisor)
    H, W = X.shape[2:]
    D = np.outer(
        pool_divisors(H, k[0], s[0], p[0], ceil_mode, count_include_pad),
        pool_divisors(W, k[1], s[1], p[1], ceil_mode, count_include_pad),
    )
    Y = (S / D.astype(acc)).astype(X.dtype)
    # --8<-- [end:avg_forward]
    return Y[0] if unbatched else Y


def avg_pool2d_backward(
    dY,
    X_shape,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> np.ndarray:
    """Gradient with respect to the input of `avg_pool2d`, which needs only the input's shape.

    Parameters
    ----------
    dY : array shaped like `avg_pool2d(X, ...)`
    X_shape : (N, C, H, W) or (C, H, W)
    kernel_size, stride, padding, ceil_mode, count_include_pad : as in `avg_pool2d`

    Returns
    -------
    dX : array of shape X_shape, in dY's dtype (float64 for integer dY)

    Notes
    -----
    :math:`\\partial L/\\partial X_{hw} = \\sum_{(a,b) \\ni (h,w)} \\partial L/\\partial Y_{ab}
    / d_{ab}`: each window spreads its gradient evenly over its real input cells.
    """
    dY, shape, unbatched, k, s, p, out, count_include_pad = check_avg_backward(
        dY, X_shape, kernel_size, stride, padding, ceil_mode, count_include_pad
    )
    # --8<-- [start:avg_backward]
    N, C, H, W = shape
    D = np.outer(
        pool_divisors(H, k[0], s[0], p[0], ceil_mode, count_include_pad),
        pool_divisors(W, k[1], s[1], p[1], ceil_mode, count_include_pad),
    )
    g = dY / D.astype(dY.dtype)  # each window's share per cell
    G = _pad(np.zeros((N, C, H, W), dY.dtype), k, s, p, out, 0.0)
    for i in range(k[0]):
        for j in range(k[1]):
            _at(G, i, j, s, out)[...] += g  # padding cells collect gradient that is cropped
    dX = _crop(G, p, H, W)
    # --8<-- [end:avg_backward]
    return dX[0] if unbatched else dX
