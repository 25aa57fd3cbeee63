"""Softmax, log-softmax and the cross-entropy loss on logits, with its gradient.

PyTorch's semantics: `softmax(Z, axis)` is `torch.softmax(Z, dim)`, `log_softmax` is
`torch.log_softmax`, and `cross_entropy(Z, y, label_smoothing, ignore_index=-100)` is
`F.cross_entropy` with class-index targets and the default mean over the batch (targets equal
to `ignore_index` count neither in the sum nor in the mean). Every function subtracts the
largest logit first (the log-sum-exp trick), so logits of ±1000 give exact results, not inf or
NaN; `softmax_naive` is the textbook formula without the shift, kept to show it overflowing.

Deliberate differences from PyTorch:

- Logits must be finite and of a floating dtype (float16/32/64 are kept): NaN, +inf and also
  −inf raise `ValueError`, so −inf masking (PyTorch: softmax([0, −inf]) = [1, 0]) is refused
  here; integer or boolean logits raise `TypeError`, as PyTorch refuses Long input.
- `cross_entropy` returns a Python float; it takes class indices only (no probability targets,
  no `weight`, no `reduction`) and logits of shape (N, C) only (no (N, C, d1, ...)).
"""

from __future__ import annotations

import numpy as np

from snippets import checks


def _logits(Z) -> np.ndarray:
    if isinstance(Z, (str, bytes)) or Z is None:
        raise TypeError(f"Z: expected a floating array of logits, got {checks.describe(Z)}")
    try:
        kind = np.asarray(Z).dtype.kind
    except (TypeError, ValueError) as exc:  # ragged nested lists
        raise TypeError(f"Z: expected a floating array, got {checks.describe(Z)}") from exc
    if kind != "f":
        raise TypeError(
            f"Z: expected floating logits (as PyTorch), got dtype {np.asarray(Z).dtype}"
        )
    return checks.float_array("Z", Z)


def _axis(axis, ndim: int) -> int:
    ndim = max(ndim, 1)  # a 0-D array takes axis 0 or -1, as torch's dim does
    return checks.integer("axis", axis, minimum=-ndim, maximum=ndim - 1) % ndim


def softmax(Z, axis=-1) -> np.ndarray:
    """exp(z_i) / Σ_j exp(z_j) along `axis`; float dtypes are kept (float32 stays float32).

    A 0-D input gives 1.0 and an empty axis an empty array of the same shape, as in PyTorch.

    Notes
    -----
    :math:`\\mathrm{softmax}(z)_i = e^{z_i - m} / \\sum_j e^{z_j - m}` with :math:`m = \\max_j z_j`:
    the shift cancels, and every exponent is at most 0, so nothing overflows.
    """
    Z = _logits(Z)
    axis = _axis(axis, Z.ndim)
    if Z.ndim == 0 or Z.shape[axis] == 0:
        return np.ones_like(Z)  # one class has probability 1; an empty axis stays empty
    # --8<-- [start:softmax]
    shifted = Z - Z.max(axis=axis, keepdims=True)  # largest logit becomes 0: no overflow
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)
    # --8<-- [end:softmax]


def softmax_naive(Z, axis=-1) -> np.ndarray:
    """exp(Z) / Σ exp(Z) as written, with no shift: NaN once a logit passes log(max float)
    (≈ 709.8 in float64) or every logit of a row is below ≈ −745 (0/0). For comparison only."""
    Z = _logits(Z)
    axis = _axis(axis, Z.ndim)
    with np.errstate(over="ignore", invalid="ignore"):
        # --8<-- [start:softmax_naive]
        e = np.exp(Z)  # inf for z > 709.8, 0 for z < −745: inf/inf and 0/0 are NaN
        return e / e.sum(axis=axis, keepdims=True)
        # --8<-- [end:softmax_naive]


