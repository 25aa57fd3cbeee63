"""Hyper-parameter search in numpy: grid search, random search and successive halving.

Every strategy takes an objective (a score to *maximize*, e.g. validation accuracy), a search
space of named dimensions (`snippets.search_space`) and a budget, maps points of the unit cube
[0, 1]^d to hyper-parameter values and returns the trials in the order they were run.
Successive halving spends a training budget on many configurations and keeps training only the
best 1/η of them (η = 3: the best third).

Bayesian optimization lives in `snippets.bayesian_optimization`, its Gaussian process in
`snippets.gaussian_process`; this module re-exports their public names, and those of
`snippets.search_space`, so `snippets.hyperparameter_search.<name>` keeps working for all of
them. The page that uses them is `snippets/dl0008_hyperparameter_tuning.py`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from snippets import checks
from snippets.bayesian_optimization import (  # noqa: F401  (public path)
    BO_INIT,
    N_CANDIDATES,
    bayesian_search,
    expected_improvement,
)
from snippets.gaussian_process import (  # noqa: F401  (public path)
    KERNELS,
    LENGTH_SCALES,
    NOISES,
    fit_gp,
    gp_log_marginal_likelihood,
    gp_posterior,
    matern52_kernel,
    rbf_kernel,
)
from snippets.search_space import (  # noqa: F401  (public path)
    Dim,
    Objective,
    Space,
    Trial,
    best_so_far,
    check_space,
    chosen,
    evaluate,
    from_unit,
    to_unit,
    unit_to_values,
    values_to_unit,
)

# ---------------------------------------------------------------------------------------------
# Grid and random search


def grid_counts(d: int, budget: int) -> tuple[int, ...]:
    """Points per dimension of the largest near-square grid with at most `budget` points.

    Every dimension gets k = ⌊budget^(1/d)⌋ points; then, from the first dimension on, one more
    as long as the product stays within the budget (budget 20 in 2-D gives 5 × 4).
    """
    d = checks.positive_int("d", d)
    budget = checks.positive_int("budget", budget)
    k = 1
    while (k + 1) ** d <= budget:
        k += 1
    counts = [k] * d
    for j in range(d):
        if math.prod(counts) // k * (k + 1) <= budget:
            counts[j] = k + 1
    return tuple(counts)


def grid_points(counts: Sequence[int], endpoints: bool = False) -> np.ndarray:
    """The points of a grid in the unit cube, last dimension varying fastest: shape (n, d).

    With `endpoints=False` each axis is cut into `counts[j]` equal cells and the grid takes
    their centres (k = 3 gives 1/6, 1/2, 5/6); with `endpoints=True` it takes
    `linspace(0, 1, k)` (0, 1/2, 1), the bounds themselves.
    """
    if not isinstance(counts, Sequence) or len(counts) == 0:
        raise TypeError(f"counts: expected a non-empty sequence of ints, got {counts!r}")
    counts = [checks.positive_int(f"counts[{j}]", k) for j, k in enumerate(counts)]
    endpoints = checks.flag("endpoints", endpoints)
    # --8<-- [start:grid_points]
    axes = []
    for k in counts:
        if endpoints and k > 1:
            axes.append(np.linspace(0.0, 1.0, k))
        else:
            axes.append((np.arange(k) + 0.5) / k)
    return np.array(list(itertools.product(*axes)), dtype=float)
    # --8<-- [end:grid_points]


def grid_search(objective, space, budget: int, endpoints: bool = False) -> list[Trial]:
    """Evaluate every point of the largest grid that fits the budget (see `grid_counts`).

    Returns the trials in row-major order (last dimension fastest); at most `budget` of them.
    """
    checks.function("objective", objective, "a callable(params dict) -> score")
    space = check_space(space)
    # --8<-- [start:grid_search]
    counts = grid_counts(len(space), budget)
    U = grid_points(counts, endpoints)
    return [evaluate(objective, p) for p in from_unit(space, U)]
    # --8<-- [end:grid_search]


def random_search(objective, space, budget: int, rng) -> list[Trial]:
    """Evaluate `budget` points drawn independently and uniformly from the (scaled) space.

    `rng` is a `np.random.Generator` or an int seed. Uniform in the unit cube means uniform in
    log(value) for log dimensions.
    """
    checks.function("objective", objective, "a callable(params dict) -> score")
    space = check_space(space)
    budget = checks.positive_int("budget", budget)
    rng = checks.generator("rng", rng)
    # --8<-- [start:random]
    U = rng.random((budget, len(space)))
    return [evaluate(objective, p) for p in from_unit(space, U)]
    # --8<-- [end:random]


# ---------------------------------------------------------------------------------------------
# Successive halving


@dataclass(frozen=True)
class Rung:
    """One round of successive halving: the resource each survivor got and their scores."""

    resource: int
    indices: tuple[int, ...]  # into the configurations passed in
    scores: tuple[float, ...]


def successive_halving(objective, configs, min_resource: int, eta: int = 3, max_resource=None):
    """Train all configurations briefly, keep the best 1/η, give them η times more, repeat.

    Parameters
    ----------
    objective : callable(params, resource) -> score to maximize (resource = e.g. epochs)
    configs : list of n dicts (hyper-parameters)
    min_resource : resource of the first rung
    eta : the keep-1-in-η factor, ≥ 2
    max_resource : optional cap; the last rung never exceeds it

    Returns
    -------
    list of `Rung`: rung k trains ⌊n / η^k⌋ (at least 1) configurations with
    min_resource·η^k, until one configuration is left or the next rung would pass
    max_resource.
    """
    checks.function("objective", objective, "a callable(params dict, resource) -> score")
    if isinstance(configs, (str, bytes)) or not isinstance(configs, Sequence) or not configs:
        raise TypeError(f"configs: expected a non-empty list of dicts, got {configs!r:.80}")
    min_resource = checks.positive_int("min_resource", min_resource)
    eta = checks.integer("eta", eta, minimum=2)
    if max_resource is not None:
        max_resource = checks.integer("max_resource", max_resource, minimum=min_resource)
    # --8<-- [start:halving]
    r, alive = min_resource, list(range(len(configs)))
    rungs = []
    while True:
        scores = [evaluate(objective, configs[i], r).score for i in alive]
        rungs.append(Rung(r, tuple(alive), tuple(scores)))
        if len(alive) == 1 or (max_resource is not None and r * eta > max_resource):
            return rungs
        order = np.argsort(-np.array(scores), kind="stable")  # best first, ties by position
        alive = [alive[k] for k in order[: max(1, len(alive) // eta)]]
        r *= eta
    # --8<-- [end:halving]
