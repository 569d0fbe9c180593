"""The `quality` sections of an ODCS v3 contract (schema-object level and property level), parsed into frozen
rules the pipelines enforce and the Glue Data Quality ruleset is generated from (`meshform/pipeline/`).

Supported (https://bitol-io.github.io/open-data-contract-standard/latest/data-quality/):
- `type: library` (the default when `metric` is set): `rowCount` (schema level), `nullValues`, `missingValues`
  (`arguments.missingValues`), `invalidValues` (`arguments.validValues` and/or `arguments.pattern`) at property level,
  `duplicateValues` at property level or at schema level with `arguments.properties`; `unit` rows (default) or
  percent;
- `type: sql` with `query`, written in Spark SQL (what Glue Data Quality runs), addressing only the table itself
  (by its name, `{object}`/`{table}`/`${table}`; `{property}`/`{column}`/`${column}` at property level). The query
  is parsed with sqlglot and rewritten to address the table as `primary` (Glue Data Quality's name for the data
  being evaluated);
- one operator per rule: mustBe, mustNotBe, mustBeGreaterThan, mustBeGreaterOrEqualTo, mustBeLessThan,
  mustBeLessOrEqualTo, mustBeBetween, mustNotBeBetween. ODCS defines mustBeBetween [a, b] as "mustBeGreaterThan a
  and mustBeLessThan b": the bounds are exclusive.
`type: text` is documentation and ignored; `type: custom` and everything else is a validation error (a rule the
pipeline cannot run must not look enforced). `severity: info|warning` rules are reported but never block.

No jsii/cdktf here: this runs inside `meshform validate`.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

from meshform.yamlio import describe_value

OPERATORS = {"mustBe": "=", "mustNotBe": "!=", "mustBeGreaterThan": ">", "mustBeGreaterOrEqualTo": ">=",
             "mustBeLessThan": "<", "mustBeLessOrEqualTo": "<=", "mustBeBetween": "between",
             "mustNotBeBetween": "not between"}
PROPERTY_METRICS = {"nullValues", "missingValues", "invalidValues", "duplicateValues"}
SCHEMA_METRICS = {"rowCount", "duplicateValues"}
ARGUMENTS = {"nullValues": set(), "missingValues": {"missingValues"}, "invalidValues": {"validValues", "pattern"},
             "duplicateValues": {"properties"}, "rowCount": set()}
UNITS = ("rows", "percent")
NON_BLOCKING = ("info", "warning")
# ODCS names the current object and property with these placeholders in SQL rules.
_OBJECT_PLACEHOLDERS = ("${table}", "{object}", "{table}")
_PROPERTY_PLACEHOLDERS = ("${column}", "{property}", "{column}")
PRIMARY = "primary"

Add = Callable[[str, str, str], None]      # (field path, problem, fix), as load_contract's `add`


@dataclass(frozen=True)
class Threshold:
    """`op` is one of = != > >= < <= between, not between; `bounds` has one value (two for the between forms)."""
    op: str
    bounds: tuple[float, ...]

    def holds(self, value: float) -> bool:
        low = self.bounds[0]
        if self.op == "between":
            return low < value < self.bounds[1]
        if self.op == "not between":
            return not low < value < self.bounds[1]
        return {"=": value == low, "!=": value != low, ">": value > low, ">=": value >= low, "<": value < low,
                "<=": value <= low}[self.op]

    @property
    def zero_violations(self) -> bool:
        """True when the rule tolerates no offending row: mustBe 0, mustBeLessThan 1, mustBeLessOrEqualTo 0."""
        return (self.op, self.bounds) in (("=", (0,)), ("<", (1,)), ("<=", (0,)))

    def describe(self) -> str:
        if self.op in ("between", "not between"):
            return f"{self.op} {_num(self.bounds[0])} and {_num(self.bounds[1])} (exclusive)"
        return f"{self.op} {_num(self.bounds[0])}"


@dataclass(frozen=True)
class QualityRule:
    metric: str                      # rowCount nullValues missingValues invalidValues duplicateValues sql
    path: str                        # where it is written: schema.0.quality.1, schema.0.properties.2.quality.0
    threshold: Threshold
    description: str = ""
    unit: str = "rows"               # rows | percent (of the table's rows)
    columns: tuple[str, ...] = ()    # the property, or arguments.properties for schema-level duplicateValues
    valid_values: tuple[Any, ...] = ()
    pattern: str = ""
    missing_values: tuple[Any, ...] = ()   # None stands for null
    query: str = ""                  # sql: Spark SQL addressing the table as `primary`
    blocking: bool = True            # severity info/warning: reported, never fails the run


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def parse_quality(obj: Any, table: str, columns: Sequence[Any], t_path: str, add: Add) -> tuple[QualityRule, ...]:
    """Every rule of one ODCS schema object (its own `quality` and its properties'), in contract order.
    `columns` are the table's meshform Columns (name, type); problems go to `add` and the rule is dropped."""
    types = {c.name: c.type for c in columns}
    rules: list[QualityRule] = []
    for q_index, item in enumerate(obj.quality or []):
        rule = _parse_rule(item, f"{t_path}.quality.{q_index}", table, None, types, add)
        if rule is not None:
            rules.append(rule)
    for c_index, prop in enumerate(obj.properties or []):
        name = prop.physicalName or prop.name or ""
        for q_index, item in enumerate(prop.quality or []):
            path = f"{t_path}.properties.{c_index}.quality.{q_index}"
            rule = _parse_rule(item, path, table, name, types, add)
            if rule is not None:
                rules.append(rule)
    return tuple(rules)


def _parse_rule(item: Any, path: str, table: str, prop: str | None, types: dict[str, str],
                add: Add) -> QualityRule | None:
    kind = item.type or "library"
    if kind == "text":
        return None                          # human-readable only
    if kind not in ("library", "sql"):
        add(f"{path}.type", f"quality rules of type {kind!r} (engine {item.engine or '-'}) cannot be run by the "
            "pipeline", "express the rule as a library metric (rowCount, nullValues, missingValues, "
            "invalidValues, duplicateValues) or as a sql rule")
        return None
    threshold = _threshold(item, path, add)
    unit = item.unit or "rows"
    if unit not in UNITS:
        add(f"{path}.unit", f"unit {unit!r} is not supported", "use unit: rows (the default) or unit: percent")
        return None
    if threshold is None:
        return None
    common: dict[str, Any] = {
        "path": path, "threshold": threshold, "description": (item.description or item.name or "").strip(),
        "unit": unit, "blocking": (item.severity or "error").lower() not in NON_BLOCKING}
    if kind == "sql":
        if unit != "rows":
            add(f"{path}.unit", "a sql rule compares the query's value itself; unit does not apply",
                "remove unit (compute a percentage in the query if you need one)")
            return None
        query = _sql(item.query or "", path, table, prop, types, add)
        return None if query is None else QualityRule("sql", query=query, **common)
    return _library(item, path, prop, types, add, common)


def _threshold(item: Any, path: str, add: Add) -> Threshold | None:
    given = [(key, getattr(item, key)) for key in OPERATORS if getattr(item, key) is not None]
    if len(given) != 1:
        add(path, f"a quality rule needs exactly one operator, found {len(given)}",
            f"use one of: {', '.join(OPERATORS)}")
        return None
    key, value = given[0]
    values = list(value) if isinstance(value, list) else [value]
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in values):
        add(f"{path}.{key}", f"{key} must be a number{' pair' if len(values) > 1 else ''}, not "
            f"{describe_value(value)}",
            f"write e.g. {key}: {'[0, 100]' if 'Between' in key else '0'}")
        return None
    if "Between" in key and not values[0] < values[1]:
        add(f"{path}.{key}", f"{key} needs the smaller bound first, got {value!r}", "write [low, high]")
        return None
    return Threshold(OPERATORS[key], tuple(values))


