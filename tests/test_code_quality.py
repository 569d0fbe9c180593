"""The project's own code checks, run by `make test`: ruff (lint + import order), mypy (types), and the import
boundary that keeps `meshform validate` fast — validation never imports jsii, cdktf or modules/."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    result = _run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing():
    result = _run(str(BIN / "mypy"))          # files and options: [tool.mypy] in pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr


def test_validation_never_imports_the_cdktf_side(tmp_path):
    """spec -> model must stay importable without jsii: `meshform validate`, `access`, `preflight` and the
    checks' mesh facts run in well under a second because they never load the CDKTF bindings."""
    probe = (
        "import sys\n"
        "from meshform.cli import main\n"
        f"code = main(['--root', {str(REPO)!r}, 'validate'])\n"
        "import meshform.access, meshform.lake_settings, meshform.preflight, meshform.check.mesh_facts\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'jsii', 'cdktf', 'constructs', 'modules',\n"
        "                                                         'cdktf_cdktf_provider_aws'})\n"
        "print('LOADED', loaded, 'EXIT', code)\n"
    )
    result = _run(sys.executable, "-c", probe)
    assert "LOADED [] EXIT 0" in result.stdout, result.stdout + result.stderr
