"""The benchmark runs (as a smoke test at small size): its synthetic mesh must pass validation and synthesize.
Figures are printed by the script, never asserted (timings belong in the README, not in tests)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.synth
REPO = Path(__file__).resolve().parent.parent


def test_scale_benchmark_runs_at_small_size():
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "scale.py"), "--products", "4",
                             "--domains", "2", "--consumers", "1"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "products 4, domains 2, consumers 1" in out
    assert "validate: " in out and "cold build: " in out and "plain checkov (built-in checks, same stacks): " in out
    assert "exit 1, nothing written" in out                  # the broken contract
    assert "re-run after changing " in out
    assert "byte-identical to a cold build of the same input: stacks True, reports True" in out
    assert "ms net of the fixed cost" in out
