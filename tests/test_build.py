"""The site builds strictly, end to end, and the snippet cache behaves as promised.

Works on a copy of the project in a temporary folder (with one extra, fast `probe` snippet), so
the checkout's own docs/generated and .cache are never touched. The steps share one copy and
run in order: cold build, warm build, edits, failures.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = "training/ml0034-backpropagation.md"  # the page these tests edit
PROBE = '''"""Probe snippet used by the build tests."""

ANSWER = 42


def values():
    return {"answer": ANSWER}


def claims():
    return {"answered": (ANSWER > 0, f"answer {ANSWER}, which is > 0")}
'''


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    dst = tmp_path_factory.mktemp("project")
    shutil.copy(ROOT / "mkdocs.yml", dst)
    ignore = shutil.ignore_patterns("generated", "node_modules", "__pycache__")
    for folder in ("docs", "snippets", "scripts"):
        shutil.copytree(ROOT / folder, dst / folder, ignore=ignore)
    (dst / "scripts" / "node_modules").symlink_to(ROOT / "scripts" / "node_modules")
    (dst / "snippets" / "probe.py").write_text(PROBE)
    return dst


def build(project: Path, expect_ok: bool = True, **env_vars: str) -> str:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", **env_vars)
    r = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(project / "site")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,  # a loaded machine runs the experiments slowly; a hang is SNIPPET_TIMEOUT
    )
    log = r.stdout + r.stderr
    assert (r.returncode == 0) == expect_ok, log
    return log


def ran(log: str) -> dict[str, str]:
    """snippet → 'cached', 'FAILED' or its seconds, from the build's progress lines."""
    return dict(re.findall(r"snippet (\w+): (cached|FAILED|[\d.]+ s)", log))


