"""Access rules as data: what marks a page as a bot challenge, consent wall, login wall, paywall or script shell.

Each rule has a stable id (`<state>:<vendor or lang>:<name>`) that a record's `provenance.access.rule`
and a reject line name as evidence, and says where it looks:

  header:NAME  the value of one HTTP response header (lower-case name)
  title        the <title> text
  markup       the raw HTML source (script sources, form targets, inline configuration): plain substrings
  text         the text a reader sees (outside scripts, styles, templates and <noscript>)
  noscript     the text of <noscript> elements ("enable JavaScript" notices)
  element      class and id attributes of the elements of <body>
  mount        the id of an element a script fills (`<div id="root"></div>`), empty of text
  url          the page's final URL (a redirect to a sign-in page)

`max_words` bounds the visible words of a page a rule applies to (challenge, consent and login pages
hold little text of their own; an article that merely quotes the words is never taken). Patterns are
regular expressions matched case-insensitively (compiled in lower case and matched against lower-cased text:
one lower-casing per page instead of case-folding at every position of every search).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

STATES = ("ok", "paywall", "consent_wall", "bot_challenge", "login_wall", "js_shell")
#: states whose page is never emitted as an article (a paywalled or sign-in teaser is emitted, truncated)
BLOCKING_STATES = frozenset({"consent_wall", "bot_challenge", "js_shell"})

CHALLENGE_MAX_WORDS = 250  # a challenge or block page: a sentence or two, a reference number, a footer
CONSENT_MAX_WORDS = 400  # a consent wall: the dialog's text (purposes, vendors) and little else
LOGIN_MAX_WORDS = 250  # a sign-in wall: the form, a prompt, perhaps a teaser sentence
SHELL_MAX_WORDS = 40  # an application shell: a "Loading..." line at most
PAYWALL_MAX_WORDS = 400  # a body this short beside a paywall marker or prompt is a teaser cut short
CONSENT_MIN_PHRASES = (
    3  # distinct consent phrases on a consent wall (a cookie banner says "we use cookies, accept all")
)
WEAK_BODY_WORDS = 150  # an extracted body this short holding a consent phrase is the consent text, not an article
TEXT_GUARD_WORDS = 50  # an extracted body this long, without the state's words, overrules a rule that is not firm


@dataclass(frozen=True)
class AccessRule:
    """One sign of an access state: where to look, what to find, on pages of how many visible words."""

    id: str
    state: str
    where: str  # header:NAME | title | markup | text | noscript | element | mount | url
    pattern: str  # a regular expression (unused by rules with `needles`)
    max_words: int | None = None
    needles: tuple[str, ...] = ()  # markup, element: substrings (of the source, of a class or id); mount: exact ids
    firm: bool = False  # a vendor's own marker: an extracted body never overrules it
    min_matches: int = 1  # text: distinct phrases the page must hold (a consent wall says many things, a banner two)
    dominant: bool = False  # element: the element must hold at least half of the page's visible words
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"access rule {self.id}: unknown state {self.state!r}")
        if re.search(r"\\[SWDBAZ]", self.pattern):
            raise ValueError(f"access rule {self.id}: upper-case escapes do not survive lower-casing")
        object.__setattr__(self, "regex", re.compile(self.pattern.lower()))
        object.__setattr__(self, "needles", tuple(n.lower() for n in self.needles))


def _rule(id_: str, state: str, where: str, *patterns: str, max_words: int | None = None) -> AccessRule:
    return AccessRule(id_, state, where, "(?:" + "|".join(patterns) + ")", max_words, firm=_firm(id_, where))


def _elements(
    id_: str, state: str, where: str, needles: tuple[str, ...], max_words: int | None, dominant: bool = False
) -> AccessRule:
    return AccessRule(id_, state, where, "", max_words, needles, firm=_firm(id_, where), dominant=dominant)


def _firm(id_: str, where: str) -> bool:
    """Headers, and the titles and markup of a named vendor's challenge pages, are firm evidence."""
    return where.startswith("header:") or (
        id_.startswith("bot_challenge:") and ":generic:" not in id_ and where in ("title", "markup")
    )


def _per_language(
    state: str, where: str, name: str, table: dict[str, tuple[str, ...]], max_words: int | None, min_matches: int = 1
) -> list[AccessRule]:
    return [
        AccessRule(
            f"{state}:{lang}:{name}", state, where, "(?:" + "|".join(patterns) + ")", max_words, min_matches=min_matches
        )
        for lang, patterns in table.items()
    ]


