"""Accepting Lake Formation's RAM shares in an account outside the governance account's AWS Organization.

Lake Formation creates (and reuses) the shares itself, so their ARNs are not known before governance applies.
meshform uses a two-phase handshake: `meshform ram-handshake --env E` lists the shares the governance account
offers each subscriber and writes `handshake/<env>/<subscriber>.yaml`; the subscriber's next synth accepts exactly
those ARNs. Destroy-protected: leaving a share cuts access to every resource in it (LF reuses shares).
"""
from __future__ import annotations

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.ram_resource_share_accepter import RamResourceShareAccepter
from constructs import Construct


class RamShareAcceptance(Construct):
    """Args:
        share_arns: the shares recorded in handshake/<env>/<name>.yaml (none inside one AWS Organization).

    Attributes:
        accepters: one destroy-protected `aws_ram_resource_share_accepter` per share (re-grants depend on them).
    """

    def __init__(self, scope: Construct, id_: str, *, share_arns: list[str]):
        super().__init__(scope, id_)
        self.accepters = [
            RamResourceShareAccepter(self, f"accept_{arn.rsplit('/', 1)[-1]}", share_arn=arn,
                                     lifecycle=TerraformResourceLifecycle(prevent_destroy=True))
            for arn in sorted(share_arns)
        ]
