"""Accounts outside one AWS Organization, applied for real: governance's grants create RAM invitations that stay
PENDING (the shared databases are invisible to the receivers), the harness performs the documented handshake
(`meshform ram-handshake` + synth), every receiving stack accepts exactly the offered shares before it re-grants,
and everything re-plans clean on the strict emulator."""
from __future__ import annotations

import json

import pytest

from meshform.loader import load_meshes
from meshform.local.deploy import local_deploy, succeeded
from meshform.local.emulator import MotoServer
from tests.conftest import copy_project, edit_yaml
from tests.emulator import AccountClients, require_terraform

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def standalone(tmp_path_factory):
    require_terraform()
    root = copy_project(tmp_path_factory.mktemp("standalone") / "project")
    edit_yaml(root / "environments" / "dev.yaml", lambda d: d.pop("organization_id"))
    mesh = load_meshes(root, ["dev"])[0]
    assert not mesh.ram_shares and any("standalone" in n for n in mesh.notices)
    server = MotoServer(root / "moto.log")
    output: list[str] = []
    try:
        runs = local_deploy([mesh], root / ".meshform" / "local-deploy", server.url, echo=output.append)
        yield {"mesh": mesh, "runs": runs, "output": "\n".join(output),
               "as_account": lambda account: AccountClients(server.url, mesh.region, account)}
    finally:
        server.stop()


def test_standalone_mesh_applies_after_the_handshake_and_replans_clean(standalone):
    assert succeeded(standalone["runs"]), standalone["output"]
    out = standalone["output"]
    assert "seeded organization" not in out
    assert out.index("applied dev-catalog-sales") < out.index("RAM handshake dev: Lake Formation offers") < \
        out.index("applied dev-domain-sales")


def test_every_subscriber_accepted_exactly_the_shares_offered_to_it(standalone):
    mesh = standalone["mesh"]
    runs = {r.name: r for r in standalone["runs"]}
    for name, account in ((n, mesh.account_of(n)) for n in [*mesh.spec.domains, *mesh.spec.consumers]):
        ram = standalone["as_account"](account)("ram")
        invitations = ram.get_resource_share_invitations()["resourceShareInvitations"]
        assert invitations and {i["status"] for i in invitations} == {"ACCEPTED"}, name
        assert {i["senderAccountId"] for i in invitations} == {mesh.governance_account}
        kind = "domain" if name in mesh.spec.domains else "consumer"
        stack = json.loads((runs[f"dev-{kind}-{name}"].directory / "cdk.tf.json").read_text())
        accepted = {a["share_arn"] for a in stack["resource"]["aws_ram_resource_share_accepter"].values()}
        assert accepted == {i["resourceShareArn"] for i in invitations}, name


def test_accepted_shares_make_the_governance_catalog_visible_to_the_subscriber(standalone):
    mesh = standalone["mesh"]
    glue = standalone["as_account"](mesh.spec.consumers["analytics"].account_id)("glue")
    tables = {t["Name"] for t in glue.get_tables(CatalogId=mesh.governance_account, DatabaseName="sales")["TableList"]}
    assert "orders" in tables
