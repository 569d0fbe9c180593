"""CKV_MESH_REDSHIFT_CMK — Redshift warehouses are encrypted with a customer-managed KMS key.

Why: a warehouse holds copies of every product its domain loads and every datashare database it reads; without a
CMK (`kms_key_id` on a Serverless namespace, `encrypted` + `kms_key_id` on a cluster) Redshift uses an AWS-owned
key whose policy nobody in the mesh controls, so access can never be audited or revoked at the key
(https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-db-encryption.html).
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import attr, is_aws_managed_key, is_true


class RedshiftCmk(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Redshift namespaces and clusters are encrypted with a customer-managed KMS key",
            id="CKV_MESH_REDSHIFT_CMK",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_redshiftserverless_namespace", "aws_redshift_cluster"],
            guideline="Set kms_key_id to the account's aws_kms_key ARN (and encrypted = true on clusters); "
                      "RedshiftWarehouse does this.",
        )

    def problems(self, conf: dict):
        key = attr(conf, "kms_key_id")
        if "cluster_identifier" in conf and not is_true(attr(conf, "encrypted")):
            yield "encrypted is not true: the cluster stores data unencrypted"
        if not key:
            yield "kms_key_id is not set: encrypted with a key the mesh does not control"
        elif is_aws_managed_key(key):
            yield f"kms_key_id {key!r} is an AWS-managed key"


check = RedshiftCmk()
