"""Every Lake Formation grant the stacks make, as plain data: one function per kind of grant, and
`declared_grants` for a whole mesh (account -> the grants its stacks make).

The constructs (modules/constructs/subscription_grants.py, producer_grants.py, subscriber_regrants.py and the
domain stack's ETL re-grants) turn exactly these values into `aws_lakeformation_permissions` resources, and
`meshform audit` compares live accounts against `declared_grants`: one description of the grants, no jsii, so the
audit expects what the stacks wrote (tests/test_audit_compare.py also checks `declared_grants` against the synthesized
JSON)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from meshform import naming
from meshform.access import (
    CELLS_FILTER,
    INCLUDE_LIST,
    TAG_POLICY,
    TableAccess,
    TagAccess,
    effective_accesses,
    readers_of,
    shared_domains,
    subscriber_principals,
    table_accesses,
    tag_accesses,
)
from meshform.spec.mesh import Mesh

# The LF-tag ontology's keys (modules/constructs/lf_tag_ontology.py creates them).
DOMAIN_KEY = "domain"
CLASSIFICATION_KEY = "classification"

READ = ("DESCRIBE", "SELECT")
# What the governance account grants a domain account on its own central database (grantable), and the domain
# re-grants to its ETL role. No CREATE_TABLE: every table of a domain comes from its contracts through the catalog
# stack; a table created by ETL would be ungoverned (no contract, no classification tags, no grants).
DATABASE_PERMISSIONS = ("DESCRIBE",)
# ALTER + INSERT for partitions (adding and updating them), DELETE for removing them. ALTER would also allow
# UpdateTable, whose changes the next catalog apply reverts: the ETL role's IAM policy leaves out
# glue:UpdateTable/CreateTable/DeleteTable, so schema changes go through the contract and fail loudly otherwise.
TABLE_PERMISSIONS = ("ALTER", "DELETE", "DESCRIBE", "INSERT", "SELECT")
LOCATION_PERMISSIONS = ("DATA_LOCATION_ACCESS",)

# LfResource.kind
DATABASE, TABLE, ALL_TABLES, COLUMNS, FILTER, LOCATION, LF_TAG, LF_TAG_POLICY = (
    "database", "table", "all_tables", "columns", "cells_filter", "data_location", "lf_tag", "lf_tag_policy")


@dataclass(frozen=True)
class LfResource:
    """Exactly one Lake Formation resource. `catalog_id` None = the granting account's own catalog."""

    kind: str
    catalog_id: str | None = None
    database: str | None = None
    table: str | None = None
    columns: tuple[str, ...] = ()              # COLUMNS: contract order (the stacks write them in that order)
    filter_name: str | None = None             # FILTER
    arn: str | None = None                     # LOCATION
    tag_key: str | None = None                 # LF_TAG
    tag_values: tuple[str, ...] = ()           # LF_TAG
    resource_type: str | None = None           # LF_TAG_POLICY: DATABASE | TABLE
    expression: tuple[tuple[str, tuple[str, ...]], ...] = ()   # LF_TAG_POLICY: (key, values) in order


@dataclass(frozen=True)
class LfGrant:
    """`permissions` to `principal` on `resource`, all of them grantable when `grantable`."""

    principal: str
    permissions: tuple[str, ...]
    grantable: bool
    resource: LfResource


def _grant(principal: str, permissions: Sequence[str], grantable: bool, resource: LfResource) -> LfGrant:
    return LfGrant(principal, tuple(sorted(permissions)), grantable, resource)


def principal_is_account(principal: str) -> bool:
    return principal.isdigit() and len(principal) == 12


# ---- governance side (catalog and governance stacks): to subscriber *accounts*, grantable -------------------------
def database_describe(account: str, database: str) -> LfGrant:
    """Cross-account, granting on tables does not imply DESCRIBE on their database: grant it explicitly, or the
    subscriber cannot see the database to link it."""
    return _grant(account, ["DESCRIBE"], True, LfResource(DATABASE, database=database))


def tag_key_describe(accesses: Sequence[TagAccess]) -> list[tuple[str, LfGrant]]:
    """DESCRIBE on the tag values an account's tag grants use, so the account's admin can see them — one grant per
    tag key with the union of values over all its tag grants, so that removing one domain's grant never revokes a
    value another still needs. (id suffix, grant) pairs."""
    account = accesses[0].account
    domains = tuple(sorted({a.domain for a in accesses}))
    classes = tuple(sorted({c for a in accesses for c in a.classifications}))
    return [("domain_tag", _grant(account, ["DESCRIBE"], True, LfResource(LF_TAG, tag_key=DOMAIN_KEY,
                                                                          tag_values=domains))),
            ("classification_tag", _grant(account, ["DESCRIBE"], True, LfResource(
                LF_TAG, tag_key=CLASSIFICATION_KEY, tag_values=classes)))]


