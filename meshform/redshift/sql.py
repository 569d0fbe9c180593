"""Every SQL statement meshform runs on Redshift, generated from the contracts and the access model.

Statement forms (one statement per Data API ExecuteStatement call; identifiers always double-quoted, account ids
and namespace ids single-quoted literals, https://docs.aws.amazon.com/redshift/latest/dg/r_names.html):

    producer (the domain's database)
      CREATE SCHEMA IF NOT EXISTS "<schema>"
      DROP TABLE IF EXISTS "<schema>"."<table>" CASCADE
      CREATE TABLE "<schema>"."<table>" ("<col>" <TYPE> [NOT NULL], ..., PRIMARY KEY ("<col>", ...))
      DROP VIEW IF EXISTS "<schema>"."<view>"
      CREATE VIEW "<schema>"."<view>" AS SELECT "<col>", ... FROM "<schema>"."<table>"
      CREATE DATASHARE "<share>" SET PUBLICACCESSIBLE FALSE
      ALTER DATASHARE "<share>" ADD SCHEMA "<schema>"
      ALTER DATASHARE "<share>" ADD TABLE "<schema>"."<table or view>"
      GRANT USAGE ON DATASHARE "<share>" TO ACCOUNT '<12 digits>'
      REVOKE USAGE ON DATASHARE "<share>" FROM ACCOUNT '<12 digits>'    (tombstone: revoking an account that holds
                                                                        no grant changes nothing)
    consumer (its own database)
      CREATE DATABASE "<database>" FROM DATASHARE "<share>" OF ACCOUNT '<12 digits>' NAMESPACE '<namespace id>'
      CREATE USER "IAMR:<role name>" PASSWORD DISABLE
      GRANT USAGE ON DATABASE "<database>" TO "IAMR:<role name>"
      DROP DATABASE "<database>" FORCE                                 (once the subscription is gone: only for a
                                                                        database meshform created, as Redshift has
                                                                        no DROP DATABASE IF EXISTS)
    pipeline load (one BatchExecuteStatement = one transaction, per table)
      DELETE FROM "<schema>"."<table>"
      COPY "<schema>"."<table>" FROM 's3://<bucket>/<product>/<table>/' IAM_ROLE '<role arn>'
          FORMAT AS PARQUET [FILLRECORD] [SERIALIZETOJSON]

Types (contract physicalType = Glue/Hive type -> Redshift, https://docs.aws.amazon.com/redshift/latest/dg/c_Supported_data_types.html):
string -> VARCHAR(65535) (Redshift's longest VARCHAR; Hive strings are unbounded), char(n)/varchar(n) keep n,
tinyint/smallint -> SMALLINT (Redshift has no 1-byte integer), int/integer -> INTEGER, bigint -> BIGINT,
float -> REAL, double -> DOUBLE PRECISION, boolean -> BOOLEAN, date -> DATE, timestamp -> TIMESTAMP,
decimal(p,s) -> DECIMAL(p,s) (both allow precision 38), decimal -> DECIMAL(10,0) (Hive's default),
binary -> VARBYTE(1024000) (Redshift's maximum), array/map/struct -> SUPER (loaded with SERIALIZETOJSON).
Keys: the contract's primaryKey columns become the (informational) PRIMARY KEY; distribution and sort keys are
left to Redshift: without DISTSTYLE/SORTKEY clauses a table gets DISTSTYLE AUTO and SORTKEY AUTO
(https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_NEW.html) - the documented defaults. Data
columns the contract marks `required` are NOT NULL; partition columns are nullable and last: Hive-partitioned
Parquet does not carry their values in the files, so COPY fills them with NULL (FILLRECORD) - see
docs/redshift.md, "Loading".
"""
from __future__ import annotations

import re

from meshform.spec.contract import Column, Table

VARCHAR_MAX = 65535
VARBYTE_MAX = 1024000
HIVE_DEFAULT_DECIMAL = (10, 0)

_SIMPLE = {"string": f"VARCHAR({VARCHAR_MAX})", "tinyint": "SMALLINT", "smallint": "SMALLINT", "int": "INTEGER",
           "integer": "INTEGER", "bigint": "BIGINT", "float": "REAL", "double": "DOUBLE PRECISION",
           "boolean": "BOOLEAN", "date": "DATE", "timestamp": "TIMESTAMP", "binary": f"VARBYTE({VARBYTE_MAX})"}
_DECIMAL = re.compile(r"decimal\(\s*([0-9]{1,2})\s*(?:,\s*([0-9]{1,2})\s*)?\)", re.ASCII)
_CHARS = re.compile(r"(varchar|char)\(\s*([0-9]{1,5})\s*\)", re.ASCII)


def redshift_type(hive_type: str) -> str:
    """The Redshift column type of a contract's (validated) Glue/Hive type."""
    t = hive_type.strip().lower()
    if t in _SIMPLE:
        return _SIMPLE[t]
    if t == "decimal":
        return "DECIMAL({},{})".format(*HIVE_DEFAULT_DECIMAL)
    if m := _DECIMAL.fullmatch(t):
        return f"DECIMAL({m.group(1)},{m.group(2) or 0})"
    if m := _CHARS.fullmatch(t):
        return f"{m.group(1).upper()}({m.group(2)})"
    if t.startswith(("array<", "map<", "struct<")):
        return "SUPER"
    raise ValueError(f"no Redshift type for {hive_type!r}")


