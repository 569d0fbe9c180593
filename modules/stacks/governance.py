"""`<env>-governance`: what is account-wide in the governance account (docs/architecture.md, "Accounts and
stacks"): Lake Formation settings, the LF-tag ontology, Data Catalog encryption and its key, and DESCRIBE on the tag
values that tag-based subscribers use. Each domain's catalog objects and grants live in its own stack in the same
account (modules/stacks/catalog.py), so a contract change plans only that domain's catalog stack."""
from __future__ import annotations

from constructs import Construct

from meshform import naming
from meshform.access import TagAccess, tag_accesses
from meshform.lake_settings import intended_lake_settings
from meshform.spec.mesh import Mesh
from modules.constructs.catalog_encryption import CatalogEncryption, catalog_key_policy_statements
from modules.constructs.encryption_key import EncryptionKey
from modules.constructs.lake_formation_settings import LakeFormationSettings
from modules.constructs.lf_tag_ontology import LfTagOntology
from modules.constructs.subscription_grants import grant_tag_key_describe
from modules.stacks.base import MeshStack


class GovernanceStack(MeshStack):
    def __init__(self, scope: Construct, mesh: Mesh):
        gov = mesh.spec.governance
        super().__init__(scope, naming.stack_name(mesh.env, "governance"), mesh=mesh, account_id=gov.account_id,
                         tag_domain="governance", owner=gov.owner, cost_center=gov.cost_center)
        account = gov.account_id
        prefix, env, region = mesh.spec.name_prefix, mesh.env, mesh.region

        # Other mesh accounts read (domains also write partitions to) the encrypted catalog through Glue only.
        key_statements = catalog_key_policy_statements(region, [a for a in mesh.all_accounts() if a != account])
        self.catalog_key = EncryptionKey(
            self, "catalog_key", account_id=account, deploy_role_arn=mesh.deploy_role_arn(account),
            alias=naming.kms_alias(prefix, env, "governance", "catalog"),
            description=f"meshform {env}: Glue Data Catalog encryption (governance)", extra_statements=key_statements)
        # Metadata is only encrypted when written after encryption is on: the catalog stacks deploy after this one.
        CatalogEncryption(self, "catalog_encryption", kms_key_arn=self.catalog_key.arn)

        # The deploy role must be an LF admin to manage grants; the spec's admins are the humans/break-glass.
        self.lake_settings = LakeFormationSettings(self, "lake_formation",
                                                   intended=intended_lake_settings(mesh, account))
        settings = self.lake_settings.settings
        self.ontology = LfTagOntology(self, "lf_tags", domains=list(mesh.spec.domains),
                                      classifications=gov.classifications, after=[settings])
        by_subscriber: dict[str, list[TagAccess]] = {}
        for tag_access in tag_accesses(mesh):
            by_subscriber.setdefault(tag_access.subscriber, []).append(tag_access)
        for subscriber, granted in sorted(by_subscriber.items()):
            grant_tag_key_describe(self, f"tags_{subscriber}", granted, after=self.ontology.tags)
