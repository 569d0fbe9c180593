"""Lake Formation grants with real state and AWS's rules, grafted onto moto's LakeFormationBackend.

Grants are stored the way ListPermissions answers them (one entry per principal and answer-shaped resource):
a Table grant is split into SELECT on TableWithColumns + ColumnWildcard and the other permissions on Table, and a
TableWildcard is answered with Name ALL_TABLES -- the shapes the Terraform provider's filter.go documents and
handles. Everything a grant refers to must exist, the caller must be allowed to grant it, and cross-account grants
go through AWS RAM (meshform/local/moto_ram.py)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from meshform.local.moto_lf import catalog as cat
from meshform.local.moto_lf import rules
from meshform.local.moto_lf.errors import AccessDenied, InvalidInput, LakeFormationError
from meshform.local.moto_lf.rules import ALL_TABLES


@dataclass
class Grant:
    principal: str
    resource: dict
    permissions: set[str] = field(default_factory=set)
    grantable: set[str] = field(default_factory=set)

    def answer(self, share_arns: list[str]) -> dict:
        out = {"Principal": {"DataLakePrincipalIdentifier": self.principal}, "Resource": self.resource,
               "Permissions": sorted(self.permissions), "PermissionsWithGrantOption": sorted(self.grantable)}
        if share_arns:
            # https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_DetailsMap.html
            out["AdditionalDetails"] = {"ResourceShare": share_arns}
        return out


def canonical(resource: dict, default_catalog: str) -> tuple[str, dict]:
    """Validated, answer-shaped (kind, body) with every catalog id filled in, as ListPermissions returns them."""
    kind = rules.resource_kind(resource)
    body = dict(resource[kind])
    rules.validate_shape(kind, body)
    c = body.get("CatalogId") or default_catalog
    if kind == "Catalog":
        return kind, {}
    if kind == "Database":
        return kind, {"CatalogId": c, "Name": body["Name"]}
    if kind == "Table":
        if body.get("TableWildcard") is not None:
            return kind, {"CatalogId": c, "DatabaseName": body["DatabaseName"], "Name": ALL_TABLES,
                          "TableWildcard": {}}
        return kind, {"CatalogId": c, "DatabaseName": body["DatabaseName"], "Name": body["Name"]}
    if kind == "TableWithColumns":
        out = {"CatalogId": c, "DatabaseName": body["DatabaseName"], "Name": body["Name"]}
        if body.get("ColumnNames") is not None:
            out["ColumnNames"] = sorted(set(body["ColumnNames"]))
        else:
            excluded = sorted(set((body.get("ColumnWildcard") or {}).get("ExcludedColumnNames") or []))
            out["ColumnWildcard"] = {"ExcludedColumnNames": excluded} if excluded else {}
        return kind, out
    if kind == "DataLocation":
        return kind, {"CatalogId": c, "ResourceArn": body["ResourceArn"]}
    if kind == "DataCellsFilter":
        return kind, {"TableCatalogId": body.get("TableCatalogId") or default_catalog,
                      "DatabaseName": body["DatabaseName"], "TableName": body["TableName"], "Name": body["Name"]}
    if kind == "LFTag":
        return kind, {"CatalogId": c, "TagKey": body["TagKey"], "TagValues": sorted(set(body["TagValues"]))}
    expression = sorted(({"TagKey": t["TagKey"], "TagValues": sorted(set(t["TagValues"]))}
                         for t in body["Expression"]), key=lambda t: t["TagKey"])
    return kind, {"CatalogId": c, "ResourceType": body["ResourceType"], "Expression": expression}


def split(kind: str, body: dict, permissions: set[str], grantable: set[str]) -> list[tuple[dict, set, set]]:
    """The stored (answer-shaped) entries one grant makes. AWS answers SELECT on a table as TableWithColumns +
    ColumnWildcard and the rest as Table (provider filter.go, filterTablePermissions)."""
    whole_table = kind == "Table" or (kind == "TableWithColumns" and body.get("ColumnWildcard") == {})
    if not whole_table:
        return [({kind: body}, permissions, grantable)]
    name = body["Name"]
    table = {"CatalogId": body["CatalogId"], "DatabaseName": body["DatabaseName"], "Name": name}
    if name == ALL_TABLES or body.get("TableWildcard") is not None:
        table["TableWildcard"] = {}
    columns = {"CatalogId": body["CatalogId"], "DatabaseName": body["DatabaseName"], "Name": name,
               "ColumnWildcard": {}}
    out = []
    if permissions - {"SELECT"} or grantable - {"SELECT"}:
        out.append(({"Table": table}, permissions - {"SELECT"}, grantable - {"SELECT"}))
    if "SELECT" in permissions | grantable:
        out.append(({"TableWithColumns": columns}, permissions & {"SELECT"}, grantable & {"SELECT"}))
    return out


def resource_catalog(resource: dict) -> str:
    kind, body = next(iter(resource.items()))
    return body.get("TableCatalogId") if kind == "DataCellsFilter" else body.get("CatalogId")


def _key(principal: str, resource: dict) -> tuple[str, str]:
    return principal, json.dumps(resource, sort_keys=True)


class StrictLakeFormation:
    """Methods and state installed onto moto's LakeFormationBackend (see install())."""

    account_id: str
    region_name: str
    settings: Any
    resources: Any

    # ---- state
    @property
    def permission_store(self) -> dict[str, dict[tuple[str, str], Grant]]:
        """catalog id (the account whose Lake Formation holds the grant) -> grants."""
        if not hasattr(self, "_permission_store"):
            self._permission_store = {}
        return self._permission_store

    def grants_in(self, catalog_id: str) -> dict[tuple[str, str], Grant]:
        return self.permission_store.setdefault(catalog_id, {})

    # ---- grant
    def strict_grant(self, caller_arn: str, catalog_id: str, principal: dict, resource: dict,
                     permissions: list[str] | None, grantable: list[str] | None) -> None:
        from meshform.local import moto_ram

        identifier = rules.validate_principal(principal)
        permissions, grantable = list(permissions or []), list(grantable or [])
        kind, body = canonical(resource, catalog_id)
        rules.validate_permissions(kind, dict(resource[kind]), permissions, grantable)
        cat.require_exists(kind, body, self.region_name, self.account_id)
        self._require_principal_exists(identifier)
        owner = resource_catalog({kind: body}) or catalog_id
        grantee_account = rules.principal_account(identifier)
        external = grantee_account is not None and grantee_account != owner or identifier.startswith(
            "arn:aws:organizations")
        if kind == "DataCellsFilter" and external and set(permissions) - {"SELECT"}:
            # only SELECT on a data filter can go to an external account
            # https://docs.aws.amazon.com/lake-formation/latest/dg/granting-filter-perms.html
            raise InvalidInput("Only SELECT on a data cells filter can be granted to an external account.")
        entries = split(kind, body, set(permissions), set(grantable))
        self._authorize(caller_arn, catalog_id, owner, kind, body, entries)
        if external and grantee_account and owner == self.account_id and kind not in ("DataLocation", "Catalog"):
            moto_ram.share_for_grant(self, owner, identifier, grantee_account, kind, body)
        for res, perms, grant_perms in entries:
            stored = self.grants_in(catalog_id).setdefault(_key(identifier, res), Grant(identifier, res))
            stored.permissions |= perms
            stored.grantable |= grant_perms

    def _require_principal_exists(self, identifier: str) -> None:
        """An IAM role or user must exist: the provider retries GrantPermissions while AWS answers
        'Invalid principal' for a role IAM has not propagated yet (permissions.go, resourcePermissionsCreate)."""
        if ":iam::" not in identifier or ":saml-provider/" in identifier:
            return
        from moto.iam.models import iam_backends

        account, path = identifier.split(":")[4], identifier.split(":", 5)[5]
        kind, name = path.split("/", 1)[0], path.rsplit("/", 1)[-1]
        iam = iam_backends[account]["global"]
        known = ({r.name for r in iam.roles.values()} if kind == "role" else set(iam.users))
        if name not in known:
            raise InvalidInput(f"Invalid principal: {identifier} does not exist.")

    def is_admin(self, caller_arn: str) -> bool:
        admins = self.settings[self.account_id].get("DataLakeAdmins") or []
        return any(a.get("DataLakePrincipalIdentifier") == caller_arn for a in admins)

    def _authorize(self, caller_arn: str, catalog_id: str, owner: str, kind: str, body: dict,
                   entries: list[tuple[dict, set, set]]) -> None:
        """GrantPermissions needs a data lake administrator or a grant option on the resource
        (https://docs.aws.amazon.com/lake-formation/latest/dg/lake-formation-permissions.html, "Implicit and explicit
        permissions"); a resource of another account's catalog can be granted on only by a data lake administrator
        of the receiving account, only what that account received with the grant option, and only once the RAM
        share is visible to it (https://docs.aws.amazon.com/lake-formation/latest/dg/cross-account-permissions.html)."""
        from meshform.local import moto_ram

        admin = self.is_admin(caller_arn)
        if owner == self.account_id:
            if admin:
                return
            holders, source = [caller_arn], self
        else:
            if not admin:
                raise AccessDenied(f"Insufficient Lake Formation permission(s): {caller_arn} is not a data lake "
                                   f"administrator of {self.account_id}, and only an administrator can grant on "
                                   f"resources shared from {owner}.")
            if kind not in ("DataLocation",) and not moto_ram.lf_share_visible(owner, self.account_id,
                                                                              self.region_name):
                raise AccessDenied(f"Insufficient Lake Formation permission(s): nothing from catalog {owner} is "
                                   f"shared with {self.account_id} yet (no accepted AWS RAM resource share).")
            holders, source = [self.account_id], cat.lf_backend(owner, self.region_name)
        for res, perms, grant_perms in entries:
            needed = perms | grant_perms
            held = source.grantable_on(owner, holders, res)
            missing = [] if "ALL" in held else sorted(needed - held)
            if missing:
                raise AccessDenied(f"Insufficient Lake Formation permission(s): {holders[0]} holds no grant option "
                                   f"for {missing} on {json.dumps(res, sort_keys=True)}.")

    def grantable_on(self, owner: str, holders: list[str], target: dict) -> set[str]:
        """Permissions the holders may grant on target: held with the grant option on it or on an encompassing
        resource (TableWildcard covers every table of its database; a whole-table SELECT covers its columns and
        its data cells filters; an include list covers a subset; a matching LF-tag policy covers the tables and
        columns whose LF-tags match)."""
        out: set[str] = set()
        for grant in self.grants_in(owner).values():
            if grant.principal in holders and grant.grantable and covers(grant.resource, target, self.region_name):
                out |= grant.grantable
        return out

    # ---- revoke
    def strict_revoke(self, catalog_id: str, principal: dict, resource: dict, permissions: list[str] | None,
                      grantable: list[str] | None) -> None:
        identifier = rules.validate_principal(principal)
        kind, body = canonical(resource, catalog_id)
        permissions, grantable = set(permissions or []), set(grantable or [])
        revoked = False
        for res, perms, grant_perms in split(kind, body, permissions, grantable):
            stored = self.grants_in(catalog_id).get(_key(identifier, res))
            if stored is None:
                continue
            before = (set(stored.permissions), set(stored.grantable))
            stored.permissions -= perms
            # a grant option cannot outlive its permission
            stored.grantable -= grant_perms | perms
            revoked |= before != (stored.permissions, stored.grantable)
            if not stored.permissions and not stored.grantable:
                del self.grants_in(catalog_id)[_key(identifier, res)]
        if not revoked:
            # the provider's destroy ends on exactly this message (permissions.go, resourcePermissionsDelete)
            raise InvalidInput(f"No permissions revoked. Grantee has no {','.join(sorted(permissions))} "
                               "permission on the resource.")

    # ---- list
    def strict_list(self, catalog_id: str, principal: dict | None, resource: dict | None,
                    resource_type: str | None) -> list[dict]:
        from meshform.local import moto_ram

        if principal is not None and resource is None:
            raise InvalidInput("Resource is mandatory if Principal is set in the input.")
        if resource_type is not None and resource_type not in _RESOURCE_TYPES:
            raise InvalidInput(f"Invalid ResourceType {resource_type}.")
        query = None
        if resource is not None:
            if resource.get("TableWithColumns") is not None:
                # ListPermissions takes a Table, not TableWithColumns (provider permissions.go reads TWC as Table)
                raise InvalidInput("ListPermissions does not accept a TableWithColumns resource; use Table.")
            kind, body = canonical(resource, catalog_id)
            query = (kind, body)
        identifier = (principal or {}).get("DataLakePrincipalIdentifier")
        found = []
        for grant in self.grants_in(catalog_id).values():
            if identifier is not None and grant.principal != identifier:
                continue
            gkind = next(iter(grant.resource))
            if resource_type and gkind not in _RESOURCE_TYPES[resource_type]:
                continue
            if resource_type in ("LF_TAG_POLICY_DATABASE", "LF_TAG_POLICY_TABLE") and \
                    grant.resource[gkind]["ResourceType"] != resource_type.rsplit("_", 1)[1]:
                continue
            if query is not None and not listed_for(grant.resource, *query):
                continue
            found.append(grant.answer(moto_ram.lf_shares_for(self, grant)))
        found.sort(key=lambda g: json.dumps(g, sort_keys=True))
        return found

    # ---- batch
    def strict_batch(self, caller_arn: str, catalog_id: str, entries: list[dict], revoke: bool) -> list[dict]:
        failures = []
        for entry in entries or []:
            try:
                if revoke:
                    self.strict_revoke(catalog_id, entry.get("Principal"), entry.get("Resource") or {},
                                       entry.get("Permissions"), entry.get("PermissionsWithGrantOption"))
                else:
                    self.strict_grant(caller_arn, catalog_id, entry.get("Principal"), entry.get("Resource") or {},
                                      entry.get("Permissions"), entry.get("PermissionsWithGrantOption"))
            except LakeFormationError as error:
                # https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_BatchPermissionsFailureEntry.html
                failures.append({"RequestEntry": entry, "Error": {"ErrorCode": error.error_code,
                                                                  "ErrorMessage": error.message}})
        return failures


