"""One test per Redshift construct that stands alone (network, warehouse, COPY role, managed statement) on its
synthesized JSON (tests/construct_synth.py), for what the bundled environments never exercise: a multi-node
cluster, a Serverless workgroup with a capacity ceiling and no roles, a small VPC block, a statement re-run by a
changed SQL alone. The datashare constructs take a whole mesh and are proven through the stacks
(tests/test_redshift_synth.py) and on the emulator (tests/deployed_dev_redshift.py)."""
from __future__ import annotations

import json

import pytest

from tests.construct_synth import depends_on_types, only, synth, synth_document

pytestmark = pytest.mark.synth

REGION = "ap-southeast-2"
ACCOUNT = "710000000002"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_private_network_splits_a_small_block_over_three_available_zones_without_internet():
    from modules.constructs.redshift.network import PrivateNetwork

    doc = synth_document(lambda s: PrivateNetwork(
        s, "net", name="x-dev-hr", region=REGION, cidr="10.70.4.0/22", account=ACCOUNT, kms_key_arn=KEY,
        flow_logs_role="x-dev-hr-flow-logs"))
    res = doc["resource"]
    # The zones come from the account, never `<region>a/b/c`: its Availability Zones (no opt-in), the n-th subnet
    # in the provider's n-th (sorted) name, kept once created, and a plan that stops where fewer than three exist.
    # No state filter: an impaired zone leaving the list would break (or shift) every plan during the incident.
    [(zones_name, zones)] = doc["data"]["aws_availability_zones"].items()
    assert "state" not in zones and "all_availability_zones" not in zones
    assert zones["filter"] == [{"name": "opt-in-status", "values": ["opt-in-not-required"]}]
    [postcondition] = zones["lifecycle"]["postcondition"]
    assert postcondition["condition"] == "${length(self.names) >= 3}" and "3 Availability Zones" in \
        postcondition["error_message"]
    subnets = sorted(res["aws_subnet"].values(), key=lambda s: s["cidr_block"])
    assert [(s["availability_zone"], s["cidr_block"]) for s in subnets] == [
        (f"${{data.aws_availability_zones.{zones_name}.names[{i}]}}", f"10.70.{4 + i}.0/24") for i in range(3)]
    assert not any(REGION in s["availability_zone"] for s in subnets)
    assert all(s["lifecycle"] == {"ignore_changes": ["availability_zone"]} for s in subnets)
    assert all(s["map_public_ip_on_launch"] is False for s in subnets)
    # No way out but S3: no internet or NAT gateway, no route of its own, a gateway endpoint for S3.
    assert not {"aws_internet_gateway", "aws_nat_gateway", "aws_route", "aws_eip"} & set(res)
    assert "route" not in only(res, "aws_route_table")
    endpoint = only(res, "aws_vpc_endpoint")
    assert endpoint["service_name"] == f"com.amazonaws.{REGION}.s3" and endpoint["vpc_endpoint_type"] == "Gateway"
    # Without a COPY role nothing may pass through the endpoint (a consumer's warehouse reads datashares).
    assert json.loads(endpoint["policy"])["Statement"] == [
        {"Sid": "NoS3ThroughThisVpc", "Effect": "Deny", "Action": ["s3:*"], "Resource": "*", "Principal": "*"}]
    group = only(res, "aws_security_group")
    [ingress] = group["ingress"]
    assert (ingress["from_port"], ingress["to_port"], ingress["self"]) == (5439, 5439, True)
    assert "cidr_blocks" not in ingress or ingress["cidr_blocks"] is None
    [egress] = group["egress"]
    assert egress["from_port"] == egress["to_port"] == 443 and egress["prefix_list_ids"]
    assert "ingress" not in only(res, "aws_default_security_group")          # the default group admits nothing
    logs = only(res, "aws_cloudwatch_log_group")
    assert (logs["kms_key_id"], logs["retention_in_days"], logs["lifecycle"]["prevent_destroy"]) == (KEY, 365, True)
    assert only(res, "aws_flow_log")["traffic_type"] == "ALL"
    trust = json.loads(only(res, "aws_iam_role")["assume_role_policy"])["Statement"][0]
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def test_s3_endpoint_lets_only_the_copy_role_list_and_read_the_analytics_bucket():
    from modules.constructs.redshift.copy_role import CopyRole
    from modules.constructs.redshift.network import PrivateNetwork

    role_arn = f"arn:aws:iam::{ACCOUNT}:role/x-dev-hr-redshift"

    def build(s):
        copy = CopyRole(s, "copy", name="x-dev-hr-redshift", account=ACCOUNT, region=REGION, bucket="x-analytics",
                        key_arn=KEY)
        PrivateNetwork(s, "net", name="x-dev-hr", region=REGION, cidr="10.70.4.0/22", account=ACCOUNT,
                       kms_key_arn=KEY, flow_logs_role="x-dev-hr-flow-logs", copy_role_arn=copy.arn,
                       copy_bucket="x-analytics")

    res = synth(build)
    endpoint = {st["Sid"]: st for st in json.loads(only(res, "aws_vpc_endpoint")["policy"])["Statement"]}
    copy_only = {"ArnEquals": {"aws:PrincipalArn": role_arn}}
    assert endpoint == {
        "CopyListsAnalytics": {"Sid": "CopyListsAnalytics", "Effect": "Allow", "Principal": "*",
                               "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
                               "Resource": ["arn:aws:s3:::x-analytics"], "Condition": copy_only},
        "CopyReadsAnalytics": {"Sid": "CopyReadsAnalytics", "Effect": "Allow", "Principal": "*",
                               "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::x-analytics/*"],
                               "Condition": copy_only}}
    # Never wider than the role itself: the same S3 actions on the same resources.
    [copy_policy] = [p for p in res["aws_iam_role_policy"].values() if p["name"] == "copy"]
    role = {st["Sid"]: st for st in json.loads(copy_policy["policy"])["Statement"] if st["Action"][0].startswith("s3:")}
    assert sorted((st["Action"], st["Resource"]) for st in role.values()) == sorted(
        (st["Action"], st["Resource"]) for st in endpoint.values())


