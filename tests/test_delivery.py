"""HCP Terraform as code (`backend: cloud`, docs/delivery.md), asserted on the synthesized JSON: every tfe block
against the tfe provider's schema (test_delivery_schema.py), and the semantics — one workspace per stack named as
the stacks' `cloud` blocks name them, run triggers exactly the deploy order's direct edges, dynamic credentials
on every mesh workspace pointing at its own run role, whose trust names exactly that workspace — plus the spec's
validation. The bundled prod environment is the CLI-driven case; a copy switched to VCS with notifications and
auto-apply is the other."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from meshform.cli import main
from meshform.loader import load_meshes
from meshform.synth import synthesize
from tests.conftest import copy_project, edit_yaml
from tests.test_delivery_schema import Block, tfe_schema

pytestmark = pytest.mark.synth

META = {"//", "lifecycle", "depends_on", "provider", "count", "for_each"}
REF = re.compile(r"^\$\{tfe_workspace\.([A-Za-z0-9_-]+)\.id\}$")
VCS = {"repository": "acme/data-mesh", "branch": "release", "oauth_token_id": "ot-AbC123"}


def _vcs_prod(d: dict) -> None:
    d["backend"].update(workflow="vcs", vcs=VCS, auto_apply=True, terraform_version="1.11.4", notifications=[
        {"name": "oncall", "destination_type": "slack", "triggers": ["run:errored", "assessment:drifted"]},
        {"name": "owners", "destination_type": "email", "email_user_ids": ["user-Abc123"]}])


@pytest.fixture(scope="module")
def vcs_out(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("vcs") / "project")
    edit_yaml(root / "environments" / "prod.yaml", _vcs_prod)
    synthesize(load_meshes(root, ["prod"]), root / "cdktf.out")
    return root / "cdktf.out"


@pytest.fixture(params=["cli", "vcs"])
def out(request, synth_root, vcs_out) -> Path:
    return synth_root / "cdktf.out" if request.param == "cli" else vcs_out


def _stack(out: Path, name: str) -> dict:
    return json.loads((out / "stacks" / name / "cdk.tf.json").read_text())


def _manifest(out: Path) -> dict[str, list[str]]:
    stacks = json.loads((out / "manifest.json").read_text())["stacks"]
    return {n: s["dependencies"] for n, s in stacks.items() if n.startswith("prod-")}


def _workspace_names(delivery: dict) -> dict[str, str]:
    """resource name -> workspace name"""
    return {key: body["name"] for key, body in delivery["resource"]["tfe_workspace"].items()}


def _resolve(delivery: dict, ref: str) -> str:
    match = REF.match(ref)
    assert match, f"not a reference to a workspace of the stack: {ref!r}"
    return _workspace_names(delivery)[match.group(1)]


def _conforms(body: dict, schema: Block, where: str) -> list[str]:
    problems = []
    for key, value in body.items():
        if key in META:
            continue
        attribute = schema.attributes.get(key)
        if attribute is None:
            problems.append(f"{where}.{key}: not an argument of the provider's schema")
            continue
        if attribute.block is not None:
            items = value if isinstance(value, list) else [value]
            for i, item in enumerate(items):
                problems += _conforms(item, attribute.block, f"{where}.{key}[{i}]") if isinstance(item, dict) else [
                    f"{where}.{key}: a block, got {type(item).__name__}"]
            continue
        expected = {"string": str, "boolean": bool, "number": (int, float), "stringList": list,
                    "stringMap": dict}.get(attribute.storage)
        if expected is None:
            problems.append(f"{where}.{key}: storage {attribute.storage} not handled by this test")
        elif not isinstance(value, expected) or (attribute.storage == "stringList" and
                                                  not all(isinstance(v, str) for v in value)):
            problems.append(f"{where}.{key}: {attribute.storage} expected, got {value!r}")
    for name, attribute in schema.attributes.items():
        if attribute.required and name not in body:
            problems.append(f"{where}: required argument {name} is missing")
    return problems


def test_every_tfe_block_is_valid_against_the_provider_schema(out):
    delivery = _stack(out, "prod-delivery")
    schema = tfe_schema()
    problems = []
    for rtype, items in delivery["resource"].items():
        assert rtype in schema, f"{rtype} is not a resource of hashicorp/tfe 0.71.0"
        for name, body in items.items():
            problems += _conforms(body, schema[rtype], f"{rtype}.{name}")
    problems += _conforms(delivery["provider"]["tfe"][0], schema["tfe"], "provider.tfe")
    assert not problems, "\n".join(problems)
    assert delivery["terraform"]["required_providers"] == {"tfe": {"source": "hashicorp/tfe", "version": "0.71.0"}}
    # Only HCP Terraform: no AWS provider, so no account is touched (and local-deploy skips it).
    assert set(delivery["provider"]) == {"tfe"} and set(delivery["resource"]) <= {
        "tfe_project", "tfe_workspace", "tfe_workspace_settings", "tfe_variable", "tfe_run_trigger",
        "tfe_notification_configuration"}
    assert "token" not in json.dumps(delivery["provider"]) and "TFE_TOKEN" not in json.dumps(delivery)


def test_one_workspace_per_stack_named_as_the_stacks_cloud_blocks_name_it(out):
    manifest = _manifest(out)
    delivery = _stack(out, "prod-delivery")
    project, = delivery["resource"]["tfe_project"].values()
    assert (project["name"], project["organization"]) == ("data-mesh-prod", "acme-data")
    assert project["lifecycle"] == {"prevent_destroy": True}
    names = _workspace_names(delivery)
    assert sorted(names.values()) == sorted(f"mesh-{s}" for s in manifest if s != "prod-delivery")
    for stack in manifest:
        cloud = _stack(out, stack)["terraform"]["cloud"]
        assert cloud["organization"] == "acme-data" and cloud["hostname"] == "app.terraform.io"
        if stack == "prod-delivery":       # its own state: created by `terraform init`, in the default project
            assert cloud["workspaces"] == {"name": "mesh-prod-delivery"}
        else:
            assert cloud["workspaces"] == {"name": f"mesh-{stack}", "project": "data-mesh-prod"}
    for body in delivery["resource"]["tfe_workspace"].values():
        assert body["project_id"] == "${tfe_project.project.id}" and body["organization"] == "acme-data"
        assert body["terraform_version"] == "1.11.4"
        assert body["allow_destroy_plan"] is False and body["lifecycle"] == {"prevent_destroy": True}
    modes = {_resolve(delivery, s["workspace_id"]): s["execution_mode"]
             for s in delivery["resource"]["tfe_workspace_settings"].values()}
    assert modes == {f"mesh-{s}": "local" if s.startswith("prod-trust-") else "remote"
                     for s in manifest if s != "prod-delivery"}


def _direct_edges(manifest: dict[str, list[str]]) -> set[tuple[str, str]]:
    """(source, target) of the deploy order among the mesh stacks, without edges implied by longer paths."""
    mesh = {n: {d for d in deps if not d.startswith(("prod-trust-", "prod-delivery"))}
            for n, deps in manifest.items() if not n.startswith(("prod-trust-", "prod-delivery"))}

    def reaches(a: str, b: str) -> bool:      # does a (transitively) depend on b?
        return b in mesh[a] or any(reaches(d, b) for d in mesh[a])
    return {(d, n) for n, deps in mesh.items() for d in deps
            if not any(reaches(other, d) for other in deps if other != d)}


def test_run_triggers_are_the_deploy_order_edges(out):
    manifest = _manifest(out)
    delivery = _stack(out, "prod-delivery")
    triggers = {(_resolve(delivery, t["sourceable_id"]), _resolve(delivery, t["workspace_id"]))
                for t in delivery["resource"]["tfe_run_trigger"].values()}
    assert len(triggers) == len(delivery["resource"]["tfe_run_trigger"])
    expected = {(f"mesh-{a}", f"mesh-{b}") for a, b in _direct_edges(manifest)}
    assert triggers == expected
    # e.g. governance -> each catalog, sales part 0 -> part 1, the last catalogs -> each domain, domains -> consumers
    assert ("mesh-prod-catalog-sales", "mesh-prod-catalog-sales-1") in triggers
    assert ("mesh-prod-domain-sales", "mesh-prod-consumer-analytics") in triggers
    assert ("mesh-prod-governance", "mesh-prod-consumer-analytics") not in triggers        # implied
    assert not any("trust" in a or "trust" in b for a, b in triggers)


def test_every_mesh_workspace_runs_with_dynamic_credentials_as_its_own_run_role(out):
    manifest = _manifest(out)
    delivery = _stack(out, "prod-delivery")
    env: dict[str, dict[str, dict]] = {}
    for v in delivery["resource"]["tfe_variable"].values():
        env.setdefault(_resolve(delivery, v["workspace_id"]), {})[v["key"]] = v
    mesh_stacks = [s for s in manifest if not s.startswith(("prod-trust-", "prod-delivery"))]
    assert set(env) == {f"mesh-{s}" for s in mesh_stacks}       # trust workspaces run locally: no variables
    for stack in mesh_stacks:
        variables = env[f"mesh-{stack}"]
        assert set(variables) == {"TFC_AWS_PROVIDER_AUTH", "TFC_AWS_RUN_ROLE_ARN"}
        assert all(v["category"] == "env" and v["sensitive"] is False for v in variables.values())
        assert variables["TFC_AWS_PROVIDER_AUTH"]["value"] == "true"
        account = _stack(out, stack)["provider"]["aws"][0]["allowed_account_ids"][0]
        role_arn = variables["TFC_AWS_RUN_ROLE_ARN"]["value"]
        assert role_arn == f"arn:aws:iam::{account}:role/acme-tfc-{stack}"
        # The trust stack of that account (a dependency of the stack) creates the role, trusting this workspace only.
        trust_stack, = [d for d in manifest[stack] if d.startswith("prod-trust-")]
        trust = _stack(out, trust_stack)
        assert trust["provider"]["aws"][0]["allowed_account_ids"] == [account]
        role, = [r for r in trust["resource"]["aws_iam_role"].values() if r["name"] == f"acme-tfc-{stack}"]
        statement, = json.loads(role["assume_role_policy"])["Statement"]
        assert statement["Principal"] == {"Federated": f"arn:aws:iam::{account}:oidc-provider/app.terraform.io"}
        assert statement["Condition"]["StringLike"] == {"app.terraform.io:sub": (
            f"organization:acme-data:project:data-mesh-prod:workspace:mesh-{stack}:run_phase:*")}
        assert statement["Condition"]["StringEquals"] == {"app.terraform.io:aud": "aws.workload.identity"}


def test_every_account_has_one_oidc_provider_for_the_host(out):
    manifest = _manifest(out)
    trusts = [s for s in manifest if s.startswith("prod-trust-")]
    assert len(trusts) == 1 + 3 + 2               # governance, each domain, each consumer
    accounts = set()
    for stack in trusts:
        data = _stack(out, stack)
        provider, = data["resource"]["aws_iam_openid_connect_provider"].values()
        assert provider["url"] == "https://app.terraform.io" and provider["client_id_list"] == ["aws.workload.identity"]
        assert provider["lifecycle"] == {"prevent_destroy": True}
        accounts.add(data["provider"]["aws"][0]["allowed_account_ids"][0])
        assert manifest[stack] == ["prod-delivery"]
    assert len(accounts) == len(trusts)


def test_vcs_workspaces_run_from_their_synthesized_directory(vcs_out):
    delivery = _stack(vcs_out, "prod-delivery")
    for body in delivery["resource"]["tfe_workspace"].values():
        stack = body["name"].removeprefix("mesh-")
        if stack.startswith("prod-trust-"):       # applied from the operator's machine: no VCS, no auto-apply
            assert "working_directory" not in body and "vcs_repo" not in body and body["auto_apply"] is False
            continue
        assert body["working_directory"] == f"cdktf.out/stacks/{stack}"
        assert body["vcs_repo"] == {"identifier": "acme/data-mesh", "branch": "release", "oauth_token_id": "ot-AbC123"}
        assert body["file_triggers_enabled"] is True
        assert body["auto_apply"] is True and body["auto_apply_run_trigger"] is True


def test_cli_workspaces_have_no_vcs_and_do_not_auto_apply_by_default(synth_root):
    delivery = _stack(synth_root / "cdktf.out", "prod-delivery")
    for body in delivery["resource"]["tfe_workspace"].values():
        assert "vcs_repo" not in body and "working_directory" not in body and body["auto_apply"] is False
    assert "tfe_notification_configuration" not in delivery["resource"]


def test_notifications_on_every_mesh_workspace_with_the_webhook_url_never_in_the_json(vcs_out):
    delivery = _stack(vcs_out, "prod-delivery")
    notifications = delivery["resource"]["tfe_notification_configuration"]
    mesh_workspaces = {b["name"] for b in delivery["resource"]["tfe_workspace"].values() if "trust" not in b["name"]}
    by_name: dict[str, set[str]] = {}
    for n in notifications.values():
        by_name.setdefault(n["name"], set()).add(_resolve(delivery, n["workspace_id"]))
        if n["name"] == "oncall":
            assert n["destination_type"] == "slack" and n["triggers"] == ["run:errored", "assessment:drifted"]
            assert n["url"] == "${var.notification_url_oncall}" and "email_user_ids" not in n
        else:
            assert n["destination_type"] == "email" and n["email_user_ids"] == ["user-Abc123"] and "url" not in n
            assert n["triggers"] == ["run:needs_attention", "run:errored"]                  # the default
        assert n["enabled"] is True
    assert by_name == {"oncall": mesh_workspaces, "owners": mesh_workspaces}
    assert delivery["variable"] == {"notification_url_oncall": {
        "description": "Webhook URL of the oncall notification (slack); it carries a secret, so set it as a "
                       "sensitive variable of this workspace", "sensitive": True, "type": "string"}}


def _validate(root: Path, capsys) -> tuple[int, str]:
    code = main(["--root", str(root), "validate", "--env", "prod"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("change,expected", [
    (lambda b: b.update(workflow="vcs"), "backend: workflow vcs needs the repository"),
    (lambda b: b.update(workflow="vcs", vcs={"repository": "acme/x"}),
     "backend.vcs: exactly one of oauth_token_id and github_app_installation_id is required"),
    (lambda b: b.update(execution_mode="agent"), "agent_pool_id goes with execution_mode agent"),
    (lambda b: b.update(notifications=[{"name": "x", "destination_type": "email"}]),
     "backend.notifications.0: an email notification needs recipients"),
    (lambda b: b.update(notifications=[{"name": "x", "destination_type": "slack", "url": "https://hooks.x/T0"}]),
     "backend.notifications.0.url: unknown key 'url'"),
    (lambda b: b.update(token="abc.atlasv1.xyz"), "backend.token: unknown key 'token'"),
    (lambda b: b.update(terraform_version="latest"), "backend.terraform_version"),
])
def test_bad_cloud_settings_are_rejected_with_the_field_and_fix(project, capsys, change, expected):
    edit_yaml(project / "environments" / "prod.yaml", lambda d: change(d["backend"]))
    code, out = _validate(project, capsys)
    assert code == 1, out
    assert "environments/prod.yaml:" in out and expected in out and "fix:" in out and "Traceback" not in out


def test_more_run_trigger_sources_than_hcp_terraform_allows_is_rejected(project, capsys):
    """21 domains: each consumer's workspace would follow 21 domain workspaces; HCP Terraform allows 20."""
    def more_domains(d: dict) -> None:
        for i in range(18):
            d["domains"][f"extra{i:02d}"] = {"account_id": f"7900000000{i:02d}", "owner": "x@acme.example",
                                             "cost_center": "CC-1"}
    edit_yaml(project / "environments" / "prod.yaml", more_domains)
    code, out = _validate(project, capsys)
    assert code == 1, out
    assert ("backend.run_triggers: workspace mesh-prod-consumer-analytics would follow 21 run trigger sources; HCP "
            "Terraform allows 20") in out
    assert "fix: set backend.run_triggers: false" in out
    edit_yaml(project / "environments" / "prod.yaml", lambda d: d["backend"].update(run_triggers=False))
    code, out = _validate(project, capsys)
    assert code == 0, out


