"""The generated world of the transfer experiment DL0005 and DL0006 share: a source task of 16
classes and a target task of 5 other classes, both seen through linear mixers
(`snippets.synthetic_tasks`); turning the source's mixer away from the target's opens a domain
gap. Every draw is seeded from `WORLD_SEED`, so every process sees the same world.
"""

from __future__ import annotations

import numpy as np

from snippets import checks
from snippets.memo import memo
from snippets.synthetic_tasks import N_SIGNAL, blend_mixers, random_mixer, sample

# --- the world -----------------------------------------------------------------------------
SOURCE_CLASSES = 16
SOURCE_PER_CLASS = 150
TARGET_CLASSES = 5
TEST_PER_CLASS = 100
WORLD_SEED = 2024

VAL_PER_CLASS = 10  # carved off each seed's labelled target data, never trained on


class World:
    """The target's mixer, an unrelated mixer, the class prototypes and the target test set."""

    def __init__(self, rng: np.random.Generator):
        self.target_mixer = random_mixer(rng)
        self.other_mixer = random_mixer(rng)
        self.source_prototypes = rng.normal(size=(SOURCE_CLASSES, N_SIGNAL))
        self.target_prototypes = rng.normal(size=(TARGET_CLASSES, N_SIGNAL))  # other classes
        self.X_test, self.y_test = sample(
            self.target_mixer, self.target_prototypes, TEST_PER_CLASS, rng
        )


@memo
def world() -> World:
    return World(np.random.default_rng(WORLD_SEED))


def _angle(angle_deg) -> int:
    return checks.integer("angle_deg", angle_deg, 0, 90)


def source_data(angle_deg: int, n_per_class: int = SOURCE_PER_CLASS, part: int = 0):
    """Source examples at `angle_deg` degrees from the target (`part` 0: the training set,
    1: fresh data for validation)."""
    angle_deg = _angle(angle_deg)
    n_per_class = checks.integer("n_per_class", n_per_class, 1, SOURCE_PER_CLASS)
    part = checks.integer("part", part, 0, 1)
    rng = np.random.default_rng([WORLD_SEED, 1, angle_deg, part])
    w = world()
    mixer = blend_mixers(w.target_mixer, w.other_mixer, angle_deg)
    return sample(mixer, w.source_prototypes, n_per_class, rng)


def target_data(n_per_class: int, seed: int):
    """The seed's labelled target data, split: `n_per_class` training examples per class and
    `VAL_PER_CLASS` validation examples per class carved off the same draw."""
    n_per_class = checks.positive_int("n_per_class", n_per_class)
    seed = checks.integer("seed", seed, 0)
    rng = np.random.default_rng([WORLD_SEED, 2, seed, n_per_class])
    w = world()
    X, y = sample(w.target_mixer, w.target_prototypes, n_per_class + VAL_PER_CLASS, rng)
    val = np.zeros(y.size, dtype=bool)
    for k in range(TARGET_CLASSES):  # the first VAL_PER_CLASS of every class (order is random)
        val[np.flatnonzero(y == k)[:VAL_PER_CLASS]] = True
    return X[~val], y[~val], X[val], y[val]
