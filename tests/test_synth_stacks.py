"""Assertions on the synthesized Terraform JSON, the artefact users deploy."""
from __future__ import annotations

import json

import pytest

from meshform import tags
from tests.conftest import Stack

pytestmark = pytest.mark.synth

MANDATORY_TAGS = {"mesh:environment", "mesh:domain", "mesh:owner", "mesh:cost-center", "mesh:managed-by"}
assert set(tags.MANDATORY) == MANDATORY_TAGS        # the one definition is what the tests expect
KNOWN_TAGGABLE = {"aws_s3_bucket", "aws_kms_key", "aws_athena_workgroup", "aws_glue_catalog_database"}


def test_stacks_per_environment_and_deploy_order(synth_root):
    manifest = json.loads((synth_root / "cdktf.out" / "manifest.json").read_text())
    stacks = manifest["stacks"]
    for env in ("dev", "prod", "qa"):
        catalogs = {f"{env}-catalog-{d}" for d in ("sales", "marketing", "finance")}
        parts = {f"{env}-catalog-sales-1"} if env == "prod" else set()       # prod: sales has catalog_stacks: 2
        # prod is on HCP Terraform: its delivery stack and one trust stack per account come first (test_delivery.py)
        cloud = {f"{env}-delivery", *(f"{env}-trust-{o}" for o in (
            "governance", "domain-sales", "domain-marketing", "domain-finance", "consumer-analytics",
            "consumer-data-science"))} if env == "prod" else set()

        def trust(owner: str, env: str = env) -> set[str]:
            return {f"{env}-trust-{owner}"} if env == "prod" else set()
        assert all(set(stacks[p]["dependencies"]) == {f"{env}-catalog-sales", *trust("governance")} for p in parts)
        assert {f"{env}-governance", *catalogs, *parts, f"{env}-domain-sales", f"{env}-domain-marketing",
                f"{env}-domain-finance", f"{env}-consumer-analytics", f"{env}-consumer-data-science", *cloud} == {
            s for s in stacks if s.startswith(f"{env}-")}
        assert set(stacks[f"{env}-governance"]["dependencies"]) == trust("governance")
        assert all(set(stacks[c]["dependencies"]) == {f"{env}-governance", *trust("governance")} for c in catalogs)
        assert set(stacks[f"{env}-domain-sales"]["dependencies"]) == {f"{env}-governance", *catalogs, *parts,
                                                                       *trust("domain-sales")}
        assert set(stacks[f"{env}-consumer-analytics"]["dependencies"]) == {
            f"{env}-governance", *catalogs, *parts, *trust("consumer-analytics"),
            f"{env}-domain-sales", f"{env}-domain-marketing", f"{env}-domain-finance"}


@pytest.mark.parametrize("name,account", [("dev-governance", "111111111111"), ("dev-catalog-sales", "111111111111"),
                                          ("dev-domain-sales", "222222222222"),
                                          ("dev-consumer-analytics", "555555555555")])
def test_provider_assumes_deploy_role_in_own_account(stack, name, account):
    provider = stack(name).json["provider"]["aws"][0]
    assert provider["allowed_account_ids"] == [account]
    assert provider["assume_role"][0]["role_arn"] == f"arn:aws:iam::{account}:role/mesh-deploy"
    assert provider["region"] == "eu-west-1"


def test_no_cross_stack_references(stack, synth_root):
    for path in (synth_root / "cdktf.out" / "stacks").glob("*/cdk.tf.json"):
        text = path.read_text()
        assert "terraform_remote_state" not in text, path


def test_backends(stack):
    local = stack("dev-domain-sales").json["terraform"]["backend"]["local"]
    assert local["path"] == "../../../terraform-state/dev-domain-sales.tfstate"
    s3 = stack("qa-domain-sales").json["terraform"]["backend"]["s3"]
    assert s3["bucket"] == "acme-terraform-state" and s3["encrypt"] is True and s3["use_lockfile"] is True
    assert s3["key"] == "mesh/qa/qa-domain-sales.tfstate"
    assert s3["assume_role"]["role_arn"] == "arn:aws:iam::999999999999:role/terraform-state"
    assert stack("qa-governance").json["terraform"]["backend"]["s3"]["key"] == "mesh/qa/qa-governance.tfstate"
    cloud = stack("prod-consumer-analytics").json["terraform"]["cloud"]
    assert cloud["organization"] == "acme-data"
    assert cloud["workspaces"] == {"name": "mesh-prod-consumer-analytics", "project": "data-mesh-prod"}