def log_softmax(Z, axis=-1) -> np.ndarray:
    """log softmax(Z) along `axis`, computed without forming softmax (no log of 0).

    A 0-D input gives 0.0 and an empty axis an empty array of the same shape, as in PyTorch.

    Notes
    -----
    :math:`\\log \\mathrm{softmax}(z)_i = z_i - m - \\log \\sum_j e^{z_j - m}`, the log-sum-exp
    trick: the sum is at least 1 (the largest term is :math:`e^0`), so its log is finite.
    """
    Z = _logits(Z)
    axis = _axis(axis, Z.ndim)
    if Z.ndim == 0 or Z.shape[axis] == 0:
        return np.zeros_like(Z)
    # --8<-- [start:log_softmax]
    shifted = Z - Z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    # --8<-- [end:log_softmax]


def _inputs(Z, y, label_smoothing, ignore_index):
    Z = _logits(Z)
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
    ignore_index = checks.integer("ignore_index", ignore_index)
    C = Z.shape[1]
    bad = (y != ignore_index) & ((y < 0) | (y >= C))
    if bad.any():
        raise ValueError(
            f"y: expected class indices in 0..{C - 1} (or ignore_index {ignore_index}), "
            f"got {y[bad][0]}"
        )
    eps = checks.probability("label_smoothing", label_smoothing)
    keep = y != ignore_index
    return Z, np.where(keep, y, 0).astype(np.intp), eps, keep


def cross_entropy(Z, y, label_smoothing=0.0, *, ignore_index=-100) -> float:
    """Mean over the batch of −Σ_c q_c log softmax(z)_c, where the target q puts 1 − ε on the
    true class and spreads ε evenly over all C classes (ε = `label_smoothing`).

    `Z` of shape (N, C) holds logits; `y` of shape (N,) integer classes. Samples whose class is
    `ignore_index` are left out of the sum and of the count; with none left (an empty batch,
    or every target ignored) the loss is NaN, as PyTorch's mean over no samples is.

    Notes
    -----
    :math:`L = \\frac1{N'} \\sum_{n:\\,y_n \\ne \\mathrm{ignore}} \\big[(1-\\varepsilon)
    (-\\log p_{n,y_n}) + \\frac{\\varepsilon}{C} \\sum_c (-\\log p_{n,c})\\big]`,
    :math:`p_n = \\mathrm{softmax}(z_n)`, :math:`N'` the number of samples kept.
    """
    Z, y, eps, keep = _inputs(Z, y, label_smoothing, ignore_index)
    if not keep.any():
        return float("nan")
    # --8<-- [start:cross_entropy]
    logp = log_softmax(Z[keep], axis=1)  # ignored samples are dropped first
    loss = -logp[np.arange(len(logp)), y[keep]]  # −log p of the true class, per sample
    if eps > 0:  # as PyTorch, no smoothing term at ε = 0 (0 · inf would make a NaN)
        loss = (1.0 - eps) * loss + eps * -logp.mean(axis=1)  # mean: −log p over the C classes
    return float(np.mean(loss))
    # --8<-- [end:cross_entropy]


def cross_entropy_backward(Z, y, label_smoothing=0.0, *, ignore_index=-100) -> np.ndarray:
    """∂L/∂Z of `cross_entropy`: (softmax(Z) − q) / N' on the kept rows, 0 on ignored rows (and
    everywhere when no row is kept); the shape and float dtype of `Z`.

    Notes
    -----
    For one sample, :math:`\\partial(-\\sum_c q_c \\log p_c)/\\partial z_k = p_k - q_k`, because
    :math:`\\partial \\log p_c / \\partial z_k = [c = k] - p_k` and :math:`\\sum_c q_c = 1`.
    """
    Z, y, eps, keep = _inputs(Z, y, label_smoothing, ignore_index)
    N, C = Z.shape
    # --8<-- [start:cross_entropy_backward]
    q = np.full(Z.shape, eps / C, dtype=Z.dtype)  # the smoothed target
    q[np.arange(N), y] += 1.0 - eps
    G = (softmax(Z, axis=1) - q) / max(int(keep.sum()), 1)
    G[~keep] = 0.0  # ignored samples send no gradient
    return G
    # --8<-- [end:cross_entropy_backward]
