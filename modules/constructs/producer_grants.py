"""What the governance account grants a domain account on the domain's own central database, all grantable so
that the domain re-grants to its ETL role. Never more: no database ALTER/DROP (it could move the database's
location), no CREATE_TABLE (schemas come from contracts), nothing on other domains' databases."""
from __future__ import annotations

from constructs import Construct

from modules.constructs.lf_permission import grant
from modules.types import Dependencies

# No CREATE_TABLE: every table of a domain comes from its contracts through the governance stack; a table created
# by ETL would be ungoverned (no contract, no classification tags, no grants).
DATABASE_PERMISSIONS = ["DESCRIBE"]
# ALTER + INSERT for partitions (adding and updating them), DELETE for removing them. ALTER would also allow
# UpdateTable, whose changes the next governance apply reverts: the ETL role's IAM policy leaves out
# glue:UpdateTable/CreateTable/DeleteTable, so schema changes go through the contract and fail loudly otherwise.
TABLE_PERMISSIONS = ["ALTER", "DELETE", "DESCRIBE", "INSERT", "SELECT"]
LOCATION_PERMISSIONS = ["DATA_LOCATION_ACCESS"]


class ProducerGrants(Construct):
    """Args:
        domain_account: the producing domain's account (the grantee; its LF admin re-grants to its ETL role).
        database: the domain's central database.
        location_arn: the domain's registered analytics bucket.
        after: the database and the location registration.
    """

    def __init__(self, scope: Construct, id_: str, *, domain_account: str, database: str, location_arn: str,
                 after: Dependencies):
        super().__init__(scope, id_)
        grant(self, "database", principal=domain_account, permissions=DATABASE_PERMISSIONS, with_grant_option=True,
              database=database, depends_on=after)
        grant(self, "all_tables", principal=domain_account, permissions=TABLE_PERMISSIONS, with_grant_option=True,
              database=database, all_tables=True, depends_on=after)
        # Cross-account ALTER on tables in a registered location needs this too
        # (https://docs.aws.amazon.com/lake-formation/latest/dg/regranting-locations.html).
        grant(self, "location", principal=domain_account, permissions=LOCATION_PERMISSIONS, with_grant_option=True,
              data_location=location_arn, depends_on=after)
