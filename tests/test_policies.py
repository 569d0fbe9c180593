"""The mesh's governance policies (policies/checks) against their fixtures, with the real checkov.

Every rule has tests/policy_fixtures/<RULE_ID>/violating.tf.json, where each resource the rule applies to breaks
it in its own way (the resource names say how), and compliant.tf.json, where each such resource satisfies it. The
mesh facts the rules read are tests/policy_fixtures/mesh_facts.json (a small invented mesh). checkov runs once
over all fixtures (a few seconds) and its results are matched back to the rule by file. The fixtures end in
.tf.json because checkov's terraform_json framework scans no other file name.
"""
from __future__ import annotations

import ast
import json
import os
import re
import subprocess
from collections import defaultdict
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
import yaml

from meshform.check.runner import (
    POLICY_DIR,
    SKIPS_FILE,
    _python_resource_types,
    _yaml_resource_types,
    custom_policies,
    custom_policy_ids,
)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "policy_fixtures"
FACTS = FIXTURES / "mesh_facts.json"
CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"
KINDS = ("violating", "compliant")
RULES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()) if FIXTURES.is_dir() else []
MESH_ID = re.compile(r"\bCKV2?_MESH_[A-Z0-9_]+")


def _require_checkov() -> None:
    if not CHECKOV.is_file():
        reason = (f"checkov is not installed at {CHECKOV.relative_to(REPO)} (`make test` creates it, or "
                  "python -m venv .venv-checkov && .venv-checkov/bin/pip install -r requirements-checkov.txt)")
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; the policy tests must run in CI")
        pytest.skip(reason)


def _checkov(files: list[Path], cwd: Path, checks: list[str]) -> list[dict]:
    """checkov's JSON report blocks for `files` (relative to `cwd`), running only `checks`."""
    args = [str(CHECKOV), "--framework", "terraform_json", "--skip-download", "-o", "json",
            "--check", ",".join(checks), "--external-checks-dir", str(POLICY_DIR)]
    for path in files:
        args += ["-f", str(path.relative_to(cwd))]
    env = {**os.environ, "MESHFORM_MESH_FILE": str(FACTS), "BC_SKIP_MAPPING": "TRUE",
           "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": ""}
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=300)
    try:
        data = json.loads(proc.stdout)
    except ValueError:
        pytest.fail(f"checkov wrote no JSON report (exit {proc.returncode}): {proc.stderr[-3000:]}")
    return data if isinstance(data, list) else [data]


@pytest.fixture(scope="module")
def scan() -> dict[tuple[str, str], dict[str, list[dict]]]:
    """(rule, violating|compliant) -> {"passed": [...], "failed": [...]}: that rule's results on that fixture."""
    _require_checkov()
    blocks = _checkov(sorted(FIXTURES.glob("*/*.tf.json")), FIXTURES, RULES)
    results: dict[tuple[str, str], dict[str, list[dict]]] = defaultdict(lambda: {"passed": [], "failed": []})
    for block in blocks:
        assert not block.get("summary", {}).get("parsing_errors"), f"fixtures checkov could not parse: {block}"
        for kind in ("passed", "failed"):
            for item in block.get("results", {}).get(f"{kind}_checks", []):
                rule, fixture = Path(item["file_path"].lstrip("/")).parts[-2:]
                if item["check_id"] == rule:
                    results[(rule, fixture.removesuffix(".tf.json"))][kind].append(item)
    return results


def _applicable_resources(rule: str, kind: str) -> list[str]:
    """`type.name` of the fixture's resources that the rule applies to (by its supported resource types)."""
    patterns = custom_policies()[rule] or ["*"]
    stack = json.loads((FIXTURES / rule / f"{kind}.tf.json").read_text())
    return [f"{rtype}.{name}" for rtype, items in stack["resource"].items() for name in items
            if any(fnmatchcase(rtype, p) for p in patterns)]


def _describe(items: list[dict]) -> str:
    return "; ".join(f"{i['resource']} {i.get('details') or ''}" for i in items) or "none"


