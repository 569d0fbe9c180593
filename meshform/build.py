"""`meshform build`: the platform team's main job in one pass — validate, synthesize, check — each step once, with
progress for the long steps and a closing summary. The input is loaded and validated once, the stacks are
synthesized once, and checkov scans exactly the files that were written (what `cdktf deploy --skip-synth` deploys).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from meshform.loader import load_meshes
from meshform.settings import load_settings


def check_cache_dir(root: Path) -> Path:
    """Where check results of unchanged stacks are kept between runs (meshform/check/cache.py)."""
    return root / ".meshform" / "check-cache"

Echo = Callable[[str], None]


def build(root: Path, envs: list[str] | None, out: Path, reports: Path, echo: Echo = print) -> bool:
    """Raises ValidationFailed (nothing written) or ToolMissing (checkov); returns whether every check passed."""
    started = time.monotonic()
    meshes = load_meshes(root, envs)                 # every input error first, before importing anything else
    validated = time.monotonic()
    from meshform.check.report import render
    from meshform.check.runner import Checkovs, find_checkov, load_skips, run_checks
    from meshform.summary import describe_meshes, describe_stacks
    from meshform.synth import synthesize

    checkov = find_checkov()                         # fail before the long steps, not after them
    echo(describe_meshes(meshes))
    echo(f"\nsynthesizing {len(meshes)} environment(s) (the first run imports the provider bindings, ~15 s) ...")
    ready = Checkovs(checkov)
    ready.start(load_settings().processes)           # checkov imports itself (2-3 s each) while we synthesize
    try:
        stacks = synthesize(meshes, out, incremental=True, in_worker=True)
        synthesized = time.monotonic()
        echo(describe_stacks(stacks, out))

        def progress(mesh, count: int, todo: int) -> None:
            reused = f" ({count - todo} unchanged since the last build: results re-used)" if todo < count else ""
            echo(f"\nchecking {mesh.env}: {todo} of {count} stacks with checkov and the mesh's governance "
                 f"rules{reused} ...")

        results = run_checks(meshes, (out / "stacks").resolve(), reports.resolve(), progress=progress,
                             cache_dir=check_cache_dir(root), ready=ready)
    finally:
        ready.close()                                # the ones no run needed
    checked = time.monotonic()
    text, ok = render(results, load_skips())
    echo(text)
    largest = max(stacks, key=lambda s: s.resource_count)
    echo(f"\nbuild {'OK' if ok else 'FAILED'}: {len(stacks)} stacks, {sum(s.resource_count for s in stacks):,} "
         f"resources (largest {largest.name}: {largest.resource_count:,}); checks passed "
         f"{sum(r.passed for r in results):,}, failed {sum(len(r.failed) for r in results)} "
         f"({sum(r.cached for r in results)} stack(s) unchanged, re-used); "
         f"validate {validated - started:.1f} s, synthesize {synthesized - validated:.1f} s, "
         f"check {checked - synthesized:.1f} s")
    return ok
