"""DL0006 · Layer Freeze in TL: the page module of docs/transfer-learning/dl0006-layer-freeze-in-tl.md.

This notebook runs what the page shows: four layer-freezing strategies (train only the head,
freeze the early layer, fine-tune all, gradual unfreezing), each with its learning rates picked
on a validation split per seed, compared with training from scratch for two target-set sizes
and three sources (the target's own domain, a shifted one, an unrelated one); a sweep of the
backbone's learning rate; and what a "frozen" batch-norm layer left in training mode does to
its running statistics. The reference code is `snippets/transfer.py` (stages, the update that
skips frozen layers, per-layer rates) and `snippets/frozen_batchnorm.py`; the experiment both
transfer pages share is `snippets/transfer_experiment.py`. Change a parameter there or here and
re-run the cells below it.
"""  # noqa: E501 (the page path on the first line)

# %%
from __future__ import annotations

import matplotlib
import numpy as np

from snippets import evidence
from snippets import transfer as tf
from snippets import transfer_experiment as te
from snippets.batchnorm import BatchNorm
from snippets.companion import show
from snippets.formatting import fmt
from snippets.memo import memo
from snippets.plotting import Theme, new_figure
from snippets.seeds import seeds

GRID_METHODS = ("scratch", *te.STRATEGIES)
GRID_CELLS = tuple((a, n) for a in te.ANGLES for n in (te.SMALL, te.LARGE))
HEAD_TOLERANCE = 5.0  # points; "head only is close" means the 95 % bound of its gap is below this

# %% [markdown]
# ## The strategies: stages and trainable parameters
# Each strategy is a list of stages, each with its frozen layers (0 and 1 are the pre-trained
# layers, 2 the new head), and the trainable parameters of each stage.

# %%
counts = te.parameter_counts()
for m in te.STRATEGIES:
    stages = tf.strategy_stages(m, len(te.SIZES), te.EPOCHS)
    plan = " → ".join(f"{st.epochs} epochs, frozen {sorted(st.frozen)}" for st in stages)
    print(f"{m:8} {plan}; trainable {' → '.join(str(c) for c in counts[m])}")

# %% [markdown]
# ## Strategies × source angle × target size
# Test accuracy (%), mean ± std over seeds, each strategy at the rates its validation split
# picked. Columns: angle°/examples per class.

# %%
print(f"{'':8}" + "".join(f"{f'{a}°/{n}':>13}" for a, n in GRID_CELLS))
for m in GRID_METHODS:
    print(
        f"{m:8}" + "".join(f"{evidence.spread(te.accuracies(m, a, n)):>13}" for a, n in GRID_CELLS)
    )

# %% [markdown]
# ## The backbone's learning rate
# Fine-tune all at each backbone ÷ head ratio (0: the head only), the head's rate picked on
# validation: validation accuracy (%) and how far the first layer moved (%), mean over seeds.

# %%
print("ratio        " + "".join(f"{r:>8g}" for r in (0, *te.BACKBONE_RATIOS)))
for (a, n), r in te.backbone_rate_sweep().items():
    print(f"{a:2d}°, {n:3d}  acc" + "".join(f"{x:8.1f}" for x in r["val"].mean(1)))
    print(f"{'':9}move" + "".join(f"{x:8.1f}" for x in r["drift"].mean(1)))

# %% [markdown]
# ## Batch norm in a frozen backbone
# A batch norm fitted to the source's first-layer pre-activations, then fed target batches in
# training mode: its running mean moves towards the target's as 1 − 0.9^k.

# %%
BN_MOMENTUM = 0.1
BN_BATCH = 10
BN_STEPS = 40


