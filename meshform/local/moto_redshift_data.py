"""The Redshift Data API for moto 5.2.5, executing the SQL: moto's redshift-data backend stored every statement as
STARTED and answered GetStatementResult with the same three made-up rows. Here ExecuteStatement and
BatchExecuteStatement run the SQL through meshform/local/redshift_sql/ against the target namespace's catalog
(a Redshift Serverless workgroup's namespace, or a provisioned cluster's), and the statement is FINISHED or FAILED
with Redshift's error text in `Error`, which is what aws_redshiftdata_statement waits for and reports
(provider internal/service/redshiftdata/statement.go).

AWS's rules modelled (https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_ExecuteStatement.html,
https://docs.aws.amazon.com/redshift/latest/mgmt/data-api.html):
- exactly one of ClusterIdentifier and WorkgroupName; Database required; DbUser only with ClusterIdentifier; a
  cluster needs SecretArn or DbUser (temporary credentials), a workgroup SecretArn or the caller's IAM identity;
  an unknown cluster or workgroup: ValidationException "Redshift endpoint doesn't exist in this region.";
- SecretArn: a secret of the caller's account holding `username` and `password`; wrong credentials fail the
  statement ("password authentication failed for user ...");
- ExecuteStatement runs one statement (the Data API prepares it: several are "cannot insert multiple commands
  into a prepared statement"); BatchExecuteStatement runs its Sqls (1-40) as one transaction: the first failure
  fails the batch, rolls back every sub-statement and aborts the rest; CREATE DATABASE cannot run in it;
- sub-statement ids are `<id>:<n>`; GetStatementResult needs a FINISHED statement with a result set
  ("Query does not have result."), paginates with NextToken;
- statement metadata is kept 24 hours (https://docs.aws.amazon.com/redshift/latest/mgmt/data-api-calling.html):
  POST /moto-api/meshform/redshift-data/expire-statements ({"account": ..., "region": ...}, both optional)
  simulates that; DescribeStatement then answers ValidationException "... has expired ...", the form the
  provider's FindStatementByID tolerates.
"""
from __future__ import annotations

import copy
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from moto.core.exceptions import JsonRESTError

from meshform.local.redshift_sql import LOCK, NamespaceCatalog, Session, SqlError, execute, split_statements
from meshform.local.redshift_sql.engine import Result

ID = re.compile(r"^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}(:\d+)?$")
PAGE = 1000


class DataError(JsonRESTError):
    code = 400

    def __init__(self, error: str, message: str):
        super().__init__(error, message)


def validation(message: str) -> DataError:
    return DataError("ValidationException", message)


@dataclass
class Sub:
    id: str
    sql: str
    created: float
    status: str = "SUBMITTED"
    error: str | None = None
    result: Result | None = None
    duration: int = 0

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Id": self.id, "QueryString": self.sql, "CreatedAt": self.created,
                               "UpdatedAt": self.created, "Status": self.status, "Duration": self.duration,
                               "HasResultSet": bool(self.result and self.result.has_result_set),
                               "RedshiftQueryId": abs(hash(self.id)) % 100000,
                               "ResultRows": len(self.result.rows) if self.result and self.result.has_result_set
                               else (0 if self.status == "FINISHED" else -1),
                               "ResultSize": len(json.dumps(self.result.rows, default=str))
                               if self.result and self.result.has_result_set else 0}
        if self.error:
            out["Error"] = self.error
        return out


