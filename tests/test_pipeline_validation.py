"""`domains.<d>.pipelines` is validated like the rest of the spec (docs/pipelines.md): file, line, field path and
fix for every mistake, all reported in one run, nothing written. No jsii here."""
from __future__ import annotations

import re

from tests.conftest import edit_yaml
from tests.test_validation import run_validate


def errors(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("environments/dev.yaml:")]


def test_every_pipeline_mistake_is_reported_at_once_with_line_path_and_fix(project, capsys):
    def change(d):
        d["domains"]["sales"]["pipelines"] = {
            "orders": {"format": "csv", "inputs": ["finance.invoices", "marketing.nothing", "sales.orders"]},
            "invoices": {"format": "json"},                      # a finance product
            "nothing": {"format": "parquet"},                    # no such contract
        }
    edit_yaml(project / "environments" / "dev.yaml", change)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert code == 1
    found = errors(out)
    expect = [
        r"domains\.sales\.pipelines\.orders\.inputs\.0: input finance\.invoices is not subscribed by sales",
        r"domains\.sales\.pipelines\.orders\.inputs\.1: unknown input product 'marketing\.nothing'",
        r"domains\.sales\.pipelines\.orders\.inputs\.2: the pipeline of sales\.orders lists its own product",
        r"domains\.sales\.pipelines\.invoices: product 'invoices' belongs to domain 'finance', not to 'sales'",
        r"domains\.sales\.pipelines\.nothing: unknown product 'nothing'",
    ]
    for pattern in expect:
        assert any(re.search(pattern, line) for line in found), (pattern, out)
    assert len(found) == len(expect), out
    assert all(re.match(r"environments/dev\.yaml:\d+: ", line) for line in found), out   # every error has a line
    assert "fix: add `- {subscriber: sales, product: finance.invoices}` to subscriptions" in out
    assert "fix: move the entry to domains.finance.pipelines" in out
    assert "fix: use one of sales's products: customers, orders" in out
    assert "Traceback" not in out


def test_pipeline_schema_mistakes_are_reported_together(project, capsys):
    """Field-level mistakes (pydantic) are reported together too; like every schema error, they are reported
    before the cross-checks (README, 'Environment spec')."""
    def change(d):
        d["domains"]["sales"]["pipelines"] = {
            "customers": {"format": "xml"},
            "orders": {"format": "csv", "retrys": 3, "workers": {"type": "G.16X", "count": 1}, "backoff_rate": 0.5,
                       "csv": {"delimiter": ";;"}}}
        d["domains"]["finance"]["pipelines"] = {"invoices": {"format": "json", "csv": {"header": False}}}
    edit_yaml(project / "environments" / "dev.yaml", change)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert code == 1
    for text in ("domains.sales.pipelines.customers.format: Input should be 'csv', 'json' or 'parquet'",
                 "domains.sales.pipelines.orders.retrys: unknown key 'retrys'",
                 "domains.sales.pipelines.orders.workers.type:", "domains.sales.pipelines.orders.workers.count:",
                 "domains.sales.pipelines.orders.backoff_rate:", "domains.sales.pipelines.orders.csv.delimiter:",
                 "domains.finance.pipelines.invoices: csv options are given but the format is 'json'",
                 "fix: remove `csv` or set format: csv"):
        assert text in out, (text, out)
    assert all(re.match(r"environments/dev\.yaml:\d+: ", line) for line in errors(out)), out


def test_pipeline_names_must_fit_aws_limits(project, capsys):
    """A 16-character prefix and a 45-character product: the pipeline's IAM role names pass IAM's 64."""
    long = "orders_" + "x" * 38
    contracts = project / "contracts" / "sales"
    text = (contracts / "orders.yaml").read_text().replace("dataProduct: orders", f"dataProduct: {long}")
    (contracts / "orders.yaml").unlink()
    (contracts / f"{long}.yaml").write_text(text)

    def change(d):
        d["name_prefix"] = "a" * 16
        d["domains"]["sales"]["pipelines"] = {long: {"format": "csv"}}
        d["subscriptions"] = [s for s in d["subscriptions"] if s["product"] != "sales.orders"]
    edit_yaml(project / "environments" / "dev.yaml", change)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert code == 1
    assert f"domains.sales.pipelines.{long}: IAM role name '{'a' * 16}-dev-sales-{long}-events' would be" in out
    assert "AWS allows 64" in out and "fix: shorten name_prefix, the domain or the product name" in out


def test_bundled_pipelines_are_valid_and_their_inputs_subscribed(capsys):
    from meshform.loader import load_meshes
    from tests.conftest import REPO

    meshes = {m.env: m for m in load_meshes(REPO)}
    assert set(meshes["dev"].spec.domains["sales"].pipelines) == {"orders"}
    assert set(meshes["dev"].spec.domains["finance"].pipelines) == {"invoices"}
    assert set(meshes["prod"].spec.domains["sales"].pipelines) == {"orders"}
    for mesh in meshes.values():
        for domain, d in mesh.spec.domains.items():
            for pipeline in d.pipelines.values():
                for ref in pipeline.inputs:
                    assert ref.split(".")[0] == domain or any(
                        s.subscriber == domain and s.product == ref for s in mesh.spec.subscriptions)
