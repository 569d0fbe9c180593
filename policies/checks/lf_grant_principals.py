"""CKV_MESH_LF_GRANT_PRINCIPALS — Lake Formation grants go to mesh accounts, or to local roles on the central catalog.

Why: the mesh shares data by granting to ACCOUNTS (12-digit ids); each receiving account's admin re-grants to its
own roles. Direct grants to another account's IAM principals bypass that account's governance and hit provider
read bugs (choreography §A intro, §A.8.1). So:
- a 12-digit principal must be a mesh account (never an account outside the mesh);
- an IAM-ARN principal must belong to a mesh account and is allowed only as a re-grant on the central catalog
  (catalog_id = governance account) to a role outside the governance account, or, without catalog_id, to a role of
  the governance account itself (a stack's own account is not visible to a resource check: this is the practical
  approximation);
- the grant option goes only to mesh accounts (their admins re-grant; local roles never do);
- never a Lake Formation admin (implicit permissions make the grant fail on destroy) and never
  IAM_ALLOWED_PRINCIPALS, organizations/OUs or other principal kinds.
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

import lf_grants
from mesh_check import MeshCheck
from mesh_facts import account_of_arn, attr, facts, is_account_id, is_reference, values


class LfGrantPrincipals(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Lake Formation grants go to mesh accounts (grant option only to them) or to local roles",
            id="CKV_MESH_LF_GRANT_PRINCIPALS",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_lakeformation_permissions"],
            guideline="Grant to the subscriber's 12-digit account id (with grant option) from the governance stack; "
                      "re-grant to a local role in the subscriber's own stack with catalog_id = governance account "
                      "and no grant option.",
        )

    def problems(self, conf: dict):
        mesh = facts()
        accounts, governance = mesh["accounts"], mesh["governance_account"]
        principal = str(attr(conf, "principal", ""))
        grant_option = values(conf.get("permissions_with_grant_option"))
        admins = {a for listed in mesh["lake_formation_admins"].values() for a in listed}
        if is_reference(principal) or not principal:
            yield f"principal {principal!r} is not a literal account id or ARN"
            return
        if principal in admins:
            yield f"principal {principal} is a Lake Formation admin (implicit permissions; destroy would fail)"
        if is_account_id(principal):
            if principal not in accounts:
                yield f"account {principal} is not a mesh account"
            return
        account = account_of_arn(principal) if ":iam::" in principal else None
        if account is None:
            yield f"principal {principal} is neither a mesh account id nor an IAM role/user ARN"
            return
        if grant_option:
            yield f"grant option {sorted(grant_option)} to IAM principal {principal}: only accounts may re-grant"
        if account not in accounts:
            yield f"principal {principal} is in account {account}, which is not a mesh account"
            return
        catalog = lf_grants.catalog_of(conf)
        if catalog and not (catalog == governance and account != governance):
            yield (f"IAM principal {principal} on catalog {catalog}: local roles may only receive re-grants on the "
                   f"central catalog ({governance}) in their own account")
        if not catalog and account != governance:
            yield (f"IAM principal {principal} of account {account} granted without catalog_id: grant to the account "
                   f"{account} instead and let it re-grant (catalog_id = {governance})")


check = LfGrantPrincipals()
