"""The emulator's CloudTrail, Budgets and Cost Explorer additions (meshform/local/moto_cloudtrail.py,
moto_budgets.py, moto_ce.py): what the provider calls works, and each AWS rule the mesh relies on is refused the way
AWS refuses it. The compliant policies are the ones the stacks synthesize (modules/constructs/audit_trail.py)."""
from __future__ import annotations

import boto3
import pytest
from botocore.config import Config

from meshform.local.emulator import MotoServer
from modules import policy_documents as pd
from modules.constructs.audit_trail import trail_bucket_statements, trail_key_statements
from tests.emulator import AccountClients
from tests.emulator_fixtures import REGION, rejects

MANAGEMENT, MEMBER, OUTSIDER = "910000000001", "910000000002", "910000000003"
TRAIL = "mesh-audit"


def unvalidated(clients: AccountClients, service: str):
    client = clients(service)
    creds = client._request_signer._credentials
    return boto3.client(service, endpoint_url=client.meta.endpoint_url, region_name=REGION,
                        config=Config(parameter_validation=False), aws_access_key_id=creds.access_key,
                        aws_secret_access_key=creds.secret_key, aws_session_token=creds.token)


def trail_arn(account: str, name: str = TRAIL) -> str:
    return f"arn:aws:cloudtrail:{REGION}:{account}:trail/{name}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def org(server):
    """MANAGEMENT runs an Organization with MEMBER in it; OUTSIDER is standalone."""
    management = AccountClients(server.url, REGION, MANAGEMENT)
    orgs = management("organizations")
    orgs.create_organization(FeatureSet="ALL")
    handshake = orgs.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": MEMBER})["Handshake"]
    AccountClients(server.url, REGION, MEMBER)("organizations").accept_handshake(HandshakeId=handshake["Id"])
    return {"management": management, "member": AccountClients(server.url, REGION, MEMBER),
            "outsider": AccountClients(server.url, REGION, OUTSIDER),
            "org_id": orgs.describe_organization()["Organization"]["Id"]}


def _bucket(clients: AccountClients, name: str, statements: list | None) -> None:
    s3 = clients("s3")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    if statements is not None:
        s3.put_bucket_policy(Bucket=name, Policy=pd.document(statements))


def _key(clients: AccountClients, account: str, statements: list) -> str:
    root = {"Sid": "Root", "Effect": "Allow", "Action": "kms:*", "Resource": "*",
            "Principal": {"AWS": f"arn:aws:iam::{account}:root"}}
    return clients("kms").create_key(Policy=pd.document([root, *statements]))["KeyMetadata"]["Arn"]


# --- CloudTrail --------------------------------------------------------------------------------------------

def test_account_trail_with_the_synthesized_bucket_and_key_policies(org):
    outsider = org["outsider"]
    arn = trail_arn(OUTSIDER)
    _bucket(outsider, "outsider-audit", trail_bucket_statements("outsider-audit", [arn], [OUTSIDER]))
    key = _key(outsider, OUTSIDER, trail_key_statements([arn], [OUTSIDER]))
    ct = outsider("cloudtrail")
    ct.create_trail(Name=TRAIL, S3BucketName="outsider-audit", KmsKeyId=key, IsMultiRegionTrail=True,
                    EnableLogFileValidation=True)
    got = ct.get_trail(Name=TRAIL)["Trail"]
    assert (got["KmsKeyId"], got["LogFileValidationEnabled"], got["IsMultiRegionTrail"]) == (key, True, True)


def test_bucket_policy_must_let_cloudtrail_write_for_this_trail(org):
    outsider = org["outsider"]
    _bucket(outsider, "no-policy-audit", None)
    rejects("InsufficientS3BucketPolicyException", outsider("cloudtrail").create_trail,
            Name="t-no-policy", S3BucketName="no-policy-audit")
    # the policy names another trail: aws:SourceArn does not match
    _bucket(outsider, "other-trail-audit",
            trail_bucket_statements("other-trail-audit", [trail_arn(OUTSIDER, "other")], [OUTSIDER]))
    rejects("InsufficientS3BucketPolicyException", outsider("cloudtrail").create_trail,
            Name="t-wrong-source", S3BucketName="other-trail-audit")
    # the write statement without the bucket-owner-full-control ACL condition's prefix for this account
    _bucket(outsider, "other-prefix-audit",
            trail_bucket_statements("other-prefix-audit", [trail_arn(OUTSIDER, "t-prefix")], ["123456789012"]))
    rejects("InsufficientS3BucketPolicyException", outsider("cloudtrail").create_trail,
            Name="t-prefix", S3BucketName="other-prefix-audit")


