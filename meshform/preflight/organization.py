"""`organization_id` in the spec: every account in that AWS Organization, and RAM sharing with it enabled.

With `organization_id`, meshform accepts no RAM shares (no handshake): Lake Formation's shares are only accepted
automatically inside one organization with RAM sharing enabled. Otherwise the shared databases stay invisible to
the receivers and their re-grants fail.
"""
from __future__ import annotations

from meshform.preflight.aws import AWS_ERRORS, AccountSession, error_code, error_text, paginate
from meshform.preflight.report import Finding
from meshform.spec.mesh import Mesh

RAM_PRINCIPAL = "ram.amazonaws.com"
# EnableSharingWithAwsOrganization: "You must call this operation from an IAM role or user in the organization's
# management account." https://docs.aws.amazon.com/ram/latest/APIReference/API_EnableSharingWithAwsOrganization.html
ENABLE_SHARING_DOC = "https://docs.aws.amazon.com/ram/latest/APIReference/API_EnableSharingWithAwsOrganization.html"
# Enabling it is what lists ram.amazonaws.com among the trusted services; ListAWSServiceAccessForOrganization "can be
# called only from the organization's management account or by a member account that is a delegated administrator".
# https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAWSServiceAccessForOrganization.html
LIST_ACCESS_DOC = "https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAWSServiceAccessForOrganization.html"
# Any member account may call DescribeOrganization:
# https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeOrganization.html
DESCRIBE_ORG_DOC = "https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeOrganization.html"
# Receivers must accept shares unless both accounts are in the same organization:
# https://docs.aws.amazon.com/lake-formation/latest/dg/cross-account-read-data.html
SHARE_ACCEPT_DOC = "https://docs.aws.amazon.com/lake-formation/latest/dg/cross-account-read-data.html"
RAM_CHECK_COMMAND = ("aws organizations list-aws-service-access-for-organization --query "
                     "\"EnabledServicePrincipals[?ServicePrincipal=='ram.amazonaws.com']\"")


def check_organization(mesh: Mesh, sessions: dict[str, AccountSession]) -> list[Finding]:
    wanted = mesh.spec.organization_id
    if not wanted:
        return []
    governance = mesh.governance_account
    findings: list[Finding] = []
    management = None
    for account in sorted(sessions, key=lambda a: (a != governance, a)):
        org = _membership(sessions[account], wanted, findings)
        if account == governance and org is not None:
            management = org.get("MasterAccountId")
    if governance in sessions and management:
        findings.extend(_ram_sharing(sessions[governance], wanted, management))
    return findings


def _membership(session: AccountSession, wanted: str, findings: list[Finding]) -> dict | None:
    """The account's organization when it is `wanted`; otherwise a finding."""
    account = session.account_id
    fix = (f"invite {account} into {wanted} (or correct organization_id); or remove organization_id from the spec "
           "and use `meshform ram-handshake` (README 'RAM invitations')")
    try:
        org = session.client("organizations").describe_organization()["Organization"]
    except AWS_ERRORS as exc:
        if error_code(exc) == "AWSOrganizationsNotInUseException":
            findings.append(Finding(
                "blocker", account, "organization-membership", f"the account is not in any AWS Organization "
                f"(the spec says {wanted})",
                "With organization_id set, meshform accepts no RAM shares: shares to or from this account are never "
                "accepted, so shared databases stay invisible and the re-grants of the subscriber stacks fail.",
                fix, SHARE_ACCEPT_DOC))
        else:
            findings.append(Finding(
                "warning", account, "organization-membership",
                f"could not verify that the account is in {wanted}",
                f"{error_text(exc)}. DescribeOrganization is callable from every member account.",
                "allow organizations:DescribeOrganization to the deploy role, or run aws organizations "
                "describe-organization in this account", DESCRIBE_ORG_DOC))
        return None
    if org.get("Id") != wanted:
        findings.append(Finding(
            "blocker", account, "organization-membership",
            f"the account is in organization {org.get('Id')}, not {wanted}",
            "Lake Formation shares are only accepted automatically within one organization; meshform accepts none "
            "when organization_id is set.", fix, SHARE_ACCEPT_DOC, (f"{org.get('Id')} != {wanted}",)))
        return None
    return org


def _ram_sharing(session: AccountSession, wanted: str, management: str) -> list[Finding]:
    account = session.account_id
    try:
        enabled = paginate(session.client("organizations"), "list_aws_service_access_for_organization",
                           "EnabledServicePrincipals")
    except AWS_ERRORS as exc:
        return [Finding(
            "warning", account, "ram-organization-sharing",
            f"could not verify that RAM sharing with {wanted} is enabled",
            f"{error_text(exc)}. Only the management account ({management}) or a delegated administrator may list "
            "the services trusted by the organization; the governance account is neither.",
            f"in the management account {management} run: {RAM_CHECK_COMMAND} — if it prints nothing, run "
            "aws ram enable-sharing-with-aws-organization there", LIST_ACCESS_DOC)]
    if any(s.get("ServicePrincipal") == RAM_PRINCIPAL for s in enabled):
        return []
    return [Finding(
        "blocker", account, "ram-organization-sharing", f"RAM sharing with the organization {wanted} is not enabled",
        f"{RAM_PRINCIPAL} is not a trusted service of the organization: Lake Formation's RAM shares become "
        "invitations that nobody accepts (meshform accepts none when organization_id is set), so subscribers never "
        "see the shared databases and their stacks' re-grants fail.",
        f"in the management account {management}: aws ram enable-sharing-with-aws-organization (once per "
        "organization)", ENABLE_SHARING_DOC)]
