"""Two-phase RAM handshake for standalone accounts (no AWS Organization): after the governance stack applied,
list the RAM shares Lake Formation created for each receiving account and record them in
handshake/<env>/<name>.yaml; the receiver's stack then accepts exactly those shares (aws_ram_resource_share_accepter).
Lake Formation reuses its shares, so this is needed once per account pair and share kind."""
from __future__ import annotations

from pathlib import Path

import boto3
import yaml

from meshform.spec.mesh import Mesh

LF_SHARE_PREFIX = "LakeFormation"


def offered_shares(mesh: Mesh, endpoint: str | None) -> dict[str, list[str]]:
    """account id -> ARNs of Lake Formation shares the governance account offers it."""
    ram = _governance_client(mesh, endpoint, "ram")
    offered: dict[str, set[str]] = {}
    token = None
    while True:
        page = ram.get_resource_shares(resourceOwner="SELF", **({"nextToken": token} if token else {}))
        for share in page.get("resourceShares", []):
            if not share["name"].startswith(LF_SHARE_PREFIX) or share.get("status") not in ("ACTIVE", None):
                continue
            associations = ram.get_resource_share_associations(
                associationType="PRINCIPAL", resourceShareArns=[share["resourceShareArn"]])
            for association in associations.get("resourceShareAssociations", []):
                if association.get("status") in ("ASSOCIATED", "ASSOCIATING"):
                    offered.setdefault(association["associatedEntity"], set()).add(share["resourceShareArn"])
        token = page.get("nextToken")
        if not token:
            break
    return {account: sorted(arns) for account, arns in offered.items()}


def shares_by_subscriber(mesh: Mesh, endpoint: str | None) -> dict[str, list[str]]:
    """subscriber name -> the share ARNs it should accept (shares to accounts outside the mesh are not ours)."""
    names = {account: name for account, name in mesh.all_accounts().items() if name != "governance"}
    return {names[account]: arns for account, arns in sorted(offered_shares(mesh, endpoint).items())
            if account in names}


def write_handshakes(mesh: Mesh, root: Path, endpoint: str | None) -> list[tuple[Path, list[str]]]:
    written = []
    for name, arns in shares_by_subscriber(mesh, endpoint).items():
        account = mesh.account_of(name)
        path = root / "handshake" / mesh.env / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = {"subscriber": name, "account_id": account, "share_arns": arns}
        path.write_text("# written by `meshform ram-handshake`: Lake Formation shares this account accepts\n"
                        + yaml.safe_dump(body, sort_keys=False))
        written.append((path, arns))
    return written


def _governance_client(mesh: Mesh, endpoint: str | None, service: str):
    base = {"region_name": mesh.region}
    if endpoint:
        base.update(endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test")
    sts = boto3.client("sts", **base)
    creds = sts.assume_role(RoleArn=mesh.deploy_role_arn(mesh.governance_account),
                            RoleSessionName="meshform-ram-handshake")["Credentials"]
    kwargs = {"region_name": mesh.region, "aws_access_key_id": creds["AccessKeyId"],
              "aws_secret_access_key": creds["SecretAccessKey"], "aws_session_token": creds["SessionToken"]}
    if endpoint:
        kwargs["endpoint_url"] = endpoint
    return boto3.client(service, **kwargs)
