"""Backpropagation for a fully connected network, in numpy, with the experiments of ML0034.

The network is a list of dense layers `(W, b)` with `W` of shape `(fan_in, fan_out)` and `b` of
shape `(fan_out,)`; a layer computes `z = a_prev @ W + b` and `a = f(z)`. `forward` stores what the
backward pass needs, `backward` returns the exact gradient of `mse_loss`, and `backward_naive`
does the same neuron by neuron, following the scalar formulas on the page. The rest of the module
is the page's worked example, experiments (on seed sets, see `snippets.seeds`), figures, values
and the claims the page draws from the experiments.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from snippets import checks
from snippets.formatting import fmt, tex_matrix, tex_sci
from snippets.plotting import Theme, new_figure
from snippets.seeds import seeds

Params = list[tuple[np.ndarray, np.ndarray]]
Grads = list[tuple[np.ndarray, np.ndarray]]


# --8<-- [start:activations]
def sigmoid(z: np.ndarray) -> np.ndarray:
    # 1 / (1 + e^-z) written through tanh: no overflow warning for large |z|
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def activate(name: str, z: np.ndarray) -> np.ndarray:
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    return z  # identity


def activation_derivative(name: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """f'(z), using the stored output a = f(z) where that is cheaper."""
    if name == "sigmoid":
        return a * (1.0 - a)
    if name == "tanh":
        return 1.0 - a * a
    if name == "relu":
        return (z > 0).astype(z.dtype)  # the derivative at 0 is taken as 0
    return np.ones_like(z)  # identity


# --8<-- [end:activations]


ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity")


@dataclass(frozen=True)
class ForwardCache:
    """What the backward pass needs: every layer's input, pre-activation and output."""

    inputs: tuple[np.ndarray, ...]  # a_{l-1}, the input of layer l (inputs[0] is X)
    z: tuple[np.ndarray, ...]  # what enters the activation (after batch norm, if any)
    a: tuple[np.ndarray, ...]
    activations: tuple[str, ...]  # the activation of each layer
    norms: tuple = ()  # per layer: (BatchNorm, its cache) or None


def check_params(params) -> Params:
    """`params` as a list of float64 `(W, b)` pairs whose shapes chain; raises otherwise."""
    if not isinstance(params, (list, tuple)) or len(params) == 0:
        raise TypeError(
            "params: expected a non-empty list of (W, b) pairs, got "
            + (
                f"an empty {type(params).__name__}"
                if isinstance(params, (list, tuple))
                else type(params).__name__
            )
        )
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


def _layer_activations(n_layers: int, activation, output_activation) -> tuple[str, ...]:
    activation = checks.choice("activation", activation, ACTIVATIONS)
    if output_activation is None:
        output_activation = activation
    output_activation = checks.choice("output_activation", output_activation, ACTIVATIONS)
    return (activation,) * (n_layers - 1) + (output_activation,)


def forward(
    params,
    X,
    activation: str = "sigmoid",
    output_activation: str | None = None,
    bn=None,
    training: bool = True,
):
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
    bn : list of `batchnorm.BatchNorm` or None, optional
        One entry per hidden layer: a batch-norm layer applied between its linear map and its
        activation (None for no normalization there). The layers are called like torch modules:
        in training mode they update their running statistics.
    training : bool
        Passed to the batch-norm layers (batch statistics or running statistics).

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
    acts = _layer_activations(len(params), activation, output_activation)
    bn = _check_bn(bn, params)
    if not isinstance(training, bool):
        raise TypeError(f"training: expected True or False, got {training!r}")
    A, cache = _forward(params, X, acts, bn, training)
    return A, cache


def _check_bn(bn, params: Params) -> list:
    if bn is None:
        return [None] * len(params)
    from snippets.batchnorm import BatchNorm

    if not isinstance(bn, (list, tuple)) or len(bn) != len(params) - 1:
        raise ValueError(
            f"bn: expected a list of {len(params) - 1} BatchNorm-or-None entries (one per hidden "
            f"layer), got {_count(bn)}"
        )
    for i, norm in enumerate(bn):
        if norm is not None and not isinstance(norm, BatchNorm):
            raise TypeError(f"bn[{i}]: expected a BatchNorm or None, got {type(norm).__name__}")
        if norm is not None and norm.num_features != params[i][0].shape[1]:
            raise ValueError(
                f"bn[{i}]: expected {params[i][0].shape[1]} features (fan_out of params[{i}]), "
                f"got {norm.num_features}"
            )
    return [*bn, None]


# --8<-- [start:forward]
def _forward(params: Params, X: np.ndarray, acts: tuple[str, ...], bn: list, training: bool):
    inputs, zs, outs, norms = [], [], [], []
    a = X
    for (W, b), name, norm in zip(params, acts, bn):
        inputs.append(a)
        z = a @ W + b  # (N, fan_in) @ (fan_in, fan_out) + (fan_out,)
        if norm is not None:  # batch norm sits between the linear map and the activation
            z, norm_cache = norm(z, training=training)
            norms.append((norm, norm_cache))
        else:
            norms.append(None)
        a = activate(name, z)
        zs.append(z)
        outs.append(a)
    return a, ForwardCache(tuple(inputs), tuple(zs), tuple(outs), acts, tuple(norms))


# --8<-- [end:forward]


def _check_targets(T, A: np.ndarray) -> np.ndarray:
    T = checks.as_float_array("T", T, ndim=2)
    if T.shape != A.shape:
        raise ValueError(f"T: expected shape {A.shape} (the network output), got {T.shape}")
    return T


