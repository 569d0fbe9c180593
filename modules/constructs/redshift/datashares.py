"""The producer side in the domain's own warehouse: one schema per product, one table per contract table, the
clearance views, the product's datashares (meshform.redshift.model), and per (datashare, Redshift account of the
mesh) a GRANT or - once the account no longer subscribes - a tombstone REVOKE; `aws_redshift_data_share_
authorization` only while it subscribes (destroying it deauthorizes the account,
https://docs.aws.amazon.com/redshift/latest/APIReference/API_DeauthorizeDataShare.html)."""
from __future__ import annotations

import hashlib

from cdktf_cdktf_provider_aws.redshift_data_share_authorization import RedshiftDataShareAuthorization
from constructs import Construct

from meshform import naming
from meshform.redshift import model
from meshform.spec.mesh import Mesh
from modules.constructs.redshift.statement import ManagedStatement
from modules.constructs.redshift.warehouse import RedshiftWarehouse


class ProducerDatashares(Construct):
    """Args:
        mesh, domain: whose products.
        warehouse: the domain's RedshiftWarehouse; database: its own database (naming.redshift_database_name).

    Attributes:
        statements: key -> ManagedStatement (model keys; grants are `grant_<share>__<account owner>`);
        authorizations: grant key -> `aws_redshift_data_share_authorization`.
    """

    def __init__(self, scope: Construct, id_: str, *, mesh: Mesh, domain: str, warehouse: RedshiftWarehouse,
                 database: str):
        super().__init__(scope, id_)
        account = mesh.spec.domains[domain].account_id
        env = mesh.env
        planned = model.producer_statements(mesh, domain)
        triggers = model.triggers(planned)
        self.statements: dict[str, ManagedStatement] = {}
        common = dict(database=database, target=warehouse.target, secret_arn=warehouse.secret_arn)
        for st in planned:
            self.statements[st.key] = ManagedStatement(
                self, st.key, sql=st.sql, trigger=triggers[st.key], name=f"meshform {env} {domain}: {st.key}",
                depends_on=[*warehouse.resources, *(self.statements[k].statement for k in st.after)], **common)
        shares_ready: dict[str, list] = {}
        for product in mesh.domain_products(domain):
            for share in model.product_shares(mesh, product):
                prefix = f"share_{share.name}"
                keys = [prefix, f"{prefix}_schema", *(f"{prefix}_{o.name}" for o in share.objects)]
                shares_ready[share.name] = [self.statements[k].statement for k in keys]
        self.authorizations: dict[str, RedshiftDataShareAuthorization] = {}
        for grant in model.grants(mesh, domain):
            key = f"grant_{grant.key}"
            self.statements[key] = ManagedStatement(
                self, key, sql=grant.sql, trigger=hashlib.sha256(grant.sql.encode()).hexdigest(),
                name=f"meshform {env} {domain}: {key}",
                depends_on=[*warehouse.resources, *shares_ready[grant.share.name]], **common)
            if grant.subscribed:
                self.authorizations[key] = RedshiftDataShareAuthorization(
                    self, f"authorize_{grant.key}", consumer_identifier=grant.account,
                    data_share_arn=naming.redshift_datashare_arn(mesh.region, account, warehouse.namespace_id,
                                                                 grant.share.name),
                    depends_on=[self.statements[key].statement])
