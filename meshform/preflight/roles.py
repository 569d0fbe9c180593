"""Deploy roles (assumable and existing) and the principals/admins the spec references (they must pre-exist)."""
from __future__ import annotations

from meshform import naming
from meshform.preflight.aws import AWS_ERRORS, AccountSession, Caller, error_code, error_text, unverified
from meshform.preflight.report import Finding
from meshform.spec.environment import ConsumerSpec, DomainSpec
from meshform.spec.mesh import Mesh

# https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html (AccessDenied when the role does not exist
# or its trust policy does not name the caller)
ASSUME_ROLE_DOC = "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html"
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user.html (creating a role another account's
# principal may assume)
CREATE_ROLE_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user.html"
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html (NoSuchEntity for a role that does not exist)
GET_ROLE_DOC = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html"
# https://docs.aws.amazon.com/lake-formation/latest/dg/lake-formation-permissions.html (grants name existing IAM
# principals; PutDataLakeSettings/GrantPermissions reject unknown ones)
LF_PERMISSIONS_DOC = "https://docs.aws.amazon.com/lake-formation/latest/dg/lake-formation-permissions.html"


def check_deploy_role(caller: Caller, mesh: Mesh, account_id: str) -> tuple[AccountSession | None, list[Finding]]:
    """Assume the deploy role, then make sure it exists as an IAM role of the account (an emulator lets you
    assume any role name; real STS would already have refused)."""
    arn = mesh.deploy_role_arn(account_id)
    try:
        session = caller.assume(account_id)
    except AWS_ERRORS as exc:
        return None, [Finding(
            "blocker", account_id, "deploy-role-not-assumable", f"cannot assume the deploy role {arn}",
            f"{error_text(exc)}. Every stack's provider assumes this role: the apply of this account's stack fails "
            "before it starts. The other checks of this account were skipped.",
            f"create {arn} (meshform does not create it: see README 'What the deploy role needs') with a trust "
            "policy that allows the identity running Terraform, and give that identity sts:AssumeRole on it",
            ASSUME_ROLE_DOC, (arn,))]
    try:
        role = session.client("iam").get_role(RoleName=mesh.spec.deploy_role)["Role"]
    except AWS_ERRORS as exc:
        if error_code(exc) == "NoSuchEntity":
            return session, [Finding(
                "blocker", account_id, "deploy-role-missing", f"the deploy role {arn} does not exist",
                "Every stack's provider assumes this role in its own account; without it nothing in this account "
                "can be applied.",
                f"create the role {mesh.spec.deploy_role} in {account_id} with the rights listed in README "
                "'What the deploy role needs'", CREATE_ROLE_DOC, (arn,))]
        return session, [unverified(account_id, "deploy-role-missing", f"that {arn} exists", exc,
                                    f"allow iam:GetRole on {arn} to the deploy role, or check it by hand: "
                                    f"aws iam get-role --role-name {mesh.spec.deploy_role}", GET_ROLE_DOC)]
    if role.get("Arn") and role["Arn"] != arn:
        return session, [Finding(
            "blocker", account_id, "deploy-role-missing", f"the deploy role exists only as {role['Arn']}",
            f"The stacks assume {arn} (no IAM path); a role under another path has a different ARN.",
            f"create {mesh.spec.deploy_role} without a path, or rename deploy_role", CREATE_ROLE_DOC, (role["Arn"],))]
    return session, []


def referenced_principals(mesh: Mesh) -> list[tuple[str, str, str]]:
    """(ARN, spec field, what it is used for) of every IAM principal the spec names and meshform does not create."""
    gov = mesh.spec.governance
    refs = [(a, "governance.admins", "Lake Formation data lake admin") for a in gov.admins]
    refs += [(a, "governance.read_only_admins", "Lake Formation read-only admin") for a in gov.read_only_admins]
    subscribers: list[tuple[str, str, DomainSpec | ConsumerSpec]] = [
        *(("domains", n, s) for n, s in mesh.spec.domains.items()),
        *(("consumers", n, s) for n, s in mesh.spec.consumers.items())]
    for kind, name, spec in sorted(subscribers, key=lambda e: (e[0], e[1])):
        refs += [(a, f"{kind}.{name}.principals", "reader of subscribed products (grants + IAM policy)")
                 for a in spec.principals]
        refs += [(a, f"{kind}.{name}.admins", "Lake Formation data lake admin") for a in spec.admins]
    return sorted(set(refs))


def check_referenced_principals(mesh: Mesh, sessions: dict[str, AccountSession]) -> list[Finding]:
    findings = []
    for arn, field, purpose in referenced_principals(mesh):
        account = arn.split(":")[4]
        session = sessions.get(account)
        if session is None:          # deploy role not assumable: already a blocker for that account
            continue
        kind, name = arn.split(":", 5)[5].split("/", 1)[0], naming.role_name_from_arn(arn)
        iam = session.client("iam")
        try:
            found = (iam.get_role(RoleName=name)["Role"] if kind == "role" else iam.get_user(UserName=name)["User"])
        except AWS_ERRORS as exc:
            if error_code(exc) == "NoSuchEntity":
                findings.append(Finding(
                    "blocker", account, "principal-missing", f"{arn} ({field}) does not exist",
                    f"It is a {purpose}. meshform does not create it and the apply fails on it: Lake Formation "
                    "rejects settings and grants naming a principal that does not exist, and the IAM policy "
                    "attachment fails with NoSuchEntity.",
                    f"create the {kind} {name} in {account} before deploying, or remove it from {field}",
                    LF_PERMISSIONS_DOC, (arn,)))
            else:
                findings.append(unverified(account, "principal-missing", f"that {arn} ({field}) exists", exc,
                                           f"allow iam:Get{kind.capitalize()} to the deploy role, or run "
                                           f"aws iam get-{kind} --{kind}-name {name}", GET_ROLE_DOC))
            continue
        if found.get("Arn") and found["Arn"] != arn:
            findings.append(Finding(
                "blocker", account, "principal-missing", f"{arn} ({field}) does not exist; {found['Arn']} does",
                "IAM principals are matched by ARN, including the path: grants and admin lists naming the spec's "
                "ARN would not apply to the existing principal.",
                f"write {found['Arn']} in {field}", GET_ROLE_DOC, (arn, found["Arn"])))
    return findings
