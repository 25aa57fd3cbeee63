"""DL0010 · Receptive Field: the page module of docs/cnn/dl0010-receptive-field.md.

This notebook computes everything the page quotes: the worked example's fields, the fields of
well-known networks, a check of the predicted fields against the input gradients of random
numpy stacks, what max pooling does to that check, and the effective receptive field of deep
stacks of 3×3 convolutions. The reference code it calls is `snippets/receptive_field.py` (with
`conv_geometry.py`, `conv_stack.py` and `network_layers.py`); `conv_stack.py` runs its
convolutions and average pools through `conv.py` and its max pools through `pooling.py`; the
random-weight effective-field runs go through `relu_input_grads`, its batched twin for stacks
of 3×3 convolutions. Change a parameter (a layer list, `CHECK_STACKS`, `ERF_DEPTHS`, a seed) and
re-run the cells below it.
"""

# %%
from __future__ import annotations

import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.patches import Rectangle

from snippets import checks, evidence
from snippets.companion import show
from snippets.formatting import fmt
from snippets.memo import memo
from snippets.plotting import Theme, new_figure
from snippets.receptive_field import (
    CAUSES,
    KINDS,
    Field,
    Layer,
    alexnet_torchvision,
    alexnet_v2_slim,
    border_prediction,
    check_layers,
    field_of,
    gradient_support,
    init_weights,
    mobilenet_v1_slim,
    output_sizes,
    reachable_offsets,
    receptive_field,
    resnet50_caffe,
    resnet50_slim,
    resnet50_torchvision,
    stack_forward,
    stack_input_grad,
    track_support,
    vgg16,
)
from snippets.seeds import seeds

# %% [markdown]
# ## Worked example
#
# A small stack: two 3×3 convolutions, a 2×2 max pool, a dilated 3×3 convolution, a strided
# 3×3 and a last 3×3. Each row of the table is one step of the recurrence
# $r_l = r_{l-1} + (k^\text{eff}_l - 1) S_{l-1}$, $P_l = P_{l-1} + p_l S_{l-1}$.

# %%
EXAMPLE = (
    Layer(3, 1, 1, name="conv"),
    Layer(3, 1, 1, name="conv"),
    Layer(2, 2, 0, kind="maxpool", name="max pool"),
    Layer(3, 1, 2, dilation=2, name="conv"),
    Layer(3, 2, 1, name="conv"),
    Layer(3, 1, 1, name="conv"),
)
EXAMPLE_INPUT = 32


def _layer_label(layer: Layer) -> str:
    """'conv 3×3, s 2, p 1': the kernel, then what differs from the defaults."""
    nb = "\u00a0"  # no-break space: "p 1" never splits across lines in a narrow column
    parts = [f"{layer.name}{nb}{layer.kernel}×{layer.kernel}"]
    parts += [f"{a}{nb}{v}" for a, v in (("s", layer.stride), ("d", layer.dilation)) if v != 1]
    parts += [f"p{nb}{layer.padding}"] if layer.padding else []
    return ", ".join(parts)


def example_table() -> str:
    """The worked example as a Markdown table: each layer and its field."""
    layers = list(EXAMPLE)
    rows = [
        "| # | layer | kernel $k^\\text{eff}$ | field $r_l$ | stride $S_l$ | padding $P_l$ |",
        "|---:|:---|---:|:---|---:|:---|",
        "| 0 | input | | $1$ | $1$ | $0$ |",
    ]
    prev = Field(1, 1, 0)
    for i, (layer, f) in enumerate(zip(layers, receptive_field(layers)), start=1):
        grow = f"{prev.size} + {layer.k_eff - 1} \\cdot {prev.stride} = {f.size}"
        shift = f"{prev.padding} + {layer.padding} \\cdot {prev.stride} = {f.padding}"
        rows.append(
            f"| {i} | {_layer_label(layer)} | {layer.k_eff} | ${grow}$ | ${f.stride}$ | ${shift}$ |"
        )
        prev = f
    return "\n".join(rows)


# %%
print(example_table().replace("\u00a0", " "))
for i in (0, 3):
    print(
        f"output {i} sees {field_of(list(EXAMPLE), i)}, "
        f"inside a {EXAMPLE_INPUT}-pixel image {field_of(list(EXAMPLE), i, EXAMPLE_INPUT)}"
    )

# %% [markdown]
# ## Two 3×3 layers against one 5×5
#
# The same field with fewer weights: n stacked 3×3 convolutions see as much as one
# (2n + 1)×(2n + 1) kernel.

# %%
COST_CHANNELS = 64


def small_kernel_costs(channels: int = COST_CHANNELS) -> dict[str, int]:
    """Weights of n stacked 3×3 convolutions vs one kernel with the same field (C in, C out)."""
    C = checks.positive_int("channels", channels)
    out = {}
    for n in (2, 3):
        big = receptive_field([Layer(3)] * n)[-1].size
        out[f"field_{n}"] = big
        out[f"small_{n}"] = n * 9 * C * C
        out[f"big_{n}"] = big * big * C * C
    return out


# %%
costs = small_kernel_costs()
for n, count in ((2, "two"), (3, "three")):
    side = costs[f"field_{n}"]
    print(
        f"{count:5} 3×3: field {side}, {costs[f'small_{n}']:7,} weights;"
        f"  one {side}×{side}: {costs[f'big_{n}']:7,}"
    )

# %% [markdown]
# ## Well-known networks
#
# The recurrence over the layer lists of `snippets/network_layers.py`, with the values Araujo,
# Norris & Sim (2019) publish for the TF-slim models.

