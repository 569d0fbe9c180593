"""The emulator's IAM web identity rule (meshform/local/moto_iam_oidc.py), as AWS has it: a role trust policy whose
Federated principal is an OIDC provider ARN is accepted only once that provider exists in its account — which is
why each HCP Terraform run role depends on its account's OIDC provider."""
from __future__ import annotations

import json

import pytest

from meshform.local.emulator import MotoServer
from tests.emulator import AccountClients
from tests.emulator_fixtures import ensure_role, rejects

ACCOUNT = "111111111111"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/app.terraform.io"


def _trust(provider: str = PROVIDER) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": provider},
        "Condition": {"StringEquals": {"app.terraform.io:aud": "aws.workload.identity"},
                      "StringLike": {"app.terraform.io:sub": "organization:o:project:p:workspace:w:run_phase:*"}}}]})


@pytest.fixture(scope="module")
def iam(tmp_path_factory):
    server = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log")
    try:
        clients = AccountClients(server.url, "eu-west-1", ACCOUNT)
        ensure_role(clients, "mesh-deploy")          # the deploy role pre-exists in real accounts
        yield clients("iam")
    finally:
        server.stop()


def test_a_run_role_cannot_trust_an_oidc_provider_that_does_not_exist(iam):
    message = rejects("MalformedPolicyDocument", iam.create_role, RoleName="early", AssumeRolePolicyDocument=_trust())
    assert f'Invalid principal in policy: "Federated":"{PROVIDER}"' in message
    rejects("NoSuchEntity", iam.get_role, RoleName="early")


def test_once_the_provider_exists_the_role_is_created_and_its_trust_can_only_name_existing_providers(iam):
    iam.create_open_id_connect_provider(Url="https://app.terraform.io", ClientIDList=["aws.workload.identity"])
    iam.create_role(RoleName="run", AssumeRolePolicyDocument=_trust())
    assert iam.get_role(RoleName="run")["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Federated": PROVIDER}
    other = f"arn:aws:iam::{ACCOUNT}:oidc-provider/tfe.example.com"
    rejects("MalformedPolicyDocument", iam.update_assume_role_policy, RoleName="run", PolicyDocument=_trust(other))
    iam.create_open_id_connect_provider(Url="https://tfe.example.com", ClientIDList=["aws.workload.identity"])
    iam.update_assume_role_policy(RoleName="run", PolicyDocument=_trust(other))


@pytest.mark.parametrize("url", ["http://bad.example.com", "https://bad.example.com?org=acme", "bad.example.com"])
def test_an_oidc_provider_url_must_be_https_without_a_query(iam, url):
    before = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    message = rejects("InvalidInput", iam.create_open_id_connect_provider, Url=url,
                      ClientIDList=["aws.workload.identity"])
    assert "the URL must begin with https://" in message
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == before
