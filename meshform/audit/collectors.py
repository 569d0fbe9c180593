"""One collector per AWS service the audit reads: it says whether it applies to the mesh, reads one account
(strictly read-only: the clients come from meshform/preflight/aws.py, which refuse anything but
Get/List/Describe/Head before it is sent) and hands the answers to meshform/audit/compare.py.

Adding a service (e.g. Redshift datashare grants) = one more Collector in COLLECTORS: `skip_reason` returns why
it does not apply (no Redshift declared), `audit` returns findings for one account."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from meshform.audit import compare
from meshform.audit.expected import Expected
from meshform.audit.normalize import live_atoms
from meshform.audit.report import ERROR, Finding
from meshform.preflight.aws import AWS_ERRORS, AccountSession, error_text, is_access_denied, paginate
from meshform.spec.mesh import Mesh


class Collector(Protocol):
    name: str

    def skip_reason(self, mesh: Mesh) -> str | None:
        """None when the collector applies to this mesh, else why it is skipped (shown in the report)."""

    def audit(self, mesh: Mesh, expected: Expected, session: AccountSession) -> list[Finding]:
        """Read one account and compare it with what it should hold."""


class ReadFailed(Exception):
    def __init__(self, finding: Finding):
        super().__init__(finding.resource)
        self.finding = finding


def read(mesh: Mesh, expected: Expected, section: str, what: str, call) -> Any:
    """Run one read; an AWS error becomes an ERROR finding naming the account and the role it was read as."""
    try:
        return call()
    except AWS_ERRORS as exc:
        role = mesh.deploy_role_arn(expected.account_id)
        hint = (f"allow it to {role} (meshform audit reads as the deploy role)" if is_access_denied(exc)
                else "check the endpoint and the account, then re-run")
        raise ReadFailed(Finding(expected.account_id, section, ERROR, role, f"could not read {what}",
                                 (error_text(exc),), hint)) from None


class LakeFormationCollector:
    """Data lake settings (admins, IAMAllowedPrincipals defaults), permissions, registered locations, data cells
    filters and LF-tags of one account, and the Glue databases' default table permissions."""

    name = "lakeformation"

    def skip_reason(self, mesh: Mesh) -> str | None:
        return None

    def audit(self, mesh: Mesh, expected: Expected, session: AccountSession) -> list[Finding]:
        account = expected.account_id
        lf, glue = session.client("lakeformation"), session.client("glue")
        out: list[Finding] = []
        steps: list[tuple[str, str, Callable[[], Any], Callable[[Expected, Any], list[Finding]]]] = [
            ("settings", "the data lake settings (GetDataLakeSettings)",
             lambda: lf.get_data_lake_settings(CatalogId=account).get("DataLakeSettings", {}),
             compare.compare_settings),
            ("permissions", "the Lake Formation permissions (ListPermissions)",
             lambda: live_atoms(paginate(lf, "list_permissions", "PrincipalResourcePermissions",
                                         CatalogId=account), account),
             compare.compare_permissions),
            ("settings", "the Glue databases (GetDatabases)",
             lambda: paginate(glue, "get_databases", "DatabaseList", CatalogId=account),
             compare.compare_database_defaults),
            ("locations", "the registered locations (ListResources)",
             lambda: paginate(lf, "list_resources", "ResourceInfoList"), compare.compare_locations),
            ("filters", "the data cells filters (ListDataCellsFilter)",
             lambda: paginate(lf, "list_data_cells_filter", "DataCellsFilters"), compare.compare_filters),
            ("lf-tags", "the LF-tags (ListLFTags)",
             lambda: paginate(lf, "list_lf_tags", "LFTags", CatalogId=account), compare.compare_lf_tags),
            ("lf-tags", "the LF-tags assigned to databases, tables and columns (GetResourceLFTags)",
             lambda: _assignments(lf, account, expected), compare.compare_tag_assignments),
        ]
        for section, what, call, check in steps:
            try:
                out += check(expected, read(mesh, expected, section, what, call))
            except ReadFailed as failed:
                out.append(failed.finding)
        return out


