"""Bad input: every class of mistake gets a message naming the file, the field path and the fix; all errors of
a run are reported together; exit code 1; never a traceback; nothing written."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from meshform.cli import main
from tests.conftest import REPO, edit_yaml


def run_validate(root: Path, capsys, *extra: str) -> tuple[int, str]:
    code = main(["--root", str(root), "validate", *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_bundled_environments_are_valid(capsys):
    code, out = run_validate(REPO, capsys)
    assert code == 0, out
    assert "dev: 3 domains, 2 consumers, 7 products" in out
    assert "prod: 3 domains, 2 consumers, 7 products" in out


def test_yaml_syntax_error_names_file_and_line(project, capsys):
    env = project / "environments" / "dev.yaml"
    env.write_text(env.read_text().replace("region: eu-west-1", "region: [eu-west-1"))
    code, out = run_validate(project, capsys, "--env", "dev")
    assert code == 1
    assert "environments/dev.yaml:" in out and "YAML syntax error at line" in out
    assert "Traceback" not in out


def test_wrong_type_account_id_as_number(project, capsys):
    env = project / "environments" / "dev.yaml"
    env.write_text(env.read_text().replace('account_id: "222222222222"', "account_id: 222222222222"))
    code, out = run_validate(project, capsys, "--env", "dev")
    assert code == 1
    assert "domains.sales.account_id: expected text, got the number 222222222222" in out
    assert 'fix: quote it: account_id: "222222222222"' in out


def test_malformed_account_id(project, capsys):
    edit_yaml(project / "environments" / "dev.yaml",
              lambda d: d["consumers"]["analytics"].update(account_id="5555"))
    code, out = run_validate(project, capsys, "--env", "dev")
    assert code == 1
    assert "consumers.analytics.account_id: '5555' is not a valid AWS account ID" in out


def test_unknown_key_is_rejected(project, capsys):
    edit_yaml(project / "environments" / "dev.yaml",
              lambda d: d["domains"]["sales"].update(cost_centre="CC-1"))
    code, out = run_validate(project, capsys, "--env", "dev")
    assert code == 1
    assert "environments/dev.yaml:" in out and "domains.sales.cost_centre: unknown key 'cost_centre'" in out


def test_missing_required_key(project, capsys):
    edit_yaml(project / "environments" / "dev.yaml", lambda d: d["domains"]["finance"].pop("owner"))
    code, out = run_validate(project, capsys, "--env", "dev")
    assert code == 1
    assert "domains.finance.owner: required key 'owner' is missing" in out


def test_duplicate_domain_key(project, capsys):
    env = project / "environments" / "dev.yaml"
    text = env.read_text()
    block = text[text.index("  finance:"):text.index("consumers:")]
    env.write_text(text.replace("consumers:", block.replace("finance:", "sales:") + "consumers:", 1))
    code, out = run_validate(project, capsys, "--env", "dev")
    assert code == 1
    assert "domains.sales: duplicate key 'sales' (first defined at line" in out


def test_duplicate_account_ids(project, capsys):
    edit_yaml(project / "environments" / "dev.yaml",
              lambda d: d["consumers"]["analytics"].update(account_id="222222222222"))
    code, out = run_validate(project, capsys, "--env", "dev")
    assert code == 1
    assert ("consumers.analytics.account_id: account 222222222222 is already used by domains.sales.account_id"
            in out)


def test_subscription_to_unknown_product_and_subscriber(project, capsys):
    def change(d):
        d["subscriptions"].append({"subscriber": "analytics", "product": "sales.returns"})
        d["subscriptions"].append({"subscriber": "nobody", "product": "sales.orders"})
        d["subscriptions"].append({"subscriber": "analytics", "product": "hr.people"})
    edit_yaml(project / "environments" / "dev.yaml", change)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert code == 1
    assert "unknown product 'sales.returns' (no contract contracts/sales/returns.yaml)" in out
    assert "unknown subscriber 'nobody'" in out
    assert "unknown product 'hr.people' (unknown domain 'hr')" in out


def test_classification_outside_ontology(project, capsys):
    contract = project / "contracts" / "sales" / "customers.yaml"
    contract.write_text(contract.read_text().replace("classification: pii", "classification: secret", 1))
    code, out = run_validate(project, capsys, "--env", "dev")
    assert code == 1
    assert "contracts/sales/customers.yaml:" in out
    assert "classification 'secret' is not in the governance ontology" in out
    assert "fix: use one of: public, internal, confidential, pii" in out


def test_contract_typo_key_is_caught_by_the_odcs_schema(project, capsys):
    contract = project / "contracts" / "finance" / "invoices.yaml"
    contract.write_text(contract.read_text().replace("classification: confidential", "clasification: confidential", 1))
    code, out = run_validate(project, capsys, "--env", "dev")
    assert code == 1
    assert "contracts/finance/invoices.yaml:" in out and "not valid ODCS v3" in out and "clasification" in out


def test_contract_bad_physical_type_and_mismatched_product(project, capsys):
    contract = project / "contracts" / "finance" / "cost_centers.yaml"
    text = contract.read_text().replace("physicalType: string", "physicalType: varchar2", 1)
    contract.write_text(text.replace("dataProduct: cost_centers", "dataProduct: costcenters"))
    code, out = run_validate(project, capsys, "--env", "dev")
    assert code == 1
    assert "'varchar2' is not a Glue/Hive column type" in out
    assert "dataProduct: dataProduct is 'costcenters' but the file is named cost_centers.yaml" in out


def test_names_breaking_aws_rules(project, capsys):
    def change(d):
        d["domains"]["Sales-EU"] = d["domains"].pop("finance")
        d["name_prefix"] = "acme-enterprise"
        d["consumers"]["data-science-platform-team"] = d["consumers"].pop("data-science")
        d["subscriptions"] = [s for s in d["subscriptions"]
                              if s["subscriber"] not in ("finance", "data-science") and "finance." not in s["product"]]
    edit_yaml(project / "environments" / "dev.yaml", change)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert code == 1
    assert "domain name 'Sales-EU' must be 2-30 lower-case letters or digits" in out
    assert "S3 allows 63" in out and "acme-enterprise-dev-data-science-platform-team-athena-results" in out


def test_column_above_clearance_names_subscription_product_and_column(project, capsys):
    def change(d):
        for s in d["subscriptions"]:
            if s["subscriber"] == "data-science" and s["product"] == "sales.customers":
                s["columns"]["customers"].append("email")
    edit_yaml(project / "environments" / "dev.yaml", change)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert code == 1
    assert ("subscription data-science -> sales.customers: column customers.email is classified 'pii', above "
            "data-science's clearance 'internal'") in out


def test_all_errors_reported_at_once_without_traceback_and_nothing_written(project):
    edit_yaml(project / "environments" / "dev.yaml", lambda d: d["domains"]["sales"].update(owner="not-an-email"))
    edit_yaml(project / "environments" / "prod.yaml", lambda d: d.update(region="mars-1"))
    contract = project / "contracts" / "marketing" / "campaigns.yaml"
    contract.write_text(contract.read_text().replace("physicalType: string", "physicalType: text", 1))
    result = subprocess.run([sys.executable, "-m", "meshform.cli", "--root", str(project), "synth"],
                            capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "environments/dev.yaml" in result.stderr and "domains.sales.owner" in result.stderr
    assert "environments/prod.yaml" in result.stderr and "region" in result.stderr
    assert "environments/prod.yaml" in result.stderr and "'mars-1' is not a valid AWS region" in result.stderr
    # contracts are still checked although both environment files are invalid
    assert "contracts/marketing/campaigns.yaml" in result.stderr and "'text' is not a Glue/Hive" in result.stderr
    assert "not declared in any environment" not in result.stderr
    assert "error(s) found; nothing was written" in result.stderr
    assert not (project / "cdktf.out").exists()


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_unknown_environment_selection(project, capsys, env):
    code, out = run_validate(project, capsys, "--env", f"{env},staging")
    assert code == 1
    assert "environment 'staging' does not exist" in out


def test_tag_grant_above_clearance_is_rejected(project, capsys):
    def change(d):
        d["consumers"]["data-science"]["grants"] = [{"domain": "sales", "classification": ["public", "pii"]},
                                                    {"domain": "hr", "classification": ["public"]}]
    edit_yaml(project / "environments" / "dev.yaml", change)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert code == 1
    assert "consumers.data-science.grants.0.classification: tag grant of 'pii' data is above data-science's " \
           "clearance 'internal'" in out
    assert "consumers.data-science.grants.1.domain: tag grant to unknown domain 'hr'" in out


def test_admins_and_principals_must_belong_to_their_own_account(project, capsys):
    def change(d):
        d["domains"]["finance"]["admins"] = ["arn:aws:iam::111111111111:role/DataPlatformAdmin"]
        d["consumers"]["analytics"]["principals"].append("arn:aws:iam::666666666666:role/DataScientist")
    edit_yaml(project / "environments" / "dev.yaml", change)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert code == 1
    assert "domains.finance.admins.0: arn:aws:iam::111111111111:role/DataPlatformAdmin is in account " \
           "111111111111, not in this account 444444444444" in out
    assert "consumers.analytics.principals.2: arn:aws:iam::666666666666:role/DataScientist is in account" in out


def _drop_sub(d, subscriber, product):
    d["subscriptions"] = [s for s in d["subscriptions"] if (s["subscriber"], s["product"]) != (subscriber, product)]


@pytest.mark.parametrize("change,expected", [
    (lambda d: d["consumers"]["analytics"]["principals"].append("arn:aws:iam::555555555555:user/bob"),
     "consumers.analytics.principals.2: 'arn:aws:iam::555555555555:user/bob' is not a valid IAM role ARN"),
    (lambda d: d["consumers"]["data-science"]["grants"].append({"domain": "finance", "classification": ["public"]}),
     "consumers.data-science.grants.1.domain: a second tag grant for domain 'finance'"),
    (lambda d: d["subscriptions"].append({"subscriber": "analytics", "product": "sales.customers", "columns": {}}),
     "subscription analytics -> sales.customers: an empty column mapping shares nothing"),
    (lambda d: d["domains"]["sales"].update(principals=["arn:aws:iam::222222222222:role/SalesDataSteward"]),
     "domains.sales.principals.0: arn:aws:iam::222222222222:role/SalesDataSteward is also a Lake Formation admin"),
    (lambda d: d["governance"].update(read_only_admins=["arn:aws:iam::555555555555:role/Auditor"]),
     "governance.read_only_admins.0: arn:aws:iam::555555555555:role/Auditor is in account 555555555555"),
    (lambda d: (d["domains"].update(default=d["domains"].pop("finance")),
                d.update(subscriptions=[s for s in d["subscriptions"]
                                        if "finance" not in s["subscriber"] + s["product"]]),
                d["consumers"]["data-science"].pop("grants")),
     "domains.default: 'default' is reserved"),
    (lambda d: (d["consumers"]["analytics"].update(clearance="public"),
                d.update(subscriptions=[s for s in d["subscriptions"] if s["subscriber"] != "analytics"]
                         + [{"subscriber": "analytics", "product": "sales.orders"}])),
     "every column of table 'order_lines' is above analytics's clearance 'public'"),
], ids=["user-principal", "duplicate-tag-grant", "empty-columns", "admin-is-principal", "read-only-admin-account",
        "reserved-domain", "nothing-readable"])
def test_more_bad_input_classes(project, capsys, change, expected):
    edit_yaml(project / "environments" / "dev.yaml", change)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert code == 1
    assert expected in out, out


def test_yml_contract_is_not_silently_ignored(project, capsys):
    (project / "contracts" / "sales" / "orders.yaml").rename(project / "contracts" / "sales" / "returns.yml")
    edit_yaml(project / "environments" / "dev.yaml", lambda d: d.update(subscriptions=[
        s for s in d["subscriptions"] if s["product"] != "sales.orders"]))
    code, out = run_validate(project, capsys)
    assert code == 1
    assert "contracts/sales/returns.yml: <top>: contracts must end in .yaml; this file is ignored" in out


def _console_script(root: Path, *args: str, closed: bool = False) -> subprocess.CompletedProcess:
    """The installed `meshform` command (meshform.cli:run), as a user runs it; `closed`: its output piped into a
    reader that has already gone (`| true` leaves at once, long before meshform prints its first line)."""
    script = Path(sys.executable).parent / "meshform"
    command = f"{script} --root {root} {' '.join(args)}" + (" | true; exit ${PIPESTATUS[0]}" if closed else "")
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120)


def test_console_script_reports_everything_before_leaving(project):
    """The console script leaves without the interpreter's teardown after validate and after input errors: what
    was printed must still all arrive, with the exit code."""
    ok = _console_script(project, "validate")
    assert ok.returncode == 0 and ok.stdout.rstrip().endswith("valid: no errors"), ok.stderr
    edit_yaml(project / "environments" / "dev.yaml", lambda d: d["governance"].update(account_id="12"))
    edit_yaml(project / "contracts" / "sales" / "orders.yaml", lambda d: d.update(kind="Contract"))
    failed = _console_script(project, "validate")
    assert failed.returncode == 1
    assert "environments/dev.yaml" in failed.stderr and "contracts/sales/orders.yaml" in failed.stderr
    assert failed.stderr.rstrip().splitlines()[-1].strip(), failed.stderr          # the last line is not cut off
    build = _console_script(project, "build", "--env", "dev")
    assert build.returncode == 1 and "contracts/sales/orders.yaml" in build.stderr
    assert not (project / "cdktf.out").exists()


def test_output_into_a_reader_that_stopped_is_no_traceback():
    """`meshform access | head`: once the reader has closed the pipe, the command stops quietly with exit 1."""
    piped = _console_script(REPO, "access", "--env", "dev", closed=True)
    assert "Traceback" not in piped.stderr and "BrokenPipeError" not in piped.stderr, piped.stderr
    assert piped.returncode == 1 and piped.stderr == ""
