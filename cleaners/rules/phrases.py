"""Phrase rules: boilerplate lines recognised by their words, per kind and language.

`match` says how a pattern meets a block's text (whitespace-collapsed, case-folded):
  "full"   the whole block is the phrase (ad labels, widget titles, UI words);
  "prefix" the block starts with it and is short (promo lines "Read more: ...");
  "search" the phrase occurs anywhere in a short block (subscription prompts).
`max_chars` bounds the block length a rule may remove, so body paragraphs that merely
mention the words are never taken.
"""
from __future__ import annotations

from collections.abc import Mapping

from dataclasses import dataclass

SHORT = 200      # a one-line prompt or label
MEDIUM = 400     # a short paragraph (newsletter boxes, disclaimers)
PRIVACY_CHARS = 900   # a consent banner or privacy notice paragraph


@dataclass(frozen=True)
class PhraseRule:
    id: str
    kind: str
    lang: str
    pattern: str            # a regular expression over case-folded text
    match: str = "full"     # full | prefix | search
    max_chars: int = SHORT


def _rules(kind: str, match: str, max_chars: int, table: Mapping[str, tuple[str, ...]], name: str) -> list[PhraseRule]:
    return [
        PhraseRule(f"{kind}:{lang}:{name}", kind, lang, "(?:" + "|".join(patterns) + ")", match, max_chars)
        for lang, patterns in table.items()
    ]


