"""Where a job runs: on AWS Glue 5 (`awsglue` importable: GlueContext, getResolvedOptions, Job with bookmarks) or
on local pyspark 3.5 (what `meshform run-pipeline` and the tests use). Everything else in the package is plain
Spark and identical on both.

Exit codes (what `meshform run-pipeline` and Step Functions see): 0 done, 1 the quality gate failed, 2 bad input
or arguments (a message naming the file, column and fix; never a traceback).
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

try:                                          # only on Glue
    from awsglue.context import GlueContext  # type: ignore[import-not-found]
    from awsglue.job import Job  # type: ignore[import-not-found]
    from awsglue.utils import getResolvedOptions  # type: ignore[import-not-found]
    ON_GLUE = True
except ImportError:
    ON_GLUE = False

RESULT_MARKER = "MESHFORM_RESULT "
ERROR_MARKER = "MESHFORM_ERROR "
EXIT_OK, EXIT_QUALITY, EXIT_INPUT = 0, 1, 2

# Identical on Glue and locally: results must not depend on where the job ran.
SPARK_CONF = {
    "spark.sql.session.timeZone": "UTC",          # timestamps without an offset are UTC; dates cut in UTC
    "spark.sql.ansi.enabled": "false",            # casts go through try_cast explicitly (stage A reports them)
    "spark.sql.parquet.compression.codec": "snappy",   # the central table says parquet.compression=SNAPPY
    "spark.sql.parquet.outputTimestampType": "INT96",  # what Hive-compatible readers expect for `timestamp`
    # Hive's Parquet SerDe (Athena, Redshift Spectrum, EMR Hive) reads decimals only as fixed-length binaries.
    "spark.sql.parquet.writeLegacyFormat": "true",
}


def local_conf() -> dict[str, str]:
    """Local runs: deterministic and small (2 cores, driver 2 GB). MESHFORM_SPARK_SHUFFLE_PARTITIONS and
    MESHFORM_SPARK_JAVA_OPTIONS (JVM flags, e.g. quick-start JIT settings) tune speed, never results."""
    java = ("-Duser.timezone=UTC " + os.environ.get("MESHFORM_SPARK_JAVA_OPTIONS", "")).strip()
    return {
        "spark.master": "local[2]",
        "spark.driver.memory": "2g",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": os.environ.get("MESHFORM_SPARK_SHUFFLE_PARTITIONS", "4"),
        "spark.default.parallelism": "2",
        "spark.driver.extraJavaOptions": java,
        "spark.executor.extraJavaOptions": "-Duser.timezone=UTC",
    }


class InputError(Exception):
    """Bad input or arguments: reported as `file: column: problem` with a fix, exit 2, nothing published."""

    def __init__(self, problem: str, fix: str = "", file: str = "", column: str = ""):
        super().__init__(problem)
        self.problem, self.fix, self.file, self.column = problem, fix, file, column

    def render(self) -> str:
        where = ": ".join(p for p in (self.file, self.column) if p)
        text = f"{where}: {self.problem}" if where else self.problem
        return text + (f"\n    fix: {self.fix}" if self.fix else "")


class QualityFailed(Exception):
    """The quality gate failed; nothing was published."""


@dataclass
class Context:
    spark: Any
    args: dict[str, str]
    job: Any = None                  # awsglue Job (bookmarks) on Glue
    glue_context: Any = None


def parse_args(argv: Sequence[str], required: Sequence[str], optional: Sequence[str] = ()) -> dict[str, str]:
    """`--name value` arguments like Glue passes them. On Glue through getResolvedOptions; optional ones are
    resolved only when present (getResolvedOptions fails on a missing name)."""
    present = [name for name in optional if f"--{name}" in argv]
    if ON_GLUE:
        return dict(getResolvedOptions(list(argv), [*required, *present]))
    values: dict[str, str] = {}
    items = list(argv[1:])
    for index, item in enumerate(items):
        if item.startswith("--") and index + 1 < len(items) and not items[index + 1].startswith("--"):
            values.setdefault(item[2:], items[index + 1])
    missing = [name for name in required if name not in values]
    if missing:
        raise InputError(f"missing job argument(s): {', '.join('--' + m for m in missing)}",
                         "pass every required argument (glue_scripts/README.md lists them per stage)")
    return {name: values[name] for name in [*required, *present]}


def start(args: dict[str, str]) -> Context:
    if ON_GLUE:
        from pyspark.context import SparkContext

        glue_context = GlueContext(SparkContext.getOrCreate())
        spark = glue_context.spark_session
        for key, value in SPARK_CONF.items():
            spark.conf.set(key, value)
        job = Job(glue_context)
        job.init(args["JOB_NAME"], args)     # bookmarks: the job's --job-bookmark-option decides
        return Context(spark, args, job, glue_context)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(args.get("JOB_NAME", "meshform"))
    for key, value in {**local_conf(), **SPARK_CONF}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return Context(spark, args)


def report(result: dict[str, Any]) -> None:
    """One machine-readable line per stage (CloudWatch on Glue; parsed by `meshform run-pipeline`)."""
    print(RESULT_MARKER + json.dumps(result, sort_keys=True, default=str), flush=True)


def main(stage: Callable[[list[str]], int]) -> None:
    """Run a stage's entry point with the exit-code contract above."""
    try:
        code = stage(sys.argv)
    except InputError as error:
        print(ERROR_MARKER + json.dumps({"message": error.render()}), flush=True)
        print(f"error: {error.render()}", file=sys.stderr, flush=True)
        code = EXIT_INPUT
    except QualityFailed as failed:
        print(f"quality gate failed: {failed}", file=sys.stderr, flush=True)
        code = EXIT_QUALITY
    if code:
        sys.exit(code)                       # Glue marks the run FAILED on a non-zero exit
