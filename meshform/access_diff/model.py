"""What each subscriber can read in one environment at one revision, and the differences between two of them.

The snapshot is taken from the access model that generates the grants (`meshform.access.effective_accesses`), so
the diff describes exactly the Lake Formation permissions the two revisions would deploy. Who "reads" an access:
the subscriber's principals from the spec, and for a domain also its ETL jobs (its `-etl` role for whole tables,
its `-etl-fgac` role for filtered ones; both are the domain's own Glue jobs, so they count as one reader — a table
moving from a filter to whole-table access does not give the data to anyone new).

Governance review (docs/ci.md, "When a change needs governance review") is needed when, in an environment:
1. a column classified at or above the review level (in either revision) becomes readable by a reader who could
   not read it before: a new subscription, a new principal, a column added to an include-list, a clearance that
   now covers it, a declassified column, a widened tag grant, a subscriber moved to another account;
2. a subscriber's clearance rises;
3. a column classified at or above the review level in BASE is given a lower classification;
4. a tag grant gains a value at or above the review level (it covers tables added later, too);
5. the classification ontology itself changes.
The review level defaults to the level just above `governance.default_classification` (what a column is when its
contract says nothing): with [public, internal, confidential, pii] and default internal, confidential and pii.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from meshform.access import effective_accesses, tag_accesses
from meshform.spec.mesh import Mesh

TableKey = tuple[str, str]            # (product, table)


@dataclass(frozen=True)
class Reach:
    """One subscriber's access to one table."""
    mechanism: str
    columns: tuple[str, ...]
    filter_name: str | None


@dataclass
class Subscriber:
    kind: str                           # domain | consumer
    account: str
    clearance: str
    principals: tuple[str, ...]         # from the spec
    tables: dict[TableKey, Reach] = field(default_factory=dict)
    tag_grants: set[tuple[str, str]] = field(default_factory=set)    # (domain, classification)

    def readers(self, name: str) -> set[str]:
        """Who reads what the account is granted: the grants go to the account, so a subscriber moved to another
        account has only new readers (its ETL jobs are then another account's roles)."""
        jobs = {f"{name}'s ETL jobs (account {self.account})"} if self.kind == "domain" else set()
        return set(self.principals) | jobs


@dataclass
class Snapshot:
    env: str
    ontology: tuple[str, ...]
    default_classification: str
    subscribers: dict[str, Subscriber]
    columns: dict[tuple[str, str, str], str]       # (product, table, column) -> classification


def snapshot(mesh: Mesh) -> Snapshot:
    spec = mesh.spec
    subscribers: dict[str, Subscriber] = {}
    for name, d in spec.domains.items():
        subscribers[name] = Subscriber("domain", d.account_id, mesh.clearance_of(name), tuple(sorted(d.principals)))
    for name, c in spec.consumers.items():
        subscribers[name] = Subscriber("consumer", c.account_id, mesh.clearance_of(name),
                                       tuple(sorted(c.principals)))
    for access in effective_accesses(mesh):
        subscribers[access.subscriber].tables[(access.product, access.table)] = Reach(
            access.mechanism, access.columns, access.filter_name)
    for grant in tag_accesses(mesh):
        subscribers[grant.subscriber].tag_grants |= {(grant.domain, c) for c in grant.classifications}
    columns = {(product.fqn, table.name, column.name): column.classification
               for product in mesh.products.values() for table in product.tables for column in table.all_columns}
    return Snapshot(mesh.env, tuple(mesh.ontology), spec.governance.default_classification, subscribers, columns)


def default_review_level(ontology: tuple[str, ...], default_classification: str) -> str | None:
    """The level just above the default classification; None when the default is the most sensitive level."""
    index = ontology.index(default_classification)
    return ontology[index + 1] if index + 1 < len(ontology) else None


@dataclass
class EnvironmentDiff:
    env: str
    status: str                               # added | removed | changed | unchanged
    review_from: str | None
    review: list[dict]
    classifications: list[dict]
    ontology: dict | None
    subscribers: dict[str, dict]

    @property
    def needs_review(self) -> bool:
        return bool(self.review)


def diff_environment(env: str, base: Snapshot | None, head: Snapshot | None, review_from: str | None,
                     ) -> EnvironmentDiff:
    empty = Snapshot(env, (), "", {}, {})
    b, h = base or empty, head or empty
    ranks = {c: i for i, c in enumerate(b.ontology)}
    ranks.update({c: i for i, c in enumerate(h.ontology)})       # HEAD's order wins where both have a level
    threshold = ranks.get(review_from, len(ranks)) if review_from is not None else len(ranks)

    def sensitive(level: str | None) -> bool:
        return level is not None and ranks.get(level, len(ranks)) >= threshold

    review: list[dict] = []
    classifications = []
    for key in sorted(b.columns.keys() & h.columns.keys()):
        before, after = b.columns[key], h.columns[key]
        if before == after:
            continue
        classifications.append({"product": key[0], "table": key[1], "column": key[2], "base": before, "head": after})
        if sensitive(before) and ranks.get(after, 0) < ranks.get(before, 0):
            review.append({"subscriber": "", "rule": "declassified",
                           "message": f"{key[0]} / {key[1]}.{key[2]} is declassified from {before} to {after}"})
    ontology = None
    if base is not None and head is not None and (b.ontology != h.ontology):
        ontology = {"base": list(b.ontology), "head": list(h.ontology)}
        review.append({"subscriber": "", "rule": "ontology",
                       "message": f"governance.classifications change from {list(b.ontology)} to {list(h.ontology)}"})

    subscribers: dict[str, dict] = {}
    for name in sorted(b.subscribers.keys() | h.subscribers.keys()):
        old, new = b.subscribers.get(name), h.subscribers.get(name)
        change = _subscriber_change(old, new)
        if change is None:
            continue
        subscribers[name] = change
        if old is not None and new is not None and ranks.get(new.clearance, 0) > ranks.get(old.clearance, 0):
            review.append({"subscriber": name, "rule": "clearance",
                           "message": f"{name}: clearance rises from {old.clearance} to {new.clearance}"})
        for domain, level in sorted((new.tag_grants if new else set()) - (old.tag_grants if old else set())):
            if sensitive(level):
                review.append({"subscriber": name, "rule": "tag-grant",
                               "message": f"{name}: tag grant on {domain} gains {level} (covers future tables)"})
        if new is not None:
            review.extend(_newly_readable(name, old, new, b.columns, h.columns, sensitive))
    if base is None:
        status = "added"
    elif head is None:
        status = "removed"
    else:
        status = "changed" if subscribers or classifications or ontology else "unchanged"
    return EnvironmentDiff(env, status, review_from, review, classifications, ontology, subscribers)


