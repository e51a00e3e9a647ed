"""The record's JSON Schema (draft 2020-12), shipped with the package."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=1)
def article_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(resources.files(__package__).joinpath("article.schema.json").read_text("utf-8"))
    return schema


def validate(record: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError when the record does not match the schema."""
    import jsonschema

    jsonschema.Draft202012Validator(article_schema()).validate(record)
