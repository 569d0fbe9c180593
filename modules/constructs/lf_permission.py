"""One Lake Formation grant (aws_lakeformation_permissions). Exactly one resource kind per grant.

Grantable (`with_grant_option`) grants are only ever given to mesh *accounts* by the governance account, so that
the receiving account's LF admin can re-grant inside its own account (cross-account sharing is not transitive).
"""
from __future__ import annotations

from cdktf_cdktf_provider_aws.lakeformation_permissions import (
    LakeformationPermissions,
    LakeformationPermissionsDatabase,
    LakeformationPermissionsDataCellsFilter,
    LakeformationPermissionsDataLocation,
    LakeformationPermissionsLfTag,
    LakeformationPermissionsLfTagPolicy,
    LakeformationPermissionsLfTagPolicyExpression,
    LakeformationPermissionsTable,
    LakeformationPermissionsTableWithColumns,
)
from constructs import Construct

from meshform import lf_grants as lg
from modules.types import Dependencies


def grant(scope: Construct, id_: str, *, principal: str, permissions: list[str], with_grant_option: bool = False,
          database: str | None = None, table: str | None = None, all_tables: bool = False,
          columns: list[str] | None = None, catalog_id: str | None = None, data_location: str | None = None,
          cells_filter: str | None = None, lf_tag: tuple[str, list[str]] | None = None,
          lf_tag_policy: tuple[str, list[tuple[str, list[str]]]] | None = None,
          depends_on: Dependencies | None = None) -> LakeformationPermissions:
    """Grant `permissions` (sorted; all of them grantable when `with_grant_option`) to `principal` on exactly one
    resource: a data cells filter (`cells_filter` + `database` + `table`), a column include list (`columns`), a
    table (`table`, or `all_tables` for the wildcard), a database, a data location, an LF-tag or an LF-tag policy.
    `catalog_id` is the catalog that owns the resource (the governance account for re-grants of shared resources);
    omitted for the account's own catalog."""
    kwargs: dict = {}
    if cells_filter is not None:
        kwargs["data_cells_filter"] = LakeformationPermissionsDataCellsFilter(
            database_name=database, table_name=table, name=cells_filter, table_catalog_id=catalog_id)
    elif columns is not None:
        kwargs["table_with_columns"] = LakeformationPermissionsTableWithColumns(
            database_name=database, name=table, column_names=list(columns), catalog_id=catalog_id)
    elif table is not None or all_tables:
        kwargs["table"] = LakeformationPermissionsTable(
            database_name=database, name=table, wildcard=True if all_tables else None, catalog_id=catalog_id)
    elif database is not None:
        kwargs["database"] = LakeformationPermissionsDatabase(name=database, catalog_id=catalog_id)
    elif data_location is not None:
        kwargs["data_location"] = LakeformationPermissionsDataLocation(arn=data_location, catalog_id=catalog_id)
    elif lf_tag is not None:
        kwargs["lf_tag"] = LakeformationPermissionsLfTag(key=lf_tag[0], values=sorted(lf_tag[1]))
    elif lf_tag_policy is not None:
        resource_type, expression = lf_tag_policy
        kwargs["lf_tag_policy"] = LakeformationPermissionsLfTagPolicy(
            resource_type=resource_type,
            expression=[LakeformationPermissionsLfTagPolicyExpression(key=k, values=sorted(v)) for k, v in expression])
    else:
        raise ValueError(f"{id_}: a grant needs exactly one resource")
    ordered = sorted(permissions)
    return LakeformationPermissions(
        scope, id_, principal=principal, permissions=ordered,
        permissions_with_grant_option=ordered if with_grant_option else None,
        depends_on=list(depends_on) if depends_on is not None else None, **kwargs)


def emit(scope: Construct, id_: str, planned: lg.LfGrant,
         depends_on: Dependencies | None = None) -> LakeformationPermissions:
    """The `aws_lakeformation_permissions` for one grant of meshform/lf_grants.py (the plain-data description of
    every grant the stacks make, which `meshform audit` compares live accounts against)."""
    r = planned.resource
    where: dict = {}
    if r.kind == lg.FILTER:
        where = {"cells_filter": r.filter_name, "database": r.database, "table": r.table}
    elif r.kind == lg.COLUMNS:
        where = {"columns": list(r.columns), "database": r.database, "table": r.table}
    elif r.kind == lg.TABLE:
        where = {"database": r.database, "table": r.table}
    elif r.kind == lg.ALL_TABLES:
        where = {"database": r.database, "all_tables": True}
    elif r.kind == lg.DATABASE:
        where = {"database": r.database}
    elif r.kind == lg.LOCATION:
        where = {"data_location": r.arn}
    elif r.kind == lg.LF_TAG:
        where = {"lf_tag": (r.tag_key, list(r.tag_values))}
    elif r.kind == lg.LF_TAG_POLICY:
        where = {"lf_tag_policy": (r.resource_type, [(k, list(v)) for k, v in r.expression])}
    return grant(scope, id_, principal=planned.principal, permissions=list(planned.permissions),
                 with_grant_option=planned.grantable, catalog_id=r.catalog_id, depends_on=depends_on, **where)