# "- Advertisement -", "Anzeige", "Publicité" ... alone on a line
AD_LABELS = {
    "en": (r"advertisement", r"advertising", r"ad", r"sponsored( content| post)?", r"promoted( content)?",
           r"paid (post|content)", r"story continues below( this)? (advertisement|ad)", r"scroll to continue( with content)?",
           r"continue reading below", r"article continues below", r"skip advert"),
    "de": (r"anzeige", r"werbung", r"gesponsert", r"sponsored", r"weiter nach der anzeige", r"artikel wird nach der anzeige fortgesetzt"),
    "fr": (r"publicité", r"pub", r"passer la publicité", r"contenu sponsorisé", r"sponsorisé", r"la suite après (cette )?(la )?publicité"),
    "es": (r"publicidad", r"anuncio", r"contenido patrocinado", r"patrocinado"),
    "it": (r"pubblicità", r"contenuto sponsorizzato", r"sponsorizzato"),
    "pt": (r"publicidade", r"anúncio", r"conteúdo patrocinado", r"continua após a publicidade"),
    "nl": (r"advertentie", r"gesponsord"),
    "nordic": (r"annonse", r"annons", r"reklame", r"mainos", r"annonsørinnhold", r"sponset"),
    "pl": (r"reklama", r"materiał sponsorowany", r"artykuł sponsorowany"),
    "cs": (r"reklama", r"komerční sdělení"),
    "tr": (r"reklam", r"sponsorlu( içerik)?"),
    "ru": (r"реклама", r"партнерский материал", r"на правах рекламы"),
    "uk": (r"реклама",),
    "ja": (r"広告", r"pr", r"スポンサー"),
    "ko": (r"광고",),
    "zh": (r"广告", r"廣告", r"赞助"),
}
# Widget titles and UI words: "Trending on X", "Most read", "Fehler gefunden? Jetzt melden."
WIDGET_TITLES = {
    "en": (r"trending( now| on [\w .'’-]{1,40}| stories| articles)?", r"most (read|popular|viewed|shared|commented)( [\w ]{1,30})?",
           r"popular (now|stories|articles|posts)", r"top stories", r"editor'?s picks", r"latest (news|stories|articles|posts)",
           r"recommended( for you)?", r"you (may|might) (also )?like", r"more (stories|news|articles) from [\w .'’-]{1,40}",
           r"swipe (left|right)( below)? to view more", r"tap to (expand|view)", r"click to expand", r"listen to (this )?article",
           r"(print|email|share)( this)?( article| story)?", r"copy link", r"link copied", r"show more", r"load more",
           r"up next", r"watch:?", r"in (this|other) news", r"end of (the )?(article|story)", r"article content",
           r"recommended videos?", r"(skip|jump) to (the )?(main )?content"),
    "de": (r"meistgelesen(e artikel)?", r"am meisten gelesen", r"beliebt(e artikel)?", r"top[- ]themen", r"fehler gefunden\?? ?jetzt melden\.?",
           r"(zum )?hauptinhalt( springen)?", r"zum inhalt springen",
           r"artikel (teilen|drucken|merken)", r"empfehlungen",
           r"zur startseite", r"vorlesen", r"kommentare anzeigen", r"weitere artikel", r"ende des artikels"),
    "fr": (r"les plus lus", r"les plus populaires", r"à la une", r"tendances?", r"aller au contenu( principal)?",
           r"partager( l'article| cet article)?", r"écouter (cet )?article"),
    "es": (r"lo más (leído|visto)", r"más leídas?", r"tendencias", r"compartir", r"(saltar|ir) al contenido( principal)?"),
    "it": (r"i più letti", r"più lett[ie]", r"condividi"),
    "pt": (r"mais lidas?", r"em alta", r"compartilhe?"),
    "nl": (r"meest gelezen", r"populair", r"delen"),
    "nordic": (r"mest lest", r"mest läst", r"mest læste", r"mest delt", r"populært", r"del artikkelen", r"dela artikeln"),
    "pl": (r"najczęściej czytane", r"najpopularniejsze", r"polecane", r"udostępnij"),
    "cs": (r"nejčtenější", r"doporučujeme", r"sdílet"),
    "tr": (r"en çok okunanlar", r"çok okunanlar", r"paylaş"),
    "ru": (r"самое читаемое", r"популярное", r"поделиться"),
    "uk": (r"найпопулярніше", r"поділитися"),
    "ja": (r"ランキング", r"人気記事", r"シェア"),
    "ko": (r"많이 본 뉴스", r"공유", r"기사 url이 복사되었습니다\.?"),
    "zh": (r"热门文章", r"分享"),
    "hi": (r"कॉपी लिंक", r"लिंक कॉपी करें"),
}
# Link markers that open a promo line (">> Hier finden Sie ...")
PROMO_MARKERS = {
    "any": (r">> ?", r"→ ?(read|lesen|lire|leer|leggi|leia|lees)"),
}
# Titles of related-content boxes alone on a line ("Related", "Mehr zum Thema", "Zobacz także")
PROMO_TITLES = {
    "en": (r"related( articles| stories| posts| content| coverage| topics| videos| reading)?", r"what to read next", r"read (more|next|also)",
           r"more (on|about) (this|the) (story|topic)", r"see also", r"you (may|might) (also )?(like|enjoy)", r"recommended( for you| reading)?",
           r"more stories", r"also read"),
    "de": (r"mehr zum thema", r"das könnte sie auch interessieren", r"ähnliche( artikel| beiträge| themen| nachrichten)?:?", r"(ähnliche|verwandte|weitere) (nachrichten|artikel|themen|beiträge)",
           r"lesen sie auch", r"auch interessant", r"zum thema", r"passend zum thema", r"lesetipps?", r"weiterlesen"),
    "fr": (r"sur le même sujet", r"vous aimerez aussi", r"(à|a) lire (aussi|également)", r"lire aussi", r"articles similaires", r"voir aussi"),
    "es": (r"te puede interesar", r"noticias relacionadas", r"lee también", r"lea también", r"también te puede interesar", r"más noticias",
           r"seguir leyendo"),
    "it": (r"potrebbe interessarti", r"leggi anche", r"articoli correlati", r"notizie correlate"),
    "pt": (r"você pode gostar", r"notícias relacionadas", r"leia também", r"veja também", r"mais notícias"),
    "nl": (r"lees ook", r"gerelateerde artikelen", r"meer over dit onderwerp", r"lees verder"),
    "nordic": (r"les også", r"läs också", r"læs også", r"relaterte saker", r"relaterade artiklar"),
    "pl": (r"zobacz (także|też|również)", r"czytaj (także|też|również)", r"powiązane artykuły", r"przeczytaj (także|też|również)",
           r"czytaj dalej"),
    "cs": (r"čtěte také", r"související články"),
    "tr": (r"ilgili haberler", r"bunlar da ilginizi çekebilir"),
    "ru": (r"читайте также", r"по теме", r"похожие новости"),
    "uk": (r"читайте також", r"по темі"),
    "ja": (r"関連記事", r"関連ニュース"),
    "ko": (r"관련 ?기사",),
    "zh": (r"相关新闻", r"相关文章", r"相关阅读"),
}
# "Read more: <headline>", "Lesen Sie auch: ...", "Les også: ..." at the start of a short block
PROMO_PREFIXES = {
    "en": (r"read (more|also|next) ?[:|»>–-]", r"read (more|also|next)$", r"more:", r"see also ?:", r"related:", r"also read ?:", r"recommended:", r"watch:", r"listen:",
           r"read the full story", r"click here to read", r"more on this story", r"further reading:", r"don'?t miss:", r"related stories?:",
           r"related articles?:", r"related reading:", r"must read:", r"latest:"),
    "de": (r"mehr (zum thema|dazu|zur lage [\w ]{0,40}) (finden|lesen) sie", r"zum artikel:", r"lesen sie (auch|mehr|hier)\b", r"aktuelle [\w ]{0,40}finden sie [\w ]{0,20}in unserem (liveblog|ticker|newsblog|live-?ticker)", r"lesetipp:", r"auch interessant:", r"mehr zum thema:", r"mehr dazu:", r"weiterlesen:", r"siehe auch:",
           r"zum thema:", r"passend dazu:", r"das könnte sie auch interessieren"),
    "fr": (r"(à|a) lire (aussi|également|egalement)\b", r"lire aussi\b", r"voir aussi\b", r"sur le même sujet\b", r"à voir aussi\b", r"lire la suite\b"),
    "es": (r"lee también\b", r"lea también\b", r"te puede interesar:", r"más información:", r"leer más\b", r"ver también\b", r"también te puede interesar"),
    "it": (r"leggi anche\b", r"leggi di più\b", r"potrebbe interessarti\b", r"vedi anche\b"),
    "pt": (r"leia também\b", r"leia mais\b", r"veja também\b", r"saiba mais\b", r"continua depois da publicidade"),
    "nl": (r"lees ook\b", r"lees meer\b", r"bekijk ook\b", r"meer over\b"),
    "nordic": (r"les også\b", r"les mer\b", r"läs också\b", r"läs mer\b", r"læs også\b", r"læs mere\b", r"lue myös\b", r"se også\b"),
    "pl": (r"czytaj (także|też|również|więcej)\b", r"zobacz (także|też|również)\b", r"przeczytaj (także|też|również)\b"),
    "cs": (r"čtěte (také|též)\b", r"přečtěte si (také|též)\b", r"související:"),
    "tr": (r"ayrıca okuyun\b", r"ilgili haber\b", r"bunu da okuyun\b", r"devamı için"),
    "ru": (r"читайте (также|тоже)\b", r"по теме:", r"читать далее\b", r"подробнее:"),
    "uk": (r"читайте (також|теж)\b", r"по темі:"),
    "ja": (r"関連記事[:：]", r"あわせて読みたい", r"こちらもおすすめ"),
    "ko": (r"관련기사", r"함께 보면 좋은"),
    "zh": (r"相关阅读", r"延伸阅读", r"推荐阅读", r"相關閱讀"),
}
# Subscription, newsletter and paywall prompts anywhere in a short block
NEWSLETTER = {
    "en": (r"sign up (for|to) (our|the) [\w ]{0,30}newsletter", r"sign(ing)? up (for|to) (our|the) [\w ]{0,30}newsletters?",
           r"log in or create an account to continue", r"get in touch with (our|the) [\w ]{0,20}team by email", r"follow [\w .]{1,40} on google news", r"add us as a preferred source",
           r"create an account or sign in to continue", r"you can (check out|unsubscribe|opt out) at any time", r"subscribe to (our|the) [\w ]{0,30}(newsletter|channel|podcast)",
           r"(get|receive) (our|the) [\w ]{0,30}newsletter", r"newsletter sign[- ]?up", r"already a subscriber\??",
           r"subscribe (now|today)\b", r"to continue reading,? (please )?(subscribe|log in|sign in)", r"this (article|content) is for subscribers",
           r"stay informed with [\w ]{0,40} for only", r"for only [^ ]{1,12} a (month|week|year)", r"unlimited (digital )?access",
           r"want to add another user to your subscription", r"enter your email( address)?", r"please (enter|provide) a valid email",
           r"thank you for (signing up|subscribing)", r"you('re| are) (now )?subscribed", r"by signing up,? you agree",
           r"invalid email( address)?", r"support (our|independent) journalism", r"become a (member|subscriber)",
           r"follow [\w .'’-]{1,40} on (twitter|x|facebook|instagram|linkedin|threads|bluesky|whatsapp)( and [\w ]{1,20})? for (the latest|more|all the latest)",
           r"sign up (for|to) (our )?[\w ]{0,30}push (alerts|notifications)", r"articles sent straight to your (device|inbox|phone)"),
    "de": (r"journalismus braucht (deine|ihre) unterstützung", r"\d+ wochen (kostenlos|gratis)", r"\d+ tage (kostenlos|gratis)", r"\d+ monate (kostenlos|gratis)", r"jetzt abonnieren", r"jetzt abo abschließen", r"jetzt registrieren", r"ihre meinung ist uns wichtig", r"newsletter informiert sie", r"abonnier(e|en sie) (den|unseren) [\w -]{0,30}(kanal|newsletter)",
           r"testen sie [\w ]{0,40}(gratis|kostenlos|für (zwei|drei|vier|\d+) wochen)", r"abonnieren sie (unseren|den) newsletter", r"newsletter abonnieren",
           r"abonnieren für", r"mit einem abo", r"bereits abonnent", r"weiterlesen mit", r"dieser artikel ist (nur )?für abonnenten",
           r"melden sie sich (jetzt )?(für|zum) newsletter an", r"gratis testen", r"e-mail-adresse eingeben"),
    "fr": (r"abonnez-vous", r"la suite est réservée aux abonnés", r"il vous reste [\d.,]+ ?% de cet article", r"inscrivez-vous à (notre|la) newsletter", r"déjà abonné", r"cet article est réservé aux abonnés",
           r"recevez (notre|la) newsletter", r"s'abonner", r"offre d'abonnement"),
    "es": (r"suscríbete", r"suscribirse", r"¿?quieres añadir otro usuario a tu suscripción\??", r"ya eres suscriptor",
           r"recibe (nuestro|el) boletín", r"apúntate a (nuestra|la) newsletter", r"este contenido es exclusivo para suscriptores",
           r"hazte socio", r"inicia sesión para seguir leyendo"),
    "it": (r"abbonati", r"iscriviti alla (nostra )?newsletter", r"sei già abbonato", r"contenuto riservato agli abbonati"),
    "pt": (r"assine (já|agora)", r"assine a (nossa )?newsletter", r"já é assinante", r"conteúdo exclusivo para assinantes",
           r"inscreva-se na (nossa )?newsletter"),
    "nl": (r"abonneer (je|u)", r"schrijf (je|u) in voor (onze|de) nieuwsbrief", r"al abonnee", r"meld (je|u) aan voor (onze|de) nieuwsbrief"),
    "nordic": (r"abonner på", r"prenumerera på", r"bli abonnent", r"allerede abonnent", r"redan prenumerant", r"meld deg på nyhetsbrev",
               r"tilmeld dig nyhedsbrev"),
    "pl": (r"zapisz się do newslettera", r"zaprenumeruj", r"wykup (dostęp|subskrypcję)", r"masz już subskrypcję"),
    "cs": (r"přihlaste se k odběru", r"předplaťte si", r"předplatné"),
    "tr": (r"abone ol", r"bültenimize abone", r"e-bültene kaydolun"),
    "ru": (r"подпишитесь на (наш|нашу)", r"подписывайтесь на", r"оформите подписку"),
    "uk": (r"підпишіться на", r"підписуйтесь на"),
    "ja": (r"会員登録", r"メールマガジン", r"有料会員", r"有料記事", r"読み放題"),
    "ko": (r"구독하기", r"뉴스레터 구독"),
    "zh": (r"订阅", r"訂閱"),
}
# Titles of newsletter boxes ("Newsletter: Sport inside")
NEWSLETTER_TITLES = {
    "any": (r"(newsletter|nyhetsbrev|nyhedsbrev|nieuwsbrief|infolettre|boletín|newsletters) ?: ?[\w .&'’-]{1,40}",),
}
# Status and error lines of sign-up forms, alone on a line
FORM_MESSAGES = {
    "en": (r"something went wrong\.? ?(please )?try again\.?", r"(thanks|thank you)(,| for) (signing up|subscribing)!?\.?", r"check your inbox( to confirm[\w ]*)?\.?"),
    "de": (r"etwas ist schiefgelaufen\.?( bitte versuchen sie es (später )?erneut\.?)?", r"vielen dank für ihre anmeldung!?\.?"),
    "fr": (r"une erreur (s'est produite|est survenue)\.?( veuillez réessayer\.?)?", r"merci pour votre inscription!?\.?"),
    "es": (r"algo (salió|ha salido) mal\.?( inténtalo de nuevo\.?)?", r"gracias por suscribirte!?\.?"),
    "it": (r"qualcosa è andato storto,? riprova\.?", r"grazie per l'iscrizione!?\.?"),
    "pt": (r"algo deu errado\.?( tente novamente\.?)?", r"obrigado por se inscrever!?\.?"),
    "uk": (r"щось пішло не так\.?( спробуйте (ще раз|знову)\.?)?",),
    "ja": (r"エラーが発生しました。?(もう一度お試しください。?)?",),
    "ko": (r"오류가 발생했습니다\.?( 다시 시도해 ?주세요\.?)?",),
    "zh": (r"(出错了|发生错误|發生錯誤)[，,。!！]?(请|請)?(稍后)?(重试|再试)?[。!！]?",),
    "nl": (r"er is iets (mis)?gegaan\.?( probeer het (later )?opnieuw\.?)?", r"bedankt voor (je|uw) aanmelding!?\.?"),
    "nordic": (r"noe gikk galt\.?( prøv igjen\.?)?", r"något gick fel\.?( försök igen\.?)?", r"noget gik galt\.?( prøv igen\.?)?",
               r"takk for (at du meldte deg på|påmeldingen)!?\.?", r"tack för (din anmälan|att du prenumererar)!?\.?"),
    "pl": (r"coś poszło nie tak\.?( spróbuj ponownie\.?)?", r"dziękujemy za (zapisanie się|subskrypcję)!?\.?"),
    "cs": (r"něco se pokazilo\.?( zkuste to (prosím )?znovu\.?)?", r"děkujeme za přihlášení!?\.?"),
    "tr": (r"bir (şeyler|hata) (ters gitti|oluştu)\.?( lütfen tekrar deneyin\.?)?",),
    "ru": (r"что-то пошло не так\.?( попробуйте (ещё раз|снова)\.?)?", r"спасибо за подписку!?\.?"),
}
# Text left where a blocked embed would be
CONSENT = {
    "en": (r"(to )?view this content,? (please )?(enable|accept|allow) (cookies|consent)", r"to view this video,? please enable javascript", r"this content is (blocked|not available) due to your (privacy|cookie)",
           r"(accept|enable) (marketing |third[- ]party )?cookies to (view|see|watch)", r"we need your consent to load",
           r"this (embed|content) (is provided by|from) a third party", r"click (here )?to (load|show) (the )?(external )?content",
           r"manage (your )?cookie (settings|preferences)", r"manage (your )?privacy (settings|preferences)",
           r"we use cookies (to|and|for|on)", r"this (web)?site uses cookies"),
    "de": (r"ein klick für den datenschutz", r"externer inhalt", r"empfohlener redaktioneller inhalt", r"ich bin damit einverstanden, dass mir (der |die )?externen? inhalte?",
           r"an dieser stelle (finden sie|findest du) (einen|ein|eine) [\w ,-]{0,80}externen? inhalt", r"um diesen inhalt (zu sehen|anzuzeigen)", r"wir benötigen ihre zustimmung", r"inhalte von drittanbietern",
           r"externe inhalte (aktivieren|anzeigen|laden)", r"datenschutzeinstellungen", r"ich bin damit einverstanden, dass mir externe inhalte",
           r"wir verwenden cookies", r"diese (web)?seite verwendet cookies"),
    "fr": (r"contenu externe", r"(pour|afin de) (voir|afficher) ce contenu", r"acceptez les cookies", r"gérer mes choix", r"ce contenu est bloqué",
           r"nous utilisons des cookies", r"ce site utilise des cookies"),
    "es": (r"contenido externo", r"para ver este contenido", r"acepta las cookies", r"este contenido está bloqueado",
           r"utilizamos cookies", r"este sitio( web)? utiliza cookies"),
    "it": (r"contenuto esterno", r"per visualizzare (questo|il) contenuto", r"accetta i cookie"),
    "pt": (r"conteúdo externo", r"para ver este conteúdo", r"ace(ite|itar) os cookies"),
    "nl": (r"externe inhoud", r"om deze inhoud te (zien|bekijken)", r"accepteer (de )?cookies"),
    "nordic": (r"eksternt innhold", r"extern(t)? innehåll", r"godta informasjonskapsler", r"acceptera cookies"),
    "pl": (r"treść zewnętrzna", r"aby zobaczyć (tę )?treść", r"zaakceptuj (pliki )?cookies"),
    "cs": (r"externí obsah", r"souhlas(ím)? s (používáním )?(souborů )?cookies"),
    "tr": (r"harici içerik", r"çerezleri kabul"),
    "ru": (r"внешний контент", r"мы используем (файлы )?cookie"),
    "uk": (r"зовнішній контент", r"ми використовуємо (файли )?cookie"),
    "ja": (r"cookie(を使用|の使用に同意)", r"クッキー(を使用|の使用に同意)"),
    "ko": (r"쿠키(를 사용|사용에 동의)",),
    "zh": (r"(我们|我們)使用 ?cookie", r"(接受|同意) ?cookie"),
}
# Privacy notices and consent banners found anywhere in a block ("CCPA Right to Opt-Out of the Sale of Your
# Personal Information", "We and our partners store and/or access information on a device"): never body
PRIVACY = {
    "en": (r"ccpa (notice|right to opt[- ]out)", r"cpra (notice|right to opt[- ]out)", r"right to opt[- ]out of (the )?(sale|sharing) of (your )?personal (information|data)",
           r"do not sell (or share )?my (personal )?(info|information|data)", r"your (us state )?privacy (choices|rights)",
           r"we and our (\d+ )?(partners|vendors) (use|store|process|may)", r"(store and/or|and/or) access information on a device",
           r"by clicking [“\"']?(accept|agree|i agree|allow)( all)?[”\"']?,? you (agree|consent)",
           r"we (value|care about) your privacy", r"(use|uses) cookies and similar technologies",
           r"personalised ads and content, ad and content measurement", r"personalized ads and content, ad and content measurement",
           r"you can (change|withdraw) your (consent|choices|preferences) at any time",
           r"(read|see|view) our (privacy|cookie) (policy|notice) (for|to) (more|further) (information|details)"),
    "de": (r"wir und unsere (\d+ )?partner", r"informationen auf einem gerät (speichern|abrufen)", r"ihre privatsphäre ist uns wichtig",
           r"(cookie|datenschutz)-?einstellungen (anpassen|verwalten|ändern)", r"indem sie auf [„\"']?(akzeptieren|zustimmen|alle akzeptieren)",
           r"sie können ihre (einwilligung|zustimmung) jederzeit (widerrufen|ändern)", r"personalisierte anzeigen und inhalte"),
    "fr": (r"nous et nos (\d+ )?partenaires", r"stocker et/ou accéder à des informations sur un (appareil|terminal)",
           r"vos choix (en matière de|concernant les) (cookies|confidentialité)", r"en cliquant sur [«\"']? ?(accepter|j'accepte|tout accepter)",
           r"vous pouvez (modifier|retirer) votre consentement à tout moment", r"paramétrer (les|vos) cookies",
           r"annonces et contenus personnalisés"),
    "es": (r"nosotros y nuestros (\d+ )?socios", r"almacenar (y/o|o) acceder a información en un dispositivo",
           r"al hacer clic en [«\"']?(aceptar|acepto|aceptar todo)", r"puede(s)? (cambiar|retirar) (su|tu) consentimiento en cualquier momento",
           r"configura(r|ción de) (las )?cookies", r"anuncios y contenido personalizados", r"no vender mi información personal"),
    "it": (r"noi e i nostri (\d+ )?partner", r"archiviare e/o accedere a informazioni su un dispositivo",
           r"cliccando su [«\"']?(accetta|accetto|accetta tutto)", r"puoi (modificare|revocare) il (tuo )?consenso in qualsiasi momento",
           r"gestisci (le )?(preferenze|impostazioni) (dei )?cookie", r"annunci e contenuti personalizzati"),
    "pt": (r"nós e os nossos (\d+ )?parceiros", r"nós e nossos (\d+ )?parceiros", r"armazenar e/ou acessar informações em um dispositivo",
           r"ao clicar em [«\"']?(aceitar|aceito|aceitar tudo)", r"pode (alterar|retirar) o (seu )?consentimento a qualquer momento",
           r"gerir (as )?preferências de cookies", r"anúncios e conteúdo personalizados"),
    "nl": (r"wij en onze (\d+ )?partners", r"informatie op een apparaat opslaan en/of openen", r"door op [„\"']?(accepteren|akkoord|alles accepteren)",
           r"u kunt uw toestemming (op elk moment|altijd) (intrekken|wijzigen)", r"cookie-?instellingen (aanpassen|beheren|wijzigen)",
           r"gepersonaliseerde advertenties en content"),
    "nordic": (r"vi og (vores|våre) (\d+ )?partnere", r"vi och våra (\d+ )?partner", r"lagre og/eller få tilgang til informasjon på en enhet",
               r"lagra och/eller få åtkomst till information på en enhet"),
    "pl": (r"my i nasi (\d+ )?partnerzy", r"przechowywanie informacji na urządzeniu lub dostęp do nich", r"ustawienia (plików )?cookies"),
    "cs": (r"my a naši (\d+ )?partneři", r"ukládání (a/nebo|nebo) přístup k informacím v zařízení"),
    "tr": (r"biz ve (\d+ )?(iş ortaklarımız|ortaklarımız)", r"kişisel verilerin korunması kanunu"),
    "ru": (r"мы и наши (\d+ )?партнеры", r"политик[аиу] конфиденциальности и использования (файлов )?cookie"),
    "ja": (r"当社および(当社の)?パートナー", r"プライバシーポリシーに同意"),
}
# Skip links, menu buttons and account links alone on a line ("Skip to content", "Toggle navigation")
NAVIGATION = {
    "en": (r"(skip|jump|go) to (the )?(main )?(content|navigation|menu|search|footer|article)", r"toggle (navigation|menu|search)",
           r"(open|close|main) (menu|navigation)", r"menu", r"navigation", r"search( this site)?", r"back to top", r"home",
           r"(sign|log) (in|out)", r"my account", r"accept( all)?( cookies)?", r"reject( all)?( cookies)?",
           r"(manage|cookie) (preferences|settings|options)", r"privacy (policy|notice|settings)", r"cookie (policy|notice)",
           r"terms (of (use|service)|and conditions)", r"do not sell (or share )?my (personal )?(info|information|data)"),
    "de": (r"(direkt )?zu(m|r)? (inhalt|hauptinhalt|navigation|suche|menü|footer)( springen| wechseln)?", r"navigation (öffnen|schließen|umschalten)",
           r"(hauptmenü|menü)( öffnen| schließen)?", r"suche(n)?", r"nach oben", r"startseite", r"(an|ab)melden", r"mein konto",
           r"(alle )?akzeptieren", r"(alle )?ablehnen", r"einstellungen (verwalten|anpassen)", r"datenschutz(erklärung|hinweise)?", r"impressum"),
    "fr": (r"aller (au|à la) (contenu|navigation|recherche|menu)( principal)?", r"(passer|accéder) au contenu( principal)?",
           r"(ouvrir|fermer) (le )?menu", r"menu( principal)?", r"rechercher", r"retour en haut( de (la )?page)?", r"accueil",
           r"(se )?(connecter|déconnecter)", r"mon compte", r"(tout )?accepter", r"(tout )?refuser", r"gérer (les|mes) (cookies|préférences|choix)",
           r"politique de (confidentialité|cookies)", r"mentions légales"),
    "es": (r"(saltar|ir|pasar) (al|a la) (contenido|navegación|búsqueda|menú)( principal)?", r"(abrir|cerrar) (el )?menú", r"menú( principal)?",
           r"buscar", r"volver arriba", r"inicio", r"(iniciar|cerrar) sesión", r"mi cuenta", r"aceptar( todo| todas)?( las cookies)?",
           r"rechazar( todo| todas)?", r"(configurar|gestionar) (las )?cookies", r"política de (privacidad|cookies)", r"aviso legal"),
    "it": (r"(vai|salta|passa) al (contenuto|menu)( principale)?", r"(apri|chiudi) (il )?menu", r"menu( principale)?", r"cerca",
           r"torna su", r"(accedi|esci)", r"il mio account", r"accetta( tutto| tutti)?", r"rifiuta( tutto| tutti)?",
           r"gestisci (le )?(preferenze|cookie)", r"(informativa|politica) (sulla )?(privacy|cookie)"),
    "pt": (r"(pular|saltar|ir) para o (conteúdo|menu)( principal)?", r"(abrir|fechar) (o )?menu", r"menu( principal)?", r"(pesquisar|buscar)",
           r"voltar ao topo", r"início", r"(entrar|sair)", r"minha conta", r"aceitar( tudo| todos)?", r"rejeitar( tudo| todos)?",
           r"(gerir|gerenciar) (as )?(preferências|cookies)", r"política de (privacidade|cookies)"),
    "nl": (r"(ga |spring )?naar (de )?(hoofd)?(inhoud|navigatie|zoeken|menu)", r"(open|sluit) (het )?menu", r"menu", r"zoeken",
           r"terug naar boven", r"(inloggen|uitloggen)", r"mijn account", r"(alles )?accepteren", r"(alles )?weigeren",
           r"cookie-?instellingen", r"privacyverklaring", r"cookiebeleid"),
    "nordic": (r"hopp(a)? til(l)? (hoved)?(innhold|innehållet|innhold)", r"gå til (indhold|hovedindhold)", r"meny", r"menu", r"søk", r"sök",
               r"søg", r"logg inn", r"logga in", r"log ind", r"til toppen"),
    "pl": (r"przejdź do (treści|zawartości|menu|nawigacji)", r"(otwórz|zamknij) menu", r"szukaj", r"zaloguj( się)?", r"wróć na górę",
           r"akceptuj( wszystkie)?", r"polityka prywatności"),
    "cs": (r"přejít (na|k) (obsah|obsahu|navigaci)", r"hledat", r"přihlásit( se)?", r"zpět nahoru"),
    "tr": (r"içeriğe (geç|atla)", r"ara", r"giriş yap", r"başa dön", r"tümünü kabul et"),
    "ru": (r"перейти к (содержанию|основному содержанию|навигации)", r"меню", r"поиск", r"войти", r"наверх"),
    "ja": (r"(本文|コンテンツ)へ(移動|スキップ)", r"メニュー", r"検索", r"ログイン"),
}
# Commenting prompts and comment-section titles
COMMENTS = {
    "en": (r"you must (be logged in|confirm your public display name|log in|sign in) (to|before) (post a )?comment(ing)?",
           r"(leave|post|add|write) a (comment|reply)", r"\d* ?comments?", r"join the (conversation|discussion)", r"comments? (are|is) closed",
           r"show comments", r"view comments", r"be the first to comment", r"cancel reply", r"reader comments"),
    "de": (r"kommentare?( \(\d+\)?)?", r"kommentar (schreiben|verfassen)", r"diskutieren sie mit", r"zu den kommentaren"),
    "fr": (r"commentaires?( \(\d+\)?)?", r"(laisser|ajouter|écrire) un commentaire", r"réagir"),
    "es": (r"comentarios?( \(\d+\)?)?", r"(deja|escribe) (un|tu) comentario"),
    "it": (r"commenti( \(\d+\)?)?", r"lascia un commento"),
    "pt": (r"comentários?( \(\d+\)?)?", r"deixe (um|seu) comentário"),
    "nl": (r"reacties?( \(\d+\)?)?", r"plaats een reactie"),
    "nordic": (r"kommentarer?", r"skriv en kommentar", r"kommentera"),
    "pl": (r"komentarze?( \(\d+\)?)?", r"dodaj komentarz"),
    "cs": (r"komentáře?( \(\d+\)?)?", r"(přidat|napsat) komentář", r"diskuse( \(\d+\)?)?"),
    "tr": (r"yorumlar( \(\d+\)?)?", r"yorum (yap|yaz|ekle)"),
    "ru": (r"комментарии( \(\d+\)?)?", r"(оставить|написать|добавить) комментарий"),
    "uk": (r"коментарі( \(\d+\)?)?", r"(залишити|написати|додати) коментар"),
    "ja": (r"コメント(を書く|する|一覧)?( ?\(\d+\)?)?",),
    "ko": (r"댓글( ?\d+)?", r"댓글 ?(쓰기|달기|보기)"),
    "zh": (r"评论( ?\(\d+\)?)?", r"評論", r"(发表|發表)(评论|評論)"),
}
# Video teasers: "<summary> 18.04.2024 | 0:21 min" (a link to a clip, not article text)
VIDEO_TEASERS = {
    "any": (r"\d{1,2}\.\d{1,2}\.\d{2,4} ?\| ?\d{1,2}:\d{2} ?min\.?$", r"\| ?\d{1,2}:\d{2} ?min\.?$",
            r"\d{1,2}:\d{2} ?min\.*\.? ?(video )?verfügbar bis \d{1,2}\.\d{1,2}\.\d{2,4}"),
}
# Agency and source notes ("Mit Informationen der Nachrichtenagenturen ...")
SOURCE_NOTES = {
    "de": (r"zuerst (bei|in|auf) .{1,40} erschienen", r"wie hat ihnen dieser artikel gefallen", r"mit informationen (der|von|aus) [\w ,.-]{0,80}(nachrichtenagenturen|agenturen)",
           r"mit material (der|von|aus) [\w ,.-]{0,80}(nachrichtenagenturen|agenturen)", r"\(abgerufen am:? ?\d"),
    "en": (r"with reporting from (the )?(associated press|reuters|afp|wire services)",
           r"with additional reporting from (the )?(associated press|reuters|afp|wire services)",
           r"with information from (the )?(associated press|reuters|afp|wire services)",
           r"contributed to this report", r"(with |additional )?reporting by [\w .'’-]{2,60}$",
           r"^(with )?additional reporting from [\w .'’-]{2,40}$", r"first published (in|by|on) ",
           r"this (is a|story is) breaking (news )?(story|new story)", r"more to follow\.?$", r"for more stories like this",
           r"this (story|article) (has been|was|will be) updated"),
}
# Photo credits alone on a line ("Photo: AFP", "Foto: dpa", "Bild: Thomas Berger")
CREDIT_LINES = {
    "any": (r"(photo|photos|foto|fotos|bild|image|picture|credit|crédit|crédito|kuva|zdjęcie|фото)( credit)?s? ?: ?[\w .,/&'’()-]{1,60}",
            r"(quelle|source|fuente|fonte|bron|kilde|källa|źródło|источник) ?: ?[\w .,/&'’()-]{1,40}"),
}
# A caption that ends with its photo credit ("Los geht's: Von Montag an ... Bild: Maximilian von Lachner")
CREDIT_SUFFIXES = {
    "any": tuple(rf"[.!?”\"] {word}( credit)?s? ?: ?[\w .,/&'’()-]{{2,60}}$" for word in (
        "photo", "foto", "bild", "image", "credit", "crédit", "crédito", "kuva", "zdjęcie", "фото")),
}
# Captions that say what a photo shows ("Pictured right, is ...", "Im Bild: ...")
CAPTION_PREFIXES = {
    "en": (r"pictured( (above|below|left|right|here|at the (back|front)|from (left|right)|in front|centre|center))*\s*[,:]?\s", r"(main |top )?(photo|image|picture) ?:"),
    "de": (r"im bild ?:", r"auf dem (bild|foto) ?:", r"unser (bild|foto) zeigt\b"),
    "fr": (r"sur (la|cette) photo\b", r"en photo ?:"),
    "es": (r"en la (imagen|foto)\b",),
    "it": (r"nella foto\b",),
    "pt": (r"na foto\b",),
    "nl": (r"op de foto\b",),
    "nordic": (r"på bildet\b", r"på bilden\b", r"på billedet\b"),
    "pl": (r"na zdjęciu\b",),
    "cs": (r"na snímku\b", r"na fotografii\b"),
    "tr": (r"fotoğrafta\b",),
    "ru": (r"на (фото|снимке)\b",),
    "uk": (r"на (фото|знімку)\b",),
}
# Prompts of a comment system found anywhere in a short block
COMMENT_PROMPTS = {
    "en": (r"please log ?out and then log ?in again", r"prompted to enter your display name", r"comments are (now )?closed",
           r"commenting (is|has been) (disabled|closed)", r"would you like to comment on this (article|story)",
           r"read our (comment(ing|s)?|community) (policy|guidelines|rules) before (commenting|posting)",
           r"before your comment (can be|is) (posted|published)"),
    "de": (r"die kommentarfunktion (ist|wurde) (deaktiviert|geschlossen)",),
    "fr": (r"vous devez être connecté(e)? pour (publier|poster|écrire) un commentaire", r"les commentaires sont (fermés|désactivés)"),
    "es": (r"(debes|debe|tienes que) (iniciar sesión|estar registrado) para (comentar|publicar un comentario)",
           r"los comentarios están (cerrados|desactivados)"),
    "it": (r"devi (essere (registrato|loggato)|effettuare il login) per (commentare|pubblicare un commento)",
           r"i commenti sono (chiusi|disabilitati)"),
    "pt": (r"(você )?precisa (estar logado|fazer login) para comentar", r"os comentários estão (fechados|encerrados|desativados)"),
    "nl": (r"(je|u) moet (ingelogd zijn|inloggen) om te reageren", r"reageren is (niet meer mogelijk|gesloten)"),
    "nordic": (r"du må (være )?logge?t? inn for å kommentere", r"du måste vara inloggad för att kommentera",
               r"du skal være logget ind for at kommentere"),
    "pl": (r"musisz (być zalogowany|się zalogować),? (aby|by) (dodać komentarz|komentować)",),
    "cs": (r"pro (přidání|vložení) komentáře se musíte přihlásit",),
    "tr": (r"yorum yapabilmek için (giriş yapmalısınız|üye olmalısınız)",),
    "ru": (r"(чтобы|для того чтобы) (оставить|написать) комментарий,? (войдите|авторизуйтесь|зарегистрируйтесь)",),
    "uk": (r"щоб (залишити|написати) коментар,? (увійдіть|авторизуйтеся|зареєструйтеся)",),
    "ja": (r"コメントするには(ログイン|会員登録)が必要です",),
    "ko": (r"댓글을 (작성|입력)하려면 로그인",),
    "zh": (r"(登录|登入)后?(才能)?(发表)?评论", r"(登錄|登入)後?(才能)?(發表)?評論"),
}
# Comment-section titles that start with a count ("2 thoughts on ...", "2 réflexions sur ...")
COMMENT_COUNTS = {
    "en": (r"\d+ (thoughts?|responses?|repl(y|ies)|comments?) (on|to)\b", r"one (thought|response|reply|comment) (on|to)\b"),
    "de": (r"\d+ (gedanken|kommentare?|antworten) (zu|auf)\b",),
    "fr": (r"\d+ (réflexions?|commentaires?|réponses?) (sur|à)\b",),
    "es": (r"\d+ (comentarios?|respuestas?|opiniones) (a|en|sobre)\b",),
    "it": (r"\d+ (commenti|risposte|pensieri) (a|su)\b",),
    "pt": (r"\d+ (comentários?|respostas?|pensamentos?) (para|em|sobre)\b",),
    "nl": (r"\d+ (reacties?|gedachten) (op|over)\b",),
    "pl": (r"\d+ (odpowiedzi|komentarz(e|y)?|przemyśle(ń|nia)) (na|do)\b",),
}
# Legal, affiliate and self-promotion lines
LEGAL = {
    "en": (r"we independently (select|review|choose) (everything|all|the products)", r"(we|this site) (may )?(earn|receive) (a )?(commission|compensation)",
           r"(as an amazon associate|this (article|post) contains affiliate links)", r"please bookmark", r"all rights reserved",
           r"(©|copyright|\(c\)) ?(\d{4}|[\w .,&-]{1,60}) .{0,120}", r"this (material|article) may not be (published|reproduced|broadcast)",
           r"(reporting|editing|writing) by [\w .,'’-]+(;|$)", r"follow (us|[\w .]+) on (twitter|x|facebook|instagram|linkedin|telegram|whatsapp|google news)"),
    "de": (r"alle rechte vorbehalten", r"mit agenturmaterial\.?", r"\(?dpa(-afx)?\)?", r"\w{2,8} \((dst|dpa|afp|red)\)?", r"affiliate-links?",
           r"\(?(dpa|sda|apa|afp|ap|kna|epd|ddp|reuters|rtr)(/[a-z]{1,5}){1,3}\)?\.?",
           r"wir erhalten (eine )?provision"),
    "fr": (r"tous droits réservés", r"avec afp\.?", r"liens? affiliés?"),
    "es": (r"todos los derechos reservados", r"con información de [\w ]{1,40}", r"enlaces? de afiliados?"),
    "it": (r"tutti i diritti riservati", r"riproduzione riservata"),
    "pt": (r"todos os direitos reservados", r"com informações d[aoe] [\w ]{1,40}"),
    "nl": (r"alle rechten voorbehouden",),
    "nordic": (r"alle rettigheter reservert", r"alla rättigheter förbehållna"),
    "pl": (r"wszelkie prawa zastrzeżone",),
    "ru": (r"все права защищены",),
}
# Legal and affiliate sentences found anywhere in a short block
LEGAL_SEARCH = {
    "en": (r"we independently (select|review|choose) (everything|all|the products)", r"please bookmark (this|our|us)\b", r"when you buy (something )?through (our )?links",
           r"this (article|post|page) (contains|may contain) affiliate links", r"as an amazon associate", r"all rights reserved"),
    "de": (r"alle rechte vorbehalten", r"enthält affiliate-links", r"(beim kauf|wenn sie) .{0,40}erhalten wir (eine )?provision"),
    "fr": (r"tous droits réservés", r"reproduction (interdite|sans autorisation)"),
    "es": (r"todos los derechos reservados", r"prohibida (su|la) reproducción"),
    "it": (r"tutti i diritti riservati", r"riproduzione riservata"),
    "pt": (r"todos os direitos reservados",),
    "nl": (r"alle rechten voorbehouden",),
    "nordic": (r"alle rettigheter reservert", r"alla rättigheter förbehållna", r"alle rettigheder forbeholdes"),
    "pl": (r"wszelkie prawa zastrzeżone",),
    "cs": (r"všechna práva vyhrazena",),
    "tr": (r"tüm hakları saklıdır",),
    "ru": (r"все права защищены",),
    "uk": (r"всі права захищені", r"усі права захищені"),
    "ja": (r"無断転載", r"無断複製"),
    "ko": (r"무단 ?전재", r"재배포 금지"),
    "zh": (r"版权所有", r"未经授权"),
}
# Copyright and agency lines, by how they start ("© 2025 ...", "Copyright (c) ...")
LEGAL_PREFIX = {
    "any": (r"[<(\[]?(©|ⓒ|\(c\) ?\d{4}|copyright ?(©|ⓒ|\(c\)|\d{4}))",),
}
# Metadata lines inside the body: bare timestamps, "date • Updated: date", share counts
DATE_WORD = r"(\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}\.? \w{3,12}\.? \d{4}|\w{3,12}\.? \d{1,2},? \d{4})"
METADATA = {
    "any": (
        rf"(published|updated|veröffentlicht|aktualisiert|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato|gepubliceerd|bijgewerkt|publisert|oppdatert|publicerad|uppdaterad|opublikowano|zaktualizowano)?:? ?{DATE_WORD}([,•|·—-]? ?(um |at |à |a las |alle )?\d{{1,2}}[:.h]\d{{2}}( ?(am|pm|uhr|h|cet|cest|gmt|utc|et|edt|est|bst))?)?"
        rf"( ?[•|·—-] ?(updated|aktualisiert|mis à jour|actualizado|aggiornato|bijgewerkt|oppdatert|uppdaterad|zaktualizowano):? ?{DATE_WORD}?([,•|·—-]? ?\d{{1,2}}[:.h]\d{{2}}( ?(am|pm|uhr|h))?)?)?",
        r"\d{1,2}[:.]\d{2}( ?(am|pm|uhr|h))?",
        r"(https?://|www\.)\S+",
        r"dieses thema im programm:.{0,120}", r"sendung: .{1,100}", r"ausgabe vom \d{1,2}\.\d{1,2}\.\d{2,4}.{0,40}",
        r"(\d+([.,]\d+)? ?(k|mil|tsd\.?|mio\.?)? )?(shares?|comments?|views?|compartilhamentos|partages|compartidos|condivisioni|geteilt|aufrufe|visualizações|visualizzazioni|vistas|vues|weergaven|udostępnień|wyświetleń)( \d+)?",
        r"(\d+ )?(shares?|comments?|views?|min(ute)?s? read|minute read|min\. lesezeit|lesezeit:? ?\d+ min(uten)?|minutos de lectura|min de lecture)( \d+)?",
        r"(reading time|lesezeit|temps de lecture|tiempo de lectura):? ?\d+ ?(min|minutes|minuten|minutos)\.?",
        r"\d+ ?(minuten|min\.?|minutes|minutos|minuti|minuter|minutter) (lesezeit|lesedauer|de lecture|de lectura|di lettura|de leitura|leestijd|läsning|lesetid|læsetid)",
        r"(lesedauer|leestijd|lesetid|lästid|czas czytania):? ?(ca\. )?\d+ ?(min|minuten|minuter|minutter|minut|minuty)\.?",
        r"-?(aktualisiert|veröffentlicht|updated|published|mis à jour|actualizado)( am| on| le| el)?:?",
        r"(\d{1,2}:\d{2} ?min\.*\.? ?)?(video )?verfügbar bis \d{1,2}\.\d{1,2}\.\d{2,4}\.?",
        r"(tags?|schlagworte|themen|mots-clés|etiquetas|tag):.{0,150}",
        r"(updated|aktualisiert|mis à jour|actualizado)( on)?:? .{0,40}\d{1,2}[:.]\d{2}.{0,10}",
    ),
}
# Author box lines (the author's name alone and bio sentences are matched in the filter step)
AUTHOR_BOX = {
    "en": (r"more (from|by) (this )?(author|[\w .'’-]{2,40})", r"about the author", r"(view|see) all (posts|articles|stories) by .{1,40}",
           r"latest (posts|articles|stories) (from|by) .{1,40}", r"author profile", r"follow [\w .'’-]{2,40} on (twitter|x)"),
    "de": (r"mehr vom autor", r"mehr von [\w .'’-]{2,40}", r"über (den|die) autor(in)?", r"alle artikel von .{1,40}", r"zur autorenseite"),
    "fr": (r"plus de l'auteur", r"à propos de l'auteur", r"tous les articles de .{1,40}"),
    "es": (r"más del autor", r"sobre el autor", r"más artículos de .{1,40}"),
    "it": (r"altri articoli di .{1,40}", r"sull'autore", r"dal(la|l')? ?(nostr[oa] )?(inviat[oa]|corrispondente)( a [\w ]{1,30})?"),
    "pt": (r"mais do autor", r"sobre o autor"),
    "nl": (r"meer van (de auteur|[\w .'’-]{2,40})", r"over de auteur"),
    "nordic": (r"mer fra (forfatteren|[\w .'’-]{2,40})", r"om forfatteren", r"om skribenten"),
    "pl": (r"więcej od autora", r"o autorze"),
    "cs": (r"o autorovi", r"další články autora"),
    "tr": (r"yazar hakkında", r"yazarın (diğer|tüm) yazıları"),
    "ru": (r"об авторе", r"(все|другие) (статьи|материалы) автора"),
    "uk": (r"про автора", r"(всі|усі|інші) (статті|матеріали) автора"),
    "ja": (r"この記事を書いた人", r"著者プロフィール"),
    "ko": (r"기자의 다른 기사", r"기자 프로필", r"[가-힣]{2,4} ?기자( 외 ?\d+ ?명)?"),
    "zh": (r"作者简介", r"作者簡介", r"关于作者", r"關於作者"),
}