C = "bot_challenge"
CW = CHALLENGE_MAX_WORDS

# Challenge and block pages of CDNs and WAFs, whatever the HTTP status (200, 202, 403, 429, 503).
CHALLENGE_RULES: list[AccessRule] = [
    # headers the vendors set on the challenge response itself (never on the pages they let through)
    _rule("bot_challenge:cloudflare:header", C, "header:cf-mitigated", r"challenge"),
    _rule("bot_challenge:aws_waf:header", C, "header:x-amzn-waf-action", r"challenge|captcha"),
    _rule("bot_challenge:vercel:header", C, "header:x-vercel-mitigated", r"challenge|deny"),
    _rule("bot_challenge:kasada:header", C, "header:x-kpsdk-ct", r"."),
    _rule("bot_challenge:sucuri:header", C, "header:x-sucuri-block", r"."),
    _rule("bot_challenge:akamai:header", C, "header:akamai-grn", r".", max_words=CW),  # on Akamai's error pages
    # Cloudflare
    _rule(
        "bot_challenge:cloudflare:title",
        C,
        "title",
        r"^\s*just a moment\.{3}",
        r"^\s*attention required! \| cloudflare",
        r"^\s*one more step",
        max_words=CW,
    ),
    _elements(
        "bot_challenge:cloudflare:markup",
        C,
        "markup",
        ("_cf_chl_opt", "/cdn-cgi/challenge-platform/h/", "cf-browser-verification", "cf-error-details", "cf_chl_prog"),
        CW,
    ),
    # Akamai (Access Denied pages with a reference number; Bot Manager's interstitials)
    _elements(
        "bot_challenge:akamai:markup",
        C,
        "markup",
        ("errors.edgesuite.net", "/_sec/cp_challenge/", "bm-verify", "sec-if-cpt-container"),
        CW,
    ),
    _rule(
        "bot_challenge:akamai:text",
        C,
        "text",
        r"you don't have permission to access .{0,200} on this server\.? ?reference ?#",
        max_words=CW,
    ),
    # DataDome
    _elements("bot_challenge:datadome:markup", C, "markup", ("captcha-delivery.com",), CW),
    # PerimeterX / HUMAN
    _elements(
        "bot_challenge:perimeterx:markup",
        C,
        "markup",
        ("px-captcha", "_pxappid", "captcha.px-cdn.net", "/captcha/captcha.js?a=c&u="),
        CW,
    ),
    _rule("bot_challenge:perimeterx:text", C, "text", r"press (&|and) hold to confirm you are", max_words=CW),
    _rule("bot_challenge:perimeterx:title", C, "title", r"^\s*access to this page has been denied", max_words=CW),
    # Imperva / Incapsula
    _elements(
        "bot_challenge:imperva:markup", C, "markup", ("_incapsula_resource", "incapsula incident id", "reese84"), CW
    ),
    # Sucuri
    _elements("bot_challenge:sucuri:markup", C, "markup", ("sucuri_cloudproxy_js", "sucuri website firewall"), CW),
    # AWS WAF
    _elements(
        "bot_challenge:aws_waf:markup",
        C,
        "markup",
        ("awswafcookiedomainlist", "gokuprops", ".token.awswaf.com", ".captcha.awswaf.com"),
        CW,
    ),
    # Kasada, DDoS-Guard, Radware, Vercel, F5 / Shape
    _elements("bot_challenge:kasada:markup", C, "markup", ("kpsdk", "/149e9513-01fa-4fb0-aad4-566afd725d1b/"), CW),
    _elements("bot_challenge:ddos_guard:markup", C, "markup", ("check.ddos-guard.net", "ddos-guard.net/"), CW),
    _rule("bot_challenge:ddos_guard:title", C, "title", r"^\s*ddos-guard", max_words=CW),
    _elements("bot_challenge:radware:markup", C, "markup", ("perfdrive.com", "radware bot manager"), CW),
    _rule("bot_challenge:vercel:title", C, "title", r"^\s*vercel security checkpoint", max_words=CW),
    _rule(
        "bot_challenge:f5:text",
        C,
        "text",
        r"the requested url was rejected\. please consult with your administrator",
        max_words=CW,
    ),
    # "Pardon Our Interruption" (Distil, Imperva ABP), generic captcha widgets on a page with nothing else
    _rule(
        "bot_challenge:generic:title",
        C,
        "title",
        r"^\s*pardon our interruption",
        r"^\s*are you a robot\??\s*$",
        r"^\s*bot (check|verification)",
        r"^\s*security check(point)?\s*$",
        r"^\s*checking your browser",
        max_words=CW,
    ),
    _elements(
        "bot_challenge:generic:captcha",
        C,
        "markup",
        (
            "g-recaptcha",
            "h-captcha",
            "hcaptcha.com/1/api",
            "recaptcha/api.js",
            "cf-turnstile",
            "challenges.cloudflare.com/turnstile",
        ),
        80,
    ),
    *_per_language(
        C,
        "text",
        "verify_human",
        {
            "en": (
                r"verify(ing)? (that )?you are (a )?human",
                r"are you a robot\?",
                r"checking (if the site connection is secure|your browser before)",
                r"unusual traffic from your (computer )?network",
                r"needs to review the security of your connection",
                r"enable javascript and cookies to continue",
                r"please complete the security check",
                r"we('ve| have) detected unusual activity",
                r"confirm (that )?you('re| are) not a robot",
            ),
            "de": (
                r"(bestätigen|überprüfen|prüfen) sie, dass sie ein mensch sind",
                r"(überprüfung|bestätigung), (dass|ob) sie ein mensch sind",
                r"sind sie ein roboter\?",
                r"kein roboter sind",
                r"ungewöhnliche(n)? (zugriffe|aktivitäten|datenverkehr)",
                r"javascript und cookies aktivieren, um fortzufahren",
                r"überprüfung ihres browsers",
            ),
            "fr": (
                r"vérifi(ez|ons|cation) (que|si) vous êtes (un )?(être )?humain",
                r"êtes-vous un robot\s?\?",
                r"vous n'êtes pas un robot",
                r"activer javascript et les cookies pour continuer",
                r"trafic inhabituel",
            ),
            "es": (
                r"verifi(ca|que|cando|car) (que|si) (usted )?eres (un )?(ser )?humano",
                r"verificando que usted es un ser humano",
                r"¿eres un robot\?",
                r"no eres un robot",
                r"habilita javascript y las cookies para continuar",
                r"tráfico inusual",
            ),
            "it": (
                r"verifica (di essere|che sei) (un )?(essere )?umano",
                r"sei un robot\s?\?",
                r"non sei un robot",
                r"abilita javascript e i cookie per continuare",
                r"traffico insolito",
            ),
            "pt": (
                r"verifi(que|cando|car) (se|que) (você )?é (um )?(ser )?humano",
                r"você é um robô\s?\?",
                r"não é um robô",
                r"ative o javascript e os cookies para continuar",
                r"tráfego incomum",
            ),
            "nl": (
                r"verifi(ëren|eer) (dat|of) (u|je) een mens bent",
                r"controleer(en)? of (u|je) een mens bent",
                r"ben (je|u) een robot\?",
                r"geen robot bent",
                r"schakel javascript en cookies in om door te gaan",
                r"ongebruikelijk verkeer",
            ),
        },
        max_words=CW,
    ),
]

