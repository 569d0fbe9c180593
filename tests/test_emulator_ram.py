"""Cross-account grants go through AWS RAM: outside an Organization the receiver gets a PENDING invitation and
sees nothing (no re-grants, no Glue reads) until it accepts; inside an Organization with RAM sharing enabled the
share is associated at once. Re-grants need the grant option from the owner, on the resource or an encompassing
one, by a data lake administrator of the receiving account."""
from __future__ import annotations

import json

import pytest

from tests.emulator import AccountClients
from tests.emulator_fixtures import GOV, REGION, build_lake, make_admin, rejects, server  # noqa: F401

CONSUMER = "555555555555"
ANALYST = f"arn:aws:iam::{CONSUMER}:role/Analyst"
ORDERS = {"Table": {"CatalogId": GOV, "DatabaseName": "sales", "Name": "orders"}}


def p(identifier):
    return {"DataLakePrincipalIdentifier": identifier}


def test_standalone_accounts_need_the_invitation_accepted(server):  # noqa: F811
    gov, consumer = build_lake(server.url)
    lf, clf = gov("lakeformation"), consumer("lakeformation")
    # nothing received yet: the re-grant fails
    rejects("AccessDeniedException", clf.grant_permissions, Principal=p(ANALYST), Resource=ORDERS,
            Permissions=["DESCRIBE"])
    lf.grant_permissions(Principal=p(CONSUMER), Resource={"Table": {"DatabaseName": "sales", "Name": "orders"}},
                         Permissions=["DESCRIBE", "SELECT"], PermissionsWithGrantOption=["DESCRIBE", "SELECT"])
    lf.grant_permissions(Principal=p(CONSUMER), Resource={"Database": {"Name": "sales"}}, Permissions=["DESCRIBE"])
    shares = gov("ram").get_resource_shares(resourceOwner="SELF")["resourceShares"]
    assert [s["name"].startswith("LakeFormation-V4-") for s in shares] == [True]     # one share per account pair
    arn = shares[0]["resourceShareArn"]
    assoc = gov("ram").get_resource_share_associations(associationType="PRINCIPAL", resourceShareArns=[arn])
    assert [(a["associatedEntity"], a["status"]) for a in assoc["resourceShareAssociations"]] == [
        (CONSUMER, "ASSOCIATING")]
    invitations = consumer("ram").get_resource_share_invitations(resourceShareArns=[arn])["resourceShareInvitations"]
    assert [i["status"] for i in invitations] == ["PENDING"]
    # invisible until accepted: no re-grant, no Glue read of the owner's catalog
    rejects("AccessDeniedException", clf.grant_permissions, Principal=p(ANALYST), Resource=ORDERS,
            Permissions=["DESCRIBE"])
    rejects("EntityNotFoundException", consumer("glue").get_table, CatalogId=GOV, DatabaseName="sales", Name="orders")
    assert consumer("ram").get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"] == []
    consumer("ram").accept_resource_share_invitation(
        resourceShareInvitationArn=invitations[0]["resourceShareInvitationArn"])
    assert consumer("glue").get_table(CatalogId=GOV, DatabaseName="sales", Name="orders")["Table"]["Name"] == "orders"
    rejects("EntityNotFoundException", consumer("glue").get_table, CatalogId=GOV, DatabaseName="sales",
            Name="customers")
    assert [s["resourceShareArn"] for s in consumer("ram").get_resource_shares(
        resourceOwner="OTHER-ACCOUNTS", resourceShareArns=[arn])["resourceShares"]] == [arn]
    assert {r["arn"] for r in consumer("ram").list_resources(resourceOwner="OTHER-ACCOUNTS")["resources"]} == {
        f"arn:aws:glue:{REGION}:{GOV}:table/sales/orders", f"arn:aws:glue:{REGION}:{GOV}:database/sales"}
    # now the re-grant works, for what was received with the grant option only
    clf.grant_permissions(Principal=p(ANALYST), Resource=ORDERS, Permissions=["DESCRIBE", "SELECT"])
    rejects("AccessDeniedException", clf.grant_permissions, Principal=p(ANALYST),
            Resource={"Database": {"CatalogId": GOV, "Name": "sales"}}, Permissions=["DESCRIBE"])
    # a table grant covers its columns
    clf.grant_permissions(Principal=p(ANALYST), Resource={"TableWithColumns": {
        "CatalogId": GOV, "DatabaseName": "sales", "Name": "orders", "ColumnNames": ["amount"]}},
        Permissions=["SELECT"])
    # only a data lake administrator of the receiving account may re-grant
    iam = consumer("iam")
    iam.create_role(RoleName="NotAdmin", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17",
                                                                              "Statement": []}))
    other = AccountClients(server.url, REGION, CONSUMER, role="NotAdmin")("lakeformation")
    rejects("AccessDeniedException", other.grant_permissions, Principal=p(ANALYST), Resource=ORDERS,
            Permissions=["DESCRIBE"])
    # the share is reused; the accepter's calls work
    lf.grant_permissions(Principal=p(CONSUMER), Resource={"DataCellsFilter": {
        "TableCatalogId": GOV, "DatabaseName": "sales", "TableName": "customers", "Name": "no_email"}},
        Permissions=["SELECT"], PermissionsWithGrantOption=["SELECT"])
    assert len(gov("ram").get_resource_shares(resourceOwner="SELF")["resourceShares"]) == 1
    listed = lf.list_permissions(Principal=p(CONSUMER), Resource={"Database": {"Name": "sales"}})
    assert listed["PrincipalResourcePermissions"][0]["AdditionalDetails"] == {"ResourceShare": [arn]}
    rejects("ResourceShareInvitationAlreadyAcceptedException", consumer("ram").accept_resource_share_invitation,
            resourceShareInvitationArn=invitations[0]["resourceShareInvitationArn"])


