"""`<env>-domain-<name>`: the domain's own lake in its account (choreography.md §A.2, §D.1-D.2)."""
from __future__ import annotations

from constructs import Construct

from meshform import naming
from meshform.spec.mesh import Mesh
from modules.constructs.encryption_key import EncryptionKey
from modules.constructs.secure_bucket import (BUCKET_ROLE_ACCESS_LOGS, BUCKET_ROLE_DATA,
                                               SecureBucket, access_log_delivery_statement)
from modules.stacks.base import MeshStack


class DomainStack(MeshStack):
    def __init__(self, scope: Construct, mesh: Mesh, domain: str):
        d = mesh.spec.domains[domain]
        super().__init__(scope, naming.stack_name(mesh.env, "domain", domain), mesh=mesh, account_id=d.account_id,
                         tag_domain=domain, owner=d.owner, cost_center=d.cost_center)
        prefix, env = mesh.spec.name_prefix, mesh.env
        self.key = EncryptionKey(
            self, "lake_key", account_id=d.account_id, deploy_role_arn=mesh.deploy_role_arn(d.account_id),
            alias=naming.kms_alias(prefix, env, domain, "lake"), description=f"meshform {env}: {domain} data lake")

        # The products' most sensitive classification is what the lake's buckets may hold.
        products = mesh.domain_products(domain)
        held = max((p.classification for p in products), key=mesh.rank,
                   default=mesh.spec.governance.default_classification)
        log_name = mesh.bucket(domain, naming.ACCESS_LOG_LAYER)
        self.log_bucket = SecureBucket(
            self, "bucket_logs", name=log_name, kms_key_arn=None, role=BUCKET_ROLE_ACCESS_LOGS, classification=mesh.spec.governance.default_classification, log_bucket=None,
            expire_days=365, noncurrent_days=30,
            extra_policy_statements=[access_log_delivery_statement(log_name, d.account_id)])
        self.buckets = {
            layer: SecureBucket(self, f"bucket_{layer}", name=mesh.bucket(domain, layer), kms_key_arn=self.key.arn,
                                role=BUCKET_ROLE_DATA, classification=held, log_bucket=self.log_bucket)
            for layer in naming.DOMAIN_BUCKET_LAYERS
        }
