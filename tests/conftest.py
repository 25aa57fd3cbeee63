"""One site build per test run, shared by every test that needs the site or its outputs.

Before collection (which imports the page modules), the build's first step runs: every stale
page module runs as a notebook, in two worker processes, writing `docs/generated/` and keeping
its experiments' results on disk (`snippets/memo.py`). Importing a page module in a test then
loads those results instead of training again, and the claims test re-runs only the second seed
set. The `site` fixture renders the whole site once (`mkdocs build --strict`, the page modules
already cached) for the static, page-level and browser tests.

A run of unit-test files only (`pytest tests/test_conv.py`) skips the build step; importing a
page module then computes what it needs.

`make test` runs the tests on both cores (pytest-xdist, `-n 2 --dist loadfile`: a test file's
tests stay in one worker, so a module-scoped fixture is computed once). The build step runs in
the controller before the workers start; the site is built by the first worker that needs it,
under a lock, and the other reuses it.
"""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "docs" / "generated"
CACHE = ROOT / ".cache"
# test files that need the page modules' outputs or the built site
STEP_ERROR = CACHE / "build-step-error.txt"  # the controller's failure, for xdist workers
NEEDS_OUTPUTS = re.compile(r"^test_(site|browser|claims|notebooks|[a-z]{2}\d{4}_\w+)\.py$")

_step_error: str | None = None


def needs_outputs(args: list[str]) -> bool:
    """Whether a run of these pytest arguments reaches a test that needs the build's outputs."""
    paths = [Path(a.split("::", 1)[0]) for a in args if not a.startswith("-")]
    if not paths:
        return True
    return any(p.is_dir() or NEEDS_OUTPUTS.match(p.name) for p in paths)


def pytest_sessionstart(session):
    global _step_error
    from scripts import pipeline

    memo_dir, snippet_cache = CACHE / "memo", CACHE / "snippets"
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # the controller ran the step already
    if worker or not needs_outputs(list(session.config.args)):
        pipeline.publish_memo_keys(ROOT, memo_dir, snippet_cache)  # reuse what exists
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")

    def say(line: str) -> None:
        if reporter is not None and not line.endswith(": cached"):
            reporter.write_line(f"build step: {line}")

    STEP_ERROR.unlink(missing_ok=True)
    try:
        pipeline.build(ROOT, GENERATED, snippet_cache, progress=say, memo_dir=memo_dir)
    except pipeline.SnippetError as exc:  # the tests that need the outputs report it
        _step_error = str(exc)
        STEP_ERROR.write_text(_step_error)


@dataclass(frozen=True)
class Site:
    """The site, built once: its folder and the build's log."""

    path: Path
    log: str

    def pages(self) -> dict[str, str]:
        """Each page's HTML by its path in the site (`cnn/dl0009-pooling/index.html`)."""
        return {
            str(p.relative_to(self.path)): p.read_text()
            for p in sorted(self.path.rglob("index.html"))
            if "search" not in p.parts
        }


@pytest.fixture(scope="session")
def outputs() -> Path:
    """`docs/generated/`, as the build's page-module step wrote it for this run's sources."""
    error = _step_error
    if error is None and os.environ.get("PYTEST_XDIST_WORKER") and STEP_ERROR.is_file():
        error = STEP_ERROR.read_text()
    if error is not None:
        pytest.fail(f"the build's page-module step failed:\n{error}", pytrace=False)
    return GENERATED


@pytest.fixture(scope="session")
def site(outputs, tmp_path_factory) -> Site:
    """The real site, built strictly once per test run from the checkout's sources (once for
    all xdist workers: their temporary folders share a parent that is this run's own)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out, log_file = shared / "site", shared / "site.log"
    with open(shared / "site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one worker builds; the other waits, then reuses
        if not log_file.is_file():
            r = subprocess.run(
                [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                cwd=ROOT,
                env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
                capture_output=True,
                text=True,
                timeout=900,
            )
            log = r.stdout + r.stderr
            if r.returncode != 0:
                pytest.fail(f"the site does not build:\n{log}", pytrace=False)
            log_file.write_text(log)
    return Site(out, log_file.read_text())
