"""The Amazon States Language definition of one product pipeline, generated from plain data (no jsii here, so
tests and `asl-validator` read exactly what is deployed). Deterministic: the same arguments give the same JSON.

    [ImportFilteredInputs]  FGAC Glue job (only when an input is filtered)
    StageA                  Glue job raw -> stage          arn:aws:states:::glue:startJobRun.sync
    StageB                  Glue job stage -> analytics    (the job's own quality gate blocks publishing)
    DataQuality             one branch per table: StartDataQualityRulesetEvaluationRun on the central table,
                            poll until it finished, fail when a blocking rule did not pass
    PublishFreshness        one `ProductPublished` datapoint (CloudWatch PutMetricData, AWS SDK integration): what
                            the product's freshness alarm watches (modules/constructs/pipeline/pipeline_alarms.py)
    [LoadRedshift]          only when the domain has a Redshift warehouse: one BatchExecuteStatement (one
                            transaction) replacing every table's rows from the analytics Parquet (DELETE + COPY),
                            polled with DescribeStatement until FINISHED (docs/redshift.md, "Loading")
    NotifySuccess           SNS publish to the domain's topic
    any error -> NotifyFailure -> PipelineFailed (Fail)

Glue tasks retry Glue's transient errors and failed runs with exponential backoff and full jitter; a `.sync` task
ends with `States.TaskFailed` when the run fails (https://docs.aws.amazon.com/step-functions/latest/dg/connect-glue.html).
The Data Quality calls are AWS SDK integrations (no `.sync` exists for them), hence the poll loop
(https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html). Rule results are named
`Rule_<n>` in ruleset order (https://docs.aws.amazon.com/glue/latest/webapi/API_DataQualityRuleResult.html); only
the rules the contract marks blocking fail the execution (a result of FAIL or ERROR), the others are reported in
the success message.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

GLUE_SYNC = "arn:aws:states:::glue:startJobRun.sync"
SNS_PUBLISH = "arn:aws:states:::sns:publish"
DQ_START = "arn:aws:states:::aws-sdk:glue:startDataQualityRulesetEvaluationRun"
DQ_GET = "arn:aws:states:::aws-sdk:glue:getDataQualityRulesetEvaluationRun"
DQ_RESULTS = "arn:aws:states:::aws-sdk:glue:batchGetDataQualityResult"
PUT_METRIC_DATA = "arn:aws:states:::aws-sdk:cloudwatch:putMetricData"
# AWS SDK integration errors are `<Service>.<ErrorName>` (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html).
CLOUDWATCH_ERRORS = ["CloudWatch.InternalServiceException", "CloudWatch.LimitExceededException"]
REDSHIFT_BATCH = "arn:aws:states:::aws-sdk:redshiftdata:batchExecuteStatement"
REDSHIFT_DESCRIBE = "arn:aws:states:::aws-sdk:redshiftdata:describeStatement"
REDSHIFT_API_ERRORS = ["RedshiftData.InternalServerException", "RedshiftData.ActiveStatementsExceededException"]
# DescribeStatement Status values that end a statement other than FINISHED
# (https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_DescribeStatement.html).
REDSHIFT_ENDED_BADLY = ("FAILED", "ABORTED")
REDSHIFT_POLL_SECONDS = 15
# Glue errors worth another attempt; States.TaskFailed is a run that ended FAILED/TIMEOUT/ERROR.
GLUE_API_ERRORS = ["Glue.AWSGlueException", "Glue.ConcurrentRunsExceededException", "Glue.InternalServiceException",
                   "Glue.OperationTimeoutException"]
GLUE_RUN_ERRORS = [*GLUE_API_ERRORS, "States.TaskFailed"]
SNS_ERRORS = ["SNS.InternalErrorException", "SNS.KMSThrottlingException", "SNS.ThrottledException"]
DQ_POLL_SECONDS = 30
DQ_WORKERS = 2
MAX_RETRY_DELAY_SECONDS = 3600
FINISHED_BADLY = ("FAILED", "STOPPED", "TIMEOUT")
NOT_PASSED = ("FAIL", "ERROR")         # DataQualityRuleResult.Result values other than PASS
STATE_NAME_MAX = 80


@dataclass(frozen=True)
class Retry:
    attempts: int = 2
    interval_seconds: int = 60
    backoff_rate: float = 2.0


@dataclass(frozen=True)
class QualityStep:
    """One table's Glue Data Quality evaluation: its ruleset and which `Rule_<n>` names block publishing."""
    table: str
    ruleset: str
    blocking_rules: tuple[str, ...]


