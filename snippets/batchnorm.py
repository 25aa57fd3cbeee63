"""Batch normalization in numpy, with PyTorch's semantics, and the experiments of DL0007.

`batchnorm_forward` / `batchnorm_backward` are the training-mode computation and its exact
gradient for `X` of shape `(N, D)` (statistics per feature) or `(N, C, H, W)` (statistics per
channel, over N, H and W). `BatchNorm` adds what a layer keeps between calls: `gamma`, `beta`
and the running statistics, updated and used exactly as `torch.nn.BatchNorm1d/2d` do.
`batchnorm_forward_naive` / `batchnorm_backward_naive` do the same one value at a time, the
backward pass step by step through the mean and the variance; `fold_into_linear` merges an
inference-mode batch norm into the dense layer before it. The rest of the module is the page's
worked example, experiments (training runs of the backprop network over several seeds and a grid
of learning rates, tuned on a validation split), figures, values and claims.
"""

from __future__ import annotations

import copy
import functools
import math
import numbers

import numpy as np

from snippets import checks, datasets
from snippets.formatting import fmt, tex_matrix, tex_sci
from snippets.plotting import Theme, new_figure
from snippets.seeds import seeds


def _axes(X: np.ndarray) -> tuple[int, ...]:
    return (0,) if X.ndim == 2 else (0, 2, 3)


def _shape(X: np.ndarray) -> tuple[int, ...]:
    """Shape that broadcasts a per-feature vector against X."""
    return (1, -1) if X.ndim == 2 else (1, -1, 1, 1)


def _check_input(X, name: str = "X") -> np.ndarray:
    X = checks.as_float_array(name, X, keep_float=True)
    if X.ndim not in (2, 4):
        raise ValueError(f"{name}: expected shape (N, D) or (N, C, H, W), got {X.shape}")
    if X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"{name}: expected at least one sample and one feature, got {X.shape}")
    return X


def _check_eps(eps) -> float:
    return checks.positive_float("eps", eps)


def _check_affine(name: str, value, features: int) -> np.ndarray:
    v = checks.as_float_array(name, value, ndim=1)
    if v.shape != (features,):
        raise ValueError(f"{name}: expected shape ({features},) (one per feature), got {v.shape}")
    return v


def batchnorm_forward(X, gamma, beta, eps: float = 1e-5):
    """Normalize `X` with its own batch statistics, then scale by `gamma` and shift by `beta`.

    Parameters
    ----------
    X : array of shape (N, D) or (N, C, H, W)
    gamma, beta : arrays of shape (D,) or (C,)
    eps : float > 0, added to the variance

    Returns
    -------
    Y : array shaped like X
    cache : dict with what `batchnorm_backward` needs, plus the batch `mean` and the biased
        `var` (the running statistics are updated from these)

    Notes
    -----
    With :math:`m` values per feature (N, or N·H·W):
    :math:`\\mu = \\frac1m \\sum x`, :math:`\\sigma^2 = \\frac1m \\sum (x-\\mu)^2`,
    :math:`\\hat x = (x-\\mu)/\\sqrt{\\sigma^2+\\epsilon}`, :math:`y = \\gamma \\hat x + \\beta`.
    """
    X = _check_input(X)
    return _forward(X, *_check_batch_args(X, gamma, beta, eps))


def _check_batch_args(X: np.ndarray, gamma, beta, eps):
    """gamma, beta and eps for a training-mode call on the checked batch X."""
    gamma = _check_affine("gamma", gamma, X.shape[1])
    beta = _check_affine("beta", beta, X.shape[1])
    eps = _check_eps(eps)
    m = X.size // X.shape[1]
    if m < 2:
        raise ValueError(
            f"X: expected more than 1 value per feature to compute batch statistics, got shape "
            f"{X.shape} (use training=False, i.e. the running statistics, for a single sample)"
        )
    return gamma, beta, eps


# --8<-- [start:forward]
def _forward(X, gamma, beta, eps):
    axes, shape = _axes(X), _shape(X)
    mean = X.mean(axis=axes)
    Xc = X - mean.reshape(shape)
    var = (Xc * Xc).mean(axis=axes)  # biased (divide by m): this batch's spread
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = Xc * inv_std.reshape(shape)
    dt = X.dtype  # float32 stays float32 (speed), as in PyTorch
    Y = gamma.astype(dt).reshape(shape) * x_hat + beta.astype(dt).reshape(shape)
    cache = {
        "x_hat": x_hat,
        "inv_std": inv_std,
        "gamma": gamma,
        "mean": mean,
        "var": var,
    }
    return Y, cache


# --8<-- [end:forward]


def batchnorm_backward(dY, cache: dict):
    """Gradients of a loss through `batchnorm_forward`, given `dY = dL/dY`.

    Returns
    -------
    dX : array shaped like X
    dgamma, dbeta : arrays of shape (D,) or (C,)

    Notes
    -----
    With means :math:`\\langle\\cdot\\rangle` over the m values of a feature:
    :math:`\\partial L/\\partial\\beta = \\sum dY`,
    :math:`\\partial L/\\partial\\gamma = \\sum dY\\,\\hat x`,
    :math:`\\partial L/\\partial x = \\frac{\\gamma}{\\sqrt{\\sigma^2+\\epsilon}}
    \\left(dY - \\langle dY \\rangle - \\hat x \\langle dY\\,\\hat x \\rangle\\right)`.
    """
    if not isinstance(cache, dict) or "x_hat" not in cache:
        raise TypeError(
            f"cache: expected the dict returned by batchnorm_forward, got {type(cache).__name__}"
        )
    dY = checks.as_float_array("dY", dY, keep_float=True)
    if dY.shape != cache["x_hat"].shape:
        raise ValueError(f"dY: expected shape {cache['x_hat'].shape} (like X), got {dY.shape}")
    if cache.get("frozen_stats"):  # inference mode: the statistics are constants
        axes, shape = _axes(dY), _shape(dY)
        dX = dY * (cache["gamma"] * cache["inv_std"]).reshape(shape)
        return dX, (dY * cache["x_hat"]).sum(axis=axes), dY.sum(axis=axes)
    return _backward(dY, cache)


# --8<-- [start:backward]
def _backward(dY, cache):
    x_hat, inv_std, gamma = cache["x_hat"], cache["inv_std"], cache["gamma"]
    axes, shape = _axes(dY), _shape(dY)
    dbeta = dY.sum(axis=axes)
    dgamma = (dY * x_hat).sum(axis=axes)
    m = dY.size // dY.shape[1]
    # mean and variance depend on every x of the feature: two correction terms
    dX = (gamma * inv_std).astype(dY.dtype).reshape(shape) * (
        dY - dbeta.reshape(shape) / m - x_hat * (dgamma.reshape(shape) / m)
    )
    return dX, dgamma, dbeta


# --8<-- [end:backward]


def _columns(X: np.ndarray) -> np.ndarray:
    """X as an (m, C) array whose column c holds every value of feature (or channel) c."""
    return X if X.ndim == 2 else np.moveaxis(X, 1, -1).reshape(-1, X.shape[1])


def _uncolumns(cols: np.ndarray, like: np.ndarray) -> np.ndarray:
    if like.ndim == 2:
        return cols
    N, C, H, W = like.shape
    return np.moveaxis(cols.reshape(N, H, W, C), -1, 1)


