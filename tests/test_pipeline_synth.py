"""The product pipelines in the synthesized domain stacks (docs/pipelines.md): Glue 5 jobs with their security
configuration, the state machine (its definition validated by asl-validator), the EventBridge trigger, the Data
Quality rulesets, the domain's topic, the artifacts bucket and the roles' least privilege."""
from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, Stack, copy_project, edit_yaml

pytestmark = pytest.mark.synth

SALES, FINANCE = "222222222222", "444444444444"
ASL_VALIDATOR = REPO / "node_modules" / ".bin" / "asl-validator"


def by_name(stack: Stack, rtype: str, key: str = "name") -> dict[str, dict]:
    return {body[key]: body for body in stack.resources(rtype).values()}


def policy_of(stack: Stack, role: str) -> dict:
    """The inline policy of the role whose name is `role` (matched through the role's resource reference)."""
    address = next(name for name, body in stack.resources("aws_iam_role").items() if body["name"] == role)
    found = [json.loads(p["policy"]) for p in stack.resources("aws_iam_role_policy").values()
             if p["role"] == f"${{aws_iam_role.{address}.name}}"]
    assert len(found) == 1, role
    return found[0]


def statement(policy: dict, sid: str) -> dict:
    return next(s for s in policy["Statement"] if s["Sid"] == sid)


def test_glue_jobs_are_glue_5_with_the_domain_security_configuration(stack):
    sales = stack("dev-domain-sales")
    jobs = by_name(sales, "aws_glue_job")
    assert set(jobs) == {"acme-dev-sales-orders-stage-a", "acme-dev-sales-orders-stage-b"}
    configuration = sales.one("aws_glue_security_configuration")
    assert configuration["name"] == "acme-dev-sales-etl"
    for job in jobs.values():
        assert job["glue_version"] == "5.0" and job["command"]["name"] == "glueetl"
        assert (job["worker_type"], job["number_of_workers"], job["execution_class"]) == ("G.1X", 2, "STANDARD")
        assert job["max_retries"] == 0 and job["timeout"] == 60 and job["job_run_queuing_enabled"] is True
        assert job["role_arn"] == f"arn:aws:iam::{SALES}:role/acme-dev-sales-etl"
        assert job["security_configuration"].startswith("${aws_glue_security_configuration.")
        args = job["default_arguments"]
        assert args["--job-bookmark-option"] == "job-bookmark-enable" and args["--enable-job-insights"] == "true"
        assert args["--extra-py-files"] == "s3://acme-dev-sales-artifacts-222222222222/glue/lib/meshform_glue.zip"
        assert args["--extra-files"] == "s3://acme-dev-sales-artifacts-222222222222/manifests/orders/manifest.json"
        assert "--enable-continuous-cloudwatch-log" not in args             # Glue 5 logs in real time anyway
        assert job["non_overridable_arguments"]["--manifest"] == "manifest.json"
    a = jobs["acme-dev-sales-orders-stage-a"]["non_overridable_arguments"]
    assert a == {"--manifest": "manifest.json", "--raw_path": "s3://acme-dev-sales-raw-222222222222/orders/",
                 "--stage_path": "s3://acme-dev-sales-stage-222222222222/orders/",
                 "--quarantine_path": "s3://acme-dev-sales-stage-222222222222/quarantine/orders/"}
    b = jobs["acme-dev-sales-orders-stage-b"]["non_overridable_arguments"]
    assert b["--analytics_path"] == "s3://acme-dev-sales-analytics-222222222222/orders/"
    assert (b["--catalog_id"], b["--database"]) == ("111111111111", "sales")
    # its input marketing.campaigns is read whole through the `marketing` resource link
    assert json.loads(b["--inputs"]) == {
        f"marketing.campaigns.{t}": {"mode": "catalog", "database": "marketing", "table": t,
                                     "catalog_id": "111111111111"} for t in ("campaigns", "campaign_spend")}
    encryption = configuration["encryption_configuration"]
    key = f"${{aws_kms_key.{next(iter(sales.resources('aws_kms_key')))}.arn}}"
    assert encryption["s3_encryption"] == {"s3_encryption_mode": "SSE-KMS", "kms_key_arn": key}
    assert encryption["cloudwatch_encryption"] == {"cloudwatch_encryption_mode": "SSE-KMS", "kms_key_arn": key}
    assert encryption["job_bookmarks_encryption"] == {"job_bookmarks_encryption_mode": "CSE-KMS", "kms_key_arn": key}
    prod = by_name(stack("prod-domain-sales"), "aws_glue_job")["acme-prod-sales-orders-stage-a"]
    assert (prod["worker_type"], prod["number_of_workers"], prod["timeout"]) == ("G.2X", 10, 120)  # from the spec


