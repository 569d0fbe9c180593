"""Request validation that needs no state: principal formats, resource shapes, which permissions a resource kind
takes. Each rule names the AWS page it follows."""
from __future__ import annotations

import re

from meshform.local.moto_lf.errors import InvalidInput

KINDS = ("Catalog", "Database", "Table", "TableWithColumns", "DataLocation", "DataCellsFilter", "LFTag",
         "LFTagPolicy")
ALL_TABLES = "ALL_TABLES"   # the Name AWS answers for a TableWildcard grant (provider filter.go relies on it)

# Principal formats: DataLakePrincipalIdentifier
# https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_DataLakePrincipal.html and the principal list of
# https://docs.aws.amazon.com/lake-formation/latest/dg/lf-permissions-reference.html (accounts, IAM users/roles,
# IAM_ALLOWED_PRINCIPALS, organizations and OUs, SAML users/groups, IAM Identity Center users/groups).
_PRINCIPALS = [
    re.compile(r"^\d{12}$"),
    re.compile(r"^IAM_ALLOWED_PRINCIPALS$"),
    # ALLIAMPrincipals: every IAM principal of an account, "<account-id>:IAMPrincipals" (lf-permissions-reference,
    # "ALLIAMPrincipals"; the provider's permissions.go accepts it as principal)
    re.compile(r"^\d{12}:IAMPrincipals$"),
    re.compile(r"^arn:aws(-cn|-us-gov)?:iam::\d{12}:(role|user)/[\w+=,.@/-]+$"),
    re.compile(r"^arn:aws(-cn|-us-gov)?:iam::\d{12}:saml-provider/[\w+=,.@-]+:(user|group)/.+$"),
    re.compile(r"^arn:aws(-cn|-us-gov)?:organizations::\d{12}:organization/o-[a-z0-9]{10,32}$"),
    re.compile(r"^arn:aws(-cn|-us-gov)?:organizations::\d{12}:ou/o-[a-z0-9]{10,32}/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$"),
    re.compile(r"^arn:aws(-cn|-us-gov)?:identitystore:::(user|group)/[\w-]+$"),
    re.compile(r"^arn:aws(-cn|-us-gov)?:quicksight:[a-z0-9-]+:\d{12}:(user|group)/[\w-]+/.+$"),
]


def validate_principal(principal: dict | None) -> str:
    identifier = (principal or {}).get("DataLakePrincipalIdentifier")
    if not identifier or not any(p.match(identifier) for p in _PRINCIPALS):
        raise InvalidInput(f"Invalid principal: {identifier!r} is not a data lake principal.")
    return identifier


def principal_account(identifier: str) -> str | None:
    """The account an account/IAM principal lives in (None for IAM_ALLOWED_PRINCIPALS, orgs, Identity Center)."""
    if re.fullmatch(r"\d{12}", identifier):
        return identifier
    if re.fullmatch(r"\d{12}:IAMPrincipals", identifier):
        return identifier.split(":")[0]
    match = re.match(r"^arn:[^:]+:(iam|quicksight)::?[a-z0-9-]*:?(\d{12}):", identifier)
    return match.group(2) if match else None


def resource_kind(resource: dict | None) -> str:
    """A Resource names exactly one kind (API_Resource: one of its members).
    https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_Resource.html"""
    present = [k for k in KINDS if (resource or {}).get(k) is not None]
    unknown = sorted(set(resource or {}) - set(KINDS))
    if unknown:
        raise InvalidInput(f"Unknown resource member(s) {unknown}.")
    if len(present) != 1:
        raise InvalidInput("Resource must specify exactly one of Catalog, Database, Table, TableWithColumns, "
                           f"DataLocation, DataCellsFilter, LFTag, LFTagPolicy (got {present or 'none'}).")
    return present[0]


# The request's CatalogId (GrantPermissions, RevokePermissions, the batch calls, ListPermissions) names an account's
# Data Catalog ("By default, the account ID", API_GrantPermissions#CatalogId). AWS answers anything else with
# InvalidInputException "Catalog id must be a valid AWS account id." -- observed for GrantPermissions with a
# sub-catalog id (https://github.com/aws/aws-cli/issues/9618,
# https://github.com/hashicorp/terraform-provider-aws/issues/48358); child catalogs go in Resource.Catalog.Id.
ACCOUNT_ID = re.compile(r"^\d{12}$")


