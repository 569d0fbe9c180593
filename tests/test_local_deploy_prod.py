"""`meshform local-deploy` as a user runs it: the CLI starts its own emulator, applies the bundled prod environment
(HCP Terraform backend, replaced by the local override) and requires every re-plan to be clean."""
from __future__ import annotations

import pytest

from meshform.cli import main
from tests.conftest import copy_project
from tests.emulator import require_terraform

pytestmark = pytest.mark.emulator


def test_local_deploy_command_starts_its_own_emulator_for_prod(tmp_path, capsys):
    require_terraform()
    root = copy_project(tmp_path / "project")
    code = main(["--root", str(root), "local-deploy", "--env", "prod"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "emulator:  moto server http://127.0.0.1:" in out and "stopped at the end" in out
    # 10 mesh stacks + 6 trust stacks (OIDC provider + run roles per account); the tfe-only delivery stack is
    # skipped, saying why (no HCP Terraform here)
    assert "OK: 16 stacks" in out and "16/16 re-plans clean" in out
    assert "skipped prod-delivery: HCP Terraform resources only" in out
    assert out.index("applied prod-trust-governance") < out.index("applied prod-governance ")
    # prod's sales catalog spans two stacks (catalog_stacks: 2): the second holds orders' tables and grants, in
    # part 0's database, so it applies after it.
    assert out.index("applied prod-catalog-sales ") < out.index("applied prod-catalog-sales-1") < \
        out.index("applied prod-domain-sales")
    assert not (root / "cdktf.out").exists()
