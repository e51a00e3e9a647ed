"""py3langid's model, cached uncompressed and memory-mapped: the same identifications as py3langid's own loading."""

from __future__ import annotations

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from cleaners import language

TEXTS = [
    "The harbour board met on Tuesday evening to weigh three plans for the old ferry pier, closed since the storms.",
    "Le conseil municipal a approuvé mardi soir le budget de la ville pour l'année prochaine, malgré les critiques.",
    "Der Stadtrat hat am Dienstagabend den Haushalt für das kommende Jahr beschlossen, trotz der Kritik der Opposition.",
    "El ayuntamiento aprobó el martes por la noche el presupuesto de la ciudad para el próximo año pese a las críticas.",
    "Городской совет во вторник вечером утвердил бюджет города на следующий год, несмотря на критику оппозиции.",
    "市議会は火曜日の夜、野党の批判にもかかわらず、来年度の市の予算を承認した。港の再開発計画も議論された。",
    "Gemeenteraad keurt begroting goed ondanks kritiek van de oppositie op de hogere lokale belastingen dit jaar.",
    "x",
]


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    language._identifier.cache_clear()
    yield tmp_path / "cache"
    language._identifier.cache_clear()


def test_the_cached_model_identifies_exactly_as_py3langids_own_loading(cache_home):
    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    expected = [reference.classify(text) for text in TEXTS]
    assert [lang for lang, _ in expected[:7]] == ["en", "fr", "de", "es", "ru", "ja", "nl"]
    written = language._identifier()  # first use: the cache is written, then mapped
    [entry] = (cache_home / "cleanwire").iterdir()
    assert entry.name.startswith("langid-") and sorted(p.name for p in entry.iterdir()) == sorted(
        [f"{name}.npy" for name in language.MODEL_ARRAYS] + ["done.json"]
    )
    language._identifier.cache_clear()
    mapped = language._identifier()  # read from the cache
    assert [written.classify(text) for text in TEXTS] == expected
    assert [mapped.classify(text) for text in TEXTS] == expected


def test_an_unwritable_cache_directory_still_loads_the_model(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    language._identifier.cache_clear()
    try:
        assert language.identify(TEXTS[1] * 2)[0] == "fr"
    finally:
        language._identifier.cache_clear()
    assert blocker.read_text() == ""
