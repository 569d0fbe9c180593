"""One test per catalog and sharing construct on its synthesized JSON (each construct alone in a minimal stack,
tests/construct_synth.py), for what the bundled environments never exercise: another region, an ontology whose
order is not alphabetical, `after` dependencies the stacks leave empty, roles without subscriptions or pipelines,
subscribers without principals, several tag grants of one subscriber, every access mechanism on both sides."""
from __future__ import annotations

import json

import pytest

from meshform.access import CELLS_FILTER, INCLUDE_LIST, TABLE, TableAccess, TagAccess
from tests.construct_synth import depends_on_types, only, synth

pytestmark = pytest.mark.synth

# Not the bundled environments' accounts or regions (eu-west-1, eu-central-1): nothing below can come from them.
REGION = "ap-southeast-2"
GOV, DOMAIN, OTHER, CONSUMER = "710000000001", "710000000002", "710000000003", "710000000005"
KEY = f"arn:aws:kms:{REGION}:{GOV}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
LAKE_SETTINGS = "aws_lakeformation_data_lake_settings"


def settings(scope):
    """A governance account's LF settings: what the catalog constructs wait for (the stacks pass it as `after`)."""
    from meshform.lake_settings import LakeSettings
    from modules.constructs.lake_formation_settings import LakeFormationSettings

    return LakeFormationSettings(scope, "lf", intended=LakeSettings(
        admins=(f"arn:aws:iam::{GOV}:role/deploy",), read_only_admins=(), trusted_resource_owners=())).settings


def via(service: str) -> dict:
    return {"StringEquals": {"kms:ViaService": f"{service}.{REGION}.amazonaws.com"}}


def policy_of(resources: dict, rtype: str = "aws_iam_role_policy") -> dict:
    return json.loads(only(resources, rtype)["policy"])


def all_actions(policy: dict) -> set[str]:
    return {a for st in policy["Statement"] for a in st["Action"]}


def access(mechanism: str, table: str, *, columns: tuple[str, ...] = ("id", "country"), hidden: tuple[str, ...] = (),
           subscriber: str = "bi", account: str = CONSUMER) -> TableAccess:
    filter_name = f"{table}__upto_internal" if mechanism == CELLS_FILTER else None
    return TableAccess(subscriber=subscriber, account=account, product="sales.orders", domain="sales", table=table,
                       mechanism=mechanism, columns=columns, hidden=hidden, filter_name=filter_name, reason="test")


def test_catalog_encryption_uses_the_cmk_for_metadata_and_passwords_and_its_statements_are_glue_only():
    from modules.constructs.catalog_encryption import (
        CatalogEncryption,
        catalog_key_iam_statement,
        catalog_key_policy_statements,
    )

    res = synth(lambda s: CatalogEncryption(s, "c", kms_key_arn=KEY))
    encryption = only(res, "aws_glue_data_catalog_encryption_settings")["data_catalog_encryption_settings"]
    assert encryption == {
        "encryption_at_rest": {"catalog_encryption_mode": "SSE-KMS", "sse_aws_kms_key_id": KEY},
        "connection_password_encryption": {"return_connection_password_encrypted": True, "aws_kms_key_id": KEY}}
    # A mesh with no other account: the key policy gets no statement (never an empty principal list).
    assert catalog_key_policy_statements(REGION, []) == []
    [statement] = catalog_key_policy_statements(REGION, [OTHER, DOMAIN])
    assert statement["Principal"] == {"AWS": [f"arn:aws:iam::{DOMAIN}:root", f"arn:aws:iam::{OTHER}:root"]}
    assert statement["Condition"] == via("glue")
    assert statement["Action"] == ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
    iam = catalog_key_iam_statement(REGION, GOV)
    assert iam["Resource"] == [f"arn:aws:kms:{REGION}:{GOV}:key/*"] and iam["Condition"] == via("glue")
    assert iam["Action"] == statement["Action"] and "Principal" not in iam