def batchnorm_forward_naive(X, gamma, beta, eps: float = 1e-5) -> np.ndarray:
    """`Y` of `batchnorm_forward`, one feature and one value at a time (for teaching).

    Parameters and shapes as in `batchnorm_forward`; returns `Y` only.
    """
    X = _check_input(X)
    gamma, beta, eps = _check_batch_args(X, gamma, beta, eps)
    cols = _columns(X)
    m, C = cols.shape
    Y = np.empty_like(cols)
    # --8<-- [start:forward_naive]
    for c in range(C):  # one feature (or channel) at a time
        x = cols[:, c]  # its m values: N of them, or N·H·W for an image batch
        mu = sum(x[i] for i in range(m)) / m
        var = sum((x[i] - mu) ** 2 for i in range(m)) / m  # biased: divide by m
        for i in range(m):
            x_hat = (x[i] - mu) / math.sqrt(var + eps)
            Y[i, c] = gamma[c] * x_hat + beta[c]
    # --8<-- [end:forward_naive]
    return _uncolumns(Y, X)


def batchnorm_backward_naive(dY, X, gamma, eps: float = 1e-5):
    """`batchnorm_backward` for `batchnorm_forward(X, gamma, beta, eps)`, one feature and one
    value at a time, following the graph x → (μ, σ²) → x̂ → y (for teaching).

    Returns
    -------
    dX : shaped like X;  dgamma, dbeta : shape (D,) or (C,)

    Notes
    -----
    Every :math:`x_i` reaches the loss three ways: directly through :math:`\\hat x_i`, through
    :math:`\\sigma^2` (:math:`\\partial\\sigma^2/\\partial x_i = 2(x_i-\\mu)/m`) and through
    :math:`\\mu` (:math:`\\partial\\mu/\\partial x_i = 1/m`).
    """
    X = _check_input(X)
    gamma, _, eps = _check_batch_args(X, gamma, np.zeros(X.shape[1]), eps)
    dY = checks.as_float_array("dY", dY, keep_float=True)
    if dY.shape != X.shape:
        raise ValueError(f"dY: expected shape {X.shape} (like X), got {dY.shape}")
    cols, dcols = _columns(X), _columns(dY)
    m, C = cols.shape
    dX, dgamma, dbeta = np.empty_like(cols), np.empty(C), np.empty(C)
    # --8<-- [start:backward_naive]
    for c in range(C):
        x, g = cols[:, c], dcols[:, c]  # the feature's m values, dL/dy of each
        mu = sum(x) / m
        var = sum((x[i] - mu) ** 2 for i in range(m)) / m
        s = math.sqrt(var + eps)
        x_hat = [(x[i] - mu) / s for i in range(m)]
        dbeta[c] = sum(g)  # y = gamma * x_hat + beta
        dgamma[c] = sum(g[i] * x_hat[i] for i in range(m))
        dx_hat = [g[i] * gamma[c] for i in range(m)]
        # x_hat_i = (x_i - mu) * (var + eps)^(-1/2), so through var and mu:
        dvar = sum(dx_hat[i] * (x[i] - mu) for i in range(m)) * -0.5 * s**-3
        dmu = -sum(dx_hat) / s  # (mu feeds var too, but d var/d mu = 0)
        for i in range(m):
            # direct path + path through var + path through mu
            dX[i, c] = dx_hat[i] / s + dvar * 2 * (x[i] - mu) / m + dmu / m
    # --8<-- [end:backward_naive]
    return _uncolumns(dX, X), dgamma, dbeta


