"""Response handlers grafted onto moto's LakeFormationResponse: they parse the request, find the caller and hand
over to the backend (meshform/local/moto_lf/models.py). moto dispatches on the action name."""
from __future__ import annotations

import json
from typing import Any

from meshform.local.moto_lf import catalog as cat
from meshform.local.moto_lf.errors import AccessDenied, AlreadyExists, EntityNotFound, InvalidInput


def caller_arn(response: Any) -> str:
    """The IAM identity behind the request: the role of an assumed-role session moto's STS tracks, else the
    account root (which is no data lake administrator unless listed)."""
    from moto.sts.models import sts_backends

    account = response.current_account
    key = response.get_access_key()
    for partition in ("aws",):
        role = sts_backends[account][partition].get_assumed_role_from_access_key(key)
        if role is not None:
            return role.role_arn
    return f"arn:aws:iam::{account}:root"


class Handlers:
    def _grant_arguments(self: Any) -> tuple:
        """(caller, catalog, principal, resource, permissions, grantable): what Grant and Revoke both take."""
        return (caller_arn(self), self._get_param("CatalogId") or self.current_account, self._get_param("Principal"),
                self._get_param("Resource") or {}, self._get_param("Permissions"),
                self._get_param("PermissionsWithGrantOption"))

    def grant_permissions(self: Any) -> str:
        self.lakeformation_backend.strict_grant(*self._grant_arguments())
        return "{}"

    def revoke_permissions(self: Any) -> str:
        self.lakeformation_backend.strict_revoke(*self._grant_arguments())
        return "{}"

    def batch_grant_permissions(self: Any) -> str:
        failures = self.lakeformation_backend.strict_batch(
            caller_arn(self), self._get_param("CatalogId") or self.current_account, self._get_param("Entries"),
            revoke=False)
        return json.dumps({"Failures": failures})

    def batch_revoke_permissions(self: Any) -> str:
        failures = self.lakeformation_backend.strict_batch(
            caller_arn(self), self._get_param("CatalogId") or self.current_account, self._get_param("Entries"),
            revoke=True)
        return json.dumps({"Failures": failures})

    def list_permissions(self: Any) -> str:
        found = self.lakeformation_backend.strict_list(
            caller_arn(self), self._get_param("CatalogId") or self.current_account, self._get_param("Principal"),
            self._get_param("Resource"), self._get_param("ResourceType"))
        return json.dumps({"PrincipalResourcePermissions": found})

    def put_data_lake_settings(self: Any) -> str:
        self.lakeformation_backend.strict_put_settings(self._get_param("CatalogId") or self.current_account,
                                                       self._get_param("DataLakeSettings") or {})
        return "{}"

    def register_resource(self: Any) -> str:
        self.lakeformation_backend.strict_register_resource(
            self._get_param("ResourceArn"), self._get_param("RoleArn"), bool(self._get_param("UseServiceLinkedRole")))
        return "{}"

    # ---- LF-tags
    def create_lf_tag(self: Any) -> str:
        self.lakeformation_backend.strict_create_lf_tag(
            caller_arn(self), self._get_param("CatalogId") or self.current_account, self._get_param("TagKey"),
            self._get_param("TagValues") or [])
        return "{}"

    def update_lf_tag(self: Any) -> str:
        self.lakeformation_backend.strict_update_lf_tag(
            caller_arn(self), self._get_param("CatalogId") or self.current_account, self._get_param("TagKey"),
            self._get_param("TagValuesToDelete"), self._get_param("TagValuesToAdd"))
        return "{}"

    def delete_lf_tag(self: Any) -> str:
        self.lakeformation_backend.strict_delete_lf_tag(
            caller_arn(self), self._get_param("CatalogId") or self.current_account, self._get_param("TagKey"))
        return "{}"

    def get_lf_tag(self: Any) -> str:
        catalog = self._get_param("CatalogId") or self.current_account
        key = self._get_param("TagKey")
        values = self.lakeformation_backend._require_tag_key(catalog, key)
        return json.dumps({"CatalogId": catalog, "TagKey": key, "TagValues": values})

    def add_lf_tags_to_resource(self: Any) -> str:
        failures = self.lakeformation_backend.strict_add_lf_tags(
            caller_arn(self), self._get_param("CatalogId") or self.current_account, self._get_param("Resource") or {},
            self._get_param("LFTags") or [])
        return json.dumps({"Failures": failures})

    def remove_lf_tags_from_resource(self: Any) -> str:
        failures = self.lakeformation_backend.strict_remove_lf_tags(
            self._get_param("CatalogId") or self.current_account, self._get_param("Resource") or {},
            self._get_param("LFTags") or [])
        return json.dumps({"Failures": failures})

    def get_resource_lf_tags(self: Any) -> str:
        return json.dumps(self.lakeformation_backend.strict_get_resource_lf_tags(
            self._get_param("CatalogId") or self.current_account, self._get_param("Resource") or {}))

    # ---- data cells filters (https://docs.aws.amazon.com/lake-formation/latest/dg/data-filters-about.html)
    def create_data_cells_filter(self: Any) -> str:
        data = self._get_param("TableData") or {}
        key = _filter_key(data, self.current_account)
        filters = cat.filters_of(self.lakeformation_backend)
        if key in filters:
            raise AlreadyExists(f"A data cells filter named {key[3]} already exists on the table.")
        _validate_filter(self, data, key)
        filters[key] = {**data, "TableCatalogId": key[0], "VersionId": "1"}
        return "{}"

    def update_data_cells_filter(self: Any) -> str:
        data = self._get_param("TableData") or {}
        key = _filter_key(data, self.current_account)
        filters = cat.filters_of(self.lakeformation_backend)
        if key not in filters:
            raise EntityNotFound(f"Data cells filter {key[3]} not found.")
        _validate_filter(self, data, key)
        filters[key] = {**data, "TableCatalogId": key[0], "VersionId": str(int(filters[key]["VersionId"]) + 1)}
        return "{}"

    def get_data_cells_filter(self: Any) -> str:
        key = _filter_key(_params(self), self.current_account)
        found = cat.filters_of(self.lakeformation_backend).get(key)
        if found is None:
            raise EntityNotFound(f"Data cells filter {key[3]} not found.")
        return json.dumps({"DataCellsFilter": found})

    def delete_data_cells_filter(self: Any) -> str:
        key = _filter_key(_params(self), self.current_account)
        if cat.filters_of(self.lakeformation_backend).pop(key, None) is None:
            raise EntityNotFound(f"Data cells filter {key[3]} not found.")
        return "{}"

    def list_data_cells_filter(self: Any) -> str:
        table = self._get_param("Table") or {}
        out = []
        for (catalog, database, name, _), value in sorted(cat.filters_of(self.lakeformation_backend).items()):
            if table and (table.get("DatabaseName"), table.get("Name"), table.get("CatalogId") or
                          self.current_account) != (database, name, catalog):
                continue
            out.append(value)
        return json.dumps({"DataCellsFilters": out})


