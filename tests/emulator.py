"""Helpers for emulator tests: tool detection (skip on a laptop without terraform, fail in CI) and boto3 clients
acting as a given account of the emulated mesh (through the account's deploy role, as Terraform does)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from meshform.local import terraform as tf
from meshform.local.terraform import ToolMissing, find_terraform, provider_source


def require_terraform() -> None:
    try:
        find_terraform()
        provider_source()
    except ToolMissing as missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must run the emulator tests: {missing}")
        pytest.skip(f"emulator tests need terraform and the AWS provider: {missing}")


class TerraformWorkspace:
    """A working directory for one hand-written Terraform document, applied with the real terraform and the AWS
    provider from the local mirror (`source.version`: the provider version the document must pin, if any)."""

    def __init__(self, tmp_path: Path):
        require_terraform()
        self.source = provider_source()
        self.terraform = find_terraform()
        self.work = tmp_path / "stack"
        self.work.mkdir()
        self.cli = tf.write_cli_config(tmp_path / "cli", self.source)
        self.log = tmp_path / "terraform.log"

    def write(self, document: dict) -> None:
        (self.work / "main.tf.json").write_text(json.dumps(document))

    def run(self, *args: str) -> tf.Result:
        return tf.run(self.terraform, list(args), self.work, self.cli, self.log)

    def require_clean_replan(self) -> None:
        assert self.run("plan", "-detailed-exitcode").returncode == 0, self.log.read_text()[-3000:]

    def apply(self) -> None:
        """init, apply, and an empty re-plan."""
        assert self.run("init").returncode == 0, self.log.read_text()[-3000:]
        applied = self.run("apply", "-auto-approve")
        assert applied.returncode == 0, applied.output[-3000:]
        self.require_clean_replan()


def require_checkov() -> None:
    """checkov lives in its own virtualenv (.venv-checkov, created by `make test`/`make demo`)."""
    from meshform.check.runner import PROJECT_ROOT

    if (PROJECT_ROOT / ".venv-checkov" / "bin" / "checkov").exists() or os.environ.get("MESHFORM_CHECKOV"):
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI must run checkov: .venv-checkov is missing (make test creates it)")
    pytest.skip("checkov is not installed in .venv-checkov (run `make demo` or `make test`)")


class AccountClients:
    def __init__(self, endpoint: str, region: str, account: str, role: str = "mesh-deploy"):
        sts = boto3.client("sts", endpoint_url=endpoint, region_name=region, aws_access_key_id="test",
                           aws_secret_access_key="test")
        creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="pytest")["Credentials"]
        self._kwargs = dict(endpoint_url=endpoint, region_name=region, aws_access_key_id=creds["AccessKeyId"],
                            aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])

    def __call__(self, service: str):
        config = Config(s3={"addressing_style": "path"}) if service == "s3" else None
        return boto3.client(service, config=config, **self._kwargs)
