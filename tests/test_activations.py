"""Tests for snippets/activations.py: the one activation registry (values, derivatives, the
conventions at the kinks, bad input)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from snippets import activations as act


@pytest.mark.parametrize("name", act.ACTIVATIONS)
def test_derivatives_match_finite_differences(name):
    rng = np.random.default_rng(1)
    z = rng.normal(0, 2.5, size=200)
    z = z[np.abs(z) > 1e-2]  # keep the centred difference off the kinks at 0
    h = 1e-5
    kw = {"negative_slope": 0.07, "alpha": 1.3}
    numeric = (act.activate(name, z + h, **kw) - act.activate(name, z - h, **kw)) / (2 * h)
    analytic = act.derivative(name, z, **kw)
    err = np.linalg.norm(analytic - numeric) / max(
        1e-8, np.linalg.norm(analytic) + np.linalg.norm(numeric)
    )
    assert err <= 1e-7


@pytest.mark.parametrize("name", act.ACTIVATIONS)
def test_derivative_from_the_output_equals_the_derivative_from_z(name):
    z = np.linspace(-5, 5, 101).reshape(1, -1)  # z = 0 is a grid point: the kinks too
    kw = {"negative_slope": 0.07, "alpha": 1.3}
    a = act.activate(name, z, **kw)
    np.testing.assert_array_equal(act.derivative(name, z, a, **kw), act.derivative(name, z, **kw))


def test_activation_values_by_hand():
    a, d = act.activate, act.derivative
    assert a("sigmoid", 0.0) == 0.5 and d("sigmoid", 0.0) == 0.25
    assert a("softplus", 0.0) == pytest.approx(math.log(2), rel=1e-15)
    assert a("softplus", 1000.0) == 1000.0  # no overflow
    assert a("gelu", 1.0) == pytest.approx(0.8413447460685429, rel=1e-14)  # Φ(1)
    assert d("gelu", 0.0) == 0.5
    assert a("silu", 1.0) == pytest.approx(1 / (1 + math.exp(-1)), rel=1e-14)
    assert a("elu", -1.0) == pytest.approx(math.exp(-1) - 1, rel=1e-14)
    assert a("elu", -1.0, alpha=2.0) == pytest.approx(2 * (math.exp(-1) - 1), rel=1e-14)
    assert a("elu", 700.0) == 700.0  # no overflow in the unused branch
    assert a("leaky_relu", -2.0) == pytest.approx(-0.02)
    assert a("leaky_relu", -2.0, negative_slope=0.2) == pytest.approx(-0.4)
    # the values at the kinks are PyTorch's
    assert d("relu", 0.0) == 0.0
    assert d("leaky_relu", 0.0) == 0.01
    assert d("elu", 0.0, alpha=1.5) == 1.5
    assert a("identity", [[1.0, -2.0]]).shape == (1, 2)


def test_identity_returns_a_new_array():
    z = np.array([1.0, -2.0])
    out = act.activate("identity", z)
    out[0] = 99.0
    assert z[0] == 1.0


def test_gelu_is_close_to_its_tanh_approximation():
    z = np.linspace(-6, 6, 1201)
    approx = 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3)))
    assert np.abs(act.activate("gelu", z) - approx).max() < 1e-3


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: act.activate("swish", 1.0), ValueError, ["name", "swish"]),
        (lambda: act.activate(3, 1.0), TypeError, ["name"]),
        (lambda: act.activate("relu", "z"), TypeError, ["z"]),
        (lambda: act.derivative("relu", [1.0, np.inf]), ValueError, ["z", "inf"]),
        (
            lambda: act.activate("leaky_relu", 1.0, negative_slope="a"),
            TypeError,
            ["negative_slope"],
        ),
        (lambda: act.derivative("elu", 1.0, alpha=np.nan), ValueError, ["alpha"]),
        (lambda: act.derivative("tanh", [1.0, 2.0], [0.5]), ValueError, ["a", "(2,)"]),
        (lambda: act.derivative("tanh", [1.0], [np.nan]), ValueError, ["a", "NaN"]),
    ],
)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)
