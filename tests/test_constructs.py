"""One test per construct on its synthesized JSON, for the branches the bundled environments do not reach (each
construct alone in a throwaway stack; `Testing.synth` returns the stack's JSON)."""
from __future__ import annotations

import json

import pytest

from tests.construct_synth import only, synth

pytestmark = pytest.mark.synth

GOV, DOMAIN = "111111111111", "222222222222"


def test_grant_needs_exactly_one_resource_and_sorts_permissions():
    from modules.constructs.lf_permission import grant

    with pytest.raises(ValueError, match="exactly one resource"):
        synth(lambda s: grant(s, "g", principal=DOMAIN, permissions=["SELECT"]))
    res = synth(lambda s: grant(s, "g", principal=DOMAIN, permissions=["SELECT", "DESCRIBE"], with_grant_option=True,
                                lf_tag_policy=("TABLE", [("domain", ["sales"]), ("classification", ["public",
                                                                                                   "internal"])])))
    g = only(res, "aws_lakeformation_permissions")
    assert g["permissions"] == g["permissions_with_grant_option"] == ["DESCRIBE", "SELECT"]
    assert g["lf_tag_policy"]["expression"] == [{"key": "domain", "values": ["sales"]},
                                                {"key": "classification", "values": ["internal", "public"]}]


def test_encryption_key_without_extra_statements_is_administered_by_deploy_role_and_root():
    from modules.constructs.encryption_key import EncryptionKey

    res = synth(lambda s: EncryptionKey(s, "k", account_id=DOMAIN, deploy_role_arn=f"arn:aws:iam::{DOMAIN}:role/d",
                                        alias="alias/x", description="x"))
    key = only(res, "aws_kms_key")
    policy = json.loads(key["policy"])
    assert [st["Sid"] for st in policy["Statement"]] == ["KeyAdministration", "KeyUseWithinAccount"]
    assert key["enable_key_rotation"] is True and key["lifecycle"]["prevent_destroy"] is True
    assert only(res, "aws_kms_alias")["name"] == "alias/x"


def test_secure_bucket_without_expiry_or_extra_statements_and_the_sse_s3_log_bucket():
    from modules.constructs.secure_bucket import BUCKET_ROLE_DATA, SecureBucket, access_log_bucket

    def build(s):
        logs = access_log_bucket(s, "logs-bucket", DOMAIN, "internal")
        SecureBucket(s, "b", name="data-bucket", kms_key_arn="arn:aws:kms:eu-west-1:222222222222:key/k",
                     classification="pii", role=BUCKET_ROLE_DATA, log_bucket=logs)

    res = synth(build)
    sse = {name.split("_")[0]: body["rule"][0] for name, body in
           res["aws_s3_bucket_server_side_encryption_configuration"].items()}
    assert sse["b"]["apply_server_side_encryption_by_default"]["sse_algorithm"] == "aws:kms"
    assert sse["b"]["bucket_key_enabled"] is True
    assert sse["bucket"]["apply_server_side_encryption_by_default"] == {"sse_algorithm": "AES256"}
    assert sse["bucket"]["bucket_key_enabled"] is False
    lifecycle = {name.split("_")[0]: body["rule"][0] for name, body in
                 res["aws_s3_bucket_lifecycle_configuration"].items()}
    assert "expiration" not in lifecycle["b"]                      # no expire_days: current objects are kept
    assert lifecycle["bucket"]["expiration"] == [{"days": 365}]     # access logs expire after a year
    policies = [json.loads(p["policy"]) for p in res["aws_s3_bucket_policy"].values()]
    data = next(p for p in policies if any("data-bucket" in str(st["Resource"]) for st in p["Statement"]))
    assert [st["Sid"] for st in data["Statement"]] == ["DenyInsecureTransport"]
    assert len(res["aws_s3_bucket_logging"]) == 1                 # the log bucket itself is not logged


