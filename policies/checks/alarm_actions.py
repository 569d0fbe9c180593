"""CKV_MESH_ALARM_ACTIONS — every CloudWatch alarm notifies someone: it has an alarm action and its actions are
enabled.

Why: an alarm without an action changes state in the console and nobody learns of it; a pipeline failure, a stale
product or a grant outside the deploy role must reach the owner's topic
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html). The actions must be SNS
topics of the alarm's own account (the account's notification topic, meshform/operations.py).
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import attr, is_reference, values


class AlarmActions(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="CloudWatch alarms have enabled alarm actions to an SNS topic of their own account",
            id="CKV_MESH_ALARM_ACTIONS",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_cloudwatch_metric_alarm"],
            guideline="Set alarm_actions to the account's notification topic (DomainNotifications.arn) and leave "
                      "actions_enabled at its default (true).",
        )

    def problems(self, conf: dict):
        if attr(conf, "actions_enabled") in (False, "false"):
            yield "actions_enabled is false: the alarm notifies nobody"
        actions = values(conf.get("alarm_actions"))
        if not actions:
            yield "alarm_actions is empty: the alarm notifies nobody"
        account = self.stack_account()
        for action in actions:
            if not isinstance(action, str) or is_reference(action):
                continue
            parts = action.split(":")
            if len(parts) < 6 or parts[2] != "sns":
                yield f"alarm action {action!r} is not an SNS topic"
            elif account is not None and parts[4] != account:
                yield f"alarm action {action!r} is a topic of account {parts[4]}, not of the alarm's {account}"


check = AlarmActions()
