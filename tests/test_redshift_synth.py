"""Redshift (issue 12) as synthesized and validated: the spec's rules, the SQL generated from the contracts (checked
with sqlglot's Redshift dialect), the datashares following the one access model, the warehouse's security settings,
the statement lifecycle, the consumer's lookup of the producer's share, and the pipeline's load step."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from meshform.access import CELLS_FILTER, TABLE, table_accesses
from meshform.cli import main
from meshform.loader import load_meshes
from meshform.redshift import model, sql
from tests.conftest import REPO, edit_yaml

pytestmark = pytest.mark.synth


@pytest.fixture(scope="module")
def dev_mesh():
    return load_meshes(REPO, ["dev"])[0]


def run_validate(root: Path, capsys) -> tuple[int, str]:
    code = main(["--root", str(root), "validate", "--env", "dev"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


# --- spec validation ------------------------------------------------------------------------------------------

def test_via_redshift_needs_a_warehouse_on_both_sides_and_no_column_subset(project, capsys):
    def change(d):
        d["consumers"]["data-science"]["redshift"] = None
        del d["domains"]["sales"]["redshift"]
        for sub in d["subscriptions"]:
            if sub["subscriber"] == "data-science" and sub["product"] == "sales.customers":
                sub["via"] = ["redshift"]
        d["consumers"]["data-science"].pop("redshift")
    edit_yaml(project / "environments" / "dev.yaml", change)
    code, out = run_validate(project, capsys)
    assert code == 1 and "Traceback" not in out
    assert "via redshift, but domain 'sales' has no Redshift warehouse" in out
    assert "via redshift, but 'data-science' has no Redshift warehouse" in out
    assert "column subsets are delivered through Lake Formation only" in out
    assert "environments/dev.yaml:" in out and "fix:" in out


@pytest.mark.parametrize(("block", "message"), [
    ({"mode": "provisioned", "node_type": "dc2.large"}, "node_type"),
    ({"mode": "provisioned"}, "mode: provisioned needs node_type"),
    ({"mode": "provisioned", "node_type": "ra3.4xlarge", "nodes": 1}, "ra3.4xlarge clusters have 2..32 nodes"),
    ({"mode": "serverless", "base_capacity": 12}, "steps of 8 RPUs"),
    ({"mode": "serverless", "base_capacity": 64, "max_capacity": 32}, "max_capacity 32 is below base_capacity 64"),
    ({"mode": "serverless", "node_type": "ra3.large"}, "node_type/nodes are for mode: provisioned"),
    ({"admin_user": "admin"}, "not a reserved name"),
])
def test_warehouse_spec_errors(project, capsys, block, message):
    edit_yaml(project / "environments" / "dev.yaml", lambda d: d["domains"]["sales"].update(redshift=block))
    code, out = run_validate(project, capsys)
    assert code == 1 and "Traceback" not in out
    assert "domains.sales.redshift" in out and message in out


# --- SQL ------------------------------------------------------------------------------------------------------

def test_types_map_from_the_contract():
    assert sql.redshift_type("string") == "VARCHAR(65535)"
    assert sql.redshift_type("decimal(18,2)") == "DECIMAL(18,2)"
    assert sql.redshift_type("decimal") == "DECIMAL(10,0)"
    assert sql.redshift_type("tinyint") == "SMALLINT"
    assert sql.redshift_type("double") == "DOUBLE PRECISION"
    assert sql.redshift_type("array<string>") == "SUPER"
    with pytest.raises(ValueError):
        sql.redshift_type("interval")


def test_ddl_parses_with_the_redshift_dialect_and_matches_the_contract(dev_mesh):
    statements = model.producer_statements(dev_mesh, "sales")
    product = dev_mesh.products["sales.orders"]
    creates = {}
    for st in statements:
        parsed = sqlglot.parse_one(st.sql, read="redshift")
        if st.sql.startswith(("CREATE TABLE", "CREATE VIEW", "DROP", "CREATE SCHEMA", "GRANT SELECT")):
            assert not isinstance(parsed, exp.Command), st.sql       # a real parse, not a passthrough
        if isinstance(parsed, exp.Create) and parsed.kind == "TABLE":
            creates[parsed.this.this.name] = parsed
    for table in product.tables:
        schema = creates[table.name].this
        columns = {c.name: c for c in schema.expressions if isinstance(c, exp.ColumnDef)}
        assert list(columns) == [c.name for c in table.all_columns]
        for column in table.all_columns:
            kind = columns[column.name].args["kind"].sql(dialect="redshift")
            assert kind == sqlglot.parse_one(f"CAST(x AS {sql.redshift_type(column.type)})",
                                             read="redshift").to.sql(dialect="redshift")
    orders = creates["orders"].sql(dialect="redshift")
    assert 'PRIMARY KEY ("order_id")' in orders


def test_views_withhold_exactly_what_the_access_model_withholds(dev_mesh):
    accesses = model.redshift_accesses(dev_mesh)
    assert [(a.subscriber, a.product, a.share.name) for a in accesses] == [
        ("analytics", "sales.orders", "orders__upto_confidential")]
    access = accesses[0]
    assert model.share_matches_access(access)
    lf = {a.table: a for a in table_accesses(dev_mesh) if a.subscriber == "analytics" and a.product == "sales.orders"}
    for obj in access.share.objects:
        assert obj.withheld == lf[obj.table].hidden
        assert obj.is_view == (lf[obj.table].mechanism == CELLS_FILTER)
        assert not obj.is_view or lf[obj.table].mechanism != TABLE
    # The view's SELECT lists exactly the readable columns.
    view = next(s for s in model.producer_statements(dev_mesh, "sales")
                if s.key == "view_orders_orders__upto_confidential")
    selected = [c.name for c in sqlglot.parse_one(view.sql, read="redshift").expression.expressions]
    assert tuple(selected) == lf["orders"].columns and "customer_email" not in selected


def test_a_changed_table_re_runs_its_views_and_share_entries_but_not_the_grants(dev_mesh):
    statements = model.producer_statements(dev_mesh, "sales")
    before = model.triggers(statements)
    changed = [model.Statement(s.key, s.sql + " BACKUP YES", s.after, s.rerun_with)
               if s.key == "table_orders_orders" else s for s in statements]
    after = model.triggers(changed)
    moved = {k for k in before if before[k] != after[k]}
    assert "table_orders_orders" in moved and "view_orders_orders__upto_confidential" in moved
    assert "share_orders__upto_confidential_orders__upto_confidential" in moved
    assert "share_orders__upto_confidential" not in moved and "table_orders_order_lines" not in moved
    assert model.triggers(statements) == before                                   # deterministic


# --- stacks ---------------------------------------------------------------------------------------------------

def test_producer_warehouse_is_encrypted_private_logged_and_tls_only(stack):
    sales = stack("dev-domain-sales")
    ns = sales.one("aws_redshiftserverless_namespace")
    assert ns["manage_admin_password"] is True and "admin_user_password" not in ns
    assert ns["kms_key_id"].startswith("${aws_kms_key.") and ns["admin_password_secret_kms_key_id"] == ns["kms_key_id"]
    assert sorted(ns["log_exports"]) == ["connectionlog", "useractivitylog", "userlog"]
    assert ns["lifecycle"]["prevent_destroy"] is True
    wg = sales.one("aws_redshiftserverless_workgroup")
    assert wg["publicly_accessible"] is False and wg["enhanced_vpc_routing"] is True
    params = {p["parameter_key"]: p["parameter_value"] for p in wg["config_parameter"]}
    assert params["require_ssl"] == "true" and params["enable_user_activity_logging"] == "true"
    assert len(wg["subnet_ids"]) == 3
    assert not sales.resources("aws_internet_gateway") and not sales.resources("aws_nat_gateway")
    group = sales.one("aws_security_group")
    assert [r["self"] for r in group["ingress"]] == [True]
    flow = sales.one("aws_flow_log")
    assert flow["traffic_type"] == "ALL" and flow["log_destination_type"] == "cloud-watch-logs"
    flow_group = next(g for g in sales.resources("aws_cloudwatch_log_group").values() if "vpc-flow-logs" in g["name"])
    assert flow_group["kms_key_id"].startswith("${aws_kms_key.redshift_key") and flow_group["retention_in_days"] == 365


def test_consumer_cluster_is_ra3_encrypted_private_logged(stack):
    analytics = stack("dev-consumer-analytics")
    cluster = analytics.one("aws_redshift_cluster")
    assert cluster["node_type"] == "ra3.large" and cluster["encrypted"] == "true"
    assert cluster["publicly_accessible"] is False and cluster["enhanced_vpc_routing"] is True
    assert cluster["manage_master_password"] is True and "master_password" not in cluster
    params = {p["name"]: p["value"] for p in analytics.one("aws_redshift_parameter_group")["parameter"]}
    assert params["require_ssl"] == "true"
    assert analytics.one("aws_redshift_logging")["log_destination_type"] == "cloudwatch"


def test_warehouse_key_lets_cloudwatch_logs_encrypt_exactly_its_flow_and_audit_log_groups(stack, dev_mesh):
    """The Redshift key's CloudWatch Logs statement names the stack's own four log groups (flow logs plus the three
    audit logs at the names Redshift exports to) and no other; each of those groups is encrypted with that key."""
    for name, account, base in (
            ("dev-domain-sales", "222222222222", "/aws/redshift/acme-dev-sales"),
            ("dev-consumer-analytics", "555555555555", "/aws/redshift/cluster/acme-dev-analytics")):
        s = stack(name)
        [key] = [k for k in s.resources("aws_kms_key").values() if "Redshift" in k["description"]]
        [logs] = [st for st in json.loads(key["policy"])["Statement"]
                  if st.get("Principal") == {"Service": f"logs.{dev_mesh.region}.amazonaws.com"}]
        arns = logs["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]
        groups = {g["name"]: g for g in s.resources("aws_cloudwatch_log_group").values()
                  if g["name"].startswith(("/aws/redshift/", "/meshform/vpc-flow-logs/"))}
        assert sorted(groups) == sorted([f"{base}/connectionlog", f"{base}/useractivitylog", f"{base}/userlog",
                                         f"/meshform/vpc-flow-logs/{base.rsplit('/', 1)[1]}"])
        assert arns == sorted(f"arn:aws:logs:{dev_mesh.region}:{account}:log-group:{g}" for g in groups)
        key_ref = next(iter(groups.values()))["kms_key_id"]
        assert key_ref.startswith("${aws_kms_key.redshift_key") and all(
            g["kms_key_id"] == key_ref and g["retention_in_days"] == 365 for g in groups.values())


def test_s3_endpoints_pass_only_the_producers_copy(stack, dev_mesh):
    sales = json.loads(stack("dev-domain-sales").one("aws_vpc_endpoint")["policy"])["Statement"]
    bucket = dev_mesh.bucket("sales", "analytics")
    assert {(st["Effect"], tuple(st["Resource"]), st["Condition"]["ArnEquals"]["aws:PrincipalArn"])
            for st in sales} == {
        ("Allow", (f"arn:aws:s3:::{bucket}",), "arn:aws:iam::222222222222:role/acme-dev-sales-redshift"),
        ("Allow", (f"arn:aws:s3:::{bucket}/*",), "arn:aws:iam::222222222222:role/acme-dev-sales-redshift")}
    [deny] = json.loads(stack("dev-consumer-analytics").one("aws_vpc_endpoint")["policy"])["Statement"]
    assert (deny["Effect"], deny["Action"], deny["Resource"]) == ("Deny", ["s3:*"], "*")


def test_every_statement_survives_expiry_and_re_runs_on_a_sql_change(stack):
    for name in ("dev-domain-sales", "dev-consumer-analytics"):
        s = stack(name)
        triggers = s.resources("terraform_data")
        for body in s.resources("aws_redshiftdata_statement").values():
            lifecycle = body["lifecycle"]
            assert lifecycle["ignore_changes"] == "all"
            [ref] = lifecycle["replace_triggered_by"]
            assert ref.split(".")[1].split("[")[0] in triggers
            assert "secret_arn" in body and "${" in body["secret_arn"]


def test_producer_grants_authorizes_and_keeps_tombstones(stack):
    sales = stack("dev-domain-sales")
    sqls = {b["sql"] for b in sales.resources("aws_redshiftdata_statement").values()}
    assert "GRANT USAGE ON DATASHARE \"orders__upto_confidential\" TO ACCOUNT '555555555555'" in sqls
    # Every other datashare of the product has a tombstone for the account: it never reads the table itself.
    assert "REVOKE USAGE ON DATASHARE \"orders\" FROM ACCOUNT '555555555555'" in sqls
    [auth] = sales.resources("aws_redshift_data_share_authorization").values()
    assert auth["consumer_identifier"] == "555555555555"
    assert auth["data_share_arn"].startswith("arn:aws:redshift:eu-west-1:222222222222:datashare:${")
    assert auth["data_share_arn"].endswith("/orders__upto_confidential")


def test_removing_the_subscription_revokes_and_deauthorizes(project):
    from meshform.synth import synthesize

    def change(d):
        for sub in d["subscriptions"]:
            sub.pop("via", None)
    edit_yaml(project / "environments" / "dev.yaml", change)
    synthesize(load_meshes(project, ["dev"]), project / "cdktf.out")
    sales = json.loads((project / "cdktf.out/stacks/dev-domain-sales/cdk.tf.json").read_text())["resource"]
    sqls = {b["sql"] for b in sales["aws_redshiftdata_statement"].values()}
    assert "REVOKE USAGE ON DATASHARE \"orders__upto_confidential\" FROM ACCOUNT '555555555555'" in sqls
    assert not any(s.startswith("GRANT USAGE ON DATASHARE") for s in sqls)
    assert "aws_redshift_data_share_authorization" not in sales


def test_consumer_finds_the_share_in_its_own_account_and_creates_its_database(stack):
    analytics = stack("dev-consumer-analytics")
    [local] = analytics.json["locals"].values()
    assert "data.aws_redshift_data_shares." in local and '"222222222222"' in local
    assert '"/orders__upto_confidential"' in local
    [assoc] = analytics.resources("aws_redshift_data_share_consumer_association").values()
    assert assoc["count"].startswith("${length(local.") and "cluster_namespace_arn" in assoc["consumer_arn"]
    statements = analytics.resources("aws_redshiftdata_statement").values()
    create = next(b for b in statements if b["sql"].startswith("CREATE DATABASE"))
    assert create["sql"].startswith("CREATE DATABASE \"sales_orders\" FROM DATASHARE \"orders__upto_confidential\" "
                                    "OF ACCOUNT '222222222222' NAMESPACE '${")
    grants = sorted(b["sql"] for b in statements if b["sql"].startswith("GRANT USAGE ON DATABASE"))
    assert grants == ['GRANT USAGE ON DATABASE "sales_orders" TO "IAMR:Analyst"',
                      'GRANT USAGE ON DATABASE "sales_orders" TO "IAMR:BIService"']
    assert "terraform_remote_state" not in json.dumps(analytics.json)


def test_every_product_the_subscriber_could_read_has_one_database_address_create_or_drop(stack):
    """CREATE while subscribed (sales.orders), the tombstone DROP otherwise (sales.customers), each counted by what
    the plan can know: the share found in the own account, or the ledger parameter recording the CREATE ran."""
    analytics = stack("dev-consumer-analytics")
    statements = analytics.resources("aws_redshiftdata_statement")
    by_db = {k.split("_database_")[1].rsplit("_statement_", 1)[0]: b for k, b in statements.items()
             if "_database_" in k}
    assert set(by_db) == {"sales_customers", "sales_orders"}           # every product of every other warehouse
    assert by_db["sales_orders"]["sql"].startswith('CREATE DATABASE "sales_orders" FROM DATASHARE')
    assert by_db["sales_orders"]["count"].startswith("${length(local.")
    assert by_db["sales_customers"]["sql"] == 'DROP DATABASE "sales_customers" FORCE'
    sqlglot.parse_one(by_db["sales_customers"]["sql"], read="redshift")
    [(data_key, ledger)] = analytics.json["data"]["aws_ssm_parameters_by_path"].items()
    assert ledger["path"] == "/acme/dev/analytics/redshift/consumer-databases" and "depends_on" not in ledger
    assert by_db["sales_customers"]["count"] == (
        f"${{contains(data.aws_ssm_parameters_by_path.{data_key}.names, "
        f"\"/acme/dev/analytics/redshift/consumer-databases/sales_customers\") ? 1 : 0}}")
    params = {b["name"].rsplit("/", 1)[1]: b for b in analytics.resources("aws_ssm_parameter").values()}
    assert set(params) == {"sales_customers", "sales_orders"}
    for db, param in params.items():
        # recorded only after its statement ran, encrypted with the warehouse's own key, counted like it
        assert param["type"] == "SecureString" and param["key_id"].startswith("${aws_kms_key.redshift_key_")
        [after] = param["depends_on"]
        assert statements[after.split(".")[1]] is by_db[db]
        assert param["count"] == by_db[db]["count"]
    # the producer never has a ledger: it subscribes to nothing
    assert "aws_ssm_parameter" not in stack("dev-domain-sales").json["resource"]


def test_unsubscribing_turns_the_create_into_the_drop_at_the_same_address(project):
    from meshform.synth import synthesize

    def change(d):
        d["subscriptions"] = [s for s in d["subscriptions"] if s["product"] != "sales.orders"
                              or s["subscriber"] != "analytics"]
    edit_yaml(project / "environments" / "dev.yaml", change)
    synthesize(load_meshes(project, ["dev"]), project / "cdktf.out")
    analytics = json.loads((project / "cdktf.out/stacks/dev-consumer-analytics/cdk.tf.json").read_text())["resource"]
    statements = analytics["aws_redshiftdata_statement"]
    [orders] = [b for k, b in statements.items() if "_database_sales_orders_" in k]
    assert orders["sql"] == 'DROP DATABASE "sales_orders" FORCE' and "contains(data.aws_ssm" in orders["count"]
    assert not any(b["sql"].startswith(("CREATE DATABASE", "GRANT USAGE ON DATABASE")) for b in statements.values())
    assert "aws_redshift_data_share_consumer_association" not in analytics
    # its principals' database users stay: a later subscription's CREATE USER would find them and fail
    assert {b["sql"] for b in statements.values() if b["sql"].startswith("CREATE USER")} == {
        'CREATE USER "IAMR:Analyst" PASSWORD DISABLE', 'CREATE USER "IAMR:BIService" PASSWORD DISABLE'}


def test_pipeline_loads_redshift_after_the_quality_gate(stack):
    sales = stack("dev-domain-sales")
    machine = sales.one("aws_sfn_state_machine")
    definition = json.loads(machine["definition"])
    assert definition["States"]["DataQuality"]["Next"] == "LoadRedshift"
    load = definition["States"]["LoadRedshift"]
    assert load["Resource"] == "arn:aws:states:::aws-sdk:redshiftdata:batchExecuteStatement"
    assert load["Parameters"]["WorkgroupName"] == "acme-dev-sales" and load["Parameters"]["Database"] == "sales"
    sqls = load["Parameters"]["Sqls"]
    assert sqls[0] == 'DELETE FROM "orders"."orders"'
    assert sqls[1] == ("COPY \"orders\".\"orders\" FROM 's3://acme-dev-sales-analytics-222222222222/orders/orders/' "
                       "IAM_ROLE 'arn:aws:iam::222222222222:role/acme-dev-sales-redshift' FORMAT AS PARQUET FILLRECORD")
    for text in sqls:
        sqlglot.parse_one(text, read="redshift")
    assert definition["States"]["Loaded?"]["Choices"][0]["Next"] == "SuccessMessage"
    ns = sales.one("aws_redshiftserverless_namespace")
    assert ns["iam_roles"] == ["arn:aws:iam::222222222222:role/acme-dev-sales-redshift"]
