"""ML0033 · All Zeros Init: the page module of docs/training/ml0033-all-zeros-init.md.

This notebook works the page's example (a 2-3-1 network trained from all-zero weights, two
updates by hand), then trains small networks from zero, constant and random starts on an
unbalanced two-moons problem and watches whether their hidden units stay copies of one another,
and finally measures how the scale of a random start shrinks, keeps or blows up the activations
of a ten-layer stack. Change a parameter in a cell (the hidden width, the constant, the
learning-rate grid, the depth or the scales) and re-run the cells below it to see what changes.
The reference code it uses is in `snippets/zero_init.py` and `snippets/backprop.py`.
"""

# %%
from __future__ import annotations

import functools

import numpy as np
from matplotlib.colors import to_rgba_array

from snippets import backprop as bp
from snippets import checks, evidence
from snippets.companion import show
from snippets.datasets import two_moons
from snippets.formatting import fmt, tex_matrix, tex_sci
from snippets.memo import memo
from snippets.plotting import Theme, log_scale, new_figure
from snippets.seeds import seeds
from snippets.zero_init import (
    collapse_identical_units,
    constant_init,
    n_distinct_units,
    normal_init,
    spread_history,
)

# %% [markdown]
# ## Worked example: two updates from zero
#
# A 2-3-1 network, sigmoid hidden units and output, every weight and bias 0, three samples,
# learning rate 1. On the first step only the output layer moves (the hidden layer's error
# passes through the zero output weights); on the second the hidden weights move, by the same
# amount in every unit. With tanh (or ReLU) hidden units every hidden output is 0, and only
# the output bias ever moves.

# %%
EXAMPLE = {
    "X": [[1.0, 2.0], [-1.0, 0.5], [2.0, -1.0]],
    "T": [[1.0], [0.0], [0.0]],
    "hidden": 3,
    "lr": 1.0,
}


def worked_example(activation: str = "sigmoid") -> dict[str, np.ndarray | float]:
    """Forward pass and gradients at the all-zero start, one step, then the gradients again.

    `loss_1` is the loss at the start, `loss_2` after the first update, `loss_after_2` after the
    second.
    """
    activation = checks.choice("activation", activation, bp.ACTIVATIONS)
    # --8<-- [start:worked_example]
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
    # loss_1 is at the start, loss_2 after one update: the loss after both updates needs a forward
    out["loss_after_2"] = bp.mse_loss(bp.forward(params, X, activation, "sigmoid")[0], T)
    return out
    # --8<-- [end:worked_example]


# %%
for _act in ("sigmoid", "tanh"):
    _ex = worked_example(_act)
    print(
        f"{_act}: loss {_ex['loss_1']:.6f} -> {_ex['loss_2']:.6f} -> {_ex['loss_after_2']:.6f}; "
        f"max |dW1| step 1 {np.abs(_ex['dW1_1']).max():.3g}, step 2 "
        f"{np.abs(_ex['dW1_2']).max():.3g}; distinct hidden units after 2 steps "
        f"{n_distinct_units(_ex['W1_after_2'], _ex['b1_after_2'])}"
    )

# %% [markdown]
# ## Experiment: zero, constant and random starts on two moons
#
# 2-H-1 networks (sigmoid output, squared error, full-batch gradient descent) on two moons
# with fewer points of class 1 than of class 0: with exactly balanced classes the all-zero
# sigmoid network starts where every gradient vanishes. Every seed draws its own training,
# validation and test sets and its own random starts. Each start tries every rate of `LR_GRID`
# and keeps the one with the lowest mean validation loss over the seeds; the test sets are used
# once, at that rate. The *unit spread* of the first layer (see `snippets/zero_init.py`) is 0
# exactly when its hidden units are copies.

# %%
N_CLASS0, N_CLASS1 = 100, 60
HIDDEN = 8
LR_GRID = (3.0, 10.0, 30.0, 100.0)  # full-batch step sizes; each start picks its own
EPOCHS = 1000
N_SEEDS = 5
CONSTANT = 0.5
ROUNDOFF_HIDDEN = 5
SYMMETRIC_TOL = 1e-12  # "identical units": a spread below this is round-off
RECORDED = ("zeros", "random")  # starts whose first layer the figures trace, first seed

# start name -> (hidden units, hidden activation, how the weights start)
STARTS = {
    "random": (HIDDEN, "sigmoid", "xavier"),
    "zero_last": (HIDDEN, "sigmoid", "xavier, zero output layer"),
    "zeros": (HIDDEN, "sigmoid", "zeros"),
    "constant": (HIDDEN, "sigmoid", "constant"),
    "one_unit": (1, "sigmoid", "xavier"),
    "zeros_tanh": (HIDDEN, "tanh", "zeros"),
    "zeros_relu": (HIDDEN, "relu", "zeros"),
    "zeros_h5": (ROUNDOFF_HIDDEN, "sigmoid", "zeros"),
}


