"""Boilerplate rules as data: element rules (class/id tokens, tags, roles) and phrase rules per language.

Every rule has a stable id (`<kind>:<name>` or `<kind>:<lang>:<name>`) that appears in
`removed[].rule` and can be switched off with `Options(disabled_rules=...)`.
"""

from __future__ import annotations

from .elements import ELEMENT_RULES, ElementRule
from .phrases import PHRASE_RULES, PhraseRule

__all__ = ["ELEMENT_RULES", "PHRASE_RULES", "ElementRule", "PhraseRule", "all_rule_ids"]


def all_rule_ids() -> list[str]:
    return [r.id for r in ELEMENT_RULES] + [r.id for r in PHRASE_RULES]
