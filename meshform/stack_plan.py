"""Every stack of an environment, in construction (= deploy) order, with the stacks it deploys after — decided
from the model alone (no jsii), so synthesis can choose which stacks to build and split them over processes
before any binding is loaded. modules/app.py turns each entry into its stack.

Order: governance -> catalogs (per domain: part 0, then its further parts, which put tables into part 0's
database) -> domains (their re-grants need every catalog) -> consumers (they need every catalog and domain).

With `backend: cloud` (docs/delivery.md) two kinds come first: `<env>-delivery` (the HCP Terraform project and
workspaces, tfe provider only) and, in every account, `<env>-trust-<owner>` (the OIDC provider and the run roles
of the workspaces deploying there), which the account's mesh stacks deploy after: a workspace's first run needs
its run role."""
from __future__ import annotations

from dataclasses import dataclass, replace

from meshform import naming
from meshform.access import effective_accesses
from meshform.catalog_layout import catalog_layouts
from meshform.spec.environment import CloudBackendSpec
from meshform.spec.mesh import Mesh


@dataclass(frozen=True)
class PlannedStack:
    name: str
    kind: str                      # governance | catalog | domain | consumer | delivery | trust
    owner: str                     # the domain or consumer ("" for governance and delivery; trust: the account's
                                   # owner, "governance" or a domain or consumer name)
    depends_on: tuple[str, ...]
    part: int = 0                  # catalog stacks: which part of the domain's catalog
    products: tuple[str, ...] = ()  # catalog stacks: the products it holds
    weight: int = 50               # expected resources (for splitting work; the exact count is in the output)


MESH_KINDS = ("governance", "catalog", "domain", "consumer")


def stack_plan(mesh: Mesh) -> list[PlannedStack]:
    plan = _mesh_stacks(mesh)
    if not isinstance(mesh.spec.backend, CloudBackendSpec):
        return plan
    env = mesh.env
    delivery = naming.delivery_stack_name(env)
    trust = {"governance": naming.trust_stack_name(env, "governance")}
    trust.update({d: naming.trust_stack_name(env, "domain", d) for d in sorted(mesh.spec.domains)})
    trust.update({c: naming.trust_stack_name(env, "consumer", c) for c in sorted(mesh.spec.consumers)})
    out = [PlannedStack(delivery, "delivery", "", (), weight=10)]
    out += [PlannedStack(name, "trust", owner, (delivery,), weight=10) for owner, name in trust.items()]
    for planned in plan:
        out.append(replace(planned, depends_on=(trust[account_owner(planned)], *planned.depends_on)))
    return out


def account_owner(planned: PlannedStack) -> str:
    """Whose account a stack deploys into: "governance", a domain or a consumer (a trust stack's owner is its
    account's; "" for the delivery stack, which deploys into no account)."""
    if planned.kind in ("governance", "catalog"):
        return "governance"
    return planned.owner


def mesh_dependencies(planned: PlannedStack, env: str) -> tuple[str, ...]:
    """The stack's dependencies among the mesh stacks (without the delivery and trust stacks)."""
    return tuple(d for d in planned.depends_on
                 if d != naming.delivery_stack_name(env) and not naming.is_trust_stack(env, d))


def _mesh_stacks(mesh: Mesh) -> list[PlannedStack]:
    env = mesh.env
    governance = naming.stack_name(env, "governance")
    plan = [PlannedStack(governance, "governance", "", ())]
    catalogs: list[str] = []
    for domain, layout in catalog_layouts(mesh).items():
        base = naming.catalog_stack_name(env, domain)
        for part, products in enumerate(layout.products):
            name = naming.catalog_stack_name(env, domain, part)
            plan.append(PlannedStack(name, "catalog", domain, (base,) if part else (governance,), part, products,
                                     layout.resources[part]))
            catalogs.append(name)
    reads: dict[str, int] = {}
    for access in effective_accesses(mesh):
        reads[access.subscriber] = reads.get(access.subscriber, 0) + 1
    domains = [naming.stack_name(env, "domain", d) for d in sorted(mesh.spec.domains)]
    for domain, name in zip(sorted(mesh.spec.domains), domains, strict=True):
        plan.append(PlannedStack(name, "domain", domain, (governance, *catalogs), weight=60 + 4 * reads.get(domain, 0)))
    for consumer in sorted(mesh.spec.consumers):
        plan.append(PlannedStack(naming.stack_name(env, "consumer", consumer), "consumer", consumer,
                                 (governance, *catalogs, *domains), weight=30 + 4 * reads.get(consumer, 0)))
    return plan
