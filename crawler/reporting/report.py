"""Run reports: per-site counts, removals by kind, rejects, slowest pages and articles per day, as standalone HTML."""

from __future__ import annotations

import html as htmllib
import json
import logging
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from itemadapter import ItemAdapter
from scrapy import signals

from cleaners.explain import KIND_COLOURS
from cleaners.options import KINDS
from crawler.clock import utcnow
from crawler.discovery.normalize import site_of
from crawler.output.files import write_atomic
from crawler.settings import with_defaults

logger = logging.getLogger(__name__)

STATS_KEY = "cleanwire/report"  # where the collected report lives in the crawl stats (the run summary copies it)
SLOWEST = 10  # pages listed as slowest
MAX_DAYS = 60  # days shown in the articles-per-day chart (the latest ones)
MAX_LABELS = 15  # day labels under the chart at most
CHART_WIDTH = 720  # pixels
COUNTED = {  # Scrapy stats copied into a report written by the extension
    "downloader/request_count": "requests",
    "downloader/response_count": "responses",
    "item_scraped_count": "emitted",
    "item_dropped_count": "dropped",
    "log_count/ERROR": "errors",
}


def empty_report() -> dict:
    return {"sites": {}, "removed": {}, "rejects": {}, "slowest": [], "per_day": {}}


class RunReport:
    """Extension: collects the report during the crawl into the stats (STATS_KEY); CLEANWIRE_RUN_REPORT=PATH also
    writes it, with the run's counts, as a summary JSON at the end."""

    def __init__(self, stats, path: str = "") -> None:
        self.stats, self.path = stats, path
        self.report = empty_report()
        self.started = datetime.now(UTC)
        self.clock = time.monotonic()
        stats.set_value(STATS_KEY, self.report)

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler.stats, with_defaults(crawler.settings).get("CLEANWIRE_RUN_REPORT"))
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def site(self, url: str | None) -> dict:
        return self.report["sites"].setdefault(site_of(url) or "unknown", {"fetched": 0, "emitted": 0, "dropped": 0})

    def response_received(self, response, request, spider=None) -> None:
        self.site(response.url)["fetched"] += 1
        if response.status >= 400:
            key = str(response.status)
            self.report["rejects"][key] = self.report["rejects"].get(key, 0) + 1
        latency = request.meta.get("download_latency")
        if latency is not None:
            slowest = self.report["slowest"]
            slowest.append({"url": response.url, "seconds": round(latency, 3), "status": response.status})
            slowest.sort(key=lambda p: -p["seconds"])
            del slowest[SLOWEST:]

    def item_scraped(self, item, response=None, spider=None) -> None:
        add_record(self.report, item if isinstance(item, dict) else ItemAdapter(item).asdict())  # no deep copy

    def item_dropped(self, item, response=None, exception=None, spider=None) -> None:
        self.site(ItemAdapter(item).get("url"))["dropped"] += 1

    def spider_closed(self, spider, reason: str) -> None:
        stats = self.stats.get_stats()
        robots = stats.get("robotstxt/forbidden", 0)
        for key, value in stats.items():
            if key.startswith("downloader/exception_type_count/"):
                name = key.rsplit(".", 1)[-1]
                if name == "IgnoreRequest" and robots:  # Scrapy's robots.txt middleware refuses with IgnoreRequest
                    self.report["rejects"]["robots.txt"] = robots
                    value -= robots
                if value > 0:
                    self.report["rejects"][name] = value
        if not self.path:
            return
        summary = {
            "started": self.started.isoformat(timespec="seconds"),
            "ended": utcnow(),
            "duration_seconds": round(time.monotonic() - self.clock, 3),
            "finish_reason": reason,
            "counts": {name: stats[key] for key, name in COUNTED.items() if key in stats},
            "report": self.report,
        }
        write_atomic(self.path, json.dumps(summary, indent=2, ensure_ascii=False) + "\n")


def add_record(report: dict, record: dict) -> None:
    """Count one emitted article record: its site, its removals by kind, its publication day."""
    site = report["sites"].setdefault(
        site_of(record.get("url")) or "unknown", {"fetched": 0, "emitted": 0, "dropped": 0}
    )
    site["emitted"] += 1
    for removal in record.get("removed") or []:
        kind = removal.get("kind") or "other"
        report["removed"][kind] = report["removed"].get(kind, 0) + 1
    day = (record.get("date_published") or "")[:10]
    if len(day) == 10:
        report["per_day"][day] = report["per_day"].get(day, 0) + 1


