"""WarcWriter: a downloader middleware archiving every response (WARC/1.1, warcio), rotating files by size."""

from __future__ import annotations

import io
import logging
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured

import cleaners
from crawler.settings import with_defaults

if TYPE_CHECKING:
    from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)

WARC_VERSION = "1.1"
#: hop-by-hop header the download handler already undid; kept under Common Crawl's name so readers do not re-apply it
RENAMED_HEADERS = {"transfer-encoding": "X-Crawler-Transfer-Encoding"}


def rotated_name(path: Path, counter: int) -> Path:
    """out.warc.gz -> out-00000.warc.gz, out-00001.warc.gz, ..."""
    name = path.name
    for suffix in (".warc.gz", ".warc"):
        if name.endswith(suffix):
            return path.with_name(f"{name[: -len(suffix)]}-{counter:05d}{suffix}")
    return path.with_name(f"{name}-{counter:05d}.warc.gz")


class WarcWriter:
    """Writes request, response and metadata records for each response; a new file past max_bytes."""

    def __init__(self, path: str | Path, max_bytes: int, robots_obeyed: bool = True) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.robots_obeyed = robots_obeyed
        self.gzip = not rotated_name(self.path, 0).name.endswith(".warc")
        self.counter = -1
        self.file: io.BufferedWriter | None = None
        self.writer: WARCWriter | None = None
        self.files: list[Path] = []
        self.records = 0

    @classmethod
    def from_crawler(cls, crawler):
        settings = with_defaults(crawler.settings)
        path = settings.get("CLEANWIRE_WARC")
        if not path:
            raise NotConfigured("CLEANWIRE_WARC is not set")
        writer = cls(path, settings.getint("CLEANWIRE_WARC_MAX_BYTES"), settings.getbool("ROBOTSTXT_OBEY"))
        crawler.signals.connect(writer.close, signal=signals.spider_closed)
        return writer

    def process_response(self, request, response, spider=None):
        if "playwright" in response.flags:
            return response  # a DOM Chromium rendered is not what the server sent (the plain fetch is archived)
        try:
            self.archive(request, response)
        except OSError as exc:
            logger.error("WARC: could not archive %s: %s", response.url, exc)
        return response

    def archive(self, request, response) -> None:
        writer = self._writer()
        resp = writer.create_warc_record(
            response.url,
            "response",
            payload=io.BytesIO(response.body),
            length=len(response.body),
            http_headers=self._response_headers(response),
        )
        req = writer.create_warc_record(response.url, "request", http_headers=self._request_headers(request))
        writer.write_request_response_pair(req, resp)
        meta = self._metadata(request, response)
        record_id = resp.rec_headers.get_header("WARC-Record-ID")
        metadata = writer.create_warc_record(
            response.url,
            "metadata",
            payload=io.BytesIO(meta),
            length=len(meta),
            warc_content_type="application/warc-fields",
            warc_headers_dict={"WARC-Concurrent-To": record_id, "WARC-Date": resp.rec_headers.get_header("WARC-Date")},
        )
        writer.write_record(metadata)
        self.records += 1
        assert self.file is not None  # opened by self._writer()
        self.file.flush()
        if self.file.tell() >= self.max_bytes:
            self._close_file()

    def _writer(self):
        if self.writer is None:
            from warcio.warcwriter import WARCWriter

            self.counter += 1
            path = rotated_name(self.path, self.counter)
            path.parent.mkdir(parents=True, exist_ok=True)
            self.file = path.open("wb")
            self.files.append(path)
            self.writer = WARCWriter(self.file, gzip=self.gzip, warc_version=WARC_VERSION)
            info = {
                "software": f"cleanwire/{cleaners.__version__}",
                "format": f"WARC File Format {WARC_VERSION}",
                "robots": "obey" if self.robots_obeyed else "ignore",
            }
            self.writer.write_record(self.writer.create_warcinfo_record(path.name, info))
            logger.info("WARC: writing %s", path)
        return self.writer

    @staticmethod
    def _response_headers(response):
        from warcio.statusandheaders import StatusAndHeaders

        headers = []
        for name, values in response.headers.items():
            text = name.decode("latin-1")
            for value in values:
                headers.append((RENAMED_HEADERS.get(text.lower(), text), value.decode("latin-1")))
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(response.body))))
        try:
            phrase = HTTPStatus(response.status).phrase
        except ValueError:
            phrase = ""
        protocol = getattr(response, "protocol", None) or "HTTP/1.1"
        return StatusAndHeaders(f"{response.status} {phrase}".strip(), headers, protocol=protocol)

    @staticmethod
    def _request_headers(request):
        from warcio.statusandheaders import StatusAndHeaders

        parts = urlsplit(request.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = [("Host", parts.netloc)]
        for name, values in request.headers.items():
            headers.extend((name.decode("latin-1"), v.decode("latin-1")) for v in values)
        return StatusAndHeaders(f"{request.method} {target}", headers, protocol="HTTP/1.1", is_http_request=True)

    @staticmethod
    def _metadata(request, response) -> bytes:
        fields = {
            "fetchTimeMs": _ms(request.meta.get("download_latency")),
            "depth": request.meta.get("depth"),
            "via": request.headers.get("Referer", b"").decode("latin-1") or None,
            "requestUrl": request.url if request.url != response.url else None,
        }
        return "".join(f"{k}: {v}\r\n" for k, v in fields.items() if v not in (None, "")).encode("utf-8")

    def _close_file(self) -> None:
        if self.file is not None:
            self.file.close()
        self.file = self.writer = None

    def close(self, spider=None) -> None:
        self._close_file()
        if self.files:
            logger.info("WARC: %d responses archived in %d file(s)", self.records, len(self.files))


def _ms(seconds) -> int | None:
    return None if seconds is None else int(seconds * 1000)
