"""The Redshift emulator (meshform/local/moto_redshift_*.py, meshform/local/redshift_sql/): Serverless namespaces
and workgroups with AWS's validation, a Data API that executes the SQL against each namespace's catalog, and the
datashare APIs with AWS's status transitions across accounts. Read as the consumer account: the share is ACTIVE
for its namespace, its database lists exactly the product's objects, withheld columns are absent, and an account
that did not subscribe sees nothing."""
from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import boto3
import pytest

from meshform.local.emulator import ENDPOINT_SERVICES, MotoServer
from meshform.redshift import sql as sql_forms
from tests.emulator import AccountClients, TerraformWorkspace
from tests.emulator_fixtures import ensure_role, rejects

REGION = "eu-west-1"
PRODUCER, CONSUMER, OUTSIDER = "111111111111", "222222222222", "333333333333"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log")
    yield running
    running.stop()


def clients(server, account: str) -> AccountClients:
    return AccountClients(server.url, REGION, account)


def warehouse(c: AccountClients, name: str, **workgroup) -> dict:
    """A namespace with a managed admin secret and its workgroup; returns the namespace."""
    rs = c("redshift-serverless")
    ns = rs.create_namespace(namespaceName=name, dbName="dev", manageAdminPassword=True)["namespace"]
    rs.create_workgroup(workgroupName=f"{name}-wg", namespaceName=name, baseCapacity=8, **workgroup)
    return ns


def run(c: AccountClients, workgroup: str, sql: str, database: str = "dev") -> dict:
    data = c("redshift-data")
    statement = data.execute_statement(WorkgroupName=workgroup, Database=database, Sql=sql)
    return data.describe_statement(Id=statement["Id"])


def ok(c: AccountClients, workgroup: str, sql: str, database: str = "dev") -> dict:
    described = run(c, workgroup, sql, database)
    assert described["Status"] == "FINISHED", (sql, described.get("Error"))
    return described


def fails(c: AccountClients, workgroup: str, sql: str, error: str, database: str = "dev") -> None:
    described = run(c, workgroup, sql, database)
    assert described["Status"] == "FAILED", sql
    assert described["Error"] == f"ERROR: {error}", described["Error"]


def rows(c: AccountClients, workgroup: str, sql: str, database: str = "dev") -> list[list]:
    described = ok(c, workgroup, sql, database)
    result = c("redshift-data").get_statement_result(Id=described["Id"])
    return [[next(iter(v.values())) if "isNull" not in v else None for v in r] for r in result["Records"]]


# ---------------------------------------------------------------- Redshift Serverless
def test_serverless_namespaces_and_workgroups_follow_aws_rules(server):
    c = clients(server, PRODUCER)
    rs = c("redshift-serverless")
    key = c("kms").create_key()["KeyMetadata"]["Arn"]
    role = ensure_role(c, "redshift-copy")
    ns = rs.create_namespace(namespaceName="rules", manageAdminPassword=True, adminPasswordSecretKmsKeyId=key,
                             kmsKeyId=key, iamRoles=[role], defaultIamRoleArn=role, logExports=["userlog"],
                             tags=[{"key": "team", "value": "sales"}])["namespace"]
    assert ns["namespaceArn"] == f"arn:aws:redshift-serverless:{REGION}:{PRODUCER}:namespace/{ns['namespaceId']}"
    assert (ns["dbName"], ns["kmsKeyId"], ns["adminUsername"], ns["status"]) == ("dev", key, "admin", "AVAILABLE")
    assert ns["iamRoles"] == [f"IamRole(applyStatus=in-sync, iamRoleArn={role})"]
    secret = c("secretsmanager").describe_secret(SecretId=ns["adminPasswordSecretArn"])
    assert secret["KmsKeyId"] == key
    value = json.loads(c("secretsmanager").get_secret_value(SecretId=ns["adminPasswordSecretArn"])["SecretString"])
    assert value["username"] == "admin" and len(value["password"]) >= 8
    assert rs.get_namespace(namespaceName="rules")["namespace"]["adminPasswordSecretArn"] == secret["ARN"]

    rejects("ValidationException", rs.create_namespace, namespaceName="Upper_Case")
    rejects("ConflictException", rs.create_namespace, namespaceName="rules")
    rejects("ValidationException", rs.create_namespace, namespaceName="both", manageAdminPassword=True,
            adminUsername="admin", adminUserPassword="Passw0rd1")
    rejects("ValidationException", rs.create_namespace, namespaceName="keyonly", adminPasswordSecretKmsKeyId=key)
    rejects("ValidationException", rs.create_namespace, namespaceName="weak", adminUsername="admin",
            adminUserPassword="password")
    rejects("ValidationException", rs.create_namespace, namespaceName="nokey",
            kmsKeyId=f"arn:aws:kms:{REGION}:{PRODUCER}:key/00000000-0000-0000-0000-000000000000")
    rejects("ValidationException", rs.create_namespace, namespaceName="norole", iamRoles=[role],
            defaultIamRoleArn=f"arn:aws:iam::{PRODUCER}:role/other")
    rejects("ValidationException", rs.create_namespace, namespaceName="logs", logExports=["querylog"])
    rejects("ResourceNotFoundException", rs.get_namespace, namespaceName="missing")

    for bad in ({"baseCapacity": 4}, {"baseCapacity": 12}, {"baseCapacity": 2048},
                {"baseCapacity": 32, "maxCapacity": 16}, {"port": 6000},
                {"configParameters": [{"parameterKey": "wlm_json_configuration", "parameterValue": "[]"}]},
                {"configParameters": [{"parameterKey": "require_ssl", "parameterValue": "yes"}]},
                {"subnetIds": ["subnet-00000000"]}):
        rejects("ValidationException", rs.create_workgroup, workgroupName="rules-wg", namespaceName="rules", **bad)
    rejects("ResourceNotFoundException", rs.create_workgroup, workgroupName="orphan", namespaceName="missing")
    created = rs.create_workgroup(workgroupName="rules-wg", namespaceName="rules", baseCapacity=8,
                                  configParameters=[{"parameterKey": "max_query_execution_time",
                                                     "parameterValue": "3600"}],
                                  enhancedVpcRouting=True)["workgroup"]
    assert created["status"] == "CREATING"
    wg = rs.get_workgroup(workgroupName="rules-wg")["workgroup"]
    assert wg["status"] == "AVAILABLE" and wg["baseCapacity"] == 8 and wg["enhancedVpcRouting"] is True
    config = {p["parameterKey"]: p["parameterValue"] for p in wg["configParameters"]}
    # every parameter comes back, the one set merged over the defaults (TLS required by default)
    assert len(config) == 9 and config["max_query_execution_time"] == "3600" and config["require_ssl"] == "true"
    assert wg["endpoint"]["address"] == f"rules-wg.{PRODUCER}.{REGION}.redshift-serverless.amazonaws.com"
    assert wg["subnetIds"] and wg["securityGroupIds"]          # the default VPC's
    rejects("ConflictException", rs.create_workgroup, workgroupName="second-wg", namespaceName="rules")
    rejects("ValidationException", rs.update_workgroup, workgroupName="rules-wg", baseCapacity=9)
    assert rs.get_workgroup(workgroupName="rules-wg")["workgroup"]["baseCapacity"] == 8   # failed update: no change
    assert rs.update_workgroup(workgroupName="rules-wg", baseCapacity=16)["workgroup"]["baseCapacity"] == 16

    rs.tag_resource(resourceArn=wg["workgroupArn"], tags=[{"key": "a", "value": "1"}])
    assert rs.list_tags_for_resource(resourceArn=ns["namespaceArn"])["tags"] == [{"key": "team", "value": "sales"}]
    rs.untag_resource(resourceArn=wg["workgroupArn"], tagKeys=["a"])
    assert rs.list_tags_for_resource(resourceArn=wg["workgroupArn"])["tags"] == []
    rejects("ResourceNotFoundException", rs.list_tags_for_resource,
            resourceArn=f"arn:aws:redshift-serverless:{REGION}:{PRODUCER}:namespace/nope")

    rejects("ConflictException", rs.delete_namespace, namespaceName="rules")   # its workgroup first
    # turning the managed password off deletes the secret
    rs.update_namespace(namespaceName="rules", manageAdminPassword=False)
    rejects("ResourceNotFoundException", c("secretsmanager").describe_secret, SecretId=secret["ARN"])
    rs.delete_workgroup(workgroupName="rules-wg")
    assert rs.delete_namespace(namespaceName="rules")["namespace"]["status"] == "DELETING"
    rejects("ResourceNotFoundException", rs.get_namespace, namespaceName="rules")


