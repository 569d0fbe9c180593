"""CKV_MESH_REDSHIFT_REQUIRE_SSL — Redshift accepts TLS connections only and logs user activity.

Why: without `require_ssl = true` a client may connect in clear text and send credentials and query results over
the network unencrypted (https://docs.aws.amazon.com/redshift/latest/mgmt/connecting-ssl-support.html); without
`enable_user_activity_logging = true` the user-activity log stays empty. Serverless workgroups set both as
config parameters, provisioned clusters in their parameter group; a cluster on a default parameter group
(`default.redshift-*`, which has require_ssl false) fails.
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import attr, blocks

REQUIRED = {"require_ssl": "true", "enable_user_activity_logging": "true"}


class RedshiftRequireSsl(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Redshift workgroups and parameter groups set require_ssl and enable_user_activity_logging",
            id="CKV_MESH_REDSHIFT_REQUIRE_SSL",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_redshiftserverless_workgroup", "aws_redshift_parameter_group",
                                 "aws_redshift_cluster"],
            guideline="Workgroups: config_parameter require_ssl = true and enable_user_activity_logging = true; "
                      "clusters: a parameter group of their own with both; RedshiftWarehouse does this.",
        )

    def problems(self, conf: dict):
        if "cluster_identifier" in conf:
            group = attr(conf, "cluster_parameter_group_name")
            if not group or (isinstance(group, str) and group.startswith("default.")):
                yield f"cluster_parameter_group_name is {group!r}: a default group does not require TLS"
            return
        if "family" in conf:
            settings = {attr(p, "name"): str(attr(p, "value")).lower() for p in blocks(conf, "parameter")}
        else:
            settings = {attr(p, "parameter_key"): str(attr(p, "parameter_value")).lower()
                        for p in blocks(conf, "config_parameter")}
        for key, wanted in REQUIRED.items():
            if settings.get(key) != wanted:
                yield f"{key} is {settings.get(key)!r}, not {wanted}"


check = RedshiftRequireSsl()
