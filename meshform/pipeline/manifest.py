"""What the Glue scripts are told about one product: `pipeline_manifest()` is a deterministic, JSON-serializable
description (product, input format and parsing options, per table the columns with their Glue types, partition keys,
primary key, the row rules and the quality checks with their DQDL), and `manifest_json()` its stable text.

The Glue job receives it as a file (`--extra-files`, job argument `--manifest manifest.json`); `meshform
run-pipeline` writes it next to its run and passes an absolute path. The scripts read nothing else about the
contract, so a job can only enforce what this file says (schema version: MANIFEST_VERSION; the scripts refuse any
other).
"""
from __future__ import annotations

import json
from typing import Any

from meshform.pipeline.dqdl import dqdl_ruleset
from meshform.pipeline.rules import compile_table
from meshform.spec.contract import Product, Table
from meshform.spec.mesh import Mesh

MANIFEST_VERSION = 1
FORMATS = ("csv", "json", "parquet")
# RFC 4180 CSV: fields quoted with ", a quote inside a quoted field doubled.
CSV_DEFAULTS: dict[str, Any] = {"header": True, "delimiter": ",", "quote": '"', "escape": '"', "encoding": "UTF-8"}
COMPLEX = ("array<", "map<", "struct<")


class ManifestError(ValueError):
    """The product cannot be run as configured (e.g. a CSV pipeline for a table with an array column)."""


def _attr(obj: Any, name: str, default: Any = None) -> Any:
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def input_options(pipeline: Any) -> dict[str, Any]:
    """The input section from the environment spec's `domains.<d>.pipelines.<product>` entry (any object with
    `.format` and optional `.csv.header` / `.csv.delimiter` ...); None means CSV with the defaults."""
    fmt = str(_attr(pipeline, "format", "csv") or "csv").lower()
    if fmt not in FORMATS:
        raise ManifestError(f"input format {fmt!r} is not supported; use one of {', '.join(FORMATS)}")
    out: dict[str, Any] = {"format": fmt}
    if fmt == "csv":
        given = _attr(pipeline, "csv")
        options = dict(CSV_DEFAULTS)
        for key in CSV_DEFAULTS:
            value = _attr(given, key)
            if value is not None:
                options[key] = value
        if not isinstance(options["header"], bool):
            raise ManifestError("csv.header must be true or false")
        for key in ("delimiter", "quote", "escape"):
            if not isinstance(options[key], str) or len(options[key]) != 1:
                raise ManifestError(f"csv.{key} must be exactly one character, not {options[key]!r}")
        out["csv"] = options
    return out


def _table(product: Product, table: Table, fmt: str) -> dict[str, Any]:
    partition = {c.name for c in table.partition_keys}
    if fmt == "csv":
        nested = [c.name for c in table.all_columns if c.type.startswith(COMPLEX)]
        if nested:
            raise ManifestError(f"{product.fqn}.{table.name}: CSV cannot carry the complex column(s) "
                                f"{', '.join(nested)}; use format json or parquet for this product")
    checks, row_rules = compile_table(table)
    return {
        "name": table.name,
        "columns": [{"name": c.name, "type": c.type, "required": c.required, "primary_key": c.primary_key,
                     "partition": c.name in partition} for c in table.all_columns],
        "partition_keys": [c.name for c in table.partition_keys],
        "primary_key": [c.name for c in table.all_columns if c.primary_key],
        "row_rules": [{"id": r.id, "reason": r.reason, "violation": r.violation} for r in row_rules],
        "checks": [{"id": c.id, "description": c.description, "dqdl": c.dqdl, "metric_sql": c.metric_sql,
                    "threshold": {"op": c.threshold.op, "bounds": list(c.threshold.bounds)},
                    "blocking": c.blocking} for c in checks],
        "dqdl": dqdl_ruleset(table),
    }


def pipeline_manifest(mesh: Mesh, product: Product, pipeline: Any) -> dict[str, Any]:
    """Everything stage A and B need for `product` in `mesh`'s environment. Deterministic: the same spec and
    contract give the same dict (and `manifest_json` the same bytes)."""
    options = input_options(pipeline)
    return {
        "manifest_version": MANIFEST_VERSION,
        "environment": mesh.env,
        "product": {"domain": product.domain, "name": product.name, "fqn": product.fqn, "version": product.version},
        "input": options,
        "tables": [_table(product, t, options["format"]) for t in product.tables],
    }


def manifest_json(mesh: Mesh, product: Product, pipeline: Any) -> str:
    return json.dumps(pipeline_manifest(mesh, product, pipeline), sort_keys=True, indent=2) + "\n"
