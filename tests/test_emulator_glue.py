"""The emulator's additions for the product pipelines, each rule against AWS's error code: Glue Data Quality
rulesets (meshform/local/moto_glue_dq.py), Glue job definitions (moto_glue_jobs.py), CloudWatch Logs encryption with
a customer key (moto_logs.py) and bucket policies evaluated with the request context (moto_s3_policy.py)."""
from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config

from meshform.local.emulator import MotoServer
from tests.emulator import AccountClients
from tests.emulator_fixtures import REGION, rejects

ACCOUNT = "222222222222"
ORDERS = 'Rules = [\n    IsComplete "order_id",\n    IsPrimaryKey "order_id",\n    RowCount > 0\n]'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def account(server) -> AccountClients:
    return AccountClients(server.url, REGION, ACCOUNT)


def unvalidated(account: AccountClients, service: str):
    """A client that sends what botocore would refuse locally, to show the server's own rejection (Terraform's
    Go SDK does not validate lengths client-side)."""
    client = account(service)
    return boto3.client(service, endpoint_url=client.meta.endpoint_url, region_name=REGION,
                        config=Config(parameter_validation=False),
                        aws_access_key_id=client._request_signer._credentials.access_key,
                        aws_secret_access_key=client._request_signer._credentials.secret_key,
                        aws_session_token=client._request_signer._credentials.token)


def arn(name: str) -> str:
    return f"arn:aws:glue:{REGION}:{ACCOUNT}:dataQualityRuleset/{name}"


# --- Glue Data Quality rulesets ------------------------------------------------------------------------------

def test_ruleset_lifecycle_as_the_provider_uses_it(account):
    glue = account("glue")
    target = {"DatabaseName": "sales", "TableName": "orders", "CatalogId": ACCOUNT}
    glue.create_data_quality_ruleset(Name="orders-rules", Description="orders", Ruleset=ORDERS, TargetTable=target,
                                     Tags={"mesh:domain": "sales"})
    got = glue.get_data_quality_ruleset(Name="orders-rules")
    assert (got["Name"], got["Description"], got["Ruleset"], got["TargetTable"]) == (
        "orders-rules", "orders", ORDERS, target)           # CatalogId echoed exactly as given (no plan drift)
    assert got["CreatedOn"] == got["LastModifiedOn"]
    assert glue.get_tags(ResourceArn=arn("orders-rules"))["Tags"] == {"mesh:domain": "sales"}
    changed = ORDERS.replace("RowCount > 0", "RowCount > 10")
    assert glue.update_data_quality_ruleset(Name="orders-rules", Ruleset=changed)["Ruleset"] == changed
    after = glue.get_data_quality_ruleset(Name="orders-rules")
    assert after["Ruleset"] == changed and after["TargetTable"] == target and after["LastModifiedOn"] >= got[
        "LastModifiedOn"]
    glue.tag_resource(ResourceArn=arn("orders-rules"), TagsToAdd={"team": "x"})
    glue.untag_resource(ResourceArn=arn("orders-rules"), TagsToRemove=["team"])
    assert glue.get_tags(ResourceArn=arn("orders-rules"))["Tags"] == {"mesh:domain": "sales"}
    listed = glue.list_data_quality_rulesets(Filter={"TargetTable": {"DatabaseName": "sales", "TableName": "orders"}})
    assert [(r["Name"], r["RuleCount"]) for r in listed["Rulesets"]] == [("orders-rules", 3)]
    glue.delete_data_quality_ruleset(Name="orders-rules")
    rejects("EntityNotFoundException", glue.get_data_quality_ruleset, Name="orders-rules")


def test_ruleset_names_are_unique_per_account_and_region(account, server):
    glue = account("glue")
    glue.create_data_quality_ruleset(Name="unique", Ruleset=ORDERS)
    message = rejects("AlreadyExistsException", glue.create_data_quality_ruleset, Name="unique", Ruleset=ORDERS)
    assert "Another ruleset with the same name already exists" in message
    # another account has its own namespace
    AccountClients(server.url, REGION, "333333333333")("glue").create_data_quality_ruleset(Name="unique",
                                                                                            Ruleset=ORDERS)


