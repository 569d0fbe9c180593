"""What a pipeline's Glue job role needs at run time besides its data: read the domain's artifacts (scripts, shared
package, manifests), write the job's CloudWatch logs (and associate the domain key with them, which the security
configuration's CloudWatch encryption makes Glue do), and — for the ETL role, which runs the Glue Data Quality
evaluations — publish the results of the domain's rulesets. Used for the ETL role (`etl_role.py`) and the FGAC
reader role (`fgac_reader_role.py`). Permissions: https://docs.aws.amazon.com/glue/latest/dg/create-service-policy.html,
https://docs.aws.amazon.com/glue/latest/dg/encryption-security-configuration.html (logs:AssociateKmsKey),
https://docs.aws.amazon.com/glue/latest/dg/data-quality-authorization.html."""
from __future__ import annotations

from meshform import naming, pipeline_names
from modules import policy_documents as pd
from modules.types import Statement

# Glue writes job logs under /aws-glue/ (with a security configuration: /aws-glue/jobs/<configuration>-role/...).
GLUE_LOG_GROUPS = "/aws-glue/*"
DQ_METRICS_NAMESPACE = "Glue Data Quality"


def glue_runtime_statements(*, region: str, account: str, prefix: str, env: str, domain: str,
                            data_quality: bool) -> list[Statement]:
    """IAM statements for a role that runs the domain's pipeline jobs (`data_quality`: also its DQ evaluations)."""
    artifacts = naming.bucket_arn(pipeline_names.artifacts_bucket_name(prefix, env, domain, account))
    logs = f"arn:aws:logs:{region}:{account}:log-group:{GLUE_LOG_GROUPS}"
    statements = [
        # Read-only: the artifacts bucket's policy also refuses writes by anyone but the deploy role.
        pd.statement("ReadPipelineArtifacts", ["s3:GetObject", "s3:GetObjectVersion"], [f"{artifacts}/*"]),
        pd.statement("ListPipelineArtifacts", ["s3:GetBucketLocation", "s3:ListBucket"], [artifacts]),
        pd.statement("GlueJobLogs", ["logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:CreateLogStream",
                                     "logs:PutLogEvents"], [logs, f"{logs}:log-stream:*"]),
    ]
    if data_quality:
        rulesets = pipeline_names.dq_ruleset_pattern(prefix, env, domain)
        statements += [
            pd.statement("EvaluateOwnDataQualityRulesets", ["glue:GetDataQualityRuleset", "glue:PublishDataQuality"],
                         [f"arn:aws:glue:{region}:{account}:dataQualityRuleset/{rulesets}"]),
            # PutMetricData has no resource-level permissions; the namespace condition is its scope.
            pd.statement("DataQualityMetrics", ["cloudwatch:PutMetricData"], "*",
                         condition={"StringEquals": {"cloudwatch:namespace": DQ_METRICS_NAMESPACE}}),
        ]
    return statements