def report_from_records(records: Iterable[dict]) -> dict:
    """A report computed from output records alone (no rejects or latencies: those are not in records)."""
    report = empty_report()
    for record in records:
        add_record(report, record)
    report["rejects"] = report["slowest"] = None
    return report


def read_jsonl(path: Path) -> list[dict]:
    """Complete JSON lines of an output file (a killed run's partial last line is skipped)."""
    records = []
    for line in path.read_text("utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


SUMMARY_KEYS = {"report", "counts", "outputs"}  # a run summary has at least one of these


def load(path: str | Path) -> dict:
    """A run summary with its report: from a summary JSON (ours or the state pipeline's) or an output JSONL."""
    path = Path(path)
    if path.suffix in (".jsonl", ".ndjson"):
        return {"counts": {}, "report": report_from_records(read_jsonl(path)), "source": str(path)}
    summary = json.loads(path.read_text("utf-8"))
    if not isinstance(summary, dict):
        raise ValueError("expected a JSON object")
    if not SUMMARY_KEYS & summary.keys():
        raise ValueError("no report, counts or outputs in it")
    if not summary.get("report"):
        records: list[dict] = []
        for output in summary.get("outputs") or []:
            file = Path(output.get("path", ""))
            if file.is_file():
                records += read_jsonl(file)
        summary["report"] = report_from_records(records)
    summary["source"] = str(path)
    return summary


# ------------------------------------------------------------ HTML

CSS = """
body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#212529}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #dee2e6}
table{border-collapse:collapse;margin:.5rem 0}th,td{padding:3px 12px 3px 0;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}.swatch{display:inline-block;width:.9em;height:.9em;
margin-right:.4em;vertical-align:-.1em;border:1px solid #adb5bd}.bar{fill:#4c6ef5}.axis{font:11px sans-serif;fill:#495057}
.none{color:#868e96;font-style:italic}td.url{max-width:36rem;overflow-wrap:anywhere}
"""


def render_html(summary: dict) -> str:
    """The report as one standalone page: inline CSS and SVG, no scripts, no external resources."""
    report = summary.get("report") or empty_report()
    title = f"cleanwire run {summary.get('run_id', '')}".strip()
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_esc(title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{_esc(title)}</h1>",
        _overview(summary),
        _sites(report["sites"]),
        _removed(report["removed"]),
        _rejects(report.get("rejects")),
        _slowest(report.get("slowest")),
        _per_day(report["per_day"]),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _esc(value) -> str:
    return htmllib.escape(str(value))


def _table(section: str, head: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    cells = "".join(
        "<tr>"
        + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    heads = "".join(f"<th>{_esc(h)}</th>" for h in head)
    return f'<table id="{section}"><thead><tr>{heads}</tr></thead><tbody>{cells}</tbody></table>'


def _none(section: str, text: str) -> str:
    return f'<p class="none" id="{section}">{_esc(text)}</p>'


def _overview(summary: dict) -> str:
    fields = [
        ("source", summary.get("source")),
        ("status", summary.get("status")),
        ("finish reason", summary.get("finish_reason")),
        ("started", summary.get("started")),
        ("duration (s)", summary.get("duration_seconds")),
    ]
    fields += [(k, v) for k, v in (summary.get("counts") or {}).items() if isinstance(v, (int, float))]
    rows = [[_esc(k), _esc(v)] for k, v in fields if v not in (None, "")]
    return "<h2>Run</h2>" + _table("overview", ["", ""], rows, set())


def _sites(sites: dict) -> str:
    if not sites:
        return "<h2>Sites</h2>" + _none("sites", "no pages")
    rows = [
        [_esc(site), str(c["fetched"]), str(c["emitted"]), str(c["dropped"])]
        for site, c in sorted(sites.items(), key=lambda s: (-s[1]["emitted"], s[0]))
    ]
    return "<h2>Sites</h2>" + _table("sites", ["site", "fetched", "emitted", "dropped"], rows, {1, 2, 3})


def _removed(removed: dict) -> str:
    if not removed:
        return "<h2>Boilerplate removed by kind</h2>" + _none("removed", "nothing removed")
    order = sorted(removed, key=lambda k: (-removed[k], KINDS.index(k) if k in KINDS else len(KINDS)))
    rows = [
        [f'<span class="swatch" style="background:{KIND_COLOURS.get(k, "#dee2e6")}"></span>{_esc(k)}', str(removed[k])]
        for k in order
    ]
    return "<h2>Boilerplate removed by kind</h2>" + _table("removed", ["kind", "blocks"], rows, {1})


def _rejects(rejects: dict | None) -> str:
    if rejects is None:
        return "<h2>Rejects by status</h2>" + _none("rejects", "not recorded for this run")
    if not rejects:
        return "<h2>Rejects by status</h2>" + _none("rejects", "no rejects")
    rows = [[_esc(k), str(v)] for k, v in sorted(rejects.items(), key=lambda r: (-r[1], r[0]))]
    return "<h2>Rejects by status</h2>" + _table("rejects", ["status or error", "pages"], rows, {1})


def _slowest(slowest: list | None) -> str:
    if not slowest:
        return "<h2>Slowest pages</h2>" + _none("slowest", "not recorded for this run")
    rows = [[f"{p['seconds']:.3f}", str(p["status"]), f'<span class="url">{_esc(p["url"])}</span>'] for p in slowest]
    return "<h2>Slowest pages</h2>" + _table("slowest", ["seconds", "status", "url"], rows, {0, 1})


def _per_day(per_day: dict) -> str:
    """Articles per publication day as an inline SVG bar chart (the latest MAX_DAYS days)."""
    if not per_day:
        return "<h2>Articles per day</h2>" + _none("per-day", "no dated articles")
    days = sorted(per_day)[-MAX_DAYS:]
    top = max(per_day[d] for d in days)
    width, height, left, bottom = CHART_WIDTH, 170, 30, 44
    step = (width - left) / len(days)
    every = max(1, len(days) // MAX_LABELS)
    bars = []
    for i, day in enumerate(days):
        h = (height - bottom - 10) * per_day[day] / top
        x, y, mid = left + i * step + 1, height - bottom - h, left + (i + 0.5) * step
        bars.append(
            f'<rect class="bar" data-day="{day}" data-count="{per_day[day]}" x="{x:.1f}" y="{y:.1f}" '
            f'width="{max(step - 2, 1):.1f}" height="{h:.1f}"><title>{day}: {per_day[day]}</title></rect>'
        )
        if i % every == 0:
            bars.append(
                f'<text class="axis" x="{mid:.1f}" y="{height - bottom + 12}" text-anchor="end" '
                f'transform="rotate(-45 {mid:.1f} {height - bottom + 12})">{day[5:]}</text>'
            )
    axis = (
        f'<text class="axis" x="{left - 4}" y="14" text-anchor="end">{top}</text>'
        f'<text class="axis" x="{left - 4}" y="{height - bottom}" text-anchor="end">0</text>'
    )
    svg = (
        f'<svg id="per-day" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="articles per day, {len(days)} days">{axis}{"".join(bars)}</svg>'
    )
    return f"<h2>Articles per day</h2>{svg}"


def render_text(summary: dict) -> str:
    """A plain-text digest of the report for the terminal."""
    report = summary.get("report") or empty_report()
    lines = [f"sites: {len(report['sites'])}, emitted {sum(s['emitted'] for s in report['sites'].values())}"]
    lines += [
        f"  {site:30} fetched {c['fetched']:6} emitted {c['emitted']:6} dropped {c['dropped']:6}"
        for site, c in sorted(report["sites"].items())
    ]
    removed = ", ".join(f"{k} {v}" for k, v in sorted(report["removed"].items(), key=lambda r: -r[1]))
    lines.append(f"removed: {removed or 'nothing'}")
    rejects = report.get("rejects")
    lines.append(
        "rejects: "
        + (", ".join(f"{k} {v}" for k, v in rejects.items()) or "none" if rejects is not None else "not recorded")
    )
    return "\n".join(lines) + "\n"
