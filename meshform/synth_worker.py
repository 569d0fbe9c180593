"""One synthesis worker (meshform/synth.py `Workers`): imports jsii and the provider bindings at once, then reads
one job from stdin — a JSON list [MESHES_PICKLE, OUTDIR, STACK...] — and builds those stacks of the pickled meshes
into OUTDIR (the import overlaps the parent preparing and sending the other workers' jobs). End of input without a
job: there is no work, exit 0.

    python -O -m meshform.synth_worker < job

The pickle is written by the parent process from meshes it has just validated, in a private staging directory."""
from __future__ import annotations

import json
import os
import pickle
import sys
from pathlib import Path

import meshform.synth  # noqa: F401  (sets the jsii environment before the bindings load)


def main() -> int:
    from modules.app import build_app  # the long part, before the job is read

    line = sys.stdin.readline()
    if not line.strip():
        return 0
    meshes_file, outdir, *stacks = json.loads(line)
    meshes = pickle.loads(Path(meshes_file).read_bytes())  # noqa: S301 - our own file, written just before
    app, _ = build_app(meshes, outdir, set(stacks))
    app.synth()                    # synchronous: the files are written when it returns
    return 0


if __name__ == "__main__":
    code = main()
    # Skip the interpreter's teardown: freeing the ~2,200 modules of the provider bindings takes 3-4 s, and this
    # process has nothing left to clean up (the files are written; jsii's node runtime exits when its stdin closes).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
