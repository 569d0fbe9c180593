"""CKV_MESH_IAM_DATA_ACTIONS_SCOPED — IAM policies never allow data actions on Resource "*".

Why: object reads/writes (s3:GetObject*, s3:PutObject*, s3:DeleteObject*), catalog table and partition changes
(glue:*Table*, glue:*Partition*) and key use (kms:Decrypt, kms:Encrypt, kms:GenerateDataKey*) on "*" reach every
bucket, table and key the account can see — including other domains' data shared to it. They must name the
bucket, database/table and key ARNs (least privilege: specific actions on specific resources,
https://docs.aws.amazon.com/wellarchitected/latest/framework/sec_permissions_least_privileges.html; Glue's ARN
forms: https://docs.aws.amazon.com/glue/latest/dg/glue-specifying-resource-arns.html). lakeformation:GetDataAccess
has no resource-level permissions and is legitimately granted on "*": Lake Formation itself decides what it vends.
"""
from __future__ import annotations

from fnmatch import fnmatchcase

from checkov.common.models.enums import CheckCategories

import iam_json
from mesh_check import MeshCheck

DATA_ACTIONS = ["s3:getobject*", "s3:putobject*", "s3:deleteobject*", "glue:*table*", "glue:*partition*",
                "kms:decrypt", "kms:encrypt", "kms:generatedatakey*"]
# Concrete data actions, to catch wildcards in the policy itself (s3:Get*, glue:*, kms:*).
SAMPLES = ["s3:getobject", "s3:getobjectversion", "s3:putobject", "s3:deleteobject", "s3:deleteobjectversion",
           "glue:gettable", "glue:gettables", "glue:createtable", "glue:updatetable", "glue:deletetable",
           "glue:getpartition", "glue:getpartitions", "glue:batchcreatepartition", "glue:updatepartition",
           "glue:batchdeletepartition", "kms:decrypt", "kms:encrypt", "kms:generatedatakey",
           "kms:generatedatakeywithoutplaintext"]


def touches_data(action: str) -> bool:
    action = action.lower()
    return any(fnmatchcase(action, p) for p in DATA_ACTIONS) or any(fnmatchcase(s, action) for s in SAMPLES)


class IamDataActionsScoped(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name='IAM policies allow no S3 object, Glue table/partition or KMS data action on Resource "*"',
            id="CKV_MESH_IAM_DATA_ACTIONS_SCOPED",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy",
                                 "aws_iam_group_policy", "aws_iam_role"],
            guideline="Scope the statement to arn:aws:s3:::<bucket>/*, arn:aws:glue:<region>:<catalog>:"
                      "{catalog,database/<db>,table/<db>/*} and arn:aws:kms:<region>:<account>:key/... ; keep "
                      "lakeformation:GetDataAccess on \"*\" in its own statement.",
        )

    def problems(self, conf: dict):
        for where, label, statement in iam_json.allowed_statements(conf):
            if statement is None:
                yield f"{where}: {label}"
                continue
            if "*" not in iam_json.resources(statement) and "NotResource" not in statement:
                continue
            data = [a for a in iam_json.actions(statement) if touches_data(a)]
            if "NotAction" in statement:
                data.append("NotAction")
            if data:
                yield (f"{where} {label} allows {', '.join(data)} on every resource "
                       f"(\"*\" or NotResource)")


check = IamDataActionsScoped()
