"""The subscriber side in its own warehouse, for each `via: redshift` subscription: find the producer's datashare,
associate it with the own namespace, create a database from it and let the subscriber's roles use it.

No cross-stack reference: the producer's namespace id is unknown to the subscriber's stack, so it lists the
datashares its account can see (`data "aws_redshift_data_shares"` = DescribeDataShares in the subscriber's own
account, https://docs.aws.amazon.com/redshift/latest/APIReference/API_DescribeDataShares.html) and keeps the one
whose ARN has the producer's account and the datashare's name (both derived from the spec). Until the producer has
applied and authorized the account, nothing matches and every resource below has count 0: the first apply of a
subscriber before its producer succeeds and creates nothing here, the next apply after the producer's creates it
(docs/redshift.md, "First onboarding").

Unsubscribing (docs/redshift.md, "Unsubscribing"): every (subscriber, product of another Redshift domain) pair has
one statement address, `database_<db>`: CREATE DATABASE while subscribed, a tombstone `DROP DATABASE` once not -
the producer's GRANT/REVOKE pattern. But a DROP must run only where the database exists: Redshift has no DROP
DATABASE IF EXISTS and no stored procedure may run DROP DATABASE
(https://docs.aws.amazon.com/redshift/latest/dg/r_DROP_DATABASE.html,
https://docs.aws.amazon.com/redshift/latest/dg/stored-procedure-constraints.html), and once the producer revoked
the datashare the subscriber's account no longer sees it (DescribeDataShares lists nothing), so nothing in AWS
tells the plan that the database was ever made. The subscriber therefore records it: an SSM parameter per database
it created (`naming.redshift_database_ledger_path`), written after the CREATE ran and read at plan time with
`data "aws_ssm_parameters_by_path"`. A pair no longer subscribed gets the DROP exactly when its parameter exists;
the parameter stays (value: dropped), so the tombstone stays in the plan and a re-plan is empty. A pair that never
subscribed has no parameter and runs nothing. The parameters are SecureString under the warehouse's CMK (they
hold only the database's story, but CKV_AWS_337 and CKV2_AWS_34 ask for it).
"""
from __future__ import annotations

import hashlib

from cdktf import TerraformLocal
from cdktf_cdktf_provider_aws.data_aws_redshift_data_shares import DataAwsRedshiftDataShares
from cdktf_cdktf_provider_aws.data_aws_ssm_parameters_by_path import DataAwsSsmParametersByPath
from cdktf_cdktf_provider_aws.redshift_data_share_consumer_association import RedshiftDataShareConsumerAssociation
from cdktf_cdktf_provider_aws.ssm_parameter import SsmParameter
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
        key_arn: the warehouse's CMK; it encrypts the ledger parameters.

    Attributes:
        associations: consumer database name -> `aws_redshift_data_share_consumer_association` (count 0 or 1);
        statements: key -> ManagedStatement (`database_<db>`: CREATE while subscribed, else the DROP tombstone);
        ledger: consumer database name -> `aws_ssm_parameter` recording that this warehouse created it.
    """

    def __init__(self, scope: Construct, id_: str, *, mesh: Mesh, subscriber: str, warehouse: RedshiftWarehouse,
                 database: str, key_arn: str):
        super().__init__(scope, id_)
        env = mesh.env
        pairs = model.consumer_databases(mesh, subscriber)
        accesses = [p.access for p in pairs if p.access is not None]
        common = dict(database=database, target=warehouse.target, secret_arn=warehouse.secret_arn)
        self.statements: dict[str, ManagedStatement] = {}
        self.associations: dict[str, RedshiftDataShareConsumerAssociation] = {}
        self.ledger: dict[str, SsmParameter] = {}
        # The database users of the subscriber's principals exist as long as it can read any product, subscribed
        # or not: removing them with the last subscription would make the next subscription's CREATE USER fail
        # (`user ... already exists`: the users outlive the statements, whose Delete does nothing).
        readers = sorted(mesh.subscriber(subscriber).principals) if pairs else []
        for role in readers:
            user = naming.redshift_iam_user(role)
            key = f"user_{naming.redshift_ident(naming.role_name_from_arn(role))}"
            text = sql.create_iam_user(user)
            self.statements[key] = ManagedStatement(self, key, sql=text, trigger=_sha(text), name=f"meshform {env} "
                                                    f"{subscriber}: {key}", depends_on=warehouse.resources, **common)
        if not pairs:
            return
        path = naming.redshift_database_ledger_path(mesh.spec.name_prefix, env, subscriber)
        # No depends_on: read at plan time, so the counts below are known when Terraform plans them.
        recorded = DataAwsSsmParametersByPath(self, "ledger", path=path, recursive=False, with_decryption=False)
        inbound = DataAwsRedshiftDataShares(self, "inbound") if accesses else None
        for pair in pairs:
            parameter = f"{path}/{pair.database}"
            if pair.access is None:
                self._tombstone(pair.database, parameter, f"${{contains({recorded.fqn}.names, \"{parameter}\") "
                                f"? 1 : 0}}", key_arn, f"meshform {env} {subscriber}", warehouse, common)
                continue
            assert inbound is not None
            self._subscribe(pair.access, parameter, inbound, key_arn, f"meshform {env} {subscriber}", warehouse,
                            common)

    def _subscribe(self, a: model.RedshiftAccess, parameter: str, inbound: DataAwsRedshiftDataShares, key_arn: str,
                   label: str, warehouse: RedshiftWarehouse, common: dict) -> None:
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
            name=f"{label}: {key}", depends_on=[association], **common)
        self.statements[key] = made
        self._record(a.database, parameter, count, f"created from datashare {a.share.name} of account "
                     f"{a.producer_account}", key_arn, made)
        for role in a.readers:
            user = naming.redshift_iam_user(role)
            user_key = f"user_{naming.redshift_ident(naming.role_name_from_arn(role))}"
            text = sql.grant_database_usage(a.database, user)
            key = f"usage_{a.database}_{naming.redshift_ident(naming.role_name_from_arn(role))}"
            self.statements[key] = ManagedStatement(
                self, key, sql=text, trigger=f"{_sha(text)}/${{{arn}}}", count=count,
                name=f"{label}: {key}",
                depends_on=[made.statement, self.statements[user_key].statement], **common)

    def _tombstone(self, database: str, parameter: str, count: str, key_arn: str, label: str,
                   warehouse: RedshiftWarehouse, common: dict) -> None:
        """The DROP at the CREATE's address: the changed trigger replaces the statement, so the DROP runs once;
        its GRANT USAGE ON DATABASE statements leave the plan (Delete does nothing: the drop took the grants)."""
        text = sql.drop_database(database)
        key = f"database_{database}"
        dropped = ManagedStatement(self, key, sql=text, trigger=_sha(text), count=count, name=f"{label}: {key}",
                                   depends_on=warehouse.resources, **common)
        self.statements[key] = dropped
        self._record(database, parameter, count, "dropped: the subscription ended", key_arn, dropped)

    def _record(self, database: str, parameter: str, count: str, value: str, key_arn: str,
                after: ManagedStatement) -> None:
        """Written after the statement ran: a failed CREATE is never recorded, a failed DROP keeps the record."""
        entry = SsmParameter(self, f"ledger_{database}", name=parameter, type="SecureString", key_id=key_arn,
                             value=f"{database}: {value}",
                             description="meshform: a database this warehouse created from a datashare",
                             depends_on=[after.statement])
        entry.add_override("count", count)
        self.ledger[database] = entry