# ---------------------------------------------------------------- the SQL engine through the Data API
def test_sql_is_executed_with_redshift_errors(server):
    c = clients(server, PRODUCER)
    warehouse(c, "sqlrules")
    wg = "sqlrules-wg"
    ok(c, wg, 'CREATE SCHEMA IF NOT EXISTS "sales"')
    ok(c, wg, "CREATE SCHEMA IF NOT EXISTS sales")                    # idempotent
    fails(c, wg, "CREATE SCHEMA sales", 'schema "sales" already exists')
    ok(c, wg, 'CREATE TABLE "sales"."orders" ("order_id" BIGINT NOT NULL, "email" VARCHAR(65535), '
              '"amount" DECIMAL(10,2), "tags" SUPER, PRIMARY KEY ("order_id")) DISTSTYLE AUTO SORTKEY AUTO')
    fails(c, wg, "CREATE TABLE sales.orders (x INT)", 'relation "orders" already exists')
    ok(c, wg, "CREATE TABLE IF NOT EXISTS sales.orders (x INT)")
    fails(c, wg, "CREATE TABLE nowhere.t (x INT)", 'schema "nowhere" does not exist')
    fails(c, wg, "CREATE TABLE sales.wide (x VARCHAR(65536))", "length for type character varying cannot exceed 65535")
    fails(c, wg, "CREATE TABLE sales.t (x INT, x INT)", 'column "x" specified more than once')
    fails(c, wg, "CREATE VIEW sales.v AS SELECT nope FROM sales.orders", 'column "nope" does not exist')
    fails(c, wg, "CREATE VIEW sales.v AS SELECT 1 AS a FROM sales.missing", 'relation "sales.missing" does not exist')
    ok(c, wg, 'CREATE VIEW "sales"."orders_public" AS SELECT "order_id", "amount" FROM "sales"."orders"')
    fails(c, wg, "DROP TABLE sales.orders", "cannot drop table orders because other objects depend on it (view "
                                            "sales.orders_public): use DROP ... CASCADE")
    fails(c, wg, "CREATE SCHEMA a; CREATE SCHEMA b", "cannot insert multiple commands into a prepared statement")
    fails(c, wg, "CREATE TABEL x (y INT)", 'syntax error at or near "TABEL"')
    # datashare statements
    ok(c, wg, 'CREATE DATASHARE "orders_share" SET PUBLICACCESSIBLE FALSE')
    fails(c, wg, "CREATE DATASHARE orders_share", 'datashare "orders_share" already exists')
    fails(c, wg, "ALTER DATASHARE orders_share ADD TABLE sales.orders_public",
          'schema "sales" must be added to datashare "orders_share" before its objects')
    fails(c, wg, "ALTER DATASHARE missing ADD SCHEMA sales", 'datashare "missing" does not exist')
    ok(c, wg, 'ALTER DATASHARE "orders_share" ADD SCHEMA "sales"')
    fails(c, wg, "ALTER DATASHARE orders_share ADD SCHEMA sales",
          'schema "sales" is already added to datashare "orders_share"')
    ok(c, wg, 'ALTER DATASHARE "orders_share" ADD TABLE "sales"."orders_public"')
    fails(c, wg, "ALTER DATASHARE orders_share ADD TABLE sales.orders_public",
          'relation "sales.orders_public" is already added to datashare "orders_share"')
    fails(c, wg, "ALTER DATASHARE orders_share ADD TABLE sales.nothing", 'relation "sales.nothing" does not exist')
    fails(c, wg, "GRANT USAGE ON DATASHARE orders_share TO ACCOUNT '12345'",
          "invalid account id '12345': an AWS account id is 12 digits")
    fails(c, wg, "GRANT USAGE ON DATASHARE orders_share TO ACOUNT '222222222222'", 'syntax error at or near "ACOUNT"')
    ok(c, wg, f"REVOKE USAGE ON DATASHARE \"orders_share\" FROM ACCOUNT '{OUTSIDER}'")   # never granted: no change
    fails(c, wg, f"CREATE DATABASE x FROM DATASHARE orders_share OF ACCOUNT '{CONSUMER}' NAMESPACE "
                 "'00000000-0000-0000-0000-000000000000'",
          f"Datashare orders_share of account {CONSUMER} namespace 00000000-0000-0000-0000-000000000000 does not "
          "exist or is not available to this namespace: the producer must grant it and, across accounts, "
          "authorize it, and the consumer must associate it with this namespace")
    assert rows(c, wg, "SELECT object_type, object_name FROM svv_datashare_objects WHERE share_name = "
                       "'orders_share' ORDER BY object_type") == [["schema", "sales"], ["view", "sales.orders_public"]]
    # users, roles, grants, loads
    ok(c, wg, 'CREATE USER "IAMR:loader" PASSWORD DISABLE')
    fails(c, wg, 'CREATE USER "IAMR:loader" PASSWORD DISABLE', 'user "iamr:loader" already exists')
    fails(c, wg, "CREATE USER weak PASSWORD 'short'",
          "password must contain 8-64 characters with an upper-case letter, a lower-case letter and a digit")
    ok(c, wg, 'GRANT USAGE ON SCHEMA "sales" TO "IAMR:loader"')
    ok(c, wg, 'GRANT SELECT, INSERT, DELETE ON "sales"."orders" TO "IAMR:loader"')
    fails(c, wg, 'GRANT SELECT ON sales.orders TO "IAMR:nobody"', 'user "iamr:nobody" does not exist')
    fails(c, wg, "GRANT SELECT ON sales.ghost TO ROLE analyst", 'relation "sales.ghost" does not exist')
    fails(c, wg, "GRANT SELECT ON sales.orders TO ROLE analyst", 'role "analyst" does not exist')
    ok(c, wg, "CREATE ROLE analyst")
    ok(c, wg, "GRANT SELECT ON ALL TABLES IN SCHEMA sales TO ROLE analyst")
    ok(c, wg, 'DELETE FROM "sales"."orders"')
    fails(c, wg, "DELETE FROM sales.ghost", 'relation "sales.ghost" does not exist')
    role = f"arn:aws:iam::{PRODUCER}:role/not-attached"
    fails(c, wg, f"COPY sales.orders FROM 's3://lake/sales/orders/' IAM_ROLE '{role}' FORMAT AS PARQUET",
          f"User arn:aws:redshift:{REGION}:{PRODUCER}:dbuser:iamr:mesh-deploy is not authorized to assume IAM Role "
          f"{role}")
    fails(c, wg, f"COPY sales.ghost FROM 's3://lake/x/' IAM_ROLE '{role}' FORMAT AS PARQUET",
          'relation "sales.ghost" does not exist')
    # from Parquet only the parameters AWS lists for columnar data (FILLRECORD is one of them)
    only = ("ACCEPTINVCHARS, ACCESS_KEY_ID, CREDENTIALS, EXPLICIT_IDS, FILLRECORD, IAM_ROLE, MANIFEST, "
            "SECRET_ACCESS_KEY, SERIALIZETOJSON, SESSION_TOKEN, STATUPDATE")
    for extra in ("MAXERROR 10", "ACCEPTANYDATE", "DELIMITER ','", "IGNOREHEADER 1"):
        fails(c, wg, f"COPY sales.orders FROM 's3://lake/sales/orders/' IAM_ROLE '{role}' FORMAT AS PARQUET {extra}",
              f"COPY from PARQUET does not support the parameter {extra.split()[0]}: only {only} apply to "
              "columnar data")
    # a batch is one transaction: a failure rolls back and aborts the rest
    data = c("redshift-data")
    batch = data.batch_execute_statement(WorkgroupName=wg, Database="dev", Sqls=[
        "CREATE SCHEMA staging", "CREATE TABLE staging.t (x INT)", "CREATE TABLE staging.t (x INT)",
        "CREATE SCHEMA never"])
    described = data.describe_statement(Id=batch["Id"])
    assert described["Status"] == "FAILED"
    assert [s["Status"] for s in described["SubStatements"]] == ["FINISHED", "FINISHED", "FAILED", "ABORTED"]
    assert [s["Id"] for s in described["SubStatements"]] == [f"{batch['Id']}:{i}" for i in range(1, 5)]
    assert rows(c, wg, "SELECT schema_name FROM svv_all_schemas WHERE database_name = 'dev' ORDER BY 1") == [
        ["public"], ["sales"]]
    batch = data.batch_execute_statement(WorkgroupName=wg, Database="dev", Sqls=[
        "CREATE SCHEMA staging", "CREATE DATABASE other"])
    assert data.describe_statement(Id=f"{batch['Id']}:2")["Error"] == (
        "ERROR: CREATE DATABASE cannot run inside a transaction block")
    rejects("ValidationException", data.get_statement_result, Id=batch["Id"])   # failed: no result
    # request validation
    rejects("ValidationException", data.execute_statement, WorkgroupName="nope-wg", Database="dev", Sql="SELECT 1")
    rejects("ValidationException", data.execute_statement, WorkgroupName=wg, ClusterIdentifier="c", Database="dev",
            Sql="SELECT 1")
    rejects("ValidationException", data.execute_statement, WorkgroupName=wg, Database="dev", Sql="SELECT 1",
            DbUser="admin")
    fails(c, wg, "SELECT 1", 'database "nodb" does not exist', database="nodb")


