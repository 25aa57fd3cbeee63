"""Why networks need non-linear activations: ML0032's reference code.

A stack of dense layers without activations is one affine map: `collapse_linear` computes it
(and `collapse_linear_probe` finds it a second way, by probing the network).
`best_linear_accuracy` is the exact ceiling of every such network as a classifier of points in
the plane: the best accuracy any straight line reaches. `relu_kinks` finds the exact corners of
a ReLU network's piecewise-linear function of one input. The activation functions and their
derivatives are the project's one registry, `snippets.activations`, re-exported here. The
page's experiments are in its page module, `snippets/ml0032_non_linear_activation.py`.
"""

from __future__ import annotations

import numpy as np

from snippets import backprop as bp
from snippets import checks
from snippets.activations import ACTIVATIONS, activate, derivative  # noqa: F401  (public path)

# ---------------------------------------------------------------------------------------------
# The collapse: a stack of affine layers is one affine layer.


def collapse_linear(params) -> tuple[np.ndarray, np.ndarray]:
    """The single layer `(W, b)` equivalent to a stack of dense layers with no activation.

    Parameters
    ----------
    params : list of (W, b)
        Layer l has `W` of shape `(fan_in, fan_out)` and `b` of shape `(fan_out,)` and computes
        `z = a_prev @ W + b` (the convention of `snippets.backprop`).

    Returns
    -------
    W : array of shape (fan_in of the first layer, fan_out of the last)
    b : array of shape (fan_out of the last layer,)
        `X @ W + b` equals the network's output for every `X` when every activation is the
        identity; with a non-linear output activation it is the output layer's pre-activation.

    Notes
    -----
    Substituting each layer into the next,
    :math:`(x W_1 + b_1) W_2 + b_2 = x\\,(W_1 W_2) + (b_1 W_2 + b_2)`, and by induction
    :math:`W = W_1 W_2 \\cdots W_n`,
    :math:`b = (\\cdots((b_1 W_2 + b_2) W_3 + b_3) \\cdots) W_n + b_n`.
    """
    params = bp.check_params(params)
    # --8<-- [start:collapse]
    W, b = params[0][0].copy(), params[0][1].copy()
    for W_next, b_next in params[1:]:
        W = W @ W_next  # (fan_in, k) @ (k, m): the weights compose
        b = b @ W_next + b_next  # earlier biases pass through W_next
    return W, b  # x @ W + b is the whole stack
    # --8<-- [end:collapse]


def collapse_linear_probe(params) -> tuple[np.ndarray, np.ndarray]:
    """`collapse_linear` found by running the identity-activation network on probe inputs.

    An affine map is fixed by where it sends 0 (that is `b`) and each unit vector
    `e_i` (that is row i of `W`, plus `b`). Same returns as `collapse_linear`.
    """
    params = bp.check_params(params)
    # --8<-- [start:collapse_probe]
    n_in = params[0][0].shape[0]
    probes = np.vstack([np.zeros((1, n_in)), np.eye(n_in)])  # 0, e_1, ..., e_n
    out, _ = bp.forward(params, probes, "identity", "identity")
    b = out[0]
    W = out[1:] - b  # f(e_i) - f(0) = e_i W
    return W, b
    # --8<-- [end:collapse_probe]


# ---------------------------------------------------------------------------------------------
# What any straight line can do: the best accuracy of a linear classifier in the plane.


