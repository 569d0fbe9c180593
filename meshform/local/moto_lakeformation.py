"""Faithful additions to moto 5.2.5's Lake Formation emulation, installed by meshform's moto launcher.

moto stores Lake Formation grants but cannot read back several kinds the Terraform provider creates, and it has
no data cells filters. Each addition keeps real state and answers as the AWS API documents; nothing succeeds
without state. Written the way they would be contributed upstream:

- ListPermissions accepts every resource kind the API has (Table, TableWithColumns, DataCellsFilter, LFTag,
  LFTagPolicy, ...). A Table query also returns column-level (TableWithColumns) grants on that table, as AWS
  does (the provider reads `table_with_columns` grants that way).
- CreateDataCellsFilter / GetDataCellsFilter / UpdateDataCellsFilter / DeleteDataCellsFilter /
  ListDataCellsFilter, validated against the Glue table (database, table and column names must exist).
- RevokePermissions of something not granted fails with InvalidInputException "No permissions revoked", which
  the provider relies on to finish a destroy.
"""
from __future__ import annotations

import json
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.lakeformation import urls as lf_urls
from moto.lakeformation.models import Permission
from moto.lakeformation.responses import LakeFormationResponse

NEW_ACTIONS = ("CreateDataCellsFilter", "GetDataCellsFilter", "UpdateDataCellsFilter", "DeleteDataCellsFilter",
               "ListDataCellsFilter")


