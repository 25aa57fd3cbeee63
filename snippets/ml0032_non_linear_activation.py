"""ML0032 · Non-Linear Activation: the page module of docs/training/ml0032-non-linear-activation.md.

Every number, figure and claim on that page comes from here, and this file is also the page's
notebook: the 2-2-2-1 worked example collapsed to one layer, and what one ReLU changes; the
extremes of GELU and SiLU; two moons, where linear-only networks of every depth end at one
affine map below the best straight line while ReLU networks pass it; one hidden layer of tanh
units fitting sin(2πx) better as it widens; and the kinks of a trained ReLU network. The
reference code is `snippets/nonlinearity.py` (collapse, best line, kinks) and
`snippets/activations.py`. The networks are trained by gradient descent with the arithmetic of
the loop of `snippets/training.py` (full batch, plain SGD, the sin(2πx) and sin(πx) fits with
one step size per layer), each experiment's seeds side by side in one stack (`_train_stack`);
the tests check that every stacked network is, bit for bit, the one `backprop.train` (two
moons) or `training.train` on `layers.mlp` (the fits) gives when it is trained alone. Change a
parameter (the example's weights, a width, a step, the number of seeds) and re-run the cells
below it.
"""

# %%
from __future__ import annotations

import functools
import math

import numpy as np

from snippets import activations, evidence, training
from snippets import backprop as bp
from snippets.companion import show
from snippets.datasets import two_moons
from snippets.formatting import fmt, tex_matrix, tex_sci
from snippets.layers import Dense, mlp
from snippets.memo import memo
from snippets.nonlinearity import (
    activate,
    best_linear_accuracy,
    collapse_linear,
    derivative,
    relu_kinks,
)
from snippets.plotting import Theme, new_figure
from snippets.seeds import seeds

# %% [markdown]
# ## Worked example: collapse a 2-2-2-1 linear network, then add a ReLU
# Three layers with identity activations collapse to one `(W, b)`; the same weights with a ReLU
# after each hidden layer switch a unit off and give another output.

# %%
EXAMPLE = {
    "W1": [[1.0, -0.5], [0.5, 2.0]],
    "b1": [0.5, -1.0],
    "W2": [[2.0, 1.0], [-1.0, 0.5]],
    "b2": [0.0, 1.0],
    "W3": [[1.0], [-2.0]],
    "b3": [0.5],
    "x": [[1.0, -1.0]],
}


def worked_example() -> dict[str, np.ndarray]:
    """Every intermediate number of the collapse example, as arrays."""
    e = {k: np.array(v, dtype=float) for k, v in EXAMPLE.items()}
    params = [(e["W1"], e["b1"]), (e["W2"], e["b2"]), (e["W3"], e["b3"])]
    W, b = collapse_linear(params)
    _, lin = bp.forward(params, e["x"], "identity", "identity")
    _, relu = bp.forward(params, e["x"], "relu", "identity")
    return {
        "W12": e["W1"] @ e["W2"],
        "W": W,
        "b12": e["b1"] @ e["W2"] + e["b2"],
        "b": b,
        "lin_h1": lin.a[0],
        "lin_h2": lin.a[1],
        "lin_out": lin.a[2],
        "collapsed_out": e["x"] @ W + b,
        "relu_z1": relu.z[0],
        "relu_h1": relu.a[0],
        "relu_z2": relu.z[1],
        "relu_h2": relu.a[1],
        "relu_out": relu.a[2],
    }


# %%
example = worked_example()
print("collapsed W:", example["W"].ravel().tolist(), " b:", example["b"].tolist())
print("layer by layer:", example["lin_out"].item(), " x W + b:", example["collapsed_out"].item())
print("with ReLU: h1 =", example["relu_h1"].ravel().tolist(), " out:", example["relu_out"].item())

# %% [markdown]
# ## The activations: extremes the page's table quotes
# GELU and SiLU dip below zero; GELU's derivative dips below 0 and overshoots 1. The tanh
# approximation of GELU (`nn.GELU(approximate="tanh")`) is compared with the exact one.

# %%
FIGURE_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "gelu", "softplus")
FIGURE_SLOPE = 0.1  # leaky ReLU's slope in the figure: 0.01 would be invisible
LABELS = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "ReLU",
    "leaky_relu": f"leaky ReLU ({FIGURE_SLOPE})",
    "gelu": "GELU",
    "softplus": "softplus",
}
STYLES = ("-", "--", "-", "-.", ":", "--")


def activation_extremes() -> dict[str, float]:
    """Minima of GELU and SiLU, the extremes of GELU' and where it is 0, and the largest gap
    between exact GELU and its tanh approximation, all on a fine grid of [-3, 3]."""
    z = np.linspace(-3, 3, 60001)
    dg = derivative("gelu", z)
    tanh_gelu = 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3)))
    return {
        "gelu_min": float(activate("gelu", z).min()),
        "silu_min": float(activate("silu", z).min()),
        "gelu_dmin": float(dg.min()),
        "gelu_dmax": float(dg.max()),
        "gelu_dzero": float(z[z < 0][np.argmin(np.abs(dg[z < 0]))]),  # GELU'(z) = 0
        "gelu_tanh_gap": float(np.abs(activate("gelu", z) - tanh_gelu).max()),
    }


def _draw_activations(theme: Theme):
    z = np.linspace(-4, 4, 241)  # step 1/30: z = 0 is a grid point
    fig, (ax1, ax2) = new_figure(theme, ncols=2, width=9.0, height=3.9)
    for name, style in zip(FIGURE_ACTIVATIONS, STYLES):
        f = activate(name, z, negative_slope=FIGURE_SLOPE)
        df = derivative(name, z, negative_slope=FIGURE_SLOPE)
        ax1.plot(z, f, linestyle=style, label=LABELS[name])
        ax2.plot(z, df, linestyle=style, label=LABELS[name])
    ax1.set_ylim(-1.5, 4.2)
    ax1.set_title("f(z)")
    ax2.set_ylim(-0.15, 1.25)
    ax2.set_title("f′(z)")
    for ax in (ax1, ax2):
        ax.set_xlabel("pre-activation z")
    ax1.set_ylabel("activation f(z)")
    ax2.set_ylabel("derivative f′(z)")
    ax1.legend(loc="upper left")
    return fig