def definitions(synth_root: Path) -> dict[str, str]:
    out = {}
    for path in sorted((synth_root / "cdktf.out" / "stacks").glob("*-domain-*/cdk.tf.json")):
        for name, body in Stack(path).resources("aws_sfn_state_machine").items():
            out[f"{path.parent.name}/{name}"] = body["definition"]
    return out


def test_state_machine_definitions_pass_asl_validator(synth_root, tmp_path):
    """Every synthesized definition, with the AWS States Language validator (npm asl-validator, package.json)."""
    if not ASL_VALIDATOR.exists():
        reason = "asl-validator is not installed (run `npm ci` in the repository)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    found = definitions(synth_root)
    assert len(found) == 5            # dev sales + finance, prod sales, the qa copy of dev
    args = [str(ASL_VALIDATOR)]
    for i, text in enumerate(found.values()):
        path = tmp_path / f"definition-{i}.json"
        path.write_text(text)
        args += ["--json-path", str(path)]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_state_machine_runs_stage_a_then_b_then_quality_and_notifies(stack):
    sales = stack("dev-domain-sales")
    machine = sales.one("aws_sfn_state_machine")
    assert machine["name"] == "acme-dev-sales-orders" and machine["type"] == "STANDARD"
    assert machine["logging_configuration"]["level"] == "ALL"
    assert machine["logging_configuration"]["include_execution_data"] is True
    assert machine["logging_configuration"]["log_destination"].startswith("${aws_cloudwatch_log_group.")
    assert machine["tracing_configuration"] == {"enabled": True}
    asl = json.loads(machine["definition"])
    states = asl["States"]
    assert asl["StartAt"] == "StageA" and states["StageA"]["Next"] == "StageB"
    assert states["StageB"]["Next"] == "DataQuality"
    # dev's sales has a Redshift warehouse: the load runs between the quality gate and the notification.
    assert states["DataQuality"]["Next"] == "LoadRedshift"
    assert states["Loaded?"]["Choices"][0]["Next"] == "SuccessMessage"
    assert states["StageA"]["Resource"] == "arn:aws:states:::glue:startJobRun.sync"
    assert states["StageA"]["Parameters"]["JobName"] == "acme-dev-sales-orders-stage-a"
    retry = states["StageA"]["Retry"][0]
    assert "States.TaskFailed" in retry["ErrorEquals"] and retry["BackoffRate"] == 2.0
    assert (retry["MaxAttempts"], retry["IntervalSeconds"], retry["JitterStrategy"]) == (2, 60, "FULL")
    assert states["StageA"]["Catch"][0]["Next"] == "FailureMessage"
    assert states["NotifyFailure"]["Next"] == "PipelineFailed" and states["PipelineFailed"]["Type"] == "Fail"
    topic = "arn:aws:sns:eu-west-1:222222222222:acme-dev-sales-notifications"
    assert states["NotifySuccess"]["Parameters"]["TopicArn"] == topic
    branches = {b["StartAt"]: b["States"] for b in states["DataQuality"]["Branches"]}
    assert set(branches) == {"Start quality orders", "Start quality order_lines"}
    start = branches["Start quality orders"]["Start quality orders"]["Parameters"]
    assert start["DataSource"] == {"GlueTable": {"CatalogId": SALES, "DatabaseName": "sales", "TableName": "orders"}}
    assert start["RulesetNames"] == ["acme-dev-sales-orders-orders"]
    assert start["Role"] == f"arn:aws:iam::{SALES}:role/acme-dev-sales-etl"
    finance = json.loads(stack("dev-domain-finance").one("aws_sfn_state_machine")["definition"])
    assert finance["States"]["StageA"]["Retry"][0]["MaxAttempts"] == 3                # retries: 3 in the spec


