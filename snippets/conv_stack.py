"""A numpy convolution and pooling stack, 1-D (N, C, L) or 2-D (N, C, H, W), and its input gradient.

It measures receptive fields: with positive weights and average pooling, the input gradient of
one output is non-zero exactly on the pixels connected to it. `conv` follows PyTorch's conv1d /
conv2d without bias (int stride, padding, dilation); the pools follow avg_pool / max_pool with
dilation. The algorithms live once: `conv`, `conv_naive`, `conv_input_grad` and the average
pool (a depthwise convolution) call `snippets.conv`, the max pool `snippets.pooling`; a 1-D
signal goes through them as an image of height 1. The public names are imported from
`snippets.receptive_field`, their public path.
"""

from __future__ import annotations

import numpy as np

from snippets import checks
from snippets.conv import conv2d, conv2d_backward, conv2d_naive
from snippets.conv_geometry import Layer, check_layers
from snippets.pooling import max_pool2d, max_pool2d_backward


def _hyper(stride, padding, dilation) -> tuple[int, int, int]:
    return (
        checks.integer("stride", stride, minimum=1),
        checks.integer("padding", padding, minimum=0),
        checks.integer("dilation", dilation, minimum=1),
    )


def _check_input(X) -> np.ndarray:
    """X as a float array of layout (N, C, L) or (N, C, H, W) with no empty axis."""
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
    """X as in `_check_input`, W of shape (C_out, C_in, *k) matching X."""
    X = _check_input(X)
    W = checks.as_float_array("W", W)
    if W.ndim != X.ndim or W.shape[1] != X.shape[1] or min(W.shape) == 0:
        raise ValueError(
            f"W: expected shape (C_out, {X.shape[1]}, {', '.join(['k'] * (X.ndim - 2))}) "
            f"for X of shape {X.shape}, got {W.shape}"
        )
    return X, W


def _check_shape(input_shape) -> tuple[int, ...]:
    """`input_shape` as a tuple (N, C, L) or (N, C, H, W) of positive ints."""
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) not in (3, 4):
        raise ValueError(
            f"input_shape: expected (N, C_in, L) or (N, C_in, H, W), got {input_shape!r}"
        )
    return tuple(checks.positive_int(f"input_shape[{i}]", n) for i, n in enumerate(input_shape))


def _rows(A: np.ndarray) -> np.ndarray:
    """(N, C, L) as (N, C, 1, L): a 1-D signal is an image of height 1 (4-D arrays pass)."""
    return A[:, :, None] if A.ndim == 3 else A


def _unrow(A: np.ndarray, nd: int) -> np.ndarray:
    """The inverse of `_rows` for a result of `nd` spatial axes."""
    return A[:, :, 0] if nd == 1 else A


def _conv_args(nd: int, s: int, p: int, d: int) -> tuple[int, tuple[int, int] | int, int]:
    """stride, padding, dilation for `snippets.conv`: no padding on the height-1 axis in 1-D."""
    return s, ((0, p) if nd == 1 else p), d


