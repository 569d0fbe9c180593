"""Findings of `meshform preflight` and their two renderings: text grouped per account, deterministic JSON."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("blocker", "warning", "info")     # most severe first


@dataclass(frozen=True)
class Finding:
    severity: str            # blocker: the apply would fail or must not run; warning: it would break something
    account_id: str          # the mesh account the finding is about (org-wide ones: the governance account)
    check: str               # stable identifier, e.g. "lf-admins-removed"
    what: str
    why: str
    fix: str
    doc: str = ""            # AWS documentation of the rule
    details: tuple[str, ...] = field(default_factory=tuple)   # the principals, buckets, databases concerned

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    def sort_key(self) -> tuple:
        return (SEVERITIES.index(self.severity), self.check, self.what, self.details)

    def to_json(self) -> dict[str, Any]:
        return {"severity": self.severity, "check": self.check, "what": self.what, "why": self.why,
                "fix": self.fix, "doc": self.doc, "details": list(self.details)}


@dataclass(frozen=True)
class Account:
    name: str                # governance, a domain or a consumer
    kind: str                # governance | domain | consumer
    account_id: str


@dataclass
class Report:
    env: str
    region: str
    accounts: list[Account]                       # deploy order: governance, domains, consumers
    findings: list[Finding] = field(default_factory=list)

    def add(self, findings) -> None:
        self.findings.extend(findings)

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITIES}

    @property
    def exit_code(self) -> int:
        return 1 if self.counts()["blocker"] else 0

    def of(self, account_id: str) -> list[Finding]:
        unique = {(f.sort_key(), f.why, f.fix, f.doc): f for f in self.findings if f.account_id == account_id}
        return [unique[k] for k in sorted(unique)]

    def to_json(self) -> dict[str, Any]:
        return {
            "environment": self.env,
            "region": self.region,
            "summary": self.counts(),
            "exit_code": self.exit_code,
            "accounts": [{"name": a.name, "kind": a.kind, "account_id": a.account_id,
                          "findings": [f.to_json() for f in self.of(a.account_id)]} for a in self.accounts],
        }


def render_json(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, sort_keys=False)


def render_text(report: Report) -> str:
    counts = report.counts()
    lines = [f"meshform preflight {report.env} ({report.region}): {counts['blocker']} blocker(s), "
             f"{counts['warning']} warning(s), {counts['info']} info"]
    for account in report.accounts:
        lines.append("")
        lines.append(f"{account.name} ({account.kind}, {account.account_id})")
        findings = report.of(account.account_id)
        if not findings:
            lines.append("  ok: nothing found")
        for f in findings:
            lines.append(f"  {f.severity.upper():<8} [{f.check}] {f.what}")
            for item in f.details:
                lines.append(f"           - {item}")
            lines.append(f"           why: {f.why}")
            lines.append(f"           fix: {f.fix}")
            if f.doc:
                lines.append(f"           see: {f.doc}")
    lines.append("")
    lines.append("FAILED: blockers must be fixed before the first apply" if report.exit_code
                 else "OK: no blockers (read the warnings before applying)" if counts["warning"]
                 else "OK: nothing would break")
    return "\n".join(lines)
