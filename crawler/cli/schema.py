"""Print the article record's JSON Schema."""

from __future__ import annotations

import json


def add_arguments(parser) -> None:
    pass


def run(args) -> int:
    from cleaners.schema import article_schema

    print(json.dumps(article_schema(), indent=2, ensure_ascii=False))
    return 0
