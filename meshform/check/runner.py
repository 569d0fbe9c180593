"""Runs checkov in its own virtualenv over synthesized stacks (in parallel processes, re-using the results of
stacks whose inputs are unchanged: meshform/check/cache.py), and turns its JSON into
findings a person can act on. The gate cannot pass silently: parsing errors, stacks or resources checkov did not
evaluate, and custom policies that failed to load all fail the run."""
from __future__ import annotations

import ast
import contextlib
import fnmatch
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from meshform.check.cache import CheckCache, environment_fingerprint, merge_facts, stack_facts, stack_key
from meshform.check.mesh_facts import MESH_FILE_ENV, mesh_facts
from meshform.check.report_files import KINDS, stack_of, write_reports
from meshform.local.terraform import ToolMissing
from meshform.settings import load_settings
from meshform.spec.mesh import Mesh

PROJECT_ROOT = Path(__file__).resolve().parents[2]
POLICY_DIR = PROJECT_ROOT / "policies" / "checks"
SKIPS_FILE = PROJECT_ROOT / "policies" / "checkov-skips.yaml"
ENTRY = Path(__file__).resolve().parent / "checkov_entry.py"
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
    cached: int = 0            # stacks whose results were re-used (inputs byte-identical to a cached run)

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


def checkov_command(checkov: str) -> list[str]:
    """How to start `checkov`: its own interpreter running meshform/check/checkov_entry.py (the same checkov,
    faster: see there) when the script's first line names that interpreter, else the script itself."""
    try:
        with open(checkov, "rb") as script:
            first = script.readline(4096).decode("utf-8", "replace").strip()
    except OSError:
        return [checkov]
    interpreter = first[2:].strip() if first.startswith("#!") else ""
    if " " in interpreter or not Path(interpreter).name.startswith("python") or not Path(interpreter).is_file():
        return [checkov]                   # `#!/usr/bin/env python3`, a wrapper or a binary: run it as it is
    return [interpreter, str(ENTRY)]


_ENV = {"BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": ""}   # offline; no package scan


class Checkovs:
    """checkov processes started ahead of the work (`meshform build` starts them before it synthesizes): each
    imports checkov (2-3 s) and then waits for its run on stdin (checkov_entry.py --wait), so the import overlaps
    synthesis instead of following it. Only with checkov_entry.py (a checkov whose script names its interpreter);
    a run finds none ready and starts its own process otherwise. Unused ones are stopped: ours, by pid."""

    def __init__(self, checkov: str):
        self.command = checkov_command(checkov)
        self.ready: list[subprocess.Popen[str]] = []

    def start(self, count: int) -> None:
        if self.command[-1] != str(ENTRY):
            return
        while len(self.ready) < count:
            self.ready.append(subprocess.Popen([*self.command, "--wait"], stdin=subprocess.PIPE,
                                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                               env={**os.environ, **_ENV}))

    def take(self) -> subprocess.Popen[str] | None:
        return self.ready.pop(0) if self.ready else None

    def close(self) -> None:
        for proc in self.ready:
            if proc.poll() is None:
                proc.terminate()
                proc.communicate()
        self.ready = []


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
               progress: Callable[[Mesh, int, int], None] | None = None,
               cache_dir: Path | None = None, ready: Checkovs | None = None) -> list[EnvironmentResult]:
    """Check every environment's stacks. `progress(mesh, stacks, to check)` is called before each environment's
    (long) checkov runs; stacks whose inputs are unchanged since a run that used `cache_dir` are not re-checked."""
    checkov = find_checkov()
    skips = load_skips()
    policies = custom_policies()
    cache = CheckCache(cache_dir)
    fingerprint = environment_fingerprint(PROJECT_ROOT, POLICY_DIR, skips, checkov)
    results = []
    for mesh in meshes:
        stack_dirs = sorted(p for p in stacks_dir.iterdir() if p.is_dir() and p.name.startswith(f"{mesh.env}-"))
        if not stack_dirs:
            raise ToolMissing(f"no synthesized stacks for environment {mesh.env!r} in {stacks_dir}")
        results.append(_run_env(checkov, mesh, stack_dirs, stacks_dir, reports_dir / mesh.env, skips, policies,
                                cache, fingerprint, progress, ready))
    cache.prune()
    return results


