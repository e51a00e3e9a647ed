"""Metadata: titles, bylines, dates, language and provenance on hand-built pages in several languages."""

from __future__ import annotations

import pytest

from cleaners import extract
from cleaners.language import normalise_tag
from cleaners.meta.authors import parse_byline
from cleaners.meta.dates import parse_date, url_date
from cleaners.meta.titles import site_keys, strip_site
from cleaners.options import Options

from conftest import PAGES

FETCHED = Options(fetched_at="2025-06-01T12:00:00+00:00")
META = PAGES / "meta"

# slug -> (url, exact expected values)
CASES = {
    "en-byline-agency": (
        "https://www.harbour-times.example/news/storm-ports",
        {
            "title": "Storm closes three ferry ports on the east coast",
            "authors": ["Jane Doe", "John Roe"],
            "organizations": ["Reuters"],
            "date_published": "2025-02-04T07:45:00+00:00",
            "date_modified": "2025-02-04T18:20:00+00:00",
            "language": "en-GB",
            "site_name": "Harbour Times",
            "publisher": None,
            "canonical_url": "https://www.harbour-times.example/news/storm-ports",
            "description": "Ferries between the islands stay in port until Thursday.",
            "tags": ["Weather", "Ferries"],
            "image": "https://www.harbour-times.example/images/storm-ports.jpg",
            "is_accessible_for_free": None,
        },
    ),
    "de-graph-ids": (
        "https://www.rheinland-bote.example/koeln/rheinbruecke-sanierung?utm=x",
        {
            "title": "Rheinbrücke: Sanierung dauert zwei Jahre länger",
            "authors": ["Anna Krüger", "Dr. Jonas Weber"],
            "organizations": ["dpa"],
            "date_published": "2025-03-12T08:15:00+01:00",
            "date_modified": "2025-03-12T10:05:00+01:00",
            "language": "de",
            "site_name": "Rheinland-Bote",
            "publisher": "Rheinland-Bote Verlag GmbH",
            "canonical_url": "https://www.rheinland-bote.example/koeln/rheinbruecke-sanierung",
            "section": "Köln",
            "tags": ["Verkehr", "Rheinbrücke", "Köln"],
            "image": "https://www.rheinland-bote.example/bilder/rheinbruecke.jpg",
            "is_accessible_for_free": False,
        },
    ),
    "fr-wrong-lang": (
        "https://www.courrier-du-lac.example/region/peche-fermee",
        {
            "title": "La pêche fermée tout l’hiver sur le Léman",
            "authors": ["Jean Dupont", "Marie Martin"],
            "organizations": ["AFP"],
            "date_published": "2025-01-17T08:30:00+00:00",  # "CET" without offset: converted to UTC
            "language": "fr",
            "site_name": "Le Courrier du Lac",
        },
    ),
    "es-url-date": (
        "https://www.diariodelsur.example/andalucia/2025/02/03/embalses-guadalquivir/",
        {
            "title": "Los embalses del Guadalquivir superan el 60 %",
            "authors": ["Ana Pérez", "Luis Gómez"],
            "organizations": ["EFE"],
            "date_published": "2025-02-03",
            "date_modified": None,
            "language": "es-ES",
        },
    ),
    "en-no-offset": (
        "https://valleygazette.example/council-bike-lanes",
        {
            "title": "Council approves new bike lanes",
            "authors": ["Sam Lee"],
            "organizations": [],
            "date_published": "2024-05-02T14:00:00",  # the 2031 date is after the fetch: skipped
            "site_name": "Valley Gazette",
        },
    ),
    "ko-meta-headline": (
        "https://www.hangang-ilbo.example/news/article/A2025030509100001",
        {
            # <meta name="headline"> has the bare headline; og:title and <title> end in "-section" and the site
            # name; the itemprop headline of a nested item (a deck) is not the page's headline
            "title": "시의회, 심야 버스 노선 세 곳 신설 의결…내달부터 운행",
            "authors": ["김민준"],  # "기자" (reporter) is a role
            "date_published": "2025-03-05T09:10:00+09:00",
            "site_name": "한강일보",
            "language": "ko",
        },
    ),
    "nl-microdata": (
        "https://www.stadskrant.example/amsterdam/vakantieverhuur",
        {
            "title": "Nieuwe regels voor vakantieverhuur",
            "authors": ["Eva de Vries", "Bram Jansen"],
            "date_published": "2025-04-01T06:00:00+02:00",
            "section": "Amsterdam",
            "language": "nl",
        },
    ),
}

