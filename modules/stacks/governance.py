"""`<env>-governance`: the central catalog of record in the governance account (docs/architecture.md, "Accounts and
stacks")."""
from __future__ import annotations

from cdktf_cdktf_provider_aws.glue_catalog_database import GlueCatalogDatabase
from cdktf_cdktf_provider_aws.glue_catalog_table import GlueCatalogTable
from cdktf_cdktf_provider_aws.lakeformation_data_cells_filter import LakeformationDataCellsFilter
from constructs import Construct

from meshform import naming
from meshform.access import TagAccess, cells_filters, table_accesses, tag_accesses
from meshform.lake_settings import intended_lake_settings
from meshform.spec.mesh import Mesh
from modules.constructs.catalog_encryption import CatalogEncryption, catalog_key_policy_statements
from modules.constructs.central_database import CentralDatabase
from modules.constructs.contract_table import ContractTable
from modules.constructs.data_cells_filter import DataCellsFilter
from modules.constructs.encryption_key import EncryptionKey
from modules.constructs.lake_formation_settings import LakeFormationSettings
from modules.constructs.lf_tag_ontology import LfTagOntology
from modules.constructs.location_registration import LocationRegistration
from modules.constructs.producer_grants import ProducerGrants
from modules.constructs.subscription_grants import grant_database_describe, grant_table_read, grant_tag_access
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
        key_statements = catalog_key_policy_statements(region, [a for a in mesh.all_accounts() if a != account])
        self.catalog_key = EncryptionKey(
            self, "catalog_key", account_id=account, deploy_role_arn=deploy_role,
            alias=naming.kms_alias(prefix, env, "governance", "catalog"),
            description=f"meshform {env}: Glue Data Catalog encryption (governance)", extra_statements=key_statements)
        # Metadata is only encrypted when written after encryption is on: catalog objects come after it.
        encryption = CatalogEncryption(self, "catalog_encryption", kms_key_arn=self.catalog_key.arn).settings

        # The deploy role must be an LF admin to manage grants; the spec's admins are the humans/break-glass.
        self.lake_settings = LakeFormationSettings(self, "lake_formation",
                                                   intended=intended_lake_settings(mesh, account))
        settings = self.lake_settings.settings
        self.ontology = LfTagOntology(self, "lf_tags", domains=list(mesh.spec.domains),
                                      classifications=gov.classifications, after=[settings])

        databases: dict[str, GlueCatalogDatabase] = {}
        tables: dict[tuple[str, str], GlueCatalogTable] = {}
        for domain, d in sorted(mesh.spec.domains.items()):
            analytics = mesh.bucket(domain, "analytics")
            registration = LocationRegistration(
                self, f"location_{domain}", role_name=naming.lf_registration_role_name(prefix, env, domain),
                bucket=analytics, domain_account=d.account_id, region=region, after=[settings])
            database = CentralDatabase(
                self, f"domain_{domain}", name=naming.central_database_name(domain), catalog_id=account,
                description=d.description or f"Data products of the {domain} domain",
                location_uri=f"s3://{analytics}/", domain_account=d.account_id,
                inherited_classification=mesh.most_sensitive, after=[settings, encryption, *self.ontology.tags])
            databases[domain] = database.database
            ProducerGrants(self, f"producer_{domain}", domain_account=d.account_id, database=database.name,
                           location_arn=naming.bucket_arn(analytics), after=[database.database, registration.resource])
            for product in mesh.domain_products(domain):
                for table in product.tables:
                    tables[(domain, table.name)] = ContractTable(
                        self, f"table_{domain}_{table.name}", product=product, table=table, database=database.name,
                        catalog_id=account, location=naming.table_location(analytics, product.name, table.name),
                        inherited=mesh.most_sensitive, after=[database.database, *self.ontology.tags]).table
        self._share(mesh, databases, tables)

    def _share(self, mesh: Mesh, databases: dict[str, GlueCatalogDatabase],
               tables: dict[tuple[str, str], GlueCatalogTable]) -> None:
        """Grants to subscriber accounts, from the access model (docs/architecture.md, "Access model")."""
        account = self.account_id
        filters: dict[tuple[str, str], LakeformationDataCellsFilter] = {}
        for (database, table, name), excluded in sorted(cells_filters(mesh).items()):
            filters[(database, name)] = DataCellsFilter(
                self, f"filter_{database}_{name}", catalog_id=account, database=database, table=table, name=name,
                excluded_columns=excluded, after=[tables[(database, table)]]).filter
        accesses = table_accesses(mesh)
        # Separate id namespaces (share_db_ / share_table_): a table may be called "database".
        for subscriber, domain in sorted({(a.subscriber, a.domain) for a in accesses}):
            grant_database_describe(self, f"share_db_{subscriber}_{domain}", account=mesh.account_of(subscriber),
                                    database=naming.central_database_name(domain), after=[databases[domain]])
        for access in accesses:
            after = [tables[(access.domain, access.table)]]
            if access.filter_name:
                after.append(filters[(access.database, access.filter_name)])
            grant_table_read(self, f"share_table_{access.subscriber}_{access.domain}_{access.table}", access,
                             principal=access.account, governance=account, grantable=True, depends_on=after)
        by_subscriber: dict[str, list[TagAccess]] = {}
        for tag_access in tag_accesses(mesh):
            by_subscriber.setdefault(tag_access.subscriber, []).append(tag_access)
        for subscriber, granted in sorted(by_subscriber.items()):
            grant_tag_access(self, f"tags_{subscriber}", granted,
                             after=[*self.ontology.tags, *(databases[a.domain] for a in granted)])
