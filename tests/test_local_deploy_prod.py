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
    assert "OK: 9 stacks" in out and "9/9 re-plans clean" in out
    assert not (root / "cdktf.out").exists()