PROVENANCE = {
    "en-byline-agency": {
        "title": ("opengraph", "Storm closes three ferry ports on the east coast | Harbour Times"),
        "authors": ("html", ["By Jane Doe and John Roe, Reuters"]),
        "date_published": ("opengraph", "2025-02-04T07:45:00+00:00"),
    },
    "de-graph-ids": {
        "publisher": ("jsonld", "Rheinland-Bote Verlag GmbH"),
        "authors": (
            "jsonld",
            [  # @id references resolved against the @graph nodes
                {"@type": "Person", "@id": "https://www.rheinland-bote.example/#anna", "name": "Anna Krüger"},
                {
                    "@type": "Person",
                    "@id": "https://www.rheinland-bote.example/#jonas",
                    "name": "Dr. Jonas Weber (jow)",
                },
                {"@type": "Organization", "name": "dpa"},
            ],
        ),
        "is_accessible_for_free": ("jsonld", "False"),
    },
    "fr-wrong-lang": {
        "date_published": ("meta", "Fri, 17 Jan 2025 09:30:00 CET"),
        "authors": ("meta", ["Par Jean Dupont et Marie Martin, avec AFP"]),
    },
    "es-url-date": {
        "date_published": ("url", "/2025/02/03/"),
        "title": ("html", "Los embalses del Guadalquivir superan el 60 %"),
    },
    "en-no-offset": {"date_published": ("jsonld", "2024-05-02T14:00:00")},
    "ko-meta-headline": {"title": ("meta", "시의회, 심야 버스 노선 세 곳 신설 의결…내달부터 운행")},
    "nl-microdata": {
        "authors": ("microdata", ["Door Eva de Vries", "Bram Jansen"]),
        "date_published": ("microdata", "2025-04-01T06:00:00+02:00"),
    },
}


def _article(slug):
    url, _ = CASES[slug]
    article = extract((META / f"{slug}.html").read_bytes(), url=url, options=FETCHED)
    assert article is not None
    return article


@pytest.mark.parametrize("slug", sorted(CASES))
def test_fields(slug, validate):
    record = _article(slug).to_dict()
    for name, value in CASES[slug][1].items():
        assert record[name] == value, name
    validate(record)


@pytest.mark.parametrize("slug", sorted(PROVENANCE))
def test_provenance(slug):
    provenance = _article(slug).provenance
    for name, (source, raw) in PROVENANCE[slug].items():
        assert provenance[name] == {"source": source, "raw": raw}, name


def test_author_box_does_not_become_an_author():
    article = _article("en-byline-agency")
    assert "Pat Other" not in article.authors + article.organizations


def test_wrong_lang_attribute_loses_to_the_text_and_both_are_kept():
    assert _article("fr-wrong-lang").provenance["language"] == {
        "source": "text",
        "raw": "fr (1.00)",
        "declared": {"source": "html", "raw": "en"},
    }


def test_language_detection_can_be_switched_off():
    url, _ = CASES["fr-wrong-lang"]
    article = extract((META / "fr-wrong-lang.html").read_bytes(), url=url, options=FETCHED.with_(detect_language=False))
    assert article.language == "en"
    assert article.provenance["language"] == {"source": "html", "raw": "en"}


def test_without_fetch_time_a_future_date_is_kept():
    url, _ = CASES["en-no-offset"]
    article = extract((META / "en-no-offset.html").read_bytes(), url=url)
    assert article.date_published == "2031-06-01T09:00:00"


