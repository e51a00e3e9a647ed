"""Near-duplicate records: MinHash of word 5-shingles, an LSH index in SQLite (or Redis), and a Scrapy item pipeline."""

from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
from functools import lru_cache
from pathlib import Path

import numpy as np
from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

from crawler.settings import CLEANWIRE_NEARDUP_THRESHOLD, with_defaults

logger = logging.getLogger(__name__)

SHINGLE_WORDS = 5  # words per shingle
NUM_PERM = 128  # MinHash permutations: estimate error ~ sqrt(J(1-J)/128), 0.027 at J=0.9
SEED = 1  # MinHash permutation seed: fixed, signatures persist across runs
MIN_RECALL = 0.995  # LSH band layout: chance that a pair exactly at the threshold becomes a candidate
BUSY_TIMEOUT = 30.0  # seconds to wait for another writer of a shared state file
WORD = re.compile(r"\w+")

SCHEMA = """
CREATE TABLE IF NOT EXISTS neardup_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS neardup_docs (id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, signature BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS neardup_bands (band INTEGER NOT NULL, hash INTEGER NOT NULL, doc INTEGER NOT NULL,
                                          PRIMARY KEY (band, hash, doc)) WITHOUT ROWID;
"""


class NearDupIndexError(RuntimeError):
    """The index in the database was built with another signature layout than this code uses."""


