"""Builds the planned stacks (meshform/stack_plan.py) of the given meshes into one cdktf App, with the deploy order
as stack dependencies (what `cdktf deploy '<env>-*'` follows). `only` builds some of them: incremental and
parallel synthesis (meshform/synth.py)."""
from __future__ import annotations

from cdktf import App, TerraformStack

from meshform.spec.mesh import Mesh
from meshform.stack_plan import PlannedStack, stack_plan
from modules.stacks.catalog import CatalogStack
from modules.stacks.consumer import ConsumerStack
from modules.stacks.domain import DomainStack
from modules.stacks.governance import GovernanceStack


def make_stack(app: App, mesh: Mesh, planned: PlannedStack) -> TerraformStack:
    if planned.kind == "delivery":
        from modules.stacks.delivery import DeliveryStack  # the tfe bindings: only environments on backend cloud

        return DeliveryStack(app, mesh)
    if planned.kind == "trust":
        from modules.stacks.trust import TrustStack

        return TrustStack(app, mesh, planned.name, planned.owner)
    if planned.kind == "governance":
        return GovernanceStack(app, mesh)
    if planned.kind == "catalog":
        return CatalogStack(app, mesh, planned.owner, planned.part, planned.products)
    if planned.kind == "domain":
        return DomainStack(app, mesh, planned.owner)
    return ConsumerStack(app, mesh, planned.owner)


def build_stacks(app: App, mesh: Mesh, only: set[str] | None = None) -> list[TerraformStack]:
    """The environment's stacks (or those named in `only`), with their dependencies among the built ones."""
    built: dict[str, TerraformStack] = {}
    for planned in stack_plan(mesh):
        if only is not None and planned.name not in only:
            continue
        stack = make_stack(app, mesh, planned)
        for dependency in planned.depends_on:
            if dependency in built:
                stack.add_dependency(built[dependency])
        built[planned.name] = stack
    return list(built.values())


def build_app(meshes: list[Mesh], outdir: str | None = None,
              only: set[str] | None = None) -> tuple[App, list[TerraformStack]]:
    app = App(outdir=outdir) if outdir else App()
    stacks: list[TerraformStack] = []
    for mesh in meshes:
        stacks.extend(build_stacks(app, mesh, only))
    return app, stacks