_RESOURCE_TYPES = {"CATALOG": ("Catalog",), "DATABASE": ("Database",), "TABLE": ("Table", "TableWithColumns"),
                   "DATA_LOCATION": ("DataLocation",), "LF_TAG": ("LFTag",), "LF_TAG_POLICY": ("LFTagPolicy",),
                   "LF_TAG_POLICY_DATABASE": ("LFTagPolicy",), "LF_TAG_POLICY_TABLE": ("LFTagPolicy",),
                   "LF_NAMED_TAG_EXPRESSION": ()}


def listed_for(stored: dict, kind: str, body: dict) -> bool:
    """Does a stored grant answer a ListPermissions Resource? A Table query also answers the table's
    TableWithColumns grants (the provider filters them, filter.go); a TableWildcard query answers ALL_TABLES."""
    skind, sbody = next(iter(stored.items()))
    if kind == "Table":
        if skind not in ("Table", "TableWithColumns"):
            return False
        if (sbody["CatalogId"], sbody["DatabaseName"]) != (body["CatalogId"], body["DatabaseName"]):
            return False
        return sbody["Name"] == body["Name"]
    if skind != kind:
        return False
    if kind == "Catalog":
        return True
    if kind == "LFTag":
        return sbody["CatalogId"] == body["CatalogId"] and sbody["TagKey"] == body["TagKey"]
    return sbody == body


