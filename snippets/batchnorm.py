"""Batch normalization in numpy, with PyTorch's semantics (DL0007's reference code).

`batchnorm_forward` / `batchnorm_backward`: the training-mode computation and its exact gradient
for `X` of shape `(N, D)` (statistics per feature) or `(N, C, H, W)` (per channel, over N, H, W).
`BatchNorm` keeps `gamma`, `beta` and the running statistics as `torch.nn.BatchNorm1d/2d` do, and
is a layer of `snippets.layers` (`layers.mlp(..., norms=...)`, `snippets.training.train`). The
`_naive` twins work one value at a time; `fold_into_linear` merges an inference-mode batch norm
into the dense layer before it. The page's experiments are in `snippets/dl0007_batch_norm.py`.
Deliberate departure from PyTorch: eps must be > 0 (PyTorch also accepts eps = 0).
"""

from __future__ import annotations

import math

import numpy as np

from snippets import checks


def _axes(X: np.ndarray) -> tuple[int, ...]:
    return (0,) if X.ndim == 2 else (0, 2, 3)


def _shape(X: np.ndarray) -> tuple[int, ...]:
    """Shape that broadcasts a per-feature vector against X."""
    return (1, -1) if X.ndim == 2 else (1, -1, 1, 1)


def _check_input(X) -> np.ndarray:
    X = checks.as_float_array("X", X, keep_float=True)
    if X.ndim not in (2, 4) or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"X: expected shape (N, D) or (N, C, H, W), sizes >= 1, got {X.shape}")
    return X


def _check_affine(name: str, value, features: int) -> np.ndarray:
    v = checks.as_float_array(name, value, ndim=1)
    if v.shape != (features,):
        raise ValueError(f"{name}: expected shape ({features},) (one per feature), got {v.shape}")
    return v


def _check_batch(X, gamma, beta, eps):
    """X, gamma, beta and eps for a training-mode call: batch statistics need 2+ values."""
    X = _check_input(X)
    gamma = _check_affine("gamma", gamma, X.shape[1])
    beta = _check_affine("beta", beta, X.shape[1])
    if X.size // X.shape[1] < 2:
        raise ValueError(
            f"X: expected more than 1 value per feature to compute batch statistics, got shape "
            f"{X.shape} (use training=False, i.e. the running statistics, for a single sample)"
        )
    return X, gamma, beta, checks.positive_float("eps", eps)


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
    X, gamma, beta, eps = _check_batch(X, gamma, beta, eps)
    # --8<-- [start:forward]
    axes, shape = _axes(X), _shape(X)
    mean = X.mean(axis=axes)
    Xc = X - mean.reshape(shape)
    var = (Xc * Xc).mean(axis=axes)  # biased (divide by m): this batch's spread
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = Xc * inv_std.reshape(shape)
    dt = X.dtype  # float32 stays float32 (speed), as in PyTorch
    Y = gamma.astype(dt).reshape(shape) * x_hat + beta.astype(dt).reshape(shape)
    cache = {"x_hat": x_hat, "inv_std": inv_std, "gamma": gamma, "mean": mean, "var": var}
    return Y, cache
    # --8<-- [end:forward]


def batchnorm_backward(dY, cache: dict):
    """Gradients of a loss through `batchnorm_forward`, given `dY = dL/dY`.

    Returns `dX` shaped like X, and `dgamma`, `dbeta` of shape (D,) or (C,).

    Notes
    -----
    With means :math:`\\langle\\cdot\\rangle` over the m values of a feature:
    :math:`\\partial L/\\partial\\beta = \\sum dY`,
    :math:`\\partial L/\\partial\\gamma = \\sum dY\\,\\hat x`,
    :math:`\\partial L/\\partial x = \\frac{\\gamma}{\\sqrt{\\sigma^2+\\epsilon}}
    \\left(dY - \\langle dY \\rangle - \\hat x \\langle dY\\,\\hat x \\rangle\\right)`.
    A cache of `BatchNorm` in inference mode treats the statistics as constants.
    """
    if not isinstance(cache, dict) or "x_hat" not in cache:
        raise TypeError(
            f"cache: expected the dict returned by batchnorm_forward, got {type(cache).__name__}"
        )
    dY = checks.as_float_array("dY", dY, keep_float=True)
    if dY.shape != cache["x_hat"].shape:
        raise ValueError(f"dY: expected shape {cache['x_hat'].shape} (like X), got {dY.shape}")
    x_hat, inv_std, gamma = cache["x_hat"], cache["inv_std"], cache["gamma"]
    axes, shape = _axes(dY), _shape(dY)
    if cache.get("frozen_stats"):  # inference mode: the statistics are constants
        dX = dY * (gamma * inv_std).reshape(shape)
        return dX, (dY * x_hat).sum(axis=axes), dY.sum(axis=axes)
    # --8<-- [start:backward]
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
    N, C, *HW = like.shape
    return cols if like.ndim == 2 else np.moveaxis(cols.reshape(N, *HW, C), -1, 1)


