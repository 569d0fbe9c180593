"""`<env>-domain-<name>`: the domain's own lake in its account (docs/architecture.md, "Accounts and stacks")."""
from __future__ import annotations

from cdktf import ITerraformDependable
from constructs import Construct

from meshform import lf_grants, naming, ops_names
from meshform import pipeline_names as pipeline_naming
from meshform.access import effective_accesses, reads_full_tables, shared_domains
from meshform.operations import budget_of, trail_lake_buckets
from meshform.pipeline.inputs import pipeline_inputs
from meshform.spec.mesh import Mesh
from modules.constructs.audit_trail import AuditTrail, TrailProps, trail_key_statements
from modules.constructs.budget import BudgetProps, MonthlyBudget
from modules.constructs.domain_notifications import DomainNotifications, notification_key_statements
from modules.constructs.encryption_key import EncryptionKey
from modules.constructs.etl_role import EtlRole
from modules.constructs.fgac_reader_role import FgacReaderRole
from modules.constructs.lf_permission import emit
from modules.constructs.location_registration import registration_bucket_statements, registration_key_statement
from modules.constructs.mesh_access_policy import MeshAccessPolicy, shared_catalog_statements
from modules.constructs.pipeline.artifacts import PipelineArtifacts
from modules.constructs.pipeline.glue_security_configuration import DomainGlueSecurityConfiguration
from modules.constructs.pipeline.log_encryption import cloudwatch_logs_key_statement
from modules.constructs.pipeline.product_pipeline import (
    IMPORT_SCRIPT,
    STAGE_A_SCRIPT,
    STAGE_B_SCRIPT,
    PipelineRoles,
    ProductPipeline,
)
from modules.constructs.pipeline.runtime_access import glue_runtime_statements
from modules.constructs.ram_share_acceptance import RamShareAcceptance
from modules.constructs.resource_link import resource_link
from modules.constructs.secure_bucket import BUCKET_ROLE_DATA, SecureBucket, access_log_bucket
from modules.stacks.base import MeshStack
from modules.stacks.subscriber_side import own_lake_formation_settings, subscribed_access
from modules.stacks.warehouse_side import own_warehouse, pipeline_load
from modules.types import Dependencies


