"""Subscriber side (a consumer or a domain account): a resource link per shared domain database, and the
re-grants of what the governance account granted this account, to the account's own principals. Targets are
addressed in the governance catalog (`catalog_id` = governance); links only get DESCRIBE."""
from __future__ import annotations

from collections.abc import Sequence

from constructs import Construct

from meshform import lf_grants, naming
from meshform.access import SLUG, TableAccess
from modules.constructs.lf_permission import emit
from modules.constructs.resource_link import resource_link
from modules.constructs.subscription_grants import grant_table_read
from modules.types import Dependencies


class SubscriberRegrants(Construct):
    """Args:
        governance_account: the catalog that owns everything shared; region: the mesh region.
        domains: the domains whose databases this account links to.
        reads: each table access of this subscriber with the roles that receive it (meshform.access.readers_of).
        principals: every role that gets DESCRIBE on the links.
        after: the account's LF settings (its deploy role must be an admin), RAM acceptances, the roles.

    Attributes:
        links: domain -> its `aws_glue_catalog_database` resource link.
    """

    def __init__(self, scope: Construct, id_: str, *, governance_account: str, region: str, domains: Sequence[str],
                 reads: Sequence[tuple[TableAccess, Sequence[str]]], principals: Sequence[str], after: Dependencies):
        super().__init__(scope, id_)
        self.links = {}
        for domain in domains:
            self.links[domain] = resource_link(self, f"link_{domain}", domain=domain,
                                               governance_account=governance_account, region=region, depends_on=after)
            for principal in principals:
                emit(self, f"link_{domain}_describe_{naming.role_name_from_arn(principal)}",
                     lf_grants.link_describe(principal, domain), depends_on=[self.links[domain]])
        for access, readers in reads:
            for principal in readers:
                grant_table_read(
                    self, f"read_{access.domain}_{access.table}_{SLUG[access.mechanism]}_"
                          f"{naming.role_name_from_arn(principal)}",
                    access, principal=principal, governance=governance_account, grantable=False, depends_on=after)

