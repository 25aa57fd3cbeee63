"""Fully connected layers and classifier heads, in numpy, with the experiments of DL0011.

A dense layer is the one of `snippets.backprop` (`forward`, `backward`, `init_params` are reused,
not rewritten). This module adds what a CNN's classifier head needs around it: parameter counts
of a Flatten + FC head and of a global-average-pooling (GAP) + FC head, GAP with its backward
pass, both heads as functions of a feature map `(N, C, H, W)`, the view of an FC layer as a
convolution, and layer lists of VGG-16 and ResNet-50 to count where their parameters and
multiply-adds sit. The rest is the page's worked examples, experiments, figures and values.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from matplotlib.patches import FancyArrowPatch, Rectangle

from snippets import backprop as bp
from snippets import checks
from snippets.formatting import fmt, tex_matrix, tex_sci
from snippets.plotting import Theme, new_figure
from snippets.seeds import seeds

# ---------------------------------------------------------------------------------------------
# Input checks specific to feature maps and layer sizes.


def _feature_maps(name: str, X) -> np.ndarray:
    """`X` as a finite float64 array of shape (N, C, H, W) with every dimension ≥ 1."""
    X = checks.as_float_array(name, X, ndim=4)
    if min(X.shape) < 1:
        raise ValueError(f"{name}: expected shape (N, C, H, W) with every size ≥ 1, got {X.shape}")
    return X


def _shape4(name: str, shape) -> tuple[int, int, int, int]:
    """`shape` as a tuple of four positive ints (N, C, H, W)."""
    if isinstance(shape, np.ndarray) and shape.ndim == 1:
        shape = shape.tolist()
    if not isinstance(shape, (tuple, list)) or len(shape) != 4:
        raise ValueError(f"{name}: expected a shape (N, C, H, W) of four ints, got {shape!r}")
    return tuple(checks.positive_int(f"{name}[{i}]", s) for i, s in enumerate(shape))  # type: ignore[return-value]


def _dense_params(W, b) -> tuple[np.ndarray, np.ndarray]:
    W = checks.as_float_array("W", W, ndim=2)
    b = checks.as_float_array("b", b, ndim=1)
    if min(W.shape) < 1:
        raise ValueError(f"W: expected shape (fan_in, fan_out) with both ≥ 1, got {W.shape}")
    if b.shape != (W.shape[1],):
        raise ValueError(
            f"b: expected shape ({W.shape[1]},) to match W of shape {W.shape}, got {b.shape}"
        )
    return W, b


# ---------------------------------------------------------------------------------------------
# Parameter counts.


# --8<-- [start:counts]
def fc_params(fan_in: int, fan_out: int, bias: bool = True) -> int:
    """Weights and biases of a dense layer: fan_in·fan_out + fan_out."""
    fan_in = checks.positive_int("fan_in", fan_in)
    fan_out = checks.positive_int("fan_out", fan_out)
    return fan_in * fan_out + (fan_out if _flag("bias", bias) else 0)


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


def _flag(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def count_ratio(channels: int, height: int, width: int, classes: int) -> float:
    """Flatten + FC parameters over GAP + FC parameters, which equals (C·H·W + 1) / (C + 1)."""
    return flatten_fc_params(channels, height, width, classes) / gap_fc_params(channels, classes)


# ---------------------------------------------------------------------------------------------
# Global average pooling and its backward pass.


def global_avg_pool_naive(X) -> np.ndarray:
    """`global_avg_pool` one sample and one channel at a time (for teaching)."""
    X = _feature_maps("X", X)
    # --8<-- [start:gap_naive]
    N, C, H, W = X.shape
    Y = np.zeros((N, C))
    for n in range(N):
        for c in range(C):
            total = 0.0
            for i in range(H):
                for j in range(W):
                    total += X[n, c, i, j]
            Y[n, c] = total / (H * W)  # one number per channel: its mean activation
    # --8<-- [end:gap_naive]
    return Y


# --8<-- [start:gap]
def global_avg_pool(X) -> np.ndarray:
    """Mean of every channel over all positions.

    Parameters
    ----------
    X : array of shape (N, C, H, W)

    Returns
    -------
    Y : array of shape (N, C), Y[n, c] = mean over (i, j) of X[n, c, i, j]

    Notes
    -----
    :math:`Y_{nc} = \\frac{1}{HW} \\sum_{i,j} X_{ncij}`; no parameters, any H and W.
    """
    X = _feature_maps("X", X)
    return X.mean(axis=(2, 3))


def global_avg_pool_backward(dY, X_shape) -> np.ndarray:
    """Gradient of the loss with respect to the input of `global_avg_pool`.

    Parameters
    ----------
    dY : array of shape (N, C), the gradient with respect to the pooled output
    X_shape : (N, C, H, W), the shape of the pooled input

    Returns
    -------
    dX : array of shape (N, C, H, W)

    Notes
    -----
    Every position contributes :math:`1/(HW)` to its channel's mean, so
    :math:`\\partial L / \\partial X_{ncij} = \\frac{1}{HW}\\, \\partial L / \\partial Y_{nc}`:
    the channel's gradient spread evenly over its H·W positions.
    """
    N, C, H, W = _shape4("X_shape", X_shape)
    dY = checks.as_float_array("dY", dY, ndim=2)
    if dY.shape != (N, C):
        raise ValueError(
            f"dY: expected shape ({N}, {C}) to match X_shape {X_shape}, got {dY.shape}"
        )
    return np.broadcast_to(dY[:, :, None, None] / (H * W), (N, C, H, W)).copy()


# --8<-- [end:gap]


# ---------------------------------------------------------------------------------------------
# A dense layer (the backprop snippet's) and the two heads built on it.


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
    W, b = _dense_params(W, b)
    X = checks.as_float_array("X", X, ndim=2, min_rows=1)
    if X.shape[1] != W.shape[0]:
        raise ValueError(
            f"X: expected shape (N, {W.shape[0]}) to match W of shape {W.shape}, got {X.shape}"
        )
    return bp.forward([(W, b)], X, activation)[0]


def dense_naive(X, W, b, activation: str = "identity") -> np.ndarray:
    """`dense` one sample and one output unit at a time: a weighted sum, a bias, an activation."""
    W, b = _dense_params(W, b)
    X = checks.as_float_array("X", X, ndim=2, min_rows=1)
    if X.shape[1] != W.shape[0]:
        raise ValueError(
            f"X: expected shape (N, {W.shape[0]}) to match W of shape {W.shape}, got {X.shape}"
        )
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
    X = _feature_maps("X", X)
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
    X = _feature_maps("X", X)
    params = bp.check_params(params)
    if X.shape[1] != params[0][0].shape[0]:
        raise ValueError(
            f"X: expected C = {params[0][0].shape[0]} channels to match params[0] W of shape "
            f"{params[0][0].shape}, got shape {X.shape}"
        )
    return bp.forward(params, global_avg_pool(X), activation, output_activation)[0]


# --8<-- [end:heads]


# ---------------------------------------------------------------------------------------------
# FC layers seen as convolutions.


def conv2d(X, K, b) -> np.ndarray:
    """Cross-correlation, stride 1, no padding: (N, C, H, W) * (F, C, kh, kw) → (N, F, H', W')."""
    X = _feature_maps("X", X)
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
    return _conv2d(X, K, b)


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
    return _fc_as_conv(W, c, h, w)


def class_activation_map(X, W, b) -> np.ndarray:
    """The GAP head's dense layer (W, b) applied at every position of X: (N, F, H, W).

    Its spatial mean is the GAP + FC output, because averaging and a linear map commute.
    """
    W, b = _dense_params(W, b)
    X = _feature_maps("X", X)
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X: expected C = {W.shape[0]} channels to match W, got shape {X.shape}")
    return _class_activation_map(X, W, b)


# --8<-- [start:conv_view]
def _conv2d(X, K, b):
    """(N, C, H, W) * (F, C, kh, kw) → (N, F, H − kh + 1, W − kw + 1); stride 1, no padding."""
    windows = np.lib.stride_tricks.sliding_window_view(X, K.shape[2:], axis=(2, 3))
    return np.einsum("nchwij,fcij->nfhw", windows, K) + b[:, None, None]


def _fc_as_conv(W, c: int, h: int, w: int):
    # flatten is channel-major (PyTorch's order): row c·H·W + i·W + j of W weighs X[c, i, j]
    return W.T.reshape(W.shape[1], c, h, w)  # (F, C, H, W): one map-sized kernel per output


def _class_activation_map(X, W, b):
    # the dense layer at every position is a 1×1 convolution; its spatial mean is GAP + FC
    return _conv2d(X, W.T[:, :, None, None], b)


# --8<-- [end:conv_view]


# ---------------------------------------------------------------------------------------------
# Layer lists of two well-known networks, to count parameters and multiply-adds per part.


@dataclass(frozen=True)
class Layer:
    """One layer of a network: a convolution, a BatchNorm or a dense layer.

    `out_hw` is the side of the square output map (1 for dense layers); `head` marks the layers
    of the classifier head.
    """

    kind: str  # "conv", "bn" or "fc"
    c_in: int
    c_out: int
    k: int = 1
    out_hw: int = 1
    bias: bool = True
    head: bool = False


def _image_side(image) -> int:
    image = checks.positive_int("image", image)
    if image % 32:
        raise ValueError(
            f"image: expected a multiple of 32 (the networks' total stride), got {image}"
        )
    return image


# --8<-- [start:networks]
def _check_layer(layer) -> None:
    if not isinstance(layer, Layer):
        raise TypeError(f"layer: expected a fully_connected.Layer, got {type(layer).__name__}")


def layer_params(layer: Layer) -> int:
    _check_layer(layer)
    if layer.kind == "conv":
        return layer.k * layer.k * layer.c_in * layer.c_out + (layer.c_out if layer.bias else 0)
    if layer.kind == "bn":
        return 2 * layer.c_out  # scale γ and shift β (running statistics are not parameters)
    return fc_params(layer.c_in, layer.c_out, layer.bias)


def layer_macs(layer: Layer) -> int:
    """Multiply-adds of one forward pass for one image (BatchNorm folds into the conv: 0)."""
    _check_layer(layer)
    if layer.kind == "bn":
        return 0
    return layer.k * layer.k * layer.c_in * layer.c_out * layer.out_hw**2


def vgg16_layers(image: int = 224) -> list[Layer]:
    """VGG-16 (configuration D): 13 3×3 convs with biases, 5 max-pools, FC 4096-4096-1000."""
    image = _image_side(image)
    stages = [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]
    layers, c_in, side = [], 3, image
    for c_out, n in stages:
        for _ in range(n):
            layers.append(Layer("conv", c_in, c_out, k=3, out_hw=side))  # padding 1 keeps size
            c_in = c_out
        side //= 2  # 2×2 max-pool, no parameters
    sizes = [c_in * side * side, 4096, 4096, 1000]  # flatten the 512×7×7 map
    layers += [Layer("fc", i, o, head=True) for i, o in zip(sizes[:-1], sizes[1:])]
    return layers


def resnet50_layers(image: int = 224) -> list[Layer]:
    """ResNet-50 (torchvision layout): bottleneck blocks 3-4-6-3, BatchNorm after every conv,
    convs without biases, stride 2 in the 3×3 conv, then GAP and one FC 2048 → 1000."""
    image = _image_side(image)
    side = image // 2
    layers = [Layer("conv", 3, 64, k=7, out_hw=side, bias=False), Layer("bn", 64, 64)]
    side //= 2  # 3×3 max-pool, stride 2
    c_in = 64
    for width, blocks, stride in [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]:
        for i in range(blocks):
            s = stride if i == 0 else 1
            out = side // s
            layers += [
                Layer("conv", c_in, width, k=1, out_hw=side, bias=False),
                Layer("bn", width, width),
                Layer("conv", width, width, k=3, out_hw=out, bias=False),
                Layer("bn", width, width),
                Layer("conv", width, 4 * width, k=1, out_hw=out, bias=False),
                Layer("bn", 4 * width, 4 * width),
            ]
            if i == 0:  # projection shortcut: the block changes width (and size)
                layers += [
                    Layer("conv", c_in, 4 * width, k=1, out_hw=out, bias=False),
                    Layer("bn", 4 * width, 4 * width),
                ]
            c_in, side = 4 * width, out
    layers.append(Layer("fc", c_in, 1000, head=True))  # after GAP: 2048 numbers per image
    return layers


def summarize(layers: list[Layer]) -> dict[str, int]:
    """Parameters and multiply-adds of the body (convs, BN) and of the head (dense layers)."""
    if not isinstance(layers, (list, tuple)) or not layers:
        raise TypeError(f"layers: expected a non-empty list of Layer, got {layers!r:.60}")
    for layer in layers:
        _check_layer(layer)
    out = {"body_params": 0, "head_params": 0, "body_macs": 0, "head_macs": 0}
    for layer in layers:
        part = "head" if layer.head else "body"
        out[f"{part}_params"] += layer_params(layer)
        out[f"{part}_macs"] += layer_macs(layer)
    out["params"] = out["body_params"] + out["head_params"]
    out["macs"] = out["body_macs"] + out["head_macs"]
    return out


# --8<-- [end:networks]


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


# ---------------------------------------------------------------------------------------------
# Worked examples.

EX_CHANNELS = 8  # the seed's example: 8 channels, 6 classes
EX_CLASSES = 6
EX_SIDE = 7  # the last feature map of VGG-16 and ResNet-50 at 224×224 input

DENSE_EXAMPLE = {
    "X": [[2.0, 1.0, 0.5], [0.5, 2.0, 0.5]],
    "W": [[0.5, -1.0], [0.25, 0.5], [-1.0, 1.0]],
    "b": [0.1, -0.2],
    "T": [[1.0, 0.5], [0.0, 1.0]],
}

GAP_EXAMPLE_X = [
    [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]],
    [[0.0, 0.0, 0.0], [0.0, 9.0, 0.0], [0.0, 0.0, 0.0]],
]
GAP_EXAMPLE_DY = [[0.9, -1.8]]


def dense_example() -> dict[str, np.ndarray]:
    """A 3 → 2 ReLU layer on a batch of 2, forward and backward (MSE loss) via the backprop code."""
    e = {k: np.array(v) for k, v in DENSE_EXAMPLE.items()}
    params = [(e["W"], e["b"])]
    A, cache = bp.forward(params, e["X"], "relu")
    ((dW, db),) = bp.backward(params, cache, e["T"])
    return {"Z": cache.z[0], "A": A, "dW": dW, "db": db, "loss": bp.mse_loss(A, e["T"])}


def gap_example() -> dict[str, np.ndarray]:
    X = np.array([GAP_EXAMPLE_X])
    return {
        "X": X,
        "Y": global_avg_pool(X),
        "dX": global_avg_pool_backward(np.array(GAP_EXAMPLE_DY), X.shape),
    }


# ---------------------------------------------------------------------------------------------
# Experiment: an object seen at some positions only; which head recognises it elsewhere?

POS_SIDE = 7
POS_TRAIN_COLS = (0, 1, 2)  # the training objects all sit in the left three columns
POS_PER_CLASS = 100
POS_VAL_PER_CLASS = 30  # validation maps, drawn like the training maps: they choose the rate
POS_TEST_PER_CLASS = 30
POS_EPOCHS = 150
# each head picks its rate from these, on its validation maps; 32 was added after 8 (the old
# top) won for the flatten head in 3 of 5 seeds, so that the grid brackets the picks
POS_LRS = (0.5, 2.0, 8.0, 32.0)
POS_N_SEEDS = 5
POS_BUMP_SIGMA = 0.8  # width of the object's Gaussian bump, in cells
POS_GAP_FLOOR = 80.0  # the page's bar for "GAP + FC scores at least this in every column" (%)
POS_BIG_SIDE = 11
# on an 11×11 map the object's bump is averaged over 121 cells instead of 49; scaling its
# contrast by 121/49 restores its share of each channel mean (the control for the "dilution")
POS_BIG_CONTRAST = POS_BIG_SIDE**2 / POS_SIDE**2


def synthetic_maps(
    rng: np.random.Generator,
    signatures: np.ndarray,
    n_per_class: int,
    cols,
    side: int,
    contrast: float = 1.0,
):
    """Feature maps of an object of class k at a random row and one of the columns `cols`.

    Channel c of the map is `contrast · amp · signatures[k, c] · bump(row, col) + noise`, the
    way a conv body's detectors fire together where the object is (a Gaussian bump, σ =
    POS_BUMP_SIGMA cells) over a weak rectified-noise background; `amp` ~ U(0.7, 1.3) varies
    the contrast.
    """
    rng = checks.generator("rng", rng)
    signatures = checks.as_float_array("signatures", signatures, ndim=2)
    n_per_class = checks.positive_int("n_per_class", n_per_class)
    side = checks.positive_int("side", side)
    contrast = checks.positive_float("contrast", contrast)
    try:
        cols = [int(c) for c in cols]
    except (TypeError, ValueError) as exc:
        raise TypeError(f"cols: expected a list of column indices, got {cols!r:.60}") from exc
    if not cols or min(cols) < 0 or max(cols) >= side:
        raise ValueError(f"cols: expected column indices in 0..{side - 1}, got {cols}")
    K, C = signatures.shape
    yy, xx = np.mgrid[0:side, 0:side]
    X, y = [], []
    for k in range(K):
        for _ in range(n_per_class):
            r, c = rng.integers(0, side), rng.choice(cols)
            bump = np.exp(-((yy - r) ** 2 + (xx - c) ** 2) / (2 * POS_BUMP_SIGMA**2))
            amp = contrast * rng.uniform(0.7, 1.3)
            noise = 0.1 * np.abs(rng.normal(size=(C, side, side)))
            X.append(amp * signatures[k][:, None, None] * bump + noise)
            y.append(k)
    return np.array(X), np.array(y)


def _flatten_features(M: np.ndarray) -> np.ndarray:
    return M.reshape(len(M), -1)


_FEATURES = {"flatten": _flatten_features, "gap": global_avg_pool}


def _fit_head(name: str, train, val, seed: int) -> dict:
    """One dense layer (sigmoid outputs) on flattened or pooled maps, its rate chosen on `val`.

    Inputs are standardised with the training set's mean and standard deviation (the job a
    BatchNorm does in a network); every rate of POS_LRS starts from the same initial weights;
    the rate with the best validation accuracy wins (the smaller one on a tie).
    """
    features = _FEATURES[name]
    (X, y), (Xv, yv) = train, val
    F = features(X)
    mu, sd = F.mean(axis=0), F.std(axis=0)
    init = bp.init_params([F.shape[1], EX_CLASSES], np.random.default_rng(seed))
    T = np.eye(EX_CLASSES)[y]

    def accuracy(M, labels, params) -> float:
        A, _ = bp.forward(params, (features(M) - mu) / sd, "sigmoid")
        return float(np.mean(A.argmax(axis=1) == labels))

    best, val_accs = None, []
    for lr in POS_LRS:
        params, losses = bp.train(init, (F - mu) / sd, T, lr, POS_EPOCHS, "sigmoid")
        val_acc = accuracy(Xv, yv, params)
        val_accs.append(val_acc)
        if best is None or val_acc > best["val_acc"]:
            best = {"lr": lr, "params": params, "losses": losses, "val_acc": val_acc}
    best["val_accs"] = np.array(val_accs)  # one per rate of POS_LRS
    best["train_acc"] = accuracy(X, y, best["params"])
    best["n_params"] = sum(W.size + b.size for W, b in best["params"])
    best["accuracy"] = lambda M, labels, params=best["params"]: accuracy(M, labels, params)
    return best


def _position_seed(seed: int) -> dict:
    """Data of one seed (class patterns, maps, initial weights); the three heads trained on it."""
    rng = np.random.default_rng(seed)
    C, K, S = EX_CHANNELS, EX_CLASSES, POS_SIDE
    signatures = rng.uniform(0.0, 1.0, size=(K, C))

    def maps(n: int, cols, side: int = S, contrast: float = 1.0):
        return synthetic_maps(rng, signatures, n, cols, side, contrast)

    left, every = POS_TRAIN_COLS, range(S)
    train, val = maps(POS_PER_CLASS, left), maps(POS_VAL_PER_CLASS, left)
    # the control: the same flatten head, trained with objects in every column
    train_all, val_all = maps(POS_PER_CLASS, every), maps(POS_VAL_PER_CLASS, every)
    tests = [maps(POS_TEST_PER_CLASS, [c]) for c in every]
    big = maps(POS_TEST_PER_CLASS, range(POS_BIG_SIDE), POS_BIG_SIDE)
    big_bright = maps(POS_TEST_PER_CLASS, range(POS_BIG_SIDE), POS_BIG_SIDE, POS_BIG_CONTRAST)
    out = {"n_train": len(train[1]), "n_val": len(val[1]), "n_test_col": len(tests[0][1])}
    out["n_big"] = len(big[1])
    for key, name, tr, va in (
        ("flatten", "flatten", train, val),
        ("gap", "gap", train, val),
        ("flatten_all", "flatten", train_all, val_all),
    ):
        head = _fit_head(name, tr, va, seed + 1)
        head["col_acc"] = np.array([head["accuracy"](M, labels) for M, labels in tests])
        out[key] = head
    out["gap"]["big_acc"] = out["gap"]["accuracy"](*big)
    out["gap"]["big_bright_acc"] = out["gap"]["accuracy"](*big_bright)
    # the heads as functions of a feature map: the flatten head refuses a larger map
    try:
        flatten_head(big[0][:1], out["flatten"]["params"], "sigmoid", "sigmoid")
        out["flatten_big_error"] = ""
    except ValueError as exc:
        out["flatten_big_error"] = str(exc)
    out["gap_big_out_shape"] = gap_head(big[0], out["gap"]["params"], "sigmoid", "sigmoid").shape
    for head in ("flatten", "gap", "flatten_all"):
        del out[head]["accuracy"]  # closures over the data: not kept in the cache
    return out


POS_SEEN = list(POS_TRAIN_COLS)
POS_NEXT = max(POS_TRAIN_COLS) + 1
POS_FAR = [c for c in range(POS_SIDE) if c > POS_NEXT]  # two or more columns from training


def position_runs(seed_set: int = 0) -> dict:
    """Every seed of `seed_set` run; per-seed summaries stacked as arrays (one entry per seed)."""
    # one cache entry per set: `position_runs()` and `position_runs(0)` share a run
    return _position_runs(int(seed_set))


@functools.cache
def _position_runs(seed_set: int) -> dict:
    runs = [_position_seed(s) for s in seeds(POS_N_SEEDS, seed_set)]
    per_seed = {}
    for head in ("flatten", "gap", "flatten_all"):
        col = np.array([r[head]["col_acc"] for r in runs])  # (seeds, columns)
        per_seed[head] = {
            "col_acc": col,
            "seen": col[:, POS_SEEN].mean(axis=1),
            "next": col[:, POS_NEXT],
            "far": col[:, POS_FAR].mean(axis=1),
            "train": np.array([r[head]["train_acc"] for r in runs]),
            "val": np.array([r[head]["val_acc"] for r in runs]),
            "lr": np.array([r[head]["lr"] for r in runs]),
            "val_accs": np.array([r[head]["val_accs"] for r in runs]),  # (seeds, rates)
        }
    per_seed["gap"]["big"] = np.array([r["gap"]["big_acc"] for r in runs])
    per_seed["gap"]["big_bright"] = np.array([r["gap"]["big_bright_acc"] for r in runs])
    return {"runs": runs, **per_seed}


@functools.cache
def conv_view_runs():
    """FC on a C×H×W map equals an H×W convolution; FC after GAP equals GAP after a 1×1 conv."""
    rng = np.random.default_rng(5)
    C, H, W, K = EX_CHANNELS, EX_SIDE, EX_SIDE, EX_CLASSES
    X = rng.normal(size=(4, C, H, W))
    Wf, bf = rng.normal(size=(C * H * W, K)), rng.normal(size=K)
    fc = dense(X.reshape(4, -1), Wf, bf)
    conv = conv2d(X, fc_as_conv(Wf, C, H, W), bf)
    big = conv2d(rng.normal(size=(1, C, H + 4, W + 4)), fc_as_conv(Wf, C, H, W), bf)
    Wg, bg = rng.normal(size=(C, K)), rng.normal(size=K)
    cam = class_activation_map(X, Wg, bg)
    # with a hidden ReLU layer after GAP (MobileNetV3's kind of head) the identity breaks:
    # the head applied at every position, then averaged, is not the head on the averages
    hidden = [(rng.normal(size=(C, 16)), rng.normal(size=16)), (rng.normal(size=(16, K)), bg)]
    per_position = X.transpose(0, 2, 3, 1).reshape(-1, C)
    local = bp.forward(hidden, per_position, "relu")[0].reshape(4, H * W, K).mean(axis=1)
    return {
        "fc_vs_conv": float(np.max(np.abs(fc - conv[:, :, 0, 0]))),
        "conv_out_shape": conv.shape,
        "big_in_side": H + 4,
        "big_out_shape": big.shape,
        "cam_vs_head": float(
            np.max(np.abs(cam.mean(axis=(2, 3)) - dense(global_avg_pool(X), Wg, bg)))
        ),
        "cam_hidden_vs_head": float(np.max(np.abs(local - gap_head(X, hidden)))),
    }


@functools.cache
def network_runs():
    vgg, res = vgg16_layers(), resnet50_layers()
    return {
        "vgg": summarize(vgg),
        "resnet": summarize(res),
        "vgg_convs": sum(1 for layer in vgg if layer.kind == "conv"),
        "resnet_convs": sum(1 for layer in res if layer.kind == "conv"),
        "vgg448_fc1": layer_params(vgg16_layers(448)[13]),
        "vgg_gap_head": gap_fc_params(512, 1000),
        # GAP, but VGG's 512 → 4096 → 4096 → 1000 dense layers kept
        "vgg_gap_keep_hidden": fc_params(512, 4096) + fc_params(4096, 4096) + fc_params(4096, 1000),
    }


# ---------------------------------------------------------------------------------------------
# Figures.


def _segments(ax, pairs, **style):
    """Many straight segments as one path (NaN breaks the line): a small SVG."""
    xs, ys = [], []
    for (x0, y0), (x1, y1) in pairs:
        xs += [x0, x1, np.nan]
        ys += [y0, y1, np.nan]
    ax.plot(xs, ys, **style)


def _draw_map(ax, theme: Theme, x: float, y: float, side: float, depth: int, grid: int):
    """A stack of `depth` square channels, front one at (x, y), with a grid×grid lattice."""
    step = 0.55
    for d in reversed(range(depth)):
        ax.add_patch(
            Rectangle(
                (x + d * step, y + d * step),
                side,
                side,
                facecolor=theme.palette[0],
                edgecolor=theme.fg,
                linewidth=0.8,
                alpha=0.9 if d == 0 else 0.55,
            )
        )
    ticks = [t * side / grid for t in range(1, grid)]
    _segments(
        ax,
        [((x + t, y), (x + t, y + side)) for t in ticks]
        + [((x, y + t), (x + side, y + t)) for t in ticks],
        color=theme.bg,
        linewidth=0.7,
    )


def _arrow(ax, theme: Theme, x0: float, x1: float, y: float, label: str):
    ax.add_patch(
        FancyArrowPatch(
            (x0, y), (x1, y), arrowstyle="-|>", mutation_scale=14, color=theme.fg, linewidth=1.4
        )
    )
    ax.text((x0 + x1) / 2, y + 1.3, label, ha="center", va="bottom", color=theme.fg)


def _draw_heads(theme: Theme):
    C, K, S = EX_CHANNELS, EX_CLASSES, EX_SIDE
    fig, ax = new_figure(theme, width=9.0, height=4.9)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 54)
    ax.set_axis_off()
    rows = [
        ("Flatten + FC", 35.0, S * S, flatten_fc_params(C, S, S, K), "Flatten", "inputs"),
        ("GAP + FC", 8.0, 1, gap_fc_params(C, K), "GAP", "inputs, 1 per channel"),
    ]
    for title, y0, per_channel, n_params, op, what in rows:
        n_in = C * per_channel
        _draw_map(ax, theme, 2.0, y0, 9.0, C, S)
        ax.text(8.0, y0 - 1.5, f"{C} × {S} × {S} map", ha="center", va="top", color=theme.fg)
        ax.text(0.5, y0 + 15.5, title, ha="left", va="bottom", color=theme.fg, fontweight="bold")
        _arrow(ax, theme, 18.0, 31.0, y0 + 6.0, op)
        # the dense layer's input: one block per channel, holding its H·W values or its mean
        top, bottom, x_vec = y0 + 13.0, y0 - 1.0, 34.0
        h = (top - bottom) / C
        stripes = min(per_channel, 6)  # a few stripes stand for a channel's 49 values
        ins = []
        for c in range(C):
            ax.add_patch(
                Rectangle(
                    (x_vec, top - (c + 1) * h),
                    2.2,
                    h,
                    facecolor=theme.palette[2],
                    edgecolor=theme.fg,
                    linewidth=0.8,
                    alpha=1.0 if c % 2 == 0 else 0.6,
                )
            )
            ins += [top - (c + (i + 0.5) / stripes) * h for i in range(stripes)]
        if stripes > 1:
            _segments(
                ax,
                [((x_vec, yi), (x_vec + 2.2, yi)) for yi in ins],
                color=theme.bg,
                linewidth=0.4,
            )
        ax.text(x_vec - 0.5, bottom - 1.0, f"{n_in:,} {what}", ha="left", va="top", color=theme.fg)
        # every input feeds every output: the connections (a sample of them for Flatten)
        x_out = 62.0
        ys_out = np.linspace(bottom + 1.0, top - 1.0, K)
        _segments(
            ax,
            [((x_vec + 2.2, yi), (x_out - 1.0, yo)) for yi in ins for yo in ys_out],
            color=theme.muted,
            linewidth=0.5,
            alpha=0.6,
        )
        for yo in ys_out:
            ax.add_patch(
                Rectangle(
                    (x_out - 1.0, yo - 0.8),
                    2.0,
                    1.6,
                    facecolor=theme.palette[1],
                    edgecolor=theme.fg,
                    linewidth=0.8,
                )
            )
        ax.text(x_out, bottom - 1.0, f"{K} classes", ha="center", va="top", color=theme.fg)
        ax.text(
            49.0,
            top + 1.2,
            f"FC: {n_in:,} × {K} weights + {K} biases",
            ha="center",
            va="bottom",
            color=theme.fg,
        )
        ax.text(
            69.0,
            y0 + 8.0,
            f"{n_params:,}",
            ha="left",
            va="center",
            color=theme.fg,
            fontsize=22,
            fontweight="bold",
        )
        ax.text(69.0, y0 + 3.5, "parameters", ha="left", va="center", color=theme.fg)
    ax.text(
        69.0,
        8.0 - 0.5,
        f"{count_ratio(C, S, S, K):.1f}× fewer",
        ha="left",
        va="center",
        color=theme.palette[1],
        fontweight="bold",
    )
    return fig


SIZE_RANGE = np.arange(1, 33)


def _draw_params_vs_size(theme: Theme):
    C, K = EX_CHANNELS, EX_CLASSES
    fig, (ax1, ax2) = new_figure(theme, ncols=2, width=9.0, height=3.8)
    flat = [flatten_fc_params(C, int(s), int(s), K) for s in SIZE_RANGE]
    gap = [gap_fc_params(C, K)] * len(SIZE_RANGE)
    ax1.plot(SIZE_RANGE, flat, marker="o", markersize=3.5, label="Flatten + FC")
    ax1.plot(SIZE_RANGE, gap, linestyle="--", label="GAP + FC")
    ax1.plot(
        [EX_SIDE],
        [flatten_fc_params(C, EX_SIDE, EX_SIDE, K)],
        "o",
        markersize=8,
        markerfacecolor="none",
        color=theme.fg,
    )
    ax1.annotate(
        f"{EX_SIDE}×{EX_SIDE}: {flatten_fc_params(C, EX_SIDE, EX_SIDE, K):,}",
        (EX_SIDE, flatten_fc_params(C, EX_SIDE, EX_SIDE, K)),
        xytext=(12, -14),
        textcoords="offset points",
        va="top",
        color=theme.fg,
    )
    ax1.set_yscale("log")
    ax1.set_xlabel("feature-map side H = W (cells)")
    ax1.set_ylabel("parameters (weights + biases)")
    ax1.set_title(f"C = {C} channels, {K} classes")
    ax1.legend(loc="center right")
    for c, style in ((C, "-"), (512, ":")):
        ratio = [count_ratio(c, int(s), int(s), K) for s in SIZE_RANGE]
        ax2.plot(SIZE_RANGE**2, ratio, linestyle=style, label=f"C = {c}")
    ax2.plot(SIZE_RANGE**2, SIZE_RANGE**2, color=theme.muted, linewidth=1, label="H·W")
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlabel("positions H·W")
    ax2.set_ylabel("Flatten + FC  /  GAP + FC")
    ax2.set_title("ratio = (C·H·W + 1) / (C + 1)")
    ax2.legend(loc="upper left")
    return fig


def _draw_networks(theme: Theme):
    r = network_runs()
    fig, (ax1, ax2) = new_figure(theme, ncols=2, width=9.0, height=3.0)
    names = ["VGG-16", "ResNet-50"]
    nets = [r["vgg"], r["resnet"]]
    for ax, key, scale, unit in (
        (ax1, "params", 1e6, "parameters (millions)"),
        (ax2, "macs", 1e9, "multiply-adds per image (billions)"),
    ):
        body = np.array([n[f"body_{key}"] for n in nets]) / scale
        head = np.array([n[f"head_{key}"] for n in nets]) / scale
        ys = np.arange(len(names))[::-1]
        ax.barh(ys, body, color=theme.palette[0], label="conv body", height=0.55)
        ax.barh(ys, head, left=body, color=theme.palette[1], label="FC head", height=0.55)
        digits = 1 if key == "params" else 2  # as in the page's table
        for yv, bo, he in zip(ys, body, head):
            share = 100 * he / (bo + he)
            ax.text(bo + he, yv, f"  head {share:.{digits}f} %", va="center", color=theme.fg)
        ax.set_yticks(ys, names)
        ax.set_xlabel(unit)
        ax.set_xlim(0, 1.55 * max(body + head))
        ax.grid(axis="y", visible=False)
    ax1.legend(loc="lower right")
    return fig


def _draw_position(theme: Theme):
    r = position_runs()
    fig, ax = new_figure(theme, width=7.2, height=4.2)
    cols = np.arange(POS_SIDE)
    lo, hi = min(POS_TRAIN_COLS) - 0.5, max(POS_TRAIN_COLS) + 0.5
    ax.axvspan(lo, hi, color=theme.grid, alpha=0.6, linewidth=0)
    ax.text((lo + hi) / 2, 50, "training\npositions", ha="center", va="center", color=theme.fg)
    heads = (
        ("flatten", "Flatten + FC", "o", "-"),
        ("gap", "GAP + FC", "s", "--"),
        ("flatten_all", "Flatten + FC, trained on every column (control)", "^", ":"),
    )
    for i, (key, label, marker, style) in enumerate(heads):
        acc = 100 * r[key]["col_acc"]  # (seeds, columns)
        color = theme.palette[i]
        ax.fill_between(cols, acc.min(axis=0), acc.max(axis=0), color=color, alpha=0.2, lw=0)
        ax.plot(cols, acc.mean(axis=0), marker=marker, linestyle=style, color=color, label=label)
    ax.axhline(100 / EX_CLASSES, color=theme.muted, linestyle=":", linewidth=1.5, label="chance")
    ax.set_xticks(cols)
    ax.set_ylim(0, 105)
    ax.set_xlabel(f"column of the object on the {POS_SIDE}×{POS_SIDE} map")
    ax.set_ylabel("test accuracy (%)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2)
    return fig


def figures():
    """Figure name → function drawing it for a theme."""
    return {
        "heads": _draw_heads,
        "params-vs-size": _draw_params_vs_size,
        "network-heads": _draw_networks,
        "position": _draw_position,
    }


# ---------------------------------------------------------------------------------------------
# Values.


def _pct(a) -> str:
    """Accuracies over seeds as 'mean ± std' in percent (population std over the seeds)."""
    a = 100 * np.asarray(a, dtype=float)
    return f"{fmt(a.mean(), 1)} ± {fmt(a.std(), 1)}"


def fmt_sci(x: float) -> str:
    """A tiny difference as LaTeX, e.g. 3.6 \\times 10^{-15}; exactly 0 stays 0."""
    return "0" if x == 0 else tex_sci(x)


def _tex_int(n: int) -> str:
    """An int with thousands separators that TeX does not space like a list: 2{,}358."""
    return f"{n:,}".replace(",", "{,}")


def values() -> dict[str, object]:
    """Every number the page quotes, formatted as the page shows it."""
    C, K, S = EX_CHANNELS, EX_CLASSES, EX_SIDE
    v: dict[str, object] = {"ex_c": C, "ex_k": K, "ex_side": S, "ex_hw": S * S, "ex_chw": C * S * S}
    v["ex_flat_weights"] = f"{C * S * S * K:,}"
    v["ex_flat"] = f"{flatten_fc_params(C, S, S, K):,}"
    v["ex_flat_tex"] = _tex_int(flatten_fc_params(C, S, S, K))
    v["ex_gap"] = gap_fc_params(C, K)
    v["ex_gap_weights"] = C * K
    v["ex_ratio"] = fmt(count_ratio(C, S, S, K), 1)
    v["ex_c_frac"] = fmt(100 * C / (C + 1), 1)
    for s in (1, 14, 32):
        v[f"ratio_{s}"] = fmt(count_ratio(C, s, s, K), 1)
        v[f"flat_{s}"] = f"{flatten_fc_params(C, s, s, K):,}"
    v["size_max"] = int(SIZE_RANGE[-1])

    d = dense_example()
    for key in ("X", "W", "b", "T"):
        v[f"dense_{key}"] = tex_matrix(DENSE_EXAMPLE[key], digits=2 if key == "W" else 1)
    for key in ("Z", "A", "dW", "db"):
        v[f"dense_{key}"] = tex_matrix(d[key], digits=4 if key in ("dW", "db") else 2)
    v["dense_loss"] = fmt(d["loss"], 4)

    g = gap_example()
    v["gap_X0"] = tex_matrix(GAP_EXAMPLE_X[0], digits=0)
    v["gap_X1"] = tex_matrix(GAP_EXAMPLE_X[1], digits=0)
    v["gap_Y"] = tex_matrix(g["Y"], digits=1)
    v["gap_dY"] = tex_matrix(GAP_EXAMPLE_DY, digits=1)
    v["gap_dX0"] = tex_matrix(g["dX"][0, 0], digits=1)
    v["gap_dX1"] = tex_matrix(g["dX"][0, 1], digits=1)
    v["gap_hw"] = g["X"].shape[2] * g["X"].shape[3]

    n = network_runs()
    for name in ("vgg", "resnet"):
        s = n[name]
        v[f"{name}_params"] = f"{s['params']:,}"
        v[f"{name}_head_params"] = f"{s['head_params']:,}"
        v[f"{name}_body_params"] = f"{s['body_params']:,}"
        v[f"{name}_head_share"] = fmt(100 * s["head_params"] / s["params"], 1)
        v[f"{name}_macs_g"] = fmt(s["macs"] / 1e9, 2)
        v[f"{name}_head_macs_m"] = fmt(s["head_macs"] / 1e6, 1)
        v[f"{name}_head_macs_share"] = fmt(100 * s["head_macs"] / s["macs"], 2)
    v["vgg_flat_in"] = f"{512 * 7 * 7:,}"
    v["vgg_fc1"] = f"{fc_params(512 * 7 * 7, 4096):,}"
    v["fc_4096_1000"] = _tex_int(fc_params(4096, 1000))
    v["conv3_512_m"] = fmt(layer_params(Layer("conv", 512, 512, k=3)) / 1e6, 1)
    v["fc_map_to_map_m"] = fmt(fc_params(512 * 7 * 7, 512 * 7 * 7) / 1e6, 0)
    v["vgg_fc1_share"] = fmt(100 * fc_params(512 * 7 * 7, 4096) / n["vgg"]["params"], 1)
    v["vgg_convs"] = n["vgg_convs"]
    v["resnet_convs"] = n["resnet_convs"]
    v["vgg448_fc1"] = f"{n['vgg448_fc1']:,}"
    v["vgg_gap_head"] = f"{n['vgg_gap_head']:,}"
    v["vgg_gap_ratio"] = fmt(n["vgg"]["head_params"] / n["vgg_gap_head"], 0)
    # the two changes apart: GAP alone (VGG's two 4096-unit layers kept), then one linear layer
    keep = n["vgg_gap_keep_hidden"]
    body = n["vgg"]["body_params"]
    v["vgg_gap_keep_hidden"] = f"{keep:,}"
    v["vgg_gap_keep_hidden_ratio"] = fmt(n["vgg"]["head_params"] / keep, 1)
    v["vgg_gap_keep_hidden_share"] = fmt(100 * keep / (body + keep), 0)
    v["vgg_gap_head_share"] = fmt(100 * n["vgg_gap_head"] / (body + n["vgg_gap_head"]), 1)
    v["vgg_hidden_over_linear"] = fmt(keep / n["vgg_gap_head"], 0)
    v["fc_4096_1000_macs"] = _tex_int(4096 * 1000)
    v["vgg_over_resnet_head"] = fmt(n["vgg"]["head_params"] / n["resnet"]["head_params"], 0)

    r = position_runs()
    runs = r["runs"]
    v["pos_side"] = POS_SIDE
    v["pos_train_cols"] = f"{POS_TRAIN_COLS[0]}–{POS_TRAIN_COLS[-1]}"
    v["pos_n_train"] = runs[0]["n_train"]
    v["pos_n_val"] = runs[0]["n_val"]
    v["pos_n_test_col"] = runs[0]["n_test_col"]
    v["pos_epochs"] = POS_EPOCHS
    v["pos_lrs"] = ", ".join(f"{lr:g}" for lr in POS_LRS)
    v["pos_n_seeds"] = POS_N_SEEDS
    v["pos_big_side"] = POS_BIG_SIDE
    v["pos_n_big"] = runs[0]["n_big"]
    v["pos_big_contrast"] = fmt(POS_BIG_CONTRAST, 2)
    v["pos_far_cols"] = f"{POS_FAR[0]}–{POS_FAR[-1]}"
    v["pos_next_col"] = POS_NEXT
    v["pos_last_train_col"] = max(POS_TRAIN_COLS)
    v["pos_bump_next"] = fmt(100 * np.exp(-1 / (2 * POS_BUMP_SIGMA**2)), 0)
    v["pos_bump_sigma"] = fmt(POS_BUMP_SIGMA, 1)
    v["pos_gap_floor"] = fmt(POS_GAP_FLOOR, 0)
    v["pos_lr_top"] = f"{max(POS_LRS):g}"
    v["pos_lr_bottom"] = f"{min(POS_LRS):g}"
    picks = np.array([r[h]["lr"] for h in ("flatten", "gap", "flatten_all")])
    v["pos_n_picks"] = picks.size
    v["pos_top_picks"] = int(np.sum(picks == max(POS_LRS)))
    v["pos_bottom_picks"] = int(np.sum(picks == min(POS_LRS)))
    v["pos_flatten_top_picks"] = int(np.sum(r["flatten"]["lr"] == max(POS_LRS)))
    v["pos_twice_chance"] = fmt(200 / EX_CLASSES, 1)
    # the pick the grid would give without its top rate (argmax keeps the first, smaller, on ties)
    old = np.asarray(POS_LRS[:-1])[r["flatten"]["val_accs"][:, :-1].argmax(axis=1)]
    v["pos_old_lr_top"] = f"{POS_LRS[-2]:g}"
    v["pos_flatten_old_top_picks"] = int(np.sum(old == POS_LRS[-2]))
    for name in ("flatten", "gap", "flatten_all"):
        h = r[name]
        v[f"pos_{name}_params"] = f"{runs[0][name]['n_params']:,}"
        for key in ("train", "seen", "next", "far"):
            v[f"pos_{name}_{key}"] = _pct(h[key])
        v[f"pos_{name}_min"] = fmt(100 * h["col_acc"].min(), 1)
    v["pos_chance"] = fmt(100 / EX_CLASSES, 1)
    v["pos_gap_big"] = _pct(r["gap"]["big"])
    v["pos_gap_big_bright"] = _pct(r["gap"]["big_bright"])
    v["pos_flatten_error"] = "ValueError: " + runs[0]["flatten_big_error"]
    v["pos_gap_big_shape"] = str(runs[0]["gap_big_out_shape"])

    tf = transformer_block_params(768, 3072)  # BERT-base / ViT-B/16
    v["tf_attention"] = f"{tf['attention']:,}"
    v["tf_mlp"] = f"{tf['mlp']:,}"
    v["tf_total"] = f"{tf['total']:,}"
    v["tf_mlp_share"] = fmt(100 * tf["mlp"] / tf["total"], 1)

    cv = conv_view_runs()
    v["conv_fc_diff"] = fmt_sci(cv["fc_vs_conv"])
    v["conv_out_shape"] = str(cv["conv_out_shape"])
    v["conv_big_side"] = cv["big_in_side"]
    v["conv_big_shape"] = str(cv["big_out_shape"])
    v["conv_cam_diff"] = fmt_sci(cv["cam_vs_head"])
    v["conv_cam_hidden_diff"] = fmt(cv["cam_hidden_vs_head"], 1)
    return v


# ---------------------------------------------------------------------------------------------
# Claims: what the page concludes from the position experiment, re-checked on seed set 1.


def _margin(name: str, diff, unit: str = "points", paired: bool = True) -> tuple[bool, str]:
    """Paired per-seed differences d: a finding when mean(d) > std(d) and d > 0 in ≥ n − 1 seeds."""
    d = 100 * np.asarray(diff, dtype=float)
    n, k = len(d), int(np.sum(d > 0))
    holds = bool(k >= n - 1 and d.mean() > d.std())
    kind = "paired" if paired else "per seed"
    return holds, (
        f"{kind}, in {k} of {n} seeds; {name}: mean {d.mean():.1f} {unit}, "
        f"std {d.std():.1f}, min {d.min():.1f}"
    )


def claims(seed_set: int = 0) -> dict[str, tuple[bool, str]]:
    """Name → (holds, evidence) for the position experiment on `seeds(POS_N_SEEDS, seed_set)`."""
    r = position_runs(seed_set)
    flat, gap, ctrl = r["flatten"], r["gap"], r["flatten_all"]
    chance = 1 / EX_CLASSES
    out = {}
    # the rate grid brackets the picks: no head picks an edge rate in most seeds
    edges = {
        f"{h} {lr:g}": int(np.sum(r[h]["lr"] == lr))
        for h in ("flatten", "gap", "flatten_all")
        for lr in (min(POS_LRS), max(POS_LRS))
    }
    n = POS_N_SEEDS
    out["lr_grid_brackets_picks"] = (
        bool(max(edges.values()) <= (n - 1) // 2),
        f"seeds (of {n}) picking an edge rate, by head and rate: "
        + ", ".join(f"{k}: {c}" for k, c in edges.items())
        + f"; bar: at most {(n - 1) // 2} each",
    )
    # the flatten head scores higher on its own training maps than on new maps at those columns
    out["flatten_train_above_seen"] = _margin(
        "train minus test accuracy at the training columns", flat["train"] - flat["seen"]
    )
    # and that train-test gap is larger than the GAP head's (same data, same seeds: paired)
    out["flatten_gap_wider_than_gap_head"] = _margin(
        "Flatten's train-minus-test gap minus GAP's",
        (flat["train"] - flat["seen"]) - (gap["train"] - gap["seen"]),
    )
    # two or more columns away the flatten head is near chance: below twice chance on every seed
    far = 100 * flat["far"]
    out["flatten_far_near_chance"] = (
        bool(far.max() < 200 * chance),
        f"{len(far)} seeds; columns {POS_FAR[0]}-{POS_FAR[-1]}: mean {far.mean():.1f} %, "
        f"min-max {far.min():.1f}-{far.max():.1f} %, chance {100 * chance:.1f} %, "
        f"bar: below twice chance, {200 * chance:.1f} %, on every seed",
    )
    out["gap_beats_flatten_far"] = _margin(
        f"GAP minus Flatten at columns {POS_FAR[0]}-{POS_FAR[-1]}", gap["far"] - flat["far"]
    )
    # GAP: no difference these seeds can resolve between unseen and seen columns (paired)
    d = 100 * (gap["far"] - gap["seen"])
    out["gap_far_same_as_seen"] = (
        bool(abs(d.mean()) <= d.std()),
        f"paired, {len(d)} seeds; GAP far minus seen columns: mean {d.mean():.2f} points, "
        f"std {d.std():.2f} (min-max {d.min():.1f} to {d.max():.1f}); |mean| <= std",
    )
    low = 100 * gap["col_acc"].min()
    out["gap_above_floor_every_column"] = (
        bool(low >= POS_GAP_FLOOR),
        f"{len(d)} seeds x {POS_SIDE} columns; lowest GAP accuracy {low:.1f} %, "
        f"bar {POS_GAP_FLOOR:.0f} %",
    )
    # the control: the same flatten head trained with objects in every column
    out["control_flatten_all_cols_far"] = _margin(
        "Flatten trained on every column minus Flatten trained on columns "
        f"{POS_TRAIN_COLS[0]}-{POS_TRAIN_COLS[-1]}, at columns {POS_FAR[0]}-{POS_FAR[-1]}",
        ctrl["far"] - flat["far"],
    )
    out["gap_big_above_chance"] = _margin(
        f"GAP on {POS_BIG_SIDE}x{POS_BIG_SIDE} maps minus chance",
        gap["big"] - chance,
        paired=False,
    )
    out["gap_big_below_seen"] = _margin(
        f"GAP at {POS_SIDE}x{POS_SIDE} training columns minus {POS_BIG_SIDE}x{POS_BIG_SIDE}",
        gap["seen"] - gap["big"],
    )
    # the dilution control: brighter beats dimmer on 11×11 maps, AND it brings accuracy back to
    # the 7×7 level: no seed falls below its 7×7 accuracy by more than that accuracy's seed std
    up_holds, up = _margin(
        f"contrast x{POS_BIG_CONTRAST:.2f} minus contrast 1 on {POS_BIG_SIDE}x{POS_BIG_SIDE}",
        gap["big_bright"] - gap["big"],
    )
    back = 100 * (gap["big_bright"] - gap["seen"])
    sd_seen = 100 * float(np.std(gap["seen"]))
    out["control_big_contrast_restores"] = (
        up_holds and bool(back.min() > -sd_seen),
        f"{up}. Brighter {POS_BIG_SIDE}x{POS_BIG_SIDE} minus {POS_SIDE}x{POS_SIDE} at the "
        f"training columns: min {back.min():.1f} points (mean {back.mean():.1f}, std "
        f"{back.std():.1f}, at or above 0 in {int(np.sum(back >= 0))} of {len(back)} seeds); "
        f"bar: min above minus the 7x7 seed std, -{sd_seen:.1f}",
    )
    return out
