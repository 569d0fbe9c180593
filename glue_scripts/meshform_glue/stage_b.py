"""Stage B: stage -> analytics, the contract enforced. Per table, from everything in stage:

1. rows whose primary-key columns are null are quarantined (they cannot be matched to a key);
2. **latest wins** per primary key: the row with the latest `_ingested_at` (the raw file's last-modified time), then
   the greatest `_source_file` (URI, byte order), then the greatest `_source_record` (the later record in the
   file) is the key's current version; the others are superseded (counted, not quarantined);
3. current versions that break a row rule (required columns, accepted values, the contract's zero-tolerance
   rules) are quarantined with the reason (`rejected_by=stage_b`). A key whose latest version is broken is
   withheld; it never falls back to an older version silently;
4. the rest, exactly the contract's columns and types, is written to a temporary location and the quality gate
   (the table's checks: the Glue Data Quality ruleset's rules) runs on what was written.
Only when every table of the run passes are the tables moved into `<analytics>/<product>/<table>/` (the central
table's location, all partitions replaced) and, on Glue with --catalog_id, the partitions registered in the
central table. A failed gate publishes nothing (exit 1).

Job arguments: --JOB_NAME --manifest --stage_path --quarantine_path --analytics_path
               [--catalog_id ACCOUNT --database DOMAIN] [--tables t1,t2]
"""
from __future__ import annotations

from typing import Any

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from meshform_glue import runtime
from meshform_glue.catalog import sync_partitions
from meshform_glue.manifest import load_manifest, selected_tables, table_schema
from meshform_glue.quality import evaluate, verdict
from meshform_glue.stage_a import QUARANTINE_PARTITION
from meshform_glue.storage import Files, Staging, join, read_table, replace_partitions

REQUIRED = ("JOB_NAME", "manifest", "stage_path", "quarantine_path", "analytics_path")
OPTIONAL = ("catalog_id", "database", "tables")
LATEST_FIRST = ("_ingested_at", "_source_file", "_source_record")   # all descending: see the docstring


def _rejections(df: DataFrame, rules: list[dict]) -> Any:
    reasons = [F.when(F.coalesce(F.expr(r["violation"]), F.lit(False)), F.lit(r["reason"])) for r in rules]
    reason = F.concat_ws("; ", *reasons) if reasons else F.lit("")
    return F.when(reason != "", reason)


def build(ctx: runtime.Context, files: Files, manifest: dict, table: dict) -> dict | None:
    """The table's publishable rows and its quarantine, from the whole stage table (None: nothing staged)."""
    spark, args = ctx.spark, ctx.args
    table_path = join(manifest["product"]["name"], table["name"])
    staged = read_table(spark, files, join(args["stage_path"], table_path), table_schema(table, with_meta=True))
    if staged is None:
        return None
    staged = staged.persist()
    names = [c["name"] for c in table["columns"]]
    key = table["primary_key"]
    key_rules = [r for r in table["row_rules"] if r["id"] in {f"required:{k}" for k in key}]
    other_rules = [r for r in table["row_rules"] if r not in key_rules]
    with_keys = staged.withColumn("_reason", _rejections(staged, key_rules))
    keyless = with_keys.where(F.col("_reason").isNotNull())
    candidates = with_keys.where(F.col("_reason").isNull()).drop("_reason")
    if key:
        latest = Window.partitionBy(*key).orderBy(*[F.col(c).desc() for c in LATEST_FIRST])
        ranked = candidates.withColumn("__rank", F.row_number().over(latest))
        current = ranked.where(F.col("__rank") == 1).drop("__rank")
    else:
        current = candidates
    checked = current.withColumn("_reason", _rejections(current, other_rules)).persist()
    rejected = keyless.unionByName(checked.where(F.col("_reason").isNotNull()))
    quarantine = rejected.select(*[F.col(n).cast("string").alias(n) for n in names], "_source_file",
                                 "_ingested_at", "_source_record", "_reason",
                                 F.lit("stage_b").alias(QUARANTINE_PARTITION))
    published = checked.where(F.col("_reason").isNull()).select(*names)
    counts = {"in": staged.count(), "keyless": keyless.count(), "current": current.count(),
              "rejected": checked.where(F.col("_reason").isNotNull()).count()}
    return {"table": table, "path": table_path, "published": published, "quarantine": quarantine,
            "counts": counts, "cached": [staged, checked]}


def run(argv: list[str]) -> int:
    args = runtime.parse_args(argv, REQUIRED, OPTIONAL)
    if ("catalog_id" in args) != ("database" in args):
        raise runtime.InputError("--catalog_id and --database go together", column="--catalog_id",
                                 fix="pass both (governance account, domain database) or neither (local runs)")
    manifest = load_manifest(args["manifest"])
    tables = selected_tables(manifest, args.get("tables"))
    ctx = runtime.start(args)
    spark, files = ctx.spark, Files(ctx.spark)
    staging = Staging(spark, files, args["analytics_path"])
    results, prepared = [], []
    try:
        for table in tables:
            built = build(ctx, files, manifest, table)
            if built is None:
                results.append({"table": table["name"], "skipped": "nothing staged"})
                continue
            keys = table["partition_keys"]
            replace_partitions(spark, files, built["quarantine"], args["quarantine_path"], built["path"],
                               [QUARANTINE_PARTITION], ["_source_file", "_source_record"], [("stage_b",)])
            sort = table["primary_key"] or [c["name"] for c in table["columns"] if not c["partition"]]
            ready = staging.prepare(built["published"], built["path"], keys, sort)
            written = read_table(spark, files, ready.tmp, table_schema(table))
            if written is None:
                written = spark.createDataFrame([], table_schema(table))
            outcomes = evaluate(spark, written, table["checks"])
            counts = built["counts"]
            published = written.count()
            results.append({"table": table["name"], "in": counts["in"],
                            "superseded": counts["in"] - counts["keyless"] - counts["current"],
                            "quarantined": counts["keyless"] + counts["rejected"],
                            "published": published, "quality": outcomes, "passed": verdict(outcomes)})
            prepared.append((table, ready))
            for frame in built["cached"]:
                frame.unpersist()
        passed = all(r.get("passed", True) for r in results)
        if passed:
            for table, ready in prepared:
                staging.publish(ready, None)
                if "catalog_id" in args:
                    _register(args, table, files.leaf_partitions(ready.target, len(table["partition_keys"])),
                              ready.target, results)
    finally:
        staging.discard()
    runtime.report({"stage": "b", "product": manifest["product"]["fqn"], "tables": results,
                    "published": passed})
    if not passed:
        failing = [f"{r['table']}: {o['id']} ({o['description']}) = {o['value']}"
                   for r in results for o in r.get("quality", []) if o["blocking"] and not o["passed"]]
        raise runtime.QualityFailed("; ".join(failing) + " - nothing was published")
    if ctx.job is not None:
        ctx.job.commit()
    return runtime.EXIT_OK


def _register(args: dict, table: dict, partitions: dict, target: str, results: list[dict]) -> None:
    if not table["partition_keys"]:
        return
    import boto3  # on Glue only: local runs have no catalog

    located = {values: join(target, relative) for values, relative in partitions.items()}
    counts = sync_partitions(boto3.client("glue"), args["catalog_id"], args["database"], table["name"], located)
    next(r for r in results if r["table"] == table["name"])["partitions"] = counts
