"""Near-duplicate records: MinHash of word 5-shingles, an LSH index in SQLite, and a Scrapy item pipeline."""
from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
from pathlib import Path

import numpy as np
from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

logger = logging.getLogger(__name__)

SHINGLE_WORDS = 5          # words per shingle
NUM_PERM = 128             # MinHash permutations: estimate error ~ sqrt(J(1-J)/128), 0.027 at J=0.9
SEED = 1                   # MinHash permutation seed: fixed, signatures persist across runs
MIN_RECALL = 0.995         # LSH band layout: chance that a pair exactly at the threshold becomes a candidate
DEFAULT_THRESHOLD = 0.9    # estimated Jaccard of the shingle sets at or above which a record is a near-duplicate
BUSY_TIMEOUT = 30.0        # seconds to wait for another writer of a shared state file
WORD = re.compile(r"\w+")

SCHEMA = """
CREATE TABLE IF NOT EXISTS neardup_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS neardup_docs (id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, signature BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS neardup_bands (band INTEGER NOT NULL, hash INTEGER NOT NULL, doc INTEGER NOT NULL,
                                          PRIMARY KEY (band, hash, doc)) WITHOUT ROWID;
"""


class NearDupIndexError(RuntimeError):
    """The index in the database was built with another signature layout than this code uses."""


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Lower-cased word shingles; a text shorter than one shingle is one shingle."""
    words = WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


def signature(text: str, num_perm: int = NUM_PERM) -> np.ndarray | None:
    """The MinHash signature (uint64 array) of the text's shingles, or None for a text without words."""
    from datasketch import MinHash

    grams = shingles(text)
    if not grams:
        return None
    minhash = MinHash(num_perm=num_perm, seed=SEED)
    minhash.update_batch([g.encode("utf-8") for g in grams])
    return minhash.hashvalues.astype(np.uint64)


def band_rows(threshold: float, num_perm: int = NUM_PERM) -> int:
    """The most rows per band (fewest candidates) that still finds a pair at the threshold with MIN_RECALL."""
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if 1 - (1 - threshold ** rows) ** bands >= MIN_RECALL:
            return rows
    return 1


def _band_hash(values: np.ndarray) -> int:
    return int.from_bytes(hashlib.blake2b(values.tobytes(), digest_size=8).digest(), "big", signed=True)


class NearDupIndex:
    """An LSH index of MinHash signatures in three tables of a SQLite connection (may be the state store's)."""

    def __init__(self, conn: sqlite3.Connection, threshold: float = DEFAULT_THRESHOLD) -> None:
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
        if (int(stored["num_perm"]), int(stored["seed"]), int(stored["shingle_words"])) != (NUM_PERM, SEED, SHINGLE_WORDS):
            raise NearDupIndexError(f"index built with {stored}; this version needs num_perm={NUM_PERM}, seed={SEED}, "
                                    f"shingle_words={SHINGLE_WORDS}: delete the neardup_* tables to rebuild")
        return int(stored["num_perm"]), int(stored["rows"])

    def _band_hashes(self, sig: np.ndarray) -> list[int]:
        return [_band_hash(sig[b * self.rows:(b + 1) * self.rows]) for b in range(self.bands)]

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
            f"WHERE ({placeholders}) ORDER BY d.id", params)
        for doc, url, blob in rows:
            if before is not None and doc >= before:
                break
            similarity = float(np.mean(np.frombuffer(blob, dtype=np.uint64) == sig))
            if similarity >= self.threshold:
                return url, similarity
        return None

    def check_and_add(self, url: str, text: str) -> str | None:
        """Index the record; return the URL of a near-duplicate indexed before it (first seen), or None."""
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
                doc = self.conn.execute("INSERT INTO neardup_docs (url, signature) VALUES (?, ?)",
                                        (url, sig.tobytes())).lastrowid
            self.conn.executemany("INSERT OR IGNORE INTO neardup_bands VALUES (?, ?, ?)",
                                  [(band, h, doc) for band, h in enumerate(hashes)])
        return match[0] if match else None

    def __len__(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM neardup_docs").fetchone()[0]


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
        settings = crawler.settings
        path = settings.get("CLEANWIRE_NEARDUP")
        if not path:
            raise NotConfigured("CLEANWIRE_NEARDUP is not set")
        conn = connect(path)
        index = NearDupIndex(conn, settings.getfloat("CLEANWIRE_NEARDUP_THRESHOLD", DEFAULT_THRESHOLD))
        return cls(index, settings.getbool("CLEANWIRE_DROP_NEAR_DUPLICATES"), crawler.stats)

    def process_item(self, item, spider=None):
        adapter = ItemAdapter(item)
        url, text = adapter.get("url"), adapter.get("text")
        if not url or not text:
            return item
        original = self.index.check_and_add(url, text)
        if original is None:
            return item
        if self.drop:
            self.stats.inc_value("cleanwire/dropped/near_duplicate")
            raise DropItem(f"{url}: near-duplicate of {original}")
        self.stats.inc_value("cleanwire/near_duplicates")
        adapter["duplicate_of"] = original
        return item

    def close_spider(self, spider=None) -> None:
        self.index.conn.close()
