"""The catalog's page data: plain, sorted, frozen values computed from one `Mesh` and the access model.

Who reads what, through which mechanism and without which columns comes only from meshform/access.py
(`effective_accesses`, `tag_accesses`, `readers_of`, `subscriber_principals`) — the functions the stacks generate
the grants from — so the catalog cannot show an access the Lake Formation grants do not give, or miss one they do.
What the spec says beyond the access model (subscription channels other than Lake Formation, e.g. Redshift, and
the product pipelines) is read from the spec itself, defensively: those parts of the spec are younger than the
catalog's readers."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from meshform import access as am
from meshform.catalog_site import names
from meshform.catalog_site.sla import SlaReader, SlaTerm, sla_reader
from meshform.spec.contract import Column, Product, Table
from meshform.spec.mesh import Mesh
from meshform.spec.quality import QualityRule

DOMAIN = "domain"
CONSUMER = "consumer"
LAKEFORMATION = "lakeformation"


@dataclass(frozen=True)
class Badge:
    """A classification as shown: its name and its sensitivity level 0..4 (the CSS colour), relative to the
    environment's own ontology (which may have any number of levels)."""
    name: str
    level: int


@dataclass(frozen=True)
class ColumnView:
    name: str
    type: str
    comment: str
    classification: Badge
    required: bool
    primary_key: bool
    partition_position: int        # 1..n for partition keys, 0 otherwise


@dataclass(frozen=True)
class HiddenColumn:
    name: str
    classification: Badge
    why: str


@dataclass(frozen=True)
class AccessView:
    """One `TableAccess` of the access model, as shown on product and subscriber pages."""
    subscriber: str
    subscriber_kind: str           # DOMAIN | CONSUMER
    subscriber_href: str           # relative to the environment directory
    product: str
    product_href: str
    table: str
    table_anchor: str
    mechanism: str                 # the access model's label, e.g. "data cells filter"
    slug: str                      # stable short name: table | list | filter | policy
    columns: tuple[str, ...]
    hidden: tuple[HiddenColumn, ...]
    filter_name: str
    reason: str
    readers: tuple[str, ...]       # roles the subscriber account re-grants it to


@dataclass(frozen=True)
class RuleView:
    table: str
    table_anchor: str
    metric: str
    columns: tuple[str, ...]
    expectation: str               # e.g. "= 0 rows", "> 0"
    blocking: bool
    description: str
    detail: str                    # accepted values, pattern or SQL query
    path: str                      # where the rule is written in the contract


@dataclass(frozen=True)
class TableView:
    name: str
    anchor: str
    description: str
    classification: Badge
    columns: tuple[ColumnView, ...]          # data columns then partition keys, as in the Glue table
    partition_keys: tuple[str, ...]
    primary_key: tuple[str, ...]
    rules: tuple[RuleView, ...]
    accesses: tuple[AccessView, ...]         # who reads this table, sorted by subscriber


@dataclass(frozen=True)
class PipelineView:
    enabled: bool
    summary: str                             # one line: format, workers, retries, timeout
    inputs: tuple[str, ...]


@dataclass(frozen=True)
class ChannelView:
    """A subscription to the product through a channel other than Lake Formation (e.g. a Redshift datashare):
    the spec names it; no access model decides its columns yet, so the catalog shows the subscription as given."""
    subscriber: str
    subscriber_href: str
    channel: str
    columns: str                             # "all" or the explicit subset as written


@dataclass(frozen=True)
class ProductView:
    fqn: str
    domain: str
    name: str
    title: str
    description: str
    owner: str
    version: str
    status: str
    classification: Badge
    file: str
    href: str
    sla: tuple[SlaTerm, ...]
    pipeline: PipelineView
    tables: tuple[TableView, ...]
    rule_count: int
    blocking_rule_count: int
    subscribers: tuple[str, ...]             # every subscriber with some access or channel, sorted
    channels: tuple[ChannelView, ...]


@dataclass(frozen=True)
class TagGrantView:
    domain: str
    domain_href: str
    classifications: tuple[Badge, ...]


@dataclass(frozen=True)
class SubscriptionLine:
    product: str
    product_href: str
    via: tuple[str, ...]
    columns: str


@dataclass(frozen=True)
class SubscriberView:
    name: str
    kind: str                                # DOMAIN | CONSUMER
    href: str
    account: str
    owner: str
    description: str
    clearance: Badge
    principals: tuple[str, ...]              # every role the account re-grants something to
    subscriptions: tuple[SubscriptionLine, ...]
    tag_grants: tuple[TagGrantView, ...]
    reads: tuple[AccessView, ...]            # sorted by product, table
    channels: tuple[tuple[str, ChannelView], ...]   # (product, channel) for non-Lake-Formation subscriptions
    products: tuple[str, ...]                # domains: their own products (fqn)