def tag_policies(access: TagAccess) -> list[tuple[str, LfGrant]]:
    """A class of data of one domain for one account: LF-tag policy grants (they cover tables added later).
    (id suffix, grant) pairs."""
    own = tuple(access.classifications)
    return [
        (f"{access.domain}_databases", _grant(access.account, ["DESCRIBE"], True, LfResource(
            LF_TAG_POLICY, resource_type="DATABASE", expression=((DOMAIN_KEY, (access.domain,)),)))),
        (f"{access.domain}_tables", _grant(access.account, READ, True, LfResource(
            LF_TAG_POLICY, resource_type="TABLE",
            expression=((DOMAIN_KEY, (access.domain,)), (CLASSIFICATION_KEY, own))))),
    ]


def producer_grants(domain_account: str, database: str, location_arn: str) -> list[tuple[str, LfGrant]]:
    """What the governance account grants a domain account on its own database and registered location, all
    grantable so that the domain re-grants to its ETL role. Cross-account ALTER on tables in a registered location
    needs the location grant too (https://docs.aws.amazon.com/lake-formation/latest/dg/regranting-locations.html)."""
    return [("database", _grant(domain_account, DATABASE_PERMISSIONS, True, LfResource(DATABASE, database=database))),
            ("all_tables", _grant(domain_account, TABLE_PERMISSIONS, True,
                                  LfResource(ALL_TABLES, database=database))),
            ("location", _grant(domain_account, LOCATION_PERMISSIONS, True, LfResource(LOCATION, arn=location_arn)))]


# ---- both sides: one shared table -------------------------------------------------------------------------------
def table_read(access: TableAccess, *, principal: str, governance: str, grantable: bool) -> LfGrant:
    """Read access to one shared table, in the shape its access mechanism needs (meshform.access): a data cells
    filter, a column include-list (tag grants are re-granted as the columns the tags cover), or the whole table.
    `governance` is the catalog owning the table; governance's own grants leave it implicit except for filters,
    whose identifier always names the table's catalog."""
    catalog = None if principal_is_account(principal) else governance
    if access.mechanism == CELLS_FILTER:
        # SELECT only: Lake Formation does not support granting DESCRIBE on a data filter shared from another
        # account (https://docs.aws.amazon.com/lake-formation/latest/dg/data-filters-about.html), so the
        # subscriber could never re-grant it; the governance grant stays symmetric with the re-grant.
        return _grant(principal, ["SELECT"], grantable, LfResource(
            FILTER, catalog_id=governance, database=access.database, table=access.table,
            filter_name=access.filter_name))
    if access.mechanism in (INCLUDE_LIST, TAG_POLICY):
        # With grant option, column filtering must be an include list (never an exclude list).
        return _grant(principal, ["SELECT"], grantable, LfResource(
            COLUMNS, catalog_id=catalog, database=access.database, table=access.table, columns=tuple(access.columns)))
    return _grant(principal, READ, grantable, LfResource(TABLE, catalog_id=catalog, database=access.database,
                                                         table=access.table))


# ---- subscriber side (domain and consumer stacks) ---------------------------------------------------------------
def link_describe(principal: str, domain: str) -> LfGrant:
    """DESCRIBE on the account's resource link to a domain's database (the link lives in the account's catalog)."""
    return _grant(principal, ["DESCRIBE"], False, LfResource(DATABASE, database=naming.resource_link_name(domain)))


def etl_regrants(mesh: Mesh, domain: str) -> list[tuple[str, LfGrant]]:
    """The domain's ETL role gets, on the domain's own central database (and through its same-named resource link),
    what governance granted the account. (construct id, grant) pairs."""
    governance = mesh.governance_account
    etl = naming.role_arn(mesh.spec.domains[domain].account_id,
                          naming.etl_role_name(mesh.spec.name_prefix, mesh.env, domain))
    database = naming.central_database_name(domain)
    return [
        ("etl_own_link", _grant(etl, ["DESCRIBE"], False,
                                LfResource(DATABASE, database=naming.resource_link_name(domain)))),
        ("etl_database", _grant(etl, DATABASE_PERMISSIONS, False,
                                LfResource(DATABASE, catalog_id=governance, database=database))),
        ("etl_all_tables", _grant(etl, TABLE_PERMISSIONS, False,
                                  LfResource(ALL_TABLES, catalog_id=governance, database=database))),
        ("etl_location", _grant(etl, LOCATION_PERMISSIONS, False, LfResource(
            LOCATION, catalog_id=governance, arn=naming.bucket_arn(mesh.bucket(domain, "analytics"))))),
    ]


