"""`cleanwire explain --html` and `cleanwire report --html` opened in headless Chromium: DOM and screenshot checked."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from lxml import html as lxml_html

from cleaners.explain import KIND_COLOURS
from crawler.demo.server import FixtureSite

from conftest import CLEANWIRE, ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
WINDOW = (1000, 2400)
PAGE = ROOT / "fixtures" / "pages" / "deftechtimes" / "taiwan-envoy-israel.html"
PAGE_URL = "https://deftechtimes.com/taiwan-envoy-israel-missile-defence/"
BAR = (0x4C, 0x6E, 0xF5)  # crawler.reporting.report CSS .bar fill
EXTERNAL = re.compile(r"""(?:src|href|action|poster|srcset)\s*=|url\(|@import|<script|<link|<iframe""", re.I)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium; .ci/run does)"
)


def browse(page: Path, tmp_path: Path) -> tuple[lxml_html.HtmlElement, Path]:
    """The DOM Chromium rendered for a local file, and a screenshot of it."""
    common = [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={WINDOW[0]},{WINDOW[1]}"]
    dom = subprocess.run([*common, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=60)
    assert dom.returncode == 0 and "<html" in dom.stdout, dom.stderr[-2000:]
    shot = tmp_path / (page.stem + ".png")
    run = subprocess.run([*common, f"--screenshot={shot}", page.as_uri()], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    return lxml_html.document_fromstring(dom.stdout), shot


def colours(png: Path) -> Counter:
    from PIL import Image

    with Image.open(png) as image:
        assert image.size == WINDOW
        return Counter(image.convert("RGB").getdata())


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def assert_standalone(source: str) -> None:
    """No scripts, links, images or CSS URLs: the page loads nothing from anywhere."""
    assert EXTERNAL.findall(source) == []


def test_explain_report_in_the_browser(tmp_path):
    out = tmp_path / "explain.html"
    proc = subprocess.run(
        [*CLEANWIRE, "explain", str(PAGE), "--url", PAGE_URL, "--html", str(out), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    entries = json.loads(proc.stdout)
    assert {e["status"] for e in entries} == {"kept", "removed"}
    removed = [e for e in entries if e["status"] == "removed"]
    kinds = Counter(e["kind"] for e in removed)
    assert_standalone(out.read_text("utf-8"))
    dom, shot = browse(out, tmp_path)
    legend = dom.find_class("legend")
    assert len(legend) == 1
    text = " ".join(legend[0].text_content().split())
    assert text.startswith(f"kept {len(entries) - len(removed)} · removed {len(removed)}: ")
    assert sorted(s.text_content() for s in legend[0].iter("span")) == sorted(f"{k} {n}" for k, n in kinds.items())
    blocks = dom.find_class("removed")
    assert len(blocks) == len(removed)
    assert [b.find("del").text_content() for b in blocks] == [e["text"] for e in removed]
    assert [next(c[2:] for c in b.get("class").split() if c.startswith("k-")) for b in blocks] == [
        e["kind"] if e["kind"] in KIND_COLOURS else "other" for e in removed
    ]
    painted = colours(shot)
    for kind in kinds:  # every legend swatch is painted in its kind's colour
        assert painted[rgb(KIND_COLOURS.get(kind, KIND_COLOURS["other"]))] > 50, kind


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """A crawl of the fixture site with its run report, the records, and Scrapy's final stats."""
    tmp = tmp_path_factory.mktemp("report")
    out, summary = tmp / "out.jsonl", tmp / "run.json"
    with FixtureSite() as site:
        proc = subprocess.run(
            [
                *CLEANWIRE,
                "crawl",
                site.origin + "/",
                "-o",
                str(out),
                "-s",
                "DOWNLOAD_DELAY=0",
                "-s",
                "AUTOTHROTTLE_ENABLED=False",
                "-s",
                "CLEANWIRE_WORKERS=2",
                "-s",
                "LOG_LEVEL=INFO",
                "-s",
                f"CLEANWIRE_RUN_REPORT={summary}",
                "-s",
                'EXTENSIONS={"crawler.reporting.report.RunReport": 530}',
            ],  # also in crawler/settings.py
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
        host = site.origin.split("//", 1)[1]
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    stats = {k: int(v) for k, v in re.findall(r"'([\w/.]+)': (\d+)", proc.stderr.split("Dumping Scrapy stats", 1)[1])}
    return tmp, summary, records, stats, host


def rows(dom, table_id: str) -> list[list[str]]:
    table = dom.get_element_by_id(table_id)
    return [
        [" ".join(td.text_content().split()) for td in tr.iter("td")]
        for tr in table.iter("tr")
        if tr.find("td") is not None
    ]


def test_run_report_in_the_browser(crawled):
    tmp, summary, records, stats, host = crawled
    page = tmp / "report.html"
    proc = subprocess.run(
        [*CLEANWIRE, "report", str(summary), "--html", str(page)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert_standalone(page.read_text("utf-8"))
    dom, shot = browse(page, tmp)
    fetched = stats["response_received_count"]
    assert rows(dom, "sites") == [[host, str(fetched), str(len(records)), "0"]]
    removed = Counter(r["kind"] for rec in records for r in rec["removed"])
    assert {k: int(n) for k, n in rows(dom, "removed")} == dict(removed)
    assert [int(n) for _, n in rows(dom, "removed")] == sorted(removed.values(), reverse=True)
    assert ["404", str(stats["downloader/response_status_count/404"])] in rows(dom, "rejects")
    slowest = [float(r[0]) for r in rows(dom, "slowest")]
    assert len(slowest) == 10 and slowest == sorted(slowest, reverse=True)
    days = Counter(r["date_published"][:10] for r in records if r.get("date_published"))
    bars = dom.get_element_by_id("per-day").findall(".//rect")
    assert {b.get("data-day"): int(b.get("data-count")) for b in bars} == dict(days)
    painted = colours(shot)
    assert painted[BAR] > 500  # the chart's bars were drawn
    for kind in removed:
        assert painted[rgb(KIND_COLOURS.get(kind, KIND_COLOURS["other"]))] > 20, kind


def test_report_falls_back_to_the_output_records(crawled, tmp_path):
    from crawler.reporting.report import load, render_html

    run_dir, _, records, _, _ = crawled
    summary = tmp_path / "state-run.summary.json"
    summary.write_text(
        json.dumps(
            {
                "run_id": 7,
                "status": "finished",
                "counts": {"emitted": len(records)},
                "outputs": [{"path": str(run_dir / "out.jsonl"), "records": len(records)}],
            }
        )
    )
    loaded = load(summary)
    assert loaded["report"]["rejects"] is None and loaded["report"]["slowest"] is None
    assert sum(s["emitted"] for s in loaded["report"]["sites"].values()) == len(records)
    page = render_html(loaded)
    assert "<h1>cleanwire run 7</h1>" in page
    assert '<p class="none" id="rejects">not recorded for this run</p>' in page
