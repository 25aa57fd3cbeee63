"""DL0015: the page module of docs/training/dl0015-batch-layer-group-normalization.md.

DL0015 · Batch, Layer and Group Normalization. This notebook computes what the page shows: a
small (N, C, H·W) batch whose means and variances are taken over the axes of batch, layer,
instance and group norm; the exact identities between them (one group is layer norm, C groups is
instance norm, batch norm of one image is instance norm); how many statistics each computes for
a detection-sized feature map and a transformer's activations; whether a sample's output depends
on its batch-mates; and the batch-size experiment: how noisy batch norm's batch mean is for
batches of 2 to 32 images, against the sampling theory, and how far its training-mode output
then lies from its inference-mode output (population statistics, and real running averages);
Ba et al.'s invariance table for batch and layer norm; and the folding of layer norm's scale and
shift into the next dense layer. Layer and group norm are the reference code in
`snippets/normalization.py`; batch norm is DL0007's `snippets/batchnorm.py`. Change a parameter
(the example's batch, the image-to-image spread, the batch sizes, the number of seeds) and
re-run the cells below it.
"""

# %%
from __future__ import annotations

import inspect

import numpy as np

from snippets import evidence
from snippets.batchnorm import BatchNorm, batchnorm_forward
from snippets.companion import show
from snippets.formatting import fmt, tex_matrix, tex_sci
from snippets.memo import memo
from snippets.normalization import group_norm, layer_norm
from snippets.plotting import Theme, log_scale, new_figure
from snippets.seeds import seeds

# %% [markdown]
# ## The worked example
# Two samples, four channels, three positions each (H = 1, W = 3). Each normalizer takes its mean
# and biased variance over a different set of axes; group norm uses two groups of two channels.

# %%
EXAMPLE_X = [
    [[1, 2, 3], [4, 5, 6], [0, 0, 3], [2, 2, 2]],
    [[3, 4, 5], [8, 9, 10], [6, 6, 9], [-2, -2, -2]],
]
EXAMPLE_GROUPS = 2
EPS = inspect.signature(layer_norm).parameters["eps"].default  # PyTorch's default, 1e-5


