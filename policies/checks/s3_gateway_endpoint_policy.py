"""CKV_MESH_S3_GATEWAY_ENDPOINT_POLICY — S3 gateway endpoints carry a least-privilege endpoint policy.

Why: a gateway endpoint without a policy gets AWS's default policy, every action on every bucket of every account
(https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html). In a Redshift warehouse's VPC the
endpoint is the only way out (enhanced VPC routing sends COPY and UNLOAD through it,
https://docs.aws.amazon.com/redshift/latest/mgmt/enhanced-vpc-routing.html), so its policy decides which buckets
data can reach: it must allow only named actions (no "*", no "s3:*", no wildcard, no NotAction) on named buckets
(no "*" resource, no bucket wildcard, no NotResource), and an Allow to any principal must be narrowed by a
condition (meshform's: aws:PrincipalArn = the COPY role). Interface endpoints and endpoints of other services are
out of scope (UNKNOWN).
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories, CheckResult

import iam_json
from mesh_check import MeshCheck
from mesh_facts import attr


def is_s3_gateway(conf: dict) -> bool:
    service = str(attr(conf, "service_name") or "")
    # vpc_endpoint_type defaults to Gateway in the provider.
    return service.endswith(".s3") and str(attr(conf, "vpc_endpoint_type") or "Gateway") == "Gateway"


class S3GatewayEndpointPolicy(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="S3 gateway endpoints carry a policy allowing only named actions on named buckets",
            id="CKV_MESH_S3_GATEWAY_ENDPOINT_POLICY",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_vpc_endpoint"],
            guideline="Set policy to literal JSON allowing only what traffic through the VPC needs "
                      "(modules/constructs/redshift/network.py: s3_endpoint_statements).",
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if not is_s3_gateway(conf):
            return CheckResult.UNKNOWN
        return super().scan_resource_conf(conf)

    def problems(self, conf: dict):
        if attr(conf, "policy") is None:
            yield "no policy: the endpoint gets AWS's default, every S3 action on every bucket"
            return
        try:
            document = iam_json.load(conf.get("policy"))
        except iam_json.NotLiteral as error:
            yield str(error)
            return
        for index, statement in enumerate(iam_json.statements(document)):
            if not iam_json.allows(statement):
                continue
            label = iam_json.label(statement, index)
            wide = [a for a in iam_json.actions(statement) if "*" in a]
            if wide:
                yield f"{label} allows {', '.join(wide)}: name the actions"
            if "NotAction" in statement:
                yield f"{label} allows NotAction (every other action)"
            broad = [r for r in iam_json.resources(statement)
                     if r == "*" or "*" in r.split(":::", 1)[-1].split("/", 1)[0]]
            if broad:
                yield f"{label} allows {', '.join(broad)}: name the buckets"
            if "NotResource" in statement:
                yield f"{label} allows NotResource (every other bucket)"
            if iam_json.everyone(statement) and not statement.get("Condition"):
                yield f"{label} allows every principal without a condition: narrow it (e.g. aws:PrincipalArn)"


check = S3GatewayEndpointPolicy()
