"""`meshform preflight`: read-only checks of the accounts before the first apply, against a moto server seeded with
state as it exists in real accounts (set up the way a real account gets it: admins first, databases before grants)."""
from __future__ import annotations

import contextlib
import json

import pytest
from botocore.stub import Stubber

from meshform.cli import main
from meshform.lake_settings import intended_lake_settings
from meshform.loader import load_meshes
from meshform.local.emulator import MotoServer
from meshform.preflight.aws import AccountSession, WriteRefused
from meshform.preflight.organization import _ram_sharing
from meshform.preflight.roles import referenced_principals
from tests.conftest import copy_project, edit_yaml
from tests.emulator import AccountClients

REGION = "eu-west-1"
IAP = {"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"}
IAP_ALL = [{"Principal": IAP, "Permissions": ["ALL"]}]


def _trust(account: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}}]})


def _create_role(clients: AccountClients, account: str, name: str) -> None:
    iam = clients("iam")
    with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=_trust(account))


def _principal(arn: str) -> dict:
    return {"DataLakePrincipalIdentifier": arn}


def _settings(admins, read_only=(), trusted=(), db_defaults=(), table_defaults=(), full_table=False) -> dict:
    return {"DataLakeAdmins": [_principal(a) for a in admins], "ReadOnlyAdmins": [_principal(a) for a in read_only],
            "TrustedResourceOwners": list(trusted), "CreateDatabaseDefaultPermissions": list(db_defaults),
            "CreateTableDefaultPermissions": list(table_defaults), "AllowFullTableExternalDataAccess": full_table,
            "Parameters": {"CROSS_ACCOUNT_VERSION": "4"}}


def _findings(report: dict) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = {}
    for account in report["accounts"]:
        for f in account["findings"]:
            out.setdefault((account["name"], f["check"]), []).append(f)
    return out


@pytest.fixture()
def server(tmp_path):
    moto = MotoServer(tmp_path / "moto.log")
    yield moto
    moto.stop()