@dataclass(frozen=True)
class RedshiftLoad:
    """The load of the product's tables into the domain's warehouse: `target` is {"WorkgroupName": ...} or
    {"ClusterIdentifier": ...}; `sqls` the DELETE + COPY pairs (meshform.redshift.sql), run as the state machine's
    own IAM identity (no secret)."""
    database: str
    target: tuple[tuple[str, str], ...]
    sqls: tuple[str, ...]


@dataclass(frozen=True)
class PipelineDefinition:
    product: str                        # <domain>.<product>
    environment: str
    jobs: tuple[tuple[str, str], ...]   # (state name, Glue job name), in run order
    job_timeout_minutes: int
    retry: Retry
    quality: tuple[QualityStep, ...]
    quality_database: str               # the resource link named like the central database
    quality_catalog: str                # the domain's account (the link lives there)
    quality_role_arn: str               # the role the evaluations run as (the ETL role)
    quality_results: str                # S3 prefix for the evaluation results
    topic_arn: str
    metric_namespace: str = "meshform/Pipelines"
    published_metric: str = "ProductPublished"
    product_dimension: str = "Product"
    redshift: RedshiftLoad | None = None


def _retry(errors: list[str], retry: Retry) -> list[dict[str, Any]]:
    if retry.attempts == 0:
        return []
    return [{"ErrorEquals": errors, "IntervalSeconds": retry.interval_seconds, "MaxAttempts": retry.attempts,
             "BackoffRate": float(retry.backoff_rate), "MaxDelaySeconds": MAX_RETRY_DELAY_SECONDS,
             "JitterStrategy": "FULL"}]


CATCH_ALL = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "FailureMessage"}]


def _label(table: str, index: int) -> str:
    """A table's part of its states' names (state names are unique per machine and at most 80 characters)."""
    return table if len(table) <= 50 else f"table {index}"


def _quality_branch(d: PipelineDefinition, step: QualityStep, index: int) -> dict[str, Any]:
    t = _label(step.table, index)
    start, wait, poll, done = f"Start quality {t}", f"Wait quality {t}", f"Poll quality {t}", f"Evaluated {t}?"
    results, verdict = f"Results {t}", f"Verdict {t}"
    failed, broken, passed = f"Quality failed {t}", f"Evaluation failed {t}", f"Passed {t}"
    sdk_retry = _retry(GLUE_API_ERRORS, d.retry)
    states: dict[str, Any] = {
        start: {
            "Type": "Task", "Resource": DQ_START, "Comment": f"Evaluate ruleset {step.ruleset} on {step.table}",
            "Parameters": {
                "DataSource": {"GlueTable": {"CatalogId": d.quality_catalog, "DatabaseName": d.quality_database,
                                             "TableName": step.table}},
                "Role": d.quality_role_arn, "RulesetNames": [step.ruleset], "NumberOfWorkers": DQ_WORKERS,
                "Timeout": d.job_timeout_minutes,
                "AdditionalRunOptions": {"CloudWatchMetricsEnabled": True,
                                         "ResultsS3Prefix": f"{d.quality_results}{step.table}/"},
            },
            "ResultSelector": {"RunId.$": "$.RunId"}, "ResultPath": "$.run", "Retry": sdk_retry, "Next": wait,
        },
        wait: {"Type": "Wait", "Seconds": DQ_POLL_SECONDS, "Next": poll},
        poll: {"Type": "Task", "Resource": DQ_GET, "Parameters": {"RunId.$": "$.run.RunId"}, "ResultPath": "$.run",
               "Retry": sdk_retry, "Next": done},
        done: {"Type": "Choice",
               "Choices": [{"Variable": "$.run.Status", "StringEquals": "SUCCEEDED", "Next": results},
                           {"Or": [{"Variable": "$.run.Status", "StringEquals": s} for s in FINISHED_BADLY],
                            "Next": broken}],
               "Default": wait},
        broken: {"Type": "Fail", "Error": "DataQualityEvaluationFailed",
                 "Cause": f"the Glue Data Quality evaluation of {step.table} did not finish (ruleset {step.ruleset})"},
        results: {"Type": "Task", "Resource": DQ_RESULTS, "Parameters": {"ResultIds.$": "$.run.ResultIds"},
                  # A rule did not pass when its result is FAIL or ERROR (it could not be evaluated).
                  "ResultSelector": {"Score.$": "$.Results[0].Score",
                                     **{f"{outcome.title()}.$": f"$.Results[0].RuleResults[?(@.Result == "
                                                                f"'{outcome}')].Name" for outcome in NOT_PASSED}},
                  "ResultPath": "$.result", "Retry": sdk_retry,
                  "Next": verdict if step.blocking_rules else passed},
        passed: {"Type": "Pass", "End": True,
                 "Parameters": {"table": step.table, "ruleset": step.ruleset, "score.$": "$.result.Score",
                                **{f"{o.lower()}.$": f"$.result.{o.title()}" for o in NOT_PASSED}}},
    }
    if step.blocking_rules:
        flags = {f"{rule}_{o.lower()}": (o, rule) for rule in step.blocking_rules for o in NOT_PASSED}
        tests = [{"Variable": f"$.blocking.{flag}", "BooleanEquals": True} for flag in flags]
        states[f"Blocking {t}"] = {
            "Type": "Pass", "ResultPath": "$.blocking", "Next": verdict,
            "Parameters": {f"{flag}.$": f"States.ArrayContains($.result.{o.title()}, '{rule}')"
                           for flag, (o, rule) in flags.items()}}
        states[results]["Next"] = f"Blocking {t}"
        choice = tests[0] if len(tests) == 1 else {"Or": tests}
        states[failed] = {"Type": "Fail", "Error": "DataQualityFailed",
                          "Cause": f"{step.table}: a blocking rule of ruleset {step.ruleset} did not pass (see its "
                                   "results in Glue Data Quality)"}
        states[verdict] = {"Type": "Choice", "Choices": [{**choice, "Next": failed}], "Default": passed}
    return {"StartAt": start, "States": states}


