"""`meshform audit` against the emulator (collected by tests/test_local_deploy.py, after everything else there, to
share its one apply of dev): a clean deploy reports
nothing (exit 0, only read calls), then out-of-band changes of every kind, made with boto3 as each account's deploy
role, are each reported with the right section, kind and account (exit 3); unreadable accounts are errors
(exit 4) with a message naming the account and role, never a traceback."""
from __future__ import annotations

import json
import re
import time

import pytest

from meshform.audit import run_audit
from meshform.audit.report import ERROR, EXIT_CLEAN, EXIT_DRIFT, EXIT_ERROR
from meshform.cli import main
from meshform.lf_grants import declared_tag_assignments
from meshform.local.deploy import succeeded
from meshform.preflight import aws as preflight_aws
from tests.emulator_fixtures import ensure_role

pytestmark = pytest.mark.emulator

READ_ONLY = re.compile(r"^(Get|List|Describe|Head)[A-Z]|^AssumeRole$")


@pytest.fixture(scope="module")
def deployed(dev):
    """The session's dev apply (tests/conftest.py). These tests change it out of band, so they run last in
    tests/test_local_deploy.py, the only module that uses it."""
    assert succeeded(dev["runs"]), dev["output"]
    return dev


@pytest.fixture()
def recorded_calls(monkeypatch):
    """Every AWS operation the audit sends, recorded through each client's event system."""
    calls: list[tuple[str, str]] = []
    original = preflight_aws._client

    def recording(service, *args, **kwargs):
        client = original(service, *args, **kwargs)
        client.meta.events.register("before-call", lambda model, **_: calls.append((service, model.name)))
        return client

    monkeypatch.setattr(preflight_aws, "_client", recording)
    return calls


def test_a_clean_deploy_reports_nothing_and_only_reads(deployed, recorded_calls, capsys):
    code = main(["--root", str(deployed["root"]), "audit", "--env", "dev", "--endpoint", deployed["endpoint"]])
    out = capsys.readouterr().out
    assert code == EXIT_CLEAN, out
    assert "**CLEAN**: every account matches the repository." in out
    assert out.count("No drift.") == len(deployed["mesh"].all_accounts())
    operations = {name for _, name in recorded_calls}
    assert operations >= {"AssumeRole", "GetRole", "GetDataLakeSettings", "ListPermissions", "GetDatabases",
                          "ListResources", "ListDataCellsFilter", "ListLFTags", "GetResourceLFTags",
                          "GetResourceShares"}
    assert sorted(n for n in operations if not READ_ONLY.match(n)) == []


