"""Apply-level proof: real terraform + the real AWS provider apply the synthesized dev stacks to a moto server
in deploy order, re-plan clean, and the emulator's state (read back with boto3, per account) is what the spec
and the contracts say."""
from __future__ import annotations

import json
import shutil

import pytest
import yaml

from meshform.loader import load_meshes
from meshform.local import deploy as deploy_module
from meshform.local import terraform as tf
from meshform.local.deploy import plan_exclusions, succeeded
from meshform.local.overrides import OVERRIDE_FILE
from meshform.pipeline.inputs import pipeline_inputs
from meshform.synth import synthesize

pytestmark = pytest.mark.emulator


def test_every_stack_applies_in_deploy_order_and_replans_clean(dev):
    runs = {r.name: r for r in dev["runs"]}
    assert succeeded(dev["runs"]), dev["output"]
    assert set(runs) == {"dev-governance", "dev-catalog-sales", "dev-catalog-marketing", "dev-catalog-finance",
                         "dev-domain-sales", "dev-domain-marketing", "dev-domain-finance",
                         "dev-consumer-analytics", "dev-consumer-data-science"}
    out = dev["output"]
    assert out.index("applied dev-governance") < out.index("applied dev-catalog-sales") < \
        out.index("applied dev-domain-sales") < out.index("applied dev-consumer-analytics")
    for run in runs.values():
        assert run.applied > 0 and run.plan_exit == 0
        # only the documented emulator gaps are left out, and each is printed with its reason
        assert {a.split(".")[0] for a in run.left_out} <= set(deploy_module.EMULATOR_GAPS)
        for address in run.left_out:
            assert f"left out {address}: " in out
    blocks = [b for r in runs.values()
              for items in json.loads((r.directory / "cdk.tf.json").read_text())["resource"].values()
              for b in items.values()]
    # a first apply creates no consumer-database tombstone: their count is the ledger's record of a CREATE that ran
    # (docs/redshift.md, "Unsubscribing"), and nothing ran yet (analytics' DROP of sales_customers, its trigger and
    # its record)
    tombstones = [b for b in blocks if "contains(data.aws_ssm_parameters_by_path." in str(b.get("count", ""))]
    assert len(tombstones) == 3
    assert sum(r.applied for r in runs.values()) == len(blocks) - len(tombstones) - sum(
        len(r.left_out) for r in runs.values())


def test_users_cdktf_out_is_untouched_and_generated_json_unchanged(dev, synth_root):
    assert not (dev["root"] / "cdktf.out").exists()
    for run in dev["runs"]:
        generated = (synth_root / "cdktf.out" / "stacks" / run.name / "cdk.tf.json").read_bytes()
        assert (run.directory / "cdk.tf.json").read_bytes() == generated      # override lives in its own file
        assert (run.directory / "zz_meshform_local_override.tf.json").exists()


def test_governance_catalog_state(dev):
    mesh = dev["mesh"]
    gov = dev["as_account"](mesh.governance_account)
    settings = gov("lakeformation").get_data_lake_settings()["DataLakeSettings"]
    assert sorted(a["DataLakePrincipalIdentifier"] for a in settings["DataLakeAdmins"]) == sorted(
        [mesh.deploy_role_arn(mesh.governance_account), *mesh.spec.governance.admins])
    assert settings["Parameters"]["CROSS_ACCOUNT_VERSION"] == "4"
    assert not settings.get("CreateDatabaseDefaultPermissions")
    assert not settings.get("CreateTableDefaultPermissions")
    tags = {t["TagKey"]: t["TagValues"] for t in gov("lakeformation").list_lf_tags()["LFTags"]}
    assert sorted(tags["domain"]) == sorted(mesh.spec.domains)
    assert sorted(tags["classification"]) == sorted(mesh.ontology)

    glue = gov("glue")
    enc = glue.get_data_catalog_encryption_settings()["DataCatalogEncryptionSettings"]
    assert enc["EncryptionAtRest"]["CatalogEncryptionMode"] == "SSE-KMS"
    assert f":{mesh.governance_account}:key/" in enc["EncryptionAtRest"]["SseAwsKmsKeyId"]

    databases = {d["Name"]: d for d in glue.get_databases()["DatabaseList"]}
    assert set(databases) == set(mesh.spec.domains)
    for product in mesh.products.values():
        for table in product.tables:
            got = glue.get_table(DatabaseName=product.domain, Name=table.name)["Table"]
            assert [(c["Name"], c["Type"]) for c in got["StorageDescriptor"]["Columns"]] == \
                [(c.name, c.type) for c in table.columns], f"{product.fqn}.{table.name}"
            assert [(p["Name"], p["Type"]) for p in got.get("PartitionKeys", [])] == \
                [(c.name, c.type) for c in table.partition_keys]
            assert got["StorageDescriptor"]["Location"] == \
                f"s3://{mesh.bucket(product.domain, 'analytics')}/{product.name}/{table.name}/"
            assert got["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")