def figure_hashes(project: Path) -> dict[str, str]:
    gen = project / "docs" / "generated"
    return {
        str(p.relative_to(gen)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(gen.rglob("*"))
        if p.is_file()
    }


def pages(project: Path) -> dict[str, str]:
    site = project / "site"
    return {
        str(p.relative_to(site)): p.read_text()
        for p in site.rglob("index.html")
        if "search" not in p.parts
    }


@pytest.fixture(scope="module")
def cold(project):
    log = build(project)
    return log, figure_hashes(project)


def snippet_names(project: Path) -> set[str]:
    from scripts import pipeline

    return {s.name for s in pipeline.discover(project)}


def module() -> str:
    """The page module of PAGE, by the naming rule."""
    from scripts import questions

    return questions.page_module(PAGE)


def test_cold_build_runs_every_snippet_once(project, cold):
    log, _ = cold
    status = ran(log)
    assert set(status) == snippet_names(project) and {module(), "probe"} <= set(status)
    assert all(s.endswith(" s") for s in status.values()), status
    if (os.cpu_count() or 1) >= 2:  # snippets never run before: worth two workers
        assert f"snippets: running {len(status)} in 2 worker processes" in log


def test_every_figure_reference_has_both_variants(project, cold):
    backprop = pages(project)["training/ml0034-backpropagation/index.html"]
    refs = re.findall(r'src="([^"]*generated/[^"]+?)-(light|dark)\.svg#only-\2"', backprop)
    assert len(refs) >= 6
    bases = {b for b, _ in refs}
    for base in bases:
        for scheme in ("light", "dark"):
            src = f"{base}-{scheme}.svg#only-{scheme}"
            tag = re.search(rf'<img[^>]*src="{re.escape(src)}"[^>]*>', backprop)
            assert tag, (base, scheme)
            assert re.search(r'alt="[^"]{20,}"', tag.group(0)), tag.group(0)
            page_dir = project / "site" / "training" / "ml0034-backpropagation"
            svg = (page_dir / f"{base}-{scheme}.svg").resolve()
            assert svg.is_file() and svg.read_bytes().startswith(b"<?xml")


def test_formulas_are_rendered_and_markers_filled(project, cold):
    for name, html in pages(project).items():
        if name.startswith("generated/"):  # a notebook's code cells are code: f"{{x}}" is fine
            html = re.sub(r"<pre[^>]*>.*?</pre>", "", html, flags=re.S)
        assert "{{" not in html, name
        assert 'class="arithmatex"' not in html, name
        assert "\\(" not in html and "\\[" not in html, name
    backprop = pages(project)["training/ml0034-backpropagation/index.html"]
    assert backprop.count("<math") > 50
    assert "<h1" in backprop and "ML0034 · Backpropagation" in backprop
    text = unescape(re.sub(r"<[^>]+>", "", backprop))
    # code included from a reference module, as it stands
    path, section = re.search(
        r'--8<-- "(snippets/[a-z_]+\.py):([a-z_0-9]+)"', (ROOT / "docs" / PAGE).read_text()
    ).groups()
    source = (ROOT / path).read_text()
    body = source.split(f"[start:{section}]", 1)[1].split("\n", 1)[1]
    line = next(ln.strip() for ln in body.splitlines() if ln.strip() and "#" not in ln)
    assert line in text, (path, section, line)


def test_pages_load_nothing_from_another_origin(project, cold):
    """What a page fetches by itself (scripts, styles, images, fonts) is all on the site.

    Links a reader may click are not requests at load time; `rel=canonical` is not fetched.
    """
    remote = re.compile(r"^(https?:)?//")
    for name, html in pages(project).items():
        for tag in re.findall(r"<(?:script|link|img|iframe|source|video|audio)\b[^>]*>", html):
            if 'rel="canonical"' in tag:
                continue
            for url in re.findall(r'(?:src|href)="([^"]*)"', tag):
                assert not remote.match(url), f"{name}: {tag}"
    for css in (project / "site").rglob("*.css"):
        text = css.read_text()
        for url in re.findall(r"url\(['\"]?([^'\")]*)", text) + re.findall(
            r"@import\s+['\"]([^'\"]+)", text
        ):
            assert not remote.match(url), f"{css.name}: {url}"


def test_pages_stay_within_their_weight_budget(project, cold):
    from scripts import bench

    weights = bench.page_weights(project / "site")
    questions = [p for p in weights if bench.QUESTION_PAGE.match(p)]
    notebooks = {p for p in weights if bench.NOTEBOOK_PAGE.match(p)}
    assert len(questions) >= 10 and notebooks >= {f"generated/{module()}/{module()}"}
    assert bench.over_budget(weights) == []
    over = bench.QUESTION_PAGE_BUDGET + 1024
    assert bench.over_budget({"cnn/dl0001-x": {"html": over, "figures": 0}})  # can fail


def test_warm_build_runs_no_snippet(project, cold):
    log = build(project)
    assert ran(log) == dict.fromkeys(snippet_names(project), "cached")
    assert not re.search(r"notebook \S+: written", log)  # unchanged bytes are not rewritten


def test_question_pages_link_their_page_module_and_notebook(project, cold):
    site = project / "site"
    page = pages(project)["training/ml0034-backpropagation/index.html"]
    m = module()
    assert f'href="../../generated/{m}/{m}.py"' in page
    assert f'href="../../generated/{m}/{m}/"' in page
    assert (site / "generated" / m / f"{m}.py").read_bytes() == (
        project / "snippets" / f"{m}.py"
    ).read_bytes()
    notebook = (site / "generated" / m / m / "index.html").read_text()
    assert f'<a href="{m}.ipynb" download>' in notebook
    assert (site / "generated" / m / m / f"{m}.ipynb").is_file()
    assert "<style" not in notebook.split('<div class="jupyter-wrapper">', 1)[-1]
    assert 'class="arithmatex"' not in notebook


def test_a_page_that_quotes_values_without_a_page_module_fails(project, cold):
    page = project / "docs" / "training" / "ml0034-backpropagation.md"
    source = project / "snippets" / f"{module()}.py"
    kept = source.read_bytes()
    source.unlink()
    try:
        log = build(project, expect_ok=False)
        assert re.search(
            rf"training/ml0034-backpropagation\.md:\d+: the page quotes .* but has no page "
            rf"module: expected snippets/{module()}\.py",
            log,
        ), log
    finally:
        source.write_bytes(kept)
        build(project)  # its outputs went with it: later tests expect them cached
    assert page.is_file()


def test_editing_a_snippet_reruns_only_it(project, cold):
    probe = project / "snippets" / "probe.py"
    probe.write_text(PROBE.replace("42", "43"))
    try:
        status = ran(build(project))
        assert status[module()] == "cached"
        assert status["probe"].endswith(" s")
        assert '"answer": 43' in (project / "docs/generated/probe/values.json").read_text()
    finally:
        probe.write_text(PROBE)
        build(project)


def test_editing_the_plotting_style_reruns_its_dependents_only(project, cold):
    plotting = project / "snippets" / "plotting.py"
    plotting.write_text(plotting.read_text() + "\n# touched by test_build\n")
    status = ran(build(project))
    assert status[module()].endswith(" s")
    assert status["probe"] == "cached"  # does not import plotting


def test_figures_are_byte_identical_across_cold_builds(project, cold):
    _, first = cold
    shutil.rmtree(project / "docs" / "generated")
    shutil.rmtree(project / ".cache")
    build(project)
    assert figure_hashes(project) == first


def test_corrupt_cache_entry_is_rebuilt(project, cold):
    _, first = cold
    svg = sorted((project / "docs" / "generated" / module()).glob("*-light.svg"))[0]
    svg.write_bytes(svg.read_bytes()[:100])  # truncated, e.g. by a killed build
    status = ran(build(project))
    assert status[module()].endswith(" s")
    assert figure_hashes(project) == first
    (project / ".cache" / "snippets" / f"{module()}.json").write_text("{")
    assert ran(build(project))[module()].endswith(" s")


def test_failing_snippet_fails_the_build_and_leaves_no_output(project, cold):
    probe = project / "snippets" / "probe.py"
    probe.write_text(PROBE.replace("return {", "1 / 0\n    return {"))
    log = build(project, expect_ok=False)
    assert "snippet probe failed" in log
    assert "Traceback" in log and "ZeroDivisionError" in log and "probe.py" in log
    assert "page module probe: code cell" not in log  # it failed in values(), after its cells
    probe.write_text(PROBE + "\n# %%\nvalues()[0]\n")  # a failing cell
    log = build(project, expect_ok=False)
    assert "page module probe: code cell 2" in log and "KeyError" in log
    assert not (project / "docs" / "generated" / "probe").exists()
    probe.write_text(PROBE)
    build(project)


def test_unknown_marker_fails_with_page_and_line(project, cold):
    page = project / "docs" / "training" / "ml0034-backpropagation.md"
    original = page.read_text()
    lines = original.splitlines()
    lines.insert(20, f"Typo: {{{{ {module()}.ex_los }}}}")
    page.write_text("\n".join(lines) + "\n")
    try:
        log = build(project, expect_ok=False)
        assert "training/ml0034-backpropagation.md:21" in log
        assert "no value 'ex_los'" in log
    finally:
        page.write_text(original)


def test_claims_render_and_a_false_claim_fails_with_page_line_and_evidence(project, cold):
    page = project / "docs" / "training" / "ml0034-backpropagation.md"
    probe = project / "snippets" / "probe.py"
    original = page.read_text()
    page.write_text(original + "\nThe probe answers {{ claim: probe.answered }}.\n")
    line = len(original.splitlines()) + 2
    try:
        build(project)
        html = (project / "site" / "training" / "ml0034-backpropagation" / "index.html").read_text()
        assert '<span class="claim" data-claim="probe.answered">' in html
        assert "answer 42, which is &gt; 0</span></span>." in html
        probe.write_text(PROBE.replace("ANSWER > 0", "ANSWER < 0"))
        log = build(project, expect_ok=False)
        assert re.search(
            rf"training/ml0034-backpropagation\.md:{line}: claim probe\.answered does not "
            r"hold: answer 42, which is > 0",
            log,
        ), log
    finally:
        page.write_text(original)
        probe.write_text(PROBE)
    build(project)


@pytest.mark.parametrize(
    ("addition", "message"),
    [
        ("See [the missing page](nowhere.md).", "nowhere.md"),
        ("See [a missing section](#no-such-heading).", "no-such-heading"),
        ('```python\n--8<-- "snippets/checks.py:no_such_section"\n```', "no_such_section"),
        ('```python\n--8<-- "snippets/no_such_file.py"\n```', "no_such_file.py"),
    ],
)
def test_broken_links_anchors_and_includes_fail_the_build(project, cold, addition, message):
    page = project / "docs" / "training" / "ml0034-backpropagation.md"
    original = page.read_text()
    page.write_text(original + "\n" + addition + "\n")
    at = [i for i, line in enumerate(addition.splitlines()) if message in line][0]
    line = len(original.splitlines()) + 2 + at
    try:
        log = build(project, expect_ok=False)
        assert message in log
        assert re.search(rf"training/ml0034-backpropagation\.md:{line}:[^\n]*{message}", log), log
    finally:
        page.write_text(original)


def test_a_tag_outside_the_allowed_list_fails_the_build(project, cold):
    page = project / "docs" / "training" / "ml0034-backpropagation.md"
    original = page.read_text()
    page.write_text(original.replace("  - gradients\n", "  - gradient-stuff\n", 1))
    try:
        assert "gradient-stuff" in build(project, expect_ok=False)
    finally:
        page.write_text(original)


def test_a_hanging_snippet_is_stopped_and_fails_the_build(project, cold):
    probe = project / "snippets" / "probe.py"
    before = figure_hashes(project)
    probe.write_text(PROBE.replace("return {", "while True:\n        pass\n    return {"))
    try:
        log = build(project, expect_ok=False, SNIPPET_TIMEOUT="3")
        assert "snippet probe failed" in log and "ran past 3 s" in log
        assert not (project / "docs" / "generated" / "probe").exists()
        after = figure_hashes(project)
        assert {k: v for k, v in after.items() if not k.startswith("probe/")} == {
            k: v for k, v in before.items() if not k.startswith("probe/")
        }  # the other snippets' good outputs are untouched
    finally:
        probe.write_text(PROBE)
        build(project)


NAN_FIGURE = """\"\"\"Probe snippet whose figure has NaN data.\"\"\"
import numpy as np

from snippets.plotting import new_figure


def figures():
    def draw(theme):
        fig, ax = new_figure(theme)
        ax.plot([0, 1, 2], [0.0, np.nan, 1.0])
        return fig

    return {"broken": draw}
"""


def test_a_figure_with_nan_fails_the_build(project, cold):
    probe = project / "snippets" / "probe.py"
    probe.write_text(NAN_FIGURE)
    try:
        log = build(project, expect_ok=False)
        assert "snippet probe failed" in log and "NaN or inf in the plotted data" in log
        assert not (project / "docs" / "generated" / "probe").exists()
    finally:
        probe.write_text(PROBE)
        build(project)