#: rows of the (shingles x permutations) uint32 block computed at once: 4 MB, whatever the text's length
BLOCK_ROWS = 8192
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """The affine permutations h -> a*h + b mod 2**32 (a odd) seeded with SEED, as datasketch 2.0 draws them."""
    gen = np.random.RandomState(SEED)  # the legacy generator: its streams are frozen across numpy versions
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (a bijection), element-wise; uint32 products wrap, as intended."""
    s1, m1, s2, m2, s3 = _FMIX32
    hv = hv ^ (hv >> s1)
    hv = hv * m1
    hv = hv ^ (hv >> s2)
    hv = hv * m2
    return hv ^ (hv >> s3)


def _shingle_hashes(text: str, size: int = SHINGLE_WORDS) -> np.ndarray | None:
    """The first 4 bytes (little-endian uint32) of the SHA-1 of each shingle's UTF-8 bytes, or None without words.

    The words are joined once and encoded once; each shingle is then a slice of those bytes between two spaces (a
    word has no space, and 0x20 is a space in UTF-8 and nothing else), hashed through a memoryview without a copy.
    A shingle that repeats is hashed again: the minimum does not change."""
    joined = " ".join(WORD.findall(text.lower())).encode("utf-8")
    if not joined:
        return None
    spaces = np.flatnonzero(np.frombuffer(joined, dtype=np.uint8) == 32)
    sha1 = hashlib.sha1
    if len(spaces) < size:  # at most `size` words: one shingle
        digests = sha1(joined).digest()
    else:
        starts = [0, *(spaces[: len(spaces) - size + 1] + 1).tolist()]
        ends = [*spaces[size - 1 :].tolist(), len(joined)]
        view = memoryview(joined)
        digests = b"".join([sha1(view[start:end]).digest() for start, end in zip(starts, ends)])
    return np.frombuffer(digests, dtype="<u4")[::5]  # 20-byte digests: every fifth uint32 is a digest's first 4


def signature(text: str, num_perm: int = NUM_PERM) -> np.ndarray | None:
    """The MinHash signature (uint64 array) of the text's shingles, or None for a text without words.

    Bit-identical to datasketch 2.0's MinHash(num_perm, seed=SEED) (scheme "affine32", sha1_hash32) updated with
    the shingles' UTF-8 bytes, then `hashvalues.astype(np.uint64)`, as stored signatures were made
    (tests/crawler/test_neardup.py checks it); numpy only, so a crawl never imports datasketch or scipy."""
    hashes = _shingle_hashes(text)
    if hashes is None:
        return None
    a, b = _permutations(num_perm)
    hashes = _fmix32(hashes)
    lowest = np.full(num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    for row in range(0, len(hashes), BLOCK_ROWS):
        block = np.multiply.outer(hashes[row : row + BLOCK_ROWS], a)
        block += b
        np.minimum(lowest, block.min(axis=0), out=lowest)
    return lowest.astype(np.uint64)


def band_rows(threshold: float, num_perm: int = NUM_PERM) -> int:
    """The most rows per band (fewest candidates) that still finds a pair at the threshold with MIN_RECALL."""
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= MIN_RECALL:
            return rows
    return 1


def _band_hash(values: bytes) -> int:
    """A band's key: its signature values' bytes (native uint64), hashed to a signed 64-bit int."""
    return int.from_bytes(hashlib.blake2b(values, digest_size=8).digest(), "big", signed=True)


class NearDupIndex:
    """An LSH index of MinHash signatures in three tables of a SQLite connection (may be the state store's)."""

    def __init__(self, conn: sqlite3.Connection, threshold: float = CLEANWIRE_NEARDUP_THRESHOLD) -> None:
        if not 0 < threshold <= 1:
            raise ValueError(f"near-duplicate threshold must be in (0, 1], got {threshold}")
        self.conn = conn
        self.threshold = threshold
        conn.executescript(SCHEMA)
        self.num_perm, self.rows = self._layout(threshold)
        self.bands = self.num_perm // self.rows

    def _layout(self, threshold: float) -> tuple[int, int]:
        """The stored layout (fixed when the index is created), or a new one for this threshold."""
        stored = dict(self.conn.execute("SELECT key, value FROM neardup_meta"))
        if not stored:
            layout = {"num_perm": NUM_PERM, "rows": band_rows(threshold), "seed": SEED, "shingle_words": SHINGLE_WORDS}
            self.conn.executemany("INSERT INTO neardup_meta VALUES (?, ?)", [(k, str(v)) for k, v in layout.items()])
            self.conn.commit()
            return NUM_PERM, layout["rows"]
        if (int(stored["num_perm"]), int(stored["seed"]), int(stored["shingle_words"])) != (
            NUM_PERM,
            SEED,
            SHINGLE_WORDS,
        ):
            raise NearDupIndexError(
                f"index built with {stored}; this version needs num_perm={NUM_PERM}, seed={SEED}, "
                f"shingle_words={SHINGLE_WORDS}: delete the neardup_* tables to rebuild"
            )
        return int(stored["num_perm"]), int(stored["rows"])

    def _band_hashes(self, sig: np.ndarray) -> list[int]:
        raw, width = sig.tobytes(), sig.itemsize * self.rows  # one copy, sliced: not a numpy slice per band
        return [_band_hash(raw[b * width : (b + 1) * width]) for b in range(self.bands)]

    def find(self, text: str) -> tuple[str, float] | None:
        """The earliest indexed record whose estimated Jaccard with `text` reaches the threshold."""
        sig = signature(text, self.num_perm)
        return None if sig is None else self._find(sig, self._band_hashes(sig))

    def _find(self, sig: np.ndarray, hashes: list[int], before: int | None = None) -> tuple[str, float] | None:
        """The earliest match, among records indexed before doc id `before` when given."""
        placeholders = " OR ".join("(b.band = ? AND b.hash = ?)" for _ in hashes)
        params = [v for pair in enumerate(hashes) for v in pair]
        rows = self.conn.execute(
            f"SELECT DISTINCT d.id, d.url, d.signature FROM neardup_bands b JOIN neardup_docs d ON d.id = b.doc "
            f"WHERE ({placeholders}) ORDER BY d.id",
            params,
        )
        for doc, url, blob in rows:
            if before is not None and doc >= before:
                break
            similarity = float(np.mean(np.frombuffer(blob, dtype=np.uint64) == sig))
            if similarity >= self.threshold:
                return url, similarity
        return None

    def check_and_add(self, url: str, text: str, sig: np.ndarray | None = None) -> str | None:
        """Index the record; return the URL of a near-duplicate indexed before it (first seen), or None.
        `sig`: the text's signature when it was computed already (in the extraction worker)."""
        if sig is None:
            sig = signature(text, self.num_perm)
        if sig is None:
            return None
        hashes = self._band_hashes(sig)
        old = self.conn.execute("SELECT id FROM neardup_docs WHERE url = ?", (url,)).fetchone()
        match = self._find(sig, hashes, before=old[0] if old else None)
        with self.conn:
            if old:
                self.conn.execute("DELETE FROM neardup_bands WHERE doc = ?", (old[0],))
                self.conn.execute("UPDATE neardup_docs SET signature = ? WHERE id = ?", (sig.tobytes(), old[0]))
                doc = old[0]
            else:
                doc = self.conn.execute(
                    "INSERT INTO neardup_docs (url, signature) VALUES (?, ?)", (url, sig.tobytes())
                ).lastrowid
            self.conn.executemany(
                "INSERT OR IGNORE INTO neardup_bands VALUES (?, ?, ?)",
                [(band, h, doc) for band, h in enumerate(hashes)],
            )
        return match[0] if match else None

    def __len__(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM neardup_docs").fetchone()[0]

    def close(self) -> None:
        self.conn.close()


#: index a signature and return the first earlier near-duplicate's URL, atomically for every worker of a crawl.
#: KEYS: meta, docs (url -> id), sigs (id -> signature), urls (id -> url), seq, bands_of (id -> band hashes)
#: ARGV: url, signature (num_perm big-endian uint64), equal positions needed, band key prefix, band hashes...
REDIS_CHECK_AND_ADD = """
local old = redis.call('HGET', KEYS[2], ARGV[1])
local before = old and tonumber(old) or nil
local seen, candidates = {}, {}
for b = 5, #ARGV do
  local ids = redis.call('HGET', ARGV[4] .. (b - 5), ARGV[b])
  if ids then
    for id in string.gmatch(ids, '%d+') do
      local n = tonumber(id)
      if not seen[n] and (before == nil or n < before) then seen[n] = true; table.insert(candidates, n) end
    end
  end
end
table.sort(candidates)
local need, match = tonumber(ARGV[3]), false
for _, id in ipairs(candidates) do
  local sig, equal = redis.call('HGET', KEYS[3], id), 0
  for i = 1, #sig, 8 do if string.sub(sig, i, i + 7) == string.sub(ARGV[2], i, i + 7) then equal = equal + 1 end end
  if equal >= need then match = redis.call('HGET', KEYS[4], id); break end
end
local doc = before
if doc then
  local b = 0
  for h in string.gmatch(redis.call('HGET', KEYS[6], doc) or '', '%S+') do
    local key = ARGV[4] .. b
    local ids = ' ' .. (redis.call('HGET', key, h) or '') .. ' '
    ids = string.gsub(ids, ' ' .. doc .. ' ', ' ', 1)
    ids = string.match(ids, '^%s*(.-)%s*$')
    if ids == '' then redis.call('HDEL', key, h) else redis.call('HSET', key, h, ids) end
    b = b + 1
  end
else
  doc = redis.call('INCR', KEYS[5])
  redis.call('HSET', KEYS[2], ARGV[1], doc)
  redis.call('HSET', KEYS[4], doc, ARGV[1])
end
redis.call('HSET', KEYS[3], doc, ARGV[2])
local hashes = {}
for b = 5, #ARGV do
  local key = ARGV[4] .. (b - 5)
  local ids = redis.call('HGET', key, ARGV[b])
  redis.call('HSET', key, ARGV[b], ids and (ids .. ' ' .. doc) or tostring(doc))
  table.insert(hashes, ARGV[b])
end
redis.call('HSET', KEYS[6], doc, table.concat(hashes, ' '))
return match
"""
#: the index layout, fixed by the first worker: {num_perm, rows, seed, shingle_words} as stored
REDIS_LAYOUT = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'num_perm', ARGV[1], 'rows', ARGV[2], 'seed', ARGV[3], 'shingle_words', ARGV[4],
             'bands', ARGV[5])
end
return redis.call('HMGET', KEYS[1], 'num_perm', 'rows', 'seed', 'shingle_words')
"""


class RedisNearDupIndex(NearDupIndex):
    """The LSH index in Redis under a distributed crawl's key prefix: one index for all of its workers.

    Each check_and_add is one Lua script, so of two near-duplicates handled by two workers at once exactly one is
    first. Keys `PREFIX:neardup:*`; the crawl's last worker deletes them with the crawl's other keys."""

    def __init__(self, server, prefix: str, threshold: float = CLEANWIRE_NEARDUP_THRESHOLD) -> None:
        if not 0 < threshold <= 1:
            raise ValueError(f"near-duplicate threshold must be in (0, 1], got {threshold}")
        self.server, self.threshold = server, threshold
        self.prefix = f"{prefix}:neardup:"
        self.keys = [self.prefix + name for name in ("meta", "docs", "sigs", "urls", "seq", "bands_of")]
        rows = band_rows(threshold)
        stored = server.register_script(REDIS_LAYOUT)(
            keys=[self.keys[0]], args=[NUM_PERM, rows, SEED, SHINGLE_WORDS, NUM_PERM // rows]
        )
        num_perm, self.rows, seed, words = (int(v) for v in stored)
        if (num_perm, seed, words) != (NUM_PERM, SEED, SHINGLE_WORDS):
            raise NearDupIndexError(
                f"Redis index {self.prefix}* built with num_perm={num_perm}, seed={seed}, "
                f"shingle_words={words}; this version needs {NUM_PERM}, {SEED}, {SHINGLE_WORDS}"
            )
        self.num_perm, self.bands = num_perm, num_perm // self.rows
        self._check_and_add = server.register_script(REDIS_CHECK_AND_ADD)

    def _args(self, sig: np.ndarray) -> list:
        return [sig.astype(">u8").tobytes(), NUM_PERM * self.threshold, self.prefix + "band:", *self._band_hashes(sig)]

    def check_and_add(self, url: str, text: str, sig: np.ndarray | None = None) -> str | None:
        if sig is None:
            sig = signature(text, self.num_perm)
        if sig is None:
            return None
        match = self._check_and_add(keys=self.keys, args=[url, *self._args(sig)])
        return match.decode() if match else None

    def find(self, text: str) -> tuple[str, float] | None:
        sig = signature(text, self.num_perm)
        if sig is None:
            return None
        ids = {
            int(i)
            for b, h in enumerate(self._band_hashes(sig))
            for i in (self.server.hget(f"{self.prefix}band:{b}", h) or b"").split()
        }
        for doc in sorted(ids):
            stored = np.frombuffer(self.server.hget(self.keys[2], doc), dtype=">u8")
            similarity = float(np.mean(stored == sig))
            if similarity >= self.threshold:
                return self.server.hget(self.keys[3], doc).decode(), similarity
        return None

    def __len__(self) -> int:
        return self.server.hlen(self.keys[1])

    def close(self) -> None:
        """Nothing to close: the connection is the crawl's."""


def connect(path: str) -> sqlite3.Connection:
    """The index's connection: a SQLite file (may be the --state file, shared with the state store) or :memory:."""
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT)
    if path != ":memory:":
        conn.execute("PRAGMA journal_mode=WAL")
    return conn


