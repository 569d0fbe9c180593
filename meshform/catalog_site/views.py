"""The catalog's page data: plain, sorted, frozen values computed from one `Mesh` and the access model.

Who reads what, through which mechanism and without which columns comes only from the access models the stacks
are generated from and `meshform access` reports (meshform/access_report.py): Lake Formation from
meshform/access.py (`effective_accesses`, `tag_accesses`, `readers_of`, `subscriber_principals`), Redshift
datashares from meshform/redshift/model.py (`redshift_accesses`, itself derived from `subscription_accesses`). So
the catalog cannot show an access the grants or datashares do not give, or miss one they do. The pipelines and
their freshness alarms come from the spec and the contract, named by meshform/ops_names.py like the stacks name
them."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from meshform import access as am
from meshform import naming, ops_names
from meshform.catalog_site import names
from meshform.catalog_site.sla import SlaReader, SlaTerm, sla_reader
from meshform.redshift import model as rs
from meshform.spec.contract import Column, Product, Table
from meshform.spec.environment import RedshiftSpec
from meshform.spec.mesh import Mesh
from meshform.spec.quality import QualityRule

DOMAIN = "domain"
CONSUMER = "consumer"
LAKEFORMATION = "lakeformation"
REDSHIFT = "redshift"
# A Redshift subscription as a mechanism: its label and slug (next to the Lake Formation ones in access.SLUG).
DATASHARE = "Redshift datashare"
DATASHARE_SLUG = "datashare"


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
    """What one subscriber reads of one table through one channel, as shown on product and subscriber pages:
    a `TableAccess` of the Lake Formation access model, or one table of a Redshift datashare (`RedshiftAccess`)."""
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
    readers: tuple[str, ...]       # roles the subscriber account re-grants it to (Redshift: USAGE on the database)
    channel: str = LAKEFORMATION   # LAKEFORMATION | REDSHIFT
    # Redshift only: the datashare, the clearance level it is cut at (None: the whole product, every table as it
    # is), what it holds of this table ("table", or "view <name>") and the database it becomes in the subscriber's
    # warehouse.
    share: str = ""
    share_clearance: Badge | None = None
    shared_as: str = ""
    database: str = ""


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
class InputView:
    product: str                             # <domain>.<product> the pipeline reads
    href: str


@dataclass(frozen=True)
class PipelineView:
    enabled: bool
    summary: str                             # one line: format, workers, retries, timeout
    inputs: tuple[InputView, ...]
    # The freshness alarm (docs/operations.md): its name when the product has a pipeline and a freshness SLA,
    # else ""; `freshness` says in words what watches the SLA, or why nothing does.
    freshness_alarm: str
    freshness: str


@dataclass(frozen=True)
class OfferedTable:
    table: str
    table_anchor: str
    withheld: tuple[str, ...]                # columns above the level
    filter_name: str                         # the data cells filter that withholds them ("" when none)


@dataclass(frozen=True)
class OfferView:
    """What a subscription without a column subset gives a subscriber of one clearance level: per table the whole
    table or a data cells filter (Lake Formation), and the datashare (Redshift, when the domain has a warehouse).
    Computed with the access model's own rule (`access.withheld_columns`, `redshift.model.share_for`)."""
    level: Badge
    tables: tuple[OfferedTable, ...]
    share: str                               # "" when the domain has no Redshift warehouse
    # Tables with no column within the level: validation rejects such a subscription (meshform/loader.py), so
    # nothing is offered at this level.
    empty_tables: tuple[str, ...]


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
    subscribers: tuple[str, ...]             # every subscriber with some access, either channel, sorted
    offers: tuple[OfferView, ...]            # by clearance level, least sensitive first


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
    reads: tuple[AccessView, ...]            # Lake Formation and Redshift, sorted by product, table, channel
    products: tuple[str, ...]                # domains: their own products (fqn)
    warehouse: str                           # its Redshift warehouse in words, "" without a `redshift` block

    @property
    def tables_read(self) -> int:
        """Distinct (product, table) pairs read, whichever channel."""
        return len({(a.product, a.table) for a in self.reads})

    @property
    def datashare_products(self) -> tuple[str, ...]:
        """The products the subscriber reads through a Redshift datashare."""
        return tuple(sorted({a.product for a in self.reads if a.channel == REDSHIFT}))


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
    accesses: tuple[AccessView, ...]         # every effective Lake Formation access, sorted
    datashares: tuple[AccessView, ...]       # every table of every Redshift subscription, sorted

    @cached_property
    def _by_name(self) -> dict[str, ProductView | SubscriberView]:
        return {**{p.fqn: p for p in self.products}, **{s.name: s for s in self.domains + self.consumers}}

    @property
    def datashare_subscriptions(self) -> int:
        return len({(a.subscriber, a.product) for a in self.datashares})

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
    datashares = _datashare_views(mesh, badge)
    every = accesses + datashares
    per_table: dict[tuple[str, str], tuple[AccessView, ...]] = {}
    for a in sorted(every, key=_order):
        per_table[(a.product, a.table)] = per_table.get((a.product, a.table), ()) + (a,)
    products = tuple(_product_view(mesh, read_sla, p, badge, per_table) for _, p in sorted(mesh.products.items()))
    domains = tuple(_subscriber_view(mesh, name, DOMAIN, badge, every) for name in sorted(mesh.spec.domains))
    consumers = tuple(_subscriber_view(mesh, name, CONSUMER, badge, every) for name in sorted(mesh.spec.consumers))
    return EnvironmentView(mesh.env, mesh.region, mesh.governance_account, tuple(badge(c) for c in mesh.ontology),
                           badge(mesh.spec.governance.default_classification), products, domains, consumers,
                           accesses, datashares)


