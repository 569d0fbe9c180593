"""`meshform access`: for each subscriber, which products, tables and columns it can read, how, and why — the
table a governance reviewer wants in a pull request. Computed from the same model that generates the grants:
Lake Formation rows from meshform/access.py, Redshift rows (`via: redshift`) from meshform/redshift/model.py, which
derives each datashare's tables and views from the same access model."""
from __future__ import annotations

from meshform.access import effective_accesses
from meshform.redshift.model import redshift_accesses
from meshform.spec.mesh import Mesh


def access_rows(mesh: Mesh) -> list[dict]:
    rows = []
    for access in effective_accesses(mesh):
        rows.append({"subscriber": access.subscriber, "account": access.account, "product": access.product,
                     "table": access.table, "via": access.mechanism, "columns": list(access.columns),
                     "hidden": list(access.hidden), "why": access.reason, "channel": "lakeformation"})
    for rs in redshift_accesses(mesh):
        reasons = {a.table: a.reason for a in rs.accesses}
        for obj in rs.share.objects:
            shape = f"view {obj.name}" if obj.is_view else "table"
            rows.append({"subscriber": rs.subscriber, "account": rs.account, "product": rs.product,
                         "table": obj.table, "via": f"Redshift datashare {rs.share.name} ({shape})",
                         "columns": list(obj.columns), "hidden": list(obj.withheld),
                         "why": f"{reasons.get(obj.table, '')}; database {rs.database} in {rs.subscriber}'s warehouse",
                         "channel": "redshift"})
    channel = {"lakeformation": 0, "redshift": 1}
    return sorted(rows, key=lambda r: (r["subscriber"], r["product"], r["table"], channel[r["channel"]]))


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
