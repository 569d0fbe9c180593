"""Ending a Redshift subscription, end to end on the emulator (docs/redshift.md, "Unsubscribing"): a small mesh
(the bundled dev reduced to `sales`, with its warehouse, and the `analytics` consumer, with its) is applied with
`local_deploy` (real terraform and AWS provider 5.100.0); then the subscription is removed from the spec, the
producer's and the subscriber's stacks are re-applied in deploy order, and boto3 reads back that the subscriber's
database created from the datashare is gone (the tombstone DROP DATABASE ran), the association with it too, and
that both stacks then plan nothing. Subscribing again re-creates the database."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from meshform.loader import load_meshes
from meshform.local import deploy
from meshform.local import terraform as tf
from meshform.local.emulator import MotoServer
from meshform.synth import synthesize
from tests.conftest import copy_project, edit_yaml
from tests.emulator import AccountClients, require_terraform

pytestmark = pytest.mark.emulator

CONSUMER = "555555555555"
PRODUCER_STACK, CONSUMER_STACK = "dev-domain-sales", "dev-consumer-analytics"
SUBSCRIPTION = {"subscriber": "analytics", "product": "sales.orders", "via": ["lakeformation", "redshift"]}
LEDGER = "/acme/dev/analytics/redshift/consumer-databases"


def _mesh_of_two(root: Path, subscriptions: list[dict]) -> None:
    def change(spec: dict) -> None:
        spec["domains"] = {"sales": spec["domains"]["sales"]}
        spec["domains"]["sales"].pop("pipelines", None)
        spec["consumers"] = {"analytics": spec["consumers"]["analytics"]}
        spec["subscriptions"] = subscriptions
    edit_yaml(root / "environments" / "dev.yaml", change)


def _reapply(root: Path, workdir: Path, subscriptions: list[dict]) -> dict[str, tf.Result]:
    """Synthesize the changed spec and apply the two stacks over the applied state, as `meshform deploy` would
    (producer first: domains before consumers)."""
    _mesh_of_two(root, subscriptions)
    out = root / "changed.out"
    synthesize(load_meshes(root, ["dev"]), out)
    cli = workdir / "terraform.rc"
    results = {}
    for name in (PRODUCER_STACK, CONSUMER_STACK):
        stack = workdir / "cdktf.out" / "stacks" / name
        shutil.copy(out / "stacks" / name / "cdk.tf.json", stack / "cdk.tf.json")
        targets, _ = deploy.plan_exclusions(json.loads((stack / "cdk.tf.json").read_text()))
        args = [f"-target={t}" for t in targets] if targets is not None else []
        results[name] = tf.run(tf.find_terraform(), ["apply", "-auto-approve", "-input=false", *args], stack, cli,
                               workdir / "logs" / f"{name}.reapply.log")
        assert results[name].returncode == 0, results[name].output[-4000:]
        plan = tf.run(tf.find_terraform(), ["plan", "-detailed-exitcode", "-input=false", *args], stack, cli,
                      workdir / "logs" / f"{name}.replan.log")
        assert plan.returncode == 0, f"{name} plans changes after the re-apply:\n{plan.output[-4000:]}"
    return results


def test_removing_a_subscription_drops_the_consumer_database_and_replans_empty(tmp_path):
    require_terraform()
    root = copy_project(tmp_path / "project")
    for other in ("finance", "marketing"):
        shutil.rmtree(root / "contracts" / other)
    (root / "environments" / "prod.yaml").unlink()
    _mesh_of_two(root, [SUBSCRIPTION])
    mesh = load_meshes(root, ["dev"])[0]
    server = MotoServer(tmp_path / "moto.log")
    try:
        workdir = root / ".meshform" / "local-deploy"
        runs = deploy.local_deploy([mesh], workdir, server.url, echo=lambda _: None)
        assert all(not r.error and r.plan_exit == 0 for r in runs), [(r.name, r.error, r.plan_summary)
                                                                      for r in runs]
        consumer = AccountClients(server.url, mesh.region, CONSUMER)

        def databases() -> list[str]:
            data = consumer("redshift-data")
            sid = data.execute_statement(ClusterIdentifier="acme-dev-analytics", Database="analytics",
                                         DbUser="meshadmin", Sql="SELECT database_name FROM svv_redshift_databases "
                                                                 "ORDER BY 1")["Id"]
            assert data.describe_statement(Id=sid)["Status"] == "FINISHED"
            return [r[0]["stringValue"] for r in data.get_statement_result(Id=sid)["Records"]]

        def ledger() -> list[str]:
            found = consumer("ssm").get_parameters_by_path(Path=LEDGER)["Parameters"]
            return sorted(p["Name"].rsplit("/", 1)[1] for p in found)

        def associated() -> list[str]:
            return [s["DataShareArn"].rsplit("/", 1)[1] for s in consumer("redshift").describe_data_shares_for_consumer(
                Status="ACTIVE")["DataShares"]]

        # subscribed: the database from the datashare exists, recorded in the subscriber's ledger; the never
        # subscribed product (sales.customers) has neither a database nor a record, and nothing ran for it
        assert databases() == ["analytics", "sales_orders"]
        assert ledger() == ["sales_orders"]
        assert associated() == ["orders__upto_confidential"]

        # unsubscribe: the producer's REVOKE, then the subscriber's tombstone DROP DATABASE
        applied = _reapply(root, workdir, [])
        assert "DROP DATABASE" not in applied[PRODUCER_STACK].output
        assert databases() == ["analytics"]
        assert ledger() == ["sales_orders"]          # kept: the tombstone stays planned, the re-plan is empty
        assert associated() == []
        assert consumer("redshift").describe_data_shares()["DataShares"] == []

        # subscribing again re-creates it (the tombstone's address runs the CREATE again)
        _reapply(root, workdir, [SUBSCRIPTION])
        assert databases() == ["analytics", "sales_orders"]
        assert associated() == ["orders__upto_confidential"]
    finally:
        server.stop()
