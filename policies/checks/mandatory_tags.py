"""CKV_MESH_MANDATORY_TAGS — every taggable resource carries the mesh's mandatory tags.

Why: cost allocation per domain, ownership for incident routing and the environment boundary all rely on tags
stamped on the resource itself (provider default_tags are invisible to scanners and to some AWS APIs). Data-
holding resources (S3 buckets) must also say what classification of data they may hold.

This check applies to every aws_* resource, which also makes it the inventory that `meshform check` uses to
prove checkov evaluated every synthesized resource (non-taggable types pass).
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from mesh_facts import facts, first  # checkov puts this directory on sys.path

DATA_HOLDING = {"aws_s3_bucket"}


class MandatoryTags(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Taggable resources carry the mesh:* tags (and data-holding ones mesh:classification)",
            id="CKV_MESH_MANDATORY_TAGS",
            categories=[CheckCategories.CONVENTION],
            supported_resources=["aws_*"],
            guideline="Stamp mesh:environment, mesh:domain, mesh:owner, mesh:cost-center, mesh:managed-by on the "
                      "resource (meshform's StampTags aspect does this); add mesh:classification to buckets.",
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        mesh = facts()
        resource_type = self.entity_type
        if resource_type not in mesh["taggable_resource_types"]:
            return CheckResult.PASSED
        tags = first(conf.get("tags")) or {}
        if not isinstance(tags, dict):
            return CheckResult.FAILED
        required = set(mesh["mandatory_tags"])
        if resource_type in DATA_HOLDING:
            required.add("mesh:classification")
        missing = sorted(required - set(tags))
        if missing:
            self.details.append(f"missing tags: {', '.join(missing)}")
            return CheckResult.FAILED
        if tags.get("mesh:environment") != mesh["environment"]:
            self.details.append(f"mesh:environment is {tags.get('mesh:environment')!r}, expected {mesh['environment']!r}")
            return CheckResult.FAILED
        if "mesh:classification" in tags and tags["mesh:classification"] not in mesh["classifications"]:
            self.details.append(f"mesh:classification {tags['mesh:classification']!r} is not in the ontology")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = MandatoryTags()
