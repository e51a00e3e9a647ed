"""Names in Redis: the keys of one crawl, this worker and its session, output ids; the connection from settings."""

from __future__ import annotations

import os
import socket
import uuid

from crawler.settings import CLEANWIRE_REDIS_KEY, with_defaults

TOKEN = uuid.uuid4().hex  # this process's session: a worker declared dead cannot write any more


def output_id(path: str | os.PathLike) -> str:
    """The name of an output file in Redis: this host and its absolute path."""
    return f"{socket.gethostname()}:{os.path.abspath(path)}"


def worker_id(settings) -> str:
    """This worker's name in Redis: CLEANWIRE_REDIS_WORKER, else host:pid."""
    return with_defaults(settings).get("CLEANWIRE_REDIS_WORKER") or f"{socket.gethostname()}:{os.getpid()}"


class Keys:
    """The Redis keys of one crawl (prefix CLEANWIRE_REDIS_KEY) as seen by one worker."""

    def __init__(self, settings, spider_name: str) -> None:
        self.prefix = (with_defaults(settings).get("CLEANWIRE_REDIS_KEY") or CLEANWIRE_REDIS_KEY) % {
            "spider": spider_name
        }
        self.worker = worker_id(settings)
        self.queue = f"{self.prefix}:requests"
        self.dupefilter = f"{self.prefix}:dupefilter"
        self.emitted = f"{self.prefix}:emitted"
        self.workers = f"{self.prefix}:workers"
        self.jobs = f"{self.prefix}:jobs"
        self.committed = f"{self.prefix}:committed"  # output id -> bytes of that file committed

    def processing(self, worker: str | None = None) -> str:
        return f"{self.prefix}:processing:{worker or self.worker}"

    def heartbeat(self, worker: str | None = None) -> str:
        return f"{self.prefix}:heartbeat:{worker or self.worker}"

    def claims(self, worker: str | None = None) -> str:
        return f"{self.prefix}:claims:{worker or self.worker}"

    def session(self, worker: str | None = None) -> str:
        return f"{self.prefix}:session:{worker or self.worker}"


def connect(settings):
    """The crawl's Redis connection (scrapy-redis reads REDIS_URL)."""
    from scrapy_redis.connection import get_redis_from_settings

    return get_redis_from_settings(settings)