@pytest.mark.parametrize(
    "raw, persons, orgs",
    [
        ("By Jane Doe and John Roe, Reuters", ["Jane Doe", "John Roe"], ["Reuters"]),
        ("Von Felix Schröder und Jörg Soldwisch, dpa", ["Felix Schröder", "Jörg Soldwisch"], ["dpa"]),
        ("Par Jean Dupont et Marie Martin, avec AFP", ["Jean Dupont", "Marie Martin"], ["AFP"]),
        ("Por Ana Pérez y Luis Gómez", ["Ana Pérez", "Luis Gómez"], []),
        (
            "Mamokete Modiba, Claire Benit-Gbaffou, Sarah Charlton and Tanya Zack",
            ["Mamokete Modiba", "Claire Benit-Gbaffou", "Sarah Charlton", "Tanya Zack"],
            [],
        ),
        ("Autor Monika Bolliger", ["Monika Bolliger"], []),
        ("Elena Oberholzer (obe)", ["Elena Oberholzer"], []),
        ("Jane Doe, Staff Writer", ["Jane Doe"], []),
        ("Hans Muster, Chefredakteur", ["Hans Muster"], []),
        (
            "Povilas Aleksandravičius, Mykolo Romerio universiteto Žmogaus ir visuomenės studijų fakulteto profesorius",
            ["Povilas Aleksandravičius"],
            [],
        ),
        ("Jane Doe jane.doe@example.com", [], []),
        ("Aashish Saxena / TIMESOFINDIA.COM / Sep 2, 2024, 17:07 IST", ["Aashish Saxena"], []),
        ("Bild: SN/APA/KEYSTONE", [], []),
        ("View all posts by Emily Zemler", ["Emily Zemler"], []),
        ("The Associated Press", [], ["The Associated Press"]),
        ("BR24 Redaktion", [], ["BR24 Redaktion"]),
        ("Nachrichten", [], []),
        ("신현주 기자", ["신현주"], []),  # ko/ja/zh: "reporter", "correspondent" are roles
        ("김민준 기자, 이서연 특파원", ["김민준", "이서연"], []),
        ("記者 山田太郎", ["山田太郎"], []),
        ("记者 张三", ["张三"], []),
    ],
)
def test_bylines(raw, persons, orgs):
    found = parse_byline(raw, site_keys([], "www.example.com"))
    assert (found.persons, found.orgs) == (persons, orgs)


@pytest.mark.parametrize(
    "raw, host, site, title",
    [
        ("Storm closes ports - Harbour Times", "www.harbour-times.example", [], "Storm closes ports"),
        ("Storm closes ports | Harbour Times", "www.harbour-times.example", [], "Storm closes ports"),
        ("Harbour Times: Storm closes ports", "www.harbour-times.example", [], "Storm closes ports"),
        ("Wero besteht Praxistest | Börsen-Zeitung", "www.boersen-zeitung.de", [], "Wero besteht Praxistest"),
        ("Kühltürme gesprengt – Die Neue Südtiroler Tageszeitung", "www.tageszeitung.it", [], "Kühltürme gesprengt"),
        ("Ein Titel - News - SRF", "www.srf.ch", [], "Ein Titel"),
        (
            "100 years at the Coliseum - Los Angeles Times",
            "www.latimes.com",
            ["Los Angeles Times"],
            "100 years at the Coliseum",
        ),
        (
            "Tony Blair: Why there has to be compromise",
            "www.standard.co.uk",
            [],
            "Tony Blair: Why there has to be compromise",
        ),
        ("津波注意報 気象庁：朝日新聞デジタル", "www.asahi.com", ["朝日新聞デジタル"], "津波注意報 気象庁"),
    ],
)
def test_site_name_stripping(raw, host, site, title):
    assert strip_site(raw, site_keys(site, host), {"news"}) == title


@pytest.mark.parametrize(
    "raw, iso",
    [
        ("2025-06-30 15:59:30+02:00", "2025-06-30T15:59:30+02:00"),
        ("2025-06-30T15:59:30Z", "2025-06-30T15:59:30+00:00"),
        ("2025-06-30T15:59:30.123+0200", "2025-06-30T15:59:30.123000+02:00"),
        ("2025-06-30T15:59:30", "2025-06-30T15:59:30"),
        ("2025-06-30", "2025-06-30"),
        ("20250630", "2025-06-30"),
        ("Fri Apr 28 19:20:36 CEST 2023", "2023-04-28T17:20:36+00:00"),
        ("Fri, 28 Apr 2023 19:20:36 GMT", "2023-04-28T19:20:36+00:00"),
        ("April 28, 2023 7:20 PM EDT", "2023-04-28T23:20:00+00:00"),
        (1682702436, "2023-04-28T17:20:36+00:00"),
        ("yesterday", None),
        ("1970-01-01", None),
    ],
)
def test_dates(raw, iso):
    assert parse_date(raw) == iso


def test_url_date_only_from_a_full_date_path():
    assert url_date("https://x.example/2024/05/02/story/") == ("2024-05-02", "/2024/05/02/")
    assert url_date("https://x.example/news/2024/story/") is None


