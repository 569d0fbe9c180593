"""CKV_MESH_REDSHIFT_AUDIT_LOGGING — Redshift warehouses export their connection, user and user-activity logs.

Why: who connected, which users changed and which queries ran is the audit trail of a warehouse holding classified
data; without the three logs nothing can show who read a column after the fact
(https://docs.aws.amazon.com/redshift/latest/mgmt/db-auditing.html). Serverless namespaces name them in
`log_exports`; a provisioned cluster's `aws_redshift_logging` must export all three (and its parameter group turns
on `enable_user_activity_logging`, see CKV_MESH_REDSHIFT_REQUIRE_SSL's parameter checks).
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import attr, values

LOGS = ("connectionlog", "useractivitylog", "userlog")


class RedshiftAuditLogging(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Redshift namespaces and cluster logging export connection, user and user-activity logs",
            id="CKV_MESH_REDSHIFT_AUDIT_LOGGING",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_redshiftserverless_namespace", "aws_redshift_logging"],
            guideline="log_exports = [connectionlog, userlog, useractivitylog] (and log_destination_type = "
                      "cloudwatch on aws_redshift_logging); RedshiftWarehouse does this.",
        )

    def problems(self, conf: dict):
        exported = set(values(conf.get("log_exports")))
        missing = [log for log in LOGS if log not in exported]
        if missing:
            yield f"log_exports lacks {', '.join(missing)}"
        if "cluster_identifier" in conf and attr(conf, "log_destination_type") not in ("cloudwatch", "s3"):
            yield "log_destination_type is not set: the logs go nowhere"


check = RedshiftAuditLogging()
