"""Who may read what, derived from the spec and the contracts: the single model behind both the generated Lake
Formation grants (modules/) and `meshform access` (the table a reviewer reads in a pull request).

Rules (docs/architecture.md, "Access model"; the AWS rules behind them: docs/aws-rules.md, "Lake Formation sharing"):
- every grant is issued by the governance account to the subscriber's *account*; the subscriber re-grants to its
  own principals;
- a subscription with an explicit column subset is granted as a column include-list (grantable: include-lists
  are the only column filtering that allows the grant option);
- without a subset, a table whose columns are all within the subscriber's clearance is granted whole; otherwise
  through a data cells filter that excludes exactly the columns above the clearance;
- tag grants (LF-tag policies) give a class of data of one domain, including tables added later.
"""
from __future__ import annotations

from dataclasses import dataclass

from meshform import naming
from meshform.spec.contract import Column, Table
from meshform.spec.mesh import Mesh

TABLE = "table"
INCLUDE_LIST = "column include-list"
CELLS_FILTER = "data cells filter"
TAG_POLICY = "LF-tag policy"
# Stable short names used in Terraform resource addresses: rewording a label above must never rename resources.
SLUG = {TABLE: "table", INCLUDE_LIST: "list", CELLS_FILTER: "filter", TAG_POLICY: "policy"}


@dataclass(frozen=True)
class TableAccess:
    subscriber: str
    account: str
    product: str          # <domain>.<product>
    domain: str
    table: str
    mechanism: str        # TABLE | INCLUDE_LIST | CELLS_FILTER | TAG_POLICY
    columns: tuple[str, ...]   # readable columns, contract order
    hidden: tuple[str, ...]    # columns of the table the subscriber does not get
    filter_name: str | None
    reason: str

    @property
    def database(self) -> str:
        return naming.central_database_name(self.domain)


@dataclass(frozen=True)
class TagAccess:
    subscriber: str
    account: str
    domain: str
    classifications: tuple[str, ...]


def table_accesses(mesh: Mesh) -> list[TableAccess]:
    return list(mesh.derived("table_accesses", lambda: _table_accesses(mesh)))


def _table_accesses(mesh: Mesh) -> list[TableAccess]:
    out: list[TableAccess] = []
    for index, sub in enumerate(mesh.spec.subscriptions):
        if "lakeformation" in sub.via:
            out.extend(subscription_accesses(mesh, index))
    return out


def withheld_columns(mesh: Mesh, table: Table, clearance: str) -> list[Column]:
    """The columns of `table` above `clearance`: what a data cells filter (Lake Formation) or a view (Redshift)
    leaves out."""
    return [c for c in table.all_columns if mesh.rank(c.classification) > mesh.rank(clearance)]


def subscription_accesses(mesh: Mesh, index: int) -> list[TableAccess]:
    """What subscription `index` gives its subscriber, table by table, whichever way (`via`) it is delivered."""
    sub = mesh.spec.subscriptions[index]
    out: list[TableAccess] = []
    product = mesh.products[sub.product]
    clearance = mesh.clearance_of(sub.subscriber)
    account = mesh.account_of(sub.subscriber)
    for table in product.tables:
        names = [c.name for c in table.all_columns]
        if sub.columns is not None:
            if table.name not in sub.columns:
                continue
            chosen = set(sub.columns[table.name])
            readable = tuple(n for n in names if n in chosen)
            out.append(TableAccess(sub.subscriber, account, product.fqn, product.domain, table.name,
                                   INCLUDE_LIST, readable, tuple(n for n in names if n not in chosen), None,
                                   f"subscriptions.{index}: explicit column subset"))
            continue
        above_cols = withheld_columns(mesh, table, clearance)
        above = tuple(c.name for c in above_cols)
        if not above:
            out.append(TableAccess(sub.subscriber, account, product.fqn, product.domain, table.name, TABLE,
                                   tuple(names), (), None,
                                   f"subscriptions.{index}: every column within clearance {clearance!r}"))
        else:
            out.append(TableAccess(
                sub.subscriber, account, product.fqn, product.domain, table.name, CELLS_FILTER,
                tuple(n for n in names if n not in above), above,
                naming.data_cells_filter_name(table.name, clearance),
                f"subscriptions.{index}: clearance {clearance!r} withholds "
                + ", ".join(f"{c.name} ({c.classification})" for c in above_cols)))
    return out


def tag_accesses(mesh: Mesh) -> list[TagAccess]:
    return [TagAccess(name, c.account_id, g.domain, tuple(g.classification))
            for name, c in sorted(mesh.spec.consumers.items()) for g in c.grants]


