"""The mesh's CloudTrail trail in the governance account (docs/operations.md, "Audit trail").

- With `organization_id` set it is an **organization trail**: it logs every account of the Organization, so one trail
  sees the domain and consumer accounts' Lake Formation, RAM and S3 activity. Only the management account or a
  CloudTrail delegated administrator may create one
  (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html): the governance
  account must be registered as delegated administrator from the management account first
  (`aws cloudtrail register-organization-delegated-admin --member-account-id <governance>`).
- Without an Organization it is the governance account's own trail; each domain account then runs an account
  trail of its own (`account_trail_*`), delivering to the same audit bucket and key.

Every trail: multi-region, global service events, log file validation (SHA-256 digest files,
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html), SSE-KMS with
the audit key, all management events (Lake Formation grants, settings and registrations, RAM shares, IAM are
management events) and, through advanced event selectors, the S3 data events of every lake bucket
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html). The
governance trail also delivers to an encrypted CloudWatch Logs group, where the audit alarms' metric filters read
(`audit_alarms.py`).

The bucket and key policies are AWS's documented ones, scoped to the mesh's trails by aws:SourceArn
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html,
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.cloudtrail import (
    Cloudtrail,
    CloudtrailAdvancedEventSelector,
    CloudtrailAdvancedEventSelectorFieldSelector,
)
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from meshform import naming
from modules import policy_documents as pd
from modules.types import Dependencies, Statement

CLOUDTRAIL = "cloudtrail.amazonaws.com"
# A trail's advanced event selectors hold at most 500 condition values in all
# (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedEventSelector.html): validation keeps
# the lake buckets within meshform.operations.TRAIL_SELECTOR_VALUES_MAX (meshform/loader.py).


def lake_bucket_prefixes(buckets: Sequence[str]) -> list[str]:
    """resources.ARN StartsWith values: every object of each bucket (the trailing / keeps `b` from matching `b2`)."""
    return sorted(f"{naming.bucket_arn(b)}/" for b in buckets)


def event_selectors(buckets: Sequence[str]) -> list[CloudtrailAdvancedEventSelector]:
    """All management events, and the S3 object-level (data) events of `buckets`."""
    field = CloudtrailAdvancedEventSelectorFieldSelector
    selectors = [CloudtrailAdvancedEventSelector(
        name="Management events", field_selector=[field(field="eventCategory", equal_to=["Management"])])]
    if buckets:
        selectors.append(CloudtrailAdvancedEventSelector(name="Lake bucket data events", field_selector=[
            field(field="eventCategory", equal_to=["Data"]),
            field(field="resources.type", equal_to=["AWS::S3::Object"]),
            field(field="resources.ARN", starts_with=lake_bucket_prefixes(buckets)),
        ]))
    return selectors


def trail_key_statements(trail_arns: Sequence[str], accounts: Sequence[str]) -> list[Statement]:
    """Audit-key statements for CloudTrail: encrypt log files of the mesh's trails (the encryption context names
    the trail; aws:SourceArn pins the caller), describe the key. Reading logs back is the root statement's."""
    contexts = sorted(f"arn:aws:cloudtrail:*:{a}:trail/*" for a in accounts)
    return [
        pd.statement("CloudTrailEncryptsMeshTrailLogs", ["kms:GenerateDataKey"], "*", principal={"Service": CLOUDTRAIL},
                     condition={"StringEquals": {"aws:SourceArn": sorted(trail_arns)},
                                "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": contexts}}),
        pd.statement("CloudTrailDescribesKey", ["kms:DescribeKey"], "*", principal={"Service": CLOUDTRAIL},
                     condition={"StringEquals": {"aws:SourceArn": sorted(trail_arns)}}),
    ]


