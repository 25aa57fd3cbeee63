"""Backpropagation for a fully connected network, written out layer by layer.

The network is a list of dense layers `(W, b)` with `W` of shape `(fan_in, fan_out)` and `b` of
shape `(fan_out,)`; a layer computes `z = a_prev @ W + b` and `a = f(z)`. `forward` keeps what
the backward pass needs, `backward` returns the exact gradient of `mse_loss` by the δ
recursion, `backward_naive` does it one sample, neuron and weight at a time (ML0034's scalar
formulas). Networks with other layers (batch norm) use `snippets.layers` and `snippets.training`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from snippets import activations, checks, gradient_check, training
from snippets import layers as nn
from snippets.activations import activate, sigmoid  # noqa: F401  (public path)
from snippets.activations import derivative as activation_derivative
from snippets.gradient_check import flatten, relative_error  # noqa: F401  (public path)
from snippets.losses import accuracy, mse_loss, one_hot  # noqa: F401  (public path)

Params = list[tuple[np.ndarray, np.ndarray]]
Grads = list[tuple[np.ndarray, np.ndarray]]
ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity")


@dataclass(frozen=True)
class ForwardCache:
    """What the backward pass needs: every layer's input, pre-activation and output."""

    inputs: tuple[np.ndarray, ...]  # a_{l-1}, the input of layer l (inputs[0] is X)
    z: tuple[np.ndarray, ...]
    a: tuple[np.ndarray, ...]
    activations: tuple[str, ...]  # the activation of each layer


def check_params(params) -> Params:
    """`params` as a list of float64 `(W, b)` pairs whose shapes chain; raises otherwise."""
    if not isinstance(params, (list, tuple)) or len(params) == 0:
        raise TypeError(f"params: expected a non-empty list of (W, b) pairs, got {_count(params)}")
    out: Params = []
    for i, layer in enumerate(params):
        if not isinstance(layer, (list, tuple)) or len(layer) != 2:
            raise TypeError(f"params[{i}]: expected a (W, b) pair, got {type(layer).__name__}")
        W = checks.as_float_array(f"params[{i}] W", layer[0], ndim=2)
        b = checks.as_float_array(f"params[{i}] b", layer[1], ndim=1)
        if W.shape[0] == 0 or W.shape[1] == 0:
            raise ValueError(f"params[{i}] W: expected non-empty (fan_in, fan_out), got {W.shape}")
        if b.shape != (W.shape[1],):
            raise ValueError(
                f"params[{i}] b: expected shape ({W.shape[1]},) to match W of shape {W.shape}, "
                f"got {b.shape}"
            )
        if out and out[-1][0].shape[1] != W.shape[0]:
            raise ValueError(
                f"params[{i}] W: expected fan_in {out[-1][0].shape[1]} (the fan_out of "
                f"params[{i - 1}]), got shape {W.shape}"
            )
        out.append((W, b))
    return out


def _count(x) -> str:
    if isinstance(x, (list, tuple)):
        return f"{len(x)} entries" if x else "an empty list"
    return type(x).__name__


def layer_activations(n_layers: int, activation, output_activation) -> tuple[str, ...]:
    """Each layer's activation: `activation`, and `output_activation` (default the same) last."""
    activation = checks.choice("activation", activation, ACTIVATIONS)
    if output_activation is None:
        output_activation = activation
    output_activation = checks.choice("output_activation", output_activation, ACTIVATIONS)
    return (activation,) * (n_layers - 1) + (output_activation,)


def forward(params, X, activation: str = "sigmoid", output_activation: str | None = None):
    """Run the network on a batch and keep what `backward` needs.

    Parameters
    ----------
    params : list of (W, b)
        `W` of shape `(fan_in, fan_out)`, `b` of shape `(fan_out,)`.
    X : array of shape (N, fan_in)
    activation : {"sigmoid", "tanh", "relu", "identity"}
        Applied after every hidden layer.
    output_activation : same choices, optional
        Applied after the last layer; defaults to `activation`.

    Returns
    -------
    A : array of shape (N, fan_out of the last layer)
    cache : ForwardCache

    Notes
    -----
    Layer :math:`l` computes :math:`Z_l = A_{l-1} W_l + \\mathbf{1} b_l^\\top` and
    :math:`A_l = f_l(Z_l)`, with :math:`A_0 = X`.
    """
    params = check_params(params)
    X = checks.as_float_array("X", X, ndim=2, min_rows=1)
    if X.shape[1] != params[0][0].shape[0]:
        raise ValueError(
            f"X: expected shape (N, {params[0][0].shape[0]}) to match params[0] W of shape "
            f"{params[0][0].shape}, got {X.shape}"
        )
    acts = layer_activations(len(params), activation, output_activation)
    # --8<-- [start:forward]
    inputs, zs, outs = [], [], []
    a = X
    for (W, b), name in zip(params, acts):
        inputs.append(a)
        z = a @ W + b  # (N, fan_in) @ (fan_in, fan_out) + (fan_out,)
        a = activations.REGISTRY[name][0](z)  # f(z)
        zs.append(z)
        outs.append(a)
    return a, ForwardCache(tuple(inputs), tuple(zs), tuple(outs), acts)
    # --8<-- [end:forward]


