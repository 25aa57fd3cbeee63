"""The tools that measure page speed: the gzip static server (scripts/static_server.py) and
the Lighthouse summary (scripts/lighthouse.py), on hand-made inputs."""

from __future__ import annotations

import gzip
import urllib.request

import pytest

from scripts import lighthouse
from scripts.static_server import serve


@pytest.fixture
def built(tmp_path):
    (tmp_path / "index.html").write_text("<p>home</p>" * 50)
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "index.html").write_text("<p>page</p>" * 50)
    (tmp_path / "font.woff2").write_bytes(b"wOF2" + bytes(range(256)))
    return tmp_path


def get(url: str, gzip_ok: bool = True):
    headers = {"Accept-Encoding": "gzip"} if gzip_ok else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as r:
        return r.status, r.headers, r.read(), r.url


def test_text_is_gzipped_as_a_static_host_does_and_fonts_are_not(built):
    with serve(built) as origin:
        status, headers, body, _ = get(f"{origin}/page/")
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(body) == (built / "page" / "index.html").read_bytes()
        assert int(headers["Content-Length"]) == len(body)
        _, headers, body, _ = get(f"{origin}/page/", gzip_ok=False)
        assert "Content-Encoding" not in headers and body.startswith(b"<p>page")
        _, headers, body, _ = get(f"{origin}/font.woff2")
        assert "Content-Encoding" not in headers and body.startswith(b"wOF2")
        assert headers["Content-Type"] == "font/woff2"
        _, _, _, url = get(f"{origin}/page")  # a directory without its slash is redirected
        assert url.endswith("/page/")


def test_serve_wants_a_built_site(tmp_path):
    with pytest.raises(ValueError, match="directory"):
        with serve(tmp_path):
            pass


def report(perf: float, tbt: float) -> dict:
    audits = {
        "first-contentful-paint": {"numericValue": 1500.0},
        "largest-contentful-paint": {"numericValue": 2500.0},
        "total-blocking-time": {"numericValue": tbt},
        "cumulative-layout-shift": {"numericValue": 0.0},
        "speed-index": {"numericValue": 2000.0},
        "total-byte-weight": {
            "numericValue": 204800,
            "details": {"items": [{"url": "http://x/a.css", "totalBytes": 1024}]},
        },
        "dom-size": {"numericValue": 1234},
    }
    categories = {c: {"score": 1.0} for c in lighthouse.CATEGORIES}
    categories["performance"] = {"score": perf}
    return {"audits": audits, "categories": categories}


def test_the_median_run_by_performance_is_reported():
    runs = [lighthouse.summary(report(p, t)) for p, t in ((0.9, 100), (0.5, 900), (0.8, 300))]
    best = lighthouse.median_run(runs)
    assert best["scores"]["performance"] == 80 and best["metrics"]["TBT ms"] == 300
    assert best["transfer KB"] == 200.0 and best["largest"] == [{"url": "a.css", "KB": 1.0}]
    best["performance runs"] = [90, 50, 80]
    v = lighthouse.values({"home": best})
    assert v["home_perf"] == 80 and v["home_runs"] == "90, 50, 80"
    assert v["home_fcp"] == "1.5" and v["home_tbt"] == 300 and v["home_kb"] == 200


def test_missed_targets_are_named():
    good = lighthouse.summary(report(0.96, 100))
    slow = lighthouse.summary(report(0.8, 450))
    assert lighthouse.targets_missed({"home": good, "print": slow}) == []
    missed = lighthouse.targets_missed({"question_widget": slow})
    assert missed == [
        "question_widget: performance 80 < 95",
        "question_widget: blocking time 450 ms > 200",
    ]
