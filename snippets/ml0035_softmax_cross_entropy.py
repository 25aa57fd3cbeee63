"""ML0035 · Softmax and Cross-Entropy: page module of docs/training/ml0035-softmax-cross-entropy.md

This notebook works the page's example (three logits, one true class: softmax, the loss and its
gradient ŷ − y, with and without label smoothing, and the gradient squared error would give),
shows the naive softmax overflowing at logits of ±1000 where the shifted one is exact, follows
both losses' gradients along a path of logits that makes the model more and more confidently
wrong, trains softmax regression with cross-entropy and with squared error from a small and from
a confidently wrong start, and finds the finite logit gap label smoothing settles at. Change a
constant in a cell and re-run the cells below it. The reference code is `snippets/softmax.py`.
"""

# %%
from __future__ import annotations

import functools

import numpy as np

from snippets import checks, evidence
from snippets.companion import show
from snippets.formatting import fmt, tex_matrix, tex_sci
from snippets.memo import memo
from snippets.plotting import Theme, log_scale, new_figure
from snippets.seeds import seeds
from snippets.softmax import (
    cross_entropy,
    cross_entropy_backward,
    log_softmax,
    softmax,
    softmax_naive,
)

# %% [markdown]
# ## Squared error on softmax outputs, for comparison
#
# `mse_softmax` is `F.mse_loss(softmax(Z), one_hot(y))` with PyTorch's default mean over all
# N·C entries; its gradient goes back through the softmax Jacobian diag(p) − p pᵀ.


