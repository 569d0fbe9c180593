"""What each account's Lake Formation data lake settings will be after its stack applied: one function, no jsii.

`aws_lakeformation_data_lake_settings` calls PutDataLakeSettings, which REPLACES the account's whole settings
(admin lists, default permissions, trusted owners): anything not listed here is removed by the first apply.
https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_PutDataLakeSettings.html

The stacks (modules/constructs/lake_formation_settings.py, via modules/stacks/governance.py and subscriber.py) and
`meshform preflight` both derive the settings from `intended_lake_settings`, so the preflight compares an account
against exactly what will be written.
"""
from __future__ import annotations

from dataclasses import dataclass

from meshform.spec.mesh import Mesh

# The cross-account version every account is set to (https://docs.aws.amazon.com/lake-formation/latest/dg/cross-account-version.html).
CROSS_ACCOUNT_VERSION = "4"
IAM_ALLOWED_PRINCIPALS = "IAM_ALLOWED_PRINCIPALS"


@dataclass(frozen=True)
class LakeSettings:
    """Sorted, de-duplicated lists, as the stack writes them. Default permissions are always empty."""

    admins: tuple[str, ...]
    read_only_admins: tuple[str, ...]
    trusted_resource_owners: tuple[str, ...]
    # Domains only: Glue 5.0 full-table-access jobs (the domain's ETL) need AllowFullTableExternalDataAccess.
    allow_full_table_external_data_access: bool = False
    cross_account_version: str = CROSS_ACCOUNT_VERSION


def intended_lake_settings(mesh: Mesh, account_id: str) -> LakeSettings:
    """governance: deploy role + governance.admins, read-only admins = governance.read_only_admins;
    a domain or consumer: deploy role + its spec admins, no read-only admins, the governance account trusted;
    full-table external data access on for domains only."""
    deploy_role = mesh.deploy_role_arn(account_id)
    owner = mesh.all_accounts()[account_id]
    if owner == "governance":
        gov = mesh.spec.governance
        return LakeSettings(admins=_sorted([deploy_role, *gov.admins]),
                            read_only_admins=_sorted(gov.read_only_admins), trusted_resource_owners=())
    return LakeSettings(admins=_sorted([deploy_role, *mesh.subscriber(owner).admins]), read_only_admins=(),
                        trusted_resource_owners=(mesh.governance_account,),
                        allow_full_table_external_data_access=owner in mesh.spec.domains)


def _sorted(values) -> tuple[str, ...]:
    return tuple(sorted(set(values)))
