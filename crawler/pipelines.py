"""Item pipelines: Page -> clean article record (dropping non-articles with a counted reason)."""
from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from cleaners import CleanwireError, Options, extract
from crawler.items import Page

logger = logging.getLogger(__name__)


def options_from_settings(settings) -> Options:
    """The cleaner's Options from CLEANWIRE_* settings."""
    from crawler.overrides import load_overrides

    return Options(
        mode=settings.get("CLEANWIRE_MODE", "balanced"),
        keep_kinds=frozenset(settings.getlist("CLEANWIRE_KEEP_KINDS")),
        drop_kinds=frozenset(settings.getlist("CLEANWIRE_DROP_KINDS")),
        site_overrides=load_overrides(settings.get("CLEANWIRE_OVERRIDES") or None),
    )


class ExtractPipeline:
    """Runs cleaners.extract on each Page; yields the record dict or drops the page with a reason."""

    def __init__(self, options: Options, stats) -> None:
        self.options = options
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(options_from_settings(crawler.settings), crawler.stats)

    def process_item(self, item, spider=None):
        if not isinstance(item, Page):
            return item
        page = item
        try:
            article = extract(page.body, url=page.url, options=self.options.with_(fetched_at=page.fetched_at),
                              http_charset=page.http_charset)
        except CleanwireError as exc:
            self.stats.inc_value("cleanwire/skipped/bad_input")
            raise DropItem(f"{page.url}: {exc.reason}") from exc
        if article is None:
            self.stats.inc_value("cleanwire/skipped/not_article")
            raise DropItem(f"{page.url}: not an article")
        self.stats.inc_value("cleanwire/articles")
        return ItemAdapter(article.to_dict()).asdict()