# Consent walls: the page is a consent dialog (cookie/pay-or-consent), its article not delivered.
CONSENT_RULES: list[AccessRule] = [
    _rule(
        "consent_wall:url:consent_host",
        "consent_wall",
        "url",
        r"^https?://(consent|guce|myprivacy|privacy)\.[^/]+/",
        r"[?&/]consent(form|-?page|wall)\b",
        max_words=CONSENT_MAX_WORDS,
    ),
    _elements(
        "consent_wall:markup:consent_form",
        "consent_wall",
        "markup",
        (
            'action="https://consent.',
            "action='https://consent.",
            "consent.yahoo.com",
            "consent.google.",
            "consent.youtube.com",
            "guce.yahoo.com",
            "contentpass",
        ),
        CONSENT_MAX_WORDS,
    ),
    _elements(
        "consent_wall:element:cmp_dialog",
        "consent_wall",
        "element",
        (
            "onetrust-banner-sdk",
            "onetrust-consent-sdk",
            "didomi-host",
            "didomi-popup",
            "qc-cmp2-container",
            "sp_message_container",
            "CybotCookiebotDialog",
            "usercentrics-root",
            "truste-consent",
            "cmpbox",
            "cmpwrapper",
            "consent-wall",
            "consentwall",
            "cookiewall",
            "cookie-wall",
            "fc-consent-root",
        ),
        CONSENT_MAX_WORDS,
        dominant=True,
    ),
    *_per_language(
        "consent_wall",
        "text",
        "prompt",
        {
            "en": (
                r"we value your privacy",
                r"we (and our (\d+ )?partners )?(use|store and/or access) (cookies|information on a device)",
                r"before you continue to",
                r"accept all( cookies)?",
                r"reject all( cookies)?",
                r"manage (your )?(cookie|privacy) (settings|preferences|choices)",
                r"by clicking [\"“]?(accept|i agree|agree)",
                r"your privacy choices",
                r"this (web)?site uses cookies",
                r"we need your consent",
                r"consent to (the use of )?(cookies|personal data)",
            ),
            "de": (
                r"wir verwenden cookies",
                r"(wir|diese (web)?seite) (und unsere partner )?(nutzen|verwenden|speichern) (cookies|informationen)",
                r"alle akzeptieren",
                r"alle ablehnen",
                r"zustimmen und weiter",
                r"akzeptieren und weiter",
                r"einwilligung",
                r"ihre privatsphäre ist uns wichtig",
                r"mit werbung (weiter)?lesen",
                r"werbefrei (weiter)?lesen",
                r"pur[- ]abo",
                r"datenschutz-?einstellungen",
            ),
            "fr": (
                r"nous utilisons des cookies",
                r"(nous|ce site) (et nos partenaires )?(utilis|stock)(ons|e|ent) des (cookies|informations)",
                r"tout accepter",
                r"tout refuser",
                r"accepter et (continuer|fermer)",
                r"votre consentement",
                r"vos choix (concernant les cookies|en matière de cookies)",
                r"respect de votre vie privée",
                r"paramétrer les cookies",
            ),
            "es": (
                r"utilizamos cookies",
                r"(nosotros|este sitio( web)?) (y nuestros socios )?(utiliza|usa|almacena)(mos)? (cookies|información)",
                r"aceptar todas?",
                r"rechazar todas?",
                r"aceptar y (continuar|cerrar)",
                r"tu consentimiento",
                r"tu privacidad",
                r"configuración de cookies",
            ),
            "it": (
                r"utilizziamo (i )?cookie",
                r"(noi|questo sito) (e i nostri partner )?(utilizz|memorizz)(iamo|a) (cookie|informazioni)",
                r"accetta tutti",
                r"rifiuta tutti",
                r"accetta e (continua|chiudi)",
                r"il tuo consenso",
                r"la tua privacy",
                r"gestisci (le )?preferenze",
            ),
            "pt": (
                r"(utilizamos|usamos) cookies",
                r"(nós|este site) (e os nossos parceiros )?(utiliza|usa|armazena)(mos)? (cookies|informações)",
                r"aceitar todos",
                r"rejeitar todos",
                r"aceitar e (continuar|fechar)",
                r"o seu consentimento",
                r"seu consentimento",
                r"a sua privacidade",
                r"sua privacidade",
                r"gerir (as )?preferências",
            ),
            "nl": (
                r"wij gebruiken cookies",
                r"we gebruiken cookies",
                r"(wij|deze (web)?site) (en onze partners )?(gebruik|sla)(en|t)? (cookies|informatie)",
                r"alles accepteren",
                r"alles weigeren",
                r"akkoord( en doorgaan)?",
                r"uw toestemming",
                r"jouw toestemming",
                r"jouw privacy",
                r"uw privacy",
                r"cookie-?instellingen",
            ),
        },
        max_words=CONSENT_MAX_WORDS,
        min_matches=CONSENT_MIN_PHRASES,
    ),
]

