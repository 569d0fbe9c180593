"""The import of filtered inputs: a pipeline whose product reads another domain's table through a data cells filter
or a column list runs this job first (docs/pipelines.md, "Inputs from other products").

Why a separate job: a Glue job has one Lake Formation permission mode. Full-table access (stage A/B, the ETL role)
cannot read a filtered table at all; fine-grained access (`--enable-lakeformation-fine-grained-access true`, Glue
5.0, the domain's FGAC reader role) enforces row, column and cell filters but only for reads of Spark DataFrames
(not DynamicFrames) and cannot write to the catalog. So this job reads each filtered table with Spark through the
resource link named like the source database, keeps exactly the columns the filter grants (the access model's
list; on Glue Lake Formation has already removed everything else) and writes a snapshot as Parquet to
`s3://<stage>/imports/<product>/<domain>/<table>/`, the only prefix the FGAC role may write. Stage B of the product
(ETL role) reads it there. https://docs.aws.amazon.com/glue/latest/dg/security-lf-enable.html

Each run replaces the whole snapshot of every table atomically (written under `<imports_path>/_tmp/<run>/`, then
moved into place: a reader never sees a half-written snapshot; a failed run leaves the previous one). A table whose
shared schema drifted (a granted column missing, or a type that does not widen to the producer contract's type)
stops the run before anything is written (exit 2), naming the table and column.

Job arguments: --JOB_NAME --manifest --inputs --imports_path [--sources]
  --inputs   JSON {"<domain>.<product>.<table>": {"database": <resource link>, "table", "catalog_id", "columns":
             [granted, contract order], "types": {column: Glue type}, "path": <target, below --imports_path>}}
  --sources  local runs only (no catalog): JSON {"<domain>.<product>.<table>": <directory of the table's Parquet
             data, Hive-partitioned like the producer's analytics output>}
"""
from __future__ import annotations

import json
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from meshform_glue import runtime
from meshform_glue.manifest import load_manifest
from meshform_glue.storage import Files, Staging, join
from meshform_glue.types import spark_type, widening_problem

REQUIRED = ("JOB_NAME", "manifest", "inputs", "imports_path")
OPTIONAL = ("sources",)
ENTRY_KEYS = {"database", "table", "catalog_id", "columns", "types", "path"}


def _json_argument(args: dict[str, str], name: str) -> dict[str, Any]:
    try:
        value = json.loads(args[name])
    except json.JSONDecodeError as err:
        raise runtime.InputError(f"--{name} is not JSON ({err.msg})", column=f"--{name}",
                                 fix="pass the value meshform synthesized for the job") from None
    if not isinstance(value, dict) or not value:
        raise runtime.InputError(f"--{name} must be a non-empty JSON object", column=f"--{name}",
                                 fix="pass the value meshform synthesized for the job")
    return value


def parse_inputs(args: dict[str, str]) -> dict[str, dict[str, Any]]:
    inputs = _json_argument(args, "inputs")
    root = args["imports_path"].rstrip("/") + "/"
    for key, entry in sorted(inputs.items()):
        missing = sorted(ENTRY_KEYS - set(entry)) if isinstance(entry, dict) else sorted(ENTRY_KEYS)
        if missing:
            raise runtime.InputError(f"--inputs[{key}] lacks {', '.join(missing)}", column="--inputs",
                                     fix="pass the value meshform synthesized for the job")
        if not entry["columns"] or set(entry["columns"]) - set(entry["types"]):
            raise runtime.InputError(f"--inputs[{key}]: every granted column needs a type", column="--inputs",
                                     fix="pass the value meshform synthesized for the job")
        # The FGAC role may write below imports/ only: a target elsewhere would fail late, on S3, half-way.
        if not entry["path"].startswith(root):
            raise runtime.InputError(f"--inputs[{key}]: target {entry['path']} is not below --imports_path {root}",
                                     column="--inputs", fix="pass the value meshform synthesized for the job")
    return inputs