def covers(held: dict, target: dict, region: str) -> bool:
    hkind, h = next(iter(held.items()))
    tkind, t = next(iter(target.items()))
    if held == target:
        return True
    if hkind == "LFTagPolicy":
        return _policy_covers(h, tkind, t, region)
    if hkind == "Table" and tkind == "Table":
        return "TableWildcard" in h and (h["CatalogId"], h["DatabaseName"]) == (t["CatalogId"], t["DatabaseName"])
    if hkind == "TableWithColumns" and h.get("ColumnWildcard") == {}:
        if tkind == "TableWithColumns" and (h["CatalogId"], h["DatabaseName"]) == (t["CatalogId"],
                                                                                    t["DatabaseName"]):
            return h["Name"] in (t["Name"], ALL_TABLES)
        if tkind == "DataCellsFilter":
            return (h["CatalogId"], h["DatabaseName"]) == (t["TableCatalogId"], t["DatabaseName"]) and \
                h["Name"] in (t["TableName"], ALL_TABLES)
        return False
    if hkind == tkind == "TableWithColumns" and (h["CatalogId"], h["DatabaseName"], h["Name"]) == (
            t["CatalogId"], t["DatabaseName"], t["Name"]):
        if "ColumnNames" in h and "ColumnNames" in t:
            return set(t["ColumnNames"]) <= set(h["ColumnNames"])
        excluded = set((h.get("ColumnWildcard") or {}).get("ExcludedColumnNames") or [])
        if excluded and "ColumnNames" in t:
            return not set(t["ColumnNames"]) & excluded
        return False
    if hkind == tkind == "LFTag":
        return (h["CatalogId"], h["TagKey"]) == (t["CatalogId"], t["TagKey"]) and \
            set(t["TagValues"]) <= set(h["TagValues"])
    if hkind == tkind == "DataLocation":
        return h["CatalogId"] == t["CatalogId"] and cat._covers_location(h["ResourceArn"], t["ResourceArn"])
    return False


