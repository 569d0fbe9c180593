"""Operations in the synthesized stacks (docs/operations.md): the audit trail and its alarms in governance, a budget
per account, the notification topics, the pipelines' failure and freshness alarms, the cost-allocation tags, the
spec and contract validation behind them, and `meshform cost`."""
from __future__ import annotations

import json

import pytest

from meshform.cli import main
from meshform.errors import ValidationFailed
from meshform.loader import load_meshes
from meshform.operations import audit_log_owners, audit_trails, budgets, trail_lake_buckets
from meshform.synth import synthesize
from tests.conftest import REPO, Stack, copy_project, edit_yaml

pytestmark = pytest.mark.synth

GOV, SALES, FINANCE, ANALYTICS = "111111111111", "222222222222", "444444444444", "555555555555"
ORG = "o-a1b2c3d4e5"


def statement(policy: dict, sid: str) -> dict:
    return next(s for s in policy["Statement"] if s["Sid"] == sid)


def _lake_buckets() -> list[str]:
    return sorted(f"acme-dev-{d}-{layer}-{a}" for d, a in (("sales", SALES), ("marketing", "333333333333"),
                                                           ("finance", FINANCE))
                  for layer in ("raw", "stage", "analytics"))


def test_organization_trail_logs_every_lake_bucket_encrypted_and_validated(stack):
    gov = stack("dev-governance")
    trail = gov.one("aws_cloudtrail")
    assert trail["name"] == "acme-dev-audit" and trail["s3_bucket_name"] == f"acme-dev-governance-audit-{GOV}"
    assert trail["is_organization_trail"] is True and trail["is_multi_region_trail"] is True
    assert trail["enable_log_file_validation"] is True and trail["include_global_service_events"] is True
    assert trail["kms_key_id"].startswith("${aws_kms_key.") and trail["enable_logging"] is True
    selectors = {s["name"]: s["field_selector"] for s in trail["advanced_event_selector"]}
    assert selectors["Management events"] == [{"field": "eventCategory", "equals": ["Management"]}]
    data = {f["field"]: f for f in selectors["Lake bucket data events"]}
    assert data["eventCategory"]["equals"] == ["Data"] and data["resources.type"]["equals"] == ["AWS::S3::Object"]
    assert data["resources.ARN"]["starts_with"] == [f"arn:aws:s3:::{b}/" for b in _lake_buckets()]
    assert trail["cloud_watch_logs_group_arn"].endswith(":*")
    # only the governance account runs a trail in an Organization
    for name in ("dev-domain-sales", "dev-consumer-analytics"):
        assert not stack(name).resources("aws_cloudtrail")