def validate_catalog_id(catalog_id: str) -> str:
    if not isinstance(catalog_id, str) or not ACCOUNT_ID.match(catalog_id):
        raise InvalidInput("Catalog id must be a valid AWS account id.")
    return catalog_id


# Resource.Catalog has one optional member, Id (https://docs.aws.amazon.com/lake-formation/latest/APIReference/
# API_CatalogResource.html): absent, the request's Data Catalog; "<account-id>" an account's Data Catalog;
# "<account-id>:<catalog>[/<child>]" or, relative to the request's CatalogId, "<catalog>[/<child>]" a catalog inside
# it (multi-catalog, https://docs.aws.amazon.com/lake-formation/latest/dg/granting-multi-catalog-permissions.html;
# the absolute form is what ListPermissions answers, hashicorp/terraform-provider-aws#46246).
_CHILD_OF_ACCOUNT = re.compile(r"^(\d{12}):(.+)$")


def catalog_of(body: dict, default_catalog: str) -> tuple[str, str | None]:
    """(account, child catalog path or None) a Catalog resource names."""
    identifier = body.get("Id")
    if identifier is None:
        return default_catalog, None
    if not isinstance(identifier, str) or not 0 < len(identifier) <= 255:
        raise InvalidInput(f"Invalid Catalog Id {identifier!r}: 1 to 255 characters.")
    if ACCOUNT_ID.match(identifier):
        return identifier, None
    child = _CHILD_OF_ACCOUNT.match(identifier)
    if child is not None:
        return child.group(1), child.group(2)
    if ":" in identifier:
        raise InvalidInput(f"Invalid Catalog Id {identifier!r}: expected <account-id>, <account-id>:<catalog> or "
                           "<catalog>.")
    return default_catalog, identifier


def validate_shape(kind: str, body: dict) -> None:
    """Required members per resource type (API_TableResource, API_TableWithColumnsResource, ...)."""
    if kind == "Catalog" and set(body) - {"Id"}:
        # API_CatalogResource has Id only
        raise InvalidInput(f"Unknown Catalog member(s) {sorted(set(body) - {'Id'})}: a Catalog resource takes Id.")
    required = {"Database": ("Name",), "Table": ("DatabaseName",), "TableWithColumns": ("DatabaseName", "Name"),
                "DataLocation": ("ResourceArn",), "DataCellsFilter": ("DatabaseName", "TableName", "Name"),
                "LFTag": ("TagKey", "TagValues"), "LFTagPolicy": ("ResourceType", "Expression")}.get(kind, ())
    missing = [k for k in required if not body.get(k)]
    if missing:
        raise InvalidInput(f"{kind} is missing {', '.join(missing)}.")
    if kind == "Table":
        # https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_TableResource.html: Name or TableWildcard
        if (body.get("Name") is None) == (body.get("TableWildcard") is None):
            raise InvalidInput("Table must specify exactly one of Name and TableWildcard.")
    if kind == "TableWithColumns":
        # https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_TableWithColumnsResource.html
        if (body.get("ColumnNames") is None) == (body.get("ColumnWildcard") is None):
            raise InvalidInput("TableWithColumns must specify exactly one of ColumnNames and ColumnWildcard.")
        if body.get("ColumnNames") is not None and not body["ColumnNames"]:
            raise InvalidInput("ColumnNames must not be empty.")
    if kind == "LFTagPolicy" and body["ResourceType"] not in ("DATABASE", "TABLE"):
        raise InvalidInput("LFTagPolicy ResourceType must be DATABASE or TABLE.")


