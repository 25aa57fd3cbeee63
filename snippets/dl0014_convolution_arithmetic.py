"""DL0014 · Convolution Arithmetic: the page module of docs/cnn/dl0014-convolution-arithmetic.md.

This notebook computes what the page shows: output sizes from the formula next to the shapes
`conv2d` actually returns (padding as numbers, "same" with an even kernel, "valid", full, stride
and dilation); TensorFlow's "SAME" against PyTorch's integer padding; the transposed
convolution as a scatter, sized by its formula and equal to `conv2d_backward`'s input gradient;
the parameters and multiply-adds of one layer as a standard, grouped and depthwise-separable
convolution, and as an im2col matrix product; a 1×1 convolution as a dense layer applied at
every pixel; ResNet's bottleneck against two 3×3 convolutions; MobileNet-v1's totals counted
from its layer table (and its batch-norm parameters), next to the same network with standard
convolutions; and the experiment that fits the
best depthwise-separable convolution to random standard kernels, over seeds, to show what the
savings give up. The convolution and the counts are the reference code in `snippets/conv.py`
and `snippets/conv_cost.py`. Change a layer's sizes or the experiment's channel counts and
re-run the cells below it.
"""

# %%
from __future__ import annotations

import numpy as np

from snippets import evidence
from snippets.companion import show
from snippets.conv import conv2d, conv2d_backward
from snippets.conv_cost import (
    Cost,
    best_separable,
    conv2d_cost,
    output_size,
    separable_cost,
    separable_kernel,
)
from snippets.formatting import fmt, tex_sci
from snippets.memo import memo
from snippets.plotting import Theme, log_scale, new_figure
from snippets.seeds import seeds

# %% [markdown]
# ## Output sizes: the formula against conv2d's output
# Each case is (H, k, s, p, d) on a square input; the formula ⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1
# is written out here, `output_size` is the reference function and the last column is the
# shape `conv2d` returns for an input of that size.

# %%
SIZE_CASES = (  # (name, H, k, s, p, d)
    ("valid", 7, 3, 1, 0, 1),
    ("pad1", 7, 3, 1, 1, 1),
    ("stride2", 7, 3, 2, 1, 1),
    ("even", 8, 3, 2, 1, 1),
    ("dilated", 7, 3, 1, 0, 2),
    ("stem", 224, 7, 2, 3, 1),
    ("full", 7, 3, 1, 2, 1),  # Goodfellow et al.'s "full": p = k − 1, every partial overlap
)


def formula(H: int, k: int, s: int, p: int, d: int) -> int:
    """⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1, written out (the reference is `output_size`)."""
    return (H + 2 * p - d * (k - 1) - 1) // s + 1


@memo
def size_examples() -> dict[str, dict]:
    """Each case: the formula, `output_size` and the height of `conv2d`'s output."""
    out = {}
    for name, H, k, s, p, d in SIZE_CASES:
        Y = conv2d(np.zeros((1, 1, H, H)), np.zeros((1, 1, k, k)), stride=s, padding=p, dilation=d)
        out[name] = {
            "H": H, "k": k, "s": s, "p": p, "d": d,
            "formula": formula(H, k, s, p, d),
            "output_size": output_size(H, k, s, p, d)[0],
            "conv2d": Y.shape[2],
            "exact": (H + 2 * p - d * (k - 1) - 1) / s + 1,  # before the floor
        }  # fmt: skip
    return out


SAME_H, SAME_K = 6, 4  # an even kernel: the padding 'same' needs is odd


