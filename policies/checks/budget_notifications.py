"""CKV_MESH_BUDGET_NOTIFICATIONS — every mesh account's budget watches its owner's spend and warns in time.

Why: a budget nobody hears from controls nothing. Each budget must filter on the owner's `mesh:domain`
cost-allocation tag (`user:mesh:domain$<owner>`, the owner from the mesh facts' `budget_owners` for the stack's
account), be a monthly USD cost budget, and notify on forecast >= 100 % and actual >= 80 % and >= 100 %, each to an
e-mail address and an SNS topic (https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-best-practices.html).
A budget in an account the mesh does not know is UNKNOWN. That every account *has* a budget is
CKV2_MESH_TOPIC_HAS_BUDGET (every notification topic is connected to one).
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories, CheckResult

from mesh_check import MeshCheck
from mesh_facts import attr, blocks, facts, values

REQUIRED = (("FORECASTED", 100.0), ("ACTUAL", 80.0), ("ACTUAL", 100.0))


class BudgetNotifications(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Budgets filter on the owner's mesh:domain tag and notify (forecast 100 %, actual 80 % and "
                 "100 %) by e-mail and SNS",
            id="CKV_MESH_BUDGET_NOTIFICATIONS",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_budgets_budget"],
            guideline="Use modules/constructs/budget.py (MonthlyBudget) with the budget of meshform/operations.py.",
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        account = self.stack_account()
        if account is None or account not in facts().get("budget_owners", {}):
            return CheckResult.UNKNOWN
        return super().scan_resource_conf(conf)

    def problems(self, conf: dict):
        owner = facts()["budget_owners"][self.stack_account()]
        if attr(conf, "budget_type") != "COST" or attr(conf, "time_unit") != "MONTHLY" or \
                attr(conf, "limit_unit") != "USD":
            yield "not a monthly USD cost budget (budget_type COST, time_unit MONTHLY, limit_unit USD)"
        wanted = f"user:mesh:domain${owner}"
        filters = {attr(f, "name"): values(f.get("values")) for f in blocks(conf, "cost_filter")}
        if filters.get("TagKeyValue") != [wanted]:
            yield f"cost_filter does not select the owner's tag: want TagKeyValue = [{wanted!r}]"
        present = set()
        for n in blocks(conf, "notification"):
            kind, threshold = attr(n, "notification_type"), attr(n, "threshold")
            if attr(n, "threshold_type") != "PERCENTAGE" or attr(n, "comparison_operator") != "GREATER_THAN":
                continue
            if not values(n.get("subscriber_email_addresses")) or not values(n.get("subscriber_sns_topic_arns")):
                yield f"the {kind} {threshold} % notification does not go to both an e-mail address and a topic"
                continue
            try:
                present.add((kind, float(threshold)))
            except (TypeError, ValueError):
                continue
        for kind, threshold in REQUIRED:
            if (kind, threshold) not in present:
                yield f"no {kind} > {threshold:g} % notification (percentage, to e-mail and SNS)"


check = BudgetNotifications()
