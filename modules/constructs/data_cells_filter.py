"""A Lake Formation data cells filter in the governance catalog: the table without the columns a clearance level
may not read (all rows). Filters are granted on the target table, never on a resource link."""
from __future__ import annotations

from cdktf_cdktf_provider_aws.lakeformation_data_cells_filter import (
    LakeformationDataCellsFilter,
    LakeformationDataCellsFilterTableData,
    LakeformationDataCellsFilterTableDataColumnWildcard,
    LakeformationDataCellsFilterTableDataRowFilter,
    LakeformationDataCellsFilterTableDataRowFilterAllRowsWildcard,
)
from constructs import Construct

from modules.types import Dependencies


class DataCellsFilter(Construct):
    """Args:
        catalog_id, database, table: the filtered table in the governance catalog.
        name: naming.data_cells_filter_name(table, clearance) — the governance rules judge a filter by its name.
        excluded_columns: the columns above the clearance (column wildcard with exclusions, all rows).
        after: the table.

    Attributes:
        filter: the `aws_lakeformation_data_cells_filter`; name: its name (grants refer to it by name).
    """

    def __init__(self, scope: Construct, id_: str, *, catalog_id: str, database: str, table: str, name: str,
                 excluded_columns: tuple[str, ...], after: Dependencies):
        super().__init__(scope, id_)
        # Nested blocks of this (framework) resource must be lists.
        self.filter = LakeformationDataCellsFilter(self, "filter", table_data=[LakeformationDataCellsFilterTableData(
            table_catalog_id=catalog_id, database_name=database, table_name=table, name=name,
            column_wildcard=[LakeformationDataCellsFilterTableDataColumnWildcard(
                excluded_column_names=sorted(excluded_columns))],
            row_filter=[LakeformationDataCellsFilterTableDataRowFilter(
                all_rows_wildcard=[LakeformationDataCellsFilterTableDataRowFilterAllRowsWildcard()])],
        )], depends_on=list(after))
        self.name = name
