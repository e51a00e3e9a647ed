"""Render throughput and browser memory: `cleanwire crawl --render always` over N client-rendered fixture pages.

Builds a copy of fixtures/jssite with N article pages (each an application shell whose article a script builds
from its own article.json, listed by a sitemap), serves it on 127.0.0.1, crawls it with every page rendered
in headless Chromium, and polls the RSS summed over the Chromium processes under the crawl against the
number of pages the browser has fetched. Prints pages/s and the browser's RSS at 50 and at N pages (flat:
contexts are recycled every CLEANWIRE_RENDER_CONTEXT_PAGES pages). Not a test.

    .venv/bin/python benchmarks/render.py [--pages 300] [--context-pages 20] [--concurrency 2]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.demo.server import FixtureSite  # noqa: E402

SOURCE = ROOT / "fixtures" / "jssite"
ARTICLE = SOURCE / "www" / "2025" / "03" / "harbour-lights-return"
MARKS = (50,)  # rendered pages at which the browser's RSS is reported (and at the last page)
WINDOW = 20  # pages before each mark whose RSS samples give the median (one context's worth)


def build_site(root: Path, pages: int) -> list[str]:
    """A fixture root with `pages` shell pages under /a/N/, each with its own article.json; their paths."""
    www = root / "www"
    shutil.copytree(SOURCE / "www" / "static", www / "static")
    (root / "manifest.json").write_text(
        json.dumps({"redirects": {}, "flaky": [], "files": {}, "articles": [], "private_articles": []})
    )
    shell = (ARTICLE / "index.html").read_bytes()
    data = json.loads((ARTICLE / "article.json").read_text("utf-8"))
    paths = []
    for n in range(pages):
        path = f"/a/{n}/"
        folder = www / "a" / str(n)
        folder.mkdir(parents=True)
        (folder / "index.html").write_bytes(shell)
        page = {
            **data,
            "headline": f"{data['headline']} (part {n})",
            "paragraphs": [f"{p} Part {n}, paragraph {i}." for i, p in enumerate(data["paragraphs"])],
        }
        (folder / "article.json").write_text(json.dumps(page), "utf-8")
        paths.append(path)
    urls = "".join(f"<url><loc>{{{{ORIGIN}}}}{p}</loc></url>" for p in paths)
    (www / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
        f'schemas/sitemap/0.9">{urls}</urlset>\n',
        "utf-8",
    )
    (www / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    (www / "index.html").write_text(
        "<!DOCTYPE html><html><head><title>Index</title></head><body>"
        "<p>Client-rendered pages, listed by the sitemap.</p></body></html>\n"
    )
    return paths


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(pid: int) -> list[int]:
    """Every process under `pid` (children from /proc/*/stat)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                parents.setdefault(int(fields[1]), []).append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def is_chromium(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"chromium" in fh.read().split(b"\0", 1)[0]
    except OSError:
        return False


class BrowserMemory:
    """Polls the summed RSS of the Chromium processes under the crawl against the pages rendered so far."""

    def __init__(self, pid: int, rendered) -> None:
        self.pid = pid
        self.rendered = rendered
        self.samples: list[tuple[int, int, int]] = []  # (pages rendered, browser RSS kB, processes)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.is_set():
            browser = [p for p in descendants(self.pid) if is_chromium(p)]
            if browser:
                self.samples.append((self.rendered(), sum(rss_kb(p) for p in browser), len(browser)))
            self.stop.wait(0.25)

    def at(self, pages: int, window: int = WINDOW) -> tuple[int, int] | None:
        """(median RSS kB, most processes) of the samples taken while pages `pages - window` to `pages` rendered:
        contexts are replaced every few pages, so a single sample lands anywhere on that sawtooth."""
        near = [(rss, count) for done, rss, count in self.samples if pages - window <= done <= pages]
        if not near:
            return None
        return statistics.median(rss for rss, _ in near), max(count for _, count in near)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--context-pages", type=int, default=None, help="CLEANWIRE_RENDER_CONTEXT_PAGES")
    parser.add_argument("--concurrency", type=int, default=None, help="CLEANWIRE_RENDER_CONCURRENCY")
    args = parser.parse_args(argv)
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        print("benchmarks/render.py: Chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="cleanwire-render-") as tmp:
        root = Path(tmp) / "site"
        paths = set(build_site(root, args.pages))
        with FixtureSite(root=root, cache_size=4 * args.pages + 16) as site:
            before = 0

            def rendered() -> int:  # page loads by the browser: the script's article.json requests
                return sum(1 for _, target, _ in list(site.requests)[before:] if target.endswith("/article.json"))

            out = Path(tmp) / "out.jsonl"
            command = [
                sys.executable,
                "-m",
                "crawler",
                "crawl",
                site.origin + "/",
                "-o",
                str(out),
                "-s",
                "DOWNLOAD_DELAY=0",
                "-s",
                "AUTOTHROTTLE_ENABLED=False",
                "-s",
                "CLEANWIRE_RENDER_MAX_PAGES=0",
                "-s",
                "CLEANWIRE_RENDER_MAX_PAGES_PER_SITE=0",
                "-s",
                "CLEANWIRE_WORKERS=1",
            ]
            # reference, same run: the same pages fetched plainly (--render never: shells, nothing emitted)
            started = time.monotonic()
            subprocess.run([*command, "--render", "never"], cwd=ROOT, capture_output=True, check=False)
            plain_elapsed = time.monotonic() - started
            plain_pages = sum(1 for _, t, _ in site.requests if t.startswith("/a/") and t.endswith("/"))
            before = len(site.requests)
            command += ["--render", "always"]
            if args.context_pages:
                command += ["-s", f"CLEANWIRE_RENDER_CONTEXT_PAGES={args.context_pages}"]
            if args.concurrency:
                command += ["-s", f"CLEANWIRE_RENDER_CONCURRENCY={args.concurrency}"]
            started = time.monotonic()
            proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            memory = BrowserMemory(proc.pid, rendered)
            memory.thread.start()
            first = None
            while proc.poll() is None:
                if first is None and rendered():
                    first = time.monotonic()
                time.sleep(0.05)
            elapsed = time.monotonic() - started
            memory.stop.set()
            memory.thread.join()
            stderr = proc.stderr.read()
            done = rendered()
            served = {t for _, t, _ in site.requests}
            records = sum(1 for _ in out.open()) if out.exists() else 0
    if proc.returncode != 0 or records != len(paths):
        print(f"crawl exited {proc.returncode} with {records} of {len(paths)} records:\n{stderr}", file=sys.stderr)
        return 1
    blocked = [t for t in served if t.endswith((".svg", "other-host.js"))]
    since_first = elapsed - (first - started) if first else elapsed
    print(
        f"rendered {done} pages ({records} records) in {elapsed:.1f} s: {done / elapsed:.2f} pages/s overall, "
        f"{done / since_first:.2f} pages/s from the first page (browser start excluded)"
    )
    print(
        f"  reference, same run: {plain_pages} pages fetched plainly (--render never) in {plain_elapsed:.1f} s: "
        f"{plain_pages / plain_elapsed:.2f} pages/s; rendering is {plain_pages / plain_elapsed / (done / elapsed):.1f}x "
        "slower per page"
    )
    print(f"  images and the other-host script reached the server: {len(blocked)}")
    rows = []
    for mark in (*MARKS, args.pages):
        found = memory.at(mark)
        if found:
            rows.append((mark, *found))
            print(
                f"  browser RSS at {mark:4d} pages: {found[0] / 1024:7.1f} MB (median of the samples over pages "
                f"{mark - WINDOW}-{mark}; up to {found[1]} Chromium processes)"
            )
    if len(rows) >= 2:
        first_rss, last_rss = rows[0][1], rows[-1][1]
        peak = max(rss for _, rss, _ in memory.samples)
        print(
            f"  ratio {rows[-1][0]} / {rows[0][0]} pages: {last_rss / first_rss:.3f} "
            f"({'flat' if abs(last_rss / first_rss - 1) <= 0.10 else 'NOT flat'}: within 10%); "
            f"peak {peak / 1024:.1f} MB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