_CHANNEL_ORDER = {LAKEFORMATION: 0, REDSHIFT: 1}


def _order(a: AccessView) -> tuple[str, str, str, int]:
    return (a.product, a.table, a.subscriber, _CHANNEL_ORDER[a.channel])


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


def _datashare_views(mesh: Mesh, badge) -> tuple[AccessView, ...]:
    """One row per table of each `via: redshift` subscription, from `redshift_accesses`: the datashare the
    producer grants (cut at the subscriber's clearance), what it holds of the table, and the columns its view
    leaves out - the rows `meshform access` lists with channel redshift."""
    views = []
    for access in rs.redshift_accesses(mesh):
        share = access.share
        product = mesh.products[access.product]
        reasons = {a.table: a.reason for a in access.accesses}
        level = None if share.clearance is None else badge(share.clearance)
        for obj in share.objects:
            table = product.table(obj.table)
            assert table is not None, f"{access.product} has no table {obj.table}"   # the Redshift model built it
            by_name = {c.name: c for c in table.all_columns}
            hidden = tuple(HiddenColumn(n, badge(by_name[n].classification),
                                        f"classified {by_name[n].classification}, above the clearance "
                                        f"{share.clearance}: the datashare holds view {obj.name} without it")
                           for n in obj.withheld)
            views.append(AccessView(
                access.subscriber, DOMAIN if access.subscriber in mesh.spec.domains else CONSUMER,
                subscriber_href(mesh, access.subscriber), access.product, names.product_page(access.product),
                obj.table, names.anchor("table", obj.table), DATASHARE, DATASHARE_SLUG, obj.columns, hidden, "",
                reasons.get(obj.table, ""), access.readers, REDSHIFT, share.name, level,
                f"view {obj.name}" if obj.is_view else "table", access.database))
    return tuple(sorted(views, key=lambda v: (v.product, v.table, v.subscriber)))


def _columns_text(columns: dict[str, list[str]] | None) -> str:
    if columns is None:
        return "all tables, columns within the clearance"
    return "; ".join(f"{table}: {', '.join(cols)}" for table, cols in sorted(columns.items()))


def _product_view(mesh: Mesh, read_sla: SlaReader, product: Product, badge,
                  accesses: dict[tuple[str, str], tuple[AccessView, ...]]) -> ProductView:
    tables = tuple(_table_view(t, badge, accesses.get((product.fqn, t.name), ())) for t in product.tables)
    rules = [r for t in tables for r in t.rules]
    subscribers = sorted({a.subscriber for t in tables for a in t.accesses})
    return ProductView(
        product.fqn, product.domain, product.name, product.title, product.description, product.owner,
        product.version, product.status, badge(product.classification), product.file,
        names.product_page(product.fqn), read_sla(product), _pipeline_view(mesh, product), tables,
        len(rules), sum(1 for r in rules if r.blocking), tuple(subscribers), _offers(mesh, product, badge))