# %%
for key, value in activation_extremes().items():
    print(f"{key:14} {value:.3g}")

# %% [markdown]
# ## Many small networks trained side by side
# Every experiment below trains one network shape for several seeds (two moons: several
# steps). Stacked on a leading axis, they train in one pass of batched matrix products: the
# arithmetic of `training.train` with plain SGD, one step per layer, network by network (the
# tests check it is bit for bit the same as training each network alone).


# %%
def _train_stack(params, X, T, lrs, epochs: int, act: str, out_act: str):
    """Full-batch gradient descent on the mean of ½‖T − A‖² for B networks of one shape.

    `params`: list of (W, b) of shapes (B, fan_in, fan_out) and (B, fan_out); `X`, `T`:
    (B, N, ·) or (N, ·), shared by every network; `lrs`: (B, layers), network b's step for each
    layer; `act` after every hidden layer, `out_act` after the last. Returns the trained stack
    and the losses before training and after each epoch, shape (B, epochs + 1).
    """
    W = [np.array(w, dtype=float) for w, _ in params]
    b = [np.array(v, dtype=float)[:, None, :] for _, v in params]  # (B, 1, fan_out)
    B, N, n = W[0].shape[0], np.shape(X)[-2], len(W)
    X, T = np.broadcast_to(X, (B, *np.shape(X)[-2:])), np.broadcast_to(T, (B, *np.shape(T)[-2:]))
    lrs = np.asarray(lrs, dtype=float)[:, :, None, None]
    names = [act] * (n - 1) + [out_act]
    f = [activations.REGISTRY[name] for name in names]

    def forward():
        a, cache = X, []
        for l in range(n):
            z = a @ W[l] + b[l]
            cache.append((a, z))
            a = z if names[l] == "identity" else f[l][0](z)
        return a, cache

    def loss(A):
        return 0.5 * np.sum((T - A) ** 2, axis=(1, 2)) / N  # losses.REGISTRY["mse"], per net

    A, cache = forward()
    history = [loss(A)]
    for _ in range(epochs):
        dA, grads = (A - T) / N, [None] * n
        for l in reversed(range(n)):  # backward, as the Dense and Activation layers do it
            a_in, z = cache[l]
            if names[l] == "relu":
                delta = dA * (z > 0).astype(float)  # ReLU'(z), as the registry has it
            elif names[l] == "identity":
                delta = dA  # dA * 1, exactly
            else:
                delta = dA * f[l][1](z, A if l == n - 1 else cache[l + 1][0])
            grads[l] = (np.swapaxes(a_in, 1, 2) @ delta, delta.sum(axis=1, keepdims=True))
            if l:
                dA = delta @ np.swapaxes(W[l], 1, 2)
        for l in range(n):
            W[l] -= lrs[:, l] * grads[l][0]
            b[l] -= lrs[:, l] * grads[l][1]
        A, cache = forward()
        history.append(loss(A))
    return [(w, v[:, 0, :]) for w, v in zip(W, b)], np.array(history).T


# %% [markdown]
# ## Experiment: two moons, linear-only networks against ReLU networks
# A single sigmoid unit and networks of 1, 2 and 4 hidden layers, with identity activations
# (linear-only) or ReLU. Each seed draws its own training, validation and test points and its
# own initialisation. Each model's step is chosen by the mean validation loss over the seeds,
# starting from `MOONS_LRS` and widening the grid by a factor of 4 while the best step sits at
# its edge (the linear models, whose validation losses tie, keep the starting grid); the test
# points are used once, for the chosen step.

# %%
MOONS_N = 200
MOONS_VAL_N = 200
MOONS_TEST_N = 1000
MOONS_NOISE = 0.15
MOONS_WIDTH = 8
MOONS_DEPTHS = (1, 2, 4)
MOONS_MODELS = (("identity", 0),) + tuple(
    (a, d) for a in ("identity", "relu") for d in MOONS_DEPTHS
)
MOONS_LRS = (1.0, 4.0, 16.0)  # the starting grid of steps
MOONS_LR_RANGE = (1 / 16, 256.0)  # the grid widens by factors of 4, never beyond these
MOONS_COMMON_LR = 4.0  # the grid's middle step, shared by every depth for the collapse check
MOONS_EPOCHS = 400
MOONS_SEEDS = 5
CONVERGED_TOL = 1e-6  # "converged": first epoch within this of the final training loss


@memo
def moons_data(seed: int = 0):
    """Training, validation and test points of two moons for one seed, standardised with the
    training statistics: `(X, y, X_val, y_val, X_test, y_test)`."""
    rng = np.random.default_rng((seed, 0))
    X, y = two_moons(MOONS_N, MOONS_NOISE, rng=rng)
    X_val, y_val = two_moons(MOONS_VAL_N, MOONS_NOISE, rng=rng)
    X_test, y_test = two_moons(MOONS_TEST_N, MOONS_NOISE, rng=rng)
    mean, std = X.mean(axis=0), X.std(axis=0)
    return (X - mean) / std, y, (X_val - mean) / std, y_val, (X_test - mean) / std, y_test


def _moons_init(act: str, depth: int, seed: int):
    """A model's initial weights: the same draw for every model of a seed."""
    sizes = [2] + [MOONS_WIDTH] * depth + [1]
    return bp.init_params(
        sizes, np.random.default_rng((seed, 1)), "he" if act == "relu" else "xavier"
    )


