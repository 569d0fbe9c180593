"""Rows per second of the Glue scripts on local Spark: stage A (raw CSV -> stage) and stage B (stage -> analytics,
contract enforced, quality gate) for the bundled `sales.orders` product's `orders` table on a generated input.

    .venv/bin/python benchmarks/glue_scripts.py --rows 1000000 [--files 8] [--workdir DIR]

The input is generated with Spark (N orders over 30 days, 8 CSV files, 1 % of them broken) before the clock starts;
each stage is timed through its real entry point (`meshform_glue.stage_a.run`), on the scripts' own local
configuration (local[2], driver 2g).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "glue_scripts"))

from meshform_glue import runtime, stage_a, stage_b  # noqa: E402


def _generate(spark: Any, raw: Path, rows: int, files: int) -> None:
    from pyspark.sql import functions as F

    statuses = F.array(*[F.lit(s) for s in ("placed", "paid", "shipped", "delivered", "cancelled", "returned")])
    ts = F.timestamp_seconds(F.lit(1_709_251_200) + (F.col("id") * 2_592_000 / rows).cast("long"))  # 30 days
    total = (F.col("id") % 100_000) / 100
    df = spark.range(rows).select(
        F.concat(F.lit("ORD-"), F.col("id").cast("string")).alias("order_id"),
        F.concat(F.lit("CUS-"), (F.col("id") % 50_000).cast("string")).alias("customer_id"),
        F.date_format(ts, "yyyy-MM-dd HH:mm:ss").alias("order_ts"),
        F.element_at(statuses, (F.col("id") % 6 + 1).cast("int")).alias("order_status"),
        F.when(F.col("id") % 2 == 0, "web").otherwise("store").alias("sales_channel"),
        F.lit("EUR").alias("currency_code"),
        # 1 % of the rows carry an amount that is not a decimal(18,2): they go to the quarantine.
        F.when(F.col("id") % 100 == 7, F.lit("n/a")).otherwise(F.format_string("%.2f", total))
        .alias("order_total_amount"),
        F.format_string("%.2f", total / 3).alias("margin_amount"),
        F.concat(F.lit("c"), (F.col("id") % 50_000).cast("string"), F.lit("@example.com")).alias("customer_email"),
        F.lit("10115").alias("shipping_postcode"),
        F.lit("DE").alias("shipping_country_code"),
        F.date_format(ts, "yyyy-MM-dd").alias("order_date"))
    df.repartition(files).write.mode("overwrite").option("header", True).csv(str(raw))


def run_benchmark(spark: Any, workdir: Path, rows: int, files: int = 8) -> dict[str, Any]:
    from meshform.loader import load_meshes
    from meshform.pipeline.manifest import manifest_json

    mesh = load_meshes(REPO, ["dev"])[0]
    manifest = workdir / "manifest.json"
    manifest.write_text(manifest_json(mesh, mesh.products["sales.orders"], {"format": "csv"}))
    _generate(spark, workdir / "raw" / "orders" / "orders", rows, files)
    common = ["--JOB_NAME", "benchmark", "--manifest", str(manifest), "--stage_path", str(workdir / "stage"),
              "--quarantine_path", str(workdir / "quarantine"), "--tables", "orders"]
    figures: dict[str, Any] = {}
    started = time.perf_counter()
    stage_a.run(["stage_a.py", *common, "--raw_path", str(workdir / "raw")])
    elapsed = time.perf_counter() - started
    figures["stage_a"] = {"rows": rows, "seconds": elapsed, "rows_per_s": rows / elapsed}
    staged = spark.read.parquet(str(workdir / "stage" / "orders" / "orders")).count()
    started = time.perf_counter()
    stage_b.run(["stage_b.py", *common, "--analytics_path", str(workdir / "analytics")])
    elapsed = time.perf_counter() - started
    published = spark.read.parquet(str(workdir / "analytics" / "orders" / "orders")).count()
    figures["stage_b"] = {"rows": staged, "published": published, "seconds": elapsed, "rows_per_s": staged / elapsed}
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    spark = runtime.start({"JOB_NAME": "benchmark"}).spark
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        figures = run_benchmark(spark, workdir, args.rows, args.files)
    a, b = figures["stage_a"], figures["stage_b"]
    print(f"stage A (raw CSV -> stage):  {a['rows']:>10,} rows in {a['seconds']:6.1f} s = "
          f"{a['rows_per_s']:>9,.0f} rows/s")
    print(f"stage B (stage -> analytics): {b['rows']:>10,} rows in {b['seconds']:6.1f} s = {b['rows_per_s']:>9,.0f} "
          f"rows/s ({b['published']:,} published)")
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
