"""Near-duplicates: syndicated copies match, articles sharing only boilerplate do not, the index persists."""

from __future__ import annotations

import sqlite3

import pytest
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler

from cleaners import extract
from crawler.dedup.neardup import (
    SHINGLE_WORDS,
    WORD,
    NearDupIndex,
    NearDupIndexError,
    NearDupPipeline,
    RedisNearDupIndex,
    band_rows,
    signature,
)
from crawler.demo.server import DEFAULT_ROOT

from conftest import PAGES

SEED = PAGES / "neutral" / "taiwan-envoy-israel.html"
FIRST_PARAGRAPH = "<p>Taiwan’s Deputy Foreign Minister"
SENTENCE = "Israel’s foreign ministry did not comment."
BOILERPLATE = (
    "Sign up for our morning newsletter and get the day's top stories delivered to your inbox before breakfast. "
    "You can unsubscribe at any time using the link at the bottom of every email we send. "
    "All content on this site is copyright of its publisher and may not be reproduced, distributed, transmitted, "
    "cached or otherwise used without prior written permission, except for personal non-commercial use. "
    "Follow us on social media for breaking news, analysis and behind-the-scenes coverage from our reporters."
)


def syndicated_copy() -> str:
    """The seed page as a wire copy: another byline, a dateline, one sentence reworded."""
    html = SEED.read_text("utf-8")
    assert html.count(FIRST_PARAGRAPH) == 1 and html.count(SENTENCE) == 1
    html = html.replace("Ruta R Deshpande", "Maria Lopez").replace("Ruta Deshpande", "Maria Lopez")
    html = html.replace(FIRST_PARAGRAPH, "<p>TAIPEI, Dec 12 (Wire) - Taiwan’s Deputy Foreign Minister")
    return html.replace(SENTENCE, "A spokesperson for Israel’s foreign ministry declined to say anything about it.")


def record(html: str | bytes, url: str) -> dict:
    return extract(html, url=url).to_dict()


@pytest.fixture
def conn(tmp_path):
    connection = sqlite3.connect(tmp_path / "state.db")
    yield connection
    connection.close()


@pytest.fixture(params=["sqlite", "redis"])
def index(request, conn):
    """The LSH index in the state's SQLite file, or in Redis under a distributed crawl's prefix."""
    if request.param == "sqlite":
        return NearDupIndex(conn)
    import redis

    return RedisNearDupIndex(redis.Redis.from_url(request.getfixturevalue("redis_url")), "cleanwire:site")


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """The shingles a signature hashes, spelled out (the reference the datasketch check feeds): lower-cased word
    `size`-grams; a text shorter than one shingle is one shingle."""
    words = WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def test_shingles_are_word_5_grams():
    assert shingles("One two, three FOUR five six!") == {"one two three four five", "two three four five six"}
    assert shingles("Too short") == {"too short"}
    assert shingles(" -- ") == set() and signature("...") is None


def datasketch_signature(text: str, num_perm: int = 128):
    """The signature as it was computed before (and stored in state files and Redis): datasketch 2.0's MinHash."""
    import numpy as np
    from datasketch import MinHash

    grams = shingles(text)
    if not grams:
        return None
    minhash = MinHash(num_perm=num_perm, seed=1)
    minhash.update_batch([g.encode("utf-8") for g in grams])
    return minhash.hashvalues.astype(np.uint64)


def fixture_site_bodies() -> list[str]:
    """The fixture site's article sources (English, German, French, Spanish), markup and all: one text each."""
    source = (DEFAULT_ROOT / "src" / "articles.txt").read_text("utf-8")
    return [part.split("\n\n", 1)[-1] for part in source.split("\n=== ")[1:]]