def _moons_scores(act: str, params, losses: np.ndarray, seed: int) -> dict:
    """A trained model with its training accuracy and validation loss (a model that overflowed
    gets accuracy 0 and validation loss inf, so validation rejects its step)."""
    X, y, X_val, y_val, _, _ = moons_data(seed)
    with np.errstate(all="ignore"):
        A_val = bp.forward(params, X_val, act, "sigmoid")[0]
        A = bp.forward(params, X, act, "sigmoid")[0]
    ok = bool(np.all(np.isfinite(losses)) and np.all(np.isfinite(A_val)))
    return {
        "params": params,
        "losses": losses,
        "n_params": sum(W.size + b.size for W, b in params),
        "acc": bp.accuracy(A, y) if ok else 0.0,
        "val_loss": bp.mse_loss(A_val, y_val[:, None].astype(float)) if ok else math.inf,
    }


def _moons_fit(act: str, depth: int, lr: float, seed: int) -> dict:
    """One model trained alone on one seed's training points by `backprop.train` (what
    `_moons_fits` does for all seeds at once; the tests compare the two)."""
    X, y = moons_data(seed)[:2]
    with np.errstate(all="ignore"):  # a too-large step may overflow; validation rejects it
        params, losses = bp.train(
            _moons_init(act, depth, seed), X, y[:, None].astype(float), lr, MOONS_EPOCHS, act,
            "sigmoid",
        )  # fmt: skip
    return _moons_scores(act, params, losses, seed)


@memo
def _moons_stack(act: str, depth: int, lrs: tuple[float, ...], seed_set: int) -> dict:
    """One model at each step of `lrs`, trained on each seed of the set (`_moons_fit`, network
    by network), all side by side: step → one scored fit per seed."""
    ss = seeds(MOONS_SEEDS, seed_set)
    runs = [(lr, s) for lr in lrs for s in ss]
    inits = [_moons_init(act, depth, s) for _, s in runs]
    stack = [(np.stack([p[l][0] for p in inits]), np.stack([p[l][1] for p in inits]))
             for l in range(depth + 1)]  # fmt: skip
    X = np.stack([moons_data(s)[0] for _, s in runs])
    T = np.stack([moons_data(s)[1][:, None].astype(float) for _, s in runs])
    steps = np.repeat(np.array(lrs, dtype=float)[:, None], len(ss), axis=0)
    with np.errstate(all="ignore"):  # a too-large step may overflow; validation rejects it
        params, losses = _train_stack(
            stack, X, T, np.tile(steps, (1, depth + 1)), MOONS_EPOCHS, act, "sigmoid"
        )
    fits = [
        _moons_scores(act, [(W[i], b[i]) for W, b in params], losses[i], s)
        for i, (_, s) in enumerate(runs)
    ]
    return {lr: tuple(fits[k * len(ss) : (k + 1) * len(ss)]) for k, lr in enumerate(lrs)}


def _moons_fits(act: str, depth: int, lr: float, seed_set: int) -> tuple[dict, ...]:
    """One model at one step, trained and scored on each seed of the set: the starting grid
    `MOONS_LRS` in one stack, any step the search adds in a stack of its own."""
    lrs = MOONS_LRS if lr in MOONS_LRS else (lr,)
    return _moons_stack(act, depth, lrs, seed_set)[lr]


def _search_step(score, widen: bool = True) -> tuple[float, dict[float, float]]:
    """The step with the lowest `score(step)`, starting from `MOONS_LRS`: while the best step
    sits at an edge of the grid, the next step out (a factor of 4) is tried, within
    `MOONS_LR_RANGE` (unless `widen` is false). Returns the step and every step's score."""
    scores = {lr: score(lr) for lr in MOONS_LRS}
    while widen:
        grid = sorted(scores)
        best = min(grid, key=lambda r: scores[r])
        if best == grid[0] and best / 4 >= MOONS_LR_RANGE[0]:
            scores[best / 4] = score(best / 4)
        elif best == grid[-1] and best * 4 <= MOONS_LR_RANGE[1]:
            scores[best * 4] = score(best * 4)
        else:
            break
    return min(scores, key=lambda r: scores[r]), scores


def _bracketed(lr: float, scores: dict[float, float]) -> bool:
    """Whether a worse step was tried on each side of `lr`."""
    return min(scores) < lr < max(scores)


@memo
def moons_runs(seed_set: int = 0) -> dict[tuple[str, int], dict]:
    """Every model, key (activation, hidden layers), "identity" being linear-only.

    Every model: sigmoid output, MSE loss, full-batch gradient descent for `MOONS_EPOCHS`
    epochs, Glorot initialisation (He for ReLU). For each model, the step with the lowest mean
    validation loss over the seeds is chosen (`_search_step`); `"runs"` holds that step's run
    for each seed, with its test accuracy (the only use of the test points).
    """
    out = {}
    for act, depth in MOONS_MODELS:

        def mean_val_loss(lr, act=act, depth=depth):
            return float(np.mean([f["val_loss"] for f in _moons_fits(act, depth, lr, seed_set)]))

        # the linear models' validation losses tie (they all reach one map), so widening their
        # grid would only chase noise: they keep the starting grid, and the page says so
        lr, val = _search_step(mean_val_loss, widen=act != "identity")
        runs = []
        for s, fit in zip(seeds(MOONS_SEEDS, seed_set), _moons_fits(act, depth, lr, seed_set)):
            r = dict(fit)
            _, _, _, _, X_test, y_test = moons_data(s)
            r["test_acc"] = bp.accuracy(bp.forward(r["params"], X_test, act, "sigmoid")[0], y_test)
            runs.append(r)
        out[(act, depth)] = {
            "lr": lr,
            "val_loss": val,
            "bracketed": _bracketed(lr, val),
            "runs": runs,
        }
    return out


@memo
def moons_best_line(seed_set: int = 0) -> np.ndarray:
    """The best training accuracy any line reaches, for each seed of the set."""
    return np.array(
        [best_linear_accuracy(*moons_data(s)[:2]) for s in seeds(MOONS_SEEDS, seed_set)]
    )


def _name(act: str, depth: int) -> str:
    return f"{'linear' if act == 'identity' else 'ReLU'}, {depth} hidden"


