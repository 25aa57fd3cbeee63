"""ML0034 · Backpropagation: the page module of docs/training/ml0034-backpropagation.md.

Every number, figure and claim on that page comes from here, and this file is also the page's
notebook: run it cell by cell (Jupyter opens it through jupytext, or download the .ipynb), change
a learning rate, a depth or an activation, and re-run. The algorithm itself is the reference
module `snippets/backprop.py`; this module uses it.
"""

# %%

import numpy as np

from snippets import checks, evidence
from snippets.activations import REGISTRY as _ACT
from snippets.backprop import (
    ACTIVATIONS,
    accuracy,
    backward,
    flatten,
    forward,
    init_params,
    mse_loss,
    numerical_gradient,
    relative_error,
    sgd_step,
)
from snippets.companion import show
from snippets.formatting import fmt, tex_matrix, tex_sci
from snippets.memo import memo
from snippets.plotting import Theme, log_scale, new_figure
from snippets.seeds import seeds

# %% [markdown]
# ## Worked example
# A 2-2-2 sigmoid network, one sample, one step of gradient descent: every intermediate number
# the page derives by hand.

# %%
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


# %%
ex = worked_example()
for key in ("z1", "a1", "z2", "a2", "delta2", "delta1"):
    print(f"{key:7} {np.array2string(ex[key].ravel(), precision=4)}")
for key in ("dW1", "dW2"):  # 2×2, rows = inputs, columns = units, as on the page
    print(f"{key:7} {np.array2string(ex[key], precision=4, prefix=' ' * 8)}")
print(f"loss {ex['loss']:.6f} -> {ex['loss_new']:.6f} after one step")


# %% [markdown]
# ## A hidden layer against a straight line: noisy XOR
# A 2-8-1 tanh MLP and a 2-1 sigmoid unit on several seeds. Each model's learning rate is picked
# on a validation split; the test split is read once, by the picked model.

# %%
XOR_SEED = 7  # default of xor_data only; the experiment draws its data from the seed sets


XOR_SEEDS = 5


XOR_EPOCHS = 300  # the MLP is at 98-100 % test accuracy on every seed of both sets by then


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


def _train_stack(params, X, T, lr, epochs: int, activation: str):
    """`backprop.train` (full batch, sigmoid output, squared error) for R networks of one shape
    at once, network r with its own data and rate.

    `params` is a list of stacked (W, b), shapes (R, fan_in, fan_out) and (R, fan_out); X
    (R, N, d), T (R, N, 1), lr (R,). Returns the trained stack and the losses (R, epochs + 1)
    before training and after every epoch. The same operations in the same order as the layers
    of `backprop.train`, one batched matrix product per layer instead of R: the tests check it
    equal, run by run.
    """
    activation = checks.choice("activation", activation, ACTIVATIONS)
    f, df = _ACT[activation]
    sig, dsig = _ACT["sigmoid"]
    Ws = [np.array(W, dtype=float) for W, _ in params]
    bs = [np.array(b, dtype=float) for _, b in params]
    lr = np.asarray(lr, dtype=float)
    N, last = X.shape[1], len(Ws) - 1

    def forward():
        a, cache = X, []
        for l, (W, b) in enumerate(zip(Ws, bs)):
            z = a @ W + b[:, None, :]
            cache.append((a, z))
            a = (sig if l == last else f)(z)
        return a, cache

    def loss(A):
        return 0.5 * np.sum((T - A) ** 2, axis=(1, 2)) / N

    A, cache = forward()
    losses = [loss(A)]
    for _ in range(epochs):
        delta = (A - T) / N * dsig(cache[-1][1], A)
        for l in reversed(range(len(Ws))):
            a, _ = cache[l]
            dW, db = a.transpose(0, 2, 1) @ delta, delta.sum(axis=1)
            if l > 0:  # through the old W, as backward does before the update
                z = cache[l - 1][1]
                delta = (delta @ Ws[l].transpose(0, 2, 1)) * df(z, cache[l][0])
            Ws[l] -= lr[:, None, None] * dW
            bs[l] -= lr[:, None] * db
        A, cache = forward()
        losses.append(loss(A))
    return list(zip(Ws, bs)), np.array(losses).T


