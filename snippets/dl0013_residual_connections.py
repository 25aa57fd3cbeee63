"""DL0013 · Residual Connections: the page module of docs/cnn/dl0013-residual-connections.md.

This notebook computes what the page shows: the worked example (one pre-activation residual
block, its Jacobian and the gradient it hands back, with and without the shortcut); the size of
the gradient at initialization, block by block, in plain and residual networks of 4 to 32 blocks;
the degradation experiment (a shallow and a deep network, each plain and residual, trained by
full-batch gradient descent for a fixed number of steps, the learning rate of each chosen on a
validation split); what the zero initialization of each block's last layer does; and the
parameters that projection shortcuts cost in ResNet-34. The block itself is the reference code
in `snippets/residual.py`; the layers and the training loop are `snippets/layers.py` and
`snippets/training.py`. `train_stack` trains the experiment's networks side by side, the same
arithmetic in batched matrix products, and is tested equal to `run`, which uses the reference
library one network at a time. Change a constant and re-run the cells below it.
"""

# %%
from __future__ import annotations

import copy

import numpy as np

from snippets import checks, evidence, layers, losses, training
from snippets.batchnorm import BatchNorm
from snippets.companion import show
from snippets.formatting import fmt, tex_matrix
from snippets.memo import memo
from snippets.plotting import Theme, log_scale, new_figure
from snippets.residual import Residual
from snippets.seeds import seeds

# %% [markdown]
# ## The worked example
# One pre-activation block without normalization, F(x) = relu(relu(x) W1 + b1) W2 + b2, on one
# sample of 2 features. The block returns y = x + F(x); an upstream gradient g_y = dL/dy comes
# back as g_x = g_y (I + J_F), where J_F = dF/dx. Without the shortcut it would be g_y J_F.

# %%
EXAMPLE = {
    "x": [[1.0, -0.5]],
    "W1": [[0.4, -0.6], [0.3, 0.2]],
    "b1": [0.1, 0.0],
    "W2": [[0.25, -0.5], [0.5, 0.125]],
    "b2": [0.0, 0.1],
    "g_y": [[1.0, -2.0]],
}


def block(W1, b1, W2, b2, norms=None) -> list:
    """The inner layers F of a pre-activation block (He et al., 2016b): BatchNorm, ReLU, Dense,
    BatchNorm, ReLU, Dense, with the pair of batch-norm layers `norms`; without them, ReLU,
    Dense, ReLU, Dense."""
    # --8<-- [start:block]
    bn1, bn2 = ([norms[0]], [norms[1]]) if norms else ([], [])
    return [
        *bn1,
        layers.Activation("relu"),
        layers.Dense(W1, b1),
        *bn2,
        layers.Activation("relu"),
        layers.Dense(W2, b2),
    ]
    # --8<-- [end:block]


def worked_example() -> dict[str, np.ndarray]:
    """Forward and backward through the example's block, by the reference `Residual` layer,
    and the Jacobian J_F written out: J_F = D_x W1 D_z W2 in the row-vector convention
    (F_i depends on x_j through a_j = relu(x_j), z = a W1 + b1, u = relu(z))."""
    e = {k: np.array(v, dtype=float) for k, v in EXAMPLE.items()}
    res = Residual(block(e["W1"], e["b1"], e["W2"], e["b2"]))
    y, cache = res(e["x"])
    g_x = res.backward(e["g_y"], cache)[0]
    plain = block(e["W1"], e["b1"], e["W2"], e["b2"])
    Fx, caches = layers.forward(plain, e["x"])
    g_plain = layers.backward(plain, caches, e["g_y"])[0]
    z = np.maximum(e["x"], 0) @ e["W1"] + e["b1"]
    # (J)_{ji} = dF_i/dx_j as a matrix that maps a row gradient g_y to g_y @ J.T; keep the
    # textbook orientation J[i, j] = dF_i/dx_j, so g_x = g_y (I + J)
    J = (np.diag((e["x"][0] > 0).astype(float)) @ e["W1"] @ np.diag((z[0] > 0).astype(float))
         @ e["W2"]).T  # fmt: skip
    return {**e, "Fx": Fx, "y": y, "z": z, "J": J, "I_plus_J": np.eye(2) + J,
            "g_x": g_x, "g_plain": g_plain}  # fmt: skip


# %%
example = worked_example()
with np.printoptions(precision=4, suppress=True):
    for key in ("Fx", "y", "J", "g_x", "g_plain"):
        print(f"{key:8}", example[key])

# %% [markdown]
# ## The networks of the experiments
# A stem Dense(2 → WIDTH), then `blocks` pre-activation blocks, then ReLU and a head
# Dense(WIDTH → 1): 2·blocks + 2 dense layers. The plain network has the same layers with the
# shortcuts removed. Every dense layer is He-initialized (N(0, 2/fan_in), zero biases). The
# degradation experiment puts batch norm in every block (γ = 1, β = 0, PyTorch's default), as
# He et al. (2016) did, and one more before the head's ReLU (a pre-activation network's stream
# is never normalized otherwise; He et al., 2016b), and gives the plain and the residual network
# the same initial weights: the shortcut is the only difference. The gradient measurement also
# uses blocks without normalization, and there a third variant starts each block's last layer
# at zero.

