"""How one domain's catalog objects spread over stacks in the governance account, and the rule that keeps every
stack small.

A domain's catalog lives in `<env>-catalog-<domain>` (its database, registered location, producer grants, the
per-subscriber database grants and LF-tag policy grants) plus, when `domains.<d>.catalog_stacks` is N > 1, N-1
more stacks `<env>-catalog-<domain>-<i>` (i = 1..N-1). Each product's tables, their column LF-tags, the data
cells filters on them and the grants to their subscribers live together in exactly one of the N stacks, chosen by
rendezvous hashing of the product name: a product's stack depends only on its name and N, so adding or removing
products never moves another product, and raising N from N to N+1 moves only the products that now prefer the
new stack (about 1/(N+1) of them) and never between existing stacks.

The rule: no stack may hold more than MAX_STACK_RESOURCES resources (a state that large plans and refreshes
slowly, and one mistake in it touches everything it holds). Validation counts what each catalog stack will hold
(the same count the synthesized JSON has; tests compare the two) and, when one is over, names the domain and the
smallest `catalog_stacks` that leaves every stack at most SUGGESTED_FILL full.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

from meshform import naming
from meshform.access import cells_filters, table_accesses, tag_accesses
from meshform.spec.contract import Product
from meshform.spec.mesh import Mesh

MAX_STACK_RESOURCES = 500
MAX_CATALOG_STACKS = 64       # the spec's upper bound for domains.<d>.catalog_stacks
SUGGESTED_FILL = 0.8          # the suggestion leaves room for the domain to grow before the next split
# The database, its LF-tag, the registration role + its policy + the registered location, and the three
# producer grants (database, tables, location): modules/stacks/catalog.py.
_BASE_RESOURCES = 8
_RESOURCES_PER_TAG_ACCESS = 2  # LF-tag policy grants on databases and on tables (grant_tag_policies)


def shard_of(product: str, shards: int) -> int:
    """The stack (0 = `<env>-catalog-<domain>`) that holds `product`'s catalog objects: rendezvous hashing."""
    if shards == 1:
        return 0
    return max(range(shards), key=lambda i: hashlib.sha256(f"{product}\0{i}".encode()).digest())


@dataclass(frozen=True)
class CatalogLayout:
    domain: str
    products: tuple[tuple[str, ...], ...]    # per stack: the names of the products it holds, sorted
    resources: tuple[int, ...]               # per stack: how many resources it holds

    @property
    def largest(self) -> int:
        return max(self.resources)


def catalog_layouts(mesh: Mesh) -> dict[str, CatalogLayout]:
    """Every domain's layout as the spec declares it."""
    model = _Model(mesh)
    return {d: model.layout(d, spec.catalog_stacks) for d, spec in sorted(mesh.spec.domains.items())}


def oversized_catalogs(mesh: Mesh) -> list[tuple[CatalogLayout, int]]:
    """The domains whose catalog puts more than MAX_STACK_RESOURCES into a stack, each with the suggested
    `catalog_stacks`."""
    model = _Model(mesh)
    out = []
    for domain, spec in sorted(mesh.spec.domains.items()):
        layout = model.layout(domain, spec.catalog_stacks)
        if layout.largest > MAX_STACK_RESOURCES:
            out.append((layout, model.suggested(domain)))
    return out


class _Model:
    """The access model computed once, counted per domain."""

    def __init__(self, mesh: Mesh):
        self.mesh = mesh
        self.accesses = table_accesses(mesh)
        self.filters = cells_filters(mesh)
        self.tags = tag_accesses(mesh)

    def suggested(self, domain: str) -> int:
        for count in range(1, MAX_CATALOG_STACKS + 1):
            if self.layout(domain, count).largest <= SUGGESTED_FILL * MAX_STACK_RESOURCES:
                return count
        return MAX_CATALOG_STACKS

    def layout(self, domain: str, count: int) -> CatalogLayout:
        products: list[list[str]] = [[] for _ in range(count)]
        resources = [0] * count
        resources[0] = self._base_resources(domain)
        for name, n in sorted(self._product_resources(domain).items()):
            shard = shard_of(name, count)
            products[shard].append(name)
            resources[shard] += n
        return CatalogLayout(domain, tuple(tuple(p) for p in products), tuple(resources))

    def _base_resources(self, domain: str) -> int:
        subscribers = {a.subscriber for a in self.accesses if a.domain == domain}
        tags = sum(1 for t in self.tags if t.domain == domain)
        return _BASE_RESOURCES + len(subscribers) + _RESOURCES_PER_TAG_ACCESS * tags

    def _product_resources(self, domain: str) -> dict[str, int]:
        """Per product: its tables, one LF-tag per column below the database's level, its tables' data cells
        filters and its tables' grants to subscribers."""
        products = self.mesh.domain_products(domain)
        table_product = {t.name: p.name for p in products for t in p.tables}
        counts: Counter[str] = Counter({p.name: _tables_and_tags(self.mesh, p) for p in products})
        database = naming.central_database_name(domain)
        for filter_database, table, _ in self.filters:
            if filter_database == database:
                counts[table_product[table]] += 1
        for access in self.accesses:
            if access.domain == domain:
                counts[table_product[access.table]] += 1
        return dict(counts)


def _tables_and_tags(mesh: Mesh, product: Product) -> int:
    inherited = mesh.most_sensitive
    return sum(1 + sum(1 for c in t.all_columns if c.classification != inherited) for t in product.tables)
