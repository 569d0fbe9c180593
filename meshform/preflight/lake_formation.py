"""Lake Formation data lake settings: what the account's stack would remove or change, and the catalog resources
that rely on IAMAllowedPrincipals (the stacks clear the IAMAllowedPrincipals default permissions)."""
from __future__ import annotations

from meshform.lake_settings import IAM_ALLOWED_PRINCIPALS, intended_lake_settings
from meshform.preflight.aws import AWS_ERRORS, AccountSession, paginate, unverified
from meshform.preflight.report import Finding
from meshform.spec.mesh import Mesh

# PutDataLakeSettings replaces the whole settings: "This API replaces the current list of data lake admins with the
# new list being passed." https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_PutDataLakeSettings.html
PUT_SETTINGS_DOC = "https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_PutDataLakeSettings.html"
# Data lake administrators (and read-only admins): https://docs.aws.amazon.com/lake-formation/latest/dg/initial-lf-config.html
ADMINS_DOC = "https://docs.aws.amazon.com/lake-formation/latest/dg/initial-lf-config.html"
# Empty CreateDatabaseDefaultPermissions/CreateTableDefaultPermissions revoke IAMAllowedPrincipals from NEW databases
# and tables only: https://docs.aws.amazon.com/lake-formation/latest/dg/change-settings.html
DEFAULTS_DOC = "https://docs.aws.amazon.com/lake-formation/latest/dg/change-settings.html"
# Existing resources keep Super for IAMAllowedPrincipals until revoked resource by resource:
# https://docs.aws.amazon.com/lake-formation/latest/dg/upgrade-glue-lake-formation.html
UPGRADE_DOC = "https://docs.aws.amazon.com/lake-formation/latest/dg/upgrade-glue-lake-formation.html"
# ListPermissions "filtered by the permissions of the caller":
# https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_ListPermissions.html
LIST_PERMISSIONS_DOC = "https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_ListPermissions.html"


def _principals(entries) -> set[str]:
    return {e["DataLakePrincipalIdentifier"] for e in entries or [] if e.get("DataLakePrincipalIdentifier")}


def _iap_defaults(entries) -> list[str]:
    return sorted(",".join(sorted(e.get("Permissions", []))) for e in entries or []
                  if e.get("Principal", {}).get("DataLakePrincipalIdentifier") == IAM_ALLOWED_PRINCIPALS)


