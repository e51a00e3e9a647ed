"""The DESIGN.md body metric on hand-made cases with known tp/fp/fn."""

from __future__ import annotations

import pytest

from cleaners.bench import PageResult, author_f1, body_scores, f1, same_day, shingles, summarise


def test_identical_text_scores_one():
    s = body_scores("one two three four five", "one two three four five")
    assert (s.precision, s.recall) == (1.0, 1.0)


def test_known_counts():
    # truth has 3 shingles (a b c d, b c d e, c d e f); extraction has those 3 plus 2 extra
    truth = "a b c d e f"
    extracted = "a b c d e f x y"
    assert sum(shingles(extracted).values()) == 5
    s = body_scores(truth, extracted)
    assert s.precision == pytest.approx(3 / 5)
    assert s.recall == pytest.approx(1.0)


def test_missing_text_lowers_recall():
    s = body_scores("a b c d e f g", "a b c d e")  # truth 4 shingles, extraction 2, both shared
    assert s.precision == pytest.approx(1.0)
    assert s.recall == pytest.approx(2 / 4)


def test_invisible_characters_are_dropped():
    s = body_scores("Zeitungs\u00adartikel heute hier gelesen", "Zeitungsartikel heute hier gelesen")
    assert s.precision == 1.0 and s.recall == 1.0


def test_empty_extraction_scores_zero():
    s = body_scores("a b c d e", "")
    assert (s.precision, s.recall) == (0.0, 0.0)


def test_f1_from_averages():
    rows = [PageResult("a", "x", 1.0, 0.5, True, 1.0, True, 1.0), PageResult("b", "x", 0.5, 1.0, False, 0.0, None, 3.0)]
    s = summarise(rows)
    assert s["precision"] == pytest.approx(0.75) and s["recall"] == pytest.approx(0.75)
    assert s["f1"] == pytest.approx(f1(0.75, 0.75))
    assert s["title"] == 0.5 and s["date"] == 1.0 and s["median_ms"] == 2.0


def test_author_set_f1_normalises_names():
    assert author_f1(["Jane Doe", "José Núñez"], ["jane  doe", "JOSÉ NÚÑEZ"]) == 1.0
    assert author_f1(["Jane Doe", "John Roe"], ["Jane Doe"]) == pytest.approx(2 / 3)


def test_same_day():
    assert same_day("2025-06-30 15:59:30+02:00", "2025-06-30T13:59:30+00:00")
    assert not same_day("2025-06-30", "2025-07-01")
    assert not same_day("2025-06-30", None)
