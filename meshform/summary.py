"""Human-readable summaries printed by the CLI."""
from __future__ import annotations

from pathlib import Path

from meshform.spec.mesh import Mesh
from meshform.synth import SynthesizedStack  # cheap: synth imports jsii only when it synthesizes


def describe_meshes(meshes: list[Mesh]) -> str:
    rows = []
    for mesh in meshes:
        spec = mesh.spec
        tables = sum(len(p.tables) for p in mesh.products.values())
        rows.append(f"{mesh.env}: {len(spec.domains)} domains, {len(spec.consumers)} consumers, "
                    f"{len(mesh.products)} products ({tables} tables), {len(spec.subscriptions)} subscriptions "
                    f"[{mesh.region}, backend {spec.backend.type}]")
        by_product: dict[str, list[str]] = {}          # one pass: a scan per product is quadratic at scale
        for sub in spec.subscriptions:
            by_product.setdefault(sub.product, []).append(sub.subscriber)
        for fqn, product in mesh.products.items():
            subscribers = by_product.get(fqn, [])
            rows.append(f"  product {fqn:<28} {product.classification:<13} tables: "
                        f"{', '.join(t.name for t in product.tables):<30} subscribers: {', '.join(subscribers) or '-'}")
        rows += [f"  NOTICE {notice}" for notice in mesh.notices]
    return "\n".join(rows)


def describe_stacks(stacks: list[SynthesizedStack], out: Path) -> str:
    width = max((len(s.name) for s in stacks), default=10)
    rows = [f"\nsynthesized {len(stacks)} stacks into {out}/stacks:"]
    for s in stacks:
        where = f"account {s.account_id}" if s.account_id else "HCP Terraform"
        rows.append(f"  {s.name:<{width}}  {s.resource_count:>4} resources  {where}"
                    f"  after: {', '.join(s.depends_on) or '-'}")
    rows.append(f"  total: {sum(s.resource_count for s in stacks)} resources")
    kept = [s for s in stacks if not s.rebuilt]
    if kept:
        rows.append(f"  {len(stacks) - len(kept)} rebuilt, {len(kept)} unchanged since the last build (no changed "
                    "contract reaches them: copied as written)")
    return "\n".join(rows)
