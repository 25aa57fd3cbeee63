"""Where pooling windows fall: output sizes, divisors and the checked inputs of a 2-D pooling.

PyTorch's rules for `max_pool2d` and `avg_pool2d` along one dimension of length `L`, with kernel
`k`, stride `s` and padding `p`: how many windows there are (with and without `ceil_mode`) and
what each window of an average divides by (with and without `count_include_pad`). The checks
turn a pooling call's arguments into 4-D arrays and `(h, w)` pairs, with PyTorch's limits
(padding at most half the kernel, a kernel that fits the padded input); `snippets.pooling` and
`snippets.pooling_naive` both start from them.
"""

from __future__ import annotations

import numpy as np

from snippets import checks

Pair = tuple[int, int]


def pool_output_size(L: int, k: int, s: int, p: int, ceil_mode: bool = False) -> int:
    """Number of windows along one dimension of length `L` (PyTorch's rule).

    Notes
    -----
    :math:`\\lfloor (L + 2p - k)/s \\rfloor + 1`, or with `ceil_mode`
    :math:`\\lceil (L + 2p - k)/s \\rceil + 1`, minus one if that last window would start at or
    beyond :math:`L + p`, i.e. inside the right padding.
    """
    for name, v, low in (("L", L, 1), ("k", k, 1), ("s", s, 1), ("p", p, 0)):
        checks.integer(name, v, minimum=low)
    # --8<-- [start:output_size]
    span = L + 2 * p - k
    out = (-(-span // s) if ceil_mode else span // s) + 1  # // floors, also for span < 0
    if ceil_mode and (out - 1) * s >= L + p:
        out -= 1  # the last window must start inside the input or the left padding
    # --8<-- [end:output_size]
    return max(out, 0)  # 0: not even one window fits


def pool_divisors(
    L: int, k: int, s: int, p: int, ceil_mode: bool = False, count_include_pad: bool = True
) -> np.ndarray:
    """What each window along one dimension divides by in PyTorch's `avg_pool2d`.

    Returns
    -------
    d : int array of shape (pool_output_size(L, k, s, p, ceil_mode),)

    Notes
    -----
    Window :math:`a` starts at :math:`h_0 = a s - p` and is cut at the end of the padding,
    :math:`h_1 = \\min(h_0 + k, L + p)`; it divides by :math:`h_1 - h_0` with
    `count_include_pad`, else by its real cells :math:`\\min(h_1, L) - \\max(h_0, 0)`. A 2-D
    window is a rectangle, so its divisor is the product of its row and column divisors.
    """
    out = pool_output_size(L, k, s, p, checks.flag("ceil_mode", ceil_mode))
    count_include_pad = checks.flag("count_include_pad", count_include_pad)
    # --8<-- [start:divisors]
    start = np.arange(out) * s - p
    end = np.minimum(start + k, L + p)  # a ceil_mode window may stop short of k
    if count_include_pad:
        return end - start  # window size inside input + padding
    return np.minimum(end, L) - np.maximum(start, 0)  # real input cells only
    # --8<-- [end:divisors]


def check_params(kernel_size, stride, padding, dilation=1) -> tuple[Pair, Pair, Pair, Pair]:
    """`kernel_size`, `stride` (default: the kernel), `padding` and `dilation` as pairs, padding
    at most half the kernel per dimension: PyTorch's limit, which stays half of k (not of the
    dilated window) when the pool is dilated."""
    k = checks.pair("kernel_size", kernel_size, 1)
    s = k if stride is None else checks.pair("stride", stride, 1)
    p = checks.pair("padding", padding, 0)
    d = checks.pair("dilation", dilation, 1)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(
            f"padding: expected at most half the kernel size per dimension "
            f"(<= {(k[0] // 2, k[1] // 2)} for kernel_size {k}), got {p}"
        )
    return k, s, p, d


def check_shape(name: str, shape: tuple[int, ...]) -> None:
    """A 4-D (N, C, H, W) or 3-D (C, H, W) shape; like PyTorch, only the batch may be empty."""
    if len(shape) not in (3, 4):
        raise ValueError(f"{name}: expected a 4-D (N, C, H, W) or 3-D (C, H, W) shape, got {shape}")
    if min(shape[-3:]) < 1:
        raise ValueError(f"{name}: expected non-zero C, H and W, got shape {shape}")


def output_pair(shape, k: Pair, s: Pair, p: Pair, ceil_mode: bool, d: Pair = (1, 1)) -> Pair:
    """(oh, ow) of a pooling of an input of `shape`; at least one window must fit. A dilated
    window spans its effective kernel d·(k − 1) + 1 (PyTorch's rule)."""
    if not (
        isinstance(shape, (tuple, list)) and len(shape) >= 2 and all(map(checks.is_int, shape))
    ):
        raise TypeError(
            f"shape: expected a tuple of ints such as X.shape, got {checks.describe(shape)}"
        )
    k, s = checks.pair("kernel_size", k, 1), checks.pair("stride", s, 1)
    p, d = checks.pair("padding", p, 0), checks.pair("dilation", d, 1)
    ceil_mode = checks.flag("ceil_mode", ceil_mode)
    H, W = shape[-2:]
    out = tuple(
        pool_output_size(n, di * (ki - 1) + 1, si, pi, ceil_mode)
        for n, ki, si, pi, di in zip((H, W), k, s, p, d)
    )
    if min(out) < 1:
        dilated = f" and dilation {d}" if d != (1, 1) else ""
        raise ValueError(
            f"kernel_size: expected a kernel that fits the padded input (H, W) = {(H, W)} "
            f"with padding {p}{dilated}, got kernel_size {k}, which gives an output of size {out}"
        )
    return out


def check_input(X, kernel_size, stride, padding, ceil_mode, dilation=1):
    """A pooling call's arguments, checked: `X` as a 4-D floating array, whether it came 3-D
    (unbatched), the pairs k, s, p, d and the output size (oh, ow)."""
    k, s, p, d = check_params(kernel_size, stride, padding, dilation)
    ceil_mode = checks.flag("ceil_mode", ceil_mode)
    X = checks.float_array("X", X)
    check_shape("X", X.shape)
    out = output_pair(X.shape, k, s, p, ceil_mode, d)
    unbatched = X.ndim == 3
    return (X[None] if unbatched else X), unbatched, k, s, p, d, out


def check_grad(dY, shape4: tuple[int, ...], out: Pair, unbatched: bool) -> np.ndarray:
    """`dY` as a 4-D floating array shaped like the pooled output of an input of `shape4`."""
    if not (
        isinstance(shape4, (tuple, list)) and len(shape4) == 4 and all(map(checks.is_int, shape4))
    ):
        raise TypeError(f"shape4: expected a 4-tuple of ints, got {checks.describe(shape4)}")
    out = checks.pair("out", out, 0)
    unbatched = checks.flag("unbatched", unbatched)
    dY = checks.float_array("dY", dY)
    N, C = shape4[:2]
    want = (C, *out) if unbatched else (N, C, *out)
    if dY.shape != want:
        raise ValueError(f"dY: expected shape {want} (the pooled output), got {dY.shape}")
    return dY[None] if unbatched else dY


def check_avg_backward(dY, X_shape, kernel_size, stride, padding, ceil_mode, count_include_pad):
    """The arguments of an average-pooling backward pass, checked and batched to 4-D:
    (dY, shape, unbatched, k, s, p, out, count_include_pad)."""
    if not (isinstance(X_shape, (tuple, list)) and all(map(checks.is_int, X_shape))):
        raise TypeError(
            f"X_shape: expected a tuple of ints such as X.shape, got {checks.describe(X_shape)}"
        )
    shape = tuple(int(v) for v in X_shape)
    check_shape("X_shape", shape)
    if shape[0] < 0:
        raise ValueError(f"X_shape: expected sizes >= 0, got {shape}")
    k, s, p, _ = check_params(kernel_size, stride, padding)
    ceil_mode = checks.flag("ceil_mode", ceil_mode)
    count_include_pad = checks.flag("count_include_pad", count_include_pad)
    out = output_pair(shape, k, s, p, ceil_mode)
    unbatched = len(shape) == 3
    shape4 = (1, *shape) if unbatched else shape
    dY4 = check_grad(dY, shape4, out, unbatched)
    return dY4, shape4, unbatched, k, s, p, out, count_include_pad