def test_signature_is_datasketch_minhash_bit_for_bit():
    """Signatures stored by earlier versions (state files, Redis) keep matching: the same uint64 bytes."""
    import random

    rng = random.Random(17)
    vocabulary = [f"w{i}" for i in range(3000)]
    bodies = fixture_site_bodies()
    assert len(bodies) >= 50
    texts = [
        *bodies,
        "",
        "   ",
        " -- !? ",
        "word",
        "Too short",
        "one two three four five",
        "one two three four five six",
        "One two, three FOUR five six!",
        "snake_case words and 2025 numbers: 3.14, 1,000",
        "İstanbul'da ISTANBUL ıı İİ; straße STRASSE Grüße aus Köln, ǅemal",
        "東京の天気は晴れ。明日は雨が降るでしょう。 日本語 テキスト 漢字 かな カナ",
        "서울 시민들은 오늘 아침 지하철 파업으로 출근길에 큰 불편을 겪었다",
        "Москва: правительство объявило о новых мерах поддержки малого бизнеса в регионах",
        "أعلنت الحكومة اليوم عن خطة جديدة لدعم المشاريع الصغيرة في المدن الكبرى",
        "Η κυβέρνηση ανακοίνωσε σήμερα νέα μέτρα στήριξης για τις μικρές επιχειρήσεις",
        "emoji 🙂 between 👍🏽 words; zero\u200bwidth and com\u0301bining marks",
        "the same five words here " * 400,  # one shingle set repeated
        " ".join(rng.choice(vocabulary) for _ in range(12000)),  # more shingles than one block of rows
    ]
    for text in texts:
        expected, found = datasketch_signature(text), signature(text)
        if expected is None:
            assert found is None, text
        else:
            assert found.dtype == expected.dtype and found.tobytes() == expected.tobytes(), text[:60]
    for num_perm in (1, 16, 256):
        assert signature(texts[0], num_perm).tobytes() == datasketch_signature(texts[0], num_perm).tobytes()


def test_signature_values_are_fixed():
    """The values themselves, whatever the installed datasketch: a change here orphans every stored signature."""
    import hashlib

    first = signature("One two, three FOUR five six!")
    assert first.dtype.name == "uint64" and first.shape == (128,)
    assert first[:4].tolist() == [984630812, 833933089, 1167325145, 1194518338]
    assert hashlib.sha256(first.tobytes()).hexdigest() == (
        "74d0ea2b427f1c254f6f4fb32c5394904181125ed090186e7db9f0a00d587d37"
    )
    assert hashlib.sha256(signature("Grüße aus Köln").tobytes()).hexdigest() == (
        "05ffdfa9ba680b522b24dcd8f105ac406dbe4fbe0af12c756826411afe9d2c8c"
    )


def test_band_keys_are_fixed(conn):
    """A band's key hashes its values' bytes: a change here orphans every stored index (SQLite and Redis)."""
    import hashlib

    index = NearDupIndex(conn, 0.9)
    sig = signature("One two, three FOUR five six!")
    keys = index._band_hashes(sig)
    assert len(keys) == index.bands == 128 // index.rows
    rows = index.rows
    reference = [  # each band's numpy slice hashed on its own, as stored keys were made
        int.from_bytes(
            hashlib.blake2b(sig[b * rows : (b + 1) * rows].tobytes(), digest_size=8).digest(), "big", signed=True
        )
        for b in range(index.bands)
    ]
    assert keys == reference
    assert rows == 9 and keys[:2] == [-949452536349436723, -3157311253166031716]


