"""Article or not: generic URL-shape rules and page signals (og:type, JSON-LD @type, sitemap/feed membership)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

ARTICLE = "article"  # emit: hand the page to the cleaner
LISTING = "listing"  # crawl for links, never emit
UNKNOWN = "unknown"  # no signal either way: the cleaner's verdict decides, with a higher bar

#: (rule id, path segment names) that make a page a non-article whatever else it says; matched per segment
SEGMENT_RULES: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "tag",
        frozenset(
            {
                "tag",
                "tags",
                "topic",
                "topics",
                "label",
                "labels",
                "schlagwort",
                "etiqueta",
                "etiquetas",
                "tema",
                "temas",
                "thema",
                "themen",
                "sujet",
                "mot-cle",
                "emneord",
                "trefwoord",
            }
        ),
    ),
    (
        "author",
        frozenset(
            {
                "author",
                "authors",
                "autor",
                "autores",
                "autoren",
                "auteur",
                "auteurs",
                "autore",
                "people",
                "person",
                "profile",
                "profiles",
                "staff",
                "journalist",
                "journalists",
                "contributor",
                "contributors",
                "forfatter",
                "redacteur",
                "user",
                "users",
                "members",
            }
        ),
    ),
    (
        "category",
        frozenset(
            {
                "category",
                "categories",
                "categoria",
                "categorias",
                "kategorie",
                "categorie",
                "section",
                "sections",
                "rubrik",
                "rubrique",
                "kategori",
                "seccion",
                "sezione",
            }
        ),
    ),
    ("search", frozenset({"search", "suche", "recherche", "buscar", "busca", "zoeken", "sok", "cerca"})),
    ("archive", frozenset({"archive", "archives", "archiv", "archivo", "archief", "sitemap"})),
    ("feed", frozenset({"feed", "feeds", "rss", "atom"})),
)

#: (rule id, whole-path regex) for pages a site has once: about, contact, legal, login
PATH_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "about",
        re.compile(
            r"^/(?:about|about-us|who-we-are|team|our-team|impressum|imprint|ueber-uns|a-propos|"
            r"quienes-somos|chi-siamo|over-ons|om-oss|sobre|mission|masthead|ethics|corrections)"
            r"(?:/|\.html?)?$",
            re.I,
        ),
    ),
    (
        "contact",
        re.compile(
            r"^/(?:contact|contact-us|kontakt|contacto|contatti|contato|contactez-nous|advertise|"
            r"tips|newsletter|subscribe|donate)(?:/|\.html?)?$",
            re.I,
        ),
    ),
    (
        "legal",
        re.compile(
            r"^/(?:privacy|privacy-policy|terms|terms-of-service|terms-of-use|cookies?|cookie-policy|"
            r"legal|datenschutz|disclaimer|accessibility)(?:/|\.html?)?$",
            re.I,
        ),
    ),
    (
        "account",
        re.compile(
            r"^/(?:login|log-in|signin|sign-in|register|signup|account|my-account|wp-login\.php|"
            r"wp-admin)(?:/|$)",
            re.I,
        ),
    ),
    ("pagination", re.compile(r"/(?:page|seite|pagina|pagine|side)/\d+/?$", re.I)),
    ("date_archive", re.compile(r"^/(?:\d{4})(?:/\d{1,2}){0,2}/?$")),
    ("home", re.compile(r"^/?$")),
)

#: query parameters that make a URL a listing (search results, paginated lists)
QUERY_RULES: tuple[tuple[str, frozenset[str]], ...] = (
    ("search", frozenset({"s", "q", "query", "search", "keyword", "keywords"})),
    ("pagination", frozenset({"page", "paged", "pg", "offset", "start"})),
)

#: files that are never pages
ASSET = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|ico|bmp|tiff?|avif|pdf|zip|gz|tgz|rar|7z|mp3|mp4|m4a|ogg|wav|"
    r"webm|mov|avi|css|js|json|xml|rss|atom|woff2?|ttf|eot|exe|dmg|apk|docx?|xlsx?|pptx?|csv)$",
    re.I,
)

#: URL shapes of article pages: a date in the path, a long numeric id, a slug of several words
DATE_PATH = re.compile(r"/(?:19|20)\d{2}[/-](?:0?[1-9]|1[0-2])(?:[/-](?:0?[1-9]|[12]\d|3[01]))?[/-][^/]+")
NUMERIC_ID = re.compile(r"(?:^|[/_-])\d{5,}(?:\.html?|\.php|\.aspx?)?/?$")
SLUG_MIN_WORDS = 3  # a final path segment of at least this many hyphen/underscore words is an article slug

#: og:type values, lower-case
OG_ARTICLE = frozenset({"article", "news", "blog", "newsarticle"})
OG_NOT_ARTICLE = frozenset({"website", "profile", "book", "music.song", "video.other", "product"})
#: JSON-LD @type values (lower-case) of article pages and of pages that are never articles
LD_ARTICLE = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "scholarlyarticle",
        "techarticle",
        "report",
        "liveblogposting",
        "socialmediaposting",
        "posting",
    }
)
LD_NOT_ARTICLE = frozenset(
    {
        "collectionpage",
        "profilepage",
        "aboutpage",
        "contactpage",
        "searchresultspage",
        "itemlist",
        "faqpage",
        "checkoutpage",
        "realestatelisting",
        "mediagallery",
    }
)


#: (rule id, weight) of the page signals that make up the article score, strongest first within a sign. A
#: URL rule (tag, author, about ...) decides alone; no signal here does: og:type website and a JSON-LD
#: WebPage lower the score, yet a page a sitemap or feed lists under an article-shaped URL stays an article.
SCORE_RULES: tuple[tuple[str, int], ...] = (
    ("jsonld_type", 4),  # JSON-LD NewsArticle, BlogPosting, Report ...
    ("og_type", 3),  # og:type article (news, blog)
    ("listed", 2),  # listed by a sitemap or feed of the site
    ("url_date", 2),  # /2025/05/02/slug/
    ("url_id", 2),  # a long numeric id at the end of the path
    ("url_slug", 2),  # a last path segment of several words
    ("jsonld_listing", -3),  # CollectionPage, ProfilePage, ItemList ...
    ("og_not_article", -2),  # og:type profile, book, product, video ...
    ("og_website", -1),  # og:type website: many CMSs give it to every page, articles included
    ("jsonld_webpage", -1),  # a JSON-LD WebPage and no article node
    ("section", -1),  # one short path segment: /world/, /business-news/
)
WEIGHTS = dict(SCORE_RULES)
ARTICLE_SCORE = 2  # at or above: an article
LISTING_SCORE = -1  # at or below: a listing (crawled for links); between: unknown, the cleaner decides


@dataclass(frozen=True)
class Verdict:
    """The decision for one URL or page: its kind, the rule that decided it (the strongest signal on the
    winning side, or a URL rule), the score and every signal rule that fired."""

    kind: str
    reason: str
    score: int = 0
    rules: tuple[str, ...] = ()

    @property
    def emit(self) -> bool:
        return self.kind != LISTING


def _segments(path: str) -> list[str]:
    return [unquote(s).lower() for s in path.split("/") if s]


def url_rule(url: str) -> str | None:
    """The id of the non-article rule a URL matches (tag, author, about, pagination, ...), or None."""
    parts = urlsplit(url)
    path = parts.path or "/"
    segments = _segments(path)
    if not (DATE_PATH.search(path) or NUMERIC_ID.search(path)):  # /news/people/2024/05/x is an article
        for rule_id, names in SEGMENT_RULES:
            if any(seg in names for seg in segments[:-1] or segments):
                return rule_id
    keys = {k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    for rule_id, names in QUERY_RULES:
        if keys & names:
            return rule_id
    for rule_id, pattern in PATH_RULES:
        if pattern.search(path) and not (rule_id == "home" and parts.query):  # /?p=123 is a post
            return rule_id
    return None


def is_asset(url: str) -> bool:
    """Links to images, documents, scripts and feeds: never fetched as pages."""
    return bool(ASSET.search(urlsplit(url).path))


def url_shape(url: str) -> str | None:
    """'date', 'id' or 'slug' when the URL looks like an article's, else None."""
    path = urlsplit(url).path
    if DATE_PATH.search(path):
        return "date"
    if NUMERIC_ID.search(path):
        return "id"
    segments = _segments(path)
    if segments:
        last = re.sub(r"\.(?:html?|php|aspx?)$", "", segments[-1])
        if len([w for w in re.split(r"[-_]+", last) if w]) >= SLUG_MIN_WORDS:
            return "slug"
    return None


