"""`cleanwire extract` on files, stdin, directories and URLs served on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest

from conftest import CLEANWIRE, PAGES, ROOT

SEED = PAGES / "neutral" / "taiwan-envoy-israel.html"
SEED_URL = "https://deftechtimes.com/taiwan-envoy-israel-missile-defence/"


def run(*args, input=None):
    return subprocess.run([*CLEANWIRE, "extract", *args], capture_output=True, cwd=ROOT, input=input, timeout=120)


def records(stdout: bytes) -> list[dict]:
    return [json.loads(line) for line in stdout.decode().splitlines() if line.strip()]


def test_file_to_stdout_is_one_valid_record(validate):
    out = run(str(SEED), "--url", SEED_URL)
    assert out.returncode == 0, out.stderr
    [record] = records(out.stdout)
    validate(record)
    assert record["url"] == SEED_URL
    assert record["authors"] == ["Ruta R Deshpande"]


def test_stdin_as_text():
    out = run("-", "--url", SEED_URL, "--format", "text", input=SEED.read_bytes())
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode()
    assert text.startswith("Hidden diplomacy uncovered")
    assert "Growing Exchanges Despite Diplomatic Limits" in text
    assert "Trending on" not in text


def test_directory_and_bad_inputs_to_file(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.html").write_bytes(SEED.read_bytes())
    (tmp_path / "pages" / "b.html.gz").write_bytes(gzip.compress(SEED.read_bytes()))
    (tmp_path / "pages" / "img.html").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    out_file = tmp_path / "out.jsonl"
    out = run(str(tmp_path / "pages"), str(tmp_path / "missing.html"), "ftp://example.org/x", "-o", str(out_file))
    assert out.returncode == 1
    err = out.stderr.decode()
    assert f"{tmp_path / 'pages' / 'img.html'}: not HTML: the bytes are a PNG image" in err
    assert f"{tmp_path / 'missing.html'}: no such file" in err
    assert "ftp://example.org/x: unsupported URL scheme 'ftp'" in err
    assert "Traceback" not in err
    got = records(out_file.read_bytes())
    assert len(got) == 2 and all(r["title"].startswith("Hidden diplomacy") for r in got)
    assert not list(tmp_path.glob(".out.jsonl.*"))  # no temp file left behind


def test_json_format_is_an_array(tmp_path):
    out_file = tmp_path / "out.json"
    assert run(str(SEED), str(SEED), "-o", str(out_file)).returncode == 0
    data = json.loads(out_file.read_text("utf-8"))
    assert isinstance(data, list) and len(data) == 2


def test_non_article_is_reported_not_emitted(tmp_path):
    page = tmp_path / "tags.html"
    page.write_text(
        "<html><body><ul>"
        + "".join(f"<li><a href='/a{i}'>Story {i}</a></li>" for i in range(20))
        + "</ul></body></html>"
    )
    out = run(str(page))
    assert out.returncode == 1
    assert out.stdout == b""
    assert f"{page}: not an article" in out.stderr.decode()


@pytest.fixture
def site(httpserver):
    body = SEED.read_bytes()
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n", content_type="text/plain"
    )
    httpserver.expect_request("/article/").respond_with_data(body, content_type="text/html; charset=utf-8")
    httpserver.expect_request("/private/secret/").respond_with_data(body, content_type="text/html")
    httpserver.expect_request("/gone/").respond_with_data("not here", status=404)
    return httpserver


def test_urls_fetched_through_scrapy(site, tmp_path):
    out_file = tmp_path / "out.jsonl"
    ok, gone, private = site.url_for("/article/"), site.url_for("/gone/"), site.url_for("/private/secret/")
    out = run(ok, gone, private, "-o", str(out_file), "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False")
    err = out.stderr.decode()
    assert out.returncode == 1, err
    assert f"{gone}: HTTP 404" in err
    assert f"{private}: forbidden by robots.txt" in err
    [record] = records(out_file.read_bytes())
    assert record["url"] == ok
    assert record["fetched_at"]
    paths = [req.path for req, _ in site.log]
    assert "/private/secret/" not in paths
    user_agents = {req.headers.get("User-Agent") for req, _ in site.log}
    assert all(ua.startswith("cleanwire/") for ua in user_agents)


def test_ignore_robots_fetches_private(site, tmp_path):
    out = run(site.url_for("/private/secret/"), "--ignore-robots", "-s", "DOWNLOAD_DELAY=0")
    assert out.returncode == 0, out.stderr
    assert len(records(out.stdout)) == 1


def test_python_m_crawler_is_the_same_cli():
    out = subprocess.run([sys.executable, "-m", "crawler", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and "extract" in out.stdout and "bench" in out.stdout