# %%
# --8<-- [start:settings]
WIDTH = 8  # units per hidden layer
SHALLOW, DEEP = 3, 16  # residual blocks: 8 and 34 dense layers
LRS = (0.03, 0.1, 0.3, 1.0, 3.0)  # the grid every network is tuned on (validation)
STEPS = 200  # full-batch gradient-descent steps, the same budget for every network
N_TRAIN, N_VAL = 128, 128
N_SEEDS = 5  # a seed fixes the data and the initial weights
GRAD_DEPTHS = (4, 8, 16, 32)  # blocks, for the gradient at initialization
GRAD_SEEDS = 10
# --8<-- [end:settings]
KINDS = ("plain", "residual")
INITS = ("plain", "residual-he", "residual-zero", "plain-bn", "residual-bn")  # gradient at init
EPS, MOMENTUM = 1e-5, 0.1  # batch norm's defaults (snippets.batchnorm, PyTorch)


def task(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """`n` points of a 2-D regression task: x uniform on [-1.5, 1.5]², t = sin(3 x₁) cos(2 x₂)
    + x₁ / 2 (no noise)."""
    rng = checks.generator("seed", seed)
    n = checks.positive_int("n", n)
    X = rng.uniform(-1.5, 1.5, size=(n, 2))
    t = np.sin(3 * X[:, 0]) * np.cos(2 * X[:, 1]) + 0.5 * X[:, 0]
    return X, t[:, None]


def split(seed: int) -> tuple[np.ndarray, ...]:
    """Training and validation sets of one seed (disjoint draws): Xtr, Ttr, Xva, Tva."""
    rng = np.random.default_rng([seed, 13])
    return (*task(rng, N_TRAIN), *task(rng, N_VAL))


def init(seed: int, blocks: int, init_kind: str, norm: bool = False) -> dict[str, np.ndarray]:
    """Initial weights: W0 (2, W), W1 and W2 (blocks, W, W), Wo (W, 1), zero biases; with
    `norm`, each block's two batch norms g1, be1, g2, be2 (blocks, W) at γ = 1, β = 0.
    `norm` also adds the final batch norm before the head, gf, bef (W,), at γ = 1, β = 0.
    `init_kind` "residual-zero" sets every W2 to 0; the others draw it like W1 (He)."""
    rng = np.random.default_rng([seed, 7])
    w, he = WIDTH, lambda fan_in, *shape: rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)
    P = {"W0": he(2, 2, w), "b0": np.zeros(w), "W1": he(w, blocks, w, w),
         "b1": np.zeros((blocks, w)), "W2": he(w, blocks, w, w), "b2": np.zeros((blocks, w)),
         "Wo": he(w, w, 1), "bo": np.zeros(1)}  # fmt: skip
    if init_kind == "residual-zero":
        P["W2"] = np.zeros_like(P["W2"])
    if norm:
        P.update(g1=np.ones((blocks, w)), be1=np.zeros((blocks, w)),
                 g2=np.ones((blocks, w)), be2=np.zeros((blocks, w)),
                 gf=np.ones(w), bef=np.zeros(w))  # fmt: skip
    return P


def _norms(P: dict, l: int):
    """Block l's two BatchNorm layers with the γ, β of `P` (None without batch norm)."""
    if "g1" not in P:
        return None
    pair = (BatchNorm(WIDTH, EPS, MOMENTUM), BatchNorm(WIDTH, EPS, MOMENTUM))
    for bn, i in zip(pair, "12"):
        bn.gamma, bn.beta = P[f"g{i}"][l].copy(), P[f"be{i}"][l].copy()
    return pair


def _final_norm(P: dict) -> list:
    """The batch norm before the head (with the γ, β of `P`), as a list: empty without it."""
    if "gf" not in P:
        return []
    bn = BatchNorm(WIDTH, EPS, MOMENTUM)
    bn.gamma, bn.beta = P["gf"].copy(), P["bef"].copy()
    return [bn]


def network(P: dict[str, np.ndarray], residual: bool) -> list:
    """The reference-library layers for weights `P`: stem, blocks (wrapped in `Residual` or
    not), (batch norm,) ReLU, head."""
    # --8<-- [start:network]
    net = [layers.Dense(P["W0"], P["b0"])]
    for l in range(P["W1"].shape[0]):
        F = block(P["W1"][l], P["b1"][l], P["W2"][l], P["b2"][l], _norms(P, l))
        net += [Residual(F)] if residual else F  # the only difference: the shortcut
    # with batch norm, both networks normalize the stream once before the head
    net += _final_norm(P)
    return net + [layers.Activation("relu"), layers.Dense(P["Wo"], P["bo"])]
    # --8<-- [end:network]


