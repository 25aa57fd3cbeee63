"""The built site served on loopback the way a static host serves it: text gzipped.

Used by `scripts/lighthouse.py` (page speed as readers get it) and the browser tests. A static
host (GitHub Pages, Netlify, nginx's defaults) compresses HTML, CSS, JavaScript, JSON and SVG,
and sends fonts and images as they are (WOFF2 and PNG are compressed already).
"""

from __future__ import annotations

import functools
import gzip
import io
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".ipynb", ".map"}


class GzipHandler(SimpleHTTPRequestHandler):
    """Static files; text gzipped when the client accepts it, as a static host does."""

    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".ipynb": "application/json",
        ".woff2": "font/woff2",
        ".svg": "image/svg+xml",
    }

    def log_message(self, *args):  # quiet
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        gzip_ok = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (gzip_ok and path.suffix in COMPRESSED and path.is_file()):
            return super().send_head()
        if not self.path.split("?", 1)[0].endswith("/") and path.name == "index.html":
            return super().send_head()  # let the base class redirect ".../page" to ".../page/"
        body = _gzipped(path, path.stat().st_mtime_ns)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)


@functools.lru_cache(maxsize=512)
def _gzipped(path: Path, mtime_ns: int) -> bytes:
    return gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)


@contextmanager
def serve(directory: Path, port: int = 0):
    """Serve `directory` on 127.0.0.1; yields the origin, e.g. "http://127.0.0.1:41234"."""
    directory = Path(directory)
    if not (directory / "index.html").is_file():
        raise ValueError(f"directory: {directory} has no index.html; expected a built site")
    handler = functools.partial(GzipHandler, directory=str(directory))
    httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