def _library(item: Any, path: str, prop: str | None, types: dict[str, str], add: Add,
             common: dict) -> QualityRule | None:
    metric = item.metric or item.rule or ""
    arguments = dict(item.arguments or {})
    level_metrics = PROPERTY_METRICS if prop else SCHEMA_METRICS
    if metric not in level_metrics:
        where = "a property's" if metric in PROPERTY_METRICS else "the schema object's"
        add(f"{path}.metric", f"metric {metric!r} is not a {'property' if prop else 'schema'}-level metric",
            f"move it under {where} quality" if metric in PROPERTY_METRICS | SCHEMA_METRICS
            else f"use one of: {', '.join(sorted(level_metrics))}")
        return None
    unknown = sorted(set(arguments) - ARGUMENTS[metric] - ({"properties"} if prop is None else set()))
    if unknown or (prop is not None and "properties" in arguments):
        add(f"{path}.arguments", f"arguments {unknown or ['properties']} are not known for {metric}",
            f"{metric} takes: {', '.join(sorted(ARGUMENTS[metric])) or 'no arguments'}")
        return None
    columns: tuple[str, ...] = (prop,) if prop else ()
    if prop is None and metric == "duplicateValues":
        names = arguments.get("properties")
        if names is None:
            add(f"{path}.arguments.properties", "schema-level duplicateValues needs arguments.properties: the "
                "columns whose combination must be unique", "add arguments: {properties: [col_a, col_b]}")
            return None
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            shown = describe_value(names) if not isinstance(names, list) or not names else \
                ", ".join(describe_value(n) for n in names if not isinstance(n, str))
            add(f"{path}.arguments.properties", "arguments.properties must be a non-empty list of column names, got "
                f"{shown}", "write the column names as a list, e.g. properties: [col_a, col_b] (quote a name YAML "
                "would read as a number or boolean)")
            return None
        missing = [n for n in names if n not in types]
        if missing:
            add(f"{path}.arguments.properties", f"unknown column(s) {', '.join(missing)}",
                f"use columns of the table: {', '.join(types)}")
            return None
        columns = tuple(names)
    if prop is not None and types.get(prop, "").startswith(("array<", "map<", "struct<")) and \
            metric in ("missingValues", "invalidValues", "duplicateValues"):
        add(f"{path}.metric", f"{metric} cannot be computed on the complex column {prop!r} ({types[prop]})",
            "check a scalar column, or write a sql rule")
        return None
    extra: dict[str, Any] = {}
    if metric == "missingValues":
        values = arguments.get("missingValues")
        if not isinstance(values, list) or not values:
            add(f"{path}.arguments.missingValues", "missingValues needs the list of values that count as missing",
                "add arguments: {missingValues: [null, '', 'N/A']}")
            return None
        checked = _typed_values(values, types[prop or ""], f"{path}.arguments.missingValues", add, allow_null=True)
        if checked is None:
            return None
        extra["missing_values"] = checked
    if metric == "invalidValues":
        if "validValues" not in arguments and "pattern" not in arguments:
            add(f"{path}.arguments", "invalidValues needs arguments.validValues (accepted values) and/or "
                "arguments.pattern (a regular expression)", "add arguments: {validValues: [a, b]}")
            return None
        if "validValues" in arguments:
            values = arguments["validValues"]
            if not isinstance(values, list) or not values:
                add(f"{path}.arguments.validValues", "validValues must be a non-empty list",
                    "list the accepted values")
                return None
            checked = _typed_values(values, types[prop or ""], f"{path}.arguments.validValues", add, False)
            if checked is None:
                return None
            extra["valid_values"] = checked
        if "pattern" in arguments:
            pattern = arguments["pattern"]
            if not isinstance(pattern, str) or not pattern or not _is_string_type(types[prop or ""]):
                add(f"{path}.arguments.pattern", "pattern must be a non-empty regular expression on a string "
                    "column", "quote the pattern, and apply it to a string/varchar/char column")
                return None
            try:
                re.compile(pattern)
            except re.error as err:
                add(f"{path}.arguments.pattern", f"pattern is not a valid regular expression: {err}",
                    "fix the regular expression (Java/Spark regex syntax)")
                return None
            extra["pattern"] = pattern
    return QualityRule(metric, columns=columns, **common, **extra)