def _binary_labels(y, n: int) -> np.ndarray:
    """`y` as an int array of n labels 0 or 1 (a column (n, 1) and bools are accepted)."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.shape != (n,):
        raise ValueError(f"y: expected shape ({n},) to match X, got {y.shape}")
    if y.dtype != bool and not np.issubdtype(y.dtype, np.number):
        raise TypeError(f"y: expected numeric labels 0 or 1, got {checks.describe(y)}")
    bad = np.unique(y[~np.isin(y, (0, 1))])
    if bad.size:
        raise ValueError(f"y: expected labels 0 or 1, got {bad[:5].tolist()}")
    return y.astype(int)


def best_linear_accuracy(X, y) -> float:
    """The highest training accuracy any straight line achieves on 2-D points, exactly.

    Parameters
    ----------
    X : array of shape (N, 2)
    y : array of shape (N,) with labels 0 and 1

    Returns
    -------
    float in [0.5, 1]: the share of points on the correct side of the best line (either side
    may be class 1; predicting one class everywhere counts as a line far away).

    Notes
    -----
    A line classifies by a threshold on the projection :math:`u \\cdot x` onto its normal
    :math:`u`. The order of the projections only changes at directions perpendicular to some
    :math:`x_j - x_i`; between two such critical directions every threshold splits the points
    the same way, so one direction per arc and every threshold between distinct projections
    cover every split a line can make. Cost: :math:`O(N^3 \\log N)`.
    """
    X = checks.as_float_array("X", X, ndim=2, min_rows=1)
    if X.shape[1] != 2:
        raise ValueError(f"X: expected shape (N, 2) (points in the plane), got {X.shape}")
    y = _binary_labels(y, X.shape[0])
    # --8<-- [start:best_line]
    N, n1 = y.size, int(y.sum())
    best = max(n1, N - n1)  # all points on one side
    i, j = np.triu_indices(N, 1)
    d = X[j] - X[i]
    d = d[np.any(d != 0, axis=1)]  # identical points never split
    # directions u with u·(x_j − x_i) = 0, where two projections swap order
    theta = np.arctan2(d[:, 1], d[:, 0]) + np.pi / 2
    critical = np.unique(np.mod(theta, np.pi))
    if critical.size == 0:
        return best / N
    # one direction inside each arc between neighbouring critical directions
    angles = (critical + np.append(critical[1:], critical[0] + np.pi)) / 2
    for chunk in np.array_split(angles, max(1, angles.size // 2000)):
        u = np.column_stack([np.cos(chunk), np.sin(chunk)])  # unit normals
        proj = u @ X.T  # (directions, N)
        order = np.argsort(proj, axis=1)
        p = np.take_along_axis(proj, order, axis=1)
        # class-1 points below each threshold between neighbours
        ones_left = np.cumsum(y[order], axis=1)[:, :-1]
        k = np.arange(1, N)
        correct = (k - ones_left) + (n1 - ones_left)  # 0 below, 1 above
        correct = np.maximum(correct, N - correct)  # or the other way round
        correct[p[:, 1:] <= p[:, :-1]] = 0  # no threshold between ties
        best = max(best, int(correct.max()))
    return best / N
    # --8<-- [end:best_line]


# ---------------------------------------------------------------------------------------------
# ReLU networks are piecewise linear: the exact kinks of a network with one input.


def relu_kinks(params, lo: float, hi: float) -> np.ndarray:
    """The points of (lo, hi) where a ReLU network with one input changes slope.

    Parameters
    ----------
    params : list of (W, b), the first `W` of shape (1, fan_out)
        ReLU after every hidden layer, identity at the output.
    lo, hi : float, the interval of the input

    Returns
    -------
    array of shape (K,), sorted: the kinks; the network is affine between them (K + 1 pieces).

    Notes
    -----
    On an interval where every earlier unit keeps its on/off state, each pre-activation of the
    next layer is affine in x, so it changes sign at most once, at
    :math:`x^* = p + (q - p)\\, z(p) / (z(p) - z(q))`. Splitting at those points layer by layer
    leaves intervals on which the whole network is affine; a split point is a kink only where
    the slopes on its two sides differ (a unit that switches but feeds nothing makes no corner).
    """
    params = bp.check_params(params)
    if params[0][0].shape[0] != 1:
        raise ValueError(
            f"params[0] W: expected shape (1, fan_out) (one input), got {params[0][0].shape}"
        )
    lo, hi = checks.number("lo", lo), checks.number("hi", hi)
    if not lo < hi:
        raise ValueError(f"hi: expected a number greater than lo = {lo:g}, got {hi:g}")
    # --8<-- [start:kinks]
    points = np.array([lo, hi])
    for l in range(len(params) - 1):  # every hidden layer can add corners
        z, _ = bp.forward(params[: l + 1], points[:, None], "relu", "identity")
        za, zb = z[:-1], z[1:]  # pre-activations at both ends of each interval
        crosses = za * zb < 0
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(crosses, za / (za - zb), 0.0)
        x = points[:-1, None] + t * np.diff(points)[:, None]
        points = np.unique(np.concatenate([points, x[crosses]]))
    out, _ = bp.forward(params, points[:, None], "relu", "identity")
    slopes = np.diff(out, axis=0) / np.diff(points)[:, None]  # per piece
    scale = max(1.0, float(np.abs(slopes).max()))
    changes = np.any(np.abs(np.diff(slopes, axis=0)) > 1e-9 * scale, axis=1)
    return points[1:-1][changes]
    # --8<-- [end:kinks]
