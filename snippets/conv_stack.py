"""A numpy convolution and pooling stack, 1-D (N, C, L) or 2-D (N, C, H, W), and its input gradient.

It measures receptive fields: with positive weights and average pooling, the input gradient of
one output is non-zero exactly on the pixels connected to it. `conv` follows PyTorch's conv1d /
conv2d without bias (int stride, padding, dilation); the pools follow avg_pool / max_pool with
dilation. The public names are imported from `snippets.receptive_field`, their public path.
"""

from __future__ import annotations

import numpy as np

from snippets import checks
from snippets.conv_geometry import Layer, check_layers


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


def _pad(X: np.ndarray, p: int, value: float = 0.0) -> np.ndarray:
    return np.pad(X, [(0, 0), (0, 0)] + [(p, p)] * (X.ndim - 2), constant_values=value)


# --8<-- [start:windows]
def _windows(Xp: np.ndarray, k: tuple[int, ...], s: int, d: int) -> np.ndarray:
    """View of a padded input as (N, C, *out, *k): every output's taps, no copy."""
    nd = len(k)
    k_eff = tuple(d * (kk - 1) + 1 for kk in k)
    win = np.lib.stride_tricks.sliding_window_view(Xp, k_eff, axis=tuple(range(2, 2 + nd)))
    # every s-th window start, every d-th pixel inside a window
    return win[(slice(None),) * 2 + (slice(None, None, s),) * nd + (slice(None, None, d),) * nd]


# --8<-- [end:windows]


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
    _out_shape(X.shape[2:], W.shape[2:], s, p, d)
    # --8<-- [start:conv]
    nd, k = X.ndim - 2, W.shape[2:]
    win = _windows(_pad(X, p), k, s, d)  # (N, C_in, *out, *k)
    Y = np.tensordot(win, W, axes=([1, *range(2 + nd, 2 + 2 * nd)], [1, *range(2, 2 + nd)]))
    return np.moveaxis(Y, -1, 1)  # (N, *out, C_out) -> (N, C_out, *out)
    # --8<-- [end:conv]


def conv_naive(X, W, stride: int = 1, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """`conv` one output position and one kernel tap at a time, reading X directly (a tap that
    lands in the padding contributes nothing)."""
    X, W = _check_conv(X, W)
    s, p, d = _hyper(stride, padding, dilation)
    spatial, k = X.shape[2:], W.shape[2:]
    out = _out_shape(spatial, k, s, p, d)
    # --8<-- [start:conv_naive]
    Y = np.zeros((X.shape[0], W.shape[0], *out))
    for pos in np.ndindex(*out):
        for tap in np.ndindex(*k):
            src = tuple(i * s - p + t * d for i, t in zip(pos, tap))
            if all(0 <= j < n for j, n in zip(src, spatial)):
                # (N, C_in) @ (C_in, C_out): every sample and output channel at once
                Y[(slice(None), slice(None), *pos)] += X[(slice(None), slice(None), *src)] @ (
                    W[(slice(None), slice(None), *tap)].T
                )
    return Y
    # --8<-- [end:conv_naive]


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
    shape = _check_shape(input_shape)
    if W.ndim != len(shape) or W.shape[1] != shape[1]:
        raise ValueError(f"W: expected shape (C_out, {shape[1]}, *k), got {W.shape}")
    out = _out_shape(shape[2:], W.shape[2:], s, p, d, "input_shape")
    if dY.shape != (shape[0], W.shape[0], *out):
        raise ValueError(f"dY: expected shape {(shape[0], W.shape[0], *out)}, got {dY.shape}")
    # --8<-- [start:conv_grad]
    dXp = np.zeros((*shape[:2], *(n + 2 * p for n in shape[2:])))
    for tap in np.ndindex(*W.shape[2:]):
        # the pixels this tap read: start t·d, every s-th, one per output position
        reads = tuple(slice(t * d, t * d + s * (o - 1) + 1, s) for t, o in zip(tap, out))
        back = np.tensordot(dY, W[(slice(None), slice(None), *tap)], axes=([1], [0]))
        dXp[(slice(None), slice(None), *reads)] += np.moveaxis(back, -1, 1)
    return dXp[(slice(None), slice(None), *(slice(p, p + n) for n in shape[2:]))]
    # --8<-- [end:conv_grad]


def _pool_layer(X, kernel, stride, padding, dilation) -> tuple[np.ndarray, Layer]:
    """X checked, and the pool's geometry as a Layer (which refuses padding over half)."""
    X = _check_input(X)
    layer = Layer(kernel, stride, padding, dilation, kind="avgpool")
    _out_shape(
        X.shape[2:], (layer.kernel,) * (X.ndim - 2), layer.stride, layer.padding, layer.dilation
    )
    return X, layer


def _avg_weights(C: int, kernel: int, nd: int) -> np.ndarray:
    """Depthwise averaging as a convolution: channel c reads only channel c, weight 1/k^nd."""
    return np.eye(C).reshape(C, C, *(1,) * nd) * np.full((kernel,) * nd, kernel**-nd)


def avg_pool(X, kernel: int, stride: int, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """Average pooling per channel; padded zeros count in the mean (PyTorch's default
    count_include_pad=True). X is (N, C, L) or (N, C, H, W)."""
    X, layer = _pool_layer(X, kernel, stride, padding, dilation)
    W = _avg_weights(X.shape[1], layer.kernel, X.ndim - 2)
    return conv(X, W, layer.stride, layer.padding, layer.dilation)


def avg_pool_input_grad(dY, input_shape, kernel: int, stride: int, padding=0, dilation=1):
    """Gradient of `avg_pool` with respect to its input: each window shares dY equally."""
    shape = _check_shape(input_shape)
    layer = Layer(kernel, stride, padding, dilation, kind="avgpool")
    W = _avg_weights(shape[1], layer.kernel, len(shape) - 2)
    return conv_input_grad(dY, W, shape, layer.stride, layer.padding, layer.dilation)


def max_pool(X, kernel: int, stride: int, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """Max pooling per channel, padding with -inf (a pad never wins). X is (N, C, *spatial)."""
    X, layer = _pool_layer(X, kernel, stride, padding, dilation)
    nd = X.ndim - 2
    win = _windows(_pad(X, layer.padding, -np.inf), (layer.kernel,) * nd, layer.stride, dilation)
    return win.max(axis=tuple(range(-nd, 0)))


def max_pool_input_grad(dY, X, kernel: int, stride: int, padding=0, dilation=1) -> np.ndarray:
    """Gradient of `max_pool` with respect to X: each window's gradient goes to its (first)
    largest pixel only, which is why max pooling's gradient support is smaller than its field."""
    X, layer = _pool_layer(X, kernel, stride, padding, dilation)
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
