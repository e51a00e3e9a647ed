"""Scrapy feed exporters for `-o`: JSON Lines and JSON flushed after every record; a failed write stops the crawl.

FEED_EXPORTERS (crawler/settings.py) names them, so `cleanwire crawl` and `scrapy crawl site -o` both use them; the
Parquet exporter (crawler/output/parquet.py) shares StopsOnFailure.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

from scrapy.exporters import BaseItemExporter, JsonItemExporter, JsonLinesItemExporter
from scrapy.utils.python import to_bytes

from crawler.engine import close_crawl
from crawler.items import PLAIN_RECORDS
from crawler.stats import FAILURE, NOT_WRITTEN

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class StopsOnFailure:
    """For feed exporters: a write that fails (disk full, file gone) is one error line, the crawl stops
    (finish reason output_failed) and `cleanwire crawl` exits 1; records that reach the exporter after it are
    counted in `cleanwire/output/not_written` (the summary subtracts them from the articles emitted)."""

    crawler: Crawler | None = None  # set by from_crawler; outside a crawl a failure is raised
    file: Any  # the exporter's output file (set by its __init__)
    failure: str | None = None
    feed_label = "the feed"

    def not_written(self, count: int = 1) -> None:
        if self.crawler is not None and count:
            self.crawler.stats.inc_value(NOT_WRITTEN, count)

    def _fail(self, exc: Exception) -> None:
        """The crawl's output failed: one error line, the run fails (exit 1), the spider closes (output_failed)."""
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        self.failure = f"output not written to {getattr(self.file, 'name', None) or self.feed_label}: {reason}"
        logger.error("%s", self.failure)
        if self.file is not sys.stdout.buffer:  # close now: a later close (Scrapy's) would flush the buffer again
            try:
                self.file.close()
            except OSError:
                pass
        assert self.crawler is not None  # outside a crawl the callers raise the failure instead
        stats = self.crawler.stats
        if not stats.get_value(FAILURE):  # `cleanwire crawl` says it and exits 1
            stats.set_value(FAILURE, self.failure)
        try:
            engine = self.crawler.engine
        except RuntimeError:  # not crawling (Scrapy 2.14+ raises before the engine exists)
            return
        if engine is None or not engine.running:
            return
        self._closing = close_crawl(self.crawler, "output_failed")


class _FlushingFeed(StopsOnFailure, BaseItemExporter):
    """Each record written through to the file at once; a failed write stops the crawl in one line."""

    @classmethod
    def from_crawler(cls, crawler, file, **kwargs):
        exporter = cls(file, **kwargs)
        exporter.crawler = crawler
        return exporter

    def _write(self, item) -> None:
        """Write one record to self.file (each exporter below has its own)."""
        raise NotImplementedError

    def export_item(self, item) -> None:
        if self.failure:
            self.not_written()
            return
        try:
            self._write(item)
            self.file.flush()
        except OSError as exc:
            if self.crawler is None:
                raise
            self.not_written()
            self._fail(exc)

    def finish_exporting(self) -> None:
        if self.failure:
            return
        try:
            super().finish_exporting()
            self.file.flush()
        except OSError as exc:
            if self.crawler is None:
                raise
            self._fail(exc)


class FlushingJsonLinesExporter(_FlushingFeed, JsonLinesItemExporter):
    """JSON Lines written through to the file after every record, so a reader sees each article at once."""

    def _write(self, item) -> None:
        if (
            type(item) in PLAIN_RECORDS
            and self.fields_to_export is None
            and type(self).serialize_field is JsonLinesItemExporter.serialize_field
        ):  # the same line without a field-by-field copy
            self.file.write(to_bytes(self.encoder.encode(item) + "\n", self.encoding))
        else:
            JsonLinesItemExporter.export_item(self, item)


class FlushingJsonExporter(_FlushingFeed, JsonItemExporter):
    """A JSON array flushed after every record (the closing bracket comes at the end of the crawl)."""

    def _write(self, item) -> None:
        JsonItemExporter.export_item(self, item)