@memo
def xor_runs(seed_set: int = 0) -> dict:
    """Train a 2-8-1 MLP (tanh hidden, sigmoid output) and a 2-1 sigmoid unit on every seed.

    Every learning rate of `XOR_LRS` is run for each model and seed on the train split; a model's
    rate is the one with the lowest validation loss averaged over the seeds. Only the runs at
    that rate are evaluated on the test split. All rates and seeds of a model train as one
    stack (`_train_stack`).
    """
    runs: dict = {"seeds": seeds(XOR_SEEDS, seed_set)}
    splits = [xor_splits(seed) for seed in runs["seeds"]]
    jobs = [(i, j) for i in range(len(XOR_LRS)) for j in range(XOR_SEEDS)]
    X = np.array([splits[j]["train"][0] for _, j in jobs])
    T = np.array([splits[j]["train"][1] for _, j in jobs])
    for model, (sizes, act) in XOR_MODELS.items():
        starts = [
            init_params(sizes, np.random.default_rng([s, 2]), "xavier") for s in runs["seeds"]
        ]
        stack = [
            (
                np.array([starts[j][l][0] for _, j in jobs]),
                np.array([starts[j][l][1] for _, j in jobs]),
            )
            for l in range(len(sizes) - 1)
        ]
        trained, losses = _train_stack(stack, X, T, [XOR_LRS[i] for i, _ in jobs], XOR_EPOCHS, act)
        val = np.zeros((len(XOR_LRS), XOR_SEEDS))
        fitted: dict = {}
        for k, (i, j) in enumerate(jobs):
            params = [(W[k], b[k]) for W, b in trained]
            Xv, yv = splits[j]["val"]
            val[i, j] = mse_loss(forward(params, Xv, act, "sigmoid")[0], yv)
            fitted[i, j] = (params, losses[k])
        best = int(np.argmin(val.mean(axis=1)))
        test_acc = []
        for j in range(XOR_SEEDS):  # the test split, touched once
            Xt, yt = splits[j]["test"]
            test_acc.append(accuracy(forward(fitted[best, j][0], Xt, act, "sigmoid")[0], yt))
        runs[model] = {
            "lr": XOR_LRS[best],
            "val_loss": val,
            "params": [fitted[best, j][0] for j in range(XOR_SEEDS)],
            "train_loss": np.array([fitted[best, j][1] for j in range(XOR_SEEDS)]),
            "test_acc": np.array(test_acc),
        }
    return runs


# %%
xor = xor_runs(0)
for model in ("mlp", "lin"):
    acc = 100 * xor[model]["test_acc"]
    print(f"{model}: lr {xor[model]['lr']:g}, test accuracy per seed {np.round(acc, 1)}")


# %%


def _draw_xor(theme: Theme):
    r = xor_runs(0)
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
    log_scale(ax1, "y")
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
    ax2.set_xlabel("x₁")
    ax2.set_ylabel("x₂")
    ax2.set_aspect("equal")
    ax2.grid(False)
    ax2.legend(loc="upper center", ncols=2, bbox_to_anchor=(0.5, -0.18))
    ax2.set_title(f"MLP boundary (p = 0.5), seed {r['seeds'][0]}")
    return fig


show(_draw_xor)


# %% [markdown]
# ## Gradient check
# Backprop against centred finite differences on random networks of depth 1-4 and every
# activation; the relative error is measured on the whole gradient vector.

# %%
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


@memo
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


# %%
for row in gradcheck_runs(0):
    print(f"{row['activation']:8} depth {row['depth']}: relative error {row['rel_error']:.1e}")


# %%
def _draw_gradcheck(theme: Theme):
    rows = gradcheck_runs(0)
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
    log_scale(ax2, "x", "y")
    ax2.set_ylim(1e-17, 1e-6)
    ax2.set_xlabel("|backprop gradient entry|")
    ax2.set_ylabel("|backprop − finite difference|")
    ax2.legend(loc="upper left")
    ax2.set_title("Error per entry")
    return fig


show(_draw_gradcheck)


# %% [markdown]
# ## Gradient size per layer in a deep, narrow network
# Mean |dW| per layer at initialisation, for sigmoid, tanh and ReLU, on several seeds; and a
# control that shifts the input mean to tell the first layer's behaviour apart.

# %%
DEPTH_LAYERS = 10


DEPTH_WIDTH = 32


DEPTH_SEEDS = 10


DEPTH_ACTS = ("sigmoid", "tanh", "relu")


@memo
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


@memo
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


# %%
for act, q in _depth_ratios(depth_runs(0)).items():
    print(f"{act:8} layer 2 / layer 9, geometric mean over seeds: {_geomean(q):.1e}")