def mse_loss(A, T) -> float:
    """Mean over the N samples of ½‖T − A‖² (sum over outputs, mean over samples).

    Notes
    -----
    :math:`L = \\frac{1}{N} \\sum_n \\tfrac12 \\lVert t_n - a_n \\rVert^2`, so
    :math:`\\partial L / \\partial A = (A - T) / N`.
    """
    A = checks.as_float_array("A", A, ndim=2, min_rows=1)
    T = _check_targets(T, A)
    return float(0.5 * np.sum((T - A) ** 2) / A.shape[0])


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
    T = _check_targets(T, cache.a[-1])
    return _backward(params, cache, T)[0]


def backward_bn(params, cache: ForwardCache, T):
    """`backward` for a network with batch-norm layers: returns `(grads, bn_grads)`, where
    `bn_grads[l]` is `(dgamma, dbeta)` for hidden layer l, or None where it has no batch norm."""
    params = check_params(params)
    _check_cache(params, cache)
    T = _check_targets(T, cache.a[-1])
    grads, norm_grads = _backward(params, cache, T)
    return grads, norm_grads[:-1]


# --8<-- [start:backward]
def _backward(params: Params, cache: ForwardCache, T: np.ndarray):
    N = T.shape[0]
    grads: Grads = [None] * len(params)  # type: ignore[list-item]
    norm_grads = [None] * len(params)
    dA = (cache.a[-1] - T) / N  # dL/dA for the mean of ½‖T − A‖²
    for l in reversed(range(len(params))):
        W, _ = params[l]
        delta = dA * activation_derivative(cache.activations[l], cache.z[l], cache.a[l])
        if cache.norms and cache.norms[l] is not None:  # back through batch norm
            norm, norm_cache = cache.norms[l]
            delta, dgamma, dbeta = norm.backward(delta, norm_cache)
            norm_grads[l] = (dgamma, dbeta)
        grads[l] = (cache.inputs[l].T @ delta, delta.sum(axis=0))  # dW, db
        dA = delta @ W.T  # the error handed to the layer below
    return grads, norm_grads


# --8<-- [end:backward]


def backward_naive(params, cache: ForwardCache, T) -> Grads:
    """`backward` written one sample, one neuron and one weight at a time (for teaching).

    Plain dense layers only (no batch norm)."""
    params = check_params(params)
    _check_cache(params, cache)
    if any(n is not None for n in cache.norms):
        raise ValueError("cache: backward_naive does not handle batch-norm layers; use backward")
    T = _check_targets(T, cache.a[-1])
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


# --8<-- [start:update]
def sgd_step(params, grads, lr: float) -> Params:
    """One gradient-descent update, W ← W − lr·dW and b ← b − lr·db (returns new arrays)."""
    params = check_params(params)
    lr = checks.positive_float("lr", lr)
    if not isinstance(grads, (list, tuple)) or len(grads) != len(params):
        raise ValueError(f"grads: expected {len(params)} (dW, db) pairs, got {_count(grads)}")
    new = []
    for i, ((W, b), (dW, db)) in enumerate(zip(params, grads)):
        if np.shape(dW) != W.shape or np.shape(db) != b.shape:
            raise ValueError(
                f"grads[{i}]: expected shapes {W.shape} and {b.shape}, "
                f"got {np.shape(dW)} and {np.shape(db)}"
            )
        new.append((W - lr * np.asarray(dW), b - lr * np.asarray(db)))
    return new


# --8<-- [end:update]


def _count(x) -> str:
    return str(len(x)) if isinstance(x, (list, tuple)) else type(x).__name__


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


def train(
    params,
    X,
    T,
    lr,
    epochs: int,
    activation: str = "sigmoid",
    output_activation: str | None = None,
    *,
    batch_size: int | None = None,
    rng=None,
    bn=None,
    frozen=(),
    callback=None,
):
    """Gradient descent on `mse_loss`: full batch by default, mini-batch SGD with `batch_size`.

    Parameters
    ----------
    params, X, T, activation, output_activation, bn : as in `forward` and `backward`
    lr : float > 0, or one float >= 0 per layer (discriminative learning rates)
    epochs : int >= 1, passes over the data
    batch_size : int, optional
        Mini-batch size; the data are shuffled every epoch with `rng` (a Generator or a seed).
        With batch norm, a last batch of a single sample is skipped (no batch statistics).
    frozen : iterable of layer indices whose W, b (and batch-norm gamma, beta) stay unchanged;
        gradients still flow through them to the layers below.
    callback : callable(epoch, params), optional, called after each epoch.

    Returns
    -------
    params : the trained list of (W, b) (new arrays; batch-norm layers are updated in place,
        like torch modules)
    losses : array of `epochs + 1` losses on all of X, before training and after each epoch
        (batch norm in inference mode, so measuring changes nothing)
    """
    params = check_params(params)
    epochs = checks.positive_int("epochs", epochs)
    n_layers = len(params)
    lrs = _check_lr(lr, n_layers)
    frozen = _check_frozen(frozen, n_layers)
    X = checks.as_float_array("X", X, ndim=2, min_rows=1)
    A, _ = forward(params, X, activation, output_activation, bn, training=False)
    T = _check_targets(T, A)
    # validated once here; the loop below uses the unchecked internals (3x faster)
    acts = _layer_activations(n_layers, activation, output_activation)
    norms = _check_bn(bn, params)
    N = X.shape[0]
    if batch_size is None:
        batch_size = N
    batch_size = checks.positive_int("batch_size", batch_size)
    rng = checks.generator("rng", 0 if rng is None else rng)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback: expected a callable(epoch, params), got {callback!r}")
    losses = [mse_loss(A, T)]
    for epoch in range(1, epochs + 1):
        order = rng.permutation(N) if batch_size < N else np.arange(N)
        for start in range(0, N, batch_size):
            idx = order[start : start + batch_size]
            if bn is not None and idx.size < 2:
                continue
            params = _step(params, X[idx], T[idx], lrs, frozen, acts, norms)
        A = _forward(params, X, acts, norms, False)[0]
        losses.append(float(0.5 * np.sum((T - A) ** 2) / N))
        if callback is not None:
            callback(epoch, params)
    return params, np.array(losses)


