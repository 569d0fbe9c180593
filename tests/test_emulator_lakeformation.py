"""The strict Lake Formation emulator rejects what AWS rejects (each test shows AWS's error code) and answers
ListPermissions in AWS's shapes, which the Terraform provider's read (filter.go) expects."""
from __future__ import annotations

import pytest

from tests.emulator_fixtures import CONSUMER, GOV, LOCATION, build_lake, rejects, server  # noqa: F401

ANALYST = f"arn:aws:iam::{CONSUMER}:role/Analyst"
STEWARD = f"arn:aws:iam::{GOV}:role/Steward"
CUSTOMERS = {"Table": {"DatabaseName": "sales", "Name": "customers"}}
FILTER = {"DataCellsFilter": {"TableCatalogId": GOV, "DatabaseName": "sales", "TableName": "customers",
                              "Name": "no_email"}}


@pytest.fixture(scope="module")
def lake(server):  # noqa: F811
    return build_lake(server.url)


def p(identifier: str) -> dict:
    return {"DataLakePrincipalIdentifier": identifier}


def listed(lf, principal: str, resource: dict, **kw) -> list[tuple[dict, list, list]]:
    out = lf.list_permissions(Principal=p(principal), Resource=resource, **kw)["PrincipalResourcePermissions"]
    return [(e["Resource"], e["Permissions"], e["PermissionsWithGrantOption"]) for e in out]


# ---- things that do not exist
@pytest.mark.parametrize("resource,code", [
    ({"Database": {"Name": "nope"}}, "EntityNotFoundException"),
    ({"Table": {"DatabaseName": "sales", "Name": "nope"}}, "EntityNotFoundException"),
    ({"Table": {"DatabaseName": "nope", "TableWildcard": {}}}, "EntityNotFoundException"),
    ({"TableWithColumns": {"DatabaseName": "sales", "Name": "customers", "ColumnNames": ["nope"]}},
     "InvalidInputException"),
    ({"DataCellsFilter": {**FILTER["DataCellsFilter"], "Name": "nope"}}, "EntityNotFoundException"),
    ({"LFTag": {"TagKey": "nope", "TagValues": ["x"]}}, "EntityNotFoundException"),
    ({"LFTag": {"TagKey": "classification", "TagValues": ["secret"]}}, "EntityNotFoundException"),
    ({"LFTagPolicy": {"ResourceType": "TABLE", "Expression": [{"TagKey": "classification",
                                                               "TagValues": ["secret"]}]}},
     "EntityNotFoundException"),
    ({"DataLocation": {"ResourceArn": "arn:aws:s3:::not-registered"}}, "InvalidInputException"),
])
def test_grants_on_what_does_not_exist_fail(lake, resource, code):
    lf = lake[0]("lakeformation")
    kind = next(iter(resource))
    perms = {"DataLocation": ["DATA_LOCATION_ACCESS"], "Database": ["DESCRIBE"], "LFTag": ["DESCRIBE"]}.get(
        kind, ["SELECT"])
    rejects(code, lf.grant_permissions, Principal=p(STEWARD), Resource=resource, Permissions=perms)


# ---- request rules
@pytest.mark.parametrize("resource,perms,grantable", [
    ({"Database": {"Name": "sales"}}, ["DATA_LOCATION_ACCESS"], []),          # not a database permission
    (CUSTOMERS, ["CREATE_TABLE"], []),                                        # not a table permission
    ({"DataLocation": {"ResourceArn": LOCATION}}, ["SELECT"], []),
    ({"TableWithColumns": {"DatabaseName": "sales", "Name": "customers", "ColumnNames": ["email"]}},
     ["DESCRIBE"], []),                                                       # column lists are SELECT only
    (CUSTOMERS, ["DESCRIBE"], ["SELECT"]),                                    # grant option not a subset
    (CUSTOMERS, [], []),                                                      # no permissions
    ({}, ["SELECT"], []),                                                     # empty resource
    ({**CUSTOMERS, "Database": {"Name": "sales"}}, ["DESCRIBE"], []),         # two kinds
    ({"Table": {"DatabaseName": "sales", "Name": "customers", "TableWildcard": {}}}, ["SELECT"], []),
    ({"TableWithColumns": {"DatabaseName": "sales", "Name": "customers",       # grant option + exclude list
                           "ColumnWildcard": {"ExcludedColumnNames": ["email"]}}}, ["SELECT"], ["SELECT"]),
])
def test_invalid_grants_fail(lake, resource, perms, grantable):
    lf = lake[0]("lakeformation")
    rejects("InvalidInputException", lf.grant_permissions, Principal=p(STEWARD), Resource=resource,
            Permissions=perms, PermissionsWithGrantOption=grantable)