# %%
NETWORKS = (
    ("AlexNet", "TF-slim alexnet_v2", alexnet_v2_slim, "pool5", (195, 32, 64)),
    ("AlexNet", "torchvision alexnet", alexnet_torchvision, "pool5", None),
    ("VGG-16", "TF-slim vgg_16, torchvision vgg16", vgg16, "pool5", (212, 32, 90)),
    ("ResNet-50", "TF-slim resnet_v1_50", resnet50_slim, "block4", (483, 32, 239)),
    ("ResNet-50", "original (He et al., Caffe)", resnet50_caffe, "res5c", None),
    ("ResNet-50", "torchvision resnet50 (v1.5)", resnet50_torchvision, "layer4", None),
    (
        "MobileNet v1",
        "TF-slim mobilenet_v1",
        mobilenet_v1_slim,
        "Conv2d_13_pointwise",
        (315, 32, 126),
    ),
)


NETWORK_INPUT = 224  # the input size of the table and of the published values


@memo
def network_fields() -> tuple[dict, ...]:
    """For every network of NETWORKS: its layer list and the field at its end point."""
    rows = []
    for name, variant, build, end, published in NETWORKS:
        layers = build()
        fields = receptive_field(layers)
        at = [i for i, layer in enumerate(layers) if layer.name == end][-1]
        rows.append(
            {
                "name": name,
                "variant": variant,
                "end": end,
                "layers": layers,
                "field": fields[at],
                "published": published,
            }
        )
    return tuple(rows)


def network_table() -> str:
    """Receptive fields of well-known networks as a Markdown table."""
    rows = [
        "| network | end point | field $r$ (px) | stride $S$ | padding $P$ "
        "| published $r$ / $S$ / $P$ |",
        "|:---|:---|---:|---:|---:|:---|",
    ]
    for r in network_fields():
        f, pub = r["field"], r["published"]
        shown = "—" if pub is None else f"{pub[0]} / {pub[1]} / {pub[2]}"
        if pub is not None:
            shown += " (same)" if tuple(f) == pub else " (differs)"
        rows.append(
            f"| {r['name']}<br><small>{r['variant']}</small> | `{r['end']}` | {f.size} "
            f"| {f.stride} | {f.padding} | {shown} |"
        )
    return "\n".join(rows)


# %%
for row in network_fields():
    f = row["field"]
    print(f"{row['variant']:36} {row['end']:20} r {f.size:4}  S {f.stride:3}  P {f.padding:4}")

# %% [markdown]
# ## How kernel, stride and dilation shape the growth
#
# $r_l$ against depth for five 8-layer stacks: stride 1 grows linearly, striding and doubling
# dilation grow it exponentially (with the same $r_l$).

# %%
GROWTH_LAYERS = 8
GROWTH_STACKS = (
    ("K3 S1 D1", [Layer(3)] * GROWTH_LAYERS),
    ("K5 S1 D1", [Layer(5, padding=2)] * GROWTH_LAYERS),
    ("K3, S2 every 2nd layer", [Layer(3, 1 + i % 2, 1) for i in range(GROWTH_LAYERS)]),
    ("K3 S2 D1", [Layer(3, 2, 1)] * GROWTH_LAYERS),
    ("K3 S1 D = 1, 2, 4, …", [Layer(3, 1, 2**i, 2**i) for i in range(GROWTH_LAYERS)]),
)


def _draw_growth(theme: Theme):
    fig, ax = new_figure(theme, width=7.6, height=4.4)
    x = np.arange(GROWTH_LAYERS + 1)
    # the dilated stack is drawn wide and underneath: the stride-2 stack has the same r_l
    looks = (
        dict(marker="o"),
        dict(marker="s"),
        dict(marker="^"),
        dict(marker="D", linestyle="--", markersize=5, zorder=3),
        dict(linewidth=7, alpha=0.45, solid_capstyle="round", zorder=2),
    )
    for (label, layers), look, colour in zip(GROWTH_STACKS, looks, theme.palette):
        fields = receptive_field(layers)
        sizes = [1] + [f.size for f in fields]
        look = {"markersize": 6, **look}
        ax.plot(x, sizes, color=colour, label=f"{label}  (S = {fields[-1].stride})", **look)
    ax.set_yscale("log", base=2)
    ax.set_yticks([1, 4, 16, 64, 256, 512])
    ax.set_yticklabels(["1", "4", "16", "64", "256", "512"])
    ax.set_xticks(x)
    ax.set_xlabel("layer $l$ (0 = input)")
    ax.set_ylabel("receptive field $r_l$ (pixels)")
    ax.legend(loc="upper left")
    return fig


# %%
show(_draw_growth)

# %% [markdown]
# ## Which input pixels one output sees
#
# The input gradient of one output of three small 2-D stacks, all weights 1: the shade counts
# the paths of taps from a pixel to the output; the dashed square is the predicted field.

# %%
GRID_PANELS = (
    ("3×3 s2 p1 → 3×3 p1", [Layer(3, 2, 1), Layer(3, 1, 1)], 10, (1, 1)),
    ("3×3 d2 → 3×3 d2", [Layer(3, 1, 2, 2), Layer(3, 1, 2, 2)], 11, (4, 4)),
    ("3×3 d1 → 3×3 d2", [Layer(3, 1, 1, 1), Layer(3, 1, 2, 2)], 11, (4, 4)),
)


@memo
def grid_runs() -> tuple[dict, ...]:
    """For each grid panel: |input gradient| of one output of a 2-D stack with all weights 1."""
    out = []
    for title, layers, n, index in GRID_PANELS:
        W = [np.ones((1, 1, 3, 3))] * len(layers)
        g = stack_input_grad(layers, np.zeros((1, 1, n, n)), W, index)[0, 0]
        f = receptive_field(layers)[-1]
        out.append({"title": title, "layers": layers, "n": n, "index": index, "g": g, "field": f})
    return tuple(out)


def _rect(x, y, w, h, color, fill=True, alpha=1.0, lw=2.0) -> Rectangle:
    if fill:
        return Rectangle((x, y), w, h, facecolor=color, edgecolor="none", alpha=alpha, zorder=0)
    return Rectangle(
        (x, y), w, h, facecolor="none", edgecolor=color, linewidth=lw, linestyle="--", zorder=4
    )