def moons_data(n_class0: int = N_CLASS0, n_class1: int = N_CLASS1, seed=0):
    """Two moons (noise 0.15) with only `n_class1` of the lower moon's points kept (raw scale).

    The classes are unequal on purpose: with exactly balanced classes the all-zero sigmoid
    network starts at a point where every gradient vanishes (see the page's pitfalls).
    `seed` is an int or a `np.random.Generator`.
    """
    n_class0 = checks.positive_int("n_class0", n_class0)
    n_class1 = checks.positive_int("n_class1", n_class1)
    if n_class1 > n_class0:
        raise ValueError(f"n_class1: expected at most n_class0 = {n_class0}, got {n_class1}")
    X, y = two_moons(2 * n_class0, noise=0.15, rng=seed)
    keep = np.sort(np.concatenate([np.flatnonzero(y == 0), np.flatnonzero(y == 1)[:n_class1]]))
    return X[keep], y[keep]


def moons_split(seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Independent train, validation and test draws of `moons_data`, standardised with the
    training set's mean and standard deviation; `seed` is an int >= 0."""
    return _moons_split(checks.integer("seed", seed, minimum=0))


@functools.cache  # every start and rate of a seed trains on the same split
def _moons_split(seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)]
    parts = dict(zip(("train", "val", "test"), (moons_data(seed=r) for r in rngs)))
    mean, std = parts["train"][0].mean(axis=0), parts["train"][0].std(axis=0)
    return {k: ((X - mean) / std, y) for k, (X, y) in parts.items()}


def start_params(name: str, seed: int) -> bp.Params:
    """The initial 2-H-1 network of start `name` (random draws from `seed`), zero biases."""
    name = checks.choice("name", name, tuple(STARTS))
    seed = checks.integer("seed", seed, minimum=0)
    hidden, _, _ = STARTS[name]
    sizes = [2, hidden, 1]
    if name == "constant":
        return constant_init(sizes, CONSTANT)
    if name.startswith("zeros"):
        return bp.init_params(sizes, seed, "zeros")
    params = bp.init_params(sizes, seed, "xavier")
    if name == "zero_last":
        params[1] = (np.zeros_like(params[1][0]), params[1][1])
    return params


def _hidden_into(out, Xa, Wb, activation: str) -> None:
    """f(Xa @ Wb) into `out`, in place. Sigmoid and tanh go through `np.exp`, about three times
    faster than `np.tanh` here: sigma(z) = 1 / (1 + e^-z), tanh z = 2 sigma(2z) - 1. Xa @ (-Wb)
    is -(Xa @ Wb) exactly and doubling is exact, so only the formula's rounding differs from
    `backprop.activate`'s (~1e-16; the tests compare with `backprop.train`)."""
    if activation == "relu":
        np.matmul(Xa, Wb, out=out)
        np.maximum(out, 0.0, out=out)
        return
    np.matmul(Xa, Wb * (-1.0 if activation == "sigmoid" else -2.0), out=out)
    with np.errstate(over="ignore"):  # e^-z = inf is sigma(z) = 0, the right limit
        np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    if activation == "tanh":
        out *= 2.0
        out -= 1.0


def _derivative_into(out, A1, activation: str) -> None:
    """f'(z) from a = f(z), into `out`: a(1 - a), 1 - a^2, or [a > 0] (ReLU'(0) = 0)."""
    if activation == "sigmoid":
        np.subtract(1.0, A1, out=out)
        out *= A1
    elif activation == "tanh":
        np.multiply(A1, A1, out=out)
        np.subtract(1.0, out, out=out)
    else:
        np.greater(A1, 0.0, out=out)