def test_domain_lakes_land_in_their_own_accounts_with_the_baseline(dev):
    mesh = dev["mesh"]
    gov_buckets = dev["as_account"](mesh.governance_account)("s3").list_buckets()["Buckets"]
    # governance holds no lake, only the audit trail's bucket and its access logs (docs/operations.md)
    assert {b["Name"] for b in gov_buckets} == {f"acme-dev-governance-{layer}-{mesh.governance_account}"
                                                 for layer in ("audit", "logs")}
    for domain, spec in mesh.spec.domains.items():
        clients = dev["as_account"](spec.account_id)
        s3, kms = clients("s3"), clients("kms")
        names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
        layers = ("raw", "stage", "analytics", "logs", *(("artifacts",) if spec.pipelines else ()))
        assert names == {mesh.bucket(domain, layer) for layer in layers}
        alias = next(a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == f"alias/acme-dev-{domain}-lake")
        key_arn = kms.describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]["Arn"]
        assert kms.get_key_rotation_status(KeyId=alias["TargetKeyId"])["KeyRotationEnabled"] is True
        for layer in ("raw", "stage", "analytics"):
            bucket = mesh.bucket(domain, layer)
            rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
            assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}
            assert rule["BucketKeyEnabled"] is True
            assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
            pab = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
            assert all(pab.values()) and len(pab) == 4
            policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
            assert any(st["Effect"] == "Deny" and st["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
                       for st in policy["Statement"])
            logging = s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]
            assert logging["TargetBucket"] == mesh.bucket(domain, "logs")
            tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}
            assert tags["mesh:domain"] == domain and tags["mesh:cost-center"] == spec.cost_center