def pipeline_definition(d: PipelineDefinition) -> dict[str, Any]:
    states: dict[str, Any] = {}
    names = [name for name, _ in d.jobs]
    for position, (state, job) in enumerate(d.jobs):
        states[state] = {
            "Type": "Task", "Resource": GLUE_SYNC, "Comment": f"Glue job {job}",
            "Parameters": {"JobName": job, "Arguments": {"--meshform_execution.$": "$$.Execution.Name"}},
            # The job's own timeout ends the run first; this bounds the time in Glue's run queue as well.
            "TimeoutSeconds": (d.job_timeout_minutes + 60) * 60,
            "ResultSelector": {"JobRunId.$": "$.Id", "JobRunState.$": "$.JobRunState"},
            "ResultPath": f"$.jobs.{state}",
            "Retry": _retry(GLUE_RUN_ERRORS, d.retry), "Catch": CATCH_ALL,
            "Next": names[position + 1] if position + 1 < len(names) else "DataQuality",
        }
    states["DataQuality"] = {
        "Type": "Parallel", "Comment": "Glue Data Quality on each central table, after stage B published",
        "Branches": [_quality_branch(d, step, i) for i, step in enumerate(d.quality)],
        "ResultPath": "$.quality", "Catch": CATCH_ALL,
        "Next": "LoadRedshift" if d.redshift is not None else "SuccessMessage",
    }
    if d.redshift is not None:
        states.update(_redshift_load(d, d.redshift))
    message = {"product": d.product, "environment": d.environment, "execution.$": "$$.Execution.Id"}
    states["SuccessMessage"] = {"Type": "Pass", "ResultPath": "$.message", "Next": "PublishFreshness",
                                "Parameters": {**message, "status": "SUCCEEDED", "quality.$": "$.quality"}}
    # A failed metric publish must not fail a published run: the freshness alarm then errs on the safe side.
    states["PublishFreshness"] = {
        "Type": "Task", "Resource": PUT_METRIC_DATA, "Comment": "freshness: the product was published",
        "Parameters": {"Namespace": d.metric_namespace, "MetricData": [
            {"MetricName": d.published_metric, "Dimensions": [{"Name": d.product_dimension, "Value": d.product}],
             "Value": 1, "Unit": "Count"}]},
        "ResultPath": None, "Retry": [{"ErrorEquals": CLOUDWATCH_ERRORS, "IntervalSeconds": 5, "MaxAttempts": 3,
                                       "BackoffRate": 2.0}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.metric_error", "Next": "NotifySuccess"}],
        "Next": "NotifySuccess"}
    states["NotifySuccess"] = _publish(d, f"meshform {d.environment}: {d.product} published", end=True)
    states["FailureMessage"] = {"Type": "Pass", "ResultPath": "$.message", "Next": "NotifyFailure",
                                "Parameters": {**message, "status": "FAILED", "error.$": "$.error"}}
    states["NotifyFailure"] = _publish(d, f"meshform {d.environment}: {d.product} FAILED", end=False)
    states["PipelineFailed"] = {"Type": "Fail", "Error": "PipelineFailed",
                                "Cause": f"{d.product}: see the failure notification and the execution history"}
    for state in states.values():
        if state.get("Retry") == []:
            del state["Retry"]
    for branch in states["DataQuality"]["Branches"]:
        for state in branch["States"].values():
            if state.get("Retry") == []:
                del state["Retry"]
    return {"Comment": f"meshform {d.environment}: pipeline of {d.product} (raw -> stage -> analytics, quality, "
                       "notification)",
            "StartAt": names[0], "States": states}


def _redshift_load(d: PipelineDefinition, load: RedshiftLoad) -> dict[str, Any]:
    """After the quality gate: the warehouse only ever gets tables whose blocking rules passed."""
    sdk_retry = _retry(REDSHIFT_API_ERRORS, d.retry)
    return {
        "LoadRedshift": {
            "Type": "Task", "Resource": REDSHIFT_BATCH,
            "Comment": "Replace the Redshift tables' rows (one transaction)",
            "Parameters": {"Database": load.database, **dict(load.target), "Sqls": list(load.sqls),
                           "StatementName": f"meshform {d.environment} load {d.product}"[:500]},
            "ResultSelector": {"Id.$": "$.Id"}, "ResultPath": "$.load", "Retry": sdk_retry, "Catch": CATCH_ALL,
            "Next": "WaitLoad"},
        "WaitLoad": {"Type": "Wait", "Seconds": REDSHIFT_POLL_SECONDS, "Next": "PollLoad"},
        "PollLoad": {"Type": "Task", "Resource": REDSHIFT_DESCRIBE, "Parameters": {"Id.$": "$.load.Id"},
                     "ResultSelector": {"Id.$": "$.Id", "Status.$": "$.Status"}, "ResultPath": "$.load",
                     "Retry": sdk_retry, "Catch": CATCH_ALL, "Next": "Loaded?"},
        "Loaded?": {"Type": "Choice",
                    "Choices": [{"Variable": "$.load.Status", "StringEquals": "FINISHED", "Next": "SuccessMessage"},
                                {"Or": [{"Variable": "$.load.Status", "StringEquals": s} for s in REDSHIFT_ENDED_BADLY],
                                 "Next": "LoadFailed"}],
                    "Default": "WaitLoad"},
        "LoadFailed": {"Type": "Pass", "ResultPath": "$.error", "Next": "FailureMessage",
                       "Parameters": {"Error": "RedshiftLoadFailed", "Cause.$": "$.load.Status",
                                      "StatementId.$": "$.load.Id"}},
    }


def _publish(d: PipelineDefinition, subject: str, *, end: bool) -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Task", "Resource": SNS_PUBLISH,
        # SNS subjects: at most 100 printable ASCII characters.
        "Parameters": {"TopicArn": d.topic_arn, "Subject": subject[:100],
                       "Message.$": "States.JsonToString($.message)"},
        "ResultPath": None, "Retry": [{"ErrorEquals": SNS_ERRORS, "IntervalSeconds": 5, "MaxAttempts": 3,
                                       "BackoffRate": 2.0}],
    }
    if end:
        state["End"] = True
    else:
        state["Catch"] = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.notification_error",
                           "Next": "PipelineFailed"}]
        state["Next"] = "PipelineFailed"
    return state


def definition_json(d: PipelineDefinition) -> str:
    return json.dumps(pipeline_definition(d), sort_keys=True, separators=(",", ":"))
