"""Every hand-built fixture page against its expectations (expect.json) and its snapshot (<slug>.json)."""

from __future__ import annotations

import importlib.util
import json

import pytest

from cleaners import extract

from conftest import FIXTURES, PAGES

_spec = importlib.util.spec_from_file_location("fixtures_regenerate", FIXTURES / "regenerate.py")
regenerate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(regenerate)

CASES = regenerate.pages()
IDS = [str(p.relative_to(PAGES).with_suffix("")) for p in CASES]


def _run(page):
    expect = regenerate.expectation(page)
    return extract(page.read_bytes(), url=expect.get("url")), expect


def _in_order(texts: list[str], wanted: list[str]) -> list[str]:
    """The `wanted` strings not found, in order, each equal to or inside one block."""
    missing, i = [], 0
    for s in wanted:
        j = next((k for k in range(i, len(texts)) if s in texts[k]), None)
        if j is None:
            missing.append(s)
        else:
            i = j
    return missing


def test_fixture_pages_found():
    assert len(CASES) >= 6


@pytest.mark.parametrize("page", CASES, ids=IDS)
def test_expectations(page, validate):
    article, expect = _run(page)
    if expect.get("article") is False:
        assert article is None
        return
    assert article is not None
    texts = [b.text for b in article.blocks]
    assert _in_order(texts, expect.get("with", [])) == []
    assert [s for s in expect.get("without", []) if s in article.text] == []
    headings = [b.text for b in article.blocks if b.type == "heading"]
    assert [h for h in expect.get("headings", []) if h not in headings] == []
    for prefix, kind in expect.get("removed_kinds", {}).items():
        kinds = {r.kind for r in article.removed if r.text.startswith(prefix)}
        assert kind in kinds, (prefix, kinds)
    if "title" in expect:
        assert article.title == expect["title"]
    if "authors" in expect:
        assert article.authors == expect["authors"]
    if expect.get("author_bio_startswith") is not None:
        assert (article.author_bio or "").startswith(expect["author_bio_startswith"])
    validate(article.to_dict())


@pytest.mark.parametrize("page", CASES, ids=IDS)
def test_snapshot(page):
    target = page.with_suffix(".json")
    if not target.is_file():
        pytest.fail(f"no snapshot {target.name}: run `python fixtures/regenerate.py` and review the diff")
    expect = regenerate.expectation(page)
    got = json.loads(regenerate.dump(regenerate.snapshot(page.read_bytes(), expect.get("url"))))
    assert got == json.loads(target.read_text("utf-8"))