def run(seed: int, residual: bool, blocks: int, lr: float, steps: int = STEPS,
        norm: bool = True, init_kind: str = "plain") -> dict:  # fmt: skip
    """One network trained by `training.train` (full batch, `steps` epochs of one step). Returns
    the trained layers, the training loss before training and after it (batch statistics, the
    objective being minimized) and the validation loss (inference mode, running statistics)."""
    Xtr, Ttr, Xva, Tva = split(seed)
    net = network(init(seed, blocks, init_kind, norm), residual)
    first = losses.mse_loss(layers.forward(copy.deepcopy(net), Xtr)[0], Ttr)
    training.train(net, Xtr, Ttr, steps, training.sgd(lr))
    last = losses.mse_loss(layers.forward(copy.deepcopy(net), Xtr)[0], Ttr)
    val = losses.mse_loss(layers.forward(net, Xva, training=False)[0], Tva)
    return {"net": net, "train_loss": (first, last), "val_loss": val}


# %% [markdown]
# ## The same training, many networks at once
# `train_stack` runs R networks of one architecture side by side (weights stacked on a leading
# axis, one batched matrix product per layer): the arithmetic of `run`, tested equal to it.


# %%
def _sum(x):
    """Sum over the batch axis of (R, N, W): a matrix product, far faster here than
    `x.sum(axis=1)`."""
    return (np.ones((1, x.shape[1])) @ x)[:, 0]


def _mean(x):
    """Mean over the batch axis of (R, N, W), keeping it: a matrix product, far faster here
    than `x.mean(axis=1)`."""
    return np.full((1, x.shape[1]), 1.0 / x.shape[1]) @ x


def _bn(x, g, b, running=None):
    """Batch norm of each network's (N, W) batch: batch statistics, or the `running` (mean,
    var) in inference mode. Returns y, the backward cache, and the batch (mean, biased var)."""
    if running is None:
        mu = _mean(x)
        xc = x - mu
        var = _mean(xc * xc)
    else:
        mu, var = running[0][:, None], running[1][:, None]
        xc = x - mu
    inv = 1.0 / np.sqrt(var + EPS)
    xh = xc * inv
    return g[:, None] * xh + b[:, None], (xh, inv, g), (mu[:, 0], var[:, 0])


def _bn_backward(dy, cache):
    xh, inv, g = cache
    db, dg = _mean(dy), _mean(dy * xh)  # means; the sums are N times these
    return g[:, None] * inv * (dy - db - xh * dg), dg[:, 0] * dy.shape[1], db[:, 0] * dy.shape[1]


def _norm(P, i: str, l: int, x, running):
    """Block l's batch norm number `i` ("1" or "2") applied to x, if the networks have one."""
    if "g1" not in P:
        return x, None, None
    run = running and (running[f"m{i}"][:, l], running[f"v{i}"][:, l])
    return _bn(x, P[f"g{i}"][:, l], P[f"be{i}"][:, l], run)


def _forward(P, X, residual: bool, running=None):
    """Output and backward state of the stacked networks `P` for inputs X (R, N, 2); batch
    norm (if P has it) uses batch statistics, or `running` {"m1", "v1", "m2", "v2"}."""
    h = X @ P["W0"] + P["b0"][:, None]
    cache, stats = [], []
    for l in range(P["W1"].shape[1]):
        n1, c1, s1 = _norm(P, "1", l, h, running)
        a = np.maximum(n1, 0)
        z = a @ P["W1"][:, l] + P["b1"][:, l, None]
        n2, c2, s2 = _norm(P, "2", l, z, running)
        u = np.maximum(n2, 0)
        f = u @ P["W2"][:, l] + P["b2"][:, l, None]
        cache.append((n1, c1, a, n2, c2, u))
        stats.append((s1, s2))
        h = h + f if residual else f
    final = None
    if "gf" in P:  # the final batch norm before the head
        run = running and (running["mf"], running["vf"])
        n, c, s = _bn(h, P["gf"], P["bef"], run)
        final = (n, c, s)
    a = np.maximum(h if final is None else final[0], 0)
    return a @ P["Wo"] + P["bo"][:, None], (h, a, cache, stats, final)


def _backward(P, X, dout, residual: bool, state, top=None):
    """Gradients of every parameter for upstream `dout`; `top` replaces dL/dh at the last
    block's output (the gradient experiment injects one there). Also returns ‖dL/dh‖ per
    block input."""
    h, a, cache, _, final = state
    T = lambda M: np.swapaxes(M, -1, -2)  # noqa: E731
    G = {k: np.zeros_like(v) for k, v in P.items()}
    G["Wo"], G["bo"] = T(a) @ dout, _sum(dout)
    dh = (dout @ T(P["Wo"])) * (a > 0)
    if final is not None:
        dh, G["gf"], G["bef"] = _bn_backward(dh, final[1])
    dh = dh if top is None else top
    norm = (lambda d: np.sqrt((d**2).sum(axis=(1, 2)))) if top is not None else (lambda d: 0.0)
    norms = [norm(dh)]
    for l in reversed(range(P["W1"].shape[1])):
        n1, c1, a_in, n2, c2, u = cache[l]
        G["W2"][:, l], G["b2"][:, l] = T(u) @ dh, _sum(dh)
        dz = (dh @ T(P["W2"][:, l])) * (n2 > 0)
        if c2 is not None:
            dz, G["g2"][:, l], G["be2"][:, l] = _bn_backward(dz, c2)
        G["W1"][:, l], G["b1"][:, l] = T(a_in) @ dz, _sum(dz)
        da = (dz @ T(P["W1"][:, l])) * (n1 > 0)
        if c1 is not None:
            da, G["g1"][:, l], G["be1"][:, l] = _bn_backward(da, c1)
        dh = dh + da if residual else da  # the shortcut adds dL/dy to what F hands back
        norms.append(norm(dh))
    G["W0"], G["b0"] = T(X) @ dh, _sum(dh)
    return G, np.array(norms[::-1]).T  # norms (with `top`): (R, blocks + 1), block 1 first


