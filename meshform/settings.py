"""Every `MESHFORM_*` environment variable, typed, in one place (pydantic-settings, prefix `MESHFORM_`).

| variable | meaning |
| --- | --- |
| `MESHFORM_ENV` | environments to work on, comma-separated (default: every file in environments/) |
| `MESHFORM_TERRAFORM` | the terraform binary (default: `terraform` on PATH) |
| `MESHFORM_TF_REGISTRY` | `online` or `offline`: skip probing registry.terraform.io |
| `MESHFORM_TF_PLUGIN_MIRROR` | a `terraform providers mirror` directory holding hashicorp/aws |
| `MESHFORM_CHECKOV` | the checkov binary (default: .venv-checkov/bin/checkov, then PATH) |
| `MESHFORM_WORKERS` | processes for parsing contracts and checking stacks (default 0: one per CPU core; 1: none) |

`MESHFORM_MESH_FILE` is set by `meshform check` for the governance rules, which run inside checkov's own
virtualenv and read it there (policies/checks/mesh_facts.py); it is not a user setting.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsInvalid(ValueError):
    """A MESHFORM_* variable has a value meshform cannot use; the message names it and the fix."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MESHFORM_", extra="ignore", frozen=True)

    env: str = ""
    terraform: str | None = None
    tf_registry: Literal["online", "offline"] | None = None
    tf_plugin_mirror: Path | None = None
    checkov: str | None = None
    workers: int = Field(default=0, ge=0)

    @property
    def processes(self) -> int:
        """Worker processes to use: MESHFORM_WORKERS, or one per CPU core."""
        return self.workers or os.cpu_count() or 1

    @property
    def environments(self) -> list[str] | None:
        names = [n.strip() for n in self.env.split(",") if n.strip()]
        return names or None


def load_settings() -> Settings:
    """Read the environment now (never cached: tests and long-running callers may change it)."""
    try:
        return Settings()
    except ValidationError as invalid:
        problems = "; ".join(f"MESHFORM_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
                             for e in invalid.errors())
        raise SettingsInvalid(f"{problems} (fix: set a valid value or unset it; see meshform/settings.py)") from None
