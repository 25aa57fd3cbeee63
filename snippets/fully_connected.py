"""Fully connected (dense) layers and a CNN's classifier heads, in numpy.

A dense layer is the one of `snippets.backprop` (`forward`, `backward`, `init_params` are reused,
not rewritten). Around it this module holds what a CNN's classifier head needs: parameter counts
of a Flatten + FC head and of a global-average-pooling (GAP) + FC head, both heads as functions
of a feature map `(N, C, H, W)`, the view of a dense layer as a convolution, and the parameter
count of a transformer block's dense layers.

Moved to their own modules and re-exported here (their old import paths keep working): global
average pooling to `snippets.global_pooling`; the layer tables of VGG-16 and ResNet-50 to
`snippets.architectures`, where the layer description is now `LayerSpec` (`Layer` stays an
alias). The page DL0011 (`docs/cnn/dl0011-fully-connected-layer.md`) runs its experiments in
`snippets/dl0011_fully_connected_layer.py`.
"""

from __future__ import annotations

import numpy as np

from snippets import backprop as bp
from snippets import checks, conv
from snippets.architectures import (  # noqa: F401  (public path)
    LayerSpec,
    layer_macs,
    layer_params,
    resnet50_layers,
    summarize,
    vgg16_layers,
)
from snippets.global_pooling import (  # noqa: F401  (public path)
    check_feature_maps,
    global_avg_pool,
    global_avg_pool_backward,
    global_avg_pool_naive,
)

Layer = LayerSpec  # the old name of the layer description, kept for compatibility