@pytest.mark.parametrize(
    "raw, tag",
    [
        ("en_US", "en-US"),
        ("DE-de", "de-DE"),
        ("zh-hans-cn", "zh-Hans-CN"),
        ("fr", "fr"),
        ("und", None),
        ("", None),
        ("de, en", "de"),
    ],
)
def test_language_tags(raw, tag):
    assert normalise_tag(raw) == tag


@pytest.mark.parametrize(
    "candidates, title",
    [
        # a kicker only JSON-LD puts before the headline that og:title gives alone
        (
            [
                ("headline", "jsonld", "SVP-Parteitag: Chiesa ruft zum Widerstand auf"),
                ("og:title", "opengraph", "Chiesa ruft zum Widerstand auf"),
            ],
            "Chiesa ruft zum Widerstand auf",
        ),
        # a section suffix that another source does not have
        (
            [
                ("headline", "jsonld", "Bubi-Bomber wieder da: Thioune fordert Geduld | Sport"),
                ("og:title", "opengraph", "Bubi-Bomber wieder da: Thioune fordert Geduld"),
            ],
            "Bubi-Bomber wieder da: Thioune fordert Geduld",
        ),
        # different kickers in og:title and <h1>: the shared headline
        (
            [
                ("og:title", "opengraph", "Iranischer Angriff auf Israel: «Die Zurückhaltung hat mit den USA zu tun»"),
                ("h1", "html", "Eskalation im Nahen Osten - «Die Zurückhaltung hat mit den USA zu tun»"),
            ],
            "«Die Zurückhaltung hat mit den USA zu tun»",
        ),
        # the same words: the punctuation most sources use; entities decoded
        (
            [
                ("headline", "jsonld", "R&uuml;ckbau von Atomkraftwerk - K&uuml;hlt&uuml;rme gesprengt"),
                ("og:title", "opengraph", "Rückbau von Atomkraftwerk: Kühltürme gesprengt"),
                ("title", "html", "Rückbau von Atomkraftwerk: Kühltürme gesprengt - Politik"),
            ],
            "Rückbau von Atomkraftwerk: Kühltürme gesprengt",
        ),
        # a longer JSON-LD headline that merely starts like og:title is kept
        (
            [
                ("headline", "jsonld", "Your bill could be worth THOUSANDS - here's how to check if you have one"),
                ("og:title", "opengraph", "Your bill could be worth THOUSANDS - here's how to check"),
            ],
            "Your bill could be worth THOUSANDS - here's how to check if you have one",
        ),
        # a headline cut with an ellipsis: the full headline another source gives (en, de, fr)
        (
            [
                ("headline", "jsonld", "Storm closes three ferry ports on the…"),
                ("og:title", "opengraph", "Storm closes three ferry ports on the east coast | Example"),
            ],
            "Storm closes three ferry ports on the east coast",
        ),
        (
            [
                ("og:title", "opengraph", "Bahn streicht Verbindungen zwischen Köln und ..."),
                ("h1", "html", "Bahn streicht Verbindungen zwischen Köln und Bonn"),
            ],
            "Bahn streicht Verbindungen zwischen Köln und Bonn",
        ),
        (
            [
                ("headline", "jsonld", "La pêche fermée tout l’hiver..."),
                ("og:title", "opengraph", "La pêche fermée tout l’hiver sur le Léman"),
            ],
            "La pêche fermée tout l’hiver sur le Léman",
        ),
        # an ellipsis that is part of the headline stays when no source continues it, and a two-word stem is kept
        (
            [
                ("headline", "jsonld", "Und dann kam der Regen..."),
                ("og:title", "opengraph", "Und dann kam der Regen..."),
            ],
            "Und dann kam der Regen...",
        ),
        ([("headline", "jsonld", "Warten auf…"), ("h1", "html", "Warten auf Godot im Stadttheater")], "Warten auf…"),
    ],
)
def test_title_by_agreement(candidates, title):
    from cleaners.meta.titles import choose_title

    assert choose_title(candidates, site_keys([], "www.example.com"), {"politik"})[0] == title