def test_every_rule_has_fixtures():
    ids = set(custom_policy_ids())
    assert ids, f"no CKV_MESH/CKV2_MESH policy found in {POLICY_DIR}"
    assert not ids - set(RULES), f"rules without tests/policy_fixtures/<id>/: {sorted(ids - set(RULES))}"
    assert not set(RULES) - ids, f"fixture folders of no existing rule: {sorted(set(RULES) - ids)}"
    for rule in RULES:
        for kind in KINDS:
            assert (FIXTURES / rule / f"{kind}.tf.json").is_file(), f"{rule}: {kind}.tf.json is missing"


@pytest.mark.parametrize("rule", RULES)
def test_rule_fails_on_violating_fixture(scan, rule):
    result = scan[(rule, "violating")]
    expected = _applicable_resources(rule, "violating")
    assert result["failed"], f"{rule} reported no failure on violating.tf.json (passed: {_describe(result['passed'])})"
    assert not result["passed"], f"{rule} let violations pass: {_describe(result['passed'])}"
    # Every violating resource must be evaluated and fail: a graph check silently drops resources it cannot
    # decide (e.g. a "${...}" value), which would otherwise look like a pass.
    assert len(result["failed"]) == len(expected), (
        f"{rule}: {len(result['failed'])} failures for {len(expected)} violating resources {expected}; "
        f"failed: {_describe(result['failed'])}")


@pytest.mark.parametrize("rule", RULES)
def test_rule_passes_on_compliant_fixture(scan, rule):
    result = scan[(rule, "compliant")]
    expected = _applicable_resources(rule, "compliant")
    assert not result["failed"], f"{rule} failed compliant resources: {_describe(result['failed'])}"
    assert result["passed"], f"{rule} produced no result on compliant.tf.json (did the policy load?)"
    assert len(result["passed"]) == len(expected), (
        f"{rule}: {len(result['passed'])} passes for {len(expected)} compliant resources {expected}")


def test_stack_aware_rule_fails_when_the_stack_account_is_unknown(tmp_path):
    """CKV_MESH_LF_GRANT_PRINCIPALS judges a grant by the account of its stack (the scanned file's directory, mapped
    by the facts' stack_accounts): in a directory the facts do not map, even compliant grants fail, saying why."""
    _require_checkov()
    rule = "CKV_MESH_LF_GRANT_PRINCIPALS"
    stack = tmp_path / "not-a-mesh-stack" / "cdk.tf.json"
    stack.parent.mkdir()
    stack.write_text((FIXTURES / rule / "compliant.tf.json").read_text())
    blocks = _checkov([stack], tmp_path, [rule])
    passed = [i for b in blocks for i in b.get("results", {}).get("passed_checks", [])]
    failed = [i for b in blocks for i in b.get("results", {}).get("failed_checks", [])]
    assert not passed, f"{rule} passed grants of a stack of unknown account: {_describe(passed)}"
    assert len(failed) == len(_applicable_resources(rule, "compliant"))
    for item in failed:
        assert any("cannot tell which account this stack belongs to" in d for d in item.get("details") or ()), item


