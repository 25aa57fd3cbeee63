"""Why networks need non-linear activations, in numpy, with the experiments of ML0032.

A stack of dense layers without activations is one affine map: `collapse_linear` computes it
(and `collapse_linear_probe` finds it a second way, by probing the network). `activate` and
`derivative` are the common activation functions and their exact derivatives. The experiments
train networks with `snippets.backprop` on data no line separates: linear-only networks of every
depth end at the same affine map and the same accuracy, which `best_linear_accuracy` bounds
exactly; ReLU networks separate the data. A one-hidden-layer tanh network fits a curve better as
it widens (universal approximation), and `relu_kinks` finds the exact corners of a ReLU network's
piecewise-linear function.
"""

from __future__ import annotations

import functools
import math
import numbers

import numpy as np

from snippets import backprop as bp
from snippets import checks
from snippets.datasets import two_moons
from snippets.formatting import fmt, tex_matrix, tex_sci
from snippets.plotting import Theme, new_figure
from snippets.seeds import seeds

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
    return _collapse(bp.check_params(params))


# --8<-- [start:collapse]
def _collapse(params: bp.Params) -> tuple[np.ndarray, np.ndarray]:
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
    return _collapse_probe(bp.check_params(params))


# --8<-- [start:collapse_probe]
def _collapse_probe(params: bp.Params) -> tuple[np.ndarray, np.ndarray]:
    n_in = params[0][0].shape[0]
    probes = np.vstack([np.zeros((1, n_in)), np.eye(n_in)])  # 0, e_1, ..., e_n
    out, _ = bp.forward(params, probes, "identity", "identity")
    b = out[0]
    W = out[1:] - b  # f(e_i) - f(0) = e_i W
    return W, b


# --8<-- [end:collapse_probe]


# ---------------------------------------------------------------------------------------------
# Activation functions and their derivatives.

ACTIVATIONS = (
    "identity",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "elu",
    "gelu",
    "softplus",
    "silu",
)

_erf = np.vectorize(math.erf, otypes=[float])  # numpy has no erf; math.erf is exact to 1 ulp


def _std_normal_cdf(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))


def _std_normal_pdf(z: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


def _check_activation_args(name, z, negative_slope, alpha):
    name = checks.choice("name", name, ACTIVATIONS)
    z = checks.as_float_array("z", z)
    for arg, value in (("negative_slope", negative_slope), ("alpha", alpha)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{arg}: expected a real number, got {type(value).__name__}")
        if not math.isfinite(value):
            raise ValueError(f"{arg}: expected a finite number, got {value!r}")
    return name, z, float(negative_slope), float(alpha)


def activate(name: str, z, *, negative_slope: float = 0.01, alpha: float = 1.0) -> np.ndarray:
    """f(z) for the activation `name`, elementwise.

    Parameters
    ----------
    name : one of `ACTIVATIONS`
    z : array of any shape
    negative_slope : slope of leaky ReLU for z < 0 (PyTorch's default 0.01)
    alpha : ELU's saturation level for z → −∞ (PyTorch's default 1.0)

    Returns
    -------
    array shaped like `z` (float64)

    Notes
    -----
    sigmoid :math:`\\sigma(z) = 1/(1+e^{-z})`; tanh; ReLU :math:`\\max(0, z)`; leaky ReLU
    :math:`z` for :math:`z > 0`, else :math:`\\alpha_\\text{slope} z`; ELU :math:`z` for
    :math:`z > 0`, else :math:`\\alpha(e^z - 1)`; GELU :math:`z\\,\\Phi(z)` with the exact normal
    CDF :math:`\\Phi`; softplus :math:`\\log(1 + e^z)`; SiLU :math:`z\\,\\sigma(z)`.
    """
    name, z, negative_slope, alpha = _check_activation_args(name, z, negative_slope, alpha)
    return _activate(name, z, negative_slope, alpha)


def derivative(name: str, z, *, negative_slope: float = 0.01, alpha: float = 1.0) -> np.ndarray:
    """f'(z) for the activation `name`, elementwise (arguments as in `activate`).

    At a kink the value is PyTorch's: ReLU'(0) = 0, leaky ReLU'(0) = `negative_slope`,
    ELU'(0) = `alpha`.

    Notes
    -----
    :math:`\\sigma' = \\sigma(1-\\sigma)`, :math:`\\tanh' = 1 - \\tanh^2`,
    GELU' :math:`= \\Phi(z) + z\\,\\varphi(z)`, softplus' :math:`= \\sigma(z)`,
    SiLU' :math:`= \\sigma(z)\\,(1 + z(1 - \\sigma(z)))`.
    """
    name, z, negative_slope, alpha = _check_activation_args(name, z, negative_slope, alpha)
    return _derivative(name, z, negative_slope, alpha)


# --8<-- [start:activations]
def _activate(name: str, z, negative_slope, alpha) -> np.ndarray:
    if name == "identity":
        return z.copy()
    if name == "sigmoid":
        return bp.sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, negative_slope * z)
    if name == "elu":
        return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))
    if name == "gelu":
        return z * _std_normal_cdf(z)
    if name == "softplus":
        return np.logaddexp(0.0, z)  # log(1 + e^z) without overflow
    return z * bp.sigmoid(z)  # silu