def statistics(X: np.ndarray, G: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Mean and biased variance of each normalizer for X of shape (N, C, H, W): name → (mean,
    var), shaped (C,) for batch norm, (N,) for layer norm, (N, C) for instance norm and (N, G)
    for group norm."""
    N, C = X.shape[:2]
    views = {
        "bn": (np.moveaxis(X, 1, 0).reshape(C, -1)),  # one row per channel: N·H·W values
        "ln": X.reshape(N, -1),  # one row per sample: C·H·W values
        "in": X.reshape(N, C, -1),  # one row per sample and channel: H·W values
        "gn": X.reshape(N, G, -1),  # one row per sample and group: (C/G)·H·W values
    }
    return {k: (v.mean(axis=-1), v.var(axis=-1)) for k, v in views.items()}


@memo
def worked_example() -> dict[str, object]:
    """The example's statistics, the law of total variance that links them, and the identities
    between the normalizers on it."""
    X = np.array(EXAMPLE_X, dtype=float)[:, :, None, :]  # (2, 4, 1, 3)
    N, C = X.shape[:2]
    st = statistics(X, EXAMPLE_GROUPS)
    in_mean, in_var = st["in"]
    ones, zeros = np.ones(C), np.zeros(C)
    return {
        "X": X,
        "stats": st,
        "counts": {k: X.size // v[0].size for k, v in st.items()},
        # layer norm's variance of a sample = mean of its channels' variances + variance of
        # their means (the law of total variance)
        "ln_var_parts": (in_var.mean(axis=1), in_mean.var(axis=1)),
        "gn1_vs_ln": float(np.abs(group_norm(X, 1) - layer_norm(X, X.shape[1:])).max()),
        "gnC_vs_in": float(np.abs(group_norm(X, C) - instance_norm(X)).max()),
        "bn1_vs_in": float(
            np.abs(batchnorm_forward(X[:1], ones, zeros)[0] - instance_norm(X[:1])).max()
        ),
        "in_constant_channel": instance_norm(X)[:, 3],  # channel 3 is constant in each sample
    }


def instance_norm(X: np.ndarray, eps: float = EPS) -> np.ndarray:
    """Instance norm without affine (PyTorch's `InstanceNorm2d` default), written from its
    definition: each (sample, channel) over its own positions."""
    mean = X.mean(axis=tuple(range(2, X.ndim)), keepdims=True)
    var = X.var(axis=tuple(range(2, X.ndim)), keepdims=True)
    return (X - mean) / np.sqrt(var + eps)


# %%
example = worked_example()
for name, (mean, var) in example["stats"].items():
    print(f"{name}: {example['counts'][name]} values per statistic")
    print("  mean", mean.tolist(), "\n  var ", np.round(var, 4).tolist())
print("GN(G=1) − LN:", example["gn1_vs_ln"], "  GN(G=C) − IN:", example["gnC_vs_in"])
print("BN of one image − IN:", example["bn1_vs_in"])

# %% [markdown]
# ## How many statistics, over how many values
# For a detection-sized feature map (2 images per device) and a transformer's activations
# (batch, tokens, features): the number of mean/variance pairs each normalizer computes, the
# values behind each, and the shape of its learned scale (bias has the same shape).

# %%
MAP_SHAPE = (2, 256, 64, 64)  # (N, C, H, W): an FPN level at 2 images per GPU
MAP_GROUPS = 32  # Wu and He's default
TOKENS_SHAPE = (8, 512, 768)  # (batch, tokens, d_model), BERT-base's width


def layout(shape: tuple[int, int, int, int], G: int) -> dict[str, dict[str, object]]:
    """For an (N, C, H, W) input: per normalizer, the number of statistics, the number of values
    each is computed from, and the shape of the learned weight in PyTorch's modules
    (`BatchNorm2d(C)`, `LayerNorm((C, H, W))`, `InstanceNorm2d(C, affine=True)`,
    `GroupNorm(G, C)`)."""
    N, C, H, W = shape
    return {
        "bn": {"stats": C, "per_stat": N * H * W, "weight": (C,)},
        "ln": {"stats": N, "per_stat": C * H * W, "weight": (C, H, W)},
        "in": {"stats": N * C, "per_stat": H * W, "weight": (C,)},
        "gn": {"stats": N * G, "per_stat": C // G * H * W, "weight": (C,)},
    }


# %%
for name, row in layout(MAP_SHAPE, MAP_GROUPS).items():
    print(name, row)

# %% [markdown]
# ## Does a sample's output depend on its batch-mates?
# Normalize a batch, then the same first sample with different batch-mates, and compare the
# first sample's outputs. Batch norm (training mode) changes; layer, group and instance norm
# cannot, since they read nothing but the sample.

# %%
INDEP_SEEDS = 5
INDEP_SHAPE = (8, 8, 4, 4)
INDEP_GROUPS = 4


def _first_sample_change(seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=INDEP_SHAPE)
    X2 = X.copy()
    X2[1:] = rng.normal(size=X[1:].shape)  # same first sample, new batch-mates
    C = X.shape[1]
    norms = {
        "bn": lambda A: batchnorm_forward(A, np.ones(C), np.zeros(C))[0],
        "ln": lambda A: layer_norm(A, A.shape[1:]),
        "gn": lambda A: group_norm(A, INDEP_GROUPS),
        "in": lambda A: group_norm(A, C),
    }
    return {k: float(np.abs(f(X)[0] - f(X2)[0]).max()) for k, f in norms.items()}


@memo
def independence(seed_set: int = 0) -> dict[str, np.ndarray]:
    """Largest change of the first sample's output when its batch-mates are redrawn, per
    normalizer, one entry per seed."""
    runs = [_first_sample_change(s) for s in seeds(INDEP_SEEDS, seed_set)]
    return {k: np.array([r[k] for r in runs]) for k in runs[0]}


# %%
for name, d in independence().items():
    print(f"{name}: largest change of sample 0's output {d.max():.3g}")

# %% [markdown]
# ## Experiment: how noisy is batch norm's batch mean?
# One channel of a feature map, modelled as image-level variation plus pixel noise:
# x[n, p] = MU + IMAGE_SD·a[n] + PIXEL_SD·z[n, p] with a, z standard normal, P = H·W positions.
# For each batch size N, many random batches: the spread of the batch mean against the theory
# for independent images, sqrt(Var(image mean) / N), and against the "pixel count" formula
# sqrt(Var(x) / (N·P)) that treats every pixel as independent; the control has IMAGE_SD = 0,
# where the two formulas agree. Then one image's training-mode output (batch statistics) against
# its inference-mode output: the train/eval gap, with the population's mean and variance, and
# with the running averages a batch-norm layer holds when the batch arrives (PyTorch's momentum,
# updated batch after batch, read before the batch's own update, after a burn-in).

# %%
# --8<-- [start:experiment]
BATCH_SIZES = (2, 4, 8, 16, 32)
BATCHES = 2000  # random batches per batch size and seed
NOISE_SEEDS = 5
POSITIONS = 64  # H·W = 8 × 8
MU, IMAGE_SD, PIXEL_SD = 1.0, 0.5, 1.0
MOMENTUM = inspect.signature(BatchNorm).parameters["momentum"].default  # PyTorch's 0.1
BURN_IN = 200  # batches before the running gap is read: the start values weigh 0.9^200 by then


def running_before_each_batch(mean: np.ndarray, unbiased: np.ndarray) -> np.ndarray:
    """The running mean and variance (rows) a batch-norm layer holds when each batch arrives,
    before that batch's update: they start at 0 and 1 and follow running ← (1 − MOMENTUM)·running
    + MOMENTUM·batch statistic, with the unbiased batch variance, as in PyTorch."""
    out = np.empty((2, len(mean)))
    run = np.array([0.0, 1.0])
    for b, stat in enumerate(zip(mean, unbiased)):
        out[:, b] = run
        run = (1 - MOMENTUM) * run + MOMENTUM * np.array(stat)
    return out


def expected_running_var(N: int, image_sd: float = IMAGE_SD) -> float:
    """The value PyTorch's running variance fluctuates around for batches of N images: the expected
    biased batch variance, E = Var(x) − Var(batch mean), times its Bessel factor m / (m − 1) for
    m = N·P values. It equals Var(x) only when the m values are independent."""
    m = N * POSITIONS
    var_mean = (image_sd**2 + PIXEL_SD**2 / POSITIONS) / N
    return (image_sd**2 + PIXEL_SD**2 - var_mean) * m / (m - 1)


def batch_noise(seed: int, image_sd: float = IMAGE_SD) -> dict[str, np.ndarray]:
    """For each batch size: the standard deviation of the batch mean over BATCHES batches; the
    RMS difference between the first image's training-mode output and its inference-mode output,
    with the population's mean and variance ("gap", every batch) and with the running averages
    the layer holds when the batch arrives ("gap_run", the batches after BURN_IN); and the mean
    and standard deviation of that running variance over the same batches."""
    rng = np.random.default_rng(seed)
    pop_var = image_sd**2 + PIXEL_SD**2  # the population's variance of one value
    sd_mean, gap, gap_run, run_var = [], [], [], []
    for N in BATCH_SIZES:
        a = rng.standard_normal((BATCHES, N, 1))
        x = MU + image_sd * a + PIXEL_SD * rng.standard_normal((BATCHES, N, POSITIONS))
        mean = x.mean(axis=(1, 2))  # one batch mean per batch: N·P values
        var = x.var(axis=(1, 2))  # biased, as in training
        m = N * POSITIONS
        run_mean, run_v = running_before_each_batch(mean, var * m / (m - 1))[:, BURN_IN:]
        first = x[BURN_IN:, 0]
        train = (x[:, 0] - mean[:, None]) / np.sqrt(var[:, None] + EPS)
        infer = (x[:, 0] - MU) / np.sqrt(pop_var + EPS)
        infer_run = (first - run_mean[:, None]) / np.sqrt(run_v[:, None] + EPS)
        sd_mean.append(mean.std(ddof=1))
        gap.append(np.sqrt(np.mean((train - infer) ** 2)))
        gap_run.append(np.sqrt(np.mean((train[BURN_IN:] - infer_run) ** 2)))
        run_var.append((run_v.mean(), run_v.std()))
    return {
        "sd_mean": np.array(sd_mean),
        "gap": np.array(gap),
        "gap_run": np.array(gap_run),
        "run_var_mean": np.array(run_var)[:, 0],
        "run_var_sd": np.array(run_var)[:, 1],
    }


def theory_sd(image_sd: float = IMAGE_SD) -> np.ndarray:
    """sqrt(Var(one image's mean) / N): the images are independent, their pixels are not."""
    return np.sqrt((image_sd**2 + PIXEL_SD**2 / POSITIONS) / np.array(BATCH_SIZES))


def pixel_count_sd(image_sd: float = IMAGE_SD) -> np.ndarray:
    """sqrt(Var(x) / (N·P)): right only if every pixel were independent."""
    return np.sqrt((image_sd**2 + PIXEL_SD**2) / (np.array(BATCH_SIZES) * POSITIONS))
    # --8<-- [end:experiment]


@memo
def noise_runs(seed_set: int = 0) -> dict[str, np.ndarray]:
    """`batch_noise` for every seed (rows) and batch size (columns), and the control without
    image-level variation."""
    ss = seeds(NOISE_SEEDS, seed_set)
    runs = [batch_noise(s) for s in ss]
    control = [batch_noise(s, image_sd=0.0) for s in ss]
    return {
        "sd_mean": np.array([r["sd_mean"] for r in runs]),
        "gap": np.array([r["gap"] for r in runs]),
        "gap_run": np.array([r["gap_run"] for r in runs]),
        "run_var_mean": np.array([r["run_var_mean"] for r in runs]),
        "run_var_sd": np.array([r["run_var_sd"] for r in runs]),
        "control_sd_mean": np.array([r["sd_mean"] for r in control]),
    }


# %%
noise = noise_runs()
print("batch sizes           ", BATCH_SIZES)
print("sd of batch mean      ", np.round(noise["sd_mean"].mean(axis=0), 4).tolist())
print("theory (images)       ", np.round(theory_sd(), 4).tolist())
print("pixel-count formula   ", np.round(pixel_count_sd(), 4).tolist())
print("train/eval gap (RMS)  ", np.round(noise["gap"].mean(axis=0), 4).tolist())
print("  vs running averages ", np.round(noise["gap_run"].mean(axis=0), 4).tolist())
print("running variance      ", np.round(noise["run_var_mean"].mean(axis=0), 4).tolist())
print("  its expected value  ", [round(expected_running_var(n), 4) for n in BATCH_SIZES])

# %% [markdown]
# ## Invariances (Ba, Kiros and Hinton 2016, Table 1)
# A dense layer's pre-activations A = X Wᵀ (one row per sample, one column per unit), normalized
# by batch norm (each unit over the batch) or layer norm (each sample over its units), with a
# negligible eps. Each transformation of the weights or the data either leaves the normalized
# output unchanged (to round-off) or not. Then: layer norm's scale and shift fold into the next
# dense layer, W₂(γ ⊙ x̂ + β) + b₂ = (W₂ diag γ) x̂ + (W₂ β + b₂).

# %%
INV_SHAPE = (16, 10, 12)  # samples, inputs, units
INV_EPS = 1e-12
TRANSFORMS = (
    "weight matrix re-scaling",
    "weight matrix re-centring",
    "weight vector re-scaling",
    "dataset re-scaling",
    "dataset re-centring",
    "single case re-scaling",
)
# Ba et al.'s Table 1: which transformations each normalizer is invariant to
INVARIANT = {
    "bn": {TRANSFORMS[i] for i in (0, 2, 3, 4)},
    "ln": {TRANSFORMS[i] for i in (0, 1, 3, 5)},
}


def _invariance_changes(seed: int) -> dict[str, dict[str, float]]:
    rng = np.random.default_rng(seed)
    N, D, H = INV_SHAPE
    X, W = rng.normal(size=(N, D)), rng.normal(size=(H, D))
    per_unit = rng.uniform(0.5, 2.0, size=(H, 1))  # a positive factor per unit (row of W)
    per_case = rng.uniform(0.5, 2.0, size=(N, 1))  # a positive factor per sample
    changed = {
        TRANSFORMS[0]: (X, 3.0 * W),
        TRANSFORMS[1]: (X, W + rng.normal(size=(1, D))),  # the same vector added to every row
        TRANSFORMS[2]: (X, per_unit * W),
        TRANSFORMS[3]: (3.0 * X, W),
        TRANSFORMS[4]: (X + rng.normal(size=(1, D)), W),  # the same vector added to every case
        TRANSFORMS[5]: (per_case * X, W),
    }

    def outputs(X, W):
        A = X @ W.T
        bn = batchnorm_forward(A, np.ones(H), np.zeros(H), eps=INV_EPS)[0]
        return {"bn": bn, "ln": layer_norm(A, H, eps=INV_EPS)}

    base = outputs(X, W)
    out: dict[str, dict[str, float]] = {"bn": {}, "ln": {}}
    for t, (X2, W2) in changed.items():
        new = outputs(X2, W2)
        for k in out:
            out[k][t] = float(np.abs(new[k] - base[k]).max())
    # layer norm's affine folded into the next dense layer
    gamma, beta = rng.normal(size=H), rng.normal(size=H)
    W2, b2 = rng.normal(size=(4, H)), rng.normal(size=4)
    A = X @ W.T
    direct = layer_norm(A, H, gamma, beta) @ W2.T + b2
    folded = layer_norm(A, H) @ (W2 * gamma).T + (W2 @ beta + b2)
    out["fold"] = {"ln": float(np.abs(direct - folded).max())}
    # group and instance norm: a positive scale and a shift per (sample, group), resp. per
    # (sample, channel), is removed; the control, a per-channel change inside a group, is not
    Xc = rng.normal(size=INDEP_SHAPE)
    n, C = INDEP_SHAPE[:2]
    per_group = np.repeat(rng.uniform(0.5, 2.0, size=(n, INDEP_GROUPS)), C // INDEP_GROUPS, axis=1)
    per_group_shift = np.repeat(rng.normal(size=(n, INDEP_GROUPS)), C // INDEP_GROUPS, axis=1)
    per_chan, per_chan_shift = rng.uniform(0.5, 2.0, size=(n, C)), rng.normal(size=(n, C))

    def moved(G, scale, shift):
        new = group_norm(scale[:, :, None, None] * Xc + shift[:, :, None, None], G, eps=INV_EPS)
        return float(np.abs(new - group_norm(Xc, G, eps=INV_EPS)).max())

    out["groups"] = {
        "gn_per_group": moved(INDEP_GROUPS, per_group, per_group_shift),
        "in_per_channel": moved(C, per_chan, per_chan_shift),
        "gn_per_channel": moved(INDEP_GROUPS, per_chan, per_chan_shift),
    }
    return out


@memo
def invariances(seed_set: int = 0) -> dict[str, dict[str, np.ndarray]]:
    """Largest change of the normalized output under each transformation, per normalizer, one
    entry per seed; and the folding error of layer norm's affine ("fold")."""
    runs = [_invariance_changes(s) for s in seeds(INDEP_SEEDS, seed_set)]
    return {k: {t: np.array([r[k][t] for r in runs]) for t in runs[0][k]} for k in runs[0]}


# %%
for t in TRANSFORMS:
    inv = invariances()
    print(f"{t:26s} BN {inv['bn'][t].max():.2g}   LN {inv['ln'][t].max():.2g}")

# %% [markdown]
# ## Claims
# What the page concludes, name → (holds, evidence), on the seeds of `seed_set`. The bars are
# fixed in advance: 10 % for a measured spread against its formula (the standard error of a
# standard deviation over 2000 batches is about 1.6 %), a factor 2 for "underestimates", 2 % for
# the running variance's average against its expected value (its standard error is about 0.5 %).

# %%
THEORY_TOLERANCE = 0.10
RUN_VAR_TOLERANCE = 0.02
INV_BAR = 1e-9  # "unchanged": round-off and the 1e-12 eps, far below any real change
MOVED_BAR = 0.1  # "changed": a change of the normalized output of order one, not round-off
UNDERESTIMATE_FACTOR = 2.0


def _col(n: int) -> int:
    return BATCH_SIZES.index(n)


def claims(seed_set: int = 0) -> dict[str, tuple[bool, str]]:
    """What the page concludes from its experiments: name → (holds, evidence)."""
    out: dict[str, tuple[bool, str]] = {}
    ind = independence(seed_set)
    own = max(float(ind[k].max()) for k in ("ln", "gn", "in"))
    out["ln_gn_in_ignore_batch_mates"] = (
        own <= 1e-12,
        f"{INDEP_SEEDS} seeds, batch {INDEP_SHAPE}: largest change of the first sample's output "
        f"when the other {INDEP_SHAPE[0] - 1} samples are redrawn: layer norm "
        f"{ind['ln'].max():.3g}, group norm (G = {INDEP_GROUPS}) {ind['gn'].max():.3g}, "
        f"instance norm {ind['in'].max():.3g} (bar: 1e-12)",
    )
    out["bn_depends_on_batch_mates"] = (
        bool(ind["bn"].min() > 0.05),
        "batch norm in training mode: largest change of the first sample's output per seed "
        + ", ".join(f"{d:.3f}" for d in ind["bn"])
        + " (bar: above 0.05 in every seed)",
    )

    r = noise_runs(seed_set)
    ratio = r["sd_mean"] / theory_sd()
    worst = float(np.abs(ratio - 1).max())
    out["batch_mean_noise_follows_image_theory"] = (
        worst < THEORY_TOLERANCE,
        f"measured sd of the batch mean / sqrt(Var(image mean)/N), {NOISE_SEEDS} seeds × "
        f"{len(BATCH_SIZES)} batch sizes: from {ratio.min():.3f} to {ratio.max():.3f}, largest "
        f"deviation {100 * worst:.1f} % (bar {100 * THEORY_TOLERANCE:.0f} %)",
    )
    under = r["sd_mean"] / pixel_count_sd()
    ctrl = r["control_sd_mean"] / pixel_count_sd(0.0)
    ctrl_dev = float(np.abs(ctrl - 1).max())
    out["pixel_count_underestimates_noise"] = (
        bool(under.min() > UNDERESTIMATE_FACTOR and ctrl_dev < THEORY_TOLERANCE),
        f"measured sd / pixel-count formula: {under.min():.2f} to {under.max():.2f} over every "
        f"seed and batch size (bar: above {UNDERESTIMATE_FACTOR:g}); control without image-level "
        f"variation: {ctrl.min():.3f} to {ctrl.max():.3f} (bar: within "
        f"{100 * THEORY_TOLERANCE:.0f} % of 1)",
    )
    steps = [
        evidence.beats(
            r[key][:, _col(a)],
            r[key][:, _col(b)],
            f"RMS train/eval gap ({what}), N = {a} minus N = {b}",
            digits=3,
        )
        for key, what in (("gap", "population statistics"), ("gap_run", "running averages"))
        for a, b in ((2, 8), (8, 32))
    ]
    out["bn_train_eval_gap_shrinks_with_batch"] = evidence.all_of(*steps)
    out["running_averages_widen_the_gap"] = evidence.all_of(
        *(
            evidence.beats(
                r["gap_run"][:, _col(n)],
                r["gap"][:, _col(n)],
                f"N = {n}: RMS train/eval gap with the running averages minus with the "
                "population statistics",
                digits=4,
            )
            for n in (2, 8, 32)
        )
    )
    expected = np.array([expected_running_var(n) for n in BATCH_SIZES])
    rel = r["run_var_mean"] / expected - 1
    out["running_variance_centres_on_its_expected_value"] = (
        bool(np.abs(rel).max() < RUN_VAR_TOLERANCE),
        f"average running variance over the batches after the burn-in / its expected value, "
        f"{NOISE_SEEDS} seeds × {len(BATCH_SIZES)} batch sizes: from {1 + rel.min():.4f} to "
        f"{1 + rel.max():.4f} (bar: within {100 * RUN_VAR_TOLERANCE:.0f} % of 1); population "
        f"variance / expected value at N = 2: {(IMAGE_SD**2 + PIXEL_SD**2) / expected[0]:.3f}",
    )

    inv = invariances(seed_set)
    exact = max(float(inv[k][t].max()) for k in ("bn", "ln") for t in INVARIANT[k])
    moved = min(
        float(inv[k][t].min()) for k in ("bn", "ln") for t in TRANSFORMS if t not in INVARIANT[k]
    )
    grp = inv["groups"]
    out["gn_in_invariant_within_their_sets"] = (
        bool(
            max(grp["gn_per_group"].max(), grp["in_per_channel"].max()) <= INV_BAR
            and grp["gn_per_channel"].min() > MOVED_BAR
        ),
        f"{INDEP_SEEDS} seeds, batch {INDEP_SHAPE}: largest change of group norm (G = "
        f"{INDEP_GROUPS}) under a scale and shift per sample and group "
        f"{grp['gn_per_group'].max():.2g}, of instance norm under one per sample and channel "
        f"{grp['in_per_channel'].max():.2g} (bar {INV_BAR:g}); control, group norm under a "
        f"scale and shift per sample and channel: smallest change {grp['gn_per_channel'].min():.3f}"
        f" (bar: above {MOVED_BAR:g})",
    )
    out["invariances_as_ba_et_al"] = (
        exact <= INV_BAR and moved > MOVED_BAR,
        f"{INDEP_SEEDS} seeds: largest change under the transformations marked invariant "
        f"{exact:.2g} (bar {INV_BAR:g}); smallest change under the others {moved:.3f} "
        f"(bar: above {MOVED_BAR:g})",
    )
    return out


# %%
for name, (holds, _evidence) in claims(0).items():
    print(f"{'holds' if holds else 'FAILS'}  {name}")

# %% [markdown]
# ## Figures
# The cube diagram, after Wu and He (2018): which cells of an (N, C, H·W) tensor share one mean and
# variance under each normalizer; and the batch-size experiment.

# %%
CUBE_C, CUBE_HW, CUBE_N = 6, 4, 4  # cells along C (across), H·W (up), N (into the page)
DEPTH = (0.5, 0.38)  # one step along N, drawn up and to the right
CUBES = (  # title, axes, highlighted box (c0, c1, n0, n1): all of H·W
    ("Batch Norm", "over N, H, W (one channel)", (0, 1, 0, CUBE_N)),
    ("Layer Norm", "over C, H, W (one sample)", (0, CUBE_C, 0, 1)),
    ("Instance Norm", "over H, W (one sample, one channel)", (0, 1, 0, 1)),
    ("Group Norm", "over C/G channels, H, W (one sample)", (0, 2, 0, 1)),
)


def _p(c: float, h: float, n: float) -> tuple[float, float]:
    return c + n * DEPTH[0], h + n * DEPTH[1]


def _face(ax, corners, **style) -> None:
    from matplotlib.patches import Polygon

    ax.add_patch(Polygon([_p(*q) for q in corners], closed=True, **style))


def _draw_cube(ax, theme: Theme, title: str, axes_text: str, box, colour: str) -> None:
    C, H, N = CUBE_C, CUBE_HW, CUBE_N
    faces = (  # front (n = 0), top (h = H), right (c = C)
        [(0, 0, 0), (C, 0, 0), (C, H, 0), (0, H, 0)],
        [(0, H, 0), (C, H, 0), (C, H, N), (0, H, N)],
        [(C, 0, 0), (C, 0, N), (C, H, N), (C, H, 0)],
    )
    for f in faces:
        _face(ax, f, facecolor=theme.grid, alpha=0.35, edgecolor="none")
    c0, c1, n0, n1 = box
    lit = [[(c0, H, n0), (c1, H, n0), (c1, H, n1), (c0, H, n1)]]  # its top is always visible
    if n0 == 0:
        lit.append([(c0, 0, 0), (c1, 0, 0), (c1, H, 0), (c0, H, 0)])
    if c1 == C:
        lit.append([(C, 0, n0), (C, 0, n1), (C, H, n1), (C, H, n0)])
    for f in lit:
        _face(ax, f, facecolor=colour, alpha=0.75, edgecolor="none")
    # cell lines: channels on the front and top, samples on the top and right
    xs, ys = [], []

    def seg(a, b):
        (x0, y0), (x1, y1) = _p(*a), _p(*b)
        xs.extend([x0, x1, np.nan])
        ys.extend([y0, y1, np.nan])

    for c in range(C + 1):
        seg((c, 0, 0), (c, H, 0))
        seg((c, H, 0), (c, H, N))
    for n in range(N + 1):
        seg((0, H, n), (C, H, n))
        seg((C, 0, n), (C, H, n))
    seg((0, 0, 0), (C, 0, 0))
    seg((C, 0, N), (C, H, N))
    ax.plot(xs, ys, color=theme.fg, linewidth=0.8)
    ax.text(C / 2, -0.35, "C", ha="center", va="top", color=theme.fg)
    ax.text(-0.3, H / 2, "H, W", ha="right", va="center", color=theme.fg)
    nx, ny = _p(C, 0, N / 2)
    ax.text(nx + 0.3, ny - 0.2, "N", ha="left", va="center", color=theme.fg)
    ax.set_title(f"{title}\n{axes_text}", fontsize=11)
    ax.set_xlim(-1.9, C + N * DEPTH[0] + 0.9)
    ax.set_ylim(-1.2, H + N * DEPTH[1] + 0.3)
    ax.set_aspect("equal")
    ax.axis("off")


def _draw_cubes(theme: Theme):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.2, 5.8), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    for ax, (title, text, box), colour in zip(axes, CUBES, theme.palette):
        _draw_cube(ax, theme, title, text, box, colour)
    return fig


def _draw_noise(theme: Theme):
    r = noise_runs()
    fig, (left, right) = new_figure(theme, ncols=2, width=9.0, height=3.8)
    ns = np.array(BATCH_SIZES)
    sd = r["sd_mean"]
    left.errorbar(
        ns,
        sd.mean(axis=0),
        yerr=sd.std(axis=0, ddof=1),
        fmt="o",
        markersize=6,
        color=theme.palette[0],
        label="measured",
        zorder=3,
    )
    left.plot(ns, theory_sd(), "-", color=theme.palette[0], label="√(Var(image mean) / N)")
    left.plot(ns, pixel_count_sd(), "--", color=theme.palette[1], label="√(Var(x) / (N·H·W))")
    log_scale(left, "x", "y")
    left.set_xticks(ns, [str(n) for n in ns])
    left.set_yticks([0.03, 0.1, 0.3], ["0.03", "0.1", "0.3"])
    left.minorticks_off()
    left.set_xlabel("batch size N")
    left.set_ylabel("std of the batch mean")
    left.set_title("noise of the batch mean")
    left.legend(loc="lower left", fontsize=9.5)
    for key, label, colour, marker in (
        ("gap", "BN, population stats", theme.palette[0], "o-"),
        ("gap_run", "BN, running averages", theme.palette[1], "^:"),
    ):
        right.errorbar(
            ns,
            r[key].mean(axis=0),
            yerr=r[key].std(axis=0, ddof=1),
            fmt=marker,
            markersize=6,
            color=colour,
            label=label,
        )
    right.plot(
        ns,
        np.zeros(len(ns)),
        "s--",
        color=theme.palette[2],
        markersize=5,
        label="LN, GN, IN",
    )
    right.set_xscale("log")
    right.set_xticks(ns, [str(n) for n in ns])
    right.minorticks_off()
    right.set_ylim(bottom=-0.03)
    right.set_xlabel("batch size N")
    right.set_ylabel("RMS of train − eval output")
    right.set_title("train/eval gap of one image")
    right.legend(loc="upper right", fontsize=9.5)
    return fig


# %%
show(_draw_cubes)

# %%
show(_draw_noise)


# %% [markdown]
# ## What the build reads
# `figures()`, `values()` (every number the page quotes, formatted as it shows them) and
# `claims()` (above).


# %%
def figures():
    """Figure name → function drawing it for a theme."""
    return {"cube": _draw_cubes, "batch-noise": _draw_noise}


# Wu and He (2018), ResNet-50 on ImageNet, top-1 validation error in percent: their Table 1
# (32 images per GPU) and Table 2 (batch norm and group norm as the images per GPU shrink)
WU_HE_2018 = {
    "bn_32": 23.6,
    "ln_32": 25.3,
    "in_32": 28.4,
    "gn_32": 24.1,
    "bn_2": 34.7,
    "gn_2": 24.1,
}


def _count(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _shape(s: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(v) for v in s) + ("," if len(s) == 1 else "") + ")"


def values() -> dict[str, object]:
    """Every number the page quotes, formatted as the page shows it."""
    v: dict[str, object] = {"eps": tex_sci(EPS, 0).removeprefix("1 \\times ")}  # 10^{-5}
    e = worked_example()
    X = e["X"][:, :, 0, :]
    v["ex_X0"] = tex_matrix(X[0], 0)
    v["ex_X1"] = tex_matrix(X[1], 0)
    v["ex_groups"] = EXAMPLE_GROUPS
    for name, (mean, var) in e["stats"].items():
        v[f"ex_{name}_mean"] = tex_matrix(mean, 2)
        v[f"ex_{name}_var"] = tex_matrix(var, 3)
        v[f"ex_{name}_count"] = e["counts"][name]
    in_var_mean, in_mean_var = e["ln_var_parts"]
    v["ex_ln_var0"] = fmt(e["stats"]["ln"][1][0], 4)
    v["ex_in_var_mean0"] = fmt(in_var_mean[0], 4)
    v["ex_in_mean_var0"] = fmt(in_mean_var[0], 4)
    for key in ("gn1_vs_ln", "gnC_vs_in", "bn1_vs_in"):
        v[f"ex_{key}"] = tex_sci(e[key]) if e[key] > 0 else "0"
    v["ex_in_constant"] = tex_matrix(e["in_constant_channel"][:, 0], 0)

    v["map_shape"] = _shape(MAP_SHAPE)
    v["map_groups"] = MAP_GROUPS
    for name, row in layout(MAP_SHAPE, MAP_GROUPS).items():
        v[f"map_{name}_stats"] = _count(row["stats"])
        v[f"map_{name}_per"] = _count(row["per_stat"])
        v[f"map_{name}_weight"] = _shape(row["weight"])
        v[f"map_{name}_params"] = _count(int(np.prod(row["weight"])))
    B, T, D = TOKENS_SHAPE
    v["tok_shape"] = _shape(TOKENS_SHAPE)
    v["tok_stats"] = _count(B * T)
    v["tok_d"] = D

    ind = independence()
    v["indep_seeds"] = INDEP_SEEDS
    v["indep_shape"] = _shape(INDEP_SHAPE)
    v["indep_groups"] = INDEP_GROUPS
    v["indep_bn_min"] = fmt(ind["bn"].min(), 2)
    v["indep_bn_max"] = fmt(ind["bn"].max(), 2)
    own = max(float(ind[k].max()) for k in ("ln", "gn", "in"))
    v["indep_own"] = tex_sci(own) if own > 0 else "0"

    r = noise_runs()
    v["noise_seeds"] = NOISE_SEEDS
    v["noise_batches"] = _count(BATCHES)
    v["noise_positions"] = POSITIONS
    v["noise_side"] = int(round(np.sqrt(POSITIONS)))
    v["noise_mu"] = fmt(MU, 0)
    v["noise_image_sd"] = fmt(IMAGE_SD, 1)
    v["noise_pixel_sd"] = fmt(PIXEL_SD, 0)
    v["noise_sizes"] = ", ".join(str(n) for n in BATCH_SIZES)
    th, px = theory_sd(), pixel_count_sd()
    v["tol_pct"] = fmt(100 * THEORY_TOLERANCE, 0)
    v["under_factor"] = fmt(UNDERESTIMATE_FACTOR, 0)
    v["se_pct"] = fmt(100 / np.sqrt(2 * (BATCHES - 1)), 1)  # relative s.e. of a normal sd
    for n in (2, 8, 32):
        i = _col(n)
        v[f"noise_sd_{n}"] = evidence.spread(r["sd_mean"][:, i], digits=3)
        v[f"noise_theory_{n}"] = fmt(th[i], 3)
        v[f"noise_pixel_{n}"] = fmt(px[i], 3)
    v["noise_factor"] = fmt(float((r["sd_mean"] / px).mean()), 1)
    v["noise_factor_theory"] = fmt(float(th[0] / px[0]), 2)
    ctrl = r["control_sd_mean"] / pixel_count_sd(0.0)
    v["noise_control_lo"] = fmt(ctrl.min(), 2)
    v["noise_control_hi"] = fmt(ctrl.max(), 2)
    for n in (2, 8, 32):
        v[f"gap_{n}"] = evidence.spread(r["gap"][:, _col(n)], digits=3)
    v["pop_var"] = fmt(IMAGE_SD**2 + PIXEL_SD**2, 2)
    v["runvar_2"] = fmt(expected_running_var(2), 3)
    for n in (2, 8, 32):
        v[f"gap_run_{n}"] = evidence.spread(r["gap_run"][:, _col(n)], digits=3)
    v["momentum"] = fmt(MOMENTUM, 1)
    v["burn_in"] = BURN_IN
    v["runvar_2_mean"] = evidence.spread(r["run_var_mean"][:, _col(2)], digits=3)
    v["runvar_2_sd"] = fmt(float(r["run_var_sd"][:, _col(2)].mean()), 3)
    v["runvar_tol_pct"] = fmt(100 * RUN_VAR_TOLERANCE, 0)
    v["moved_bar"] = fmt(MOVED_BAR, 1)

    inv = invariances()
    for k in ("bn", "ln"):
        for i, t in enumerate(TRANSFORMS):
            d = float(inv[k][t].max())
            moved = fmt(float(inv[k][t].min()), 2)
            v[f"inv_{k}_{i}"] = f"yes (${tex_sci(d)}$)" if d < INV_BAR else f"no ({moved})"
    v["inv_bar"] = tex_sci(INV_BAR, 0).removeprefix("1 \\times ")
    v["inv_eps"] = tex_sci(INV_EPS, 0).removeprefix("1 \\times ")
    v["inv_fold"] = tex_sci(float(inv["fold"]["ln"].max()))
    grp = inv["groups"]
    v["inv_gn_group"] = tex_sci(float(grp["gn_per_group"].max()))
    v["inv_in_chan"] = tex_sci(float(grp["in_per_channel"].max()))
    v["inv_gn_chan"] = fmt(float(grp["gn_per_channel"].min()), 2)
    f16 = np.finfo(np.float16)
    v["fp16_max"] = _count(int(f16.max))
    v["fp16_sqrt"] = fmt(float(np.sqrt(f16.max)), 0)
    v["fp16_tiny"] = tex_sci(float(f16.tiny), 1)

    for key, err in WU_HE_2018.items():
        v[f"paper_{key}"] = fmt(err, 1)
    v["paper_gap_2"] = fmt(WU_HE_2018["bn_2"] - WU_HE_2018["gn_2"], 1)
    v["paper_gap_32"] = fmt(WU_HE_2018["gn_32"] - WU_HE_2018["bn_32"], 1)
    return v
