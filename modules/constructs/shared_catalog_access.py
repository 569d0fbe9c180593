"""Subscriber side (a consumer or a domain account): a resource link per shared domain database, and the
re-grants of what the governance account granted this account, to the account's own principals. Targets are
addressed in the governance catalog (`catalog_id` = governance); links only get DESCRIBE."""
from __future__ import annotations

from cdktf_cdktf_provider_aws.glue_catalog_database import GlueCatalogDatabase, GlueCatalogDatabaseTargetDatabase
from constructs import Construct

from meshform import naming
from meshform.access import CELLS_FILTER, INCLUDE_LIST, TAG_POLICY, TableAccess
from modules.constructs.lf_permission import grant

READ = ["DESCRIBE", "SELECT"]


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
            kind = access.mechanism.split()[-1].replace("-", "_")      # table | list | filter | policy
            for principal in principals:
                _regrant(self, f"read_{access.domain}_{access.table}_{kind}_{naming.role_name_from_arn(principal)}",
                         access, principal, governance_account, after)


def _regrant(scope: Construct, id_: str, access: TableAccess, principal: str, governance: str, after: list) -> None:
    if access.mechanism == CELLS_FILTER:
        grant(scope, id_, principal=principal, permissions=READ, database=access.database, table=access.table,
              cells_filter=access.filter_name, catalog_id=governance, depends_on=after)
    elif access.mechanism in (INCLUDE_LIST, TAG_POLICY):
        # Tag-shared tables are re-granted by name (re-grants on tags shared from another account fail in the
        # provider, hashicorp/terraform-provider-aws#26602), as the explicit list of the columns the tags cover.
        grant(scope, id_, principal=principal, permissions=["SELECT"], database=access.database,
              table=access.table, columns=list(access.columns), catalog_id=governance, depends_on=after)
    else:
        grant(scope, id_, principal=principal, permissions=READ, database=access.database, table=access.table,
              catalog_id=governance, depends_on=after)
