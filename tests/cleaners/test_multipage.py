"""Multi-page articles: continuation and one-page links, the page assembly (limits, loops, traps) and the merged record."""

from __future__ import annotations

import json

import pytest

from cleaners import clean
from cleaners.article import content_hash
from cleaners.multipage import Assembly, PageLinks, merge_records, page_links, page_of, same_article
from cleaners.parse import parse

from conftest import PAGES

DIR = PAGES / "multipage-es" / "reforma-pensiones"
EXPECT = json.loads((DIR / "expect.json").read_text("utf-8"))


def _extract(url: str, files: dict[str, str]):
    result = clean((DIR / files[url]).read_bytes(), url)
    return (result.article.to_dict() if result.article else None), result.page_links


def _assemble(url: str, files: dict[str, str], max_pages: int = 20) -> tuple[Assembly, list[str]]:
    record, links = _extract(url, files)
    assembly = Assembly(url, record, links, max_pages)
    fetched = []
    while (target := assembly.next_url()) is not None:
        fetched.append(target)
        if target in files:
            assembly.add(target, *_extract(target, files))
        else:
            assembly.add(target, None, PageLinks(), "HTTP 404")
    return assembly, fetched


def test_three_page_fixture_merges_into_one_exact_record(validate):
    assembly, fetched = _assemble(EXPECT["url"], EXPECT["files"])
    record = assembly.result()
    assert fetched == EXPECT["fetched"]
    assert assembly.rejected == [tuple(r) for r in EXPECT["rejected"]]
    assert record["pages"] == EXPECT["pages"]
    assert [[b["type"], b["text"]] for b in record["blocks"]] == EXPECT["blocks"]
    assert record["text"] == "\n\n".join(text for _, text in EXPECT["blocks"])
    assert (record["url"], record["title"], record["authors"]) == (EXPECT["url"], EXPECT["title"], EXPECT["authors"])
    first = _extract(EXPECT["url"], EXPECT["files"])[0]
    assert record["word_count"] > first["word_count"] and record["content_hash"] == content_hash(record["text"])
    validate(record)


def test_trap_links_are_not_continuations():
    tree = parse((DIR / "1.html").read_text("utf-8"), "1.html")
    links = page_links(tree, EXPECT["url"])
    # another site's ".../reforma-pensiones/2/" is in the page, the same site's page 2 is the one taken
    assert links == PageLinks(next=EXPECT["url"] + "2/")
    html = (
        '<html><body><article><p>x</p><a href="/economia/otra-noticia/2/">2</a>'
        '<a href="https://otro.example/economia/reforma-pensiones/2/">2</a>'
        '<link rel="next" href="/economia/siguiente-articulo/"></article></body></html>'
    )
    assert page_links(parse(html, "x"), EXPECT["url"]) == PageLinks()


def test_continuation_pages_know_their_first_page():
    _record, links = _extract(EXPECT["url"] + "2/", EXPECT["files"])
    assert links.first == EXPECT["url"] and links.next == EXPECT["url"] + "3/"
    assert _extract(EXPECT["url"], EXPECT["files"])[1].first is None


@pytest.mark.parametrize(
    "url, base, number",
    [
        ("https://s.example/a/story/", "https://s.example/a/story/", 1),
        ("https://s.example/a/story/2/", "https://s.example/a/story/", 2),
        ("https://s.example/a/story/page/3/", "https://s.example/a/story/", 3),
        ("https://s.example/a/story?page=2&x=1", "https://s.example/a/story/?x=1", 2),
        ("https://s.example/news/48213/", "https://s.example/news/48213/", 1),  # an id, not a page
        ("https://s.example/2025/03/14/", "https://s.example/2025/03/14/", 1),  # a date, not a page
    ],
)
def test_page_numbers_in_urls(url, base, number):
    assert page_of(url) == (base, number)


def test_one_page_version_is_preferred_when_it_holds_more():
    url = "https://s.example/a/story/"
    html = (
        f"<html><head><title>Story</title></head><body><article><h1>Story</h1><p>{'Part one words. ' * 30}</p>"
        '<a href="/a/story/2/">2</a> <a href="/a/story/?page=all">Auf einer Seite lesen</a></article></body></html>'
    )
    full = html.replace("<p>", f"<p>{'Part two words. ' * 30}</p><p>", 1)
    files = {url: "one", url + "?page=all": "all"}
    pages = {"one": html, "all": full}
    result = clean(pages["one"], url)
    assert result.page_links == PageLinks(next=url + "2/", one_page=url + "?page=all")
    assembly = Assembly(url, result.article.to_dict(), result.page_links, 20)
    assert assembly.next_url() == url + "?page=all"
    other = clean(pages[files[url + "?page=all"]], url + "?page=all")
    assembly.add(url + "?page=all", other.article.to_dict(), other.page_links)
    assert assembly.next_url() is None
    record = assembly.result()
    assert record["pages"] == [url, url + "?page=all"] and record["url"] == url
    assert "Part two words." in record["text"]


def test_page_limit_and_loops():
    url = "https://s.example/a/story/"

    def page(n: int, nxt: int) -> dict:
        return {
            "url": url,
            "title": "Story",
            "canonical_url": None,
            "blocks": [{"type": "paragraph", "text": f"Page {n}."}],
        }

    assembly = Assembly(url, page(1, 2), PageLinks(next=url + "2/"), max_pages=3)
    assembly.add(url + "2/", page(2, 3), PageLinks(next=url + "3/"))
    assembly.add(url + "3/", page(3, 4), PageLinks(next=url + "4/"))
    assert assembly.next_url() is None  # three pages: the limit
    assert [b["text"] for b in assembly.result()["blocks"]] == ["Page 1.", "Page 2.", "Page 3."]
    looping = Assembly(url, page(1, 2), PageLinks(next=url + "2/"), max_pages=20)
    looping.add(url + "2/", page(2, 1), PageLinks(next=url))  # page 2 says "next: page 1"
    assert looping.next_url() is None and looping.result()["pages"] == [url, url + "2/"]


def test_same_article_by_canonical_or_headline():
    assert same_article(
        {"title": "A headline", "canonical_url": "https://s.example/a/"},
        {"title": "Another", "canonical_url": "https://s.example/a/2/"},
    )
    assert same_article({"title": "A Headline"}, {"title": "a headline"})
    assert not same_article(
        {"title": "A headline", "canonical_url": "https://s.example/a/"},
        {"title": "Another", "canonical_url": "https://s.example/b/"},
    )


def test_merge_keeps_a_block_repeated_on_every_page_once():
    first = {
        "url": "u",
        "blocks": [{"type": "paragraph", "text": "Standfirst."}, {"type": "paragraph", "text": "One."}],
        "removed": [],
        "media": [],
    }
    second = {
        "url": "u2",
        "blocks": [{"type": "paragraph", "text": "Standfirst."}, {"type": "paragraph", "text": "Two."}],
        "removed": [],
        "media": [],
    }
    merged = merge_records([first, second], ["u", "u2"])
    assert merged["text"] == "Standfirst.\n\nOne.\n\nTwo." and merged["pages"] == ["u", "u2"]
    assert merged["word_count"] == 3
