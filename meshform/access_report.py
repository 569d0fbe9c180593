"""`meshform access`: for each subscriber, which products, tables and columns it can read, how, and why — the
table a governance reviewer wants in a pull request. Computed from the same model that generates the grants."""
from __future__ import annotations

from meshform.access import effective_accesses
from meshform.spec.mesh import Mesh


def access_rows(mesh: Mesh) -> list[dict]:
    rows = []
    for access in effective_accesses(mesh):
        rows.append({"subscriber": access.subscriber, "account": access.account, "product": access.product,
                     "table": access.table, "via": access.mechanism, "columns": list(access.columns),
                     "hidden": list(access.hidden), "why": access.reason})
    return sorted(rows, key=lambda r: (r["subscriber"], r["product"], r["table"]))


def render_markdown(meshes: list[Mesh]) -> str:
    out = []
    for mesh in meshes:
        out.append(f"### Access in `{mesh.env}`\n")
        out.append("| subscriber | product | table | via | readable columns | withheld columns | why |")
        out.append("| --- | --- | --- | --- | --- | --- | --- |")
        for r in access_rows(mesh):
            hidden = ", ".join(r["hidden"]) or "—"
            out.append(f"| {r['subscriber']} ({r['account']}) | {r['product']} | {r['table']} | {r['via']} | "
                       f"{', '.join(r['columns'])} | {hidden} | {r['why']} |")
        out.append("")
    return "\n".join(out)