@dataclass(frozen=True)
class EnvironmentView:
    env: str
    region: str
    governance_account: str
    ontology: tuple[Badge, ...]
    default_classification: Badge
    products: tuple[ProductView, ...]        # sorted by fqn
    domains: tuple[SubscriberView, ...]      # sorted by name
    consumers: tuple[SubscriberView, ...]
    accesses: tuple[AccessView, ...]         # every effective access, sorted

    @cached_property
    def _by_name(self) -> dict[str, ProductView | SubscriberView]:
        return {**{p.fqn: p for p in self.products}, **{s.name: s for s in self.domains + self.consumers}}

    def product(self, fqn: str) -> ProductView:
        found = self._by_name[fqn]
        assert isinstance(found, ProductView)
        return found

    def subscriber(self, name: str) -> SubscriberView:
        found = self._by_name[name]
        assert isinstance(found, SubscriberView)
        return found


def environment_view(mesh: Mesh, root: Path, read_sla: SlaReader | None = None) -> EnvironmentView:
    """`root`: the project directory the contracts are read from (for their SLA terms); pass one `read_sla` to
    several calls to read each contract file once."""
    read_sla = read_sla or sla_reader(root)
    badge = _badges(mesh)
    accesses = _access_views(mesh, badge)
    channels = _channels(mesh)
    per_table: dict[tuple[str, str], tuple[AccessView, ...]] = {}
    for a in accesses:
        per_table[(a.product, a.table)] = per_table.get((a.product, a.table), ()) + (a,)
    products = tuple(_product_view(mesh, read_sla, p, badge, per_table, channels)
                     for _, p in sorted(mesh.products.items()))
    domains = tuple(_subscriber_view(mesh, name, DOMAIN, badge, accesses, channels)
                    for name in sorted(mesh.spec.domains))
    consumers = tuple(_subscriber_view(mesh, name, CONSUMER, badge, accesses, channels)
                      for name in sorted(mesh.spec.consumers))
    return EnvironmentView(mesh.env, mesh.region, mesh.governance_account, tuple(badge(c) for c in mesh.ontology),
                           badge(mesh.spec.governance.default_classification), products, domains, consumers,
                           accesses)


def subscriber_href(mesh: Mesh, name: str) -> str:
    return names.domain_page(name) if name in mesh.spec.domains else names.consumer_page(name)


def _badges(mesh: Mesh):
    top = max(len(mesh.ontology) - 1, 1)

    def badge(classification: str) -> Badge:
        return Badge(classification, round(mesh.rank(classification) * 4 / top))
    return badge


def _access_views(mesh: Mesh, badge) -> tuple[AccessView, ...]:
    grants = {(g.subscriber, g.domain): g.classifications for g in am.tag_accesses(mesh)}
    views = []
    for access in am.effective_accesses(mesh):
        product = mesh.products[access.product]
        table = product.table(access.table)
        assert table is not None, f"{access.product} has no table {access.table}"   # the access model built it
        by_name = {c.name: c for c in table.all_columns}
        why = _why_hidden(mesh, access, grants.get((access.subscriber, access.domain), ()))
        hidden = tuple(HiddenColumn(n, badge(by_name[n].classification), why(by_name[n])) for n in access.hidden)
        views.append(AccessView(
            access.subscriber, DOMAIN if access.subscriber in mesh.spec.domains else CONSUMER,
            subscriber_href(mesh, access.subscriber), access.product, names.product_page(access.product),
            access.table, names.anchor("table", access.table), access.mechanism, am.SLUG[access.mechanism],
            access.columns, hidden, access.filter_name or "", access.reason, tuple(am.readers_of(mesh, access))))
    return tuple(sorted(views, key=lambda v: (v.product, v.table, v.subscriber)))


def _why_hidden(mesh: Mesh, access: am.TableAccess, tag_classes: tuple[str, ...]):
    """One sentence per withheld column, from the rule of the mechanism that withholds it."""
    clearance = mesh.clearance_of(access.subscriber)

    def why(column: Column) -> str:
        if access.mechanism == am.INCLUDE_LIST:
            return "not in the subscription's column list"
        if access.mechanism == am.TAG_POLICY:
            return (f"classified {column.classification}; the tag grant covers only "
                    f"{', '.join(tag_classes)}")
        return f"classified {column.classification}, above the clearance {clearance}"
    return why


def _channels(mesh: Mesh) -> dict[str, list[ChannelView]]:
    """product fqn -> its subscriptions through channels other than Lake Formation (today the spec allows only
    lakeformation; a Redshift datashare subscription would appear here with channel "redshift")."""
    out: dict[str, list[ChannelView]] = {}
    for sub in mesh.spec.subscriptions:
        for channel in sorted(set(getattr(sub, "via", ()) or ()) - {LAKEFORMATION}):
            out.setdefault(sub.product, []).append(ChannelView(
                sub.subscriber, subscriber_href(mesh, sub.subscriber), channel, _columns_text(sub.columns)))
    return {fqn: sorted(views, key=lambda v: (v.subscriber, v.channel)) for fqn, views in out.items()}


def _columns_text(columns: dict[str, list[str]] | None) -> str:
    if columns is None:
        return "all tables, columns within the clearance"
    return "; ".join(f"{table}: {', '.join(cols)}" for table, cols in sorted(columns.items()))