def _train_many(params, X, T, lr, epochs: int, activation: str, record=()):
    """`backprop.train` (full batch, sigmoid output) for R independent 2-H-1 networks at once.

    `params` are stacked: W1 (R, d, H), b1 (R, H), W2 (R, H, 1), b2 (R, 1); X (R, N, d),
    T (R, N, 1), lr (R,). Returns the trained stack, the losses (R, epochs + 1), the first
    layer's unit spread (R, epochs + 1), both before training and after every epoch, and the
    first layer `[W1; b1]` of the networks `record` (row numbers) before training and after
    every epoch, shape (len(record), epochs + 1, d + 1, H), as `zero_init.train_recording`.

    The arithmetic is backprop's with the bias folded into the first matrix ([X, 1] @ [W1; b1])
    and W2 taken out of the first layer's sum: dW1[:, j] = W2[j] (X^T (delta2 * f'))[:, j].
    One stack, in place, is about 20 times faster than the networks one by one; the tests check
    it against `backprop.train` run by run.
    """
    W1, b1, W2, b2 = (np.array(p, dtype=float) for p in params)
    R, N, d = X.shape
    Xa = np.concatenate([X, np.ones((R, N, 1))], axis=2)
    XaT = np.ascontiguousarray(Xa.transpose(0, 2, 1))
    Wb = np.concatenate([W1, b1[:, None, :]], axis=1)  # (R, d + 1, H): [W1; b1]
    lr = np.asarray(lr, dtype=float)
    lr3, lr2 = lr[:, None, None], lr[:, None]
    A1, D = np.empty((R, N, Wb.shape[2])), np.empty((R, N, Wb.shape[2]))

    def forward():
        _hidden_into(A1, Xa, Wb, activation)
        A = np.matmul(A1, -W2)  # the output sigmoid as the hidden one: 1 / (1 + e^-z)
        A -= b2[:, None, :]
        with np.errstate(over="ignore"):
            np.exp(A, out=A)
        A += 1.0
        return np.reciprocal(A, out=A)

    losses, layers = [], []  # per epoch: the losses (R,) and a copy of [W1; b1] (R, d + 1, H)

    def keep(A):
        losses.append(0.5 * np.sum((T - A) ** 2, axis=(1, 2)) / N)
        layers.append(Wb.copy())

    A = forward()
    keep(A)
    for _ in range(epochs):
        delta2 = A - T
        delta2 /= N
        delta2 *= A
        delta2 *= 1.0 - A
        _derivative_into(D, A1, activation)
        D *= delta2
        dWb = (XaT @ D) * W2.transpose(0, 2, 1)
        dW2, db2 = A1.transpose(0, 2, 1) @ delta2, delta2.sum(axis=1)
        Wb -= lr3 * dWb
        W2 -= lr3 * dW2
        b2 -= lr2 * db2
        A = forward()
        keep(A)
    trained = (Wb[:, :d].copy(), Wb[:, d].copy(), W2, b2)
    layers = np.stack(layers, axis=1)  # (R, epochs + 1, d + 1, H)
    spreads = spread_history(layers.reshape(-1, d + 1, Wb.shape[2])).reshape(R, epochs + 1)
    return trained, np.array(losses).T, spreads, layers[list(record)]


def _predict(params, X, activation: str) -> np.ndarray:
    """Class-1 probabilities of one network on a batch, shape (N, 1)."""
    return bp.forward(params, X, activation, "sigmoid")[0]


@memo
def moons_runs(seed_set: int = 0) -> dict[str, dict]:
    """Every start of the page at every rate of LR_GRID on every seed of the set.

    Each start keeps the rate with the lowest mean validation loss over the seeds; the test
    split is used once, for that rate only.
    """
    seed_list = seeds(N_SEEDS, seed_set)
    splits = [_moons_split(s) for s in seed_list]
    runs: dict[str, dict] = {}
    groups: dict[tuple[int, str], list[str]] = {}
    for name, (hidden, act, _) in STARTS.items():
        groups.setdefault((hidden, act), []).append(name)
    for (_, act), names in groups.items():
        jobs = [(n, lr, i) for n in names for lr in LR_GRID for i in range(len(seed_list))]
        starts = [start_params(n, seed_list[i]) for n, _, i in jobs]
        stack = [np.array([p[l][k] for p in starts]) for l in (0, 1) for k in (0, 1)]
        X = np.array([splits[i]["train"][0] for _, _, i in jobs])
        T = np.array([splits[i]["train"][1][:, None] for _, _, i in jobs], dtype=float)
        lrs = [lr for _, lr, _ in jobs]
        shown = [j for j, (n, _, i) in enumerate(jobs) if n in RECORDED and i == 0]
        trained, losses, spreads, history = _train_many(stack, X, T, lrs, EPOCHS, act, shown)
        for name in names:
            by_lr = {}
            for lr in LR_GRID:
                rows = [j for j, (n, r, _) in enumerate(jobs) if n == name and r == lr]
                params = [
                    [(trained[0][j], trained[1][j]), (trained[2][j], trained[3][j])] for j in rows
                ]
                val = [
                    bp.mse_loss(_predict(p, sp["val"][0], act), sp["val"][1][:, None])
                    for p, sp in zip(params, splits)
                ]
                by_lr[lr] = {
                    "params": params,
                    "losses": losses[rows],
                    "spread": spreads[rows],
                    "val_loss": np.array(val),
                }
                if name in RECORDED:  # the first seed's first layer at every epoch
                    by_lr[lr]["history"] = history[shown.index(rows[0])]
            lr = min(LR_GRID, key=lambda r: (by_lr[r]["val_loss"].mean(), r))
            best = by_lr[lr]
            test_acc = np.array(
                [
                    bp.accuracy(_predict(p, sp["test"][0], act), sp["test"][1])
                    for p, sp in zip(best["params"], splits)
                ]
            )
            runs[name] = {
                "activation": act,
                "lr": lr,
                "val_by_lr": {r: by_lr[r]["val_loss"] for r in LR_GRID},
                **best,
                "test_acc": test_acc,
            }
    p_train = np.array([np.mean(s["train"][1]) for s in splits])
    return {"seeds": seed_list, "splits": splits, "p_train": p_train, **runs}


