"""What the governance account grants a domain account on the domain's own central database, all grantable so
that the domain re-grants to its ETL role. Never more: no database ALTER/DROP (it could move the database's
location), no CREATE_TABLE (schemas come from contracts), nothing on other domains' databases."""
from __future__ import annotations

from constructs import Construct

from meshform import lf_grants
from modules.constructs.lf_permission import emit
from modules.types import Dependencies

# What each grant holds (and why never more): meshform/lf_grants.py.
DATABASE_PERMISSIONS = list(lf_grants.DATABASE_PERMISSIONS)
TABLE_PERMISSIONS = list(lf_grants.TABLE_PERMISSIONS)
LOCATION_PERMISSIONS = list(lf_grants.LOCATION_PERMISSIONS)


class ProducerGrants(Construct):
    """Args:
        domain_account: the producing domain's account (the grantee; its LF admin re-grants to its ETL role).
        database: the domain's central database.
        location_arn: the domain's registered analytics bucket.
        after: the database and the location registration.

    Attributes: none (the grants are leaves: nothing in the stack depends on them).
    """

    def __init__(self, scope: Construct, id_: str, *, domain_account: str, database: str, location_arn: str,
                 after: Dependencies):
        super().__init__(scope, id_)
        for grant_id, planned in lf_grants.producer_grants(domain_account, database, location_arn):
            emit(self, grant_id, planned, depends_on=after)