def test_without_run_triggers_no_workspace_follows_another(project):
    from meshform.delivery_plan import workspaces

    edit_yaml(project / "environments" / "prod.yaml", lambda d: d["backend"].update(run_triggers=False))
    planned = workspaces(load_meshes(project, ["prod"])[0])
    assert len(planned) == 16 and not any(ws.run_triggers for ws in planned)
    assert sum(ws.dynamic_credentials for ws in planned) == 10          # the mesh stacks; trust stacks run locally


def test_incremental_synthesis_of_a_cloud_environment_equals_a_cold_one(tmp_path):
    """A contract change reaches no delivery or trust stack (they depend on the spec only): they are copied, and
    the output is byte-identical to a cold synthesis (as tests/test_incremental_synth.py proves for dev)."""
    import yaml

    root = copy_project(tmp_path / "project")
    out = root / "cdktf.out"
    synthesize(load_meshes(root, ["prod"]), out, incremental=True)
    path = root / "contracts" / "sales" / "customers.yaml"
    contract = yaml.safe_load(path.read_text())
    contract["schema"][0]["properties"].append({
        "name": "loyalty_tier", "physicalName": "loyalty_tier", "logicalType": "string", "physicalType": "string",
        "classification": "internal", "description": "Loyalty programme tier."})
    path.write_text(yaml.safe_dump(contract, sort_keys=False))
    changed = synthesize(load_meshes(root, ["prod"]), out, incremental=True)
    rebuilt = {s.name for s in changed if s.rebuilt}
    assert rebuilt and not any(n == "prod-delivery" or n.startswith("prod-trust-") for n in rebuilt)
    cold = root / "cold"
    synthesize(load_meshes(root, ["prod"]), cold)
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(cold) for p in cold.rglob("*") if p.is_file())
    assert all((out / f).read_bytes() == (cold / f).read_bytes() for f in files)