def is_section_like(url: str) -> bool:
    """One short path segment of one or two words and no query (/world/, /business-news/): a section front."""
    parts = urlsplit(url)
    segments = _segments(parts.path)
    return (
        not parts.query
        and len(segments) == 1
        and not re.search(r"\d", segments[0])
        and len(re.split(r"[-_]+", segments[0])) <= 2
    )


def ld_types(scripts: Iterable[str]) -> set[str]:
    """Every JSON-LD @type (lower-case) in the given <script type="application/ld+json"> texts, @graph included."""
    found: set[str] = set()
    for text in scripts:
        try:
            data = json.loads(text)
        except (ValueError, TypeError):
            continue
        _collect_types(data, found, depth=0)
    return found


def _collect_types(node, found: set[str], depth: int) -> None:
    if depth > 3:
        return
    if isinstance(node, list):
        for child in node:
            _collect_types(child, found, depth + 1)
    elif isinstance(node, dict):
        kind = node.get("@type")
        for value in kind if isinstance(kind, list) else [kind]:
            if isinstance(value, str):
                found.add(value.lower())
        if "@graph" in node:
            _collect_types(node["@graph"], found, depth + 1)


def signals(url: str, og_type: str | None = None, types: Iterable[str] = (), listed: bool = False) -> tuple[str, ...]:
    """The SCORE_RULES ids that fire for a page, in table order."""
    types = {t.lower() for t in types}
    og = (og_type or "").strip().lower()
    shape = url_shape(url)
    fired = {
        "jsonld_type": bool(types & LD_ARTICLE),
        "og_type": og in OG_ARTICLE,
        "listed": listed,
        "url_date": shape == "date",
        "url_id": shape == "id",
        "url_slug": shape == "slug",
        "jsonld_listing": bool(types & LD_NOT_ARTICLE),
        "og_not_article": og in OG_NOT_ARTICLE and og != "website",
        "og_website": og == "website",
        "jsonld_webpage": "webpage" in types and not types & LD_ARTICLE,
        "section": shape is None and is_section_like(url),
    }
    return tuple(rule for rule, _ in SCORE_RULES if fired[rule])


def decide(url: str, og_type: str | None = None, types: Iterable[str] = (), listed: bool = False) -> Verdict:
    """Article or not: a URL rule decides alone; otherwise the summed weights of the page's signals (URL shape,
    og:type, JSON-LD types, sitemap/feed membership `listed`), named by the strongest one on the winning side."""
    rule = url_rule(url)
    if rule:
        return Verdict(LISTING, rule)
    fired = signals(url, og_type, types, listed)
    score = sum(WEIGHTS[r] for r in fired)
    if score >= ARTICLE_SCORE:
        kind, side = ARTICLE, [r for r in fired if WEIGHTS[r] > 0]
    elif score <= LISTING_SCORE:
        kind, side = LISTING, [r for r in fired if WEIGHTS[r] < 0]
    else:
        return Verdict(UNKNOWN, "no_signal" if not fired else "weak_signals", score, fired)
    return Verdict(kind, max(side, key=lambda r: abs(WEIGHTS[r])), score, fired)
