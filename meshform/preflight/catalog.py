"""Glue Data Catalog names the stacks will create that already exist in the account: the central database of each
domain and the LF-tags (governance), and the resource links (subscribers, and each domain's link to its own
database), which are named like their target database."""
from __future__ import annotations

from meshform import access, naming
from meshform.preflight.aws import AWS_ERRORS, AccountSession, error_code, paginate, unverified
from meshform.preflight.report import Finding
from meshform.spec.mesh import Mesh

# CreateDatabase fails with AlreadyExistsException for an existing name:
# https://docs.aws.amazon.com/glue/latest/webapi/API_CreateDatabase.html
CREATE_DATABASE_DOC = "https://docs.aws.amazon.com/glue/latest/webapi/API_CreateDatabase.html"
# CreateLFTag fails for an existing tag key: https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_CreateLFTag.html
CREATE_LF_TAG_DOC = "https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_CreateLFTag.html"
# https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_ListLFTags.html
LIST_LF_TAGS_DOC = "https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_ListLFTags.html"
NOT_FOUND = ("EntityNotFoundException", "EntityNotFound")
LF_TAG_KEYS = ("domain", "classification")


def planned_databases(mesh: Mesh, account_id: str) -> list[tuple[str, str]]:
    """(database name, what it is) the account's stack creates in its own catalog."""
    owner = mesh.all_accounts()[account_id]
    if owner == "governance":
        return [(naming.central_database_name(d), f"central database of domain {d}") for d in sorted(mesh.spec.domains)]
    linked = set(access.shared_domains(mesh, owner))
    if owner in mesh.spec.domains:
        linked.add(owner)        # modules/stacks/domain.py: the ETL reaches its own central database through a link
    return [(naming.resource_link_name(d), f"resource link to the {d} database in the governance catalog")
            for d in sorted(linked)]


def check_catalog(mesh: Mesh, session: AccountSession) -> list[Finding]:
    account = session.account_id
    glue = session.client("glue")
    findings = []
    for name, purpose in planned_databases(mesh, account):
        try:
            glue.get_database(Name=name)
        except AWS_ERRORS as exc:
            if error_code(exc) not in NOT_FOUND:
                findings.append(unverified(account, "database-exists", f"whether database {name} exists", exc,
                                           f"allow glue:GetDatabase, or run aws glue get-database --name {name}",
                                           CREATE_DATABASE_DOC))
            continue
        findings.append(Finding(
            "warning", account, "database-exists", f"Glue database {name} already exists ({purpose})",
            "The stack creates it: Terraform fails with AlreadyExistsException unless the existing database is "
            "imported into the stack's state (and then it is changed to what the stack defines).",
            f"rename or drop the existing database if it is unrelated, or `terraform import` it as "
            f"{account}:{name} into the stack before the apply", CREATE_DATABASE_DOC, (name,)))
    if mesh.all_accounts()[account] == "governance":
        findings.extend(_lf_tags(mesh, session))
    return findings


def _lf_tags(mesh: Mesh, session: AccountSession) -> list[Finding]:
    account = session.account_id
    try:
        tags = paginate(session.client("lakeformation"), "list_lf_tags", "LFTags", CatalogId=account)
    except AWS_ERRORS as exc:
        return [unverified(account, "lf-tag-exists", f"whether the LF-tags {', '.join(LF_TAG_KEYS)} exist", exc,
                           f"run aws lakeformation list-lf-tags --catalog-id {account}", LIST_LF_TAGS_DOC)]
    findings = []
    for tag in sorted(tags, key=lambda t: t.get("TagKey", "")):
        key = tag.get("TagKey")
        if key not in LF_TAG_KEYS:
            continue
        findings.append(Finding(
            "warning", account, "lf-tag-exists", f"the LF-tag {key} already exists",
            "The governance stack creates the LF-tag ontology (domain, classification); creating an existing tag "
            "key fails unless it is imported, and importing it replaces its values with the stack's.",
            "import it into the governance stack, or rename the existing tag if it means something else",
            CREATE_LF_TAG_DOC, tuple(f"{key}: {v}" for v in sorted(tag.get("TagValues", [])))))
    return findings
