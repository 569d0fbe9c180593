"""Lake Formation data cells filters (moto 5.2.5 has none): the DataCellsFilter model and the backend methods that
create, update, read, list and delete them, grafted onto moto's LakeFormationBackend by install(). The response
handlers only parse the request and serialize what these return.
https://docs.aws.amazon.com/lake-formation/latest/dg/data-filters-about.html"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from meshform.local.moto_lf import catalog as cat
from meshform.local.moto_lf.errors import AccessDenied, AlreadyExists, EntityNotFound, InvalidInput

FilterKey = tuple[str, str, str, str]      # (table catalog id, database, table, filter name)


@dataclass
class DataCellsFilter:
    """One filter, as API_DataCellsFilter describes it
    (https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_DataCellsFilter.html)."""

    table_catalog_id: str
    database_name: str
    table_name: str
    name: str
    column_names: list[str] | None = None
    column_wildcard: dict | None = None
    row_filter: dict | None = None
    version_id: str = "1"

    @property
    def key(self) -> FilterKey:
        return self.table_catalog_id, self.database_name, self.table_name, self.name

    @staticmethod
    def key_of(data: dict, default_catalog: str) -> FilterKey:
        """TableCatalogId defaults to the caller's account; the other three are required."""
        try:
            return (data.get("TableCatalogId") or default_catalog, data["DatabaseName"], data["TableName"],
                    data["Name"])
        except KeyError as missing:
            raise InvalidInput(f"Missing required parameter {missing.args[0]}.") from None

    @classmethod
    def from_table_data(cls, data: dict, default_catalog: str, version_id: str = "1") -> DataCellsFilter:
        catalog, database, table, name = cls.key_of(data, default_catalog)
        return cls(catalog, database, table, name, column_names=data.get("ColumnNames"),
                   column_wildcard=data.get("ColumnWildcard"), row_filter=data.get("RowFilter"),
                   version_id=version_id)

    def validate(self, columns: list[str]) -> None:
        """Exactly one of ColumnNames / ColumnWildcard, naming columns of the table (`columns`); RowFilter is
        optional, but when given it is exactly one of a non-empty FilterExpression and AllRowsWildcard
        (https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_RowFilter.html)."""
        if (self.column_names is None) == (self.column_wildcard is None):
            raise InvalidInput("Specify exactly one of ColumnNames and ColumnWildcard.")
        if self.column_names is not None and not self.column_names:
            raise InvalidInput("ColumnNames must not be empty.")
        named = list(self.column_names or []) + list((self.column_wildcard or {}).get("ExcludedColumnNames") or [])
        unknown = sorted(set(named) - set(columns))
        if unknown:
            raise InvalidInput(f"Columns {unknown} do not exist in table {self.database_name}.{self.table_name}.")
        if self.row_filter is not None:
            expression, wildcard = self.row_filter.get("FilterExpression"), self.row_filter.get("AllRowsWildcard")
            if (expression is None) == (wildcard is None):
                raise InvalidInput("RowFilter must specify exactly one of FilterExpression and AllRowsWildcard.")
            if expression is not None and not expression.strip():
                raise InvalidInput("RowFilter FilterExpression must not be empty.")

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"TableCatalogId": self.table_catalog_id, "DatabaseName": self.database_name,
                               "TableName": self.table_name, "Name": self.name}
        for member, value in (("ColumnNames", self.column_names), ("ColumnWildcard", self.column_wildcard),
                              ("RowFilter", self.row_filter)):
            if value is not None:
                out[member] = value
        out["VersionId"] = self.version_id
        return out


if TYPE_CHECKING:      # grafted onto moto's backend (install()): its attributes are the base's
    from meshform.local.moto_lf.models import StrictLakeFormation as _Backend
else:
    _Backend = object


