"""The domain's pipeline artifacts: a bucket of its own (`<prefix>-<env>-<domain>-artifacts-<account>`, the S3
baseline of `SecureBucket`) holding the Glue scripts from `glue_scripts/`, the shared package `meshform_glue` as one
zip (`--extra-py-files`) and one manifest per product (`--extra-files`).

Why a bucket and not a prefix of a lake bucket: the ETL role reads and writes its lake buckets, so code under a lake
prefix would be writable by the very jobs that run it (a compromised or buggy job could change the next run's code).
Here the ETL role only reads, and the bucket policy refuses object writes by anyone but the deploy role.

Uploads are deterministic: scripts are copied as Terraform assets (relative paths inside the stack directory, so a
committed stack is self-contained), their `source_hash` is the SHA-256 of their bytes (a changed script changes the
hash, which is what makes Terraform upload it again: `etag` cannot be used with SSE-KMS,
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_object#etag). The package zip is
built by synth with fixed timestamps, permissions and order and without compression (deflate output differs between
zlib builds; stored bytes do not), so the same sources give the same zip on every machine.
"""
from __future__ import annotations

import atexit
import hashlib
import io
import shutil
import tempfile
import zipfile
from pathlib import Path

from cdktf import AssetType, TerraformAsset
from cdktf_cdktf_provider_aws.s3_object import S3Object
from constructs import Construct

from meshform import naming
from modules import policy_documents as pd
from modules.constructs.secure_bucket import BUCKET_ROLE_DATA, SecureBucket

GLUE_SCRIPTS = Path(__file__).resolve().parents[3] / "glue_scripts"
SHARED_PACKAGE = "meshform_glue"
SCRIPT_PREFIX = "glue/scripts/"
LIBRARY_PREFIX = "glue/lib/"
MANIFEST_PREFIX = "manifests/"
MANIFEST_FILE = "manifest.json"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)      # the earliest time a zip entry can carry


class PipelineAssetMissing(FileNotFoundError):
    """A Glue script or the shared package the stacks upload is not in glue_scripts/."""


def deterministic_zip(package_dir: Path) -> bytes:
    """The package's `*.py` files as a zip whose bytes depend only on their paths and contents: sorted entries
    named `<package>/<path>`, fixed timestamp and mode, stored (not deflated)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for path in sorted(p for p in package_dir.rglob("*.py") if "__pycache__" not in p.parts):
            info = zipfile.ZipInfo(path.relative_to(package_dir.parent).as_posix(), date_time=ZIP_EPOCH)
            info.create_system = 3                    # "unix", so external_attr means a file mode
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


_staging: list[Path] = []


def _staged_file(name: str, data: bytes) -> Path:
    """A file the asset copies at synth time (cdktf copies assets when the app synthesizes, so the file must
    outlive this call); one scratch directory per process, removed at exit."""
    if not _staging:
        _staging.append(Path(tempfile.mkdtemp(prefix="meshform-assets-")))
        atexit.register(shutil.rmtree, _staging[0], True)
    path = _staging[0] / hashlib.sha256(data).hexdigest() / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return path


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class PipelineArtifacts(Construct):
    """The artifacts bucket and the uploads every pipeline of the domain shares.

    Args:
        bucket: the bucket name (meshform.pipeline_names.artifacts_bucket_name).
        kms_key_arn: the domain's lake key (bucket default encryption and every object's SSE-KMS).
        classification: the bucket's mesh:classification (code and schemas, no data: the default classification).
        log_bucket: the account's access-log bucket.
        deploy_role_arn: the only principal allowed to write or delete objects (Terraform).
        scripts: Glue script file names in `scripts_dir` to upload (e.g. stage_a.py, stage_b.py).
        scripts_dir: where scripts and the shared package are read from (default: the repository's glue_scripts/).

    Attributes:
        bucket: the `SecureBucket`; name, arn: literal name and ARN.
        objects: every `aws_s3_object` uploaded so far (jobs are created after them).
        script_uri(file), package_uri: S3 URIs of a script and of the shared package zip.
    """

    def __init__(self, scope: Construct, id_: str, *, bucket: str, kms_key_arn: str, classification: str,
                 log_bucket: SecureBucket, deploy_role_arn: str, scripts: list[str], scripts_dir: Path | None = None):
        super().__init__(scope, id_)
        scripts_dir = scripts_dir or GLUE_SCRIPTS
        self.name = bucket
        self.arn = naming.bucket_arn(bucket)
        self._key = kms_key_arn
        # Code integrity: whatever IAM grants inside the account, only the deploy role changes what jobs run.
        only_deploy_writes = pd.statement(
            "OnlyTheDeployRoleWritesArtifacts", ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObject"],
            f"{self.arn}/*", principal={"AWS": "*"}, effect="Deny",
            condition={"ArnNotEquals": {"aws:PrincipalArn": deploy_role_arn}})
        self.bucket = SecureBucket(self, "bucket", name=bucket, kms_key_arn=kms_key_arn, role=BUCKET_ROLE_DATA,
                                   classification=classification, log_bucket=log_bucket,
                                   extra_policy_statements=[only_deploy_writes])
        self.objects: list[S3Object] = []
        self._scripts: dict[str, str] = {}
        for file in scripts:
            path = scripts_dir / file
            if not path.is_file():
                raise PipelineAssetMissing(f"Glue script {path} is missing (a pipeline runs it)")
            asset = TerraformAsset(self, f"asset_{path.stem}", path=str(path), type=AssetType.FILE)
            self._upload(f"script_{path.stem}", f"{SCRIPT_PREFIX}{file}", source=asset.path,
                         source_hash=_sha256(path.read_bytes()), content_type="text/x-python")
            self._scripts[file] = f"s3://{bucket}/{SCRIPT_PREFIX}{file}"
        package = scripts_dir / SHARED_PACKAGE
        if not (package / "__init__.py").is_file():
            raise PipelineAssetMissing(f"the shared Glue package {package} is missing (every job imports it)")
        data = deterministic_zip(package)
        archive = TerraformAsset(self, "asset_package", path=str(_staged_file(f"{SHARED_PACKAGE}.zip", data)),
                                 type=AssetType.FILE)
        self._upload("package", f"{LIBRARY_PREFIX}{SHARED_PACKAGE}.zip", source=archive.path,
                     source_hash=_sha256(data), content_type="application/zip")
        self.package_uri = f"s3://{bucket}/{LIBRARY_PREFIX}{SHARED_PACKAGE}.zip"

    def script_uri(self, file: str) -> str:
        return self._scripts[file]

    def manifest(self, id_: str, product: str, text: str) -> str:
        """Upload one product's manifest (small, generated JSON: inline content); returns its S3 URI. Glue copies
        an `--extra-files` object into the driver's working directory under its base name, `manifest.json`."""
        key = f"{MANIFEST_PREFIX}{product}/{MANIFEST_FILE}"
        self._upload(id_, key, content=text, content_type="application/json")
        return f"s3://{self.name}/{key}"

    def _upload(self, id_: str, key: str, *, content_type: str, source: str | None = None,
                source_hash: str | None = None, content: str | None = None) -> None:
        self.objects.append(S3Object(
            self, id_, bucket=self.bucket.bucket.id, key=key, source=source, source_hash=source_hash,
            content=content, content_type=content_type,
            # Explicit SSE-KMS per object (not only the bucket default): an upload is never left unencrypted.
            server_side_encryption="aws:kms", kms_key_id=self._key, bucket_key_enabled=True))
