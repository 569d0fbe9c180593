"""The comparisons, on plain data (what AWS answered vs meshform/audit/expected.py): no AWS calls here, so each
rule is unit-tested on constructed states (tests/test_audit_compare.py).

What counts as expected besides the declared state (docs/audit.md, "What is expected"):
- permissions the account's own data lake administrators (the deploy role, the spec's admins and read-only admins)
  hold on the account's own catalog: Lake Formation gives admins and resource creators implicit permissions
  (https://docs.aws.amazon.com/lake-formation/latest/dg/implicit-permissions.html), and the deploy role creates
  every database, table and filter;
- RAM shares the governance account's Lake Formation created for the grants (their ARNs are not known upfront).
Everything else that differs is drift."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from meshform import naming
from meshform.audit.expected import Expected
from meshform.audit.normalize import Atoms, Key, label
from meshform.audit.report import CHANGED, EXTRA, IAM_ALLOWED, MISSING, UNKNOWN_PRINCIPAL, Finding
from meshform.lake_settings import IAM_ALLOWED_PRINCIPALS
from meshform.ram_handshake import LF_SHARE_PREFIX
from meshform.spec.mesh import Mesh

# https://docs.aws.amazon.com/lake-formation/latest/dg/change-settings.html (IAMAllowedPrincipals defaults)
DEFAULTS_DOC = "https://docs.aws.amazon.com/lake-formation/latest/dg/change-settings.html"


def _stack_hint(exp: Expected, key: Key) -> str:
    """Which stack declares a resource of this account (to re-apply on a missing or changed grant)."""
    env, account = exp.env, exp.account
    if account.kind == "governance":
        if key[0] == "lf-tag":
            return f"{env}-governance"
        database = key[2] if key[0] in ("database", "table", "columns", "filter") else None
        return naming.catalog_stack_name(env, database) if database else f"{env}-catalog-<domain> stacks"
    return naming.stack_name(env, account.kind, account.name)


def _settings_stack(exp: Expected) -> str:
    """The stack writing the account's data lake settings."""
    if exp.account.kind == "governance":
        return naming.stack_name(exp.env, "governance")
    return naming.stack_name(exp.env, exp.account.kind, exp.account.name)


def _perms(atoms: Iterable[tuple[str, bool]]) -> tuple[str, ...]:
    return tuple(sorted(f"{p} (grantable)" if g else p for p, g in atoms))


def compare_permissions(exp: Expected, live: Atoms) -> list[Finding]:
    account = exp.account_id
    grouped: dict[tuple[str, Key], tuple[dict[str, bool], dict[str, bool]]] = {}
    for (principal, key, permission), grantable in exp.grants.items():
        grouped.setdefault((principal, key), ({}, {}))[0][permission] = grantable
    for (principal, key, permission), grantable in live.items():
        grouped.setdefault((principal, key), ({}, {}))[1][permission] = grantable
    out = []
    for (principal, key), (want, have) in sorted(grouped.items(), key=lambda i: repr(i[0])):
        extra = [(p, g) for p, g in have.items() if p not in want]
        missing = [(p, g) for p, g in want.items() if p not in have]
        changed = [(p, have[p]) for p in want if p in have and have[p] != want[p]]
        what = label(key)
        if extra:
            if principal == IAM_ALLOWED_PRINCIPALS:
                out.append(Finding(account, "permissions", IAM_ALLOWED, principal, what, _perms(extra),
                                   "revoke it: IAMAllowedPrincipals hands the resource to every IAM principal with "
                                   f"Glue rights, bypassing Lake Formation ({DEFAULTS_DOC})"))
            elif principal not in exp.known_principals:
                out.append(Finding(account, "permissions", UNKNOWN_PRINCIPAL, principal, what, _perms(extra),
                                   f"revoke it (RevokePermissions in {account}): the spec knows no such principal"))
            elif principal in exp.implicit_holders and key[1] == account:
                pass        # an admin's implicit permissions on its own catalog (module docstring)
            else:
                out.append(Finding(account, "permissions", EXTRA, principal, what, _perms(extra),
                                   f"revoke it (RevokePermissions in {account}), or declare it in "
                                   "environments/*.yaml (subscriptions, grants) if it is intended"))
        if missing:
            out.append(Finding(account, "permissions", MISSING, principal, what, _perms(missing),
                               f"re-apply {_stack_hint(exp, key)} (terraform apply restores it)"))
        if changed:
            out.append(Finding(account, "permissions", CHANGED, principal, what,
                               tuple(f"{p}: grantable {'yes' if g else 'no'} (declared {'no' if g else 'yes'})"
                                     for p, g in sorted(changed)),
                               f"re-apply {_stack_hint(exp, key)}"))
    return out


