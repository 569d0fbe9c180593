"""Types shared by the constructs: what a construct may depend on, and one IAM/KMS/S3 policy statement."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cdktf import ITerraformDependable

# Resources (or constructs' resources) a resource must be created after: Terraform's depends_on.
Dependencies = Sequence[ITerraformDependable]
# One statement of a policy document, as modules/policy_documents.statement() builds it.
Statement = dict[str, Any]
