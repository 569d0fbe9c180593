"""CKV_MESH_REDSHIFT_PRIVATE — Redshift warehouses are never publicly accessible.

Why: a publicly accessible workgroup or cluster gets an endpoint resolvable and reachable from the internet (given a
route), which puts every product loaded into it one leaked or guessed credential away from anyone
(https://docs.aws.amazon.com/redshift/latest/mgmt/managing-clusters-vpc.html). Omitting the argument is not
enough: say `publicly_accessible = false` so a changed provider default can never open it.
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import attr


class RedshiftPrivate(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Redshift workgroups and clusters set publicly_accessible = false",
            id="CKV_MESH_REDSHIFT_PRIVATE",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_redshiftserverless_workgroup", "aws_redshift_cluster"],
            guideline="Set publicly_accessible = false (RedshiftWarehouse does this) and keep the warehouse in "
                      "meshform's private network.",
        )

    def problems(self, conf: dict):
        value = attr(conf, "publicly_accessible")
        if value is None:
            yield "publicly_accessible is not set: say false explicitly"
        elif value not in (False, "false"):
            yield f"publicly_accessible is {value!r}: the warehouse gets a public endpoint"


check = RedshiftPrivate()
