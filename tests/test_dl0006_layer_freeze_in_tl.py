"""Tests for snippets/dl0006_layer_freeze_in_tl.py, the page module of DL0006: the t-interval
rule `within`, the batch-norm demo, and every number and claim its page quotes comes from it.

The claims themselves are re-checked on seed set 1 by tests/test_claims.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from snippets import dl0006_layer_freeze_in_tl as page
from tests.test_dl0005_transfer_learning import check_page_quotes

PAGE = Path(__file__).parents[1] / "docs/transfer-learning/dl0006-layer-freeze-in-tl.md"
NAME = "dl0006_layer_freeze_in_tl"


def test_within_bounds_the_95_percent_t_interval():
    base = np.array([50.0, 60.0, 70.0, 80.0, 90.0])
    # mean 1, sd 0 -> bound 1
    assert page.within(base + 1, base, 1.5, "x")[0]
    assert not page.within(base + 1, base, 0.9, "x")[0]
    # mean 0, sd 1 over 5 seeds -> bound t(4) * 1 / sqrt(5) = 2.776 / 2.236 = 1.24
    d = np.array([1.0, -1.0, 1.0, -1.0, 0.0])
    holds, text = page.within(base + d, base, 1.3, "x")
    assert holds and "bound 1.2" in text
    assert not page.within(base + d, base, 1.2, "x")[0]


def test_within_needs_paired_runs():
    with pytest.raises(ValueError, match="b"):
        page.within(np.ones(5), np.ones(4), 1.0, "x")


def test_bn_demo_follows_one_minus_momentum_to_the_k():
    bn = page.bn_demo()
    assert bn["fraction"][0] == 0 and bn["fraction"].size == page.BN_STEPS + 1
    np.testing.assert_allclose(bn["fraction"], bn["expected"], atol=0.1)
    assert bn["output_change"] > 0 and bn["batch_noise"] > 0


def test_every_value_and_claim_the_page_quotes_comes_from_this_module():
    check_page_quotes(page, PAGE, NAME)
