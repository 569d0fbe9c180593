"""One test per stand-alone pipeline construct on its synthesized JSON (tests/construct_synth.py), for what the
bundled environments never exercise: a job without bookmarks or extra files in fine-grained access mode on other
workers, a state machine without retries, quality steps or extra statements, a product without a freshness SLA, a
trigger in another region. The artifacts bucket and the product pipeline take the repository's scripts and a whole
mesh; they are proven through the domain stacks (tests/test_pipeline_synth.py)."""
from __future__ import annotations

import json

import pytest

from tests.construct_synth import depends_on_types, only, synth

pytestmark = pytest.mark.synth

REGION = "ap-southeast-2"
ACCOUNT = "710000000002"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
MACHINE = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:x-dev-hr-people"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:x-dev-hr-notifications"


def test_glue_security_configuration_keeps_output_logs_and_bookmarks_under_the_domain_key():
    from modules.constructs.pipeline.glue_security_configuration import DomainGlueSecurityConfiguration

    res = synth(lambda s: DomainGlueSecurityConfiguration(s, "sec", name="x-dev-hr-etl", kms_key_arn=KEY))
    encryption = only(res, "aws_glue_security_configuration")["encryption_configuration"]
    assert encryption == {
        "s3_encryption": {"s3_encryption_mode": "SSE-KMS", "kms_key_arn": KEY},
        "cloudwatch_encryption": {"cloudwatch_encryption_mode": "SSE-KMS", "kms_key_arn": KEY},
        "job_bookmarks_encryption": {"job_bookmarks_encryption_mode": "CSE-KMS", "kms_key_arn": KEY}}


