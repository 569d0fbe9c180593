"""The warehouse's private network: meshform creates it rather than taking subnets from the spec, so that a
warehouse can never land in a subnet with a route to the internet (docs/redshift.md, "Network").

A VPC with three subnets in three Availability Zones (Serverless workgroups need subnets in three AZs,
https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-usage-considerations.html). The zones are the first
three, by name, of the account's own Availability Zones (`aws_availability_zones`, those that need no opt-in),
chosen when a subnet is created and kept from then on: zone names are mapped to physical zones per account in
the older Regions, and an account need not have `<region>a/b/c` at all (in ap-northeast-1 many accounts have `a`,
`c` and `d` and no `b`;
https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html,
https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html). No internet gateway and no NAT; one
route table whose only non-local route is the S3 gateway endpoint (enhanced VPC routing sends COPY's S3 traffic
through the VPC, https://docs.aws.amazon.com/redshift/latest/mgmt/enhanced-vpc-routing.html), whose endpoint
policy lets through only what the warehouse's COPY reads: the COPY role listing and reading the domain's analytics
bucket, nothing at all for a warehouse without a COPY role
(https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html); a security group that admits the
Redshift port only from itself and lets traffic out only to S3; the VPC's default security group emptied; VPC flow
logs (accepted and rejected traffic) to a log group encrypted with the account's CMK, kept a year, delivered by a
role trusted by the flow-logs service for this account only
(https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-cwl.html).
"""
from __future__ import annotations

import ipaddress

from cdktf import Postcondition, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.data_aws_availability_zones import (
    DataAwsAvailabilityZones,
    DataAwsAvailabilityZonesFilter,
)
from cdktf_cdktf_provider_aws.default_security_group import DefaultSecurityGroup
from cdktf_cdktf_provider_aws.flow_log import FlowLog
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.route_table import RouteTable
from cdktf_cdktf_provider_aws.route_table_association import RouteTableAssociation
from cdktf_cdktf_provider_aws.security_group import SecurityGroup, SecurityGroupEgress, SecurityGroupIngress
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc import Vpc
from cdktf_cdktf_provider_aws.vpc_endpoint import VpcEndpoint
from constructs import Construct

from meshform import naming
from modules import policy_documents as pd
from modules.types import Statement

REDSHIFT_PORT = 5439
FLOW_LOG_RETENTION_DAYS = 365
FLOW_LOG_ACTIONS = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
ZONE_COUNT = 3
# The subnets' construct ids: the letters of the zones they were once pinned to, kept so that existing state keeps
# its addresses (the n-th subnet now goes in the n-th available zone, whatever its letter).
SUBNET_IDS = ("a", "b", "c")
# What COPY asks S3 for (CopyRole's policy; COPY ... FROM 's3://<analytics>/<product>/<table>/' lists the prefix and
# reads the objects): the same actions, so the endpoint is never wider than the role.
COPY_BUCKET_ACTIONS = ["s3:GetBucketLocation", "s3:ListBucket"]
COPY_OBJECT_ACTIONS = ["s3:GetObject"]


def subnet_blocks(cidr: str) -> list[str]:
    """The first three quarters of the VPC block (the fourth stays free for growth)."""
    network = ipaddress.ip_network(cidr)
    return [str(block) for block in list(network.subnets(prefixlen_diff=2))[:ZONE_COUNT]]


def flow_log_group_name(name: str) -> str:
    return f"/meshform/vpc-flow-logs/{name}"


def s3_endpoint_statements(copy_role_arn: str | None, copy_bucket: str | None) -> list[Statement]:
    """The S3 gateway endpoint's policy. A gateway endpoint without a policy gets AWS's default, full access to
    every bucket of every account (https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html):
    anything in the VPC could then copy data out to a bucket of its choosing. The warehouse's only S3 traffic
    through the VPC is COPY (enhanced VPC routing; audit logs go to CloudWatch by Redshift itself, not through the
    VPC, https://docs.aws.amazon.com/redshift/latest/mgmt/enhanced-vpc-routing.html), made with the COPY role's
    credentials: so the endpoint allows exactly the COPY role's reads of the analytics bucket, and a warehouse
    without a COPY role (a consumer reads datashares, never S3) gets an endpoint that denies everything."""
    if copy_role_arn is None or copy_bucket is None:
        # A Deny, not an empty policy: a policy needs at least one statement, and a Deny says what is meant.
        return [pd.statement("NoS3ThroughThisVpc", ["s3:*"], "*", principal="*", effect="Deny")]
    bucket = naming.bucket_arn(copy_bucket)
    only_copy_role = {"ArnEquals": {"aws:PrincipalArn": copy_role_arn}}
    return [
        pd.statement("CopyListsAnalytics", COPY_BUCKET_ACTIONS, [bucket], principal="*", condition=only_copy_role),
        pd.statement("CopyReadsAnalytics", COPY_OBJECT_ACTIONS, [f"{bucket}/*"], principal="*",
                     condition=only_copy_role),
    ]