def train_stack(Ps: list[dict], data_sets: list[tuple], lrs, residual: bool, steps: int):
    """Train R networks of one architecture at once by full-batch gradient descent. Returns
    their training losses `(R, steps + 1)` (before training and after each step, batch
    statistics), final validation losses `(R,)` (running statistics) and the final weights
    and running statistics."""
    P = {k: np.stack([p[k] for p in Ps]) for k in Ps[0]}
    X, T, Xv, Tv = (np.stack([d[i] for d in data_sets]) for i in range(4))
    lr = np.asarray(lrs, dtype=float)
    N = X.shape[1]
    run_stats = {k: np.zeros_like(P["g1"]) if k[0] == "m" else np.ones_like(P["g1"])
                 for k in ("m1", "v1", "m2", "v2")} if "g1" in P else None  # fmt: skip
    if run_stats is not None:
        run_stats.update(mf=np.zeros_like(P["gf"]), vf=np.ones_like(P["gf"]))
    hist = np.empty((len(Ps), steps + 1))
    with np.errstate(all="ignore"):  # a diverging rate is a result (inf / nan), not an error
        for k in range(steps + 1):
            out, state = _forward(P, X, residual)
            hist[:, k] = 0.5 * ((out - T) ** 2).sum(axis=(1, 2)) / N
            if k == steps:
                break
            if run_stats is not None:  # as BatchNorm: momentum, unbiased variance
                for l, pair in enumerate(state[3]):
                    for i, (mu, var) in zip("12", pair):
                        for key, new in ((f"m{i}", mu), (f"v{i}", var * N / (N - 1))):
                            run_stats[key][:, l] = (1 - MOMENTUM) * run_stats[key][
                                :, l
                            ] + MOMENTUM * new
                mu, var = state[4][2]
                for key, new in (("mf", mu), ("vf", var * N / (N - 1))):
                    run_stats[key] = (1 - MOMENTUM) * run_stats[key] + MOMENTUM * new
            G, _ = _backward(P, X, (out - T) / N, residual, state)
            for key in P:
                P[key] -= lr.reshape((-1,) + (1,) * (P[key].ndim - 1)) * G[key]
        out_v = _forward(P, Xv, residual, run_stats)[0]
        val = 0.5 * ((out_v - Tv) ** 2).sum(axis=(1, 2)) / Xv.shape[1]
    return hist, val, {"P": P, "running": run_stats}


# %% [markdown]
# ## The degradation experiment
# Shallow (3 blocks) and deep (16 blocks) networks with batch norm, plain and residual, every
# learning rate of the grid and every seed; a plain and a residual network of one seed and depth
# start from the same weights. Each network's rate is the one with the lowest mean validation
# loss over the seeds; a rate at which any seed diverges (a loss that overflows to inf or nan)
# has an infinite mean and is never chosen. The rate is chosen on validation data of the same
# seeds (same initial weights) whose training loss is reported. The compared quantity is the
# *training* loss after the step budget, as in He et al. (2016). Two references: the constant
# predictor (the mean target), whose loss is ½ Var(t), and a linear least-squares fit.


# %%
def references(seed: int) -> tuple[float, float]:
    """Training loss (half MSE) of the constant predictor, ½ Var(t), and of the least-squares
    linear fit t ≈ x w + c, on one seed's training set."""
    Xtr, Ttr = split(seed)[:2]
    A = np.c_[Xtr, np.ones(len(Xtr))]
    w = np.linalg.lstsq(A, Ttr, rcond=None)[0]
    return 0.5 * float(Ttr.var()), 0.5 * float(np.mean((A @ w - Ttr) ** 2))


def choose_rate(val) -> int:
    """Index of the rate with the lowest mean validation loss over the seeds, `val` of shape
    (seeds, rates); a rate with a non-finite loss in any seed (diverged) is never chosen."""
    val = np.asarray(val, dtype=float)
    return int(np.argmin(np.where(np.isfinite(val), val, np.inf).mean(axis=0)))