def _derivative(name: str, z, negative_slope, alpha) -> np.ndarray:
    if name == "identity":
        return np.ones_like(z)
    if name == "sigmoid":
        s = bp.sigmoid(z)
        return s * (1.0 - s)
    if name == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0).astype(float)  # 0 at the kink, as in PyTorch
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, negative_slope)
    if name == "elu":
        return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))
    if name == "gelu":
        return _std_normal_cdf(z) + z * _std_normal_pdf(z)
    if name == "softplus":
        return bp.sigmoid(z)
    s = bp.sigmoid(z)  # silu
    return s * (1.0 + z * (1.0 - s))


# --8<-- [end:activations]


# ---------------------------------------------------------------------------------------------
# What any straight line can do: the best accuracy of a linear classifier in the plane.


def _check_binary_labels(y, n: int) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.shape != (n,):
        raise ValueError(f"y: expected shape ({n},) to match X, got {y.shape}")
    if y.dtype == bool:
        return y.astype(int)
    if not np.issubdtype(y.dtype, np.number):
        raise TypeError(f"y: expected numeric labels 0 or 1, got dtype {y.dtype}")
    if not np.all(np.isin(y, (0, 1))):
        bad = np.unique(y[~np.isin(y, (0, 1))])[:5]
        raise ValueError(f"y: expected labels 0 or 1, got {bad.tolist()}")
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
    return _best_linear_accuracy(X, _check_binary_labels(y, X.shape[0]))


# --8<-- [start:best_line]
def _best_linear_accuracy(X: np.ndarray, y: np.ndarray) -> float:
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


def _check_interval(lo, hi) -> tuple[float, float]:
    for name, v in (("lo", lo), ("hi", hi)):
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"{name}: expected a real number, got {type(v).__name__}")
        if not math.isfinite(v):
            raise ValueError(f"{name}: expected a finite number, got {v!r}")
    if not lo < hi:
        raise ValueError(f"hi: expected a number greater than lo = {lo}, got {hi}")
    return float(lo), float(hi)


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
    return _relu_kinks(params, *_check_interval(lo, hi))


# --8<-- [start:kinks]
def _relu_kinks(params: bp.Params, lo: float, hi: float) -> np.ndarray:
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


# ---------------------------------------------------------------------------------------------
# Worked example: collapse a 2-2-2-1 linear network by hand, and what one ReLU changes.

EXAMPLE = {
    "W1": [[1.0, -0.5], [0.5, 2.0]],
    "b1": [0.5, -1.0],
    "W2": [[2.0, 1.0], [-1.0, 0.5]],
    "b2": [0.0, 1.0],
    "W3": [[1.0], [-2.0]],
    "b3": [0.5],
    "x": [[1.0, -1.0]],
}


def worked_example() -> dict[str, np.ndarray]:
    """Every intermediate number of the collapse example, as arrays."""
    e = {k: np.array(v, dtype=float) for k, v in EXAMPLE.items()}
    params = [(e["W1"], e["b1"]), (e["W2"], e["b2"]), (e["W3"], e["b3"])]
    W, b = collapse_linear(params)
    _, lin = bp.forward(params, e["x"], "identity", "identity")
    _, relu = bp.forward(params, e["x"], "relu", "identity")
    return {
        "W12": e["W1"] @ e["W2"],
        "W": W,
        "b12": e["b1"] @ e["W2"] + e["b2"],
        "b": b,
        "lin_h1": lin.a[0],
        "lin_h2": lin.a[1],
        "lin_out": lin.a[2],
        "collapsed_out": e["x"] @ W + b,
        "relu_z1": relu.z[0],
        "relu_h1": relu.a[0],
        "relu_z2": relu.z[1],
        "relu_h2": relu.a[1],
        "relu_out": relu.a[2],
    }


# ---------------------------------------------------------------------------------------------
# Experiment: two moons, linear-only networks vs ReLU networks of 0, 1, 2 and 4 hidden layers.
# Each seed draws its own training, validation and test points and its own initialisation. Each
# model's step size is chosen by the mean validation loss over the seeds of the set, starting from
# MOONS_LRS and widening the grid by a factor of 4 while the best step sits at its edge; the test
# points are used once, for the chosen step.

MOONS_N = 200
MOONS_VAL_N = 200
MOONS_TEST_N = 1000
MOONS_NOISE = 0.15
MOONS_WIDTH = 8
MOONS_DEPTHS = (1, 2, 4)
MOONS_MODELS = (("identity", 0),) + tuple(
    (a, d) for a in ("identity", "relu") for d in MOONS_DEPTHS
)
MOONS_LRS = (1.0, 4.0, 16.0)  # the starting grid of steps
MOONS_LR_RANGE = (1 / 16, 256.0)  # the grid widens by factors of 4, never beyond these
MOONS_COMMON_LR = 4.0  # the grid's middle step, shared by every depth for the collapse check
MOONS_EPOCHS = 400
MOONS_SEEDS = 5
CONVERGED_TOL = 1e-6  # "converged": first epoch within this of the final training loss


@functools.cache
def moons_data(seed: int = 0):
    """Training, validation and test points of two moons for one seed, standardised with the
    training statistics: `(X, y, X_val, y_val, X_test, y_test)`."""
    rng = np.random.default_rng((seed, 0))
    X, y = two_moons(MOONS_N, MOONS_NOISE, rng=rng)
    X_val, y_val = two_moons(MOONS_VAL_N, MOONS_NOISE, rng=rng)
    X_test, y_test = two_moons(MOONS_TEST_N, MOONS_NOISE, rng=rng)
    mean, std = X.mean(axis=0), X.std(axis=0)
    return (X - mean) / std, y, (X_val - mean) / std, y_val, (X_test - mean) / std, y_test


