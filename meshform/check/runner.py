"""Runs checkov in its own virtualenv over synthesized stacks, one run per environment, and turns its JSON into
findings a person can act on. The gate cannot pass silently: parsing errors, stacks or resources checkov did not
evaluate, and custom policies that failed to load all fail the run."""
from __future__ import annotations

import ast
import fnmatch
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from meshform.check.mesh_facts import MESH_FILE_ENV, write_mesh_facts
from meshform.local.terraform import ToolMissing
from meshform.settings import load_settings
from meshform.spec.mesh import Mesh

PROJECT_ROOT = Path(__file__).resolve().parents[2]
POLICY_DIR = PROJECT_ROOT / "policies" / "checks"
SKIPS_FILE = PROJECT_ROOT / "policies" / "checkov-skips.yaml"
_CHECK_ID = re.compile(r"""\bid\s*[=:]\s*["']?((?:CKV2?_MESH_)[A-Z0-9_]+)""")


@dataclass(frozen=True)
class Finding:
    stack: str
    address: str          # <type>.<name>
    construct_path: str   # from the resource's "//" metadata
    check_id: str
    check_name: str
    fix: str
    details: tuple[str, ...] = ()


@dataclass
class EnvironmentResult:
    environment: str
    stacks: list[str]
    synthesized: int = 0
    evaluated: int = 0
    passed: int = 0
    failed: list[Finding] = field(default_factory=list)
    skipped: int = 0
    parsing_errors: list[str] = field(default_factory=list)
    not_evaluated: list[str] = field(default_factory=list)
    missing_policies: list[str] = field(default_factory=list)
    reports: Path | None = None

    @property
    def ok(self) -> bool:
        return not (self.failed or self.parsing_errors or self.not_evaluated or self.missing_policies)


