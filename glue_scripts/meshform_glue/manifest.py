"""The product manifest (written by `meshform/pipeline/manifest.py`): the only thing the jobs know about the
contract. On Glue it arrives through `--extra-files` in the driver's working directory (`--manifest
manifest.json`); locally `--manifest` is an absolute path."""
from __future__ import annotations

import json
from typing import Any

from pyspark.sql import types as T

from meshform_glue.runtime import InputError
from meshform_glue.types import spark_type

MANIFEST_VERSION = 1


def load_manifest(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            manifest = json.load(handle)
    except OSError as err:
        raise InputError(f"cannot read the manifest ({err.strerror})", file=path,
                         fix="pass --manifest with the file written by meshform (Glue: --extra-files)") from None
    except json.JSONDecodeError as err:
        raise InputError(f"the manifest is not JSON ({err.msg}, line {err.lineno})", file=path,
                         fix="regenerate it with meshform") from None
    if not isinstance(manifest, dict) or manifest.get("manifest_version") != MANIFEST_VERSION:
        found = manifest.get("manifest_version") if isinstance(manifest, dict) else None
        raise InputError(f"manifest version {found!r}; these scripts read version {MANIFEST_VERSION}", file=path,
                         fix="deploy the scripts and the manifest from the same meshform version")
    return manifest


def selected_tables(manifest: dict[str, Any], names: str | None) -> list[dict[str, Any]]:
    tables = manifest["tables"]
    if not names:
        return list(tables)
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    known = {t["name"] for t in tables}
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise InputError(f"table(s) {', '.join(unknown)} are not in product {manifest['product']['fqn']}",
                         column="--tables", fix=f"use: {', '.join(sorted(known))}")
    return [t for t in tables if t["name"] in wanted]


def table_schema(table: dict[str, Any], with_meta: bool = False) -> T.StructType:
    """The contract's columns with their Spark types (data columns, then partition keys: the central table's
    order); with_meta adds stage A's lineage columns."""
    fields = [T.StructField(c["name"], spark_type(c["type"])) for c in table["columns"]]
    if with_meta:
        fields += [T.StructField("_source_file", T.StringType()), T.StructField("_ingested_at", T.TimestampType()),
                   T.StructField("_source_record", T.LongType())]
    return T.StructType(fields)
