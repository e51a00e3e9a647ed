"""Metadata rules as data: byline words, roles, agencies, title separators, time-zone names."""
from __future__ import annotations

import re

# "By Jane Doe", "Von Hans Muster", "Par Jean Dupont", "Por Ana Pérez", "Di Marco Rossi", "Door Jan Jansen"
BYLINE_PREFIX = re.compile(
    r"^(?:(?:view|see|read|show)\s+)?(?:(?:all|more)\s+)?(?:(?:posts|articles|stories|artikel|beiträge|articles)\s+)?"
    r"(?:(?:written|posted|reported|text|texte?|story|words|photos?)\s+)?"
    r"(?:by|von|vom|par|por|door|przez|от|autor(?:in)?|author|auteur|author\(s\)|"
    r"verfasst von|geschrieben von|ein beitrag von|ein kommentar von|ein gastbeitrag von|"
    r"text|texte|escrito por|publicado por)\s*:?\s+",
    re.IGNORECASE,
)
WITH_PREFIX = re.compile(r"^(?:with|avec|mit|con|com|met|med|and|und|et|y)\s+", re.IGNORECASE)   # "avec AFP"
BYLINE_PREFIX_LOWER = re.compile(r"^(?:de|di|da|av|af)\s+")   # only in lower case: "De Niro" is a name

# words joining two names: "Jane Doe and John Roe", "Anna und Ben", "Ana y Juan", "Jean et Marie"
JOINERS = re.compile(r"\s*(?:,|;|\||/|\s&\s|\s(?:and|und|y|e|et|en|og|och|i|und|an?d)\s)\s*", re.IGNORECASE)

# job titles and roles that are not part of a name (case-folded, whole words)
ROLE_WORDS = frozenset("""
staff writer writers reporter reporterin correspondent correspondente correspondant korrespondent korrespondentin
editor editors editorin redakteur redakteurin redaktion redaction rédaction redacción redazione chefredakteur
chefredakteurin autor autorin author auteur autore autora journalist journalistin journaliste periodista
giornalista columnist kolumnist kolumnistin contributor contributing senior deputy chief managing political
political-editor science business sports sport news desk team online digital newsdesk photographer fotograf
fotografin photos photo fotos foto video producer moderator moderatorin host analyst expert expertin professor
professorin profesorius freelance freier freie mitarbeiter mitarbeiterin volontär volontärin
special envoy envoyé envoyée spécial spéciale enviado enviada especial inviato inviata corrispondente
기자 특파원 선임기자 전문기자 객원기자 인턴기자 수습기자 논설위원 편집위원 앵커 記者 特派員 編集委員 論説委員 记者 特派记者 编辑
""".split())

# words that mark a byline part as an organisation or agency, not a person
AGENCIES = frozenset("""
reuters ap afp dpa apa sda ats ansa efe epa kna epd kyodo xinhua tass itar-tass ria interfax pa bloomberg
upi aap anp belga tt ntb ritzau stt ctk pap mti hina bta agerpres lusa anadolu yonhap ani pti ians
afp-jiji jiji cnn bbc ard zdf orf srf mdr ndr wdr swr br rbb hr sr dlf
""".split())
ORG_WORDS = frozenset("""
agency agence agentur agencia agenzia press presse prensa stampa news nachrichten redaktion redaction
rédaction redacción redazione newsroom staff team agenturen agencies agences agencias agenzie desk online digital media medien group gruppe verlag
zeitung times post herald tribune journal gazette daily news.com wire newswire service services
""".split())

# a byline part that is a date, an e-mail, a URL, a time or a reading-time note
NOT_A_NAME = re.compile(
    r"@|https?://|www\.|\.(?:com|org|net|de|fr|uk|ch|at|it|es|nl|lt|pl)\b|\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|"
    r"\b\d{1,2}:\d{2}\b|\b(?:min(?:ute)?s?|minuten|lesezeit|read|updated|aktualisiert|published|veröffentlicht)\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}\b|\b\d{1,2}\.? (?:jan|feb|mär|mar|apr|mai|may|"
    r"jun|jul|aug|sep|okt|oct|nov|dez|dec)|^(?:bild|foto|fotos|photo|image|credit|quelle|source|copyright)\s*:|"
    r"\b(?:mehr|more|infos?|alle|all|anzeigen|follow|folgen|profile?|kontakt|contact|e-mail|email|twitter|newsletter)\b",
    re.IGNORECASE,
)
CREDIT = re.compile(r"^(?:bild|bilder|foto|fotos|photo|photos|image|images|credit|credits|quelle|source|copyright|©)\s*:",
                    re.IGNORECASE)
PARENTHESES = re.compile(r"\s*[(\[][^)\]]*[)\]]")
MAX_NAME_WORDS = 5          # longer parts are bios or role descriptions, not names
MAX_AUTHORS = 12            # more "authors" than this is a list of something else

# separators between a headline and a site name or section in <title> and og:title
TITLE_SEPARATOR = re.compile(r"\s+[|\-–—·•:/»«~]\s+|\s*[|ㅣ｜：]\s*|\s+::\s+|:\s+")

# zone names a page may give without an offset (converted to UTC), hours east of UTC
ZONE_OFFSETS = {
    "utc": 0, "gmt": 0, "z": 0, "ut": 0, "wet": 0, "west": 1, "bst": 1, "cet": 1, "cest": 2, "met": 1,
    "mest": 2, "mez": 1, "mesz": 2, "eet": 2, "eest": 3, "msk": 3, "est": -5, "edt": -4, "cst": -6,
    "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7, "akst": -9, "akdt": -8, "hst": -10,
    "jst": 9, "kst": 9, "hkt": 8, "sgt": 8, "aest": 10, "aedt": 11, "acst": 9.5, "awst": 8, "nzst": 12,
    "nzdt": 13, "sast": 2, "wat": 1, "cat": 2, "eat": 3,
}

# meta tags naming the author, the dates and other fields, in priority order
META_AUTHOR = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator",
               "citation_author", "byl", "twitter:misc:written by", "twitter:misc:geschrieben von")
PREFIX_WORDS = frozenset(("by", "von", "par", "por", "de", "door", "av", "af", "di", "da", "autor", "author", "auteur"))
META_PUBLISHED = ("article:published_time", "og:article:published_time", "datepublished", "date", "pubdate",
                  "publishdate", "publish-date", "publication_date", "dc.date.issued", "dcterms.issued",
                  "dc.date", "dcterms.created", "parsely-pub-date", "sailthru.date", "citation_publication_date",
                  "article.published", "published_time", "cxenseparse:recs:publishtime", "date.available")
META_MODIFIED = ("article:modified_time", "og:article:modified_time", "og:updated_time", "datemodified",
                 "last-modified", "dcterms.modified", "dc.date.modified", "article.updated", "modified_time",
                 "lastmod")
