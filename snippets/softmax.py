"""Softmax, log-softmax and the cross-entropy loss on logits, with its gradient.

PyTorch's semantics: `softmax(Z, axis)` is `torch.softmax(Z, dim)`, `log_softmax` is
`torch.log_softmax`, and `cross_entropy(Z, y, label_smoothing)` is `F.cross_entropy` with
class-index targets and the default mean over the batch. Every function subtracts the largest
logit first (the log-sum-exp trick), so logits of ±1000 give exact results, not inf or NaN.
"""

from __future__ import annotations

import numpy as np

from snippets import checks


def _axis(axis, ndim: int) -> int:
    return checks.integer("axis", axis, minimum=-ndim, maximum=ndim - 1) % ndim


def _logits(Z) -> np.ndarray:
    Z = checks.float_array("Z", Z)
    if Z.ndim == 0:
        raise ValueError("Z: expected an array of at least 1 dimension, got a scalar")
    return Z


def softmax(Z, axis=-1) -> np.ndarray:
    """exp(z_i) / Σ_j exp(z_j) along `axis`; float dtypes are kept (float32 stays float32).

    Notes
    -----
    :math:`\\mathrm{softmax}(z)_i = e^{z_i - m} / \\sum_j e^{z_j - m}` with :math:`m = \\max_j z_j`:
    the shift cancels, and every exponent is at most 0, so nothing overflows.
    """
    Z = _logits(Z)
    axis = _axis(axis, Z.ndim)
    # --8<-- [start:softmax]
    shifted = Z - Z.max(axis=axis, keepdims=True)  # largest logit becomes 0: no overflow
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)
    # --8<-- [end:softmax]


def log_softmax(Z, axis=-1) -> np.ndarray:
    """log softmax(Z) along `axis`, computed without forming softmax (no log of 0).

    Notes
    -----
    :math:`\\log \\mathrm{softmax}(z)_i = z_i - m - \\log \\sum_j e^{z_j - m}`, the log-sum-exp
    trick: the sum is at least 1 (the largest term is :math:`e^0`), so its log is finite.
    """
    Z = _logits(Z)
    axis = _axis(axis, Z.ndim)
    # --8<-- [start:log_softmax]
    shifted = Z - Z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    # --8<-- [end:log_softmax]


def _inputs(Z, y, label_smoothing) -> tuple[np.ndarray, np.ndarray, float]:
    Z = checks.float_array("Z", Z)
    if Z.ndim != 2:
        raise ValueError(f"Z: expected logits of shape (N, C), got shape {Z.shape}")
    if Z.shape[1] == 0:
        raise ValueError(f"Z: expected at least one class, got shape {Z.shape}")
    if isinstance(y, (str, bytes)) or y is None:
        raise TypeError(f"y: expected an integer array of class indices, got {checks.describe(y)}")
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise TypeError(f"y: expected integer class indices, got dtype {y.dtype}")
    if y.shape != (Z.shape[0],):
        raise ValueError(
            f"y: expected shape ({Z.shape[0]},), one class per row of Z, got {y.shape}"
        )
    C = Z.shape[1]
    if y.size and (y.min() < 0 or y.max() >= C):
        bad = y[(y < 0) | (y >= C)][0]
        raise ValueError(f"y: expected class indices in 0..{C - 1}, got {bad}")
    eps = checks.probability("label_smoothing", label_smoothing)
    return Z, y.astype(np.intp), eps


def cross_entropy(Z, y, label_smoothing=0.0) -> float:
    """Mean over the batch of −Σ_c q_c log softmax(z)_c, where the target q puts 1 − ε on the
    true class and spreads ε evenly over all C classes (ε = `label_smoothing`).

    `Z` of shape (N, C) holds logits; `y` of shape (N,) integer classes. An empty batch gives
    NaN, as PyTorch's mean over no samples does.

    Notes
    -----
    :math:`L = \\frac1N \\sum_n \\big[(1-\\varepsilon)\\,(-\\log p_{n,y_n}) +
    \\frac{\\varepsilon}{C} \\sum_c (-\\log p_{n,c})\\big]`, :math:`p_n = \\mathrm{softmax}(z_n)`.
    """
    Z, y, eps = _inputs(Z, y, label_smoothing)
    if Z.shape[0] == 0:
        return float("nan")
    # --8<-- [start:cross_entropy]
    logp = log_softmax(Z, axis=1)
    nll = -logp[np.arange(len(y)), y]  # −log p of the true class, per sample
    smooth = -logp.mean(axis=1)  # −log p averaged over the C classes
    return float(np.mean((1.0 - eps) * nll + eps * smooth))
    # --8<-- [end:cross_entropy]


def cross_entropy_backward(Z, y, label_smoothing=0.0) -> np.ndarray:
    """∂L/∂Z of `cross_entropy`: (softmax(Z) − q) / N, of the shape and float dtype of `Z`.

    Notes
    -----
    For one sample, :math:`\\partial(-\\sum_c q_c \\log p_c)/\\partial z_k = p_k - q_k`, because
    :math:`\\partial \\log p_c / \\partial z_k = [c = k] - p_k` and :math:`\\sum_c q_c = 1`.
    """
    Z, y, eps = _inputs(Z, y, label_smoothing)
    N, C = Z.shape
    # --8<-- [start:cross_entropy_backward]
    q = np.full(Z.shape, eps / C, dtype=Z.dtype)  # the smoothed target
    q[np.arange(N), y] += 1.0 - eps
    return (softmax(Z, axis=1) - q) / max(N, 1)
    # --8<-- [end:cross_entropy_backward]
