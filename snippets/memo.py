"""Experiment results kept on disk, so an experiment the build ran is not run again.

`@memo` is `functools.cache` plus a file per call: the build's run of a page module (seed set
0) stores each memoized experiment's result, and any later process that imports the same
module from the same sources (the tests, the second-seed-set check, a notebook) loads it
instead of training again. A result is filed under its module's key, a hash of the module's
source, of every project module it imports and of the numeric libraries' versions, computed
by the build (`scripts/pipeline.py`) and published in `keys.json` of the folder named by the
environment variable `SNIPPETS_MEMO`. Without that variable, or for a module with no key,
`@memo` is exactly `functools.cache`. A file that cannot be read is recomputed and replaced.

Memoize only pure functions of their arguments (seeds included in them): the disk copy is
trusted for as long as the sources are unchanged.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import os
import pickle
import shutil
import tempfile
from pathlib import Path

ENV = "SNIPPETS_MEMO"
KEYS = "keys.json"
_keys: dict[str, tuple[float, dict]] = {}  # folder → (mtime of keys.json, its content)


def _folder(module: str) -> Path | None:
    """Where the results of `module` (`snippets.<name>`) go, or None when there is no key."""
    root = os.environ.get(ENV)
    if not root or not module.startswith("snippets."):
        return None
    path = Path(root) / KEYS
    try:
        mtime = path.stat().st_mtime
        if _keys.get(root, (None,))[0] != mtime:
            _keys[root] = (mtime, json.loads(path.read_text()))
    except (OSError, ValueError):
        return None
    name = module.split(".", 1)[1]
    key = _keys[root][1].get(name)
    return Path(root) / name / key if isinstance(key, str) and key.isalnum() else None


def _load(path: Path):
    try:
        with open(path, "rb") as f:
            return True, pickle.load(f)
    except Exception:  # noqa: BLE001 - missing, truncated or stale: compute it again
        return False, None


def _store(path: Path, value) -> None:
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - not picklable: kept in memory only
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.parent.iterdir():  # results of the module's earlier sources
        if old.is_dir() and old.name != path.parent.name:
            shutil.rmtree(old, ignore_errors=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)  # atomic: a reader sees the old file or the whole new one


def memo(fn):
    """Cache `fn`'s results in memory and, under a published key, on disk.

    Calls are one result when they bind the same arguments (`f()`, `f(0)` and `f(seed_set=0)`
    for `def f(seed_set=0)`). `cache_clear()` forgets every result for the rest of this
    process, the disk's included: a test that changes a module constant and clears the cache
    gets a fresh computation (the files stay for other processes)."""
    signature = inspect.signature(fn)
    results: dict[str, object] = {}
    state = {"disk": True}

    @functools.wraps(fn)
    def cached(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        call = repr(sorted(bound.arguments.items()))
        if call in results:
            return results[call]
        folder = _folder(fn.__module__) if state["disk"] else None
        if folder is None:
            value = fn(*args, **kwargs)
        else:
            digest = hashlib.sha256(call.encode()).hexdigest()[:20]
            path = folder / f"{fn.__qualname__}-{digest}.pkl"
            found, value = _load(path)
            if not found:
                value = fn(*args, **kwargs)
                _store(path, value)
        results[call] = value
        return value

    def cache_clear() -> None:
        results.clear()
        state["disk"] = False

    cached.cache_clear = cache_clear
    return cached
