"""The quality gate: the manifest's checks (the same rules as the table's Glue Data Quality ruleset, each with its
measure as Spark SQL over the view `primary`), evaluated on exactly the data about to be published."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from pyspark.sql import DataFrame, SparkSession

PRIMARY = "primary"


def holds(op: str, bounds: list[float], value: float) -> bool:
    low = bounds[0]
    if op == "between":
        return low < value < bounds[1]
    if op == "not between":
        return not low < value < bounds[1]
    return {"=": value == low, "!=": value != low, ">": value > low, ">=": value >= low, "<": value < low,
            "<=": value <= low}[op]


def evaluate(spark: SparkSession, df: DataFrame, checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One outcome per check: {id, description, dqdl, value, passed, blocking}."""
    df.createOrReplaceTempView(PRIMARY)
    outcomes = []
    try:
        for check in checks:
            if check["metric_sql"] is None:
                value: Any = len(df.columns)
            else:
                value = spark.sql(check["metric_sql"]).collect()[0][0]
            if isinstance(value, Decimal):
                value = float(value)
            threshold = check["threshold"]
            passed = value is not None and holds(threshold["op"], threshold["bounds"], value)
            outcomes.append({"id": check["id"], "description": check["description"], "dqdl": check["dqdl"],
                             "value": value, "passed": passed, "blocking": check["blocking"]})
    finally:
        spark.catalog.dropTempView(PRIMARY)
    return outcomes


def verdict(outcomes: list[dict[str, Any]]) -> bool:
    return all(o["passed"] for o in outcomes if o["blocking"])