@pytest.mark.parametrize(
    "head, title, provenance",
    [
        # <meta name="headline"> before og:title when there is no JSON-LD headline (de, en)
        (
            '<meta name="headline" content="Rheinbrücke: Sanierung dauert länger">'
            '<meta property="og:title" content="Rheinbrücke: Sanierung dauert länger-Köln">',
            "Rheinbrücke: Sanierung dauert länger",
            {"source": "meta", "raw": "Rheinbrücke: Sanierung dauert länger"},
        ),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Council approves bike lanes"}</script>'
            '<meta name="headline" content="Council approves new bike lanes in the centre">',
            "Council approves bike lanes",
            {"source": "jsonld", "raw": "Council approves bike lanes"},
        ),
        # an itemprop headline belongs to whichever item encloses it: not a page-level headline tag
        (
            '<meta itemprop="headline" content="… and residents are worried">'
            '<meta property="og:title" content="Council approves new bike lanes">',
            "Council approves new bike lanes",
            {"source": "opengraph", "raw": "Council approves new bike lanes"},
        ),
    ],
)
def test_meta_headline(head, title, provenance):
    from cleaners.meta.metadata import extract_metadata
    from cleaners.parse import parse

    meta = extract_metadata(parse(f"<html><head>{head}</head><body><p>x</p></body></html>", "t"), None)
    assert (meta.title, meta.provenance["title"]) == (title, provenance)


@pytest.mark.parametrize(
    "head, title, provenance",
    [
        # the title is og:title's full headline, not JSON-LD's cut one: provenance names og:title and its raw value
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Storm closes three ferry ports on…"}'
            '</script><meta property="og:title" content="Storm closes three ferry ports on the east coast">',
            "Storm closes three ferry ports on the east coast",
            {"source": "opengraph", "raw": "Storm closes three ferry ports on the east coast"},
        ),
        # JSON-LD adds a section that og:title does not have: og:title gives the title as it is
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Thioune fordert Geduld | Sport"}'
            '</script><meta property="og:title" content="Thioune fordert Geduld">',
            "Thioune fordert Geduld",
            {"source": "opengraph", "raw": "Thioune fordert Geduld"},
        ),
        # a site suffix stripped from the first source: that source and its raw value
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "La pêche fermée | Courrier du Lac"}'
            '</script><meta property="og:site_name" content="Courrier du Lac">',
            "La pêche fermée",
            {"source": "jsonld", "raw": "La pêche fermée | Courrier du Lac"},
        ),
    ],
)
def test_title_provenance(head, title, provenance):
    from cleaners.meta.metadata import extract_metadata
    from cleaners.parse import parse

    meta = extract_metadata(parse(f"<html><head>{head}</head><body><p>x</p></body></html>", "t"), None)
    assert (meta.title, meta.provenance["title"]) == (title, provenance)


@pytest.mark.parametrize(
    "head, free, provenance",
    [
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "hasPart": {"@type": "WebPageElement",'
            ' "isAccessibleForFree": false, "cssSelector": ".paywall"}}</script>',
            False,
            {"source": "jsonld", "raw": False},
        ),
        ('<meta property="article:content_tier" content="metered">', False, {"source": "opengraph", "raw": "metered"}),
        ('<meta property="article:content_tier" content="free">', True, {"source": "opengraph", "raw": "free"}),
        ('<meta property="article:content_tier" content="unknown">', None, None),
    ],
)
def test_paywall_markers(head, free, provenance):
    from cleaners.meta.metadata import extract_metadata
    from cleaners.parse import parse

    meta = extract_metadata(parse(f"<html><head>{head}</head><body><p>x</p></body></html>", "t"), None)
    assert meta.is_accessible_for_free is free
    assert meta.provenance.get("is_accessible_for_free") == provenance


def test_byline_finders_skip_asides_teasers_and_author_boxes():
    import lxml.html

    from cleaners.meta.byline import author_page_links, byline_elements, rel_author_links

    tree = lxml.html.document_fromstring(
        '<html><body><div class="a-uthor_box"><a rel="author" href="/author/x">X</a></div>'
        '<div class="byline"><a rel="author" href="/autoren/y">Y</a></div><aside><span class="Byline">Z</span></aside>'
        '<div class="teasers"><a href="/journalist/q" class="author">Q</a></div><p id="main-byline" class="">W</p>'
        '<div class="more from"><span class="author">M</span></div><div class="author info">I</div></body></html>'
    )
    assert [el.text_content() for el in rel_author_links(tree)] == ["Y"]
    assert [el.text_content() for el in author_page_links(tree)] == ["Y"]
    assert [el.text_content() for el in byline_elements(tree)] == ["Y", "W"]