class BatchNorm:
    """A batch-norm layer like `torch.nn.BatchNorm1d` (X of shape (N, D)) and `BatchNorm2d`
    (X of shape (N, C, H, W)), with `affine=True` and `track_running_stats=True`.

    Training (`training=True`): normalize with the batch's mean and biased variance, then update
    `running_mean ← (1 − momentum)·running_mean + momentum·mean` and the same for
    `running_var` with the *unbiased* batch variance (m / (m − 1) times the biased one).
    `momentum=None` gives the cumulative average over all batches seen, as in PyTorch.
    Inference (`training=False`): normalize with the running statistics, which start at 0 and 1.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1):
        self.num_features = checks.positive_int("num_features", num_features)
        self.eps = _check_eps(eps)
        if momentum is not None:
            if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real):
                raise TypeError(f"momentum: expected a number in [0, 1] or None, got {momentum!r}")
            if not 0.0 <= float(momentum) <= 1.0:
                raise ValueError(f"momentum: expected a number in [0, 1] or None, got {momentum}")
            momentum = float(momentum)
        self.momentum = momentum
        self.gamma = np.ones(self.num_features)
        self.beta = np.zeros(self.num_features)
        self.running_mean = np.zeros(self.num_features)
        self.running_var = np.ones(self.num_features)
        self.num_batches_tracked = 0

    def __call__(self, X, training: bool = True):
        """Normalize `X`; returns `(Y, cache)` for `backward` (in either mode)."""
        if not isinstance(training, bool):
            raise TypeError(f"training: expected True or False, got {training!r}")
        X = _check_input(X)
        if X.shape[1] != self.num_features:
            raise ValueError(
                f"X: expected {self.num_features} features in dimension 1, got shape {X.shape}"
            )
        if not training:
            return self._infer(X)
        Y, cache = _forward(X, *_check_batch_args(X, self.gamma, self.beta, self.eps))
        self._update(cache["mean"], cache["var"], X.size // X.shape[1])
        return Y, cache

    # --8<-- [start:running]
    def _update(self, mean, var, m):
        self.num_batches_tracked += 1
        if self.momentum is None:  # cumulative moving average
            factor = 1.0 / self.num_batches_tracked
        else:
            factor = self.momentum
        unbiased = var * m / (m - 1)  # estimates the population's variance
        self.running_mean = (1 - factor) * self.running_mean + factor * mean
        self.running_var = (1 - factor) * self.running_var + factor * unbiased

    def _infer(self, X):
        shape = _shape(X)
        inv_std = 1.0 / np.sqrt(self.running_var + self.eps)
        x_hat = (X - self.running_mean.reshape(shape)) * inv_std.reshape(shape)
        Y = self.gamma.reshape(shape) * x_hat + self.beta.reshape(shape)
        return Y, {
            "x_hat": x_hat,
            "inv_std": inv_std,
            "gamma": self.gamma,
            "frozen_stats": True,  # the statistics are constants here
        }

    # --8<-- [end:running]

    def backward(self, dY, cache):
        """Gradients `(dX, dgamma, dbeta)` for the call that returned `cache` (either mode;
        in inference mode the running statistics are constants)."""
        return batchnorm_backward(dY, cache)


def fold_into_linear(W, b, bn: BatchNorm):
    """The dense layer `z = a @ W + b` followed by `bn` in inference mode, as one dense layer.

    Parameters
    ----------
    W : array of shape (fan_in, D);  b : array of shape (D,)
    bn : BatchNorm with `num_features == D`

    Returns
    -------
    W_folded : array of shape (fan_in, D);  b_folded : array of shape (D,)

    Notes
    -----
    With :math:`s = \\gamma / \\sqrt{\\text{running\\_var} + \\epsilon}` per feature:
    :math:`W' = W \\operatorname{diag}(s)` and
    :math:`b' = (b - \\text{running\\_mean})\\, s + \\beta`.
    """
    W = checks.as_float_array("W", W, ndim=2)
    if not isinstance(bn, BatchNorm):
        raise TypeError(f"bn: expected a BatchNorm, got {type(bn).__name__}")
    if W.shape[1] != bn.num_features:
        raise ValueError(
            f"W: expected {bn.num_features} columns (bn.num_features), got shape {W.shape}"
        )
    b = _check_affine("b", b, W.shape[1])
    # --8<-- [start:fold]
    scale = bn.gamma / np.sqrt(bn.running_var + bn.eps)  # constant at inference
    return W * scale, (b - bn.running_mean) * scale + bn.beta
    # --8<-- [end:fold]


# ---------------------------------------------------------------------------------------------
# Worked example: a batch of 4 samples × 2 features, then one new sample at inference.

EXAMPLE = {
    "X": [[1.0, 4.0], [2.0, 8.0], [3.0, 6.0], [6.0, 2.0]],
    "gamma": [2.0, 0.5],
    "beta": [1.0, -1.0],
    "x_new": [[4.0, 5.0]],
    "dY": [[0.5, -1.0], [-1.0, 0.5], [0.0, 1.0], [1.5, 0.5]],
    "momentum": 0.1,
}


def worked_example() -> dict[str, np.ndarray | float | int]:
    """Every intermediate number of the worked example (forward, running statistics, inference
    on a new sample, backward with its three terms)."""
    e = {k: np.array(v, dtype=float) for k, v in EXAMPLE.items()}
    bn = BatchNorm(2, momentum=EXAMPLE["momentum"])
    bn.gamma, bn.beta = e["gamma"], e["beta"]
    Y, cache = bn(e["X"], training=True)
    m = e["X"].shape[0]
    unbiased = cache["var"] * m / (m - 1)
    y_new, _ = bn(e["x_new"], training=False)
    # the output once the running statistics have settled on this batch's statistics
    y_settled = e["gamma"] * (e["x_new"] - cache["mean"]) / np.sqrt(unbiased + bn.eps) + e["beta"]
    dX, dgamma, dbeta = bn.backward(e["dY"], cache)
    k = cache["gamma"] * cache["inv_std"]
    x_hat, dY = cache["x_hat"], e["dY"]
    return {
        "Y": Y,
        "mean": cache["mean"],
        "var": cache["var"],
        "std": np.sqrt(cache["var"] + bn.eps),
        "x_hat": x_hat,
        "var_unbiased": unbiased,
        "running_mean": bn.running_mean,
        "running_var": bn.running_var,
        "y_new": y_new,
        "y_settled": y_settled,
        # batches of this kind before the running mean is within 1 % of the batch mean
        "warmup_batches": math.ceil(math.log(0.01) / math.log(1 - EXAMPLE["momentum"])),
        "dX": dX,
        "dgamma": dgamma,
        "dbeta": dbeta,
        "term_direct": k * dY,
        "term_mean": -k * dY.mean(axis=0) * np.ones_like(dY),
        "term_var": -k * x_hat * (dY * x_hat).mean(axis=0),
        "dX_colsum": dX.sum(axis=0),
        "dX_dot_xhat": (dX * x_hat).sum(axis=0),
    }


# ---------------------------------------------------------------------------------------------
# Experiment: a 6-hidden-layer ReLU network on two spirals, with and without batch norm, on a
# grid of learning rates and several seeds. Mini-batch SGD on the backprop network (MSE loss,
# sigmoid output). Each network's rate is chosen per seed on the validation loss; the test split
# is used once, at the chosen rates.

# --8<-- [start:experiment]
SIZES = (2, 32, 32, 32, 32, 32, 32, 1)  # six hidden ReLU layers of 32 units
ACT = "relu"
LRS = (0.1, 1.0, 10.0)  # the grid both networks are run (and tuned) on
EPOCHS = 30
BATCH = 32
N_SEEDS = 5  # a seed fixes the initial weights and the batch order
WORKS = 0.9  # "trains" at a rate: median validation accuracy over the seeds at least this
SNAP_EPOCHS = (0, 2, 10, EPOCHS)  # when the hidden pre-activations are recorded
PROBE = 5  # the last hidden layer (index into the hidden layers)
WATCH = 2  # hidden layer 3: its weights are scaled and their norms followed
# --8<-- [end:experiment]
LR_NAMES = ("low", "mid", "high")
MID = LRS[1]  # the rate the pitfalls and the noise figure use (where both networks train)


@functools.cache
def spiral_data():
    """Two spirals (500 points, 1.5 turns), split 300 / 100 / 100 into training, validation and
    test: `(Xtr, ytr, Xva, yva, Xte, yte)`."""
    X, y = datasets.spirals(500, noise=0.05, turns=1.5, rng=0)
    Xrest, yrest, Xte, yte = datasets.train_val_split(X, y, 0.2, rng=1)
    Xtr, ytr, Xva, yva = datasets.train_val_split(Xrest, yrest, 0.25, rng=2)
    return Xtr, ytr, Xva, yva, Xte, yte


def hidden_z(params, X, bn=None, act: str = ACT) -> list[np.ndarray]:
    """What enters each hidden layer's activation (after batch norm, if any) for the batch X.

    Batch norm uses the statistics of X itself (training mode) on copies of the layers, so the
    running statistics are left alone."""
    from snippets import backprop as bp

    norms = None if bn is None else copy.deepcopy(list(bn))
    _, cache = bp.forward(params, X, act, "sigmoid", norms, training=True)
    return list(cache.z[:-1])


def dead_fraction(z) -> float:
    """Share of the units (columns of z) that are ≤ 0 for every sample: dead ReLUs."""
    z = checks.as_float_array("z", z, ndim=2, min_rows=1)
    if z.shape[1] == 0:
        raise ValueError(f"z: expected at least one unit (column), got shape {z.shape}")
    return float(np.mean(np.all(z <= 0, axis=0)))


@functools.cache
def run(lr: float, use_bn: bool, seed: int = 0, standardize: bool = False) -> dict:
    """Train the network once and record training losses, validation loss and accuracy, weight
    norms and the probe layer's pre-activations at `SNAP_EPOCHS`. `standardize` rescales the
    inputs to mean 0 and variance 1 per coordinate (training statistics): the control for the
    inputs' small scale. The test split is not touched here."""
    from snippets import backprop as bp

    Xtr, ytr, Xva, yva, _, _ = spiral_data()
    if standardize:
        mu, sd = Xtr.mean(axis=0), Xtr.std(axis=0)
        Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    T = ytr[:, None].astype(float)
    params = bp.init_params(list(SIZES), np.random.default_rng(seed), "he")
    n_hidden = len(SIZES) - 2
    bn = [BatchNorm(SIZES[i + 1]) for i in range(n_hidden)] if use_bn else None
    snaps = {0: hidden_z(params, Xtr, bn)}
    norms = [[np.linalg.norm(W) for W, _ in params[:-1]]]

    def record(epoch, p):
        norms.append([np.linalg.norm(W) for W, _ in p[:-1]])
        if epoch in SNAP_EPOCHS:
            snaps[epoch] = hidden_z(p, Xtr, bn)

    order = np.random.default_rng([seed, 1])
    trained, losses = bp.train(
        params, Xtr, T, lr, EPOCHS, ACT, "sigmoid", batch_size=BATCH, rng=order, bn=bn,
        callback=record,
    )  # fmt: skip
    A_val = bp.forward(trained, Xva, ACT, "sigmoid", bn, False)[0]
    return {
        "losses": losses,
        "val_loss": bp.mse_loss(A_val, yva[:, None].astype(float)),
        "val_acc": bp.accuracy(A_val, yva),
        "params": trained,
        "bn": bn,
        "z": {e: snaps[e][PROBE] for e in SNAP_EPOCHS},
        "dead": {e: dead_fraction(snaps[e][PROBE]) for e in SNAP_EPOCHS},
        "z_std0": np.array([z.std() for z in snaps[0]]),  # every hidden layer at initialisation
        "weight_norms": np.array(norms),  # (EPOCHS + 1, hidden layers)
    }