def test_central_database_is_destroy_protected_tagged_with_the_top_level_and_waits_for_after():
    from modules.constructs.central_database import CentralDatabase

    res = synth(lambda s: CentralDatabase(
        s, "db", name="sales", catalog_id=GOV, description="Orders", location_uri="s3://lake-analytics/",
        domain_account=DOMAIN, inherited_classification="restricted", after=[settings(s)]))
    database = only(res, "aws_glue_catalog_database")
    assert (database["name"], database["catalog_id"], database["location_uri"]) == ("sales", GOV,
                                                                                    "s3://lake-analytics/")
    assert database["parameters"] == {"mesh:domain": "sales", "mesh:owner_account": DOMAIN}
    assert database["lifecycle"]["prevent_destroy"] is True
    assert depends_on_types(database) == {LAKE_SETTINGS}
    tags = only(res, "aws_lakeformation_resource_lf_tags")
    assert tags["catalog_id"] == GOV and tags["database"] == {"catalog_id": GOV, "name": "sales"}
    # The ontology's most sensitive level as given (here not the bundled `pii`): untagged columns fail closed.
    assert tags["lf_tag"] == [{"key": "domain", "value": "sales"}, {"key": "classification", "value": "restricted"}]
    assert depends_on_types(tags) == {"aws_glue_catalog_database", LAKE_SETTINGS}


def test_data_cells_filter_excludes_several_columns_sorted_and_keeps_every_row():
    from modules.constructs.data_cells_filter import DataCellsFilter

    res = synth(lambda s: DataCellsFilter(
        s, "f", catalog_id=GOV, database="sales", table="customers", name="customers__upto_internal",
        excluded_columns=("phone", "email", "birth_date"), after=[settings(s)]))
    cells_filter = only(res, "aws_lakeformation_data_cells_filter")
    [data] = cells_filter["table_data"]
    assert (data["table_catalog_id"], data["database_name"], data["table_name"], data["name"]) == (
        GOV, "sales", "customers", "customers__upto_internal")
    assert data["column_wildcard"] == [{"excluded_column_names": ["birth_date", "email", "phone"]}]
    assert data["row_filter"] == [{"all_rows_wildcard": [{}]}] and "column_names" not in data
    assert depends_on_types(cells_filter) == {LAKE_SETTINGS}


def test_etl_role_of_a_domain_without_subscriptions_or_pipelines_holds_only_its_own_lake():
    from modules.constructs.etl_role import EtlRole

    buckets = ["x-raw", "x-stage", "x-analytics"]
    res = synth(lambda s: EtlRole(s, "etl", name="x-dev-hr-etl", account=DOMAIN, region=REGION, governance=GOV,
                                  domain="hr", buckets=buckets, key_arn=KEY, read_statements=[]))
    role = only(res, "aws_iam_role")
    trust = json.loads(role["assume_role_policy"])["Statement"]
    assert trust == [{"Sid": "GlueJobs", "Effect": "Allow", "Action": ["sts:AssumeRole"],
                      "Principal": {"Service": "glue.amazonaws.com"}}]
    assert role["max_session_duration"] == 3600
    policy = policy_of(res)
    by_sid = {st["Sid"]: st for st in policy["Statement"]}
    assert list(by_sid) == ["OwnLakeObjects", "OwnLakeBuckets", "OwnLakeKey", "OwnTablesInGovernanceCatalog"]
    assert by_sid["OwnLakeObjects"]["Resource"] == sorted(f"arn:aws:s3:::{b}/*" for b in buckets)
    assert by_sid["OwnLakeBuckets"]["Resource"] == sorted(f"arn:aws:s3:::{b}" for b in buckets)
    assert by_sid["OwnLakeKey"]["Resource"] == [KEY]
    assert by_sid["OwnTablesInGovernanceCatalog"]["Resource"] == sorted([
        f"arn:aws:glue:{REGION}:{GOV}:catalog", f"arn:aws:glue:{REGION}:{GOV}:database/hr",
        f"arn:aws:glue:{REGION}:{GOV}:table/hr/*", f"arn:aws:glue:{REGION}:{DOMAIN}:catalog",
        f"arn:aws:glue:{REGION}:{DOMAIN}:database/hr", f"arn:aws:glue:{REGION}:{DOMAIN}:table/hr/*"])
    actions = all_actions(policy)
    # Partitions only (tables are the contract's), no Lake Formation data access without subscriptions.
    assert not actions & {"glue:CreateTable", "glue:UpdateTable", "glue:DeleteTable", "glue:CreateDatabase",
                          "lakeformation:GetDataAccess"}
    assert not any("*" in a for a in actions)


