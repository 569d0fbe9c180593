"""`<env>-catalog-<domain>`: one domain's part of the central catalog, in the governance account (docs/architecture.md,
"Accounts and stacks"): its registered location, its database and contract tables with their LF-tags, the producer
grants, the data cells filters its subscribers need, and every grant to its subscribers (named tables, filters,
column lists, LF-tag policies on its domain). One state per domain: a contract change plans this stack (and its
subscribers' stacks), never the whole mesh.

It deploys after `<env>-governance` (LF settings, ontology, catalog encryption), which it never references: order
comes from the stack dependency, names from meshform/naming.py (no cross-stack references)."""
from __future__ import annotations

from cdktf_cdktf_provider_aws.glue_catalog_database import GlueCatalogDatabase
from cdktf_cdktf_provider_aws.glue_catalog_table import GlueCatalogTable
from cdktf_cdktf_provider_aws.lakeformation_data_cells_filter import LakeformationDataCellsFilter
from constructs import Construct

from meshform import naming
from meshform.access import cells_filters, table_accesses, tag_accesses
from meshform.lf_grants import database_subscribers
from meshform.spec.mesh import Mesh
from modules.constructs.central_database import CentralDatabase
from modules.constructs.contract_table import ContractTable
from modules.constructs.data_cells_filter import DataCellsFilter
from modules.constructs.location_registration import LocationRegistration
from modules.constructs.producer_grants import ProducerGrants
from modules.constructs.subscription_grants import grant_database_describe, grant_table_read, grant_tag_policies
from modules.stacks.base import MeshStack
from modules.types import Dependencies


class CatalogStack(MeshStack):
    """Part `part` of `domain`'s catalog (meshform/catalog_layout.py): part 0 holds the domain-wide objects
    (registered location, database, producer grants, per-subscriber database and LF-tag policy grants) and, like
    every other part, the tables, filters and table grants of the products the layout assigns to it."""

    def __init__(self, scope: Construct, mesh: Mesh, domain: str, part: int = 0,
                 products: tuple[str, ...] | None = None):
        gov, d = mesh.spec.governance, mesh.spec.domains[domain]
        super().__init__(scope, naming.catalog_stack_name(mesh.env, domain, part), mesh=mesh,
                         account_id=gov.account_id, tag_domain=domain, owner=d.owner, cost_center=d.cost_center)
        account = gov.account_id
        analytics = mesh.bucket(domain, "analytics")
        database_name = naming.central_database_name(domain)
        after: Dependencies = []
        if part == 0:
            after = [self._domain_wide(mesh, domain)]
        held = set(products) if products is not None else {p.name for p in mesh.domain_products(domain)}
        tables: dict[str, GlueCatalogTable] = {}
        for product in mesh.domain_products(domain):
            if product.name not in held:
                continue
            for table in product.tables:
                tables[table.name] = ContractTable(
                    self, f"table_{domain}_{table.name}", product=product, table=table, database=database_name,
                    catalog_id=account, location=naming.table_location(analytics, product.name, table.name),
                    inherited=mesh.most_sensitive, after=after).table
        self._share_tables(mesh, domain, tables)

    def _domain_wide(self, mesh: Mesh, domain: str) -> GlueCatalogDatabase:
        account, prefix, env, d = self.account_id, mesh.spec.name_prefix, mesh.env, mesh.spec.domains[domain]
        analytics = mesh.bucket(domain, "analytics")
        registration = LocationRegistration(
            self, f"location_{domain}", role_name=naming.lf_registration_role_name(prefix, env, domain),
            bucket=analytics, domain_account=d.account_id, region=mesh.region, after=[])
        database = CentralDatabase(
            self, f"domain_{domain}", name=naming.central_database_name(domain), catalog_id=account,
            description=d.description or f"Data products of the {domain} domain", location_uri=f"s3://{analytics}/",
            domain_account=d.account_id, inherited_classification=mesh.most_sensitive, after=[])
        ProducerGrants(self, f"producer_{domain}", domain_account=d.account_id, database=database.name,
                       location_arn=naming.bucket_arn(analytics), after=[database.database, registration.resource])
        # Separate id namespaces (share_db_ / share_table_): a table may be called "database".
        for subscriber in database_subscribers(mesh, domain):
            grant_database_describe(self, f"share_db_{subscriber}_{domain}", account=mesh.account_of(subscriber),
                                    database=database.name, after=[database.database])
        for tag_access in tag_accesses(mesh):
            if tag_access.domain == domain:
                grant_tag_policies(self, f"tags_{tag_access.subscriber}", tag_access, after=[database.database])
        return database.database

    def _share_tables(self, mesh: Mesh, domain: str, tables: dict[str, GlueCatalogTable]) -> None:
        """Filters and grants on this stack's tables, from the access model (docs/architecture.md, "Access
        model")."""
        account = self.account_id
        database_name = naming.central_database_name(domain)
        filters: dict[str, LakeformationDataCellsFilter] = {}
        for (database, table, name), excluded in sorted(cells_filters(mesh).items()):
            if database != database_name or table not in tables:
                continue
            filters[name] = DataCellsFilter(
                self, f"filter_{database}_{name}", catalog_id=account, database=database, table=table, name=name,
                excluded_columns=excluded, after=[tables[table]]).filter
        for access in table_accesses(mesh):
            if access.domain != domain or access.table not in tables:
                continue
            after = [tables[access.table]]
            if access.filter_name:
                after.append(filters[access.filter_name])
            grant_table_read(self, f"share_table_{access.subscriber}_{access.domain}_{access.table}", access,
                             principal=access.account, governance=account, grantable=True, depends_on=after)