# %%
def _draw_depth(theme: Theme):
    runs = depth_runs(0)
    fig, ax = new_figure(theme, width=6.4, height=3.4)
    layers = np.arange(1, DEPTH_LAYERS + 1)
    for (act, g), marker, colour in zip(runs.items(), ("o", "s", "^"), theme.palette):
        ax.fill_between(layers, g.min(0), g.max(0), color=colour, alpha=0.2, linewidth=0)
        ax.plot(layers, _geomean(g), marker=marker, color=colour, label=act)
    log_scale(ax, "y")
    ax.set_xticks(layers)
    ax.set_xlabel("layer (1 = nearest the input)")
    ax.set_ylabel("mean |∂L/∂W| at initialisation")
    ax.set_title(f"Geometric mean and min–max over {DEPTH_SEEDS} seeds")
    ax.legend(loc="lower right")
    return fig


show(_draw_depth)


# %% [markdown]
# ## What a backward pass costs
# Multiply-adds of one forward and one backward pass, for a 784-256-256-10 network and a batch
# of 64 (the defaults of `cost_counts`), and the floats kept between the two passes.


# %%
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


costs = cost_counts()
for label, key, unit in (
    ("forward pass", "forward", "multiply-adds"),
    ("backward pass", "backward", "multiply-adds"),
    ("kept for backward", "stored", "floats (the input and every layer's output)"),
    ("parameters", "params", "weights and biases"),
):
    print(f"{label:17} {costs[key]:>10,} {unit}")


# %% [markdown]
# ## What the page quotes and concludes
# The build calls these after running the cells above.


# %%
def figures():
    """Figure name → function drawing it for a theme."""
    return {"xor-training": _draw_xor, "gradient-check": _draw_gradcheck, "depth": _draw_depth}


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

    r = xor_runs(0)
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

    rows = gradcheck_runs(0)
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

    d = depth_runs(0)
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
    ctrl = depth_input_control(0)
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


def claims(seed_set: int = 0) -> dict[str, tuple[bool, str]]:
    """Claim name → (holds, evidence) for the experiments run on `seeds(n, seed_set)`."""
    out: dict[str, tuple[bool, str]] = {}

    r = xor_runs(seed_set)
    mlp, lin = r["mlp"]["test_acc"], r["lin"]["test_acc"]
    wins = int(np.sum(mlp > lin))
    gap = 100 * (mlp - lin)  # paired: both models see the same data on each seed
    worst = 100 * (mlp.min() - lin.max())  # the worst MLP seed against the best linear seed
    out["xor_mlp_beats_linear"] = (
        bool(wins == XOR_SEEDS and worst > 0 and evidence.direction(gap) == 1),
        f"{wins} of {XOR_SEEDS} seeds; test accuracy MLP mean {_pct(mlp.mean())} % "
        f"(min-max {_pct(mlp.min())}-{_pct(mlp.max())}), linear mean {_pct(lin.mean())} % "
        f"(min-max {_pct(lin.min())}-{_pct(lin.max())}); paired gap MLP − linear: "
        f"{evidence.describe(gap, unit='points')}; worst MLP seed minus best linear seed "
        f"{worst:.1f} points",
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
        bool(margin > spread and all(evidence.direction(q) == -1 for q in paired.values())),
        f"{DEPTH_SEEDS} seeds per activation, log10 of layer 2 over layer 9: sigmoid "
        f"{sig.min():.1f} to {sig.max():.1f}, tanh and ReLU {others.min():.1f} to "
        f"{others.max():.1f}; worst-seed margin {margin:.1f} orders, largest seed spread "
        f"{spread:.1f}; paired per seed, sigmoid minus tanh {paired['tanh'].mean():.1f} ± std "
        f"{paired['tanh'].std(ddof=1):.1f} (lower in {below['tanh']} of {DEPTH_SEEDS}), sigmoid "
        f"minus ReLU {paired['relu'].mean():.1f} ± std {paired['relu'].std(ddof=1):.1f} (lower "
        f"in {below['relu']} of {DEPTH_SEEDS})",
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
        bool(evidence.direction(diff) == 1),
        f"layer 2 over layer 1 of the sigmoid network, input X against X + 1/2: "
        f"{10 ** ctrl[:, 0].min():.1f} to {10 ** ctrl[:, 0].max():.1f} against "
        f"{10 ** ctrl[:, 1].min():.1f} to {10 ** ctrl[:, 1].max():.1f}; paired log10 difference "
        f"{diff.mean():.2f} ± std {diff.std(ddof=1):.2f}, larger with X in {n_pos} of "
        f"{DEPTH_SEEDS} seeds",
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