@memo
def degradation(seed_set: int = 0) -> dict:
    """(kind, blocks) → training losses `(seeds, lrs, STEPS + 1)`, validation losses
    `(seeds, lrs)`, the chosen rate and the final training loss at it `(seeds,)`; "constant"
    and "linear" → the references' training losses `(seeds,)`."""
    ss = seeds(N_SEEDS, seed_set)
    out = {}
    runs = [(s, lr) for s in ss for lr in LRS]
    for blocks in (SHALLOW, DEEP):
        Ps = [init(s, blocks, "plain", norm=True) for s, _ in runs]
        for kind in KINDS:
            hist, val, _ = train_stack(Ps, [split(s) for s, _ in runs], [lr for _, lr in runs],
                                       kind == "residual", STEPS)  # fmt: skip
            hist = np.where(np.isfinite(hist), hist, np.inf).reshape(len(ss), len(LRS), -1)
            val = np.where(np.isfinite(val), val, np.inf).reshape(len(ss), len(LRS))
            best = choose_rate(val)
            out[kind, blocks] = {"hist": hist, "val": val, "lr": LRS[best], "best": best,
                                 "train": hist[:, best, -1], "val_best": val[:, best]}  # fmt: skip
    ref = np.array([references(s) for s in ss])
    out["constant"], out["linear"] = ref[:, 0], ref[:, 1]
    return out


# %%
for key, r in degradation(0).items():
    if isinstance(key, str):
        print(f"{key:8} reference: training loss {evidence.spread(r, digits=4)}")
        continue
    kind, blocks = key
    print(f"{kind:8} {2 * blocks + 2:2d} layers: rate {r['lr']:g}, training loss "
          f"{evidence.spread(r['train'], digits=4)}")  # fmt: skip

# %% [markdown]
# ## The gradient at initialization
# For each depth and seed, a batch of training inputs goes forward; a fixed random gradient is
# injected at the output of the last block and carried back. `ratio[l]` = ‖dL/dh_l‖ / ‖dL/dh_top‖
# at the input of block l: the product of the block Jacobians applied to that gradient.


# %%
@memo
def gradient_at_init(seed_set: int = 0) -> dict:
    """(init kind, blocks) → log10 ratios `(seeds, blocks + 1)`, block 1's input first;
    ("loss0", init kind, blocks) → the training loss at initialization `(seeds,)`;
    "constant" → the constant predictor's training loss ½ Var(t) on the same seeds."""
    ss = seeds(GRAD_SEEDS, seed_set)
    out = {}
    for blocks in GRAD_DEPTHS:
        for kind in INITS:
            base, norm = kind.removesuffix("-bn"), kind.endswith("-bn")
            base = "plain" if base == "residual" else base  # the BN networks: He weights
            P = {k: np.stack([init(s, blocks, base, norm)[k] for s in ss])
                 for k in init(0, 1, base, norm)}  # fmt: skip
            X, T = (np.stack([split(s)[i] for s in ss]) for i in (0, 1))
            residual = kind.startswith("residual")
            with np.errstate(over="ignore"):
                out_, state = _forward(P, X, residual)
                out["loss0", kind, blocks] = 0.5 * ((out_ - T) ** 2).mean(axis=(1, 2))
            top = np.random.default_rng([blocks, 5]).normal(size=(len(ss), N_TRAIN, WIDTH))
            dout = np.zeros((len(ss), N_TRAIN, 1))
            with np.errstate(divide="ignore"):
                _, norms = _backward(P, X, dout, residual, state, top=top)
                out[kind, blocks] = np.log10(norms / norms[:, -1:])
    out["constant"] = np.array([references(s)[0] for s in ss])  # ½ Var(t), the same seeds
    return out


# %%
for key, r in gradient_at_init(0).items():
    if key[0] == "loss0" or key == "constant":
        continue
    kind, blocks = key
    print(f"{kind:14} {blocks:2d} blocks: log10 ratio at block 1, median {np.median(r[:, 0]):+.2f}")


# %% [markdown]
# ## Identity versus projection shortcuts in ResNet-34
# ResNet-34 has stages of (64, 3), (128, 4), (256, 6), (512, 3) (channels, blocks) of two 3×3
# convolutions each. A 1×1 projection shortcut from C_in to C_out channels has C_in·C_out
# weights. Option A pads with zeros where the width grows (no parameters), B projects only there,
# C projects on every shortcut.

# %%
RESNET34 = ((64, 3), (128, 4), (256, 6), (512, 3))


def shortcut_params() -> dict[str, int]:
    """Weights of the shortcuts of ResNet-34 under options A, B and C (1×1 convolutions, batch
    norm not counted), and of the 3×3 convolutions of its blocks."""
    ins, outs = [], []
    c_prev = RESNET34[0][0]
    for c, n in RESNET34:
        for i in range(n):
            ins.append(c_prev if i == 0 else c)
            outs.append(c)
        c_prev = c
    pairs = list(zip(ins, outs))
    return {"A": 0, "B": sum(a * b for a, b in pairs if a != b),
            "C": sum(a * b for a, b in pairs), "blocks": sum(9 * (a * b + b * b) for a, b in pairs),
            "n_blocks": len(pairs), "n_changes": sum(a != b for a, b in pairs)}  # fmt: skip


# %%
print(shortcut_params())