class DomainStack(MeshStack):
    def __init__(self, scope: Construct, mesh: Mesh, domain: str):
        d = mesh.spec.domains[domain]
        super().__init__(scope, naming.stack_name(mesh.env, "domain", domain), mesh=mesh, account_id=d.account_id,
                         tag_domain=domain, owner=d.owner, cost_center=d.cost_center)
        prefix, env, region, governance = mesh.spec.name_prefix, mesh.env, mesh.region, mesh.governance_account
        # The governance account's registration role reads/writes the analytics bucket for Lake Formation.
        lf_role = naming.role_arn(governance, naming.lf_registration_role_name(prefix, env, domain))
        # Pipelines log to log groups encrypted with the lake key; EventBridge may publish to the domain's topic.
        key_statements = [registration_key_statement(lf_role, region), *notification_key_statements(d.account_id)]
        if d.pipelines:
            key_statements.append(cloudwatch_logs_key_statement(region, d.account_id))
        if mesh.spec.organization_id is None:      # its own audit trail encrypts its log files with this key
            key_statements += trail_key_statements([ops_names.trail_arn(region, d.account_id, prefix, env)],
                                                   [d.account_id])
        self.key = EncryptionKey(
            self, "lake_key", account_id=d.account_id, deploy_role_arn=mesh.deploy_role_arn(d.account_id),
            alias=naming.kms_alias(prefix, env, domain, "lake"), description=f"meshform {env}: {domain} data lake",
            extra_statements=key_statements)

        # The products' most sensitive classification is what the lake's buckets may hold.
        products = mesh.domain_products(domain)
        held = max((p.classification for p in products), key=mesh.rank,
                   default=mesh.spec.governance.default_classification)
        self.log_bucket = access_log_bucket(self, mesh.bucket(domain, naming.ACCESS_LOG_LAYER), d.account_id,
                                            mesh.spec.governance.default_classification)
        self.buckets = {
            layer: SecureBucket(self, f"bucket_{layer}", name=mesh.bucket(domain, layer), kms_key_arn=self.key.arn,
                                role=BUCKET_ROLE_DATA, classification=held, log_bucket=self.log_bucket,
                                extra_policy_statements=(
                                    registration_bucket_statements(lf_role, mesh.bucket(domain, layer))
                                    if layer == "analytics" else None))
            for layer in naming.DOMAIN_BUCKET_LAYERS
        }
        settings = own_lake_formation_settings(self, mesh).settings
        # Outside one Organization, nothing shared can be re-granted before its RAM share is accepted.
        accepters = RamShareAcceptance(self, "ram", share_arns=mesh.ram_shares.get(domain, [])).accepters
        read_domains = shared_domains(mesh, domain)
        mine = [a for a in effective_accesses(mesh) if a.subscriber == domain]
        # Each Glue role reads only what its access mode can read (whole tables vs. filtered).
        whole = sorted({a.domain for a in mine if reads_full_tables(a)})
        filtered = sorted({a.domain for a in mine if not reads_full_tables(a)})
        runtime = glue_runtime_statements(region=region, account=d.account_id, prefix=prefix, env=env,
                                          domain=domain, data_quality=True) if d.pipelines else []
        self.etl = EtlRole(
            self, "etl", name=naming.etl_role_name(prefix, env, domain), account=d.account_id, region=region,
            governance=governance, domain=domain,
            buckets=[mesh.bucket(domain, layer) for layer in naming.DOMAIN_BUCKET_LAYERS], key_arn=self.key.arn,
            read_statements=shared_catalog_statements(region, d.account_id, governance, whole),
            pipeline_statements=runtime)
        after: list[ITerraformDependable] = [settings, self.etl.role, *accepters]
        self.fgac_reader = None
        if filtered:
            self.fgac_reader = FgacReaderRole(
                self, "etl_fgac", name=naming.etl_fgac_role_name(prefix, env, domain), account=d.account_id,
                domain=domain, stage_bucket=mesh.bucket(domain, "stage"), key_arn=self.key.arn,
                read_statements=shared_catalog_statements(region, d.account_id, governance, filtered),
                pipeline_statements=glue_runtime_statements(region=region, account=d.account_id, prefix=prefix,
                                                            env=env, domain=domain, data_quality=False)
                if d.pipelines else [])
            after.append(self.fgac_reader.role)
        self._producer_regrants(mesh, domain, after)
        subscribed_access(self, mesh, domain, after=after)
        self.notifications = DomainNotifications(
            self, "notifications", name=pipeline_naming.notification_topic_name(prefix, env, domain),
            account=d.account_id, region=region, kms_key_arn=self.key.arn, owner_email=d.owner,
            publisher_role_pattern=pipeline_naming.state_machine_role_pattern(prefix, env, domain))
        MonthlyBudget(self, "budget", props=BudgetProps.of(budget_of(mesh, domain), self.notifications.topic.arn),
                      depends_on=[self.notifications.policy])
        if mesh.spec.organization_id is None:
            self._account_trail(mesh, domain)
        # Redshift (docs/redshift.md): the warehouse, the products' tables and datashares, subscribed datashares.
        self.warehouse = own_warehouse(self, mesh, domain, lake_key_arn=self.key.arn)
        if d.pipelines:
            self._pipelines(mesh, domain, after)
        if d.principals:
            MeshAccessPolicy(self, "principal_access", name=naming.access_policy_name(prefix, env, domain),
                             description=f"{domain}: read subscribed data products",
                             statements=shared_catalog_statements(region, d.account_id, governance, read_domains),
                             principals=d.principals)

    def _account_trail(self, mesh: Mesh, domain: str) -> None:
        """Outside an Organization the governance trail cannot see this account: its own trail logs its lake
        buckets' data events and its management events into the governance audit bucket. Its log files are
        encrypted with the domain's lake key: another account's key could only be named by alias, and AWS stores and
        returns a trail's key as the key ARN, which no stack can know for another account (docs/operations.md)."""
        d, gov = mesh.spec.domains[domain], mesh.governance_account
        prefix, env, region = mesh.spec.name_prefix, mesh.env, mesh.region
        AuditTrail(self, "audit_trail", props=TrailProps(
            name=ops_names.trail_name(prefix, env), account=d.account_id, region=region,
            bucket=ops_names.audit_bucket_name(prefix, env, gov),
            kms_key_arn=self.key.arn,
            lake_buckets=tuple(trail_lake_buckets(mesh, d.account_id))),
            depends_on=[bucket.bucket for bucket in self.buckets.values()])

    def _producer_regrants(self, mesh: Mesh, domain: str, after: Dependencies) -> None:
        """The ETL role gets, on the domain's own central database, what governance granted the account, and a
        same-named resource link to it in the domain's catalog (how a Glue job addresses cross-account tables)."""
        own_link = resource_link(self, "own_link", domain=domain, governance_account=mesh.governance_account,
                                 region=mesh.region, depends_on=after)
        self.own_link = own_link
        # What each grant is: meshform/lf_grants.py (the ETL role ARN there is the one EtlRole derives).
        for grant_id, planned in lf_grants.etl_regrants(mesh, domain):
            emit(self, grant_id, planned, depends_on=[own_link] if grant_id == "etl_own_link" else after)

    def _pipelines(self, mesh: Mesh, domain: str, after: Dependencies) -> None:
        """The domain's product pipelines (docs/pipelines.md): its Glue security configuration and artifacts
        bucket, then one ProductPipeline per `domains.<d>.pipelines` entry."""
        d = mesh.spec.domains[domain]
        prefix, env = mesh.spec.name_prefix, mesh.env
        security = DomainGlueSecurityConfiguration(
            self, "glue_security", name=pipeline_naming.glue_security_configuration_name(prefix, env, domain),
            kms_key_arn=self.key.arn)
        needs_import = any(pipeline_inputs(mesh, domain, product, pipeline).imports
                           for product, pipeline in d.pipelines.items())
        artifacts = PipelineArtifacts(
            self, "artifacts", bucket=pipeline_naming.artifacts_bucket_name(prefix, env, domain, d.account_id),
            kms_key_arn=self.key.arn, classification=mesh.spec.governance.default_classification,
            log_bucket=self.log_bucket, deploy_role_arn=mesh.deploy_role_arn(d.account_id),
            scripts=[STAGE_A_SCRIPT, STAGE_B_SCRIPT, *([IMPORT_SCRIPT] if needs_import else [])])
        roles = PipelineRoles(self.etl.arn, self.fgac_reader.arn if self.fgac_reader else None)
        for name in sorted(d.pipelines):
            product = mesh.products[f"{domain}.{name}"]
            ProductPipeline(
                self, f"pipeline_{name}", mesh=mesh, domain=domain, product=mesh.products[f"{domain}.{name}"],
                pipeline=d.pipelines[name], artifacts=artifacts, security_configuration=security.name,
                roles=roles, notifications=self.notifications, key_arn=self.key.arn,
                link_dependencies=[self.own_link], role_dependencies=after,
                redshift=pipeline_load(mesh, domain, product, self.warehouse) if self.warehouse else None)
