"""One product's pipeline in its domain's account (docs/pipelines.md): the manifest upload, the Glue jobs (stage A,
stage B and, when an input is filtered, the fine-grained-access import), one Glue Data Quality ruleset per table,
the state machine and the EventBridge trigger.

Inputs (`domains.<d>.pipelines.<p>.inputs`) reach stage B in `--inputs`; a table shared through a data cells filter
or a column list cannot be read in full-table-access mode, so the import job (FGAC reader role,
`--enable-lakeformation-fine-grained-access`, read-only on the catalog) copies what the filter lets through to the
stage bucket's imports/ first. The arguments of both come from meshform/pipeline/inputs.py.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from constructs import Construct

from meshform import naming, ops_names
from meshform import pipeline_names as names
from meshform.pipeline.dqdl import dqdl_ruleset
from meshform.pipeline.inputs import pipeline_inputs
from meshform.pipeline.manifest import manifest_json
from meshform.pipeline.rules import compile_table
from meshform.spec.contract import Product
from meshform.spec.environment import PipelineSpec
from meshform.spec.mesh import Mesh
from modules.constructs.domain_notifications import DomainNotifications
from modules.constructs.pipeline.artifacts import MANIFEST_FILE, PipelineArtifacts
from modules.constructs.pipeline.asl import PipelineDefinition, QualityStep, RedshiftLoad, Retry
from modules.constructs.pipeline.data_quality_ruleset import DataQualityRuleset
from modules.constructs.pipeline.glue_job import PipelineGlueJob
from modules.constructs.pipeline.landing_trigger import LandingTrigger
from modules.constructs.pipeline.pipeline_alarms import PipelineAlarms, PipelineAlarmsProps
from modules.constructs.pipeline.state_machine import PipelineStateMachine
from modules.types import Dependencies, Statement

STAGE_A_SCRIPT, STAGE_B_SCRIPT, IMPORT_SCRIPT = "stage_a.py", "stage_b.py", "import_inputs.py"
# "Jobs using FGAC require a minimum of 4 workers: one user driver, one system driver, one system executor, and one
# standby user executor" (https://docs.aws.amazon.com/glue/latest/dg/security-lf-enable.html): the import job gets
# at least that many, whatever the pipeline's own worker count.
FGAC_MIN_WORKERS = 4


@dataclass(frozen=True)
class PipelineRoles:
    etl_arn: str                  # stage A, stage B, the Data Quality evaluations
    fgac_arn: str | None          # the import of filtered inputs (None when the domain reads nothing filtered)


def blocking_rules(product: Product, table_name: str) -> tuple[str, ...]:
    """`Rule_<n>` of the checks that block publishing, in the order dqdl_ruleset() writes them."""
    table = product.table(table_name)
    assert table is not None
    checks, _ = compile_table(table)
    return tuple(f"Rule_{i}" for i, check in enumerate(checks, start=1) if check.blocking)


class ProductPipeline(Construct):
    """Args:
        mesh, domain, product, pipeline: what to build (a validated spec entry of the domain's own product).
        artifacts: the domain's `PipelineArtifacts` (scripts, package; the manifest is uploaded here).
        security_configuration: the domain's Glue security configuration name.
        roles: the job roles (`PipelineRoles`).
        notifications: the domain's `DomainNotifications` (its topic ARN, literal, so the definition and the
            role policy are static JSON; the state machine is created after the topic); key_arn: the domain key.
        link_dependencies: what the Data Quality rulesets wait for (the domain's own resource link).
        role_dependencies: what the jobs wait for (the roles' policies and Lake Formation grants).
        redshift: when the domain has a warehouse, the load step and the role statements it needs (default none).

    Attributes:
        jobs: state name -> `PipelineGlueJob`; rulesets: table -> `DataQualityRuleset`;
        state_machine: the `PipelineStateMachine`; trigger: the `LandingTrigger`; definition: its ASL as data;
        alarms: the `PipelineAlarms` (failures, freshness).
    """

    def __init__(self, scope: Construct, id_: str, *, mesh: Mesh, domain: str, product: Product,
                 pipeline: PipelineSpec, artifacts: PipelineArtifacts, security_configuration: str,
                 roles: PipelineRoles, notifications: DomainNotifications, key_arn: str,
                 link_dependencies: Dependencies = (),
                 role_dependencies: Dependencies = (),
                 redshift: tuple[RedshiftLoad, Sequence[Statement]] | None = None):
        super().__init__(scope, id_)
        prefix, env, region = mesh.spec.name_prefix, mesh.env, mesh.region
        topic_arn = notifications.arn
        account, governance = mesh.spec.domains[domain].account_id, mesh.governance_account
        stage, analytics = mesh.bucket(domain, "stage"), mesh.bucket(domain, "analytics")
        name = product.name
        # `--manifest manifest.json`: the base name Glue gives the `--extra-files` copy in the working directory.
        manifest = artifacts.manifest(f"manifest_{name}", name, manifest_json(mesh, product, pipeline))
        quarantine = f"s3://{stage}/{names.QUARANTINE_PREFIX}{name}/"
        stage_path = f"s3://{stage}/{name}/"

        planned = pipeline_inputs(mesh, domain, name, pipeline)
        inputs, imports = planned.stage_b, planned.imports
        if imports and roles.fgac_arn is None:
            raise ValueError(f"{product.fqn}: filtered inputs need the domain's FGAC reader role")

        common: dict[str, Any] = dict(account=account, region=region, security_configuration=security_configuration,
                      extra_py_files=[artifacts.package_uri], extra_files=[manifest],
                      worker_type=pipeline.workers.type, number_of_workers=pipeline.workers.count,
                      timeout_minutes=pipeline.timeout_minutes)
        after = [*artifacts.objects, *role_dependencies]
        self.jobs: dict[str, PipelineGlueJob] = {}
        if imports:
            self.jobs["ImportFilteredInputs"] = PipelineGlueJob(
                self, "import", name=names.glue_job_name(prefix, env, domain, name, names.IMPORT),
                description=f"{product.fqn}: copy filtered inputs (Lake Formation fine-grained access)",
                role_arn=roles.fgac_arn or "", script_location=artifacts.script_uri(IMPORT_SCRIPT),
                job_arguments={"--manifest": MANIFEST_FILE, "--inputs": _json(imports),
                               "--imports_path": planned.imports_path},
                temp_dir=f"s3://{stage}/{names.IMPORTS_PREFIX}_glue-temp/{name}/",
                # Every run copies the whole filtered snapshot; bookmarks are for incremental reads.
                bookmarks=False, fine_grained_access=True, depends_on=after,
                **{**common, "number_of_workers": max(FGAC_MIN_WORKERS, pipeline.workers.count)})
        self.jobs["StageA"] = PipelineGlueJob(
            self, "stage_a", name=names.glue_job_name(prefix, env, domain, name, names.STAGE_A),
            description=f"{product.fqn}: raw -> stage ({pipeline.format})", role_arn=roles.etl_arn,
            script_location=artifacts.script_uri(STAGE_A_SCRIPT),
            job_arguments={"--manifest": MANIFEST_FILE, "--raw_path": f"s3://{mesh.bucket(domain, 'raw')}/"
                           f"{names.landing_prefix(name)}", "--stage_path": stage_path,
                           "--quarantine_path": quarantine},
            temp_dir=f"s3://{stage}/_glue-temp/{name}/", depends_on=after, **common)
        stage_b_args = {"--manifest": MANIFEST_FILE, "--stage_path": stage_path, "--quarantine_path": quarantine,
                        "--analytics_path": f"s3://{analytics}/{name}/", "--catalog_id": governance,
                        "--database": naming.resource_link_name(domain)}
        if inputs:
            stage_b_args["--inputs"] = _json(inputs)
        self.jobs["StageB"] = PipelineGlueJob(
            self, "stage_b", name=names.glue_job_name(prefix, env, domain, name, names.STAGE_B),
            description=f"{product.fqn}: stage -> analytics (contract enforced, partitions registered)",
            role_arn=roles.etl_arn, script_location=artifacts.script_uri(STAGE_B_SCRIPT),
            job_arguments=stage_b_args, temp_dir=f"s3://{stage}/_glue-temp/{name}/", depends_on=after, **common)

        self.rulesets: dict[str, DataQualityRuleset] = {}
        steps = []
        for table in product.tables:
            ruleset = names.dq_ruleset_name(prefix, env, domain, name, table.name)
            self.rulesets[table.name] = DataQualityRuleset(
                self, f"quality_{table.name}", name=ruleset,
                description=f"{product.fqn}.{table.name}: contract {product.version} (generated by meshform)",
                ruleset=dqdl_ruleset(table), database=naming.resource_link_name(domain), table=table.name,
                catalog_id=account, depends_on=link_dependencies)
            steps.append(QualityStep(table.name, ruleset, blocking_rules(product, table.name)))
        self.definition = PipelineDefinition(
            product=product.fqn, environment=env,
            jobs=tuple((state, job.name) for state, job in self.jobs.items()),
            job_timeout_minutes=pipeline.timeout_minutes,
            retry=Retry(pipeline.retries, pipeline.retry_interval_seconds, pipeline.backoff_rate),
            quality=tuple(steps), quality_database=naming.resource_link_name(domain), quality_catalog=account,
            quality_role_arn=roles.etl_arn, quality_results=f"s3://{stage}/{names.DQ_RESULTS_PREFIX}{name}/",
            topic_arn=topic_arn, metric_namespace=ops_names.PIPELINE_NAMESPACE,
            published_metric=ops_names.PUBLISHED_METRIC, product_dimension=ops_names.PRODUCT_DIMENSION,
            redshift=redshift[0] if redshift else None)
        self.state_machine = PipelineStateMachine(
            self, "state_machine", name=names.state_machine_name(prefix, env, domain, name),
            role_name=names.state_machine_role_name(prefix, env, domain, name),
            log_group=names.state_machine_log_group(prefix, env, domain, name), account=account, region=region,
            definition=self.definition, job_arns=[job.arn for job in self.jobs.values()],
            ruleset_names=[r.name for r in self.rulesets.values()], pass_role_arn=roles.etl_arn,
            topic_arn=topic_arn, key_arn=key_arn, extra_statements=redshift[1] if redshift else (),
            depends_on=[*(job.job for job in self.jobs.values()), *(r.ruleset for r in self.rulesets.values()),
                        notifications.topic])
        self.trigger = LandingTrigger(
            self, "trigger", rule_name=names.landing_rule_name(prefix, env, domain, name),
            role_name=names.events_role_name(prefix, env, domain, name), account=account, region=region,
            bucket=mesh.bucket(domain, "raw"), prefix=names.landing_prefix(name),
            state_machine_arn=self.state_machine.arn, product=product.fqn, depends_on=[self.state_machine.machine])
        self.alarms = PipelineAlarms(self, "alarms", props=PipelineAlarmsProps(
            product=product.fqn, state_machine_arn=self.state_machine.arn,
            jobs=tuple(job.name for job in self.jobs.values()), topic_arn=topic_arn,
            alarm_name=lambda what: ops_names.pipeline_alarm_name(prefix, env, domain, name, what),
            glue_rule_name=ops_names.glue_failure_rule_name(prefix, env, domain, name),
            freshness_seconds=product.freshness_seconds),
            depends_on=[self.state_machine.machine, notifications.policy])


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
