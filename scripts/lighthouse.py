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
    "ML0034 (figures)": "training/ml0034-backpropagation/",
    "DL0009 (figures, widget)": "cnn/dl0009-pooling/",
    "DL0010 (widget)": "cnn/dl0010-receptive-field/",
    "ML0034 notebook": "generated/ml0034_backpropagation/ml0034_backpropagation/",
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", type=Path, default=ROOT / "site")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--all", action="store_true", help="every page of the site, not one per kind")
    ap.add_argument("--out", type=Path, default=ROOT / "scripts" / "lighthouse.json")
    ap.add_argument("pages", nargs="*", help="site paths (default: one page of each kind)")
    args = ap.parse_args(argv)
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: run `make lighthouse` (npm ci --prefix scripts)")
    if not Path(CHROME).exists():
        sys.exit(f"no browser at {CHROME}: apt-get install -y chromium, or set CHROME_PATH")
    pages = dict(PAGES)
    if args.all:
        pages = {
            (p.parent.relative_to(args.site).as_posix() + "/").lstrip("./") or "home": (
                p.parent.relative_to(args.site).as_posix() + "/"
            ).lstrip("./")
            for p in sorted(args.site.rglob("index.html"))
        }
    if args.pages:
        pages = {p: p for p in args.pages}
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
                f"{name:28s} perf {best['scores']['performance']!s:>4} "
                f"{best['performance runs']}  a11y {best['scores']['accessibility']} "
                f"bp {best['scores']['best-practices']} seo {best['scores']['seo']}  "
                f"FCP {m['FCP ms'] or 0:5.0f} LCP {m['LCP ms'] or 0:5.0f} "
                f"TBT {m['TBT ms'] or 0:5.0f} CLS {m['CLS'] or 0:.3f}  "
                f"{best['transfer KB']} KB  DOM {best['DOM elements']}"
                + (f"  ERROR {best['error']}" if best["error"] else ""),
                flush=True,
            )
    data = {
        "lighthouse": json.loads(LIGHTHOUSE_PACKAGE.read_text())["version"],
        "browser": version,
        "runs": args.runs,
        "settings": "mobile defaults (simulated slow 4G, 4x CPU slowdown); gzip on loopback",
        "pages": results,
    }
    args.out.write_text(json.dumps(data, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