@pytest.mark.parametrize(("mode", "owner", "base"), [
    ("serverless", "aws_redshiftserverless_namespace", "/aws/redshift/x-dev-hr"),
    ("provisioned", "aws_redshift_cluster", "/aws/redshift/cluster/x-dev-hr")])
def test_audit_logs_go_to_encrypted_log_groups_created_before_the_warehouse(mode, owner, base):
    from meshform.spec.environment import RedshiftSpec
    from modules.constructs.redshift.warehouse import RedshiftWarehouse, WarehouseProps

    spec = RedshiftSpec(mode=mode, **({"node_type": "ra3.large", "nodes": 1} if mode == "provisioned" else {}))
    res = synth(lambda s: RedshiftWarehouse(s, "wh", WarehouseProps(
        name="x-dev-hr", database="hr", spec=spec, kms_key_arn=KEY, subnet_ids=["subnet-1", "subnet-2", "subnet-3"],
        security_group_ids=["sg-1"])))
    groups = {g["name"]: g for g in res["aws_cloudwatch_log_group"].values()}
    assert sorted(groups) == [f"{base}/{log}" for log in ("connectionlog", "useractivitylog", "userlog")]
    for group in groups.values():
        assert (group["kms_key_id"], group["retention_in_days"], group["lifecycle"]["prevent_destroy"]) == (
            KEY, 365, True)
    # Each resource that starts the export waits for all three groups (else Redshift creates them unencrypted).
    names = {f"aws_cloudwatch_log_group.{n}" for n in res["aws_cloudwatch_log_group"]}
    exporters = [only(res, owner)] + ([only(res, "aws_redshiftserverless_workgroup")] if mode == "serverless" else
                                      [only(res, "aws_redshift_logging")])
    for resource in exporters:
        assert set(resource["depends_on"]) == names


def test_provisioned_warehouse_with_several_nodes_is_multi_node_encrypted_private_and_logged():
    from meshform.spec.environment import RedshiftSpec
    from modules.constructs.redshift.warehouse import RedshiftWarehouse, WarehouseProps

    holder = {}

    def build(s):
        holder["w"] = RedshiftWarehouse(s, "wh", WarehouseProps(
            name="x-dev-hr", database="hr", spec=RedshiftSpec(mode="provisioned", node_type="ra3.xlplus", nodes=4),
            kms_key_arn=KEY, subnet_ids=["subnet-1"], security_group_ids=["sg-1"],
            role_arns=[f"arn:aws:iam::{ACCOUNT}:role/copy", f"arn:aws:iam::{ACCOUNT}:role/other"]))

    res = synth(build)
    cluster = only(res, "aws_redshift_cluster")
    assert (cluster["cluster_type"], cluster["number_of_nodes"], cluster["node_type"]) == ("multi-node", 4,
                                                                                          "ra3.xlplus")
    assert cluster["encrypted"] == "true" and cluster["kms_key_id"] == KEY
    assert cluster["manage_master_password"] is True and "master_password" not in cluster
    assert cluster["publicly_accessible"] is False and cluster["enhanced_vpc_routing"] is True
    assert cluster["default_iam_role_arn"] == f"arn:aws:iam::{ACCOUNT}:role/copy"
    assert cluster["skip_final_snapshot"] is False and cluster["lifecycle"]["prevent_destroy"] is True
    params = {p["name"]: p["value"] for p in only(res, "aws_redshift_parameter_group")["parameter"]}
    assert params == {"enable_user_activity_logging": "true", "require_ssl": "true"}
    assert only(res, "aws_redshift_logging")["log_exports"] == ["connectionlog", "userlog", "useractivitylog"]
    # The Data API IAM for the cluster: its own database user credentials and statements.
    by_sid = {st["Sid"]: st for st in holder["w"].data_api_statements(REGION, ACCOUNT)}
    assert by_sid["WarehouseCredentials"]["Action"] == ["redshift:GetClusterCredentialsWithIAM"]
    assert by_sid["WarehouseCredentials"]["Resource"] == [f"arn:aws:redshift:{REGION}:{ACCOUNT}:dbname:x-dev-hr/hr"]
    assert by_sid["RunLoadStatements"]["Resource"] == [f"arn:aws:redshift:{REGION}:{ACCOUNT}:cluster:x-dev-hr"]
    assert by_sid["ReadOwnStatements"]["Condition"] == {
        "StringEquals": {"redshift-data:statement-owner-iam-userid": "$${aws:userid}"}}


