"""The access diff as a pull-request comment (markdown) and as JSON for bots (stable: sorted keys, sorted lists)."""
from __future__ import annotations

import json

from meshform.access_diff import AccessDiff
from meshform.access_diff.model import EnvironmentDiff

# The first line of every comment: the workflow finds its previous comment by it and updates it in place.
MARKER = "<!-- meshform-access-diff -->"


def render_json(diff: AccessDiff) -> str:
    data = {
        "base": {"revision": diff.base.label, "commit": diff.base.commit},
        "head": {"revision": diff.head.label, "commit": diff.head.commit},
        "needs_review": diff.needs_review,
        "exit_code": diff.exit_code,
        "environments": {e.env: {
            "status": e.status, "needs_review": e.needs_review, "review_from": e.review_from,
            "review": sorted(e.review, key=lambda r: (r["rule"], r["subscriber"], r["message"])),
            "classifications": e.classifications, "ontology": e.ontology, "subscribers": e.subscribers,
        } for e in diff.environments},
    }
    return json.dumps(data, indent=2, sort_keys=True)


def render_markdown(diff: AccessDiff) -> str:
    out = [MARKER, f"## Access changes: `{diff.base.label}` ({diff.base.short}) → `{diff.head.label}` "
                   f"({diff.head.short})", ""]
    reviews = sum(len(e.review) for e in diff.environments)
    if reviews:
        out += ["> [!CAUTION]",
                f"> **Governance review needed**: {reviews} change(s) give data at or above the review level to "
                "someone new, raise a clearance or lower a classification (listed per environment below).", ""]
    changed = [e for e in diff.environments if e.status != "unchanged"]
    if not changed:
        out.append("No access changes.")
    for env in changed:
        out += _environment(env)
    unchanged = [e.env for e in diff.environments if e.status == "unchanged"]
    if changed and unchanged:
        out.append("Unchanged: " + ", ".join(f"`{e}`" for e in unchanged))
    return "\n".join(out).rstrip() + "\n"


def _environment(env: EnvironmentDiff) -> list[str]:
    title = {"added": " (new environment)", "removed": " (environment removed)"}.get(env.status, "")
    out = [f"### `{env.env}`{title}", ""]
    if env.review:
        level = f" (review level: {env.review_from} and above)" if env.review_from else ""
        out.append(f"**Needs governance review**{level}:")
        out += [f"- {_md(r['message'])}" for r in sorted(env.review, key=lambda r: (r["subscriber"], r["message"]))]
        out.append("")
    if env.ontology:
        out += [f"Classifications: {env.ontology['base']} → {env.ontology['head']}", ""]
    if env.classifications:
        out += ["| reclassified column | from | to |", "| --- | --- | --- |"]
        out += [f"| {c['product']} / {c['table']}.{c['column']} | {c['base']} | {c['head']} |"
                for c in env.classifications]
        out.append("")
    for name, sub in env.subscribers.items():
        status = {"added": ", new", "removed": ", removed"}.get(sub["status"], "")
        out += [f"#### `{name}` ({sub['kind']} {sub['account']}{status})", "", "| change | what | details |",
                "| --- | --- | --- |"]
        out += _subscriber_rows(sub)
        out.append("")
    return out


def _subscriber_rows(sub: dict) -> list[str]:
    rows = []
    if sub["account_change"]:
        rows.append(f"| account | | {sub['account_change']['base']} → {sub['account_change']['head']} |")
    if sub["clearance"]:
        rows.append(f"| clearance | | {sub['clearance']['base']} → {sub['clearance']['head']} |")
    for sign, key in (("+", "gained"), ("−", "lost")):
        for principal in sub["principals"][key]:
            rows.append(f"| {sign} principal | {_md(principal)} | |")
        for product in sub["products"][key]:
            rows.append(f"| {sign} product | {product} | |")
        for t in sub["tables"][key]:
            how = t["mechanism"] + (f" `{t['filter']}`" if t["filter"] else "")
            rows.append(f"| {sign} table | {t['product']} / {t['table']} | {how}: {', '.join(t['columns'])} |")
        by_table: dict[tuple[str, str], list[str]] = {}
        for c in sub["columns"][key]:
            by_table.setdefault((c["product"], c["table"]), []).append(c["column"])
        for (product, table), columns in by_table.items():
            rows.append(f"| {sign} columns | {product} / {table} | {', '.join(columns)} |")
        for g in sub["tag_grants"][key]:
            rows.append(f"| {sign} tag grant | domain {g['domain']} | classification {g['classification']} |")
    for m in sub["mechanisms"]:
        before = m["base"] + (f" `{m['base_filter']}`" if m["base_filter"] else "")
        after = m["head"] + (f" `{m['head_filter']}`" if m["head_filter"] else "")
        rows.append(f"| mechanism | {m['product']} / {m['table']} | {before} → {after} |")
    return rows


def _md(text: str) -> str:
    """Table cells and list items: a pipe would split the cell."""
    return text.replace("|", "\\|")