# %%
print(f"best line: {evidence.spread(moons_best_line(0), 100)} % of the training points")
print(f"{'model':18} {'params':>6} {'step':>5}  {'train %':>11}  {'test %':>11}")
for (act, depth), m in moons_runs(0).items():
    train_acc = evidence.spread([r["acc"] for r in m["runs"]], 100)
    test_acc = evidence.spread([r["test_acc"] for r in m["runs"]], 100)
    n_params = m["runs"][0]["n_params"]
    print(f"{_name(act, depth):18} {n_params:6} {m['lr']:5g}  {train_acc:>11}  {test_acc:>11}")


# %%
def _draw_boundaries(theme: Theme):
    runs = moons_runs(0)
    seed = seeds(1)[0]  # the first seed of set 0
    X, y = moons_data(seed)[:2]
    fig, axes = new_figure(theme, ncols=3, width=9.6, height=3.9)
    g = np.linspace(-2.4, 2.4, 101)
    gx, gy = np.meshgrid(g, g)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    c0, c1 = theme.palette[0], theme.palette[1]
    for ax, depth in zip(axes, MOONS_DEPTHS):
        relu = runs[("relu", depth)]["runs"][0]
        lin = _moons_fits("identity", depth, MOONS_COMMON_LR, 0)[0]
        p = bp.forward(relu["params"], grid, "relu", "sigmoid")[0].reshape(gx.shape)
        # the two flat regions as a small bitmap; points and boundaries stay vector
        shade = ax.contourf(gx, gy, p, levels=[0, 0.5, 1], colors=[c0, c1], alpha=0.18, zorder=1)
        shade.set_rasterized(True)
        for label, marker, colour in ((0, "o", c0), (1, "^", c1)):
            ax.plot(*X[y == label].T, marker, markersize=3.5, color=colour, markeredgewidth=0)
        ax.contour(gx, gy, p, levels=[0.5], colors=[theme.fg], linewidths=1.6, zorder=3)
        W, b = collapse_linear(lin["params"])  # the boundary x W + b = 0 is a line
        xs = np.array([-2.4, 2.4])
        ax.plot(
            xs, -(b[0] + W[0, 0] * xs) / W[1, 0], color=theme.palette[2], linestyle="--", zorder=3
        )
        ax.set_xlim(-2.4, 2.4)
        ax.set_ylim(-2.4, 2.4)
        ax.set_aspect("equal")
        ax.grid(False)
        ax.set_xlabel("$x_1$")
        if ax is not axes[0]:
            ax.tick_params(labelleft=False)
        ax.set_title(f"{depth} hidden layer{'s' if depth > 1 else ''}")
    axes[0].set_ylabel("$x_2$")
    handles = [
        axes[0].plot([], [], color=theme.fg, label="ReLU network")[0],
        axes[0].plot([], [], color=theme.palette[2], linestyle="--", label="linear-only")[0],
        axes[0].plot([], [], "o", color=c0, label="class 0")[0],
        axes[0].plot([], [], "^", color=c1, label="class 1")[0],
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=4)
    return fig


show(_draw_boundaries)

# %% [markdown]
# ## The linear networks collapse to one map, and how fast each depth gets there
# At one common step every linear network, whatever its depth, ends at the single unit's
# collapsed map. The epochs each needs to come within `CONVERGED_TOL` of the seed's optimum are
# counted at that step and at each model's own fastest step (searched like the validation
# step, but on the training loss, which is what "converges sooner" is about).


# %%
def _converged_epoch(losses: np.ndarray) -> int:
    return int(np.argmax(losses <= losses[-1] + CONVERGED_TOL))


@memo
def moons_collapse(seed_set: int = 0) -> dict:
    """The linear-only networks of every depth at the common step, seed by seed: the largest
    gap between their collapsed (W, b) and the single unit's, the largest gap in training loss,
    whether the training accuracies agree, and the epochs each took to converge."""
    gaps, loss_gaps, same_acc, epochs = [], [], [], {d: [] for d in (0, *MOONS_DEPTHS)}
    for i in range(MOONS_SEEDS):
        single = _moons_fits("identity", 0, MOONS_COMMON_LR, seed_set)[i]
        W0, b0 = collapse_linear(single["params"])
        epochs[0].append(_converged_epoch(single["losses"]))
        for depth in MOONS_DEPTHS:
            r = _moons_fits("identity", depth, MOONS_COMMON_LR, seed_set)[i]
            W, b = collapse_linear(r["params"])
            gaps.append(float(np.abs(np.r_[W.ravel() - W0.ravel(), b - b0]).max()))
            loss_gaps.append(abs(r["losses"][-1] - single["losses"][-1]))
            same_acc.append(r["acc"] == single["acc"])
            epochs[depth].append(_converged_epoch(r["losses"]))
    return {
        "gap": max(gaps),
        "loss_gap": max(loss_gaps),
        "same_acc": all(same_acc),
        "epochs": {d: np.array(e) for d, e in epochs.items()},
        # flat (within CONVERGED_TOL) for at least the last fifth of the epochs
        "converged": all(max(e) <= 0.8 * MOONS_EPOCHS for e in epochs.values()),
    }


def _reach_epoch(losses: np.ndarray, target: float) -> float:
    """The first epoch whose training loss is within `CONVERGED_TOL` of `target` (inf: never)."""
    hit = np.flatnonzero(losses <= target + CONVERGED_TOL)
    return float(hit[0]) if hit.size else math.inf