@functools.cache
def _moons_fit(act: str, depth: int, lr: float, seed: int) -> dict:
    """One model trained on one seed's training points; scored on training and validation."""
    X, y, X_val, y_val, _, _ = moons_data(seed)
    sizes = [2] + [MOONS_WIDTH] * depth + [1]
    rng = np.random.default_rng((seed, 1))  # the same initial draw for every model of a seed
    params0 = bp.init_params(sizes, rng, "he" if act == "relu" else "xavier")
    with np.errstate(all="ignore"):  # a too-large step may overflow; validation rejects it
        params, losses = bp.train(
            params0, X, y[:, None].astype(float), lr, MOONS_EPOCHS, act, "sigmoid"
        )
        A_val = bp.forward(params, X_val, act, "sigmoid")[0]
    ok = bool(np.all(np.isfinite(losses)) and np.all(np.isfinite(A_val)))
    return {
        "params": params,
        "losses": losses,
        "n_params": sum(W.size + b.size for W, b in params),
        "acc": bp.accuracy(bp.forward(params, X, act, "sigmoid")[0], y) if ok else 0.0,
        "val_loss": bp.mse_loss(A_val, y_val[:, None].astype(float)) if ok else math.inf,
    }


def _search_step(score, widen: bool = True) -> tuple[float, dict[float, float]]:
    """The step with the lowest `score(step)`, starting from `MOONS_LRS`: while the best step
    sits at an edge of the grid, the next step out (a factor of 4) is tried, within
    `MOONS_LR_RANGE` (unless `widen` is false). Returns the step and every step's score."""
    scores = {lr: score(lr) for lr in MOONS_LRS}
    while widen:
        grid = sorted(scores)
        best = min(grid, key=lambda r: scores[r])
        if best == grid[0] and best / 4 >= MOONS_LR_RANGE[0]:
            scores[best / 4] = score(best / 4)
        elif best == grid[-1] and best * 4 <= MOONS_LR_RANGE[1]:
            scores[best * 4] = score(best * 4)
        else:
            break
    return min(scores, key=lambda r: scores[r]), scores


def _bracketed(lr: float, scores: dict[float, float]) -> bool:
    """Whether a worse step was tried on each side of `lr`."""
    return min(scores) < lr < max(scores)


@functools.cache
def moons_runs(seed_set: int = 0) -> dict[tuple[str, int], dict]:
    """Every model, key (activation, hidden layers), "identity" being linear-only.

    Every model: sigmoid output, MSE loss, full-batch gradient descent for `MOONS_EPOCHS`
    epochs, Glorot initialisation (He for ReLU). For each model, the step with the lowest mean
    validation loss over the seeds is chosen (`_search_step`); `"runs"` holds that step's run
    for each seed, with its test accuracy (the only use of the test points).
    """
    out = {}
    for act, depth in MOONS_MODELS:

        def mean_val_loss(lr, act=act, depth=depth):
            fits = [_moons_fit(act, depth, lr, s) for s in seeds(MOONS_SEEDS, seed_set)]
            return float(np.mean([f["val_loss"] for f in fits]))

        # the linear models' validation losses tie (they all reach one map), so widening their
        # grid would only chase noise: they keep the starting grid, and the page says so
        lr, val = _search_step(mean_val_loss, widen=act != "identity")
        runs = []
        for s in seeds(MOONS_SEEDS, seed_set):
            r = dict(_moons_fit(act, depth, lr, s))
            _, _, _, _, X_test, y_test = moons_data(s)
            r["test_acc"] = bp.accuracy(bp.forward(r["params"], X_test, act, "sigmoid")[0], y_test)
            runs.append(r)
        out[(act, depth)] = {
            "lr": lr,
            "val_loss": val,
            "bracketed": _bracketed(lr, val),
            "runs": runs,
        }
    return out


def _converged_epoch(losses: np.ndarray) -> int:
    return int(np.argmax(losses <= losses[-1] + CONVERGED_TOL))


@functools.cache
def moons_collapse(seed_set: int = 0) -> dict:
    """The linear-only networks of every depth at the common step, seed by seed: the largest
    gap between their collapsed (W, b) and the single unit's, the largest gap in training loss,
    whether the training accuracies agree, and the epochs each took to converge."""
    gaps, loss_gaps, same_acc, epochs = [], [], [], {d: [] for d in (0, *MOONS_DEPTHS)}
    for s in seeds(MOONS_SEEDS, seed_set):
        single = _moons_fit("identity", 0, MOONS_COMMON_LR, s)
        W0, b0 = collapse_linear(single["params"])
        epochs[0].append(_converged_epoch(single["losses"]))
        for depth in MOONS_DEPTHS:
            r = _moons_fit("identity", depth, MOONS_COMMON_LR, s)
            W, b = collapse_linear(r["params"])
            gaps.append(float(np.abs(np.r_[W.ravel() - W0.ravel(), b - b0]).max()))
            loss_gaps.append(abs(r["losses"][-1] - single["losses"][-1]))
            same_acc.append(r["acc"] == single["acc"])
            epochs[depth].append(_converged_epoch(r["losses"]))
    return {
        "gap": max(gaps),
        "loss_gap": max(loss_gaps),
        "same_acc": all(same_acc),
        "epochs": {d: np.array(e) for d, e in epochs.items()},
        # flat (within CONVERGED_TOL) for at least the last fifth of the epochs
        "converged": all(max(e) <= 0.8 * MOONS_EPOCHS for e in epochs.values()),
    }