@dataclass
class _Stack:
    name: str
    file: Path
    text: str
    resources: int
    facts: dict
    key: str
    types: frozenset[str] = frozenset()


def _run_env(checkov: str, mesh: Mesh, stack_dirs: list[Path], stacks_dir: Path, reports: Path, skips: dict,
             policies: dict[str, list[str] | None], cache: CheckCache, fingerprint: str,
             progress: Callable[[Mesh, int, int], None] | None, ready: Checkovs | None) -> EnvironmentResult:
    files = [d / "cdk.tf.json" for d in stack_dirs]
    stacks: list[_Stack] = []
    texts = {f: f.read_text() for f in files}
    parsed = {f: json.loads(t) for f, t in texts.items()}
    facts = mesh_facts(mesh, {t for data in parsed.values() for t in data.get("resource", {})})
    # The whole environment's facts, for a person reading what the policies were told (each checkov run gets the
    # slices of its stacks).
    facts_dir = stacks_dir.parent / "mesh"
    facts_dir.mkdir(parents=True, exist_ok=True)
    (facts_dir / f"{mesh.env}.json").write_text(json.dumps(facts, indent=2, sort_keys=True))
    for f in files:
        types = set(parsed[f].get("resource", {}))
        sliced = stack_facts(facts, texts[f], types, parsed[f])
        stacks.append(_Stack(f.parent.name, f, texts[f], sum(len(v) for v in parsed[f].get("resource", {}).values()),
                             sliced, stack_key(fingerprint, f.parent.name, texts[f].encode(), sliced),
                             frozenset(types)))
    if reports.exists():
        shutil.rmtree(reports)
    reports.mkdir(parents=True)
    entries: dict[str, dict] = {}
    todo = []
    for stack in stacks:
        entry = cache.get(stack.key)
        if entry is None:
            todo.append(stack)
        else:
            entries[stack.name] = entry
    if progress is not None:
        progress(mesh, len(stacks), len(todo))
    logs, run_errors = _check_uncached(checkov, todo, stacks_dir, reports, skips, entries, cache, policies, ready)
    (reports / "checkov.log").write_text("".join(logs))
    merged: dict[str, list[dict]] = {kind: [] for kind in KINDS}
    parsing_errors: list[str] = list(run_errors)
    for stack in stacks:
        entry = entries.get(stack.name)
        if entry is None:
            continue
        parsing_errors += entry["parsing_errors"]
        for kind in KINDS:
            merged[kind] += [{**item, "file_abs_path": str(stack.file)} for item in entry["results"][kind]]
    write_reports(reports, merged, parsing_errors, stacks_dir)
    result = EnvironmentResult(mesh.env, [s.name for s in stacks], reports=reports, cached=len(stacks) - len(todo))
    result.parsing_errors += parsing_errors
    synthesized = _synthesized_resources(files, parsed)
    result.synthesized = len(synthesized)
    evaluated: set[tuple[str, str]] = set()
    seen_checks: set[str] = set()
    by_name = {(s, address.split(".", 1)[1]): address for s, address in synthesized}
    for kind in KINDS:
        for item in merged[kind]:
            stack_name = stack_of(item.get("file_path", ""))
            address = _address(item.get("resource", ""), stack_name, by_name)
            evaluated.add((stack_name, address))
            seen_checks.add(item.get("check_id", ""))
            if kind == "passed_checks":
                result.passed += 1
            elif kind == "skipped_checks":
                result.skipped += 1
            else:
                result.failed.append(Finding(
                    stack_name, address, synthesized.get((stack_name, address), ""), item.get("check_id", ""),
                    item.get("check_name", ""), item.get("guideline") or _builtin_fix(item.get("check_id", "")),
                    tuple(item.get("details") or ())))
    result.evaluated = len(evaluated & set(synthesized))
    result.not_evaluated = sorted(f"{s}: {a}" for s, a in set(synthesized) - evaluated)
    # A policy must have produced a result if it applies to a resource type present in these stacks.
    types = {address.split(".", 1)[0] for _, address in synthesized}
    result.missing_policies = sorted(p for p, patterns in policies.items()
                                     if _applies(patterns, types) and p not in seen_checks)
    return result


