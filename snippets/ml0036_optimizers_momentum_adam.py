"""ML0036 · Optimizers: the page module of docs/training/ml0036-optimizers-momentum-adam.md.

This notebook works the page's example (three steps of SGD, momentum, Nesterov and Adam on
f(p) = p², by hand), checks that PyTorch's momentum and Nesterov buffers are Sutskever's
velocity in other units, measures how fast momentum beats plain gradient descent on
ill-conditioned quadratics against the theory, computes Adam's step sizes with and without bias
correction, shows that Adam ignores the scale of a gradient, isolates why L2 inside Adam is not
AdamW's weight decay, and finally tunes five optimizers on a noisy logistic regression over
several seeds. Change a constant in a cell (a condition number, the betas, the weight decay, the
grid of learning rates) and re-run the cells below it. The optimizers themselves are
`snippets/optimizers.py`, which follows `torch.optim` step for step.
"""

# %%
from __future__ import annotations

import inspect

import numpy as np

from snippets import checks, evidence
from snippets.companion import show
from snippets.formatting import fmt, tex_sci
from snippets.memo import memo
from snippets.optimizers import SGD, Adam, AdamW
from snippets.plotting import Theme, log_scale, new_figure
from snippets.seeds import seeds

# %% [markdown]
# ## Worked example: three steps on f(p) = p²
#
# One parameter, p₀ = 1, gradient 2p, learning rate 0.1, momentum 0.9 and Adam's defaults
# (β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸). Each optimizer is the reference class, fed the gradient at
# its own current p.

# %%
EXAMPLE = {"p0": 1.0, "curvature": 2.0, "lr": 0.1, "momentum": 0.9, "steps": 3}


def worked_example() -> dict[str, object]:
    """Iterates p₀ … p₃ of each optimizer, and Adam's m, v, m̂, v̂ after each step."""
    lr, mu, h = EXAMPLE["lr"], EXAMPLE["momentum"], EXAMPLE["curvature"]
    makers = {
        "sgd": lambda p: SGD([p], lr),
        "momentum": lambda p: SGD([p], lr, momentum=mu),
        "nesterov": lambda p: SGD([p], lr, momentum=mu, nesterov=True),
        "adam": lambda p: Adam([p], lr),
    }
    out: dict[str, object] = {}
    for name, make in makers.items():
        p = np.array([EXAMPLE["p0"]])
        opt = make(p)
        path, adam, grads, buffers = [p[0]], [], [], []
        for _ in range(EXAMPLE["steps"]):
            grads.append(h * p[0])
            opt.step([h * p])  # f(p) = p², so f'(p) = 2p
            path.append(p[0])
            if "buffer" in opt.state[0]:
                buffers.append(opt.state[0]["buffer"][0])
            if name == "adam":
                s = opt.state[0]
                b1, b2 = opt.betas
                m, v = s["m"][0], s["v"][0]
                adam.append((m, v, m / (1 - b1 ** s["t"]), v / (1 - b2 ** s["t"])))
        out[name] = np.array(path)
        out[f"{name}_grads"], out[f"{name}_buffers"] = np.array(grads), np.array(buffers)
        if name == "adam":
            out["adam_moments"] = np.array(adam)  # rows: step; columns m, v, m_hat, v_hat
    return out


# %%
_ex = worked_example()
for _name in ("sgd", "momentum", "nesterov", "adam"):
    print(f"{_name:9}", np.round(_ex[_name], 6))

# %% [markdown]
# ## Two ways to write momentum
#
# PyTorch keeps a buffer b ← μb + g and steps p ← p − lr·b. Sutskever et al. (2013) keep a
# velocity v ← μv − lr·g and step θ ← θ + v; their Nesterov variant takes the gradient at the
# look-ahead point θ + μv. With a constant learning rate v = −lr·b exactly, and PyTorch's
# Nesterov iterate is Sutskever's look-ahead point. When the rate changes they part: PyTorch
# applies the new rate to the whole buffer at once, Sutskever's velocity still carries the old
# rate.


# %%
def sutskever(grad, theta0, lrs, mu: float, nesterov: bool = False) -> np.ndarray:
    """Sutskever et al.'s momentum, v ← μv − lr_t ∇f(θ [+ μv]), θ ← θ + v, from v = 0;
    returns the iterates θ₀ … θ_T (T = len(lrs)) and, for Nesterov, the look-ahead points
    θ_t + μv_t as a second array."""
    theta = np.array(theta0, dtype=float)
    v = np.zeros_like(theta)
    path, ahead = [theta.copy()], [theta.copy()]
    for lr in lrs:
        at = theta + mu * v if nesterov else theta
        v = mu * v - lr * grad(at)
        theta = theta + v
        path.append(theta.copy())
        ahead.append(theta + mu * v)
    return (np.array(path), np.array(ahead)) if nesterov else np.array(path)


def torch_momentum(grad, p0, lrs, mu: float, nesterov: bool = False) -> np.ndarray:
    """The reference `SGD` with momentum `mu`, its rate set to lrs[t] before step t."""
    p = np.array(p0, dtype=float)
    opt = SGD([p], lrs[0], momentum=mu, nesterov=nesterov)
    path = [p.copy()]
    for lr in lrs:
        opt.lr = lr
        opt.step([grad(p)])
        path.append(p.copy())
    return np.array(path)


FORMS = {"h": (1.0, 10.0), "x0": (1.0, 1.0), "mu": 0.9, "lr": 0.05, "steps": 60, "drop_at": 30}


def momentum_forms() -> dict[str, float]:
    """Largest gaps between the two forms on f = ½(x₁² + 10 x₂²): at a constant rate, and when
    the rate drops tenfold at step `drop_at` (and the size of the first step after the drop)."""
    h = np.array(FORMS["h"])

    def grad(x):
        return h * x

    x0, mu, T, k = np.array(FORMS["x0"]), FORMS["mu"], FORMS["steps"], FORMS["drop_at"]
    const = np.full(T, FORMS["lr"])
    drop = const.copy()
    drop[k:] /= 10
    out = {
        "const_gap": np.abs(torch_momentum(grad, x0, const, mu) - sutskever(grad, x0, const, mu)),
        "nesterov_gap": np.abs(
            torch_momentum(grad, x0, const, mu, True) - sutskever(grad, x0, const, mu, True)[1]
        ),
    }
    pt, su = torch_momentum(grad, x0, drop, mu), sutskever(grad, x0, drop, mu)
    out["drop_gap"] = np.abs(pt - su)
    out["step_before"] = float(np.linalg.norm(pt[k] - pt[k - 1]))
    out["step_after_torch"] = float(np.linalg.norm(pt[k + 1] - pt[k]))
    out["step_after_sutskever"] = float(np.linalg.norm(su[k + 1] - su[k]))
    return {key: float(np.max(v)) for key, v in out.items()}


