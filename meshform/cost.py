"""`meshform cost --env E`: the budget of every mesh account as the stacks create it (meshform/operations.py), as
a table or JSON, and where the cost-allocation tags are activated (docs/operations.md, "Budgets")."""
from __future__ import annotations

import json

from meshform.cost_allocation import COST_ALLOCATION_TAGS
from meshform.operations import budgets
from meshform.spec.mesh import Mesh


def _thresholds(pairs: tuple[tuple[str, int], ...]) -> str:
    return ", ".join(f"{'forecast' if kind == 'FORECASTED' else 'actual'} {percent}%" for kind, percent in pairs)


def cost_report(mesh: Mesh) -> dict:
    billing = mesh.spec.billing
    payer = billing.account_id or mesh.governance_account
    activated = billing.activate_cost_allocation_tags and payer == mesh.governance_account
    return {
        "environment": mesh.env,
        "budgets": [{"kind": b.kind, "owner": b.owner, "account": b.account, "name": b.name,
                     "monthly_usd": b.monthly_usd, "filter": f"user:mesh:domain${b.owner}",
                     "thresholds": [{"type": kind, "percent": percent} for kind, percent in b.thresholds],
                     "recipients": [b.email, b.topic_arn]} for b in budgets(mesh)],
        "total_monthly_usd": round(sum(b.monthly_usd for b in budgets(mesh)), 2),
        "cost_allocation_tags": {"payer_account": payer, "tags": list(COST_ALLOCATION_TAGS),
                                 "activated_by": f"{mesh.env}-governance" if activated else None},
    }


def render_text(report: dict) -> str:
    rows = [("kind", "owner", "account", "monthly USD", "thresholds", "recipients")]
    for b in report["budgets"]:
        pairs = tuple((t["type"], t["percent"]) for t in b["thresholds"])
        rows.append((b["kind"], b["owner"], b["account"], f"{b['monthly_usd']:,.2f}", _thresholds(pairs),
                     " + ".join(b["recipients"])))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [f"budgets of {report['environment']} (monthly, filtered on the mesh:domain cost-allocation tag)"]
    for index, row in enumerate(rows):
        cells = [c.rjust(widths[i]) if i == 3 and index else c.ljust(widths[i]) for i, c in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    lines.append(f"total: {report['total_monthly_usd']:,.2f} USD a month")
    tags = report["cost_allocation_tags"]
    where = (f"activated by {tags['activated_by']} in payer account {tags['payer_account']}" if tags["activated_by"]
             else f"NOT activated by meshform: activate them in payer account {tags['payer_account']} "
                  "(docs/operations.md, 'Cost allocation tags')")
    lines.append(f"cost-allocation tags {', '.join(tags['tags'])}: {where}")
    return "\n".join(lines) + "\n"


def render_json(report: dict) -> str:
    return json.dumps(report, indent=2, sort_keys=True) + "\n"
