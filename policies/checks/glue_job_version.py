"""CKV_MESH_GLUE_JOB_VERSION — Glue jobs are Spark jobs on Glue 5.0 or later.

Why: Glue 5.0 is what the pipelines are written for (Spark 3.5, Python 3.11) and the first version with Lake
Formation fine-grained access for Spark (the only way a job reads a filtered product,
https://docs.aws.amazon.com/glue/latest/dg/security-lf-enable.html); older versions run end-of-support Spark and
Python (https://docs.aws.amazon.com/glue/latest/dg/glue-version-support-policy.html). A missing glue_version means
Glue's default, 0.9. Python shell and Ray jobs are not part of the mesh. With CKV_MESH_GLUE_SECURITY_CONFIGURATION
(every job names a security configuration) and CKV_MESH_GLUE_SECURITY_CONFIGURATION_KMS (configurations encrypt
S3, CloudWatch and bookmarks with a key) this makes "Glue jobs on Glue >= 5 with an encrypting security
configuration".
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import attr, block

MINIMUM = (5, 0)
SPARK_COMMANDS = ("glueetl", "gluestreaming")


def version(value) -> tuple[int, ...] | None:
    try:
        return tuple(int(part) for part in str(value).split("."))
    except ValueError:
        return None


class GlueJobVersion(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Glue jobs are Spark jobs (glueetl/gluestreaming) on glue_version 5.0 or later",
            id="CKV_MESH_GLUE_JOB_VERSION",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_glue_job"],
            guideline="Set glue_version = \"5.0\" and command.name = \"glueetl\" (PipelineGlueJob does this).",
        )

    def problems(self, conf: dict):
        command = attr(block(conf, "command"), "name", "glueetl")
        if command not in SPARK_COMMANDS:
            yield f"command.name is {command!r}: the mesh runs Spark jobs ({', '.join(SPARK_COMMANDS)}) only"
        given = attr(conf, "glue_version")
        parsed = version(given) if given is not None else None
        if given is None:
            yield "glue_version is not set (Glue defaults to 0.9)"
        elif parsed is None or parsed < MINIMUM:
            yield f"glue_version is {given!r}, expected 5.0 or later"


check = GlueJobVersion()