# --8<-- [start:step]
def _step(params, X, T, lrs, frozen, acts, norms):
    """One update on one batch: forward, backward, then move every unfrozen parameter."""
    _, cache = _forward(params, X, acts, norms, True)
    grads, norm_grads = _backward(params, cache, T)
    new = []
    for l, ((W, b), (dW, db), lr) in enumerate(zip(params, grads, lrs)):
        if l in frozen:
            new.append((W, b))
            continue
        new.append((W - lr * dW, b - lr * db))
        if norm_grads[l] is not None:  # batch-norm scale and shift learn like weights
            norm = cache.norms[l][0]
            norm.gamma = norm.gamma - lr * norm_grads[l][0]
            norm.beta = norm.beta - lr * norm_grads[l][1]
    return new


# --8<-- [end:step]


def _check_lr(lr, n_layers: int) -> list[float]:
    if isinstance(lr, (list, tuple, np.ndarray)):
        if len(lr) != n_layers:
            raise ValueError(
                f"lr: expected one learning rate per layer ({n_layers}), got {len(lr)}"
            )
        out = []
        for i, v in enumerate(lr):
            if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
                raise TypeError(f"lr[{i}]: expected a number >= 0, got {v!r}")
            if not np.isfinite(v) or v < 0:
                raise ValueError(f"lr[{i}]: expected a finite number >= 0, got {v!r}")
            out.append(float(v))
        return out
    return [checks.positive_float("lr", lr)] * n_layers


def _check_frozen(frozen, n_layers: int) -> frozenset[int]:
    try:
        items = list(frozen)
    except TypeError as exc:
        raise TypeError(f"frozen: expected an iterable of layer indices, got {frozen!r}") from exc
    for i in items:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
            raise TypeError(f"frozen: expected layer indices (ints), got {i!r}")
        if not 0 <= i < n_layers:
            raise ValueError(f"frozen: expected indices in 0..{n_layers - 1}, got {i}")
    return frozenset(int(i) for i in items)


def accuracy(A, y) -> float:
    """Share of correct predictions: `A` of shape (N, 1) is thresholded at 0.5 against labels
    `y` in {0, 1}; `A` of shape (N, K) is compared by argmax against labels 0..K-1."""
    A = checks.as_float_array("A", A, ndim=2, min_rows=1)
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.shape != (A.shape[0],):
        raise ValueError(f"y: expected shape ({A.shape[0]},) of labels, got {y.shape}")
    pred = (A[:, 0] > 0.5).astype(int) if A.shape[1] == 1 else A.argmax(axis=1)
    return float(np.mean(pred == y))


def one_hot(y, k: int) -> np.ndarray:
    """Labels 0..k-1 of shape (N,) as a one-hot array of shape (N, k)."""
    k = checks.positive_int("k", k)
    y = np.asarray(y)
    if (
        y.ndim != 1
        or not np.issubdtype(y.dtype, np.integer)
        or y.min(initial=0) < 0
        or (y.max(initial=0) >= k)
    ):
        raise ValueError(f"y: expected a 1-D array of integer labels in 0..{k - 1}, got {y!r}")
    out = np.zeros((y.size, k))
    out[np.arange(y.size), y] = 1.0
    return out


# --8<-- [start:gradcheck]
def numerical_gradient(
    params, X, T, activation: str = "sigmoid", output_activation: str | None = None, h: float = 1e-5
) -> Grads:
    """Centred finite differences (L(θ+h) − L(θ−h)) / 2h for every parameter, in float64."""
    params = [(W.copy(), b.copy()) for W, b in check_params(params)]
    h = checks.positive_float("h", h)

    def loss() -> float:
        return mse_loss(forward(params, X, activation, output_activation)[0], T)

    grads = []
    for W, b in params:
        pair = []
        for theta in (W, b):
            g = np.zeros_like(theta)
            for idx in np.ndindex(theta.shape):
                old = theta[idx]
                theta[idx] = old + h
                up = loss()
                theta[idx] = old - h
                down = loss()
                theta[idx] = old
                g[idx] = (up - down) / (2 * h)
            pair.append(g)
        grads.append((pair[0], pair[1]))
    return grads


def relative_error(a, n) -> float:
    """‖a − n‖ / max(1e-8, ‖a‖ + ‖n‖) over the whole gradient vector.

    Measured on the vector, not entry by entry: finite differences carry an absolute round-off
    of about eps·|L|/h ≈ 1e-12, so an entry whose true value is near 1e-6 shows a relative error
    near 1e-6 however right the backward pass is (the figure on the page shows this floor).
    """
    a = np.ravel(checks.as_float_array("a", a))
    n = np.ravel(checks.as_float_array("n", n))
    if a.shape != n.shape:
        raise ValueError(f"n: expected {a.size} entries to match a, got {n.size}")
    return float(np.linalg.norm(a - n) / max(1e-8, np.linalg.norm(a) + np.linalg.norm(n)))


# --8<-- [end:gradcheck]


def flatten(grads: Grads) -> np.ndarray:
    """Every entry of a list of (dW, db) pairs as one vector."""
    return np.concatenate([np.ravel(g) for pair in grads for g in pair])


# ---------------------------------------------------------------------------------------------
# Worked example: a 2-2-2 sigmoid network, one sample, one step of gradient descent.

EXAMPLE = {
    "X": [[0.6, 0.1]],
    "T": [[1.0, 0.0]],
    "W1": [[0.2, -0.4], [0.7, 0.3]],
    "b1": [0.1, -0.1],
    "W2": [[0.5, -0.3], [0.9, 0.2]],
    "b2": [0.0, 0.2],
    "lr": 0.5,
}


