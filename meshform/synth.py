"""Synthesis: validated meshes -> cdktf.out/stacks/<stack>/cdk.tf.json, written atomically (a failed run leaves
the previous output untouched).

Incremental (`incremental=True`, what `meshform build` uses): when the previous output was written by the same code
from the same environment specs and is intact, only the stacks a changed contract can affect are rebuilt and the
others are copied byte for byte (meshform/synth_state.py decides which; the result is byte-identical to a cold
synthesis, which the tests compare). Anything else — a changed spec, other code or library versions, an edited or
missing output file — synthesizes everything."""
from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from meshform.output_dir import replace_dir
from meshform.settings import load_settings
from meshform.spec.mesh import Mesh
from meshform.stack_plan import PlannedStack, stack_plan
from meshform.synth_state import STATE_FILE, SynthState, copy_synthesized, dirty_stacks

# jsii prints a large banner on every start under Node 20; the machine's Node is what it is.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "18,20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")
_PARALLEL_FROM = 3000   # expected resources per extra worker: below, starting one more jsii runtime does not pay


@dataclass(frozen=True)
class SynthesizedStack:
    name: str
    environment: str
    account_id: str
    depends_on: tuple[str, ...]
    resource_count: int
    path: Path
    rebuilt: bool = True           # False: copied unchanged from the previous output (incremental)