def _reach_epoch(losses: np.ndarray, target: float) -> float:
    """The first epoch whose training loss is within `CONVERGED_TOL` of `target` (inf: never)."""
    hit = np.flatnonzero(losses <= target + CONVERGED_TOL)
    return float(hit[0]) if hit.size else math.inf


@functools.cache
def moons_speed(seed_set: int = 0) -> dict:
    """Epochs each linear-only model needs to come within `CONVERGED_TOL` of the common optimum
    (the lowest final loss of the common-step runs of its seed), at the common step and at the
    model's fastest step. The fastest step minimises the mean epochs over the seeds (inf if a
    seed never gets there), searched like the validation step (`_search_step`): a choice on
    training loss, which is what "converges sooner" is about."""
    ss = seeds(MOONS_SEEDS, seed_set)
    target = {
        s: min(
            _moons_fit("identity", d, MOONS_COMMON_LR, s)["losses"][-1] for d in (0, *MOONS_DEPTHS)
        )
        for s in ss
    }

    def epochs(depth, lr):
        return np.array(
            [_reach_epoch(_moons_fit("identity", depth, lr, s)["losses"], target[s]) for s in ss]
        )

    out = {}
    for depth in (0, *MOONS_DEPTHS):
        lr, scores = _search_step(lambda r, d=depth: float(epochs(d, r).mean()))
        out[depth] = {
            "common": epochs(depth, MOONS_COMMON_LR),
            "lr": lr,
            "fast": epochs(depth, lr),
            "bracketed": _bracketed(lr, scores),
            "failed": sorted(r for r, v in scores.items() if not math.isfinite(v)),
            "at": functools.partial(epochs, depth),  # epochs per seed at any step
        }
    return out


@functools.cache
def moons_best_line(seed_set: int = 0) -> np.ndarray:
    """The best training accuracy any line reaches, for each seed of the set."""
    return np.array(
        [best_linear_accuracy(*moons_data(s)[:2]) for s in seeds(MOONS_SEEDS, seed_set)]
    )


# ---------------------------------------------------------------------------------------------
# Experiment: one hidden layer of tanh units fits sin(2πx) better as it widens.

FIT_N = 101
FIT_WIDTHS = (1, 3, 10, 30)
FIT_SHOWN = (1, 3, FIT_WIDTHS[-1])
FIT_LR = 0.5
FIT_EPOCHS = 1500
FIT_SEEDS = 5
RELU_WIDTH = 10
RELU_LR = 0.1
RELU_EPOCHS = 1500
RELU_SEED = 0


def _init_1d(width: int, rng: np.random.Generator):
    """A 1-width-1 network whose units start with their transitions spread over [-1, 1]."""
    _, out_layer = bp.init_params([1, width, 1], rng, "xavier")
    W1 = rng.normal(0.0, 3.0, size=(1, width))  # steeper than Glorot: 1-D inputs in [-1, 1]
    centres = rng.uniform(-1.0, 1.0, size=width)
    return [(W1, -W1[0] * centres), out_layer]  # unit j switches at x = centres[j]


def _fit_lrs(lr: float, width: int) -> list[float]:
    """The steps of the hidden and the output layer. The output layer's curvature (the largest
    eigenvalue of the mean of h̃ h̃ᵀ, h̃ = (h, 1)) is below width + 1, since each |h_j| < 1, and
    near it when the units agree; gradient descent needs a step below 2 over it."""
    return [lr, min(lr, 2.0 / width)]


def _fit(target, act: str, width: int, lr: float, epochs: int, seed: int):
    x = np.linspace(-1.0, 1.0, FIT_N)[:, None]
    params0 = _init_1d(width, np.random.default_rng(seed))
    params, losses = bp.train(params0, x, target(x), _fit_lrs(lr, width), epochs, act, "identity")
    return {"params": params, "losses": losses, "mse": 2 * losses[-1]}  # ½‖·‖² → plain MSE


def _sin2pi(x):
    return np.sin(2 * np.pi * x)


def _sinpi(x):
    return np.sin(np.pi * x)


@functools.cache
def approximation_runs(seed_set: int = 0) -> list[dict[int, dict]]:
    """A 1-H-1 tanh network trained on sin(2πx) for each width H in `FIT_WIDTHS`, one dict per
    seed (the initialisation is the only random part)."""
    return [
        {h: _fit(_sin2pi, "tanh", h, FIT_LR, FIT_EPOCHS, s) for h in FIT_WIDTHS}
        for s in seeds(FIT_SEEDS, seed_set)
    ]


@functools.cache
def relu_run() -> dict:
    """A 1-10-1 ReLU network trained on sin(πx) (one seed: an illustration, not a finding),
    and the kinks of what it learned."""
    r = _fit(_sinpi, "relu", RELU_WIDTH, RELU_LR, RELU_EPOCHS, RELU_SEED)
    r["kinks"] = relu_kinks(r["params"], -1.0, 1.0)
    return r


# ---------------------------------------------------------------------------------------------
# What the page shows: figures (drawn for a theme) and values (the numbers it quotes).

FIGURE_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "gelu", "softplus")
FIGURE_SLOPE = 0.1  # leaky ReLU's slope in the figure: 0.01 would be invisible
LABELS = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "ReLU",
    "leaky_relu": f"leaky ReLU ({FIGURE_SLOPE})",
    "gelu": "GELU",
    "softplus": "softplus",
}
STYLES = ("-", "--", "-", "-.", ":", "--")