def test_blocking_rules_are_the_contract_checks_in_ruleset_order():
    from meshform.loader import load_meshes
    from meshform.pipeline.rules import compile_table
    from modules.constructs.pipeline.product_pipeline import blocking_rules

    mesh = load_meshes(REPO, ["dev"])[0]
    product = mesh.products["sales.orders"]
    checks, _ = compile_table(product.table("orders"))
    assert blocking_rules(product, "orders") == tuple(
        f"Rule_{i}" for i, c in enumerate(checks, start=1) if c.blocking)
    assert blocking_rules(product, "orders")                                           # required columns, key


def test_rulesets_per_table_on_the_central_table_through_the_own_link(stack):
    from meshform.loader import load_meshes
    from meshform.pipeline.dqdl import dqdl_ruleset

    mesh = load_meshes(REPO, ["dev"])[0]
    rulesets = by_name(stack("dev-domain-sales"), "aws_glue_data_quality_ruleset")
    assert set(rulesets) == {"acme-dev-sales-orders-orders", "acme-dev-sales-orders-order_lines"}
    for table in mesh.products["sales.orders"].tables:
        body = rulesets[f"acme-dev-sales-orders-{table.name}"]
        assert body["ruleset"] == dqdl_ruleset(table)
        assert body["target_table"] == {"catalog_id": SALES, "database_name": "sales", "table_name": table.name}
        assert body["depends_on"] == ["aws_glue_catalog_database.own_link"]


