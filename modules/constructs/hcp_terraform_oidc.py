"""The account's IAM OIDC identity provider for HCP Terraform: it lets IAM verify the workload identity tokens
HCP Terraform signs for each run, so runs get short-lived AWS credentials and no access key is ever stored
(https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/aws-configuration)."""
from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.iam_openid_connect_provider import IamOpenidConnectProvider
from constructs import Construct

from meshform import naming


@dataclass(frozen=True)
class OidcProviderProps:
    """hostname: the HCP Terraform host (app.terraform.io or your Terraform Enterprise host); the issuer URL is
    https://<hostname>. audience: the token audience the run roles require (default aws.workload.identity,
    HCP Terraform's default)."""

    account_id: str
    hostname: str
    audience: str = naming.HCP_TERRAFORM_AUDIENCE


class HcpTerraformOidcProvider(Construct):
    """Args: props (`OidcProviderProps`: the account and the HCP Terraform host, with the audience's default).

    Attributes: provider: the `aws_iam_openid_connect_provider`; arn: its ARN (from the hostname)."""

    def __init__(self, scope: Construct, id_: str, props: OidcProviderProps):
        super().__init__(scope, id_)
        self.provider = IamOpenidConnectProvider(
            self, "provider", url=f"https://{props.hostname}", client_id_list=[props.audience],
            # No thumbprint_list: it is optional, and without it IAM retrieves the issuer's top intermediate CA
            # thumbprint itself (https://docs.aws.amazon.com/IAM/latest/APIReference/
            # API_CreateOpenIDConnectProvider.html); a pinned thumbprint would break every run at the next
            # certificate rotation of the host.
            # One provider per issuer URL and account: deleting it cuts every workspace off the account.
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True))
        self.arn = naming.oidc_provider_arn(props.account_id, props.hostname)
