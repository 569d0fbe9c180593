"""The alarms of one product pipeline, all to the domain's topic (docs/operations.md, "Pipeline alarms and
freshness"):

- **failed / timed-out executions** of its state machine (AWS/States `ExecutionsFailed`, `ExecutionsTimedOut`,
  dimension StateMachineArn, https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html): the
  run gave up after its retries;
- **Glue job runs that failed** (FAILED, TIMEOUT, ERROR), every attempt, from Glue's `Glue Job State Change`
  events (https://docs.aws.amazon.com/glue/latest/dg/automating-awsglue-with-cloudwatch-events.html) through an
  EventBridge rule: a retried failure is worth knowing before the execution fails;
- **freshness**: the state machine publishes one `ProductPublished` datapoint (namespace meshform/Pipelines,
  dimension Product) after every successful run; when no datapoint arrives within the contract's freshness SLA
  the alarm fires (missing data is breaching: a pipeline that never runs is stale too).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudwatch_event_rule import CloudwatchEventRule
from cdktf_cdktf_provider_aws.cloudwatch_event_target import CloudwatchEventTarget
from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm
from constructs import Construct

from meshform.ops_names import PIPELINE_NAMESPACE, PRODUCT_DIMENSION, PUBLISHED_METRIC
from modules.types import Dependencies

FAILED_RUN_STATES = ["ERROR", "FAILED", "TIMEOUT"]
EXECUTION_FAILURES = (("failed", "ExecutionsFailed"), ("timed-out", "ExecutionsTimedOut"))


def glue_failure_pattern(jobs: list[str]) -> str:
    return json.dumps({"source": ["aws.glue"], "detail-type": ["Glue Job State Change"],
                       "detail": {"jobName": sorted(jobs), "state": FAILED_RUN_STATES}},
                      sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class PipelineAlarmsProps:
    """product: <domain>.<product>; state_machine_arn; jobs: its Glue job names; topic_arn: the domain's topic;
    alarm_name: suffix -> alarm name (meshform.ops_names.pipeline_alarm_name bound to the product);
    glue_rule_name: meshform.ops_names.glue_failure_rule_name; freshness_seconds: the contract's SLA (None: no
    freshness alarm)."""
    product: str
    state_machine_arn: str
    jobs: tuple[str, ...]
    topic_arn: str
    alarm_name: Callable[[str], str]
    glue_rule_name: str
    freshness_seconds: int | None


class PipelineAlarms(Construct):
    """Args: props (`PipelineAlarmsProps`); depends_on: what the alarms are created after (the state machine
    they watch, the topic's policy: CloudWatch must be allowed to publish first).

    Attributes: alarms: suffix -> `aws_cloudwatch_metric_alarm`; glue_rule: the `aws_cloudwatch_event_rule`."""

    def __init__(self, scope: Construct, id_: str, *, props: PipelineAlarmsProps, depends_on: Dependencies = ()):
        super().__init__(scope, id_)
        p = props
        name = p.alarm_name
        self.alarms: dict[str, CloudwatchMetricAlarm] = {}
        for suffix, metric in EXECUTION_FAILURES:
            self.alarms[suffix] = CloudwatchMetricAlarm(
                self, suffix.replace("-", "_"), alarm_name=name(suffix),
                alarm_description=f"{p.product}: a pipeline execution {suffix.replace('-', ' ')}",
                namespace="AWS/States", metric_name=metric, dimensions={"StateMachineArn": p.state_machine_arn},
                statistic="Sum", period=300, evaluation_periods=1, threshold=1,
                comparison_operator="GreaterThanOrEqualToThreshold", treat_missing_data="notBreaching",
                alarm_actions=[p.topic_arn], depends_on=list(depends_on))
        if p.freshness_seconds is not None:
            hours = p.freshness_seconds / 3600
            self.alarms["stale"] = CloudwatchMetricAlarm(
                self, "stale", alarm_name=name("stale"),
                alarm_description=f"{p.product}: nothing published within its freshness SLA ({hours:g} h)",
                namespace=PIPELINE_NAMESPACE, metric_name=PUBLISHED_METRIC, dimensions={PRODUCT_DIMENSION: p.product},
                statistic="Sum", period=p.freshness_seconds, evaluation_periods=1, threshold=1,
                comparison_operator="LessThanThreshold", treat_missing_data="breaching",
                alarm_actions=[p.topic_arn], ok_actions=[p.topic_arn], depends_on=list(depends_on))
        self.glue_rule = CloudwatchEventRule(
            self, "glue_failed", name=p.glue_rule_name, description=f"{p.product}: a Glue job run failed",
            event_pattern=glue_failure_pattern(list(p.jobs)), state="ENABLED", depends_on=list(depends_on))
        CloudwatchEventTarget(self, "glue_failed_target", rule=self.glue_rule.name, target_id="domain-topic",
                              arn=p.topic_arn)
