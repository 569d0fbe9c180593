"""An account's Redshift warehouse: Serverless (namespace + workgroup) or a provisioned RA3 cluster (with its
parameter group, subnet group and logging), always

- encrypted with the account's CMK (`kms_key_id`), the admin password generated and kept by Secrets Manager,
  encrypted with the same CMK (`manage_admin_password` / `manage_master_password`: no password ever appears in the
  configuration or the state, https://docs.aws.amazon.com/redshift/latest/mgmt/redshift-secrets-manager-integration.html);
- private: `publicly_accessible = false`, in the PrivateNetwork's subnets and security group;
- with enhanced VPC routing (COPY's S3 traffic stays in the VPC);
- with audit logging (connection, user and user-activity logs to CloudWatch; `enable_user_activity_logging`,
  https://docs.aws.amazon.com/redshift/latest/mgmt/db-auditing.html) into log groups created here first, encrypted
  with the CMK and kept a year: Redshift exports into a log group of the expected name when one exists, and
  otherwise creates it unencrypted and kept forever
  (https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-audit-logging.html);
- TLS only: `require_ssl = true` (a workgroup config parameter, or the cluster's parameter group,
  https://docs.aws.amazon.com/redshift/latest/mgmt/connecting-ssl-support.html);
- destroy-protected (it holds data and access).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from cdktf import Fn, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.redshift_cluster import RedshiftCluster
from cdktf_cdktf_provider_aws.redshift_logging import RedshiftLogging
from cdktf_cdktf_provider_aws.redshift_parameter_group import RedshiftParameterGroup, RedshiftParameterGroupParameter
from cdktf_cdktf_provider_aws.redshift_subnet_group import RedshiftSubnetGroup
from cdktf_cdktf_provider_aws.redshiftserverless_namespace import RedshiftserverlessNamespace
from cdktf_cdktf_provider_aws.redshiftserverless_workgroup import (
    RedshiftserverlessWorkgroup,
    RedshiftserverlessWorkgroupConfigParameter,
)
from constructs import Construct

from meshform.spec.environment import RedshiftSpec
from modules import policy_documents as pd
from modules.types import Statement

AUDIT_LOGS = ["connectionlog", "userlog", "useractivitylog"]
# Parameters both modes set: TLS only, and the user-activity log (the query text) for the audit trail.
PARAMETERS = {"require_ssl": "true", "enable_user_activity_logging": "true"}
# A workgroup reports every config parameter, the defaults included, so a configuration that lists only some of
# them plans a change forever (hashicorp/terraform-provider-aws#33916): list all nine, AWS's defaults
# (https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_ConfigParameter.html) with ours on top.
WORKGROUP_DEFAULTS = {"auto_mv": "true", "datestyle": "ISO, MDY", "enable_case_sensitive_identifier": "false",
                      "max_query_execution_time": "14400", "query_group": "default", "search_path": "$user, public",
                      "use_fips_ssl": "false"}
PARAMETER_GROUP_FAMILY = "redshift-2.0"
SNAPSHOT_RETENTION_DAYS = 7
AUDIT_LOG_RETENTION_DAYS = 365                  # as the VPC flow logs (network.FLOW_LOG_RETENTION_DAYS)


def audit_log_group_names(mode: str, name: str) -> dict[str, str]:
    """log type -> the CloudWatch log group Redshift exports it to: `/aws/redshift/<namespace>/<log type>` for
    Serverless (https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-audit-logging.html),
    `/aws/redshift/cluster/<cluster identifier>/<log type>` for a provisioned cluster
    (https://docs.aws.amazon.com/redshift/latest/mgmt/db-auditing.html, "Audit logs and Amazon CloudWatch")."""
    base = f"/aws/redshift/{name}" if mode == "serverless" else f"/aws/redshift/cluster/{name}"
    return {log: f"{base}/{log}" for log in AUDIT_LOGS}


@dataclass(frozen=True)
class WarehouseProps:
    """name: naming.redshift_warehouse_name (namespace, workgroup or cluster identifier).
    database: the warehouse's own database (naming.redshift_database_name).
    spec: the account's RedshiftSpec (mode, capacity or nodes, admin user).
    kms_key_arn: the account's CMK (data and the admin secret).
    subnet_ids, security_group_ids: the PrivateNetwork's.
    role_arns: IAM roles the namespace holds (default none; a producer's COPY role); the first is the default.
    """
    name: str
    database: str
    spec: RedshiftSpec
    kms_key_arn: str
    subnet_ids: list[str]
    security_group_ids: list[str]
    role_arns: list[str] = field(default_factory=list)


class RedshiftWarehouse(Construct):
    """Args:
        props: `WarehouseProps` (every input with its default).

    Attributes:
        audit_log_groups: the connection, user and user-activity log groups (audit_log_group_names), which the
            namespace, workgroup, cluster and its logging depend on.
        target: how a Data API statement addresses it ({"workgroup_name": ...} or {"cluster_identifier": ...}).
        secret_arn: the Secrets Manager secret of the admin user (what statements authenticate with).
        namespace_arn, namespace_id: the namespace (datashare ARNs and consumer associations use them).
        resources: what statements must wait for.
        data_api_statements(region, account): the IAM a role needs to run Data API statements here.
    """

    def __init__(self, scope: Construct, id_: str, props: WarehouseProps):
        super().__init__(scope, id_)
        spec = props.spec
        self.name, self.database, self.mode = props.name, props.database, spec.mode
        protect = TerraformResourceLifecycle(prevent_destroy=True)
        # Before the namespace or cluster starts exporting, or Redshift creates these itself, unencrypted and never
        # expiring (and then creating them here fails: ResourceAlreadyExistsException). The key policy must let
        # CloudWatch Logs use the CMK for exactly these names (stacks/warehouse_side.py).
        self.audit_log_groups = [
            CloudwatchLogGroup(self, f"audit_{log}", name=group, kms_key_id=props.kms_key_arn,
                               retention_in_days=AUDIT_LOG_RETENTION_DAYS, lifecycle=protect)
            for log, group in audit_log_group_names(spec.mode, props.name).items()]
        if spec.mode == "serverless":
            self.namespace = RedshiftserverlessNamespace(
                self, "namespace", namespace_name=props.name, db_name=props.database,
                admin_username=spec.admin_user, manage_admin_password=True,
                admin_password_secret_kms_key_id=props.kms_key_arn, kms_key_id=props.kms_key_arn,
                log_exports=AUDIT_LOGS, iam_roles=props.role_arns or None,
                default_iam_role_arn=props.role_arns[0] if props.role_arns else None, lifecycle=protect,
                depends_on=self.audit_log_groups)
            self.workgroup = RedshiftserverlessWorkgroup(
                self, "workgroup", workgroup_name=props.name, namespace_name=self.namespace.namespace_name,
                base_capacity=spec.base_capacity, max_capacity=spec.max_capacity, publicly_accessible=False,
                enhanced_vpc_routing=True, subnet_ids=props.subnet_ids, security_group_ids=props.security_group_ids,
                config_parameter=[RedshiftserverlessWorkgroupConfigParameter(parameter_key=k, parameter_value=v)
                                  for k, v in sorted({**WORKGROUP_DEFAULTS, **PARAMETERS}.items())],
                lifecycle=protect, depends_on=self.audit_log_groups)
            self.target = {"workgroup_name": self.workgroup.workgroup_name}
            self.secret_arn = self.namespace.admin_password_secret_arn
            self.namespace_arn = self.namespace.arn
            self.namespace_id = self.namespace.namespace_id
            self.resources = [self.namespace, self.workgroup]
            return
        parameters = RedshiftParameterGroup(
            self, "parameters", name=props.name, family=PARAMETER_GROUP_FAMILY,
            description=f"{props.name}: TLS only, user activity logged",
            parameter=[RedshiftParameterGroupParameter(name=k, value=v) for k, v in sorted(PARAMETERS.items())])
        subnets = RedshiftSubnetGroup(self, "subnets", name=props.name, subnet_ids=props.subnet_ids,
                                      description=f"{props.name}: private subnets")
        nodes = spec.nodes
        self.cluster = RedshiftCluster(
            self, "cluster", cluster_identifier=props.name, database_name=props.database,
            node_type=spec.node_type or "", cluster_type="single-node" if nodes == 1 else "multi-node",
            number_of_nodes=nodes, master_username=spec.admin_user, manage_master_password=True,
            master_password_secret_kms_key_id=props.kms_key_arn, encrypted="true", kms_key_id=props.kms_key_arn,
            publicly_accessible=False, enhanced_vpc_routing=True, cluster_subnet_group_name=subnets.name,
            vpc_security_group_ids=props.security_group_ids, cluster_parameter_group_name=parameters.name,
            iam_roles=props.role_arns or None,
            default_iam_role_arn=props.role_arns[0] if props.role_arns else None,
            automated_snapshot_retention_period=SNAPSHOT_RETENTION_DAYS, skip_final_snapshot=False,
            final_snapshot_identifier=f"{props.name}-final", lifecycle=protect, depends_on=self.audit_log_groups)
        logging = RedshiftLogging(self, "logging", cluster_identifier=self.cluster.cluster_identifier,
                                  log_destination_type="cloudwatch", log_exports=AUDIT_LOGS,
                                  depends_on=self.audit_log_groups)
        self.target = {"cluster_identifier": self.cluster.cluster_identifier}
        self.secret_arn = self.cluster.master_password_secret_arn
        self.namespace_arn = self.cluster.cluster_namespace_arn
        # arn:aws:redshift:<region>:<account>:namespace:<id>
        self.namespace_id = Fn.element(Fn.split(":", self.cluster.cluster_namespace_arn), 6)
        self.resources = [self.cluster, logging]

    def data_api_statements(self, region: str, account: str) -> list[Statement]:
        """IAM for a role that runs Data API statements on this warehouse as its own IAM identity
        (redshift-serverless:GetCredentials / redshift:GetClusterCredentialsWithIAM,
        https://docs.aws.amazon.com/redshift/latest/mgmt/data-api-access.html) and reads back only its own statements
        (the statement-owner condition)."""
        if self.mode == "serverless":
            run_on = self.workgroup.arn
            credentials = pd.statement("WarehouseCredentials", ["redshift-serverless:GetCredentials"], [run_on])
        else:
            run_on = f"arn:aws:redshift:{region}:{account}:cluster:{self.name}"
            credentials = pd.statement("WarehouseCredentials", ["redshift:GetClusterCredentialsWithIAM"],
                                       [f"arn:aws:redshift:{region}:{account}:dbname:{self.name}/{self.database}"])
        return [
            pd.statement("RunLoadStatements", ["redshift-data:BatchExecuteStatement"], [run_on]),
            credentials,
            # Statement ids are not resources: DescribeStatement is limited to the role's own statements.
            pd.statement("ReadOwnStatements", ["redshift-data:DescribeStatement"], "*",
                         condition={"StringEquals": {"redshift-data:statement-owner-iam-userid": "$${aws:userid}"}}),
        ]
