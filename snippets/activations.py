"""Activation functions and their derivatives: the one registry every network here uses.

Each activation is a pair of plain elementwise functions, `f(z)` and `f'(z, a)` where
`a = f(z)` is passed in because several derivatives are cheapest from the output
(σ' = a(1 − a), tanh' = 1 − a²). `activate` and `derivative` check their input and look the pair
up in `REGISTRY`; layers look it up once, when they are built, and call it in their loops.
"""

from __future__ import annotations

import math

import numpy as np

from snippets import checks

_erf = np.vectorize(math.erf, otypes=[float])  # numpy has no erf; math.erf is exact to 1 ulp


# --8<-- [start:functions]
def sigmoid(z: np.ndarray) -> np.ndarray:
    # 1 / (1 + e^-z) written through tanh: no overflow warning for large |z|
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def normal_cdf(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))


def normal_pdf(z: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


REGISTRY = {  # name -> (f(z, **kw), f'(z, a, **kw)), kw: negative_slope, alpha
    "identity": (lambda z, **kw: z, lambda z, a, **kw: np.ones_like(z)),
    "sigmoid": (lambda z, **kw: sigmoid(z), lambda z, a, **kw: a * (1.0 - a)),
    "tanh": (lambda z, **kw: np.tanh(z), lambda z, a, **kw: 1.0 - a * a),
    # ReLU'(0) = 0, as in PyTorch
    "relu": (lambda z, **kw: np.maximum(z, 0.0), lambda z, a, **kw: (z > 0).astype(z.dtype)),
    "leaky_relu": (
        lambda z, negative_slope=0.01, **kw: np.where(z > 0, z, negative_slope * z),
        lambda z, a, negative_slope=0.01, **kw: np.where(z > 0, 1.0, negative_slope),
    ),
    "elu": (
        lambda z, alpha=1.0, **kw: np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0))),
        lambda z, a, alpha=1.0, **kw: np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0))),
    ),
    "gelu": (  # exact GELU, z Φ(z) (PyTorch's default approximate="none")
        lambda z, **kw: z * normal_cdf(z),
        lambda z, a, **kw: normal_cdf(z) + z * normal_pdf(z),
    ),
    "softplus": (  # log(1 + e^z) without overflow
        lambda z, **kw: np.logaddexp(0.0, z),
        lambda z, a, **kw: sigmoid(z),
    ),
    "silu": (
        lambda z, **kw: z * sigmoid(z),
        lambda z, a, **kw: sigmoid(z) * (1.0 + z * (1.0 - sigmoid(z))),
    ),
}
# --8<-- [end:functions]

ACTIVATIONS = tuple(REGISTRY)


def check(name, negative_slope=0.01, alpha=1.0) -> tuple[str, dict[str, float]]:
    """`name` and its keyword arguments, checked: what a layer stores once."""
    name = checks.choice("name", name, ACTIVATIONS)
    kw = {
        "negative_slope": checks.number("negative_slope", negative_slope),
        "alpha": checks.number("alpha", alpha),
    }
    return name, kw


def activate(name: str, z, *, negative_slope: float = 0.01, alpha: float = 1.0) -> np.ndarray:
    """f(z) for the activation `name`, elementwise.

    Parameters
    ----------
    name : one of `ACTIVATIONS`
    z : array of any shape
    negative_slope : slope of leaky ReLU for z < 0 (PyTorch's default 0.01)
    alpha : ELU's saturation level for z → −∞ (PyTorch's default 1.0)

    Returns
    -------
    array shaped like `z` (float64)

    Notes
    -----
    sigmoid :math:`\\sigma(z) = 1/(1+e^{-z})`; tanh; ReLU :math:`\\max(0, z)`; leaky ReLU
    :math:`z` for :math:`z > 0`, else :math:`\\alpha_\\text{slope} z`; ELU :math:`z` for
    :math:`z > 0`, else :math:`\\alpha(e^z - 1)`; GELU :math:`z\\,\\Phi(z)` with the exact normal
    CDF :math:`\\Phi`; softplus :math:`\\log(1 + e^z)`; SiLU :math:`z\\,\\sigma(z)`.
    """
    name, kw = check(name, negative_slope, alpha)
    z = checks.as_float_array("z", z)
    f, _ = REGISTRY[name]
    return np.array(f(z, **kw), dtype=float)  # a new array, also for the identity


def derivative(
    name: str, z, a=None, *, negative_slope: float = 0.01, alpha: float = 1.0
) -> np.ndarray:
    """f'(z) for the activation `name`, elementwise; `a`, if given, must be f(z) (it saves
    recomputing it). Other arguments as in `activate`.

    At a kink the value is PyTorch's: ReLU'(0) = 0, leaky ReLU'(0) = `negative_slope`,
    ELU'(0) = `alpha`.

    Notes
    -----
    :math:`\\sigma' = \\sigma(1-\\sigma)`, :math:`\\tanh' = 1 - \\tanh^2`,
    GELU' :math:`= \\Phi(z) + z\\,\\varphi(z)`, softplus' :math:`= \\sigma(z)`,
    SiLU' :math:`= \\sigma(z)\\,(1 + z(1 - \\sigma(z)))`.
    """
    name, kw = check(name, negative_slope, alpha)
    z = checks.as_float_array("z", z)
    f, df = REGISTRY[name]
    if a is None:
        a = f(z, **kw)
    else:
        a = checks.as_float_array("a", a)
        if a.shape != z.shape:
            raise ValueError(f"a: expected the shape of z, {z.shape}, got {a.shape}")
    return np.array(df(z, a, **kw), dtype=float)
