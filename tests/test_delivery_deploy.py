"""The AWS side of `backend: cloud` applied for real: `meshform local-deploy` (real terraform + AWS provider, the
cloud block replaced by local state) applies a one-domain environment on HCP Terraform — the trust stacks (OIDC
provider + run roles) before the mesh stacks, the tfe-only delivery stack skipped with its reason — re-plans
clean, and IAM read back with boto3 holds exactly the trust the spec implies."""
from __future__ import annotations

import json

import pytest

from meshform import naming
from meshform.loader import load_meshes
from meshform.local.deploy import local_deploy, succeeded
from meshform.local.emulator import MotoServer
from tests.conftest import copy_project, edit_yaml
from tests.emulator import AccountClients, require_terraform

pytestmark = pytest.mark.emulator

ORG, PROJECT, PREFIX = "acme-data", "data-mesh-dev", "mesh-"


def _one_domain_on_cloud(d: dict) -> None:
    d["domains"] = {"sales": {**d["domains"]["sales"], "pipelines": {}}}
    d["consumers"], d["subscriptions"] = {}, []
    d["backend"] = {"type": "cloud", "organization": ORG, "project": PROJECT, "workspace_prefix": PREFIX}


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    require_terraform()
    root = copy_project(tmp_path_factory.mktemp("delivery") / "project")
    edit_yaml(root / "environments" / "dev.yaml", _one_domain_on_cloud)
    mesh = load_meshes(root, ["dev"])[0]
    server = MotoServer(root / "moto.log")
    output: list[str] = []
    try:
        runs = local_deploy([mesh], root / ".meshform" / "local-deploy", server.url, echo=output.append)
        yield {"mesh": mesh, "runs": runs, "output": "\n".join(output),
               "as_account": lambda account: AccountClients(server.url, mesh.region, account)}
    finally:
        server.stop()


def test_trust_stacks_apply_before_the_mesh_and_the_delivery_stack_is_skipped(deployed):
    out, runs = deployed["output"], {r.name: r for r in deployed["runs"]}
    assert succeeded(deployed["runs"]), out
    assert set(runs) == {"dev-trust-governance", "dev-trust-domain-sales", "dev-governance", "dev-catalog-sales",
                         "dev-domain-sales"}
    assert "skipped dev-delivery: HCP Terraform resources only (tfe provider)" in out
    assert "applied dev-delivery" not in out
    assert out.index("applied dev-trust-governance") < out.index("applied dev-governance")
    assert out.index("applied dev-trust-domain-sales") < out.index("applied dev-domain-sales")
    # governance + its catalog stack deploy into the governance account: two run roles and the OIDC provider
    assert runs["dev-trust-governance"].applied == 1 + 2 * 2 and runs["dev-trust-domain-sales"].applied == 1 + 2
    assert all(r.plan_exit == 0 and not r.left_out for r in runs.values())


@pytest.mark.parametrize("account_owner,stacks", [("governance", ["dev-governance", "dev-catalog-sales"]),
                                                  ("sales", ["dev-domain-sales"])])
def test_each_account_trusts_hcp_terraform_only_for_its_own_workspaces(deployed, account_owner, stacks):
    mesh = deployed["mesh"]
    account = mesh.account_of(account_owner)
    iam = deployed["as_account"](account)("iam")
    providers = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert [p["Arn"] for p in providers] == [f"arn:aws:iam::{account}:oidc-provider/app.terraform.io"]
    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=providers[0]["Arn"])
    assert provider["Url"] == "app.terraform.io" and provider["ClientIDList"] == ["aws.workload.identity"]
    roles = {r["RoleName"]: r for r in iam.list_roles()["Roles"] if r["RoleName"].startswith("acme-tfc-")}
    assert set(roles) == {f"acme-tfc-{s}" for s in stacks}
    for stack in stacks:
        role = roles[f"acme-tfc-{stack}"]
        statement, = role["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert statement["Principal"] == {"Federated": providers[0]["Arn"]}
        assert statement["Condition"] == {
            "StringEquals": {"app.terraform.io:aud": "aws.workload.identity"},
            "StringLike": {"app.terraform.io:sub":
                           f"organization:{ORG}:project:{PROJECT}:workspace:{PREFIX}{stack}:run_phase:*"}}
        policy = iam.get_role_policy(RoleName=role["RoleName"], PolicyName="assume-deploy-role")["PolicyDocument"]
        assert policy["Statement"] == [{"Sid": "AssumeDeployRole", "Effect": "Allow", "Action": ["sts:AssumeRole"],
                                        "Resource": [naming.role_arn(account, "mesh-deploy")]}]
        assert iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"] == ["assume-deploy-role"]
        assert not iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"]


def test_the_run_roles_are_what_the_delivery_stack_points_the_workspaces_at(deployed):
    """The TFC_AWS_RUN_ROLE_ARN each workspace gets (synthesized delivery stack) names a role that exists."""
    runs = {r.name: r for r in deployed["runs"]}
    delivery = json.loads((runs["dev-governance"].directory.parent / "dev-delivery" / "cdk.tf.json").read_text())
    arns = {v["value"] for v in delivery["resource"]["tfe_variable"].values() if v["key"] == "TFC_AWS_RUN_ROLE_ARN"}
    assert len(arns) == 3
    for arn in arns:
        account, name = arn.split(":")[4], arn.rsplit("/", 1)[1]
        assert deployed["as_account"](account)("iam").get_role(RoleName=name)["Role"]["Arn"] == arn