def _params(response: Any) -> dict:
    return {k: response._get_param(k) for k in ("TableCatalogId", "DatabaseName", "TableName", "Name")
            if response._get_param(k) is not None}


def _filter_key(data: dict, account: str) -> tuple[str, str, str, str]:
    try:
        return (data.get("TableCatalogId") or account, data["DatabaseName"], data["TableName"], data["Name"])
    except KeyError as missing:
        raise InvalidInput(f"Missing required parameter {missing.args[0]}.") from None


def _validate_filter(response: Any, data: dict, key: tuple[str, str, str, str]) -> None:
    """https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_DataCellsFilter.html: exactly one of
    ColumnNames / ColumnWildcard, naming columns of the table; RowFilter is optional, but when given it is exactly
    one of a non-empty FilterExpression and AllRowsWildcard (API_RowFilter). Who may create one: a data lake
    administrator, or a principal holding SELECT with the grant option on the table
    (https://docs.aws.amazon.com/lake-formation/latest/dg/data-filtering.html); on a table shared from another
    account, a data lake administrator of an account that received SELECT on it, once the RAM share is visible
    (https://docs.aws.amazon.com/lake-formation/latest/dg/granting-data-perms-for-filters.html)."""
    from meshform.local import moto_ram

    backend = response.lakeformation_backend
    caller = caller_arn(response)
    target = {"TableWithColumns": {"CatalogId": key[0], "DatabaseName": key[1], "Name": key[2],
                                   "ColumnWildcard": {}}}
    if key[0] != response.current_account:
        if not moto_ram.lf_share_visible(key[0], backend.account_id, backend.region_name):
            raise AccessDenied(f"Insufficient Lake Formation permission(s): nothing from catalog {key[0]} is shared "
                               f"with {backend.account_id} yet (no accepted AWS RAM resource share).")
        owner = cat.lf_backend(key[0], backend.region_name)
        if not backend.is_admin(caller) or "SELECT" not in owner.held_on(key[0], [backend.account_id], target):
            raise AccessDenied(f"Insufficient Lake Formation permission(s) on table {key[1]}.{key[2]} of {key[0]}.")
    elif not backend.is_admin(caller) and not {"SELECT", "ALL"} & backend.grantable_on(key[0], [caller], target):
        raise AccessDenied(f"Insufficient Lake Formation permission(s): {caller} may not create data cells filters "
                           f"on {key[1]}.{key[2]}.")
    columns = cat.table_columns(key[0], response.region, key[1], key[2])
    if (data.get("ColumnNames") is None) == (data.get("ColumnWildcard") is None):
        raise InvalidInput("Specify exactly one of ColumnNames and ColumnWildcard.")
    if data.get("ColumnNames") is not None and not data["ColumnNames"]:
        raise InvalidInput("ColumnNames must not be empty.")
    named = list(data.get("ColumnNames") or []) + list((data.get("ColumnWildcard") or {}).get(
        "ExcludedColumnNames") or [])
    unknown = sorted(set(named) - set(columns))
    if unknown:
        raise InvalidInput(f"Columns {unknown} do not exist in table {key[1]}.{key[2]}.")
    row = data.get("RowFilter")
    if row is not None:
        expression, wildcard = row.get("FilterExpression"), row.get("AllRowsWildcard")
        if (expression is None) == (wildcard is None):
            raise InvalidInput("RowFilter must specify exactly one of FilterExpression and AllRowsWildcard.")
        if expression is not None and not expression.strip():
            raise InvalidInput("RowFilter FilterExpression must not be empty.")