def test_landing_trigger_role_is_trusted_by_its_rule_only_and_starts_one_machine():
    from modules.constructs.pipeline.landing_trigger import LandingTrigger

    res = synth(lambda s: LandingTrigger(s, "land", rule_name="x-dev-hr-people-landed", role_name="x-dev-hr-events",
                                         account=ACCOUNT, region=REGION, bucket="x-raw", prefix="people/",
                                         state_machine_arn=MACHINE, product="hr.people"))
    rule = only(res, "aws_cloudwatch_event_rule")
    assert json.loads(rule["event_pattern"]) == {
        "source": ["aws.s3"], "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": ["x-raw"]}, "object": {"key": [{"prefix": "people/"}]}}}
    trust = json.loads(only(res, "aws_iam_role")["assume_role_policy"])["Statement"][0]
    assert trust["Condition"] == {"StringEquals": {
        "aws:SourceAccount": ACCOUNT,
        "aws:SourceArn": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/x-dev-hr-people-landed"}}
    [start] = json.loads(only(res, "aws_iam_role_policy")["policy"])["Statement"]
    assert (start["Action"], start["Resource"]) == (["states:StartExecution"], [MACHINE])
    target = only(res, "aws_cloudwatch_event_target")
    assert target["arn"] == MACHINE and target["retry_policy"] == {"maximum_event_age_in_seconds": 86400,
                                                                    "maximum_retry_attempts": 185}
    assert depends_on_types(target) == {"aws_iam_role_policy"}          # the role may start the machine first


def test_glue_job_in_fine_grained_mode_without_bookmarks_or_extra_files():
    from modules.constructs.pipeline.glue_job import PipelineGlueJob

    res = synth(lambda s: PipelineGlueJob(
        s, "job", name="x-dev-hr-people-import", description="d", role_arn=f"arn:aws:iam::{ACCOUNT}:role/fgac",
        account=ACCOUNT, region=REGION, script_location="s3://x-artifacts/scripts/import.py",
        security_configuration="x-dev-hr-etl", job_arguments={"--target": "s3://x-stage/imports/", "--a": "1"},
        temp_dir="s3://x-stage/tmp/", worker_type="G.2X", number_of_workers=8, timeout_minutes=15,
        bookmarks=False, fine_grained_access=True))
    job = only(res, "aws_glue_job")
    assert (job["glue_version"], job["worker_type"], job["number_of_workers"], job["timeout"]) == (
        "5.0", "G.2X", 8, 15)
    assert job["max_retries"] == 0 and job["execution_property"] == {"max_concurrent_runs": 1}
    assert job["job_run_queuing_enabled"] is True and job["security_configuration"] == "x-dev-hr-etl"
    arguments = job["default_arguments"]
    assert arguments["--job-bookmark-option"] == "job-bookmark-disable"
    assert arguments["--enable-lakeformation-fine-grained-access"] == "true"
    assert "--extra-py-files" not in arguments and "--extra-files" not in arguments
    assert "--enable-continuous-cloudwatch-log" not in arguments                # Glue 4.0-and-earlier switch
    assert list(job["non_overridable_arguments"]) == ["--a", "--target"]       # sorted: byte-identical JSON


def test_data_quality_ruleset_targets_the_table_through_the_own_link():
    from modules.constructs.pipeline.data_quality_ruleset import DataQualityRuleset

    res = synth(lambda s: DataQualityRuleset(s, "dq", name="x-dev-hr-people-people", description="d",
                                             ruleset='Rules = [ RowCount > 0 ]', database="hr", table="people",
                                             catalog_id=ACCOUNT))
    ruleset = only(res, "aws_glue_data_quality_ruleset")
    assert ruleset["target_table"] == {"catalog_id": ACCOUNT, "database_name": "hr", "table_name": "people"}
    assert ruleset["ruleset"] == "Rules = [ RowCount > 0 ]"


def _tasks(states: dict):
    """Every Task state, also inside Parallel branches."""
    for state in states.values():
        if state["Type"] == "Task":
            yield state
        for branch in state.get("Branches", []):
            yield from _tasks(branch["States"])


def test_state_machine_without_retries_or_extra_statements():
    from modules.constructs.pipeline.asl import PipelineDefinition, QualityStep, Retry
    from modules.constructs.pipeline.state_machine import PipelineStateMachine

    job_arn = f"arn:aws:glue:{REGION}:{ACCOUNT}:job/x-dev-hr-people-stage-a"
    definition = PipelineDefinition(
        product="hr.people", environment="dev", jobs=(("StageA", "x-dev-hr-people-stage-a"),), job_timeout_minutes=30,
        retry=Retry(attempts=0), quality=(QualityStep("people", "x-dev-hr-people-people", ("Rule_1",)),),
        quality_database="hr", quality_catalog=ACCOUNT,
        quality_role_arn=f"arn:aws:iam::{ACCOUNT}:role/etl", quality_results="s3://x-stage/dq/", topic_arn=TOPIC)
    res = synth(lambda s: PipelineStateMachine(
        s, "sm", name="x-dev-hr-people", role_name="x-dev-hr-people-sfn", log_group="/x/hr/people", account=ACCOUNT,
        region=REGION, definition=definition, job_arns=[job_arn], ruleset_names=["x-dev-hr-people-people"],
        pass_role_arn=f"arn:aws:iam::{ACCOUNT}:role/etl", topic_arn=TOPIC, key_arn=KEY))
    machine = only(res, "aws_sfn_state_machine")
    assert machine["type"] == "STANDARD" and machine["tracing_configuration"] == {"enabled": True}
    assert machine["logging_configuration"]["level"] == "ALL"
    assert machine["logging_configuration"]["include_execution_data"] is True
    # retry attempts 0: no Glue call is retried (the fixed CloudWatch/SNS throttling retries stay)
    glue_tasks = [t for t in _tasks(json.loads(machine["definition"])["States"]) if ":glue:" in t["Resource"]]
    assert glue_tasks and not any("Retry" in t for t in glue_tasks)
    by_sid = {st["Sid"]: st for st in json.loads(only(res, "aws_iam_role_policy")["policy"])["Statement"]}
    assert by_sid["RunOwnGlueJobs"]["Resource"] == [job_arn]
    assert by_sid["EvaluateOwnRulesets"]["Resource"] == [
        f"arn:aws:glue:{REGION}:{ACCOUNT}:dataQualityRuleset/x-dev-hr-people-people"]
    assert by_sid["DomainTopicKey"]["Condition"] == {"StringEquals": {"kms:ViaService": f"sns.{REGION}.amazonaws.com"}}
    assert by_sid["PassEtlRoleToGlue"]["Condition"] == {"StringEquals": {"iam:PassedToService": "glue.amazonaws.com"}}
    assert list(by_sid)[-1] == "Tracing"                                         # no extra statements
    trust = json.loads(only(res, "aws_iam_role")["assume_role_policy"])["Statement"][0]
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                                  "ArnLike": {"aws:SourceArn": MACHINE}}
    logs = only(res, "aws_cloudwatch_log_group")
    assert (logs["kms_key_id"], logs["retention_in_days"], logs["lifecycle"]["prevent_destroy"]) == (KEY, 365, True)


def test_pipeline_alarms_without_a_freshness_sla_have_no_staleness_alarm():
    from modules.constructs.pipeline.pipeline_alarms import PipelineAlarms, PipelineAlarmsProps

    props = PipelineAlarmsProps(product="hr.people", state_machine_arn=MACHINE, jobs=("b-job", "a-job"),
                                topic_arn=TOPIC, alarm_name=lambda what: f"x-hr-people-{what}",
                                glue_rule_name="x-hr-people-glue-failed", freshness_seconds=None)
    res = synth(lambda s: PipelineAlarms(s, "alarms", props=props))
    alarms = {a["alarm_name"]: a for a in res["aws_cloudwatch_metric_alarm"].values()}
    assert sorted(alarms) == ["x-hr-people-failed", "x-hr-people-timed-out"]
    assert all(a["dimensions"] == {"StateMachineArn": MACHINE} and a["alarm_actions"] == [TOPIC]
               for a in alarms.values())
    rule = only(res, "aws_cloudwatch_event_rule")
    assert json.loads(rule["event_pattern"])["detail"] == {"jobName": ["a-job", "b-job"],
                                                           "state": ["ERROR", "FAILED", "TIMEOUT"]}


def test_pipeline_alarm_for_a_sla_in_minutes_evaluates_one_period_of_that_length():
    from modules.constructs.pipeline.pipeline_alarms import PipelineAlarms, PipelineAlarmsProps

    props = PipelineAlarmsProps(product="hr.people", state_machine_arn=MACHINE, jobs=("a-job",), topic_arn=TOPIC,
                                alarm_name=lambda what: f"x-{what}", glue_rule_name="r", freshness_seconds=5400)
    alarms = {a["alarm_name"]: a for a in synth(lambda s: PipelineAlarms(s, "alarms", props=props))[
        "aws_cloudwatch_metric_alarm"].values()}
    stale = alarms["x-stale"]
    assert (stale["period"], stale["comparison_operator"], stale["treat_missing_data"]) == (
        5400, "LessThanThreshold", "breaching")                              # no datapoint at all is stale too
    assert "(1.5 h)" in stale["alarm_description"] and stale["ok_actions"] == [TOPIC]


def test_runtime_statements_without_data_quality_and_the_log_key_statement():
    from modules.constructs.pipeline.log_encryption import cloudwatch_logs_key_statement
    from modules.constructs.pipeline.runtime_access import glue_runtime_statements

    statements = glue_runtime_statements(region=REGION, account=ACCOUNT, prefix="x", env="dev", domain="hr",
                                         data_quality=False)
    assert [st["Sid"] for st in statements] == ["ReadPipelineArtifacts", "ListPipelineArtifacts", "GlueJobLogs"]
    assert statements[0]["Action"] == ["s3:GetObject", "s3:GetObjectVersion"]          # read-only
    assert statements[2]["Resource"] == [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws-glue/*",
                                         f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws-glue/*:log-stream:*"]
    key = cloudwatch_logs_key_statement(REGION, ACCOUNT)
    assert key["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    assert key["Condition"] == {"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                                            f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*"}}
    assert not any("*" in action for action in key["Action"])
