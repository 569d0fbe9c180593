"""Redshift datashare APIs for moto 5.2.5 (which has none), with AWS's status transitions, across accounts.

Datashares are created by SQL (meshform/local/redshift_sql/) in a producer namespace: a Redshift Serverless
namespace (meshform/local/moto_redshift_serverless.py) or a provisioned cluster's namespace (moto's clusters get a
ClusterNamespaceArn here, `arn:aws:redshift:<region>:<account>:namespace:<uuid>`). Their ARN is
`arn:aws:redshift:<region>:<producer account>:datashare:<namespace id>/<share name>`
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonredshift.html#amazonredshift-resources-for-iam-policies).

The flow across accounts (https://docs.aws.amazon.com/redshift/latest/dg/across-account.html):
1. producer SQL `GRANT USAGE ON DATASHARE s TO ACCOUNT 'c'`: the account's association is PENDING_AUTHORIZATION
   and account c sees nothing;
2. producer AuthorizeDataShare(ConsumerIdentifier=c): AUTHORIZED; account c's DescribeDataShares lists the share,
   AVAILABLE to it (https://docs.aws.amazon.com/redshift/latest/APIReference/API_AuthorizeDataShare.html);
3. consumer AssociateDataShareConsumer(ConsumerArn=<its namespace ARN> | AssociateEntireAccount | ConsumerRegion):
   ACTIVE, on both sides; a publicly accessible consumer workgroup needs a share created or altered with
   PUBLICACCESSIBLE TRUE (AllowPubliclyAccessibleConsumers); only the caller's own namespaces
   (InvalidNamespaceFault) (https://docs.aws.amazon.com/redshift/latest/APIReference/API_AssociateDataShareConsumer.html);
4. consumer SQL `CREATE DATABASE d FROM DATASHARE s OF ACCOUNT 'p' NAMESPACE 'guid'` in an ACTIVE namespace;
DisassociateDataShareConsumer returns it to AVAILABLE, DeauthorizeDataShare makes it DEAUTHORIZED (the consumer
loses it and its consumer databases show nothing), RejectDataShare (consumer) REJECTED; SQL REVOKE removes the
account. DescribeDataSharesForProducer filters by the producer view's status (ACTIVE, AUTHORIZED,
PENDING_AUTHORIZATION, REJECTED, DEAUTHORIZED), DescribeDataSharesForConsumer by the consumer's (ACTIVE, AVAILABLE)
(https://docs.aws.amazon.com/redshift/latest/APIReference/API_DescribeDataSharesForProducer.html,
API_DescribeDataSharesForConsumer.html). Errors: InvalidDataShareFault (with the texts the provider's
data_share_authorization.go and data_share_consumer_association.go match: "because the ARN doesn't exist.",
"because you have already removed authorization from the data share.", "either doesn't exist or isn't associated
with this data consumer"), InvalidNamespaceFault, InvalidParameterValue / InvalidParameterCombination.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

from moto.core.responses import ActionResult

from meshform.local.redshift_sql import NamespaceCatalog
from meshform.local.redshift_sql.catalog import Association, ConsumerAccount, Datashare
from meshform.local.redshift_sql.engine import now

SHARE_ARN = re.compile(r"^arn:aws[a-z-]*:redshift:([a-z0-9-]+):(\d{12}):datashare:([0-9a-f-]{36})/([^/]+)$")
PRODUCER_STATUSES = {"ACTIVE", "AUTHORIZED", "PENDING_AUTHORIZATION", "REJECTED", "DEAUTHORIZED"}
CONSUMER_STATUSES = {"ACTIVE", "AVAILABLE"}


def _fault(code: str, message: str) -> Exception:
    from moto.redshift.exceptions import RedshiftClientError

    return RedshiftClientError(code, message)


def invalid_share(message: str) -> Exception:
    return _fault("InvalidDataShareFault", message)


# ---------------------------------------------------------------- namespaces of every account
def cluster_catalog(cluster: Any) -> NamespaceCatalog:
    """The SQL catalog of a provisioned cluster's namespace (created on first use)."""
    if getattr(cluster, "_meshform_catalog", None) is None:
        catalog = NamespaceCatalog(_cluster_namespace_id(cluster), cluster.cluster_namespace_arn,
                                   cluster.account_id, cluster.region, admin_user=cluster.master_username.lower())
        catalog.ensure_database(cluster.db_name)
        cluster._meshform_catalog = catalog
    return cluster._meshform_catalog


def _cluster_namespace_id(cluster: Any) -> str:
    if getattr(cluster, "_meshform_namespace_id", None) is None:
        cluster._meshform_namespace_id = str(uuid.uuid4())
    return cluster._meshform_namespace_id


