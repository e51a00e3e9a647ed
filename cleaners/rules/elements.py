"""Element rules: which page elements are boilerplate, by tag, ARIA role and class/id tokens.

A class or id attribute is split on spaces, '-' and '_' into tokens. `tokens` match a whole
token ("ad" matches `td-a-ad` but not `header`); `compounds` match inside the attribute with
the separators removed ("authorbox" matches `tdb-author-box` and `authorBox`).
Rules are tried in order; the first that matches decides the kind.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ElementRule:
    id: str
    kind: str
    tokens: tuple[str, ...] = ()
    compounds: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    modes: tuple[str, ...] = ("precision", "balanced", "recall")  # modes in which the rule applies


ELEMENT_RULES: tuple[ElementRule, ...] = (
    ElementRule("comments:container", "comments",
                tokens=("comments", "disqus", "respond"),
                compounds=("commentlist", "commentrespond", "commentform", "commentsarea",
                           "commentsection", "usercomments", "readercomments", "leserkommentare",
                           "commentaires")),
    ElementRule("author_box:container", "author_box",
                compounds=("authorbox", "authorbio", "aboutauthor", "aboutmeauthor", "authorinfo",
                           "authordescription", "authorcard", "authorprofile", "postauthorbox",
                           "bioauthor", "autorenbox", "autorbox", "autorinfo", "autoreninfo",
                           "authorpanel", "contributorbio", "writerbio", "authordetails",
                           "moreauthor", "morefromauthor", "byauthor")),
    ElementRule("ad_marker:container", "ad_marker",
                tokens=("ad", "ads", "adv", "advert", "adverts", "advertisement", "advertising",
                        "adslot", "adunit", "adsbygoogle", "dfp", "gpt", "sponsor",
                        "sponsored", "werbung", "anzeige", "publicite", "publicidad",
                        "reklama", "adsense", "adspot", "adbox", "adwrapper"),
                compounds=("adcontainer", "adwrapper", "adplaceholder", "adspottitle", "googleads",
                           "admarker", "adlabel", "adslot", "adunit", "adblock", "advertorial",
                           "sponsoredcontent", "outstream", "teadsad")),
    ElementRule("promo:related", "promo",
                tokens=("related", "outbrain", "taboola", "promo", "recommended", "recommendations",
                        "readmore", "readnext", "teasers", "plista", "recirculation", "recirc"),
                compounds=("relatedposts", "relatedarticles", "relatedstories", "relatedcontent",
                           "relatedlinks", "morestories", "morearticles", "alsoread", "seealso",
                           "readalso", "youmaylike", "youmightlike", "moreonthis", "inlinerelated",
                           "storypromo", "articlepromo", "nextarticle", "lesenauch", "weiterlesen",
                           "alireaussi", "leiatambem", "leggianche", "leestambien", "lesogsa",
                           "ocbpromo", "mehrzumthema")),
    ElementRule("newsletter:signup", "newsletter",
                tokens=("newsletter", "newsletters", "subscribe", "subscription", "signup",
                        "paywall", "regwall", "piano", "optin", "abo", "abonnement"),
                compounds=("newslettersignup", "signupform", "emailsignup", "subscribebox",
                           "subscriptionprompt", "paywallprompt", "registerwall", "premiumbanner",
                           "mailinglist", "mailchimp", "newsletterbox")),
    ElementRule("consent:placeholder", "consent",
                tokens=("consent", "gdpr", "cmp", "cookiebanner"),
                compounds=("cookieconsent", "consentplaceholder", "embedconsent", "privacyplaceholder",
                           "embedplaceholder", "externalcontent", "externerinhalt", "cookienotice",
                           "cookiewall", "consentbox")),
    ElementRule("social:share", "social",
                tokens=("share", "sharing", "shares", "social", "sharedaddy", "addtoany", "a2a",
                        "sharebar", "socials", "follow"),
                compounds=("sharebuttons", "socialshare", "sharetools", "sharelinks", "socialbar",
                           "socialicons", "sociallinks", "sharethis", "shareicons", "followus")),
    ElementRule("widget:trending", "widget",
                tokens=("trending", "popular", "mostread", "mostpopular", "sidebar",
                        "breadcrumb", "breadcrumbs", "pagination", "toolbar", "toc"),
                compounds=("mostread", "mostviewed", "mostpopular", "trendingnow", "topstories",
                           "editorspicks", "meistgelesen", "populaires", "lomasleido")),
    ElementRule("metadata:tags", "metadata",
                tokens=("tags", "tagcloud", "taglist", "keywords", "categories", "byline", "dateline",
                        "timestamp", "postmeta", "entrymeta", "published", "updated"),
                compounds=("posttags", "articletags", "tagslist", "entrymeta", "postmeta",
                           "articlemeta", "storymeta", "publishdate", "readingtime", "wordcount",
                           "sharecount", "entryfooter", "postfooter", "articlefooter")),
    ElementRule("legal:disclaimer", "legal",
                tokens=("copyright", "disclaimer", "disclosure", "affiliate"),
                compounds=("affiliatedisclosure", "affiliatenotice", "legalnotice", "copyrightnotice")),
    ElementRule("widget:aside", "widget", tags=("aside",), roles=("complementary",)),
    ElementRule("widget:chrome", "widget", tags=("nav", "footer", "form", "dialog", "noscript"),
                roles=("navigation", "contentinfo", "banner", "search", "dialog", "alertdialog")),
)

#: elements never removed by a token rule, whatever their classes say
NEVER_PRUNED_TAGS = frozenset({"html", "body", "main", "article", "p", "h1", "h2", "h3", "h4", "h5", "h6"})
#: tags that mark a caption or figure; handled by the media step, not the token rules
FIGURE_TAGS = frozenset({"figure", "figcaption"})
#: class/id tokens of caption and credit elements (media step)
CAPTION_COMPOUNDS = ("caption", "wpcaption", "imagecaption", "photocaption", "bildunterschrift",
                     "legende", "figcaption", "imagetext", "mediacaption")
CREDIT_COMPOUNDS = ("credit", "copyright", "photographer", "source", "bildquelle", "fotograf",
                    "imagesource", "photocredit", "agency")
