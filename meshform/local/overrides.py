"""Terraform override file for emulator runs: written next to cdk.tf.json in a scratch copy of the stack; the
generated file itself is never changed (Terraform merges `*_override.tf.json` on top of it)."""
from __future__ import annotations

import json
from pathlib import Path

from meshform.local.emulator import ENDPOINT_SERVICES

OVERRIDE_FILE = "zz_meshform_local_override.tf.json"


def write_override(stack_dir: Path, endpoint: str, state_file: Path, provider_version: str | None) -> Path:
    terraform: dict = {"backend": {"local": {"path": str(state_file)}}}   # replaces local, s3 or cloud
    if provider_version:
        terraform["required_providers"] = {"aws": {"source": "hashicorp/aws", "version": provider_version}}
    provider = {
        "access_key": "test", "secret_key": "test",        # static, fake: moto accepts anything
        "skip_credentials_validation": True, "skip_metadata_api_check": True,
        "s3_use_path_style": True,
        # A few retries absorb transient loopback hiccups under parallel applies; the default (25) would retry an
        # unsupported call for ~15 minutes.
        "max_retries": 3,
        "endpoints": [{service: endpoint for service in ENDPOINT_SERVICES}],
    }
    override = {"terraform": terraform, "provider": {"aws": [provider]}}
    path = stack_dir / OVERRIDE_FILE
    path.write_text(json.dumps(override, indent=2, sort_keys=True))
    return path
