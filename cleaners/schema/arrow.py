"""An Arrow schema generated from the record's JSON Schema, and record <-> Arrow row conversion."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import pyarrow as pa

from cleaners.schema import article_schema

# How JSON Schema maps to Arrow (the only places where the record's shape changes):
#   string / enum / const -> string          integer -> int64          boolean -> bool
#   array of X            -> list<X>         object with properties -> struct<...>
#   object whose keys are free (additionalProperties: {...}, e.g. `provenance`) -> map<string, X>
#   a value of any JSON type (`{}`, e.g. provenance[*].raw) -> string holding its JSON text
#   {"$ref": "#/properties/x"} -> the type of the node it points to (entries[].blocks reuses blocks)
#   an object's keys that only some values have (blocks: a figure's caption, an embed's url; `allOf` if/then
#   rules) are null columns for the others, and left out when read back where the value's rule does not ask for them
# A field is nullable in Arrow unless it is required and its JSON type excludes null.


class SchemaMappingError(ValueError):
    """A JSON Schema construct that has no Arrow mapping here."""


def _deref(spec: dict[str, Any]) -> dict[str, Any]:
    """The node a local `$ref` ("#/a/b") points to; the spec itself when it has none."""
    ref = spec.get("$ref")
    if not isinstance(ref, str):
        return spec
    if not ref.startswith("#/"):
        raise SchemaMappingError(f"{ref}: only local references are mapped")
    node: dict[str, Any] = article_schema()
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _is_any(spec: dict[str, Any]) -> bool:
    if "$ref" in spec:
        return False
    return not any(key in spec for key in ("type", "enum", "const", "properties", "items"))


def _types(spec: dict[str, Any]) -> list[str]:
    kind = spec.get("type")
    if kind is None and ("enum" in spec or "const" in spec):
        return ["string"]
    return kind if isinstance(kind, list) else [str(kind)]


def _allows_null(spec: dict[str, Any]) -> bool:
    return _is_any(spec) or "null" in _types(spec)


def arrow_type(spec: dict[str, Any], where: str = "record") -> pa.DataType:
    """The Arrow type of one JSON Schema node."""
    spec = _deref(spec)
    if _is_any(spec):
        return pa.string()
    kinds = [k for k in _types(spec) if k != "null"]
    if len(kinds) != 1:
        raise SchemaMappingError(f"{where}: cannot map JSON types {kinds} to one Arrow type")
    kind = kinds[0]
    if kind in ("string", "integer", "boolean", "number"):
        return {"string": pa.string(), "integer": pa.int64(), "boolean": pa.bool_(), "number": pa.float64()}[kind]
    if kind == "array":
        return pa.list_(arrow_type(spec.get("items", {}), f"{where}[]"))
    if kind == "object" and "properties" in spec:
        return pa.struct(_fields(spec, where))
    if kind == "object" and isinstance(spec.get("additionalProperties"), dict):
        value = arrow_type(dict(spec["additionalProperties"], type="object"), f"{where}{{}}")
        return pa.map_(pa.string(), value)
    raise SchemaMappingError(f"{where}: cannot map a JSON {kind} without properties")


def _fields(spec: dict[str, Any], where: str) -> list[pa.Field]:
    required = set(spec.get("required", ()))
    return [
        pa.field(name, arrow_type(sub, f"{where}.{name}"), nullable=name not in required or _allows_null(_deref(sub)))
        for name, sub in spec["properties"].items()
    ]


@lru_cache(maxsize=1)
def arrow_schema() -> pa.Schema:
    """The record's Arrow schema, field order as in the JSON Schema."""
    schema = article_schema()
    return pa.schema(_fields(schema, "record"), metadata={"json_schema_id": schema.get("$id", "")})


def to_arrow_value(value: Any, spec: dict[str, Any]) -> Any:
    """A record value shaped for pyarrow: free-form values become JSON text, maps lists of pairs."""
    if value is None:
        return None
    spec = _deref(spec)
    if _is_any(spec):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, list):
        return [to_arrow_value(v, spec.get("items", {})) for v in value]
    if isinstance(value, dict) and "properties" in spec:
        return {name: to_arrow_value(value.get(name), sub) for name, sub in spec["properties"].items()}
    if isinstance(value, dict):
        sub = dict(spec["additionalProperties"], type="object")
        return [(key, to_arrow_value(v, sub)) for key, v in value.items()]
    return value


def from_arrow_value(value: Any, spec: dict[str, Any]) -> Any:
    """The inverse of to_arrow_value on what pyarrow's to_pylist returns."""
    if value is None:
        return None
    spec = _deref(spec)
    if _is_any(spec):
        return json.loads(value)
    if "properties" in spec:
        required, conditional = _required(spec, value)
        return {
            name: from_arrow_value(value[name], sub)
            for name, sub in spec["properties"].items()
            if value[name] is not None or name in required or (_allows_null(_deref(sub)) and name not in conditional)
        }
    if "items" in spec:
        return [from_arrow_value(v, spec["items"]) for v in value]
    if isinstance(spec.get("additionalProperties"), dict):
        sub = dict(spec["additionalProperties"], type="object")
        return {key: from_arrow_value(v, sub) for key, v in value}
    return value


def _required(spec: dict[str, Any], value: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(the keys `value` must have, the keys only some values must have) under the object's `required` and its
    `allOf: [{if: {properties: {K: {const: V}}}, then: {required: [...]}}]` rules (a figure block's caption)."""
    required = set(spec.get("required", ()))
    conditional: set[str] = set()
    for rule in spec.get("allOf", ()):
        then = set(rule.get("then", {}).get("required", ()))
        conditional |= then
        condition = rule.get("if", {}).get("properties", {})
        if condition and all(value.get(k) == c.get("const") for k, c in condition.items()):
            required |= then
    return required, conditional - set(spec.get("required", ()))


def record_to_row(record: dict[str, Any]) -> dict[str, Any]:
    """One record as a row of arrow_schema() (missing fields become nulls)."""
    row: dict[str, Any] = to_arrow_value(record, article_schema())
    return row


def row_to_record(row: dict[str, Any]) -> dict[str, Any]:
    """A row read back with pyarrow, as the JSON record it was made from."""
    record: dict[str, Any] = from_arrow_value(row, article_schema())
    return record
