"""Synthetic classification tasks with shared structure, for transfer learning (DL0005, DL0006).

Every input is `n_inputs` numbers made by one fixed random nonlinear map (the "mixer") from a
few class-relevant factors and more nuisance factors, plus noise. Two tasks that draw their
classes (prototypes in the signal factors) through the same mixer share what a network must
learn about the inputs; blending the mixer towards an unrelated one opens a domain gap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from snippets import checks

N_SIGNAL = 4  # latent factors the labels depend on
N_NUISANCE = 8  # latent factors no label depends on
N_INPUTS = 32
MIX_WIDTH = 32
MIX_GAIN = 1.5
CLASS_NOISE = 0.15  # spread of a class around its prototype, per signal factor
NUISANCE = 1.0  # spread of every nuisance factor
INPUT_NOISE = 0.2


@dataclass(frozen=True)
class Mixer:
    """The fixed map from latent factors to inputs: `x = tanh(f @ W1 + c) @ W2` (plus noise).

    `W1` has shape (n_factors, width), `c` (width,), `W2` (width, n_inputs); the first
    `n_factors - n_nuisance` factors carry the class, the rest are nuisance.
    """

    W1: np.ndarray
    c: np.ndarray
    W2: np.ndarray


def _mixer(name: str, m) -> Mixer:
    if not isinstance(m, Mixer):
        raise TypeError(f"{name}: expected a Mixer, got {checks.describe(m)}")
    return m


def random_mixer(
    rng,
    n_factors: int = N_SIGNAL + N_NUISANCE,
    n_inputs: int = N_INPUTS,
    width: int = MIX_WIDTH,
    gain: float = MIX_GAIN,
) -> Mixer:
    """A random mixer: Gaussian weights scaled so that every layer keeps unit-size signals."""
    rng = checks.generator("rng", rng)
    n_factors = checks.positive_int("n_factors", n_factors)
    n_inputs = checks.positive_int("n_inputs", n_inputs)
    width = checks.positive_int("width", width)
    gain = checks.positive_float("gain", gain)
    W1 = rng.normal(0.0, gain / np.sqrt(n_factors), size=(n_factors, width))
    c = rng.normal(0.0, 0.5, size=width)
    W2 = rng.normal(0.0, 1.0 / np.sqrt(width), size=(width, n_inputs))
    return Mixer(W1, c, W2)


def blend_mixers(a: Mixer, b: Mixer, angle_deg: float) -> Mixer:
    """`cos θ · a + sin θ · b`, entry by entry: θ = 0 gives `a`, θ = 90 gives the unrelated `b`.

    Two independent random mixers blended this way keep the weights' scale at every angle, so
    θ measures only how far the source's input distribution has moved from the target's.
    """
    a, b = _mixer("a", a), _mixer("b", b)
    if a.W1.shape != b.W1.shape or a.W2.shape != b.W2.shape:
        raise ValueError(
            f"b: expected the shapes of a ({a.W1.shape}, {a.W2.shape}), "
            f"got ({b.W1.shape}, {b.W2.shape})"
        )
    t = np.deg2rad(checks.number("angle_deg", angle_deg, 0.0, 90.0))
    return Mixer(*(np.cos(t) * u + np.sin(t) * v for u, v in zip(_arrays(a), _arrays(b))))


def _arrays(m: Mixer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return m.W1, m.c, m.W2


def sample(
    mixer: Mixer,
    prototypes,
    n_per_class: int,
    rng,
    class_noise: float = CLASS_NOISE,
    nuisance: float = NUISANCE,
    input_noise: float = INPUT_NOISE,
):
    """Draw `n_per_class` examples of every class, shuffled.

    Parameters
    ----------
    mixer : Mixer with `W1` of shape (n_signal + n_nuisance, width)
    prototypes : array of shape (K, n_signal), one point per class in the signal factors
    n_per_class : int >= 1
    rng : np.random.Generator or int seed
    class_noise, nuisance, input_noise : float >= 0, standard deviations

    Returns
    -------
    X : array of shape (K * n_per_class, n_inputs)
    y : int array of shape (K * n_per_class,), labels 0..K-1
    """
    mixer = _mixer("mixer", mixer)
    prototypes = checks.as_float_array("prototypes", prototypes, ndim=2, min_rows=1)
    n_factors = mixer.W1.shape[0]
    if not 1 <= prototypes.shape[1] <= n_factors:
        raise ValueError(
            f"prototypes: expected shape (K, n_signal) with n_signal in 1..{n_factors} "
            f"(the mixer's factors), got {prototypes.shape}"
        )
    n_per_class = checks.positive_int("n_per_class", n_per_class)
    rng = checks.generator("rng", rng)
    class_noise = checks.non_negative("class_noise", class_noise)
    nuisance = checks.non_negative("nuisance", nuisance)
    input_noise = checks.non_negative("input_noise", input_noise)
    # --8<-- [start:sample]
    K, n_signal = prototypes.shape
    y = np.repeat(np.arange(K), n_per_class)
    signal = prototypes[y] + class_noise * rng.standard_normal((y.size, n_signal))
    other = nuisance * rng.standard_normal((y.size, mixer.W1.shape[0] - n_signal))
    hidden = np.tanh(np.hstack([signal, other]) @ mixer.W1 + mixer.c)
    X = hidden @ mixer.W2 + input_noise * rng.standard_normal((y.size, mixer.W2.shape[1]))
    order = rng.permutation(y.size)
    return X[order], y[order]
    # --8<-- [end:sample]
