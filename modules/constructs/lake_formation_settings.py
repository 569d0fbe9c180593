"""Lake Formation data lake settings of one account (an account singleton).

IAMAllowedPrincipals defaults are left out on purpose: omitting `create_database_default_permissions` and
`create_table_default_permissions` clears them, which Lake Formation requires before resources can be shared
across accounts. Destroy-protected: deleting the settings resets CROSS_ACCOUNT_VERSION and clears the admins.
"""
from __future__ import annotations

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.lakeformation_data_lake_settings import LakeformationDataLakeSettings
from constructs import Construct

CROSS_ACCOUNT_VERSION = "4"


class LakeFormationSettings(Construct):
    def __init__(self, scope: Construct, id_: str, *, admins: list[str], read_only_admins: list[str] | None = None,
                 trusted_resource_owners: list[str] | None = None, full_table_access_for_glue: bool = False):
        super().__init__(scope, id_)
        self.settings = LakeformationDataLakeSettings(
            self, "settings",
            admins=sorted(set(admins)),
            read_only_admins=sorted(set(read_only_admins or [])) or None,
            trusted_resource_owners=sorted(set(trusted_resource_owners or [])) or None,
            parameters={"CROSS_ACCOUNT_VERSION": CROSS_ACCOUNT_VERSION},
            allow_external_data_filtering=False,
            # Glue 5.0 jobs in full-table-access mode (a domain's ETL writes) need this on; it vends credentials only
            # for principals that hold full-table permissions (no filters), so it opens nothing filtered
            # (https://docs.aws.amazon.com/glue/latest/dg/security-access-control-fta.html,
            # https://docs.aws.amazon.com/lake-formation/latest/dg/full-table-credential-vending.html).
            allow_full_table_external_data_access=full_table_access_for_glue,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True),
        )
