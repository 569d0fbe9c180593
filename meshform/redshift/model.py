"""The Redshift side of the mesh, derived from the spec, the contracts and the access model (docs/redshift.md).

- Every domain with a `redshift` block is a producer: one schema per product, one table per contract table, and
  the product's datashares: `<product>` with every table whole, and for each clearance level below the product's
  classification `<product>__upto_<level>` holding, per table, the table itself when nothing of it is above the
  level, else a view without the columns above it (the same columns the Lake Formation data cells filter for that
  level withholds: meshform/access.py `withheld_columns`). A datashare is all-or-nothing for a consumer account
  (https://docs.aws.amazon.com/redshift/latest/dg/datashare-overview.html), hence one per level; the set depends on
  the contract and the ontology only, never on who subscribes, so adding or removing a subscriber never creates or
  drops a datashare.
- A subscription with `via: [..., redshift]` gives its subscriber the datashare its clearance reads, decided by
  `subscription_accesses` (the same model that issues the Lake Formation grants and `meshform access` lists).
- Every (datashare, Redshift account of the mesh) pair has one grant statement: GRANT while the account subscribes,
  REVOKE (a tombstone) once it no longer does; its authorization exists only while it subscribes.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from meshform import naming, pipeline_names
from meshform.access import CELLS_FILTER, TABLE, TableAccess, subscription_accesses, withheld_columns
from meshform.redshift import sql
from meshform.spec.contract import Product
from meshform.spec.environment import RedshiftSpec
from meshform.spec.mesh import Mesh

# https://docs.aws.amazon.com/redshift/latest/mgmt/amazon-redshift-limits.html: 60 user databases per cluster or
# workgroup, databases created from datashares included.
DATABASES_PER_WAREHOUSE = 60


@dataclass(frozen=True)
class SharedObject:
    table: str                 # the contract table
    name: str                  # what the datashare holds: the table, or its clearance view
    columns: tuple[str, ...]   # readable columns, contract order
    withheld: tuple[str, ...]

    @property
    def is_view(self) -> bool:
        return self.name != self.table


@dataclass(frozen=True)
class Datashare:
    product: str               # <domain>.<product>
    domain: str
    schema: str
    name: str
    clearance: str | None      # None: every table whole
    objects: tuple[SharedObject, ...]


@dataclass(frozen=True)
class RedshiftAccess:
    """What one `via: redshift` subscription gives: a datashare, a database in the subscriber's warehouse."""
    subscriber: str
    account: str
    product: str
    producer: str
    producer_account: str
    share: Datashare
    database: str
    readers: tuple[str, ...]              # IAM roles granted USAGE on the database
    accesses: tuple[TableAccess, ...]     # the access model's view of the same subscription


@dataclass(frozen=True)
class Grant:
    share: Datashare
    owner: str                 # a Redshift account of the mesh (domain or consumer)
    account: str
    subscribed: bool

    @property
    def key(self) -> str:
        return f"{self.share.name}__{naming.redshift_ident(self.owner)}"

    @property
    def sql(self) -> str:
        return (sql.grant_usage if self.subscribed else sql.revoke_usage)(self.share.name, self.account)


@dataclass(frozen=True)
class Statement:
    key: str                   # stable: part of the Terraform address
    sql: str
    after: tuple[str, ...] = ()   # keys it runs after; a change of any of them re-runs it too
    rerun_with: str = ""          # more text whose change re-runs it (a DROP: the CREATE it clears the way for)


def warehouses(mesh: Mesh) -> dict[str, RedshiftSpec]:
    """Owner (domain or consumer) -> its warehouse spec, for every account with a `redshift` block."""
    out: dict[str, RedshiftSpec] = {}
    for name, d in sorted(mesh.spec.domains.items()):
        if d.redshift is not None:
            out[name] = d.redshift
    for name, c in sorted(mesh.spec.consumers.items()):
        if c.redshift is not None:
            out[name] = c.redshift
    return out


def product_shares(mesh: Mesh, product: Product) -> list[Datashare]:
    return list(mesh.derived(f"redshift_shares:{product.fqn}", lambda: _product_shares(mesh, product)))