def test_every_taggable_resource_carries_mandatory_tags(stack, synth_root):
    seen_types = set()
    for path in (synth_root / "cdktf.out" / "stacks").glob("dev-*/cdk.tf.json"):
        s = Stack(path)
        for rtype, name, body in s.all_resources():
            if rtype in KNOWN_TAGGABLE:
                assert "tags" in body, f"{path.parent.name}: {rtype}.{name} has no tags"
            if "tags" in body:
                seen_types.add(rtype)
                assert set(body["tags"]) >= MANDATORY_TAGS, f"{rtype}.{name}: {body['tags']}"
                assert body["tags"]["mesh:environment"] == "dev"
    assert seen_types >= KNOWN_TAGGABLE
    sales_bucket = next(b for b in stack("dev-domain-sales").resources("aws_s3_bucket").values())
    assert sales_bucket["tags"]["mesh:domain"] == "sales"
    assert sales_bucket["tags"]["mesh:owner"] == "sales-data@acme.example"
    assert sales_bucket["tags"]["mesh:cost-center"] == "CC-1001"
    assert all(key["tags"]["mesh:domain"] == "governance"             # the catalog key and the audit key
               for key in stack("dev-governance").resources("aws_kms_key").values())
    consumer_wg = stack("dev-consumer-data-science").one("aws_athena_workgroup")
    assert consumer_wg["tags"]["mesh:domain"] == "data-science"


# --- governance --------------------------------------------------------------------------------------------

def test_governance_lake_formation_settings(stack):
    settings = stack("dev-governance").one("aws_lakeformation_data_lake_settings")
    assert settings["admins"] == ["arn:aws:iam::111111111111:role/DataPlatformAdmin",
                                  "arn:aws:iam::111111111111:role/mesh-deploy"]
    assert settings["read_only_admins"] == ["arn:aws:iam::111111111111:role/DataAuditor"]
    assert settings["parameters"] == {"CROSS_ACCOUNT_VERSION": "4"}
    assert "create_database_default_permissions" not in settings
    assert "create_table_default_permissions" not in settings
    assert settings["lifecycle"]["prevent_destroy"] is True


def test_governance_lf_tag_ontology(stack):
    tags = {t["key"]: t["values"] for t in stack("dev-governance").resources("aws_lakeformation_lf_tag").values()}
    assert tags == {"domain": ["finance", "marketing", "sales"],
                    "classification": ["public", "internal", "confidential", "pii"]}


def test_governance_catalog_encryption_uses_customer_managed_key(stack):
    gov = stack("dev-governance")
    enc = gov.one("aws_glue_data_catalog_encryption_settings")["data_catalog_encryption_settings"]
    # the catalog key (the other key of the account is the audit key, docs/operations.md)
    key_name, catalog_key = next((name, key) for name, key in gov.resources("aws_kms_key").items()
                                 if "Glue Data Catalog" in key["description"])
    assert enc["encryption_at_rest"]["catalog_encryption_mode"] == "SSE-KMS"
    assert enc["encryption_at_rest"]["sse_aws_kms_key_id"] == f"${{aws_kms_key.{key_name}.arn}}"
    assert enc["connection_password_encryption"]["return_connection_password_encrypted"] is True
    policy = json.loads(catalog_key["policy"])
    readers = next(s for s in policy["Statement"] if s["Sid"] == "MeshAccountsUseCatalogThroughGlue")
    assert "arn:aws:iam::555555555555:root" in readers["Principal"]["AWS"]
    assert readers["Action"] == ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
    assert readers["Condition"]["StringEquals"]["kms:ViaService"] == "glue.eu-west-1.amazonaws.com"


