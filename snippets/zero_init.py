"""All-zero initialisation: initialisers and the measures that show why it fails (ML0033).

Every network here is `snippets.backprop`'s: dense layers `(W, b)`, `W` of shape
`(fan_in, fan_out)`, so column `j` of `W` holds the incoming weights of unit `j`. This module
adds constant and fixed-scale initialisers, a measure of how far the hidden units of a layer
are from being copies of one another (`unit_spread`, and its loop over pairs
`unit_spread_naive`), the narrow network that a symmetric one is secretly equal to
(`collapse_identical_units`), the standard deviation of every layer's activations
(`activation_stds`) and a training loop that records the first layer after every epoch
(`train_recording`). The page's experiments, figures and numbers are in its page module,
`snippets/ml0033_all_zeros_init.py`.
"""

from __future__ import annotations

import numpy as np

from snippets import backprop as bp
from snippets import checks

Params = bp.Params


# ---------------------------------------------------------------------------------------------
# Initialisers beyond backprop.init_params ("xavier", "he", "zeros").


def constant_init(sizes, value: float, bias: float = 0.0) -> Params:
    """Every weight set to `value` and every bias to `bias` (`value` = 0 is all-zero init).

    Parameters
    ----------
    sizes : list of int, layer widths, input first (at least two)
    value, bias : finite floats

    Returns
    -------
    list of (W, b) with `W` of shape `(sizes[l], sizes[l + 1])` and `b` of shape
    `(sizes[l + 1],)`
    """
    value = checks.number("value", value)
    bias = checks.number("bias", bias)
    # --8<-- [start:constant_init]
    # every unit of a layer gets the same incoming weights and bias: a symmetric start
    return [(W + value, b + bias) for W, b in bp.init_params(sizes, 0, "zeros")]
    # --8<-- [end:constant_init]


def normal_init(sizes, rng, std: float) -> Params:
    """Weights drawn from N(0, std²) whatever the layer's fan-in, zero biases.

    The fixed-scale initialisation that Glorot and He replaced: `std` does not adapt to the
    width, so a deep stack shrinks or grows its activations by about `std·√fan_in` per layer.

    Parameters
    ----------
    sizes : list of int, layer widths, input first (at least two)
    rng : np.random.Generator or int seed
    std : float > 0

    Returns
    -------
    list of (W, b) as in `constant_init`
    """
    std = checks.positive_float("std", std)
    shapes = [W.shape for W, _ in bp.init_params(sizes, 0, "zeros")]  # validates sizes
    rng = checks.generator("rng", rng)
    # --8<-- [start:normal_init]
    # the same std for every layer: Xavier and He would scale it with the layer's width
    return [(rng.normal(0.0, std, size=s), np.zeros(s[1])) for s in shapes]
    # --8<-- [end:normal_init]


# ---------------------------------------------------------------------------------------------
# Symmetry: how far apart are the units of a layer?


def _weights_and_bias(W, b) -> np.ndarray:
    """[W; b] of shape (fan_in + 1, fan_out): one column per unit, every incoming parameter."""
    W = checks.as_float_array("W", W, ndim=2)
    if W.shape[0] == 0 or W.shape[1] == 0:
        raise ValueError(f"W: expected non-empty (fan_in, fan_out), got shape {W.shape}")
    if b is None:
        return W
    b = checks.as_float_array("b", b, ndim=1)
    if b.shape != (W.shape[1],):
        raise ValueError(
            f"b: expected shape ({W.shape[1]},) to match W of shape {W.shape}, got {b.shape}"
        )
    return np.vstack([W, b])


def unit_spread_naive(W, b=None) -> float:
    """`unit_spread` written as a loop over every pair of units (for teaching)."""
    M = _weights_and_bias(W, b)
    # --8<-- [start:spread_naive]
    spread = 0.0
    n_units = M.shape[1]
    for j in range(n_units):
        for k in range(j + 1, n_units):
            # largest gap between unit j's and unit k's incoming weights
            spread = max(spread, float(np.max(np.abs(M[:, j] - M[:, k]))))
    # --8<-- [end:spread_naive]
    return spread


def unit_spread(W, b=None) -> float:
    """How far the units of a layer are from being copies of one another.

    Parameters
    ----------
    W : array of shape (fan_in, fan_out); column j holds the incoming weights of unit j
    b : array of shape (fan_out,), optional; the biases are compared too

    Returns
    -------
    float, the largest absolute difference between the same incoming parameter of two units,
    :math:`\\max_i (\\max_j M_{ij} - \\min_j M_{ij})` with :math:`M = [W; b^\\top]`. It is 0
    exactly when every unit has the same incoming weights (and bias), and 0 for a single unit.
    """
    M = _weights_and_bias(W, b)  # (fan_in + 1, fan_out): row i is parameter i of every unit
    # --8<-- [start:spread]
    # the widest range of one parameter across the units, over all parameters
    return float(np.max(M.max(axis=1) - M.min(axis=1)))
    # --8<-- [end:spread]


