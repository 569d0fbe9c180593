"""Replacing a generated output directory as a whole: the new tree is built beside it, then swapped in with two
renames, so a reader (or a failed run) sees the old output or the new one, never a mix."""
from __future__ import annotations

import os
import shutil
from pathlib import Path


def replace_dir(new: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
    new.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
