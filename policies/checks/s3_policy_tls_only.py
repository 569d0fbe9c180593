"""CKV_MESH_S3_POLICY_TLS_ONLY — every bucket policy denies requests that do not use TLS.

Why: lake data (including pii) must never travel in clear text; S3 still accepts plain HTTP unless the bucket
policy refuses it (Security Hub S3.5). The statement must deny every S3 action to every principal when
aws:SecureTransport is false. That each bucket has a policy at all is CKV2_MESH_S3_BUCKET_POLICY.
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

import iam_json
from mesh_check import MeshCheck


def _denies_insecure_transport(statement: dict) -> bool:
    condition = statement.get("Condition") or {}
    secure = (condition.get("Bool") or {}).get("aws:SecureTransport")
    return (statement.get("Effect") == "Deny" and str(secure).lower() == "false"
            and iam_json.everyone(statement)
            and any(a in ("*", "s3:*") for a in iam_json.actions(statement)))


class S3PolicyTlsOnly(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="S3 bucket policy denies every request made without TLS (aws:SecureTransport = false)",
            id="CKV_MESH_S3_POLICY_TLS_ONLY",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_s3_bucket_policy"],
            guideline='Add {"Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":[bucket, bucket/*],'
                      '"Condition":{"Bool":{"aws:SecureTransport":"false"}}} '
                      '(policy_documents.deny_insecure_transport).',
        )

    def problems(self, conf: dict):
        try:
            document = iam_json.load(conf.get("policy"))
        except iam_json.NotLiteral as error:
            yield str(error)
            return
        if not any(_denies_insecure_transport(s) for s in iam_json.statements(document)):
            yield "no Deny statement on s3:* for every principal with Bool aws:SecureTransport = false"


check = S3PolicyTlsOnly()