# Which permissions a resource kind takes, from the Lake Formation permissions reference
# https://docs.aws.amazon.com/lake-formation/latest/dg/lf-permissions-reference.html
_TABLE = {"ALL", "ALTER", "DELETE", "DESCRIBE", "DROP", "INSERT", "SELECT"}
_DATABASE = {"ALL", "ALTER", "CREATE_TABLE", "DESCRIBE", "DROP"}
VALID_PERMISSIONS = {
    # Catalog: ALL (Super), Super user, ALTER, CREATE_DATABASE, DESCRIBE, DROP (lf-permissions-reference, "Catalog"
    # and "Data Catalog"); CREATE_CATALOG (multi-catalog, granting-multi-catalog-permissions.html); CREATE_LF_TAG
    # and CREATE_LF_TAG_EXPRESSION are granted on the catalog (TBAC-adding-tag-creator.html). Never SELECT,
    # CREATE_TABLE, DATA_LOCATION_ACCESS, ASSOCIATE, ...
    "Catalog": {"ALL", "ALTER", "CREATE_CATALOG", "CREATE_DATABASE", "DESCRIBE", "DROP", "SUPER_USER",
                "CREATE_LF_TAG", "CREATE_LF_TAG_EXPRESSION"},
    "Database": _DATABASE,
    "Table": _TABLE,
    "DataLocation": {"DATA_LOCATION_ACCESS"},
    # https://docs.aws.amazon.com/lake-formation/latest/dg/granting-filter-perms.html: SELECT, DESCRIBE, DROP
    "DataCellsFilter": {"SELECT", "DESCRIBE", "DROP"},
    "LFTag": {"ASSOCIATE", "DESCRIBE", "ALTER", "DROP", "GRANT_WITH_LF_TAG_EXPRESSION"},
    "LFTagPolicy:DATABASE": _DATABASE,
    "LFTagPolicy:TABLE": _TABLE,
}


def validate_permissions(kind: str, body: dict, permissions: list[str], grantable: list[str],
                         resource_link: bool = False) -> None:
    if not permissions:
        raise InvalidInput("Permissions must not be empty.")
    # PermissionsWithGrantOption is "a subset of Permissions"
    # https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_GrantPermissions.html
    extra = sorted(set(grantable) - set(permissions))
    if extra:
        raise InvalidInput(f"PermissionsWithGrantOption {extra} must be a subset of Permissions.")
    key = f"LFTagPolicy:{body.get('ResourceType')}" if kind == "LFTagPolicy" else kind
    if kind == "TableWithColumns":
        wildcard = body.get("ColumnWildcard")
        # column-level grants (include or exclude lists) are SELECT only; a plain ColumnWildcard is the whole table
        # https://docs.aws.amazon.com/lake-formation/latest/dg/lf-permissions-reference.html (SELECT, column filtering)
        valid = _TABLE if wildcard is not None and not wildcard.get("ExcludedColumnNames") else {"SELECT"}
        # grant option with column filtering needs an include list, never an exclude list
        # https://docs.aws.amazon.com/lake-formation/latest/dg/column-filtering-intro.html
        if wildcard and wildcard.get("ExcludedColumnNames") and grantable:
            raise InvalidInput("To grant SELECT with the grant option and column filtering, use an include list "
                               "(ColumnNames), not an exclude list (ExcludedColumnNames).")
    else:
        valid = VALID_PERMISSIONS[key]
    if resource_link:
        # a resource link (database or table) takes DESCRIBE and DROP only
        # https://docs.aws.amazon.com/lake-formation/latest/dg/lf-permissions-reference.html ("resource link")
        valid = {"DESCRIBE", "DROP"}
        key = f"{kind} resource link"
    wrong = sorted(set(permissions) - valid)
    if wrong:
        raise InvalidInput(f"Permissions {wrong} are not valid for a {key} resource (valid: {sorted(valid)}).")


# What an external account may receive on an LF-tag: DESCRIBE and ASSOCIATE
# (https://docs.aws.amazon.com/lake-formation/latest/dg/TBAC-granting-tags.html)
EXTERNAL_LFTAG_PERMISSIONS = {"DESCRIBE", "ASSOCIATE"}

S3_ARN = re.compile(r"^arn:aws(-cn|-us-gov)?:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$")
IAM_ARN = re.compile(r"^arn:aws(-cn|-us-gov)?:iam::\d{12}:(role|user)/[\w+=,.@/-]+$")
