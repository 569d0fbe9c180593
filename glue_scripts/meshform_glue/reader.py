"""Stage A's input: which raw files to read and how, with the file-level checks that stop a run before anything is
written (schema drift: a column missing or unexpected, a type that does not convert; the wrong format).

Each returned group is one Spark read of files that share a layout; its columns are the contract's columns (as
text for CSV/JSON, as stored for Parquet) plus `_corrupt_record`, `_source_file` (the file's URI) and
`_ingested_at` (the file's last-modified time: when it landed in the raw bucket).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from meshform_glue.runtime import InputError
from meshform_glue.storage import Files
from meshform_glue.types import widening_problem

CORRUPT = "_corrupt_record"


@dataclass
class Group:
    df: DataFrame
    sources: dict[str, T.DataType]        # contract column -> the type it is read as (StringType: to be parsed)


def discover(ctx: Any, files: Files, prefix: str, fmt: str, table: str) -> list[str]:
    """The raw files to process. On Glue the job bookmark decides (only files not processed by an earlier
    successful run); locally every file below the prefix (a re-run replaces what the same files produced)."""
    if ctx.glue_context is None:
        return [path for path, _, size in files.files(prefix) if size > 0 or fmt != "parquet"]
    if not files.exists(prefix):
        return []
    frame = ctx.glue_context.create_dynamic_frame.from_options(
        connection_type="s3",
        connection_options={"paths": [prefix], "recurse": True, "attachFilename": "_meshform_file"},
        format=fmt, transformation_ctx=f"raw_{table}")
    return sorted(r[0] for r in frame.toDF().select("_meshform_file").distinct().collect())


def _with_source(df: DataFrame) -> DataFrame:
    return df.select("*", F.col("_metadata.file_path").alias("_source_file"),
                     F.col("_metadata.file_modification_time").alias("_ingested_at"))


def read_raw(spark: SparkSession, files: Files, paths: list[str], table: dict, options: dict) -> list[Group]:
    fmt = options["format"]
    if fmt == "csv":
        return _read_csv(spark, files, paths, table, options["csv"])
    if fmt == "json":
        return _read_json(spark, paths, table)
    return _read_parquet(spark, paths, table)


def _drift(path: str, found: list[str], expected: list[str]) -> None:
    missing = [c for c in expected if c not in found]
    unexpected = [c for c in found if c not in expected]
    duplicated = sorted({c for c in found if found.count(c) > 1})
    if missing:
        raise InputError(f"the contract's column(s) {', '.join(missing)} are missing", file=path,
                         column=missing[0], fix="deliver every contract column (or change the contract first)")
    if unexpected:
        raise InputError(f"column(s) {', '.join(unexpected)} are not in the contract (schema drift)", file=path,
                         column=unexpected[0], fix="add them to the contract first, or stop delivering them")
    if duplicated:
        raise InputError(f"column(s) {', '.join(duplicated)} appear more than once", file=path,
                         column=duplicated[0], fix="deliver each column once")


def _read_csv(spark: SparkSession, files: Files, paths: list[str], table: dict, opts: dict) -> list[Group]:
    expected = [c["name"] for c in table["columns"]]
    layouts: dict[tuple[str, ...], list[str]] = {}
    for path in paths:
        line = files.first_line(path)
        if line is None:
            if opts["header"]:
                raise InputError("the file is empty (a CSV header line is expected)", file=path,
                                 fix="deliver the header line, or leave the file out")
            continue
        try:
            fields = next(csv.reader([line], delimiter=opts["delimiter"], quotechar=opts["quote"]))
        except (csv.Error, StopIteration) as err:
            raise InputError(f"the first line is not CSV ({err})", file=path,
                             fix=f"deliver {opts['delimiter']!r}-separated UTF-8 text") from None
        if opts["header"]:
            names = [f.strip() for f in fields]
            _drift(path, names, expected)
            layouts.setdefault(tuple(names), []).append(path)
        elif len(fields) != len(expected):
            raise InputError(f"the first record has {len(fields)} fields; the contract has {len(expected)} columns "
                             f"({', '.join(expected)})", file=path,
                             fix="deliver the columns in the table's order (data columns, then partition keys)")
        else:
            layouts.setdefault(tuple(expected), []).append(path)
    groups = []
    for names, group_paths in sorted(layouts.items()):
        schema = T.StructType([T.StructField(n, T.StringType()) for n in names] +
                              [T.StructField(CORRUPT, T.StringType())])
        df = (spark.read.schema(schema)
              .option("header", opts["header"]).option("sep", opts["delimiter"]).option("quote", opts["quote"])
              .option("escape", opts["escape"]).option("encoding", opts.get("encoding", "UTF-8"))
              .option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT)
              .option("multiLine", False).csv(group_paths))
        groups.append(Group(_with_source(df), {n: T.StringType() for n in names}))
    return groups


def _read_json(spark: SparkSession, paths: list[str], table: dict) -> list[Group]:
    """JSON Lines: one object per line. Values are read as their JSON text and parsed like CSV fields."""
    expected = [c["name"] for c in table["columns"]]
    keys = (spark.read.text(paths).select(F.col("_metadata.file_path").alias("file"),
                                          F.json_object_keys("value").alias("keys"))
            .select("file", F.explode_outer("keys").alias("key"))
            .groupBy("file").agg(F.collect_set("key").alias("keys")).collect())
    seen = {row["file"]: set(row["keys"]) for row in keys}
    for path in sorted(seen):
        if not seen[path]:
            raise InputError("no line is a JSON object: the file is not JSON Lines", file=path,
                             fix="deliver one JSON object per line (format json), or set the pipeline's format")
        unexpected = sorted(seen[path] - set(expected))
        if unexpected:
            raise InputError(f"key(s) {', '.join(unexpected)} are not in the contract (schema drift)", file=path,
                             column=unexpected[0], fix="add them to the contract first, or stop delivering them")
        required = [c["name"] for c in table["columns"] if c["required"] or c["partition"] or c["primary_key"]]
        missing = [c for c in required if c not in seen[path]]
        if missing:
            raise InputError(f"no record has the required column(s) {', '.join(missing)}", file=path,
                             column=missing[0], fix="deliver every required contract column")
    schema = T.StructType([T.StructField(n, T.StringType()) for n in expected] +
                          [T.StructField(CORRUPT, T.StringType())])
    df = (spark.read.schema(schema).option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT)
          .json(paths))
    return [Group(_with_source(df), {n: T.StringType() for n in expected})]


def _read_parquet(spark: SparkSession, paths: list[str], table: dict) -> list[Group]:
    expected = [c["name"] for c in table["columns"]]
    types = {c["name"]: c["type"] for c in table["columns"]}
    layouts: dict[str, tuple[T.StructType, list[str]]] = {}
    for path in paths:
        try:
            schema = spark.read.parquet(path).schema
        except Exception as err:  # Spark raises AnalysisException or a Py4J error for a file that is not Parquet
            first = str(err).strip().splitlines()[0][:300] if str(err).strip() else type(err).__name__
            raise InputError(f"not a readable Parquet file ({first})", file=path,
                             fix="deliver Parquet files (format parquet), or set the pipeline's format") from None
        _drift(path, [f.name for f in schema.fields], expected)
        for field in schema.fields:
            problem = widening_problem(field.dataType, types[field.name])
            if problem is not None:
                raise InputError(f"{problem} (the contract says {types[field.name]})", file=path,
                                 column=field.name, fix="deliver the contract's type, or change the contract first")
        layouts.setdefault(schema.json(), (schema, []))[1].append(path)
    groups = []
    for _, (schema, group_paths) in sorted(layouts.items()):
        df = _with_source(spark.read.schema(schema).parquet(*group_paths))
        groups.append(Group(df.withColumn(CORRUPT, F.lit(None).cast("string")),
                            {f.name: f.dataType for f in schema.fields}))
    return groups
