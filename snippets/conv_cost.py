"""Convolution arithmetic: the output size of a 2-D convolution, and what it costs in
parameters and multiply-adds, for standard, grouped, depthwise and depthwise-separable layers.

The output size is PyTorch's: ⌊(H + pad_top + pad_bottom − d(k − 1) − 1) / s⌋ + 1 per axis,
with `padding` an int, an (h, w) pair, "valid" or "same" (stride 1 only), as `conv2d` takes it.
Multiply-adds count every kernel tap of every output value, taps on padding included (the way
layer costs are usually quoted).

What the savings give up: a depthwise k×k convolution D followed by a pointwise 1×1
convolution P (no bias or activation between them) is one standard convolution with kernel
W[o, c] = P[o, c]·D[c] (`separable_kernel`), so for each input channel c the C_out × (kh·kw)
matrix W[:, c] has rank 1. `best_separable` finds the separable pair closest to any W in least
squares: the leading singular pair of each W[:, c] (Eckart–Young).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from snippets import checks
from snippets.conv import _padding


class Cost(NamedTuple):
    params: int  # weights and biases
    macs: int  # multiply-adds for one input image


def output_size(size, kernel_size, stride=1, padding=0, dilation=1) -> tuple[int, int]:
    """(H_out, W_out) of a convolution of an input of `size` = (H, W) (or an int for a square
    input); ValueError when the kernel's span does not fit the padded input."""
    H, W = checks.pair("size", size, 1)
    k = checks.pair("kernel_size", kernel_size, 1)
    s = checks.pair("stride", stride, 1)
    d = checks.pair("dilation", dilation, 1)
    pads = _padding(padding, k, s, d)
    # --8<-- [start:output_size]
    out = []
    for n, ki, si, di, (lo, hi) in zip((H, W), k, s, d, pads, strict=True):
        span = di * (ki - 1) + 1  # the positions one output reads
        if n + lo + hi < span:
            raise ValueError(
                f"kernel_size: a dilated span of {span} does not fit the padded input {n + lo + hi}"
            )
        out.append((n + lo + hi - span) // si + 1)
    return out[0], out[1]
    # --8<-- [end:output_size]


def conv2d_cost(c_in, c_out, kernel_size, out_size, groups=1, bias=True) -> Cost:
    """Parameters and multiply-adds of a conv2d layer with `groups` groups, producing an
    output of `out_size` = (H_out, W_out): each output value reads C_in/groups channels."""
    c_in = checks.positive_int("c_in", c_in)
    c_out = checks.positive_int("c_out", c_out)
    kh, kw = checks.pair("kernel_size", kernel_size, 1)
    oh, ow = checks.pair("out_size", out_size, 1)
    groups = checks.positive_int("groups", groups)
    bias = checks.flag("bias", bias)
    if c_in % groups or c_out % groups:
        raise ValueError(
            f"groups: expected a divisor of c_in = {c_in} and c_out = {c_out}, got {groups}"
        )
    # --8<-- [start:conv2d_cost]
    taps = (c_in // groups) * kh * kw  # what one output value reads
    params = c_out * taps + (c_out if bias else 0)
    return Cost(params=params, macs=oh * ow * c_out * taps)
    # --8<-- [end:conv2d_cost]


def separable_cost(c_in, c_out, kernel_size, out_size, bias=True) -> Cost:
    """A depthwise k×k convolution (one filter per channel, groups = C_in) followed by a
    pointwise 1×1 convolution to C_out channels (MobileNet's block), on the same output size.
    Against a standard convolution it costs about 1/C_out + 1/(kh·kw) as many multiply-adds."""
    depthwise = conv2d_cost(c_in, c_in, kernel_size, out_size, groups=c_in, bias=bias)
    pointwise = conv2d_cost(c_in, c_out, 1, out_size, bias=bias)
    return Cost(depthwise.params + pointwise.params, depthwise.macs + pointwise.macs)


def separable_kernel(D, P) -> np.ndarray:
    """The one standard kernel (C_out, C_in, kh, kw) that a depthwise convolution with weight
    `D` (C_in, 1, kh, kw) (groups = C_in) followed by a pointwise one with weight `P`
    (C_out, C_in, 1, 1) computes: W[o, c, i, j] = P[o, c]·D[c, 0, i, j]."""
    D, P = checks.float_array("D", D), checks.float_array("P", P)
    if D.ndim != 4 or D.shape[1] != 1 or min(D.shape) < 1:
        raise ValueError(f"D: expected a depthwise weight (C_in, 1, kh, kw), got {D.shape}")
    if P.ndim != 4 or P.shape[1:] != (D.shape[0], 1, 1) or P.shape[0] < 1:
        raise ValueError(
            f"P: expected a pointwise weight (C_out, {D.shape[0]}, 1, 1), got {P.shape}"
        )
    # --8<-- [start:separable_kernel]
    return P[:, :, 0, 0, None, None] * D[None, :, 0]  # (C_out, C_in, 1, 1) · (1, C_in, kh, kw)
    # --8<-- [end:separable_kernel]


def best_separable(W) -> tuple[np.ndarray, np.ndarray]:
    """The depthwise weight D (C_in, 1, kh, kw) and pointwise weight P (C_out, C_in, 1, 1)
    whose `separable_kernel` is closest to the standard kernel `W` (C_out, C_in, kh, kw) in the
    Frobenius norm.

    Notes
    -----
    The error splits over input channels, :math:`\\sum_c \\lVert W_{:,c} - p_c d_c^\\top
    \\rVert^2` with :math:`W_{:,c}` reshaped to C_out × kh·kw, and each term is smallest at
    the leading singular pair, :math:`p_c d_c^\\top = \\sigma_1 u_1 v_1^\\top`; the error left
    is :math:`\\sum_c \\sum_{r \\ge 2} \\sigma_{c,r}^2`.
    """
    W = checks.float_array("W", W)
    if W.ndim != 4 or min(W.shape) < 1:
        raise ValueError(f"W: expected a 4-D kernel (C_out, C_in, kh, kw), got {W.shape}")
    # --8<-- [start:best_separable]
    O, C, kh, kw = W.shape
    M = W.transpose(1, 0, 2, 3).reshape(C, O, kh * kw)  # one C_out × k² matrix per input channel
    U, S, Vt = np.linalg.svd(M, full_matrices=False)
    P = (U[:, :, 0] * S[:, :1]).T  # (C_out, C_in): σ₁·u₁ of each channel
    D = Vt[:, 0].reshape(C, 1, kh, kw)  # v₁ of each channel, a unit-norm k×k filter
    return D, P[:, :, None, None]
    # --8<-- [end:best_separable]