def test_pipelines_land_in_their_domain_accounts_as_synthesized(dev):
    """Every pipeline resource read back from its domain's account (docs/pipelines.md)."""
    from botocore.exceptions import ClientError

    from meshform.pipeline.dqdl import dqdl_ruleset
    from tests.emulator import AccountClients

    mesh = dev["mesh"]
    seen = seen_imports = 0
    for domain, spec in mesh.spec.domains.items():
        clients = dev["as_account"](spec.account_id)
        sns, kms = clients("sns"), clients("kms")
        key_arn = kms.describe_key(KeyId=f"alias/acme-dev-{domain}-lake")["KeyMetadata"]["Arn"]
        topic = f"arn:aws:sns:{mesh.region}:{spec.account_id}:acme-dev-{domain}-notifications"
        attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
        assert attributes["KmsMasterKeyId"] == key_arn
        assert any(st["Effect"] == "Deny" and st["Sid"] == "OnlyPipelineStateMachinesPublish"
                   for st in json.loads(attributes["Policy"])["Statement"])
        assert [(s["Protocol"], s["Endpoint"]) for s in sns.list_subscriptions_by_topic(TopicArn=topic)[
            "Subscriptions"]] == [("email", spec.owner)]
        if not spec.pipelines:
            continue
        glue, sfn, logs, events = clients("glue"), clients("stepfunctions"), clients("logs"), clients("events")
        configuration = glue.get_security_configuration(Name=f"acme-dev-{domain}-etl")["SecurityConfiguration"]
        encryption = configuration["EncryptionConfiguration"]
        assert encryption["S3Encryption"][0] == {"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": key_arn}
        assert encryption["CloudWatchEncryption"]["CloudWatchEncryptionMode"] == "SSE-KMS"
        assert encryption["JobBookmarksEncryption"]["JobBookmarksEncryptionMode"] == "CSE-KMS"
        artifacts = mesh.bucket(domain, "artifacts")
        keys = {o["Key"] for o in clients("s3").list_objects_v2(Bucket=artifacts)["Contents"]}
        assert {"glue/scripts/stage_a.py", "glue/scripts/stage_b.py", "glue/lib/meshform_glue.zip"} <= keys
        # the ETL role reads the code it runs but cannot change it (bucket policy, evaluated by the emulator)
        etl = AccountClients(dev["endpoint"], mesh.region, spec.account_id, role=f"acme-dev-{domain}-etl")("s3")
        assert etl.get_object(Bucket=artifacts, Key="glue/scripts/stage_a.py")["Body"].read()
        with pytest.raises(ClientError):
            etl.put_object(Bucket=artifacts, Key="glue/scripts/stage_a.py", Body=b"tampered")
        for name, pipeline in spec.pipelines.items():
            seen += 1
            product = mesh.products[f"{domain}.{name}"]
            assert f"manifests/{name}/manifest.json" in keys
            for stage in ("stage-a", "stage-b"):
                job = glue.get_job(JobName=f"acme-dev-{domain}-{name}-{stage}")["Job"]
                assert (job["GlueVersion"], job["SecurityConfiguration"]) == ("5.0", f"acme-dev-{domain}-etl")
                assert (job["WorkerType"], job["NumberOfWorkers"]) == (pipeline.workers.type, pipeline.workers.count)
                assert job["JobRunQueuingEnabled"] is True and job["MaxRetries"] == 0
                assert job["DefaultArguments"]["--job-bookmark-option"] == "job-bookmark-enable"
            if pipeline_inputs(mesh, domain, name, pipeline).imports:      # dev: finance.invoices <- sales.orders
                seen_imports += 1
                job = glue.get_job(JobName=f"acme-dev-{domain}-{name}-import")["Job"]
                assert job["Role"] == f"arn:aws:iam::{spec.account_id}:role/acme-dev-{domain}-etl-fgac"
                assert job["DefaultArguments"]["--enable-lakeformation-fine-grained-access"] == "true"
                assert job["NumberOfWorkers"] >= 4 and "glue/scripts/import_inputs.py" in keys
            for table in product.tables:
                ruleset = glue.get_data_quality_ruleset(Name=f"acme-dev-{domain}-{name}-{table.name}")
                assert ruleset["Ruleset"] == dqdl_ruleset(table)
                assert ruleset["TargetTable"] == {"CatalogId": spec.account_id, "DatabaseName": domain,
                                                  "TableName": table.name}
            machine_arn = f"arn:aws:states:{mesh.region}:{spec.account_id}:stateMachine:acme-dev-{domain}-{name}"
            machine = sfn.describe_state_machine(stateMachineArn=machine_arn)
            group = f"/aws/vendedlogs/states/acme-dev-{domain}-{name}"
            assert machine["loggingConfiguration"]["level"] == "ALL"
            assert machine["loggingConfiguration"]["destinations"][0]["cloudWatchLogsLogGroup"]["logGroupArn"] == \
                f"arn:aws:logs:{mesh.region}:{spec.account_id}:log-group:{group}:*"
            assert machine["tracingConfiguration"]["enabled"] is True
            assert json.loads(machine["definition"])["States"]["StageB"]["Next"] == "DataQuality"
            described = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
            assert (described["kmsKeyId"], described["retentionInDays"]) == (key_arn, 365)
            rule = events.describe_rule(Name=f"acme-dev-{domain}-{name}-landed")
            assert json.loads(rule["EventPattern"])["detail"]["object"]["key"] == [{"prefix": f"{name}/"}]
            targets = events.list_targets_by_rule(Rule=f"acme-dev-{domain}-{name}-landed")["Targets"]
            assert [(t["Arn"], t["RoleArn"]) for t in targets] == [
                (machine_arn, f"arn:aws:iam::{spec.account_id}:role/acme-dev-{domain}-{name}-events")]
    assert seen == sum(len(d.pipelines) for d in mesh.spec.domains.values()) >= 2
    assert seen_imports == 1


def test_consumer_athena_workgroup(dev):
    mesh = dev["mesh"]
    for consumer, spec in mesh.spec.consumers.items():
        clients = dev["as_account"](spec.account_id)
        wg = clients("athena").get_work_group(WorkGroup=f"acme-dev-{consumer}")["WorkGroup"]
        config = wg["Configuration"]
        assert config["EnforceWorkGroupConfiguration"] is True
        assert config["ResultConfiguration"]["EncryptionConfiguration"]["EncryptionOption"] == "SSE_KMS"
        assert config["ResultConfiguration"]["OutputLocation"] == \
            f"s3://{mesh.bucket(consumer, 'athena-results')}/results/"
        assert {b["Name"] for b in clients("s3").list_buckets()["Buckets"]} == {
            mesh.bucket(consumer, "athena-results"), mesh.bucket(consumer, "logs")}


