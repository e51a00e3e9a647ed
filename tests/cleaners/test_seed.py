"""The seed page end to end: the tagDiv reconstruction and the neutral-class variant."""

from __future__ import annotations

import json

import pytest

from cleaners import extract

from conftest import PAGES

VARIANTS = ["deftechtimes/taiwan-envoy-israel", "neutral/taiwan-envoy-israel"]
HEADINGS = [
    "Francois Wu’s Rare Visit With Sensitive Timing",
    "Defence Systems and Shared Security Concerns With Francois Wu",
    "Growing Exchanges Despite Diplomatic Limits",
]
BOILERPLATE = [
    "More from Author",
    "Ruta R Deshpande",
    "Ruta Deshpande is a seasoned",
    "Secret Pentagon warning says China could wipe out",
    "TSMC reportedly asked to buy 49% of Intel",
    "China warns of New Zealand naval patrol",
    "Advertisement",
    "Trending on Deftechtimes",
]


def _load(variant):
    expect = json.loads((PAGES / f"{variant}.expect.json").read_text("utf-8"))
    article = extract((PAGES / f"{variant}.html").read_bytes(), url=expect["url"])
    assert article is not None
    return article, expect


@pytest.mark.parametrize("variant", VARIANTS)
def test_body_paragraphs_and_headings_kept_in_order(variant):
    article, expect = _load(variant)
    texts = [b.text for b in article.blocks]
    positions = [texts.index(s) for s in expect["with"]]
    assert positions == sorted(positions)
    assert [b.text for b in article.blocks if b.type == "heading"] == HEADINGS
    assert len(article.blocks) == len(expect["with"])


@pytest.mark.parametrize("variant", VARIANTS)
def test_no_boilerplate_line_in_text(variant):
    article, _ = _load(variant)
    for line in BOILERPLATE:
        assert line not in article.text


@pytest.mark.parametrize("variant", VARIANTS)
def test_metadata_and_author_bio(variant, validate):
    article, expect = _load(variant)
    assert article.authors == ["Ruta R Deshpande"]
    assert article.title == expect["title"]
    assert article.author_bio.startswith("Ruta Deshpande is a seasoned")
    assert "More from Author" not in article.author_bio
    validate(article.to_dict())


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_removal_recorded_with_its_kind(variant):
    article, expect = _load(variant)
    for prefix, kind in expect["removed_kinds"].items():
        kinds = {r.kind for r in article.removed if r.text.startswith(prefix)}
        assert kinds == {kind}, (prefix, kinds)
    names = [r for r in article.removed if r.text == "Ruta R Deshpande"]
    assert len(names) == 2 and {r.kind for r in names} == {"author_box"}
