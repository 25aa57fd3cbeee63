"""Inverted dropout, as `torch.nn.functional.dropout`: in training each entry is zeroed with
probability `p` and the survivors are scaled by 1/(1 − p), so every entry keeps its expected
value; outside training it is the identity.

Departures from PyTorch, all deliberate: the result is always a new array (PyTorch returns the
input tensor itself in eval mode or for p = 0); NaN and inf inputs are refused (PyTorch
propagates them); integer arrays are converted to float64 (PyTorch refuses integer tensors);
a p so close to 1 that 1/(1 − p) rounds to inf in the input's float dtype (float16: from
1/(1 − p) ≥ 65520; below that it rounds to at most 65504, the largest float16) is refused, where
PyTorch returns inf for the kept entries; and a 0-d input gives a NumPy scalar
(NumPy's arithmetic on 0-d arrays), not a 0-d array.
"""

from __future__ import annotations

import numpy as np

from snippets import checks


def _scale(p: float, dtype) -> np.floating:
    """1/(1 − p) in `dtype` (0 for p = 1); ValueError naming p when it overflows the dtype."""
    if p == 1.0:
        return np.dtype(dtype).type(0.0)
    with np.errstate(over="ignore"):
        scale = np.dtype(dtype).type(1.0 / (1.0 - p))
    if not np.isfinite(scale):
        raise ValueError(f"p: 1/(1 - p) = {1.0 / (1.0 - p):g} overflows {np.dtype(dtype)}")
    return scale


def dropout(X, p, training=True, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """(Y, mask): Y = X · mask / (1 − p), mask[i] = 1 with probability 1 − p (0 otherwise).

    `p` is the probability of dropping, in [0, 1]; p = 1 drops everything (Y = 0, as PyTorch
    returns). With `training=False`, Y is X and the mask is all ones. `rng` is a
    `np.random.Generator` or an int seed (None: a fresh generator). The mask has X's shape and
    dtype, so the backward pass is one multiplication. Float dtypes are kept.

    Notes
    -----
    :math:`\\mathbb{E}[Y_i] = (1-p) \\cdot X_i / (1-p) = X_i`: inference needs no rescaling.
    """
    X = checks.float_array("X", X)
    p = checks.probability("p", p)
    training = checks.flag("training", training)
    rng = np.random.default_rng() if rng is None else checks.generator("rng", rng)
    if not training:
        return X.copy(), np.ones_like(X)
    scale = _scale(p, X.dtype)  # 1/(1 − p) in X's dtype, 0 for p = 1
    # --8<-- [start:dropout]
    keep = rng.random(X.shape) >= p  # True with probability 1 − p
    mask = np.where(keep, scale, X.dtype.type(0))  # 0 or 1/(1 − p), in X's dtype
    return X * mask, mask
    # --8<-- [end:dropout]


def dropout_backward(dY, mask, p) -> np.ndarray:
    """∂L/∂X = ∂L/∂Y · mask: the gradient flows only through the kept entries, scaled as they
    were. `mask` is the one `dropout` returned (it already holds the 1/(1 − p) scale): its
    entries must all be 0 or 1/(1 − p) (training mode), or all be 1 (eval mode)."""
    dY = checks.float_array("dY", dY)
    mask = checks.float_array("mask", mask)
    p = checks.probability("p", p)
    if mask.shape != dY.shape:
        raise ValueError(f"mask: expected the shape of dY {dY.shape}, got {mask.shape}")
    scale = float(_scale(p, mask.dtype))
    values = np.unique(mask)
    training_mask = np.all(np.isclose(values, 0.0) | np.isclose(values, scale))
    eval_mask = values.size == 1 and values[0] == 1.0
    if not (training_mask or eval_mask):
        raise ValueError(
            f"mask: expected entries 0 or 1/(1 - p) = {scale:g} (training), or all 1 (eval), "
            f"got {values[:4]}"
        )
    # --8<-- [start:dropout_backward]
    return dY * mask
    # --8<-- [end:dropout_backward]
