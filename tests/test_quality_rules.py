"""Contract quality sections -> rules (meshform/spec/quality.py), DQDL rulesets, the pipeline manifest, and the
partition registration of stage B (against moto's Glue). No Spark here."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from meshform.errors import ValidationFailed
from meshform.loader import load_meshes
from meshform.pipeline.dqdl import dqdl_ruleset
from meshform.pipeline.manifest import manifest_json, pipeline_manifest
from tests.pipeline_fixtures import SHIPMENTS, shipments_project

REPO = Path(__file__).resolve().parent.parent


def _errors(tmp_path: Path, old: str, new: str) -> str:
    root = shipments_project(tmp_path)
    path = root / "contracts" / "sales" / "shipments.yaml"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    with pytest.raises(ValidationFailed) as failed:
        load_meshes(root, ["dev"])
    return failed.value.errors.render()


SQL = "SELECT COUNT(*) FROM shipments WHERE parcels <= 0 OR weight_kg > 1000"


@pytest.mark.parametrize("new, message", [
    ("SELECT COUNT(*) FROM orders WHERE parcels <= 0", "a rule may read only its own table 'shipments'"),
    ("SELECT COUNT(*) FROM shipments WHERE discount > 0", "uses column 'discount', which table 'shipments' does not"),
    ("DROP TABLE shipments", "must be exactly one SELECT statement"),
    ("SELECT * FROM shipments", "must return exactly one value"),
    ("SELECT COUNT(*) FROM shipments WHERE (", "is not valid Spark SQL"),
])
def test_sql_rules_are_checked_with_sqlglot(tmp_path, new, message):
    text = _errors(tmp_path, SQL, new)
    assert "contracts/sales/shipments.yaml" in text and "schema.0.quality.0.query" in text and message in text


@pytest.mark.parametrize("old, new, message", [
    ("{metric: rowCount, mustBeGreaterThan: 0,", "{type: custom, engine: soda, implementation: x,",
     "quality rules of type 'custom' (engine soda) cannot be run"),
    ("validValues: [dhl, ups, fedex]", "validValues: [1, 2]", "1 is not a string value"),
    ("validValues: [dhl, ups, fedex]", "choices: [dhl]", "arguments ['choices'] are not known for invalidValues"),
    ("{metric: nullValues, unit: percent,", "{metric: nullValues, unit: kilos,", "unit 'kilos' is not supported"),
    ("{metric: rowCount, mustBeGreaterThan: 0,", "{metric: nullValues, mustBe: 0,",
     "metric 'nullValues' is not a schema-level metric"),
])
def test_unsupported_rules_are_validation_errors_with_a_fix(tmp_path, old, new, message):
    text = _errors(tmp_path, old, new)
    assert message in text and "fix:" in text


def test_text_rules_are_ignored_and_sql_is_rewritten_to_primary(tmp_path):
    root = shipments_project(tmp_path)
    path = root / "contracts" / "sales" / "shipments.yaml"
    path.write_text(path.read_text().replace(
        "      - {metric: rowCount,", "      - {type: text, description: Delivered by the carrier feed}\n"
        "      - {type: sql, query: 'SELECT COUNT(*) FROM {object} s WHERE s.parcels > 99', mustBeLessThan: 5}\n"
        "      - {metric: rowCount,"))
    table = load_meshes(root, ["dev"])[0].products["sales.shipments"].tables[0]
    assert [r.metric for r in table.quality] == ["sql", "sql", "rowCount", "invalidValues", "nullValues"]
    assert table.quality[1].query == "SELECT COUNT(*) FROM primary AS s WHERE s.parcels > 99"


def test_dqdl_of_a_bundled_contract():
    mesh = load_meshes(REPO, ["dev"])[0]
    orders = mesh.products["sales.orders"]
    assert dqdl_ruleset(orders.table("order_lines")) == "\n".join([
        "Rules = [",
        '    IsComplete "order_id",', '    IsComplete "line_number",', '    IsComplete "product_sku",',
        '    IsComplete "quantity",', '    IsComplete "unit_price_amount",', '    IsComplete "line_total_amount",',
        '    IsComplete "order_date",', '    IsPrimaryKey "order_id" "line_number",',
        '    CustomSql "SELECT COUNT(*) FROM primary WHERE quantity <= 0" = 0,', "    RowCount > 0", "]"])
    for product in mesh.products.values():
        for table in product.tables:
            text = dqdl_ruleset(table)
            assert text.startswith("Rules = [\n    ") and text.endswith("\n]") and text == dqdl_ruleset(table)


def test_a_table_without_rules_still_gets_a_real_ruleset(tmp_path):
    root = shipments_project(tmp_path)
    path = root / "contracts" / "sales" / "shipments.yaml"
    text = SHIPMENTS.replace(", required: true", "").replace(", primaryKey: true", "")
    text = text[:text.index("      - name: carrier")] + text[text.index("      - {name: weight_kg"):]
    text = text.replace("        quality:\n          - {metric: nullValues, unit: percent, mustBeLessThan: 50, "
                        "severity: warning}\n", "")
    path.write_text(text[:text.index("    quality:\n      - type: sql")])
    table = load_meshes(root, ["dev"])[0].products["sales.shipments"].tables[0]
    assert dqdl_ruleset(table) == "Rules = [\n    ColumnCount = 7\n]"


def test_manifest_is_deterministic_and_complete(tmp_path):
    root = shipments_project(tmp_path)
    mesh = load_meshes(root, ["dev"])[0]
    product = mesh.products["sales.shipments"]
    text = manifest_json(mesh, product, {"format": "csv", "csv": {"delimiter": ";"}})
    assert text == manifest_json(load_meshes(root, ["dev"])[0], product, {"format": "csv", "csv": {"delimiter": ";"}})
    data = json.loads(text)
    assert data == pipeline_manifest(mesh, product, {"format": "csv", "csv": {"delimiter": ";"}})
    assert data["product"] == {"domain": "sales", "name": "shipments", "fqn": "sales.shipments", "version": "1.2.0"}
    assert data["input"] == {"format": "csv", "csv": {"header": True, "delimiter": ";", "quote": '"', "escape": '"',
                                                      "encoding": "UTF-8"}}
    table = data["tables"][0]
    assert table["partition_keys"] == ["ship_date"] and table["primary_key"] == ["shipment_id"]
    assert table["columns"][3] == {"name": "weight_kg", "type": "decimal(10,3)", "required": True,
                                   "primary_key": False, "partition": False}
    assert table["dqdl"] == dqdl_ruleset(product.tables[0])
    assert [c["blocking"] for c in table["checks"]][-1] is False      # severity: warning


@mock_aws
def test_stage_b_registers_exactly_the_published_partitions():
    sys.path.insert(0, str(REPO / "glue_scripts"))
    from meshform_glue.catalog import sync_partitions

    glue = boto3.client("glue", region_name="eu-west-1")
    glue.create_database(CatalogId="111111111111", DatabaseInput={"Name": "sales"})
    sd = {"Columns": [{"Name": "order_id", "Type": "string"}], "Location": "s3://a/orders/orders/",
          "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
          "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}
    glue.create_table(CatalogId="111111111111", DatabaseName="sales", TableInput={
        "Name": "orders", "StorageDescriptor": sd, "PartitionKeys": [{"Name": "order_date", "Type": "date"}]})
    first = {("2024-03-15",): "s3://a/orders/orders/order_date=2024-03-15",
             ("2024-03-16",): "s3://a/orders/orders/order_date=2024-03-16"}
    assert sync_partitions(glue, "111111111111", "sales", "orders", first) == {"created": 2, "deleted": 0}
    assert sync_partitions(glue, "111111111111", "sales", "orders", first) == {"created": 0, "deleted": 0}
    second = {("2024-03-16",): first[("2024-03-16",)]}
    assert sync_partitions(glue, "111111111111", "sales", "orders", second) == {"created": 0, "deleted": 1}
    parts = glue.get_partitions(CatalogId="111111111111", DatabaseName="sales", TableName="orders")["Partitions"]
    assert [(p["Values"], p["StorageDescriptor"]["Location"]) for p in parts] == [
        (["2024-03-16"], "s3://a/orders/orders/order_date=2024-03-16/")]
    assert parts[0]["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
