"""IAM web identity federation, for moto 5.2.5, which accepts a role trust policy naming any Federated principal.

AWS resolves the principals of a trust policy when it is written: a Federated principal that is an OIDC identity
provider ARN (arn:aws:iam::<account>:oidc-provider/<host>) must name a provider that exists, otherwise CreateRole
and UpdateAssumeRolePolicy fail with MalformedPolicyDocument (https://docs.aws.amazon.com/IAM/latest/UserGuide/
id_roles_create_for-idp_oidc.html: "create the OIDC identity provider first"; https://docs.aws.amazon.com/IAM/latest/
APIReference/API_CreateRole.html, error MalformedPolicyDocument). meshform relies on it: each HCP Terraform run role
names its account's provider, so the role must be created after the provider (modules/constructs/
hcp_terraform_run_role.py declares depends_on) — without this rule the emulator would accept any order.

CreateOpenIDConnectProvider: "The URL must begin with https:// ... path components are allowed but query parameters
are not" (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html); moto accepts any
scheme. Such a URL fails with InvalidInput (the operation's error for "an invalid or out-of-range value").

Decision where AWS is not explicit: the message follows AWS's wording for unresolvable principals
(`Invalid principal in policy: "Federated":"<arn>"`); SAML providers and web identity domains (accounts.google.com,
cognito-identity.amazonaws.com, ...) are left as moto has them.
"""
from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlparse

_OIDC_ARN = re.compile(r"^arn:aws:iam::([0-9]{12}):oidc-provider/.+$")


def unknown_providers(document: str) -> list[str]:
    """OIDC provider ARNs the trust policy names as Federated principals that do not exist in their account."""
    from moto.iam.models import iam_backends

    try:
        statements = json.loads(document).get("Statement", [])
    except (ValueError, AttributeError):
        return []               # moto's own validator reports malformed JSON
    missing = []
    for statement in statements if isinstance(statements, list) else [statements]:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        federated = principal.get("Federated") if isinstance(principal, dict) else None
        for arn in federated if isinstance(federated, list) else [federated] if federated else []:
            match = _OIDC_ARN.match(str(arn))
            if match and arn not in iam_backends[match.group(1)]["aws"].open_id_providers:
                missing.append(str(arn))
    return missing


def check_trust(document: str) -> None:
    from moto.iam.exceptions import MalformedPolicyDocument

    missing = unknown_providers(document)
    if missing:
        raise MalformedPolicyDocument(f'Invalid principal in policy: "Federated":"{missing[0]}"')


def check_provider_url(url: str) -> None:
    from moto.iam.exceptions import InvalidInput

    parsed = urlparse(url)
    if parsed.scheme != "https" or not parsed.netloc or parsed.query:
        raise InvalidInput(f"Invalid Url {url!r}: the URL must begin with https:// and must not have query "
                           "parameters")


def install() -> None:
    from moto.iam.models import IAMBackend

    original_create = IAMBackend.create_role
    if getattr(original_create, "__meshform__", False):
        return
    original_update = IAMBackend.update_assume_role_policy
    original_provider = IAMBackend.create_open_id_connect_provider

    def create_open_id_connect_provider(self: Any, url: str, *args: Any, **kwargs: Any):
        check_provider_url(url)
        return original_provider(self, url, *args, **kwargs)

    def create_role(self: Any, role_name: str, assume_role_policy_document: str, *args: Any, **kwargs: Any):
        check_trust(assume_role_policy_document)
        return original_create(self, role_name, assume_role_policy_document, *args, **kwargs)

    def update_assume_role_policy(self: Any, role_name: str, policy_document: str) -> None:
        check_trust(policy_document)
        return original_update(self, role_name, policy_document)

    create_role.__meshform__ = True  # type: ignore[attr-defined]
    IAMBackend.create_role = create_role
    IAMBackend.update_assume_role_policy = update_assume_role_policy
    IAMBackend.create_open_id_connect_provider = create_open_id_connect_provider