# Sign-in walls: a login form or a redirect to one, a prompt to sign in or register to read.
LOGIN_RULES: list[AccessRule] = [
    _rule(
        "login_wall:url:signin_path",
        "login_wall",
        "url",
        r"/(login|log-in|signin|sign-in|sign_in|sso|auth/login|account/login|anmelden|connexion|iniciar-sesion|accedi|entrar|inloggen)"
        r"(/|\?|$|\.)",
        max_words=LOGIN_MAX_WORDS,
    ),
    _elements(
        "login_wall:markup:password_form",
        "login_wall",
        "markup",
        ('type="password"', "type='password'", "type=password"),
        LOGIN_MAX_WORDS,
    ),
    _elements(
        "login_wall:element:regwall",
        "login_wall",
        "element",
        (
            "regwall",
            "registration-wall",
            "register-wall",
            "registerwall",
            "loginwall",
            "login-wall",
            "signin-wall",
            "sign-in-wall",
            "auth-wall",
        ),
        LOGIN_MAX_WORDS,
        dominant=True,
    ),
    *_per_language(
        "login_wall",
        "text",
        "prompt",
        {
            "en": (
                r"(sign|log) ?in to (continue|keep) reading",
                r"(sign|log) ?in to (read|view|access) (this|the full)",
                r"please (sign|log) ?in to (continue|read|view|access)",
                r"you (must|need to) (be logged|be signed|sign|log) ?in",
                r"(create|register for) a free account to (continue|keep) reading",
                r"register (for free )?to (continue|keep) reading",
                r"this (article|content|page) is (only )?available to (registered|signed[- ]in|logged[- ]in) (users|readers|members)",
            ),
            "de": (
                r"(melden sie sich|melde dich) an,? um (weiter)?zu(lesen| lesen)",
                r"anmelden,? um weiterzulesen",
                r"bitte (melden sie sich an|melde dich an|einloggen|loggen sie sich ein)",
                r"kostenlos registrieren und weiterlesen",
                r"registrieren sie sich,? um (weiter)?zulesen",
                r"nur für registrierte (nutzer|leser)",
            ),
            "fr": (
                r"connectez-vous pour (continuer|lire|accéder)",
                r"vous devez être connecté",
                r"identifiez-vous pour (continuer|lire)",
                r"inscrivez-vous gratuitement pour (lire|continuer)",
                r"réservé aux (utilisateurs|membres) inscrits",
            ),
            "es": (
                r"inicia (la )?sesión para (continuar|seguir leyendo|leer)",
                r"debes iniciar sesión",
                r"regístrate (gratis )?para (seguir leyendo|continuar)",
                r"exclusivo para usuarios registrados",
            ),
            "it": (
                r"accedi per (continuare|leggere|proseguire)",
                r"devi (effettuare l'accesso|essere registrato)",
                r"registrati (gratuitamente )?per (continuare|leggere)",
                r"riservato agli utenti registrati",
            ),
            "pt": (
                r"(faça|efetue) (o )?login para (continuar|ler)",
                r"inicie sessão para (continuar|ler)",
                r"você precisa estar logado",
                r"(cadastre|registe|registre)-se (gratuitamente )?para (continuar|ler)",
                r"exclusivo para (usuários|utilizadores) registados",
            ),
            "nl": (
                r"log in om (verder )?te lezen",
                r"log in om door te gaan",
                r"je moet ingelogd zijn",
                r"u moet ingelogd zijn",
                r"registreer (je|u) (gratis )?om (verder )?te lezen",
                r"alleen voor geregistreerde (gebruikers|lezers)",
            ),
        },
        max_words=LOGIN_MAX_WORDS,
    ),
]

