"""CKV_MESH_LF_GRANT_PRINCIPALS — Lake Formation grants go to other mesh accounts, or to the stack's own IAM roles.

Why: the mesh shares data by granting to ACCOUNTS (12-digit ids); each receiving account's admin re-grants to its
own roles (docs/aws-rules.md, "Lake Formation sharing"). Direct grants to another account's IAM principals bypass
that account's governance and hit provider read bugs (hashicorp/terraform-provider-aws#48360: the read-back of a
grant to a cross-account role times out). The rule knows the account of the stack it scans (the stack directory's
name, mapped by the mesh facts' stack_accounts), so:
- a 12-digit principal must be a mesh account (never an account outside the mesh) and never the stack's own
  account (an account does not grant to itself; its admin grants to its roles);
- an IAM-ARN principal must be a role/user of the stack's own account (a local grant or re-grant); when the grant's
  resource names a catalog_id it must be the central catalog (governance account) or the stack's own catalog
  (no catalog_id = the stack's own catalog, e.g. DESCRIBE on its local resource links, named like
  the shared database);
- the grant option goes only to mesh accounts (their admins re-grant; local roles never do);
- never a Lake Formation admin (implicit permissions make the grant fail on destroy) and never
  IAM_ALLOWED_PRINCIPALS, organizations/OUs or other principal kinds;
- a stack whose account is unknown (not scanned through `meshform check`) fails: the rule cannot judge it.
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

import lf_grants
from mesh_check import MeshCheck
from mesh_facts import account_of_arn, attr, facts, is_account_id, is_reference, stack_of, values


class LfGrantPrincipals(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Lake Formation grants go to other mesh accounts (grant option only to them) or to the stack's "
                 "own roles",
            id="CKV_MESH_LF_GRANT_PRINCIPALS",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_lakeformation_permissions"],
            guideline="Grant to the subscriber's 12-digit account id (with grant option) from the governance stack; "
                      "re-grant to the subscriber's own roles in the subscriber's own stack, on the central catalog "
                      "(catalog_id = governance account) or on its local resource links (no catalog_id), without "
                      "grant option.",
        )

    def problems(self, conf: dict):
        mesh = facts()
        accounts, governance = mesh["accounts"], mesh["governance_account"]
        own = self.stack_account()
        principal = str(attr(conf, "principal", ""))
        grant_option = values(conf.get("permissions_with_grant_option"))
        admins = {a for listed in mesh["lake_formation_admins"].values() for a in listed}
        if own is None:
            yield ("cannot tell which account this stack belongs to: run through meshform check "
                   f"(stack {stack_of(self.entity_path)!r} is not in the mesh facts' stack_accounts)")
        if is_reference(principal) or not principal:
            yield f"principal {principal!r} is not a literal account id or ARN"
            return
        if principal in admins:
            yield f"principal {principal} is a Lake Formation admin (implicit permissions; destroy would fail)"
        if is_account_id(principal):
            if principal not in accounts:
                yield f"account {principal} is not a mesh account"
            elif own is not None and principal == own:
                yield (f"account {principal} is this stack's own account: grant to its IAM roles instead "
                       f"(an account's admin re-grants, it does not grant to itself)")
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
        if own is None:
            return
        if account != own:
            yield (f"IAM principal {principal} of account {account} granted from a stack of account {own}: grant to "
                   f"the account {account} from the governance stack and let its own stack re-grant to its roles")
        catalog = lf_grants.catalog_of(conf)
        if catalog and catalog not in (governance, own):
            yield (f"IAM principal {principal} on catalog {catalog}: local grants are made on the central catalog "
                   f"({governance}) or on this stack's own catalog ({own}, or no catalog_id)")


check = LfGrantPrincipals()
