"""Metric filters on the audit trail's log group and one alarm per governance-relevant event, alarming to the
governance topic (docs/operations.md, "Audit alarms"). CloudTrail -> CloudWatch Logs -> metric filter -> alarm is
AWS's documented pattern (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-alarms-for-cloudtrail.html);
the patterns use the JSON filter syntax on CloudTrail's record fields
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html).

| event | why it matters |
| --- | --- |
| lake-settings-changed | PutDataLakeSettings replaces an account's admins and defaults: the whole access model |
| grant-outside-deploy | a Lake Formation grant not made by the deploy role bypasses the spec and its review |
| location-registered | a registered location lets Lake Formation vend credentials for a bucket |
| ram-share-changed | Lake Formation's cross-account shares travel as RAM shares |
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudwatch_log_metric_filter import (
    CloudwatchLogMetricFilter,
    CloudwatchLogMetricFilterMetricTransformation,
)
from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm
from constructs import Construct

from meshform.ops_names import AUDIT_NAMESPACE
from modules.types import Dependencies

LF = '$.eventSource = "lakeformation.amazonaws.com"'
RAM = '$.eventSource = "ram.amazonaws.com"'


def _any_event(names: list[str]) -> str:
    return " || ".join(f'($.eventName = "{n}")' for n in names)


@dataclass(frozen=True)
class AuditEvent:
    key: str             # alarm name suffix
    metric: str          # metric name in AUDIT_NAMESPACE
    description: str
    pattern: str


def audit_events(deploy_role: str) -> tuple[AuditEvent, ...]:
    """The watched events; `deploy_role` is the spec's deploy role name (the same in every account)."""
    grants = _any_event(["GrantPermissions", "BatchGrantPermissions"])
    ram = _any_event(["CreateResourceShare", "UpdateResourceShare", "DeleteResourceShare", "AssociateResourceShare",
                      "DisassociateResourceShare", "AcceptResourceShareInvitation"])
    return (
        AuditEvent("lake-settings-changed", "LakeSettingsChanged",
                   "Lake Formation data lake settings were changed (admins, defaults, trusted owners)",
                   f'{{ ({LF}) && ($.eventName = "PutDataLakeSettings") }}'),
        AuditEvent("grant-outside-deploy", "GrantOutsideDeployRole",
                   f"a Lake Formation grant was made by a principal other than the deploy role {deploy_role}",
                   f'{{ ({LF}) && ({grants}) && ($.userIdentity.sessionContext.sessionIssuer.userName != '
                   f'"{deploy_role}") }}'),
        AuditEvent("location-registered", "LocationRegistrationChanged",
                   "a data location was registered, updated or deregistered with Lake Formation",
                   f'{{ ({LF}) && ({_any_event(["RegisterResource", "UpdateResource", "DeregisterResource"])}) }}'),
        AuditEvent("ram-share-changed", "RamShareChanged", "a RAM resource share was created, changed or accepted",
                   f"{{ ({RAM}) && ({ram}) }}"),
    )


class AuditAlarms(Construct):
    """Args:
        log_group: the trail's log group name; deploy_role: the spec's deploy role name; topic_arn: the governance
        topic; alarm_name: event key -> alarm name (meshform.ops_names.audit_alarm_name); depends_on: the log group.

    Attributes: alarms: event key -> `aws_cloudwatch_metric_alarm`."""

    def __init__(self, scope: Construct, id_: str, *, log_group: str, deploy_role: str, topic_arn: str,
                 alarm_name: Callable[[str], str], depends_on: Dependencies = ()):
        super().__init__(scope, id_)
        self.alarms: dict[str, CloudwatchMetricAlarm] = {}
        for event in audit_events(deploy_role):
            key = event.key.replace("-", "_")
            metric_filter = CloudwatchLogMetricFilter(
                self, f"filter_{key}", name=event.metric, log_group_name=log_group, pattern=event.pattern,
                metric_transformation=CloudwatchLogMetricFilterMetricTransformation(
                    name=event.metric, namespace=AUDIT_NAMESPACE, value="1"),
                depends_on=list(depends_on))
            # Any occurrence within five minutes alarms; no data means nothing happened.
            self.alarms[event.key] = CloudwatchMetricAlarm(
                self, f"alarm_{key}", alarm_name=alarm_name(event.key), alarm_description=event.description,
                namespace=AUDIT_NAMESPACE, metric_name=event.metric, statistic="Sum", period=300,
                evaluation_periods=1, threshold=1, comparison_operator="GreaterThanOrEqualToThreshold",
                treat_missing_data="notBreaching", alarm_actions=[topic_arn], depends_on=[metric_filter])
