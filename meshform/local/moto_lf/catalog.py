"""What a grant may refer to: Glue databases/tables/columns, data cells filters, LF-tags, registered locations, and
the LF-tags a table's columns carry (for LF-tag-policy coverage). Reads other services' moto backends."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from meshform.local.moto_lf.errors import EntityNotFound, InvalidInput

if TYPE_CHECKING:
    from meshform.local.moto_lf.filters import DataCellsFilter


def lf_backend(account: str, region: str):
    from moto.lakeformation.models import lakeformation_backends

    return lakeformation_backends[account][region]


def glue_backend(account: str, region: str):
    from moto.glue.models import glue_backends

    return glue_backends[account][region]


def table_columns(catalog: str, region: str, database: str, table: str) -> list[str]:
    """Column and partition-key names; EntityNotFoundException as GetTable answers for a missing one
    (https://docs.aws.amazon.com/glue/latest/webapi/API_GetTable.html)."""
    glue = glue_backend(catalog, region)
    if database not in glue.databases:
        raise EntityNotFound(f"Database {database} not found in catalog {catalog}.")
    try:
        found = glue.get_table(database, table)
    except Exception:  # moto raises its own TableNotFound
        raise EntityNotFound(f"Table {table} not found in database {database} of catalog {catalog}.") from None
    version = found.get_version(str(found._current_version))
    columns = [c["Name"] for c in version.get("StorageDescriptor", {}).get("Columns", [])]
    return columns + [c["Name"] for c in version.get("PartitionKeys", [])]


def tables_of(catalog: str, region: str, database: str) -> list[str]:
    glue = glue_backend(catalog, region)
    if database not in glue.databases:
        raise EntityNotFound(f"Database {database} not found in catalog {catalog}.")
    return sorted(glue.databases[database].tables)


def require_exists(kind: str, body: dict, region: str, caller: str, revoke: bool = False) -> None:
    """GrantPermissions on something that does not exist fails: EntityNotFoundException for catalog objects, filters
    and LF-tags; InvalidInputException for an S3 location that is not registered.
    https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_GrantPermissions.html#API_GrantPermissions_Errors
    RevokePermissions checks the same (API_RevokePermissions#Errors); for a data cells filter that is gone it answers
    InvalidInputException "Cell Filter not found", one of the three messages the provider's destroy tolerates
    (permissions.go, resourcePermissionsDelete), with "No permissions revoked. Grantee" and "cannot grant/revoke
    permission on non-existent column"."""
    if kind == "Catalog":
        # an account's Data Catalog always exists; a child catalog must have been created (multi-catalog,
        # https://docs.aws.amazon.com/lake-formation/latest/dg/granting-multi-catalog-permissions.html). moto 5.2.5
        # has no Glue CreateCatalog, so every child catalog is unknown: EntityNotFoundException, as for any
        # resource that does not exist (API_GrantPermissions#Errors)
        if ":" in (body.get("Id") or ""):
            raise EntityNotFound(f"Catalog {body['Id']} not found.")
    elif kind == "Database":
        glue = glue_backend(body["CatalogId"], region)
        if body["Name"] not in glue.databases:
            raise EntityNotFound(f"Database {body['Name']} not found in catalog {body['CatalogId']}.")
    elif kind == "Table":
        if body.get("TableWildcard") is not None:
            tables_of(body["CatalogId"], region, body["DatabaseName"])
        else:
            table_columns(body["CatalogId"], region, body["DatabaseName"], body["Name"])
    elif kind == "TableWithColumns":
        columns = table_columns(body["CatalogId"], region, body["DatabaseName"], body["Name"])
        named = list(body.get("ColumnNames") or []) + list((body.get("ColumnWildcard") or {}).get(
            "ExcludedColumnNames") or [])
        unknown = sorted(set(named) - set(columns))
        if unknown:
            # the provider tolerates exactly this message on destroy (permissions.go)
            raise InvalidInput(f"cannot grant/revoke permission on non-existent column(s) {unknown} of "
                               f"{body['DatabaseName']}.{body['Name']}.")
    elif kind == "DataCellsFilter":
        if find_filter(body, region, caller) is None:
            if revoke:
                raise InvalidInput(f"Cell Filter not found: {body['Name']} on table "
                                   f"{body['DatabaseName']}.{body['TableName']} of catalog {body['TableCatalogId']}.")
            raise EntityNotFound(f"Data cells filter {body['Name']} not found on table "
                                 f"{body['DatabaseName']}.{body['TableName']} of catalog {body['TableCatalogId']}.")
    elif kind == "DataLocation":
        # a location must be registered first (https://docs.aws.amazon.com/lake-formation/latest/dg/register-data-lake.html)
        owner = lf_backend(body["CatalogId"], region)
        if not any(_covers_location(arn, body["ResourceArn"]) for arn in owner.resources):
            raise InvalidInput(f"Please register the S3 path {body['ResourceArn']} with Lake Formation in catalog "
                               f"{body['CatalogId']} before granting DATA_LOCATION_ACCESS.")
    elif kind == "LFTag":
        require_tag(body["CatalogId"], region, body["TagKey"], body["TagValues"])
    elif kind == "LFTagPolicy":
        for term in body["Expression"]:
            require_tag(body["CatalogId"], region, term["TagKey"], term["TagValues"])


def is_resource_link(kind: str, body: dict, region: str) -> bool:
    """A Glue database with TargetDatabase (or a table with TargetTable) is a resource link
    (https://docs.aws.amazon.com/lake-formation/latest/dg/resource-links-about.html)."""
    if kind not in ("Database", "Table") or "CatalogId" not in body:
        return False
    glue = glue_backend(body["CatalogId"], region)
    if kind == "Database":
        database = glue.databases.get(body["Name"])
        return bool(database is not None and database.input.get("TargetDatabase"))
    if body.get("TableWildcard") is not None or body.get("Name") == "ALL_TABLES":
        return False
    database = glue.databases.get(body["DatabaseName"])
    table = database.tables.get(body["Name"]) if database is not None else None
    if table is None:
        return False
    return bool(table.get_version(str(table._current_version)).get("TargetTable"))


def iam_principal_exists(arn: str) -> bool:
    """An IAM role or user ARN names an existing one: compared by the full ARN, path included (a role is
    arn:aws:iam::<account>:role/<path><name>; https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html)."""
    from moto.iam.models import iam_backends

    parts = arn.split(":", 5)
    if len(parts) < 6 or not parts[4].isdigit():
        return False
    iam = iam_backends[parts[4]]["global"]
    if parts[5].startswith("role/"):
        if parts[5].startswith("role/aws-service-role/"):
            return True     # service-linked roles: created by AWS on first use
        return any(role.arn == arn for role in iam.roles.values())
    if parts[5].startswith("user/"):
        return any(user.arn == arn for user in iam.users.values())
    return False


def _covers_location(registered: str, arn: str) -> bool:
    return arn == registered or arn.startswith(registered.rstrip("/") + "/")


def require_tag(catalog: str, region: str, key: str, values: list[str]) -> None:
    """https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_LFTag.html: key and values must exist."""
    tags = lf_backend(catalog, region).list_lf_tags(catalog)
    if key not in tags or set(values) - set(tags[key]) - {"*"}:
        raise EntityNotFound(f"Tag or tag value does not exist: {key}={sorted(values)} in catalog {catalog}.")


def filters_of(backend: Any) -> dict[tuple[str, str, str, str], DataCellsFilter]:
    """The data cells filters of a backend's account and region (meshform/local/moto_lf/filters.py)."""
    if not hasattr(backend, "data_cells_filters"):
        backend.data_cells_filters = {}
    return backend.data_cells_filters


def find_filter(body: dict, region: str, caller: str) -> DataCellsFilter | None:
    key = (body["TableCatalogId"], body["DatabaseName"], body["TableName"], body["Name"])
    for account in dict.fromkeys((body["TableCatalogId"], caller)):
        found = filters_of(lf_backend(account, region)).get(key)
        if found is not None:
            return found
    return None


def effective_tags(catalog: str, region: str, database: str, table: str, column: str | None) -> dict[str, str]:
    """LF-tags are inherited database -> table -> column; a lower level overrides a key
    (https://docs.aws.amazon.com/lake-formation/latest/dg/TBAC-assigning-tags.html)."""
    lf = lf_backend(catalog, region)
    out: dict[str, str] = {}
    layers = [lf.lf_database_tags.get((catalog, database), []), lf.lf_table_tags.get((catalog, database, table), [])]
    if column is not None:
        layers.append(lf.lf_columns_tags.get((catalog, database, table, column), []))
    for layer in layers:
        for tag in layer:
            values = tag.get("TagValues") or []
            if values:
                out[tag["TagKey"]] = values[0]
    return out


def expression_matches(tags: dict[str, str], expression: list[dict]) -> bool:
    return all(tags.get(term["TagKey"]) in term["TagValues"] for term in expression)