def _inject(deployed) -> dict[str, str]:
    """One out-of-band change of every kind, each in the account where it happens."""
    mesh, as_account = deployed["mesh"], deployed["as_account"]
    gov = mesh.governance_account
    sales, marketing, finance = (mesh.account_of(d) for d in ("sales", "marketing", "finance"))
    analytics, science = mesh.account_of("analytics"), mesh.account_of("data-science")
    g = as_account(gov)
    lf = g("lakeformation")
    # an extra grant to a principal the spec knows: the marketing account never subscribed to finance
    lf.grant_permissions(Principal={"DataLakePrincipalIdentifier": marketing},
                         Resource={"Database": {"Name": "finance"}}, Permissions=["DESCRIBE"])
    # a revoked expected grant: analytics' DESCRIBE on the sales database
    lf.revoke_permissions(Principal={"DataLakePrincipalIdentifier": analytics},
                          Resource={"Database": {"Name": "sales"}}, Permissions=["DESCRIBE"],
                          PermissionsWithGrantOption=["DESCRIBE"])
    # an extra registered location, and a deregistered one
    lf.register_resource(ResourceArn="arn:aws:s3:::side-bucket", RoleArn=ensure_role(g, "side-reg"))
    lf.deregister_resource(ResourceArn=f"arn:aws:s3:::{mesh.bucket('finance', 'analytics')}")
    # an extra data cells filter, and a deleted one
    lf.create_data_cells_filter(TableData={"TableCatalogId": gov, "DatabaseName": "sales", "TableName": "orders",
                                           "Name": "everything", "ColumnWildcard": {},
                                           "RowFilter": {"AllRowsWildcard": {}}})
    deleted = sorted(k for k in _filters(mesh) if k[0] == "sales")[0]
    lf.delete_data_cells_filter(TableCatalogId=gov, DatabaseName=deleted[0], TableName=deleted[1], Name=deleted[2])
    # IAMAllowedPrincipals on a table (what the defaults would have given it)
    lf.grant_permissions(Principal={"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"},
                         Resource={"Table": {"DatabaseName": "marketing", "Name": "campaigns"}}, Permissions=["ALL"])
    # an LF-tag value change, on the ontology and on a column (reclassified out of band)
    lf.update_lf_tag(TagKey="classification", TagValuesToAdd=["secret"])
    column = next(k for k, v in sorted(declared_tag_assignments(mesh).items())
                  if k[0] == "column" and v["classification"] != "public")
    lf.add_lf_tags_to_resource(Resource={"TableWithColumns": {"DatabaseName": column[1], "Name": column[2],
                                                              "ColumnNames": [column[3]]}},
                               LFTags=[{"TagKey": "classification", "TagValues": ["public"]}])

    # an extra LF admin (sales) and IAMAllowedPrincipals defaults (marketing)
    s = as_account(sales)
    intruder = ensure_role(s, "BreakGlass")
    settings = s("lakeformation").get_data_lake_settings()["DataLakeSettings"]
    settings["DataLakeAdmins"] = [*settings["DataLakeAdmins"], {"DataLakePrincipalIdentifier": intruder}]
    s("lakeformation").put_data_lake_settings(DataLakeSettings=settings)
    m = as_account(marketing)
    settings = m("lakeformation").get_data_lake_settings()["DataLakeSettings"]
    settings["CreateDatabaseDefaultPermissions"] = [
        {"Principal": {"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"}, "Permissions": ["ALL"]}]
    m("lakeformation").put_data_lake_settings(DataLakeSettings=settings)

    # a grant to a principal the spec does not know (finance's link to the sales database)
    f = as_account(finance)
    contractor = ensure_role(f, "Contractor")
    f("lakeformation").grant_permissions(Principal={"DataLakePrincipalIdentifier": contractor},
                                         Resource={"Database": {"Name": "sales"}}, Permissions=["DESCRIBE"])

    # RAM: data-science leaves the governance account's Lake Formation share; analytics accepts a share from
    # marketing (inside the Organization it is accepted at once)
    ram = as_account(science)("ram")
    share = next(s for s in ram.get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"]
                 if s["owningAccountId"] == gov)
    ram.disassociate_resource_share(resourceShareArn=share["resourceShareArn"], principals=[science])
    side = m("ram").create_resource_share(name="side-door", principals=[analytics])["resourceShare"]

    # Redshift: sales deauthorizes analytics' datashare, and grants a second one to data-science by SQL
    rs = s("redshift")
    shares = {x["DataShareArn"].rsplit("/", 1)[1]: x["DataShareArn"] for x in rs.describe_data_shares()["DataShares"]
              if x["DataShareArn"].split(":")[4] == sales}
    rs.deauthorize_data_share(DataShareArn=shares["orders__upto_confidential"], ConsumerIdentifier=analytics)
    namespace = s("redshift-serverless").get_namespace(namespaceName="acme-dev-sales")["namespace"]
    data = s("redshift-data")
    run = data.execute_statement(WorkgroupName="acme-dev-sales", Database=namespace["dbName"],
                                 SecretArn=namespace["adminPasswordSecretArn"],
                                 Sql=f"GRANT USAGE ON DATASHARE customers TO ACCOUNT '{science}'")
    for _ in range(60):                                  # the emulator runs statements at once; AWS would not
        status = data.describe_statement(Id=run["Id"])["Status"]
        if status in ("FINISHED", "FAILED", "ABORTED"):
            break
        time.sleep(1)
    assert status == "FINISHED", data.describe_statement(Id=run["Id"])
    return {"contractor": contractor, "intruder": intruder, "side_share": side["resourceShareArn"],
            "deleted_filter": deleted[2], "column": ".".join(column[1:])}


def by_account_of(data: dict, account: str) -> list[dict]:
    return next(a["findings"] for a in data["accounts"] if a["account_id"] == account)


def _filters(mesh):
    from meshform.access import cells_filters

    return cells_filters(mesh)