def _admins(entries: Any) -> set[str]:
    return {e.get("DataLakePrincipalIdentifier", "") for e in entries or []}


def compare_settings(exp: Expected, settings: dict[str, Any]) -> list[Finding]:
    """GetDataLakeSettings vs intended_lake_settings (the whole settings object the stack writes)."""
    account, intended = exp.account_id, exp.settings
    stack = _settings_stack(exp)
    out = []
    for field, declared in (("DataLakeAdmins", intended.admins), ("ReadOnlyAdmins", intended.read_only_admins)):
        live = _admins(settings.get(field))
        for principal in sorted(live - set(declared)):
            out.append(Finding(account, "admins", EXTRA, principal, f"{field} of {account}", ("data lake admin",),
                               f"remove it (re-apply {stack}: the settings are written whole), or add it to the "
                               "spec's admins if it is intended"))
        for principal in sorted(set(declared) - live):
            out.append(Finding(account, "admins", MISSING, principal, f"{field} of {account}", ("data lake admin",),
                               f"re-apply {stack}"))
    for field in ("CreateDatabaseDefaultPermissions", "CreateTableDefaultPermissions"):
        for entry in settings.get(field) or []:
            principal = (entry.get("Principal") or {}).get("DataLakePrincipalIdentifier", "")
            kind = IAM_ALLOWED if principal == IAM_ALLOWED_PRINCIPALS else EXTRA
            out.append(Finding(account, "settings", kind, principal, f"{field} of {account}",
                               tuple(sorted(entry.get("Permissions") or [])),
                               f"re-apply {stack} (it clears the defaults); new databases/tables would otherwise be "
                               f"open to IAM ({DEFAULTS_DOC})"))
    checks = [
        ("TrustedResourceOwners", sorted(settings.get("TrustedResourceOwners") or []),
         sorted(intended.trusted_resource_owners)),
        ("AllowExternalDataFiltering", bool(settings.get("AllowExternalDataFiltering")), False),
        ("AllowFullTableExternalDataAccess", bool(settings.get("AllowFullTableExternalDataAccess")),
         intended.allow_full_table_external_data_access),
        ("CROSS_ACCOUNT_VERSION", (settings.get("Parameters") or {}).get("CROSS_ACCOUNT_VERSION"),
         intended.cross_account_version),
        ("ExternalDataFilteringAllowList", sorted(_admins(settings.get("ExternalDataFilteringAllowList"))), []),
        ("AuthorizedSessionTagValueList", sorted(settings.get("AuthorizedSessionTagValueList") or []), []),
    ]
    for name, live_value, declared_value in checks:
        if live_value != declared_value:
            out.append(Finding(account, "settings", CHANGED, "", f"{name} of {account}",
                               (f"live {live_value!r}", f"declared {declared_value!r}"), f"re-apply {stack}"))
    return out


def compare_database_defaults(exp: Expected, databases: list[dict[str, Any]]) -> list[Finding]:
    """A database whose CreateTableDefaultPermissions grant IAMAllowedPrincipals: its new tables are open to IAM."""
    out = []
    for db in sorted(databases, key=lambda d: d.get("Name", "")):
        for entry in db.get("CreateTableDefaultPermissions") or []:
            principal = (entry.get("Principal") or {}).get("DataLakePrincipalIdentifier", "")
            if principal == IAM_ALLOWED_PRINCIPALS:
                out.append(Finding(exp.account_id, "settings", IAM_ALLOWED, principal,
                                   f"CreateTableDefaultPermissions of database {exp.account_id}:{db['Name']}",
                                   tuple(sorted(entry.get("Permissions") or [])),
                                   f"clear them (glue update-database without CreateTableDefaultPermissions) "
                                   f"({DEFAULTS_DOC})"))
    return out