# %% [markdown]
# ## Claims
# What the page concludes from the experiments, on the seeds of a seed set, read by
# `snippets.evidence` (per-seed differences; a finding needs mean > std and one sign in all
# seeds but one).


# %%
def zero_init_gap(seed: int = 0, blocks: int = DEEP) -> float:
    """Largest |difference| between the zero-initialized residual network and the network
    with its blocks removed (stem → ReLU → head), on that seed's training inputs."""
    P = init(seed, blocks, "residual-zero")
    X = split(seed)[0]
    full = layers.forward(network(P, True), X)[0]
    no_blocks = {**P, **{k: P[k][:0] for k in ("W1", "b1", "W2", "b2")}}
    short = layers.forward(network(no_blocks, True), X)[0]
    return float(np.max(np.abs(full - short)))


def _layers(blocks: int) -> int:
    return 2 * blocks + 2


def claims(seed_set: int = 0) -> dict[str, tuple[bool, str]]:
    """Name → (holds, evidence) on the seeds of `seed_set`."""
    d = degradation(seed_set)
    ps, pd = d["plain", SHALLOW]["train"], d["plain", DEEP]["train"]
    rs, rd = d["residual", SHALLOW]["train"], d["residual", DEEP]["train"]
    const = d["constant"]
    s, dp = _layers(SHALLOW), _layers(DEEP)
    out = {}
    out["plain_degrades"] = evidence.beats(
        pd, ps, f"training loss, plain {dp} vs {s} layers", digits=4
    )
    finals = d["plain", DEEP]["hist"][:, :, -1]
    kept = [i for i in range(len(LRS)) if np.all(np.isfinite(finals[:, i]))]  # not diverged
    out["plain_deep_degrades_at_every_rate"] = evidence.all_of(
        (len(kept) >= 3, "rates without divergence: " + ", ".join(f"{LRS[i]:g}" for i in kept)),
        *(evidence.beats(finals[:, i], ps,
                         f"plain {dp} layers at rate {LRS[i]:g} vs plain {s} layers at its rate",
                         digits=4) for i in kept),
    )  # fmt: skip
    ratio = pd / const
    out["plain_deep_not_constant"] = (
        bool(np.all(ratio < 1)),
        f"plain {dp} layers / constant predictor ½Var(t), per seed: "
        + ", ".join(f"{r:.2f}" for r in ratio)
        + f"; below 1 in {int(np.sum(ratio < 1))} of "
        f"{ratio.size} seeds",
    )
    chosen = {f"{k} {_layers(b)} layers": d[k, b]["best"] for k, b in
              ((k, b) for b in (SHALLOW, DEEP) for k in KINDS)}  # fmt: skip
    out["rates_inside_grid"] = (
        all(0 < i < len(LRS) - 1 for i in chosen.values()),
        f"grid {', '.join(f'{lr:g}' for lr in LRS)}; chosen: "
        + ", ".join(f"{k} {LRS[i]:g}" for k, i in chosen.items()),
    )
    out["residual_beats_plain_deep"] = evidence.beats(
        pd, rd, f"training loss at {dp} layers, plain vs residual", digits=4
    )
    out["residual_penalty_smaller"] = evidence.beats(
        pd - ps, rd - rs, f"cost of depth ({dp} minus {s} layers), plain vs residual", digits=4
    )
    out["residual_deep_beats_plain_shallow"] = evidence.beats(
        ps, rd, f"training loss, plain {s} layers vs residual {dp} layers", digits=4
    )
    out["residual_depth_not_worse"] = evidence.not_ahead(
        rd, rs, f"training loss, residual {dp} vs {s} layers", digits=4
    )
    out["shallow_no_difference"] = evidence.no_difference(
        {f"residual {s} layers": rs, f"plain {s} layers": ps}, "training loss", digits=4
    )
    g = gradient_at_init(seed_set)
    for kind, name, sign, word in (
        ("plain", "plain_gradient_shrinks", -1, "below"),
        ("residual-he", "he_residual_gradient_grows", 1, "above"),
        ("plain-bn", "bn_plain_gradient_grows", 1, "above"),
    ):
        r = g[kind, DEEP][:, 0]  # log10 ratio at block 1; -inf: the gradient is exactly 0
        fin = r[np.isfinite(r)]
        out[name] = (
            bool(np.sum(sign * r > 0) >= r.size - 1 and sign * np.median(r) > 0),
            f"{kind}, {DEEP} blocks: ratio {word} 1 in {int(np.sum(sign * r > 0))} of {r.size} "
            f"seeds (exactly 0 in {r.size - fin.size}); log10 ratio median {np.median(r):+.2f}, "
            f"finite ones from {fin.min():+.2f} to {fin.max():+.2f}",
        )
    for kind, name, sign in (("plain", "plain_trend", -1), ("residual-he", "he_trend", 1),
                             ("plain-bn", "bn_plain_trend", 1),
                             ("residual-bn", "bn_residual_trend", 1)):  # fmt: skip
        med = np.array([np.median(g[kind, b][:, 0]) for b in GRAD_DEPTHS])
        out[name] = (
            bool(np.all(sign * np.diff(med) > 0)),
            f"{kind}: median log10 ratio at block 1 for {', '.join(map(str, GRAD_DEPTHS))} "
            f"blocks: {', '.join(f'{m:+.2f}' for m in med)}",
        )
    out["bn_residual_gradient_smaller"] = evidence.beats(
        g["plain-bn", DEEP][:, 0],
        g["residual-bn", DEEP][:, 0],
        f"log10 gradient ratio at block 1, {DEEP} blocks with batch norm, plain vs residual",
        digits=2,
    )
    worst = max(float(np.max(np.abs(g["residual-zero", b]))) for b in GRAD_DEPTHS)
    gaps = [zero_init_gap(sd) for sd in seeds(N_SEEDS, seed_set)]
    out["zero_init_is_identity"] = (
        worst < 1e-12 and max(gaps) < 1e-12,
        f"largest |log10 ratio| over every block, depth ({', '.join(map(str, GRAD_DEPTHS))} "
        f"blocks) and {GRAD_SEEDS} seeds: {worst:.1e}; largest output difference from the "
        f"network without its blocks over {N_SEEDS} seeds: {max(gaps):.1e}",
    )
    return out


