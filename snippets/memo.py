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
    """`functools.cache` that also keeps each result on disk under the module's key."""

    signature = inspect.signature(fn)

    @functools.cache
    @functools.wraps(fn)
    def cached(*args, **kwargs):
        folder = _folder(fn.__module__)
        if folder is None:
            return fn(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()  # f(), f(0) and f(seed_set=0) are one result
        call = repr(sorted(bound.arguments.items())).encode()
        path = folder / f"{fn.__qualname__}-{hashlib.sha256(call).hexdigest()[:20]}.pkl"
        found, value = _load(path)
        if not found:
            value = fn(*args, **kwargs)
            _store(path, value)
        return value

    return cached
