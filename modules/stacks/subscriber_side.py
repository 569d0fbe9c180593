"""What every account that reads shared products has (consumers, and domains that subscribe): its own Lake
Formation settings (it re-grants what it receives) and, when it has subscriptions, resource links + re-grants."""
from __future__ import annotations

from meshform import access as access_model
from meshform.lake_settings import intended_lake_settings
from meshform.spec.mesh import Mesh
from modules.constructs.lake_formation_settings import LakeFormationSettings
from modules.constructs.subscriber_regrants import SubscriberRegrants
from modules.stacks.base import MeshStack
from modules.types import Dependencies


def own_lake_formation_settings(stack: MeshStack, mesh: Mesh) -> LakeFormationSettings:
    """Admins = the deploy role (it re-grants) + the spec's admins for the account; the governance account may see
    caller identities in its CloudTrail (trusted resource owner); full-table access for domains' Glue ETL."""
    return LakeFormationSettings(stack, "lake_formation", intended=intended_lake_settings(mesh, stack.account_id))


def subscribed_access(stack: MeshStack, mesh: Mesh, subscriber: str, after: Dependencies) -> list[str]:
    """Links and re-grants for `subscriber`; returns the domains it reads (for IAM)."""
    domains = access_model.shared_domains(mesh, subscriber)
    accesses = [a for a in access_model.effective_accesses(mesh) if a.subscriber == subscriber]
    if domains:
        SubscriberRegrants(stack, "shared_catalog", governance_account=mesh.governance_account, region=mesh.region,
                            domains=domains, reads=[(a, access_model.readers_of(mesh, a)) for a in accesses],
                            principals=access_model.subscriber_principals(mesh, subscriber), after=after)
    return domains