def balanced_zero_gradient() -> float:
    """Largest |gradient| entry of the all-zero sigmoid 2-8-1 network on balanced two moons."""
    X, y = two_moons(2 * N_CLASS0, noise=0.15, rng=0)
    params = bp.init_params([2, HIDDEN, 1], 0, "zeros")
    _, cache = bp.forward(params, X, "sigmoid", "sigmoid")
    grads = bp.backward(params, cache, y[:, None].astype(float))
    return float(np.max(np.abs(bp.flatten(grads))))


@memo
def display_runs() -> dict:
    """The first seed of set 0 at each start's chosen rate: what the figures draw.

    `X`, `y` are that seed's test split; `accuracy` is test accuracy. The starts of `RECORDED`
    also carry `history`, their first layer `[W1; b1]` before training and after every epoch.
    """
    r = moons_runs(0)
    split = r["splits"][0]
    out: dict = {"X": split["test"][0], "y": split["test"][1]}
    for name in STARTS:
        run = r[name]
        out[name] = {
            "activation": run["activation"],
            "lr": run["lr"],
            "params": run["params"][0],
            "losses": run["losses"][0],
            "spread": run["spread"][0],
            "accuracy": run["test_acc"][0],
        }
        if name in RECORDED:
            out[name]["history"] = run["history"]
    return out


# %%
_r = moons_runs(0)
print(f"{'start':<11} {'units':>5} {'act':<8} {'lr':>4}  {'test acc %':<11}  {'final loss':<15}")
for _name, (_h, _a, _) in STARTS.items():
    _run = _r[_name]
    print(
        f"{_name:<11} {_h:>5} {_a:<8} {_run['lr']:>4g}  "
        f"{evidence.spread(_run['test_acc'], 100, 1):<11}  "
        f"{evidence.spread(_run['losses'][:, -1], 1, 4):<15}  "
        f"largest unit spread {_run['spread'].max():.2g}"
    )

# %% [markdown]
# ## Figures of the first seed
#
# The loss curves; the decision boundaries of the zero and random starts; and the weights into
# each hidden unit over training, where the zero start's traces lie on top of one another. The
# page also draws `draw_spread`, the unit spread over training: `show(draw_spread)` shows it.

# %%


LABELS = {
    "random": f"random (Xavier), {HIDDEN} units",
    "zeros": f"zeros, {HIDDEN} units",
    "constant": f"constant {CONSTANT}, {HIDDEN} units",
    "one_unit": "random, 1 unit",
    "zeros_tanh": "zeros, tanh or ReLU",
}
PLOT_EPOCHS = np.unique(np.r_[0 : EPOCHS + 1 : 5, EPOCHS])  # every 5th epoch: a lighter SVG


def draw_loss(theme: Theme):
    r = display_runs()
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
    log_scale(ax, "y")
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
    ax.set_xlabel("x₁ (standardised)")
    ax.set_title(f"{title}: {100 * run['accuracy']:.1f} % test accuracy")


def draw_boundaries(theme: Theme):
    r = display_runs()
    fig, (ax1, ax2) = new_figure(theme, ncols=2, width=9.0, height=4.4)
    _boundary(ax1, theme, r["zeros"], r["X"], r["y"], "zero init")
    _boundary(ax2, theme, r["random"], r["X"], r["y"], "random init")
    ax1.set_ylabel("x₂ (standardised)")
    ax2.legend(loc="upper center", ncols=2, bbox_to_anchor=(-0.1, -0.2))
    return fig


def draw_hidden_weights(theme: Theme):
    r = display_runs()
    fig, axes = new_figure(theme, ncols=2, width=9.0, height=3.8)
    epochs = PLOT_EPOCHS
    names = ("w₁ⱼ (from x₁)", "w₂ⱼ (from x₂)")
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


def draw_spread(theme: Theme):
    r = display_runs()
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
    log_scale(ax, "y")
    ax.set_xlabel("epoch")
    ax.set_ylabel("unit spread of [W₁; b₁]")
    ax.legend(loc="center right", bbox_to_anchor=(1.0, 0.58), fontsize=10)
    return fig


# %%
show(draw_loss)

# %%
show(draw_boundaries)

# %%
show(draw_hidden_weights)