def find_checkov() -> str:
    candidates = [load_settings().checkov, str(PROJECT_ROOT / ".venv-checkov" / "bin" / "checkov"),
                  shutil.which("checkov")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    raise ToolMissing("checkov was not found (looked at $MESHFORM_CHECKOV, .venv-checkov/bin/checkov and PATH). "
                      "Run `make demo` once (it creates .venv-checkov) or `python -m venv .venv-checkov && "
                      ".venv-checkov/bin/pip install -r requirements-checkov.txt`.")


def load_skips() -> dict[str, dict]:
    if not SKIPS_FILE.exists():
        return {}
    return yaml.safe_load(SKIPS_FILE.read_text()) or {}


def custom_policies() -> dict[str, list[str] | None]:
    """Every mesh policy id found in policies/checks -> the resource types (fnmatch patterns) it applies to, read
    from the file itself (None when they cannot be read). Read from the files, not from checkov: a policy that
    fails to import is silently dropped by checkov, and that is exactly what the gate must notice."""
    policies: dict[str, list[str] | None] = {}
    for path in sorted(POLICY_DIR.glob("*.py")) + sorted(POLICY_DIR.glob("*.yaml")):
        text = path.read_text()
        ids = _CHECK_ID.findall(text)
        if ids:
            types = _python_resource_types(text) if path.suffix == ".py" else _yaml_resource_types(text)
            policies.update({pid: types for pid in ids})
    return policies


def custom_policy_ids(resource_types: set[str] | None = None) -> list[str]:
    """The mesh policies that must produce a result: with `resource_types` (the types in the scanned stacks),
    only those applying to at least one of them; a policy whose types cannot be read is always expected."""
    return sorted(pid for pid, patterns in custom_policies().items()
                  if resource_types is None or _applies(patterns, resource_types))


def _applies(patterns: list[str] | None, resource_types: set[str]) -> bool:
    return patterns is None or any(fnmatch.fnmatchcase(t, p) for p in patterns for t in resource_types)


def _python_resource_types(text: str) -> list[str] | None:
    """The literal `supported_resources=[...]` of a BaseResourceCheck (or a module-level name bound to one)."""
    try:
        tree = ast.parse(text)
        bound = {target.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                 for target in node.targets if isinstance(target, ast.Name)}
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "supported_resources":
                value = bound.get(node.value.id) if isinstance(node.value, ast.Name) else node.value
                if value is None:
                    return None
                return [str(t) for t in ast.literal_eval(value)] or None
    except (SyntaxError, ValueError, TypeError):
        pass
    return None


def _yaml_resource_types(text: str) -> list[str] | None:
    """The resource types a YAML graph check reports on: its `resource_type` filter, else every resource_types."""
    try:
        definition = (yaml.safe_load(text) or {}).get("definition")
    except (yaml.YAMLError, AttributeError):
        return None
    filtered: list[str] = []
    declared: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("cond_type") == "filter" and node.get("attribute") == "resource_type":
                filtered.extend(node.get("value") or [])
            types = node.get("resource_types") or []
            types = [types] if isinstance(types, str) else list(types)
            declared.extend(["*"] if "all" in types else types)  # checkov's `all` = every resource type
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(definition)
    return [str(t) for t in (filtered or declared)] or None


def run_checks(meshes: list[Mesh], stacks_dir: Path, reports_dir: Path,
               progress: Callable[[Mesh, int], None] | None = None) -> list[EnvironmentResult]:
    """One checkov run per environment; `progress(mesh, stack count)` is called before each (long) run."""
    checkov = find_checkov()
    skips = load_skips()
    policies = custom_policies()
    results = []
    for mesh in meshes:
        stack_dirs = sorted(p for p in stacks_dir.iterdir() if p.is_dir() and p.name.startswith(f"{mesh.env}-"))
        if not stack_dirs:
            raise ToolMissing(f"no synthesized stacks for environment {mesh.env!r} in {stacks_dir}")
        if progress is not None:
            progress(mesh, len(stack_dirs))
        results.append(_run_env(checkov, mesh, stack_dirs, stacks_dir, reports_dir / mesh.env, skips, policies))
    return results


def _run_env(checkov: str, mesh: Mesh, stack_dirs: list[Path], stacks_dir: Path, reports: Path,
             skips: dict, policies: dict[str, list[str] | None]) -> EnvironmentResult:
    files = [d / "cdk.tf.json" for d in stack_dirs]
    mesh_file = write_mesh_facts(mesh, files, stacks_dir.parent / "mesh")
    if reports.exists():
        shutil.rmtree(reports)
    reports.mkdir(parents=True)
    args = [checkov, "--framework", "terraform_json", "--skip-download", "--compact",
            "-o", "json", "-o", "sarif", "-o", "junitxml", "--output-file-path", str(reports)]
    if skips:
        args += ["--skip-check", ",".join(sorted(skips))]
    if POLICY_DIR.is_dir():
        args += ["--external-checks-dir", str(POLICY_DIR)]
    for f in files:
        args += ["-f", str(f)]
    env = {**os.environ, MESH_FILE_ENV: str(mesh_file), "BC_SKIP_MAPPING": "TRUE",
           "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": ""}
    proc = subprocess.run(args, capture_output=True, text=True, env=env, cwd=stacks_dir)
    (reports / "checkov.log").write_text(proc.stdout + proc.stderr)
    report_file = reports / "results_json.json"
    result = EnvironmentResult(mesh.env, [d.name for d in stack_dirs], reports=reports)
    if not report_file.exists():
        result.parsing_errors.append(f"checkov wrote no report (exit {proc.returncode}): {_tail(proc.stderr)}")
        return result
    data = json.loads(report_file.read_text())
    blocks = data if isinstance(data, list) else [data]
    synthesized = _synthesized_resources(files)
    result.synthesized = len(synthesized)
    evaluated: set[tuple[str, str]] = set()
    seen_checks: set[str] = set()
    for block in blocks:
        summary = block.get("summary", {})
        if summary.get("parsing_errors"):
            result.parsing_errors += [str(p) for p in block.get("results", {}).get("parsing_errors", [])] or [
                f"{summary['parsing_errors']} file(s) could not be parsed"]
        for kind in ("passed_checks", "failed_checks", "skipped_checks"):
            for item in block.get("results", {}).get(kind, []):
                stack = Path(item.get("file_path", "")).parent.name
                address = _address(item.get("resource", ""), stack, synthesized)
                evaluated.add((stack, address))
                seen_checks.add(item.get("check_id", ""))
                if kind == "passed_checks":
                    result.passed += 1
                elif kind == "skipped_checks":
                    result.skipped += 1
                else:
                    result.failed.append(Finding(
                        stack, address, synthesized.get((stack, address), ""), item.get("check_id", ""),
                        item.get("check_name", ""), item.get("guideline") or _builtin_fix(item.get("check_id", "")),
                        tuple(item.get("details") or ())))
    result.evaluated = len(evaluated & set(synthesized))
    result.not_evaluated = sorted(f"{s}: {a}" for s, a in set(synthesized) - evaluated)
    # A policy must have produced a result if it applies to a resource type present in these stacks.
    types = {address.split(".", 1)[0] for _, address in synthesized}
    result.missing_policies = sorted(p for p, patterns in policies.items()
                                     if _applies(patterns, types) and p not in seen_checks)
    return result


def _synthesized_resources(files: list[Path]) -> dict[tuple[str, str], str]:
    """(stack, type.name) -> construct path, for every resource in the stack files."""
    out = {}
    for path in files:
        data = json.loads(path.read_text())
        for rtype, items in data.get("resource", {}).items():
            for name, body in items.items():
                out[(path.parent.name, f"{rtype}.{name}")] = body.get("//", {}).get("metadata", {}).get("path", "")
    return out


def _address(label: str, stack: str, synthesized: dict) -> str:
    """checkov labels Python-check results of terraform_json `resource.<name>`: map back to `<type>.<name>`."""
    if label.startswith("resource."):
        name = label[len("resource."):]
        for (s, address) in synthesized:
            if s == stack and address.split(".", 1)[1] == name:
                return address
    return label


def _builtin_fix(check_id: str) -> str:
    # Offline (--skip-download) checkov has no guideline URLs for built-in checks: point at its policy index.
    return f"see {check_id} in https://www.checkov.io/5.Policy%20Index/terraform.html and the resource above"


def _tail(text: str, lines: int = 10) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])

