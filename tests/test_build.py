"""`meshform build`: validate -> synthesize -> check in one pass, with progress and a closing summary; bad input
stops it before anything is written."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from meshform.cli import main
from tests.conftest import copy_project, edit_yaml
from tests.emulator import require_checkov

pytestmark = pytest.mark.synth


@pytest.fixture(scope="module", autouse=True)
def checkov_available():
    require_checkov()


def test_build_validates_synthesizes_and_checks_once_with_a_summary(tmp_path, capsys):
    root = copy_project(tmp_path / "project")
    assert main(["--root", str(root), "build", "--env", "dev"]) == 0
    out = capsys.readouterr().out
    assert out.index("synthesizing 1 environment(s)") < out.index("checking dev: 9 of 9 stacks") < out.index("build OK")
    summary = next(line for line in out.splitlines() if line.startswith("build OK"))
    assert re.search(r"9 stacks, [\d,]+ resources \(largest dev-[a-z-]+: [\d,]+\); checks passed [\d,]+, "
                     r"failed 0 \(\d+ stack\(s\) unchanged, re-used\); "
                     r"validate [\d.]+ s, synthesize [\d.]+ s, check [\d.]+ s", summary), summary
    stacks = sorted(p.name for p in (root / "cdktf.out" / "stacks").iterdir())
    assert len(stacks) == 9 and (root / "reports" / "checkov" / "dev" / "results_sarif.sarif").exists()
    facts = json.loads((root / "cdktf.out" / "mesh" / "dev.json").read_text())
    assert facts["environment"] == "dev"


def test_build_stops_on_bad_input_before_writing_anything(tmp_path, capsys):
    root = copy_project(tmp_path / "project")
    edit_yaml(root / "environments" / "dev.yaml", lambda d: d["domains"]["sales"].update(clearance="secret"))
    assert main(["--root", str(root), "build", "--env", "dev"]) == 1
    captured = capsys.readouterr()
    assert "environments/dev.yaml" in captured.err and "clearance" in captured.err
    assert "Traceback" not in captured.err + captured.out
    assert not (root / "cdktf.out").exists() and not (root / "reports").exists()


def _children_running(marker: bytes) -> list[int]:
    """Processes this test process started that are still running and whose command line holds `marker`."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == os.getpid() and marker in cmdline:
            pids.append(int(entry.name))
    return pids


def test_build_checks_with_checkov_started_ahead_and_reports_what_a_fresh_check_reports(tmp_path, capsys):
    """build starts one checkov per core before synthesizing (they import while jsii works, then get their runs on
    stdin); its reports are byte for byte those of `meshform check` with newly started processes and no cache,
    and no started process outlives the build."""
    import shutil

    root = copy_project(tmp_path / "project")
    assert main(["--root", str(root), "build", "--env", "dev"]) == 0
    assert _children_running(b"checkov_entry.py") == []
    built = {n: (root / "reports" / "checkov" / "dev" / n).read_bytes()
             for n in ("results_json.json", "results_sarif.sarif", "results_junitxml.xml")}
    shutil.rmtree(root / ".meshform" / "check-cache")
    capsys.readouterr()
    assert main(["--root", str(root), "check", "--env", "dev", "--stacks-dir", str(root / "cdktf.out" / "stacks"),
                 "--reports", str(root / "reports" / "checkov")]) == 0
    for name, data in built.items():
        assert (root / "reports" / "checkov" / "dev" / name).read_bytes() == data, name
    assert json.loads(built["results_json.json"])[0]["summary"]["passed"] > 1000
