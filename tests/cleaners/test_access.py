"""Access states: constructed challenge, consent, login, paywall and shell pages each get the expected rule."""

from __future__ import annotations

import pytest

from cleaners import extract
from cleaners.access import Access, access_state
from cleaners.extract import clean
from cleaners.rules.access import ACCESS_RULES, STATES

from conftest import FIXTURES

ACCESS = FIXTURES / "access"
URL = "https://news.example/local/harbour-bridge/"

#: fixture -> (HTTP status it is served with, headers, state, rule id)
CASES = {
    "challenge-cloudflare.html": (
        403,
        {"Server": "cloudflare", "cf-mitigated": "challenge"},
        "bot_challenge",
        "bot_challenge:cloudflare:header",
    ),
    "challenge-akamai.html": (403, {"Server": "AkamaiGHost"}, "bot_challenge", "bot_challenge:akamai:text"),
    "challenge-datadome.html": (403, {"X-DataDome": "protected"}, "bot_challenge", "bot_challenge:datadome:markup"),
    "challenge-perimeterx.html": (403, {}, "bot_challenge", "bot_challenge:perimeterx:markup"),
    "challenge-imperva.html": (200, {"X-Iinfo": "8-12345678-0 0NNN"}, "bot_challenge", "bot_challenge:imperva:markup"),
    "challenge-aws-waf.html": (202, {}, "bot_challenge", "bot_challenge:aws_waf:markup"),
    "challenge-sucuri.html": (200, {"Server": "Sucuri/Cloudproxy"}, "bot_challenge", "bot_challenge:sucuri:markup"),
    "consent-wall.html": (200, {}, "consent_wall", "consent_wall:markup:consent_form"),
    "consent-wall-de.html": (200, {}, "consent_wall", "consent_wall:element:cmp_dialog"),
    "login-wall.html": (200, {}, "login_wall", "login_wall:markup:password_form"),
    "js-shell.html": (200, {}, "js_shell", "js_shell:mount:app_root"),
    "paywall-teaser.html": (200, {}, "paywall", "paywall:element:marker"),
    "article-with-cookie-banner.html": (200, {}, "ok", None),
}


def html(name: str) -> bytes:
    return (ACCESS / name).read_bytes()


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_gets_its_state_and_rule_through_the_cleaner(name):
    _, headers, state, rule = CASES[name]
    result = clean(html(name), URL, headers=headers)
    assert (result.access.state, result.access.rule) == (state, rule)
    emitted = state in ("ok", "paywall")
    assert (result.article is not None) == emitted
    if not emitted:
        assert result.not_article_reason == result.access.describe()


@pytest.mark.parametrize("name", sorted(set(CASES) - {"article-with-cookie-banner.html"}))
def test_fixture_gets_its_state_from_the_page_alone_whatever_the_status(name):
    """The crawler classifies pages that never reach extraction (a 403, 429, 503) with the same function."""
    status, headers, state, _ = CASES[name]
    for http_status in (status, 200, 403, 429, 503):
        assert access_state(html(name), http_status, headers, url=URL).state == state


def test_cloudflare_page_without_its_header_is_told_by_its_title():
    access = access_state(html("challenge-cloudflare.html"), 503, {"Server": "cloudflare"}, url=URL)
    assert (access.rule, access.matched, access.source) == (
        "bot_challenge:cloudflare:title",
        "Just a moment...",
        "html",
    )


def test_challenge_header_alone_decides_even_an_empty_body():
    assert access_state(b"", 403, {"x-amzn-waf-action": "captcha"}).rule == "bot_challenge:aws_waf:header"
    assert access_state(None, 429, [(b"Cf-Mitigated", [b"challenge"])]).rule == "bot_challenge:cloudflare:header"
    assert access_state(b"", 403, {"Server": "cloudflare"}) == Access()


def test_paywall_teaser_is_emitted_truncated_with_evidence():
    article = extract(html("paywall-teaser.html"), url=URL)
    record = article.to_dict()
    assert (record["access"], record["truncated"], record["is_accessible_for_free"]) == ("paywall", True, False)
    assert record["provenance"]["access"] == {
        "source": "html",
        "raw": "article-paywalled",
        "rule": "paywall:element:marker",
    }
    assert record["text"].startswith("The city council voted on Tuesday evening")
    assert "Subscribe to continue reading" not in record["text"]