@pytest.mark.parametrize("principal", ["not a principal", "12345", "arn:aws:iam::111111111111:group/x",
                                       "arn:aws:iam::111111111111:role/DoesNotExist"])
def test_invalid_principals_fail(lake, principal):
    rejects("InvalidInputException", lake[0]("lakeformation").grant_permissions, Principal=p(principal),
            Resource={"Database": {"Name": "sales"}}, Permissions=["DESCRIBE"])


def test_documented_principal_formats_are_accepted(lake):
    lf = lake[0]("lakeformation")
    for principal in ("IAM_ALLOWED_PRINCIPALS", STEWARD, "arn:aws:organizations::111111111111:organization/o-a1b2c3d4e5",
                      "arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-ab12-cd34ef56",
                      "arn:aws:iam::111111111111:saml-provider/Okta:user/jane",
                      "arn:aws:identitystore:::group/9067b3f7-1234-abcd-ef00-0123456789ab"):
        lf.grant_permissions(Principal=p(principal), Resource={"Database": {"Name": "sales"}},
                             Permissions=["DESCRIBE"])


def test_include_list_with_grant_option_is_allowed(lake):
    lf = lake[0]("lakeformation")
    twc = {"TableWithColumns": {"DatabaseName": "sales", "Name": "customers", "ColumnNames": ["country"]}}
    lf.grant_permissions(Principal=p(STEWARD), Resource=twc, Permissions=["SELECT"],
                         PermissionsWithGrantOption=["SELECT"])
    assert listed(lf, STEWARD, CUSTOMERS) == [({"TableWithColumns": {
        "CatalogId": GOV, "DatabaseName": "sales", "Name": "customers", "ColumnNames": ["country"]}},
        ["SELECT"], ["SELECT"])]
    lf.revoke_permissions(Principal=p(STEWARD), Resource=twc, Permissions=["SELECT"])


def test_caller_must_be_admin_or_hold_the_grant_option(lake):
    gov = lake[0]
    from tests.emulator import AccountClients

    steward = AccountClients(gov._kwargs["endpoint_url"], "eu-west-1", GOV, role="Steward")("lakeformation")
    rejects("AccessDeniedException", steward.grant_permissions, Principal=p("IAM_ALLOWED_PRINCIPALS"),
            Resource={"Table": {"DatabaseName": "sales", "Name": "orders"}}, Permissions=["DESCRIBE"])
    lf = gov("lakeformation")
    lf.grant_permissions(Principal=p(STEWARD), Resource={"Table": {"DatabaseName": "sales", "TableWildcard": {}}},
                         Permissions=["DESCRIBE"], PermissionsWithGrantOption=["DESCRIBE"])
    # a TableWildcard grant covers every table of the database
    steward.grant_permissions(Principal=p("IAM_ALLOWED_PRINCIPALS"),
                              Resource={"Table": {"DatabaseName": "sales", "Name": "orders"}}, Permissions=["DESCRIBE"])
    rejects("AccessDeniedException", steward.grant_permissions, Principal=p("IAM_ALLOWED_PRINCIPALS"),
            Resource={"Table": {"DatabaseName": "sales", "Name": "orders"}}, Permissions=["SELECT"])


# ---- ListPermissions answers in AWS's shapes
def test_table_grant_is_answered_as_table_plus_columns_wildcard(lake):
    lf = lake[0]("lakeformation")
    lf.grant_permissions(Principal=p(CONSUMER), Resource={"Table": {"DatabaseName": "sales", "Name": "orders"}},
                         Permissions=["SELECT", "DESCRIBE"], PermissionsWithGrantOption=["SELECT", "DESCRIBE"])
    assert sorted(listed(lf, CONSUMER, {"Table": {"DatabaseName": "sales", "Name": "orders"}}), key=str) == sorted([
        ({"Table": {"CatalogId": GOV, "DatabaseName": "sales", "Name": "orders"}}, ["DESCRIBE"], ["DESCRIBE"]),
        ({"TableWithColumns": {"CatalogId": GOV, "DatabaseName": "sales", "Name": "orders", "ColumnWildcard": {}}},
         ["SELECT"], ["SELECT"])], key=str)


