"""CKV_MESH_IAM_TRUST_SPECIFIC_PRINCIPALS — role trust policies name who may assume the role.

Why: a trust statement with Principal "*" / {"AWS": "*"} (or NotPrincipal) lets any AWS account — not only the
mesh's — assume the role, and with it everything the role may read; conditions are too easy to get wrong to be
the only guard. mesh-deploy trusts the CI principal, lf-reg-<domain> trusts lakeformation.amazonaws.com, and
analyst roles trust named account principals. AWS warns against leaving a role assumable by "*"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

import iam_json
from mesh_check import MeshCheck


class IamTrustSpecificPrincipals(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name='IAM role trust policies name specific principals (no "*", no {"AWS": "*"}, no NotPrincipal)',
            id="CKV_MESH_IAM_TRUST_SPECIFIC_PRINCIPALS",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_iam_role"],
            guideline='Set Principal to the exact service ({"Service": "lakeformation.amazonaws.com"}), role or '
                      'account ARNs allowed to assume the role.',
        )

    def problems(self, conf: dict):
        try:
            document = iam_json.load(conf.get("assume_role_policy"))
        except iam_json.NotLiteral as error:
            yield f"assume_role_policy: {error}"
            return
        for index, statement in enumerate(iam_json.statements(document)):
            if iam_json.allows(statement) and iam_json.everyone(statement):
                yield f"assume_role_policy {iam_json.label(statement, index)} trusts any principal"


check = IamTrustSpecificPrincipals()
