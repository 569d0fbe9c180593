"""Bucket policies evaluated with the request's context, for moto 5.2.5's object operations.

moto evaluates a bucket policy on GetObject/PutObject/DeleteObject but ignores every condition operator except
StringEquals and never looks at the principal unless it is a plain string: a Deny with a condition denies
everyone. With the mesh's TLS-only statement (Deny `s3:*` when `aws:SecureTransport` is false) that refuses every
upload; with the artifacts bucket's "only the deploy role writes" statement (Deny unless `aws:PrincipalArn` is the
deploy role) likewise. AWS evaluates both against the request
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-auth-workflow-object-operation.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):

- a statement applies when its Action (or NotAction), Resource, Principal (or NotPrincipal) and every condition
  match; an applying Deny denies, else an applying Allow permits, else the bucket policy is neutral;
- principals: `*` / {"AWS": "*"} is anyone; an account id or `arn:aws:iam::<account>:root` is any principal of
  that account; a role ARN is that role's sessions; {"Service": ...} matches only that service (never a user's
  request); https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
- conditions: String*/Arn*/Bool/Null operators, `...IfExists`, several values are alternatives; a key absent from
  the request makes a condition false, except for negated operators (StringNot*, ArnNot*), which are then true
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html);
- the request context: aws:PrincipalArn (the role of an assumed-role session, not the session,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn),
  aws:PrincipalAccount, aws:PrincipalIsAWSService (false: requests reach the emulator from SDKs), and
  aws:SecureTransport = true — the emulator listens on loopback HTTP, which stands in for the HTTPS every AWS SDK
  and Terraform use against AWS.
- HeadObject is authorized as s3:GetObject (AWS has no s3:HeadObject action).

Not modelled: operators the mesh does not use (numeric, date, IP address, ForAllValues/ForAnyValue) — a statement
with one of them applies as if the condition held (moto's behaviour); policy variables (`${aws:username}`).
"""
from __future__ import annotations

import contextvars
import json
import re
from fnmatch import fnmatchcase
from typing import Any

_caller: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("meshform_s3_caller", default=None)
_NEGATED = ("StringNotEquals", "StringNotLike", "ArnNotEquals", "ArnNotLike", "StringNotEqualsIgnoreCase")
_ROOT = re.compile(r"^arn:aws[a-z-]*:iam::([0-9]{12}):root$")


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _matches(patterns: Any, value: str, ignore_case: bool = True) -> bool:
    for pattern in _as_list(patterns):
        pattern = str(pattern)
        if ignore_case:
            if fnmatchcase(value.lower(), pattern.lower().replace("[", "[[]")):
                return True
        elif fnmatchcase(value, pattern.replace("[", "[[]")):
            return True
    return False


def _principal_matches(statement: dict, caller: dict[str, str]) -> bool:
    if "NotPrincipal" in statement:
        return not _principal_in(statement["NotPrincipal"], caller)
    if "Principal" not in statement:
        return True                      # identity policies; never in a bucket policy
    return _principal_in(statement["Principal"], caller)


def _principal_in(principal: Any, caller: dict[str, str]) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for kind, values in principal.items():
        for value in _as_list(values):
            if kind == "AWS" and value == "*":
                return True              # {"AWS": "*"} is "*": every principal, services included
            if kind == "AWS" and "service" not in caller:
                root = _ROOT.match(str(value))
                if value == caller["arn"]:
                    return True
                if value == caller["account"] or (root and root.group(1) == caller["account"]):
                    return True
            elif kind == "Service" and caller.get("service") == value:
                return True
    return False


def _condition_holds(operator: str, key: str, expected: Any, context: dict[str, str]) -> bool:
    if_exists = operator.endswith("IfExists")
    base = operator[:-len("IfExists")] if if_exists else operator
    actual = next((v for k, v in context.items() if k.lower() == key.lower()), None)
    if base == "Null":
        return (actual is None) == (str(_as_list(expected)[0]).lower() == "true")
    if actual is None:
        return if_exists or base in _NEGATED
    values = [str(v) for v in _as_list(expected)]
    if base in ("StringEquals", "ArnEquals"):
        return actual in values
    if base == "StringEqualsIgnoreCase":
        return actual.lower() in [v.lower() for v in values]
    if base in ("StringLike", "ArnLike"):
        return _matches(values, actual, ignore_case=False)
    if base in ("StringNotEquals", "ArnNotEquals"):
        return actual not in values
    if base == "StringNotEqualsIgnoreCase":
        return actual.lower() not in [v.lower() for v in values]
    if base in ("StringNotLike", "ArnNotLike"):
        return not _matches(values, actual, ignore_case=False)
    if base == "Bool":
        return actual.lower() in [v.lower() for v in values]
    return True                          # not modelled (module docstring)