# %% [markdown]
# ## Experiment: the scale of a random start in a deep stack
#
# A batch of standard-normal inputs through `DEPTH` layers of `WIDTH` units, tanh or ReLU,
# at three scales: a fixed N(0, 0.01²), the width-scaled Xavier (tanh) or He (ReLU), and a
# fixed N(0, 1). For each: the standard deviation of every layer's activations, the share of
# saturated tanh units, the mean slope tanh' and the mean |dW| of every layer for the squared
# error against random targets.

# %%
DEPTH = 10
WIDTH = 128
BATCH = 256
SMALL_STD, LARGE_STD = 0.01, 1.0
N_SCALE_SEEDS = 5


@memo
def scale_runs(seed: int = 0) -> dict[str, dict[str, dict[str, np.ndarray]]]:
    """For tanh and ReLU: per-layer activation std (and |a| > 0.99 share) at three scales, and
    the mean |dW| of every layer for the squared error against targets uniform on [-1, 1].

    The batch, the targets and all three weight draws come from `seed`.
    """
    rng_x, rng_w = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    X = rng_x.standard_normal((BATCH, WIDTH))
    T = rng_x.uniform(-1.0, 1.0, size=(BATCH, WIDTH))
    w_seed = int(rng_w.integers(2**31))
    sizes = [WIDTH] * (DEPTH + 1)
    out: dict[str, dict[str, dict[str, np.ndarray]]] = {}
    for act, method in (("tanh", "xavier"), ("relu", "he")):
        starts = {
            "small": normal_init(sizes, w_seed, SMALL_STD),
            method: bp.init_params(sizes, w_seed, method),
            "large": normal_init(sizes, w_seed, LARGE_STD),
        }
        out[act] = {}
        for name, params in starts.items():
            _, cache = bp.forward(params, X, act, act)
            out[act][name] = {
                "std": np.array([a.std() for a in cache.a]),  # activation_stds, same forward
                "saturated": np.array([np.mean(np.abs(a) > 0.99) for a in cache.a]),
                "slope": np.array([np.mean(1 - a * a) for a in cache.a]),  # mean tanh'(z)
                "grad": np.array([np.mean(np.abs(dW)) for dW, _ in bp.backward(params, cache, T)]),
            }
    return out


@memo
def scale_summary(seed_set: int = 0) -> dict[str, np.ndarray]:
    """`scale_runs` over N_SCALE_SEEDS seeds of a set: key `{act}_{scale}_{stat}`, one row per
    seed and one column per layer."""
    runs = [scale_runs(s) for s in seeds(N_SCALE_SEEDS, seed_set)]
    return {
        f"{act}_{name}_{key}": np.array([r[act][name][key] for r in runs])
        for act, by_scale in runs[0].items()
        for name in by_scale
        for key in ("std", "saturated", "slope", "grad")
    }


def draw_scale(theme: Theme):
    runs = scale_runs(seeds(1)[0])
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
        log_scale(ax, "y")
        top = max(float(stats["std"].max()) for stats in by_scale.values())
        ax.set_ylim(top=top * 10)  # keep the top curve off the frame
        ax.set_xticks(layers)
        ax.set_xlabel("layer (1 = nearest the input)")
        ax.set_title(f"{'ReLU' if act == 'relu' else act}, {WIDTH} units per layer")
        ax.legend(loc="best", fontsize=10)
    axes[0].set_ylabel("std of the layer's activations")
    return fig


# %%
for _act, _by_scale in scale_runs(seeds(1)[0]).items():
    for _name, _stats in _by_scale.items():
        print(
            f"{_act:<4} {_name:<6} activation std, layer 1 {_stats['std'][0]:.3g}, "
            f"layer {DEPTH} {_stats['std'][-1]:.3g}"
        )

# %%
show(draw_scale)

# %% [markdown]
# ## What the page shows and concludes
#
# `figures()` and `values()` are what the site's build draws and quotes; `claims()` is what the
# page concludes, each a (holds, evidence) pair computed on every seed of a seed set.


# %%
def figures():
    """Figure name → function drawing it for a theme."""
    return {
        "loss": draw_loss,
        "boundaries": draw_boundaries,
        "hidden-weights": draw_hidden_weights,
        "spread": draw_spread,
        "scale": draw_scale,
    }


NOTE_NAMES = {
    "random": "the random start",
    "zero_last": "the zero output layer",
    "zeros": "the all-zero start",
    "constant": f"the constant {CONSTANT} start",
    "one_unit": "the one-unit network",
    "zeros_tanh": "the tanh zero start",
    "zeros_relu": "the ReLU zero start",
}


