"""Derived names of the operations resources (docs/operations.md): the audit trail, the governance alarms, the
budgets and the pipeline alarms. Like meshform/naming.py, every identifier comes from the spec, so no stack reads
another's state."""
from __future__ import annotations

from meshform import naming

AUDIT_LAYER = "audit"                  # <prefix>-<env>-governance-audit-<account>: the CloudTrail log files
GOVERNANCE = "governance"
# Custom CloudWatch namespaces: what the governance metric filters and the pipelines publish.
AUDIT_NAMESPACE = "meshform/Audit"
PIPELINE_NAMESPACE = "meshform/Pipelines"
# The pipeline's success metric (one datapoint per published run, dimension Product=<domain>.<product>).
PUBLISHED_METRIC = "ProductPublished"
PRODUCT_DIMENSION = "Product"

# AWS name limits: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html (3-128),
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html (AlarmName 1-255),
# https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Budget.html (BudgetName 1-100).
TRAIL_NAME_MAX = 128
ALARM_NAME_MAX = 255
BUDGET_NAME_MAX = 100


def _base(prefix: str, env: str) -> str:
    return f"{prefix}-{env}"


def audit_bucket_name(prefix: str, env: str, governance_account: str) -> str:
    return naming.bucket_name(prefix, env, GOVERNANCE, AUDIT_LAYER, governance_account)


def trail_name(prefix: str, env: str) -> str:
    return f"{_base(prefix, env)}-audit"


def trail_arn(region: str, account: str, prefix: str, env: str) -> str:
    return f"arn:aws:cloudtrail:{region}:{account}:trail/{trail_name(prefix, env)}"


def trail_log_group(prefix: str, env: str) -> str:
    return f"/meshform/{_base(prefix, env)}/cloudtrail"


def trail_logs_role_name(prefix: str, env: str) -> str:
    return f"{_base(prefix, env)}-cloudtrail-logs"


def governance_topic_name(prefix: str, env: str) -> str:
    return f"{_base(prefix, env)}-governance-notifications"


def audit_alarm_name(prefix: str, env: str, event: str) -> str:
    return f"{_base(prefix, env)}-audit-{event}"


def budget_name(prefix: str, env: str, owner: str) -> str:
    return f"{_base(prefix, env)}-{owner}-monthly"


def pipeline_alarm_name(prefix: str, env: str, domain: str, product: str, what: str) -> str:
    return f"{_base(prefix, env)}-{domain}-{product}-{what}"


def glue_failure_rule_name(prefix: str, env: str, domain: str, product: str) -> str:
    """EventBridge rule names are at most 64 characters (checked with the pipeline names in meshform/loader.py)."""
    return f"{_base(prefix, env)}-{domain}-{product}-glue-failed"