def _policy_covers(policy: dict, tkind: str, t: dict, region: str) -> bool:
    """An LF-tag policy covers the resources whose (inherited) LF-tags match its expression
    (https://docs.aws.amazon.com/lake-formation/latest/dg/tag-based-access-control.html). For a table or a column
    list every named column must match; DATABASE policies cover databases."""
    expression, catalog = policy["Expression"], policy["CatalogId"]
    if tkind == "LFTagPolicy":
        if (t["CatalogId"], t["ResourceType"]) != (catalog, policy["ResourceType"]):
            return False
        narrower = {term["TagKey"]: set(term["TagValues"]) for term in t["Expression"]}
        return all(term["TagKey"] in narrower and narrower[term["TagKey"]] <= set(term["TagValues"])
                   for term in expression)
    if policy["ResourceType"] == "DATABASE":
        return tkind == "Database" and t["CatalogId"] == catalog and cat.expression_matches(
            cat.effective_tags(catalog, region, t["Name"], "", None), expression)
    if tkind not in ("Table", "TableWithColumns") or t["CatalogId"] != catalog:
        return False
    database = t["DatabaseName"]
    tables = cat.tables_of(catalog, region, database) if t["Name"] == ALL_TABLES else [t["Name"]]
    for table in tables:
        columns = cat.table_columns(catalog, region, database, table)
        if "ColumnNames" in t:
            columns = t["ColumnNames"]
        else:
            columns = [c for c in columns if c not in ((t.get("ColumnWildcard") or {}).get(
                "ExcludedColumnNames") or [])]
        for column in columns or [None]:
            if not cat.expression_matches(cat.effective_tags(catalog, region, database, table, column), expression):
                return False
    return True