def _lr_edge_note(r: dict) -> str:
    """A sentence naming the table's starts whose chosen rate is an end of LR_GRID, with how
    much higher the mean validation loss is at the neighbouring rate (empty if none)."""
    parts = []
    for name in NOTE_NAMES:
        run, lr = r[name], r[name]["lr"]
        if lr not in (LR_GRID[0], LR_GRID[-1]):
            continue
        nxt = LR_GRID[1] if lr == LR_GRID[0] else LR_GRID[-2]
        best, other = run["val_by_lr"][lr].mean(), run["val_by_lr"][nxt].mean()
        parts.append(
            f"{NOTE_NAMES[name]} ({fmt(lr, 0)}; at {fmt(nxt, 0)} the mean validation loss is "
            f"{fmt(100 * (other / best - 1), 2)} % higher)"
        )
    if not parts:
        return "No start picked an end of the grid."
    listed = parts[0] if len(parts) == 1 else "; ".join(parts[:-1]) + "; and " + parts[-1]
    return f"Picked at an end of the grid: {listed}. A tie goes to the smaller rate."


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
    v["ex_loss_after_2"] = fmt(ex["loss_after_2"], 6)
    ex_t = worked_example("tanh")
    v["ex_tanh_a1"] = tex_matrix(ex_t["a1_1"], 0)
    v["ex_tanh_dW2"] = tex_matrix(ex_t["dW2_1"].T, 0)
    v["ex_tanh_dW1"] = tex_matrix(ex_t["dW1_1"], 0)
    v["ex_tanh_db2"] = fmt(float(ex_t["db2_1"][0]), 5)
    v["ex_tanh_dW1_2"] = tex_matrix(ex_t["dW1_2"], 0)

    r = moons_runs(0)
    d = display_runs()
    y = r["splits"][0]["train"][1]
    share = float(np.mean(y))
    v.update(
        {
            "n": len(y),
            "n0": int(np.sum(y == 0)),
            "n1": int(np.sum(y == 1)),
            "share1_pct": fmt(100 * share, 1),
            "hidden": HIDDEN,
            "lr_grid": ", ".join(fmt(lr, 0) for lr in LR_GRID),
            "epochs": EPOCHS,
            "n_seeds": N_SEEDS,
            "constant": fmt(CONSTANT, 1),
            "roundoff_hidden": ROUNDOFF_HIDDEN,
            "const_loss": fmt(0.5 * share * (1 - share), 6),
            "symmetric_tol": tex_sci(SYMMETRIC_TOL),
        }
    )
    for name in STARTS:
        run = r[name]
        v[f"{name}_lr"] = fmt(run["lr"], 0)
        v[f"{name}_acc_pct"] = evidence.spread(run["test_acc"], 100, 1)
        v[f"{name}_loss_end"] = evidence.spread(run["losses"][:, -1], 1, 4)
        v[f"{name}_spread_max"] = _num(run["spread"].max())
        v[f"{name}_acc_pct_0"] = fmt(100 * d[name]["accuracy"], 1)
        v[f"{name}_loss_end_0"] = fmt(d[name]["losses"][-1], 4)
    v["lr_edge_note"] = _lr_edge_note(r)
    acc = {name: r[name]["test_acc"] for name in STARTS}
    v["zeros_one_unit_acc_gap"] = evidence.spread(
        evidence.paired(acc["zeros"], acc["one_unit"]), 100, 2
    )
    v["constant_zeros_acc_gap"] = evidence.spread(
        evidence.paired(acc["constant"], acc["zeros"]), 100, 2
    )
    lead = 100 * evidence.paired(acc["random"], acc["zeros"])
    lead_loss = evidence.paired(r["zeros"]["losses"][:, -1], r["random"]["losses"][:, -1])
    v["random_lead_min"] = fmt(lead.min(), 2)
    v["random_lead_loss_min"] = fmt(lead_loss.min(), 4)
    v["zero_last_random_gap_max"] = fmt(
        100 * np.abs(evidence.paired(acc["zero_last"], acc["random"])).max(), 3
    )
    v["zeros_one_unit_loss_gap_max"] = tex_sci(
        np.abs(evidence.paired(r["zeros"]["losses"][:, -1], r["one_unit"]["losses"][:, -1])).max(),
        1,
    )
    v["loss_start"] = fmt(d["zeros"]["losses"][0], 4)
    v["zeros_tanh_loss_end_0"] = fmt(d["zeros_tanh"]["losses"][-1], 6)
    b2 = float(d["zeros_tanh"]["params"][1][1][0])
    v["tanh_b2"] = fmt(b2, 4)
    v["tanh_sigma_b2"] = fmt(bp.sigmoid(b2), 4)
    v["random_spread_start"] = _num(d["random"]["spread"][0])
    v["random_spread_end"] = _num(d["random"]["spread"][-1])
    v["random_spread_min_all"] = _num(r["random"]["spread"][:, 1:].min())  # after epoch 0
    v["random_distinct"] = n_distinct_units(*d["random"]["params"][0])
    v["zeros_distinct"] = n_distinct_units(*d["zeros"]["params"][0])
    v["zeros_max_weight"] = fmt(np.abs(d["zeros"]["params"][0][0]).max(), 2)
    one = collapse_identical_units(d["zeros"]["params"])
    X = d["X"]
    gap = np.abs(
        bp.forward(one, X, "sigmoid", "sigmoid")[0]
        - bp.forward(d["zeros"]["params"], X, "sigmoid", "sigmoid")[0]
    ).max()
    v["collapse_gap"] = _sci_or_zero(gap)
    h5 = d["zeros_h5"]["spread"]
    v["h5_spread_100"] = _sci_or_zero(h5[100])
    v["h5_spread_end"] = _sci_or_zero(h5[-1])
    v["random_spread_min"] = _num(d["random"]["spread"].min())
    v["random_spread_max"] = _num(d["random"]["spread"].max())
    v["balanced_grad"] = _sci_or_zero(balanced_zero_gradient())

    s = scale_runs(seeds(1)[0])
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
    v["small_grad_predicted"] = tex_sci((SMALL_STD * np.sqrt(WIDTH)) ** (DEPTH - 1))
    g = scale_summary(0)
    q = g["tanh_small_grad"] / g["tanh_xavier_grad"]
    v["small_grad_ratio_min"] = tex_sci(q.min())
    v["small_grad_ratio_max"] = tex_sci(q.max())
    v["n_scale_seeds"] = N_SCALE_SEEDS
    v["relu_small_factor"] = fmt(SMALL_STD * np.sqrt(WIDTH / 2), 2)
    v["relu_large_factor"] = fmt(LARGE_STD * np.sqrt(WIDTH / 2), 1)
    return v


