"""Tests for scripts/questions.py: the question index and the print page come from the pages."""

from __future__ import annotations

import pytest

from scripts import questions as q

PAGE = """---
tags:
  - cnn
  - pooling
---

# DL0009 · Pooling

!!! question "The question"

    What is pooling?

??? success "Short answer"

    It downsamples. See [backprop](../training/ml0034-backpropagation.md#the-five-steps),
    [below](#pitfalls) and [the web](https://example.org).

## Pitfalls
"""

NAV = [
    {"Home": "index.md"},
    {"Training": ["training/ml0034-backpropagation.md"]},
    {"CNN": ["cnn/dl0009-pooling.md"]},
    {"Tags": "tags.md"},
]
SOURCES = {
    "training/ml0034-backpropagation.md": "# ML0034 · Backpropagation\n",
    "cnn/dl0009-pooling.md": PAGE,
}


def test_nav_sections_map_pages_to_their_section():
    sections = q.nav_sections(NAV)
    assert sections["cnn/dl0009-pooling.md"] == "CNN"
    assert sections["training/ml0034-backpropagation.md"] == "Training"
    assert sections["index.md"] == "Home"


def test_collect_reads_id_title_topic_and_tags_in_nav_order():
    found = q.collect(q.nav_sections(NAV), SOURCES)
    assert [(x.id, x.title, x.topic) for x in found] == [
        ("ML0034", "Backpropagation", "Training"),
        ("DL0009", "Pooling", "CNN"),
    ]
    assert found[1].tags == ("cnn", "pooling")


def test_index_table_links_relative_to_the_page():
    table = q.index_table(q.collect(q.nav_sections(NAV), SOURCES), "index.md")
    assert "| DL0009 | [Pooling](cnn/dl0009-pooling.md) | CNN | cnn, pooling |" in table
    assert 'data-qid="ML0034"' in table


def test_print_page_expands_answers_and_rebases_links():
    text = q.print_page(q.collect(q.nav_sections(NAV), SOURCES))
    assert '???+ success "Short answer"' in text and "??? " not in text
    assert "](training/ml0034-backpropagation.md#the-five-steps)" in text
    assert "](cnn/dl0009-pooling.md#pitfalls)" in text
    assert "](https://example.org)" in text
    assert text.index("# ML0034") < text.index("# DL0009")


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ({**SOURCES, "cnn/dl0009-pooling.md": "# Pooling\n"}, "first heading"),
        ({**SOURCES, "cnn/dl0009-pooling.md": "# DL0008 · Pooling\n"}, "does not match"),
    ],
)
def test_pages_off_the_convention_fail(sources, message):
    with pytest.raises(q.QuestionError, match=message):
        q.collect(q.nav_sections(NAV), sources)
