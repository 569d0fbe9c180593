"""Redshift on the emulator (issue 12), collected by tests/test_local_deploy.py to share its one apply of dev (the
session's `dev` fixture), then read back with boto3 per account: the producer's warehouse and datashares, the
consumer's association; the statements survive Data API expiry (a re-plan after expiring them is empty) and a
changed contract re-runs exactly the statements it reaches."""
from __future__ import annotations

import ipaddress
import json
import shutil
import urllib.request

import pytest
import yaml

from meshform.loader import load_meshes
from meshform.local import terraform as tf
from meshform.synth import synthesize

pytestmark = pytest.mark.emulator

PRODUCER, CONSUMER = "222222222222", "555555555555"


def _plan(dev, tmp_path, stack_name: str, root=None) -> dict:
    """Plan `stack_name` against the applied state; with `root`, the stack as synthesized from that project."""
    applied = dev["workdir"] / "cdktf.out" / "stacks" / stack_name
    stack = tmp_path / stack_name
    shutil.copytree(applied, stack, symlinks=True)          # keeps .terraform, the lock file and the override
    if root is not None:
        shutil.copy(root / "cdktf.out" / "stacks" / stack_name / "cdk.tf.json", stack / "cdk.tf.json")
    cli_config = dev["workdir"] / "terraform.rc"
    log = tmp_path / f"{stack_name}.log"
    plan = tf.run(tf.find_terraform(), ["plan", "-input=false", "-lock=false", "-out=change.tfplan"], stack,
                  cli_config, log)
    assert plan.returncode == 0, plan.output
    shown = tf.run(tf.find_terraform(), ["show", "-json", "change.tfplan"], stack, cli_config, log)
    assert shown.returncode == 0, shown.output
    return json.loads(shown.output[shown.output.index("{"):])


def _changes(plan: dict) -> dict[str, list[str]]:
    return {c["address"]: c["change"]["actions"] for c in plan.get("resource_changes", [])
            if c["change"]["actions"] != ["no-op"]}


def test_producer_warehouse_and_datashares_as_applied(dev):
    redshift = dev["as_account"](PRODUCER)("redshift-serverless")
    workgroup = redshift.get_workgroup(workgroupName="acme-dev-sales")["workgroup"]
    assert workgroup["publiclyAccessible"] is False and workgroup["enhancedVpcRouting"] is True
    params = {p["parameterKey"]: p["parameterValue"] for p in workgroup["configParameters"]}
    assert params["require_ssl"] == "true"
    namespace = redshift.get_namespace(namespaceName="acme-dev-sales")["namespace"]
    assert namespace["kmsKeyId"] and namespace.get("adminPasswordSecretArn")
    shares = dev["as_account"](PRODUCER)("redshift").describe_data_shares()["DataShares"]
    by_name = {s["DataShareArn"].rsplit("/", 1)[1]: s for s in shares}
    assert {"orders", "orders__upto_confidential", "customers"} <= set(by_name)
    consumers = {a["ConsumerIdentifier"]: a["Status"] for a in
                 by_name["orders__upto_confidential"].get("DataShareAssociations", [])}
    assert consumers == {CONSUMER: "ACTIVE"}
    # never the table itself: the consumer holds no association with the whole-product datashare
    assert not by_name["orders"].get("DataShareAssociations")


def test_consumer_associated_the_share_found_in_its_own_account(dev):
    shares = dev["as_account"](CONSUMER)("redshift").describe_data_shares()["DataShares"]
    [share] = [s for s in shares if s["DataShareArn"].endswith("/orders__upto_confidential")]
    assert share["DataShareArn"].split(":")[4] == PRODUCER
    assert [a["Status"] for a in share["DataShareAssociations"]] == ["ACTIVE"]


