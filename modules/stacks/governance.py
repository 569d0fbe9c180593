"""`<env>-governance`: the central catalog of record (choreography.md §A.1) in the governance account."""
from __future__ import annotations

from constructs import Construct

from meshform import naming
from meshform.spec.mesh import Mesh
from modules import policy_documents as pd
from modules.constructs.catalog_encryption import CatalogEncryption
from modules.constructs.central_database import CentralDatabase
from modules.constructs.contract_table import ContractTable
from modules.constructs.encryption_key import EncryptionKey
from modules.constructs.lake_formation_settings import LakeFormationSettings
from modules.constructs.lf_tag_ontology import LfTagOntology
from modules.stacks.base import MeshStack


class GovernanceStack(MeshStack):
    def __init__(self, scope: Construct, mesh: Mesh):
        gov = mesh.spec.governance
        super().__init__(scope, naming.stack_name(mesh.env, "governance"), mesh=mesh, account_id=gov.account_id,
                         tag_domain="governance", owner=gov.owner, cost_center=gov.cost_center)
        account = gov.account_id
        prefix, env, region = mesh.spec.name_prefix, mesh.env, mesh.region
        deploy_role = mesh.deploy_role_arn(account)

        # Other mesh accounts read (domains also write partitions to) the encrypted catalog through Glue only.
        readers = sorted(naming.account_root_arn(a) for a in mesh.all_accounts() if a != account)
        writers = sorted(naming.account_root_arn(d.account_id) for d in mesh.spec.domains.values())
        via_glue = {"StringEquals": {"kms:ViaService": f"glue.{region}.amazonaws.com"}}
        key_statements = []
        if readers:
            key_statements.append(pd.statement("MeshAccountsReadCatalog", pd.KMS_DECRYPT_ACTIONS, "*",
                                               principal={"AWS": readers}, condition=via_glue))
        if writers:
            key_statements.append(pd.statement("DomainAccountsWriteCatalog", ["kms:Encrypt", "kms:GenerateDataKey"],
                                               "*", principal={"AWS": writers}, condition=via_glue))
        self.catalog_key = EncryptionKey(
            self, "catalog_key", account_id=account, deploy_role_arn=deploy_role,
            alias=naming.kms_alias(prefix, env, "governance", "catalog"),
            description=f"meshform {env}: Glue Data Catalog encryption (governance)", extra_statements=key_statements)
        CatalogEncryption(self, "catalog_encryption", kms_key_arn=self.catalog_key.arn)

        # The deploy role must be an LF admin to manage grants; the spec's admins are the humans/break-glass.
        self.lake_settings = LakeFormationSettings(
            self, "lake_formation", admins=[deploy_role, *gov.admins], read_only_admins=gov.read_only_admins)
        settings = self.lake_settings.settings
        self.ontology = LfTagOntology(self, "lf_tags", domains=list(mesh.spec.domains),
                                      classifications=gov.classifications, after=[settings])

        for domain, d in sorted(mesh.spec.domains.items()):
            analytics = mesh.bucket(domain, "analytics")
            database = CentralDatabase(
                self, f"domain_{domain}", name=naming.central_database_name(domain), catalog_id=account,
                description=d.description or f"Data products of the {domain} domain",
                location_uri=f"s3://{analytics}/", domain_account=d.account_id,
                default_classification=gov.default_classification, after=[settings, *self.ontology.tags])
            for product in mesh.domain_products(domain):
                for table in product.tables:
                    ContractTable(
                        self, f"table_{domain}_{table.name}", product=product, table=table, database=database.name,
                        catalog_id=account, location=naming.table_location(analytics, product.name, table.name),
                        default_classification=gov.default_classification,
                        after=[database.database, *self.ontology.tags])
