"""Batch normalization in numpy, with PyTorch's semantics, and the experiments of DL0007.

`batchnorm_forward` / `batchnorm_backward` are the training-mode computation and its exact
gradient for `X` of shape `(N, D)` (statistics per feature) or `(N, C, H, W)` (statistics per
channel, over N, H and W). `BatchNorm` adds what a layer keeps between calls: `gamma`, `beta`
and the running statistics, updated and used exactly as `torch.nn.BatchNorm1d/2d` do.
"""

from __future__ import annotations

import numbers

import numpy as np

from snippets import checks


def _axes(X: np.ndarray) -> tuple[int, ...]:
    return (0,) if X.ndim == 2 else (0, 2, 3)


def _shape(X: np.ndarray) -> tuple[int, ...]:
    """Shape that broadcasts a per-feature vector against X."""
    return (1, -1) if X.ndim == 2 else (1, -1, 1, 1)


def _check_input(X, name: str = "X") -> np.ndarray:
    X = checks.as_float_array(name, X)
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
    gamma = _check_affine("gamma", gamma, X.shape[1])
    beta = _check_affine("beta", beta, X.shape[1])
    eps = _check_eps(eps)
    m = X.size // X.shape[1]
    if m < 2:
        raise ValueError(
            f"X: expected more than 1 value per feature to compute batch statistics, got shape "
            f"{X.shape} (use training=False, i.e. the running statistics, for a single sample)"
        )
    return _forward(X, gamma, beta, eps)


# --8<-- [start:forward]
def _forward(X, gamma, beta, eps):
    axes, shape = _axes(X), _shape(X)
    mean = X.mean(axis=axes)
    var = X.var(axis=axes)  # biased (divide by m): what normalizes the batch
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (X - mean.reshape(shape)) * inv_std.reshape(shape)
    Y = gamma.reshape(shape) * x_hat + beta.reshape(shape)
    cache = {"x_hat": x_hat, "inv_std": inv_std, "gamma": gamma, "mean": mean, "var": var}
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
    dY = checks.as_float_array("dY", dY)
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
    # the mean and the variance depend on every x of the feature: two correction terms
    dX = (gamma * inv_std).reshape(shape) * (
        dY - dbeta.reshape(shape) / m - x_hat * (dgamma.reshape(shape) / m)
    )
    return dX, dgamma, dbeta


# --8<-- [end:backward]


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
        Y, cache = batchnorm_forward(X, self.gamma, self.beta, self.eps)
        self._update(cache["mean"], cache["var"], X.size // X.shape[1])
        return Y, cache

    # --8<-- [start:running]
    def _update(self, mean, var, m):
        self.num_batches_tracked += 1
        if self.momentum is None:  # cumulative moving average
            factor = 1.0 / self.num_batches_tracked
        else:
            factor = self.momentum
        unbiased = var * m / (m - 1)  # the running variance estimates the population's
        self.running_mean = (1 - factor) * self.running_mean + factor * mean
        self.running_var = (1 - factor) * self.running_var + factor * unbiased

    def _infer(self, X):
        shape = _shape(X)
        inv_std = 1.0 / np.sqrt(self.running_var + self.eps)
        x_hat = (X - self.running_mean.reshape(shape)) * inv_std.reshape(shape)
        Y = self.gamma.reshape(shape) * x_hat + self.beta.reshape(shape)
        return Y, {"x_hat": x_hat, "inv_std": inv_std, "gamma": self.gamma, "frozen_stats": True}

    # --8<-- [end:running]

    def backward(self, dY, cache):
        """Gradients `(dX, dgamma, dbeta)` for the call that returned `cache` (either mode;
        in inference mode the running statistics are constants)."""
        return batchnorm_backward(dY, cache)