def _conditions_hold(conditions: Any, context: dict[str, str]) -> bool:
    for operator, pairs in (conditions or {}).items():
        for key, expected in pairs.items():
            if not _condition_holds(operator, key, expected, context):
                return False
    return True


def request_context(caller: dict[str, str]) -> dict[str, str]:
    """The global condition keys of a request by `caller` (an IAM identity, or {"service": ...} for an AWS
    service acting on its own, which has no principal ARN or account)."""
    if "service" in caller:
        return {"aws:PrincipalIsAWSService": "true", "aws:SecureTransport": "true"}
    return {"aws:PrincipalArn": caller["arn"], "aws:PrincipalAccount": caller["account"],
            "aws:PrincipalIsAWSService": "false", "aws:SecureTransport": "true"}


def evaluate(policy: dict, action: str, resource: str, caller: dict[str, str],
             extra_context: dict[str, str] | None = None) -> str:
    """'DENIED', 'PERMITTED' or 'NEUTRAL' for `caller` doing `action` on `resource` (with service-specific
    condition keys in `extra_context`, e.g. a KMS encryption context)."""
    context = {**request_context(caller), **(extra_context or {})}
    decision = "NEUTRAL"
    for statement in _as_list(policy.get("Statement", [])):
        if "NotAction" in statement:
            if _matches(statement["NotAction"], action):
                continue
        elif not _matches(statement.get("Action", []), action):
            continue
        if "NotResource" in statement:
            if _matches(statement["NotResource"], resource, ignore_case=False):
                continue
        elif not _matches(statement.get("Resource", []), resource, ignore_case=False):
            continue
        if not _principal_matches(statement, caller) or not _conditions_hold(statement.get("Condition"), context):
            continue
        if statement.get("Effect") == "Deny":
            return "DENIED"
        decision = "PERMITTED"
    return decision


def caller_of(access_key: str) -> dict[str, str] | None:
    """The IAM identity behind an access key: the role of an assumed-role session, else the user."""
    from moto.iam.models import get_account_id_from, iam_backends

    account = get_account_id_from(access_key)
    for partition in list(iam_backends[account]):
        key = iam_backends[account][partition].access_keys.get(access_key)
        if key is None:
            continue
        role = getattr(key, "role_arn", None)
        if role:
            return {"arn": str(role), "account": account}
        user = getattr(key, "user_name", None)
        return {"arn": f"arn:aws:iam::{account}:user/{user}" if user else f"arn:aws:iam::{account}:root",
                "account": account}
    return {"arn": f"arn:aws:iam::{account}:root", "account": account}


def install() -> None:
    from moto.iam.access_control import PermissionResult
    from moto.s3.models import FakeBucket
    from moto.s3.responses import S3Response

    original_key_response = S3Response._key_response
    original_permission = FakeBucket.get_permission
    if getattr(original_key_response, "__meshform__", False):
        return

    def _key_response(self: Any, request: Any, full_url: str):
        token = _caller.set(caller_of(self.get_access_key()))
        try:
            return original_key_response(self, request, full_url)
        finally:
            _caller.reset(token)

    def get_permission(self: Any, action: str, resource: str):
        caller = _caller.get()
        if caller is None or self.policy is None:
            return original_permission(self, action, resource)
        if action == "s3:HeadObject":
            action = "s3:GetObject"
        policy = json.loads(self.policy.decode() if isinstance(self.policy, bytes) else self.policy)
        return {"DENIED": PermissionResult.DENIED, "PERMITTED": PermissionResult.PERMITTED,
                "NEUTRAL": PermissionResult.NEUTRAL}[evaluate(policy, action, resource, caller)]

    _key_response.__meshform__ = True  # type: ignore[attr-defined]
    S3Response._key_response = _key_response
    FakeBucket.get_permission = get_permission
