"""Inverted dropout, as `torch.nn.functional.dropout`: in training each entry is zeroed with
probability `p` and the survivors are scaled by 1/(1 − p), so every entry keeps its expected
value; outside training it is the identity."""

from __future__ import annotations

import numpy as np

from snippets import checks


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
    # --8<-- [start:dropout]
    keep = rng.random(X.shape) >= p  # True with probability 1 − p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    mask = keep.astype(X.dtype) * X.dtype.type(scale)  # 0 or 1/(1 − p)
    return X * mask, mask
    # --8<-- [end:dropout]


def dropout_backward(dY, mask, p) -> np.ndarray:
    """∂L/∂X = ∂L/∂Y · mask: the gradient flows only through the kept entries, scaled as they
    were. `mask` is the one `dropout` returned (it already holds the 1/(1 − p) scale); `p` is
    checked against it."""
    dY = checks.float_array("dY", dY)
    mask = checks.float_array("mask", mask)
    p = checks.probability("p", p)
    if mask.shape != dY.shape:
        raise ValueError(f"mask: expected the shape of dY {dY.shape}, got {mask.shape}")
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    values = np.unique(mask)
    if not np.all(np.isclose(values, 0.0) | np.isclose(values, scale) | np.isclose(values, 1.0)):
        raise ValueError(f"mask: expected entries 0 or 1/(1 - p) = {scale:g}, got {values[:4]}")
    # --8<-- [start:dropout_backward]
    return dY * mask
    # --8<-- [end:dropout_backward]