def test_landing_trigger_starts_only_its_machine(stack):
    sales = stack("dev-domain-sales")
    rule = by_name(sales, "aws_cloudwatch_event_rule")["acme-dev-sales-orders-landed"]     # (and -glue-failed)
    assert json.loads(rule["event_pattern"]) == {
        "source": ["aws.s3"], "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": ["acme-dev-sales-raw-222222222222"]}, "object": {"key": [{"prefix": "orders/"}]}}}
    machine = f"arn:aws:states:eu-west-1:{SALES}:stateMachine:acme-dev-sales-orders"
    target = next(t for t in sales.resources("aws_cloudwatch_event_target").values() if t["arn"] == machine)
    assert target["arn"] == machine and target["retry_policy"]["maximum_event_age_in_seconds"] == 86400
    events = policy_of(sales, "acme-dev-sales-orders-events")
    assert events["Statement"] == [{"Sid": "StartThisPipeline", "Effect": "Allow", "Action": ["states:StartExecution"],
                                    "Resource": [machine]}]
    roles = by_name(sales, "aws_iam_role")
    trust = json.loads(roles["acme-dev-sales-orders-events"]["assume_role_policy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "events.amazonaws.com"}
    assert trust["Condition"]["StringEquals"]["aws:SourceArn"] == \
        f"arn:aws:events:eu-west-1:{SALES}:rule/acme-dev-sales-orders-landed"
    raw = next(b for b in sales.resources("aws_s3_bucket").values() if b["bucket"].endswith("-raw-222222222222"))
    assert raw                                                      # the raw bucket sends its events to EventBridge
    assert all(n["eventbridge"] is True for n in sales.resources("aws_s3_bucket_notification").values())


def test_state_machine_role_is_least_privilege(stack):
    sales = stack("dev-domain-sales")
    policy = policy_of(sales, "acme-dev-sales-orders-sfn")
    jobs = statement(policy, "RunOwnGlueJobs")
    assert jobs["Action"] == ["glue:BatchStopJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:StartJobRun"]
    assert jobs["Resource"] == [f"arn:aws:glue:eu-west-1:{SALES}:job/acme-dev-sales-orders-stage-{s}" for s in "ab"]
    assert statement(policy, "EvaluateOwnRulesets")["Resource"] == [
        f"arn:aws:glue:eu-west-1:{SALES}:dataQualityRuleset/acme-dev-sales-orders-{t}" for t in ("order_lines",
                                                                                                  "orders")]
    assert statement(policy, "PublishToDomainTopic")["Resource"] == [
        f"arn:aws:sns:eu-west-1:{SALES}:acme-dev-sales-notifications"]
    assert statement(policy, "PassEtlRoleToGlue")["Condition"] == {
        "StringEquals": {"iam:PassedToService": "glue.amazonaws.com"}}
    logs = statement(policy, "DeliverExecutionLogs")
    assert "logs:CreateLogDelivery" in logs["Action"] and logs["Resource"] == "*"
    assert not any(a.endswith(":*") or a == "*" for s in policy["Statement"] for a in s["Action"])
    trust = json.loads(by_name(sales, "aws_iam_role")["acme-dev-sales-orders-sfn"]["assume_role_policy"])
    assert trust["Statement"][0]["Condition"]["ArnLike"]["aws:SourceArn"] == \
        f"arn:aws:states:eu-west-1:{SALES}:stateMachine:acme-dev-sales-orders"


def test_etl_role_reads_artifacts_writes_logs_and_publishes_quality(stack):
    sales = stack("dev-domain-sales")
    policy = policy_of(sales, "acme-dev-sales-etl")
    artifacts = statement(policy, "ReadPipelineArtifacts")
    assert artifacts["Action"] == ["s3:GetObject", "s3:GetObjectVersion"]
    assert artifacts["Resource"] == ["arn:aws:s3:::acme-dev-sales-artifacts-222222222222/*"]
    writes = statement(policy, "OwnLakeObjects")["Resource"]
    assert not any("artifacts" in r for r in writes)                   # read-only on code
    assert statement(policy, "GlueJobLogs")["Resource"] == [
        f"arn:aws:logs:eu-west-1:{SALES}:log-group:/aws-glue/*",
        f"arn:aws:logs:eu-west-1:{SALES}:log-group:/aws-glue/*:log-stream:*"]
    assert statement(policy, "EvaluateOwnDataQualityRulesets")["Resource"] == [
        f"arn:aws:glue:eu-west-1:{SALES}:dataQualityRuleset/acme-dev-sales-*"]
    marketing = policy_of(stack("dev-domain-marketing"), "acme-dev-marketing-etl")
    assert "ReadPipelineArtifacts" not in {s["Sid"] for s in marketing["Statement"]}   # no pipelines, no grant


def test_domain_topic_is_encrypted_tls_only_and_limited_to_its_state_machines(stack):
    for domain, account in (("sales", SALES), ("marketing", "333333333333")):
        s = stack(f"dev-domain-{domain}")
        topic = s.one("aws_sns_topic")
        assert topic["name"] == f"acme-dev-{domain}-notifications"
        assert topic["kms_master_key_id"].startswith("${aws_kms_key.")
        policy = json.loads(s.one("aws_sns_topic_policy")["policy"])
        tls = statement(policy, "DenyInsecureTransport")
        assert tls["Effect"] == "Deny" and tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        only = statement(policy, "OnlyPipelineStateMachinesPublish")
        assert only["Effect"] == "Deny" and only["Condition"]["ArnNotLike"] == {
            "aws:PrincipalArn": f"arn:aws:iam::{account}:role/acme-dev-{domain}-*-sfn"}
        assert statement(policy, "EventBridgeRulesOfThisAccountPublish")["Condition"] == {
            "StringEquals": {"aws:SourceAccount": account}}
        subscription = s.one("aws_sns_topic_subscription")
        assert (subscription["protocol"], subscription["endpoint"]) == ("email", f"{domain}-data@acme.example")


def test_log_groups_are_encrypted_and_the_key_lets_cloudwatch_logs_use_it(stack):
    sales = stack("dev-domain-sales")
    # The state machine's log group (the Redshift network's flow-log group is tested in test_redshift_synth.py).
    group = next(g for g in sales.resources("aws_cloudwatch_log_group").values() if "/states/" in g["name"])
    assert group["name"] == "/aws/vendedlogs/states/acme-dev-sales-orders"
    assert group["kms_key_id"].startswith("${aws_kms_key.") and group["retention_in_days"] == 365
    assert group["lifecycle"]["prevent_destroy"] is True
    # The lake key (a domain with Redshift has a second key for its warehouse).
    key = json.loads(next(k for n, k in sales.resources("aws_kms_key").items() if n.startswith("lake_key"))["policy"])
    logs = statement(key, "CloudWatchLogsEncryptsThisAccountsLogGroups")
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert logs["Condition"] == {"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                                             f"arn:aws:logs:eu-west-1:{SALES}:log-group:*"}}
    marketing = json.loads(stack("dev-domain-marketing").one("aws_kms_key")["policy"])
    assert "CloudWatchLogsEncryptsThisAccountsLogGroups" not in {s["Sid"] for s in marketing["Statement"]}


def test_artifacts_bucket_has_the_baseline_and_only_the_deploy_role_writes(stack, synth_root):
    sales = stack("dev-domain-sales")
    buckets = {b["bucket"]: name for name, b in sales.resources("aws_s3_bucket").items()}
    bucket = "acme-dev-sales-artifacts-222222222222"
    assert bucket in buckets
    resource = sales.resources("aws_s3_bucket")[buckets[bucket]]
    assert resource["lifecycle"]["prevent_destroy"] is True and resource["tags"]["mesh:bucket-role"] == "data"
    policy = next(json.loads(p["policy"]) for p in sales.resources("aws_s3_bucket_policy").values()
                  if p["bucket"] == f"${{aws_s3_bucket.{buckets[bucket]}.id}}")
    deny = statement(policy, "OnlyTheDeployRoleWritesArtifacts")
    assert deny["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": f"arn:aws:iam::{SALES}:role/mesh-deploy"}}
    objects = by_name(sales, "aws_s3_object", key="key")
    assert set(objects) == {"glue/scripts/stage_a.py", "glue/scripts/stage_b.py", "glue/lib/meshform_glue.zip",
                            "manifests/orders/manifest.json"}
    stack_dir = synth_root / "cdktf.out" / "stacks" / "dev-domain-sales"
    for key in ("glue/scripts/stage_a.py", "glue/scripts/stage_b.py"):
        body = objects[key]
        assert body["server_side_encryption"] == "aws:kms" and body["bucket_key_enabled"] is True
        copied = stack_dir / body["source"]                          # a relative asset path inside the stack
        assert not Path(body["source"]).is_absolute()
        assert copied.read_bytes() == (REPO / "glue_scripts" / Path(key).name).read_bytes()
        assert body["source_hash"] == hashlib.sha256(copied.read_bytes()).hexdigest()
    archive = zipfile.ZipFile(io.BytesIO((stack_dir / objects["glue/lib/meshform_glue.zip"]["source"]).read_bytes()))
    names = archive.namelist()
    assert names == sorted(names) and "meshform_glue/__init__.py" in names
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) and i.compress_type == zipfile.ZIP_STORED
               for i in archive.infolist())
    manifest = json.loads(objects["manifests/orders/manifest.json"]["content"])
    assert manifest["product"]["fqn"] == "sales.orders" and manifest["input"]["format"] == "csv"