# %%
for name, (holds, _evidence) in claims(0).items():
    print(f"{'holds' if holds else 'FAILS'}  {name}")

# %% [markdown]
# ## Figures
# The gradient at initialization block by block and against depth, and the training curves of
# the degradation experiment.

# %%
STYLE = {"plain": (0, "-"), "residual-he": (1, "--"), "residual-zero": (2, "-"),
         "plain-bn": (3, ":"), "residual-bn": (4, "-.")}  # fmt: skip
LABEL = {"plain": "plain", "residual-he": "residual (He)",
         "residual-zero": "residual (last layer 0)", "plain-bn": "plain + BN",
         "residual-bn": "residual + BN"}  # fmt: skip


def _draw_gradients(theme: Theme):
    g = gradient_at_init(0)
    fig, axes = new_figure(theme, ncols=2, width=9.6, height=3.9)
    floor = -12.0  # an exactly vanished gradient (log10 = -inf) is drawn at the floor
    for kind in INITS:
        colour, ls = theme.palette[STYLE[kind][0]], STYLE[kind][1]
        r = np.maximum(g[kind, DEEP], floor)
        x = np.arange(1, DEEP + 2)
        axes[0].fill_between(x, r.min(axis=0), r.max(axis=0), color=colour, alpha=0.18, lw=0)
        axes[0].plot(x, np.median(r, axis=0), ls, color=colour, label=LABEL[kind])
        bottom = np.array([np.maximum(g[kind, b][:, 0], floor) for b in GRAD_DEPTHS])
        axes[1].fill_between(GRAD_DEPTHS, bottom.min(axis=1), bottom.max(axis=1), color=colour,
                             alpha=0.18, lw=0)  # fmt: skip
        axes[1].plot(GRAD_DEPTHS, np.median(bottom, axis=1), ls, marker="o", color=colour)
    axes[0].set_title(f"{DEEP} blocks ({_layers(DEEP)} dense layers)")
    axes[0].set_xlabel("block input (1 = first block, right = top)")
    axes[0].set_ylabel("log₁₀ ‖∂L/∂h‖ / ‖∂L/∂h_top‖")
    axes[1].set_title("at the first block, by depth")
    axes[1].set_xlabel("residual blocks")
    axes[1].set_xticks(GRAD_DEPTHS)
    for ax in axes:
        ax.set_ylim(floor - 0.5, 9.5)
    fig.legend(loc="outside lower center", ncols=3, fontsize=10)
    return fig


def _draw_training(theme: Theme):
    d = degradation(0)
    fig, ax = new_figure(theme, width=7.2, height=5.0)
    steps = np.arange(0, STEPS + 1, 5)  # every 5th step: a small SVG
    for kind, blocks in (k for k in d if isinstance(k, tuple)):
        r = d[kind, blocks]
        h = r["hist"][:, LRS.index(r["lr"]), steps]
        colour = theme.palette[0 if kind == "plain" else 2]
        ls = "-" if blocks == DEEP else "--"
        ax.fill_between(steps, h.min(axis=0), h.max(axis=0), color=colour, alpha=0.12, lw=0)
        ax.plot(steps, np.median(h, axis=0), ls, color=colour,
                label=f"{kind}, {_layers(blocks)} layers (rate {r['lr']:g})")  # fmt: skip
    log_scale(ax, "y")
    ax.set_xlabel("gradient-descent step (full batch)")
    for key, ls in (("constant", ":"), ("linear", "-.")):
        ax.axhline(np.mean(d[key]), ls=ls, color=theme.palette[3 if key == "constant" else 4],
                   lw=1.2, label=f"{key} predictor (mean)" if key == "constant" else
                   "linear least squares (mean)")  # fmt: skip
    ax.set_ylabel("training loss (half MSE)")
    fig.legend(loc="outside lower center", ncols=2, fontsize=9)
    return fig


