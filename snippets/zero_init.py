"""All-zero initialisation: why it fails, measured on real training runs (ML0033).

Every network here is `snippets.backprop`'s (dense layers `(W, b)`, `W` of shape
`(fan_in, fan_out)`, so column `j` of `W` holds the incoming weights of unit `j`). This module
adds what the page needs around it: constant and fixed-scale initialisers, a measure of how far
the hidden units of a layer are from being copies of one another (`unit_spread`), the narrow
network that a symmetric one is secretly equal to (`collapse_identical_units`), the standard
deviation of every layer's activations (`activation_stds`), and a training loop that records
the first layer's weights after every epoch (`train_recording`). The rest is the page's worked
example, experiments, figures and values.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.colors import to_rgba_array

from snippets import backprop as bp
from snippets import checks
from snippets.datasets import two_moons
from snippets.formatting import fmt, tex_matrix, tex_sci
from snippets.plotting import Theme, new_figure

Params = bp.Params


# ---------------------------------------------------------------------------------------------
# Initialisers beyond backprop.init_params ("xavier", "he", "zeros").


# --8<-- [start:init]
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
    value = _finite_float("value", value)
    bias = _finite_float("bias", bias)
    return [(W + value, b + bias) for W, b in bp.init_params(sizes, 0, "zeros")]


def normal_init(sizes, rng, std: float) -> Params:
    """Weights drawn from N(0, std²) whatever the layer's fan-in, zero biases.

    The fixed-scale initialisation that Glorot and He replaced: `std` does not adapt to the
    width, so a deep stack shrinks or grows its activations by about `std·√fan_in` per layer.

    Parameters
    ----------
    sizes : list of int, layer widths, input first (at least two)
    rng : np.random.Generator or int seed
    std : float > 0
    """
    std = checks.positive_float("std", std)
    shapes = [W.shape for W, _ in bp.init_params(sizes, 0, "zeros")]  # validates sizes
    rng = checks.generator("rng", rng)
    return [(rng.normal(0.0, std, size=s), np.zeros(s[1])) for s in shapes]


# --8<-- [end:init]


def _finite_float(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a finite number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value!r}")
    return value


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


# --8<-- [start:spread]
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
    return float(_spread(_weights_and_bias(W, b)))


def _spread(M: np.ndarray) -> np.ndarray:
    # over the last two axes (parameter, unit): the widest range of one parameter across units
    return np.max(M.max(axis=-1) - M.min(axis=-1), axis=-1)


def n_distinct_units(W, b=None) -> int:
    """Number of different columns of [W; b]: the units that actually differ (exact equality)."""
    return int(np.unique(_weights_and_bias(W, b).T, axis=0).shape[0])


# --8<-- [end:spread]


# --8<-- [start:collapse]
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
    out: Params = []
    for l, (W, b) in enumerate(params):
        if l < len(params) - 1:
            spread = unit_spread(W, b)
            if spread != 0.0:
                raise ValueError(
                    f"params[{l}]: expected identical hidden units (equal columns of W and equal "
                    f"entries of b), got a unit spread of {spread:.3g}"
                )
            b = b[:1]
        if l > 0:  # the inputs are copies of one value: their weights add up
            W = W.sum(axis=0, keepdims=True)
        out.append((W[:, :1] if l < len(params) - 1 else W, b))
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
    """`unit_spread` of every recorded `[W1; b1]` in a `train_recording` history."""
    h = checks.as_float_array("history", history, ndim=3)
    if 0 in h.shape:
        raise ValueError(
            f"history: expected shape (epochs + 1, fan_in + 1, n_hidden), got {h.shape}"
        )
    return _spread(h)


# ---------------------------------------------------------------------------------------------
# Worked example: a 2-3-1 network from all-zero weights, three samples, two steps.

EXAMPLE = {
    "X": [[1.0, 2.0], [-1.0, 0.5], [2.0, -1.0]],
    "T": [[1.0], [0.0], [0.0]],
    "hidden": 3,
    "lr": 1.0,
}


def worked_example(activation: str = "sigmoid") -> dict[str, np.ndarray | float]:
    """Forward pass and gradients at the all-zero start, one step, then the gradients again."""
    activation = checks.choice("activation", activation, bp.ACTIVATIONS)
    X = np.array(EXAMPLE["X"])
    T = np.array(EXAMPLE["T"])
    params = bp.init_params([2, EXAMPLE["hidden"], 1], 0, "zeros")
    out: dict[str, np.ndarray | float] = {}
    for step in (1, 2):
        A, cache = bp.forward(params, X, activation, "sigmoid")
        (dW1, db1), (dW2, db2) = bp.backward(params, cache, T)
        out.update(
            {
                f"a1_{step}": cache.a[0],
                f"a2_{step}": A,
                f"delta2_{step}": (A - T) / len(X) * A * (1 - A),  # output error, sigmoid output
                f"dW1_{step}": dW1,
                f"db1_{step}": db1,
                f"dW2_{step}": dW2,
                f"db2_{step}": db2,
                f"loss_{step}": bp.mse_loss(A, T),
            }
        )
        params = bp.sgd_step(params, [(dW1, db1), (dW2, db2)], EXAMPLE["lr"])
        out[f"W1_after_{step}"], out[f"b1_after_{step}"] = params[0]
        out[f"W2_after_{step}"], out[f"b2_after_{step}"] = params[1]
    return out


# ---------------------------------------------------------------------------------------------
# Experiment: zero, constant and random initialisation on an imbalanced two-moons problem.

MOONS_SEED = 0
N_CLASS0, N_CLASS1 = 100, 60
HIDDEN = 8
LR = 30.0
EPOCHS = 1000
CONSTANT = 0.5
ROUNDOFF_HIDDEN = 5


def moons_data(n_class0: int = N_CLASS0, n_class1: int = N_CLASS1, seed: int = MOONS_SEED):
    """Two moons (noise 0.15), standardised, with `n_class1` of the lower moon's points kept.

    The classes are unequal on purpose: with exactly balanced classes the all-zero sigmoid
    network starts at a point where every gradient vanishes (see the page's pitfalls).
    """
    n_class0 = checks.positive_int("n_class0", n_class0)
    n_class1 = checks.positive_int("n_class1", n_class1)
    if n_class1 > n_class0:
        raise ValueError(f"n_class1: expected at most n_class0 = {n_class0}, got {n_class1}")
    X, y = two_moons(2 * n_class0, noise=0.15, rng=seed)
    keep = np.sort(np.concatenate([np.flatnonzero(y == 0), np.flatnonzero(y == 1)[:n_class1]]))
    X, y = X[keep], y[keep]
    return (X - X.mean(axis=0)) / X.std(axis=0), y


@functools.cache
def moons_runs() -> dict[str, dict]:
    """Train every initialisation of the page on the same data, with the same step and length."""
    X, y = moons_data()
    T = y[:, None].astype(float)
    sizes = [2, HIDDEN, 1]
    random = bp.init_params(sizes, 1, "xavier")  # zero biases
    starts = {
        "random": (random, "sigmoid"),
        "zero_last": ([random[0], (np.zeros_like(random[1][0]), random[1][1])], "sigmoid"),
        "zeros": (bp.init_params(sizes, 0, "zeros"), "sigmoid"),
        "constant": (constant_init(sizes, CONSTANT), "sigmoid"),
        "zeros_tanh": (bp.init_params(sizes, 0, "zeros"), "tanh"),
        "zeros_relu": (bp.init_params(sizes, 0, "zeros"), "relu"),
        "one_unit": (bp.init_params([2, 1, 1], 1, "xavier"), "sigmoid"),
        "zeros_h5": (bp.init_params([2, ROUNDOFF_HIDDEN, 1], 0, "zeros"), "sigmoid"),
    }
    runs = {}
    for name, (params, act) in starts.items():
        trained, losses, history = train_recording(params, X, T, LR, EPOCHS, act)
        A = bp.forward(trained, X, act, "sigmoid")[0]
        runs[name] = {
            "activation": act,
            "params": trained,
            "losses": losses,
            "history": history,
            "spread": spread_history(history),
            "accuracy": bp.accuracy(A, y),
        }
    return {"X": X, "y": y, **runs}


def balanced_zero_gradient() -> float:
    """Largest |gradient| entry of the all-zero sigmoid 2-8-1 network on balanced two moons."""
    X, y = two_moons(2 * N_CLASS0, noise=0.15, rng=MOONS_SEED)
    params = bp.init_params([2, HIDDEN, 1], 0, "zeros")
    _, cache = bp.forward(params, X, "sigmoid", "sigmoid")
    grads = bp.backward(params, cache, y[:, None].astype(float))
    return float(np.max(np.abs(bp.flatten(grads))))


# ---------------------------------------------------------------------------------------------
# Experiment: activation size per layer of a deep stack under three initial scales.

DEPTH = 10
WIDTH = 128
BATCH = 256
SMALL_STD, LARGE_STD = 0.01, 1.0


@functools.cache
def scale_runs() -> dict[str, dict[str, dict[str, np.ndarray]]]:
    """For tanh and ReLU: per-layer activation std (and |a| > 0.99 share) at three scales."""
    X = np.random.default_rng(2).standard_normal((BATCH, WIDTH))
    sizes = [WIDTH] * (DEPTH + 1)
    out: dict[str, dict[str, dict[str, np.ndarray]]] = {}
    for act, method in (("tanh", "xavier"), ("relu", "he")):
        starts = {
            "small": normal_init(sizes, 3, SMALL_STD),
            method: bp.init_params(sizes, 3, method),
            "large": normal_init(sizes, 3, LARGE_STD),
        }
        out[act] = {}
        for name, params in starts.items():
            _, cache = bp.forward(params, X, act, act)
            out[act][name] = {
                "std": activation_stds(params, X, act),
                "saturated": np.array([np.mean(np.abs(a) > 0.99) for a in cache.a]),
                "slope": np.array([np.mean(1 - a * a) for a in cache.a]),  # mean tanh'(z)
            }
    return out


# ---------------------------------------------------------------------------------------------
# What the page shows: figures (drawn for a theme) and values (the numbers it quotes).

LABELS = {
    "random": f"random (Xavier), {HIDDEN} units",
    "zeros": f"zeros, {HIDDEN} units",
    "constant": f"constant {CONSTANT}, {HIDDEN} units",
    "one_unit": "random, 1 unit",
    "zeros_tanh": "zeros, tanh or ReLU",
}


PLOT_EPOCHS = np.unique(np.r_[0 : EPOCHS + 1 : 5, EPOCHS])  # every 5th epoch: a lighter SVG


def _draw_loss(theme: Theme):
    r = moons_runs()
    fig, ax = new_figure(theme, width=6.4, height=3.8)
    epochs = PLOT_EPOCHS
    styles = {
        "random": {"color": theme.palette[0]},
        "zeros": {"color": theme.palette[1]},
        "constant": {"color": theme.palette[3], "linestyle": "--"},
        "one_unit": {"color": theme.fg, "linestyle": ":"},
        "zeros_tanh": {"color": theme.palette[2], "linestyle": "-."},
    }
    for name, style in styles.items():
        ax.plot(epochs, r[name]["losses"][epochs], label=LABELS[name], **style)
    ax.set_yscale("log")
    ax.set_xlabel("epoch (full-batch gradient descent)")
    ax.set_ylabel("MSE loss (mean of ½(t − a)²)")
    ax.legend(loc="lower left", fontsize=10)
    return fig


def _boundary(ax, theme: Theme, run: dict, X, y, title: str):
    g = np.linspace(-2.6, 2.6, 121)
    gx, gy = np.meshgrid(g, g)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    p = bp.forward(run["params"], grid, run["activation"], "sigmoid")[0].reshape(gx.shape)
    c0, c1 = theme.palette[0], theme.palette[1]
    # the two regions as a small bitmap: a filled contour would cost tens of KB of SVG paths
    shade = np.where((p > 0.5)[..., None], to_rgba_array(c1), to_rgba_array(c0))
    shade[..., 3] = 0.18
    ax.imshow(shade, extent=(-2.6, 2.6, -2.6, 2.6), origin="lower", interpolation="none")
    ax.contour(gx, gy, p, levels=[0.5], colors=[theme.fg], linewidths=1.5)
    ax.plot(*X[y == 0].T, "o", markersize=3.5, color=c0, label="class 0", markeredgewidth=0)
    ax.plot(*X[y == 1].T, "^", markersize=4, color=c1, label="class 1", markeredgewidth=0)
    ax.set_xlim(-2.6, 2.6)
    ax.set_ylim(-2.6, 2.6)
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_xlabel("$x_1$ (standardised)")
    ax.set_title(f"{title}: {100 * run['accuracy']:.1f} % correct")


def _draw_boundaries(theme: Theme):
    r = moons_runs()
    fig, (ax1, ax2) = new_figure(theme, ncols=2, width=9.0, height=4.4)
    _boundary(ax1, theme, r["zeros"], r["X"], r["y"], "zero init")
    _boundary(ax2, theme, r["random"], r["X"], r["y"], "random init")
    ax1.set_ylabel("$x_2$ (standardised)")
    ax2.legend(loc="upper center", ncols=2, bbox_to_anchor=(-0.1, -0.2))
    return fig


def _draw_hidden_weights(theme: Theme):
    r = moons_runs()
    fig, axes = new_figure(theme, ncols=2, width=9.0, height=3.8)
    epochs = PLOT_EPOCHS
    names = ("$w_{1j}$ (from $x_1$)", "$w_{2j}$ (from $x_2$)")
    for ax, run, title in zip(axes, ("zeros", "random"), ("zero init", "random init")):
        h = r[run]["history"]
        for row, (name, style) in enumerate(zip(names, ("-", "--"))):
            for j in range(HIDDEN):
                ax.plot(
                    epochs,
                    h[epochs, row, j],
                    color=theme.palette[row],
                    linestyle=style,
                    linewidth=1.5,
                    label=name if j == 0 else None,
                )
        ax.set_xlabel("epoch")
        ax.set_title(f"{title}: {n_distinct_units(h[-1][:2], h[-1][2])} distinct of {HIDDEN}")
    axes[0].set_ylabel("weight into hidden unit j")
    lo = min(r[n]["history"][:, :2].min() for n in ("zeros", "random"))
    hi = max(r[n]["history"][:, :2].max() for n in ("zeros", "random"))
    for ax in axes:
        ax.set_ylim(lo - 0.3, hi + 0.3)
    axes[0].legend(loc="lower left")
    return fig


def _draw_spread(theme: Theme):
    r = moons_runs()
    fig, ax = new_figure(theme, width=6.4, height=3.6)
    epochs = PLOT_EPOCHS
    ax.plot(epochs, r["random"]["spread"][epochs], color=theme.palette[0], label=LABELS["random"])
    s5 = r["zeros_h5"]["spread"][epochs]
    keep = s5 > 0  # exact zeros have no place on a log axis
    ax.plot(
        epochs[keep],
        s5[keep],
        color=theme.palette[1],
        linestyle="--",
        label=f"zeros, {ROUNDOFF_HIDDEN} units (round-off only)",
    )
    if not np.any(r["zeros"]["spread"]):
        ax.text(
            0.98,
            0.32,
            f"zeros, {HIDDEN} units: exactly 0 at every epoch\n(no point on a log axis)",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            color=theme.fg,
            fontsize=10,
        )
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("unit spread of [W₁; b₁]")
    ax.legend(loc="center right", bbox_to_anchor=(1.0, 0.58), fontsize=10)
    return fig


def _draw_scale(theme: Theme):
    runs = scale_runs()
    fig, axes = new_figure(theme, ncols=2, width=9.0, height=3.8)
    layers = np.arange(1, DEPTH + 1)
    labels = {
        "small": f"N(0, {SMALL_STD}²)",
        "xavier": "Xavier",
        "he": "He",
        "large": f"N(0, {LARGE_STD:g}²)",
    }
    for ax, (act, by_scale) in zip(axes, runs.items()):
        for (name, stats), style, color in zip(by_scale.items(), ("--", "-", ":"), theme.palette):
            ax.plot(layers, stats["std"], linestyle=style, color=color, label=labels[name])
        ax.set_yscale("log")
        top = max(float(stats["std"].max()) for stats in by_scale.values())
        ax.set_ylim(top=top * 10)  # keep the top curve off the frame
        ax.set_xticks(layers)
        ax.set_xlabel("layer (1 = nearest the input)")
        ax.set_title(f"{'ReLU' if act == 'relu' else act}, {WIDTH} units per layer")
        ax.legend(loc="best", fontsize=10)
    axes[0].set_ylabel("std of the layer's activations")
    return fig


def figures():
    """Figure name → function drawing it for a theme."""
    return {
        "loss": _draw_loss,
        "boundaries": _draw_boundaries,
        "hidden-weights": _draw_hidden_weights,
        "spread": _draw_spread,
        "scale": _draw_scale,
    }


def _tex_scaled(a, digits: int = 3) -> str:
    """A matrix as `c \\times 10^{k} [ ... ]` with one power of ten for all entries (0 → plain)."""
    a = np.asarray(a, dtype=float)
    top = float(np.max(np.abs(a)))
    if top == 0.0:
        return tex_matrix(a, 0)
    k = int(np.floor(np.log10(top)))
    if -1 <= k <= 0:
        return tex_matrix(a, digits + 1)
    return rf"10^{{{k}}} \cdot " + tex_matrix(a / 10.0**k, digits)


def _sci_or_zero(x: float) -> str:
    return "0" if x == 0 else tex_sci(x)


def _num(x: float) -> str:
    """Three significant digits: plain between 0.01 and 1000, scientific outside."""
    x = float(x)
    if x == 0 or not 0.01 <= abs(x) < 1000:
        return _sci_or_zero(x)
    return fmt(x, max(0, 2 - int(np.floor(np.log10(abs(x))))))


def values() -> dict[str, object]:
    """Every number the page quotes, formatted as the page shows it."""
    v: dict[str, object] = {}

    ex = worked_example("sigmoid")
    v["ex_X"] = tex_matrix(EXAMPLE["X"], 1)
    v["ex_T"] = tex_matrix(EXAMPLE["T"], 0)
    v["ex_hidden"] = EXAMPLE["hidden"]
    v["ex_lr"] = fmt(EXAMPLE["lr"], 1)
    v["ex_a1"] = tex_matrix(ex["a1_1"], 1)
    v["ex_a2"] = tex_matrix(ex["a2_1"], 1)
    v["ex_delta2"] = tex_matrix(ex["delta2_1"], 5)
    v["ex_delta2_sum"] = fmt(ex["delta2_1"].sum(), 5)
    for key in ("dW2_1", "db2_1", "W2_after_1", "b2_after_1"):
        v[f"ex_{key}"] = tex_matrix(ex[key].T if key.startswith(("dW2", "W2")) else ex[key], 5)
    v["ex_dW1_1"] = tex_matrix(ex["dW1_1"], 0)
    v["ex_db1_1"] = tex_matrix(ex["db1_1"], 0)
    v["ex_dW1_2"] = _tex_scaled(ex["dW1_2"])
    v["ex_db1_2"] = _tex_scaled(ex["db1_2"])
    v["ex_W1_after_2"] = _tex_scaled(ex["W1_after_2"])
    v["ex_loss_1"] = fmt(ex["loss_1"], 6)
    v["ex_loss_2"] = fmt(ex["loss_2"], 6)
    ex_t = worked_example("tanh")
    v["ex_tanh_a1"] = tex_matrix(ex_t["a1_1"], 0)
    v["ex_tanh_dW2"] = tex_matrix(ex_t["dW2_1"].T, 0)
    v["ex_tanh_dW1"] = tex_matrix(ex_t["dW1_1"], 0)
    v["ex_tanh_db2"] = fmt(float(ex_t["db2_1"][0]), 5)
    v["ex_tanh_dW1_2"] = tex_matrix(ex_t["dW1_2"], 0)

    r = moons_runs()
    y = r["y"]
    share = float(np.mean(y))
    v.update(
        {
            "n": len(y),
            "n0": int(np.sum(y == 0)),
            "n1": int(np.sum(y == 1)),
            "share1_pct": fmt(100 * share, 1),
            "majority_pct": fmt(100 * (1 - share), 1),
            "hidden": HIDDEN,
            "lr": fmt(LR, 0),
            "epochs": EPOCHS,
            "constant": fmt(CONSTANT, 1),
            "roundoff_hidden": ROUNDOFF_HIDDEN,
            "const_loss": fmt(0.5 * share * (1 - share), 6),
        }
    )
    for name in (
        "random",
        "zero_last",
        "zeros",
        "constant",
        "one_unit",
        "zeros_tanh",
        "zeros_relu",
    ):
        run = r[name]
        v[f"{name}_acc_pct"] = fmt(100 * run["accuracy"], 1)
        v[f"{name}_loss_end"] = fmt(run["losses"][-1], 4)
        v[f"{name}_spread_end"] = _num(run["spread"][-1])
    v["loss_start"] = fmt(r["zeros"]["losses"][0], 4)
    v["zeros_tanh_loss_end"] = fmt(r["zeros_tanh"]["losses"][-1], 6)
    v["zeros_relu_loss_end"] = fmt(r["zeros_relu"]["losses"][-1], 6)
    b2 = float(r["zeros_tanh"]["params"][1][1][0])
    v["tanh_b2"] = fmt(b2, 4)
    v["tanh_sigma_b2"] = fmt(bp.sigmoid(b2), 4)
    v["random_spread_start"] = _num(r["random"]["spread"][0])
    v["random_distinct"] = n_distinct_units(*r["random"]["params"][0])
    v["zeros_distinct"] = n_distinct_units(*r["zeros"]["params"][0])
    v["zeros_max_weight"] = fmt(np.abs(r["zeros"]["params"][0][0]).max(), 2)
    one = collapse_identical_units(r["zeros"]["params"])
    X = r["X"]
    gap = np.abs(
        bp.forward(one, X, "sigmoid", "sigmoid")[0]
        - bp.forward(r["zeros"]["params"], X, "sigmoid", "sigmoid")[0]
    ).max()
    v["collapse_gap"] = _sci_or_zero(gap)
    h5 = r["zeros_h5"]["spread"]
    v["h5_spread_100"] = _sci_or_zero(h5[100])
    v["h5_spread_end"] = _sci_or_zero(h5[-1])
    v["random_spread_min"] = _num(r["random"]["spread"].min())
    v["random_spread_max"] = _num(r["random"]["spread"].max())
    v["spread_orders"] = int(np.floor(np.log10(r["random"]["spread"].min() / h5.max())))
    v["balanced_grad"] = _sci_or_zero(balanced_zero_gradient())

    s = scale_runs()
    v["depth"] = DEPTH
    v["width"] = WIDTH
    v["batch"] = BATCH
    v["small_std"] = fmt(SMALL_STD, 2)
    v["large_std"] = fmt(LARGE_STD, 0)
    v["xavier_std"] = fmt(np.sqrt(1 / WIDTH), 3)
    v["he_std"] = fmt(np.sqrt(2 / WIDTH), 3)
    for act, by_scale in s.items():
        for name, stats in by_scale.items():
            key = "good" if name in ("xavier", "he") else name
            v[f"{act}_{key}_std_first"] = _num(stats["std"][0])
            v[f"{act}_{key}_std_last"] = _num(stats["std"][-1])
    v["tanh_large_saturated_pct"] = fmt(100 * s["tanh"]["large"]["saturated"][-1], 0)
    v["tanh_large_slope"] = fmt(s["tanh"]["large"]["slope"][-1], 3)
    v["tanh_good_slope"] = fmt(s["tanh"]["xavier"]["slope"][-1], 3)
    v["small_factor"] = fmt(SMALL_STD * np.sqrt(WIDTH), 3)
    v["relu_small_factor"] = fmt(SMALL_STD * np.sqrt(WIDTH / 2), 2)
    v["relu_large_factor"] = fmt(LARGE_STD * np.sqrt(WIDTH / 2), 1)
    return v
