"""Executes the Redshift SQL meshform's stacks emit against one namespace's catalog (catalog.py): schemas, tables,
views, DELETE and COPY here; datashares, grants, users, roles and CREATE DATABASE in access.py; queries in query.py.

Statement forms and the rules enforced, each from the Redshift Database Developer Guide:
- CREATE SCHEMA [IF NOT EXISTS] (https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_SCHEMA.html):
  `schema "x" already exists` without IF NOT EXISTS.
- CREATE TABLE [IF NOT EXISTS] s.t (cols) [table attributes]
  (https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_NEW.html): the schema must exist
  (`schema "x" does not exist`), `relation "t" already exists`, a column named twice is an error.
- CREATE [OR REPLACE] VIEW s.v AS SELECT ... [WITH NO SCHEMA BINDING]
  (https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_VIEW.html): columns come from the select list
  resolved against the tables it reads (`relation ... does not exist`, `column ... does not exist`); a
  late-binding view (WITH NO SCHEMA BINDING) must name its tables with a schema and is not checked.
- DROP TABLE/VIEW/SCHEMA [IF EXISTS] [CASCADE] (r_DROP_TABLE.html, r_DROP_VIEW.html, r_DROP_SCHEMA.html): a
  schema with relations, a table or view that views read, need CASCADE (which drops those views too).
- CREATE DATASHARE s [[SET] PUBLICACCESSIBLE [=] TRUE|FALSE]
  (https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_DATASHARE.html): names are unique per namespace.
- ALTER DATASHARE s ADD|REMOVE SCHEMA x | TABLE x.t | ALL TABLES IN SCHEMA x, SET PUBLICACCESSIBLE,
  SET INCLUDENEW [=] TRUE|FALSE FOR SCHEMA x (https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_DATASHARE.html):
  objects must be in the database the datashare was created in; a table or view only after its schema was
  added ("you must add the schema first"); adding what is already there is an error; removing a schema removes
  its objects.
- DROP DATASHARE s (https://docs.aws.amazon.com/redshift/latest/dg/r_DROP_DATASHARE.html): consumers lose access.
- GRANT/REVOKE USAGE ON DATASHARE s TO/FROM ACCOUNT 'id' [VIA DATA CATALOG] | NAMESPACE 'guid'
  (https://docs.aws.amazon.com/redshift/latest/dg/r_GRANT.html, r_REVOKE.html): an account grant waits for the
  producer's AuthorizeDataShare (PENDING_AUTHORIZATION); a namespace of the same account is ACTIVE at once; a
  share with no objects may be granted (AWS documents no such rule).
- CREATE DATABASE d [WITH PERMISSIONS] FROM DATASHARE s OF [ACCOUNT 'id'] NAMESPACE 'guid'
  (https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_DATABASE.html): the share must exist and be usable
  by this namespace (same account: granted to it; another account: authorized and associated, ACTIVE); not
  inside a transaction block (BatchExecuteStatement).
- DROP DATABASE d [FORCE] (https://docs.aws.amazon.com/redshift/latest/dg/r_DROP_DATABASE.html): no IF EXISTS
  (`database "d" does not exist`), not inside a transaction block, not dev/padb_harvest/template0/template1/
  sys:internal nor the current database; a database created from a datashare may be
  dropped whether or not the share is still granted; a local database takes the datashares created in it along.
- CREATE ROLE / CREATE USER, GRANT/REVOKE USAGE ON DATABASE|SCHEMA, SELECT ON [TABLE] x | ALL TABLES IN SCHEMA x
  TO role/user/PUBLIC (r_CREATE_ROLE.html, r_CREATE_USER.html, r_GRANT.html): principals and objects must exist.
- DELETE FROM s.t [WHERE ...] (r_DELETE.html): the table must exist (the emulator keeps no rows).
- COPY s.t FROM 's3://...' IAM_ROLE 'arn' FORMAT AS PARQUET (https://docs.aws.amazon.com/redshift/latest/dg/r_COPY.html):
  the table must exist and the role must be attached to the namespace (or IAM_ROLE default with a default role);
  from Parquet or ORC only the parameters copy-usage_notes-copy-from-columnar.html lists (FILLRECORD is one).
Messages follow PostgreSQL's wording where Redshift inherits it; the datashare messages are meshform's (AWS does
not document their text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

import sqlglot
from sqlglot import exp

from meshform.local.redshift_sql import errors as E
from meshform.local.redshift_sql.catalog import (
    Column,
    Database,
    Datashare,
    NamespaceCatalog,
    Relation,
    Schema,
)
from meshform.local.redshift_sql.errors import SqlError
from meshform.local.redshift_sql.grammar import Tokens


class Directory(Protocol):
    def namespace(self, account: str, namespace_id: str) -> NamespaceCatalog | None: ...


@dataclass
class Result:
    columns: list[tuple[str, str]] = field(default_factory=list)     # (name, type name)
    rows: list[list[object]] = field(default_factory=list)
    has_result_set: bool = False
    rows_affected: int = 0


@dataclass
class Session:
    catalog: NamespaceCatalog
    database: str
    user: str
    directory: Directory
    iam_roles: list[str] = field(default_factory=list)
    default_iam_role: str | None = None
    in_transaction: bool = False


def now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------- types
_TYPES = {
    "BIGINT": "bigint", "INT": "integer", "SMALLINT": "smallint", "TINYINT": "smallint", "DOUBLE": "double precision",
    "FLOAT": "real", "BOOLEAN": "boolean", "DATE": "date", "TIMESTAMP": "timestamp without time zone",
    "DATETIME": "timestamp without time zone", "TIMESTAMPTZ": "timestamp with time zone", "TEXT": "character varying",
    "VARCHAR": "character varying", "NVARCHAR": "character varying", "CHAR": "character", "NCHAR": "character",
    "DECIMAL": "numeric", "SUPER": "super", "TIME": "time without time zone", "TIMETZ": "time with time zone",
    "VARBYTE": "binary varying", "VARBINARY": "binary varying", "GEOMETRY": "geometry",
}


# Limits of https://docs.aws.amazon.com/redshift/latest/dg/c_Supported_data_types.html
_LENGTH_MAX = {"character varying": 65535, "character": 4096, "binary varying": 1024000}


def type_name(kind: exp.DataType) -> str:
    name = _TYPES.get(kind.this.name)
    if name is None:
        raise SqlError(f'type "{kind.sql(dialect="redshift").lower()}" does not exist', E.UNDEFINED_OBJECT)
    params = [p.sql(dialect="redshift") for p in kind.expressions]
    if name in _LENGTH_MAX and params and params[0].isdigit() and not 1 <= int(params[0]) <= _LENGTH_MAX[name]:
        raise SqlError(f"length for type {name} cannot exceed {_LENGTH_MAX[name]}", E.INVALID_PARAMETER)
    if name == "numeric" and params and params[0].isdigit() and not 1 <= int(params[0]) <= 38:
        raise SqlError(f"NUMERIC precision {params[0]} must be between 1 and 38", E.INVALID_PARAMETER)
    if name == "numeric" and len(params) == 2 and params[1].isdigit() and int(params[1]) > int(params[0]):
        raise SqlError(f"NUMERIC scale {params[1]} must be between 0 and precision {params[0]}", E.INVALID_PARAMETER)
    if kind.this.name == "TEXT":
        params = ["256"]    # Redshift stores TEXT as VARCHAR(256)
    return f"{name}({','.join(params)})" if params else name


# ---------------------------------------------------------------- helpers on the catalog
def _db(session: Session, name: str | None = None) -> Database:
    db = session.catalog.databases.get(name or session.database)
    if db is None:
        raise SqlError(f'database "{name or session.database}" does not exist', E.INVALID_CATALOG)
    return db


def _local_db(session: Session, name: str | None = None) -> Database:
    db = _db(session, name)
    if db.source is not None:
        # consumer databases are read-only (https://docs.aws.amazon.com/redshift/latest/dg/datashare-considerations.html)
        raise SqlError(f'cannot modify objects of database "{db.name}": it was created from datashare '
                       f'"{db.source.share}" and is read-only', E.NOT_SUPPORTED)
    return db


def _schema(db: Database, name: str) -> Schema:
    schema = db.schemas.get(name)
    if schema is None:
        raise SqlError(f'schema "{name}" does not exist', E.INVALID_SCHEMA)
    return schema


def _names(table: exp.Table) -> tuple[str | None, str, str]:
    return ((table.catalog or None) and table.catalog.lower(), (table.db or "public").lower(), table.name.lower())


def _datashare(session: Session, name: str) -> Datashare:
    share = session.catalog.datashares.get(name)
    if share is None:
        raise SqlError(f'datashare "{name}" does not exist', E.UNDEFINED_OBJECT)
    return share


def may_consume(share: Datashare, producer: NamespaceCatalog, consumer: NamespaceCatalog) -> bool:
    """Can the consumer namespace use the share now? Same account: granted to the namespace. Another account:
    authorized, and associated with this namespace, its region or the entire account
    (https://docs.aws.amazon.com/redshift/latest/dg/consumer-account-admin.html)."""
    if producer.account == consumer.account:
        return consumer.namespace_id in share.namespaces
    grant = share.accounts.get(consumer.account)
    if grant is None or grant.status != "AUTHORIZED":
        return False
    return any(a.consumer in (consumer.namespace_arn, consumer.account) and (a.region in (None, consumer.region))
               for a in grant.associations.values())


def consumer_view(session: Session, db: Database) -> tuple[NamespaceCatalog, Datashare, Database] | None:
    """The producer side of a consumer database, if this namespace may still use it."""
    assert db.source is not None
    producer = session.directory.namespace(db.source.producer_account, db.source.producer_namespace)
    if producer is None:
        return None
    share = producer.datashares.get(db.source.share)
    if share is None or not may_consume(share, producer, session.catalog):
        return None
    return producer, share, producer.databases[share.database]


def relations_of(session: Session, db: Database) -> dict[tuple[str, str], Relation]:
    """The relations a database shows: its own, or for a consumer database exactly the shared ones."""
    if db.source is None:
        return {(s.name, r.name): r for s in db.schemas.values() for r in s.relations.values()}
    view = consumer_view(session, db)
    if view is None:
        return {}
    _, share, producer_db = view
    return {(r.schema, r.name): r for r in share.shared_relations(producer_db)}


def schemas_of(session: Session, db: Database) -> list[str]:
    if db.source is None:
        return list(db.schemas)
    view = consumer_view(session, db)
    return list(view[1].schemas) if view else []


def find_relation(session: Session, table: exp.Table) -> Relation:
    catalog, schema, name = _names(table)
    db = _db(session, catalog)
    relations = relations_of(session, db)
    if (schema, name) not in relations:
        if db.source is None and schema not in db.schemas:
            raise SqlError(f'schema "{schema}" does not exist', E.INVALID_SCHEMA)
        raise SqlError(f'relation "{schema}.{name}" does not exist', E.UNDEFINED_TABLE)
    return relations[(schema, name)]


# ---------------------------------------------------------------- sqlglot-parsed statements
def _create_schema(session: Session, node: exp.Create) -> Result:
    db = _local_db(session)
    name = node.this.db.lower() if node.this.db else node.this.name.lower()
    if name in db.schemas:
        if node.args.get("exists"):
            return Result()
        raise SqlError(f'schema "{name}" already exists', E.DUPLICATE_SCHEMA)
    db.schemas[name] = Schema(name, session.user)
    _include_new(session, db, name, None)
    return Result()


_TABLE_ATTRIBUTES = re.compile(r"\s+(DISTSTYLE\s+\w+|DISTKEY\s*\(\s*\w+\s*\)|(COMPOUND\s+|INTERLEAVED\s+)?SORTKEY"
                               r"\s*(\(\s*[\w\s,]+\)|AUTO)|ENCODE\s+AUTO|BACKUP\s+(YES|NO))", re.IGNORECASE)


def _strip_table_attributes(sql: str) -> str:
    """sqlglot 30 parses no Redshift table attributes after the column list; they do not change the catalog."""
    close = sql.rfind(")")
    head, tail = sql[:close + 1], sql[close + 1:]
    rest = _TABLE_ATTRIBUTES.sub("", " " + tail).strip()
    if rest:
        raise SqlError(f'syntax error at or near "{rest.split()[0]}"', E.SYNTAX)
    return head


def _create_table(session: Session, node: exp.Create) -> Result:
    if not isinstance(node.this, exp.Schema) or not isinstance(node.this.this, exp.Table):
        raise SqlError("CREATE TABLE AS and CREATE TABLE LIKE are not modelled by the emulator", E.NOT_SUPPORTED)
    catalog, schema_name, name = _names(node.this.this)
    db = _local_db(session, catalog)
    schema = _schema(db, schema_name)
    if name in schema.relations:
        if node.args.get("exists"):
            return Result()
        raise SqlError(f'relation "{name}" already exists', E.DUPLICATE_TABLE)
    columns: list[Column] = []
    keys = {c.name.lower() for pk in node.this.expressions if isinstance(pk, exp.PrimaryKey) for c in pk.expressions}
    for col in node.this.expressions:
        if not isinstance(col, exp.ColumnDef):
            continue        # table constraints (PRIMARY KEY (...)) are informational in Redshift
        cname = col.name.lower()
        if any(c.name == cname for c in columns):
            raise SqlError(f'column "{cname}" specified more than once', E.DUPLICATE_OBJECT)
        kind = col.args.get("kind")
        if kind is None:
            raise SqlError(f'syntax error at or near "{cname}"', E.SYNTAX)
        not_null = any(isinstance(c.kind, (exp.NotNullColumnConstraint, exp.PrimaryKeyColumnConstraint))
                       for c in col.constraints)
        columns.append(Column(cname, type_name(kind), not (not_null or cname in keys)))
    missing = keys - {c.name for c in columns}
    if missing:
        raise SqlError(f'column "{sorted(missing)[0]}" named in key does not exist', E.UNDEFINED_COLUMN)
    if not columns:
        raise SqlError("tables must have at least one column", E.SYNTAX)
    schema.relations[name] = Relation(schema_name, name, "table", columns)
    _include_new(session, db, schema_name, name)
    return Result()


def _include_new(session: Session, db: Database, schema: str, relation: str | None) -> None:
    """SET INCLUDENEW = TRUE FOR SCHEMA: new tables of that schema join the datashare (r_ALTER_DATASHARE.html)."""
    if relation is None:
        return
    for share in session.catalog.datashares.values():
        if share.database == db.name and schema in share.include_new and (schema, relation) not in share.relations:
            share.relations.append((schema, relation))


def _view_sources(session: Session, select: exp.Expression) -> list[tuple[str, str]]:
    out = []
    for table in select.find_all(exp.Table):
        _, schema, name = _names(table)
        out.append((schema, name))
    return out


def _view_columns(session: Session, select: exp.Expression) -> list[Column]:
    if not isinstance(select, exp.Select):
        raise SqlError("the emulator models views over a single SELECT", E.NOT_SUPPORTED)
    sources: dict[str, Relation] = {}
    tables = [select.args["from_"].this] if select.args.get("from_") else []
    tables += [j.this for j in select.args.get("joins") or []]
    for table in tables:
        if not isinstance(table, exp.Table):
            raise SqlError("the emulator models views that read tables and views only", E.NOT_SUPPORTED)
        relation = find_relation(session, table)
        sources[(table.alias or table.name).lower()] = relation
    out: list[Column] = []
    for item in select.expressions:
        alias = item.alias.lower() if isinstance(item, exp.Alias) else None
        inner = item.this if isinstance(item, exp.Alias) else item
        if isinstance(inner, exp.Star):
            for relation in sources.values():
                out.extend(Column(c.name, c.type, c.nullable) for c in relation.columns)
            continue
        if isinstance(inner, exp.Column) and isinstance(inner.this, exp.Star):
            source = sources.get(inner.table.lower())
            if source is None:
                raise SqlError(f'missing FROM-clause entry for table "{inner.table.lower()}"', E.UNDEFINED_TABLE)
            out.extend(Column(c.name, c.type, c.nullable) for c in source.columns)
            continue
        column_type = "character varying(256)" if isinstance(inner, exp.Literal) and inner.is_string else "numeric"
        for ref in inner.find_all(exp.Column):
            cname, qualifier = ref.name.lower(), ref.table.lower()
            candidates = [sources[qualifier]] if qualifier in sources else list(sources.values())
            if qualifier and qualifier not in sources:
                raise SqlError(f'missing FROM-clause entry for table "{qualifier}"', E.UNDEFINED_TABLE)
            found = [c for r in candidates for c in r.columns if c.name == cname]
            if not found:
                raise SqlError(f'column "{cname}" does not exist', E.UNDEFINED_COLUMN)
            if len(found) > 1:
                raise SqlError(f'column reference "{cname}" is ambiguous', E.DUPLICATE_OBJECT)
            column_type = found[0].type
        name = alias or (inner.name.lower() if isinstance(inner, exp.Column) else "?column?")
        if any(c.name == name for c in out):
            raise SqlError(f'column "{name}" specified more than once', E.DUPLICATE_OBJECT)
        out.append(Column(name, column_type))
    return out


def _create_view(session: Session, node: exp.Create, sql: str) -> Result:
    catalog, schema_name, name = _names(node.this)
    db = _local_db(session, catalog)
    schema = _schema(db, schema_name)
    existing = schema.relations.get(name)
    if existing is not None and (existing.kind != "view" or not node.args.get("replace")):
        raise SqlError(f'relation "{name}" already exists', E.DUPLICATE_TABLE)
    if node.args.get("no_schema_binding"):
        for table in node.expression.find_all(exp.Table):
            if not table.db:
                raise SqlError("All the relation names inside should be qualified", E.SYNTAX)
        try:
            columns = _view_columns(session, node.expression)
        except SqlError:
            columns = []    # late binding: checked when queried
    else:
        columns = _view_columns(session, node.expression)
    schema.relations[name] = Relation(schema_name, name, "view", columns, definition=sql,
                                      depends=[] if node.args.get("no_schema_binding")
                                      else _view_sources(session, node.expression))
    if existing is None:
        _include_new(session, db, schema_name, name)
    return Result()


def _drop(session: Session, node: exp.Drop) -> Result:
    kind = (node.args.get("kind") or "").upper()
    db = _local_db(session)
    for table in node.args.get("tables") or [node.this]:
        if kind == "SCHEMA":
            name = (table.db or table.name).lower()
            if name not in db.schemas:
                if node.args.get("exists"):
                    continue
                raise SqlError(f'schema "{name}" does not exist', E.INVALID_SCHEMA)
            if db.schemas[name].relations and not node.args.get("cascade"):
                raise SqlError(f"cannot drop schema {name} because other objects depend on it", E.DEPENDENT_OBJECTS)
            del db.schemas[name]
            for share in session.catalog.datashares.values():
                if share.database == db.name:
                    _remove_schema(share, name)
            continue
        _, schema_name, name = _names(table)
        schema = db.schemas.get(schema_name)
        relation = schema.relations.get(name) if schema else None
        wanted = "view" if kind == "VIEW" else "table"
        if relation is None or relation.kind != wanted:
            if node.args.get("exists"):
                continue
            if relation is not None:
                raise SqlError(f'"{name}" is not a {wanted}', E.NOT_SUPPORTED)
            raise SqlError(f'{wanted} "{name}" does not exist', E.UNDEFINED_TABLE)
        dependents = _dependents(db, (schema_name, name))
        if dependents and not node.args.get("cascade"):
            s, v = dependents[0]
            raise SqlError(f"cannot drop {wanted} {name} because other objects depend on it (view {s}.{v}): use "
                           "DROP ... CASCADE", E.DEPENDENT_OBJECTS)
        for s, r in [(schema_name, name), *dependents]:
            del db.schemas[s].relations[r]
            for share in session.catalog.datashares.values():
                if share.database == db.name and (s, r) in share.relations:
                    share.relations.remove((s, r))
    return Result()


def _remove_schema(share: Datashare, schema: str) -> None:
    if schema in share.schemas:
        share.schemas.remove(schema)
    share.relations = [r for r in share.relations if r[0] != schema]
    share.include_new.discard(schema)


def _dependents(db: Database, target: tuple[str, str]) -> list[tuple[str, str]]:
    """Views that read the relation, directly or through other views (DROP ... CASCADE drops them too)."""
    out: list[tuple[str, str]] = []
    frontier = [target]
    while frontier:
        current = frontier.pop()
        for schema in db.schemas.values():
            for rel in schema.relations.values():
                key = (rel.schema, rel.name)
                if current in rel.depends and key not in out and key != target:
                    out.append(key)
                    frontier.append(key)
    return out


def _delete(session: Session, node: exp.Delete) -> Result:
    """DELETE FROM a local table (the emulator keeps no rows: nothing to delete, but the table must exist)."""
    _local_db(session)
    relation = find_relation(session, node.this)
    if relation.kind != "table":
        raise SqlError(f'cannot delete from view "{relation.name}"', E.NOT_SUPPORTED)
    if node.args.get("where") is not None:
        probe = {c.name for c in relation.columns}
        for column in node.args["where"].find_all(exp.Column):
            if column.name.lower() not in probe:
                raise SqlError(f'column "{column.name.lower()}" does not exist', E.UNDEFINED_COLUMN)
    rows, relation.rows = relation.rows, 0
    return Result(rows_affected=rows)


# https://docs.aws.amazon.com/redshift/latest/dg/copy-usage_notes-copy-from-columnar.html: "Only the following COPY
# parameters are supported" from ORC or Parquet - ACCEPTINVCHARS, FILLRECORD, FROM, IAM_ROLE, CREDENTIALS,
# STATUPDATE, MANIFEST, ACCESS_KEY_ID/SECRET_ACCESS_KEY/SESSION_TOKEN, EXPLICIT_IDS - plus SERIALIZETOJSON, a
# parameter of the columnar formats themselves (https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-format.html).
COLUMNAR_COPY_PARAMETERS = {"ACCEPTINVCHARS", "FILLRECORD", "IAM_ROLE", "CREDENTIALS", "STATUPDATE", "MANIFEST",
                            "ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN", "EXPLICIT_IDS", "SERIALIZETOJSON"}
_COPY_WORDS = {"FORMAT", "AS", "PARQUET", "ORC", "ON", "OFF", "TRUE", "FALSE", "DEFAULT"}


def _columnar_parameters(sql: str) -> None:
    """Reject what COPY from Parquet or ORC does not accept (ACCEPTANYDATE, MAXERROR, DELIMITER, ...)."""
    unquoted = re.sub(r"'(?:[^']|'')*'", " ", sql)
    after_from = re.split(r"\bFROM\b", unquoted, maxsplit=1, flags=re.IGNORECASE)
    words = [w.upper() for w in re.findall(r"[A-Za-z_]+", after_from[1] if len(after_from) > 1 else "")]
    kind = "PARQUET" if "PARQUET" in words else "ORC" if "ORC" in words else None
    if kind is None or "FORMAT" not in words:
        return
    for word in words:
        if word not in COLUMNAR_COPY_PARAMETERS | _COPY_WORDS:
            raise SqlError(f"COPY from {kind} does not support the parameter {word}: only "
                           f"{', '.join(sorted(COLUMNAR_COPY_PARAMETERS))} apply to columnar data", E.NOT_SUPPORTED)


def _copy(session: Session, node: exp.Copy, sql: str = "") -> Result:
    find_relation(session, node.this)
    _local_db(session)
    _columnar_parameters(sql)
    credentials = node.args.get("credentials")
    role = credentials.args.get("iam_role") if credentials is not None else None
    if role is None:
        raise SqlError("COPY needs IAM_ROLE: the emulator models role-based authorization only", E.INVALID_PARAMETER)
    arn = role.name if isinstance(role, exp.Literal) else role.sql().lower()
    if arn.lower() == "default":
        if session.default_iam_role is None:
            raise SqlError("no default IAM role is set for this namespace", E.INVALID_PARAMETER)
        arn = session.default_iam_role
    if arn not in session.iam_roles:
        # https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-authorization.html
        raise SqlError(f"User arn:aws:redshift:{session.catalog.region}:{session.catalog.account}:dbuser:"
                       f"{session.user} is not authorized to assume IAM Role {arn}", E.INSUFFICIENT_PRIVILEGE)
    for source in node.args.get("files") or []:
        if not source.name.startswith("s3://"):
            raise SqlError(f"Invalid S3 path {source.name}: COPY from S3 needs an s3:// URI", E.INVALID_PARAMETER)
    return Result()


# ---------------------------------------------------------------- dispatch
def execute(session: Session, sql: str) -> Result:
    """Run one statement; raise SqlError with Redshift's message when it fails."""
    from meshform.local.redshift_sql import access, query

    t = Tokens(sql)
    if t.accept("CREATE", "DATASHARE"):
        return access.create_datashare(session, t)
    if t.accept("ALTER", "DATASHARE"):
        return access.alter_datashare(session, t)
    if t.accept("DROP", "DATASHARE"):
        return access.drop_datashare(session, t)
    if t.accept("CREATE", "DATABASE"):
        return access.create_database(session, t)
    if t.accept("DROP", "DATABASE"):
        return access.drop_database(session, t)
    if t.accept("CREATE", "ROLE"):
        return access.create_principal(session, t, "role")
    if t.accept("CREATE", "USER"):
        return access.create_principal(session, t, "user")
    if t.accept("GRANT"):
        return access.grant_or_revoke(session, t, True)
    if t.accept("REVOKE"):
        return access.grant_or_revoke(session, t, False)
    if t.peek("SHOW"):
        # sqlglot tokenizes what follows SHOW as one string: read it again on its own
        return query.show(session, Tokens(sql.strip()[4:]))
    head = t.tokens[0].text.upper() if t.tokens else ""
    if head == "CREATE" and t.peek("CREATE", "TABLE"):
        sql = _strip_table_attributes(sql)
    try:
        node = sqlglot.parse_one(sql, read="redshift", error_level=sqlglot.ErrorLevel.RAISE)
    except sqlglot.errors.ParseError as error:
        near = error.errors[0].get("highlight") if error.errors else None
        raise SqlError(f'syntax error at or near "{near or sql.split()[0]}"', E.SYNTAX) from None
    if isinstance(node, exp.Create):
        kind = (node.args.get("kind") or "").upper()
        if kind == "SCHEMA":
            return _create_schema(session, node)
        if kind == "TABLE":
            return _create_table(session, node)
        if kind == "VIEW" and not node.args.get("materialized"):
            return _create_view(session, node, sql)
    if isinstance(node, exp.Drop) and (node.args.get("kind") or "").upper() in ("SCHEMA", "TABLE", "VIEW"):
        return _drop(session, node)
    if isinstance(node, exp.Delete):
        return _delete(session, node)
    if isinstance(node, exp.Copy):
        return _copy(session, node, sql)
    if isinstance(node, exp.Select):
        return query.select(session, node)
    words = sql.split()
    if isinstance(node, exp.Command) and words[0].upper() in ("CREATE", "ALTER", "DROP") and len(words) > 1 and (
            words[1].upper() not in _OBJECT_KINDS):
        raise SqlError(f'syntax error at or near "{words[1]}"', E.SYNTAX)
    raise SqlError(f"the Redshift emulator does not model this statement: {' '.join(words[:2]).upper()} ...",
                   E.NOT_SUPPORTED)


# What CREATE/ALTER/DROP may name in Redshift (https://docs.aws.amazon.com/redshift/latest/dg/c_SQL_commands.html);
# anything else after those words is a syntax error.
_OBJECT_KINDS = {"DATABASE", "DATASHARE", "EXTERNAL", "FUNCTION", "GROUP", "IDENTITY", "LIBRARY", "MASKING",
                 "MATERIALIZED", "MODEL", "PROCEDURE", "RLS", "ROLE", "SCHEMA", "TABLE", "TEMP", "TEMPORARY", "USER",
                 "VIEW", "OR", "DEFAULT", "LOCAL"}