def synthesize(meshes: list[Mesh], out: Path, incremental: bool = False,
               in_worker: bool = False) -> list[SynthesizedStack]:
    """`in_worker`: synthesize in worker processes even when one would do, so this process never loads jsii —
    its teardown at exit (the provider bindings' ~2,200 modules) costs 3-4 s, which a worker skips."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    plans = {mesh.env: stack_plan(mesh) for mesh in meshes}
    order = [(mesh, p) for mesh in meshes for p in plans[mesh.env]]
    state = SynthState.of(meshes, {env: [p.name for p in plan] for env, plan in plans.items()})
    previous = SynthState.read(out) if incremental else None
    rebuild = dirty_stacks(previous, state, meshes, out) if previous is not None else None
    staging = Path(tempfile.mkdtemp(prefix=".meshform-synth-", dir=out.parent))
    try:
        only = None if rebuild is None else set(rebuild)
        wanted = [p for _, p in order if only is None or p.name in only]
        built = _synth_stacks(meshes, staging, wanted, in_worker) if wanted else {}
        stacks_dir = staging / "stacks"
        stacks_dir.mkdir(exist_ok=True)
        manifest: dict[str, dict] = {}
        previous_entries = _read_manifest(out) if only is not None else {}   # verified by dirty_stacks
        for _mesh, planned in order:
            if only is not None and planned.name not in only:
                copy_synthesized(out / "stacks" / planned.name, stacks_dir / planned.name)
            entry = built.get(planned.name) or previous_entries.get(planned.name) or _manifest_entry(planned.name)
            manifest[planned.name] = {**entry, "dependencies": list(planned.depends_on)}
        version = str(built.pop("__version__", None) or _manifest_version(staging, out))
        (staging / "manifest.json").write_text(
            json.dumps({"stacks": dict(sorted(manifest.items())), "version": version}, indent=2, sort_keys=True)
            + "\n")
        state.record(staging)
        replace_dir(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    results = []
    for mesh, planned in order:
        path = out / "stacks" / planned.name / "cdk.tf.json"
        data = json.loads(path.read_text())
        # The delivery stack (backend: cloud) has no AWS provider: it deploys into HCP Terraform, no account.
        aws = data.get("provider", {}).get("aws")
        results.append(SynthesizedStack(
            planned.name, mesh.env, str(aws[0]["allowed_account_ids"][0]) if aws else "",
            tuple(sorted(planned.depends_on)), sum(len(v) for v in data.get("resource", {}).values()), path,
            only is None or planned.name in only))
    return results


class Workers:
    """Synthesis worker processes (meshform/synth_worker.py), each its own Python + jsii runtime: a worker imports
    jsii and the provider bindings (10-15 s) as soon as it starts, then reads its part of the work from stdin.

    Workers run with -O: jsii's generated bindings type-check every argument of every call with typeguard under
    `if __debug__` (≈15 % of a worker's time at scale). The same code with the checks on runs in-process for small
    builds and in every synthesis test, so a type mistake is still caught there (tests/test_incremental_synth.py
    compares the files both ways)."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[str]] = []

    def run(self, jobs: list[list[str]]) -> None:
        """One job (meshes pickle, outdir, stack names) per worker; raises when a worker fails."""
        try:
            for job in jobs:
                proc = subprocess.Popen([sys.executable, "-O", "-m", "meshform.synth_worker"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                self.procs.append(proc)
                assert proc.stdin is not None
                proc.stdin.write(json.dumps(job) + "\n")
                proc.stdin.flush()
            outputs = [proc.communicate() for proc in self.procs]
        finally:
            self.close()
        for proc, (_, stderr) in zip(self.procs, outputs, strict=True):
            if proc.returncode != 0:
                raise RuntimeError(f"synthesis worker failed (exit {proc.returncode}):\n{stderr[-4000:]}")

    def close(self) -> None:
        """Stop workers still running (an interrupted run): ours, by pid."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
                proc.communicate()


def _synth_stacks(meshes: list[Mesh], staging: Path, wanted: list[PlannedStack],
                  in_worker: bool = False) -> dict[str, dict]:
    """Build the `wanted` stacks into staging/stacks; their manifest entries. Large builds are split over worker
    processes (MESHFORM_WORKERS, default one per core): stacks never reference each other, so each part is
    synthesized independently and the results are the same files."""
    total = sum(p.weight for p in wanted)
    count = min(load_settings().processes, len(wanted), max(1, total // _PARALLEL_FROM))
    if count < 2 and not in_worker:
        from modules.app import build_app  # deferred: imports jsii + the AWS bindings (10-15 s)

        app, _ = build_app(meshes, str(staging), {p.name for p in wanted})
        app.synth()
        return _read_manifest(staging)
    groups: list[list[str]] = [[] for _ in range(count)]
    loads = [0] * count
    for planned in sorted(wanted, key=lambda p: (-p.weight, p.name)):   # longest first, onto the lightest
        i = loads.index(min(loads))
        groups[i].append(planned.name)
        loads[i] += planned.weight
    meshes_file = staging / ".meshes.pickle"
    meshes_file.write_bytes(pickle.dumps(meshes))
    parts = [staging / f".part-{i}" for i in range(count)]
    Workers().run([[str(meshes_file), str(part), *group] for part, group in zip(parts, groups, strict=True)])
    entries: dict[str, dict] = {}
    (staging / "stacks").mkdir(exist_ok=True)
    for part in parts:
        entries.update(_read_manifest(part))
        for stack_dir in (part / "stacks").iterdir():
            stack_dir.rename(staging / "stacks" / stack_dir.name)
        if not entries.get("__version__"):
            entries["__version__"] = json.loads((part / "manifest.json").read_text())["version"]
        shutil.rmtree(part)
    meshes_file.unlink()
    return entries


def _read_manifest(directory: Path) -> dict[str, dict]:
    return json.loads((directory / "manifest.json").read_text())["stacks"]


def _manifest_entry(name: str) -> dict:
    """cdktf's manifest entry for a stack of this app (every stack is a top-level construct named like itself)."""
    return {"annotations": [], "constructPath": name, "name": name,
            "stackMetadataPath": f"stacks/{name}/metadata.json",
            "synthesizedStackPath": f"stacks/{name}/cdk.tf.json", "workingDirectory": f"stacks/{name}"}


def _manifest_version(staging: Path, out: Path) -> str:
    for directory in (staging, out):
        try:
            return str(json.loads((directory / "manifest.json").read_text())["version"])
        except (OSError, ValueError, KeyError):
            continue
    import cdktf

    return str(getattr(cdktf, "__version__", "0.21.0"))


def count_resources(stack_file: Path) -> int:
    data = json.loads(stack_file.read_text())
    return sum(len(v) for v in data.get("resource", {}).values())


__all__ = ["STATE_FILE", "SynthesizedStack", "Workers", "count_resources", "synthesize"]
