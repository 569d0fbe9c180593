"""Activation of the mesh's cost-allocation tags where billing lives (docs/operations.md, "Cost allocation tags").

A user-defined tag only appears in Cost Explorer, cost reports and budget filters after it is activated in the
management (payer) account, or in a standalone account for itself; activation takes up to 24 hours and only tags
that have appeared on a resource can be activated
(https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html,
https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_UpdateCostAllocationTagsStatus.html).
The budgets filter on `mesh:domain`; environment and cost center make the bills readable by team. Because a key
must have appeared in billing data first, `billing.activate_cost_allocation_tags` is off by default: turn it on
once the mesh has been deployed for a day (docs/operations.md).
"""
from __future__ import annotations

from cdktf_cdktf_provider_aws.ce_cost_allocation_tag import CeCostAllocationTag
from constructs import Construct

from meshform.cost_allocation import COST_ALLOCATION_TAGS
from modules.types import Dependencies


class CostAllocationTags(Construct):
    """Args: keys: the tag keys to activate (default COST_ALLOCATION_TAGS); depends_on: resources of this stack
    that carry the tags (a key can only be activated once it is on a resource). Attributes: tags: key -> resource."""

    def __init__(self, scope: Construct, id_: str, *, keys: tuple[str, ...] = COST_ALLOCATION_TAGS,
                 depends_on: Dependencies = ()):
        super().__init__(scope, id_)
        self.tags = {key: CeCostAllocationTag(self, key.replace(":", "_").replace("-", "_"), tag_key=key,
                                              status="Active", depends_on=list(depends_on))
                     for key in keys}
