"""Validation of Glue/Hive column types as written in a contract's `physicalType`."""
from __future__ import annotations

import re

PRIMITIVES = {"string", "tinyint", "smallint", "int", "integer", "bigint", "float", "double", "boolean",
              "date", "timestamp", "binary", "decimal"}
_PARAMETRIZED = re.compile(r"^(decimal)\((\d{1,2})\s*,\s*(\d{1,2})\)$|^(varchar|char)\((\d{1,5})\)$")
_FIELD_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def is_hive_type(text: str) -> bool:
    try:
        rest = _parse(text.strip())
    except ValueError:
        return False
    return rest == ""


def _split_top(body: str) -> list[str]:
    """Split on commas that are not nested inside <> or ()."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch in "<(":
            depth += 1
        elif ch in ">)":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(body[start:i].strip())
            start = i + 1
    parts.append(body[start:].strip())
    return parts


def _parse(text: str) -> str:
    lower = text
    if lower in PRIMITIVES:
        return ""
    match = _PARAMETRIZED.match(lower)
    if match:
        if match.group(1) and int(match.group(3)) > int(match.group(2)):
            raise ValueError("decimal scale larger than precision")
        if match.group(1) and not 1 <= int(match.group(2)) <= 38:
            raise ValueError("decimal precision out of range")
        return ""
    for kind in ("array", "map", "struct"):
        if lower.startswith(kind + "<") and lower.endswith(">"):
            body = lower[len(kind) + 1:-1]
            parts = _split_top(body)
            if kind == "array" and len(parts) == 1 and is_hive_type(parts[0]):
                return ""
            if kind == "map" and len(parts) == 2 and parts[0] in PRIMITIVES and is_hive_type(parts[1]):
                return ""
            if kind == "struct" and parts and all(_struct_field_ok(p) for p in parts):
                return ""
            raise ValueError(f"bad {kind} type")
    raise ValueError("unknown type")


def _struct_field_ok(part: str) -> bool:
    name, sep, field_type = part.partition(":")
    return bool(sep) and bool(_FIELD_NAME.match(name.strip())) and is_hive_type(field_type.strip())
