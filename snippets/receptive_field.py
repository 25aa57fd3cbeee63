"""Receptive fields of convolutional stacks: the recurrence, its closed form and a numpy check.

A stack is a list of `Layer(kernel, stride, padding, dilation)`; pooling layers are Layers too
(`kind="avgpool"` or `"maxpool"`). `receptive_field` runs the recurrence of Araujo, Norris & Sim
(Distill, 2019) and returns one `Field(size, stride, padding)` per layer: output `i` of layer `l`
sees the input pixels `i·stride − padding … i·stride − padding + size − 1`. The rest of the module
checks that claim empirically (a small numpy conv / pool stack whose input gradient has exactly
the predicted support), builds the layer lists of well-known networks, and computes the page's
experiments, figures and values.
"""

from __future__ import annotations

import functools
import numbers
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.patches import Rectangle

from snippets import checks
from snippets.formatting import fmt
from snippets.plotting import Theme, new_figure
from snippets.seeds import seeds

KINDS = ("conv", "avgpool", "maxpool")


def _int_at_least(name: str, value, low: int) -> int:
    """`value` as an int ≥ `low`; bools, floats (NaN included) and strings are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        shown = f"{type(value).__name__} {value!r}"[:80]
        raise TypeError(f"{name}: expected an int >= {low}, got {shown}")
    if value < low:
        raise ValueError(f"{name}: expected an int >= {low}, got {value}")
    return int(value)


# --8<-- [start:layer]
@dataclass(frozen=True)
class Layer:
    """One convolution or pooling layer's geometry (the same on every axis).

    `padding` is the padding before the first pixel; extra padding after the last one (as
    TensorFlow's "SAME" may add) changes how many outputs there are, not where fields sit.
    Convolutions accept any padding, pooling layers at most half the effective kernel (as in
    PyTorch): a window wholly in the padding would have nothing to pool.
    """

    kernel: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    kind: str = "conv"  # "conv", "avgpool" or "maxpool": the field is the same for all three
    name: str = field(default="", compare=False)

    def __post_init__(self):
        for arg, low in (("kernel", 1), ("stride", 1), ("padding", 0), ("dilation", 1)):
            object.__setattr__(self, arg, _int_at_least(arg, getattr(self, arg), low))
        checks.choice("kind", self.kind, KINDS)
        if not isinstance(self.name, str):
            raise TypeError(f"name: expected a str, got {type(self.name).__name__}")
        if self.kind != "conv" and self.padding > self.k_eff // 2:
            raise ValueError(
                f"padding: expected at most {self.k_eff // 2} (half the effective kernel "
                f"{self.k_eff}) for a {self.kind} layer, got {self.padding}"
            )

    @property
    def k_eff(self) -> int:
        """Effective kernel d·(k − 1) + 1: the span of input the kernel's taps cover."""
        return self.dilation * (self.kernel - 1) + 1


class Field(NamedTuple):
    """Receptive field of one layer's outputs, in input pixels."""

    size: int  # how many input pixels one output spans
    stride: int  # distance in the input between neighbouring outputs (the "jump")
    padding: int  # output 0's field starts at input index -padding

    def interval(self, index: int) -> tuple[int, int]:
        """First and last input pixel (inclusive) of output `index`, before clipping."""
        first = index * self.stride - self.padding
        return first, first + self.size - 1

    def __getitem__(self, key):
        # record["size"] as well as record.size and record[0]
        if isinstance(key, str):
            if key not in self._fields:
                raise KeyError(key)
            return getattr(self, key)
        return tuple.__getitem__(self, key)


# --8<-- [end:layer]


def check_layers(layers) -> list[Layer]:
    """`layers` as a non-empty list of Layer; raises TypeError / ValueError otherwise."""
    if isinstance(layers, Layer):
        raise TypeError("layers: expected a list of Layer, got a single Layer (wrap it in [ ])")
    if not isinstance(layers, (list, tuple)):
        raise TypeError(f"layers: expected a list of Layer, got {type(layers).__name__}")
    if len(layers) == 0:
        raise ValueError("layers: expected at least one Layer, got an empty list")
    for i, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise TypeError(f"layers[{i}]: expected a Layer, got {type(layer).__name__}")
    return list(layers)


# --8<-- [start:recurrence]
def receptive_field(layers) -> list[Field]:
    """Receptive field of every layer of a stack, input → output order.

    Parameters
    ----------
    layers : list of Layer, the first one applied to the input

    Returns
    -------
    list of Field(size, stride, padding), one per layer

    Notes
    -----
    With :math:`k^\\text{eff}_l = d_l (k_l - 1) + 1` and :math:`r_0 = 1, S_0 = 1, P_0 = 0`:
    :math:`r_l = r_{l-1} + (k^\\text{eff}_l - 1) S_{l-1}`, :math:`S_l = S_{l-1} s_l`,
    :math:`P_l = P_{l-1} + p_l S_{l-1}`. Output :math:`i` of layer :math:`l` sees input pixels
    :math:`[\\,i S_l - P_l,\\ i S_l - P_l + r_l - 1\\,]`.
    """
    layers = check_layers(layers)
    size, stride, padding = 1, 1, 0  # the input itself: one pixel, stride 1, no offset
    fields = []
    for layer in layers:
        size += (layer.k_eff - 1) * stride  # k_eff taps, S_{l-1} input pixels apart
        padding += layer.padding * stride  # p_l of layer l-1's pixels, each S_{l-1} wide
        stride *= layer.stride
        fields.append(Field(size, stride, padding))
    return fields


# --8<-- [end:recurrence]


# --8<-- [start:closed_form]
def receptive_field_closed_form(layers) -> list[Field]:
    """The same numbers from the closed forms, with cumulative products instead of a loop.

    Notes
    -----
    :math:`S_l = \\prod_{i \\le l} s_i`,
    :math:`r_l = 1 + \\sum_{j \\le l} (k^\\text{eff}_j - 1) \\prod_{i < j} s_i`,
    :math:`P_l = \\sum_{j \\le l} p_j \\prod_{i < j} s_i`.
    """
    layers = check_layers(layers)
    k_eff = np.array([layer.k_eff for layer in layers], dtype=np.int64)
    s = np.array([layer.stride for layer in layers], dtype=np.int64)
    p = np.array([layer.padding for layer in layers], dtype=np.int64)
    S = np.cumprod(s)
    S_before = np.concatenate([[1], S[:-1]])  # prod_{i<j} s_i
    size = 1 + np.cumsum((k_eff - 1) * S_before)
    padding = np.cumsum(p * S_before)
    return [Field(int(a), int(b), int(c)) for a, b, c in zip(size, S, padding)]


# --8<-- [end:closed_form]


def output_sizes(layers, input_size) -> list[int]:
    """Output length of every layer for an input of `input_size` pixels (floor division, as in
    PyTorch); raises ValueError if some layer would have no output."""
    layers = check_layers(layers)
    n = _int_at_least("input_size", input_size, 1)
    sizes = []
    for i, layer in enumerate(layers):
        span = n + 2 * layer.padding - layer.k_eff
        if span < 0:
            raise ValueError(
                f"input_size: expected a larger input, {input_size} leaves layers[{i}] "
                f"(effective kernel {layer.k_eff}, padding {layer.padding}) only {n} pixels"
            )
        n = span // layer.stride + 1
        sizes.append(n)
    return sizes


def _last_field(layers_or_fields) -> tuple[Field, list[Layer] | None]:
    if isinstance(layers_or_fields, Field):
        return layers_or_fields, None
    if isinstance(layers_or_fields, Layer):
        layers_or_fields = [layers_or_fields]
    if (
        isinstance(layers_or_fields, (list, tuple))
        and layers_or_fields
        and all(isinstance(f, Field) for f in layers_or_fields)
    ):
        return layers_or_fields[-1], None
    layers = check_layers(layers_or_fields)
    return receptive_field(layers)[-1], layers


# --8<-- [start:field_of]
def field_of(layers, index, input_size=None) -> tuple[int, int] | None:
    """First and last input pixel (inclusive) that output `index` of the last layer sees.

    Parameters
    ----------
    layers : list of Layer, a list of Field (the last one is used), a Layer or a Field
    index : int >= 0, position of the output along one axis
    input_size : int, optional
        Length of the input along that axis. When given, the interval is clipped to the image
        `[0, input_size - 1]`, `index` must be a valid output position (checked when `layers`
        are Layers), and `None` is returned if the field lies wholly in the padding.

    Notes
    -----
    The interval is :math:`[\\,i S_L - P_L,\\ i S_L - P_L + r_L - 1\\,]`; 2-D fields are the
    product of the intervals of the two axes.
    """
    last, layers = _last_field(layers)
    index = _int_at_least("index", index, 0)
    first, final = last.interval(index)
    if input_size is None:
        return first, final
    input_size = _int_at_least("input_size", input_size, 1)
    if layers is not None:
        n_out = output_sizes(layers, input_size)[-1]
        if index >= n_out:
            raise ValueError(
                f"index: expected 0 <= index < {n_out} (outputs for input_size "
                f"{input_size}), got {index}"
            )
    first, final = max(first, 0), min(final, input_size - 1)
    return (first, final) if first <= final else None


# --8<-- [end:field_of]


# --8<-- [start:offsets]
def reachable_offsets(layers) -> np.ndarray:
    """Offsets inside the field (0 … size − 1) that some path of taps reaches.

    Every offset is reachable in an ordinary stack; dilation, or a kernel narrower than the
    spacing of the layer below (a 1×1 convolution with stride 2), leaves holes. Ignores the
    image border: this is the support of an output whose field lies inside the image.

    Notes
    -----
    The set is the Minkowski sum over layers of
    :math:`\\{\\,t\\, d_l\\, S_{l-1} : t = 0, \\dots, k_l - 1\\,\\}`.
    """
    layers = check_layers(layers)
    offsets = np.zeros(1, dtype=np.int64)
    stride = 1
    for layer in layers:
        taps = np.arange(layer.kernel) * layer.dilation * stride
        offsets = np.unique(offsets[:, None] + taps[None, :])
        stride *= layer.stride
    return offsets


# --8<-- [end:offsets]


# --8<-- [start:track]
def track_support(layers, input_size, index) -> np.ndarray:
    """Input pixels connected to output `index` of the last layer, by following every tap back
    through the stack and dropping positions that fall in a layer's padding (exact, integers
    only: the dependency-tracking counterpart of a gradient)."""
    layers = check_layers(layers)
    lengths = [_int_at_least("input_size", input_size, 1), *output_sizes(layers, input_size)]
    index = _int_at_least("index", index, 0)
    if index >= lengths[-1]:
        raise ValueError(f"index: expected 0 <= index < {lengths[-1]}, got {index}")
    positions = np.array([index])
    for layer, n_below in zip(reversed(layers), reversed(lengths[:-1])):
        taps = np.arange(layer.kernel) * layer.dilation
        below = positions[:, None] * layer.stride - layer.padding + taps[None, :]
        below = np.unique(below)
        positions = below[(below >= 0) & (below < n_below)]  # padding holds no pixel
    return positions


# --8<-- [end:track]


# ---------------------------------------------------------------------------------------------
# A small numpy convolution and pooling stack, 1-D (N, C, L) or 2-D (N, C, H, W), to check the
# fields empirically: the input gradient of one output is non-zero exactly on its support.


def _hyper(stride, padding, dilation) -> tuple[int, int, int]:
    return (
        _int_at_least("stride", stride, 1),
        _int_at_least("padding", padding, 0),
        _int_at_least("dilation", dilation, 1),
    )


def _check_input(X) -> np.ndarray:
    X = checks.as_float_array("X", X)
    if X.ndim not in (3, 4):
        raise ValueError(f"X: expected (N, C, L) or (N, C, H, W), got shape {X.shape}")
    if min(X.shape) == 0:
        raise ValueError(f"X: expected no empty axis, got shape {X.shape}")
    return X


def _out_shape(spatial, k, s, p, d, arg: str = "X") -> tuple[int, ...]:
    out = []
    for n, kk in zip(spatial, k):
        span = n + 2 * p - (d * (kk - 1) + 1)
        if span < 0:
            raise ValueError(
                f"{arg}: spatial size {tuple(spatial)} is too small for kernel {tuple(k)} "
                f"with padding {p} and dilation {d}"
            )
        out.append(span // s + 1)
    return tuple(out)


def _check_conv(X, W) -> tuple[np.ndarray, np.ndarray]:
    X = _check_input(X)
    W = checks.as_float_array("W", W)
    if W.ndim != X.ndim or W.shape[1] != X.shape[1] or min(W.shape) == 0:
        raise ValueError(
            f"W: expected shape (C_out, {X.shape[1]}, {', '.join(['k'] * (X.ndim - 2))}) "
            f"for X of shape {X.shape}, got {W.shape}"
        )
    return X, W


def _pad(X: np.ndarray, p: int, value: float = 0.0) -> np.ndarray:
    return np.pad(X, [(0, 0), (0, 0)] + [(p, p)] * (X.ndim - 2), constant_values=value)


# --8<-- [start:conv]
def _windows(Xp: np.ndarray, k: tuple[int, ...], s: int, d: int) -> np.ndarray:
    """View of a padded input as (N, C, *out, *k): every output's taps, no copy."""
    nd = len(k)
    k_eff = tuple(d * (kk - 1) + 1 for kk in k)
    win = np.lib.stride_tricks.sliding_window_view(Xp, k_eff, axis=tuple(range(2, 2 + nd)))
    # every s-th window start, every d-th pixel inside a window
    return win[(slice(None),) * 2 + (slice(None, None, s),) * nd + (slice(None, None, d),) * nd]


def conv(X, W, stride: int = 1, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """Cross-correlation with zero padding, as PyTorch's conv1d / conv2d (no bias).

    Parameters
    ----------
    X : array (N, C_in, L) or (N, C_in, H, W)
    W : array (C_out, C_in, k) or (C_out, C_in, kh, kw)

    Returns
    -------
    Y : array (N, C_out, *out), out = ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1 per axis

    Notes
    -----
    :math:`Y_{n,o,i} = \\sum_{c,t} W_{o,c,t}\\, X_{n,c,\\, i s - p + t d}` (zero outside X).
    """
    X, W = _check_conv(X, W)
    s, p, d = _hyper(stride, padding, dilation)
    nd, k = X.ndim - 2, W.shape[2:]
    _out_shape(X.shape[2:], k, s, p, d)
    win = _windows(_pad(X, p), k, s, d)  # (N, C_in, *out, *k)
    Y = np.tensordot(win, W, axes=([1, *range(2 + nd, 2 + 2 * nd)], [1, *range(2, 2 + nd)]))
    return np.moveaxis(Y, -1, 1)  # (N, *out, C_out) -> (N, C_out, *out)


# --8<-- [end:conv]


def conv_naive(X, W, stride: int = 1, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """`conv` one output position and one kernel tap at a time, reading X directly (a tap that
    lands in the padding contributes nothing)."""
    X, W = _check_conv(X, W)
    s, p, d = _hyper(stride, padding, dilation)
    # --8<-- [start:conv_naive]
    spatial, k = X.shape[2:], W.shape[2:]
    out = _out_shape(spatial, k, s, p, d)
    Y = np.zeros((X.shape[0], W.shape[0], *out))
    for pos in np.ndindex(*out):
        for tap in np.ndindex(*k):
            src = tuple(i * s - p + t * d for i, t in zip(pos, tap))
            if all(0 <= j < n for j, n in zip(src, spatial)):
                # (N, C_in) @ (C_in, C_out): every sample and output channel at once
                Y[(slice(None), slice(None), *pos)] += X[(slice(None), slice(None), *src)] @ (
                    W[(slice(None), slice(None), *tap)].T
                )
    # --8<-- [end:conv_naive]
    return Y


# --8<-- [start:conv_grad]
def conv_input_grad(dY, W, input_shape, stride: int = 1, padding: int = 0, dilation: int = 1):
    """Gradient of a loss with respect to the input of `conv`, given dL/dY.

    Parameters
    ----------
    dY : array (N, C_out, *out), the gradient at the output
    W : array (C_out, C_in, *k)
    input_shape : tuple (N, C_in, *spatial) of the input X

    Returns
    -------
    dX : array of shape `input_shape`

    Notes
    -----
    :math:`\\partial L / \\partial X_{n,c,j} = \\sum_{o,i,t\\,:\\, i s - p + t d = j}
    W_{o,c,t}\\, \\partial L / \\partial Y_{n,o,i}`: each tap scatters the output gradient back
    to the pixels it read (the transposed convolution).
    """
    W = checks.as_float_array("W", W)
    dY = checks.as_float_array("dY", dY)
    s, p, d = _hyper(stride, padding, dilation)
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) not in (3, 4):
        raise ValueError(
            f"input_shape: expected (N, C_in, L) or (N, C_in, H, W), got {input_shape!r}"
        )
    shape = tuple(_int_at_least(f"input_shape[{i}]", n, 1) for i, n in enumerate(input_shape))
    nd, k = len(shape) - 2, W.shape[2:]
    if nd not in (1, 2) or W.ndim != len(shape) or W.shape[1] != shape[1]:
        raise ValueError(f"W: expected shape (C_out, {shape[1]}, *k), got {W.shape}")
    out = _out_shape(shape[2:], k, s, p, d, "input_shape")
    if dY.shape != (shape[0], W.shape[0], *out):
        raise ValueError(f"dY: expected shape {(shape[0], W.shape[0], *out)}, got {dY.shape}")
    dXp = np.zeros((*shape[:2], *(n + 2 * p for n in shape[2:])))
    for tap in np.ndindex(*k):
        # the pixels this tap read: start t·d, every s-th, one per output position
        reads = tuple(slice(t * d, t * d + s * (o - 1) + 1, s) for t, o in zip(tap, out))
        back = np.tensordot(dY, W[(slice(None), slice(None), *tap)], axes=([1], [0]))
        dXp[(slice(None), slice(None), *reads)] += np.moveaxis(back, -1, 1)
    return dXp[(slice(None), slice(None), *(slice(p, p + n) for n in shape[2:]))]


# --8<-- [end:conv_grad]


def _pool_args(X, kernel, stride, padding, dilation):
    X = _check_input(X)
    layer = Layer(kernel, stride, padding, dilation, kind="avgpool")  # validates, pool padding
    _out_shape(X.shape[2:], (layer.kernel,) * (X.ndim - 2), *_hyper(stride, padding, dilation))
    return X, layer


def _avg_weights(C: int, kernel: int, nd: int) -> np.ndarray:
    """Depthwise averaging as a convolution: channel c reads only channel c, weight 1/k^nd."""
    return np.eye(C).reshape(C, C, *(1,) * nd) * np.full((kernel,) * nd, kernel**-nd)


def avg_pool(X, kernel: int, stride: int, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """Average pooling per channel; padded zeros count in the mean (PyTorch's default
    count_include_pad=True). X is (N, C, L) or (N, C, H, W)."""
    X, layer = _pool_args(X, kernel, stride, padding, dilation)
    W = _avg_weights(X.shape[1], layer.kernel, X.ndim - 2)
    return conv(X, W, layer.stride, layer.padding, layer.dilation)


def avg_pool_input_grad(dY, input_shape, kernel: int, stride: int, padding=0, dilation=1):
    """Gradient of `avg_pool` with respect to its input: each window shares dY equally."""
    layer = Layer(kernel, stride, padding, dilation, kind="avgpool")
    W = _avg_weights(int(input_shape[1]), layer.kernel, len(input_shape) - 2)
    return conv_input_grad(dY, W, input_shape, layer.stride, layer.padding, layer.dilation)


def max_pool(X, kernel: int, stride: int, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """Max pooling per channel, padding with -inf (a pad never wins). X is (N, C, *spatial)."""
    X, layer = _pool_args(X, kernel, stride, padding, dilation)
    nd = X.ndim - 2
    win = _windows(_pad(X, layer.padding, -np.inf), (layer.kernel,) * nd, layer.stride, dilation)
    return win.max(axis=tuple(range(-nd, 0)))


def max_pool_input_grad(dY, X, kernel: int, stride: int, padding=0, dilation=1) -> np.ndarray:
    """Gradient of `max_pool` with respect to X: each window's gradient goes to its (first)
    largest pixel only, which is why max pooling's gradient support is smaller than its field."""
    X, layer = _pool_args(X, kernel, stride, padding, dilation)
    nd, k, s, p = X.ndim - 2, layer.kernel, layer.stride, layer.padding
    win = _windows(_pad(X, p, -np.inf), (k,) * nd, s, layer.dilation)
    out = win.shape[2 : 2 + nd]
    dY = checks.as_float_array("dY", dY)
    if dY.shape != (*X.shape[:2], *out):
        raise ValueError(f"dY: expected shape {(*X.shape[:2], *out)}, got {dY.shape}")
    best = win.reshape(*win.shape[: 2 + nd], -1).argmax(axis=-1)  # flat tap of the max
    taps = np.unravel_index(best, (k,) * nd)
    grid = np.indices(best.shape)  # n, c and output position of every entry
    where = tuple(grid[2 + a] * s + taps[a] * layer.dilation for a in range(nd))
    dXp = np.zeros(_pad(X, p).shape)
    np.add.at(dXp, (grid[0], grid[1], *where), dY)  # windows overlap: accumulate
    return dXp[(slice(None), slice(None), *(slice(p, p + n) for n in X.shape[2:]))]


def init_weights(layers, channels: int = 2, nd: int = 1, rng=0, positive: bool = True):
    """One weight array (C, C, *k) per conv layer (None for pooling layers).

    `positive` draws weights uniformly from [0.5, 1.5]: every path from input to output then
    carries a strictly positive product, so no gradient entry cancels to zero by accident.
    Otherwise He-normal weights, N(0, 2 / (C·k^nd)).
    """
    layers = check_layers(layers)
    C = _int_at_least("channels", channels, 1)
    nd = _int_at_least("nd", nd, 1)
    if nd > 2:
        raise ValueError(f"nd: expected 1 or 2 spatial dimensions, got {nd}")
    rng = checks.generator("rng", rng)
    weights = []
    for layer in layers:
        shape = (C, C, *(layer.kernel,) * nd)
        if layer.kind != "conv":
            weights.append(None)
        elif positive:
            weights.append(rng.uniform(0.5, 1.5, size=shape))
        else:
            weights.append(rng.normal(0.0, np.sqrt(2.0 / (C * layer.kernel**nd)), size=shape))
    return weights


# --8<-- [start:stack]
def stack_forward(layers, X, weights, relu: bool = False):
    """Run a stack; returns the output and, per layer, its (input, pre-activation)."""
    layers = check_layers(layers)
    a, cache = _check_input(X), []
    if not isinstance(weights, (list, tuple)) or len(weights) != len(layers):
        raise ValueError(f"weights: expected {len(layers)} entries (one per layer)")
    for layer, W in zip(layers, weights):
        s, p, d = layer.stride, layer.padding, layer.dilation
        if layer.kind == "conv":
            z = conv(a, W, s, p, d)
        elif layer.kind == "avgpool":
            z = avg_pool(a, layer.kernel, s, p, d)
        else:
            z = max_pool(a, layer.kernel, s, p, d)
        cache.append((a, z))
        a = np.maximum(z, 0.0) if relu and layer.kind == "conv" else z
    return a, cache


def stack_input_grad(layers, X, weights, index, relu: bool = False) -> np.ndarray:
    """d(sum over channels of output `index`)/dX, for every sample: shape of X."""
    Y, cache = stack_forward(layers, X, weights, relu)
    index = (index,) if isinstance(index, numbers.Integral) else tuple(index)
    if len(index) != Y.ndim - 2 or not all(0 <= i < n for i, n in zip(index, Y.shape[2:])):
        raise ValueError(f"index: expected a position in the output map {Y.shape[2:]}, got {index}")
    g = np.zeros_like(Y)
    g[(slice(None), slice(None), *index)] = 1.0
    for layer, W, (a, z) in zip(reversed(layers), reversed(weights), reversed(cache)):
        s, p, d = layer.stride, layer.padding, layer.dilation
        if layer.kind == "conv":
            g = conv_input_grad(g * (z > 0) if relu else g, W, a.shape, s, p, d)
        elif layer.kind == "avgpool":
            g = avg_pool_input_grad(g, a.shape, layer.kernel, s, p, d)
        else:
            g = max_pool_input_grad(g, a, layer.kernel, s, p, d)
    return g


# --8<-- [end:stack]


def gradient_support(layers, input_size, index, nd: int = 1, seed: int = 0) -> np.ndarray:
    """Boolean mask over the input (length L, or L×L for nd=2) of the pixels whose input
    gradient is non-zero, for output `index` of a stack with positive random weights."""
    layers = check_layers(layers)
    n = _int_at_least("input_size", input_size, 1)
    rng = np.random.default_rng(seed)
    weights = init_weights(layers, channels=2, nd=nd, rng=rng)
    X = rng.normal(size=(1, 2, *(n,) * nd))
    g = stack_input_grad(layers, X, weights, index)
    return np.any(g != 0, axis=(0, 1))


# ---------------------------------------------------------------------------------------------
# Well-known networks as layer lists (the longest path from input to the last feature map).


def same_padding(kernel: int, stride: int, input_size: int, dilation: int = 1) -> int:
    """Padding before the first pixel that TensorFlow's "SAME" uses for this input length.

    SAME pads a total of max(k_eff − (n mod s or s), 0) and puts the smaller half first, so a
    3×3 stride-2 layer on an even input pads 0 before (and 1 after) while PyTorch's padding=1
    pads 1 on both sides: the same network, fields shifted by one pixel of that layer.
    """
    layer = Layer(kernel, stride, 0, dilation)
    n = _int_at_least("input_size", input_size, 1)
    total = max(layer.k_eff - (n % layer.stride or layer.stride), 0)
    return total // 2


def _tf_stack(specs, input_size: int) -> list[Layer]:
    """Layers from (name, kernel, stride, padding) where padding is an int or "SAME" / "VALID",
    resolved for `input_size` (TensorFlow's SAME depends on each layer's input length)."""
    n, layers = input_size, []
    for name, k, s, pad, kind in specs:
        p = same_padding(k, s, n) if pad == "SAME" else 0 if pad == "VALID" else pad
        after = {"SAME": max(k - (n % s or s), 0) - p, "VALID": 0}.get(pad, p)
        layers.append(Layer(k, s, p, kind=kind, name=name))
        n = (n + p + after - k) // s + 1
    return layers


def alexnet_v2_slim() -> list[Layer]:
    """TF-slim alexnet_v2 up to pool5 (conv1 and the pools VALID, the other convs SAME)."""
    c, m = "conv", "maxpool"
    specs = [("conv1", 11, 4, "VALID", c), ("pool1", 3, 2, "VALID", m)]
    specs += [("conv2", 5, 1, "SAME", c), ("pool2", 3, 2, "VALID", m)]
    specs += [(f"conv{i}", 3, 1, "SAME", c) for i in (3, 4, 5)]
    specs += [("pool5", 3, 2, "VALID", m)]
    return _tf_stack(specs, 224)


def alexnet_torchvision() -> list[Layer]:
    """torchvision's AlexNet features (conv1 11×11 stride 4 padding 2) up to the last pool."""
    return [
        Layer(11, 4, 2, name="conv1"),
        Layer(3, 2, 0, kind="maxpool", name="pool1"),
        Layer(5, 1, 2, name="conv2"),
        Layer(3, 2, 0, kind="maxpool", name="pool2"),
        *(Layer(3, 1, 1, name=f"conv{i}") for i in (3, 4, 5)),
        Layer(3, 2, 0, kind="maxpool", name="pool5"),
    ]


def vgg16() -> list[Layer]:
    """VGG-16 up to pool5: 13 convolutions 3×3 padding 1, 5 max pools 2×2 stride 2 (the same
    in TF-slim and torchvision)."""
    layers = []
    for block, n_convs in enumerate((2, 2, 3, 3, 3), start=1):
        layers += [Layer(3, 1, 1, name=f"conv{block}_{j}") for j in range(1, n_convs + 1)]
        layers.append(Layer(2, 2, 0, kind="maxpool", name=f"pool{block}"))
    return layers


def resnet50_slim(input_size: int = 224) -> list[Layer]:
    """TF-slim resnet_v1_50 along its longest path, up to block4.

    conv1 7×7/2 padded 3 explicitly (conv2d_same), pool1 3×3/2 SAME, then 3, 4, 6, 3 bottleneck
    units (1×1, 3×3, 1×1). TF-slim downsamples in the *last* unit of blocks 1-3, in its 3×3
    convolution (conv2d_same: padding 1). The shortcut paths (1×1 convolutions and
    subsampling) sit centred inside this path's field, so this path sets the field.
    """
    specs = [("conv1", 7, 2, 3, "conv"), ("pool1", 3, 2, "SAME", "maxpool")]
    for b, (units, stride) in enumerate(zip((3, 4, 6, 3), (2, 2, 2, 1)), start=1):
        for u in range(1, units + 1):
            s = stride if u == units else 1
            name = f"block{b}" if u == units else f"block{b}/unit{u}"
            specs += [(f"{name}/conv1", 1, 1, 0, "conv")]
            specs += [(f"{name}/conv2", 3, s, 1 if s > 1 else "SAME", "conv")]
            specs += [(name, 1, 1, 0, "conv")]
    return _tf_stack(specs, input_size)


def resnet50_torchvision() -> list[Layer]:
    """torchvision's resnet50 ("v1.5") along its longest path, up to layer4: maxpool padding 1
    and the stride in the 3×3 convolution of the *first* unit of layers 2-4."""
    layers = [Layer(7, 2, 3, name="conv1"), Layer(3, 2, 1, kind="maxpool", name="maxpool")]
    for b, (units, stride) in enumerate(zip((3, 4, 6, 3), (1, 2, 2, 2)), start=1):
        for u in range(units):
            s = stride if u == 0 else 1
            name = f"layer{b}" if u == units - 1 else f"layer{b}.{u}"
            layers += [Layer(1, name=f"{name}.conv1"), Layer(3, s, 1, name=f"{name}.conv2")]
            layers += [Layer(1, name=name)]
    return layers


def resnet50_caffe() -> list[Layer]:
    """ResNet-50 as first released (He et al., Caffe) along its longest path, up to res5c:
    pool1 without padding, and the stride in the first 1×1 convolution of the first unit of
    stages 3-5 (a 1×1 stride-2 convolution reads one pixel in four of its input)."""
    layers = [Layer(7, 2, 3, name="conv1"), Layer(3, 2, 0, kind="maxpool", name="pool1")]
    for stage, (units, stride) in enumerate(zip((3, 4, 6, 3), (1, 2, 2, 2)), start=2):
        for u in range(units):
            name = f"res{stage}{'abcdef'[u]}"
            s = stride if u == 0 else 1
            layers += [Layer(1, s, name=f"{name}_branch2a"), Layer(3, 1, 1, name=f"{name}_2b")]
            layers += [Layer(1, name=name)]
    return layers


def mobilenet_v1_slim(input_size: int = 224) -> list[Layer]:
    """TF-slim mobilenet_v1 up to Conv2d_13_pointwise: a 3×3/2 convolution, then 13 depthwise
    3×3 + pointwise 1×1 pairs, all SAME."""
    specs = [("Conv2d_0", 3, 2, "SAME", "conv")]
    for i, s in enumerate((1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1), start=1):
        specs += [(f"Conv2d_{i}_depthwise", 3, s, "SAME", "conv")]
        specs += [(f"Conv2d_{i}_pointwise", 1, 1, "SAME", "conv")]
    return _tf_stack(specs, input_size)


# name, variant, builder, the end point shown, what Araujo et al. publish for it (or None)
NETWORKS = (
    ("AlexNet", "TF-slim alexnet_v2", alexnet_v2_slim, "pool5", (195, 32, 64)),
    ("AlexNet", "torchvision alexnet", alexnet_torchvision, "pool5", None),
    ("VGG-16", "TF-slim vgg_16, torchvision vgg16", vgg16, "pool5", (212, 32, 90)),
    ("ResNet-50", "TF-slim resnet_v1_50", resnet50_slim, "block4", (483, 32, 239)),
    ("ResNet-50", "original (He et al., Caffe)", resnet50_caffe, "res5c", None),
    ("ResNet-50", "torchvision resnet50 (v1.5)", resnet50_torchvision, "layer4", None),
    (
        "MobileNet v1",
        "TF-slim mobilenet_v1",
        mobilenet_v1_slim,
        "Conv2d_13_pointwise",
        (315, 32, 126),
    ),
)


NETWORK_INPUT = 224  # the input size of the table and of the published values


@functools.cache
def network_fields() -> tuple[dict, ...]:
    """For every network of NETWORKS: its layer list and the field at its end point."""
    rows = []
    for name, variant, build, end, published in NETWORKS:
        layers = build()
        fields = receptive_field(layers)
        at = [i for i, layer in enumerate(layers) if layer.name == end][-1]
        rows.append(
            {
                "name": name,
                "variant": variant,
                "end": end,
                "layers": layers,
                "field": fields[at],
                "published": published,
            }
        )
    return tuple(rows)


# ---------------------------------------------------------------------------------------------
# Worked example and the page's other numbers.

EXAMPLE = (
    Layer(3, 1, 1, name="conv"),
    Layer(3, 1, 1, name="conv"),
    Layer(2, 2, 0, kind="maxpool", name="max pool"),
    Layer(3, 1, 2, dilation=2, name="conv"),
    Layer(3, 2, 1, name="conv"),
    Layer(3, 1, 1, name="conv"),
)
EXAMPLE_INPUT = 32


def _describe(layer: Layer) -> str:
    """'conv 3×3, s 2, p 1': the kernel, then what differs from the defaults."""
    nb = "\u00a0"  # no-break space: "p 1" never splits across lines in a narrow column
    parts = [f"{layer.name}{nb}{layer.kernel}×{layer.kernel}"]
    parts += [f"{a}{nb}{v}" for a, v in (("s", layer.stride), ("d", layer.dilation)) if v != 1]
    parts += [f"p{nb}{layer.padding}"] if layer.padding else []
    return ", ".join(parts)


def example_table() -> str:
    """The worked example as a Markdown table: each layer and its field."""
    layers = list(EXAMPLE)
    rows = [
        "| # | layer | kernel $k^\\text{eff}$ | field $r_l$ | stride $S_l$ | padding $P_l$ |",
        "|---:|:---|---:|:---|---:|:---|",
        "| 0 | input | | $1$ | $1$ | $0$ |",
    ]
    prev = Field(1, 1, 0)
    for i, (layer, f) in enumerate(zip(layers, receptive_field(layers)), start=1):
        grow = f"{prev.size} + {layer.k_eff - 1} \\cdot {prev.stride} = {f.size}"
        shift = f"{prev.padding} + {layer.padding} \\cdot {prev.stride} = {f.padding}"
        rows.append(
            f"| {i} | {_describe(layer)} | {layer.k_eff} | ${grow}$ | ${f.stride}$ | ${shift}$ |"
        )
        prev = f
    return "\n".join(rows)


def network_table() -> str:
    """Receptive fields of well-known networks as a Markdown table."""
    rows = [
        "| network | end point | field $r$ (px) | stride $S$ | padding $P$ "
        "| published $r$ / $S$ / $P$ |",
        "|:---|:---|---:|---:|---:|:---|",
    ]
    for r in network_fields():
        f, pub = r["field"], r["published"]
        shown = "—" if pub is None else f"{pub[0]} / {pub[1]} / {pub[2]}"
        if pub is not None:
            shown += " (same)" if tuple(f) == pub else " (differs)"
        rows.append(
            f"| {r['name']}<br><small>{r['variant']}</small> | `{r['end']}` | {f.size} "
            f"| {f.stride} | {f.padding} | {shown} |"
        )
    return "\n".join(rows)


COST_CHANNELS = 64


def small_kernel_costs(channels: int = COST_CHANNELS) -> dict[str, int]:
    """Weights of n stacked 3×3 convolutions vs one kernel with the same field (C in, C out)."""
    C = _int_at_least("channels", channels, 1)
    out = {}
    for n in (2, 3):
        big = receptive_field([Layer(3)] * n)[-1].size
        out[f"field_{n}"] = big
        out[f"small_{n}"] = n * 9 * C * C
        out[f"big_{n}"] = big * big * C * C
    return out


# ---------------------------------------------------------------------------------------------
# Experiment: random stacks, input gradient support vs the predicted field.

CHECK_STACKS = 300  # one random stack per seed


def random_stack(rng: np.random.Generator, max_layers: int = 5) -> list[Layer]:
    """A random stack of 1-`max_layers` conv and pooling layers with k, s, p, d drawn at random
    (conv padding up to the effective kernel, beyond "half")."""
    rng = checks.generator("rng", rng)
    max_layers = _int_at_least("max_layers", max_layers, 1)
    layers = []
    for _ in range(int(rng.integers(1, max_layers + 1))):
        kind = str(rng.choice(KINDS, p=[0.6, 0.2, 0.2]))
        k, s = int(rng.integers(1, 5)), int(rng.integers(1, 4))
        d = int(rng.choice([1, 1, 1, 2, 3]))  # mostly undilated, as in real networks
        k_eff = d * (k - 1) + 1
        p_max = k_eff - 1 if kind == "conv" else k_eff // 2
        layers.append(Layer(k, s, int(rng.integers(0, p_max + 1)), d, kind))
    return layers


def drops_pixels(layers, input_size) -> bool:
    """Whether some layer leaves pixels at the end of its input that no output reads (its output
    length is rounded down: (n + 2p − k_eff) is not a multiple of s)."""
    layers = check_layers(layers)
    lengths = [_int_at_least("input_size", input_size, 1), *output_sizes(layers, input_size)]
    return any((n + 2 * x.padding - x.k_eff) % x.stride for x, n in zip(layers, lengths[:-1]))


def tap_paths(layers, index) -> np.ndarray:
    """Every path of kernel taps from output `index` of the last layer down to the input, one
    row per path: column m is the path's position in map m (0 = the input, L = the output).

    No position is checked against any map's length: positions below 0 or past a map's end are
    where the path runs through padding. There are prod(k_l) paths.
    """
    layers = check_layers(layers)
    index = _int_at_least("index", index, 0)
    pos = np.array([[index]])  # columns: map L, L-1, ... (reversed at the end)
    for layer in reversed(layers):
        taps = np.arange(layer.kernel) * layer.dilation
        below = pos[:, -1:] * layer.stride - layer.padding + taps[None, :]  # (paths, k)
        pos = np.hstack([np.repeat(pos, layer.kernel, axis=0), below.reshape(-1, 1)])
    return pos[:, ::-1]


def border_prediction(layers, input_size, index) -> dict[str, np.ndarray]:
    """The pixels output `index` can reach, predicted without gradients or `track_support`,
    and the pixels of its clipped interval that are missing, by cause.

    Start from the interval clipped to the image and remove, in this order:
    `holes` (offsets no path of taps reaches, `reachable_offsets`), `dropped` (pixels past the
    end of the last field of some layer, left over when an output length is rounded down) and
    `padding` (pixels whose every tap path runs through a padded position of an intermediate
    map). What is left, `predicted`, is the set of input pixels at the end of a path that stays
    inside every map.
    """
    layers = check_layers(layers)
    n = _int_at_least("input_size", input_size, 1)
    lengths = [n, *output_sizes(layers, n)]
    index = _int_at_least("index", index, 0)
    if index >= lengths[-1]:
        raise ValueError(f"index: expected 0 <= index < {lengths[-1]}, got {index}")
    fields = receptive_field(layers)
    first, last = fields[-1].interval(index)
    clipped = np.arange(max(first, 0), min(last, n - 1) + 1)
    offsets = set((first + reachable_offsets(layers)).tolist())
    no_hole = np.array([x for x in clipped if x in offsets], dtype=np.int64)
    # end of the last field of every layer: pixels past it reach no unit of that layer
    ends = [f.interval(m - 1)[1] for f, m in zip(fields, lengths[1:])]
    kept = no_hole[no_hole <= min(ends)]
    paths = tap_paths(layers, index)
    inner = paths[:, 1:-1]  # intermediate maps 1 ... L-1
    clear = np.all((inner >= 0) & (inner < np.array(lengths[1:-1])), axis=1)
    x = paths[:, 0]
    predicted = np.unique(x[clear & (x >= 0) & (x < n)])
    return {
        "clipped": clipped,
        "predicted": predicted,
        "holes": np.setdiff1d(clipped, no_hole),
        "dropped": np.setdiff1d(no_hole, kept),
        "padding": np.setdiff1d(kept, predicted),
    }


CAUSES = ("holes", "dropped", "padding")


@functools.cache
def support_check_runs(seed_set: int = 0) -> dict[str, float]:
    """Gradient support of one output of CHECK_STACKS random 1-D stacks (one per seed of the
    seed set; avg pooling in place of max pooling, positive weights) against the prediction
    and the tracked dependencies. At the border, `clip_predicted` counts the outputs whose
    support equals `border_prediction`; where the clipped interval is not the support's extent,
    `shortfall_*` say by how many pixels it promises too many and `cause_*` in how many outputs
    each cause removes pixels."""
    names = "stacks inside clipped holes within tracked inside_exact clip_exact clip_predicted"
    counts = dict.fromkeys(names.split() + [f"cause_{c}" for c in CAUSES], 0)
    counts["cause_padding_only"] = 0
    shortfalls = []
    for seed in seeds(CHECK_STACKS, seed_set):
        rng = np.random.default_rng(seed)
        layers = [
            Layer(
                x.kernel, x.stride, x.padding, x.dilation, "avgpool" if x.kind != "conv" else x.kind
            )
            for x in random_stack(rng)
        ]
        need = 1  # smallest input with an output, then a random margin
        while True:
            try:
                output_sizes(layers, need)
                break
            except ValueError:
                need += 1
        n = need + int(rng.integers(0, 12))
        n_out = output_sizes(layers, n)[-1]
        index = int(rng.integers(0, n_out))
        mask = gradient_support(layers, n, index, seed=int(rng.integers(2**31)))
        got = np.flatnonzero(mask)
        first, last = field_of(layers, index)
        inside = first >= 0 and last <= n - 1
        holes = len(reachable_offsets(layers)) < last - first + 1
        counts["stacks"] += 1
        counts["inside" if inside else "clipped"] += 1
        counts["holes"] += int(holes)
        counts["tracked"] += int(np.array_equal(got, track_support(layers, n, index)))
        counts["within"] += int(bool(np.all((got >= first) & (got <= last))))
        if inside:
            want = first + reachable_offsets(layers)
            counts["inside_exact"] += int(np.array_equal(got, want))
            continue
        pred = border_prediction(layers, n, index)
        counts["clip_predicted"] += int(np.array_equal(got, pred["predicted"]))
        clipped = field_of(layers, index, n)
        if clipped == ((got[0], got[-1]) if got.size else None):
            counts["clip_exact"] += 1
            continue
        # the clipped interval promises more than the support's extent: by how much, and why
        promised = 0 if clipped is None else clipped[1] - clipped[0] + 1
        reached = got[-1] - got[0] + 1 if got.size else 0
        shortfalls.append(int(promised - reached))
        for cause in CAUSES:
            counts[f"cause_{cause}"] += int(pred[cause].size > 0)
        counts["cause_padding_only"] += int(pred["holes"].size + pred["dropped"].size == 0)
    counts["shortfall_median"] = float(np.median(shortfalls)) if shortfalls else 0.0
    counts["shortfall_max"] = max(shortfalls, default=0)
    return counts


# ---------------------------------------------------------------------------------------------
# Experiment: the effective receptive field (Luo et al., 2016), 3×3 convolutions with padding 1.

ERF_DEPTHS = (1, 2, 4, 8, 16, 32)
ERF_MAP_DEPTH = 10
ERF_MASS = 0.95


def mass_width(g, fraction: float = ERF_MASS) -> int:
    """Fewest entries of |g| that hold `fraction` of its total mass (pixels, any shape)."""
    g = np.abs(checks.as_float_array("g", g)).ravel()
    fraction = checks.positive_float("fraction", fraction)
    if fraction > 1 or g.sum() == 0:
        raise ValueError(f"fraction: expected (0, 1] and a non-zero g, got {fraction}")
    mass = np.cumsum(np.sort(g)[::-1])
    return int(np.searchsorted(mass, fraction * mass[-1] * (1 - 1e-12)) + 1)


def _erf_stack(depth: int) -> list[Layer]:
    return [Layer(3, 1, 1)] * depth


@functools.cache
def erf_map() -> np.ndarray:
    """|input gradient| of the centre output of ERF_MAP_DEPTH 3×3 convolutions with uniform
    weights 1/9 (one channel, 2-D), normalised to a maximum of 1."""
    n = 2 * ERF_MAP_DEPTH + 1 + 10
    layers = _erf_stack(ERF_MAP_DEPTH)
    W = [np.full((1, 1, 3, 3), 1 / 9)] * ERF_MAP_DEPTH
    g = stack_input_grad(layers, np.zeros((1, 1, n, n)), W, (n // 2, n // 2))[0, 0]
    return g / g.max()


ERF_SEEDS = 5  # seeds of the random-weight experiment; each averages 4 weight draws x 16 inputs
ERF_FIT_FROM = 4  # log-log slopes are fitted from this depth on (depths 1-2 are all border)


def loglog_slope(depth, width) -> float:
    """Least-squares slope of log(width) against log(depth): 1 for linear growth, 1/2 for √L."""
    depth = checks.as_float_array("depth", depth)
    width = checks.as_float_array("width", width)
    if depth.shape != width.shape or depth.ndim != 1 or depth.size < 2:
        raise ValueError(
            f"depth, width: expected two 1-D arrays of equal length >= 2, got "
            f"{depth.shape} and {width.shape}"
        )
    if np.any(depth <= 0) or np.any(width <= 0):
        raise ValueError("depth, width: expected positive values")
    x, y = np.log(depth), np.log(width)
    x = x - x.mean()
    if not np.any(x != 0):
        raise ValueError(f"depth: expected at least two different depths, got {depth}")
    return float(np.dot(x, y - y.mean()) / np.dot(x, x))


def _relu_widths(seed: int) -> list[int]:
    """95 %-mass width against depth of the mean |input gradient| of random He weights with
    ReLU: 4 weight draws, 16 inputs each, all from one seed."""
    n = 2 * max(ERF_DEPTHS) + 1 + 16
    rng = np.random.default_rng(seed)
    widths = []
    for depth in ERF_DEPTHS:
        layers = _erf_stack(depth)
        total = np.zeros(n)
        for _ in range(4):  # weight draws; a batch of 16 inputs each
            weights = init_weights(layers, channels=8, rng=rng, positive=False)
            X = rng.normal(size=(16, 8, n))
            grad = stack_input_grad(layers, X, weights, n // 2, relu=True)
            total += np.abs(grad).sum(axis=(0, 1))
        widths.append(mass_width(total))
    return widths


@functools.cache
def erf_runs(seed_set: int = 0) -> dict[str, np.ndarray]:
    """95 %-mass width of the input gradient (1-D) against depth, for uniform weights (linear,
    no randomness) and for random He weights with ReLU (one row per seed of the seed set)."""
    n = 2 * max(ERF_DEPTHS) + 1 + 16
    uniform = []
    for depth in ERF_DEPTHS:
        W = [np.full((1, 1, 3), 1 / 3)] * depth
        g = stack_input_grad(_erf_stack(depth), np.zeros((1, 1, n)), W, n // 2)[0, 0]
        uniform.append(mass_width(g))
    theory = [receptive_field(_erf_stack(d))[-1].size for d in ERF_DEPTHS]
    return {
        "depth": np.array(ERF_DEPTHS),
        "theory": np.array(theory),
        "uniform": np.array(uniform),
        "relu": np.array([_relu_widths(seed) for seed in seeds(ERF_SEEDS, seed_set)]),
    }


# ---------------------------------------------------------------------------------------------
# Figures.

GROWTH_LAYERS = 8
GROWTH_STACKS = (
    ("K3 S1 D1", [Layer(3)] * GROWTH_LAYERS),
    ("K5 S1 D1", [Layer(5, padding=2)] * GROWTH_LAYERS),
    ("K3, S2 every 2nd layer", [Layer(3, 1 + i % 2, 1) for i in range(GROWTH_LAYERS)]),
    ("K3 S2 D1", [Layer(3, 2, 1)] * GROWTH_LAYERS),
    ("K3 S1 D = 1, 2, 4, …", [Layer(3, 1, 2**i, 2**i) for i in range(GROWTH_LAYERS)]),
)


def _draw_growth(theme: Theme):
    fig, ax = new_figure(theme, width=7.6, height=4.4)
    x = np.arange(GROWTH_LAYERS + 1)
    # the dilated stack is drawn wide and underneath: the stride-2 stack has the same r_l
    looks = (
        dict(marker="o"),
        dict(marker="s"),
        dict(marker="^"),
        dict(marker="D", linestyle="--", markersize=5, zorder=3),
        dict(linewidth=7, alpha=0.45, solid_capstyle="round", zorder=2),
    )
    for (label, layers), look, colour in zip(GROWTH_STACKS, looks, theme.palette):
        fields = receptive_field(layers)
        sizes = [1] + [f.size for f in fields]
        look = {"markersize": 6, **look}
        ax.plot(x, sizes, color=colour, label=f"{label}  (S = {fields[-1].stride})", **look)
    ax.set_yscale("log", base=2)
    ax.set_yticks([1, 4, 16, 64, 256, 512])
    ax.set_yticklabels(["1", "4", "16", "64", "256", "512"])
    ax.set_xticks(x)
    ax.set_xlabel("layer $l$ (0 = input)")
    ax.set_ylabel("receptive field $r_l$ (pixels)")
    ax.legend(loc="upper left")
    return fig


GRID_PANELS = (
    ("3×3 s2 p1 → 3×3 p1", [Layer(3, 2, 1), Layer(3, 1, 1)], 10, (1, 1)),
    ("3×3 d2 → 3×3 d2", [Layer(3, 1, 2, 2), Layer(3, 1, 2, 2)], 11, (4, 4)),
    ("3×3 d1 → 3×3 d2", [Layer(3, 1, 1, 1), Layer(3, 1, 2, 2)], 11, (4, 4)),
)


@functools.cache
def grid_runs() -> tuple[dict, ...]:
    """For each grid panel: |input gradient| of one output of a 2-D stack with all weights 1."""
    out = []
    for title, layers, n, index in GRID_PANELS:
        W = [np.ones((1, 1, 3, 3))] * len(layers)
        g = stack_input_grad(layers, np.zeros((1, 1, n, n)), W, index)[0, 0]
        f = receptive_field(layers)[-1]
        out.append({"title": title, "layers": layers, "n": n, "index": index, "g": g, "field": f})
    return tuple(out)


def _rect(x, y, w, h, color, fill=True, alpha=1.0, lw=2.0) -> Rectangle:
    if fill:
        return Rectangle((x, y), w, h, facecolor=color, edgecolor="none", alpha=alpha, zorder=0)
    return Rectangle(
        (x, y), w, h, facecolor="none", edgecolor=color, linewidth=lw, linestyle="--", zorder=4
    )


def _draw_grid(theme: Theme):
    runs = grid_runs()
    fig, axes = new_figure(theme, ncols=len(runs), width=10.0, height=4.8)
    cmap = LinearSegmentedColormap.from_list("field", [theme.bg, theme.palette[0]])
    for ax, r in zip(axes, runs):
        n, g, f = r["n"], r["g"], r["field"]
        (top, bottom), (left, right) = (f.interval(i) for i in r["index"])
        lo = min(top, left, 0) - 1
        hi = max(bottom, right, n - 1) + 1
        ax.add_patch(_rect(lo - 0.5, lo - 0.5, hi - lo + 1, hi - lo + 1, theme.grid, alpha=0.7))
        shade = np.where(g > 0, 0.3 + 0.7 * g / g.max(), 0.0)  # reached pixels never fade out
        edges = np.arange(n + 1) - 0.5
        # cells as one small bitmap (a vector quad per cell doubles the file), lines as vectors
        ax.imshow(
            shade,
            cmap=cmap,
            vmin=0,
            vmax=1,
            interpolation="nearest",
            extent=(-0.5, n - 0.5, n - 0.5, -0.5),
        )
        ax.vlines(edges, -0.5, n - 0.5, color=theme.grid, linewidth=0.6)
        ax.hlines(edges, -0.5, n - 0.5, color=theme.grid, linewidth=0.6)
        ax.add_patch(
            _rect(
                left - 0.5,
                top - 0.5,
                right - left + 1,
                bottom - top + 1,
                theme.palette[1],
                fill=False,
            )
        )
        ax.add_patch(_rect(-0.5, -0.5, n, n, theme.fg, fill=False, lw=1.2))
        ax.patches[-1].set_linestyle("-")
        ax.set_xlim(lo - 0.5, hi + 0.5)
        ax.set_ylim(hi + 0.5, lo - 0.5)
        ax.set_aspect("equal")
        ax.grid(False)
        ax.set_title(r["title"])
        ax.set_xlabel("input column")
        ax.set_xticks([0, n - 1])
        ax.set_yticks([0, n - 1])
    axes[0].set_ylabel("input row")
    handles = [
        Rectangle((0, 0), 1, 1, facecolor=theme.palette[0], edgecolor=theme.grid),
        Rectangle((0, 0), 1, 1, facecolor=theme.bg, edgecolor=theme.muted),
        Rectangle((0, 0), 1, 1, facecolor=theme.grid, edgecolor="none", alpha=0.7),
        Rectangle(
            (0, 0), 1, 1, facecolor="none", edgecolor=theme.palette[1], linestyle="--", linewidth=2
        ),
    ]
    labels = ["reached (stronger: more paths)", "not reached", "padding", "predicted field"]
    fig.legend(handles, labels, loc="outside lower center", ncols=2)
    return fig


def _draw_erf(theme: Theme):
    m, r = erf_map(), erf_runs()
    fig, (ax1, ax2) = new_figure(theme, ncols=2, width=9.6, height=4.2)
    n = m.shape[0]
    c = n // 2
    cmap = LinearSegmentedColormap.from_list("erf", [theme.bg, theme.palette[0]])
    # a small bitmap, one pixel per input pixel: a vector quad per cell would be ~100 KB
    lim = (-c - 0.5, c + 0.5)
    ax1.imshow(m, cmap=cmap, vmin=0, vmax=1, interpolation="nearest", extent=(*lim, *lim[::-1]))
    h = ERF_MAP_DEPTH + 0.5
    ax1.add_patch(_rect(-h, -h, 2 * h, 2 * h, theme.palette[1], fill=False))
    ax1.set_aspect("equal")
    ax1.grid(False)
    ax1.set_xlabel("input column − centre")
    ax1.set_ylabel("input row − centre")
    ax1.set_title(f"|∂y/∂x| after {ERF_MAP_DEPTH} layers 3×3, uniform weights")

    d = r["depth"]
    ax2.plot(d, r["theory"], marker="o", label="theoretical field")
    ax2.plot(d, r["uniform"], marker="s", label="95 % of gradient, uniform")
    relu = r["relu"]
    mean = relu.mean(axis=0)
    bars = np.vstack([mean - relu.min(axis=0), relu.max(axis=0) - mean])
    ax2.errorbar(
        d,
        mean,
        yerr=bars,
        marker="^",
        capsize=3,
        label=f"95 % of gradient, ReLU ({ERF_SEEDS} seeds)",
    )
    ax2.plot(d, 3.2 * np.sqrt(d), color=theme.muted, linestyle=":", label="∝ √L")
    ax2.set_xscale("log", base=2)
    ax2.set_yscale("log", base=2)
    ax2.set_xticks(d)
    ax2.set_xticklabels([str(x) for x in d])
    ax2.set_xlabel("depth L (3×3 convolutions)")
    ax2.set_ylabel("width (pixels)")
    ax2.legend(loc="upper left")
    return fig


POOL_SEEDS = 20  # random inputs and weights for the max-pooling comparison
POOL_STACK_INDEX = 2  # the output whose gradient is followed, of a 24-pixel input


def winner_paths(layers, X, weights, index) -> np.ndarray:
    """Input pixels on a path from output `index` that passes, at every max pool, through the
    window's largest input (the first one on ties), read off the forward pass: no gradient.

    For one sample and one channel, X of shape (1, 1, L); convolution and average-pooling taps
    all count, taps in the padding do not.
    """
    layers = check_layers(layers)
    X = _check_input(X)
    if X.shape[:2] != (1, 1) or X.ndim != 3:
        raise ValueError(f"X: expected shape (1, 1, L), got {X.shape}")
    _, cache = stack_forward(layers, X, weights)
    positions = {_int_at_least("index", index, 0)}
    for layer, (a, _) in zip(reversed(layers), reversed(cache)):
        row = a[0, 0]
        below = set()
        for j in positions:
            taps = j * layer.stride - layer.padding + np.arange(layer.kernel) * layer.dilation
            taps = taps[(taps >= 0) & (taps < row.size)]  # padding holds no pixel
            if layer.kind == "maxpool":
                taps = taps[[int(np.argmax(row[taps]))]]  # a padded -inf never wins
            below.update(taps.tolist())
        positions = below
    return np.array(sorted(positions), dtype=np.int64)


def pool_support(seed: int = 0) -> dict[str, np.ndarray]:
    """1-D |input gradient| of one output of conv → pool → conv → pool, with average and with
    max pooling (the same weights and input, drawn from `seed`), the output's field, and the
    pixels on the max pools' winning paths (`winners`, from the forward pass)."""
    seed = _int_at_least("seed", seed, 0)
    n, index = 24, POOL_STACK_INDEX
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(1, 1, n))
    w_seed = int(rng.integers(2**31))
    out = {}
    for kind in ("avgpool", "maxpool"):
        layers = [Layer(3, 1, 1), Layer(2, 2, 0, kind=kind), Layer(3, 1, 1), Layer(2, 2, kind=kind)]
        W = init_weights(layers, channels=1, rng=w_seed)
        out[kind] = np.abs(stack_input_grad(layers, X, W, index)[0, 0])
        out["field"] = np.array(field_of(layers, index, n))
    out["winners"] = winner_paths(layers, X, W, index)
    return out


@functools.cache
def pool_support_runs(seed_set: int = 0) -> dict[str, np.ndarray]:
    """Pixels the gradient reaches with average and with max pooling, one entry per seed, and
    whether max pooling's gradient support is exactly the winners' paths."""
    runs = [pool_support(seed) for seed in seeds(POOL_SEEDS, seed_set)]
    first, last = runs[0]["field"]
    return {
        "avgpool": np.array([np.count_nonzero(r["avgpool"]) for r in runs]),
        "maxpool": np.array([np.count_nonzero(r["maxpool"]) for r in runs]),
        "winners": np.array(
            [np.array_equal(np.flatnonzero(r["maxpool"]), r["winners"]) for r in runs]
        ),
        "field": np.array(last - first + 1),
    }


def figures():
    """Figure name → function drawing it for a theme."""
    return {"field-growth": _draw_growth, "field-grid": _draw_grid, "effective-field": _draw_erf}


def values() -> dict[str, object]:
    """Every number the page quotes, formatted as the page shows it."""
    v: dict[str, object] = {"example_table": example_table(), "network_table": network_table()}
    ex = receptive_field(list(EXAMPLE))
    last = ex[-1]
    v.update(ex_size=last.size, ex_stride=last.stride, ex_padding=last.padding)
    v["ex_input"] = EXAMPLE_INPUT
    v["ex_n_out"] = output_sizes(list(EXAMPLE), EXAMPLE_INPUT)[-1]
    v["ex_closed"] = " + ".join(
        f"{layer.k_eff - 1} \\cdot {s}"
        for layer, s in zip(EXAMPLE, [1] + [f.stride for f in ex[:-1]])
    )
    for i in (0, 3):
        a, b = field_of(list(EXAMPLE), i)
        v[f"ex_field{i}"] = f"[{a}, {b}]".replace("-", "−")
        a, b = field_of(list(EXAMPLE), i, EXAMPLE_INPUT)
        v[f"ex_clip{i}"] = f"[{a}, {b}]"
    c = small_kernel_costs(COST_CHANNELS)
    v["cost_channels"] = COST_CHANNELS
    for key, val in c.items():
        v[f"cost_{key}"] = f"{val:,}"
    for n in (2, 3):
        v[f"cost_saving_{n}"] = fmt(100 * (1 - c[f"small_{n}"] / c[f"big_{n}"]), 0)

    rows = {r["variant"]: r for r in network_fields()}
    for key, variant in (
        ("alex", "TF-slim alexnet_v2"),
        ("alext", "torchvision alexnet"),
        ("vgg", "TF-slim vgg_16, torchvision vgg16"),
        ("rs", "TF-slim resnet_v1_50"),
        ("rt", "torchvision resnet50 (v1.5)"),
    ):
        f = rows[variant]["field"]
        v.update({f"{key}_size": f.size, f"{key}_stride": f.stride, f"{key}_padding": f.padding})
    v["rs_321_padding"] = receptive_field(resnet50_slim(321))[-1].padding
    vgg = rows["TF-slim vgg_16, torchvision vgg16"]["field"]
    v["vgg_centre"] = f"{(vgg.size - 1) / 2 - vgg.padding:g}"  # centre of output 0
    v["growth_stride"] = receptive_field(GROWTH_STACKS[3][1])[-1].stride
    for key, variant in (
        ("vgg", "TF-slim vgg_16, torchvision vgg16"),
        ("rs", "TF-slim resnet_v1_50"),
    ):
        f = rows[variant]["field"]
        first, last = f.interval(0)
        outside = max(0, -first) + max(0, last - (NETWORK_INPUT - 1))
        v[f"{key}_pad_px"] = outside
        v[f"{key}_pad_share"] = fmt(100 * outside / f.size, 0)
    v["network_input"] = NETWORK_INPUT

    s = support_check_runs()
    v.update({f"check_{k}": f"{val:g}" for k, val in s.items()})
    v["check_clip_inexact"] = int(s["clipped"] - s["clip_exact"])

    r = erf_runs()
    i10 = int(np.searchsorted(r["depth"], 32))
    v["erf_depth_max"] = int(r["depth"][i10])
    v["erf_theory_max"] = int(r["theory"][i10])
    v["erf_uniform_max"] = int(r["uniform"][i10])
    relu = r["relu"][:, i10]
    v["erf_relu_max"] = fmt(relu.mean(), 1)
    v["erf_relu_lo"], v["erf_relu_hi"] = int(relu.min()), int(relu.max())
    v["erf_seeds"] = ERF_SEEDS
    fit = r["depth"] >= ERF_FIT_FROM
    v["erf_fit_from"] = ERF_FIT_FROM
    v["erf_slope_theory"] = fmt(loglog_slope(r["depth"][fit], r["theory"][fit]), 2)
    v["erf_slope_uniform"] = fmt(loglog_slope(r["depth"][fit], r["uniform"][fit]), 2)
    slopes = [loglog_slope(r["depth"][fit], row[fit]) for row in r["relu"]]
    v["erf_slope_relu"] = fmt(np.mean(slopes), 2)
    v["erf_slope_relu_std"] = fmt(np.std(slopes), 2)
    v["erf_depths_ratio"] = ", ".join(str(x) for x in ERF_DEPTHS if x >= 2)
    v["erf_map_depth"] = ERF_MAP_DEPTH
    m = erf_map()
    theory = receptive_field(_erf_stack(ERF_MAP_DEPTH))[-1].size
    v["erf_map_theory"] = theory
    v["erf_map_pixels"] = mass_width(m)
    v["erf_map_area_pct"] = fmt(100 * mass_width(m) / theory**2, 0)

    g = grid_runs()
    holes = g[1]
    v["grid_holes_seen"] = int(np.count_nonzero(holes["g"]))
    v["grid_holes_field"] = holes["field"].size ** 2
    for i, run in enumerate(g):
        v[f"grid_side_{i}"] = run["field"].size
        v[f"grid_seen_{i}"] = int(np.count_nonzero(run["g"]))
    for i, (_, layers) in enumerate(GROWTH_STACKS):
        v[f"growth_{i}"] = receptive_field(layers)[-1].size

    p = pool_support_runs()
    v["pool_seeds"] = POOL_SEEDS
    v["pool_avg_pixels"] = int(p["avgpool"].min())  # the same for every input (checked)
    v["pool_max_lo"], v["pool_max_hi"] = int(p["maxpool"].min()), int(p["maxpool"].max())
    v["pool_max_mean"] = fmt(p["maxpool"].mean(), 1)
    v["pool_field"] = int(p["field"])
    return v


def _spread(x) -> str:
    x = np.asarray(x, dtype=float)
    return f"mean {x.mean():.2f}, std {x.std():.2f}, min {x.min():.2f}, max {x.max():.2f}"


def claims(seed_set: int = 0) -> dict[str, tuple[bool, str]]:
    """What the page concludes from its experiments, each with its evidence, on `seed_set`."""
    out = {}
    s = support_check_runs(seed_set)
    n, inside, clipped = s["stacks"], s["inside"], s["clipped"]
    out["support_equals_tracking"] = (
        s["tracked"] == n,
        f"{s['tracked']} of {n} random stacks (one per seed): gradient support equals the "
        "tracked taps",
    )
    out["support_within_field"] = (
        s["within"] == n,
        f"{s['within']} of {n} random stacks: support inside the predicted interval",
    )
    out["support_exact_inside"] = (
        inside > 0 and s["inside_exact"] == inside,
        f"{s['inside_exact']} of {inside} outputs whose field lies inside the image: support "
        f"equals the predicted offsets; {s['holes']} of {n} stacks have holes",
    )
    inexact = clipped - s["clip_exact"]
    causes = [s[f"cause_{c}"] for c in CAUSES]
    out["clip_shortfall_explained"] = (
        clipped > 0 and s["clip_predicted"] == clipped and min(causes) > 0,
        f"{s['clip_predicted']} of {clipped} outputs at the border: support equals the "
        "prediction built from the layer list (reachable offsets in the image, minus pixels "
        "past some layer's last field, minus pixels whose every tap path runs through an "
        f"intermediate layer's padding); the clipped interval is exact in {s['clip_exact']}; "
        f"of the other {inexact}, holes remove pixels in {causes[0]}, the dropped tail in "
        f"{causes[1]}, intermediate padding in {causes[2]} ({s['cause_padding_only']} with no "
        f"other cause); clipped interval too wide by a median of {s['shortfall_median']:g} and "
        f"at most {s['shortfall_max']} pixels",
    )
    p = pool_support_runs(seed_set)
    avg, mx = p["avgpool"], p["maxpool"]
    out["max_pool_reaches_fewer"] = (
        bool(np.all(avg == p["field"]) and np.all(mx < avg) and np.all(p["winners"])),
        f"{len(mx)} random inputs and weights: average pooling reaches all {int(p['field'])} "
        f"pixels of the field every time, max pooling {mx.min()} to {mx.max()} "
        f"(mean {mx.mean():.1f}); its gradient support equals the pixels on the max pools' "
        f"winning paths, found from the forward pass, on {int(p['winners'].sum())} of "
        f"{len(mx)} inputs",
    )
    r = erf_runs(seed_set)
    fit = r["depth"] >= ERF_FIT_FROM
    d = r["depth"][fit]
    theory = loglog_slope(d, r["theory"][fit])
    uniform = loglog_slope(d, r["uniform"][fit])
    relu = np.array([loglog_slope(d, row[fit]) for row in r["relu"]])
    out["erf_uniform_sqrt"] = (
        abs(uniform - 0.5) < 0.1 and theory - uniform > 0.3,
        f"log-log slope of the 95 % width from depth {ERF_FIT_FROM} to {d[-1]}: {uniform:.3f} "
        f"(1/2 for square-root growth), theoretical field {theory:.3f}; no randomness",
    )
    half = (0.5 + theory) / 2  # a seed's slope is nearer 1/2 than the field's below this
    above = int(np.sum(relu > 0.5))
    out["erf_relu_sqrt"] = (
        bool(
            np.all(relu < half)
            and above >= len(relu) - 1
            and relu.mean() - 0.5 > relu.std()
            and theory - relu.max() > 0.3
        ),
        f"log-log slope over {len(relu)} seeds: {_spread(relu)}; above 1/2 in {above} of "
        f"{len(relu)} seeds, mean minus 1/2 = {relu.mean() - 0.5:.3f} against std "
        f"{relu.std():.3f}; every seed nearer 1/2 than the theoretical field's {theory:.3f} "
        f"(below the midpoint {half:.3f}; largest seed {relu.max():.3f})",
    )
    from2 = r["depth"] >= 2
    ratios = np.vstack([r["uniform"], r["relu"]])[:, from2] / r["theory"][from2]
    out["erf_fraction_shrinks"] = (
        bool(np.all(np.diff(ratios, axis=1) < 0)),
        f"95 % width / theoretical field falls at each depth measured from 2 to {d[-1]} for "
        f"uniform weights and for each of {len(relu)} ReLU seeds: uniform "
        + ", ".join(f"{x:.2f}" for x in ratios[0])
        + f"; ReLU at depth {d[-1]} {_spread(ratios[1:, -1])}",
    )
    return out


# ---------------------------------------------------------------------------------------------
# The page's calculator (docs/javascripts/widgets.js): presets and shared test vectors.

WIDGET_PRESETS = (
    ("Worked example", lambda: list(EXAMPLE)),
    ("AlexNet (TF-slim)", alexnet_v2_slim),
    ("VGG-16", vgg16),
    ("ResNet-50 (torchvision)", resnet50_torchvision),
    ("MobileNet v1 (TF-slim)", mobilenet_v1_slim),
)


def _layer_json(layer: Layer) -> dict:
    return {
        "kind": layer.kind,
        "kernel": layer.kernel,
        "stride": layer.stride,
        "padding": layer.padding,
        "dilation": layer.dilation,
    }


def widget_vectors(n: int = 40, seed: int = 7) -> list[dict]:
    """Random stacks with their fields, output sizes and one clipped field, computed here; the
    browser tests feed the same stacks to the JavaScript calculator and compare."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        layers = []
        for _ in range(int(rng.integers(1, 7))):
            kind = str(rng.choice(KINDS))
            k = int(rng.integers(1, 6))
            d = int(rng.integers(1, 4)) if kind == "conv" else 1
            k_eff = d * (k - 1) + 1
            p = int(rng.integers(0, 4)) if kind == "conv" else int(rng.integers(0, k_eff // 2 + 1))
            layers.append(Layer(k, int(rng.integers(1, 4)), p, d, kind))
        size = int(rng.integers(8, 80))
        try:
            sizes = output_sizes(layers, size)
        except ValueError:
            continue
        index = int(rng.integers(0, sizes[-1]))
        out.append(
            {
                "layers": [_layer_json(layer) for layer in layers],
                "fields": [list(f) for f in receptive_field(layers)],
                "input_size": size,
                "output_sizes": sizes,
                "index": index,
                "field": list(field_of(layers, index, size) or []),
            }
        )
    return out


def data() -> dict:
    """JSON for the calculator: presets (from the same layer lists as the table) and vectors."""
    presets = [
        {"name": name, "layers": [_layer_json(layer) for layer in build()]}
        for name, build in WIDGET_PRESETS
    ]
    return {"widget": {"presets": presets, "vectors": widget_vectors()}}
