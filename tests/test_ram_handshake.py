"""Standalone accounts: `meshform ram-handshake` records the Lake Formation shares the governance account offers
each subscriber (read from RAM, here the local emulator), and the next synth accepts exactly those."""
from __future__ import annotations

import boto3

from meshform.cli import main
from meshform.loader import load_meshes
from meshform.local.emulator import MotoServer
from tests.conftest import copy_project, edit_yaml


def test_handshake_records_offered_shares_per_subscriber(tmp_path, capsys):
    root = copy_project(tmp_path / "project")
    edit_yaml(root / "environments" / "dev.yaml", lambda d: d.pop("organization_id"))
    server = MotoServer(tmp_path / "moto.log")
    try:
        sts = boto3.client("sts", endpoint_url=server.url, region_name="eu-west-1", aws_access_key_id="test",
                           aws_secret_access_key="test")
        creds = sts.assume_role(RoleArn="arn:aws:iam::111111111111:role/mesh-deploy",
                                RoleSessionName="lakeformation")["Credentials"]
        ram = boto3.client("ram", endpoint_url=server.url, region_name="eu-west-1",
                           aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                           aws_session_token=creds["SessionToken"])
        # what Lake Formation does on the first cross-account grant: a share it names LakeFormation-*
        lf_share = ram.create_resource_share(name="LakeFormation-V4-shared", allowExternalPrincipals=True,
                                             principals=["555555555555", "222222222222"])
        ram.create_resource_share(name="someone-elses-share", principals=["555555555555"])
        arn = lf_share["resourceShare"]["resourceShareArn"]
        assert main(["--root", str(root), "ram-handshake", "--env", "dev", "--endpoint", server.url]) == 0
    finally:
        server.stop()
    out = capsys.readouterr().out
    assert "wrote handshake/dev/analytics.yaml: 1 share(s)" in out and "wrote handshake/dev/sales.yaml" in out
    mesh = load_meshes(root, ["dev"])[0]
    assert mesh.ram_shares["analytics"] == [arn] and mesh.ram_shares["sales"] == [arn]
    assert "data-science" in mesh.notices[0] and "analytics" not in mesh.notices[0]
