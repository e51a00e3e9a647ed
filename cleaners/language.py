"""Language: the page's declared BCP 47 tag checked against the text with py3langid (offline, fast)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

BCP47 = re.compile(r"^([a-zA-Z]{2,3})(?:[-_]([a-zA-Z]{4}))?(?:[-_]([a-zA-Z]{2}|\d{3}))?(?:[-_].*)?$")
MIN_TEXT_CHARS = 200  # shorter texts are not identified reliably
MAX_TEXT_CHARS = 600  # enough text to decide (same verdicts as 3000 on devdata); the rest only costs time
MIN_CONFIDENCE = 0.9  # below this the identifier's guess does not overrule the page
# languages the identifier confuses with each other: a page declaring one of a group is not contradicted
CLOSE = ({"no", "nb", "nn", "da"}, {"hr", "sr", "bs", "sh"}, {"id", "ms"}, {"de", "lb", "gsw"}, {"he", "iw"})


def normalise_tag(raw: str | None) -> str | None:
    """ "en_US" -> "en-US", "DE-de" -> "de-DE", "zh-hans-cn" -> "zh-Hans-CN"; None for what is not a tag."""
    if not raw:
        return None
    m = BCP47.match(raw.strip().split(",")[0].strip())
    if not m or m.group(1).lower() in ("und", "xx", "mul"):
        return None
    lang, script, region = m.groups()
    parts = [lang.lower()] + ([script.title()] if script else []) + ([region.upper()] if region else [])
    return "-".join(parts)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify(text: str) -> tuple[str, float] | None:
    """(ISO 639-1 code, probability) of the text, or None when it is too short to tell."""
    if len(text) < MIN_TEXT_CHARS:
        return None
    lang, prob = _identifier().classify(text[:MAX_TEXT_CHARS])
    return lang, float(prob)


def resolve_language(
    declared: tuple[str, str, str] | None, text: str, detect: bool = True
) -> tuple[str | None, dict[str, Any] | None]:
    """(language, provenance) from the declared (tag, source, raw) and the text; the text wins on disagreement."""
    found = identify(text) if detect else None
    if found and found[1] < MIN_CONFIDENCE:
        found = None
    if declared is None:
        if found is None:
            return None, None
        return found[0], {"source": "text", "raw": f"{found[0]} ({found[1]:.2f})"}
    tag, source, raw = declared
    if found is None or _agree(found[0], tag.split("-")[0]):
        return tag, {"source": source, "raw": raw}
    return found[0], {
        "source": "text",
        "raw": f"{found[0]} ({found[1]:.2f})",
        "declared": {"source": source, "raw": raw},
    }


def _agree(found: str, declared: str) -> bool:
    return found == declared or any(found in group and declared in group for group in CLOSE)