def _values(tags: list[dict]) -> dict[str, str]:
    return {t["TagKey"]: ",".join(t.get("TagValues") or []) for t in tags}


def _assignments(lf, account: str, expected: Expected) -> dict[tuple[str, ...], dict[str, str]]:
    """The directly assigned LF-tags of the central databases and the contract tables and their columns (only
    in the governance account: the others hold no tagged resources of the mesh)."""
    out: dict[tuple[str, ...], dict[str, str]] = {}
    for database in sorted({t[0] for t in expected.tables}):
        answer = lf.get_resource_lf_tags(CatalogId=account, ShowAssignedLFTags=True,
                                         Resource={"Database": {"CatalogId": account, "Name": database}})
        if answer.get("LFTagOnDatabase"):
            out[("database", database)] = _values(answer["LFTagOnDatabase"])
    for database, table in expected.tables:
        named = {"CatalogId": account, "DatabaseName": database, "Name": table}
        answer = lf.get_resource_lf_tags(CatalogId=account, ShowAssignedLFTags=True, Resource={"Table": named})
        columns = lf.get_resource_lf_tags(CatalogId=account, ShowAssignedLFTags=True,
                                          Resource={"TableWithColumns": {**named, "ColumnWildcard": {}}})
        if answer.get("LFTagsOnTable"):
            out[("table", database, table)] = _values(answer["LFTagsOnTable"])
        for column in [*answer.get("LFTagsOnColumns", []), *columns.get("LFTagsOnColumns", [])]:
            if column.get("LFTags"):
                out[("column", database, table, column["Name"])] = _values(column["LFTags"])
    return out


class RamCollector:
    """Resource shares accepted by a domain or consumer account (the governance account offers, never receives)."""

    name = "ram"

    def skip_reason(self, mesh: Mesh) -> str | None:
        return None

    def audit(self, mesh: Mesh, expected: Expected, session: AccountSession) -> list[Finding]:
        if expected.account.kind == "governance":
            return []
        ram = session.client("ram")
        try:
            shares = read(mesh, expected, "ram", "the accepted RAM shares (GetResourceShares)",
                          lambda: _shares(ram))
        except ReadFailed as failed:
            return [failed.finding]
        return compare.compare_ram(expected, shares)


def _shares(ram) -> list[dict]:
    shares, token = [], None
    while True:
        page = ram.get_resource_shares(resourceOwner="OTHER-ACCOUNTS", **({"nextToken": token} if token else {}))
        shares += page.get("resourceShares", [])
        token = page.get("nextToken")
        if not token:
            return shares


class RedshiftCollector:
    """Redshift datashare grants, read in each producer (a domain with a warehouse): the datashares its namespace
    owns and the consumer accounts each is granted to (DescribeDataShares; the producer's view lists every
    consumer with its association status), compared with meshform/redshift/model.py (`product_shares`, `grants`:
    what the domain stack's GRANT USAGE statements and authorizations create)."""

    name = "redshift"

    def skip_reason(self, mesh: Mesh) -> str | None:
        from meshform.redshift.model import warehouses

        return None if warehouses(mesh) else "redshift: no Redshift warehouse declared in the spec"

    def audit(self, mesh: Mesh, expected: Expected, session: AccountSession) -> list[Finding]:
        domain = expected.account.name
        if expected.account.kind != "domain" or mesh.spec.domains[domain].redshift is None:
            return []
        redshift = session.client("redshift")
        try:
            shares = read(mesh, expected, "redshift", "the datashares (DescribeDataShares)",
                          lambda: paginate(redshift, "describe_data_shares", "DataShares"))
        except ReadFailed as failed:
            return [failed.finding]
        return compare.compare_datashares(mesh, expected, domain, shares)


COLLECTORS: tuple[Collector, ...] = (LakeFormationCollector(), RamCollector(), RedshiftCollector())
