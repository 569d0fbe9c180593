"""CKV_MESH_ETL_WRITES_OWN_BUCKETS — in a domain's stack, no IAM policy writes S3 objects outside that domain's own
lake buckets (raw, stage, analytics).

Why: a domain's ETL role (and its fine-grained-access reader role, and every other role its stack creates) runs
the domain's code on the domain's data; a write permission on another domain's bucket lets one domain overwrite or
delete a product it does not own — Lake Formation governs reads through the catalog, not IAM writes to S3 — and a
write on its own artifacts or access-log bucket lets a job change the code it runs or erase the audit trail. Own
lake buckets are `<prefix>-<env>-<domain>-{raw,stage,analytics}-<account>` for the stack's domain and account
(meshform/naming.py). Writes are s3:Put*, s3:Delete*, s3:AbortMultipartUpload, s3:Restore*, s3:Replicate* and any
wildcard covering them; NotAction/NotResource with them cannot be scoped and fail. Stacks of other accounts
(governance, consumers) are not domains and pass.
"""
from __future__ import annotations

import re
from fnmatch import fnmatchcase

from checkov.common.models.enums import CheckCategories

import iam_json
from mesh_check import MeshCheck
from mesh_facts import facts, stack_of

LAKE_LAYERS = ("raw", "stage", "analytics")
WRITE_PATTERNS = ("s3:put*", "s3:delete*", "s3:abortmultipartupload", "s3:restore*", "s3:replicate*")
# Concrete write actions, to catch wildcards in the policy (s3:*, s3:P*, *).
SAMPLES = ("s3:putobject", "s3:putobjectacl", "s3:putobjecttagging", "s3:deleteobject", "s3:deleteobjectversion",
           "s3:abortmultipartupload", "s3:restoreobject", "s3:replicateobject", "s3:replicatedelete",
           "s3:putbucketpolicy", "s3:deletebucket")


def writes(action: str) -> bool:
    action = action.lower()
    return any(fnmatchcase(action, p) for p in WRITE_PATTERNS) or any(fnmatchcase(s, action) for s in SAMPLES)


def own_buckets(env: str, domain: str, account: str) -> re.Pattern:
    layers = "|".join(LAKE_LAYERS)
    return re.compile(rf"^arn:aws:s3:::[a-z0-9][a-z0-9-]*-{re.escape(env)}-{re.escape(domain)}-({layers})-"
                      rf"{re.escape(account)}(/.*)?$")


class EtlWritesOwnBuckets(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="IAM policies of a domain's stack (ETL, FGAC, pipeline roles) write only the domain's lake buckets",
            id="CKV_MESH_ETL_WRITES_OWN_BUCKETS",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_iam_policy", "aws_iam_role_policy", "aws_iam_role"],
            guideline="Scope S3 write actions to arn:aws:s3:::<prefix>-<env>-<domain>-{raw,stage,analytics}-"
                      "<account>/...; other domains' data is read through Lake Formation, code and logs are "
                      "written by Terraform and AWS services only.",
        )

    def problems(self, conf: dict):
        mesh = facts()
        account = self.stack_account()
        if account is None:
            yield ("cannot tell which account this stack belongs to: run through meshform check "
                   f"(stack {stack_of(self.entity_path)!r} is not in the mesh facts' stack_accounts)")
            return
        owner = mesh["accounts"].get(account, {})
        if owner.get("kind") != "domain":
            return
        own = own_buckets(mesh["environment"], owner["name"], account)
        for where, label, statement in iam_json.allowed_statements(conf):
            if statement is None:
                yield f"{where}: {label}"
                continue
            written = [a for a in iam_json.actions(statement) if writes(a)]
            if "NotAction" in statement:
                written.append("NotAction")
            if not written:
                continue
            if "NotResource" in statement:
                yield f"{where} {label} allows {', '.join(written)} with NotResource (cannot be scoped to own buckets)"
                continue
            outside = [r for r in iam_json.resources(statement) if not own.match(r)]
            if outside:
                yield (f"{where} {label} allows {', '.join(written)} outside {owner['name']}'s lake buckets: "
                       f"{', '.join(outside)}")


check = EtlWritesOwnBuckets()
