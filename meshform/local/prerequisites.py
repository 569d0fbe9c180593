"""What exists in real accounts before meshform runs, created in the emulator so that stacks can refer to it:
the deploy role of every account (a documented prerequisite: `meshform preflight` blocks when it is not an IAM role
of the account) and every IAM principal the spec names (data lake admins and read-only admins, domain and consumer
principals), each under its own IAM path. moto lets any role ARN be assumed, but Lake Formation checks that admins
and grantees exist as IAM principals (meshform/local/moto_lf), so they must exist as they do in AWS."""
from __future__ import annotations

import contextlib
import json
from typing import Any

import boto3

from meshform.spec.mesh import Mesh


def principal_roles(mesh: Mesh) -> list[tuple[str, str, str, str]]:
    """(account, kind "role"/"user", path, name) of every IAM principal the stacks rely on but do not create: the
    deploy roles and what the spec references (meshform/preflight/roles.py, referenced_principals)."""
    from meshform.preflight.roles import referenced_principals

    arns = [mesh.deploy_role_arn(account) for account in mesh.all_accounts()]
    arns += [arn for arn, _, _ in referenced_principals(mesh)]
    out = set()
    for arn in arns:
        account, resource = arn.split(":")[4], arn.split(":", 5)[5]
        kind, rest = resource.split("/", 1)
        path, name = ("/" + rest.rsplit("/", 1)[0] + "/", rest.rsplit("/", 1)[1]) if "/" in rest else ("/", rest)
        out.add((account, kind, path, name))
    return sorted(out)


def seed_principal_roles(mesh: Mesh, endpoint: str) -> list[str]:
    created = []
    for account, kind, path, name in principal_roles(mesh):
        iam = _client(endpoint, mesh, account, "iam")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                          "Principal": {"AWS": f"arn:aws:iam::{account}:root"}}]}
        try:
            if kind == "user":
                iam.create_user(UserName=name, Path=path)
            else:
                iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(trust))
            created.append(f"arn:aws:iam::{account}:{kind}{path}{name}")
        except iam.exceptions.EntityAlreadyExistsException:
            pass
    return created


def seed_organization(mesh: Mesh, endpoint: str) -> list[str]:
    """Environments with `organization_id` run in one AWS Organization: create it in the emulator with the
    governance account as management account, invite and accept every other mesh account, and enable RAM sharing
    with the organization (management account), so Lake Formation's RAM shares are auto-associated as in AWS
    (https://docs.aws.amazon.com/ram/latest/userguide/getting-started-sharing.html#getting-started-sharing-orgs),
    and CloudTrail's trusted access for the organization trail.
    Standalone environments get none of this. Returns the member accounts that joined."""
    if not mesh.spec.organization_id:
        return []
    management = mesh.governance_account
    org = _client(endpoint, mesh, management, "organizations")
    # The emulator accepts the spec's organization id (meshform/local/moto_org.py), so policies naming it apply.
    org_id = mesh.spec.organization_id

    def with_id(request: Any, **_: Any) -> None:
        request.data = json.dumps({**json.loads(request.data or b"{}"), "Id": org_id}).encode()
    org.meta.events.register("request-created.organizations.CreateOrganization", with_id)
    with contextlib.suppress(org.exceptions.AlreadyInOrganizationException):
        org.create_organization(FeatureSet="ALL")
    members = {a["Id"] for a in org.list_accounts()["Accounts"]}
    joined = []
    for account in sorted(set(mesh.all_accounts()) - {management} - members):
        handshake = org.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": account})["Handshake"]
        _client(endpoint, mesh, account, "organizations").accept_handshake(HandshakeId=handshake["Id"])
        joined.append(account)
    _client(endpoint, mesh, management, "ram").enable_sharing_with_aws_organization()
    # The organization trail (docs/operations.md) needs CloudTrail's trusted access, enabled once by the management
    # account (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html).
    org.enable_aws_service_access(ServicePrincipal="cloudtrail.amazonaws.com")
    return joined


def _client(endpoint: str, mesh: Mesh, account: str, service: str):
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=mesh.region, aws_access_key_id="test",
                       aws_secret_access_key="test")
    creds = sts.assume_role(RoleArn=mesh.deploy_role_arn(account), RoleSessionName="meshform-seed")["Credentials"]
    return boto3.client(service, endpoint_url=endpoint, region_name=mesh.region,
                        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"])
