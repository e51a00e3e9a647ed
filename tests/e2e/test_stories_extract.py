"""`cleanwire extract URL` on the fixture site's live blog and three-page article: one record each, whole."""

from __future__ import annotations

import json
import subprocess

import pytest

from crawler.demo.server import FixtureSite

from conftest import CLEANWIRE, ROOT

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]


@pytest.fixture(scope="module")
def site():
    with FixtureSite() as served:
        yield served


def extract(*args: str) -> list[dict]:
    out = subprocess.run([*CLEANWIRE, "extract", *args, *FAST], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return [json.loads(line) for line in out.stdout.splitlines()]


def _article(site, kind: str) -> dict:
    return next(a for a in site.manifest["articles"] if a.get("kind") == kind)


def test_extract_url_fetches_and_merges_every_page(site, validate):
    paged = _article(site, "pages")
    [record] = extract(site.url(paged["path"]))
    assert record["url"] == site.url(paged["path"])
    assert record["pages"] == [site.url(p) for p in paged["pages"]]
    assert [b["text"] for b in record["blocks"] if b["type"] == "heading"] == [
        "Homes on the east quay",
        "A working harbour",
        "Squares and the waterfront path",
    ]
    validate(record)
    fetched = [path for _, path, _ in site.requests]
    assert all(fetched.count(p) == 1 for p in paged["pages"])


def test_extract_of_a_continuation_page_is_the_whole_article(site):
    paged = _article(site, "pages")
    [record] = extract(site.url(paged["pages"][1]))
    assert record["url"] == site.url(paged["path"])
    assert record["pages"] == [site.url(p) for p in paged["pages"]]


def test_max_article_pages_one_keeps_the_first_page_alone(site):
    paged = _article(site, "pages")
    [record] = extract(site.url(paged["path"]), "-s", "CLEANWIRE_MAX_ARTICLE_PAGES=1")
    assert "pages" not in record
    assert [b["text"] for b in record["blocks"] if b["type"] == "heading"] == ["Homes on the east quay"]


def test_extract_url_of_a_live_blog_has_its_entries(site):
    live = _article(site, "liveblog")
    [record] = extract(site.url(live["path"]))
    assert [{"time": e["time"], "headline": e["headline"]} for e in record["entries"]] == live["entries"]