def _draw_grid(theme: Theme):
    runs = grid_runs()
    fig, axes = new_figure(theme, ncols=len(runs), width=10.0, height=4.8)
    cmap = LinearSegmentedColormap.from_list("field", [theme.bg, theme.palette[0]])
    for ax, r in zip(axes, runs):
        n, g, f = r["n"], r["g"], r["field"]
        (top, bottom), (left, right) = (f.interval(i) for i in r["index"])
        lo = min(top, left, 0) - 1
        hi = max(bottom, right, n - 1) + 1
        ax.add_patch(_rect(lo - 0.5, lo - 0.5, hi - lo + 1, hi - lo + 1, theme.grid, alpha=0.7))
        shade = np.where(g > 0, 0.3 + 0.7 * g / g.max(), 0.0)  # reached pixels never fade out
        edges = np.arange(n + 1) - 0.5
        # cells as one small bitmap (a vector quad per cell doubles the file), lines as vectors
        ax.imshow(
            shade,
            cmap=cmap,
            vmin=0,
            vmax=1,
            interpolation="nearest",
            extent=(-0.5, n - 0.5, n - 0.5, -0.5),
        )
        ax.vlines(edges, -0.5, n - 0.5, color=theme.grid, linewidth=0.6)
        ax.hlines(edges, -0.5, n - 0.5, color=theme.grid, linewidth=0.6)
        ax.add_patch(
            _rect(
                left - 0.5,
                top - 0.5,
                right - left + 1,
                bottom - top + 1,
                theme.palette[1],
                fill=False,
            )
        )
        ax.add_patch(_rect(-0.5, -0.5, n, n, theme.fg, fill=False, lw=1.2))
        ax.patches[-1].set_linestyle("-")
        ax.set_xlim(lo - 0.5, hi + 0.5)
        ax.set_ylim(hi + 0.5, lo - 0.5)
        ax.set_aspect("equal")
        ax.grid(False)
        ax.set_title(r["title"])
        ax.set_xlabel("input column")
        ax.set_xticks([0, n - 1])
        ax.set_yticks([0, n - 1])
    axes[0].set_ylabel("input row")
    handles = [
        Rectangle((0, 0), 1, 1, facecolor=theme.palette[0], edgecolor=theme.grid),
        Rectangle((0, 0), 1, 1, facecolor=theme.bg, edgecolor=theme.muted),
        Rectangle((0, 0), 1, 1, facecolor=theme.grid, edgecolor="none", alpha=0.7),
        Rectangle(
            (0, 0), 1, 1, facecolor="none", edgecolor=theme.palette[1], linestyle="--", linewidth=2
        ),
    ]
    labels = ["reached (stronger: more paths)", "not reached", "padding", "predicted field"]
    fig.legend(handles, labels, loc="outside lower center", ncols=2)
    return fig


# %%
for run in grid_runs():
    seen = int(np.count_nonzero(run["g"]))
    print(f"{run['title']:22} field {run['field'].size}×{run['field'].size}, {seen} pixels reached")

# %%
show(_draw_grid)

# %% [markdown]
# ## Checking the prediction on random stacks
#
# One random 1-D stack per seed (convolutions and average pooling, positive weights): the
# support of one output's input gradient, against the integer tracking of every tap and the
# prediction from the layer list (`border_prediction` at the image border).

# %%
CHECK_STACKS = 300  # one random stack per seed


def random_stack(rng: np.random.Generator, max_layers: int = 5) -> list[Layer]:
    """A random stack of 1-`max_layers` conv and pooling layers with k, s, p, d drawn at random
    (conv padding up to the effective kernel, beyond "half")."""
    rng = checks.generator("rng", rng)
    max_layers = checks.positive_int("max_layers", max_layers)
    layers = []
    for _ in range(int(rng.integers(1, max_layers + 1))):
        kind = str(rng.choice(KINDS, p=[0.6, 0.2, 0.2]))
        k, s = int(rng.integers(1, 5)), int(rng.integers(1, 4))
        d = int(rng.choice([1, 1, 1, 2, 3]))  # mostly undilated, as in real networks
        k_eff = d * (k - 1) + 1
        p_max = k_eff - 1 if kind == "conv" else k_eff // 2
        layers.append(Layer(k, s, int(rng.integers(0, p_max + 1)), d, kind))
    return layers


@memo
def support_check_runs(seed_set: int = 0) -> dict[str, float]:
    """Gradient support of one output of CHECK_STACKS random 1-D stacks (one per seed of the
    seed set; avg pooling in place of max pooling, positive weights) against the prediction
    and the tracked dependencies. At the border, `clip_predicted` counts the outputs whose
    support equals `border_prediction`; where the clipped interval is not the support's extent,
    `shortfall_*` say by how many pixels it promises too many and `cause_*` in how many outputs
    each cause removes pixels."""
    names = "stacks inside clipped holes within tracked inside_exact clip_exact clip_predicted"
    counts = dict.fromkeys(names.split() + [f"cause_{c}" for c in CAUSES], 0)
    counts["cause_padding_only"] = 0
    shortfalls = []
    for seed in seeds(CHECK_STACKS, seed_set):
        rng = np.random.default_rng(seed)
        layers = [
            Layer(
                x.kernel, x.stride, x.padding, x.dilation, "avgpool" if x.kind != "conv" else x.kind
            )
            for x in random_stack(rng)
        ]
        need = 1  # smallest input with an output, then a random margin
        while True:
            try:
                output_sizes(layers, need)
                break
            except ValueError:
                need += 1
        n = need + int(rng.integers(0, 12))
        n_out = output_sizes(layers, n)[-1]
        index = int(rng.integers(0, n_out))
        mask = gradient_support(layers, n, index, seed=int(rng.integers(2**31)))
        got = np.flatnonzero(mask)
        first, last = field_of(layers, index)
        inside = first >= 0 and last <= n - 1
        holes = len(reachable_offsets(layers)) < last - first + 1
        counts["stacks"] += 1
        counts["inside" if inside else "clipped"] += 1
        counts["holes"] += int(holes)
        counts["tracked"] += int(np.array_equal(got, track_support(layers, n, index)))
        counts["within"] += int(bool(np.all((got >= first) & (got <= last))))
        if inside:
            want = first + reachable_offsets(layers)
            counts["inside_exact"] += int(np.array_equal(got, want))
            continue
        pred = border_prediction(layers, n, index)
        counts["clip_predicted"] += int(np.array_equal(got, pred["predicted"]))
        clipped = field_of(layers, index, n)
        if clipped == ((got[0], got[-1]) if got.size else None):
            counts["clip_exact"] += 1
            continue
        # the clipped interval promises more than the support's extent: by how much, and why
        promised = 0 if clipped is None else clipped[1] - clipped[0] + 1
        reached = got[-1] - got[0] + 1 if got.size else 0
        shortfalls.append(int(promised - reached))
        for cause in CAUSES:
            counts[f"cause_{cause}"] += int(pred[cause].size > 0)
        counts["cause_padding_only"] += int(pred["holes"].size + pred["dropped"].size == 0)
    counts["shortfall_median"] = float(np.median(shortfalls)) if shortfalls else 0.0
    counts["shortfall_max"] = max(shortfalls, default=0)
    return counts