# %%
def _one_hot(y, N: int, C: int) -> np.ndarray:
    """One-hot rows of the integer classes `y` (shape (N,), each in 0..C−1)."""
    if isinstance(y, (str, bytes)) or y is None or np.asarray(y).dtype.kind not in "iu":
        raise TypeError(f"y: expected integer class indices, got {checks.describe(y)}")
    y = np.asarray(y)
    if y.shape != (N,):
        raise ValueError(f"y: expected shape ({N},), one class per row of Z, got {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= C):
        raise ValueError(f"y: expected class indices in 0..{C - 1}, got {y[(y < 0) | (y >= C)][0]}")
    return np.eye(C)[y]


def mse_softmax(Z, y) -> float:
    """Mean over the N·C entries of (softmax(Z) − onehot(y))²."""
    Z = checks.as_float_array("Z", Z, ndim=2)
    Y = _one_hot(y, *Z.shape)
    return float(np.mean((softmax(Z, axis=1) - Y) ** 2))


def mse_softmax_backward(Z, y) -> np.ndarray:
    """∂/∂Z of `mse_softmax`: with G = 2 (P − Y) / (N C), row by row p ⊙ (g − g·p)."""
    Z = checks.as_float_array("Z", Z, ndim=2)
    N, C = Z.shape
    Y = _one_hot(y, N, C)
    P = softmax(Z, axis=1)
    G = 2.0 * (P - Y) / (N * C)  # ∂L/∂P
    # --8<-- [start:mse_backward]
    # the softmax Jacobian diag(p) − p pᵀ applied to each row's ∂L/∂p
    return P * (G - np.sum(G * P, axis=1, keepdims=True))
    # --8<-- [end:mse_backward]


def ce_hessian(z) -> np.ndarray:
    """∂²L/∂z² of one sample's cross-entropy: the gradient p − y differentiated once more is
    the softmax Jacobian diag(p) − p pᵀ, whatever the class (y does not appear)."""
    z = checks.as_float_array("z", z, ndim=1)
    p = softmax(z)
    return np.diag(p) - np.outer(p, p)


# %% [markdown]
# ## Worked example
#
# Logits z = (1, 3, −0.5) for one sample whose true class is 0: the model is wrong (class 1 has
# the largest logit). The gradient of cross-entropy is p − y; with label smoothing ε it is
# p − q, q = (1 − ε)·onehot + ε/C.

# %%
EXAMPLE = {"z": [1.0, 3.0, -0.5], "y": 0, "eps": 0.1}


def worked_example() -> dict[str, object]:
    """Softmax, loss and gradients of the example (one sample, so the batch mean is itself)."""
    Z = np.array([EXAMPLE["z"]])
    y = np.array([EXAMPLE["y"]])
    eps = EXAMPLE["eps"]
    C = Z.shape[1]
    q = np.full(C, eps / C)
    q[EXAMPLE["y"]] += 1 - eps
    return {
        "z": Z[0],
        "p": softmax(Z)[0],
        "logp": log_softmax(Z)[0],
        "lse": float(np.max(Z) + np.log(np.sum(np.exp(Z - np.max(Z))))),
        "loss": cross_entropy(Z, y),
        "grad": cross_entropy_backward(Z, y)[0],
        "q": q,
        "loss_ls": cross_entropy(Z, y, eps),
        "grad_ls": cross_entropy_backward(Z, y, eps)[0],
        "mse": mse_softmax(Z, y),
        "grad_mse": mse_softmax_backward(Z, y)[0],
    }


# %%
_ex = worked_example()
print("p =", _ex["p"], " loss =", _ex["loss"], " dL/dz =", _ex["grad"])
print("smoothed: q =", _ex["q"], " loss =", _ex["loss_ls"], " dL/dz =", _ex["grad_ls"])
print("squared error on p: dL/dz =", _ex["grad_mse"])

# %% [markdown]
# ## Overflow: the naive softmax at logits of ±1000
#
# exp(1000) is inf in float64 (the largest finite exponent is log(max float) ≈ 709.8), so the
# textbook formula returns inf/inf = NaN; the reference subtracts the largest logit first.

# %%
BIG = [[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0]]
BIG_Y = [2, 0]


# --8<-- [start:naive]
def cross_entropy_naive(Z, y) -> float:
    """−log of the naive softmax (no shift) at the true class, averaged over the batch."""
    P = softmax_naive(np.asarray(Z, dtype=float))
    with np.errstate(divide="ignore"):
        return float(np.mean(-np.log(P[np.arange(len(y)), y])))
    # --8<-- [end:naive]


def overflow_example() -> dict[str, object]:
    Z, y = np.array(BIG), np.array(BIG_Y)
    return {
        "naive_p": softmax_naive(Z),
        "naive_loss": cross_entropy_naive(Z[:1], y[:1]),
        "p": softmax(Z),
        "logp": log_softmax(Z),
        "loss_row0": cross_entropy(Z[:1], y[:1]),
        "grad": cross_entropy_backward(Z, y),
        "limit64": float(np.log(np.finfo(np.float64).max)),
        "limit32": float(np.log(np.finfo(np.float32).max)),
        "limit16": float(np.log(float(np.finfo(np.float16).max))),  # ln 65504
        # bfloat16 keeps float32's 8 exponent bits and 7 mantissa bits: max (2 − 2⁻⁷)·2¹²⁷
        "limit_bf16": float(np.log(2.0 - 2.0**-7) + 127 * np.log(2.0)),
    }


# %%
_ov = overflow_example()
print("naive softmax:\n", _ov["naive_p"], "\nshifted softmax:\n", _ov["p"])
print("naive loss", _ov["naive_loss"], "shifted loss", _ov["loss_row0"])

# %% [markdown]
# ## Gradients along a path to a confident mistake
#
# C = 4 classes, true class 0, logits (−s, s, 0, 0): as s grows from −6 the model goes from
# confidently right to confidently wrong (class 1). Cross-entropy's gradient tends to
# ‖e₁ − e₀‖ = √2; squared error's first grows, then shrinks like e^{−s}: the more wrong, the
# less it learns.

# %%
PATH_C = 4
PATH_S = np.linspace(-6.0, 10.0, 161)


def gradient_path(s=PATH_S, C: int = PATH_C) -> dict[str, np.ndarray]:
    """Norms of ∂L/∂z for cross-entropy and squared error at logits (−s, s, 0, …), class 0."""
    s = checks.as_float_array("s", s, ndim=1)
    Z = np.zeros((len(s), C))
    Z[:, 0], Z[:, 1] = -s, s
    y = np.zeros(len(s), dtype=int)
    n = len(s)  # the batch mean divides by n: multiply back to get one sample's gradient
    return {
        "s": s,
        "p_true": softmax(Z)[:, 0],
        "ce": np.linalg.norm(n * cross_entropy_backward(Z, y), axis=1),
        "mse": np.linalg.norm(n * mse_softmax_backward(Z, y), axis=1),
        "mse_loss": np.mean((softmax(Z) - np.eye(C)[0]) ** 2, axis=1),  # one sample's loss
    }


# %%
_gp = gradient_path()
print("s where the squared-error gradient peaks:", _gp["s"][np.argmax(_gp["mse"])])

# %% [markdown]
# ## Experiment: cross-entropy against squared error
#
# Softmax regression (a linear layer and softmax) on Gaussian classes, full-batch gradient
# descent for `STEPS` steps. Two starts: small weights (every sample near p = 1/C) and large
# weights (logits of order ten: most samples start confidently wrong). Every run trains at every
# rate of `LR_GRID` (the same grid for both losses and both starts), so the results are also a
# curve over the rate; each loss then keeps the rate with the highest mean validation accuracy
# over the seeds, and the test sets are evaluated once, at that rate only.

# %%
N_SEEDS = 8
C, D = 4, 8
N_TRAIN, N_VAL, N_TEST = 300, 300, 1000
MEAN_SCALE = 0.8  # spread of the class means: classes overlap, accuracy well below 100 %
STEPS = 200
LR_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0, 10000.0)
INITS = {"small": 0.01, "large": 3.0}  # standard deviation of the initial weights
CONFIDENT = 0.01  # "confidently wrong": probability of the true class below this
COMMON_MAX = 10.0  # the control compares the starts at every common rate up to this one
COMMON_FROM = 100.0  # ... and checks that from this rate on the large start is not worse
SLOW_MAX = 3.0  # up to this rate, squared error from the large start is compared on validation
LOSSES = ("ce", "mse")