def trail_bucket_statements(bucket: str, trail_arns: Sequence[str], log_owners: Sequence[str]) -> list[Statement]:
    """Audit-bucket statements: CloudTrail checks the ACL and writes under AWSLogs/<account or organization id>/,
    only for the mesh's trails."""
    arn = naming.bucket_arn(bucket)
    source = {"StringEquals": {"aws:SourceArn": sorted(trail_arns)}}
    return [
        pd.statement("CloudTrailAclCheck", ["s3:GetBucketAcl"], arn, principal={"Service": CLOUDTRAIL},
                     condition=source),
        pd.statement("CloudTrailWrite", ["s3:PutObject"], [f"{arn}/AWSLogs/{owner}/*" for owner in log_owners],
                     principal={"Service": CLOUDTRAIL},
                     condition={"StringEquals": {"aws:SourceArn": sorted(trail_arns),
                                                 "s3:x-amz-acl": "bucket-owner-full-control"}}),
    ]


@dataclass(frozen=True)
class TrailProps:
    """name: meshform.ops_names.trail_name; account, region: where it runs; bucket: the audit bucket (any mesh
    account's trail delivers there); kms_key_arn: the audit key (in governance); lake_buckets: whose object-level
    events it logs; organization: an organization trail (default False).
    log_group, logs_role_name: the CloudWatch Logs delivery (both or neither; default none);
    log_retention_days: of the log group (default 365)."""
    name: str
    account: str
    region: str
    bucket: str
    kms_key_arn: str
    lake_buckets: tuple[str, ...]
    organization: bool = False
    log_group: str | None = None
    logs_role_name: str | None = None
    log_retention_days: int = 365


class AuditTrail(Construct):
    """Args: props (`TrailProps`: every input with its default); depends_on: what the trail is created after
    (governance: the audit bucket's policy and the key, which CloudTrail checks at creation; a standalone domain:
    the lake buckets its data events name).

    Attributes: trail: the `aws_cloudtrail`; arn: its ARN (derived from the name); log_group: the
    `aws_cloudwatch_log_group` or None (destroy-protected: it holds audit events)."""

    def __init__(self, scope: Construct, id_: str, *, props: TrailProps, depends_on: Dependencies = ()):
        super().__init__(scope, id_)
        p = props
        self.arn = f"arn:aws:cloudtrail:{p.region}:{p.account}:trail/{p.name}"
        self.log_group = None
        logs: dict[str, str] = {}
        after = list(depends_on)
        if p.log_group and p.logs_role_name:
            self.log_group = CloudwatchLogGroup(
                self, "logs", name=p.log_group, kms_key_id=p.kms_key_arn, retention_in_days=p.log_retention_days,
                lifecycle=TerraformResourceLifecycle(prevent_destroy=True))
            streams = f"arn:aws:logs:{p.region}:{p.account}:log-group:{p.log_group}:log-stream:*"
            role = IamRole(self, "logs_role", name=p.logs_role_name,
                           description=f"CloudTrail: deliver trail {p.name} to {p.log_group}",
                           assume_role_policy=pd.trust_document(
                               "CloudTrailThisTrail", {"Service": CLOUDTRAIL},
                               condition={"StringEquals": {"aws:SourceArn": self.arn}}),
                           max_session_duration=3600)
            policy = IamRolePolicy(self, "logs_policy", role=role.name, name="deliver", policy=pd.document([
                pd.statement("DeliverToTrailLogGroup", ["logs:CreateLogStream", "logs:PutLogEvents"], [streams])]))
            logs = {"cloud_watch_logs_group_arn": f"{self.log_group.arn}:*", "cloud_watch_logs_role_arn": role.arn}
            after += [policy, self.log_group]
        self.trail = Cloudtrail(
            self, "trail", name=p.name, s3_bucket_name=p.bucket, kms_key_id=p.kms_key_arn,
            is_multi_region_trail=True, include_global_service_events=True, enable_log_file_validation=True,
            is_organization_trail=p.organization, enable_logging=True,
            advanced_event_selector=event_selectors(p.lake_buckets), depends_on=after, **logs)