class PrivateNetwork(Construct):
    """Args:
        name: tag Name of every part (naming.redshift_warehouse_name).
        region: the S3 endpoint's Region (the zones are the account's own, read at plan time).
        cidr: the VPC's IPv4 block (RedshiftSpec.cidr, default 10.64.0.0/16).
        account: the account (the flow-log role trusts the service for it only).
        kms_key_arn: the CMK of the flow-log group (its policy must let CloudWatch Logs use it).
        flow_logs_role: the name of the flow-log delivery role (naming.redshift_flow_logs_role_name).
        copy_role_arn, copy_bucket: the COPY role and the bucket it reads (default none: the S3 endpoint lets
            nothing through; s3_endpoint_statements).

    Attributes:
        subnet_ids, security_group_id: where the warehouse goes.
        zones: the `aws_availability_zones` data source the subnets take their zones from.
    """

    def __init__(self, scope: Construct, id_: str, *, name: str, region: str, cidr: str, account: str,
                 kms_key_arn: str, flow_logs_role: str, copy_role_arn: str | None = None,
                 copy_bucket: str | None = None):
        super().__init__(scope, id_)
        self.vpc = Vpc(self, "vpc", cidr_block=cidr, enable_dns_support=True, enable_dns_hostnames=True,
                       tags={"Name": name})
        # The account's Availability Zones: those that need no opt-in (Local and Wavelength Zones are opted in, and
        # a Redshift subnet group takes none of them). The provider sorts the names, so the n-th subnet takes the
        # n-th name; the postcondition stops the plan, saying why, where fewer than three exist. No `state`
        # filter: an impaired zone would drop out of the list for the length of the incident, and with it every
        # plan of every warehouse in the Region would fail (or, below, shift). A zone, once enabled for an
        # account, stays listed, so the list only grows, when AWS adds a zone.
        # (https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/data-sources/availability_zones,
        # https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeAvailabilityZones.html)
        self.zones = DataAwsAvailabilityZones(
            self, "zones",
            filter=[DataAwsAvailabilityZonesFilter(name="opt-in-status", values=["opt-in-not-required"])],
            lifecycle=TerraformResourceLifecycle(postcondition=[Postcondition(
                condition=f"${{length(self.names) >= {ZONE_COUNT}}}",
                error_message=f"A Redshift warehouse needs subnets in {ZONE_COUNT} Availability Zones (Serverless "
                              "requires 3); this account has fewer in the Region.")]))
        logs = CloudwatchLogGroup(self, "flow_logs", name=flow_log_group_name(name), kms_key_id=kms_key_arn,
                                  retention_in_days=FLOW_LOG_RETENTION_DAYS,
                                  lifecycle=TerraformResourceLifecycle(prevent_destroy=True))
        role = IamRole(self, "flow_logs_role", name=flow_logs_role,
                       description=f"VPC flow logs of {name}",
                       assume_role_policy=pd.trust_document(
                           "FlowLogsOfThisAccount", {"Service": "vpc-flow-logs.amazonaws.com"},
                           condition={"StringEquals": {"aws:SourceAccount": account}}),
                       max_session_duration=3600)
        policy = IamRolePolicy(self, "flow_logs_policy", role=role.name, name="deliver", policy=pd.document([
            pd.statement("DeliverFlowLogs", FLOW_LOG_ACTIONS, [logs.arn, f"{logs.arn}:*"])]))
        FlowLog(self, "flow_log", vpc_id=self.vpc.id, traffic_type="ALL", log_destination_type="cloud-watch-logs",
                log_destination=logs.arn, iam_role_arn=role.arn, depends_on=[policy])
        # No rules: nothing may use the default group by accident.
        DefaultSecurityGroup(self, "default_group", vpc_id=self.vpc.id, tags={"Name": f"{name}-default"})
        routes = RouteTable(self, "routes", vpc_id=self.vpc.id, tags={"Name": f"{name}-private"})
        self.subnets = []
        for index, (sid, block) in enumerate(zip(SUBNET_IDS, subnet_blocks(cidr), strict=True)):
            # A subnet keeps the zone it was created in: a zone AWS adds to the account later and that sorts
            # before it (ap-northeast-1b, say) must not replace it, and with it the warehouse's network.
            subnet = Subnet(self, f"subnet_{sid}", vpc_id=self.vpc.id, cidr_block=block,
                            availability_zone=f"${{{self.zones.fqn}.names[{index}]}}",
                            map_public_ip_on_launch=False, tags={"Name": f"{name}-{index + 1}"},
                            lifecycle=TerraformResourceLifecycle(ignore_changes=["availability_zone"]))
            RouteTableAssociation(self, f"routes_{sid}", subnet_id=subnet.id, route_table_id=routes.id)
            self.subnets.append(subnet)
        self.s3_endpoint = VpcEndpoint(
            self, "s3", vpc_id=self.vpc.id, service_name=f"com.amazonaws.{region}.s3",
            vpc_endpoint_type="Gateway", route_table_ids=[routes.id], tags={"Name": f"{name}-s3"},
            policy=pd.document(s3_endpoint_statements(copy_role_arn, copy_bucket)))
        self.security_group = SecurityGroup(
            self, "group", name=name, vpc_id=self.vpc.id,
            description=f"{name}: Redshift, reachable only from inside this group",
            ingress=[SecurityGroupIngress(description="Redshift from members of this group", protocol="tcp",
                                          from_port=REDSHIFT_PORT, to_port=REDSHIFT_PORT, self_attribute=True)],
            egress=[SecurityGroupEgress(description="HTTPS to S3 through the gateway endpoint", protocol="tcp",
                                        from_port=443, to_port=443, prefix_list_ids=[self.s3_endpoint.prefix_list_id])],
            tags={"Name": name})

    @property
    def subnet_ids(self) -> list[str]:
        return [s.id for s in self.subnets]

    @property
    def security_group_id(self) -> str:
        return self.security_group.id