def check_lake_formation(mesh: Mesh, session: AccountSession) -> list[Finding]:
    account = session.account_id
    lf = session.client("lakeformation")
    try:
        settings = lf.get_data_lake_settings(CatalogId=account).get("DataLakeSettings", {})
    except AWS_ERRORS as exc:
        return [unverified(account, "lf-admins-removed", "the current Lake Formation settings", exc,
                           "allow lakeformation:GetDataLakeSettings to the deploy role, or run "
                           f"aws lakeformation get-data-lake-settings --catalog-id {account}", PUT_SETTINGS_DOC)]
    intended = intended_lake_settings(mesh, account)
    findings: list[Finding] = []

    current_admins = _principals(settings.get("DataLakeAdmins"))
    removed = sorted(current_admins - set(intended.admins))
    if removed:
        findings.append(Finding(
            "warning", account, "lf-admins-removed",
            f"the stack would remove {len(removed)} data lake admin(s) that are set today",
            "meshform's LakeFormationSettings replace the account's admin list with the deploy role + the spec's "
            "admins (PutDataLakeSettings replaces the list). Whoever relies on these admins (people, break-glass "
            "roles, pipelines that grant or create catalog objects) loses every implicit Lake Formation right.",
            "keep them: add them to " + _admins_field(mesh, account) + "; or confirm with their owners that they "
            "may go, then apply", PUT_SETTINGS_DOC, tuple(removed)))
    removed_ro = sorted(_principals(settings.get("ReadOnlyAdmins")) - set(intended.read_only_admins))
    if removed_ro:
        where = ("governance.read_only_admins" if mesh.all_accounts()[account] == "governance"
                 else "nothing (domain and consumer stacks set no read-only admins)")
        findings.append(Finding(
            "warning", account, "lf-read-only-admins-removed",
            f"the stack would remove {len(removed_ro)} read-only data lake admin(s) that are set today",
            "The settings the stack writes replace the read-only admin list as well: these principals lose their "
            "view of every catalog resource (audits, catalog browsers).",
            f"keep them: they belong in {where}; or confirm they may go", ADMINS_DOC, tuple(removed_ro)))

    db_defaults = _iap_defaults(settings.get("CreateDatabaseDefaultPermissions"))
    table_defaults = _iap_defaults(settings.get("CreateTableDefaultPermissions"))
    relying, partial = _iap_resources(session, findings)
    deploy_is_admin = mesh.deploy_role_arn(account) in current_admins
    if db_defaults or table_defaults:
        details = [f"CreateDatabaseDefaultPermissions: {IAM_ALLOWED_PRINCIPALS} {p}" for p in db_defaults]
        details += [f"CreateTableDefaultPermissions: {IAM_ALLOWED_PRINCIPALS} {p}" for p in table_defaults]
        findings.append(Finding(
            "warning" if relying else "info", account, "lf-iam-allowed-principals-defaults-cleared",
            "the stack would clear the IAMAllowedPrincipals default permissions (\"Use only IAM access control\" "
            "for new databases and for new tables in new databases)",
            "From the apply on, databases created in this account by anyone (crawlers, Athena DDL, other IaC), and "
            "the tables of those new databases, no longer get IAMAllowedPrincipals ALL: only Lake Formation grants "
            "open them, so IAM-only workloads cannot use what they create next. Existing databases and tables keep "
            "their grants (" + (f"{len(relying)} rely on IAMAllowedPrincipals, see lf-iam-allowed-principals"
                                if relying else "none found relying on IAMAllowedPrincipals") + "). meshform "
            "needs the defaults empty: cross-account sharing does not work with IAMAllowedPrincipals.",
            "before the apply, give the workloads that create databases/tables here Lake Formation permissions "
            "(e.g. CREATE_DATABASE on the catalog) or register them as data lake admins in the spec",
            DEFAULTS_DOC, tuple(details)))
    if relying:
        findings.append(Finding(
            "info", account, "lf-iam-allowed-principals",
            f"{len(relying)} existing catalog resource(s) rely on IAMAllowedPrincipals",
            "They keep their IAMAllowedPrincipals grants after the apply: IAM policies alone keep deciding who uses "
            "them, and Lake Formation grants on them do not restrict IAM-allowed principals. New tables in these "
            "databases follow each database's own \"Use only IAM access control for new tables in this database\" "
            "setting (shown per database), which the stacks do not change; new databases do not get "
            "IAMAllowedPrincipals any more.",
            "nothing is needed for the apply; to bring them under Lake Formation, replicate their IAM access as "
            "Lake Formation grants and revoke IAMAllowedPrincipals resource by resource", UPGRADE_DOC,
            tuple(relying)))
    if not deploy_is_admin and not partial:
        findings.append(Finding(
            "info", account, "lf-partial-view",
            "the deploy role is not a data lake admin yet: the list of Lake Formation grants may be incomplete",
            "ListPermissions only returns grants the caller may see; a non-admin caller can miss IAMAllowedPrincipals "
            "grants on resources it has no rights on.",
            f"rerun as a data lake admin of {account}, or check by hand: aws lakeformation list-permissions "
            f"--catalog-id {account}", LIST_PERMISSIONS_DOC))
    findings.extend(_other_changes(settings, intended, account))
    return findings


def _admins_field(mesh: Mesh, account: str) -> str:
    owner = mesh.all_accounts()[account]
    if owner == "governance":
        return "governance.admins"
    return f"{'domains' if owner in mesh.spec.domains else 'consumers'}.{owner}.admins"


