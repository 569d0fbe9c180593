"""One Glue 5.0 Spark job of a product pipeline, with the mesh's defaults (docs/pipelines.md, "Glue jobs").

Glue 5.0 is Spark 3.5 on Python 3.11 (https://docs.aws.amazon.com/glue/latest/dg/release-notes.html); it logs to
CloudWatch in real time without `--enable-continuous-cloudwatch-log` (a Glue 4.0-and-earlier switch,
https://docs.aws.amazon.com/glue/latest/dg/monitor-continuous-logging-enable.html), so that argument is not passed.
Retries belong to the state machine (with backoff and jitter): Glue's own `max_retries` would retry at once, and the
two would multiply, so it is 0. One run at a time, queued rather than refused (`job_run_queuing_enabled`), because
every landed object starts an execution and bookmarks make a run that finds nothing new cheap.

What a job reads and writes (paths, manifest, catalog) is in `non_overridable_arguments`: a StartJobRun caller can
change bookmarks or logging for one run, never where the job writes.
"""
from __future__ import annotations

from collections.abc import Mapping

from cdktf_cdktf_provider_aws.glue_job import GlueJob, GlueJobCommand, GlueJobExecutionProperty
from constructs import Construct

from modules.types import Dependencies

GLUE_VERSION = "5.0"
DEFAULT_WORKER_TYPE = "G.1X"
DEFAULT_WORKERS = 2
DEFAULT_TIMEOUT_MINUTES = 60


class PipelineGlueJob(Construct):
    """Args:
        name: meshform.pipeline_names.glue_job_name; description: shown in Glue.
        account, region: where the job lives (its ARN is derived from them and the name).
        role_arn: the role the job runs as (the domain's ETL role; the FGAC reader role for imports).
        script_location: the script's S3 URI (PipelineArtifacts.script_uri).
        security_configuration: the domain's Glue security configuration name.
        job_arguments: the job's own arguments (`--manifest`, paths, catalog), not overridable per run.
        extra_py_files: S3 URIs on the Python path (default: none; the pipelines pass the shared package zip).
        extra_files: S3 URIs copied into the driver's working directory (default: none; the manifest).
        temp_dir: `--TempDir`, Glue's scratch location, inside the domain's KMS boundary.
        worker_type: default G.1X; number_of_workers: default 2 (the maximum: auto scaling is on).
        timeout_minutes: default 60.
        bookmarks: job bookmarks on (default True; off for jobs that always read a whole snapshot).
        fine_grained_access: run in Lake Formation fine-grained access mode (default False: full-table access).
        depends_on: what must exist first (the role and its policy, the uploads).

    Attributes:
        job: the `aws_glue_job`; name, arn: literal name and ARN.
    """

    def __init__(self, scope: Construct, id_: str, *, name: str, description: str, role_arn: str, account: str,
                 region: str, script_location: str, security_configuration: str, job_arguments: Mapping[str, str],
                 temp_dir: str, extra_py_files: list[str] | None = None, extra_files: list[str] | None = None,
                 worker_type: str = DEFAULT_WORKER_TYPE, number_of_workers: int = DEFAULT_WORKERS,
                 timeout_minutes: int = DEFAULT_TIMEOUT_MINUTES, bookmarks: bool = True,
                 fine_grained_access: bool = False, depends_on: Dependencies = ()):
        super().__init__(scope, id_)
        self.name = name
        self.arn = f"arn:aws:glue:{region}:{account}:job/{name}"
        # Glue's special parameters: https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-glue-arguments.html
        defaults = {
            "--job-language": "python",
            "--job-bookmark-option": "job-bookmark-enable" if bookmarks else "job-bookmark-disable",
            "--enable-job-insights": "true",          # failure line and root-cause hints in the job's log streams
            "--enable-glue-datacatalog": "true",      # Spark SQL resolves tables through the Data Catalog
            "--enable-auto-scaling": "true",          # number_of_workers is the ceiling, small files stay cheap
            "--TempDir": temp_dir,
        }
        if extra_py_files:
            defaults["--extra-py-files"] = ",".join(extra_py_files)
        if extra_files:
            defaults["--extra-files"] = ",".join(extra_files)
        if fine_grained_access:
            # https://docs.aws.amazon.com/glue/latest/dg/security-lf-enable.html (Glue 5.0): filters are enforced.
            defaults["--enable-lakeformation-fine-grained-access"] = "true"
        self.job = GlueJob(
            self, "job", name=name, description=description, role_arn=role_arn, glue_version=GLUE_VERSION,
            command=GlueJobCommand(name="glueetl", script_location=script_location, python_version="3"),
            worker_type=worker_type, number_of_workers=number_of_workers, execution_class="STANDARD",
            max_retries=0, timeout=timeout_minutes, security_configuration=security_configuration,
            execution_property=GlueJobExecutionProperty(max_concurrent_runs=1), job_run_queuing_enabled=True,
            default_arguments=dict(sorted(defaults.items())),
            non_overridable_arguments=dict(sorted(job_arguments.items())),
            depends_on=list(depends_on))