def batchnorm_forward_naive(X, gamma, beta, eps: float = 1e-5) -> np.ndarray:
    """`Y` of `batchnorm_forward`, one feature and one value at a time (for teaching).

    Parameters and shapes as in `batchnorm_forward`; returns `Y` only.
    """
    X, gamma, beta, eps = _check_batch(X, gamma, beta, eps)
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

    Returns `(dX, dgamma, dbeta)` as `batchnorm_backward` does.

    Notes
    -----
    Every :math:`x_i` reaches the loss three ways: directly through :math:`\\hat x_i`, through
    :math:`\\sigma^2` (:math:`\\partial\\sigma^2/\\partial x_i = 2(x_i-\\mu)/m`) and through
    :math:`\\mu` (:math:`\\partial\\mu/\\partial x_i = 1/m`).
    """
    X, gamma, _, eps = _check_batch(X, gamma, gamma, eps)  # (beta does not enter)
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

    A `snippets.layers` Module: `params` = [gamma, beta] (updated in place by the optimizer),
    `backward` gives `(dX, dgamma, dbeta)`; `min_batch = 2`: a batch of one has no statistics.
    """

    min_batch = 2

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1):
        self.num_features = checks.positive_int("num_features", num_features)
        self.eps = checks.positive_float("eps", eps)
        if momentum is not None:
            momentum = checks.probability("momentum (or None)", momentum)
        self.momentum = momentum
        self.gamma = np.ones(self.num_features)
        self.beta = np.zeros(self.num_features)
        self.running_mean = np.zeros(self.num_features)
        self.running_var = np.ones(self.num_features)
        self.num_batches_tracked = 0

    @property
    def params(self) -> list[np.ndarray]:
        """[gamma, beta] themselves, read on each access (so never a stale copy)."""
        return [self.gamma, self.beta]

    def __call__(self, X, training: bool = True):
        """Normalize `X`; returns `(Y, cache)` for `backward` (in either mode)."""
        training = checks.flag("training", training)
        X = _check_input(X)
        if X.shape[1] != self.num_features:
            raise ValueError(
                f"X: expected {self.num_features} features in dimension 1, got shape {X.shape}"
            )
        # --8<-- [start:running]
        if training:
            Y, cache = batchnorm_forward(X, self.gamma, self.beta, self.eps)
            self.num_batches_tracked += 1
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / self.num_batches_tracked
            else:
                factor = self.momentum
            m = X.size // X.shape[1]
            unbiased = cache["var"] * m / (m - 1)  # estimates the population's variance
            self.running_mean = (1 - factor) * self.running_mean + factor * cache["mean"]
            self.running_var = (1 - factor) * self.running_var + factor * unbiased
            return Y, cache
        shape = _shape(X)  # inference: the running statistics are constants
        inv_std = 1.0 / np.sqrt(self.running_var + self.eps)
        x_hat = (X - self.running_mean.reshape(shape)) * inv_std.reshape(shape)
        Y = self.gamma.reshape(shape) * x_hat + self.beta.reshape(shape)
        return Y, {"x_hat": x_hat, "inv_std": inv_std, "gamma": self.gamma, "frozen_stats": True}
        # --8<-- [end:running]

    def backward(self, dY, cache):
        """Gradients `(dX, dgamma, dbeta)` for the call that returned `cache` (either mode;
        in inference mode the running statistics are constants)."""
        return batchnorm_backward(dY, cache)


def fold_into_linear(W, b, bn: BatchNorm):
    """The dense layer `z = a @ W + b` followed by `bn` in inference mode, as one dense layer.

    `W` of shape (fan_in, D), `b` of shape (D,) and `bn.num_features == D`; returns
    `(W_folded, b_folded)` of the same shapes.

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


def values_per_statistic(shape) -> int:
    """How many numbers each mean and variance is computed from: N for (N, D), N·H·W for
    (N, C, H, W)."""
    if not isinstance(shape, (tuple, list)) or len(shape) not in (2, 4):
        raise ValueError(f"shape: expected (N, D) or (N, C, H, W), got {shape!r}")
    dims = [checks.positive_int("shape", s) for s in shape]
    return int(np.prod(dims)) // dims[1]