def _ahead_on_every_seed(a, b, what: str) -> evidence.Claim:
    """`a` beats `b` under the site's paired rule (`evidence.beats`, accuracies in points), and
    more, as the page states it: ahead on every seed, by a smallest gap larger than every
    seed spread (the std of `a`, of `b` and of the gap)."""
    holds, text = evidence.beats(a, b, what, scale=100, unit="points")
    a, b = 100 * np.asarray(a, dtype=float), 100 * np.asarray(b, dtype=float)
    gap = evidence.paired(a, b)
    spread = max(evidence.mean_std(x)[1] for x in (a, b, gap))
    return holds and bool(gap.min() > spread), (
        f"{text}; smallest gap {gap.min():.1f} against the largest seed spread (std) {spread:.1f}"
    )


def _negligible(a, b, effect, what: str) -> evidence.Claim:
    """Every paired per-seed |a − b| is below a tenth of the smallest per-seed |effect| (the
    random-versus-zeros gap the page is about)."""
    gap = np.abs(evidence.paired(a, b))
    bar = 0.1 * float(np.min(np.abs(effect)))
    return bool(gap.max() < bar), (
        f"{what}: largest per-seed |gap| {gap.max():.3g} over {gap.size} seeds, below a tenth of "
        f"the smallest random-versus-zeros gap, {bar:.3g}"
    )


