"""DL0009 · Pooling: the page module of docs/cnn/dl0009-pooling.md.

This notebook computes what the page shows: the 4×4 worked example pooled by max and by average,
forward and backward (gradients routed to a winner or spread over the window); PyTorch's border
rules on small inputs (−∞ padding, `count_include_pad`, `ceil_mode`, ties); and the experiment
that shifts blob-like feature maps by one pixel and measures how much each pooling's output
changes, over seeds. The pooling itself is the reference code in `snippets/pooling.py`. Change a
parameter (the example's input, a window size, the experiment's number of seeds or maps) and
re-run the cells below it.
"""

# %%
from __future__ import annotations

import functools

import numpy as np

from snippets import checks, evidence
from snippets.companion import show
from snippets.formatting import fmt, tex_matrix
from snippets.memo import memo
from snippets.plotting import Theme, new_figure
from snippets.pooling import avg_pool2d, avg_pool2d_backward, max_pool2d, max_pool2d_backward
from snippets.pooling_geometry import pool_divisors, pool_output_size
from snippets.seeds import seeds

# %% [markdown]
# ## The worked example
# The classic 4×4 map pooled with 2×2 windows and stride 2, then with overlapping 3×3 windows
# and stride 1; an upstream gradient of one number per window shows where each pooling sends
# it. Max pooling hands a window's gradient to its winner, the first maximum in row-major order.

# %%
EXAMPLE_X = [[1, 3, 2, 9], [5, 6, 1, 7], [4, 2, 8, 1], [0, 3, 5, 4]]
EXAMPLE_DY = [[1, 2], [3, 4]]


@memo
def worked_example() -> dict[str, np.ndarray]:
    """The 4×4 example pooled 2×2/2 and 3×3/1 (overlapping), forward and backward, and the
    cell that wins each overlapping window."""
    X = np.array(EXAMPLE_X, dtype=float)[None, None]
    dY = np.array(EXAMPLE_DY, dtype=float)[None, None]
    out = {"X": X[0, 0], "dY": dY[0, 0]}
    for tag, k, s in (("", 2, 2), ("ov_", 3, 1)):
        out[tag + "max"] = max_pool2d(X, k, s)[0, 0]
        out[tag + "avg"] = avg_pool2d(X, k, s)[0, 0]
        out[tag + "dX_max"] = max_pool2d_backward(dY, X, k, s)[0, 0]
        out[tag + "dX_avg"] = avg_pool2d_backward(dY, X.shape, k, s)[0, 0]
    out["ov_winners"] = winners(X[0], 3, 1)
    return out


def winners(X: np.ndarray, k: int, s: int) -> list[tuple[int, int]]:
    """(row, column) of the cell that wins each window of the (C=1, H, W) map X, windows in
    row-major order: where max pooling's backward pass sends a gradient of 1 on that window."""
    Y = max_pool2d(X, k, s)
    out = []
    for a, b in np.ndindex(Y.shape[1:]):
        one_hot = np.zeros_like(Y)
        one_hot[0, a, b] = 1.0
        (r, c), *_ = np.argwhere(max_pool2d_backward(one_hot, X, k, s)[0])
        out.append((int(r), int(c)))
    return out


# %%
example = worked_example()
print("2×2/2  max:", example["max"].tolist(), " avg:", example["avg"].tolist())
print("       dX max:", example["dX_max"].tolist())
print("3×3/1  max:", example["ov_max"].tolist(), " winners:", example["ov_winners"])
print("       dX max:", example["ov_dX_max"].tolist())

# %% [markdown]
# ## Borders: padding, `count_include_pad`, `ceil_mode` and ties
# PyTorch's rules on small inputs: the divisors of a 3×3/2 average with padding 1 on a 5×5
# map of ones, an all-negative map max-pooled with padding (−∞ never wins), the number of
# windows with and without `ceil_mode`, and a tie.

# %%