def _dense_params(X, W, b) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X (N, fan_in), W (fan_in, fan_out) and b (fan_out,) as float64 arrays whose shapes agree;
    X may be None when the layer is applied to something else."""
    W = checks.as_float_array("W", W, ndim=2)
    b = checks.as_float_array("b", b, ndim=1)
    if min(W.shape) < 1:
        raise ValueError(f"W: expected shape (fan_in, fan_out) with both ≥ 1, got {W.shape}")
    if b.shape != (W.shape[1],):
        raise ValueError(
            f"b: expected shape ({W.shape[1]},) to match W of shape {W.shape}, got {b.shape}"
        )
    if X is not None:
        X = checks.as_float_array("X", X, ndim=2, min_rows=1)
        if X.shape[1] != W.shape[0]:
            raise ValueError(
                f"X: expected shape (N, {W.shape[0]}) to match W of shape {W.shape}, got {X.shape}"
            )
    return X, W, b


# --8<-- [start:counts]
def fc_params(fan_in: int, fan_out: int, bias: bool = True) -> int:
    """Weights and biases of a dense layer: fan_in·fan_out + fan_out."""
    fan_in = checks.positive_int("fan_in", fan_in)
    fan_out = checks.positive_int("fan_out", fan_out)
    return fan_in * fan_out + (fan_out if checks.flag("bias", bias) else 0)


def flatten_fc_params(
    channels: int, height: int, width: int, classes: int, bias: bool = True
) -> int:
    """Flatten a C×H×W map into C·H·W numbers, then one dense layer to `classes` outputs."""
    c = checks.positive_int("channels", channels)
    h = checks.positive_int("height", height)
    w = checks.positive_int("width", width)
    return fc_params(c * h * w, checks.positive_int("classes", classes), bias)


def gap_fc_params(channels: int, classes: int, bias: bool = True) -> int:
    """Average each channel to one number (no parameters), then a dense layer C → classes."""
    c = checks.positive_int("channels", channels)
    return fc_params(c, checks.positive_int("classes", classes), bias)


# --8<-- [end:counts]


def count_ratio(channels: int, height: int, width: int, classes: int) -> float:
    """Flatten + FC parameters over GAP + FC parameters, which equals (C·H·W + 1) / (C + 1)."""
    return flatten_fc_params(channels, height, width, classes) / gap_fc_params(channels, classes)


def transformer_block_params(d_model: int, d_ff: int) -> dict[str, int]:
    """Parameters of one transformer encoder block: attention, MLP (two FC layers), LayerNorms.

    Attention has four d_model × d_model projections (queries, keys, values, output) with
    biases; the MLP is FC d_model → d_ff → d_model; each of the two LayerNorms has γ and β.
    """
    d = checks.positive_int("d_model", d_model)
    f = checks.positive_int("d_ff", d_ff)
    out = {
        "attention": 4 * fc_params(d, d),
        "mlp": fc_params(d, f) + fc_params(f, d),
        "norms": 2 * 2 * d,
    }
    out["total"] = sum(out.values())
    return out


def dense(X, W, b, activation: str = "identity") -> np.ndarray:
    """One dense layer on a batch: f(X W + b), through `snippets.backprop.forward`.

    Parameters
    ----------
    X : array of shape (N, fan_in)
    W : array of shape (fan_in, fan_out)
    b : array of shape (fan_out,)
    activation : {"identity", "relu", "sigmoid", "tanh"}

    Returns
    -------
    A : array of shape (N, fan_out)

    Notes
    -----
    :math:`Z = XW + \\mathbf{1}b^\\top`, :math:`A = f(Z)`. Backward, with
    :math:`\\Delta = \\partial L/\\partial Z = \\partial L/\\partial A \\odot f'(Z)`:
    :math:`\\partial L/\\partial W = X^\\top \\Delta`, :math:`\\partial L/\\partial b =
    \\Delta^\\top \\mathbf{1}`, :math:`\\partial L/\\partial X = \\Delta W^\\top`.
    """
    X, W, b = _dense_params(X, W, b)
    return bp.forward([(W, b)], X, activation)[0]


def dense_naive(X, W, b, activation: str = "identity") -> np.ndarray:
    """`dense` one sample and one output unit at a time: a weighted sum, a bias, an activation."""
    X, W, b = _dense_params(X, W, b)
    activation = checks.choice("activation", activation, bp.ACTIVATIONS)
    # --8<-- [start:dense_naive]
    N, (fan_in, fan_out) = X.shape[0], W.shape
    Z = np.zeros((N, fan_out))
    for n in range(N):
        for k in range(fan_out):  # unit k sees every input: that is "fully connected"
            Z[n, k] = sum(X[n, j] * W[j, k] for j in range(fan_in)) + b[k]
    A = bp.activate(activation, Z)
    # --8<-- [end:dense_naive]
    return A


# --8<-- [start:heads]
def flatten_head(X, params, activation: str = "relu", output_activation: str = "identity"):
    """Flatten (N, C, H, W) → (N, C·H·W), then the dense layers `params` (backprop's format).

    Raises ValueError when C·H·W differs from the first layer's fan_in: the head only accepts the
    map size it was built for.
    """
    X = check_feature_maps("X", X)
    params = bp.check_params(params)
    N, C, H, W = X.shape
    fan_in = params[0][0].shape[0]
    if C * H * W != fan_in:
        raise ValueError(
            f"X: expected C·H·W = {fan_in} values per sample to match params[0] W of shape "
            f"{params[0][0].shape}, got shape {X.shape} with C·H·W = {C * H * W}"
        )
    return bp.forward(params, X.reshape(N, C * H * W), activation, output_activation)[0]


def gap_head(X, params, activation: str = "relu", output_activation: str = "identity"):
    """Global average pooling (N, C, H, W) → (N, C), then the dense layers `params`.

    Any H and W work: only C has to match the first layer's fan_in.
    """
    X = check_feature_maps("X", X)
    params = bp.check_params(params)
    if X.shape[1] != params[0][0].shape[0]:
        raise ValueError(
            f"X: expected C = {params[0][0].shape[0]} channels to match params[0] W of shape "
            f"{params[0][0].shape}, got shape {X.shape}"
        )
    return bp.forward(params, global_avg_pool(X), activation, output_activation)[0]


# --8<-- [end:heads]


def conv2d(X, K, b) -> np.ndarray:
    """Cross-correlation (no kernel flip), stride 1, no padding, with a bias per output channel:
    `snippets.conv.conv2d` at its defaults, kept here under the name DL0011's code uses.

    Parameters
    ----------
    X : array of shape (N, C, H, W)
    K : array of shape (F, C, kh, kw), kh ≤ H and kw ≤ W (PyTorch's weight layout)
    b : array of shape (F,)

    Returns
    -------
    Y : array of shape (N, F, H − kh + 1, W − kw + 1), as
        `torch.nn.functional.conv2d(X, K, b)` with stride 1, padding 0, dilation 1, groups 1.

    Notes
    -----
    :math:`Y_{nfij} = b_f + \\sum_{c,u,v} X_{n,c,i+u,j+v} K_{fcuv}`.
    """
    X = check_feature_maps("X", X)
    K = checks.as_float_array("K", K, ndim=4)
    b = checks.as_float_array("b", b, ndim=1)
    F, C, kh, kw = K.shape
    if C != X.shape[1] or kh > X.shape[2] or kw > X.shape[3] or min(K.shape) < 1:
        raise ValueError(
            f"K: expected shape (F, {X.shape[1]}, kh ≤ {X.shape[2]}, kw ≤ {X.shape[3]}), "
            f"got {K.shape}"
        )
    if b.shape != (F,):
        raise ValueError(f"b: expected shape ({F},) to match K of shape {K.shape}, got {b.shape}")
    return conv.conv2d(X, K, b)  # the library's one convolution, at stride 1 and no padding


def fc_as_conv(W, channels: int, height: int, width: int) -> np.ndarray:
    """The dense weights W (C·H·W, F) of a flatten head as F kernels of shape (C, H, W)."""
    W = checks.as_float_array("W", W, ndim=2)
    c = checks.positive_int("channels", channels)
    h = checks.positive_int("height", height)
    w = checks.positive_int("width", width)
    if W.shape[0] != c * h * w:
        raise ValueError(
            f"W: expected {c * h * w} rows (C·H·W) for a {c}×{h}×{w} map, got {W.shape}"
        )
    # --8<-- [start:fc_as_conv]
    # fc_as_conv: flatten is channel-major (PyTorch's order), so row c·H·W + i·W + j of W
    # weighs X[c, i, j]; one map-sized kernel per output
    return W.T.reshape(W.shape[1], c, h, w)  # (F, C, H, W)
    # --8<-- [end:fc_as_conv]


def class_activation_map(X, W, b) -> np.ndarray:
    """The GAP head's dense layer (W, b) applied at every position of X: (N, F, H, W).

    Its spatial mean is the GAP + FC output, because averaging and a linear map commute.
    """
    _, W, b = _dense_params(None, W, b)
    X = check_feature_maps("X", X)
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X: expected C = {W.shape[0]} channels to match W, got shape {X.shape}")
    # --8<-- [start:class_activation_map]
    # class_activation_map: the dense layer at every position is a 1×1 convolution
    return conv2d(X, W.T[:, :, None, None], b)  # its spatial mean is GAP + FC
    # --8<-- [end:class_activation_map]
