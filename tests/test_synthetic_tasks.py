"""Tests for snippets/synthetic_tasks.py: the mixer and the samples by hand, seeding and
balance, the blend's ends, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from snippets import synthetic_tasks as st_
from tests.test_transfer import same_bits

MIX = st_.random_mixer(0)
PROTOS = np.zeros((2, st_.N_SIGNAL))


def test_sample_without_noise_is_the_mixer_of_the_prototype():
    mixer = st_.random_mixer(0, n_factors=5, n_inputs=6, width=4)
    protos = np.array([[1.0, -2.0], [0.5, 0.0], [3.0, 1.0]])
    X, y = st_.sample(mixer, protos, 2, 1, class_noise=0, nuisance=0, input_noise=0)
    assert X.shape == (6, 6) and sorted(y.tolist()) == [0, 0, 1, 1, 2, 2]
    for x, label in zip(X, y):
        factors = np.concatenate([protos[label], np.zeros(3)])
        expected = np.tanh(factors @ mixer.W1 + mixer.c) @ mixer.W2
        np.testing.assert_allclose(x, expected, rtol=1e-12)


def test_sample_is_seeded_and_balanced():
    mixer = st_.random_mixer(3)
    protos = np.random.default_rng(0).normal(size=(5, st_.N_SIGNAL))
    X1, y1 = st_.sample(mixer, protos, 7, 11)
    X2, y2 = st_.sample(mixer, protos, 7, 11)
    assert same_bits(X1, X2) and np.array_equal(y1, y2)
    assert np.bincount(y1).tolist() == [7] * 5
    assert X1.shape == (35, st_.N_INPUTS)


def test_blend_mixers_ends_and_middle():
    a, b = st_.random_mixer(1), st_.random_mixer(2)
    assert same_bits(st_.blend_mixers(a, b, 0).W1, a.W1)
    np.testing.assert_allclose(st_.blend_mixers(a, b, 90).W2, b.W2, atol=1e-15)
    mid = st_.blend_mixers(a, b, 45)
    np.testing.assert_allclose(mid.c, (a.c + b.c) / np.sqrt(2), rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: st_.sample(MIX, np.zeros((2, 20)), 3, 0), ValueError, ["prototypes", "(2, 20)"]),
        (lambda: st_.sample(MIX, np.zeros(4), 3, 0), ValueError, ["prototypes", "2-D"]),
        (lambda: st_.sample(MIX, [[np.nan] * 4], 3, 0), ValueError, ["prototypes", "NaN"]),
        (lambda: st_.sample(MIX, PROTOS, 0, 0), ValueError, ["n_per_class"]),
        (lambda: st_.sample(MIX, PROTOS, 3, 0, class_noise=-1), ValueError, ["class_noise"]),
        (lambda: st_.sample(MIX, PROTOS, 3, 0, input_noise="x"), TypeError, ["input_noise"]),
        (lambda: st_.sample("mixer", PROTOS, 3, 0), TypeError, ["mixer"]),
        (lambda: st_.blend_mixers(MIX, MIX, 120), ValueError, ["angle_deg", "<= 90"]),
        (
            lambda: st_.blend_mixers(MIX, st_.random_mixer(0, n_inputs=3), 10),
            ValueError,
            ["b", "shapes"],
        ),
        (lambda: st_.random_mixer(0, width=0), ValueError, ["width"]),
    ],
)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)
