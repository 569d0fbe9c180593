"""Datashares, grants, users, roles and CREATE DATABASE: the statements sqlglot 30 does not parse, read with the
strict grammar of grammar.py. The rules each enforces are listed, with their documentation, in engine.py."""
from __future__ import annotations

import re

from sqlglot import exp

from meshform.local.redshift_sql import errors as E
from meshform.local.redshift_sql.catalog import ConsumerAccount, Database, Datashare, ShareSource
from meshform.local.redshift_sql.engine import (
    Result,
    Session,
    SqlError,
    _datashare,
    _db,
    _local_db,
    _remove_schema,
    _schema,
    find_relation,
    may_consume,
    now,
    relations_of,
    schemas_of,
)
from meshform.local.redshift_sql.grammar import Tokens


def create_datashare(session: Session, t: Tokens) -> Result:
    name = t.ident()
    public = False
    if t.accept("SET") or t.peek("PUBLICACCESSIBLE"):
        t.expect("PUBLICACCESSIBLE")
        public = t.boolean()
    t.end()
    db = _local_db(session)
    if name in session.catalog.datashares:
        raise SqlError(f'datashare "{name}" already exists', E.DUPLICATE_OBJECT)
    session.catalog.datashares[name] = Datashare(name, db.name, session.user, now(), public_accessible=public)
    return Result()




def alter_datashare(session: Session, t: Tokens) -> Result:
    share = _datashare(session, t.ident())
    db = _local_db(session)
    if db.name != share.database:
        raise SqlError(f'datashare "{share.name}" belongs to database "{share.database}": connect to it to alter '
                       "the datashare", E.NOT_SUPPORTED)
    if t.accept("SET"):
        if t.accept("PUBLICACCESSIBLE"):
            share.public_accessible = t.boolean()
        elif t.accept("INCLUDENEW"):
            value = t.boolean()
            t.expect("FOR", "SCHEMA")
            schema = t.ident()
            if schema not in share.schemas:
                raise SqlError(f'schema "{schema}" is not added to datashare "{share.name}"', E.UNDEFINED_OBJECT)
            (share.include_new.add if value else share.include_new.discard)(schema)
        else:
            raise t.error()
        t.end()
        return Result()
    adding = t.accept("ADD")
    if not adding:
        t.expect("REMOVE")
    if t.accept("SCHEMA"):
        schemas = t.comma_list(t.ident)
        t.end()
        for schema in schemas:
            _schema(db, schema)
            if adding:
                if schema in share.schemas:
                    raise SqlError(f'schema "{schema}" is already added to datashare "{share.name}"',
                                   E.DUPLICATE_OBJECT)
                share.schemas.append(schema)
            else:
                if schema not in share.schemas:
                    raise SqlError(f'schema "{schema}" is not added to datashare "{share.name}"', E.UNDEFINED_OBJECT)
                _remove_schema(share, schema)
        return Result()
    if t.accept("ALL", "TABLES", "IN", "SCHEMA"):
        schemas = t.comma_list(t.ident)
        t.end()
        for schema in schemas:
            found = _schema(db, schema)
            require_schema_added(share, schema)
            for rel in found.relations:
                if adding and (schema, rel) not in share.relations:
                    share.relations.append((schema, rel))
                if not adding and (schema, rel) in share.relations:
                    share.relations.remove((schema, rel))
        return Result()
    t.expect("TABLE")
    tables = t.comma_list(lambda: t.dotted(3))
    t.end()
    for parts in tables:
        if len(parts) == 3 and parts[0] != db.name:
            raise SqlError(f'cross-database reference to database "{parts[0]}" is not supported', E.NOT_SUPPORTED)
        schema, rel = (parts[-2], parts[-1]) if len(parts) > 1 else ("public", parts[0])
        if rel not in _schema(db, schema).relations:
            raise SqlError(f'relation "{schema}.{rel}" does not exist', E.UNDEFINED_TABLE)
        require_schema_added(share, schema)
        if adding:
            if (schema, rel) in share.relations:
                raise SqlError(f'relation "{schema}.{rel}" is already added to datashare "{share.name}"',
                               E.DUPLICATE_OBJECT)
            share.relations.append((schema, rel))
        else:
            if (schema, rel) not in share.relations:
                raise SqlError(f'relation "{schema}.{rel}" is not added to datashare "{share.name}"',
                               E.UNDEFINED_OBJECT)
            share.relations.remove((schema, rel))
    return Result()


def require_schema_added(share: Datashare, schema: str) -> None:
    if schema not in share.schemas:
        # "To add objects ... you must first add the schema" (r_ALTER_DATASHARE.html, Usage notes)
        raise SqlError(f'schema "{schema}" must be added to datashare "{share.name}" before its objects',
                       E.UNDEFINED_OBJECT)


