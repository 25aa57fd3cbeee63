"""Fill a page's markers with what the snippets computed, before Markdown is rendered.

Three markers, all checked against the snippets' outputs (an unknown one fails the build with
the page and line):

- `{{ snippet.value }}` or `{{ snippet.value:fmt }}`: the value, optionally through a Python
  format spec (for numbers), e.g. `{{ backprop.ex_loss }}`.
- `![alt text](figure:snippet/name)`: the figure, as a light and a dark image that Material
  shows for its own scheme (`#only-light`, `#only-dark`). Alt text is required.
- `{{ claim: snippet.name }}`, written in the sentence that states what an experiment shows:
  a small check mark whose evidence (what the snippet's `claims()` computed) the reader opens
  with a click, a tap or the keyboard. A claim that does not hold fails the build with the page,
  the line, the claim and its evidence.

Anything that looks like a marker but is not well formed (for example `{{ backprop }}`) is an
error too, so a typo cannot reach the reader as raw braces.
"""

from __future__ import annotations

import bisect
import html
import posixpath
import re

VALUE = re.compile(
    r"\{\{\s*(?P<snippet>[a-z][a-z0-9_]*)\.(?P<key>[A-Za-z][A-Za-z0-9_]*)\s*(?::(?P<spec>[^{}]*?))?\s*\}\}"
)
LOOKS_LIKE_VALUE = re.compile(r"\{\{\s[^{}]*\}\}|\{\{[^{}]*\s\}\}")
FIGURE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(figure:(?P<target>[^)\s]*)\)")
FIGURE_TARGET = re.compile(r"^([a-z][a-z0-9_]*)/([a-z][a-z0-9-]*)$")
CLAIM = re.compile(
    r"\{\{\s*claim:\s*(?P<claim_snippet>[a-z][a-z0-9_]*)\.(?P<claim>[A-Za-z][A-Za-z0-9_]*)\s*\}\}"
)
LOOKS_LIKE_CLAIM = re.compile(r"\{\{\s*claim\b[^{}]*\}\}")
ANY = re.compile(f"{FIGURE.pattern}|{VALUE.pattern}|{CLAIM.pattern}")
# characters Markdown or the math extension would read inside the evidence: numeric entities
_INERT = str.maketrans({c: f"&#{ord(c)};" for c in "*_`$[]\\{}|~^"})
GENERATED = "generated"


class MarkerError(ValueError):
    """A marker that names no value, figure or claim, or a claim that does not hold; the
    message gives page and line."""


def _some(names, most: int = 12) -> str:
    names = sorted(names)
    return ", ".join(names[:most]) + (", …" if len(names) > most else "") if names else "none"


def _format(value, spec: str | None, where: str) -> str:
    if spec is None:
        return str(value)
    try:
        return format(value, spec)
    except (TypeError, ValueError) as exc:
        raise MarkerError(f"{where}: cannot format {value!r} with {spec!r}: {exc}") from exc


