"""`meshform local-deploy`: synthesize into a scratch directory, then init/apply every stack against the emulator
in deploy order (stacks of one tier in parallel), then re-plan every stack and require zero changes."""
from __future__ import annotations

import json
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from meshform import naming
from meshform.local import terraform as tf
from meshform.local.emulator import MotoServer, is_loopback_url
from meshform.local.emulator_gaps import EMULATOR_GAPS
from meshform.local.overrides import write_override
from meshform.local.prerequisites import seed_organization, seed_principal_roles
from meshform.spec.mesh import Mesh

_REF = re.compile(r"\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)")


@dataclass
class StackRun:
    name: str
    directory: Path
    dependencies: list[str]
    targets: list[str] | None = None               # None = whole stack
    left_out: dict[str, str] = field(default_factory=dict)   # address -> reason
    applied: int = 0
    apply_seconds: float = 0.0
    plan_exit: int | None = None
    plan_summary: str = ""
    error: str = ""


def deploy_order(stacks_dir: Path) -> list[list[str]]:
    """Tiers of stacks from cdktf's manifest (the order `cdktf deploy` uses); a tier's stacks are independent."""
    manifest = json.loads((stacks_dir.parent / "manifest.json").read_text())
    deps = {name: set(info.get("dependencies", [])) for name, info in manifest["stacks"].items()}
    tiers: list[list[str]] = []
    done: set[str] = set()
    while len(done) < len(deps):
        tier = sorted(n for n, d in deps.items() if n not in done and d <= done)
        if not tier:
            raise RuntimeError(f"stack dependency cycle among {sorted(set(deps) - done)}")
        tiers.append(tier)
        done.update(tier)
    return tiers


def plan_exclusions(stack_json: dict) -> tuple[list[str] | None, dict[str, str]]:
    """Addresses to target when EMULATOR_GAPS hits this stack (plus everything that depends on a gap)."""
    resources = {f"{t}.{n}": body for t, items in stack_json.get("resource", {}).items() for n, body in items.items()}
    left_out = {addr: EMULATOR_GAPS[addr.split(".")[0]] for addr in resources if addr.split(".")[0] in EMULATOR_GAPS}
    changed = True
    while changed:
        changed = False
        for addr, body in resources.items():
            if addr in left_out:
                continue
            text = json.dumps(body)
            refs = {f"{t}.{n}" for t, n in _REF.findall(text)} | set(body.get("depends_on", []))
            hit = sorted(r for r in refs if r in left_out)
            if hit:
                left_out[addr] = f"depends on {hit[0]}, which is left out"
                changed = True
    if not left_out:
        return None, {}
    return sorted(a for a in resources if a not in left_out), left_out


def local_deploy(meshes: list[Mesh], workdir: Path, endpoint: str | None, echo=print) -> list[StackRun]:
    from meshform.synth import synthesize

    terraform = tf.find_terraform()
    source = tf.provider_source()
    if endpoint and not is_loopback_url(endpoint):
        raise tf.ToolMissing(f"--endpoint {endpoint} is not a loopback address; local-deploy only talks to "
                             "an emulator on this machine")
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    logs = workdir / "logs"
    logs.mkdir()
    echo(f"terraform: {terraform}\nprovider:  {source.describe()}")
    synthesize(meshes, workdir / "cdktf.out")       # a private copy: the user's cdktf.out is never touched
    stacks_dir = workdir / "cdktf.out" / "stacks"
    cli_config = tf.write_cli_config(workdir, source)

    server = None
    if endpoint is None:
        server = MotoServer(logs / "moto.log")
        endpoint = server.url
        echo(f"emulator:  moto server {endpoint} (pid {server.process.pid}, stopped at the end)")
    else:
        echo(f"emulator:  {endpoint} (left running)")
    try:
        for mesh in meshes:
            joined = seed_organization(mesh, endpoint)
            if joined:
                echo(f"seeded organization {mesh.spec.organization_id}: {len(joined)} member accounts, RAM sharing "
                     "with the organization enabled")
            seeded = seed_principal_roles(mesh, endpoint)
            if seeded:
                echo(f"seeded {len(seeded)} principal roles the spec references (they pre-exist in real accounts)")
        return _run_all(meshes, terraform, source, cli_config, stacks_dir, endpoint, workdir, logs, echo)
    finally:
        if server is not None:
            server.stop()


def hcp_terraform_only(stack_json: dict) -> bool:
    """A stack with no AWS provider: the delivery stack of `backend: cloud` (tfe resources only). There is no HCP
    Terraform on this machine, so local-deploy cannot apply it (docs/delivery.md says how it is applied)."""
    return "aws" not in stack_json.get("provider", {})