def _newly_readable(name: str, old: Subscriber | None, new: Subscriber, base_columns: dict, head_columns: dict,
                    sensitive) -> list[dict]:
    """Rule 1, one entry per table and kind of change (a new subscription is one line, not one per column)."""
    found = []
    for (product, table), reach in sorted(new.tables.items()):
        before = old.tables.get((product, table)) if old else None
        grouped: dict[str, list[str]] = {}
        for column in reach.columns:
            key = (product, table, column)
            if not (sensitive(head_columns.get(key)) or sensitive(base_columns.get(key))):
                continue
            if old is None or before is None or column not in before.columns:
                who = name                                   # the subscriber could not read it at all
            else:
                added = sorted(new.readers(name) - old.readers(name))
                if not added:
                    continue
                who = f"{name}'s new principal(s) {', '.join(added)}"
            grouped.setdefault(who, []).append(f"{column} ({head_columns.get(key)})")
        for who, columns in sorted(grouped.items()):
            found.append({"subscriber": name, "rule": "newly-readable",
                          "message": f"{who} can now read {product} / {table}: {', '.join(columns)}"})
    return found


def _subscriber_change(old: Subscriber | None, new: Subscriber | None) -> dict | None:
    o_tables = old.tables if old else {}
    n_tables = new.tables if new else {}
    o_products = {p for p, _ in o_tables}
    n_products = {p for p, _ in n_tables}

    def table_entry(key: TableKey, reach: Reach) -> dict:
        return {"product": key[0], "table": key[1], "mechanism": reach.mechanism, "filter": reach.filter_name,
                "columns": list(reach.columns)}

    columns_gained, columns_lost, mechanisms = [], [], []
    for key in sorted(o_tables.keys() & n_tables.keys()):
        a, b = o_tables[key], n_tables[key]
        for column in b.columns:
            if column not in a.columns:
                columns_gained.append({"product": key[0], "table": key[1], "column": column})
        for column in a.columns:
            if column not in b.columns:
                columns_lost.append({"product": key[0], "table": key[1], "column": column})
        if (a.mechanism, a.filter_name) != (b.mechanism, b.filter_name):
            mechanisms.append({"product": key[0], "table": key[1], "base": a.mechanism, "head": b.mechanism,
                               "base_filter": a.filter_name, "head_filter": b.filter_name})
    o_principals = set(old.principals) if old else set()
    n_principals = set(new.principals) if new else set()
    o_tags = old.tag_grants if old else set()
    n_tags = new.tag_grants if new else set()
    clearance = account = None
    if old and new and old.clearance != new.clearance:
        clearance = {"base": old.clearance, "head": new.clearance}
    if old and new and old.account != new.account:
        account = {"base": old.account, "head": new.account}
    change: dict[str, Any] = {
        "clearance": clearance,
        "account_change": account,
        "principals": {"gained": sorted(n_principals - o_principals), "lost": sorted(o_principals - n_principals)},
        "products": {"gained": sorted(n_products - o_products), "lost": sorted(o_products - n_products)},
        "tables": {"gained": [table_entry(k, n_tables[k]) for k in sorted(n_tables.keys() - o_tables.keys())],
                   "lost": [table_entry(k, o_tables[k]) for k in sorted(o_tables.keys() - n_tables.keys())]},
        "columns": {"gained": columns_gained, "lost": columns_lost},
        "mechanisms": mechanisms,
        "tag_grants": {"gained": [{"domain": d, "classification": c} for d, c in sorted(n_tags - o_tags)],
                       "lost": [{"domain": d, "classification": c} for d, c in sorted(o_tags - n_tags)]},
    }
    # A subscriber with nothing shared in either revision (a domain that subscribes to nothing) is not reported
    # for principal changes alone: nothing is readable through them.
    if not (o_tables or n_tables or o_tags or n_tags):
        change["principals"] = {"gained": [], "lost": []}
    changed = clearance is not None or account is not None or any(change[k]["gained"] or change[k]["lost"] for k in
                                           ("principals", "products", "tables", "columns", "tag_grants")) \
        or bool(mechanisms)
    if not changed:
        return None                       # also: a subscriber added or removed without reading anything
    current = new or old
    assert current is not None
    status = "added" if old is None else "removed" if new is None else "changed"
    return {"status": status, "kind": current.kind, "account": current.account, **change}
