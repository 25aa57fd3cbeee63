"""MkDocs hooks: wire the build events to the snippet pipeline, the markers and the math renderer.

Thin on purpose; the work lives in `scripts/pipeline.py` (page modules run as notebooks, cached),
`scripts/markers.py`, `scripts/notebooks.py` (the page's link to its module, the notebook page),
`scripts/page_lines.py` and `scripts/mathrender.py`, which are importable and tested on their
own.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# small matrices on a shared 2-core machine: BLAS threads only add contention (set before
# numpy is first imported; spawned workers and notebook kernels inherit it)
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")


def _source_date_epoch() -> str:
    """The last commit's time: dates in the site (sitemap) then depend on the sources only."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        return out if out.isdigit() else "0"
    except OSError:
        return "0"


# reproducible builds: two builds of the same sources give the same bytes
os.environ.setdefault("SOURCE_DATE_EPOCH", _source_date_epoch())
if str(ROOT) not in sys.path:  # snippets and scripts import as packages from the project root
    sys.path.insert(0, str(ROOT))

from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402
from mkdocs.structure.files import File  # noqa: E402

from scripts import files as files_  # noqa: E402
from scripts import (  # noqa: E402
    markers,
    mathrender,
    notebooks,
    page_lines,
    pagespeed,
    pipeline,
    questions,
)

CACHE = ROOT / ".cache"
log = logging.getLogger("mkdocs.hooks")
PAGE_LINE = re.compile(r"^[^:\n]+:(\d+):")
QUESTION_BOOST = 2.0  # search: a question's page above the pages that only mention it
NOTEBOOK_BOOST = 0.5


@dataclass
class Build:
    """What one build has found so far, shared by the hooks below."""

    out_dir: Path = ROOT / "docs" / markers.GENERATED
    values: dict[str, dict] = field(default_factory=dict)
    claims: dict[str, dict] = field(default_factory=dict)
    figures: dict[str, set[str]] = field(default_factory=dict)
    questions: list[questions.Question] = field(default_factory=list)
    math: mathrender.Renderer | None = None
    problems: list[str] = field(default_factory=list)  # page:line: message, from every page
    reran: list[str] = field(default_factory=list)  # page modules this build ran

    def report(self, problems: list[str]) -> None:
        """Log each problem now (beside MkDocs' own link warnings) and fail the build once
        every page has been read (`on_post_build`), so one build names every problem."""
        for p in problems:
            log.error(p)
        self.problems += problems


build = Build()
# `mkdocs serve --dirty` (`make serve`): a rebuild renders only the pages whose source changed
# (MkDocs compares times), plus what `on_files` marks: the pages that quote a page module this
# rebuild re-ran, and every page when the nav or a question's ID, title, topic or tags changed
# (the navigation and the home page's index show them). The print page is generated, so it is
# always rendered again.
serving = {"dirty": False, "questions": None, "math_chars": {}}


def on_startup(command, dirty):
    serving["dirty"] = dirty


def on_config(config):
    global build
    # broken links and anchors: MkDocs names the page, the filter adds the line
    pages_log = logging.getLogger("mkdocs.structure.pages")
    for old in [f for f in pages_log.filters if isinstance(f, page_lines.LinkLines)]:
        pages_log.removeFilter(old)
    pages_log.addFilter(page_lines.LinkLines(config.docs_dir))
    config.extra_css.insert(0, mathrender.STYLESHEET)
    build = Build(out_dir=Path(config.docs_dir) / markers.GENERATED)
    return config


def on_pre_build(config):
    try:
        report = pipeline.build(ROOT, build.out_dir, CACHE / "snippets")
    except pipeline.SnippetError as exc:
        raise PluginError(str(exc)) from None
    build.reran = report.ran
    build.values = pipeline.load_values(build.out_dir)
    build.claims = pipeline.load_claims(build.out_dir)
    bench = ROOT / "scripts" / "bench.json"  # `make bench` results for the "how it is built" page
    if bench.is_file():
        build.values["bench"] = json.loads(bench.read_text())["values"]
    lighthouse = ROOT / "scripts" / "lighthouse.json"  # `make lighthouse`: phone page speed
    if lighthouse.is_file():
        build.values["lighthouse"] = json.loads(lighthouse.read_text()).get("values", {})
    build.figures = pipeline.load_figures(build.out_dir)
    try:
        build.math = mathrender.Renderer(CACHE / "math.json")
    except mathrender.MathError as exc:
        raise PluginError(str(exc)) from None


def on_files(files, config):
    sections = questions.nav_sections(config.nav)
    sources = {
        f.src_uri: f.content_string for f in files.documentation_pages() if f.src_uri in sections
    }
    try:
        build.questions = questions.collect(sections, sources)
    except questions.QuestionError as exc:
        raise PluginError(str(exc)) from None
    if serving["dirty"]:
        _mark_for_dirty_rebuild(files, config)
    files.append(
        File.generated(config, questions.PRINT_PAGE, content=questions.print_page(build.questions))
    )
    files.append(File.generated(config, mathrender.STYLESHEET, content=mathrender.stylesheet()))
    # the math font is written after the build (on_post_build), cut to the formulas' glyphs
    return files