class NearDupPipeline:
    """Sets `duplicate_of` on a record whose text nearly repeats an earlier one's (or drops it)."""

    def __init__(self, index: NearDupIndex, drop: bool, stats) -> None:
        self.index = index
        self.drop = drop
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        settings = with_defaults(crawler.settings)
        path = settings.get("CLEANWIRE_NEARDUP")
        if not path:
            raise NotConfigured("CLEANWIRE_NEARDUP is not set")
        threshold = settings.getfloat("CLEANWIRE_NEARDUP_THRESHOLD")
        if settings.get("CLEANWIRE_REDIS"):  # a distributed crawl: one index for all its workers
            from crawler.distributed.keys import Keys
            from crawler.distributed.keys import connect as redis_connect

            index = RedisNearDupIndex(redis_connect(settings), Keys(settings, crawler.spidercls.name).prefix, threshold)
        else:
            index = NearDupIndex(connect(path), threshold)
        return cls(index, settings.getbool("CLEANWIRE_DROP_NEAR_DUPLICATES"), crawler.stats)

    def process_item(self, item, spider=None):
        adapter = ItemAdapter(item)
        url, text = adapter.get("url"), adapter.get("text")
        if not url or not text:
            return item
        known = getattr(item, "signature", None)  # a Record signed in its extraction worker (b"": no words)
        if known == b"":
            return item
        sig = np.frombuffer(known, dtype=np.uint64) if known else None  # NUM_PERM values: the index refuses others
        original = self.index.check_and_add(url, text, sig)
        if original is None:
            return item
        if self.drop:
            self.stats.inc_value("cleanwire/dropped/near_duplicate")
            raise DropItem(f"{url}: near-duplicate of {original}")
        self.stats.inc_value("cleanwire/near_duplicates")
        adapter["duplicate_of"] = original
        return item

    def close_spider(self, spider=None) -> None:
        self.index.close()