@memo
def edge_cases() -> dict[str, object]:
    """Padding, count_include_pad and ceil_mode on small inputs, for the page's tables."""
    ones = np.ones((1, 1, 5, 5))
    dY = np.ones((1, 1, 3, 3))
    neg = -np.arange(1.0, 10.0).reshape(1, 1, 3, 3)  # all negative, maximum −1 at the corner
    return {
        "div_incl": np.outer(*[pool_divisors(5, 3, 2, 1, False, True)] * 2),
        "div_excl": np.outer(*[pool_divisors(5, 3, 2, 1, False, False)] * 2),
        "avg_incl": avg_pool2d(ones, 3, 2, 1)[0, 0],
        "avg_excl": avg_pool2d(ones, 3, 2, 1, count_include_pad=False)[0, 0],
        "grad_total": float(dY.sum()),
        "grad_sum_incl": float(avg_pool2d_backward(dY, ones.shape, 3, 2, 1).sum()),
        "grad_sum_excl": float(avg_pool2d_backward(dY, ones.shape, 3, 2, 1, False, False).sum()),
        "neg_X": neg[0, 0],
        "neg_max": max_pool2d(neg, 3, 1, 1)[0, 0],
        # the same pooling with zeros as padding: every window that touches the border says 0
        "neg_zero_wins": int(
            np.sum(max_pool2d(np.pad(neg, ((0, 0), (0, 0), (1, 1), (1, 1))), 3, 1) == 0)
        ),
        "floor_5": pool_output_size(5, 2, 2, 0, False),
        "ceil_5": pool_output_size(5, 2, 2, 0, True),
        "ceil_6_div_incl": pool_divisors(6, 3, 2, 1, True, True),
        "ceil_6_div_excl": pool_divisors(6, 3, 2, 1, True, False),
        "ceil_5_p1_raw": -(-(5 + 2 - 2) // 2) + 1,
        "ceil_5_p1": pool_output_size(5, 2, 2, 1, True),
        # beyond PyTorch's limit: k = 3, s = 1, p = 2 on a row of 5; the first window is −2..0
        "bigpad_n": pool_output_size(5, 3, 1, 2),
        "tie_dX": max_pool2d_backward(np.ones((1, 1, 1, 1)), np.ones((1, 1, 2, 2)), 2)[0, 0],
    }


# %%
borders = edge_cases()
print("divisors 3×3/2 pad 1 on 5×5, count_include_pad=True: ", borders["div_incl"].tolist())
print("                               count_include_pad=False:", borders["div_excl"].tolist())
print("all-negative input, max 3×3/1 pad 1:", borders["neg_max"].tolist())
print("zero padding would make", borders["neg_zero_wins"], "of these 9 outputs 0")
print("windows on 5 cells, k = s = 2: floor", borders["floor_5"], " ceil", borders["ceil_5"])
print("a tie in a constant 2×2 window, dX:", borders["tie_dX"].tolist())

# %% [markdown]
# ## Experiment: shift a feature map by one pixel
# First a hand-made row of detector outputs moved right by one and pooled 1×3 with stride 1;
# then random blob-like maps (ReLU of blurred noise), each compared with itself moved right by
# one pixel, for max and average pooling with 2×2 and 3×3 windows (stride 2), and MaxBlurPool.
# "change" is ‖f(X) − f(X shifted)‖ / ‖f(X)‖; "unchanged" is the share of outputs exactly
# equal, among those not zero in both.

# %%

SHIFT_ROW = [0.1, 0.2, 1.0, 0.3, 0.1, 0.0, 0.2, 0.9, 0.4, 0.1, 0.7, 0.2]
SHIFT_NEW = 0.3  # the value that enters on the left when the row moves right by one
SHIFT_SEEDS = 10  # seeds per seed set; each seed draws its own batch of maps
SHIFT_MAPS = 8  # maps per seed
SHIFT_SIZE = 64
SHIFT_BLUR = 1.0  # px, standard deviation of the Gaussian that makes blobs out of noise
SHIFT_POOLS = ((2, 2), (3, 2))
BLUR_121 = np.outer([1.0, 2.0, 1.0], [1.0, 2.0, 1.0]) / 16  # Zhang (2019)'s 3-tap binomial


@memo
def shift_row() -> dict[str, np.ndarray]:
    """A 1-D row of detector outputs, the same row moved right by one, both pooled 1×3/1."""
    x = np.array(SHIFT_ROW)
    x_shift = np.concatenate([[SHIFT_NEW], x[:-1]])
    out = {"x": x, "x_shift": x_shift}
    for name, pool in (("max", max_pool2d), ("avg", avg_pool2d)):
        out[name] = pool(x[None, None, None], (1, 3), 1)[0, 0, 0]
        out[name + "_shift"] = pool(x_shift[None, None, None], (1, 3), 1)[0, 0, 0]
    return out


row = shift_row()
for kind in ("max", "avg"):
    same = int(np.sum(row[kind] == row[kind + "_shift"]))
    print(f"{kind} 1×3, stride 1: {same} of {len(row[kind])} outputs unchanged by the shift")


# %%
def feature_maps(rng: np.random.Generator, n_maps: int, size: int, blur: float) -> np.ndarray:
    """ReLU of blurred white noise, shape (n_maps, 1, size, size + 1): blob-like activations."""
    rng = checks.generator("rng", rng)
    n_maps, size = checks.positive_int("n_maps", n_maps), checks.positive_int("size", size)
    blur = checks.number("blur", blur, 0.0, 1e3, open_max=True)
    Z = rng.standard_normal((n_maps, 1, size, size + 1))
    fy = np.fft.fftfreq(size)[:, None]
    fx = np.fft.rfftfreq(size + 1)[None, :]
    gain = np.exp(-2 * (np.pi * blur) ** 2 * (fy**2 + fx**2))  # Gaussian blur in Fourier space
    Z = np.fft.irfft2(np.fft.rfft2(Z) * gain, s=Z.shape[-2:])
    return np.maximum(Z / Z.std(), 0.0)


def max_blur_pool(X: np.ndarray) -> np.ndarray:
    """MaxBlurPool (Zhang, 2019): max 2×2 with stride 1, then a [1,2,1]⊗[1,2,1]/16 blur with
    stride 2 (no padding). X: (N, C, H, W) with H, W >= 4."""
    M = max_pool2d(X, 2, 1)
    Ho, Wo = (M.shape[-2] - 3) // 2 + 1, (M.shape[-1] - 3) // 2 + 1
    out = np.zeros(M.shape[:-2] + (Ho, Wo))
    for i in range(3):
        for j in range(3):
            out += BLUR_121[i, j] * M[..., i : i + 2 * Ho - 1 : 2, j : j + 2 * Wo - 1 : 2]
    return out


def _shift_poolings():
    """(key, label, pooling, k, s) per row of the shift table; 'none' is the control."""
    rows = [("none", "no pooling", lambda A: A, 1, 1)]
    for k, s in SHIFT_POOLS:
        for kind, pool in (("max", max_pool2d), ("avg", avg_pool2d)):
            f = functools.partial(pool, kernel_size=k, stride=s)
            rows.append((f"{kind}{k}", f"{kind} {k}×{k}, stride {s}", f, k, s))
    rows.append(("blur", "max 2×2 stride 1, blur stride 2", max_blur_pool, 2, 2))
    return rows


def _shift_one_seed(seed: int) -> dict[str, dict[str, float]]:
    """One batch of maps, each compared with itself moved right by one pixel."""
    Z = feature_maps(np.random.default_rng(seed), SHIFT_MAPS, SHIFT_SIZE, SHIFT_BLUR)
    X, X_shift = Z[..., 1:], Z[..., :-1]  # X_shift[..., c] == X[..., c - 1]
    out = {}
    for key, _, f, k, s in _shift_poolings():
        A, B = f(X), f(X_shift)
        active = (A != 0) | (B != 0)  # both 0 where ReLU silenced the region: not informative
        same = (A == B) & active
        row = {
            "rel_change": float(np.linalg.norm(A - B) / np.linalg.norm(A)),
            "unchanged": float(np.sum(same) / np.sum(active)),
        }
        if key.startswith("max"):
            # the winner test, built without the pooled outputs: a max output cannot change when
            # the largest cell of both windows together lies in the cells they share; otherwise
            # it changes unless two different cells hold exactly the same value
            col = functools.partial(max_pool2d, kernel_size=(k, 1), stride=s)
            enter = col(X_shift)[..., : A.shape[-1]]
            leave = col(X[..., k - 1 :])[..., : A.shape[-1]]
            shared = max_pool2d(X, (k, k - 1), s)[..., : A.shape[-1]]
            stays = (shared >= enter) & (shared >= leave)
            row["same_is_winner_stays"] = bool(np.array_equal(same, stays & active))
        if key.startswith("avg"):
            # a window's mean moves by (entering − leaving)/k²; the column entering the shifted
            # window is its first, the one leaving the original window is its last
            col = functools.partial(max_pool2d, kernel_size=(k, 1), stride=s)
            enter = col(X_shift)[..., : A.shape[-1]]
            leave = col(X[..., k - 1 :])[..., : A.shape[-1]]
            zero_swap = (enter == 0) & (leave == 0)  # inputs are >= 0: max 0 means all 0
            row["same_is_zero_swap"] = bool(np.array_equal(same, zero_swap & active))
        out[key] = row
    # stride 2: a two-pixel shift moves the pooled map by one cell; a one-pixel shift matches
    # no shift of it. Distance to the best of the pooled map moved by 0, 1 or 2 cells.
    for kind, pool in (("max", max_pool2d), ("avg", avg_pool2d)):
        base, one, two = pool(Z[..., 2:], 2), pool(Z[..., 1:-1], 2), pool(Z[..., :-2], 2)
        W = base.shape[-1]
        out[f"odd_{kind}"] = {
            "best_match": min(
                float(np.linalg.norm(one[..., m:] - base[..., : W - m]))
                / float(np.linalg.norm(base[..., : W - m]))
                for m in range(3)
            ),
            "two_px_error": float(np.max(np.abs(two[..., 1:] - base[..., :-1]))),
        }
    return out


@memo
def shift_runs(seed_set: int = 0) -> dict[str, dict[str, np.ndarray]]:
    """Per pooling key, every metric of `_shift_one_seed` as an array over the set's seeds."""
    runs = [_shift_one_seed(sd) for sd in seeds(SHIFT_SEEDS, seed_set)]
    return {key: {m: np.array([r[key][m] for r in runs]) for m in runs[0][key]} for key in runs[0]}


def _pct(values) -> str:
    """Mean ± standard deviation over seeds of a fraction, in percent (points)."""
    return evidence.spread(values, scale=100)


def _sd(d) -> float:
    """Standard deviation over seeds (n − 1), the site's rule."""
    return evidence.mean_std(d)[1]


# %%
runs = shift_runs(0)
print(f"{SHIFT_SEEDS} seeds × {SHIFT_MAPS} maps, mean ± std over seeds, in %")
print(f"{'pooling':34} {'change':>12} {'unchanged':>12}")
for key, label, *_ in _shift_poolings():
    change, same = (_pct(runs[key][m]) for m in ("rel_change", "unchanged"))
    print(f"{label:34} {change:>12} {same:>12}")


# %% [markdown]
# ## What the page concludes, checked
# Each conclusion is a claim: `claims(seed_set)` returns name → (holds, evidence). Poolings
# that are compared saw the same maps in a seed, so each comparison is made on the per-seed
# differences, with the sample standard deviation (`snippets.evidence`); every claim also
# sets a bar stricter than the site's rule (a margin of several standard deviations).


# %%
def _avg_minus_max(r) -> dict[int, np.ndarray]:
    """Per window size k, per seed: average pooling's change minus max pooling's."""
    return {
        k: evidence.paired(r[f"avg{k}"]["rel_change"], r[f"max{k}"]["rel_change"])
        for k, _ in SHIFT_POOLS
    }


def claims(seed_set: int = 0) -> dict[str, tuple[bool, str]]:
    """What the page concludes from the shift experiment, checked on `seed_set`."""
    r = shift_runs(seed_set)
    n = SHIFT_SEEDS
    ch = {key: v["rel_change"] for key, v in r.items() if "rel_change" in v}
    un = {key: v["unchanged"] for key, v in r.items() if "unchanged" in v}
    pools = [key for key in ch if key != "none"]
    out: dict[str, tuple[bool, str]] = {}

    # every pooling moves less than the unpooled map, seed by seed (paired: same maps)
    gaps = {key: evidence.paired(ch["none"], ch[key]) for key in pools}
    worst = min(pools, key=lambda key: gaps[key].min())
    spread = max(_sd(g) for g in gaps.values())
    ok = all(np.all(g > 0) for g in gaps.values()) and gaps[worst].min() > 2 * spread
    out["pooling_damps_shift"] = (
        bool(ok),
        f"{n} of {n} seeds for all {len(pools)} poolings; smallest paired margin "
        f"{fmt(100 * gaps[worst].min(), 1)} points ({worst}), std of the paired per-seed "
        f"differences at most {fmt(100 * spread, 1)} (bar: margin above 2 std)",
    )

    # 3×3 windows move less than 2×2 ones, for both kinds (paired)
    d = {kind: evidence.paired(ch[f"{kind}2"], ch[f"{kind}3"]) for kind in ("max", "avg")}
    s = max(_sd(v) for v in d.values())
    low = min(float(v.min()) for v in d.values())
    out["larger_window_damps_more"] = (
        bool(all(np.all(v > 0) for v in d.values()) and low > 2 * s),
        f"{n} of {n} seeds for max and avg; 2×2 minus 3×3 "
        + ", ".join(f"{kind} {_pct(v)} points" for kind, v in d.items())
        + f" (mean ± std of the paired per-seed differences); smallest {fmt(100 * low, 1)} "
        f"points, bar: above 2 std",
    )

    # max changes consistently less than avg (paired: same maps, same seeds)
    g = _avg_minus_max(r)
    pos = {k: int(np.sum(g[k] > 0)) for k in g}
    ok = all(pos[k] >= n - 1 and g[k].mean() > 2 * _sd(g[k]) for k in g)
    out["max_changes_less_than_avg"] = (
        bool(ok),
        "; ".join(
            f"{k}×{k}: avg minus max {_pct(g[k])} points (mean ± std of the paired per-seed "
            f"differences), positive in {pos[k]} of {n} seeds, mean/std "
            f"{fmt(g[k].mean() / _sd(g[k]), 1)} (bar 2)"
            for k in g
        ),
    )

    # max leaves many outputs exactly unchanged, average few
    ratio = {k: un[f"max{k}"].mean() / un[f"avg{k}"].mean() for k, _ in SHIFT_POOLS}
    margin = {k: evidence.paired(un[f"max{k}"], un[f"avg{k}"]) for k, _ in SHIFT_POOLS}
    s = max(_sd(margin[k]) for k in margin)
    ok = all(np.all(margin[k] > 0) and margin[k].min() > 5 * s and ratio[k] > 5 for k in margin)
    out["max_keeps_more_outputs_exactly"] = (
        bool(ok),
        "; ".join(
            f"{k}×{k}: max {_pct(un[f'max{k}'])} %, avg {_pct(un[f'avg{k}'])} % "
            f"(mean ± std), ratio {fmt(ratio[k], 0)}"
            for k in margin
        )
        + f"; max ahead in {n} of {n} seeds, smallest paired margin "
        + f"{fmt(100 * min(float(m.min()) for m in margin.values()), 1)} points, "
        + f"std of the paired margins at most {fmt(100 * s, 1)} (bar: margin above 5 std, "
        + "ratio above 5)",
    )
    # the mechanism: max outputs stay exactly where the winner stays in the shared cells
    ws = [r[f"max{k}"]["same_is_winner_stays"] for k, _ in SHIFT_POOLS]
    ok = all(np.all(w) for w in ws)
    out["max_unchanged_where_winner_stays"] = (
        bool(ok),
        f"{sum(int(np.sum(w)) for w in ws)} of {2 * n} seed-and-window cases (2×2 and 3×3): the "
        "unchanged max outputs are exactly the active windows whose largest cell, over the "
        "original and the shifted window together, lies in the cells both share",
    )
    zs = [r[f"avg{k}"]["same_is_zero_swap"] for k, _ in SHIFT_POOLS]
    out["avg_unchanged_only_where_zeros_swap"] = (
        bool(all(np.all(z) for z in zs)),
        f"{sum(int(np.sum(z)) for z in zs)} of {2 * n} seed-and-window cases (2×2 and 3×3): the "
        "unchanged average outputs are exactly the active windows whose entering and leaving "
        "cells are all 0",
    )

    # a blur before the stride (MaxBlurPool) changes less than max 2×2 (paired)
    d = evidence.paired(ch["max2"], ch["blur"])
    pos_b = int(np.sum(d > 0))
    out["blur_pool_changes_less"] = (
        bool(pos_b >= n - 1 and d.mean() > 2 * _sd(d)),
        f"max 2×2 minus MaxBlurPool {_pct(d)} points (mean ± std of the paired per-seed "
        f"differences), positive in {pos_b} of {n} seeds, mean/std "
        f"{fmt(d.mean() / _sd(d), 1)} (bar 2); MaxBlurPool {_pct(ch['blur'])} %, max 2×2 "
        f"{_pct(ch['max2'])} %",
    )

    # stride 2: the one-pixel shift matches no shift of the pooled map
    best = {kind: r[f"odd_{kind}"]["best_match"] for kind in ("max", "avg")}
    two = max(float(r[f"odd_{kind}"]["two_px_error"].max()) for kind in ("max", "avg"))
    low = min(float(v.min()) for v in best.values())
    out["odd_shift_is_no_shift_of_output"] = (
        bool(low > 0.3 and two == 0.0),
        "closest shift (0, 1 or 2 cells) still differs by "
        + ", ".join(f"{kind} {_pct(v)} %" for kind, v in best.items())
        + f" (mean ± std; minimum {fmt(100 * low, 1)} %), {n} of {n} seeds; control: two-pixel "
        f"shift = one-cell shift, largest difference {two:g}",
    )
    return out


# %%
for name, (holds, _evidence) in claims(0).items():
    print(f"{'holds' if holds else 'FAILS'}  {name}")

# %% [markdown]
# ## Figures
# Each figure is a function of a theme (the site draws a light and a dark one): the worked
# example, where the gradient goes without and with overlapping windows, and the shifted row.

# %%
WINDOW_CELLS = {(0, 0): 0, (0, 1): 1, (1, 0): 2, (1, 1): 3}  # 2×2 window → palette index


def _grid(
    ax, M, theme: Theme, title: str, tint=None, bold=None, labels=None, origin=(0, 0), digits=None
):
    """Draw matrix M as a grid of unit cells with its numbers; `tint[r][c]` is (colour, alpha)."""
    from matplotlib.patches import Rectangle

    rows, cols = np.shape(M)
    y0, x0 = origin
    for r in range(rows):
        for c in range(cols):
            if tint is not None and tint[r][c][1] > 0:
                colour, alpha = tint[r][c]
                ax.add_patch(Rectangle((x0 + c, y0 + r), 1, 1, facecolor=colour, alpha=alpha, lw=0))
            strong = bold is not None and bold[r][c]
            ax.text(
                x0 + c + 0.5,
                y0 + r + 0.5,
                labels[r][c]
                if labels is not None
                else (_num(M[r][c]) if digits is None else fmt(M[r][c], digits)),
                ha="center",
                va="center",
                color=theme.fg if (strong or bold is None) else theme.muted,
                fontweight="bold" if strong else "normal",
            )
    # all grid lines as one NaN-separated path: a small SVG
    xs, ys = [], []
    for r in range(rows + 1):
        xs += [x0, x0 + cols, np.nan]
        ys += [y0 + r, y0 + r, np.nan]
    for c in range(cols + 1):
        xs += [x0 + c, x0 + c, np.nan]
        ys += [y0, y0 + rows, np.nan]
    ax.plot(xs, ys, color=theme.muted, linewidth=1, solid_capstyle="projecting")
    ax.set_xlim(-0.1, 4.1)
    ax.set_ylim(4.1, -0.1)  # row 0 at the top, like a matrix
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title)


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else fmt(v, 2)