def claims(seed_set: int = 0) -> dict[str, tuple[bool, str]]:
    """Claim name → (holds, evidence), over the seeds of `seed_set`."""
    r = moons_runs(seed_set)
    n = len(r["seeds"])
    acc = {name: r[name]["test_acc"] for name in STARTS}
    loss_end = {name: r[name]["losses"][:, -1] for name in STARTS}
    out: dict[str, tuple[bool, str]] = {}

    out["random_beats_zeros"] = _ahead_on_every_seed(
        acc["random"], acc["zeros"], "test accuracy (%), random start vs zero start"
    )
    out["zero_last_beats_zeros"] = _ahead_on_every_seed(
        acc["zero_last"], acc["zeros"], "test accuracy (%), zero output layer vs all zeros"
    )
    lead = 100 * evidence.paired(acc["random"], acc["zeros"])  # the page's effect, per seed
    lead_loss = evidence.paired(loss_end["zeros"], loss_end["random"])
    out["zero_last_like_random"] = _negligible(
        100 * acc["zero_last"],
        100 * acc["random"],
        lead,
        "test accuracy in points, zero output layer against random",
    )
    out["zeros_like_one_unit"] = evidence.no_difference(
        {"zeros": acc["zeros"], "one unit": acc["one_unit"]}, "test accuracy (%)", 100, 2
    )
    out["constant_like_zeros"] = evidence.no_difference(
        {"constant": acc["constant"], "zeros": acc["zeros"]}, "test accuracy (%)", 100, 2
    )
    out["plateau_like_one_unit"] = _negligible(
        loss_end["zeros"],
        loss_end["one_unit"],
        lead_loss,
        "final training loss, zeros against one unit",
    )

    sym = max(r[name]["spread"].max() for name in ("zeros", "constant"))
    rnd = r["random"]["spread"][:, 1:].min()
    out["symmetric_starts_stay_symmetric"] = (
        bool(sym <= SYMMETRIC_TOL and rnd > 1e6 * SYMMETRIC_TOL),
        f"largest unit spread of the zero and constant starts over {EPOCHS} epochs and {n} seeds "
        f"{sym:.3g} (threshold {SYMMETRIC_TOL:g}); smallest of the random start after epoch 0 "
        f"{rnd:.3g}",
    )
    h5 = r["zeros_h5"]["spread"].max()
    out["roundoff_stays_tiny"] = (
        bool(h5 < 1e-9 and rnd > 1e10 * h5),  # the page says: more than ten orders
        f"{ROUNDOFF_HIDDEN}-unit zero start: largest spread over {EPOCHS} epochs and {n} seeds "
        f"{h5:.3g}; random start's smallest {rnd:.3g}, {np.log10(rnd / max(h5, 1e-300)):.1f} "
        "orders of magnitude above",
    )

    share = r["p_train"]
    dead = ("zeros_tanh", "zeros_relu")
    sig = np.array([[bp.sigmoid(p[1][1][0]) for p in r[name]["params"]] for name in dead])
    const = 0.5 * share * (1 - share)
    loss_gap = max(np.abs(loss_end[name] - const).max() for name in dead)
    out["dead_nets_reach_best_constant"] = (
        bool(np.abs(sig - share).max() < 1e-6 and loss_gap < 1e-9),
        f"tanh and ReLU zero starts, {n} seeds: largest |sigma(c) - p| "
        f"{np.abs(sig - share).max():.2g}, largest |loss - p(1-p)/2| {loss_gap:.2g}",
    )

    s = scale_summary(seed_set)
    m = N_SCALE_SEEDS
    small = np.concatenate([s["tanh_small_std"], s["relu_small_std"]])
    out["small_start_shrinks"] = (
        bool(np.all(np.diff(small, axis=1) < 0) and small[:, -1].max() < 1e-8),
        f"{m} seeds, tanh and ReLU: the std falls at every layer in every seed; last layer at "
        f"most {small[:, -1].max():.2g}",
    )
    good = {"tanh": s["tanh_xavier_std"], "relu": s["relu_he_std"]}
    lo = min(g.min() for g in good.values())
    hi = max(g.max() for g in good.values())
    out["scaled_start_keeps_order_one"] = (
        bool(0.1 < lo and hi < 2),
        f"{m} seeds, Xavier (tanh) and He (ReLU): every layer's std between {lo:.3f} and "
        f"{hi:.3f} (bounds 0.1 and 2)",
    )
    vanish = {}
    for act, good_name in (("tanh", "xavier"), ("relu", "he")):
        g_small, g_good = s[f"{act}_small_grad"], s[f"{act}_{good_name}_grad"]
        vanish[act] = ((g_small / g_good).max(), (g_small.max(1) / g_small.min(1)).max())
    out["small_start_all_layers_starve"] = (
        bool(all(q < 1e-6 and spread < 10 for q, spread in vanish.values())),
        f"{m} seeds, every layer: mean |dW| at N(0, {SMALL_STD}^2) over that at Xavier (tanh) "
        f"at most {vanish['tanh'][0]:.2g}, over He (ReLU) at most {vanish['relu'][0]:.2g} "
        f"(bar 1e-6); largest over smallest layer at the small start: tanh "
        f"{vanish['tanh'][1]:.2f}, ReLU {vanish['relu'][1]:.2f} (bar 10)",
    )
    large = s["relu_large_std"]
    factor = large[:, -1] / large[:, -2]
    out["relu_large_explodes"] = (
        bool(np.all(np.diff(large, axis=1) > 0) and large[:, -1].min() > 1e6),
        f"{m} seeds: the std grows at every layer; last layer from {large[:, -1].min():.3g} to "
        f"{large[:, -1].max():.3g}; last-layer factor {factor.min():.2f} to {factor.max():.2f}",
    )
    sat = s["tanh_large_saturated"][:, -1]
    slope_large, slope_good = s["tanh_large_slope"][:, -1], s["tanh_xavier_slope"][:, -1]
    out["tanh_large_saturates"] = (
        bool(sat.min() > 0.5 and slope_large.max() < slope_good.min()),
        f"{m} seeds, last layer: share with |a| > 0.99 from {sat.min():.2f} to {sat.max():.2f}; "
        f"mean slope {slope_large.min():.3f} to {slope_large.max():.3f} against "
        f"{slope_good.min():.3f} to {slope_good.max():.3f} at Xavier",
    )
    return out


# %%
for _claim, (_holds, _evidence) in claims(0).items():
    print(f"{'holds' if _holds else 'FAILS'}  {_claim}")
