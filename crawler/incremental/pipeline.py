"""Incremental, crash-safe output: emit new or changed articles once each through the journal, one run per crawl.

The output is a per-run template (a new file per run and site) or one plain JSONL file each run appends to."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import platform
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from cleaners.article import EXTRACTOR_VERSION
from cleaners.liveblog import mark_new_entries
from cleaners.template import block_hash, record_block_hashes, remove_template
from crawler.clock import utcnow
from crawler.discovery.normalize import site_of
from crawler.engine import close_crawl, run_status
from crawler.incremental.journal import (
    BATCH_SIZE,
    JournaledWriter,
    append_offset,
    is_template,
    output_path,
    reconcile,
    summary_path,
)
from crawler.incremental.state import RunLock, StateError, StateStore
from crawler.output.files import write_atomic
from crawler.reporting.rejects import fetch_failed
from crawler.settings import with_defaults
from crawler.stats import FAILURE

logger = logging.getLogger(__name__)

STATS_COUNTED = {  # Scrapy stats copied into a run's counts
    "downloader/request_count": "requests",
    "downloader/response_count": "responses",
    "downloader/response_status_count/304": "not_modified",
    "item_dropped_count": "dropped",
    "log_count/ERROR": "errors",
    "spider_exceptions/count": "spider_exceptions",
}


ROBOTS_REFUSAL = "Forbidden by robots.txt"  # Scrapy's IgnoreRequest message for a page robots.txt disallows
NO_RESPONSE = "no site answered (every request failed: unreachable, refused or timed out)"
LEARNING_ARTICLES = 10  # x hold: articles after which a site's template counts as learned (no more holding)

__all__ = ["StatePipeline", "TemplateConfig", "block_hash", "versions"]


class TemplateConfig:
    """Site template learning: blocks on >= min_articles articles go; up to `hold` records wait while it is learned."""

    def __init__(
        self,
        enabled: bool = True,
        min_articles: int = 3,
        hold: int = 10,
        hold_seconds: float = 5.0,
        keep: dict | None = None,
    ) -> None:
        self.enabled, self.min_articles = enabled, min_articles
        self.hold, self.hold_seconds = hold, hold_seconds
        self.keep: dict[str, list[str]] = {site.lower(): list(v) for site, v in (keep or {}).items()}

    @classmethod
    def from_settings(cls, settings) -> TemplateConfig:
        settings = with_defaults(settings)
        return cls(
            settings.getbool("CLEANWIRE_TEMPLATE"),
            settings.getint("CLEANWIRE_TEMPLATE_MIN_ARTICLES"),
            settings.getint("CLEANWIRE_TEMPLATE_HOLD"),
            settings.getfloat("CLEANWIRE_TEMPLATE_HOLD_SECONDS"),
            settings.getdict("CLEANWIRE_TEMPLATE_KEEP"),
        )

    def keep_for(self, site: str) -> list[str]:
        host = site.split(":")[0]
        return [
            p
            for name, phrases in self.keep.items()
            if name in (site, host) or host.endswith("." + name)
            for p in phrases
        ]


def versions() -> dict[str, str]:
    found = {"extractor": EXTRACTOR_VERSION, "python": platform.python_version()}
    for package in ("cleanwire", "scrapy", "trafilatura", "lxml"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "unknown"
    return found


class StatePipeline:
    """Lock the state, repair a killed run's output, then write each new or changed article once (revision set)."""

    def __init__(
        self,
        crawler,
        state_path: str,
        template: str,
        batch_size: int = BATCH_SIZE,
        templates: TemplateConfig | None = None,
    ) -> None:
        self.crawler, self.stats = crawler, crawler.stats
        self.templates = templates or TemplateConfig()
        self.observed: dict[str, int] = {}  # site -> articles its template counts have seen
        self.learned: dict[str, asyncio.Condition] = {}  # site -> notified on every article counted
        self.held: dict[str, int] = {}  # site -> records waiting for its template
        self.plain = not is_template(template)  # one file every run and site appends to
        self.template = os.path.abspath(template) if self.plain else template
        self.state_path, self.batch_size = state_path, batch_size
        self.append_from = 0  # a plain file: its committed length when this run started
        self.lock: RunLock | None = None
        self.state: StateStore | None = None
        self.writers: dict[str, JournaledWriter] = {}  # site -> writer (a plain file: every site shares one)
        self.counts = {"emitted": 0, "new": 0, "revised": 0, "unchanged": 0}
        self.repairs: list[dict] = []
        self.failure: str | None = None  # why writing output failed, if it did: the run then fails

    @classmethod
    def from_crawler(cls, crawler):
        settings = with_defaults(crawler.settings)
        state, template = settings.get("CLEANWIRE_STATE"), settings.get("CLEANWIRE_OUTPUT_TEMPLATE")
        if not state or not template:
            raise NotConfigured  # needs both a state file and an output template
        pipeline = cls(
            crawler,
            state,
            template,
            settings.getint("CLEANWIRE_JOURNAL_BATCH"),
            TemplateConfig.from_settings(settings),
        )
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.fetch_failed, signal=fetch_failed)
        return pipeline

    def fetch_failed(self, url: str, error: str) -> None:
        """A page robots.txt refused is settled as refused: not pending, not requeued by every run."""
        if error.startswith(ROBOTS_REFUSAL) and self.state is not None and self.failure is None:
            self.state.note_refused(url)

    def item_dropped(self, item, response, exception, spider=None) -> None:
        """A fetched page that yields no output (not an article, duplicate, too old) is settled: not pending."""
        url = item.get("url") if isinstance(item, dict) else getattr(item, "url", None)
        if url and self.state is not None and self.failure is None:  # after a failure: fetched again next run
            self.state.commit_fetch(url)

    def open_spider(self) -> None:
        self.lock = RunLock(self.state_path).acquire()
        if self.lock.stale:  # said on stderr: the log (LOG_LEVEL ERROR in `cleanwire crawl`) would hide it
            print(
                f"cleanwire: state {self.state_path}: took over the run lock of PID {self.lock.stale['pid']} "
                f"(started {self.lock.stale['started']}), which is gone",
                file=sys.stderr,
                flush=True,
            )
        try:
            self.state = StateStore(self.state_path)
            self.repairs = reconcile(self.state)
            if self.plain:  # a file something else wrote or changed stops the run before anything is fetched
                self.append_from = append_offset(self.state, self.template)
        except BaseException:
            if self.state is not None:
                self.state.close()
                self.state = None
            self.lock.release()
            raise
        self.started, self.clock = datetime.now(UTC), time.monotonic()
        self.sites = sorted({site_of(url) for url in getattr(self.crawler.spider, "start_urls", None) or ()})
        self.run_id = self.state.start_run(self.sites, self.template)

    @property
    def store(self) -> StateStore:
        assert self.state is not None  # opened in open_spider, before any item comes
        return self.state

    async def process_item(self, item):
        if not isinstance(item, dict) or "content_hash" not in item:
            return item
        url, site, source_hash = item["url"], site_of(item["url"]), item["content_hash"]
        if self.templates.enabled:
            await self._learn_template(site, url, item)
        return self._emit(item, url, site, source_hash)

    async def _learn_template(self, site: str, url: str, item: dict) -> None:
        """Count the record's blocks, wait (bounded) while its site's template is still being learned, remove it."""
        hashes = record_block_hashes(item)
        if site not in self.observed:
            self.observed[site] = self.store.template_pages(site)
            self.learned[site] = asyncio.Condition()
            self.held[site] = 0
        if self.store.observe_blocks(site, url, hashes):
            self.observed[site] += 1
        async with self.learned[site]:
            self.learned[site].notify_all()
            await self._hold(site, hashes)
        known = self.store.template_blocks(site, self.templates.min_articles)
        removed = remove_template(item, known, site, self.templates.keep_for(site)) if known else 0
        if removed:
            self.stats.inc_value("cleanwire/template/removed_blocks", removed)

    async def _hold(self, site: str, hashes: dict[str, str]) -> None:
        """Wait while the site has taught fewer than `hold` articles, or a block of the record is repeating but not
        yet on min_articles; at most `hold` records of a site wait, each at most hold_seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.templates.hold_seconds
        while self._undecided(site, hashes) and self.held[site] < self.templates.hold:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            self.held[site] += 1
            self.stats.inc_value("cleanwire/template/held")
            try:
                await asyncio.wait_for(self.learned[site].wait(), remaining)
            except TimeoutError:
                break
            finally:
                self.held[site] -= 1

    def _undecided(self, site: str, hashes: dict[str, str]) -> bool:
        if self.observed[site] < self.templates.hold:
            return True
        if self.observed[site] >= LEARNING_ARTICLES * self.templates.hold or not hashes:
            return False  # the template is long known: a block repeated twice now is a story reprinted
        counts = self.store.block_counts(site, hashes)
        return any(2 <= counts.get(h, 0) < self.templates.min_articles for h in hashes)

    def _emit(self, item: dict, url: str, site: str, source_hash: str | None = None):
        writer = self.writers.get(site)  # created on the first record to write: no empty files
        digest = item["content_hash"]
        decision = (
            writer.decide(url, digest, source_hash) if writer else self.store.decide_emit(url, digest, source_hash)
        )
        if not decision.emit:
            self.store.commit_fetch(url)
            self._count("unchanged")
            raise DropItem(f"{url}: unchanged since revision {decision.revision}", log_level="DEBUG")
        item["revision"], item["previous_hash"] = decision.revision, decision.previous_hash
        if decision.revision > 1 and item.get("entries"):  # a live blog that changed: which entries are new
            mark_new_entries(item, self.store.last_record(url))
        if self.failure:
            raise DropItem(f"{url}: not written, the output failed", log_level="DEBUG")  # the run is stopping
        try:
            self._writer(site).write(item, source_hash=source_hash)
        except (StateError, OSError) as exc:
            self._fail(self.writers[site].path if site in self.writers else self.template, exc)
            self._stop()  # the failed batch is gone from the file and the state: emitted next run
            raise DropItem(f"{url}: not written ({self.failure})") from exc
        return item  # counted emitted once its batch commits (see _committed): a failed batch is not written

    def _fail(self, path, exc: Exception) -> None:
        """The output cannot be written (disk full, read-only, state error): one error line; the run fails."""
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        self.failure = f"output not written to {path}: {reason} (the next run writes what is missing)"
        logger.error("run %d: %s", self.run_id, self.failure)

    def _stop(self) -> None:
        """Close the spider (finish reason output_failed): no page fetched from now on could be written."""
        self._closing = close_crawl(self.crawler, "output_failed")

    def _outputs(self) -> list[JournaledWriter]:
        """Every writer once (the sites of a plain file share one)."""
        return list({id(writer): writer for writer in self.writers.values()}.values())

    def _committed(self) -> None:
        """emitted/new/revised = the records whose batch committed, i.e. exactly the lines in the output files."""
        for name in ("emitted", "new", "revised"):
            self.counts[name] = sum(getattr(w, "records" if name == "emitted" else name) for w in self._outputs())
            if self.counts[name]:
                self.stats.set_value(f"cleanwire/state/{name}", self.counts[name])

    def _count(self, *names: str) -> None:
        for name in names:
            self.counts[name] += 1
            self.stats.inc_value(f"cleanwire/state/{name}")

    def _writer(self, site: str) -> JournaledWriter:
        if site not in self.writers:
            path = output_path(self.template, site, self.started, self.run_id)
            shared = next((w for w in self.writers.values() if w.path == path), None)  # a plain file
            self.writers[site] = shared or JournaledWriter(
                self.store, self.run_id, path, batch_size=self.batch_size, append=self.plain
            )
            logger.info("run %d: writing %s records to %s", self.run_id, site, path)
        return self.writers[site]

    def close_spider(self) -> None:
        """Flush and close every output (the last batch commits here); the run is finished on spider_closed."""
        for writer in self._outputs():
            try:
                writer.close()
            except (StateError, OSError) as exc:
                if self.failure is None:  # else the same failure again: said once
                    self._fail(writer.path, exc)

    def spider_closed(self, spider, reason: str) -> None:
        if self.state is None:
            return
        if self.failure is None and not self.stats.get_value("downloader/response_count"):
            self.failure = NO_RESPONSE  # unreachable: the run failed, whatever Scrapy's reason
        status, exit_status = run_status(reason if self.failure is None else "output_failed")
        if self.failure:
            self.stats.set_value(FAILURE, self.failure)
        self._committed()
        self.stats.set_value(
            "cleanwire/state/outputs",  # `cleanwire crawl` names the files written
            [(str(w.path), w.records) for w in self._outputs()],
        )
        stats = self.stats.get_stats()
        counts = {**self.counts, **{name: stats[key] for key, name in STATS_COUNTED.items() if key in stats}}
        try:
            self.state.finish_run(self.run_id, status, counts)
            self._write_summaries(reason, status, exit_status, counts)
        except OSError as exc:  # the disk that filled up with records: the run's state is already final
            logger.error("run %d: run summary not written: %s", self.run_id, exc.strerror or exc)
        finally:
            self.state.close()
            assert self.lock is not None  # acquired in open_spider, before the state was opened
            self.lock.release()

    def _write_summaries(self, reason: str, status: str, exit_status: int, counts: dict) -> None:
        outputs = {site: writer.path for site, writer in self.writers.items()}
        for site in self.sites or ["_"]:
            outputs.setdefault(site, output_path(self.template, site, self.started, self.run_id))
        written: list[dict] = [{"path": str(w.path), "records": w.records} for w in self._outputs()]
        if self.plain:  # one file, one summary beside it, rewritten by every run: the bytes [start, end) it appended
            writer = next(iter(self._outputs()), None)
            start, end = (writer.start, writer.committed) if writer else (self.append_from, self.append_from)
            written = [{"path": self.template, "records": writer.records if writer else 0, "start": start, "end": end}]
        summary = {
            "run_id": self.run_id,
            "state": os.path.abspath(self.state_path),
            "sites": self.sites,
            "started": self.started.isoformat(timespec="seconds"),
            "ended": utcnow(),
            "duration_seconds": round(time.monotonic() - self.clock, 3),
            "status": status,
            "finish_reason": reason,
            "exit_status": exit_status,
            "failure": self.failure,
            "counts": counts,
            "errors": counts.get("errors", 0) + counts.get("spider_exceptions", 0),
            "outputs": written,
            "repaired_runs": self.repairs,
            "versions": versions(),
            "report": self.stats.get_value(
                "cleanwire/report"
            ),  # crawler.reporting.report.RunReport's data, for `cleanwire report`
        }
        text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
        for path in dict.fromkeys(outputs.values()):
            write_atomic(summary_path(Path(path)), text)
