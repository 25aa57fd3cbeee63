"""Snippet outputs: run each page module as a notebook, cached by content, into docs/generated.

A snippet with outputs (a page module) is a module `snippets/<name>.py` that defines
`figures()` (figure name → function that draws a matplotlib Figure for a `plotting.Theme`),
`values()` (value name → number or text the page quotes), `claims()` (claim name →
`(holds, evidence)`: what the page concludes from an experiment, checked where the page states
it) and/or `data()` (name → JSON-serializable data the site's scripts load, e.g. presets and
test vectors for a widget, written as `<name>.json`). For each snippet this module

- computes a cache key from the snippet's source, the source of every project module it imports
  (transitively, so `plotting.py` counts), the build's code that runs it (this file and
  `notebooks.py`), and the versions that change its outputs' bytes;
- reuses `docs/generated/<name>/` when the manifest in `.cache/snippets/` has that key and every
  file still has the recorded hash (a truncated or edited output is rebuilt, never trusted);
- otherwise runs the snippet as a notebook, cell by cell (`scripts/notebooks.py`), then calls
  its functions, in this process, or in a pool of worker processes when several stale snippets
  are expected to take long enough to pay for the workers' start; the notebook with its outputs
  (`<name>.ipynb`) and a copy of the source (`<name>.py`) are outputs like the figures,
  rendered and linked on the site;
- writes outputs atomically and only where the bytes changed; a snippet that fails has its
  outputs removed, so no stale figure is served, and the build stops with its traceback.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import logging
import math
import os
import re
import shutil
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from scripts import notebooks
from scripts.files import atomic_write, write_if_changed

PACKAGE = "snippets"
VALUES_FILE = "values.json"
CLAIMS_FILE = "claims.json"
RESERVED_DATA = {Path(VALUES_FILE).stem, Path(CLAIMS_FILE).stem}
# the build's code that turns a snippet into its outputs: part of every cache key
BUILD_CODE = (Path(__file__), Path(notebooks.__file__))
NAME = re.compile(r"^[a-z][a-z0-9_]*$")  # snippet names (module names)
VALUE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")  # value names: W1, ex_loss, ...
FIGURE_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
THEMES = ("light", "dark")
WORKER_START_SECONDS = 0.8  # a spawned worker importing numpy and matplotlib (measured here)
UNKNOWN_SECONDS = 2.0  # assumed run time of a snippet never run before
DEFAULT_TIMEOUT = 600.0  # seconds a snippet may run before the build gives up on it
MEMO_ENV, MEMO_KEYS = "SNIPPETS_MEMO", "keys.json"  # as in snippets/memo.py (tested equal)

log = logging.getLogger("mkdocs.snippets")


class SnippetError(RuntimeError):
    """A snippet failed; the message names it and carries the traceback."""


@dataclass(frozen=True)
class Snippet:
    name: str
    path: Path
    deps: tuple[str, ...]  # project modules it imports, transitively, itself excluded
    key: str


@dataclass
class Report:
    ran: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    parallel: bool = False


# ---------------------------------------------------------------------------------------------
# discovery and cache keys


def _imports(tree: ast.Module, module: str) -> set[str]:
    """Project modules (`snippets.x`) that `module` imports, absolute or relative."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the package
                base = PACKAGE + ("." + base if base else "")
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return {m.split(".")[1] for m in found if m.startswith(PACKAGE + ".") and m.count(".") >= 1}


def _defines(tree: ast.Module, *functions: str) -> bool:
    return any(isinstance(n, ast.FunctionDef) and n.name in functions for n in tree.body)