def test_preflight_reports_what_the_first_apply_would_break(tmp_path, server, capsys):
    root = copy_project(tmp_path / "project")
    mesh = load_meshes(root, ["dev"])[0]
    gov = "111111111111"
    deploy = {a: f"arn:aws:iam::{a}:role/mesh-deploy" for a in mesh.all_accounts()}
    as_account = {a: AccountClients(server.url, REGION, a) for a in [*mesh.all_accounts(), "999999999999"]}

    # IAM as the accounts have it: deploy roles everywhere but data-science; every referenced role but BIService.
    for account in mesh.all_accounts():
        if account != "666666666666":
            _create_role(as_account[account], account, "mesh-deploy")
    for arn, _, _ in referenced_principals(mesh):
        if not arn.endswith("/BIService"):
            _create_role(as_account[arn.split(":")[4]], arn.split(":")[4], arn.rsplit("/", 1)[1])
    for legacy in ("LegacyAdmin", "OldAuditor"):
        _create_role(as_account[gov], gov, legacy)

    # Governance: Lake Formation in use the IAM way, with an extra admin and read-only admin.
    lf, glue = as_account[gov]("lakeformation"), as_account[gov]("glue")
    lf.put_data_lake_settings(DataLakeSettings=_settings(
        [deploy[gov], f"arn:aws:iam::{gov}:role/DataPlatformAdmin", f"arn:aws:iam::{gov}:role/LegacyAdmin"],
        read_only=[f"arn:aws:iam::{gov}:role/DataAuditor", f"arn:aws:iam::{gov}:role/OldAuditor"],
        db_defaults=IAP_ALL, table_defaults=IAP_ALL))
    glue.create_database(DatabaseInput={"Name": "legacy_reports", "CreateTableDefaultPermissions": IAP_ALL})
    glue.create_table(DatabaseName="legacy_reports", TableInput={
        "Name": "monthly", "StorageDescriptor": {"Columns": [{"Name": "month", "Type": "string"}],
                                                 "Location": "s3://legacy-reports/monthly/"}})
    lf.grant_permissions(Principal=IAP, Resource={"Database": {"Name": "legacy_reports"}}, Permissions=["ALL"])
    lf.grant_permissions(Principal=IAP, Resource={"Table": {"DatabaseName": "legacy_reports", "Name": "monthly"}},
                         Permissions=["ALL"])
    glue.create_database(DatabaseInput={"Name": "finance"})          # the name of a central database
    lf.create_lf_tag(TagKey="classification", TagValues=["secret", "open"])   # a tag key the ontology uses

    # S3: sales' raw bucket name taken by a stranger; marketing already has its log bucket.
    as_account["999999999999"]("s3").create_bucket(
        Bucket=mesh.bucket("sales", "raw"), CreateBucketConfiguration={"LocationConstraint": REGION})
    as_account["333333333333"]("s3").create_bucket(
        Bucket=mesh.bucket("marketing", "logs"), CreateBucketConfiguration={"LocationConstraint": REGION})

    # An organization managed by the governance account, RAM sharing never enabled, no other account in it.
    org_id = as_account[gov]("organizations").create_organization(FeatureSet="ALL")["Organization"]["Id"]
    edit_yaml(root / "environments" / "dev.yaml", lambda d: d.update(organization_id=org_id))

    rc = main(["--root", str(root), "preflight", "--env", "dev", "--endpoint", server.url, "--format", "json"])
    out = capsys.readouterr().out
    report = json.loads(out)
    found = _findings(report)

    assert rc == 1 and report["exit_code"] == 1
    assert [a["name"] for a in report["accounts"]] == ["governance", "finance", "marketing", "sales", "analytics",
                                                       "data-science"]
    severity = {key: sorted({f["severity"] for f in fs}) for key, fs in found.items()}

    admins = found[("governance", "lf-admins-removed")][0]
    assert admins["severity"] == "warning" and admins["details"] == [f"arn:aws:iam::{gov}:role/LegacyAdmin"]
    assert "governance.admins" in admins["fix"] and admins["doc"].startswith("https://docs.aws.amazon.com/")
    assert found[("governance", "lf-read-only-admins-removed")][0]["details"] == [
        f"arn:aws:iam::{gov}:role/OldAuditor"]
    defaults = found[("governance", "lf-iam-allowed-principals-defaults-cleared")][0]
    assert defaults["severity"] == "warning"          # something in the account relies on IAMAllowedPrincipals
    assert defaults["details"] == ["CreateDatabaseDefaultPermissions: IAM_ALLOWED_PRINCIPALS ALL",
                                   "CreateTableDefaultPermissions: IAM_ALLOWED_PRINCIPALS ALL"]
    relying = found[("governance", "lf-iam-allowed-principals")][0]
    assert relying["details"] == [
        "database legacy_reports: IAM_ALLOWED_PRINCIPALS ALL; new tables in it: IAMAllowedPrincipals (IAM only, "
        "unchanged by the stacks)",
        "table legacy_reports.monthly: IAM_ALLOWED_PRINCIPALS ALL"]
    assert "keep their IAMAllowedPrincipals grants" in relying["why"]
    assert found[("governance", "database-exists")][0]["details"] == ["finance"]
    assert found[("governance", "lf-tag-exists")][0]["details"] == ["classification: open", "classification: secret"]
    assert severity[("governance", "ram-organization-sharing")] == ["blocker"]
    assert ("governance", "organization-membership") not in found

    taken = found[("sales", "bucket-taken")]
    assert [(f["severity"], f["details"]) for f in taken] == [("blocker", [mesh.bucket("sales", "raw")])]
    assert [(f["severity"], f["details"]) for f in found[("marketing", "bucket-exists")]] == [
        ("warning", [mesh.bucket("marketing", "logs")])]
    assert [f["details"] for f in found[("analytics", "principal-missing")]] == [
        ["arn:aws:iam::555555555555:role/BIService"]]
    assert severity[("data-science", "deploy-role-missing")] == ["blocker"]
    for name in ("finance", "marketing", "sales", "analytics", "data-science"):
        assert severity[(name, "organization-membership")] == ["blocker"], name
    # fresh domain/consumer accounts: IAM defaults with nothing relying on them -> info only
    assert severity[("sales", "lf-iam-allowed-principals-defaults-cleared")] == ["info"]
    assert report["summary"]["blocker"] == sum(1 for fs in found.values() for f in fs if f["severity"] == "blocker")

    # deterministic JSON; the text rendering groups the same findings per account
    assert main(["--root", str(root), "preflight", "--env", "dev", "--endpoint", server.url,
                 "--format", "json"]) == 1
    assert capsys.readouterr().out == out
    assert main(["--root", str(root), "preflight", "--env", "dev", "--endpoint", server.url]) == 1
    text = capsys.readouterr().out
    sales = text.split("\nsales (domain, 222222222222)\n", 1)[1].split("\n\n", 1)[0]
    assert f"BLOCKER  [bucket-taken] bucket name {mesh.bucket('sales', 'raw')} (raw) is owned by another account" \
        in sales
    assert "see: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html" in sales
    assert text.rstrip().endswith("FAILED: blockers must be fixed before the first apply")


