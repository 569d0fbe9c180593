"""The HCP Terraform side of an environment with `backend: cloud`, decided from the model alone (no jsii): one
workspace per stack, the run role of each mesh workspace, and the run triggers (docs/delivery.md).

modules/stacks/delivery.py turns it into tfe resources and modules/stacks/trust.py into the OIDC providers and
run roles; the loader checks its limits (meshform/loader.py, _check_delivery)."""
from __future__ import annotations

from dataclasses import dataclass

from meshform import naming
from meshform.spec.environment import CloudBackendSpec
from meshform.spec.mesh import Mesh
from meshform.stack_plan import MESH_KINDS, PlannedStack, account_owner, mesh_dependencies, stack_plan

# HCP Terraform: "You can connect each workspace to up to 20 source workspaces"
# (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/settings/run-triggers).
MAX_RUN_TRIGGER_SOURCES = 20


@dataclass(frozen=True)
class PlannedWorkspace:
    stack: str
    name: str                       # naming.workspace_name: what the stack's `cloud` block names
    kind: str                       # the stack's kind (stack_plan): governance, catalog, ..., trust
    account_id: str
    # Mesh stacks run in HCP Terraform with dynamic credentials as this role; trust stacks run on the operator's
    # machine (execution mode local) with the operator's AWS credentials: None.
    run_role: str | None
    run_triggers: tuple[str, ...]   # the stacks whose successful applies queue a run here

    @property
    def dynamic_credentials(self) -> bool:
        return self.run_role is not None


def cloud_backend(mesh: Mesh) -> CloudBackendSpec:
    backend = mesh.spec.backend
    if not isinstance(backend, CloudBackendSpec):
        raise ValueError(f"{mesh.env}: backend is {backend.type}, not cloud")
    return backend


def workspaces(mesh: Mesh) -> list[PlannedWorkspace]:
    """Every stack's workspace except the delivery stack's own (it holds the state of what creates the others:
    created by its first `terraform init`, docs/delivery.md), in deploy order."""
    backend = cloud_backend(mesh)
    plan = [p for p in stack_plan(mesh) if p.kind != "delivery"]
    sources = run_trigger_sources(mesh, plan) if backend.run_triggers else {}
    out = []
    for planned in plan:
        account = mesh.account_of(account_owner(planned))
        role = (naming.role_arn(account, naming.run_role_name(mesh.spec.name_prefix, planned.name))
                if planned.kind in MESH_KINDS else None)
        out.append(PlannedWorkspace(planned.name, naming.workspace_name(backend.workspace_prefix, planned.name),
                                    planned.kind, account, role, sources.get(planned.name, ())))
    return out


def run_trigger_sources(mesh: Mesh, plan: list[PlannedStack]) -> dict[str, tuple[str, ...]]:
    """The deploy order as run triggers: each mesh stack is triggered by its direct dependencies only (the
    transitive reduction of depends_on), so an apply queues the next tier once, and a workspace has as few
    sources as the order allows (a consumer: the domains, not also every catalog and governance)."""
    mesh_plan = [p for p in plan if p.kind in MESH_KINDS]
    deps = {p.name: set(mesh_dependencies(p, mesh.env)) for p in mesh_plan}
    ancestors: dict[str, set[str]] = {}
    for planned in mesh_plan:                     # deploy order: dependencies come first
        ancestors[planned.name] = set().union(*(ancestors[d] | {d} for d in deps[planned.name]))
    sources = {}
    for planned in mesh_plan:
        direct = deps[planned.name]
        implied = set().union(*(ancestors[d] for d in direct))
        sources[planned.name] = tuple(sorted(direct - implied))
    return sources


def workload_subject_pattern(mesh: Mesh, workspace: str) -> str:
    """The one subject a run role trusts: this workspace of this project and organization, any run phase (plan
    and apply assume the same deploy role, so a separate plan role would grant nothing less; docs/delivery.md)."""
    backend = cloud_backend(mesh)
    return naming.workload_subject(backend.organization, backend.project, workspace, "*")