def read_input(ctx: runtime.Context, files: Files, key: str, entry: dict[str, Any],
               sources: dict[str, Any]) -> DataFrame:
    """The table as this job's role may read it. On Glue: Spark SQL on `<link>.<table>` in the job's own catalog
    (the resource link resolves to the governance catalog; Lake Formation applies the filter). Locally: the
    producer's published Parquet from --sources (the filter is then applied by the column selection below)."""
    if runtime.ON_GLUE:
        return ctx.spark.table(f"`{entry['database']}`.`{entry['table']}`")
    source = sources.get(key)
    if source is None:
        raise runtime.InputError(f"no local data for input {key}", column="--sources",
                                 fix=f"pass --input {key}=PATH (a directory of the table's Parquet data)")
    if not files.files(source):
        raise runtime.InputError(f"input {key}: no Parquet data files", file=source,
                                 fix="point at the producer's published table (its analytics output)")
    try:
        return ctx.spark.read.option("basePath", source).parquet(source)
    except Exception as err:  # Spark raises AnalysisException or a Py4J error for data that is not Parquet
        first = str(err).strip().splitlines()[0][:300] if str(err).strip() else type(err).__name__
        raise runtime.InputError(f"input {key}: not readable as Parquet ({first})", file=source,
                                 fix="point at the producer's published table (its analytics output)") from None


def granted(df: DataFrame, key: str, entry: dict[str, Any]) -> DataFrame:
    """Exactly the granted columns in contract order and the producer contract's types, or an error naming the
    column when the shared schema drifted."""
    found = {f.name: f.dataType for f in df.schema.fields}
    where = f"{entry['database']}.{entry['table']}"
    for column in entry["columns"]:
        if column not in found:
            raise runtime.InputError(f"input {key}: granted column {column} is not readable (the shared table or "
                                     f"its filter changed)", file=where, column=column,
                                     fix="update the producer's contract and the subscription together")
        target = spark_type(entry["types"][column])
        # Stage A parses text into the contract's types; a published table already has them, so text where the
        # contract has a number or date is drift, never something to re-parse.
        if isinstance(found[column], T.StringType) and not isinstance(target, T.StringType):
            problem: str | None = "has type string, not the contract's type"
        else:
            problem = widening_problem(found[column], entry["types"][column])
        if problem is not None:
            raise runtime.InputError(f"input {key}: {problem} (the producer's contract says "
                                     f"{entry['types'][column]})", file=where, column=column,
                                     fix="the producer must deliver its contract's types")
    return df.select(*[F.col(c).cast(spark_type(entry["types"][c])).alias(c) for c in entry["columns"]])


def run(argv: list[str]) -> int:
    args = runtime.parse_args(argv, REQUIRED, OPTIONAL)
    manifest = load_manifest(args["manifest"])
    inputs = parse_inputs(args)
    sources = _json_argument(args, "sources") if "sources" in args else {}
    ctx = runtime.start(args)
    files = Files(ctx.spark)
    root = args["imports_path"].rstrip("/") + "/"
    staging = Staging(ctx.spark, files, root)
    results, prepared = [], []
    try:
        # Every table is read and checked before any snapshot moves: one drifted input publishes nothing.
        frames = [(key, entry, granted(read_input(ctx, files, key, entry, sources), key, entry))
                  for key, entry in sorted(inputs.items())]
        for key, entry, df in frames:
            relative = entry["path"][len(root):].strip("/")
            ready = staging.prepare(df, relative, [], list(entry["columns"]))
            rows = ctx.spark.read.parquet(ready.tmp).count() if ready.staged else 0
            results.append({"input": key, "columns": len(entry["columns"]), "rows": rows, "path": entry["path"]})
            prepared.append(ready)
        for ready in prepared:
            staging.publish(ready, None)
    finally:
        staging.discard()
    runtime.report({"stage": "import", "product": manifest["product"]["fqn"], "inputs": results})
    return runtime.EXIT_OK


def snapshot_path(imports_path: str, domain: str, table: str) -> str:
    """Where a filtered input's snapshot lands (the synthesized --inputs names the same path)."""
    return join(imports_path, domain, table) + "/"
