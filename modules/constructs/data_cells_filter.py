"""A Lake Formation data cells filter in the governance catalog: the table without the columns a clearance level
may not read (all rows). Filters are granted on the target table, never on a resource link."""
from __future__ import annotations

from cdktf_cdktf_provider_aws.lakeformation_data_cells_filter import (
    LakeformationDataCellsFilter, LakeformationDataCellsFilterTableData,
    LakeformationDataCellsFilterTableDataColumnWildcard, LakeformationDataCellsFilterTableDataRowFilter,
    LakeformationDataCellsFilterTableDataRowFilterAllRowsWildcard)
from constructs import Construct


class DataCellsFilter(Construct):
    def __init__(self, scope: Construct, id_: str, *, catalog_id: str, database: str, table: str, name: str,
                 excluded_columns: tuple[str, ...], after: list):
        super().__init__(scope, id_)
        # Nested blocks of this (framework) resource must be lists.
        self.filter = LakeformationDataCellsFilter(self, "filter", table_data=[LakeformationDataCellsFilterTableData(
            table_catalog_id=catalog_id, database_name=database, table_name=table, name=name,
            column_wildcard=[LakeformationDataCellsFilterTableDataColumnWildcard(
                excluded_column_names=sorted(excluded_columns))],
            row_filter=[LakeformationDataCellsFilterTableDataRowFilter(
                all_rows_wildcard=[LakeformationDataCellsFilterTableDataRowFilterAllRowsWildcard()])],
        )], depends_on=after)
        self.name = name