@functools.cache
def grid(seed_set: int = 0) -> dict:
    """Every (rate, with/without batch norm) over the seeds of `seed_set`: arrays over seeds of
    the final training loss, validation accuracy, dead share of the last hidden layer, and the
    loss curves (seeds × epochs)."""
    out = {}
    for lr in LRS:
        for use_bn in (False, True):
            rs = [run(lr, use_bn, s) for s in seeds(N_SEEDS, seed_set)]
            out[lr, use_bn] = {
                "loss": np.array([r["losses"][-1] for r in rs]),
                "curves": np.array([r["losses"] for r in rs]),
                "val_acc": np.array([r["val_acc"] for r in rs]),
                "dead": np.array([r["dead"][EPOCHS] for r in rs]),
            }
    return out


def working_rates(seed_set: int = 0) -> dict[bool, list[float]]:
    """The rates of the grid at which each network trains: median validation accuracy over the
    seeds ≥ WORKS (the median, so that one failed seed does not decide it either way)."""
    g = grid(seed_set)
    return {b: [lr for lr in LRS if np.median(g[lr, b]["val_acc"]) >= WORKS] for b in (False, True)}


@functools.cache
def tuned(seed_set: int = 0) -> dict:
    """Per seed, each network's rate is the grid's lowest validation loss; the test split is
    evaluated once, at that rate."""
    from snippets import backprop as bp

    Xte, yte = spiral_data()[4:]
    out = {}
    for use_bn in (False, True):
        chosen, acc = [], []
        for s in seeds(N_SEEDS, seed_set):
            lr = min(LRS, key=lambda r: run(r, use_bn, s)["val_loss"])
            r = run(lr, use_bn, s)
            chosen.append(lr)
            acc.append(
                bp.accuracy(bp.forward(r["params"], Xte, ACT, "sigmoid", r["bn"], False)[0], yte)
            )
        out[use_bn] = {"lr": chosen, "test_acc": np.array(acc)}
    return out


@functools.cache
def control(seed_set: int = 0) -> np.ndarray:
    """Validation accuracies over the seeds of the plain network at the rate LRS[0] with
    standardized inputs: does a larger input scale rescue it?"""
    return np.array([run(LRS[0], False, s, True)["val_acc"] for s in seeds(N_SEEDS, seed_set)])


def _pre_norm_std(params, bn, X) -> float:
    """Standard deviation of the last hidden layer's W x + b: what its batch norm receives."""
    from snippets import backprop as bp

    _, cache = bp.forward(params, X, ACT, "sigmoid", copy.deepcopy(list(bn)), training=True)
    W, b = params[PROBE]
    return float((cache.inputs[PROBE] @ W + b).std())


@functools.cache
def drift(seed_set: int = 0) -> dict:
    """Standard deviation of what enters the last hidden layer's ReLU, at the start and at the
    end of training at rate MID, over the seeds: with and without batch norm. With batch norm
    that is the normalized gamma x_hat + beta, so `pre_start` / `pre_end` also follow the
    layer's W x + b, which its batch norm receives (for the plain network z is W x + b)."""
    from snippets import backprop as bp

    Xtr = spiral_data()[0]
    out = {}
    for use_bn in (False, True):
        rs = [run(MID, use_bn, s) for s in seeds(N_SEEDS, seed_set)]
        out[use_bn] = {
            "start": np.array([r["z"][0].std() for r in rs]),
            "end": np.array([r["z"][EPOCHS].std() for r in rs]),
        }
        if use_bn:
            fresh = [
                bp.init_params(list(SIZES), np.random.default_rng(s), "he")
                for s in seeds(N_SEEDS, seed_set)
            ]  # the same initial weights as the runs
            new_bn = [BatchNorm(n) for n in SIZES[1:-1]]
            out[use_bn]["pre_start"] = np.array([_pre_norm_std(p, new_bn, Xtr) for p in fresh])
            out[use_bn]["pre_end"] = np.array(
                [_pre_norm_std(r["params"], r["bn"], Xtr) for r in rs]
            )
    return out


# ---------------------------------------------------------------------------------------------
# Experiment: forgetting eval mode. The trained batch-norm networks (rate MID) on the validation
# set, with running statistics, and with batch statistics of batches of several sizes.

MISMATCH_SIZES = (100, 32, 8, 4, 2)
MISMATCH_ORDERS = 4
SORTED_CHUNKS = 2  # each class of the validation set is cut into this many one-class batches


def _accuracy_on_batches(params, bn, X, y, batches) -> float:
    """Accuracy when the network is (wrongly) run in training mode on the given index batches:
    each sample is normalized with the statistics of its own batch (on copies of the layers)."""
    from snippets import backprop as bp

    norms = copy.deepcopy(list(bn))
    pred = np.full(len(y), np.nan)
    for idx in batches:
        pred[idx] = bp.forward(params, X[idx], ACT, "sigmoid", norms, training=True)[0][:, 0]
    return float(np.mean((pred > 0.5) == y))


def _accuracy_in_training_mode(params, bn, X, y, order, batch_size: int) -> float:
    """`_accuracy_on_batches` with consecutive batches of `batch_size` taken from `order`."""
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    return _accuracy_on_batches(params, bn, X, y, batches)


def sorted_batches(y, rng, chunks: int = SORTED_CHUNKS) -> list[np.ndarray]:
    """One-class batches: each class's indices, shuffled, cut into `chunks` near-equal parts."""
    y = checks.as_float_array("y", y, ndim=1, min_rows=1)
    rng = checks.generator("rng", rng)
    chunks = checks.positive_int("chunks", chunks)
    smallest = min(int(np.sum(y == c)) for c in np.unique(y))
    if smallest < chunks:
        raise ValueError(
            f"chunks: expected at most {smallest} (the smallest class's size), got {chunks}"
        )
    return [
        part
        for c in np.unique(y)
        for part in np.array_split(rng.permutation(np.flatnonzero(y == c)), chunks)
    ]


@functools.cache
def mismatch_runs(seed_set: int = 0) -> dict:
    """Validation accuracies, one per seed: `eval` (running statistics), each batch size of
    MISMATCH_SIZES (training mode, mean over MISMATCH_ORDERS shuffles), `sorted` (one-class
    batches, `sorted_batches`) and `random_like_sorted` (as many random batches of the same
    sizes), both also averaged over MISMATCH_ORDERS shuffles."""
    _, _, Xva, yva, _, _ = spiral_data()
    out = {k: [] for k in ("eval", "sorted", "random_like_sorted", *MISMATCH_SIZES)}
    for s in seeds(N_SEEDS, seed_set):
        r = run(MID, True, s)
        out["eval"].append(r["val_acc"])
        rng = np.random.default_rng([s, 4])
        for m in MISMATCH_SIZES:
            orders = [rng.permutation(len(yva)) for _ in range(MISMATCH_ORDERS)]
            accs = [
                _accuracy_in_training_mode(r["params"], r["bn"], Xva, yva, o, m) for o in orders
            ]
            out[m].append(float(np.mean(accs)))
        # the control for sorting: random batches, as many and as large as the sorted ones
        sort_acc, rand_acc = [], []
        for _ in range(MISMATCH_ORDERS):
            batches = sorted_batches(yva, rng)
            sort_acc.append(_accuracy_on_batches(r["params"], r["bn"], Xva, yva, batches))
            cuts = np.cumsum([len(b) for b in batches])[:-1]
            rand = np.split(rng.permutation(len(yva)), cuts)
            rand_acc.append(_accuracy_on_batches(r["params"], r["bn"], Xva, yva, rand))
        out["sorted"].append(float(np.mean(sort_acc)))
        out["random_like_sorted"].append(float(np.mean(rand_acc)))
    return {k: np.array(v) for k, v in out.items()}