def test_governance_one_database_per_domain(stack):
    dbs = {d["name"]: d for d in stack("dev-governance*").resources("aws_glue_catalog_database").values()}
    assert set(dbs) == {"sales", "marketing", "finance"}
    assert dbs["sales"]["location_uri"] == "s3://acme-dev-sales-analytics-222222222222/"
    assert dbs["sales"]["catalog_id"] == "111111111111"
    assert dbs["sales"]["lifecycle"]["prevent_destroy"] is True
    db_tags = [t for t in stack("dev-governance*").resources("aws_lakeformation_resource_lf_tags").values()
               if "database" in t]
    assert {t["database"]["name"]: {x["key"]: x["value"] for x in t["lf_tag"]} for t in db_tags} == {
        d: {"domain": d, "classification": "pii"} for d in ("sales", "marketing", "finance")}   # fails closed


def test_governance_table_per_contract_schema_object(stack):
    tables = {t["name"]: t for t in stack("dev-governance*").resources("aws_glue_catalog_table").values()}
    assert set(tables) == {"orders", "order_lines", "customers", "campaigns", "campaign_spend", "web_sessions",
                           "invoices", "revenue_daily", "cost_centers"}
    orders = tables["orders"]
    assert orders["database_name"] == "sales" and orders["table_type"] == "EXTERNAL_TABLE"
    assert orders["partition_keys"] == [{"name": "order_date", "type": "date",
                                         "comment": orders["partition_keys"][0]["comment"]}]
    sd = orders["storage_descriptor"]
    assert sd["location"] == "s3://acme-dev-sales-analytics-222222222222/orders/orders/"
    assert sd["ser_de_info"]["serialization_library"] == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    assert sd["input_format"].endswith("MapredParquetInputFormat")
    columns = {c["name"]: c for c in sd["columns"]}
    assert "order_date" not in columns                     # partition keys are not data columns
    assert columns["customer_email"]["parameters"]["mesh:classification"] == "pii"
    assert all(c["comment"] for c in sd["columns"])
    assert orders["parameters"]["mesh:data_product"] == "sales.orders"
    invoices = tables["invoices"]
    assert [p["name"] for p in invoices["partition_keys"]] == ["invoice_month"]
    assert any(c["type"].startswith("decimal(") for c in invoices["storage_descriptor"]["columns"])


def test_governance_classified_columns_carry_lf_tags(stack):
    """One tag resource per column below the most sensitive level (which columns inherit from the database)."""
    column_tags = [t for t in stack("dev-governance*").resources("aws_lakeformation_resource_lf_tags").values()
                   if "table_with_columns" in t]
    by_table: dict = {}
    for t in column_tags:
        twc = t["table_with_columns"]
        assert len(twc["column_names"]) == 1 and len(t["lf_tag"]) == 1
        by_table.setdefault(twc["name"], {}).setdefault(t["lf_tag"][0]["value"], []).extend(twc["column_names"])
    assert "pii" not in by_table["customers"] and "pii" not in by_table["orders"]      # inherited from the database
    assert by_table["orders"]["confidential"] == ["margin_amount"]
    assert "customer_email" not in {c for cols in by_table["orders"].values() for c in cols}
    assert "order_id" in by_table["orders"]["internal"]                                  # unclassified -> default
    assert set(by_table["customers"]["public"]) >= {"country_code"}


# --- domain ------------------------------------------------------------------------------------------------

def test_domain_kms_key(stack):
    # The lake key (dev's sales also has a Redshift warehouse key: docs/redshift.md).
    key = next(k for n, k in stack("dev-domain-sales").resources("aws_kms_key").items() if n.startswith("lake_key"))
    assert key["enable_key_rotation"] is True and key["deletion_window_in_days"] == 30
    assert key["lifecycle"]["prevent_destroy"] is True
    policy = json.loads(key["policy"])
    principals = [s["Principal"] for s in policy["Statement"]]
    assert "*" not in principals and all(p.get("AWS") != "*" for p in principals)
    assert all(a != "kms:*" for s in policy["Statement"] for a in s["Action"])
    aliases = sorted(a["name"] for a in stack("dev-domain-sales").resources("aws_kms_alias").values())
    assert aliases == ["alias/acme-dev-sales-lake", "alias/acme-dev-sales-redshift"]


