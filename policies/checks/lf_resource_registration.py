"""CKV_MESH_LF_RESOURCE_REGISTRATION — S3 locations are registered with a user-defined role, without hybrid access.

Why: a location in a domain account can only be registered from the governance account with a user-defined role
(the service-linked role cannot cross accounts:
https://docs.aws.amazon.com/lake-formation/latest/dg/registration-role.html; and a location registered with a role
cannot later be switched to the service-linked role);
the role is also what the domain's bucket and key policies trust. Hybrid access mode keeps IAM-only access working
next to Lake Formation grants, i.e. it bypasses column filters and clearances
(https://docs.aws.amazon.com/lake-formation/latest/dg/hybrid-access-mode.html); privileged access gives the
registering principal every Lake Formation operation on the registered location
(https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_RegisterResource.html).
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import attr, is_true


class LfResourceRegistration(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Lake Formation locations use a user-defined role_arn, no service-linked role, no hybrid access",
            id="CKV_MESH_LF_RESOURCE_REGISTRATION",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_lakeformation_resource"],
            guideline="Register with role_arn = the governance account's lf-reg-<domain> role, "
                      "use_service_linked_role=False, hybrid_access_enabled=False, and leave "
                      "with_privileged_access unset.",
        )

    def problems(self, conf: dict):
        if not attr(conf, "role_arn"):
            yield "role_arn is not set (the service-linked role cannot register another account's bucket)"
        if is_true(conf.get("use_service_linked_role")):
            yield "use_service_linked_role is true"
        if is_true(conf.get("hybrid_access_enabled")):
            yield "hybrid_access_enabled is true (IAM-only access would bypass Lake Formation)"
        if is_true(conf.get("with_privileged_access")):
            yield "with_privileged_access is true"


check = LfResourceRegistration()
