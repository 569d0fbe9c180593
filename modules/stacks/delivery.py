"""`<env>-delivery` (backend: cloud only): HCP Terraform as code for one environment — the project, one workspace
per stack with its settings, the dynamic AWS credential variables, run triggers along the deploy order and the
notifications (docs/delivery.md). Only the tfe provider: no AWS account is touched, so `meshform local-deploy`
skips it. Its token comes from the environment (TFE_TOKEN or the CLI credentials), never from the spec or JSON."""
from __future__ import annotations

from cdktf import (
    CloudBackend,
    NamedCloudWorkspace,
    TerraformResourceLifecycle,
    TerraformStack,
    TerraformVariable,
)
from cdktf_cdktf_provider_tfe.notification_configuration import NotificationConfiguration
from cdktf_cdktf_provider_tfe.project import Project
from cdktf_cdktf_provider_tfe.provider import TfeProvider
from cdktf_cdktf_provider_tfe.run_trigger import RunTrigger
from cdktf_cdktf_provider_tfe.variable import Variable
from cdktf_cdktf_provider_tfe.workspace import Workspace, WorkspaceVcsRepo
from cdktf_cdktf_provider_tfe.workspace_settings import WorkspaceSettings
from constructs import Construct

from meshform import delivery_plan, naming
from meshform.delivery_plan import PlannedWorkspace
from meshform.spec.environment import CloudBackendSpec
from meshform.spec.mesh import Mesh

# The prebuilt bindings (cdktf-cdktf-provider-tfe 12.5.1) pin hashicorp/tfe 0.71.0 in required_providers.


class DeliveryStack(TerraformStack):
    def __init__(self, scope: Construct, mesh: Mesh):
        name = naming.delivery_stack_name(mesh.env)
        super().__init__(scope, name)
        self.stack_name = name
        self.mesh = mesh
        backend = delivery_plan.cloud_backend(mesh)
        TfeProvider(self, "tfe", hostname=backend.hostname, organization=backend.organization)
        # Its own state: a workspace in the organization's default project, created by the first `terraform
        # init` (the project below cannot hold the state of what creates it). Bootstrap: docs/delivery.md.
        CloudBackend(self, organization=backend.organization, hostname=backend.hostname,
                     workspaces=NamedCloudWorkspace(naming.workspace_name(backend.workspace_prefix, name)))
        self.project = Project(
            self, "project", name=backend.project, organization=backend.organization,
            description=f"meshform {mesh.env}: one workspace per stack (created by {name})",
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True))
        urls = {n.name: TerraformVariable(
            self, f"notification_url_{n.name}", type="string", sensitive=True,
            description=f"Webhook URL of the {n.name} notification ({n.destination_type}); it carries a secret, "
                        "so set it as a sensitive variable of this workspace").string_value
            for n in backend.notifications if n.destination_type != "email"}
        planned = delivery_plan.workspaces(mesh)
        self.workspaces = {ws.stack: self._workspace(backend, ws) for ws in planned}
        for ws in planned:
            if ws.dynamic_credentials:
                self._credentials(ws)
                for n in backend.notifications:
                    NotificationConfiguration(
                        self, f"notify_{n.name}_{ws.stack}", name=n.name, workspace_id=self.workspaces[ws.stack].id,
                        destination_type=n.destination_type, triggers=list(n.triggers), enabled=True,
                        url=urls.get(n.name), email_user_ids=list(n.email_user_ids) or None)
            for source in ws.run_triggers:
                RunTrigger(self, f"trigger_{source}_to_{ws.stack}", workspace_id=self.workspaces[ws.stack].id,
                           sourceable_id=self.workspaces[source].id)

    def _workspace(self, backend: CloudBackendSpec, ws: PlannedWorkspace) -> Workspace:
        remote = ws.dynamic_credentials
        vcs = backend.vcs if remote and backend.workflow == "vcs" else None
        workspace = Workspace(
            self, f"workspace_{ws.stack}", name=ws.name, organization=backend.organization,
            project_id=self.project.id, terraform_version=backend.terraform_version,
            description=(f"meshform stack {ws.stack} (account {ws.account_id})" if remote else
                         f"meshform stack {ws.stack}: OIDC provider and run roles of account {ws.account_id}, "
                         "applied from the operator's machine (execution mode local)"),
            # Trust stacks change who may deploy: never applied without a person confirming.
            auto_apply=backend.auto_apply and remote, auto_apply_run_trigger=backend.auto_apply and remote,
            # State of access and data: a destroy plan is never queued from HCP Terraform.
            allow_destroy_plan=False, queue_all_runs=False,
            working_directory=f"{vcs.stacks_directory}/{ws.stack}" if vcs else None,
            # VCS runs only when the stack's own synthesized directory changed (the default trigger prefix is the
            # working directory).
            file_triggers_enabled=True if vcs else None,
            vcs_repo=WorkspaceVcsRepo(identifier=vcs.repository, branch=vcs.branch,
                                      oauth_token_id=vcs.oauth_token_id,
                                      github_app_installation_id=vcs.github_app_installation_id) if vcs else None,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True))
        # Execution mode lives in tfe_workspace_settings (the workspace's own argument is deprecated in tfe 0.5x+).
        WorkspaceSettings(self, f"settings_{ws.stack}", workspace_id=workspace.id,
                          execution_mode=backend.execution_mode if remote else "local",
                          agent_pool_id=backend.agent_pool_id if remote else None)
        return workspace

    def _credentials(self, ws: PlannedWorkspace) -> None:
        """Dynamic provider credentials (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/
        dynamic-provider-credentials/aws-configuration#configure-hcp-terraform): two environment variables, not
        secrets (a role ARN is an identifier), so not sensitive — they stay readable for review."""
        workspace_id = self.workspaces[ws.stack].id
        for key, value, what in (("TFC_AWS_PROVIDER_AUTH", "true", "dynamic AWS credentials on"),
                                 ("TFC_AWS_RUN_ROLE_ARN", ws.run_role, "the role runs assume (trust stack)")):
            Variable(self, f"{key.lower()}_{ws.stack}", key=key, value=value, category="env", sensitive=False,
                     workspace_id=workspace_id, description=what)