def _run_all(meshes, terraform, source, cli_config, stacks_dir, endpoint, workdir, logs, echo) -> list[StackRun]:
    tiers = deploy_order(stacks_dir)
    runs: dict[str, StackRun] = {}
    manifest = json.loads((stacks_dir.parent / "manifest.json").read_text())
    skipped = {n for tier in tiers for n in tier
               if hcp_terraform_only(json.loads((stacks_dir / n / "cdk.tf.json").read_text()))}
    for name in sorted(skipped):
        echo(f"  skipped {name}: HCP Terraform resources only (tfe provider) and no HCP Terraform runs here; "
             "apply it with a user token as docs/delivery.md describes")
    tiers = [t for t in ([n for n in tier if n not in skipped] for tier in tiers) if t]
    for name in [n for tier in tiers for n in tier]:
        directory = stacks_dir / name
        targets, left_out = plan_exclusions(json.loads((directory / "cdk.tf.json").read_text()))
        write_override(directory, endpoint, workdir / "state" / f"{name}.tfstate", source.version)
        dependencies = [d for d in manifest["stacks"][name].get("dependencies", []) if d not in skipped]
        runs[name] = StackRun(name, directory, dependencies, targets, left_out)
    (workdir / "state").mkdir(exist_ok=True)

    # init one at a time: they share the plugin cache.
    for run in runs.values():
        result = tf.run(terraform, ["init", "-input=false"], run.directory, cli_config, logs / f"{run.name}.log")
        if result.returncode != 0:
            run.error = f"terraform init failed:\n{_tail(result.output)}"
    echo(f"deploy order: {' -> '.join('[' + ', '.join(t) + ']' for t in tiers)}")

    def apply(run: StackRun) -> None:
        if run.error:
            return
        failed_deps = [d for d in run.dependencies if runs[d].error]
        if failed_deps:
            run.error = f"not applied: {', '.join(failed_deps)} failed"
            return
        args = ["apply", "-auto-approve", "-input=false", *_target_args(run)]
        result = tf.run(terraform, args, run.directory, cli_config, logs / f"{run.name}.log")
        run.apply_seconds = result.seconds
        if result.returncode != 0:
            run.error = f"terraform apply failed:\n{_tail(result.output)}"
            return
        match = re.search(r"Resources: (\d+) added", result.output)
        run.applied = int(match.group(1)) if match else 0

    def replan(run: StackRun) -> None:
        if run.error:
            return
        args = ["plan", "-detailed-exitcode", "-input=false", "-refresh=true", *_target_args(run)]
        result = tf.run(terraform, args, run.directory, cli_config, logs / f"{run.name}.log")
        run.plan_exit = result.returncode
        summary = re.search(r"Plan: .*", result.output)
        run.plan_summary = "no changes" if result.returncode == 0 else (
            summary.group(0) if summary else _tail(result.output, 15))

    with ThreadPoolExecutor(max_workers=3) as pool:
        handshake_done = False
        for tier in tiers:
            # Once the governance account's stacks applied, standalone accounts have RAM invitations to accept.
            # (Trust stacks only create IAM: they neither offer nor accept shares.)
            if not handshake_done and any(not _in_governance_account(meshes, n) and not _is_trust_stack(meshes, n)
                                          for n in tier):
                _accept_ram_shares(meshes, runs, workdir, endpoint, echo)
                handshake_done = True
            list(pool.map(apply, [runs[n] for n in tier]))
            for name in tier:
                _report_apply(runs[name], echo)
        list(pool.map(replan, runs.values()))
    for run in runs.values():
        _report_plan(run, echo)
    return list(runs.values())


def _accept_ram_shares(meshes: list[Mesh], runs: dict[str, StackRun], workdir: Path, endpoint: str,
                       echo) -> None:
    """The documented two-phase flow for accounts outside one AWS Organization, done for the user: after the
    governance stack applied, read the shares Lake Formation offers (as `meshform ram-handshake` does), and
    re-synthesize the receiving stacks so that they accept exactly those shares before re-granting."""
    from meshform.ram_handshake import shares_by_subscriber
    from meshform.synth import synthesize

    updated = []
    for mesh in meshes:
        if mesh.spec.organization_id or any(run.error for name, run in runs.items()
                                            if naming.in_governance_account(mesh.env, name)):
            continue
        shares = shares_by_subscriber(mesh, endpoint)
        if shares and shares != dict(mesh.ram_shares):
            echo(f"RAM handshake {mesh.env}: Lake Formation offers {sum(len(a) for a in shares.values())} share(s) "
                 f"to {', '.join(sorted(shares))}; their stacks accept them (as `meshform ram-handshake` + synth)")
            updated.append(replace(mesh, ram_shares=shares))
    if not updated:
        return
    resynth = workdir / "cdktf.handshake"
    synthesize(updated, resynth)
    for stack_file in sorted((resynth / "stacks").glob("*/cdk.tf.json")):
        run = runs[stack_file.parent.name]
        if stack_file.read_bytes() != (run.directory / "cdk.tf.json").read_bytes():
            shutil.copyfile(stack_file, run.directory / "cdk.tf.json")
            run.targets, run.left_out = plan_exclusions(json.loads(stack_file.read_text()))


def _is_trust_stack(meshes: list[Mesh], stack: str) -> bool:
    return any(naming.is_trust_stack(mesh.env, stack) for mesh in meshes)


def _in_governance_account(meshes: list[Mesh], stack: str) -> bool:
    return any(naming.in_governance_account(mesh.env, stack) for mesh in meshes)


def _target_args(run: StackRun) -> list[str]:
    return [f"-target={addr}" for addr in run.targets] if run.targets is not None else []


def _report_apply(run: StackRun, echo) -> None:
    if run.error:
        echo(f"  FAILED  {run.name}: {run.error}")
        return
    echo(f"  applied {run.name:<32} {run.applied:>4} resources  {run.apply_seconds:6.1f}s")
    for addr, reason in sorted(run.left_out.items()):
        echo(f"          left out {addr}: {reason}")


def _report_plan(run: StackRun, echo) -> None:
    if run.plan_exit is None:
        return
    state = "clean" if run.plan_exit == 0 else ("DRIFT" if run.plan_exit == 2 else "ERROR")
    echo(f"  re-plan {run.name:<32} {state}: {run.plan_summary}")


def _tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def succeeded(runs: list[StackRun]) -> bool:
    return all(not r.error and r.plan_exit == 0 for r in runs)