def _is_string_type(glue_type: str) -> bool:
    return glue_type == "string" or glue_type.startswith(("varchar(", "char("))


def _typed_values(values: list, glue_type: str, path: str, add: Add, allow_null: bool) -> tuple | None:
    """Accepted/missing values must be literals of the column's type, or the rule could never match."""
    out: list[Any] = []
    for value in values:
        if value is None and allow_null:
            out.append(None)
            continue
        ok = False
        if _is_string_type(glue_type):
            ok = isinstance(value, str)
        elif glue_type == "boolean":
            ok = isinstance(value, bool)
        elif glue_type in ("tinyint", "smallint", "int", "integer", "bigint"):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif glue_type in ("float", "double") or glue_type.startswith("decimal"):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        elif glue_type == "date":
            ok = isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value, re.ASCII) is not None
        elif glue_type == "timestamp":
            ok = isinstance(value, str)
        if not ok:
            add(path, f"{value!r} is not a {glue_type} value", f"write the values as {glue_type} literals"
                + (" (quoted strings)" if _is_string_type(glue_type) else ""))
            return None
        out.append(value)
    return tuple(out)


_SPARK = Dialect.get_or_raise("spark")


def _sql(text: str, path: str, table: str, prop: str | None, types: dict[str, str], add: Add) -> str | None:
    """Parse the rule's SQL with sqlglot (Spark dialect), check it reads only this table's columns, and rewrite the
    table reference to `primary`. Returns the rewritten query, or None after reporting the problem.

    One walk of the tree collects every node the checks need (in breadth-first order, as `find_all` would, so the
    first offending reference reported is the same), and the query is generated without sqlglot's defensive copy
    of the tree (nothing else holds it): at 1,000 contracts this is most of the time `meshform validate` spends on
    SQL."""
    where = f"{path}.query"
    for placeholder in _OBJECT_PLACEHOLDERS:
        text = text.replace(placeholder, table)
    for placeholder in _PROPERTY_PLACEHOLDERS:
        if placeholder in text and prop is None:
            add(where, f"{placeholder} names a property, but this rule is at schema level",
                "name the column, or move the rule under the property")
            return None
        text = text.replace(placeholder, prop or "")
    try:
        statements = [s for s in _SPARK.parse(text) if s is not None]
    except sqlglot.errors.ParseError as err:
        add(where, f"the query is not valid Spark SQL: {str(err).splitlines()[0]}",
            "write one SELECT returning a single number, e.g. SELECT COUNT(*) FROM <table> WHERE <condition>")
        return None
    if len(statements) != 1 or not isinstance(statements[0], exp.Select):
        add(where, "the query must be exactly one SELECT statement",
            "write one SELECT returning a single number, e.g. SELECT COUNT(*) FROM <table> WHERE <condition>")
        return None
    query = statements[0]
    if len(query.expressions) != 1 or isinstance(query.expressions[0], exp.Star):
        add(where, "the query must return exactly one value (one column)",
            "select a single aggregate, e.g. SELECT COUNT(*) FROM ...")
        return None
    tables: list[exp.Table] = []
    columns: list[exp.Column] = []
    ctes: set[str] = set()
    aliases: set[str] = set()
    for node in query.walk():
        if isinstance(node, exp.Table):
            tables.append(node)
            if node.alias:
                aliases.add(node.alias.lower())
        if isinstance(node, exp.Column):
            columns.append(node)
        if isinstance(node, exp.CTE):
            ctes.add(node.alias_or_name.lower())
        if isinstance(node, exp.Alias) or (isinstance(node, exp.Subquery) and node.alias):
            aliases.add(node.alias.lower())
    for ref in tables:
        name = ref.name.lower()
        if name in ctes and not ref.db:
            continue
        if ref.db or ref.catalog or name not in (table, PRIMARY):
            add(where, f"the query reads {ref.sql(dialect='spark')!r}; a rule may read only its own table "
                f"{table!r}", f"address the table as {table} (or {{object}})")
            return None
    qualifiers = {c.table.lower() for c in columns if c.table}
    for column in columns:
        name = column.name.lower()
        if column.table and column.table.lower() not in {table, PRIMARY} | aliases | ctes:
            add(where, f"column {column.sql(dialect='spark')!r} is qualified with an unknown table",
                f"qualify columns with {table} or not at all")
            return None
        if name not in types and name not in aliases:
            add(where, f"the query uses column {name!r}, which table {table!r} does not have",
                f"use columns of the table: {', '.join(types)}")
            return None
    for ref in tables:
        if ref.name.lower() == table and not ref.db:
            alias = ref.alias or (table if table in qualifiers else None)
            ref.replace(exp.table_(PRIMARY, alias=alias))
    return _SPARK.generate(query, copy=False)