# Screen-reader notes in brackets that links append to their text ("Investoren(öffnet im neuen Fenster)"): cut out of blocks
A11Y_NOTES = (
    r"\((this link )?opens in (a )?new (window|tab)\)", r"\((link )?öffnet (sich )?(im|in einem|in) neuen? (fenster|tab)\)",
    r"\(s'ouvre dans (une )?nouvel(le)? (fenêtre|onglet)\)", r"\((se )?abre en (una )?nueva (ventana|pestaña)\)",
    r"\(si apre in una nuova (finestra|scheda)\)", r"\(abre (em|numa) nova (janela|aba|guia)\)",
    r"\(opent in (een )?nieuw (venster|tabblad)\)", r"\(otwiera się w nowym (oknie|karcie)\)",
    r"\((åpnes|öppnas|åbner) i (et |ett )?nytt? (vindu|fönster|vindue)\)",
)
A11Y_NOTE_RULE = "widget:a11y-note"

PHRASE_RULES: tuple[PhraseRule, ...] = tuple(
    _rules("ad_marker", "full", SHORT, AD_LABELS, "label")
    + _rules("promo", "full", SHORT, PROMO_TITLES, "box-title")
    + _rules("widget", "full", SHORT, WIDGET_TITLES, "title")
    + _rules("promo", "prefix", 300, PROMO_PREFIXES, "read-also")
    + _rules("promo", "prefix", 300, PROMO_MARKERS, "marker")
    + _rules("newsletter", "search", MEDIUM, NEWSLETTER, "prompt")
    + _rules("newsletter", "full", SHORT, FORM_MESSAGES, "form-message")
    + _rules("newsletter", "full", 60, NEWSLETTER_TITLES, "box-title")
    + _rules("consent", "search", MEDIUM, CONSENT, "placeholder")
    + _rules("consent", "search", PRIVACY_CHARS, PRIVACY, "privacy")
    + _rules("widget", "full", SHORT, NAVIGATION, "navigation")
    + _rules("promo", "search", MEDIUM, VIDEO_TEASERS, "video-teaser")
    + _rules("legal", "search", MEDIUM, SOURCE_NOTES, "source-note")
    + _rules("comments", "full", SHORT, COMMENTS, "prompt")
    + _rules("comments", "search", MEDIUM, COMMENT_PROMPTS, "system-prompt")
    + _rules("comments", "prefix", SHORT, COMMENT_COUNTS, "count-title")
    + _rules("legal", "full", 300, LEGAL, "line")
    + _rules("legal", "search", 300, LEGAL_SEARCH, "sentence")
    + _rules("legal", "prefix", 300, LEGAL_PREFIX, "copyright")
    + _rules("metadata", "full", SHORT, METADATA, "line")
    + _rules("caption", "full", SHORT, CREDIT_LINES, "credit")
    + _rules("caption", "prefix", 400, CAPTION_PREFIXES, "photo-says")
    + _rules("caption", "search", 250, CREDIT_SUFFIXES, "credit-suffix")
    + _rules("author_box", "full", SHORT, AUTHOR_BOX, "line")
)