def _cluster_namespace_arn(cluster: Any) -> str:
    return f"arn:aws:redshift:{cluster.region}:{cluster.account_id}:namespace:{_cluster_namespace_id(cluster)}"


class Directory:
    """Every namespace of one region, in every account (the SQL engine's view of other namespaces)."""

    def __init__(self, region: str):
        self.region = region

    def all_namespaces(self) -> Iterator[NamespaceCatalog]:
        from moto.redshift.models import redshift_backends

        from meshform.local.moto_redshift_serverless import redshiftserverless_backends

        for _, regions in list(redshiftserverless_backends.items()):
            backend = regions.get(self.region) if hasattr(regions, "get") else None
            for ns in (backend.namespaces.values() if backend else []):
                if ns.catalog is not None:
                    yield ns.catalog
        for _, regions in list(redshift_backends.items()):
            backend = regions.get(self.region) if hasattr(regions, "get") else None
            for cluster in (backend.clusters.values() if backend else []):
                yield cluster_catalog(cluster)

    def namespace(self, account: str, namespace_id: str) -> NamespaceCatalog | None:
        return next((c for c in self.all_namespaces() if c.account == account and c.namespace_id == namespace_id),
                    None)

    def by_arn(self, arn: str) -> NamespaceCatalog | None:
        return next((c for c in self.all_namespaces() if c.namespace_arn == arn), None)

    def publicly_accessible(self, catalog: NamespaceCatalog) -> bool:
        from moto.redshift.models import redshift_backends

        from meshform.local.moto_redshift_serverless import redshiftserverless_backends

        serverless = redshiftserverless_backends[catalog.account][catalog.region]
        for ns in serverless.namespaces.values():
            if ns.catalog is catalog:
                wg = serverless.workgroup_of(ns.name)
                return bool(wg and wg.publicly_accessible)
        return any(bool(c.publicly_accessible) for c in redshift_backends[catalog.account][catalog.region]
                   .clusters.values() if getattr(c, "_meshform_catalog", None) is catalog)


def share_arn(producer: NamespaceCatalog, share: Datashare) -> str:
    return f"arn:aws:redshift:{producer.region}:{producer.account}:datashare:{producer.namespace_id}/{share.name}"


# ---------------------------------------------------------------- the two views of a datashare
def _producer_view(directory: Directory, producer: NamespaceCatalog, share: Datashare) -> list[dict]:
    out = []
    for account, grant in share.accounts.items():
        status = "ACTIVE" if grant.status == "AUTHORIZED" and grant.associations else grant.status
        out.append({"ConsumerIdentifier": account, "Status": status, "CreatedDate": grant.created,
                    "StatusChangeDate": grant.changed, "ProducerAllowedWrites": grant.allow_writes})
    for namespace, stamp in share.namespaces.items():
        consumer = directory.namespace(producer.account, namespace)
        out.append({"ConsumerIdentifier": consumer.namespace_arn if consumer else namespace, "Status": "ACTIVE",
                    "CreatedDate": stamp, "StatusChangeDate": stamp})
    return out


def _consumer_view(account: str, share: Datashare) -> list[dict] | None:
    grant = share.accounts.get(account)
    if grant is None or grant.status != "AUTHORIZED":
        return None
    if not grant.associations:
        return [{"ConsumerIdentifier": account, "Status": "AVAILABLE", "CreatedDate": grant.created,
                 "StatusChangeDate": grant.changed}]
    return [{"ConsumerIdentifier": a.consumer, "Status": "ACTIVE", "CreatedDate": a.created,
             "StatusChangeDate": a.created, **({"ConsumerRegion": a.region} if a.region else {}),
             "ConsumerAcceptedWrites": False} for a in grant.associations.values()]


def _describe(producer: NamespaceCatalog, share: Datashare, associations: list[dict]) -> dict:
    return {"DataShareArn": share_arn(producer, share), "ProducerArn": producer.namespace_arn,
            "AllowPubliclyAccessibleConsumers": share.public_accessible, "DataShareAssociations": associations,
            "DataShareType": "INTERNAL"}


