"""S3 bucket names the stacks will create that are already taken (bucket names are global across all accounts)."""
from __future__ import annotations

from meshform import naming
from meshform.preflight.aws import AWS_ERRORS, AccountSession, error_code, paginate, unverified
from meshform.preflight.report import Finding
from meshform.spec.mesh import Mesh

# CreateBucket: BucketAlreadyExists ("The requested bucket name is not available. The bucket namespace is shared by
# all users of the system") vs BucketAlreadyOwnedByYou. https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
CREATE_BUCKET_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html"
# HeadBucket: 200 if it exists and you may access it, else a generic 403 or 404 (no body).
# https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html
HEAD_BUCKET_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html"
# Bucket names are globally unique and cannot be reused until the owner deletes the bucket:
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
NAMING_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"


def planned_buckets(mesh: Mesh, account_id: str) -> list[tuple[str, str]]:
    """(bucket, layer) the account's stack creates: a domain's lake layers + access logs, a consumer's Athena
    results + access logs (modules/stacks/domain.py, consumer.py); the governance stack creates none."""
    owner = mesh.all_accounts()[account_id]
    layers: tuple[str, ...]
    if owner in mesh.spec.domains:
        layers = (*naming.DOMAIN_BUCKET_LAYERS, naming.ACCESS_LOG_LAYER)
    elif owner in mesh.spec.consumers:
        layers = (naming.ATHENA_RESULTS_LAYER, naming.ACCESS_LOG_LAYER)
    else:
        layers = ()
    return [(mesh.bucket(owner, layer), layer) for layer in layers]


def check_buckets(mesh: Mesh, session: AccountSession) -> list[Finding]:
    account = session.account_id
    planned = planned_buckets(mesh, account)
    if not planned:
        return []
    s3 = session.client("s3")
    try:
        owned = {b["Name"] for b in paginate(s3, "list_buckets", "Buckets")}
    except AWS_ERRORS as exc:
        return [unverified(account, "bucket-taken", "whether the bucket names are free", exc,
                           "allow s3:ListAllMyBuckets to the deploy role", CREATE_BUCKET_DOC)]
    findings = []
    for bucket, layer in planned:
        if bucket in owned:
            findings.append(Finding(
                "warning", account, "bucket-exists", f"bucket {bucket} ({layer}) already exists in this account",
                "The stack creates it: Terraform fails with BucketAlreadyOwnedByYou unless the bucket is imported "
                "(and then its encryption, policy, versioning, lifecycle and logging are replaced by the stack's).",
                f"`terraform import` it into the stack (aws_s3_bucket {bucket}) after checking its contents and "
                "policy, or delete/rename it if it is unrelated", CREATE_BUCKET_DOC, (bucket,)))
            continue
        try:
            s3.head_bucket(Bucket=bucket)
            taken = True
        except AWS_ERRORS as exc:
            code = error_code(exc)
            if code in ("404", "NoSuchBucket", "NotFound"):
                continue
            if code not in ("403", "AccessDenied", "Forbidden", "301", "PermanentRedirect"):
                findings.append(unverified(account, "bucket-taken", f"whether {bucket} is free", exc,
                                           f"run aws s3api head-bucket --bucket {bucket}", HEAD_BUCKET_DOC))
                continue
            taken = True
        if taken:
            findings.append(Finding(
                "blocker", account, "bucket-taken", f"bucket name {bucket} ({layer}) is owned by another account",
                "S3 bucket names are global: CreateBucket fails with BucketAlreadyExists, and the name stays taken "
                "until its owner deletes the bucket.",
                "find and delete the other account's bucket (its name ends with this account's ID, so it was likely "
                "created by mistake), or change name_prefix / the environment name so every name changes",
                NAMING_DOC, (bucket,)))
    return findings
