"""The CI workflows (.github/workflows/) and the pre-commit configuration: linted with jactionlint (actionlint's
checks plus its security rules), validated against the GitHub workflow JSON schema (check-jsonschema's vendored
copy: offline) and pre-commit's own config schema, the pre-commit hooks run for real on a temporary repository, and
every `meshform` command the workflows and hooks call is accepted by meshform's argument parser."""
from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
import yaml

from meshform.cli import main
from tests.conftest import REPO, copy_project

BIN = Path(sys.executable).parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
PRE_COMMIT = REPO / ".pre-commit-config.yaml"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def tool(name: str) -> str:
    path = BIN / name
    if not path.is_file():
        pytest.fail(f"{name} is not installed in {BIN}: pip install -e '.[test]' (pinned in pyproject.toml)")
    return str(path)


def run(*args: str, cwd: Path = REPO, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


def workflow(name: str) -> dict:
    return yaml.safe_load((REPO / ".github" / "workflows" / name).read_text())


def test_there_are_the_three_workflows():
    assert [p.name for p in WORKFLOWS] == ["meshform-deploy-environment.yml", "meshform-deploy.yml",
                                           "meshform-pr.yml"]


def test_jactionlint_finds_nothing():
    """The repository as jactionlint sees it (the workflows and .github/dependabot.yml), default profile; every
    finding, also a warning, fails. shellcheck checks the run: scripts when it is installed."""
    result = run(tool("jactionlint"), "--strict-exit", "--no-color", "--verbose")
    assert result.returncode == 0, result.stdout + result.stderr
    for path in [*WORKFLOWS, REPO / ".github" / "dependabot.yml"]:
        assert str(path.relative_to(REPO)) in result.stderr, result.stderr     # it did read each file


def test_jactionlint_would_catch_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n"
                      "    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n"
                      "      - uses: actions/checkout@v4\n")
    result = run(tool("jactionlint"), "--strict-exit", "--no-color", str(broken))
    assert result.returncode == 1
    assert "pull_request.title" in result.stdout and "checkout@v4" in result.stdout


def test_workflows_match_the_github_workflow_schema(tmp_path):
    check = tool("check-jsonschema")
    result = run(check, "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS))
    assert result.returncode == 0, result.stdout + result.stderr
    result = run(check, "--builtin-schema", "vendor.dependabot", str(REPO / ".github" / "dependabot.yml"))
    assert result.returncode == 0, result.stdout + result.stderr
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    permissions: {id-tokens: write}\n"
                   "    steps: [{run: 'true'}]\n")
    result = run(check, "--builtin-schema", "vendor.github-workflows", str(bad))
    assert result.returncode == 1 and "id-tokens" in result.stdout


def test_pre_commit_config_is_valid(tmp_path):
    pre_commit = tool("pre-commit")
    result = run(pre_commit, "validate-config", str(PRE_COMMIT))
    assert result.returncode == 0, result.stdout + result.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(PRE_COMMIT.read_text().replace("pass_filenames: false", "pass_filenames: no-thanks", 1))
    assert run(pre_commit, "validate-config", str(bad)).returncode == 1


def test_least_privilege_and_pinned_actions():
    """Nothing by default; each job asks for what it uses: SARIF upload, the comment, OIDC; actions by commit SHA."""
    expected = {
        "meshform-pr.yml": {
            "environments": {"contents": "read"},
            "build": {"contents": "read", "security-events": "write"},
            "access-diff": {"contents": "read", "pull-requests": "write"},
            "governance-review": {},
            "plan": {"contents": "read", "id-token": "write"},
        },
        "meshform-deploy.yml": {"dev": {"contents": "read", "id-token": "write"},
                                "prod": {"contents": "read", "id-token": "write"}},
        "meshform-deploy-environment.yml": {"build": {"contents": "read"},
                                            "apply": {"contents": "read", "id-token": "write"}},
    }
    for path in WORKFLOWS:
        data = yaml.safe_load(path.read_text())
        assert data["permissions"] == {}, path.name
        assert {name: job["permissions"] for name, job in data["jobs"].items()} == expected[path.name]
        for name, job in data["jobs"].items():
            for step in job.get("steps", []):
                if "uses" in step:
                    assert PINNED.match(step["uses"]), (path.name, name, step["uses"])
    lines = [line for p in WORKFLOWS for line in p.read_text().splitlines() if "uses: " in line and "@" in line
             and not line.strip().startswith("uses: ./")]
    assert lines and all(re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line) for line in lines), lines


