"""The question pages as data: the home page's index and the print page are generated from them.

A question page is `docs/<topic>/<id>-<slug>.md` whose first heading reads `# <ID> · <Title>`
(ID: two capitals and four digits). Its topic is the title of the `nav` section that lists it,
its tags come from the front matter. Nothing here is maintained by hand.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from mkdocs.utils.meta import get_data

QUESTION_PATH = re.compile(r"^[a-z0-9-]+/([a-z]{2}\d{4})-[a-z0-9-]+\.md$")
HEADING = re.compile(r"^# ([A-Z]{2}\d{4}) · (.+?)\s*$", re.M)
INDEX_MARKER = "<!-- questions-index -->"
PRINT_PAGE = "print.md"
LINK = re.compile(r"(\]\()([^)\s#]*)(#[^)\s]*)?(\))")


@dataclass(frozen=True)
class Question:
    id: str
    title: str
    topic: str
    tags: tuple[str, ...]
    src_uri: str  # relative to docs/
    body: str  # Markdown without the front matter

    @property
    def module(self) -> str:
        """Its page module's name: `snippets/<module>.py` (see `page_module`)."""
        return page_module(self.src_uri)


def page_module(src_uri: str) -> str:
    """The page module of a question page: its file name with `-` as `_`, e.g.
    `cnn/dl0009-pooling.md` → `dl0009_pooling` (the file `snippets/dl0009_pooling.py`)."""
    return posixpath.basename(src_uri).removesuffix(".md").replace("-", "_")


class QuestionError(ValueError):
    """A question page that does not follow the convention."""


def nav_sections(nav, section: str = "") -> dict[str, str]:
    """src_uri → title of the nav section listing it, from mkdocs.yml's `nav`."""
    out: dict[str, str] = {}
    for item in nav or []:
        if isinstance(item, str):
            out[item] = section
        elif isinstance(item, dict):
            for title, value in item.items():
                if isinstance(value, str):
                    out[value] = section or title
                else:
                    out.update(nav_sections(value, title))
    return out


def collect(nav_sections: dict[str, str], sources: dict[str, str]) -> list[Question]:
    """Questions in nav order from `nav_sections` (src_uri → section title) and `sources`
    (src_uri → file text)."""
    out, seen = [], {}
    for src_uri, topic in nav_sections.items():
        m = QUESTION_PATH.match(src_uri)
        if not m:
            continue
        body, meta = get_data(sources[src_uri])
        h = HEADING.search(body)
        if not h:
            raise QuestionError(f"{src_uri}: the first heading must read '# <ID> · <Title>'")
        qid, title = h.groups()
        if qid.lower() != m.group(1):
            raise QuestionError(f"{src_uri}: heading ID {qid} does not match the file name")
        if qid in seen:
            raise QuestionError(f"{src_uri}: ID {qid} is already used by {seen[qid]}")
        seen[qid] = src_uri
        tags = tuple(meta.get("tags") or ())
        out.append(Question(qid, title, topic, tags, src_uri, body))
    return out


def index_table(questions: list[Question], page: str) -> str:
    """The home page's question table, with links relative to `page`."""
    rows = [
        "| ID | Question | Topic | Tags | Self-test |",
        "| --- | --- | --- | --- | --- |",
    ]
    base = posixpath.dirname(page) or "."
    for q in questions:
        link = posixpath.relpath(q.src_uri, base)
        tags = ", ".join(q.tags)
        status = f'<span class="selftest-status" data-qid="{q.id}">not yet</span>'
        rows.append(f"| {q.id} | [{q.title}]({link}) | {q.topic} | {tags} | {status} |")
    return "\n".join(rows)


def _rebase_links(body: str, src_uri: str) -> str:
    """Relative links of a page rewritten for the print page at the docs root."""
    page_dir = posixpath.dirname(src_uri)

    def fix(m: re.Match) -> str:
        target, anchor = m.group(2), m.group(3) or ""
        if re.match(r"^[a-z]+:", target):
            return m.group(0)  # http:, mailto:, and figure markers (placed for the print page)
        if target == "":  # an anchor on the same page: point at that page
            target = src_uri
        else:
            target = posixpath.normpath(posixpath.join(page_dir, target))
        return f"{m.group(1)}{target}{anchor}{m.group(4)}"

    return LINK.sub(fix, body)


def print_page(questions: list[Question]) -> str:
    """One page with every question, answers expanded, for printing or saving as PDF."""
    parts = [
        "---",
        "description: Every question on one page, answers expanded, for printing or PDF.",
        "search:",  # each question is indexed on its own page: this copy would repeat it all
        "  exclude: true",
        "hide:",
        "  - navigation",
        "  - toc",
        "---",
        "",
        "# All questions",
        "",
        "Every question of the site on one page with its answers expanded: print it or save it "
        "as PDF from the browser's print dialog.",
        "",
    ]
    for q in questions:
        body = _rebase_links(q.body, q.src_uri)
        body = re.sub(r"^(\s*)\?\?\? ", r"\1???+ ", body, flags=re.M)  # open every answer
        body = HEADING.sub(lambda m: f"# {m.group(1)} · {m.group(2)}", body, count=1)
        parts += [body.strip(), ""]
    return "\n".join(parts)