def test_audit_bucket_has_the_baseline_retention_and_only_the_trail_writes(stack):
    gov = stack("dev-governance")
    buckets = {b["bucket"]: b for b in gov.resources("aws_s3_bucket").values()}
    audit = buckets[f"acme-dev-governance-audit-{GOV}"]
    assert audit["tags"]["mesh:bucket-role"] == "audit-logs" and audit["lifecycle"]["prevent_destroy"] is True
    assert f"acme-dev-governance-logs-{GOV}" in buckets            # its access logs
    rules = [r for lc in gov.resources("aws_s3_bucket_lifecycle_configuration").values() for r in lc["rule"]]
    assert any(r.get("expiration", [{}])[0].get("days") == 2557 for r in rules)
    policies = [json.loads(p["policy"]) for p in gov.resources("aws_s3_bucket_policy").values()]
    policy = next(p for p in policies if any(s["Sid"] == "CloudTrailWrite" for s in p["Statement"]))
    write = statement(policy, "CloudTrailWrite")
    assert write["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert write["Resource"] == sorted(f"arn:aws:s3:::acme-dev-governance-audit-{GOV}/AWSLogs/{o}/*"
                                       for o in (GOV, ORG))
    assert write["Condition"]["StringEquals"] == {
        "aws:SourceArn": [f"arn:aws:cloudtrail:eu-west-1:{GOV}:trail/acme-dev-audit"],
        "s3:x-amz-acl": "bucket-owner-full-control"}
    assert statement(policy, "DenyInsecureTransport")["Effect"] == "Deny"


def test_audit_key_lets_cloudtrail_encrypt_only_the_mesh_trails(stack):
    gov = stack("dev-governance")
    keys = [json.loads(k["policy"]) for k in gov.resources("aws_kms_key").values()]
    key = next(k for k in keys if any(s["Sid"] == "CloudTrailEncryptsMeshTrailLogs" for s in k["Statement"]))
    encrypt = statement(key, "CloudTrailEncryptsMeshTrailLogs")
    assert encrypt["Action"] == ["kms:GenerateDataKey"]
    assert encrypt["Condition"] == {
        "StringEquals": {"aws:SourceArn": [f"arn:aws:cloudtrail:eu-west-1:{GOV}:trail/acme-dev-audit"]},
        "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": [f"arn:aws:cloudtrail:*:{GOV}:trail/*"]}}
    assert {"CloudWatchLogsEncryptsThisAccountsLogGroups", "CloudWatchAlarmsPublishToEncryptedTopics",
            "BudgetsPublishToEncryptedTopics"} <= {s["Sid"] for s in key["Statement"]}


def test_governance_alarms_watch_the_trail_and_notify_the_governance_topic(stack):
    gov = stack("dev-governance")
    filters = {f["name"]: f for f in gov.resources("aws_cloudwatch_log_metric_filter").values()}
    assert set(filters) == {"LakeSettingsChanged", "GrantOutsideDeployRole", "LocationRegistrationChanged",
                            "RamShareChanged"}
    assert all(f["log_group_name"] == "/meshform/acme-dev/cloudtrail" for f in filters.values())
    assert '$.userIdentity.sessionContext.sessionIssuer.userName != "mesh-deploy"' in \
        filters["GrantOutsideDeployRole"]["pattern"]
    assert '"PutDataLakeSettings"' in filters["LakeSettingsChanged"]["pattern"]
    alarms = {a["alarm_name"]: a for a in gov.resources("aws_cloudwatch_metric_alarm").values()}
    topic = f"arn:aws:sns:eu-west-1:{GOV}:acme-dev-governance-notifications"
    assert set(alarms) == {f"acme-dev-audit-{e}" for e in ("lake-settings-changed", "grant-outside-deploy",
                                                             "location-registered", "ram-share-changed")}
    for alarm in alarms.values():
        assert alarm["alarm_actions"] == [topic] and alarm["namespace"] == "meshform/Audit"
        assert alarm["treat_missing_data"] == "notBreaching" and alarm["threshold"] == 1
    topic_resource = gov.one("aws_sns_topic")
    assert topic_resource["name"] == "acme-dev-governance-notifications"
    assert topic_resource["kms_master_key_id"].startswith("${aws_kms_key.")
    policy = json.loads(gov.one("aws_sns_topic_policy")["policy"])
    assert statement(policy, "OnlyAwsServicesPublish")["Effect"] == "Deny"
    assert statement(policy, "CloudWatchAlarmsOfThisAccountPublish")["Condition"]["ArnLike"] == {
        "aws:SourceArn": f"arn:aws:cloudwatch:eu-west-1:{GOV}:alarm:*"}


def test_every_account_has_a_budget_to_its_owner_and_topic(stack):
    expected = {"dev-governance": ("governance", 200, "data-platform@acme.example"),
                "dev-domain-sales": ("sales", 300, "sales-data@acme.example"),
                "dev-domain-marketing": ("marketing", 200, "marketing-data@acme.example"),
                "dev-domain-finance": ("finance", 300, "finance-data@acme.example"),
                "dev-consumer-analytics": ("analytics", 400, "bi-team@acme.example"),
                "dev-consumer-data-science": ("data-science", 250, "ds-team@acme.example")}
    for name, (owner, usd, email) in expected.items():
        s = stack(name)
        budget = s.one("aws_budgets_budget")
        topic = next(iter(s.resources("aws_sns_topic")))
        assert budget["name"] == f"acme-dev-{owner}-monthly" and budget["limit_amount"] == f"{usd:.2f}"
        assert (budget["budget_type"], budget["time_unit"], budget["limit_unit"]) == ("COST", "MONTHLY", "USD")
        assert budget["cost_filter"] == [{"name": "TagKeyValue", "values": [f"user:mesh:domain${owner}"]}]
        assert [(n["notification_type"], n["threshold"]) for n in budget["notification"]] == [
            ("FORECASTED", 100), ("ACTUAL", 80), ("ACTUAL", 100)]
        for n in budget["notification"]:
            assert n["subscriber_email_addresses"] == [email]
            assert n["subscriber_sns_topic_arns"] == [f"${{aws_sns_topic.{topic}.arn}}"]
            assert (n["threshold_type"], n["comparison_operator"]) == ("PERCENTAGE", "GREATER_THAN")


def referenced_key(stack, expression: str) -> dict:
    """The aws_kms_key an attribute like `${aws_kms_key.<name>.arn}` refers to (a stack may hold several keys)."""
    name = expression.removeprefix("${aws_kms_key.").split(".", 1)[0]
    return stack.resources("aws_kms_key")[name]


def test_consumer_topic_is_encrypted_and_only_budgets_publish(stack):
    s = stack("dev-consumer-analytics")
    topic = s.one("aws_sns_topic")
    assert topic["name"] == "acme-dev-analytics-notifications" and topic["kms_master_key_id"].startswith("${")
    policy = json.loads(s.one("aws_sns_topic_policy")["policy"])
    assert {st["Sid"] for st in policy["Statement"]} == {"DenyInsecureTransport", "OnlyAwsServicesPublish",
                                                         "BudgetsOfThisAccountPublish"}
    assert statement(policy, "BudgetsOfThisAccountPublish")["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ANALYTICS},
        "ArnLike": {"aws:SourceArn": f"arn:aws:budgets::{ANALYTICS}:*"}}
    key = json.loads(referenced_key(s, topic["kms_master_key_id"])["policy"])      # the results key, not Redshift's
    assert statement(key, "BudgetsPublishToEncryptedTopics")["Principal"] == {"Service": "budgets.amazonaws.com"}


def test_cost_allocation_tags_are_activated_in_the_payer_governance_account(stack):
    tags = {t["tag_key"]: t["status"] for t in stack("dev-governance").resources("aws_ce_cost_allocation_tag")
            .values()}
    assert tags == {"mesh:domain": "Active", "mesh:environment": "Active", "mesh:cost-center": "Active"}
    assert not stack("dev-domain-sales").resources("aws_ce_cost_allocation_tag")


def test_pipelines_alarm_on_failures_and_staleness_from_the_contract_sla(stack):
    sales = stack("dev-domain-sales")
    alarms = {a["alarm_name"]: a for a in sales.resources("aws_cloudwatch_metric_alarm").values()}
    topic = f"arn:aws:sns:eu-west-1:{SALES}:acme-dev-sales-notifications"
    machine = f"arn:aws:states:eu-west-1:{SALES}:stateMachine:acme-dev-sales-orders"
    assert set(alarms) == {"acme-dev-sales-orders-failed", "acme-dev-sales-orders-timed-out",
                           "acme-dev-sales-orders-stale"}
    failed = alarms["acme-dev-sales-orders-failed"]
    assert (failed["namespace"], failed["metric_name"]) == ("AWS/States", "ExecutionsFailed")
    assert failed["dimensions"] == {"StateMachineArn": machine} and failed["alarm_actions"] == [topic]
    stale = alarms["acme-dev-sales-orders-stale"]        # contracts/sales/orders.yaml: freshness 1 h
    assert (stale["namespace"], stale["metric_name"], stale["period"]) == ("meshform/Pipelines",
                                                                           "ProductPublished", 3600)
    assert stale["dimensions"] == {"Product": "sales.orders"} and stale["treat_missing_data"] == "breaching"
    assert stale["comparison_operator"] == "LessThanThreshold" and stale["threshold"] == 1
    finance = {a["alarm_name"]: a for a in stack("dev-domain-finance").resources("aws_cloudwatch_metric_alarm")
               .values()}
    assert finance["acme-dev-finance-invoices-stale"]["period"] == 86400     # invoices: freshness 24 h
    rule = next(r for r in sales.resources("aws_cloudwatch_event_rule").values()
                if r["name"] == "acme-dev-sales-orders-glue-failed")
    assert json.loads(rule["event_pattern"]) == {
        "source": ["aws.glue"], "detail-type": ["Glue Job State Change"],
        "detail": {"jobName": ["acme-dev-sales-orders-stage-a", "acme-dev-sales-orders-stage-b"],
                   "state": ["ERROR", "FAILED", "TIMEOUT"]}}
    targets = [t for t in sales.resources("aws_cloudwatch_event_target").values() if t["arn"] == topic]
    assert len(targets) == 1
    assert not stack("dev-domain-marketing").resources("aws_cloudwatch_metric_alarm")     # no pipeline


def test_state_machine_publishes_the_freshness_metric_with_a_namespace_scoped_permission(stack):
    sales = stack("dev-domain-sales")
    machine = sales.one("aws_sfn_state_machine")
    states = json.loads(machine["definition"])["States"]
    assert states["SuccessMessage"]["Next"] == "PublishFreshness"
    publish = states["PublishFreshness"]
    assert publish["Resource"] == "arn:aws:states:::aws-sdk:cloudwatch:putMetricData"
    assert publish["Parameters"] == {"Namespace": "meshform/Pipelines", "MetricData": [
        {"MetricName": "ProductPublished", "Dimensions": [{"Name": "Product", "Value": "sales.orders"}],
         "Value": 1, "Unit": "Count"}]}
    assert publish["Next"] == "NotifySuccess" and publish["Catch"][0]["Next"] == "NotifySuccess"
    role_policies = [json.loads(p["policy"]) for p in sales.resources("aws_iam_role_policy").values()]
    metric = [s for p in role_policies for s in p["Statement"] if s["Sid"] == "PublishFreshnessMetric"]
    assert metric == [{"Sid": "PublishFreshnessMetric", "Effect": "Allow", "Action": ["cloudwatch:PutMetricData"],
                       "Resource": "*", "Condition": {"StringEquals": {"cloudwatch:namespace":
                                                                       "meshform/Pipelines"}}}]


def test_standalone_mesh_runs_a_trail_per_domain_account_into_the_governance_bucket(tmp_path):
    root = copy_project(tmp_path / "p")
    edit_yaml(root / "environments" / "dev.yaml", lambda d: d.pop("organization_id"))
    mesh = load_meshes(root, ["dev"])[0]
    trails = audit_trails(mesh)
    assert set(trails) == {GOV, SALES, "333333333333", FINANCE}
    assert audit_log_owners(mesh) == sorted(trails)           # no organization id prefix
    assert trail_lake_buckets(mesh, SALES) == sorted(f"acme-dev-sales-{layer}-{SALES}"
                                                     for layer in ("raw", "stage", "analytics"))
    assert trail_lake_buckets(mesh, GOV) == []
    synthesize([mesh], tmp_path / "out")
    sales = Stack(tmp_path / "out" / "stacks" / "dev-domain-sales" / "cdk.tf.json")
    trail = sales.one("aws_cloudtrail")
    assert trail["is_organization_trail"] is False and trail["s3_bucket_name"] == f"acme-dev-governance-audit-{GOV}"
    assert trail["kms_key_id"].startswith("${aws_kms_key.")          # the domain's own lake key
    assert "cloud_watch_logs_group_arn" not in trail
    key = json.loads(referenced_key(sales, trail["kms_key_id"])["policy"])          # the lake key, not Redshift's
    assert statement(key, "CloudTrailEncryptsMeshTrailLogs")["Condition"]["StringEquals"] == {
        "aws:SourceArn": [f"arn:aws:cloudtrail:eu-west-1:{SALES}:trail/acme-dev-audit"]}
    gov = Stack(tmp_path / "out" / "stacks" / "dev-governance" / "cdk.tf.json")
    policies = [json.loads(p["policy"]) for p in gov.resources("aws_s3_bucket_policy").values()]
    write = next(st for p in policies for st in p["Statement"] if st["Sid"] == "CloudTrailWrite")
    assert write["Resource"] == sorted(f"arn:aws:s3:::acme-dev-governance-audit-{GOV}/AWSLogs/{a}/*"
                                       for a in (GOV, SALES, "333333333333", FINANCE))


@pytest.mark.parametrize("change, field, words", [
    (lambda d: d["domains"]["sales"].update(monthly_budget_usd=0), "domains.sales.monthly_budget_usd",
     "greater than 0"),
    (lambda d: d["billing"].update(account_id="999999999999"), "", "not the governance account"),
    (lambda d: d["audit"].update(retention_days=30), "audit.retention_days", "greater than or equal to 90"),
])
def test_operations_fields_are_validated(tmp_path, change, field, words):
    root = copy_project(tmp_path / "p")
    edit_yaml(root / "environments" / "dev.yaml", change)
    with pytest.raises(ValidationFailed) as failed:
        load_meshes(root, ["dev"])
    rendered = failed.value.errors.render()
    assert words in rendered and field in rendered and "environments/dev.yaml" in rendered


def test_freshness_sla_must_be_a_time_an_alarm_can_watch(tmp_path):
    root = copy_project(tmp_path / "p")
    path = root / "contracts" / "sales" / "orders.yaml"
    edit_yaml(path, lambda d: d["slaProperties"][0].update(value=10, unit="d"))
    with pytest.raises(ValidationFailed) as failed:
        load_meshes(root, ["dev"])
    assert "at most 7 days" in failed.value.errors.render()
    edit_yaml(path, lambda d: d["slaProperties"][0].update(value=1, unit="fortnight"))
    with pytest.raises(ValidationFailed) as failed:
        load_meshes(root, ["dev"])
    rendered = failed.value.errors.render()
    assert "slaProperties.0.unit" in rendered and "contracts/sales/orders.yaml" in rendered


def test_cost_command_prints_the_budget_table(capsys):
    assert main(["cost", "--env", "dev"]) == 0
    out = capsys.readouterr().out
    assert "governance  governance    111111111111       200.00  forecast 100%, actual 80%, actual 100%" in out
    assert "consumer    data-science  666666666666       250.00" in out
    assert "sales-data@acme.example + arn:aws:sns:eu-west-1:222222222222:acme-dev-sales-notifications" in out
    assert "total: 1,650.00 USD a month" in out and "activated by dev-governance" in out
    assert main(["cost", "--env", "dev", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    mesh = load_meshes(REPO, ["dev"])[0]
    assert [b["name"] for b in report["budgets"]] == [b.name for b in budgets(mesh)]
    assert report["total_monthly_usd"] == 1650.0


def test_an_organization_trail_covers_at_most_497_lake_buckets(tmp_path):
    root = copy_project(tmp_path / "p")

    def many(d):
        template = d["domains"]["marketing"]
        for i in range(166 - len(d["domains"])):
            d["domains"][f"extra{i}"] = {**template, "account_id": f"{700000000000 + i:012d}",
                                         "owner": f"extra{i}@acme.example"}
    edit_yaml(root / "environments" / "dev.yaml", many)
    with pytest.raises(ValidationFailed) as failed:
        load_meshes(root, ["dev"])
    assert "would log 498 lake buckets; a trail's advanced event selectors allow 497" in failed.value.errors.render()
