"""Lake Formation grants with real state and AWS's rules, grafted onto moto's LakeFormationBackend.

Grants are stored the way ListPermissions answers them (one entry per principal and answer-shaped resource):
a Table grant is split into SELECT on TableWithColumns + ColumnWildcard and the other permissions on Table, and a
TableWildcard is answered with Name ALL_TABLES -- the shapes the Terraform provider's filter.go documents and
handles. Everything a grant refers to must exist, the caller must be allowed to grant it, and cross-account grants
go through AWS RAM (meshform/local/moto_ram.py)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from meshform.local.moto_lf import catalog as cat
from meshform.local.moto_lf import rules
from meshform.local.moto_lf.errors import AccessDenied, AlreadyExists, EntityNotFound, InvalidInput, LakeFormationError
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
        # the request's own Data Catalog answers as {} (what ListPermissions returns for it); another account's
        # catalog or a child catalog keeps its absolute Id
        account, child = rules.catalog_of(body, default_catalog)
        if child is None and account == default_catalog:
            return kind, {}
        return kind, {"Id": account if child is None else f"{account}:{child}"}
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


def resource_catalog(resource: dict) -> str | None:
    kind, body = next(iter(resource.items()))
    if kind == "Catalog":
        return body["Id"].split(":")[0] if body.get("Id") else None
    return body.get("TableCatalogId") if kind == "DataCellsFilter" else body.get("CatalogId")


def _key(principal: str, resource: dict) -> tuple[str, str]:
    return principal, json.dumps(resource, sort_keys=True)


if TYPE_CHECKING:      # grafted onto moto's backend (install()): its attributes are the base's
    from moto.lakeformation.models import LakeFormationBackend as _Backend
else:
    _Backend = object


class StrictLakeFormation(_Backend):
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
            self._permission_store: dict[str, dict[tuple[str, str], Grant]] = {}
        return self._permission_store

    def grants_in(self, catalog_id: str) -> dict[tuple[str, str], Grant]:
        return self.permission_store.setdefault(catalog_id, {})

    # ---- grant
    def strict_grant(self, caller_arn: str, catalog_id: str, principal: dict, resource: dict,
                     permissions: list[str] | None, grantable: list[str] | None) -> None:
        from meshform.local import moto_ram

        identifier, kind, body, entries, owner = self._checked(caller_arn, catalog_id, principal, resource,
                                                                permissions, grantable, revoke=False)
        grantee_account = rules.principal_account(identifier)
        external = grantee_account is not None and grantee_account != owner or identifier.startswith(
            "arn:aws:organizations")
        if external and grantee_account and owner == self.account_id and kind not in ("DataLocation", "Catalog"):
            moto_ram.share_for_grant(self, owner, identifier, grantee_account, kind, body)
        for res, perms, grant_perms in entries:
            stored = self.grants_in(catalog_id).setdefault(_key(identifier, res), Grant(identifier, res))
            stored.permissions |= perms
            stored.grantable |= grant_perms

    def _checked(self, caller_arn: str, catalog_id: str, principal: dict, resource: dict,
                 permissions: list[str] | None, grantable: list[str] | None, revoke: bool):
        """What GrantPermissions and RevokePermissions check alike, in AWS's order: the request shape, that the
        resource exists, that the caller may grant (or revoke) it. Returns (principal, kind, body, entries, owner).
        https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_RevokePermissions.html lists the same
        errors as GrantPermissions; revoking needs what granting needs: a data lake administrator or the grant
        option (https://docs.aws.amazon.com/lake-formation/latest/dg/revoking-permssions-console-all.html)."""
        rules.validate_catalog_id(catalog_id)
        identifier = rules.validate_principal(principal)
        permissions, grantable = list(permissions or []), list(grantable or [])
        kind, body = canonical(resource, catalog_id)
        link = cat.is_resource_link(kind, body, self.region_name)
        rules.validate_permissions(kind, dict(resource[kind]), permissions, grantable, resource_link=link)
        cat.require_exists(kind, body, self.region_name, self.account_id, revoke=revoke)
        if not revoke:
            # revoking from a principal IAM no longer has is allowed (the grant outlives the role)
            self._require_principal_exists(identifier)
        owner = resource_catalog({kind: body}) or catalog_id
        grantee_account = rules.principal_account(identifier)
        external = grantee_account is not None and grantee_account != owner or identifier.startswith(
            "arn:aws:organizations")
        if owner != self.account_id and (grantee_account != self.account_id or identifier.startswith(
                "arn:aws:organizations")):
            # a receiving account grants shared resources only to principals in its own account
            # https://docs.aws.amazon.com/lake-formation/latest/dg/regranting-shared-resources.html
            raise InvalidInput(f"Cannot grant permissions on a resource shared from {owner} to {identifier}: "
                               f"a receiving account grants only to principals in its own account "
                               f"({self.account_id}).")
        if kind == "DataCellsFilter" and external and set(permissions) - {"SELECT"}:
            # only SELECT on a data filter can go to an external account
            # https://docs.aws.amazon.com/lake-formation/latest/dg/granting-filter-perms.html
            raise InvalidInput("Only SELECT on a data cells filter can be granted to an external account.")
        if kind == "LFTag" and external and set(permissions) - rules.EXTERNAL_LFTAG_PERMISSIONS:
            # https://docs.aws.amazon.com/lake-formation/latest/dg/TBAC-granting-tags.html: an external account
            # can be granted DESCRIBE and ASSOCIATE on an LF-tag
            raise InvalidInput(f"Only {sorted(rules.EXTERNAL_LFTAG_PERMISSIONS)} on an LF-tag can be granted to an "
                               f"external account (got {sorted(permissions)}).")
        entries = split(kind, body, set(permissions), set(grantable))
        self._authorize(caller_arn, catalog_id, owner, kind, body, entries)
        return identifier, kind, body, entries, owner

    def _require_principal_exists(self, identifier: str) -> None:
        """An IAM role or user must exist, compared by its full ARN (path included): the provider retries
        GrantPermissions while AWS answers 'Invalid principal' for a role IAM has not propagated yet
        (permissions.go, resourcePermissionsCreate)."""
        if ":iam::" not in identifier or ":saml-provider/" in identifier:
            return
        if not cat.iam_principal_exists(identifier):
            raise InvalidInput(f"Invalid principal: {identifier} does not exist.")

    def is_admin(self, caller_arn: str, read_only: bool = False) -> bool:
        settings = self.settings[self.account_id]
        admins = list(settings.get("DataLakeAdmins") or [])
        if read_only:
            admins += list(settings.get("ReadOnlyAdmins") or [])
        return any(a.get("DataLakePrincipalIdentifier") == caller_arn for a in admins)

    def _authorize(self, caller_arn: str, catalog_id: str, owner: str, kind: str, body: dict,
                   entries: list[tuple[dict, set, set]]) -> None:
        """GrantPermissions needs a data lake administrator or a grant option on the resource
        (https://docs.aws.amazon.com/lake-formation/latest/dg/lake-formation-permissions.html, "Implicit and explicit
        permissions"). On a resource of another account's catalog: only once the RAM share is visible to this
        account; a data lake administrator grants what the account received with the grant option
        (https://docs.aws.amazon.com/lake-formation/latest/dg/cross-account-permissions.html), any other principal
        of the account what it was granted with the grant option inside the account
        (https://docs.aws.amazon.com/lake-formation/latest/dg/data-filtering-notes.html)."""
        from meshform.local import moto_ram

        admin = self.is_admin(caller_arn)
        if owner == self.account_id:
            if admin:
                return
            holders, source, store = [caller_arn], self, self.account_id
        else:
            # another account's Data Catalog itself (CREATE_DATABASE, ...) is not a RAM-shared resource: the account
            # grants on it only what it received on it with the grant option (checked below)
            if kind not in ("DataLocation", "Catalog") and not moto_ram.lf_share_visible(
                    owner, self.account_id, self.region_name) and not self._shared_without_ram(owner, kind, entries):
                raise AccessDenied(f"Insufficient Lake Formation permission(s): nothing from catalog {owner} is "
                                   f"shared with {self.account_id} yet (no accepted AWS RAM resource share).")
            if admin:
                holders, source, store = [self.account_id], cat.lf_backend(owner, self.region_name), owner
            else:
                holders, source, store = [caller_arn], self, self.account_id
        for res, perms, grant_perms in entries:
            needed = perms | grant_perms
            if store == owner != self.account_id and res == {"Catalog": {"Id": owner}}:
                res = {"Catalog": {}}       # the owner's store holds its own root catalog as Catalog {}
            held = source.grantable_on(store, holders, res)
            missing = [] if "ALL" in held else sorted(needed - held)
            if missing and kind == "LFTagPolicy" and owner != self.account_id and \
                    source.cascades_by_describe(store, holders, res):
                continue
            if missing:
                raise AccessDenied(f"Insufficient Lake Formation permission(s): {holders[0]} holds no grant option "
                                   f"for {missing} on {json.dumps(res, sort_keys=True)}.")

    def _shared_without_ram(self, owner: str, kind: str, entries: list[tuple[dict, set, set]]) -> bool:
        """Before cross-account version 3, LF-TBAC grants to another account do not use AWS RAM ("Cross-account
        Lake Formation permission grants don't use AWS RAM to share data",
        https://docs.aws.amazon.com/lake-formation/latest/dg/optimize-ram.html): what the account received
        through an LF-tag policy of such an owner is available at once, no share to accept."""
        from meshform.local import moto_ram

        source = cat.lf_backend(owner, self.region_name)
        if moto_ram.cross_account_version(source) >= 3:
            return False
        if kind in ("LFTag", "LFTagPolicy"):
            return True
        policies = [g for g in source.grants_in(owner).values() if g.principal == self.account_id
                    and next(iter(g.resource)) == "LFTagPolicy"]
        return all(any(covers(g.resource, res, self.region_name) for g in policies) for res, _, _ in entries)

    def grantable_on(self, owner: str, holders: list[str], target: dict) -> set[str]:
        """Permissions the holders may grant on target: held with the grant option on it or on an encompassing
        resource (TableWildcard covers every table of its database; a whole-table SELECT covers its columns and
        its data cells filters; an include list covers a subset; a matching LF-tag policy covers the tables and
        columns whose LF-tags match). `owner` names the grant store (the catalog id the grants were made in)."""
        out: set[str] = set()
        for grant in self.grants_in(owner).values():
            if grant.principal in holders and grant.grantable and covers(grant.resource, target, self.region_name):
                out |= grant.grantable
        return out

    def cascades_by_describe(self, store: str, holders: list[str], policy: dict) -> bool:
        """Cascading rule 2 of an LF-tag policy received from another account: without any grant option, a
        principal of the receiving account may grant on an LF-tag policy when it holds DESCRIBE on every tag-value
        pair the policy names -- but only on a policy that is not exactly the one it received ("This approach only
        works when producer and consumer accounts have different permissions policies"; the identical policy
        needs the grant option, rule 1, and is refused with AccessDeniedException otherwise).
        https://docs.aws.amazon.com/lake-formation/latest/dg/permission-cascading-rules.html,
        https://docs.aws.amazon.com/lake-formation/latest/dg/cross-account-cascading-permissions.html,
        https://docs.aws.amazon.com/lake-formation/latest/dg/cascade-cross-account-permission-procedures.html"""
        body = policy["LFTagPolicy"]
        received = [g for g in self.grants_in(store).values() if g.principal in holders and g.resource == policy]
        if received:
            return False
        return all("DESCRIBE" in self.held_on(store, holders, {"LFTag": {
            "CatalogId": body["CatalogId"], "TagKey": term["TagKey"], "TagValues": [value]}})
            for term in body["Expression"] for value in term["TagValues"])

    def held_on(self, store: str, holders: list[str], target: dict) -> set[str]:
        """Permissions (with or without grant option) the holders have on target or an encompassing resource."""
        out: set[str] = set()
        for grant in self.grants_in(store).values():
            if grant.principal in holders and covers(grant.resource, target, self.region_name):
                out |= grant.permissions
        return out

    # ---- revoke
    def strict_revoke(self, caller_arn: str, catalog_id: str, principal: dict, resource: dict,
                      permissions: list[str] | None, grantable: list[str] | None) -> None:
        """Validated, checked for existence and authorized like a grant (self._checked); a revoke on a column
        include list removes those columns from a larger include-list grant."""
        identifier, kind, body, entries, _ = self._checked(caller_arn, catalog_id, principal, resource,
                                                           permissions, grantable, revoke=True)
        revoked = False
        grants = self.grants_in(catalog_id)
        for res, perms, grant_perms in entries:
            stored = grants.get(_key(identifier, res))
            if stored is None and kind == "TableWithColumns" and "ColumnNames" in body:
                revoked |= self._revoke_columns(catalog_id, identifier, body, perms, grant_perms)
                continue
            if stored is None:
                continue
            before = (set(stored.permissions), set(stored.grantable))
            stored.permissions -= perms
            # a grant option cannot outlive its permission
            stored.grantable -= grant_perms | perms
            revoked |= before != (stored.permissions, stored.grantable)
            if not stored.permissions and not stored.grantable:
                del grants[_key(identifier, res)]
        if not revoked:
            # the provider's destroy ends on exactly this message (permissions.go, resourcePermissionsDelete)
            raise InvalidInput(f"No permissions revoked. Grantee has no {','.join(sorted(set(permissions or [])))} "
                               "permission on the resource.")

    def _revoke_columns(self, catalog_id: str, identifier: str, body: dict, perms: set, grant_perms: set) -> bool:
        """SELECT is held per column: revoking it on some columns of an include-list grant narrows that grant
        (https://docs.aws.amazon.com/lake-formation/latest/dg/revoking-permssions-console-all.html)."""
        grants = self.grants_in(catalog_id)
        wanted = set(body["ColumnNames"])
        for key, stored in list(grants.items()):
            kind, sbody = next(iter(stored.resource.items()))
            if stored.principal != identifier or kind != "TableWithColumns" or "ColumnNames" not in sbody:
                continue
            if (sbody["CatalogId"], sbody["DatabaseName"], sbody["Name"]) != (
                    body["CatalogId"], body["DatabaseName"], body["Name"]):
                continue
            if not wanted <= set(sbody["ColumnNames"]) or not perms & stored.permissions:
                continue
            del grants[key]
            rest = sorted(set(sbody["ColumnNames"]) - wanted)
            if rest:
                res = {"TableWithColumns": {**sbody, "ColumnNames": rest}}
                kept = grants.setdefault(_key(identifier, res), Grant(identifier, res))
                kept.permissions |= stored.permissions
                kept.grantable |= stored.grantable
            return True
        return False

    # ---- list
    def strict_list(self, caller_arn: str, catalog_id: str, principal: dict | None, resource: dict | None,
                    resource_type: str | None) -> list[dict]:
        from meshform.local import moto_ram

        rules.validate_catalog_id(catalog_id)
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
            answer = self._visible_to(caller_arn, catalog_id, grant)
            if answer is None:
                continue
            found.append(answer.answer(moto_ram.lf_shares_for(self, grant)))
        found.sort(key=lambda g: json.dumps(g, sort_keys=True))
        return found

    def _visible_to(self, caller_arn: str, catalog_id: str, grant: Grant) -> Grant | None:
        """ListPermissions "returns a list of the principal permissions on the resource, filtered by the
        permissions of the caller. For example, if you are granted an ALTER permission, you are able to see only
        the principal permissions for ALTER" (https://docs.aws.amazon.com/lake-formation/latest/APIReference/
        API_ListPermissions.html). Data lake administrators and read-only administrators see everything; another
        caller sees its own grants and, of others' grants, the permissions it holds itself on that resource."""
        if self.is_admin(caller_arn, read_only=True) or grant.principal == caller_arn:
            return grant
        mine = self.held_on(catalog_id, [caller_arn], grant.resource)
        if "ALL" in mine:
            return grant
        perms, grantable = grant.permissions & mine, grant.grantable & mine
        if not perms and not grantable:
            return None
        return Grant(grant.principal, grant.resource, perms, grantable)

    # ---- batch
    def strict_batch(self, caller_arn: str, catalog_id: str, entries: list[dict], revoke: bool) -> list[dict]:
        """A bad request CatalogId fails the whole call; each entry's own errors come back in Failures."""
        rules.validate_catalog_id(catalog_id)
        failures = []
        for entry in entries or []:
            try:
                if revoke:
                    self.strict_revoke(caller_arn, catalog_id, entry.get("Principal") or {},
                                       entry.get("Resource") or {}, entry.get("Permissions"),
                                       entry.get("PermissionsWithGrantOption"))
                else:
                    self.strict_grant(caller_arn, catalog_id, entry.get("Principal") or {},
                                      entry.get("Resource") or {}, entry.get("Permissions"),
                                      entry.get("PermissionsWithGrantOption"))
            except LakeFormationError as error:
                # https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_BatchPermissionsFailureEntry.html
                failures.append({"RequestEntry": entry, "Error": {"ErrorCode": error.error_code,
                                                                  "ErrorMessage": error.message}})
        return failures

    # ---- data lake settings
    def strict_put_settings(self, catalog_id: str, settings: dict) -> None:
        """https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_DataLakeSettings.html:
        DataLakeAdmins and ReadOnlyAdmins "Supported principals are IAM users or IAM roles" (that exist: AWS answers
        InvalidInputException "Invalid principal", on which the provider's data_lake_settings.go retries while IAM
        propagates); CreateDatabaseDefaultPermissions / CreateTableDefaultPermissions: "The only permitted values
        are an empty array or an array that contains a single JSON object that grants ALL to
        IAM_ALLOWED_PRINCIPALS"."""
        for field_name in ("DataLakeAdmins", "ReadOnlyAdmins"):
            for admin in settings.get(field_name) or []:
                identifier = (admin or {}).get("DataLakePrincipalIdentifier") or ""
                if not rules.IAM_ARN.match(identifier):
                    raise InvalidInput(f"Invalid principal {identifier!r} in {field_name}: data lake administrators "
                                       "are IAM users or IAM roles.")
                if not cat.iam_principal_exists(identifier):
                    raise InvalidInput(f"Invalid principal: {identifier} in {field_name} does not exist.")
        for field_name in ("CreateDatabaseDefaultPermissions", "CreateTableDefaultPermissions"):
            value = settings.get(field_name)
            if value is None or value == []:
                continue
            only = len(value) == 1 and (value[0].get("Principal") or {}).get(
                "DataLakePrincipalIdentifier") == "IAM_ALLOWED_PRINCIPALS" and value[0].get("Permissions") == ["ALL"]
            if not only:
                raise InvalidInput(f"{field_name} must be empty or grant exactly ALL to IAM_ALLOWED_PRINCIPALS.")
        self.settings[catalog_id] = settings

    # ---- LF-tags (https://docs.aws.amazon.com/lake-formation/latest/dg/managing-tags.html)
    def _may_manage_tag(self, caller_arn: str, catalog_id: str, key: str | None, permission: str) -> bool:
        if self.is_admin(caller_arn):
            return True
        if key is None:
            target: dict[str, Any] = {"Catalog": {}}
            return bool({permission, "ALL"} & self.held_on(catalog_id, [caller_arn], target))
        values = self.list_lf_tags(catalog_id).get(key) or []
        target = {"LFTag": {"CatalogId": catalog_id, "TagKey": key, "TagValues": sorted(values)}}
        return permission in self.held_on(catalog_id, [caller_arn], target)

    def strict_create_lf_tag(self, caller_arn: str, catalog_id: str, key: str, values: list[str]) -> None:
        """CreateLFTag: a data lake administrator or a principal with CREATE_LF_TAG on the catalog
        (https://docs.aws.amazon.com/lake-formation/latest/dg/TBAC-adding-tag-creator.html); an existing key is
        AlreadyExistsException (https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_CreateLFTag.html)."""
        if not self._may_manage_tag(caller_arn, catalog_id, None, "CREATE_LF_TAG"):
            raise AccessDenied(f"Insufficient Lake Formation permission(s): {caller_arn} needs CREATE_LF_TAG on "
                               f"catalog {catalog_id} or to be a data lake administrator.")
        if not values or len(set(values)) != len(values):
            raise InvalidInput("TagValues must be a non-empty list of distinct values.")
        if key in self.list_lf_tags(catalog_id):
            raise AlreadyExists(f"Tag key {key} already exists in catalog {catalog_id}.")
        self.create_lf_tag(catalog_id, key, list(values))

    def _require_tag_key(self, catalog_id: str, key: str) -> list[str]:
        values = self.list_lf_tags(catalog_id).get(key)
        if values is None:
            # https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_UpdateLFTag.html#API_UpdateLFTag_Errors
            raise EntityNotFound(f"Tag key {key} does not exist in catalog {catalog_id}.")
        return list(values)

    def strict_update_lf_tag(self, caller_arn: str, catalog_id: str, key: str, to_delete: list[str] | None,
                             to_add: list[str] | None) -> None:
        values = self._require_tag_key(catalog_id, key)
        if not self._may_manage_tag(caller_arn, catalog_id, key, "ALTER"):
            raise AccessDenied(f"Insufficient Lake Formation permission(s): {caller_arn} needs ALTER on LF-tag {key}.")
        unknown = sorted(set(to_delete or []) - set(values))
        if unknown:
            raise EntityNotFound(f"Tag values {unknown} do not exist for tag key {key}.")
        new = [v for v in values if v not in set(to_delete or [])] + [v for v in to_add or [] if v not in values]
        if not new:
            raise InvalidInput(f"An LF-tag needs at least one value; {key} would have none.")
        self.tagger.untag_resource_using_names(f"arn:lakeformation:{catalog_id}", tag_names=[key])
        self.create_lf_tag(catalog_id, key, new)

    def strict_delete_lf_tag(self, caller_arn: str, catalog_id: str, key: str) -> None:
        self._require_tag_key(catalog_id, key)
        if not self._may_manage_tag(caller_arn, catalog_id, key, "DROP"):
            raise AccessDenied(f"Insufficient Lake Formation permission(s): {caller_arn} needs DROP on LF-tag {key}.")
        self.delete_lf_tag(catalog_id, key)

    def _tag_slots(self, catalog_id: str, resource: dict) -> tuple[str, list[tuple]]:
        """(resource catalog, keys of the moto tag stores) of a Database, Table or TableWithColumns resource,
        which must exist (EntityNotFoundException, API_AddLFTagsToResource#Errors)."""
        kind = rules.resource_kind(resource)
        body = dict(resource[kind])
        catalog = body.get("CatalogId") or catalog_id
        if kind == "Database":
            cat.require_exists("Database", {"CatalogId": catalog, "Name": body.get("Name")}, self.region_name,
                               self.account_id)
            return catalog, [("db", (catalog, body["Name"]))]
        if kind == "Table" and body.get("Name"):
            cat.table_columns(catalog, self.region_name, body.get("DatabaseName") or "", body["Name"])
            return catalog, [("table", (catalog, body["DatabaseName"], body["Name"]))]
        if kind == "TableWithColumns":
            columns = cat.table_columns(catalog, self.region_name, body.get("DatabaseName") or "",
                                        body.get("Name") or "")
            if body.get("ColumnNames"):
                named = list(body["ColumnNames"])
                unknown = sorted(set(named) - set(columns))
                if unknown:
                    raise EntityNotFound(f"Columns {unknown} not found in {body['DatabaseName']}.{body['Name']}.")
            else:
                excluded = set((body.get("ColumnWildcard") or {}).get("ExcludedColumnNames") or [])
                named = [c for c in columns if c not in excluded]
            return catalog, [("column", (catalog, body["DatabaseName"], body["Name"], c)) for c in named]
        raise InvalidInput(f"LF-tags are assigned to databases, tables and columns, not to a {kind} resource.")

    def _tag_store(self, kind: str) -> dict:
        return {"db": self.lf_database_tags, "table": self.lf_table_tags, "column": self.lf_columns_tags}[kind]

    def strict_add_lf_tags(self, caller_arn: str, catalog_id: str, resource: dict, tags: list[dict]) -> list[dict]:
        """AddLFTagsToResource (https://docs.aws.amazon.com/lake-formation/latest/APIReference/
        API_AddLFTagsToResource.html): the resource must exist; one value per key and each key once, else
        InvalidInputException ("Provided list of tags contains duplicate tag key" / "Tag value wild card was found
        or input tag value list has size not equal to 1", hashicorp/terraform-provider-aws#32172); a key or value
        that does not exist comes back in Failures (LFTagError: LFTag + Error) and the other tags are assigned.
        Assigned tags are added to the resource's tags; a key the resource already carries takes the new value
        (one value per key; https://docs.aws.amazon.com/lake-formation/latest/dg/TBAC-assigning-tags.html). The
        caller needs ASSOCIATE on the LF-tag or to be a data lake administrator; the LF-tag and the resource must
        be in the same account."""
        keys = [t.get("TagKey") for t in tags or []]
        if not keys:
            raise InvalidInput("LFTags must not be empty.")
        if len(set(keys)) != len(keys):
            raise InvalidInput("Provided list of tags contains duplicate tag key.")
        for tag in tags:
            if len(tag.get("TagValues") or []) != 1 or "*" in tag["TagValues"]:
                raise InvalidInput("Tag value wild card was found or input tag value list has size not equal to 1.")
        catalog, slots = self._tag_slots(catalog_id, resource)
        existing = self.list_lf_tags(catalog)
        failures, assigned = [], []
        for tag in tags:
            pair = {"CatalogId": tag.get("CatalogId") or catalog, "TagKey": tag["TagKey"],
                    "TagValues": list(tag["TagValues"])}
            if pair["CatalogId"] != catalog:
                raise InvalidInput(f"LF-tag {pair['TagKey']} of catalog {pair['CatalogId']} cannot be assigned to a "
                                   f"resource of catalog {catalog}: they must be in the same account.")
            if pair["TagKey"] not in existing or pair["TagValues"][0] not in existing[pair["TagKey"]]:
                failures.append({"LFTag": pair, "Error": {"ErrorCode": "EntityNotFoundException",
                                                          "ErrorMessage": "Tag or tag value does not exist."}})
                continue
            if not self.is_admin(caller_arn) and "ASSOCIATE" not in self.held_on(catalog, [caller_arn], {
                    "LFTag": {"CatalogId": catalog, "TagKey": pair["TagKey"], "TagValues": pair["TagValues"]}}):
                raise AccessDenied(f"Insufficient Lake Formation permission(s): {caller_arn} needs ASSOCIATE on "
                                   f"LF-tag {pair['TagKey']}.")
            assigned.append(pair)
        for store_kind, key in slots:
            store = self._tag_store(store_kind)
            current = [t for t in store.get(key, []) if t["TagKey"] not in {p["TagKey"] for p in assigned}]
            store[key] = current + [dict(p) for p in assigned]
        return failures

    def strict_remove_lf_tags(self, catalog_id: str, resource: dict, tags: list[dict]) -> list[dict]:
        catalog, slots = self._tag_slots(catalog_id, resource)
        for store_kind, key in slots:
            store = self._tag_store(store_kind)
            drop = {(t["TagKey"], tuple(t.get("TagValues") or [])) for t in tags or []}
            store[key] = [t for t in store.get(key, []) if (t["TagKey"], tuple(t["TagValues"])) not in drop]
        return []

    def strict_get_resource_lf_tags(self, catalog_id: str, resource: dict) -> dict:
        catalog, slots = self._tag_slots(catalog_id, resource)
        out: dict = {}
        for store_kind, key in slots:
            tags = self._tag_store(store_kind).get(key) or []
            if store_kind == "db" and tags:
                out["LFTagOnDatabase"] = tags
            elif store_kind == "table" and tags:
                out["LFTagsOnTable"] = tags
            elif store_kind == "column" and tags:
                out.setdefault("LFTagsOnColumns", []).append({"Name": key[3], "LFTags": tags})
        return out

    # ---- registered locations
    def strict_register_resource(self, resource_arn: str | None, role_arn: str | None,
                                 service_linked: bool) -> None:
        """RegisterResource (https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_RegisterResource.html):
        ResourceArn is the Amazon S3 path to register (an S3 ARN); RoleArn, unless UseServiceLinkedRole, is an
        IAM role that must exist (https://docs.aws.amazon.com/lake-formation/latest/dg/registration-role.html)."""
        if not resource_arn or not rules.S3_ARN.match(resource_arn):
            raise InvalidInput(f"Invalid ResourceArn {resource_arn!r}: register an Amazon S3 location "
                               "(arn:aws:s3:::bucket[/prefix]).")
        if service_linked:
            role_arn = f"arn:aws:iam::{self.account_id}:role/aws-service-role/lakeformation.amazonaws.com/" \
                       "AWSServiceRoleForLakeFormationDataAccess"
        elif not role_arn or ":role/" not in role_arn or not cat.iam_principal_exists(role_arn):
            raise InvalidInput(f"Invalid RoleArn {role_arn!r}: the role does not exist.")
        self.register_resource(resource_arn, role_arn)


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
        return sbody == body
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
        # cascading with the grant option works only with exactly the same LF-tag policy (rule 1 of
        # https://docs.aws.amazon.com/lake-formation/latest/dg/permission-cascading-rules.html; in one account
        # "only using the same LF-Tag expression", https://docs.aws.amazon.com/lake-formation/latest/dg/
        # lf-tag-considerations.html): a narrower or wider policy is not covered (see cascades_by_describe)
        return policy == t
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
        candidates: list[str | None] = list(columns) if columns else [None]
        for column in candidates:
            if not cat.expression_matches(cat.effective_tags(catalog, region, database, table, column), expression):
                return False
    return True
