"""`meshform stacks`: every stack of an environment in deploy order, for scripts that plan or apply them one by one
(the CI workflow, docs/ci.md). The order is the model's (meshform/stack_plan.py, the same one synthesis writes into
cdktf.out/manifest.json as each stack's dependencies); with --out the synthesized manifest is checked against it, so
a job never plans a stale or partial output."""
from __future__ import annotations

import json
from pathlib import Path

from meshform.spec.mesh import Mesh
from meshform.stack_plan import MESH_KINDS, PlannedStack, stack_plan

# Every kind of stack (meshform/stack_plan.py); delivery and trust exist only with backend cloud (docs/delivery.md).
KINDS = ("delivery", "trust", *MESH_KINDS)


class StaleOutput(Exception):
    """The synthesized output does not hold what the model says (missing, partial or from other input)."""


def ordered(mesh: Mesh) -> list[tuple[PlannedStack, int]]:
    """Each stack with its tier: 0 for stacks without dependencies, else one more than its deepest dependency.
    Stacks of one tier do not depend on each other (they may run in parallel); tiers run in order."""
    tiers: dict[str, int] = {}
    out = []
    for planned in stack_plan(mesh):            # construction order: every dependency comes first
        tiers[planned.name] = 1 + max((tiers[d] for d in planned.depends_on), default=-1)
        out.append((planned, tiers[planned.name]))
    return out


def check_manifest(meshes: list[Mesh], out: Path) -> None:
    manifest_file = out / "manifest.json"
    try:
        stacks = json.loads(manifest_file.read_text())["stacks"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise StaleOutput(f"{manifest_file}: no synthesized output to order ({error.__class__.__name__}) "
                          "(fix: run meshform build or meshform synth first)") from error
    problems = []
    for mesh in meshes:
        for planned, _ in ordered(mesh):
            entry = stacks.get(planned.name)
            if entry is None:
                problems.append(f"{planned.name} is missing")
            elif list(entry.get("dependencies", [])) != list(planned.depends_on):
                problems.append(f"{planned.name} has other dependencies")
            elif not (out / "stacks" / planned.name / "cdk.tf.json").is_file():
                problems.append(f"{planned.name}: stacks/{planned.name}/cdk.tf.json is missing")
    if problems:
        raise StaleOutput(f"{manifest_file} does not match the specs and contracts: {'; '.join(problems)} "
                          "(fix: run meshform build again for these environments)")


def render_json(meshes: list[Mesh], kinds: list[str] | tuple[str, ...] = KINDS) -> str:
    return json.dumps({"environments": {mesh.env: [
        {"name": p.name, "kind": p.kind, "tier": tier, "depends_on": list(p.depends_on)}
        for p, tier in ordered(mesh) if p.kind in kinds] for mesh in meshes}}, indent=2, sort_keys=True)


def render_text(meshes: list[Mesh], kinds: list[str] | tuple[str, ...] = KINDS) -> str:
    return "\n".join(p.name for mesh in meshes for p, _ in ordered(mesh) if p.kind in kinds)