def _offers(mesh: Mesh, product: Product, badge) -> tuple[OfferView, ...]:
    warehouse = mesh.spec.domains[product.domain].redshift is not None
    offers = []
    for level in mesh.ontology:
        tables, empty = [], []
        for table in product.tables:
            withheld = tuple(c.name for c in am.withheld_columns(mesh, table, level))
            if len(withheld) == len(table.all_columns):
                empty.append(table.name)
            tables.append(OfferedTable(table.name, names.anchor("table", table.name), withheld,
                                       naming.data_cells_filter_name(table.name, level) if withheld else ""))
        share = rs.share_for(mesh, product, level) if warehouse and not empty else None
        offers.append(OfferView(badge(level), tuple(tables), share.name if share is not None else "", tuple(empty)))
    return tuple(offers)


def _table_view(table: Table, badge, accesses: tuple[AccessView, ...]) -> TableView:
    positions = {c.name: i for i, c in enumerate(table.partition_keys, start=1)}
    columns = tuple(ColumnView(c.name, c.type, c.comment, badge(c.classification), c.required, c.primary_key,
                               positions.get(c.name, 0)) for c in table.all_columns)
    return TableView(table.name, names.anchor("table", table.name), table.description, badge(table.classification),
                     columns, tuple(c.name for c in table.partition_keys),
                     tuple(c.name for c in table.all_columns if c.primary_key),
                     tuple(_rule_view(table.name, r) for r in table.quality),
                     tuple(sorted(accesses, key=_order)))


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
    """The product's pipeline as the spec gives it (`domains.<d>.pipelines.<product>`), and the freshness alarm
    its stack creates from the contract's freshness SLA (modules/constructs/pipeline/pipeline_alarms.py)."""
    spec = mesh.spec.domains[product.domain].pipelines.get(product.name)
    hours = None if product.freshness_seconds is None else f"{product.freshness_seconds / 3600:g} h"
    if spec is None:
        freshness = ("none declared" if hours is None else
                     f"{hours} promised, not watched by meshform: the product has no pipeline in the spec")
        return PipelineView(False, "no pipeline in the spec (the product is loaded outside meshform)", (), "",
                            freshness)
    summary = (f"raw -> stage -> analytics: {spec.format} input, {spec.workers.count} x {spec.workers.type} "
               f"workers, {spec.retries} retries, timeout {spec.timeout_minutes} min")
    inputs = tuple(InputView(ref, names.product_page(ref)) for ref in sorted(spec.inputs))
    if hours is None:
        return PipelineView(True, summary, inputs, "", "no freshness alarm: the contract promises no freshness")
    alarm = ops_names.pipeline_alarm_name(mesh.spec.name_prefix, mesh.env, product.domain, product.name, "stale")
    return PipelineView(True, summary, inputs, alarm,
                        f"alarm {alarm} fires when nothing is published within {hours}")


def _subscriber_view(mesh: Mesh, name: str, kind: str, badge, accesses: tuple[AccessView, ...]) -> SubscriberView:
    spec = mesh.subscriber(name)
    subs = tuple(SubscriptionLine(s.product, names.product_page(s.product), tuple(s.via), _columns_text(s.columns))
                 for s in sorted(mesh.subscriptions_of(name), key=lambda s: (s.product, tuple(s.via))))
    grants = tuple(TagGrantView(g.domain, names.domain_page(g.domain), tuple(badge(c) for c in g.classifications))
                   for g in am.tag_accesses(mesh) if g.subscriber == name)
    reads = tuple(sorted((a for a in accesses if a.subscriber == name), key=_order))
    # Lake Formation re-grants and Redshift database USAGE grants (a Redshift-only subscriber has only these).
    principals = tuple(sorted(set(am.subscriber_principals(mesh, name)) | {r for a in reads for r in a.readers}))
    products = tuple(p.fqn for p in mesh.domain_products(name)) if kind == DOMAIN else ()
    return SubscriberView(name, kind, subscriber_href(mesh, name), spec.account_id, spec.owner, spec.description,
                          badge(mesh.clearance_of(name)), principals, subs, grants,
                          reads, tuple(sorted(products)), _warehouse(spec.redshift))


def _warehouse(spec: RedshiftSpec | None) -> str:
    if spec is None:
        return ""
    if spec.mode == "serverless":
        top = f", up to {spec.max_capacity} RPUs" if spec.max_capacity is not None else ""
        return f"Redshift Serverless, base capacity {spec.base_capacity} RPUs{top}"
    return f"Redshift provisioned cluster, {spec.nodes} x {spec.node_type}"