def test_pull_request_workflow_shape():
    pr = workflow("meshform-pr.yml")
    assert pr[True] == {"pull_request": {"branches": ["main"]}}        # YAML 1.1 reads the key `on` as True
    assert pr["concurrency"] == {"group": "meshform-pr-${{ github.event.pull_request.number }}",
                                 "cancel-in-progress": True}
    jobs = pr["jobs"]
    steps = {name: {s.get("name") or s["uses"].split("@")[0]: s for s in job.get("steps", [])}
             for name, job in jobs.items()}
    sarif = steps["build"]["Upload SARIF to code scanning"]
    assert sarif["uses"].startswith("github/codeql-action/upload-sarif@")
    assert sarif["with"] == {"sarif_file": "reports/checkov/${{ matrix.environment }}/results_sarif.sarif",
                             "category": "meshform-${{ matrix.environment }}"}
    assert jobs["build"]["strategy"]["matrix"]["environment"] == \
        "${{ fromJSON(needs.environments.outputs.environments) }}"
    checkout = steps["access-diff"]["actions/checkout"]
    assert checkout["with"]["fetch-depth"] == 0
    assert jobs["governance-review"]["environment"] == "governance-review"
    assert jobs["governance-review"]["if"] == "${{ needs.access-diff.outputs.review == 'true' }}"
    assert jobs["plan"]["needs"] == ["environments", "build"]
    oidc = steps["plan"]["aws-actions/configure-aws-credentials"]["with"]
    assert oidc["role-to-assume"] == "${{ vars.MESHFORM_PLAN_ROLE_ARN }}"
    assert "meshform stacks --env" in steps["plan"]["Plan every stack in deploy order"]["run"]
    # The comment is found again by the first line of the markdown, which is the renderer's marker.
    from meshform.access_diff.render import MARKER

    assert MARKER.startswith("<!--") and "body.split('\\n', 1)[0]" in \
        steps["access-diff"]["Post or update the pull request comment"]["with"]["script"]


def test_deploy_workflow_runs_dev_then_prod_behind_its_environment():
    deploy = workflow("meshform-deploy.yml")
    assert deploy[True] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert deploy["concurrency"] == {"group": "meshform-deploy", "cancel-in-progress": False}
    assert list(deploy["jobs"]) == ["dev", "prod"]
    assert deploy["jobs"]["prod"]["needs"] == "dev"
    for env, job in deploy["jobs"].items():
        assert job["uses"] == "./.github/workflows/meshform-deploy-environment.yml"
        assert job["with"] == {"environment": env}
    called = workflow("meshform-deploy-environment.yml")
    assert called[True]["workflow_call"]["inputs"]["environment"]["required"] is True
    apply = called["jobs"]["apply"]
    assert apply["environment"] == "${{ inputs.environment }}" and apply["needs"] == "build"
    script = apply["steps"][-1]["run"]
    assert script.index(" plan ") < script.index(" apply ") and "tfplan" in script
    # the environments deployed are the bundled ones (a new environment needs a job here)
    assert sorted(deploy["jobs"]) == sorted(p.stem for p in (REPO / "environments").glob("*.yaml"))


def _meshform_commands() -> list[tuple[str, list[str]]]:
    found = []
    for path in WORKFLOWS:
        for job in yaml.safe_load(path.read_text())["jobs"].values():
            for step in job.get("steps", []):
                for match in re.finditer(r"(?:\.venv/bin/)?\bmeshform ([^|;&>)\n]+)", step.get("run", "")):
                    found.append((f"{path.name}: {match.group(0)}", match.group(1)))
    for hook in yaml.safe_load(PRE_COMMIT.read_text())["repos"][0]["hooks"]:
        found.append((f"{PRE_COMMIT.name}: {hook['entry']}", hook["entry"].split(" ", 1)[1]))
    return [(where, [("dev" if "$" in t else t) for t in shlex.split(args)]) for where, args in found]