def _draw_activations(theme: Theme):
    z = np.linspace(-4, 4, 241)  # step 1/30: z = 0 is a grid point
    fig, (ax1, ax2) = new_figure(theme, ncols=2, width=9.0, height=3.9)
    for name, style in zip(FIGURE_ACTIVATIONS, STYLES):
        f = activate(name, z, negative_slope=FIGURE_SLOPE)
        df = derivative(name, z, negative_slope=FIGURE_SLOPE)
        ax1.plot(z, f, linestyle=style, label=LABELS[name])
        ax2.plot(z, df, linestyle=style, label=LABELS[name])
    ax1.set_ylim(-1.5, 4.2)
    ax1.set_title("f(z)")
    ax2.set_ylim(-0.15, 1.25)
    ax2.set_title("f′(z)")
    for ax in (ax1, ax2):
        ax.set_xlabel("pre-activation z")
    ax1.set_ylabel("activation f(z)")
    ax2.set_ylabel("derivative f′(z)")
    ax1.legend(loc="upper left")
    return fig


def _draw_boundaries(theme: Theme):
    runs = moons_runs()
    seed = seeds(1)[0]  # the first seed of set 0
    X, y = moons_data(seed)[:2]
    fig, axes = new_figure(theme, ncols=3, width=9.6, height=3.9)
    g = np.linspace(-2.4, 2.4, 101)
    gx, gy = np.meshgrid(g, g)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    c0, c1 = theme.palette[0], theme.palette[1]
    for ax, depth in zip(axes, MOONS_DEPTHS):
        relu = runs[("relu", depth)]["runs"][0]
        lin = _moons_fit("identity", depth, MOONS_COMMON_LR, seed)
        p = bp.forward(relu["params"], grid, "relu", "sigmoid")[0].reshape(gx.shape)
        # the two flat regions as a small bitmap; points and boundaries stay vector
        shade = ax.contourf(gx, gy, p, levels=[0, 0.5, 1], colors=[c0, c1], alpha=0.18, zorder=1)
        shade.set_rasterized(True)
        for label, marker, colour in ((0, "o", c0), (1, "^", c1)):
            ax.plot(*X[y == label].T, marker, markersize=3.5, color=colour, markeredgewidth=0)
        ax.contour(gx, gy, p, levels=[0.5], colors=[theme.fg], linewidths=1.6, zorder=3)
        W, b = collapse_linear(lin["params"])  # the boundary x W + b = 0 is a line
        xs = np.array([-2.4, 2.4])
        ax.plot(
            xs, -(b[0] + W[0, 0] * xs) / W[1, 0], color=theme.palette[2], linestyle="--", zorder=3
        )
        ax.set_xlim(-2.4, 2.4)
        ax.set_ylim(-2.4, 2.4)
        ax.set_aspect("equal")
        ax.grid(False)
        ax.set_xlabel("$x_1$")
        if ax is not axes[0]:
            ax.tick_params(labelleft=False)
        ax.set_title(f"{depth} hidden layer{'s' if depth > 1 else ''}")
    axes[0].set_ylabel("$x_2$")
    handles = [
        axes[0].plot([], [], color=theme.fg, label="ReLU network")[0],
        axes[0].plot([], [], color=theme.palette[2], linestyle="--", label="linear-only")[0],
        axes[0].plot([], [], "o", color=c0, label="class 0")[0],
        axes[0].plot([], [], "^", color=c1, label="class 1")[0],
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=4)
    return fig


def _draw_approximation(theme: Theme):
    all_runs = approximation_runs()
    runs = all_runs[0]  # the curves: the first seed
    fig, (ax1, ax2) = new_figure(theme, ncols=2, width=9.0, height=3.8)
    x = np.linspace(-1, 1, 401)[:, None]
    ax1.plot(x, _sin2pi(x), color=theme.fg, linewidth=3, alpha=0.35, label="sin(2πx)")
    for h, style in zip(FIT_SHOWN, ("--", "-.", "-")):
        out = bp.forward(runs[h]["params"], x, "tanh", "identity")[0]
        ax1.plot(x, out, linestyle=style, label=f"{h} unit{'s' if h > 1 else ''}")
    ax1.set_xlabel("input x")
    ax1.set_ylabel("output")
    ax1.set_ylim(-1.4, 1.75)
    ax1.legend(loc="upper center", ncols=2)
    ax1.set_title("One hidden tanh layer")
    widths = np.array(FIT_WIDTHS)
    mse = np.array([[r[h]["mse"] for h in FIT_WIDTHS] for r in all_runs])
    for row in mse:  # every seed faintly, their geometric mean on top
        ax2.plot(widths, row, "-", color=theme.palette[0], alpha=0.3, linewidth=1)
    ax2.plot(widths, np.exp(np.log(mse).mean(axis=0)), "o-", color=theme.palette[0])
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xticks(widths, [str(w) for w in widths])
    ax2.minorticks_off()
    ax2.set_xlabel("hidden units (log scale)")
    ax2.set_ylabel("mean squared error")
    ax2.set_title(f"Error after {FIT_EPOCHS} epochs, {FIT_SEEDS} seeds")
    return fig