def _mark_for_dirty_rebuild(files, config) -> None:
    """Under a dirty rebuild, the pages that changed without their source changing."""
    shape = [repr(config.nav)] + [
        (q.id, q.title, q.topic, q.tags, q.src_uri) for q in build.questions
    ]
    everything = serving["questions"] is not None and shape != serving["questions"]
    serving["questions"] = shape
    for f in files.documentation_pages():
        if everything or any(m in f.content_string for m in build.reran):
            f.is_modified = lambda: True  # this instance only: MkDocs asks before rendering


def on_page_markdown(markdown, page, config, files):
    source = page.file.content_string
    at = source.find(markdown[:200]) if markdown else -1
    offset = source.count("\n", 0, at) if at > 0 else 0  # lines of front matter
    src = page.file.src_uri
    if src.endswith(".ipynb"):  # a notebook's cells are code and output, not markers
        return markdown
    problems = page_lines.check_includes(markdown, src, ROOT, line_offset=offset)
    if problems:  # before pymdownx.snippets, which names neither the page nor the line
        build.report(problems)
        bad = {int(m[1]) - offset - 1 for m in map(PAGE_LINE.match, problems) if m}
        lines = markdown.split("\n")  # the broken includes go, so the other pages are read
        markdown = "\n".join("" if i in bad else line for i, line in enumerate(lines))
    if questions.INDEX_MARKER in markdown:
        markdown = markdown.replace(
            questions.INDEX_MARKER, questions.index_table(build.questions, src)
        )
    if questions.QUESTION_PATH.match(src):
        try:
            markdown += _module_note(markdown, src, offset)
        except PluginError as exc:
            build.report([str(exc)])
    try:
        return markers.fill(
            markdown, src, build.values, build.figures, line_offset=offset, claims=build.claims
        )
    except markers.MarkerError as exc:
        build.report(str(exc).split("\n"))
        return markdown


def _module_note(markdown: str, src: str, offset: int) -> str:
    """The question page's link to its page module and notebook. A page without a page module
    is allowed only while it quotes nothing computed (no value, figure or claim marker)."""
    module = questions.page_module(src)
    if (build.out_dir / module / f"{module}.ipynb").is_file():
        return notebooks.page_note(module, src.count("/"))
    path = f"{pipeline.PACKAGE}/{module}.py"
    if (ROOT / path).is_file():
        raise PluginError(
            f"{src}: its page module {path} defines none of figures(), values(), claims(), data()"
        )
    quoted = markers.ANY.search(markdown)
    if quoted is None:
        return ""
    line = markdown.count("\n", 0, quoted.start()) + 1 + offset
    raise PluginError(
        f"{src}:{line}: the page quotes {quoted.group(0)!r} but has no page module: expected "
        f"{path} (a question page without one may quote no value, figure or claim)"
    )


def on_page_content(html, page, config, files):
    src = page.file.src_uri
    if page.file.generated_by or src.startswith(f"{markers.GENERATED}/"):
        page.edit_url = None  # generated pages have no source file to edit
    notebook = src.startswith(f"{markers.GENERATED}/") and src.endswith(".ipynb")
    if notebook:
        html, images = notebooks.slim_page(html, Path(src).stem)
        here = Path(config["site_dir"]) / Path(page.file.dest_uri).parent
        for name, data in images.items():
            files_.write_if_changed(here / name, data)
        # the question's own page comes first in search results, its notebook after it
        page.meta["search"] = {"boost": NOTEBOOK_BOOST, **(page.meta.get("search") or {})}
        html = pagespeed.selftest_slot(html)  # its title is the question's: it has the button
    elif questions.QUESTION_PATH.match(src):
        html = pagespeed.selftest_slot(html)
        page.meta["search"] = {"boost": QUESTION_BOOST, **(page.meta.get("search") or {})}
    html = pagespeed.size_figures(html, page.file.dest_uri, Path(config.docs_dir))
    html = pagespeed.exclude_from_search(html, notebook=notebook)
    html = pagespeed.plain_code_tokens(html)
    # formulas stay TeX placeholders, marked so the search index leaves them out: the index
    # gets no MathML token soup, and indexing does not parse thousands of MathML elements
    return mathrender.MATH_OPEN.sub(r'\g<0> data-search-exclude="math"', html)


@event_priority(-100)  # after the search plugin has indexed the page
def on_page_context(context, page, config, nav):
    try:
        page.content = build.math.render_page(page.content, page.file.src_uri)
    except mathrender.MathError as exc:
        raise PluginError(str(exc)) from None
    page.meta["math"] = "<math" in page.content  # the template preloads the font
    return context


def on_post_build(config):
    if build.math is not None:
        drawn = build.math.chars  # page -> what its formulas draw
        if serving["dirty"]:  # pages not rendered again keep their formulas' glyphs
            drawn = serving["math_chars"] = serving["math_chars"] | drawn
        chars = set().union(*drawn.values())
        mathrender.write_font(config.site_dir, chars, CACHE / "math-font")
        build.math.close()
        build.math = None
    if not pagespeed.drop_switching_rule(Path(config.site_dir)):
        log.warning("Material's palette stylesheet no longer has the colour-switching rule")
    if build.problems:  # every page has been read and its links checked: all named above
        n = len(build.problems)
        raise PluginError(f"{n} problem{'s' * (n != 1)} in the pages (listed above)")


def on_build_error(error):
    if build.math is not None:
        build.math.close()
        build.math = None


def on_serve(server, config, builder):
    server.watch(str(ROOT / pipeline.PACKAGE))  # an edited snippet re-runs on the next build
    return server
