"""Bad output paths and unreadable inputs: one line naming the path and the reason, exit 1, no traceback, no output
file replaced by a half-written or empty one, devices and links written through, never replaced."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import threading

import pytest
from test_warc import write_common_crawl_style

from conftest import CLEANWIRE, PAGES, ROOT

SEED = PAGES / "neutral" / "taiwan-envoy-israel.html"
SEED_URL = "https://deftechtimes.com/taiwan-envoy-israel-missile-defence/"


def cleanwire(*args, input=None):
    return subprocess.run(
        [*CLEANWIRE, *args], capture_output=True, cwd=ROOT, input=input, timeout=180, preexec_fn=lambda: os.umask(0o022)
    )


def one_line(stderr: bytes) -> str:
    text = stderr.decode()
    assert "Traceback" not in text
    lines = text.splitlines()
    assert len(lines) == 1, text
    return lines[0]


def test_symlink_output_replaces_the_target_and_keeps_its_mode(tmp_path):
    real, link = tmp_path / "real.jsonl", tmp_path / "link.jsonl"
    real.write_text("old\n")
    real.chmod(0o640)
    link.symlink_to(real.name)
    out = cleanwire("extract", str(SEED), "--url", SEED_URL, "-o", str(link))
    assert out.returncode == 0, out.stderr
    assert link.is_symlink() and os.readlink(link) == "real.jsonl"
    assert json.loads(real.read_text())["url"] == SEED_URL
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_new_output_file_gets_the_umask_mode_not_0600(tmp_path):
    out = cleanwire("extract", str(SEED), "-o", str(tmp_path / "new.jsonl"))
    assert out.returncode == 0, out.stderr
    assert stat.S_IMODE((tmp_path / "new.jsonl").stat().st_mode) == 0o644


def test_warc_output_gets_the_umask_mode(tmp_path):
    warc = tmp_path / "crawl.warc.gz"
    write_common_crawl_style(warc)
    out = cleanwire("extract", "--warc", str(warc), "-j", "1", "-o", str(tmp_path / "w.jsonl"))
    assert out.returncode == 0, out.stderr
    assert stat.S_IMODE((tmp_path / "w.jsonl").stat().st_mode) == 0o644


def test_fifo_output_is_written_through_not_replaced(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    out = cleanwire("extract", str(SEED), "--url", SEED_URL, "-o", str(fifo))
    reader.join(60)
    assert out.returncode == 0, out.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert json.loads(got[0])["url"] == SEED_URL


def test_full_device_output_stays_a_device(tmp_path):
    device = tmp_path / "full"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 7))  # a /dev/full of our own
        device.open("wb").close()
    except OSError as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    out = cleanwire("extract", str(SEED), "-o", str(device))
    assert out.returncode == 1
    assert one_line(out.stderr) == f"cleanwire extract: {device}: cannot write (No space left on device)"
    assert stat.S_ISCHR(device.stat().st_mode)
    assert not list(tmp_path.glob(".full.*"))


@pytest.mark.parametrize("args", [("nosuch.html",), ("--warc", "nosuch.warc.gz"), ("--warc", "nosuch.warc.gz", "-o")])
def test_a_run_that_reads_nothing_leaves_the_output_untouched(tmp_path, args):
    keep = tmp_path / ("keep.parquet" if args[-1] == "-o" else "keep.jsonl")
    keep.write_text("earlier records\n")
    args = args[:-1] if args[-1] == "-o" else args
    out = cleanwire("extract", *[str(tmp_path / a) if a.startswith("nosuch") else a for a in args], "-o", str(keep))
    assert out.returncode == 1
    err = out.stderr.decode()
    assert "no such file" in err and f"{keep} left unchanged" in err
    assert keep.read_text() == "earlier records\n"


@pytest.mark.parametrize(
    "target, reason",
    [
        ("/proc/x.jsonl", "cannot write (No such file or directory)"),
        ("/proc/x.parquet", "cannot write (No such file or directory)"),
        ("{tmp}", "is a directory"),
    ],
)
def test_unwritable_output_is_one_line_before_any_work(tmp_path, target, reason):
    target = target.format(tmp=tmp_path)
    out = cleanwire("extract", str(SEED), str(tmp_path / "nosuch.html"), "-o", target)
    assert out.returncode == 1
    assert one_line(out.stderr) == f"cleanwire extract: {target}: {reason}"


def test_explain_html_to_unwritable_place(tmp_path):
    out = cleanwire("explain", str(SEED), "--html", "/proc/r.html")
    assert out.returncode == 1
    assert one_line(out.stderr) == "cleanwire explain: /proc/r.html: cannot write (No such file or directory)"
    assert out.stdout == b""


def test_truncated_warc_keeps_the_records_before_the_cut_and_fails(tmp_path):
    warc = tmp_path / "crawl.warc.gz"
    write_common_crawl_style(warc)
    whole = cleanwire("extract", "--warc", str(warc), "-j", "1")
    assert whole.returncode == 0, whole.stderr
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(warc.read_bytes()[:20000])
    out = cleanwire("extract", "--warc", str(cut), "-j", "1")
    assert out.returncode == 1
    err = out.stderr.decode().splitlines()
    assert err[0] == (
        f"cleanwire extract: {cut}: truncated after 7 complete WARC records (the responses before the cut are kept)"
    )
    assert out.stdout.splitlines() == whole.stdout.splitlines()[:2]


def test_corrupt_warc_message_shows_no_raw_bytes(tmp_path):
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x01\x02" + bytes(range(256)) * 4)
    out = cleanwire("extract", "--warc", str(bad))
    assert out.returncode == 1
    first = out.stderr.decode().splitlines()[0]
    assert first.startswith(f"cleanwire extract: {bad}: not a readable WARC file (")
    assert first.isprintable() and len(first) < len(str(bad)) + 200


def test_malformed_urls_are_one_line_each(tmp_path):
    out = cleanwire("extract", "http://[::1", "http://x:99999/", "http:///x")
    assert out.returncode == 1
    assert out.stderr.decode().splitlines() == [
        "cleanwire extract: http://[::1: malformed URL (Invalid IPv6 URL)",
        "cleanwire extract: http://x:99999/: malformed URL (Port out of range 0-65535)",
        "cleanwire extract: http:///x: malformed URL (no host name)",
    ]


def test_unreachable_url_is_one_line_without_scrapy_logs():
    out = cleanwire("extract", "http://127.0.0.1:1/x", "-s", "RETRY_TIMES=0")
    assert out.returncode == 1
    assert one_line(out.stderr).startswith("cleanwire extract: http://127.0.0.1:1/x: DownloadConnectionRefusedError")


@pytest.mark.parametrize(
    "args, message",
    [
        (("--warc", "x.warc.gz", "-j", "-2"), "argument -j/--jobs: must be 1 or more, got -2"),
        (("--warc", "x.warc.gz", "-j", "two"), "argument -j/--jobs: expected a whole number, got 'two'"),
        (("x.html", "-s", "DOWNLOAD_TIMEOUT=abc"), "argument -s/--set: DOWNLOAD_TIMEOUT is a number, got 'abc'"),
        (("x.html", "-s", "ROBOTSTXT_OBEY=maybe"), "argument -s/--set: ROBOTSTXT_OBEY is true or false, got 'maybe'"),
    ],
)
def test_bad_numbers_are_usage_errors(args, message):
    out = cleanwire("extract", *args)
    assert out.returncode == 2
    assert out.stderr.decode().splitlines()[-1] == f"cleanwire extract: error: {message}"


def test_endless_inputs_are_refused_as_too_large():
    out = cleanwire("extract", "/dev/zero")  # st_size 0, never ends
    assert out.returncode == 1
    assert one_line(out.stderr) == "cleanwire extract: /dev/zero: file larger than 100 MB"


def test_warc_from_stdin(tmp_path):
    warc = tmp_path / "crawl.warc.gz"
    write_common_crawl_style(warc)
    out = cleanwire("extract", "--warc", "-", "-j", "1", input=warc.read_bytes())
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.splitlines()) == 4


# ------------------------------------------------------------ crawl: checked before Scrapy starts

LOOPBACK = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "-s",
    "CLEANWIRE_WORKERS=2",
]


@pytest.fixture(scope="module")
def site():
    from crawler.demo.server import FixtureSite

    with FixtureSite() as served:
        yield served


@pytest.mark.parametrize(
    "output, reason",
    [
        ("/proc/x.jsonl", "cannot write (No such file or directory)"),
        ("{tmp}", "is a directory"),
        ("/proc/{{site}}/{{run_started:%Y}}.jsonl", "cannot write (No such file or directory)"),
    ],
)
def test_crawl_to_an_unwritable_output_stops_before_fetching(site, tmp_path, output, reason):
    output = output.format(tmp=tmp_path)
    before = len(site.requests)
    out = (
        cleanwire("crawl", site.origin + "/", "-o", output, "--state", str(tmp_path / "s.db"), *LOOPBACK)
        if "{site}" in output
        else cleanwire("crawl", site.origin + "/", "-o", output, *LOOPBACK)
    )
    assert out.returncode == 1
    assert one_line(out.stderr) == f"cleanwire crawl: {output}: {reason}"
    assert len(site.requests) == before


@pytest.mark.parametrize(
    "args, message",
    [
        (("ftp://x/",), "cleanwire crawl: ftp://x/: unsupported URL scheme 'ftp' (only http and https)"),
        (("notaurl",), "cleanwire crawl: notaurl: not a URL (give http:// or https://)"),
        (("http://[::1",), "cleanwire crawl: http://[::1: malformed URL (Invalid IPv6 URL)"),
        (
            ("--sources", "{tmp}/s.toml"),
            "cleanwire crawl: ftp://x/: unsupported URL scheme 'ftp' (only http and https)",
        ),
    ],
)
def test_crawl_refuses_malformed_site_urls(tmp_path, args, message):
    (tmp_path / "s.toml").write_text('urls = ["ftp://x/"]\n')
    out = cleanwire("crawl", *[a.format(tmp=tmp_path) for a in args])
    assert out.returncode == 2
    assert one_line(out.stderr) == message


@pytest.mark.parametrize(
    "args, message",
    [
        (("--max-pages", "-5"), "argument --max-pages: must be 0 or more, got -5"),
        (("--workers", "-1"), "argument --workers: must be 1 or more, got -1"),
        (("--workers", "0"), "argument --workers: must be 1 or more, got 0"),
        (("--recheck-days", "-1"), "argument --recheck-days: must be 0 or more, got -1"),
    ],
)
def test_crawl_refuses_bad_numbers(args, message):
    out = cleanwire("crawl", "http://127.0.0.1:1/", *args)
    assert out.returncode == 2
    assert out.stderr.decode().splitlines()[-1] == f"cleanwire crawl: error: {message}"


def test_one_off_crawl_where_nothing_answers_fails(tmp_path):
    out = cleanwire("crawl", "http://127.0.0.1:1/", "-o", str(tmp_path / "u.jsonl"), "-s", "RETRY_TIMES=0")
    assert out.returncode == 1
    err = out.stderr.decode()
    assert "Traceback" not in err and "records written" not in err
    assert err.splitlines()[-1] == (
        "cleanwire crawl: no site answered (every request failed: unreachable, refused or timed out)"
    )
    assert out.stdout == b""


def test_crawl_names_the_file_written_on_stderr(site, tmp_path):
    out = cleanwire("crawl", site.origin + "/", "-o", str(tmp_path / "o.jsonl"), *LOOPBACK)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout == b""
    records = (tmp_path / "o.jsonl").read_text().splitlines()
    last = out.stderr.decode().splitlines()[-1]
    assert last == f"cleanwire crawl: {len(records)} records written to {tmp_path}/o.jsonl"
    state = cleanwire(
        "crawl",
        site.origin + "/",
        "--state",
        str(tmp_path / "s.db"),
        "-o",
        str(tmp_path / "runs" / "{site}" / "{run_id}.jsonl"),
        *LOOPBACK,
    )
    assert state.returncode == 0, state.stderr[-3000:]
    [written] = list((tmp_path / "runs").glob("*/1.jsonl"))
    assert state.stderr.decode().splitlines()[-1] == f"cleanwire crawl: {len(records)} records written to {written}"


# ------------------------------------------------------------ report


def test_report_refuses_what_is_not_a_run_summary(tmp_path):
    schema = tmp_path / "schema.json"
    schema.write_bytes(cleanwire("schema").stdout)
    out = cleanwire("report", str(schema))
    assert out.returncode == 2
    assert one_line(out.stderr) == f"cleanwire report: {schema}: not a run summary (no report, counts or outputs in it)"
    assert out.stdout == b""


def test_report_html_to_unwritable_place(tmp_path):
    summary = tmp_path / "run.json"
    summary.write_text(json.dumps({"counts": {"articles": 0}, "report": None}))
    out = cleanwire("report", str(summary), "--html", "/proc/x.html")
    assert out.returncode == 1
    assert one_line(out.stderr) == "cleanwire report: /proc/x.html: cannot write (No such file or directory)"


def test_robots_refusals_are_rejects_named_robots_txt():
    from crawler.reporting.report import RunReport

    class Stats(dict):
        def set_value(self, key, value):
            self[key] = value

        def get_stats(self):
            return dict(self)

    stats = Stats(
        {
            "robotstxt/forbidden": 2,
            "downloader/exception_type_count/scrapy.exceptions.IgnoreRequest": 3,
            "downloader/exception_type_count/crawler.fetching.safety.RefusedRequest": 1,
        }
    )
    report = RunReport(stats)
    report.spider_closed(None, "finished")
    assert report.report["rejects"] == {"robots.txt": 2, "IgnoreRequest": 1, "RefusedRequest": 1}


# ------------------------------------------------------------ --input-format text


def test_text_input_names_binary_and_html_files(tmp_path):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    out = cleanwire("extract", "--input-format", "text", str(pdf), str(SEED))
    assert out.returncode == 1
    assert out.stderr.decode().splitlines() == [
        f"cleanwire extract: {pdf}: binary file (looks like a PDF document), not text",
        f"cleanwire extract: {SEED}: an HTML document, not plain text (use --input-format html)",
    ]


# ------------------------------------------------------------ stdout


def test_stdout_on_a_full_disk_is_one_line(tmp_path):
    with open("/dev/full", "wb") as full:
        for args in (("extract", str(SEED)), ("extract", str(SEED), "-o", "/dev/stdout")):
            out = subprocess.run([*CLEANWIRE, *args], stdout=full, stderr=subprocess.PIPE, cwd=ROOT, timeout=120)
            assert out.returncode == 1
            where = "/dev/stdout" if "-o" in args else "<stdout>"
            assert one_line(out.stderr) == f"cleanwire extract: {where}: cannot write (No space left on device)"


def test_dev_stdout_on_a_pipe_is_written_through():
    out = cleanwire("extract", str(SEED), "--url", SEED_URL, "-o", "/dev/stdout")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["url"] == SEED_URL


@pytest.mark.parametrize("flag", ["--rejects", "--warc"])
def test_crawl_side_files_are_checked_before_fetching(tmp_path, flag):
    out = cleanwire("crawl", "http://127.0.0.1:1/", flag, "/proc/x/side.jsonl")
    assert out.returncode == 1
    assert one_line(out.stderr) == "cleanwire crawl: /proc/x/side.jsonl: cannot write (No such file or directory)"
