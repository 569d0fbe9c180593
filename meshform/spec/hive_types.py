"""Validation of Glue/Hive column types as written in a contract's `physicalType`.

Bounds (Athena DDL = Hive type names, https://docs.aws.amazon.com/athena/latest/ug/data-types.html, and
https://cwiki.apache.org/confluence/display/Hive/LanguageManual+Types):
- char(n): 1 <= n <= 255; varchar(n): 1 <= n <= 65535;
- decimal(p) / decimal(p,s): 1 <= p <= 38, 0 <= s <= p (Athena: "the maximum value for precision is 38");
- a column type string is at most 131072 characters (Glue Column.Type,
  https://docs.aws.amazon.com/glue/latest/webapi/API_Column.html); nesting of array/map/struct is bounded by
  MAX_NESTING so that a hostile type cannot exhaust the stack.
Digits are ASCII only (Python's \\d also matches e.g. Arabic-Indic digits, which Glue does not read).
"""
from __future__ import annotations

import re

PRIMITIVES = {"string", "tinyint", "smallint", "int", "integer", "bigint", "float", "double", "boolean",
              "date", "timestamp", "binary", "decimal"}
CHAR_MAX = 255
VARCHAR_MAX = 65535
DECIMAL_PRECISION_MAX = 38
TYPE_MAX_LENGTH = 131072
MAX_NESTING = 32

_DECIMAL = re.compile(r"decimal\(\s*([0-9]{1,3})\s*(?:,\s*([0-9]{1,3})\s*)?\)", re.ASCII)
_CHARS = re.compile(r"(varchar|char)\(\s*([0-9]{1,6})\s*\)", re.ASCII)
_FIELD_NAME = re.compile(r"[a-z_][a-z0-9_]*", re.ASCII)


def is_hive_type(text: str) -> bool:
    return type_problem(text) is None


def type_problem(text: str) -> str | None:
    """None when `text` is a valid Glue/Hive column type, else what is wrong with it."""
    if len(text) > TYPE_MAX_LENGTH:
        return f"a column type may be at most {TYPE_MAX_LENGTH} characters (Glue)"
    try:
        _parse(text.strip(), 0)
    except ValueError as exc:
        return str(exc)
    return None


def _split_top(body: str) -> list[str]:
    """Split on commas that are not nested inside <> or ()."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch in "<(":
            depth += 1
        elif ch in ">)":
            depth -= 1
            if depth < 0:
                raise ValueError("unbalanced brackets")
        elif ch == "," and depth == 0:
            parts.append(body[start:i].strip())
            start = i + 1
    if depth != 0:
        raise ValueError("unbalanced brackets")
    parts.append(body[start:].strip())
    return parts


def _parse(text: str, level: int) -> None:
    if level > MAX_NESTING:
        raise ValueError(f"types nest at most {MAX_NESTING} levels deep")
    if text in PRIMITIVES:
        return
    match = _DECIMAL.fullmatch(text)
    if match:
        precision = int(match.group(1))
        scale = int(match.group(2)) if match.group(2) is not None else 0
        if not 1 <= precision <= DECIMAL_PRECISION_MAX:
            raise ValueError(f"decimal precision {precision} is outside 1..{DECIMAL_PRECISION_MAX}")
        if scale > precision:
            raise ValueError(f"decimal scale {scale} is larger than its precision {precision}")
        return
    match = _CHARS.fullmatch(text)
    if match:
        kind, length = match.group(1), int(match.group(2))
        limit = CHAR_MAX if kind == "char" else VARCHAR_MAX
        if not 1 <= length <= limit:
            raise ValueError(f"{kind} length {length} is outside 1..{limit}")
        return
    for kind in ("array", "map", "struct"):
        if text.startswith(kind + "<") and text.endswith(">"):
            parts = _split_top(text[len(kind) + 1:-1])
            if kind == "array" and len(parts) == 1:
                _parse(parts[0], level + 1)
                return
            if kind == "map" and len(parts) == 2:
                if parts[0] not in PRIMITIVES:
                    raise ValueError(f"map keys must be a primitive type, not {parts[0][:40]!r}")
                _parse(parts[1], level + 1)
                return
            if kind == "struct" and parts and parts != [""]:
                for part in parts:
                    name, sep, field_type = part.partition(":")
                    if not sep or not _FIELD_NAME.fullmatch(name.strip()):
                        raise ValueError(f"struct fields are name:type with a lower-case name, not {part[:40]!r}")
                    _parse(field_type.strip(), level + 1)
                return
            raise ValueError(f"bad {kind} type")
    raise ValueError("unknown type")
