"""Deploy the project egg to a scrapyd on 127.0.0.1, schedule the site spider on the fixture site, check the items."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.demo.server import FixtureSite

from conftest import ROOT

requests = pytest.importorskip("requests")
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(
    not (BIN / "scrapyd").exists() or not (BIN / "scrapyd-deploy").exists(),
    reason="scrapyd and scrapyd-client come with the test extras",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_egg(tmp_path: Path) -> Path:
    """`scrapyd-deploy --build-egg` on a copy of the project (it writes a setup.py where it runs)."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "scrapy.cfg", project)
    for package in ("cleaners", "crawler"):
        shutil.copytree(ROOT / package, project / package, ignore=shutil.ignore_patterns("__pycache__"))
    egg = tmp_path / "cleanwire.egg"
    subprocess.run(
        [str(BIN / "scrapyd-deploy"), "--build-egg", str(egg)],
        cwd=project,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return egg


def start_scrapyd(tmp_path: Path, port: int) -> subprocess.Popen:
    home = tmp_path / "scrapyd"
    home.mkdir()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = eggs\nlogs_dir = logs\n"
        "items_dir = items\ndbs_dir = dbs\nmax_proc = 1\npoll_interval = 0.2\n",
        "utf-8",
    )
    log = open(home / "scrapyd.log", "wb")  # noqa: SIM115  (the server writes to it until it stops)
    server = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/daemonstatus.json", timeout=1).json()["status"] == "ok":
                return server
        except requests.RequestException:
            time.sleep(0.2)
    server.kill()
    raise AssertionError((home / "scrapyd.log").read_text("utf-8", "replace")[-2000:])


def run_job(api: str, settings: dict, site_url: str) -> str:
    data = [("project", "cleanwire"), ("spider", "site"), ("url", site_url)]
    data += [("setting", f"{name}={value}") for name, value in settings.items()]
    job = requests.post(f"{api}/schedule.json", data=data, timeout=10).json()
    assert job["status"] == "ok", job
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        jobs = requests.get(f"{api}/listjobs.json", params={"project": "cleanwire"}, timeout=10).json()
        if any(j["id"] == job["jobid"] for j in jobs["finished"]):
            return job["jobid"]
        time.sleep(0.3)
    raise AssertionError(f"job {job['jobid']} did not finish: {jobs}")


def test_the_project_deploys_to_scrapyd_and_crawls_the_fixture_site_incrementally(tmp_path):
    egg = build_egg(tmp_path)
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    server = start_scrapyd(tmp_path, port)
    try:
        with egg.open("rb") as fh:
            added = requests.post(
                f"{api}/addversion.json", data={"project": "cleanwire", "version": "1"}, files={"egg": fh}, timeout=30
            ).json()
        assert added["status"] == "ok" and added["spiders"] >= 2, added
        settings = {
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "CLEANWIRE_WORKERS": 1,
            "CLEANWIRE_STATE": tmp_path / "state.db",
            "CLEANWIRE_TEMPLATE_HOLD_SECONDS": 1,
            "CLEANWIRE_OUTPUT_TEMPLATE": tmp_path / "out" / "{site}" / "{run_id}.jsonl",
        }
        with FixtureSite() as site:
            articles = {site.url(path) for path in site.article_paths()}
            first = run_job(api, settings, site.url("/"))
            added_paths = site.add_articles(3)
            second = run_job(api, settings, site.url("/"))
    finally:
        server.terminate()
        server.wait(10)
    items_dir = tmp_path / "scrapyd" / "items" / "cleanwire" / "site"
    items = [json.loads(line) for line in (items_dir / f"{first}.jl").read_text("utf-8").splitlines()]
    assert {i["url"] for i in items} <= articles and len(items) == len({i["url"] for i in items}) >= 45
    journal = {
        p.name: [json.loads(x) for x in p.read_text("utf-8").splitlines()] for p in (tmp_path / "out").glob("*/*.jsonl")
    }
    assert [i["url"] for i in journal["1.jsonl"]] == [i["url"] for i in items]
    assert sorted(i["url"] for i in journal["2.jsonl"]) == sorted(site.url(p) for p in added_paths)
    later = [json.loads(line) for line in (items_dir / f"{second}.jl").read_text("utf-8").splitlines()]
    assert sorted(i["url"] for i in later) == sorted(site.url(p) for p in added_paths)