def test_wildcard_exclude_filter_tag_and_location_shapes(lake):
    lf = lake[0]("lakeformation")
    who = "IAM_ALLOWED_PRINCIPALS"
    wildcard = {"Table": {"DatabaseName": "sales", "TableWildcard": {}}}
    lf.grant_permissions(Principal=p(who), Resource=wildcard, Permissions=["SELECT", "ALTER"])
    assert sorted(listed(lf, who, wildcard), key=str) == sorted([
        ({"Table": {"CatalogId": GOV, "DatabaseName": "sales", "Name": "ALL_TABLES", "TableWildcard": {}}},
         ["ALTER"], []),
        ({"TableWithColumns": {"CatalogId": GOV, "DatabaseName": "sales", "Name": "ALL_TABLES",
                               "ColumnWildcard": {}}}, ["SELECT"], [])], key=str)
    excl = {"TableWithColumns": {"DatabaseName": "sales", "Name": "customers",
                                 "ColumnWildcard": {"ExcludedColumnNames": ["email"]}}}
    lf.grant_permissions(Principal=p(STEWARD), Resource=excl, Permissions=["SELECT"])
    assert ({"TableWithColumns": {"CatalogId": GOV, "DatabaseName": "sales", "Name": "customers",
                                  "ColumnWildcard": {"ExcludedColumnNames": ["email"]}}}, ["SELECT"], []) in \
        listed(lf, STEWARD, CUSTOMERS)
    lf.grant_permissions(Principal=p(STEWARD), Resource=FILTER, Permissions=["SELECT", "DESCRIBE"])
    assert listed(lf, STEWARD, FILTER) == [(FILTER, ["DESCRIBE", "SELECT"], [])]
    policy = {"LFTagPolicy": {"ResourceType": "TABLE", "Expression": [{"TagKey": "classification",
                                                                       "TagValues": ["public"]}]}}
    lf.grant_permissions(Principal=p(STEWARD), Resource=policy, Permissions=["SELECT"])
    assert listed(lf, STEWARD, policy) == [({"LFTagPolicy": {**policy["LFTagPolicy"], "CatalogId": GOV}},
                                            ["SELECT"], [])]
    lf.grant_permissions(Principal=p(STEWARD), Resource={"DataLocation": {"ResourceArn": LOCATION}},
                         Permissions=["DATA_LOCATION_ACCESS"])
    assert listed(lf, STEWARD, {"DataLocation": {"ResourceArn": LOCATION}}) == [
        ({"DataLocation": {"CatalogId": GOV, "ResourceArn": LOCATION}}, ["DATA_LOCATION_ACCESS"], [])]
    by_type = lf.list_permissions(ResourceType="DATA_LOCATION")["PrincipalResourcePermissions"]
    assert {next(iter(e["Resource"])) for e in by_type} == {"DataLocation"}
    rejects("InvalidInputException", lf.list_permissions, Principal=p(STEWARD))
    rejects("InvalidInputException", lf.list_permissions, Principal=p(STEWARD), Resource=excl)


# ---- revoke and batch
def test_revoke_drops_the_grant_option_and_then_reports_nothing_revoked(lake):
    lf = lake[0]("lakeformation")
    db = {"Database": {"Name": "sales"}}
    lf.grant_permissions(Principal=p(STEWARD), Resource=db, Permissions=["ALTER"], PermissionsWithGrantOption=["ALTER"])
    lf.revoke_permissions(Principal=p(STEWARD), Resource=db, Permissions=["ALTER"])
    assert all("ALTER" not in perms + grant for _, perms, grant in listed(lf, STEWARD, db))
    rejects("InvalidInputException", lf.revoke_permissions, Principal=p(STEWARD), Resource=db, Permissions=["ALTER"])


def test_batch_keeps_grant_options_and_reports_failures(lake):
    lf = lake[0]("lakeformation")
    out = lf.batch_grant_permissions(Entries=[
        {"Id": "1", "Principal": p(STEWARD), "Resource": {"Table": {"DatabaseName": "sales", "Name": "customers"}},
         "Permissions": ["DELETE"], "PermissionsWithGrantOption": ["DELETE"]},
        {"Id": "2", "Principal": p(STEWARD), "Resource": {"Table": {"DatabaseName": "sales", "Name": "nope"}},
         "Permissions": ["DELETE"]}])
    assert [(f["RequestEntry"]["Id"], f["Error"]["ErrorCode"]) for f in out["Failures"]] == [
        ("2", "EntityNotFoundException")]
    assert ({"Table": {"CatalogId": GOV, "DatabaseName": "sales", "Name": "customers"}}, ["DELETE"], ["DELETE"]) \
        in listed(lf, STEWARD, CUSTOMERS)
    out = lf.batch_revoke_permissions(Entries=[
        {"Id": "1", "Principal": p(STEWARD), "Resource": {"Table": {"DatabaseName": "sales", "Name": "customers"}},
         "Permissions": ["DELETE"], "PermissionsWithGrantOption": ["DELETE"]},
        {"Id": "2", "Principal": p(STEWARD), "Resource": {"Table": {"DatabaseName": "sales", "Name": "customers"}},
         "Permissions": ["DROP"]}])
    assert [(f["RequestEntry"]["Id"], f["Error"]["ErrorCode"]) for f in out["Failures"]] == [
        ("2", "InvalidInputException")]
