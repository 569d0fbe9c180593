"""meshform's additions to moto (Lake Formation, S3) keep real state and answer like the AWS API."""
from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from meshform.local.emulator import MotoServer

ACCOUNT = "111111111111"


@pytest.fixture(scope="module")
def clients(tmp_path_factory):
    server = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log")
    kwargs = dict(endpoint_url=server.url, region_name="eu-west-1", aws_access_key_id="test",
                  aws_secret_access_key="test")
    creds = boto3.client("sts", **kwargs).assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/mesh-deploy",
                                                      RoleSessionName="pytest")["Credentials"]
    kwargs.update(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                  aws_session_token=creds["SessionToken"])
    glue, lf = boto3.client("glue", **kwargs), boto3.client("lakeformation", **kwargs)
    # the deploy role pre-exists in real accounts (meshform/local/prerequisites.py seeds it)
    boto3.client("iam", **kwargs).create_role(RoleName="mesh-deploy", AssumeRolePolicyDocument="{}")
    # GrantPermissions needs a data lake administrator (or a grant option): make the deploy role one
    lf.put_data_lake_settings(DataLakeSettings={"DataLakeAdmins": [
        {"DataLakePrincipalIdentifier": f"arn:aws:iam::{ACCOUNT}:role/mesh-deploy"}]})
    glue.create_database(DatabaseInput={"Name": "sales"})
    glue.create_table(DatabaseName="sales", TableInput={"Name": "customers", "StorageDescriptor": {"Columns": [
        {"Name": "customer_id", "Type": "string"}, {"Name": "email", "Type": "string"}]}})
    yield glue, lf
    server.stop()


def test_table_query_returns_column_level_grants(clients):
    _, lf = clients
    principal = {"DataLakePrincipalIdentifier": "555555555555"}
    lf.grant_permissions(Principal=principal, Permissions=["SELECT"], PermissionsWithGrantOption=["SELECT"],
                         Resource={"TableWithColumns": {"DatabaseName": "sales", "Name": "customers",
                                                        "ColumnNames": ["customer_id"]}})
    found = lf.list_permissions(Principal=principal, Resource={"Table": {"DatabaseName": "sales",
                                                                         "Name": "customers"}})
    resources = [p["Resource"] for p in found["PrincipalResourcePermissions"]]
    assert resources == [{"TableWithColumns": {"CatalogId": ACCOUNT, "DatabaseName": "sales", "Name": "customers",
                                               "ColumnNames": ["customer_id"]}}]


def test_data_cells_filter_lifecycle_and_validation(clients):
    _, lf = clients
    data = {"TableCatalogId": ACCOUNT, "DatabaseName": "sales", "TableName": "customers", "Name": "no_pii",
            "ColumnWildcard": {"ExcludedColumnNames": ["email"]}, "RowFilter": {"AllRowsWildcard": {}}}
    lf.create_data_cells_filter(TableData=data)
    got = lf.get_data_cells_filter(TableCatalogId=ACCOUNT, DatabaseName="sales", TableName="customers",
                                   Name="no_pii")["DataCellsFilter"]
    assert got["ColumnWildcard"] == {"ExcludedColumnNames": ["email"]}
    assert [f["Name"] for f in lf.list_data_cells_filter()["DataCellsFilters"]] == ["no_pii"]
    with pytest.raises(ClientError, match="AlreadyExistsException"):
        lf.create_data_cells_filter(TableData=data)
    with pytest.raises(ClientError, match="do not exist"):
        lf.create_data_cells_filter(TableData={**data, "Name": "bad", "ColumnWildcard": {
            "ExcludedColumnNames": ["no_such_column"]}})
    with pytest.raises(ClientError, match="EntityNotFoundException"):
        lf.create_data_cells_filter(TableData={**data, "Name": "bad", "TableName": "missing"})
    principal = {"DataLakePrincipalIdentifier": "555555555555"}
    cells = {"DataCellsFilter": {"TableCatalogId": ACCOUNT, "DatabaseName": "sales", "TableName": "customers",
                                 "Name": "no_pii"}}
    lf.grant_permissions(Principal=principal, Permissions=["SELECT"], Resource=cells)
    assert [p["Resource"] for p in lf.list_permissions(Principal=principal, Resource=cells)[
        "PrincipalResourcePermissions"]] == [cells]
    lf.delete_data_cells_filter(TableCatalogId=ACCOUNT, DatabaseName="sales", TableName="customers", Name="no_pii")
    with pytest.raises(ClientError, match="EntityNotFoundException"):
        lf.get_data_cells_filter(TableCatalogId=ACCOUNT, DatabaseName="sales", TableName="customers", Name="no_pii")


def test_tag_policy_grants_are_listed_by_expression(clients):
    _, lf = clients
    lf.create_lf_tag(TagKey="domain", TagValues=["sales"])
    principal = {"DataLakePrincipalIdentifier": "666666666666"}
    policy = {"LFTagPolicy": {"ResourceType": "TABLE", "Expression": [
        {"TagKey": "domain", "TagValues": ["sales"]}]}}
    lf.grant_permissions(Principal=principal, Permissions=["SELECT"], Resource=policy)
    assert len(lf.list_permissions(Principal=principal, Resource=policy)["PrincipalResourcePermissions"]) == 1
    other = {"LFTagPolicy": {"ResourceType": "TABLE", "Expression": [{"TagKey": "domain", "TagValues": ["hr"]}]}}
    assert lf.list_permissions(Principal=principal, Resource=other)["PrincipalResourcePermissions"] == []


def test_revoking_what_was_never_granted_fails_like_aws(clients):
    _, lf = clients
    principal = {"DataLakePrincipalIdentifier": "777777777777"}
    resource = {"Database": {"Name": "sales"}}
    lf.grant_permissions(Principal=principal, Permissions=["DESCRIBE"], Resource=resource)
    lf.revoke_permissions(Principal=principal, Permissions=["DESCRIBE"], Resource=resource)
    with pytest.raises(ClientError, match="No permissions revoked"):
        lf.revoke_permissions(Principal=principal, Permissions=["DESCRIBE"], Resource=resource)


def test_s3_returns_the_eventbridge_notification_it_stored(tmp_path):
    """(moto_s3 addition) GetBucketNotificationConfiguration includes EventBridgeConfiguration once set."""
    server = MotoServer(tmp_path / "moto.log")
    try:
        s3 = boto3.client("s3", endpoint_url=server.url, region_name="eu-west-1", aws_access_key_id="test",
                          aws_secret_access_key="test")
        s3.create_bucket(Bucket="events", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        assert "EventBridgeConfiguration" not in s3.get_bucket_notification_configuration(Bucket="events")
        s3.put_bucket_notification_configuration(Bucket="events", NotificationConfiguration={
            "EventBridgeConfiguration": {}})
        assert s3.get_bucket_notification_configuration(Bucket="events")["EventBridgeConfiguration"] == {}
    finally:
        server.stop()
