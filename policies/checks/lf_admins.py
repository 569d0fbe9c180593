"""CKV_MESH_LF_ADMINS — the Lake Formation admins of an account are exactly the mesh's list for that account.

Why: a data lake administrator can grant anything in the account's catalog, bypassing every contract and
clearance (https://docs.aws.amazon.com/lake-formation/latest/dg/implicit-permissions.html); the admin set is
therefore part of governance: the account's mesh-deploy role (so Terraform can grant) plus the admins the spec names
for that account (governance.admins in the governance account) — nobody else (meshform/lake_settings.py).
The list must equal the mesh facts' list (lake_formation_admins) for the account of the stack being scanned
(from checkov's entity path); where the stack is unknown (fixtures outside a mesh), it must equal one account's
list and contain that account's deploy role.
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import attr, facts, is_reference, values


class LfAdmins(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Lake Formation admins are exactly the account's deploy role (+ the spec's admins in governance)",
            id="CKV_MESH_LF_ADMINS",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_lakeformation_data_lake_settings"],
            guideline="Set admins to the account's mesh-deploy role ARN (plus governance.admins of the environment "
                      "spec in the governance account); add admins in the spec, never in a stack.",
        )

    def problems(self, conf: dict):
        mesh = facts()
        admins = [str(a) for a in values(conf.get("admins"))]
        if any(is_reference(a) for a in admins):
            yield "admins contains an expression; list the ARNs literally so they can be reviewed"
            return
        own = self.stack_account()
        if own is not None:
            expected = sorted(mesh["lake_formation_admins"].get(own, []))
            if sorted(set(admins)) != expected:
                yield f"admins {sorted(admins)} differ from account {own}'s list in the spec {expected}"
            catalog = attr(conf, "catalog_id")
            if catalog and catalog != own:
                yield f"catalog_id {catalog} is not this stack's account {own}"
            return
        matches = [acct for acct, expected in mesh["lake_formation_admins"].items() if set(expected) == set(admins)]
        if not matches:
            closest = [acct for acct, expected in mesh["lake_formation_admins"].items() if set(expected) & set(admins)]
            hint = "; ".join(f"account {a} expects {sorted(mesh['lake_formation_admins'][a])}" for a in closest)
            yield f"admins {sorted(admins)} are not the admin list of any mesh account" + (f" ({hint})" if hint else "")
            return
        account = matches[0]
        deploy_role = mesh["accounts"].get(account, {}).get("deploy_role")
        if deploy_role not in admins:
            yield f"admins lack the deploy role {deploy_role} of account {account}"
        catalog = attr(conf, "catalog_id")
        if catalog and catalog != account:
            yield f"catalog_id {catalog} is not account {account} whose admin list this is"


check = LfAdmins()