# Bare date lines ("Publié le 14 mars 2025 à 07h30 • Mis à jour le ...", "Sevilla - 14 mar 2025 - 07:00 CET"):
# every word is a number, a month, a weekday, a label or a time zone (see filters.date_line_rule)
DATE_LINE_LABELS = frozenset("""
published updated posted last modified on at by am pm edited
veröffentlicht aktualisiert zuletzt am um uhr stand erschienen
publié publie mis à a jour le la les mise
publicado actualizado actualizada el en las a de del
pubblicato aggiornato aggiornata il alle ore del
publicado atualizado atualizada em às de
gepubliceerd bijgewerkt laatst op om
publisert oppdatert publicerad uppdaterad publiceret opdateret kl klo julkaistu päivitetty den
opublikowano zaktualizowano aktualizacja godz dnia publikacja
publikováno aktualizováno aktualizace
yayınlanma güncellenme tarihi
опубликовано обновлено обновление в опубліковано оновлено о
""".split())
DATE_LINE_MONTHS = frozenset("""
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
januar februar märz mai juni juli oktober dezember jänner mrz okt dez
janvier février fevrier mars avril juin juillet août aout septembre octobre novembre décembre janv févr fév avr juil déc
enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre ene abr ago dic
gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre gen mag giu lug set ott
janeiro fevereiro março maio junho julho setembro outubro dezembro fev out dez
januari februari maart mei augustus mrt
januar februar mars april mai juni juli august oktober desember januari februari maj augusti oktober
stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia
ledna února března dubna května června července srpna září října listopadu prosince
ocak şubat mart nisan mayıs haziran temmuz ağustos eylül ekim kasım aralık
января февраля марта апреля мая июня июля августа сентября октября ноября декабря
січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня
""".split())
DATE_LINE_WEEKDAYS = frozenset("""
monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun
montag dienstag mittwoch donnerstag freitag samstag sonntag
lundi mardi mercredi jeudi vendredi samedi dimanche
lunes martes miércoles jueves viernes sábado domingo
lunedì martedì mercoledì giovedì venerdì sabato domenica
segunda terça quarta quinta sexta feira
maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
""".split())
DATE_LINE_COUNTS = frozenset("""
views view shares comments min mins read reads minute minutes reading time
aufrufe kommentare lesezeit minuten vues commentaires lecture vistas lectura comentarios minutos
visualizzazioni commenti lettura visualizações leitura comentários weergaven reacties leestijd
visninger kommentarer lesetid wyświetleń komentarzy czytania zhlédnutí просмотров просмотры комментариев мин чтения
переглядів хв
""".split())
DATE_LINE_ZONES = frozenset("cet cest gmt utc bst est edt pst pdt cst cdt et pt ist jst kst msk eet eest h hs".split())
