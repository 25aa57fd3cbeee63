"""DL0005 · Transfer Learning: the page module of docs/transfer-learning/dl0005-transfer-learning.md.

This notebook runs what the page shows: a network pre-trained on a 16-class source task is
reused on a 5-class target task, by training only a new head (feature extraction) or every
layer (fine-tuning), against training from scratch; with 1 to 100 target examples per class,
epoch by epoch, and with a source whose inputs are turned away from the target's (a domain
gap), with controls that separate what the pre-trained features give from what the tuning
gives. Every method picks its learning rates on a validation split, per seed. The reference code
is `snippets/transfer.py` (heads, freezing, per-layer rates) and `snippets/synthetic_tasks.py`;
the experiment both transfer pages share is `snippets/transfer_experiment.py`. Change a
parameter there (the seeds, the grids, the sizes) or here and re-run the cells below it.
"""  # noqa: E501 (the page path on the first line)

# %%
from __future__ import annotations

import numpy as np

from snippets import evidence
from snippets import layers as nn
from snippets import mlp_stack as ms
from snippets import transfer as tf
from snippets import transfer_experiment as te
from snippets.companion import show
from snippets.formatting import fmt
from snippets.plotting import Theme, new_figure
from snippets.seeds import seeds

# %% [markdown]
# ## The world, the network and pre-training
# The source has 16 classes, the target 5 others, all made from 4 class-relevant and 8 nuisance
# factors by one random mixer. Each seed pre-trains its own backbone (32-32-16) on the source;
# at 15° and 90° the source's mixer is turned away from the target's. The cell prints the
# source accuracies, mean over seeds.

# %%
for a in te.ANGLES:
    p = te.pretrained(a)
    print(
        f"source at {a:2d}°: train {100 * p['train_acc'].mean():.1f} %, "
        f"fresh source data {100 * p['val_acc'].mean():.1f} %"
    )

# %% [markdown]
# ## Less data: test accuracy against the size of the target set
# From scratch, head only (feature extraction) and fine-tune all, each tuned on validation,
# with 1 to 100 training examples per class (source at 0°): mean ± std over seeds.

# %%
print("per class " + "".join(f"{m:>16}" for m in te.SIZE_METHODS))
for n in te.SIZES_PER_CLASS:
    row = [evidence.spread(te.accuracies(m, 0, n)) for m in te.SIZE_METHODS]
    print(f"{n:9d} " + "".join(f"{r:>16}" for r in row))

# %% [markdown]
# ## Learning curves and the training loss (10 examples per class)
# Validation accuracy half-way and at the end, and the final training loss: feature extraction
# fits its training set less well than scratch, yet tests better.

