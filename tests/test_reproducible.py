"""Two cold builds of the same sources give a byte-identical site (a small configuration:
the home, tags and print pages and ML0034 with its page module, figures and notebook)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("index.md", "tags.md", "training/ml0034-backpropagation.md")


def small_project(dst: Path) -> Path:
    dst.mkdir(parents=True)
    config = (ROOT / "mkdocs.yml").read_text()
    nav = "nav:\n  - Home: index.md\n  - Training:\n      - training/ml0034-backpropagation.md\n"
    nav += "  - Tags: tags.md\n  - All questions (print): print.md\n"
    config = re.sub(r"\nnav:\n.*", "\n" + nav, config, flags=re.S)
    # links to questions left out of this small site are not what this test is about (the
    # full build's tests fail broken links); a page may link to any other question
    config = config.replace("  links:\n    not_found: warn", "  links:\n    not_found: info")
    assert "not_found: info" in config
    (dst / "mkdocs.yml").write_text(config)
    for page in PAGES:
        (dst / "docs" / page).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "docs" / page, dst / "docs" / page)
    for folder in ("stylesheets", "javascripts"):
        shutil.copytree(ROOT / "docs" / folder, dst / "docs" / folder)
    (dst / "snippets").mkdir()
    from scripts import pipeline, questions

    # the page module of ML0034 (by the naming rule) and every module it uses
    module = next(s for s in pipeline.discover(ROOT) if s.name == questions.page_module(PAGES[2]))
    for name in (module.name, *module.deps):
        shutil.copy(ROOT / "snippets" / f"{name}.py", dst / "snippets")
    shutil.copytree(
        ROOT / "scripts",
        dst / "scripts",
        ignore=shutil.ignore_patterns("node_modules", "__pycache__"),
    )
    (dst / "scripts" / "node_modules").symlink_to(ROOT / "scripts" / "node_modules")
    return dst


def cold_build(project: Path, out: Path) -> dict[str, str]:
    for folder in (project / ".cache", project / "docs" / "generated"):
        shutil.rmtree(folder, ignore_errors=True)
    r = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=project,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH="1700000000"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def test_two_cold_builds_are_byte_identical(tmp_path):
    project = small_project(tmp_path / "project")
    first = cold_build(project, tmp_path / "site1")
    second = cold_build(project, tmp_path / "site2")
    assert any(name.endswith(".ipynb") for name in first)  # the notebook is in the comparison
    assert any(name.endswith(".py") for name in first)  # and the page module's source
    assert any(name.endswith("-dark.svg") for name in first)
    differ = sorted(k for k in first.keys() | second.keys() if first.get(k) != second.get(k))
    assert not differ, differ
