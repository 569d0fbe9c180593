"""CKV_MESH_KMS_KEY_POLICY — every KMS key has an explicit key policy that allows no wildcard principal and no kms:*.

Why: without `policy`, AWS applies the default key policy (the whole account may use and manage the key through
IAM). A key policy is the one place that decides who can decrypt a domain's data across accounts, so it must name
principals (Principal "*" or {"AWS": "*"} on an Allow opens the key to any AWS account that can reach it) and
grant specific actions (kms:* includes PutKeyPolicy and ScheduleKeyDeletion).
https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html,
https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

import iam_json
from mesh_check import MeshCheck


class KmsKeyPolicy(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="KMS keys have an explicit key policy with named principals and no kms:* / * Allow",
            id="CKV_MESH_KMS_KEY_POLICY",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_kms_key"],
            guideline="Pass policy=<literal JSON> (modules/policy_documents.py) with statements naming role or "
                      "account-root ARNs and listing the kms: actions each needs (KMS_ADMIN_ACTIONS, KMS_USE_ACTIONS).",
        )

    def problems(self, conf: dict):
        try:
            document = iam_json.load(conf.get("policy"))
        except iam_json.NotLiteral as error:
            yield f"{error} (without a policy AWS applies the default key policy)"
            return
        for index, statement in enumerate(iam_json.statements(document)):
            if not iam_json.allows(statement):
                continue
            where = iam_json.label(statement, index)
            if iam_json.everyone(statement):
                yield f"{where} allows any principal (Principal \"*\" / {{\"AWS\": \"*\"}} / NotPrincipal)"
            wide = [a for a in iam_json.actions(statement) if a.lower() in ("*", "kms:*")]
            if wide or "NotAction" in statement:
                yield f"{where} allows {', '.join(wide) or 'NotAction (every other action)'}"


check = KmsKeyPolicy()
