"""Link signals of multi-page articles: "view as one page" wordings per language, and page-number URL shapes."""

from __future__ import annotations

import re

#: link texts that offer the whole article on one page (folded text, searched), per language
ONE_PAGE_TEXTS: dict[str, tuple[str, ...]] = {
    "en": (
        r"\b(view|show|read|see|display)( the| this)?( whole| full| entire)?( article| story| page)?( all)? "
        r"(as|on|in) (a )?(one|single) page\b",
        r"\bsingle[- ]page view\b",
        r"\b(view|show) all pages\b",
        r"\ball on one page\b",
    ),
    "de": (r"\bauf einer seite( lesen| anzeigen)?\b", r"\balle seiten (anzeigen|lesen)\b", r"\beinseitige ansicht\b"),
    "fr": (r"\b(sur|en) une (seule )?page\b", r"\btout l'article sur une page\b"),
    "es": (r"\ben una (sola )?página\b", r"\bver todas las páginas\b"),
    "it": (r"\bin una (sola |unica )?pagina\b", r"\bpagina unica\b"),
    "pt": (r"\bem uma (só |única )?página\b", r"\bnuma (só |única )?página\b"),
    "nl": (r"\bop (één|een|1) pagina\b",),
    "pl": (r"\bna jednej stronie\b",),
}
ONE_PAGE_TEXT = re.compile("|".join(f"(?:{p})" for ps in ONE_PAGE_TEXTS.values() for p in ps))
#: query parameters and values that ask for the whole article (?page=all, ?view=all, ?single=1)
ONE_PAGE_QUERY = re.compile(
    r"(?:^|&)(?:page|view|pages|showall|single|singlepage|onepage)=(?:all|1|true|yes|single)(?:&|$)", re.IGNORECASE
)
#: query parameters that number the page of an article (?page=2, ?p=2, ?seite=2, ?pagina=2)
PAGE_PARAMS = ("page", "p", "pg", "seite", "pagina", "página", "strona", "sida", "pag")
#: path endings that number the page: /page/2/, /seite/2/, /2/ (group "n" is the number)
PAGE_PATH = re.compile(r"(?:/(?:page|seite|pagina|strona|sida|pag)[/-]?|/)(?P<n>\d{1,3})/?$", re.IGNORECASE)
MAX_PAGE_NUMBER = 100  # a larger trailing number is an article id, not a page
