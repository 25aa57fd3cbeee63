"""Probe projects: the real build (mkdocs.yml, hooks, theme, styles) on one small question page
and three tiny snippets, so cache, failure and reproducibility behaviour is tested in seconds
instead of on the real site.

- `ml9001_probe`: the page module of `docs/probe/ml9001-probe.md` (a value, a claim, a figure
  in both themes, a notebook cell), importing `probe_lib` and the real `plotting`;
- `probe_lib`: a library module it imports (an edit must re-run its page module only);
- `other`: a second page module that imports nothing (an edit elsewhere must leave it cached).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = "probe/ml9001-probe.md"
MODULE = "ml9001_probe"

LIB = '''"""Probe library module."""

SCALE = 2.0


def double(x: float) -> float:
    return SCALE * x
'''

PAGE_MODULE = '''"""ML9001 · Probe: the page module of docs/probe/ml9001-probe.md.

A probe page module for the build tests.
"""

# %%
from snippets.plotting import new_figure
from snippets.probe_lib import double

ANSWER = 42

# %%
print("answer", ANSWER, "doubled", double(ANSWER))


# %%
def _draw(theme):
    fig, ax = new_figure(theme, width=3.0, height=2.0)
    ax.plot([0, 1, 2], [0.0, double(1.0), 1.0], label="probe")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return fig


def figures():
    return {"line": _draw}


def values():
    return {"answer": ANSWER, "doubled": double(ANSWER)}


def claims(seed_set: int = 0):
    return {"answered": (ANSWER > 0, f"answer {ANSWER}, which is > 0")}
'''

OTHER = '''"""A second probe snippet, importing nothing."""


def values():
    return {"n": 1}
'''

QUESTION = """---
description: A probe question page for the build tests.
tags:
  - training
---

# ML9001 · Probe

!!! question "The question"

    What is the probe's answer?

The answer is {{ ml9001_probe.answer }}, doubled {{ ml9001_probe.doubled }}, and it is
positive {{ claim: ml9001_probe.answered }}. A formula: $a^2 + b^2 = c^2$.

![A line through three points that rises to 2 and falls to 1](figure:ml9001_probe/line)

## Reference code

```python
--8<-- "snippets/probe_lib.py"
```
"""

INDEX = """# Probe site

<!-- questions-index -->
"""


def make(dst: Path) -> Path:
    """A probe project in `dst` (created): the real configuration, a small `nav`."""
    dst.mkdir(parents=True, exist_ok=True)
    config = (ROOT / "mkdocs.yml").read_text()
    nav = (
        "nav:\n  - Home: index.md\n  - Probe:\n      - probe/ml9001-probe.md\n"
        "  - Tags: tags.md\n  - All questions (print): print.md\n"
    )
    config, n = re.subn(r"\nnav:\n(?:[ #-].*\n|\n)*", "\n" + nav, config)
    assert n == 1, "mkdocs.yml: no nav section to replace"
    (dst / "mkdocs.yml").write_text(config)
    docs = dst / "docs"
    (docs / "probe").mkdir(parents=True)
    (docs / "index.md").write_text(INDEX)
    (docs / PAGE).write_text(QUESTION)
    shutil.copy(ROOT / "docs" / "tags.md", docs / "tags.md")
    for folder in ("stylesheets", "javascripts"):
        shutil.copytree(ROOT / "docs" / folder, docs / folder)
    snippets = dst / "snippets"
    snippets.mkdir()
    for name in ("__init__", "plotting", "companion"):
        shutil.copy(ROOT / "snippets" / f"{name}.py", snippets)
    (snippets / "probe_lib.py").write_text(LIB)
    (snippets / f"{MODULE}.py").write_text(PAGE_MODULE)
    (snippets / "other.py").write_text(OTHER)
    ignore = shutil.ignore_patterns("node_modules", "__pycache__", "bench.json", "lighthouse.json")
    shutil.copytree(ROOT / "scripts", dst / "scripts", ignore=ignore)
    (dst / "scripts" / "node_modules").symlink_to(ROOT / "scripts" / "node_modules")
    return dst


def _run(project: Path, args: list[str], expect_ok: bool, env: dict[str, str]) -> str:
    """`python args…` in the project; asserts it succeeded or failed as expected; its log."""
    r = subprocess.run(
        [sys.executable, *args],
        cwd=project,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1", **env),
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = r.stdout + r.stderr
    assert (r.returncode == 0) == expect_ok, log
    return log


def build(project: Path, expect_ok: bool = True, site: Path | None = None, **env: str) -> str:
    """`mkdocs build --strict` of the project; returns its log."""
    out = str(site or project / "site")
    return _run(project, ["-m", "mkdocs", "build", "--strict", "-d", out], expect_ok, env)


STEP = (
    "import sys; sys.path.insert(0, '.'); from pathlib import Path; from scripts import pipeline;"
    "root = Path('.'); pipeline.build(root, root / 'docs' / 'generated', root / '.cache' / "
    "'snippets', progress=print)"
)


def step(project: Path, expect_ok: bool = True, **env: str) -> str:
    """The build's page-module step alone (`pipeline.build`, what `on_pre_build` runs), in a
    fresh process: the cache and failure behaviour without rendering the site."""
    return _run(project, ["-c", STEP], expect_ok, env)


def ran(log: str) -> dict[str, str]:
    """snippet → 'cached', 'FAILED' or its seconds, from the build's progress lines."""
    return dict(re.findall(r"snippet (\w+): (cached|FAILED|[\d.]+ s)", log))


def hashes(folder: Path) -> dict[str, str]:
    """Every file under `folder` → its SHA-256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