# %%
support = support_check_runs(0)
print(f"{support['stacks']} stacks, {support['inside']} fields inside the image")
print(f"support = tracked taps: {support['tracked']}, within the field: {support['within']}")
print(f"inside: exact in {support['inside_exact']}; stacks with holes: {support['holes']}")
print(
    f"border: {support['clipped']} outputs, clipped interval exact in {support['clip_exact']}, "
    f"prediction exact in {support['clip_predicted']}"
)
print("causes: " + ", ".join(f"{c} {support[f'cause_{c}']}" for c in CAUSES))

# %% [markdown]
# ## Max pooling reaches fewer pixels
#
# conv → pool → conv → pool with average and with max pooling, the same weights and input: max
# pooling's gradient follows the window winners only.

# %%
POOL_SEEDS = 20  # random inputs and weights for the max-pooling comparison
POOL_STACK_INDEX = 2  # the output whose gradient is followed, of a 24-pixel input


def winner_paths(layers, X, weights, index) -> np.ndarray:
    """Input pixels on a path from output `index` that passes, at every max pool, through the
    window's largest input (the first one on ties), read off the forward pass: no gradient.

    For one sample and one channel, X of shape (1, 1, L); convolution and average-pooling taps
    all count, taps in the padding do not.
    """
    layers = check_layers(layers)
    X = checks.as_float_array("X", X, ndim=3)
    if X.shape[:2] != (1, 1) or X.shape[2] == 0:
        raise ValueError(f"X: expected shape (1, 1, L), got {X.shape}")
    _, cache = stack_forward(layers, X, weights)
    positions = {checks.integer("index", index, minimum=0)}
    for layer, (a, _) in zip(reversed(layers), reversed(cache)):
        row = a[0, 0]
        below = set()
        for j in positions:
            taps = j * layer.stride - layer.padding + np.arange(layer.kernel) * layer.dilation
            taps = taps[(taps >= 0) & (taps < row.size)]  # padding holds no pixel
            if layer.kind == "maxpool":
                taps = taps[[int(np.argmax(row[taps]))]]  # a padded -inf never wins
            below.update(taps.tolist())
        positions = below
    return np.array(sorted(positions), dtype=np.int64)


def pool_support(seed: int = 0) -> dict[str, np.ndarray]:
    """1-D |input gradient| of one output of conv → pool → conv → pool, with average and with
    max pooling (the same weights and input, drawn from `seed`), the output's field, and the
    pixels on the max pools' winning paths (`winners`, from the forward pass)."""
    seed = checks.integer("seed", seed, minimum=0)
    n, index = 24, POOL_STACK_INDEX
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(1, 1, n))
    w_seed = int(rng.integers(2**31))
    out = {}
    for kind in ("avgpool", "maxpool"):
        layers = [Layer(3, 1, 1), Layer(2, 2, 0, kind=kind), Layer(3, 1, 1), Layer(2, 2, kind=kind)]
        W = init_weights(layers, channels=1, rng=w_seed)
        out[kind] = np.abs(stack_input_grad(layers, X, W, index)[0, 0])
        out["field"] = np.array(field_of(layers, index, n))
    out["winners"] = winner_paths(layers, X, W, index)
    return out


@memo
def pool_support_runs(seed_set: int = 0) -> dict[str, np.ndarray]:
    """Pixels the gradient reaches with average and with max pooling, one entry per seed, and
    whether max pooling's gradient support is exactly the winners' paths."""
    runs = [pool_support(seed) for seed in seeds(POOL_SEEDS, seed_set)]
    first, last = runs[0]["field"]
    return {
        "avgpool": np.array([np.count_nonzero(r["avgpool"]) for r in runs]),
        "maxpool": np.array([np.count_nonzero(r["maxpool"]) for r in runs]),
        "winners": np.array(
            [np.array_equal(np.flatnonzero(r["maxpool"]), r["winners"]) for r in runs]
        ),
        "field": np.array(last - first + 1),
    }


# %%
pools = pool_support_runs(0)
print(f"field {int(pools['field'])} pixels over {POOL_SEEDS} random inputs and weights")
for name, kind in (("average", "avgpool"), ("max", "maxpool")):
    low, high = pools[kind].min(), pools[kind].max()
    if low == high == int(pools["field"]):
        print(f"{name} pooling reaches all {low} on every input")
    elif low == high:
        print(f"{name} pooling reaches {low} on every input")
    else:
        print(f"{name} pooling reaches {low} to {high}")
print(f"max pooling's support = the winners' paths on {int(pools['winners'].sum())} inputs")

# %% [markdown]
# ## The effective receptive field
#
# The 95 %-mass width of the input gradient of stacked 3×3 convolutions against depth, for
# uniform weights and for random He weights with ReLU, next to the theoretical field $2L + 1$.
# The random-weight draws of all seeds run side by side (`relu_input_grads`, batched matrix
# products, tested equal to `stack_input_grad`, which `_relu_widths` calls one draw at a time).

