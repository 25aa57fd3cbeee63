"""Point build errors at the line of the page that causes them.

MkDocs names the page of a broken link or anchor but not the line, and pymdownx.snippets names
neither page nor line of a missing include. `LinkLines` is a logging filter that prefixes MkDocs'
link warnings with `page:line:` (found in the page's source); `check_includes` checks a page's
include lines before pymdownx.snippets runs, and reports a missing file or section the same way.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

LINK_WARNING = re.compile(
    r"^Doc file '(?P<page>[^']+)' contains (?:a|an absolute|an unrecognized relative) "
    r"link '(?P<url>[^']+)'"
)
# `--8<-- "path"`, `--8<-- "path:section"` or `--8<-- "path:3:9"` (lines), one per line
INCLUDE = re.compile(r"""^\s*(?:[-*]\s+)?--8<--\s+(["'])(?P<spec>[^"']+)\1\s*$""")


def link_lines(source: str, url: str) -> list[int]:
    """Lines of `source` (1-based) where `url` is the target of a link or image: `(url)`,
    `(url "title")`, `<url>`, `[ref]: url` or `href="url"`."""
    if not isinstance(source, str) or not isinstance(url, str):
        raise TypeError(
            f"source, url: expected str, got {type(source).__name__}, {type(url).__name__}"
        )
    if not url:
        raise ValueError("url: expected a non-empty link target, got ''")
    target = re.compile(r"""(?:\(|<|=["']|\]:[ \t]*)""" + re.escape(url) + r"""(?=[\s)>"']|$)""")
    return [n for n, line in enumerate(source.splitlines(), 1) if target.search(line)]


class LinkLines(logging.Filter):
    """Prefix MkDocs' warnings about a page's links with the page and line(s) of the link."""

    def __init__(self, docs_dir: Path | str):
        super().__init__()
        self.docs_dir = Path(docs_dir)

    def filter(self, record: logging.LogRecord) -> bool:
        m = LINK_WARNING.match(record.getMessage())
        if m is None:
            return True
        try:
            source = (self.docs_dir / m["page"]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):  # a generated page: no source to point into
            return True
        lines = link_lines(source, m["url"])
        if lines:
            where = ", ".join(f"{m['page']}:{n}" for n in lines)
            record.msg, record.args = f"{where}: {record.getMessage()}", ()
        return True


def check_includes(markdown: str, page: str, root: Path, line_offset: int = 0) -> list[str]:
    """Problems with the pymdownx.snippets includes of `markdown` (a page's text after its
    front matter, which takes `line_offset` lines), each as `page:line: message`: a file that
    does not exist under `root`, or a section that the file does not mark."""
    problems = []
    for n, line in enumerate(markdown.splitlines(), 1 + line_offset):
        m = INCLUDE.match(line)
        if m is None:
            continue
        spec = m["spec"].strip()
        path, _, section = spec.partition(":")
        file = Path(root) / path
        if not file.is_file():
            problems.append(f"{page}:{n}: included file '{path}' does not exist")
            continue
        if section and not re.fullmatch(r"[-\d:]+", section):  # a named section, not lines
            text = file.read_text(encoding="utf-8")
            for edge in ("start", "end"):
                if f"--8<-- [{edge}:{section}]" not in text:
                    problems.append(
                        f"{page}:{n}: '{path}' has no '--8<-- [{edge}:{section}]' marker "
                        f"for the included section '{section}'"
                    )
    return problems