def test_key_policy_must_let_cloudtrail_encrypt_for_this_trail(org):
    outsider = org["outsider"]
    arn = trail_arn(OUTSIDER, "t-key")
    _bucket(outsider, "key-audit", trail_bucket_statements("key-audit", [arn], [OUTSIDER]))
    bare = _key(outsider, OUTSIDER, [])
    ct = outsider("cloudtrail")
    rejects("InsufficientEncryptionPolicyException", ct.create_trail, Name="t-key", S3BucketName="key-audit",
            KmsKeyId=bare)
    other = _key(outsider, OUTSIDER, trail_key_statements([trail_arn(OUTSIDER, "another")], [OUTSIDER]))
    rejects("InsufficientEncryptionPolicyException", ct.create_trail, Name="t-key", S3BucketName="key-audit",
            KmsKeyId=other)
    rejects("KmsKeyNotFoundException", ct.create_trail, Name="t-key", S3BucketName="key-audit",
            KmsKeyId=f"arn:aws:kms:{REGION}:{OUTSIDER}:key/00000000-0000-0000-0000-000000000000")


def test_cloudwatch_logs_delivery_needs_the_group_and_a_role_cloudtrail_may_assume(org):
    outsider = org["outsider"]
    arn = trail_arn(OUTSIDER, "t-logs")
    _bucket(outsider, "logs-audit", trail_bucket_statements("logs-audit", [arn], [OUTSIDER]))
    iam, logs, ct = outsider("iam"), outsider("logs"), outsider("cloudtrail")
    logs.create_log_group(logGroupName="/trail")
    group = f"arn:aws:logs:{REGION}:{OUTSIDER}:log-group:/trail:*"
    trusted = iam.create_role(RoleName="trail-logs", AssumeRolePolicyDocument=pd.trust_document(
        "CloudTrail", {"Service": "cloudtrail.amazonaws.com"}, condition={"StringEquals": {"aws:SourceArn": arn}}))
    untrusted = iam.create_role(RoleName="glue-role", AssumeRolePolicyDocument=pd.trust_document(
        "Glue", {"Service": "glue.amazonaws.com"}))
    rejects("InvalidCloudWatchLogsLogGroupArnException", ct.create_trail, Name="t-logs", S3BucketName="logs-audit",
            CloudWatchLogsLogGroupArn=group.replace("/trail", "/missing"),
            CloudWatchLogsRoleArn=trusted["Role"]["Arn"])
    rejects("InvalidCloudWatchLogsRoleArnException", ct.create_trail, Name="t-logs", S3BucketName="logs-audit",
            CloudWatchLogsLogGroupArn=group, CloudWatchLogsRoleArn=untrusted["Role"]["Arn"])
    ct.create_trail(Name="t-logs", S3BucketName="logs-audit", CloudWatchLogsLogGroupArn=group,
                    CloudWatchLogsRoleArn=trusted["Role"]["Arn"])


def test_organization_trail_needs_the_management_account_or_a_delegated_admin_and_trusted_access(org):
    management, member, outsider = org["management"], org["member"], org["outsider"]
    org_id = org["org_id"]
    for clients, account in ((management, MANAGEMENT), (member, MEMBER)):
        name = f"org-audit-{account}"
        _bucket(clients, name, trail_bucket_statements(name, [trail_arn(account)], [account, org_id]))
    rejects("OrganizationsNotInUseException", outsider("cloudtrail").create_trail, Name=TRAIL,
            S3BucketName="outsider-audit", IsOrganizationTrail=True)
    rejects("CloudTrailAccessNotEnabledException", management("cloudtrail").create_trail, Name=TRAIL,
            S3BucketName=f"org-audit-{MANAGEMENT}", IsOrganizationTrail=True)
    management("organizations").enable_aws_service_access(ServicePrincipal="cloudtrail.amazonaws.com")
    rejects("NotOrganizationMasterAccountException", member("cloudtrail").create_trail, Name=TRAIL,
            S3BucketName=f"org-audit-{MEMBER}", IsOrganizationTrail=True)
    rejects("NotOrganizationManagementAccountException",
            member("cloudtrail").register_organization_delegated_admin, MemberAccountId=MEMBER)
    management("cloudtrail").register_organization_delegated_admin(MemberAccountId=MEMBER)
    member("cloudtrail").create_trail(Name=TRAIL, S3BucketName=f"org-audit-{MEMBER}", IsOrganizationTrail=True,
                                      IsMultiRegionTrail=True)
    assert member("cloudtrail").get_trail(Name=TRAIL)["Trail"]["IsOrganizationTrail"] is True
    # an organization trail also writes under AWSLogs/<organization id>/: a policy without it is refused
    name = "org-audit-no-org-prefix"
    _bucket(management, name, trail_bucket_statements(name, [trail_arn(MANAGEMENT, "t-org")], [MANAGEMENT]))
    rejects("InsufficientS3BucketPolicyException", management("cloudtrail").create_trail, Name="t-org",
            S3BucketName=name, IsOrganizationTrail=True)