def test_band_layout_finds_pairs_at_the_threshold():
    rows = band_rows(0.9)
    bands = 128 // rows
    assert 1 - (1 - 0.9**rows) ** bands >= 0.995
    assert 1 - (1 - 0.9 ** (rows + 1)) ** (128 // (rows + 1)) < 0.995


@pytest.mark.e2e
def test_syndicated_copy_matches(index):
    original = record(SEED.read_bytes(), "https://deftechtimes.com/taiwan-envoy-israel/")
    copy = record(syndicated_copy(), "https://wire.example/2025/12/12/taiwan-envoy/")
    assert copy["authors"] == ["Maria Lopez"] and copy["text"] != original["text"]
    assert copy["text"].startswith("TAIPEI, Dec 12 (Wire) - Taiwan’s Deputy")
    assert index.check_and_add(original["url"], original["text"]) is None
    url, similarity = index.find(copy["text"])
    assert url == original["url"] and similarity >= 0.9
    assert index.check_and_add(copy["url"], copy["text"]) == original["url"]
    assert index.check_and_add(original["url"], original["text"]) is None  # a record never duplicates itself


@pytest.mark.e2e
def test_articles_sharing_only_boilerplate_do_not_match(index):
    a = record((PAGES / "arc" / "utility-rates-heating-bill.html").read_bytes(), "https://a.example/rates/")
    b = record(
        (PAGES / "wordpress-generatepress" / "harbour-ferry-contract.html").read_bytes(), "https://b.example/ferry/"
    )
    assert index.check_and_add(a["url"], a["text"] + "\n\n" + BOILERPLATE) is None
    assert index.check_and_add(b["url"], b["text"] + "\n\n" + BOILERPLATE) is None
    assert index.find(BOILERPLATE) is None  # the boilerplate alone is a small part of either record
    assert len(index) == 2


@pytest.mark.e2e
def test_index_persists_across_instances(tmp_path):
    path = tmp_path / "neardup.db"
    original = record(SEED.read_bytes(), "https://deftechtimes.com/taiwan-envoy-israel/")
    first = sqlite3.connect(path)
    assert NearDupIndex(first).check_and_add(original["url"], original["text"]) is None
    first.close()
    second = sqlite3.connect(path)
    index = NearDupIndex(second, threshold=0.85)
    copy = record(syndicated_copy(), "https://wire.example/taiwan-envoy/")
    assert index.check_and_add(copy["url"], copy["text"]) == original["url"]
    assert len(index) == 2
    second.close()


def test_threshold_is_checked(conn):
    with pytest.raises(ValueError, match="threshold must be in"):
        NearDupIndex(conn, threshold=1.5)


@pytest.mark.e2e
def test_pipeline_marks_or_drops(tmp_path):
    with pytest.raises(NotConfigured):
        NearDupPipeline.from_crawler(get_crawler(settings_dict={}))
    original = record(SEED.read_bytes(), "https://deftechtimes.com/taiwan-envoy-israel/")
    copy = record(syndicated_copy(), "https://wire.example/taiwan-envoy/")
    crawler = get_crawler(settings_dict={"CLEANWIRE_NEARDUP": str(tmp_path / "nd.db")})
    crawler.stats.open_spider()
    pipeline = NearDupPipeline.from_crawler(crawler)
    assert pipeline.process_item(dict(original))["duplicate_of"] is None
    assert pipeline.process_item(dict(copy))["duplicate_of"] == original["url"]
    pipeline.close_spider()
    assert crawler.stats.get_value("cleanwire/near_duplicates") == 1
    dropping = get_crawler(
        settings_dict={"CLEANWIRE_NEARDUP": str(tmp_path / "nd.db"), "CLEANWIRE_DROP_NEAR_DUPLICATES": True}
    )
    dropping.stats.open_spider()
    pipeline = NearDupPipeline.from_crawler(dropping)
    with pytest.raises(DropItem, match=r"near-duplicate of https://deftechtimes\.com/taiwan-envoy-israel/"):
        pipeline.process_item(dict(copy, url="https://third.example/copy/"))
    pipeline.close_spider()
    assert dropping.stats.get_value("cleanwire/dropped/near_duplicate") == 1


def redis_pipeline(url: str, worker: str, **settings) -> NearDupPipeline:
    crawler = get_crawler(
        settings_dict={
            "CLEANWIRE_NEARDUP": ":memory:",
            "CLEANWIRE_REDIS": url,
            "REDIS_URL": url,
            "CLEANWIRE_REDIS_WORKER": worker,
            **settings,
        }
    )
    crawler.stats.open_spider()
    return NearDupPipeline.from_crawler(crawler)


@pytest.mark.e2e
def test_workers_of_a_redis_crawl_share_one_index(redis_url):
    """Under --redis the bands live in Redis: a copy handled by worker w1 is a near-duplicate of w0's original."""
    import redis

    original = record(SEED.read_bytes(), "https://deftechtimes.com/taiwan-envoy-israel/")
    copy = record(syndicated_copy(), "https://wire.example/taiwan-envoy/")
    w0, w1 = redis_pipeline(redis_url, "w0"), redis_pipeline(redis_url, "w1")
    assert isinstance(w0.index, RedisNearDupIndex) and w0.index.rows == band_rows(0.9)
    assert w0.process_item(dict(original))["duplicate_of"] is None
    assert w1.process_item(dict(copy))["duplicate_of"] == original["url"]
    assert w1.process_item(dict(original))["duplicate_of"] is None  # re-extracted after a kill: still first
    assert w0.process_item(dict(copy))["duplicate_of"] == original["url"]
    assert len(w0.index) == len(w1.index) == 2
    with pytest.raises(DropItem, match=r"near-duplicate of https://deftechtimes\.com/taiwan-envoy-israel/"):
        redis_pipeline(redis_url, "w2", CLEANWIRE_DROP_NEAR_DUPLICATES=True).process_item(
            dict(copy, url="https://third.example/copy/")
        )
    keys = {k.decode() for k in redis.Redis.from_url(redis_url).keys("*")}
    assert keys and all(k.startswith("cleanwire:default:neardup:") for k in keys)


@pytest.mark.e2e
def test_redis_index_refuses_another_layout(redis_url):
    import redis

    server = redis.Redis.from_url(redis_url)
    server.hset("cleanwire:x:neardup:meta", mapping={"num_perm": 64, "rows": 8, "seed": 1, "shingle_words": 5})
    with pytest.raises(NearDupIndexError, match="num_perm=64"):
        RedisNearDupIndex(server, "cleanwire:x")


def site_articles() -> dict[str, str]:
    """Texts of the fixture site's dated articles (English, German, Spanish, French), by path."""
    www = DEFAULT_ROOT / "www"
    texts = {}
    for page in sorted(www.glob("**/20[0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html")):
        path = "/" + page.parent.relative_to(www).as_posix() + "/"
        html = page.read_bytes().replace(b"{{ORIGIN}}", b"https://harbour.example")
        article = extract(html, url="https://harbour.example" + path)
        if article is not None:
            texts[path] = article.text
    return texts


@pytest.mark.e2e
def test_fixture_site_wire_copy_is_the_only_pair_at_0_8(conn):
    """The site's wire story and its reprint (dateline, byline, one sentence of 258 words): Jaccard 0.85."""
    texts = site_articles()
    assert len(texts) >= 40
    index = NearDupIndex(conn, threshold=0.8)
    found = {path: index.check_and_add(path, text) for path, text in texts.items()}
    assert {path: first for path, first in found.items() if first} == {
        "/2025/04/03/port-tariffs-wire-copy/": "/2025/04/02/wire-story-port-tariffs/"
    }


def test_a_record_signed_in_its_worker_is_not_hashed_again(tmp_path, monkeypatch):
    """run_task gives the article Record its signature in the worker; the pipeline uses it as is."""
    import pickle

    from cleaners import Options
    from crawler.dedup import neardup
    from crawler.extraction.tasks import EXTRACT, run_task
    from crawler.items import Record

    body, url = SEED.read_bytes(), "https://deftechtimes.com/taiwan-envoy-israel/"
    status, signed = run_task(EXTRACT, None, True, body, url, Options(), None, {}, None)
    signed = pickle.loads(pickle.dumps(signed))  # as it crosses from the worker
    assert status == "article" and type(signed) is Record
    assert signed == record(body, url)  # the same fields as an unsigned record
    assert signed.signature == neardup.signature(signed["text"]).tobytes()
    assert run_task(EXTRACT, None, False, body, url, Options(), None, {}, None)[1].signature is None

    crawler = get_crawler(settings_dict={"CLEANWIRE_NEARDUP": str(tmp_path / "nd.db")})
    crawler.stats.open_spider()
    pipeline = NearDupPipeline.from_crawler(crawler)
    assert pipeline.process_item(signed)["duplicate_of"] is None
    monkeypatch.setattr(neardup, "signature", lambda *a: pytest.fail("signature computed again"))
    other = Record(dict(signed, url="https://other.example/unrelated/", text="Nothing alike at all here."))
    other.signature = signed.signature  # the signature is what is compared, not the text
    assert pipeline.process_item(other)["duplicate_of"] == url
    pipeline.close_spider()
