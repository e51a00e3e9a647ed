"""`explain`: every block in page order with its rule, and a standalone HTML report, on every fixture page."""

from __future__ import annotations

import html
import json
import re
import subprocess
from collections import Counter

import pytest

from cleaners.explain import explain, explain_text, render_html, render_text

from conftest import CLEANWIRE, FIXTURES, PAGES, ROOT

FIXTURE_PAGES = sorted(PAGES.glob("*/*.html"))
SEED = PAGES / "neutral" / "taiwan-envoy-israel.html"
SEED_URL = "https://deftechtimes.com/taiwan-envoy-israel-missile-defence/"
EXTERNAL = re.compile(r"""\bsrc=|<script|<link|@import|url\(|<iframe|<img""", re.IGNORECASE)


def _url(page) -> str | None:
    expect = page.with_name(page.name.replace(".html", ".expect.json"))
    return json.loads(expect.read_text("utf-8")).get("url") if expect.is_file() else None


def test_seed_blocks_interleave_in_page_order():
    expl = explain(SEED.read_bytes(), url=SEED_URL)
    texts = [e.text for e in expl.entries]

    def at(prefix):
        return next(i for i, t in enumerate(texts) if t.startswith(prefix))

    order = [
        "More from Author",
        "Ruta Deshpande is a seasoned",
        "Taiwan’s Deputy Foreign Minister",
        "Francois Wu’s Rare Visit",
        "Francois Wu, one of",
        "Secret Pentagon warning",
        "The secret nature",
        "Because of these similarities",
        "TSMC reportedly",
        "Taiwan’s foreign minister",
        "China, which recognises",
        "China warns of New Zealand",
        "Taiwan’s growing interest",
        "The latest secret visit",
        "- Advertisement -",
        "Trending on Deftechtimes",
    ]
    assert [at(p) for p in order] == sorted(at(p) for p in order)
    promo = expl.entries[at("TSMC reportedly")]
    assert (promo.kept, promo.kind) == (False, "promo")
    assert expl.entries[at("Trending on")].rule == "widget:en:title"


@pytest.mark.parametrize("page", FIXTURE_PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_entries_account_for_every_block_and_removal(page):
    expl = explain(page.read_bytes(), url=_url(page))
    if expl.article is not None:
        assert [e.text for e in expl.entries if e.kept] == [b.text for b in expl.article.blocks]
        assert expl.removed is expl.article.removed
    else:
        assert expl.not_article_reason
    removed = Counter((e.kind, e.rule, e.text) for e in expl.entries if not e.kept)
    assert removed == Counter((r.kind, r.rule, r.text) for r in expl.removed)


@pytest.mark.parametrize("page", FIXTURE_PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_html_report_is_standalone_and_complete(page):
    expl = explain(page.read_bytes(), url=_url(page))
    report = render_html(expl)
    assert report.startswith("<!doctype html>") and report.rstrip().endswith("</html>")
    assert not EXTERNAL.search(report)
    assert report.count("<del>") == len(expl.removed)
    for kind, n in Counter(r.kind for r in expl.removed).items():
        assert f'<span class="k-{kind}">{kind} {n}</span>' in report
        assert report.count(f'<div class="removed k-{kind}">') == n
    kept_html = re.sub(r'<div class="removed.*?</div>', "", report, flags=re.S)
    assert f"<strong>kept {sum(e.kept for e in expl.entries)}</strong>" in report
    if expl.article is None:
        assert f'<p class="note">not an article: {html.escape(expl.not_article_reason)}</p>' in report
    assert "<del>" not in kept_html


def test_text_report_lines():
    expl = explain(SEED.read_bytes(), url=SEED_URL)
    lines = render_text(expl).splitlines()
    assert lines[0].startswith("title: Hidden diplomacy uncovered")
    assert re.match(
        r"^ +\d+ DROP ad_marker +ad_marker:en:label +- Advertisement -$", next(x for x in lines if "Advertisement" in x)
    )
    assert lines[-1].startswith(f"kept {len(expl.article.blocks)} blocks; removed {len(expl.article.removed)}: ")


def test_text_input_explained():
    expl = explain_text((FIXTURES / "text" / "movilidad-sevilla.txt").read_text("utf-8"))
    assert [(e.kept, e.type, e.kind) for e in expl.entries][:5] == [
        (False, "paragraph", "author_box"),
        (False, "paragraph", "author_box"),
        (False, "paragraph", "author_box"),
        (False, "paragraph", "author_box"),
        (True, "paragraph", None),
    ]
    assert "Lo más leído" in render_html(expl)


def _cli(*args, input=None):
    return subprocess.run([*CLEANWIRE, "explain", *args], capture_output=True, cwd=ROOT, input=input, timeout=120)


def test_cli_stdin_json_html_and_errors(tmp_path):
    report = tmp_path / "report.html"
    out = _cli("-", "--url", SEED_URL, "--json", "--html", str(report), input=SEED.read_bytes())
    assert out.returncode == 0, out.stderr
    entries = json.loads(out.stdout)
    assert {
        "status": "removed",
        "type": "element",
        "kind": "ad_marker",
        "rule": "ad_marker:en:label",
        "text": "- Advertisement -",
    } in entries
    assert report.read_text("utf-8").count("<del>") == sum(e["status"] == "removed" for e in entries)
    out = _cli(str(tmp_path / "missing.html"))
    assert out.returncode == 1
    assert out.stderr.decode() == f"cleanwire explain: {tmp_path / 'missing.html'}: no such file\n"
    out = _cli(str(tmp_path))
    assert out.returncode == 1
    assert out.stderr.decode() == f"cleanwire explain: {tmp_path}: is a directory (explain takes one page)\n"


def test_cli_url_fetched_like_extract(httpserver, tmp_path):
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n", content_type="text/plain"
    )
    httpserver.expect_request("/article/").respond_with_data(SEED.read_bytes(), content_type="text/html; charset=utf-8")
    report = tmp_path / "r.html"
    out = _cli(httpserver.url_for("/article/"), "--html", str(report), "-s", "DOWNLOAD_DELAY=0")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.decode().splitlines()
    assert lines[0].startswith("title: Hidden diplomacy uncovered")
    assert any(re.search(r"DROP promo +promo:\S+ +TSMC reportedly", x) for x in lines)
    assert "<del>TSMC reportedly asked" in report.read_text("utf-8")
    out = _cli(httpserver.url_for("/private/x/"), "-s", "DOWNLOAD_DELAY=0")
    assert out.returncode == 1
    assert (
        out.stderr.decode().strip()
        == f"cleanwire explain: {httpserver.url_for('/private/x/')}: forbidden by robots.txt"
    )
