"""What starts a product's pipeline: an EventBridge rule on the default bus for S3 `Object Created` events of the
domain's raw bucket under `<product>/`, targeting the product's state machine through a role that may start that
one machine and nothing else.

The raw bucket already sends its events to EventBridge (`SecureBucket`: `aws_s3_bucket_notification` with
`eventbridge = true`, https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html). The event pattern
filters on the bucket name and a key prefix (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pattern-content-based-filtering.html).
Each landed object starts one execution; Glue job bookmarks make the runs that find nothing new cheap, and the
jobs queue rather than collide (glue_job.py). A failed StartExecution is retried by EventBridge for up to a day.
"""
from __future__ import annotations

import json

from cdktf_cdktf_provider_aws.cloudwatch_event_rule import CloudwatchEventRule
from cdktf_cdktf_provider_aws.cloudwatch_event_target import CloudwatchEventTarget, CloudwatchEventTargetRetryPolicy
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from modules import policy_documents as pd
from modules.types import Dependencies

EVENT_MAX_AGE_SECONDS = 86400      # EventBridge's maximum retry window
EVENT_RETRY_ATTEMPTS = 185         # its maximum attempts


def landing_pattern(bucket: str, prefix: str) -> str:
    return json.dumps({"source": ["aws.s3"], "detail-type": ["Object Created"],
                       "detail": {"bucket": {"name": [bucket]}, "object": {"key": [{"prefix": prefix}]}}},
                      sort_keys=True, separators=(",", ":"))


class LandingTrigger(Construct):
    """Args:
        rule_name: meshform.pipeline_names.landing_rule_name; role_name: .events_role_name.
        account, region: where the rule lives.
        bucket: the raw bucket; prefix: the product's landing prefix (`<product>/`).
        state_machine_arn: what it starts; product: descriptions only.
        depends_on: default none (the state machine).

    Attributes:
        rule: the `aws_cloudwatch_event_rule`; role: the events `aws_iam_role`.
    """

    def __init__(self, scope: Construct, id_: str, *, rule_name: str, role_name: str, account: str, region: str,
                 bucket: str, prefix: str, state_machine_arn: str, product: str, depends_on: Dependencies = ()):
        super().__init__(scope, id_)
        rule_arn = f"arn:aws:events:{region}:{account}:rule/{rule_name}"
        self.rule = CloudwatchEventRule(
            self, "rule", name=rule_name, description=f"Objects landed for {product} start its pipeline",
            event_pattern=landing_pattern(bucket, prefix), state="ENABLED")
        self.role = IamRole(
            self, "role", name=role_name, description=f"EventBridge: start the pipeline of {product}",
            # Only this rule of this account (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-identity-based.html).
            assume_role_policy=pd.trust_document(
                "EventBridgeThisRule", {"Service": "events.amazonaws.com"},
                condition={"StringEquals": {"aws:SourceAccount": account, "aws:SourceArn": rule_arn}}),
            max_session_duration=3600)
        policy = IamRolePolicy(self, "policy", role=self.role.name, name="start-pipeline", policy=pd.document([
            pd.statement("StartThisPipeline", ["states:StartExecution"], [state_machine_arn])]))
        CloudwatchEventTarget(
            self, "target", rule=self.rule.name, target_id="pipeline", arn=state_machine_arn,
            role_arn=self.role.arn,
            retry_policy=CloudwatchEventTargetRetryPolicy(maximum_event_age_in_seconds=EVENT_MAX_AGE_SECONDS,
                                                          maximum_retry_attempts=EVENT_RETRY_ATTEMPTS),
            depends_on=[policy, *depends_on])
