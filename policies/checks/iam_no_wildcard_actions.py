"""CKV_MESH_IAM_NO_WILDCARD_ACTIONS — IAM policies never Allow "*" or "<service>:*".

Why: a wildcard action grants every present and future API of a service — for s3:* or glue:* that includes
deleting buckets, rewriting bucket policies and changing the catalog behind Lake Formation's back; "*" is account
takeover. Every mesh role needs a short, known list of actions (least privilege:
https://docs.aws.amazon.com/wellarchitected/latest/framework/sec_permissions_least_privileges.html).
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

import iam_json
from mesh_check import MeshCheck


class IamNoWildcardActions(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name='IAM policies allow no "*" or "<service>:*" action (and no NotAction)',
            id="CKV_MESH_IAM_NO_WILDCARD_ACTIONS",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy",
                                 "aws_iam_group_policy", "aws_iam_role"],
            guideline="List the exact actions the role needs (e.g. glue:GetTable, glue:GetPartitions, "
                      "s3:GetObject) instead of a service wildcard.",
        )

    def problems(self, conf: dict):
        for where, label, statement in iam_json.allowed_statements(conf):
            if statement is None:
                yield f"{where}: {label}"
                continue
            wide = [a for a in iam_json.actions(statement) if a == "*" or a.endswith(":*")]
            if wide:
                yield f"{where} {label} allows {', '.join(wide)}"
            if "NotAction" in statement:
                yield f"{where} {label} allows NotAction (every other action)"


check = IamNoWildcardActions()
