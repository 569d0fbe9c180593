"""One Glue table per contract schema object (Parquet, Hive-style partitions) in the domain's central database,
with an LF-tag on every column whose classification differs from the one it inherits from the database (the
ontology's most sensitive level)."""
from __future__ import annotations

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.glue_catalog_table import GlueCatalogTable
from cdktf_cdktf_provider_aws.lakeformation_resource_lf_tags import LakeformationResourceLfTags
from constructs import Construct

from meshform.lf_grants import CLASSIFICATION_KEY, column_tags
from meshform.spec.contract import Column, Product, Table
from modules.types import Dependencies

PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"


class ContractTable(Construct):
    """Args:
        product: the contract's product (table parameters `mesh:data_product`, `mesh:contract_version`).
        table: one schema object of the contract.
        database: the domain's central database; catalog_id: the governance account.
        location: `s3://<analytics>/<product>/<table>/` (naming.table_location).
        inherited: the classification the database carries (columns at it get no tag of their own).
        after: the database and the LF-tags.

    Attributes:
        table: the `aws_glue_catalog_table` (destroy-protected); column_tags: one
            `aws_lakeformation_resource_lf_tags` per column below `inherited`.
    """

    def __init__(self, scope: Construct, id_: str, *, product: Product, table: Table, database: str,
                 catalog_id: str, location: str, inherited: str, after: Dependencies):
        super().__init__(scope, id_)
        comment = table.description or f"{product.title}: {table.name}"
        self.table = GlueCatalogTable(
            self, "table",
            catalog_id=catalog_id, database_name=database, name=table.name, description=comment[:2048],
            table_type="EXTERNAL_TABLE",
            parameters={
                "EXTERNAL": "TRUE", "classification": "parquet", "parquet.compression": "SNAPPY",
                "mesh:data_product": product.fqn, "mesh:contract_version": product.version,
                "mesh:classification": table.classification,
            },
            # No per-key `parameters`: hashicorp/aws 5.x does not know that argument (6.x does).
            partition_keys=[_column(c, with_parameters=False) for c in table.partition_keys] or None,
            storage_descriptor={
                "location": location,
                "input_format": PARQUET_INPUT,
                "output_format": PARQUET_OUTPUT,
                "ser_de_info": {"serialization_library": PARQUET_SERDE,
                                "parameters": {"serialization.format": "1"}},
                "columns": [_column(c) for c in table.columns],
            },
            depends_on=list(after),
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True),
        )
        # Classification fails closed (docs/aws-rules.md; tested in tests/test_local_deploy.py): the database carries
        # the ontology's most sensitive level, which every column without an explicit tag inherits
        # (https://docs.aws.amazon.com/lake-formation/latest/dg/TBAC-overview.html: columns inherit from the table,
        # tables from the database, an explicit assignment overrides). Each column below that level gets its own
        # tag resource, one per column: the provider replaces an aws_lakeformation_resource_lf_tags on any change
        # (destroy, then create), so a resource holding a list of columns would untag all of them to change one.
        # Per column, adding a column only creates, and reclassifying one replaces only that column's tag; during
        # the replacement the column reads as most sensitive, never as readable by lower clearances.
        pairs = [(c.name, c.classification) for c in table.all_columns]
        self.column_tags = [
            LakeformationResourceLfTags(
                self, f"lf_tag_{name}", catalog_id=catalog_id,
                table_with_columns={"catalog_id": catalog_id, "database_name": database, "name": table.name,
                                    "column_names": [name]},
                lf_tag=[{"key": CLASSIFICATION_KEY, "value": classification}],
                depends_on=[self.table, *after])
            for name, classification in column_tags(pairs, inherited)
        ]


def _column(column: Column, with_parameters: bool = True) -> dict[str, object]:
    out: dict[str, object] = {"name": column.name, "type": column.type, "comment": (column.comment or "")[:255] or None}
    if with_parameters:
        out["parameters"] = {"mesh:classification": column.classification}
    return out