@memo
def bn_demo(seed_set: int = 0) -> dict:
    """The drift on a pre-trained backbone's first layer (the set's first seed, source at 0°)
    fed that seed's target training set, and what it does to the layer's output on the
    target's validation split."""
    seed = seeds(1, seed_set)[0]
    W, b = (x[0] for x in te.pretrained(0, seed_set)["params"][0])
    X_train, _, X_val, _ = te.target_data(te.SMALL, seed)
    Zs = te.source_data(0)[0] @ W + b
    Zt = X_train @ W + b
    rng = np.random.default_rng([te.WORLD_SEED, 5, seed])
    r = tf.bn_running_mean_drift(Zs, Zt, BN_STEPS, BN_BATCH, BN_MOMENTUM, rng)
    sd = np.sqrt(r["before"].running_var)
    Z_val = X_val @ W + b
    out_before = r["before"](Z_val, training=False)[0]
    out_after = r["after"](Z_val, training=False)[0]
    # training mode: one example normalized with different batchmates
    rng = np.random.default_rng([te.WORLD_SEED, 6, seed])
    probe, outs = Zt[:1], []
    for _ in range(50):
        mates = Zt[1 + rng.permutation(len(Zt) - 1)[: BN_BATCH - 1]]
        outs.append(BatchNorm(len(b))(np.vstack([probe, mates]), training=True)[0][0])
    k = np.arange(BN_STEPS + 1)
    return {
        **r,
        "expected": 1 - (1 - BN_MOMENTUM) ** k,
        "shift_sd": float(np.mean(np.abs(r["target_mean"] - r["source_mean"]) / sd)),
        "output_change": float(np.mean(np.abs(out_after - out_before))),
        "batch_noise": float(np.mean(np.std(np.array(outs), axis=0))),
    }


# %%
bn = bn_demo()
print("batches k:        ", [5, 10, BN_STEPS])
print("moved (%):        ", [round(100 * bn["fraction"][k]) for k in (5, 10, BN_STEPS)])
print("1 - 0.9^k (%):    ", [round(100 * bn["expected"][k]) for k in (5, 10, BN_STEPS)])
print(
    f"output change {bn['output_change']:.2f} sd, batch-to-batch noise {bn['batch_noise']:.2f} sd"
)

# %% [markdown]
# ## Figures

# %%
LABELS = {
    "scratch": "from scratch",
    "head": "head only",
    "early": "freeze early layer",
    "all": "fine-tune all",
    "gradual": "gradual unfreezing",
}
COLOUR = {"scratch": 1, "head": 0, "all": 2, "early": 3, "gradual": 4}  # palette index


def draw_strategy_curves(theme: Theme):
    fig, (ax1, ax2) = new_figure(theme, ncols=2, width=10.0, height=4.0)
    for m in GRID_METHODS:
        curve = 100 * te.tuned(m, 0, te.SMALL, curves=True)["val_curve"].mean(0)
        ax1.plot(
            np.arange(curve.size),
            curve,
            color=theme.palette[COLOUR[m]],
            label=LABELS[m],
            linestyle="--" if m == "scratch" else "-",
        )
    edge = 0
    for s in tf.strategy_stages("gradual", len(te.SIZES), te.EPOCHS)[:-1]:
        edge += s.epochs
        ax1.axvline(edge, color=theme.muted, linestyle=":", linewidth=1.2)
    ax1.set_xlabel("epoch (dotted: unfreezing stages)")
    ax1.set_ylabel("validation accuracy (%)")
    ax1.set_ylim(15, 100)
    ax1.legend(loc="lower right", fontsize=10)

    names, bars, colours = [], [], []
    for m in te.STRATEGIES:
        for i, c in enumerate(te.parameter_counts()[m]):
            names.append(f"gradual, stage {i + 1}" if m == "gradual" else LABELS[m])
            bars.append(c)
            colours.append(theme.palette[COLOUR[m]])
    y = np.arange(len(names))[::-1]
    ax2.barh(y, bars, color=colours, height=0.65)
    for yi, c in zip(y, bars):
        ax2.text(c * 1.08, yi, f"{c:,}", va="center", fontsize=10, color=theme.fg)
    ax2.set_yticks(y, names, fontsize=10)
    ax2.set_xscale("log")
    ax2.set_xlim(30, 2e4)
    ax2.set_xlabel("trainable parameters")
    ax2.grid(axis="y", visible=False)
    return fig


def draw_strategy_grid(theme: Theme):
    runs = [[te.accuracies(m, a, n) for a, n in GRID_CELLS] for m in GRID_METHODS]
    acc = np.array([[r.mean() for r in row] for row in runs])
    sd = np.array([[r.std(ddof=1) for r in row] for row in runs])
    fig, ax = new_figure(theme, width=9.6, height=3.9)
    cmap = matplotlib.colormaps["cividis"]
    ax.imshow(acc, cmap=cmap, vmin=40, vmax=100, aspect="auto")
    for i, j in np.ndindex(acc.shape):
        r, g, bl, _ = cmap((acc[i, j] - 40) / 60)
        dark = 0.299 * r + 0.587 * g + 0.114 * bl < 0.5
        text = f"{acc[i, j]:.1f} ± {sd[i, j]:.1f}"
        colour = "white" if dark else "black"
        ax.text(j, i, text, ha="center", va="center", fontsize=10, color=colour)
    ax.set_xticks(range(len(GRID_CELLS)), [f"{a}°, {n}" for a, n in GRID_CELLS])
    ax.set_yticks(range(len(GRID_METHODS)), [LABELS[m] for m in GRID_METHODS])
    ax.set_xlabel("source–target angle, target examples per class")
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return fig


