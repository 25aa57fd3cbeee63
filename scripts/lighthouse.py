"""Lighthouse's scores for one page of each kind, as a phone gets them (`make lighthouse`).

Lighthouse 12.2.3 (scripts/package.json, a development dependency) with its default mobile
settings — simulated slow 4G and a 4x slower CPU — drives the browser at `CHROME_PATH`
(default: Debian's /usr/bin/chromium) against the built site in `site/`, served on loopback with
gzip as a static host serves it (scripts/static_server.py). Each page runs `--runs` times (3);
the median run by performance score is reported. Writes scripts/lighthouse.json and prints a
table.

    python scripts/lighthouse.py [--site site] [--runs 3] [--all] [page ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.static_server import serve  # noqa: E402

LIGHTHOUSE = ROOT / "scripts" / "node_modules" / ".bin" / "lighthouse"
LIGHTHOUSE_PACKAGE = ROOT / "scripts" / "node_modules" / "lighthouse" / "package.json"
CHROME = os.environ.get("CHROME_PATH") or "/usr/bin/chromium"
FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --no-first-run --disable-sync"
)
# one page of each kind: home, a question with figures, questions with a widget, a notebook,
# the print page
PAGES = {
    "home": "",
    "question_figures": "training/ml0034-backpropagation/",
    "question_figures_widget": "cnn/dl0009-pooling/",
    "question_widget": "cnn/dl0010-receptive-field/",
    "notebook": "generated/ml0034_backpropagation/ml0034_backpropagation/",
    "print": "print/",
}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = {
    "FCP ms": "first-contentful-paint",
    "LCP ms": "largest-contentful-paint",
    "TBT ms": "total-blocking-time",
    "CLS": "cumulative-layout-shift",
    "SI ms": "speed-index",
}


def run_once(url: str, out: Path) -> dict:
    """One Lighthouse run of `url`; the summary of its report."""
    with tempfile.TemporaryDirectory(prefix="lh-profile-") as profile:
        cmd = [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={FLAGS} --user-data-dir={profile}",
        ]
        env = {**os.environ, "CHROME_PATH": CHROME}
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0 or not out.is_file():
        raise RuntimeError(f"lighthouse failed on {url}:\n{done.stderr[-2000:]}")
    return summary(json.loads(out.read_text()))


def summary(report: dict) -> dict:
    audits = report["audits"]
    out = {
        "error": (report.get("runtimeError") or {}).get("code"),
        "scores": {
            c: (
                None
                if report["categories"][c]["score"] is None
                else round(100 * report["categories"][c]["score"])
            )
            for c in CATEGORIES
        },
        "metrics": {k: audits[a].get("numericValue") for k, a in METRICS.items()},
    }
    weight = audits.get("total-byte-weight", {})
    out["transfer KB"] = round((weight.get("numericValue") or 0) / 1024, 1)
    dom = audits.get("dom-size", {})
    out["DOM elements"] = dom.get("numericValue")
    items = (weight.get("details") or {}).get("items") or []
    out["largest"] = [
        {"url": i["url"].split("/", 3)[-1], "KB": round(i["totalBytes"] / 1024, 1)}
        for i in items[:5]
    ]
    return out


def median_run(runs: list[dict]) -> dict:
    """The run with the median performance score (Lighthouse's own advice for variance)."""
    ranked = sorted(runs, key=lambda r: r["scores"]["performance"] or 0)
    return ranked[len(ranked) // 2]


def values(results: dict) -> dict:
    """What the "How this site is built" page quotes: per page kind, the median run's scores,
    metrics and weight (`lighthouse.<kind>_<what>`)."""
    out = {}
    for kind, r in results.items():
        key = kind.replace(" ", "_").replace("/", "")
        m = r["metrics"]
        out |= {
            f"{key}_perf": r["scores"]["performance"],
            f"{key}_runs": ", ".join(str(x) for x in r["performance runs"]),
            f"{key}_a11y": r["scores"]["accessibility"],
            f"{key}_fcp": f"{(m['FCP ms'] or 0) / 1000:.1f}",
            f"{key}_lcp": f"{(m['LCP ms'] or 0) / 1000:.1f}",
            f"{key}_tbt": round(m["TBT ms"] or 0),
            f"{key}_cls": f"{m['CLS'] or 0:.2f}",
            f"{key}_kb": round(r["transfer KB"]),
            f"{key}_dom": r["DOM elements"],
        }
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", type=Path, default=ROOT / "site")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--all", action="store_true", help="every page of the site, not one per kind")
    ap.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where to write the results (default: scripts/lighthouse.json, which the build page "
        "quotes, for the default pages only; other page sets are written only with --out)",
    )
    ap.add_argument("pages", nargs="*", help="site paths (default: one page of each kind)")
    args = ap.parse_args(argv)
    if not LIGHTHOUSE.exists():
        sys.exit(
            "Lighthouse is not installed: run `make lighthouse` "
            "(or npm ci --prefix scripts --include=dev)"
        )
    if not Path(CHROME).exists():
        sys.exit(f"no browser at {CHROME}: apt-get install -y chromium, or set CHROME_PATH")
    pages = dict(PAGES)
    if args.all:
        paths = [p.parent.relative_to(args.site).as_posix() for p in args.site.rglob("index.html")]
        pages = {p or "home": f"{p}/" if p != "." else "" for p in sorted(paths)}
    if args.pages:
        pages = {p: p for p in args.pages}
    out = args.out or (None if (args.all or args.pages) else ROOT / "scripts" / "lighthouse.json")
    version = subprocess.run(
        [CHROME, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    results = {}
    with serve(args.site) as origin, tempfile.TemporaryDirectory() as tmp:
        for name, path in pages.items():
            runs = [run_once(f"{origin}/{path}", Path(tmp) / f"{i}.json") for i in range(args.runs)]
            best = median_run(runs)
            best["performance runs"] = [r["scores"]["performance"] for r in runs]
            results[name] = {"path": path, **best}
            m = best["metrics"]
            print(
                f"{name:24s} perf {best['scores']['performance']!s:>4} "
                f"{best['performance runs']}  a11y {best['scores']['accessibility']} "
                f"bp {best['scores']['best-practices']} seo {best['scores']['seo']}  "
                f"FCP {m['FCP ms'] or 0:5.0f} LCP {m['LCP ms'] or 0:5.0f} "
                f"TBT {m['TBT ms'] or 0:5.0f} CLS {m['CLS'] or 0:.3f}  "
                f"{best['transfer KB']} KB  DOM {best['DOM elements']}"
                + (f"  ERROR {best['error']}" if best["error"] else ""),
                flush=True,
            )
    lighthouse = json.loads(LIGHTHOUSE_PACKAGE.read_text())["version"]
    data = {
        "values": values(results) | {"version": lighthouse, "runs": args.runs},
        "lighthouse": lighthouse,
        "browser": version,
        "runs": args.runs,
        "settings": "mobile defaults (simulated slow 4G, 4x CPU slowdown); gzip on loopback",
        "pages": results,
    }
    if out is not None:
        out.write_text(json.dumps(data, indent=1) + "\n")
    missed = targets_missed(results)
    for line in missed:
        print(f"target missed: {line}")
    return 1 if missed else 0


def targets_missed(results: dict) -> list[str]:
    """The issue's targets: performance >= 95 (every kind but the print page), accessibility,
    best practices and SEO 100, layout shift 0, blocking time <= 200 ms, <= 300 KB."""
    missed = []
    for kind, r in results.items():
        s, m = r["scores"], r["metrics"]
        if kind != "print" and (s["performance"] or 0) < 95:
            missed.append(f"{kind}: performance {s['performance']} < 95")
        missed += [f"{kind}: {c} {s[c]} < 100" for c in CATEGORIES[1:] if s[c] != 100]
        if (m["CLS"] or 0) > 0.005:
            missed.append(f"{kind}: layout shift {m['CLS']:.3f} > 0")
        if kind != "print" and (m["TBT ms"] or 0) > 200:
            missed.append(f"{kind}: blocking time {m['TBT ms']:.0f} ms > 200")
        if kind.startswith("question") and r["transfer KB"] > 300:
            missed.append(f"{kind}: {r['transfer KB']} KB > 300")
    return missed


if __name__ == "__main__":
    sys.exit(main())
