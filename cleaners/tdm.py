"""TDMRep (W3C TDM Reservation Protocol): rights reservation and policy from headers, <meta> tags and tdmrep.json.

Three places may declare a reservation: the `tdm-reservation` / `tdm-policy` HTTP response headers, the
same-named `<meta name=...>` tags, and the site's `/.well-known/tdmrep.json` (an array of rules
`{"location": PATTERN, "tdm-reservation": 0|1, "tdm-policy": URL}`; a location is a path pattern as in
robots.txt, `*` any characters and a final `$` the end of the path, and the most specific (longest)
matching location applies). `combine` joins what was found: a reservation anywhere reserves the page
(`reserved` true); else an explicit `0` says not reserved; else nothing was declared (null).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from .access import Headers, header_dict
from .errors import TdmRepError

WELL_KNOWN_PATH = "/.well-known/tdmrep.json"
MAX_TDMREP_BYTES = 1024 * 1024  # a larger tdmrep.json is refused (the spec's files are a few rules)
META = etree.XPath(
    "//meta[@name='tdm-reservation' or @name='tdm-policy' or @name='TDM-Reservation' or @name='TDM-Policy']"
)


@dataclass(frozen=True)
class Tdm:
    """A TDM reservation as declared by one source (header, meta, tdmrep) or combined."""

    reserved: bool | None = None
    policy: str | None = None
    source: str | None = None  # header | meta | tdmrep
    raw: str | None = None  # the declared value ("1", "0") or the matched tdmrep.json location

    def evidence(self) -> dict[str, Any] | None:
        """`provenance.tdm_reserved`: {source, raw, policy?}, or None when nothing was declared."""
        if self.source is None:
            return None
        out = {"source": self.source, "raw": self.raw}
        if self.policy:
            out["policy"] = self.policy
        return out


NOT_DECLARED = Tdm()


@dataclass(frozen=True)
class TdmRule:
    """One rule of a tdmrep.json file."""

    location: str
    reserved: bool
    policy: str | None = None


def _flag(value: Any) -> bool | None:
    text = str(value).strip()
    return {"1": True, "0": False}.get(text)


def from_headers(headers: Headers) -> Tdm | None:
    """The reservation of the `tdm-reservation` / `tdm-policy` response headers (names in any case)."""
    lower = header_dict(headers)
    reserved = _flag(lower.get("tdm-reservation", ""))
    if reserved is None:
        return None
    return Tdm(reserved, lower.get("tdm-policy", "").strip() or None, "header", lower["tdm-reservation"].strip())


def from_meta(tree: HtmlElement | None) -> Tdm | None:
    """The reservation of `<meta name="tdm-reservation" content="1">` and `<meta name="tdm-policy" ...>`."""
    if tree is None:
        return None
    values: dict[str, str] = {}
    for el in META(tree):
        values.setdefault(el.get("name", "").lower(), (el.get("content") or "").strip())
    reserved = _flag(values.get("tdm-reservation", ""))
    if reserved is None:
        return None
    return Tdm(reserved, values.get("tdm-policy") or None, "meta", values["tdm-reservation"])


def parse_tdmrep(data: bytes | str, source: str = WELL_KNOWN_PATH) -> tuple[TdmRule, ...]:
    """The rules of a tdmrep.json file; TdmRepError names the file and the reason when it is not one."""
    if len(data) > MAX_TDMREP_BYTES:
        raise TdmRepError(f"larger than {MAX_TDMREP_BYTES} bytes", source)
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise TdmRepError(f"not JSON ({exc})", source) from None
    if not isinstance(doc, list):
        raise TdmRepError("not a JSON array of rules", source)
    rules = []
    for item in doc:
        if not isinstance(item, dict) or not isinstance(item.get("location"), str):
            continue  # a rule without a location is skipped, the others still apply
        reserved = _flag(item.get("tdm-reservation"))
        if reserved is None:
            continue
        policy = item.get("tdm-policy")
        rules.append(TdmRule(item["location"].strip(), reserved, policy.strip() if isinstance(policy, str) else None))
    return tuple(rules)


@lru_cache(maxsize=256)
def _pattern(location: str) -> re.Pattern[str]:
    anchored = location.endswith("$")
    body = location[:-1] if anchored else location
    if not body.startswith(("/", "*")):
        body = "/" + body
    return re.compile("".join(".*" if c == "*" else re.escape(c) for c in body) + ("$" if anchored else ""))


def from_tdmrep(rules: Iterable[TdmRule], path: str) -> Tdm | None:
    """The rule of a tdmrep.json that applies to a URL path (with its query): the longest matching location."""
    best = None
    for rule in rules:
        if _pattern(rule.location).match(path or "/") and (best is None or len(rule.location) > len(best.location)):
            best = rule
    if best is None:
        return None
    return Tdm(best.reserved, best.policy, "tdmrep", best.location)


def combine(*found: Tdm | None) -> Tdm:
    """A reservation declared anywhere wins; else an explicit non-reservation; else NOT_DECLARED."""
    declared = [t for t in found if t is not None and t.reserved is not None]
    for tdm in declared:
        if tdm.reserved:
            return tdm
    return declared[0] if declared else NOT_DECLARED
