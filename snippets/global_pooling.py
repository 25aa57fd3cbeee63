"""Global average pooling (GAP) and its backward pass, in numpy.

GAP turns a feature map `(N, C, H, W)` into one number per channel, `(N, C)`: the mean of the
channel over all positions. It has no parameters and accepts any H and W, which is why a CNN's
GAP + FC head (`snippets.fully_connected.gap_head`) replaces the Flatten + FC head.
"""

from __future__ import annotations

import numpy as np

from snippets import checks


def check_feature_maps(name: str, X) -> np.ndarray:
    """`X` as a finite float64 array of shape (N, C, H, W) with every dimension ≥ 1."""
    X = checks.as_float_array(name, X, ndim=4)
    if min(X.shape) < 1:
        raise ValueError(f"{name}: expected shape (N, C, H, W) with every size ≥ 1, got {X.shape}")
    return X


def _shape4(name: str, shape) -> tuple[int, int, int, int]:
    """`shape` as a tuple of four positive ints (N, C, H, W): a tuple, a list or an int array."""
    if isinstance(shape, np.ndarray) and shape.ndim == 1:
        shape = shape.tolist()
    if not isinstance(shape, (tuple, list)) or len(shape) != 4:
        raise ValueError(f"{name}: expected a shape (N, C, H, W) of four ints, got {shape!r}")
    n, c, h, w = (checks.positive_int(f"{name}[{i}]", s) for i, s in enumerate(shape))
    return n, c, h, w


def global_avg_pool_naive(X) -> np.ndarray:
    """`global_avg_pool` one sample and one channel at a time (for teaching)."""
    X = check_feature_maps("X", X)
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
    X = check_feature_maps("X", X)
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
