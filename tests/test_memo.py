"""snippets/memo.py: experiment results on disk under the module's key, reused across
processes, never trusted past a change of source or a damaged file."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from scripts import pipeline
from snippets import memo

MODULE = """
from snippets.memo import memo
from snippets.helper import SCALE

CALLS = []


@memo
def experiment(seed_set=0, n=3):
    CALLS.append((seed_set, n))
    return {"seed_set": seed_set, "sum": SCALE * sum(range(n))}
"""


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    (root / "snippets").mkdir(parents=True)
    (root / "snippets" / "__init__.py").write_text("")
    (root / "snippets" / "memo.py").write_text(Path(memo.__file__).read_text())
    (root / "snippets" / "helper.py").write_text("SCALE = 2\n")
    (root / "snippets" / "exp.py").write_text(MODULE)
    return root


def run(root: Path, code: str, publish: bool = True) -> dict:
    """`code` in a fresh process of the project, with the keys published as the build does."""
    prelude = "import json, sys; sys.path.insert(0, '.');"
    if publish:
        prelude += (
            f"sys.path.insert(1, {str(Path(pipeline.__file__).parent.parent)!r});"
            "from pathlib import Path; from scripts import pipeline;"
            "pipeline.publish_memo_keys(Path('.'), Path('.cache/memo'));"
        )
    r = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        cwd=root,
        capture_output=True,
        text=True,
        # no bytecode cache: an edit within the same second and of the same size must count
        env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


USE = """
from snippets import exp
a = exp.experiment(); b = exp.experiment(0, 3); c = exp.experiment(seed_set=1)
print(json.dumps({"calls": exp.CALLS, "a": a, "c": c}))
"""


def test_a_result_computed_in_one_process_is_loaded_in_the_next(project):
    first = run(project, USE)
    # f(), f(0, 3) and f(seed_set=0) are one result: computed once, then seed set 1
    assert first["calls"] == [[0, 3], [1, 3]] and first["a"] == {"seed_set": 0, "sum": 6}
    second = run(project, USE)
    assert second["calls"] == [] and second["a"] == first["a"] and second["c"] == first["c"]


def test_editing_the_module_or_what_it_imports_computes_again(project):
    run(project, USE)
    (project / "snippets" / "helper.py").write_text("SCALE = 3\n")
    again = run(project, USE)
    assert again["calls"] == [[0, 3], [1, 3]] and again["a"]["sum"] == 9
    folders = list((project / ".cache" / "memo" / "exp").iterdir())
    assert len(folders) == 1  # the results of the old sources are gone


def test_a_damaged_file_is_computed_again(project):
    run(project, USE)
    for f in (project / ".cache" / "memo" / "exp").rglob("*.pkl"):
        f.write_bytes(f.read_bytes()[:10])
    assert run(project, USE)["calls"] == [[0, 3], [1, 3]]


def test_without_the_published_keys_it_is_functools_cache(project):
    out = run(project, USE, publish=False)
    assert out["calls"] == [[0, 3], [1, 3]] and not (project / ".cache").exists()
    again = run(project, USE + "exp.experiment(); print(json.dumps(exp.CALLS))", publish=False)
    assert again == [[0, 3], [1, 3]]  # in memory, as functools.cache


def test_the_build_and_memo_agree_on_the_variable_and_the_file():
    assert (pipeline.MEMO_ENV, pipeline.MEMO_KEYS) == (memo.ENV, memo.KEYS)


def test_memo_keys_follow_imports_and_ignore_the_build_code(project):
    keys = pipeline.memo_keys(project)
    assert set(keys) == {"memo", "helper", "exp"}
    (project / "snippets" / "helper.py").write_text("SCALE = 5\n")
    changed = pipeline.memo_keys(project)
    assert changed["exp"] != keys["exp"] and changed["helper"] != keys["helper"]
    assert changed["memo"] == keys["memo"]


def test_cache_clear_forgets_the_disk_too_for_this_process(project):
    run(project, USE)
    out = run(
        project,
        """
        from snippets import exp
        exp.experiment()
        exp.experiment.cache_clear()
        exp.SCALE = 10  # a test that shrinks or changes a constant, then clears the cache
        r = exp.experiment()
        print(json.dumps({"calls": exp.CALLS, "r": r}))
        """,
    )
    assert out == {"calls": [[0, 3]], "r": {"seed_set": 0, "sum": 30}}
    assert run(project, USE)["a"]["sum"] == 6  # the file is still there for the next process