def gaussian_classes(seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Train, validation and test draws of C Gaussian classes in D dimensions (unit variance,
    means drawn once per seed), and the two initial weight draws."""
    return _gaussian_classes(checks.integer("seed", seed, minimum=0))


@functools.cache
def _gaussian_classes(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    means = rng.normal(0.0, MEAN_SCALE, size=(C, D))
    out = {}
    for part, n in (("train", N_TRAIN), ("val", N_VAL), ("test", N_TEST)):
        y = rng.integers(0, C, size=n)
        out[part] = (means[y] + rng.normal(size=(n, D)), y)
    out["W0"] = rng.normal(size=(D, C))  # scaled by the start's standard deviation
    return out


def _grad(loss: str, Z: np.ndarray, y: np.ndarray) -> np.ndarray:
    return cross_entropy_backward(Z, y) if loss == "ce" else mse_softmax_backward(Z, y)


def train(X, y, W, b, loss: str, lr: float, steps: int = STEPS):
    """Plain full-batch gradient descent on one softmax-regression model; returns (W, b)."""
    loss = checks.choice("loss", loss, LOSSES)
    W, b = np.array(W, dtype=float), np.array(b, dtype=float)
    for _ in range(steps):
        G = _grad(loss, X @ W + b, y)  # ∂L/∂Z, already divided by N
        W -= lr * (X.T @ G)
        b -= lr * G.sum(axis=0)
    return W, b


def train_grid(X, y, W, b, loss: str, lrs, steps: int = STEPS):
    """`train` for every rate of `lrs` at once: weights stacked as (R, D, C), tested equal."""
    loss = checks.choice("loss", loss, LOSSES)
    lr = np.asarray(lrs, dtype=float)[:, None, None]
    W = np.repeat(np.asarray(W, dtype=float)[None], len(lr), axis=0)
    b = np.repeat(np.asarray(b, dtype=float)[None, None], len(lr), axis=0)
    N = len(y)
    Y = np.eye(W.shape[2])[y]
    for _ in range(steps):
        P = softmax(X @ W + b, axis=-1)  # (R, N, C)
        if loss == "ce":
            G = (P - Y) / N
        else:
            G = 2.0 * (P - Y) / (N * W.shape[2])
            G = P * (G - np.sum(G * P, axis=-1, keepdims=True))
        W -= lr * (X.T @ G)
        b -= lr * G.sum(axis=1, keepdims=True)
    return W, b[:, 0]


def _p_true(W, b, X, y) -> np.ndarray:
    """Probability of the true class, per stacked model and sample: shape (R, N)."""
    P = softmax(X @ W + b[:, None, :], axis=-1)
    return P[:, np.arange(len(y)), y]


def _accuracy(W, b, X, y) -> np.ndarray:
    return np.mean(np.argmax(X @ W + b[:, None, :], axis=-1) == y, axis=1)


def _grad_norms(W, b, X, y) -> tuple[np.ndarray, np.ndarray]:
    """Per-sample ‖∂ℓ/∂z‖ of one model's logits, shape (N,) each: cross-entropy's ‖p − y‖ and
    squared error's (ℓ = mean_c (p_c − y_c)², through the softmax Jacobian)."""
    P = softmax(X @ W + b, axis=-1)
    Y = np.eye(P.shape[1])[y]
    G = 2.0 * (P - Y) / P.shape[1]
    mse = P * (G - np.sum(G * P, axis=1, keepdims=True))
    return np.linalg.norm(P - Y, axis=1), np.linalg.norm(mse, axis=1)


@memo
def loss_experiment(seed_set: int = 0) -> dict:
    """init → loss → results over the seeds. Per (seed, rate): validation accuracy, the share of
    training samples confidently wrong at the end, and of those the share that were so at the
    start already. At the rate chosen on validation: test accuracy and, for the samples
    confidently wrong at the end, their mean per-sample squared-error gradient norm."""
    out: dict = {}
    for init, scale in INITS.items():
        out[init] = {}
        for loss in LOSSES:
            val, stuck, since, models, start_share = [], [], [], [], []
            for seed in seeds(N_SEEDS, seed_set):
                d = gaussian_classes(seed)
                W0, b0 = scale * d["W0"], np.zeros(C)
                W, b = train_grid(*d["train"], W0, b0, loss, LR_GRID)
                models.append((W, b))
                val.append(_accuracy(W, b, *d["val"]))
                end = _p_true(W, b, *d["train"]) < CONFIDENT  # (rate, sample)
                start = _p_true(W0[None], b0[None], *d["train"])[0] < CONFIDENT
                start_share.append(start.mean())
                stuck.append(end.mean(axis=1))
                since.append(np.sum(end & start, axis=1) / np.maximum(end.sum(axis=1), 1))
            val = np.array(val)
            k = int(np.argmax(val.mean(axis=0)))  # first (smallest) rate among ties
            test, n_stuck, grad_stuck, ce_grad_stuck, gmax, ce_gmax = [], [], [], [], [], []
            for seed, (W, b) in zip(seeds(N_SEEDS, seed_set), models):
                d = gaussian_classes(seed)
                test.append(_accuracy(W[k : k + 1], b[k : k + 1], *d["test"])[0])  # once, at k
                X, y = d["train"]
                wrong = _p_true(W[k : k + 1], b[k : k + 1], X, y)[0] < CONFIDENT
                n_stuck.append(int(wrong.sum()))
                g_ce, g_mse = _grad_norms(W[k], b[k], X, y)
                grad_stuck.append(float(g_mse[wrong].mean()) if wrong.any() else np.nan)
                ce_grad_stuck.append(float(g_ce[wrong].mean()) if wrong.any() else np.nan)
                gmax.append(float(g_mse.max()))  # the largest per-sample gradient, same model
                ce_gmax.append(float(g_ce.max()))
            out[init][loss] = {
                "val": val,
                "k": k,
                "lr": LR_GRID[k],
                "test_acc": np.array(test),
                "stuck_by_rate": np.array(stuck),  # (seed, rate)
                "since_by_rate": np.array(since),
                "stuck": np.array(stuck)[:, k],
                "n_stuck": np.array(n_stuck),
                "grad_stuck": np.array(grad_stuck),  # squared error's, mean over stuck samples
                "ce_grad_stuck": np.array(ce_grad_stuck),  # cross-entropy's at the same logits
                "grad_max": np.array(gmax),  # squared error's largest per-sample norm
                "ce_grad_max": np.array(ce_gmax),  # cross-entropy's largest, same logits
            }
            out[init]["stuck_start"] = np.array(start_share)
    return out


# %%
_le = loss_experiment(0)
for _init in INITS:
    for _loss in LOSSES:
        _r = _le[_init][_loss]
        print(
            f"{_init:5s} {_loss:3s} lr {_r['lr']:g}: "
            f"test acc {evidence.spread(_r['test_acc'], 100)} %, "
            f"confidently wrong {evidence.spread(_r['stuck'], 100)} % "
            f"(start {evidence.spread(_le[_init]['stuck_start'], 100)} %)"
        )

# %% [markdown]
# ## Label smoothing: a finite optimum
#
# With ε > 0 the smoothed loss of one sample is minimised at p = q, so the true logit settles
# log(q_true / q_other) = log((1 − ε + ε/C) / (ε/C)) above the others; without smoothing it
# grows for ever. Gradient descent on a free logit vector checks both.

# %%
LS_C = 10
LS_EPS = (0.05, 0.1, 0.2)
LS_STEPS = 4000
LS_LR = 5.0


def optimal_gap(eps: float, C: int) -> float:
    """log((1 − ε + ε/C) / (ε/C)): the gap of the minimiser of the smoothed loss."""
    eps = checks.probability("eps", eps)
    C = checks.positive_int("C", C)
    return float(np.log((1 - eps + eps / C) / (eps / C)))


@functools.cache
def ls_descent(eps: float, C: int = LS_C, steps: int = LS_STEPS, lr: float = LS_LR) -> dict:
    """Gradient descent on one sample's logits (true class 0) from a fixed random start."""
    z = np.random.default_rng(35).normal(size=(1, C))
    y = np.array([0])
    gaps = []
    for _ in range(steps):
        z -= lr * cross_entropy_backward(z, y, eps)
        gaps.append(z[0, 0] - z[0, 1:].mean())
    return {
        "z": z[0],
        "gaps": np.array(gaps),
        "loss": cross_entropy(z, y, eps),
        "grad_norm": float(np.linalg.norm(cross_entropy_backward(z, y, eps))),
    }


def smoothed_entropy(eps: float, C: int) -> float:
    """H(q) = −Σ q log q of the smoothed target: the smallest value the smoothed loss takes."""
    q = np.full(C, eps / C)
    q[0] += 1 - eps
    q = q[q > 0]
    return float(-np.sum(q * np.log(q)))


# %%
for _eps in LS_EPS + (0.0,):
    _r = ls_descent(_eps)
    _want = optimal_gap(_eps, LS_C) if _eps > 0 else float("inf")
    print(f"eps {_eps}: gap {_r['gaps'][-1]:.6f} (formula {_want:.6f}), loss {_r['loss']:.6f}")


# %% [markdown]
# ## Figures


# %%
def _draw_path(theme: Theme):
    g = gradient_path()
    fig, (a0, a1) = new_figure(theme, ncols=2, width=9.6, height=3.8)
    a0.plot(g["s"], g["p_true"], color=theme.palette[2])
    a0.set_xlabel("s: logits (−s, s, 0, 0), true class 0")
    a0.set_ylabel("p of the true class")
    a0.set_title("the model grows confidently wrong")
    log_scale(a0, "y")
    a1.plot(g["s"], g["ce"], label="cross-entropy")
    a1.plot(g["s"], g["mse"], "--", label="squared error on p")
    log_scale(a1, "y")
    a1.set_xlabel("s: logits (−s, s, 0, 0), true class 0")
    a1.set_ylabel("‖∂L/∂z‖ (one sample)")
    a1.set_title("gradient norm")
    a1.legend(loc="lower left")
    return fig


def _draw_experiment(theme: Theme):
    r = loss_experiment(0)
    fig, axes = new_figure(theme, ncols=2, width=9.6, height=3.8)
    names = {"ce": "cross-entropy", "mse": "squared error"}
    for ax, (key, what, scale) in zip(
        axes, (("test_acc", "test accuracy (%)", 100), ("stuck", "train p_true < 0.01 (%)", 100))
    ):
        for i, init in enumerate(INITS):
            for j, loss in enumerate(LOSSES):
                v = scale * r[init][loss][key]
                x = 2 * i + j * 0.8
                ax.plot(
                    np.full(len(v), x) + np.linspace(-0.15, 0.15, len(v)),
                    v,
                    "o" if loss == "ce" else "s",
                    color=theme.palette[j],
                    markersize=5,
                    label=names[loss] if i == 0 and key == "test_acc" else None,
                )
                ax.plot([x - 0.25, x + 0.25], [v.mean()] * 2, color=theme.fg, linewidth=1.5)
        ax.set_xticks([0.4, 2.4], [f"{k} start" for k in INITS])
        ax.set_ylabel(what)
        ax.grid(axis="x", visible=False)
    axes[0].set_title("test accuracy, each seed")
    axes[1].set_title("confidently wrong after training")
    fig.legend(loc="outside lower center", ncols=2)
    return fig


def _draw_rates(theme: Theme):
    r = loss_experiment(0)
    lr = np.array(LR_GRID)
    fig, axes = new_figure(theme, ncols=2, width=9.6, height=3.8)
    names = {"ce": "cross-entropy", "mse": "squared error"}
    for ax, loss in zip(axes, LOSSES):
        for i, init in enumerate(INITS):
            x = r[init][loss]
            v = 100 * x["stuck_by_rate"]
            m, sd = v.mean(axis=0), v.std(axis=0, ddof=1)
            ls = "-" if init == "large" else "--"
            ax.plot(lr, m, ls, color=theme.palette[i], label=f"{init} start")
            ax.fill_between(lr, m - sd, m + sd, color=theme.palette[i], alpha=0.2, lw=0)
            k = x["k"]
            ax.plot(lr[k], m[k], "o", color=theme.palette[i], markersize=7)
        log_scale(ax, "x")
        ax.set_xlabel("learning rate")
        ax.set_title(names[loss])
        ax.set_ylim(0, 100)
    axes[0].set_ylabel("train p_true < 0.01 after training (%)")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2)
    return fig


