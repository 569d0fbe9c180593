"""A resource link: a database in the account's own catalog that points at a domain's database in the governance
catalog. Named exactly like its target — Athena only needs a link, but Glue jobs reach cross-account tables only
through a link with the target's name (https://docs.aws.amazon.com/glue/latest/dg/security-lf-enable-considerations.html,
https://docs.aws.amazon.com/lake-formation/latest/dg/resource-links-about.html). Principals need DESCRIBE on the
link itself (granted next to it) and their permissions on the target (granted on the governance catalog)."""
from __future__ import annotations

from cdktf_cdktf_provider_aws.glue_catalog_database import GlueCatalogDatabase, GlueCatalogDatabaseTargetDatabase
from constructs import Construct

from meshform import naming
from modules.types import Dependencies


def resource_link(scope: Construct, id_: str, *, domain: str, governance_account: str, region: str,
                  depends_on: Dependencies) -> GlueCatalogDatabase:
    """The account's resource link to `domain`'s database in the governance catalog.

    Args:
        domain: the domain whose central database it points at (the link takes that database's name).
        governance_account: the catalog that owns the target; region: the mesh region (the target's region).
        depends_on: the account's LF settings (its deploy role must be an admin) and RAM acceptances.

    Returns: the `aws_glue_catalog_database` of the link (DESCRIBE on it and re-grants depend on it).
    """
    return GlueCatalogDatabase(
        scope, id_, name=naming.resource_link_name(domain),
        description=f"Resource link to the {domain} domain's database in the governance catalog",
        target_database=GlueCatalogDatabaseTargetDatabase(
            catalog_id=governance_account, database_name=naming.central_database_name(domain), region=region),
        depends_on=list(depends_on))
