"""Batch norm in a "frozen" backbone: what its running statistics do on a new task (DL0006).

Freezing a layer stops its parameter updates, not its batch-norm statistics: a backbone left in
training mode keeps replacing the source's running mean and variance with the target's, by a
factor `1 - momentum` per batch. `bn_running_mean_drift` measures it on any layer's
pre-activations.
"""

from __future__ import annotations

import numpy as np

from snippets import checks
from snippets.batchnorm import BatchNorm


def bn_running_mean_drift(Z_source, Z_target, steps: int, batch_size: int, momentum: float, rng):
    """Fit a `BatchNorm` to the source (one pass in training mode), then run target batches
    through it in training mode, as a "frozen" backbone left in train mode does.

    Parameters
    ----------
    Z_source : array of shape (N_s, D), the layer's pre-activations on source data
    Z_target : array of shape (N_t, D), the same on target data
    steps : int, target batches; batch_size : int >= 2; momentum : float in (0, 1]

    Returns
    -------
    dict with `source_mean`, `target_mean` (D,), `fraction` (steps + 1,): how far the running
    mean has moved from the source mean towards the target mean (0 = source, 1 = target),
    and the layers `before` (source statistics) and `after` the target batches.

    Notes
    -----
    Each step sets :math:`\\hat\\mu \\leftarrow (1 - m)\\,\\hat\\mu + m\\,\\mu_\\text{batch}`, so
    after k steps the source's share of the running mean is :math:`(1 - m)^k`.
    """
    Z_source = checks.as_float_array("Z_source", Z_source, ndim=2, min_rows=2)
    Z_target = checks.as_float_array("Z_target", Z_target, ndim=2, min_rows=2)
    if Z_target.shape[1] != Z_source.shape[1]:
        raise ValueError(
            f"Z_target: expected {Z_source.shape[1]} features like Z_source, got {Z_target.shape}"
        )
    steps = checks.positive_int("steps", steps)
    batch_size = checks.integer("batch_size", batch_size, 2, len(Z_target))
    momentum = checks.number("momentum", momentum, 0.0, 1.0, open_min=True)
    rng = checks.generator("rng", rng)
    # --8<-- [start:bn]
    D = Z_source.shape[1]
    before = BatchNorm(D, momentum=None)  # cumulative average: the source's statistics
    for start in range(0, len(Z_source) - 1, 32):
        before(Z_source[start : start + 32], training=True)
    after = BatchNorm(D, momentum=momentum)
    after.running_mean, after.running_var = before.running_mean.copy(), before.running_var.copy()
    target_mean = Z_target.mean(axis=0)
    gap = np.linalg.norm(target_mean - before.running_mean)
    fraction, order = [0.0], np.array([], dtype=int)
    for _ in range(steps):
        if order.size < batch_size:  # a new epoch over the target set
            order = np.concatenate([order, rng.permutation(len(Z_target))])
        idx, order = order[:batch_size], order[batch_size:]
        after(Z_target[idx], training=True)  # no weight changes, yet the layer does
        fraction.append(float(np.linalg.norm(after.running_mean - before.running_mean) / gap))
    return {
        "source_mean": before.running_mean,
        "target_mean": target_mean,
        "fraction": np.array(fraction),
        "before": before,
        "after": after,
    }
    # --8<-- [end:bn]
