"""Contract (Glue/Hive) types -> Spark types, and the one place raw values become typed values.

Strings (CSV fields, JSON values read as text) are parsed strictly; a value that does not fit its type is not
silently changed, it becomes the row's quarantine reason:
- tinyint/smallint/int/bigint: an integer in range (no "12.7", no "1e3"); blanks are null;
- float/double: a number (NaN/Infinity allowed, as Spark writes them);
- decimal(p,s): a number with at most s significant decimals and at most p-s integer digits (no rounding);
- boolean: true/false (any case) only;
- date: yyyy-MM-dd and a real calendar day; timestamp: ISO 8601 (`2024-03-15 14:22:05`, `...T...Z`, offsets);
  no offset means UTC;
- string: as read; char(n)/varchar(n): at most n characters;
- array/map/struct (JSON input): the value's JSON text against the type.
Typed inputs (Parquet) must already have the contract type or one that widens to it without loss.
"""
from __future__ import annotations

import re
from typing import Any

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql import types as T

INTEGRALS = {"tinyint": 3, "smallint": 5, "int": 10, "integer": 10, "bigint": 19}
_DECIMAL = re.compile(r"decimal\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)|decimal")
_CHARS = re.compile(r"(?:var)?char\((\d+)\)")
_SPARK_INTEGRALS = {T.ByteType: 3, T.ShortType: 5, T.IntegerType: 10, T.LongType: 19}


def spark_type(glue_type: str) -> T.DataType:
    """char/varchar become string (their length is checked on the value); `integer` is `int`."""
    text = _CHARS.sub("string", glue_type)
    text = re.sub(r"\binteger\b", "int", text)
    return T._parse_datatype_string(text)


def char_limit(glue_type: str) -> int | None:
    match = _CHARS.fullmatch(glue_type)
    return int(match.group(1)) if match else None


def decimal_shape(glue_type: str) -> tuple[int, int] | None:
    match = _DECIMAL.fullmatch(glue_type)
    if not match:
        return None
    return (int(match.group(1)), int(match.group(2) or 0)) if match.group(1) else (10, 0)


def _sql_type(glue_type: str) -> str:
    return spark_type(glue_type).simpleString()


def _shown(raw: Column) -> Column:
    return F.concat(F.lit("'"), F.substring(raw, 1, 60), F.lit("'"))


def _ref(column: str) -> str:
    return "`" + column.replace("`", "``") + "`"


def parse_string(raw_name: str, name: str, glue_type: str) -> tuple[Column, Column]:
    """(typed value, problem or null) for the raw string column `raw_name` holding contract column `name`."""
    raw = F.col(_ref(raw_name))
    trimmed = F.trim(raw)
    blank = raw.isNull() | (trimmed == "")
    limit = char_limit(glue_type)
    if glue_type == "string" or limit is not None:
        problem = F.lit(None).cast("string")
        if limit is not None:
            problem = F.when(F.length(raw) > limit, F.lit(f"{name}: longer than {limit} characters ({glue_type})"))
        return raw, problem
    target = spark_type(glue_type)
    if isinstance(target, T.ArrayType | T.MapType | T.StructType):
        value = F.from_json(raw, target)
        bad = ~blank & value.isNull()
    elif glue_type == "boolean":
        lowered = F.lower(trimmed)
        value = F.when(blank, None).when(lowered == "true", True).when(lowered == "false", False)
        bad = ~blank & value.isNull()
    else:
        cast = F.expr(f"try_cast(trim({_ref(raw_name)}) AS {_sql_type(glue_type)})")
        value = F.when(blank, None).otherwise(cast)
        bad = ~blank & cast.isNull()
        if glue_type == "date":
            bad = bad | (~blank & ~trimmed.rlike(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))
        shape = decimal_shape(glue_type)
        if shape is not None:
            # try_cast rounds extra decimals; refuse instead of changing an amount.
            decimals = F.regexp_extract(trimmed, r"^[+-]?[0-9]*\.([0-9]*[1-9])0*$", 1)
            bad = bad | (~blank & (F.length(decimals) > shape[1]))
        value = F.when(bad, None).otherwise(value)
    problem = F.when(bad, F.concat(F.lit(f"{name}: "), _shown(raw), F.lit(f" is not a valid {glue_type}")))
    return value, problem


def widening_problem(source: T.DataType, glue_type: str) -> str | None:
    """None when a typed input column (Parquet) converts to the contract type without loss, else why not."""
    target = spark_type(glue_type)
    if source == target or isinstance(target, T.StringType) and isinstance(source, T.StringType):
        return None
    if isinstance(source, T.StringType):
        return None                               # parsed like CSV text
    if isinstance(target, T.StringType) and not isinstance(source, T.ArrayType | T.MapType | T.StructType):
        return None                               # any scalar has an exact text form
    digits = next((d for k, d in _SPARK_INTEGRALS.items() if isinstance(source, k)), None)
    if digits is not None:
        target_digits = next((d for k, d in _SPARK_INTEGRALS.items() if isinstance(target, k)), None)
        if target_digits is not None and target_digits >= digits:
            return None
        if isinstance(target, T.DecimalType) and target.precision - target.scale >= digits:
            return None
        if isinstance(target, T.DoubleType) and digits <= 10:
            return None
    if isinstance(source, T.FloatType) and isinstance(target, T.DoubleType):
        return None
    if isinstance(source, T.DecimalType) and isinstance(target, T.DecimalType) and \
            target.scale >= source.scale and target.precision - target.scale >= source.precision - source.scale:
        return None
    if isinstance(source, T.TimestampNTZType) and isinstance(target, T.TimestampType):
        return None
    return f"has type {source.simpleString()}, which does not convert to {glue_type} without loss"


def typed_value(raw_name: str, source: T.DataType, name: str, glue_type: str) -> tuple[Column, Column]:
    """(typed value, problem or null) for a typed input column that passed widening_problem()."""
    if isinstance(source, T.StringType):
        return parse_string(raw_name, name, glue_type)
    value: Any = F.col(_ref(raw_name)).cast(spark_type(glue_type))
    problem = F.lit(None).cast("string")
    limit = char_limit(glue_type)
    if limit is not None:
        problem = F.when(F.length(value) > limit, F.lit(f"{name}: longer than {limit} characters ({glue_type})"))
    return value, problem
