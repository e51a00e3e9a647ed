"""What a crawl's finish reason means: one table (crawler.engine) for the command's exit and the state's run status."""

from __future__ import annotations

import pytest

from crawler.engine import DONE_REASONS, run_status


@pytest.mark.parametrize(
    "reason", ["finished", "closespider_pagecount", "closespider_itemcount", "closespider_timeout"]
)
def test_a_run_ended_by_a_bound_the_user_set_is_finished(reason):
    assert reason in DONE_REASONS
    assert run_status(reason) == ("finished", 0)


def test_an_interrupted_run_exits_130_and_anything_else_failed():
    assert run_status("shutdown") == ("interrupted", 130)
    assert run_status("output_failed") == ("failed", 1)
    assert run_status("cancelled") == ("failed", 1)
    assert run_status(None) == ("failed", 1)
