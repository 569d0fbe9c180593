"""Governance-side grants for subscriptions: to the subscriber's *account* (never to IAM roles of other
accounts), grantable so that the subscriber's LF admin re-grants to its own principals."""
from __future__ import annotations

from constructs import Construct

from meshform.access import CELLS_FILTER, INCLUDE_LIST, TableAccess, TagAccess
from modules.constructs.lf_permission import grant
from modules.constructs.lf_tag_ontology import CLASSIFICATION_KEY, DOMAIN_KEY

READ = ["DESCRIBE", "SELECT"]


def grant_database_describe(scope: Construct, id_: str, *, account: str, database: str, after: list) -> None:
    """Cross-account, granting on tables does not imply DESCRIBE on their database: grant it explicitly, or the
    subscriber cannot see the database to link it."""
    grant(scope, id_, principal=account, permissions=["DESCRIBE"], with_grant_option=True, database=database,
          depends_on=after)


def grant_table_access(scope: Construct, id_: str, access: TableAccess, catalog_id: str, after: list) -> None:
    if access.mechanism == INCLUDE_LIST:
        # With grant option, column filtering must be an include list (not an exclude list).
        grant(scope, id_, principal=access.account, permissions=["SELECT"], with_grant_option=True,
              database=access.database, table=access.table, columns=list(access.columns), depends_on=after)
    elif access.mechanism == CELLS_FILTER:
        grant(scope, id_, principal=access.account, permissions=READ, with_grant_option=True,
              database=access.database, table=access.table, cells_filter=access.filter_name,
              catalog_id=catalog_id, depends_on=after)
    else:
        grant(scope, id_, principal=access.account, permissions=READ, with_grant_option=True,
              database=access.database, table=access.table, depends_on=after)


def grant_tag_access(scope: Construct, id_: str, access: TagAccess, after: list) -> None:
    """A class of one domain's data: LF-tag policy grants (covers tables added later); DESCRIBE on the tags so the
    subscriber's admin can see them."""
    classes = list(access.classifications)
    grant(scope, f"{id_}_domain_tag", principal=access.account, permissions=["DESCRIBE"], with_grant_option=True,
          lf_tag=(DOMAIN_KEY, [access.domain]), depends_on=after)
    grant(scope, f"{id_}_classification_tag", principal=access.account, permissions=["DESCRIBE"],
          with_grant_option=True, lf_tag=(CLASSIFICATION_KEY, classes), depends_on=after)
    grant(scope, f"{id_}_databases", principal=access.account, permissions=["DESCRIBE"], with_grant_option=True,
          lf_tag_policy=("DATABASE", [(DOMAIN_KEY, [access.domain])]), depends_on=after)
    grant(scope, f"{id_}_tables", principal=access.account, permissions=READ, with_grant_option=True,
          lf_tag_policy=("TABLE", [(DOMAIN_KEY, [access.domain]), (CLASSIFICATION_KEY, classes)]),
          depends_on=after)

