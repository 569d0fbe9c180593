"""What every account that reads shared products has (consumers, and domains that subscribe): its own Lake
Formation settings (it re-grants what it receives) and, when it has subscriptions, resource links + re-grants."""
from __future__ import annotations

from meshform import access as access_model
from meshform.spec.mesh import Mesh
from modules.constructs.lake_formation_settings import LakeFormationSettings
from modules.constructs.shared_catalog_access import SharedCatalogAccess
from modules.stacks.base import MeshStack


def own_lake_formation_settings(stack: MeshStack, mesh: Mesh) -> LakeFormationSettings:
    """Admins = the deploy role (it re-grants) + the spec's admins for the account; the governance account may see
    caller identities in its CloudTrail (trusted resource owner)."""
    owner = mesh.all_accounts()[stack.account_id]
    extra = mesh.subscriber(owner).admins
    return LakeFormationSettings(stack, "lake_formation", admins=[mesh.deploy_role_arn(stack.account_id), *extra],
                                 trusted_resource_owners=[mesh.governance_account])


def subscribed_access(stack: MeshStack, mesh: Mesh, subscriber: str, after: list) -> list[str]:
    """Links and re-grants for `subscriber`; returns the domains it reads (for IAM)."""
    domains = access_model.shared_domains(mesh, subscriber)
    # One re-grant per table: a named subscription wins over a tag grant covering the same table (two Terraform
    # resources managing one LF permission would revoke each other's grant on removal).
    accesses: dict[tuple[str, str], access_model.TableAccess] = {}
    for access in access_model.table_accesses(mesh) + access_model.tag_table_accesses(mesh):
        if access.subscriber == subscriber:
            accesses.setdefault((access.domain, access.table), access)
    if domains:
        SharedCatalogAccess(stack, "shared_catalog", governance_account=mesh.governance_account, region=mesh.region,
                            domains=domains, accesses=list(accesses.values()),
                            principals=access_model.subscriber_principals(mesh, subscriber), after=after)
    return domains