def worked_example() -> dict[str, np.ndarray | float]:
    """Every intermediate number of the worked example, as arrays."""
    e = {k: np.array(v, dtype=float) for k, v in EXAMPLE.items()}
    params = [(e["W1"], e["b1"]), (e["W2"], e["b2"])]
    A, cache = forward(params, e["X"], "sigmoid")
    (dW1, db1), (dW2, db2) = backward(params, cache, e["T"])
    new = sgd_step(params, [(dW1, db1), (dW2, db2)], float(e["lr"]))
    A_new, _ = forward(new, e["X"], "sigmoid")
    out = {
        "z1": cache.z[0],
        "a1": cache.a[0],
        "z2": cache.z[1],
        "a2": cache.a[1],
        "loss": mse_loss(A, e["T"]),
        "dl_da2": A - e["T"],
        "fprime2": cache.a[1] * (1 - cache.a[1]),
        "delta2": (A - e["T"]) * cache.a[1] * (1 - cache.a[1]),
        "fprime1": cache.a[0] * (1 - cache.a[0]),
        "dW1": dW1,
        "db1": db1,
        "dW2": dW2,
        "db2": db2,
        "W1_new": new[0][0],
        "b1_new": new[0][1],
        "W2_new": new[1][0],
        "b2_new": new[1][1],
        "loss_new": mse_loss(A_new, e["T"]),
    }
    out["delta1"] = db1  # one sample: dL/db = dL/dz
    return out


# ---------------------------------------------------------------------------------------------
# Experiment: a noisy XOR that no line separates, a small MLP against a linear model, on several
# seeds. Each model's learning rate is chosen on a validation split; the test split is used once.

XOR_SEED = 7  # default of xor_data only; the experiment draws its data from the seed sets
XOR_SEEDS = 5
XOR_EPOCHS = 1000
XOR_LRS = (0.5, 2.0, 8.0, 32.0)  # the validation grid, the same for both models
XOR_HIDDEN = 8
XOR_SPLIT = (200, 100, 100)  # train, validation, test points
XOR_MODELS = {"mlp": ([2, XOR_HIDDEN, 1], "tanh"), "lin": ([2, 1], "sigmoid")}


def xor_data(n_per_blob: int = 50, noise: float = 0.35, seed: int = XOR_SEED):
    """Four Gaussian blobs at (±1, ±1); label 1 where the signs differ (XOR)."""
    n_per_blob = checks.positive_int("n_per_blob", n_per_blob)
    noise = checks.positive_float("noise", noise)
    rng = np.random.default_rng(seed)
    centres = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=float)
    labels = np.array([0, 0, 1, 1], dtype=float)
    X = np.concatenate([c + noise * rng.standard_normal((n_per_blob, 2)) for c in centres])
    y = np.repeat(labels, n_per_blob)[:, None]
    return X, y


