"""One synthesis worker (meshform/synth.py): builds the named stacks of the pickled meshes into OUTDIR.

    python -m meshform.synth_worker MESHES_PICKLE OUTDIR STACK...

The pickle is written by the parent process from meshes it has just validated, in a private staging directory."""
from __future__ import annotations

import pickle
import sys
from pathlib import Path

import meshform.synth  # noqa: F401  (sets the jsii environment before the bindings load)


def main(argv: list[str]) -> int:
    from modules.app import build_app

    meshes = pickle.loads(Path(argv[0]).read_bytes())  # noqa: S301 - our own file, written just before
    app, _ = build_app(meshes, argv[1], set(argv[2:]))
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
