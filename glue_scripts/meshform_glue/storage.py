"""Hive-partitioned Parquet datasets (`<root>/<product>/<table>/<key>=<value>/part-*.parquet`) written so that a
reader never sees a half-written table: every write goes to `<root>/_tmp/<run>/<product>/<table>/` first, and
only complete partition directories are then moved into place (the old one removed first). File system calls go
through Hadoop's FileSystem API, so the same code moves files on local disk (`file:`) and on S3 (Glue's EMRFS);
on S3 a directory move is a copy + delete per object, which is why the temporary location is in the same bucket.

`_tmp` starts with an underscore: Spark, Hive and Athena skip such paths, and it is outside every table location.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import unquote

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

TMP = "_tmp"


def join(*parts: str) -> str:
    head, *rest = parts
    return "/".join([head.rstrip("/"), *(p.strip("/") for p in rest if p.strip("/"))])


class Files:
    """The few Hadoop FileSystem operations the jobs need, for any scheme (file:, s3:)."""

    def __init__(self, spark: SparkSession):
        self.spark = spark
        self.jvm = spark.sparkContext._jvm
        self.conf = spark.sparkContext._jsc.hadoopConfiguration()

    def _path(self, path: str) -> tuple[Any, Any]:
        hpath = self.jvm.org.apache.hadoop.fs.Path(path)
        return hpath, hpath.getFileSystem(self.conf)

    def exists(self, path: str) -> bool:
        hpath, fs = self._path(path)
        return bool(fs.exists(hpath))

    def delete(self, path: str) -> None:
        hpath, fs = self._path(path)
        if fs.exists(hpath):
            fs.delete(hpath, True)

    def delete_if_empty(self, path: str) -> None:
        hpath, fs = self._path(path)
        if fs.exists(hpath) and not fs.listStatus(hpath):
            fs.delete(hpath, False)

    def move(self, source: str, target: str) -> None:
        """Replace `target` by `source` (Hadoop's rename puts a source *inside* an existing directory)."""
        src, fs = self._path(source)
        dst, _ = self._path(target)
        if fs.exists(dst):
            fs.delete(dst, True)
        fs.mkdirs(dst.getParent())
        if not fs.rename(src, dst):
            raise OSError(f"could not move {source} to {target}")

    def files(self, root: str) -> list[tuple[str, str, int]]:
        """Every data file below `root` (recursively) as (full path, path relative to root, size), skipping hidden
        names (`_*`, `.*`: _SUCCESS, .crc, _tmp), sorted."""
        hpath, fs = self._path(root)
        if not fs.exists(hpath):
            return []
        base = fs.makeQualified(hpath).toString().rstrip("/")
        found: list[tuple[str, str, int]] = []
        iterator = fs.listFiles(hpath, True)
        while iterator.hasNext():
            status = iterator.next()
            full = status.getPath().toString()
            relative = full[len(base):].strip("/")
            if any(part.startswith(("_", ".")) for part in relative.split("/")):
                continue
            found.append((full, relative, int(status.getLen())))
        return sorted(found)

    def first_line(self, path: str, limit: int = 1 << 20) -> str | None:
        """The first line of a text file (None when empty), without reading the rest."""
        hpath, fs = self._path(path)
        stream = fs.open(hpath)
        try:
            data = bytearray()
            while len(data) < limit:
                byte = stream.read()
                if byte < 0 or byte == 10:
                    break
                data.append(byte)
        finally:
            stream.close()
        if not data and fs.getFileStatus(hpath).getLen() == 0:
            return None
        return data.decode("utf-8", errors="replace").rstrip("\r").lstrip("\ufeff")

    def leaf_partitions(self, table_root: str, depth: int) -> dict[tuple[str, ...], str]:
        """{partition values (unescaped): directory} of a table with `depth` partition keys, for directories that
        hold at least one data file."""
        out: dict[tuple[str, ...], str] = {}
        for _, relative, _ in self.files(table_root):
            dirs = relative.split("/")[:-1]
            if len(dirs) != depth or not all("=" in d for d in dirs):
                continue
            values = tuple(unquote(d.split("=", 1)[1]) for d in dirs)
            out.setdefault(values, "/".join(dirs))
        return out


def read_table(spark: SparkSession, files: Files, root: str, schema: T.StructType) -> DataFrame | None:
    """The dataset at `root` with `schema` (partition columns included and typed by it), None when empty."""
    if not files.files(root):
        return None
    return spark.read.schema(schema).option("basePath", root).parquet(root)


class Staging:
    """One run's temporary area in a bucket: `<root>/_tmp/<run>/`; `prepare` writes a table there, `publish` moves
    it into place, `discard` removes everything of the run."""

    def __init__(self, spark: SparkSession, files: Files, root: str):
        self.spark, self.files, self.root = spark, files, root
        self.run_dir = join(root, TMP, uuid.uuid4().hex)

    def prepare(self, df: DataFrame, table_path: str, partition_cols: Sequence[str],
                sort_cols: Sequence[str]) -> Prepared:
        """Write `df` (one file per partition directory, rows sorted: the same input gives the same content)."""
        tmp = join(self.run_dir, table_path)
        if partition_cols:
            out = df.repartition(*[F.col(c) for c in partition_cols])
        else:
            count = int(self.spark.conf.get("spark.sql.shuffle.partitions"))
            out = df.repartition(count, *[F.col(c) for c in sort_cols])
        out = out.sortWithinPartitions(*sort_cols) if sort_cols else out
        writer = out.write.mode("overwrite")
        if partition_cols:
            writer = writer.partitionBy(*partition_cols)
        writer.parquet(tmp)
        if partition_cols:
            staged = self.files.leaf_partitions(tmp, len(partition_cols))
        else:
            staged = {(): ""} if self.files.files(tmp) else {}
        return Prepared(tmp, join(self.root, table_path), len(partition_cols), staged)

    def publish(self, prepared: Prepared, replace: Iterable[tuple[str, ...]] | None) -> None:
        """Move the prepared partitions into the target. `replace` = the partitions (values as text) whose content
        the prepared data defines: removed when it has no rows for them; None = the whole table."""
        files, target = self.files, prepared.target
        existing = files.leaf_partitions(target, prepared.depth) if prepared.depth else \
            ({(): ""} if files.files(target) else {})
        doomed = set(existing) if replace is None else set(replace)
        for values in sorted(doomed - set(prepared.staged)):
            if values in existing:
                files.delete(join(target, existing[values]))
        for _, relative in sorted(prepared.staged.items()):
            files.move(join(prepared.tmp, relative), join(target, relative))

    def discard(self) -> None:
        self.files.delete(self.run_dir)
        self.files.delete_if_empty(join(self.root, TMP))


class Prepared:
    def __init__(self, tmp: str, target: str, depth: int, staged: dict[tuple[str, ...], str]):
        self.tmp, self.target, self.depth, self.staged = tmp, target, depth, staged


def replace_partitions(spark: SparkSession, files: Files, df: DataFrame, root: str, table_path: str,
                       partition_cols: Sequence[str], sort_cols: Sequence[str],
                       replace: Iterable[tuple[str, ...]] | None) -> set[tuple[str, ...]]:
    """prepare + publish + clean up in one go (stage A). Returns the partitions written."""
    staging = Staging(spark, files, root)
    try:
        prepared = staging.prepare(df, table_path, partition_cols, sort_cols)
        staging.publish(prepared, replace)
        return set(prepared.staged)
    finally:
        staging.discard()
