"""The crawl state: one SQLite database of URLs, runs, emitted records and learned template blocks."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from w3lib.url import canonicalize_url

from cleaners.errors import CleanwireError
from crawler.clock import utcnow
from crawler.discovery.normalize import site_of

logger = logging.getLogger(__name__)

SAMPLE_CHARS = 160  # characters of a template block's text kept as its sample
BUSY_TIMEOUT = 5.0  # seconds to wait for another connection's write transaction
REFUSED_RECHECK_DAYS = 7.0  # a URL robots.txt refused is asked again after this many days (without --recheck-days)


def default_state_path() -> Path:
    """~/.local/share/cleanwire/state.db (or under $XDG_DATA_HOME)."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "cleanwire" / "state.db"


#: ordered schema migrations: MIGRATIONS[n] takes a database from user_version n to n + 1
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE urls (
            url TEXT PRIMARY KEY, site TEXT NOT NULL,
            first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, last_fetched TEXT, http_status INTEGER,
            etag TEXT, last_modified TEXT, lastmod TEXT, checked TEXT,
            staged INTEGER NOT NULL DEFAULT 0, staged_etag TEXT, staged_last_modified TEXT, staged_lastmod TEXT,
            content_hash TEXT, emitted_run INTEGER, revision INTEGER NOT NULL DEFAULT 0)""",
        "CREATE INDEX urls_site ON urls (site)",
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT, sites TEXT NOT NULL, started TEXT NOT NULL, ended TEXT,
            status TEXT NOT NULL, counts TEXT NOT NULL DEFAULT '{}', pid INTEGER NOT NULL, output TEXT)""",
        """CREATE TABLE outputs (
            run_id INTEGER NOT NULL REFERENCES runs (id), path TEXT NOT NULL,
            committed INTEGER NOT NULL DEFAULT 0, records INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (run_id, path))""",
        """CREATE TABLE emitted (
            id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs (id), url TEXT NOT NULL,
            content_hash TEXT NOT NULL, revision INTEGER NOT NULL, path TEXT NOT NULL,
            offset INTEGER NOT NULL, length INTEGER NOT NULL)""",
        "CREATE INDEX emitted_run ON emitted (run_id)",
        """CREATE TABLE template_blocks (
            site TEXT NOT NULL, block_hash TEXT NOT NULL, articles INTEGER NOT NULL, sample TEXT,
            PRIMARY KEY (site, block_hash))""",
        "CREATE TABLE template_pages (url TEXT PRIMARY KEY, site TEXT NOT NULL)",
        """CREATE TABLE run_lock (
            id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, started TEXT NOT NULL, host TEXT)""",
    ),
    (  # the hash of the text as the cleaner gave it, before site template removal: what "unchanged" compares
        "ALTER TABLE urls ADD COLUMN source_hash TEXT",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class StateError(CleanwireError):
    """The state database cannot be used (base class)."""


class StateCorruptError(StateError):
    """The state file is not a readable SQLite database of ours."""


class StateBusyError(StateError):
    """Another connection held the database locked for longer than the busy timeout."""


class StateVersionError(StateError):
    """The database was written by a newer cleanwire (its schema version is unknown here)."""


class StateMigrationError(StateError):
    """A schema migration failed; the database stays at its previous version."""


class RunLockedError(StateError):
    """Another live run holds the state's run lock."""


@dataclass(frozen=True)
class UrlState:
    """What the state knows about one URL."""

    url: str
    site: str
    first_seen: str
    last_seen: str
    last_fetched: str | None
    http_status: int | None
    etag: str | None
    last_modified: str | None
    lastmod: str | None
    checked: str | None  # when the outcome of the last fetch was committed (emitted or unchanged)
    content_hash: str | None
    emitted_run: int | None
    revision: int
    source_hash: str | None = None  # hash before site template removal (None: same as content_hash)


@dataclass(frozen=True)
class EmitDecision:
    """Whether a fetched article goes to the output, and as which revision."""

    emit: bool
    revision: int
    previous_hash: str | None

    def __iter__(self) -> Iterator:
        return iter((self.emit, self.revision, self.previous_hash))


@dataclass(frozen=True)
class EmittedEntry:
    """One record written to an output file, as committed with its batch."""

    url: str
    content_hash: str
    revision: int
    offset: int
    length: int
    source_hash: str | None = None


def state_key(url: str) -> str:
    """The state's key for a URL: canonical query order, no fragment, lower-case scheme and host. Unlike the
    crawl's normalize_url (crawler/discovery/normalize.py) it keeps tracking parameters and index pages: the key
    is the URL as fetched, not the article's identity."""
    return canonicalize_url(url.strip(), keep_fragments=False)


def _parse_date(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def lastmod_moved(stored: str | None, seen: str | None) -> bool:
    """True when a sitemap/feed date is newer than (or, unparsable, different from) the stored one."""
    if not seen:
        return False
    if not stored:
        return True
    old, new = _parse_date(stored), _parse_date(seen)
    if old is None or new is None:
        return stored.strip() != seen.strip()
    return new > old


def _mapped_error(exc: sqlite3.Error, path: str) -> StateError:
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return StateBusyError(f"database is locked by another process ({text})", path)
    if isinstance(exc, sqlite3.OperationalError) and "unable to open" in text:
        return StateError(f"cannot open the state database ({text})", path)
    if isinstance(exc, sqlite3.DatabaseError):
        return StateCorruptError(f"not a usable cleanwire state database ({text}); move it aside to start afresh", path)
    return StateError(text, path)


class StateStore:
    """One SQLite state database: open (migrating it), then query and update through the methods below."""

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        timeout: float = BUSY_TIMEOUT,
        migrations: tuple[tuple[str, ...], ...] = MIGRATIONS,
    ) -> None:
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise _mapped_error(exc, self.path) from exc
        self.db.row_factory = sqlite3.Row
        try:
            with self._errors():
                self.db.execute("PRAGMA journal_mode=WAL").fetchone()
                self.db.execute("PRAGMA synchronous=FULL")
                self.db.execute("PRAGMA foreign_keys=ON")
                self._migrate(migrations)
        except StateError:
            self.db.close()
            raise

    # -- plumbing

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise _mapped_error(exc, self.path) from exc

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on any error); sqlite errors become StateError."""
        with self._errors():
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def _query(self, sql: str, params: Iterable = ()) -> list[sqlite3.Row]:
        with self._errors():
            return self.db.execute(sql, tuple(params)).fetchall()

    def _migrate(self, migrations: tuple[tuple[str, ...], ...]) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(migrations):
            raise StateVersionError(
                f"schema version {version} is newer than this cleanwire understands "
                f"({len(migrations)}); upgrade cleanwire",
                self.path,
            )
        for number in range(version, len(migrations)):
            try:
                with self.transaction() as db:
                    for statement in migrations[number]:
                        db.execute(statement)
                    db.execute(f"PRAGMA user_version = {number + 1}")
            except StateBusyError:
                raise
            except StateError as exc:
                raise StateMigrationError(
                    f"migration to schema version {number + 1} failed ({exc.reason}); "
                    f"the database stays at version {number}",
                    self.path,
                ) from exc
            logger.info("state %s: migrated schema to version %d", self.path, number + 1)

    @property
    def version(self) -> int:
        return self._query("PRAGMA user_version")[0][0]

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- runs

    def start_run(self, sites: Iterable[str], output: str | None, *, pid: int | None = None) -> int:
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO runs (sites, started, status, pid, output) VALUES (?, ?, 'running', ?, ?)",
                (json.dumps(sorted(set(sites))), utcnow(), pid or os.getpid(), output),
            )
            assert cursor.lastrowid is not None  # set by the INSERT
            return cursor.lastrowid

    def finish_run(self, run_id: int, status: str, counts: Mapping[str, int]) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET ended = ?, status = ?, counts = ? WHERE id = ?",
                (utcnow(), status, json.dumps(dict(counts), sort_keys=True), run_id),
            )

    def run(self, run_id: int) -> dict | None:
        rows = self._query("SELECT * FROM runs WHERE id = ?", (run_id,))
        return _run_dict(rows[0]) if rows else None

    def runs(self, limit: int | None = None) -> list[dict]:
        sql = "SELECT * FROM runs ORDER BY id DESC" + (" LIMIT ?" if limit else "")
        return [_run_dict(row) for row in self._query(sql, (limit,) if limit else ())]

    def unfinished_runs(self) -> list[dict]:
        return [_run_dict(row) for row in self._query("SELECT * FROM runs WHERE status = 'running' ORDER BY id")]

    # -- urls

    def known(self, url: str) -> UrlState | None:
        rows = self._query("SELECT * FROM urls WHERE url = ?", (state_key(url),))
        if not rows:
            return None
        return UrlState(**{name: rows[0][name] for name in UrlState.__dataclass_fields__})

    def note_seen(self, url: str, site: str | None = None) -> None:
        """Record that discovery found this URL (the durable frontier: see `pending`)."""
        key, now = state_key(url), utcnow()
        with self.transaction() as db:
            db.execute(
                "INSERT INTO urls (url, site, first_seen, last_seen) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (url) DO UPDATE SET last_seen = excluded.last_seen",
                (key, site or site_of(key), now, now),
            )

    def note_seen_many(self, urls: Iterable[str | tuple[str, str | None]], site: str | None = None) -> None:
        """`note_seen` for many URLs (or (url, listed lastmod) pairs) in one transaction: one fsync per page.

        A listed lastmod of a URL whose fetch is not committed yet is staged with it (promoted with its outcome)."""
        now = utcnow()
        with self.transaction() as db:
            for item in urls:
                url, lastmod = item if isinstance(item, tuple) else (item, None)
                key = state_key(url)
                db.execute(
                    "INSERT INTO urls (url, site, first_seen, last_seen, staged_lastmod) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (url) DO UPDATE SET last_seen = excluded.last_seen, staged_lastmod = "
                    "CASE WHEN urls.checked IS NULL OR urls.staged "
                    "THEN coalesce(excluded.staged_lastmod, urls.staged_lastmod) ELSE urls.staged_lastmod END",
                    (key, site or site_of(key), now, now, lastmod),
                )

    def pending(self, site: str | None = None) -> list[str]:
        """URLs seen but whose fetch outcome was never committed: a new run should queue them again."""
        sql = "SELECT url FROM urls WHERE checked IS NULL" + (" AND site = ?" if site else "") + " ORDER BY url"
        return [row[0] for row in self._query(sql, (site,) if site else ())]

    def should_fetch(self, url: str, lastmod: str | None = None, recheck_days: float | None = None) -> bool:
        """Unknown, never settled, sitemap/feed lastmod moved, or older than recheck_days: fetch it.

        A URL robots.txt refused (settled, never fetched) is asked again only once the recheck period has passed
        (recheck_days, else REFUSED_RECHECK_DAYS): robots.txt may have changed."""
        state = self.known(url)
        if state is None or state.checked is None:
            return True
        if state.last_fetched is None:
            return _older_than(state.checked, REFUSED_RECHECK_DAYS if recheck_days is None else recheck_days)
        if lastmod_moved(state.lastmod or state.checked, lastmod):  # no stored lastmod: newer than our check?
            return True
        return recheck_days is not None and _older_than(state.checked, recheck_days)

    def note_refused(self, url: str, site: str | None = None) -> None:
        """robots.txt refused the URL: its outcome is settled without a fetch, so it is not pending (requeued every
        run) any more; `should_fetch` asks again after the recheck period. `cleanwire status` counts it as refused."""
        key, now = state_key(url), utcnow()
        with self.transaction() as db:
            db.execute(
                "INSERT INTO urls (url, site, first_seen, last_seen) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (url) DO UPDATE SET last_seen = excluded.last_seen",
                (key, site or site_of(key), now, now),
            )
            _promote(db, key, now)

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) for a conditional request; only ones whose outcome was committed."""
        state = self.known(url)
        return (state.etag, state.last_modified) if state else (None, None)

    def record_fetch(
        self,
        url: str,
        status: int,
        etag: str | None = None,
        last_modified: str | None = None,
        *,
        lastmod: str | None = None,
        site: str | None = None,
    ) -> None:
        """A response arrived. Its validators and lastmod are staged until `commit_fetch` or the emitted batch commits."""
        key, now = state_key(url), utcnow()
        with self.transaction() as db:
            db.execute(
                "INSERT INTO urls (url, site, first_seen, last_seen, last_fetched, http_status, staged, staged_etag, "
                "staged_last_modified, staged_lastmod) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?) "
                "ON CONFLICT (url) DO UPDATE SET last_seen = excluded.last_seen, last_fetched = excluded.last_fetched, "
                "http_status = excluded.http_status, staged = 1, staged_etag = excluded.staged_etag, "
                "staged_last_modified = excluded.staged_last_modified, "
                "staged_lastmod = coalesce(excluded.staged_lastmod, urls.staged_lastmod)",
                (key, site or site_of(key), now, now, now, status, etag, last_modified, lastmod),
            )

    def note_lastmod(self, url: str, lastmod: str, settled_since: str) -> None:
        """A sitemap/feed date for a URL already fetched this run: staged with the fetch, or set if settled since."""
        with self.transaction() as db:
            db.execute(
                "UPDATE urls SET staged_lastmod = CASE WHEN staged OR checked IS NULL THEN ? ELSE staged_lastmod END, "
                "lastmod = CASE WHEN NOT staged AND checked >= ? THEN ? ELSE lastmod END WHERE url = ?",
                (lastmod, settled_since, lastmod, state_key(url)),
            )

    def adopt_lastmod(self, url: str, lastmod: str) -> None:
        """A listed date older than our last committed check, for a URL that has none stored: keep it, so
        that a later move of the date is seen (the comparison with `checked` alone misses older dates)."""
        with self.transaction() as db:
            db.execute(
                "UPDATE urls SET lastmod = ? WHERE url = ? AND lastmod IS NULL AND NOT staged AND checked IS NOT NULL",
                (lastmod, state_key(url)),
            )

    def commit_fetch(self, url: str) -> None:
        """Commit the URL's staged fetch now, its outcome needing no output (unchanged article, not an article, a feed
        whose links are noted): its validators take effect and it is no longer pending."""
        with self.transaction() as db:
            _promote(db, state_key(url), utcnow())

    def decide_emit(self, url: str, content_hash: str, source_hash: str | None = None) -> EmitDecision:
        """New -> revision 1; same hash as last emitted -> not again; changed -> next revision. Read-only.

        `source_hash` (the text before template removal) counts as unchanged too: learning a site's template
        never re-emits an article whose page did not change."""
        state = self.known(url)
        if state is None or state.content_hash is None:
            return EmitDecision(True, 1, None)
        if state.content_hash == content_hash or (source_hash and state.source_hash == source_hash):
            return EmitDecision(False, state.revision, None)
        return EmitDecision(True, state.revision + 1, state.content_hash)

    def record_emitted(self, run_id: int, path: str, entries: Iterable[EmittedEntry], committed: int) -> None:
        """One batch, durable in the file up to byte `committed`: record it all in one transaction."""
        now = utcnow()
        with self.transaction() as db:
            count = 0
            for entry in entries:
                key = state_key(entry.url)
                db.execute(
                    "INSERT INTO emitted (run_id, url, content_hash, revision, path, offset, length) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (run_id, key, entry.content_hash, entry.revision, path, entry.offset, entry.length),
                )
                db.execute(
                    "INSERT INTO urls (url, site, first_seen, last_seen) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (url) DO NOTHING",
                    (key, site_of(key), now, now),
                )
                db.execute(
                    "UPDATE urls SET content_hash = ?, revision = ?, emitted_run = ?, source_hash = ? WHERE url = ?",
                    (entry.content_hash, entry.revision, run_id, entry.source_hash, key),
                )
                _promote(db, key, now)
                count += 1
            db.execute(
                "INSERT INTO outputs (run_id, path, committed, records) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (run_id, path) DO UPDATE SET committed = excluded.committed, "
                "records = records + excluded.records",
                (run_id, path, committed, count),
            )

    def register_output(self, run_id: int, path: str, committed: int = 0) -> None:
        """A run starts writing `path`, whose first `committed` bytes are already committed (a plain file's earlier
        runs): reconcile trims a killed run's file back to that length at most."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO outputs (run_id, path, committed) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (run_id, path, committed),
            )

    def committed_length(self, path: str) -> int | None:
        """The committed length of an output file as the latest run that wrote it left it (None: no run wrote it)."""
        rows = self._query("SELECT committed FROM outputs WHERE path = ? ORDER BY run_id DESC LIMIT 1", (path,))
        return rows[0][0] if rows else None

    def outputs(self, run_id: int | None = None) -> list[dict]:
        sql = "SELECT * FROM outputs" + (" WHERE run_id = ?" if run_id is not None else "") + " ORDER BY run_id, path"
        return [dict(row) for row in self._query(sql, (run_id,) if run_id is not None else ())]

    def emitted(self, run_id: int | None = None) -> list[dict]:
        sql = "SELECT * FROM emitted" + (" WHERE run_id = ?" if run_id is not None else "") + " ORDER BY id"
        return [dict(row) for row in self._query(sql, (run_id,) if run_id is not None else ())]

    def last_record(self, url: str) -> dict | None:
        """The record last emitted for `url`, read back from its output file (None when that line is gone)."""
        rows = self._query(
            "SELECT path, offset, length FROM emitted WHERE url = ? ORDER BY id DESC LIMIT 1", (state_key(url),)
        )
        if not rows:
            return None
        try:
            with open(rows[0]["path"], "rb") as fh:
                fh.seek(rows[0]["offset"])
                record = json.loads(fh.read(rows[0]["length"]))
        except (OSError, ValueError):
            return None  # the output was moved, removed or rewritten since
        if not isinstance(record, dict) or state_key(str(record.get("url") or "")) != state_key(url):
            return None  # a plain output moved aside: another record now sits at that offset
        return record

    def emitted_counts(self, run_id: int) -> dict[str, int]:
        """{"new": n, "revised": m} of the records a run committed (the counts of a killed run, from its rows)."""
        rows = self._query(
            "SELECT coalesce(sum(revision = 1), 0), coalesce(sum(revision > 1), 0) FROM emitted WHERE run_id = ?",
            (run_id,),
        )
        return {"new": rows[0][0], "revised": rows[0][1]}

    # -- site template learning

    def observe_blocks(self, site: str, url: str, blocks: Iterable[str] | Mapping[str, str]) -> bool:
        """Count each block hash once per distinct article of the site (a mapping gives hash -> sample text).

        True when the article was new to the counts."""
        samples = blocks if isinstance(blocks, Mapping) else dict.fromkeys(blocks)
        with self.transaction() as db:
            inserted = db.execute(
                "INSERT INTO template_pages (url, site) VALUES (?, ?) ON CONFLICT DO NOTHING", (state_key(url), site)
            ).rowcount
            if not inserted:
                return False
            for block_hash, sample in samples.items():
                db.execute(
                    "INSERT INTO template_blocks (site, block_hash, articles, sample) VALUES (?, ?, 1, ?) "
                    "ON CONFLICT (site, block_hash) DO UPDATE SET articles = articles + 1, "
                    "sample = coalesce(sample, excluded.sample)",
                    (site, block_hash, (sample or "")[:SAMPLE_CHARS] or None),
                )
        return True

    def block_counts(self, site: str, hashes: Iterable[str]) -> dict[str, int]:
        """Articles of the site each of these block hashes appeared on (absent: never seen)."""
        hashes = list(hashes)
        counts: dict[str, int] = {}
        for start in range(0, len(hashes), 500):
            chunk = hashes[start : start + 500]
            rows = self._query(
                f"SELECT block_hash, articles FROM template_blocks WHERE site = ? AND block_hash IN "
                f"({', '.join('?' * len(chunk))})",
                (site, *chunk),
            )
            counts.update((row[0], row[1]) for row in rows)
        return counts

    def template_pages(self, site: str) -> int:
        """How many distinct articles of the site the template counts have seen."""
        return self._query("SELECT count(*) FROM template_pages WHERE site = ?", (site,))[0][0]

    def template_blocks(self, site: str, min_articles: int = 3) -> set[str]:
        rows = self._query(
            "SELECT block_hash FROM template_blocks WHERE site = ? AND articles >= ?", (site, min_articles)
        )
        return {row[0] for row in rows}

    def template_samples(self, site: str, min_articles: int = 3) -> list[tuple[str, int, str | None]]:
        rows = self._query(
            "SELECT block_hash, articles, sample FROM template_blocks WHERE site = ? AND articles >= ? "
            "ORDER BY articles DESC, block_hash",
            (site, min_articles),
        )
        return [tuple(row) for row in rows]

    # -- the run lock's row (the flock on `<state>.lock` is what excludes; the row says who holds it)

    def lock_holder(self) -> dict | None:
        rows = self._query("SELECT pid, started, host FROM run_lock WHERE id = 1")
        return dict(rows[0]) if rows else None

    def set_lock_holder(self, pid: int, started: str, host: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO run_lock (id, pid, started, host) VALUES (1, ?, ?, ?)", (pid, started, host)
            )

    def clear_lock_holder(self, pid: int) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM run_lock WHERE id = 1 AND pid = ?", (pid,))

    # -- totals for `cleanwire status`

    def site_totals(self) -> list[dict]:
        rows = self._query(
            "SELECT site, count(*) AS urls, count(content_hash) AS articles, "
            "coalesce(sum(CASE WHEN revision > 1 THEN 1 ELSE 0 END), 0) AS revised, "
            "coalesce(sum(CASE WHEN checked IS NULL THEN 1 ELSE 0 END), 0) AS pending, "
            "coalesce(sum(CASE WHEN checked IS NOT NULL AND last_fetched IS NULL THEN 1 ELSE 0 END), 0) AS refused, "
            "max(last_fetched) AS last_fetched FROM urls GROUP BY site ORDER BY site"
        )
        return [dict(row) for row in rows]

    def template_counts(self, min_articles: int = 3) -> dict[str, int]:
        rows = self._query(
            "SELECT site, count(*) FROM template_blocks WHERE articles >= ? GROUP BY site", (min_articles,)
        )
        return {row[0]: row[1] for row in rows}


def _older_than(stamp: str | None, days: float) -> bool:
    moment = _parse_date(stamp) if stamp else None
    return moment is None or moment <= datetime.now(UTC) - timedelta(days=days)


def _promote(db: sqlite3.Connection, key: str, now: str) -> None:
    """Make the staged validators and lastmod of a URL effective: its outcome is committed."""
    db.execute(
        "UPDATE urls SET etag = CASE WHEN staged THEN staged_etag ELSE etag END, "
        "last_modified = CASE WHEN staged THEN staged_last_modified ELSE last_modified END, "
        "lastmod = coalesce(staged_lastmod, lastmod), checked = ?, staged = 0, staged_etag = NULL, "
        "staged_last_modified = NULL, staged_lastmod = NULL WHERE url = ?",
        (now, key),
    )


def _run_dict(row: sqlite3.Row) -> dict:
    run = dict(row)
    run["sites"] = json.loads(run["sites"])
    run["counts"] = json.loads(run["counts"] or "{}")
    return run


def open_existing(path: str | os.PathLike) -> StateStore:
    """Open a state database that must already exist (for read-only commands: never create one)."""
    if not Path(path).is_file():
        raise StateError("no state database here (give --state PATH)", str(path))
    return StateStore(path)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunLock:
    """One run at a time per state: an flock on `<state>.lock` (freed by the kernel when its holder dies) and a row."""

    def __init__(self, state_path: str | os.PathLike) -> None:
        self.state_path = str(state_path)
        self.lock_path = self.state_path + ".lock"
        self.stale: dict | None = None  # the dead holder whose lock was taken over, if any
        self._fd: int | None = None
        self._pid = os.getpid()

    def acquire(self) -> RunLock:
        Path(self.lock_path).parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self._holder(fd)
            os.close(fd)
            raise RunLockedError(_held_message(holder), self.state_path) from None
        self._fd = fd
        try:
            self._claim(fd)
        except BaseException:
            self._unlock()
            raise
        return self

    def assert_free(self) -> None:
        """Raise RunLockedError now if a live run holds the lock; take nothing (a check before starting a crawl)."""
        if not Path(self.lock_path).exists():
            return
        fd = os.open(self.lock_path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLockedError(_held_message(self._holder(fd)), self.state_path) from None
        finally:
            os.close(fd)  # closing this descriptor drops whatever it locked

    def _claim(self, fd: int) -> None:
        info: dict[str, Any] = {"pid": self._pid, "started": utcnow(), "host": socket.gethostname()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        with StateStore(self.state_path) as store:
            previous = store.lock_holder()
            store.set_lock_holder(info["pid"], info["started"], info["host"])
        if previous:
            self.stale = {**previous, "alive": pid_alive(previous["pid"])}
            logger.warning(
                "state %s: took over the stale run lock of PID %s (started %s), which is gone",
                self.state_path,
                previous["pid"],
                previous["started"],
            )

    def _holder(self, fd: int) -> dict | None:
        try:
            with StateStore(self.state_path, timeout=1.0) as store:
                holder = store.lock_holder()
            if holder:
                return holder
        except StateError:
            pass
        try:
            return json.loads(os.pread(fd, 4096, 0) or b"null")
        except ValueError:
            return None

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            with StateStore(self.state_path) as store:
                store.clear_lock_holder(self._pid)
        finally:
            self._unlock()

    def _unlock(self) -> None:
        assert self._fd is not None  # callers check that the lock is held
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _held_message(holder: dict | None) -> str:
    if not holder:
        return "another cleanwire run holds the run lock (it is just starting)"
    return (
        f"another cleanwire run holds the run lock: PID {holder['pid']} on {holder.get('host') or '?'}, "
        f"started {holder['started']}"
    )
