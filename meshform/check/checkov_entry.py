"""checkov as `meshform check` starts it: run as a script by checkov's own interpreter (its virtualenv), never
imported by meshform (it imports nothing of meshform, only checkov and PyYAML, which that virtualenv holds).

It changes how fast checkov runs, never what it decides (tests compare its reports with the `checkov` command's on
the bundled stacks):
- checkov parses every `cdk.tf.json` with a line-numbering subclass of PyYAML's pure-Python SafeLoader — most of its
  time on large stacks. libyaml's C parser produces the same events with the same marks, so the same subclass on top
  of it builds the same dicts and line numbers several times faster. Without libyaml, or for a file the C parser
  refuses, checkov's own loader decides.
- checkov records every DEBUG log line in memory (for `--support` uploads, which meshform never makes): the root
  logger is set to LOG_LEVEL (checkov's own variable, default WARNING), so those records are never built.
"""
from __future__ import annotations

import json
import logging
import os
import sys
import warnings
from pathlib import Path
from typing import Any

# Run as a script, this file's directory is sys.path[0]: it holds meshform's own mesh_facts.py, which would shadow
# the policies' module of that name (policies/checks/mesh_facts.py). Nothing here is imported from it.
if sys.path and sys.path[0] and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]


def use_libyaml() -> bool:
    """Make checkov's YAML/JSON loader parse with libyaml; False when this PyYAML has no libyaml."""
    try:
        from yaml._yaml import CParser  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return False
    import yaml
    from checkov.common.parsers.yaml import loader
    from yaml.constructor import SafeConstructor
    from yaml.resolver import Resolver

    class CSafeLineLoader(CParser, loader.SafeLineLoader):  # type: ignore[misc, unused-ignore]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    checkovs_loads = loader.loads

    def loads(content: str) -> Any:
        try:
            return list(yaml.load_all(content, Loader=CSafeLineLoader))  # noqa: S506 - a SafeConstructor
        except Exception:  # noqa: BLE001 - whatever libyaml refuses, checkov's own loader decides
            return checkovs_loads(content)

    loader.loads = loads
    return True


def main() -> int:
    """`checkov_entry.py ARGS...` runs checkov with ARGS. `checkov_entry.py --wait` imports checkov first (2-3 s)
    and then reads its run from stdin, one JSON line {"argv": [...], "env": {...}, "cwd": "..."}; end of input
    without one: nothing to do, exit 0 (meshform/check/runner.py `Checkovs` starts these ahead of the work)."""
    use_libyaml()
    from checkov.main import Checkov  # imports checkov.logging_init, which sets the root logger to DEBUG

    logging.getLogger().setLevel(os.getenv("LOG_LEVEL", "WARNING").upper())
    argv = sys.argv[1:]
    if argv == ["--wait"]:
        line = sys.stdin.readline()
        if not line.strip():
            return 0
        job = json.loads(line)
        os.environ.update(job["env"])
        os.chdir(job["cwd"])
        argv = [str(arg) for arg in job["argv"]]
    with warnings.catch_warnings():   # as checkov's own console script
        warnings.simplefilter("ignore", category=SyntaxWarning)
        return int(Checkov(argv).run() or 0)


if __name__ == "__main__":
    sys.exit(main())
