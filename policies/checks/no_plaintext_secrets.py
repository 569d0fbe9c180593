"""CKV_MESH_NO_PLAINTEXT_SECRETS — no password or secret is written as a literal value in a stack.

Why: synthesized stacks are committed, reviewed, attached to CI logs and copied into Terraform state; a literal
password there is a leaked password. Secrets come from a managed source instead: manage_master_password /
manage_admin_password (Redshift-managed secrets), a reference to Secrets Manager ("${...}"), or a write-only
argument (*_wo), which Terraform never stores
(https://developer.hashicorp.com/terraform/language/manage-sensitive-data/write-only).
Checked: every argument, nested block and map key (Lambda environment variables, Glue connection_properties)
whose name ends in password/passwd/passphrase or is a well-known secret name, holding a non-empty literal string.
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import is_reference

SECRET_SUFFIXES = ("password", "passwd", "passphrase")
SECRET_NAMES = {"secret_string", "secret_binary", "secret_key", "secret_access_key", "private_key", "client_secret",
                "auth_token", "access_token", "api_key", "oauth_token", "sasl_password"}


def is_secret_name(name: str) -> bool:
    name = name.lower().replace("-", "_")
    if name.endswith("_wo"):  # write-only: never stored in state
        return False
    return name.endswith(SECRET_SUFFIXES) or name in SECRET_NAMES


def literal_secrets(value, path: str = ""):
    """Paths of secret-named keys that hold a literal string, anywhere in the resource."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key.startswith("__") or key == "//":
                continue
            where = f"{path}.{key}" if path else key
            if is_secret_name(key):
                strings = [v for v in (item if isinstance(item, list) else [item]) if isinstance(v, str)]
                if any(s.strip() and not is_reference(s) for s in strings):
                    yield where
                    continue
            yield from literal_secrets(item, where)
    elif isinstance(value, list):
        for item in value:
            yield from literal_secrets(item, path)


class NoPlaintextSecrets(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="No password or secret is a literal value in the stack (use managed secrets or references)",
            id="CKV_MESH_NO_PLAINTEXT_SECRETS",
            categories=[CheckCategories.SECRETS],
            supported_resources=["*"],
            guideline="Use manage_master_password / manage_admin_password, a write-only *_wo argument fed from an "
                      "ephemeral resource, or a reference to an aws_secretsmanager_secret_version; never a literal.",
        )

    def problems(self, conf: dict):
        for where in literal_secrets(conf):
            yield f"{where} holds a literal value"


check = NoPlaintextSecrets()
