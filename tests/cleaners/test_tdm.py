"""TDMRep: reservation and policy from headers, <meta> tags and tdmrep.json rules, into the record."""

from __future__ import annotations

import pytest

from cleaners import extract
from cleaners.errors import TdmRepError
from cleaners.tdm import NOT_DECLARED, Tdm, combine, from_headers, from_meta, from_tdmrep, parse_tdmrep

from conftest import PAGES

POLICY = "https://news.example/tdm/policy.json"
ARTICLE = (PAGES / "neutral" / "taiwan-envoy-israel.html").read_bytes()
URL = "https://deftechtimes.com/taiwan-envoy-israel-missile-defence/"


def with_meta(html: bytes, *tags: str) -> bytes:
    return html.replace(b"</head>", "".join(tags).encode() + b"</head>", 1)


def test_headers_in_any_case():
    assert from_headers({"TDM-Reservation": "1", "TDM-Policy": POLICY}) == Tdm(True, POLICY, "header", "1")
    assert from_headers({"tdm-reservation": "0"}) == Tdm(False, None, "header", "0")
    assert from_headers({"tdm-reservation": "yes"}) is None  # not a TDMRep value: nothing declared
    assert from_headers({}) is None


def test_record_from_header():
    record = extract(ARTICLE, url=URL, headers={"tdm-reservation": "1", "tdm-policy": POLICY}).to_dict()
    assert record["tdm_reserved"] is True
    assert record["provenance"]["tdm_reserved"] == {"source": "header", "raw": "1", "policy": POLICY}


def test_record_from_meta():
    html = with_meta(
        ARTICLE, '<meta name="tdm-reservation" content="1">', f'<meta name="tdm-policy" content="{POLICY}">'
    )
    record = extract(html, url=URL).to_dict()
    assert record["tdm_reserved"] is True
    assert record["provenance"]["tdm_reserved"] == {"source": "meta", "raw": "1", "policy": POLICY}


def test_record_without_declaration_is_null():
    record = extract(ARTICLE, url=URL).to_dict()
    assert record["tdm_reserved"] is None and "tdm_reserved" not in record["provenance"]


def test_explicit_zero_is_false_and_a_reservation_anywhere_wins():
    html = with_meta(ARTICLE, '<meta name="tdm-reservation" content="0">')
    assert extract(html, url=URL).tdm_reserved is False
    reserved = Tdm(True, POLICY, "tdmrep", "/")
    assert extract(html, url=URL, tdm=reserved).to_dict()["provenance"]["tdm_reserved"] == {
        "source": "tdmrep",
        "raw": "/",
        "policy": POLICY,
    }
    assert combine(None, Tdm(False, None, "meta", "0")) == Tdm(False, None, "meta", "0")
    assert combine(None, None) == NOT_DECLARED


def test_meta_tag_lookup():
    from lxml.html import document_fromstring

    tree = document_fromstring('<html><head><meta name="tdm-reservation" content=" 1 "></head><body></body></html>')
    assert from_meta(tree) == Tdm(True, None, "meta", "1")


TDMREP = f"""[
  {{"location": "/", "tdm-reservation": 0}},
  {{"location": "/premium/*", "tdm-reservation": 1, "tdm-policy": "{POLICY}"}},
  {{"location": "/premium/free-*.html$", "tdm-reservation": 0}},
  {{"location": "*.pdf$", "tdm-reservation": 1}},
  {{"tdm-reservation": 1}}
]"""


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/", Tdm(False, None, "tdmrep", "/")),
        ("/news/a.html", Tdm(False, None, "tdmrep", "/")),
        ("/premium/story.html", Tdm(True, POLICY, "tdmrep", "/premium/*")),
        ("/premium/free-story.html", Tdm(False, None, "tdmrep", "/premium/free-*.html$")),
        ("/premium/free-story.html?page=2", Tdm(True, POLICY, "tdmrep", "/premium/*")),
        ("/files/report.pdf", Tdm(True, None, "tdmrep", "*.pdf$")),
    ],
)
def test_tdmrep_most_specific_location_applies(path, expected):
    rules = parse_tdmrep(TDMREP)
    assert len(rules) == 4  # the rule without a location is skipped
    assert from_tdmrep(rules, path) == expected


def test_tdmrep_without_a_matching_rule():
    assert from_tdmrep(parse_tdmrep('[{"location": "/premium/", "tdm-reservation": 1}]'), "/news/") is None


@pytest.mark.parametrize(
    "data, reason",
    [
        ("{not json", "not JSON"),
        ('{"location": "/"}', "not a JSON array of rules"),
    ],
)
def test_tdmrep_that_is_not_rules_is_a_named_error(data, reason):
    with pytest.raises(TdmRepError, match=reason) as caught:
        parse_tdmrep(data, "https://news.example/.well-known/tdmrep.json")
    assert str(caught.value).startswith("https://news.example/.well-known/tdmrep.json: ")
