"""The grants a subscription consists of. Governance side (`grant_database_describe`, `grant_tag_key_describe`,
`grant_tag_policies`, and `grant_table_read` with `grantable=True`): to the subscriber's *account* (never to IAM
roles of other accounts), grantable so that the subscriber's LF admin re-grants to its own principals. The
subscriber side re-grants the same tables with `grant_table_read` (modules/constructs/subscriber_regrants.py). Who
gets which mechanism is decided in meshform/access.py."""
from __future__ import annotations

from collections.abc import Sequence

from cdktf_cdktf_provider_aws.lakeformation_permissions import LakeformationPermissions
from constructs import Construct

from meshform.access import CELLS_FILTER, INCLUDE_LIST, TAG_POLICY, TableAccess, TagAccess
from modules.constructs.lf_permission import grant
from modules.constructs.lf_tag_ontology import CLASSIFICATION_KEY, DOMAIN_KEY
from modules.types import Dependencies

READ = ["DESCRIBE", "SELECT"]


def grant_database_describe(scope: Construct, id_: str, *, account: str, database: str,
                            after: Dependencies) -> None:
    """Cross-account, granting on tables does not imply DESCRIBE on their database: grant it explicitly, or the
    subscriber cannot see the database to link it."""
    grant(scope, id_, principal=account, permissions=["DESCRIBE"], with_grant_option=True, database=database,
          depends_on=after)


def grant_tag_key_describe(scope: Construct, id_: str, accesses: Sequence[TagAccess],
                           after: Dependencies) -> None:
    """DESCRIBE on the tag values an account's tag grants use, so the account's admin can see them — one grant per
    tag key with the union of values over all its tag grants, so that removing one domain's grant never revokes a
    value another still needs. Account-wide: in the governance stack, next to the ontology."""
    account = accesses[0].account
    domains = sorted({a.domain for a in accesses})
    classes = sorted({c for a in accesses for c in a.classifications})
    grant(scope, f"{id_}_domain_tag", principal=account, permissions=["DESCRIBE"], with_grant_option=True,
          lf_tag=(DOMAIN_KEY, domains), depends_on=after)
    grant(scope, f"{id_}_classification_tag", principal=account, permissions=["DESCRIBE"], with_grant_option=True,
          lf_tag=(CLASSIFICATION_KEY, classes), depends_on=after)


def grant_tag_policies(scope: Construct, id_: str, access: TagAccess, after: Dependencies) -> None:
    """A class of data of one domain for one account: LF-tag policy grants (they cover tables added later). In the
    domain's catalog stack: a change to one domain's tag grant plans only that stack."""
    own = list(access.classifications)
    grant(scope, f"{id_}_{access.domain}_databases", principal=access.account, permissions=["DESCRIBE"],
          with_grant_option=True, lf_tag_policy=("DATABASE", [(DOMAIN_KEY, [access.domain])]), depends_on=after)
    grant(scope, f"{id_}_{access.domain}_tables", principal=access.account, permissions=READ, with_grant_option=True,
          lf_tag_policy=("TABLE", [(DOMAIN_KEY, [access.domain]), (CLASSIFICATION_KEY, own)]), depends_on=after)


def grant_table_read(scope: Construct, id_: str, access: TableAccess, *, principal: str, governance: str,
                     grantable: bool, depends_on: Dependencies) -> LakeformationPermissions:
    """Read access to one shared table, in the shape its access mechanism needs (meshform.access):
    a data cells filter, a column include-list (tag grants are re-granted as the columns the tags cover), or the
    whole table. `governance` is the catalog owning the table; governance's own grants leave it implicit except
    for filters, whose identifier always names the table's catalog."""
    catalog = None if principal_is_account(principal) else governance
    if access.mechanism == CELLS_FILTER:
        # SELECT only: Lake Formation does not support granting DESCRIBE on a data filter shared from another
        # account (https://docs.aws.amazon.com/lake-formation/latest/dg/data-filters-about.html), so the
        # subscriber could never re-grant it; the governance grant stays symmetric with the re-grant.
        return grant(scope, id_, principal=principal, permissions=["SELECT"],
                     with_grant_option=grantable, database=access.database, table=access.table,
                     cells_filter=access.filter_name, catalog_id=governance, depends_on=depends_on)
    if access.mechanism in (INCLUDE_LIST, TAG_POLICY):
        # With grant option, column filtering must be an include list (never an exclude list).
        return grant(scope, id_, principal=principal, permissions=["SELECT"], with_grant_option=grantable,
                     database=access.database, table=access.table, columns=list(access.columns),
                     catalog_id=catalog, depends_on=depends_on)
    return grant(scope, id_, principal=principal, permissions=["DESCRIBE", "SELECT"], with_grant_option=grantable,
                 database=access.database, table=access.table, catalog_id=catalog, depends_on=depends_on)


def principal_is_account(principal: str) -> bool:
    return principal.isdigit() and len(principal) == 12
