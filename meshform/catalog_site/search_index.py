"""The client-side search index: one entry per domain, product, table and subscriber, embedded in the index page
as JSON (a data block, never executed) and searched by assets/search.js. Every entry carries the words it is
found by (`text`, lower-case): names, titles, descriptions, owners, column names, classifications, and the
Redshift datashares a product is shared as and a subscriber reads."""
from __future__ import annotations

from collections.abc import Iterable

from meshform.catalog_site.views import REDSHIFT, AccessView, EnvironmentView

_SNIPPET = 160     # characters of description shown under a result


def search_entries(view: EnvironmentView) -> list[dict[str, str]]:
    entries = []
    for product in view.products:
        entries.append(_entry("product", product.fqn, product.title, product.href, product.description,
                               [product.owner, product.classification.name, product.status, product.version,
                                *(t.name for t in product.tables), *_shares(a for t in product.tables
                                                                             for a in t.accesses)]))
        for table in product.tables:
            entries.append(_entry("table", f"{product.fqn}.{table.name}", f"table of {product.title}",
                                  f"{product.href}#{table.anchor}", table.description,
                                  [c.name for c in table.columns] + [c.classification.name for c in table.columns]))
    for sub in view.domains + view.consumers:
        entries.append(_entry(sub.kind, sub.name, f"{sub.kind}, clearance {sub.clearance.name}", sub.href,
                              sub.description, [sub.owner, sub.account, *sub.products,
                                                *sorted({a.product for a in sub.reads}), *_shares(sub.reads)]))
    return sorted(entries, key=lambda e: (e["name"], e["kind"]))


def _shares(accesses: Iterable[AccessView]) -> list[str]:
    names = sorted({a.share for a in accesses if a.channel == REDSHIFT})
    return ["redshift", "datashare", *names] if names else []


def _entry(kind: str, name: str, title: str, href: str, description: str, words: list[str]) -> dict[str, str]:
    snippet = description if len(description) <= _SNIPPET else description[:_SNIPPET - 1].rstrip() + "\u2026"
    text = " ".join([name, title, description, *words]).lower()
    return {"kind": kind, "name": name, "title": title, "href": href, "snippet": snippet, "text": text}

