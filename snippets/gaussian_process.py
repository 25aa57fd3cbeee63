"""Gaussian-process regression in numpy: kernels, posterior, marginal likelihood, fitting.

The surrogate model of Bayesian optimization (`snippets.bayesian_optimization`): a zero-mean GP
with a Matérn-5/2 or RBF kernel and one length-scale per input dimension, computed through a
Cholesky factor with jitter, its length-scales and noise chosen by marginal likelihood.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from snippets import checks

KERNELS = ("matern52", "rbf")


# --8<-- [start:kernels]
def _scaled_sq_dists(A: np.ndarray, B: np.ndarray, length_scale: np.ndarray) -> np.ndarray:
    """Σ_j (a_j − b_j)² / ℓ_j² for every pair of rows: shape (n, m)."""
    D = (A[:, None, :] - B[None, :, :]) / length_scale
    return np.sum(D * D, axis=-1)


def _kernel_from_sq(name: str, sq: np.ndarray, variance: float) -> np.ndarray:
    """The kernel as a function of the squared scaled distance r² (any shape): the one place
    each formula is written, shared by the two kernels and `fit_gp`'s batched likelihoods."""
    if name == "rbf":
        return variance * np.exp(-0.5 * sq)
    t = np.sqrt(5.0 * sq)  # √5 r, with r already measured in length-scales
    return variance * (1.0 + t + t * t / 3.0) * np.exp(-t)


# --8<-- [end:kernels]


def _length_scale(length_scale, d: int) -> np.ndarray:
    """A length-scale: one number for all d dimensions, or one per dimension, all > 0."""
    if isinstance(length_scale, numbers.Real) and not isinstance(length_scale, bool):
        return np.full(d, checks.positive_float("length_scale", length_scale))
    ls = checks.as_float_array("length_scale", length_scale, ndim=1)
    if ls.shape != (d,):
        raise ValueError(
            f"length_scale: expected a number or shape ({d},) (one per dimension), "
            f"got shape {ls.shape}"
        )
    if ls.min() <= 0:
        raise ValueError(f"length_scale: expected values > 0, got {ls}")
    return ls


def _kernel_args(A, B, length_scale, variance):
    A = checks.as_float_array("A", A, ndim=2)
    B = checks.as_float_array("B", B, ndim=2)
    if A.shape[1] != B.shape[1]:
        raise ValueError(f"B: expected shape (m, {A.shape[1]}) to match A, got {B.shape}")
    ls = _length_scale(length_scale, A.shape[1])
    return A, B, ls, checks.positive_float("variance", variance)


def rbf_kernel(A, B, length_scale=1.0, variance: float = 1.0) -> np.ndarray:
    r"""Squared-exponential covariance between the rows of A and of B.

    Parameters
    ----------
    A : array of shape (n, d)
    B : array of shape (m, d)
    length_scale : ℓ > 0, one for all dimensions or an array of shape (d,) (one per dimension)
    variance : s² > 0, the prior variance k(a, a)

    Returns
    -------
    array of shape (n, m)

    Notes
    -----
    :math:`k(a, b) = s^2 \exp(-r^2 / 2)` with
    :math:`r^2 = \sum_j (a_j - b_j)^2 / \ell_j^2`: infinitely smooth sample paths.
    """
    A, B, ls, variance = _kernel_args(A, B, length_scale, variance)
    return _kernel_from_sq("rbf", _scaled_sq_dists(A, B, ls), variance)


def matern52_kernel(A, B, length_scale=1.0, variance: float = 1.0) -> np.ndarray:
    r"""Matérn covariance with ν = 5/2; arguments and shapes as in `rbf_kernel`.

    Notes
    -----
    With :math:`r` as in `rbf_kernel` and :math:`t = \sqrt5\, r`:
    :math:`k(a, b) = s^2\,(1 + t + t^2/3)\, e^{-t}
    = s^2\,(1 + \sqrt5\, r + \tfrac53 r^2)\, e^{-\sqrt5\, r}`. Sample paths are twice
    (mean-square) differentiable, rougher than the RBF's infinitely smooth ones; Snoek et al.
    (2012) recommend it for hyper-parameter search for that reason.
    """
    A, B, ls, variance = _kernel_args(A, B, length_scale, variance)
    return _kernel_from_sq("matern52", _scaled_sq_dists(A, B, ls), variance)


def _gp_args(X, y, kernel, length_scale, variance, noise):
    X = checks.as_float_array("X", X, ndim=2, min_rows=1)
    y = checks.as_float_array("y", y, ndim=1)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y: expected shape ({X.shape[0]},) to match X, got {y.shape}")
    kernel = checks.choice("kernel", kernel, KERNELS)
    ls = _length_scale(length_scale, X.shape[1])
    variance = checks.positive_float("variance", variance)
    return X, y, kernel, ls, variance, checks.non_negative("noise", noise)


# --8<-- [start:cholesky]
def _cholesky(K: np.ndarray, noise: float, variance: float) -> np.ndarray:
    """Cholesky factor of K + (noise + jitter)·I, raising the jitter until it succeeds."""
    n = K.shape[0]
    jitter = 1e-10 * variance  # round-off makes K numerically singular for close points
    for _ in range(7):
        try:
            return np.linalg.cholesky(K + (noise + jitter) * np.eye(n))
        except np.linalg.LinAlgError:
            jitter *= 10.0
    raise ValueError(f"X: covariance not positive definite even with jitter {jitter:.1e}")


# --8<-- [end:cholesky]


