"""Reading an aws_lakeformation_permissions grant for the mesh policies (not a policy itself)."""
from __future__ import annotations

from mesh_facts import attr, block, is_true, values

# The grant's target: exactly one of these is set (catalog_resource is a bool).
TARGETS = ("database", "table", "table_with_columns", "data_cells_filter", "data_location", "lf_tag",
           "lf_tag_policy")


def target(conf: dict) -> tuple[str, dict]:
    """(kind, block) of the grant's target; ("catalog_resource", {}) or ("", {}) otherwise."""
    for kind in TARGETS:
        found = block(conf, kind)
        if found:
            return kind, found
    if is_true(conf.get("catalog_resource")):
        return "catalog_resource", {}
    return "", {}


def catalog_of(conf: dict) -> str | None:
    """The catalog the grant is made in: the grant's catalog_id or its target's (catalog_id / table_catalog_id)."""
    _, found = target(conf)
    return attr(conf, "catalog_id") or attr(found, "catalog_id") or attr(found, "table_catalog_id")


def granted(conf: dict) -> set[str]:
    """Every permission of the grant, with or without grant option (upper case)."""
    return {str(p).upper() for p in values(conf.get("permissions")) + values(conf.get("permissions_with_grant_option"))}


def is_database_level(kind: str, found: dict) -> bool:
    tag_policy_on_databases = str(attr(found, "resource_type", "")).upper() == "DATABASE"
    return kind == "database" or (kind == "lf_tag_policy" and tag_policy_on_databases)