# ---------------------------------------------------------------------------------------------
# Experiment: how noisy batch statistics are. Real pre-batch-norm values (hidden layer 3 of a
# trained network, all 300 training samples), random batches drawn without replacement.

NOISE_SIZES = (2, 4, 8, 16, 32, 64)
NOISE_DRAWS = 500
NOISE_LAYER = 2


def batch_statistics_noise(values, sizes=NOISE_SIZES, draws: int = NOISE_DRAWS, rng=0) -> dict:
    """Spread across random batches (without replacement) of the batch mean, of the batch
    standard deviation and of one fixed sample's normalized value, in units of the population
    standard deviation, averaged over the columns of `values` (M samples × units).

    Returns a dict of arrays over `sizes`: `mean_sd`, `std_sd`, `xhat_sd`, and `mean_sd_theory`
    = sqrt((M − m) / ((M − 1) m)), the exact spread of a mean drawn without replacement.
    """
    values = checks.as_float_array("values", values, ndim=2, min_rows=3)
    M = values.shape[0]
    rng = checks.generator("rng", rng)
    draws = checks.positive_int("draws", draws)
    sizes = [checks.positive_int("sizes", s) for s in sizes]
    if any(not 2 <= s <= M for s in sizes):
        raise ValueError(f"sizes: expected batch sizes in 2..{M}, got {sizes}")
    sigma = values.std(axis=0)
    out = {k: [] for k in ("mean_sd", "std_sd", "xhat_sd", "mean_sd_theory")}
    for m in sizes:
        idx = np.argpartition(rng.random((draws, M)), m - 1, axis=1)[:, :m]  # m distinct rows
        batch = values[idx]  # (draws, m, units)
        out["mean_sd"].append(np.mean(batch.mean(axis=1).std(axis=0) / sigma))
        out["std_sd"].append(np.mean(batch.std(axis=1).std(axis=0) / sigma))
        # sample 0 together with m − 1 others: its normalized value depends on who they are
        others = 1 + np.argpartition(rng.random((draws, M - 1)), m - 1, axis=1)[:, : m - 1]
        batch = values[np.concatenate([np.zeros((draws, 1), int), others], axis=1)]
        x_hat = (batch[:, 0] - batch.mean(axis=1)) / np.sqrt(batch.var(axis=1) + 1e-5)
        out["xhat_sd"].append(np.mean(x_hat.std(axis=0)))
        out["mean_sd_theory"].append(math.sqrt((M - m) / ((M - 1) * m)))
    return {k: np.array(v) for k, v in out.items()}


@functools.cache
def noise_runs(seed: int = 0) -> dict:
    """`batch_statistics_noise` on what hidden layer NOISE_LAYER's batch norm receives, for the
    network trained at rate MID with `seed`."""
    from snippets import backprop as bp

    r = run(MID, True, seed)
    Xtr = spiral_data()[0]
    _, cache = bp.forward(r["params"], Xtr, ACT, "sigmoid", copy.deepcopy(r["bn"]), True)
    W, b = r["params"][NOISE_LAYER]
    pre = cache.inputs[NOISE_LAYER] @ W + b  # what the batch-norm layer receives
    return batch_statistics_noise(pre, rng=np.random.default_rng([seed, 5]))


def _slope(sizes, spread) -> float:
    """Slope of log(spread) against log(batch size): -1/2 is the 1/sqrt(m) law."""
    return float(np.polyfit(np.log(sizes), np.log(spread), 1)[0])


# ---------------------------------------------------------------------------------------------
# Experiment: batch norm makes a layer blind to the scale of its weights.


@functools.cache
def scale_invariance(layer: int = WATCH, factor: float = 10.0) -> dict:
    """At initialisation: scale one hidden layer's W by `factor`; compare outputs and gradients."""
    from snippets import backprop as bp

    Xtr, ytr = spiral_data()[:2]
    X, T = Xtr[:BATCH], ytr[:BATCH, None].astype(float)
    base = bp.init_params(list(SIZES), np.random.default_rng(0), "he")
    out = {}
    for name, f in (("one", 1.0), ("scaled", factor)):
        params = [(W * (f if i == layer else 1.0), b) for i, (W, b) in enumerate(base)]
        bn = [BatchNorm(s) for s in SIZES[1:-1]]
        A, cache = bp.forward(params, X, ACT, "sigmoid", bn, training=True)
        grads, _ = bp.backward_bn(params, cache, T)
        W, dW = params[layer][0], grads[layer][0]
        cos = np.sum(W * dW, axis=0) / (np.linalg.norm(W, axis=0) * np.linalg.norm(dW, axis=0))
        out[name] = {
            "A": A,
            "dW_norm": float(np.linalg.norm(dW)),
            "max_cos": float(np.abs(cos).max()),
        }
    return {
        "factor": factor,
        "layer": layer,
        "output_diff": float(np.abs(out["one"]["A"] - out["scaled"]["A"]).max()),
        "grad_ratio": out["one"]["dW_norm"] / out["scaled"]["dW_norm"],
        "max_cos": max(out["one"]["max_cos"], out["scaled"]["max_cos"]),
    }


@functools.cache
def fold_check(seed_set: int = 0) -> float:
    """Largest output difference on the validation set between a trained batch-norm network
    (rate MID) in inference mode and the same network with every batch norm folded into its
    dense layer, over the seeds of `seed_set`."""
    from snippets import backprop as bp

    Xva = spiral_data()[2]
    worst = 0.0
    for s in seeds(N_SEEDS, seed_set):
        r = run(MID, True, s)
        folded = [fold_into_linear(W, b, n) for (W, b), n in zip(r["params"][:-1], r["bn"])]
        folded.append(r["params"][-1])
        A = bp.forward(r["params"], Xva, ACT, "sigmoid", r["bn"], training=False)[0]
        A_folded = bp.forward(folded, Xva, ACT, "sigmoid")[0]
        worst = max(worst, float(np.abs(A - A_folded).max()))
    return worst


def values_per_statistic(shape) -> int:
    """How many numbers each mean and variance is computed from: N for (N, D), N·H·W for
    (N, C, H, W)."""
    if not isinstance(shape, (tuple, list)) or len(shape) not in (2, 4):
        raise ValueError(f"shape: expected (N, D) or (N, C, H, W), got {shape!r}")
    dims = [checks.positive_int("shape", s) for s in shape]
    return int(np.prod(dims)) // dims[1]


# ---------------------------------------------------------------------------------------------
# What the page shows: figures (drawn for a theme), values (the numbers it quotes, seed set 0)
# and claims (what it concludes, re-checked on seed set 1).


def _draw_training(theme: Theme):
    fig, axes = new_figure(theme, ncols=len(LRS), width=10.0, height=3.7)
    epochs = np.arange(EPOCHS + 1)
    g = grid(0)
    lowest = min(g[k]["curves"].min() for k in g)
    for i, (ax, lr) in enumerate(zip(axes, LRS)):
        for use_bn, color, style, label in (
            (False, theme.palette[0], "-", "without BN"),
            (True, theme.palette[1], "--", "with BN"),
        ):
            c = g[lr, use_bn]["curves"]
            ax.fill_between(epochs, c.min(axis=0), c.max(axis=0), color=color, alpha=0.2, lw=0)
            ax.plot(epochs, np.median(c, axis=0), color=color, linestyle=style, label=label)
        ax.set_yscale("log")
        ax.set_ylim(10 ** np.floor(np.log10(lowest)), 0.3)  # whole decades, shared
        ax.minorticks_off()  # a tick per decade is enough, and keeps the SVG small
        ax.set_title(f"learning rate η = {lr:g}")
        ax.set_xlabel("epoch")
        if i == 0:
            ax.set_ylabel("training loss (MSE)")
            ax.legend(loc="lower left")
        else:
            ax.tick_params(labelleft=False)
    return fig