def test_domain_buckets_have_the_s3_baseline(stack):
    s = stack("dev-domain-sales")
    buckets = {b["bucket"]: (name, b) for name, b in s.resources("aws_s3_bucket").items()}
    expected = {f"acme-dev-sales-{layer}-222222222222" for layer in ("raw", "stage", "analytics", "logs",
                                                                     "artifacts")}     # artifacts: its pipelines
    assert set(buckets) == expected
    key_ref = f"${{aws_kms_key.{next(iter(s.resources('aws_kms_key')))}.arn}}"

    def for_bucket(rtype, bucket_resource):
        ref = f"${{aws_s3_bucket.{bucket_resource}.id}}"
        found = [r for r in s.resources(rtype).values() if r["bucket"] == ref]
        assert len(found) == 1, (rtype, bucket_resource)
        return found[0]

    for bucket, (name, body) in buckets.items():
        assert body["force_destroy"] is False and body["lifecycle"]["prevent_destroy"] is True
        pab = for_bucket("aws_s3_bucket_public_access_block", name)
        assert all(pab[k] is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls",
                                            "restrict_public_buckets"))
        assert for_bucket("aws_s3_bucket_versioning", name)["versioning_configuration"]["status"] == "Enabled"
        assert for_bucket("aws_s3_bucket_ownership_controls", name)["rule"]["object_ownership"] == "BucketOwnerEnforced"
        policy = json.loads(for_bucket("aws_s3_bucket_policy", name)["policy"])
        tls = next(st for st in policy["Statement"] if st["Sid"] == "DenyInsecureTransport")
        assert tls["Effect"] == "Deny" and tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        rule = for_bucket("aws_s3_bucket_lifecycle_configuration", name)["rule"][0]
        assert rule["abort_incomplete_multipart_upload"][0]["days_after_initiation"] == 7
        sse = for_bucket("aws_s3_bucket_server_side_encryption_configuration", name)["rule"][0]
        if bucket.endswith("-logs-222222222222"):
            # S3 server access logs can only be delivered to SSE-S3 buckets (AWS rule).
            assert sse["apply_server_side_encryption_by_default"]["sse_algorithm"] == "AES256"
        else:
            assert sse["apply_server_side_encryption_by_default"] == {"sse_algorithm": "aws:kms",
                                                                      "kms_master_key_id": key_ref}
            assert sse["bucket_key_enabled"] is True
            logging = for_bucket("aws_s3_bucket_logging", name)
            assert logging["target_bucket"] == "acme-dev-sales-logs-222222222222"
            # the artifacts bucket holds code and schemas, no data: the default classification
            assert body["tags"]["mesh:classification"] == ("internal" if "-artifacts-" in bucket else "pii")


# --- consumer ----------------------------------------------------------------------------------------------

def test_consumer_athena_workgroup_enforced_and_encrypted(stack):
    s = stack("dev-consumer-analytics")
    wg = s.one("aws_athena_workgroup")
    cfg = wg["configuration"]
    assert wg["name"] == "acme-dev-analytics"
    assert cfg["enforce_workgroup_configuration"] is True
    assert cfg["engine_version"]["selected_engine_version"] == "Athena engine version 3"
    assert cfg["bytes_scanned_cutoff_per_query"] == 200 * 1024 ** 3
    result = cfg["result_configuration"]
    assert result["output_location"] == "s3://acme-dev-analytics-athena-results-555555555555/results/"
    assert result["encryption_configuration"]["encryption_option"] == "SSE_KMS"
    key_name = next(iter(s.resources("aws_kms_key")))
    assert result["encryption_configuration"]["kms_key_arn"] == f"${{aws_kms_key.{key_name}.arn}}"
    buckets = {b["bucket"] for b in s.resources("aws_s3_bucket").values()}
    assert buckets == {"acme-dev-analytics-athena-results-555555555555", "acme-dev-analytics-logs-555555555555"}


