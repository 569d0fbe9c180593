"""One test per operations and delivery construct on its synthesized JSON (each alone in a minimal stack,
tests/construct_synth.py), for what the bundled environments never exercise: a trail without lake buckets or a
log group, budget thresholds and cost-allocation keys other than the defaults, a topic published to by one
service only, an HCP Terraform Enterprise host with its own audience and session length."""
from __future__ import annotations

import json

import pytest

from tests.construct_synth import depends_on_types, only, synth

pytestmark = pytest.mark.synth

REGION = "ap-southeast-2"
GOV, DOMAIN = "710000000001", "710000000002"
KEY = f"arn:aws:kms:{REGION}:{GOV}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TOPIC = f"arn:aws:sns:{REGION}:{GOV}:x-dev-governance-notifications"


def a_log_group(scope):
    """Something the constructs are created after (the stacks pass log groups, bucket policies, topic policies)."""
    from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup

    return CloudwatchLogGroup(scope, "dependency", name="dependency")


def test_audit_alarms_watch_four_events_and_exempt_only_the_deploy_role():
    from meshform.ops_names import AUDIT_NAMESPACE
    from modules.constructs.audit_alarms import AuditAlarms

    res = synth(lambda s: AuditAlarms(s, "audit", log_group="trail-logs", deploy_role="ci-deployer", topic_arn=TOPIC,
                                      alarm_name=lambda key: f"x-{key}", depends_on=[a_log_group(s)]))
    filters = {f["name"]: f for f in res["aws_cloudwatch_log_metric_filter"].values()}
    assert sorted(filters) == ["GrantOutsideDeployRole", "LakeSettingsChanged", "LocationRegistrationChanged",
                               "RamShareChanged"]
    assert all(f["log_group_name"] == "trail-logs" and depends_on_types(f) == {"aws_cloudwatch_log_group"}
               and f["metric_transformation"] == {"name": f["name"], "namespace": AUDIT_NAMESPACE, "value": "1"}
               for f in filters.values())
    # The spec's deploy role name (not the bundled `mesh-deploy`) is the one principal whose grants are expected.
    assert '$.userIdentity.sessionContext.sessionIssuer.userName != "ci-deployer"' in filters[
        "GrantOutsideDeployRole"]["pattern"]
    assert "BatchGrantPermissions" in filters["GrantOutsideDeployRole"]["pattern"]
    alarms = {a["alarm_name"]: a for a in res["aws_cloudwatch_metric_alarm"].values()}
    assert sorted(alarms) == ["x-grant-outside-deploy", "x-lake-settings-changed", "x-location-registered",
                              "x-ram-share-changed"]
    for alarm in alarms.values():
        assert alarm["alarm_actions"] == [TOPIC] and alarm["treat_missing_data"] == "notBreaching"
        assert (alarm["threshold"], alarm["period"], alarm["statistic"]) == (1, 300, "Sum")


def test_audit_trail_without_lake_buckets_or_log_group_logs_management_events_only():
    from modules.constructs.audit_trail import AuditTrail, TrailProps

    res = synth(lambda s: AuditTrail(s, "trail", props=TrailProps(
        name="x-dev-audit", account=DOMAIN, region=REGION, bucket="x-audit", kms_key_arn=KEY, lake_buckets=()),
        depends_on=[a_log_group(s)]))
    trail = only(res, "aws_cloudtrail")
    assert trail["advanced_event_selector"] == [{"name": "Management events", "field_selector": [
        {"field": "eventCategory", "equals": ["Management"]}]}]
    assert trail["is_organization_trail"] is False and trail["is_multi_region_trail"] is True
    assert trail["enable_log_file_validation"] is True and trail["kms_key_id"] == KEY
    assert "cloud_watch_logs_group_arn" not in trail and "aws_iam_role" not in res
    assert depends_on_types(trail) == {"aws_cloudwatch_log_group"}      # only the given dependency: no own group