class Parsed(Exception):
    pass


def test_every_meshform_command_they_call_exists():
    """Each invocation goes through meshform's own parser (stopped right after parsing): a renamed subcommand or
    flag fails here, not in a user's pipeline."""
    commands = _meshform_commands()
    subcommands = {args[0] for _, args in commands}
    assert {"validate", "build", "stacks", "access"} <= subcommands, subcommands
    original = argparse.ArgumentParser.parse_args

    def parse_then_stop(self, args=None, namespace=None):
        raise Parsed(original(self, args, namespace))

    for where, args in commands:
        with mock.patch.object(argparse.ArgumentParser, "parse_args", parse_then_stop):
            try:
                main(args)
            except Parsed:
                continue
            except SystemExit as exit_:
                pytest.fail(f"{where}: meshform rejects {args} (exit {exit_.code})")
        pytest.fail(f"{where}: not parsed")
    assert any(args[:2] == ["access", "--diff"] for _, args in commands)
    with mock.patch.object(argparse.ArgumentParser, "parse_args", parse_then_stop), pytest.raises(SystemExit):
        main(["stacks", "--no-such-flag"])          # the check itself can fail


def test_ci_summary_module_the_workflows_call_is_importable():
    text = "".join(p.read_text() for p in WORKFLOWS)
    modules = set(re.findall(r"python -m (meshform\.[\w.]+)", text))
    assert modules == {"meshform.ci_summary"}
    import importlib

    assert callable(importlib.import_module("meshform.ci_summary").main)


# -- the pre-commit hooks, run for real -------------------------------------------------------------------------

def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   check=True, capture_output=True)


