"""The warehouse's private network: meshform creates it rather than taking subnets from the spec, so that a
warehouse can never land in a subnet with a route to the internet (docs/redshift.md, "Network").

A VPC with three subnets in three Availability Zones (Serverless workgroups need subnets in three AZs,
https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-usage-considerations.html), no internet gateway and
no NAT; one route table whose only non-local route is the S3 gateway endpoint (enhanced VPC routing sends COPY's S3
traffic through the VPC, https://docs.aws.amazon.com/redshift/latest/mgmt/enhanced-vpc-routing.html); a security
group that admits the Redshift port only from itself and lets traffic out only to S3; the VPC's default security
group emptied; VPC flow logs (accepted and rejected traffic) to a log group encrypted with the account's CMK, kept a
year, delivered by a role trusted by the flow-logs service for this account only
(https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-cwl.html).
"""
from __future__ import annotations

import ipaddress

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
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

from modules import policy_documents as pd

REDSHIFT_PORT = 5439
FLOW_LOG_RETENTION_DAYS = 365
FLOW_LOG_ACTIONS = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
ZONES = ("a", "b", "c")


def subnet_blocks(cidr: str) -> list[str]:
    """The first three quarters of the VPC block (the fourth stays free for growth)."""
    network = ipaddress.ip_network(cidr)
    return [str(block) for block in list(network.subnets(prefixlen_diff=2))[:len(ZONES)]]


class PrivateNetwork(Construct):
    """Args:
        name: tag Name of every part (naming.redshift_warehouse_name).
        region: the zones are `<region>a/b/c`.
        cidr: the VPC's IPv4 block (RedshiftSpec.cidr, default 10.64.0.0/16).
        account: the account (the flow-log role trusts the service for it only).
        kms_key_arn: the CMK of the flow-log group (its policy must let CloudWatch Logs use it).
        flow_logs_role: the name of the flow-log delivery role (naming.redshift_flow_logs_role_name).

    Attributes:
        subnet_ids, security_group_id: where the warehouse goes.
    """

    def __init__(self, scope: Construct, id_: str, *, name: str, region: str, cidr: str, account: str,
                 kms_key_arn: str, flow_logs_role: str):
        super().__init__(scope, id_)
        self.vpc = Vpc(self, "vpc", cidr_block=cidr, enable_dns_support=True, enable_dns_hostnames=True,
                       tags={"Name": name})
        logs = CloudwatchLogGroup(self, "flow_logs", name=f"/meshform/vpc-flow-logs/{name}", kms_key_id=kms_key_arn,
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
        for zone, block in zip(ZONES, subnet_blocks(cidr), strict=True):
            subnet = Subnet(self, f"subnet_{zone}", vpc_id=self.vpc.id, cidr_block=block,
                            availability_zone=f"{region}{zone}", map_public_ip_on_launch=False,
                            tags={"Name": f"{name}-{zone}"})
            RouteTableAssociation(self, f"routes_{zone}", subnet_id=subnet.id, route_table_id=routes.id)
            self.subnets.append(subnet)
        self.s3_endpoint = VpcEndpoint(
            self, "s3", vpc_id=self.vpc.id, service_name=f"com.amazonaws.{region}.s3",
            vpc_endpoint_type="Gateway", route_table_ids=[routes.id], tags={"Name": f"{name}-s3"})
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
