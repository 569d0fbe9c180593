"""`<env>-consumer-<name>`: a consumer account's query side (choreography.md §A.3, §D.7)."""
from __future__ import annotations

from constructs import Construct

from meshform import naming
from meshform.spec.mesh import Mesh
from modules import policy_documents as pd
from modules.constructs.athena_workgroup import AthenaWorkgroupConstruct
from modules.constructs.encryption_key import EncryptionKey
from modules.constructs.secure_bucket import BUCKET_ROLE_QUERY_RESULTS, SecureBucket, access_log_bucket
from modules.constructs.mesh_access_policy import MeshAccessPolicy, shared_catalog_statements
from modules.constructs.ram_share_acceptance import RamShareAcceptance
from modules.stacks.base import MeshStack
from modules.stacks.subscriber import own_lake_formation_settings, subscribed_access

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
        self.log_bucket = access_log_bucket(self, mesh.bucket(consumer, naming.ACCESS_LOG_LAYER), c.account_id,
                                            mesh.spec.governance.default_classification)
        # Query results can contain anything the consumer may read: classify at its clearance.
        results = SecureBucket(
            self, "bucket_athena_results", name=mesh.bucket(consumer, naming.ATHENA_RESULTS_LAYER),
            kms_key_arn=self.key.arn, role=BUCKET_ROLE_QUERY_RESULTS, classification=c.clearance, log_bucket=self.log_bucket,
            noncurrent_days=7, expire_days=30)
        workgroup = naming.athena_workgroup_name(prefix, env, consumer)
        AthenaWorkgroupConstruct(
            self, "athena", name=workgroup, results_bucket=results.name,
            account_id=c.account_id, kms_key_arn=self.key.arn,
            bytes_scanned_cutoff=c.athena_bytes_scanned_cutoff_gb * GIB,
            description=f"{consumer}: {c.description}" if c.description else consumer)

        settings = own_lake_formation_settings(self, mesh).settings
        accepters = RamShareAcceptance(self, "ram", share_arns=mesh.ram_shares.get(consumer, [])).accepters
        domains = subscribed_access(self, mesh, consumer, after=[settings, *accepters])
        region, account = mesh.region, c.account_id
        MeshAccessPolicy(
            self, "principal_access", name=naming.access_policy_name(prefix, env, consumer),
            description=f"{consumer}: query subscribed data products with Athena",
            statements=[*shared_catalog_statements(region, account, mesh.governance_account, domains),
                        *_athena_statements(region, account, workgroup, results.arn, self.key.arn)],
            principals=c.principals)


def _athena_statements(region: str, account: str, workgroup: str, results_arn: str, key_arn: str) -> list[dict]:
    return [
        pd.statement("QueryInWorkgroup", ["athena:BatchGetQueryExecution", "athena:GetQueryExecution",
                                          "athena:GetQueryResults", "athena:GetWorkGroup",
                                          "athena:ListQueryExecutions", "athena:StartQueryExecution",
                                          "athena:StopQueryExecution"],
                     [f"arn:aws:athena:{region}:{account}:workgroup/{workgroup}"]),
        # Catalog browsing in the console and JDBC/ODBC drivers (Athena's data catalog, not the data).
        pd.statement("BrowseDataCatalog", ["athena:GetDataCatalog", "athena:GetDatabase", "athena:GetTableMetadata",
                                           "athena:ListDatabases", "athena:ListTableMetadata"],
                     [f"arn:aws:athena:{region}:{account}:datacatalog/AwsDataCatalog"]),
        # ListWorkGroups has no resource-level permissions.
        pd.statement("ListWorkgroups", ["athena:ListWorkGroups"], "*"),
        pd.statement("QueryResultObjects", ["s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts",
                                            "s3:PutObject"], [f"{results_arn}/results/*"]),
        pd.statement("QueryResultBucket", ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                     [results_arn]),
        pd.statement("QueryResultKey", ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
                     [key_arn]),
    ]