def test_pre_commit_hook_validates_changed_specs_and_contracts(tmp_path):
    pre_commit = tool("pre-commit")
    repo = copy_project(tmp_path / "project")
    shutil.copy(PRE_COMMIT, repo / ".pre-commit-config.yaml")
    (repo / "notes.txt").write_text("not a spec\n")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(REPO),
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "NO_COLOR": "1"}
    ok = run(pre_commit, "run", "--files", "environments/dev.yaml", cwd=repo, env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert re.search(r"meshform validate \(specs and contracts\)\.+Passed", ok.stdout), ok.stdout
    assert "meshform build" not in ok.stdout                  # a pre-push hook: not on commit
    skipped = run(pre_commit, "run", "--files", "notes.txt", cwd=repo, env=env)
    assert skipped.returncode == 0 and re.search(r"\(no files to check\)Skipped", skipped.stdout), skipped.stdout
    contract = repo / "contracts" / "sales" / "orders.yaml"
    contract.write_text(contract.read_text().replace("classification: pii", "classification: secret", 1))
    _git(repo, "add", "-A")
    failed = run(pre_commit, "run", "--files", "contracts/sales/orders.yaml", cwd=repo, env=env)
    assert failed.returncode == 1, failed.stdout
    assert "meshform validate (specs and contracts)" in failed.stdout and "Failed" in failed.stdout
    assert "contracts/sales/orders.yaml:" in failed.stdout and "'secret'" in failed.stdout


# -- meshform stacks: the deploy order the workflows plan and apply in ----------------------------------------

def test_stacks_prints_the_deploy_order(capsys):
    from meshform.loader import load_meshes
    from meshform.stack_plan import stack_plan

    assert main(["--root", str(REPO), "stacks", "--env", "dev"]) == 0
    names = capsys.readouterr().out.split()
    [mesh] = load_meshes(REPO, ["dev"])
    plan = stack_plan(mesh)
    assert names == [p.name for p in plan]
    assert names[0] == "dev-governance" and names[-1] == "dev-consumer-data-science"
    position = {n: i for i, n in enumerate(names)}
    assert all(position[d] < position[p.name] for p in plan for d in p.depends_on)
    assert main(["--root", str(REPO), "stacks", "--env", "dev", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)["environments"]["dev"]
    tiers = {s["name"]: s["tier"] for s in data}
    assert tiers["dev-governance"] == 0 and tiers["dev-catalog-sales"] == 1
    assert tiers["dev-domain-sales"] == 2 and tiers["dev-consumer-analytics"] == 3
    assert all(tiers[d] < s["tier"] for s in data for d in s["depends_on"])


@pytest.mark.synth
def test_stacks_checks_the_synthesized_manifest(synth_root, tmp_path, capsys):
    out = synth_root / "cdktf.out"
    for env in ("dev", "prod"):
        assert main(["--root", str(synth_root), "stacks", "--env", env, "--out", str(out)]) == 0
        names = capsys.readouterr().out.split()
        manifest = json.loads((out / "manifest.json").read_text())["stacks"]
        assert set(names) <= set(manifest)
        position = {n: i for i, n in enumerate(names)}
        for name in names:            # the manifest's dependencies (what cdktf deploy follows) come first
            assert all(position[d] < position[name] for d in manifest[name]["dependencies"])
    stale = tmp_path / "cdktf.out"
    shutil.copytree(out, stale)
    data = json.loads((stale / "manifest.json").read_text())
    del data["stacks"]["dev-domain-sales"]
    (stale / "manifest.json").write_text(json.dumps(data))
    assert main(["--root", str(synth_root), "stacks", "--env", "dev", "--out", str(stale)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "dev-domain-sales is missing" in captured.err and "run meshform build again" in captured.err
    assert main(["--root", str(synth_root), "stacks", "--env", "dev", "--out", str(tmp_path / "none")]) == 1
    assert "run meshform build or meshform synth first" in capsys.readouterr().err


# -- the JUnit summary -------------------------------------------------------------------------------------------

def test_ci_summary_of_junit_reports(tmp_path, capsys):
    from meshform import ci_summary
    from meshform.check.report_files import write_reports

    reports = tmp_path / "reports"
    (reports / "dev").mkdir(parents=True)
    stacks = tmp_path / "stacks"
    passed = {"check_id": "CKV_MESH_KMS_KEY_ROTATION", "check_name": "KMS keys rotate", "resource": "aws_kms_key.k",
              "file_path": "/dev-domain-sales/cdk.tf.json"}
    failed = {**passed, "check_id": "CKV_MESH_S3_POLICY_TLS_ONLY", "check_name": "TLS only",
              "resource": "aws_s3_bucket_policy.p", "details": ["no aws:SecureTransport deny | at all"]}
    write_reports(reports / "dev", {"passed_checks": [passed], "failed_checks": [failed]}, [], stacks)
    assert ci_summary.main([str(reports)]) == 0
    text = capsys.readouterr().out
    assert "| dev | 2 | 1 | 1 | 0 |" in text
    assert ("| dev | CKV_MESH_S3_POLICY_TLS_ONLY TLS only | dev-domain-sales | aws_s3_bucket_policy.p | "
            "no aws:SecureTransport deny \\| at all |") in text
    assert ci_summary.main([str(tmp_path / "empty")]) == 1
    assert "no results_junitxml.xml" in capsys.readouterr().err


# -- the steps' own scripts, run as GitHub runs them ------------------------------------------------------------

def _step(workflow_name: str, job: str, name: str) -> dict:
    [step] = [s for s in workflow(workflow_name)["jobs"][job]["steps"] if s.get("name") == name]
    return step


def run_step(step: dict, cwd: Path, expressions: dict[str, str], path_dirs: list[Path] = ()) -> tuple[
        subprocess.CompletedProcess, dict[str, str], str]:
    """Run a step's `run:` like `shell: bash` on a runner (bash --noprofile --norc -eo pipefail), with its `env:`
    (the `${{ }}` expressions replaced from `expressions`), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files; returns the
    result, the outputs it set and the summary it wrote."""
    def expand(value: str) -> str:
        return re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", lambda m: expressions[m.group(1)], str(value))
    output, summary = cwd / ".github_output", cwd / ".github_summary"
    output.write_text("")
    summary.write_text("")
    script = cwd / ".step.sh"
    script.write_text(step["run"])
    env = {**os.environ, **{k: expand(v) for k, v in step.get("env", {}).items()},
           "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary), "PYTHONPATH": str(REPO),
           "PATH": os.pathsep.join([*map(str, path_dirs), os.environ.get("PATH", "")])}
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=300)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return result, outputs, summary.read_text()


def venv_meshform(root: Path) -> None:
    """`.venv/bin/meshform` in a scratch project, as `pip install -e .` makes it: this tree's meshform."""
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    wrapper = bin_dir / "meshform"
    wrapper.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m meshform.cli \"$@\"\n")
    wrapper.chmod(0o755)


def test_access_diff_step_sets_review_and_fails_only_on_errors(tmp_path):
    origin = copy_project(tmp_path / "origin")
    _git(origin, "init", "-q", "-b", "main")
    _git(origin, "add", "-A")
    _git(origin, "commit", "-q", "-m", "base")
    _git(origin, "checkout", "-q", "-b", "feature")
    dev = origin / "environments" / "dev.yaml"
    dev.write_text(dev.read_text() + "  - {subscriber: marketing, product: sales.orders}\n")
    _git(origin, "commit", "-q", "-am", "marketing reads orders (pii)")
    checkout = tmp_path / "checkout"                       # what actions/checkout with fetch-depth: 0 leaves
    subprocess.run(["git", "clone", "-q", "--branch", "feature", str(origin), str(checkout)], check=True)
    venv_meshform(checkout)
    step = _step("meshform-pr.yml", "access-diff", "meshform access --diff")
    result, outputs, summary = run_step(step, checkout, {"github.base_ref": "main"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert outputs == {"review": "true"}
    markdown = (checkout / "access-diff.md").read_text()
    assert markdown.startswith("<!-- meshform-access-diff -->") and summary == markdown
    assert "marketing can now read sales.orders / orders" in markdown
    assert json.loads((checkout / "access-diff.json").read_text())["needs_review"] is True

    _git(origin, "checkout", "-q", "main")
    (origin / "README.md").write_text("no access change\n")
    _git(origin, "add", "-A")
    _git(origin, "commit", "-q", "-m", "docs")
    _git(origin, "checkout", "-q", "-b", "docs-only")
    _git(checkout, "fetch", "-q", "origin", "docs-only:docs-only", "main:refs/remotes/origin/main")
    _git(checkout, "checkout", "-q", "docs-only")
    result, outputs, _ = run_step(step, checkout, {"github.base_ref": "main"})
    assert result.returncode == 0 and outputs == {"review": "false"}, result.stderr

    contract = checkout / "contracts" / "sales" / "orders.yaml"
    contract.write_text(contract.read_text().replace("classification: pii", "classification: secret", 1))
    _git(checkout, "commit", "-q", "-am", "broken")
    result, outputs, _ = run_step(step, checkout, {"github.base_ref": "main"})
    assert result.returncode == 1 and outputs == {}
    assert "does not load" in result.stderr and "contracts/sales/orders.yaml" in result.stderr


def _fake_terraform(tmp_path: Path) -> tuple[Path, Path]:
    """A stand-in for terraform that records each call and the HCP Terraform token it sees (there is no AWS account
    or HCP organization here to plan against)."""
    bin_dir, log = tmp_path / "fake-bin", tmp_path / "terraform.log"
    bin_dir.mkdir()
    fake = bin_dir / "terraform"
    fake.write_text(f'#!/bin/sh\necho "$* [token=${{TF_TOKEN_app_terraform_io:-}} api=${{TF_API_TOKEN:-}}]" '
                    f'>> {shlex.quote(str(log))}\n')
    fake.chmod(0o755)
    return bin_dir, log


MESH = "governance,catalog,domain,consumer"


@pytest.mark.synth
def test_plan_and_apply_steps_go_through_every_stack_in_deploy_order(synth_root, tmp_path):
    """dev (local backend), qa (s3) and prod (cloud) as synthesized; the steps' scripts with a terraform stand-in."""
    root = tmp_path / "project"
    for name in ("environments", "contracts", "cdktf.out"):
        shutil.copytree(synth_root / name, root / name)
    venv_meshform(root)
    bin_dir, log = _fake_terraform(tmp_path)

    def order(env: str, *kind: str) -> list[str]:
        return run(sys.executable, "-m", "meshform.cli", "--root", str(root), "stacks", "--env", env, *kind,
                   env={**os.environ, "PYTHONPATH": str(REPO)}).stdout.split()

    assert len(order("qa")) >= 9 and order("qa", "--kind", MESH) == order("qa")
    cloud = order("prod", "--kind", MESH)
    assert cloud[0] == "prod-governance" and set(order("prod")) - set(cloud) == {
        "prod-delivery", *(s for s in order("prod") if s.startswith("prod-trust-"))}

    backend = _step("meshform-deploy-environment.yml", "apply", "Backend of the environment")
    result, outputs, _ = run_step(backend, root, {"inputs.environment": "dev"})           # dev: backend local
    assert result.returncode == 1 and outputs == {}
    assert "::error::dev-governance uses the local backend" in result.stdout
    result, outputs, _ = run_step(backend, root, {"inputs.environment": "qa"})
    assert result.returncode == 0 and outputs == {"type": "aws"}, result.stdout + result.stderr
    result, outputs, _ = run_step(backend, root, {"inputs.environment": "prod"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert outputs == {"type": "cloud", "token_variable": "TF_TOKEN_app_terraform_io"}

    plan = _step("meshform-pr.yml", "plan", "Plan every stack in deploy order")
    result, _, _ = run_step(plan, root, {"matrix.environment": "qa", "steps.backend.outputs.token_variable": "",
                                         "secrets.TF_API_TOKEN": ""}, [bin_dir])
    assert result.returncode == 0, result.stdout + result.stderr
    assert log.read_text().splitlines() == [
        c for s in order("qa") for c in (f"-chdir=cdktf.out/stacks/{s} init -input=false -no-color [token= api=]",
                                         f"-chdir=cdktf.out/stacks/{s} plan -input=false -lock=false -no-color "
                                         "[token= api=]")]
    log.unlink()
    result, _, _ = run_step(plan, root, {"matrix.environment": "prod",
                                         "steps.backend.outputs.token_variable": "TF_TOKEN_app_terraform_io",
                                         "secrets.TF_API_TOKEN": "team-token"}, [bin_dir])
    assert result.returncode == 0, result.stdout + result.stderr
    calls = log.read_text().splitlines()       # HCP: no -lock=false; the token under Terraform's name only
    assert calls == [c for s in cloud for c in (f"-chdir=cdktf.out/stacks/{s} init -input=false -no-color "
                                                "[token=team-token api=]",
                                                f"-chdir=cdktf.out/stacks/{s} plan -input=false -no-color "
                                                "[token=team-token api=]")]
    log.unlink()

    apply = _step("meshform-deploy-environment.yml", "apply", "Plan and apply every stack in deploy order")
    result, _, _ = run_step(apply, root, {"inputs.environment": "qa", "steps.backend.outputs.token_variable": "",
                                          "secrets.TF_API_TOKEN": ""}, [bin_dir])
    assert result.returncode == 0, result.stdout + result.stderr
    calls = log.read_text().splitlines()
    assert [c.split()[1] for c in calls] == ["init", "plan", "apply"] * len(order("qa"))
    assert [c.split()[0] for c in calls[::3]] == [f"-chdir=cdktf.out/stacks/{s}" for s in order("qa")]
    assert all(c.endswith("apply -input=false -no-color tfplan [token= api=]") for c in calls[2::3])
    log.unlink()
    result, _, _ = run_step(apply, root, {"inputs.environment": "prod",
                                          "steps.backend.outputs.token_variable": "TF_TOKEN_app_terraform_io",
                                          "secrets.TF_API_TOKEN": "team-token"}, [bin_dir])
    assert result.returncode == 0, result.stdout + result.stderr
    calls = log.read_text().splitlines()
    assert [c.split()[0] for c in calls[::3]] == [f"-chdir=cdktf.out/stacks/{s}" for s in cloud]
    assert all(c.endswith("[token=team-token api=]") for c in calls)

    shutil.rmtree(root / "cdktf.out" / "stacks" / order("qa")[-1])      # a partial artifact: nothing is planned
    log.unlink()
    result, _, _ = run_step(plan, root, {"matrix.environment": "qa", "steps.backend.outputs.token_variable": "",
                                         "secrets.TF_API_TOKEN": ""}, [bin_dir])
    assert result.returncode == 1 and "cdk.tf.json is missing" in result.stderr
    assert not log.exists()


def test_settings_check_names_what_is_missing(tmp_path):
    check = _step("meshform-deploy-environment.yml", "apply", "Check the environment's settings")
    base = {"inputs.environment": "prod", "vars.MESHFORM_DEPLOY_ROLE_ARN": "", "vars.MESHFORM_AWS_REGION": ""}
    result, _, _ = run_step(check, tmp_path, {**base, "steps.backend.outputs.type": "aws",
                                              "secrets.TF_API_TOKEN != ''": "false"})
    assert result.returncode == 1 and "MESHFORM_DEPLOY_ROLE_ARN and MESHFORM_AWS_REGION" in result.stdout
    result, _, _ = run_step(check, tmp_path, {**base, "steps.backend.outputs.type": "cloud",
                                              "secrets.TF_API_TOKEN != ''": "false"})
    assert result.returncode == 1 and "secret TF_API_TOKEN" in result.stdout
    result, _, _ = run_step(check, tmp_path, {**base, "steps.backend.outputs.type": "cloud",
                                              "secrets.TF_API_TOKEN != ''": "true"})
    assert result.returncode == 0, result.stdout


def test_comment_script_updates_its_own_comment(tmp_path):
    """The github-script step, run on node with a recording stand-in for the GitHub API: the first run creates the
    comment, the next finds it by the marker line and updates it, other comments are left alone."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed (CDKTF needs it anyway)")
    script = _step("meshform-pr.yml", "access-diff", "Post or update the pull request comment")["with"]["script"]
    (tmp_path / "access-diff.md").write_text("<!-- meshform-access-diff -->\n## Access changes\nnew body\n")
    harness = tmp_path / "harness.js"
    harness.write_text("""
const calls = [];
const existing = JSON.parse(process.argv[2]);
const github = {
  paginate: async (fn, args) => { calls.push(['list', args.issue_number]); return existing; },
  rest: { issues: {
    listComments: 'listComments',
    updateComment: async (a) => calls.push(['update', a.comment_id, a.body]),
    createComment: async (a) => calls.push(['create', a.issue_number, a.body]),
  } },
};
const context = { repo: { owner: 'acme', repo: 'mesh' }, issue: { number: 7 }, runId: 4242 };
(async () => {
  await (async function (require, github, context) { %SCRIPT% })(require, github, context);
  console.log(JSON.stringify(calls));
})();
""".replace("%SCRIPT%", script))
    body = "<!-- meshform-access-diff -->\n## Access changes\nnew body\n"
    human = {"id": 1, "user": {"type": "User"}, "body": "<!-- meshform-access-diff --> quoted by a person"}
    ours = {"id": 2, "user": {"type": "Bot"}, "body": "<!-- meshform-access-diff -->\nold body"}
    other_bot = {"id": 3, "user": {"type": "Bot"}, "body": "coverage report"}
    for existing, expected in (([human, other_bot], [["list", 7], ["create", 7, body]]),
                               ([human, ours, other_bot], [["list", 7], ["update", 2, body]])):
        result = run(node, str(harness), json.dumps(existing), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == expected
    long = body + "".join(f"| row {i} | {'x' * 80} |\n" for i in range(1000))      # ~90,000 characters
    (tmp_path / "access-diff.md").write_text(long)
    result = run(node, str(harness), json.dumps([ours]), cwd=tmp_path)
    [_, (kind, comment_id, posted)] = json.loads(result.stdout)
    assert (kind, comment_id) == ("update", 2) and len(posted) <= 60200
    assert posted.startswith(body) and posted.endswith(
        "_Truncated: the whole diff is in the job summary and the access-diff artifact of run 4242._\n")
    assert long.startswith(posted.split("\n\n_Truncated")[0] + "\n")       # cut at a line end


def test_environment_list_step_feeds_the_matrix(tmp_path):
    root = copy_project(tmp_path / "project")
    venv_meshform(root)
    step = _step("meshform-pr.yml", "environments", "List the environments")
    result, outputs, _ = run_step(step, root, {})
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(outputs["environments"]) == ["dev", "prod"]      # what fromJSON() turns into the matrix
    (root / "environments" / "prod.yaml").write_text("environment: [\n")
    result, outputs, _ = run_step(step, root, {})
    assert result.returncode != 0 and outputs == {}                    # pipefail: a broken spec fails the step
    assert "environments/prod.yaml" in result.stderr