def test_fgac_reader_role_without_pipelines_writes_only_imports_in_stage():
    from modules.constructs.fgac_reader_role import FgacReaderRole
    from modules.constructs.mesh_access_policy import shared_catalog_statements

    res = synth(lambda s: FgacReaderRole(
        s, "fgac", name="x-dev-hr-etl-fgac", account=DOMAIN, domain="hr", stage_bucket="x-stage", key_arn=KEY,
        read_statements=shared_catalog_statements(REGION, DOMAIN, GOV, ["sales"])))
    policy = policy_of(res)
    by_sid = {st["Sid"]: st for st in policy["Statement"]}
    assert list(by_sid) == ["ReadSharedCatalog", "LakeFormationDataAccess", "GovernanceCatalogKeyThroughGlue",
                            "WriteImportsToStage", "ListImports", "StageKey"]   # no pipeline runtime statements
    assert by_sid["WriteImportsToStage"]["Resource"] == ["arn:aws:s3:::x-stage/imports/*"]
    assert by_sid["ListImports"]["Resource"] == ["arn:aws:s3:::x-stage"]
    s3_resources = {r for st in policy["Statement"] if any(a.startswith("s3:") for a in st["Action"])
                    for r in st["Resource"]}
    assert s3_resources == {"arn:aws:s3:::x-stage/imports/*", "arn:aws:s3:::x-stage"}  # nothing of analytics
    glue = by_sid["ReadSharedCatalog"]
    assert not any(a.startswith("glue:") and not a.startswith(("glue:Get", "glue:BatchGet")) for a in glue["Action"])
    assert json.loads(only(res, "aws_iam_role")["assume_role_policy"])["Statement"][0]["Principal"] == {
        "Service": "glue.amazonaws.com"}


def test_lf_tag_ontology_sorts_domains_but_keeps_the_ontology_order():
    from modules.constructs.lf_tag_ontology import LfTagOntology

    res = synth(lambda s: LfTagOntology(s, "tags", domains=["zeta", "alpha", "mid"],
                                        classifications=["unrestricted", "sensitive", "critical"],
                                        after=[settings(s)]))
    tags = {t["key"]: t for t in res["aws_lakeformation_lf_tag"].values()}
    assert set(tags) == {"domain", "classification"}
    assert tags["domain"]["values"] == ["alpha", "mid", "zeta"]
    # Least to most sensitive, as the spec lists it: never sorted alphabetically.
    assert tags["classification"]["values"] == ["unrestricted", "sensitive", "critical"]
    assert all(depends_on_types(t) == {LAKE_SETTINGS} for t in tags.values())


def test_location_registration_role_reaches_one_bucket_and_domain_keys_through_s3_only():
    from modules.constructs.location_registration import (
        LocationRegistration,
        registration_bucket_statements,
        registration_key_statement,
    )

    res = synth(lambda s: LocationRegistration(s, "loc", role_name="x-dev-lf-reg-hr", bucket="x-analytics",
                                               domain_account=DOMAIN, region=REGION, after=[settings(s)]))
    role = only(res, "aws_iam_role")
    assert json.loads(role["assume_role_policy"])["Statement"] == [
        {"Sid": "LakeFormationOnly", "Effect": "Allow", "Action": ["sts:AssumeRole"],
         "Principal": {"Service": "lakeformation.amazonaws.com"}}]
    by_sid = {st["Sid"]: st for st in policy_of(res)["Statement"]}
    assert by_sid["ObjectsOfTheRegisteredBucket"]["Resource"] == ["arn:aws:s3:::x-analytics/*"]
    assert by_sid["TheRegisteredBucket"]["Resource"] == ["arn:aws:s3:::x-analytics"]
    assert by_sid["DomainKeyThroughS3"]["Resource"] == [f"arn:aws:kms:{REGION}:{DOMAIN}:key/*"]
    assert by_sid["DomainKeyThroughS3"]["Condition"] == via("s3")
    location = only(res, "aws_lakeformation_resource")
    assert location["arn"] == "arn:aws:s3:::x-analytics"
    assert location["use_service_linked_role"] is False and location["hybrid_access_enabled"] is False
    assert location["role_arn"].startswith("${aws_iam_role.")
    assert depends_on_types(location) == {"aws_iam_role_policy", LAKE_SETTINGS}
    # The domain side of the same registration: the key and the bucket trust exactly that role.
    role_arn = f"arn:aws:iam::{GOV}:role/x-dev-lf-reg-hr"
    key = registration_key_statement(role_arn, REGION)
    assert key["Principal"] == {"AWS": role_arn} and key["Condition"] == via("s3") and key["Resource"] == "*"
    bucket = {st["Sid"]: st for st in registration_bucket_statements(role_arn, "x-analytics")}
    assert bucket["LakeFormationRegistrationRoleObjects"]["Resource"] == ["arn:aws:s3:::x-analytics/*"]
    assert bucket["LakeFormationRegistrationRoleBucket"]["Resource"] == ["arn:aws:s3:::x-analytics"]
    assert all(st["Principal"] == {"AWS": role_arn} for st in bucket.values())