def compare_locations(exp: Expected, resources: list[dict[str, Any]]) -> list[Finding]:
    """ListResources vs the domains' analytics buckets (governance account only)."""
    account = exp.account_id
    live = {r["ResourceArn"]: r.get("RoleArn", "") for r in resources}
    stack = f"{exp.env}-catalog-<domain>"
    out = []
    for arn in sorted(set(live) - set(exp.locations)):
        out.append(Finding(account, "locations", EXTRA, live[arn], f"registered location {arn}", ("registered",),
                           f"deregister it (DeregisterResource in {account}) unless something outside the mesh "
                           "relies on it: Lake Formation vends credentials for it to whoever holds grants"))
    for arn in sorted(set(exp.locations) - set(live)):
        out.append(Finding(account, "locations", MISSING, exp.locations[arn], f"registered location {arn}",
                           ("registered",), f"re-apply {stack.replace('<domain>', _domain_of(arn, exp))}"))
    for arn in sorted(set(live) & set(exp.locations)):
        if live[arn] != exp.locations[arn]:
            out.append(Finding(account, "locations", CHANGED, live[arn], f"registered location {arn}",
                               (f"role {live[arn]}", f"declared {exp.locations[arn]}"),
                               f"re-apply {stack.replace('<domain>', _domain_of(arn, exp))}"))
    return out


def _domain_of(arn: str, exp: Expected) -> str:
    """The domain whose analytics bucket this is (its registration role is named for it)."""
    return exp.locations[arn].rsplit("-lf-reg-", 1)[-1] if arn in exp.locations else "<domain>"


def compare_filters(exp: Expected, filters: list[dict[str, Any]]) -> list[Finding]:
    """ListDataCellsFilter vs meshform.access.cells_filters: all rows, the columns above a clearance excluded."""
    account = exp.account_id
    live = {(f["DatabaseName"], f["TableName"], f["Name"]): f for f in filters
            if (f.get("TableCatalogId") or account) == account}
    out = []

    def what(key: tuple[str, str, str]) -> str:
        return f"data cells filter {key[2]} on {account}:{key[0]}.{key[1]}"

    for key in sorted(set(live) - set(exp.filters)):
        out.append(Finding(account, "filters", EXTRA, "", what(key), _filter_shape(live[key]),
                           f"delete it (DeleteDataCellsFilter in {account}) and revoke what was granted on it"))
    for key in sorted(set(exp.filters) - set(live)):
        out.append(Finding(account, "filters", MISSING, "", what(key),
                           (f"excludes {', '.join(exp.filters[key]) or 'nothing'}",),
                           f"re-apply {naming.catalog_stack_name(exp.env, key[0])}"))
    for key in sorted(set(live) & set(exp.filters)):
        f = live[key]
        excluded = tuple(sorted((f.get("ColumnWildcard") or {}).get("ExcludedColumnNames") or []))
        row = f.get("RowFilter") or {}
        same = (f.get("ColumnNames") is None and f.get("ColumnWildcard") is not None
                and excluded == tuple(sorted(exp.filters[key])) and "FilterExpression" not in row)
        if not same:
            out.append(Finding(account, "filters", CHANGED, "", what(key),
                               (*_filter_shape(f), f"declared: excludes {', '.join(sorted(exp.filters[key]))}, "
                                                   "all rows"),
                               f"re-apply {naming.catalog_stack_name(exp.env, key[0])}"))
    return out


def _filter_shape(f: dict[str, Any]) -> tuple[str, ...]:
    if f.get("ColumnNames") is not None:
        cols = f"columns {', '.join(f['ColumnNames'])}"
    else:
        excluded = sorted((f.get("ColumnWildcard") or {}).get("ExcludedColumnNames") or [])
        cols = f"excludes {', '.join(excluded) or 'nothing'}"
    expression = (f.get("RowFilter") or {}).get("FilterExpression")
    return (cols, f"rows where {expression}" if expression else "all rows")


