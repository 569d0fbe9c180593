"""Queries: SELECT over Redshift's metadata views and over user relations (which hold no rows in the emulator:
the answer has the relation's columns and no records), and the SHOW commands.

Metadata views, with the columns meshform reads (a subset of each view's documented columns):
- SVV_ALL_SCHEMAS / SVV_ALL_TABLES / SVV_ALL_COLUMNS: every database of the namespace, consumer databases with
  exactly the shared objects (https://docs.aws.amazon.com/redshift/latest/dg/r_SVV_ALL_COLUMNS.html);
- SVV_DATASHARES and SVV_DATASHARE_OBJECTS: OUTBOUND shares of this namespace and INBOUND shares it may use
  (https://docs.aws.amazon.com/redshift/latest/dg/r_SVV_DATASHARE_OBJECTS.html);
- SVV_DATASHARE_CONSUMERS (https://docs.aws.amazon.com/redshift/latest/dg/r_SVV_DATASHARE_CONSUMERS.html);
- INFORMATION_SCHEMA.COLUMNS / TABLES: local relations of the connected database only (PostgreSQL catalogs do not
  list datashare objects, https://docs.aws.amazon.com/redshift/latest/dg/datashare-considerations.html).
SHOW SCHEMAS FROM DATABASE d, SHOW TABLES FROM SCHEMA d.s, SHOW COLUMNS FROM TABLE d.s.t, SHOW DATASHARES
(https://docs.aws.amazon.com/redshift/latest/dg/r_SHOW_TABLES.html, r_SHOW_COLUMNS.html, r_SHOW_SCHEMAS.html,
r_SHOW_DATASHARES.html).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlglot import exp

from meshform.local.redshift_sql import errors as E
from meshform.local.redshift_sql.catalog import Database, Datashare, NamespaceCatalog
from meshform.local.redshift_sql.engine import (
    Result,
    Session,
    SqlError,
    _db,
    consumer_view,
    find_relation,
    may_consume,
    relations_of,
    schemas_of,
)
from meshform.local.redshift_sql.grammar import Tokens

Rows = list[dict[str, object]]
V, INT, B = "character varying", "integer", "boolean"


def _schema_rows(session: Session) -> Rows:
    out: Rows = []
    for db in session.catalog.databases.values():
        for schema in schemas_of(session, db):
            out.append({"database_name": db.name, "schema_name": schema,
                        "schema_type": "shared" if db.source else "local",
                        "source_database": _source_db(session, db)})
    return out


def _source_db(session: Session, db: Database) -> str | None:
    view = consumer_view(session, db) if db.source else None
    return view[1].database if view else None


def _table_rows(session: Session, only: str | None = None) -> Rows:
    return [{"database_name": db.name, "schema_name": s, "table_name": r.name,
             "table_type": "VIEW" if r.kind == "view" else "TABLE"}
            for db in session.catalog.databases.values() if only in (None, db.name)
            for (s, _), r in relations_of(session, db).items()]


def _column_rows(session: Session, only: str | None = None) -> Rows:
    return [{"database_name": db.name, "schema_name": s, "table_name": r.name, "column_name": c.name,
             "ordinal_position": i, "is_nullable": "YES" if c.nullable else "NO", "data_type": c.type}
            for db in session.catalog.databases.values() if only in (None, db.name)
            for (s, _), r in relations_of(session, db).items() for i, c in enumerate(r.columns, 1)]


def _inbound(session: Session) -> list[tuple[NamespaceCatalog, Datashare]]:
    """(producer catalog, share) pairs this namespace may use, found through its consumer databases' sources and
    every namespace the directory knows."""
    out = []
    for producer in getattr(session.directory, "all_namespaces", lambda: [])():
        if producer is session.catalog:
            continue
        for share in producer.datashares.values():
            if may_consume(share, producer, session.catalog):
                out.append((producer, share))
    return out


def _datashare_rows(session: Session) -> Rows:
    cat = session.catalog
    rows: Rows = [{"share_name": s.name, "share_owner": s.owner, "source_database": s.database,
                   "consumer_database": None, "share_type": "OUTBOUND", "is_publicaccessible": s.public_accessible,
                   "producer_account": cat.account, "producer_namespace": cat.namespace_id}
                  for s in cat.datashares.values()]
    for producer, share in _inbound(session):
        consumer_db = next((d.name for d in cat.databases.values() if d.source and d.source.share == share.name
                            and d.source.producer_namespace == producer.namespace_id), None)
        rows.append({"share_name": share.name, "share_owner": None, "source_database": None,
                     "consumer_database": consumer_db, "share_type": "INBOUND",
                     "is_publicaccessible": share.public_accessible, "producer_account": producer.account,
                     "producer_namespace": producer.namespace_id})
    return rows


def _object_rows(session: Session) -> Rows:
    cat = session.catalog
    rows: Rows = []
    pairs: list[tuple[str, NamespaceCatalog, Datashare]] = [("OUTBOUND", cat, s) for s in cat.datashares.values()]
    pairs += [("INBOUND", p, s) for p, s in _inbound(session)]
    for share_type, producer, share in pairs:
        db = producer.databases[share.database]
        base = {"share_type": share_type, "share_name": share.name, "producer_account": producer.account,
                "producer_namespace": producer.namespace_id}
        for schema in share.schemas:
            rows.append({**base, "object_type": "schema", "object_name": schema,
                         "include_new": schema in share.include_new})
        for rel in share.shared_relations(db):
            rows.append({**base, "object_type": rel.kind, "object_name": f"{rel.schema}.{rel.name}",
                         "include_new": None})
    return rows


def _consumer_rows(session: Session) -> Rows:
    rows: Rows = []
    for share in session.catalog.datashares.values():
        for account, grant in share.accounts.items():
            rows.append({"share_name": share.name, "consumer_account": account, "consumer_namespace": None,
                         "share_date": grant.created.isoformat()})
        for namespace, stamp in share.namespaces.items():
            rows.append({"share_name": share.name, "consumer_account": session.catalog.account,
                         "consumer_namespace": namespace, "share_date": stamp.isoformat()})
    return rows


def _database_rows(session: Session) -> Rows:
    """SVV_REDSHIFT_DATABASES (https://docs.aws.amazon.com/redshift/latest/dg/r_SVV_REDSHIFT_DATABASES.html): the
    namespace's databases, `local` or `shared` (created from a datashare)."""
    return [{"database_name": db.name, "database_type": "local" if db.source is None else "shared"}
            for db in sorted(session.catalog.databases.values(), key=lambda d: d.name)]


SYSTEM_VIEWS: dict[str, tuple[list[tuple[str, str]], Callable[[Session], Rows]]] = {
    "svv_all_schemas": ([("database_name", V), ("schema_name", V), ("schema_type", V), ("source_database", V)],
                        _schema_rows),
    "svv_all_tables": ([("database_name", V), ("schema_name", V), ("table_name", V), ("table_type", V)],
                       _table_rows),
    "svv_all_columns": ([("database_name", V), ("schema_name", V), ("table_name", V), ("column_name", V),
                         ("ordinal_position", INT), ("is_nullable", V), ("data_type", V)], _column_rows),
    "svv_datashares": ([("share_name", V), ("share_owner", V), ("source_database", V), ("consumer_database", V),
                        ("share_type", V), ("is_publicaccessible", B), ("producer_account", V),
                        ("producer_namespace", V)], _datashare_rows),
    "svv_datashare_objects": ([("share_type", V), ("share_name", V), ("object_type", V), ("object_name", V),
                               ("producer_account", V), ("producer_namespace", V), ("include_new", B)],
                              _object_rows),
    "svv_redshift_databases": ([("database_name", V), ("database_type", V)], _database_rows),
    "svv_datashare_consumers": ([("share_name", V), ("consumer_account", V), ("consumer_namespace", V),
                                 ("share_date", V)], _consumer_rows),
}
INFORMATION_SCHEMA = {
    "columns": [("table_catalog", V), ("table_schema", V), ("table_name", V), ("column_name", V),
                ("ordinal_position", INT), ("is_nullable", V), ("data_type", V)],
    "tables": [("table_catalog", V), ("table_schema", V), ("table_name", V), ("table_type", V)],
}


def _information_schema(session: Session, name: str) -> Rows:
    db = _db(session)
    if db.source is not None:
        return []
    if name == "columns":
        return [{"table_catalog": r["database_name"], "table_schema": r["schema_name"], **r}
                for r in _column_rows(session, db.name)]
    return [{"table_catalog": r["database_name"], "table_schema": r["schema_name"],
             "table_name": r["table_name"], "table_type": "VIEW" if r["table_type"] == "VIEW" else "BASE TABLE"}
            for r in _table_rows(session, db.name)]


# ---------------------------------------------------------------- expression evaluation
def _value(node: Any, row: dict[str, object]) -> Any:
    if isinstance(node, exp.Paren):
        return _value(node.this, row)
    if isinstance(node, exp.Column):
        name = node.name.lower()
        if name not in row:
            raise SqlError(f'column "{name}" does not exist', E.UNDEFINED_COLUMN)
        return row[name]
    if isinstance(node, exp.Literal):
        return node.name if node.is_string else float(node.name) if "." in node.name else int(node.name)
    if isinstance(node, exp.Boolean):
        return node.this
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.And):
        return bool(_value(node.left, row)) and bool(_value(node.right, row))
    if isinstance(node, exp.Or):
        return bool(_value(node.left, row)) or bool(_value(node.right, row))
    if isinstance(node, exp.Not):
        return not _value(node.this, row)
    if isinstance(node, exp.Is):
        return _value(node.left, row) is _value(node.right, row)
    if isinstance(node, exp.In):
        return _value(node.this, row) in [_value(e, row) for e in node.expressions]
    if isinstance(node, exp.Like):
        import re

        pattern = str(_value(node.expression, row)).replace("%", "\0").replace("_", "\1")
        regex = re.escape(pattern).replace("\0", ".*").replace("\1", ".")
        return re.fullmatch(regex, str(_value(node.this, row))) is not None
    comparisons = {exp.EQ: lambda a, b: a == b, exp.NEQ: lambda a, b: a != b, exp.GT: lambda a, b: a > b,
                   exp.GTE: lambda a, b: a >= b, exp.LT: lambda a, b: a < b, exp.LTE: lambda a, b: a <= b}
    for kind, compare in comparisons.items():
        if isinstance(node, kind):
            left, right = _value(node.left, row), _value(node.right, row)
            return False if left is None or right is None else compare(left, right)
    raise SqlError(f"the emulator does not evaluate {node.sql(dialect='redshift')}", E.NOT_SUPPORTED)