def test_advanced_event_selectors_follow_the_field_rules(org):
    outsider = org["outsider"]
    ct = outsider("cloudtrail")
    data = [{"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
            {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::lake-raw/"]}]
    good = [{"Name": "Management", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]},
            {"Name": "Lake", "FieldSelectors": data}]
    ct.put_event_selectors(TrailName=TRAIL, AdvancedEventSelectors=good)
    assert ct.get_event_selectors(TrailName=TRAIL)["AdvancedEventSelectors"] == good
    bad = {
        "unknown field": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                                              {"Field": "bucketName", "Equals": ["x"]}]}],
        "no category": [{"FieldSelectors": data[1:]}],
        "data without one resource type": [{"FieldSelectors": [data[0], data[2]]}],
        "management with resources": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                                          data[2]]}],
        "empty operator": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": []}]}],
        "too many values": [{"FieldSelectors": [*data[:2], {"Field": "resources.ARN", "StartsWith": [
            f"arn:aws:s3:::lake-{i}/" for i in range(499)]}]}],
    }
    # botocore would refuse some of these locally; the provider's Go SDK sends them (AWS refuses them itself)
    raw = unvalidated(outsider, "cloudtrail")
    for case, selectors in bad.items():
        message = rejects("InvalidEventSelectorsException", raw.put_event_selectors, TrailName=TRAIL,
                          AdvancedEventSelectors=selectors)
        assert "AdvancedEventSelectors" in message or "selector" in message or "condition values" in message, case
    assert ct.get_event_selectors(TrailName=TRAIL)["AdvancedEventSelectors"] == good     # nothing half-stored


# --- Budgets -----------------------------------------------------------------------------------------------

def _notification(kind: str = "ACTUAL", threshold: float = 80.0) -> dict:
    return {"NotificationType": kind, "ComparisonOperator": "GREATER_THAN", "Threshold": threshold,
            "ThresholdType": "PERCENTAGE"}


def _budget(name: str) -> dict:
    return {"BudgetName": name, "BudgetType": "COST", "TimeUnit": "MONTHLY",
            "BudgetLimit": {"Amount": "300.0", "Unit": "USD"}}


def test_budget_subscribers_and_tags_as_the_provider_reads_them(org):
    budgets = org["member"]("budgets")
    subscribers = [{"SubscriptionType": "EMAIL", "Address": "sales@acme.example"},
                   {"SubscriptionType": "SNS", "Address": f"arn:aws:sns:{REGION}:{MEMBER}:sales-notifications"}]
    budgets.create_budget(AccountId=MEMBER, Budget=_budget("sales-monthly"), ResourceTags=[
        {"Key": "mesh:domain", "Value": "sales"}], NotificationsWithSubscribers=[
        {"Notification": _notification("FORECASTED", 100.0), "Subscribers": subscribers}])
    got = budgets.describe_subscribers_for_notification(AccountId=MEMBER, BudgetName="sales-monthly",
                                                        Notification=_notification("FORECASTED", 100.0))
    assert got["Subscribers"] == subscribers
    rejects("NotFoundException", budgets.describe_subscribers_for_notification, AccountId=MEMBER,
            BudgetName="sales-monthly", Notification=_notification("ACTUAL", 50.0))
    arn = f"arn:aws:budgets::{MEMBER}:budget/sales-monthly"
    assert budgets.list_tags_for_resource(ResourceARN=arn)["ResourceTags"] == [
        {"Key": "mesh:domain", "Value": "sales"}]
    budgets.tag_resource(ResourceARN=arn, ResourceTags=[{"Key": "mesh:owner", "Value": "sales@acme.example"}])
    budgets.untag_resource(ResourceARN=arn, ResourceTagKeys=["mesh:domain"])
    assert budgets.list_tags_for_resource(ResourceARN=arn)["ResourceTags"] == [
        {"Key": "mesh:owner", "Value": "sales@acme.example"}]
    budgets.update_budget(AccountId=MEMBER, NewBudget={**_budget("sales-monthly"),
                                                       "BudgetLimit": {"Amount": "400.0", "Unit": "USD"}})
    assert budgets.describe_budget(AccountId=MEMBER, BudgetName="sales-monthly")["Budget"]["BudgetLimit"][
        "Amount"] == "400.0"