def compare_lf_tags(exp: Expected, tags: list[dict[str, Any]]) -> list[Finding]:
    """ListLFTags vs the ontology (values compared as sets)."""
    account = exp.account_id
    live = {t["TagKey"]: tuple(t.get("TagValues") or []) for t in tags if (t.get("CatalogId") or account) == account}
    stack = f"{exp.env}-governance"
    out = []
    for key in sorted(set(live) - set(exp.lf_tags)):
        out.append(Finding(account, "lf-tags", EXTRA, "", f"LF-tag {key}", tuple(sorted(live[key])),
                           f"delete it (DeleteLFTag in {account}) unless it is intended; the mesh's ontology is "
                           "domain + classification"))
    for key in sorted(set(exp.lf_tags) - set(live)):
        out.append(Finding(account, "lf-tags", MISSING, "", f"LF-tag {key}", exp.lf_tags[key], f"re-apply {stack}"))
    for key in sorted(set(live) & set(exp.lf_tags)):
        added, removed = set(live[key]) - set(exp.lf_tags[key]), set(exp.lf_tags[key]) - set(live[key])
        if added or removed:
            out.append(Finding(account, "lf-tags", CHANGED, "", f"LF-tag {key}",
                               tuple([f"+{v}" for v in sorted(added)] + [f"-{v}" for v in sorted(removed)]),
                               f"re-apply {stack}; the values come from the spec (domains, classifications)"))
    return out


def compare_ram(exp: Expected, received: list[dict[str, Any]]) -> list[Finding]:
    """GetResourceShares(OTHER-ACCOUNTS) in a domain or consumer account vs the shares the mesh expects: Lake
    Formation shares from the governance account (exactly the handshake's ARNs for standalone accounts), nothing
    else."""
    account, gov = exp.account_id, exp.governance_account
    active = [s for s in received if s.get("status", "ACTIVE") == "ACTIVE"]
    out = []
    ours = []
    for share in sorted(active, key=lambda s: s["resourceShareArn"]):
        from_gov = share.get("owningAccountId") == gov and share.get("name", "").startswith(LF_SHARE_PREFIX)
        if from_gov and (exp.handshake_shares is None or share["resourceShareArn"] in exp.handshake_shares):
            ours.append(share)
            continue
        why = ("not in handshake/" f"{exp.env}/{exp.account.name}.yaml" if from_gov
               else f"owned by {share.get('owningAccountId')}, not a Lake Formation share of the governance account")
        out.append(Finding(account, "ram", EXTRA, share.get("owningAccountId", ""),
                           f"RAM share {share.get('name')} ({share['resourceShareArn']})", ("accepted", why),
                           "run `meshform ram-handshake` and re-deploy if the governance account's Lake Formation "
                           "created it" if from_gov else
                           f"leave it (ram disassociate-resource-share --principals {account}) unless intended"))
    accepted = {s["resourceShareArn"] for s in active}
    for arn in exp.handshake_shares or ():
        if arn not in accepted:
            out.append(Finding(account, "ram", MISSING, gov, f"RAM share {arn}", ("not accepted",),
                               f"re-apply {naming.stack_name(exp.env, exp.account.kind, exp.account.name)} (it "
                               "accepts the handshake's shares); nothing shared in it is readable until then"))
    if exp.receives_from_governance and not ours and not exp.handshake_shares:
        out.append(Finding(account, "ram", MISSING, gov, f"Lake Formation RAM share from {gov}",
                           ("none accepted",),
                           "the governance account's grants reach this account only through it: re-join the share "
                           "(in an AWS Organization: re-apply the catalog stacks; standalone: `meshform "
                           "ram-handshake`, then re-deploy this account)"))
    return out


def _assignment_label(account: str, resource: tuple[str, ...]) -> str:
    if resource[0] == "database":
        return f"LF-tags of database {account}:{resource[1]}"
    if resource[0] == "table":
        return f"LF-tags of table {account}:{resource[1]}.{resource[2]}"
    return f"LF-tags of column {account}:{resource[1]}.{resource[2]}.{resource[3]}"


def compare_tag_assignments(exp: Expected, live: dict[tuple[str, ...], dict[str, str]]) -> list[Finding]:
    """Directly assigned LF-tags (GetResourceLFTags, ShowAssignedLFTags) of the central databases, the contract
    tables and their columns vs the contracts: a column's classification decides who reads it, so a changed tag
    value is a changed access."""
    account, out = exp.account_id, []
    for resource in sorted(set(live) | set(exp.tag_assignments)):
        want, have = exp.tag_assignments.get(resource, {}), live.get(resource, {})
        what = _assignment_label(account, resource)
        stack = naming.catalog_stack_name(exp.env, resource[1])
        for key in sorted(set(have) - set(want)):
            out.append(Finding(account, "lf-tags", EXTRA, "", what, (f"{key}={have[key]}",),
                               f"re-apply {stack} (a tag the contract does not give it changes who may read it)"))
        for key in sorted(set(want) - set(have)):
            out.append(Finding(account, "lf-tags", MISSING, "", what, (f"{key}={want[key]}",), f"re-apply {stack}"))
        for key in sorted(set(want) & set(have)):
            if want[key] != have[key]:
                out.append(Finding(account, "lf-tags", CHANGED, "", what,
                                   (f"{key}={have[key]}", f"declared {key}={want[key]}"),
                                   f"re-apply {stack}; the classification comes from the contract"))
    return out


