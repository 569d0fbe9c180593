"""Governance-side grants for subscriptions: to the subscriber's *account* (never to IAM roles of other
accounts), grantable so that the subscriber's LF admin re-grants to its own principals."""
from __future__ import annotations

from constructs import Construct

from meshform.access import TagAccess
from modules.constructs.lf_permission import grant
from modules.constructs.lf_tag_ontology import CLASSIFICATION_KEY, DOMAIN_KEY

READ = ["DESCRIBE", "SELECT"]


def grant_database_describe(scope: Construct, id_: str, *, account: str, database: str, after: list) -> None:
    """Cross-account, granting on tables does not imply DESCRIBE on their database: grant it explicitly, or the
    subscriber cannot see the database to link it."""
    grant(scope, id_, principal=account, permissions=["DESCRIBE"], with_grant_option=True, database=database,
          depends_on=after)


def grant_tag_access(scope: Construct, id_: str, accesses: list[TagAccess], after: list) -> None:
    """Classes of data of one or more domains for one account: LF-tag policy grants per domain (they cover tables
    added later), plus DESCRIBE on the tag values so the account's admin can see them — one grant per tag key with
    the union of values, so that removing one domain's grant never revokes a value another still needs."""
    account = accesses[0].account
    domains = sorted({a.domain for a in accesses})
    classes = sorted({c for a in accesses for c in a.classifications})
    grant(scope, f"{id_}_domain_tag", principal=account, permissions=["DESCRIBE"], with_grant_option=True,
          lf_tag=(DOMAIN_KEY, domains), depends_on=after)
    grant(scope, f"{id_}_classification_tag", principal=account, permissions=["DESCRIBE"], with_grant_option=True,
          lf_tag=(CLASSIFICATION_KEY, classes), depends_on=after)
    for access in accesses:
        own = list(access.classifications)
        grant(scope, f"{id_}_{access.domain}_databases", principal=account, permissions=["DESCRIBE"],
              with_grant_option=True, lf_tag_policy=("DATABASE", [(DOMAIN_KEY, [access.domain])]), depends_on=after)
        grant(scope, f"{id_}_{access.domain}_tables", principal=account, permissions=READ, with_grant_option=True,
              lf_tag_policy=("TABLE", [(DOMAIN_KEY, [access.domain]), (CLASSIFICATION_KEY, own)]),
              depends_on=after)