def test_missing_rulesets_are_entity_not_found_everywhere(account):
    glue = account("glue")
    rejects("EntityNotFoundException", glue.get_data_quality_ruleset, Name="nope")
    rejects("EntityNotFoundException", glue.update_data_quality_ruleset, Name="nope", Ruleset=ORDERS)
    rejects("EntityNotFoundException", glue.delete_data_quality_ruleset, Name="nope")
    rejects("EntityNotFoundException", glue.get_tags, ResourceArn=arn("nope"))
    rejects("EntityNotFoundException", glue.tag_resource, ResourceArn=arn("nope"), TagsToAdd={"a": "b"})


@pytest.mark.parametrize("ruleset, why", [
    ('Rules = [ IsComplete "a"', "not closed"),
    ("Rules = [ ]", "empty"),
    ('Checks = [ IsComplete "a" ]', "expected `Rules = ["),
    ('Rules = [ NoSuchRule "a" ]', "unknown rule type 'NoSuchRule'"),
    ('Rules = [ IsComplete "a ]', "unterminated string"),
    ('Rules = [ (IsComplete "a") xor (RowCount > 0) ]', "joined by `and` or `or`"),
    ('Rules = [ (IsComplete "a") and ]', "ends with"),
    ('Rules = [ IsComplete "a" ] Rules = [ RowCount > 0 ]', "appears twice"),
    ('Analyzers = [ RowCount ]', "needs a `Rules"),
])
def test_rulesets_that_are_not_dqdl_are_refused(account, ruleset, why):
    message = rejects("InvalidInputException", account("glue").create_data_quality_ruleset, Name="bad",
                      Ruleset=ruleset)
    assert why in message


def test_dqdl_composites_analyzers_and_clauses_are_accepted(account):
    text = ('Rules = [\n  (ColumnValues "status" in ["a", "b"]) or (IsComplete "status"),\n'
            '  CustomSql "SELECT COUNT(*) FROM primary WHERE x < 0" = 0,\n'
            '  Completeness "c" >= 0.9 where "d > 1",\n  ColumnLength "e" between 1 and 10\n]\n'
            'Analyzers = [ RowCount ]')
    account("glue").create_data_quality_ruleset(Name="composite", Ruleset=text)


def test_every_generated_contract_ruleset_is_valid_dqdl(account):
    """What the stacks deploy: meshform/pipeline/dqdl.py's ruleset of every bundled contract table."""
    from meshform.loader import load_meshes
    from meshform.pipeline.dqdl import dqdl_ruleset
    from tests.conftest import REPO

    glue = account("glue")
    mesh = load_meshes(REPO, ["dev"])[0]
    for product in mesh.products.values():
        for table in product.tables:
            glue.create_data_quality_ruleset(Name=f"generated-{product.name}-{table.name}", Ruleset=dqdl_ruleset(table))


def test_field_limits_are_enforced_by_the_server(account):
    glue = unvalidated(account, "glue")
    rejects("InvalidInputException", glue.create_data_quality_ruleset, Name="x" * 256, Ruleset=ORDERS)
    rejects("InvalidInputException", glue.create_data_quality_ruleset, Name="", Ruleset=ORDERS)
    rejects("InvalidInputException", glue.create_data_quality_ruleset, Name="bad\nname", Ruleset=ORDERS)
    rejects("InvalidInputException", glue.create_data_quality_ruleset, Name="d", Description="x" * 2049,
            Ruleset=ORDERS)
    rejects("InvalidInputException", glue.create_data_quality_ruleset, Name="r", Ruleset="")
    rejects("InvalidInputException", glue.create_data_quality_ruleset, Name="t", Ruleset=ORDERS,
            TargetTable={"DatabaseName": "sales"})
    rejects("InvalidInputException", glue.create_data_quality_ruleset, Name="tags", Ruleset=ORDERS,
            Tags={f"k{i}": "v" for i in range(51)})
    rejects("InvalidInputException", glue.list_data_quality_rulesets, MaxResults=0)