def test_audit_trail_alarms_and_budgets_land_as_synthesized(dev):
    """docs/operations.md on the emulator: the organization trail with its selectors, the governance alarms, a budget
    per account with its notifications and subscribers, the pipelines' failure and freshness alarms, the activated
    cost-allocation tags."""
    from meshform.operations import budgets

    mesh = dev["mesh"]
    gov_account = mesh.governance_account
    gov = dev["as_account"](gov_account)
    trail = gov("cloudtrail").get_trail(Name="acme-dev-audit")["Trail"]
    assert (trail["IsOrganizationTrail"], trail["IsMultiRegionTrail"], trail["LogFileValidationEnabled"]) == \
        (True, True, True)
    assert trail["S3BucketName"] == f"acme-dev-governance-audit-{gov_account}"
    assert f":{gov_account}:key/" in trail["KmsKeyId"]
    assert trail["CloudWatchLogsLogGroupArn"].endswith(":log-group:/meshform/acme-dev/cloudtrail:*")
    selectors = gov("cloudtrail").get_event_selectors(TrailName="acme-dev-audit")["AdvancedEventSelectors"]
    arns = next(f["StartsWith"] for s in selectors for f in s["FieldSelectors"] if f["Field"] == "resources.ARN")
    assert arns == sorted(f"arn:aws:s3:::{mesh.bucket(d, layer)}/" for d in mesh.spec.domains
                          for layer in ("raw", "stage", "analytics"))
    filters = {f["filterName"] for f in gov("logs").describe_metric_filters(
        logGroupName="/meshform/acme-dev/cloudtrail")["metricFilters"]}
    assert filters == {"LakeSettingsChanged", "GrantOutsideDeployRole", "LocationRegistrationChanged",
                       "RamShareChanged"}
    alarms = gov("cloudwatch").describe_alarms(AlarmNamePrefix="acme-dev-audit-")["MetricAlarms"]
    assert {a["AlarmActions"][0] for a in alarms} == {
        f"arn:aws:sns:eu-west-1:{gov_account}:acme-dev-governance-notifications"} and len(alarms) == 4
    tags = gov("ce").list_cost_allocation_tags(TagKeys=["mesh:domain", "mesh:environment", "mesh:cost-center"])
    assert {t["TagKey"]: t["Status"] for t in tags["CostAllocationTags"]} == {
        "mesh:domain": "Active", "mesh:environment": "Active", "mesh:cost-center": "Active"}

    for budget in budgets(mesh):
        client = dev["as_account"](budget.account)("budgets")
        got = client.describe_budget(AccountId=budget.account, BudgetName=budget.name)["Budget"]
        assert float(got["BudgetLimit"]["Amount"]) == budget.monthly_usd
        assert got["CostFilters"] == {"TagKeyValue": [f"user:mesh:domain${budget.owner}"]}
        notifications = client.describe_notifications_for_budget(
            AccountId=budget.account, BudgetName=budget.name)["Notifications"]
        assert sorted((n["NotificationType"], n["Threshold"]) for n in notifications) == [
            ("ACTUAL", 80.0), ("ACTUAL", 100.0), ("FORECASTED", 100.0)]
        for n in notifications:
            subscribers = client.describe_subscribers_for_notification(
                AccountId=budget.account, BudgetName=budget.name, Notification=n)["Subscribers"]
            assert sorted((s["SubscriptionType"], s["Address"]) for s in subscribers) == [
                ("EMAIL", budget.email), ("SNS", budget.topic_arn)]
        topic = dev["as_account"](budget.account)("sns").get_topic_attributes(TopicArn=budget.topic_arn)
        assert topic["Attributes"]["KmsMasterKeyId"]

    sales = dev["as_account"](mesh.spec.domains["sales"].account_id)
    alarms = {a["AlarmName"]: a for a in sales("cloudwatch").describe_alarms(
        AlarmNamePrefix="acme-dev-sales-orders-")["MetricAlarms"]}
    assert set(alarms) == {"acme-dev-sales-orders-failed", "acme-dev-sales-orders-timed-out",
                           "acme-dev-sales-orders-stale"}
    stale = alarms["acme-dev-sales-orders-stale"]
    assert (stale["Namespace"], stale["MetricName"], stale["Period"], stale["TreatMissingData"]) == (
        "meshform/Pipelines", "ProductPublished", 3600, "breaching")
    rule = sales("events").describe_rule(Name="acme-dev-sales-orders-glue-failed")
    assert json.loads(rule["EventPattern"])["detail"]["state"] == ["ERROR", "FAILED", "TIMEOUT"]


