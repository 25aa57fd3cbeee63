"""Convolution arithmetic: the output size of a 2-D convolution, and what it costs in
parameters and multiply-adds, for standard, grouped, depthwise and depthwise-separable layers.

The output size is PyTorch's: ⌊(H + pad_top + pad_bottom − d(k − 1) − 1) / s⌋ + 1 per axis,
with `padding` an int, an (h, w) pair, "valid" or "same" (stride 1 only), as `conv2d` takes it.
Multiply-adds count every kernel tap of every output value, taps on padding included (the way
layer costs are usually quoted).
"""

from __future__ import annotations

from typing import NamedTuple

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