def n_distinct_units(W, b=None) -> int:
    """Number of different columns of [W; b]: the units that actually differ (exact equality)."""
    M = _weights_and_bias(W, b)
    # --8<-- [start:distinct]
    return int(np.unique(M.T, axis=0).shape[0])
    # --8<-- [end:distinct]


def collapse_identical_units(params) -> Params:
    """The network with one unit per hidden layer that computes the same function.

    If every hidden layer's units are identical (same incoming weights and bias), each unit of a
    hidden layer outputs the same value `h`, so the next layer sees `h · Σ_j W[j, k]`: the
    layer can be replaced by one unit whose outgoing weights are the column sums of `W`.

    Parameters
    ----------
    params : list of (W, b) with at least one hidden layer; every hidden layer's units identical

    Returns
    -------
    list of (W, b) with widths `[fan_in, 1, ..., 1, fan_out]`; `forward` gives the same output
    as the original network, up to round-off

    Raises
    ------
    ValueError if some hidden layer has two units that differ (`unit_spread` > 0).
    """
    params = bp.check_params(params)
    if len(params) < 2:
        raise ValueError(
            f"params: expected at least one hidden layer (2+ layers), got {len(params)}"
        )
    for l, (W, b) in enumerate(params[:-1]):
        spread = unit_spread(W, b)
        if spread != 0.0:
            raise ValueError(
                f"params[{l}]: expected identical hidden units (equal columns of W and equal "
                f"entries of b), got a unit spread of {spread:.3g}"
            )
    # --8<-- [start:collapse]
    out: Params = []
    last = len(params) - 1
    for l, (W, b) in enumerate(params):
        if l > 0:  # the inputs are copies of one value: their weights add up
            W = W.sum(axis=0, keepdims=True)
        if l < last:  # a hidden layer of copies: keep one unit
            W, b = W[:, :1], b[:1]
        out.append((W, b))
    return out
    # --8<-- [end:collapse]


# ---------------------------------------------------------------------------------------------
# Scale: how the activations of a deep stack evolve with the initial weights' size.


def activation_stds(params, X, activation: str) -> np.ndarray:
    """Standard deviation of every layer's activations on the batch `X`.

    Parameters
    ----------
    params : list of (W, b); every layer, the last one included, applies `activation`
    X : array of shape (N, fan_in)
    activation : {"sigmoid", "tanh", "relu", "identity"}

    Returns
    -------
    array of shape (n_layers,): entry l is the population standard deviation (ddof = 0) of all
    N × fan_out entries of layer l's output :math:`A_l = f(A_{l-1} W_l + b_l)`.
    """
    _, cache = bp.forward(params, X, activation, activation)
    return np.array([a.std() for a in cache.a])


# ---------------------------------------------------------------------------------------------
# Training with a record of the first layer.


def train_recording(
    params, X, T, lr, epochs: int, activation: str, output_activation: str = "sigmoid"
):
    """Full-batch gradient descent (`backprop.train`) that records the first layer every epoch.

    Parameters
    ----------
    params, X, T, lr, epochs, activation, output_activation : as in `backprop.train`

    Returns
    -------
    params : trained list of (W, b)
    losses : array of shape (epochs + 1,), before training and after each epoch
    history : array of shape (epochs + 1, fan_in + 1, fan_out of the first layer): `[W1; b1]`
        before training and after each epoch; `history[e][:, j]` is unit j's incoming weights
        and bias
    """
    params = bp.check_params(params)
    history = [_weights_and_bias(*params[0])]

    def record(epoch, p):
        history.append(np.vstack([p[0][0], p[0][1]]))

    params, losses = bp.train(
        params, X, T, lr, epochs, activation, output_activation, callback=record
    )
    return params, losses, np.array(history)


def spread_history(history) -> np.ndarray:
    """`unit_spread` of every `[W; b]` in a stack, e.g. a `train_recording` history.

    Parameters
    ----------
    history : array of shape (K, fan_in + 1, n_units): K matrices `[W; b]`, the epochs of one
        network or one network each

    Returns
    -------
    array of shape (K,), entry k equal to `unit_spread` of `history[k]`
    """
    h = checks.as_float_array("history", history, ndim=3)
    if 0 in h.shape:
        raise ValueError(
            f"history: expected shape (epochs + 1, fan_in + 1, n_hidden), got {h.shape}"
        )
    return np.max(h.max(axis=2) - h.min(axis=2), axis=1)