def test_data_cells_filter_from_another_account_is_select_only(server):  # noqa: F811
    gov, consumer = AccountClients(server.url, REGION, GOV), AccountClients(server.url, REGION, CONSUMER)
    filt = {"DataCellsFilter": {"TableCatalogId": GOV, "DatabaseName": "sales", "TableName": "customers",
                                "Name": "no_email"}}
    # https://docs.aws.amazon.com/lake-formation/latest/dg/granting-filter-perms.html
    rejects("InvalidInputException", gov("lakeformation").grant_permissions, Principal=p(CONSUMER), Resource=filt,
            Permissions=["DESCRIBE"])
    rejects("InvalidInputException", consumer("lakeformation").grant_permissions, Principal=p(ANALYST),
            Resource=filt, Permissions=["DESCRIBE"])
    consumer("lakeformation").grant_permissions(Principal=p(ANALYST), Resource=filt, Permissions=["SELECT"])


def test_organization_members_are_associated_without_invitation(tmp_path):
    from meshform.local.emulator import MotoServer

    org_server = MotoServer(tmp_path / "moto.log")
    try:
        gov, consumer = build_lake(org_server.url)
        rejects("OperationNotPermittedException", consumer("ram").enable_sharing_with_aws_organization)
        org = gov("organizations")
        org.create_organization(FeatureSet="ALL")
        handshake = org.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": CONSUMER})["Handshake"]
        consumer("organizations").accept_handshake(HandshakeId=handshake["Id"])
        gov("ram").enable_sharing_with_aws_organization()
        gov("lakeformation").grant_permissions(
            Principal=p(CONSUMER), Resource={"Table": {"DatabaseName": "sales", "Name": "orders"}},
            Permissions=["SELECT"], PermissionsWithGrantOption=["SELECT"])
        arn = gov("ram").get_resource_shares(resourceOwner="SELF")["resourceShares"][0]["resourceShareArn"]
        assoc = gov("ram").get_resource_share_associations(associationType="PRINCIPAL", resourceShareArns=[arn])
        assert [a["status"] for a in assoc["resourceShareAssociations"]] == ["ASSOCIATED"]
        assert consumer("ram").get_resource_share_invitations()["resourceShareInvitations"] == []
        consumer("lakeformation").grant_permissions(Principal=p(ANALYST), Resource=ORDERS, Permissions=["SELECT"])
    finally:
        org_server.stop()


@pytest.mark.parametrize("version", ["1", "2"])
def test_lf_tag_grants_before_version_3_use_no_ram(tmp_path, version):
    from meshform.local.emulator import MotoServer

    srv = MotoServer(tmp_path / "moto.log")
    try:
        gov, _ = build_lake(srv.url)
        make_admin(gov, GOV, version)
        gov("lakeformation").grant_permissions(Principal=p(CONSUMER), Resource={"LFTagPolicy": {
            "ResourceType": "TABLE", "Expression": [{"TagKey": "classification", "TagValues": ["public"]}]}},
            Permissions=["SELECT"], PermissionsWithGrantOption=["SELECT"])
        assert gov("ram").get_resource_shares(resourceOwner="SELF")["resourceShares"] == []
    finally:
        srv.stop()