def _window_tint(theme: Theme, rows: int, k: int, alpha: float = 0.35):
    return [
        [(theme.palette[WINDOW_CELLS[(r // k, c // k)]], alpha) for c in range(rows)]
        for r in range(rows)
    ]


def _draw_example(theme: Theme):
    e = worked_example()
    fig, axes = new_figure(theme, ncols=3, width=9.0, height=3.3)
    winners = e["dX_max"] != 0  # dY is all non-zero, so the winners are where dX is
    _grid(axes[0], e["X"], theme, "input X (4×4)", _window_tint(theme, 4, 2), winners)
    for ax, key, title in (
        (axes[1], "max", "max pool → 2×2"),
        (axes[2], "avg", "average pool → 2×2"),
    ):
        _grid(ax, e[key], theme, title, _window_tint(theme, 2, 1), origin=(1, 1))
    return fig


def _draw_routing(theme: Theme):
    e = worked_example()
    fig, axes = new_figure(theme, ncols=3, width=9.0, height=3.3)
    _grid(axes[0], e["dY"], theme, "upstream dY (2×2)", _window_tint(theme, 2, 1), origin=(1, 1))
    nonzero = e["dX_max"] != 0
    tint = [
        [(c, 0.35 if nonzero[r][col] else 0.0) for col, (c, _) in enumerate(row)]
        for r, row in enumerate(_window_tint(theme, 4, 2))
    ]
    _grid(axes[1], e["dX_max"], theme, "max: dX to the winner", tint, nonzero)
    _grid(axes[2], e["dX_avg"], theme, "average: dX = dY / 4", _window_tint(theme, 4, 2), digits=2)
    return fig


def _draw_overlap(theme: Theme):
    e = worked_example()
    fig, axes = new_figure(theme, ncols=3, width=9.0, height=3.3)
    X = e["X"]
    # which windows each cell wins, to spell out the sum that lands on it
    parts = [[[] for _ in range(4)] for _ in range(4)]
    for (r, c), g in zip(e["ov_winners"], e["dY"].ravel()):
        parts[r][c].append(_num(g))
    labels = [
        [
            _num(e["ov_dX_max"][r, c])
            + (f"\n({'+'.join(parts[r][c])})" if len(parts[r][c]) > 1 else "")
            for c in range(4)
        ]
        for r in range(4)
    ]
    top = float(np.max(e["ov_dX_max"]))
    heat = [[(theme.palette[0], 0.55 * v / top) for v in row] for row in e["ov_dX_max"]]
    _grid(axes[0], X, theme, "input X, 3×3 windows, stride 1", bold=e["ov_dX_max"] != 0)
    _grid(axes[1], e["ov_dX_max"], theme, "max: winners add up", heat, e["ov_dX_max"] != 0, labels)
    top = float(np.max(e["ov_dX_avg"]))
    heat = [[(theme.palette[0], 0.55 * v / top) for v in row] for row in e["ov_dX_avg"]]
    _grid(axes[2], e["ov_dX_avg"], theme, "average: Σ dY / 9 per cell", heat, digits=2)
    return fig


def _draw_shift(theme: Theme):
    r = shift_row()
    fig, axes = new_figure(theme, ncols=3, width=9.6, height=3.6)
    pos = np.arange(len(r["x"]))
    axes[0].plot(pos, r["x"], "o-", markersize=5, label="before")
    axes[0].plot(pos, r["x_shift"], "s--", markersize=4.5, label="after moving right by 1 px")
    axes[0].set_title("detector outputs")
    axes[0].set_xlabel("position (pixels)")
    axes[0].set_ylabel("activation")
    for ax, key, name in ((axes[1], "max", "max"), (axes[2], "avg", "average")):
        a, b = r[key], r[key + "_shift"]
        centre = np.arange(len(a)) + 1  # centre of each 1×3 window
        same = a == b
        ax.plot(centre, a, "o-", markersize=5)
        ax.plot(centre, b, "s--", markersize=4.5)
        ax.plot(
            centre[same],
            a[same],
            "o",
            markersize=13,
            markerfacecolor="none",
            markeredgecolor=theme.fg,
            markeredgewidth=1.5,
            label="unchanged output" if key == "max" else None,
        )
        ax.set_title(f"{name} 1×3, stride 1\n{int(same.sum())} of {len(a)} unchanged")
        ax.set_xlabel("window centre (pixels)")
        ax.tick_params(labelleft=False)  # same activation scale as the first panel
    for ax in axes:
        ax.set_xticks(range(0, len(pos), 2))
        ax.set_ylim(-0.05, 1.08)
        ax.set_yticks([0, 0.5, 1])
    fig.legend(loc="outside lower center", ncols=3)
    return fig


# %%
show(_draw_example)

# %%
show(_draw_shift)


# %% [markdown]
# ## What the build reads
# `figures()`, `values()` (every number the page quotes, formatted as it shows them),
# `claims()` and `data()` (test vectors for the page's JavaScript playground).


# %%
def figures():
    """Figure name → function drawing it for a theme."""
    return {
        "example": _draw_example,
        "gradient-routing": _draw_routing,
        "gradient-overlap": _draw_overlap,
        "shift": _draw_shift,
    }


def values() -> dict[str, object]:
    """Every number the page quotes, formatted as the page shows it."""
    v: dict[str, object] = {}
    e = worked_example()
    for key in ("X", "dY", "max", "dX_max", "ov_max", "ov_dX_max"):
        v[f"ex_{key}"] = tex_matrix(e[key], digits=0)
    for key in ("avg", "dX_avg"):
        v[f"ex_{key}"] = tex_matrix(e[key], digits=2)
    v["ex_ov_avg"] = tex_matrix(e["ov_avg"], digits=2)
    v["ex_ov_dX_avg"] = tex_matrix(e["ov_dX_avg"], digits=2)
    v["ex_max_list"] = ", ".join(_num(x) for x in e["max"].ravel())
    v["ex_avg_list"] = ", ".join(fmt(x, 2) for x in e["avg"].ravel())
    v["ex_dY_list"] = ", ".join(_num(x) for x in e["dY"].ravel())
    v["ex_dX_avg_list"] = ", ".join(fmt(x, 2) for x in e["dX_avg"].ravel()[[0, 2, 8, 10]])
    v["ex_tr_max"] = _num(e["max"][0, 1])
    v["ex_tr_avg"] = _num(e["avg"][0, 1])
    v["ex_ov_top"] = _num(e["ov_dX_max"].max())
    wins = e["ov_winners"]
    v["ex_ov_wins"] = max(wins.count(w) for w in wins)  # windows won by the busiest cell
    busiest = max(wins, key=wins.count)
    v["ex_ov_parts"] = " + ".join(
        _num(e["dY"].ravel()[i]) for i, w in enumerate(wins) if w == busiest
    )
    v["ex_ov_busiest"] = _num(e["X"][busiest])
    v["ex_ov_second"] = _num(np.sort(e["ov_dX_max"].ravel())[-2])
    v["ex_dY_sum"] = _num(e["dY"].sum())
    v["ex_dX_max_sum"] = _num(e["dX_max"].sum())
    v["ex_ov_dX_avg_sum"] = _num(e["ov_dX_avg"].sum())

    c = edge_cases()
    for key in ("div_incl", "div_excl", "neg_X", "neg_max", "tie_dX"):
        v[f"edge_{key}"] = tex_matrix(c[key], digits=0)
    for key in ("avg_incl", "avg_excl"):
        v[f"edge_{key}"] = tex_matrix(c[key], digits=3)
    for key in ("ceil_6_div_incl", "ceil_6_div_excl"):
        v[f"edge_{key}"] = tex_matrix(c[key], digits=0)
    v["edge_neg_zero_wins"] = c["neg_zero_wins"]
    v["edge_neg_outputs"] = int(c["neg_max"].size)
    v["edge_grad_total"] = _num(c["grad_total"])
    v["edge_ceil_6_n"] = len(c["ceil_6_div_incl"])
    v["edge_ceil_5_p1_last_start"] = (c["ceil_5_p1_raw"] - 1) * 2 - 1  # (out − 1)·s − p
    v["edge_grad_sum_incl"] = fmt(c["grad_sum_incl"], 2)
    v["edge_grad_sum_excl"] = _num(c["grad_sum_excl"])
    for key in ("floor_5", "ceil_5", "ceil_5_p1_raw", "ceil_5_p1", "bigpad_n"):
        v[f"edge_{key}"] = int(c[key])
    v["edge_floor_5_dropped_pct"] = fmt(100 * (25 - (2 * c["floor_5"]) ** 2) / 25, 0)

    r = shift_row()
    v["shift_n"] = len(r["max"])
    v["shift_max_same"] = int(np.sum(r["max"] == r["max_shift"]))
    v["shift_avg_same"] = int(np.sum(r["avg"] == r["avg_shift"]))
    v["shift_len"] = len(r["x"])
    v["shift_peaks"] = ", ".join(
        str(i) for i in range(1, len(r["x"]) - 1) if r["x"][i - 1] < r["x"][i] > r["x"][i + 1]
    )
    v["shift_seeds"] = SHIFT_SEEDS
    v["shift_maps"] = SHIFT_MAPS
    v["shift_size"] = SHIFT_SIZE
    v["shift_blur"] = fmt(SHIFT_BLUR, 0)
    runs = shift_runs()
    for key, *_ in _shift_poolings():
        v[f"shift_{key}_change"] = _pct(runs[key]["rel_change"])
        v[f"shift_{key}_same"] = _pct(runs[key]["unchanged"])
    gap = _avg_minus_max(runs)
    ch = {key: runs[key]["rel_change"].mean() for key in runs if "rel_change" in runs[key]}
    for k, _ in SHIFT_POOLS:
        v[f"shift_gap{k}"] = _pct(gap[k])
        # the gap as a share of each one's own change, in percent
        v[f"shift_gap{k}_of_avg"] = fmt(100 * gap[k].mean() / ch[f"avg{k}"], 0)
        v[f"shift_gap{k}_of_max"] = fmt(100 * gap[k].mean() / ch[f"max{k}"], 0)
    v["shift_blur_gap"] = evidence.spread(
        evidence.paired(runs["max2"]["rel_change"], runs["blur"]["rel_change"]), 100
    )
    for kind in ("max", "avg"):
        v[f"shift_odd_{kind}"] = _pct(runs[f"odd_{kind}"]["best_match"])
    return v


def widget_vectors(n: int = 60, seed: int = 11) -> list[dict]:
    """Random single-channel cases with both poolings and both gradients (for an upstream
    gradient dY) computed here; the browser tests feed the same cases to the JavaScript
    playground and compare. Small integer inputs, so ties happen."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        H, W = (int(v) for v in rng.integers(1, 8, size=2))
        k = tuple(int(v) for v in rng.integers(1, 5, size=2))
        s = tuple(int(v) for v in rng.integers(1, 4, size=2))
        p = tuple(int(rng.integers(0, kk // 2 + 1)) for kk in k)
        ceil_mode = bool(rng.integers(0, 2))
        include = bool(rng.integers(0, 2))
        X = rng.integers(-5, 6, size=(1, H, W)).astype(float)
        try:
            Ym = max_pool2d(X, k, s, p, ceil_mode)
        except ValueError:  # no window fits
            continue
        Ya = avg_pool2d(X, k, s, p, ceil_mode, include)
        dY = rng.integers(1, 5, size=Ym.shape).astype(float)
        out.append(
            {
                "x": X[0].tolist(),
                "kernel": list(k),
                "stride": list(s),
                "padding": list(p),
                "ceil_mode": ceil_mode,
                "count_include_pad": include,
                "dy": dY[0].tolist(),
                "max": Ym[0].tolist(),
                "avg": Ya[0].tolist(),
                "max_grad": max_pool2d_backward(dY, X, k, s, p, ceil_mode)[0].tolist(),
                "avg_grad": avg_pool2d_backward(dY, X.shape, k, s, p, ceil_mode, include)[
                    0
                ].tolist(),
            }
        )
    return out


def data() -> dict:
    """JSON for the playground's tests."""
    return {"widget": {"vectors": widget_vectors()}}
