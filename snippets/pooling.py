"""Max and average pooling in numpy, forward and backward, with PyTorch's semantics (DL0009).

`max_pool2d` and `avg_pool2d` take `X` of shape `(N, C, H, W)` (or `(C, H, W)`) and follow
`torch.nn.functional` exactly where it matters: padding is −∞ for max and 0 for average, the
divisor with and without `count_include_pad`, the extra window of `ceil_mode`, the first maximum
of a window winning ties, and overlapping windows adding their gradients. The vectorized versions
loop only over the kH·kW offsets inside a window; the `_naive` versions loop over every output
pixel the way PyTorch's CPU kernels do, and are tested equal. The rest of the module is the
page's worked example, experiment, figures and values.
"""

from __future__ import annotations

import functools
import numbers

import numpy as np

from snippets import checks
from snippets.formatting import fmt, tex_matrix
from snippets.plotting import Theme, new_figure
from snippets.seeds import seeds

Pair = tuple[int, int]


# ---------------------------------------------------------------------------------------------
# Input checks: every error names the argument, what it got and what was expected.


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    return f"{type(value).__name__} {value!r}"[:120]


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _pair(name: str, value, minimum: int) -> Pair:
    """An int or a (h, w) pair of ints, each ≥ `minimum`, as a pair (bools are refused)."""
    if _is_int(value):
        value = (value, value)
    elif isinstance(value, (tuple, list)) and len(value) == 1 and _is_int(value[0]):
        value = (value[0], value[0])  # PyTorch also accepts a one-element sequence
    if not (isinstance(value, (tuple, list)) and len(value) == 2 and all(map(_is_int, value))):
        raise TypeError(f"{name}: expected an int or a pair of ints (h, w), got {_describe(value)}")
    h, w = int(value[0]), int(value[1])
    if h < minimum or w < minimum:
        raise ValueError(f"{name}: expected values >= {minimum}, got ({h}, {w})")
    return h, w


def _hyper(kernel_size, stride, padding) -> tuple[Pair, Pair, Pair]:
    k = _pair("kernel_size", kernel_size, 1)
    s = k if stride is None else _pair("stride", stride, 1)
    p = _pair("padding", padding, 0)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(
            f"padding: expected at most half the kernel size per dimension "
            f"(<= {(k[0] // 2, k[1] // 2)} for kernel_size {k}), got {p}"
        )
    return k, s, p


