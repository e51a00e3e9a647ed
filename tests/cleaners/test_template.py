"""Site template learning: blocks a site repeats on N+ articles leave every record as kind `template`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html as lhtml

from cleaners.article import content_hash
from cleaners.template import block_hash, record_block_hashes, remove_template
from crawler.demo.server import DEFAULT_ROOT, FixtureSite

from conftest import ROOT

PROMO = (
    "Our readers' panel meets on the first Tuesday of each month at the Quay Street office, "
    "and every reader is welcome to come along."
)
FOOTER = (
    "Harbour Courier journalists follow the editors' code of practice; corrections are listed "
    "every Saturday on page two."
)


def record(*texts: str) -> dict:
    text = "\n\n".join(texts)
    return {
        "blocks": [{"type": "paragraph", "text": t} for t in texts],
        "text": text,
        "word_count": 0,
        "reading_time_minutes": 1,
        "removed": [{"kind": "ad_marker", "rule": "x", "text": "Advertisement"}],
        "content_hash": content_hash(text),
    }


def test_template_blocks_leave_the_record_and_the_text_hash_and_counts_follow():
    item = record("Body one is here.", "Follow us on Mastodon", "Body two.")
    assert remove_template(item, {block_hash("follow us on mastodon!")}, "news.example") == 1
    assert item["text"] == "Body one is here.\n\nBody two."
    assert [b["text"] for b in item["blocks"]] == ["Body one is here.", "Body two."]
    assert (item["word_count"], item["reading_time_minutes"]) == (6, 1)
    assert item["content_hash"] == content_hash("Body one is here.\n\nBody two.")
    assert item["removed"][1:] == [
        {"kind": "template", "rule": "template:news.example", "text": "Follow us on Mastodon"}
    ]


def test_a_keep_phrase_protects_a_recurring_intro_and_a_record_is_never_emptied():
    intro = "This week in the column: the best of the letters page."
    item = record(intro, "A letter about the ferry.")
    template = {block_hash(intro), block_hash("A letter about the ferry.")}
    assert remove_template(item, template, "news.example") == 0  # all of it repeats: left alone
    item = record(intro, "A letter about the ferry.", "Share this")
    assert (
        remove_template(item, {block_hash(intro), block_hash("Share this")}, "n", keep=["this week in the column"]) == 1
    )
    assert [b["text"] for b in item["blocks"]] == [intro, "A letter about the ferry."]


def test_only_short_blocks_are_counted():
    long = " ".join(["word"] * 121)
    assert record_block_hashes(record("Short one.", long)) == {block_hash("Short one."): "Short one."}


def body_container(tree):
    """The element holding the most long paragraphs: the article body, whatever the template."""
    return max(tree.iter(), key=lambda el: sum(1 for p in el if p.tag == "p" and len(p.text_content()) > 120))


def promo_site(dst: Path) -> Path:
    """A copy of the fixture site whose articles all carry the same neutral-class promo box and footer line."""
    shutil.copytree(DEFAULT_ROOT, dst)
    for article in json.loads((dst / "manifest.json").read_text("utf-8"))["articles"]:
        page = dst / "www" / article["path"].strip("/") / "index.html"
        tree = lhtml.fromstring(page.read_bytes())
        body = body_container(tree)
        [p for p in body if p.tag == "p"][1].addnext(
            lhtml.fragment_fromstring(f'<div class="box"><p>{PROMO}</p></div>')
        )
        body.append(lhtml.fragment_fromstring(f'<p class="note">{FOOTER}</p>'))
        page.write_bytes(lhtml.tostring(tree, doctype="<!DOCTYPE html>", encoding="utf-8"))
    return dst


@pytest.mark.e2e
def test_a_promo_and_footer_on_every_article_are_in_no_record_from_the_first_page_on(tmp_path):
    from cleaners import extract

    root = promo_site(tmp_path / "site")
    with FixtureSite(root) as site:
        sample = site.url("/2025/01/08/tram-extension-consultation-opens/")
        page = (root / "www/2025/01/08/tram-extension-consultation-opens/index.html").read_bytes()
        plain = extract(page.replace(b"{{ORIGIN}}", site.origin.encode()), sample).text
        assert PROMO in plain and FOOTER in plain  # the cleaner alone keeps both: neutral markup
        command = [
            sys.executable,
            "-m",
            "crawler",
            "crawl",
            site.url("/"),
            "--workers",
            "1",
            "--state",
            str(tmp_path / "state.db"),
            "-o",
            str(tmp_path / "out/{site}/{run_id}.jsonl"),
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
            "-s",
            "CLEANWIRE_SUMMARY=False",
        ]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-3000:]
    [output] = (tmp_path / "out").glob("*/1.jsonl")
    records = [json.loads(line) for line in output.read_text("utf-8").splitlines()]
    assert len(records) >= 45
    assert not [r["url"] for r in records if PROMO in r["text"] or FOOTER in r["text"]]
    rule = f"template:{site.origin.removeprefix('http://')}"
    by_template = [
        r for r in records if {(x["rule"], x["text"]) for x in r["removed"]} >= {(rule, PROMO), (rule, FOOTER)}
    ]
    assert sample in {r["url"] for r in by_template} and len(by_template) >= 30
