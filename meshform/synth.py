"""Synthesis: validated meshes -> cdktf.out/stacks/<stack>/cdk.tf.json, written atomically (a failed run leaves
the previous output untouched)."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from meshform.spec.mesh import Mesh

# jsii prints a large banner on every start under Node 20; the machine's Node is what it is.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "18,20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")


@dataclass(frozen=True)
class SynthesizedStack:
    name: str
    environment: str
    account_id: str
    depends_on: tuple[str, ...]
    resource_count: int
    path: Path


def synthesize(meshes: list[Mesh], out: Path) -> list[SynthesizedStack]:
    from modules.app import build_app  # deferred: imports jsii + the AWS bindings (10-15 s)

    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".meshform-synth-", dir=out.parent))
    try:
        app, stacks = build_app(meshes, str(staging))
        app.synth()
        _replace_dir(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    results = []
    for stack in stacks:
        path = out / "stacks" / stack.stack_name / "cdk.tf.json"
        results.append(SynthesizedStack(
            stack.stack_name, stack.mesh.env, stack.account_id,
            tuple(sorted(d.node.id for d in stack.dependencies)), count_resources(path), path))
    return results


def count_resources(stack_file: Path) -> int:
    data = json.loads(stack_file.read_text())
    return sum(len(v) for v in data.get("resource", {}).values())


def _replace_dir(new: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
    new.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
