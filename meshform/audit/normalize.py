"""One shape for Lake Formation permissions, whether declared (meshform/lf_grants.py) or read back with
ListPermissions, so that they compare as sets: (principal, resource key, permission) -> grantable.

What AWS's ListPermissions answers differs from what was granted
(https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_ListPermissions.html; the AWS provider's
internal/service/lakeformation/filter.go handles the same shapes):
- SELECT on a table comes back as `TableWithColumns` with an empty `ColumnWildcard`, the table's other
  permissions as `Table`: both are the whole table here;
- a table wildcard comes back as `Table` with `TableWildcard` (and Name `ALL_TABLES` for its SELECT part);
- column lists and LF-tag values come back sorted; catalog ids are always filled in.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from meshform import lf_grants as lg

ALL_TABLES = "ALL_TABLES"
Key = tuple                     # a hashable resource key: (kind, catalog, ...)
Atoms = dict[tuple[str, Key, str], bool]      # (principal, resource key, permission) -> grantable


def declared_key(resource: lg.LfResource, account: str) -> Key:
    """The key of a declared resource; `account` is the granting account (its catalog when none is named)."""
    c = resource.catalog_id or account
    if resource.kind == lg.DATABASE:
        return ("database", c, resource.database)
    if resource.kind == lg.TABLE:
        return ("table", c, resource.database, resource.table)
    if resource.kind == lg.ALL_TABLES:
        return ("table", c, resource.database, "*")
    if resource.kind == lg.COLUMNS:
        return ("columns", c, resource.database, resource.table, tuple(sorted(resource.columns)))
    if resource.kind == lg.FILTER:
        return ("filter", c, resource.database, resource.table, resource.filter_name)
    if resource.kind == lg.LOCATION:
        return ("location", c, resource.arn)
    if resource.kind == lg.LF_TAG:
        return ("lf-tag", c, resource.tag_key, tuple(sorted(resource.tag_values)))
    if resource.kind == lg.LF_TAG_POLICY:
        return ("lf-tag-policy", c, resource.resource_type,
                tuple(sorted((k, tuple(sorted(v))) for k, v in resource.expression)))
    raise ValueError(f"unknown resource kind {resource.kind!r}")


def live_key(resource: dict[str, Any], account: str) -> Key:
    """The key of a ListPermissions `Resource` read in `account`."""
    kind, body = next(iter(resource.items())) if resource else ("Catalog", {})
    body = body or {}
    c = body.get("CatalogId") or account
    if kind == "Catalog":
        return ("catalog", c)
    if kind == "Database":
        return ("database", c, body["Name"])
    if kind in ("Table", "TableWithColumns"):
        name = body.get("Name")
        table = "*" if body.get("TableWildcard") is not None or name == ALL_TABLES else name
        if kind == "Table":
            return ("table", c, body["DatabaseName"], table)
        if body.get("ColumnNames") is not None:
            return ("columns", c, body["DatabaseName"], table, tuple(sorted(body["ColumnNames"])))
        excluded = tuple(sorted((body.get("ColumnWildcard") or {}).get("ExcludedColumnNames") or []))
        if not excluded:
            return ("table", c, body["DatabaseName"], table)       # SELECT on the whole table
        return ("columns-except", c, body["DatabaseName"], table, excluded)
    if kind == "DataCellsFilter":
        return ("filter", body.get("TableCatalogId") or account, body["DatabaseName"], body["TableName"],
                body["Name"])
    if kind == "DataLocation":
        return ("location", c, body["ResourceArn"])
    if kind == "LFTag":
        return ("lf-tag", c, body["TagKey"], tuple(sorted(body.get("TagValues") or [])))
    if kind == "LFTagPolicy":
        return ("lf-tag-policy", c, body["ResourceType"],
                tuple(sorted((t["TagKey"], tuple(sorted(t["TagValues"]))) for t in body.get("Expression") or [])))
    return (kind.lower(), c, repr(sorted(body.items())))


def label(key: Key) -> str:
    """The resource in words, for the report."""
    kind, catalog, *rest = key
    if kind == "database":
        return f"database {catalog}:{rest[0]}"
    if kind == "table":
        return f"table {catalog}:{rest[0]}.{rest[1]}" if rest[1] != "*" else \
            f"all tables of {catalog}:{rest[0]}"
    if kind == "columns":
        return f"columns of {catalog}:{rest[0]}.{rest[1]}: {', '.join(rest[2])}"
    if kind == "columns-except":
        return f"{catalog}:{rest[0]}.{rest[1]} except columns {', '.join(rest[2])}"
    if kind == "filter":
        return f"data cells filter {rest[2]} on {catalog}:{rest[0]}.{rest[1]}"
    if kind == "location":
        return f"data location {rest[0]}" + (f" (catalog {catalog})" if catalog else "")
    if kind == "lf-tag":
        return f"LF-tag {rest[0]}={','.join(rest[1])} (catalog {catalog})"
    if kind == "lf-tag-policy":
        terms = " AND ".join(f"{k}={','.join(v)}" for k, v in rest[1])
        return f"LF-tag policy {rest[0]} {terms} (catalog {catalog})"
    if kind == "catalog":
        return f"catalog {catalog}"
    return f"{kind} {catalog} {' '.join(str(r) for r in rest)}"


def declared_atoms(grants: Iterable[lg.LfGrant], account: str) -> Atoms:
    out: Atoms = {}
    for g in grants:
        key = declared_key(g.resource, account)
        for permission in g.permissions:
            out[(g.principal, key, permission)] = out.get((g.principal, key, permission), False) or g.grantable
    return out


def live_atoms(entries: Iterable[dict[str, Any]], account: str) -> Atoms:
    """ListPermissions' PrincipalResourcePermissions. A permission held only with the grant option (AWS allows
    PermissionsWithGrantOption beyond Permissions) counts as held and grantable."""
    out: Atoms = {}
    for entry in entries:
        principal = (entry.get("Principal") or {}).get("DataLakePrincipalIdentifier", "")
        key = live_key(entry.get("Resource") or {}, account)
        grantable = set(entry.get("PermissionsWithGrantOption") or [])
        for permission in set(entry.get("Permissions") or []) | grantable:
            atom = (principal, key, permission)
            out[atom] = out.get(atom, False) or permission in grantable
    return out
