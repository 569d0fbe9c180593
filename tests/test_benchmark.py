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
    assert "products 4, domains 2, consumers 1" in result.stdout
    assert "synthesize (" in result.stdout and " resources)" in result.stdout