def test_audit_trail_with_a_log_group_delivers_through_a_role_trusted_by_this_trail_only():
    from modules.constructs.audit_trail import AuditTrail, TrailProps

    res = synth(lambda s: AuditTrail(s, "trail", props=TrailProps(
        name="x-dev-audit", account=GOV, region=REGION, bucket="x-audit", kms_key_arn=KEY,
        lake_buckets=("b2", "b"), organization=True, log_group="x-dev-audit", logs_role_name="x-dev-trail-logs",
        log_retention_days=30)))
    trail = only(res, "aws_cloudtrail")
    data = trail["advanced_event_selector"][1]["field_selector"]
    assert data[2] == {"field": "resources.ARN", "starts_with": ["arn:aws:s3:::b/", "arn:aws:s3:::b2/"]}
    assert trail["is_organization_trail"] is True
    group = only(res, "aws_cloudwatch_log_group")
    assert (group["retention_in_days"], group["kms_key_id"], group["lifecycle"]["prevent_destroy"]) == (30, KEY, True)
    trust = json.loads(only(res, "aws_iam_role")["assume_role_policy"])["Statement"][0]
    assert trust["Condition"] == {"StringEquals": {"aws:SourceArn": f"arn:aws:cloudtrail:{REGION}:{GOV}:trail/"
                                                                    "x-dev-audit"}}
    [deliver] = json.loads(only(res, "aws_iam_role_policy")["policy"])["Statement"]
    assert deliver["Resource"] == [f"arn:aws:logs:{REGION}:{GOV}:log-group:x-dev-audit:log-stream:*"]
    assert deliver["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert depends_on_types(trail) == {"aws_iam_role_policy", "aws_cloudwatch_log_group"}


def test_budget_with_its_own_thresholds_filters_on_the_owner_tag():
    from modules.constructs.budget import BudgetProps, MonthlyBudget

    props = BudgetProps(name="x-dev-hr", owner="hr", monthly_usd=12.5, email="hr@x.example", topic_arn=TOPIC,
                        thresholds=(("ACTUAL", 50),))
    budget = only(synth(lambda s: MonthlyBudget(s, "b", props=props)), "aws_budgets_budget")
    assert budget["limit_amount"] == "12.50" and budget["time_unit"] == "MONTHLY"
    assert budget["cost_filter"] == [{"name": "TagKeyValue", "values": ["user:mesh:domain$hr"]}]
    assert budget["notification"] == [{
        "notification_type": "ACTUAL", "comparison_operator": "GREATER_THAN", "threshold": 50,
        "threshold_type": "PERCENTAGE", "subscriber_email_addresses": ["hr@x.example"],
        "subscriber_sns_topic_arns": [TOPIC]}]
    assert budget.get("depends_on") == []                          # nothing to wait for without a topic policy


def test_cost_allocation_tags_activate_exactly_the_given_keys_after_the_tagged_resources():
    from modules.constructs.cost_allocation_tags import CostAllocationTags

    res = synth(lambda s: CostAllocationTags(s, "tags", keys=("mesh:cost-center",), depends_on=[a_log_group(s)]))
    tag = only(res, "aws_ce_cost_allocation_tag")
    assert (tag["tag_key"], tag["status"]) == ("mesh:cost-center", "Active")
    assert depends_on_types(tag) == {"aws_cloudwatch_log_group"}


def test_notification_topic_published_to_by_budgets_only():
    from modules.constructs.domain_notifications import BUDGETS, DomainNotifications, notification_key_statements

    res = synth(lambda s: DomainNotifications(s, "n", name="x-dev-hr-notifications", account=DOMAIN, region=REGION,
                                              kms_key_arn=KEY, owner_email="hr@x.example", services=(BUDGETS,)))
    arn = f"arn:aws:sns:{REGION}:{DOMAIN}:x-dev-hr-notifications"
    assert only(res, "aws_sns_topic")["kms_master_key_id"] == KEY
    by_sid = {st["Sid"]: st for st in json.loads(only(res, "aws_sns_topic_policy")["policy"])["Statement"]}
    assert list(by_sid) == ["DenyInsecureTransport", "OnlyAwsServicesPublish", "BudgetsOfThisAccountPublish"]
    assert by_sid["OnlyAwsServicesPublish"]["Condition"] == {"Bool": {"aws:PrincipalIsAWSService": "false"}}
    assert by_sid["BudgetsOfThisAccountPublish"]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": DOMAIN}, "ArnLike": {"aws:SourceArn": f"arn:aws:budgets::{DOMAIN}:*"}}
    assert all(st["Resource"] == arn for st in by_sid.values())
    subscription = only(res, "aws_sns_topic_subscription")
    assert (subscription["protocol"], subscription["endpoint"]) == ("email", "hr@x.example")
    [key] = notification_key_statements(DOMAIN, (BUDGETS,))
    assert key["Principal"] == {"Service": "budgets.amazonaws.com"}
    assert key["Condition"] == {"StringEquals": {"aws:SourceAccount": DOMAIN}}


def test_oidc_provider_for_a_terraform_enterprise_host_with_its_own_audience():
    from modules.constructs.hcp_terraform_oidc import HcpTerraformOidcProvider, OidcProviderProps

    holder = {}

    def build(s):
        holder["p"] = HcpTerraformOidcProvider(s, "oidc", OidcProviderProps(
            account_id=DOMAIN, hostname="tfe.x.example", audience="aws.tfe.x"))

    provider = only(synth(build), "aws_iam_openid_connect_provider")
    assert provider["url"] == "https://tfe.x.example" and provider["client_id_list"] == ["aws.tfe.x"]
    assert "thumbprint_list" not in provider and provider["lifecycle"]["prevent_destroy"] is True
    assert holder["p"].arn == f"arn:aws:iam::{DOMAIN}:oidc-provider/tfe.x.example"


def test_run_role_trusts_one_workspace_of_its_host_and_only_assumes_the_deploy_role():
    from modules.constructs.hcp_terraform_run_role import HcpTerraformRunRole, RunRoleProps

    deploy = f"arn:aws:iam::{DOMAIN}:role/ci-deployer"
    props = RunRoleProps(name="x-tfc-dev-domain-hr", workspace="dev-domain-hr",
                         oidc_provider_arn=f"arn:aws:iam::{DOMAIN}:oidc-provider/tfe.x.example",
                         hostname="tfe.x.example",
                         subject="organization:x:project:p:workspace:dev-domain-hr:run_phase:*",
                         deploy_role_arn=deploy, audience="aws.tfe.x", max_session_seconds=7200)
    res = synth(lambda s: HcpTerraformRunRole(s, "run", props, DOMAIN, a_log_group(s)))
    role = only(res, "aws_iam_role")
    assert role["max_session_duration"] == 7200 and depends_on_types(role) == {"aws_cloudwatch_log_group"}
    [trust] = json.loads(role["assume_role_policy"])["Statement"]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert trust["Principal"] == {"Federated": props.oidc_provider_arn}
    assert trust["Condition"] == {"StringEquals": {"tfe.x.example:aud": "aws.tfe.x"},
                                  "StringLike": {"tfe.x.example:sub": props.subject}}
    [allowed] = json.loads(only(res, "aws_iam_role_policy")["policy"])["Statement"]
    assert (allowed["Action"], allowed["Resource"]) == (["sts:AssumeRole"], [deploy])