def test_every_out_of_band_change_is_reported_with_its_kind_and_account(deployed, recorded_calls, capsys):
    mesh = deployed["mesh"]
    injected = _inject(deployed)
    report = run_audit(mesh, deployed["endpoint"])
    found = {(f.account_id, f.section, f.kind, f.principal, f.resource) for f in report.findings}
    gov = mesh.governance_account
    acc = mesh.account_of
    finance_bucket = f"arn:aws:s3:::{mesh.bucket('finance', 'analytics')}"
    wanted = {
        (gov, "permissions", "extra", acc("marketing"), f"database {gov}:finance"),
        (gov, "permissions", "missing", acc("analytics"), f"database {gov}:sales"),
        (gov, "locations", "extra", f"arn:aws:iam::{gov}:role/side-reg",
         "registered location arn:aws:s3:::side-bucket"),
        (gov, "locations", "missing", f"arn:aws:iam::{gov}:role/acme-dev-lf-reg-finance",
         f"registered location {finance_bucket}"),
        (gov, "filters", "extra", "", f"data cells filter everything on {gov}:sales.orders"),
        (gov, "lf-tags", "changed", "", "LF-tag classification"),
        (gov, "lf-tags", "changed", "", f"LF-tags of column {gov}:{injected['column']}"),
        (gov, "permissions", "iam-allowed-principals", "IAM_ALLOWED_PRINCIPALS", f"table {gov}:marketing.campaigns"),
        (acc("sales"), "admins", "extra", injected["intruder"], f"DataLakeAdmins of {acc('sales')}"),
        (acc("marketing"), "settings", "iam-allowed-principals", "IAM_ALLOWED_PRINCIPALS",
         f"CreateDatabaseDefaultPermissions of {acc('marketing')}"),
        (acc("finance"), "permissions", "unknown-principal", injected["contractor"],
         f"database {acc('finance')}:sales"),
        (acc("data-science"), "ram", "missing", gov, f"Lake Formation RAM share from {gov}"),
        (acc("analytics"), "ram", "extra", acc("marketing"), f"RAM share side-door ({injected['side_share']})"),
        (acc("sales"), "redshift", "missing", acc("analytics"), "datashare orders__upto_confidential"),
        (acc("sales"), "redshift", "extra", acc("data-science"), "datashare customers"),
    }
    assert wanted <= found, sorted(found - wanted)
    assert any(f.section == "filters" and f.kind == "missing" and injected["deleted_filter"] in f.resource
               for f in report.findings)
    # nothing else: each injected change is reported once, nothing is noise
    assert len(report.findings) == len(wanted) + 1, sorted(found - wanted)
    assert report.exit_code == EXIT_DRIFT
    tag = next(f for f in report.findings if f.resource == "LF-tag classification")
    assert tag.permissions == ("+secret",) and tag.hint.startswith("re-apply dev-governance")

    code = main(["--root", str(deployed["root"]), "audit", "--env", "dev", "--endpoint", deployed["endpoint"],
                 "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == EXIT_DRIFT and data["exit_code"] == EXIT_DRIFT
    assert data["skipped"] == []
    shared = next(f for f in by_account_of(data, acc("sales")) if f["section"] == "redshift" and f["kind"] == "extra")
    assert shared["permissions"] == ["PENDING_AUTHORIZATION"] and shared["hint"].startswith("REVOKE USAGE")
    by_account = {a["account_id"]: a["findings"] for a in data["accounts"]}
    assert {(f["section"], f["kind"]) for f in by_account[acc("finance")]} == {("permissions", "unknown-principal")}
    assert sorted(n for _, n in recorded_calls if not READ_ONLY.match(n)) == []


def test_an_account_that_cannot_be_read_is_an_error_naming_account_and_role(deployed, capsys):
    mesh = deployed["mesh"]
    blind = mesh.spec.model_copy(update={"deploy_role": "audit-missing"})
    report = run_audit(type(mesh)(spec=blind, file=mesh.file, products=mesh.products), deployed["endpoint"])
    errors = [f for f in report.findings if f.kind == ERROR]
    assert report.exit_code == EXIT_ERROR
    assert {f.account_id for f in errors} == set(mesh.all_accounts())
    first = next(f for f in errors if f.account_id == mesh.governance_account)
    assert first.resource == f"cannot read account {mesh.governance_account} (governance) as " \
                             f"arn:aws:iam::{mesh.governance_account}:role/audit-missing"
    assert first.permissions[0].startswith("the role does not exist: GetRole: NoSuchEntity")


def test_an_unreachable_endpoint_is_an_error_not_a_traceback(deployed, capsys):
    code = main(["--root", str(deployed["root"]), "audit", "--env", "dev", "--endpoint", "http://127.0.0.1:9"])
    captured = capsys.readouterr()
    assert code == EXIT_ERROR
    assert "Traceback" not in captured.out + captured.err
    assert "**INCOMPLETE**: 6 error(s)" in captured.out and "EndpointConnectionError" in captured.out
    assert "| access | arn:aws:iam::111111111111:role/mesh-deploy | cannot read account 111111111111 (governance) " \
           "as arn:aws:iam::111111111111:role/mesh-deploy |" in captured.out
