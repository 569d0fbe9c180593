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
    for principal in ("IAM_ALLOWED_PRINCIPALS", STEWARD,
                      "arn:aws:organizations::111111111111:organization/o-a1b2c3d4e5",
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


# ---- data lake settings (https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_DataLakeSettings.html)
@pytest.mark.parametrize("admin", ["IAM_ALLOWED_PRINCIPALS", CONSUMER, "xyz", f"arn:aws:iam::{GOV}:role/ghost",
                                   f"arn:aws:iam::{GOV}:role/other/path/Steward"])
def test_data_lake_admins_are_existing_iam_users_or_roles(lake, admin):
    lf = lake[0]("lakeformation")
    for field in ("DataLakeAdmins", "ReadOnlyAdmins"):
        message = rejects("InvalidInputException", lf.put_data_lake_settings, DataLakeSettings={
            "DataLakeAdmins": [p(f"arn:aws:iam::{GOV}:role/mesh-deploy")], field: [p(admin)]})
        assert "Invalid principal" in message          # the provider retries on exactly this (data_lake_settings.go)
    assert [a["DataLakePrincipalIdentifier"] for a in lf.get_data_lake_settings()["DataLakeSettings"][
        "DataLakeAdmins"]] == [f"arn:aws:iam::{GOV}:role/mesh-deploy"]


@pytest.mark.parametrize("defaults", [
    [{"Principal": p(STEWARD), "Permissions": ["ALL"]}],
    [{"Principal": p("IAM_ALLOWED_PRINCIPALS"), "Permissions": ["DESCRIBE"]}],
    [{"Principal": p("IAM_ALLOWED_PRINCIPALS"), "Permissions": ["ALL"]}] * 2])
def test_default_permissions_are_empty_or_all_to_iam_allowed_principals(lake, defaults):
    lf = lake[0]("lakeformation")
    admins = [p(f"arn:aws:iam::{GOV}:role/mesh-deploy")]
    for field in ("CreateDatabaseDefaultPermissions", "CreateTableDefaultPermissions"):
        rejects("InvalidInputException", lf.put_data_lake_settings,
                DataLakeSettings={"DataLakeAdmins": admins, field: defaults})
    current = lf.get_data_lake_settings()["DataLakeSettings"]
    iap_all = [{"Principal": p("IAM_ALLOWED_PRINCIPALS"), "Permissions": ["ALL"]}]
    lf.put_data_lake_settings(DataLakeSettings={**current, "CreateDatabaseDefaultPermissions": iap_all,
                                                "CreateTableDefaultPermissions": []})
    lf.put_data_lake_settings(DataLakeSettings=current)


# ---- principals
def test_all_iam_principals_of_an_account_is_a_principal(lake):
    """ALLIAMPrincipals, <account-id>:IAMPrincipals (lf-permissions-reference)."""
    lf = lake[0]("lakeformation")
    lf.grant_permissions(Principal=p(f"{GOV}:IAMPrincipals"), Resource={"Database": {"Name": "sales"}},
                         Permissions=["DESCRIBE"])
    lf.revoke_permissions(Principal=p(f"{GOV}:IAMPrincipals"), Resource={"Database": {"Name": "sales"}},
                          Permissions=["DESCRIBE"])


def test_role_identity_includes_its_path(lake):
    gov = lake[0]
    gov("iam").create_role(RoleName="Pathed", Path="/team/", AssumeRolePolicyDocument="{}")
    lf, db = gov("lakeformation"), {"Database": {"Name": "sales"}}
    lf.grant_permissions(Principal=p(f"arn:aws:iam::{GOV}:role/team/Pathed"), Resource=db, Permissions=["DESCRIBE"])
    for wrong in (f"arn:aws:iam::{GOV}:role/Pathed", f"arn:aws:iam::{GOV}:role/other/Pathed",
                  f"arn:aws:iam::{GOV}:role/team/Steward"):
        assert "Invalid principal" in rejects("InvalidInputException", lf.grant_permissions, Principal=p(wrong),
                                              Resource=db, Permissions=["DESCRIBE"])


# ---- revoke runs the grant's checks (API_RevokePermissions errors = API_GrantPermissions errors)
def test_revoke_is_validated_checked_and_authorized_like_a_grant(lake):
    from tests.emulator import AccountClients

    gov = lake[0]
    lf = gov("lakeformation")
    steward = AccountClients(gov._kwargs["endpoint_url"], "eu-west-1", GOV, role="Steward")("lakeformation")
    gov("iam").create_role(RoleName="Reader", AssumeRolePolicyDocument="{}")
    reader = f"arn:aws:iam::{GOV}:role/Reader"
    orders = {"Table": {"DatabaseName": "sales", "Name": "orders"}}
    lf.grant_permissions(Principal=p(reader), Resource=orders, Permissions=["SELECT", "INSERT"])
    # neither admin nor grant-option holder
    rejects("AccessDeniedException", steward.revoke_permissions, Principal=p(reader), Resource=orders,
            Permissions=["SELECT"])
    rejects("InvalidInputException", lf.revoke_permissions, Principal=p(reader), Resource=orders, Permissions=[],
            PermissionsWithGrantOption=["INSERT"])
    rejects("InvalidInputException", lf.revoke_permissions, Principal=p(reader), Resource=orders,
            Permissions=["INSERT"], PermissionsWithGrantOption=["DROP"])
    rejects("InvalidInputException", lf.revoke_permissions, Principal=p(reader), Resource=orders,
            Permissions=["CREATE_TABLE"])
    rejects("EntityNotFoundException", lf.revoke_permissions, Principal=p(reader),
            Resource={"Table": {"DatabaseName": "sales", "Name": "nope"}}, Permissions=["SELECT"])
    # what the provider's destroy tolerates (permissions.go, resourcePermissionsDelete)
    assert "Cell Filter not found" in rejects("InvalidInputException", lf.revoke_permissions, Principal=p(reader),
                                              Resource={"DataCellsFilter": {**FILTER["DataCellsFilter"],
                                                                            "Name": "gone"}},
                                              Permissions=["SELECT"])
    assert "cannot grant/revoke permission on non-existent column" in rejects(
        "InvalidInputException", lf.revoke_permissions, Principal=p(reader), Resource={"TableWithColumns": {
            "DatabaseName": "sales", "Name": "orders", "ColumnNames": ["gone"]}}, Permissions=["SELECT"])
    # a holder of the grant option may revoke
    lf.grant_permissions(Principal=p(STEWARD), Resource=orders, Permissions=["INSERT"],
                         PermissionsWithGrantOption=["INSERT"])
    steward.revoke_permissions(Principal=p(reader), Resource=orders, Permissions=["INSERT"])
    lf.revoke_permissions(Principal=p(reader), Resource=orders, Permissions=["SELECT"])
    assert "No permissions revoked. Grantee has no" in rejects(
        "InvalidInputException", lf.revoke_permissions, Principal=p(reader), Resource=orders, Permissions=["SELECT"])


def test_revoking_some_columns_narrows_an_include_list(lake):
    lf = lake[0]("lakeformation")
    twc = {"DatabaseName": "sales", "Name": "customers"}
    lf.grant_permissions(Principal=p(STEWARD), Resource={"TableWithColumns": {**twc, "ColumnNames": [
        "customer_id", "email"]}}, Permissions=["SELECT"])
    lf.revoke_permissions(Principal=p(STEWARD), Resource={"TableWithColumns": {**twc, "ColumnNames": ["email"]}},
                          Permissions=["SELECT"])
    lists = [r["TableWithColumns"].get("ColumnNames") for r, _, _ in listed(lf, STEWARD, CUSTOMERS)
             if "TableWithColumns" in r]
    assert ["customer_id"] in lists and ["customer_id", "email"] not in lists
    lf.revoke_permissions(Principal=p(STEWARD), Resource={"TableWithColumns": {**twc, "ColumnNames": [
        "customer_id"]}}, Permissions=["SELECT"])


# ---- permissions per kind of resource
def test_lf_tag_permissions_to_another_account_are_describe_and_associate(lake):
    lf = lake[0]("lakeformation")
    tag = {"LFTag": {"TagKey": "classification", "TagValues": ["pii"]}}
    # https://docs.aws.amazon.com/lake-formation/latest/dg/TBAC-granting-tags.html
    for perms in (["ALTER"], ["DROP"], ["DESCRIBE", "ALTER"]):
        rejects("InvalidInputException", lf.grant_permissions, Principal=p(CONSUMER), Resource=tag,
                Permissions=perms, PermissionsWithGrantOption=perms)
    lf.grant_permissions(Principal=p(STEWARD), Resource=tag, Permissions=["ALTER"])      # in-account: fine


def test_resource_links_take_describe_and_drop_only(lake):
    gov = lake[0]
    gov("glue").create_database(DatabaseInput={"Name": "sales_link", "TargetDatabase": {
        "CatalogId": GOV, "DatabaseName": "sales"}})
    lf, link = gov("lakeformation"), {"Database": {"Name": "sales_link"}}
    # https://docs.aws.amazon.com/lake-formation/latest/dg/lf-permissions-reference.html (resource link)
    for perms in (["CREATE_TABLE"], ["ALTER"], ["DESCRIBE", "CREATE_TABLE"]):
        rejects("InvalidInputException", lf.grant_permissions, Principal=p(STEWARD), Resource=link,
                Permissions=perms)
    lf.grant_permissions(Principal=p(STEWARD), Resource=link, Permissions=["DESCRIBE", "DROP"])


# ---- LF-tag management
def test_lf_tag_lifecycle_rules(lake):
    from tests.emulator import AccountClients

    gov = lake[0]
    lf = gov("lakeformation")
    steward = AccountClients(gov._kwargs["endpoint_url"], "eu-west-1", GOV, role="Steward")("lakeformation")
    # https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_CreateLFTag.html
    rejects("AlreadyExistsException", lf.create_lf_tag, TagKey="classification", TagValues=["x"])
    assert sorted(lf.get_lf_tag(TagKey="classification")["TagValues"]) == ["pii", "public"]
    rejects("AccessDeniedException", steward.create_lf_tag, TagKey="steward_tag", TagValues=["a"])
    lf.grant_permissions(Principal=p(STEWARD), Resource={"Catalog": {}}, Permissions=["CREATE_LF_TAG"])
    steward.create_lf_tag(TagKey="steward_tag", TagValues=["a"])
    rejects("EntityNotFoundException", lf.update_lf_tag, TagKey="never", TagValuesToAdd=["z"])
    rejects("EntityNotFoundException", lf.delete_lf_tag, TagKey="never")
    rejects("EntityNotFoundException", lf.get_lf_tag, TagKey="never")
    lf.update_lf_tag(TagKey="steward_tag", TagValuesToAdd=["b"])
    assert sorted(lf.get_lf_tag(TagKey="steward_tag")["TagValues"]) == ["a", "b"]


def test_add_lf_tags_to_resource_rules(lake):
    gov = lake[0]
    lf = gov("lakeformation")
    gov("glue").create_database(DatabaseInput={"Name": "scratch"})
    lf.create_lf_tag(TagKey="domain", TagValues=["sales", "finance"])
    db = {"Database": {"Name": "scratch"}}
    # hashicorp/terraform-provider-aws#32172: one value per key, each key once
    rejects("InvalidInputException", lf.add_lf_tags_to_resource, Resource=db,
            LFTags=[{"TagKey": "classification", "TagValues": ["pii", "public"]}])
    rejects("InvalidInputException", lf.add_lf_tags_to_resource, Resource=db,
            LFTags=[{"TagKey": "classification", "TagValues": ["pii"]},
                    {"TagKey": "classification", "TagValues": ["public"]}])
    rejects("EntityNotFoundException", lf.add_lf_tags_to_resource, Resource={"Database": {"Name": "nope"}},
            LFTags=[{"TagKey": "classification", "TagValues": ["pii"]}])
    # a key or value that does not exist: reported in Failures (API_AddLFTagsToResource, LFTagError)
    out = lf.add_lf_tags_to_resource(Resource=db, LFTags=[{"TagKey": "classification", "TagValues": ["secret"]},
                                                          {"TagKey": "domain", "TagValues": ["sales"]}])
    assert [(f["LFTag"]["TagKey"], f["LFTag"]["TagValues"], f["Error"]["ErrorCode"]) for f in out["Failures"]] == [
        ("classification", ["secret"], "EntityNotFoundException")]
    # assignments add to the resource's LF-tags; a key it carries takes the new value
    lf.add_lf_tags_to_resource(Resource=db, LFTags=[{"TagKey": "classification", "TagValues": ["public"]}])
    lf.add_lf_tags_to_resource(Resource=db, LFTags=[{"TagKey": "domain", "TagValues": ["finance"]}])
    tags = lf.get_resource_lf_tags(Resource=db, ShowAssignedLFTags=True)["LFTagOnDatabase"]
    assert sorted((t["TagKey"], t["TagValues"]) for t in tags) == [("classification", ["public"]),
                                                                   ("domain", ["finance"])]


# ---- data cells filters (https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_DataCellsFilter.html)
@pytest.mark.parametrize("extra", [
    {"RowFilter": {"AllRowsWildcard": {}}},                                               # no column spec
    {"ColumnNames": ["email"], "RowFilter": {"FilterExpression": "country='x'", "AllRowsWildcard": {}}},
    {"ColumnNames": ["email"], "RowFilter": {"FilterExpression": ""}},
    {"ColumnNames": ["email"], "RowFilter": {}},
    {"ColumnNames": ["email"], "ColumnWildcard": {}, "RowFilter": {"AllRowsWildcard": {}}},
])
def test_invalid_data_cells_filters_fail(lake, extra):
    lf = lake[0]("lakeformation")
    rejects("InvalidInputException", lf.create_data_cells_filter, TableData={
        "TableCatalogId": GOV, "DatabaseName": "sales", "TableName": "customers", "Name": "bad", **extra})


def test_data_cells_filter_needs_an_admin_or_select_with_grant_option(lake):
    from tests.emulator import AccountClients

    gov = lake[0]
    steward = AccountClients(gov._kwargs["endpoint_url"], "eu-west-1", GOV, role="Steward")("lakeformation")
    data = {"TableCatalogId": GOV, "DatabaseName": "sales", "TableName": "orders", "Name": "by_steward",
            "ColumnNames": ["order_id"]}
    rejects("AccessDeniedException", steward.create_data_cells_filter, TableData=data)
    gov("lakeformation").grant_permissions(Principal=p(STEWARD), Resource={"Table": {
        "DatabaseName": "sales", "Name": "orders"}}, Permissions=["SELECT"], PermissionsWithGrantOption=["SELECT"])
    steward.create_data_cells_filter(TableData=data)         # RowFilter is optional in the API (C)


# ---- who sees what (API_ListPermissions: "filtered by the permissions of the caller")
def test_list_permissions_is_filtered_by_the_caller(lake):
    from tests.emulator import AccountClients

    gov = lake[0]
    gov("iam").create_role(RoleName="Lister", AssumeRolePolicyDocument="{}")
    lister_arn = f"arn:aws:iam::{GOV}:role/Lister"
    lister = AccountClients(gov._kwargs["endpoint_url"], "eu-west-1", GOV, role="Lister")("lakeformation")
    assert lister.list_permissions()["PrincipalResourcePermissions"] == []
    gov("lakeformation").grant_permissions(Principal=p(lister_arn), Resource={"Database": {"Name": "sales"}},
                                           Permissions=["DESCRIBE"])
    seen = lister.list_permissions()["PrincipalResourcePermissions"]
    # its own grant, and of others' grants only the permissions it holds itself on the same resource
    assert lister_arn in {e["Principal"]["DataLakePrincipalIdentifier"] for e in seen}
    assert all(e["Resource"] == {"Database": {"CatalogId": GOV, "Name": "sales"}} for e in seen)
    assert all(e["Permissions"] == ["DESCRIBE"] and e["PermissionsWithGrantOption"] in ([], ["DESCRIBE"])
               for e in seen)
    assert len(gov("lakeformation").list_permissions()["PrincipalResourcePermissions"]) > len(seen)


def test_register_resource_needs_an_s3_location_and_an_existing_role(lake):
    lf = lake[0]("lakeformation")
    rejects("InvalidInputException", lf.register_resource, ResourceArn="not-an-arn", UseServiceLinkedRole=True)
    rejects("InvalidInputException", lf.register_resource, ResourceArn="arn:aws:s3:::other-bucket",
            RoleArn=f"arn:aws:iam::{GOV}:role/nope")


# ---- the Data Catalog itself: Resource.Catalog (https://docs.aws.amazon.com/lake-formation/latest/APIReference/
# API_CatalogResource.html) and the request's CatalogId
@pytest.mark.parametrize("perms", [["SELECT"], ["CREATE_TABLE"], ["DATA_LOCATION_ACCESS"], ["ASSOCIATE"],
                                   ["INSERT"]])
def test_catalog_takes_only_catalog_permissions(lake, perms):
    # lf-permissions-reference.html: Catalog takes ALL (Super), ALTER, CREATE_DATABASE, DESCRIBE, DROP
    rejects("InvalidInputException", lake[0]("lakeformation").grant_permissions, Principal=p(STEWARD),
            Resource={"Catalog": {}}, Permissions=perms)


def test_catalog_resource_names_a_catalog_that_exists(lake):
    lf = lake[0]("lakeformation")
    # the account's own Data Catalog, by default or by its Id; both answer as Catalog {}
    lf.grant_permissions(Principal=p(STEWARD), Resource={"Catalog": {}}, Permissions=["CREATE_DATABASE"])
    lf.grant_permissions(Principal=p(STEWARD), Resource={"Catalog": {"Id": GOV}}, Permissions=["DESCRIBE"])
    [(resource, perms, _)] = listed(lf, STEWARD, {"Catalog": {}})
    assert resource == {"Catalog": {}} and {"CREATE_DATABASE", "DESCRIBE"} <= set(perms)
    # a child catalog that was never created, absolute or relative to the request's catalog
    for missing in (f"{GOV}:s3tablescatalog/nope", "s3tablescatalog/nope"):
        rejects("EntityNotFoundException", lf.grant_permissions, Principal=p(STEWARD),
                Resource={"Catalog": {"Id": missing}}, Permissions=["DESCRIBE"])
    rejects("InvalidInputException", lf.grant_permissions, Principal=p(STEWARD),
            Resource={"Catalog": {"Id": "not:an:id"}}, Permissions=["DESCRIBE"])
    lf.revoke_permissions(Principal=p(STEWARD), Resource={"Catalog": {}}, Permissions=["CREATE_DATABASE",
                                                                                          "DESCRIBE"])


def test_request_catalog_id_must_be_an_account_id(lake):
    lf = lake[0]("lakeformation")
    sub = f"{GOV}:s3tablescatalog/orders"     # what AWS answers this for (aws/aws-cli#9618)
    message = rejects("InvalidInputException", lf.grant_permissions, CatalogId=sub, Principal=p(STEWARD),
                      Resource={"Catalog": {}}, Permissions=["DESCRIBE"])
    assert "Catalog id must be a valid AWS account id" in message
    rejects("InvalidInputException", lf.revoke_permissions, CatalogId=sub, Principal=p(STEWARD),
            Resource={"Catalog": {}}, Permissions=["DESCRIBE"])
    rejects("InvalidInputException", lf.list_permissions, CatalogId=sub)
    # a batch with a bad CatalogId fails as a whole, not entry by entry
    rejects("InvalidInputException", lf.batch_grant_permissions, CatalogId=sub, Entries=[{
        "Id": "1", "Principal": p(STEWARD), "Resource": {"Catalog": {}}, "Permissions": ["DESCRIBE"]}])


def test_another_accounts_catalog_is_out_of_reach(lake):
    gov, consumer = lake
    analyst = f"arn:aws:iam::{CONSUMER}:role/Analyst"
    # the consumer's data lake admin holds nothing on the governance account's Data Catalog, whether it names it
    # by the request's CatalogId or by Resource.Catalog.Id
    rejects("AccessDeniedException", consumer("lakeformation").grant_permissions, CatalogId=GOV,
            Principal=p(analyst), Resource={"Catalog": {}}, Permissions=["CREATE_DATABASE"])
    rejects("AccessDeniedException", consumer("lakeformation").grant_permissions, Principal=p(analyst),
            Resource={"Catalog": {"Id": GOV}}, Permissions=["CREATE_DATABASE"])
    # an account no one in the mesh has heard of
    rejects("AccessDeniedException", gov("lakeformation").grant_permissions, CatalogId="999999999999",
            Principal=p(STEWARD), Resource={"Catalog": {}}, Permissions=["DESCRIBE"])
    # BatchGrantPermissions reports the same per entry, with AWS's error codes
    failures = consumer("lakeformation").batch_grant_permissions(Entries=[
        {"Id": "1", "Principal": p(analyst), "Resource": {"Catalog": {"Id": GOV}}, "Permissions": ["DESCRIBE"]},
        {"Id": "2", "Principal": p(analyst), "Resource": {"Catalog": {"Id": f"{CONSUMER}:nope"}},
         "Permissions": ["DESCRIBE"]},
        {"Id": "3", "Principal": p(analyst), "Resource": {"Catalog": {}}, "Permissions": ["SELECT"]}])["Failures"]
    assert sorted((f["RequestEntry"]["Id"], f["Error"]["ErrorCode"]) for f in failures) == [
        ("1", "AccessDeniedException"), ("2", "EntityNotFoundException"), ("3", "InvalidInputException")]


def test_update_data_cells_filter_replaces_the_definition_and_bumps_its_version(lake):
    # https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_UpdateDataCellsFilter.html
    lf = lake[0]("lakeformation")
    key = {"TableCatalogId": GOV, "DatabaseName": "sales", "TableName": "orders", "Name": "recent"}
    rejects("EntityNotFoundException", lf.update_data_cells_filter, TableData={**key, "ColumnNames": ["order_id"]})
    lf.create_data_cells_filter(TableData={**key, "ColumnNames": ["order_id"], "RowFilter": {"AllRowsWildcard": {}}})
    lf.update_data_cells_filter(TableData={**key, "ColumnWildcard": {"ExcludedColumnNames": ["amount"]},
                                           "RowFilter": {"FilterExpression": "amount > '0'"}})
    got = lf.get_data_cells_filter(**key)["DataCellsFilter"]
    assert (got["VersionId"], got["ColumnWildcard"], got["RowFilter"], "ColumnNames" in got) == (
        "2", {"ExcludedColumnNames": ["amount"]}, {"FilterExpression": "amount > '0'"}, False)
    # an invalid update changes nothing
    rejects("InvalidInputException", lf.update_data_cells_filter, TableData={**key, "ColumnNames": ["nope"]})
    assert lf.get_data_cells_filter(**key)["DataCellsFilter"] == got
    # listed with its table only
    on_orders = lf.list_data_cells_filter(Table={"CatalogId": GOV, "DatabaseName": "sales", "Name": "orders"})
    names = {f["Name"] for f in on_orders["DataCellsFilters"]}
    assert "recent" in names and "no_email" not in names               # no_email is on customers
    lf.delete_data_cells_filter(**key)
    rejects("EntityNotFoundException", lf.delete_data_cells_filter, **key)