# Script shells: an element a script fills, an "enable JavaScript" notice, scripts, and almost no text.
SHELL_RULES: list[AccessRule] = [
    _elements(
        "js_shell:mount:app_root",
        "js_shell",
        "mount",
        (
            "root",
            "app",
            "__next",
            "__nuxt",
            "___gatsby",
            "app-root",
            "svelte",
            "main-app",
            "application",
            "ember-app",
            "react-root",
            "vue-app",
            "spa-root",
        ),
        SHELL_MAX_WORDS,
    ),
    *_per_language(
        "js_shell",
        "noscript",
        "enable_js",
        {
            "en": (
                r"(enable|turn on|activate) javascript",
                r"javascript (is )?(disabled|required|turned off|not enabled)",
                r"requires javascript",
                r"need(s)? javascript",
                r"without javascript",
            ),
            "de": (
                r"javascript (aktivieren|einschalten)",
                r"aktivieren sie javascript",
                r"javascript ist deaktiviert",
                r"benötigt javascript",
                r"ohne javascript",
            ),
            "fr": (
                r"activ(er|ez) (le )?javascript",
                r"javascript est désactivé",
                r"nécessite javascript",
                r"sans javascript",
            ),
            "es": (
                r"(habilita|activa|habilitar|activar) (el )?javascript",
                r"javascript está (deshabilitado|desactivado)",
                r"requiere javascript",
                r"sin javascript",
            ),
            "it": (
                r"(abilita|attiva|abilitare|attivare) (il )?javascript",
                r"javascript è disabilitato",
                r"richiede javascript",
                r"senza javascript",
            ),
            "pt": (
                r"(ative|habilite|ativar|habilitar) o javascript",
                r"javascript está (desativado|desabilitado)",
                r"requer javascript",
                r"sem javascript",
            ),
            "nl": (
                r"schakel javascript in",
                r"javascript (in)?schakelen",
                r"javascript is uitgeschakeld",
                r"vereist javascript",
                r"zonder javascript",
            ),
        },
        max_words=SHELL_MAX_WORDS,
    ),
]