def test_producer_grants_are_grantable_and_never_create_or_drop():
    from modules.constructs.producer_grants import ProducerGrants

    res = synth(lambda s: ProducerGrants(s, "p", domain_account=DOMAIN, database="hr",
                                         location_arn="arn:aws:s3:::x-analytics", after=[settings(s)]))
    grants = list(res["aws_lakeformation_permissions"].values())
    by_kind = {next(k for k in ("database", "table", "data_location") if k in g): g for g in grants}
    assert len(grants) == 3 and set(by_kind) == {"database", "table", "data_location"}
    assert by_kind["database"]["database"] == {"name": "hr"}
    assert by_kind["table"]["table"] == {"database_name": "hr", "wildcard": True}
    assert by_kind["data_location"]["data_location"] == {"arn": "arn:aws:s3:::x-analytics"}
    assert by_kind["database"]["permissions"] == ["DESCRIBE"]                       # no ALTER/DROP/CREATE_TABLE
    assert by_kind["table"]["permissions"] == ["ALTER", "DELETE", "DESCRIBE", "INSERT", "SELECT"]
    assert by_kind["data_location"]["permissions"] == ["DATA_LOCATION_ACCESS"]
    for g in grants:
        assert g["principal"] == DOMAIN and g["permissions_with_grant_option"] == g["permissions"]
        assert depends_on_types(g) == {LAKE_SETTINGS}


def test_resource_link_is_named_like_its_target_in_the_governance_catalog():
    from modules.constructs.resource_link import resource_link

    res = synth(lambda s: resource_link(s, "link", domain="hr", governance_account=GOV, region=REGION,
                                        depends_on=[settings(s)]))
    link = only(res, "aws_glue_catalog_database")
    assert link["name"] == "hr" and "catalog_id" not in link and "location_uri" not in link   # the own catalog
    assert link["target_database"] == {"catalog_id": GOV, "database_name": "hr", "region": REGION}
    assert depends_on_types(link) == {LAKE_SETTINGS}


def test_subscriber_without_principals_links_but_grants_nothing():
    from modules.constructs.subscriber_regrants import SubscriberRegrants

    res = synth(lambda s: SubscriberRegrants(s, "sub", governance_account=GOV, region=REGION, domains=["sales"],
                                             reads=[], principals=[], after=[]))
    assert only(res, "aws_glue_catalog_database")["target_database"]["catalog_id"] == GOV
    assert "aws_lakeformation_permissions" not in res