def test_list_filters_and_pages(account, server):
    glue = AccountClients(server.url, REGION, "444444444444")("glue")
    for i in range(3):
        glue.create_data_quality_ruleset(Name=f"page-{i}", Ruleset=ORDERS, Tags={"n": str(i % 2)},
                                         TargetTable={"DatabaseName": "db", "TableName": f"t{i}"})
    first = glue.list_data_quality_rulesets(MaxResults=2)
    rest = glue.list_data_quality_rulesets(MaxResults=2, NextToken=first["NextToken"])
    assert [r["Name"] for r in first["Rulesets"] + rest["Rulesets"]] == ["page-0", "page-1", "page-2"]
    assert "NextToken" not in rest
    assert [r["Name"] for r in glue.list_data_quality_rulesets(Tags={"n": "0"})["Rulesets"]] == ["page-0", "page-2"]
    assert [r["Name"] for r in glue.list_data_quality_rulesets(Filter={"Name": "page-1"})["Rulesets"]] == ["page-1"]


# --- Glue job definitions ------------------------------------------------------------------------------------

def test_jobs_keep_queuing_and_update_overwrites_the_definition(account):
    glue = account("glue")
    command = {"Name": "glueetl", "ScriptLocation": "s3://b/a.py", "PythonVersion": "3"}
    glue.create_job(Name="job", Role=f"arn:aws:iam::{ACCOUNT}:role/etl", Command=command, GlueVersion="5.0",
                    WorkerType="G.1X", NumberOfWorkers=2, JobRunQueuingEnabled=True, MaxRetries=0,
                    DefaultArguments={"--a": "1"})
    job = glue.get_job(JobName="job")["Job"]
    assert job["JobRunQueuingEnabled"] is True and job["GlueVersion"] == "5.0"
    glue.update_job(JobName="job", JobUpdate={"Role": f"arn:aws:iam::{ACCOUNT}:role/etl", "Command": command,
                                              "GlueVersion": "5.0", "WorkerType": "G.2X", "NumberOfWorkers": 4})
    job = glue.get_job(JobName="job")["Job"]
    assert (job["WorkerType"], job["NumberOfWorkers"]) == ("G.2X", 4)
    assert "JobRunQueuingEnabled" not in job and job["DefaultArguments"] == {}   # not given: reset
    assert job["MaxRetries"] == 0                                                  # AWS's default, returned
    rejects("EntityNotFoundException", glue.update_job, JobName="missing", JobUpdate={
        "Role": "r", "Command": command})


# --- CloudWatch Logs with a customer-managed key ------------------------------------------------------------

def key_with_policy(account: AccountClients, logs_statement: dict | None) -> str:
    root = {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*", "Resource": "*"}
    policy = {"Version": "2012-10-17", "Statement": [root, *([logs_statement] if logs_statement else [])]}
    return account("kms").create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]