def test_a_changed_script_changes_its_hash_and_nothing_else(tmp_path, monkeypatch):
    """A changed script redeploys: its object's source_hash (and asset path) changes, the jobs do not."""
    import shutil

    from meshform.loader import load_meshes
    from meshform.synth import synthesize
    from modules.constructs.pipeline import artifacts

    scripts = tmp_path / "glue_scripts"
    shutil.copytree(REPO / "glue_scripts", scripts)
    root = copy_project(tmp_path / "project")
    monkeypatch.setattr(artifacts, "GLUE_SCRIPTS", scripts)
    synthesize(load_meshes(root, ["dev"]), root / "before")
    (scripts / "stage_a.py").write_text((scripts / "stage_a.py").read_text() + "\n# changed\n")
    synthesize(load_meshes(root, ["dev"]), root / "after")

    def load(out: str) -> dict:
        return Stack(root / out / "stacks" / "dev-domain-sales" / "cdk.tf.json").json["resource"]

    before, after = load("before"), load("after")
    changed = {(t, n) for t in before for n in before[t] if before[t][n] != after.get(t, {}).get(n)}
    assert changed == {("aws_s3_object", n) for n, b in before["aws_s3_object"].items()
                       if b["key"] == "glue/scripts/stage_a.py"}


def test_filtered_inputs_are_imported_by_a_fine_grained_access_job(stack):
    """dev: finance.invoices reads sales.orders; finance gets `orders` through a data cells filter, so an import
    job runs as the FGAC reader role in fine-grained mode and writes only under imports/; `order_lines` is read
    whole by stage B."""
    finance = stack("dev-domain-finance")
    jobs = by_name(finance, "aws_glue_job")
    imported = jobs["acme-dev-finance-invoices-import"]
    assert imported["role_arn"] == f"arn:aws:iam::{FINANCE}:role/acme-dev-finance-etl-fgac"
    assert imported["default_arguments"]["--enable-lakeformation-fine-grained-access"] == "true"
    assert imported["default_arguments"]["--job-bookmark-option"] == "job-bookmark-disable"
    assert imported["default_arguments"]["--TempDir"].startswith("s3://acme-dev-finance-stage-444444444444/imports/")
    assert imported["number_of_workers"] == 4            # the pipeline's count (FGAC needs at least 4)
    assert imported["command"]["script_location"].endswith("/glue/scripts/import_inputs.py")
    path = "s3://acme-dev-finance-stage-444444444444/imports/invoices/sales/orders/"
    inputs = json.loads(imported["non_overridable_arguments"]["--inputs"])
    assert list(inputs) == ["sales.orders.orders"] and inputs["sales.orders.orders"]["path"] == path
    assert inputs["sales.orders.orders"]["database"] == "sales"
    assert "customer_email" not in inputs["sales.orders.orders"]["columns"]        # pii, above finance's clearance
    assert inputs["sales.orders.orders"]["types"]["order_total_amount"] == "decimal(18,2)"
    assert set(inputs["sales.orders.orders"]["types"]) == set(inputs["sales.orders.orders"]["columns"])
    stage_b = json.loads(jobs["acme-dev-finance-invoices-stage-b"]["non_overridable_arguments"]["--inputs"])
    assert stage_b["sales.orders.orders"] == {"mode": "import", "path": path}
    assert stage_b["sales.orders.order_lines"]["mode"] == "catalog"
    asl = json.loads(finance.one("aws_sfn_state_machine")["definition"])
    assert asl["StartAt"] == "ImportFilteredInputs" and asl["States"]["ImportFilteredInputs"]["Next"] == "StageA"
    fgac = policy_of(finance, "acme-dev-finance-etl-fgac")
    write = statement(fgac, "WriteImportsToStage")
    assert statement(fgac, "ReadPipelineArtifacts") and write["Resource"] == [
        "arn:aws:s3:::acme-dev-finance-stage-444444444444/imports/*"]
    assert "s3:DeleteObject" in write["Action"]          # the snapshot moves into place: copy + delete on S3
    assert "EvaluateOwnDataQualityRulesets" not in {s["Sid"] for s in fgac["Statement"]}