class InvalidInput(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("InvalidInputException", message)


class EntityNotFound(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("EntityNotFoundException", message)


class AlreadyExists(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("AlreadyExistsException", message)


def _catalog(resource_part: dict, default: str, key: str = "CatalogId") -> str:
    return resource_part.get(key) or default


def _expression(expr: list[dict]) -> list[tuple[str, tuple[str, ...]]]:
    return sorted((e["TagKey"], tuple(sorted(e["TagValues"]))) for e in expr)


def resource_matches(stored: dict, query: dict, default_catalog: str) -> bool:
    """Does a stored grant's resource match a ListPermissions `Resource` filter?"""
    if "Catalog" in query:
        return "Catalog" in stored
    if "Database" in query:
        q, s = query["Database"], stored.get("Database")
        return s is not None and s.get("Name") == q.get("Name") and \
            _catalog(s, default_catalog) == _catalog(q, default_catalog)
    if "Table" in query or "TableWithColumns" in query:
        q = query.get("Table") or query.get("TableWithColumns")
        for kind in ("Table", "TableWithColumns"):
            s = stored.get(kind)
            if s is None or s.get("DatabaseName") != q.get("DatabaseName"):
                continue
            if _catalog(s, default_catalog) != _catalog(q, default_catalog):
                continue
            if "TableWildcard" in q:
                return kind == "Table" and "TableWildcard" in s
            if q.get("Name") is not None and s.get("Name") == q["Name"]:
                return kind == "TableWithColumns" or "Table" in query
        return False
    if "DataLocation" in query:
        q, s = query["DataLocation"], stored.get("DataLocation")
        return s is not None and s.get("ResourceArn") == q.get("ResourceArn") and \
            _catalog(s, default_catalog) == _catalog(q, default_catalog)
    if "DataCellsFilter" in query:
        q, s = query["DataCellsFilter"], stored.get("DataCellsFilter")
        return s is not None and all(s.get(k) == q.get(k) for k in ("DatabaseName", "TableName", "Name")) and \
            _catalog(s, default_catalog, "TableCatalogId") == _catalog(q, default_catalog, "TableCatalogId")
    if "LFTag" in query:
        q, s = query["LFTag"], stored.get("LFTag")
        return s is not None and s.get("TagKey") == q.get("TagKey") and \
            sorted(s.get("TagValues", [])) == sorted(q.get("TagValues", [])) and \
            _catalog(s, default_catalog) == _catalog(q, default_catalog)
    if "LFTagPolicy" in query:
        q, s = query["LFTagPolicy"], stored.get("LFTagPolicy")
        return s is not None and s.get("ResourceType") == q.get("ResourceType") and \
            _expression(s.get("Expression", [])) == _expression(q.get("Expression", [])) and \
            _catalog(s, default_catalog) == _catalog(q, default_catalog)
    raise InvalidInput("Resource must have one of: Catalog, Database, Table, TableWithColumns, DataLocation, "
                       "DataCellsFilter, LFTag, LFTagPolicy.")


_RESOURCE_TYPE_KEYS = {"CATALOG": ("Catalog",), "DATABASE": ("Database",), "TABLE": ("Table", "TableWithColumns"),
                       "DATA_LOCATION": ("DataLocation",), "LF_TAG": ("LFTag",),
                       "LF_TAG_POLICY": ("LFTagPolicy",), "LF_TAG_POLICY_DATABASE": ("LFTagPolicy",),
                       "LF_TAG_POLICY_TABLE": ("LFTagPolicy",)}


def _filters(backend) -> dict[tuple[str, str, str, str], dict]:
    if not hasattr(backend, "mesh_data_cells_filters"):
        backend.mesh_data_cells_filters = {}
    return backend.mesh_data_cells_filters


class _Additions:
    """Methods grafted onto moto's LakeFormationResponse (moto dispatches on the action name)."""

    def list_permissions(self: Any) -> str:
        catalog_id = self._get_param("CatalogId") or self.current_account
        principal = self._get_param("Principal")
        resource = self._get_param("Resource")
        resource_type = self._get_param("ResourceType")
        if principal is not None and resource is None:
            raise InvalidInput("Resource is mandatory if Principal is set in the input.")
        grants = self.lakeformation_backend.grants.get(catalog_id)
        found = []
        for permission in (grants.permissions if grants else []):
            if principal is not None and permission.principal != principal:
                continue
            if resource_type and not any(k in permission.resource for k in _RESOURCE_TYPE_KEYS.get(resource_type, ())):
                continue
            if resource is not None and not resource_matches(permission.resource, resource, catalog_id):
                continue
            found.append(permission.to_external_form())
        found.sort(key=lambda p: json.dumps(p, sort_keys=True))
        return json.dumps({"PrincipalResourcePermissions": found})

    def revoke_permissions(self: Any) -> str:
        catalog_id = self._get_param("CatalogId") or self.current_account
        principal = self._get_param("Principal")
        resource = self._get_param("Resource")
        permissions = self._get_param("Permissions") or []
        grantable = self._get_param("PermissionsWithGrantOption") or []
        grants = self.lakeformation_backend.grants.get(catalog_id)
        held = next((p for p in (grants.permissions if grants else [])
                     if p.principal == principal and p.resource == resource), None)
        if held is None or not (set(permissions) & set(held.permissions) or
                                set(grantable) & set(held.permissions_with_grant_options)):
            raise InvalidInput(f"No permissions revoked. Grantee has no {','.join(permissions)} permission on "
                               "the resource.")
        grants.remove_permission(Permission(principal, resource, permissions, grantable))
        return "{}"

    def create_data_cells_filter(self: Any) -> str:
        data = self._get_param("TableData")
        key = _filter_key(data, self.current_account)
        filters = _filters(self.lakeformation_backend)
        if key in filters:
            raise AlreadyExists(f"A data cells filter named {data['Name']} already exists on the table.")
        _validate_against_table(self, data)
        filters[key] = {**data, "TableCatalogId": key[0], "VersionId": "1"}
        return "{}"

    def update_data_cells_filter(self: Any) -> str:
        data = self._get_param("TableData")
        key = _filter_key(data, self.current_account)
        filters = _filters(self.lakeformation_backend)
        if key not in filters:
            raise EntityNotFound(f"Data cells filter {data.get('Name')} not found.")
        _validate_against_table(self, data)
        version = str(int(filters[key].get("VersionId", "1")) + 1)
        filters[key] = {**data, "TableCatalogId": key[0], "VersionId": version}
        return "{}"

    def get_data_cells_filter(self: Any) -> str:
        key = _filter_key(_request_params(self), self.current_account)
        found = _filters(self.lakeformation_backend).get(key)
        if found is None:
            raise EntityNotFound(f"Data cells filter {key[3]} not found.")
        return json.dumps({"DataCellsFilter": found})

    def delete_data_cells_filter(self: Any) -> str:
        key = _filter_key(_request_params(self), self.current_account)
        if _filters(self.lakeformation_backend).pop(key, None) is None:
            raise EntityNotFound(f"Data cells filter {key[3]} not found.")
        return "{}"

    def list_data_cells_filter(self: Any) -> str:
        table = self._get_param("Table") or {}
        out = []
        for (catalog, database, name, _), value in sorted(_filters(self.lakeformation_backend).items()):
            if table and (table.get("DatabaseName") != database or table.get("Name") != name or
                          (table.get("CatalogId") or self.current_account) != catalog):
                continue
            out.append(value)
        return json.dumps({"DataCellsFilters": out})


def _request_params(response: Any) -> dict:
    return {k: response._get_param(k) for k in ("TableCatalogId", "DatabaseName", "TableName", "Name")
            if response._get_param(k) is not None}


def _filter_key(data: dict, account: str) -> tuple[str, str, str, str]:
    try:
        return (data.get("TableCatalogId") or account, data["DatabaseName"], data["TableName"], data["Name"])
    except KeyError as missing:
        raise InvalidInput(f"Missing required parameter {missing.args[0]}.") from None


def _validate_against_table(response: Any, data: dict) -> None:
    from moto.glue.models import glue_backends

    catalog = data.get("TableCatalogId") or response.current_account
    glue = glue_backends[catalog][response.region]
    try:
        table = glue.get_table(data["DatabaseName"], data["TableName"])
    except Exception:  # moto raises its own EntityNotFound variants
        raise EntityNotFound(f"Table {data['DatabaseName']}.{data['TableName']} not found.") from None
    version = table.get_version(str(table._current_version)) if hasattr(table, "get_version") else {}
    descriptor = version.get("StorageDescriptor", {}) if isinstance(version, dict) else {}
    columns = {c["Name"] for c in descriptor.get("Columns", [])}
    columns |= {c["Name"] for c in (version.get("PartitionKeys", []) if isinstance(version, dict) else [])}
    named = list(data.get("ColumnNames") or []) + list((data.get("ColumnWildcard") or {}).get("ExcludedColumnNames")
                                                       or [])
    unknown = sorted(c for c in named if columns and c not in columns)
    if unknown:
        raise InvalidInput(f"Columns {unknown} do not exist in table {data['DatabaseName']}.{data['TableName']}.")
    if not data.get("RowFilter"):
        raise InvalidInput("RowFilter is required (FilterExpression or AllRowsWildcard).")


def install() -> None:
    """Graft the additions onto moto (idempotent); call before the server handles its first request."""
    for name, member in vars(_Additions).items():
        if callable(member) and not name.startswith("__"):
            setattr(LakeFormationResponse, name, member)
    for action in NEW_ACTIONS:
        lf_urls.url_paths[f"{{0}}/{action}$"] = lf_urls.response.dispatch
