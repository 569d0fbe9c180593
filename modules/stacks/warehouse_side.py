"""What an account with a `redshift` block gets in its own stack (docs/redshift.md): its CMK, private network and
warehouse; as a domain, the COPY role and its products' schemas, tables and datashares; as a subscriber, the
databases created from the datashares it subscribes to."""
from __future__ import annotations

from dataclasses import dataclass

from meshform import naming
from meshform.redshift import model, sql
from meshform.spec.contract import Product
from meshform.spec.mesh import Mesh
from modules.constructs.encryption_key import EncryptionKey
from modules.constructs.pipeline.asl import RedshiftLoad
from modules.constructs.pipeline.log_encryption import cloudwatch_logs_key_statement
from modules.constructs.redshift.consumer_databases import DatashareDatabases
from modules.constructs.redshift.copy_role import CopyRole
from modules.constructs.redshift.datashares import ProducerDatashares
from modules.constructs.redshift.network import PrivateNetwork, flow_log_group_name
from modules.constructs.redshift.warehouse import RedshiftWarehouse, WarehouseProps, audit_log_group_names
from modules.stacks.base import MeshStack
from modules.types import Statement


@dataclass
class OwnWarehouse:
    warehouse: RedshiftWarehouse
    database: str
    copy_role: CopyRole | None
    name: str


def own_warehouse(stack: MeshStack, mesh: Mesh, owner: str, *, lake_key_arn: str | None = None) -> OwnWarehouse | None:
    spec = model.warehouses(mesh).get(owner)
    if spec is None:
        return None
    prefix, env, region = mesh.spec.name_prefix, mesh.env, mesh.region
    account = mesh.account_of(owner)
    name = naming.redshift_warehouse_name(prefix, env, owner)
    # CloudWatch Logs may use the key for the flow logs and the audit logs, and for no other log group.
    log_groups = [flow_log_group_name(name), *audit_log_group_names(spec.mode, name).values()]
    key = EncryptionKey(stack, "redshift_key", account_id=account, deploy_role_arn=mesh.deploy_role_arn(account),
                        alias=naming.kms_alias(prefix, env, owner, "redshift"),
                        description=f"meshform {env}: {owner} Redshift warehouse, its admin secret, its flow "
                                    "and audit logs",
                        extra_statements=[cloudwatch_logs_key_statement(region, account, log_groups)])
    copy_role = None
    if owner in mesh.spec.domains and lake_key_arn is not None:
        copy_role = CopyRole(stack, "redshift_copy", name=naming.redshift_role_name(prefix, env, owner),
                             account=account, region=region, bucket=mesh.bucket(owner, "analytics"),
                             key_arn=lake_key_arn)
    network = PrivateNetwork(stack, "redshift_network", name=name, region=region, cidr=spec.cidr, account=account,
                             kms_key_arn=key.arn,
                             flow_logs_role=naming.redshift_flow_logs_role_name(prefix, env, owner),
                             copy_role_arn=copy_role.arn if copy_role else None,
                             copy_bucket=mesh.bucket(owner, "analytics") if copy_role else None)
    database = naming.redshift_database_name(owner)
    warehouse = RedshiftWarehouse(stack, "redshift", WarehouseProps(
        name=name, database=database, spec=spec, kms_key_arn=key.arn, subnet_ids=network.subnet_ids,
        security_group_ids=[network.security_group_id], role_arns=[copy_role.arn] if copy_role else []))
    if copy_role is not None:
        warehouse.resources.append(copy_role.policy)
        ProducerDatashares(stack, "redshift_shares", mesh=mesh, domain=owner, warehouse=warehouse,
                           database=database)
    DatashareDatabases(stack, "redshift_subscriptions", mesh=mesh, subscriber=owner, warehouse=warehouse,
                       database=database, key_arn=key.arn)
    return OwnWarehouse(warehouse, database, copy_role, name)


def pipeline_load(mesh: Mesh, domain: str, product: Product, own: OwnWarehouse) -> tuple[RedshiftLoad, list[Statement]]:
    """The pipeline's load step and what its state machine's role needs for it: run Data API statements on the
    warehouse (RedshiftWarehouse.data_api_statements)."""
    assert own.copy_role is not None
    region, account = mesh.region, mesh.spec.domains[domain].account_id
    schema = naming.redshift_schema_name(product.name)
    bucket = mesh.bucket(domain, "analytics")
    sqls: list[str] = []
    for table in product.tables:
        location = naming.table_location(bucket, product.name, table.name)
        sqls += [sql.delete_rows(schema, table.name), sql.copy_parquet(schema, table, location, own.copy_role.arn)]
    spec = model.warehouses(mesh)[domain]
    target = (("WorkgroupName", own.name),) if spec.mode == "serverless" else (("ClusterIdentifier", own.name),)
    return RedshiftLoad(own.database, target, tuple(sqls)), own.warehouse.data_api_statements(region, account)
