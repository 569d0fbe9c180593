"""Reading IAM-style JSON documents (IAM, KMS key and S3 bucket policies) for the mesh policies (not a policy).

meshform renders every policy as literal JSON (modules/policy_documents.py) precisely so it can be reviewed and
checked; a policy given as an expression (jsonencode, a data source) cannot be checked and is reported as such.
"""
from __future__ import annotations

import json

from mesh_facts import first, is_reference


class NotLiteral(ValueError):
    """The policy is a Terraform expression or not valid JSON."""


def load(value) -> dict:
    value = first(value)
    if isinstance(value, dict):
        return value
    if not isinstance(value, str) or not value.strip():
        raise NotLiteral("the policy is missing")
    try:
        document = json.loads(value)
    except ValueError:
        what = "a Terraform expression" if is_reference(value) else "not valid JSON"
        raise NotLiteral(f"the policy is {what}; render it as literal JSON so it can be checked") from None
    if not isinstance(document, dict):
        raise NotLiteral("the policy is not a JSON object")
    return document


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def statements(document: dict) -> list[dict]:
    return [s for s in as_list(document.get("Statement")) if isinstance(s, dict)]


def allows(statement: dict) -> bool:
    return statement.get("Effect") == "Allow"


def label(statement: dict, index: int) -> str:
    return f"statement {statement.get('Sid') or index}"


def principals(statement: dict) -> list[str]:
    """Every principal value of the statement ("*" for the bare wildcard)."""
    principal = statement.get("Principal")
    if principal is None:
        return []
    if isinstance(principal, str):
        return [principal]
    out: list[str] = []
    for value in principal.values():
        out += [str(v) for v in as_list(value)]
    return out


def everyone(statement: dict) -> bool:
    """Principal "*" / {"AWS": "*"} (any principal), or NotPrincipal on an Allow (everyone but a few)."""
    return "*" in principals(statement) or (allows(statement) and "NotPrincipal" in statement)


def actions(statement: dict) -> list[str]:
    return [str(a) for a in as_list(statement.get("Action"))]


def resources(statement: dict) -> list[str]:
    return [str(r) for r in as_list(statement.get("Resource"))]


def identity_policies(conf: dict) -> list[tuple[str, object]]:
    """(label, raw policy) of an IAM resource: `policy` (aws_iam_policy, aws_iam_*_policy) and aws_iam_role's
    inline_policy blocks."""
    found: list[tuple[str, object]] = []
    if conf.get("policy") is not None:
        found.append(("policy", conf.get("policy")))
    inline = conf.get("inline_policy")
    for item in inline if isinstance(inline, list) else [inline] if isinstance(inline, dict) else []:
        if isinstance(item, dict) and item.get("policy") is not None:
            found.append((f"inline_policy {first(item.get('name'))}", item.get("policy")))
    return found


def allowed_statements(conf: dict):
    """Every Allow statement of the resource's identity policies as (where, label, statement); a policy that is
    not literal JSON yields (where, error message, None) so that the rule can fail on it."""
    for where, raw in identity_policies(conf):
        try:
            document = load(raw)
        except NotLiteral as error:
            yield where, str(error), None
            continue
        for index, statement in enumerate(statements(document)):
            if allows(statement):
                yield where, label(statement, index), statement