class StrictDatashares:
    account_id: str
    region_name: str

    def _directory(self) -> Directory:
        return Directory(self.region_name)

    def _visible(self) -> Iterator[tuple[NamespaceCatalog, Datashare, list[dict], bool]]:
        """(producer, share, associations as this account sees them, is producer) for every share it can see."""
        for producer in self._directory().all_namespaces():
            for share in producer.datashares.values():
                if producer.account == self.account_id:
                    yield producer, share, _producer_view(self._directory(), producer, share), True
                else:
                    view = _consumer_view(self.account_id, share)
                    if view is not None:
                        yield producer, share, view, False

    def _share(self, arn: str | None, producer_only: bool = False, consumer_only: bool = False,
               ) -> tuple[NamespaceCatalog, Datashare, list[dict], bool]:
        for producer, share, view, mine in self._visible():
            if share_arn(producer, share) == arn and not (producer_only and not mine) and not (
                    consumer_only and mine):
                return producer, share, view, mine
        raise invalid_share(f"The data share {arn} is not valid because the ARN doesn't exist.")

    # ---- describe
    def describe_data_shares(self, arn: str | None) -> list[dict]:
        if arn is not None:
            producer, share, view, _ = self._share(arn)
            return [_describe(producer, share, view)]
        return [_describe(p, s, v) for p, s, v, _ in self._visible()]

    def describe_data_shares_for_producer(self, producer_arn: str | None, status: str | None) -> list[dict]:
        if status is not None and status not in PRODUCER_STATUSES:
            raise _fault("InvalidParameterValue", f"Status {status} is not valid: use one of "
                         f"{', '.join(sorted(PRODUCER_STATUSES))}.")
        out = []
        for producer, share, view, mine in self._visible():
            if not mine or (producer_arn is not None and producer.namespace_arn != producer_arn):
                continue
            if status is None or any(a["Status"] == status for a in view):
                out.append(_describe(producer, share, view))
        return out

    def describe_data_shares_for_consumer(self, consumer_arn: str | None, status: str | None) -> list[dict]:
        if status is not None and status not in CONSUMER_STATUSES:
            raise _fault("InvalidParameterValue", f"Status {status} is not valid: use ACTIVE or AVAILABLE.")
        out = []
        for producer, share, view, mine in self._visible():
            if mine:
                continue
            if consumer_arn is not None:
                view = [a for a in view if a["ConsumerIdentifier"] in (consumer_arn, self.account_id)]
            view = [a for a in view if status is None or a["Status"] == status]
            if view:
                out.append(_describe(producer, share, view))
        return out

    # ---- producer
    def authorize_data_share(self, arn: str | None, consumer: str | None, allow_writes: bool) -> dict:
        producer, share, _, _ = self._share(arn, producer_only=True)
        if consumer == "ADX" or not re.fullmatch(r"\d{12}", consumer or ""):
            raise _fault("InvalidParameterValue", f"ConsumerIdentifier {consumer} is not valid: the emulator "
                         "models AWS account ids (12 digits).")
        assert consumer is not None
        grant = share.accounts.get(consumer)
        if grant is None:
            raise invalid_share(f"Can't authorize data share {arn} for {consumer}: grant usage on the data share "
                                "to the account first (GRANT USAGE ON DATASHARE ... TO ACCOUNT).")
        if grant.status == "REJECTED":
            raise invalid_share(f"Can't authorize data share {arn}: consumer {consumer} rejected it.")
        if grant.status != "AUTHORIZED":
            grant.status, grant.changed = "AUTHORIZED", now()
        grant.allow_writes = allow_writes
        return _describe(producer, share, _producer_view(self._directory(), producer, share))

    def deauthorize_data_share(self, arn: str | None, consumer: str | None) -> dict:
        producer, share, _, _ = self._share(arn, producer_only=True)
        grant = share.accounts.get(consumer or "")
        if grant is None:
            raise invalid_share(f"Can't deauthorize data share {arn} for {consumer} because the ARN doesn't exist.")
        if grant.status == "DEAUTHORIZED":
            raise invalid_share(f"Can't deauthorize data share {arn} because you have already removed "
                                "authorization from the data share.")
        grant.status, grant.changed, grant.associations = "DEAUTHORIZED", now(), {}
        return _describe(producer, share, _producer_view(self._directory(), producer, share))

    # ---- consumer
    def _consumer_target(self, entire: bool | None, consumer_arn: str | None, region: str | None) -> str:
        given = [x for x in (entire, consumer_arn, region) if x]
        if len(given) != 1:
            raise _fault("InvalidParameterCombination", "Specify exactly one of AssociateEntireAccount, "
                         "ConsumerArn and ConsumerRegion.")
        return "account" if entire else "arn" if consumer_arn else "region"

    def associate_data_share_consumer(self, arn: str | None, entire: bool | None, consumer_arn: str | None,
                                      region: str | None) -> dict:
        producer, share, _, _ = self._share(arn, consumer_only=True)
        grant: ConsumerAccount = share.accounts[self.account_id]
        kind = self._consumer_target(entire, consumer_arn, region)
        directory = self._directory()
        if kind == "arn":
            assert consumer_arn is not None
            catalog = directory.by_arn(consumer_arn)
            if catalog is None or catalog.account != self.account_id:
                raise _fault("InvalidNamespaceFault", f"The namespace {consumer_arn} doesn't exist in account "
                             f"{self.account_id}.")
            if directory.publicly_accessible(catalog) and not share.public_accessible:
                raise invalid_share(f"Can't associate data share {arn} with publicly accessible consumer "
                                    f"{consumer_arn}: the data share doesn't allow publicly accessible consumers.")
            key, association = consumer_arn, Association(consumer_arn, None, now())
        elif kind == "region":
            key, association = f"region:{region}", Association(self.account_id, region, now())
        else:
            key, association = self.account_id, Association(self.account_id, None, now())
        grant.associations.setdefault(key, association)
        return _describe(producer, share, _consumer_view(self.account_id, share) or [])

    def disassociate_data_share_consumer(self, arn: str | None, entire: bool | None, consumer_arn: str | None,
                                         region: str | None) -> dict:
        try:
            producer, share, _, _ = self._share(arn, consumer_only=True)
        except Exception:
            raise invalid_share(f"The data share {arn} either doesn't exist or isn't associated with this data "
                                "consumer.") from None
        grant = share.accounts[self.account_id]
        kind = self._consumer_target(entire, consumer_arn, region)
        key = consumer_arn if kind == "arn" else f"region:{region}" if kind == "region" else self.account_id
        if key not in grant.associations:
            raise invalid_share(f"The data share {arn} either doesn't exist or isn't associated with this data "
                                "consumer.")
        del grant.associations[key]
        return _describe(producer, share, _consumer_view(self.account_id, share) or [])

    def reject_data_share(self, arn: str | None) -> dict:
        producer, share, _, _ = self._share(arn, consumer_only=True)
        grant = share.accounts[self.account_id]
        grant.status, grant.changed, grant.associations = "REJECTED", now(), {}
        return _describe(producer, share, [{"ConsumerIdentifier": self.account_id, "Status": "REJECTED",
                                            "CreatedDate": grant.created, "StatusChangeDate": grant.changed}])


