"""Subscriber side (a consumer or a domain account): a resource link per shared domain database, and the
re-grants of what the governance account granted this account, to the account's own principals. Targets are
addressed in the governance catalog (`catalog_id` = governance); links only get DESCRIBE."""
from __future__ import annotations

from constructs import Construct

from meshform import naming
from meshform.access import SLUG, TableAccess
from modules.constructs.lf_permission import grant
from modules.constructs.subscription_grants import grant_table_read
from modules.constructs.resource_link import resource_link


class SubscriberRegrants(Construct):
    def __init__(self, scope: Construct, id_: str, *, governance_account: str, region: str, domains: list[str],
                 reads: list[tuple[TableAccess, list[str]]], principals: list[str], after: list):
        super().__init__(scope, id_)
        self.links = {}
        for domain in domains:
            self.links[domain] = resource_link(self, f"link_{domain}", domain=domain,
                                               governance_account=governance_account, region=region, depends_on=after)
            for principal in principals:
                grant(self, f"link_{domain}_describe_{naming.role_name_from_arn(principal)}", principal=principal,
                      permissions=["DESCRIBE"], database=naming.resource_link_name(domain),
                      depends_on=[self.links[domain]])
        for access, readers in reads:
            for principal in readers:
                grant_table_read(
                    self, f"read_{access.domain}_{access.table}_{SLUG[access.mechanism]}_"
                          f"{naming.role_name_from_arn(principal)}",
                    access, principal=principal, governance=governance_account, grantable=False, depends_on=after)