def _draw_smoothing(theme: Theme):
    fig, (a0, a1) = new_figure(theme, ncols=2, width=9.6, height=3.8)
    gap = np.linspace(0.0, 12.0, 241)
    for i, eps in enumerate((0.0,) + LS_EPS):
        Z = np.zeros((len(gap), LS_C))
        Z[:, 0] = gap
        y = np.zeros(len(gap), dtype=int)
        loss = [cross_entropy(Z[k : k + 1], y[:1], eps) for k in range(len(gap))]
        a0.plot(gap, loss, color=theme.palette[i], label=f"ε = {eps:g}")
        if eps > 0:
            a0.axvline(optimal_gap(eps, LS_C), color=theme.palette[i], linestyle=":", lw=1.5)
        r = ls_descent(eps)
        a1.plot(np.arange(1, LS_STEPS + 1), r["gaps"], color=theme.palette[i])
    a0.set_xlabel("gap: true logit − other logits")
    a0.set_ylabel("loss (nats)")
    a0.set_title(f"smoothed loss, C = {LS_C}")
    a0.set_ylim(0, 3)
    a1.set_xlabel("gradient-descent step")
    a1.set_ylabel("gap")
    a1.set_title("the gap during descent")
    log_scale(a1, "x")
    fig.legend(loc="outside lower center", ncols=4)
    return fig


