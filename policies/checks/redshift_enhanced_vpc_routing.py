"""CKV_MESH_REDSHIFT_ENHANCED_VPC_ROUTING — Redshift routes COPY/UNLOAD traffic through its VPC.

Why: without enhanced VPC routing, Redshift reaches S3 over the internet side of AWS's network, outside the VPC's
security groups, endpoint policies and flow logs; with it, COPY from the analytics bucket takes the private
network's S3 gateway endpoint (https://docs.aws.amazon.com/redshift/latest/mgmt/enhanced-vpc-routing.html).
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import attr, is_true


class RedshiftEnhancedVpcRouting(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Redshift workgroups and clusters use enhanced VPC routing",
            id="CKV_MESH_REDSHIFT_ENHANCED_VPC_ROUTING",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_redshiftserverless_workgroup", "aws_redshift_cluster"],
            guideline="Set enhanced_vpc_routing = true (RedshiftWarehouse does this).",
        )

    def problems(self, conf: dict):
        if not is_true(attr(conf, "enhanced_vpc_routing")):
            yield "enhanced_vpc_routing is not true: S3 traffic bypasses the VPC"


check = RedshiftEnhancedVpcRouting()