def _iap_resources(session: AccountSession, findings: list[Finding]) -> tuple[list[str], bool]:
    """Databases and tables of the account's catalog on which IAM_ALLOWED_PRINCIPALS holds permissions, as
    readable lines; the flag is True when they could not be listed (a finding says so)."""
    account = session.account_id
    try:
        grants = paginate(session.client("lakeformation"), "list_permissions", "PrincipalResourcePermissions",
                          CatalogId=account)
    except AWS_ERRORS as exc:
        findings.append(unverified(account, "lf-iam-allowed-principals",
                                   "which databases and tables rely on IAMAllowedPrincipals", exc,
                                   "run as a data lake admin: aws lakeformation list-permissions --catalog-id "
                                   f"{account}", LIST_PERMISSIONS_DOC))
        return [], True
    databases: dict[str, set[str]] = {}
    tables: dict[str, set[str]] = {}
    for grant in grants:
        if grant.get("Principal", {}).get("DataLakePrincipalIdentifier") != IAM_ALLOWED_PRINCIPALS:
            continue
        resource, permissions = grant.get("Resource", {}), set(grant.get("Permissions", []))
        if "Database" in resource:
            databases.setdefault(resource["Database"].get("Name", "?"), set()).update(permissions)
        for kind in ("Table", "TableWithColumns"):
            if kind in resource:
                table = resource[kind]
                name = f"{table.get('DatabaseName')}.{table.get('Name') or '*'}"
                tables.setdefault(name, set()).update(permissions)
    new_tables = _new_table_defaults(session.client("glue"), sorted(databases))
    lines = [f"database {name}: {IAM_ALLOWED_PRINCIPALS} {','.join(sorted(perms))}; new tables in it: "
             f"{new_tables.get(name, 'unknown (could not read the database)')}"
             for name, perms in sorted(databases.items())]
    lines += [f"table {name}: {IAM_ALLOWED_PRINCIPALS} {','.join(sorted(perms))}"
              for name, perms in sorted(tables.items())]
    return lines, False


def _new_table_defaults(glue, databases: list[str]) -> dict[str, str]:
    """Per database: what new tables in it get (the database's own CreateTableDefaultPermissions)."""
    out = {}
    for name in databases:
        try:
            db = glue.get_database(Name=name)["Database"]
        except AWS_ERRORS:
            continue
        iap = _iap_defaults(db.get("CreateTableDefaultPermissions"))
        out[name] = ("IAMAllowedPrincipals (IAM only, unchanged by the stacks)" if iap
                     else "Lake Formation permissions only")
    return out


def _other_changes(settings: dict, intended, account: str) -> list[Finding]:
    changes = []
    removed_owners = sorted(set(settings.get("TrustedResourceOwners") or []) - set(intended.trusted_resource_owners))
    changes += [f"TrustedResourceOwners: {o} removed" for o in removed_owners]
    if settings.get("AllowExternalDataFiltering"):
        changes.append("AllowExternalDataFiltering: true -> false")
    full_table = bool(settings.get("AllowFullTableExternalDataAccess"))
    if full_table != intended.allow_full_table_external_data_access:
        changes.append(f"AllowFullTableExternalDataAccess: {str(full_table).lower()} -> "
                       f"{str(intended.allow_full_table_external_data_access).lower()}")
    for key in ("ExternalDataFilteringAllowList", "AuthorizedSessionTagValueList"):
        if settings.get(key):
            changes.append(f"{key}: cleared")
    version = (settings.get("Parameters") or {}).get("CROSS_ACCOUNT_VERSION")
    if version and version != intended.cross_account_version:
        changes.append(f"CROSS_ACCOUNT_VERSION: {version} -> {intended.cross_account_version}")
    if not changes:
        return []
    return [Finding(
        "info", account, "lf-settings-changed", "other Lake Formation settings the stack would change",
        "The stack writes the complete settings; these values set today are not in them.",
        "nothing if intended; otherwise they need to become part of the stack (LakeFormationSettings) before the "
        "apply", PUT_SETTINGS_DOC, tuple(changes))]