class DataCellsFilters(_Backend):
    """Methods installed onto moto's LakeFormationBackend (see install()); state in `data_cells_filters`."""

    @property
    def filter_store(self) -> dict[FilterKey, DataCellsFilter]:
        return cat.filters_of(self)

    def strict_create_data_cells_filter(self, caller_arn: str, data: dict) -> None:
        """CreateDataCellsFilter: AlreadyExistsException for a name the table already has
        (https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_CreateDataCellsFilter.html)."""
        found = DataCellsFilter.from_table_data(data, self.account_id)
        if found.key in self.filter_store:
            raise AlreadyExists(f"A data cells filter named {found.name} already exists on the table.")
        self._check_filter(caller_arn, found)
        self.filter_store[found.key] = found

    def strict_update_data_cells_filter(self, caller_arn: str, data: dict) -> None:
        """UpdateDataCellsFilter replaces the definition and bumps VersionId
        (https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_UpdateDataCellsFilter.html)."""
        key = DataCellsFilter.key_of(data, self.account_id)
        current = self.filter_store.get(key)
        if current is None:
            raise EntityNotFound(f"Data cells filter {key[3]} not found.")
        updated = DataCellsFilter.from_table_data(data, self.account_id, str(int(current.version_id) + 1))
        self._check_filter(caller_arn, updated)
        self.filter_store[key] = updated

    def strict_get_data_cells_filter(self, params: dict) -> DataCellsFilter:
        key = DataCellsFilter.key_of(params, self.account_id)
        found = self.filter_store.get(key)
        if found is None:
            raise EntityNotFound(f"Data cells filter {key[3]} not found.")
        return found

    def strict_delete_data_cells_filter(self, params: dict) -> None:
        key = DataCellsFilter.key_of(params, self.account_id)
        if self.filter_store.pop(key, None) is None:
            raise EntityNotFound(f"Data cells filter {key[3]} not found.")

    def strict_list_data_cells_filters(self, table: dict | None) -> list[DataCellsFilter]:
        """ListDataCellsFilter, optionally of one table (its CatalogId defaults to the caller's account)."""
        out = []
        for (catalog, database, name, _), found in sorted(self.filter_store.items()):
            if table and (table.get("DatabaseName"), table.get("Name"), table.get("CatalogId") or
                          self.account_id) != (database, name, catalog):
                continue
            out.append(found)
        return out

    def _check_filter(self, caller_arn: str, found: DataCellsFilter) -> None:
        """Who may create one: a data lake administrator, or a principal holding SELECT with the grant option on
        the table (https://docs.aws.amazon.com/lake-formation/latest/dg/data-filtering.html); on a table shared
        from another account, a data lake administrator of an account that received SELECT on it, once the RAM
        share is visible (https://docs.aws.amazon.com/lake-formation/latest/dg/granting-data-perms-for-filters.html).
        Then the table must exist and the definition fit its columns (DataCellsFilter.validate)."""
        from meshform.local import moto_ram

        catalog, database, table, _ = found.key
        target = {"TableWithColumns": {"CatalogId": catalog, "DatabaseName": database, "Name": table,
                                       "ColumnWildcard": {}}}
        if catalog != self.account_id:
            if not moto_ram.lf_share_visible(catalog, self.account_id, self.region_name):
                raise AccessDenied(f"Insufficient Lake Formation permission(s): nothing from catalog {catalog} is "
                                   f"shared with {self.account_id} yet (no accepted AWS RAM resource share).")
            owner = cat.lf_backend(catalog, self.region_name)
            if not self.is_admin(caller_arn) or "SELECT" not in owner.held_on(catalog, [self.account_id], target):
                raise AccessDenied(f"Insufficient Lake Formation permission(s) on table {database}.{table} of "
                                   f"{catalog}.")
        elif not self.is_admin(caller_arn) and not {"SELECT", "ALL"} & self.grantable_on(catalog, [caller_arn],
                                                                                        target):
            raise AccessDenied(f"Insufficient Lake Formation permission(s): {caller_arn} may not create data cells "
                               f"filters on {database}.{table}.")
        found.validate(cat.table_columns(catalog, self.region_name, database, table))