def _chunks(stacks: list[_Stack], workers: int) -> list[list[_Stack]]:
    """Longest-processing-time-first split by resource count: checkov's time grows with the resources."""
    bins: list[list[_Stack]] = [[] for _ in range(max(1, min(workers, len(stacks))))]
    loads = [0] * len(bins)
    for stack in sorted(stacks, key=lambda s: (-s.resources, s.name)):
        i = loads.index(min(loads))
        bins[i].append(stack)
        loads[i] += stack.resources + 1
    return [b for b in bins if b]


def _check_uncached(checkov: str, todo: list[_Stack], stacks_dir: Path, reports: Path, skips: dict,
                    entries: dict[str, dict], cache: CheckCache,
                    policies: dict[str, list[str] | None], ready: Checkovs | None) -> tuple[list[str], list[str]]:
    """checkov over the stacks not in the cache, in parallel processes (MESHFORM_WORKERS, default one per core).
    A chunk's results are stored only when the run was complete: every file parsed and every mesh policy that
    applies to its resource types produced a result (checkov drops a policy that fails to load, silently)."""
    if not todo:
        return [], []
    chunks = _chunks(todo, load_settings().processes)
    work = reports / ".runs"
    started = [ready.take() if ready is not None else None for _ in chunks]
    with ThreadPoolExecutor(len(chunks)) as pool:
        runs = list(pool.map(lambda i: _checkov_run(checkov, chunks[i], stacks_dir, work / str(i), skips, started[i]),
                             range(len(chunks))))
    shutil.rmtree(work, ignore_errors=True)
    logs: list[str] = []
    errors: list[str] = []
    for chunk, (log, blocks, error) in zip(chunks, runs, strict=True):
        logs.append(log)
        if error:
            errors.append(error)
            continue
        per_stack: dict[str, dict] = {s.name: {"results": {k: [] for k in KINDS}, "parsing_errors": []}
                                      for s in chunk}
        complete = True
        for block in blocks:
            listed = [str(p) for p in block.get("results", {}).get("parsing_errors", [])]
            for path in listed:
                owner = Path(path).parent.name
                target = per_stack.get(owner)
                if target is None:
                    errors.append(path)
                else:
                    target["parsing_errors"].append(f"{owner}/cdk.tf.json")
            if block.get("summary", {}).get("parsing_errors") and not listed:
                errors.append(f"{block['summary']['parsing_errors']} file(s) could not be parsed")
                complete = False
            for kind in KINDS:
                for item in block.get("results", {}).get(kind, []):
                    owner = stack_of(item.get("file_path", ""))
                    if owner in per_stack:
                        per_stack[owner]["results"][kind].append(_portable(item, owner))
        seen = {item.get("check_id") for entry in per_stack.values() for kind in KINDS
                for item in entry["results"][kind]}
        types = {t for stack in chunk for t in stack.types}
        complete = complete and all(p in seen for p, patterns in policies.items() if _applies(patterns, types))
        for stack in chunk:
            entry = per_stack[stack.name]
            entries[stack.name] = entry
            if complete and not entry["parsing_errors"]:
                cache.put(stack.key, entry)
    return logs, errors