def test_preflight_is_clean_when_the_accounts_are_as_the_spec_wants(tmp_path, server, capsys):
    root = copy_project(tmp_path / "project")
    gov = "111111111111"
    org = AccountClients(server.url, REGION, gov)("organizations")
    org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    org.enable_aws_service_access(ServicePrincipal="ram.amazonaws.com")   # what `aws ram enable-sharing-...` does
    # The other mesh accounts are members of the organization: use the account IDs the organization gave them.
    spec = root / "environments" / "dev.yaml"
    text = spec.read_text()
    for old in ("222222222222", "333333333333", "444444444444", "555555555555", "666666666666"):
        status = org.create_account(Email=f"{old}@acme.example", AccountName=f"mesh-{old}")["CreateAccountStatus"]
        text = text.replace(old, status["AccountId"])
    spec.write_text(text)
    edit_yaml(spec, lambda d: d.update(organization_id=org_id))
    mesh = load_meshes(root, ["dev"])[0]

    for account in mesh.all_accounts():
        clients = AccountClients(server.url, REGION, account)
        _create_role(clients, account, "mesh-deploy")
    for arn, _, _ in referenced_principals(mesh):
        account = arn.split(":")[4]
        _create_role(AccountClients(server.url, REGION, account), account, arn.rsplit("/", 1)[1])
    for account in mesh.all_accounts():
        wanted = intended_lake_settings(mesh, account)
        AccountClients(server.url, REGION, account)("lakeformation").put_data_lake_settings(
            DataLakeSettings=_settings(wanted.admins, wanted.read_only_admins, wanted.trusted_resource_owners,
                                       full_table=wanted.allow_full_table_external_data_access))

    assert main(["--root", str(root), "preflight", "--env", "dev", "--endpoint", server.url,
                 "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"] == {"blocker": 0, "warning": 0, "info": 0}, [f for a in report["accounts"]
                                                                        for f in a["findings"]]
    assert all(a["findings"] == [] for a in report["accounts"])
    assert main(["--root", str(root), "preflight", "--env", "dev", "--endpoint", server.url]) == 0
    assert capsys.readouterr().out.rstrip().endswith("OK: nothing would break")


def test_unknown_environment_is_a_validation_error(tmp_path, capsys):
    root = copy_project(tmp_path / "project")
    assert main(["--root", str(root), "preflight", "--env", "nope"]) == 1
    assert "environment 'nope' does not exist" in capsys.readouterr().err


def _offline_session(account: str) -> AccountSession:
    """A session whose clients point at a closed loopback port: nothing can reach AWS."""
    creds = {"AccessKeyId": "test", "SecretAccessKey": "test", "SessionToken": "test"}
    return AccountSession(account, "http://127.0.0.1:9", REGION, creds)


def test_ram_sharing_unverifiable_from_a_member_account_is_a_warning():
    """AWS denies ListAWSServiceAccessForOrganization outside the management account / delegated admins (moto does
    not), so AWS's documented answer is stubbed."""
    session = _offline_session("111111111111")
    client = session.client("organizations")
    with Stubber(client) as stub:
        stub.add_client_error("list_aws_service_access_for_organization", service_error_code="AccessDeniedException",
                              service_message="You don't have permissions to access this resource.",
                              http_status_code=400)
        findings = _ram_sharing(session, "o-a1b2c3d4e5", "999999999999")
    assert [(f.severity, f.check) for f in findings] == [("warning", "ram-organization-sharing")]
    assert findings[0].what.startswith("could not verify")
    assert "in the management account 999999999999 run: aws organizations list-aws-service-access-for-organization" \
        in findings[0].fix


def test_preflight_clients_refuse_writes():
    session = _offline_session("111111111111")
    with pytest.raises(WriteRefused, match="s3:CreateBucket"):
        session.client("s3").create_bucket(Bucket="never-created")
    with pytest.raises(WriteRefused, match="PutDataLakeSettings"):
        session.client("lakeformation").put_data_lake_settings(DataLakeSettings={})


def test_intended_lake_settings_are_what_the_stacks_write(stack):
    """The preflight compares accounts with meshform.lake_settings: prove it equals the synthesized settings."""
    from meshform.loader import load_meshes as load
    from tests.conftest import REPO

    mesh = load(REPO, ["dev"])[0]
    names = {"governance": "dev-governance"}
    names.update({d: f"dev-domain-{d}" for d in mesh.spec.domains})
    names.update({c: f"dev-consumer-{c}" for c in mesh.spec.consumers})
    for account, owner in mesh.all_accounts().items():
        settings = stack(names[owner]).one("aws_lakeformation_data_lake_settings")
        wanted = intended_lake_settings(mesh, account)
        assert tuple(settings["admins"]) == wanted.admins, owner
        assert tuple(settings.get("read_only_admins") or ()) == wanted.read_only_admins, owner
        assert tuple(settings.get("trusted_resource_owners") or ()) == wanted.trusted_resource_owners, owner
        assert settings["parameters"] == {"CROSS_ACCOUNT_VERSION": wanted.cross_account_version}, owner
        assert bool(settings.get("allow_full_table_external_data_access")) == \
            wanted.allow_full_table_external_data_access, owner
        assert not settings.get("create_database_default_permissions")
        assert not settings.get("create_table_default_permissions")

