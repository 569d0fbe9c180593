"""A product's Step Functions state machine (STANDARD: executions up to a year, exactly-once steps, the history a
data pipeline needs), its role and its encrypted execution log group. The definition is `asl.py`'s.

Logging: level ALL with execution data to a CloudWatch log group encrypted with the domain key (the key policy lets
CloudWatch Logs use it), kept a year (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html). X-Ray
tracing on. The role (trusted by Step Functions for this one machine only,
https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html) may:
- run its own Glue jobs through `.sync` (StartJobRun, GetJobRun, GetJobRuns, BatchStopJobRun,
  https://docs.aws.amazon.com/step-functions/latest/dg/glue-iam.html);
- start evaluations of its own rulesets, read their runs and results, and pass the ETL role to Glue for them;
- publish to the domain's topic, using the domain key through SNS only;
- put the freshness datapoint into the pipelines' CloudWatch namespace only (condition cloudwatch:namespace);
- deliver execution logs and traces (the CloudWatch Logs delivery and X-Ray calls have no resource-level
  permissions: Resource "*" is AWS's documented form).
"""
from __future__ import annotations

from collections.abc import Sequence

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.sfn_state_machine import (
    SfnStateMachine,
    SfnStateMachineLoggingConfiguration,
    SfnStateMachineTracingConfiguration,
)
from constructs import Construct

from modules import policy_documents as pd
from modules.constructs.pipeline.asl import PipelineDefinition, definition_json
from modules.types import Dependencies, Statement

LOG_RETENTION_DAYS = 365
LOG_LEVEL = "ALL"
LOG_DELIVERY_ACTIONS = ["logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeLogGroups",
                        "logs:DescribeResourcePolicies", "logs:GetLogDelivery", "logs:ListLogDeliveries",
                        "logs:PutResourcePolicy", "logs:UpdateLogDelivery"]
XRAY_ACTIONS = ["xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords",
                "xray:PutTraceSegments"]


class PipelineStateMachine(Construct):
    """Args:
        name: meshform.pipeline_names.state_machine_name; role_name: .state_machine_role_name;
        log_group: .state_machine_log_group.
        account, region: where it runs.
        definition: the pipeline's `PipelineDefinition` (jobs, quality steps, topic).
        job_arns: the Glue jobs it runs; ruleset_names: the Data Quality rulesets it evaluates.
        pass_role_arn: the role its evaluations run as (the domain's ETL role).
        topic_arn: the domain's notification topic; key_arn: the domain key (topic and log group).
        extra_statements: further role policy statements (default none; the Redshift load's).
        depends_on: default none.

    Attributes:
        machine: the `aws_sfn_state_machine`; arn: its ARN, derived from the name; role: its `aws_iam_role`;
        log_group: the `aws_cloudwatch_log_group` (destroy-protected: it is the audit trail of every run).
    """

    def __init__(self, scope: Construct, id_: str, *, name: str, role_name: str, log_group: str, account: str,
                 region: str, definition: PipelineDefinition, job_arns: list[str], ruleset_names: list[str],
                 pass_role_arn: str, topic_arn: str, key_arn: str, extra_statements: Sequence[Statement] = (),
                 depends_on: Dependencies = ()):
        super().__init__(scope, id_)
        self.arn = f"arn:aws:states:{region}:{account}:stateMachine:{name}"
        self.role = IamRole(
            self, "role", name=role_name, description=f"Step Functions: pipeline {definition.product}",
            assume_role_policy=pd.trust_document(
                "StepFunctionsThisMachine", {"Service": "states.amazonaws.com"},
                condition={"StringEquals": {"aws:SourceAccount": account},
                           "ArnLike": {"aws:SourceArn": self.arn}}),
            max_session_duration=3600)
        rulesets = [f"arn:aws:glue:{region}:{account}:dataQualityRuleset/{r}" for r in ruleset_names]
        policy = IamRolePolicy(self, "policy", role=self.role.name, name="pipeline", policy=pd.document([
            pd.statement("RunOwnGlueJobs", ["glue:BatchStopJobRun", "glue:GetJobRun", "glue:GetJobRuns",
                                            "glue:StartJobRun"], job_arns),
            pd.statement("EvaluateOwnRulesets", ["glue:StartDataQualityRulesetEvaluationRun"], rulesets),
            # Runs and results are authorized against dataQualityRuleset/* (data-quality-authorization.html).
            pd.statement("ReadEvaluationResults", ["glue:BatchGetDataQualityResult", "glue:GetDataQualityResult",
                                                   "glue:GetDataQualityRulesetEvaluationRun"],
                         [f"arn:aws:glue:{region}:{account}:dataQualityRuleset/*"]),
            pd.statement("PassEtlRoleToGlue", ["iam:PassRole"], [pass_role_arn],
                         condition={"StringEquals": {"iam:PassedToService": "glue.amazonaws.com"}}),
            pd.statement("PublishToDomainTopic", ["sns:Publish"], [topic_arn]),
            pd.statement("DomainTopicKey", ["kms:Decrypt", "kms:GenerateDataKey"], [key_arn],
                         condition=pd.via_service("sns", region)),
            # PutMetricData has no resource-level permissions; the namespace condition scopes it
            # (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-namespace.html).
            pd.statement("PublishFreshnessMetric", ["cloudwatch:PutMetricData"], "*",
                         condition={"StringEquals": {"cloudwatch:namespace": definition.metric_namespace}}),
            pd.statement("DeliverExecutionLogs", LOG_DELIVERY_ACTIONS, "*"),
            pd.statement("Tracing", XRAY_ACTIONS, "*"),
            *extra_statements,
        ]))
        self.log_group = CloudwatchLogGroup(
            self, "logs", name=log_group, kms_key_id=key_arn, retention_in_days=LOG_RETENTION_DAYS,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True))
        self.machine = SfnStateMachine(
            self, "machine", name=name, type="STANDARD", role_arn=self.role.arn,
            definition=definition_json(definition),
            logging_configuration=SfnStateMachineLoggingConfiguration(
                level=LOG_LEVEL, include_execution_data=True, log_destination=f"{self.log_group.arn}:*"),
            tracing_configuration=SfnStateMachineTracingConfiguration(enabled=True),
            depends_on=[policy, *depends_on])
