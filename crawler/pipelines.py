"""Item pipelines: Page -> clean record in the extraction workers, then --since and dedup, each skip counted."""

from __future__ import annotations

from scrapy.exceptions import DropItem, NotConfigured

from crawler.dedup.keys import identity_urls
from crawler.discovery.classify import ARTICLE, UNKNOWN
from crawler.extraction.extractor import Extractor
from crawler.items import Page
from crawler.settings import with_defaults

#: the cleaner's not-article reasons (message prefixes) -> stats keys
NOT_ARTICLE_REASONS = (
    ("no main content", "no_content"),
    ("too little text", "too_little_text"),
    ("page type", "page_type"),
)


def reason_key(reason: str) -> str:
    for prefix, key in NOT_ARTICLE_REASONS:
        if reason.startswith(prefix):
            return key
    return "other"


class ExtractPipeline:
    """Each Page becomes its record in the crawl's extraction workers (crawler.extraction.extractor.Extractor).

    A Page whose record the site spider already had a worker make (with the page's links, see
    crawler.spiders.site) carries it in `meta["extracted"]` and is not extracted again.
    """

    def __init__(self, extractor: Extractor, stats, min_words_unsure: int = 150, respect_tdm: bool = False) -> None:
        self.extractor = extractor
        self.respect_tdm = respect_tdm  # --respect-tdm: records whose TDM rights are reserved are dropped
        self.stats = stats
        self.min_words_unsure = min_words_unsure  # pages without any article signal need this many words

    @classmethod
    def from_crawler(cls, crawler):
        settings = with_defaults(crawler.settings)
        return cls(
            Extractor.for_crawler(crawler),
            crawler.stats,
            settings.getint("CLEANWIRE_MIN_WORDS_UNSURE"),
            settings.getbool("CLEANWIRE_RESPECT_TDM"),
        )

    def open_spider(self) -> None:
        self.extractor.open()

    def close_spider(self) -> None:
        self.extractor.close()

    async def process_item(self, item):
        if not isinstance(item, Page):
            return item
        extracted = item.meta.pop("extracted", None)
        if extracted is None:
            signal = item.meta.get("reason") if item.meta.get("verdict") == ARTICLE else None
            extracted = await self.extractor.extract(item, signal=signal)
        return self.record_or_drop(item, *extracted)

    def record_or_drop(self, item: Page, status: str, payload) -> dict:
        """The record of an extraction result, or DropItem with the reason counted."""
        if status == "article":
            self.stats.inc_value(f"cleanwire/access/{payload['access']}")
            if item.meta.get("verdict") == UNKNOWN and payload["word_count"] < self.min_words_unsure:
                self.stats.inc_value("cleanwire/skipped/short_unsure_page")
                raise DropItem(f"{item.url}: no article signal and only {payload['word_count']} words")
            if self.respect_tdm and payload.get("tdm_reserved"):
                item.meta["tdm_reserved"] = payload["provenance"].get("tdm_reserved")
                self.stats.inc_value("cleanwire/skipped/tdm_reserved")
                raise DropItem(f"{item.url}: TDM rights reserved ({_tdm_source(payload)}), --respect-tdm")
            return payload
        if status == "access":
            item.meta["access"] = payload
            self.stats.inc_value(f"cleanwire/access/{payload['state']}")
            self.stats.inc_value(f"cleanwire/skipped/{payload['state']}")
            raise DropItem(f"{item.url}: {payload['reason']}")
        if status == "not_article":
            self.stats.inc_value("cleanwire/access/ok")
            self.stats.inc_value(f"cleanwire/skipped/{reason_key(payload)}")
            raise DropItem(f"{item.url}: not an article ({payload})")
        self.stats.inc_value("cleanwire/errors/bad_input")
        raise DropItem(f"{item.url}: {payload}")


def _tdm_source(record: dict) -> str:
    found = (record.get("provenance") or {}).get("tdm_reserved") or {}
    return " ".join(filter(None, (found.get("source"), found.get("policy")))) or "declared"


class SincePipeline:
    """Drops articles published before CLEANWIRE_SINCE (--since); off when it is unset."""

    def __init__(self, stats, since: str) -> None:
        self.stats = stats
        self.since = since

    @classmethod
    def from_crawler(cls, crawler):
        since = with_defaults(crawler.settings).get("CLEANWIRE_SINCE")
        if not since:
            raise NotConfigured  # no --since: nothing to drop
        return cls(crawler.stats, since)

    def process_item(self, item):
        if not isinstance(item, dict):
            return item
        published = item.get("date_published")
        if published and published[:10] < self.since[:10]:
            self.stats.inc_value("cleanwire/skipped/older_than_since")
            raise DropItem(f"{item['url']}: published {published[:10]}, before {self.since[:10]}")
        return item


class DedupPipeline:
    """Emits an article once: the same canonical URL, final URL or content hash seen earlier in the run is dropped."""

    def __init__(self, stats) -> None:
        self.stats = stats
        self.urls: set[str] = set()
        self.hashes: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        if not isinstance(item, dict) or "content_hash" not in item:
            return item
        keys = identity_urls(item)
        if keys & self.urls:
            self.stats.inc_value("cleanwire/duplicates/url")
            raise DropItem(f"{item['url']}: duplicate of an article already emitted (same canonical URL)")
        if item["content_hash"] in self.hashes:
            self.stats.inc_value("cleanwire/duplicates/content_hash")
            raise DropItem(f"{item['url']}: duplicate of an article already emitted (same text)")
        self.urls |= keys
        self.hashes.add(item["content_hash"])
        self.stats.inc_value("cleanwire/articles")
        return item