def drop_datashare(session: Session, t: Tokens) -> Result:
    exists = t.accept("IF", "EXISTS")
    name = t.ident()
    t.end()
    if name not in session.catalog.datashares:
        if exists:
            return Result()
        raise SqlError(f'datashare "{name}" does not exist', E.UNDEFINED_OBJECT)
    del session.catalog.datashares[name]
    return Result()


def share_grant(session: Session, t: Tokens, grant: bool) -> Result:
    share = _datashare(session, t.ident())
    t.expect("TO" if grant else "FROM")
    if t.accept("ACCOUNT"):
        account = t.string()
        via = t.accept("VIA", "DATA", "CATALOG")
        t.end()
        if not re.fullmatch(r"\d{12}", account):
            raise SqlError(f"invalid account id '{account}': an AWS account id is 12 digits", E.INVALID_PARAMETER)
        if account == session.catalog.account:
            raise SqlError("cannot grant a datashare to the producer's own account: grant it to a namespace",
                           E.INVALID_PARAMETER)
        if grant:
            if account not in share.accounts or share.accounts[account].status in ("DEAUTHORIZED", "REJECTED"):
                stamp = now()
                share.accounts[account] = ConsumerAccount(account, "PENDING_AUTHORIZATION", stamp, stamp, via)
        else:
            # as in PostgreSQL, revoking what was never granted changes nothing
            share.accounts.pop(account, None)
        return Result()
    t.expect("NAMESPACE")
    namespace = t.string().lower()
    t.end()
    if not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", namespace):
        raise SqlError(f"invalid namespace '{namespace}': a namespace is identified by its GUID", E.INVALID_PARAMETER)
    if grant:
        share.namespaces.setdefault(namespace, now())
    else:
        share.namespaces.pop(namespace, None)
    return Result()


def create_database(session: Session, t: Tokens) -> Result:
    name = t.ident()
    if session.in_transaction:
        raise SqlError("CREATE DATABASE cannot run inside a transaction block", E.ACTIVE_TRANSACTION)
    if name in session.catalog.databases:
        raise SqlError(f'database "{name}" already exists', E.DUPLICATE_DATABASE)
    t.accept("WITH", "PERMISSIONS")
    if not t.accept("FROM", "DATASHARE"):
        t.end()
        session.catalog.ensure_database(name).owner = session.user
        return Result()
    share_name = t.ident()
    t.expect("OF")
    account = t.string() if t.accept("ACCOUNT") else session.catalog.account
    t.expect("NAMESPACE")
    namespace = t.string().lower()
    t.end()
    producer = session.directory.namespace(account, namespace)
    share = producer.datashares.get(share_name) if producer is not None else None
    if producer is None or share is None or not may_consume(share, producer, session.catalog):
        raise SqlError(f"Datashare {share_name} of account {account} namespace {namespace} does not exist or is not "
                       "available to this namespace: the producer must grant it and, across accounts, authorize it, "
                       "and the consumer must associate it with this namespace", E.UNDEFINED_OBJECT)
    session.catalog.databases[name] = Database(name, session.user, {}, ShareSource(share_name, account, namespace))
    return Result()


# https://docs.aws.amazon.com/redshift/latest/dg/r_DROP_DATABASE.html: "You can't drop the dev, padb_harvest,
# template0, template1, or sys:internal databases, and you can't drop the current database."
UNDROPPABLE_DATABASES = {"dev", "padb_harvest", "template0", "template1", "sys:internal"}


def drop_database(session: Session, t: Tokens) -> Result:
    """DROP DATABASE d [FORCE] (https://docs.aws.amazon.com/redshift/latest/dg/r_DROP_DATABASE.html): no IF EXISTS
    in Redshift's grammar, so a database that does not exist is an error; never inside a transaction block; never
    the system databases or the one the session is connected to. A database created
    FROM DATASHARE is dropped like any other, whether or not the producer still shares it (its objects live in the
    producer's namespace: nothing of the producer changes). Dropping a local database drops the datashares created
    in it, so their consumers lose access, as DROP DATASHARE does. FORCE ends the sessions connected to it; the
    emulator has no long-lived sessions, so it changes nothing here."""
    if t.accept("IF"):
        raise SqlError('syntax error at or near "IF"', E.SYNTAX)
    name = t.ident()
    t.accept("FORCE")
    t.end()
    if session.in_transaction:
        raise SqlError("DROP DATABASE cannot run inside a transaction block", E.ACTIVE_TRANSACTION)
    if name in UNDROPPABLE_DATABASES:
        raise SqlError(f'cannot drop database "{name}": it is a system database', E.INSUFFICIENT_PRIVILEGE)
    if name == session.database:
        raise SqlError("cannot drop the currently open database", E.OBJECT_IN_USE)
    db = session.catalog.databases.get(name)
    if db is None:
        raise SqlError(f'database "{name}" does not exist', E.INVALID_CATALOG)
    del session.catalog.databases[name]
    for share in [s for s in session.catalog.datashares.values() if s.database == name]:
        del session.catalog.datashares[share.name]
    return Result()


