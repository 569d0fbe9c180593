"""Re-use checkov's results for stacks whose input is byte-identical to a previous run.

A stack's result depends on exactly: its cdk.tf.json, the mesh facts the policies can read for it, the policies
(policies/checks, the skip list), checkov itself (requirements-checkov.txt) and this runner's way of calling it.
The cache key is a SHA-256 over all of them, so a change to any one re-checks the stack; nothing else is trusted.

The facts are sliced per stack so that a contract change does not invalidate every stack: `columns` keeps the
tables whose name is a word of the stack's JSON (a policy only looks up tables a resource names) plus, when
the stack grants on all tables of a database (`"wildcard": true`), every table of each database it names;
`taggable_resource_types` keeps the types the stack contains. Everything else is kept whole.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import time
from pathlib import Path

RUNNER_VERSION = "2"            # the runner's own source is hashed too; bump for changes outside it
_PRUNE_AFTER_S = 14 * 24 * 3600
_WILDCARD = re.compile(r'"wildcard"\s*:\s*true')
_WORD = re.compile(r"[A-Za-z0-9_]+")


def stack_facts(facts: dict, stack_text: str, stack_types: set[str], stack: dict | None = None) -> dict:
    """The part of the environment's facts that the policies can read while checking this stack. A table or
    database is "named" by the stack when its name is a whole word of the JSON (names are [a-z0-9_] words, and a
    resource names them as whole strings or ARN segments). Every table of a named database is kept when the stack
    has a Lake Formation grant on tables that is not one literal table name (a wildcard in any spelling, a missing
    or computed name): the policies then read all of that database's tables."""
    columns: dict = facts["columns"]
    words = set(_WORD.findall(stack_text))
    whole_databases = _WILDCARD.search(stack_text) is not None or _grants_on_unnamed_tables(stack)
    sliced = {}
    for key, value in columns.items():
        database, table = key.split(".", 1)
        if table in words or (whole_databases and database in words):
            sliced[key] = value
    return {**facts, "columns": sliced,
            "taggable_resource_types": sorted(set(facts["taggable_resource_types"]) & stack_types)}


def _grants_on_unnamed_tables(stack: dict | None) -> bool:
    if stack is None:
        return True                      # unknown: keep whole databases
    for grant in stack.get("resource", {}).get("aws_lakeformation_permissions", {}).values():
        for block in _as_list(grant.get("table")):
            name = block.get("name") if isinstance(block, dict) else None
            if "wildcard" in block or not isinstance(name, str) or not name or "${" in name:
                return True
    return False


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value] if isinstance(value, dict) else []


def merge_facts(slices: list[dict]) -> dict:
    """One facts file for a checkov run over several stacks: the union of their slices (a stack's lookups only
    hit its own slice, so the others' entries do not change its result)."""
    merged = dict(slices[0])
    merged["columns"] = {k: v for s in slices for k, v in s["columns"].items()}
    merged["taggable_resource_types"] = sorted({t for s in slices for t in s["taggable_resource_types"]})
    return merged


def environment_fingerprint(project_root: Path, policy_dir: Path, skips: dict, checkov: str) -> str:
    """Everything but the stack and its facts that a result depends on: the checkov that runs (its installed
    packages, or its version when it is not in a virtualenv), the policies, the skip list and this runner."""
    digest = hashlib.sha256(RUNNER_VERSION.encode())
    digest.update(_checkov_identity(checkov).encode())
    for directory in (policy_dir, Path(__file__).resolve().parent):
        for path in sorted(p for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(directory)).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(json.dumps(skips, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _checkov_identity(checkov: str) -> str:
    binary = Path(checkov).resolve()
    installed = sorted(p.name for p in binary.parent.parent.glob("lib/python*/site-packages/*.dist-info"))
    if installed:
        return f"{binary}\0" + "\0".join(installed)
    try:
        version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=120).stdout
    except (OSError, subprocess.SubprocessError):
        version = "unknown"
    return f"{binary}\0{version.strip()}"


def stack_key(fingerprint: str, stack: str, stack_bytes: bytes, facts: dict) -> str:
    digest = hashlib.sha256(fingerprint.encode())
    digest.update(stack.encode() + b"\0" + stack_bytes + b"\0")
    digest.update(json.dumps(facts, sort_keys=True).encode())
    return digest.hexdigest()


class CheckCache:
    """Results per stack key in `directory` (one JSON file each); `None` directory = no caching."""

    def __init__(self, directory: Path | None):
        self.directory = directory
        self.hits = 0

    def get(self, key: str) -> dict | None:
        if self.directory is None:
            return None
        path = self.directory / f"{key}.json"
        try:
            entry = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        if entry.get("key") != key:                 # a truncated or foreign file is never trusted
            return None
        os.utime(path)                              # recently used: kept by prune()
        self.hits += 1
        return entry

    def put(self, key: str, entry: dict) -> None:
        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.directory / f".{key}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({**entry, "key": key}, sort_keys=True))
        tmp.replace(self.directory / f"{key}.json")  # atomic: a reader sees the old entry or the whole new one

    def prune(self) -> None:
        if self.directory is None or not self.directory.is_dir():
            return
        cutoff = time.time() - _PRUNE_AFTER_S
        for path in self.directory.glob("*.json"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass

