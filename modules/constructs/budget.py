"""A monthly AWS Budgets cost budget of one mesh account (docs/operations.md, "Budgets").

The budget lives in the account it watches (a domain's, a consumer's or governance's): that account's own SNS topic
and key are where the alerts go, and a member account's budget sees only the account's own spend
(https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-managing-costs.html). It is filtered on the
mesh cost-allocation tag `mesh:domain` = the owner (cost-allocation tags appear in filters as
`user:<key>$<value>`, https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Budget.html),
so it counts what meshform deployed for the owner, not unrelated workloads of the account; the tag must be
activated where billing lives (`cost_allocation_tags.py`).

Notifications (https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-best-practices.html): forecast
>= 100 % (the month will overrun), actual >= 80 % and actual >= 100 %, each to the owner's e-mail and the account's
notification topic (at most 10 e-mail subscribers and one SNS topic per notification, AWS Budgets limits).
"""
from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.budgets_budget import (
    BudgetsBudget,
    BudgetsBudgetCostFilter,
    BudgetsBudgetNotification,
)
from constructs import Construct

from meshform.operations import THRESHOLDS, Budget
from meshform.tags import DOMAIN as DOMAIN_TAG
from modules.types import Dependencies


def tag_filter_value(owner: str) -> str:
    """The cost filter value of the mesh:domain tag for `owner` (Cost Explorer's `user:<key>$<value>`)."""
    return f"user:{DOMAIN_TAG}${owner}"


@dataclass(frozen=True)
class BudgetProps:
    """name: meshform.ops_names.budget_name; owner: the tag value to filter on (domain, consumer or governance);
    monthly_usd: the spec's monthly_budget_usd; email: the owner's address; topic_arn: the account's notification
    topic. thresholds: (type, percent) pairs (default THRESHOLDS)."""
    name: str
    owner: str
    monthly_usd: float
    email: str
    topic_arn: str
    thresholds: tuple[tuple[str, int], ...] = THRESHOLDS

    @classmethod
    def of(cls, budget: Budget, topic_arn: str | None = None) -> BudgetProps:
        """From the operations model (meshform/operations.py: what `meshform cost` prints); `topic_arn`: the
        topic's Terraform reference (default: the literal ARN), which CKV2_MESH_TOPIC_HAS_BUDGET follows."""
        return cls(budget.name, budget.owner, budget.monthly_usd, budget.email, topic_arn or budget.topic_arn,
                   budget.thresholds)


class MonthlyBudget(Construct):
    """Args: props (`BudgetProps`); depends_on: the topic's policy (Budgets must be allowed to publish first).

    Attributes: budget: the `aws_budgets_budget`."""

    def __init__(self, scope: Construct, id_: str, *, props: BudgetProps, depends_on: Dependencies = ()):
        super().__init__(scope, id_)
        self.budget = BudgetsBudget(
            self, "budget", name=props.name, budget_type="COST", time_unit="MONTHLY", limit_unit="USD",
            # AWS returns amounts with one decimal at least; two keep cents and re-plan clean.
            limit_amount=f"{props.monthly_usd:.2f}",
            cost_filter=[BudgetsBudgetCostFilter(name="TagKeyValue", values=[tag_filter_value(props.owner)])],
            notification=[
                BudgetsBudgetNotification(
                    notification_type=kind, comparison_operator="GREATER_THAN", threshold=percent,
                    threshold_type="PERCENTAGE", subscriber_email_addresses=[props.email],
                    subscriber_sns_topic_arns=[props.topic_arn])
                for kind, percent in props.thresholds],
            depends_on=list(depends_on))