def test_emulator_gaps_are_left_out_with_their_dependents(synth_root, monkeypatch):
    monkeypatch.setattr(deploy_module, "EMULATOR_GAPS", {"aws_kms_key": "example reason"})
    stack = json.loads((synth_root / "cdktf.out" / "stacks" / "dev-consumer-analytics" / "cdk.tf.json").read_text())
    targets, left_out = plan_exclusions(stack)
    key = next(a for a in left_out if a.startswith("aws_kms_key."))
    assert left_out[key] == "example reason"
    # everything that references a key (alias, SSE configuration, workgroup, analysts' IAM policy and its
    # attachments, the notification topic it encrypts with its policy, subscription and budget; the Redshift
    # key's cluster, its logging, the network's flow logs with their log group and role policy, the statements,
    # the datashare association and the ledger of consumer databases) is left out too
    assert {a.split(".")[0] for a in left_out} == {"aws_kms_key", "aws_kms_alias",
                                                   "aws_s3_bucket_server_side_encryption_configuration",
                                                   "aws_athena_workgroup", "aws_iam_policy",
                                                   "aws_iam_role_policy_attachment", "aws_sns_topic",
                                                   "aws_sns_topic_policy", "aws_sns_topic_subscription",
                                                   "aws_budgets_budget", "aws_redshift_cluster",
                                                   "aws_redshift_logging", "aws_cloudwatch_log_group",
                                                   "aws_flow_log", "aws_iam_role_policy",
                                                   "aws_redshiftdata_statement",
                                                   "aws_redshift_data_share_consumer_association",
                                                   "aws_ssm_parameter"}
    assert all(not t.startswith(("aws_kms_key.", "aws_athena_workgroup.")) for t in targets)


# --- cross-account sharing, read back from the emulator ------------------------------------------------------

def _target(resource: dict) -> tuple:
    if "Database" in resource:
        return ("database", resource["Database"]["Name"])
    if "Table" in resource:
        name = resource["Table"].get("Name")
        return ("table", resource["Table"]["DatabaseName"], "*" if name in (None, "ALL_TABLES") else name)
    if "TableWithColumns" in resource:
        twc = resource["TableWithColumns"]
        if twc.get("ColumnWildcard") == {} or twc.get("ColumnWildcard", {}).get("ExcludedColumnNames") == []:
            # AWS answers a whole-table SELECT as TableWithColumns + ColumnWildcard (DESCRIBE etc. as Table)
            return ("table", twc["DatabaseName"], twc["Name"])
        return ("columns", twc["DatabaseName"], twc["Name"], tuple(sorted(twc["ColumnNames"])))  # a set in AWS
    if "DataCellsFilter" in resource:
        f = resource["DataCellsFilter"]
        return ("filter", f["DatabaseName"], f["TableName"], f["Name"])
    if "DataLocation" in resource:
        return ("location", resource["DataLocation"]["ResourceArn"])
    if "LFTagPolicy" in resource:
        return ("tag-policy", resource["LFTagPolicy"]["ResourceType"])
    if "LFTag" in resource:
        return ("tag", resource["LFTag"]["TagKey"])
    raise AssertionError(resource)


def _granted(lakeformation, principal: str) -> list[dict]:
    return [p for p in lakeformation.list_permissions()["PrincipalResourcePermissions"]
            if p["Principal"]["DataLakePrincipalIdentifier"] == principal]


def test_consumer_account_holds_exactly_the_grants_its_subscriptions_imply(dev):
    from meshform.access import CELLS_FILTER, INCLUDE_LIST, table_accesses

    mesh = dev["mesh"]
    gov_lf = dev["as_account"](mesh.governance_account)("lakeformation")
    for consumer, spec in mesh.spec.consumers.items():
        accesses = [a for a in table_accesses(mesh) if a.subscriber == consumer]
        expected = {("database", a.domain) for a in accesses}
        for a in accesses:
            if a.mechanism == CELLS_FILTER:
                expected.add(("filter", a.database, a.table, a.filter_name))
            elif a.mechanism == INCLUDE_LIST:
                expected.add(("columns", a.database, a.table, tuple(sorted(a.columns))))
            else:
                expected.add(("table", a.database, a.table))
        if spec.grants:
            expected |= {("tag", "domain"), ("tag", "classification"), ("tag-policy", "DATABASE"),
                         ("tag-policy", "TABLE")}
        got = {_target(p["Resource"]) for p in _granted(gov_lf, spec.account_id)}
        assert sorted(got) == sorted(expected), consumer
        for p in _granted(gov_lf, spec.account_id):     # grantable, so the consumer's admin can re-grant
            assert sorted(p["PermissionsWithGrantOption"]) == sorted(p["Permissions"])


