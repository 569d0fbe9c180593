"""What the governance account grants a domain account on the domain's own central database (choreography.md
§A.1 step 10), all grantable so that the domain re-grants to its ETL role. Never more: no database ALTER/DROP
(it could move the database's location), nothing on other domains' databases."""
from __future__ import annotations

from constructs import Construct

from modules.constructs.lf_permission import grant

DATABASE_PERMISSIONS = ["CREATE_TABLE", "DESCRIBE"]
TABLE_PERMISSIONS = ["ALTER", "DELETE", "DESCRIBE", "INSERT", "SELECT"]   # partitions need ALTER + INSERT
LOCATION_PERMISSIONS = ["DATA_LOCATION_ACCESS"]


class ProducerGrants(Construct):
    def __init__(self, scope: Construct, id_: str, *, domain_account: str, database: str, location_arn: str,
                 after: list):
        super().__init__(scope, id_)
        grant(self, "database", principal=domain_account, permissions=DATABASE_PERMISSIONS, with_grant_option=True,
              database=database, depends_on=after)
        grant(self, "all_tables", principal=domain_account, permissions=TABLE_PERMISSIONS, with_grant_option=True,
              database=database, all_tables=True, depends_on=after)
        # Cross-account CREATE_TABLE/ALTER on a database located in a registered location needs this too.
        grant(self, "location", principal=domain_account, permissions=LOCATION_PERMISSIONS, with_grant_option=True,
              data_location=location_arn, depends_on=after)
