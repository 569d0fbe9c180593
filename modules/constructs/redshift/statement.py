"""One SQL statement run once through the Redshift Data API, re-run only when its SQL (or what it depends on)
changes - never because the Data API forgot it.

Why the lifecycle: `aws_redshiftdata_statement` is create-only (every argument forces replacement, Delete does
nothing) and its Read calls DescribeStatement, whose record AWS keeps for 24 hours only
(https://docs.aws.amazon.com/redshift/latest/mgmt/data-api.html). Afterwards DescribeStatement fails with a
ValidationException saying the statement has expired; provider 5.x then reads the statement back as a bare
`{Id, Status: EXPIRED}` (internal/service/redshiftdata/statement.go, FindStatementByID), so `sql`, `database`,
`workgroup_name`... come back empty and every statement would plan a replacement - re-running its DDL - on the
first plan a day after apply. So:

- `lifecycle { ignore_changes = all }` on the statement: what the API reports after expiry is ignored;
- a `terraform_data` whose `triggers_replace` is the statement's trigger (SHA-256 of its SQL and of the triggers
  of the statements it runs after, meshform.redshift.model.triggers), and `replace_triggered_by` pointing at it: a
  changed SQL replaces the terraform_data, which replaces - re-runs - the statement.

tests/deployed_dev_redshift.py (collected by tests/test_local_deploy.py) proves both on the emulator: a re-plan
after the statements expire is empty, and a changed SQL re-runs exactly the statements it reaches.
"""
from __future__ import annotations

from cdktf import DataResource, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.redshiftdata_statement import RedshiftdataStatement
from constructs import Construct

from modules.types import Dependencies

STATEMENT_NAME_MAX = 500


class ManagedStatement(Construct):
    """Args:
        sql: the statement (meshform.redshift.sql).
        trigger: when it re-runs (meshform.redshift.model.triggers; for a counted statement a Terraform
            expression).
        database: the database it runs in; target: the warehouse's `target` ({"workgroup_name": ...} or
            {"cluster_identifier": ...}); secret_arn: the admin secret it authenticates with.
        name: the Data API statement name (shown in the query history), at most 500 characters.
        count: a Terraform expression: the statement exists that many times (0 or 1; default: exactly once).
        depends_on: what must exist first (the warehouse, statements it runs after).

    Attributes:
        statement: the `aws_redshiftdata_statement`; trigger: the `terraform_data`.
    """

    def __init__(self, scope: Construct, id_: str, *, sql: str, trigger: str, database: str,
                 target: dict[str, str], secret_arn: str, name: str, count: str | None = None,
                 depends_on: Dependencies = ()):
        super().__init__(scope, id_)
        self.trigger = DataResource(self, "trigger", triggers_replace={"sql": trigger})
        # A bare reference string: Terraform parses each JSON entry of replace_triggered_by as an expression.
        replace_by = f"{self.trigger.terraform_resource_type}.{self.trigger.friendly_unique_id}"
        if count is not None:
            self.trigger.add_override("count", count)
            replace_by += "[count.index]"
        self.statement = RedshiftdataStatement(
            self, "statement", sql=sql, database=database, secret_arn=secret_arn,
            statement_name=name[:STATEMENT_NAME_MAX], depends_on=[*depends_on], **target,
            lifecycle=TerraformResourceLifecycle(ignore_changes="all", replace_triggered_by=[replace_by]))
        if count is not None:
            self.statement.add_override("count", count)
