"""`meshform audit`: read-only comparison of the live accounts of one environment with what the repository
declares (docs/audit.md). Each account is read as its deploy role (like `meshform preflight`); the expected state
comes from the functions the stacks are built from (meshform/audit/expected.py); collectors per service read and
compare (meshform/audit/collectors.py, compare.py); report.py renders markdown or JSON."""
from __future__ import annotations

from meshform.audit.collectors import COLLECTORS, Collector
from meshform.audit.expected import expected_state
from meshform.audit.report import ERROR, Finding, Report, render_json, render_markdown
from meshform.preflight.aws import AWS_ERRORS, AccountSession, Caller, error_code, error_text
from meshform.spec.mesh import Mesh

__all__ = ["Report", "render_json", "render_markdown", "run_audit"]

SESSION_NAME = "meshform-audit"


def run_audit(mesh: Mesh, endpoint: str | None = None,
              collectors: tuple[Collector, ...] = COLLECTORS) -> Report:
    expected = expected_state(mesh)
    report = Report(mesh.env, mesh.region, [e.account for e in expected])
    active = []
    for collector in collectors:
        reason = collector.skip_reason(mesh)
        if reason is None:
            active.append(collector)
        else:
            report.skipped.append(reason)
    caller = Caller(mesh, endpoint, session_name=SESSION_NAME)
    for exp in expected:
        session = _session(caller, mesh, exp.account.name, exp.account_id, report)
        if session is None:
            continue
        for collector in active:
            report.add(collector.audit(mesh, exp, session))
    return report


def _session(caller: Caller, mesh: Mesh, name: str, account: str, report: Report) -> AccountSession | None:
    """The account's deploy role, or an error finding naming the account and the role (nothing of the account
    can be read then)."""
    role = mesh.deploy_role_arn(account)
    what = f"cannot read account {account} ({name}) as {role}"
    try:
        session = caller.assume(account)
    except AWS_ERRORS as exc:
        report.add([Finding(account, "access", ERROR, role, what, (error_text(exc),),
                            f"let the identity running the audit assume {role} (sts:AssumeRole, and the role's trust "
                            "policy), and check the endpoint/region")])
        return None
    try:
        session.client("iam").get_role(RoleName=mesh.spec.deploy_role)
    except AWS_ERRORS as exc:
        # An emulator lets anyone assume any role name; real STS already refused a role that does not exist.
        # Any other error (no iam:GetRole) does not keep the audit from reading Lake Formation.
        if error_code(exc) == "NoSuchEntity":
            report.add([Finding(account, "access", ERROR, role, what, (f"the role does not exist: {error_text(exc)}",),
                                f"deploy the account first (its deploy role is a prerequisite: README, 'What the "
                                f"deploy role needs'), or fix deploy_role in environments/{mesh.env}.yaml")])
            return None
    return session
