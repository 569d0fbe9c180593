"""`<env>-governance`: what is account-wide in the governance account (docs/architecture.md, "Accounts and
stacks"): Lake Formation settings, the LF-tag ontology, Data Catalog encryption and its key, and DESCRIBE on the tag
values that tag-based subscribers use. Each domain's catalog objects and grants live in its own stack in the same
account (modules/stacks/catalog.py), so a contract change plans only that domain's catalog stack."""
from __future__ import annotations

from constructs import Construct

from meshform import naming, ops_names
from meshform.access import TagAccess, tag_accesses
from meshform.lake_settings import intended_lake_settings
from meshform.operations import audit_log_owners, audit_trails, budget_of, trail_lake_buckets
from meshform.spec.mesh import Mesh
from modules.constructs.audit_alarms import AuditAlarms
from modules.constructs.audit_trail import (
    AuditTrail,
    TrailProps,
    trail_bucket_statements,
    trail_key_statements,
)
from modules.constructs.budget import BudgetProps, MonthlyBudget
from modules.constructs.catalog_encryption import CatalogEncryption, catalog_key_policy_statements
from modules.constructs.cost_allocation_tags import CostAllocationTags
from modules.constructs.domain_notifications import (
    BUDGETS,
    CLOUDWATCH,
    DomainNotifications,
    notification_key_statements,
)
from modules.constructs.encryption_key import EncryptionKey
from modules.constructs.lake_formation_settings import LakeFormationSettings
from modules.constructs.lf_tag_ontology import LfTagOntology
from modules.constructs.pipeline.log_encryption import cloudwatch_logs_key_statement
from modules.constructs.secure_bucket import BUCKET_ROLE_AUDIT_LOGS, SecureBucket, access_log_bucket
from modules.constructs.subscription_grants import grant_tag_key_describe
from modules.stacks.base import MeshStack


class GovernanceStack(MeshStack):
    def __init__(self, scope: Construct, mesh: Mesh):
        gov = mesh.spec.governance
        super().__init__(scope, naming.stack_name(mesh.env, "governance"), mesh=mesh, account_id=gov.account_id,
                         tag_domain="governance", owner=gov.owner, cost_center=gov.cost_center)
        account = gov.account_id
        prefix, env, region = mesh.spec.name_prefix, mesh.env, mesh.region

        # Other mesh accounts read (domains also write partitions to) the encrypted catalog through Glue only.
        key_statements = catalog_key_policy_statements(region, [a for a in mesh.all_accounts() if a != account])
        self.catalog_key = EncryptionKey(
            self, "catalog_key", account_id=account, deploy_role_arn=mesh.deploy_role_arn(account),
            alias=naming.kms_alias(prefix, env, "governance", "catalog"),
            description=f"meshform {env}: Glue Data Catalog encryption (governance)", extra_statements=key_statements)
        # Metadata is only encrypted when written after encryption is on: the catalog stacks deploy after this one.
        CatalogEncryption(self, "catalog_encryption", kms_key_arn=self.catalog_key.arn)

        # The deploy role must be an LF admin to manage grants; the spec's admins are the humans/break-glass.
        self.lake_settings = LakeFormationSettings(self, "lake_formation",
                                                   intended=intended_lake_settings(mesh, account))
        settings = self.lake_settings.settings
        self.ontology = LfTagOntology(self, "lf_tags", domains=list(mesh.spec.domains),
                                      classifications=gov.classifications, after=[settings])
        by_subscriber: dict[str, list[TagAccess]] = {}
        for tag_access in tag_accesses(mesh):
            by_subscriber.setdefault(tag_access.subscriber, []).append(tag_access)
        for subscriber, granted in sorted(by_subscriber.items()):
            grant_tag_key_describe(self, f"tags_{subscriber}", granted, after=self.ontology.tags)
        self._operations(mesh)

    def _operations(self, mesh: Mesh) -> None:
        """Audit trail, audit alarms, the governance topic and budget, cost-allocation tags (docs/operations.md)."""
        gov, spec = mesh.spec.governance, mesh.spec
        account, prefix, env, region = gov.account_id, spec.name_prefix, mesh.env, mesh.region
        trails, log_owners = audit_trails(mesh), audit_log_owners(mesh)
        services = (CLOUDWATCH, BUDGETS)
        self.audit_key = EncryptionKey(
            self, "audit_key", account_id=account, deploy_role_arn=mesh.deploy_role_arn(account),
            alias=naming.kms_alias(prefix, env, "governance", "audit"),
            description=f"meshform {env}: CloudTrail audit logs, audit alarms and notifications (governance)",
            extra_statements=[*trail_key_statements([trails[account]], [account]),
                              cloudwatch_logs_key_statement(region, account),
                              *notification_key_statements(account, services)])
        log_bucket = access_log_bucket(self, mesh.bucket("governance", naming.ACCESS_LOG_LAYER), account,
                                       gov.default_classification)
        bucket = ops_names.audit_bucket_name(prefix, env, account)
        self.audit_bucket = SecureBucket(
            self, "bucket_audit", name=bucket, kms_key_arn=self.audit_key.arn, role=BUCKET_ROLE_AUDIT_LOGS,
            classification=gov.default_classification, log_bucket=log_bucket, noncurrent_days=30,
            expire_days=spec.audit.retention_days,
            extra_policy_statements=trail_bucket_statements(bucket, sorted(trails.values()), log_owners))
        self.trail = AuditTrail(self, "audit_trail", props=TrailProps(
            name=ops_names.trail_name(prefix, env), account=account, region=region, bucket=bucket,
            kms_key_arn=self.audit_key.arn, lake_buckets=tuple(trail_lake_buckets(mesh, account)),
            organization=spec.organization_id is not None, log_group=ops_names.trail_log_group(prefix, env),
            logs_role_name=ops_names.trail_logs_role_name(prefix, env),
            log_retention_days=spec.audit.log_group_retention_days),
            depends_on=[self.audit_bucket.policy, self.audit_key.key])
        self.notifications = DomainNotifications(
            self, "notifications", name=ops_names.governance_topic_name(prefix, env), account=account,
            region=region, kms_key_arn=self.audit_key.arn, owner_email=gov.owner, services=services)
        assert self.trail.log_group is not None
        AuditAlarms(self, "audit_alarms", log_group=ops_names.trail_log_group(prefix, env),
                    deploy_role=spec.deploy_role, topic_arn=self.notifications.arn,
                    alarm_name=lambda event: ops_names.audit_alarm_name(prefix, env, event),
                    depends_on=[self.trail.log_group, self.notifications.policy])
        MonthlyBudget(self, "budget", props=BudgetProps.of(budget_of(mesh, "governance"), self.notifications.topic.arn),
                      depends_on=[self.notifications.policy])
        if spec.billing.activate_cost_allocation_tags and spec.billing.account_id in (None, account):
            CostAllocationTags(self, "cost_allocation_tags", depends_on=[self.audit_key.key, self.catalog_key.key])