SPARE = "888888888888"          # an account no other test reads


def test_remaining_sql_rejections(server):
    c = clients(server, SPARE)
    warehouse(c, "sqlmore")
    wg = "sqlmore-wg"
    for statement in ("CREATE SCHEMA sales", "CREATE TABLE sales.orders (id BIGINT, amount DECIMAL(10,2))",
                      "CREATE VIEW sales.v AS SELECT id FROM sales.orders", "CREATE DATASHARE s",
                      "CREATE DATABASE other"):
        ok(c, wg, statement)
    fails(c, wg, "CREATE DATABASE other", 'database "other" already exists')
    fails(c, wg, "ALTER DATASHARE s ADD SCHEMA sales", 'datashare "s" belongs to database "dev": connect to it to '
          "alter the datashare", database="other")
    fails(c, wg, "ALTER DATASHARE s SET INCLUDENEW = TRUE FOR SCHEMA sales",
          'schema "sales" is not added to datashare "s"')
    fails(c, wg, "ALTER DATASHARE s REMOVE SCHEMA sales", 'schema "sales" is not added to datashare "s"')
    ok(c, wg, "ALTER DATASHARE s ADD SCHEMA sales")
    fails(c, wg, "ALTER DATASHARE s REMOVE TABLE sales.orders", 'relation "sales.orders" is not added to datashare "s"')
    fails(c, wg, "ALTER DATASHARE s ADD TABLE other.sales.orders",
          'cross-database reference to database "other" is not supported')
    # INCLUDENEW: tables created later join the share; ALL TABLES IN SCHEMA adds what exists
    ok(c, wg, "ALTER DATASHARE s SET INCLUDENEW = TRUE FOR SCHEMA sales")
    ok(c, wg, "CREATE TABLE sales.later (x INT)")
    ok(c, wg, "ALTER DATASHARE s ADD ALL TABLES IN SCHEMA sales")
    assert rows(c, wg, "SELECT object_name FROM svv_datashare_objects WHERE object_type <> 'schema' ORDER BY 1") == [
        ["sales.later"], ["sales.orders"], ["sales.v"]]
    fails(c, wg, f"GRANT USAGE ON DATASHARE s TO ACCOUNT '{SPARE}'",
          "cannot grant a datashare to the producer's own account: grant it to a namespace")
    fails(c, wg, "GRANT USAGE ON DATASHARE s TO NAMESPACE 'not-a-guid'",
          "invalid namespace 'not-a-guid': a namespace is identified by its GUID")
    fails(c, wg, "DROP DATASHARE nothing", 'datashare "nothing" does not exist')
    ok(c, wg, "DROP DATASHARE IF EXISTS nothing")
    fails(c, wg, "DROP SCHEMA sales", "cannot drop schema sales because other objects depend on it")
    fails(c, wg, "DROP VIEW sales.orders", '"orders" is not a view')
    fails(c, wg, "DROP TABLE sales.ghost", 'table "ghost" does not exist')
    fails(c, wg, "DELETE FROM sales.v", 'cannot delete from view "v"')
    fails(c, wg, "DELETE FROM sales.orders WHERE nope = 1", 'column "nope" does not exist')
    fails(c, wg, "CREATE TABLE sales.t (x DECIMAL(39,2))", "NUMERIC precision 39 must be between 1 and 38")
    fails(c, wg, "CREATE TABLE sales.t (x DECIMAL(5,6))", "NUMERIC scale 6 must be between 0 and precision 5")
    fails(c, wg, "CREATE TABLE sales.t (x INT, PRIMARY KEY (y))", 'column "y" named in key does not exist')
    fails(c, wg, "CREATE TABLE sales.t (x MONEY)", 'type "money" does not exist')
    fails(c, wg, "CREATE VIEW sales.lb AS SELECT id FROM orders WITH NO SCHEMA BINDING",
          "All the relation names inside should be qualified")
    ok(c, wg, "CREATE VIEW sales.lb AS SELECT id FROM sales.not_yet WITH NO SCHEMA BINDING")   # late binding
    fails(c, wg, "GRANT INSERT ON SCHEMA sales TO PUBLIC", "invalid privilege type INSERT for this object")
    fails(c, wg, "GRANT USAGE ON SCHEMA ghost TO PUBLIC", 'schema "ghost" does not exist')
    fails(c, wg, "CREATE ROLE analyst; CREATE ROLE analyst",
          "cannot insert multiple commands into a prepared statement")
    ok(c, wg, "CREATE ROLE analyst")
    fails(c, wg, "CREATE ROLE analyst", 'role "analyst" already exists')
    fails(c, wg, "COPY sales.orders FROM 's3://b/k' FORMAT AS PARQUET",
          "COPY needs IAM_ROLE: the emulator models role-based authorization only")
    fails(c, wg, "COPY sales.orders FROM 's3://b/k' IAM_ROLE default FORMAT AS PARQUET",
          "no default IAM role is set for this namespace")
    fails(c, wg, "SHOW TABLES FROM SCHEMA sales", 'syntax error at or near "end of input"')
    fails(c, wg, "SHOW COLUMNS FROM TABLE dev.sales.ghost", 'relation "sales.ghost" does not exist')
    data = c("redshift-data")
    rejects("ValidationException", data.batch_execute_statement, WorkgroupName=wg, Database="dev",
            Sqls=["SELECT 1"] * 41)
    batch = data.batch_execute_statement(WorkgroupName=wg, Database="dev", Sqls=["SELECT 1", "SELECT 2"])
    rejects("ValidationException", data.get_statement_result, Id=batch["Id"])      # a batch: ask a sub-statement
    assert data.get_statement_result(Id=f"{batch['Id']}:2")["Records"] == [[{"longValue": 2}]]
    rejects("ResourceNotFoundException", data.describe_statement, Id=f"{batch['Id']}:3")
    rejects("ValidationException", data.cancel_statement, Id=batch["Id"])        # already FINISHED
    rejects("ValidationException", data.describe_statement, Id="not-an-id")
    rs = c("redshift")
    rejects("InvalidParameterValue", rs.describe_data_shares_for_producer, Status="AVAILABLE")
    rejects("InvalidParameterValue", rs.describe_data_shares_for_consumer, Status="AUTHORIZED")


