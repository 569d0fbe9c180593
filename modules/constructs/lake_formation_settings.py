"""Lake Formation data lake settings of one account (an account singleton).

IAMAllowedPrincipals defaults are left out on purpose: omitting `create_database_default_permissions` and
`create_table_default_permissions` clears them, which Lake Formation requires before resources can be shared
across accounts. Destroy-protected: deleting the settings resets CROSS_ACCOUNT_VERSION and clears the admins.
"""
from __future__ import annotations

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.lakeformation_data_lake_settings import LakeformationDataLakeSettings
from constructs import Construct

from meshform.lake_settings import LakeSettings


class LakeFormationSettings(Construct):
    """The account's data lake settings, exactly as `meshform.lake_settings.intended_lake_settings` says (the
    one function `meshform preflight` compares live accounts against).

    Args:
        intended: admins, read-only admins, trusted resource owners, full-table access, cross-account version.

    Attributes:
        settings: the `aws_lakeformation_data_lake_settings` resource (everything Lake Formation does in the
            account depends on it: the deploy role is an admin only once it is applied).
    """

    def __init__(self, scope: Construct, id_: str, *, intended: LakeSettings):
        super().__init__(scope, id_)
        self.settings = LakeformationDataLakeSettings(
            self, "settings",
            admins=list(intended.admins),
            read_only_admins=list(intended.read_only_admins) or None,
            trusted_resource_owners=list(intended.trusted_resource_owners) or None,
            parameters={"CROSS_ACCOUNT_VERSION": intended.cross_account_version},
            allow_external_data_filtering=False,
            # Glue 5.0 jobs in full-table-access mode (a domain's ETL writes) need this on; it vends credentials only
            # for principals that hold full-table permissions (no filters), so it opens nothing filtered
            # (https://docs.aws.amazon.com/glue/latest/dg/security-access-control-fta.html,
            # https://docs.aws.amazon.com/lake-formation/latest/dg/full-table-credential-vending.html).
            allow_full_table_external_data_access=intended.allow_full_table_external_data_access,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True),
        )
