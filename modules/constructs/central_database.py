"""A domain's database in the governance catalog, located in the domain's analytics bucket and LF-tagged with
its domain and the ontology's most sensitive classification: tables and untagged columns inherit it, so a column
whose own tag is missing (being replaced, or never applied) is unreadable below the top clearance — classification
fails closed. Contract tables tag every column below that level explicitly (modules/constructs/contract_table.py)."""
from __future__ import annotations

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.glue_catalog_database import GlueCatalogDatabase
from cdktf_cdktf_provider_aws.lakeformation_resource_lf_tags import LakeformationResourceLfTags
from constructs import Construct

from meshform.lf_grants import database_tags
from modules.types import Dependencies


class CentralDatabase(Construct):
    """Args:
        name: naming.central_database_name(domain).
        catalog_id: the governance account.
        description: the domain's description.
        location_uri: `s3://<analytics bucket>/` (tables created below it need no separate location grant).
        domain_account: the owning domain's account (database parameter `mesh:owner_account`).
        inherited_classification: the ontology's most sensitive level (what untagged columns inherit).
        after: LF settings (no IAMAllowedPrincipals defaults yet otherwise), catalog encryption, the LF-tags.

    Attributes:
        database: the `aws_glue_catalog_database` (destroy-protected); tags: its `aws_lakeformation_resource_lf_tags`.
    """

    def __init__(self, scope: Construct, id_: str, *, name: str, catalog_id: str, description: str,
                 location_uri: str, domain_account: str, inherited_classification: str, after: Dependencies):
        super().__init__(scope, id_)
        self.name = name
        self.database = GlueCatalogDatabase(
            self, "database", name=name, catalog_id=catalog_id, description=description,
            location_uri=location_uri,
            parameters={"mesh:domain": name, "mesh:owner_account": domain_account},
            # Created only after the account's LF settings removed the IAMAllowedPrincipals defaults.
            depends_on=list(after),
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True),
        )
        self.tags = LakeformationResourceLfTags(
            self, "lf_tags", catalog_id=catalog_id,
            database={"catalog_id": catalog_id, "name": name},
            lf_tag=[{"key": k, "value": v} for k, v in database_tags(name, inherited_classification)],
            depends_on=[self.database, *after],
        )