def gp_posterior(
    X,
    y,
    X_new,
    length_scale=0.2,
    variance: float = 1.0,
    noise: float = 0.0,
    kernel: str = "matern52",
):
    r"""Posterior mean and standard deviation of a zero-mean GP at new points.

    Parameters
    ----------
    X : array of shape (n, d), observed inputs
    y : array of shape (n,), observed values (standardize them first: the prior mean is 0)
    X_new : array of shape (m, d)
    length_scale : ℓ > 0, a number or one per dimension, shape (d,)
    variance : s², the prior variance
    noise : observation-noise variance σ² ≥ 0 (a jitter of 1e-10·s² is always added)
    kernel : "matern52" or "rbf"

    Returns
    -------
    mean : array of shape (m,)
    std : array of shape (m,), of the latent function (the noise is not added)

    Notes
    -----
    With :math:`K = k(X, X) + \sigma^2 I = L L^\top` and :math:`k_* = k(X, x_*)`:
    :math:`\mu(x_*) = k_*^\top K^{-1} y` and
    :math:`\sigma^2(x_*) = k(x_*, x_*) - k_*^\top K^{-1} k_*`, both through triangular solves
    with :math:`L` (never an explicit inverse).
    """
    X, y, kernel, ls, variance, noise = _gp_args(X, y, kernel, length_scale, variance, noise)
    X_new = checks.as_float_array("X_new", X_new, ndim=2)
    if X_new.shape[1] != X.shape[1]:
        raise ValueError(f"X_new: expected shape (m, {X.shape[1]}) to match X, got {X_new.shape}")
    # --8<-- [start:gp]
    L = _cholesky(_kernel_from_sq(kernel, _scaled_sq_dists(X, X, ls), variance), noise, variance)
    K_s = _kernel_from_sq(kernel, _scaled_sq_dists(X, X_new, ls), variance)  # (n, m)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))  # K⁻¹ y
    V = np.linalg.solve(L, K_s)  # L⁻¹ k_*, so k_*ᵀ K⁻¹ k_* = ‖V‖²
    mean = K_s.T @ alpha
    var = variance - np.sum(V * V, axis=0)
    return mean, np.sqrt(np.maximum(var, 0.0))
    # --8<-- [end:gp]


def gp_log_marginal_likelihood(
    X, y, length_scale, variance: float = 1.0, noise: float = 0.0, kernel: str = "matern52"
) -> float:
    r"""log p(y | X) under the GP: how well the hyper-parameters explain the data.

    Notes
    -----
    :math:`\log p(y) = -\tfrac12 y^\top K^{-1} y - \sum_i \log L_{ii}
    - \tfrac n2 \log 2\pi`: a data-fit term against a complexity term.
    """
    X, y, kernel, ls, variance, noise = _gp_args(X, y, kernel, length_scale, variance, noise)
    # --8<-- [start:likelihood]
    L = _cholesky(_kernel_from_sq(kernel, _scaled_sq_dists(X, X, ls), variance), noise, variance)
    a = np.linalg.solve(L, y)
    return float(-0.5 * a @ a - np.log(np.diag(L)).sum() - 0.5 * len(y) * math.log(2 * math.pi))
    # --8<-- [end:likelihood]


LENGTH_SCALES = tuple(float(v) for v in np.geomspace(0.05, 5.0, 13))
NOISES = (1e-6, 1e-3, 1e-2, 1e-1, 0.3)


def fit_gp(X, y, kernel: str = "matern52") -> tuple[np.ndarray, float]:
    """Length-scales (one per dimension) and noise maximizing the marginal likelihood, variance 1.

    Meant for standardized y on the unit cube. First one length-scale for all dimensions and a
    noise level, from the grids `LENGTH_SCALES` × `NOISES`; then two sweeps that move each
    dimension's length-scale alone over the grid (automatic relevance determination: a
    dimension that does not matter gets a long length-scale); then the noise again. A grid
    search costs a few batched Cholesky factorizations of n × n matrices, nothing next to one
    training run, and unlike gradient ascent it cannot wander off to a degenerate optimum.
    """
    X, y, kernel, *_ = _gp_args(X, y, kernel, 1.0, 1.0, 0.0)
    n, d = X.shape
    D2 = (X[:, None, :] - X[None, :, :]) ** 2  # (n, n, d)

    def best_of(options: list[tuple[np.ndarray, float]]) -> tuple[np.ndarray, float]:
        ls = np.array([o[0] for o in options])  # (k, d)
        noise = np.array([o[1] for o in options])
        K = _kernel_from_sq(kernel, np.einsum("ijd,kd->kij", D2, 1.0 / ls**2), 1.0)
        K = K + (noise + 1e-10)[:, None, None] * np.eye(n)
        try:
            L = np.linalg.cholesky(K)  # (k, n, n), all at once
        except np.linalg.LinAlgError:  # rare: factor one by one, with more jitter where needed
            L = np.array([_cholesky(Ki, 0.0, 1.0) for Ki in K])
        a = np.linalg.solve(L, np.broadcast_to(y, (len(options), n))[..., None])[..., 0]
        loglik = -0.5 * np.sum(a * a, axis=1) - np.log(np.diagonal(L, axis1=1, axis2=2)).sum(1)
        return options[int(np.argmax(loglik))]  # the first of equals wins

    # --8<-- [start:fit]
    ls, noise = best_of([(np.full(d, v), w) for v in LENGTH_SCALES for w in NOISES])
    for _ in range(2):
        for j in range(d):
            ls, _ = best_of([(np.where(np.arange(d) == j, v, ls), noise) for v in LENGTH_SCALES])
    return best_of([(ls, w) for w in NOISES])
    # --8<-- [end:fit]