def _check_cache(params: Params, cache) -> None:
    if not isinstance(cache, ForwardCache):
        raise TypeError(
            f"cache: expected the ForwardCache from forward(), got {type(cache).__name__}"
        )
    if len(cache.z) != len(params):
        raise ValueError(
            f"cache: expected {len(params)} layers to match params, got {len(cache.z)}"
        )
    for i, ((W, _), z) in enumerate(zip(params, cache.z)):
        if z.shape[1] != W.shape[1] or cache.inputs[i].shape[1] != W.shape[0]:
            raise ValueError(
                f"cache: layer {i} has shape {z.shape}, which does not match params[{i}] W "
                f"of shape {W.shape}"
            )


def _check_targets(T, cache: ForwardCache) -> np.ndarray:
    T = checks.as_float_array("T", T, ndim=2)
    if T.shape != cache.a[-1].shape:
        raise ValueError(
            f"T: expected shape {cache.a[-1].shape} (the network output), got {T.shape}"
        )
    return T


def backward(params, cache: ForwardCache, T) -> Grads:
    """Exact gradient of `mse_loss(A, T)` with respect to every `W` and `b`.

    Parameters
    ----------
    params : list of (W, b), the same that produced `cache`
    cache : ForwardCache from `forward`
    T : array of shape (N, fan_out of the last layer)

    Returns
    -------
    list of (dW, db), shaped like `params`

    Notes
    -----
    With :math:`\\delta_l = \\partial L / \\partial Z_l` and :math:`D` layers:
    :math:`\\delta_D = \\frac{1}{N}(A_D - T) \\odot f_D'(Z_D)`,
    :math:`\\delta_{l-1} = (\\delta_l W_l^\\top) \\odot f_{l-1}'(Z_{l-1})`,
    :math:`\\partial L/\\partial W_l = A_{l-1}^\\top \\delta_l`,
    :math:`\\partial L/\\partial b_l = \\mathbf{1}^\\top \\delta_l`.
    """
    params = check_params(params)
    _check_cache(params, cache)
    T = _check_targets(T, cache)
    # --8<-- [start:backward]
    N = T.shape[0]
    grads: Grads = [None] * len(params)  # type: ignore[list-item]
    dA = (cache.a[-1] - T) / N  # dL/dA for the mean of ½‖T − A‖²
    for l in reversed(range(len(params))):
        W, _ = params[l]
        fprime = activations.REGISTRY[cache.activations[l]][1]  # f'(z, a)
        delta = dA * fprime(cache.z[l], cache.a[l])  # dL/dZ of layer l
        grads[l] = (cache.inputs[l].T @ delta, delta.sum(axis=0))  # dW, db
        dA = delta @ W.T  # the error handed to the layer below
    return grads
    # --8<-- [end:backward]