def test_subscriber_regrants_every_mechanism_on_the_governance_catalog_never_grantable():
    from modules.constructs.subscriber_regrants import SubscriberRegrants

    analyst, bi = f"arn:aws:iam::{CONSUMER}:role/Analyst", f"arn:aws:iam::{CONSUMER}:role/BI"
    reads = [(access(TABLE, "orders"), [analyst]), (access(INCLUDE_LIST, "customers", columns=("id", "country")),
                                                    [analyst, bi]),
             (access(CELLS_FILTER, "lines", hidden=("email",)), [bi])]
    res = synth(lambda s: SubscriberRegrants(s, "sub", governance_account=GOV, region=REGION, domains=["sales"],
                                             reads=reads, principals=[analyst, bi], after=[settings(s)]))
    grants = list(res["aws_lakeformation_permissions"].values())
    assert all("permissions_with_grant_option" not in g for g in grants)
    links = [g for g in grants if "database" in g]
    assert sorted(g["principal"] for g in links) == [analyst, bi]
    assert all(g["database"] == {"name": "sales"} and g["permissions"] == ["DESCRIBE"] for g in links)
    assert all(depends_on_types(g) == {"aws_glue_catalog_database"} for g in links)
    [table] = [g for g in grants if "table" in g]
    assert table["principal"] == analyst and table["permissions"] == ["DESCRIBE", "SELECT"]
    assert table["table"] == {"catalog_id": GOV, "database_name": "sales", "name": "orders"}
    columns = [g for g in grants if "table_with_columns" in g]
    assert sorted(g["principal"] for g in columns) == [analyst, bi]
    assert all(g["table_with_columns"] == {"catalog_id": GOV, "database_name": "sales", "name": "customers",
                                           "column_names": ["id", "country"]} and g["permissions"] == ["SELECT"]
               for g in columns)
    [cells] = [g for g in grants if "data_cells_filter" in g]
    assert cells["principal"] == bi and cells["permissions"] == ["SELECT"]     # no DESCRIBE on a shared filter
    assert cells["data_cells_filter"] == {"database_name": "sales", "table_name": "lines",
                                          "name": "lines__upto_internal", "table_catalog_id": GOV}
    assert all(depends_on_types(g) == {LAKE_SETTINGS} for g in [table, *columns, cells])


def test_subscription_grants_to_the_account_are_grantable_and_tag_keys_take_the_union():
    from modules.constructs.subscription_grants import (
        grant_database_describe,
        grant_table_read,
        grant_tag_key_describe,
        grant_tag_policies,
    )

    tag_grants = [TagAccess("ds", CONSUMER, "sales", ("public",)),
                  TagAccess("ds", CONSUMER, "finance", ("internal", "public"))]

    def build(s):
        grant_database_describe(s, "db", account=CONSUMER, database="sales", after=[])
        grant_tag_key_describe(s, "keys", tag_grants, after=[])
        grant_tag_policies(s, "policy", tag_grants[1], after=[])
        for mechanism, table in ((TABLE, "orders"), (INCLUDE_LIST, "customers"), (CELLS_FILTER, "lines")):
            grant_table_read(s, f"read_{table}", access(mechanism, table, columns=("id", "country")),
                             principal=CONSUMER, governance=GOV, grantable=True, depends_on=[])

    grants = synth(build)["aws_lakeformation_permissions"]       # top-level ids: the resource names themselves
    assert all(g["principal"] == CONSUMER and g["permissions_with_grant_option"] == g["permissions"]
               for g in grants.values())
    assert grants["db"]["database"] == {"name": "sales"} and grants["db"]["permissions"] == ["DESCRIBE"]
    # One grant per tag key with the union over the subscriber's tag grants (removing one never revokes a value
    # the other still needs).
    assert grants["keys_domain_tag"]["lf_tag"] == {"key": "domain", "values": ["finance", "sales"]}
    assert grants["keys_classification_tag"]["lf_tag"] == {"key": "classification", "values": ["internal", "public"]}
    assert grants["policy_finance_databases"]["lf_tag_policy"] == {
        "resource_type": "DATABASE", "expression": [{"key": "domain", "values": ["finance"]}]}
    assert grants["policy_finance_tables"]["lf_tag_policy"]["expression"] == [
        {"key": "domain", "values": ["finance"]}, {"key": "classification", "values": ["internal", "public"]}]
    assert grants["policy_finance_tables"]["permissions"] == ["DESCRIBE", "SELECT"]
    # Governance's own tables: no catalog id, except in a filter's identifier (it always names the table's catalog).
    assert grants["read_orders"]["table"] == {"database_name": "sales", "name": "orders"}
    assert grants["read_customers"]["table_with_columns"] == {"database_name": "sales", "name": "customers",
                                                              "column_names": ["id", "country"]}   # contract order
    assert grants["read_lines"]["data_cells_filter"]["table_catalog_id"] == GOV
    assert grants["read_lines"]["permissions"] == ["SELECT"]