def test_pii_columns_are_absent_for_a_lower_clearance_subscriber(dev):
    mesh = dev["mesh"]
    gov_lf = dev["as_account"](mesh.governance_account)("lakeformation")
    orders = mesh.products["sales.orders"].table("orders")
    pii = sorted(c.name for c in orders.all_columns if c.classification == "pii")
    analytics = mesh.spec.consumers["analytics"].account_id
    targets = [_target(p["Resource"]) for p in _granted(gov_lf, analytics)]
    assert ("table", "sales", "orders") not in targets                     # no whole-table grant
    filt = gov_lf.get_data_cells_filter(TableCatalogId=mesh.governance_account, DatabaseName="sales",
                                        TableName="orders", Name="orders__upto_confidential")["DataCellsFilter"]
    assert sorted(filt["ColumnWildcard"]["ExcludedColumnNames"]) == pii
    # data-science (clearance internal) reads customers only through its four-column include list
    ds = mesh.spec.consumers["data-science"].account_id
    customers = [t for t in (_target(p["Resource"]) for p in _granted(gov_lf, ds)) if t[2:3] == ("customers",)]
    assert customers == [("columns", "sales", "customers", ("country_code", "customer_id", "customer_segment",
                                                             "signup_date"))]


def test_subscribers_link_to_the_governance_catalog_and_regrant_locally(dev):
    mesh = dev["mesh"]
    spec = mesh.spec.consumers["analytics"]
    clients = dev["as_account"](spec.account_id)
    links = {d["Name"]: d for d in clients("glue").get_databases()["DatabaseList"]}
    assert set(links) == {"sales", "marketing", "finance"}
    for name, link in links.items():
        assert link["TargetDatabase"]["CatalogId"] == mesh.governance_account
        assert link["TargetDatabase"]["DatabaseName"] == name
    lf = clients("lakeformation")
    for principal in spec.principals:
        mine = _granted(lf, principal)
        assert {("database", n) for n in links} <= {_target(p["Resource"]) for p in mine}
        for p in mine:
            assert not p["PermissionsWithGrantOption"]
            resource = next(iter(p["Resource"].values()))
            if "Database" not in p["Resource"]:
                assert resource.get("CatalogId", resource.get("TableCatalogId")) == mesh.governance_account
    attached = clients("iam").list_attached_role_policies(RoleName="Analyst")["AttachedPolicies"]
    assert [a["PolicyName"] for a in attached] == ["acme-dev-analytics-mesh-access"]


def test_domain_holds_producer_rights_only_on_its_own_database(dev):
    mesh = dev["mesh"]
    gov_lf = dev["as_account"](mesh.governance_account)("lakeformation")
    for domain, spec in mesh.spec.domains.items():
        producer = [p for p in _granted(gov_lf, spec.account_id)
                    if set(p["Permissions"]) - {"SELECT", "DESCRIBE"}]
        assert sorted(_target(p["Resource"]) for p in producer) == sorted([
            ("table", domain, "*"),
            ("location", f"arn:aws:s3:::{mesh.bucket(domain, 'analytics')}")])
        reads = {_target(p["Resource"])[1] for p in _granted(gov_lf, spec.account_id)
                 if "DataLocation" not in p["Resource"]}
        subscribed = {s.product.split(".")[0] for s in mesh.subscriptions_of(domain)}
        assert reads == {domain} | subscribed
        etl = f"arn:aws:iam::{spec.account_id}:role/acme-dev-{domain}-etl"
        etl_grants = _granted(dev["as_account"](spec.account_id)("lakeformation"), etl)
        assert ("table", domain, "*") in {_target(p["Resource"]) for p in etl_grants}


# --- classification never fails open -------------------------------------------------------------------------
# Classification never fails open: contract changes planned by real terraform against the applied dev state.
#
# The rule (modules/constructs/central_database.py, contract_table.py): a domain's database carries the ontology's
# most sensitive classification; every column below it carries its own LF-tag, one tag resource per column. A column
# without an explicit tag — while its tag is being replaced, or one added outside meshform — inherits the most
# sensitive level, so no clearance below the top can read it through an LF-tag policy.

LF_TAGS = "aws_lakeformation_resource_lf_tags"