def _product_shares(mesh: Mesh, product: Product) -> list[Datashare]:
    schema = naming.redshift_schema_name(product.name)
    whole = tuple(SharedObject(t.name, t.name, tuple(c.name for c in t.all_columns), ()) for t in product.tables)
    shares = [Datashare(product.fqn, product.domain, schema, naming.redshift_datashare_name(product.name, None),
                        None, whole)]
    for level in mesh.ontology[:mesh.rank(product.classification)]:
        objects = []
        for table in product.tables:
            above = {c.name for c in withheld_columns(mesh, table, level)}
            readable = tuple(c.name for c in table.all_columns if c.name not in above)
            if not readable:
                continue
            name = naming.redshift_view_name(table.name, level) if above else table.name
            objects.append(SharedObject(table.name, name, readable,
                                        tuple(c.name for c in table.all_columns if c.name in above)))
        if objects:
            shares.append(Datashare(product.fqn, product.domain, schema,
                                    naming.redshift_datashare_name(product.name, level), level, tuple(objects)))
    return shares


def share_for(mesh: Mesh, product: Product, clearance: str) -> Datashare | None:
    """The datashare a subscriber of `clearance` reads (None: nothing of the product is within it)."""
    if mesh.rank(product.classification) <= mesh.rank(clearance):
        return product_shares(mesh, product)[0]
    return next((s for s in product_shares(mesh, product) if s.clearance == clearance), None)


def redshift_accesses(mesh: Mesh) -> list[RedshiftAccess]:
    return list(mesh.derived("redshift_accesses", lambda: _redshift_accesses(mesh)))


def _redshift_accesses(mesh: Mesh) -> list[RedshiftAccess]:
    out = []
    for index, sub in enumerate(mesh.spec.subscriptions):
        if "redshift" not in sub.via:
            continue
        product = mesh.products[sub.product]
        share = share_for(mesh, product, mesh.clearance_of(sub.subscriber))
        if share is None:
            continue
        subscriber = mesh.subscriber(sub.subscriber)
        out.append(RedshiftAccess(
            sub.subscriber, subscriber.account_id, product.fqn, product.domain,
            mesh.spec.domains[product.domain].account_id, share,
            naming.redshift_consumer_database_name(product.domain, product.name),
            tuple(sorted(subscriber.principals)), tuple(subscription_accesses(mesh, index))))
    return out


@dataclass(frozen=True)
class ConsumerDatabase:
    """A database a subscriber's warehouse can hold: one per product of every other domain with a warehouse. While
    `access` is set it is created from the datashare; once not, it is dropped if the subscriber created it."""
    subscriber: str
    producer: str
    producer_account: str
    product: str               # <domain>.<product>
    database: str
    access: RedshiftAccess | None


def consumer_databases(mesh: Mesh, subscriber: str) -> list[ConsumerDatabase]:
    """Every (subscriber, product of another Redshift domain) pair: the set depends on the spec and the contracts
    only, never on who subscribes, like the producer's grants (`grants`)."""
    subscribed = {a.product: a for a in redshift_accesses(mesh) if a.subscriber == subscriber}
    out = []
    for domain in warehouses(mesh):
        if domain == subscriber or domain not in mesh.spec.domains:
            continue
        for product in sorted(mesh.domain_products(domain), key=lambda p: p.name):
            out.append(ConsumerDatabase(subscriber, domain, mesh.spec.domains[domain].account_id, product.fqn,
                                        naming.redshift_consumer_database_name(domain, product.name),
                                        subscribed.get(product.fqn)))
    return out


def share_matches_access(access: RedshiftAccess) -> bool:
    """The datashare holds exactly what the access model grants: whole tables as tables, filtered ones as views
    with the same readable columns (tests and the governance check rely on this)."""
    by_table = {o.table: o for o in access.share.objects}
    for a in access.accesses:
        shared = by_table.get(a.table)
        if shared is None or shared.columns != a.columns:
            return False
        if (a.mechanism == TABLE) == shared.is_view or a.mechanism not in (TABLE, CELLS_FILTER):
            return False
    return len(by_table) == len(access.accesses)