# %%
show(_draw_path)
show(_draw_experiment)
show(_draw_rates)
show(_draw_smoothing)


# %% [markdown]
# ## What the build reads


# %%
def figures():
    """Figure name → function drawing it for a theme."""
    return {
        "gradient-path": _draw_path,
        "ce-vs-mse": _draw_experiment,
        "stuck-by-rate": _draw_rates,
        "label-smoothing": _draw_smoothing,
    }


def _pct(x) -> str:
    return fmt(100 * float(np.mean(x)), 1)


def _list(a, digits: int = 3) -> str:
    return "(" + ", ".join(fmt(x, digits) for x in a) + ")"


def _ce_unstable_from(x) -> int:
    """Index of the first rate from which, up to the grid's end, more than 5 % of the training
    samples end confidently wrong on average."""
    high = x["stuck_by_rate"].mean(axis=0) > 0.05
    return min(k for k in range(len(LR_GRID) + 1) if high[k:].all())


def values() -> dict[str, object]:
    """Every number the page quotes, formatted as the page shows it."""
    v: dict[str, object] = {}
    e = worked_example()
    v["ex_z"] = tex_matrix(e["z"], 1)
    v["ex_z_list"] = _list(e["z"], 1)
    v["ex_y"] = EXAMPLE["y"]
    v["ex_eps"] = fmt(EXAMPLE["eps"], 1)
    v["ex_exp"] = tex_matrix(np.exp(e["z"]), 3)
    v["ex_exp_sum"] = fmt(np.exp(e["z"]).sum(), 3)
    v["ex_lse"] = fmt(e["lse"], 4)
    for key in ("p", "logp", "grad", "q", "grad_ls", "grad_mse"):
        v[f"ex_{key}"] = tex_matrix(e[key], 4)
    v["ex_loss"] = fmt(e["loss"], 4)
    v["ex_loss_ls"] = fmt(e["loss_ls"], 4)
    v["ex_p_true"] = fmt(e["p"][EXAMPLE["y"]], 4)
    v["ex_grad_norm"] = fmt(np.linalg.norm(e["grad"]), 4)
    v["ex_grad_mse_norm"] = fmt(np.linalg.norm(e["grad_mse"]), 4)
    v["ex_grad_ratio"] = fmt(np.linalg.norm(e["grad"]) / np.linalg.norm(e["grad_mse"]), 1)
    v["ex_q_true"] = fmt(e["q"][EXAMPLE["y"]], 4)
    v["ex_q_other"] = fmt(e["q"][1], 4)

    o = overflow_example()
    v["ov_Z"] = tex_matrix(BIG, 0)
    v["ov_naive_nan"] = int(np.sum(np.isnan(o["naive_p"])))
    v["ov_entries"] = int(o["naive_p"].size)
    v["ov_p"] = tex_matrix(o["p"], 4)
    v["ov_loss_row0"] = fmt(o["loss_row0"], 1)
    v["ov_logp_row0"] = tex_matrix(o["logp"][0], 1)
    v["ov_limit64"] = fmt(o["limit64"], 1)
    v["ov_limit32"] = fmt(o["limit32"], 1)
    v["ov_limit16"] = fmt(o["limit16"], 1)
    v["ov_limit_bf16"] = fmt(o["limit_bf16"], 1)
    H = ce_hessian(e["z"])
    v["ex_hess"] = tex_matrix(H, 4)
    v["ex_hess_eigs"] = _list(np.linalg.eigvalsh(H), 4)

    g = gradient_path()
    v["path_c"] = PATH_C
    v["path_s_min"] = fmt(PATH_S[0], 0)
    v["path_s_max"] = fmt(PATH_S[-1], 0)
    k = int(np.argmax(g["mse"]))
    v["path_peak_s"] = fmt(g["s"][k], 1)
    v["path_peak_p"] = fmt(g["p_true"][k], 3)
    v["path_ce_end"] = fmt(g["ce"][-1], 4)
    v["path_mse_end"] = tex_sci(g["mse"][-1])
    v["path_p_end"] = tex_sci(g["p_true"][-1])
    curv = np.diff(g["mse_loss"], 2)  # second differences: negative = concave there
    v["path_concave_s"] = fmt(g["s"][1:-1][curv < 0][0], 1)
    v["path_ratio_end"] = tex_sci(g["ce"][-1] / g["mse"][-1], 0)
    v["sqrt2"] = fmt(np.sqrt(2), 4)

    r = loss_experiment(0)
    v.update(
        exp_seeds=N_SEEDS,
        exp_c=C,
        exp_d=D,
        exp_train=N_TRAIN,
        exp_val=N_VAL,
        exp_test=N_TEST,
        exp_steps=STEPS,
        exp_mean_scale=fmt(MEAN_SCALE, 1),
        exp_lrs=", ".join(f"{lr:g}" for lr in LR_GRID),
        exp_init_small=f"{INITS['small']:g}",
        exp_init_large=f"{INITS['large']:g}",
        exp_confident=f"{CONFIDENT:g}",
    )
    for init in INITS:
        for loss in LOSSES:
            x = r[init][loss]
            v[f"exp_{init}_{loss}_lr"] = f"{x['lr']:g}"
            v[f"exp_{init}_{loss}_acc"] = evidence.spread(x["test_acc"], 100)
            v[f"exp_{init}_{loss}_stuck"] = evidence.spread(x["stuck"], 100)
        v[f"exp_{init}_stuck_start"] = evidence.spread(r[init]["stuck_start"], 100)
        gap = evidence.paired(r[init]["ce"]["test_acc"], r[init]["mse"]["test_acc"])
        v[f"exp_{init}_gap"] = evidence.spread(gap, 100)
    lm, sm_ = r["large"]["mse"], r["small"]["mse"]
    v["exp_since_start"] = evidence.spread(lm["since_by_rate"][:, lm["k"]], 100, 0)
    v["exp_n_stuck"] = int(lm["n_stuck"].sum())
    v["exp_common_max"] = f"{COMMON_MAX:g}"
    v["exp_common_from"] = f"{COMMON_FROM:g}"
    low = np.array(LR_GRID) <= COMMON_MAX
    v["exp_since_low"] = fmt(100 * lm["since_by_rate"][:, low].mean(axis=0).min(), 1)  # a floor
    v["exp_mse_min_any_rate"] = evidence.spread(lm["stuck_by_rate"].min(axis=1), 100)
    v["exp_grad_stuck"] = tex_sci(np.mean(lm["grad_stuck"]))
    rel, ce_rel = lm["grad_stuck"] / lm["grad_max"], lm["ce_grad_stuck"] / lm["ce_grad_max"]
    v["exp_rel_grad"] = evidence.spread(rel, 100)
    v["exp_ce_rel_grad"] = evidence.spread(ce_rel, 100)
    v["exp_step_ratio"] = fmt(np.mean(1 / rel), 0)
    v["exp_step_ratio_min"] = fmt(np.min(1 / rel), 1)
    v["exp_step_ratio_max"] = fmt(np.max(1 / rel), 0)
    kl = list(LR_GRID).index(lm["lr"])
    v["exp_small_mse_at_large_lr"] = fmt(100 * sm_["stuck_by_rate"][:, kl].mean(), 1)
    slow = np.array(LR_GRID) <= SLOW_MAX
    v["exp_slow_max"] = f"{SLOW_MAX:g}"
    v["exp_slow_mse_val"] = fmt(100 * lm["val"][:, slow].mean(axis=0).max(), 1)
    v["exp_slow_ce_val"] = fmt(100 * r["large"]["ce"]["val"][:, slow].mean(axis=0).max(), 1)
    between = [lr for lr in LR_GRID if COMMON_MAX < lr < COMMON_FROM]
    v["exp_common_between"] = " and ".join(f"{lr:g}" for lr in between)
    mean_lm = lm["stuck_by_rate"].mean(axis=0)
    v["exp_large_mse_min_rate"] = f"{LR_GRID[int(np.argmin(mean_lm))]:g}"
    v["exp_large_mse_min_share"] = fmt(100 * mean_lm.min(), 1)
    v["exp_large_mse_last_share"] = fmt(100 * mean_lm[-1], 1)
    for init in INITS:  # cross-entropy at too large a rate: the worst mean from there on
        first = _ce_unstable_from(r[init]["ce"])
        v[f"exp_{init}_ce_stuck_worst"] = fmt(
            100 * r[init]["ce"]["stuck_by_rate"].mean(axis=0)[first:].max(), 0
        )
        v[f"exp_{init}_ce_stuck_from"] = f"{LR_GRID[first]:g}"
    v["exp_lr_min"] = f"{LR_GRID[0]:g}"
    v["exp_lr_max"] = f"{LR_GRID[-1]:g}"
    v["path_conf_s"] = fmt(g["s"][g["p_true"] < CONFIDENT][0], 1)

    v["ls_c"] = LS_C
    v["ls_steps"] = LS_STEPS
    v["ls_lr"] = f"{LS_LR:g}"
    for eps in LS_EPS:
        tag = f"{round(100 * eps):02d}"
        d = ls_descent(eps)
        v[f"ls_gap_{tag}"] = fmt(optimal_gap(eps, LS_C), 4)
        v[f"ls_found_{tag}"] = fmt(d["gaps"][-1], 4)
        v[f"ls_p_{tag}"] = fmt(1 - eps + eps / LS_C, 3)
        v[f"ls_entropy_{tag}"] = fmt(smoothed_entropy(eps, LS_C), 4)
        v[f"ls_loss_{tag}"] = fmt(d["loss"], 4)
    d0 = ls_descent(0.0)
    v["ls_plain_gap_mid"] = fmt(d0["gaps"][LS_STEPS // 10 - 1], 2)
    v["ls_plain_gap_end"] = fmt(d0["gaps"][-1], 2)
    v["ls_plain_mid_step"] = LS_STEPS // 10
    return v


def claims(seed_set: int = 0) -> dict[str, tuple[bool, str]]:
    """Claim name → (holds, evidence) for the experiments run on `seeds(n, seed_set)`."""
    out: dict[str, tuple[bool, str]] = {}
    r = loss_experiment(seed_set)
    large, small = r["large"], r["small"]

    out["mse_stays_confidently_wrong"] = evidence.beats(
        large["mse"]["stuck"],
        large["ce"]["stuck"],
        f"large start, share of training samples with p_true < {CONFIDENT:g} after training, "
        "squared error vs cross-entropy (%)",
        scale=100,
        unit="points",
    )
    lm, sm = large["mse"], small["mse"]
    best = lm["stuck_by_rate"].min(axis=1)
    every = bool(np.all(best > large["ce"]["stuck"]))
    out["mse_stuck_at_every_rate"] = evidence.all_of(
        evidence.beats(
            best,
            large["ce"]["stuck"],
            "large start, share confidently wrong: squared error at its best rate of the grid "
            "(per seed) vs cross-entropy at its tuned rate (%)",
            scale=100,
            unit="points",
        ),
        (every, f"higher in every seed: {every}"),
    )
    # control: the two starts at the same rate
    parts = []
    for k, lr in enumerate(LR_GRID):
        what = f"squared error at rate {lr:g}, confidently wrong, large vs small start (%)"
        if lr <= COMMON_MAX:
            parts.append(
                evidence.beats(lm["stuck_by_rate"][:, k], sm["stuck_by_rate"][:, k], what, 100)
            )
        elif lr >= COMMON_FROM:
            parts.append(
                evidence.not_ahead(lm["stuck_by_rate"][:, k], sm["stuck_by_rate"][:, k], what, 100)
            )
    small_max = max(sm["stuck"].max(), small["ce"]["stuck"].max())
    parts.append(
        (
            bool(small_max < 0.01),
            f"small start at the tuned rates, largest share over the seeds: squared error "
            f"{100 * sm['stuck'].max():.1f} %, cross-entropy "
            f"{100 * small['ce']['stuck'].max():.1f} % (bar 1 %)",
        )
    )
    out["small_start_control"] = evidence.all_of(*parts)
    low = [k for k, lr in enumerate(LR_GRID) if lr <= COMMON_MAX]
    out["stuck_from_the_start_at_common_rates"] = evidence.all_of(
        *(
            evidence.beats(
                lm["since_by_rate"][:, k],
                lm["since_by_rate"][:, lm["k"]],
                f"large start, squared error: share of the confidently wrong samples that were "
                f"so from the start, rate {LR_GRID[k]:g} vs the tuned rate {lm['lr']:g} (%)",
                100,
            )
            for k in low
        )
    )
    out["stuck_get_a_small_share_of_the_gradient"] = evidence.beats(
        lm["ce_grad_stuck"] / lm["ce_grad_max"],
        lm["grad_stuck"] / lm["grad_max"],
        "large start, model trained with squared error at its tuned rate: mean per-sample "
        "gradient norm of the confidently wrong training samples relative to the largest "
        "per-sample norm of the same model, cross-entropy's vs squared error's at the same "
        "logits (%)",
        100,
    )
    slow = [k for k, lr in enumerate(LR_GRID) if lr <= SLOW_MAX]
    out["mse_large_start_slow_at_small_rates"] = evidence.all_of(
        *(
            evidence.beats(
                large["ce"]["val"][:, k],
                lm["val"][:, k],
                f"large start, validation accuracy at rate {LR_GRID[k]:g}, cross-entropy vs "
                "squared error (%)",
                100,
            )
            for k in slow
        )
    )
    rows, ok = [], True
    for init in INITS:
        x = r[init]["ce"]
        first = _ce_unstable_from(x)
        ok = ok and x["k"] < first
        rows.append(
            f"{init} start: tuned rate {x['lr']:g}, more than 5 % confidently wrong from rate "
            + (f"{LR_GRID[first]:g} on" if first < len(LR_GRID) else "no rate of the grid")
        )
    out["ce_tuned_below_unstable_rates"] = (bool(ok), "; ".join(rows))
    out["small_start_no_difference"] = evidence.no_difference(
        {"cross-entropy": small["ce"]["test_acc"], "squared error": small["mse"]["test_acc"]},
        "small start, test accuracy (%)",
        scale=100,
    )

    # deterministic: overflow, the path of logits and label smoothing's optimum
    o = overflow_example()
    exact = (
        np.array_equal(o["p"][0], [1.0, 0.0, 0.0])
        and np.allclose(o["p"][1], 1 / 3, rtol=1e-15, atol=0)
        and o["loss_row0"] == 2000.0
        and np.all(np.isfinite(o["grad"]))
    )
    n_bad = int(np.sum(~np.isfinite(o["naive_p"])))
    out["naive_overflows_shifted_exact"] = (
        bool(n_bad == 4 and not np.isfinite(o["naive_loss"]) and exact),
        f"naive softmax: {n_bad} of {o['naive_p'].size} entries not finite (the whole second "
        f"row and the first entry of the first), naive loss finite: "
        f"{bool(np.isfinite(o['naive_loss']))}; shifted: rows (1, 0, 0) and (1/3, 1/3, 1/3) "
        f"exactly (to 1e-15), loss {o['loss_row0']:.1f} = 2000 exactly, gradient finite: "
        f"{bool(np.all(np.isfinite(o['grad'])))}",
    )
    g = gradient_path()
    wrong = g["p_true"] < CONFIDENT
    k = int(np.argmax(g["mse"]))
    mse, ce = g["mse"][wrong], g["ce"][wrong]
    out["mse_gradient_vanishes"] = (
        bool(
            wrong.sum() > 10
            and np.all(np.diff(mse) < 0)
            and np.all(np.diff(ce) > 0)
            and mse[-1] < 1e-3 * g["mse"][k]
        ),
        f"at the {int(wrong.sum())} points of the path with p_true < {CONFIDENT:g} (s from "
        f"{g['s'][wrong][0]:.1f} to {g['s'][-1]:g}) squared error's gradient norm falls at every "
        f"step, from {mse[0]:.2e} to {mse[-1]:.2e} ({mse[-1] / g['mse'][k]:.1e} of its peak "
        f"{g['mse'][k]:.3f} at s = {g['s'][k]:.1f}), while cross-entropy's rises at every step, "
        f"from {ce[0]:.4f} to {ce[-1]:.4f} (√2 = {np.sqrt(2):.4f})",
    )
    rows = []
    ok = True
    for eps in LS_EPS:
        d = ls_descent(eps)
        err = abs(d["gaps"][-1] - optimal_gap(eps, LS_C))
        equal = float(np.ptp(d["z"][1:]))
        floor = abs(d["loss"] - smoothed_entropy(eps, LS_C))
        ok = ok and err < 1e-6 and equal < 1e-6 and floor < 1e-9
        rows.append(
            f"ε = {eps:g}: found {d['gaps'][-1]:.8f}, formula "
            f"{optimal_gap(eps, LS_C):.8f}, wrong logits within {equal:.1e}, final loss "
            f"{d['loss']:.10f} vs H(q) {smoothed_entropy(eps, LS_C):.10f}"
        )
    d0 = ls_descent(0.0)
    grows = bool(np.all(np.diff(d0["gaps"]) > 0))
    out["ls_gap_matches_formula"] = (
        bool(ok and grows),
        "; ".join(rows)
        + f"; without smoothing the gap grows at every step, to {d0['gaps'][-1]:.2f} after "
        f"{LS_STEPS} steps",
    )
    return out


# %%
for _name, (_holds, _evidence) in claims(0).items():
    print(f"{'holds' if _holds else 'FAILS'}  {_name}: {_evidence}")