@dataclass
class Statement:
    id: str
    database: str
    cluster: str | None
    workgroup: str | None
    secret_arn: str | None
    db_user: str | None
    name: str | None
    parameters: list[dict] | None
    created: float
    subs: list[Sub] = field(default_factory=list)
    batch: bool = False
    expired: bool = False

    @property
    def status(self) -> str:
        statuses = [s.status for s in self.subs]
        if "FAILED" in statuses:
            return "FAILED"
        return "FINISHED" if all(s == "FINISHED" for s in statuses) else statuses[0]

    def common(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Id": self.id, "Database": self.database, "CreatedAt": self.created}
        for key, value in (("ClusterIdentifier", self.cluster), ("WorkgroupName", self.workgroup),
                           ("SecretArn", self.secret_arn), ("DbUser", self.db_user)):
            if value:
                out[key] = value
        return out

    def describe(self) -> dict[str, Any]:
        out = {**self.common(), "Status": self.status, "UpdatedAt": self.created, "RedshiftPid": 1073815778,
               "Duration": sum(s.duration for s in self.subs)}
        if self.batch:
            out["SubStatements"] = [s.describe() for s in self.subs]
            out["HasResultSet"] = False
            failed = next((s for s in self.subs if s.error), None)
            if failed:
                out["Error"] = failed.error
        else:
            sub = self.subs[0].describe()
            out.update({k: v for k, v in sub.items() if k not in ("Id", "CreatedAt", "UpdatedAt", "Duration")})
        if self.parameters:
            out["QueryParameters"] = self.parameters
        return out


# ---------------------------------------------------------------- finding the namespace a statement runs in
@dataclass
class Target:
    catalog: NamespaceCatalog
    admin_user: str
    admin_password: str | None
    iam_roles: list[str]
    default_role: str | None


def _target(account: str, region: str, cluster: str | None, workgroup: str | None) -> Target:
    from meshform.local.moto_redshift_datashares import cluster_catalog
    from meshform.local.moto_redshift_serverless import redshiftserverless_backends

    if workgroup is not None:
        serverless = redshiftserverless_backends[account][region]
        wg = serverless.workgroups.get(workgroup)
        if wg is None:
            raise validation("Redshift endpoint doesn't exist in this region.")
        ns = serverless.namespaces[wg.namespace]
        assert ns.catalog is not None
        return Target(ns.catalog, (ns.admin_username or "admin").lower(), ns.admin_password, ns.iam_roles,
                      ns.default_iam_role)
    from moto.redshift.models import redshift_backends

    found = redshift_backends[account][region].clusters.get(cluster or "")
    if found is None:
        raise validation("Redshift endpoint doesn't exist in this region.")
    return Target(cluster_catalog(found), found.master_username.lower(), found.master_user_password,
                  list(found.iam_roles_arn), None)


def _user(account: str, region: str, target: Target, secret_arn: str | None, db_user: str | None) -> str | SqlError:
    """The database user the statement runs as, or the authentication error that fails it."""
    if secret_arn is None:
        # temporary credentials: DbUser on a cluster, the caller's IAM identity on a workgroup (IAMR:<role>)
        return (db_user or "iamr:mesh-deploy").lower()
    from moto.secretsmanager.models import secretsmanager_backends

    sm = secretsmanager_backends[account][region]
    try:
        value = sm.get_secret_value(secret_arn, None, None)
    except Exception:
        raise validation(f"Secrets Manager secret {secret_arn} was not found in account {account}.") from None
    try:
        creds = json.loads(value.get("SecretString") or "{}")
        user, password = str(creds["username"]).lower(), creds["password"]
    except (ValueError, KeyError, TypeError):
        raise validation(f"Secret {secret_arn} must hold a JSON object with username and password.") from None
    if user == target.admin_user and password == target.admin_password:
        return user
    return SqlError(f'password authentication failed for user "{user}"', "28P01")


# ---------------------------------------------------------------- backend methods (grafted onto moto's backend)
class StrictRedshiftData:
    account_id: str
    region_name: str

    @property
    def meshform_statements(self) -> dict[str, Statement]:
        if not hasattr(self, "_meshform_statements"):
            self._meshform_statements: dict[str, Statement] = {}
        return self._meshform_statements

    def _directory(self) -> Any:
        from meshform.local.moto_redshift_datashares import Directory

        return Directory(self.region_name)

    def _start(self, params: dict, sqls: list[str], batch: bool) -> Statement:
        cluster, workgroup = params.get("ClusterIdentifier"), params.get("WorkgroupName")
        if (cluster is None) == (workgroup is None):
            raise validation("Specify exactly one of ClusterIdentifier and WorkgroupName.")
        if not params.get("Database"):
            raise validation("Database is required.")
        if workgroup is not None and params.get("DbUser"):
            raise validation("DbUser is not supported with WorkgroupName: use SecretArn or your IAM identity.")
        if cluster is not None and not (params.get("SecretArn") or params.get("DbUser")):
            raise validation("Specify SecretArn or DbUser to connect to a provisioned cluster.")
        target = _target(self.account_id, self.region_name, cluster, workgroup)
        user = _user(self.account_id, self.region_name, target, params.get("SecretArn"), params.get("DbUser"))
        now = time.time()
        stmt = Statement(str(uuid.uuid4()), params["Database"], cluster, workgroup, params.get("SecretArn"),
                         params.get("DbUser"), params.get("StatementName"), params.get("Parameters"), now,
                         batch=batch)
        stmt.subs = [Sub(f"{stmt.id}:{i}" if batch else stmt.id, sql, now) for i, sql in enumerate(sqls, 1)]
        self.meshform_statements[stmt.id] = stmt
        with LOCK:
            self._run(stmt, target, user)
        return stmt

    def _run(self, stmt: Statement, target: Target, user: str | SqlError) -> None:
        catalog = target.catalog
        snapshot = copy.deepcopy((catalog.databases, catalog.datashares, catalog.roles, catalog.users,
                                  catalog.grants))
        failure: str | None = None
        for sub in stmt.subs:
            started = time.perf_counter()
            if failure is not None:
                sub.status, sub.error = "ABORTED", None
                continue
            try:
                if isinstance(user, SqlError):
                    raise user
                if stmt.database not in catalog.databases:
                    raise SqlError(f'database "{stmt.database}" does not exist', "3D000")
                parts = split_statements(sub.sql)
                if len(parts) != 1:
                    raise SqlError("cannot insert multiple commands into a prepared statement" if parts
                                   else "syntax error at end of input", "42601")
                session = Session(catalog, stmt.database, user, self._directory(), target.iam_roles,
                                  target.default_role, in_transaction=stmt.batch)
                sub.result = execute(session, parts[0])
                sub.status = "FINISHED"
            except SqlError as error:
                sub.status, sub.error, failure = "FAILED", str(error), str(error)
            sub.duration = int((time.perf_counter() - started) * 1e9)
        if failure is not None and stmt.batch:
            # one transaction: a failure rolls back what the earlier sub-statements did
            (catalog.databases, catalog.datashares, catalog.roles, catalog.users, catalog.grants) = snapshot

    def _statement(self, statement_id: str | None) -> tuple[Statement, Sub | None]:
        if not statement_id or not ID.match(statement_id):
            raise validation("id must satisfy regex pattern: ^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}(:\\d+)?$")
        base, _, index = statement_id.partition(":")
        stmt = self.meshform_statements.get(base)
        if stmt is None:
            raise DataError("ResourceNotFoundException", "Query does not exist.")
        if stmt.expired:
            raise validation(f"Query {statement_id} has expired: statement metadata is kept for 24 hours.")
        if not index:
            return stmt, None
        sub = next((s for s in stmt.subs if s.id == statement_id), None) if stmt.batch else None
        if sub is None:
            raise DataError("ResourceNotFoundException", "Query does not exist.")
        return stmt, sub

    # ---- API
    def strict_execute_statement(self, params: dict) -> dict:
        if not params.get("Sql"):
            raise validation("Sql is required.")
        stmt = self._start(params, [params["Sql"]], batch=False)
        return stmt.common()

    def strict_batch_execute_statement(self, params: dict) -> dict:
        sqls = params.get("Sqls") or []
        if not 1 <= len(sqls) <= 40:
            raise validation("Sqls must hold 1 to 40 statements.")
        stmt = self._start(params, sqls, batch=True)
        return stmt.common()

    def strict_describe_statement(self, params: dict) -> dict:
        stmt, sub = self._statement(params.get("Id"))
        if sub is not None:
            return {**stmt.common(), **sub.describe()}
        return stmt.describe()

    def strict_get_statement_result(self, params: dict) -> dict:
        stmt, sub = self._statement(params.get("Id"))
        if sub is None:
            if stmt.batch:
                raise validation("Query does not have result. Get the result of a sub-statement (<id>:<n>).")
            sub = stmt.subs[0]
        if sub.status != "FINISHED" or sub.result is None or not sub.result.has_result_set:
            raise validation("Query does not have result. Please check query status with DescribeStatement.")
        start = int(params.get("NextToken") or 0)
        rows = sub.result.rows
        out: dict[str, Any] = {
            "ColumnMetadata": [{"name": n, "label": n, "typeName": _type_name(t), "nullable": 1,
                                "isCaseSensitive": t.startswith("character"), "isSigned": t in _SIGNED,
                                "precision": 0, "scale": 0, "schemaName": "", "tableName": ""}
                               for n, t in sub.result.columns],
            "Records": [[_field(v) for v in row] for row in rows[start:start + PAGE]],
            "TotalNumRows": len(rows),
        }
        if start + PAGE < len(rows):
            out["NextToken"] = str(start + PAGE)
        return out

    def strict_list_statements(self, params: dict) -> dict:
        status = params.get("Status", "ALL")
        out = []
        for stmt in sorted(self.meshform_statements.values(), key=lambda s: s.created, reverse=True):
            if stmt.expired or (status != "ALL" and stmt.status != status):
                continue
            if params.get("StatementName") and not (stmt.name or "").startswith(params["StatementName"]):
                continue
            item: dict[str, Any] = {"Id": stmt.id, "CreatedAt": stmt.created, "UpdatedAt": stmt.created,
                                    "Status": stmt.status, "IsBatchStatement": stmt.batch}
            if stmt.batch:
                item["QueryStrings"] = [s.sql for s in stmt.subs]
            else:
                item["QueryString"] = stmt.subs[0].sql
            for key, value in (("StatementName", stmt.name), ("SecretArn", stmt.secret_arn)):
                if value:
                    item[key] = value
            out.append(item)
        return {"Statements": out[:int(params.get("MaxResults") or 100)]}

    def strict_cancel_statement(self, params: dict) -> dict:
        stmt, _ = self._statement(params.get("Id"))
        raise validation(f"Could not cancel a query that is already in {stmt.status} state with ID: {stmt.id}")

    def expire_statements(self) -> int:
        count = 0
        for stmt in self.meshform_statements.values():
            count += not stmt.expired
            stmt.expired = True
        return count


_SIGNED = {"integer", "bigint", "smallint", "numeric", "double precision", "real"}


def _type_name(kind: str) -> str:
    base = kind.split("(")[0]
    return {"character varying": "varchar", "integer": "int4", "bigint": "int8", "smallint": "int2",
            "boolean": "bool", "double precision": "float8", "real": "float4", "character": "bpchar"}.get(base, base)


def _field(value: object) -> dict[str, Any]:
    if value is None:
        return {"isNull": True}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        return {"longValue": value}
    if isinstance(value, float):
        return {"doubleValue": value}
    return {"stringValue": str(value)}


class Handlers:
    def _data(self: Any, action: str) -> str:
        params = json.loads(self.body or "{}")
        return json.dumps(getattr(self.redshiftdata_backend, f"strict_{action}")(params))


def _handler(action: str) -> Any:
    def handle(self: Any) -> str:
        return Handlers._data(self, action)
    handle.__name__ = action
    return handle


def _expire(request: Any, full_url: str, headers: Any) -> tuple[int, dict, str]:
    from moto.redshiftdata.models import redshiftdata_backends

    body = json.loads((request.data or b"{}").decode() or "{}")
    count = 0
    for account, regions in list(redshiftdata_backends.items()):
        if body.get("account") not in (None, account):
            continue
        for region, backend in list(regions.items()):
            if body.get("region") in (None, region):
                count += backend.expire_statements()
    return 200, {}, json.dumps({"expired": count})


ACTIONS = ("execute_statement", "batch_execute_statement", "describe_statement", "get_statement_result",
           "list_statements", "cancel_statement")


def install() -> None:
    from moto.moto_api._internal import urls as moto_api_urls
    from moto.redshiftdata.models import RedshiftDataAPIServiceBackend
    from moto.redshiftdata.responses import RedshiftDataAPIServiceResponse

    for name, member in vars(StrictRedshiftData).items():
        if not name.startswith("__") and (callable(member) or isinstance(member, property)):
            setattr(RedshiftDataAPIServiceBackend, name, member)
    for action in ACTIONS:
        setattr(RedshiftDataAPIServiceResponse, action, _handler(action))
    moto_api_urls.url_paths["{0}/moto-api/meshform/redshift-data/expire-statements"] = _expire