# %%
ERF_DEPTHS = (1, 2, 4, 8, 16, 32)
ERF_MAP_DEPTH = 10
ERF_MASS = 0.95
ERF_SEEDS = 5  # seeds of the random-weight experiment
ERF_DRAWS = 4  # weight draws per seed; the gradient is averaged over them
ERF_INPUTS = 16  # random inputs per weight draw
ERF_CHANNELS = 8
ERF_FIT_FROM = 4  # log-log slopes are fitted from this depth on (depths 1-2 are all border)


def mass_width(g, fraction: float = ERF_MASS) -> int:
    """Fewest entries of |g| that hold `fraction` of its total mass (pixels, any shape)."""
    g = np.abs(checks.as_float_array("g", g)).ravel()
    fraction = checks.positive_float("fraction", fraction)
    if fraction > 1 or g.sum() == 0:
        raise ValueError(f"fraction: expected (0, 1] and a non-zero g, got {fraction}")
    mass = np.cumsum(np.sort(g)[::-1])
    return int(np.searchsorted(mass, fraction * mass[-1] * (1 - 1e-12)) + 1)


def _erf_stack(depth: int) -> list[Layer]:
    return [Layer(3, 1, 1)] * depth


@memo
def erf_map() -> np.ndarray:
    """|input gradient| of the centre output of ERF_MAP_DEPTH 3×3 convolutions with uniform
    weights 1/9 (one channel, 2-D), normalised to a maximum of 1."""
    n = 2 * ERF_MAP_DEPTH + 1 + 10
    layers = _erf_stack(ERF_MAP_DEPTH)
    W = [np.full((1, 1, 3, 3), 1 / 9)] * ERF_MAP_DEPTH
    g = stack_input_grad(layers, np.zeros((1, 1, n, n)), W, (n // 2, n // 2))[0, 0]
    return g / g.max()


def loglog_slope(depth, width) -> float:
    """Least-squares slope of log(width) against log(depth): 1 for linear growth, 1/2 for √L."""
    depth = checks.as_float_array("depth", depth)
    width = checks.as_float_array("width", width)
    if depth.shape != width.shape or depth.ndim != 1 or depth.size < 2:
        raise ValueError(
            f"depth, width: expected two 1-D arrays of equal length >= 2, got "
            f"{depth.shape} and {width.shape}"
        )
    if np.any(depth <= 0) or np.any(width <= 0):
        raise ValueError("depth, width: expected positive values")
    x, y = np.log(depth), np.log(width)
    x = x - x.mean()
    if not np.any(x != 0):
        raise ValueError(f"depth: expected at least two different depths, got {depth}")
    return float(np.dot(x, y - y.mean()) / np.dot(x, x))


def _relu_draws(seed: int) -> list[list[tuple[list, np.ndarray]]]:
    """What the random-weight experiment draws from `seed`, in order: per depth of ERF_DEPTHS,
    ERF_DRAWS pairs (He weights of the stack, a batch of ERF_INPUTS random inputs)."""
    n = 2 * max(ERF_DEPTHS) + 1 + 16
    rng = np.random.default_rng(seed)
    return [
        [
            (
                init_weights(_erf_stack(depth), channels=ERF_CHANNELS, rng=rng, positive=False),
                rng.normal(size=(ERF_INPUTS, ERF_CHANNELS, n)),
            )
            for _ in range(ERF_DRAWS)
        ]
        for depth in ERF_DEPTHS
    ]


def _relu_widths(seed: int) -> list[int]:
    """95 %-mass width against depth of the mean |input gradient| of random He weights with
    ReLU: ERF_DRAWS weight draws, ERF_INPUTS inputs each, all from one seed; one draw at a time
    through `stack_input_grad` (`relu_widths` does every seed and draw at once)."""
    n = 2 * max(ERF_DEPTHS) + 1 + 16
    widths = []
    for depth, draws in zip(ERF_DEPTHS, _relu_draws(seed)):
        total = np.zeros(n)
        for weights, X in draws:
            grad = stack_input_grad(_erf_stack(depth), X, weights, n // 2, relu=True)
            total += np.abs(grad).sum(axis=(0, 1))
        widths.append(mass_width(total))
    return widths


def relu_input_grads(weights, X, index: int) -> np.ndarray:
    """`stack_input_grad(_erf_stack(L), X[:, g], [W[g] for W in weights], index, relu=True)` for
    G stacks of L 3×3 convolutions (stride 1, padding 1, ReLU) at once, in batched matrix
    products: the experiment's draws side by side (tested equal to `stack_input_grad`).

    Parameters
    ----------
    weights : list of L arrays (G, C, C, 3), one per layer
    X : array (N, G, C, n), stack g's inputs in X[:, g]
    index : the output position whose channels' sum is differentiated

    Returns
    -------
    dX : array (N, G, C, n)
    """
    X = checks.as_float_array("X", X, ndim=4)
    N, G, C, n = X.shape
    if not isinstance(weights, (list, tuple)) or not weights:
        raise TypeError(
            f"weights: expected a non-empty list of arrays, got {checks.describe(weights)}"
        )
    Ws = []
    for l, W in enumerate(weights):
        W = checks.as_float_array(f"weights[{l}]", W, ndim=4)
        if W.shape != (G, C, C, 3):
            raise ValueError(f"weights[{l}]: expected shape {(G, C, C, 3)}, got {W.shape}")
        Ws.append(W.reshape(G, C, 3 * C))  # (c, t) flattened as the columns below
    index = checks.integer("index", index, minimum=0, maximum=n - 1)
    a, zs = X, []
    for W in Ws:  # forward: z[:, g] = W[g] @ columns of the zero-padded input
        p = np.pad(a, ((0, 0), (0, 0), (0, 0), (1, 1)))
        cols = np.stack([p[..., t : t + n] for t in range(3)], axis=3).reshape(N, G, 3 * C, n)
        zs.append(W @ cols)
        a = np.maximum(zs[-1], 0.0)
    g = np.zeros_like(a)
    g[..., index] = 1.0
    for W, z in zip(reversed(Ws), reversed(zs)):  # back: each tap returns its share
        back = (W.transpose(0, 2, 1) @ (g * (z > 0))).reshape(N, G, C, 3, n)
        gp = np.zeros((N, G, C, n + 2))
        for t in range(3):
            gp[..., t : t + n] += back[:, :, :, t]
        g = gp[..., 1 : n + 1]  # the gradient on the padding is dropped
    return g


@memo
def relu_widths(seed_set: int = 0) -> np.ndarray:
    """`_relu_widths(seed)` for every seed of `seed_set` (rows), every seed's draws through
    `relu_input_grads` together, a depth at a time."""
    ss = seeds(ERF_SEEDS, seed_set)
    n = 2 * max(ERF_DEPTHS) + 1 + 16
    draws = [_relu_draws(s) for s in ss]
    out = np.zeros((len(ss), len(ERF_DEPTHS)), dtype=int)
    for j, depth in enumerate(ERF_DEPTHS):
        flat = [pair for per_seed in draws for pair in per_seed[j]]  # seed by seed, draw by draw
        weights = [np.stack([w[l] for w, _ in flat]) for l in range(depth)]
        grad = np.abs(relu_input_grads(weights, np.stack([x for _, x in flat], axis=1), n // 2))
        for i in range(len(ss)):
            total = np.zeros(n)
            for k in range(ERF_DRAWS):
                total += grad[:, i * ERF_DRAWS + k].sum(axis=(0, 1))
            out[i, j] = mass_width(total)
    return out


@memo
def erf_runs(seed_set: int = 0) -> dict[str, np.ndarray]:
    """95 %-mass width of the input gradient (1-D) against depth, for uniform weights (linear,
    no randomness) and for random He weights with ReLU (one row per seed of the seed set)."""
    n = 2 * max(ERF_DEPTHS) + 1 + 16
    uniform = []
    for depth in ERF_DEPTHS:
        W = [np.full((1, 1, 3), 1 / 3)] * depth
        g = stack_input_grad(_erf_stack(depth), np.zeros((1, 1, n)), W, n // 2)[0, 0]
        uniform.append(mass_width(g))
    theory = [receptive_field(_erf_stack(d))[-1].size for d in ERF_DEPTHS]
    return {
        "depth": np.array(ERF_DEPTHS),
        "theory": np.array(theory),
        "uniform": np.array(uniform),
        "relu": relu_widths(seed_set),
    }


def _draw_erf(theme: Theme):
    m, r = erf_map(), erf_runs(0)
    fig, (ax1, ax2) = new_figure(theme, ncols=2, width=9.6, height=4.2)
    n = m.shape[0]
    c = n // 2
    cmap = LinearSegmentedColormap.from_list("erf", [theme.bg, theme.palette[0]])
    # a small bitmap, one pixel per input pixel: a vector quad per cell would be ~100 KB
    lim = (-c - 0.5, c + 0.5)
    ax1.imshow(m, cmap=cmap, vmin=0, vmax=1, interpolation="nearest", extent=(*lim, *lim[::-1]))
    h = ERF_MAP_DEPTH + 0.5
    ax1.add_patch(_rect(-h, -h, 2 * h, 2 * h, theme.palette[1], fill=False))
    ax1.set_aspect("equal")
    ax1.grid(False)
    ax1.set_xlabel("input column − centre")
    ax1.set_ylabel("input row − centre")
    ax1.set_title(f"|∂y/∂x| after {ERF_MAP_DEPTH} layers 3×3, uniform weights")

    d = r["depth"]
    ax2.plot(d, r["theory"], marker="o", label="theoretical field")
    ax2.plot(d, r["uniform"], marker="s", label="95 % of gradient, uniform")
    relu = r["relu"]
    mean = relu.mean(axis=0)
    bars = np.vstack([mean - relu.min(axis=0), relu.max(axis=0) - mean])
    ax2.errorbar(
        d,
        mean,
        yerr=bars,
        marker="^",
        capsize=3,
        label=f"95 % of gradient, ReLU ({ERF_SEEDS} seeds)",
    )
    ax2.plot(d, 3.2 * np.sqrt(d), color=theme.muted, linestyle=":", label="∝ √L")
    ax2.set_xscale("log", base=2)
    ax2.set_yscale("log", base=2)
    # plain numbers, not 2^k: easier to read, and no mathtext to lay out three times
    ax2.set_yticks(ticks := [4, 8, 16, 32, 64], [str(t) for t in ticks])
    ax2.set_xticks(d)
    ax2.set_xticklabels([str(x) for x in d])
    ax2.set_xlabel("depth L (3×3 convolutions)")
    ax2.set_ylabel("width (pixels)")
    ax2.legend(loc="upper left")
    return fig


# %%
erf = erf_runs(0)
print("depth         " + " ".join(f"{x:5}" for x in erf["depth"]))
print("theory        " + " ".join(f"{x:5}" for x in erf["theory"]))
print("uniform       " + " ".join(f"{x:5}" for x in erf["uniform"]))
print("ReLU (mean)   " + " ".join(f"{x:5.1f}" for x in erf["relu"].mean(axis=0)))

# %%
show(_draw_erf)

# %% [markdown]
# ## The page's figures, values, claims and calculator data
#
# The build calls these after running the module; `claims(seed_set=1)` re-checks every claim on
# a second, disjoint set of seeds.


# %%
def figures():
    """Figure name → function drawing it for a theme."""
    return {"field-growth": _draw_growth, "field-grid": _draw_grid, "effective-field": _draw_erf}


def values() -> dict[str, object]:
    """Every number the page quotes, formatted as the page shows it."""
    v: dict[str, object] = {"example_table": example_table(), "network_table": network_table()}
    ex = receptive_field(list(EXAMPLE))
    last = ex[-1]
    v.update(ex_size=last.size, ex_stride=last.stride, ex_padding=last.padding)
    v["ex_input"] = EXAMPLE_INPUT
    v["ex_n_out"] = output_sizes(list(EXAMPLE), EXAMPLE_INPUT)[-1]
    v["ex_closed"] = " + ".join(
        f"{layer.k_eff - 1} \\cdot {s}"
        for layer, s in zip(EXAMPLE, [1] + [f.stride for f in ex[:-1]])
    )
    for i in (0, 3):
        a, b = field_of(list(EXAMPLE), i)
        v[f"ex_field{i}"] = f"[{a}, {b}]".replace("-", "−")
        a, b = field_of(list(EXAMPLE), i, EXAMPLE_INPUT)
        v[f"ex_clip{i}"] = f"[{a}, {b}]"
    c = small_kernel_costs(COST_CHANNELS)
    v["cost_channels"] = COST_CHANNELS
    for key, val in c.items():
        v[f"cost_{key}"] = f"{val:,}"
    for n in (2, 3):
        v[f"cost_saving_{n}"] = fmt(100 * (1 - c[f"small_{n}"] / c[f"big_{n}"]), 0)

    rows = {r["variant"]: r for r in network_fields()}
    for key, variant in (
        ("alex", "TF-slim alexnet_v2"),
        ("alext", "torchvision alexnet"),
        ("vgg", "TF-slim vgg_16, torchvision vgg16"),
        ("rs", "TF-slim resnet_v1_50"),
        ("rt", "torchvision resnet50 (v1.5)"),
    ):
        f = rows[variant]["field"]
        v.update({f"{key}_size": f.size, f"{key}_stride": f.stride, f"{key}_padding": f.padding})
    v["rs_321_padding"] = receptive_field(resnet50_slim(321))[-1].padding
    vgg = rows["TF-slim vgg_16, torchvision vgg16"]["field"]
    v["vgg_centre"] = f"{(vgg.size - 1) / 2 - vgg.padding:g}"  # centre of output 0
    v["growth_stride"] = receptive_field(GROWTH_STACKS[3][1])[-1].stride
    for key, variant in (
        ("vgg", "TF-slim vgg_16, torchvision vgg16"),
        ("rs", "TF-slim resnet_v1_50"),
    ):
        f = rows[variant]["field"]
        first, last = f.interval(0)
        outside = max(0, -first) + max(0, last - (NETWORK_INPUT - 1))
        v[f"{key}_pad_px"] = outside
        v[f"{key}_pad_share"] = fmt(100 * outside / f.size, 0)
    v["network_input"] = NETWORK_INPUT

    s = support_check_runs(0)
    v.update({f"check_{k}": f"{val:g}" for k, val in s.items()})
    v["check_clip_inexact"] = int(s["clipped"] - s["clip_exact"])

    r = erf_runs(0)
    i10 = int(np.searchsorted(r["depth"], 32))
    v["erf_depth_max"] = int(r["depth"][i10])
    v["erf_theory_max"] = int(r["theory"][i10])
    v["erf_uniform_max"] = int(r["uniform"][i10])
    relu = r["relu"][:, i10]
    v["erf_relu_max"] = fmt(relu.mean(), 1)
    v["erf_relu_lo"], v["erf_relu_hi"] = int(relu.min()), int(relu.max())
    v["erf_seeds"] = ERF_SEEDS
    v["erf_draws"], v["erf_inputs"] = ERF_DRAWS, ERF_INPUTS
    fit = r["depth"] >= ERF_FIT_FROM
    v["erf_fit_from"] = ERF_FIT_FROM
    v["erf_slope_theory"] = fmt(loglog_slope(r["depth"][fit], r["theory"][fit]), 2)
    v["erf_slope_uniform"] = fmt(loglog_slope(r["depth"][fit], r["uniform"][fit]), 2)
    slopes = [loglog_slope(r["depth"][fit], row[fit]) for row in r["relu"]]
    mean, std = evidence.mean_std(slopes)
    v["erf_slope_relu"] = fmt(mean, 2)
    v["erf_slope_relu_std"] = fmt(std, 2)
    v["erf_depths_ratio"] = ", ".join(str(x) for x in ERF_DEPTHS if x >= 2)
    v["erf_map_depth"] = ERF_MAP_DEPTH
    m = erf_map()
    theory = receptive_field(_erf_stack(ERF_MAP_DEPTH))[-1].size
    v["erf_map_theory"] = theory
    v["erf_map_pixels"] = mass_width(m)
    v["erf_map_area_pct"] = fmt(100 * mass_width(m) / theory**2, 0)

    g = grid_runs()
    holes = g[1]
    v["grid_holes_seen"] = int(np.count_nonzero(holes["g"]))
    v["grid_holes_field"] = holes["field"].size ** 2
    for i, run in enumerate(g):
        v[f"grid_side_{i}"] = run["field"].size
        v[f"grid_seen_{i}"] = int(np.count_nonzero(run["g"]))
    for i, (_, layers) in enumerate(GROWTH_STACKS):
        v[f"growth_{i}"] = receptive_field(layers)[-1].size

    p = pool_support_runs(0)
    v["pool_seeds"] = POOL_SEEDS
    v["pool_avg_pixels"] = int(p["avgpool"].min())  # the same for every input (checked)
    v["pool_max_lo"], v["pool_max_hi"] = int(p["maxpool"].min()), int(p["maxpool"].max())
    v["pool_max_mean"] = fmt(p["maxpool"].mean(), 1)
    v["pool_field"] = int(p["field"])
    return v


def claims(seed_set: int = 0) -> dict[str, tuple[bool, str]]:
    """What the page concludes from its experiments, each with its evidence, on `seed_set`."""
    out = {}
    s = support_check_runs(seed_set)
    n, inside, clipped = s["stacks"], s["inside"], s["clipped"]
    out["support_equals_tracking"] = (
        s["tracked"] == n,
        f"{s['tracked']} of {n} random stacks (one per seed): gradient support equals the "
        "tracked taps",
    )
    out["support_within_field"] = (
        s["within"] == n,
        f"{s['within']} of {n} random stacks: support inside the predicted interval",
    )
    out["support_exact_inside"] = (
        inside > 0 and s["inside_exact"] == inside,
        f"{s['inside_exact']} of {inside} outputs whose field lies inside the image: support "
        f"equals the predicted offsets; {s['holes']} of {n} stacks have holes",
    )
    inexact = clipped - s["clip_exact"]
    causes = [s[f"cause_{c}"] for c in CAUSES]
    out["clip_shortfall_explained"] = (
        clipped > 0 and s["clip_predicted"] == clipped and min(causes) > 0,
        f"{s['clip_predicted']} of {clipped} outputs at the border: support equals the "
        "prediction built from the layer list (reachable offsets in the image, minus pixels "
        "past some layer's last field, minus pixels whose every tap path runs through an "
        f"intermediate layer's padding); the clipped interval is exact in {s['clip_exact']}; "
        f"of the other {inexact}, holes remove pixels in {causes[0]}, the dropped tail in "
        f"{causes[1]}, intermediate padding in {causes[2]} ({s['cause_padding_only']} with no "
        f"other cause); clipped interval too wide by a median of {s['shortfall_median']:g} and "
        f"at most {s['shortfall_max']} pixels",
    )
    p = pool_support_runs(seed_set)
    avg, mx = p["avgpool"], p["maxpool"]
    out["max_pool_reaches_fewer"] = (
        bool(np.all(avg == p["field"]) and np.all(mx < avg) and np.all(p["winners"])),
        f"{len(mx)} random inputs and weights: average pooling reaches all {int(p['field'])} "
        f"pixels of the field every time, max pooling {mx.min()} to {mx.max()} "
        f"(mean {mx.mean():.1f}); its gradient support equals the pixels on the max pools' "
        f"winning paths, found from the forward pass, on {int(p['winners'].sum())} of "
        f"{len(mx)} inputs",
    )
    r = erf_runs(seed_set)
    fit = r["depth"] >= ERF_FIT_FROM
    d = r["depth"][fit]
    theory = loglog_slope(d, r["theory"][fit])
    uniform = loglog_slope(d, r["uniform"][fit])
    relu = np.array([loglog_slope(d, row[fit]) for row in r["relu"]])
    out["erf_uniform_sqrt"] = (
        abs(uniform - 0.5) < 0.1 and theory - uniform > 0.3,
        f"log-log slope of the 95 % width from depth {ERF_FIT_FROM} to {d[-1]}: {uniform:.3f} "
        f"(1/2 for square-root growth), theoretical field {theory:.3f}; no randomness",
    )
    half = (0.5 + theory) / 2  # a seed's slope is nearer 1/2 than the field's below this
    # above 1/2 by more than the spread over seeds (evidence's rule), and far below the field
    over = relu - 0.5
    out["erf_relu_sqrt"] = (
        bool(evidence.direction(over) == 1 and np.all(relu < half) and theory - relu.max() > 0.3),
        f"log-log slope over {len(relu)} seeds: {evidence.spread(relu, digits=3)} (mean ± std), "
        f"slope minus 1/2 {evidence.describe(over, digits=3)}; every seed nearer 1/2 than the "
        f"theoretical field's {theory:.3f} (below the midpoint {half:.3f}; largest seed "
        f"{relu.max():.3f})",
    )
    from2 = r["depth"] >= 2
    ratios = np.vstack([r["uniform"], r["relu"]])[:, from2] / r["theory"][from2]
    last = ratios[1:, -1]
    out["erf_fraction_shrinks"] = (
        bool(np.all(np.diff(ratios, axis=1) < 0)),
        f"95 % width / theoretical field falls at each depth measured from 2 to {d[-1]} for "
        f"uniform weights and for each of {len(relu)} ReLU seeds: uniform "
        + ", ".join(f"{x:.2f}" for x in ratios[0])
        + f"; ReLU at depth {d[-1]} {evidence.spread(last, digits=2)} (mean ± std), min "
        f"{last.min():.2f}, max {last.max():.2f}",
    )
    return out


WIDGET_PRESETS = (
    ("Worked example", lambda: list(EXAMPLE)),
    ("AlexNet (TF-slim)", alexnet_v2_slim),
    ("VGG-16", vgg16),
    ("ResNet-50 (torchvision)", resnet50_torchvision),
    ("MobileNet v1 (TF-slim)", mobilenet_v1_slim),
)


def _layer_json(layer: Layer) -> dict:
    return {
        "kind": layer.kind,
        "kernel": layer.kernel,
        "stride": layer.stride,
        "padding": layer.padding,
        "dilation": layer.dilation,
    }


def widget_vectors(n: int = 40, seed: int = 7) -> list[dict]:
    """Random stacks with their fields, output sizes and one clipped field, computed here; the
    browser tests feed the same stacks to the JavaScript calculator and compare."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        layers = []
        for _ in range(int(rng.integers(1, 7))):
            kind = str(rng.choice(KINDS))
            k = int(rng.integers(1, 6))
            d = int(rng.integers(1, 4)) if kind == "conv" else 1
            k_eff = d * (k - 1) + 1
            p = int(rng.integers(0, 4)) if kind == "conv" else int(rng.integers(0, k_eff // 2 + 1))
            layers.append(Layer(k, int(rng.integers(1, 4)), p, d, kind))
        size = int(rng.integers(8, 80))
        try:
            sizes = output_sizes(layers, size)
        except ValueError:
            continue
        index = int(rng.integers(0, sizes[-1]))
        out.append(
            {
                "layers": [_layer_json(layer) for layer in layers],
                "fields": [list(f) for f in receptive_field(layers)],
                "input_size": size,
                "output_sizes": sizes,
                "index": index,
                "field": list(field_of(layers, index, size) or []),
            }
        )
    return out


def data() -> dict:
    """JSON for the calculator: presets (from the same layer lists as the table) and vectors."""
    presets = [
        {"name": name, "layers": [_layer_json(layer) for layer in build()]}
        for name, build in WIDGET_PRESETS
    ]
    return {"widget": {"presets": presets, "vectors": widget_vectors()}}
