"""CKV_MESH_MANDATORY_TAGS — every taggable resource carries the mesh's mandatory tags.

Why: cost allocation per domain, ownership for incident routing and the environment boundary all rely on tags
stamped on the resource itself (provider default_tags are invisible to scanners and to some AWS APIs). Buckets
must also say what classification of data they may hold (mesh:classification) and what they are for
(mesh:bucket-role: data, query-results, access-logs or audit-logs) — the S3 rules exempt only buckets tagged
access-logs.

This check applies to every aws_* resource, which also makes it the inventory that `meshform check` uses to
prove checkov evaluated every synthesized resource (non-taggable types pass).
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck  # checkov puts this directory on sys.path
from mesh_facts import facts, first, plain

BUCKET_TAGS = {"mesh:classification", "mesh:bucket-role"}
BUCKET_ROLES = {"data", "query-results", "access-logs", "audit-logs"}


class MandatoryTags(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Taggable resources carry the mesh:* tags (buckets also mesh:classification and mesh:bucket-role)",
            id="CKV_MESH_MANDATORY_TAGS",
            categories=[CheckCategories.CONVENTION],
            supported_resources=["aws_*"],
            guideline="Stamp mesh:environment, mesh:domain, mesh:owner, mesh:cost-center, mesh:managed-by on the "
                      "resource (meshform's StampTags aspect does this); add mesh:classification and "
                      "mesh:bucket-role (data | query-results | access-logs | audit-logs) to buckets.",
        )

    def problems(self, conf: dict):
        mesh = facts()
        if self.entity_type not in mesh["taggable_resource_types"]:
            return
        tags = plain(first(conf.get("tags")) or {})
        if not isinstance(tags, dict):
            yield f"tags is not a literal map ({tags!r})"
            return
        required = set(mesh["mandatory_tags"])
        if self.entity_type == "aws_s3_bucket":
            required |= BUCKET_TAGS
        missing = sorted(required - set(tags))
        if missing:
            yield f"missing tags: {', '.join(missing)}"
        if "mesh:environment" in tags and tags["mesh:environment"] != mesh["environment"]:
            yield f"mesh:environment is {tags['mesh:environment']!r}, expected {mesh['environment']!r}"
        if "mesh:classification" in tags and tags["mesh:classification"] not in mesh["classifications"]:
            yield (f"mesh:classification {tags['mesh:classification']!r} is not in the ontology "
                   f"{mesh['classifications']}")
        if "mesh:bucket-role" in tags and tags["mesh:bucket-role"] not in BUCKET_ROLES:
            yield f"mesh:bucket-role {tags['mesh:bucket-role']!r} is not one of {sorted(BUCKET_ROLES)}"


check = MandatoryTags()