def _draw_relu_pieces(theme: Theme):
    r = relu_run()
    params, kinks = r["params"], r["kinks"]
    fig, (ax1, ax2) = new_figure(theme, ncols=2, width=9.0, height=3.6)
    x = np.linspace(-1, 1, 401)[:, None]
    ax1.plot(x, _sinpi(x), color=theme.fg, linewidth=3, alpha=0.35, label="sin(πx)")
    ax1.plot(x, bp.forward(params, x, "relu", "identity")[0], label="ReLU network")
    at = bp.forward(params, kinks[:, None], "relu", "identity")[0]
    ax1.plot(kinks, at, "o", color=theme.palette[1], markersize=6, label="kinks")
    ax1.set_xlabel("input x")
    ax1.set_ylabel("output")
    ax1.legend(loc="upper left")
    ax1.set_title(f"1-{RELU_WIDTH}-1 ReLU network")
    edges = np.concatenate([[-1.0], kinks, [1.0]])
    out = bp.forward(params, edges[:, None], "relu", "identity")[0][:, 0]
    slopes = np.diff(out) / np.diff(edges)
    ax2.plot(
        x, np.pi * np.cos(np.pi * x), color=theme.fg, linewidth=3, alpha=0.35, label="π cos(πx)"
    )
    ax2.stairs(slopes, edges, baseline=None, linewidth=2, label="network")
    ax2.legend(loc="lower center")
    ax2.set_xlabel("input x")
    ax2.set_ylabel("slope d output / dx")
    ax2.set_title(f"Slope: constant on each of {kinks.size + 1} pieces")
    return fig


def figures():
    """Figure name → function drawing it for a theme."""
    return {
        "activations": _draw_activations,
        "boundaries": _draw_boundaries,
        "approximation": _draw_approximation,
        "relu-pieces": _draw_relu_pieces,
    }


def _pct(x: float) -> str:
    return fmt(100 * x, 1)


def _pm(xs, scale: float = 100.0, digits: int = 1) -> str:
    """Mean ± standard deviation over seeds, as the page shows it (accuracies in %)."""
    xs = scale * np.asarray(xs, dtype=float)
    return f"{fmt(xs.mean(), digits)} ± {fmt(xs.std(), digits)}"


def _key(act: str, depth: int) -> str:
    return f"{'lin' if act == 'identity' else act}{depth}"


def values() -> dict[str, object]:
    """Every number the page quotes, formatted as the page shows it (seed set 0)."""
    v: dict[str, object] = {}
    ex = worked_example()
    for key in ("W1", "b1", "W2", "b2", "W3", "b3", "x"):
        v[f"ex_{key}"] = tex_matrix(EXAMPLE[key], digits=1)
    for key, value in ex.items():
        v[f"ex_{key}"] = tex_matrix(value, digits=2)
    v["ex_b_scalar"] = fmt(ex["b"][0], 2)
    v["ex_out"] = fmt(ex["lin_out"][0, 0], 2)
    v["ex_relu_out"] = fmt(ex["relu_out"][0, 0], 2)
    v["ex_n_params"] = sum(np.size(EXAMPLE[k]) for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    v["ex_n_collapsed"] = ex["W"].size + ex["b"].size

    z = np.linspace(-3, 3, 60001)  # extremes of GELU, SiLU and GELU', for the table and text
    v["gelu_min"] = fmt(activate("gelu", z).min(), 2)
    v["silu_min"] = fmt(activate("silu", z).min(), 2)
    dg = derivative("gelu", z)
    v["gelu_dmin"] = fmt(dg.min(), 2)
    v["gelu_dmax"] = fmt(dg.max(), 2)
    v["gelu_dzero"] = fmt(z[z < 0][np.argmin(np.abs(dg[z < 0]))], 2)  # GELU'(z) = 0
    tanh_gelu = 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3)))
    v["gelu_tanh_gap"] = tex_sci(np.abs(activate("gelu", z) - tanh_gelu).max())

    runs = moons_runs()
    v.update(
        {
            "moons_n": MOONS_N,
            "moons_val_n": MOONS_VAL_N,
            "moons_test_n": MOONS_TEST_N,
            "moons_noise": fmt(MOONS_NOISE, 2),
            "moons_width": MOONS_WIDTH,
            "moons_lrs": ", ".join(fmt(r, 0) for r in MOONS_LRS),
            "moons_common_lr": fmt(MOONS_COMMON_LR, 0),
            "moons_epochs": MOONS_EPOCHS,
            "moons_seeds": MOONS_SEEDS,
            "moons_best_line_pct": _pm(moons_best_line()),
            "converged_tol": tex_sci(CONVERGED_TOL),
        }
    )
    seed = seeds(1)[0]
    for act, depth in MOONS_MODELS:
        key, m = _key(act, depth), runs[(act, depth)]
        v[f"{key}_params"] = m["runs"][0]["n_params"]
        v[f"{key}_lr"] = fmt(m["lr"], 0)
        v[f"{key}_acc"] = _pm([r["acc"] for r in m["runs"]])
        v[f"{key}_test_acc"] = _pm([r["test_acc"] for r in m["runs"]])
        if act == "identity":  # the collapsed map of the first seed, at the common step
            W, b = collapse_linear(_moons_fit(act, depth, MOONS_COMMON_LR, seed)["params"])
            v[f"{key}_W"] = tex_matrix(W.T, digits=2)
            v[f"{key}_b"] = fmt(b[0], 2)
    col = moons_collapse()
    v["moons_collapse_gap"] = tex_sci(max(col["gap"], 1e-16))
    v["moons_loss_gap"] = tex_sci(max(col["loss_gap"], 1e-16))
    lin = [runs[("identity", d)] for d in (0, *MOONS_DEPTHS)]
    v["moons_val_tie"] = tex_sci(max(np.diff(sorted(m["val_loss"].values()))[0] for m in lin))
    v["lin_at_edge"] = sum(not m["bracketed"] for m in lin)
    v["moons_lr_range"] = f"{MOONS_LR_RANGE[0]:g} to {MOONS_LR_RANGE[1]:g}"
    speed = moons_speed()
    for depth, m in speed.items():
        v[f"lin{depth}_converged"] = _pm(m["common"], 1, 0)
        v[f"lin{depth}_fast_lr"] = f"{m['lr']:g}"
        v[f"lin{depth}_fast"] = _pm(m["fast"], 1, 0)
        v[f"lin{depth}_failed"] = " and ".join(f"{r:g}" for r in m["failed"]) or "none"
    gap_common, gap_fast = _speed_gaps(speed)
    v["speed_gap_common"] = _pm(gap_common, 1, 0).replace("-", "−")
    v["speed_gap_fast"] = _pm(gap_fast, 1, 0).replace("-", "−")
    unstable = _unstable_step(speed)
    v["lin4_unstable_lr"] = f"{unstable['lr']:g}"
    v["lin0_at_unstable"] = _pm(unstable["single"], 1, 0)

    fits = approximation_runs()
    mse = {h: np.array([r[h]["mse"] for r in fits]) for h in FIT_WIDTHS}
    for h, m in mse.items():
        v[f"fit_mse_{h}"] = tex_sci(np.exp(np.log(m).mean()))  # geometric mean over seeds
        v[f"fit_mse_{h}_range"] = f"{tex_sci(m.min())} \text{{ to }} {tex_sci(m.max())}"
    ratio = mse[FIT_WIDTHS[0]] / mse[FIT_WIDTHS[-1]]
    v.update(
        {
            "fit_n": FIT_N,
            "fit_lr": fmt(FIT_LR, 1),
            "fit_epochs": FIT_EPOCHS,
            "fit_seeds": FIT_SEEDS,
            "fit_widths": ", ".join(str(h) for h in FIT_WIDTHS[:-1]) + f" and {FIT_WIDTHS[-1]}",
            "fit_max_width": FIT_WIDTHS[-1],
            "fit_mse_first_plain": f"{fits[0][FIT_WIDTHS[0]]['mse']:.2g}",  # for alt text
            "fit_mse_last_plain": f"{fits[0][FIT_WIDTHS[-1]]['mse']:.2g}",
            "fit_ratio_min": f"{ratio.min():,.0f}",
            "fit_out_lrs": ", ".join(f"{_fit_lrs(FIT_LR, h)[1]:.2g}" for h in FIT_WIDTHS[:-1])
            + f" and {_fit_lrs(FIT_LR, FIT_WIDTHS[-1])[1]:.2g}",
        }
    )
    rr = relu_run()
    v.update(
        {
            "relu_width": RELU_WIDTH,
            "relu_epochs": RELU_EPOCHS,
            "relu_lr": fmt(RELU_LR, 1),
            "relu_kinks": int(rr["kinks"].size),
            "relu_pieces": int(rr["kinks"].size + 1),
            "relu_mse": tex_sci(rr["mse"]),
        }
    )
    return v


