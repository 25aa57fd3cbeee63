"""The build end to end on a probe project (tests/probe.py): one question page, three tiny
snippets, the real configuration, hooks and theme. Cache, failure and reproducibility
behaviour in seconds; what only the real site can show is in tests/test_site.py.

Four `mkdocs build`s: cold, warm, a second cold one (byte-identical) and one with every kind
of page error injected at once. Edits and snippet failures run the build's page-module step
alone (`probe.step`), which is what a build runs for them before rendering.
The tests share one probe project and run in order.
"""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import pytest

from tests import probe
from tests.probe import MODULE, PAGE, build, hashes, ran, step


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return probe.make(tmp_path_factory.mktemp("probe"))


@pytest.fixture(scope="module")
def cold(project):
    log = build(project)
    return log, hashes(project / "site")


def edited(path: Path, text: str):
    """Context: `path` holds `text` inside the block and its old content after it."""

    class Edit:
        def __enter__(self):
            self.old = path.read_text()
            path.write_text(text)

        def __exit__(self, *exc):
            path.write_text(self.old)

    return Edit()


def test_cold_build_runs_every_snippet_once_in_two_workers(project, cold):
    log, _ = cold
    assert ran(log) == {MODULE: ran(log)[MODULE], "other": ran(log)["other"]}
    assert all(s.endswith(" s") for s in ran(log).values()), ran(log)
    assert "snippets: running 2 in 2 worker processes" in log  # never run before: worth it


def test_the_page_shows_values_claims_figures_formulas_and_code(project, cold):
    html = (project / "site" / "probe" / "ml9001-probe" / "index.html").read_text()
    assert "The answer is 42, doubled 84.0" in html
    assert '<span class="claim" data-claim="ml9001_probe.answered">' in html
    assert "answer 42, which is &gt; 0</span></span>" in html
    for scheme in ("light", "dark"):
        src = f"ml9001_probe/line-{scheme}.svg#only-{scheme}"
        tag = re.search(rf'<img[^>]*src="[^"]*generated/{re.escape(src)}"[^>]*>', html)
        assert tag and 'alt="A line through three points' in tag.group(0), scheme
    assert "<math" in html and 'class="arithmatex"' not in html
    text = unescape(re.sub(r"<[^>]+>", "", html))
    assert "def double(x: float) -> float:\n    return SCALE * x" in text  # the included code
    notebook = project / "site" / "generated" / MODULE / MODULE / "index.html"
    assert "answer 42 doubled 84.0" in notebook.read_text()  # the cell's printed output


def test_warm_build_runs_no_snippet_and_rewrites_nothing(project, cold):
    generated = project / "docs" / "generated"
    before = {p: p.stat().st_mtime_ns for p in generated.rglob("*") if p.is_file()}
    log = build(project)
    assert ran(log) == {MODULE: "cached", "other": "cached"}
    assert {p: p.stat().st_mtime_ns for p in generated.rglob("*") if p.is_file()} == before


def test_editing_a_page_module_reruns_only_it(project, cold):
    path = project / "snippets" / f"{MODULE}.py"
    with edited(path, probe.PAGE_MODULE.replace("ANSWER = 42", "ANSWER = 43")):
        status = ran(step(project))
        assert status[MODULE].endswith(" s") and status["other"] == "cached"
        values = (project / "docs" / "generated" / MODULE / "values.json").read_text()
        assert '"answer": 43' in values
    assert ran(step(project))[MODULE].endswith(" s")


def test_editing_a_library_module_reruns_its_dependents_only(project, cold):
    path = project / "snippets" / "probe_lib.py"
    with edited(path, probe.LIB + "\n# touched by test_build\n"):
        status = ran(step(project))
        assert status[MODULE].endswith(" s") and status["other"] == "cached"
    assert ran(step(project))[MODULE].endswith(" s")


def test_two_cold_builds_are_byte_identical(project, cold, tmp_path):
    _, first = cold
    for folder in (project / ".cache", project / "docs" / "generated"):
        shutil.rmtree(folder)
    build(project, site=tmp_path / "site")
    second = hashes(tmp_path / "site")
    assert any(n.endswith(".ipynb") for n in first)  # the notebook is in the comparison
    assert any(n.endswith(f"{MODULE}.py") for n in first)  # and the page module's source
    assert any(n.endswith("-dark.svg") for n in first)
    differ = sorted(k for k in first.keys() | second.keys() if first.get(k) != second.get(k))
    assert not differ, differ


def test_a_damaged_output_or_manifest_is_rebuilt(project, cold):
    svg = project / "docs" / "generated" / MODULE / "line-light.svg"
    good = svg.read_bytes()
    svg.write_bytes(good[:100])  # truncated, e.g. by a killed build
    assert ran(step(project))[MODULE].endswith(" s")
    assert svg.read_bytes() == good
    (project / ".cache" / "snippets" / f"{MODULE}.json").write_text("{")
    assert ran(step(project))[MODULE].endswith(" s")
    assert ran(step(project))[MODULE] == "cached"


