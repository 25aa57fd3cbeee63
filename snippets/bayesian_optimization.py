"""Bayesian optimization in numpy: expected improvement and the GP-based search loop.

`bayesian_search` fits a Gaussian process (`snippets.gaussian_process`: Matérn-5/2 or RBF
kernel, length-scales and noise by marginal likelihood) to the scores seen so far and runs the
candidate with the largest expected improvement next. Spaces and trials are those of
`snippets.search_space`.
"""

from __future__ import annotations

import math

import numpy as np

from snippets import checks
from snippets.gaussian_process import KERNELS, fit_gp, gp_posterior
from snippets.search_space import (
    Trial,
    check_space,
    evaluate,
    from_unit,
    to_unit,
    unit_to_values,
    values_to_unit,
)


def expected_improvement(mean, std, best: float, xi: float = 0.0) -> np.ndarray:
    r"""E[max(f − best − ξ, 0)] for f ~ N(mean, std²), elementwise (for maximization).

    Parameters
    ----------
    mean, std : arrays of the same shape, the GP posterior (std ≥ 0)
    best : the best score observed so far
    xi : ξ ≥ 0, a margin that favours exploration

    Returns
    -------
    array shaped like `mean`, ≥ 0

    Notes
    -----
    With :math:`\Delta = \mu - f^* - \xi` and :math:`z = \Delta / \sigma`:
    :math:`\mathrm{EI} = \Delta\, \Phi(z) + \sigma\, \varphi(z)`, and
    :math:`\max(\Delta, 0)` where :math:`\sigma = 0`. Large where the mean is high
    (exploitation) *or* the uncertainty is (exploration).
    """
    mean = checks.as_float_array("mean", mean)
    std = checks.as_float_array("std", std)
    if std.shape != mean.shape:
        raise ValueError(f"std: expected shape {mean.shape} to match mean, got {std.shape}")
    if std.size and std.min() < 0:
        raise ValueError(f"std: expected standard deviations >= 0, got min {std.min()}")
    best = checks.number("best", best)
    xi = checks.non_negative("xi", xi)
    # --8<-- [start:ei]
    delta = mean - best - xi
    ei = np.maximum(delta, 0.0)
    pos = std > 0
    with np.errstate(over="ignore"):  # a tiny σ: z = ±inf, clipped where Φ, φ are 0 or 1
        z = np.clip(delta[pos] / std[pos], -40.0, 40.0)
    Phi = 0.5 * np.vectorize(math.erfc, otypes=[float])(-z / math.sqrt(2.0))  # normal CDF
    phi = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    ei[pos] = delta[pos] * Phi + std[pos] * phi
    return np.maximum(ei, 0.0)  # Δ·Φ(z) + σ·φ(z) can round to -1e-17
    # --8<-- [end:ei]


BO_INIT = 5  # random trials before the GP takes over
N_CANDIDATES = 1000  # random points scored by EI per step (and as many near the best)


def bayesian_search(
    objective,
    space,
    budget: int,
    rng,
    n_init: int = BO_INIT,
    kernel: str = "matern52",
    length_scale: float | None = None,
    n_candidates: int = N_CANDIDATES,
    xi: float = 0.01,
) -> list[Trial]:
    """GP-based Bayesian optimization with expected improvement, on the unit-scaled space.

    The first `n_init` trials are uniform random (the same points `random_search` draws first
    from an equally seeded `rng`). After that, each trial: standardize the scores, fit the GP
    (length-scale and noise by marginal likelihood, or `length_scale` fixed), score
    `n_candidates` random points of the cube plus as many around the best trial by expected
    improvement, and run the best candidate.

    Returns the `budget` trials in order.
    """
    checks.function("objective", objective, "a callable(params dict) -> score")
    space = check_space(space)
    budget = checks.positive_int("budget", budget)
    n_init = checks.integer("n_init", n_init, minimum=1, maximum=budget)
    kernel = checks.choice("kernel", kernel, KERNELS)
    if length_scale is not None:
        length_scale = checks.positive_float("length_scale", length_scale)
    n_candidates = checks.positive_int("n_candidates", n_candidates)
    xi = checks.non_negative("xi", xi)
    rng = checks.generator("rng", rng)
    # --8<-- [start:bayes]
    d = len(space)
    trials = [evaluate(objective, p) for p in from_unit(space, rng.random((n_init, d)))]
    while len(trials) < budget:
        U = to_unit(space, [t.params for t in trials])  # where the runs really were
        s = np.array([t.score for t in trials])
        y = (s - s.mean()) / (s.std() if s.std() > 0 else 1.0)
        ls, noise = fit_gp(U, y, kernel) if length_scale is None else (length_scale, 1e-6)
        near = U[np.argmax(y)] + 0.05 * rng.standard_normal((n_candidates, d))
        cand = np.concatenate([rng.random((n_candidates, d)), np.clip(near, 0.0, 1.0)])
        cand = values_to_unit(space, unit_to_values(space, cand))  # snap integer dimensions
        mean, std = gp_posterior(U, y, cand, ls, 1.0, noise, kernel)
        ei = expected_improvement(mean, std, float(y.max()), xi)
        trials.append(evaluate(objective, from_unit(space, cand[[np.argmax(ei)]])[0]))
    return trials
    # --8<-- [end:bayes]
