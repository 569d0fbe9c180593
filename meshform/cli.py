"""`meshform` command line. `validate` never imports the CDKTF/jsii stack (it stays fast)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from meshform.errors import ValidationFailed


def _envs(value: str | None) -> list[str] | None:
    raw = value or os.environ.get("MESHFORM_ENV") or ""
    names = [v.strip() for v in raw.split(",") if v.strip()]
    return names or None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="meshform", description="Terraform-native AWS data mesh generator")
    parser.add_argument("--root", type=Path, default=Path.cwd(),
                        help="project directory holding environments/ and contracts/ (default: current directory)")
    sub = parser.add_subparsers(dest="command", required=True)

    p_validate = sub.add_parser("validate", help="check environment specs and data contracts (fast, no synth)")
    p_validate.add_argument("--env", help="environment(s), comma-separated (default: $MESHFORM_ENV or all)")

    p_synth = sub.add_parser("synth", help="validate, then write cdktf.out/stacks/<stack>/cdk.tf.json")
    p_synth.add_argument("--env", help="environment(s), comma-separated (default: $MESHFORM_ENV or all)")
    p_synth.add_argument("--out", type=Path, default=None, help="output directory (default: <root>/cdktf.out)")

    args = parser.parse_args(argv)
    root = args.root.resolve()
    try:
        if args.command == "validate":
            return _validate(root, _envs(args.env))
        if args.command == "synth":
            return _synth(root, _envs(args.env), args.out or root / "cdktf.out")
    except ValidationFailed as failed:
        print(failed.errors.render(), file=sys.stderr)
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
    return 0


def _synth(root: Path, envs: list[str] | None, out: Path) -> int:
    from meshform.loader import load_meshes
    from meshform.summary import describe_meshes, describe_stacks
    from meshform.synth import synthesize

    meshes = load_meshes(root, envs)          # all input errors are reported before any jsii import
    print(describe_meshes(meshes))
    stacks = synthesize(meshes, out)
    print(describe_stacks(stacks, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
