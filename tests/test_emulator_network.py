"""The Redshift warehouse's network and audit logs on the emulator: DescribeAvailabilityZones as AWS answers it
(meshform/local/moto_ec2_zones.py), and a real `terraform apply` of meshform's own constructs (CMK, PrivateNetwork,
COPY role, Serverless warehouse) in ap-northeast-1, a Region whose zone letters are not a/b/c. Read back with
boto3: the subnets are in the account's first three zones, the S3 endpoint carries its policy, the audit log groups
exist at Redshift's names, encrypted and kept a year; the re-plan is empty."""
from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from meshform.local.emulator import ENDPOINT_SERVICES, MotoServer
from tests.emulator import TerraformWorkspace

REGION = "ap-northeast-1"                # moto's zones there: 1a, 1c, 1d (AWS gives most accounts no 1b)
ACCOUNT = "123456789012"                 # moto's default account (no assume_role in the provider)
NAME = "acme-dev-sales"

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log")
    yield running
    running.stop()


def ec2(server, region: str = REGION):
    return boto3.client("ec2", endpoint_url=server.url, region_name=region, aws_access_key_id="test",
                        aws_secret_access_key="test")


def test_availability_zones_answer_like_aws(server):
    """Availability Zones report OptInStatus opt-in-not-required and their Region as GroupName; the opt-in-status
    filter filters; an unknown filter name is refused with AWS's error
    (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeAvailabilityZones.html)."""
    available = ec2(server).describe_availability_zones(Filters=[
        {"Name": "state", "Values": ["available"]},
        {"Name": "opt-in-status", "Values": ["opt-in-not-required"]}])["AvailabilityZones"]
    assert [(z["ZoneName"], z["OptInStatus"], z["GroupName"]) for z in available] == [
        (f"{REGION}{letter}", "opt-in-not-required", REGION) for letter in "acd"]
    assert ec2(server).describe_availability_zones(Filters=[
        {"Name": "opt-in-status", "Values": ["opted-in"]}])["AvailabilityZones"] == []
    assert [z["ZoneName"] for z in ec2(server, "eu-west-1").describe_availability_zones(Filters=[
        {"Name": "group-name", "Values": ["eu-west-1"]}])["AvailabilityZones"]] == [
        "eu-west-1a", "eu-west-1b", "eu-west-1c"]
    with pytest.raises(ClientError) as refused:
        ec2(server).describe_availability_zones(Filters=[{"Name": "opt-in", "Values": ["x"]}])
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert refused.value.response["Error"]["Message"] == "The filter 'opt-in' is invalid"


def _stack(endpoint: str, state) -> dict:
    """The constructs meshform puts in a producer's stack for its warehouse, synthesized alone, plus a provider
    pointing at the emulator."""
    from cdktf import TerraformStack, Testing

    from meshform.spec.environment import RedshiftSpec
    from modules.constructs.encryption_key import EncryptionKey
    from modules.constructs.pipeline.log_encryption import cloudwatch_logs_key_statement
    from modules.constructs.redshift.copy_role import CopyRole
    from modules.constructs.redshift.network import PrivateNetwork, flow_log_group_name
    from modules.constructs.redshift.warehouse import RedshiftWarehouse, WarehouseProps, audit_log_group_names

    stack = TerraformStack(Testing.app(), "net")
    groups = [flow_log_group_name(NAME), *audit_log_group_names("serverless", NAME).values()]
    key = EncryptionKey(stack, "key", account_id=ACCOUNT, deploy_role_arn=f"arn:aws:iam::{ACCOUNT}:role/mesh-deploy",
                        alias=f"alias/{NAME}-redshift", description="warehouse",
                        extra_statements=[cloudwatch_logs_key_statement(REGION, ACCOUNT, groups)])
    copy = CopyRole(stack, "copy", name=f"{NAME}-redshift", account=ACCOUNT, region=REGION,
                    bucket=f"{NAME}-analytics", key_arn=key.arn)
    network = PrivateNetwork(stack, "net", name=NAME, region=REGION, cidr="10.64.0.0/16", account=ACCOUNT,
                             kms_key_arn=key.arn, flow_logs_role=f"{NAME}-flow-logs", copy_role_arn=copy.arn,
                             copy_bucket=f"{NAME}-analytics")
    RedshiftWarehouse(stack, "wh", WarehouseProps(
        name=NAME, database="sales", spec=RedshiftSpec(), kms_key_arn=key.arn, subnet_ids=network.subnet_ids,
        security_group_ids=[network.security_group_id], role_arns=[copy.arn]))
    document = json.loads(Testing.synth(stack))
    document["provider"] = {"aws": [{
        "region": REGION, "access_key": "test", "secret_key": "test", "skip_credentials_validation": True,
        "skip_metadata_api_check": True, "skip_requesting_account_id": False, "max_retries": 2,
        "endpoints": [{s: endpoint for s in ENDPOINT_SERVICES}]}]}
    document["terraform"] = {"backend": {"local": {"path": str(state)}}}
    return document


