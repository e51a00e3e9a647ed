"""Live blogs: entries from JSON-LD and from markup, never eaten as promos; look-alikes (comments, link lists) are not entries."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from cleaners import extract
from cleaners.schema.arrow import arrow_schema, record_to_row, row_to_record

from conftest import PAGES

LIVE_PAGES = [
    PAGES / "liveblog-de" / "hochwasser-donau-liveticker.html",
    PAGES / "liveblog-fr" / "greve-transports-direct.html",
]


def _expect(page):
    return json.loads(page.with_suffix(".expect.json").read_text("utf-8"))


@pytest.mark.parametrize("page", LIVE_PAGES, ids=lambda p: p.parent.name)
def test_fixture_live_blog_entries_are_exact(page, validate):
    expect = _expect(page)
    record = extract(page.read_bytes(), url=expect["url"]).to_dict()
    got = [{k: e[k] for k in ("time", "headline", "url", "text")} for e in record["entries"]]
    assert got == expect["entries"]
    validate(record)


@pytest.mark.parametrize("page", LIVE_PAGES, ids=lambda p: p.parent.name)
def test_live_blog_text_is_the_lead_then_the_entries_in_page_order(page):
    expect = _expect(page)
    article = extract(page.read_bytes(), url=expect["url"])
    parts = []
    for entry in article.entries:
        parts += [entry.headline] if entry.headline else []
        parts += [entry.text]
    assert article.text.endswith("\n\n".join(parts))
    lead = article.text[: -len("\n\n".join(parts))].strip()
    assert lead == article.blocks[0].text  # one standfirst paragraph before the entries


def test_entries_are_never_removed_as_promos_and_removals_inside_them_are_withdrawn():
    page = LIVE_PAGES[0]
    article = extract(page.read_bytes(), url=_expect(page)["url"])
    entry_text = "\n".join(e.text for e in article.entries)
    # the link to another article inside an entry stays, the teaser card between entries goes
    assert "Zwischen Plattling und Passau fahren Ersatzbusse im Stundentakt" in article.text
    assert not [r for r in article.removed if r.text and r.text in entry_text and r.kind == "promo"]
    assert [r.rule for r in article.removed if r.text.startswith("Hochwasser 2013")] == ["promo:link-card"]
    # the ad label inside an entry is removed and recorded once
    assert [r.rule for r in article.removed if r.text == "Anzeige"] == ["ad_marker:de:label"]


HEAD = "<html><head><title>T</title></head><body><article><h1>Ein Titel für die Seite</h1>"


def _entries_html(n: int, wrapper: str = "div", cls: str = "entry", link_headline: bool = False) -> str:
    out = []
    for k in range(n, 0, -1):
        head = f"Eintrag Nummer {k} mit einer Schlagzeile"
        if link_headline:
            head = f'<a href="/andere/{k}">{head}</a>'
        out.append(
            f'<{wrapper} class="{cls}"><time datetime="2025-01-0{k}T10:00:00Z">10:00</time><h3>{head}</h3>'
            f"<p>Der Text des Eintrags {k} erzählt, was um diese Uhrzeit in der Stadt geschehen ist, "
            f"mit genug Worten für einen Absatz.</p></{wrapper}>"
        )
    return "".join(out)


def test_markup_entries_need_three_repeats_without_json_ld():
    two = extract(
        HEAD + _entries_html(2) + "<p>" + "Schluss. " * 40 + "</p></article></body></html>", url="https://example.org/a"
    )
    three = extract(HEAD + _entries_html(3) + "</article></body></html>", url="https://example.org/a")
    assert two.entries == []
    assert [e.time for e in three.entries] == [
        "2025-01-03T10:00:00+00:00",
        "2025-01-02T10:00:00+00:00",
        "2025-01-01T10:00:00+00:00",
    ]
    assert "entries" not in two.to_dict() and len(three.to_dict()["entries"]) == 3


def test_teaser_lists_and_comments_with_times_are_not_entries():
    teasers = extract(
        HEAD
        + "<p>"
        + "Ein langer Absatz des Artikels. " * 20
        + "</p>"
        + _entries_html(4, link_headline=True)
        + "</article></body></html>",
        url="https://example.org/a",
    )
    comments = extract(
        HEAD
        + "<p>"
        + "Ein langer Absatz des Artikels. " * 20
        + "</p>"
        + _entries_html(4, wrapper="li", cls="comment")
        + "</article></body></html>",
        url="https://example.org/a",
    )
    assert teasers.entries == [] and comments.entries == []


def test_json_ld_only_live_blog_takes_its_entries_from_liveblogupdate(validate):
    ld = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "headline": "Wahlabend live",
        "liveBlogUpdate": [
            {
                "@type": "BlogPosting",
                "headline": "Erste Prognose",
                "datePublished": "2025-02-23T18:00:00+01:00",
                "articleBody": "Die Union liegt in der ersten Prognose klar vorn, mit gut dreißig Prozent.\nDie SPD folgt mit deutlichem Abstand, die Grünen knapp dahinter.",
                "url": "#p2",
            },
            {
                "@type": "BlogPosting",
                "headline": "Wahllokale schließen",
                "datePublished": "2025-02-23T17:59:00+01:00",
                "articleBody": "In wenigen Sekunden schließen die Wahllokale in ganz Deutschland, dann kommt die erste Prognose.",
            },
        ],
    }
    html = (
        "<html><head><script type='application/ld+json'>" + json.dumps(ld) + "</script></head><body><article>"
        "<h1>Wahlabend live</h1><p>Die Union liegt in der ersten Prognose klar vorn, mit gut dreißig Prozent.</p>"
        "<p>Die SPD folgt mit deutlichem Abstand, die Grünen knapp dahinter.</p>"
        "<p>In wenigen Sekunden schließen die Wahllokale in ganz Deutschland, dann gibt es die erste Prognose "
        "der Forschungsgruppe und viele Reaktionen aus den Parteizentralen in Berlin.</p></article></body></html>"
    )
    article = extract(html, url="https://example.org/wahl")
    record = article.to_dict()
    assert [(e["time"], e["headline"], e["url"], e["text"]) for e in record["entries"]] == [
        (
            "2025-02-23T18:00:00+01:00",
            "Erste Prognose",
            "https://example.org/wahl#p2",
            "Die Union liegt in der ersten Prognose klar vorn, mit gut dreißig Prozent.\n\n"
            "Die SPD folgt mit deutlichem Abstand, die Grünen knapp dahinter.",
        ),
        (
            "2025-02-23T17:59:00+01:00",
            "Wahllokale schließen",
            None,
            "In wenigen Sekunden schließen die Wahllokale in ganz Deutschland, dann kommt die erste Prognose.",
        ),
    ]
    assert [b.type for b in article.blocks] == ["heading", "paragraph", "paragraph", "heading", "paragraph"]
    # the markup paragraph that is in no entry (it goes on past the JSON-LD's text) is recorded, not silently lost
    assert [r.rule for r in article.removed if r.text.startswith("In wenigen Sekunden")] == [
        "other:liveblog-outside-entries"
    ]
    validate(record)


def test_entries_round_trip_through_arrow():
    page = LIVE_PAGES[1]
    record = extract(page.read_bytes(), url=_expect(page)["url"]).to_dict()
    record["entries"][0]["new"] = True
    table = pa.Table.from_pylist([record_to_row(record)], schema=arrow_schema())
    assert row_to_record(table.to_pylist()[0])["entries"] == record["entries"]
    entry = arrow_schema().field("entries").type.value_type
    assert [entry.field(i).name for i in range(entry.num_fields)] == [
        "time",
        "headline",
        "text",
        "blocks",
        "url",
        "new",
    ]
    assert entry.field("blocks").type == arrow_schema().field("blocks").type


def test_a_body_block_the_extractor_glued_a_time_onto_is_not_taken_for_the_lead():
    from cleaners.article import Block, Entry
    from cleaners.context import Context
    from cleaners.liveblog import LiveBlog, compose_body
    from cleaners.options import Options

    text = "Der Landkreis hat am Vormittag den Katastrophenfall ausgerufen und Hilfskräfte angefordert."
    live = LiveBlog([Entry("2025-06-03T11:30:00+02:00", "Katastrophenfall", [Block("paragraph", text)])])
    blocks = [
        Block("paragraph", "Der Vorspann des Livetickers."),
        Block("paragraph", f"11:30 Uhr {text}"),
        Block("paragraph", "Mehr zum Thema: eine ganz andere Geschichte aus der Region"),
    ]
    ctx = Context(Options())
    body = compose_body(blocks, live, ctx)
    assert [b.text for b in body] == ["Der Vorspann des Livetickers.", "Katastrophenfall", text]
    assert [(r.rule, r.text) for r in ctx.removed] == [
        ("other:liveblog-outside-entries", "Mehr zum Thema: eine ganz andere Geschichte aus der Region")
    ]