def test_stack_account_is_read_from_the_scanned_file(monkeypatch):
    """The policies' helper: checkov's entity_path "<file>:<type>:<name>" -> the stack directory -> its account."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("policy_mesh_facts", POLICY_DIR / "mesh_facts.py")
    helpers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helpers)
    monkeypatch.setenv("MESHFORM_MESH_FILE", str(FACTS))
    entity = "/x/cdktf.out/stacks/test-domain-sales/cdk.tf.json:aws_lakeformation_permissions:grant"
    assert helpers.stack_of(entity) == "test-domain-sales"
    assert helpers.stack_account(entity) == "100000000002"
    assert helpers.stack_account("/CKV_MESH_LF_GRANT_PRINCIPALS/violating.tf.json:t:n") == "100000000003"
    assert helpers.stack_account("/elsewhere/cdk.tf.json:t:n") is None
    assert helpers.stack_account("") is None


def test_policies_say_why_and_how():
    """Each rule file explains why it exists (docstring / leading comment) and how to fix (guideline)."""
    for path in sorted(POLICY_DIR.glob("*.py")):
        text = path.read_text()
        ids = set(MESH_ID.findall(" ".join(re.findall(r'\bid\s*=\s*"([^"]+)"', text))))
        if not ids:
            continue  # a helper module
        docstring = ast.get_docstring(ast.parse(text)) or ""
        assert docstring.startswith(next(iter(ids))) and "Why" in docstring, f"{path.name}: docstring: id, then why"
        assert "guideline=" in text and "name=" in text, f"{path.name}: name and guideline"
    for path in sorted(POLICY_DIR.glob("*.yaml")):
        text = path.read_text()
        metadata = yaml.safe_load(text)["metadata"]
        assert text.startswith(f"# {metadata['id']}") and "Why" in text, f"{path.name}: leading comment with id and why"
        assert metadata.get("name") and metadata.get("guideline"), f"{path.name}: metadata name and guideline"


def test_each_rule_file_is_named_for_its_id():
    """One rule per file, named for it: CKV_MESH_SFN_LOGGING lives in sfn_logging.py (a newcomer finds the file
    from the ID in a checkov report)."""
    for path in sorted([*POLICY_DIR.glob("*.py"), *POLICY_DIR.glob("*.yaml")]):
        text = path.read_text()
        ids = set(re.findall(r'\bid\s*[=:]\s*"?(CKV2?_MESH_[A-Z0-9_]+)', text))
        if not ids:
            continue  # a helper module
        assert len(ids) == 1, f"{path.name}: one rule per file, found {sorted(ids)}"
        wanted = re.sub(r"^CKV2?_MESH_", "", next(iter(ids))).lower()
        assert path.stem == wanted, f"{path.name} holds {next(iter(ids))}: name it {wanted}{path.suffix}"


def test_skips_file_names_existing_policies():
    """The reasons for skipping built-in checks name the mesh rules that cover the risk: they must exist."""
    named = set(MESH_ID.findall(SKIPS_FILE.read_text()))
    unknown = sorted(named - set(custom_policy_ids()))
    assert not unknown, f"checkov-skips.yaml names rules that do not exist: {unknown}"


def test_fixture_facts_have_the_fields_meshform_writes():
    from meshform.check.mesh_facts import mesh_facts
    from meshform.loader import load_meshes

    written = mesh_facts(load_meshes(REPO)[0], set())
    fixture = json.loads(FACTS.read_text())
    assert set(fixture) == set(written), "tests/policy_fixtures/mesh_facts.json is out of date with mesh_facts()"


def test_expected_policies_follow_the_scanned_resource_types():
    """`meshform check` expects a result only from rules that apply to a resource type present in the stacks."""
    s3_only = custom_policy_ids({"aws_s3_bucket"})
    assert {"CKV2_MESH_S3_BUCKET_VERSIONING", "CKV_MESH_MANDATORY_TAGS", "CKV_MESH_PREVENT_DESTROY"} <= set(s3_only)
    assert "CKV_MESH_LF_GRANT_PRINCIPALS" not in s3_only
    assert "CKV_MESH_LF_GRANT_PRINCIPALS" in custom_policy_ids({"aws_lakeformation_permissions"})
    assert set(custom_policy_ids()) == set(custom_policies())
    # Types are read from the files, so a policy checkov fails to import is still expected (and reported).
    assert _python_resource_types('super().__init__(supported_resources=["aws_glue_job", "aws_glue_*"])') == [
        "aws_glue_job", "aws_glue_*"]
    assert _python_resource_types('TYPES = ("aws_iam_role",)\nx(supported_resources=TYPES)') == ["aws_iam_role"]
    assert _python_resource_types("def broken(:") is None  # unreadable: always expected
    graph_check = ("definition:\n  and:\n  - {cond_type: filter, attribute: resource_type, value: [aws_s3_bucket]}\n"
                   "  - {cond_type: connection, resource_types: [aws_s3_bucket], "
                   "connected_resource_types: [aws_s3_bucket_policy]}\n")
    assert _yaml_resource_types(graph_check) == ["aws_s3_bucket"]
