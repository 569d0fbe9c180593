"""The report files of a check run, written by meshform from checkov's per-stack results (some of which come from
the cache, so checkov's own SARIF/JUnit writers never see the whole run): `results_json.json` (checkov's JSON
shape), `results_sarif.sarif` (SARIF 2.1.0 for code scanning) and `results_junitxml.xml` (JUnit for CI). Ordered
by stack, check and resource: the same results always give byte-identical files."""
from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import quoteattr

KINDS = ("passed_checks", "failed_checks", "skipped_checks")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_ENCODE = json.JSONEncoder(sort_keys=True, check_circular=False).encode   # results are trees (parsed JSON)


def stack_of(file_path: str) -> str:
    """The stack a result belongs to: the directory holding its cdk.tf.json (string work: a Path per result is
    noticeable at ~70,000 results)."""
    parts = file_path.rsplit("/", 2)
    return parts[-2] if len(parts) > 1 else ""


def _order(item: dict) -> tuple:
    return (item.get("file_path", ""), item.get("check_id", ""), item.get("resource", ""))


def write_reports(reports: Path, results: dict[str, list[dict]], parsing_errors: list[str],
                  stacks_root: Path) -> None:
    ordered = {kind: sorted(results.get(kind, []), key=_order) for kind in KINDS}
    summary = {"passed": len(ordered["passed_checks"]), "failed": len(ordered["failed_checks"]),
               "skipped": len(ordered["skipped_checks"]), "parsing_errors": len(parsing_errors)}
    (reports / "results_json.json").write_text(_json(
        [{"check_type": "terraform_json", "results": {**ordered, "parsing_errors": sorted(parsing_errors)},
          "summary": summary}]))
    (reports / "results_sarif.sarif").write_text(_json(_sarif(ordered, stacks_root)))
    (reports / "results_junitxml.xml").write_text(_junit(ordered))


def _json(value: object) -> str:
    """JSON with one result per line: containers are laid out by hand down to the lists of results, and each
    result (a dict in a list, two levels down or deeper) is written on one line by the json module's C encoder —
    `indent` switches it to the pure-Python one, seconds for the ~70,000 results of a large mesh. Keys are sorted,
    so the same results give byte-identical files."""
    chunks: list[str] = []
    _lay_out(value, 0, chunks)
    return "".join(chunks)


def _lay_out(value: object, depth: int, out: list[str]) -> None:
    pad = "\n" + " " * (depth + 1)
    if isinstance(value, dict) and value:
        out.append("{")
        for n, (key, item) in enumerate(sorted(value.items())):
            out.append(("," if n else "") + pad + _ENCODE(key) + ": ")
            _lay_out(item, depth + 1, out)
        out.append("\n" + " " * depth + "}")
    elif isinstance(value, list) and value:
        out.append("[")
        for n, item in enumerate(value):
            out.append(("," if n else "") + pad)
            if isinstance(item, dict) and depth >= 2:
                out.append(_ENCODE(item))
            else:
                _lay_out(item, depth + 1, out)
        out.append("\n" + " " * depth + "]")
    else:
        out.append(_ENCODE(value))


def _location(item: dict, stacks_root: Path) -> str:
    path = Path(item.get("file_abs_path") or item.get("file_path", ""))
    try:
        return path.relative_to(stacks_root).as_posix()
    except ValueError:
        return path.as_posix().lstrip("/")


def _sarif(results: dict[str, list[dict]], stacks_root: Path) -> dict:
    checks = {i["check_id"]: i for kind in KINDS for i in results[kind]}
    rules = [{"id": cid, "name": cid, "shortDescription": {"text": item.get("check_name", cid)},
              "helpUri": item.get("guideline") or "https://www.checkov.io/5.Policy%20Index/terraform.html"}
             for cid, item in sorted(checks.items())]
    index = {rule["id"]: n for n, rule in enumerate(rules)}
    findings = []
    for item in results["failed_checks"]:
        start, end = (item.get("file_line_range") or [1, 1])[:2]
        findings.append({
            "ruleId": item["check_id"], "ruleIndex": index[item["check_id"]], "level": "error",
            "message": {"text": f"{item.get('check_name', '')} ({item.get('resource', '')})"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _location(item, stacks_root), "uriBaseId": "STACKS"},
                "region": {"startLine": max(int(start or 1), 1), "endLine": max(int(end or 1), 1)}}}]})
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "checkov (meshform check)", "rules": rules}},
        "originalUriBaseIds": {"STACKS": {"uri": stacks_root.as_uri() + "/"}},
        "results": findings}]}


def _junit(results: dict[str, list[dict]]) -> str:
    by_check: dict[str, list[tuple[str, dict]]] = {}
    for kind in KINDS:
        for item in results[kind]:
            by_check.setdefault(item["check_id"], []).append((kind, item))
    lines = ['<?xml version="1.0" encoding="utf-8"?>']
    total = sum(len(v) for v in by_check.values())
    failures = len(results["failed_checks"])
    lines.append(f'<testsuites name="meshform check" tests="{total}" failures="{failures}">')
    for check_id, cases in sorted(by_check.items()):
        failed = sum(1 for k, _ in cases if k == "failed_checks")
        skipped = sum(1 for k, _ in cases if k == "skipped_checks")
        name = cases[0][1].get("check_name", check_id)
        lines.append(f'  <testsuite name={quoteattr(f"{check_id} {name}")} tests="{len(cases)}" '
                     f'failures="{failed}" skipped="{skipped}">')
        for kind, item in sorted(cases, key=lambda c: _order(c[1])):
            stack = stack_of(item.get("file_path", ""))
            case = f'    <testcase classname={quoteattr(stack)} name={quoteattr(item.get("resource", ""))}'
            if kind == "passed_checks":
                lines.append(case + "/>")
                continue
            lines.append(case + ">")
            if kind == "failed_checks":
                detail = "; ".join(item.get("details") or []) or item.get("guideline") or ""
                lines.append(f'      <failure message={quoteattr(name)}>{_text(detail)}</failure>')
            else:
                lines.append(f'      <skipped message={quoteattr(str(item.get("suppress_comment") or ""))}/>')
            lines.append("    </testcase>")
        lines.append("  </testsuite>")
    lines.append("</testsuites>")
    return "\n".join(lines) + "\n"


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