@memo
def moons_speed(seed_set: int = 0) -> dict:
    """Epochs each linear-only model needs to come within `CONVERGED_TOL` of the common optimum
    (the lowest final loss of the common-step runs of its seed), at the common step and at the
    model's fastest step. The fastest step minimises the mean epochs over the seeds (inf if a
    seed never gets there), searched like the validation step (`_search_step`): a choice on
    training loss, which is what "converges sooner" is about."""
    common = [_moons_fits("identity", d, MOONS_COMMON_LR, seed_set) for d in (0, *MOONS_DEPTHS)]
    target = [min(fits[i]["losses"][-1] for fits in common) for i in range(MOONS_SEEDS)]

    def epochs(depth, lr):
        fits = _moons_fits("identity", depth, lr, seed_set)
        return np.array([_reach_epoch(f["losses"], t) for f, t in zip(fits, target)])

    out = {}
    for depth in (0, *MOONS_DEPTHS):
        lr, scores = _search_step(lambda r, d=depth: float(epochs(d, r).mean()))
        out[depth] = {
            "common": epochs(depth, MOONS_COMMON_LR),
            "lr": lr,
            "fast": epochs(depth, lr),
            "bracketed": _bracketed(lr, scores),
            "failed": sorted(r for r, v in scores.items() if not math.isfinite(v)),
            "at": functools.partial(epochs, depth),  # epochs per seed at any step
        }
    return out


def _unstable_step(speed: dict) -> dict:
    """The smallest step at which the deepest linear network fails to reach the optimum in
    some seed, and the single unit's epochs at that step (inf where it fails too)."""
    failed = speed[MOONS_DEPTHS[-1]]["failed"]
    lr = min(failed) if failed else math.inf
    return {"lr": lr, "single": speed[0]["at"](lr) if failed else np.array([math.inf])}


def _speed_gaps(speed: dict) -> tuple[np.ndarray, np.ndarray]:
    """Per seed: the single unit's epochs minus the slowest deep network's, at the common step
    and with each model at its fastest step."""
    gaps = []
    for key in ("common", "fast"):
        deep = np.max([speed[d][key] for d in MOONS_DEPTHS], axis=0)
        gaps.append(speed[0][key] - deep)
    return gaps[0], gaps[1]


def _epochs(xs) -> str:
    """Epochs over seeds as 'mean ± std', or a note where some seed never got there."""
    xs = np.asarray(xs, dtype=float)
    return evidence.spread(xs, digits=0) if np.all(np.isfinite(xs)) else "not in every seed"


# %%
collapse = moons_collapse(0)
print(f"largest gap to the single unit's map {collapse['gap']:.1e}, in loss ", end="")
print(f"{collapse['loss_gap']:.1e}; same training accuracy: {collapse['same_acc']}")
for depth, m in moons_speed(0).items():
    print(
        f"{depth} hidden: {_epochs(m['common'])} epochs at step {MOONS_COMMON_LR:g}, "
        f"{_epochs(m['fast'])} at its fastest step {m['lr']:g}"
    )

# %% [markdown]
# ## Experiment: one hidden layer of tanh units fits sin(2πx) better as it widens
# A 1-H-1 tanh network per width, trained on sin(2πx) at `FIT_N` points of [-1, 1]; the
# output layer's step is min(`FIT_LR`, 2/H), because its curvature grows with H. Then a
# 1-10-1 ReLU network trained on sin(πx), and the exact kinks of what it learned.

# %%
FIT_N = 51
FIT_WIDTHS = (1, 3, 10, 30)
FIT_SHOWN = (1, 3, FIT_WIDTHS[-1])
FIT_LR = 0.5
FIT_EPOCHS = 1500
FIT_SEEDS = 5
RELU_WIDTH = 10
RELU_LR = 0.1
RELU_EPOCHS = 1500
RELU_SEED = 0


def _init_1d(width: int, rng: np.random.Generator):
    """A 1-width-1 network whose units start with their transitions spread over [-1, 1]."""
    _, out_layer = bp.init_params([1, width, 1], rng, "xavier")
    W1 = rng.normal(0.0, 3.0, size=(1, width))  # steeper than Glorot: 1-D inputs in [-1, 1]
    centres = rng.uniform(-1.0, 1.0, size=width)
    return [(W1, -W1[0] * centres), out_layer]  # unit j switches at x = centres[j]


def _fit_lrs(lr: float, width: int) -> list[float]:
    """The steps of the hidden and the output layer. The output layer's curvature (the largest
    eigenvalue of the mean of h̃ h̃ᵀ, h̃ = (h, 1)) is below width + 1, since each |h_j| < 1, and
    near it when the units agree; gradient descent needs a step below 2 over it."""
    return [lr, min(lr, 2.0 / width)]


def _fit(target, act: str, width: int, lr: float, epochs: int, seed: int):
    x = np.linspace(-1.0, 1.0, FIT_N)[:, None]
    net = mlp(_init_1d(width, np.random.default_rng(seed)), act, "identity")
    dense = [i for i, layer in enumerate(net) if isinstance(layer, Dense)]
    steps = dict(zip(dense, map(training.sgd, _fit_lrs(lr, width))))  # a step per layer

    def update(i, layer, grads):
        if i in steps:
            steps[i](i, layer, grads)

    losses = training.train(net, x, target(x), epochs, update)
    params = [(layer.W.copy(), layer.b.copy()) for layer in net if isinstance(layer, Dense)]
    return {"params": params, "losses": losses, "mse": 2 * losses[-1]}  # ½‖·‖² → plain MSE


def _fits(target, act: str, width: int, lr: float, epochs: int, seeds_) -> list[dict]:
    """`_fit` for each seed of `seeds_`, trained side by side."""
    x = np.linspace(-1.0, 1.0, FIT_N)[:, None]
    inits = [_init_1d(width, np.random.default_rng(s)) for s in seeds_]
    stack = [(np.stack([p[l][0] for p in inits]), np.stack([p[l][1] for p in inits]))
             for l in range(2)]  # fmt: skip
    lrs = np.tile(_fit_lrs(lr, width), (len(inits), 1))
    params, losses = _train_stack(stack, x, target(x), lrs, epochs, act, "identity")
    return [
        {"params": [(W[i], b[i]) for W, b in params], "losses": h, "mse": 2 * h[-1]}
        for i, h in enumerate(losses)
    ]


def _sin2pi(x):
    return np.sin(2 * np.pi * x)


def _sinpi(x):
    return np.sin(np.pi * x)


