"""`meshform preflight`: read-only checks of the real accounts of one environment BEFORE the first apply — what
the stacks would break (Lake Formation admins, IAMAllowedPrincipals defaults) and where the apply would fail
(deploy roles, principals, bucket names, catalog names, the AWS Organization and RAM sharing).

One module per concern: roles, lake_formation, catalog, organization, buckets; report renders the findings."""
from __future__ import annotations

from meshform.preflight.aws import AccountSession, Caller
from meshform.preflight.buckets import check_buckets
from meshform.preflight.catalog import check_catalog
from meshform.preflight.lake_formation import check_lake_formation
from meshform.preflight.organization import check_organization
from meshform.preflight.report import Account, Finding, Report, render_json, render_text
from meshform.preflight.roles import check_deploy_role, check_referenced_principals
from meshform.spec.mesh import Mesh

__all__ = ["Finding", "Report", "accounts_of", "render_json", "render_text", "run_preflight"]


def accounts_of(mesh: Mesh) -> list[Account]:
    """Deploy order: governance, then domains, then consumers (each sorted by name)."""
    accounts = [Account("governance", "governance", mesh.governance_account)]
    accounts += [Account(n, "domain", d.account_id) for n, d in sorted(mesh.spec.domains.items())]
    accounts += [Account(n, "consumer", c.account_id) for n, c in sorted(mesh.spec.consumers.items())]
    return accounts


def run_preflight(mesh: Mesh, endpoint: str | None = None) -> Report:
    report = Report(mesh.env, mesh.region, accounts_of(mesh))
    caller = Caller(mesh, endpoint)
    sessions: dict[str, AccountSession] = {}
    for account in report.accounts:
        session, findings = check_deploy_role(caller, mesh, account.account_id)
        report.add(findings)
        if session is not None:
            sessions[account.account_id] = session
    for session in sessions.values():
        report.add(check_lake_formation(mesh, session))
        report.add(check_catalog(mesh, session))
        report.add(check_buckets(mesh, session))
    report.add(check_referenced_principals(mesh, sessions))
    report.add(check_organization(mesh, sessions))
    return report
