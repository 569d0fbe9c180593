"""`meshform access --diff`: access changes between two git revisions of a project, on a temporary repository
built from the bundled environments and contracts (no terraform, no synthesis: fast)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from meshform.access_diff.render import MARKER
from meshform.cli import main
from tests.conftest import copy_project, edit_yaml

DEV = "environments/dev.yaml"
ORDERS = "contracts/sales/orders.yaml"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path) -> Path:
    """The bundled project committed on main, with a feature branch checked out."""
    root = copy_project(tmp_path / "project")
    git(root, "init", "-q", "-b", "main")
    commit(root, "the bundled mesh")
    git(root, "checkout", "-q", "-b", "feature")
    return root


def run(repo: Path, *args: str, capsys) -> tuple[int, str, str]:
    code = main(["--root", str(repo), "access", "--diff", *args])
    out, err = capsys.readouterr()
    return code, out, err


def diff_json(repo: Path, capsys, *args: str) -> tuple[int, dict]:
    code, out, err = run(repo, *args, "--env", "dev", "--format", "json", capsys=capsys)
    assert err == "", err
    return code, json.loads(out)


def subscriptions(change):
    def edit(data):
        data["subscriptions"] = change(data["subscriptions"])
    return edit


def drop_finance_orders(data):
    """finance stops reading sales.orders: its subscription and the invoices pipeline's input go together (a
    pipeline may read only what its domain subscribes)."""
    data["subscriptions"] = [x for x in data["subscriptions"]
                             if (x["subscriber"], x["product"]) != ("finance", "sales.orders")]
    data["domains"]["finance"]["pipelines"]["invoices"].pop("inputs", None)


def reclassify(repo: Path, table: str, columns: dict[str, str]) -> None:
    def edit(data):
        for schema in data["schema"]:
            if schema["name"] == table:
                for prop in schema["properties"]:
                    if prop["name"] in columns:
                        prop["classification"] = columns[prop["name"]]
    edit_yaml(repo / ORDERS, edit)


def test_no_access_change_exits_0_and_says_so(repo, capsys):
    edit_yaml(repo / DEV, lambda d: d["domains"]["sales"].update(description="Orders and the customer master"))
    commit(repo, "a description")
    code, out, err = run(repo, "--env", "dev", capsys=capsys)
    assert (code, err) == (0, "")
    assert out.startswith(MARKER + "\n## Access changes: `merge base of HEAD and main` (")
    assert "No access changes." in out and "review" not in out.lower()
    code, data = diff_json(repo, capsys)
    assert code == 0 and data["needs_review"] is False and data["exit_code"] == 0
    assert data["environments"]["dev"]["status"] == "unchanged"
    assert data["environments"]["dev"]["subscribers"] == {}
    assert data["base"]["commit"] == git(repo, "rev-parse", "main")
    assert data["head"]["commit"] == git(repo, "rev-parse", "HEAD")


def test_added_subscription_within_the_review_level(repo, capsys):
    """analytics (confidential) subscribes to sales.customers: a data cells filter withholds the pii columns, so it
    gains only public/internal data -> reported, no review."""
    edit_yaml(repo / DEV, subscriptions(lambda s: s + [{"subscriber": "analytics", "product": "sales.customers"}]))
    commit(repo, "analytics reads customers")
    code, data = diff_json(repo, capsys)
    assert code == 0 and data["needs_review"] is False
    analytics = data["environments"]["dev"]["subscribers"]["analytics"]
    assert analytics["status"] == "changed" and analytics["account"] == "555555555555"
    assert analytics["products"] == {"gained": ["sales.customers"], "lost": []}
    [table] = analytics["tables"]["gained"]
    assert table == {"product": "sales.customers", "table": "customers", "mechanism": "data cells filter",
                     "filter": "customers__upto_confidential",
                     "columns": ["customer_id", "country_code", "customer_segment", "marketing_opt_in",
                                 "signup_date", "updated_ts"]}
    assert list(data["environments"]["dev"]["subscribers"]) == ["analytics"]
    code, out, _ = run(repo, "--env", "dev", capsys=capsys)
    assert code == 0
    assert "#### `analytics` (consumer 555555555555)" in out
    assert "| + product | sales.customers | |" in out
    assert ("| + table | sales.customers / customers | data cells filter `customers__upto_confidential`: "
            "customer_id, country_code, customer_segment, marketing_opt_in, signup_date, updated_ts |") in out
    assert "Governance review needed" not in out


def test_added_subscription_giving_pii_to_a_new_reader_needs_review(repo, capsys):
    """marketing (clearance pii) subscribes to sales.orders: the pii columns of orders become readable by it."""
    edit_yaml(repo / DEV, subscriptions(lambda s: s + [{"subscriber": "marketing", "product": "sales.orders"}]))
    commit(repo, "marketing reads orders")
    code, data = diff_json(repo, capsys)
    assert code == 4 and data["needs_review"] is True and data["exit_code"] == 4
    review = data["environments"]["dev"]["review"]
    assert {"subscriber": "marketing", "rule": "newly-readable",
            "message": "marketing can now read sales.orders / orders: margin_amount (confidential), "
                       "customer_email (pii), shipping_postcode (pii)"} in review
    assert [r["rule"] for r in review] == ["newly-readable", "newly-readable"]    # orders and order_lines
    tables = data["environments"]["dev"]["subscribers"]["marketing"]["tables"]["gained"]
    assert [(t["table"], t["mechanism"]) for t in tables] == [("order_lines", "table"), ("orders", "table")]
    code, out, _ = run(repo, "--env", "dev", capsys=capsys)
    assert code == 4
    assert "> [!CAUTION]\n> **Governance review needed**: 2 change(s)" in out
    assert ("- marketing can now read sales.orders / orders: margin_amount (confidential), customer_email (pii), "
            "shipping_postcode (pii)") in out


def test_removed_subscription(repo, capsys):
    edit_yaml(repo / DEV, drop_finance_orders)
    commit(repo, "finance stops reading orders")
    code, data = diff_json(repo, capsys)
    assert code == 0 and data["needs_review"] is False
    finance = data["environments"]["dev"]["subscribers"]["finance"]
    assert finance["kind"] == "domain"
    assert finance["products"] == {"gained": [], "lost": ["sales.orders"]}
    assert [(t["table"], t["mechanism"], t["filter"]) for t in finance["tables"]["lost"]] == [
        ("order_lines", "table", None), ("orders", "data cells filter", "orders__upto_confidential")]
    assert finance["tables"]["gained"] == [] and finance["columns"] == {"gained": [], "lost": []}
    code, out, _ = run(repo, "--env", "dev", capsys=capsys)
    assert "| − product | sales.orders | |" in out
    assert "| − table | sales.orders / orders | data cells filter `orders__upto_confidential`: order_id," in out


def test_reclassified_columns_need_review(repo, capsys):
    """Lowering customer_email and shipping_postcode from pii to confidential: analytics and finance (confidential)
    now read them, and orders is granted whole instead of through the filter (mechanism change)."""
    reclassify(repo, "orders", {"customer_email": "confidential", "shipping_postcode": "confidential"})
    commit(repo, "reclassify")
    code, data = diff_json(repo, capsys)
    assert code == 4
    dev = data["environments"]["dev"]
    assert dev["classifications"] == [
        {"product": "sales.orders", "table": "orders", "column": "customer_email", "base": "pii",
         "head": "confidential"},
        {"product": "sales.orders", "table": "orders", "column": "shipping_postcode", "base": "pii",
         "head": "confidential"}]
    rules = sorted((r["rule"], r["subscriber"]) for r in dev["review"])
    assert rules == [("declassified", ""), ("declassified", ""), ("newly-readable", "analytics"),
                     ("newly-readable", "finance")]
    for name in ("analytics", "finance"):
        sub = dev["subscribers"][name]
        assert sub["columns"]["gained"] == [
            {"product": "sales.orders", "table": "orders", "column": "customer_email"},
            {"product": "sales.orders", "table": "orders", "column": "shipping_postcode"}]
        assert sub["mechanisms"] == [{"product": "sales.orders", "table": "orders", "base": "data cells filter",
                                      "head": "table", "base_filter": "orders__upto_confidential",
                                      "head_filter": None}]
        assert sub["products"] == {"gained": [], "lost": []}
    code, out, _ = run(repo, "--env", "dev", capsys=capsys)
    assert code == 4
    assert "| sales.orders / orders.customer_email | pii | confidential |" in out
    assert "| mechanism | sales.orders / orders | data cells filter `orders__upto_confidential` → table |" in out
    assert "| + columns | sales.orders / orders | customer_email, shipping_postcode |" in out
    assert "- sales.orders / orders.customer_email is declassified from pii to confidential" in out


def test_raising_a_classification_needs_no_review(repo, capsys):
    """order_status internal -> confidential: data-science does not read orders; nobody gains, nothing to review
    (raising a classification fails closed), but the reclassification is reported."""
    reclassify(repo, "orders", {"order_status": "confidential"})
    commit(repo, "raise")
    code, data = diff_json(repo, capsys)
    assert code == 0
    assert data["environments"]["dev"]["classifications"] == [
        {"product": "sales.orders", "table": "orders", "column": "order_status", "base": "internal",
         "head": "confidential"}]
    assert data["environments"]["dev"]["subscribers"] == {}


def test_clearance_rise_and_new_principal_need_review(repo, capsys):
    def edit(data):
        data["consumers"]["data-science"]["clearance"] = "confidential"
        data["consumers"]["analytics"]["principals"].append("arn:aws:iam::555555555555:role/Contractor")
    edit_yaml(repo / DEV, edit)
    commit(repo, "clearance and principal")
    code, data = diff_json(repo, capsys)
    assert code == 4
    dev = data["environments"]["dev"]
    messages = {r["message"] for r in dev["review"]}
    assert "data-science: clearance rises from internal to confidential" in messages
    assert ("analytics's new principal(s) arn:aws:iam::555555555555:role/Contractor can now read sales.orders / "
            "orders: margin_amount (confidential)") in messages
    assert dev["subscribers"]["analytics"]["principals"] == {
        "gained": ["arn:aws:iam::555555555555:role/Contractor"], "lost": []}
    assert dev["subscribers"]["data-science"]["clearance"] == {"base": "internal", "head": "confidential"}
    mechanisms = dev["subscribers"]["data-science"]["mechanisms"]
    assert {"product": "marketing.web_sessions", "table": "web_sessions", "base": "data cells filter",
            "head": "data cells filter", "base_filter": "web_sessions__upto_internal",
            "head_filter": "web_sessions__upto_confidential"} in mechanisms


def test_review_level_option(repo, capsys):
    edit_yaml(repo / DEV, subscriptions(lambda s: s + [{"subscriber": "analytics", "product": "sales.customers"}]))
    commit(repo, "analytics reads customers")
    code, data = diff_json(repo, capsys, "--review-from", "public")
    assert code == 4 and data["environments"]["dev"]["review_from"] == "public"
    code, out, err = run(repo, "--env", "dev", "--review-from", "secret", capsys=capsys)
    assert code == 1 and out == ""
    assert "--review-from 'secret' is not a classification of dev (fix: choose from public, internal" in err


def test_default_base_is_the_merge_base_with_main(repo, capsys):
    """main moves on after the branch was cut (a subscription removed there): the diff shows only the branch's own
    change, as a pull request would."""
    edit_yaml(repo / DEV, subscriptions(lambda s: s + [{"subscriber": "analytics", "product": "sales.customers"}]))
    commit(repo, "feature change")
    git(repo, "checkout", "-q", "main")
    edit_yaml(repo / DEV, drop_finance_orders)
    commit(repo, "main moves on")
    git(repo, "checkout", "-q", "feature")
    code, data = diff_json(repo, capsys)
    assert list(data["environments"]["dev"]["subscribers"]) == ["analytics"]
    assert data["base"]["commit"] == git(repo, "merge-base", "HEAD", "main")
    code, data = diff_json(repo, capsys, "main")      # an explicit base: main's removal shows (reversed) too
    assert sorted(data["environments"]["dev"]["subscribers"]) == ["analytics", "finance"]
    assert data["environments"]["dev"]["subscribers"]["finance"]["products"]["gained"] == ["sales.orders"]


def test_origin_main_is_the_fallback_and_no_main_is_a_clear_error(repo, tmp_path, capsys):
    edit_yaml(repo / DEV, subscriptions(lambda s: s + [{"subscriber": "analytics", "product": "sales.customers"}]))
    commit(repo, "feature change")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--branch", "feature", str(repo), str(clone)], check=True)
    git(clone, "branch", "-q", "-D", "main") if "main" in git(clone, "branch", "--list", "main") else None
    code, data = diff_json(clone, capsys)
    assert code == 0 and data["base"]["revision"] == "merge base of HEAD and origin/main"
    git(clone, "remote", "remove", "origin")
    code, out, err = run(clone, capsys=capsys)
    assert code == 1 and out == ""
    assert "neither 'main' nor 'origin/main' exists" in err and "meshform access --diff <BASE>" in err


def test_invalid_revision_is_named_with_every_error(repo, capsys):
    (repo / ORDERS).write_text((repo / ORDERS).read_text().replace("physicalType: string", "physicalType: strng", 1))
    edit_yaml(repo / DEV, lambda d: d["domains"]["sales"].update(clearance="top-secret"))
    commit(repo, "broken")
    code, out, err = run(repo, "--env", "dev", capsys=capsys)
    head = git(repo, "rev-parse", "HEAD")[:12]
    assert code == 1 and out == ""
    assert err.startswith(f"error: HEAD ({head}) does not load:\n")
    assert "environments/dev.yaml:" in err and "domains.sales.clearance" in err
    assert "contracts/sales/orders.yaml:" in err and "strng" in err
    assert "main" not in err.split("\n")[0]
    code, out, err = run(repo, "no-such-branch", capsys=capsys)
    assert code == 1
    assert "revision 'no-such-branch' does not exist" in err and "fetch-depth: 0" in err


def test_working_tree_is_never_touched(repo, capsys):
    """Only commits are compared: an uncommitted edit is neither read nor changed, HEAD and the index stay."""
    edit_yaml(repo / DEV, subscriptions(lambda s: s + [{"subscriber": "analytics", "product": "sales.customers"}]))
    before = (git(repo, "rev-parse", "HEAD"), git(repo, "status", "--porcelain"), (repo / DEV).read_text())
    code, data = diff_json(repo, capsys)
    assert code == 0 and data["environments"]["dev"]["status"] == "unchanged"
    assert (git(repo, "rev-parse", "HEAD"), git(repo, "status", "--porcelain"), (repo / DEV).read_text()) == before
    assert git(repo, "worktree", "list").count("\n") == 0


def test_new_environment_and_project_in_a_subdirectory(tmp_path, capsys):
    """The project may live below the repository's top level; an environment added on the branch is all gain."""
    top = tmp_path / "repo"
    root = copy_project(top / "platform")
    (root / "environments" / "prod.yaml").unlink()
    git(top, "init", "-q", "-b", "main")
    commit(top, "dev only")
    git(top, "checkout", "-q", "-b", "feature")
    (root / "environments" / "prod.yaml").write_text((Path(__file__).parent.parent / "environments" /
                                                      "prod.yaml").read_text())
    commit(top, "add prod")
    code = main(["--root", str(root), "access", "--diff", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 4                     # prod's pii readers (marketing reads customers whole) are all new
    assert data["environments"]["dev"]["status"] == "unchanged"
    prod = data["environments"]["prod"]
    assert prod["status"] == "added"
    assert prod["subscribers"]["marketing"]["status"] == "added"
    assert prod["subscribers"]["marketing"]["products"]["gained"] == ["sales.customers"]


def test_json_is_stable(repo, capsys):
    reclassify(repo, "orders", {"customer_email": "confidential"})
    commit(repo, "reclassify")
    first = run(repo, "--format", "json", capsys=capsys)[1]
    second = run(repo, "--format", "json", capsys=capsys)[1]
    assert first == second
    assert first == json.dumps(json.loads(first), indent=2, sort_keys=True) + "\n"
    assert sorted(json.loads(first)["environments"]) == ["dev", "prod"]
    assert yaml.safe_load(first)["needs_review"] is True


def test_missing_git_is_exit_3(repo, tmp_path, monkeypatch, capsys):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    code, out, err = run(repo, capsys=capsys)
    assert code == 3 and out == ""
    assert "git was not found on PATH" in err


def test_subscriber_moved_to_another_account_needs_review(repo, capsys):
    """The grants go to the account: a consumer moved to a new account hands its confidential columns to new
    readers (the new account's principals)."""
    def edit(data):
        analytics = data["consumers"]["analytics"]
        analytics["account_id"] = "777777777777"
        analytics["principals"] = [p.replace("555555555555", "777777777777") for p in analytics["principals"]]
    edit_yaml(repo / DEV, edit)
    commit(repo, "analytics moves")
    code, data = diff_json(repo, capsys)
    assert code == 4
    analytics = data["environments"]["dev"]["subscribers"]["analytics"]
    assert analytics["account_change"] == {"base": "555555555555", "head": "777777777777"}
    assert analytics["account"] == "777777777777"
    assert analytics["principals"]["gained"] == ["arn:aws:iam::777777777777:role/Analyst",
                                                 "arn:aws:iam::777777777777:role/BIService"]
    assert {"subscriber": "analytics", "rule": "newly-readable",
            "message": "analytics's new principal(s) arn:aws:iam::777777777777:role/Analyst, "
                       "arn:aws:iam::777777777777:role/BIService can now read sales.orders / orders: "
                       "margin_amount (confidential)"} in data["environments"]["dev"]["review"]
    code, out, _ = run(repo, "--env", "dev", capsys=capsys)
    assert "| account | | 555555555555 → 777777777777 |" in out


def test_diff_options_without_diff_are_a_usage_error(repo, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--root", str(repo), "access", "--review-from", "pii"])
    assert exit_.value.code == 2
    assert "--head and --review-from go with --diff" in capsys.readouterr().err
