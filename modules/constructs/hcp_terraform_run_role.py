"""The role one HCP Terraform workspace runs as in its stack's account (dynamic provider credentials): trusted only
by workload identity tokens of that workspace, and able to do exactly one thing, assume the account's deploy role,
which the stack's AWS provider does next (`assume_role` in modules/stacks/base.py)."""
from __future__ import annotations

from dataclasses import dataclass

from cdktf import ITerraformDependable
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from meshform import naming
from modules import policy_documents as pd


@dataclass(frozen=True)
class RunRoleProps:
    """name: naming.run_role_name; workspace: the workspace's name (for the description).
    oidc_provider_arn / hostname / audience: the account's HCP Terraform OIDC provider (hcp_terraform_oidc.py).
    subject: the one `sub` claim value (pattern) trusted, delivery_plan.workload_subject_pattern.
    deploy_role_arn: the account's deploy role, the only thing the role may assume.
    max_session_seconds: the session length HCP Terraform's runs get (default 3600: IAM's minimum ceiling,
    long enough for the longest stack apply measured on the emulator, ~6 minutes)."""

    name: str
    workspace: str
    oidc_provider_arn: str
    hostname: str
    subject: str
    deploy_role_arn: str
    audience: str = naming.HCP_TERRAFORM_AUDIENCE
    max_session_seconds: int = 3600


def run_role_trust(props: RunRoleProps) -> str:
    """AssumeRoleWithWebIdentity from the host's OIDC provider, only with the expected audience and only for the
    workspace's subject (HCP Terraform's documented trust policy; StringLike because the run phase is `*`)."""
    return pd.document([{
        "Sid": "HcpTerraformWorkspace", "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": props.oidc_provider_arn},
        "Condition": {"StringEquals": {f"{props.hostname}:aud": props.audience},
                      "StringLike": {f"{props.hostname}:sub": props.subject}},
    }])


class HcpTerraformRunRole(Construct):
    """Args: props (`RunRoleProps`: every input with its default); account_id: the account the role lives in;
    provider: the account's OIDC provider resource (the role's trust names it, so it is created first).

    Attributes: role: the `aws_iam_role`; arn: its ARN (from its name)."""

    def __init__(self, scope: Construct, id_: str, props: RunRoleProps, account_id: str,
                 provider: ITerraformDependable):
        super().__init__(scope, id_)
        self.role = IamRole(self, "role", name=props.name, description=f"HCP Terraform runs of {props.workspace}",
                            assume_role_policy=run_role_trust(props),
                            max_session_duration=props.max_session_seconds,
                            # The trust names the provider: create it first.
                            depends_on=[provider])
        self.arn = naming.role_arn(account_id, props.name)
        IamRolePolicy(self, "policy", role=self.role.name, name="assume-deploy-role", policy=pd.document([
            pd.statement("AssumeDeployRole", ["sts:AssumeRole"], [props.deploy_role_arn]),
        ]))