# Paywalls: markup of a paywall beside a short body, a prompt to subscribe (JSON-LD isAccessibleForFree false
# and article:content_tier are read from the metadata: rules paywall:jsonld:not_free, paywall:meta:content_tier).
PAYWALL_RULES: list[AccessRule] = [
    _elements(
        "paywall:element:marker",
        "paywall",
        "element",
        (
            "paywall",
            "subscriber-only",
            "subscribers-only",
            "subscriberonly",
            "premium-content",
            "metered-content",
            "meteredcontent",
            "article-locked",
            "content-gate",
            "gated-content",
            "piano-offer",
            "paid-content",
            "plus-teaser",
        ),
        PAYWALL_MAX_WORDS,
    ),
    *_per_language(
        "paywall",
        "text",
        "prompt",
        {
            "en": (
                r"subscribe (now )?to (continue|keep) reading",
                r"subscribe to read (the full|this|more)",
                r"this (article|story|content) is (only )?(available )?(for|to) (paying )?subscribers",
                r"to continue reading,? (please )?(subscribe|become a subscriber)",
                r"already a subscriber\?",
                r"you('ve| have) reached your (free )?(article )?limit",
                r"unlock this (article|story)",
            ),
            "de": (
                r"dieser artikel ist (nur )?für abonnenten",
                r"exklusiv für abonnenten",
                r"(jetzt )?abonnieren und weiterlesen",
                r"lesen sie (jetzt )?weiter mit",
                r"weiterlesen mit (einem )?(abo|[\w+]+ ?plus)",
                r"sie haben bereits ein abo",
                r"bereits abonnent",
                r"um (den|diesen) (artikel|beitrag) (vollständig |weiter)?(zu )?lesen",
            ),
            "fr": (
                r"(cet article|la suite) est réservée? aux abonnés",
                r"article réservé aux abonnés",
                r"abonnez-vous pour (lire|continuer)",
                r"déjà abonné",
                r"il vous reste [\d.,]+ ?% de cet article",
            ),
            "es": (
                r"(este|el) (artículo|contenido) es (exclusivo|solo) para suscriptores",
                r"suscríbete para (seguir leyendo|continuar|leer)",
                r"¿ya eres suscriptor",
                r"contenido exclusivo para suscriptores",
            ),
            "it": (
                r"(questo articolo|il contenuto) è riservato agli abbonati",
                r"abbonati per (continuare a leggere|leggere)",
                r"sei già abbonato",
                r"contenuto riservato agli abbonati",
            ),
            "pt": (
                r"(este|o) (artigo|conteúdo) é exclusivo para assinantes",
                r"assine para (continuar lendo|ler)",
                r"já é assinante",
                r"conteúdo exclusivo para assinantes",
                r"exclusivo para assinantes",
            ),
            "nl": (
                r"dit artikel is (alleen|exclusief) (beschikbaar )?voor abonnees",
                r"word abonnee om (verder )?te lezen",
                r"ben je al abonnee",
                r"bent u al abonnee",
                r"lees verder met (een )?abonnement",
                r"alleen voor abonnees",
            ),
        },
        max_words=PAYWALL_MAX_WORDS,
    ),
]

#: every rule, in the order states are decided: a challenge beats a consent dialog beats a sign-in form ...
ACCESS_RULES: tuple[AccessRule, ...] = (*CHALLENGE_RULES, *CONSENT_RULES, *LOGIN_RULES, *SHELL_RULES, *PAYWALL_RULES)
JSONLD_RULE = "paywall:jsonld:not_free"  # JSON-LD isAccessibleForFree false (of the article or a part)
CONTENT_TIER_RULE = "paywall:meta:content_tier"  # article:content_tier locked / metered
REMOVED_PROMPT_RULE = "paywall:removed:prompt"  # the cleaner removed a subscribe prompt from a short body