def _sha(*parts: bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(hashlib.sha256(p).digest())
    return h.hexdigest()


@functools.cache
def environment_fingerprint() -> bytes:
    """Versions that change the bytes of an output even when no source changed."""
    from importlib.metadata import version

    packages = ("numpy", "matplotlib", "pillow", "ipython", "nbformat", "jupytext")
    return (
        f"py{sys.version_info[:2]} ".encode()
        + " ".join(f"{p}{version(p)}" for p in packages).encode()
    )


def _analyse(src: bytes, path: Path) -> tuple[list[str], bool]:
    """(project modules it imports, whether it defines outputs)."""
    tree = ast.parse(src, filename=str(path))
    outputs = path.stem != "__init__" and _defines(tree, "figures", "values", "claims", "data")
    return sorted(_imports(tree, path.stem)), outputs


# in the cache folder: `_analyse` results by source hash. Parsing every source takes about
# 0.3-0.6 s on the 2-core machine, most of a warm build's check; reading this file, 3 ms.
ANALYSIS_FILE = "analysis.json"


def _load_analysis(cache_dir: Path | None) -> dict:
    if cache_dir is None:
        return {}
    try:
        found = json.loads((Path(cache_dir) / ANALYSIS_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _scan(root: Path, cache_dir: Path | None) -> tuple[dict[str, bytes], dict[str, set[str]], dict]:
    """(module → source, module → project modules it imports, module → defines outputs)."""
    pkg = root / PACKAGE
    sources: dict[str, bytes] = {}
    graph: dict[str, set[str]] = {}
    has_outputs: dict[str, bool] = {}
    known = _load_analysis(cache_dir)
    seen: dict[str, list] = {}
    build_code = b"".join(p.read_bytes() for p in BUILD_CODE)
    for path in sorted(pkg.glob("*.py")):
        name = path.stem
        src = path.read_bytes()
        sources[name] = src
        digest = _sha(build_code, name.encode(), src)
        entry = known.get(digest)
        if not (
            isinstance(entry, list)
            and len(entry) == 2
            and isinstance(entry[0], list)
            and all(isinstance(m, str) for m in entry[0])
            and isinstance(entry[1], bool)
        ):
            entry = list(_analyse(src, path))
        seen[digest] = entry
        graph[name] = set(entry[0])
        has_outputs[name] = entry[1]
    if cache_dir is not None and seen != known:
        atomic_write(Path(cache_dir) / ANALYSIS_FILE, json.dumps(seen, sort_keys=True).encode())
    return sources, graph, has_outputs


def _closure(name: str, graph: dict[str, set[str]], sources: dict[str, bytes]) -> set[str]:
    """The project modules `name` imports, transitively (itself excluded, `__init__` included)."""
    deps: set[str] = set()
    todo = [name]
    while todo:
        for dep in graph.get(todo.pop(), ()):
            if dep in sources and dep not in deps and dep != name:
                deps.add(dep)
                todo.append(dep)
    return deps | ({"__init__"} & sources.keys())


def discover(root: Path, cache_dir: Path | None = None) -> list[Snippet]:
    """Every snippet under `root/snippets` with its dependencies and cache key, by name.

    Parsing the sources is most of the cost of a warm build's check; with `cache_dir`, what
    the parse found is kept there by source hash, so unchanged files are not parsed again."""
    sources, graph, has_outputs = _scan(root, cache_dir)
    build_code = b"".join(p.read_bytes() for p in BUILD_CODE)
    env = environment_fingerprint()
    out = []
    for name in sorted(n for n, ok in has_outputs.items() if ok):
        if not NAME.match(name):
            raise SnippetError(f"snippet {name}: module names must match {NAME.pattern}")
        deps = _closure(name, graph, sources)
        parts = [name.encode(), sources[name], build_code, env]
        for dep in sorted(deps):
            parts += [dep.encode(), sources[dep]]
        out.append(Snippet(name, root / PACKAGE / f"{name}.py", tuple(sorted(deps)), _sha(*parts)))
    return out


def memo_keys(root: Path, cache_dir: Path | None = None) -> dict[str, str]:
    """module → the key its `@memo` results are filed under (`snippets/memo.py`): its source,
    every project module it imports, transitively, and the libraries' versions. Unlike a
    snippet's key, the build's own code is not part of it: it does not change a result."""
    sources, graph, _ = _scan(root, cache_dir)
    env = environment_fingerprint()
    keys = {}
    for name in sorted(n for n in sources if n != "__init__"):
        parts = [name.encode(), sources[name], env]
        for dep in sorted(_closure(name, graph, sources)):
            parts += [dep.encode(), sources[dep]]
        keys[name] = _sha(*parts)
    return keys


def publish_memo_keys(root: Path, memo_dir: Path, cache_dir: Path | None = None) -> None:
    """Write `memo_dir/keys.json` and point `@memo` there (in this process and the workers it
    spawns), so experiments the build runs are stored and later imports load them."""
    memo_dir = Path(memo_dir)
    memo_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(memo_keys(root, cache_dir), indent=1, sort_keys=True).encode()
    write_if_changed(memo_dir / MEMO_KEYS, text)
    os.environ[MEMO_ENV] = str(memo_dir.resolve())


# ---------------------------------------------------------------------------------------------
# running one snippet (in this process or a worker)


def _check_values(name: str, values) -> dict[str, object]:
    if not isinstance(values, dict):
        raise TypeError(f"values() must return a dict, got {type(values).__name__}")
    clean: dict[str, object] = {}
    for key, v in values.items():
        if not isinstance(key, str) or not VALUE_NAME.match(key):
            raise ValueError(f"value name {key!r} must match {VALUE_NAME.pattern}")
        if hasattr(v, "item") and getattr(v, "ndim", 1) == 0:  # numpy scalar
            v = v.item()
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            raise TypeError(f"value {key!r} must be an int, float or str, got {type(v).__name__}")
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"value {key!r} is {v}, not a finite number")
        if isinstance(v, str) and re.search(r"\bnan\b|\binf\b", v, re.I):
            raise ValueError(f"value {key!r} reads {v!r}: a NaN or inf reached the text")
        clean[key] = v
    return clean


def check_claims(claims) -> dict[str, dict[str, object]]:
    """`claims()`'s result as {name: {"holds": bool, "evidence": str}}, or TypeError/ValueError.

    A claim that does not hold is kept (with its evidence): the page that states it fails the
    build with its own page and line."""
    if not isinstance(claims, dict):
        raise TypeError(f"claims() must return a dict, got {type(claims).__name__}")
    clean: dict[str, dict[str, object]] = {}
    for key, c in claims.items():
        if not isinstance(key, str) or not VALUE_NAME.match(key):
            raise ValueError(f"claim name {key!r} must match {VALUE_NAME.pattern}")
        if not (isinstance(c, tuple) and len(c) == 2):
            raise TypeError(f"claim {key!r} must be a (holds, evidence) pair, got {c!r:.80}")
        holds, evidence = c
        if hasattr(holds, "item") and getattr(holds, "ndim", 1) == 0:  # numpy bool
            holds = holds.item()
        if not isinstance(holds, bool):
            raise TypeError(f"claim {key!r}: holds must be a bool, got {type(holds).__name__}")
        if not isinstance(evidence, str) or not evidence.strip():
            raise TypeError(f"claim {key!r}: evidence must be a non-empty str, got {evidence!r}")
        if re.search(r"\bnan\b|\binf\b", evidence, re.I):
            raise ValueError(f"claim {key!r}: evidence {evidence!r} has a NaN or inf in it")
        clean[key] = {"holds": holds, "evidence": " ".join(evidence.split())}
    return clean


def run_snippet(name: str) -> tuple[dict[str, bytes], float]:
    """Run `snippets/<name>.py` as a notebook (its cells, in order, recording their outputs),
    then draw every figure in both themes and collect its values, claims and data.

    Returns the output files (file name → bytes) and the seconds it took.
    """
    import snippets
    from snippets import plotting

    start = time.perf_counter()
    path = Path(snippets.__file__).parent / f"{name}.py"
    module, notebook = notebooks.run(name, path, PACKAGE)
    files: dict[str, bytes] = {
        f"{name}.ipynb": nbformat_bytes(notebook),
        f"{name}.py": path.read_bytes(),
    }
    figures = module.figures() if hasattr(module, "figures") else {}
    if not isinstance(figures, dict):
        raise TypeError(f"figures() must return a dict, got {type(figures).__name__}")
    for fig_name, draw in figures.items():
        if not isinstance(fig_name, str) or not FIGURE_NAME.match(fig_name):
            raise ValueError(f"figure name {fig_name!r} must match {FIGURE_NAME.pattern}")
        for theme_name in THEMES:
            theme = plotting.THEMES[theme_name]
            with plotting.themed(theme):
                fig = draw(theme)
                _check_figure_data(fig, f"{fig_name} ({theme_name})")
                files[f"{fig_name}-{theme_name}.svg"] = plotting.to_svg(fig)
    raw_values = module.values() if hasattr(module, "values") else {}
    values = _check_values(name, raw_values)
    files[VALUES_FILE] = json.dumps(values, indent=1, sort_keys=True).encode()
    if hasattr(module, "claims"):
        files[CLAIMS_FILE] = json.dumps(
            check_claims(module.claims()), indent=1, sort_keys=True, ensure_ascii=False
        ).encode()
    data = module.data() if hasattr(module, "data") else {}
    if not isinstance(data, dict):
        raise TypeError(f"data() must return a dict, got {type(data).__name__}")
    for stem, obj in data.items():
        if not isinstance(stem, str) or not FIGURE_NAME.match(stem) or stem in RESERVED_DATA:
            raise ValueError(
                f"data name {stem!r} must match {FIGURE_NAME.pattern}, and not be one of "
                f"{sorted(RESERVED_DATA)}"
            )
        try:  # compact, sorted, and no NaN: the browser's JSON.parse must read it
            text = json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"data {stem!r} is not plain finite JSON: {exc}") from exc
        files[f"{stem}.json"] = text.encode()
    return files, time.perf_counter() - start


def nbformat_bytes(nb) -> bytes:
    """The notebook file: validated, with a final newline."""
    import nbformat

    nbformat.validate(nb)
    return (nbformat.writes(nb) + "\n").encode()


def _check_figure_data(fig, what: str) -> None:
    """Refuse a figure whose data went bad (a diverged loss, a 0/0): matplotlib would draw it
    with silent gaps. A point that is NaN in both coordinates is allowed in a line: that is the
    usual way to draw many separate segments as one line."""
    import numpy as np

    def bad(message: str):
        raise ValueError(f"figure {what}: NaN or inf in the plotted data ({message})")

    for ax in fig.axes:
        for line in ax.lines:
            xy = np.asarray(line.get_xydata(), dtype=float)
            finite = np.isfinite(xy)
            if np.isinf(xy).any() or (finite.any(axis=1) != finite.all(axis=1)).any():
                bad(f"line {line.get_label()!r}")
            if xy.size and not finite.any():
                bad(f"line {line.get_label()!r} has no finite point")
        for coll in ax.collections:
            offsets = np.ma.getdata(coll.get_offsets())
            if len(offsets) and not np.isfinite(np.asarray(offsets, dtype=float)).all():
                bad(f"points of {type(coll).__name__}")
        for image in ax.images:  # NaN pixels are transparent on purpose; inf is not
            if np.isinf(np.ma.getdata(image.get_array()).astype(float)).any():
                bad("image")


class SnippetTimeout(Exception):
    """A snippet ran past SNIPPET_TIMEOUT seconds."""


def _timeout_seconds() -> float:
    try:
        return float(os.environ.get("SNIPPET_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


def _run_guarded(name: str):
    """`run_snippet` that reports failure as a formatted traceback (safe across processes).

    A snippet running longer than SNIPPET_TIMEOUT seconds is stopped (with a timer signal, in
    the main thread of this process or of a worker)."""
    limit = _timeout_seconds()
    use_alarm = limit > 0 and threading.current_thread() is threading.main_thread()

    def expire(signum, frame):
        raise SnippetTimeout(f"snippet {name} ran past {limit:g} s (SNIPPET_TIMEOUT)")

    if use_alarm:
        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        files, seconds = run_snippet(name)
        return name, files, seconds, None
    except BaseException:  # noqa: BLE001 - any failure, including SystemExit, fails the build
        return name, None, 0.0, traceback.format_exc()
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _run_group(names: list[str]) -> list:
    """`_run_guarded` for each of `names`, one after the other in this process."""
    return [_run_guarded(name) for name in names]


SHARED_EXPERIMENT = "_experiment"  # `<topic>_experiment.py`: an experiment several pages quote


def groups(stale: list[Snippet]) -> list[list[Snippet]]:
    """Stale page modules that import the same shared experiment module (`*_experiment`) form
    one group, which one worker runs one module after the other: the experiment, cached in
    that process, is computed once (DL0005 and DL0006 share the transfer grid). Every other
    module is a group of its own."""
    out: dict[str, list[Snippet]] = {}
    for s in stale:
        shared = sorted(d for d in s.deps if d.endswith(SHARED_EXPERIMENT))
        out.setdefault(shared[0] if shared else s.name, []).append(s)
    return list(out.values())


def _worker_init(paths: list[str]) -> None:
    sys.path[:0] = [p for p in paths if p not in sys.path]


def _forget_modules() -> None:
    """Drop imported snippet modules so an edited source is read again (mkdocs serve)."""
    for mod in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[mod]


# ---------------------------------------------------------------------------------------------
# cache entries and outputs on disk


def _manifest_path(cache_dir: Path, name: str) -> Path:
    return cache_dir / f"{name}.json"


def _read_manifest(cache_dir: Path, name: str) -> dict | None:
    try:
        m = json.loads(_manifest_path(cache_dir, name).read_text())
    except (OSError, ValueError):
        return None
    ok = (
        isinstance(m, dict)
        and isinstance(m.get("key"), str)
        and isinstance(m.get("files"), dict)
        and isinstance(m.get("seconds"), (int, float))
    )
    return m if ok else None


def is_fresh(snippet: Snippet, out_dir: Path, cache_dir: Path) -> bool:
    """The cache entry has this key and every output file is present with its recorded hash."""
    m = _read_manifest(cache_dir, snippet.name)
    if m is None or m["key"] != snippet.key:
        return False
    target = out_dir / snippet.name
    try:
        present = {p.name for p in target.iterdir()}
    except OSError:
        return False
    if present != set(m["files"]):
        return False
    for fname, digest in m["files"].items():
        try:
            if hashlib.sha256((target / fname).read_bytes()).hexdigest() != digest:
                return False
        except OSError:
            return False
    return True


def write_outputs(
    snippet: Snippet, files: dict[str, bytes], seconds: float, out_dir: Path, cache_dir: Path
) -> None:
    """Put `files` in `out_dir/<name>/` (only changed bytes are written), then the manifest."""
    target = out_dir / snippet.name
    target.mkdir(parents=True, exist_ok=True)
    _manifest_path(cache_dir, snippet.name).unlink(missing_ok=True)  # invalid until complete
    for old in target.iterdir():
        if old.name not in files:
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    digests = {}
    for fname, data in sorted(files.items()):
        digests[fname] = hashlib.sha256(data).hexdigest()
        write_if_changed(target / fname, data)
    manifest = {"key": snippet.key, "files": digests, "seconds": round(seconds, 3)}
    atomic_write(
        _manifest_path(cache_dir, snippet.name),
        json.dumps(manifest, indent=1, sort_keys=True).encode(),
    )


def remove_outputs(name: str, out_dir: Path, cache_dir: Path) -> None:
    _manifest_path(cache_dir, name).unlink(missing_ok=True)
    shutil.rmtree(out_dir / name, ignore_errors=True)


def _expected_seconds(snippet: Snippet, cache_dir: Path) -> float:
    """How long the snippet took last time (its manifest survives a change of key)."""
    m = _read_manifest(cache_dir, snippet.name)
    return float(m["seconds"]) if m else UNKNOWN_SECONDS


def pays_to_parallelize(seconds: list[float], workers: int) -> bool:
    """Whether `workers` processes finish sooner than running everything here, one by one.

    In this process the snippets take their sum; in a pool they take about the worker start
    plus the larger of the longest snippet and an even share of the total.
    """
    if workers < 2 or len(seconds) < 2:
        return False
    total = sum(seconds)
    return WORKER_START_SECONDS + max(max(seconds), total / workers) < total


# ---------------------------------------------------------------------------------------------
# the build step


def build(
    root: Path,
    out_dir: Path,
    cache_dir: Path,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
    memo_dir: Path | None = None,
) -> Report:
    """Bring `out_dir/<snippet>/` up to date for every snippet; raise SnippetError on failure.

    Folders of `out_dir` that belong to no snippet are removed. Experiments the snippets
    memoize (`snippets/memo.py`) are kept in `memo_dir` (default: `memo` beside `cache_dir`)."""
    say = progress or log.info
    root, out_dir, cache_dir = Path(root), Path(out_dir), Path(cache_dir)
    publish_memo_keys(root, memo_dir or cache_dir.parent / "memo", cache_dir)
    snippets = discover(root, cache_dir)
    names = {s.name for s in snippets}
    if out_dir.is_dir():  # outputs of snippets that no longer exist
        for d in out_dir.iterdir():
            source = root / PACKAGE / f"{d.name}.py"
            being_saved = source.is_file() and source.stat().st_size == 0  # an editor mid-save
            if d.is_dir() and d.name not in names and not being_saved:
                remove_outputs(d.name, out_dir, cache_dir)
    report = Report()
    stale = []
    for s in snippets:
        if is_fresh(s, out_dir, cache_dir):
            report.cached.append(s.name)
            say(f"snippet {s.name}: cached")
        else:
            stale.append(s)
    if not stale:
        return report

    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    workers = min(jobs, len(stale))
    by_name = {s.name: s for s in stale}
    expected = {s.name: _expected_seconds(s, cache_dir) for s in stale}
    parallel = pays_to_parallelize(list(expected.values()), workers)
    report.parallel = parallel
    failures = []

    def finish(name, files, seconds, error):
        if error is not None:
            remove_outputs(name, out_dir, cache_dir)
            failures.append(f"snippet {name} failed:\n{error}")
            say(f"snippet {name}: FAILED")
            return
        write_outputs(by_name[name], files, seconds, out_dir, cache_dir)
        report.ran.append(name)
        report.seconds[name] = seconds
        say(f"snippet {name}: {seconds:.2f} s")

    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    if parallel:
        say(f"snippets: running {len(stale)} in {workers} worker processes")
        # longest first, so the workers finish close together
        order = sorted(groups(stale), key=lambda g: -sum(expected[s.name] for s in g))
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=get_context("spawn"),  # never fork a threaded server (mkdocs serve)
            initializer=_worker_init,
            initargs=([str(root)],),
        ) as pool:
            for results in pool.map(_run_group, [[s.name for s in g] for g in order]):
                for result in results:
                    finish(*result)
    else:
        _forget_modules()
        for s in stale:
            finish(*_run_guarded(s.name))
    if failures:
        raise SnippetError("\n".join(failures))
    return report


def load_values(out_dir: Path) -> dict[str, dict[str, object]]:
    """snippet → {value name → value}, from the values files the build wrote."""
    out = {}
    for path in sorted(Path(out_dir).glob(f"*/{VALUES_FILE}")):
        out[path.parent.name] = json.loads(path.read_text())
    return out


def load_claims(out_dir: Path) -> dict[str, dict[str, dict[str, object]]]:
    """snippet → {claim name → {"holds", "evidence"}}, from the claims files the build wrote."""
    out = {}
    for path in sorted(Path(out_dir).glob(f"*/{CLAIMS_FILE}")):
        out[path.parent.name] = json.loads(path.read_text())
    return out


def load_figures(out_dir: Path) -> dict[str, set[str]]:
    """snippet → names of its figures (those with both a light and a dark file)."""
    out: dict[str, set[str]] = {}
    for d in (
        sorted(p for p in Path(out_dir).iterdir() if p.is_dir()) if Path(out_dir).is_dir() else []
    ):
        light = {p.name[: -len("-light.svg")] for p in d.glob("*-light.svg")}
        dark = {p.name[: -len("-dark.svg")] for p in d.glob("*-dark.svg")}
        out[d.name] = light & dark
    return out
