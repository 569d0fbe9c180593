"""What exists in real accounts before meshform runs, created in the emulator so that stacks can refer to it:
the roles the spec names as principals (consumer analysts, domain principals). Deploy roles need no seeding:
moto accepts the assume-role of any role."""
from __future__ import annotations

import json

import boto3

from meshform import naming
from meshform.spec.mesh import Mesh


def principal_roles(mesh: Mesh) -> list[tuple[str, str]]:
    """(account, role name) of every principal the spec references but meshform does not create."""
    arns = [p for c in mesh.spec.consumers.values() for p in c.principals]
    arns += [p for d in mesh.spec.domains.values() for p in d.principals]
    return sorted({(arn.split(":")[4], naming.role_name_from_arn(arn)) for arn in arns})


def seed_principal_roles(mesh: Mesh, endpoint: str) -> list[str]:
    created = []
    for account, role in principal_roles(mesh):
        iam = _client(endpoint, mesh, account, "iam")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                          "Principal": {"AWS": f"arn:aws:iam::{account}:root"}}]}
        try:
            iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
            created.append(f"arn:aws:iam::{account}:role/{role}")
        except iam.exceptions.EntityAlreadyExistsException:
            pass
    return created


def seed_organization(mesh: Mesh, endpoint: str) -> list[str]:
    """Environments with `organization_id` run in one AWS Organization: create it in the emulator with the
    governance account as management account, invite and accept every other mesh account, and enable RAM sharing
    with the organization (management account), so Lake Formation's RAM shares are auto-associated as in AWS
    (https://docs.aws.amazon.com/ram/latest/userguide/getting-started-sharing.html#getting-started-sharing-orgs).
    Standalone environments get none of this. Returns the member accounts that joined."""
    if not mesh.spec.organization_id:
        return []
    management = mesh.governance_account
    org = _client(endpoint, mesh, management, "organizations")
    try:
        org.create_organization(FeatureSet="ALL")
    except org.exceptions.AlreadyInOrganizationException:
        pass
    members = {a["Id"] for a in org.list_accounts()["Accounts"]}
    joined = []
    for account in sorted(set(mesh.all_accounts()) - {management} - members):
        handshake = org.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": account})["Handshake"]
        _client(endpoint, mesh, account, "organizations").accept_handshake(HandshakeId=handshake["Id"])
        joined.append(account)
    _client(endpoint, mesh, management, "ram").enable_sharing_with_aws_organization()
    return joined


def _client(endpoint: str, mesh: Mesh, account: str, service: str):
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=mesh.region, aws_access_key_id="test",
                       aws_secret_access_key="test")
    creds = sts.assume_role(RoleArn=mesh.deploy_role_arn(account), RoleSessionName="meshform-seed")["Credentials"]
    return boto3.client(service, endpoint_url=endpoint, region_name=mesh.region,
                        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"])