# %%
print({k: f"{v:.3g}" for k, v in momentum_forms().items()})

# %% [markdown]
# ## Ill-conditioned quadratics: the theory
#
# On f(x) = ½ Σ λᵢ xᵢ² with λ in [1, κ], every optimizer here is linear, one 1×1 (gradient
# descent) or 2×2 (momentum: the pair p, b) map per eigenvalue. Its spectral radius, the
# largest over the eigenvalues, is the asymptotic rate per step. Gradient descent at its best
# rate 2/(1 + κ) has (κ − 1)/(κ + 1); heavy-ball momentum (PyTorch's `SGD` with `momentum`) at
# Polyak's best lr = 4/(1 + √κ)², μ = ((√κ − 1)/(√κ + 1))² has (√κ − 1)/(√κ + 1); Nesterov is
# run at its textbook lr = 1/κ, μ = (√κ − 1)/(√κ + 1).


# %%
def tuned(method: str, kappa: float) -> tuple[float, float]:
    """(lr, momentum) for `method` on a quadratic with curvatures in [1, kappa]."""
    checks.choice("method", method, ("gd", "heavy_ball", "nesterov"))
    kappa = checks.number("kappa", kappa, 1.0)
    r = np.sqrt(kappa)
    if method == "gd":
        return 2.0 / (1.0 + kappa), 0.0
    if method == "heavy_ball":
        return 4.0 / (1.0 + r) ** 2, ((r - 1.0) / (r + 1.0)) ** 2
    return 1.0 / kappa, (r - 1.0) / (r + 1.0)


def iteration_matrix(method: str, lam: float, lr: float, mu: float) -> np.ndarray:
    """The linear map one step applies to (p, b) for one eigenvalue `lam` (PyTorch's forms):
    b' = μb + λp and p' = p − lr·b' (heavy ball), or p' = p − lr(λp + μb') (Nesterov)."""
    if method == "gd":
        return np.array([[1.0 - lr * lam]])
    if method == "heavy_ball":
        return np.array([[1.0 - lr * lam, -lr * mu], [lam, mu]])
    return np.array([[1.0 - lr * lam * (1.0 + mu), -lr * mu * mu], [lam, mu]])


def spectral_radius(method: str, lams, lr: float, mu: float) -> float:
    """The largest |eigenvalue| of the iteration over the curvatures `lams`."""
    return max(
        float(np.max(np.abs(np.linalg.eigvals(iteration_matrix(method, lam, lr, mu)))))
        for lam in lams
    )


def example_moduli() -> dict[str, float]:
    """|eigenvalues| of the heavy-ball and Nesterov iteration matrices of the worked example
    (curvature 2, its lr and μ), and the first step at which each path crosses 0."""
    lr, mu, h = EXAMPLE["lr"], EXAMPLE["momentum"], EXAMPLE["curvature"]
    out: dict[str, float] = {}
    for method, nesterov in (("heavy_ball", False), ("nesterov", True)):
        out[f"{method}_modulus"] = float(
            np.max(np.abs(np.linalg.eigvals(iteration_matrix(method, h, lr, mu))))
        )
        p = np.array([EXAMPLE["p0"]])
        opt = SGD([p], lr, momentum=mu, nesterov=nesterov)
        for t in range(1, 100):
            opt.step([h * p])
            if p[0] < 0:
                out[f"{method}_cross"] = t
                break
    return out


def nesterov_quadratic_rate(kappa: float) -> tuple[float, float]:
    """Nesterov's method tuned for quadratics (lr = 4/(3κ + 1), μ = (√(3κ+1) − 2)/(√(3κ+1) + 2)
    on curvatures [1, κ]): its spectral radius over a fine grid of curvatures, and the closed
    form 1 − 2/√(3κ + 1) (Lessard, Recht & Packard, 2016)."""
    q = np.sqrt(3.0 * kappa + 1.0)
    lr, mu = 4.0 / (3.0 * kappa + 1.0), (q - 2.0) / (q + 2.0)
    return spectral_radius("nesterov", np.linspace(1.0, kappa, 2001), lr, mu), 1.0 - 2.0 / q


QUAD = {"dim": 16, "tol": 1e-6, "kappas": (10.0, 30.0, 100.0, 300.0, 1000.0), "max_steps": 50_000}
METHODS = ("gd", "heavy_ball", "nesterov")


def curvatures(kappa: float) -> np.ndarray:
    """`QUAD["dim"]` curvatures spread evenly on a log scale from 1 to kappa."""
    return np.geomspace(1.0, kappa, QUAD["dim"])


def run_quadratic(method: str, lams, x0, steps: int) -> np.ndarray:
    """‖x_t‖ for t = 0 … steps of the reference `SGD` at `tuned(method, max(lams))`."""
    lams = np.asarray(lams, dtype=float)
    lr, mu = tuned(method, float(lams.max() / lams.min()))
    x = np.array(x0, dtype=float)
    opt = SGD([x], lr, momentum=mu, nesterov=method == "nesterov")
    norms = [np.linalg.norm(x)]
    for _ in range(steps):
        opt.step([lams * x])
        norms.append(np.linalg.norm(x))
    return np.array(norms)


def steps_to_tol(norms: np.ndarray, tol: float) -> int:
    """The first t with ‖x_t‖ ≤ tol·‖x₀‖."""
    hit = np.flatnonzero(norms <= tol * norms[0])
    if hit.size == 0:
        raise ValueError(f"norms: never reached {tol:g} of the start in {len(norms) - 1} steps")
    return int(hit[0])


@memo
def kappa_sweep() -> dict[str, dict[str, np.ndarray]]:
    """Per method: steps to `tol`, the measured rate per step (geometric mean over those
    steps) and the spectral radius, for each κ of `QUAD["kappas"]`. Deterministic."""
    out = {m: {"steps": [], "measured": [], "theory": []} for m in METHODS}
    for kappa in QUAD["kappas"]:
        lams = curvatures(kappa)
        for m in METHODS:
            lr, mu = tuned(m, kappa)
            rho = spectral_radius(m, lams, lr, mu)
            n = int(min(QUAD["max_steps"], 4 * np.log(1 / QUAD["tol"]) / -np.log(rho)))
            norms = run_quadratic(m, lams, np.ones(QUAD["dim"]), n)
            t = steps_to_tol(norms, QUAD["tol"])
            out[m]["steps"].append(t)
            out[m]["measured"].append((norms[t] / norms[0]) ** (1 / t))
            out[m]["theory"].append(rho)
    return {m: {k: np.array(v) for k, v in d.items()} for m, d in out.items()}