def _draw_histograms(theme: Theme, lr: float = LRS[2]):
    fig, axes = new_figure(theme, ncols=2, width=9.0, height=3.9)
    fig.get_layout_engine().set(wspace=0.06)  # keep the panels' tick labels apart
    styles = ("-", "--", "-.", ":")
    for ax, use_bn, reach in zip(axes, (False, True), (1.0, 4.0)):
        r = run(lr, use_bn, seeds(1)[0])
        bins = np.linspace(-reach, reach, 41)
        top = 0.0
        for j, e in enumerate(SNAP_EPOCHS):
            z = np.clip(r["z"][e].ravel(), bins[0], bins[-1])  # outliers into the edge bins
            density, _ = np.histogram(z, bins=bins, density=True)
            top = max(top, density.max())
            label = f"epoch {e}" + ("" if use_bn else f": {100 * r['dead'][e]:.0f} % dead")
            ax.stairs(
                density, bins, color=theme.palette[j], linestyle=styles[j], linewidth=2, label=label
            )
        ax.axvline(0, color=theme.muted, linewidth=1)
        ax.set_xlim(-reach, reach)
        ax.set_xticks(np.linspace(-reach, reach, 5))
        ax.locator_params(axis="y", nbins=4)  # few tick labels: text is most of an SVG's bytes
        ax.set_ylim(0, 1.75 * top)  # room for the legend above the histograms
        worst = max(r["dead"].values())
        dead = "no dead units" if worst == 0 else f"at most {100 * worst:.0f} % dead"
        ax.set_title(f"with BN: {dead}" if use_bn else "without BN")
        ax.legend(loc="upper right", ncols=1 if not use_bn else 2)
    axes[0].set_ylabel("density")
    fig.supxlabel(
        f"input to the ReLU in hidden layer {PROBE + 1}, all units and samples, η = {lr:g}, seed 0",
        fontsize="medium",
    )
    return fig


def _draw_noise(theme: Theme):
    r = noise_runs(seeds(1)[0])
    sizes = np.array(NOISE_SIZES)
    fig, ax = new_figure(theme, width=6.4, height=3.8)
    ax.plot(
        sizes,
        r["xhat_sd"],
        marker="o",
        color=theme.palette[1],
        label="one sample's normalized value x̂",
    )
    ax.plot(sizes, r["std_sd"], marker="s", color=theme.palette[2], label="batch std / σ")
    ax.plot(sizes, r["mean_sd"], marker="^", color=theme.palette[0], label="batch mean / σ")
    ax.plot(
        sizes,
        r["mean_sd_theory"],
        color=theme.fg,
        linestyle=":",
        linewidth=1.5,
        label="theory for the mean",
    )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.minorticks_off()
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ticks = [0.05, 0.1, 0.2, 0.5, 1.0]
    ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_ylim(0.05, 1.2)
    ax.set_xlabel("batch size m")
    ax.set_ylabel("spread across batches (sd)")
    ax.legend(loc="lower left")
    return fig


def figures():
    """Figure name → function drawing it for a theme."""
    return {
        "training-curves": _draw_training,
        "activation-histograms": _draw_histograms,
        "batch-noise": _draw_noise,
    }


def _pct(a) -> str:
    """Accuracies over seeds as 'mean (min–max)' in percent."""
    a = 100 * np.asarray(a)
    return f"{a.mean():.0f} ({a.min():.0f}–{a.max():.0f})"


def _loss(a) -> str:
    """Losses over seeds as 'median (min–max)'."""
    a = np.asarray(a)
    return f"{np.median(a):.4f} ({a.min():.4f}–{a.max():.4f})"


def _ratio(a, digits: int = 2) -> str:
    a = np.asarray(a)
    return f"{a.mean():.{digits}f} ({a.min():.{digits}f}–{a.max():.{digits}f})"


