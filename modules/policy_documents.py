"""Static IAM/KMS/S3 policy JSON built with json.dumps (checkov cannot read Fn.jsonencode expressions).

Keys are sorted so that the same spec always renders byte-identical policies.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:                     # modules.types imports cdktf; these helpers need only the alias
    from modules.types import Statement


def document(statements: Sequence[Statement]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, sort_keys=True, separators=(",", ":"))


def statement(sid: str, actions: list[str], resources: list[str] | str, *, principal: dict | str | None = None,
              effect: str = "Allow", condition: dict[str, Any] | None = None) -> Statement:
    out: dict[str, Any] = {"Sid": sid, "Effect": effect, "Action": sorted(actions),
                           "Resource": resources if isinstance(resources, str) else sorted(resources)}
    if principal is not None:
        out["Principal"] = principal
    if condition:
        out["Condition"] = condition
    return out


def deny_insecure_transport(bucket_arn: str) -> Statement:
    """TLS-only: refuse every request that does not use HTTPS (checkov CKV2_AWS / Security Hub S3.5)."""
    # {"AWS": "*"} is AWS's documented equivalent of "*" (and the form moto's S3 logging check can read).
    return statement("DenyInsecureTransport", ["s3:*"], [bucket_arn, f"{bucket_arn}/*"], principal={"AWS": "*"},
                     effect="Deny", condition={"Bool": {"aws:SecureTransport": "false"}})


KMS_ADMIN_ACTIONS = [
    "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:CreateGrant", "kms:DeleteAlias", "kms:DescribeKey",
    "kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation", "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus", "kms:ListAliases", "kms:ListGrants", "kms:ListKeyPolicies",
    "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:RevokeGrant", "kms:ScheduleKeyDeletion",
    "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias", "kms:UpdateKeyDescription",
    "kms:RotateKeyOnDemand",
]
KMS_USE_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey",
                   "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"]
# What Lake Formation's registration role needs on a registered location (objects, bucket) and its key.
LOCATION_OBJECT_ACTIONS = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:GetObject",
                           "s3:GetObjectVersion", "s3:PutObject"]
LOCATION_BUCKET_ACTIONS = ["s3:GetBucketLocation", "s3:ListBucket"]
LOCATION_KMS_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom",
                        "kms:ReEncryptTo"]


def via_service(service: str, region: str) -> dict[str, Any]:
    """A KMS condition: the key is used only in calls that `service` makes on the caller's behalf
    (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service)."""
    return {"StringEquals": {"kms:ViaService": f"{service}.{region}.amazonaws.com"}}


def trust_document(sid: str, principal: dict[str, Any], condition: dict[str, Any] | None = None) -> str:
    """An IAM role trust policy (no Resource element) naming one specific principal."""
    st: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": principal}
    if condition:
        st["Condition"] = condition
    return document([st])


def glue_catalog_arns(region: str, account: str, database: str) -> list[str]:
    """What a Glue API call on a database's tables is authorized against."""
    prefix = f"arn:aws:glue:{region}:{account}"
    return [f"{prefix}:catalog", f"{prefix}:database/{database}", f"{prefix}:table/{database}/*"]


GLUE_READ_ACTIONS = ["glue:BatchGetPartition", "glue:GetDatabase", "glue:GetDatabases", "glue:GetPartition",
                     "glue:GetPartitions", "glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions",
                     "glue:GetTables"]
