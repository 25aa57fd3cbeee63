"""How long an author waits under `make serve`: the reload after a prose edit and after a page
module edit, against a full build of the site by MkDocs alone.

    python scripts/reload.py [--runs 3]

Works on a copy of the project (`bench.copy_project`). It builds once (so the page modules'
outputs are cached, as after any first `make serve`), starts `mkdocs serve --dirty` as
`make serve` does (`--dirty --no-strict`), then, `--runs` times each:

- appends a sentence to a question page (`PAGE`) and times until the server reports that the
  browsers reload and the served page contains the sentence;
- edits that page's page module (`MODULE`: a comment, so its outputs stay the same bytes) and
  times until the server reports the reload; the module's own compute is read from the log.

Rendering alone is `bench.build(render_only=True)`: a cold process rendering the whole site
with no hooks. Prints the medians and the ratios, and writes them to `scripts/reload.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import bench  # noqa: E402

PAGE = "cnn/dl0009-pooling.md"
MODULE = "dl0009_pooling"
RELOADED = re.compile(r"Reloading browsers")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`mkdocs serve --dirty` on the project, its log lines in a queue."""

    def __init__(self, project: Path):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mkdocs",
                "serve",
                "--dirty",
                "--no-strict",
                "--dev-addr",
                f"127.0.0.1:{self.port}",
            ],
            cwd=project,
            env=bench.ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for(re.compile(r"Serving on"), timeout=600)

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, pattern: re.Pattern, timeout: float = 300) -> list[str]:
        """Log lines up to and including the first that matches `pattern`."""
        seen, end = [], time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.05)
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise RuntimeError("mkdocs serve exited:\n" + "".join(seen)) from None
                continue
            seen.append(line)
            if pattern.search(line):
                return seen
        raise TimeoutError(f"no {pattern.pattern!r} within {timeout} s:\n" + "".join(seen))

    def drain(self) -> None:
        while not self.lines.empty():
            self.lines.get()

    def get(self, path: str) -> str:
        url = f"http://127.0.0.1:{self.port}/{path}"
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.read().decode()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def timed_edit(
    server: Server, path: Path, text: str, shows: str | None, page_url: str, ran: str | None
):
    """Save `text` to `path` as an editor does (a new file renamed over the old one, so the
    server never reads half a file); seconds until the reload that shows the edit: the served
    page contains `shows`, or the rebuild's log says the page module `ran`."""
    server.drain()
    time.sleep(1.1)  # file times have a resolution; MkDocs compares them (dirty builds)
    tmp = path.with_name(f".{path.name}.new")
    tmp.write_text(text)
    start = time.perf_counter()
    os.replace(tmp, path)
    log: list[str] = []
    while True:
        log += server.wait_for(RELOADED)
        seconds = time.perf_counter() - start
        if ran is not None and re.search(rf"snippet {ran}: [\d.]+ s", "".join(log)):
            break
        if shows is not None and shows in server.get(page_url):
            break
    return seconds, "".join(log)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="reload-") as tmp:
        project = bench.copy_project(Path(tmp) / "site-project")
        bench.bare_config(project)
        bench.build(project)  # page modules' outputs cached, as after a first `make serve`
        rendering = [bench.build(project, render_only=True)[0] for _ in range(args.runs)]
        server = Server(project)
        page = project / "docs" / PAGE
        module = project / "snippets" / f"{MODULE}.py"
        url = PAGE.removesuffix(".md") + "/"
        prose, module_times, compute = [], [], []
        try:
            for i in range(args.runs):
                token = f"Reload probe sentence {i}."
                text = page.read_text() + f"\n{token}\n"
                seconds, _ = timed_edit(server, page, text, token, url, None)
                prose.append(seconds)
            for i in range(args.runs):
                text = module.read_text() + f"\n# reload probe edit {i}\n"
                seconds, log = timed_edit(server, module, text, None, url, MODULE)
                ran = re.search(rf"snippet {MODULE}: ([\d.]+) s", log)
                if ran is None:
                    raise RuntimeError(f"the page module did not re-run:\n{log}")
                module_times.append(seconds)
                compute.append(float(ran.group(1)))
        finally:
            server.stop()
    r = statistics.median(rendering)
    result = {
        "rendering_s": r,
        "prose_reload_s": statistics.median(prose),
        "module_reload_s": statistics.median(module_times),
        "module_compute_s": statistics.median(compute),
        "prose_over_rendering": statistics.median(prose) / r,
        "module_over_rendering_plus_compute": statistics.median(module_times)
        / (r + statistics.median(compute)),
        "module_minus_compute_over_rendering": (
            statistics.median(module_times) - statistics.median(compute)
        )
        / r,
        "runs": args.runs,
        "page": PAGE,
        "machine": f"{os.cpu_count()} cores",
    }
    (ROOT / "scripts" / "reload.json").write_text(json.dumps(result, indent=1) + "\n")
    print(f"rendering alone (cold process, whole site): {r:.2f} s")
    print(
        f"prose edit of {PAGE}: reload after {result['prose_reload_s']:.2f} s "
        f"= {result['prose_over_rendering']:.2f} x rendering alone (target <= 0.4)"
    )
    print(
        f"page module edit ({MODULE}, {result['module_compute_s']:.2f} s of compute): reload "
        f"after {result['module_reload_s']:.2f} s; minus its compute "
        f"{result['module_minus_compute_over_rendering']:.2f} x rendering alone"
    )


if __name__ == "__main__":
    main()
