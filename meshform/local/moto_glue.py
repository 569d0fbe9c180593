"""Glue reads of another account's catalog (CatalogId = another account), for moto 5.2.5, which ignores CatalogId
and answers from the caller's own catalog. With Lake Formation, a database or table of catalog X is visible to
account Y only when X granted Y Lake Formation permissions on it and the RAM share is accepted (or auto-associated
inside an Organization); otherwise Glue answers EntityNotFoundException, as for any name it cannot see
(https://docs.aws.amazon.com/lake-formation/latest/dg/cross-account-permissions.html,
https://docs.aws.amazon.com/glue/latest/webapi/API_GetDatabase.html#API_GetDatabase_Errors)."""
from __future__ import annotations

from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult, EmptyResult
from moto.glue.exceptions import EntityNotFoundException


class AccessDeniedException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("AccessDeniedException", message)


# Writes with another account's CatalogId. Lake Formation lets a receiving account create tables in a shared
# database it holds CREATE_TABLE on, alter/drop shared tables it holds ALTER/DROP on
# (https://docs.aws.amazon.com/lake-formation/latest/dg/lf-permissions-reference.html, CREATE_TABLE: "Principals in
# other accounts can create tables in the database when they have this permission"); anything else is
# AccessDeniedException (https://docs.aws.amazon.com/glue/latest/webapi/API_CreateTable.html#API_CreateTable_Errors).
FOREIGN_WRITES = {"create_table": ("Database", "CREATE_TABLE"), "update_table": ("Table", "ALTER"),
                  "delete_table": ("Table", "DROP")}
DENIED_WRITES = ("create_database", "update_database", "delete_database", "batch_delete_table", "create_partition",
                 "batch_create_partition", "update_partition", "delete_partition", "batch_delete_partition",
                 "delete_table_version")


def _visible_tables(owner: str, account: str, region: str, database: str) -> set[str] | None:
    """Tables of owner's database the account may see ("*" = all), or None when the database is invisible."""
    from meshform.local import moto_ram
    from meshform.local.moto_lf.catalog import lf_backend

    if not moto_ram.lf_share_visible(owner, account, region):
        return None
    seen: set[str] | None = None
    for grant in lf_backend(owner, region).grants_in(owner).values():
        if grant.principal != account:
            continue
        kind, body = next(iter(grant.resource.items()))
        db = body.get("Name") if kind == "Database" else body.get("DatabaseName")
        if db != database:
            continue
        seen = seen or set()
        if kind in ("Table", "TableWithColumns"):
            seen.add("*" if body["Name"] == "ALL_TABLES" else body["Name"])
        elif kind == "DataCellsFilter":
            seen.add(body["TableName"])
    return seen


def _foreign(response: Any) -> str | None:
    catalog = response.parameters.get("CatalogId")
    return catalog if catalog and catalog != response.current_account else None


def _owner_glue(response: Any, owner: str):
    from moto.glue.models import glue_backends

    return glue_backends[owner][response.region]


def _read(self: Any, name: str, owner: str):
    """GetDatabase/GetTable/GetTables on another account's catalog: only what is shared and visible."""
    params = self.parameters
    database = params.get("DatabaseName") or params.get("Name")
    visible = _visible_tables(owner, self.current_account, self.region, database)
    if visible is None:
        raise EntityNotFoundException(f"Database {database} not found.")
    glue = _owner_glue(self, owner)
    if name == "get_database":
        return ActionResult({"Database": glue.get_database(database).as_dict()})
    if name == "get_table":
        table = params.get("Name")
        if "*" not in visible and table not in visible:
            raise EntityNotFoundException(f"Table {table} not found.")
        return ActionResult({"Table": glue.get_table(database, table).as_dict()})
    tables = [t for t in glue.get_tables(database, params.get("Expression"))
              if "*" in visible or t.name in visible]
    return ActionResult({"TableList": [t.as_dict() for t in tables]})


def _list_databases(self: Any, name: str, owner: str):
    """GetDatabases(CatalogId=other): the databases of that catalog the caller's account can see (shared and the
    share visible), never the caller's own."""
    glue = _owner_glue(self, owner)
    visible = [d for db_name, d in glue.databases.items()
               if _visible_tables(owner, self.current_account, self.region, db_name) is not None]
    return ActionResult({"DatabaseList": [d.as_dict() for d in visible]})


def _write(self: Any, name: str, owner: str):
    """Create/Update/DeleteTable in another account's catalog: only with the Lake Formation permission received
    on it (FOREIGN_WRITES) and the share visible; the write lands in the owner's catalog."""
    from meshform.local import moto_ram
    from meshform.local.moto_lf.catalog import lf_backend

    params = self.parameters
    database = params.get("DatabaseName") or params.get("Name")
    needed = FOREIGN_WRITES.get(name)
    table = (params.get("TableInput") or {}).get("Name") or params.get("Name")
    allowed = False
    if needed is not None and moto_ram.lf_share_visible(owner, self.current_account, self.region):
        kind, permission = needed
        target = ({"Database": {"CatalogId": owner, "Name": database}} if kind == "Database" else
                  {"Table": {"CatalogId": owner, "DatabaseName": database, "Name": table}})
        held = lf_backend(owner, self.region).held_on(owner, [self.current_account], target)
        allowed = bool({permission, "ALL"} & held)
    if not allowed:
        raise AccessDeniedException(f"Insufficient Lake Formation permission(s) on catalog {owner}: "
                                    f"{self.current_account} may not {name} there.")
    glue = _owner_glue(self, owner)
    if name == "create_table":
        glue.create_table(database, table, params.get("TableInput"), params.get("OpenTableFormatInput"))
    elif name == "update_table":
        glue.update_table(database, table, params.get("TableInput"))
    else:
        glue.delete_table(database, table)
    return EmptyResult()


def _deny(self: Any, name: str, owner: str):
    raise AccessDeniedException(f"{self.current_account} may not {name} in catalog {owner} (not modelled "
                                "as shareable: Lake Formation shares no such permission).")


def _for_foreign_catalog(name: str, original, foreign):
    """moto answers every call from the caller's own catalog: calls naming another account's CatalogId go to
    `foreign(self, name, owner)` instead; all others keep moto's behaviour."""
    def handler(self: Any):
        owner = _foreign(self)
        return original(self) if owner is None else foreign(self, name, owner)
    handler.__name__ = name
    handler.__meshform__ = True  # type: ignore[attr-defined]
    return handler


def install() -> None:
    from moto.glue.responses import GlueResponse

    foreign = {"get_database": _read, "get_table": _read, "get_tables": _read, "get_databases": _list_databases}
    foreign.update({name: _write for name in FOREIGN_WRITES})
    foreign.update({name: _deny for name in DENIED_WRITES})
    for name, handle in foreign.items():
        original = getattr(GlueResponse, name, None)
        if original is None or getattr(original, "__meshform__", False):
            continue
        setattr(GlueResponse, name, _for_foreign_catalog(name, original, handle))