def _unstable_step(speed: dict) -> dict:
    """The smallest step at which the deepest linear network fails to reach the optimum in
    some seed, and the single unit's epochs at that step (inf where it fails too)."""
    failed = speed[MOONS_DEPTHS[-1]]["failed"]
    lr = min(failed) if failed else math.inf
    return {"lr": lr, "single": speed[0]["at"](lr) if failed else np.array([math.inf])}


def _speed_gaps(speed: dict) -> tuple[np.ndarray, np.ndarray]:
    """Per seed: the single unit's epochs minus the slowest deep network's, at the common step
    and with each model at its fastest step."""
    gaps = []
    for key in ("common", "fast"):
        deep = np.max([speed[d][key] for d in MOONS_DEPTHS], axis=0)
        gaps.append(speed[0][key] - deep)
    return gaps[0], gaps[1]


def _mean_sd(xs) -> str:
    xs = np.asarray(xs, dtype=float)
    return f"mean {xs.mean():.3g}, sd {xs.std():.2g}"


def claims(seed_set: int = 0) -> dict[str, tuple[bool, str]]:
    """What the page concludes from its experiments, re-computed on the seeds of `seed_set`."""
    runs, col, best = moons_runs(seed_set), moons_collapse(seed_set), moons_best_line(seed_set)
    n = MOONS_SEEDS
    out: dict[str, tuple[bool, str]] = {}

    same = col["converged"] and col["same_acc"] and col["loss_gap"] < CONVERGED_TOL
    out["linear_same_map"] = (
        bool(same and col["gap"] < 0.05),
        f"{n} seeds x {len(MOONS_DEPTHS)} depths at step {MOONS_COMMON_LR:g}: largest gap to the "
        f"single unit's collapsed parameters {col['gap']:.2g} (bar 0.05), in final loss "
        f"{col['loss_gap']:.2g} (bar {CONVERGED_TOL:g}); training accuracies identical: "
        f"{col['same_acc']}",
    )

    speed = moons_speed(seed_set)
    e = {d: m["common"] for d, m in speed.items()}
    deep = np.max([e[d] for d in MOONS_DEPTHS], axis=0)  # the slowest deep network, per seed
    out["deep_linear_converge_sooner"] = (
        bool(np.all(deep < e[0])),
        f"epochs to within {CONVERGED_TOL:g} of the optimum at the same step {MOONS_COMMON_LR:g}: "
        f"single unit {_mean_sd(e[0])}; slowest deep network of each seed {_mean_sd(deep)}; "
        f"deep sooner in {int(np.sum(deep < e[0]))} of {n} seeds, smallest per-seed margin "
        f"{int((e[0] - deep).min())} epochs",
    )
    d24 = e[4] - e[2]
    out["deep_linear_2_vs_4_no_difference"] = (
        bool(abs(d24.mean()) <= d24.std()),
        f"epochs of 4 minus 2 hidden layers at step {MOONS_COMMON_LR:g}, paired by seed: "
        f"{_mean_sd(d24)}; |mean| not above sd",
    )
    unstable = _unstable_step(speed)
    out["depth_lowers_stable_step"] = (
        bool(np.all(np.isfinite(unstable["single"]))),
        f"at step {unstable['lr']:g}, the smallest searched step at which the "
        f"{MOONS_DEPTHS[-1]}-hidden-layer linear network misses the optimum in some seed, the "
        f"single unit reaches it in every seed ({_mean_sd(unstable['single'])} epochs)",
    )
    gap_common, gap_fast = _speed_gaps(speed)
    shrink = gap_common - gap_fast
    steps = ", ".join(f"{d} hidden {m['lr']:g}" for d, m in speed.items())
    out["fastest_step_gap_shrinks"] = (
        bool(shrink.mean() > shrink.std() and np.sum(shrink > 0) >= n - 1),
        f"epochs of the single unit minus the slowest deep network, paired by seed: at step "
        f"{MOONS_COMMON_LR:g} {_mean_sd(gap_common)}; each at its fastest step ({steps}) "
        f"{_mean_sd(gap_fast)}; shrinks by {_mean_sd(shrink)}, in {int(np.sum(shrink > 0))} of "
        f"{n} seeds",
    )
    out["fastest_step_no_difference"] = (
        bool(abs(gap_fast.mean()) <= gap_fast.std()),
        f"single unit minus slowest deep network, each at its fastest step, paired by seed: "
        f"{_mean_sd(gap_fast)}; |mean| not above sd, so no difference {n} seeds can resolve",
    )
    bracket = {f"ReLU {d} hidden": runs[("relu", d)]["bracketed"] for d in MOONS_DEPTHS}
    bracket |= {f"fastest step of {d} hidden": m["bracketed"] for d, m in speed.items()}
    out["steps_bracketed"] = (
        all(bracket.values()),
        "a worse step was tried on both sides of the chosen one for "
        f"{sum(bracket.values())} of {len(bracket)} searches (ReLU validation steps; linear "
        f"fastest steps); grid widened by factors of 4 within {MOONS_LR_RANGE[0]:g} to "
        f"{MOONS_LR_RANGE[1]:g}",
    )

    lin_gap = [
        best - np.array([r["acc"] for r in runs[("identity", d)]["runs"]])
        for d in (0, *MOONS_DEPTHS)
    ]
    lin_gap = np.concatenate(lin_gap)
    below = int(np.sum(lin_gap > 1e-12))
    out["linear_below_best_line"] = (
        bool(lin_gap.mean() > lin_gap.std() and below >= lin_gap.size - 1),
        f"{lin_gap.size} linear runs (4 models x {n} seeds) at their tuned steps: best line minus "
        f"training accuracy {_mean_sd(100 * lin_gap)} points, smallest {100 * lin_gap.min():.1f}; "
        f"strictly below in {below} of {lin_gap.size} runs",
    )

    parts, ok_above, ok_test = [], True, True
    for d in MOONS_DEPTHS:
        relu = runs[("relu", d)]["runs"]
        above = np.array([r["acc"] for r in relu]) - best
        diff = np.array([r["test_acc"] for r in relu]) - np.array(
            [r["test_acc"] for r in runs[("identity", d)]["runs"]]
        )
        ok_above &= bool(above.min() > 0 and above.mean() > above.std())
        ok_test &= bool(diff.min() > 0 and diff.mean() > diff.std())
        parts.append((d, above, diff))
    out["relu_above_best_line"] = (
        ok_above,
        "ReLU training accuracy minus the best line, points: "
        + "; ".join(f"{d} hidden {_mean_sd(100 * a)}, min {100 * a.min():.1f}" for d, a, _ in parts)
        + f" ({n} seeds)",
    )
    out["relu_beats_linear_test"] = (
        ok_test,
        "ReLU minus linear test accuracy, paired by seed, points: "
        + "; ".join(f"{d} hidden {_mean_sd(100 * t)}, min {100 * t.min():.1f}" for d, _, t in parts)
        + f" ({n} seeds, each model at its validation-tuned step)",
    )

    fits = approximation_runs(seed_set)
    logm = {h: np.log10([r[h]["mse"] for r in fits]) for h in FIT_WIDTHS}
    drops, ok = [], True
    for a, b in zip(FIT_WIDTHS[:2], FIT_WIDTHS[1:3]):  # 1 -> 3 -> 10 units
        drop = logm[a] - logm[b]
        ok &= bool(drop.mean() > drop.std())
        drops.append(f"{a} to {b} units {_mean_sd(drop)}")
    out["fit_error_falls_to_10_units"] = (
        ok,
        f"drop in log10 MSE, paired by seed ({len(fits)} seeds): "
        + "; ".join(drops)
        + "; each mean above its sd",
    )
    ratio = 10 ** (logm[FIT_WIDTHS[0]] - logm[FIT_WIDTHS[-1]])
    out["fit_widest_far_below_one_unit"] = (
        bool(ratio.min() > 10),
        f"MSE of 1 unit over MSE of {FIT_WIDTHS[-1]} units: smallest {ratio.min():.0f}, "
        f"largest {ratio.max():.0f} over {len(fits)} seeds (bar 10)",
    )
    return out