def _portable(item: dict, stack: str) -> dict:
    """A result without this run's absolute paths (they are set again from the current stack file on use)."""
    out = {k: v for k, v in item.items() if k not in ("file_abs_path", "repo_file_path")}
    out["file_path"] = f"/{stack}/cdk.tf.json"
    result = out.get("check_result")
    if isinstance(result, dict) and isinstance(result.get("evaluated_keys"), list):
        # checkov lists these from a set (its order changes between runs): the reports must not
        out["check_result"] = {**result, "evaluated_keys": sorted(str(k) for k in result["evaluated_keys"])}
    return out


def _checkov_run(checkov: str, chunk: list[_Stack], stacks_dir: Path, work: Path, skips: dict,
                 started: subprocess.Popen[str] | None = None) -> tuple[str, list[dict], str | None]:
    """One checkov process over `chunk` with the union of its stacks' facts — `started` (a waiting
    checkov_entry.py --wait) or a new one; (log, JSON blocks, error)."""
    work.mkdir(parents=True)
    facts_file = work / "mesh.json"
    facts_file.write_text(json.dumps(merge_facts([s.facts for s in chunk]), indent=1, sort_keys=True))
    args = ["--framework", "terraform_json", "--skip-download", "--compact", "-o", "json",
            "--output-file-path", str(work)]
    if skips:
        args += ["--skip-check", ",".join(sorted(skips))]
    if POLICY_DIR.is_dir():
        args += ["--external-checks-dir", str(POLICY_DIR)]
    for stack in sorted(chunk, key=lambda s: s.name):
        args += ["-f", str(stack.file)]
    if started is not None:
        assert started.stdin is not None
        # BrokenPipeError: it died while importing checkov; its exit code and stderr say why (and there is no report)
        with contextlib.suppress(BrokenPipeError):
            started.stdin.write(json.dumps({"argv": args, "env": {MESH_FILE_ENV: str(facts_file)},
                                            "cwd": str(stacks_dir)}) + "\n")
        stdout, stderr = started.communicate()
        proc = subprocess.CompletedProcess(args, started.returncode, stdout, stderr)
    else:
        proc = subprocess.run([*checkov_command(checkov), *args], capture_output=True, text=True, cwd=stacks_dir,
                              env={**os.environ, **_ENV, MESH_FILE_ENV: str(facts_file)})
    log = f"== checkov over {', '.join(s.name for s in chunk)} (exit {proc.returncode})\n{proc.stdout}{proc.stderr}"
    report_file = work / "results_json.json"
    if not report_file.exists():
        return log, [], f"checkov wrote no report (exit {proc.returncode}): {_tail(proc.stderr)}"
    data = json.loads(report_file.read_text())
    return log, data if isinstance(data, list) else [data], None


def _synthesized_resources(files: list[Path], parsed: dict[Path, dict]) -> dict[tuple[str, str], str]:
    """(stack, type.name) -> construct path, for every resource in the stack files."""
    out = {}
    for path in files:
        data = parsed[path]
        for rtype, items in data.get("resource", {}).items():
            for name, body in items.items():
                out[(path.parent.name, f"{rtype}.{name}")] = body.get("//", {}).get("metadata", {}).get("path", "")
    return out


def _address(label: str, stack: str, by_name: dict[tuple[str, str], str]) -> str:
    """checkov labels Python-check results of terraform_json `resource.<name>`: map back to `<type>.<name>`
    (`by_name`: (stack, name) -> address, built once: a scan per result was quadratic in the mesh's size)."""
    if label.startswith("resource."):
        return by_name.get((stack, label[len("resource."):]), label)
    return label


def _builtin_fix(check_id: str) -> str:
    # Offline (--skip-download) checkov has no guideline URLs for built-in checks: point at its policy index.
    return f"see {check_id} in https://www.checkov.io/5.Policy%20Index/terraform.html and the resource above"


def _tail(text: str, lines: int = 10) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])