def test_remaining_serverless_rejections(server):
    c = clients(server, SPARE)
    rs = c("redshift-serverless")
    rejects("ValidationException", rs.create_namespace, namespaceName="nouser", adminUserPassword="Passw0rd1")
    rs.create_namespace(namespaceName="more", adminUsername="owner", adminUserPassword="Passw0rd1",
                        tags=[{"key": f"k{i}", "value": "v"} for i in range(200)])
    rejects("ValidationException", rs.update_namespace, namespaceName="more", adminUsername="other")   # not alone
    rejects("ValidationException", rs.update_namespace, namespaceName="more", adminUsername="9starts-with-digit",
            adminUserPassword="Passw0rd1")
    ns = rs.get_namespace(namespaceName="more")["namespace"]
    rejects("TooManyTagsException", rs.tag_resource, resourceArn=ns["namespaceArn"],
            tags=[{"key": "one", "value": "more"}])
    rejects("ValidationException", rs.create_workgroup, workgroupName="Bad_Name", namespaceName="more")
    rejects("ValidationException", rs.create_workgroup, workgroupName="more-wg", namespaceName="more",
            securityGroupIds=["sg-00000000"])
    wg = rs.create_workgroup(workgroupName="more-wg", namespaceName="more", configParameters=[
        {"parameterKey": "max_scan_row_count", "parameterValue": "1000000"}])["workgroup"]    # a monitoring metric
    assert {"parameterKey": "max_scan_row_count", "parameterValue": "1000000"} in wg["configParameters"]
    rejects("ConflictException", rs.create_workgroup, workgroupName="more-wg", namespaceName="more")
    rejects("ResourceNotFoundException", rs.get_workgroup, workgroupName="absent")


def test_secret_authenticates_and_expired_statements_answer_like_aws(server):
    c = clients(server, PRODUCER)
    ns = warehouse(c, "auth")
    data, sm = c("redshift-data"), c("secretsmanager")
    good = data.execute_statement(WorkgroupName="auth-wg", Database="dev", Sql="SELECT 1 AS one",
                                  SecretArn=ns["adminPasswordSecretArn"])
    assert data.describe_statement(Id=good["Id"])["Status"] == "FINISHED"
    result = data.get_statement_result(Id=good["Id"])
    assert result["Records"] == [[{"longValue": 1}]] and result["ColumnMetadata"][0]["name"] == "one"
    wrong = sm.create_secret(Name="wrong", SecretString=json.dumps({"username": "admin", "password": "Wr0ngPass"}))
    bad = data.execute_statement(WorkgroupName="auth-wg", Database="dev", Sql="SELECT 1", SecretArn=wrong["ARN"])
    assert data.describe_statement(Id=bad["Id"])["Error"] == 'ERROR: password authentication failed for user "admin"'
    rejects("ValidationException", data.execute_statement, WorkgroupName="auth-wg", Database="dev", Sql="SELECT 1",
            SecretArn=f"arn:aws:secretsmanager:{REGION}:{PRODUCER}:secret:missing")
    assert good["Id"] in {s["Id"] for s in data.list_statements()["Statements"]}
    expire(server, PRODUCER)
    message = rejects("ValidationException", data.describe_statement, Id=good["Id"])
    assert "expired" in message          # what the provider's FindStatementByID looks for
    assert good["Id"] not in {s["Id"] for s in data.list_statements()["Statements"]}
    rejects("ResourceNotFoundException", data.describe_statement, Id="00000000-0000-0000-0000-000000000000")


def expire(server, account: str | None = None) -> int:
    body = json.dumps({"account": account} if account else {}).encode()
    request = urllib.request.Request(f"{server.url}/moto-api/meshform/redshift-data/expire-statements", data=body,
                                     method="POST")
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read())["expired"]


# ---------------------------------------------------------------- datashares across accounts
PRODUCT_SQL = [
    'CREATE SCHEMA IF NOT EXISTS "orders"',
    'CREATE TABLE "orders"."orders" ("order_id" BIGINT NOT NULL, "customer_email" VARCHAR(256), '
    '"amount" DECIMAL(12,2), "ordered_at" TIMESTAMP, PRIMARY KEY ("order_id")) DISTSTYLE AUTO SORTKEY AUTO',
    'CREATE TABLE "orders"."internal_audit" ("id" BIGINT)',
    # the clearance view withholds customer_email
    'CREATE VIEW "orders"."orders_public" AS SELECT "order_id", "amount", "ordered_at" FROM "orders"."orders"',
    'CREATE DATASHARE "orders_product" SET PUBLICACCESSIBLE FALSE',
    'ALTER DATASHARE "orders_product" ADD SCHEMA "orders"',
    'ALTER DATASHARE "orders_product" ADD TABLE "orders"."orders_public"',
    f"GRANT USAGE ON DATASHARE \"orders_product\" TO ACCOUNT '{CONSUMER}'",
]


def test_consumer_sees_exactly_the_product_once_authorized_and_associated(server):
    p, c, o = clients(server, PRODUCER), clients(server, CONSUMER), clients(server, OUTSIDER)
    producer_ns = warehouse(p, "domain")
    consumer_ns = warehouse(c, "analytics")
    outsider_ns = warehouse(o, "outsider")
    for sql in PRODUCT_SQL:
        ok(p, "domain-wg", sql)
    arn = f"arn:aws:redshift:{REGION}:{PRODUCER}:datashare:{producer_ns['namespaceId']}/orders_product"
    create_db = (f"CREATE DATABASE \"orders_db\" FROM DATASHARE \"orders_product\" OF ACCOUNT '{PRODUCER}' "
                 f"NAMESPACE '{producer_ns['namespaceId']}'")
    prs, crs, ors = p("redshift"), c("redshift"), o("redshift")

    def producer_status() -> list[tuple[str, str]]:
        share = prs.describe_data_shares(DataShareArn=arn)["DataShares"][0]
        return [(a["ConsumerIdentifier"], a["Status"]) for a in share["DataShareAssociations"]]

    # granted, not yet authorized: PENDING_AUTHORIZATION, and the consumer sees nothing
    assert producer_status() == [(CONSUMER, "PENDING_AUTHORIZATION")]
    assert prs.describe_data_shares_for_producer(ProducerArn=producer_ns["namespaceArn"],
                                                 Status="PENDING_AUTHORIZATION")["DataShares"][0]["DataShareArn"] == arn
    assert crs.describe_data_shares()["DataShares"] == []
    rejects("InvalidDataShareFault", crs.associate_data_share_consumer, DataShareArn=arn,
            ConsumerArn=consumer_ns["namespaceArn"])
    fails(c, "analytics-wg", create_db, f"Datashare orders_product of account {PRODUCER} namespace "
          f"{producer_ns['namespaceId']} does not exist or is not available to this namespace: the producer must "
          "grant it and, across accounts, authorize it, and the consumer must associate it with this namespace")
    # authorize: only for an account granted usage, only by the producer
    rejects("InvalidDataShareFault", prs.authorize_data_share, DataShareArn=arn, ConsumerIdentifier=OUTSIDER)
    rejects("InvalidDataShareFault", crs.authorize_data_share, DataShareArn=arn, ConsumerIdentifier=CONSUMER)
    rejects("InvalidParameterValue", prs.authorize_data_share, DataShareArn=arn, ConsumerIdentifier="ADX")
    assert prs.authorize_data_share(DataShareArn=arn, ConsumerIdentifier=CONSUMER)["DataShareArn"] == arn
    assert producer_status() == [(CONSUMER, "AUTHORIZED")]
    seen = crs.describe_data_shares()["DataShares"]
    assert [(s["DataShareArn"], s["ProducerArn"]) for s in seen] == [(arn, producer_ns["namespaceArn"])]
    assert [a["Status"] for a in seen[0]["DataShareAssociations"]] == ["AVAILABLE"]
    assert [s["DataShareArn"] for s in crs.describe_data_shares_for_consumer(Status="AVAILABLE")["DataShares"]] == [arn]
    # associate: exactly one target, only the caller's own namespace, never a publicly accessible one here
    rejects("InvalidParameterCombination", crs.associate_data_share_consumer, DataShareArn=arn,
            AssociateEntireAccount=True, ConsumerArn=consumer_ns["namespaceArn"])
    rejects("InvalidNamespaceFault", crs.associate_data_share_consumer, DataShareArn=arn,
            ConsumerArn=outsider_ns["namespaceArn"])
    public = c("redshift-serverless").create_namespace(namespaceName="public-bi")["namespace"]
    c("redshift-serverless").create_workgroup(workgroupName="public-bi-wg", namespaceName="public-bi",
                                              publiclyAccessible=True)
    rejects("InvalidDataShareFault", crs.associate_data_share_consumer, DataShareArn=arn,
            ConsumerArn=public["namespaceArn"])
    associated = crs.associate_data_share_consumer(DataShareArn=arn, ConsumerArn=consumer_ns["namespaceArn"])
    assert [(a["ConsumerIdentifier"], a["Status"]) for a in associated["DataShareAssociations"]] == [
        (consumer_ns["namespaceArn"], "ACTIVE")]
    assert producer_status() == [(CONSUMER, "ACTIVE")]
    assert [s["DataShareArn"] for s in crs.describe_data_shares_for_consumer(
        ConsumerArn=consumer_ns["namespaceArn"], Status="ACTIVE")["DataShares"]] == [arn]

    # the consumer database lists exactly the product's objects; the withheld column is absent
    ok(c, "analytics-wg", create_db)
    ok(c, "analytics-wg", 'CREATE USER "IAMR:analyst" PASSWORD DISABLE')
    ok(c, "analytics-wg", 'GRANT USAGE ON DATABASE "orders_db" TO "IAMR:analyst"')
    assert rows(c, "analytics-wg", "SELECT schema_name, table_name, column_name, data_type FROM svv_all_columns "
                                   "WHERE database_name = 'orders_db' ORDER BY ordinal_position") == [
        ["orders", "orders_public", "order_id", "bigint"], ["orders", "orders_public", "amount", "numeric(12,2)"],
        ["orders", "orders_public", "ordered_at", "timestamp without time zone"]]
    assert rows(c, "analytics-wg", "SHOW TABLES FROM SCHEMA orders_db.orders") == [
        ["orders_db", "orders", "orders_public", "VIEW"]]
    assert [r[3] for r in rows(c, "analytics-wg", "SHOW COLUMNS FROM TABLE orders_db.orders.orders_public")] == [
        "order_id", "amount", "ordered_at"]
    assert rows(c, "analytics-wg", "SELECT share_type, object_name FROM svv_datashare_objects ORDER BY 2") == [
        ["INBOUND", "orders"], ["INBOUND", "orders.orders_public"]]
    fails(c, "analytics-wg", "SELECT customer_email FROM orders_db.orders.orders_public",
          'column "customer_email" does not exist')
    fails(c, "analytics-wg", "SELECT order_id FROM orders_db.orders.orders", 'relation "orders.orders" does not exist')
    fails(c, "analytics-wg", "CREATE SCHEMA x", 'cannot modify objects of database "orders_db": it was created from '
          'datashare "orders_product" and is read-only', database="orders_db")
    assert rows(c, "analytics-wg", "SELECT order_id, amount FROM orders_db.orders.orders_public") == []

    # a non-subscriber sees nothing and cannot mount the share
    assert ors.describe_data_shares()["DataShares"] == []
    assert ors.describe_data_shares_for_consumer()["DataShares"] == []
    rejects("InvalidDataShareFault", ors.describe_data_shares, DataShareArn=arn)
    rejects("InvalidDataShareFault", ors.associate_data_share_consumer, DataShareArn=arn, AssociateEntireAccount=True)
    fails(o, "outsider-wg", create_db, f"Datashare orders_product of account {PRODUCER} namespace "
          f"{producer_ns['namespaceId']} does not exist or is not available to this namespace: the producer must "
          "grant it and, across accounts, authorize it, and the consumer must associate it with this namespace")
    assert rows(o, "outsider-wg", "SELECT share_name FROM svv_datashares") == []

    # new objects reach the consumer only when added to the share
    ok(p, "domain-wg", 'ALTER DATASHARE "orders_product" ADD TABLE "orders"."internal_audit"')
    assert len(rows(c, "analytics-wg", "SELECT table_name FROM svv_all_tables WHERE database_name = 'orders_db'")) == 2
    ok(p, "domain-wg", 'ALTER DATASHARE "orders_product" REMOVE TABLE "orders"."internal_audit"')

    # disassociate: back to AVAILABLE, the consumer database shows nothing; twice is the provider's not-found text
    crs.disassociate_data_share_consumer(DataShareArn=arn, ConsumerArn=consumer_ns["namespaceArn"])
    assert producer_status() == [(CONSUMER, "AUTHORIZED")]
    assert rows(c, "analytics-wg", "SELECT table_name FROM svv_all_tables WHERE database_name = 'orders_db'") == []
    message = rejects("InvalidDataShareFault", crs.disassociate_data_share_consumer, DataShareArn=arn,
                      ConsumerArn=consumer_ns["namespaceArn"])
    assert "either doesn't exist or isn't associated with this data consumer" in message
    crs.associate_data_share_consumer(DataShareArn=arn, AssociateEntireAccount=True)
    assert len(rows(c, "analytics-wg", "SELECT table_name FROM svv_all_tables WHERE database_name = 'orders_db'")) == 1

    # deauthorize: DEAUTHORIZED, the consumer loses it; a second deauthorize is the provider's "already removed"
    prs.deauthorize_data_share(DataShareArn=arn, ConsumerIdentifier=CONSUMER)
    assert producer_status() == [(CONSUMER, "DEAUTHORIZED")]
    assert crs.describe_data_shares()["DataShares"] == []
    assert rows(c, "analytics-wg", "SELECT table_name FROM svv_all_tables WHERE database_name = 'orders_db'") == []
    message = rejects("InvalidDataShareFault", prs.deauthorize_data_share, DataShareArn=arn,
                      ConsumerIdentifier=CONSUMER)
    assert "because you have already removed authorization from the data share." in message
    # re-granting starts over at PENDING_AUTHORIZATION; the consumer may reject; REVOKE removes the account
    ok(p, "domain-wg", f"GRANT USAGE ON DATASHARE \"orders_product\" TO ACCOUNT '{CONSUMER}'")
    assert producer_status() == [(CONSUMER, "PENDING_AUTHORIZATION")]
    prs.authorize_data_share(DataShareArn=arn, ConsumerIdentifier=CONSUMER)
    crs.reject_data_share(DataShareArn=arn)
    assert producer_status() == [(CONSUMER, "REJECTED")]
    rejects("InvalidDataShareFault", prs.authorize_data_share, DataShareArn=arn, ConsumerIdentifier=CONSUMER)
    ok(p, "domain-wg", f"REVOKE USAGE ON DATASHARE \"orders_product\" FROM ACCOUNT '{CONSUMER}'")
    assert producer_status() == []
    ok(p, "domain-wg", 'DROP DATASHARE "orders_product"')
    message = rejects("InvalidDataShareFault", prs.describe_data_shares, DataShareArn=arn)
    assert "because the ARN doesn't exist." in message


LEAVER_PRODUCER, LEAVER = "121212121212", "131313131313"     # accounts no other test reads


def test_an_unsubscribed_consumer_database_stays_until_dropped_and_drop_database_follows_aws(server):
    """What Redshift does when a subscription ends: the producer's REVOKE removes the account, which then sees no
    datashare (DescribeDataShares is empty, DisassociateDataShareConsumer has nothing left to remove), but its
    database created from the datashare stays, listed as shared and showing nothing. Only DROP DATABASE removes
    it (https://docs.aws.amazon.com/redshift/latest/dg/r_DROP_DATABASE.html): no IF EXISTS, never a database that
    does not exist, never inside a transaction block, never a system database or the current one."""
    p, c = clients(server, LEAVER_PRODUCER), clients(server, LEAVER)
    producer_ns = warehouse(p, "leaving-domain")
    consumer_ns = warehouse(c, "leaving-bi")
    for sql in PRODUCT_SQL[:-1] + [f"GRANT USAGE ON DATASHARE \"orders_product\" TO ACCOUNT '{LEAVER}'"]:
        ok(p, "leaving-domain-wg", sql)
    arn = f"arn:aws:redshift:{REGION}:{LEAVER_PRODUCER}:datashare:{producer_ns['namespaceId']}/orders_product"
    p("redshift").authorize_data_share(DataShareArn=arn, ConsumerIdentifier=LEAVER)
    c("redshift").associate_data_share_consumer(DataShareArn=arn, ConsumerArn=consumer_ns["namespaceArn"])
    wg = "leaving-bi-wg"
    ok(c, wg, f"CREATE DATABASE \"orders_db\" FROM DATASHARE \"orders_product\" OF ACCOUNT '{LEAVER_PRODUCER}' "
              f"NAMESPACE '{producer_ns['namespaceId']}'")
    databases = "SELECT database_name, database_type FROM svv_redshift_databases ORDER BY 1"
    assert rows(c, wg, databases) == [["dev", "local"], ["orders_db", "shared"]]
    assert rows(c, wg, 'SELECT "order_id" FROM "orders_db"."orders"."orders_public"') == []
    # the subscription ends: REVOKE on the producer; the consumer account no longer sees the share ...
    ok(p, "leaving-domain-wg", f"REVOKE USAGE ON DATASHARE \"orders_product\" FROM ACCOUNT '{LEAVER}'")
    assert c("redshift").describe_data_shares()["DataShares"] == []
    rejects("InvalidDataShareFault", c("redshift").disassociate_data_share_consumer, DataShareArn=arn,
            ConsumerArn=consumer_ns["namespaceArn"])
    # ... but its database stays, and reads nothing
    assert rows(c, wg, databases) == [["dev", "local"], ["orders_db", "shared"]]
    fails(c, wg, 'SELECT "order_id" FROM "orders_db"."orders"."orders_public"',
          'relation "orders.orders_public" does not exist')
    assert rows(c, wg, "SELECT schema_name FROM svv_all_schemas WHERE database_name = 'orders_db'") == []
    # DROP DATABASE's rules
    fails(c, wg, 'DROP DATABASE IF EXISTS "orders_db"', 'syntax error at or near "IF"')
    fails(c, wg, 'DROP DATABASE "never_made" FORCE', 'database "never_made" does not exist')
    fails(c, wg, 'DROP DATABASE "dev"', 'cannot drop database "dev": it is a system database')
    ok(c, wg, 'CREATE DATABASE "scratch"')
    fails(c, wg, 'DROP DATABASE "scratch"', "cannot drop the currently open database", database="scratch")
    data = c("redshift-data")
    batch = data.batch_execute_statement(WorkgroupName=wg, Database="dev", Sqls=[
        'CREATE SCHEMA "tx"', 'DROP DATABASE "orders_db" FORCE'])
    assert data.describe_statement(Id=f"{batch['Id']}:2")["Error"] == (
        "ERROR: DROP DATABASE cannot run inside a transaction block")
    # the statement meshform runs once the subscription is gone (meshform.redshift.sql.drop_database)
    ok(c, wg, sql_forms.drop_database("orders_db"))
    ok(c, wg, 'DROP DATABASE "scratch"')
    assert rows(c, wg, databases) == [["dev", "local"]]
    fails(c, wg, sql_forms.drop_database("orders_db"), 'database "orders_db" does not exist')
    # the producer is untouched: its datashare and tables are still there
    assert rows(p, "leaving-domain-wg", "SELECT share_name FROM svv_datashares") == [["orders_product"]]
    # dropping a producer's own database takes its datashares along
    ok(p, "leaving-domain-wg", 'CREATE DATABASE "sharing"')
    ok(p, "leaving-domain-wg", 'CREATE DATASHARE "from_sharing"', database="sharing")
    ok(p, "leaving-domain-wg", 'DROP DATABASE "sharing"')
    assert rows(p, "leaving-domain-wg", "SELECT share_name FROM svv_datashares") == [["orders_product"]]


def test_every_statement_form_the_stacks_emit_executes(server):
    """The statements meshform.redshift.sql generates run as written, producer and consumer side, and the
    pipeline load runs as one batch."""
    from meshform.redshift import sql
    from meshform.spec.contract import Column, Table

    owner, reader = "666666666666", "777777777777"
    p, c = clients(server, owner), clients(server, reader)
    role = ensure_role(p, "warehouse-copy")
    ns = p("redshift-serverless").create_namespace(namespaceName="forms", iamRoles=[role], defaultIamRoleArn=role,
                                                   manageAdminPassword=True)["namespace"]
    p("redshift-serverless").create_workgroup(workgroupName="forms-wg", namespaceName="forms", baseCapacity=8)
    warehouse(c, "reader")
    types = ["string", "char(3)", "varchar(20)", "tinyint", "smallint", "int", "integer", "bigint", "float",
             "double", "boolean", "date", "timestamp", "decimal", "decimal(38,6)", "binary", "array<string>",
             "map<string,int>", "struct<a:int>"]
    columns = tuple(Column(f"c{i}", t, "", "public", required=i == 0, primary_key=i == 0) for i, t in enumerate(types))
    table = Table("orders", "", columns, (Column("dt", "string", "", "public"),), "public")
    producer = [sql.create_schema("sales"), sql.drop_table("sales", "orders"), sql.create_table("sales", table),
                sql.drop_view("sales", "orders_public"),
                sql.create_view("sales", "orders_public", "orders", ("c0", "c7", "dt")),
                sql.create_datashare("sales_share"), sql.add_schema("sales_share", "sales"),
                sql.add_table("sales_share", "sales", "orders_public"), sql.grant_usage("sales_share", reader),
                sql.revoke_usage("sales_share", OUTSIDER), sql.create_iam_user("IAMR:loader"),
                sql.grant_schema_usage("sales", "IAMR:loader"), sql.grant_load("sales", "orders", "IAMR:loader"),
                sql.drop_table("sales", "orders"), sql.create_table("sales", table),
                sql.create_view("sales", "orders_public", "orders", ("c0", "c7", "dt"))]
    for statement in producer:
        ok(p, "forms-wg", statement)
    # re-running the table's statements replaced it: the view went with CASCADE, and with it out of the share,
    # so the ADD TABLE has to run again too (meshform's statement triggers chain it after the view)
    shared = "SELECT object_name FROM svv_datashare_objects WHERE object_type = 'view'"
    assert rows(p, "forms-wg", shared) == []
    ok(p, "forms-wg", sql.add_table("sales_share", "sales", "orders_public"))
    assert rows(p, "forms-wg", shared) == [["sales.orders_public"]]
    load = [sql.delete_rows("sales", "orders"), sql.copy_parquet("sales", table, "s3://lake/sales/orders/", role)]
    data = p("redshift-data")
    batch = data.batch_execute_statement(WorkgroupName="forms-wg", Database="dev", Sqls=load)
    assert data.describe_statement(Id=batch["Id"])["Status"] == "FINISHED", data.describe_statement(Id=batch["Id"])
    arn = f"arn:aws:redshift:{REGION}:{owner}:datashare:{ns['namespaceId']}/sales_share"
    p("redshift").authorize_data_share(DataShareArn=arn, ConsumerIdentifier=reader)
    consumer_arn = c("redshift-serverless").get_namespace(namespaceName="reader")["namespace"]["namespaceArn"]
    c("redshift").associate_data_share_consumer(DataShareArn=arn, ConsumerArn=consumer_arn)
    for statement in (sql.create_database_from_share("sales_db", "sales_share", owner, ns["namespaceId"]),
                      sql.create_iam_user("IAMR:analyst"), sql.grant_database_usage("sales_db", "IAMR:analyst")):
        ok(c, "reader-wg", statement)
    assert rows(c, "reader-wg", "SELECT table_name, column_name, data_type FROM svv_all_columns WHERE "
                                "database_name = 'sales_db' ORDER BY ordinal_position") == [
        ["orders_public", "c0", "character varying(65535)"], ["orders_public", "c7", "bigint"],
        ["orders_public", "dt", "character varying(65535)"]]
    # the subscription's end: the tombstone
    ok(c, "reader-wg", sql.drop_database("sales_db"))
    assert rows(c, "reader-wg", "SELECT database_name FROM svv_redshift_databases") == [["dev"]]


def test_provisioned_cluster_has_a_namespace_and_runs_sql(server):
    p = clients(server, PRODUCER)
    cluster = p("redshift").create_cluster(ClusterIdentifier="legacy", NodeType="ra3.xlplus", MasterUsername="admin",
                                           MasterUserPassword="Passw0rd1")["Cluster"]
    namespace_arn = cluster["ClusterNamespaceArn"]
    assert namespace_arn.startswith(f"arn:aws:redshift:{REGION}:{PRODUCER}:namespace:")
    data = p("redshift-data")
    rejects("ValidationException", data.execute_statement, ClusterIdentifier="legacy", Database="dev", Sql="SELECT 1")
    statement = data.execute_statement(ClusterIdentifier="legacy", Database="dev", DbUser="admin",
                                       Sql="CREATE DATASHARE legacy_share")
    assert data.describe_statement(Id=statement["Id"])["Status"] == "FINISHED"
    namespace_id = namespace_arn.rsplit(":", 1)[1]
    shares = p("redshift").describe_data_shares_for_producer(ProducerArn=namespace_arn)["DataShares"]
    assert [s["DataShareArn"] for s in shares] == [
        f"arn:aws:redshift:{REGION}:{PRODUCER}:datashare:{namespace_id}/legacy_share"]


def test_provisioned_cluster_managed_password_and_parameter_groups(server):
    p = clients(server, PRODUCER)
    rs = p("redshift")
    key = p("kms").create_key()["KeyMetadata"]["Arn"]
    role = ensure_role(p, "cluster-copy")
    base = {"NodeType": "ra3.large", "MasterUsername": "meshadmin", "ClusterType": "single-node"}
    rejects("InvalidParameterCombination", rs.create_cluster, ClusterIdentifier="both", ManageMasterPassword=True,
            MasterUserPassword="Passw0rd1", **base)
    rejects("InvalidParameterCombination", rs.create_cluster, ClusterIdentifier="keyonly",
            MasterPasswordSecretKmsKeyId=key, MasterUserPassword="Passw0rd1", **base)
    rejects("InvalidParameterValue", rs.create_cluster, ClusterIdentifier="nopassword", **base)
    rejects("InvalidParameterValue", rs.create_cluster, ClusterIdentifier="badrole", ManageMasterPassword=True,
            IamRoles=[role], DefaultIamRoleArn=f"arn:aws:iam::{PRODUCER}:role/other", **base)
    cluster = rs.create_cluster(ClusterIdentifier="managed", ManageMasterPassword=True,
                                MasterPasswordSecretKmsKeyId=key, IamRoles=[role], DefaultIamRoleArn=role,
                                DBName="analytics", **base)["Cluster"]
    assert cluster["MasterPasswordSecretKmsKeyId"] == key and cluster["DefaultIamRoleArn"] == role
    sm = p("secretsmanager")
    secret = json.loads(sm.get_secret_value(SecretId=cluster["MasterPasswordSecretArn"])["SecretString"])
    assert secret["username"] == "meshadmin"
    data = p("redshift-data")
    statement = data.execute_statement(ClusterIdentifier="managed", Database="analytics", Sql="CREATE SCHEMA sales",
                                       SecretArn=cluster["MasterPasswordSecretArn"])
    assert data.describe_statement(Id=statement["Id"])["Status"] == "FINISHED"
    rs.delete_cluster(ClusterIdentifier="managed", SkipFinalClusterSnapshot=True)
    rejects("ResourceNotFoundException", sm.describe_secret, SecretId=cluster["MasterPasswordSecretArn"])

    rs.create_cluster_parameter_group(ParameterGroupName="tls", ParameterGroupFamily="redshift-2.0",
                                      Description="tls")
    rejects("InvalidParameterValue", rs.modify_cluster_parameter_group, ParameterGroupName="tls",
            Parameters=[{"ParameterName": "require_tls", "ParameterValue": "true"}])
    rejects("InvalidParameterValue", rs.modify_cluster_parameter_group, ParameterGroupName="tls",
            Parameters=[{"ParameterName": "require_ssl", "ParameterValue": "yes"}])
    rs.modify_cluster_parameter_group(ParameterGroupName="tls", Parameters=[
        {"ParameterName": "require_ssl", "ParameterValue": "true"}])
    user = rs.describe_cluster_parameters(ParameterGroupName="tls", Source="user")["Parameters"]
    assert [(x["ParameterName"], x["ParameterValue"], x["Source"]) for x in user] == [("require_ssl", "true", "user")]


# ---------------------------------------------------------------- real Terraform
TF_STATEMENT = "CREATE SCHEMA IF NOT EXISTS \"sales\""
TF_PRODUCER, TF_CONSUMER = "444444444444", "555555555555"


def _share_resources(share_arn: str, producer_namespace: str) -> dict:
    """A datashare authorized by the producer account and associated by the consumer account with its namespace,
    which mounts it (the producer's SQL ran before, through the Data API)."""
    mount = (f"CREATE DATABASE \"orders_db\" FROM DATASHARE \"orders_product\" OF ACCOUNT '{TF_PRODUCER}' "
             f"NAMESPACE '{producer_namespace}'")
    return {
        "aws_redshift_data_share_authorization": {"auth": {
            "provider": "aws.producer", "data_share_arn": share_arn, "consumer_identifier": TF_CONSUMER}},
        "aws_redshiftserverless_namespace": {"consumer": {
            "provider": "aws.consumer", "namespace_name": "tf-analytics", "db_name": "dev",
            "manage_admin_password": True}},
        "aws_redshiftserverless_workgroup": {"consumer": {
            "provider": "aws.consumer", "workgroup_name": "tf-analytics", "base_capacity": 8,
            "namespace_name": "${aws_redshiftserverless_namespace.consumer.namespace_name}"}},
        "aws_redshift_data_share_consumer_association": {"assoc": {
            "provider": "aws.consumer", "data_share_arn": share_arn,
            "consumer_arn": "${aws_redshiftserverless_namespace.consumer.arn}",
            "depends_on": ["aws_redshift_data_share_authorization.auth"]}},
        "aws_redshiftdata_statement": {"mount": {
            "provider": "aws.consumer", "workgroup_name": "${aws_redshiftserverless_workgroup.consumer.workgroup_name}",
            "database": "dev", "secret_arn": "${aws_redshiftserverless_namespace.consumer.admin_password_secret_arn}",
            "sql": mount, "lifecycle": [{"ignore_changes": "all"}],
            "depends_on": ["aws_redshift_data_share_consumer_association.assoc"]}},
    }


def _cluster_resources() -> dict:
    """A private RA3 cluster as meshform's warehouse construct writes it: managed admin secret under the CMK, TLS-only
    parameter group, subnet group, audit logs to CloudWatch, and a statement through its secret."""
    cluster = "${aws_redshift_cluster.cluster.cluster_identifier}"
    return {
        "aws_vpc": {"private": {"cidr_block": "10.65.0.0/16"}},
        "aws_subnet": {name: {"vpc_id": "${aws_vpc.private.id}", "cidr_block": cidr, "availability_zone": zone}
                       for name, cidr, zone in (("a", "10.65.1.0/24", f"{REGION}a"), ("b", "10.65.2.0/24",
                                                                                        f"{REGION}b"))},
        "aws_security_group": {"warehouse": {"vpc_id": "${aws_vpc.private.id}", "name": "warehouse"}},
        "aws_redshift_parameter_group": {"tls": {"name": "tf-cluster", "family": "redshift-2.0",
                                                 "description": "TLS only", "parameter": [
            {"name": "enable_user_activity_logging", "value": "true"}, {"name": "require_ssl", "value": "true"}]}},
        "aws_redshift_subnet_group": {"private": {"name": "tf-cluster", "description": "private",
                                                  "subnet_ids": ["${aws_subnet.a.id}", "${aws_subnet.b.id}"]}},
        "aws_redshift_cluster": {"cluster": {
            "cluster_identifier": "tf-cluster", "database_name": "analytics", "node_type": "ra3.large",
            "cluster_type": "single-node", "number_of_nodes": 1, "master_username": "meshadmin",
            "manage_master_password": True, "master_password_secret_kms_key_id": "${aws_kms_key.key.arn}",
            "encrypted": "true", "kms_key_id": "${aws_kms_key.key.arn}", "publicly_accessible": False,
            "enhanced_vpc_routing": True, "cluster_subnet_group_name": "${aws_redshift_subnet_group.private.name}",
            "vpc_security_group_ids": ["${aws_security_group.warehouse.id}"],
            "cluster_parameter_group_name": "${aws_redshift_parameter_group.tls.name}",
            "iam_roles": ["${aws_iam_role.copy.arn}"], "default_iam_role_arn": "${aws_iam_role.copy.arn}",
            "automated_snapshot_retention_period": 7, "skip_final_snapshot": False,
            "final_snapshot_identifier": "tf-cluster-final"}},
        "aws_redshift_logging": {"cluster": {"cluster_identifier": cluster, "log_destination_type": "cloudwatch",
                                             "log_exports": ["connectionlog", "userlog", "useractivitylog"]}},
        "aws_redshiftdata_statement": {"cluster_schema": {
            "cluster_identifier": cluster, "database": "analytics",
            "secret_arn": "${aws_redshift_cluster.cluster.master_password_secret_arn}",
            "sql": "CREATE SCHEMA IF NOT EXISTS \"finance\"", "lifecycle": [{"ignore_changes": "all"}]}},
    }