def backward_naive(params, cache: ForwardCache, T) -> Grads:
    """`backward` written one sample, one neuron and one weight at a time (for teaching)."""
    params = check_params(params)
    _check_cache(params, cache)
    T = _check_targets(T, cache)
    # --8<-- [start:backward_naive]
    N = T.shape[0]
    grads = [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
    for n in range(N):
        D = len(params)  # layers; D - 1 is the output layer (L is kept for the loss)
        # output layer: dL/dz_k = dL/da_k * f'(z_k), with dL/da_k = (a_k - t_k) / N
        out = cache.a[-1][n]
        fprime = activation_derivative(cache.activations[-1], cache.z[-1][n], out)
        delta = [(out[k] - T[n, k]) / N * fprime[k] for k in range(out.size)]
        for l in reversed(range(D)):
            W, _ = params[l]
            x = cache.inputs[l][n]  # what feeds layer l
            dW, db = grads[l]
            for k, d_k in enumerate(delta):
                db[k] += d_k  # dL/db_k = dL/dz_k
                for i in range(x.size):
                    dW[i, k] += d_k * x[i]  # dL/dw_ik = dL/dz_k * x_i
            if l == 0:
                break
            # hidden layer: dL/dz_j = (sum_k dL/dz_k * w_jk) * f'(z_j)
            fprime = activation_derivative(
                cache.activations[l - 1], cache.z[l - 1][n], cache.a[l - 1][n]
            )
            delta = [
                sum(d_k * W[j, k] for k, d_k in enumerate(delta)) * fprime[j]
                for j in range(W.shape[0])
            ]
    # --8<-- [end:backward_naive]
    return grads


def sgd_step(params, grads, lr: float) -> Params:
    """One gradient-descent update, W ← W − lr·dW and b ← b − lr·db (returns new arrays)."""
    params = check_params(params)
    lr = checks.positive_float("lr", lr)
    if not isinstance(grads, (list, tuple)) or len(grads) != len(params):
        raise ValueError(f"grads: expected {len(params)} (dW, db) pairs, got {_count(grads)}")
    for i, ((W, b), (dW, db)) in enumerate(zip(params, grads)):
        if np.shape(dW) != W.shape or np.shape(db) != b.shape:
            raise ValueError(
                f"grads[{i}]: expected shapes {W.shape} and {b.shape}, "
                f"got {np.shape(dW)} and {np.shape(db)}"
            )
    # --8<-- [start:update]
    return [
        (W - lr * np.asarray(dW), b - lr * np.asarray(db))
        for (W, b), (dW, db) in zip(params, grads)
    ]
    # --8<-- [end:update]


def init_params(sizes, rng, method: str = "xavier") -> Params:
    """Random weights for layer widths `sizes` (input first), zero biases.

    `method` "xavier" draws W ~ N(0, 2 / (fan_in + fan_out)) (Glorot), "he" draws
    W ~ N(0, 2 / fan_in), "zeros" sets every weight to 0 (to show why that fails).
    """
    if not isinstance(sizes, (list, tuple)) or len(sizes) < 2:
        raise ValueError(f"sizes: expected at least two layer widths, got {sizes!r}")
    sizes = [checks.positive_int(f"sizes[{i}]", s) for i, s in enumerate(sizes)]
    rng = checks.generator("rng", rng)
    method = checks.choice("method", method, ("xavier", "he", "zeros"))
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        if method == "zeros":
            W = np.zeros((fan_in, fan_out))
        else:
            var = 2.0 / (fan_in + fan_out) if method == "xavier" else 2.0 / fan_in
            W = rng.normal(0.0, np.sqrt(var), size=(fan_in, fan_out))
        params.append((W, np.zeros(fan_out)))
    return params


def train(params, X, T, lr: float, epochs: int, activation: str = "sigmoid",
          output_activation: str | None = None, *, batch_size: int | None = None, rng=None,
          callback=None):  # fmt: skip
    """Gradient descent on `mse_loss`: full batch by default, mini-batch SGD with `batch_size`
    (the data shuffled every epoch with `rng`, a Generator or a seed). `callback(epoch, params)`
    runs after each epoch.

    Returns the trained `(W, b)` list (new arrays) and the `epochs + 1` losses on all of X,
    before training and after each epoch. The loop is `snippets.training.train`.
    """
    params = check_params(params)
    acts = layer_activations(len(params), activation, output_activation)
    net = nn.mlp(params, acts[0], acts[-1])
    if callback is not None:
        checks.function("callback", callback, "a callable(epoch, params)")

    def current() -> Params:
        return [(d.W.copy(), d.b.copy()) for d in net if isinstance(d, nn.Dense)]

    after = None if callback is None else (lambda epoch: callback(epoch, current()))
    losses = training.train(
        net, X, T, epochs, training.sgd(lr), batch_size=batch_size, rng=rng, callback=after
    )
    return current(), losses


def numerical_gradient(
    params, X, T, activation: str = "sigmoid", output_activation: str | None = None, h: float = 1e-5
) -> Grads:
    """Centred finite differences of `mse_loss` for every `W` and `b` (`gradient_check`)."""
    params = [(W.copy(), b.copy()) for W, b in check_params(params)]
    arrays = [theta for pair in params for theta in pair]
    g = gradient_check.numerical_gradient(
        lambda: mse_loss(forward(params, X, activation, output_activation)[0], T), arrays, h
    )
    return list(zip(g[::2], g[1::2]))
