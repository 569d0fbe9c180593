"""Glue reads of another account's catalog (CatalogId = another account), for moto 5.2.5, which ignores CatalogId
and answers from the caller's own catalog. With Lake Formation, a database or table of catalog X is visible to
account Y only when X granted Y Lake Formation permissions on it and the RAM share is accepted (or auto-associated
inside an Organization); otherwise Glue answers EntityNotFoundException, as for any name it cannot see
(https://docs.aws.amazon.com/lake-formation/latest/dg/cross-account-permissions.html,
https://docs.aws.amazon.com/glue/latest/webapi/API_GetDatabase.html#API_GetDatabase_Errors)."""
from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.glue.exceptions import EntityNotFoundException


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


def _wrap(name: str, original):
    def handler(self: Any):
        owner = _foreign(self)
        if owner is None:
            return original(self)
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
    handler.__name__ = name
    return handler


def install() -> None:
    from moto.glue.responses import GlueResponse

    for name in ("get_database", "get_table", "get_tables"):
        original = getattr(GlueResponse, name)
        if getattr(original, "__meshform__", False):
            continue
        wrapped = _wrap(name, original)
        wrapped.__meshform__ = True
        setattr(GlueResponse, name, wrapped)