def values() -> dict[str, object]:
    """Every number the page quotes, formatted as the page shows it (seed set 0)."""
    v: dict[str, object] = {}
    ex = worked_example()
    for key in ("X", "gamma", "beta", "x_new", "dY"):
        v[f"ex_{key}"] = tex_matrix(EXAMPLE[key], digits=1)
    for key in (
        "mean",
        "var",
        "var_unbiased",
        "running_mean",
        "running_var",
        "y_new",
        "y_settled",
        "dgamma",
        "dbeta",
        "dX_colsum",
        "x_hat",
        "Y",
        "dX",
        "term_direct",
        "term_mean",
        "term_var",
    ):
        v[f"ex_{key}"] = tex_matrix(ex[key])
    for j in (0, 1):  # zero but for eps: shown in scientific notation
        v[f"ex_dX_dot_xhat_{j + 1}"] = tex_sci(ex["dX_dot_xhat"][j])
    v["ex_std"] = tex_matrix(ex["std"])
    v["ex_momentum"] = fmt(EXAMPLE["momentum"], 1)
    v["ex_keep"] = fmt(1 - EXAMPLE["momentum"], 1)
    m = len(EXAMPLE["X"])
    v["ex_bessel"] = rf"\frac{{{m}}}{{{m - 1}}}"
    dev = np.array(EXAMPLE["X"])[:, 0] - ex["mean"][0]  # the first feature, by hand on the page
    v["ex_dev_1"] = ", ".join(fmt(d, 0) for d in dev)
    v["ex_sq_1"] = " + ".join(fmt(d * d, 0) for d in dev)
    v["ex_m"] = m
    v["ex_warmup"] = ex["warmup_batches"]

    v["exp_depth"] = len(SIZES) - 2
    v["exp_width"] = SIZES[1]
    v["exp_epochs"] = EPOCHS
    v["exp_batch"] = BATCH
    v["exp_seeds"] = N_SEEDS
    v["exp_works"] = fmt(100 * WORKS, 0)
    Xtr, _, Xva, _, Xte, _ = spiral_data()
    v["exp_ntrain"] = len(Xtr)
    v["exp_nval"] = len(Xva)
    v["exp_ntest"] = len(Xte)
    v["exp_steps"] = EPOCHS * math.ceil(len(Xtr) / BATCH)
    g = grid(0)
    for name, lr in zip(LR_NAMES, LRS):
        v[f"lr_{name}"] = f"{lr:g}"
        for tag, use_bn in (("plain", False), ("bn", True)):
            v[f"{name}_{tag}_loss"] = _loss(g[lr, use_bn]["loss"])
            v[f"{name}_{tag}_acc"] = _pct(g[lr, use_bn]["val_acc"])
            v[f"{name}_{tag}_dead"] = _pct(g[lr, use_bn]["dead"])
    tu = tuned(0)
    for tag, use_bn in (("plain", False), ("bn", True)):
        v[f"tuned_{tag}_test"] = _pct(tu[use_bn]["test_acc"])
        v[f"tuned_{tag}_lrs"] = ", ".join(f"{lr:g}" for lr in tu[use_bn]["lr"])
        v[f"tuned_{tag}_worst"] = fmt(100 * tu[use_bn]["test_acc"].min(), 0)
    worst = int(np.argmin(tu[False]["test_acc"]))
    v["tuned_plain_worst_seed"] = seeds(N_SEEDS)[worst]
    v["tuned_plain_worst_bn"] = fmt(100 * tu[True]["test_acc"][worst], 0)
    mean, sd, _ = _paired(100 * (tu[True]["test_acc"] - tu[False]["test_acc"]))
    v["tuned_diff"] = f"{mean:.1f} ± {sd:.1f}"
    v["tuned_bn_edge"] = sum(lr in (LRS[0], LRS[-1]) for lr in tu[True]["lr"])
    v["tuned_plain_edge"] = sum(lr in (LRS[0], LRS[-1]) for lr in tu[False]["lr"])
    v["control_acc"] = _pct(control(0))
    v["mid_plain_lower"] = int(np.sum(g[MID, False]["loss"] < g[MID, True]["loss"]))
    v["mid_plain_worst"] = fmt(100 * g[MID, False]["val_acc"].min(), 0)
    mean, sd, _ = _paired(100 * (control(0) - g[LRS[0], False]["val_acc"]))
    v["control_gain"] = f"{mean:.1f} ± {sd:.1f}"
    v["input_scale"] = _ratio(1 / Xtr.std(axis=0), 1)  # per coordinate
    v["high_plain_dead_early"] = _pct(
        [run(LRS[2], False, s)["dead"][SNAP_EPOCHS[1]] for s in seeds(N_SEEDS)]
    )
    v["snap_early"] = SNAP_EPOCHS[1]
    v["snap_early_steps"] = SNAP_EPOCHS[1] * math.ceil(len(Xtr) / BATCH)
    w = working_rates(0)
    v["works_bn"], v["works_plain"] = _rates(w[True]), _rates(w[False])
    dr = drift(0)
    v["drift_plain_start"] = _ratio(dr[False]["start"])
    v["drift_plain_end"] = _ratio(dr[False]["end"])
    v["drift_bn_end"] = _ratio(dr[True]["end"])
    v["drift_plain_ratio"] = _ratio(dr[False]["end"] / dr[False]["start"])
    v["drift_bn_pre_ratio"] = _ratio(dr[True]["pre_end"] / dr[True]["pre_start"])
    v["snap_mid"] = SNAP_EPOCHS[2]
    first = seeds(1)[0]
    v["high_plain_dead_seed0"] = fmt(100 * run(LRS[2], False, first)["dead"][EPOCHS], 0)
    v["high_plain_dead_mid_seed0"] = fmt(100 * run(LRS[2], False, first)["dead"][SNAP_EPOCHS[2]], 0)
    growth = np.array(
        [
            (lambda n: n[-1] / n[0])(run(LRS[2], True, s)["weight_norms"][:, WATCH])
            for s in seeds(N_SEEDS)
        ]
    )
    v["high_bn_wnorm_growth"] = _ratio(growth)
    v["high_bn_eff_lr"] = _ratio(1 / growth**2)  # eta / ||W||^2, relative to its start
    bias = max(np.abs(b).max() for s in seeds(N_SEEDS) for _, b in run(MID, True, s)["params"][:-1])
    v["bn_bias_max"] = tex_sci(bias, 0)

    mm = mismatch_runs(0)
    v["mm_eval"] = _pct(mm["eval"])
    for m in MISMATCH_SIZES:
        v[f"mm_{m}"] = _pct(mm[m])
    v["mm_sorted"] = _pct(mm["sorted"])
    v["mm_random_like_sorted"] = _pct(mm["random_like_sorted"])
    v["mm_orders"] = MISMATCH_ORDERS
    yva = spiral_data()[3]
    sizes = [len(b) for b in sorted_batches(yva, np.random.default_rng(0))]
    v["mm_sorted_count"] = len(sizes)
    v["mm_sorted_sizes"] = f"{min(sizes)}–{max(sizes)}"
    v["mm_class_counts"] = " and ".join(str(int(np.sum(yva == c))) for c in np.unique(yva))

    nz = noise_runs(first)
    for i, m in enumerate(NOISE_SIZES):
        v[f"noise_mean_{m}"] = fmt(nz["mean_sd"][i], 2)
        v[f"noise_xhat_{m}"] = fmt(nz["xhat_sd"][i], 2)
    v["noise_draws"] = NOISE_DRAWS
    v["noise_layer"] = NOISE_LAYER + 1

    sc = scale_invariance()
    v["scale_factor"] = f"{sc['factor']:g}"
    v["scale_layer"] = sc["layer"] + 1
    v["scale_output_diff"] = tex_sci(sc["output_diff"], 0)
    v["scale_grad_ratio"] = fmt(sc["grad_ratio"], 2)
    v["scale_max_cos"] = tex_sci(sc["max_cos"], 0)

    v["fold_diff"] = tex_sci(fold_check(0), 0)
    v["cnn_values"] = f"{values_per_statistic((32, 64, 56, 56)):,}"
    v["cnn_one_image"] = f"{values_per_statistic((1, 64, 56, 56)):,}"
    v["mlp_values"] = values_per_statistic((32, 64))
    return v


def _spread(a, pct: bool = True) -> str:
    """'mean X (min A, max B)' for evidence text, in percent or with three decimals."""
    a = 100 * np.asarray(a) if pct else np.asarray(a)
    d = 0 if pct else 3
    return f"mean {a.mean():.{d}f} (min {a.min():.{d}f}, max {a.max():.{d}f})"


def _rates(rates) -> str:
    return ", ".join(f"{r:g}" for r in rates) or "none"


def _paired(d) -> tuple[float, float, int]:
    """Mean, standard deviation (over seeds, n − 1) and count of positive entries of per-seed
    differences d."""
    d = np.asarray(d, dtype=float)
    return float(d.mean()), float(d.std(ddof=1)), int(np.sum(d > 0))


def _is_difference(d) -> bool:
    """The site's rule for a paired difference: mean(d) > std(d), sign in all but one seed."""
    mean, sd, pos = _paired(d)
    return mean > sd and pos >= len(d) - 1


def _no_difference(d) -> bool:
    """The site's rule for 'no difference these seeds can resolve': |mean(d)| ≤ std(d)."""
    mean, sd, _ = _paired(d)
    return abs(mean) <= sd


def _paired_text(d, digits: int = 1) -> str:
    """Per-seed differences, their mean ± std and the sign count, for evidence text."""
    mean, sd, pos = _paired(d)
    each = ", ".join(f"{x:+.{digits}f}" for x in np.asarray(d, dtype=float))
    return (
        f"per seed {each}; mean {mean:.{digits}f} ± std {sd:.{digits}f}; positive in {pos} of "
        f"{len(d)} seeds"
    )