@memo
def same_padding_example() -> dict:
    """padding='same' with an even kernel (stride 1): conv2d's output against explicit
    asymmetric paddings, the extra cell after (bottom/right) and before (top/left)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1, 2, SAME_H, SAME_H))
    W = rng.normal(size=(3, 2, SAME_K, SAME_K))
    Y = conv2d(X, W, padding="same")
    total = SAME_K - 1
    lo, hi = total // 2, total - total // 2
    after = conv2d(np.pad(X, ((0, 0), (0, 0), (lo, hi), (lo, hi))), W)
    before = conv2d(np.pad(X, ((0, 0), (0, 0), (hi, lo), (hi, lo))), W)
    valid = conv2d(X, W, padding="valid")
    return {
        "shape": Y.shape[2:],
        "total": total,
        "lo": lo,
        "hi": hi,
        "diff_after": float(np.max(np.abs(Y - after))),
        "diff_before": float(np.max(np.abs(Y - before))),
        "valid_shape": valid.shape[2:],
        "valid_diff": float(np.max(np.abs(valid - conv2d(X, W)))),
    }


def tf_same_pads(H: int, k: int, s: int, d: int = 1) -> tuple[int, int]:
    """TensorFlow's "SAME": ⌈H/s⌉ outputs, the total padding that needs, the extra cell after."""
    total = max((-(-H // s) - 1) * s + d * (k - 1) + 1 - H, 0)
    return total // 2, total - total // 2


@memo
def tf_same_example() -> dict:
    """A 3×3 stride-2 layer on an even and on an odd input: TensorFlow's "SAME" pads against
    PyTorch's padding=1, on random input and weights."""
    rng = np.random.default_rng(2)
    W = rng.normal(size=(2, 1, 3, 3))
    out = {}
    for name, H in (("even", 8), ("odd", 7)):
        X = rng.normal(size=(1, 1, H, H))
        lo, hi = tf_same_pads(H, 3, 2)
        tf = conv2d(np.pad(X, ((0, 0), (0, 0), (lo, hi), (lo, hi))), W, stride=2)
        pt = conv2d(X, W, stride=2, padding=1)
        # both are the stride-1 "same" map sampled every other pixel: PyTorch from pixel 0,
        # TensorFlow (even input) from pixel 1
        full = conv2d(X, W, padding=1)
        out[name] = {
            "H": H,
            "pads": (lo, hi),
            "shape": tf.shape[2:],
            "diff_pt": float(np.max(np.abs(tf - pt))),
            "pt_from_0": float(np.max(np.abs(pt - full[:, :, ::2, ::2]))),
            "tf_from_1": float(np.max(np.abs(tf - full[:, :, 1::2, 1::2])))
            if H % 2 == 0
            else None,  # odd input: TensorFlow pads like PyTorch
        }
    return out


@memo
def tf_same_stride3_example() -> dict:
    """An even TensorFlow total that still differs from PyTorch: 3×3, stride 3, on a 9×9 input.
    TensorFlow pads nothing; PyTorch's padding=1 also gives 3 outputs but pads 1 and 1."""
    rng = np.random.default_rng(4)
    H, k, s = 9, 3, 3
    X, W = rng.normal(size=(1, 1, H, H)), rng.normal(size=(2, 1, k, k))
    lo, hi = tf_same_pads(H, k, s)
    tf = conv2d(np.pad(X, ((0, 0), (0, 0), (lo, hi), (lo, hi))), W, stride=s)
    pt = conv2d(X, W, stride=s, padding=1)
    return {
        "H": H,
        "k": k,
        "s": s,
        "pads": (lo, hi),
        "tf_out": tf.shape[2],
        "pt_out": pt.shape[2],
        "diff_pt": float(np.max(np.abs(tf - pt))) if tf.shape == pt.shape else float("inf"),
    }


def transposed_size(H_out: int, k: int, s: int, p: int, d: int = 1, output_padding: int = 0):
    """PyTorch's ConvTranspose2d: (H_out − 1)s − 2p + d(k − 1) + output_padding + 1."""
    return (H_out - 1) * s - 2 * p + d * (k - 1) + output_padding + 1


def conv_transpose2d(
    Y: np.ndarray, W: np.ndarray, s: int = 1, p: int = 0, d: int = 1, output_padding: int = 0
) -> np.ndarray:
    """PyTorch's conv_transpose2d (square, groups=1) as a scatter: every input value Y[n, o, a, b]
    adds Y·W[o, :, i, j] at row a·s + i·d, column b·s + j·d of an uncropped canvas; the padding
    p is then cropped from each side and output_padding rows/columns are kept at the bottom/right.
    W has the forward convolution's shape (C_out, C_in, k, k), so the result is (N, C_in, H, H)."""
    N, _, ho, wo = Y.shape
    C, k = W.shape[1], W.shape[2]
    H = transposed_size(ho, k, s, p, d, output_padding)
    Wd = transposed_size(wo, k, s, p, d, output_padding)
    canvas = np.zeros(
        (
            N,
            C,
            max(H + 2 * p, (ho - 1) * s + d * (k - 1) + 1),
            max(Wd + 2 * p, (wo - 1) * s + d * (k - 1) + 1),
        )
    )
    for i in range(k):
        for j in range(k):
            contrib = np.einsum("noab,oc->ncab", Y, W[:, :, i, j])
            canvas[
                :, :, i * d : i * d + (ho - 1) * s + 1 : s, j * d : j * d + (wo - 1) * s + 1 : s
            ] += contrib
    return canvas[:, :, p : p + H, p : p + Wd]


@memo
def transposed_examples() -> dict[str, dict]:
    """A transposed convolution is the input gradient of a convolution: for the stride-2 rows of
    the size table, `conv_transpose2d` of a random upstream gradient, sized by the formula with
    output_padding = (H + 2p − d(k − 1) − 1) mod s, against `conv2d_backward`'s dX."""
    out = {}
    rng = np.random.default_rng(3)
    for name in ("stride2", "even"):
        c = size_examples()[name]
        H, k, s, p, d = (c[key] for key in ("H", "k", "s", "p", "d"))
        X, W = rng.normal(size=(1, 2, H, H)), rng.normal(size=(3, 2, k, k))
        Y = conv2d(X, W, stride=s, padding=p, dilation=d)
        dY = rng.normal(size=Y.shape)
        dX, _, _ = conv2d_backward(dY, X, W, stride=s, padding=p, dilation=d)
        op = (H + 2 * p - d * (k - 1) - 1) % s
        T = conv_transpose2d(dY, W, s, p, d, op)
        out[name] = {
            "H_out": Y.shape[2],
            "output_padding": op,
            "formula": transposed_size(Y.shape[2], k, s, p, d, op),
            "formula_op0": transposed_size(Y.shape[2], k, s, p, d),
            "scatter": T.shape[2],
            "diff": float(np.max(np.abs(T - dX))) if T.shape == dX.shape else float("inf"),
        }
    return out


# %%
for name, case in size_examples().items():
    print(name, {k: case[k] for k in ("H", "k", "s", "p", "d", "formula", "conv2d")})
print("same, even kernel:", same_padding_example())
print("TensorFlow SAME, stride 2:", tf_same_example())
print("TensorFlow SAME, stride 3:", tf_same_stride3_example())
print("transposed:", transposed_examples())

# %% [markdown]
# ## What one layer costs
# A 3×3 layer from 64 to 128 channels on a 56×56 map (padding 1, so the output is 56×56 too):
# as a standard convolution, with 4 groups, and as a depthwise 3×3 then a pointwise 1×1.

# %%
LAYER = {"c_in": 64, "c_out": 128, "k": 3, "hw": 56, "groups": 4}


@memo
def layer_costs() -> dict:
    c_in, c_out, k, hw, g = (LAYER[key] for key in ("c_in", "c_out", "k", "hw", "groups"))
    out_hw = output_size(hw, k, 1, 1)
    return {
        "out_hw": out_hw[0],
        "standard": conv2d_cost(c_in, c_out, k, out_hw, bias=False),
        "standard_bias": conv2d_cost(c_in, c_out, k, out_hw, bias=True),
        "grouped": conv2d_cost(c_in, c_out, k, out_hw, groups=g, bias=False),
        "depthwise": conv2d_cost(c_in, c_in, k, out_hw, groups=c_in, bias=False),
        "pointwise": conv2d_cost(c_in, c_out, 1, out_hw, bias=False),
        "separable": separable_cost(c_in, c_out, k, out_hw, bias=False),
        "formula_ratio": 1 / c_out + 1 / k**2,
    }


@memo
def structure_checks() -> dict[str, float]:
    """Identities the page states, checked on random arrays: a 1×1 convolution is a dense layer
    at every pixel; a grouped convolution is a standard one with a block-diagonal kernel and
    also G separate convolutions; depthwise then pointwise is one convolution with kernel
    P[o, c]·D[c]."""
    rng = np.random.default_rng(1)
    N, C, O, H, G = 2, 8, 6, 5, 2
    X = rng.normal(size=(N, C, H, H))
    out = {}
    W1 = rng.normal(size=(O, C, 1, 1))
    dense = np.einsum("oc,nchw->nohw", W1[:, :, 0, 0], X)  # the same matrix at every pixel
    out["one_by_one"] = float(np.max(np.abs(conv2d(X, W1) - dense)))
    Wg = rng.normal(size=(O, C // G, 3, 3))
    full = np.zeros((O, C, 3, 3))  # block-diagonal: group g's outputs read only its inputs
    for g in range(G):
        full[g * O // G : (g + 1) * O // G, g * C // G : (g + 1) * C // G] = Wg[
            g * O // G : (g + 1) * O // G
        ]
    out["grouped_block"] = float(np.max(np.abs(conv2d(X, Wg, groups=G) - conv2d(X, full))))
    parts = [
        conv2d(X[:, g * C // G : (g + 1) * C // G], Wg[g * O // G : (g + 1) * O // G])
        for g in range(G)
    ]
    out["grouped_split"] = float(np.max(np.abs(conv2d(X, Wg, groups=G) - np.concatenate(parts, 1))))
    D, P = rng.normal(size=(C, 1, 3, 3)), rng.normal(size=(O, C, 1, 1))
    two = conv2d(conv2d(X, D, groups=C, padding=1), P)
    out["separable_one_kernel"] = float(
        np.max(np.abs(two - conv2d(X, separable_kernel(D, P), padding=1)))
    )
    W3 = rng.normal(size=(O, C, 3, 3))
    out["im2col"] = float(np.max(np.abs(im2col_conv(X, W3) - conv2d(X, W3, padding=1))))
    return out


def im2col(X: np.ndarray, k: int, p: int) -> np.ndarray:
    """Stride 1: the (N, C·k², H_out·W_out) patch matrix, one column per output position, the
    rows ordered (c, i, j) like W.reshape(C_out, -1)."""
    N, C, H, Wd = X.shape
    Xp = np.pad(X, ((0, 0), (0, 0), (p, p), (p, p)))
    oh, ow = H + 2 * p - k + 1, Wd + 2 * p - k + 1
    cols = [Xp[:, :, i : i + oh, j : j + ow] for i in range(k) for j in range(k)]
    return np.stack(cols, 2).reshape(N, C * k * k, oh * ow)


def im2col_conv(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """A stride-1 "same" convolution as one matrix product (C_out × C·k²)(C·k² × H_out·W_out)."""
    O, k = W.shape[0], W.shape[2]
    Y = W.reshape(O, -1) @ im2col(X, k, k // 2)
    return Y.reshape(X.shape[0], O, X.shape[2], X.shape[3])


# %%
costs = layer_costs()
for key in ("standard", "grouped", "depthwise", "pointwise", "separable"):
    print(f"{key:10s} params {costs[key].params:>9,}  MACs {costs[key].macs:>13,}")
print("separable / standard:", costs["separable"].macs / costs["standard"].macs)
print(structure_checks())

# %% [markdown]
# ## ResNet's bottleneck
# At 56×56 (ResNet's first stage): a bottleneck block 256 → 64 → 64 → 256 (1×1, 3×3, 1×1),
# the basic block of ResNet-34 (two 3×3 at 64 channels), and two 3×3 at 256 channels.


# %%
@memo
def bottleneck_costs() -> dict:
    hw = (56, 56)
    c = {
        "bottleneck": [(256, 64, 1), (64, 64, 3), (64, 256, 1)],
        "basic64": [(64, 64, 3), (64, 64, 3)],
        "basic256": [(256, 256, 3), (256, 256, 3)],
    }
    out = {}
    for name, layers in c.items():
        parts = [conv2d_cost(i, o, k, hw, bias=False) for i, o, k in layers]
        out[name] = {
            "params": sum(p.params for p in parts),
            "macs": sum(p.macs for p in parts),
            "layers": parts,
        }
    return out


print({k: (v["params"], v["macs"]) for k, v in bottleneck_costs().items()})

# %% [markdown]
# ## MobileNet-v1, counted from its layer table
# Howard et al. (2017), Table 1: a standard 3×3 stride-2 convolution to 32 channels, 13
# depthwise-separable blocks (3×3 depthwise, BN, ReLU, 1×1 pointwise, BN, ReLU), global
# average pooling and a 1024 → 1000 dense layer, at 224×224. Convolutions have no bias
# (batch norm follows each; its scales and shifts are not counted), and neither is the dense
# layer's: counted so, seven of the eight Table 2 shares come out as printed (the stem's
# multiply-add share is printed 1.19 % where the count gives 1.91 %).
# The "standard" network replaces each block by one 3×3 convolution with the block's stride.
# The table lists the last depthwise layer with stride 2, but its input and output are both
# 7×7: stride 1, as in the reference implementations.

# %%
MOBILENET_BLOCKS = (  # (C_in, C_out, stride of the depthwise 3×3)
    (32, 64, 1),
    (64, 128, 2),
    (128, 128, 1),
    (128, 256, 2),
    (256, 256, 1),
    (256, 512, 2),
    *((512, 512, 1),) * 5,
    (512, 1024, 2),
    (1024, 1024, 1),
)
KERAS_MOBILENET_PARAMS = 4_253_864  # keras.applications.MobileNet(): "Total params"

PAPER = {  # Howard et al. (2017), Tables 2 and 4, as printed
    "params_m": 4.2,
    "macs_m": 569,
    "conv_params_m": 29.3,
    "conv_macs_m": 4866,
    "acc": 70.6,
    "conv_acc": 71.7,
}
PAPER_SHARES = {  # Table 2: share of mult-adds and of parameters (%), as printed
    "pointwise": (94.86, 74.59),
    "depthwise": (3.06, 1.06),
    "stem": (1.19, 0.02),
    "fc": (0.18, 24.33),
}


@memo
def mobilenet() -> dict:
    """Per-layer costs of MobileNet-v1 and of the same network with standard convolutions."""
    hw = output_size(224, 3, 2, 1)
    stem = conv2d_cost(3, 32, 3, hw, bias=False)
    blocks = []
    for c_in, c_out, s in MOBILENET_BLOCKS:
        out = output_size(hw, 3, s, 1)
        blocks.append(
            {
                "c_in": c_in,
                "c_out": c_out,
                "stride": s,
                "in_hw": hw[0],
                "out_hw": out[0],
                "depthwise": conv2d_cost(c_in, c_in, 3, out, groups=c_in, bias=False),
                "pointwise": conv2d_cost(c_in, c_out, 1, out, bias=False),
                "standard": conv2d_cost(c_in, c_out, 3, out, bias=False),
            }
        )
        hw = out
    fc = conv2d_cost(1024, 1000, 1, 1, bias=False)  # a dense layer: a 1×1 conv on a 1×1 map
    sep = {
        "stem": stem,
        "depthwise": _sum(b["depthwise"] for b in blocks),
        "pointwise": _sum(b["pointwise"] for b in blocks),
        "fc": fc,
    }
    std = {"stem": stem, "blocks": _sum(b["standard"] for b in blocks), "fc": fc}
    return {
        "blocks": blocks,
        "final_hw": hw[0],
        "separable": sep,
        "standard": std,
        "sep_total": _sum(sep.values()),
        "std_total": _sum(std.values()),
    }


def mobilenet_shares() -> dict[str, tuple[float, float]]:
    """Share (%) of MobileNet-v1's multiply-adds and parameters in each kind of layer."""
    m = mobilenet()
    total, sep = m["sep_total"], m["separable"]
    return {
        key: (100 * sep[key].macs / total.macs, 100 * sep[key].params / total.params)
        for key in PAPER_SHARES
    }


def mobilenet_bn_params() -> int:
    """Batch norm's learnable parameters (a scale γ and a shift β per channel) after every
    convolution of MobileNet-v1: the stem's 32 channels, each block's depthwise C_in and
    pointwise C_out. (Its running mean and variance are buffers, not parameters.)"""
    blocks = mobilenet()["blocks"]
    return 2 * (32 + sum(b["c_in"] + b["c_out"] for b in blocks))


def _sum(costs) -> Cost:
    costs = list(costs)
    return Cost(sum(c.params for c in costs), sum(c.macs for c in costs))


# %%
m = mobilenet()
print("MobileNet-v1 (params, MACs):", m["sep_total"], " standard-conv version:", m["std_total"])

# %% [markdown]
# ## The experiment: what a separable convolution cannot represent
# For each seed, random standard kernels W (C_out, 8, 3, 3) with Gaussian entries, for several
# C_out; `best_separable` gives the closest depthwise + pointwise pair (per input channel, the
# leading singular pair of the C_out × 9 matrix W[:, c]) and we record the relative error
# ‖W − W_sep‖ / ‖W‖. Controls: kernels that are separable by construction (the error must be
# round-off), an independent least-squares fit (alternating least squares from a random start,
# which must not beat the SVD), and the error measured on the outputs of white-noise images
# (which must match the kernel-space error, so the kernel norm is the right yardstick).

# %%
FIT_SEEDS = 8
FIT_C_IN, FIT_K = 8, 3
FIT_C_OUTS = (1, 2, 4, 8, 16, 32, 64)
FIT_C_OUT_LARGE = 1024  # how slowly the error approaches √(8/9)
ALS_C_OUT, ALS_STEPS = 16, 500
IMG_N, IMG_HW = 2, 24


def rel_error(W: np.ndarray, W_fit: np.ndarray) -> float:
    return float(np.linalg.norm(W - W_fit) / np.linalg.norm(W))


def wishart_error(c_out: int, k: int = FIT_K) -> float:
    """The error a Gaussian C_out × k² matrix leaves for large C_out: its top squared singular
    value is about (√C_out + k)², a fraction (1 + k/√C_out)²/k² of the total C_out·k²."""
    return float(np.sqrt(1 - (1 + k / np.sqrt(c_out)) ** 2 / k**2))


def rank_bound(c_out: int, k: int = FIT_K) -> float:
    """The largest error any kernel can leave: σ₁² ≥ Σσ²/r with r ≤ min(C_out, k²) per channel,
    so ‖W − W_sep‖² / ‖W‖² ≤ 1 − 1/min(C_out, k²)."""
    return float(np.sqrt(1 - 1 / min(c_out, k * k)))


def als_fit(W: np.ndarray, rng: np.random.Generator, steps: int = ALS_STEPS) -> np.ndarray:
    """Alternating least squares for the separable pair, from a random start: with D fixed the
    best P is a linear least-squares solution, then with P fixed the best D; no SVD."""
    O, C, kh, kw = W.shape
    M = W.transpose(1, 0, 2, 3).reshape(C, O, kh * kw)
    d = rng.normal(size=(C, kh * kw))
    for _ in range(steps):
        p = np.einsum("cok,ck->co", M, d) / np.sum(d * d, axis=1, keepdims=True)
        d = np.einsum("cok,co->ck", M, p) / np.sum(p * p, axis=1, keepdims=True)
    return separable_kernel(d.reshape(C, 1, kh, kw), p.T[:, :, None, None])


def _fit_seed(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    # nested draws: the kernel for C_out output channels is the first C_out of one large kernel
    W_all = rng.normal(size=(FIT_C_OUT_LARGE, FIT_C_IN, FIT_K, FIT_K))
    D = rng.normal(size=(FIT_C_IN, 1, FIT_K, FIT_K))
    P_all = rng.normal(size=(max(FIT_C_OUTS), FIT_C_IN, 1, 1))
    out = {"err": [], "control": []}
    out["large"] = rel_error(W_all, separable_kernel(*best_separable(W_all)))
    for c_out in FIT_C_OUTS:
        W = W_all[:c_out]
        out["err"].append(rel_error(W, separable_kernel(*best_separable(W))))
        Ws = separable_kernel(D, P_all[:c_out])
        out["control"].append(rel_error(Ws, separable_kernel(*best_separable(Ws))))
        if c_out == ALS_C_OUT:
            D, P = best_separable(W)
            out["svd"] = out["err"][-1]
            out["als"] = rel_error(W, als_fit(W, rng))
            X = rng.normal(size=(IMG_N, FIT_C_IN, IMG_HW, IMG_HW))
            Y = conv2d(X, W)
            Y_sep = conv2d(conv2d(X, D, groups=FIT_C_IN), P)  # depthwise, then pointwise
            out["output_err"] = float(np.linalg.norm(Y - Y_sep) / np.linalg.norm(Y))
    return out


@memo
def fit_runs(seed_set: int = 0) -> dict[str, np.ndarray]:
    """Per seed: the best separable fit's relative error for each C_out in FIT_C_OUTS, the
    control's, the error at FIT_C_OUT_LARGE, and at C_out = ALS_C_OUT the SVD, ALS and
    white-noise output errors."""
    runs = [_fit_seed(s) for s in seeds(FIT_SEEDS, seed_set)]
    return {key: np.array([r[key] for r in runs]) for key in runs[0]}


# %%
fit = fit_runs()
for c_out, col in zip(FIT_C_OUTS, fit["err"].T):
    mean, std, bound = col.mean(), col.std(ddof=1), rank_bound(c_out)
    print(f"C_out {c_out:3d}: error {mean:.3f} ± {std:.3f}, bound {bound:.3f}")
print("control (separable kernels), largest error:", fit["control"].max())
print("SVD vs ALS at C_out 16:", fit["svd"], fit["als"])
print("output-space error / kernel error:", fit["output_err"] / fit["svd"])


# %% [markdown]
# ## Claims
# What the page concludes from the experiment, and the MobileNet count against the paper.


# %%
def claims(seed_set: int = 0) -> dict[str, tuple[bool, str]]:
    r = fit_runs(seed_set)
    err, n = r["err"], FIT_SEEDS
    out = {}
    i1 = FIT_C_OUTS.index(1)
    exact_control = float(r["control"].max())
    big = [i for i, c in enumerate(FIT_C_OUTS) if c > 1]
    out["random_kernels_are_not_separable"] = (
        bool(err[:, big].min() > 0.3 and exact_control < 1e-12 and err[:, i1].max() < 1e-12),
        f"{n} seeds, C_in = {FIT_C_IN}, 3×3: the smallest relative error of the best separable "
        f"fit over every seed and every C_out ≥ 2 is {fmt(err[:, big].min(), 3)} (bar 0.3); "
        f"controls: with C_out = 1 the largest error is {err[:, i1].max():.1e}, and on kernels "
        f"separable by construction {exact_control:.1e} (bar 1e-12)",
    )
    steps = [
        evidence.beats(err[:, i + 1], err[:, i], f"C_out {b} vs {a}", digits=3)
        for i, (a, b) in enumerate(zip(FIT_C_OUTS, FIT_C_OUTS[1:]))
    ]
    out["fit_error_grows_with_channels"] = evidence.all_of(*steps)
    bounds = np.array([rank_bound(c) for c in FIT_C_OUTS])
    slack = bounds - err
    out["fit_error_below_rank_bound"] = (
        bool(slack.min() >= -1e-12),
        f"a consistency check (a theorem, so only a bug can break it): {n} seeds × "
        f"{len(FIT_C_OUTS)} values of C_out, bound minus error: smallest for C_out ≥ 2 "
        f"{fmt(slack[:, big].min(), 3)}; at C_out = 1, where the bound is 0, the error is "
        f"round-off ({err[:, i1].max():.1e}) (bar: bound minus error ≥ −1e-12)",
    )
    gap = (r["als"] - r["svd"]) / r["svd"]
    out["als_does_not_beat_svd"] = (
        bool(gap.min() > -1e-9 and np.abs(gap).max() < 1e-6),
        f"a consistency check of the SVD code (Eckart–Young makes the SVD optimal): C_out = "
        f"{ALS_C_OUT}, {n} seeds, {ALS_STEPS} alternating steps from a random start; "
        f"|ALS − SVD|/SVD at most {np.abs(gap).max():.1e}, round-off (bars: ALS not below SVD "
        "by more than 1e-9, within 1e-6)",
    )
    ratio = r["output_err"] / r["svd"]
    out["output_error_matches_kernel_error"] = (
        bool(np.abs(ratio - 1).max() < 0.1),
        f"C_out = {ALS_C_OUT}, {n} seeds, {IMG_N} white-noise images of {IMG_HW}×{IMG_HW}: "
        f"output error / kernel error between {fmt(ratio.min(), 3)} and {fmt(ratio.max(), 3)} "
        "(bar: within 10 % of 1)",
    )
    mb = mobilenet()
    (p, q), (P, Q) = mb["sep_total"], mb["std_total"]
    ok = (
        round(p / 1e6, 1) == PAPER["params_m"]
        and round(q / 1e6) == PAPER["macs_m"]
        and round(P / 1e6, 1) == PAPER["conv_params_m"]
        and abs(Q / 1e6 - PAPER["conv_macs_m"]) < 2
    )
    shares = mobilenet_shares()
    off = [
        f"{part} {what} {fmt(shares[part][i], 2)} % (printed {PAPER_SHARES[part][i]})"
        for part in PAPER_SHARES
        for i, what in enumerate(("mult-adds", "parameters"))
        if round(shares[part][i], 2) != PAPER_SHARES[part][i]
    ]
    out["mobilenet_count_matches_paper"] = (
        bool(ok and off == ["stem mult-adds 1.91 % (printed 1.19)"]),
        f"counted: {p:,} parameters and {q:,} multiply-adds (paper: {PAPER['params_m']} M, "
        f"{PAPER['macs_m']} M); standard-conv version {P:,} and {Q:,} (paper: "
        f"{PAPER['conv_params_m']} M, {PAPER['conv_macs_m']} M; bar: within 2 M multiply-adds); "
        f"Table 2's eight shares equal the count's to 2 decimals except: {'; '.join(off)}",
    )
    return out


# %%
for name, (holds, _evidence) in claims(0).items():
    print(f"{'holds' if holds else 'FAILS'}  {name}")

# %% [markdown]
# ## Figures
# The separable/standard cost ratio against the number of output channels for three kernel
# sizes; MobileNet's blocks, standard against separable; the separable fit's error against
# the number of output channels.

# %%
RATIO_C_OUTS = tuple(2**i for i in range(0, 11))
RATIO_KS = (3, 5, 7)


def cost_ratio(c_out: int, k: int, c_in: int = 64, hw: int = 14) -> float:
    """Separable over standard multiply-adds (bias-free) for one layer."""
    sep = separable_cost(c_in, c_out, k, hw, bias=False)
    return sep.macs / conv2d_cost(c_in, c_out, k, hw, bias=False).macs


def _draw_cost_ratio(theme: Theme):
    fig, ax = new_figure(theme, width=7.0, height=4.2)
    for i, k in enumerate(RATIO_KS):
        colour = theme.palette[i]
        ax.plot(RATIO_C_OUTS, [cost_ratio(c, k) for c in RATIO_C_OUTS], "o-", color=colour,
                markersize=4, label=f"{k}×{k}")  # fmt: skip
        ax.axhline(1 / k**2, color=colour, linestyle=":", linewidth=1.5)
    mb = mobilenet()["blocks"]
    ax.plot(
        [b["c_out"] for b in mb],
        [(b["depthwise"].macs + b["pointwise"].macs) / b["standard"].macs for b in mb],
        "D",
        color=theme.fg,
        markerfacecolor="none",
        markersize=8,
        label="MobileNet-v1 blocks (3×3)",
    )
    log_scale(ax, "x", "y")
    ax.set_xlabel("output channels C_out")
    ax.set_ylabel("separable / standard multiply-adds")
    ax.set_title("cost ratio 1/C_out + 1/k² (dotted: the limit 1/k²)")
    ax.legend(loc="upper right")
    return fig


def _draw_mobilenet(theme: Theme):
    mb = mobilenet()["blocks"]
    fig, ax = new_figure(theme, width=8.0, height=4.2)
    x = np.arange(len(mb))
    std = [b["standard"].macs / 1e6 for b in mb]
    sep = [(b["depthwise"].macs + b["pointwise"].macs) / 1e6 for b in mb]
    ax.vlines(x, sep, std, color=theme.muted, linewidth=1.5)  # the gap: the saving, on a log axis
    ax.plot(x, std, "s", color=theme.palette[1], markersize=7, label="standard 3×3")
    ax.plot(x, sep, "o", color=theme.palette[0], markersize=7,
            label="depthwise 3×3 + pointwise 1×1")  # fmt: skip
    log_scale(ax, "y")
    ax.set_xticks(x, [f"{b['c_out']}\n{b['out_hw']}²" for b in mb], fontsize=9)
    ax.set_xlabel("block: output channels and output size")
    ax.set_ylabel("multiply-adds (millions)")
    ax.set_title("MobileNet-v1's 13 blocks at 224×224")
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper center", ncols=2)
    ax.set_ylim(top=max(std) * 6)
    return fig


def _draw_fit(theme: Theme):
    r = fit_runs()
    fig, ax = new_figure(theme, width=7.0, height=4.0)
    c = np.array(FIT_C_OUTS)
    label = f"random kernels (mean ± std, {FIT_SEEDS} seeds)"
    ax.errorbar(c, r["err"].mean(0), yerr=r["err"].std(0, ddof=1), fmt="o-", capsize=3,
                color=theme.palette[0], label=label)  # fmt: skip
    fine = np.unique(np.round(np.geomspace(1, c.max(), 200)).astype(int))
    ax.step(fine, [rank_bound(v) for v in fine], where="post", color=theme.palette[1],
            linestyle="--", label="bound √(1 − 1/min(C_out, 9))")  # fmt: skip
    ax.plot(c, r["control"].max(0), "s:", color=theme.palette[2], markersize=5,
            label="separable kernels (control)")  # fmt: skip
    log_scale(ax, "x")
    ax.set_xticks(c, [str(v) for v in c])
    ax.minorticks_off()
    ax.set_xlabel("output channels C_out (C_in = 8, 3×3)")
    ax.set_ylabel("relative error ‖W − W_sep‖ / ‖W‖")
    ax.set_title("best depthwise-separable fit to a standard kernel")
    ax.set_ylim(-0.03, 1.08)
    ax.legend(loc="lower right")
    return fig


# %%
show(_draw_cost_ratio)

# %%
show(_draw_mobilenet)

# %%
show(_draw_fit)


# %% [markdown]
# ## What the build reads
# `figures()`, `values()` (every number the page quotes, formatted as it shows them) and
# `claims()` above.


# %%
def figures():
    """Figure name → function drawing it for a theme."""
    return {
        "cost-ratio": _draw_cost_ratio,
        "mobilenet-blocks": _draw_mobilenet,
        "separable-fit": _draw_fit,
    }


def _int(n: int) -> str:
    """An int with thousands separators as text: 73,728."""
    return f"{int(n):,}"


def _tex_int(n: int) -> str:
    """An int with thousands separators that TeX does not space like a list: 73{,}728."""
    return f"{int(n):,}".replace(",", "{,}")


def _small(x: float) -> str:
    """A round-off difference as LaTeX; exactly 0 stays 0."""
    return "0" if x == 0 else tex_sci(x)


def values() -> dict[str, object]:
    """Every number the page quotes, formatted as the page shows it."""
    v: dict[str, object] = {}
    for name, c in size_examples().items():
        for key in ("H", "k", "s", "p", "d", "formula", "output_size", "conv2d"):
            v[f"size_{name}_{key}"] = c[key]
        v[f"size_{name}_exact"] = fmt(c["exact"], 2)
    e = same_padding_example()
    v["same_H"], v["same_k"] = SAME_H, SAME_K
    v["same_out"] = e["shape"][0]
    v["same_total"], v["same_lo"], v["same_hi"] = e["total"], e["lo"], e["hi"]
    v["same_diff_after"] = _small(e["diff_after"])
    v["same_diff_before"] = fmt(e["diff_before"], 2)
    v["valid_diff"] = _small(e["valid_diff"])
    for name, t in tf_same_example().items():
        v[f"tf_{name}_H"] = t["H"]
        v[f"tf_{name}_lo"], v[f"tf_{name}_hi"] = t["pads"]
        v[f"tf_{name}_diff_pt"] = (
            fmt(t["diff_pt"], 2) if t["diff_pt"] > 1e-9 else _small(t["diff_pt"])
        )
        v[f"tf_{name}_pt_from_0"] = _small(t["pt_from_0"])
        if t["tf_from_1"] is not None:
            v[f"tf_{name}_tf_from_1"] = _small(t["tf_from_1"])
    for name, t in transposed_examples().items():
        for key, val in t.items():
            v[f"tr_{name}_{key}"] = _small(val) if key == "diff" else val
    t3 = tf_same_stride3_example()
    for key in ("H", "k", "s", "tf_out", "pt_out"):
        v[f"tf_s3_{key}"] = t3[key]
    v["tf_s3_lo"], v["tf_s3_hi"] = t3["pads"]
    v["tf_s3_diff_pt"] = fmt(t3["diff_pt"], 2)

    c = layer_costs()
    for key in ("c_in", "c_out", "k", "hw", "groups"):
        v[f"layer_{key}"] = LAYER[key]
    for key in ("standard", "standard_bias", "grouped", "depthwise", "pointwise", "separable"):
        v[f"layer_{key}_params"] = _int(c[key].params)
        v[f"layer_{key}_macs"] = _int(c[key].macs)
        v[f"layer_{key}_macs_m"] = fmt(c[key].macs / 1e6, 1)
    v["layer_standard_params_tex"] = _tex_int(c["standard"].params)
    v["layer_standard_macs_tex"] = _tex_int(c["standard"].macs)
    ratio = c["separable"].macs / c["standard"].macs
    v["layer_sep_ratio"] = fmt(ratio, 4)
    v["layer_sep_formula"] = fmt(c["formula_ratio"], 4)
    v["layer_sep_factor"] = fmt(1 / ratio, 1)
    v["layer_sep_param_factor"] = fmt(c["standard"].params / c["separable"].params, 1)
    v["layer_grouped_factor"] = fmt(c["standard"].macs / c["grouped"].macs, 0)
    v["layer_pw_share"] = fmt(100 * c["pointwise"].macs / c["separable"].macs, 0)
    v["layer_bn_params"] = 2 * LAYER["c_out"]
    v["gemm_rows"] = LAYER["c_out"]
    v["gemm_inner"] = LAYER["c_in"] * LAYER["k"] ** 2
    v["gemm_cols"] = _int(c["out_hw"] ** 2)

    for key, d in structure_checks().items():
        v[f"check_{key}"] = _small(d)

    b = bottleneck_costs()
    for key in ("bottleneck", "basic64", "basic256"):
        v[f"block_{key}_params"] = _int(b[key]["params"])
        v[f"block_{key}_macs_m"] = fmt(b[key]["macs"] / 1e6, 0)
    v["block_saving"] = fmt(b["basic256"]["macs"] / b["bottleneck"]["macs"], 1)

    mb = mobilenet()
    (p, q), (P, Q) = mb["sep_total"], mb["std_total"]
    v["mb_params"], v["mb_macs"] = _int(p), _int(q)
    v["mb_params_m"], v["mb_macs_m"] = fmt(p / 1e6, 2), fmt(q / 1e6, 1)
    v["mb_std_params"], v["mb_std_macs"] = _int(P), _int(Q)
    v["mb_std_params_m"], v["mb_std_macs_m"] = fmt(P / 1e6, 2), fmt(Q / 1e6, 1)
    v["mb_macs_factor"], v["mb_params_factor"] = fmt(Q / q, 1), fmt(P / p, 1)
    sep, shares = mb["separable"], mobilenet_shares()
    for key in PAPER_SHARES:
        v[f"mb_{key}_macs_pct"] = fmt(shares[key][0], 2)
        v[f"mb_{key}_params_pct"] = fmt(shares[key][1], 2)
        v[f"mb_{key}_params"] = _int(sep[key][0])
        v[f"mb_{key}_macs"] = _int(sep[key][1])
        v[f"paper_{key}_macs_pct"] = fmt(PAPER_SHARES[key][0], 2)
        v[f"paper_{key}_params_pct"] = fmt(PAPER_SHARES[key][1], 2)
    v["paper_macs_pct_sum"] = fmt(sum(m for m, _ in PAPER_SHARES.values()), 2)
    swapped = dict(PAPER_SHARES, stem=(1.91, PAPER_SHARES["stem"][1]))
    v["paper_macs_pct_sum_swapped"] = fmt(sum(m for m, _ in swapped.values()), 2)
    v["mb_fc_bias_pct"] = fmt(100 * 1000 / (p + 1000), 2)
    v["mb_std_macs_gap_m"] = fmt(Q / 1e6 - PAPER["conv_macs_m"], 2)
    bn = mobilenet_bn_params()
    v["mb_bn_params"], v["mb_bn_pct"] = _int(bn), fmt(100 * bn / p, 2)
    # Keras' MobileNet summary also counts the running mean and variance and the dense biases
    v["mb_keras_total"] = _int(KERAS_MOBILENET_PARAMS)
    v["mb_bn_channels"] = _int(bn // 2)
    v["mb_final_hw"] = mb["final_hw"]
    v["mb_blocks"] = len(mb["blocks"])
    for key, val in PAPER.items():
        v[f"paper_{key}"] = val
    v["paper_acc_drop"] = fmt(PAPER["conv_acc"] - PAPER["acc"], 1)
    v["paper_macs_factor"] = fmt(PAPER["conv_macs_m"] / PAPER["macs_m"], 1)

    r = fit_runs()
    v["fit_seeds"], v["fit_c_in"], v["fit_k"] = FIT_SEEDS, FIT_C_IN, FIT_K
    v["fit_c_outs"] = ", ".join(str(c) for c in FIT_C_OUTS)
    for c_out, col in zip(FIT_C_OUTS, r["err"].T):
        v[f"fit_err_{c_out}"] = evidence.spread(col, digits=3)
        v[f"fit_bound_{c_out}"] = fmt(rank_bound(c_out), 3)
    v["fit_control_max"] = tex_sci(float(r["control"].max()))
    v["fit_limit"] = fmt(np.sqrt(1 - 1 / FIT_K**2), 3)
    v["fit_c_out_large"] = FIT_C_OUT_LARGE
    v["fit_err_large"] = evidence.spread(r["large"], digits=3)
    for c_out in (max(FIT_C_OUTS), FIT_C_OUT_LARGE):
        v[f"wishart_{c_out}"] = fmt(wishart_error(c_out), 3)
    v["als_c_out"], v["als_steps"] = ALS_C_OUT, ALS_STEPS
    v["img_n"], v["img_hw"] = IMG_N, IMG_HW
    ratio = r["output_err"] / r["svd"]
    v["output_ratio_lo"], v["output_ratio_hi"] = fmt(ratio.min(), 3), fmt(ratio.max(), 3)
    v["output_err"] = evidence.spread(r["output_err"], digits=3)
    big = [i for i, c in enumerate(FIT_C_OUTS) if c > 1]
    v["fit_err_min"] = fmt(r["err"][:, big].min(), 3)
    i16 = FIT_C_OUTS.index(16)
    v["fit_energy_16"] = fmt(100 * np.mean(r["err"][:, i16] ** 2), 0)
    v["fit_kept_16"] = fmt(np.mean(np.sqrt(1 - r["err"][:, i16] ** 2)), 2)
    v["fit_err_lo"] = fmt(r["err"][:, big[0]].mean(), 2)
    v["fit_err_hi"] = fmt(r["err"][:, -1].mean(), 2)
    v["sobel_err"] = fmt(sobel_fit(), 3)
    for k in RATIO_KS:
        v[f"ratio_floor_{k}"] = fmt(1 / k**2, 3)
        v[f"ratio_floor_{k}_factor"] = k**2
        v[f"ratio_one_{k}"] = fmt(cost_ratio(1, k), 2)
    blocks = mb["blocks"]
    std_m = [b["standard"].macs / 1e6 for b in blocks]
    sep_m = [(b["depthwise"].macs + b["pointwise"].macs) / 1e6 for b in blocks]
    factors = [a / b for a, b in zip(std_m, sep_m)]
    v["mb_block_std_lo"], v["mb_block_std_hi"] = fmt(min(std_m), 0), fmt(max(std_m), 0)
    v["mb_block_sep_lo"], v["mb_block_sep_hi"] = fmt(min(sep_m), 0), fmt(max(sep_m), 0)
    v["mb_block_factor_lo"], v["mb_block_factor_hi"] = fmt(min(factors), 1), fmt(max(factors), 1)
    v["mb_stride2_blocks"] = sum(b["stride"] == 2 for b in blocks)
    v["mb_c_out_lo"] = min(b["c_out"] for b in blocks)
    v["mb_c_out_hi"] = max(b["c_out"] for b in blocks)
    hw, ci, co = LAYER["hw"], LAYER["c_in"], LAYER["c_out"]
    v["dense_equiv"] = tex_sci((hw * hw * ci) * (hw * hw * co), 1)
    return v


def sobel_fit() -> float:
    """Relative error of the best separable fit to one input channel feeding two output
    channels, the horizontal and the vertical Sobel filters: equal singular values, so the
    best rank-1 fit keeps half the energy and leaves 1/√2."""
    sx = np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    W = np.stack([sx, sx.T])[:, None]  # (2, 1, 3, 3)
    return rel_error(W, separable_kernel(*best_separable(W)))