def draw_backbone_lr(theme: Theme):
    fig, (ax1, ax2) = new_figure(theme, ncols=2, width=9.6, height=3.9)
    x = np.arange(1 + len(te.BACKBONE_RATIOS))
    for k, ((a, n), r) in enumerate(te.backbone_rate_sweep().items()):
        style = {"marker": ("o", "s", "^", "D")[k], "color": theme.palette[k]}
        ax1.plot(x, r["val"].mean(1), label=f"{a}°, {n} per class", **style)
        ax2.plot(x, r["drift"].mean(1), label=f"{a}°, {n} per class", **style)
    for ax in (ax1, ax2):
        ax.set_xticks(x, ["0", *(f"{v:g}" for v in te.BACKBONE_RATIOS)])
        ax.set_xlabel("backbone learning rate ÷ head learning rate")
    ax1.set_ylabel("validation accuracy (%)")
    ax1.legend(loc="lower right", fontsize=10)
    ax2.set_yscale("symlog", linthresh=1)
    ax2.set_ylim(0, 200)
    ax2.set_yticks([0, 1, 10, 100], ["0", "1", "10", "100"])
    ax2.set_ylabel("change of first-layer weights (%)")
    return fig


def draw_bn(theme: Theme):
    r = bn_demo()
    fig, ax = new_figure(theme, width=6.8, height=3.8)
    k = np.arange(r["fraction"].size)
    ax.plot(k, 100 * r["fraction"], color=theme.palette[0], label="train mode (momentum 0.1)")
    expected = f"$1 - {1 - BN_MOMENTUM:g}^k$ (expected)"
    ax.plot(k, 100 * r["expected"], color=theme.fg, linestyle=":", label=expected)
    flat = np.zeros_like(k, dtype=float)
    frozen = "eval mode (statistics frozen)"
    ax.plot(k, flat, color=theme.palette[1], linestyle="--", label=frozen)
    ax.set_xlabel(f"target batches of {BN_BATCH} seen by the frozen layer")
    ax.set_ylabel("running mean: % of the way\nfrom source to target")
    ax.set_ylim(-5, 110)
    ax.legend(loc="center right")
    return fig


# %%
show(draw_strategy_grid)
show(draw_backbone_lr)

# %% [markdown]
# ## What the page quotes and concludes


# %%
def figures():
    """Figure name → function drawing it for a theme (the grid is on both transfer pages)."""
    return {
        "strategy-curves": draw_strategy_curves,
        "strategy-grid": draw_strategy_grid,
        "backbone-lr": draw_backbone_lr,
        "bn-drift": draw_bn,
    }


def _acc(v: dict, key: str, acc) -> None:
    """Mean and standard deviation over seeds of per-seed accuracies (%)."""
    v[key], v[key + "_sd"] = fmt(np.mean(acc), 1), fmt(np.std(acc, ddof=1), 1)


def _list(values) -> str:
    return ", ".join(fmt(x, 3).rstrip("0").rstrip(".") for x in values)


