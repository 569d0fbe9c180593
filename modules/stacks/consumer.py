"""`<env>-consumer-<name>`: a consumer account's query side (docs/architecture.md, "Accounts and stacks")."""
from __future__ import annotations

from constructs import Construct

from meshform import naming
from meshform import pipeline_names as pipeline_naming
from meshform.operations import budget_of
from meshform.spec.mesh import Mesh
from modules.constructs.athena_workgroup import AthenaWorkgroupConstruct
from modules.constructs.budget import BudgetProps, MonthlyBudget
from modules.constructs.domain_notifications import BUDGETS, DomainNotifications, notification_key_statements
from modules.constructs.encryption_key import EncryptionKey
from modules.constructs.mesh_access_policy import MeshAccessPolicy, shared_catalog_statements
from modules.constructs.ram_share_acceptance import RamShareAcceptance
from modules.constructs.secure_bucket import BUCKET_ROLE_QUERY_RESULTS, SecureBucket, access_log_bucket
from modules.stacks.base import MeshStack
from modules.stacks.subscriber_side import own_lake_formation_settings, subscribed_access
from modules.stacks.warehouse_side import own_warehouse

GIB = 1024 ** 3


class ConsumerStack(MeshStack):
    def __init__(self, scope: Construct, mesh: Mesh, consumer: str):
        c = mesh.spec.consumers[consumer]
        super().__init__(scope, naming.stack_name(mesh.env, "consumer", consumer), mesh=mesh,
                         account_id=c.account_id, tag_domain=consumer, owner=c.owner, cost_center=c.cost_center)
        prefix, env = mesh.spec.name_prefix, mesh.env
        self.key = EncryptionKey(
            self, "athena_key", account_id=c.account_id, deploy_role_arn=mesh.deploy_role_arn(c.account_id),
            alias=naming.kms_alias(prefix, env, consumer, "athena"),
            description=f"meshform {env}: {consumer} query results",
            extra_statements=notification_key_statements(c.account_id, (BUDGETS,)))
        self.log_bucket = access_log_bucket(self, mesh.bucket(consumer, naming.ACCESS_LOG_LAYER), c.account_id,
                                            mesh.spec.governance.default_classification)
        # Query results can contain anything the consumer may read: classify at its clearance.
        results = SecureBucket(
            self, "bucket_athena_results", name=mesh.bucket(consumer, naming.ATHENA_RESULTS_LAYER),
            kms_key_arn=self.key.arn, role=BUCKET_ROLE_QUERY_RESULTS, classification=c.clearance,
            log_bucket=self.log_bucket, noncurrent_days=7, expire_days=30)
        workgroup = AthenaWorkgroupConstruct(
            self, "athena", name=naming.athena_workgroup_name(prefix, env, consumer), results_bucket=results.name,
            account_id=c.account_id, region=mesh.region, kms_key_arn=self.key.arn,
            bytes_scanned_cutoff=c.athena_bytes_scanned_cutoff_gb * GIB,
            description=f"{consumer}: {c.description}" if c.description else consumer)

        settings = own_lake_formation_settings(self, mesh).settings
        accepters = RamShareAcceptance(self, "ram", share_arns=mesh.ram_shares.get(consumer, [])).accepters
        domains = subscribed_access(self, mesh, consumer, after=[settings, *accepters])
        # Redshift (docs/redshift.md): the consumer's warehouse and the databases of its datashares.
        own_warehouse(self, mesh, consumer)
        MeshAccessPolicy(
            self, "principal_access", name=naming.access_policy_name(prefix, env, consumer),
            description=f"{consumer}: query subscribed data products with Athena",
            statements=[*shared_catalog_statements(mesh.region, c.account_id, mesh.governance_account, domains),
                        *workgroup.query_statements()],
            principals=c.principals)
        # Budget alerts go to the owner and to the consumer's own encrypted topic (docs/operations.md).
        notifications = DomainNotifications(
            self, "notifications", name=pipeline_naming.notification_topic_name(prefix, env, consumer),
            account=c.account_id, region=mesh.region, kms_key_arn=self.key.arn, owner_email=c.owner,
            services=(BUDGETS,))
        MonthlyBudget(self, "budget", props=BudgetProps.of(budget_of(mesh, consumer), notifications.topic.arn),
                      depends_on=[notifications.policy])
