"""CKV_MESH_LF_PERMISSIONS_LEAST_PRIVILEGE — Lake Formation grants never give ALL, SUPER_USER or DROP, nor ALTER
on a database.

Why: ALL/SUPER_USER include DROP and the right to re-grant everything; DROP deletes the catalog entry of a
contracted data product for every consumer; ALTER on a database lets the grantee change its location_uri and so
redirect a whole domain to another bucket. Producers only need DESCRIBE on their database and
ALTER/INSERT/DELETE/SELECT/DESCRIBE on its tables (docs/aws-rules.md, "Glue jobs and Lake Formation access
modes"; modules/constructs/producer_grants.py).
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

import lf_grants
from mesh_check import MeshCheck

NEVER = {"ALL", "SUPER_USER", "DROP"}


class LfPermissionsLeastPrivilege(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Lake Formation grants give no ALL/SUPER_USER/DROP, and no ALTER on a database",
            id="CKV_MESH_LF_PERMISSIONS_LEAST_PRIVILEGE",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_lakeformation_permissions"],
            guideline="List the specific permissions (database: DESCRIBE; tables: SELECT, DESCRIBE, "
                      "and ALTER/INSERT/DELETE for the producer) in permissions and permissions_with_grant_option.",
        )

    def problems(self, conf: dict):
        granted = lf_grants.granted(conf)
        for permission in sorted(granted & NEVER):
            yield f"grants {permission}"
        kind, found = lf_grants.target(conf)
        if "ALTER" in granted and lf_grants.is_database_level(kind, found):
            yield "grants ALTER on a database (it could change the database's location_uri)"


check = LfPermissionsLeastPrivilege()