def _plan_changed_contract(dev, tmp_path, change) -> dict:
    """Edit sales/customers.yaml, synthesize, and plan dev-catalog-sales against the applied state (no apply)."""
    root = tmp_path / "project"
    shutil.copytree(dev["root"] / "environments", root / "environments")
    shutil.copytree(dev["root"] / "contracts", root / "contracts")
    path = root / "contracts" / "sales" / "customers.yaml"
    contract = yaml.safe_load(path.read_text())
    change(contract["schema"][0]["properties"])
    path.write_text(yaml.safe_dump(contract, sort_keys=False))
    synthesize(load_meshes(root, ["dev"]), root / "cdktf.out")

    applied = dev["workdir"] / "cdktf.out" / "stacks" / "dev-catalog-sales"
    stack = tmp_path / "dev-catalog-sales"
    shutil.copytree(applied, stack, symlinks=True)          # keeps .terraform, the lock file and the override
    shutil.copy(root / "cdktf.out" / "stacks" / "dev-catalog-sales" / "cdk.tf.json", stack / "cdk.tf.json")
    cli_config = dev["workdir"] / "terraform.rc"
    log = tmp_path / "terraform.log"
    plan = tf.run(tf.find_terraform(), ["plan", "-input=false", "-lock=false", "-out=change.tfplan"], stack,
                  cli_config, log)
    assert plan.returncode == 0, plan.output
    shown = tf.run(tf.find_terraform(), ["show", "-json", "change.tfplan"], stack, cli_config, log)
    assert shown.returncode == 0, shown.output
    return json.loads(shown.output[shown.output.index("{"):])


def _tag_changes(plan: dict) -> dict[str, list[str]]:
    return {c["address"]: c["change"]["actions"] for c in plan["resource_changes"]
            if c["type"] == LF_TAGS and c["change"]["actions"] != ["no-op"]}


def _tag_column(plan: dict, address: str) -> tuple[list[str], str]:
    after = next(c for c in plan["resource_changes"] if c["address"] == address)["change"]["after"]
    return after["table_with_columns"][0]["column_names"], after["lf_tag"][0]["value"]


def test_adding_classified_columns_only_creates_tags(dev, tmp_path):
    def add(properties):
        properties.append({"name": "loyalty_tier", "physicalName": "loyalty_tier", "logicalType": "string",
                           "physicalType": "string", "description": "Loyalty programme tier.",
                           "classification": "confidential"})
        properties.append({"name": "national_id", "physicalName": "national_id", "logicalType": "string",
                           "physicalType": "string", "description": "National identity number.",
                           "classification": "pii"})

    plan = _plan_changed_contract(dev, tmp_path, add)
    changes = _tag_changes(plan)
    # one new tag for the confidential column; the pii column needs none (it inherits the database's level);
    # no existing column's tag is deleted or replaced
    assert list(changes.values()) == [["create"]], changes
    assert _tag_column(plan, next(iter(changes))) == (["loyalty_tier"], "confidential")


def test_reclassifying_a_column_replaces_only_its_own_tag(dev, tmp_path):
    def reclassify(properties):
        column = next(p for p in properties if p["name"] == "customer_segment")
        assert column["classification"] == "internal"
        column["classification"] = "public"

    plan = _plan_changed_contract(dev, tmp_path, reclassify)
    changes = _tag_changes(plan)
    assert list(changes.values()) == [["delete", "create"]], changes
    assert _tag_column(plan, next(iter(changes))) == (["customer_segment"], "public")


def test_database_tag_is_the_most_sensitive_level_untagged_columns_inherit(dev):
    mesh = dev["mesh"]
    lf = dev["as_account"](mesh.governance_account)("lakeformation")
    for domain in mesh.spec.domains:
        tags = lf.get_resource_lf_tags(Resource={"Database": {"CatalogId": mesh.governance_account,
                                                              "Name": domain}})["LFTagOnDatabase"]
        assert {t["TagKey"]: t["TagValues"] for t in tags}["classification"] == [mesh.most_sensitive]
    customers = mesh.products["sales.customers"].table("customers")
    below = sorted(c.name for c in customers.all_columns if c.classification != mesh.most_sensitive)
    tagged = lf.get_resource_lf_tags(Resource={"TableWithColumns": {
        "CatalogId": mesh.governance_account, "DatabaseName": "sales", "Name": "customers", "ColumnNames": below}})
    got = {c["Name"]: {t["TagKey"]: t["TagValues"] for t in c["LFTags"]}["classification"]
           for c in tagged["LFTagsOnColumns"]}
    assert got == {c.name: [c.classification] for c in customers.all_columns if c.name in below}