def values() -> dict[str, object]:
    """Every number the page quotes, formatted as it shows them (seed set 0)."""
    v: dict[str, object] = {
        "sizes": "-".join(str(s) for s in te.SIZES),
        "source_classes": te.SOURCE_CLASSES,
        "source_n": f"{te.SOURCE_CLASSES * te.SOURCE_PER_CLASS:,}",
        "target_classes": te.TARGET_CLASSES,
        "val_per_class": te.VAL_PER_CLASS,
        "seeds": te.N_SEEDS,
        "epochs": te.EPOCHS,
        "small": te.SMALL,
        "large": te.LARGE,
        "head_lrs": _list(te.HEAD_LRS),
        "ratios": _list(te.BACKBONE_RATIOS),
        "scratch_lrs": _list(te.SCRATCH_LRS),
        "grid_points": len(te.HEAD_LRS) * len(te.BACKBONE_RATIOS),
        "head_scale": fmt(tf.HEAD_SCALE, 2),
        "head_tolerance": fmt(HEAD_TOLERANCE, 0),
    }
    counts = te.parameter_counts()
    total = counts["total"][0]
    v["params_total"] = f"{total:,}"
    for m in ("head", "early", "all"):
        v[f"params_{m}"] = f"{counts[m][-1]:,}"
        v[f"params_{m}_pct"] = fmt(100 * counts[m][-1] / total, 0)
    for i, c in enumerate(counts["gradual"], 1):
        v[f"params_gradual_{i}"] = f"{c:,}"
    v["stage_epochs"] = tf.strategy_stages("gradual", len(te.SIZES), te.EPOCHS)[0].epochs

    for m in GRID_METHODS:
        for a, n in GRID_CELLS:
            _acc(v, f"g_{m}_{a}_{n}", te.accuracies(m, a, n))
    settings = [te.tuned(m, a, n)["rates"][:, 1] for m in te.STRATEGIES[1:] for a, n in GRID_CELLS]
    top = [r == max(te.BACKBONE_RATIOS) for r in settings]
    v["edge_ratio_picks"], v["edge_ratio_runs"] = int(np.sum(top)), int(np.size(top))

    # the backbone's learning rate (validation accuracy, first-layer change)
    for (a, n), r in te.backbone_rate_sweep().items():
        for ratio, acc, drift in zip((0.0, *te.BACKBONE_RATIOS), r["val"], r["drift"]):
            key = f"{a}_{n}_r{ratio:g}".replace(".", "")
            v[f"lrs_val_{key}"] = fmt(acc.mean(), 1)
            v[f"lrs_drift_{key}"] = fmt(drift.mean(), 1)
    v["ulmfit_lrs"] = ", ".join(
        fmt(x, 3) for x in tf.layer_lrs(1.0, len(te.SIZES), 1 / 2.6, 1 / 2.6)
    )

    # batch norm in a frozen backbone
    bn = bn_demo()
    v.update(bn_momentum=fmt(BN_MOMENTUM, 1), bn_batch=BN_BATCH, bn_mates=BN_BATCH - 1)
    v.update(bn_steps=BN_STEPS, bn_shift_sd=fmt(bn["shift_sd"], 2))
    for k in (5, 10, BN_STEPS):
        v[f"bn_frac_{k}"] = fmt(100 * bn["fraction"][k], 0)
        v[f"bn_expected_{k}"] = fmt(100 * bn["expected"][k], 0)
    v["bn_output_change"] = fmt(bn["output_change"], 2)
    v["bn_batch_noise"] = fmt(bn["batch_noise"], 2)
    return v


# two-sided 95 % quantiles of Student's t, by degrees of freedom (seeds - 1)
_T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}


def within(a, b, tol: float, what: str) -> tuple[bool, str]:
    """`a` and `b` differ by less than `tol`: the 95 % t-interval of the paired per-seed
    differences, |mean(d)| + t · std(d) / sqrt(n), lies inside (−tol, tol)."""
    d = evidence.paired(a, b)
    mean, sd = evidence.mean_std(d)
    bound = abs(mean) + _T975[d.size - 1] * sd / np.sqrt(d.size)
    return bool(bound < tol), (
        f"{what}: paired difference {mean:.1f} ± {sd:.1f} (mean ± std), 95 % bound {bound:.1f} "
        f"< {tol:g}"
    )