def xor_splits(seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """One draw of the noisy XOR, shuffled into disjoint train, validation and test splits."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed: expected an int >= 0, got {type(seed).__name__} {seed!r}")
    if seed < 0:
        raise ValueError(f"seed: expected an int >= 0, got {seed}")
    X, y = xor_data(sum(XOR_SPLIT) // 4, seed=seed)
    order = np.random.default_rng([seed, 1]).permutation(len(y))
    cuts = np.cumsum(XOR_SPLIT)[:-1]
    return {
        name: (X[idx], y[idx]) for name, idx in zip(("train", "val", "test"), np.split(order, cuts))
    }


@functools.cache
def xor_runs(seed_set: int = 0) -> dict:
    """Train a 2-8-1 MLP (tanh hidden, sigmoid output) and a 2-1 sigmoid unit on every seed.

    Every learning rate of `XOR_LRS` is run for each model and seed on the train split; a model's
    rate is the one with the lowest validation loss averaged over the seeds. Only the runs at
    that rate are evaluated on the test split.
    """
    runs: dict = {"seeds": seeds(XOR_SEEDS, seed_set)}
    for model, (sizes, act) in XOR_MODELS.items():
        val = np.zeros((len(XOR_LRS), XOR_SEEDS))
        fitted: dict = {}
        for i, lr in enumerate(XOR_LRS):
            for j, seed in enumerate(runs["seeds"]):
                split = xor_splits(seed)
                p0 = init_params(sizes, np.random.default_rng([seed, 2]), "xavier")
                params, losses = train(p0, *split["train"], lr, XOR_EPOCHS, act, "sigmoid")
                Xv, yv = split["val"]
                val[i, j] = mse_loss(forward(params, Xv, act, "sigmoid")[0], yv)
                fitted[i, j] = (params, losses)
        best = int(np.argmin(val.mean(axis=1)))
        test_acc = []
        for j, seed in enumerate(runs["seeds"]):  # the test split, touched once
            Xt, yt = xor_splits(seed)["test"]
            test_acc.append(accuracy(forward(fitted[best, j][0], Xt, act, "sigmoid")[0], yt))
        runs[model] = {
            "lr": XOR_LRS[best],
            "val_loss": val,
            "params": [fitted[best, j][0] for j in range(XOR_SEEDS)],
            "train_loss": np.array([fitted[best, j][1] for j in range(XOR_SEEDS)]),
            "test_acc": np.array(test_acc),
        }
    return runs


# ---------------------------------------------------------------------------------------------
# Experiment: gradient checks on random networks of several depths, widths and activations.

GRADCHECK_H = 1e-5


def random_network(rng: np.random.Generator, depth: int, activation: str, n: int = 5):
    """A random network of `depth` layers (widths 2-5), a batch and targets for a gradient check.

    For ReLU the draw is repeated until no pre-activation lies within 1e-3 of the kink at 0:
    there a finite difference straddles two slopes and measures neither.
    """
    rng = checks.generator("rng", rng)
    depth = checks.positive_int("depth", depth)
    activation = checks.choice("activation", activation, ACTIVATIONS)
    n = checks.positive_int("n", n)
    while True:
        sizes = [int(s) for s in rng.integers(2, 6, size=depth + 1)]
        params = [
            (W, rng.normal(0, 0.5, size=b.shape)) for W, b in init_params(sizes, rng, "xavier")
        ]
        X = rng.normal(size=(n, sizes[0]))
        T = rng.uniform(size=(n, sizes[-1]))
        _, cache = forward(params, X, activation)
        if activation != "relu" or min(np.abs(z).min() for z in cache.z) >= 1e-3:
            return params, X, T


@functools.cache
def gradcheck_runs(seed_set: int = 0) -> list[dict]:
    """For each activation and depth 1-4: backward vs finite differences on a random network,
    network k drawn from the k-th seed of `seed_set`."""
    cases = [(act, depth) for act in ACTIVATIONS for depth in (1, 2, 3, 4)]
    rows = []
    for (act, depth), seed in zip(cases, seeds(len(cases), seed_set)):
        params, X, T = random_network(np.random.default_rng(seed), depth, act)
        A, cache = forward(params, X, act)
        analytic = flatten(backward(params, cache, T))
        numeric = flatten(numerical_gradient(params, X, T, act, h=GRADCHECK_H))
        rows.append(
            {
                "activation": act,
                "depth": depth,
                "loss": mse_loss(A, T),
                "analytic": analytic,
                "numeric": numeric,
                "rel_error": relative_error(analytic, numeric),
            }
        )
    return rows


def _fd_floor(rows: list[dict]) -> float:
    """Round-off of a centred difference, eps·|L|/h, for the median loss of the checked networks:
    L(θ ± h) each carry a rounding error of about eps·|L|, divided by 2h."""
    return float(np.finfo(float).eps * np.median([r["loss"] for r in rows]) / GRADCHECK_H)


# ---------------------------------------------------------------------------------------------
# Experiment: gradient size per layer at initialisation in a deep, narrow network, on several
# seeds (each seed draws the batch, the targets and the weights).

DEPTH_LAYERS = 10
DEPTH_WIDTH = 32
DEPTH_SEEDS = 10
DEPTH_ACTS = ("sigmoid", "tanh", "relu")


@functools.cache
def depth_runs(seed_set: int = 0) -> dict[str, np.ndarray]:
    """Mean |dW| per layer at initialisation, shape (seeds, layers), for each activation: Glorot
    for sigmoid and tanh, He for ReLU, identity output, the mean squared error."""
    sizes = [DEPTH_WIDTH] * DEPTH_LAYERS + [1]
    out = {act: np.zeros((DEPTH_SEEDS, DEPTH_LAYERS)) for act in DEPTH_ACTS}
    for j, seed in enumerate(seeds(DEPTH_SEEDS, seed_set)):
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(64, DEPTH_WIDTH))
        T = rng.uniform(size=(64, 1))
        for act in DEPTH_ACTS:
            init = "he" if act == "relu" else "xavier"
            params = init_params(sizes, np.random.default_rng([seed, 1]), init)
            _, cache = forward(params, X, act, "identity")
            grads = backward(params, cache, T)
            out[act][j] = [np.mean(np.abs(dW)) for dW, _ in grads]
    return out


@functools.cache
def depth_input_control(seed_set: int = 0) -> np.ndarray:
    """The sigmoid network of `depth_runs`, per seed: mean |dW| of layer 2 over layer 1, for the
    input X as drawn (mean 0) and for X + 1/2 (mean 1/2, like the sigmoid outputs every later
    layer receives). Shape (seeds, 2): columns X, X + 1/2. Same batch, targets and weights."""
    sizes = [DEPTH_WIDTH] * DEPTH_LAYERS + [1]
    out = np.zeros((DEPTH_SEEDS, 2))
    for j, seed in enumerate(seeds(DEPTH_SEEDS, seed_set)):
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(64, DEPTH_WIDTH))
        T = rng.uniform(size=(64, 1))
        params = init_params(sizes, np.random.default_rng([seed, 1]), "xavier")
        for k, Xk in enumerate((X, X + 0.5)):
            _, cache = forward(params, Xk, "sigmoid", "identity")
            g = [np.mean(np.abs(dW)) for dW, _ in backward(params, cache, T)]
            out[j, k] = g[1] / g[0]
    return out


def cost_counts(sizes=(784, 256, 256, 10), N: int = 64) -> dict[str, int]:
    """Multiply-adds of one forward and one backward pass of a dense network, and the floats
    the forward pass must keep for the backward pass."""
    pairs = list(zip(sizes[:-1], sizes[1:]))
    fwd = sum(N * i * o for i, o in pairs)  # Z = A W
    bwd = sum(N * i * o for i, o in pairs)  # dW = A^T delta
    bwd += sum(N * i * o for i, o in pairs[1:])  # dA = delta W^T (not needed for the input)
    stored = N * sum(sizes)  # every layer's input/output activations
    params = sum(i * o + o for i, o in pairs)
    return {"forward": fwd, "backward": bwd, "stored": stored, "params": params}


# ---------------------------------------------------------------------------------------------
# What the page shows: figures (drawn for a theme) and values (the numbers it quotes).


def _draw_xor(theme: Theme):
    r = xor_runs()
    fig, (ax1, ax2) = new_figure(theme, ncols=2, width=9.0, height=3.8)
    for (model, label, style), colour in zip(
        (("mlp", f"MLP 2-{XOR_HIDDEN}-1 (tanh)", "-"), ("lin", "linear model 2-1", "--")),
        theme.palette,
    ):
        curves = r[model]["train_loss"][:, ::5]  # every 5th epoch: the curves are smooth
        epochs = np.arange(r[model]["train_loss"].shape[1])[::5]
        ax1.fill_between(epochs, curves.min(0), curves.max(0), color=colour, alpha=0.2, linewidth=0)
        ax1.plot(
            epochs, curves.mean(0), linestyle=style, color=colour,
            label=f"{label}, lr {r[model]['lr']:g}",
        )  # fmt: skip
    ax1.set_xlabel("epoch (full-batch gradient descent)")
    ax1.set_ylabel("training loss  ½‖t − a‖², mean")
    ax1.set_yscale("log")
    ax1.legend(loc="lower left")
    ax1.set_title(f"Mean and min–max over {XOR_SEEDS} seeds")

    X, y = xor_splits(r["seeds"][0])["train"]
    y = y[:, 0]
    g = np.linspace(-2.6, 2.6, 81)
    gx, gy = np.meshgrid(g, g)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    p = forward(r["mlp"]["params"][0], grid, "tanh", "sigmoid")[0].reshape(gx.shape)
    c0, c1 = theme.palette[0], theme.palette[1]
    ax2.contourf(gx, gy, p, levels=[0, 0.5, 1], colors=[c0, c1], alpha=0.18)
    ax2.contour(gx, gy, p, levels=[0.5], colors=[theme.fg], linewidths=1.5)
    ax2.plot(*X[y == 0].T, "o", markersize=3.5, color=c0, label="class 0", markeredgewidth=0)
    ax2.plot(*X[y == 1].T, "^", markersize=4, color=c1, label="class 1", markeredgewidth=0)
    ax2.set_xlabel("$x_1$")
    ax2.set_ylabel("$x_2$")
    ax2.set_aspect("equal")
    ax2.grid(False)
    ax2.legend(loc="upper center", ncols=2, bbox_to_anchor=(0.5, -0.18))
    ax2.set_title(f"MLP boundary (p = 0.5), seed {r['seeds'][0]}")
    return fig


def _draw_gradcheck(theme: Theme):
    rows = gradcheck_runs()
    fig, (ax1, ax2) = new_figure(theme, ncols=2, width=9.0, height=3.8)
    a = np.concatenate([r["analytic"] for r in rows])
    n = np.concatenate([r["numeric"] for r in rows])
    lim = 1.05 * float(np.max(np.abs(np.concatenate([a, n]))))
    ax1.plot([-lim, lim], [-lim, lim], color=theme.muted, linewidth=1, zorder=1)
    ax1.plot(
        a,
        n,
        "o",
        markersize=3,
        color=theme.palette[0],
        zorder=2,
        markeredgewidth=0,
        rasterized=True,
    )  # 600+ dots: a bitmap is a fifth of the bytes
    ax1.set_xlim(-lim, lim)
    ax1.set_ylim(-lim, lim)
    ax1.set_aspect("equal")
    ax1.set_xlabel("backprop gradient")
    ax1.set_ylabel("finite-difference gradient")
    ax1.set_title(f"{a.size} gradient entries, {len(rows)} networks")

    err = np.abs(a - n)
    mag = np.abs(a)
    keep = mag > 0  # dead ReLU units give exact zeros: nothing to draw on a log axis
    ax2.plot(
        mag[keep],
        np.maximum(err[keep], 1e-17),
        "o",
        markersize=3,
        color=theme.palette[0],
        markeredgewidth=0,
        zorder=3,
        rasterized=True,
    )
    xs = np.array([1e-10, 1.0])
    ax2.plot(xs, 1e-7 * xs, color=theme.palette[1], linestyle="--", label="relative error 1e-7")
    ax2.axhline(
        _fd_floor(rows),
        color=theme.fg,
        linestyle=":",
        linewidth=1.5,
        label="round-off floor ε·|L|/h",
    )
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_ylim(1e-17, 1e-6)
    ax2.set_xlabel("|backprop gradient entry|")
    ax2.set_ylabel("|backprop − finite difference|")
    ax2.legend(loc="upper left")
    ax2.set_title("Error per entry")
    return fig


def _draw_depth(theme: Theme):
    runs = depth_runs()
    fig, ax = new_figure(theme, width=6.4, height=3.4)
    layers = np.arange(1, DEPTH_LAYERS + 1)
    for (act, g), marker, colour in zip(runs.items(), ("o", "s", "^"), theme.palette):
        ax.fill_between(layers, g.min(0), g.max(0), color=colour, alpha=0.2, linewidth=0)
        ax.plot(layers, _geomean(g), marker=marker, color=colour, label=act)
    ax.set_yscale("log")
    ax.set_xticks(layers)
    ax.set_xlabel("layer (1 = nearest the input)")
    ax.set_ylabel("mean |∂L/∂W| at initialisation")
    ax.set_title(f"Geometric mean and min–max over {DEPTH_SEEDS} seeds")
    ax.legend(loc="lower right")
    return fig


def figures():
    """Figure name → function drawing it for a theme."""
    return {"xor-training": _draw_xor, "gradient-check": _draw_gradcheck, "depth": _draw_depth}


def _geomean(a: np.ndarray, axis: int = 0) -> np.ndarray:
    return np.exp(np.mean(np.log(a), axis=axis))


def _depth_ratios(runs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per seed: mean |dW| of layer 2 over that of layer 9, the first and last of the layers fed
    by hidden outputs; the input layer (fed X) and the output layer are left out."""
    return {act: g[:, 1] / g[:, -2] for act, g in runs.items()}


def _hidden_factor(g: np.ndarray) -> np.ndarray:
    """Per seed: geometric mean of mean |dW| of layer l + 1 over layer l, for l = 2 .. 8 (the
    pairs of layers fed by hidden outputs, output layer excluded)."""
    return _geomean(g[:, 2:-1] / g[:, 1:-2], 1)


def _pct(x: float) -> str:
    return fmt(100 * x, 1)


def values() -> dict[str, object]:
    """Every number the page quotes, formatted as the page shows it."""
    ex = worked_example()
    v: dict[str, object] = {}
    for key in (
        "z1",
        "a1",
        "z2",
        "a2",
        "dl_da2",
        "fprime2",
        "delta2",
        "fprime1",
        "delta1",
        "dW1",
        "db1",
        "dW2",
        "db2",
        "W1_new",
        "b1_new",
        "W2_new",
        "b2_new",
    ):
        v[f"ex_{key}"] = tex_matrix(ex[key])
    for key in ("X", "T", "W1", "b1", "W2", "b2"):
        v[f"ex_{key}"] = tex_matrix(EXAMPLE[key], digits=1)
    v["ex_lr"] = fmt(EXAMPLE["lr"], 1)
    v["ex_loss"] = fmt(ex["loss"], 6)
    v["ex_loss_new"] = fmt(ex["loss_new"], 6)
    v["ex_loss_drop_pct"] = fmt(100 * (1 - ex["loss_new"] / ex["loss"]), 2)
    v["ex_grad_ratio"] = fmt(np.abs(ex["dW2"]).mean() / np.abs(ex["dW1"]).mean(), 1)
    # mean |outer(u, v)| = mean |u| · mean |v|, so the ratio of the weight gradients factorises
    v["ex_delta_ratio"] = fmt(np.abs(ex["delta2"]).mean() / np.abs(ex["delta1"]).mean(), 1)
    v["ex_input_ratio"] = fmt(np.abs(ex["a1"]).mean() / np.abs(EXAMPLE["X"]).mean(), 2)

    r = xor_runs()
    v.update(
        {
            "xor_seeds": XOR_SEEDS,
            "xor_n_train": XOR_SPLIT[0],
            "xor_n_val": XOR_SPLIT[1],
            "xor_n_test": XOR_SPLIT[2],
            "xor_epochs": XOR_EPOCHS,
            "xor_lrs": ", ".join(f"{lr:g}" for lr in XOR_LRS),
            "xor_hidden": XOR_HIDDEN,
        }
    )
    for m in ("mlp", "lin"):
        acc, curves = r[m]["test_acc"], r[m]["train_loss"]
        v[f"xor_{m}_lr"] = f"{r[m]['lr']:g}"
        v[f"xor_{m}_acc_pct"] = _pct(acc.mean())
        v[f"xor_{m}_acc_min"] = _pct(acc.min())
        v[f"xor_{m}_acc_max"] = _pct(acc.max())
        v[f"xor_{m}_loss_start"] = fmt(curves[:, 0].mean(), 4)
        v[f"xor_{m}_loss_end"] = fmt(curves[:, -1].mean(), 4)

    rows = gradcheck_runs()
    errors = [r["rel_error"] for r in rows]
    a = np.concatenate([r["analytic"] for r in rows])
    n = np.concatenate([r["numeric"] for r in rows])
    diff = np.abs(a - n)
    v["gc_networks"] = len(rows)
    v["gc_entries"] = a.size
    v["gc_worst"] = tex_sci(max(errors))
    v["gc_median"] = tex_sci(np.median(errors))
    v["gc_floor"] = tex_sci(_fd_floor(rows), 0)
    v["gc_diff_median"] = tex_sci(np.median(diff), 0)
    v["gc_diff_max"] = tex_sci(diff.max(), 0)
    v["gc_entries_over_line"] = int(np.sum(diff > 1e-7 * np.abs(a)))
    over = np.abs(a)[diff > 1e-7 * np.abs(a)].max(initial=0)
    v["gc_over_line_max_entry"] = tex_sci(over, 0)
    v["gc_over_line_max_entry_text"] = f"{over:.0e}"  # for alt text, which has no LaTeX

    d = depth_runs()
    ratios = _depth_ratios(d)
    v["depth_layers"] = DEPTH_LAYERS
    v["depth_width"] = DEPTH_WIDTH
    v["depth_seeds"] = DEPTH_SEEDS
    for act, q in ratios.items():
        v[f"depth_{act}_ratio"] = tex_sci(_geomean(q))
        v[f"depth_{act}_ratio_min"] = tex_sci(q.min())
        v[f"depth_{act}_ratio_max"] = tex_sci(q.max())
    v["depth_sigmoid_hidden_orders"] = fmt(-np.log10(_geomean(ratios["sigmoid"])), 1)
    full = _geomean(d["sigmoid"][:, 0] / d["sigmoid"][:, -1])  # first layer over output layer
    v["depth_sigmoid_orders"] = fmt(-np.log10(full), 1)
    v["depth_sigmoid_per_layer"] = fmt(_geomean(_hidden_factor(d["sigmoid"])), 1)
    ctrl = depth_input_control()
    v["depth_first_factor"] = fmt(_geomean(ctrl[:, 0]), 1)
    v["depth_first_factor_shifted"] = fmt(_geomean(ctrl[:, 1]), 1)
    for act, g in d.items():
        v[f"depth_{act}_out_factor"] = fmt(_geomean(g[:, -1] / g[:, -2]), 1)

    c = cost_counts()
    v["cost_sizes"] = "784-256-256-10"
    v["cost_forward_m"] = fmt(c["forward"] / 1e6, 2)
    v["cost_backward_m"] = fmt(c["backward"] / 1e6, 2)
    v["cost_ratio"] = fmt(c["backward"] / c["forward"], 2)
    v["cost_params"] = f"{c['params']:,}"
    v["cost_fd_passes"] = f"{2 * c['params']:,}"
    v["cost_stored"] = f"{c['stored']:,}"
    return v


# ---------------------------------------------------------------------------------------------
# What the page concludes from its experiments: each claim re-runs on the seed set it is given.


def claims(seed_set: int = 0) -> dict[str, tuple[bool, str]]:
    """Claim name → (holds, evidence) for the experiments run on `seeds(n, seed_set)`."""
    out: dict[str, tuple[bool, str]] = {}

    r = xor_runs(seed_set)
    mlp, lin = r["mlp"]["test_acc"], r["lin"]["test_acc"]
    wins = int(np.sum(mlp > lin))
    gap = 100 * (mlp - lin)  # paired: both models see the same data on each seed
    worst = 100 * (mlp.min() - lin.max())  # the worst MLP seed against the best linear seed
    out["xor_mlp_beats_linear"] = (
        bool(wins == XOR_SEEDS and worst > 0 and gap.mean() > gap.std()),
        f"{wins} of {XOR_SEEDS} seeds; test accuracy MLP mean {_pct(mlp.mean())} % "
        f"(min-max {_pct(mlp.min())}-{_pct(mlp.max())}), linear mean {_pct(lin.mean())} % "
        f"(min-max {_pct(lin.min())}-{_pct(lin.max())}); paired gap {gap.mean():.1f} +- "
        f"{gap.std():.1f} points (std); worst MLP seed minus best linear seed {worst:.1f} points",
    )

    rows = gradcheck_runs(seed_set)
    errors = np.array([row["rel_error"] for row in rows])
    below = int(np.sum(errors <= 1e-7))
    out["gradcheck_below_bar"] = (
        bool(below == len(rows)),
        f"{below} of {len(rows)} random networks at a whole-vector relative error of 1e-7 or "
        f"less; worst "
        f"{errors.max():.1e}, median {np.median(errors):.1e}",
    )

    d = depth_runs(seed_set)
    log_ratio = {act: np.log10(q) for act, q in _depth_ratios(d).items()}
    sig = log_ratio["sigmoid"]
    others = np.concatenate([log_ratio["tanh"], log_ratio["relu"]])
    margin = others.min() - sig.max()  # orders of magnitude, worst seed against worst seed
    spread = max(np.ptp(q) for q in log_ratio.values())
    paired = {act: sig - log_ratio[act] for act in ("tanh", "relu")}  # same batch, per seed
    below = {act: int(np.sum(q < 0)) for act, q in paired.items()}
    out["depth_sigmoid_vanishes"] = (
        bool(
            margin > spread
            and all(n >= DEPTH_SEEDS - 1 for n in below.values())
            and all(-q.mean() > q.std() for q in paired.values())
        ),
        f"{DEPTH_SEEDS} seeds per activation, log10 of layer 2 over layer 9: sigmoid "
        f"{sig.min():.1f} to {sig.max():.1f}, tanh and ReLU {others.min():.1f} to "
        f"{others.max():.1f}; worst-seed margin {margin:.1f} orders, largest seed spread "
        f"{spread:.1f}; paired per seed, sigmoid minus tanh {paired['tanh'].mean():.1f} +- "
        f"{paired['tanh'].std():.1f} (lower in {below['tanh']} of {DEPTH_SEEDS}), sigmoid minus "
        f"ReLU {paired['relu'].mean():.1f} +- {paired['relu'].std():.1f} (lower in "
        f"{below['relu']} of {DEPTH_SEEDS})",
    )
    factor = _hidden_factor(d["sigmoid"])
    out["depth_sigmoid_hidden_factor_near_4"] = (
        bool(np.all((factor > 3) & (factor < 6))),
        f"{int(np.sum((factor > 3) & (factor < 6)))} of {DEPTH_SEEDS} seeds: geometric mean of "
        f"the layer-to-layer factor over the hidden pairs 2-3 to 8-9 from {factor.min():.2f} to "
        f"{factor.max():.2f} (band 3 to 6 around 1/sigma'(0) = 4)",
    )
    ctrl = np.log10(depth_input_control(seed_set))
    diff = ctrl[:, 0] - ctrl[:, 1]  # paired: same batch, targets and weights
    n_pos = int(np.sum(diff > 0))
    out["depth_first_layer_input_mean"] = (
        bool(diff.mean() > diff.std() and n_pos >= DEPTH_SEEDS - 1),
        f"layer 2 over layer 1 of the sigmoid network, input X against X + 1/2: "
        f"{10 ** ctrl[:, 0].min():.1f} to {10 ** ctrl[:, 0].max():.1f} against "
        f"{10 ** ctrl[:, 1].min():.1f} to {10 ** ctrl[:, 1].max():.1f}; paired log10 difference "
        f"{diff.mean():.2f} +- {diff.std():.2f} (std), larger with X in {n_pos} of {DEPTH_SEEDS} "
        "seeds",
    )
    shrinking = int(np.sum(np.all(np.diff(d["sigmoid"], axis=1) > 0, axis=1)))
    out["depth_sigmoid_shrinks_every_layer"] = (
        bool(shrinking == DEPTH_SEEDS),
        f"{shrinking} of {DEPTH_SEEDS} seeds: mean |dW| of the sigmoid network smaller at every "
        f"layer than at the one above it",
    )
    level = {act: d[act][:, :-1].max(1) / d[act][:, :-1].min(1) for act in ("tanh", "relu")}
    within = {act: int(np.sum(q < 10)) for act, q in level.items()}
    out["depth_tanh_relu_level"] = (
        bool(all(n == DEPTH_SEEDS for n in within.values())),
        f"tanh {within['tanh']} of {DEPTH_SEEDS} seeds, ReLU {within['relu']} of {DEPTH_SEEDS}; "
        f"largest over smallest mean |dW| across the {DEPTH_LAYERS - 1} hidden layers: tanh at "
        f"most {level['tanh'].max():.1f}, ReLU at most {level['relu'].max():.1f} (bar 10)",
    )
    return out