def test_the_import_job_gets_at_least_four_workers(tmp_path):
    from meshform.loader import load_meshes
    from meshform.synth import synthesize

    root = copy_project(tmp_path / "project")
    edit_yaml(root / "environments" / "dev.yaml",
              lambda d: d["domains"]["finance"]["pipelines"]["invoices"].update(workers={"count": 2}))
    synthesize(load_meshes(root, ["dev"]), root / "cdktf.out")
    jobs = by_name(Stack(root / "cdktf.out" / "stacks" / "dev-domain-finance" / "cdk.tf.json"), "aws_glue_job")
    assert jobs["acme-dev-finance-invoices-import"]["number_of_workers"] == 4
    assert jobs["acme-dev-finance-invoices-stage-a"]["number_of_workers"] == 2


def test_a_missing_glue_script_fails_synth_naming_it(tmp_path, monkeypatch):
    import shutil

    from meshform.loader import load_meshes
    from meshform.synth import synthesize
    from modules.constructs.pipeline import artifacts

    scripts = tmp_path / "glue_scripts"
    shutil.copytree(REPO / "glue_scripts", scripts)
    (scripts / "stage_b.py").unlink()
    monkeypatch.setattr(artifacts, "GLUE_SCRIPTS", scripts)
    root = copy_project(tmp_path / "project")
    with pytest.raises(artifacts.PipelineAssetMissing, match="stage_b.py is missing"):
        synthesize(load_meshes(root, ["dev"]), root / "cdktf.out")
