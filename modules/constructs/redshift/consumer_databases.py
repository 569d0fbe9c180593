"""The subscriber side in its own warehouse, for each `via: redshift` subscription: find the producer's datashare,
associate it with the own namespace, create a database from it and let the subscriber's roles use it.

No cross-stack reference: the producer's namespace id is unknown to the subscriber's stack, so it lists the
datashares its account can see (`data "aws_redshift_data_shares"` = DescribeDataShares in the subscriber's own
account, https://docs.aws.amazon.com/redshift/latest/APIReference/API_DescribeDataShares.html) and keeps the one
whose ARN has the producer's account and the datashare's name (both derived from the spec). Until the producer has
applied and authorized the account, nothing matches and every resource below has count 0: the first apply of a
subscriber before its producer succeeds and creates nothing here, the next apply after the producer's creates it
(docs/redshift.md, "First onboarding").
"""
from __future__ import annotations

import hashlib

from cdktf import TerraformLocal
from cdktf_cdktf_provider_aws.data_aws_redshift_data_shares import DataAwsRedshiftDataShares
from cdktf_cdktf_provider_aws.redshift_data_share_consumer_association import RedshiftDataShareConsumerAssociation
from constructs import Construct

from meshform import naming
from meshform.redshift import model, sql
from meshform.spec.mesh import Mesh
from modules.constructs.redshift.statement import ManagedStatement
from modules.constructs.redshift.warehouse import RedshiftWarehouse


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class DatashareDatabases(Construct):
    """Args:
        mesh, subscriber: whose subscriptions (domain or consumer with a `redshift` block).
        warehouse: the subscriber's RedshiftWarehouse; database: its own database (statements run there).

    Attributes:
        associations: consumer database name -> `aws_redshift_data_share_consumer_association` (count 0 or 1);
        statements: key -> ManagedStatement.
    """

    def __init__(self, scope: Construct, id_: str, *, mesh: Mesh, subscriber: str, warehouse: RedshiftWarehouse,
                 database: str):
        super().__init__(scope, id_)
        env = mesh.env
        accesses = [a for a in model.redshift_accesses(mesh) if a.subscriber == subscriber]
        common = dict(database=database, target=warehouse.target, secret_arn=warehouse.secret_arn)
        self.statements: dict[str, ManagedStatement] = {}
        self.associations: dict[str, RedshiftDataShareConsumerAssociation] = {}
        readers = sorted({r for a in accesses for r in a.readers})
        for role in readers:
            user = naming.redshift_iam_user(role)
            key = f"user_{naming.redshift_ident(naming.role_name_from_arn(role))}"
            text = sql.create_iam_user(user)
            self.statements[key] = ManagedStatement(self, key, sql=text, trigger=_sha(text), name=f"meshform {env} "
                                                    f"{subscriber}: {key}", depends_on=warehouse.resources, **common)
        if not accesses:
            return
        inbound = DataAwsRedshiftDataShares(self, "inbound")
        for a in accesses:
            found = TerraformLocal(self, f"share_{a.database}", (
                f"${{[for s in {inbound.fqn}.data_shares : s.data_share_arn "
                f"if split(\":\", s.data_share_arn)[4] == \"{a.producer_account}\" "
                f"&& endswith(s.data_share_arn, \"/{a.share.name}\")]}}"))
            count = f"${{length({found.fqn})}}"
            arn = f"{found.fqn}[0]"
            association = RedshiftDataShareConsumerAssociation(
                self, f"associate_{a.database}", data_share_arn=f"${{{arn}}}", consumer_arn=warehouse.namespace_arn,
                depends_on=warehouse.resources)
            association.add_override("count", count)
            self.associations[a.database] = association
            namespace = f"${{split(\"/\", split(\":\", {arn})[6])[0]}}"
            text = sql.create_database_from_share(a.database, a.share.name, a.producer_account, namespace)
            # Hash the SQL with a placeholder: `text` holds a token whose spelling depends on construction order;
            # the namespace itself is in the trigger through the datashare ARN.
            template = sql.create_database_from_share(a.database, a.share.name, a.producer_account, "<namespace>")
            key = f"database_{a.database}"
            made = ManagedStatement(
                self, key, sql=text, trigger=f"{_sha(template)}/${{{arn}}}", count=count,
                name=f"meshform {env} {subscriber}: {key}", depends_on=[association], **common)
            self.statements[key] = made
            for role in a.readers:
                user = naming.redshift_iam_user(role)
                user_key = f"user_{naming.redshift_ident(naming.role_name_from_arn(role))}"
                text = sql.grant_database_usage(a.database, user)
                key = f"usage_{a.database}_{naming.redshift_ident(naming.role_name_from_arn(role))}"
                self.statements[key] = ManagedStatement(
                    self, key, sql=text, trigger=f"{_sha(text)}/${{{arn}}}", count=count,
                    name=f"meshform {env} {subscriber}: {key}",
                    depends_on=[made.statement, self.statements[user_key].statement], **common)
