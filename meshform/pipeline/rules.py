"""One compiler from a table's contract (required columns, primary key, `quality` rules) to the two forms the
pipeline needs, so they cannot disagree:

- a **check**: a DQDL rule (the Glue Data Quality ruleset, `dqdl.py`) plus the same measure as one Spark SQL query
  over the table registered as `primary` and its threshold, which stage B evaluates before it publishes (locally
  and on Glue, so a local run decides exactly what the job decides);
- a **row rule** for the rules a single row can break with no tolerance (required columns, nullValues /
  missingValues / invalidValues with mustBe 0, `SELECT COUNT(*) FROM <table> WHERE <condition>` with mustBe 0): a
  Spark SQL condition that is true for an offending row; stage B quarantines those rows instead of publishing them.

Identifiers are contract column names (`[a-z_][a-z0-9_]*`, validated in contract.py) and are backquoted anyway.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlglot import exp, parse_one

from meshform.spec.contract import Table
from meshform.spec.quality import PRIMARY, QualityRule, Threshold


@dataclass(frozen=True)
class Check:
    id: str                 # stable: where the rule comes from (schema.0.quality.1, required:<col>, primary_key)
    description: str
    dqdl: str               # one DQDL rule (possibly a composite of two)
    metric_sql: str | None  # Spark SQL returning one number, over the view `primary` (None: its column count)
    threshold: Threshold
    blocking: bool = True


@dataclass(frozen=True)
class RowRule:
    id: str
    reason: str             # written to the quarantine's _reason
    violation: str          # Spark SQL boolean expression over the row: true = the row breaks the rule


def q(name: str) -> str:
    return f"`{name}`"


def dq(name: str) -> str:
    """A DQDL quoted string (DQDL escapes \\ and \" inside quotes)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sql_literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return dqdl_number(value)
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def dqdl_number(value: float) -> str:
    """Plain decimal notation: DQDL numbers have no exponent form."""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    text = format(Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _typed(value: object, glue_type: str) -> str:
    literal = sql_literal(value)
    if glue_type in ("date", "timestamp") and value is not None:
        return f"CAST({literal} AS {glue_type.upper()})"
    return literal


def _condition(rule: QualityRule, types: dict[str, str]) -> str | None:
    """The per-row offence of a property-level rule, as Spark SQL (None: not a per-row rule)."""
    if rule.metric in ("nullValues", "missingValues", "invalidValues"):
        col = rule.columns[0]
        c, glue_type = q(col), types[col]
        if rule.metric == "nullValues":
            return f"{c} IS NULL"
        if rule.metric == "missingValues":
            parts = [f"{c} IS NULL"] if None in rule.missing_values else []
            listed = [_typed(v, glue_type) for v in rule.missing_values if v is not None]
            if listed:
                parts.append(f"{c} IN ({', '.join(listed)})")
            return " OR ".join(parts) if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
        offences = []
        if rule.valid_values:
            offences.append(f"{c} NOT IN ({', '.join(_typed(v, glue_type) for v in rule.valid_values)})")
        if rule.pattern:
            offences.append(f"NOT {c} RLIKE {sql_literal(rule.pattern)}")
        return f"{c} IS NOT NULL AND ({' OR '.join(offences)})"
    return None


def _count_where(query: str) -> str | None:
    """`SELECT COUNT(*) FROM primary WHERE <condition>` (nothing else) -> the condition, else None."""
    tree = parse_one(query, read="spark")
    if not isinstance(tree, exp.Select) or tree.args.get("group") or tree.args.get("having") or \
            tree.args.get("joins") or tree.args.get("with") or tree.args.get("limit") or tree.args.get("distinct"):
        return None
    projection = tree.expressions[0].unalias() if tree.expressions else None
    if not isinstance(projection, exp.Count) or not isinstance(projection.this, exp.Star):
        return None
    source = tree.args.get("from") or tree.args.get("from_")
    where = tree.args.get("where")
    if source is None or where is None or not isinstance(source.this, exp.Table) or \
            source.this.name != PRIMARY or list(where.find_all(exp.Subquery, exp.Select)):
        return None
    condition = where.this.copy()
    for column in condition.find_all(exp.Column):
        column.set("table", None)
    return condition.sql(dialect="spark")


def _measure(rule: QualityRule, types: dict[str, str]) -> str:
    """The rule's metric as one Spark SQL query over `primary`."""
    if rule.metric == "sql":
        return rule.query
    if rule.metric == "rowCount":
        return f"SELECT COUNT(*) FROM {PRIMARY}"
    if rule.metric == "duplicateValues":
        # Rows beyond the first of each value (combination); GROUP BY puts nulls in one group, so repeated
        # nulls count as duplicates too.
        keys = ", ".join(q(c) for c in rule.columns)
        extra = "COALESCE(SUM(n - 1), 0)"
        if rule.unit == "percent":
            extra = f"100.0 * {extra} / GREATEST(COALESCE(SUM(n), 0), 1)"
        return f"SELECT {extra} FROM (SELECT COUNT(*) AS n FROM {PRIMARY} GROUP BY {keys}) AS groups"
    condition = _condition(rule, types)
    if rule.unit == "percent":
        # An empty table has no offending rows: 0 %, not a division by zero.
        return f"SELECT 100.0 * COUNT_IF({condition}) / GREATEST(COUNT(*), 1) FROM {PRIMARY}"
    return f"SELECT COUNT(*) FROM {PRIMARY} WHERE {condition}"


def _compare(left: str, threshold: Threshold) -> str:
    """DQDL for `<left> <threshold>`. The between forms and != become composites of plain comparisons: DQDL's own
    `between` does not say whether it includes its bounds, ODCS's mustBeBetween excludes them."""
    bounds = [dqdl_number(b) for b in threshold.bounds]
    if threshold.op == "between":
        return f"({left} > {bounds[0]}) and ({left} < {bounds[1]})"
    if threshold.op == "not between":
        return f"({left} <= {bounds[0]}) or ({left} >= {bounds[1]})"
    if threshold.op == "!=":
        return f"({left} < {bounds[0]}) or ({left} > {bounds[0]})"
    return f"{left} {threshold.op} {bounds[0]}"


def _custom_sql(query: str) -> str:
    return f"CustomSql {dq(query)}"


ZERO = Threshold("=", (0,))


def compile_table(table: Table) -> tuple[tuple[Check, ...], tuple[RowRule, ...]]:
    """Checks (DQDL + local measure) and row rules of one table, deterministic and in a stable order: implied
    rules (required columns in table order, the primary key), then the contract's quality rules in contract order."""
    types = {c.name: c.type for c in table.all_columns}
    pk = tuple(c.name for c in table.all_columns if c.primary_key)
    checks: list[Check] = []
    rows: list[RowRule] = []
    complete: set[str] = set()
    for column in table.all_columns:
        if column.required or column.primary_key:
            complete.add(column.name)
            why = "primary key column" if column.primary_key else "required column"
            rows.append(RowRule(f"required:{column.name}", f"{column.name}: {why} is missing (null)",
                                f"{q(column.name)} IS NULL"))
            if column.required:
                checks.append(Check(f"required:{column.name}", f"{column.name} is required",
                                    f"IsComplete {dq(column.name)}",
                                    f"SELECT COUNT(*) FROM {PRIMARY} WHERE {q(column.name)} IS NULL", ZERO))
    if pk:
        # Unique and complete: COUNT(DISTINCT a, b) skips rows with a null key column, so both count.
        distinct = ", ".join(q(c) for c in pk)
        checks.append(Check("primary_key", f"primary key ({', '.join(pk)}) is unique and complete",
                            "IsPrimaryKey " + " ".join(dq(c) for c in pk),
                            f"SELECT COUNT(*) - COUNT(DISTINCT {distinct}) FROM {PRIMARY}", ZERO))
    for rule in table.quality:
        description = rule.description or f"{rule.metric} {rule.threshold.describe()}"
        measure = _measure(rule, types)
        dqdl = _native(rule, types, pk, complete) or _compare(_custom_sql(measure), rule.threshold)
        if rule.metric == "rowCount":
            dqdl = _compare("RowCount", rule.threshold)
        checks.append(Check(rule.path, description, dqdl, measure, rule.threshold, rule.blocking))
        if not rule.blocking or not rule.threshold.zero_violations or rule.unit != "rows":
            continue
        condition = _condition(rule, types) if rule.metric != "sql" else _count_where(rule.query)
        if condition is not None:
            rows.append(RowRule(rule.path, f"{description} ({rule.path})", condition))
    # A contract rule can restate an implied one (duplicateValues on the key is the key): one DQDL rule each.
    unique: dict[str, Check] = {}
    for check in checks:
        unique.setdefault(check.dqdl, check)
    checks = list(unique.values())
    if not checks:
        # Nothing required, no key, no rules: still a real check (the table has the contract's columns).
        checks.append(Check("columns", f"the table has its {len(types)} contract columns",
                            f"ColumnCount = {len(types)}", None, Threshold("=", (len(types),))))
    return tuple(checks), tuple(rows)


def _native(rule: QualityRule, types: dict[str, str], pk: tuple[str, ...], complete: set[str]) -> str | None:
    """The plain DQDL rule type where one matches the metric exactly (else the rule runs as CustomSql)."""
    if rule.unit != "rows" or not rule.threshold.zero_violations:
        return None
    if rule.metric == "nullValues":
        return f"IsComplete {dq(rule.columns[0])}"
    if rule.metric == "duplicateValues":
        if set(rule.columns) == set(pk):
            return "IsPrimaryKey " + " ".join(dq(c) for c in pk)
        if set(rule.columns) <= complete and len(rule.columns) > 1:
            return "IsPrimaryKey " + " ".join(dq(c) for c in rule.columns)
        if len(rule.columns) == 1 and rule.columns[0] in complete:
            return f"IsUnique {dq(rule.columns[0])}"
        return None
    if rule.metric == "invalidValues" and rule.valid_values and not rule.pattern:
        col = rule.columns[0]
        if types[col] != "string" and not types[col].startswith(("varchar(", "char(")):
            return None
        listed = [dq(str(v)) for v in rule.valid_values] + ([] if col in complete else ["NULL"])
        return f"ColumnValues {dq(col)} in [{', '.join(listed)}]"
    return None
