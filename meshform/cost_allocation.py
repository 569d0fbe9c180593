"""The mesh tags activated as cost-allocation tags (modules/constructs/cost_allocation_tags.py activates them; the
budgets filter on mesh:domain)."""
from __future__ import annotations

from meshform import tags

COST_ALLOCATION_TAGS = (tags.DOMAIN, tags.ENVIRONMENT, tags.COST_CENTER)