def loglog_slope(kappas, steps) -> float:
    """Least-squares slope of log(steps) against log(κ)."""
    return float(np.polyfit(np.log(kappas), np.log(steps), 1)[0])


# %%
_sw = kappa_sweep()
for _m in METHODS:
    print(_m, _sw[_m]["steps"], np.round(_sw[_m]["measured"], 4), np.round(_sw[_m]["theory"], 4))

# %% [markdown]
# ## Trajectories on a 2-D quadratic
# f(x) = ½(x₁² + κx₂²) with κ = 25, each method at its tuned (lr, μ) above.

# %%
TRAJ = {"kappa": 25.0, "x0": (-9.0, 1.6), "steps": 40}


def trajectories() -> dict[str, np.ndarray]:
    """The iterates of each method on the 2-D quadratic: arrays of shape (steps + 1, 2)."""
    lams = np.array([1.0, TRAJ["kappa"]])
    out = {}
    for m in METHODS:
        lr, mu = tuned(m, TRAJ["kappa"])
        x = np.array(TRAJ["x0"])
        opt = SGD([x], lr, momentum=mu, nesterov=m == "nesterov")
        path = [x.copy()]
        for _ in range(TRAJ["steps"]):
            opt.step([lams * x])
            path.append(x.copy())
        out[m] = np.array(path)
    return out


# %% [markdown]
# ## Adam's bias correction
#
# m and v start at 0, so after t steps of a constant gradient g they are (1 − β₁ᵗ)g and
# (1 − β₂ᵗ)g². Dividing by those factors gives m̂ = g and v̂ = g²: the step is lr·g/(|g| + ε).
# Without the corrections the step is lr·(1 − β₁ᵗ)/√(1 − β₂ᵗ) (ε aside), which with the
# defaults is *larger* than lr for hundreds of steps; correcting only v makes the first steps
# tiny, correcting only m makes them huge.


