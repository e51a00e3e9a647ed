"""The crawl's stats collector (STATS_CLASS): Scrapy's MemoryStatsCollector without a per-attribute wrapper."""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class CrawlStats(MemoryStatsCollector):
    """Scrapy's MemoryStatsCollector, with its methods as they are written.

    Scrapy 2.13+ routes every attribute lookup on a stats collector through `__getattribute__`, to wrap its methods
    in a warning about their deprecated `spider` argument: each `inc_value` then formats a name, fails one lookup
    (an AttributeError raised and caught) and wraps, and so does each `self._stats` inside it. Stats are counted
    several times for every request and response, so that was ~3% of the crawler process's CPU on a crawl of small
    pages. Here lookups are plain; the methods still take (and ignore) `spider`, without the warning.
    """

    __getattribute__ = object.__getattribute__
