"""CKV_MESH_IAM_WEB_IDENTITY_TRUST_SCOPED — a role assumable with a web identity token (OIDC: HCP Terraform's run
roles, CI) trusts exactly one identity: its audience and subject are pinned, and an HCP Terraform subject names
its organization, project and workspace without wildcards.

Why: anyone who can get the issuer to sign a token can present it. HCP Terraform signs tokens for every workspace
of every organization on the host, so a trust without a `sub` condition, or with `workspace:*` (or a wildcard in
the organization or project), lets any workspace — another team's, or another customer's on app.terraform.io —
assume the role and, through it, the deploy role of the account. HashiCorp and AWS both require the aud and sub
conditions (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/
aws-configuration#configure-a-role-and-trust-policy, https://docs.aws.amazon.com/IAM/latest/UserGuide/
id_roles_create_for-idp_oidc.html#idp_oidc_Create_Trust_Policy). The run phase may be a wildcard (plan and apply
use the same deploy role, docs/delivery.md). Subjects of other issuers must be exact (no wildcard at all).
Checked: every Allow statement of assume_role_policy whose action can be sts:AssumeRoleWithWebIdentity or whose
principal is Federated. A role without such a statement has nothing this rule governs and passes.
"""
from __future__ import annotations

import re
from fnmatch import fnmatchcase

from checkov.common.models.enums import CheckCategories

import iam_json
from mesh_check import MeshCheck

WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
# organization:<org>:project:<project>:workspace:<workspace>:run_phase:<phase>
HCP_SUBJECT = re.compile(r"^organization:([^:]*):project:([^:]*):workspace:([^:]*):run_phase:([^:]*)$")
WILDCARD = re.compile(r"[*?]")
# Operators that pin a value; the *Like ones allow wildcards. ForAllValues: passes when the key is absent, and
# negated or IfExists operators do not require the value: none of them constrains the token.
EXACT, LIKE = {"stringequals", "stringequalsignorecase"}, {"stringlike"}


def web_identity(statement: dict) -> bool:
    principal = statement.get("Principal")
    federated = isinstance(principal, dict) and "Federated" in principal
    return federated or any(fnmatchcase(WEB_IDENTITY.lower(), a.lower()) for a in iam_json.actions(statement))


def claims(statement: dict, claim: str) -> list[tuple[str, str]]:
    """(operator, value) of every constraining condition on `<issuer>:<claim>` (keys are case-insensitive)."""
    found = []
    condition = statement.get("Condition")
    for operator, keys in (condition.items() if isinstance(condition, dict) else []):
        op = str(operator).lower()
        if op.startswith("forallvalues:") or op.endswith("ifexists"):
            continue
        op = op.removeprefix("foranyvalue:")
        if op not in EXACT | LIKE:
            continue
        for key, values in (keys.items() if isinstance(keys, dict) else []):
            if str(key).lower().endswith(f":{claim}"):
                found += [(op, str(v)) for v in iam_json.as_list(values)]
    return found


def subject_problem(operator: str, subject: str) -> str | None:
    if operator in EXACT or not WILDCARD.search(subject):
        return None
    hcp = HCP_SUBJECT.match(subject)
    if hcp is None:
        return f"sub {subject!r} uses a wildcard (only an HCP Terraform run_phase may)"
    for part, value in zip(("organization", "project", "workspace"), hcp.groups()[:3], strict=True):
        if WILDCARD.search(value):
            return f"sub {subject!r} has a wildcard in the {part} (any {part} could assume the role)"
    return None


class IamWebIdentityTrustScoped(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Web identity (OIDC) trust pins aud and sub; no wildcard organization, project or workspace",
            id="CKV_MESH_IAM_WEB_IDENTITY_TRUST_SCOPED",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_iam_role"],
            guideline="Trust one Federated OIDC provider with StringEquals <host>:aud = aws.workload.identity and "
                      "<host>:sub = organization:<org>:project:<project>:workspace:<workspace>:run_phase:<phase> "
                      "(StringLike only for run_phase:*), as modules/constructs/hcp_terraform_run_role.py does.",
        )

    def problems(self, conf: dict):
        try:
            document = iam_json.load(conf.get("assume_role_policy"))
        except iam_json.NotLiteral as error:
            yield f"assume_role_policy: {error}"
            return
        for index, statement in enumerate(iam_json.statements(document)):
            if not (iam_json.allows(statement) and web_identity(statement)):
                continue
            where = f"assume_role_policy {iam_json.label(statement, index)}"
            federated = statement.get("Principal", {}).get("Federated") if isinstance(
                statement.get("Principal"), dict) else None
            providers = [str(p) for p in iam_json.as_list(federated)]
            if not providers or any(WILDCARD.search(p) for p in providers):
                yield f"{where} does not name one Federated identity provider"
            audiences = claims(statement, "aud")
            if not audiences:
                yield f"{where} has no StringEquals condition on <issuer>:aud"
            for operator, value in audiences:
                if operator in LIKE and WILDCARD.search(value):
                    yield f"{where}: aud {value!r} uses a wildcard"
            subjects = claims(statement, "sub")
            if not subjects:
                yield f"{where} has no condition on <issuer>:sub: every identity of the issuer may assume the role"
            for operator, value in subjects:
                problem = subject_problem(operator, value)
                if problem:
                    yield f"{where}: {problem}"


check = IamWebIdentityTrustScoped()
