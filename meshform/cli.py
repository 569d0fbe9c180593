"""`meshform` command line. `validate` never imports the CDKTF/jsii stack (it stays fast)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from meshform.errors import ValidationFailed
from meshform.settings import SettingsInvalid, load_settings


def _envs(value: str | None) -> list[str] | None:
    if value:
        return [v.strip() for v in value.split(",") if v.strip()] or None
    return load_settings().environments


# Set where nothing is left to clean up when main() returns: `validate`, and any command stopped by input errors
# (they stop before anything is started or written). The console script then leaves without the interpreter's
# teardown, which at 1,000 contracts spends ~0.1 s freeing the parsed products and the imported modules.
_NOTHING_TO_CLEAN_UP = False


def run() -> None:
    """The `meshform` console script: main(), then leave. Output piped into a reader that stopped early
    (`meshform access | head`) ends the run quietly, as for any Unix tool, never with a traceback."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # What Python's documentation advises (library/signal, "Note on SIGPIPE"): point stdout at /dev/null so
        # that the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    if _NOTHING_TO_CLEAN_UP:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):       # a closed or broken pipe: nothing more can be said anyway
            pass
        os._exit(code)
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="meshform", description="Terraform-native AWS data mesh generator")
    parser.add_argument("--root", type=Path, default=Path.cwd(),
                        help="project directory holding environments/ and contracts/ (default: current directory)")
    sub = parser.add_subparsers(dest="command", required=True)

    p_build = sub.add_parser("build", help="the main job in one pass: validate, synthesize, check (checkov + the "
                             "governance rules), with a summary; exit 1 on any input error or failed check")
    p_build.add_argument("--env", help="environment(s), comma-separated (default: $MESHFORM_ENV or all)")
    p_build.add_argument("--out", type=Path, default=None, help="output directory (default: <root>/cdktf.out)")
    p_build.add_argument("--reports", type=Path, default=None,
                         help="checkov reports (JSON, SARIF, JUnit) per environment (default: <root>/reports/checkov)")

    p_validate = sub.add_parser("validate", help="check environment specs and data contracts (fast, no synth)")
    p_validate.add_argument("--env", help="environment(s), comma-separated (default: $MESHFORM_ENV or all)")

    p_synth = sub.add_parser("synth", help="validate, then write cdktf.out/stacks/<stack>/cdk.tf.json")
    p_synth.add_argument("--env", help="environment(s), comma-separated (default: $MESHFORM_ENV or all)")
    p_synth.add_argument("--out", type=Path, default=None, help="output directory (default: <root>/cdktf.out)")

    p_local = sub.add_parser("local-deploy", help="apply the stacks to a local AWS emulator (moto) in deploy order, "
                             "then re-plan and require no changes")
    p_local.add_argument("--env", help="environment(s), comma-separated (default: $MESHFORM_ENV or all)")
    p_local.add_argument("--endpoint", help="use this running emulator (loopback URL) instead of starting moto")
    p_local.add_argument("--workdir", type=Path, default=None,
                         help="scratch directory (default: <root>/.meshform/local-deploy); never cdktf.out")

    p_check = sub.add_parser("check", help="checkov (built-in + the mesh's policies) over every synthesized stack")
    p_check.add_argument("--env", help="environment(s), comma-separated (default: $MESHFORM_ENV or all)")
    p_check.add_argument("--stacks-dir", type=Path, default=None,
                         help="check these synthesized stacks (e.g. cdktf.out/stacks) instead of synthesizing afresh")
    p_check.add_argument("--reports", type=Path, default=None,
                         help="where SARIF/JUnit/JSON reports go (default: <root>/reports/checkov)")

    p_access = sub.add_parser("access", help="who can read which products/columns, how and why (markdown or JSON)")
    p_access.add_argument("--env", help="environment(s), comma-separated (default: $MESHFORM_ENV or all)")
    p_access.add_argument("--format", choices=["markdown", "json"], default="markdown")
    p_access.add_argument("--diff", nargs="?", const="", default=None, metavar="BASE",
                          help="access changes from BASE (default: the merge base of --head with main, else "
                          "origin/main) to --head; exit 4 when a change needs governance review (docs/ci.md)")
    p_access.add_argument("--head", default="HEAD", help="with --diff: the revision to compare (default: HEAD)")
    p_access.add_argument("--review-from", metavar="LEVEL", help="with --diff: the lowest classification whose "
                          "new readers need review (default: the level above governance.default_classification)")

    p_catalog = sub.add_parser("catalog", help="validate, then write the product catalog: a static offline site of "
                               "domains, products, subscribers and the mesh graph (docs/catalog.md)")
    p_catalog.add_argument("--env", help="environment(s), comma-separated (default: $MESHFORM_ENV or all)")
    p_catalog.add_argument("--out", type=Path, default=None,
                           help="site directory, replaced as a whole (default: <root>/catalog)")

    p_stacks = sub.add_parser("stacks", help="every stack in deploy order, one per line (or JSON with tiers and "
                              "dependencies), for scripts that plan or apply stack by stack")
    p_stacks.add_argument("--env", help="environment(s), comma-separated (default: $MESHFORM_ENV or all)")
    p_stacks.add_argument("--out", type=Path, default=None,
                          help="also check that this synthesized output (e.g. cdktf.out) holds exactly these stacks")
    p_stacks.add_argument("--format", choices=["text", "json"], default="text")
    p_stacks.add_argument("--kind", help="only these kinds, comma-separated: governance, catalog, domain, consumer "
                          "(the mesh stacks), delivery, trust (backend cloud: docs/delivery.md)")

    p_ram = sub.add_parser("ram-handshake", help="standalone accounts: record the RAM shares Lake Formation offers "
                           "each subscriber (handshake/<env>/<name>.yaml) so their stacks accept them")
    p_ram.add_argument("--env", required=True, help="one environment")
    p_ram.add_argument("--endpoint", help="AWS endpoint URL (a local emulator); default: real AWS")

    p_pre = sub.add_parser("preflight", help="read-only checks of the real accounts before the first apply: what the "
                           "stacks would remove or break and where they would fail (exit 1 on any blocker)")
    p_pre.add_argument("--env", required=True, help="one environment")
    p_pre.add_argument("--endpoint", help="AWS endpoint URL (a local emulator); default: real AWS")
    p_pre.add_argument("--format", choices=["text", "json"], default="text")

    p_audit = sub.add_parser("audit", help="read-only comparison of the live accounts with the repository (Lake "
                             "Formation grants, admins, settings, locations, filters, LF-tags, RAM shares): exit 0 "
                             "clean, 3 drift, 4 an account or section could not be read")
    p_audit.add_argument("--env", required=True, help="one environment")
    p_audit.add_argument("--endpoint", help="AWS endpoint URL (a local emulator); default: real AWS")
    p_audit.add_argument("--format", choices=["markdown", "json"], default="markdown")

    p_cost = sub.add_parser("cost", help="the monthly budget of every mesh account (owner, account, USD, "
                            "thresholds, recipients) and where the cost-allocation tags are activated")
    p_cost.add_argument("--env", required=True, help="one environment")
    p_cost.add_argument("--format", choices=["text", "json"], default="text")

    p_run = sub.add_parser("run-pipeline", help="run a product's Glue stage A and B on local Spark with the same "
                           "scripts and arguments as Glue; exit 1 when the quality gate fails")
    p_run.add_argument("--env", required=True, help="one environment")
    p_run.add_argument("--product", required=True, help="<domain>.<product>")
    p_run.add_argument("--input", action="append", default=[], metavar="TABLE=PATH",
                       help="a file (or directory of files) landing in the table's raw prefix; repeatable")
    p_run.add_argument("--workdir", type=Path, required=True, help="local lake: raw/, stage/, quarantine/, analytics/")
    p_run.add_argument("--format", choices=["csv", "json", "parquet"],
                       help="input format when the spec has no pipeline for the product (overrides it otherwise)")

    args = parser.parse_args(argv)
    if args.command == "access" and args.diff is None and (args.head != "HEAD" or args.review_from):
        parser.error("access: --head and --review-from go with --diff")
    root = args.root.resolve()
    try:
        if args.command == "validate":
            return _validate(root, _envs(args.env))
        if args.command == "synth":
            return _synth(root, _envs(args.env), args.out or root / "cdktf.out")
        if args.command == "local-deploy":
            return _local_deploy(root, _envs(args.env), args.endpoint,
                                 args.workdir or root / ".meshform" / "local-deploy")
        if args.command == "access" and args.diff is not None:
            return _access_diff(root, args.diff or None, args.head, _envs(args.env), args.format, args.review_from)
        if args.command == "access":
            return _access(root, _envs(args.env), args.format)
        if args.command == "catalog":
            return _catalog(root, _envs(args.env), args.out or root / "catalog")
        if args.command == "stacks":
            return _stacks(root, _envs(args.env), args.out, args.format, args.kind)
        if args.command == "ram-handshake":
            return _ram_handshake(root, args.env, args.endpoint)
        if args.command == "preflight":
            return _preflight(root, args.env, args.endpoint, args.format)
        if args.command == "audit":
            return _audit(root, args.env, args.endpoint, args.format)
        if args.command == "cost":
            return _cost(root, args.env, args.format)
        if args.command == "build":
            return _build(root, _envs(args.env), args.out or root / "cdktf.out",
                          args.reports or root / "reports" / "checkov")
        if args.command == "check":
            return _check(root, _envs(args.env), args.stacks_dir, args.reports or root / "reports" / "checkov")
        if args.command == "run-pipeline":
            from meshform.pipeline.run import run_pipeline

            return run_pipeline(root, args.env, args.product, args.input, args.workdir, args.format)
    except ValidationFailed as failed:
        print(failed.errors.render(), file=sys.stderr)
        _leave_at_once()
        return 1
    except SettingsInvalid as invalid:
        print(f"error: {invalid}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 2


def _validate(root: Path, envs: list[str] | None) -> int:
    from meshform.loader import load_meshes
    from meshform.summary import describe_meshes

    meshes = load_meshes(root, envs)
    print(describe_meshes(meshes))
    print("valid: no errors")
    _leave_at_once()
    return 0


def _leave_at_once() -> None:
    global _NOTHING_TO_CLEAN_UP
    _NOTHING_TO_CLEAN_UP = True


def _synth(root: Path, envs: list[str] | None, out: Path) -> int:
    from meshform.loader import load_meshes
    from meshform.summary import describe_meshes, describe_stacks
    from meshform.synth import synthesize

    meshes = load_meshes(root, envs)          # all input errors are reported before any jsii import
    print(describe_meshes(meshes))
    stacks = synthesize(meshes, out)
    print(describe_stacks(stacks, out))
    return 0


def _local_deploy(root: Path, envs: list[str] | None, endpoint: str | None, workdir: Path) -> int:
    import time

    from meshform.loader import load_meshes
    from meshform.local.deploy import local_deploy, succeeded
    from meshform.local.terraform import ToolMissing

    meshes = load_meshes(root, envs)
    started = time.monotonic()
    try:
        runs = local_deploy(meshes, workdir.resolve(), endpoint)
    except ToolMissing as missing:
        print(f"local-deploy: {missing}", file=sys.stderr)
        return 3
    ok = succeeded(runs)
    applied = sum(r.applied for r in runs)
    left_out = sum(len(r.left_out) for r in runs)
    print(f"\n{'OK' if ok else 'FAILED'}: {len(runs)} stacks, {applied} resources applied, {left_out} left out, "
          f"{sum(1 for r in runs if r.plan_exit == 0)}/{len(runs)} re-plans clean, {time.monotonic() - started:.0f}s "
          f"(logs: {workdir / 'logs'})")
    return 0 if ok else 1


def _build(root: Path, envs: list[str] | None, out: Path, reports: Path) -> int:
    from meshform.build import build
    from meshform.local.terraform import ToolMissing

    try:
        return 0 if build(root, envs, out, reports) else 1
    except ToolMissing as missing:
        print(f"build: {missing}", file=sys.stderr)
        return 3


def _check(root: Path, envs: list[str] | None, stacks_dir: Path | None, reports: Path) -> int:
    from meshform.check.report import render
    from meshform.check.runner import load_skips, run_checks
    from meshform.loader import load_meshes
    from meshform.local.terraform import ToolMissing

    meshes = load_meshes(root, envs)
    try:
        if stacks_dir is None:
            from meshform.synth import synthesize

            out = root / ".meshform" / "check" / "cdktf.out"
            synthesize(meshes, out)
            stacks_dir = out / "stacks"
        from meshform.build import check_cache_dir

        results = run_checks(meshes, stacks_dir.resolve(), reports.resolve(), cache_dir=check_cache_dir(root))
    except ToolMissing as missing:
        print(f"check: {missing}", file=sys.stderr)
        return 3
    text, ok = render(results, load_skips())
    print(text)
    return 0 if ok else 1


def _access(root: Path, envs: list[str] | None, fmt: str) -> int:
    import json

    from meshform.access_report import access_rows, render_markdown
    from meshform.loader import load_meshes

    meshes = load_meshes(root, envs)
    if fmt == "json":
        print(json.dumps({m.env: access_rows(m) for m in meshes}, indent=2))
    else:
        print(render_markdown(meshes))
    return 0


def _access_diff(root: Path, base: str | None, head: str, envs: list[str] | None, fmt: str,
                 review_from: str | None) -> int:
    from meshform.access_diff import EXIT_ERROR, EXIT_TOOL_MISSING, GitError, RevisionInvalid, access_diff
    from meshform.access_diff.render import render_json, render_markdown
    from meshform.local.terraform import ToolMissing

    try:
        diff = access_diff(root, base, head, envs, review_from)
    except RevisionInvalid as invalid:
        print(invalid.render(), file=sys.stderr)
        return EXIT_ERROR
    except (GitError, ValueError) as error:
        print(f"access --diff: {error}", file=sys.stderr)
        return EXIT_ERROR
    except ToolMissing as missing:
        print(f"access --diff: {missing}", file=sys.stderr)
        return EXIT_TOOL_MISSING
    print(render_json(diff) if fmt == "json" else render_markdown(diff), end="" if fmt == "markdown" else "\n")
    return diff.exit_code


def _catalog(root: Path, envs: list[str] | None, out: Path) -> int:
    from meshform.catalog_site import CatalogError, write_catalog
    from meshform.loader import load_meshes

    meshes = load_meshes(root, envs)          # input errors: the usual report, nothing written
    try:
        front = write_catalog(meshes, root, out)
    except CatalogError as error:
        print(f"catalog: {error.problem}\n    fix: {error.fix}", file=sys.stderr)
        return 1
    for mesh in sorted(meshes, key=lambda m: m.env):
        print(f"{mesh.env}: {len(mesh.products)} products, {len(mesh.spec.domains)} domains, "
              f"{len(mesh.spec.consumers)} consumers -> {(front.parent / mesh.env / 'index.html').as_uri()}")
    print(f"catalog written to {front.parent}; open {front.as_uri()}")
    return 0


def _stacks(root: Path, envs: list[str] | None, out: Path | None, fmt: str, kind: str | None) -> int:
    from meshform.deploy_order import KINDS, StaleOutput, check_manifest, render_json, render_text
    from meshform.loader import load_meshes

    kinds = [k.strip() for k in kind.split(",") if k.strip()] if kind else list(KINDS)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        print(f"stacks: unknown kind(s) {', '.join(unknown) or kind!r} (fix: choose from {', '.join(KINDS)})",
              file=sys.stderr)
        return 2
    meshes = load_meshes(root, envs)
    if out is not None:
        try:
            check_manifest(meshes, out.resolve())
        except StaleOutput as stale:
            print(f"stacks: {stale}", file=sys.stderr)
            return 1
    print(render_json(meshes, kinds) if fmt == "json" else render_text(meshes, kinds))
    return 0


def _ram_handshake(root: Path, env: str, endpoint: str | None) -> int:
    from meshform.loader import load_meshes
    from meshform.ram_handshake import write_handshakes

    mesh = load_meshes(root, [env])[0]
    if mesh.spec.organization_id:
        print(f"{env}: all accounts are in {mesh.spec.organization_id}; Lake Formation shares need no acceptance")
        return 0
    for path, arns in write_handshakes(mesh, root, endpoint):
        print(f"wrote {path.relative_to(root)}: {len(arns)} share(s)")
    print("next: meshform synth, then deploy the domain and consumer stacks (they accept these shares)")
    return 0


def _preflight(root: Path, env: str, endpoint: str | None, fmt: str) -> int:
    from meshform.loader import load_meshes
    from meshform.preflight import render_json, render_text, run_preflight

    mesh = load_meshes(root, [env])[0]
    report = run_preflight(mesh, endpoint)
    print(render_json(report) if fmt == "json" else render_text(report))
    return report.exit_code


def _audit(root: Path, env: str, endpoint: str | None, fmt: str) -> int:
    from meshform.audit import render_json, render_markdown, run_audit
    from meshform.loader import load_meshes

    mesh = load_meshes(root, [env])[0]
    report = run_audit(mesh, endpoint)
    print(render_json(report) if fmt == "json" else render_markdown(report), end="" if fmt != "json" else "\n")
    return report.exit_code


def _cost(root: Path, env: str, fmt: str) -> int:
    from meshform.cost import cost_report, render_json, render_text
    from meshform.loader import load_meshes

    report = cost_report(load_meshes(root, [env])[0])
    print(render_json(report) if fmt == "json" else render_text(report), end="")
    return 0


if __name__ == "__main__":
    run()