def test_serverless_warehouse_without_roles_has_a_capacity_ceiling_and_every_parameter():
    from meshform.spec.environment import RedshiftSpec
    from modules.constructs.redshift.warehouse import PARAMETERS, WORKGROUP_DEFAULTS, RedshiftWarehouse, WarehouseProps

    res = synth(lambda s: RedshiftWarehouse(s, "wh", WarehouseProps(
        name="x-dev-bi", database="bi", spec=RedshiftSpec(base_capacity=16, max_capacity=64), kms_key_arn=KEY,
        subnet_ids=["subnet-1", "subnet-2", "subnet-3"], security_group_ids=["sg-1"])))
    namespace = only(res, "aws_redshiftserverless_namespace")
    assert "iam_roles" not in namespace and "default_iam_role_arn" not in namespace
    assert namespace["manage_admin_password"] is True and namespace["admin_password_secret_kms_key_id"] == KEY
    assert namespace["lifecycle"]["prevent_destroy"] is True
    workgroup = only(res, "aws_redshiftserverless_workgroup")
    assert (workgroup["base_capacity"], workgroup["max_capacity"]) == (16, 64)
    assert workgroup["publicly_accessible"] is False and workgroup["enhanced_vpc_routing"] is True
    # All nine parameters, or the workgroup plans a change forever (provider issue 33916).
    assert {p["parameter_key"]: p["parameter_value"] for p in workgroup["config_parameter"]} == {
        **WORKGROUP_DEFAULTS, **PARAMETERS}
    assert "aws_redshift_cluster" not in res


def test_copy_role_reads_one_bucket_with_its_key_through_s3_for_this_account_only():
    from modules.constructs.redshift.copy_role import CopyRole

    res = synth(lambda s: CopyRole(s, "copy", name="x-dev-hr-redshift", account=ACCOUNT, region=REGION,
                                   bucket="x-analytics", key_arn=KEY))
    trust = json.loads(only(res, "aws_iam_role")["assume_role_policy"])["Statement"][0]
    assert trust["Principal"] == {"Service": ["redshift-serverless.amazonaws.com", "redshift.amazonaws.com"]}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    by_sid = {st["Sid"]: st for st in json.loads(only(res, "aws_iam_role_policy")["policy"])["Statement"]}
    assert by_sid["ReadAnalytics"] == {"Sid": "ReadAnalytics", "Effect": "Allow", "Action": ["s3:GetObject"],
                                       "Resource": ["arn:aws:s3:::x-analytics/*"]}        # read only
    assert by_sid["AnalyticsKey"]["Action"] == ["kms:Decrypt"] and by_sid["AnalyticsKey"]["Resource"] == [KEY]
    assert by_sid["AnalyticsKey"]["Condition"] == {
        "StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}}


def test_managed_statement_ignores_what_the_api_forgets_and_reruns_on_its_trigger():
    from modules.constructs.redshift.statement import STATEMENT_NAME_MAX, ManagedStatement

    res = synth(lambda s: ManagedStatement(s, "st", sql="CREATE SCHEMA s", trigger="abc", database="hr",
                                           target={"cluster_identifier": "x-dev-hr"}, secret_arn="arn:secret",
                                           name="n" * 600))
    statement = only(res, "aws_redshiftdata_statement")
    trigger_name = next(iter(res["terraform_data"]))
    assert statement["lifecycle"] == {"ignore_changes": "all",
                                      "replace_triggered_by": [f"terraform_data.{trigger_name}"]}
    assert statement["cluster_identifier"] == "x-dev-hr" and "workgroup_name" not in statement
    assert len(statement["statement_name"]) == STATEMENT_NAME_MAX and "count" not in statement
    assert res["terraform_data"][trigger_name]["triggers_replace"] == {"sql": "abc"}
    assert depends_on_types(statement) == set()