def _source(session: Session, table: exp.Table) -> tuple[list[tuple[str, str]], Rows]:
    schema, name = (table.db or "").lower(), table.name.lower()
    if schema in ("", "pg_catalog") and name in SYSTEM_VIEWS:
        columns, rows = SYSTEM_VIEWS[name]
        return columns, rows(session)
    if schema == "information_schema" and name in INFORMATION_SCHEMA:
        return INFORMATION_SCHEMA[name], _information_schema(session, name)
    relation = find_relation(session, table)
    return [(c.name, c.type) for c in relation.columns], []


def _sort_key(name: str) -> Callable[[dict[str, Any]], Any]:
    def key(row: dict[str, Any]) -> Any:
        value = row.get(name)
        return (value is None, value if value is not None else 0)
    return key


def _constant(value: object) -> Callable[[dict[str, Any]], Any]:
    return lambda _row: value


def _getter(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: row.get(name)


def select(session: Session, node: exp.Select) -> Result:
    from_ = node.args.get("from_")
    if from_ is None:
        # SELECT without FROM: constants (SELECT 1)
        values = [_value(e.this if isinstance(e, exp.Alias) else e, {}) for e in node.expressions]
        names = [e.alias or "?column?" for e in node.expressions]
        return Result([(n, "integer" if isinstance(v, int) else V) for n, v in zip(names, values, strict=True)],
                      [values], True)
    if node.args.get("joins") or not isinstance(from_.this, exp.Table):
        raise SqlError("the emulator answers SELECTs over one relation or metadata view", E.NOT_SUPPORTED)
    columns, rows = _source(session, from_.this)
    types = dict(columns)
    where = node.args.get("where")
    if where is not None:
        probe: dict[str, object] = {c: None for c, _ in columns}
        _value(where.this, probe)       # names every column it uses, or fails
        rows = [r for r in rows if _value(where.this, r)]
    out_columns: list[tuple[str, str]] = []
    getters: list[Callable[[dict[str, Any]], Any]] = []
    for item in node.expressions:
        inner = item.this if isinstance(item, exp.Alias) else item
        if isinstance(inner, exp.Star):
            for name, kind in columns:
                out_columns.append((name, kind))
                getters.append(_getter(name))
            continue
        if isinstance(inner, exp.Count):
            out_columns.append((item.alias or "count", "bigint"))
            getters.append(_constant(len(rows)))
            continue
        if not isinstance(inner, exp.Column):
            raise SqlError(f"the emulator does not evaluate {inner.sql(dialect='redshift')}", E.NOT_SUPPORTED)
        name = inner.name.lower()
        if name not in types:
            raise SqlError(f'column "{name}" does not exist', E.UNDEFINED_COLUMN)
        out_columns.append((item.alias.lower() if isinstance(item, exp.Alias) else name, types[name]))
        getters.append(_getter(name))
    aggregate = any(isinstance(i.this if isinstance(i, exp.Alias) else i, exp.Count) for i in node.expressions)
    order = node.args.get("order")
    if order is not None:
        for key in reversed(order.expressions):
            target = key.this
            if isinstance(target, exp.Literal) and not target.is_string:
                position = int(target.name) - 1
                name = out_columns[position][0]
            else:
                name = target.name.lower()
            rows.sort(key=_sort_key(name), reverse=bool(key.args.get("desc")))
    result_rows = [[get(r) for get in getters] for r in rows] if not aggregate else [[g({}) for g in getters]]
    limit = node.args.get("limit")
    if limit is not None:
        result_rows = result_rows[:int(limit.expression.name)]
    return Result(out_columns, result_rows, True)


def show(session: Session, t: Tokens) -> Result:
    if t.accept("DATASHARES"):
        t.end()
        columns, rows_of = SYSTEM_VIEWS["svv_datashares"]
        return Result(columns, [[r[c] for c, _ in columns] for r in rows_of(session)], True)
    if t.accept("SCHEMAS", "FROM", "DATABASE"):
        db = _db(session, t.ident())
        t.end()
        return Result([("database_name", V), ("schema_name", V), ("schema_type", V)],
                      [[db.name, s, "shared" if db.source else "local"] for s in schemas_of(session, db)], True)
    if t.accept("TABLES", "FROM", "SCHEMA"):
        parts = t.dotted(2)
        if len(parts) != 2:
            raise t.error()
        database, schema = parts
        t.end()
        db = _db(session, database)
        if schema not in schemas_of(session, db):
            raise SqlError(f'schema "{schema}" does not exist', E.INVALID_SCHEMA)
        rows = [[r["database_name"], r["schema_name"], r["table_name"], r["table_type"]]
                for r in _table_rows(session, db.name) if r["schema_name"] == schema]
        return Result([("database_name", V), ("schema_name", V), ("table_name", V), ("table_type", V)], rows, True)
    if t.accept("COLUMNS", "FROM", "TABLE"):
        parts = t.dotted(3)
        t.end()
        if len(parts) != 3:
            raise t.error()
        relation = find_relation(session, exp.Table(this=exp.to_identifier(parts[2]), db=exp.to_identifier(parts[1]),
                                                    catalog=exp.to_identifier(parts[0])))
        rows = [[parts[0], parts[1], parts[2], c.name, i, "YES" if c.nullable else "NO", c.type]
                for i, c in enumerate(relation.columns, 1)]
        return Result([("database_name", V), ("schema_name", V), ("table_name", V), ("column_name", V),
                       ("ordinal_position", INT), ("is_nullable", V), ("data_type", V)], rows, True)
    raise t.error()