def test_jsonld_not_free_on_a_long_article_is_paywall_not_truncated():
    body = "".join(
        f"<p>Paragraph {i} of the council report tells how the bridge was built and repaired over the "
        f"years, with the engineers' findings and the costs of every stage of the works.</p>"
        for i in range(30)
    )
    page = (
        '<html><head><title>Bridge</title><script type="application/ld+json">{"@type":"NewsArticle",'
        '"headline":"Bridge","isAccessibleForFree":"False"}</script></head><body><article><h1>Bridge</h1>'
        f"{body}</article></body></html>"
    )
    record = extract(page, url=URL).to_dict()
    assert (record["access"], record["truncated"]) == ("paywall", False)
    assert record["provenance"]["access"] == {"source": "jsonld", "raw": "False", "rule": "paywall:jsonld:not_free"}


def test_normal_article_is_ok_without_evidence():
    record = extract(
        (FIXTURES / "pages" / "neutral" / "taiwan-envoy-israel.html").read_bytes(),
        url="https://deftechtimes.com/taiwan-envoy-israel-missile-defence/",
    ).to_dict()
    assert (record["access"], record["truncated"]) == ("ok", False)
    assert "access" not in record["provenance"]


def test_short_article_beside_a_cookie_banner_is_an_article():
    article = extract(html("article-with-cookie-banner.html"), url=URL)
    assert article.access == "ok"
    assert article.text.startswith("The island ferry returned to its normal timetable")
    # without the extracted body, the page alone is a short page holding a consent dialog
    alone = access_state(html("article-with-cookie-banner.html"), 200, url=URL)
    assert (alone.state, alone.rule) == ("consent_wall", "consent_wall:en:prompt")
    assert access_state(html("article-with-cookie-banner.html"), 200, url=URL, text=article.text).state == "ok"


@pytest.mark.parametrize(
    "lang, text",
    [
        ("de", "Bitte bestätigen Sie, dass Sie ein Mensch sind."),
        ("fr", "Êtes-vous un robot ? Vérifiez que vous êtes humain."),
        ("es", "Verificando que usted es un ser humano."),
        ("it", "Verifica di essere un essere umano."),
        ("pt", "Verifique se você é humano."),
        ("nl", "Controleer of je een mens bent."),
    ],
)
def test_challenge_text_in_several_languages(lang, text):
    page = f"<html><head><title>news.example</title></head><body><p>{text}</p></body></html>"
    assert access_state(page, 403).rule == f"bot_challenge:{lang}:verify_human"


@pytest.mark.parametrize(
    "lang, text",
    [
        ("en", "You need to enable JavaScript to run this app."),
        ("de", "Bitte aktivieren Sie JavaScript, um diese Seite zu sehen."),
        ("fr", "Veuillez activer JavaScript pour afficher cette page."),
        ("es", "Habilita JavaScript para ver esta página."),
        ("it", "Abilita JavaScript per vedere questa pagina."),
        ("pt", "Ative o JavaScript para ver esta página."),
        ("nl", "Schakel JavaScript in om deze pagina te zien."),
    ],
)
def test_shell_notice_in_several_languages(lang, text):
    page = (
        f'<html><head><script src="/app.js"></script></head><body><noscript>{text}</noscript>'
        f'<div id="page-container"></div></body></html>'
    )
    assert access_state(page, 200).rule == f"js_shell:{lang}:enable_js"


def test_server_rendered_app_is_not_a_shell():
    words = " ".join(["word"] * 300)
    page = f'<html><body><div id="__next"><article><p>{words}</p></article></div><script src="/_next/main.js"></script></body></html>'
    assert access_state(page, 200).state == "ok"


def test_long_article_quoting_challenge_words_is_ok():
    words = " ".join(["text"] * 400)
    page = (
        f"<html><head><title>How bots are stopped</title></head><body><article><p>Sites show 'Just a moment...' "
        f"and ask: are you a robot? A g-recaptcha box and _cf_chl_opt appear. {words}</p></article></body></html>"
    )
    assert access_state(page, 200).state == "ok"


def test_extracted_body_overrules_a_consent_banner_but_not_a_vendor_challenge():
    body = " ".join(["news"] * 80)
    banner = '<div id="onetrust-banner-sdk"><p>We use cookies. Accept all</p></div>'
    assert access_state(f"<html><body>{banner}<p>{body}</p></body></html>", 200, text=body).state == "ok"
    challenge = html("challenge-perimeterx.html")
    assert access_state(challenge, 403, text=body).state == "bot_challenge"


def test_rule_ids_are_unique_and_name_their_state():
    ids = [r.id for r in ACCESS_RULES]
    assert len(ids) == len(set(ids))
    assert all(r.id.split(":")[0] == r.state and r.state in STATES for r in ACCESS_RULES)


def test_text_rules_cover_seven_languages():
    for state in ("bot_challenge", "consent_wall", "login_wall", "js_shell", "paywall"):
        langs = {r.id.split(":")[1] for r in ACCESS_RULES if r.state == state and r.where in ("text", "noscript")}
        assert {"en", "de", "fr", "es", "it", "pt", "nl"} <= langs, state
