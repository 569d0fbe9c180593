"""local-deploy finds terraform and the AWS provider itself, and says exactly what is missing when it cannot."""
from __future__ import annotations

import pytest

from meshform.local import terraform as tf


def test_missing_terraform_is_named_with_the_fix(monkeypatch):
    monkeypatch.delenv("MESHFORM_TERRAFORM", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(tf.ToolMissing, match=r"terraform was not found on PATH .*Install Terraform >= 1.10"):
        tf.find_terraform()


def test_offline_without_a_mirror_says_how_to_make_one(monkeypatch, tmp_path):
    monkeypatch.setenv("MESHFORM_TF_REGISTRY", "offline")
    monkeypatch.setenv("MESHFORM_TF_PLUGIN_MIRROR", str(tmp_path / "empty"))
    monkeypatch.setattr(tf, "MIRROR_CANDIDATES", (str(tmp_path / "nothing-here"),))
    with pytest.raises(tf.ToolMissing,
                       match=r"no local filesystem mirror of hashicorp/aws.*terraform providers mirror"):
        tf.provider_source()


def test_offline_mirror_is_found_and_its_newest_version_pinned(monkeypatch, tmp_path):
    for version in ("5.9.0", "5.100.0"):
        platform = tmp_path / "registry.terraform.io" / "hashicorp" / "aws" / version / "linux_amd64"
        platform.mkdir(parents=True)
        (platform / f"terraform-provider-aws_v{version}_x5").write_text("")
    monkeypatch.setenv("MESHFORM_TF_REGISTRY", "offline")
    monkeypatch.setenv("MESHFORM_TF_PLUGIN_MIRROR", str(tmp_path))
    source = tf.provider_source()
    assert source.mirror == tmp_path and source.version == "5.100.0"
    config = tf.write_cli_config(tmp_path / "work", source)
    assert f'path    = "{tmp_path}"' in config.read_text() and "plugin_cache_dir" in config.read_text()


def test_online_needs_no_override(monkeypatch):
    monkeypatch.setenv("MESHFORM_TF_REGISTRY", "online")
    source = tf.provider_source()
    assert source.mirror is None and source.version is None