def test_networks_and_audit_log_groups_as_applied(dev):
    """Per warehouse account: the subnets sit in the first three zones (by name) of the account's
    DescribeAvailabilityZones that need no opt-in; the S3 gateway endpoint carries the synthesized
    policy (the producer's COPY role only; nothing for the consumer); the audit log groups exist at the names
    Redshift exports to, encrypted with the warehouse's key and kept a year."""
    sales_copy = f"arn:aws:iam::{PRODUCER}:role/acme-dev-sales-redshift"
    for account, owner, base, copy_role in ((PRODUCER, "sales", "/aws/redshift/acme-dev-sales", sales_copy),
                                            (CONSUMER, "analytics", "/aws/redshift/cluster/acme-dev-analytics", None)):
        clients = dev["as_account"](account)
        ec2 = clients("ec2")
        zones = ec2.describe_availability_zones(Filters=[
            {"Name": "opt-in-status", "Values": ["opt-in-not-required"]}])["AvailabilityZones"]
        [vpc] = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"acme-dev-{owner}"]}])["Vpcs"]
        subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]
        # the n-th block of the VPC in the n-th zone name
        by_block = sorted(subnets, key=lambda s: ipaddress.ip_network(s["CidrBlock"]))
        assert [s["AvailabilityZone"] for s in by_block] == sorted(z["ZoneName"] for z in zones)[:3]
        [endpoint] = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["VpcEndpoints"]
        statements = json.loads(endpoint["PolicyDocument"])["Statement"]
        if copy_role is None:
            assert [(st["Effect"], st["Action"]) for st in statements] == [("Deny", ["s3:*"])]
        else:
            assert {st["Condition"]["ArnEquals"]["aws:PrincipalArn"] for st in statements} == {copy_role}
            assert all(st["Effect"] == "Allow" and "*" not in "".join(st["Action"]) for st in statements)
        key = clients("kms").describe_key(KeyId=f"alias/acme-dev-{owner}-redshift")["KeyMetadata"]["Arn"]
        groups = clients("logs").describe_log_groups(logGroupNamePrefix=f"{base}/")["logGroups"]
        assert sorted((g["logGroupName"], g.get("kmsKeyId"), g.get("retentionInDays")) for g in groups) == [
            (f"{base}/{log}", key, 365) for log in ("connectionlog", "useractivitylog", "userlog")]


def test_statement_expiry_changes_nothing(dev, tmp_path):
    request = urllib.request.Request(f"{dev['endpoint']}/moto-api/meshform/redshift-data/expire-statements",
                                     data=b"{}", method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:        # noqa: S310 - loopback emulator
        assert json.loads(response.read())["expired"] > 0
    for stack in ("dev-domain-sales", "dev-consumer-analytics"):
        assert _changes(_plan(dev, tmp_path, stack)) == {}, stack


def test_a_changed_table_re_runs_exactly_the_statements_it_reaches(dev, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(dev["root"] / "environments", root / "environments")
    shutil.copytree(dev["root"] / "contracts", root / "contracts")
    path = root / "contracts" / "sales" / "orders.yaml"
    contract = yaml.safe_load(path.read_text())
    contract["schema"][0]["properties"].append({
        "name": "gift_wrap", "physicalName": "gift_wrap", "logicalType": "boolean", "physicalType": "boolean",
        "description": "Whether the order is gift-wrapped.", "classification": "internal"})
    path.write_text(yaml.safe_dump(contract, sort_keys=False))
    synthesize(load_meshes(root, ["dev"]), root / "cdktf.out")
    changes = _changes(_plan(dev, tmp_path, "dev-domain-sales", root))
    statements = {a.split(".")[1] for a in changes if a.startswith("aws_redshiftdata_statement.")}
    assert statements, changes
    # only statements of the orders table: its drop/create, its views, their datashare entries, the load grant
    assert all("orders_orders" in s or "orders__upto" in s or s.startswith("redshift_shares_loader_orders_orders")
               for s in statements), sorted(statements)
    assert not any("order_lines" in s or "customers" in s or "grant_" in s for s in statements), sorted(statements)
    assert all(actions == ["delete", "create"] for a, actions in changes.items()
               if a.startswith("aws_redshiftdata_statement.")), changes
