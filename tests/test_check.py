"""`meshform check`: checkov over every synthesized stack; a gate that fails on findings and cannot pass
silently (unparsable stacks, resources checkov never evaluated)."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from meshform.check.runner import PROJECT_ROOT
from meshform.cli import main
from tests.conftest import copy_project
from tests.emulator import require_checkov

pytestmark = pytest.mark.synth


@pytest.fixture(scope="module", autouse=True)
def checkov_available():
    require_checkov()


def _stacks_copy(synth_root: Path, dest: Path, env: str = "dev") -> Path:
    stacks = dest / "cdktf.out" / "stacks"
    for src in (synth_root / "cdktf.out" / "stacks").glob(f"{env}-*"):
        shutil.copytree(src, stacks / src.name)
    shutil.copy(synth_root / "cdktf.out" / "manifest.json", dest / "cdktf.out" / "manifest.json")
    return stacks


def _check(stacks: Path, tmp_path: Path, capsys) -> tuple[int, str]:
    code = main(["--root", str(PROJECT_ROOT), "check", "--env", "dev", "--stacks-dir", str(stacks),
                 "--reports", str(tmp_path / "reports")])
    return code, capsys.readouterr().out


def test_bundled_environments_pass_with_reports(tmp_path, capsys):
    root = copy_project(tmp_path / "project")
    code = main(["--root", str(root), "check", "--reports", str(tmp_path / "reports")])
    out = capsys.readouterr().out
    assert code == 0, out
    for env in ("dev", "prod"):
        line = next(text for text in out.splitlines() if text.startswith(f"{env}: "))
        synthesized = int(line.split(" resources synthesized")[0].split()[-1])
        evaluated = int(line.split(" evaluated")[0].split()[-1])
        assert synthesized == evaluated > 150
        assert "failed 0" in line
        assert (tmp_path / "reports" / env / "results_sarif.sarif").stat().st_size > 0
        assert (tmp_path / "reports" / env / "results_junitxml.xml").stat().st_size > 0
        facts = json.loads((root / ".meshform" / "check" / "cdktf.out" / "mesh" / f"{env}.json").read_text())
        assert facts["environment"] == env and "aws_s3_bucket" in facts["taggable_resource_types"]
    assert "PASSED: 0 failed checks" in out
    assert "CKV_AWS_144" in out       # skips are announced


def test_a_failing_check_names_stack_resource_construct_and_fix(synth_root, tmp_path, capsys):
    stacks = _stacks_copy(synth_root, tmp_path)
    path = stacks / "dev-domain-sales" / "cdk.tf.json"
    data = json.loads(path.read_text())
    pab = data["resource"]["aws_s3_bucket_public_access_block"]
    name = next(n for n in pab if n.startswith("bucket_raw"))
    pab[name]["block_public_policy"] = False
    path.write_text(json.dumps(data))
    code, out = _check(stacks, tmp_path, capsys)
    assert code == 1
    assert "FAILED CKV_AWS_54  Ensure S3 bucket has block public policy enabled" in out
    assert f"stack dev-domain-sales  resource aws_s3_bucket_public_access_block.{name}" in out
    assert "construct dev-domain-sales/bucket_raw/public_access_block" in out
    assert "fix: see CKV_AWS_54 in https://www.checkov.io/" in out
    assert "FAILED: " in out.splitlines()[-1]


def test_an_unparsable_stack_fails_the_gate(synth_root, tmp_path, capsys):
    """checkov silently drops a stack whose JSON has terraform.required_version and still exits 0 (checkov#7454)."""
    stacks = _stacks_copy(synth_root, tmp_path)
    path = stacks / "dev-consumer-analytics" / "cdk.tf.json"
    data = json.loads(path.read_text())
    data["terraform"]["required_version"] = ">= 1.10"
    path.write_text(json.dumps(data))
    code, out = _check(stacks, tmp_path, capsys)
    assert code == 1
    assert "NOT EVALUATED by checkov" in out or "PARSING ERROR" in out
    assert "dev-consumer-analytics" in out


def test_lake_formation_admins_must_be_exactly_the_stacks_accounts_list(synth_root, tmp_path, capsys):
    """A domain's admin list (only its deploy role) is valid in the domain stack but not in governance."""
    stacks = _stacks_copy(synth_root, tmp_path)
    path = stacks / "dev-governance" / "cdk.tf.json"
    data = json.loads(path.read_text())
    settings = next(iter(data["resource"]["aws_lakeformation_data_lake_settings"].values()))
    settings["admins"] = ["arn:aws:iam::111111111111:role/mesh-deploy"]     # break-glass admin dropped
    path.write_text(json.dumps(data))
    code, out = _check(stacks, tmp_path, capsys)
    assert code == 1
    assert "FAILED CKV_MESH_LF_ADMINS" in out
    assert "differ from account 111111111111's list in the spec" in out


def test_unchanged_stacks_reuse_results_and_a_changed_stack_is_checked_again(synth_root, tmp_path, capsys):
    """The check cache: a second run over byte-identical stacks re-uses every result (same findings, same
    reports), and a stack whose JSON changed is re-checked — a violation added to a cached stack is found."""
    from meshform.check.runner import run_checks
    from meshform.loader import load_meshes

    stacks = _stacks_copy(synth_root, tmp_path)
    meshes = load_meshes(PROJECT_ROOT, ["dev"])
    cache = tmp_path / "cache"
    seen: list[tuple[int, int]] = []

    def progress(mesh, count, todo):
        seen.append((count, todo))

    def run(reports: str):
        return run_checks(meshes, stacks, tmp_path / reports, progress=progress, cache_dir=cache)[0]

    cold = run("cold")
    warm = run("warm")
    count = len(cold.stacks)
    assert seen == [(count, count), (count, 0)]
    assert (cold.cached, warm.cached) == (0, count)
    assert cold.ok and warm.ok and warm.passed == cold.passed and warm.evaluated == cold.evaluated
    for name in ("results_json.json", "results_sarif.sarif", "results_junitxml.xml"):
        assert (tmp_path / "cold" / "dev" / name).read_bytes() == (tmp_path / "warm" / "dev" / name).read_bytes()

    path = stacks / "dev-domain-sales" / "cdk.tf.json"
    data = json.loads(path.read_text())
    pab = data["resource"]["aws_s3_bucket_public_access_block"]
    name = next(n for n in pab if n.startswith("bucket_raw"))
    pab[name]["block_public_policy"] = False
    path.write_text(json.dumps(data))
    changed = run("changed")
    assert seen[-1] == (count, 1) and changed.cached == count - 1
    assert {f.stack for f in changed.failed} == {"dev-domain-sales"}
    assert "CKV_AWS_54" in {f.check_id for f in changed.failed}


def _results(report: Path) -> dict[str, list[str]]:
    """checkov's results, comparable across runs (it lists evaluated_keys from a set)."""
    data = json.loads(report.read_text())
    out: dict[str, list[str]] = {}
    for kind, items in data["results"].items():
        normal = []
        for item in items:
            result = item.get("check_result") or {}
            if isinstance(result.get("evaluated_keys"), list):
                item = {**item, "check_result": {**result, "evaluated_keys": sorted(result["evaluated_keys"])}}
            normal.append(json.dumps(item, sort_keys=True))
        out[kind] = sorted(normal)
    return out


def test_checkov_started_by_meshform_reports_exactly_what_the_checkov_command_reports(synth_root, tmp_path):
    """meshform starts checkov through meshform/check/checkov_entry.py (libyaml parsing, no in-memory DEBUG log):
    the same checks, results, line numbers and code blocks as the `checkov` command on the bundled stacks."""
    import subprocess

    from meshform.check.mesh_facts import MESH_FILE_ENV
    from meshform.check.runner import POLICY_DIR, checkov_command, find_checkov

    checkov = find_checkov()
    command = checkov_command(checkov)
    assert command[-1].endswith("checkov_entry.py"), command     # the venv's console script names its python
    stacks = _stacks_copy(synth_root, tmp_path)
    files = [arg for name in ("dev-governance", "dev-domain-sales", "dev-consumer-analytics")
             for arg in ("-f", str(stacks / name / "cdk.tf.json"))]
    # the environment's facts as the runner computes them (written here: the fixture's synthesis writes none, and
    # running a whole check first only to get them would also make the test depend on the order of the others)
    from meshform.check.mesh_facts import mesh_facts
    from meshform.loader import load_meshes

    types = {t for name in ("dev-governance", "dev-domain-sales", "dev-consumer-analytics")
             for t in json.loads((stacks / name / "cdk.tf.json").read_text()).get("resource", {})}
    facts = tmp_path / "mesh.json"
    facts.write_text(json.dumps(mesh_facts(load_meshes(synth_root, ["dev"])[0], types), sort_keys=True))
    reports = {}
    for label, start in (("command", [checkov]), ("meshform", command)):
        out = tmp_path / label
        proc = subprocess.run([*start, *files, "--framework", "terraform_json", "--skip-download", "--compact",
                               "-o", "json", "--output-file-path", str(out), "--external-checks-dir",
                               str(POLICY_DIR)], capture_output=True, text=True, cwd=stacks,
                              env={**os.environ, MESH_FILE_ENV: str(facts), "BC_SKIP_MAPPING": "TRUE"})
        assert "Cannot load external check" not in proc.stderr, proc.stderr[-3000:]
        reports[label] = _results(out / "results_json.json")
    assert sum(len(v) for v in reports["command"].values()) > 500
    assert reports["meshform"] == reports["command"]


def test_checkov_is_started_through_its_own_interpreter_only_when_its_script_names_one(tmp_path):
    from meshform.check.runner import ENTRY, checkov_command

    python = tmp_path / "venv" / "bin" / "python3"
    python.parent.mkdir(parents=True)
    python.write_text("")
    script = tmp_path / "venv" / "bin" / "checkov"
    script.write_text(f"#!{python}\nfrom checkov.main import Checkov\n")
    assert checkov_command(str(script)) == [str(python), str(ENTRY)]
    script.write_text("#!/usr/bin/env python3\nfrom checkov.main import Checkov\n")
    assert checkov_command(str(script)) == [str(script)]         # no interpreter named: run it as it is
    script.write_text(f"#!{tmp_path / 'gone' / 'python3'}\n")
    assert checkov_command(str(script)) == [str(script)]
    assert checkov_command(str(tmp_path / "missing")) == [str(tmp_path / "missing")]


def test_a_checkov_started_ahead_that_died_is_an_error_not_a_crash(tmp_path):
    """A process started ahead (checkov_entry.py --wait) that exited before taking its run: the run reports that
    checkov wrote no report, with its exit code — the gate fails, nothing raises."""
    import subprocess
    import sys

    from meshform.check.runner import _checkov_run, _Stack

    dead = subprocess.Popen([sys.executable, "-c", "import sys; sys.exit(3)"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    dead.wait()
    stack = _Stack("dev-x", tmp_path / "dev-x" / "cdk.tf.json", "{}", 0,
                   {"columns": {}, "taggable_resource_types": []}, "key")
    log, blocks, error = _checkov_run("checkov", [stack], tmp_path, tmp_path / "work", {}, dead)
    assert blocks == [] and error is not None and "exit 3" in error