def test_lake_formation_settings_without_read_only_admins_or_trusted_owners():
    from meshform.lake_settings import LakeSettings
    from modules.constructs.lake_formation_settings import LakeFormationSettings

    res = synth(lambda s: LakeFormationSettings(s, "lf", intended=LakeSettings(
        admins=(f"arn:aws:iam::{GOV}:role/d",), read_only_admins=(), trusted_resource_owners=())))
    settings = only(res, "aws_lakeformation_data_lake_settings")
    assert "read_only_admins" not in settings and "trusted_resource_owners" not in settings
    assert "create_database_default_permissions" not in settings           # IAMAllowedPrincipals defaults cleared
    assert settings["allow_full_table_external_data_access"] is False
    assert settings["parameters"] == {"CROSS_ACCOUNT_VERSION": "4"}


def test_contract_table_without_partitions_and_all_columns_at_the_top_level_has_no_column_tags():
    from meshform.spec.contract import Column, Product, Table
    from modules.constructs.contract_table import ContractTable

    table = Table("secrets", "", (Column("ssn", "string", "", "pii"), Column("dna", "binary", "", "pii")), (), "pii")
    product = Product("hr", "people", "People", "1.0.0", "active", "", "hr@x", (table,), "pii", "contracts/hr/p.yaml")
    res = synth(lambda s: ContractTable(s, "t", product=product, table=table, database="hr", catalog_id=GOV,
                                        location="s3://b/people/secrets/", inherited="pii", after=[]))
    glue = only(res, "aws_glue_catalog_table")
    assert "partition_keys" not in glue
    assert "aws_lakeformation_resource_lf_tags" not in res     # every column inherits the database's level


def test_ram_share_acceptance_accepts_each_recorded_share_destroy_protected():
    from modules.constructs.ram_share_acceptance import RamShareAcceptance

    arns = [f"arn:aws:ram:eu-west-1:{GOV}:resource-share/b", f"arn:aws:ram:eu-west-1:{GOV}:resource-share/a"]
    res = synth(lambda s: RamShareAcceptance(s, "ram", share_arns=arns))
    accepters = res["aws_ram_resource_share_accepter"]
    assert sorted(a["share_arn"] for a in accepters.values()) == sorted(arns)
    assert all(a["lifecycle"]["prevent_destroy"] is True for a in accepters.values())
    assert "aws_ram_resource_share_accepter" not in synth(lambda s: RamShareAcceptance(s, "ram", share_arns=[]))


def test_mesh_access_policy_without_subscriptions_still_reads_nothing_but_the_default_database():
    from modules.constructs.mesh_access_policy import MeshAccessPolicy, shared_catalog_statements

    statements = shared_catalog_statements("eu-west-1", DOMAIN, GOV, [])
    res = synth(lambda s: MeshAccessPolicy(s, "p", name="p", description="d", statements=statements,
                                           principals=[f"arn:aws:iam::{DOMAIN}:role/A"]))
    policy = json.loads(only(res, "aws_iam_policy")["policy"])
    glue = next(st for st in policy["Statement"] if st["Sid"] == "ReadSharedCatalog")
    assert glue["Resource"] == [f"arn:aws:glue:eu-west-1:{DOMAIN}:catalog",
                                f"arn:aws:glue:eu-west-1:{DOMAIN}:database/default"]
    assert only(res, "aws_iam_role_policy_attachment")["role"] == "A"


def test_athena_workgroup_query_statements_are_scoped_to_the_workgroup_and_results():
    from modules.constructs.athena_workgroup import AthenaWorkgroupConstruct

    holder = {}

    def build(s):
        holder["wg"] = AthenaWorkgroupConstruct(
            s, "a", name="wg", results_bucket="results", account_id=DOMAIN, region="eu-west-1",
            kms_key_arn="arn:aws:kms:eu-west-1:222222222222:key/k", bytes_scanned_cutoff=10 ** 9,
            description="x" * 2000)

    res = synth(build)
    wg = only(res, "aws_athena_workgroup")
    assert len(wg["description"]) == 1024 and "acl_configuration" not in wg["configuration"]["result_configuration"]
    by_sid = {st["Sid"]: st for st in holder["wg"].query_statements()}
    assert by_sid["QueryInWorkgroup"]["Resource"] == ["arn:aws:athena:eu-west-1:222222222222:workgroup/wg"]
    assert by_sid["QueryResultObjects"]["Resource"] == ["arn:aws:s3:::results/results/*"]
    assert "s3:PutObjectAcl" not in {a for st in by_sid.values() for a in st["Action"]}