def _float_array(name: str, value) -> np.ndarray:
    """`value` as a finite floating array: float dtypes are kept, integers become float64."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name}: expected a real numeric array, got {_describe(value)}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nested lists
        raise TypeError(f"{name}: expected a real numeric array, got {_describe(value)}") from exc
    if arr.dtype.kind in "iu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind != "f":
        raise TypeError(f"{name}: expected a real floating or integer array, got dtype {arr.dtype}")
    if not np.all(np.isfinite(arr)):
        bad = int(arr.size - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name}: expected finite values, got {bad} NaN or inf entries")
    return arr


def _check_shape(name: str, shape: tuple[int, ...]) -> None:
    if len(shape) not in (3, 4):
        raise ValueError(f"{name}: expected a 4-D (N, C, H, W) or 3-D (C, H, W) shape, got {shape}")
    if min(shape[-3:]) < 1:  # like PyTorch, only the batch may be empty
        raise ValueError(f"{name}: expected non-zero C, H and W, got shape {shape}")


def pool_output_size(L: int, k: int, s: int, p: int, ceil_mode: bool = False) -> int:
    """Number of windows along one dimension of length `L` (PyTorch's rule).

    Notes
    -----
    :math:`\\lfloor (L + 2p - k)/s \\rfloor + 1`, or with `ceil_mode`
    :math:`\\lceil (L + 2p - k)/s \\rceil + 1`, minus one if that last window would start at or
    beyond :math:`L + p`, i.e. inside the right padding.
    """
    for name, v, low in (("L", L, 1), ("k", k, 1), ("s", s, 1), ("p", p, 0)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"{name}: expected an int, got {v!r}")
        if v < low:
            raise ValueError(f"{name}: expected an int >= {low}, got {v}")
    # --8<-- [start:output_size]
    span = L + 2 * p - k
    out = (-(-span // s) if ceil_mode else span // s) + 1  # // floors, also for span < 0
    if ceil_mode and (out - 1) * s >= L + p:
        out -= 1  # the last window must start inside the input or the left padding
    # --8<-- [end:output_size]
    return max(out, 0)  # 0: not even one window fits


def _setup(X, kernel_size, stride, padding, ceil_mode):
    """Checked `X` as 4-D, whether it came 3-D, and the pairs k, s, p, out."""
    k, s, p = _hyper(kernel_size, stride, padding)
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise TypeError(f"ceil_mode: expected a bool, got {_describe(ceil_mode)}")
    X = _float_array("X", X)
    _check_shape("X", X.shape)
    out = _out_pair(X.shape, k, s, p, bool(ceil_mode))
    unbatched = X.ndim == 3
    return (X[None] if unbatched else X), unbatched, k, s, p, out


def _out_pair(shape, k: Pair, s: Pair, p: Pair, ceil_mode: bool) -> Pair:
    H, W = shape[-2:]
    out = (
        pool_output_size(H, k[0], s[0], p[0], ceil_mode),
        pool_output_size(W, k[1], s[1], p[1], ceil_mode),
    )
    if min(out) < 1:
        raise ValueError(
            f"kernel_size: expected a kernel that fits the padded input (H, W) = {(H, W)} "
            f"with padding {p}, got kernel_size {k}, which gives an output of size {out}"
        )
    return out


def _check_grad(dY, N: int, C: int, out: Pair, unbatched: bool) -> np.ndarray:
    dY = _float_array("dY", dY)
    want = (C, *out) if unbatched else (N, C, *out)
    if dY.shape != want:
        raise ValueError(f"dY: expected shape {want} (the pooled output), got {dY.shape}")
    return dY[None] if unbatched else dY


# ---------------------------------------------------------------------------------------------
# Vectorized: pad once, then one strided view per offset (i, j) inside the window.


# --8<-- [start:views]
def _pad(X: np.ndarray, k: Pair, s: Pair, p: Pair, out: Pair, fill: float) -> np.ndarray:
    """X with `p` cells of `fill` on the top/left, and on the bottom/right
    enough for every window (a ceil_mode window may run past the padding);
    X itself when nothing needs adding."""
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


# --8<-- [start:max_forward]
def _max_pool(X: np.ndarray, k: Pair, s: Pair, p: Pair, out: Pair, with_arg: bool = True):
    """Max of every window and, if asked, the offset i·kW + j of its first maximum
    (row-major), where the backward pass sends the window's gradient."""
    P = _pad(X, k, s, p, out, -np.inf)  # padding never wins
    offsets = [(i, j) for i in range(k[0]) for j in range(k[1])]
    Y = _at(P, 0, 0, s, out).copy()
    for i, j in offsets[1:]:
        np.maximum(Y, _at(P, i, j, s, out), out=Y)
    if not with_arg:
        return Y, None
    # the first cell equal to the maximum: walk the offsets backwards, the earliest match last
    last = len(offsets) - 1
    arg = np.full(Y.shape, last, dtype=np.min_scalar_type(last))
    for n in range(last - 1, -1, -1):
        np.copyto(arg, n, where=_at(P, *offsets[n], s, out) == Y)
    return Y, arg


# --8<-- [end:max_forward]


# --8<-- [start:max_backward]
def _max_pool_backward(dY, arg, shape, k: Pair, s: Pair, p: Pair, out: Pair) -> np.ndarray:
    """Each window's gradient goes to its winner; windows sharing a winner add up."""
    N, C, H, W = shape
    G = _pad(np.zeros((N, C, H, W), dY.dtype), k, s, p, out, 0.0)
    for i in range(k[0]):
        for j in range(k[1]):
            # within one offset the positions are distinct, so += never collides
            _at(G, i, j, s, out)[...] += dY * (arg == i * k[1] + j)
    return _crop(G, p, H, W)


# --8<-- [end:max_backward]


# --8<-- [start:divisors]
def _divisors_1d(L: int, k: int, s: int, p: int, out: int, count_include_pad: bool):
    """What each window along one dimension divides by (PyTorch's avg_pool2d)."""
    start = np.arange(out) * s - p
    end = np.minimum(start + k, L + p)  # a ceil_mode window may stop short of k
    if count_include_pad:
        return end - start  # window size inside input + padding
    return np.minimum(end, L) - np.maximum(start, 0)  # real input cells only


def _divisors(shape, k: Pair, s: Pair, p: Pair, out: Pair, count_include_pad: bool):
    """(oh, ow) map of divisors; the window is a rectangle, so it is an outer product."""
    dh = _divisors_1d(shape[-2], k[0], s[0], p[0], out[0], count_include_pad)
    dw = _divisors_1d(shape[-1], k[1], s[1], p[1], out[1], count_include_pad)
    return np.outer(dh, dw)


# --8<-- [end:divisors]


# --8<-- [start:avg_forward]
def _avg_pool(X: np.ndarray, k: Pair, s: Pair, p: Pair, out: Pair, count_include_pad: bool):
    acc = np.promote_types(X.dtype, np.float32)  # float16 sums in float32, as PyTorch does
    P = _pad(X, k, s, p, out, 0.0)  # zeros add nothing to a sum
    S = np.zeros((X.shape[0], X.shape[1], *out), dtype=acc)
    for i in range(k[0]):
        for j in range(k[1]):
            S += _at(P, i, j, s, out)
    return (S / _divisors(X.shape, k, s, p, out, count_include_pad).astype(acc)).astype(X.dtype)


# --8<-- [end:avg_forward]


# --8<-- [start:avg_backward]
def _avg_pool_backward(dY, shape, k: Pair, s: Pair, p: Pair, out: Pair, count_include_pad):
    """Each window spreads dY / divisor evenly over its cells; overlaps add up."""
    N, C, H, W = shape
    g = dY / _divisors(shape, k, s, p, out, count_include_pad).astype(dY.dtype)
    G = _pad(np.zeros((N, C, H, W), dY.dtype), k, s, p, out, 0.0)
    for i in range(k[0]):
        for j in range(k[1]):
            _at(G, i, j, s, out)[...] += g  # padding cells collect gradient that is cropped
    return _crop(G, p, H, W)


# --8<-- [end:avg_backward]


# ---------------------------------------------------------------------------------------------
# Public, checked functions.


def max_pool2d(X, kernel_size, stride=None, padding=0, ceil_mode: bool = False) -> np.ndarray:
    """Max pooling with the semantics of `torch.nn.functional.max_pool2d`.

    Parameters
    ----------
    X : array of shape (N, C, H, W) or (C, H, W)
        Float dtypes are kept; integers become float64. Must be finite.
    kernel_size, stride, padding : int or (h, w) pair of ints
        `stride` defaults to `kernel_size`; `padding` is at most `kernel_size // 2`.
    ceil_mode : bool
        Round the number of windows up, adding a last window that may hang over the edge.

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
    X4, unbatched, k, s, p, out = _setup(X, kernel_size, stride, padding, ceil_mode)
    Y, _ = _max_pool(X4, k, s, p, out, with_arg=False)
    return Y[0] if unbatched else Y


def max_pool2d_backward(
    dY, X, kernel_size, stride=None, padding=0, ceil_mode: bool = False
) -> np.ndarray:
    """Gradient of a loss with respect to `X`, given `dY` = its gradient w.r.t. `max_pool2d(X)`.

    Parameters
    ----------
    dY : array shaped like `max_pool2d(X, ...)`
    X, kernel_size, stride, padding, ceil_mode : as in `max_pool2d`

    Returns
    -------
    dX : array shaped like X, in X's dtype

    Notes
    -----
    Each window's :math:`\\partial L/\\partial Y_{ab}` goes whole to the window's first maximum
    (row-major); an element that wins several overlapping windows receives their sum, and every
    other element receives 0.
    """
    X4, unbatched, k, s, p, out = _setup(X, kernel_size, stride, padding, ceil_mode)
    dY4 = _check_grad(dY, X4.shape[0], X4.shape[1], out, unbatched).astype(X4.dtype, copy=False)
    _, arg = _max_pool(X4, k, s, p, out)
    dX = _max_pool_backward(dY4, arg, X4.shape, k, s, p, out)
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
    X4, unbatched, k, s, p, out = _setup(X, kernel_size, stride, padding, ceil_mode)
    count_include_pad = _flag("count_include_pad", count_include_pad)
    Y = _avg_pool(X4, k, s, p, out, count_include_pad)
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
    dY4, shape4, unbatched, k, s, p, out, count_include_pad = _setup_backward(
        dY, X_shape, kernel_size, stride, padding, ceil_mode, count_include_pad
    )
    dX = _avg_pool_backward(dY4, shape4, k, s, p, out, count_include_pad)
    return dX[0] if unbatched else dX


def _flag(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected a bool, got {_describe(value)}")
    return bool(value)


def _shape(name: str, value) -> tuple[int, ...]:
    if not (isinstance(value, (tuple, list)) and all(map(_is_int, value))):
        raise TypeError(f"{name}: expected a tuple of ints such as X.shape, got {_describe(value)}")
    shape = tuple(int(v) for v in value)
    _check_shape(name, shape)
    if shape[0] < 0:
        raise ValueError(f"{name}: expected sizes >= 0, got {shape}")
    return shape


def _setup_backward(dY, X_shape, kernel_size, stride, padding, ceil_mode, count_include_pad):
    """Checked inputs of an average-pooling backward pass, batched to 4-D."""
    shape = _shape("X_shape", X_shape)
    k, s, p = _hyper(kernel_size, stride, padding)
    ceil_mode = _flag("ceil_mode", ceil_mode)
    count_include_pad = _flag("count_include_pad", count_include_pad)
    out = _out_pair(shape, k, s, p, ceil_mode)
    unbatched = len(shape) == 3
    shape4 = (1, *shape) if unbatched else shape
    dY4 = _check_grad(dY, shape4[0], shape4[1], out, unbatched)
    return dY4, shape4, unbatched, k, s, p, out, count_include_pad


# ---------------------------------------------------------------------------------------------
# Naive versions: one output pixel at a time, written like PyTorch's CPU kernels.


# --8<-- [start:max_naive]
def _argmax_naive(x: np.ndarray, a: int, b: int, k: Pair, s: Pair, p: Pair) -> Pair:
    """(h, w) of the first maximum of window (a, b) of the 2-D map x, scanning row by row."""
    h0, w0 = a * s[0] - p[0], b * s[1] - p[1]
    h1, w1 = min(h0 + k[0], x.shape[0]), min(w0 + k[1], x.shape[1])
    h0, w0 = max(h0, 0), max(w0, 0)  # padding cells are skipped: they can never win
    best, where = -np.inf, (h0, w0)
    for h in range(h0, h1):
        for w in range(w0, w1):
            if x[h, w] > best:  # strict: ties keep the first
                best, where = x[h, w], (h, w)
    return where


def max_pool2d_naive(X, kernel_size, stride=None, padding=0, ceil_mode=False) -> np.ndarray:
    """`max_pool2d`, one output pixel at a time."""
    X4, unbatched, k, s, p, out = _setup(X, kernel_size, stride, padding, ceil_mode)
    Y = np.empty((*X4.shape[:2], *out), dtype=X4.dtype)
    for n, c, a, b in np.ndindex(Y.shape):
        Y[n, c, a, b] = X4[n, c][_argmax_naive(X4[n, c], a, b, k, s, p)]
    return Y[0] if unbatched else Y


def max_pool2d_backward_naive(
    dY, X, kernel_size, stride=None, padding=0, ceil_mode=False
) -> np.ndarray:
    """`max_pool2d_backward`, one output pixel at a time."""
    X4, unbatched, k, s, p, out = _setup(X, kernel_size, stride, padding, ceil_mode)
    dY4 = _check_grad(dY, X4.shape[0], X4.shape[1], out, unbatched).astype(X4.dtype)
    dX = np.zeros_like(X4)
    for n, c, a, b in np.ndindex(dY4.shape):
        h, w = _argmax_naive(X4[n, c], a, b, k, s, p)
        dX[n, c, h, w] += dY4[n, c, a, b]  # the winner takes the whole gradient
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
    X4, unbatched, k, s, p, out = _setup(X, kernel_size, stride, padding, ceil_mode)
    count_include_pad = _flag("count_include_pad", count_include_pad)
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
    dY4, shape4, unbatched, k, s, p, out, count_include_pad = _setup_backward(
        dY, X_shape, kernel_size, stride, padding, ceil_mode, count_include_pad
    )
    dX = np.zeros(shape4, dtype=dY4.dtype)
    for a, b in np.ndindex(out):
        (h0, h1, w0, w1), d = _avg_window(a, b, *shape4[2:], k, s, p, count_include_pad)
        dX[:, :, h0:h1, w0:w1] += dY4[:, :, a, b, None, None] / d  # spread over real cells
    return dX[0] if unbatched else dX


# --8<-- [end:avg_naive]


# ---------------------------------------------------------------------------------------------
# Worked examples: the classic 4×4 → 2×2, overlapping windows, padding, ceil_mode, ties.

EXAMPLE_X = [[1, 3, 2, 9], [5, 6, 1, 7], [4, 2, 8, 1], [0, 3, 5, 4]]
EXAMPLE_DY = [[1, 2], [3, 4]]


@functools.cache
def worked_example() -> dict[str, np.ndarray]:
    """The 4×4 example pooled 2×2/2 and 3×3/1 (overlapping), forward and backward."""
    X = np.array(EXAMPLE_X, dtype=float)[None, None]
    dY = np.array(EXAMPLE_DY, dtype=float)[None, None]
    out = {"X": X[0, 0], "dY": dY[0, 0]}
    for tag, k, s in (("", 2, 2), ("ov_", 3, 1)):
        out[tag + "max"] = max_pool2d(X, k, s)[0, 0]
        out[tag + "avg"] = avg_pool2d(X, k, s)[0, 0]
        out[tag + "dX_max"] = max_pool2d_backward(dY, X, k, s)[0, 0]
        out[tag + "dX_avg"] = avg_pool2d_backward(dY, X.shape, k, s)[0, 0]
    return out


@functools.cache
def edge_cases() -> dict[str, object]:
    """Padding, count_include_pad and ceil_mode on small inputs, for the page's tables."""
    ones = np.ones((1, 1, 5, 5))
    dY = np.ones((1, 1, 3, 3))
    neg = -np.arange(1.0, 10.0).reshape(1, 1, 3, 3)  # all negative, maximum −1 at the corner
    return {
        "div_incl": _divisors(ones.shape, (3, 3), (2, 2), (1, 1), (3, 3), True),
        "div_excl": _divisors(ones.shape, (3, 3), (2, 2), (1, 1), (3, 3), False),
        "avg_incl": avg_pool2d(ones, 3, 2, 1)[0, 0],
        "avg_excl": avg_pool2d(ones, 3, 2, 1, count_include_pad=False)[0, 0],
        "grad_total": float(dY.sum()),
        "grad_sum_incl": float(avg_pool2d_backward(dY, ones.shape, 3, 2, 1).sum()),
        "grad_sum_excl": float(avg_pool2d_backward(dY, ones.shape, 3, 2, 1, False, False).sum()),
        "neg_X": neg[0, 0],
        "neg_max": max_pool2d(neg, 3, 1, 1)[0, 0],
        # the same pooling with zeros as padding: every window that touches the border says 0
        "neg_zero_wins": int(
            np.sum(max_pool2d(np.pad(neg, ((0, 0), (0, 0), (1, 1), (1, 1))), 3, 1) == 0)
        ),
        "floor_5": pool_output_size(5, 2, 2, 0, False),
        "ceil_5": pool_output_size(5, 2, 2, 0, True),
        "ceil_6_div_incl": _divisors_1d(6, 3, 2, 1, pool_output_size(6, 3, 2, 1, True), True),
        "ceil_6_div_excl": _divisors_1d(6, 3, 2, 1, pool_output_size(6, 3, 2, 1, True), False),
        "ceil_5_p1_raw": -(-(5 + 2 - 2) // 2) + 1,
        "ceil_5_p1": pool_output_size(5, 2, 2, 1, True),
        # beyond PyTorch's limit: k = 3, s = 1, p = 2 on a row of 5; the first window is −2..0
        "bigpad_n": pool_output_size(5, 3, 1, 2),
        "tie_dX": max_pool2d_backward(np.ones((1, 1, 1, 1)), np.ones((1, 1, 2, 2)), 2)[0, 0],
    }


# ---------------------------------------------------------------------------------------------
# Experiment: shift a feature map by one pixel and see how much the pooled maps change.

SHIFT_ROW = [0.1, 0.2, 1.0, 0.3, 0.1, 0.0, 0.2, 0.9, 0.4, 0.1, 0.7, 0.2]
SHIFT_NEW = 0.3  # the value that enters on the left when the row moves right by one
SHIFT_SEEDS = 10  # seeds per seed set; each seed draws its own batch of maps
SHIFT_MAPS = 8  # maps per seed
SHIFT_SIZE = 64
SHIFT_BLUR = 1.0  # px, standard deviation of the Gaussian that makes blobs out of noise
SHIFT_POOLS = ((2, 2), (3, 2))
BLUR_121 = np.outer([1.0, 2.0, 1.0], [1.0, 2.0, 1.0]) / 16  # Zhang (2019)'s 3-tap binomial


@functools.cache
def shift_row() -> dict[str, np.ndarray]:
    """A 1-D row of detector outputs, the same row moved right by one, both pooled 1×3/1."""
    x = np.array(SHIFT_ROW)
    x_shift = np.concatenate([[SHIFT_NEW], x[:-1]])
    out = {"x": x, "x_shift": x_shift}
    for name, pool in (("max", max_pool2d), ("avg", avg_pool2d)):
        out[name] = pool(x[None, None, None], (1, 3), 1)[0, 0, 0]
        out[name + "_shift"] = pool(x_shift[None, None, None], (1, 3), 1)[0, 0, 0]
    return out


def feature_maps(rng: np.random.Generator, n_maps: int, size: int, blur: float) -> np.ndarray:
    """ReLU of blurred white noise, shape (n_maps, 1, size, size + 1): blob-like activations."""
    rng = checks.generator("rng", rng)
    n_maps, size = checks.positive_int("n_maps", n_maps), checks.positive_int("size", size)
    if isinstance(blur, bool) or not isinstance(blur, (int, float)) or not 0 <= blur < 1e3:
        raise ValueError(f"blur: expected a number in [0, 1000), got {blur!r}")
    Z = rng.standard_normal((n_maps, 1, size, size + 1))
    fy = np.fft.fftfreq(size)[:, None]
    fx = np.fft.rfftfreq(size + 1)[None, :]
    gain = np.exp(-2 * (np.pi * blur) ** 2 * (fy**2 + fx**2))  # Gaussian blur in Fourier space
    Z = np.fft.irfft2(np.fft.rfft2(Z) * gain, s=Z.shape[-2:])
    return np.maximum(Z / Z.std(), 0.0)


def max_blur_pool(X: np.ndarray) -> np.ndarray:
    """MaxBlurPool (Zhang, 2019): max 2×2 with stride 1, then a [1,2,1]⊗[1,2,1]/16 blur with
    stride 2 (no padding). X: (N, C, H, W) with H, W >= 4."""
    M = max_pool2d(X, 2, 1)
    Ho, Wo = (M.shape[-2] - 3) // 2 + 1, (M.shape[-1] - 3) // 2 + 1
    out = np.zeros(M.shape[:-2] + (Ho, Wo))
    for i in range(3):
        for j in range(3):
            out += BLUR_121[i, j] * M[..., i : i + 2 * Ho - 1 : 2, j : j + 2 * Wo - 1 : 2]
    return out


def _shift_poolings():
    """(key, label, pooling, k, s) per row of the shift table; 'none' is the control."""
    rows = [("none", "no pooling", lambda A: A, 1, 1)]
    for k, s in SHIFT_POOLS:
        for kind, pool in (("max", max_pool2d), ("avg", avg_pool2d)):
            f = functools.partial(pool, kernel_size=k, stride=s)
            rows.append((f"{kind}{k}", f"{kind} {k}×{k}, stride {s}", f, k, s))
    rows.append(("blur", "max 2×2 stride 1, blur stride 2", max_blur_pool, 2, 2))
    return rows


def _shift_one_seed(seed: int) -> dict[str, dict[str, float]]:
    """One batch of maps, each compared with itself moved right by one pixel."""
    Z = feature_maps(np.random.default_rng(seed), SHIFT_MAPS, SHIFT_SIZE, SHIFT_BLUR)
    X, X_shift = Z[..., 1:], Z[..., :-1]  # X_shift[..., c] == X[..., c - 1]
    out = {}
    for key, _, f, k, s in _shift_poolings():
        A, B = f(X), f(X_shift)
        active = (A != 0) | (B != 0)  # both 0 where ReLU silenced the region: not informative
        same = (A == B) & active
        row = {
            "rel_change": float(np.linalg.norm(A - B) / np.linalg.norm(A)),
            "unchanged": float(np.sum(same) / np.sum(active)),
        }
        if key.startswith("max"):
            # the winner test, built without the pooled outputs: a max output cannot change when
            # the largest cell of both windows together lies in the cells they share; otherwise
            # it changes unless two different cells hold exactly the same value
            col = functools.partial(max_pool2d, kernel_size=(k, 1), stride=s)
            enter = col(X_shift)[..., : A.shape[-1]]
            leave = col(X[..., k - 1 :])[..., : A.shape[-1]]
            shared = max_pool2d(X, (k, k - 1), s)[..., : A.shape[-1]]
            stays = (shared >= enter) & (shared >= leave)
            row["same_is_winner_stays"] = bool(np.array_equal(same, stays & active))
        if key.startswith("avg"):
            # a window's mean moves by (entering − leaving)/k²; the column entering the shifted
            # window is its first, the one leaving the original window is its last
            col = functools.partial(max_pool2d, kernel_size=(k, 1), stride=s)
            enter = col(X_shift)[..., : A.shape[-1]]
            leave = col(X[..., k - 1 :])[..., : A.shape[-1]]
            zero_swap = (enter == 0) & (leave == 0)  # inputs are >= 0: max 0 means all 0
            row["same_is_zero_swap"] = bool(np.array_equal(same, zero_swap & active))
        out[key] = row
    # stride 2: a two-pixel shift moves the pooled map by one cell; a one-pixel shift matches
    # no shift of it. Distance to the best of the pooled map moved by 0, 1 or 2 cells.
    for kind, pool in (("max", max_pool2d), ("avg", avg_pool2d)):
        base, one, two = pool(Z[..., 2:], 2), pool(Z[..., 1:-1], 2), pool(Z[..., :-2], 2)
        W = base.shape[-1]
        out[f"odd_{kind}"] = {
            "best_match": min(
                float(np.linalg.norm(one[..., m:] - base[..., : W - m]))
                / float(np.linalg.norm(base[..., : W - m]))
                for m in range(3)
            ),
            "two_px_error": float(np.max(np.abs(two[..., 1:] - base[..., :-1]))),
        }
    return out


@functools.cache
def shift_runs(seed_set: int = 0) -> dict[str, dict[str, np.ndarray]]:
    """Per pooling key, every metric of `_shift_one_seed` as an array over the set's seeds."""
    runs = [_shift_one_seed(sd) for sd in seeds(SHIFT_SEEDS, seed_set)]
    return {key: {m: np.array([r[key][m] for r in runs]) for m in runs[0][key]} for key in runs[0]}


def _pm(a: np.ndarray, scale: float = 100.0, digits: int = 1) -> str:
    """mean ± standard deviation over seeds, as the page prints it."""
    return f"{fmt(scale * np.mean(a), digits)} ± {fmt(scale * np.std(a), digits)}"


def _norm_gaps(r) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Per window size k, per seed: avg's change minus max's, and what avg takes off no pooling."""
    ch = {key: v["rel_change"] for key, v in r.items() if "rel_change" in v}
    gap = {k: ch[f"avg{k}"] - ch[f"max{k}"] for k, _ in SHIFT_POOLS}
    damp = {k: ch["none"] - ch[f"avg{k}"] for k, _ in SHIFT_POOLS}
    return gap, damp


def claims(seed_set: int = 0) -> dict[str, tuple[bool, str]]:
    """What the page concludes from the shift experiment, checked on `seed_set`."""
    r = shift_runs(seed_set)
    n = SHIFT_SEEDS
    ch = {key: v["rel_change"] for key, v in r.items() if "rel_change" in v}
    un = {key: v["unchanged"] for key, v in r.items() if "unchanged" in v}
    pools = [key for key in ch if key != "none"]
    out: dict[str, tuple[bool, str]] = {}

    # every pooling moves less than the unpooled map, seed by seed (paired: same maps)
    gaps = {key: ch["none"] - ch[key] for key in pools}
    worst = min(pools, key=lambda key: gaps[key].min())
    spread = max(float(np.std(g)) for g in gaps.values())
    ok = all(np.all(g > 0) for g in gaps.values()) and gaps[worst].min() > 2 * spread
    out["pooling_damps_shift"] = (
        bool(ok),
        f"{n} of {n} seeds for all {len(pools)} poolings; smallest paired margin "
        f"{fmt(100 * gaps[worst].min(), 1)} points ({worst}), std of the paired per-seed "
        f"differences at most {fmt(100 * spread, 1)} (bar: margin above 2 std)",
    )

    # 3×3 windows move less than 2×2 ones, for both kinds (paired)
    d = {kind: ch[f"{kind}2"] - ch[f"{kind}3"] for kind in ("max", "avg")}
    s = max(float(np.std(v)) for v in d.values())
    low = min(float(v.min()) for v in d.values())
    out["larger_window_damps_more"] = (
        bool(all(np.all(v > 0) for v in d.values()) and low > 2 * s),
        f"{n} of {n} seeds for max and avg; 2×2 minus 3×3 "
        + ", ".join(f"{kind} {_pm(v)} points" for kind, v in d.items())
        + f" (mean ± std of the paired per-seed differences); smallest {fmt(100 * low, 1)} "
        f"points, bar: above 2 std",
    )

    # max changes consistently less than avg (paired: same maps, same seeds)
    g, _ = _norm_gaps(r)
    pos = {k: int(np.sum(g[k] > 0)) for k in g}
    ok = all(pos[k] >= n - 1 and g[k].mean() > 2 * g[k].std() for k in g)
    out["max_changes_less_than_avg"] = (
        bool(ok),
        "; ".join(
            f"{k}×{k}: avg minus max {_pm(g[k])} points (mean ± std of the paired per-seed "
            f"differences), positive in {pos[k]} of {n} seeds, mean/std "
            f"{fmt(g[k].mean() / g[k].std(), 1)} (bar 2)"
            for k in g
        ),
    )

    # max leaves many outputs exactly unchanged, average few
    ratio = {k: un[f"max{k}"].mean() / un[f"avg{k}"].mean() for k, _ in SHIFT_POOLS}
    margin = {k: un[f"max{k}"] - un[f"avg{k}"] for k, _ in SHIFT_POOLS}
    s = max(float(np.std(margin[k])) for k in margin)
    ok = all(np.all(margin[k] > 0) and margin[k].min() > 5 * s and ratio[k] > 5 for k in margin)
    out["max_keeps_more_outputs_exactly"] = (
        bool(ok),
        "; ".join(
            f"{k}×{k}: max {_pm(un[f'max{k}'])} %, avg {_pm(un[f'avg{k}'])} % "
            f"(mean ± std), ratio {fmt(ratio[k], 0)}"
            for k in margin
        )
        + f"; max ahead in {n} of {n} seeds, smallest paired margin "
        + f"{fmt(100 * min(float(m.min()) for m in margin.values()), 1)} points, "
        + f"std of the paired margins at most {fmt(100 * s, 1)} (bar: margin above 5 std, "
        + "ratio above 5)",
    )
    # the mechanism: max outputs stay exactly where the winner stays in the shared cells
    ws = [r[f"max{k}"]["same_is_winner_stays"] for k, _ in SHIFT_POOLS]
    ok = all(np.all(w) for w in ws)
    out["max_unchanged_where_winner_stays"] = (
        bool(ok),
        f"{sum(int(np.sum(w)) for w in ws)} of {2 * n} seed-and-window cases (2×2 and 3×3): the "
        "unchanged max outputs are exactly the active windows whose largest cell, over the "
        "original and the shifted window together, lies in the cells both share",
    )
    zs = [r[f"avg{k}"]["same_is_zero_swap"] for k, _ in SHIFT_POOLS]
    out["avg_unchanged_only_where_zeros_swap"] = (
        bool(all(np.all(z) for z in zs)),
        f"{sum(int(np.sum(z)) for z in zs)} of {2 * n} seed-and-window cases (2×2 and 3×3): the "
        "unchanged average outputs are exactly the active windows whose entering and leaving "
        "cells are all 0",
    )

    # a blur before the stride (MaxBlurPool) changes less than max 2×2 (paired)
    d = ch["max2"] - ch["blur"]
    pos_b = int(np.sum(d > 0))
    out["blur_pool_changes_less"] = (
        bool(pos_b >= n - 1 and d.mean() > 2 * d.std()),
        f"max 2×2 minus MaxBlurPool {_pm(d)} points (mean ± std of the paired per-seed "
        f"differences), positive in {pos_b} of {n} seeds, mean/std "
        f"{fmt(d.mean() / d.std(), 1)} (bar 2); MaxBlurPool {_pm(ch['blur'])} %, max 2×2 "
        f"{_pm(ch['max2'])} %",
    )

    # stride 2: the one-pixel shift matches no shift of the pooled map
    best = {kind: r[f"odd_{kind}"]["best_match"] for kind in ("max", "avg")}
    two = max(float(r[f"odd_{kind}"]["two_px_error"].max()) for kind in ("max", "avg"))
    low = min(float(v.min()) for v in best.values())
    out["odd_shift_is_no_shift_of_output"] = (
        bool(low > 0.3 and two == 0.0),
        "closest shift (0, 1 or 2 cells) still differs by "
        + ", ".join(f"{kind} {_pm(v)} %" for kind, v in best.items())
        + f" (mean ± std; minimum {fmt(100 * low, 1)} %), {n} of {n} seeds; control: two-pixel "
        f"shift = one-cell shift, largest difference {two:g}",
    )
    return out


# ---------------------------------------------------------------------------------------------
# What the page shows: figures (drawn for a theme) and values (the numbers it quotes).

WINDOW_CELLS = {(0, 0): 0, (0, 1): 1, (1, 0): 2, (1, 1): 3}  # 2×2 window → palette index


def _grid(
    ax, M, theme: Theme, title: str, tint=None, bold=None, labels=None, origin=(0, 0), digits=None
):
    """Draw matrix M as a grid of unit cells with its numbers; `tint[r][c]` is (colour, alpha)."""
    from matplotlib.patches import Rectangle

    rows, cols = np.shape(M)
    y0, x0 = origin
    for r in range(rows):
        for c in range(cols):
            if tint is not None and tint[r][c][1] > 0:
                colour, alpha = tint[r][c]
                ax.add_patch(Rectangle((x0 + c, y0 + r), 1, 1, facecolor=colour, alpha=alpha, lw=0))
            strong = bold is not None and bold[r][c]
            ax.text(
                x0 + c + 0.5,
                y0 + r + 0.5,
                labels[r][c]
                if labels is not None
                else (_num(M[r][c]) if digits is None else fmt(M[r][c], digits)),
                ha="center",
                va="center",
                color=theme.fg if (strong or bold is None) else theme.muted,
                fontweight="bold" if strong else "normal",
            )
    # all grid lines as one NaN-separated path: a small SVG
    xs, ys = [], []
    for r in range(rows + 1):
        xs += [x0, x0 + cols, np.nan]
        ys += [y0 + r, y0 + r, np.nan]
    for c in range(cols + 1):
        xs += [x0 + c, x0 + c, np.nan]
        ys += [y0, y0 + rows, np.nan]
    ax.plot(xs, ys, color=theme.muted, linewidth=1, solid_capstyle="projecting")
    ax.set_xlim(-0.1, 4.1)
    ax.set_ylim(4.1, -0.1)  # row 0 at the top, like a matrix
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title)


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else fmt(v, 2)


def _window_tint(theme: Theme, rows: int, k: int, alpha: float = 0.35):
    return [
        [(theme.palette[WINDOW_CELLS[(r // k, c // k)]], alpha) for c in range(rows)]
        for r in range(rows)
    ]


def _draw_example(theme: Theme):
    e = worked_example()
    fig, axes = new_figure(theme, ncols=3, width=9.0, height=3.3)
    winners = e["dX_max"] != 0  # dY is all non-zero, so the winners are where dX is
    _grid(axes[0], e["X"], theme, "input X (4×4)", _window_tint(theme, 4, 2), winners)
    for ax, key, title in (
        (axes[1], "max", "max pool → 2×2"),
        (axes[2], "avg", "average pool → 2×2"),
    ):
        _grid(ax, e[key], theme, title, _window_tint(theme, 2, 1), origin=(1, 1))
    return fig


def _draw_routing(theme: Theme):
    e = worked_example()
    fig, axes = new_figure(theme, ncols=3, width=9.0, height=3.3)
    _grid(axes[0], e["dY"], theme, "upstream dY (2×2)", _window_tint(theme, 2, 1), origin=(1, 1))
    nonzero = e["dX_max"] != 0
    tint = [
        [(c, 0.35 if nonzero[r][col] else 0.0) for col, (c, _) in enumerate(row)]
        for r, row in enumerate(_window_tint(theme, 4, 2))
    ]
    _grid(axes[1], e["dX_max"], theme, "max: dX to the winner", tint, nonzero)
    _grid(axes[2], e["dX_avg"], theme, "average: dX = dY / 4", _window_tint(theme, 4, 2), digits=2)
    return fig


def _draw_overlap(theme: Theme):
    e = worked_example()
    fig, axes = new_figure(theme, ncols=3, width=9.0, height=3.3)
    X = e["X"]
    # which windows each cell wins, to spell out the sum that lands on it
    parts = [[[] for _ in range(4)] for _ in range(4)]
    for a in range(2):
        for b in range(2):
            r, c = _argmax_naive(X, a, b, (3, 3), (1, 1), (0, 0))
            parts[r][c].append(_num(e["dY"][a, b]))
    labels = [
        [
            _num(e["ov_dX_max"][r, c])
            + (f"\n({'+'.join(parts[r][c])})" if len(parts[r][c]) > 1 else "")
            for c in range(4)
        ]
        for r in range(4)
    ]
    top = float(np.max(e["ov_dX_max"]))
    heat = [[(theme.palette[0], 0.55 * v / top) for v in row] for row in e["ov_dX_max"]]
    _grid(axes[0], X, theme, "input X, 3×3 windows, stride 1", bold=e["ov_dX_max"] != 0)
    _grid(axes[1], e["ov_dX_max"], theme, "max: winners add up", heat, e["ov_dX_max"] != 0, labels)
    top = float(np.max(e["ov_dX_avg"]))
    heat = [[(theme.palette[0], 0.55 * v / top) for v in row] for row in e["ov_dX_avg"]]
    _grid(axes[2], e["ov_dX_avg"], theme, "average: Σ dY / 9 per cell", heat, digits=2)
    return fig


def _draw_shift(theme: Theme):
    r = shift_row()
    fig, axes = new_figure(theme, ncols=3, width=9.6, height=3.6)
    pos = np.arange(len(r["x"]))
    axes[0].plot(pos, r["x"], "o-", markersize=5, label="before")
    axes[0].plot(pos, r["x_shift"], "s--", markersize=4.5, label="after moving right by 1 px")
    axes[0].set_title("detector outputs")
    axes[0].set_xlabel("position (pixels)")
    axes[0].set_ylabel("activation")
    for ax, key, name in ((axes[1], "max", "max"), (axes[2], "avg", "average")):
        a, b = r[key], r[key + "_shift"]
        centre = np.arange(len(a)) + 1  # centre of each 1×3 window
        same = a == b
        ax.plot(centre, a, "o-", markersize=5)
        ax.plot(centre, b, "s--", markersize=4.5)
        ax.plot(
            centre[same],
            a[same],
            "o",
            markersize=13,
            markerfacecolor="none",
            markeredgecolor=theme.fg,
            markeredgewidth=1.5,
            label="unchanged output" if key == "max" else None,
        )
        ax.set_title(f"{name} 1×3, stride 1\n{int(same.sum())} of {len(a)} unchanged")
        ax.set_xlabel("window centre (pixels)")
        ax.tick_params(labelleft=False)  # same activation scale as the first panel
    for ax in axes:
        ax.set_xticks(range(0, len(pos), 2))
        ax.set_ylim(-0.05, 1.08)
        ax.set_yticks([0, 0.5, 1])
    fig.legend(loc="outside lower center", ncols=3)
    return fig


def figures():
    """Figure name → function drawing it for a theme."""
    return {
        "example": _draw_example,
        "gradient-routing": _draw_routing,
        "gradient-overlap": _draw_overlap,
        "shift": _draw_shift,
    }


def values() -> dict[str, object]:
    """Every number the page quotes, formatted as the page shows it."""
    v: dict[str, object] = {}
    e = worked_example()
    for key in ("X", "dY", "max", "dX_max", "ov_max", "ov_dX_max"):
        v[f"ex_{key}"] = tex_matrix(e[key], digits=0)
    for key in ("avg", "dX_avg"):
        v[f"ex_{key}"] = tex_matrix(e[key], digits=2)
    v["ex_ov_avg"] = tex_matrix(e["ov_avg"], digits=2)
    v["ex_ov_dX_avg"] = tex_matrix(e["ov_dX_avg"], digits=2)
    v["ex_max_list"] = ", ".join(_num(x) for x in e["max"].ravel())
    v["ex_avg_list"] = ", ".join(fmt(x, 2) for x in e["avg"].ravel())
    v["ex_dY_list"] = ", ".join(_num(x) for x in e["dY"].ravel())
    v["ex_dX_avg_list"] = ", ".join(fmt(x, 2) for x in e["dX_avg"].ravel()[[0, 2, 8, 10]])
    v["ex_tr_max"] = _num(e["max"][0, 1])
    v["ex_tr_avg"] = _num(e["avg"][0, 1])
    v["ex_ov_top"] = _num(e["ov_dX_max"].max())
    wins = [_argmax_naive(e["X"], a, b, (3, 3), (1, 1), (0, 0)) for a in range(2) for b in range(2)]
    v["ex_ov_wins"] = max(wins.count(w) for w in wins)  # windows won by the busiest cell
    busiest = max(wins, key=wins.count)
    v["ex_ov_parts"] = " + ".join(
        _num(e["dY"].ravel()[i]) for i, w in enumerate(wins) if w == busiest
    )
    v["ex_ov_busiest"] = _num(e["X"][busiest])
    v["ex_ov_second"] = _num(np.sort(e["ov_dX_max"].ravel())[-2])
    v["ex_dY_sum"] = _num(e["dY"].sum())
    v["ex_dX_max_sum"] = _num(e["dX_max"].sum())
    v["ex_ov_dX_avg_sum"] = _num(e["ov_dX_avg"].sum())

    c = edge_cases()
    for key in ("div_incl", "div_excl", "neg_X", "neg_max", "tie_dX"):
        v[f"edge_{key}"] = tex_matrix(c[key], digits=0)
    for key in ("avg_incl", "avg_excl"):
        v[f"edge_{key}"] = tex_matrix(c[key], digits=3)
    for key in ("ceil_6_div_incl", "ceil_6_div_excl"):
        v[f"edge_{key}"] = tex_matrix(c[key], digits=0)
    v["edge_neg_zero_wins"] = c["neg_zero_wins"]
    v["edge_neg_outputs"] = int(c["neg_max"].size)
    v["edge_grad_total"] = _num(c["grad_total"])
    v["edge_ceil_6_n"] = len(c["ceil_6_div_incl"])
    v["edge_ceil_5_p1_last_start"] = (c["ceil_5_p1_raw"] - 1) * 2 - 1  # (out − 1)·s − p
    v["edge_grad_sum_incl"] = fmt(c["grad_sum_incl"], 2)
    v["edge_grad_sum_excl"] = _num(c["grad_sum_excl"])
    for key in ("floor_5", "ceil_5", "ceil_5_p1_raw", "ceil_5_p1", "bigpad_n"):
        v[f"edge_{key}"] = int(c[key])
    v["edge_floor_5_dropped_pct"] = fmt(100 * (25 - (2 * c["floor_5"]) ** 2) / 25, 0)

    r = shift_row()
    v["shift_n"] = len(r["max"])
    v["shift_max_same"] = int(np.sum(r["max"] == r["max_shift"]))
    v["shift_avg_same"] = int(np.sum(r["avg"] == r["avg_shift"]))
    v["shift_len"] = len(r["x"])
    v["shift_peaks"] = ", ".join(
        str(i) for i in range(1, len(r["x"]) - 1) if r["x"][i - 1] < r["x"][i] > r["x"][i + 1]
    )
    v["shift_seeds"] = SHIFT_SEEDS
    v["shift_maps"] = SHIFT_MAPS
    v["shift_size"] = SHIFT_SIZE
    v["shift_blur"] = fmt(SHIFT_BLUR, 0)
    runs = shift_runs()
    for key, *_ in _shift_poolings():
        v[f"shift_{key}_change"] = _pm(runs[key]["rel_change"])
        v[f"shift_{key}_same"] = _pm(runs[key]["unchanged"])
    gap, _ = _norm_gaps(runs)
    ch = {key: runs[key]["rel_change"].mean() for key in runs if "rel_change" in runs[key]}
    for k, _ in SHIFT_POOLS:
        v[f"shift_gap{k}"] = _pm(gap[k])
        # the gap as a share of each one's own change, in percent
        v[f"shift_gap{k}_of_avg"] = fmt(100 * gap[k].mean() / ch[f"avg{k}"], 0)
        v[f"shift_gap{k}_of_max"] = fmt(100 * gap[k].mean() / ch[f"max{k}"], 0)
    v["shift_blur_gap"] = _pm(runs["max2"]["rel_change"] - runs["blur"]["rel_change"])
    for kind in ("max", "avg"):
        v[f"shift_odd_{kind}"] = _pm(runs[f"odd_{kind}"]["best_match"])
    return v


# ---------------------------------------------------------------------------------------------
# The page's playground (docs/javascripts/widgets.js): shared test vectors.


def widget_vectors(n: int = 60, seed: int = 11) -> list[dict]:
    """Random single-channel cases with both poolings and both gradients (for an upstream
    gradient dY) computed here; the browser tests feed the same cases to the JavaScript
    playground and compare. Small integer inputs, so ties happen."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        H, W = (int(v) for v in rng.integers(1, 8, size=2))
        k = tuple(int(v) for v in rng.integers(1, 5, size=2))
        s = tuple(int(v) for v in rng.integers(1, 4, size=2))
        p = tuple(int(rng.integers(0, kk // 2 + 1)) for kk in k)
        ceil_mode = bool(rng.integers(0, 2))
        include = bool(rng.integers(0, 2))
        X = rng.integers(-5, 6, size=(1, H, W)).astype(float)
        try:
            Ym = max_pool2d(X, k, s, p, ceil_mode)
        except ValueError:  # no window fits
            continue
        Ya = avg_pool2d(X, k, s, p, ceil_mode, include)
        dY = rng.integers(1, 5, size=Ym.shape).astype(float)
        out.append(
            {
                "x": X[0].tolist(),
                "kernel": list(k),
                "stride": list(s),
                "padding": list(p),
                "ceil_mode": ceil_mode,
                "count_include_pad": include,
                "dy": dY[0].tolist(),
                "max": Ym[0].tolist(),
                "avg": Ya[0].tolist(),
                "max_grad": max_pool2d_backward(dY, X, k, s, p, ceil_mode)[0].tolist(),
                "avg_grad": avg_pool2d_backward(dY, X.shape, k, s, p, ceil_mode, include)[
                    0
                ].tolist(),
            }
        )
    return out


def data() -> dict:
    """JSON for the playground's tests."""
    return {"widget": {"vectors": widget_vectors()}}