# %%
show(_draw_gradients)

# %%
show(_draw_training)

# %% [markdown]
# ## What the build reads


# %%
def figures():
    """Figure name → function drawing it for a theme."""
    return {"gradient-at-init": _draw_gradients, "degradation": _draw_training}


def values() -> dict[str, object]:
    """Every number the page quotes, formatted as the page shows it."""
    v: dict[str, object] = {}
    e = worked_example()
    for key in ("x", "W1", "b1", "W2", "b2", "g_y", "Fx", "y", "z", "J", "I_plus_J", "g_x",
                "g_plain"):  # fmt: skip
        v[f"ex_{key}"] = tex_matrix(e[key], digits=3 if key in ("W2", "Fx", "y") else 2)
    v.update(width=WIDTH, shallow_layers=_layers(SHALLOW), deep_layers=_layers(DEEP),
             shallow_blocks=SHALLOW, deep_blocks=DEEP, steps=STEPS, n_train=N_TRAIN,
             n_val=N_VAL, n_seeds=N_SEEDS, grad_seeds=GRAD_SEEDS,
             lrs=", ".join(f"{lr:g}" for lr in LRS),
             grad_depths=", ".join(map(str, GRAD_DEPTHS)))  # fmt: skip
    d = degradation(0)
    for kind, blocks in (k for k in d if isinstance(k, tuple)):
        r = d[kind, blocks]
        key = f"{kind}_{'deep' if blocks == DEEP else 'shallow'}"
        v[f"{key}_loss"] = evidence.spread(r["train"], digits=4)
        v[f"{key}_lr"] = f"{r['lr']:g}"
        v[f"{key}_val"] = evidence.spread(r["val_best"], digits=4)
    v["constant_loss"] = evidence.spread(d["constant"], digits=4)
    v["linear_loss"] = evidence.spread(d["linear"], digits=4)
    per_rate = d["plain", DEEP]["hist"][:, :, -1].mean(axis=0)
    kept = per_rate[np.isfinite(per_rate)]  # the rates at which no seed diverged
    v["plain_deep_rate_min"], v["plain_deep_rate_max"] = fmt(kept.min(), 3), fmt(kept.max(), 3)
    every = np.all([np.any(~np.isfinite(d[k]["hist"][:, :, -1]), axis=0) for k in d
                    if isinstance(k, tuple)], axis=0)  # fmt: skip
    v["lrs_diverged"] = ", ".join(f"{lr:g}" for lr, e in zip(LRS, every) if e)  # all four
    v["lrs_kept"] = ", ".join(f"{lr:g}" for lr, m in zip(LRS, per_rate) if np.isfinite(m))
    ratio = d["plain", DEEP]["train"] / d["constant"]
    v["plain_deep_const_min"], v["plain_deep_const_max"] = fmt(ratio.min(), 2), fmt(ratio.max(), 2)
    ps, pd = d["plain", SHALLOW]["train"], d["plain", DEEP]["train"]
    rs, rd = d["residual", SHALLOW]["train"], d["residual", DEEP]["train"]
    v["plain_penalty"] = evidence.spread(pd - ps, digits=4)
    v["residual_penalty"] = evidence.spread(rd - rs, digits=4)
    v["residual_vs_plain_shallow"] = evidence.spread(rs - ps, digits=4)
    v["residual_deep_vs_plain_shallow"] = evidence.spread(rd - ps, digits=4)
    v["residual_depth_neg"] = int(np.sum(rd - rs < 0))
    for kind in KINDS:
        for blocks, name in ((SHALLOW, "shallow"), (DEEP, "deep")):
            v[f"{kind}_{name}_init"] = fmt(np.median(d[kind, blocks]["hist"][:, 0, 0]), 2)
    g = gradient_at_init(0)
    for kind in INITS:
        for b, name in ((DEEP, "deep"), (GRAD_DEPTHS[-1], "max")):
            v[f"grad_{kind.replace('-', '_')}_{name}"] = fmt(np.median(g[kind, b][:, 0]), 1)
    v["grad_deepest"] = GRAD_DEPTHS[-1]
    v["he_loss0"] = fmt(np.median(g["loss0", "residual-he", DEEP]), 0)
    v["const_loss0"] = fmt(np.median(g["constant"]), 2)
    v["grad_plain_zero"] = int(sum(np.sum(np.isneginf(g["plain", b][:, 0])) for b in GRAD_DEPTHS))
    v["grad_total"] = GRAD_SEEDS * len(GRAD_DEPTHS)
    c = shortcut_params()
    for key in ("B", "C", "blocks", "n_blocks", "n_changes"):
        v[f"r34_{key}"] = f"{c[key]:,}".replace(",", r"\,") if c[key] > 9999 else c[key]
    v["r34_B_pct"] = fmt(100 * c["B"] / c["blocks"], 1)
    v["r34_C_pct"] = fmt(100 * c["C"] / c["blocks"], 1)
    v["proj_example"] = WIDTH * 2 * WIDTH  # a projection from WIDTH to 2·WIDTH features
    return v
