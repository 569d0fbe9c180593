"""Findings of `meshform audit` and their two renderings: markdown tables per account and kind, stable JSON."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from meshform.preflight.report import Account  # one account of the mesh, as preflight reports it

# kinds, in the order the report lists them
EXTRA, MISSING, CHANGED = "extra", "missing", "changed"
UNKNOWN_PRINCIPAL = "unknown-principal"
IAM_ALLOWED = "iam-allowed-principals"
ERROR = "error"
KINDS = (ERROR, UNKNOWN_PRINCIPAL, IAM_ALLOWED, EXTRA, MISSING, CHANGED)
# what each section compares (one collector each: meshform/audit/collectors.py)
SECTIONS = ("access", "permissions", "admins", "settings", "locations", "filters", "lf-tags", "ram", "redshift")

EXIT_CLEAN, EXIT_INVALID, EXIT_DRIFT, EXIT_ERROR = 0, 1, 3, 4


@dataclass(frozen=True)
class Finding:
    account_id: str
    section: str              # SECTIONS
    kind: str                 # KINDS
    principal: str            # who ("" when the finding is about an object, e.g. a registered location)
    resource: str             # what, in words (meshform/audit/normalize.py labels)
    permissions: tuple[str, ...]   # the permissions / values concerned ("SELECT (grantable)")
    hint: str                 # the fix

    def __post_init__(self) -> None:
        if self.kind not in KINDS or self.section not in SECTIONS:
            raise ValueError(f"unknown kind/section {self.kind!r}/{self.section!r}")

    def sort_key(self) -> tuple:
        return (KINDS.index(self.kind), SECTIONS.index(self.section), self.resource, self.principal,
                self.permissions)

    def to_json(self) -> dict[str, Any]:
        return {"section": self.section, "kind": self.kind, "principal": self.principal,
                "resource": self.resource, "permissions": list(self.permissions), "hint": self.hint}


@dataclass
class Report:
    env: str
    region: str
    accounts: list[Account]
    findings: list[Finding] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)      # sections not audited, with the reason

    def add(self, findings) -> None:
        self.findings.extend(findings)

    def of(self, account_id: str) -> list[Finding]:
        return sorted(set(f for f in self.findings if f.account_id == account_id), key=Finding.sort_key)

    def counts(self) -> dict[str, int]:
        unique = set(self.findings)
        return {k: sum(1 for f in unique if f.kind == k) for k in KINDS}

    @property
    def exit_code(self) -> int:
        counts = self.counts()
        if counts[ERROR]:
            return EXIT_ERROR
        return EXIT_DRIFT if sum(counts.values()) else EXIT_CLEAN

    def to_json(self) -> dict[str, Any]:
        return {
            "environment": self.env,
            "region": self.region,
            "exit_code": self.exit_code,
            "summary": self.counts(),
            "skipped": sorted(self.skipped),
            "accounts": [{"name": a.name, "kind": a.kind, "account_id": a.account_id,
                          "findings": [f.to_json() for f in self.of(a.account_id)]} for a in self.accounts],
        }


def render_json(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, sort_keys=True)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "—"


def render_markdown(report: Report) -> str:
    counts = report.counts()
    drift = sum(n for k, n in counts.items() if k != ERROR)
    lines = [f"# meshform audit {report.env} ({report.region})", ""]
    summary = ", ".join(f"{n} {k}" for k, n in counts.items() if n and k != ERROR)
    if counts[ERROR]:
        lines.append(f"**INCOMPLETE**: {counts[ERROR]} error(s): some accounts or sections could not be read; "
                     + (f"drift in the rest: {summary}." if drift else "no drift in what could be read."))
    elif drift:
        lines.append(f"**DRIFT**: {drift} finding(s): {summary}.")
    else:
        lines.append("**CLEAN**: every account matches the repository.")
    for reason in sorted(report.skipped):
        lines.append(f"- skipped: {reason}")
    for account in report.accounts:
        findings = report.of(account.account_id)
        lines += ["", f"## {account.name} ({account.kind}, {account.account_id})", ""]
        if not findings:
            lines.append("No drift.")
            continue
        for kind in KINDS:
            mine = [f for f in findings if f.kind == kind]
            if not mine:
                continue
            lines += [f"### {kind} ({len(mine)})", "", "| section | principal | resource | permissions | fix |",
                      "|---|---|---|---|---|"]
            lines += [f"| {f.section} | {_cell(f.principal)} | {_cell(f.resource)} | "
                      f"{_cell(', '.join(f.permissions))} | {_cell(f.hint)} |" for f in mine]
            lines.append("")
        if lines[-1] == "":
            lines.pop()
    return "\n".join(lines) + "\n"
