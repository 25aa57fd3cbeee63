"""Tests for snippets/dl0005_transfer_learning.py, the page module of DL0005: its own helpers, and
every number and claim its page quotes comes from it.

The claims themselves are re-checked on seed set 1 by tests/test_claims.py."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from snippets import dl0005_transfer_learning as page
from snippets import transfer_experiment as te

PAGE = Path(__file__).parents[1] / "docs/transfer-learning/dl0005-transfer-learning.md"
NAME = "dl0005_transfer_learning"


def test_glorot_head_saturation_is_a_share_per_seed():
    sat = page.glorot_head_saturation()
    assert sat.shape == (te.N_SEEDS,)
    assert np.all((sat >= 0) & (sat <= 100))
    assert sat.min() > 10  # the pitfall the page describes: a Glorot head starts saturated


def test_features_mean_is_the_backbone_output():
    assert page.features_mean() > 0  # ReLU features


def test_picked_at_top_counts_seeds_at_the_grid_edge():
    top = page._picked_at_top(("head",), [(0, 1)], 0, te.HEAD_LRS)
    rates = te.tuned("head", 0, 1)["rates"][:, 0]
    np.testing.assert_array_equal(top[0], rates == max(te.HEAD_LRS))


def page_markers(page: Path, name: str) -> tuple[set[str], set[str], set[str]]:
    """The value, claim and figure names `page` quotes from module `name`."""
    text = page.read_text(encoding="utf-8")
    values = set(re.findall(r"\{\{\s*" + name + r"\.(\w+)", text))
    claims = set(re.findall(r"\{\{\s*claim:\s*" + name + r"\.(\w+)", text))
    return values, claims, set(re.findall(r"\(figure:" + name + r"/([\w-]+)\)", text))


def check_page_quotes(module, page: Path, name: str) -> None:
    """Every value and claim `page` quotes from `name` is `module`'s, every claim holds, and
    the figures it shows from `name` are exactly `module`'s."""
    values, claimed, figures = page_markers(page, name)
    assert values <= set(module.values())
    claims = module.claims()
    assert claimed == set(claims) and all(holds for holds, _ in claims.values())
    assert figures == set(module.figures())


def test_every_value_and_claim_the_page_quotes_comes_from_this_module():
    check_page_quotes(page, PAGE, NAME)
    # the strategy grid is drawn by DL0006's module
    assert page_markers(PAGE, "dl0006_layer_freeze_in_tl")[2] == {"strategy-grid"}