def _product_view(mesh: Mesh, read_sla: SlaReader, product: Product, badge,
                  accesses: dict[tuple[str, str], tuple[AccessView, ...]],
                  channels: dict[str, list[ChannelView]]) -> ProductView:
    tables = tuple(_table_view(t, badge, accesses.get((product.fqn, t.name), ())) for t in product.tables)
    rules = [r for t in tables for r in t.rules]
    own_channels = tuple(channels.get(product.fqn, ()))
    subscribers = sorted({a.subscriber for t in tables for a in t.accesses} | {c.subscriber for c in own_channels})
    return ProductView(
        product.fqn, product.domain, product.name, product.title, product.description, product.owner,
        product.version, product.status, badge(product.classification), product.file,
        names.product_page(product.fqn), read_sla(product), _pipeline_view(mesh, product), tables,
        len(rules), sum(1 for r in rules if r.blocking), tuple(subscribers), own_channels)


def _table_view(table: Table, badge, accesses: tuple[AccessView, ...]) -> TableView:
    positions = {c.name: i for i, c in enumerate(table.partition_keys, start=1)}
    columns = tuple(ColumnView(c.name, c.type, c.comment, badge(c.classification), c.required, c.primary_key,
                               positions.get(c.name, 0)) for c in table.all_columns)
    return TableView(table.name, names.anchor("table", table.name), table.description, badge(table.classification),
                     columns, tuple(c.name for c in table.partition_keys),
                     tuple(c.name for c in table.all_columns if c.primary_key),
                     tuple(_rule_view(table.name, r) for r in getattr(table, "quality", ()) or ()),
                     tuple(sorted(accesses, key=lambda a: a.subscriber)))


def _rule_view(table: str, rule: QualityRule) -> RuleView:
    # A sql rule compares the query's own value; library metrics count offending rows (or their percentage).
    unit = "" if rule.metric == "sql" else (" %" if rule.unit == "percent" else " rows")
    details = []
    if rule.valid_values:
        details.append("accepted: " + ", ".join(_literal(v) for v in rule.valid_values))
    if rule.pattern:
        details.append(f"pattern: {rule.pattern}")
    if rule.missing_values:
        details.append("counted as missing: " + ", ".join(_literal(v) for v in rule.missing_values))
    if rule.query:
        details.append(rule.query)
    return RuleView(table, names.anchor("table", table), rule.metric, rule.columns,
                    rule.threshold.describe() + unit, rule.blocking, rule.description, "; ".join(details), rule.path)


def _literal(value: object) -> str:
    return "null" if value is None else repr(value) if isinstance(value, str) else str(value)


def _pipeline_view(mesh: Mesh, product: Product) -> PipelineView:
    domain = mesh.spec.domains.get(product.domain)
    pipelines = getattr(domain, "pipelines", None) or {}
    spec = pipelines.get(product.name) if isinstance(pipelines, dict) else None
    if spec is None:
        return PipelineView(False, "no pipeline in the spec (the product is loaded outside meshform)", ())
    parts = [f"{getattr(spec, 'format', '?')} input"]
    workers = getattr(spec, "workers", None)
    if workers is not None:
        parts.append(f"{getattr(workers, 'count', '?')} x {getattr(workers, 'type', '?')} workers")
    if (retries := getattr(spec, "retries", None)) is not None:
        parts.append(f"{retries} retries")
    if (timeout := getattr(spec, "timeout_minutes", None)) is not None:
        parts.append(f"timeout {timeout} min")
    return PipelineView(True, "raw -> stage -> analytics: " + ", ".join(parts),
                        tuple(sorted(getattr(spec, "inputs", ()) or ())))


def _subscriber_view(mesh: Mesh, name: str, kind: str, badge, accesses: tuple[AccessView, ...],
                     channels: dict[str, list[ChannelView]]) -> SubscriberView:
    spec = mesh.subscriber(name)
    subs = tuple(SubscriptionLine(s.product, names.product_page(s.product), tuple(s.via), _columns_text(s.columns))
                 for s in sorted(mesh.subscriptions_of(name), key=lambda s: (s.product, tuple(s.via))))
    grants = tuple(TagGrantView(g.domain, names.domain_page(g.domain), tuple(badge(c) for c in g.classifications))
                   for g in am.tag_accesses(mesh) if g.subscriber == name)
    reads = tuple(sorted((a for a in accesses if a.subscriber == name), key=lambda a: (a.product, a.table)))
    own_channels = tuple((fqn, c) for fqn, views in sorted(channels.items()) for c in views if c.subscriber == name)
    products = tuple(p.fqn for p in mesh.domain_products(name)) if kind == DOMAIN else ()
    return SubscriberView(name, kind, subscriber_href(mesh, name), spec.account_id, spec.owner, spec.description,
                          badge(mesh.clearance_of(name)), tuple(am.subscriber_principals(mesh, name)), subs, grants,
                          reads, own_channels, tuple(sorted(products)))