def fill(
    markdown: str,
    page: str,
    values: dict[str, dict],
    figures: dict[str, set[str]],
    line_offset: int = 0,
    claims: dict[str, dict] | None = None,
) -> str:
    """`markdown` of the page at `page` (a path relative to docs/) with every marker replaced.

    `line_offset` is the number of source lines before `markdown` (the front matter), so that
    errors point at the line of the file.
    """
    errors: list[str] = []
    claims = claims or {}
    shown: list[str] = []  # claims rendered so far: unique ids within the page

    newlines = [i for i, c in enumerate(markdown) if c == "\n"]  # a long page has many markers

    def _line(text: str, pos: int) -> int:
        if text is markdown:
            return bisect.bisect_left(newlines, pos) + 1 + line_offset
        return text.count("\n", 0, pos) + 1 + line_offset

    page_dir = posixpath.dirname(page)

    def known(table: dict, kind: str, snippet: str, key: str, marker: str, where: str) -> bool:
        """Whether `table` has `snippet`'s `key`; if not, the error says what there is."""
        if snippet not in table:
            have = _some(table)
            errors.append(
                f"{where}: unknown snippet {snippet!r} in {marker!r} "
                f"(snippets with {kind}s: {have})"
            )
            return False
        if key not in table[snippet]:
            have = _some(table[snippet])
            errors.append(
                f"{where}: snippet {snippet!r} has no {kind} {key!r} in {marker!r} (it has: {have})"
            )
            return False
        return True

    def value(m: re.Match) -> str:
        snippet, key, spec = m.group("snippet", "key", "spec")
        where = f"{page}:{_line(markdown, m.start())}"
        if not known(values, "value", snippet, key, m.group(0), where):
            return m.group(0)
        try:
            return _format(values[snippet][key], spec.strip() if spec else None, where)
        except MarkerError as exc:
            errors.append(str(exc))
            return m.group(0)

    def figure(m: re.Match) -> str:
        alt, target = m.group("alt").strip(), m.group("target")
        where = f"{page}:{_line(markdown, m.start())}"
        t = FIGURE_TARGET.match(target)
        if not t:
            errors.append(f"{where}: figure target {target!r} must look like 'snippet/figure-name'")
            return m.group(0)
        snippet, name = t.groups()
        if name not in figures.get(snippet, ()):
            known = ", ".join(sorted(figures.get(snippet, ()))) or "none"
            errors.append(f"{where}: snippet {snippet!r} has no figure {name!r} (it has: {known})")
            return m.group(0)
        if not alt:
            errors.append(f"{where}: figure {target!r} needs alt text saying what it shows")
            return m.group(0)
        alt = VALUE.sub(value, alt).replace("[", "(").replace("]", ")")
        images = []
        for scheme in ("light", "dark"):
            src = posixpath.relpath(f"{GENERATED}/{snippet}/{name}-{scheme}.svg", page_dir or ".")
            images.append(f"![{alt}]({src}#only-{scheme}){{ loading=lazy }}")
        return "\n".join(images)

    def claim(m: re.Match) -> str:
        snippet, name = m.group("claim_snippet", "claim")
        where = f"{page}:{_line(markdown, m.start())}"
        if not known(claims, "claim", snippet, name, m.group(0), where):
            return m.group(0)
        found = claims[snippet][name]
        if found.get("holds") is not True:
            errors.append(
                f"{where}: claim {snippet}.{name} does not hold: {found.get('evidence', '')}"
            )
            return m.group(0)
        shown.append(f"{snippet}.{name}")
        return render_claim(f"claim-{len(shown)}", f"{snippet}.{name}", found["evidence"])

    def any_marker(m: re.Match) -> str:
        if m.group("target") is not None:
            return figure(m)
        if m.group("claim") is not None:
            return claim(m)
        return value(m)

    for m in LOOKS_LIKE_CLAIM.finditer(markdown):
        if not CLAIM.fullmatch(m.group(0)):
            errors.append(
                f"{page}:{_line(markdown, m.start())}: malformed claim marker "
                f"{m.group(0)!r}; expected {{{{ claim: snippet.name }}}}"
            )
    for m in LOOKS_LIKE_VALUE.finditer(markdown):
        if not VALUE.fullmatch(m.group(0)) and not LOOKS_LIKE_CLAIM.fullmatch(m.group(0)):
            errors.append(
                f"{page}:{_line(markdown, m.start())}: malformed marker "
                f"{m.group(0)!r}; expected {{{{ snippet.value }}}} or "
                "{{ snippet.value:format }}"
            )
    # one pass over the original text, so every line number refers to the page as written
    out = ANY.sub(any_marker, markdown)
    if "](figure:" in out:  # e.g. alt text with a "]" that the pattern cannot see
        errors.append(
            f"{page}: a figure marker that is not `![alt text](figure:snippet/name)` "
            "(alt text may not contain square brackets)"
        )
    if errors:
        raise MarkerError("\n".join(errors))
    return out


def render_claim(element_id: str, claim: str, evidence: str) -> str:
    """Inline HTML for a checked claim: a button that opens its evidence in a popover.

    The popover API needs no script: the button opens and closes it by click, tap, Enter or
    Space, Escape or a tap elsewhere closes it, and the browser tells assistive technology
    whether it is open. Where the API is missing, the evidence simply shows in the text."""
    text = html.escape(evidence, quote=False).translate(_INERT)
    return (
        f'<span class="claim" data-claim="{claim}">'
        f'<button type="button" class="claim__mark" popovertarget="{element_id}" '
        f'aria-label="Checked by the build: show the evidence">&#10003;</button>'
        f'<span class="claim__evidence" id="{element_id}" popover>'
        f"<strong>Checked when the site was built:</strong> {text}</span></span>"
    )
