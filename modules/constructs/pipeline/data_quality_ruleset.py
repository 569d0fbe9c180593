"""One Glue Data Quality ruleset: the DQDL a contract table's checks compile to (meshform/pipeline/dqdl.py), on the
product's central table.

Where it lives and what it targets: in the domain's account (the domain runs the evaluation, with its ETL role,
from its state machine), targeting the table through the domain's own resource link — `DatabaseName` = the link,
which is named like the central database, `CatalogId` = the domain account. That is the same table reference the
evaluation run uses (a Glue job reaches a cross-account table through a same-named resource link,
https://docs.aws.amazon.com/glue/latest/dg/security-lf-enable-considerations.html), and Lake Formation authorizes
it with the grants the domain already holds on its own tables. A ruleset in the governance account would need a
governance-side role to run it and would evaluate the domain's data outside the domain's account.
API: https://docs.aws.amazon.com/glue/latest/webapi/API_CreateDataQualityRuleset.html."""
from __future__ import annotations

from cdktf_cdktf_provider_aws.glue_data_quality_ruleset import (
    GlueDataQualityRuleset,
    GlueDataQualityRulesetTargetTable,
)
from constructs import Construct

from modules.types import Dependencies


class DataQualityRuleset(Construct):
    """Args:
        name: meshform.pipeline_names.dq_ruleset_name; description: shown in Glue.
        ruleset: the DQDL text (`Rules = [...]`).
        database: the resource link's name; table: the table; catalog_id: the domain's own account.
        depends_on: default none (the domain stack passes its resource link).

    Attributes:
        ruleset: the `aws_glue_data_quality_ruleset`; name: its name.
    """

    def __init__(self, scope: Construct, id_: str, *, name: str, description: str, ruleset: str, database: str,
                 table: str, catalog_id: str, depends_on: Dependencies = ()):
        super().__init__(scope, id_)
        self.name = name
        self.ruleset = GlueDataQualityRuleset(
            self, "ruleset", name=name, description=description, ruleset=ruleset,
            target_table=GlueDataQualityRulesetTargetTable(catalog_id=catalog_id, database_name=database,
                                                           table_name=table),
            depends_on=list(depends_on))
