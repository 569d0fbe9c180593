"""CKV_MESH_SFN_LOGGING — Step Functions state machines log their executions to a CloudWatch log group of the
stack (level ALL, ERROR or FATAL — not OFF).

Why: a pipeline's execution history is the audit trail of what ran, with which input, and why it failed; Step
Functions keeps it only 90 days and only logging sends it where the domain controls retention and encryption
(https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html). The destination must reference an
aws_cloudwatch_log_group of the stack (`${aws_cloudwatch_log_group.<name>.arn}:*`), so that
CKV_MESH_LOG_GROUP_KMS proves it encrypted with a customer-managed key: together they make "state machines log
to an encrypted log group". A literal ARN cannot be checked and fails.
"""
from __future__ import annotations

import re

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import attr, block

LEVELS = ("ALL", "ERROR", "FATAL")
LOG_GROUP_DESTINATION = re.compile(r"^\$\{aws_cloudwatch_log_group\.[A-Za-z0-9_-]+\.arn\}:\*$")


class SfnLogging(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Step Functions state machines log executions (level not OFF) to a log group of the stack",
            id="CKV_MESH_SFN_LOGGING",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_sfn_state_machine"],
            guideline="Set logging_configuration={level: 'ALL' (or ERROR/FATAL), include_execution_data: true, "
                      "log_destination: '${aws_cloudwatch_log_group.<name>.arn}:*'} with a KMS-encrypted log "
                      "group (PipelineStateMachine does this).",
        )

    def problems(self, conf: dict):
        logging = block(conf, "logging_configuration")
        if not logging:
            yield "logging_configuration is not set (Step Functions logs nothing)"
            return
        level = attr(logging, "level", "OFF")
        if level not in LEVELS:
            yield f"logging_configuration.level is {level!r}, expected one of {', '.join(LEVELS)}"
        destination = attr(logging, "log_destination")
        if not isinstance(destination, str) or not LOG_GROUP_DESTINATION.match(destination):
            yield (f"log_destination {destination!r} is not '${{aws_cloudwatch_log_group.<name>.arn}}:*' (a log "
                   "group of the stack, whose encryption CKV_MESH_LOG_GROUP_KMS checks)")


check = SfnLogging()
