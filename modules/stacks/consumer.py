"""`<env>-consumer-<name>`: a consumer account's query side (choreography.md §A.3, §D.7)."""
from __future__ import annotations

from constructs import Construct

from meshform import naming
from meshform.spec.mesh import Mesh
from modules.constructs.athena_workgroup import AthenaWorkgroupConstruct
from modules.constructs.encryption_key import EncryptionKey
from modules.constructs.secure_bucket import (BUCKET_ROLE_ACCESS_LOGS, BUCKET_ROLE_QUERY_RESULTS,
                                               SecureBucket, access_log_delivery_statement)
from modules.stacks.base import MeshStack

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
            description=f"meshform {env}: {consumer} query results")
        log_name = mesh.bucket(consumer, naming.ACCESS_LOG_LAYER)
        self.log_bucket = SecureBucket(
            self, "bucket_logs", name=log_name, kms_key_arn=None, role=BUCKET_ROLE_ACCESS_LOGS, classification=mesh.spec.governance.default_classification, log_bucket=None,
            expire_days=365, noncurrent_days=30,
            extra_policy_statements=[access_log_delivery_statement(log_name, c.account_id)])
        # Query results can contain anything the consumer may read: classify at its clearance.
        results = SecureBucket(
            self, "bucket_athena_results", name=mesh.bucket(consumer, naming.ATHENA_RESULTS_LAYER),
            kms_key_arn=self.key.arn, role=BUCKET_ROLE_QUERY_RESULTS, classification=c.clearance, log_bucket=self.log_bucket,
            noncurrent_days=7, expire_days=30)
        AthenaWorkgroupConstruct(
            self, "athena", name=naming.athena_workgroup_name(prefix, env, consumer), results_bucket=results.name,
            account_id=c.account_id, kms_key_arn=self.key.arn,
            bytes_scanned_cutoff=c.athena_bytes_scanned_cutoff_gb * GIB,
            description=f"{consumer}: {c.description}" if c.description else consumer)