def grants(mesh: Mesh, domain: str) -> list[Grant]:
    """Every (datashare of the domain, other Redshift account) pair: GRANT or tombstone REVOKE."""
    owners = [o for o in warehouses(mesh) if o != domain]
    subscribed = {(a.share.name, a.subscriber) for a in redshift_accesses(mesh) if a.producer == domain}
    out = []
    for product in mesh.domain_products(domain):
        for share in product_shares(mesh, product):
            for owner in owners:
                out.append(Grant(share, owner, mesh.account_of(owner), (share.name, owner) in subscribed))
    return out


def producer_statements(mesh: Mesh, domain: str) -> list[Statement]:
    """The domain's DDL and datashare statements, in run order (grants: `grants`)."""
    out: list[Statement] = []
    for product in mesh.domain_products(domain):
        schema = naming.redshift_schema_name(product.name)
        s_key = f"schema_{product.name}"
        out.append(Statement(s_key, sql.create_schema(schema)))
        table_key = {}
        for table in product.tables:
            create_sql = sql.create_table(schema, table)
            # The DROP re-runs whenever the definition changes (its trigger includes the CREATE's SQL), so a
            # changed contract re-creates the table; the pipeline's next run reloads it from the analytics bucket.
            drop = Statement(f"drop_{product.name}_{table.name}", sql.drop_table(schema, table.name), (s_key,),
                             create_sql)
            create = Statement(f"table_{product.name}_{table.name}", create_sql, (drop.key,))
            out += [drop, create]
            table_key[table.name] = create.key
        views: dict[str, str] = {}
        for share in product_shares(mesh, product):
            for obj in share.objects:
                if obj.is_view and obj.name not in views:
                    view_sql = sql.create_view(schema, obj.name, obj.table, obj.columns)
                    v_drop = Statement(f"drop_{product.name}_{obj.name}", sql.drop_view(schema, obj.name),
                                       (table_key[obj.table],), view_sql)
                    view = Statement(f"view_{product.name}_{obj.name}", view_sql, (v_drop.key,))
                    out += [v_drop, view]
                    views[obj.name] = view.key
        if product.name in mesh.spec.domains[domain].pipelines:
            # The pipeline's state machine loads the tables as itself (IAM identity, no admin secret).
            role = pipeline_names.state_machine_role_name(mesh.spec.name_prefix, mesh.env, domain, product.name)
            user = naming.redshift_iam_user(naming.role_arn(mesh.spec.domains[domain].account_id, role))
            u_key, g_key = f"loader_{product.name}", f"loader_{product.name}_schema"
            out += [Statement(u_key, sql.create_iam_user(user)),
                    Statement(g_key, sql.grant_schema_usage(schema, user), (s_key, u_key))]
            for table in product.tables:
                out.append(Statement(f"loader_{product.name}_{table.name}",
                                     sql.grant_load(schema, table.name, user), (g_key, table_key[table.name])))
        for share in product_shares(mesh, product):
            c_key = f"share_{share.name}"
            a_key = f"share_{share.name}_schema"
            out += [Statement(c_key, sql.create_datashare(share.name), (s_key,)),
                    Statement(a_key, sql.add_schema(share.name, schema), (c_key,))]
            for obj in share.objects:
                source = views[obj.name] if obj.is_view else table_key[obj.table]
                out.append(Statement(f"share_{share.name}_{obj.name}", sql.add_table(share.name, schema, obj.name),
                                     (a_key, source)))
    return out


def triggers(statements: list[Statement]) -> dict[str, str]:
    """key -> SHA-256 of its SQL and of the triggers of what it runs after: a statement re-runs when its SQL or
    anything it depends on changes (a re-created table drops its views, which must be re-created and re-added)."""
    out: dict[str, str] = {}
    for s in statements:
        text = "\n".join([s.sql, s.rerun_with, *(out[k] for k in s.after)])
        out[s.key] = hashlib.sha256(text.encode()).hexdigest()
    return out