def claims(seed_set: int = 0) -> dict[str, tuple[bool, str]]:
    """Claim name → (holds, evidence) for the page, on `seed_set`'s seeds.

    Accuracies are test accuracies in % per seed, each strategy at the rates its validation
    split picked, unless a claim says validation; comparisons follow `snippets.evidence`.
    """

    def acc(m, a, n):
        return te.accuracies(m, a, n, seed_set)

    beats, level, all_of = evidence.beats, evidence.no_difference, evidence.all_of
    SMALL, LARGE, BACKBONE = te.SMALL, te.LARGE, ("early", "all", "gradual")
    c: dict[str, tuple[bool, str]] = {}
    c["backbone_strategies_level_0_small"] = level(
        {m: acc(m, 0, SMALL) for m in BACKBONE}, f"0°, {SMALL}/class"
    )
    c["head_close_to_backbone_0_small"] = all_of(
        *(
            within(acc(m, 0, SMALL), acc("head", 0, SMALL), HEAD_TOLERANCE, f"{m} vs head")
            for m in BACKBONE
        )
    )
    c["strategies_beat_scratch_0_small"] = all_of(
        *(
            beats(acc(m, 0, SMALL), acc("scratch", 0, SMALL), f"{m} vs scratch at 0°")
            for m in te.STRATEGIES
        )
    )
    c["all_never_behind"] = all_of(
        *(
            evidence.not_ahead(acc(m, a, n), acc("all", a, n), f"{m} vs all at {a}°, {n}/class")
            for a, n in GRID_CELLS
            for m in ("head", "early", "gradual")
        )
    )
    c["trained_backbones_level_0_large"] = level(
        {m: acc(m, 0, LARGE) for m in BACKBONE}, f"0°, {LARGE}/class"
    )
    c["backbone_beats_head_15_large"] = all_of(
        *(
            beats(acc(m, 15, LARGE), acc("head", 15, LARGE), f"{m} vs head at 15°, {LARGE}")
            for m in BACKBONE
        )
    )
    c["early_beats_head_15_small"] = beats(
        acc("early", 15, SMALL), acc("head", 15, SMALL), f"early vs head at 15°, {SMALL}"
    )
    c["all_level_with_gradual_15_large"] = level(
        {m: acc(m, 15, LARGE) for m in ("all", "gradual")}, f"15°, {LARGE}/class"
    )
    c["more_layers_better_90"] = all_of(
        *(
            beats(acc(hi, 90, n), acc(lo, 90, n), f"{hi} vs {lo} at 90°, {n}/class")
            for n in (SMALL, LARGE)
            for lo, hi in (("head", "early"), ("early", "all"))
        )
    )
    # the 90° source: frozen layers fall below scratch, fine-tuning all is level with it
    c["frozen_90_below_scratch"] = all_of(
        *(
            beats(acc("scratch", 90, n), acc(m, 90, n), f"scratch vs {m} at 90°, {n}/class")
            for n in (SMALL, LARGE)
            for m in ("head", "early")
        )
    )
    c["all_90_level_with_scratch"] = all_of(
        *(
            level({m: acc(m, 90, n) for m in ("all", "scratch")}, f"90°, {n}/class")
            for n in (SMALL, LARGE)
        )
    )
    # the backbone's rate (validation accuracy), and how far it moves the first layer
    sweep = te.backbone_rate_sweep(seed_set)
    r0 = sweep[(0, SMALL)]["val"]
    c["rate_matters_little_0_small"] = level(
        {f"ratio {x:g}": row for x, row in zip((0, *te.BACKBONE_RATIOS), r0) if x <= 10},
        f"validation, 0°, {SMALL}/class",
    )
    r90 = sweep[(90, LARGE)]["val"]
    lo, hi = te.BACKBONE_RATIOS[0], te.BACKBONE_RATIOS[-1]
    c["high_rate_wins_90"] = beats(
        r90[-1], r90[1], f"validation, 90°, {LARGE}/class, ratio {hi:g} vs {lo:g}"
    )
    drift = np.array([r["drift"].mean(axis=1) for r in sweep.values()])
    c["drift_grows_with_rate"] = (
        bool(np.all(np.diff(drift, axis=1) > 0)),
        "mean first-layer change (%) per ratio, every case: "
        + "; ".join(" < ".join(f"{d:.1f}" for d in row) for row in drift),
    )
    # batch norm
    bn = bn_demo(seed_set)
    dev = float(np.max(np.abs(bn["fraction"] - bn["expected"])))
    c["bn_follows_expectation"] = (
        bool(dev < 0.1),
        f"largest gap to 1 - {1 - BN_MOMENTUM:g}^k over {BN_STEPS} batches: {100 * dev:.1f} points",
    )
    c["bn_changes_frozen_layer"] = (
        bool(bn["output_change"] > 0.1 and bn["batch_noise"] > 0.1),
        f"output change {bn['output_change']:.2f} sd, batch-to-batch noise "
        f"{bn['batch_noise']:.2f} sd per feature",
    )
    return c


# %%
for name, (holds, _) in claims().items():
    print(f"{'holds ' if holds else 'FAILS '} {name}")