def logs_statement(condition_arn: str) -> dict:
    from modules.constructs.pipeline.log_encryption import cloudwatch_logs_key_statement

    statement = cloudwatch_logs_key_statement(REGION, ACCOUNT)
    statement["Condition"] = {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": condition_arn}}
    return statement


def test_log_group_key_must_let_cloudwatch_logs_use_it(account):
    logs = account("logs")
    no_statement = key_with_policy(account, None)
    message = rejects("AccessDeniedException", logs.create_log_group, logGroupName="/a", kmsKeyId=no_statement)
    assert f"is not allowed to be used with Arn 'arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/a'" in message
    # the condition names other log groups only
    narrow = key_with_policy(account, logs_statement(f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/other/*"))
    rejects("AccessDeniedException", logs.create_log_group, logGroupName="/a", kmsKeyId=narrow)
    rejects("AccessDeniedException", logs.create_log_group, logGroupName="/a",
            kmsKeyId=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000")
    # the mesh's statement (modules/constructs/pipeline/log_encryption.py) is enough
    good = key_with_policy(account, logs_statement(f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*"))
    logs.create_log_group(logGroupName="/a", kmsKeyId=good)
    assert logs.describe_log_groups(logGroupNamePrefix="/a")["logGroups"][0]["kmsKeyId"] == good


def test_associate_kms_key_checks_the_key_too(account):
    logs = account("logs")
    logs.create_log_group(logGroupName="/plain")
    rejects("AccessDeniedException", logs.associate_kms_key, logGroupName="/plain",
            kmsKeyId=key_with_policy(account, None))
    good = key_with_policy(account, logs_statement(f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*"))
    logs.associate_kms_key(logGroupName="/plain", kmsKeyId=good)
    assert logs.describe_log_groups(logGroupNamePrefix="/plain")["logGroups"][0]["kmsKeyId"] == good
    logs.disassociate_kms_key(logGroupName="/plain")
    assert "kmsKeyId" not in logs.describe_log_groups(logGroupNamePrefix="/plain")["logGroups"][0]
    rejects("ResourceNotFoundException", logs.associate_kms_key, logGroupName="/missing", kmsKeyId=good)


# --- bucket policies with the request context ---------------------------------------------------------------

def test_bucket_policies_are_evaluated_with_principal_and_transport(account, server):
    from modules.policy_documents import deny_insecure_transport, document, statement

    s3 = account("s3")
    bucket = "acme-dev-sales-artifacts-222222222222"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    bucket_arn = f"arn:aws:s3:::{bucket}"
    s3.put_bucket_policy(Bucket=bucket, Policy=document([
        deny_insecure_transport(bucket_arn),
        statement("OnlyTheDeployRoleWritesArtifacts", ["s3:DeleteObject", "s3:PutObject"], f"{bucket_arn}/*",
                  principal={"AWS": "*"}, effect="Deny",
                  condition={"ArnNotEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/mesh-deploy"}})]))
    s3.put_object(Bucket=bucket, Key="glue/scripts/stage_a.py", Body=b"print(1)")    # the deploy role
    etl = AccountClients(server.url, REGION, ACCOUNT, role="acme-dev-sales-etl")("s3")
    rejects("403", etl.put_object, Bucket=bucket, Key="glue/scripts/stage_a.py", Body=b"evil")
    rejects("403", etl.delete_object, Bucket=bucket, Key="glue/scripts/stage_a.py")
    assert etl.get_object(Bucket=bucket, Key="glue/scripts/stage_a.py")["Body"].read() == b"print(1)"


def test_policy_evaluator_follows_aws_condition_semantics():
    from meshform.local.moto_s3_policy import evaluate

    caller = {"arn": f"arn:aws:iam::{ACCOUNT}:role/etl", "account": ACCOUNT}
    service = {"service": "logs.eu-west-1.amazonaws.com", "arn": "", "account": ""}

    def deny(condition, principal=None):
        return {"Statement": [{"Effect": "Deny", "Principal": principal or {"AWS": "*"}, "Action": "s3:PutObject",
                               "Resource": "*", "Condition": condition}]}

    assert evaluate(deny({"Bool": {"aws:SecureTransport": "false"}}), "s3:PutObject", "x", caller) == "NEUTRAL"
    assert evaluate(deny({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/e*"}}), "s3:PutObject", "x",
                    caller) == "NEUTRAL"
    # a negated operator on a key the request lacks holds (services have no principal ARN) ...
    assert evaluate(deny({"ArnNotLike": {"aws:PrincipalArn": "x"}}), "s3:PutObject", "x", service) == "DENIED"
    # ... unless another condition of the statement spares them
    assert evaluate(deny({"ArnNotLike": {"aws:PrincipalArn": "x"}, "Bool": {"aws:PrincipalIsAWSService": "false"}}),
                    "s3:PutObject", "x", service) == "NEUTRAL"
    # a plain operator on a missing key does not hold; IfExists does
    assert evaluate(deny({"StringEquals": {"aws:SourceAccount": ACCOUNT}}), "s3:PutObject", "x", caller) == "NEUTRAL"
    assert evaluate(deny({"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}}), "s3:PutObject", "x",
                    caller) == "DENIED"
    allow_root = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                                 "Action": "s3:Get*", "Resource": "*"}]}
    assert evaluate(allow_root, "s3:GetObject", "x", caller) == "PERMITTED"
    assert evaluate(allow_root, "s3:GetObject", "x", {"arn": "arn:aws:iam::999999999999:role/etl",
                                                      "account": "999999999999"}) == "NEUTRAL"
    assert evaluate(allow_root, "s3:GetObject", "x", service) == "NEUTRAL"


def test_list_filters_by_dates(account, server):
    from datetime import UTC, datetime, timedelta

    glue = AccountClients(server.url, REGION, "555555555555")("glue")
    glue.create_data_quality_ruleset(Name="dated", Ruleset=ORDERS)
    later = datetime.now(UTC) + timedelta(hours=1)
    assert glue.list_data_quality_rulesets(Filter={"CreatedAfter": later})["Rulesets"] == []
    assert [r["Name"] for r in glue.list_data_quality_rulesets(Filter={"CreatedBefore": later})["Rulesets"]] == [
        "dated"]


# --- Step Functions definitions and logging -----------------------------------------------------------------

def _machine(**states) -> str:
    return json.dumps({"StartAt": next(iter(states)), "States": states})


def test_validate_state_machine_definition_answers_ok_or_fail_with_diagnostics(account):
    sfn = account("stepfunctions")
    ok = sfn.validate_state_machine_definition(definition=_machine(A={"Type": "Pass", "End": True}))
    assert (ok["result"], ok["diagnostics"]) == ("OK", [])
    cases = {
        "INVALID_JSON_DESCRIPTION": "{not json",
        "MISSING_TRANSITION_TARGET": _machine(A={"Type": "Pass", "Next": "B"}),
        "UNREACHABLE_STATE": _machine(A={"Type": "Pass", "End": True}, B={"Type": "Pass", "End": True}),
        "INVALID_RESOURCE": _machine(A={"Type": "Task", "Resource": "glue", "End": True}),
        "MISSING_END_STATE": _machine(A={"Type": "Pass", "Next": "B"}, B={"Type": "Pass", "Next": "A"}),
        "INVALID_STATE_NAME": _machine(**{"x" * 81: {"Type": "Pass", "End": True}}),
        "SCHEMA_VALIDATION_FAILED": _machine(A={"Type": "Wait", "End": True}),
    }
    for code, definition in cases.items():
        answer = sfn.validate_state_machine_definition(definition=definition)
        assert answer["result"] == "FAIL" and code in {d["code"] for d in answer["diagnostics"]}, (code, answer)
    nested = _machine(P={"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}]})
    assert "DUPLICATE_STATE_NAME" in {d["code"] for d in sfn.validate_state_machine_definition(
        definition=nested)["diagnostics"]}                      # names are unique across branches too
    retry = _machine(A={"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", "End": True,
                        "Retry": [{"ErrorEquals": ["States.ALL"], "BackoffRate": 0.5}]})
    assert sfn.validate_state_machine_definition(definition=retry)["result"] == "FAIL"


def test_every_synthesized_definition_is_valid_for_the_emulator_too(account, synth_root):
    from tests.test_pipeline_synth import definitions

    sfn = account("stepfunctions")
    found = definitions(synth_root)
    assert found
    for where, definition in found.items():
        answer = sfn.validate_state_machine_definition(definition=definition)
        assert answer["result"] == "OK", (where, answer["diagnostics"])


def test_create_state_machine_refuses_bad_definitions_and_logging(account):
    sfn, logs = account("stepfunctions"), account("logs")
    role = f"arn:aws:iam::{ACCOUNT}:role/sfn"
    account("iam").create_role(RoleName="sfn", AssumeRolePolicyDocument="{}")
    message = rejects("InvalidDefinition", sfn.create_state_machine, name="bad", roleArn=role,
                      definition=_machine(A={"Type": "Pass", "Next": "Nowhere"}))
    assert "MISSING_TRANSITION_TARGET" in message
    good = _machine(A={"Type": "Pass", "End": True})
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/vendedlogs/states/m"
    for destination in (group, f"{group}:*"):                 # without ':*', and a group that does not exist
        rejects("InvalidLoggingConfiguration", sfn.create_state_machine, name="m", roleArn=role, definition=good,
                loggingConfiguration={"level": "ALL", "includeExecutionData": True,
                                      "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": destination}}]})
    logs.create_log_group(logGroupName="/aws/vendedlogs/states/m")
    arn = sfn.create_state_machine(name="m", roleArn=role, definition=good, loggingConfiguration={
        "level": "ALL", "includeExecutionData": True,
        "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": f"{group}:*"}}]})["stateMachineArn"]
    assert sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"] == []
    rejects("InvalidDefinition", sfn.update_state_machine, stateMachineArn=arn, definition="{")
