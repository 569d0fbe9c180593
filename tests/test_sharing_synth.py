"""Cross-account sharing as synthesized: governance grants to accounts, subscribers re-grant locally, classified
columns never reach a subscriber below their clearance, and removing a subscription removes exactly its grants."""
from __future__ import annotations

import json
import re

import pytest
import yaml

from meshform.cli import main
from meshform.loader import load_meshes
from meshform.synth import synthesize
from tests.conftest import Stack, copy_project, edit_yaml

pytestmark = pytest.mark.synth
ACCOUNT = re.compile(r"^\d{12}$")


def grants(stack: Stack) -> dict[str, dict]:
    return stack.resources("aws_lakeformation_permissions")


def test_governance_registers_each_domain_location_with_its_own_role(stack):
    gov = stack("dev-governance*")
    roles = {r["name"]: r for r in gov.resources("aws_iam_role").values() if "-lf-reg-" in r["name"]}
    assert set(roles) == {f"acme-dev-lf-reg-{d}" for d in ("sales", "marketing", "finance")}
    trust = json.loads(roles["acme-dev-lf-reg-sales"]["assume_role_policy"])["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "lakeformation.amazonaws.com"}]
    policies = {p["role"]: json.loads(p["policy"]) for p in gov.resources("aws_iam_role_policy").values()}
    sales_policy = next(v for k, v in policies.items() if "lf-reg-sales" in k or "location_sales" in k)
    resources = {r for s in sales_policy["Statement"] for r in (s["Resource"] if isinstance(s["Resource"], list)
                                                                else [s["Resource"]])}
    assert resources == {"arn:aws:s3:::acme-dev-sales-analytics-222222222222",
                         "arn:aws:s3:::acme-dev-sales-analytics-222222222222/*",
                         "arn:aws:kms:eu-west-1:222222222222:key/*"}
    locations = {r["arn"]: r for r in gov.resources("aws_lakeformation_resource").values()}
    sales = locations["arn:aws:s3:::acme-dev-sales-analytics-222222222222"]
    assert sales["use_service_linked_role"] is False and sales["hybrid_access_enabled"] is False
    assert sales["role_arn"] == "${aws_iam_role.location_sales_role_1745C96A.arn}"


def test_governance_grants_only_to_mesh_accounts(stack):
    for body in grants(stack("dev-governance*")).values():
        assert ACCOUNT.match(body["principal"]), body["principal"]     # never an IAM role of another account


def test_domain_gets_grantable_producer_rights_on_its_own_database_only(stack):
    mine = [g for g in grants(stack("dev-governance*")).values() if g["principal"] == "222222222222"]
    writes = [g for g in mine if set(g["permissions"]) - {"SELECT", "DESCRIBE"}]
    assert {json.dumps({k: g[k] for k in ("database", "table", "data_location") if k in g}, sort_keys=True)
            for g in writes} == {
        json.dumps({"table": {"database_name": "sales", "wildcard": True}}, sort_keys=True),
        json.dumps({"data_location": {"arn": "arn:aws:s3:::acme-dev-sales-analytics-222222222222"}}),
    }
    for g in writes:
        assert g["permissions_with_grant_option"] == g["permissions"]
        assert "ALL" not in g["permissions"] and "DROP" not in g["permissions"]
    # DESCRIBE only on the database: tables come from contracts through governance, never from ETL
    assert [g["permissions"] for g in mine if g.get("database", {}).get("name") == "sales"] == [["DESCRIBE"]]
    # what sales reads of other domains is only what it subscribed to (marketing.campaigns)
    reads = {g["table"]["name"] for g in mine if "table" in g and "name" in g["table"]}
    assert reads == {"campaigns", "campaign_spend"}


def test_pii_is_withheld_by_a_data_cells_filter_from_lower_clearance(stack):
    gov = stack("dev-governance*")
    filters = {f["table_data"][0]["name"]: f["table_data"][0]
               for f in gov.resources("aws_lakeformation_data_cells_filter").values()}
    orders = filters["orders__upto_confidential"]
    assert orders["column_wildcard"][0]["excluded_column_names"] == ["customer_email", "shipping_postcode"]
    assert orders["row_filter"] == [{"all_rows_wildcard": [{}]}]
    assert filters["web_sessions__upto_internal"]["column_wildcard"][0]["excluded_column_names"] == ["ip_address"]
    analytics = [g for g in grants(gov).values() if g["principal"] == "555555555555"]
    on_orders = [g for g in analytics if g.get("table", {}).get("name") == "orders"
                 or g.get("data_cells_filter", {}).get("table_name") == "orders"]
    assert len(on_orders) == 1 and on_orders[0]["data_cells_filter"]["name"] == "orders__upto_confidential"
    assert on_orders[0]["permissions_with_grant_option"] == ["SELECT"]     # never DESCRIBE on a filter
    # marketing has pii clearance: the whole customers table
    marketing = [g for g in grants(gov).values() if g["principal"] == "333333333333" and "table" in g]
    assert [g["table"]["name"] for g in marketing if g["table"].get("name")] == ["customers"]


def test_explicit_column_subset_is_a_grantable_include_list(stack):
    ds = [g for g in grants(stack("dev-governance*")).values()
          if g["principal"] == "666666666666" and "table_with_columns" in g]
    assert len(ds) == 1
    assert ds[0]["table_with_columns"]["column_names"] == ["customer_id", "country_code", "customer_segment",
                                                           "signup_date"]
    assert ds[0]["permissions_with_grant_option"] == ["SELECT"]


def test_tag_based_grant_for_a_class_of_data(stack):
    ds = [g for g in grants(stack("dev-governance*")).values() if g["principal"] == "666666666666"]
    policies = [g["lf_tag_policy"] for g in ds if "lf_tag_policy" in g]
    table_policy = next(p for p in policies if p["resource_type"] == "TABLE")
    assert {e["key"]: e["values"] for e in table_policy["expression"]} == {
        "domain": ["finance"], "classification": ["internal", "public"]}
    assert any(p["resource_type"] == "DATABASE" for p in policies)
    # the consumer re-grants by name, as the columns the tags cover (no tag-based re-grant: provider #26602)
    regrants = grants(stack("dev-consumer-data-science"))
    invoices = [g for g in regrants.values() if g.get("table_with_columns", {}).get("name") == "invoices"]
    assert invoices and all("net_amount" not in g["table_with_columns"]["column_names"] for g in invoices)


def test_consumer_links_and_regrants_to_its_principals(stack):
    c = stack("dev-consumer-analytics")
    links = {d["name"]: d for d in c.resources("aws_glue_catalog_database").values()}
    assert set(links) == {"sales", "marketing", "finance"}        # named like the shared database (Glue needs it)
    for domain, link in (("sales", links["sales"]), ("finance", links["finance"])):
        assert link["target_database"] == {"catalog_id": "111111111111", "database_name": domain,
                                           "region": "eu-west-1"}
    principals = {"arn:aws:iam::555555555555:role/Analyst", "arn:aws:iam::555555555555:role/BIService"}
    for g in grants(c).values():
        assert g["principal"] in principals and "permissions_with_grant_option" not in g
        target = g.get("table") or g.get("data_cells_filter") or g.get("table_with_columns")
        if target:
            assert target.get("catalog_id", target.get("table_catalog_id")) == "111111111111"
        else:
            assert "catalog_id" not in g["database"] and g["permissions"] == ["DESCRIBE"]   # the local link
    settings = c.one("aws_lakeformation_data_lake_settings")
    assert settings["trusted_resource_owners"] == ["111111111111"]
    assert settings["admins"] == ["arn:aws:iam::555555555555:role/mesh-deploy"]
    policy = json.loads(c.one("aws_iam_policy")["policy"])
    actions = {a for s in policy["Statement"] for a in s["Action"]}
    assert {"lakeformation:GetDataAccess", "glue:GetTable", "athena:StartQueryExecution"} <= actions
    attached = {a["role"] for a in c.resources("aws_iam_role_policy_attachment").values()}
    assert attached == {"Analyst", "BIService"}


def test_domain_side_trusts_registration_role_and_regrants_to_etl(stack):
    d = stack("dev-domain-sales")
    # The lake key (the domain also has a Redshift key: docs/redshift.md).
    lake_key = next(k for n, k in d.resources("aws_kms_key").items() if n.startswith("lake_key"))
    key_policy = json.loads(lake_key["policy"])
    lf = next(s for s in key_policy["Statement"] if s["Sid"] == "LakeFormationRegistrationRoleThroughS3")
    assert lf["Principal"] == {"AWS": "arn:aws:iam::111111111111:role/acme-dev-lf-reg-sales"}
    bucket_policies = [json.loads(p["policy"]) for p in d.resources("aws_s3_bucket_policy").values()]
    assert any(s.get("Principal") == {"AWS": "arn:aws:iam::111111111111:role/acme-dev-lf-reg-sales"}
               for p in bucket_policies for s in p["Statement"])
    etl = "arn:aws:iam::222222222222:role/acme-dev-sales-etl"
    own = [g for g in grants(d).values() if g["principal"] == etl and
           (g.get("database", {}).get("name") == "sales" or g.get("table", {}).get("database_name") == "sales"
            or "data_location" in g)]
    on_governance = [g for g in own if (g.get("database") or g.get("table") or g["data_location"]).get("catalog_id")]
    assert len(on_governance) == 3 and all((g.get("database") or g.get("table") or g["data_location"])["catalog_id"]
                                           == "111111111111" for g in on_governance)
    # ... plus DESCRIBE on its same-named link to its own database (how a Glue job addresses those tables)
    assert [g["permissions"] for g in own if g not in on_governance] == [["DESCRIBE"]]
    link = d.resources("aws_glue_catalog_database")["own_link"]
    assert link["name"] == "sales" and link["target_database"]["catalog_id"] == "111111111111"


def test_filtered_input_is_read_by_a_fine_grained_access_role_and_whole_tables_by_the_etl_role(stack):
    """finance (clearance confidential) reads sales.orders through a data cells filter: only its FGAC reader role
    receives that filter, never the full-table-access ETL role; marketing (clearance pii) reads sales.customers
    whole, through its ETL role, and has no FGAC role at all."""
    finance = stack("dev-domain-finance")
    roles = {r["name"]: r for r in finance.resources("aws_iam_role").values()}
    assert {n for n in roles if "-etl" in n} == {"acme-dev-finance-etl", "acme-dev-finance-etl-fgac"}
    fgac = "arn:aws:iam::444444444444:role/acme-dev-finance-etl-fgac"
    etl = "arn:aws:iam::444444444444:role/acme-dev-finance-etl"
    on_orders = {g["principal"]: g for g in grants(finance).values()
                 if g.get("data_cells_filter", {}).get("table_name") == "orders"}
    assert set(on_orders) == {fgac}
    assert on_orders[fgac]["permissions"] == ["SELECT"] and on_orders[fgac]["data_cells_filter"]["name"] == \
        "orders__upto_confidential"
    etl_reads = {(g.get("table") or g.get("table_with_columns") or g.get("data_cells_filter"))["name"]
                 for g in grants(finance).values() if g["principal"] == etl and "data_location" not in g
                 and (g.get("table") or g.get("table_with_columns") or g.get("data_cells_filter") or {}).get(
                     "database_name") == "sales"}
    assert etl_reads == {"order_lines"}                     # the product's unfiltered table, read whole
    policies = {p["name"]: json.loads(p["policy"]) for p in finance.resources("aws_iam_role_policy").values()}
    writes = next(s for s in policies["fgac-read"]["Statement"] if s["Sid"] == "WriteImportsToStage")
    assert writes["Resource"] == ["arn:aws:s3:::acme-dev-finance-stage-444444444444/imports/*"]
    assert not any("analytics" in r for s in policies["fgac-read"]["Statement"]
                   for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"]))
    marketing = stack("dev-domain-marketing")
    assert {r["name"] for r in marketing.resources("aws_iam_role").values()} == {"acme-dev-marketing-etl"}
    whole = [g for g in grants(marketing).values() if g.get("table", {}).get("name") == "customers"]
    assert [g["principal"] for g in whole] == ["arn:aws:iam::333333333333:role/acme-dev-marketing-etl"]


def test_removing_a_subscription_removes_exactly_its_grants_and_links(synth_root, tmp_path):
    def addresses(root):
        out = {}
        for path in (root / "cdktf.out" / "stacks").glob("dev-*/cdk.tf.json"):
            for rtype, name, body in Stack(path).all_resources():
                body = {k: v for k, v in body.items() if k != "//"}
                out[f"{path.parent.name}:{rtype}.{name}"] = json.dumps(body, sort_keys=True)
        return out

    after_root = copy_project(tmp_path / "after")
    edit_yaml(after_root / "environments" / "dev.yaml", lambda d: d.update(subscriptions=[
        s for s in d["subscriptions"]
        if not (s["subscriber"] == "analytics" and s["product"] == "finance.revenue_daily")]))
    synthesize(load_meshes(after_root, ["dev"]), after_root / "cdktf.out")
    before, after = addresses(synth_root), addresses(after_root)
    removed = sorted(set(before) - set(after))
    assert not set(after) - set(before)
    assert {r.split(":")[0] for r in removed} == {"dev-catalog-finance", "dev-consumer-analytics"}
    assert sorted(r.split(":")[1].rsplit("_", 1)[0] if r.startswith("dev-consumer") else r.split(":")[1]
                  for r in removed) == sorted([
        "aws_glue_catalog_database.shared_catalog_link_finance",
        "aws_lakeformation_permissions.shared_catalog_link_finance_describe_Analyst",
        "aws_lakeformation_permissions.shared_catalog_link_finance_describe_BIService",
        "aws_lakeformation_permissions.shared_catalog_read_finance_revenue_daily_table_Analyst",
        "aws_lakeformation_permissions.shared_catalog_read_finance_revenue_daily_table_BIService",
        "aws_lakeformation_permissions.share_db_analytics_finance",
        "aws_lakeformation_permissions.share_table_analytics_finance_revenue_daily",
    ])
    changed = sorted(a for a in set(before) & set(after) if before[a] != after[a])
    # the only other change: analysts' IAM no longer names the finance databases
    assert [c.split(":")[1].split(".")[0] for c in changed] == ["aws_iam_policy"]


def test_standalone_accounts_accept_recorded_ram_shares(tmp_path, capsys):
    root = copy_project(tmp_path / "project")
    edit_yaml(root / "environments" / "dev.yaml", lambda d: d.pop("organization_id"))
    assert main(["--root", str(root), "validate", "--env", "dev"]) == 0
    out = capsys.readouterr().out
    assert "NOTICE dev: accounts are standalone" in out and "meshform ram-handshake --env dev" in out
    share = "arn:aws:ram:eu-west-1:111111111111:resource-share/7d5f4c1e-0000-4000-8000-000000000001"
    (root / "handshake" / "dev").mkdir(parents=True)
    for name in ("analytics", "data-science", "sales", "marketing", "finance"):
        (root / "handshake" / "dev" / f"{name}.yaml").write_text(f"share_arns: ['{share}']\n")
    mesh = load_meshes(root, ["dev"])[0]
    assert not mesh.notices
    synthesize([mesh], root / "cdktf.out")
    accepter = Stack(root / "cdktf.out" / "stacks" / "dev-consumer-analytics" / "cdk.tf.json").one(
        "aws_ram_resource_share_accepter")
    assert accepter["share_arn"] == share and accepter["lifecycle"]["prevent_destroy"] is True
    (root / "handshake" / "dev" / "sales.yaml").write_text(
        "share_arns: ['arn:aws:ram:eu-west-1:999999999999:resource-share/x']\n")
    assert main(["--root", str(root), "validate", "--env", "dev"]) == 1
    assert "is not a RAM share of the governance account 111111111111" in capsys.readouterr().err


def test_access_report_lists_columns_and_reasons(capsys):
    assert main(["access", "--env", "dev"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("| analytics") and "| orders |" in line)
    assert "data cells filter" in row and "customer_email, shipping_postcode |" in row
    assert "withholds customer_email (pii), shipping_postcode (pii)" in row
    assert "customer_email" not in row.split("|")[5]          # not among the readable columns
    ds = next(line for line in out.splitlines() if line.startswith("| data-science") and "| customers |" in line)
    assert "column include-list" in ds and "explicit column subset" in ds


def test_a_contract_change_touches_only_its_domains_catalog_stack(synth_root, tmp_path):
    """One state per domain catalog: adding a column to sales.customers changes dev-catalog-sales (and at most
    the stacks of that product's subscribers), never dev-governance or another domain's catalog."""
    root = copy_project(tmp_path / "changed")
    path = root / "contracts" / "sales" / "customers.yaml"
    contract = yaml.safe_load(path.read_text())
    contract["schema"][0]["properties"].append({
        "name": "loyalty_tier", "physicalName": "loyalty_tier", "logicalType": "string", "physicalType": "string",
        "description": "Loyalty programme tier.", "classification": "confidential"})
    path.write_text(yaml.safe_dump(contract, sort_keys=False))
    synthesize(load_meshes(root, ["dev"]), root / "cdktf.out")
    changed = {p.parent.name for p in (root / "cdktf.out" / "stacks").glob("dev-*/cdk.tf.json")
               if p.read_bytes() != (synth_root / "cdktf.out" / "stacks" / p.parent.name / "cdk.tf.json").read_bytes()}
    subscribers = {"dev-domain-marketing", "dev-consumer-data-science"}
    # dev's sales has a Redshift warehouse: its own stack holds the product's Redshift table (docs/redshift.md).
    assert "dev-catalog-sales" in changed and changed <= {"dev-catalog-sales", "dev-domain-sales", *subscribers}, \
        changed
