"""The same inputs synthesize byte-identical stack files."""
from __future__ import annotations

import pytest

from meshform.loader import load_meshes
from meshform.synth import synthesize

pytestmark = pytest.mark.synth


def test_synthesizing_twice_gives_identical_files(synth_root, tmp_path):
    synthesize(load_meshes(synth_root), tmp_path / "again")
    first = sorted((synth_root / "cdktf.out" / "stacks").rglob("*.json"))
    second = sorted((tmp_path / "again" / "stacks").rglob("*.json"))
    assert [p.relative_to(synth_root / "cdktf.out") for p in first] == \
           [p.relative_to(tmp_path / "again") for p in second]
    # 3 environments x (governance + 3 catalogs + 3 domains + 2 consumers), + prod's second sales catalog stack,
    # + prod's HCP Terraform delivery stack and its 6 accounts' trust stacks
    assert len(first) == 28 + 7
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
