"""CKV_MESH_REDSHIFT_MANAGED_PASSWORD — Redshift admin passwords are generated and kept by Secrets Manager.

Why: a literal `admin_user_password` / `master_password` ends up in the repository, the synthesized JSON, every plan
and the Terraform state in clear text. With `manage_admin_password` / `manage_master_password` Redshift creates the
password itself and stores it in a Secrets Manager secret encrypted with the account's CMK
(`admin_password_secret_kms_key_id` / `master_password_secret_kms_key_id`), rotatable and auditable
(https://docs.aws.amazon.com/redshift/latest/mgmt/redshift-secrets-manager-integration.html).
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import attr, is_aws_managed_key, is_true

FIELDS = {"aws_redshiftserverless_namespace": ("manage_admin_password", "admin_password_secret_kms_key_id",
                                               ("admin_user_password", "admin_user_password_wo")),
          "aws_redshift_cluster": ("manage_master_password", "master_password_secret_kms_key_id",
                                   ("master_password", "master_password_wo"))}


class RedshiftManagedPassword(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Redshift admin passwords are managed by Secrets Manager with a CMK, never literal",
            id="CKV_MESH_REDSHIFT_MANAGED_PASSWORD",
            categories=[CheckCategories.SECRETS],
            supported_resources=["aws_redshiftserverless_namespace", "aws_redshift_cluster"],
            guideline="Set manage_admin_password (namespaces) / manage_master_password (clusters) = true with "
                      "the account's CMK as the secret's key, and no password argument; RedshiftWarehouse does this.",
        )

    def problems(self, conf: dict):
        kind = "aws_redshift_cluster" if "cluster_identifier" in conf else "aws_redshiftserverless_namespace"
        managed, key_field, literals = FIELDS[kind]
        for field in literals:
            if attr(conf, field) is not None:
                yield f"{field} is set: the password is in the configuration and the state"
        if not is_true(attr(conf, managed)):
            yield f"{managed} is not true: Secrets Manager does not generate and keep the password"
        key = attr(conf, key_field)
        if not key:
            yield f"{key_field} is not set: the secret is encrypted with the AWS-managed key"
        elif is_aws_managed_key(key):
            yield f"{key_field} {key!r} is an AWS-managed key"


check = RedshiftManagedPassword()
