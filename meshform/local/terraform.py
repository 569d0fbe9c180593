"""Finding terraform and the AWS provider, offline or online, and running terraform commands."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from meshform.settings import load_settings

REGISTRY_HOST = "registry.terraform.io"
# Where machine images and users usually keep a filesystem mirror (`terraform providers mirror` layout).
MIRROR_CANDIDATES = ("/opt/tf-plugins", "~/.terraform.d/plugins", "~/.local/share/terraform/plugins",
                     "/usr/local/share/terraform/plugins", "/usr/share/terraform/plugins")
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


class ToolMissing(Exception):
    """Raised with a message that says what is missing and how to provide it."""


@dataclass(frozen=True)
class ProviderSource:
    """How `terraform init` gets hashicorp/aws: from the registry (version = None) or from a mirror."""

    mirror: Path | None
    version: str | None

    def describe(self) -> str:
        if self.mirror is None:
            return f"registry {REGISTRY_HOST} (version pinned by the stacks)"
        return f"filesystem mirror {self.mirror} (hashicorp/aws {self.version}, overriding the stacks' pin)"


def find_terraform() -> str:
    path = load_settings().terraform or shutil.which("terraform")
    if not path:
        raise ToolMissing("terraform was not found on PATH (nor in $MESHFORM_TERRAFORM). Install Terraform >= 1.10 "
                          "from https://developer.hashicorp.com/terraform/install and retry.")
    return path


def registry_reachable(timeout: float = 3.0) -> bool:
    """`MESHFORM_TF_REGISTRY=offline|online` decides without probing; otherwise try one TCP connection."""
    forced = load_settings().tf_registry
    if forced is not None:
        return forced == "online"
    try:
        with socket.create_connection((REGISTRY_HOST, 443), timeout=timeout):
            return True
    except OSError:
        return False


def find_aws_mirror() -> tuple[Path, str] | None:
    """Return (mirror root, newest hashicorp/aws version) from $MESHFORM_TF_PLUGIN_MIRROR or known places."""
    mirror = load_settings().tf_plugin_mirror
    candidates = [str(mirror)] if mirror else []
    candidates += list(MIRROR_CANDIDATES)
    for candidate in candidates:
        root = Path(candidate).expanduser()
        provider_dir = root / "registry.terraform.io" / "hashicorp" / "aws"
        if not provider_dir.is_dir():
            continue
        versions = [p.name for p in provider_dir.iterdir() if _VERSION.match(p.name) and any(p.iterdir())]
        if versions:
            return root, max(versions, key=lambda v: tuple(int(x) for x in v.split(".")))
    return None


def provider_source() -> ProviderSource:
    if registry_reachable():
        return ProviderSource(None, None)
    found = find_aws_mirror()
    if found is None:
        raise ToolMissing(
            f"the Terraform registry ({REGISTRY_HOST}) is unreachable and no local filesystem mirror of hashicorp/aws "
            f"was found in {', '.join(MIRROR_CANDIDATES)}. Create one on a connected machine with "
            "`terraform providers mirror <dir>` and point $MESHFORM_TF_PLUGIN_MIRROR at it.")
    return ProviderSource(*found)


def write_cli_config(workdir: Path, source: ProviderSource) -> Path:
    """A CLI config of our own: plugin cache (the provider binary is ~700 MB: link it, don't copy it per stack),
    plus the filesystem mirror when offline."""
    cache = workdir / "plugin-cache"
    cache.mkdir(parents=True, exist_ok=True)
    lines = [f'plugin_cache_dir = "{cache}"']
    if source.mirror is not None:
        lines += ["provider_installation {", "  filesystem_mirror {", f'    path    = "{source.mirror}"',
                  '    include = ["registry.terraform.io/hashicorp/*"]', "  }", "}"]
    config = workdir / "terraform.rc"
    config.write_text("\n".join(lines) + "\n")
    return config


@dataclass
class Result:
    returncode: int
    output: str
    seconds: float


def run(terraform: str, args: list[str], cwd: Path, cli_config: Path, log: Path) -> Result:
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(cli_config), "TF_IN_AUTOMATION": "1", "TF_INPUT": "0",
           "CHECKPOINT_DISABLE": "1"}
    # Terraform must never pick up real AWS credentials or profiles on the developer's machine.
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        env.pop(var, None)
    started = time.monotonic()
    proc = subprocess.run([terraform, *args, "-no-color"], cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    output = proc.stdout + proc.stderr
    with log.open("a") as handle:
        handle.write(f"$ terraform {' '.join(args)}   [{seconds:.1f}s, exit {proc.returncode}]\n{output}\n")
    return Result(proc.returncode, output, seconds)
