"""A product made for the pipeline tests (`sales.shipments`: every column type the scripts parse, a partition key,
a primary key, accepted values, a range as a SQL rule, a row count and a non-blocking percent rule), added to a
scratch copy of the bundled project, and helpers to write its input files."""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from tests.conftest import copy_project

SHIPMENTS = """\
apiVersion: v3.0.2
kind: DataContract
id: "urn:meshform:sales:shipments"
name: Shipments
version: "1.2.0"
status: active
domain: sales
dataProduct: shipments
team:
  name: sales-data-team
  members:
    - username: sales-data@acme.example
      role: owner
schema:
  - name: shipments
    physicalName: shipments
    logicalType: object
    physicalType: table
    properties:
      - {name: shipment_id, logicalType: string, physicalType: string, required: true, primaryKey: true}
      - {name: order_id, logicalType: string, physicalType: string, required: true}
      - name: carrier
        logicalType: string
        physicalType: string
        quality:
          - {metric: invalidValues, arguments: {validValues: [dhl, ups, fedex]}, mustBe: 0,
             description: Known carriers only}
      - {name: weight_kg, logicalType: number, physicalType: "decimal(10,3)", required: true}
      - {name: parcels, logicalType: integer, physicalType: int, required: true}
      - name: express
        logicalType: boolean
        physicalType: boolean
        quality:
          - {metric: nullValues, unit: percent, mustBeLessThan: 50, severity: warning}
      - {name: shipped_ts, logicalType: timestamp, physicalType: timestamp, required: true}
      - {name: ship_date, logicalType: date, physicalType: date, required: true, partitioned: true,
         partitionKeyPosition: 1}
    quality:
      - type: sql
        query: SELECT COUNT(*) FROM shipments WHERE parcels <= 0 OR weight_kg > 1000
        mustBe: 0
        description: Parcels are positive and a shipment weighs at most 1000 kg
      - {metric: rowCount, mustBeGreaterThan: 0, description: The table is not empty}
"""
HEADER = ["shipment_id", "order_id", "carrier", "weight_kg", "parcels", "express", "shipped_ts", "ship_date"]
GOOD = [
    ["S1", "O1", "dhl", "1.250", "1", "true", "2024-03-15 08:00:00", "2024-03-15"],
    ["S2", "O2", "ups", "20", "3", "false", "2024-03-15T09:30:00Z", "2024-03-15"],
    ["S3", "O3", "", "0.5", "2", "", "2024-03-16 10:00:00", "2024-03-16"],
]


def shipments_project(root: Path) -> Path:
    copy_project(root)
    (root / "contracts" / "sales" / "shipments.yaml").write_text(SHIPMENTS)
    return root


def write_csv(path: Path, rows: list[list[str]], header: list[str] | None = HEADER,
              mtime: int | None = None, delimiter: str = ",") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        if header:
            writer.writerow(header)
        writer.writerows(rows)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def write_jsonl(path: Path, rows: list[list[str]], mtime: int | None = None) -> Path:
    """JSON Lines with native JSON types where the CSV has numbers/booleans, and absent keys for empty fields."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for row in rows:
        record: dict = {}
        for name, value in zip(HEADER, row, strict=True):
            if value == "":
                continue
            if name in ("weight_kg",):
                record[name] = float(value)
            elif name == "parcels":
                record[name] = int(value)
            elif name == "express":
                record[name] = value == "true"
            else:
                record[name] = value
        lines.append(json.dumps(record))
    path.write_text("\n".join(lines) + "\n")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path