@memo
def approximation_runs(seed_set: int = 0) -> list[dict[int, dict]]:
    """A 1-H-1 tanh network trained on sin(2πx) for each width H in `FIT_WIDTHS`, one dict per
    seed (the initialisation is the only random part)."""
    ss = seeds(FIT_SEEDS, seed_set)
    by_width = {h: _fits(_sin2pi, "tanh", h, FIT_LR, FIT_EPOCHS, ss) for h in FIT_WIDTHS}
    return [{h: by_width[h][i] for h in FIT_WIDTHS} for i in range(len(ss))]


@memo
def relu_run() -> dict:
    """A 1-10-1 ReLU network trained on sin(πx) (one seed: an illustration, not a finding),
    and the kinks of what it learned."""
    r = _fits(_sinpi, "relu", RELU_WIDTH, RELU_LR, RELU_EPOCHS, (RELU_SEED,))[0]
    r["kinks"] = relu_kinks(r["params"], -1.0, 1.0)
    return r


# %%
for h in FIT_WIDTHS:
    mse = [r[h]["mse"] for r in approximation_runs(0)]
    print(f"{h:2} tanh units: MSE geometric mean {np.exp(np.mean(np.log(mse))):.1e}")
print(f"1-{RELU_WIDTH}-1 ReLU network on sin(πx): {relu_run()['kinks'].size} kinks")


# %%
def _draw_approximation(theme: Theme):
    all_runs = approximation_runs(0)
    runs = all_runs[0]  # the curves: the first seed
    fig, (ax1, ax2) = new_figure(theme, ncols=2, width=9.0, height=3.8)
    x = np.linspace(-1, 1, 401)[:, None]
    ax1.plot(x, _sin2pi(x), color=theme.fg, linewidth=3, alpha=0.35, label="sin(2πx)")
    for h, style in zip(FIT_SHOWN, ("--", "-.", "-")):
        out = bp.forward(runs[h]["params"], x, "tanh", "identity")[0]
        ax1.plot(x, out, linestyle=style, label=f"{h} unit{'s' if h > 1 else ''}")
    ax1.set_xlabel("input x")
    ax1.set_ylabel("output")
    ax1.set_ylim(-1.4, 1.75)
    ax1.legend(loc="upper center", ncols=2)
    ax1.set_title("One hidden tanh layer")
    widths = np.array(FIT_WIDTHS)
    mse = np.array([[r[h]["mse"] for h in FIT_WIDTHS] for r in all_runs])
    for row in mse:  # every seed faintly, their geometric mean on top
        ax2.plot(widths, row, "-", color=theme.palette[0], alpha=0.3, linewidth=1)
    ax2.plot(widths, np.exp(np.log(mse).mean(axis=0)), "o-", color=theme.palette[0])
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xticks(widths, [str(w) for w in widths])
    ax2.minorticks_off()
    ax2.set_xlabel("hidden units (log scale)")
    ax2.set_ylabel("mean squared error")
    ax2.set_title(f"Error after {FIT_EPOCHS} epochs, {FIT_SEEDS} seeds")
    return fig


def _draw_relu_pieces(theme: Theme):
    r = relu_run()
    params, kinks = r["params"], r["kinks"]
    fig, (ax1, ax2) = new_figure(theme, ncols=2, width=9.0, height=3.6)
    x = np.linspace(-1, 1, 401)[:, None]
    ax1.plot(x, _sinpi(x), color=theme.fg, linewidth=3, alpha=0.35, label="sin(πx)")
    ax1.plot(x, bp.forward(params, x, "relu", "identity")[0], label="ReLU network")
    at = bp.forward(params, kinks[:, None], "relu", "identity")[0]
    ax1.plot(kinks, at, "o", color=theme.palette[1], markersize=6, label="kinks")
    ax1.set_xlabel("input x")
    ax1.set_ylabel("output")
    ax1.legend(loc="upper left")
    ax1.set_title(f"1-{RELU_WIDTH}-1 ReLU network")
    edges = np.concatenate([[-1.0], kinks, [1.0]])
    out = bp.forward(params, edges[:, None], "relu", "identity")[0][:, 0]
    slopes = np.diff(out) / np.diff(edges)
    ax2.plot(
        x, np.pi * np.cos(np.pi * x), color=theme.fg, linewidth=3, alpha=0.35, label="π cos(πx)"
    )
    ax2.stairs(slopes, edges, baseline=None, linewidth=2, label="network")
    ax2.legend(loc="lower center")
    ax2.set_xlabel("input x")
    ax2.set_ylabel("slope d output / dx")
    ax2.set_title(f"Slope: constant on each of {kinks.size + 1} pieces")
    return fig


show(_draw_approximation)

# %% [markdown]
# ## What the page quotes and concludes
# The notebook shows the two main figures; `show(_draw_activations)` and
# `show(_draw_relu_pieces)` display the other two. The build calls these after running the
# cells above: `figures()`, `values()` (every number the page quotes, formatted as it shows
# them) and `claims()` (each conclusion, re-checked on a second seed set by the tests). Runs
# that share their seeds are compared with the site's paired rule, `snippets.evidence`.


# %%
def figures():
    """Figure name → function drawing it for a theme."""
    return {
        "activations": _draw_activations,
        "boundaries": _draw_boundaries,
        "approximation": _draw_approximation,
        "relu-pieces": _draw_relu_pieces,
    }


def _key(act: str, depth: int) -> str:
    return f"{'lin' if act == 'identity' else act}{depth}"