def tag_table_accesses(mesh: Mesh) -> list[TableAccess]:
    return list(mesh.derived("tag_table_accesses", lambda: _tag_table_accesses(mesh)))


def _tag_table_accesses(mesh: Mesh) -> list[TableAccess]:
    """What tag grants resolve to today (tables added later are covered too, by the tag policy itself)."""
    out = []
    for grant in tag_accesses(mesh):
        allowed = set(grant.classifications)
        for product in mesh.domain_products(grant.domain):
            for table in product.tables:
                readable = tuple(c.name for c in table.all_columns if c.classification in allowed)
                if not readable:
                    continue
                hidden = tuple(c.name for c in table.all_columns if c.classification not in allowed)
                out.append(TableAccess(grant.subscriber, grant.account, product.fqn, product.domain, table.name,
                                       TAG_POLICY, readable, hidden, None,
                                       f"consumers.{grant.subscriber}.grants: domain={grant.domain}, "
                                       f"classification in {list(grant.classifications)}"))
    return out


def effective_accesses(mesh: Mesh) -> list[TableAccess]:
    return list(mesh.derived("effective_accesses", lambda: _effective_accesses(mesh)))


def _effective_accesses(mesh: Mesh) -> list[TableAccess]:
    """One access per (subscriber, table), as re-granted and reported: a named subscription wins over a tag grant
    covering the same table (two Terraform resources managing one LF permission would revoke each other's grant
    on removal)."""
    chosen: dict[tuple[str, str, str], TableAccess] = {}
    for access in table_accesses(mesh) + tag_table_accesses(mesh):
        chosen.setdefault((access.subscriber, access.domain, access.table), access)
    return list(chosen.values())


def shared_domains(mesh: Mesh, subscriber: str) -> list[str]:
    """Domains whose central database the subscriber links to (named subscriptions or tag grants)."""
    domains = {a.domain for a in table_accesses(mesh) if a.subscriber == subscriber}
    domains |= {g.domain for g in tag_accesses(mesh) if g.subscriber == subscriber}
    return sorted(domains)


def cells_filters(mesh: Mesh) -> dict[tuple[str, str, str], tuple[str, ...]]:
    """(database, table, filter name) -> excluded columns, for every filter some subscription needs."""
    return dict(mesh.derived("cells_filters", lambda: _cells_filters(mesh)))


def _cells_filters(mesh: Mesh) -> dict[tuple[str, str, str], tuple[str, ...]]:
    return {(a.database, a.table, a.filter_name): a.hidden
            for a in table_accesses(mesh) if a.mechanism == CELLS_FILTER and a.filter_name is not None}


def reads_full_tables(access: TableAccess) -> bool:
    """Whole-table access is the only kind a Glue job in full-table-access mode can read; anything filtered (data
    cells filter, column list) needs a job in fine-grained access mode
    (https://docs.aws.amazon.com/glue/latest/dg/security-lf-enable.html)."""
    return access.mechanism == TABLE


def fgac_reader_arn(mesh: Mesh, domain: str) -> str:
    """The domain's fine-grained-access reader role (its stack creates it when the domain reads anything
    filtered, i.e. whenever some access of the domain is not `reads_full_tables`)."""
    return naming.role_arn(mesh.spec.domains[domain].account_id,
                           naming.etl_fgac_role_name(mesh.spec.name_prefix, mesh.env, domain))


def readers_of(mesh: Mesh, access: TableAccess) -> list[str]:
    """The roles the subscriber account re-grants one access to. Consumers: their principals. Domains: their
    principals, plus the ETL role for whole tables or the fine-grained-access reader for filtered ones (a Glue job
    has exactly one Lake Formation access mode, so one role per mode)."""
    subscriber = access.subscriber
    if subscriber in mesh.spec.consumers:
        return sorted(mesh.spec.consumers[subscriber].principals)
    domain = mesh.spec.domains[subscriber]
    if reads_full_tables(access):
        job_role = naming.role_arn(domain.account_id, naming.etl_role_name(mesh.spec.name_prefix, mesh.env,
                                                                           subscriber))
    else:
        job_role = fgac_reader_arn(mesh, subscriber)
    return sorted({job_role, *domain.principals})


def subscriber_principals(mesh: Mesh, subscriber: str) -> list[str]:
    """Every role a subscriber account re-grants something to (they all get DESCRIBE on the resource links)."""
    if subscriber in mesh.spec.consumers:
        return sorted(mesh.spec.consumers[subscriber].principals)
    accesses = [a for a in effective_accesses(mesh) if a.subscriber == subscriber]
    return sorted({p for a in accesses for p in readers_of(mesh, a)})