# Producer-side association statuses (https://docs.aws.amazon.com/redshift/latest/APIReference/API_DataShareAssociation.html):
# granted = the account may use the share (PENDING_AUTHORIZATION: granted by SQL, not yet authorized by the
# producer account; AUTHORIZED/AVAILABLE: authorized, not associated; ACTIVE: associated by the consumer).
DATASHARE_REVOKED = ("DEAUTHORIZED", "REJECTED")
DATASHARE_USABLE = ("AUTHORIZED", "AVAILABLE", "ACTIVE")


def _rank(status: str) -> int:
    ranked = (*DATASHARE_REVOKED, "PENDING_AUTHORIZATION", *DATASHARE_USABLE)
    return ranked.index(status) if status in ranked else -1


def _consumer_account(identifier: str) -> str:
    """A consumer identifier is an account id, or a namespace ARN (same-account or namespace-level grants)."""
    return identifier.split(":")[4] if identifier.startswith("arn:") else identifier


def compare_datashares(mesh: Mesh, exp: Expected, domain: str, shares: list[dict[str, Any]]) -> list[Finding]:
    """The producer's datashares and their consumers vs the model: an extra datashare, a share missing, a consumer
    account the spec does not subscribe (extra), a subscribed account not granted or not authorized (missing)."""
    from meshform.redshift import model

    account = exp.account_id
    stack = naming.stack_name(exp.env, "domain", domain)
    wanted: dict[str, set[str]] = {}
    for product in mesh.domain_products(domain):
        for datashare in model.product_shares(mesh, product):
            wanted[datashare.name] = set()
    for grant in model.grants(mesh, domain):
        if grant.subscribed:
            wanted[grant.share.name].add(grant.account)
    live: dict[str, dict[str, str]] = {}
    for share in shares:
        arn = share.get("DataShareArn", "")
        if arn.split(":")[4:5] != [account]:
            continue                                   # a share this account consumes, not one it produces
        statuses = live.setdefault(arn.rsplit("/", 1)[-1], {})
        for association in share.get("DataShareAssociations") or []:
            consumer = _consumer_account(association.get("ConsumerIdentifier", ""))
            status = association.get("Status", "")
            # several associations of one account (account-level and namespace-level): the most usable counts
            if _rank(status) > _rank(statuses.get(consumer, "")):
                statuses[consumer] = status
    out: list[Finding] = []
    for name in sorted(set(live) - set(wanted)):
        out.append(Finding(account, "redshift", EXTRA, "", f"datashare {name}", tuple(sorted(live[name])),
                           f"drop it (DROP DATASHARE {name}) unless a contract should produce it"))
    for name in sorted(wanted):
        if name not in live:
            out.append(Finding(account, "redshift", MISSING, "", f"datashare {name}", (),
                               f"re-apply {stack} (it creates the product's datashares)"))
            continue
        for consumer, status in sorted(live[name].items()):
            if consumer not in wanted[name] and status not in DATASHARE_REVOKED:
                out.append(Finding(account, "redshift", EXTRA, consumer, f"datashare {name}", (status,),
                                   f"REVOKE USAGE ON DATASHARE {name} FROM ACCOUNT '{consumer}' and deauthorize it "
                                   f"(or subscribe {consumer} via redshift in the spec)"))
        for consumer in sorted(wanted[name]):
            status = live[name].get(consumer)
            if status not in DATASHARE_USABLE and status != "PENDING_AUTHORIZATION":
                out.append(Finding(account, "redshift", MISSING, consumer, f"datashare {name}",
                                   (status or "not granted",), f"re-apply {stack} (GRANT USAGE and the "
                                   "authorization); the consumer re-associates on its next apply"))
            elif status == "PENDING_AUTHORIZATION":
                out.append(Finding(account, "redshift", MISSING, consumer, f"datashare {name}", (status,),
                                   f"re-apply {stack} (aws_redshift_data_share_authorization)"))
    return out
