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


def _client(endpoint: str, mesh: Mesh, account: str, service: str):
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=mesh.region, aws_access_key_id="test",
                       aws_secret_access_key="test")
    creds = sts.assume_role(RoleArn=mesh.deploy_role_arn(account), RoleSessionName="meshform-seed")["Credentials"]
    return boto3.client(service, endpoint_url=endpoint, region_name=mesh.region,
                        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"])
