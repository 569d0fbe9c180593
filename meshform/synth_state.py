"""What incremental synthesis may skip (meshform/synth.py), decided only from facts recorded by the previous run.

The previous output records, in `STATE_FILE`: a fingerprint of the code that wrote it (meshform/, modules/,
glue_scripts/ and the versions of Python, cdktf, the AWS and tfe bindings, constructs and jsii), per environment a
fingerprint of its spec (the validated model, RAM handshake shares included), one per product (the validated
contract model) and its stack names, and a SHA-256 of every stack's synthesized files (cdk.tf.json and assets/).
A stack is copied from the previous output only when all of that still holds and no changed product can reach it;
the reach of a product is:

- every catalog stack of its domain (its tables, filters and grants, and part 0's per-subscriber grants);
- its domain's stack (bucket classification, ETL grants, pipelines);
- the stacks of its subscribers (named subscriptions, and LF-tag grants on its domain): their links, re-grants and
  pipelines that read it.

Nothing else reads a product: the governance stack (and with backend: cloud the delivery and trust stacks)
depends on the spec only, and other domains' stacks only on their own products and subscriptions. Any doubt (no
state, other code, another spec, an edited or missing file) means everything is synthesized.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from meshform import naming
from meshform.spec.mesh import Mesh

STATE_FILE = ".meshform-synth.json"
_VERSION = 2
_PROJECT = Path(__file__).resolve().parent.parent
_SOURCES = ("meshform", "modules", "glue_scripts")
_LIBRARIES = ("cdktf", "cdktf-cdktf-provider-aws", "cdktf-cdktf-provider-tfe", "constructs", "jsii")


def code_fingerprint() -> str:
    digest = hashlib.sha256(f"{_VERSION}\0{sys.version}".encode())
    for library in _LIBRARIES:
        try:
            digest.update(f"{library}=={importlib.metadata.version(library)}\0".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{library} missing\0".encode())
    for source in _SOURCES:
        for path in sorted((_PROJECT / source).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(_PROJECT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class SynthState:
    code: str
    environments: dict[str, dict]          # env -> {"spec": sha, "products": {fqn: sha}, "stacks": [names]}
    files: dict[str, str]                  # stack -> sha256 of its synthesized files (filled by record)
    manifest: str = ""                     # sha256 of manifest.json (filled by record)

    @classmethod
    def of(cls, meshes: list[Mesh], stacks: dict[str, list[str]]) -> SynthState:
        environments = {}
        for mesh in meshes:
            spec = mesh.spec.model_dump_json() + "\0" + mesh.file + "\0" + json.dumps(
                {k: list(v) for k, v in sorted(mesh.ram_shares.items())}, sort_keys=True)
            environments[mesh.env] = {"spec": _sha(spec),
                                      "products": {fqn: _sha(repr(p)) for fqn, p in sorted(mesh.products.items())},
                                      "stacks": stacks[mesh.env]}
        return cls(code_fingerprint(), environments, {})

    @classmethod
    def read(cls, out: Path) -> SynthState | None:
        try:
            data = json.loads((out / STATE_FILE).read_text())
            if data.get("version") != _VERSION:
                return None
            return cls(str(data["code"]), dict(data["environments"]), dict(data["files"]), str(data["manifest"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def record(self, out: Path) -> None:
        """Hash what was written and store the state beside it (part of the output: byte-identical too)."""
        self.files = {d.name: stack_digest(d) for d in sorted((out / "stacks").iterdir()) if d.is_dir()}
        self.manifest = hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()
        (out / STATE_FILE).write_text(json.dumps({"version": _VERSION, "code": self.code,
                                                  "environments": self.environments, "files": self.files,
                                                  "manifest": self.manifest}, indent=1, sort_keys=True) + "\n")


def synthesized_files(stack_dir: Path) -> list[Path]:
    """What synthesis writes into a stack directory: cdk.tf.json and its assets (e.g. Glue scripts); not what
    terraform or cdktf add there later (.terraform, plans, lock files)."""
    files = [stack_dir / "cdk.tf.json"]
    assets = stack_dir / "assets"
    if assets.is_dir():
        files += sorted(p for p in assets.rglob("*") if p.is_file())
    return files


def stack_digest(stack_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in synthesized_files(stack_dir):
        digest.update(str(path.relative_to(stack_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def copy_synthesized(source: Path, target: Path) -> None:
    for path in synthesized_files(source):
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)


def dirty_stacks(previous: SynthState, current: SynthState, meshes: list[Mesh], out: Path) -> list[str] | None:
    """The stacks to rebuild, or None to rebuild everything (also when the recorded state is not what this code
    writes: any doubt means a full synthesis)."""
    try:
        return _dirty_stacks(previous, current, meshes, out)
    except (KeyError, TypeError, AttributeError, ValueError):
        return None


def _dirty_stacks(previous: SynthState, current: SynthState, meshes: list[Mesh], out: Path) -> list[str] | None:
    if previous.code != current.code or set(previous.environments) != set(current.environments):
        return None
    try:
        if hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest() != previous.manifest:
            return None
    except OSError:
        return None
    for name, sha in previous.files.items():               # the output must be exactly what was written
        try:
            if stack_digest(out / "stacks" / name) != sha:
                return None
        except OSError:
            return None
    dirty: set[str] = set()
    for mesh in meshes:
        old, new = previous.environments[mesh.env], current.environments[mesh.env]
        if old["spec"] != new["spec"] or old["stacks"] != new["stacks"]:
            return None
        if any(name not in previous.files for name in new["stacks"]):
            return None
        changed = {fqn for fqn in set(old["products"]) | set(new["products"])
                   if old["products"].get(fqn) != new["products"].get(fqn)}
        for fqn in changed:
            dirty |= _reach(mesh, fqn, new["stacks"])
    return sorted(dirty)


def _reach(mesh: Mesh, fqn: str, stacks: list[str]) -> set[str]:
    domain = fqn.split(".", 1)[0]
    base = naming.catalog_stack_name(mesh.env, domain)
    reached = {s for s in stacks if s == base or s.startswith(base + "-")}
    reached.add(naming.stack_name(mesh.env, "domain", domain))
    subscribers = {s.subscriber for s in mesh.spec.subscriptions if s.product == fqn}
    subscribers |= {name for name, c in mesh.spec.consumers.items() if any(g.domain == domain for g in c.grants)}
    for subscriber in subscribers:
        kind = "domain" if subscriber in mesh.spec.domains else "consumer"
        reached.add(naming.stack_name(mesh.env, kind, subscriber))
    return reached & set(stacks)