def test_raising_catalog_stacks_is_a_state_move_that_plans_clean(dev, tmp_path):
    """README, "Large domains": raise `catalog_stacks`, synthesize, move the addresses the new stack declares out of
    the old stack's state; then both stacks plan no changes against the applied emulator (nothing re-created,
    no grant revoked). Works on copies of the states: the shared dev deployment is not touched."""
    root = tmp_path / "project"
    shutil.copytree(dev["root"] / "environments", root / "environments")
    shutil.copytree(dev["root"] / "contracts", root / "contracts")
    spec_file = root / "environments" / "dev.yaml"
    spec = yaml.safe_load(spec_file.read_text())
    spec["domains"]["sales"]["catalog_stacks"] = 2
    spec_file.write_text(yaml.safe_dump(spec, sort_keys=False))
    synthesize(load_meshes(root, ["dev"]), root / "cdktf.out")
    new_stacks = root / "cdktf.out" / "stacks"
    moved_file = new_stacks / "dev-catalog-sales-1" / "cdk.tf.json"
    addresses = sorted(f"{t}.{n}" for t, items in json.loads(moved_file.read_text())["resource"].items()
                       for n in items)
    assert any(a.startswith("aws_glue_catalog_table.") for a in addresses)

    applied = dev["workdir"] / "cdktf.out" / "stacks" / "dev-catalog-sales"
    override = json.loads((applied / OVERRIDE_FILE).read_text())
    terraform, cli_config, log = tf.find_terraform(), dev["workdir"] / "terraform.rc", tmp_path / "terraform.log"
    states = {}
    for name in ("dev-catalog-sales", "dev-catalog-sales-1"):
        stack = tmp_path / name
        shutil.copytree(applied, stack, symlinks=True)      # .terraform, lock file, override (same account)
        shutil.copy(new_stacks / name / "cdk.tf.json", stack / "cdk.tf.json")
        states[name] = tmp_path / f"{name}.tfstate"
        override["terraform"]["backend"]["local"]["path"] = str(states[name])
        (stack / OVERRIDE_FILE).write_text(json.dumps(override))
    shutil.copy(dev["workdir"] / "state" / "dev-catalog-sales.tfstate", states["dev-catalog-sales"])
    for name in states:                                      # the backend path changed: re-initialize (offline)
        init = tf.run(terraform, ["init", "-input=false", "-reconfigure"], tmp_path / name, cli_config, log)
        assert init.returncode == 0, init.output
    for address in addresses:                                # the README's loop
        moved = tf.run(terraform, ["state", "mv", f"-state={states['dev-catalog-sales']}",
                                   f"-state-out={states['dev-catalog-sales-1']}", address, address],
                       tmp_path / "dev-catalog-sales", cli_config, log)
        assert moved.returncode == 0, moved.output
    for name in states:
        plan = tf.run(terraform, ["plan", "-input=false", "-lock=false", "-detailed-exitcode"], tmp_path / name,
                      cli_config, log)
        assert plan.returncode == 0, f"{name}:\n{plan.output}"


# Checks that need the same applied dev live in their own modules and are collected here, so that each CI run
# applies dev once (an apply of dev is the most expensive fixture of the suite: ~150 Redshift Data API statements
# alone wait 30 s each in the provider). The audit goes last: it changes the applied state out of band. pytest runs
# them in import order (Redshift first, then the audit; within each, as listed).
from tests.deployed_dev_redshift import (  # noqa: E402
    test_a_changed_table_re_runs_exactly_the_statements_it_reaches,
    test_consumer_associated_the_share_found_in_its_own_account,
    test_networks_and_audit_log_groups_as_applied,
    test_producer_warehouse_and_datashares_as_applied,
    test_statement_expiry_changes_nothing,
)

# isort: split
from tests.deployed_dev_audit import (  # noqa: E402
    deployed,
    recorded_calls,
    test_a_clean_deploy_reports_nothing_and_only_reads,
    test_an_account_that_cannot_be_read_is_an_error_naming_account_and_role,
    test_an_unreachable_endpoint_is_an_error_not_a_traceback,
    test_every_out_of_band_change_is_reported_with_its_kind_and_account,
)

__all__ = [
    "deployed", "recorded_calls",
    "test_a_changed_table_re_runs_exactly_the_statements_it_reaches",
    "test_consumer_associated_the_share_found_in_its_own_account", "test_networks_and_audit_log_groups_as_applied",
    "test_producer_warehouse_and_datashares_as_applied", "test_statement_expiry_changes_nothing",
    "test_a_clean_deploy_reports_nothing_and_only_reads",
    "test_an_account_that_cannot_be_read_is_an_error_naming_account_and_role",
    "test_an_unreachable_endpoint_is_an_error_not_a_traceback",
    "test_every_out_of_band_change_is_reported_with_its_kind_and_account",
]