def test_budget_notification_limits(org):
    budgets = unvalidated(org["member"], "budgets")
    email = {"SubscriptionType": "EMAIL", "Address": "a@acme.example"}
    topic = {"SubscriptionType": "SNS", "Address": f"arn:aws:sns:{REGION}:{MEMBER}:t"}
    too_many = [{"Notification": _notification(threshold=float(i)), "Subscribers": [email]} for i in range(11)]
    rejects("InvalidParameterException", budgets.create_budget, AccountId=MEMBER, Budget=_budget("b1"),
            NotificationsWithSubscribers=too_many)
    for subscribers in ([topic, {**topic, "Address": topic["Address"] + "2"}],            # two topics
                        [{**email, "Address": f"u{i}@acme.example"} for i in range(11)],  # eleven e-mails
                        [{"SubscriptionType": "SNS", "Address": "not-a-topic"}],
                        []):
        rejects("InvalidParameterException", budgets.create_budget, AccountId=MEMBER, Budget=_budget("b2"),
                NotificationsWithSubscribers=[{"Notification": _notification(), "Subscribers": subscribers}])
    rejects("DuplicateRecordException", budgets.create_budget, AccountId=MEMBER, Budget=_budget("b3"),
            NotificationsWithSubscribers=[{"Notification": _notification(), "Subscribers": [email]}] * 2)
    budgets.create_budget(AccountId=MEMBER, Budget=_budget("b4"))
    budgets.create_notification(AccountId=MEMBER, BudgetName="b4", Notification=_notification(),
                                Subscribers=[email])
    rejects("DuplicateRecordException", budgets.create_notification, AccountId=MEMBER, BudgetName="b4",
            Notification=_notification(), Subscribers=[email])


# --- Cost Explorer cost-allocation tags ----------------------------------------------------------------------

def test_cost_allocation_tags_only_in_the_payer_and_only_once_seen(org):
    management, member = org["management"], org["member"]
    ce = management("ce")
    entry = [{"TagKey": "mesh:domain", "Status": "Active"}]
    result = ce.update_cost_allocation_tags_status(CostAllocationTagsStatus=entry)
    assert [e["TagKey"] for e in result["Errors"]] == ["mesh:domain"]             # not on any resource yet
    assert ce.list_cost_allocation_tags(TagKeys=["mesh:domain"])["CostAllocationTags"] == []
    # a tag on a member account's resource counts for the payer
    member("kms").create_key(Tags=[{"TagKey": "mesh:domain", "TagValue": "sales"}])
    assert ce.update_cost_allocation_tags_status(CostAllocationTagsStatus=entry)["Errors"] == []
    tags = ce.list_cost_allocation_tags(TagKeys=["mesh:domain"])["CostAllocationTags"]
    assert [(t["TagKey"], t["Type"], t["Status"]) for t in tags] == [("mesh:domain", "UserDefined", "Active")]
    rejects("AccessDeniedException", member("ce").update_cost_allocation_tags_status,
            CostAllocationTagsStatus=entry)
    rejects("ValidationException", ce.update_cost_allocation_tags_status,
            CostAllocationTagsStatus=[{"TagKey": f"k{i}", "Status": "Active"} for i in range(21)])
    ce.update_cost_allocation_tags_status(CostAllocationTagsStatus=[{"TagKey": "mesh:domain", "Status": "Inactive"}])
    assert ce.list_cost_allocation_tags(Status="Active", TagKeys=["mesh:domain"])["CostAllocationTags"] == []