def conv(X, W, stride: int = 1, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """Cross-correlation with zero padding, as PyTorch's conv1d / conv2d (no bias): a call to
    `snippets.conv.conv2d`, a 1-D input as an image of height 1.

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
    _out_shape(X.shape[2:], W.shape[2:], s, p, d)
    return _unrow(conv2d(_rows(X), _rows(W), None, *_conv_args(X.ndim - 2, s, p, d)), X.ndim - 2)


def conv_naive(X, W, stride: int = 1, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """`conv` one output position and one kernel tap at a time: `snippets.conv.conv2d_naive`."""
    X, W = _check_conv(X, W)
    s, p, d = _hyper(stride, padding, dilation)
    _out_shape(X.shape[2:], W.shape[2:], s, p, d)
    nd = X.ndim - 2
    return _unrow(conv2d_naive(_rows(X), _rows(W), None, *_conv_args(nd, s, p, d)), nd)


def conv_input_grad(dY, W, input_shape, stride: int = 1, padding: int = 0, dilation: int = 1):
    """Gradient of a loss with respect to the input of `conv`, given dL/dY: the dX of
    `snippets.conv.conv2d_backward` (which needs X only for dW: zeros stand in for it).

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
    shape = _check_shape(input_shape)
    if W.ndim != len(shape) or W.shape[1] != shape[1]:
        raise ValueError(f"W: expected shape (C_out, {shape[1]}, *k), got {W.shape}")
    out = _out_shape(shape[2:], W.shape[2:], s, p, d, "input_shape")
    if dY.shape != (shape[0], W.shape[0], *out):
        raise ValueError(f"dY: expected shape {(shape[0], W.shape[0], *out)}, got {dY.shape}")
    nd = len(shape) - 2
    X = np.zeros(shape)
    dX = conv2d_backward(_rows(dY), _rows(X), _rows(W), *_conv_args(nd, s, p, d))[0]
    return _unrow(dX, nd)


def _pool_layer(X, kernel, stride, padding, dilation) -> tuple[np.ndarray, Layer]:
    """X checked, and the pool's geometry as a Layer (which refuses padding over half)."""
    X = _check_input(X)
    layer = Layer(kernel, stride, padding, dilation, kind="avgpool")
    _out_shape(
        X.shape[2:], (layer.kernel,) * (X.ndim - 2), layer.stride, layer.padding, layer.dilation
    )
    return X, layer


def _avg_weights(C: int, kernel: int, nd: int) -> np.ndarray:
    """Average pooling as a depthwise convolution (groups = C): channel c reads only channel c,
    every tap with weight 1/k^nd. Padded zeros count in the mean (count_include_pad=True); a
    dilated average, which PyTorch's avg_pool2d does not have, is then just a dilated conv."""
    return np.full((C, 1, *(1,) * (2 - nd), *(kernel,) * nd), float(kernel) ** -nd)


def avg_pool(X, kernel: int, stride: int, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """Average pooling per channel; padded zeros count in the mean (PyTorch's default
    count_include_pad=True). X is (N, C, L) or (N, C, H, W)."""
    X, layer = _pool_layer(X, kernel, stride, padding, dilation)
    nd, C = X.ndim - 2, X.shape[1]
    args = _conv_args(nd, layer.stride, layer.padding, layer.dilation)
    return _unrow(conv2d(_rows(X), _avg_weights(C, layer.kernel, nd), None, *args, C), nd)


def avg_pool_input_grad(dY, input_shape, kernel: int, stride: int, padding=0, dilation=1):
    """Gradient of `avg_pool` with respect to its input: each window shares dY equally."""
    shape = _check_shape(input_shape)
    layer = Layer(kernel, stride, padding, dilation, kind="avgpool")
    nd, C = len(shape) - 2, shape[1]
    out = _out_shape(shape[2:], (layer.kernel,) * nd, layer.stride, layer.padding, dilation)
    dY = checks.as_float_array("dY", dY)
    if dY.shape != (*shape[:2], *out):
        raise ValueError(f"dY: expected shape {(*shape[:2], *out)}, got {dY.shape}")
    W = _avg_weights(C, layer.kernel, nd)
    args = _conv_args(nd, layer.stride, layer.padding, layer.dilation)
    dX = conv2d_backward(_rows(dY), _rows(np.zeros(shape)), W, *args, C)[0]
    return _unrow(dX, nd)


def _pool_args(nd: int, layer: Layer) -> dict:
    """The arguments of `snippets.pooling.max_pool2d`, padding done by `_below`: a 1-D pool is
    a 1 × k window."""
    k, s, d = layer.kernel, layer.stride, layer.dilation
    if nd == 2:
        return dict(kernel_size=k, stride=s, dilation=d)
    return dict(kernel_size=(1, k), stride=(1, s), dilation=(1, d))


def _below(A: np.ndarray, p: int) -> np.ndarray:
    """A padded by p on its spatial axes with a value below all of it, so a pad never wins a
    max (every window holds a real cell). Done here, not by `max_pool2d`, because PyTorch's
    max_pool2d refuses p > k/2 even where a dilated window is wider than k."""
    return np.pad(A, [(0, 0)] * 2 + [(p, p)] * (A.ndim - 2), constant_values=A.min() - 1.0)


def max_pool(X, kernel: int, stride: int, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """Max pooling per channel, padded with a value below the input (`_below`: a pad never
    wins): a call to `snippets.pooling.max_pool2d`. X is (N, C, L) or (N, C, H, W)."""
    X, layer = _pool_layer(X, kernel, stride, padding, dilation)
    P = _below(X, layer.padding) if X.size else X
    return _unrow(max_pool2d(_rows(P), **_pool_args(X.ndim - 2, layer)), X.ndim - 2)


def max_pool_input_grad(dY, X, kernel: int, stride: int, padding=0, dilation=1) -> np.ndarray:
    """Gradient of `max_pool` with respect to X: each window's gradient goes to its (first)
    largest pixel only, which is why max pooling's gradient support is smaller than its field.
    A call to `snippets.pooling.max_pool2d_backward`."""
    X, layer = _pool_layer(X, kernel, stride, padding, dilation)
    nd = X.ndim - 2
    dY = checks.as_float_array("dY", dY)
    if dY.ndim != X.ndim:
        raise ValueError(f"dY: expected a {X.ndim}-D array like X, got shape {dY.shape}")
    p = layer.padding
    P = _below(X, p) if X.size else X
    G = _unrow(max_pool2d_backward(_rows(dY), _rows(P), **_pool_args(nd, layer)), nd)
    return G[(..., *[slice(p, G.shape[a] - p) for a in range(2, G.ndim)])]


def init_weights(layers, channels: int = 2, nd: int = 1, rng=0, positive: bool = True):
    """One weight array (C, C, *k) per conv layer (None for pooling layers).

    `positive` draws weights uniformly from [0.5, 1.5]: every path from input to output then
    carries a strictly positive product, so no gradient entry cancels to zero by accident.
    Otherwise He-normal weights, N(0, 2 / (C·k^nd)).
    """
    layers = check_layers(layers)
    C = checks.positive_int("channels", channels)
    nd = checks.integer("nd", nd, minimum=1, maximum=2)
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
    """d(sum over channels of output `index`)/dX, for every sample: shape of X.

    `index` is an int for a 1-D stack, a pair (row, column) for a 2-D one.
    """
    Y, cache = stack_forward(layers, X, weights, relu)
    index = (index,) if checks.is_int(index) else tuple(index)
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
