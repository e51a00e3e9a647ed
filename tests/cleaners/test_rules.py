"""The rule tables: phrase rules per language, element rules by class/role/tag, date lines, unique ids."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from lxml import html as lxml_html

from cleaners.context import Context
from cleaners.filters import author_rule_for, date_line_rule, text_rule_for
from cleaners.options import Options
from cleaners.prune import collect_media, prune
from cleaners.rules import ELEMENT_RULES, PHRASE_RULES, all_rule_ids

PHRASES = [
    # ad labels
    ("Advertisement", "ad_marker:en:label"),
    ("- Advertisement -", "ad_marker:en:label"),
    ("Sponsored", "ad_marker:en:label"),
    ("Anzeige", "ad_marker:de:label"),
    ("Passer la publicité", "ad_marker:fr:label"),
    ("Publicidad", "ad_marker:es:label"),
    ("Pubblicità", "ad_marker:it:label"),
    ("Publicidade", "ad_marker:pt:label"),
    ("Advertentie", "ad_marker:nl:label"),
    ("Annonse", "ad_marker:nordic:label"),
    ("Reklama", "ad_marker:pl:label"),
    ("Reklam", "ad_marker:tr:label"),
    ("Реклама", "ad_marker:ru:label"),
    ("広告", "ad_marker:ja:label"),
    ("광고", "ad_marker:ko:label"),
    ("广告", "ad_marker:zh:label"),
    # read-also lines and related-box titles
    ("READ MORE: Regulators approve Great Lakes Energy rate increase", "promo:en:read-also"),
    ("MORE: China warns of New Zealand naval patrol", "promo:en:read-also"),
    ("Read more: Bayline Marine wins the harbour ferry contract", "promo:en:read-also"),
    ("Lesen Sie auch: Stadt plant neue Fahrradstraße zwischen Deutz und Kalk", "promo:de:read-also"),
    ("À lire aussi : La pêche au Léman en crise", "promo:fr:read-also"),
    ("Lee también: Los regantes piden adelantar la campaña", "promo:es:read-also"),
    ("Leggi anche: Battelli sul Garda, dal 2026 le prime due navi elettriche", "promo:it:read-also"),
    ("Leia também: Tarifa de ônibus no DF fica congelada", "promo:pt:read-also"),
    ("Lees ook: Provincie trekt 12 miljoen uit voor woningbouw", "promo:nl:read-also"),
    ("Les også: Fylket lover ny rassikring innen 2028", "promo:nordic:read-also"),
    ("Läs också: Rekordmånga söker feriejobb", "promo:nordic:read-also"),
    ("Czytaj także: Remont zapory potrwa dwa lata", "promo:pl:read-also"),
    ("Читайте также: Школы переходят на пятидневку", "promo:ru:read-also"),
    ("Related", "promo:en:box-title"),
    ("Mehr zum Thema", "promo:de:box-title"),
    ("Zobacz także", "promo:pl:box-title"),
    # subscription, newsletter and paywall prompts, and sign-up form messages
    ("¿Quieres añadir otro usuario a tu suscripción?", "newsletter:es:prompt"),
    ("Jetzt Zeit Online abonnieren für nur 1 Euro im Monat", "newsletter:de:prompt"),
    ("Stay informed with The Namibian for only N$85 a month", "newsletter:en:prompt"),
    ("Sign up for our newsletter", "newsletter:en:prompt"),
    ("Abonnez-vous à notre newsletter", "newsletter:fr:prompt"),
    ("Iscriviti alla newsletter", "newsletter:it:prompt"),
    ("Meld deg på nyhetsbrev", "newsletter:nordic:prompt"),
    ("Il vous reste 57.09% de cet article à lire. La suite est réservée aux abonnés.", "newsletter:fr:prompt"),
    ("Something went wrong. Please try again.", "newsletter:en:form-message"),
    ("Qualcosa è andato storto, riprova.", "newsletter:it:form-message"),
    (
        "Follow Harbour News on Twitter and Facebook for the latest news updates. You can now also get Harbour News "
        "articles sent straight to your device. Sign up for our daily push alerts here.",
        "newsletter:en:prompt",
    ),
    ("Sign up for our breaking news push alerts", "newsletter:en:prompt"),
    ("【春のキャンペーン】有料記事読み放題！今なら2カ月間月額100円", "newsletter:ja:prompt"),
    # consent placeholders
    ("To view this content, please enable cookies", "consent:en:placeholder"),
    ("Externer Inhalt", "consent:de:placeholder"),
    ("Empfohlener redaktioneller Inhalt", "consent:de:placeholder"),
    (
        "We use cookies to improve your experience, to measure how our journalism is read and to show you relevant advertising.",
        "consent:en:placeholder",
    ),
    ("Wir verwenden Cookies, um Ihnen das beste Erlebnis zu bieten.", "consent:de:placeholder"),
    ("Nous utilisons des cookies pour mesurer l'audience.", "consent:fr:placeholder"),
    ("Clique para aceitar os cookies de marketing e ativar este conteúdo", "consent:pt:placeholder"),
    # comments
    ("You must confirm your public display name before commenting.", "comments:en:prompt"),
    ("Kommentare (1)", "comments:de:prompt"),
    (
        "Would you like to comment on this article?\nSign up (it's quick and free) or sign in now.",
        "comments:en:system-prompt",
    ),
    ("Please read our Comment Policy before commenting.", "comments:en:system-prompt"),
    ("Please peer review 3 community comments before your comment can be posted", "comments:en:system-prompt"),
    ("2 thoughts on “Harbour ferry contract”", "comments:en:count-title"),
    ("2 réflexions sur « La pêche au Léman »", "comments:fr:count-title"),
    ("Vous devez être connecté pour publier un commentaire.", "comments:fr:system-prompt"),
    ("Debes iniciar sesión para comentar", "comments:es:system-prompt"),
    ("I commenti sono chiusi.", "comments:it:system-prompt"),
    ("Você precisa estar logado para comentar.", "comments:pt:system-prompt"),
    ("Je moet ingelogd zijn om te reageren", "comments:nl:system-prompt"),
    ("Du må være logget inn for å kommentere.", "comments:nordic:system-prompt"),
    ("Musisz być zalogowany, aby dodać komentarz.", "comments:pl:system-prompt"),
    ("Чтобы оставить комментарий, войдите на сайт.", "comments:ru:system-prompt"),
    ("コメントするにはログインが必要です", "comments:ja:system-prompt"),
    ("댓글을 작성하려면 로그인하세요", "comments:ko:system-prompt"),
    ("登录后发表评论", "comments:zh:system-prompt"),
    ("Na zdjęciu: burmistrz podczas otwarcia mostu", "caption:pl:photo-says"),
    ("На фото: мэр на открытии моста", "caption:ru:photo-says"),
    ("Щось пішло не так. Спробуйте ще раз.", "newsletter:uk:form-message"),
    ("エラーが発生しました。もう一度お試しください。", "newsletter:ja:form-message"),
    ("Komentáře (12)", "comments:cs:prompt"),
    ("Yorumlar", "comments:tr:prompt"),
    ("Комментарии (3)", "comments:ru:prompt"),
    ("Залишити коментар", "comments:uk:prompt"),
    ("コメントを書く", "comments:ja:prompt"),
    ("댓글 쓰기", "comments:ko:prompt"),
    ("发表评论", "comments:zh:prompt"),
    ("Er is iets misgegaan. Probeer het opnieuw.", "newsletter:nl:form-message"),
    ("Något gick fel. Försök igen.", "newsletter:nordic:form-message"),
    ("Coś poszło nie tak. Spróbuj ponownie.", "newsletter:pl:form-message"),
    ("Что-то пошло не так. Попробуйте ещё раз.", "newsletter:ru:form-message"),
    ("Externí obsah", "consent:cs:placeholder"),
    ("Мы используем файлы cookie, чтобы сайт работал лучше.", "consent:ru:placeholder"),
    ("当サイトではCookieを使用しています。", "consent:ja:placeholder"),
    ("O autorovi", "author_box:cs:line"),
    ("Об авторе", "author_box:ru:line"),
    ("Yazarın diğer yazıları", "author_box:tr:line"),
    ("作者简介", "author_box:zh:line"),
    # legal, affiliate, self-promotion, credits
    (
        "We independently select everything we recommend. When you buy through our links, we may earn a commission.",
        "legal:en:sentence",
    ),
    ("Please bookmark this page and check back for updates", "legal:en:sentence"),
    ("© 2025 Kurier Nadwiślański. Wszelkie prawa zastrzeżone.", "legal:pl:sentence"),
    ("© dpa-infocom, dpa:250312-930-401234/2", "legal:any:copyright"),
    ("Mit Agenturmaterial.", "legal:de:line"),
    ("MDR (dst)", "legal:de:line"),
    ("Bild: Thomas Berger", "caption:any:credit"),
    ("Photo: AFP", "caption:any:credit"),
    ("Quelle: AFP", "caption:any:credit"),
    (
        "Los geht’s: Von Montag an für 49 Euro monatlich im Nah- und Regionalverkehr. Bild: Maximilian von Lachner",
        "caption:any:credit-suffix",
    ),
    ("Commuters board the new ferry at Pier 4 on Monday. Photo: Jane Doe/Harbour News", "caption:any:credit-suffix"),
    # widget titles and UI words
    ("Trending on Deftechtimes", "widget:en:title"),
    ("Most read", "widget:en:title"),
    ("Fehler gefunden? Jetzt melden.", "widget:de:title"),
    ("swipe left below to view more", "widget:en:title"),
    ("Mest lest", "widget:nordic:title"),
    ("기사 URL이 복사되었습니다.", "widget:ko:title"),
    ("End of Article", "widget:en:title"),
    ("Article content", "widget:en:title"),
    ("Recommended Videos", "widget:en:title"),
    ("Skip to main content", "widget:en:title"),
    ("Fehler gefunden?Jetzt melden.", "widget:de:title"),
    ("Zum Hauptinhalt springen", "widget:de:title"),
    ("Aller au contenu principal", "widget:fr:title"),
    ("Saltar al contenido", "widget:es:title"),
    ("Weiterlesen", "promo:de:box-title"),
    ("Seguir leyendo", "promo:es:box-title"),
    ("Lees verder", "promo:nl:box-title"),
    ("Czytaj dalej", "promo:pl:box-title"),
    ("Lesedauer: 4 Minuten", "metadata:any:line"),
    ("Leestijd: 3 min", "metadata:any:line"),
    ("-Aktualisiert am", "metadata:any:line"),
    ("SDA/sep", "legal:de:line"),
    ("Additional reporting from PA", "legal:en:source-note"),
    ("DALLA NOSTRA CORRISPONDENTE", "author_box:it:line"),
    ("박준석 기자 외 1명", "author_box:ko:line"),
    ("Newsletter: Sport inside", "newsletter:any:box-title"),
    ("dpa/lno", "legal:de:line"),
    ("Ende des Artikels", "widget:de:title"),
    ("कॉपी लिंक", "widget:hi:title"),
    # metadata lines
    ("12 March 2025 • Updated: 13 March 2025", "metadata:any:line"),
    ("1,2 mil compartilhamentos", "metadata:any:line"),
    ("https://www.example.org/nachrichten/meteorit146.html", "metadata:any:line"),
    ("3 Minuten Lesezeit", "metadata:any:line"),
    ("4 minutes de lecture", "metadata:any:line"),
    ("02:57 Min.. Verfügbar bis 06.05.2024.", "promo:any:video-teaser"),
    ("Video verfügbar bis 06.05.2024", "metadata:any:line"),
    ("WDR Studios NRW. 22.04.2024. 00:21 Min.. Verfügbar bis 22.04.2026. WDR Online.", "promo:any:video-teaser"),
    # author box
    ("More from Author", "author_box:en:line"),
    ("Over de auteur", "author_box:nl:line"),
]

BODY = [
    "The council voted 7-2 on Monday to approve the contract.",
    "Read more about the plan in the council's report, which was published in March after months of delays.",
    "Advertisement revenue at the paper fell by a third last year, the publisher said.",
    "Die Stadt rechnet nun mit Kosten von 310 Millionen Euro.",
    "In 2025 there were 14 ferries on three routes.",
    "Trending topics on social media included the ferry strike.",
    "Les comptes de la commune seront publiés en avril.",
    "Der Rat soll im Mai über den neuen Zeitplan entscheiden.",
    "Follow the money, the auditor told the council on Monday, and you will find the missing ferry funds.",
    "Das Video ist in der Mediathek verfügbar, sagte der Sender.",
    "The source of the leak, officials said, was a contractor working for the port authority.",
    "Readers who would like to comment can write to the editor, the paper said in its policy statement.",
    "有料の記事は全体の3割を占める。",
    "Комментарии экспертов разошлись: одни ждут снижения ставки, другие нет.",
    "Yorumlar arasında belediyenin kararını eleştirenler çoğunluktaydı.",
    "댓글 수는 하루 만에 3천 건을 넘었다.",
    "Об авторе книги известно немного: он жил в Твери и писал под псевдонимом.",
    "Die Lesedauer der Vorlage beträgt nach Angaben des Rats rund vier Stunden.",
    "Weiterlesen wollte nach der ersten Seite kaum jemand, sagte die Bibliothekarin.",
    "Der Hauptinhalt des Gesetzes betrifft die Mieten in den Städten.",
    "Les commentaires du ministre sont fermés à toute critique, selon l'opposition.",
    "Mer dan de helft van de lezers wil reageren op het nieuws, blijkt uit het onderzoek.",
]


@pytest.mark.parametrize(("text", "rule"), PHRASES, ids=[r for _, r in PHRASES])
def test_phrase_rules_name_boilerplate_lines(text, rule):
    assert text_rule_for(text) == (rule.split(":")[0], rule)


@pytest.mark.parametrize("text", BODY)
def test_body_sentences_match_no_rule(text):
    assert text_rule_for(text) is None
    assert date_line_rule(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Sevilla - 14 mar 2025 - 07:00 CET",
        "13 mrt. 2025 om 16:45",
        "Publié le 14 mars 2025 à 07h30 • Mis à jour le 14 mars 2025 à 12h05",
        "Veröffentlicht am 13. Mai 2026 um 15:44",
        "12 марта 2025, 09:15 · · Просмотров: 2345",
        "Berlin, 3. Mai 2024",
        "5 hours ago",
        "vor 3 Stunden",
        "il y a 2 heures",
        "hace 3 horas",
        "2 uur geleden",
        "3 godziny temu",
        "3 часа назад",
    ],
)
def test_date_lines_are_metadata(text):
    assert text_rule_for(text) == ("metadata", "metadata:date-line")


def test_phrase_rules_respect_length_bounds():
    long_prompt = (
        "Sign up for our newsletter. " + "The council met again on Monday to discuss the ferry contract. " * 10
    )
    assert text_rule_for(long_prompt) is None


def test_author_lines_need_the_author_name_or_a_bio_opening():
    ctx = Context(Options(), author_names=("Ruta R Deshpande", "Sanne de Vries"))
    assert author_rule_for("Ruta R Deshpande", ctx) == "author_box:name-line"
    assert author_rule_for("Von Ruta R Deshpande", ctx) == "author_box:name-line"
    assert author_rule_for("Ruta Deshpande is a seasoned defence journalist based in Pune.", ctx) == "author_box:bio"
    assert author_rule_for("Sanne de Vries is verslaggever voor Walcheren.", ctx) == "author_box:bio"
    assert (
        author_rule_for("Is a visiting senior lecturer at the University of Pretoria.", ctx)
        == "author_box:bio-sentence"
    )
    assert author_rule_for("The council voted 7-2 on Monday to approve the contract.", ctx) is None


def test_rule_ids_are_unique_and_well_formed():
    ids = all_rule_ids()
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    for rule in ELEMENT_RULES + PHRASE_RULES:
        assert rule.id.split(":")[0] == rule.kind


def _pruned(body: str) -> tuple[str, list[tuple[str, str, str]]]:
    tree = lxml_html.document_fromstring(f"<html><body>{body}</body></html>")
    ctx = Context(Options(), url="https://news.example.org/a/1")
    collect_media(tree, ctx)
    prune(tree, ctx)
    text = " ".join(tree.find("body").text_content().split())
    return text, [(r.kind, r.rule, r.text) for r in ctx.removed]


ARTICLE = "<p>" + "The council met on Monday and voted to approve the harbour ferry contract. " * 3 + "</p>"


@pytest.mark.parametrize(
    ("markup", "kind", "rule"),
    [
        ('<div class="td-a-ad"><span>Sponsored</span></div>', "ad_marker", "ad_marker:en:label"),
        ('<div class="ad-slot">Shop now</div>', "ad_marker", "ad_marker:container"),
        ('<div class="tdb-author-box"><p>Ruta R Deshpande</p></div>', "author_box", "author_box:container"),
        ('<div class="authorBox"><p>Priya Raman</p></div>', "author_box", "author_box:container"),
        ('<div class="related-posts"><a href="/b">Other story headline here</a></div>', "promo", "promo:related"),
        ('<div class="b-newsletter-signup"><p>Get the money tips</p></div>', "newsletter", "newsletter:signup"),
        ('<div class="mostReadWidget"><p>Ferry fares frozen</p></div>', "widget", "widget:trending"),
        ("<aside><p>Ferry fares frozen</p></aside>", "widget", "widget:aside"),
        ('<div role="complementary"><p>Ferry fares frozen</p></div>', "widget", "widget:aside"),
        ('<nav><a href="/news">News</a></nav>', "widget", "widget:chrome"),
        ('<ol class="comment-list"><li>Great piece</li></ol>', "comments", "comments:container"),
    ],
)
def test_element_rules(markup, kind, rule):
    text, removed = _pruned(ARTICLE + markup)
    assert (kind, rule) in {(k, r) for k, r, _ in removed}
    assert text.startswith("The council met") and "Monday and voted" in text
    assert text.count("The council met") == 3


def test_nested_boxes_keep_their_own_kind():
    markup = (
        '<footer class="post-footer"><div class="gh-author-card"><p>Giulia Ferraro</p></div><p>Privacy</p></footer>'
    )
    _, removed = _pruned(ARTICLE + markup)
    assert ("author_box", "author_box:container", "Giulia Ferraro") in removed
    assert ("widget", "widget:chrome", "Privacy") in removed


def test_compounds_start_at_a_class_name_part():
    markup = '<div class="md:z-stream-layout-stream-style"><p>Body kept here in a layout wrapper.</p></div>'
    text, removed = _pruned(ARTICLE + markup)
    assert "Body kept here" in text and removed == []


def test_the_article_container_is_never_pruned():
    markup = '<div class="sidebar-layout">' + ARTICLE * 3 + "</div>"
    text, removed = _pruned(markup)
    assert text.count("The council met") == 9 and removed == []


def test_figures_go_to_media_and_link_cards_to_promos():
    markup = (
        '<figure><img src="/a.jpg"><figcaption>Commuters board the ferry. Photo: Jane Doe</figcaption></figure>'
        '<figure class="kg-bookmark-card"><a href="https://news.example.org/b/2">'
        "<div>Turismo, il Garda chiude il 2024</div></a></figure>"
    )
    text, removed = _pruned(ARTICLE + markup)
    assert ("caption", "caption:figure", "Commuters board the ferry.") in removed
    assert ("caption", "caption:figure", "Photo: Jane Doe") in removed
    assert ("promo", "promo:link-card", "Turismo, il Garda chiude il 2024") in removed
    assert "Commuters" not in text and "Turismo" not in text


def _filtered(blocks, title=None, url="https://news.example.org/a/1", **ctx_fields):
    from cleaners.article import Block
    from cleaners.body import Candidate
    from cleaners.filters import filter_blocks

    ctx = Context(Options(), url=url, **ctx_fields)
    cands = [
        Candidate(
            Block(kind, text, items=text.split("\n") if kind == "list" else None), links=links, link_chars=link_chars
        )
        for kind, text, links, link_chars in blocks
    ]
    filter_blocks(cands, ctx, title, frozenset())
    return [c.text for c in cands if not c.removed], [(r.kind, r.rule) for r in ctx.removed]


BODY_PARAGRAPH = (
    "paragraph",
    "The council met on Monday and voted to approve the harbour ferry contract after a long debate.",
    [],
    0,
)


def test_block_shapes_of_promos():
    kept, removed = _filtered(
        [
            ("heading", "Ferry contract signed at last Ferry contract signed at last", [], 0),
            BODY_PARAGRAPH,
            ("list", "19.03.2024Fahndung nach Verrätern\n05.03.2024Aufklärung nur intern", [], 0),
            (
                "paragraph",
                "MORE NEWS HERE | Bayline Marine wins the harbour ferry contract",
                ["https://news.example.org/b/2"],
                46,
            ),
        ]
    )
    assert kept == [BODY_PARAGRAPH[1]]
    assert removed == [
        ("promo", "promo:doubled-headline"),
        ("promo", "promo:dated-list"),
        ("promo", "promo:labelled-link"),
    ]


def test_title_repeated_above_the_body_with_a_kicker_or_reworded():
    kept, removed = _filtered(
        [
            ("heading", "Schlachtbetriebe: Das harte Geschäft mit dem Tod in Thüringen", [], 0),
            BODY_PARAGRAPH,
            ("heading", "Das harte Geschäft", [], 0),
            BODY_PARAGRAPH,
        ],
        title="Das harte Geschäft mit dem Tod in Thüringen",
    )
    assert kept == [BODY_PARAGRAPH[1], "Das harte Geschäft", BODY_PARAGRAPH[1]]
    assert removed == [("metadata", "metadata:title-repeat")]


def test_html_code_shown_as_text_is_cut_from_a_paragraph():
    text = 'The figures are in the chart.<iframe title="Chart" src="https://charts.example.org/x"></iframe>'
    kept, removed = _filtered([("paragraph", text, [], 0), BODY_PARAGRAPH])
    assert kept == ["The figures are in the chart.", BODY_PARAGRAPH[1]]
    assert removed == [("other", "other:markup-text"), ("other", "other:markup-text")]


def test_standfirst_survives_articlebody_absence_and_a_short_prompt_does_not():
    body = BODY_PARAGRAPH[1] + " " + "Councillors said the new boats would arrive in spring next year."
    kept, removed = _filtered(
        [
            (
                "paragraph",
                "Five councils ask the province for rules against the growth of holiday homes in villages.",
                [],
                0,
            ),
            BODY_PARAGRAPH,
            ("paragraph", "Councillors said the new boats would arrive in spring next year.", [], 0),
            ("paragraph", "Sign up for our newsletter", [], 0),
        ],
        article_body=body.casefold(),
    )
    assert kept[0].startswith("Five councils") and "Sign up for our newsletter" not in kept
    assert removed == [("newsletter", "newsletter:en:prompt")]


def test_every_search_rule_has_a_required_literal_to_prefilter_on():
    from cleaners.filters import _compiled

    groups = [g for g in _compiled() if g.match == "search"]
    assert groups and all(g.anchors for g in groups)


def test_teaser_summaries_under_promo_headlines_go_with_them():
    kept, removed = _filtered(
        [
            BODY_PARAGRAPH,
            ("heading", "Mike Johnson’s Art of the Deal Mike Johnson’s Art of the Deal", [], 0),
            ("paragraph", "Kevin McCarthy drew the ire of his colleagues when he brokered a spending deal.", [], 0),
            (
                "heading",
                "Democrats and the Left: A Mutual Dependency Democrats and the Left: A Mutual Dependency",
                [],
                0,
            ),
            ("paragraph", "Mass movements stoke the fires of popular discontent.", [], 0),
        ]
    )
    assert kept == [BODY_PARAGRAPH[1]]
    assert removed == [
        ("promo", "promo:doubled-headline"),
        ("promo", "promo:doubled-headline"),
        ("promo", "promo:teaser-summary"),
        ("promo", "promo:teaser-summary"),
    ]


def _recovered(body: str, kept: list[str]) -> list[str]:
    from cleaners.article import Block
    from cleaners.audit import text_elements
    from cleaners.body import Candidate
    from cleaners.recover import recover_paragraphs

    tree = lxml_html.document_fromstring(f"<html><body>{body}</body></html>")
    cands = [Candidate(Block("paragraph", text)) for text in kept]
    recover_paragraphs(text_elements(tree), cands, Context(Options(), url="https://news.example.org/a/1"), frozenset())
    return [c.text for c in cands]


SPLIT_BODY = [
    "The council met on Monday and voted to approve the harbour ferry contract after a long debate.",
    "Councillors said the new boats would arrive in spring next year, two years later than planned.",
]
LOST = "The opposition asked for an audit of the tender, saying the price had doubled since the first offer in 2022."


def test_a_body_split_over_containers_of_one_class_gets_its_lost_paragraphs_back():
    body = (
        f'<article><div class="body articleBody"><p>{SPLIT_BODY[0]}</p><p>{SPLIT_BODY[1]}</p></div>'
        '<div class="teaser"><p>Ferry fares frozen for a year while the new boats are being built at the yard.</p></div>'
        f'<div class="body articleBody -bottom"><p>{LOST}</p>'
        "<p>Sign up for our newsletter to get the harbour news in your inbox every morning.</p><p>Short line.</p></div>"
        "</article>"
    )
    assert _recovered(body, SPLIT_BODY) == [*SPLIT_BODY, LOST]


def test_paragraphs_of_another_article_on_the_page_are_not_recovered():
    other = "Another story the page goes on with: the mayor opened the new library in the old town hall on Friday."
    body = (
        f'<article><div class="body"><p>{SPLIT_BODY[0]}</p><p>{SPLIT_BODY[1]}</p></div></article>'
        f'<article><div class="body"><p>{other}</p></div></article>'
        f'<h1>Next story</h1><div class="body"><p>{other} Again.</p></div>'
    )
    assert _recovered(body, SPLIT_BODY) == SPLIT_BODY


SCRIPT_PARAGRAPHS = [
    "The council met on Monday and voted to approve the harbour ferry contract after a long debate.",
    "Councillors said the new boats would arrive in spring next year, two years later than planned.",
    "The opposition asked for an audit of the tender, saying the price had doubled since the first offer.",
]


def test_a_body_held_only_in_a_script_string_is_found_raw_or_escaped_twice():
    import json

    from cleaners.recover import _script_html

    html = "".join(f"<p>{p} {p}</p>" for p in SCRIPT_PARAGRAPHS)  # long enough to be a body (400+ characters)
    state = json.dumps({"article": {"contentHtml": html}}).replace("<", "\\u003c")
    flight = json.dumps(
        "5:" + json.dumps(["$", "div", None, {"dangerouslySetInnerHTML": {"__html": html}}]).replace("<", "\\u003c")
    )
    for script in (f"window.__STATE__ = {state};", f"self.__next_f.push([1,{flight}])"):
        assert _script_html(f"<html><body><div id=app></div><script>{script}</script></body></html>") == html
    two = json.dumps({"teaser": f"<p>{' '.join(SCRIPT_PARAGRAPHS * 2)}</p><p>{SCRIPT_PARAGRAPHS[0]}</p>"})
    assert (
        _script_html(f"<html><body><script>var x = {two};</script></body></html>") is None
    )  # two paragraphs: a teaser


def test_teaser_cards_wrapped_in_a_link_to_another_article_are_promos():
    from cleaners.cards import drop_link_cards

    body = (
        ARTICLE + '<p>The mayor <a href="/politics/mayor">said</a> the vote was fair.</p>'
        '<a href="/a/2"><img src="/t.jpg"><h3>Ferry fares frozen</h3>'
        "<p>RISK REMAINS: The operator said prices would stay the same until the new boats arrive.</p></a>"
        '<a href="https://other.example.com/x"><p>A card for another site is not a promo of this one.</p></a>'
        '<a href="/a/1?ref=home#comments"><p>Jump to the comments of this article.</p></a>'
        '<a href="https://news.example.org/"><h1>Harbour News</h1></a>'
    )
    tree = lxml_html.document_fromstring(f"<html><body>{body}</body></html>")
    ctx = Context(Options(), url="https://news.example.org/a/1")
    drop_link_cards(tree, ctx)
    text = " ".join(tree.find("body").text_content().split())
    assert [(r.kind, r.rule, r.text) for r in ctx.removed] == [
        ("promo", "promo:link-card", "Ferry fares frozen"),
        (
            "promo",
            "promo:link-card",
            "RISK REMAINS: The operator said prices would stay the same until the new boats arrive.",
        ),
    ]
    assert text.count("The council met") == 3 and "The mayor said the vote was fair." in text
    assert "another site" in text and "Jump to the comments" in text and "Harbour News" in text


def test_a_link_left_open_around_the_body_is_not_a_card():
    from cleaners.cards import drop_link_cards

    tree = lxml_html.document_fromstring(f'<html><body><a href="/a/2">{ARTICLE * 8}</a></body></html>')
    ctx = Context(Options(), url="https://news.example.org/a/1")
    drop_link_cards(tree, ctx)
    assert ctx.removed == [] and tree.find("body").text_content().count("The council met") == 24


def test_recovered_paragraphs_keep_page_order_when_a_label_repeats():
    body = (
        f'<article><div class="body"><p>{SPLIT_BODY[0]}</p><p>Read more</p><p>{SPLIT_BODY[1]}</p></div>'
        f'<div class="body"><p>Read more</p><p>{LOST}</p></div></article>'
    )
    assert _recovered(body, [SPLIT_BODY[0], "Read more", SPLIT_BODY[1]]) == [
        SPLIT_BODY[0],
        "Read more",
        SPLIT_BODY[1],
        LOST,
    ]


OTHER = "https://news.example.org/b/2"


def test_read_more_title_over_a_headline_is_a_promo_in_each_language():
    kept, removed = _filtered(
        [
            BODY_PARAGRAPH,
            ("paragraph", "Read more\nFerry fares frozen for a year while the new boats are built", [], 0),
            ("paragraph", "Mehr zum Thema\nStadt plant neue Fahrradstraße zwischen Deutz und Kalk", [], 0),
            ("paragraph", "Noticias relacionadas\nLos regantes piden adelantar la campaña", [], 0),
            ("paragraph", "Powiązane artykuły\nRemont zapory potrwa dwa lata", [], 0),
            ("paragraph", "Related to the vote\nThe council said the vote was fair", [], 0),
        ]
    )
    assert kept == [BODY_PARAGRAPH[1], "Related to the vote\nThe council said the vote was fair"]
    assert removed == [("promo", "promo:titled-headline")] * 4


def test_a_summary_cut_off_after_a_promo_headline_is_its_teaser():
    teaser = "W poniedziałek wieczorem do stolicy Pakistanu dotrze delegacja – wynika ze słów Donalda Tr..."
    ended = "The council said the ferry contract would be signed after the summer..."
    kept, removed = _filtered(
        [
            BODY_PARAGRAPH,
            ("paragraph", "Kolejna tura rozmów USA-Iran. Donald Trump wysyła delegację", [OTHER], 57),
            ("paragraph", teaser, [], 0),
            ("paragraph", ended, [], 0),
        ]
    )
    assert kept == [BODY_PARAGRAPH[1], ended]
    assert removed == [("promo", "promo:bare-link"), ("promo", "promo:teaser-summary")]


def test_a_list_of_links_to_other_articles_with_kickers_is_a_promo():
    items = "US-Politik: Alle Entwicklungen im Newsblog\nNeue Allianz? Europäer reagieren auf die Drohung"
    sources = "Eigene Recherche\nfoxnews.com: Tanker evades US Coast Guard (Englisch)"
    kept, removed = _filtered(
        [
            BODY_PARAGRAPH,
            ("list", items, [OTHER, "https://news.example.org/b/3"], 70),
            ("list", sources, ["https://www.foxnews.com/world/x"], 50),
        ]
    )
    assert kept == [BODY_PARAGRAPH[1], sources]
    assert removed == [("promo", "promo:link-list")]


def test_breadcrumbs_and_date_strips_above_the_body_go():
    title = "Anti-terror op turns sinister: netizens being 'walled off'"
    crumbs = "News\nWorld News\nPakistan News\nAnti-terror op turns sinister: netizens being 'walled off'"
    strip = (
        "Veröffentlicht am 13. Mai 2026 um 15:44\n3 Minuten Lesezeit\nVon: Bill MCCARTHY\nÜbersetzung: AFP Deutschland"
    )
    steps = "Mix the flour\nAdd water\nBake for an hour"
    kept, removed = _filtered(
        [
            ("list", crumbs, [], 0),
            ("list", strip, [], 0),
            BODY_PARAGRAPH,
            ("list", "News\nWorld News\nPakistan News\nAnti-terror op turns sinister", [], 0),
            ("list", steps, [], 0),
        ],
        title=title,
    )
    assert kept == [BODY_PARAGRAPH[1], "News\nWorld News\nPakistan News\nAnti-terror op turns sinister", steps]
    assert removed == [("widget", "widget:breadcrumb"), ("metadata", "metadata:list")]


def test_menu_lines_opening_a_paragraph_are_cut_and_the_body_kept():
    title = "Newborns left in dustbins: the state tops the list again"
    menu = "Edition\nIN\nUS\nEnglish\nहिन्दी\nWeather\nSign In\nLive\nCity News\n" + title + "\nTrending"
    ingredients = (
        "2 eggs\n100 g flour\n1 cup milk\nA pinch salt\n2 tbsp sugar\n1 lemon\nButter\nJam\n" + BODY_PARAGRAPH[1]
    )
    kept, removed = _filtered(
        [
            ("paragraph", menu + "\n" + BODY_PARAGRAPH[1], [], 0),
            ("paragraph", "One\nTwo\nThree\n" + BODY_PARAGRAPH[1], [], 0),
            ("paragraph", ingredients, [], 0),
        ],
        title=title,
    )
    assert kept == [BODY_PARAGRAPH[1], "One\nTwo\nThree\n" + BODY_PARAGRAPH[1], ingredients]
    assert removed == [("widget", "widget:menu-lines")]


def _standfirst(body: str, description: str) -> list[str]:
    from cleaners.article import Block
    from cleaners.body import Candidate
    from cleaners.recover import recover_standfirst
    from cleaners.text import fold

    tree = lxml_html.document_fromstring(f"<html><body>{body}</body></html>")
    cands = [Candidate(Block("paragraph", text)) for text in SPLIT_BODY]
    recover_standfirst(list(tree.iter()), cands, Context(Options(), description=fold(description)))
    return [c.text for c in cands]


LEAD = "Rekordmånga ryska ballistiska missiler avfyras mot Ukraina."
LEAD_2 = "Zelenskyj medger att Kiev inte kan försvara sig – och vädjar om hjälp."


def test_the_standfirst_comes_back_indented_split_over_paragraphs_or_with_a_credit():
    indented = f"<h2>\n        {LEAD} {LEAD_2}\n    </h2>"
    assert _standfirst(indented, f"{LEAD} {LEAD_2}") == [f"{LEAD} {LEAD_2}", *SPLIT_BODY]
    split = f'<div class="lead"><p>{LEAD}</p><p>{LEAD_2}</p><p>Natten mot lördag bombades flera städer.</p></div>'
    assert _standfirst(split, f"{LEAD} {LEAD_2}") == [LEAD, LEAD_2, *SPLIT_BODY]
    assert _standfirst(f"<p>{LEAD} {LEAD_2}</p>", f"{LEAD} {LEAD_2} • Foto: Anna Berg/TT") == [
        f"{LEAD} {LEAD_2}",
        *SPLIT_BODY,
    ]
    assert _standfirst(f"<p>{LEAD}</p><p>Något helt annat.</p>", f"{LEAD} {LEAD_2}") == SPLIT_BODY


def test_a_lost_paragraph_may_link_a_few_words_but_not_be_mostly_link():
    linked = (
        'The opposition asked for an audit of the tender, saying <a href="/b/3">the price had doubled since</a> the '
        "first offer in 2022."
    )  # a quarter of the text linked
    promo = (
        '<a href="/b/4">Ferry fares frozen for a year while the new boats are being built</a> at the yard, '
        "the operator said."
    )
    body = (
        f'<article><div class="body"><p>{SPLIT_BODY[0]}</p><p>{SPLIT_BODY[1]}</p></div>'
        f'<div class="body"><p>{linked}</p><p>{promo}</p></div></article>'
    )
    assert _recovered(body, SPLIT_BODY) == [*SPLIT_BODY, LOST]


def test_lost_headings_keep_page_order_when_a_label_repeats():
    from cleaners.article import Block
    from cleaners.audit import text_elements
    from cleaners.body import Candidate
    from cleaners.recover import recover_lost

    body = (
        f'<div class="body"><p>{SPLIT_BODY[0]}</p><p>Read more</p><p>{SPLIT_BODY[1]}</p>'
        f"<p>Read more</p><h2>Audit asked</h2><p>{LOST}</p></div>"
    )
    tree = lxml_html.document_fromstring(f"<html><body>{body}</body></html>")
    cands = [Candidate(Block("paragraph", t)) for t in (SPLIT_BODY[0], "Read more", SPLIT_BODY[1], LOST)]
    recover_lost(text_elements(tree), cands, Context(Options(), url="https://news.example.org/a/1"), frozenset())
    assert [c.text for c in cands] == [SPLIT_BODY[0], "Read more", SPLIT_BODY[1], "Audit asked", LOST]


def test_pull_quotes_between_kept_blocks_come_back_as_quotes_and_embeds_or_repeats_do_not():
    from cleaners.article import Block
    from cleaners.audit import text_elements
    from cleaners.body import Candidate
    from cleaners.recover import recover_paragraphs

    quote = "Weil viele Männer im Krieg sterben und die Ressourcen zurückgehen, will Putin das System zusammenhalten."
    repeat = "Councillors said the new boats would arrive in spring next year, two years later than planned"
    tweet = "Landspout tornado northeast of Akron this afternoon, moving slowly east across the open fields #cowx"
    body = (
        f'<div><p>{SPLIT_BODY[0]}</p></div><figure><blockquote class="q"><p>{quote}</p><span>„</span></blockquote>'
        f"<figcaption>Nico Lange</figcaption></figure><blockquote><p>„{repeat}“</p></blockquote>"
        f'<blockquote class="twitter-tweet"><p>{tweet}</p></blockquote><div><p>{SPLIT_BODY[1]}</p></div>'
        f"<blockquote><p>{LOST}</p></blockquote>"
    )
    tree = lxml_html.document_fromstring(f"<html><body>{body}</body></html>")
    cands = [Candidate(Block("paragraph", text)) for text in SPLIT_BODY]
    recover_paragraphs(text_elements(tree), cands, Context(Options(), url="https://news.example.org/a/1"), frozenset())
    assert [(c.block.type, c.text) for c in cands] == [
        ("paragraph", SPLIT_BODY[0]),
        ("quote", quote),
        ("paragraph", SPLIT_BODY[1]),
    ]


def test_an_end_of_article_marker_inside_a_paragraph_cuts_what_follows():
    tail = "End of Article\nFollow Us On Social Media\nVideos\n1\n2\nHot Picks\nIPL Points Table"
    kept, removed = _filtered(
        [
            ("paragraph", BODY_PARAGRAPH[1] + "\n" + tail, [], 0),
            ("paragraph", "Das Ende des Artikels ist offen.\n" + BODY_PARAGRAPH[1], [], 0),
        ]
    )
    assert kept == [BODY_PARAGRAPH[1], "Das Ende des Artikels ist offen.\n" + BODY_PARAGRAPH[1]]
    assert removed == [("widget", "widget:menu-lines")]


def test_a_quote_repeating_a_kept_paragraph_is_a_pull_quote():
    said = (
        '"Ich werde die Spieler an ihrer Ehre packen, dass wir bis zum Schluss alles geben", sagte der '
        "Interimstrainer am Freitag."
    )
    kept, removed = _filtered(
        [
            BODY_PARAGRAPH,
            ("paragraph", said, [], 0),
            (
                "quote",
                "Ich werde die Spieler an ihrer Ehre packen, dass wir bis zum Schluss alles geben.Interimstrainer Uwe Schubert",
                [],
                0,
            ),
            (
                "quote",
                "“They have such anger and disdain that they can’t control it,” the organiser said at the rally.",
                [],
                0,
            ),
            ("quote", "Voted 7-2 on Monday.", [], 0),
        ]
    )
    assert kept == [
        BODY_PARAGRAPH[1],
        said,
        "“They have such anger and disdain that they can’t control it,” the organiser said at the rally.",
        "Voted 7-2 on Monday.",
    ]
    assert removed == [("other", "other:pull-quote")]


def test_a_lead_classed_element_under_the_title_is_the_standfirst_when_the_description_is_not_shown():
    lead = "Europas Banken wollen beim Zahlungsverkehr unabhängiger von US-Firmen wie Paypal oder Visa werden."
    header = (
        f'<div class="lead-image"><img src="/a.jpg"><span>Eine Bankfiliale in Frankfurt am Main im Winter '
        f'des vergangenen Jahres</span></div><div class="typo-intro">{lead}</div>'
    )
    page = f'<div class="site-lead">Die Nachrichten des Tages aus Frankfurt und der ganzen Welt</div><h1>Titel</h1>{header}'
    body = f"<p>{SPLIT_BODY[0]}</p><p>{SPLIT_BODY[1]}</p>"
    assert _standfirst(page + body, "Ganz andere Worte als die Seite zeigt, für die Vorschau in sozialen Netzen") == [
        lead,
        *SPLIT_BODY,
    ]
    after_body = f'<h1>Titel</h1><p>{SPLIT_BODY[0]}</p><div class="article-summary">{lead}</div><p>{SPLIT_BODY[1]}</p>'
    camel = f'<h1>Titel</h1><div class="storyLeadText">{lead}</div><div class="leaderboard">Werbung für alle Leser der Seite heute</div>'
    assert _standfirst(camel + body, "") == [lead, *SPLIT_BODY]
    assert _standfirst(after_body, "") == SPLIT_BODY


def test_screen_reader_notes_of_links_are_cut_from_the_text():
    de = "Quantumscape versprach ihren Investoren(öffnet im neuen Fenster) , zu denen VW gehörte, einen neuen Akku."
    en = "The full report (opens in a new window) lists every ferry route."
    fr = "Le rapport (s'ouvre dans une nouvelle fenêtre) détaille les tarifs."
    kept, removed = _filtered(
        [
            ("paragraph", de, [], 0),
            ("paragraph", en, [], 0),
            ("paragraph", fr, [], 0),
            ("paragraph", "The shop opens in a new window display next year.", [], 0),
        ]
    )
    assert kept == [
        "Quantumscape versprach ihren Investoren , zu denen VW gehörte, einen neuen Akku.",
        "The full report lists every ferry route.",
        "Le rapport détaille les tarifs.",
        "The shop opens in a new window display next year.",
    ]
    assert removed == [("widget", "widget:a11y-note")] * 3


def test_a_heading_repeating_the_descriptions_first_words_does_not_hide_the_standfirst():
    lead = "La rete di difesa stratificata del Norad attiva caccia americani e canadesi per monitorare i jet russi."
    tree = lxml_html.document_fromstring(
        f'<html><body><h1>Titolo</h1><p class="article__abstract">{lead}</p>'
        f"<p>{SPLIT_BODY[0]}</p><h2>La rete di difesa stratificata</h2><p>{SPLIT_BODY[1]}</p>"
        "</body></html>"
    )
    from cleaners.article import Block
    from cleaners.body import Candidate
    from cleaners.recover import recover_standfirst
    from cleaners.text import fold

    cands = [
        Candidate(Block("paragraph", SPLIT_BODY[0])),
        Candidate(Block("heading", "La rete di difesa stratificata")),
        Candidate(Block("paragraph", SPLIT_BODY[1])),
    ]
    recover_standfirst(list(tree.iter()), cands, Context(Options(), description=fold(lead)))
    assert [c.text for c in cands] == [lead, SPLIT_BODY[0], "La rete di difesa stratificata", SPLIT_BODY[1]]


def test_rule_lines_inside_a_merged_paragraph_are_cut_and_the_body_lines_kept():
    merged = (
        BODY_PARAGRAPH[1] + "\nAnzeige\nDer Rat soll im Mai über den neuen Zeitplan entscheiden."
        "\nRead more\nMost kolejowy zamknięty w nocy z soboty na niedzielę"
    )
    kept, removed = _filtered([("paragraph", merged, [], 0)])
    assert kept == [BODY_PARAGRAPH[1] + "\nDer Rat soll im Mai über den neuen Zeitplan entscheiden."]
    assert removed == [
        ("ad_marker", "ad_marker:de:label"),
        ("promo", "promo:en:box-title"),
        ("promo", "promo:titled-headline"),
    ]


def test_a_byline_run_into_a_relative_time_is_metadata_and_a_sentence_is_not():
    kept, removed = _filtered(
        [
            ("paragraph", "Dylan Jones5 hours ago", [], 0),
            BODY_PARAGRAPH,
            ("paragraph", "The ferry left the harbour 5 hours ago.", [], 0),
        ],
        author_names=("Dylan Jones",),
    )
    assert kept == [BODY_PARAGRAPH[1], "The ferry left the harbour 5 hours ago."]
    assert removed == [("metadata", "metadata:byline-date")]


def test_a_paragraph_between_two_kept_ones_comes_back_but_not_a_caption():
    caption = (
        "Displaced families queue for food from a charity kitchen in the north of the strip on Saturday, "
        "witnesses said."
    )
    body = (
        f'<div class="a"><p>{SPLIT_BODY[0]}</p></div><div class="b"><p>{LOST}</p></div>'
        f'<div class="c"><p>{SPLIT_BODY[1]}</p></div><div class="d"><p class="wp-caption-text">{caption}</p></div>'
        f'<div class="e"><p>{SPLIT_BODY[0]} Again.</p></div>'
    )
    assert _recovered(body, [SPLIT_BODY[0], SPLIT_BODY[1], SPLIT_BODY[0] + " Again."]) == [
        SPLIT_BODY[0],
        LOST,
        SPLIT_BODY[1],
        SPLIT_BODY[0] + " Again.",
    ]


def test_a_lost_heading_over_a_kept_div_paragraph_comes_back_before_it():
    from cleaners.article import Block
    from cleaners.audit import text_elements
    from cleaners.body import Candidate
    from cleaners.recover import recover_lost

    body = (
        f'<p>{SPLIT_BODY[0]}</p><div class="w"><h2><span>Wo liegt Iran im Vergleich?</span></h2></div>'
        f'<div class="t">{LOST}</div><div class="w"><h2>Mehr zu Iran</h2></div><div class="promo">Andere Seite</div>'
        f"<p>{SPLIT_BODY[1]}</p>"
    )
    tree = lxml_html.document_fromstring(f"<html><body>{body}</body></html>")
    cands = [Candidate(Block("paragraph", t)) for t in (SPLIT_BODY[0], LOST, SPLIT_BODY[1])]
    recover_lost(text_elements(tree), cands, Context(Options(), url="https://news.example.org/a/1"), frozenset())
    assert [c.text for c in cands] == [SPLIT_BODY[0], "Wo liegt Iran im Vergleich?", LOST, SPLIT_BODY[1]]


def test_a_closing_strip_of_tag_words_and_a_later_title_heading_go():
    title = "Isihluku kubulawa isaguga eMbali"
    kept, removed = _filtered(
        [
            BODY_PARAGRAPH,
            ("paragraph", "Ends", [], 0),
            BODY_PARAGRAPH,
            ("heading", title, [], 0),
            ("paragraph", "Edendale", [], 0),
            ("paragraph", "Msunduzi News", [], 0),
            ("paragraph", "uMgungundlovu", [], 0),
        ],
        title=title,
    )
    assert kept == [BODY_PARAGRAPH[1], "Ends", BODY_PARAGRAPH[1]]
    assert removed == [("metadata", "metadata:title-repeat")] + [("metadata", "metadata:tag-strip")] * 3
    kept, removed = _filtered(
        [
            BODY_PARAGRAPH,
            ("paragraph", "Mix the flour.", [], 0),
            ("paragraph", "Add water.", [], 0),
            ("paragraph", "Bake it.", [], 0),
        ]
    )
    assert removed == []


def test_a_lead_element_is_the_standfirst_even_when_the_description_is_a_body_sentence():
    lead = "Strong tornadoes are possible across the central states both Friday and Saturday, forecasters said."
    page = f'<h1>Storms</h1><h2 class="font--subhead">{lead}</h2><p>{SPLIT_BODY[0]}</p><p>{SPLIT_BODY[1]}</p>'
    assert _standfirst(page, SPLIT_BODY[1]) == [lead, *SPLIT_BODY]


def test_a_list_of_sentences_in_the_body_container_comes_back_and_a_menu_does_not():
    points = [
        "Die USA stellen den Betrieb des provisorischen Hafens an der Küste des Gazastreifens ein.",
        "Im Grenzgebiet zwischen Israel und Libanon ist es erneut zu einem heftigen Schusswechsel gekommen.",
    ]
    body = (
        f'<section class="container"><p>{SPLIT_BODY[0]}</p><h2>Das Wichtigste in Kürze:</h2>'
        f'<div class="box"><ul class="enumeration">{"".join(f"<li>{p}</li>" for p in points)}</ul></div>'
        '<ul><li><a href="/a">Politik</a></li><li><a href="/b">Sport</a></li><li><a href="/c">Kultur</a></li></ul>'
        f"<p>{SPLIT_BODY[1]}</p></section>"
    )
    from cleaners.article import Block
    from cleaners.audit import text_elements
    from cleaners.body import Candidate
    from cleaners.recover import recover_paragraphs

    tree = lxml_html.document_fromstring(f"<html><body>{body}</body></html>")
    cands = [Candidate(Block("paragraph", text)) for text in SPLIT_BODY]
    recover_paragraphs(text_elements(tree), cands, Context(Options(), url="https://news.example.org/a/1"), frozenset())
    assert [(c.block.type, c.text) for c in cands] == [
        ("paragraph", SPLIT_BODY[0]),
        ("list", "\n".join(points)),
        ("paragraph", SPLIT_BODY[1]),
    ]


PREFILTER_TEXTS = (
    "we and our partners use cookies to store and access information on a device",
    "sign up for our weekly newsletter to get the news in your inbox",
    "your privacy choices: do not sell or share my personal information",
    "abonnez-vous pour lire la suite de cet article",
    "the council said the road would reopen on monday after repairs to the bridge",
    "follow the latest news on google news",
    "wir und unsere 120 partner speichern informationen auf einem gerät",
    "",
)


def test_a_search_group_reduced_to_the_alternatives_a_text_allows_finds_the_same_rule():
    from cleaners.filters import _compiled

    for group in (g for g in _compiled() if g.match == "search"):
        for text in PREFILTER_TEXTS:
            whole = group.regex.search(text)
            reduced = group.search_regex(text)
            found = reduced.search(text) if reduced is not None else None
            assert (found.lastgroup if found else None) == (whole.lastgroup if whole else None), (group.match, text)


def test_the_anchor_pass_finds_a_text_holding_any_anchor_of_any_search_group():
    from cleaners.filters import _any_anchor, _compiled, _trie_pattern

    anchors = {a for g in _compiled() for a in g.anchors or ()}
    for text in PREFILTER_TEXTS + tuple(sorted(anchors)):
        assert (_any_anchor().search(text) is not None) == any(a in text for a in anchors), text
    assert re.fullmatch(_trie_pattern({"our", "ours", "other"}), "other")
    assert re.search(_trie_pattern({"our", "ours", "other"}), "yours").group() == "our"
    assert re.search(_trie_pattern(set()), "anything") is None


def test_phrase_rules_of_short_and_long_lines():
    from cleaners.filters import phrase_rule_for

    assert phrase_rule_for("- Advertisement -").id == "ad_marker:en:label"
    assert phrase_rule_for("Sign up for our newsletter").id == "newsletter:en:prompt"
    assert phrase_rule_for("The council said the road would reopen on Monday after repairs to the bridge.") is None


def test_strip_edges_keeps_a_text_between_letters_and_removes_punctuation_around_one():
    from cleaners.text import strip_edges

    assert strip_edges("Advertisement") == "Advertisement"
    assert strip_edges("- Advertisement -") == "Advertisement"
    assert strip_edges("_ad_") == "ad"
    assert strip_edges("«Anzeige»\n") == "Anzeige"
    assert strip_edges("2024 Ünïcode 9") == "2024 Ünïcode 9"


def test_text_of_reads_a_leaf_directly_and_a_parent_through_text_content():
    from cleaners.text import text_of

    tree = lxml_html.fromstring("<div><a href='/x'>Read the whole story</a><p>One <b>two</b> three</p><p></p></div>")
    link, para, empty = tree[0], tree[1], tree[2]
    assert [text_of(link), text_of(para), text_of(empty)] == ["Read the whole story", "One two three", ""]
    assert all(text_of(el) == el.text_content() for el in tree.iter())