def principal_of(session: Session, t: Tokens) -> str:
    if t.accept("ROLE"):
        role = t.ident()
        if role not in session.catalog.roles:
            raise SqlError(f'role "{role}" does not exist', E.UNDEFINED_OBJECT)
        return f"role:{role}"
    if t.accept("PUBLIC"):
        return "public"
    t.accept("USER")
    user = t.ident()
    if user not in session.catalog.users and user != session.catalog.admin_user:
        raise SqlError(f'user "{user}" does not exist', E.UNDEFINED_OBJECT)
    return f"user:{user}"


def grant_or_revoke(session: Session, t: Tokens, grant: bool) -> Result:
    if t.accept("USAGE", "ON", "DATASHARE"):
        return share_grant(session, t, grant)
    privileges: list[str] = []
    if t.accept("ALL"):
        t.accept("PRIVILEGES")
        privileges = ["all"]
    else:
        privileges = t.comma_list(t.ident)
    t.expect("ON")
    objects: list[str]
    if t.accept("DATABASE"):
        names = t.comma_list(t.ident)
        for n in names:
            _db(session, n)
        objects = [f"database:{n}" for n in names]
        allowed = {"usage", "create", "temporary", "temp", "all"}
    elif t.accept("SCHEMA"):
        names = t.comma_list(t.ident)
        for n in names:
            if n not in schemas_of(session, _db(session)):
                raise SqlError(f'schema "{n}" does not exist', E.INVALID_SCHEMA)
        objects = [f"schema:{session.database}.{n}" for n in names]
        allowed = {"usage", "create", "alter", "all"}
    elif t.accept("ALL", "TABLES", "IN", "SCHEMA"):
        names = t.comma_list(t.ident)
        db = _db(session)
        rels = relations_of(session, db)
        for n in names:
            if n not in schemas_of(session, db):
                raise SqlError(f'schema "{n}" does not exist', E.INVALID_SCHEMA)
        objects = [f"table:{session.database}.{s}.{r}" for (s, r) in rels if s in names]
        allowed = {"select", "insert", "update", "delete", "drop", "references", "alter", "truncate", "all"}
    else:
        t.accept("TABLE")
        tables = t.comma_list(lambda: t.dotted(3))
        objects = []
        for parts in tables:
            table = exp.Table(this=exp.to_identifier(parts[-1]),
                              db=exp.to_identifier(parts[-2]) if len(parts) > 1 else None,
                              catalog=exp.to_identifier(parts[0]) if len(parts) > 2 else None)
            rel = find_relation(session, table)
            objects.append(f"table:{parts[0] if len(parts) > 2 else session.database}.{rel.schema}.{rel.name}")
        allowed = {"select", "insert", "update", "delete", "drop", "references", "alter", "truncate", "all"}
    bad = [p for p in privileges if p not in allowed]
    if bad:
        raise SqlError(f'invalid privilege type {bad[0].upper()} for this object', E.SYNTAX)
    t.expect("TO" if grant else "FROM")
    principals = t.comma_list(lambda: principal_of(session, t))
    t.end()
    for privilege in privileges:
        for obj in objects:
            for principal in principals:
                if grant:
                    session.catalog.grants.add((privilege, obj, principal))
                else:
                    session.catalog.grants.discard((privilege, obj, principal))
    return Result()


def create_principal(session: Session, t: Tokens, kind: str) -> Result:
    name = t.ident()
    if kind == "role":
        t.end()
        if name in session.catalog.roles:
            raise SqlError(f'role "{name}" already exists', E.DUPLICATE_OBJECT)
        session.catalog.roles.add(name)
        return Result()
    if t.accept("PASSWORD"):
        if not t.accept("DISABLE"):
            password = t.string()
            # https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_USER.html: 8-64 characters, an upper- and a
            # lower-case letter and a digit (or an md5/sha256 hash)
            if not (password.startswith(("md5", "sha256")) or (
                    8 <= len(password) <= 64 and re.search(r"[A-Z]", password) and re.search(r"[a-z]", password)
                    and re.search(r"\d", password))):
                raise SqlError("password must contain 8-64 characters with an upper-case letter, a lower-case "
                               "letter and a digit", E.INVALID_PARAMETER)
    t.end()
    if name in session.catalog.users or name == session.catalog.admin_user:
        raise SqlError(f'user "{name}" already exists', E.DUPLICATE_OBJECT)
    session.catalog.users.add(name)
    return Result()