def _locked(method: Any) -> Any:
    """Datashare calls and Data API statements change the same catalogs: one at a time (moto's server is threaded)."""
    from meshform.local.redshift_sql import LOCK

    def call(self: Any) -> ActionResult:
        with LOCK:
            return method(self)
    call.__name__ = method.__name__
    return call


class Handlers:
    def describe_data_shares(self: Any) -> ActionResult:
        return ActionResult({"DataShares": self.redshift_backend.describe_data_shares(self._get_param("DataShareArn"))})

    def describe_data_shares_for_producer(self: Any) -> ActionResult:
        return ActionResult({"DataShares": self.redshift_backend.describe_data_shares_for_producer(
            self._get_param("ProducerArn"), self._get_param("Status"))})

    def describe_data_shares_for_consumer(self: Any) -> ActionResult:
        return ActionResult({"DataShares": self.redshift_backend.describe_data_shares_for_consumer(
            self._get_param("ConsumerArn"), self._get_param("Status"))})

    def authorize_data_share(self: Any) -> ActionResult:
        return ActionResult(self.redshift_backend.authorize_data_share(
            self._get_param("DataShareArn"), self._get_param("ConsumerIdentifier"),
            bool(self._get_param("AllowWrites", False))))

    def deauthorize_data_share(self: Any) -> ActionResult:
        return ActionResult(self.redshift_backend.deauthorize_data_share(
            self._get_param("DataShareArn"), self._get_param("ConsumerIdentifier")))

    def associate_data_share_consumer(self: Any) -> ActionResult:
        return ActionResult(self.redshift_backend.associate_data_share_consumer(
            self._get_param("DataShareArn"), self._get_param("AssociateEntireAccount"),
            self._get_param("ConsumerArn"), self._get_param("ConsumerRegion")))

    def disassociate_data_share_consumer(self: Any) -> ActionResult:
        return ActionResult(self.redshift_backend.disassociate_data_share_consumer(
            self._get_param("DataShareArn"), self._get_param("DisassociateEntireAccount"),
            self._get_param("ConsumerArn"), self._get_param("ConsumerRegion")))

    def reject_data_share(self: Any) -> ActionResult:
        return ActionResult(self.redshift_backend.reject_data_share(self._get_param("DataShareArn")))


def install() -> None:
    from moto.redshift.models import Cluster, RedshiftBackend
    from moto.redshift.responses import RedshiftResponse

    Cluster.cluster_namespace_arn = property(_cluster_namespace_arn)
    for name, member in vars(StrictDatashares).items():
        if not name.startswith("__") and callable(member):
            setattr(RedshiftBackend, name, member)
    for name, member in vars(Handlers).items():
        if callable(member) and not name.startswith("__"):
            setattr(RedshiftResponse, name, _locked(member))
