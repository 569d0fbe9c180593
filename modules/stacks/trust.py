"""`<env>-trust-<owner>` (backend: cloud only): in one account, the OIDC provider for the HCP Terraform host and
the run role of every workspace whose stack deploys into that account (docs/delivery.md). Applied before the
account's mesh stacks, from the operator's machine: a workspace's first run needs its role to exist."""
from __future__ import annotations

from constructs import Construct

from meshform import delivery_plan
from meshform.spec.mesh import Mesh
from modules.constructs.hcp_terraform_oidc import HcpTerraformOidcProvider, OidcProviderProps
from modules.constructs.hcp_terraform_run_role import HcpTerraformRunRole, RunRoleProps
from modules.stacks.base import MeshStack


class TrustStack(MeshStack):
    def __init__(self, scope: Construct, mesh: Mesh, name: str, owner: str):
        account = mesh.account_of(owner)
        spec = mesh.subscriber(owner) if owner != "governance" else mesh.spec.governance
        super().__init__(scope, name, mesh=mesh, account_id=account,
                         tag_domain="governance" if owner == "governance" else owner,
                         owner=spec.owner, cost_center=spec.cost_center)
        backend = delivery_plan.cloud_backend(mesh)
        oidc = HcpTerraformOidcProvider(self, "hcp_terraform_oidc",
                                        OidcProviderProps(account_id=account, hostname=backend.hostname))
        for ws in delivery_plan.workspaces(mesh):
            if ws.account_id != account or ws.run_role is None:
                continue
            HcpTerraformRunRole(self, f"run_role_{ws.stack}", RunRoleProps(
                name=ws.run_role.rsplit("/", 1)[1], workspace=ws.name, oidc_provider_arn=oidc.arn,
                hostname=backend.hostname, subject=delivery_plan.workload_subject_pattern(mesh, ws.name),
                deploy_role_arn=mesh.deploy_role_arn(account)), account, oidc.provider)