def _config(endpoint: str, state: Path, share: tuple[str, str], extra_sql: str | None = None,
            version: str | None = None) -> dict:
    provider = {"region": REGION, "access_key": "test", "secret_key": "test", "skip_credentials_validation": True,
                "skip_metadata_api_check": True, "skip_requesting_account_id": False, "max_retries": 2,
                "endpoints": [{s: endpoint for s in ENDPOINT_SERVICES}]}
    providers = [provider] + [{**provider, "alias": alias, "assume_role": [{
        "role_arn": f"arn:aws:iam::{account}:role/mesh-deploy"}]} for alias, account in (
            ("producer", TF_PRODUCER), ("consumer", TF_CONSUMER))]
    statement = {"workgroup_name": "${aws_redshiftserverless_workgroup.wg.workgroup_name}", "database": "dev",
                 "secret_arn": "${aws_redshiftserverless_namespace.ns.admin_password_secret_arn}",
                 "sql": TF_STATEMENT, "lifecycle": [{"ignore_changes": "all"}]}
    resources: dict = {
        "aws_kms_key": {"key": {"description": "redshift", "enable_key_rotation": True}},
        "aws_iam_role": {"copy": {"name": "redshift-copy", "assume_role_policy": json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "redshift.amazonaws.com"}}]})}},
        "aws_redshiftserverless_namespace": {"ns": {
            "namespace_name": "tf-domain", "db_name": "dev", "manage_admin_password": True,
            "admin_password_secret_kms_key_id": "${aws_kms_key.key.arn}", "kms_key_id": "${aws_kms_key.key.arn}",
            "iam_roles": ["${aws_iam_role.copy.arn}"], "default_iam_role_arn": "${aws_iam_role.copy.arn}",
            "log_exports": ["connectionlog", "userlog", "useractivitylog"], "tags": {"mesh": "test"}}},
        "aws_redshiftserverless_workgroup": {"wg": {
            "namespace_name": "${aws_redshiftserverless_namespace.ns.namespace_name}", "workgroup_name": "tf-domain",
            "base_capacity": 8, "publicly_accessible": False, "enhanced_vpc_routing": True,
            "config_parameter": [{"parameter_key": k, "parameter_value": v} for k, v in (
                ("auto_mv", "true"), ("datestyle", "ISO, MDY"), ("enable_case_sensitive_identifier", "false"),
                ("enable_user_activity_logging", "true"), ("max_query_execution_time", "14400"),
                ("query_group", "default"), ("require_ssl", "true"), ("search_path", "$user, public"),
                ("use_fips_ssl", "false"))]}},
        "aws_redshiftdata_statement": {"schema": statement},
    }
    for kind, items in [*_share_resources(*share).items(), *_cluster_resources().items()]:
        resources.setdefault(kind, {}).update(items)
    if extra_sql is not None:
        resources["aws_redshiftdata_statement"]["broken"] = {**statement, "sql": extra_sql,
                                                             "depends_on": ["aws_redshiftdata_statement.schema"]}
    settings: dict = {"backend": {"local": {"path": str(state)}}}
    if version:
        settings["required_providers"] = {"aws": {"source": "hashicorp/aws", "version": version}}
    return {"terraform": settings, "provider": {"aws": providers}, "resource": resources}


@pytest.mark.emulator
def test_terraform_applies_serverless_and_statements_and_replans_clean(server, tmp_path):
    """aws_redshiftserverless_namespace (managed admin secret under a customer-managed key, roles, log exports),
    aws_redshiftserverless_workgroup, a provisioned aws_redshift_cluster with its parameter group, subnet group and
    logging, aws_redshiftdata_statement, aws_redshift_data_share_authorization (producer
    account) and aws_redshift_data_share_consumer_association (consumer account) with the real provider: apply,
    empty re-plan, empty re-plan after the statements expire, and a failing statement fails the apply with
    Redshift's error."""
    workspace = TerraformWorkspace(tmp_path)
    state = tmp_path / "terraform.tfstate"
    producer = clients(server, TF_PRODUCER)
    producer_ns = warehouse(producer, "tf-orders")
    for sql in PRODUCT_SQL[:-1] + [f"GRANT USAGE ON DATASHARE \"orders_product\" TO ACCOUNT '{TF_CONSUMER}'"]:
        ok(producer, "tf-orders-wg", sql)
    share_arn = f"arn:aws:redshift:{REGION}:{TF_PRODUCER}:datashare:{producer_ns['namespaceId']}/orders_product"
    share = (share_arn, producer_ns["namespaceId"])
    workspace.write(_config(server.url, state, share, version=workspace.source.version))
    workspace.apply()

    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)
    rs = session.client("redshift-serverless", endpoint_url=server.url)
    ns = rs.get_namespace(namespaceName="tf-domain")["namespace"]
    secret = session.client("secretsmanager", endpoint_url=server.url).describe_secret(
        SecretId=ns["adminPasswordSecretArn"])
    assert secret["KmsKeyId"] == ns["kmsKeyId"] and ns["kmsKeyId"].startswith("arn:aws:kms:")
    data = session.client("redshift-data", endpoint_url=server.url)

    def schemas() -> list[str]:
        sid = data.execute_statement(WorkgroupName="tf-domain", Database="dev", Sql="SELECT schema_name FROM "
                                     "svv_all_schemas WHERE database_name = 'dev' ORDER BY 1")["Id"]
        return [r[0]["stringValue"] for r in data.get_statement_result(Id=sid)["Records"]]

    assert schemas() == ["public", "sales"]
    # the share: authorized by the producer, ACTIVE for the consumer's namespace, mounted with exactly the view
    consumer = clients(server, TF_CONSUMER)
    consumer_ns = consumer("redshift-serverless").get_namespace(namespaceName="tf-analytics")["namespace"]
    seen = consumer("redshift").describe_data_shares(DataShareArn=share_arn)["DataShares"][0]
    assert [(a["ConsumerIdentifier"], a["Status"]) for a in seen["DataShareAssociations"]] == [
        (consumer_ns["namespaceArn"], "ACTIVE")]
    assert rows(consumer, "tf-analytics", "SELECT table_name, column_name FROM svv_all_columns WHERE "
                                          "database_name = 'orders_db' ORDER BY ordinal_position") == [
        ["orders_public", "order_id"], ["orders_public", "amount"], ["orders_public", "ordered_at"]]
    # the provisioned cluster: its namespace, and the statement ran in its database through the managed secret
    cluster = session.client("redshift", endpoint_url=server.url).describe_clusters(
        ClusterIdentifier="tf-cluster")["Clusters"][0]
    assert cluster["ClusterNamespaceArn"].startswith(f"arn:aws:redshift:{REGION}:123456789012:namespace:")
    sid = data.execute_statement(ClusterIdentifier="tf-cluster", Database="analytics", DbUser="meshadmin",
                                 Sql="SELECT schema_name FROM svv_all_schemas ORDER BY 1")["Id"]
    assert [r[0]["stringValue"] for r in data.get_statement_result(Id=sid)["Records"]] == ["finance", "public"]
    # 24 hours later the Data API has forgotten the statements (DescribeStatement: "expired"): with the
    # lifecycle meshform's statements carry (modules/constructs/redshift/statement.py) the re-plan is still empty,
    # so nothing re-runs
    assert expire(server, "123456789012") >= 1
    workspace.require_clean_replan()
    assert schemas() == ["public", "sales"]
    # a failing statement fails the apply with Redshift's error text
    broken = _config(server.url, state, share, 'CREATE TABLE "nowhere"."t" (x INT)', version=workspace.source.version)
    workspace.write(broken)
    failed = workspace.run("apply", "-auto-approve")
    assert failed.returncode != 0
    assert 'ERROR: schema "nowhere" does not exist' in failed.output.replace('\\"', '"'), failed.output[-2000:]
