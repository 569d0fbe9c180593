"""A moto server with meshform's additions and a small two-account lake: catalog 111111111111 (sales.customers,
sales.orders, LF-tags, a registered location, a data cells filter), consumer 555555555555 with role Analyst."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from meshform.local.emulator import MotoServer
from tests.emulator import AccountClients

REGION = "eu-west-1"
GOV, CONSUMER = "111111111111", "555555555555"
LOCATION = "arn:aws:s3:::lake-sales"


def error_code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def rejects(code: str, call, *args, **kwargs) -> str:
    with pytest.raises(ClientError) as excinfo:
        call(*args, **kwargs)
    assert error_code(excinfo) == code, excinfo.value
    return str(excinfo.value)


def ensure_role(clients: AccountClients, name: str, path: str = "/") -> str:
    """An IAM role of the account (the deploy role pre-exists in real accounts: meshform/local/prerequisites.py)."""
    iam = clients("iam")
    try:
        return iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": []}))["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        return iam.get_role(RoleName=name)["Role"]["Arn"]


def make_admin(clients: AccountClients, account: str, version: str = "4") -> None:
    ensure_role(clients, "mesh-deploy")
    clients("lakeformation").put_data_lake_settings(DataLakeSettings={
        "DataLakeAdmins": [{"DataLakePrincipalIdentifier": f"arn:aws:iam::{account}:role/mesh-deploy"}],
        "Parameters": {"CROSS_ACCOUNT_VERSION": version}})


def build_lake(server_url: str, gov: str = GOV, consumer: str = CONSUMER) -> tuple[AccountClients, AccountClients]:
    g, c = AccountClients(server_url, REGION, gov), AccountClients(server_url, REGION, consumer)
    make_admin(g, gov)
    make_admin(c, consumer)
    glue = g("glue")
    glue.create_database(DatabaseInput={"Name": "sales"})
    for table, cols in (("customers", ["customer_id", "email", "country"]), ("orders", ["order_id", "amount"])):
        glue.create_table(DatabaseName="sales", TableInput={"Name": table, "StorageDescriptor": {
            "Columns": [{"Name": n, "Type": "string"} for n in cols]}})
    lf = g("lakeformation")
    lf.register_resource(ResourceArn=LOCATION, RoleArn=ensure_role(g, "lf-reg"))
    lf.create_lf_tag(TagKey="classification", TagValues=["public", "pii"])
    lf.add_lf_tags_to_resource(Resource={"Database": {"Name": "sales"}},
                               LFTags=[{"TagKey": "classification", "TagValues": ["public"]}])
    lf.add_lf_tags_to_resource(Resource={"TableWithColumns": {"DatabaseName": "sales", "Name": "customers",
                                                              "ColumnNames": ["email"]}},
                               LFTags=[{"TagKey": "classification", "TagValues": ["pii"]}])
    lf.create_data_cells_filter(TableData={"TableCatalogId": gov, "DatabaseName": "sales", "TableName": "customers",
                                           "Name": "no_email", "ColumnNames": ["customer_id", "country"],
                                           "RowFilter": {"AllRowsWildcard": {}}})
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                      "Principal": {"AWS": f"arn:aws:iam::{consumer}:root"}}]}
    c("iam").create_role(RoleName="Analyst", AssumeRolePolicyDocument=json.dumps(trust))
    g("iam").create_role(RoleName="Steward", AssumeRolePolicyDocument=json.dumps(trust))
    return g, c


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log")
    yield running
    running.stop()
