"""Build benchmark: how long builds take, how the caches pay off, how heavy the pages are.

Run with `make bench` (or `python scripts/bench.py --runs 3`). It works on a copy of the project
in a temporary folder, so the checkout's caches are not touched, and measures on this machine:

- cold build (no cache at all), warm build (nothing changed), incremental build (one snippet
  edited: only it and what depends on it re-run);
- the yardstick: the same pages and notebooks rendered by the same configuration with the
  snippet pipeline replaced by a no-op (outputs as they are, see `YARDSTICK`), i.e. what
  rendering alone costs;
- the snippets' own compute: every snippet run once in one process, no build;
- page weight: each page's HTML plus the figures it shows (one colour scheme), and the site.

It prints a table with medians, spreads and ratios and writes everything to
`scripts/bench.json`, from which the "How this site is built" page quotes its numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EDITED = "pooling"  # the snippet the incremental build edits
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1")
# page weight budgets, in bytes of the page's own HTML (figures load separately, lazily)
# 150 KB until the pages' experiments got protocols, controls and claims (issue 11): the
# heaviest question page went to 159 KB of HTML (25-29 KB gzipped), about 60 KB of it the
# highlighted reference code. Cutting that weight is the work of the phone-performance issue.
QUESTION_PAGE_BUDGET = 180 * 1024
NOTEBOOK_PAGE_BUDGET = 200 * 1024
QUESTION_PAGE = re.compile(r"^[a-z-]+/[a-z]{2}\d{4}-")
NOTEBOOK_PAGE = re.compile(r"^generated/([a-z][a-z0-9_]*)/\1$")  # generated/<module>/<module>
# `mkdocs build` with the pipeline's step made a no-op before the hooks import it: the hooks
# find `scripts.pipeline` already imported (the project's root is first on sys.path)
YARDSTICK = (
    "import sys; sys.path.insert(0, '.');"
    "from scripts import pipeline;"
    "pipeline.build = lambda *args, **kwargs: pipeline.Report();"
    "from mkdocs.__main__ import cli; cli()"
)


def copy_project(dst: Path) -> Path:
    shutil.copy(ROOT / "mkdocs.yml", dst)
    # scripts/bench.json comes along: the "How this site is built" page quotes the last results
    ignore = shutil.ignore_patterns("generated", "node_modules", "__pycache__")
    for folder in ("docs", "snippets", "scripts"):
        shutil.copytree(ROOT / folder, dst / folder, ignore=ignore)
    (dst / "scripts" / "node_modules").symlink_to(ROOT / "scripts" / "node_modules")
    return dst


def build(project: Path, render_only: bool = False) -> float:
    start = time.perf_counter()
    mkdocs = ["-c", YARDSTICK] if render_only else ["-m", "mkdocs"]
    r = subprocess.run(
        [sys.executable, *mkdocs, "build", "--strict", "-d", str(project / "site")],
        cwd=project,
        env=ENV,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if r.returncode != 0:
        sys.exit(f"build failed:\n{r.stdout}{r.stderr}")
    return seconds


def clear_caches(project: Path) -> None:
    for folder in (project / ".cache", project / "docs" / "generated"):
        shutil.rmtree(folder, ignore_errors=True)


def snippet_compute(project: Path) -> float:
    """All snippets run once, one after another, in one fresh process."""
    code = (
        "import sys, time; sys.path.insert(0, '.');"
        "from scripts import pipeline;"
        "t = time.perf_counter();"
        "from pathlib import Path;"
        "[pipeline.run_snippet(s.name) for s in pipeline.discover(Path('.'))];"
        "print(time.perf_counter() - t)"
    )
    env = {**ENV, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=project, env=env, capture_output=True, text=True
    )
    if r.returncode != 0:
        sys.exit(f"snippets failed:\n{r.stderr}")
    return float(r.stdout.strip().splitlines()[-1])


KERNELS = """
import json, time, numpy as np, torch
from snippets import pooling as P, batchnorm as B
torch.set_num_threads(1)
X = np.random.default_rng(0).standard_normal((32, 64, 56, 56)).astype(np.float32)
Xt = torch.from_numpy(X)
bn = torch.nn.BatchNorm2d(64)
F = torch.nn.functional
def med(f, n=5):
    f(); ts = []
    for _ in range(n):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return sorted(ts)[n // 2]
def ours_max():
    Y = P.max_pool2d(X, 2); P.max_pool2d_backward(np.ones_like(Y), X, 2)
def ours_avg():
    Y = P.avg_pool2d(X, 2); P.avg_pool2d_backward(np.ones_like(Y), X.shape, 2)
def ours_bn():
    Y, c = B.batchnorm_forward(X, np.ones(64), np.zeros(64))
    B.batchnorm_backward(np.ones_like(Y), c)
def torch_run(layer):
    x = Xt.clone().requires_grad_(); layer(x).sum().backward()
out = {}
for name, ours, theirs in (
    ("max_pool2d", ours_max, lambda: torch_run(lambda x: F.max_pool2d(x, 2))),
    ("avg_pool2d", ours_avg, lambda: torch_run(lambda x: F.avg_pool2d(x, 2))),
    ("batchnorm", ours_bn, lambda: torch_run(bn)),
):
    a, b = med(ours), med(theirs)
    out[name] = {"numpy_s": a, "torch_s": b, "ratio": a / b}
print(json.dumps(out))
"""


def kernels(project: Path) -> dict | None:
    """Forward + backward of pooling and batch norm on (32, 64, 56, 56) float32 against
    PyTorch's CPU kernels (one thread each), when torch is importable; otherwise None."""
    env = {**ENV, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    r = subprocess.run(
        [sys.executable, "-c", KERNELS], cwd=project, env=env, capture_output=True, text=True
    )
    if r.returncode != 0:
        return None
    return json.loads(r.stdout.strip().splitlines()[-1])


def page_weights(site: Path) -> dict[str, dict[str, int]]:
    out = {}
    for html in sorted(site.rglob("index.html")):
        rel = html.parent.relative_to(site).as_posix()
        text = html.read_text()
        figures = 0
        for src in set(re.findall(r'src="([^"#]+-light\.svg)', text)):
            figures += (html.parent / src).resolve().stat().st_size
        out[rel or "."] = {"html": html.stat().st_size, "figures": figures}
    return out


def over_budget(weights: dict[str, dict[str, int]]) -> list[str]:
    """Question and notebook pages whose HTML is heavier than their budget."""
    out = []
    for page, w in sorted(weights.items()):
        budget = (
            QUESTION_PAGE_BUDGET
            if QUESTION_PAGE.match(page)
            else NOTEBOOK_PAGE_BUDGET
            if NOTEBOOK_PAGE.match(page)
            else None
        )
        if budget is not None and w["html"] > budget:
            out.append(f"{page}: {w['html'] / 1024:.0f} KB of HTML, budget {budget // 1024} KB")
    return out


def summary(times: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "runs": len(times),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="runs of each warm measurement")
    ap.add_argument("--cold-runs", type=int, default=2, help="runs of the cold build")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        project = copy_project(Path(tmp))
        cold = []
        for _ in range(args.cold_runs):
            clear_caches(project)
            cold.append(build(project))
        warm = [build(project) for _ in range(args.runs)]
        incremental = []
        edited = project / "snippets" / f"{EDITED}.py"
        for i in range(args.runs):
            edited.write_text(edited.read_text() + f"\n# benchmark edit {i}\n")
            incremental.append(build(project))
        yardstick = [build(project, render_only=True) for _ in range(args.runs)]
        compute = snippet_compute(project)
        kernel_times = kernels(project)
        weights = page_weights(project / "site")
        site_bytes = sum(p.stat().st_size for p in (project / "site").rglob("*") if p.is_file())

    t = {
        "cold": summary(cold),
        "warm": summary(warm),
        "incremental": summary(incremental),
        "yardstick": summary(yardstick),
    }
    y = t["yardstick"]["median"]
    questions = {k: v for k, v in weights.items() if QUESTION_PAGE.match(k)}
    notebooks = {k: v for k, v in weights.items() if NOTEBOOK_PAGE.match(k)}
    ratios = {
        "warm_over_yardstick": t["warm"]["median"] / y,
        "cold_over_yardstick_plus_compute": t["cold"]["median"] / (y + compute),
        "incremental_over_yardstick": t["incremental"]["median"] / y,
    }
    heaviest_q = max(questions.items(), key=lambda kv: kv[1]["html"])
    heaviest_nb = max(notebooks.items(), key=lambda kv: kv[1]["html"])
    values = {
        "kernels": (
            "not measured (torch not importable)"
            if kernel_times is None
            else ", ".join(f"{n} {k['ratio']:.1f}×" for n, k in kernel_times.items())
        ),
        "cold_s": f"{t['cold']['median']:.1f}",
        "warm_s": f"{t['warm']['median']:.2f}",
        "incremental_s": f"{t['incremental']['median']:.1f}",
        "yardstick_s": f"{t['yardstick']['median']:.2f}",
        "compute_s": f"{compute:.1f}",
        "warm_ratio": f"{ratios['warm_over_yardstick']:.2f}",
        "cold_ratio": f"{ratios['cold_over_yardstick_plus_compute']:.2f}",
        "incremental_ratio": f"{ratios['incremental_over_yardstick']:.2f}",
        "runs": args.runs,
        "cold_runs": args.cold_runs,
        "edited": EDITED,
        "heaviest_question": heaviest_q[0],
        "heaviest_question_kb": f"{heaviest_q[1]['html'] / 1024:.0f}",
        "heaviest_notebook_kb": f"{heaviest_nb[1]['html'] / 1024:.0f}",
        "site_mb": f"{site_bytes / 2**20:.1f}",
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
    }
    report = {
        "times": t,
        "snippet_compute_s": compute,
        "ratios": ratios,
        "weights": weights,
        "site_bytes": site_bytes,
        "kernels_vs_torch": kernel_times,
        "values": values,
    }
    (ROOT / "scripts" / "bench.json").write_text(
        json.dumps(report, indent=1, sort_keys=True) + "\n"
    )

    print(f"{'measurement':<34}{'median s':>10}{'min':>8}{'max':>8}")
    for name, s in t.items():
        print(f"{name:<34}{s['median']:>10.2f}{s['min']:>8.2f}{s['max']:>8.2f}")
    print(f"{'snippets compute (one process)':<34}{compute:>10.2f}")
    for name, r in ratios.items():
        print(f"{name:<34}{r:>10.2f}")
    print(f"heaviest question page {heaviest_q[0]}: {heaviest_q[1]['html'] / 1024:.0f} KB HTML")
    print(f"heaviest notebook page {heaviest_nb[0]}: {heaviest_nb[1]['html'] / 1024:.0f} KB HTML")
    heavy = over_budget(weights)
    print("page weights: " + ("OVER BUDGET: " + "; ".join(heavy) if heavy else "within budget"))
    if kernel_times is None:
        print("torch is not importable: no comparison with PyTorch's kernels")
    else:
        for name, k in kernel_times.items():
            print(
                f"{name} fwd+bwd (32,64,56,56) float32: numpy {k['numpy_s'] * 1e3:.0f} ms, "
                f"torch {k['torch_s'] * 1e3:.0f} ms, {k['ratio']:.1f}x"
            )
    print(f"site: {site_bytes / 2**20:.1f} MB; wrote scripts/bench.json")


if __name__ == "__main__":
    main()