# %%
def adam_step_sizes(g: float, steps: int, correct_m: bool, correct_v: bool, lr=1e-3,
                    betas=(0.9, 0.999), eps=1e-8) -> np.ndarray:  # fmt: skip
    """|step| of Adam with a constant gradient `g`, with or without each bias correction."""
    b1, b2 = betas
    m = v = 0.0
    out = []
    for t in range(1, steps + 1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_used = m / (1 - b1**t) if correct_m else m
        v_used = v / (1 - b2**t) if correct_v else v
        out.append(abs(lr * m_used / (np.sqrt(v_used) + eps)))
    return np.array(out)


BIAS = {"steps": 3000, "show_at": (1, 10, 100, 1000)}
VARIANTS = {  # name → (correct m, correct v)
    "both": (True, True),
    "neither": (False, False),
    "only_v": (False, True),
    "only_m": (True, False),
}


def bias_correction() -> dict[str, np.ndarray]:
    """Step / lr for each variant over `BIAS["steps"]` steps of the constant gradient 1."""
    return {k: adam_step_sizes(1.0, BIAS["steps"], *c) / 1e-3 for k, c in VARIANTS.items()}


RMSPROP_ALPHA = 0.99  # PyTorch's RMSprop default; no bias correction, s₀ = 0


def rmsprop_first_step() -> float:
    """RMSprop's first step / lr for any gradient g (ε aside): g / √((1 − α) g²)."""
    g = 1.0
    return g / np.sqrt((1 - RMSPROP_ALPHA) * g * g)


def adam_max_step(betas=(0.9, 0.999)) -> float:
    """The largest |step| / lr of Adam once the bias corrections have died out (ε = 0), by
    Cauchy–Schwarz: |m| ≤ (1 − β₁) √(Σ β₂ᵏ g²) √(Σ (β₁²/β₂)ᵏ), so
    |m̂|/√v̂ ≤ (1 − β₁) / √((1 − β₂)(1 − β₁²/β₂)) (needs β₁² < β₂), with equality for a
    gradient that grows by β₂/β₁ per step."""
    b1, b2 = betas
    return (1 - b1) / np.sqrt((1 - b2) * (1 - b1 * b1 / b2))


ADAM_MAX = {"steps": 10_000, "betas": ((0.9, 0.999), (0.9, 0.99))}


def adam_growing_gradient_step(betas=(0.9, 0.999), steps: int = ADAM_MAX["steps"]) -> float:
    """|last step| / lr of the reference `Adam` (default ε) fed the gradient that attains
    `adam_max_step`: g_t = (β₁/β₂)^(steps − t), growing by β₂/β₁ per step up to 1 (the
    earliest ones underflow to 0)."""
    b1, b2 = betas
    p = np.zeros(1)
    opt = Adam([p], lr=1.0, betas=betas)
    for age in range(steps - 1, -1, -1):
        before = p[0]
        opt.step([np.array([(b1 / b2) ** age])])
    return float(abs(p[0] - before))


SCALES = (1e-6, 1e-3, 1.0, 1e3)  # gradient scales for Adam's first step


def first_steps(lr: float = 1e-3) -> dict[str, np.ndarray]:
    """First step of SGD (at `lr`) and of the reference Adam (defaults) for each gradient scale
    of `SCALES`, all coordinates of one parameter."""
    g = np.array(SCALES)
    p_sgd, p_adam = np.zeros_like(g), np.zeros_like(g)
    SGD([p_sgd], lr).step([g])
    Adam([p_adam], lr).step([g])
    return {"sgd": -p_sgd / lr, "adam": -p_adam / lr}


SCALE = {"factors": (1e-3, 1.0, 1e3), "steps": 200, "lr": 0.05}


def scale_invariance() -> dict[str, float]:
    """Adam on the 2-D quadratic of the trajectories with the loss multiplied per coordinate
    by factors c₁, c₂ (gradients c ⊙ ∇f): the largest distance between its iterates and those
    with c = 1, for Adam (defaults but lr) and for SGD at a rate stable for every scaling."""
    lams = np.array([1.0, TRAJ["kappa"]])
    factors = [np.array([a, b]) for a in SCALE["factors"] for b in SCALE["factors"]]

    def path(kind, c):
        x = np.array(TRAJ["x0"])
        lr = SCALE["lr"] if kind is Adam else 1.0 / (TRAJ["kappa"] * max(SCALE["factors"]))
        opt = kind([x], lr)
        out = [x.copy()]
        for _ in range(SCALE["steps"]):
            opt.step([c * lams * x])
            out.append(x.copy())
        return np.array(out)

    base = {k: path(k, np.ones(2)) for k in (Adam, SGD)}
    gap = {k: max(np.abs(path(k, c) - base[k]).max() for c in factors) for k in (Adam, SGD)}
    return {"adam_gap": float(gap[Adam]), "sgd_gap": float(gap[SGD])}


# %%
_bc = bias_correction()
for _k, _v in _bc.items():
    print(f"{_k:8}", [f"{_v[t - 1]:.3f}" for t in BIAS["show_at"]], f"max {_v.max():.3f}")
print(first_steps(), scale_invariance())

# %% [markdown]
# ## AdamW against L2 inside Adam: the mechanism
#
# Nine weights start at 1. Their loss gradient is pure noise, the same draws ξₜ for every weight
# but scaled by σᵢ from 10⁻³ to 10: nothing pulls them anywhere, so only the decay moves them
# systematically. Adam ignores the scale σᵢ, so without decay all nine follow one path (the
# control). With L2 inside Adam, the decay's gradient λw is divided by √v̂ ≈ σᵢ: weights with
# large gradients hardly decay. AdamW shrinks every weight by (1 − lr·λ) per step.

# %%
DECAY = {"sigmas": tuple(np.geomspace(1e-3, 10.0, 9)), "lr": 0.01, "wd": 0.1, "steps": 500,
         "seeds": 6}  # fmt: skip


@memo
def decay_runs(seed_set: int = 0) -> dict[str, np.ndarray]:
    """Final weights (seeds × weights) for Adam without decay, Adam with L2 and AdamW."""
    sig = np.array(DECAY["sigmas"])
    out = {k: [] for k in ("control", "adam_l2", "adamw")}
    for seed in seeds(DECAY["seeds"], seed_set):
        xi = np.random.default_rng([seed, 36]).standard_normal(DECAY["steps"])
        for key in out:
            w = np.ones_like(sig)
            lr, wd = DECAY["lr"], DECAY["wd"] if key != "control" else 0.0
            opt = (AdamW if key == "adamw" else Adam)([w], lr, weight_decay=wd)
            for x in xi:
                opt.step([sig * x])
            out[key].append(w.copy())
    return {k: np.array(v) for k, v in out.items()}


# %%
_dr = decay_runs(0)
for _k, _v in _dr.items():
    print(f"{_k:8}", np.round(_v.mean(axis=0), 3))

# %% [markdown]
# ## Experiment: five optimizers, tuned, on a noisy logistic regression
#
# Each seed draws its own data: 10 features whose scales run from 0.1 to 10 (so the Hessian is
# badly conditioned), labels from a logistic model, 256 training, 256 validation and 2048 test
# points. Mini-batches of 16, 300 steps from w = 0. Every optimizer tries every rate of `LRS`;
# for each seed the rate with the lowest final validation loss is kept and the test loss is
# read once, at that rate. The seeds share data and batch order across optimizers, so they are
# compared seed by seed.

# %%
# --8<-- [start:experiment]
LOGREG = {"d": 10, "n_train": 256, "n_val": 256, "n_test": 2048, "batch": 16, "steps": 300,
          "seeds": 8, "scales": (0.1, 10.0)}  # fmt: skip
LRS = tuple(float(x) for x in np.geomspace(1e-4, 10.0, 11))  # half-decade grid
MOMENTUM = 0.9  # for momentum and Nesterov
OPTIMIZERS = {  # name → how the reference classes are built for one rate
    "SGD": lambda p, lr: SGD(p, lr),
    "momentum": lambda p, lr: SGD(p, lr, momentum=MOMENTUM),
    "Nesterov": lambda p, lr: SGD(p, lr, momentum=MOMENTUM, nesterov=True),
    "Adam": lambda p, lr: Adam(p, lr),
    "AdamW": lambda p, lr: AdamW(p, lr),  # weight_decay 1e-2, PyTorch's default
}
# --8<-- [end:experiment]


def logistic_data(seed: int, whiten: bool = False) -> dict[str, np.ndarray]:
    """One seed's data: features of scales 10^-1 … 10^1, true weights scaled so every feature
    moves the logit about equally, labels drawn from the logistic model. With `whiten`, the
    control: the same points, labels and batches with each feature divided by its scale."""
    rng = np.random.default_rng([seed, 36, 1])
    d = LOGREG["d"]
    scale = np.geomspace(*LOGREG["scales"], d)
    w_true = rng.standard_normal(d) / scale
    n = LOGREG["n_train"] + LOGREG["n_val"] + LOGREG["n_test"]
    X = rng.standard_normal((n, d)) * scale
    y = (rng.random(n) < 1 / (1 + np.exp(-X @ w_true))).astype(float)
    if whiten:
        X, w_true = X / scale, w_true * scale  # the same logits, features of scale 1
    a, b = LOGREG["n_train"], LOGREG["n_train"] + LOGREG["n_val"]
    order = rng.integers(0, a, size=(LOGREG["steps"], LOGREG["batch"]))  # batch draws
    return {"Xtr": X[:a], "ytr": y[:a], "Xva": X[a:b], "yva": y[a:b], "Xte": X[b:], "yte": y[b:],
            "order": order, "w_true": w_true}  # fmt: skip


def logistic_loss(w, X, y) -> np.ndarray:
    """Mean cross-entropy of logistic regression, stable for large logits; w (..., d),
    X (..., n, d), y (..., n)."""
    z = np.einsum("...nd,...d->...n", X, w)
    return np.mean(np.logaddexp(0.0, z) - y * z, axis=-1)


def logistic_grad(w, X, y) -> np.ndarray:
    """Gradient of `logistic_loss` with respect to w."""
    z = np.einsum("...nd,...d->...n", X, w)
    p = 0.5 * (1.0 + np.tanh(0.5 * z))  # the sigmoid, without overflow
    return np.einsum("...n,...nd->...d", p - y, X) / X.shape[-2]


def train_logistic(name: str, lr: float, data: list[dict]) -> np.ndarray:
    """Train one optimizer at one rate on every seed's data at once: the weights are one array
    (seeds, d), which the element-wise optimizers update row by row exactly as one run each.
    Returns the final weights."""
    W = np.zeros((len(data), LOGREG["d"]))
    opt = OPTIMIZERS[name]([W], lr)
    rows = np.arange(len(data))[:, None]
    Xtr = np.stack([s["Xtr"] for s in data])
    ytr = np.stack([s["ytr"] for s in data])
    order = np.stack([s["order"] for s in data])
    for t in range(LOGREG["steps"]):
        idx = order[:, t]
        opt.step([logistic_grad(W, Xtr[rows, idx], ytr[rows, idx])])
    return W


def hessian_condition(seed: int, whiten: bool = False) -> float:
    """Condition number of the training loss's Hessian at the start w = 0, Xᵀ X / (4n)
    (every sigmoid is ½ there)."""
    X = logistic_data(seed, whiten)["Xtr"]
    return float(np.linalg.cond(X.T @ X / (4 * len(X))))


@memo
def logistic_runs(seed_set: int = 0, whiten: bool = False) -> dict[str, dict[str, np.ndarray]]:
    """Per optimizer: validation loss (seeds × rates), the rate chosen per seed on it, and the
    test loss at that rate; plus the test loss of the true weights. `whiten`: the control with
    every feature rescaled to scale 1 (same seeds, labels and batches)."""
    data = [logistic_data(s, whiten) for s in seeds(LOGREG["seeds"], seed_set)]
    Xva, yva = np.stack([s["Xva"] for s in data]), np.stack([s["yva"] for s in data])
    Xte, yte = np.stack([s["Xte"] for s in data]), np.stack([s["yte"] for s in data])
    out = {}
    for name in OPTIMIZERS:
        finals = [train_logistic(name, lr, data) for lr in LRS]
        val = np.stack([logistic_loss(W, Xva, yva) for W in finals], axis=1)
        test = np.stack([logistic_loss(W, Xte, yte) for W in finals], axis=1)
        pick = np.argmin(val, axis=1)  # the test split plays no part in the choice
        rows = np.arange(len(data))
        out[name] = {"val": val, "pick": pick, "test": test[rows, pick]}
    W_true = np.stack([s["w_true"] for s in data])
    out["true"] = {"test": logistic_loss(W_true, Xte, yte)}
    return out


# %%
_lr_runs = logistic_runs(0)
for _name in OPTIMIZERS:
    _r = _lr_runs[_name]
    print(
        f"{_name:9} test {evidence.spread(_r['test'], 1, 4)}  rates", [LRS[i] for i in _r["pick"]]
    )


# %% [markdown]
# ## Figures


# %%
NAMES = {"gd": "gradient descent", "heavy_ball": "momentum (heavy ball)", "nesterov": "Nesterov"}


def _draw_trajectories(theme: Theme):
    paths = trajectories()
    fig, (ax, bx) = new_figure(theme, ncols=2, width=9.6, height=4.0)
    u = np.linspace(-10, 10, 41)  # ellipses: a coarse grid draws them smoothly enough
    v = np.linspace(-3.2, 3.2, 33)
    U, V = np.meshgrid(u, v)
    F = 0.5 * (U**2 + TRAJ["kappa"] * V**2)
    ax.contour(U, V, F, levels=np.geomspace(0.05, 60, 9), colors=theme.grid, linewidths=0.9)
    for i, m in enumerate(METHODS):
        p = paths[m]
        ax.plot(p[:, 0], p[:, 1], "o-", color=theme.palette[i], markersize=3, lw=1.3,
                markevery=4, label=NAMES[m])  # fmt: skip
        bx.plot(np.linalg.norm(p, axis=1), color=theme.palette[i], lw=1.8)
        lr, mu = tuned(m, TRAJ["kappa"])
        rho = spectral_radius(m, [1.0, TRAJ["kappa"]], lr, mu)
        t = np.arange(TRAJ["steps"] + 1)
        bx.plot(t, np.linalg.norm(p[0]) * rho**t, ":", color=theme.palette[i], lw=1.3)
    ax.plot(0, 0, "*", color=theme.fg, markersize=11)
    ax.set_xlabel("x₁ (curvature 1)")
    ax.set_ylabel(f"x₂ (curvature {TRAJ['kappa']:g})")
    ax.set_title(f"κ = {TRAJ['kappa']:g}")
    log_scale(bx, "y")
    bx.set_xlabel("step t")
    bx.set_ylabel("error ‖x‖")
    bx.set_title("dotted: ρ to the power t")
    fig.legend(loc="outside lower center", ncols=3)
    return fig


def _draw_kappa(theme: Theme):
    sw = kappa_sweep()
    k = np.array(QUAD["kappas"])
    fig, ax = new_figure(theme, width=6.4, height=4.0)
    for i, m in enumerate(METHODS):
        pred = np.log(1 / QUAD["tol"]) / -np.log(sw[m]["theory"])
        ax.plot(k, pred, "--", color=theme.palette[i], lw=1.4)
        ax.plot(k, sw[m]["steps"], "o", color=theme.palette[i], markersize=7, label=NAMES[m])
    log_scale(ax, "x", "y")
    ax.set_xlabel("condition number κ")
    ax.set_ylabel("steps to ‖x‖ ≤ 10⁻⁶ ‖x₀‖")
    ax.set_title("measured (dots) and ln(10⁶)/(−ln ρ) (dashed)")
    ax.legend(loc="upper left")
    return fig


def _draw_bias(theme: Theme):
    bc = bias_correction()
    t = np.arange(1, BIAS["steps"] + 1)
    fig, ax = new_figure(theme, width=6.4, height=4.0)
    labels = {"both": "m̂ and v̂ (Adam)", "neither": "no correction", "only_v": "only v̂",
              "only_m": "only m̂"}  # fmt: skip
    styles = {"both": "-", "neither": "--", "only_v": "-.", "only_m": ":"}
    for i, k in enumerate(VARIANTS):
        ax.plot(t, bc[k], styles[k], color=theme.palette[i], label=labels[k])
    log_scale(ax, "x", "y")
    ax.set_xlabel("step t (constant gradient)")
    ax.set_ylabel("step size / lr")
    ax.set_title("Adam's step with and without bias correction")
    ax.legend(loc="upper right")
    return fig


def _draw_decay(theme: Theme):
    r = decay_runs(0)
    sig = np.array(DECAY["sigmas"])
    fig, ax = new_figure(theme, width=6.4, height=4.4)
    labels = {"control": "Adam, no decay (control)", "adam_l2": "Adam + L2 (weight_decay)",
              "adamw": "AdamW"}  # fmt: skip
    for i, (k, lab) in enumerate(labels.items()):
        w = r[k]
        ax.fill_between(sig, w.min(axis=0), w.max(axis=0), color=theme.palette[i], alpha=0.2,
                        lw=0)  # fmt: skip
        ax.plot(sig, w.mean(axis=0), "o-", color=theme.palette[i], markersize=4, label=lab)
    log_scale(ax, "x")
    ax.set_xlabel("gradient scale σ of the weight")
    ax.set_ylabel(f"weight after {DECAY['steps']} steps (start 1)")
    ax.set_title(f"lr {DECAY['lr']:g}, weight decay {DECAY['wd']:g}")
    fig.legend(loc="outside lower center", ncols=2)
    return fig


def _draw_tuning(theme: Theme):
    r = logistic_runs(0)
    fig, ax = new_figure(theme, width=6.4, height=4.4)
    styles = ("-", "--", "-.", "-", ":")
    for i, name in enumerate(OPTIMIZERS):
        ax.plot(LRS, np.median(r[name]["val"], axis=0), styles[i], marker="o", markersize=4,
                color=theme.palette[i], label=name)  # fmt: skip
    log_scale(ax, "x")
    ax.set_ylim(0.3, 1.2)
    ax.set_xlabel("learning rate")
    ax.set_ylabel("validation loss (median of seeds)")
    ax.set_title(f"logistic regression, {LOGREG['steps']} steps")
    fig.legend(loc="outside lower center", ncols=3)
    return fig


# %%
show(_draw_trajectories)

# %%
show(_draw_decay)

# %% [markdown]
# ## What the build reads
# `figures()`, `values()` (every number the page quotes, formatted as it shows them) and
# `claims()`.


# %%
def figures():
    """Figure name → function drawing it for a theme."""
    return {
        "trajectories": _draw_trajectories,
        "condition-number": _draw_kappa,
        "bias-correction": _draw_bias,
        "weight-decay": _draw_decay,
        "tuning": _draw_tuning,
    }


def _late_rate(norms: np.ndarray, t: int) -> float:
    """Rate per step over the second half of the first t steps."""
    return float((norms[t] / norms[t // 2]) ** (1 / (t - t // 2)))


def late_rates() -> dict[str, np.ndarray]:
    """Per method and κ: the measured rate over the second half of the run to `tol`."""
    out = {}
    sw = kappa_sweep()
    for m in METHODS:
        rates = []
        for kappa, t in zip(QUAD["kappas"], sw[m]["steps"], strict=True):
            norms = run_quadratic(m, curvatures(kappa), np.ones(QUAD["dim"]), int(t))
            rates.append(_late_rate(norms, int(t)))
        out[m] = np.array(rates)
    return out


def _g(x: float, digits: int = 3) -> str:
    return fmt(x, digits)


def values() -> dict[str, object]:
    """Every number the page quotes, formatted as the page shows it."""
    v: dict[str, object] = {}
    e = worked_example()
    for name in ("sgd", "momentum", "nesterov", "adam"):
        for t, p in enumerate(e[name]):
            v[f"ex_{name}_{t}"] = fmt(p, 4)
    for t, (m, vv, mh, vh) in enumerate(e["adam_moments"], start=1):
        v[f"ex_adam_m{t}"], v[f"ex_adam_v{t}"] = fmt(m, 4), fmt(vv, 6)
        v[f"ex_adam_mhat{t}"], v[f"ex_adam_vhat{t}"] = fmt(mh, 4), fmt(vh, 4)
    for name in ("momentum", "nesterov"):
        for t in (1, 2):
            g, b = e[f"{name}_grads"][t - 1], e[f"{name}_buffers"][t - 1]
            v[f"ex_{name}_g{t}"], v[f"ex_{name}_b{t}"] = fmt(g, 4), fmt(b, 4)
            v[f"ex_{name}_d{t}"] = fmt(g + EXAMPLE["momentum"] * b, 4)  # Nesterov's direction
    v["ex_sgd_g2"] = fmt(e["sgd_grads"][1], 4)
    for key in ("lr", "momentum", "p0", "curvature"):
        v[f"ex_{key}"] = fmt(EXAMPLE[key], 1)
    em = example_moduli()
    for name in ("heavy_ball", "nesterov"):
        v[f"ex_{name}_modulus"] = fmt(em[f"{name}_modulus"], 3)
        v[f"ex_{name}_cross"] = em[f"{name}_cross"]
    v["ex_sqrt_mu"] = fmt(np.sqrt(EXAMPLE["momentum"]), 3)
    mh3, vh3 = e["adam_moments"][2, 2], e["adam_moments"][2, 3]
    v["ex_adam_ratio3"] = fmt(mh3 / np.sqrt(vh3), 3)

    f = momentum_forms()
    v["forms_const_gap"] = tex_sci(max(f["const_gap"], 1e-300))
    v["forms_nesterov_gap"] = tex_sci(max(f["nesterov_gap"], 1e-300))
    v["forms_drop_gap"] = fmt(f["drop_gap"], 3)
    v["forms_step_before"] = fmt(f["step_before"], 4)
    v["forms_step_after_torch"] = fmt(f["step_after_torch"], 4)
    v["forms_step_after_sutskever"] = fmt(f["step_after_sutskever"], 4)
    v["forms_drop_at"] = FORMS["drop_at"]
    v["forms_steps"] = FORMS["steps"]
    v["forms_lr"] = fmt(FORMS["lr"], 2)

    sw, late = kappa_sweep(), late_rates()
    v["quad_dim"] = QUAD["dim"]
    v["quad_kappas"] = ", ".join(f"{k:g}" for k in QUAD["kappas"])
    v["quad_kmax"] = f"{QUAD['kappas'][-1]:g}"
    v["quad_kmin"] = f"{QUAD['kappas'][0]:g}"
    for m in METHODS:
        v[f"quad_{m}_slope"] = fmt(loglog_slope(QUAD["kappas"], sw[m]["steps"]), 2)
        v[f"quad_{m}_steps_first"] = int(sw[m]["steps"][0])
        v[f"quad_{m}_steps_last"] = int(sw[m]["steps"][-1])
        v[f"quad_{m}_rho_last"] = fmt(sw[m]["theory"][-1], 4)
        v[f"quad_{m}_late_last"] = fmt(late[m][-1], 4)
        v[f"quad_{m}_late_gap_first"] = fmt(100 * (late[m][0] / sw[m]["theory"][0] - 1), 1)
        v[f"quad_{m}_late_gap_last"] = fmt(100 * (late[m][-1] / sw[m]["theory"][-1] - 1), 2)
        pred = np.log(1 / QUAD["tol"]) / -np.log(sw[m]["theory"][-1])
        v[f"quad_{m}_pred_last"] = fmt(pred, 0)
        v[f"quad_{m}_over_pred_last"] = fmt(sw[m]["steps"][-1] / pred, 3)
    v["quad_gd_late_maxgap"] = fmt(100 * np.max(np.abs(late["gd"] / sw["gd"]["theory"] - 1)), 2)
    ratio = sw["gd"]["steps"] / sw["heavy_ball"]["steps"]
    v["quad_speedup_first"] = fmt(ratio[0], 1)
    v["quad_speedup_last"] = fmt(ratio[-1], 1)
    v["quad_sqrt_kmax"] = fmt(np.sqrt(QUAD["kappas"][-1]), 1)
    v["quad_theory_speedup_last"] = fmt(
        np.log(sw["heavy_ball"]["theory"][-1]) / np.log(sw["gd"]["theory"][-1]), 1
    )
    v["traj_kappa"] = f"{TRAJ['kappa']:g}"
    v["traj_steps"] = TRAJ["steps"]
    for m in METHODS:
        lr, mu = tuned(m, TRAJ["kappa"])
        v[f"traj_{m}_lr"] = fmt(lr, 4)
        v[f"traj_{m}_mu"] = fmt(mu, 4)
        v[f"traj_{m}_rho"] = fmt(spectral_radius(m, [1.0, TRAJ["kappa"]], lr, mu), 4)
        v[f"traj_{m}_final"] = tex_sci(np.linalg.norm(trajectories()[m][-1]))
    nes = trajectories()["nesterov"]
    v["traj_x2_0"] = fmt(TRAJ["x0"][1], 1)
    v["traj_nesterov_x2_1"] = fmt(nes[1, 1], 3)
    v["traj_nesterov_x2_rest"] = tex_sci(max(np.abs(nes[2:, 1]).max(), 1e-300))
    v["traj_nesterov_quad_rho"] = fmt(nesterov_quadratic_rate(TRAJ["kappa"])[0], 3)
    v["traj_heavy_ball_rho3"] = fmt(
        spectral_radius("heavy_ball", [1.0, TRAJ["kappa"]], *tuned("heavy_ball", TRAJ["kappa"])), 3
    )

    bc = bias_correction()
    for k in VARIANTS:
        for t in BIAS["show_at"]:
            v[f"bias_{k}_{t}"] = fmt(bc[k][t - 1], 3)
    v["bias_neither_max"] = fmt(bc["neither"].max(), 2)
    v["bias_neither_argmax"] = int(np.argmax(bc["neither"]) + 1)
    v["bias_steps"] = BIAS["steps"]
    v["bias_neither_min"] = fmt(bc["neither"].min(), 3)
    b1, b2 = ADAM_MAX["betas"][0]
    v["adam_step_bound"] = fmt((1 - b1) / np.sqrt(1 - b2), 2)  # Kingma & Ba §2.1, defaults
    for i, betas in enumerate(ADAM_MAX["betas"]):
        v[f"adam_max_closed_{i}"] = fmt(adam_max_step(betas), 3)
        v[f"adam_max_measured_{i}"] = fmt(adam_growing_gradient_step(betas), 3)
        v[f"adam_max_b2_{i}"] = f"{betas[1]:g}"
    v["adam_max_steps"] = ADAM_MAX["steps"]
    v["adam_growth"] = fmt(b2 / b1, 3)
    v["bias_ratio_1"] = fmt((1 - b1) / np.sqrt(1 - b2), 3)
    v["rmsprop_alpha"] = fmt(RMSPROP_ALPHA, 2)
    v["rmsprop_first"] = fmt(rmsprop_first_step(), 0)
    fs = first_steps()
    for g, a in zip(SCALES, fs["adam"], strict=True):
        v[f"first_adam_{g:g}".replace("-", "m").replace("+", "").replace(".", "_")] = fmt(a, 5)
    powers = [f"$10^{{{np.log10(g):.0f}}}$" if g != 1 else "$1$" for g in SCALES]
    v["first_scales"] = ", ".join(powers[:-1]) + " and " + powers[-1]
    v["first_smallest_over_eps"] = fmt(SCALES[0] / 1e-8, 0)  # Adam's default eps
    si = scale_invariance()
    v["scale_adam_gap"] = tex_sci(si["adam_gap"])
    v["scale_sgd_gap"] = fmt(si["sgd_gap"], 2)
    v["scale_factors"] = ", ".join(tex_sci(c, 0) if c != 1 else "1" for c in SCALE["factors"])
    v["scale_steps"] = SCALE["steps"]
    v["scale_lr"] = fmt(SCALE["lr"], 2)

    d = decay_runs(0)
    v["decay_n"] = len(DECAY["sigmas"])
    v["decay_lr"] = fmt(DECAY["lr"], 2)
    v["decay_wd"] = fmt(DECAY["wd"], 1)
    v["decay_steps"] = DECAY["steps"]
    v["decay_seeds"] = DECAY["seeds"]
    v["decay_shrink"] = fmt((1 - DECAY["lr"] * DECAY["wd"]) ** DECAY["steps"], 3)
    v["decay_control"] = evidence.spread(d["control"][:, 0], 1, 3)
    v["decay_adamw"] = evidence.spread(d["adamw"][:, 0], 1, 3)
    v["decay_l2_small"] = evidence.spread(d["adam_l2"][:, 0], 1, 3)
    v["decay_l2_large"] = evidence.spread(d["adam_l2"][:, -1], 1, 3)
    v["decay_sigma_lo"] = tex_sci(DECAY["sigmas"][0], 0)
    v["decay_sigma_hi"] = fmt(DECAY["sigmas"][-1], 0)
    v["decay_sigma_lo_plain"] = f"{DECAY['sigmas'][0]:g}"  # for alt text, no LaTeX
    v["decay_control_minus_l2_large"] = evidence.spread(
        evidence.paired(d["control"][:, -1], d["adam_l2"][:, -1]), 1, 3
    )
    v["decay_spread_adamw"] = tex_sci(np.ptp(d["adamw"], axis=1).max())
    v["decay_spread_control"] = tex_sci(np.ptp(d["control"], axis=1).max())

    r = logistic_runs(0)
    for key in ("d", "n_train", "n_val", "n_test", "batch", "steps", "seeds"):
        v[f"lr_{key}"] = LOGREG[key]
    v["lr_scale_lo"] = fmt(LOGREG["scales"][0], 1)
    v["lr_scale_hi"] = fmt(LOGREG["scales"][1], 0)
    w = logistic_runs(0, True)
    for name in ("SGD", "momentum", "Nesterov", "Adam"):
        v[f"lr_white_{name}_test"] = evidence.spread(w[name]["test"], 1, 3)
        v[f"lr_raw_minus_white_{name}"] = evidence.spread(
            evidence.paired(r[name]["test"], w[name]["test"]), 1, 3
        )
        v[f"lr_white_{name}_minus_adam_raw"] = evidence.spread(
            evidence.paired(w[name]["test"], r["Adam"]["test"]), 1, 3
        )
    v["lr_momentum_mu"] = fmt(MOMENTUM, 1)
    v["lr_momentum_factor"] = fmt(1 / (1 - MOMENTUM), 0)
    wd = inspect.signature(AdamW).parameters["weight_decay"].default  # PyTorch's default
    v["lr_adamw_wd"] = f"10^{{{np.log10(wd):.0f}}}"
    conds = {
        wh: np.median([hessian_condition(s, wh) for s in seeds(LOGREG["seeds"], 0)])
        for wh in (False, True)
    }
    v["lr_cond_raw"] = tex_sci(conds[False], 1)
    v["lr_cond_white"] = fmt(conds[True], 2)
    v["lr_grid_lo"] = fmt(np.log10(LRS[0]), 0)
    v["lr_grid_hi"] = f"{np.log10(LRS[-1]):g}"
    v["lr_grid_n"] = len(LRS)
    for name in OPTIMIZERS:
        v[f"lr_{name}_test"] = evidence.spread(r[name]["test"], 1, 3)
        v[f"lr_{name}_rates"] = ", ".join(f"{LRS[i]:.2g}" for i in r[name]["pick"])
    for name in OPTIMIZERS:
        v[f"lr_{name}_best_val"] = fmt(np.median(r[name]["val"], axis=0).min(), 3)
    v["lr_adamw_decay_max"] = tex_sci(max(LRS[i] for i in r["AdamW"]["pick"]) * 1e-2, 0)
    v["lr_true_test"] = evidence.spread(r["true"]["test"], 1, 3)
    v["lr_sgd_minus_momentum"] = evidence.spread(
        evidence.paired(r["SGD"]["test"], r["momentum"]["test"]), 1, 3
    )
    v["lr_sgd_minus_nesterov"] = evidence.spread(
        evidence.paired(r["SGD"]["test"], r["Nesterov"]["test"]), 1, 3
    )
    v["lr_sgd_minus_adam"] = evidence.spread(
        evidence.paired(r["SGD"]["test"], r["Adam"]["test"]), 1, 3
    )
    v["lr_adam_minus_adamw"] = evidence.spread(
        evidence.paired(r["Adam"]["test"], r["AdamW"]["test"]), 1, 4
    )
    return v


SGD_FAMILY, ADAM_FAMILY = ("SGD", "momentum", "Nesterov"), ("Adam", "AdamW")


def claims(seed_set: int = 0) -> dict[str, tuple[bool, str]]:
    """Claim name → (holds, evidence), over the seeds of `seed_set` (the quadratic and the bias
    correction are deterministic: the same on every seed set)."""
    out: dict[str, tuple[bool, str]] = {}
    sw, late = kappa_sweep(), late_rates()
    k = QUAD["kappas"]
    s = {m: loglog_slope(k, sw[m]["steps"]) for m in METHODS}
    out["gd_steps_grow_like_kappa"] = (
        bool(0.9 <= s["gd"] <= 1.1),
        f"log-log slope of steps against κ ({', '.join(f'{x:g}' for x in k)}): {s['gd']:.3f}; "
        f"expected 1 ± 0.1",
    )
    out["momentum_steps_grow_like_sqrt_kappa"] = (
        bool(0.4 <= s["heavy_ball"] <= 0.6 and 0.4 <= s["nesterov"] <= 0.6),
        f"slopes: heavy ball {s['heavy_ball']:.3f}, Nesterov {s['nesterov']:.3f}; expected "
        f"0.5 ± 0.1",
    )
    ratio = sw["gd"]["steps"] / sw["heavy_ball"]["steps"]
    out["speedup_grows_with_kappa"] = (
        bool(np.all(np.diff(ratio) > 0) and np.all(ratio > 1)),
        "gradient-descent steps / heavy-ball steps at each κ: "
        + ", ".join(f"{x:.2f}" for x in ratio),
    )
    gap_gd = np.abs(late["gd"] / sw["gd"]["theory"] - 1)
    gap_mom = {m: late[m] / sw[m]["theory"] - 1 for m in ("heavy_ball", "nesterov")}
    out["gd_rate_matches_theory"] = (
        bool(gap_gd.max() <= 1e-3),
        "|measured late rate / spectral radius − 1| for gradient descent: "
        + ", ".join(f"{x:.1e}" for x in gap_gd)
        + " (bound 1e-3)",
    )
    out["momentum_rate_approaches_theory"] = (
        bool(
            all(
                np.all(g > 0) and np.all(np.diff(g) < 0) and g[-1] < 5e-3 for g in gap_mom.values()
            )  # fmt: skip
        ),
        "measured late rate / spectral radius − 1, by κ: "
        + "; ".join(f"{m}: " + ", ".join(f"{x:.4f}" for x in g) for m, g in gap_mom.items())
        + " (positive, falling, below 0.005 at the largest κ)",
    )

    bc = bias_correction()
    out["uncorrected_steps_exceed_lr"] = (
        bool(np.all(bc["neither"] > 1.0)),
        f"uncorrected step / lr over {BIAS['steps']} steps of a constant gradient: min "
        f"{bc['neither'].min():.4f}, max {bc['neither'].max():.4f} (step "
        f"{int(np.argmax(bc['neither'])) + 1})",
    )

    d = decay_runs(seed_set)
    spread_w, spread_c = np.ptp(d["adamw"], axis=1), np.ptp(d["control"], axis=1)
    out["adamw_decays_every_weight_alike"] = (
        bool(spread_w.max() < 1e-4 and spread_c.max() < 1e-4),
        f"largest difference between the {len(DECAY['sigmas'])} weights in a seed: AdamW "
        f"{spread_w.max():.1e}, control {spread_c.max():.1e} (bound 1e-4), over "
        f"{len(spread_w)} seeds",
    )
    out["adamw_shrinks_below_control"] = evidence.beats(
        d["control"][:, 0], d["adamw"][:, 0], "final weight, control vs AdamW", 1, 3
    )
    out["l2_decays_large_gradient_weight_a_little"] = evidence.beats(
        d["control"][:, -1],
        d["adam_l2"][:, -1],
        f"final weight at σ = {DECAY['sigmas'][-1]:g}, control vs Adam + L2",
        1,
        3,
    )
    out["l2_in_adam_spares_large_gradients"] = evidence.beats(
        d["adam_l2"][:, -1],
        d["adam_l2"][:, 0],
        f"Adam + L2, final weight at σ = {DECAY['sigmas'][-1]:g} vs σ = {DECAY['sigmas'][0]:g}",
        1,
        3,
    )

    r = logistic_runs(seed_set)
    wins = [
        evidence.beats(r[a]["test"], r[b]["test"], f"test loss, {a} vs {b}", 1, 3)
        for a in SGD_FAMILY
        for b in ADAM_FAMILY
    ]
    out["adam_family_beats_sgd_family"] = evidence.all_of(*wins)
    out["adam_like_adamw"] = evidence.no_difference(
        {"Adam": r["Adam"]["test"], "AdamW": r["AdamW"]["test"]}, "test loss", 1, 4
    )
    w = logistic_runs(seed_set, True)  # the control: every feature rescaled to scale 1
    out["whitening_helps_sgd_family"] = evidence.all_of(
        *(
            evidence.beats(r[a]["test"], w[a]["test"], f"test loss, {a}: raw vs whitened", 1, 3)
            for a in SGD_FAMILY
        )
    )
    out["whitened_sgd_family_not_behind_adam"] = evidence.all_of(
        *(
            evidence.not_ahead(
                w[a]["test"], r["Adam"]["test"], f"test loss, {a} whitened vs Adam raw", 1, 3
            )
            for a in SGD_FAMILY
        )
    )
    return out
