"""Every claim the pages make holds on a second, disjoint seed set, not only on the one quoted.

The build checks each `{{ claim: snippet.name }}` against seed set 0 (the numbers the page
quotes); its verdicts are read here from the build's own outputs, not computed again. Every
snippet's `claims()` then runs on seed set 1, which shares no seed with set 0, in two worker
processes: a verdict that flips there rested on one set of random draws, as a single
trajectory does under another machine's rounding, and is not a finding. (Importing a page
module in a worker loads its seed-set-0 experiments from the build's memo, snippets/memo.py.)
"""

from __future__ import annotations

import importlib
import inspect
import re
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import pytest

from scripts import markers, pipeline
from snippets.seeds import SEED_SETS, seeds
from tests.conftest import GENERATED, ROOT


def _with_claims() -> list[str]:
    names = [s.name for s in pipeline.discover(ROOT)]
    return [n for n in names if (GENERATED / n / pipeline.CLAIMS_FILE).is_file()]


def _verdicts(job: tuple[str, int]) -> tuple[str, int, dict]:
    name, seed_set = job
    module = importlib.import_module(f"snippets.{name}")
    return name, seed_set, pipeline.check_claims(module.claims(seed_set=seed_set))


@pytest.fixture(scope="module")
def verdicts(outputs) -> dict[tuple[str, int], dict]:
    """(snippet, seed set) → verdicts: set 0 as the build computed it, set 1 computed here."""
    built = pipeline.load_claims(GENERATED)
    out = {(n, 0): built[n] for n in _with_claims()}
    again = [(n, s) for n in _with_claims() for s in SEED_SETS if s != 0]
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        out |= {(n, s): v for n, s, v in pool.map(_verdicts, again)}
    return out


def test_seed_sets_are_disjoint():
    assert set(seeds(1000, 0)).isdisjoint(seeds(1000, 1))
    assert seeds(3, 0) == (0, 1, 2) and seeds(2, 1) == (1000, 1001)
    with pytest.raises(ValueError, match="seed_set"):
        seeds(3, 2)
    with pytest.raises(ValueError, match="n: expected 1 <= n <= 1000, got 0"):
        seeds(0)
    with pytest.raises(TypeError, match="n: expected an int"):
        seeds(2.0)


def test_every_page_module_with_claims_takes_a_seed_set(outputs):
    names = _with_claims()
    assert len(names) >= 10
    for name in names:
        fn = importlib.import_module(f"snippets.{name}").claims
        param = inspect.signature(fn).parameters.get("seed_set")
        assert param is not None and param.default == 0, f"{name}.claims(seed_set=0)"


def test_every_claim_holds_on_both_seed_sets_with_the_same_names(verdicts):
    failures = []
    for name in _with_claims():
        first, second = verdicts[(name, 0)], verdicts[(name, 1)]
        assert set(first) == set(second), f"{name}: claim names differ between seed sets"
        for claim, (a, b) in {c: (first[c], second[c]) for c in first}.items():
            for seed_set, verdict in ((0, a), (1, b)):
                if not verdict["holds"]:
                    failures.append(
                        f"{name}.{claim} fails on seed set {seed_set}: {verdict['evidence']}"
                    )
    assert not failures, "\n".join(failures)


def test_every_claim_is_stated_on_a_page_and_every_stated_claim_exists(verdicts):
    stated = set()
    for page in (ROOT / "docs").rglob("*.md"):
        stated |= {f"{a}.{b}" for a, b in re.findall(markers.CLAIM, page.read_text())}
    defined = {f"{n}.{c}" for (n, s), v in verdicts.items() if s == 0 for c in v}
    assert not stated - defined, f"stated on a page but not computed: {sorted(stated - defined)}"
    assert not defined - stated, f"computed but stated on no page: {sorted(defined - stated)}"
