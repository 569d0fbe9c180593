"""`meshform audit` without AWS: the expected grants are exactly the ones the stacks synthesize, and each comparison
rule classifies constructed live states (in the shapes AWS answers) correctly."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from meshform import lf_grants
from meshform.audit import compare
from meshform.audit.expected import expected_state
from meshform.audit.normalize import declared_atoms, live_atoms, live_key
from meshform.audit.report import (
    CHANGED,
    ERROR,
    EXIT_CLEAN,
    EXIT_DRIFT,
    EXIT_ERROR,
    EXTRA,
    IAM_ALLOWED,
    MISSING,
    UNKNOWN_PRINCIPAL,
    Finding,
    Report,
    render_json,
    render_markdown,
)
from meshform.loader import load_meshes

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def mesh():
    return load_meshes(REPO, ["dev"])[0]


@pytest.fixture(scope="module")
def expected(mesh):
    return {e.account.name: e for e in expected_state(mesh)}


def listed(grant: lf_grants.LfGrant, account: str) -> list[dict]:
    """How ListPermissions in `account` answers one grant (AWS's shapes: the provider's filter.go)."""
    r, c = grant.resource, grant.resource.catalog_id or account
    perms, grantable = set(grant.permissions), set(grant.permissions) if grant.grantable else set()

    def entry(resource, p):
        return {"Principal": {"DataLakePrincipalIdentifier": grant.principal}, "Resource": resource,
                "Permissions": sorted(p), "PermissionsWithGrantOption": sorted(p & grantable)}

    if r.kind in (lf_grants.TABLE, lf_grants.ALL_TABLES):
        name = r.table if r.kind == lf_grants.TABLE else "ALL_TABLES"
        table = {"CatalogId": c, "DatabaseName": r.database, "Name": name}
        if r.kind == lf_grants.ALL_TABLES:
            table["TableWildcard"] = {}
        out = [entry({"Table": table}, perms - {"SELECT"})] if perms - {"SELECT"} else []
        if "SELECT" in perms:
            out.append(entry({"TableWithColumns": {"CatalogId": c, "DatabaseName": r.database, "Name": name,
                                                   "ColumnWildcard": {}}}, {"SELECT"}))
        return out
    resource = {
        lf_grants.DATABASE: lambda: {"Database": {"CatalogId": c, "Name": r.database}},
        lf_grants.COLUMNS: lambda: {"TableWithColumns": {"CatalogId": c, "DatabaseName": r.database, "Name": r.table,
                                                         "ColumnNames": sorted(r.columns)}},
        lf_grants.FILTER: lambda: {"DataCellsFilter": {"TableCatalogId": c, "DatabaseName": r.database,
                                                       "TableName": r.table, "Name": r.filter_name}},
        lf_grants.LOCATION: lambda: {"DataLocation": {"CatalogId": c, "ResourceArn": r.arn}},
        lf_grants.LF_TAG: lambda: {"LFTag": {"CatalogId": c, "TagKey": r.tag_key, "TagValues": sorted(r.tag_values)}},
        lf_grants.LF_TAG_POLICY: lambda: {"LFTagPolicy": {"CatalogId": c, "ResourceType": r.resource_type,
                                                          "Expression": [{"TagKey": k, "TagValues": sorted(v)}
                                                                         for k, v in r.expression]}},
    }[r.kind]()
    return [entry(resource, perms)]


def listed_account(mesh, account: str) -> list[dict]:
    return [e for g in lf_grants.declared_grants(mesh)[account] for e in listed(g, account)]


# ---- the expected grants are the synthesized ones ------------------------------------------------------------
def _synth_key(body: dict, account: str):
    """A synthesized aws_lakeformation_permissions, as the resource key ListPermissions would answer."""
    def block(name):
        value = body.get(name)
        return value[0] if isinstance(value, list) else value

    if block("data_cells_filter"):
        b = block("data_cells_filter")
        return live_key({"DataCellsFilter": {"TableCatalogId": b.get("table_catalog_id"), "DatabaseName":
                                             b["database_name"], "TableName": b["table_name"], "Name": b["name"]}},
                        account)
    if block("table_with_columns"):
        b = block("table_with_columns")
        return live_key({"TableWithColumns": {"CatalogId": b.get("catalog_id"), "DatabaseName": b["database_name"],
                                              "Name": b["name"], "ColumnNames": b["column_names"]}}, account)
    if block("table"):
        b = block("table")
        return live_key({"Table": {"CatalogId": b.get("catalog_id"), "DatabaseName": b["database_name"],
                                   "Name": b.get("name"), **({"TableWildcard": {}} if b.get("wildcard") else {})}},
                        account)
    if block("database"):
        b = block("database")
        return live_key({"Database": {"CatalogId": b.get("catalog_id"), "Name": b["name"]}}, account)
    if block("data_location"):
        b = block("data_location")
        return live_key({"DataLocation": {"CatalogId": b.get("catalog_id"), "ResourceArn": b["arn"]}}, account)
    if block("lf_tag"):
        b = block("lf_tag")
        return live_key({"LFTag": {"TagKey": b["key"], "TagValues": b["values"]}}, account)
    b = block("lf_tag_policy")
    return live_key({"LFTagPolicy": {"ResourceType": b["resource_type"], "Expression": [
        {"TagKey": t["key"], "TagValues": t["values"]} for t in b["expression"]]}}, account)


@pytest.mark.synth
@pytest.mark.parametrize("env", ["dev", "prod"])
def test_declared_grants_are_exactly_the_synthesized_lake_formation_permissions(synth_root, env):
    mesh = load_meshes(synth_root, [env])[0]
    synthesized: dict[str, dict] = {a: {} for a in mesh.all_accounts()}
    for path in sorted((synth_root / "cdktf.out" / "stacks").glob(f"{env}-*/cdk.tf.json")):
        stack = json.loads(path.read_text())
        if "aws" not in stack.get("provider", {}):
            continue                                  # the delivery stack (backend: cloud): tfe resources only
        account = stack["provider"]["aws"][0]["allowed_account_ids"][0]
        for body in stack.get("resource", {}).get("aws_lakeformation_permissions", {}).values():
            grantable = set(body.get("permissions_with_grant_option") or [])
            for permission in body["permissions"]:
                atom = (body["principal"], _synth_key(body, account), permission)
                assert atom not in synthesized[account], f"{path.parent.name}: two resources for {atom}"
                synthesized[account][atom] = permission in grantable
    declared = {a: declared_atoms(g, a) for a, g in lf_grants.declared_grants(mesh).items()}
    assert sum(len(v) for v in synthesized.values()) > 100
    assert declared == synthesized


@pytest.mark.synth
def test_declared_tag_assignments_are_exactly_the_synthesized_resource_lf_tags(synth_root):
    mesh = load_meshes(synth_root, ["dev"])[0]
    synthesized: dict[tuple[str, ...], dict[str, str]] = {}
    for path in sorted((synth_root / "cdktf.out" / "stacks").glob("dev-catalog-*/cdk.tf.json")):
        for body in json.loads(path.read_text())["resource"]["aws_lakeformation_resource_lf_tags"].values():
            tags = {t["key"]: t["value"] for t in body["lf_tag"]}
            if body.get("database"):
                resource: tuple[str, ...] = ("database", body["database"]["name"])
            else:
                twc = body["table_with_columns"]
                (column,) = twc["column_names"]
                resource = ("column", twc["database_name"], twc["name"], column)
            assert resource not in synthesized
            synthesized[resource] = tags
    assert len(synthesized) > 20
    assert lf_grants.declared_tag_assignments(mesh) == synthesized


# ---- comparisons on constructed states ---------------------------------------------------------------------
def test_the_declared_state_in_aws_shapes_is_clean(mesh, expected):
    for exp in expected.values():
        live = live_atoms(listed_account(mesh, exp.account_id), exp.account_id)
        assert compare.compare_permissions(exp, live) == []


def test_table_select_as_table_with_columns_and_column_wildcard_is_the_whole_table(mesh, expected):
    exp = expected["analytics"]
    whole = next(g for g in lf_grants.declared_grants(mesh)[exp.account_id] if g.resource.kind == lf_grants.TABLE)
    entries = listed(whole, exp.account_id)
    assert [next(iter(e["Resource"])) for e in entries] == ["Table", "TableWithColumns"]
    assert live_key(entries[0]["Resource"], exp.account_id) == live_key(entries[1]["Resource"], exp.account_id)


def _kinds(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return sorted((f.section, f.kind, f.principal) for f in findings)


def test_extra_missing_changed_unknown_and_iam_allowed_principals(mesh, expected):
    exp = expected["analytics"]
    entries = listed_account(mesh, exp.account_id)
    revoked = entries.pop(0)
    entries[0] = {**entries[0], "PermissionsWithGrantOption": list(entries[0]["Permissions"])}   # now grantable
    analyst = "arn:aws:iam::555555555555:role/Analyst"
    stranger = "arn:aws:iam::555555555555:role/Contractor"
    finance = {"Table": {"CatalogId": mesh.governance_account, "DatabaseName": "finance", "Name": "invoices"}}
    entries += [
        {"Principal": {"DataLakePrincipalIdentifier": analyst}, "Resource": finance, "Permissions": ["DESCRIBE"]},
        {"Principal": {"DataLakePrincipalIdentifier": stranger}, "Resource": finance, "Permissions": ["DESCRIBE"]},
        {"Principal": {"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"},
         "Resource": {"Database": {"CatalogId": exp.account_id, "Name": "sales"}}, "Permissions": ["ALL"]},
        # an admin's implicit permissions on its own catalog are not drift
        {"Principal": {"DataLakePrincipalIdentifier": mesh.deploy_role_arn(exp.account_id)},
         "Resource": {"Database": {"CatalogId": exp.account_id, "Name": "sales"}}, "Permissions": ["ALL"]},
    ]
    findings = compare.compare_permissions(exp, live_atoms(entries, exp.account_id))
    by_kind = {f.kind: f for f in findings}
    assert sorted(by_kind) == sorted([MISSING, CHANGED, EXTRA, UNKNOWN_PRINCIPAL, IAM_ALLOWED])
    assert len(findings) == 5
    assert by_kind[MISSING].principal == revoked["Principal"]["DataLakePrincipalIdentifier"]
    assert by_kind[MISSING].hint.startswith("re-apply dev-consumer-analytics")
    assert by_kind[EXTRA].principal == analyst and by_kind[EXTRA].permissions == ("DESCRIBE",)
    assert by_kind[EXTRA].resource == "table 111111111111:finance.invoices"
    assert by_kind[UNKNOWN_PRINCIPAL].principal == stranger
    assert "grantable yes (declared no)" in by_kind[CHANGED].permissions[0]


def test_settings_admins_and_iam_allowed_principals_defaults(expected):
    exp = expected["governance"]
    intended = exp.settings
    clean = {"DataLakeAdmins": [{"DataLakePrincipalIdentifier": a} for a in intended.admins],
             "ReadOnlyAdmins": [{"DataLakePrincipalIdentifier": a} for a in intended.read_only_admins],
             "Parameters": {"CROSS_ACCOUNT_VERSION": "4"}}
    assert compare.compare_settings(exp, clean) == []
    drifted = {**clean, "DataLakeAdmins": clean["DataLakeAdmins"][1:] + [
        {"DataLakePrincipalIdentifier": "arn:aws:iam::111111111111:role/Intern"}],
        "CreateTableDefaultPermissions": [{"Principal": {"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"},
                                           "Permissions": ["ALL"]}],
        "Parameters": {"CROSS_ACCOUNT_VERSION": "3"}}
    assert _kinds(compare.compare_settings(exp, drifted)) == sorted([
        ("admins", EXTRA, "arn:aws:iam::111111111111:role/Intern"), ("admins", MISSING, intended.admins[0]),
        ("settings", IAM_ALLOWED, "IAM_ALLOWED_PRINCIPALS"), ("settings", CHANGED, "")])
    databases = [{"Name": "sales", "CreateTableDefaultPermissions": [
        {"Principal": {"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"}, "Permissions": ["ALL"]}]},
        {"Name": "finance", "CreateTableDefaultPermissions": []}]
    found = compare.compare_database_defaults(exp, databases)
    assert [(f.kind, f.resource) for f in found] == [
        (IAM_ALLOWED, "CreateTableDefaultPermissions of database 111111111111:sales")]


def test_locations_filters_and_lf_tags(mesh, expected):
    exp = expected["governance"]
    locations = [{"ResourceArn": arn, "RoleArn": role} for arn, role in exp.locations.items()]
    assert compare.compare_locations(exp, locations) == []
    first = locations.pop(0)
    locations.append({"ResourceArn": "arn:aws:s3:::somebody-elses-bucket", "RoleArn": first["RoleArn"]})
    locations[0] = {**locations[0], "RoleArn": "arn:aws:iam::111111111111:role/other"}
    found = {f.kind: f for f in compare.compare_locations(exp, locations)}
    assert sorted(found) == [CHANGED, EXTRA, MISSING]
    assert found[MISSING].resource == f"registered location {first['ResourceArn']}"
    assert found[MISSING].hint == f"re-apply dev-catalog-{first['RoleArn'].rsplit('-', 1)[-1]}"

    filters = [{"TableCatalogId": exp.account_id, "DatabaseName": db, "TableName": t, "Name": n,
                "ColumnWildcard": {"ExcludedColumnNames": list(excluded)}, "RowFilter": {"AllRowsWildcard": {}}}
               for (db, t, n), excluded in exp.filters.items()]
    assert len(filters) >= 2 and compare.compare_filters(exp, filters) == []
    gone = filters.pop(0)
    filters[0] = {**filters[0], "RowFilter": {"FilterExpression": "country = 'DE'"}}
    filters.append({**gone, "Name": "everything", "ColumnWildcard": {}})
    found = {f.kind: f for f in compare.compare_filters(exp, filters)}
    assert sorted(found) == [CHANGED, EXTRA, MISSING]
    assert "rows where country = 'DE'" in found[CHANGED].permissions

    tags = [{"CatalogId": exp.account_id, "TagKey": k, "TagValues": list(v)} for k, v in exp.lf_tags.items()]
    assert compare.compare_lf_tags(exp, tags) == []
    tags[0] = {**tags[0], "TagValues": [*tags[0]["TagValues"][1:], "hr"]}
    tags.append({"CatalogId": exp.account_id, "TagKey": "cost", "TagValues": ["low"]})
    found = {f.kind: f for f in compare.compare_lf_tags(exp, tags)}
    assert sorted(found) == [CHANGED, EXTRA]
    assert found[CHANGED].permissions == ("+hr", f"-{exp.lf_tags[tags[0]['TagKey']][0]}")


def test_tag_assignments(expected):
    exp = expected["governance"]
    live = {k: dict(v) for k, v in exp.tag_assignments.items()}
    assert compare.compare_tag_assignments(exp, live) == []
    column = next(k for k in live if k[0] == "column")
    declared = live[column]["classification"]
    live[column]["classification"] = "pii"
    live[("table", column[1], column[2])] = {"classification": "public"}
    database = next(k for k in live if k[0] == "database")
    del live[database]["domain"]
    found = {f.kind: f for f in compare.compare_tag_assignments(exp, live)}
    assert sorted(found) == [CHANGED, EXTRA, MISSING]
    assert found[CHANGED].resource == f"LF-tags of column 111111111111:{'.'.join(column[1:])}"
    assert found[CHANGED].permissions == ("classification=pii", f"declared classification={declared}")
    assert found[EXTRA].permissions == ("classification=public",)
    assert found[MISSING].permissions == (f"domain={database[1]}",)
    assert found[MISSING].hint == f"re-apply dev-catalog-{database[1]}"


def test_ram_shares_in_an_organization_and_standalone(mesh, expected):
    exp = expected["analytics"]
    gov = mesh.governance_account
    lf_share = {"resourceShareArn": f"arn:aws:ram:eu-west-1:{gov}:resource-share/lf1", "name": "LakeFormation-V4-x",
                "owningAccountId": gov, "status": "ACTIVE"}
    other = {"resourceShareArn": "arn:aws:ram:eu-west-1:333333333333:resource-share/o1", "name": "side-door",
             "owningAccountId": "333333333333", "status": "ACTIVE"}
    assert compare.compare_ram(exp, [lf_share]) == []
    assert _kinds(compare.compare_ram(exp, [lf_share, other])) == [("ram", EXTRA, "333333333333")]
    assert _kinds(compare.compare_ram(exp, [])) == [("ram", MISSING, gov)]
    standalone = replace(exp, handshake_shares=(lf_share["resourceShareArn"], "arn:aws:ram:eu-west-1:x:y/z"))
    assert _kinds(compare.compare_ram(standalone, [lf_share])) == [("ram", MISSING, gov)]
    unrecorded = replace(exp, handshake_shares=("arn:aws:ram:eu-west-1:x:y/z",))
    assert _kinds(compare.compare_ram(unrecorded, [lf_share])) == [("ram", EXTRA, gov), ("ram", MISSING, gov)]


def test_report_exit_codes_and_stable_renderings(expected):
    accounts = [e.account for e in expected.values()]
    report = Report("dev", "eu-west-1", accounts)
    assert report.exit_code == EXIT_CLEAN
    assert "**CLEAN**" in render_markdown(report)
    finding = Finding("555555555555", "permissions", EXTRA, "arn:aws:iam::555555555555:role/Analyst",
                      "table 111111111111:finance.invoices", ("DESCRIBE",), "revoke | it")
    report.add([finding, finding])
    assert report.exit_code == EXIT_DRIFT and report.counts()[EXTRA] == 1
    text = render_markdown(report)
    assert "| permissions | arn:aws:iam::555555555555:role/Analyst | table 111111111111:finance.invoices | " \
           "DESCRIBE | revoke \\| it |" in text
    assert "### extra (1)" in text and "**DRIFT**: 1 finding(s)" in text
    assert render_json(report) == render_json(report)
    data = json.loads(render_json(report))
    assert data["exit_code"] == EXIT_DRIFT and list(data) == sorted(data)
    report.add([Finding("111111111111", "access", ERROR, "r", "cannot read", (), "fix")])
    assert report.exit_code == EXIT_ERROR


class _Denied:
    """A read-only client whose every call is refused, as AWS answers a role without the permission."""

    def __init__(self, service: str):
        self.service = service

    def can_paginate(self, _operation: str) -> bool:
        return False

    def __getattr__(self, operation: str):
        from botocore.exceptions import ClientError

        def call(**_kwargs):
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}},
                              "".join(part.title() for part in operation.split("_")))
        return call


class _DeniedSession:
    def client(self, service: str) -> _Denied:
        return _Denied(service)


def test_access_denied_on_a_read_is_an_error_naming_account_role_and_call(mesh, expected):
    from meshform.audit.collectors import LakeFormationCollector, RamCollector

    exp = expected["analytics"]
    findings = LakeFormationCollector().audit(mesh, exp, _DeniedSession()) + \
        RamCollector().audit(mesh, exp, _DeniedSession())
    assert {f.kind for f in findings} == {ERROR}
    assert {f.section for f in findings} == {"settings", "permissions", "locations", "filters", "lf-tags", "ram"}
    permissions = next(f for f in findings if f.section == "permissions")
    assert permissions.principal == mesh.deploy_role_arn(exp.account_id)
    assert permissions.resource == "could not read the Lake Formation permissions (ListPermissions)"
    assert permissions.permissions == ("ListPermissions: AccessDeniedException (not allowed)",)
    assert permissions.hint == f"allow it to {mesh.deploy_role_arn(exp.account_id)} (meshform audit reads as the " \
                               "deploy role)"


def test_redshift_datashares_of_a_producer(mesh, expected):
    """dev: sales produces the datashares of its products; analytics subscribes to sales.orders via redshift and
    gets the clearance share (its orders view withholds the pii columns)."""
    from meshform.redshift import model

    sales, analytics, science = (mesh.account_of(n) for n in ("sales", "analytics", "data-science"))
    names = sorted(s.name for p in mesh.domain_products("sales") for s in model.product_shares(mesh, p))
    arn = f"arn:aws:redshift:{mesh.region}:{sales}:datashare:ns-1/"

    def share(name: str, *associations: tuple[str, str]) -> dict:
        return {"DataShareArn": arn + name, "ProducerArn": "ns",
                "DataShareAssociations": [{"ConsumerIdentifier": c, "Status": s} for c, s in associations]}

    clean = [share(n, *([(analytics, "ACTIVE")] if n == "orders__upto_confidential" else [])) for n in names]
    assert "orders__upto_confidential" in names and "orders" in names
    assert compare.compare_datashares(mesh, expected["sales"], "sales", clean) == []
    # a share of another producer (visible to sales as a consumer) is not sales' business
    foreign = {"DataShareArn": f"arn:aws:redshift:{mesh.region}:{science}:datashare:ns-2/x"}
    assert compare.compare_datashares(mesh, expected["sales"], "sales", [*clean, foreign]) == []
    drifted = [share(n, *([(analytics, "DEAUTHORIZED")] if n == "orders__upto_confidential" else
                          [(science, "PENDING_AUTHORIZATION")] if n == "customers" else [])) for n in names
               if n != "orders"] + [share("side_share")]
    found = {(f.kind, f.principal, f.resource, f.permissions)
             for f in compare.compare_datashares(mesh, expected["sales"], "sales", drifted)}
    assert found == {
        (MISSING, analytics, "datashare orders__upto_confidential", ("DEAUTHORIZED",)),
        (EXTRA, science, "datashare customers", ("PENDING_AUTHORIZATION",)),
        (MISSING, "", "datashare orders", ()),
        (EXTRA, "", "datashare side_share", ()),
    }
    # the most usable association of an account counts (account-level and namespace-level entries)
    both = [share(n, *([(analytics, "DEAUTHORIZED"), (f"arn:aws:redshift-serverless:{mesh.region}:{analytics}:"
                                                        "namespace/x", "ACTIVE")]
                       if n == "orders__upto_confidential" else [])) for n in names]
    assert compare.compare_datashares(mesh, expected["sales"], "sales", both) == []
