"""Builds every stack of the given meshes into one cdktf App, with the deploy order as stack dependencies:
governance -> catalogs (one per domain, in the governance account) -> domains -> consumers (what
`cdktf deploy '<env>-*'` follows)."""
from __future__ import annotations

from cdktf import App

from meshform.spec.mesh import Mesh
from modules.stacks.base import MeshStack
from modules.stacks.catalog import CatalogStack
from modules.stacks.consumer import ConsumerStack
from modules.stacks.domain import DomainStack
from modules.stacks.governance import GovernanceStack


def build_stacks(app: App, mesh: Mesh) -> list[MeshStack]:
    governance = GovernanceStack(app, mesh)
    catalogs = [CatalogStack(app, mesh, name) for name in sorted(mesh.spec.domains)]
    for catalog in catalogs:
        catalog.add_dependency(governance)
    domains = [DomainStack(app, mesh, name) for name in sorted(mesh.spec.domains)]
    for domain_stack in domains:
        domain_stack.add_dependency(governance)
        for catalog in catalogs:          # re-grants need every catalog they read and their own
            domain_stack.add_dependency(catalog)
    consumers = [ConsumerStack(app, mesh, name) for name in sorted(mesh.spec.consumers)]
    for stack in consumers:
        stack.add_dependency(governance)
        for catalog in catalogs:
            stack.add_dependency(catalog)
        for domain in domains:
            stack.add_dependency(domain)
    return [governance, *catalogs, *domains, *consumers]


def build_app(meshes: list[Mesh], outdir: str | None = None) -> tuple[App, list[MeshStack]]:
    app = App(outdir=outdir) if outdir else App()
    stacks: list[MeshStack] = []
    for mesh in meshes:
        stacks.extend(build_stacks(app, mesh))
    return app, stacks