def database_subscribers(mesh: Mesh, domain: str) -> list[str]:
    """Subscribers that get DESCRIBE on the domain's database (named subscriptions; tag grants get it through
    their DATABASE tag policy)."""
    return sorted({a.subscriber for a in table_accesses(mesh) if a.domain == domain})


def subscriber_grants(mesh: Mesh, subscriber: str) -> list[LfGrant]:
    """What a subscriber account re-grants (modules/constructs/subscriber_regrants.py): DESCRIBE on each link to
    every principal, then each access to its readers."""
    out = [link_describe(p, d) for d in shared_domains(mesh, subscriber)
           for p in subscriber_principals(mesh, subscriber)]
    out += [table_read(a, principal=p, governance=mesh.governance_account, grantable=False)
            for a in effective_accesses(mesh) if a.subscriber == subscriber for p in readers_of(mesh, a)]
    return out


def declared_grants(mesh: Mesh) -> dict[str, list[LfGrant]]:
    """account id -> every grant its stacks make (the governance account: the governance and catalog stacks)."""
    gov = mesh.governance_account
    out: dict[str, list[LfGrant]] = {a: [] for a in mesh.all_accounts()}
    by_subscriber: dict[str, list[TagAccess]] = {}
    for tag_access in tag_accesses(mesh):
        by_subscriber.setdefault(tag_access.subscriber, []).append(tag_access)
    out[gov] += [g for _, granted in sorted(by_subscriber.items()) for _, g in tag_key_describe(granted)]
    for domain, spec in sorted(mesh.spec.domains.items()):
        database = naming.central_database_name(domain)
        out[gov] += [g for _, g in producer_grants(spec.account_id, database,
                                                   naming.bucket_arn(mesh.bucket(domain, "analytics")))]
        out[gov] += [database_describe(mesh.account_of(s), database) for s in database_subscribers(mesh, domain)]
        out[gov] += [g for t in tag_accesses(mesh) if t.domain == domain for _, g in tag_policies(t)]
    out[gov] += [table_read(a, principal=a.account, governance=gov, grantable=True) for a in table_accesses(mesh)]
    for domain in sorted(mesh.spec.domains):
        out[mesh.account_of(domain)] += [g for _, g in etl_regrants(mesh, domain)]
    for name in [*sorted(mesh.spec.domains), *sorted(mesh.spec.consumers)]:
        out[mesh.account_of(name)] += subscriber_grants(mesh, name)
    return out


# ---- LF-tag assignments (modules/constructs/central_database.py, contract_table.py) ----------------------------
def database_tags(domain: str, inherited: str) -> tuple[tuple[str, str], ...]:
    """(key, value) LF-tags of a domain's central database: its domain and the ontology's most sensitive level,
    which tables and untagged columns inherit (classification fails closed)."""
    return ((DOMAIN_KEY, naming.central_database_name(domain)), (CLASSIFICATION_KEY, inherited))


def column_tags(columns: Sequence[tuple[str, str]], inherited: str) -> list[tuple[str, str]]:
    """(column, classification) for each column, of (name, classification) pairs, that needs its own tag: those
    below the level it inherits from the database, sorted by name."""
    return sorted((name, classification) for name, classification in columns if classification != inherited)


def declared_tag_assignments(mesh: Mesh) -> dict[tuple[str, ...], dict[str, str]]:
    """Resource -> its directly assigned LF-tags (key -> value) in the governance catalog: ("database", d) and
    ("column", d, table, column); tables carry none of their own."""
    out: dict[tuple[str, ...], dict[str, str]] = {}
    for domain in sorted(mesh.spec.domains):
        database = naming.central_database_name(domain)
        out[("database", database)] = dict(database_tags(domain, mesh.most_sensitive))
        for product in mesh.domain_products(domain):
            for table in product.tables:
                pairs = [(c.name, c.classification) for c in table.all_columns]
                for column, classification in column_tags(pairs, mesh.most_sensitive):
                    out[("column", database, table.name, column)] = {CLASSIFICATION_KEY: classification}
    return out