def test_terraform_applies_the_network_and_audit_log_groups_in_a_region_without_zone_b(server, tmp_path):
    workspace = TerraformWorkspace(tmp_path)
    document = _stack(server.url, tmp_path / "terraform.tfstate")
    if workspace.source.version:
        document["terraform"]["required_providers"] = {"aws": {"source": "hashicorp/aws",
                                                               "version": workspace.source.version}}
    workspace.write(document)
    workspace.apply()

    client = ec2(server)
    [vpc] = client.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [NAME]}])["Vpcs"]
    subnets = client.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]
    # <region>b does not exist here: the hard-coded a/b/c of before could not apply
    assert sorted((s["CidrBlock"], s["AvailabilityZone"]) for s in subnets) == [
        ("10.64.0.0/18", f"{REGION}a"), ("10.64.128.0/18", f"{REGION}d"), ("10.64.64.0/18", f"{REGION}c")]
    [endpoint] = client.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["VpcEndpoints"]
    policy = {st["Sid"]: st for st in json.loads(endpoint["PolicyDocument"])["Statement"]}
    assert sorted(policy) == ["CopyListsAnalytics", "CopyReadsAnalytics"]
    assert {st["Condition"]["ArnEquals"]["aws:PrincipalArn"] for st in policy.values()} == {
        f"arn:aws:iam::{ACCOUNT}:role/{NAME}-redshift"}
    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)
    key = session.client("kms", endpoint_url=server.url).describe_key(
        KeyId=f"alias/{NAME}-redshift")["KeyMetadata"]["Arn"]
    groups = session.client("logs", endpoint_url=server.url).describe_log_groups(
        logGroupNamePrefix=f"/aws/redshift/{NAME}/")["logGroups"]
    assert sorted((g["logGroupName"], g.get("kmsKeyId"), g.get("retentionInDays")) for g in groups) == [
        (f"/aws/redshift/{NAME}/{log}", key, 365) for log in ("connectionlog", "useractivitylog", "userlog")]
    namespace = session.client("redshift-serverless", endpoint_url=server.url).get_namespace(
        namespaceName=NAME)["namespace"]
    assert sorted(namespace["logExports"]) == ["connectionlog", "useractivitylog", "userlog"]


def test_a_key_that_does_not_name_the_audit_log_group_refuses_it(server):
    """The key policy names exactly the warehouse's log groups: CloudWatch Logs may not use the key for any other
    (moto_logs.check_key; https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html)."""
    from modules.constructs.pipeline.log_encryption import cloudwatch_logs_key_statement

    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)
    kms = session.client("kms", endpoint_url=server.url)
    statement = cloudwatch_logs_key_statement(REGION, ACCOUNT, ["/aws/redshift/other/connectionlog"])
    root = {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*", "Resource": "*"}
    key = kms.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": [root, statement]}))
    logs = session.client("logs", endpoint_url=server.url)
    logs.create_log_group(logGroupName="/aws/redshift/other/connectionlog", kmsKeyId=key["KeyMetadata"]["Arn"])
    with pytest.raises(ClientError) as refused:
        logs.create_log_group(logGroupName="/aws/redshift/other/userlog", kmsKeyId=key["KeyMetadata"]["Arn"])
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
