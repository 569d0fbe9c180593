"""What every mesh stack has: an AWS provider that assumes the deploy role in the stack's own account, the
configured state backend, and the mandatory tags stamped on every resource."""
from __future__ import annotations

from cdktf import Aspects, CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderAssumeRole, AwsProviderDefaultTags
from constructs import Construct

from meshform.spec.environment import CloudBackendSpec, LocalBackendSpec, S3BackendSpec
from meshform.spec.mesh import Mesh
from meshform.tags import mesh_tags
from modules.tagging import StampTags

# cdktf writes each stack to <project>/cdktf.out/stacks/<stack>/ and runs terraform there.
PROJECT_ROOT_FROM_STACK_DIR = "../../.."


class MeshStack(TerraformStack):
    def __init__(self, scope: Construct, name: str, *, mesh: Mesh, account_id: str, tag_domain: str, owner: str,
                 cost_center: str):
        super().__init__(scope, name)
        self.mesh = mesh
        self.stack_name = name
        self.account_id = account_id
        self.tags = mesh_tags(mesh.env, tag_domain, owner, cost_center)
        AwsProvider(
            self, "aws",
            region=mesh.region,
            allowed_account_ids=[account_id],
            # Lists of structs must be binding classes: jsii passes plain dicts inside lists through unconverted.
            assume_role=[AwsProviderAssumeRole(role_arn=mesh.deploy_role_arn(account_id),
                                               session_name=f"meshform-{name}")],
            default_tags=[AwsProviderDefaultTags(tags=self.tags)],
        )
        _configure_backend(self, mesh, name)
        Aspects.of(self).add(StampTags(self.tags))


def _configure_backend(stack: TerraformStack, mesh: Mesh, name: str) -> None:
    backend = mesh.spec.backend
    if isinstance(backend, LocalBackendSpec):
        # Outside cdktf.out, so that re-synthesizing never touches state.
        LocalBackend(stack, path=f"{PROJECT_ROOT_FROM_STACK_DIR}/{backend.directory}/{name}.tfstate")
    elif isinstance(backend, S3BackendSpec):
        s3 = S3Backend(
            stack, bucket=backend.bucket, key=f"{backend.key_prefix}/{name}.tfstate", region=backend.region,
            encrypt=True, kms_key_id=backend.kms_key_id,
            assume_role={"role_arn": backend.role_arn} if backend.role_arn else None,
        )
        # Native S3 locking (Terraform >= 1.10); the 0.21 binding has no argument for it.
        s3.add_override("use_lockfile", True)
    elif isinstance(backend, CloudBackendSpec):
        CloudBackend(stack, organization=backend.organization, hostname=backend.hostname,
                     workspaces=NamedCloudWorkspace(f"{backend.workspace_prefix}{name}", project=backend.project))
