"""Stage A: raw -> stage. Per table of the product: read the new raw files (`<raw>/<product>/<table>/...`), parse
every value against the contract's Glue type, and write
- the rows that parse to `<stage>/<product>/<table>/<partition keys>/` with `_source_file`, `_ingested_at` (the
  raw file's last-modified time) and `_source_record` (1-based position of the record in its file);
- the rows that do not, as text with `_reason`, to `<quarantine>/<product>/<table>/rejected_by=stage_a/`.
Both replace whatever earlier runs wrote for the same source files, so re-running a file changes nothing and a
re-delivered file (same key, new content) replaces its earlier rows. A file-level problem (schema drift, wrong
format) stops the run before anything is written (exit 2).

Job arguments: --JOB_NAME --manifest --raw_path --stage_path --quarantine_path [--tables t1,t2]
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from meshform_glue import runtime
from meshform_glue.manifest import load_manifest, selected_tables, table_schema
from meshform_glue.reader import CORRUPT, Group, discover, read_raw
from meshform_glue.storage import Files, join, read_table, replace_partitions
from meshform_glue.types import typed_value

REQUIRED = ("JOB_NAME", "manifest", "raw_path", "stage_path", "quarantine_path")
OPTIONAL = ("tables",)
META = ("_source_file", "_ingested_at", "_source_record")
QUARANTINE_PARTITION = "rejected_by"


def quarantine_schema(table: dict) -> T.StructType:
    """Quarantined rows keep the values as delivered (text), whatever stage rejected them."""
    return T.StructType([T.StructField(c["name"], T.StringType()) for c in table["columns"]] + [
        T.StructField("_source_file", T.StringType()), T.StructField("_ingested_at", T.TimestampType()),
        T.StructField("_source_record", T.LongType()), T.StructField("_reason", T.StringType()),
        T.StructField(QUARANTINE_PARTITION, T.StringType())])


def _parse(group: Group, table: dict, fmt: str) -> DataFrame:
    values, raws, problems = [], [], []
    for column in table["columns"]:
        name, glue_type = column["name"], column["type"]
        value, problem = typed_value(name, group.sources[name], name, glue_type)
        values.append(value.alias(name))
        raws.append(F.col(f"`{name}`").cast("string").alias(f"__raw_{name}"))
        problems.append(problem)
        if column["partition"]:
            problems.append(F.when(value.isNull() & F.col(f"`{name}`").isNull(),
                                   F.lit(f"{name}: partition key is missing (it names the S3 prefix)")))
    expected = len(table["columns"])
    problems.insert(0, F.when(F.col(CORRUPT).isNotNull(),
                              F.lit(f"malformed {fmt.upper()} record (expected {expected} fields/keys)")))
    reason = F.concat_ws("; ", *problems)
    return group.df.select(
        *values, *raws, F.when(reason != "", reason).alias("_reason"), "_source_file", "_ingested_at",
        F.monotonically_increasing_id().alias("__mono"), F.spark_partition_id().alias("__pid"))


def _number_records(spark: Any, parsed: DataFrame) -> tuple[DataFrame, dict[str, tuple[int, int, int, list]]]:
    """Give each record its 1-based position in its file without a sort of the data: Spark reads a file's splits
    in offset order into increasing partition ids and a split's rows in order, and monotonically_increasing_id
    counts up inside a partition, so position = rows of the file in earlier partitions + rank in this one.
    Also returns {file: (records, records that are not malformed, rejected records, first rejection reasons)}."""
    stats = (parsed.groupBy("_source_file", "__pid")
             .agg(F.min("__mono").alias("first"), F.count("*").alias("n"),
                  F.sum(F.when(~F.coalesce(F.col("_reason").startswith("malformed"), F.lit(False)), 1)
                        .otherwise(0)).alias("ok"),
                  F.count("_reason").alias("bad"),
                  F.slice(F.array_sort(F.collect_set("_reason")), 1, 5).alias("reasons"))
             .collect())
    offsets, per_file = [], {}
    for file in sorted({r["_source_file"] for r in stats}):
        rows = sorted((r for r in stats if r["_source_file"] == file), key=lambda r: r["__pid"])
        seen = 0
        for row in rows:
            offsets.append((file, int(row["__pid"]), int(row["first"]), seen))
            seen += int(row["n"])
        reasons = sorted({reason for r in rows for reason in r["reasons"]})
        per_file[file] = (seen, sum(int(r["ok"]) for r in rows), sum(int(r["bad"]) for r in rows), reasons)
    schema = "_source_file string, __pid int, __first long, __offset long"
    table = spark.createDataFrame(offsets or [], schema)
    numbered = parsed.join(F.broadcast(table), ["_source_file", "__pid"]).withColumn(
        "_source_record", F.col("__offset") + F.col("__mono") - F.col("__first") + 1)
    return numbered, per_file


def stage_table(ctx: runtime.Context, files: Files, manifest: dict, table: dict) -> dict:
    args, spark = ctx.args, ctx.spark
    product, fmt = manifest["product"]["name"], manifest["input"]["format"]
    table_path = join(product, table["name"])
    paths = discover(ctx, files, join(args["raw_path"], table_path), fmt, table["name"])
    result: dict[str, Any] = {"table": table["name"], "files": len(paths), "read": 0, "staged": 0,
                              "quarantined": 0}
    if not paths:
        return result
    groups = read_raw(spark, files, paths, table, manifest["input"])
    parsed = None
    for group in groups:
        frame = _parse(group, table, fmt)
        parsed = frame if parsed is None else parsed.unionByName(frame)
    assert parsed is not None
    parsed = parsed.persist()
    numbered, per_file = _number_records(spark, parsed)
    for file, (records, ok, _, _) in sorted(per_file.items()):
        if records and not ok:
            raise runtime.InputError(f"none of its {records} records could be read as {fmt}", file=file,
                                     fix=f"check the file's format and delimiter (the pipeline reads {fmt})")
    processed = sorted(per_file) or sorted(paths)
    numbered = numbered.persist()
    good = numbered.where(F.col("_reason").isNull()).select(
        *[c["name"] for c in table["columns"]], *META)
    bad = numbered.where(F.col("_reason").isNotNull()).select(
        *[F.col(f"__raw_{c['name']}").alias(c["name"]) for c in table["columns"]],
        "_source_file", "_ingested_at", "_source_record", "_reason", F.lit("stage_a").alias(QUARANTINE_PARTITION))
    result["read"] = sum(v[0] for v in per_file.values())
    result["quarantined"] = sum(v[2] for v in per_file.values())
    result["staged"] = result["read"] - result["quarantined"]
    result["reasons"] = sorted({r for v in per_file.values() for r in v[3]})[:5]
    keys = table["partition_keys"]
    _replace_files(spark, files, good, args["stage_path"], table_path, table_schema(table, with_meta=True),
                   keys, processed)
    _replace_files(spark, files, bad, args["quarantine_path"], table_path, quarantine_schema(table),
                   [QUARANTINE_PARTITION], processed)
    numbered.unpersist()
    parsed.unpersist()
    return result


def _replace_files(spark: Any, files: Files, new: DataFrame, root: str, table_path: str, schema: T.StructType,
                   partition_cols: Sequence[str], processed: list[str]) -> None:
    """Replace, in the dataset at root/table_path, every row that came from one of `processed` by `new`."""
    existing = read_table(spark, files, join(root, table_path), schema)
    mine = F.col("_source_file").isin(processed)
    if existing is None:
        result, touched = new, new
    else:
        touched = existing.where(mine).unionByName(new)
        keep = existing.where(~mine)
        if partition_cols:
            keep = keep.join(touched.select(*partition_cols).distinct(), list(partition_cols), "left_semi")
        result = keep.unionByName(new)
    affected: list[tuple[str, ...]] | None = None
    if partition_cols:
        affected = [tuple(r) for r in touched.select(*[F.col(c).cast("string") for c in partition_cols])
                    .distinct().collect()]
    replace_partitions(spark, files, result.select(*schema.fieldNames()), root, table_path, partition_cols,
                       [*META], affected)


def run(argv: list[str]) -> int:
    args = runtime.parse_args(argv, REQUIRED, OPTIONAL)
    manifest = load_manifest(args["manifest"])
    tables = selected_tables(manifest, args.get("tables"))
    ctx = runtime.start(args)
    files = Files(ctx.spark)
    results = [stage_table(ctx, files, manifest, table) for table in tables]
    runtime.report({"stage": "a", "product": manifest["product"]["fqn"], "tables": results})
    if ctx.job is not None:
        ctx.job.commit()                     # the bookmark moves only after everything was written
    return runtime.EXIT_OK
