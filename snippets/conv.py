"""2-D convolution in numpy, forward and backward, with the semantics of PyTorch's `F.conv2d`.

`conv2d(X, W, b, stride, padding, dilation, groups)` is a cross-correlation (the kernel is not
flipped) of `X` (N, C_in, H, W), or unbatched (C_in, H, W), with `W` (C_out, C_in / groups,
kh, kw), zero padding, a stride and a dilation per axis, and groups: group g's input channels
[g·C_in/G, (g+1)·C_in/G) feed only its output channels [g·C_out/G, (g+1)·C_out/G).
`conv2d_backward` returns the gradients with respect to X, W and b, and `conv2d_naive` loops over
output pixels and kernel taps (tested equal to `conv2d`). A 1-D convolution is a 2-D one of
height 1 (`snippets.conv_stack` uses it so). The vectorized versions read every output's taps as
one `sliding_window_view` (no copy) and contract it with `einsum`; the only Python loop left is
the backward pass's over the kh·kw taps.

dtype: float arrays keep their dtype and the result has `np.result_type(X, W, b)`, so float32 in
gives float32 out as in PyTorch; integer arrays become float64. (PyTorch refuses mixed dtypes;
here they promote.)
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from snippets import checks

Pads = tuple[tuple[int, int], tuple[int, int]]  # ((top, bottom), (left, right))


def _padding(padding, k, s, d) -> Pads:
    """An int, an (h, w) pair, "valid" (no padding) or "same" (stride 1 only; the output has the
    input's size, an odd total padding puts its extra cell at the bottom/right, as PyTorch)."""
    if isinstance(padding, str):
        if checks.choice("padding", padding, ("same", "valid")) == "valid":
            return (0, 0), (0, 0)
        if s != (1, 1):
            raise ValueError(f"padding: 'same' needs stride 1 (as in PyTorch), got stride {s}")
        total = [di * (ki - 1) for ki, di in zip(k, d)]
        return tuple((t // 2, t - t // 2) for t in total)
    ph, pw = checks.pair("padding", padding, 0)
    return (ph, ph), (pw, pw)


def _check(X, W, b, stride, padding, dilation, groups):
    """The arguments of a convolution, checked: X as a 4-D array, whether it came 3-D, W, b,
    the pairs s and d, the paddings, the groups and the output size (oh, ow)."""
    X = checks.float_array("X", X)
    if X.ndim not in (3, 4) or min(X.shape[-3:]) < 1:
        raise ValueError(
            f"X: expected a 4-D (N, C_in, H, W) or 3-D (C_in, H, W) array with non-zero "
            f"C_in, H and W, got shape {X.shape}"
        )
    unbatched = X.ndim == 3
    X = X[None] if unbatched else X
    W = checks.float_array("W", W)
    if W.ndim != 4 or min(W.shape) < 1:
        raise ValueError(f"W: expected a 4-D array (C_out, C_in / groups, kh, kw), got {W.shape}")
    G = checks.integer("groups", groups, minimum=1)
    C, O = X.shape[1], W.shape[0]
    if C % G or O % G:
        raise ValueError(
            f"groups: expected a divisor of C_in = {C} and of C_out = {O}, got {groups}"
        )
    if W.shape[1] != C // G:
        raise ValueError(
            f"W: expected shape ({O}, {C // G}, kh, kw): C_in / groups = {C} / {G} input "
            f"channels per group, got {W.shape}"
        )
    if b is not None:
        b = checks.float_array("b", b)
        if b.shape != (O,):
            raise ValueError(f"b: expected shape ({O},) (one per output channel), got {b.shape}")
    s = checks.pair("stride", stride, 1)
    d = checks.pair("dilation", dilation, 1)
    k = W.shape[2:]
    pads = _padding(padding, k, s, d)
    span = [di * (ki - 1) + 1 for ki, di in zip(k, d)]  # the effective kernel
    out = tuple((n + sum(p) - e) // si + 1 for n, p, e, si in zip(X.shape[2:], pads, span, s))
    if min(out) < 1:
        raise ValueError(
            f"X: spatial size {X.shape[2:]} is too small for kernel {k} with dilation {d} "
            f"(effective kernel {tuple(span)}) and padding {pads}"
        )
    return X, unbatched, W, b, s, pads, d, G, out


# --8<-- [start:windows]
def _windows(X: np.ndarray, k, s, pads: Pads, d) -> np.ndarray:
    """View (N, C, oh, ow, kh, kw) of the zero-padded X, no copy: entry [n, c, a, b, i, j] is
    the pixel that tap (i, j) of output (a, b) reads, X[n, c, a·s_h − top + i·d_h, ...]."""
    Xp = np.pad(X, ((0, 0), (0, 0), *pads))
    span = tuple(di * (ki - 1) + 1 for ki, di in zip(k, d))
    win = sliding_window_view(Xp, span, axis=(2, 3))  # every window start, every pixel in it
    return win[:, :, :: s[0], :: s[1], :: d[0], :: d[1]]  # every s-th start, every d-th pixel


# --8<-- [end:windows]


def conv2d(X, W, b=None, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
    """Convolution (cross-correlation) with the semantics of `torch.nn.functional.conv2d`.

    Parameters
    ----------
    X : array (N, C_in, H, W) or (C_in, H, W)
    W : array (C_out, C_in / groups, kh, kw)
    b : array (C_out,) or None
    stride, dilation : int or (h, w) pair of ints >= 1
    padding : int or (h, w) pair of ints >= 0 (zeros), "valid" (= 0) or "same" (stride 1 only)
    groups : int dividing C_in and C_out

    Returns
    -------
    Y : array (N, C_out, oh, ow) or (C_out, oh, ow), oh = ⌊(H + p_top + p_bottom − d_h(kh − 1)
        − 1) / s_h⌋ + 1 (likewise ow)

    Notes
    -----
    :math:`Y_{n,o,a,b} = b_o + \\sum_{c,i,j} W_{o,c,i,j}\\,
    X_{n,\\, gC' + c,\\, a s_h - p + i d_h,\\, b s_w - p + j d_w}` with
    :math:`g = \\lfloor o / (C_{out}/G) \\rfloor`, :math:`C' = C_{in}/G`
    and X zero outside the image.
    """
    X, unbatched, W, b, s, pads, d, G, out = _check(X, W, b, stride, padding, dilation, groups)
    # --8<-- [start:conv2d]
    N, C = X.shape[:2]
    O = W.shape[0]
    win = _windows(X, W.shape[2:], s, pads, d)  # (N, C_in, oh, ow, kh, kw)
    win = win.reshape(N, G, C // G, *win.shape[2:])  # channels split into groups: still a view
    Wg = W.reshape(G, O // G, *W.shape[1:])  # (G, C_out/G, C_in/G, kh, kw)
    Y = np.einsum("ngchwij,gocij->ngohw", win, Wg, optimize=True).reshape(N, O, *out)
    if b is not None:
        Y = Y + b[:, None, None]
    # --8<-- [end:conv2d]
    return Y[0] if unbatched else Y


def conv2d_backward(dY, X, W, stride=1, padding=0, dilation=1, groups=1):
    """Gradients of a loss with respect to X, W and b, given dY = its gradient w.r.t. `conv2d`.

    Parameters
    ----------
    dY : array shaped like `conv2d(X, W, ...)`
    X, W, stride, padding, dilation, groups : as in `conv2d`

    Returns
    -------
    dX : array shaped like X
    dW : array shaped like W
    db : array (C_out,), the gradient of a bias (whether or not the forward pass had one)

    Notes
    -----
    :math:`\\partial L/\\partial W_{o,c,i,j} = \\sum_{n,a,b} \\partial L/\\partial Y_{n,o,a,b}\\,
    X_{n,gC'+c,\\, a s_h - p + i d_h,\\, \\dots}` (dY correlated with X's windows),
    :math:`\\partial L/\\partial b_o = \\sum_{n,a,b} \\partial L/\\partial Y_{n,o,a,b}`, and
    :math:`\\partial L/\\partial X` is the transposed convolution: each tap (i, j) sends dY back
    through :math:`W_{:,:,i,j}` to the pixels it read; a pixel read by several taps adds up.
    """
    X, unbatched, W, _, s, pads, d, G, out = _check(X, W, None, stride, padding, dilation, groups)
    dY = checks.float_array("dY", dY)
    want = (W.shape[0], *out) if unbatched else (X.shape[0], W.shape[0], *out)
    if dY.shape != want:
        raise ValueError(f"dY: expected shape {want} (the output of conv2d), got {dY.shape}")
    dY = dY[None] if unbatched else dY
    # --8<-- [start:conv2d_backward]
    N, C, H, Wd = X.shape
    O, _, kh, kw = W.shape
    dYg = dY.reshape(N, G, O // G, *out)  # (N, G, C_out/G, oh, ow)
    Wg = W.reshape(G, O // G, *W.shape[1:])  # (G, C_out/G, C_in/G, kh, kw)
    win = _windows(X, (kh, kw), s, pads, d).reshape(N, G, C // G, *out, kh, kw)
    dW = np.einsum("ngohw,ngchwij->gocij", dYg, win, optimize=True).reshape(W.shape)
    db = dY.sum(axis=(0, 2, 3))
    (top, bottom), (left, right) = pads
    dXp = np.zeros((N, C, H + top + bottom, Wd + left + right), np.result_type(dY, W))
    for i, j in np.ndindex(kh, kw):
        # the pixels tap (i, j) read: from (i·d_h, j·d_w) on, every s-th, one per output pixel
        rows = slice(i * d[0], i * d[0] + s[0] * (out[0] - 1) + 1, s[0])
        cols = slice(j * d[1], j * d[1] + s[1] * (out[1] - 1) + 1, s[1])
        back = np.einsum("ngohw,goc->ngchw", dYg, Wg[..., i, j], optimize=True)
        dXp[:, :, rows, cols] += back.reshape(N, C, *out)
    dX = dXp[:, :, top : top + H, left : left + Wd]  # gradient on the padding is dropped
    # --8<-- [end:conv2d_backward]
    return (dX[0] if unbatched else dX), dW, db


def conv2d_naive(X, W, b=None, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
    """`conv2d` one output pixel and one kernel tap at a time, reading X directly (a tap that
    lands in the padding adds nothing); every sample and channel of a group at once."""
    X, unbatched, W, b, s, pads, d, G, out = _check(X, W, b, stride, padding, dilation, groups)
    # --8<-- [start:conv2d_naive]
    N, C, H, Wd = X.shape
    O, Cg, kh, kw = W.shape
    Og = O // G
    Y = np.zeros((N, O, *out), np.result_type(X, W))
    for g in range(G):
        ins, outs = slice(g * Cg, (g + 1) * Cg), slice(g * Og, (g + 1) * Og)
        for a, c in np.ndindex(*out):
            for i, j in np.ndindex(kh, kw):
                h = a * s[0] - pads[0][0] + i * d[0]
                w = c * s[1] - pads[1][0] + j * d[1]
                if 0 <= h < H and 0 <= w < Wd:
                    # (N, C_in/G) @ (C_in/G, C_out/G): the group's samples and channels at once
                    Y[:, outs, a, c] += X[:, ins, h, w] @ W[outs, :, i, j].T
    if b is not None:
        Y = Y + b[:, None, None]
    # --8<-- [end:conv2d_naive]
    return Y[0] if unbatched else Y