# %%
for m in te.SIZE_METHODS:
    r = te.tuned(m, 0, te.SMALL, curves=True)
    half, end = 100 * r["val_curve"][:, te.EPOCHS // 2].mean(), 100 * r["val_curve"][:, -1].mean()
    print(
        f"{m:8} validation at epoch {te.EPOCHS // 2}: {half:5.1f} %, at the end {end:5.1f} %;"
        f" training loss {r['losses'][:, -1].mean():.4f}"
    )

# %% [markdown]
# ## A domain gap and its controls
# The grid of strategies at 0°, 15° and 90° (10 and 30 examples per class), and at 90° the
# controls: fine-tune all with the backbone at 0.1× the head's rate ("all_low"), and the same
# two methods on a backbone that was never pre-trained ("random_head", "random_low").

# %%
for m in ("scratch", "head", "all", "all_low", "random_head", "random_low"):
    cells = [(a, n) for a in te.ANGLES for n in (te.SMALL, te.LARGE)]
    if m.startswith(("all_low", "random")):
        cells = [(90, te.SMALL), (90, te.LARGE)]
    print(f"{m:12}", "  ".join(f"{a}°/{n}: {te.accuracies(m, a, n).mean():.1f}" for a, n in cells))


# %% [markdown]
# ## The head's initial scale
# A head drawn at Glorot's scale on top of large pre-trained features starts saturated: the
# share of its sigmoid outputs outside [0.05, 0.95] before any training, per seed.


# %%
def glorot_head_saturation(seed_set: int = 0) -> np.ndarray:
    """Per seed: % of the Glorot-sized head's first outputs on the target's training inputs
    that lie outside [0.05, 0.95] (the head init `tuned` uses for "xavier")."""
    out = []
    for i, s in enumerate(seeds(te.N_SEEDS, seed_set)):
        init = np.random.default_rng([te.WORLD_SEED, 3, s])
        backbone = ms.unstack(te.pretrained(0, seed_set)["params"], i)
        net = tf.with_new_head(backbone, te.TARGET_CLASSES, init, te.XAVIER_HEAD_SCALE)
        A = tf.predict(net, te.target_data(te.SMALL, s)[0])
        out.append(100 * np.mean((A < 0.05) | (A > 0.95)))
    return np.array(out)


def features_mean() -> float:
    """Mean of the pre-trained features (the backbone's output) on target training inputs."""
    backbone = ms.unstack(te.pretrained(0)["params"], 0)[:-1]
    return float(
        np.mean(nn.forward(nn.mlp(backbone, tf.ACTIVATION), te.target_data(te.SMALL, 0)[0])[0])
    )


# %%
print("saturated outputs per seed (%):", np.round(glorot_head_saturation(), 0).tolist())
print("test accuracy, Glorot head:", evidence.spread(te.accuracies("xavier", 0, te.SMALL)))

# %% [markdown]
# ## Figures

# %%
LABELS = {"scratch": "from scratch", "head": "head only", "all": "fine-tune all"}
STYLE = {"scratch": (1, "s"), "head": (0, "o"), "all": (2, "^")}  # palette index, marker


def _style(theme: Theme, method: str) -> dict:
    i, marker = STYLE[method]
    return {"color": theme.palette[i], "marker": marker, "label": LABELS[method]}


def draw_data_size(theme: Theme):
    fig, ax = new_figure(theme, width=6.8, height=4.0)
    n = np.array(te.SIZES_PER_CLASS)
    for m in te.SIZE_METHODS:
        acc = np.array([te.accuracies(m, 0, k) for k in te.SIZES_PER_CLASS])
        style = _style(theme, m)
        ax.fill_between(n, acc.min(1), acc.max(1), color=style["color"], alpha=0.18, lw=0)
        ax.plot(n, acc.mean(1), markersize=6, linestyle="--" if m == "all" else "-", **style)
    ax.axhline(100 / te.TARGET_CLASSES, color=theme.muted, linestyle=":", linewidth=1.5)
    ax.text(1, 100 / te.TARGET_CLASSES + 1.5, "chance", color=theme.muted, fontsize=10)
    ax.set_xscale("log")
    ax.set_xticks(n, [str(v) for v in n])
    ax.minorticks_off()
    ax.set_xlabel("target training examples per class (5 classes)")
    ax.set_ylabel("target test accuracy (%)")
    ax.set_ylim(15, 100)
    ax.legend(loc="lower right")
    return fig


def draw_convergence(theme: Theme):
    fig, (ax1, ax2) = new_figure(theme, ncols=2, width=9.6, height=3.9)
    for m in te.SIZE_METHODS:
        r = te.tuned(m, 0, te.SMALL, curves=True)
        curve = 100 * r["val_curve"]
        style = _style(theme, m)
        epochs = np.arange(curve.shape[1])
        ax1.fill_between(epochs, curve.min(0), curve.max(0), color=style["color"], alpha=0.18, lw=0)
        ax1.plot(epochs, curve.mean(0), color=style["color"], label=style["label"])
        ax2.plot(epochs, r["losses"].mean(0), color=style["color"], label=style["label"])
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("validation accuracy (%)")
    ax1.legend(loc="lower right")
    ax2.set_yscale("log")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("training loss (MSE)")
    return fig


# %%
show(draw_data_size)
show(draw_convergence)

# %% [markdown]
# ## What the page quotes and concludes


# %%
def figures():
    """Figure name → function drawing it for a theme (the strategy grid the page also shows
    is drawn by `snippets/dl0006_layer_freeze_in_tl.py`)."""
    return {"data-size": draw_data_size, "convergence": draw_convergence}


def _put_acc(v: dict, key: str, acc) -> None:
    """Mean, standard deviation over seeds, minimum and maximum of per-seed accuracies (%)."""
    acc = np.asarray(acc)
    v[key] = fmt(acc.mean(), 1)
    v[key + "_sd"] = fmt(acc.std(ddof=1), 1)
    v[key + "_lo"] = fmt(acc.min(), 1)
    v[key + "_hi"] = fmt(acc.max(), 1)


def _rates(values) -> str:
    return ", ".join(fmt(x, 3).rstrip("0").rstrip(".") for x in values)


def _picked_at_top(methods, settings, column: int, grid) -> list:
    """Per method and setting, which seeds picked the largest rate of `grid` (seed set 0)."""
    return [
        te.tuned(m, a, n)["rates"][:, column] == max(grid) for m in methods for a, n in settings
    ]


def values() -> dict[str, object]:
    """Every number the page quotes, formatted as it shows them (seed set 0)."""
    v: dict[str, object] = {
        "n_signal": tf.N_SIGNAL,
        "n_nuisance": tf.N_NUISANCE,
        "n_inputs": tf.N_INPUTS,
        "source_classes": te.SOURCE_CLASSES,
        "target_classes": te.TARGET_CLASSES,
        "source_n": f"{te.SOURCE_CLASSES * te.SOURCE_PER_CLASS:,}",
        "test_n": te.TARGET_CLASSES * te.TEST_PER_CLASS,
        "val_per_class": te.VAL_PER_CLASS,
        "sizes": "-".join(str(s) for s in te.SIZES),
        "seeds": te.N_SEEDS,
        "epochs": te.EPOCHS,
        "head_lrs": _rates(te.HEAD_LRS),
        "ratios": _rates(te.BACKBONE_RATIOS),
        "scratch_lrs": _rates(te.SCRATCH_LRS),
        "low_ratio": fmt(te.LOW_RATIO, 1),
        "grid_points": len(te.HEAD_LRS) * len(te.BACKBONE_RATIOS),
        "head_scale": fmt(tf.HEAD_SCALE, 2),
        "pretrain_epochs": te.PRETRAIN_EPOCHS,
        "pretrain_lr": fmt(te.PRETRAIN_LR, 1),
        "pretrain_batch": te.PRETRAIN_BATCH,
        "small": te.SMALL,
        "large": te.LARGE,
        "small_n": te.SMALL * te.TARGET_CLASSES,
        "chance": fmt(100 / te.TARGET_CLASSES, 0),
        "class_noise": fmt(tf.CLASS_NOISE, 2),
        "nuisance": fmt(tf.NUISANCE, 1),
        "input_noise": fmt(tf.INPUT_NOISE, 1),
        "half": te.EPOCHS // 2,
    }
    for a in te.ANGLES:
        v[f"src_train_{a}"] = fmt(100 * te.pretrained(a)["train_acc"].mean(), 1)
    v["src_val_0"] = fmt(100 * te.pretrained(0)["val_acc"].mean(), 1)
    counts = te.parameter_counts()
    v["params_total"] = f"{counts['total'][0]:,}"
    for m in ("head", "all"):
        v[f"params_{m}"] = f"{counts[m][-1]:,}"
        v[f"params_{m}_pct"] = fmt(100 * counts[m][-1] / counts["total"][0], 0)

    # accuracy against the number of target examples; the learning curves at SMALL
    for m in te.SIZE_METHODS:
        for n in te.SIZES_PER_CLASS:
            _put_acc(v, f"acc_{m}_{n}", te.accuracies(m, 0, n))
        r = te.tuned(m, 0, te.SMALL, curves=True)
        v[f"val_half_{m}"] = fmt(100 * r["val_curve"][:, te.EPOCHS // 2].mean(), 1)
        v[f"val_end_{m}"] = fmt(100 * r["val_curve"][:, -1].mean(), 1)
        v[f"loss_end_{m}"] = fmt(r["losses"][:, -1].mean(), 4)
    for n in te.SIZES_PER_CLASS:
        gain = te.accuracies("all", 0, n).mean() - te.accuracies("scratch", 0, n).mean()
        v[f"gain_{n}"] = fmt(gain, 1)
    v["features_mean"] = fmt(features_mean(), 2)
    v["train_acc_scratch_10"] = fmt(100 * te.tuned("scratch", 0, te.SMALL)["train"].mean(), 1)

    # the domain gap, its controls, the rates picked
    for a in te.ANGLES:
        for n in (te.SMALL, te.LARGE):
            for m in ("scratch", *te.STRATEGIES):
                _put_acc(v, f"g_{m}_{a}_{n}", te.accuracies(m, a, n))
    for m in ("all_low", "random_head", "random_low"):
        for n in (te.SMALL, te.LARGE):
            _put_acc(v, f"g_{m}_90_{n}", te.accuracies(m, 90, n))
    picked = te.tuned("all", 90, te.LARGE)["rates"]
    v["picked_backbone_90"] = _rates(sorted(set(picked[:, 0] * picked[:, 1])))
    v["lrs_drift_0_30_r10"] = fmt(te.backbone_rate_sweep()[(0, te.LARGE)]["drift"][3].mean(), 1)

    # grid edges: how often the picked rate is the largest of its grid (seed set 0)
    settings = [(a, n) for a in te.ANGLES for n in (te.SMALL, te.LARGE)]
    edges = {
        "ratio": _picked_at_top(("early", "all", "gradual"), settings, 1, te.BACKBONE_RATIOS),
        "scratch": _picked_at_top(
            ("scratch",), [(0, n) for n in te.SIZES_PER_CLASS], 0, te.SCRATCH_LRS
        ),
        "head": _picked_at_top(te.STRATEGIES, settings, 0, te.HEAD_LRS),
        "random_head": _picked_at_top(
            ("random_head",), [(90, te.SMALL), (90, te.LARGE)], 0, te.HEAD_LRS
        ),
    }
    for name, top in edges.items():
        v[f"edge_{name}_picks"] = int(np.sum(top))
        v[f"edge_{name}_runs"] = int(np.size(top))
    v["ratio_max"] = _rates([max(te.BACKBONE_RATIOS)])
    v["head_lr_max"] = _rates([max(te.HEAD_LRS)])

    # the head-initialization pitfall
    _put_acc(v, "xavier_head", te.accuracies("xavier", 0, te.SMALL))
    sat = glorot_head_saturation()
    v["xavier_saturated_lo"] = fmt(min(sat), 0)
    v["xavier_saturated_hi"] = fmt(max(sat), 0)
    v["xavier_scale"] = fmt(te.XAVIER_HEAD_SCALE, 2)
    return v


def claims(seed_set: int = 0) -> dict[str, tuple[bool, str]]:
    """Claim name → (holds, evidence) for the page, on `seed_set`'s seeds.

    Accuracies are test accuracies in % per seed, each method at the rates its validation
    split picked; comparisons follow `snippets.evidence` (paired by seed).
    """

    def acc(m, a, n):
        return te.accuracies(m, a, n, seed_set)

    beats, not_ahead, all_of = evidence.beats, evidence.not_ahead, evidence.all_of
    SMALL, LARGE = te.SMALL, te.LARGE
    c: dict[str, tuple[bool, str]] = {}
    # small target sets
    c["reuse_beats_scratch_small"] = all_of(
        *(
            beats(acc(m, 0, n), acc("scratch", 0, n), f"{m} vs scratch at {n}/class")
            for n in (1, 3, SMALL)
            for m in ("head", "all")
        )
    )
    c["all_no_gain_over_head_tiny"] = all_of(
        *(
            not_ahead(acc("all", 0, n), acc("head", 0, n), f"all vs head at {n}/class")
            for n in (1, 3)
        )
    )
    gains = {n: acc("all", 0, n) - acc("scratch", 0, n) for n in te.SIZES_PER_CLASS}
    c["gain_shrinks"] = all_of(
        beats(gains[1], gains[SMALL], f"fine-tune minus scratch, 1 vs {SMALL}/class"),
        beats(gains[SMALL], gains[100], f"fine-tune minus scratch, {SMALL} vs 100/class"),
    )
    c["all_beats_scratch_large"] = beats(
        acc("all", 0, LARGE), acc("scratch", 0, LARGE), f"all vs scratch at {LARGE}/class"
    )
    c["all_beats_head_100"] = beats(acc("all", 0, 100), acc("head", 0, 100), "at 100/class")
    c["scratch_beats_head_100"] = beats(acc("scratch", 0, 100), acc("head", 0, 100), "at 100/class")
    # learning curves (validation) and training loss at SMALL
    loss_head = te.tuned("head", 0, SMALL, seed_set)["losses"][:, -1]
    loss_scratch = te.tuned("scratch", 0, SMALL, seed_set)["losses"][:, -1]
    c["head_higher_loss_better_test"] = all_of(
        beats(1000 * loss_head, 1000 * loss_scratch, "final training loss x 1000, head vs scratch"),
        beats(acc("head", 0, SMALL), acc("scratch", 0, SMALL), "test accuracy, head vs scratch"),
    )
    # domain gap
    c["trained_backbone_beats_scratch_15_small"] = all_of(
        *(
            beats(acc(m, 15, SMALL), acc("scratch", 15, SMALL), f"{m} vs scratch at 15°")
            for m in ("early", "all", "gradual")
        )
    )
    c["all_beats_scratch_15_large"] = beats(
        acc("all", 15, LARGE), acc("scratch", 15, LARGE), f"at 15°, {LARGE}/class"
    )
    c["frozen_90_below_scratch"] = all_of(
        *(
            beats(acc("scratch", 90, n), acc(m, 90, n), f"scratch vs {m} at 90°, {n}/class")
            for n in (SMALL, LARGE)
            for m in ("head", "early")
        )
    )
    c["features_90_no_better_than_random"] = all_of(
        *(
            not_ahead(acc(m, 90, n), acc(r, 90, n), f"90° vs random backbone, {m}, {n}/class")
            for n in (SMALL, LARGE)
            for m, r in (("head", "random_head"), ("all_low", "random_low"))
        )
    )
    c["all_90_level_with_scratch"] = all_of(
        *(
            evidence.no_difference(
                {"all": acc("all", 90, n), "scratch": acc("scratch", 90, n)}, f"90°, {n}/class"
            )
            for n in (SMALL, LARGE)
        )
    )
    c["low_rate_90_below_scratch"] = all_of(
        *(
            beats(
                acc("scratch", 90, n), acc("all_low", 90, n), f"scratch vs all at 0.1x, {n}/class"
            )
            for n in (SMALL, LARGE)
        )
    )
    c["tuned_rate_90_beats_low"] = all_of(
        *(
            beats(acc("all", 90, n), acc("all_low", 90, n), f"tuned vs 0.1x at 90°, {n}/class")
            for n in (SMALL, LARGE)
        )
    )
    # the Glorot-sized head: a worst seed far below, and a seed spread several times larger
    xavier, small = acc("xavier", 0, SMALL), acc("head", 0, SMALL)
    sd_x, sd_s = np.std(xavier, ddof=1), np.std(small, ddof=1)
    c["xavier_head_unreliable"] = (
        bool(small.min() - xavier.min() > sd_s and sd_x / sd_s > 3),
        f"worst seed {xavier.min():.1f} (Glorot head) vs {small.min():.1f} (small head); "
        f"seed spread {sd_x:.1f} vs {sd_s:.1f} ({sd_x / sd_s:.1f}x)",
    )
    return c


# %%
for name, (holds, _) in claims().items():
    print(f"{'holds ' if holds else 'FAILS '} {name}")