def ident(name: str) -> str:
    """A double-quoted identifier ("" escapes a quote; mesh names never contain one)."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def qualified(schema: str, name: str) -> str:
    return f"{ident(schema)}.{ident(name)}"


def _column(column: Column, partition: bool) -> str:
    not_null = " NOT NULL" if column.required and not partition else ""
    return f"{ident(column.name)} {redshift_type(column.type)}{not_null}"


def create_schema(schema: str) -> str:
    return f"CREATE SCHEMA IF NOT EXISTS {ident(schema)}"


def drop_table(schema: str, table: str) -> str:
    # CASCADE: the clearance views on the table go too; their statements re-run after the new table exists.
    return f"DROP TABLE IF EXISTS {qualified(schema, table)} CASCADE"


def create_table(schema: str, table: Table) -> str:
    parts = [_column(c, False) for c in table.columns] + [_column(c, True) for c in table.partition_keys]
    keys = [c.name for c in table.columns if c.primary_key]
    if keys:
        parts.append("PRIMARY KEY (" + ", ".join(ident(k) for k in keys) + ")")
    return f"CREATE TABLE {qualified(schema, table.name)} ({', '.join(parts)})"


def drop_view(schema: str, view: str) -> str:
    return f"DROP VIEW IF EXISTS {qualified(schema, view)}"


def create_view(schema: str, view: str, table: str, columns: tuple[str, ...]) -> str:
    return (f"CREATE VIEW {qualified(schema, view)} AS SELECT {', '.join(ident(c) for c in columns)} "
            f"FROM {qualified(schema, table)}")


def create_datashare(share: str) -> str:
    # Never shareable with publicly accessible warehouses
    # (https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_DATASHARE.html).
    return f"CREATE DATASHARE {ident(share)} SET PUBLICACCESSIBLE FALSE"


def add_schema(share: str, schema: str) -> str:
    return f"ALTER DATASHARE {ident(share)} ADD SCHEMA {ident(schema)}"


def add_table(share: str, schema: str, name: str) -> str:
    """Tables and views are both added with ADD TABLE (https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_DATASHARE.html)."""
    return f"ALTER DATASHARE {ident(share)} ADD TABLE {qualified(schema, name)}"


def grant_usage(share: str, account: str) -> str:
    return f"GRANT USAGE ON DATASHARE {ident(share)} TO ACCOUNT {literal(account)}"


def revoke_usage(share: str, account: str) -> str:
    return f"REVOKE USAGE ON DATASHARE {ident(share)} FROM ACCOUNT {literal(account)}"


def create_database_from_share(database: str, share: str, producer_account: str, namespace_id: str) -> str:
    """`namespace_id` may be a Terraform expression (`${...}`): the consumer finds it at plan time."""
    return (f"CREATE DATABASE {ident(database)} FROM DATASHARE {ident(share)} OF ACCOUNT {literal(producer_account)} "
            f"NAMESPACE {literal(namespace_id)}")


def drop_database(database: str) -> str:
    """A consumer database whose subscription ended. FORCE ends the sessions still connected to it (a BI tool's
    idle connection would otherwise fail the apply); they can read nothing anyway once the producer revoked the
    datashare. Redshift's grammar has no IF EXISTS and no stored procedure may run DROP DATABASE
    (https://docs.aws.amazon.com/redshift/latest/dg/r_DROP_DATABASE.html,
    https://docs.aws.amazon.com/redshift/latest/dg/stored-procedure-constraints.html), so it runs only for a database
    meshform recorded having created (modules/constructs/redshift/consumer_databases.py)."""
    return f"DROP DATABASE {ident(database)} FORCE"


def create_iam_user(user: str) -> str:
    # PASSWORD DISABLE: the role signs in with temporary IAM credentials only
    # (https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_USER.html).
    return f"CREATE USER {ident(user)} PASSWORD DISABLE"


def grant_database_usage(database: str, user: str) -> str:
    return f"GRANT USAGE ON DATABASE {ident(database)} TO {ident(user)}"


def delete_rows(schema: str, table: str) -> str:
    # DELETE, not TRUNCATE: TRUNCATE commits the batch's transaction, so readers could see an empty table
    # (https://docs.aws.amazon.com/redshift/latest/dg/r_TRUNCATE.html).
    return f"DELETE FROM {qualified(schema, table)}"


def copy_parquet(schema: str, table: Table, location: str, role_arn: str) -> str:
    options = ["FORMAT AS PARQUET"]
    if table.partition_keys:
        options.append("FILLRECORD")
    if any(redshift_type(c.type) == "SUPER" for c in table.all_columns):
        options.append("SERIALIZETOJSON")
    return (f"COPY {qualified(schema, table.name)} FROM {literal(location)} IAM_ROLE {literal(role_arn)} "
            + " ".join(options))


def grant_schema_usage(schema: str, user: str) -> str:
    return f"GRANT USAGE ON SCHEMA {ident(schema)} TO {ident(user)}"


def grant_load(schema: str, table: str, user: str) -> str:
    """What the pipeline's load needs on a table: replace its rows (DELETE, then COPY = INSERT)."""
    return f"GRANT SELECT, INSERT, DELETE ON {qualified(schema, table)} TO {ident(user)}"