def test_a_failing_snippet_fails_the_build_with_its_traceback_and_leaves_no_output(project, cold):
    path = project / "snippets" / "other.py"
    with edited(path, probe.OTHER.replace("return {", "1 / 0\n    return {")):
        log = step(project, expect_ok=False)
        assert "snippet other failed" in log and "ZeroDivisionError" in log and "other.py" in log
        assert "page module other: code cell" not in log  # in values(), after its cells
        assert not (project / "docs" / "generated" / "other").exists()
    with edited(path, probe.OTHER + "\n# %%\nvalues()[0]\n"):  # a failing cell
        log = step(project, expect_ok=False)
        assert "page module other: code cell 2" in log and "KeyError" in log
    assert ran(step(project))["other"].endswith(" s")


def test_a_hanging_snippet_is_stopped_and_the_others_outputs_are_untouched(project, cold):
    before = hashes(project / "docs" / "generated" / MODULE)
    path = project / "snippets" / "other.py"
    with edited(path, probe.OTHER.replace("return {", "while True:\n        pass\n    return {")):
        log = step(project, expect_ok=False, SNIPPET_TIMEOUT="2")
        assert "snippet other failed" in log and "ran past 2 s" in log
        assert not (project / "docs" / "generated" / "other").exists()
    assert hashes(project / "docs" / "generated" / MODULE) == before
    assert ran(step(project))["other"].endswith(" s")


NAN_FIGURE = '''"""A snippet whose figure has NaN data."""
import numpy as np

from snippets.plotting import new_figure


def figures():
    def draw(theme):
        fig, ax = new_figure(theme)
        ax.plot([0, 1, 2], [0.0, np.nan, 1.0])
        return fig

    return {"broken": draw}
'''


def test_a_figure_with_nan_fails_the_build(project, cold):
    with edited(project / "snippets" / "other.py", NAN_FIGURE):  # through mkdocs this time
        log = build(project, expect_ok=False)
        assert "snippet other failed" in log and "NaN or inf in the plotted data" in log
        assert not (project / "docs" / "generated" / "other").exists()
    assert ran(step(project))["other"].endswith(" s")


def test_every_problem_in_the_pages_is_named_with_its_page_and_line_in_one_build(project, cold):
    """Unknown marker, false claim, missing include file and section, broken link and anchor
    on one page, and a page that quotes a value but has no page module: one build fails and
    names every one of them at its line."""
    page = project / "docs" / PAGE
    orphan = project / "docs" / "probe" / "ml9002-orphan.md"  # no snippets/ml9002_orphan.py
    orphan_text = "# ML9002 · Orphan\n\nIt quotes {{ ml9002_orphan.x }}.\n"
    lib = project / "snippets" / f"{MODULE}.py"
    original = page.read_text()
    additions = {
        "no value 'answr'": "A typo: {{ ml9001_probe.answr }}.",
        "claim ml9001_probe.answered does not hold: answer 42, which is > 0": (
            "Restated {{ claim: ml9001_probe.answered }}."
        ),
        "'snippets/no_such_file.py' does not exist": '--8<-- "snippets/no_such_file.py"',
        "no '--8<-- [start:no_such_section]' marker": (
            '--8<-- "snippets/probe_lib.py:no_such_section"'
        ),
        "nowhere.md": "See [the missing page](nowhere.md).",
        "no-such-heading": "See [a missing section](#no-such-heading).",
    }
    lines = original.splitlines()
    at = {}
    for message, text in additions.items():
        lines += ["", text]
        at[message] = len(lines)
    orphan.write_text(orphan_text)
    try:
        with (
            edited(page, "\n".join(lines) + "\n"),
            edited(lib, probe.PAGE_MODULE.replace("ANSWER > 0", "ANSWER < 0")),
        ):
            log = build(project, expect_ok=False)
    finally:
        orphan.unlink()
    assert re.search(
        r"probe/ml9002-orphan\.md:3: the page quotes '\{\{ ml9002_orphan\.x \}\}' but has no "
        r"page module: expected snippets/ml9002_orphan\.py",
        log,
    ), log
    for message, line in at.items():
        assert re.search(rf"{re.escape(PAGE)}:{line}:[^\n]*{re.escape(message)}", log), (
            message,
            log,
        )


def test_a_tag_outside_the_allowed_list_fails_the_build(project, cold):
    """(Material's tags plugin stops the build at that page, so this one builds alone.)"""
    with edited(project / "docs" / PAGE, probe.QUESTION.replace("  - training\n", "  - x-y\n")):
        log = build(project, expect_ok=False)
    assert "probe/ml9001-probe.md" in log and "Tags not in allow list: x-y" in log, log
