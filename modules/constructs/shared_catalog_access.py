"""Subscriber side (a consumer or a domain account): a resource link per shared domain database, and the
re-grants of what the governance account granted this account, to the account's own principals. Targets are
addressed in the governance catalog (`catalog_id` = governance); links only get DESCRIBE."""
from __future__ import annotations

from cdktf_cdktf_provider_aws.glue_catalog_database import GlueCatalogDatabase, GlueCatalogDatabaseTargetDatabase
from constructs import Construct

from meshform import naming
from meshform.access import SLUG, TableAccess
from modules.constructs.lf_permission import grant, grant_table_read


class SharedCatalogAccess(Construct):
    def __init__(self, scope: Construct, id_: str, *, governance_account: str, region: str, domains: list[str],
                 accesses: list[TableAccess], principals: list[str], after: list):
        super().__init__(scope, id_)
        self.links = {}
        for domain in domains:
            link = naming.resource_link_name(domain)
            # Athena and Redshift Spectrum only see shared databases through a link in the own catalog.
            self.links[domain] = GlueCatalogDatabase(
                self, f"link_{domain}", name=link,
                description=f"Resource link to the {domain} domain's database in the governance catalog",
                target_database=GlueCatalogDatabaseTargetDatabase(
                    catalog_id=governance_account, database_name=naming.central_database_name(domain),
                    region=region),
                depends_on=after)
            for principal in principals:
                grant(self, f"link_{domain}_describe_{naming.role_name_from_arn(principal)}", principal=principal,
                      permissions=["DESCRIBE"], database=link, depends_on=[self.links[domain]])
        for access in accesses:
            for principal in principals:
                grant_table_read(
                    self, f"read_{access.domain}_{access.table}_{SLUG[access.mechanism]}_"
                          f"{naming.role_name_from_arn(principal)}",
                    access, principal=principal, governance=governance_account, grantable=False, depends_on=after)

