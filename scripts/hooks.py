"""MkDocs hooks: wire the build events to the snippet pipeline, the markers and the math renderer.

Thin on purpose; the work lives in `scripts/pipeline.py`, `scripts/markers.py` and
`scripts/mathrender.py`, which are importable and tested on their own.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
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
from mkdocs.structure.files import File  # noqa: E402

from scripts import locate, markers, mathrender, notebooks, pipeline, questions  # noqa: E402

CACHE = ROOT / ".cache"
state: dict = {}


def on_config(config):
    # broken links and anchors: MkDocs names the page, the filter adds the line
    pages_log = logging.getLogger("mkdocs.structure.pages")
    for old in [f for f in pages_log.filters if isinstance(f, locate.LinkLines)]:
        pages_log.removeFilter(old)
    pages_log.addFilter(locate.LinkLines(config.docs_dir))
    config.extra_css.insert(0, mathrender.STYLESHEET)
    state["out_dir"] = Path(config.docs_dir) / markers.GENERATED
    return config


def on_pre_build(config):
    docs = Path(config.docs_dir)
    sections = questions.nav_sections(config.nav)
    sources = {s: (docs / s).read_text() for s in sections if questions.QUESTION_PATH.match(s)}
    if os.environ.get("MLIQ_RENDER_ONLY"):  # the benchmark's yardstick: outputs as they are
        _load_outputs()
        return
    try:
        pipeline.build(ROOT, state["out_dir"], CACHE / "snippets", keep={notebooks.OUT})
        pages = [
            {
                "qid": q.id,
                "title": q.title,
                "stem": Path(q.src_uri).stem,
                "link": "../../../" + q.src_uri[: -len(".md")] + "/",
                "snippets": notebooks.snippets_of(q.body),
            }
            for q in questions.collect(sections, sources)
        ]
        notebooks.build(state["out_dir"], pages, say=pipeline.log.info)
    except (pipeline.SnippetError, questions.QuestionError) as exc:
        raise PluginError(str(exc)) from None
    _load_outputs()


def _load_outputs():
    state["values"] = pipeline.load_values(state["out_dir"])
    state["claims"] = pipeline.load_claims(state["out_dir"])
    bench = ROOT / "scripts" / "bench.json"  # `make bench` results for the "how it is built" page
    if bench.is_file():
        state["values"]["bench"] = json.loads(bench.read_text())["values"]
    state["figures"] = pipeline.load_figures(state["out_dir"])
    try:
        state["math"] = mathrender.Renderer(CACHE / "math.json")
    except mathrender.MathError as exc:
        raise PluginError(str(exc)) from None


def on_files(files, config):
    sections = questions.nav_sections(config.nav)
    sources = {
        f.src_uri: f.content_string for f in files.documentation_pages() if f.src_uri in sections
    }
    try:
        state["questions"] = questions.collect(sections, sources)
    except questions.QuestionError as exc:
        raise PluginError(str(exc)) from None
    for f in list(files):  # what the notebooks were written from: not part of the site
        if f.src_uri.startswith(f"{markers.GENERATED}/") and f.src_uri.endswith(
            "/" + pipeline.NOTEBOOK_FILE
        ):
            files.remove(f)
    files.append(
        File.generated(
            config, questions.PRINT_PAGE, content=questions.print_page(state["questions"])
        )
    )
    files.append(File.generated(config, mathrender.STYLESHEET, content=mathrender.stylesheet()))
    for uri, path in mathrender.assets().items():
        files.append(File.generated(config, uri, abs_src_path=str(path)))
    return files


def on_page_markdown(markdown, page, config, files):
    source = page.file.content_string
    at = source.find(markdown[:200]) if markdown else -1
    offset = source.count("\n", 0, at) if at > 0 else 0  # lines of front matter
    problems = locate.check_includes(markdown, page.file.src_uri, ROOT, line_offset=offset)
    if problems:  # before pymdownx.snippets, which names neither the page nor the line
        raise PluginError("\n".join(problems))
    if questions.INDEX_MARKER in markdown:
        table = questions.index_table(state["questions"], page.file.src_uri)
        markdown = markdown.replace(questions.INDEX_MARKER, table)
    if questions.QUESTION_PATH.match(page.file.src_uri):
        markdown += notebooks.page_note(page.file.src_uri)
    try:
        return markers.fill(
            markdown,
            page.file.src_uri,
            state["values"],
            state["figures"],
            line_offset=offset,
            claims=state["claims"],
        )
    except markers.MarkerError as exc:
        raise PluginError(str(exc)) from None


def on_page_content(html, page, config, files):
    if page.file.generated_by or page.file.src_uri.startswith(f"{markers.GENERATED}/"):
        page.edit_url = None  # generated pages have no source file to edit
    if page.file.src_uri.startswith(f"{markers.GENERATED}/{notebooks.OUT}/"):
        html = notebooks.slim_page(html, Path(page.file.src_uri).stem)
    try:
        return state["math"].render_page(html, page.file.src_uri)
    except mathrender.MathError as exc:
        raise PluginError(str(exc)) from None


def on_post_build(config):
    math = state.pop("math", None)
    if math is not None:
        math.close()


def on_build_error(error):
    on_post_build(None)


def on_serve(server, config, builder):
    server.watch(str(ROOT / pipeline.PACKAGE))  # an edited snippet re-runs on the next build
    return server
