"""Partition registration in the central table (catalog = the governance account), after stage B published.

boto3 Glue calls with CatalogId = the governance account and DatabaseName = the domain's database (the domain's
own resource link has the same name, https://docs.aws.amazon.com/glue/latest/dg/security-lf-enable-considerations.html):
BatchCreatePartition for partitions that appeared (at most 100 per call), BatchDeletePartition for partitions that
no longer hold rows (at most 25 per call). Each partition's storage descriptor is the table's with the partition's
location, so Athena reads it with the table's SerDe. An existing partition is not an error (re-runs are safe).
https://docs.aws.amazon.com/glue/latest/webapi/API_BatchCreatePartition.html
"""
from __future__ import annotations

import copy
from typing import Any

CREATE_BATCH = 100
DELETE_BATCH = 25


class CatalogError(Exception):
    pass


def sync_partitions(glue: Any, catalog_id: str, database: str, table: str,
                    partitions: dict[tuple[str, ...], str]) -> dict[str, int]:
    """Make the table's partitions exactly `partitions` ({values: S3 location}). Returns created/deleted counts."""
    described = glue.get_table(CatalogId=catalog_id, DatabaseName=database, Name=table)["Table"]
    existing: set[tuple[str, ...]] = set()
    for page in glue.get_paginator("get_partitions").paginate(CatalogId=catalog_id, DatabaseName=database,
                                                              TableName=table):
        existing.update(tuple(p["Values"]) for p in page["Partitions"])
    descriptor = described["StorageDescriptor"]
    create = []
    for values in sorted(set(partitions) - existing):
        sd = copy.deepcopy(descriptor)
        sd["Location"] = partitions[values].rstrip("/") + "/"
        create.append({"Values": list(values), "StorageDescriptor": sd})
    for start in range(0, len(create), CREATE_BATCH):
        answer = glue.batch_create_partition(CatalogId=catalog_id, DatabaseName=database, TableName=table,
                                             PartitionInputList=create[start:start + CREATE_BATCH])
        failed = [e for e in answer.get("Errors", [])
                  if e.get("ErrorDetail", {}).get("ErrorCode") != "AlreadyExistsException"]
        if failed:
            raise CatalogError(f"BatchCreatePartition on {database}.{table} failed: {failed[0]}")
    delete = [{"Values": list(v)} for v in sorted(existing - set(partitions))]
    for start in range(0, len(delete), DELETE_BATCH):
        answer = glue.batch_delete_partition(CatalogId=catalog_id, DatabaseName=database, TableName=table,
                                             PartitionsToDelete=delete[start:start + DELETE_BATCH])
        failed = [e for e in answer.get("Errors", [])
                  if e.get("ErrorDetail", {}).get("ErrorCode") != "EntityNotFoundException"]
        if failed:
            raise CatalogError(f"BatchDeletePartition on {database}.{table} failed: {failed[0]}")
    return {"created": len(create), "deleted": len(delete)}
