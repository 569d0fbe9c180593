"""Derived names of the product pipelines (docs/pipelines.md), beside meshform/naming.py and in its spirit: every
identifier comes from the spec, so no stack reads another's state, and validation can check AWS's length limits
before anything is synthesized (`limits()`)."""
from __future__ import annotations

from meshform import naming

# The domain's artifacts bucket (<prefix>-<env>-<domain>-artifacts-<account>): Glue scripts, the shared package and
# the manifests. Not a lake layer: the ETL role only reads it (docs/pipelines.md, "Artifacts").
ARTIFACTS_LAYER = "artifacts"
# Stage B of a product with filtered inputs reads them here, written by the fine-grained-access import job
# (modules/constructs/fgac_reader_role.py: that role writes only under imports/ of the stage bucket).
IMPORTS_PREFIX = "imports/"
QUARANTINE_PREFIX = "quarantine/"
# Glue Data Quality writes each evaluation's results here (stage bucket, the ETL role runs the evaluation).
DQ_RESULTS_PREFIX = "dq-results/"

# Glue job suffixes: raw -> stage, stage -> analytics, and the FGAC import of filtered inputs.
STAGE_A, STAGE_B, IMPORT = "stage-a", "stage-b", "import"

# AWS name limits (checked by meshform/loader.py):
STATE_MACHINE_MAX = 80      # https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html
EVENT_RULE_MAX = 64         # https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
GLUE_NAME_MAX = 255         # jobs, security configurations, data quality rulesets (Glue NameString)


def _base(prefix: str, env: str, domain: str) -> str:
    return f"{prefix}-{env}-{domain}"


def artifacts_bucket_name(prefix: str, env: str, domain: str, account: str) -> str:
    return naming.bucket_name(prefix, env, domain, ARTIFACTS_LAYER, account)


def notification_topic_name(prefix: str, env: str, domain: str) -> str:
    """The domain's SNS topic (pipelines today; budgets and alarms reuse it): named for the domain."""
    return f"{_base(prefix, env, domain)}-notifications"


def glue_security_configuration_name(prefix: str, env: str, domain: str) -> str:
    return f"{_base(prefix, env, domain)}-etl"


def glue_job_name(prefix: str, env: str, domain: str, product: str, stage: str) -> str:
    return f"{_base(prefix, env, domain)}-{product}-{stage}"


def state_machine_name(prefix: str, env: str, domain: str, product: str) -> str:
    return f"{_base(prefix, env, domain)}-{product}"


def state_machine_role_name(prefix: str, env: str, domain: str, product: str) -> str:
    return f"{_base(prefix, env, domain)}-{product}-sfn"


def state_machine_role_pattern(prefix: str, env: str, domain: str) -> str:
    """Every pipeline state machine role of the domain (an IAM ARN pattern for ArnLike conditions)."""
    return f"{_base(prefix, env, domain)}-*-sfn"


def events_role_name(prefix: str, env: str, domain: str, product: str) -> str:
    return f"{_base(prefix, env, domain)}-{product}-events"


def landing_rule_name(prefix: str, env: str, domain: str, product: str) -> str:
    return f"{_base(prefix, env, domain)}-{product}-landed"


def state_machine_log_group(prefix: str, env: str, domain: str, product: str) -> str:
    """Under /aws/vendedlogs/: AWS's advice for Step Functions log groups, so the account's CloudWatch Logs
    resource policy does not outgrow its size limit
    (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html)."""
    return f"/aws/vendedlogs/states/{state_machine_name(prefix, env, domain, product)}"


def dq_ruleset_name(prefix: str, env: str, domain: str, product: str, table: str) -> str:
    """Unique per account and region (Glue: "Rulesets are global and must be unique")."""
    return f"{_base(prefix, env, domain)}-{product}-{table}"


def dq_ruleset_pattern(prefix: str, env: str, domain: str) -> str:
    """Every data quality ruleset of the domain (an IAM resource pattern)."""
    return f"{_base(prefix, env, domain)}-*"


def landing_prefix(product: str) -> str:
    """Where a product's raw files land in the raw bucket (the EventBridge rule matches it)."""
    return f"{product}/"


def limits(prefix: str, env: str, domain: str, product: str, tables: list[str]) -> list[tuple[str, str, int]]:
    """(what, name, AWS maximum) for every length-limited name of one product's pipeline (the import job's name
    is shorter than stage A's, so it is covered)."""
    jobs = [STAGE_A, STAGE_B]
    return [
        ("Step Functions state machine name", state_machine_name(prefix, env, domain, product), STATE_MACHINE_MAX),
        ("IAM role name", state_machine_role_name(prefix, env, domain, product), naming.IAM_ROLE_MAX),
        ("IAM role name", events_role_name(prefix, env, domain, product), naming.IAM_ROLE_MAX),
        ("EventBridge rule name", landing_rule_name(prefix, env, domain, product), EVENT_RULE_MAX),
        *[("Glue job name", glue_job_name(prefix, env, domain, product, job), GLUE_NAME_MAX) for job in jobs],
        *[("Glue Data Quality ruleset name", dq_ruleset_name(prefix, env, domain, product, t), GLUE_NAME_MAX)
          for t in tables],
    ]