def values() -> dict[str, object]:
    """Every number the page quotes, formatted as the page shows it (seed set 0)."""
    v: dict[str, object] = {}
    ex = worked_example()
    for key in ("W1", "b1", "W2", "b2", "W3", "b3", "x"):
        v[f"ex_{key}"] = tex_matrix(EXAMPLE[key], digits=1)
    for key, value in ex.items():
        v[f"ex_{key}"] = tex_matrix(value, digits=2)
    v["ex_b_scalar"] = fmt(ex["b"][0], 2)
    v["ex_out"] = fmt(ex["lin_out"][0, 0], 2)
    v["ex_relu_out"] = fmt(ex["relu_out"][0, 0], 2)
    v["ex_n_params"] = sum(np.size(EXAMPLE[k]) for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    v["ex_n_collapsed"] = ex["W"].size + ex["b"].size

    ext = activation_extremes()  # for the activation table and text
    for key in ("gelu_min", "silu_min", "gelu_dmin", "gelu_dmax", "gelu_dzero"):
        v[key] = fmt(ext[key], 2)
    v["gelu_tanh_gap"] = tex_sci(ext["gelu_tanh_gap"])

    runs = moons_runs(0)
    v.update(
        {
            "moons_n": MOONS_N,
            "moons_val_n": MOONS_VAL_N,
            "moons_test_n": MOONS_TEST_N,
            "moons_noise": fmt(MOONS_NOISE, 2),
            "moons_width": MOONS_WIDTH,
            "moons_lrs": ", ".join(fmt(r, 0) for r in MOONS_LRS),
            "moons_common_lr": fmt(MOONS_COMMON_LR, 0),
            "moons_epochs": MOONS_EPOCHS,
            "moons_seeds": MOONS_SEEDS,
            "moons_best_line_pct": evidence.spread(moons_best_line(0), 100),
            "converged_tol": tex_sci(CONVERGED_TOL),
        }
    )
    for act, depth in MOONS_MODELS:
        key, m = _key(act, depth), runs[(act, depth)]
        v[f"{key}_params"] = m["runs"][0]["n_params"]
        v[f"{key}_lr"] = fmt(m["lr"], 0)
        v[f"{key}_acc"] = evidence.spread([r["acc"] for r in m["runs"]], 100)
        v[f"{key}_test_acc"] = evidence.spread([r["test_acc"] for r in m["runs"]], 100)
        if act == "identity":  # the collapsed map of the first seed, at the common step
            W, b = collapse_linear(_moons_fits(act, depth, MOONS_COMMON_LR, 0)[0]["params"])
            v[f"{key}_W"] = tex_matrix(W.T, digits=2)
            v[f"{key}_b"] = fmt(b[0], 2)
    col = moons_collapse(0)
    v["moons_collapse_gap"] = tex_sci(max(col["gap"], 1e-16))
    v["moons_loss_gap"] = tex_sci(max(col["loss_gap"], 1e-16))
    lin = [runs[("identity", d)] for d in (0, *MOONS_DEPTHS)]
    v["moons_val_tie"] = tex_sci(max(np.diff(sorted(m["val_loss"].values()))[0] for m in lin))
    v["lin_at_edge"] = sum(not m["bracketed"] for m in lin)
    v["moons_lr_range"] = f"{MOONS_LR_RANGE[0]:g} to {MOONS_LR_RANGE[1]:g}"
    speed = moons_speed(0)
    for depth, m in speed.items():
        v[f"lin{depth}_converged"] = _epochs(m["common"])
        v[f"lin{depth}_fast_lr"] = f"{m['lr']:g}"
        v[f"lin{depth}_fast"] = _epochs(m["fast"])
        v[f"lin{depth}_failed"] = " and ".join(f"{r:g}" for r in m["failed"]) or "none"
    gap_common, gap_fast = _speed_gaps(speed)
    v["speed_gap_common"] = _epochs(gap_common).replace("-", "−")
    v["speed_gap_fast"] = _epochs(gap_fast).replace("-", "−")
    unstable = _unstable_step(speed)
    v["lin4_unstable_lr"] = f"{unstable['lr']:g}"
    v["lin0_at_unstable"] = _epochs(unstable["single"])

    fits = approximation_runs(0)
    mse = {h: np.array([r[h]["mse"] for r in fits]) for h in FIT_WIDTHS}
    for h, m in mse.items():
        v[f"fit_mse_{h}"] = tex_sci(np.exp(np.log(m).mean()))  # geometric mean over seeds
        v[f"fit_mse_{h}_range"] = f"{tex_sci(m.min())} \text{{ to }} {tex_sci(m.max())}"
    ratio = mse[FIT_WIDTHS[0]] / mse[FIT_WIDTHS[-1]]
    v.update(
        {
            "fit_n": FIT_N,
            "fit_lr": fmt(FIT_LR, 1),
            "fit_epochs": FIT_EPOCHS,
            "fit_seeds": FIT_SEEDS,
            "fit_widths": ", ".join(str(h) for h in FIT_WIDTHS[:-1]) + f" and {FIT_WIDTHS[-1]}",
            "fit_max_width": FIT_WIDTHS[-1],
            "fit_mse_first_plain": f"{fits[0][FIT_WIDTHS[0]]['mse']:.2g}",  # for alt text
            "fit_mse_last_plain": f"{fits[0][FIT_WIDTHS[-1]]['mse']:.2g}",
            "fit_ratio_min": f"{math.floor(ratio.min()):,}",  # "at least": rounded down
            "fit_out_lrs": ", ".join(f"{_fit_lrs(FIT_LR, h)[1]:.2g}" for h in FIT_WIDTHS[:-1])
            + f" and {_fit_lrs(FIT_LR, FIT_WIDTHS[-1])[1]:.2g}",
        }
    )
    rr = relu_run()
    v.update(
        {
            "relu_width": RELU_WIDTH,
            "relu_epochs": RELU_EPOCHS,
            "relu_lr": fmt(RELU_LR, 1),
            "relu_kinks": int(rr["kinks"].size),
            "relu_pieces": int(rr["kinks"].size + 1),
            "relu_mse": tex_sci(rr["mse"]),
        }
    )
    return v


def claims(seed_set: int = 0) -> dict[str, tuple[bool, str]]:
    """What the page concludes from its experiments, re-computed on the seeds of `seed_set`."""
    runs, col, best = moons_runs(seed_set), moons_collapse(seed_set), moons_best_line(seed_set)
    n = MOONS_SEEDS
    out: dict[str, tuple[bool, str]] = {}

    same = col["converged"] and col["same_acc"] and col["loss_gap"] < CONVERGED_TOL
    out["linear_same_map"] = (
        bool(same and col["gap"] < 0.05),
        f"{n} seeds x {len(MOONS_DEPTHS)} depths at step {MOONS_COMMON_LR:g}: largest gap to the "
        f"single unit's collapsed parameters {col['gap']:.2g} (bar 0.05), in final loss "
        f"{col['loss_gap']:.2g} (bar {CONVERGED_TOL:g}); training accuracies identical: "
        f"{col['same_acc']}",
    )

    speed = moons_speed(seed_set)
    e = {d: m["common"] for d, m in speed.items()}
    deep = np.max([e[d] for d in MOONS_DEPTHS], axis=0)  # the slowest deep network, per seed
    sooner = evidence.paired(e[0], deep)
    out["deep_linear_converge_sooner"] = (
        bool(np.all(sooner > 0) and evidence.direction(sooner) == 1),
        f"epochs to within {CONVERGED_TOL:g} of the optimum at the same step {MOONS_COMMON_LR:g}: "
        f"single unit {evidence.spread(e[0], digits=0)}; slowest deep network of each seed "
        f"{evidence.spread(deep, digits=0)}; single unit minus slowest deep network "
        + evidence.describe(sooner, digits=0),
    )
    out["deep_linear_2_vs_4_no_difference"] = evidence.no_difference(
        {"4 hidden": e[4], "2 hidden": e[2]},
        f"epochs at step {MOONS_COMMON_LR:g}, paired by seed",
        digits=0,
    )
    unstable = _unstable_step(speed)
    out["depth_lowers_stable_step"] = (
        bool(np.all(np.isfinite(unstable["single"]))),
        f"at step {unstable['lr']:g}, the smallest searched step at which the "
        f"{MOONS_DEPTHS[-1]}-hidden-layer linear network misses the optimum in some seed, the "
        f"single unit reaches it in every seed ({_epochs(unstable['single'])} epochs)",
    )
    gap_common, gap_fast = _speed_gaps(speed)
    steps = ", ".join(f"{d} hidden {m['lr']:g}" for d, m in speed.items())
    shrinks, text = evidence.beats(
        gap_common,
        gap_fast,
        f"epochs of the single unit minus the slowest deep network, at step {MOONS_COMMON_LR:g} "
        f"against each at its fastest step ({steps})",
        digits=0,
    )
    out["fastest_step_gap_shrinks"] = (shrinks, text)
    out["fastest_step_no_difference"] = evidence.no_difference(
        {
            "single unit": speed[0]["fast"],
            "slowest deep network": speed[0]["fast"] - gap_fast,
        },
        "epochs, each model at its fastest step, paired by seed",
        digits=0,
    )
    bracket = {f"ReLU {d} hidden": runs[("relu", d)]["bracketed"] for d in MOONS_DEPTHS}
    bracket |= {f"fastest step of {d} hidden": m["bracketed"] for d, m in speed.items()}
    out["steps_bracketed"] = (
        all(bracket.values()),
        "a worse step was tried on both sides of the chosen one for "
        f"{sum(bracket.values())} of {len(bracket)} searches (ReLU validation steps; linear "
        f"fastest steps); grid widened by factors of 4 within {MOONS_LR_RANGE[0]:g} to "
        f"{MOONS_LR_RANGE[1]:g}",
    )

    lin_gap = np.concatenate(
        [
            evidence.paired(best, [r["acc"] for r in runs[("identity", d)]["runs"]])
            for d in (0, *MOONS_DEPTHS)
        ]
    )
    out["linear_below_best_line"] = (
        bool(evidence.direction(lin_gap) == 1),
        f"{lin_gap.size} linear runs (4 models x {n} seeds) at their tuned steps, best line minus "
        "training accuracy in points: " + evidence.describe(lin_gap, 100),
    )

    above_parts, test_parts, ok_above, ok_test = [], [], True, True
    for d in MOONS_DEPTHS:
        relu = runs[("relu", d)]["runs"]
        above = evidence.paired([r["acc"] for r in relu], best)
        diff = evidence.paired(
            [r["test_acc"] for r in relu],
            [r["test_acc"] for r in runs[("identity", d)]["runs"]],
        )
        ok_above &= bool(above.min() > 0 and evidence.direction(above) == 1)
        ok_test &= bool(diff.min() > 0 and evidence.direction(diff) == 1)
        above_parts.append(f"{d} hidden: " + evidence.describe(above, 100))
        test_parts.append(f"{d} hidden: " + evidence.describe(diff, 100))
    out["relu_above_best_line"] = (
        ok_above,
        "ReLU training accuracy minus the best line, points; " + "; ".join(above_parts),
    )
    out["relu_beats_linear_test"] = (
        ok_test,
        "ReLU minus linear test accuracy, paired by seed, each model at its validation-tuned "
        "step, points; " + "; ".join(test_parts),
    )

    fits = approximation_runs(seed_set)
    logm = {h: np.log10([r[h]["mse"] for r in fits]) for h in FIT_WIDTHS}
    drops = [
        evidence.beats(logm[a], logm[b], f"log10 MSE, {a} against {b} units", digits=2)
        for a, b in zip(FIT_WIDTHS[:2], FIT_WIDTHS[1:3])  # 1 -> 3 -> 10 units
    ]
    out["fit_error_falls_to_10_units"] = evidence.all_of(*drops)
    ratio = 10 ** (logm[FIT_WIDTHS[0]] - logm[FIT_WIDTHS[-1]])
    out["fit_widest_far_below_one_unit"] = (
        bool(ratio.min() > 10),
        f"MSE of 1 unit over MSE of {FIT_WIDTHS[-1]} units: smallest {ratio.min():.0f}, "
        f"largest {ratio.max():.0f} over {len(fits)} seeds (bar 10)",
    )
    return out


# %%
for name, (holds, _evidence) in claims(0).items():
    print(f"{'holds' if holds else 'FAILS'}  {name}")
