"""Shared fixtures: a scratch copy of the bundled project, and one synthesis of it for all JSON assertions."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent


def copy_project(dest: Path) -> Path:
    for name in ("environments", "contracts"):
        shutil.copytree(REPO / name, dest / name)
    return dest


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def add_s3_env(root: Path) -> None:
    """A third environment, `qa`, on the S3 backend, so every backend type is synthesized."""
    def change(d):
        d["environment"] = "qa"
        d["backend"] = {"type": "s3", "bucket": "acme-terraform-state", "region": "eu-west-1",
                        "key_prefix": "mesh/qa", "role_arn": "arn:aws:iam::999999999999:role/terraform-state"}
    text = (root / "environments" / "dev.yaml").read_text()
    for old, new in (("111111111111", "811111111111"), ("222222222222", "822222222222"),
                     ("333333333333", "833333333333"), ("444444444444", "844444444444"),
                     ("555555555555", "855555555555"), ("666666666666", "866666666666")):
        text = text.replace(old, new)
    (root / "environments" / "qa.yaml").write_text(text)
    edit_yaml(root / "environments" / "qa.yaml", change)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def synth_root(tmp_path_factory) -> Path:
    """Bundled dev (local backend) + prod (cloud backend) + a qa copy on the s3 backend, synthesized once."""
    from meshform.loader import load_meshes
    from meshform.synth import synthesize

    root = copy_project(tmp_path_factory.mktemp("synth") / "project")
    add_s3_env(root)
    synthesize(load_meshes(root), root / "cdktf.out")
    return root


class Stack:
    """A synthesized stack file, read as the user gets it."""

    def __init__(self, path: Path):
        self.path = path
        self.json = json.loads(path.read_text())

    def resources(self, rtype: str) -> dict[str, dict]:
        return self.json.get("resource", {}).get(rtype, {})

    def one(self, rtype: str) -> dict:
        items = list(self.resources(rtype).values())
        assert len(items) == 1, f"expected one {rtype}, found {len(items)}"
        return items[0]

    def all_resources(self):
        for rtype, items in self.json.get("resource", {}).items():
            for name, body in items.items():
                yield rtype, name, body


class AccountStacks(Stack):
    """Several stacks of one account read as one (e.g. `<env>-governance` + every `<env>-catalog-<domain>`):
    resources are keyed `<stack>/<name>` so nothing collides."""

    def __init__(self, paths: list[Path]):
        self.path = paths[0]
        merged: dict[str, dict] = {}
        for path in paths:
            for rtype, items in json.loads(path.read_text()).get("resource", {}).items():
                merged.setdefault(rtype, {}).update({f"{path.parent.name}/{n}": b for n, b in items.items()})
        self.json = {"resource": merged}


@pytest.fixture(scope="session")
def stack(synth_root):
    """stack("dev-domain-sales") reads one stack; stack("dev-governance*") reads every stack of the governance
    account of dev (the account-wide stack and the per-domain catalog stacks)."""
    def load(name: str) -> Stack:
        stacks = synth_root / "cdktf.out" / "stacks"
        if name.endswith("-governance*"):
            env = name.removesuffix("-governance*")
            paths = [stacks / f"{env}-governance" / "cdk.tf.json"]
            paths += sorted(stacks.glob(f"{env}-catalog-*/cdk.tf.json"))
            return AccountStacks(paths)
        return Stack(stacks / name / "cdk.tf.json")
    return load


@pytest.fixture(scope="session")
def dev(tmp_path_factory):
    """The bundled dev environment applied once to the emulator (real terraform + AWS provider), shared by every
    emulator test that reads state back or plans a change against it (the apply is the expensive part)."""
    from meshform.loader import load_meshes
    from meshform.local.deploy import local_deploy
    from meshform.local.emulator import MotoServer
    from tests.emulator import AccountClients, require_terraform

    require_terraform()
    root = copy_project(tmp_path_factory.mktemp("local") / "project")
    mesh = load_meshes(root, ["dev"])[0]
    server = MotoServer(root / "moto.log")
    output: list[str] = []
    try:
        workdir = root / ".meshform" / "local-deploy"
        runs = local_deploy([mesh], workdir, server.url, echo=output.append)
        yield {"root": root, "mesh": mesh, "runs": runs, "output": "\n".join(output), "workdir": workdir,
               "endpoint": server.url,
               "as_account": lambda account: AccountClients(server.url, mesh.region, account)}
    finally:
        server.stop()
