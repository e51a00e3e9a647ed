"""Language: the page's declared BCP 47 tag checked against the text with py3langid (offline, fast)."""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

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


#: arrays of py3langid's model (its model.npz.xz), kept uncompressed in the cache directory
MODEL_ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")


@lru_cache(maxsize=1)
def _identifier() -> Any:
    """py3langid's identifier. Its model ships LZMA-compressed (4.6 MB, 68 MB of arrays): decompressing costs about
    0.5 s of CPU in every process that identifies a language (each crawl's forkserver, each `cleanwire extract`).
    The arrays are therefore kept uncompressed in a cache directory and memory-mapped (the same pages for every
    process); when the cache cannot be read or written, the model loads as py3langid loads it."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    model = Path(MODEL_FILE) if Path(MODEL_FILE).is_absolute() else Path(MODEL_DIR) / MODEL_FILE
    try:
        import numpy as np

        arrays = _cached_model_arrays(model)
        if arrays is not None:
            return LanguageIdentifier(
                np.asarray(arrays["ptc"]),
                np.asarray(arrays["pc"]),
                arrays["classes"].tolist(),
                _stdlib_array(arrays["nextmove"]),
                arrays["out_feat"].tolist(),
                norm_probs=True,
                tk_row=_stdlib_array(arrays["nextmove_row"]),
            )
    except Exception:  # another py3langid layout, an unreadable cache: py3langid's own loading
        logger.debug("language model cache not used", exc_info=True)
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _stdlib_array(values: Any) -> Any:
    """An unsigned integer numpy array as the stdlib array py3langid's tokenizer indexes (as its loader makes it)."""
    from array import array

    out = array({2: "H", 4: "I", 8: "L"}[values.dtype.itemsize])
    out.frombytes(values.tobytes())
    return out


def _cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cleanwire"


def _cached_model_arrays(model: Path) -> dict[str, Any] | None:
    """The model's arrays, memory-mapped from the cache (written first when missing), or None when the cache
    cannot be used. The cache is keyed by the model file's size and mtime, and written to a temporary directory
    renamed into place, so concurrent processes never read a half-written one."""
    import numpy as np

    stat = model.stat()
    target = _cache_home() / f"langid-{stat.st_size}-{stat.st_mtime_ns}"
    if not (target / "done.json").exists():
        import io
        import lzma

        with lzma.open(model) as src:  # read whole: the npz's zip directory seeks, which an LZMA stream redoes
            packed = io.BytesIO(src.read())
        with np.load(packed, allow_pickle=False) as data:
            arrays = {name: data[name] for name in MODEL_ARRAYS}
        del packed
        work: Path | None = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            work = Path(tempfile.mkdtemp(prefix=".langid-", dir=target.parent))
            for name, array in arrays.items():
                np.save(work / f"{name}.npy", array, allow_pickle=False)
            (work / "done.json").write_text(json.dumps({"source": str(model), "arrays": list(MODEL_ARRAYS)}))
            work.rename(target)  # fails when another process put it there first: its copy is used
            work = None
        except OSError:  # no cache directory here (read-only home, disk full): the arrays just read
            logger.debug("language model cache not written", exc_info=True)
            if not (target / "done.json").exists():
                return arrays
        finally:
            if work is not None:  # what this process wrote and did not rename into place
                for child in work.iterdir():
                    child.unlink()
                work.rmdir()
    return {name: np.load(target / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in MODEL_ARRAYS}


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