def claims(seed_set: int = 0) -> dict[str, tuple[bool, str]]:
    """What the page concludes from its experiments: name → (holds, evidence), on the seeds of
    `seed_set`. Accuracies in the evidence are validation accuracies in percent unless said.
    Paired differences d are taken per seed (the compared runs share data, initial weights and
    batch order); std is over seeds."""
    n = N_SEEDS
    ss = seeds(n, seed_set)
    g = grid(seed_set)
    low, mid, high = LRS
    out: dict[str, tuple[bool, str]] = {}

    w = working_rates(seed_set)
    medians = {k: 100 * np.median(g[k]["val_acc"]) for k in g}
    closest = min(abs(x - 100 * WORKS) for x in medians.values())
    out["bn_works_at_more_grid_rates"] = (
        w[True] == [low, mid] and w[False] == [mid],
        f"rates where the median validation accuracy over {n} seeds is >= {100 * WORKS:.0f} "
        f"percent: with BN {_rates(w[True])}; without {_rates(w[False])}; medians "
        + "; ".join(
            f"rate {lr:g}: BN {medians[lr, True]:.0f}, plain {medians[lr, False]:.0f}" for lr in LRS
        )
        + f"; closest median {closest:.0f} points from the bar",
    )

    a, b = g[low, True], g[low, False]
    gap_acc = a["val_acc"].min() - b["val_acc"].max()
    gap_loss = b["loss"].min() - a["loss"].max()
    out["plain_stalls_low_lr"] = (
        bool(gap_acc > 0 and gap_loss > 0),
        f"rate {low:g}, {n} of {n} seeds: worst BN accuracy minus best plain accuracy "
        f"{100 * gap_acc:.0f} points; lowest plain training loss {b['loss'].min():.4f} above "
        f"highest BN loss {a['loss'].max():.4f}; BN minus plain accuracy, "
        f"{_paired_text(100 * (a['val_acc'] - b['val_acc']))}",
    )

    c = control(seed_set)
    gain = 100 * (c - b["val_acc"])
    out["standardized_inputs_do_not_rescue"] = (
        bool(c.max() < a["val_acc"].min() and not _is_difference(gain) and _no_difference(gain)),
        f"rate {low:g}, plain network on standardized inputs: {_spread(c)}; without "
        f"standardizing: {_spread(b['val_acc'])}; BN: {_spread(a['val_acc'])}; standardized "
        f"minus plain, {_paired_text(gain)}, so no gain these seeds can resolve; best control "
        f"seed {100 * (a['val_acc'].min() - c.max()):.0f} points below the worst BN seed",
    )

    a, b = g[high, True], g[high, False]
    out["plain_dies_high_lr"] = (
        bool(b["dead"].min() >= 0.5 and a["dead"].max() <= 0.05),
        f"rate {high:g}, share of dead ReLUs in the last hidden layer after training: plain "
        f"{_spread(b['dead'])} percent, BN {_spread(a['dead'])} percent ({n} seeds)",
    )
    out["bn_beats_plain_high_lr"] = (
        bool(
            a["val_acc"].min() > b["val_acc"].max() and _is_difference(a["val_acc"] - b["val_acc"])
        ),
        f"rate {high:g}: BN {_spread(a['val_acc'])}, plain {_spread(b['val_acc'])}; worst BN "
        f"seed {100 * (a['val_acc'].min() - b['val_acc'].max()):.0f} points above the best "
        f"plain; BN minus plain, {_paired_text(100 * (a['val_acc'] - b['val_acc']))}",
    )

    tu = tuned(seed_set)
    ta, tb = tu[True]["test_acc"], tu[False]["test_acc"]
    d = 100 * (ta - tb)
    worst = int(np.argmin(tb))
    out["tuned_no_meaningful_difference"] = (
        _no_difference(d),
        f"test accuracy at each network's validation-tuned rate ({n} seeds, 100 test points): "
        f"BN {_spread(ta)} (rates {_rates(tu[True]['lr'])}), plain {_spread(tb)} (rates "
        f"{_rates(tu[False]['lr'])}); BN minus plain, {_paired_text(d)}; |mean| <= std, so no "
        f"difference these seeds can resolve; plain's worst seed is seed {ss[worst]}: plain "
        f"{100 * tb[worst]:.0f}, BN {100 * ta[worst]:.0f}",
    )
    close = int(np.sum(np.abs(d) <= 3))
    out["tuned_most_seeds_within_3_points"] = (
        close >= n - 1,
        f"test accuracies of BN and plain at their tuned rates within 3 points (3 test samples) "
        f"in {close} of {n} seeds; per-seed differences {', '.join(f'{x:+.0f}' for x in d)}",
    )
    out["tuned_bn_no_failed_seed"] = (
        bool(ta.min() >= WORKS),
        f"BN test accuracy at its tuned rate {_spread(ta)}, every seed at least "
        f"{100 * WORKS:.0f}; plain {_spread(tb)}",
    )

    dr = drift(seed_set)
    rp = dr[False]["end"] / dr[False]["start"]
    rb = dr[True]["end"] / dr[True]["start"]
    rw = dr[True]["pre_end"] / dr[True]["pre_start"]
    out["scale_drifts_without_bn"] = (
        bool(rp.min() > 1.2),
        f"rate {mid:g}, std of the last hidden layer's W x + b, end over start of training: "
        f"plain {_spread(rp, False)} ({n} seeds, threshold 1.2); for comparison, with BN the "
        f"same W x + b {_spread(rw, False)} and the normalized output reaching the ReLU "
        f"{_spread(rb, False)}",
    )
    out["bn_input_still_drifts"] = (
        _is_difference(rw - 1),
        f"rate {mid:g}, BN network, std of the last hidden layer's W x + b (what its batch norm "
        f"receives), end over start, minus 1: {_paired_text(rw - 1, 3)}",
    )

    grows = [
        bool(np.all(np.diff(run(lr, True, s)["weight_norms"], axis=0) > 0))
        for lr in LRS
        for s in ss
    ]
    out["bn_weight_norms_grow"] = (
        all(grows),
        f"every hidden layer's weight norm grew at every epoch in {sum(grows)} of {len(grows)} "
        f"BN runs ({len(LRS)} rates x {n} seeds)",
    )

    mm = mismatch_runs(seed_set)
    steps = list(zip(MISMATCH_SIZES[:-2], MISMATCH_SIZES[1:-1]))  # 100 → 32 → 8 → 4
    drops = [100 * (mm[big] - mm[small]) for big, small in steps]
    drop4 = mm["eval"] - mm[4]
    out["train_mode_small_batches_hurt"] = (
        bool(all(_is_difference(x) for x in drops) and drop4.min() > 0.3),
        "training mode, accuracy lost at each step down in batch size: "
        + "; ".join(f"{big} to {small}: {_paired_text(x)}" for (big, small), x in zip(steps, drops))
        + f"; inference mode minus batches of 4: {_spread(drop4)} points, threshold 30",
    )
    out["batches_of_two_near_chance"] = (
        bool(abs(mm[2].mean() - 0.5) < 0.05),
        f"training mode, batches of 2: {_spread(mm[2])} percent; chance is 50 percent, "
        f"threshold 5 points",
    )
    d = 100 * (mm["random_like_sorted"] - mm["sorted"])
    out["class_sorted_batches_hurt"] = (
        _is_difference(d),
        f"training mode, one-class batches ({SORTED_CHUNKS} per class): "
        f"{_spread(mm['sorted'])}; random batches of the same sizes: "
        f"{_spread(mm['random_like_sorted'])}; random minus sorted, {_paired_text(d)}",
    )

    nz = [noise_runs(s) for s in ss]
    dev = max(float(np.max(np.abs(r["mean_sd"] / r["mean_sd_theory"] - 1))) for r in nz)
    out["batch_mean_follows_theory"] = (
        dev < 0.1,
        f"largest relative gap between the measured spread of batch means and the sampling "
        f"formula: {100 * dev:.1f} percent, threshold 10 (batch sizes {NOISE_SIZES[0]}-"
        f"{NOISE_SIZES[-1]}, {n} trained networks, {NOISE_DRAWS} batches each)",
    )
    slopes = np.array([[_slope(NOISE_SIZES, r[k]) for k in ("std_sd", "xhat_sd")] for r in nz])
    out["batch_noise_falls_like_root_m"] = (
        bool(np.all((slopes > -0.7) & (slopes < -0.4))),
        f"log-log slope against batch size (1/sqrt(m) is -0.5, accepted -0.7 to -0.4): batch std "
        f"{_spread(slopes[:, 0], False)}, "
        f"one sample's normalized value {_spread(slopes[:, 1], False)} ({n} networks)",
    )
    return out