# Glue calls that change a schema (databases, tables, table versions). Tables belong to the governance stacks
# (their schema is the contract): an UpdateTable by a producer would be reverted by the next governance apply, so
# no role of a domain or consumer account may call them (docs/aws-rules.md, "Glue jobs and Lake Formation access
# modes"). Lake Formation ALTER stays granted on tables (partitions need it), so IAM is what withholds them.
SCHEMA_WRITES = ("glue:CreateDatabase", "glue:UpdateDatabase", "glue:DeleteDatabase", "glue:CreateTable",
                 "glue:UpdateTable", "glue:DeleteTable", "glue:BatchDeleteTable", "glue:DeleteTableVersion",
                 "glue:BatchDeleteTableVersion")


def _allowed_actions(policy: dict) -> list[str]:
    out = []
    for statement in policy["Statement"]:
        if statement.get("Effect") != "Allow":
            continue
        assert "NotAction" not in statement, statement        # an Allow with NotAction would allow schema writes
        actions = statement["Action"]
        out += [actions] if isinstance(actions, str) else actions
    return out


@pytest.mark.parametrize("env", ["dev", "prod", "qa"])
def test_producer_and_consumer_roles_cannot_change_governed_schemas(synth_root, env):
    from fnmatch import fnmatchcase

    stacks = [p for p in sorted((synth_root / "cdktf.out" / "stacks").glob(f"{env}-*/cdk.tf.json"))
              if p.parent.name.startswith((f"{env}-domain-", f"{env}-consumer-"))]
    assert len(stacks) == 5
    seen_etl = 0
    for path in stacks:
        s = Stack(path)
        for role in s.resources("aws_iam_role").values():
            # no inline or AWS-managed policies beside the ones checked below (AWSGlueServiceRole allows glue:*)
            assert not role.get("inline_policy") and not role.get("managed_policy_arns"), role["name"]
            seen_etl += role["name"].endswith(("-etl", "-etl-fgac"))
        for attachment in s.resources("aws_iam_role_policy_attachment").values():
            assert attachment["policy_arn"].startswith("${aws_iam_policy."), attachment
        for rtype in ("aws_iam_role_policy", "aws_iam_policy"):
            for name, body in s.resources(rtype).items():
                for action in _allowed_actions(json.loads(body["policy"])):
                    # case-insensitive like IAM, wildcards included ("glue:*", "glue:Update*", "*")
                    hits = [w for w in SCHEMA_WRITES if fnmatchcase(w.lower(), action.lower())]
                    assert not hits, f"{path.parent.name} {rtype}.{name} allows {action} ({hits})"
        # and Lake Formation: no CREATE_TABLE/ALTER/DROP on a database, no DROP on a table, no ALL anywhere
        for name, grant in s.resources("aws_lakeformation_permissions").items():
            perms = set(grant["permissions"]) | set(grant.get("permissions_with_grant_option", []))
            assert "ALL" not in perms, name
            if "database" in grant:
                assert perms <= {"DESCRIBE"}, name
            if "table" in grant:
                assert "DROP" not in perms, name
    assert seen_etl >= 3           # every domain's ETL role was among the roles checked


def test_governance_grants_producers_no_schema_permissions(stack):
    """What the governance account grants a domain account on its own database: DESCRIBE on the database (no
    CREATE_TABLE, ALTER, DROP), partition-maintenance permissions on its tables (no DROP), and the location."""
    domains = {"222222222222", "333333333333", "444444444444"}
    to_domains = [g for g in stack("dev-governance*").resources("aws_lakeformation_permissions").values()
                  if g["principal"] in domains and ("database" in g or "table" in g)]
    own = [g for g in to_domains if g.get("table", {}).get("wildcard")]
    assert len(own) == 3 and all(g["permissions"] == ["ALTER", "DELETE", "DESCRIBE", "INSERT", "SELECT"]
                                 for g in own)
    for grant in to_domains:
        perms = set(grant["permissions"]) | set(grant.get("permissions_with_grant_option", []))
        assert perms <= ({"DESCRIBE"} if "database" in grant else {"ALTER", "DELETE", "DESCRIBE", "INSERT",
                                                                     "SELECT"}), grant
