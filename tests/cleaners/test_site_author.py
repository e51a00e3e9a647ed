"""The site's own name as the structured author: a person in the visible byline wins; the dateline check."""

from __future__ import annotations

import pytest

from cleaners import extract
from cleaners.meta.titles import abbreviates, short_keys
from cleaners.options import Options

from conftest import PAGES

FETCHED = Options(fetched_at="2025-06-01T12:00:00+00:00")
META = PAGES / "meta"

# slug -> (url, authors, organizations, provenance of authors); the site itself is no credited organisation
# (site_name/publisher name it): the structured value it came from stays in provenance as "replaced"
SITE_AUTHOR = {
    # JSON-LD Person named after the site; no og:site_name, the domain is a short form of the name
    "en-site-person-author": (
        "https://www.lowtimes.example/news/2025/02/11/hailstorm-maize/",
        ["Thabo Molefe"],
        [],
        {
            "source": "html",
            "raw": ["By Thabo Molefe | 11 February 2025"],
            "replaced": {
                "source": "jsonld",
                "raw": {"@type": "Person", "name": "Lowveld Times"},
                "reason": "site_name",
            },
        },
    ),
    # JSON-LD Organization equal to og:site_name and the publisher; meta author the same
    "vi-site-org-author": (
        "https://baosonghong.example/giao-thong/xe-buyt-dien-ha-noi-123456.html",
        ["Nguyễn Thị Lan"],
        [],
        {
            "source": "html",
            "raw": ["Nguyễn Thị Lan"],
            "replaced": {
                "source": "jsonld",
                "raw": {"@type": "Organization", "name": "Báo Sông Hồng"},
                "reason": "site_name",
            },
        },
    ),
    # og:site_name "RW" and the domain rw.example abbreviate the JSON-LD "Person" "Rheinische Welle";
    # the byline is an unclassed "Von ..." line under the headline
    "de-site-short-name": (
        "https://www.rw.example/nachrichten/hochwasser-oberrhein-pegel/",
        ["Anna Schmidt"],
        [],
        {
            "source": "html",
            "raw": ["Von Anna Schmidt"],
            "replaced": {
                "source": "jsonld",
                "raw": [{"@type": "Person", "name": "Rheinische Welle"}],
                "reason": "site_name",
            },
        },
    ),
    # a person whose initials are the site's short name, and no other byline: still the author
    "es-person-like-site": (
        "https://www.dm.example/economia/puerto-terminal-contenedores/",
        ["Diego Morales"],
        [],
        {"source": "jsonld", "raw": {"@type": "Person", "name": "Diego Morales"}},
    ),
}


def _article(slug: str, url: str):
    article = extract((META / f"{slug}.html").read_bytes(), url=url, options=FETCHED)
    assert article is not None
    return article


@pytest.mark.parametrize("slug", sorted(SITE_AUTHOR))
def test_a_byline_person_wins_over_the_site_name(slug, validate):
    url, authors, organizations, provenance = SITE_AUTHOR[slug]
    article = _article(slug, url)
    assert article.authors == authors
    assert article.organizations == organizations
    assert article.provenance["authors"] == provenance
    validate(article.to_dict())


def test_the_agency_byline_is_still_an_answer():
    """An organisation that is not the site (an agency) keeps ending the search, as before."""
    article = _article("de-graph-ids", "https://www.rheinland-bote.example/koeln/rheinbruecke-sanierung")
    assert article.organizations == ["dpa"]
    assert "replaced" not in article.provenance["authors"]


@pytest.mark.parametrize(
    "name, names, host, expected",
    [
        ("Deutsche Welle", ["DW"], "www.dw.example", True),
        ("Lowveld Times", [], "www.lowtimes.example", True),
        ("The Harbour Post", [], "harbourpost.example", True),
        ("Diego Morales", ["DM"], "www.dm.example", True),  # why a short form alone never demotes a person
        ("Jane Doe", ["Harbour Times"], "www.harbourtimes.example", False),
        ("Harbour", [], "harbour.example", False),  # one word: a name, not a short form
    ],
)
def test_abbreviations(name, names, host, expected):
    assert abbreviates(name, short_keys(names, host)) is expected


def test_a_dateline_that_disagrees_wins_and_the_structured_date_is_kept():
    """The structured date (an update's time) is a week after the "Publié le" date beside the headline; the
    "Mis à jour" date is not read as the publication."""
    article = _article("fr-dateline-disagrees", "https://www.voixdufleuve.example/metropole/tramway-rive-gauche-gare")
    assert article.date_published == "2025-03-14T08:30:00+01:00"
    assert article.provenance["date_published"] == {
        "source": "html",
        "raw": "2025-03-14T08:30:00+01:00",
        "replaced": {"source": "jsonld", "raw": "2025-03-21T17:05:00+01:00", "reason": "dateline"},
    }


def test_a_dateline_a_day_off_is_the_same_moment_elsewhere():
    """23:40 at -05:00 on 3 February is 4 February in Europe: they agree, the structured value (with its time
    and offset) stays."""
    article = _article("es-dateline-agrees", "https://www.heraldodelvalle.example/campo/sequia-riego-cuenca-alta")
    assert article.date_published == "2025-02-03T23:40:00-05:00"
    assert article.provenance["date_published"] == {"source": "jsonld", "raw": "2025-02-03T23:40:00-05:00"}


def test_the_date_strip_beside_a_logo_h1_is_no_dateline():
    """The first <h1> is the logo, followed by today's date: the dateline is looked for beside the <h1> that
    holds the headline only, so the structured date stays."""
    article = _article("en-dateline-logo-h1", "https://www.coastdaily.example/news/coastal-path-reopens")
    assert article.date_published == "2025-05-02T07:30:00+01:00"
    assert article.provenance["date_published"] == {"source": "opengraph", "raw": "2025-05-02T07:30:00+01:00"}
