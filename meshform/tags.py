"""The mesh's mandatory tags: one definition for the stacks (modules/tagging.py stamps them), the governance rule
CKV_MESH_MANDATORY_TAGS (it reads the list from the mesh facts file, meshform/check/mesh_facts.py) and the tests."""
from __future__ import annotations

ENVIRONMENT = "mesh:environment"
DOMAIN = "mesh:domain"            # the domain, `governance`, or the consumer's name
OWNER = "mesh:owner"
COST_CENTER = "mesh:cost-center"
MANAGED_BY = "mesh:managed-by"
MANDATORY = (ENVIRONMENT, DOMAIN, OWNER, COST_CENTER, MANAGED_BY)
MANAGED_BY_VALUE = "meshform"


def mesh_tags(environment: str, domain: str, owner: str, cost_center: str) -> dict[str, str]:
    return {ENVIRONMENT: environment, DOMAIN: domain, OWNER: owner, COST_CENTER: cost_center,
            MANAGED_BY: MANAGED_BY_VALUE}
