"""Response handlers grafted onto moto's LakeFormationResponse: they parse the request, find the caller and hand
over to the backend (meshform/local/moto_lf/models.py, filters.py) and serialize its answer. moto dispatches on
the action name."""
from __future__ import annotations

import json
from typing import Any


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

    # ---- data cells filters (state and rules: meshform/local/moto_lf/filters.py)
    def create_data_cells_filter(self: Any) -> str:
        self.lakeformation_backend.strict_create_data_cells_filter(caller_arn(self), self._get_param("TableData") or {})
        return "{}"

    def update_data_cells_filter(self: Any) -> str:
        self.lakeformation_backend.strict_update_data_cells_filter(caller_arn(self), self._get_param("TableData") or {})
        return "{}"

    def get_data_cells_filter(self: Any) -> str:
        found = self.lakeformation_backend.strict_get_data_cells_filter(_filter_params(self))
        return json.dumps({"DataCellsFilter": found.to_dict()})

    def delete_data_cells_filter(self: Any) -> str:
        self.lakeformation_backend.strict_delete_data_cells_filter(_filter_params(self))
        return "{}"

    def list_data_cells_filter(self: Any) -> str:
        found = self.lakeformation_backend.strict_list_data_cells_filters(self._get_param("Table") or {})
        return json.dumps({"DataCellsFilters": [f.to_dict() for f in found]})


def _filter_params(response: Any) -> dict:
    return {k: response._get_param(k) for k in ("TableCatalogId", "DatabaseName", "TableName", "Name")
            if response._get_param(k) is not None}
